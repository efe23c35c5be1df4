#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Checks mkibft and the parser against a real kernel: boots a Debian kernel in QEMU with
# an mkibft table as an ACPI table, and in the guest
#   1. runs ibft-netfiles on /sys with the raw ACPI table (no module loaded),
#   2. hides the ACPI tables, runs it again: it must load iscsi_ibft itself (libkmod
#      through dlopen) and read the kernel's sysfs view,
#   3. dumps /sys/firmware/ibft.
# On the host the same description goes through mkibft --sysfs. The kernel's sysfs must
# equal mkibft's byte for byte, and the models (printed by ibft-netfiles) and networkd
# files from the raw table and the sysfs view, in the guest and on the host, identical.
# Not part of `make check` (needs a kernel with modules, busybox, QEMU; ~10 s with TCG).
# Usage: make check TESTS= && tests/ibft/kernel-compare.sh [BUILDDIR]  (env: KVER, ACCEL)
set -eu

build=$(cd "${1:-.}" && pwd)
KVER=${KVER:-$(ls /lib/modules | while read -r v; do
        [ -e "/lib/modules/$v/kernel/drivers/firmware/iscsi_ibft.ko" ] && [ -e "/boot/vmlinuz-$v" ] && echo "$v"; done | tail -n1)}
[ -n "$KVER" ] || { echo "no kernel with iscsi_ibft.ko and /boot/vmlinuz, skipping"; exit 77; }
BUSYBOX=$(command -v busybox) || { echo "no busybox, skipping"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "no qemu, skipping"; exit 77; }
file -L "$BUSYBOX" | grep -q "statically linked" || { echo "busybox is not static, skipping"; exit 77; }

work=$(mktemp -d /tmp/ibft-kernel.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
root=$work/root

set -- -i iqn.2026-01.test:client \
        -n index=0,mac=52:54:00:12:34:56,ip=192.168.100.10/24,gw=192.168.100.1,dns=192.168.100.2,dns2=192.168.100.3,hostname=client1,pci=00:03.0 \
        -n index=1,mac=52:54:00:12:34:57,ip=2001:db8::10/64,gw=2001:db8::1,vlan=100,flags=1 \
        -n index=2,mac=52:54:00:12:34:58,dhcp,dhcp-server=10.0.2.2,ip=10.0.2.15/24,flags=1 \
        -t index=0,ip=192.168.100.1,lun=16,nic=0,name=iqn.2026-01.test:root,chap=mutual,chap-name=alice,chap-secret=s3cretpassw0rd,rchap-name=tgt,rchap-secret=t4rgetsecret \
        -t index=1,ip=2001:db8::1,port=3261,lun=255,nic=1,flags=1,name=iqn.2026-01.test:root2
"$build/mkibft" -o "$work/table" -s "$work/fake" "$@"
mkdir -p "$work/rawroot/firmware/acpi/tables"
cp "$work/table" "$work/rawroot/firmware/acpi/tables/iBFT"
"$build/ibft-netfiles" "$work/fake" "$work/host-sysfs" multipath > "$work/host-sysfs.model"
"$build/ibft-netfiles" "$work/rawroot" "$work/host-raw" multipath > "$work/host-raw.model"

# initramfs: busybox, ibft-netfiles with libc and libkmod, the modules it needs
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/run" "$root/tmp" "$root/lib/modules/$KVER"
cp "$BUSYBOX" "$root/bin/busybox"
cp "$build/ibft-netfiles" "$root/bin/"
for lib in $(ldd "$build/ibft-netfiles" /lib/x86_64-linux-gnu/libkmod.so.2 | awk '/=>/ { print $3 } /ld-linux/ { print $1 }' | sort -u) \
           /lib/x86_64-linux-gnu/libkmod.so.2; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
done
cp /lib/modules/"$KVER"/modules.* "$root/lib/modules/$KVER/"
mods=$(for m in virtio_pci virtio_net iscsi_ibft; do modprobe -S "$KVER" --show-depends "$m"; done | awk '{ print $2 }' | sed 's|^//|/|')
for m in $mods; do
        mkdir -p "$root$(dirname "$m")"
        cp "$m" "$root$m"
done
{
        echo '#!/bin/busybox sh'
        echo '/bin/busybox --install -s /bin'
        echo 'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t tmpfs tmpfs /run; mount -t tmpfs tmpfs /tmp'
        # the NIC drivers only (iscsi_ibft must be left to ibft-netfiles)
        for m in $mods; do case $m in *iscsi*) ;; *) echo "insmod $m" ;; esac; done
        cat <<'GUEST'
dump() { for f in "$1"/*; do echo "@@FILE $2/${f##*/}"; cat "$f"; done; }
[ -e /sys/firmware/acpi/tables/iBFT ] || echo "@@FAIL no ACPI iBFT"
/bin/ibft-netfiles /sys /tmp/raw multipath > /tmp/raw.model || echo "@@FAIL raw"
grep -q iscsi_ibft /proc/modules && echo "@@FAIL module loaded too early"
mount -t tmpfs tmpfs /sys/firmware/acpi/tables
/bin/ibft-netfiles /sys /tmp/mod multipath > /tmp/mod.model || echo "@@FAIL module path"
grep -q iscsi_ibft /proc/modules || echo "@@FAIL iscsi_ibft not loaded"
dump /tmp/raw guest-raw
dump /tmp/mod guest-mod
for f in /tmp/*.model; do echo "@@FILE models/${f##*/}"; cat "$f"; done
cd /sys/firmware/ibft && for f in $(find . -type f | sort); do echo "@@FILE sysfs/$f"; od -An -c "$f"; done
echo "@@DONE"
poweroff -f
GUEST
} > "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"

timeout 300 qemu-system-x86_64 -machine accel="${ACCEL:-tcg}" -m 512 -nographic -no-reboot \
        -kernel "/boot/vmlinuz-$KVER" -initrd "$work/initrd.gz" \
        -append "console=ttyS0 rdinit=/init panic=-1 quiet" \
        -acpitable file="$work/table" \
        -netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56,addr=03.0,romfile= \
        </dev/null >"$work/console" 2>&1 || :
tr -d '\r' < "$work/console" > "$work/out"
grep -q "^@@DONE" "$work/out" || { tail -40 "$work/out"; echo "FAIL: guest did not finish"; exit 1; }
if grep "^@@FAIL" "$work/out"; then exit 1; fi

# split the console into files (sysfs as od -c, so that missing newlines show)
awk -v dir="$work/guest" '
/^@@FILE / { file = dir "/" substr($0, 8); d = file; sub(/\/[^\/]*$/, "", d); system("mkdir -p \"" d "\""); printf "" > file; next }
/^@@/ { if (file) close(file); file = ""; next }
file { print > file }' "$work/out"
(cd "$work/fake/firmware/ibft" && for f in $(find . -type f | sort); do echo "== $f"; "$BUSYBOX" od -An -c "$f"; done) > "$work/fake.txt"
(cd "$work/guest/sysfs" && for f in $(find . -type f | sort); do echo "== $f"; cat "$f"; done) > "$work/kernel.txt"

status=0
diff -u "$work/kernel.txt" "$work/fake.txt" || { echo "FAIL: kernel sysfs differs from mkibft --sysfs"; status=1; }
for d in guest-raw guest-mod; do
        diff -ru "$work/host-raw" "$work/guest/$d" || { echo "FAIL: $d network files differ"; status=1; }
done
diff -ru "$work/host-raw" "$work/host-sysfs" || { echo "FAIL: host raw vs sysfs network files differ"; status=1; }
grep -q "^session ibft-1 .*lun=255" "$work/host-raw.model" || { echo "FAIL: no model printed"; status=1; }
for m in "$work/host-sysfs.model" "$work/guest/models/raw.model" "$work/guest/models/mod.model"; do
        diff -u "$work/host-raw.model" "$m" || { echo "FAIL: model from $m differs"; status=1; }
done
[ $status = 0 ] && echo "kernel $KVER: sysfs view identical to mkibft's; raw, module-loaded and fake parses agree ($(ls "$work/host-raw" | wc -l) files)"
exit $status
