# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by bench/run (uses srcdir, builddir, OUT, ratio): boot latency of sd-iscsi
# against dracut's own iscsi module, and boot timelines, on the VM suite (tests/vm):
# the same kernel, tgtd target, network namespace and static ip= command line; only
# the initramfs differs. Boots are interleaved (the order rotates every repetition),
# images come from the VM suite's cache, and only boots the suite judges a pass count.
# shellcheck shell=bash disable=SC2154,SC2034 # bench/run's and the VM suite's variables

# The pairs compared: one session (the suite's "peer" and "static" scenarios share
# their command line), and two sessions (login in parallel: time ≈ the slowest).
VMB_SCENARIOS=(peer static bench-static-no-wait-online bench-peer-two-targets two-targets)
# For the timelines: systemd's unit messages to kmsg, so the kernel stamps them.
VMB_TIMELINE_ARGS="systemd.log_target=kmsg printk.devkmsg=on"

# Dracut's iscsi module on the suite's two-target command line.
sc_bench_peer_two_targets() {
        local e keep=()
        sc_two_targets
        SC_DESC="incumbent: dracut iscsi, two targets"
        SC_IMAGE=peer
        for e in "${SC_EXPECT[@]}"; do [[ $e == *sd-iscsi* ]] || keep+=("$e"); done
        SC_EXPECT=("${keep[@]}" "SDI-INITRD implementation=none\+dracut-iscsi")
        SC_REJECT=()
}
# An experiment, labelled as such in the output: the login path with
# systemd-networkd-wait-online@IFACE masked on the command line. It showed that the
# login's old ordering after wait-online cost ~13 s (docs/PERFORMANCE.md); since main
# 8798615 nothing orders the login after it, so this must match "static" — a guard
# against the ordering coming back.
sc_bench_static_no_wait_online() {
        sc_static
        SC_DESC="experiment: static, wait-online@eth0 masked"
        SC_CMDLINE+=" rd.systemd.mask=systemd-networkd-wait-online@eth0.service"
}
sc_bench_timeline_sd_iscsi() { sc_static; SC_CMDLINE+=" $VMB_TIMELINE_ARGS"; }
sc_bench_timeline_peer() { sc_peer; SC_CMDLINE+=" $VMB_TIMELINE_ARGS"; }

# vmb_stats FILE: "median min max n" of the numbers in FILE.
vmb_stats() {
        sort -n "$1" | awk '{ v[NR] = $1 } END {
                if (NR == 0) { print "- - - 0"; exit }
                m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                printf "%.1f %.1f %.1f %d\n", m, v[1], v[NR], NR }'
}

# vmb_record PREFIX: the last boot's figures, if it passed, appended to PREFIX.{wall,
# uptime,disk,login}.
vmb_record() {
        [[ $VM_VERDICT == pass ]] || return 0
        echo "$VM_WALL" >>"$1.wall"
        echo "$VM_T_UPTIME" >>"$1.uptime"
        [[ $VM_T_DISK == "?" ]] || echo "$VM_T_DISK" >>"$1.disk"
        [[ $VM_T_LOGIN == "?" ]] || echo "$VM_T_LOGIN" >>"$1.login"
}

vmb_inner() {
        local reps=${BENCH_VM_REPS:-3} rep k s i m d
        VM_DIR=$srcdir/tests/vm
        # shellcheck source=/dev/null
        . "$VM_DIR/lib.sh"
        # shellcheck source=/dev/null
        . "$VM_DIR/scenarios.sh"
        VM_BUILDDIR=$builddir
        VM_OUT=$OUT/vm
        d=$OUT/vm-samples
        rm -rf "$d" "$VM_OUT"
        mkdir -p "$d" "$VM_OUT"
        for s in "${VMB_SCENARIOS[@]}"; do
                for m in wall uptime disk login; do : >"$d/$s.$m"; done
        done
        vm_setup
        vm_log "kernel $VM_KVER, consoles in $VM_OUT"
        vm_net_up
        vm_target_start
        vm_scenarios_prepare
        local n=${#VMB_SCENARIOS[@]}
        for ((rep = 0; rep < reps; rep++)); do
                for ((k = 0; k < n; k++)); do
                        s=${VMB_SCENARIOS[(rep + k) % n]}
                        vm_run_scenario "$s"
                        [[ -f $VM_OUT/$s.console ]] && mv "$VM_OUT/$s.console" "$VM_OUT/$s.$rep.console"
                        vmb_record "$d/$s"
                done
        done

        echo "-- median (min..max, passing boots) in seconds; ratio: sd-iscsi / dracut's iscsi module"
        printf '   %-30s %-20s %-20s %-20s %-20s\n' scenario "QEMU start→root" "uptime at root" "root disk attached" "network→disk"
        for s in "${VMB_SCENARIOS[@]}"; do
                printf '   %-30s' "$s"
                for m in wall uptime disk login; do
                        read -r med lo hi cnt < <(vmb_stats "$d/$s.$m")
                        printf ' %-20s' "$med ($lo..$hi,n=$cnt)"
                done
                echo
        done
        local pair a b
        echo "   (root disk attached: guest uptime when the last SCSI disk appeared; network→disk: from the"
        echo "    first global address to then, which favours whoever configures the network later)"
        for pair in "static peer one-session" "two-targets bench-peer-two-targets two-sessions" \
                "bench-static-no-wait-online peer experiment"; do
                read -r a b label <<<"$pair"
                for m in wall uptime disk login; do
                        local ma mb
                        ma=$(vmb_stats "$d/$a.$m" | cut -d' ' -f1) mb=$(vmb_stats "$d/$b.$m" | cut -d' ' -f1)
                        if [[ $ma == - || $mb == - ]]; then
                                printf '   %-13s %-7s %s/%s: no passing boots to compare\n' "$label" "$m" "$a" "$b"
                        else
                                printf '   %-13s %-7s %s/%s %s\n' "$label" "$m" "$a" "$b" "$(ratio "$ma" "$mb")"
                        fi
                done
        done
        for m in login disk; do
                local one two
                one=$(vmb_stats "$d/static.$m" | cut -d' ' -f1) two=$(vmb_stats "$d/two-targets.$m" | cut -d' ' -f1)
                [[ $one == - || $two == - ]] ||
                        printf '   sd-iscsi two sessions / one session (%s): %s (1.0: parallel, 2.0: one after the other)\n' \
                                "$m" "$(ratio "$two" "$one")"
        done

        echo "-- boot timelines (systemd unit messages stamped by the kernel)"
        local tmax=0 t
        for s in bench-timeline-sd-iscsi bench-timeline-peer; do
                vm_run_scenario "$s"
                [[ $VM_VERDICT == pass ]] || { echo "   $s did not pass; no timeline"; continue; }
                t=$(sed -nE 's/^\[ *([0-9]+\.[0-9]+)\].*/\1/p' "$VM_OUT/$s.console" | sort -n | tail -1)
                tmax=$(awk -v a="$tmax" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
        done
        for s in sd-iscsi peer; do
                local c=$VM_OUT/bench-timeline-$s.console title
                [[ -s $c ]] || continue
                title="sd-iscsi: initrd boot timeline (QEMU TCG, static ip=, one target)"
                [[ $s == peer ]] && title="dracut 059 iscsi module (network-legacy): initrd boot timeline (same VM, target, command line)"
                awk -v title="$title" -v tmax="$tmax" -f "$srcdir/bench/timeline.awk" "$c" >"$OUT/timeline-$s.svg"
                echo "   $OUT/timeline-$s.svg"
        done
}

vm_bench_run() {
        if [[ ! -r $srcdir/tests/vm/lib.sh || ! -r $srcdir/tests/vm/scenarios.sh ]]; then
                echo "TODO: the VM suite (tests/vm) is not in this tree yet: boot latency (4) and the boot"
                echo "      timeline (6) are not measured. Nothing is estimated in their place."
                return 0
        fi
        # The suite installs its own EXIT trap and exits through it: keep it in a subshell.
        (vmb_inner)
}

# Debian 13 (tests/stack.sh): the same comparison on the stack people run today —
# dracut-ng 106's own iscsi module (network-legacy) against sd-iscsi in a dracut-ng
# image and in a real mkinitcpio image, one kernel (6.12), VM, target and static ip=
# command line; interleaved like the above. Image bytes: the uncompressed images, as
# the suite builds them (same base modules and test units; no kernel-modules module).
VMB13_ITEMS=(dracut/peer dracut/static mkinitcpio/static)

vmb13_inner() {
        local reps=${BENCH_VM_REPS:-3} rep k item s m d n
        VM_DIR=$srcdir/tests/vm
        # shellcheck source=/dev/null
        . "$VM_DIR/lib.sh"
        # shellcheck source=/dev/null
        . "$VM_DIR/scenarios.sh"
        VM_BUILDDIR=$builddir VM_STACK=debian13
        VM_OUT=$OUT/vm13
        d=$OUT/vm13-samples
        rm -rf "$d" "$VM_OUT"
        mkdir -p "$d" "$VM_OUT"
        vm_setup
        vm_net_up
        vm_target_start
        vm_scenarios_prepare
        n=${#VMB13_ITEMS[@]}
        for ((rep = 0; rep < reps; rep++)); do
                for ((k = 0; k < n; k++)); do
                        item=${VMB13_ITEMS[(rep + k) % n]}
                        VM_BUILDER=${item%/*} s=${item#*/}
                        vm_run_scenario "$s" "debian13/$item"
                        vmb_record "$d/${item/\//-}"
                done
        done
        echo "-- $STACK_VERSIONS"
        echo "-- median (min..max, passing boots) in seconds"
        printf '   %-22s %-20s %-20s %-20s %-20s %s\n' image "QEMU start→root" "uptime at root" "root disk attached" "network→disk" "image bytes"
        local -A bytes=([dracut/peer]=${VM_IMAGES[peer]:-} [dracut/static]=${VM_IMAGES[sd-iscsi/dracut]:-}
                [mkinitcpio/static]=${VM_IMAGES[sd-iscsi/mkinitcpio]:-})
        for item in "${VMB13_ITEMS[@]}"; do
                printf '   %-22s' "$item"
                for m in wall uptime disk login; do
                        touch "$d/${item/\//-}.$m"
                        read -r med lo hi cnt < <(vmb_stats "$d/${item/\//-}.$m")
                        printf ' %-20s' "$med ($lo..$hi,n=$cnt)"
                done
                [[ -n ${bytes[$item]} ]] && bytes[$item]=$(stat -c %s "${bytes[$item]}")
                printf ' %s\n' "${bytes[$item]:--}"
        done
        echo "   ratio: sd-iscsi / dracut-ng's iscsi module (below 1: sd-iscsi is ahead)"
        for item in dracut/static mkinitcpio/static; do
                for m in wall uptime disk login; do
                        local ma mb
                        ma=$(vmb_stats "$d/${item/\//-}.$m" | cut -d' ' -f1) mb=$(vmb_stats "$d/dracut-peer.$m" | cut -d' ' -f1)
                        if [[ $ma == - || $mb == - ]]; then
                                printf '   %-18s %-7s no passing boots to compare\n' "$item" "$m"
                        else
                                printf '   %-18s %-7s %s\n' "$item" "$m" "$(ratio "$ma" "$mb")"
                        fi
                done
                [[ -n ${bytes[$item]} && -n ${bytes[dracut/peer]} ]] &&
                        printf '   %-18s %-7s %s\n' "$item" bytes "$(ratio "${bytes[$item]}" "${bytes[dracut/peer]}")"
        done
}

vm13_bench_run() {
        # The suite installs its own EXIT trap and exits through it: keep it in a subshell.
        (vmb13_inner)
}
