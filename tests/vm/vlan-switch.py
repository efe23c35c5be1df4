#!/usr/bin/env python3
# A one-port 802.1Q switch in user space, for the VM suite's VLAN scenario on hosts whose
# kernel has neither 8021q nor bridge VLAN filtering.
#
#   vlan-switch.py VID TAP LISTEN_PORT QEMU_PORT SECONDS
#
# The guest's NIC is QEMU "-netdev socket,udp=127.0.0.1:LISTEN_PORT,localaddr=127.0.0.1:
# QEMU_PORT" (one Ethernet frame per datagram). Frames the guest tags with VID go, untagged,
# to the tap device TAP (the host's side of the VLAN); frames from TAP go to the guest
# tagged with VID. Untagged or otherwise tagged frames from the guest are dropped, so only
# a guest that really tags reaches the host. Runs at most SECONDS, then exits; prints
# counters on exit.
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def main():
    vid, tap, listen_port, qemu_port, seconds = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    vid = int(vid)
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", listen_port))
    qemu = ("127.0.0.1", qemu_port)
    tag = struct.pack("!HH", 0x8100, vid & 0x0FFF)
    counts = {"to_host": 0, "to_guest": 0, "dropped": 0}
    done = [False]
    signal.signal(signal.SIGTERM, lambda *_: done.__setitem__(0, True))
    deadline = time.monotonic() + seconds
    while not done[0] and time.monotonic() < deadline:
        try:
            ready, _, _ = select.select([fd, udp], [], [], 0.5)
        except InterruptedError:
            continue
        if udp in ready:
            frame = udp.recv(65536)
            if len(frame) >= 18 and frame[12:14] == b"\x81\x00" and \
                    struct.unpack("!H", frame[14:16])[0] & 0x0FFF == vid:
                os.write(fd, frame[:12] + frame[16:])
                counts["to_host"] += 1
            else:
                counts["dropped"] += 1
        if fd in ready:
            frame = os.read(fd, 65536)
            if len(frame) >= 14:
                udp.sendto(frame[:12] + tag + frame[12:], qemu)
                counts["to_guest"] += 1
    print("vlan-switch: vid %d: %d frames to the host, %d to the guest, %d untagged/other dropped"
          % (vid, counts["to_host"], counts["to_guest"], counts["dropped"]), flush=True)


if __name__ == "__main__":
    main()
