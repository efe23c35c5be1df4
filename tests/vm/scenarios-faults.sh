# shellcheck shell=bash
# The SC_* variables are read by vm_run_scenario (scenarios.sh).
# shellcheck disable=SC2034
# Faults at boot (issue 6): a late target, an exhausted login budget, the
# udev rule's SCSI settings, a link cut during login and a dead second
# portal; (issue 13) a wrong CHAP secret without a budget. Each scenario prints what it measured after its description.
# Faults are injected from the host while the guest boots (SC_HOOK) and
# undone after the boot (SC_CHECK), so that the next scenario starts clean.

VM_SCENARIOS+=(late-target budget-exhausted scsi-timeout scsi-timeout-77 link-down dead-portal dead-portal-no-budget
        wrong-chap-no-budget)

VM_LATE_TARGET_S=${VM_LATE_TARGET_S:-60}
VM_LATE_LIMIT_S=${VM_LATE_LIMIT_S:-3}
VM_LINK_DOWN_S=${VM_LINK_DOWN_S:-20}
# Nothing answers there: the namespace's bridge has no such neighbour.
VM_DEAD4=$VM_NET4.2

# vm_portal4 new|delete: the IPv4 portal of tgtd listens, or not (the
# initiator then sees "connection refused", as from a target still booting).
vm_portal4() { vm_tgtadm --op "$1" --mode portal --param "portal=$VM_HOST4:$VM_PORT" >/dev/null 2>&1; }

# Prints the host time at which tgtd first shows a logged-in initiator.
vm_wait_nexus() {
        until vm_tgtadm --op show --mode target 2>/dev/null | grep -q 'I_T nexus:'; do
                sleep 0.05
        done
        vm_now
}

# Prints the host time at which the initiator first holds a connection to the
# portal: iscsid's login connection (or, rarely seen, the helper's probe).
vm_wait_conn() {
        until vm_ns ss -Htn state established "( sport = :$VM_PORT )" 2>/dev/null | grep -q .; do
                sleep 0.05
        done
        vm_now
}

# vm_wait_console REGEX: until the guest's console shows REGEX.
vm_wait_console() {
        until grep -aqE -- "$1" "$VM_CONSOLE" 2>/dev/null; do
                sleep 0.1
        done
}

vm_fault_file() { echo "$VM_RUN/fault.$1"; }

vm_fault_reset() {
        rm -f "$VM_RUN"/fault.*
        vm_portal4 new || true
}

# The guest-side time from the last session's creation to its disk, from kmsg.
vm_session_to_disk() {
        local ts td
        ts=$(vm_kmsg_time 'iSCSI Initiator over TCP' last)
        td=$(vm_kmsg_time 'Attached SCSI disk' last)
        [[ -n $ts && -n $td ]] && vm_elapsed "$ts" "$td"
}

# --------------------------------------------------------------- late target

sc_late_target() {
        SC_DESC="late target: the portal listens ${VM_LATE_TARGET_S} s after QEMU starts"
        vm_root_target
        vm_portal4 delete
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        SC_TIMEOUT=$((VM_LATE_TARGET_S + 180))
        SC_HOOK=fault_late_target SC_CHECK=check_late_target
        vm_expect_root
        vm_expect_sdiscsi
        # Logins were refused before the portal listened; the disk came with the udev rule's settings.
        SC_EXPECT+=("SDI-ROOT state cmdline-0 STATE=logged-in ATTEMPT=([2-9]|[1-9][0-9]+) "
                "SDI-ROOT disk sd[a-z]+ .* timeout=180 scheduler=none")
}

# The portal opens VM_LATE_TARGET_S after QEMU started, but never less than
# 10 s after the first login attempt: a slow (TCG, loaded) guest must still
# find it closed, long enough for the backoff to reach its cap.
fault_late_target() {
        local t0
        t0=$(vm_now) # the hook starts with QEMU
        vm_wait_console 'Starting.*sd-iscsi-login@'
        sleep "$(awk -v t0="$t0" -v now="$(vm_now)" -v d="$VM_LATE_TARGET_S" \
                'BEGIN { s = t0 + d - now; print (s > 10 ? s : 10) }')"
        vm_portal4 new
        vm_now >"$(vm_fault_file listen)"
        vm_wait_conn >"$(vm_fault_file conn)"
        vm_wait_nexus >"$(vm_fault_file nexus)"
}

check_late_target() {
        local listen conn nexus found login s2d total phases
        listen=$(cat "$(vm_fault_file listen)" 2>/dev/null)
        conn=$(cat "$(vm_fault_file conn)" 2>/dev/null)
        nexus=$(cat "$(vm_fault_file nexus)" 2>/dev/null)
        vm_fault_reset
        if [[ -z $listen || -z $nexus ]]; then
                SC_FAIL="no login seen by tgtd after the portal listened"
                return
        fi
        login=$(vm_elapsed "$listen" "$nexus")
        s2d=$(vm_session_to_disk)
        # The disk is ready at most login-to-disk after tgtd saw the login
        # (the guest's interval also covers the login itself: an upper bound).
        total=$(awk -v a="$login" -v b="${s2d:-0}" 'BEGIN { printf "%.1f", a + b }')
        phases=$(grep -aoE 'SDI-INITRD login Logged in .*' "$VM_CONSOLE" | head -1 | grep -oE 'after [0-9]+ attempt.*\)' | tr -d '\r')
        found=$(vm_elapsed "$listen" "${conn:-$nexus}")
        SC_FIGURE="listen→connect ${found}s, listen→login ${login}s (tgtd), session→disk ${s2d:-?}s (guest), listen→disk ≤ ${total}s; helper: ${phases:-?}"
        # Asserted: what sd-iscsi controls, finding the portal and handing the
        # login to iscsid. The login exchange and SCSI scan of a TCG guest on a
        # loaded host take seconds of their own: reported, not asserted.
        awk -v t="$found" -v l="$VM_LATE_LIMIT_S" 'BEGIN { exit !(t <= l) }' ||
                SC_FAIL="iscsid connected ${found}s after the portal listened (limit ${VM_LATE_LIMIT_S} s); $SC_FIGURE"
}

# ----------------------------------------------------------- budget exhausted

sc_budget_exhausted() {
        SC_DESC="budget exhausted: rd.iscsi.timeout=30, nothing listens"
        vm_root_target
        vm_portal4 delete
        SC_CHECK=check_budget_exhausted
        SC_END=emergency
        SC_TIMEOUT=240
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR rd.iscsi.timeout=30"
        local refused="portal $VM_HOST4 port $VM_PORT: Connection refused"
        # systemctl status: the helper's last words, naming the target and the error …
        SC_EXPECT+=("SDI-EMERGENCY-REPORT begin"
                "sd-iscsi-login@cmdline-0\.service.*failed|Failed to start sd-iscsi-login@cmdline-0"
                "Giving up on $VM_IQN_ROOT at $VM_HOST4:$VM_PORT: login budget of 30s exhausted after [0-9]+ attempt\(s\)\. Last error: $refused"
                "Status: \"Gave up on $VM_IQN_ROOT at $VM_HOST4:$VM_PORT \(attempt [0-9]+\): $refused\""
                # … and sd-iscsi show, from the helper's state record.
                "Target: +$VM_IQN_ROOT"
                "State: +failed \(attempt [0-9]+\)"
                "Last error: $refused")
}

check_budget_exhausted() {
        local report status show
        vm_fault_reset
        report=$(sed -n '/SDI-EMERGENCY-REPORT begin/,/SDI-EMERGENCY-REPORT end/p' "$VM_CONSOLE")
        status=$(grep -aoE 'exhausted after [0-9]+ attempt' <<<"$report" | head -1 | tr -dc 0-9)
        show=$(grep -aoE 'State: +failed \(attempt [0-9]+\)' <<<"$report" | head -1 | tr -dc 0-9)
        SC_FIGURE="gave up after ${status:-?} attempts, emergency at ${VM_T_UPTIME}s uptime"
        [[ -n $status && $status == "$show" ]] ||
                SC_FAIL="systemctl status says ${status:-?} attempts, sd-iscsi show ${show:-?}"
}

# ------------------------------------------------------------- the udev rule

sc_scsi_timeout() {
        SC_DESC="udev rule: SCSI command timeout 180 s (default), scheduler none"
        vm_root_target
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-ROOT disk sd[a-z]+ .* timeout=180 scheduler=none\b")
        SC_CHECK=check_scsi_settings
}

sc_scsi_timeout_77() {
        SC_DESC="udev rule: sd_iscsi.scsi_timeout=77"
        vm_root_target
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR sd_iscsi.scsi_timeout=77"
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-ROOT disk sd[a-z]+ .* timeout=77 scheduler=none\b")
        SC_CHECK=check_scsi_settings
}

check_scsi_settings() {
        SC_FIGURE=$(grep -aoE 'SDI-ROOT disk sd[a-z]+ .*timeout=[0-9]* scheduler=[a-z-]*' "$VM_CONSOLE" |
                head -1 | grep -oE 'timeout=.*')
}

# ----------------------------------------------------------------- link down

sc_link_down() {
        SC_DESC="link down ${VM_LINK_DOWN_S} s while logging in"
        # The portal is closed until the link is cut, so that the login is
        # certainly in progress (and being retried) when it goes down.
        vm_root_target
        vm_portal4 delete
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        SC_TIMEOUT=$((VM_LINK_DOWN_S + 240))
        SC_HOOK=fault_link_down SC_CHECK=check_link_down
        vm_expect_root
        vm_expect_sdiscsi
        # The portal opens only when the link is cut: the login cannot complete
        # before the link is back (check_link_down measures from there).
        SC_EXPECT+=("SDI-ROOT state cmdline-0 STATE=logged-in ATTEMPT=[0-9]+ "
                "SDI-ROOT addr eth0=$VM_GUEST4/24")
}

fault_link_down() {
        vm_wait_console 'Starting.*sd-iscsi-login@'
        sleep 1
        vm_qmp '{"execute": "set_link", "arguments": {"name": "n0", "up": false}}' || return
        vm_now >"$(vm_fault_file down)"
        vm_portal4 new
        sleep "$VM_LINK_DOWN_S"
        vm_qmp '{"execute": "set_link", "arguments": {"name": "n0", "up": true}}' || return
        vm_now >"$(vm_fault_file up)"
        vm_wait_nexus >"$(vm_fault_file nexus)"
}

check_link_down() {
        local down up nexus
        down=$(cat "$(vm_fault_file down)" 2>/dev/null)
        up=$(cat "$(vm_fault_file up)" 2>/dev/null)
        nexus=$(cat "$(vm_fault_file nexus)" 2>/dev/null)
        vm_fault_reset
        if [[ -z $down || -z $up ]]; then
                SC_FAIL="the link was not cut and restored (QMP)"
        elif [[ -z $nexus ]]; then
                SC_FAIL="no login seen by tgtd after the link came back"
        else
                SC_FIGURE="link down $(vm_elapsed "$down" "$up")s, link up→login $(vm_elapsed "$up" "$nexus")s (tgtd)"
        fi
}

# -------------------------------------------------------------- dead portal

# Two paths to the root target; nothing answers on the second. Its login
# gives up rd.iscsi.grace= after the root device appeared, or when the budget
# is spent, whichever ends first: with rd.iscsi.timeout=30 the default grace
# (10 s) ends first, so that it is exercised here.
sc_dead_portal() {
        SC_DESC="two portals to the root target, one dead, rd.iscsi.timeout=30, default grace"
        vm_root_target
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT netroot=iscsi:$VM_DEAD4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR rd.iscsi.timeout=30"
        SC_TIMEOUT=240
        SC_CHECK=check_dead_portal
        vm_expect_dead_path 10
}

# The same without a budget: the root disk attaches through the live portal,
# and the dead path's login gives up rd.iscsi.grace= after the root device
# appeared (here 5 s, to keep the boot short), so that
# initrd-root-device.target, ordered after it, is reached. Without the grace
# the boot would wait for the dead path for ever.
VM_DEAD_GRACE_S=${VM_DEAD_GRACE_S:-5}
sc_dead_portal_no_budget() {
        SC_DESC="two portals to the root target, one dead, no budget, rd.iscsi.grace=${VM_DEAD_GRACE_S}"
        vm_root_target
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT netroot=iscsi:$VM_DEAD4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR rd.iscsi.grace=$VM_DEAD_GRACE_S"
        SC_TIMEOUT=240
        SC_CHECK=check_dead_portal_no_budget
        vm_expect_dead_path "$VM_DEAD_GRACE_S"
}

# vm_expect_dead_path GRACE: the root boots through the live path; the dead
# path's login gave up for the grace, saying so in its message (journal), its
# unit's state and its state record (what sd-iscsi show prints).
vm_expect_dead_path() {
        local why="root device /dev/disk/by-label/$VM_ROOT_LABEL present, grace of ${1}s \(rd\.iscsi\.grace=\) over"
        vm_expect_root
        SC_EXPECT+=("SDI-INITRD implementation=sd-iscsi\b"
                "SDI-INITRD login Giving up on $VM_IQN_ROOT at $VM_DEAD4:$VM_PORT: $why after [0-9]+ attempt\(s\)\. Last error: .*$VM_DEAD4"
                "SDI-INITRD unit sd-iscsi-login@cmdline-1\.service loaded failed failed .*changed=[0-9.]+"
                "SDI-ROOT sessions=1"
                "SDI-ROOT state cmdline-0 STATE=logged-in ATTEMPT=1 "
                "SDI-ROOT state cmdline-1 STATE=failed ATTEMPT=[0-9]+ ERROR=.*$VM_DEAD4.* REASON=$why")
}

# vm_check_dead_path GRACE. Measured: the root disk's attach (kmsg) to the
# dead login's failure (its unit's last state change, same clock). Asserted:
# the grace was given (at most one backoff step, 1.25 s, less: no retry starts
# after it) and the give-up followed it within a generous bound for a TCG
# guest (the udev link, a wakeup, a loaded host).
vm_check_dead_path() {
        local attach failed gap err
        attach=$(vm_kmsg_time 'Attached SCSI disk')
        failed=$(grep -aoE 'SDI-INITRD unit sd-iscsi-login@cmdline-1\.service .*changed=[0-9.]+' "$VM_CONSOLE" |
                head -1 | sed 's/.*changed=//')
        err=$(grep -aoE 'SDI-ROOT state cmdline-1 .*' "$VM_CONSOLE" | head -1 | sed 's/.*ERROR=//; s/ REASON=.*//')
        if [[ -z $attach || -z $failed ]]; then
                SC_FAIL="no root disk attach (${attach:-?}) or dead login failure (${failed:-?}) seen"
                return
        fi
        gap=$(vm_elapsed "$attach" "$failed")
        SC_FIGURE="root at ${VM_T_UPTIME}s uptime; root disk attach→dead path given up ${gap}s (grace ${1}s); dead path: ${err:-?}"
        awk -v g="$gap" -v s="$1" 'BEGIN { exit !(g >= s - 1.5 && g <= s + 12) }' ||
                SC_FAIL="the dead path was given up ${gap}s after the root disk attached (grace ${1}s); $SC_FIGURE"
}

check_dead_portal() { vm_check_dead_path 10; }
check_dead_portal_no_budget() { vm_check_dead_path "$VM_DEAD_GRACE_S"; }

# ------------------------------------------------------ wrong CHAP, no budget

# The target refuses the login (wrong CHAP secret) and no rd.iscsi.timeout=
# is given: the login is refused 4 times (2 + 4 + 8 s ±25% apart), fails,
# initrd-root-device.target (which requires it) fails and the emergency shell
# starts at once. Asserted: the reason on the console (one kmsg line), in
# systemctl status (STATUS=) and in sd-iscsi show, iscsiadm's status 24 (what
# Debian 12's open-iscsi reports for tgt's "authentication failure"), no
# secret in the report, and at most VM_REFUSED_LIMIT_S from the first login
# (the kernel's first iSCSI host) to the emergency marker.
VM_REFUSED_LIMIT_S=${VM_REFUSED_LIMIT_S:-30}
sc_wrong_chap_no_budget() {
        SC_DESC="wrong CHAP secret, no rd.iscsi.timeout=: refused, emergency with the reason"
        vm_root_target
        vm_target_chap 1 "$VM_CHAP_USER" "$VM_CHAP_PASS"
        SC_END=emergency
        SC_TIMEOUT=180
        SC_CHECK=check_wrong_chap_no_budget
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_CHAP_USER:Wrong-Secret-0000@$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        local why="login refused 4 times: authentication or authorization failed \(check the CHAP user name and secret, and the target's access list\)"
        SC_EXPECT+=("sd-iscsi\[[0-9]+\]: Giving up on $VM_IQN_ROOT at $VM_HOST4:$VM_PORT: $why after [0-9]+ attempt\(s\)\. Last error: iscsiadm: initiator reported error \(24 - "
                "SDI-EMERGENCY-REPORT begin"
                "Status: \"Gave up on $VM_IQN_ROOT at $VM_HOST4:$VM_PORT \(attempt [0-9]+\): $why\""
                "State: +failed \(attempt [0-9]+\)"
                "Refused: 4 attempt\(s\)"
                "Gave up: $why")
        SC_REPORT_REJECT=("Wrong-Secret-0000" "$VM_CHAP_PASS")
}

check_wrong_chap_no_budget() {
        local first gaveup lines
        first=$(vm_kmsg_time 'iSCSI Initiator over TCP')
        gaveup=$(vm_kmsg_time 'sd-iscsi\[[0-9]+\]: Giving up on')
        lines=$(grep -acE '^\[ *[0-9.]+\] sd-iscsi\[[0-9]+\]: Giving up on' "$VM_CONSOLE")
        if [[ -z $first || -z $gaveup || $VM_T_UPTIME == '?' ]]; then
                SC_FAIL="no first login (${first:-?}), console give-up line (${gaveup:-?}) or emergency (${VM_T_UPTIME})"
                return
        fi
        SC_FIGURE="first login→given up $(vm_elapsed "$first" "$gaveup")s, first login→emergency $(vm_elapsed "$first" "$VM_T_UPTIME")s (at ${VM_T_UPTIME}s uptime), ${lines} console line(s)"
        ((lines == 1)) || SC_FAIL="$lines console lines for one give-up"
        awk -v a="$first" -v b="$VM_T_UPTIME" -v l="$VM_REFUSED_LIMIT_S" 'BEGIN { exit !(b - a <= l) }' ||
                SC_FAIL="emergency $(vm_elapsed "$first" "$VM_T_UPTIME")s after the first login (limit ${VM_REFUSED_LIMIT_S}s)"
}
