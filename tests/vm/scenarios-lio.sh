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

VM_LIO_SCENARIOS=(lio-static lio-chap lio-mutual-chap lio-acl lio-lun3 lio-wrong-chap-no-budget lio-late-target
        lio-real-root)
VM_LIO_CI=(lio-chap lio-acl lio-wrong-chap-no-budget)

VM_LIO4=$VM_NET4.20
VM_LIO_MAC=52:54:00:5d:15:20
VM_IQN_LIO=$VM_IQN_BASE:lio
VM_LIO_PID='' VM_LIO_IMAGE='' VM_LIO_CONSOLE='' VM_LIO_CONSOLES=()
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

# vm_lio_launch NAME WORD…: starts the LIO target's guest (command line: sdilio.ip=,
# sdilio.iqn=VM_LIO_IQN and WORD…; disk VM_LIO_DISK) with its console in
# DATE/NAME.lio.console (VM_LIO_CONSOLE), its PID in $VM_RUN/lio.pid (a hook that
# restarts the target hands it to the main shell there).
vm_lio_launch() {
        local name=$1
        shift
        VM_LIO_CONSOLE=$VM_OUT/$name.lio.console
        : >"$VM_LIO_CONSOLE"
        ip netns exec "$VM_NS" qemu-system-x86_64 -accel tcg -smp 1 -m 256 -no-reboot \
                -display none -monitor none -serial "file:$VM_LIO_CONSOLE" \
                -kernel "$VM_KERNEL" -initrd "$VM_LIO_IMAGE" \
                -append "console=ttyS0,115200 net.ifnames=0 panic=-1 no_timer_check sdilio.ip=$VM_LIO4/24 sdilio.iqn=${VM_LIO_IQN:-$VM_IQN_LIO} $*" \
                -netdev tap,id=n0,ifname=tap1,script=no,downscript=no \
                -device "virtio-net-pci,netdev=n0,mac=$VM_LIO_MAC" \
                -drive "file=${VM_LIO_DISK:-$VM_ROOT_IMG},format=raw,if=virtio,cache=unsafe" \
                >"$VM_OUT/$name.lio.qemu" 2>&1 &
        VM_LIO_PID=$!
        # Not a job of this shell: the kill of a restart (fault_lio_restart) must not be
        # announced on the run's output.
        disown "$VM_LIO_PID"
        echo "$VM_LIO_PID" >"$VM_RUN/lio.pid"
}

# vm_lio_wait: until the target's console says ready (0) or an error, its end, or
# VM_LIO_READY_S (1, with VM_LIO_WHY).
vm_lio_wait() {
        local deadline=$((SECONDS + VM_LIO_READY_S))
        until grep -aq 'SDI-LIO ready' "$VM_LIO_CONSOLE"; do
                if grep -aq 'SDI-LIO error' "$VM_LIO_CONSOLE" || ! kill -0 "$VM_LIO_PID" 2>/dev/null ||
                        ((SECONDS > deadline)); then
                        VM_LIO_WHY="the LIO target is not ready: $(grep -aoE 'SDI-LIO error.*' "$VM_LIO_CONSOLE" | tr -d '\r') (console: $VM_LIO_CONSOLE)"
                        return 1
                fi
                sleep 0.2
        done
        vm_log "LIO target ready in $((SECONDS - deadline + VM_LIO_READY_S)) s: $(grep -aoE 'SDI-LIO ready.*' "$VM_LIO_CONSOLE" | tr -d '\r')"
}

# vm_lio_start NAME WORD…: boots the LIO target (vm_lio_launch) and waits for it to be
# ready. On failure SC_FAIL, and the initiator's boot that follows is cut short
# (SC_TIMEOUT); returns 1.
vm_lio_start() {
        local name=$1
        shift
        vm_lio_stop
        if [[ $VM_STACK != debian12 ]]; then
                SC_FAIL="LIO scenarios run on the debian12 stack only" SC_TIMEOUT=1
                return 1
        fi
        vm_lio_image || { SC_FAIL="cannot build the LIO target's initramfs" SC_TIMEOUT=1; return 1; }
        VM_LIO_IMAGE=$VM_CACHED
        vm_ns ip link show tap1 >/dev/null 2>&1 || vm_tap_add tap1
        vm_lio_launch "$name" "$@"
        if ! vm_lio_wait; then
                SC_FAIL=$VM_LIO_WHY SC_TIMEOUT=1
                vm_lio_stop
                return 1
        fi
}

# Stops the target's guest, the one this shell started or the one a hook restarted.
vm_lio_stop() {
        local pid
        [[ -s $VM_RUN/lio.pid ]] && pid=$(<"$VM_RUN/lio.pid")
        rm -f "$VM_RUN/lio.pid"
        [[ -n ${pid:-} && $pid != "$VM_LIO_PID" ]] && vm_stop_pid "$pid" 3
        [[ -n $VM_LIO_PID ]] && vm_stop_pid "$VM_LIO_PID" 3
        VM_LIO_PID=
}

# vm_lio_counts: stops the target and counts its kernel's lines into VM_LIO_FAILED
# (failed logins), VM_LIO_EMPTY (of which connections closed before a login PDU),
# VM_LIO_CHAP (CHAP refusals), VM_LIO_ACL (ACL refusals); SC_FIGURE gets them.
vm_lio_counts() {
        # Its last lines may still be on their way to the console file.
        sleep 0.5
        vm_lio_stop
        # Every console of the scenario's target (a restarted one has its own).
        local c=("${VM_LIO_CONSOLES[@]:-$VM_LIO_CONSOLE}")
        VM_LIO_FAILED=$(cat "${c[@]}" 2>/dev/null | grep -ac 'iSCSI Login negotiation failed')
        VM_LIO_EMPTY=$(cat "${c[@]}" 2>/dev/null | grep -ac 'rx_data returned 0')
        VM_LIO_CHAP=$(cat "${c[@]}" 2>/dev/null | grep -acE 'CHAP_N values do not match|MD5 Digests do not match|Security negotiation failed')
        VM_LIO_ACL=$(cat "${c[@]}" 2>/dev/null | grep -ac 'is not authorized to access iSCSI target portal group')
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

# The real root (scenarios-realroot.sh) from LIO: the Debian image is the target's disk
# (target VM_IQN_REAL), the first boot's fsync writer runs while the target's guest is
# killed (as in a crash or power loss: no logout, no reset) and booted again
# VM_TARGET_DOWN_S later; the second boot finds every fsync'd record. Asserted as for
# tgt (vm_expect_real, vm_real_reboot), and LIO's counts over both of its boots: no
# connection closed before a login PDU.
sc_lio_real_root() {
        SC_DESC="LIO real root: $VM_STACK keeps its disk while the LIO target is killed and rebooted under the fsync writer"
        SC_CHECK=check_lio_real_root
        if ! vm_image_for sd-iscsi || ! vm_debian_image "$STACK_STAGE"; then
                SC_FAIL="cannot build the Debian real root" SC_TIMEOUT=1
                return
        fi
        VM_LIO_DISK=$VM_DEBIAN_IMG VM_LIO_IQN=$VM_IQN_REAL VM_REAL_PORTAL=$VM_LIO4
        vm_lio_start lio-real-root "sdilio.acl=$VM_INITIATOR" || { VM_LIO_DISK='' VM_LIO_IQN='' VM_REAL_PORTAL=''; return; }
        VM_LIO_CONSOLES=("$VM_LIO_CONSOLE" "$VM_OUT/lio-real-root-restarted.lio.console")
        vm_dhcp_start
        SC_CMDLINE="ip=dhcp $(vm_real_cmdline) sditest.writer"
        SC_END=halt
        SC_TIMEOUT=$((VM_TARGET_DOWN_S + 540))
        SC_HOOK=fault_lio_restart
        vm_expect_real
        SC_EXPECT+=("SDI-REAL writer records=[0-9]+ fsynced=[0-9]+ errors=0 maxstall=[0-9]+ms io-errors=0"
                "SDI-REAL timeouts-after [0-9]+ recovery_tmo=86400 ping_tmo=0 recv_tmo=0")
}

# When the writer runs: the target's guest is killed, and booted again VM_TARGET_DOWN_S
# later (its PID handed over in $VM_RUN/lio.pid).
fault_lio_restart() {
        vm_wait_console 'SDI-REAL writer start'
        sleep 3
        kill -KILL "$(<"$VM_RUN/lio.pid")" 2>/dev/null
        vm_now >"$(vm_fault_file down)"
        sleep "$VM_TARGET_DOWN_S"
        vm_lio_launch lio-real-root-restarted "sdilio.acl=$VM_INITIATOR"
        vm_lio_wait || return
        vm_now >"$(vm_fault_file up)"
}

check_lio_real_root() {
        local down up fsynced stall off1 figure
        down=$(cat "$(vm_fault_file down)" 2>/dev/null)
        up=$(cat "$(vm_fault_file up)" 2>/dev/null)
        rm -f "$VM_RUN"/fault.*
        fsynced=$(grep -aoE 'SDI-REAL writer records=[0-9]+ fsynced=[0-9]+' "$VM_CONSOLE" | head -1 | sed 's/.*fsynced=//')
        stall=$(grep -aoE 'maxstall=[0-9]+ms' "$VM_CONSOLE" | head -1 | tr -dc 0-9)
        off1=$(vm_poweroff_time)
        if [[ -z $down || -z $up ]]; then
                SC_FAIL="the LIO target was not killed and restarted"
        elif [[ -z $fsynced ]]; then
                SC_FAIL="the writer did not finish"
        else
                VM_T_UPTIME=$(grep -aoE 'SDI-REAL uptime=[0-9.]+' "$VM_CONSOLE" | head -1 | sed 's/.*=//')
                figure="real root at ${VM_T_UPTIME:-?}s, target down $(vm_elapsed "$down" "$up")s (killed → ready again), longest fsync ${stall:-?}ms, ${fsynced} records fsync'd, poweroff ${off1:-?}s"
                vm_real_reboot "$figure" "$fsynced" "$off1"
        fi
        vm_lio_counts
        ((VM_LIO_EMPTY == 0)) || SC_FAIL+="${SC_FAIL:+; }LIO saw $VM_LIO_EMPTY connection(s) closed before a login PDU"
        VM_LIO_DISK='' VM_LIO_IQN='' VM_REAL_PORTAL='' VM_LIO_CONSOLES=()
}
