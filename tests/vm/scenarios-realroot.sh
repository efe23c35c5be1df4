# shellcheck shell=bash
# The SC_* variables are read by vm_run_scenario (scenarios.sh).
# shellcheck disable=SC2034
# After switch-root (issue 6): a real root (Debian 12: systemd, systemd-networkd,
# open-iscsi) boots from iSCSI through sd-iscsi and keeps its disk. The first boot
# (ip=dhcp) reports what the real root found (its iscsid adopted the session, the boot
# NIC's address was never taken away), writes fsync'd records while the host crashes
# tgtd and brings it back VM_TARGET_DOWN_S later, and powers off; the second boot
# (static ip=) finds every record and powers off too. The real root's test units are
# in tests/vm/realroot/.

VM_SCENARIOS+=(real-root real-root-outage)

VM_TARGET_DOWN_S=${VM_TARGET_DOWN_S:-30}
VM_IQN_REAL=$VM_IQN_BASE:debian
# Generous for a TCG guest on a loaded host; the figures printed are what counts.
VM_POWEROFF_LIMIT_S=${VM_POWEROFF_LIMIT_S:-60}
# real-root-outage: longer than Debian's replacement_timeout (120 s), which failed the
# root disk for good before sd-iscsi handoff wrote the node record. With the root
# disk's noop-outs off (open-iscsi's README), nothing notices a silent path cut: the
# session's TCP connection resumes at its next retransmission, whose interval doubles
# up to 120 s (TCP_RTO_MAX), so the initiator may be heard from up to that long after
# the path returns; with noop-outs on (real-root-outage-noop) iscsid reconnects within
# seconds.
VM_OUTAGE_S=${VM_OUTAGE_S:-150}
VM_OUTAGE_LONG_S=${VM_OUTAGE_LONG_S:-300}
VM_OUTAGE_BACK_LIMIT_S=${VM_OUTAGE_BACK_LIMIT_S:-125}
VM_OUTAGE_NOOP_BACK_LIMIT_S=${VM_OUTAGE_NOOP_BACK_LIMIT_S:-5}

# Not in the default list (it ends in its time limit by design): the same first boot
# with sd-iscsi-handoff.service masked. The real root's networkd configures the boot
# NIC with the administrator's file and drops the initrd's address; the root disk hangs
# and the real root never reports.
sc_real_root_no_handoff() {
        SC_DESC="real root without sd-iscsi-handoff: networkd drops the address, the root disk hangs"
        vm_real_root_first_boot systemd.mask=sd-iscsi-handoff.service || return
        SC_END=timeout
        SC_TIMEOUT=${VM_NO_HANDOFF_WAIT:-180}
        SC_EXPECT+=("sdi-addr: .*Deleted .*eth0 +inet $VM_NET4\.5[0-9]/24")
        SC_REJECT+=("SDI-REAL uptime")
}

# The .network file the real root's networkd picks for the boot NIC, for ip=dhcp and
# for the static ip=: systemd-network-generator's names went from 91-default/90-eth0
# (252) to 71-default/70-eth0 (257), which sort before the administrator's
# 90-wired.network. The handoff must cover whichever it is.
vm_real_netfile() {
        case $VM_STACK/$1 in
        debian12/dhcp) echo /etc/systemd/network/90-wired.network ;;
        debian12/static) echo /run/systemd/network/90-eth0.network ;;
        */dhcp) echo /run/systemd/network/71-default.network ;;
        */static) echo /run/systemd/network/70-eth0.network ;;
        esac
}

vm_real_target() { vm_target_add 1 "$VM_IQN_REAL" 1 "$VM_DEBIAN_IMG"; }

# All but ip=; the portal is tgtd's unless VM_REAL_PORTAL says (LIO's). printk.devkmsg=on: the real root reports through kmsg, which must not
# rate-limit it.
vm_real_cmdline() {
        echo "netroot=iscsi:${VM_REAL_PORTAL:-$VM_HOST4}::::$VM_IQN_REAL root=LABEL=$VM_DEBIAN_LABEL rw rd.iscsi.initiator=$VM_INITIATOR printk.devkmsg=on"
}

# vm_real_root_first_boot [CMDLINE…]: the Debian image on the target, udhcpd, and an
# ip=dhcp command line (plus CMDLINE). Returns 1, with SC_FAIL set, without an image.
vm_real_root_first_boot() {
        if ! vm_image_for sd-iscsi || ! vm_debian_image "$STACK_STAGE"; then
                SC_FAIL="cannot build the Debian real root (log: $VM_CACHE/debian-base.log)"
                return 1
        fi
        vm_real_target
        vm_dhcp_start
        # sditest.writer: this boot writes the records (sdi-real-test), whatever an
        # earlier scenario left on the shared image.
        SC_CMDLINE="ip=dhcp $(vm_real_cmdline) sditest.writer${1:+ $*}"
}

# The real root's view, common to both boots.
vm_expect_real() {
        VM_REAL_EXPECT=("SDI-INITRD implementation=sd-iscsi\b"
                "SDI-REAL iscsid active"
                "SDI-REAL session [0-9]+ target=$VM_IQN_REAL state=LOGGED_IN "
                "SDI-REAL adopted [0-9]+ yes"
                "SDI-REAL sessions=1"
                # iscsid adopted the session with the node record sd-iscsi handoff wrote:
                # the initrd's root disk settings, not iscsid.conf's (Debian: 120, 5, 5).
                "SDI-REAL record $STACK_ISCSI_DB_DIR/nodes/$VM_IQN_REAL/${VM_REAL_PORTAL:-$VM_HOST4},$VM_PORT,1/default mode=600 by=_Written_by_sd-iscsi_handoff replacement_timeout=86400"
                "SDI-REAL show   Node record: written by sd-iscsi handoff"
                "SDI-REAL timeouts [0-9]+ recovery_tmo=86400 ping_tmo=0 recv_tmo=0"
                "SDI-REAL order .* handoff-first"
                "SDI-REAL netfile eth0 /[^ ]+\.network keep-dropin=yes ADMIN_STATE=configured"
                "SDI-REAL addr-deleted 0"
                "SDI-REAL addr-deleted-before-poweroff 0"
                "SDI-REAL poweroff"
                "SDI-REAL final session .*session[0-9]+ LOGGED_IN"
                "SDI-REAL final addr eth0=$VM_NET4\.")
        SC_EXPECT+=("${VM_REAL_EXPECT[@]}")
        SC_REJECT+=("SDI-REAL adopted [0-9]+ no" "SDI-EMERGENCY" "SDI-REAL timeouts [0-9]+ recovery_tmo=120")
}

sc_real_root() {
        SC_DESC="real root: $VM_STACK keeps its iSCSI disk (adoption, address, target crash, poweroff, reboot)"
        vm_real_root_first_boot || return
        SC_END=halt
        SC_TIMEOUT=$((VM_TARGET_DOWN_S + 540))
        SC_HOOK=fault_target_crash SC_CHECK=check_real_root
        vm_expect_real
        # Debian 12: the administrator's file (90-wired) sorts before 91-default.network,
        # which ip=dhcp made; Debian 13: 71-default.network sorts first. Either way it
        # configures the boot NIC, with the handoff's drop-in.
        SC_EXPECT+=("SDI-REAL addr eth0=$VM_NET4\.5[0-9]/24"
                "SDI-REAL netfile eth0 $(vm_real_netfile dhcp) keep-dropin=yes"
                "SDI-REAL writer records=[0-9]+ fsynced=[0-9]+ errors=0 maxstall=[0-9]+ms io-errors=0"
                "SDI-REAL timeouts-after [0-9]+ recovery_tmo=86400 ping_tmo=0 recv_tmo=0")
}

# When the writer runs: tgtd crashes, and comes back VM_TARGET_DOWN_S later.
fault_target_crash() {
        vm_wait_console 'SDI-REAL writer start'
        sleep 3
        vm_target_crash
        vm_now >"$(vm_fault_file down)"
        sleep "$VM_TARGET_DOWN_S"
        vm_target_start
        echo "$VM_TGTD_PID" >"$VM_RUN/tgtd.pid"
        vm_real_target
        vm_now >"$(vm_fault_file up)"
        vm_wait_nexus >"$(vm_fault_file nexus)"
}

# Seconds from the poweroff marker to the kernel's power down, from kmsg.
vm_poweroff_time() {
        local a b
        a=$(vm_kmsg_time 'sdi-real: poweroff')
        b=$(vm_kmsg_time 'reboot: Power down')
        [[ -n $a && -n $b ]] && vm_elapsed "$a" "$b"
}

check_real_root() {
        local down up nexus fsynced stall off1 first=$VM_CONSOLE figure
        vm_target_adopt
        down=$(cat "$(vm_fault_file down)" 2>/dev/null)
        up=$(cat "$(vm_fault_file up)" 2>/dev/null)
        nexus=$(cat "$(vm_fault_file nexus)" 2>/dev/null)
        vm_fault_reset
        fsynced=$(grep -aoE 'SDI-REAL writer records=[0-9]+ fsynced=[0-9]+' "$first" | head -1 | sed 's/.*fsynced=//')
        stall=$(grep -aoE 'maxstall=[0-9]+ms' "$first" | head -1 | tr -dc 0-9)
        off1=$(vm_poweroff_time)
        if [[ -z $down || -z $up ]]; then
                SC_FAIL="the target was not crashed and restarted"
                return
        elif [[ -z $nexus ]]; then
                SC_FAIL="no session on the restarted target"
                return
        elif [[ -z $fsynced ]]; then
                SC_FAIL="the writer did not finish"
                return
        fi
        VM_T_UPTIME=$(grep -aoE 'SDI-REAL uptime=[0-9.]+' "$first" | head -1 | sed 's/.*=//')
        figure="real root at ${VM_T_UPTIME:-?}s, iscsid adopted it (recovery_tmo $(grep -aoE 'recovery_tmo=[0-9]+' "$first" | head -1 | tr -dc 0-9)), target down $(vm_elapsed "$down" "$up")s, back→relogin $(vm_elapsed "$up" "$nexus")s (tgtd), longest fsync ${stall:-?}ms, ${fsynced} records fsync'd, poweroff ${off1:-?}s"
        vm_real_reboot "$figure" "$fsynced" "$off1"
}

# vm_real_reboot FIGURE FSYNCED POWEROFF1: the second boot, which must find every record
# the first one fsync'd. Sets SC_FIGURE (FIGURE and its own) and, on failure, SC_FAIL;
# the scenario's own expectations stay judged on the first boot's console.
vm_real_reboot() {
        local figure=$1 fsynced=$2 off1=$3 first=$VM_CONSOLE result=$VM_RESULT wall=$VM_WALL
        local verify last bad total off2 lost
        # The second boot: a static address this time, and the records of the first.
        VM_BOOT_LIMIT=300 VM_BOOT_HOOK='' vm_boot real-root-reboot "$VM_IMAGE" \
                "$VM_STATIC4 $(vm_real_cmdline)"
        verify=$(grep -aoE 'SDI-REAL verify records=[0-9]+ bad=[0-9]+ last=[0-9]+' "$VM_CONSOLE" | head -1)
        total=$(sed -E 's/.*records=([0-9]+).*/\1/' <<<"$verify")
        bad=$(sed -E 's/.*bad=([0-9]+).*/\1/' <<<"$verify")
        last=$(sed -E 's/.*last=([0-9]+).*/\1/' <<<"$verify")
        off2=$(vm_poweroff_time)
        lost='?'
        [[ -n $last ]] && lost=$((fsynced > last ? fsynced - last : 0))
        SC_FIGURE="$figure; after reboot ${total:-?} records, ${bad:-?} bad, ${lost} fsync'd lost, poweroff ${off2:-?}s"
        if [[ $VM_RESULT != halt ]]; then
                SC_FAIL="second boot ended by $VM_RESULT (console: $VM_CONSOLE)"
        elif [[ -z $verify ]]; then
                SC_FAIL="second boot: no records to verify"
        elif ((bad != 0 || total != last || last < fsynced)); then
                SC_FAIL="second boot: $verify, but $fsynced were fsync'd"
        elif ! vm_expect "SDI-REAL addr eth0=$VM_GUEST4/24 forever" \
                "SDI-REAL netfile eth0 $(vm_real_netfile static) keep-dropin=yes" ||
                ! vm_expect "${VM_REAL_EXPECT[@]}" || ! vm_reject "${SC_REJECT[@]}"; then
                SC_FAIL="second boot: missing $VM_MISSING"
        elif ! awk -v a="${off1:-999}" -v b="${off2:-999}" -v l="$VM_POWEROFF_LIMIT_S" 'BEGIN { exit !(a <= l && b <= l) }'; then
                SC_FAIL="poweroff took ${off1:-?}s / ${off2:-?}s (limit ${VM_POWEROFF_LIMIT_S}s)"
        fi
        # The scenario's own expectations are judged on the first boot's console.
        VM_CONSOLE=$first VM_RESULT=$result VM_WALL=$wall
}

# The path to the target cut at the network for SC_OUTAGE_S, well after boot, under the
# fsync writer: tap0 (the guest's wire) goes down in the namespace, so that neither side
# sees a reset, as when a switch dies; tgtd keeps running. The session must ride it
# out (no write error, no kernel I/O error, / still read-write, every fsync'd record
# there after a reboot), and the target hear from the initiator again within
# SC_BACK_LIMIT_S of the path's return.
# sc_real_root_outage [SECONDS [BACK_LIMIT [CMDLINE…]]]: VM_OUTAGE_S and
# VM_OUTAGE_BACK_LIMIT_S by default; CMDLINE for the first boot only.
sc_real_root_outage() {
        SC_OUTAGE_S=${1:-$VM_OUTAGE_S}
        SC_BACK_LIMIT_S=${2:-$VM_OUTAGE_BACK_LIMIT_S}
        SC_DESC="real root: the path to the target cut for ${SC_OUTAGE_S}s under an fsync loop, then back"
        vm_real_root_first_boot "${@:3}" || return
        SC_END=halt
        SC_TIMEOUT=$((SC_OUTAGE_S + 540))
        SC_HOOK=fault_path_cut SC_CHECK=check_real_root_outage
        vm_expect_real
        SC_EXPECT+=("SDI-REAL writer records=[0-9]+ fsynced=[0-9]+ errors=0 maxstall=[0-9]+ms io-errors=0"
                "SDI-REAL timeouts-after [0-9]+ recovery_tmo=86400 ping_tmo=0 recv_tmo=0"
                "SDI-REAL ro-after rw")
        SC_REJECT+=("SDI-REAL writer gave up" "Remounting filesystem read-only" "Aborting journal")
}

# On demand (not in the default list): five minutes without the path.
sc_real_root_outage_long() {
        sc_real_root_outage "$VM_OUTAGE_LONG_S"
}

# On demand: the same outage with noop-outs on (every 5 s, 5 s to answer), through
# rd.iscsi.param=, which the handoff's record carries into the real root as well. iscsid
# drops the silent connection, reconnects until the path is back, and must be heard
# from within VM_OUTAGE_NOOP_BACK_LIMIT_S.
sc_real_root_outage_noop() {
        local i
        sc_real_root_outage "$VM_OUTAGE_S" "$VM_OUTAGE_NOOP_BACK_LIMIT_S" \
                "rd.iscsi.param=node.conn[0].timeo.noop_out_interval=5" \
                "rd.iscsi.param=node.conn[0].timeo.noop_out_timeout=5" || return
        # The first boot's expectations with the noop-outs asked for (the second boot
        # has the root disk's defaults again).
        for i in "${!SC_EXPECT[@]}"; do
                SC_EXPECT[i]=${SC_EXPECT[i]/ping_tmo=0 recv_tmo=0/ping_tmo=5 recv_tmo=5}
        done
        SC_DESC+=" (noop-outs 5 s)"
}

# What the target has received on each established connection ("PEER segs_in:N"): it
# changes when the initiator is heard from again, on the old connection or a new one.
vm_target_traffic() {
        vm_ns ss -Htni state established "( sport = :$VM_PORT )" 2>/dev/null |
                awk '/^[0-9]/ { peer = $4 } { for (i = 1; i <= NF; i++) if ($i ~ /^segs_in:/) print peer, $i }' | sort
}

# vm_wait_traffic BEFORE: the host time at which vm_target_traffic first differs from
# BEFORE; nothing after 300 s.
vm_wait_traffic() {
        local i
        for ((i = 0; i < 6000; i++)); do
                if [[ $(vm_target_traffic) != "$1" ]]; then
                        vm_now
                        return 0
                fi
                sleep 0.05
        done
        return 1
}

fault_path_cut() {
        local before
        vm_wait_console 'SDI-REAL writer start'
        sleep 3
        vm_ns ip link set tap0 down
        vm_now >"$(vm_fault_file down)"
        sleep "$SC_OUTAGE_S"
        # Nothing can arrive while the wire is down: this is the state the path returns to.
        before=$(vm_target_traffic)
        vm_ns ip link set tap0 up
        vm_now >"$(vm_fault_file up)"
        vm_wait_traffic "$before" >"$(vm_fault_file back)"
}

check_real_root_outage() {
        local down up back heard=never first=$VM_CONSOLE writer fsynced errors ioerr stall off1 figure
        down=$(cat "$(vm_fault_file down)" 2>/dev/null)
        up=$(cat "$(vm_fault_file up)" 2>/dev/null)
        back=$(cat "$(vm_fault_file back)" 2>/dev/null)
        [[ -n $up && -n $back ]] && heard=$(vm_elapsed "$up" "$back")
        vm_fault_reset
        # A hook stopped early must not leave the next boot without its wire.
        vm_ns ip link set tap0 up
        writer=$(grep -aoE 'SDI-REAL writer records=[0-9]+ fsynced=[0-9]+ errors=[0-9]+ maxstall=[0-9]+ms io-errors=[0-9]+' "$first" | head -1)
        fsynced=$(sed -E 's/.*fsynced=([0-9]+).*/\1/' <<<"$writer")
        errors=$(sed -E 's/.* errors=([0-9]+).*/\1/' <<<"$writer")
        ioerr=$(sed -E 's/.*io-errors=([0-9]+).*/\1/' <<<"$writer")
        stall=$(sed -E 's/.*maxstall=([0-9]+)ms.*/\1/' <<<"$writer")
        off1=$(vm_poweroff_time)
        VM_T_UPTIME=$(grep -aoE 'SDI-REAL uptime=[0-9.]+' "$first" | head -1 | sed 's/.*=//')
        if [[ -z $down || -z $up ]]; then
                SC_FAIL="the path was not cut and restored"
                return
        elif [[ -z $writer ]]; then
                SC_FAIL="the writer did not finish (console: $first)"
                return
        fi
        figure="path down $(vm_elapsed "$down" "$up")s, recovery_tmo $(grep -aoE 'SDI-REAL timeouts [0-9]+ recovery_tmo=[0-9]+' "$first" | head -1 | sed 's/.*=//')→$(grep -aoE 'SDI-REAL timeouts-after [0-9]+ recovery_tmo=[0-9]+' "$first" | head -1 | sed 's/.*=//'), write errors ${errors}, kernel I/O errors ${ioerr}, longest fsync ${stall}ms, path back→initiator heard ${heard}s, $(grep -aoE 'SDI-REAL conn-errors-after [0-9]+' "$first" | head -1 | sed 's/.* //') conn errors, ${fsynced} records fsync'd, poweroff ${off1:-?}s"
        vm_real_reboot "$figure" "$fsynced" "$off1"
        [[ -n $SC_FAIL ]] && return
        if [[ -z $back ]]; then
                SC_FAIL="the target did not hear from the initiator after the path came back"
        elif ! awk -v a="$up" -v b="$back" -v l="$SC_BACK_LIMIT_S" 'BEGIN { exit !(b - a <= l) }'; then
                SC_FAIL="the initiator was heard from $(vm_elapsed "$up" "$back")s after the path came back (limit ${SC_BACK_LIMIT_S}s)"
        fi
}

# On demand: the administrator already has a node record for the root disk's session,
# with Debian's iscsid.conf defaults (as `iscsiadm -m discovery` writes it).
# sd-iscsi handoff keeps it and says so, iscsid adopts the session with
# replacement_timeout 120, and the same outage fails the root disk: what every boot did
# before the handoff wrote records. Passes when that failure is seen, so that it also
# shows real-root-outage's checks would catch it.
sc_real_root_outage_admin_record() {
        local img=$VM_RUN/debian-admin.img rec=$VM_RUN/admin-record
        local db=${STACK_ISCSI_DB_DIR#/}
        local dir=$db/nodes/$VM_IQN_REAL/$VM_HOST4,$VM_PORT,1
        SC_OUTAGE_S=$VM_OUTAGE_S SC_BACK_LIMIT_S=
        SC_DESC="real root with the administrator's node record (replacement_timeout 120): a ${SC_OUTAGE_S}s path cut fails /"
        vm_real_root_first_boot || return
        # The same root, on a copy that holds the administrator's record.
        vm_target_clear
        cp --sparse=always "$VM_DEBIAN_IMG" "$img"
        (umask 077 && cat >"$rec") <<-REC
	# BEGIN RECORD 2.1.8
	node.name = $VM_IQN_REAL
	node.tpgt = 1
	node.startup = manual
	iface.iscsi_ifacename = default
	iface.transport_name = tcp
	node.discovery_type = send_targets
	node.session.timeo.replacement_timeout = 120
	node.conn[0].address = $VM_HOST4
	node.conn[0].port = $VM_PORT
	node.conn[0].timeo.noop_out_interval = 5
	node.conn[0].timeo.noop_out_timeout = 5
	# END RECORD
	REC
        debugfs -w -f - "$img" >/dev/null 2>&1 <<-CMDS
	mkdir $db/nodes
	mkdir $db/nodes/$VM_IQN_REAL
	mkdir $dir
	rm $dir/default
	write $rec $dir/default
	CMDS
        vm_target_add 1 "$VM_IQN_REAL" 1 "$img"
        SC_END=halt
        SC_TIMEOUT=$((SC_OUTAGE_S + 540))
        SC_HOOK=fault_path_cut SC_CHECK=check_real_root_outage_failed
        SC_EXPECT=("SDI-REAL adopted [0-9]+ yes"
                "SDI-REAL show   Node record: the administrator's, kept"
                "SDI-REAL show   iscsid adopts with: replacement_timeout 120, noop_out_interval 5, noop_out_timeout 5"
                "SDI-REAL timeouts [0-9]+ recovery_tmo=120 ping_tmo=5 recv_tmo=5"
                "SDI-REAL writer records=[0-9]+ fsynced=[0-9]+ errors=[1-9][0-9]* maxstall=[0-9]+ms io-errors=[1-9]"
                "Aborting journal" "SDI-REAL ro-after ro")
}

check_real_root_outage_failed() {
        local down up writer
        down=$(cat "$(vm_fault_file down)" 2>/dev/null)
        up=$(cat "$(vm_fault_file up)" 2>/dev/null)
        vm_fault_reset
        vm_ns ip link set tap0 up
        writer=$(grep -aoE 'SDI-REAL writer records=[0-9]+ fsynced=[0-9]+ errors=[0-9]+ maxstall=[0-9]+ms io-errors=[0-9]+' "$VM_CONSOLE" | head -1)
        VM_T_UPTIME=$(grep -aoE 'SDI-REAL uptime=[0-9.]+' "$VM_CONSOLE" | head -1 | sed 's/.*=//')
        [[ -n $down && -n $up ]] || SC_FAIL="the path was not cut and restored"
        SC_FIGURE="path down ${down:+$(vm_elapsed "$down" "$up")}s, ${writer#SDI-REAL }, / $(grep -aoE 'SDI-REAL ro-after [a-z]+' "$VM_CONSOLE" | head -1 | sed 's/.* //')"
}

# On demand: a bonded boot NIC (issue 12). Two NICs on the host's bridge enslaved to
# bond0 by bond=…:mode=active-backup,miimon=100 (systemd-network-generator makes the bond
# and its slaves, sd-iscsi prepare the .netdev with the options the generator drops),
# the static address on bond0. Under the fsync writer in the real root, the active slave
# loses its link for VM_BOND_CUT_S, then gets it back. The root disk must not notice (no
# write error, no kernel I/O error), the bond must fail over and take the slave back by
# itself (the bonding driver's own kernel messages), and the handoff must keep bond0's
# address.
VM_BOND_CUT_S=${VM_BOND_CUT_S:-30}
VM_MAC1=52:54:00:5d:15:11
sc_real_root_bond() {
        local i
        SC_DESC="real root on a bonded boot NIC: the carrying slave cut for ${VM_BOND_CUT_S}s under an fsync loop"
        vm_real_root_first_boot || return
        vm_ns ip link show tap2 >/dev/null 2>&1 || vm_tap_add tap2
        SC_QEMU=(-netdev "tap,id=n1,ifname=tap2,script=no,downscript=no" -device "virtio-net-pci,netdev=n1,mac=$VM_MAC1")
        SC_CMDLINE="bond=bond0:eth0,eth1:mode=active-backup,miimon=100 ip=$VM_GUEST4::$VM_HOST4:255.255.255.0::bond0:none"
        SC_CMDLINE+=" $(vm_real_cmdline) sditest.writer sditest.nic=bond0 sditest.writefor=$((VM_BOND_CUT_S + 25))"
        SC_END=halt
        SC_TIMEOUT=$((VM_BOND_CUT_S + 540))
        SC_HOOK=fault_bond_cut SC_CHECK=check_real_root_bond
        vm_expect_real
        # The first boot's boot NIC is bond0 (the second boot has eth0 alone again).
        for i in "${!SC_EXPECT[@]}"; do
                SC_EXPECT[i]=${SC_EXPECT[i]//eth0/bond0}
        done
        SC_EXPECT+=("SDI-REAL addr bond0=$VM_GUEST4/24 forever"
                "SDI-REAL bond bond0 mode=active-backup miimon=100 active=eth[01] eth[01]=up eth[01]=up"
                "bond0: \(slave eth[01]\): link status definitely down"
                "bond0: \(slave eth[01]\): making interface the new active one"
                "bond0: \(slave eth[01]\): link status definitely up"
                "SDI-REAL writer records=[0-9]+ fsynced=[0-9]+ errors=0 maxstall=[0-9]+ms io-errors=0"
                "SDI-REAL bond-after bond0 mode=active-backup miimon=100 active=eth[01] eth[01]=up eth[01]=up"
                "SDI-REAL ro-after rw")
        SC_REJECT+=("Remounting filesystem read-only" "Aborting journal")
}

# When the writer runs: the slave that carries the traffic loses its link (QEMU's
# set_link: the guest sees the carrier go), and gets it back VM_BOND_CUT_S later.
fault_bond_cut() {
        local active nic
        vm_wait_console 'SDI-REAL writer start'
        active=$(grep -aoE 'SDI-REAL bond bond0 mode=[^ ]+ miimon=[0-9]+ active=eth[01]' "$VM_CONSOLE" | head -1 | sed 's/.*active=//')
        nic=${active:-eth0}
        echo "$nic" >"$(vm_fault_file slave)"
        sleep 3
        vm_qmp "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"n${nic#eth}\", \"up\": false}}" || return
        vm_now >"$(vm_fault_file down)"
        sleep "$VM_BOND_CUT_S"
        vm_qmp "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"n${nic#eth}\", \"up\": true}}" || return
        vm_now >"$(vm_fault_file up)"
}

check_real_root_bond() {
        local down up slave first=$VM_CONSOLE writer fsynced stall off1 mode after
        down=$(cat "$(vm_fault_file down)" 2>/dev/null)
        up=$(cat "$(vm_fault_file up)" 2>/dev/null)
        slave=$(cat "$(vm_fault_file slave)" 2>/dev/null)
        vm_fault_reset
        writer=$(grep -aoE 'SDI-REAL writer records=[0-9]+ fsynced=[0-9]+ errors=[0-9]+ maxstall=[0-9]+ms io-errors=[0-9]+' "$first" | head -1)
        fsynced=$(sed -E 's/.*fsynced=([0-9]+).*/\1/' <<<"$writer")
        stall=$(sed -E 's/.*maxstall=([0-9]+)ms.*/\1/' <<<"$writer")
        mode=$(grep -aoE 'SDI-REAL bond bond0 mode=[^ ]+ miimon=[0-9]+ active=[^ ]*' "$first" | head -1 | sed 's/.*mode=//')
        after=$(grep -aoE 'SDI-REAL bond-after bond0 .*' "$first" | head -1 | sed 's/.*mode=[^ ]* //')
        off1=$(vm_poweroff_time)
        VM_T_UPTIME=$(grep -aoE 'SDI-REAL uptime=[0-9.]+' "$first" | head -1 | sed 's/.*=//')
        if [[ -z $down || -z $up ]]; then
                SC_FAIL="the slave's link was not cut and restored"
                return
        elif [[ -z $writer ]]; then
                SC_FAIL="the writer did not finish (console: $first)"
                return
        fi
        vm_real_reboot "bond mode ${mode:-?}, $slave cut $(vm_elapsed "$down" "$up")s, then ${after:-?}; longest fsync ${stall}ms, ${fsynced} records fsync'd, poweroff ${off1:-?}s" "$fsynced" "$off1"
}
