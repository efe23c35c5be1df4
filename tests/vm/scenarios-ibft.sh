# shellcheck shell=bash disable=SC2034,SC2153
# (SC_* and VM_* are shared with scenarios.sh and lib.sh.)
# iBFT and DHCP root-path scenarios of the VM suite (sourced by tests/vm/run after
# scenarios.sh; same SC_* conventions).
#
#   ibft-static  only rd.iscsi.firmware=1: an mkibft table (static NIC) via -acpitable
#   ibft-dhcp    the table's NIC is DHCP (origin 3), udhcpd answers
#   ibft-chap    CHAP name and secret from the table, tgtd requires them
#   ibft-vlan    NIC on VLAN 10: the portal is on a VLAN device in the namespace
#   root-dhcp    root=dhcp: the root path (option 17) comes from udhcpd
#   ibft-ipxe    real firmware: QEMU's iPXE ROM boots over HTTP after `sanhook`;
#                the iBFT is found by the kernel's memory scan (no ACPI copy)

VM_SCENARIOS+=(ibft-static ibft-dhcp ibft-chap ibft-chap-credential ibft-vlan root-dhcp root-dhcp-credential ibft-ipxe)

VM_VLAN=10
VM_VNET4=192.168.110
VM_VHOST4=$VM_VNET4.1
VM_VGUEST4=$VM_VNET4.10
VM_IBFT_CHAP_USER=ibftuser VM_IBFT_CHAP_PASS=Ibft-Secret-5151
VM_HTTP_PORT=80

# vm_ibft_table NAME MKIBFT-ARG…: writes $VM_RUN/NAME.ibft; sets SC_QEMU.
vm_ibft_table() {
        local name=$1 table=$VM_RUN/$1.ibft
        shift
        "$VM_BUILDDIR/mkibft" -o "$table" "$@" || { vm_log "mkibft failed for $name"; return 1; }
        SC_QEMU+=(-acpitable "file=$table")
}

# Every iBFT boot: the session came from the table and networkd configured the NIC
# from the file sd-iscsi prepare wrote.
vm_expect_ibft() {
        SC_EXPECT+=("SDI-INITRD unit sd-iscsi-login@ibft-0\.service loaded active")
        SC_REJECT+=("Failed to read the iSCSI Boot Firmware Table" "no iSCSI Boot Firmware Table")
}

sc_ibft_static() {
        SC_DESC="iBFT a: rd.iscsi.firmware=1 only, static NIC (-acpitable)"
        vm_root_target
        vm_ibft_table static -i "$VM_INITIATOR" \
                -n "index=0,mac=$VM_MAC,ip=$VM_GUEST4/24,gw=$VM_HOST4" \
                -t "ip=$VM_HOST4,nic=0,lun=1,name=$VM_IQN_ROOT" || return
        SC_CMDLINE="rd.iscsi.firmware=1 root=LABEL=$VM_ROOT_LABEL"
        vm_expect_root
        vm_expect_sdiscsi
        vm_expect_ibft
        SC_EXPECT+=("SDI-ROOT addr eth0=$VM_GUEST4/24")
}

sc_ibft_dhcp() {
        SC_DESC="iBFT b: DHCP NIC (origin 3)"
        vm_root_target
        vm_dhcp_start
        vm_ibft_table dhcp -i "$VM_INITIATOR" \
                -n "index=0,mac=$VM_MAC,dhcp,ip=$VM_NET4.50/24,dhcp-server=$VM_HOST4" \
                -t "ip=$VM_HOST4,nic=0,lun=1,name=$VM_IQN_ROOT" || return
        SC_CMDLINE="rd.iscsi.firmware=1 root=LABEL=$VM_ROOT_LABEL"
        vm_expect_root
        vm_expect_sdiscsi
        vm_expect_ibft
        SC_EXPECT+=("SDI-ROOT addr eth0=$VM_NET4\.5[0-9]/24")
}

sc_ibft_chap() {
        SC_DESC="iBFT c: CHAP from the table (tgtd account)"
        vm_root_target
        vm_target_chap 1 "$VM_IBFT_CHAP_USER" "$VM_IBFT_CHAP_PASS"
        vm_ibft_table chap -i "$VM_INITIATOR" \
                -n "index=0,mac=$VM_MAC,ip=$VM_GUEST4/24,gw=$VM_HOST4" \
                -t "ip=$VM_HOST4,nic=0,lun=1,name=$VM_IQN_ROOT,chap=chap,chap-name=$VM_IBFT_CHAP_USER,chap-secret=$VM_IBFT_CHAP_PASS" ||
                return
        SC_CMDLINE="rd.iscsi.firmware=1 root=LABEL=$VM_ROOT_LABEL"
        vm_expect_root
        vm_expect_sdiscsi
        vm_expect_ibft
        # The secret is in the table only: it must not reach the console (kernel log,
        # systemd's status lines, our messages).
        SC_SECRETS+=("$VM_IBFT_CHAP_PASS")
}

# Credentials serve every source. The table's secret is stale; the session's credential
# (sd-iscsi.ibft-0.chap.password, from the hypervisor) holds the right one and wins: the
# target never refuses a login.
sc_ibft_chap_credential() {
        SC_DESC="iBFT e: CHAP user from the table, the secret from the session's credential over the table's"
        vm_root_target
        vm_target_chap 1 "$VM_IBFT_CHAP_USER" "$VM_IBFT_CHAP_PASS"
        vm_ibft_table chap-credential -i "$VM_INITIATOR" \
                -n "index=0,mac=$VM_MAC,ip=$VM_GUEST4/24,gw=$VM_HOST4" \
                -t "ip=$VM_HOST4,nic=0,lun=1,name=$VM_IQN_ROOT,chap=chap,chap-name=$VM_IBFT_CHAP_USER,chap-secret=Stale-Table-6161" ||
                return
        SC_CMDLINE="rd.iscsi.firmware=1 root=LABEL=$VM_ROOT_LABEL rd.iscsi.timeout=60 sditest.audit"
        SC_QEMU+=(-smbios "type=11,value=io.systemd.credential:sd-iscsi.ibft-0.chap.password=$VM_IBFT_CHAP_PASS")
        SC_SECRETS+=("$VM_IBFT_CHAP_PASS" Stale-Table-6161)
        vm_expect_root
        vm_expect_sdiscsi
        vm_expect_ibft
        SC_EXPECT+=("SDI-AUDIT PASS secrets=1 " "SDI-ROOT state ibft-0 STATE=logged-in")
        SC_REJECT+=("SDI-AUDIT (LEAK|FAIL)" "SDI-ROOT state ibft-0 .*REJECTED=")
}

# The host side of the VLAN. The host kernel may lack 8021q (and bridge VLAN
# filtering), so the tagging happens in user space: tests/vm/vlan-switch.py carries the
# guest's NIC (a QEMU socket netdev) and passes only frames tagged with the VLAN, untagged,
# to tapv, which has the portal's address. tapv and the portal are made once per run.
vm_vlan_up() {
        if ! vm_ns ip link show tapv >/dev/null 2>&1; then
                vm_ns ip tuntap add tapv mode tap || return 1
                vm_ns ip addr add "$VM_VHOST4/24" dev tapv || return 1
                vm_ns ip link set tapv up || return 1
                vm_tgtadm --op new --mode portal --param "portal=$VM_VHOST4:$VM_PORT" >/dev/null || return 1
        fi
}

sc_ibft_vlan() {
        SC_DESC="iBFT d: NIC on VLAN $VM_VLAN (tagged in the namespace)"
        vm_root_target
        vm_vlan_up || { vm_log "cannot set up the VLAN side"; return; }
        vm_ibft_table vlan -i "$VM_INITIATOR" \
                -n "index=0,mac=$VM_MAC,ip=$VM_VGUEST4/24,vlan=$VM_VLAN" \
                -t "ip=$VM_VHOST4,nic=0,lun=1,name=$VM_IQN_ROOT" || return
        SC_CMDLINE="rd.iscsi.firmware=1 root=LABEL=$VM_ROOT_LABEL"
        vm_expect_root "$VM_IQN_ROOT" "$VM_VHOST4"
        vm_expect_sdiscsi
        vm_expect_ibft
        SC_EXPECT+=("SDI-ROOT addr ibft0\.$VM_VLAN(@[a-z0-9]+)?=$VM_VGUEST4/24")
}

sc_root_dhcp() {
        SC_DESC="root=dhcp: root path iscsi:… (option 17) from udhcpd"
        vm_root_target
        vm_dhcp_start "option rootpath iscsi:$VM_HOST4::$VM_PORT:1:$VM_IQN_ROOT"
        SC_CMDLINE="ip=dhcp root=dhcp rd.iscsi.initiator=$VM_INITIATOR rd.iscsi.timeout=120"
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-INITRD unit sd-iscsi-login@dhcp\.service loaded active"
                "SDI-ROOT disk sd[a-z]+ hctl=[0-9]+:0:0:1 lun=1 "
                "SDI-ROOT addr eth0=$VM_NET4\.5[0-9]/24")
}

# A DHCP root path names the user and leaves the secret to a credential ("user:@"): the
# global sd-iscsi.chap.password serves the session the lease makes.
sc_root_dhcp_credential() {
        SC_DESC="root=dhcp: root path iscsi:user:@… from udhcpd, the secret from a credential"
        vm_root_target
        vm_target_chap 1 "$VM_CHAP_USER" "$VM_CHAP_PASS"
        vm_dhcp_start "option rootpath iscsi:$VM_CHAP_USER:@$VM_HOST4::$VM_PORT:1:$VM_IQN_ROOT"
        SC_CMDLINE="ip=dhcp root=dhcp rd.iscsi.initiator=$VM_INITIATOR rd.iscsi.timeout=120 sditest.audit"
        SC_QEMU=(-smbios "type=11,value=io.systemd.credential:sd-iscsi.chap.password=$VM_CHAP_PASS")
        SC_SECRETS+=("$VM_CHAP_PASS")
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-INITRD unit sd-iscsi-login@dhcp\.service loaded active"
                "SDI-AUDIT PASS secrets=1 " "SDI-ROOT state dhcp STATE=logged-in")
        SC_REJECT+=("SDI-AUDIT (LEAK|FAIL)" "SDI-ROOT state dhcp .*REJECTED=")
}

# ---------------------------------------------------------------- iPXE

# Two scenarios boot differently: ibft-ipxe through the firmware (vm_boot's "-", with
# an HTTP server beside it), ibft-vlan with its NIC on the VLAN switch. vm_boot
# dispatches on the scenario name.
eval "$(declare -f vm_boot | sed '1s/^vm_boot /vm_boot_direct /')"
vm_boot() {
        case $1 in
        ibft-ipxe) vm_boot_ipxe "$@" ;;
        ibft-vlan) vm_boot_vlan "$@" ;;
        *) vm_boot_direct "$@" ;;
        esac
}

# vm_boot_ipxe NAME INITRD CMDLINE [QEMU ARG…]: serves the kernel, INITRD and the iPXE
# script over HTTP from the namespace, then boots through the firmware (vm_boot's "-").
vm_boot_ipxe() {
        local name=$1 initrd=$2 cmdline=$3 www=$VM_RUN/www httpd
        shift 3
        mkdir -p "$www"
        ln -sf "$VM_KERNEL" "$www/vmlinuz"
        ln -sf "$initrd" "$www/initrd"
        vm_ipxe_script "$cmdline" >"$www/boot.ipxe"
        ip netns exec "$VM_NS" busybox httpd -f -p "$VM_HOST4:$VM_HTTP_PORT" -h "$www" >"$VM_RUN/httpd.log" 2>&1 &
        httpd=$!
        VM_QEMU_PIDS+=("$httpd")
        vm_boot_direct "$name" - "" -boot n "$@"
        vm_stop_pid "$httpd" 2
        local p keep=()
        for p in "${VM_QEMU_PIDS[@]}"; do
                [[ $p == "$httpd" ]] || keep+=("$p")
        done
        VM_QEMU_PIDS=("${keep[@]}")
}

# vm_ipxe_script CMDLINE: the iPXE script: hook the root target as a SAN disk (which
# makes iPXE write the iBFT), then boot the kernel over HTTP.
vm_ipxe_script() {
        cat <<-EOF
	#!ipxe
	set initiator-iqn $VM_INITIATOR
	sanhook --drive 0x80 iscsi:$VM_HOST4::$VM_PORT:1:$VM_IQN_ROOT || goto failed
	kernel http://$VM_HOST4:$VM_HTTP_PORT/vmlinuz console=ttyS0,115200 net.ifnames=0 panic=-1 $1 || goto failed
	initrd http://$VM_HOST4:$VM_HTTP_PORT/initrd || goto failed
	boot
	:failed
	poweroff
	EOF
}

# vm_boot_vlan NAME INITRD CMDLINE [QEMU ARG…]: like vm_boot, with the NIC on
# tests/vm/vlan-switch.py (a QEMU socket netdev) instead of tap0. Sets what vm_boot sets.
vm_boot_vlan() {
        local name=$1 initrd=$2 cmdline=$3 t0 pid switch
        shift 3
        VM_CONSOLE=$VM_OUT/$name.console
        : >"$VM_CONSOLE"
        VM_RESULT=timeout VM_WALL=
        ip netns exec "$VM_NS" python3 "$VM_DIR/vlan-switch.py" "$VM_VLAN" tapv 5810 5811 "$VM_BOOT_TIMEOUT" \
                >"$VM_OUT/$name.vlan-switch" 2>&1 &
        switch=$!
        VM_QEMU_PIDS+=("$switch")
        t0=$(vm_now)
        ip netns exec "$VM_NS" qemu-system-x86_64 ${VM_QEMU_CPU:-$VM_QEMU_CPU_DEFAULT} -m 1024 -no-reboot \
                -display none -monitor none -serial "file:$VM_CONSOLE" \
                -kernel "$VM_KERNEL" -initrd "$initrd" \
                -append "console=ttyS0,115200 net.ifnames=0 panic=-1 $cmdline" \
                -netdev "socket,id=n0,udp=127.0.0.1:5810,localaddr=127.0.0.1:5811" \
                -device "virtio-net-pci,netdev=n0,mac=$VM_MAC" \
                "$@" >"$VM_OUT/$name.qemu" 2>&1 &
        pid=$!
        VM_QEMU_PIDS+=("$pid")
        vm_wait_result "$pid" "$t0"
        vm_wait_exit "$pid"
        vm_stop_pid "$pid" 2
        vm_stop_pid "$switch" 2
        local p keep=()
        for p in "${VM_QEMU_PIDS[@]}"; do
                [[ $p == "$pid" || $p == "$switch" ]] || keep+=("$p")
        done
        VM_QEMU_PIDS=("${keep[@]}")
}

sc_ibft_ipxe() {
        SC_DESC="iBFT f: iPXE sanhook + HTTP boot, table from real firmware"
        vm_root_target
        # iPXE's own DHCP takes ~16 s under TCG; the file name is the script's URL.
        vm_dhcp_start "boot_file http://$VM_HOST4:$VM_HTTP_PORT/boot.ipxe" "siaddr $VM_HOST4"
        SC_CMDLINE="rd.iscsi.firmware=1 root=LABEL=$VM_ROOT_LABEL"
        vm_expect_root
        vm_expect_sdiscsi
        vm_expect_ibft
        # iPXE prints to the VGA console only: its part is judged by its effects. The
        # kernel found the table by scanning low memory, not as an ACPI table.
        SC_EXPECT+=("iBFT found at 0x0*[0-9a-f]{5}\." "iBFT detected\." "SDI-ROOT addr eth0=$VM_NET4\.5[0-9]/24")
        SC_REJECT+=("ACPI: (iBFT|IBFT|BIFT) ")
}
