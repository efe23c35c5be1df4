# shellcheck shell=bash disable=SC2034
# (Its globals are read by the scripts that source it.)
# Library of the VM end-to-end suite: a private network namespace with a
# bridge and a tap, tgtd and udhcpd inside it, cached initramfs and root
# images, and QEMU (TCG) boots judged by markers on the serial console.
# Sourced by tests/vm/run and tests/vm/demo (and the iBFT and fault suites).
#
# Everything started here is recorded and stopped by PID in vm_cleanup,
# which the caller installs as its EXIT trap (vm_setup does it).

VM_DIR=${VM_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
VM_TOP=${VM_TOP:-$(cd "$VM_DIR/../.." && pwd)}
VM_CACHE=${VM_CACHE:-$VM_DIR/cache}
VM_KVER=${VM_KVER:-}
VM_KERNEL=
VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-300}
VM_VERBOSE=${VM_VERBOSE:-0}
# One vCPU. With two, multi-threaded TCG lets one vCPU run code the other is
# live-patching (static keys, alternatives): twice in ~120 boots the guest kernel
# died in its own text ("Oops: int3" at 2 s; RIP inside a jmp in __alloc_skb at
# 15 s), which no program of ours had a part in. One vCPU costs ~15 % wall time
# (4 boots: 110.9 s with -smp 2, 127.7 s with -smp 1, 147.5 s with thread=single).
# VM_QEMU_CPU overrides it (e.g. "-accel tcg -smp 2").
VM_QEMU_CPU_DEFAULT="-accel tcg -smp 1"

# The private network: nothing here is routed outside the namespace.
VM_NET4=192.168.100
VM_HOST4=$VM_NET4.1
VM_GUEST4=$VM_NET4.10
VM_NET6=fd00:5d15:150
VM_HOST6=$VM_NET6::1
VM_GUEST6=$VM_NET6::10
VM_MAC=52:54:00:5d:15:10
VM_PORT=3260
VM_IQN_BASE=iqn.2026-11.test.sd-iscsi
VM_INITIATOR=$VM_IQN_BASE:initiator
VM_ROOT_LABEL=sdiscsiroot
VM_DATA_LABEL=sdiscsidata

VM_NS='' VM_RUN='' VM_TGT_PORT='' VM_TGTD_PID='' VM_DHCP_PID=''
VM_QEMU_PIDS=()

vm_log() { printf 'vm: %s\n' "$*" >&2; }
vm_debug() { ((VM_VERBOSE)) && printf 'vm: %s\n' "$*" >&2; return 0; }
vm_die() { printf 'vm: error: %s\n' "$*" >&2; exit 1; }
vm_ns() { ip netns exec "$VM_NS" "$@"; }
# Background jobs are started with "ip netns exec" directly, never through a
# function: ip execs the program, so $! is the daemon's own PID.

# Seconds since the epoch with fractions, for timings measured on the host.
vm_now() { date +%s.%N; }
vm_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# The stack (tests/stack.sh) whose kernel boots and whose builders make the images;
# VM_BUILDER the image builder of the sd-iscsi images.
VM_STACK=${VM_STACK:-debian12}
VM_BUILDER=${VM_BUILDER:-dracut}
# shellcheck source=tests/stack.sh
. "$VM_TOP/tests/stack.sh"

# vm_use_stack STACK: prepares STACK (once per run) and boots its kernel from now on.
vm_use_stack() {
        VM_STACK=$1
        STACK_CACHE=$VM_CACHE
        stack_prepare "$VM_STACK" "$VM_BUILDDIR" "$VM_RUN/$VM_STACK" || return 1
        VM_KVER=$STACK_KVER VM_KERNEL=$STACK_KERNEL
        VM_DEBIAN_IMG=''
        vm_log "$STACK_VERSIONS"
}

# ---------------------------------------------------------------- lifecycle

vm_setup() {
        [[ $(id -u) == 0 ]] || vm_die "must run as root (namespaces, tgtd, QEMU taps)"
        local p
        for p in qemu-system-x86_64 tgtd tgtadm ip mke2fs dracut busybox; do
                command -v "$p" >/dev/null || vm_die "missing $p (tools/deps.sh lists the packages)"
        done
        # ldd fails on a static executable (file(1) may not be installed).
        if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
                vm_die "/bin/busybox is not static (install busybox-static)"
        fi
        mkdir -p "$VM_CACHE"
        VM_RUN=$(mktemp -d /var/tmp/sd-iscsi-vm.XXXXXX)
        if [[ -z ${VM_OUT:-} ]]; then
                VM_OUT=$VM_DIR/out/$(date +%Y%m%d-%H%M%S)
                # Console logs of the last ten runs are kept.
                find "$VM_DIR/out" -mindepth 1 -maxdepth 1 -type d -name '20*' 2>/dev/null |
                        sort | head -n -9 | while read -r d; do rm -rf "$d"; done
        fi
        mkdir -p "$VM_OUT"
        trap vm_cleanup EXIT
        trap 'vm_log "interrupted"; exit 130' INT TERM HUP
        VM_NS=sdivm-$$
        # tgtd's management socket lives in /var/run/tgtd: a port of our own
        # keeps us off any tgtd the machine (or another test) runs.
        VM_TGT_PORT=$((4000 + $$ % 4000))
        vm_use_stack "$VM_STACK" || vm_die "cannot prepare the $VM_STACK stack"
}

vm_cleanup() {
        local rc=$? pid
        trap - EXIT INT TERM HUP
        for pid in "${VM_QEMU_PIDS[@]}"; do
                vm_stop_pid "$pid" 5
        done
        VM_QEMU_PIDS=()
        vm_dhcp_stop
        vm_target_stop
        # A LIO target guest (scenarios-lio.sh), maybe restarted by a hook.
        declare -F vm_lio_stop >/dev/null && vm_lio_stop
        if [[ -n $VM_NS ]] && ip netns list | grep -qw "$VM_NS"; then
                ip netns delete "$VM_NS" 2>/dev/null || true
        fi
        if [[ -n $VM_RUN && -d $VM_RUN ]]; then
                if [[ ${VM_KEEP_RUN:-0} == 1 ]]; then vm_log "kept $VM_RUN"; else rm -rf "$VM_RUN"; fi
        fi
        exit "$rc"
}

# vm_wait_exit PID: up to 3 s for PID to end by itself.
vm_wait_exit() {
        local i
        for ((i = 0; i < 30; i++)); do
                kill -0 "$1" 2>/dev/null || return 0
                sleep 0.1
        done
}

# vm_stop_pid PID GRACE: TERM, wait up to GRACE seconds, then KILL.
vm_stop_pid() {
        local pid=$1 grace=${2:-5} i
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < grace * 10; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        return 0
}

# ---------------------------------------------------------------- network

# A bridge (the host side of the guest's wire) with a tap for each QEMU NIC.
vm_net_up() {
        ip netns add "$VM_NS"
        vm_ns ip link set lo up
        vm_ns ip link add br0 type bridge
        vm_ns ip link set br0 up
        vm_ns ip addr add "$VM_HOST4/24" dev br0
        # nodad: the address must be usable before any port has a carrier.
        vm_ns ip addr add "$VM_HOST6/64" dev br0 nodad
        vm_tap_add tap0
}

vm_tap_add() {
        vm_ns ip tuntap add "$1" mode tap
        vm_ns ip link set "$1" master br0
        vm_ns ip link set "$1" up
}

# vm_dhcp_start [OPTION LINE…]: busybox udhcpd on the bridge.
vm_dhcp_start() {
        local conf=$VM_RUN/udhcpd.conf l
        vm_dhcp_stop
        {
                echo "interface br0"
                echo "start $VM_NET4.50"
                echo "end $VM_NET4.59"
                echo "max_leases 10"
                echo "lease_file $VM_RUN/udhcpd.leases"
                echo "pidfile $VM_RUN/udhcpd.pid"
                echo "option subnet 255.255.255.0"
                echo "option router $VM_HOST4"
                echo "option lease 3600"
                for l in "$@"; do echo "$l"; done
        } >"$conf"
        : >"$VM_RUN/udhcpd.leases"
        ip netns exec "$VM_NS" udhcpd -f "$conf" >"$VM_RUN/udhcpd.log" 2>&1 &
        VM_DHCP_PID=$!
}

vm_dhcp_stop() {
        [[ -n $VM_DHCP_PID ]] || return 0
        vm_stop_pid "$VM_DHCP_PID" 3
        VM_DHCP_PID=
}

# ---------------------------------------------------------------- target

vm_tgtadm() { vm_ns tgtadm -C "$VM_TGT_PORT" --lld iscsi "$@"; }

vm_target_start() {
        local i
        ip netns exec "$VM_NS" tgtd -f -C "$VM_TGT_PORT" --iscsi "portal=$VM_HOST4:$VM_PORT" \
                >"$VM_RUN/tgtd.log" 2>&1 &
        VM_TGTD_PID=$!
        # Not a job of this shell: a crash injected by a hook (vm_target_crash) must
        # not be announced on the run's output.
        disown "$VM_TGTD_PID"
        for ((i = 0; i < 100; i++)); do
                vm_tgtadm --op show --mode sys >/dev/null 2>&1 && break
                kill -0 "$VM_TGTD_PID" 2>/dev/null || { cat "$VM_RUN/tgtd.log" >&2; vm_die "tgtd exited"; }
                sleep 0.1
        done
        ((i < 100)) || vm_die "tgtd does not answer on control port $VM_TGT_PORT"
        vm_tgtadm --op new --mode portal --param "portal=[$VM_HOST6]:$VM_PORT" >/dev/null ||
                vm_die "tgtd: cannot add the IPv6 portal"
}

# tgtd ignores SIGTERM while a target exists: delete them first.
vm_target_stop() {
        vm_target_adopt
        [[ -n $VM_TGTD_PID ]] || return 0
        if kill -0 "$VM_TGTD_PID" 2>/dev/null; then
                vm_target_clear
                vm_tgtadm --op delete --mode system >/dev/null 2>&1 || true
        fi
        vm_stop_pid "$VM_TGTD_PID" 5
        rm -f "/var/run/tgtd/socket.$VM_TGT_PORT" "/var/run/tgtd/socket.$VM_TGT_PORT.lock"
        VM_TGTD_PID=
}

# vm_target_crash: tgtd dies as in a crash (SIGKILL: its connections are reset, nothing
# is logged out). vm_target_start brings up a new one, which a hook (a subshell) hands
# to the main shell through tgtd.pid; vm_target_adopt takes it over there.
vm_target_crash() {
        kill -KILL "$VM_TGTD_PID" 2>/dev/null
        rm -f "/var/run/tgtd/socket.$VM_TGT_PORT" "/var/run/tgtd/socket.$VM_TGT_PORT.lock"
}

vm_target_adopt() {
        local pid
        [[ -s $VM_RUN/tgtd.pid ]] || return 0
        pid=$(<"$VM_RUN/tgtd.pid")
        rm -f "$VM_RUN/tgtd.pid"
        [[ $pid == "$VM_TGTD_PID" ]] && return 0
        [[ -n $VM_TGTD_PID ]] && kill -KILL "$VM_TGTD_PID" 2>/dev/null
        VM_TGTD_PID=$pid
}

vm_target_tids() {
        vm_tgtadm --op show --mode target 2>/dev/null | sed -n 's/^Target \([0-9]*\): .*/\1/p'
}

# Remove every target and account (between scenarios).
vm_target_clear() {
        local tid u
        for tid in $(vm_target_tids); do
                vm_tgtadm --op delete --mode target --tid "$tid" --force >/dev/null 2>&1 || true
        done
        for u in $(vm_tgtadm --op show --mode account 2>/dev/null | sed -n '2,$p'); do
                vm_tgtadm --op delete --mode account --user "$u" >/dev/null 2>&1 || true
        done
}

# vm_target_add TID IQN LUN BACKING: a target open to any initiator, the
# disk on LUN (≥ 1; LUN 0 is tgt's controller).
vm_target_add() {
        local tid=$1 iqn=$2 lun=$3 file=$4
        vm_tgtadm --op new --mode target --tid "$tid" --targetname "$iqn"
        vm_tgtadm --op new --mode logicalunit --tid "$tid" --lun "$lun" --backing-store "$file"
        vm_tgtadm --op bind --mode target --tid "$tid" --initiator-address ALL
}

# vm_target_chap TID USER PASS [MUTUAL_USER MUTUAL_PASS]: the initiator must
# authenticate as USER; with a mutual pair the target answers as that user.
vm_target_chap() {
        local tid=$1
        vm_tgtadm --op new --mode account --user "$2" --password "$3"
        vm_tgtadm --op bind --mode account --tid "$tid" --user "$2"
        if [[ -n ${4:-} ]]; then
                vm_tgtadm --op new --mode account --user "$4" --password "$5"
                vm_tgtadm --op bind --mode account --tid "$tid" --user "$4" --outgoing
        fi
}

# ---------------------------------------------------------------- images

# vm_key FILE|STRING…: a short hash over the inputs of a cached image.
vm_key() {
        local a
        for a in "$@"; do
                if [[ -d $a ]]; then
                        (cd "$a" && find . -type f -o -type l | LC_ALL=C sort | while read -r f; do
                                echo "$f"; if [[ -L $f ]]; then readlink "$f"; else sha256sum <"$f"; fi
                        done)
                elif [[ -f $a ]]; then
                        echo "$a"; sha256sum <"$a"
                else
                        echo "$a"
                fi
        done | sha256sum | cut -c1-16
}

vm_pkgver() { dpkg-query -W -f='${Package}=${Version} ' "$@" 2>/dev/null; }

# vm_cached NAME KEY BUILDFN [ARGS…]: sets VM_CACHED to the cached artefact,
# built by BUILDFN OUT ARGS… when missing (older versions of NAME are
# removed). Returns 1, with the build log's tail on stderr, when it fails.
vm_cached() {
        local name=$1 key=$2 fn=$3 out t0
        shift 3
        out=$VM_CACHE/$name-$key
        VM_CACHED=
        if [[ ! -s $out ]]; then
                t0=$(vm_now)
                rm -f "$VM_CACHE/$name"-*
                if ! "$fn" "$out.tmp" "$@" >"$VM_CACHE/$name.log" 2>&1; then
                        tail -30 "$VM_CACHE/$name.log" >&2
                        rm -f "$out.tmp"
                        vm_log "building $name failed (log: $VM_CACHE/$name.log)"
                        return 1
                fi
                mv "$out.tmp" "$out"
                vm_log "built $name in $(vm_elapsed "$t0" "$(vm_now)") s"
        fi
        VM_CACHED=$out
}

# The root file system: busybox and an init that reports and powers off.
vm_build_root() {
        local out=$1 label=$2 d
        d=$(mktemp -d "$VM_RUN/root.XXXXXX")
        mkdir -p "$d"/{bin,sbin,dev,etc,proc,sys,run,tmp,mnt,sysroot}
        # systemd refuses to switch into a tree without an os-release.
        printf 'ID=sd-iscsi-test\nNAME="sd-iscsi test root"\n' >"$d/etc/os-release"
        cp /bin/busybox "$d/bin/busybox"
        ln -s busybox "$d/bin/sh"
        install -m 0755 "$VM_DIR/root/init" "$d/sbin/init"
        mke2fs -q -t ext4 -L "$label" -d "$d" "$out" 32M
}

# vm_root_image LABEL: sets VM_CACHED.
vm_root_image() {
        local label=${1:-$VM_ROOT_LABEL}
        vm_cached "root-$label" "$(vm_key "$VM_DIR/root/init" /bin/busybox)" \
                vm_build_root "$label"
}

# Test-only units for every test image: kmsg marks for timings, the secret
# audit (CHAP scenarios) and the failed-login report on emergency.
vm_test_overlay() {
        local d=$VM_RUN/overlay
        if [[ ! -d $d ]]; then
                mkdir -p "$d/etc/systemd/system"/{sysinit.target.wants,initrd.target.wants,emergency.target.wants}
                mkdir -p "$d/usr/lib/sd-iscsi-test"
                cp "$VM_DIR"/units/*.service "$d/etc/systemd/system/"
                install -m 0755 "$VM_DIR"/units/sdi-test-* "$d/usr/lib/sd-iscsi-test/" 2>/dev/null
                rm -f "$d"/usr/lib/sd-iscsi-test/*.service
                ln -s ../sdi-test-netmark.service "$d/etc/systemd/system/sysinit.target.wants/"
                ln -s ../sdi-test-audit.service "$d/etc/systemd/system/initrd.target.wants/"
                ln -s ../sdi-test-report.service "$d/etc/systemd/system/initrd.target.wants/"
                ln -s ../sdi-test-emergency.service "$d/etc/systemd/system/emergency.target.wants/"
        fi
        echo "$d"
}

# No kernel-modules (every storage driver: 3 min, 51 MB); the few this VM
# needs come with --add-drivers. (kernel-network-modules stays: dracut's
# network modules depend on it.)
VM_DRACUT_COMMON=(--force --no-hostonly --no-hostonly-cmdline --no-early-microcode --no-compress
        --reproducible --nofscks --omit kernel-modules)
VM_DRACUT_BASE="base systemd systemd-initrd dracut-systemd fs-lib rootfs-block udev-rules"
VM_DRACUT_DRIVERS="virtio_pci virtio_net ext4 sd_mod iscsi_tcp"
# bash: the test units are bash scripts, and dracut-ng leaves bash out unless asked.
VM_DRACUT_TOOLS="bash ip grep journalctl systemctl find stat tr cut"

# A multipath root (VM_SDI_MPATH): dracut's multipath module, and on this machine the
# test's multipath.conf (tests/vm/multipath/), which it does not have (a stack's root
# gets the file in its /etc for the build).
VM_DRACUT_MPATH=(--add multipath --add-drivers "dm_multipath dm_round_robin")
VM_DRACUT_MPATH_CONF=(--include "$VM_DIR/multipath/multipath.conf" /etc/multipath.conf)

# vm_stack_dracut OUT DRACUT-ARG…: the stack's dracut makes OUT for the stack's kernel,
# with the test overlay. In the Debian 13 root the overlay, drop-ins and the image pass
# through its /usr/src.
vm_stack_dracut() {
        local out=$1 ov
        shift
        ov=$(vm_test_overlay)
        if [[ -z $STACK_ROOT ]]; then
                dracut "${VM_DRACUT_COMMON[@]}" --include "$ov" / "$@" "$out" "$VM_KVER"
                return
        fi
        rm -rf "$STACK_ROOT/usr/src/sdi-test-overlay" "$STACK_ROOT/usr/src/sdi-image"
        cp -a "$ov" "$STACK_ROOT/usr/src/sdi-test-overlay"
        stack_exec env ${VM_SDI_TPM2:+sd_iscsi_tpm2=yes} \
                dracut "${VM_DRACUT_COMMON[@]}" --include /usr/src/sdi-test-overlay / "$@" \
                /usr/src/sdi-image "$VM_KVER" && mv "$STACK_ROOT/usr/src/sdi-image" "$out"
}

# The incumbent, for comparison: the stack's dracut with its own iscsi module over
# network-legacy, with Debian's iscsid check script cleared (dracut issue 2498).
vm_build_peer() {
        local out=$1 dropin=/usr/src/sdi-peer-dropin
        mkdir -p "${STACK_ROOT:-$VM_RUN}$dropin"
        printf '[Service]\nExecStartPre=\n' >"${STACK_ROOT:-$VM_RUN}$dropin/10-no-startup-checks.conf"
        [[ -z $STACK_ROOT ]] && dropin=$VM_RUN$dropin
        vm_stack_dracut "$out" -m "$VM_DRACUT_BASE network-legacy iscsi" \
                --add-drivers "$VM_DRACUT_DRIVERS" --install "$VM_DRACUT_TOOLS" \
                --include "$dropin" /etc/systemd/system/iscsid.service.d
}

# Sets VM_CACHED.
vm_peer_image() {
        vm_cached "peer-$VM_STACK" "$(vm_key "$VM_KVER" \
                "$(stack_pkgver "$STACK_ROOT" dracut-core dracut-network open-iscsi systemd)" \
                "$VM_DIR/lib.sh" "$VM_DIR/units")" vm_build_peer
}

# ---------------------------------------------------------------- boots

# vm_qmp COMMAND-JSON…: sends QMP commands to the running guest's QEMU.
vm_qmp() {
        python3 - "$VM_RUN/qmp.sock" "$@" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.readline()
for cmd in ['{"execute": "qmp_capabilities"}'] + sys.argv[2:]:
    f.write(cmd + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            break
    if "error" in r:
        sys.exit("qmp: %s: %s" % (cmd, r["error"]))
EOF
}

# vm_wait_result PID T0: waits for the boot's end on the console (root or emergency
# marker, halt or panic, QEMU gone, or the time limit) into VM_RESULT; VM_WALL for the
# markers.
vm_wait_result() {
        local pid=$1 t0=$2 deadline=$((SECONDS + ${VM_BOOT_LIMIT:-$VM_BOOT_TIMEOUT}))

        while ((SECONDS < deadline)); do
                if grep -qa 'SDI-ROOT-OK' "$VM_CONSOLE"; then
                        VM_RESULT=root; break
                elif grep -qa 'SDI-EMERGENCY uptime' "$VM_CONSOLE"; then
                        VM_RESULT=emergency; break
                elif grep -qaE 'reboot: (System halted|Power down)|Kernel panic - not syncing' "$VM_CONSOLE"; then
                        # The marker may have landed between the greps above and this one.
                        if grep -qa 'SDI-ROOT-OK' "$VM_CONSOLE"; then VM_RESULT=root
                        elif grep -qa 'SDI-EMERGENCY uptime' "$VM_CONSOLE"; then VM_RESULT=emergency
                        else VM_RESULT=halt; fi
                        break
                elif ! kill -0 "$pid" 2>/dev/null; then
                        VM_RESULT='exit'; break
                fi
                sleep 0.2
        done
        [[ $VM_RESULT == root || $VM_RESULT == emergency ]] && VM_WALL=$(vm_elapsed "$t0" "$(vm_now)")
        return 0
}

# vm_boot NAME INITRD|- CMDLINE [QEMU ARG…]: boots until a terminal marker
# (SDI-ROOT-OK, SDI-EMERGENCY), a halt or panic appears, QEMU exits or the
# hard timeout hits. Sets VM_CONSOLE (the log), VM_RESULT
# (root|emergency|halt|exit|timeout) and
# VM_WALL (seconds from QEMU start to the terminal marker).
vm_boot() {
        local tries=0
        while :; do
                vm_boot_once "$@"
                # QEMU's emulation (TCG) can fault the kernel itself before any program runs
                # (seen once in ~60 boots: "Oops: int3" in sched_clock_idle_wakeup_event at
                # 2 s, then "Kernel panic"). Nothing of ours has run then: the boot is done
                # again, once, saying so, with the faulted console kept beside the new one.
                if [[ $VM_RESULT == halt ]] && ((tries++ == 0)) && grep -qa 'Kernel panic' "$VM_CONSOLE" &&
                        ! grep -qaE 'Run .* as init process' "$VM_CONSOLE"; then
                        mv "$VM_CONSOLE" "$VM_CONSOLE.fault"
                        echo "vm: the kernel panicked before /init ran (an emulation fault), booting again; the first console: $VM_CONSOLE.fault" >&2
                        continue
                fi
                return 0
        done
}

vm_boot_once() {
        local name=$1 initrd=$2 cmdline=$3 t0 pid
        shift 3
        # Boots on another stack or builder than the default keep logs of their own.
        [[ $VM_STACK/$VM_BUILDER == debian12/dracut ]] || name=$VM_STACK-$VM_BUILDER-$name
        VM_CONSOLE=$VM_OUT/$name.console
        : >"$VM_CONSOLE"
        VM_RESULT=timeout VM_WALL=
        # INITRD "-": firmware boots (iPXE, -boot n) without -kernel.
        # no_timer_check: on a loaded host, TCG can fail the kernel's IO-APIC timer check
        # ("IO-APIC + timer doesn't work!") and panic before anything of ours runs.
        local direct=()
        [[ $initrd == - ]] || direct=(-kernel "$VM_KERNEL" -initrd "$initrd"
                -append "console=ttyS0,115200 net.ifnames=0 panic=-1 no_timer_check $cmdline${VM_EXTRA_CMDLINE:+ $VM_EXTRA_CMDLINE}")
        rm -f "$VM_RUN/qmp.sock"
        t0=$(vm_now)
        ip netns exec "$VM_NS" qemu-system-x86_64 ${VM_QEMU_CPU:-$VM_QEMU_CPU_DEFAULT} -m 1024 -no-reboot \
                -display none -monitor none -serial "file:$VM_CONSOLE" \
                -qmp "unix:$VM_RUN/qmp.sock,server=on,wait=off" \
                "${direct[@]}" \
                -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
                -device "virtio-net-pci,netdev=n0,mac=$VM_MAC" \
                "$@" >"$VM_OUT/$name.qemu" 2>&1 &
        pid=$!
        VM_QEMU_PIDS+=("$pid")
        # A scenario's hook runs alongside the boot (start a late target, cut
        # the link through $VM_RUN/qmp.sock …) and is stopped with it.
        local hookpid=
        if [[ -n ${VM_BOOT_HOOK:-} ]]; then
                "$VM_BOOT_HOOK" "$pid" &
                hookpid=$!
                VM_QEMU_PIDS+=("$hookpid")
        fi
        # The demo follows the console live, through a filter.
        local tailpid=
        if [[ -n ${VM_STREAM_FILTER:-} ]]; then
                # tail ends with QEMU, and the filter with it.
                tail -n +1 -f --pid="$pid" "$VM_CONSOLE" 2>/dev/null |
                        sed -u -E 's/\x1b\[[0-9;]*[A-Za-z]//g; s/\r//g' | grep --line-buffered -aE "$VM_STREAM_FILTER" &
                tailpid=$!
                VM_QEMU_PIDS+=("$tailpid")
        fi
        vm_wait_result "$pid" "$t0"
        # Let the guest finish its report and power off, then make sure.
        vm_wait_exit "$pid"
        vm_stop_pid "$pid" 2
        [[ -n $hookpid ]] && vm_stop_pid "$hookpid" 2
        if [[ -n $tailpid ]]; then
                vm_wait_exit "$tailpid"
                vm_stop_pid "$tailpid" 1
        fi
        local p keep=()
        for p in "${VM_QEMU_PIDS[@]}"; do
                [[ $p == "$pid" || $p == "$tailpid" || $p == "$hookpid" ]] || keep+=("$p")
        done
        VM_QEMU_PIDS=("${keep[@]}")
}

# vm_kmsg_time PATTERN [last]: the kernel timestamp of the first (or last)
# console line matching PATTERN.
vm_kmsg_time() {
        local sel='head'
        [[ ${2:-} == last ]] && sel='tail'
        sed -nE "s/.*\[ *([0-9]+\.[0-9]+)\] .*$1.*/\1/p" "$VM_CONSOLE" | $sel -1
}

# Timings of the last boot: network configured (first global address, from
# the test netmark unit) → login done (the last SCSI disk attached before
# the root took over), and the guest's uptime at the root marker.
vm_timings() {
        local tnet tdisk
        tnet=$(vm_kmsg_time 'sdi-test: network configured')
        tdisk=$(vm_kmsg_time 'Attached SCSI disk' last)
        VM_T_NET=${tnet:-'?'} VM_T_DISK=${tdisk:-'?'} VM_T_LOGIN='?'
        [[ -n $tnet && -n $tdisk ]] && VM_T_LOGIN=$(awk -v a="$tnet" -v b="$tdisk" 'BEGIN { printf "%.1f", b - a }')
        VM_T_UPTIME=$(grep -aoE 'SDI-(ROOT-OK|EMERGENCY) uptime=[0-9.]+' "$VM_CONSOLE" | head -1 | sed 's/.*=//')
        VM_T_UPTIME=${VM_T_UPTIME:-?}
}

# vm_expect REGEX…: every pattern must appear on the console; the first
# missing one is put into VM_MISSING.
vm_expect() {
        local re
        for re in "$@"; do
                grep -aqE -- "$re" "$VM_CONSOLE" || { VM_MISSING=$re; return 1; }
        done
        return 0
}

# vm_reject REGEX…: none of the patterns may appear.
vm_reject() {
        local re
        for re in "$@"; do
                grep -aqE -- "$re" "$VM_CONSOLE" && { VM_MISSING="unexpected: $re"; return 1; }
        done
        return 0
}

# ---------------------------------------------------------------- real root

# A minimal Debian 12 with systemd, systemd-networkd and open-iscsi: the real root
# that the "after switch-root" scenarios boot into. The debootstrap tree is cached (as
# a tar, keyed on what it is made of); the image is assembled per run, with this run's
# sd-iscsi installed into it as a package would.
VM_DEBIAN_MIRROR=${VM_DEBIAN_MIRROR:-$STACK_MIRROR}
VM_DEBIAN_PACKAGES=systemd,systemd-sysv,udev,open-iscsi,iproute2,kmod,multipath-tools
VM_DEBIAN_LABEL=sdidebian

# The real root is the stack's own Debian release.
vm_debian_suite() {
        case $VM_STACK in
        debian13) echo trixie ;;
        *) echo bookworm ;;
        esac
}

vm_build_debian_base() {
        local out=$1 d=$VM_RUN/debootstrap
        rm -rf "$d"
        debootstrap --variant=minbase --include="$VM_DEBIAN_PACKAGES" \
                "$(vm_debian_suite)" "$d" "$VM_DEBIAN_MIRROR" || return 1
        rm -rf "$d"/var/cache/apt/archives/*.deb "$d"/var/lib/apt/lists/* "$d"/usr/share/doc \
                "$d"/usr/share/man "$d"/usr/share/locale
        tar -C "$d" --numeric-owner -cf "$out" . || return 1
        rm -rf "$d"
}

# vm_debian_image STAGE [mpath]: sets VM_DEBIAN_IMG to this run's real root image (built
# once per kind). mpath: multipathd on, with the multipath-root scenarios' configuration;
# otherwise multipathd stays off (the package is there for those scenarios only).
vm_debian_image() {
        local stage=$1 kind=${2:-} d=$VM_RUN/debroot rr=$VM_DIR/realroot t0 img
        img=$VM_RUN/debian-$VM_STACK${kind:+-$kind}.img
        VM_DEBIAN_IMG=
        [[ -e $img ]] && { VM_DEBIAN_IMG=$img; return 0; }
        vm_cached "debian-base-$(vm_debian_suite)" "$(vm_key "$(vm_debian_suite)" "$VM_DEBIAN_MIRROR" "$VM_DEBIAN_PACKAGES" \
                "$(declare -f vm_build_debian_base)")" vm_build_debian_base || return 1
        t0=$(vm_now)
        rm -rf "$d"
        mkdir -p "$d"
        tar -C "$d" --numeric-owner -xf "$VM_CACHED" || return 1
        # sd-iscsi as a package installs it (the staged make install).
        cp -a "$stage/usr/." "$d/usr/"
        echo "LABEL=$VM_DEBIAN_LABEL / ext4 defaults 0 0" >"$d/etc/fstab"
        echo sdi-real >"$d/etc/hostname"
        # Not a first boot: presets must not change what is enabled between the two boots.
        echo 5d15c5150000000000000000000005d1 >"$d/etc/machine-id"
        install -D -m 0644 "$rr/90-wired.network" "$d/etc/systemd/network/90-wired.network"
        install -D -m 0755 "$rr/sdi-real-test" "$d/usr/lib/sdi-test/sdi-real-test"
        install -D -m 0755 "$rr/sdi-real.shutdown" "$d/usr/lib/systemd/system-shutdown/sdi-real.shutdown"
        install -m 0644 "$rr"/*.service "$d/etc/systemd/system/"
        systemctl --root="$d" --quiet enable systemd-networkd.service sdi-real-test.service \
                sdi-real-addrwatch.service || return 1
        if [[ $kind == mpath ]]; then
                install -m 0644 "$VM_DIR/multipath/multipath.conf" "$d/etc/multipath.conf"
                systemctl --root="$d" --quiet enable multipathd.service multipathd.socket || return 1
        else
                systemctl --root="$d" --quiet disable multipathd.service multipathd.socket 2>/dev/null
        fi
        mke2fs -q -t ext4 -L "$VM_DEBIAN_LABEL" -d "$d" "$img" 1G >/dev/null || return 1
        rm -rf "$d"
        VM_DEBIAN_IMG=$img
        vm_log "assembled the Debian real root in $(vm_elapsed "$t0" "$(vm_now)") s"
}

# ---------------------------------------------------------------- sd-iscsi

# vm_sdiscsi_image: sets VM_CACHED to an image with sd-iscsi, made by the stack's
# VM_BUILDER from the stack's build of sd-iscsi (STACK_STAGE); on failure VM_SDI_WHY
# says why. dracut: without dracut's iscsi module, which sd-iscsi's module keeps out
# by itself on dracut-ng (asked to on 059, whose module order the image suite tests).
vm_sdiscsi_image() {
        VM_CACHED=
        if [[ ! -e $STACK_STAGE/usr/lib/dracut/modules.d/73sd-iscsi/module-setup.sh ]]; then
                VM_SDI_WHY="the $VM_STACK build installs no dracut module 73sd-iscsi"
                return 1
        fi
        case $VM_BUILDER in
        dracut | mkinitcpio) ;;
        *) VM_SDI_WHY="unknown builder $VM_BUILDER"; return 1 ;;
        esac
        if [[ " $STACK_BUILDERS " != *" $VM_BUILDER "* ]]; then
                VM_SDI_WHY=$STACK_NO_MKINITCPIO VM_SDI_UNAVAILABLE=1
                return 1
        fi
        local name=sd-iscsi-$VM_STACK-$VM_BUILDER${VM_SDI_TPM2:+-tpm2}${VM_SDI_MPATH:+-mpath}
        vm_cached "$name" "$(vm_key "$VM_KVER" "$STACK_STAGE" \
                "$(stack_pkgver "$STACK_ROOT" dracut-core dracut-network open-iscsi systemd multipath-tools)" \
                "$VM_DIR/lib.sh" "$VM_DIR/units" "$VM_DIR/initcpio" "$VM_DIR/multipath")" "vm_build_sdiscsi_$VM_BUILDER" ||
                { VM_SDI_WHY="$VM_BUILDER failed (log: $VM_CACHE/$name.log)"; return 1; }
}

vm_build_sdiscsi_dracut() {
        local out=$1 etc=$VM_RUN/etc-iscsi mpath=()
        [[ -z ${VM_SDI_MPATH:-} ]] || mpath=("${VM_DRACUT_MPATH[@]}")
        if [[ -n $STACK_ROOT ]]; then
                # dracut-ng's multipath module writes a configuration of its own over an
                # --include'd one when the system has none: the system's, as on a real one.
                rm -f "$STACK_ROOT/etc/multipath.conf"
                ((${#mpath[@]} == 0)) ||
                        install -m 0644 "$VM_DIR/multipath/multipath.conf" "$STACK_ROOT/etc/multipath.conf"
                # Installed in the stack's root as a package: nothing asks for --omit iscsi.
                vm_stack_dracut "$out" -m "$VM_DRACUT_BASE" --add sd-iscsi \
                        --add-drivers "$VM_DRACUT_DRIVERS" --install "$VM_DRACUT_TOOLS" "${mpath[@]}"
                local rc=$?
                rm -f "$STACK_ROOT/etc/multipath.conf"
                return $rc
        fi
        # An empty /etc/iscsi: the image must not depend on the build host's.
        mkdir -p "$etc"
        # shellcheck source=tests/images/lib.sh
        declare -F in_staged_root >/dev/null || . "$VM_TOP/tests/images/lib.sh"
        sd_iscsi_tpm2=${VM_SDI_TPM2:-} in_staged_root "$STACK_STAGE" "$etc" dracut "${VM_DRACUT_COMMON[@]}" \
                -m "$VM_DRACUT_BASE" --add sd-iscsi --omit iscsi \
                --add-drivers "$VM_DRACUT_DRIVERS" --install "$VM_DRACUT_TOOLS" \
                --include "$(vm_test_overlay)" / "${mpath[@]}" ${mpath:+"${VM_DRACUT_MPATH_CONF[@]}"} \
                "$out" "$VM_KVER"
}

# Real mkinitcpio in the stack's root: the systemd hook, sd-iscsi's, and the suite's
# test-only hook (tests/vm/initcpio/sdi-test) for the overlay.
VM_MKINITCPIO_HOOKS="base systemd modconf block sd-iscsi sdi-test filesystems"
vm_build_sdiscsi_mkinitcpio() {
        local out=$1 src=$STACK_ROOT/usr/src
        rm -rf "$src/sdi-test-overlay" "$src/sdi-image"
        cp -a "$(vm_test_overlay)" "$src/sdi-test-overlay"
        install -m 0644 "$VM_DIR/initcpio/sdi-test" "$STACK_ROOT/etc/initcpio/install/sdi-test"
        {
                echo "MODULES=(${VM_DRACUT_DRIVERS})"
                echo "HOOKS=(${VM_MKINITCPIO_HOOKS})"
                echo "COMPRESSION=cat"
                [[ -z ${VM_SDI_TPM2:-} ]] || echo "SD_ISCSI_TPM2=1"
                [[ -z ${VM_SDI_MPATH:-} ]] || echo "SD_ISCSI_MULTIPATH=1"
        } >"$src/sdi-mkinitcpio.conf"
        # The hook takes the system's /etc/multipath.conf, as it would on a real one.
        rm -f "$STACK_ROOT/etc/multipath.conf"
        [[ -z ${VM_SDI_MPATH:-} ]] || install -m 0644 "$VM_DIR/multipath/multipath.conf" "$STACK_ROOT/etc/multipath.conf"
        stack_exec mkinitcpio -k "$VM_KVER" -c /usr/src/sdi-mkinitcpio.conf -g /usr/src/sdi-image \
                >"$VM_RUN/mkinitcpio.log" 2>&1
        rm -f "$STACK_ROOT/etc/multipath.conf"
        cat "$VM_RUN/mkinitcpio.log"
        stack_mkinitcpio_judge "$VM_RUN/mkinitcpio.log" "$src/sdi-image" && mv "$src/sdi-image" "$out"
}
