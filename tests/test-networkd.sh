#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The networkd files written for iBFT NICs, applied by the real systemd-networkd in a
# private network and mount namespace: no offline verifier exists for .network/.netdev
# files (systemd-analyze verify covers units only), so run the daemon itself.
# Tables come from ./mkibft; files from ./ibft-netfiles (the load + write path of
# sd-iscsi prepare). Skips (77) without root, unshare or systemd-networkd.
set -eu

NETWORKD=${NETWORKD:-/lib/systemd/systemd-networkd}
[ "$(id -u)" = 0 ] || { echo "not root, skipping"; exit 77; }
[ -x "$NETWORKD" ] || { echo "no $NETWORKD, skipping"; exit 77; }
command -v unshare >/dev/null && command -v ip >/dev/null || { echo "no unshare/ip, skipping"; exit 77; }
unshare -m -n true 2>/dev/null || { echo "cannot create namespaces, skipping"; exit 77; }

top=$(pwd)
work=$(mktemp -d /tmp/test-networkd.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# NIC 0 static IPv4 (boot), NIC 1 VLAN 100, NIC 2 static IPv6, NIC 3 DHCP.
"$top/mkibft" -o "$work/table" -i iqn.2026-01.test:client \
        -n index=0,mac=52:54:00:12:34:56,ip=192.168.100.10/24,gw=192.168.100.1,dns=192.168.100.2 \
        -n index=1,mac=52:54:00:12:34:57,ip=192.168.5.2/24,vlan=100,flags=1 \
        -n index=2,mac=52:54:00:12:34:58,ip=2001:db8::10/64,gw=2001:db8::1,flags=1 \
        -n index=3,mac=52:54:00:12:34:59,dhcp,hostname=client1,flags=1 \
        -t ip=192.168.100.1,nic=0,name=iqn.2026-01.test:root
mkdir -p "$work/sys/firmware/acpi/tables" "$work/network"
cp "$work/table" "$work/sys/firmware/acpi/tables/iBFT"
"$top/ibft-netfiles" "$work/sys" "$work/network" multipath
ls "$work/network"
[ "$(ls "$work/network" | wc -l)" = 6 ]

# What systemd-network-generator writes for ip= (systemd 252: 90-<ifname>.network,
# 91-default.network; ip=ibft makes a DHCP=no default for every link): the firmware's
# files must win for the firmware's NICs.
NETWORK_GENERATOR=${NETWORK_GENERATOR:-/lib/systemd/systemd-network-generator}
if [ -x "$NETWORK_GENERATOR" ]; then
        "$NETWORK_GENERATOR" --root="$work/ng" -- ip=a0:dhcp ip=ibft
        cp "$work/ng/run/systemd/network/"* "$work/network/"
else
        printf '[Match]\nName=a0\n\n[Network]\nDHCP=yes\n' > "$work/network/90-a0.network"
fi
ls "$work/network"

unshare -m -n --propagation private sh -eu -c '
work=$1 networkd=$2
mount -t tmpfs tmpfs /run
# read-only sysfs tells networkd there is no udev to wait for
mount -t sysfs -o ro sysfs /sys
mkdir -p /run/systemd/network /etc/systemd/network
mount -t tmpfs tmpfs /etc/systemd/network
cp "$work"/network/* /run/systemd/network/
ip link set lo up
ip link add name vprobe type veth peer name vprobe1
if ip link add link vprobe name vprobe.5 type vlan id 5 2>/dev/null; then
        touch "$work/vlan-ok"
        ip link del vprobe.5
fi
ip link del vprobe
for i in a:56 b:57 c:58 d:59; do
        n=${i%:*}
        ip link add ${n}0 address 52:54:00:12:34:${i#*:} type veth peer name ${n}1
        ip link set ${n}1 up
done
SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console "$networkd" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 50); do
        ip -6 addr show dev c0 2>/dev/null | grep -q "2001:db8::10/64" &&
        { [ ! -e "$work/vlan-ok" ] || ip addr show dev ibft1.100 2>/dev/null | grep -q "192.168.5.2/24"; } &&
        ip addr show dev a0 | grep -q "192.168.100.10/24" && break
        sleep 0.2
done
ip -d addr > "$work/addr"
ip route > "$work/route4"
ip -6 route > "$work/route6"
kill $pid
wait $pid || :
ip addr show dev a0 > "$work/addr-after-stop"
' sh "$work" "$NETWORKD"

fail() { echo "FAIL: $*"; echo "--- addresses"; cat "$work/addr"; echo "--- networkd log (ours)"; grep -E "sd-iscsi|a0|b0|c0|d0|ibft1" "$work/log" | head -80; exit 1; }

# networkd parsed our files without complaint
if grep -E "50-sd-iscsi.*(Unknown|ignoring|Failed|invalid|not valid)" "$work/log"; then
        fail "networkd complained about a generated file"
fi
for l in a0:0 b0:1 c0:2 d0:3; do
        grep -q "${l%:*}: found matching network '/run/systemd/network/50-sd-iscsi-ibft${l#*:}.network'" "$work/log" ||
                fail "firmware file did not win for ${l%:*}"
done
grep -A3 ": a0@a1:" "$work/addr" | grep -q "inet 192.168.100.10/24" || fail "a0 has no static address"
grep -q "default via 192.168.100.1 dev a0" "$work/route4" || fail "no IPv4 default route"
grep -A3 ": b0@b1:" "$work/addr" | grep -q "inet " && fail "VLAN parent got an address"
grep -q "ibft1.100: Using MAC address: 52:54:00:12:34:57" "$work/log" || fail "VLAN netdev not loaded"
if [ -e "$work/vlan-ok" ]; then
        grep -A4 ": ibft1.100@b0:" "$work/addr" | grep -q "vlan protocol 802.1Q id 100" || fail "no VLAN 100 on b0"
        grep -A4 ": ibft1.100@b0:" "$work/addr" | grep -q "link/ether 52:54:00:12:34:57" || fail "VLAN does not carry the NIC MAC"
        grep -A6 ": ibft1.100@b0:" "$work/addr" | grep -q "inet 192.168.5.2/24" || fail "VLAN has no address"
else
        echo "NOTE: this kernel has no 802.1Q support; VLAN files checked as far as networkd's attempt to create the device"
        grep -q "b0: Could not create stacked netdev: Unknown device type" "$work/log" || fail "VLAN creation not attempted"
fi
grep -A6 ": c0@c1:" "$work/addr" | grep -q "inet6 2001:db8::10/64" || fail "c0 has no IPv6 address"
grep -q "default via 2001:db8::1 dev c0" "$work/route6" || fail "no IPv6 default route"
grep -q "inet 192.168.100.10/24" "$work/addr-after-stop" || fail "address dropped when networkd stopped"
echo "networkd applied all iBFT network files"
