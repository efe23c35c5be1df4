# shellcheck shell=bash
# The SC_* variables are read by vm_run_scenario (scenarios.sh).
# shellcheck disable=SC2034
# Against LIO (issue 13), the kernel's own target, beside tgt: a second QEMU guest, the
# stack's Debian kernel with static busybox and the target modules, sets LIO up through
# configfs alone (tests/vm/lio/init) from its command line, with the root image as its
# virtio disk (an iblock backstore) and a portal on VM_LIO4, its own tap (tap1) on the
# namespace's bridge. It runs beside each LIO scenario's initiator boot and is stopped
# after it; its console (DATE/NAME.lio.console) holds LIO's kernel log, from which every
# LIO scenario prints the target-side counts: failed logins ("iSCSI Login negotiation
# failed."), of which connections closed without a login PDU ("rx_data returned 0"), CHAP
# refusals and ACL refusals ("is not authorized"). Debian 12 stack only (busybox insmod
# and the host's modprobe --show-depends; Debian 13's modules are compressed).
#
# Not in VM_SCENARIOS (which CI runs whole on debian12): VM_CI_SET (tests/vm/run) takes
# VM_LIO_CI; the rest run on demand (tests/vm/run BUILDDIR lio-static …).

VM_LIO_SCENARIOS=(lio-static lio-chap lio-mutual-chap lio-acl lio-lun3 lio-wrong-chap-no-budget lio-late-target)
VM_LIO_CI=(lio-chap lio-acl lio-wrong-chap-no-budget)

VM_LIO4=$VM_NET4.20
VM_LIO_MAC=52:54:00:5d:15:20
VM_IQN_LIO=$VM_IQN_BASE:lio
VM_LIO_PID=''
# Accelerated and generic twins: TCG may lack the CPU features of the first.
VM_LIO_MODULES="virtio_pci virtio_net virtio_blk crc32c_intel crc32c_generic crct10dif_pclmul crct10dif_generic target_core_iblock iscsi_target_mod"
VM_LIO_READY_S=${VM_LIO_READY_S:-180}

# The target's initramfs: static busybox, tests/vm/lio/init, the modules and the order
# to load them in (dependencies first).
vm_build_lio() {
        local out=$1 d=$VM_RUN/lio-initramfs m f
        rm -rf "$d"
        mkdir -p "$d/bin" "$d/lib/modules"
        cp /bin/busybox "$d/bin/busybox" || return 1
        install -m 0755 "$VM_DIR/lio/init" "$d/init" || return 1
        for m in $VM_LIO_MODULES; do
                modprobe -S "$VM_KVER" --show-depends "$m" || return 1
        done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$d/order" || return 1
        while read -r f; do
                cp "$f" "$d/lib/modules/" || return 1
                basename "$f" >>"$d/lib/modules/order"
        done <"$d/order"
        rm -f "$d/order"
        (cd "$d" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out" || return 1
        rm -rf "$d"
}

vm_lio_image() {
        vm_cached "lio-$VM_KVER" "$(vm_key "$VM_KVER" "$VM_DIR/lio/init" /bin/busybox "$VM_LIO_MODULES")" vm_build_lio
}

# vm_lio_start NAME WORD…: boots the LIO target (its command line: sdilio.ip= and
# sdilio.iqn= and WORD…) and waits for it to be ready. Sets VM_LIO_CONSOLE; on failure
# SC_FAIL and returns 1.
vm_lio_start() {
        local name=$1 deadline
        shift
        vm_lio_stop
        # On failure the initiator's boot that follows is cut short (SC_TIMEOUT).
        if [[ $VM_STACK != debian12 ]]; then
                SC_FAIL="LIO scenarios run on the debian12 stack only" SC_TIMEOUT=1
                return 1
        fi
        vm_lio_image || { SC_FAIL="cannot build the LIO target's initramfs" SC_TIMEOUT=1; return 1; }
        vm_ns ip link show tap1 >/dev/null 2>&1 || vm_tap_add tap1
        VM_LIO_CONSOLE=$VM_OUT/$name.lio.console
        : >"$VM_LIO_CONSOLE"
        ip netns exec "$VM_NS" qemu-system-x86_64 -accel tcg -smp 1 -m 256 -no-reboot \
                -display none -monitor none -serial "file:$VM_LIO_CONSOLE" \
                -kernel "$VM_KERNEL" -initrd "$VM_CACHED" \
                -append "console=ttyS0,115200 net.ifnames=0 panic=-1 no_timer_check sdilio.ip=$VM_LIO4/24 sdilio.iqn=$VM_IQN_LIO $*" \
                -netdev tap,id=n0,ifname=tap1,script=no,downscript=no \
                -device "virtio-net-pci,netdev=n0,mac=$VM_LIO_MAC" \
                -drive "file=$VM_ROOT_IMG,format=raw,if=virtio,cache=unsafe" \
                >"$VM_OUT/$name.lio.qemu" 2>&1 &
        VM_LIO_PID=$!
        VM_QEMU_PIDS+=("$VM_LIO_PID")
        deadline=$((SECONDS + VM_LIO_READY_S))
        until grep -aq 'SDI-LIO ready' "$VM_LIO_CONSOLE"; do
                if grep -aq 'SDI-LIO error' "$VM_LIO_CONSOLE" || ! kill -0 "$VM_LIO_PID" 2>/dev/null ||
                        ((SECONDS > deadline)); then
                        SC_FAIL="the LIO target is not ready: $(grep -aoE 'SDI-LIO error.*' "$VM_LIO_CONSOLE" | tr -d '\r')"
                        SC_FAIL+=" (console: $VM_LIO_CONSOLE)" SC_TIMEOUT=1
                        vm_lio_stop
                        return 1
                fi
                sleep 0.2
        done
        vm_log "LIO target ready in $((SECONDS - deadline + VM_LIO_READY_S)) s: $(grep -aoE 'SDI-LIO ready.*' "$VM_LIO_CONSOLE" | tr -d '\r')"
}

vm_lio_stop() {
        [[ -n $VM_LIO_PID ]] || return 0
        vm_stop_pid "$VM_LIO_PID" 3
        local p keep=()
        for p in "${VM_QEMU_PIDS[@]}"; do
                [[ $p == "$VM_LIO_PID" ]] || keep+=("$p")
        done
        VM_QEMU_PIDS=("${keep[@]}")
        VM_LIO_PID=
}

# vm_lio_counts: stops the target and counts its kernel's lines into VM_LIO_FAILED
# (failed logins), VM_LIO_EMPTY (of which connections closed before a login PDU),
# VM_LIO_CHAP (CHAP refusals), VM_LIO_ACL (ACL refusals); SC_FIGURE gets them.
vm_lio_counts() {
        # Its last lines may still be on their way to the console file.
        sleep 0.5
        vm_lio_stop
        VM_LIO_FAILED=$(grep -ac 'iSCSI Login negotiation failed' "$VM_LIO_CONSOLE")
        VM_LIO_EMPTY=$(grep -ac 'rx_data returned 0' "$VM_LIO_CONSOLE")
        VM_LIO_CHAP=$(grep -acE 'CHAP_N values do not match|MD5 Digests do not match|Security negotiation failed' "$VM_LIO_CONSOLE")
        VM_LIO_ACL=$(grep -ac 'is not authorized to access iSCSI target portal group' "$VM_LIO_CONSOLE")
        SC_FIGURE+="${SC_FIGURE:+; }LIO: $VM_LIO_FAILED failed login(s), $VM_LIO_EMPTY empty connection(s), $VM_LIO_CHAP CHAP and $VM_LIO_ACL ACL refusal(s)"
}

# A clean boot: no failed login in LIO's log.
check_lio_clean() {
        vm_lio_counts
        ((VM_LIO_FAILED == 0 && VM_LIO_EMPTY == 0)) ||
                SC_FAIL="LIO logged $VM_LIO_FAILED failed login(s) ($VM_LIO_EMPTY empty connection(s)) on a clean boot"
}

vm_lio_cmdline() {
        echo "$VM_STATIC4 netroot=iscsi:${1:+$1@}$VM_LIO4::::$VM_IQN_LIO root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=${2:-$VM_INITIATOR}"
}

vm_expect_lio_root() {
        vm_expect_root "$VM_IQN_LIO" "$VM_LIO4"
        vm_expect_sdiscsi
}

sc_lio_static() {
        SC_DESC="LIO: static ip=, ACL by initiator name, LUN 0 (no controller), clean boot"
        SC_CHECK=check_lio_clean
        vm_lio_start lio-static "sdilio.acl=$VM_INITIATOR" || return
        SC_CMDLINE=$(vm_lio_cmdline)
        vm_expect_lio_root
        SC_EXPECT+=("SDI-ROOT disk sd[a-z]+ hctl=[0-9]+:0:0:0 lun=0 ")
}

sc_lio_chap() {
        SC_DESC="LIO: static ip=, one-way CHAP (ACL), secret audit, clean boot"
        SC_CHECK=check_lio_clean
        vm_lio_start lio-chap "sdilio.acl=$VM_INITIATOR" "sdilio.chap=$VM_CHAP_USER:$VM_CHAP_PASS" || return
        SC_CMDLINE="$(vm_lio_cmdline "$VM_CHAP_USER:$VM_CHAP_PASS") sditest.audit"
        vm_expect_lio_root
        SC_EXPECT+=("SDI-AUDIT PASS secrets=1 ")
        SC_REJECT+=("SDI-AUDIT (LEAK|FAIL)")
}

sc_lio_mutual_chap() {
        SC_DESC="LIO: mutual CHAP (ACL), secret audit, clean boot"
        SC_CHECK=check_lio_clean
        vm_lio_start lio-mutual-chap "sdilio.acl=$VM_INITIATOR" "sdilio.chap=$VM_CHAP_USER:$VM_CHAP_PASS" \
                "sdilio.mchap=$VM_MCHAP_USER:$VM_MCHAP_PASS" || return
        SC_CMDLINE="$(vm_lio_cmdline "$VM_CHAP_USER:$VM_CHAP_PASS:$VM_MCHAP_USER:$VM_MCHAP_PASS") sditest.audit"
        vm_expect_lio_root
        SC_EXPECT+=("SDI-AUDIT PASS secrets=2 ")
        SC_REJECT+=("SDI-AUDIT (LEAK|FAIL)")
}

sc_lio_lun3() {
        SC_DESC="LIO: root=iscsi: on LUN 3, the target's only LUN"
        SC_CHECK=check_lio_clean
        vm_lio_start lio-lun3 "sdilio.acl=$VM_INITIATOR" sdilio.lun=3 || return
        SC_CMDLINE="$VM_STATIC4 root=iscsi:$VM_LIO4::$VM_PORT:3:$VM_IQN_LIO rd.iscsi.initiator=$VM_INITIATOR"
        vm_expect_lio_root
        SC_EXPECT+=("SDI-ROOT disk sd[a-z]+ hctl=[0-9]+:0:0:3 lun=3 ")
}

# A refusal for good, without a budget: 4 attempts (2, 4, 8 s apart), then the emergency
# shell with the reason, within VM_REFUSED_LIMIT_S of the first login (check as for tgt,
# scenarios-faults.sh). LIO sees exactly the 4 refused logins and no empty connection.
vm_expect_lio_refused() {
        local why="login refused 4 times: authentication or authorization failed \(check the CHAP user name and secret, and the target's access list\)"
        SC_END=emergency
        SC_TIMEOUT=180
        SC_EXPECT+=("sd-iscsi\[[0-9]+\]: Giving up on $VM_IQN_LIO at $VM_LIO4:$VM_PORT: $why after 4 attempt\(s\)\. Last error: iscsiadm: initiator reported error \(24 - "
                "SDI-EMERGENCY-REPORT begin"
                "Status: \"Gave up on $VM_IQN_LIO at $VM_LIO4:$VM_PORT \(attempt 4\): $why\""
                "State: +failed \(attempt 4\)"
                "Refused: 4 attempt\(s\)"
                "Gave up: $why")
}

check_lio_refused() {
        check_wrong_chap_no_budget
        vm_lio_counts
        local want=$1 got
        case $want in
        chap) got=$VM_LIO_CHAP ;;
        acl) got=$VM_LIO_ACL ;;
        esac
        if ((VM_LIO_FAILED != 4 || VM_LIO_EMPTY != 0 || got != 4)); then
                SC_FAIL+="${SC_FAIL:+; }LIO: $VM_LIO_FAILED failed login(s), $VM_LIO_EMPTY empty, $got $want refusal(s) (want 4, 0, 4)"
        fi
}

sc_lio_wrong_chap_no_budget() {
        SC_DESC="LIO: wrong CHAP secret, no rd.iscsi.timeout=: refused 4 times, emergency with the reason"
        SC_CHECK=check_lio_wrong_chap
        vm_lio_start lio-wrong-chap-no-budget "sdilio.acl=$VM_INITIATOR" "sdilio.chap=$VM_CHAP_USER:$VM_CHAP_PASS" || return
        SC_CMDLINE=$(vm_lio_cmdline "$VM_CHAP_USER:Wrong-Secret-0000")
        vm_expect_lio_refused
        SC_REPORT_REJECT=("Wrong-Secret-0000" "$VM_CHAP_PASS")
}
check_lio_wrong_chap() { check_lio_refused chap; }

# The initiator is not in the target's access list (a mistyped rd.iscsi.initiator=):
# LIO answers 0202 (authorization failure); the report says so.
sc_lio_acl() {
        SC_DESC="LIO: initiator name not in the ACL: refused 4 times, emergency, \"authorization failure\""
        SC_CHECK=check_lio_acl
        vm_lio_start lio-acl "sdilio.acl=$VM_INITIATOR" || return
        SC_CMDLINE=$(vm_lio_cmdline "" "$VM_IQN_BASE:intruder")
        vm_expect_lio_refused
        SC_EXPECT+=("iSCSI login failed due to authorization failure")
}
check_lio_acl() { check_lio_refused acl; }

# A late target: the portal listens VM_LIO_LATE_S after the target is ready (the
# initiator's logins start some 25 s into its boot, so they are refused for a while).
# Measured on the host's clock from the two consoles: "SDI-LIO listening" → the
# initiator's kernel creating the session (its TCP connection is up); asserted within
# VM_LATE_LIMIT_S (scenarios-faults.sh). LIO's count: the probe that found the portal is
# its one failed login (a connection closed before a login PDU); the refused connects
# before it reach no log.
VM_LIO_LATE_S=${VM_LIO_LATE_S:-50}
sc_lio_late_target() {
        SC_DESC="LIO: late target, the portal listens ${VM_LIO_LATE_S} s after the target is ready"
        SC_CHECK=check_lio_late_target SC_HOOK=fault_lio_late_target
        SC_TIMEOUT=$((VM_LIO_LATE_S + 180))
        vm_lio_start lio-late-target "sdilio.acl=$VM_INITIATOR" "sdilio.late=$VM_LIO_LATE_S" || return
        SC_CMDLINE=$(vm_lio_cmdline)
        vm_expect_lio_root
        SC_EXPECT+=("SDI-ROOT state cmdline-0 STATE=logged-in ATTEMPT=([2-9]|[1-9][0-9]+) ")
}

fault_lio_late_target() {
        until grep -aq 'SDI-LIO listening' "$VM_LIO_CONSOLE" 2>/dev/null; do sleep 0.05; done
        vm_now >"$(vm_fault_file listen)"
        vm_wait_console 'iSCSI Initiator over TCP'
        vm_now >"$(vm_fault_file session)"
}

check_lio_late_target() {
        local listen session found
        listen=$(cat "$(vm_fault_file listen)" 2>/dev/null)
        session=$(cat "$(vm_fault_file session)" 2>/dev/null)
        rm -f "$VM_RUN"/fault.*
        vm_lio_counts
        if [[ -z $listen || -z $session ]]; then
                SC_FAIL="the portal did not listen (${listen:-?}) or no session followed (${session:-?})"
                return
        fi
        found=$(vm_elapsed "$listen" "$session")
        SC_FIGURE="listen→session ${found}s (host clock, both consoles); $SC_FIGURE"
        awk -v t="$found" -v l="$VM_LATE_LIMIT_S" 'BEGIN { exit !(t <= l) }' ||
                SC_FAIL="the session started ${found}s after the portal listened (limit ${VM_LATE_LIMIT_S} s)"
        ((VM_LIO_FAILED <= 1 && VM_LIO_EMPTY <= 1)) ||
                SC_FAIL+="${SC_FAIL:+; }LIO logged $VM_LIO_FAILED failed login(s), $VM_LIO_EMPTY empty (at most the probe's 1)"
}
