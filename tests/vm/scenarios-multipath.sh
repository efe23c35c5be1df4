# shellcheck shell=bash
# The SC_* variables are read by vm_run_scenario (scenarios.sh).
# shellcheck disable=SC2034
# A dm-multipath root (issue 12): one LUN behind two portals on two networks, the real
# Debian root on the multipath map. eth0 reaches the target on the bridge (VM_HOST4),
# eth1 on a second one (br1, VM_HOST4B); two netroot= name the same target on each.
# The initramfs has dracut's multipath module and tests/vm/multipath/multipath.conf
# (every path multipathed, both paths carrying I/O, queueing when none is left); the real
# root runs multipathd with the same configuration (vm_debian_image … mpath). The paths
# themselves fail fast (replacement_timeout 5 s, a noop-out every 5 s, 15 s to answer
# it): dm-multipath, not the session, queues. 15 s, not 5: between the initrd's iscsid
# and the real root's no daemon recovers a connection, and a TCG guest once went 10 s
# without a reply on both paths there, which failed both for good (sd-iscsi(7)). The
# real root's test (tests/vm/realroot/sdi-real-test, sditest.mpath) reports the map and
# each path's state whenever it changes.

VM_SCENARIOS+=(real-root-multipath)

VM_NET4B=192.168.101
VM_HOST4B=$VM_NET4B.1
VM_GUEST4B=$VM_NET4B.10
VM_MAC_MPATH=52:54:00:5d:15:12
VM_MPATH_CUT_S=${VM_MPATH_CUT_S:-30}
# From the path's return to multipathd using it again: iscsid's reconnect (an attempt
# under way when the path returns can wait out its 15 s login timeout first) and
# multipathd's checker (every 2 s). Seen: 5 to 19 s.
VM_MPATH_BACK_LIMIT_S=${VM_MPATH_BACK_LIMIT_S:-30}
VM_MPATH_PARAMS=(rd.iscsi.param=node.session.timeo.replacement_timeout=5
        "rd.iscsi.param=node.conn[0].timeo.noop_out_interval=5"
        "rd.iscsi.param=node.conn[0].timeo.noop_out_timeout=15")

# The second network: its own bridge and tap (tap3), and a tgtd portal on it.
vm_mpath_net() {
        if ! vm_ns ip link show br1 >/dev/null 2>&1; then
                vm_ns ip link add br1 type bridge
                vm_ns ip link set br1 up
                vm_ns ip addr add "$VM_HOST4B/24" dev br1
                vm_ns ip tuntap add tap3 mode tap
                vm_ns ip link set tap3 master br1
        fi
        vm_ns ip link set tap3 up
        vm_tgtadm --op new --mode portal --param "portal=$VM_HOST4B:$VM_PORT" >/dev/null 2>&1 || true
        SC_QEMU=(-netdev "tap,id=n1,ifname=tap3,script=no,downscript=no"
                -device "virtio-net-pci,netdev=n1,mac=$VM_MAC_MPATH")
}

# No other scenario has a portal on the second network.
vm_mpath_net_undo() {
        vm_ns ip link set tap3 up 2>/dev/null
        vm_tgtadm --op delete --mode portal --param "portal=$VM_HOST4B:$VM_PORT" >/dev/null 2>&1 || true
}

# The command line of the first boot: both paths, static addresses on both NICs.
vm_mpath_cmdline() {
        echo "ip=$VM_GUEST4::$VM_HOST4:255.255.255.0::eth0:none ip=$VM_GUEST4B:::255.255.255.0::eth1:none" \
                "netroot=iscsi:$VM_HOST4::::$VM_IQN_REAL netroot=iscsi:$VM_HOST4B::::$VM_IQN_REAL" \
                "root=LABEL=$VM_DEBIAN_LABEL rw rd.iscsi.initiator=$VM_INITIATOR printk.devkmsg=on" \
                "${VM_MPATH_PARAMS[@]}" sditest.mpath
}

# The real root's expectations (vm_expect_real) on a multipath root. multipathd sets
# every iSCSI path's recovery_tmo to its fast_io_fail_tmo (5 s by default), whatever
# the node record says: on the second boot too, whose one path has the root disk's
# default record (86400 s, noop-outs off). The first boot's sessions have the short
# path settings of VM_MPATH_PARAMS.
vm_expect_real_mpath() {
        local i
        vm_expect_real
        for i in "${!VM_REAL_EXPECT[@]}"; do
                VM_REAL_EXPECT[i]=${VM_REAL_EXPECT[i]/recovery_tmo=86400 ping_tmo=0/recovery_tmo=5 ping_tmo=0}
        done
        for i in "${!SC_EXPECT[@]}"; do
                SC_EXPECT[i]=${SC_EXPECT[i]/recovery_tmo=86400 ping_tmo=0 recv_tmo=0/recovery_tmo=5 ping_tmo=15 recv_tmo=5}
                SC_EXPECT[i]=${SC_EXPECT[i]/replacement_timeout=86400/replacement_timeout=5}
        done
        SC_EXPECT+=("SDI-REAL mpath multipathd=active maps=[^ ]+"
                "SDI-REAL mpath-root /dev/mapper/"
                "SDI-REAL mpath-addr eth0=$VM_GUEST4/24 forever")
}

# vm_mpath_first_boot: the multipath image and real root, the target on both portals,
# the first boot's command line and expectations. Returns 1, with SC_FAIL set, without
# a real root.
vm_mpath_first_boot() {
        SC_IMAGE=sd-iscsi-mpath
        if ! vm_debian_image "$STACK_STAGE" mpath; then
                SC_FAIL="cannot build the Debian real root (log: $VM_CACHE/debian-base.log)"
                return 1
        fi
        vm_real_target
        vm_mpath_net
        SC_CMDLINE=$(vm_mpath_cmdline)
        SC_END=halt
        vm_expect_real_mpath
}

# Under the fsync writer in the real root, the path over eth1 is cut at the network
# (tap3 down: no reset on either side) for VM_MPATH_CUT_S, then restored. The writer
# must not see an error; dm-multipath fails the path over, and multipathd reinstates it
# by itself when it is back.
sc_real_root_multipath() {
        local i
        SC_DESC="real root on dm-multipath over two portals: one path cut for ${VM_MPATH_CUT_S}s under an fsync loop"
        vm_mpath_first_boot || return
        for i in "${!SC_EXPECT[@]}"; do
                SC_EXPECT[i]=${SC_EXPECT[i]/sessions=1/sessions=2}
        done
        SC_CMDLINE+=" sditest.writer sditest.writefor=$((VM_MPATH_CUT_S + 45))"
        SC_TIMEOUT=$((VM_MPATH_CUT_S + 600))
        SC_HOOK=fault_mpath_cut SC_CHECK=check_real_root_multipath
        SC_EXPECT+=("SDI-REAL record $STACK_ISCSI_DB_DIR/nodes/$VM_IQN_REAL/$VM_HOST4B,$VM_PORT,1/default mode=600 by=_Written_by_sd-iscsi_handoff replacement_timeout=5"
                "SDI-REAL mpath-table .* multipath .* [0-9]+:[0-9]+ ([0-9]+ )+[0-9]+:[0-9]+ "
                "SDI-REAL mpath-addr eth1=$VM_GUEST4B/24 forever"
                "SDI-REAL mpath-paths sd[a-z]+=active sd[a-z]+=active "
                "SDI-REAL mpath-paths .*failed"
                "SDI-REAL show +Multipath "
                "SDI-REAL writer records=[0-9]+ fsynced=[0-9]+ errors=0 maxstall=[0-9]+ms io-errors=[0-9]+"
                "SDI-REAL mpath-after sd[a-z]+=active sd[a-z]+=active "
                "SDI-REAL timeouts-after [0-9]+ recovery_tmo=5 ping_tmo=15 recv_tmo=5"
                "SDI-REAL ro-after rw")
        SC_REJECT+=("SDI-REAL writer gave up" "Remounting filesystem read-only" "Aborting journal"
                "Buffer I/O error on dev dm-")
}

# vm_console_count REGEX: how many console lines match.
vm_console_count() { grep -acE -- "$1" "$VM_CONSOLE"; }

fault_mpath_cut() {
        local i
        vm_wait_console 'SDI-REAL writer start'
        sleep 3
        vm_ns ip link set tap3 down
        vm_now >"$(vm_fault_file down)"
        sleep "$VM_MPATH_CUT_S"
        vm_ns ip link set tap3 up
        vm_now >"$(vm_fault_file up)"
        # Both paths active again: the second such line of the watcher (the first was
        # before the cut).
        for ((i = 0; i < 1200; i++)); do
                if (($(vm_console_count 'SDI-REAL mpath-paths sd[a-z]+=active sd[a-z]+=active ') >= 2)); then
                        vm_now >"$(vm_fault_file back)"
                        return
                fi
                sleep 0.25
        done
}

check_real_root_multipath() {
        local down up back fsynced stall off1 first=$VM_CONSOLE failed_at figure ioerr
        down=$(cat "$(vm_fault_file down)" 2>/dev/null)
        up=$(cat "$(vm_fault_file up)" 2>/dev/null)
        back=$(cat "$(vm_fault_file back)" 2>/dev/null)
        vm_fault_reset
        vm_mpath_net_undo
        fsynced=$(grep -aoE 'SDI-REAL writer records=[0-9]+ fsynced=[0-9]+' "$first" | head -1 | sed 's/.*fsynced=//')
        stall=$(grep -aoE 'maxstall=[0-9]+ms' "$first" | head -1 | tr -dc 0-9)
        # The kernel's I/O errors are the failed path's (dm-multipath retries them on the
        # other); the writer's own errors are judged by SC_EXPECT.
        ioerr=$(grep -aoE 'io-errors=[0-9]+' "$first" | head -1 | tr -dc 0-9)
        failed_at=$(grep -aoE 'SDI-REAL mpath-paths .*failed.*' "$first" | head -1 | sed 's/SDI-REAL mpath-paths //')
        off1=$(vm_poweroff_time)
        VM_T_UPTIME=$(grep -aoE 'SDI-REAL uptime=[0-9.]+' "$first" | head -1 | sed 's/.*=//')
        if [[ -z $down || -z $up ]]; then
                SC_FAIL="the path was not cut and restored"
                return
        elif [[ -z $back ]]; then
                SC_FAIL="the path did not come back within 300 s of its return"
                return
        elif [[ -z $fsynced ]]; then
                SC_FAIL="the writer did not finish (console: $first)"
                return
        fi
        figure="path ${failed_at:-?}cut $(vm_elapsed "$down" "$up")s, back in use $(vm_elapsed "$up" "$back")s after its return, longest fsync ${stall:-?}ms, ${fsynced} records fsync'd, ${ioerr:-?} kernel I/O errors on the failed path, poweroff ${off1:-?}s"
        if ! awk -v b="$(vm_elapsed "$up" "$back")" -v l="$VM_MPATH_BACK_LIMIT_S" 'BEGIN { exit !(b <= l) }'; then
                SC_FAIL="the path was back in use $(vm_elapsed "$up" "$back")s after its return (limit ${VM_MPATH_BACK_LIMIT_S}s)"
        fi
        vm_real_reboot "$figure" "$fsynced" "$off1"
}

# On demand: the second portal's network is down from the start. Its login gives up
# the grace (rd.iscsi.grace=, 10 s by default) after the map's device appeared, and the
# real root comes up on the map with one path (reported only: sditest.reportonly). Not
# logged in later by itself: nothing in the real root knows the path (sd-iscsi(7)).
sc_real_root_multipath_dead_path() {
        local why="root device /dev/disk/by-label/$VM_DEBIAN_LABEL present, grace of 10s \(rd\.iscsi\.grace=\) over"
        SC_DESC="real root on dm-multipath, the second portal unreachable at boot: the boot waits for it at most the grace"
        vm_mpath_first_boot || return
        vm_ns ip link set tap3 down
        SC_CMDLINE+=" sditest.reportonly"
        SC_TIMEOUT=420
        SC_CHECK=check_real_root_multipath_dead_path
        SC_EXPECT+=("SDI-INITRD login Giving up on $VM_IQN_REAL at $VM_HOST4B:$VM_PORT: $why after [0-9]+ attempt\(s\)\."
                "SDI-INITRD unit sd-iscsi-login@cmdline-1\.service loaded failed failed .*changed=[0-9.]+"
                "SDI-REAL mpath-paths-now sd[a-z]+=active\s*$"
                "SDI-REAL show +Path: +session[0-9]+ LOGGED_IN, disk sd[a-z]+ \(LUN 1\), path of multipath ")
}

check_real_root_multipath_dead_path() {
        local err
        vm_mpath_net_undo
        VM_T_UPTIME=$(grep -aoE 'SDI-REAL uptime=[0-9.]+' "$VM_CONSOLE" | head -1 | sed 's/.*=//')
        vm_check_dead_path 10
        err=$(grep -aoE 'SDI-INITRD login Giving up on .*Last error: .*' "$VM_CONSOLE" | head -1 | sed 's/.*Last error: //')
        SC_FIGURE=${SC_FIGURE/dead path: ?/dead path: ${err:-?}}
}
