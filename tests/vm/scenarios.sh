# shellcheck shell=bash disable=SC2034
# Scenarios of the VM suite. Each sc_NAME function sets up the target (the
# runner cleared it before) and describes the boot in SC_* variables:
#   SC_IMAGE   sd-iscsi (default) or peer
#   SC_CMDLINE kernel command line after the harness's console options
#   SC_END     root (default): the root marker must appear; emergency: the
#              emergency marker must appear and the root marker must not
#   SC_EXPECT  extended regexes that must appear on the console
#   SC_REJECT  extended regexes that must not appear
#   SC_REPORT_REJECT  … must not appear in the emergency report (the
#              kernel echoes the whole command line on the console)
#   SC_QEMU    extra QEMU arguments
#   SC_DESC    one line for the report
#   SC_TIMEOUT hard limit for this boot (default VM_BOOT_TIMEOUT)
#   SC_HOOK    a function run in the background during the boot (QEMU's PID
#              as its argument), stopped when the boot ends
#   SC_CHECK   a function run after every boot (also to undo a fault); it sets
#              SC_FAIL to fail the scenario and SC_FIGURE to what it measured
# The iBFT and fault suites add their scenarios to VM_SCENARIOS the same way.

VM_SCENARIOS=(peer static dhcp root-iscsi chap mutual-chap two-targets ipv6 wrong-chap
        dracut-test70 firmware-without-ibft chap-credential chap-credential-missing
        chap-credential-precedence chap-credential-tpm2 chap-credential-tpm2-other)

VM_IQN_ROOT=$VM_IQN_BASE:root
VM_IQN_DATA=$VM_IQN_BASE:data
VM_STATIC4="ip=$VM_GUEST4::$VM_HOST4:255.255.255.0::eth0:off"
VM_CHAP_USER=sdiuser VM_CHAP_PASS=Chap-Secret-4242
VM_MCHAP_USER=sditarget VM_MCHAP_PASS=Target-Secret-7373

# Images, built once per run (and cached across runs by their inputs).
vm_scenarios_prepare() {
        vm_root_image "$VM_ROOT_LABEL" || vm_die "cannot build the root image"
        VM_ROOT_IMG=$VM_RUN/root.img
        cp --sparse=always "$VM_CACHED" "$VM_ROOT_IMG"
        vm_root_image "$VM_DATA_LABEL" || vm_die "cannot build the data image"
        VM_DATA_IMG=$VM_RUN/data.img
        cp --sparse=always "$VM_CACHED" "$VM_DATA_IMG"
        # Per image kind and builder, for the stack in use.
        declare -gA VM_IMAGES=() VM_IMAGE_WHY=() VM_IMAGE_SKIP=()
}

# vm_image_for peer|sd-iscsi: sets VM_IMAGE, building the image for the stack in use
# (and, for sd-iscsi, VM_BUILDER) on first use (a run of one scenario builds one
# image); a failed build is not retried. The peer is always dracut's.
vm_image_for() {
        local k=$1/$VM_BUILDER
        [[ $1 == peer ]] && k=peer
        VM_IMAGE=
        if [[ -z ${VM_IMAGES[$k]:-} && -z ${VM_IMAGE_WHY[$k]:-} ]]; then
                VM_SDI_WHY='' VM_SDI_UNAVAILABLE=''
                case $1 in
                peer) if vm_peer_image; then VM_IMAGES[$k]=$VM_CACHED; else VM_IMAGE_WHY[$k]="dracut failed"; fi ;;
                sd-iscsi) if vm_sdiscsi_image; then VM_IMAGES[$k]=$VM_CACHED; else VM_IMAGE_WHY[$k]=$VM_SDI_WHY; fi ;;
                sd-iscsi-tpm2)
                        if ! vm_tpm_supported; then
                                VM_IMAGE_WHY[$k]="swtpm is not installed" VM_SDI_UNAVAILABLE=1
                        elif VM_SDI_TPM2=yes vm_sdiscsi_image; then VM_IMAGES[$k]=$VM_CACHED
                        else VM_IMAGE_WHY[$k]=$VM_SDI_WHY; fi ;;
                sd-iscsi-mpath)
                        if [[ ! -x ${STACK_ROOT:-}/usr/sbin/multipathd && ! -x ${STACK_ROOT:-}/sbin/multipathd ]]; then
                                VM_IMAGE_WHY[$k]="multipath-tools is not installed in the $VM_STACK root" VM_SDI_UNAVAILABLE=1
                        elif VM_SDI_MPATH=yes vm_sdiscsi_image; then VM_IMAGES[$k]=$VM_CACHED
                        else VM_IMAGE_WHY[$k]=$VM_SDI_WHY; fi ;;
                esac
                VM_IMAGE_SKIP[$k]=$VM_SDI_UNAVAILABLE
        fi
        VM_IMAGE=${VM_IMAGES[$k]:-} VM_WHY=${VM_IMAGE_WHY[$k]:-} VM_IMAGE_UNAVAILABLE=${VM_IMAGE_SKIP[$k]:-}
        [[ -n $VM_IMAGE ]]
}

# The root target: the root file system on LUN 1 (LUN 0 is tgt's controller).
vm_root_target() { vm_target_add 1 "$VM_IQN_ROOT" 1 "$VM_ROOT_IMG"; }

# What every successful boot from the root target shows.
vm_expect_root() {
        local target=${1:-$VM_IQN_ROOT} addr=${2:-$VM_HOST4}
        SC_EXPECT+=("SDI-ROOT label=$VM_ROOT_LABEL"
                "SDI-ROOT disk sd[a-z]+ .* target=$target "
                "SDI-ROOT session session[0-9]+ target=$target state=LOGGED_IN conn=\[?$addr\]?:$VM_PORT")
}

# The sd-iscsi image did the work, not dracut's iscsi module.
vm_expect_sdiscsi() {
        SC_EXPECT+=("SDI-INITRD implementation=sd-iscsi\b" "SDI-INITRD unit sd-iscsi-login@[^ ]+ loaded active ")
        SC_REJECT+=("SDI-INITRD unit sd-iscsi-login@[^ ]+ loaded failed")
}

sc_peer() {
        SC_DESC="incumbent: dracut iscsi + network-legacy, static ip="
        SC_IMAGE=peer
        vm_root_target
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        vm_expect_root
        SC_EXPECT+=("SDI-INITRD implementation=none\+dracut-iscsi")
}

sc_static() {
        SC_DESC="1: ip= static, netroot=iscsi:, root=LABEL="
        vm_root_target
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-ROOT addr eth0=$VM_GUEST4/24")
}

sc_dhcp() {
        SC_DESC="2: ip=dhcp, netroot=iscsi:"
        vm_root_target
        vm_dhcp_start
        SC_CMDLINE="ip=dhcp netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-ROOT addr eth0=$VM_NET4\.5[0-9]/24")
}

sc_root_iscsi() {
        SC_DESC="3: root=iscsi: (no root=LABEL), LUN 1"
        vm_root_target
        SC_CMDLINE="$VM_STATIC4 root=iscsi:$VM_HOST4::$VM_PORT:1:$VM_IQN_ROOT rd.iscsi.initiator=$VM_INITIATOR"
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-ROOT disk sd[a-z]+ hctl=[0-9]+:0:0:1 lun=1 ")
}

sc_chap() {
        SC_DESC="4: one-way CHAP, secret audit"
        vm_root_target
        vm_target_chap 1 "$VM_CHAP_USER" "$VM_CHAP_PASS"
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_CHAP_USER:$VM_CHAP_PASS@$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR sditest.audit"
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-AUDIT PASS secrets=1 ")
        SC_REJECT+=("SDI-AUDIT (LEAK|FAIL)")
}

sc_mutual_chap() {
        SC_DESC="5: mutual CHAP, secret audit"
        vm_root_target
        vm_target_chap 1 "$VM_CHAP_USER" "$VM_CHAP_PASS" "$VM_MCHAP_USER" "$VM_MCHAP_PASS"
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_CHAP_USER:$VM_CHAP_PASS:$VM_MCHAP_USER:$VM_MCHAP_PASS@$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR sditest.audit"
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-AUDIT PASS secrets=2 ")
        SC_REJECT+=("SDI-AUDIT (LEAK|FAIL)")
}

sc_two_targets() {
        SC_DESC="6: two targets, LUNs 1 and 2, root on the second"
        vm_target_add 1 "$VM_IQN_DATA" 1 "$VM_DATA_IMG"
        vm_target_add 2 "$VM_IQN_ROOT" 2 "$VM_ROOT_IMG"
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_HOST4:::1:$VM_IQN_DATA netroot=iscsi:$VM_HOST4:::2:$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-ROOT disk sd[a-z]+ hctl=[0-9]+:0:0:2 lun=2 "
                "SDI-ROOT session session[0-9]+ target=$VM_IQN_DATA state=LOGGED_IN"
                "SDI-ROOT sessions=2")
}

sc_ipv6() {
        SC_DESC="7: IPv6 portal, static IPv6 address"
        vm_root_target
        SC_CMDLINE="ip=[$VM_GUEST6]::[$VM_HOST6]:64::eth0:none netroot=iscsi:[$VM_HOST6]::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        vm_expect_root "$VM_IQN_ROOT" "$VM_HOST6"
        vm_expect_sdiscsi
}

sc_wrong_chap() {
        SC_DESC="8: wrong CHAP password: emergency with the reason"
        vm_root_target
        vm_target_chap 1 "$VM_CHAP_USER" "$VM_CHAP_PASS"
        SC_END=emergency
        # The budget: 30 s of login attempts, then the root device gives up.
        SC_TIMEOUT=180
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_CHAP_USER:Wrong-Secret-0000@$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR rd.iscsi.timeout=30"
        SC_EXPECT+=("SDI-EMERGENCY-REPORT begin"
                "sd-iscsi-login@[^ ]+\.service"
                "$VM_IQN_ROOT"
                "[Aa]uthenticat|[Aa]uthoriz")
        SC_REPORT_REJECT=("Wrong-Secret-0000")
}

# The CHAP password as a system credential from the hypervisor (SMBIOS type 11), never on
# the command line ("user:@" leaves it to the credential sd-iscsi.chap.password). The
# in-initrd audit takes the secrets from the system credentials too, and checks that
# /proc/cmdline does not hold them.
sc_chap_credential() {
        SC_DESC="4c: one-way CHAP, password from a QEMU-passed credential, secret audit"
        vm_root_target
        vm_target_chap 1 "$VM_CHAP_USER" "$VM_CHAP_PASS"
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_CHAP_USER:@$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR sditest.audit"
        SC_QEMU=(-smbios "type=11,value=io.systemd.credential:sd-iscsi.chap.password=$VM_CHAP_PASS")
        SC_SECRETS+=("$VM_CHAP_PASS")
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-AUDIT PASS secrets=1 ")
        SC_REJECT+=("SDI-AUDIT (LEAK|FAIL)")
}

# The CHAP password sealed to the VM's TPM2 (swtpm): systemd-creds encrypt on the host,
# through swtpm's socket, to PCR 16 (the debug PCR: 0 after a TPM2_Startup on the host
# and in the guest; systemd 252 cannot decrypt a credential sealed to no PCR at all);
# the base64 passed as a plain credential; the image built with sd_iscsi_tpm2=yes
# (systemd-creds, tss2 libraries, tpm_tis) decrypts it in the login helper.
VM_TPM_DIR=
# Every stack and builder: the secret is sealed by the host's systemd-creds (252) and
# decrypted in the image by the stack's (257 on debian13), as when a machine is
# provisioned from an older tool than the one it boots.
vm_tpm_supported() { command -v swtpm >/dev/null && command -v swtpm_setup >/dev/null; }
vm_tpm_start() {        # [other] sets VM_TPM_DIR and VM_TPM_CRED (the sealed password, base64)
        VM_TPM_DIR=$VM_RUN/tpm
        rm -rf "$VM_TPM_DIR"
        mkdir -p "$VM_TPM_DIR/state"
        swtpm_setup --tpm2 --tpmstate "$VM_TPM_DIR/state" --pcr-banks sha256 --overwrite \
                >"$VM_TPM_DIR/setup.log" 2>&1 || return 1
        swtpm socket --tpm2 --tpmstate dir="$VM_TPM_DIR/state" \
                --server type=unixio,path="$VM_TPM_DIR/seal.sock" \
                --ctrl type=unixio,path="$VM_TPM_DIR/seal.sock.ctrl" --flags startup-clear \
                --daemon --pid file="$VM_TPM_DIR/seal.pid" || return 1
        local i
        for i in 1 2 3 4 5 6 7 8 9 10; do [[ -S $VM_TPM_DIR/seal.sock ]] && break; sleep 0.2; done
        printf '%s' "$VM_CHAP_PASS" | systemd-creds encrypt --with-key=tpm2 \
                --tpm2-device="swtpm:path=$VM_TPM_DIR/seal.sock" --tpm2-pcrs=16 \
                --name=sd-iscsi.chap.password - "$VM_TPM_DIR/pw.cred" 2>"$VM_TPM_DIR/seal.log"
        local rc=$?
        kill "$(cat "$VM_TPM_DIR/seal.pid")" 2>/dev/null
        sleep 0.5
        ((rc == 0)) || return 1
        VM_TPM_CRED=$(tr -d '\n' <"$VM_TPM_DIR/pw.cred")
        # other: the VM gets another TPM than the one the secret was sealed to.
        if [[ ${1:-} == other ]]; then
                rm -rf "$VM_TPM_DIR/state"
                mkdir -p "$VM_TPM_DIR/state"
                swtpm_setup --tpm2 --tpmstate "$VM_TPM_DIR/state" --pcr-banks sha256 --overwrite \
                        >>"$VM_TPM_DIR/setup.log" 2>&1 || return 1
        fi
        # The TPM for QEMU: the same state, a fresh swtpm on a control socket.
        swtpm socket --tpm2 --tpmstate dir="$VM_TPM_DIR/state" \
                --ctrl type=unixio,path="$VM_TPM_DIR/qemu.sock" --terminate \
                --daemon --pid file="$VM_TPM_DIR/qemu.pid" || return 1
        for i in 1 2 3 4 5 6 7 8 9 10; do [[ -S $VM_TPM_DIR/qemu.sock ]] && break; sleep 0.2; done
}
vm_tpm_stop() {
        [[ -n $VM_TPM_DIR && -f $VM_TPM_DIR/qemu.pid ]] && kill "$(cat "$VM_TPM_DIR/qemu.pid")" 2>/dev/null
        return 0
}

sc_chap_credential_tpm2() {
        SC_DESC="4f: one-way CHAP, password sealed to the VM's TPM2 (swtpm), secret audit"
        SC_IMAGE=sd-iscsi-tpm2
        SC_CHECK=vm_tpm_stop
        vm_tpm_supported || return 0    # vm_image_for skips it
        vm_root_target
        vm_target_chap 1 "$VM_CHAP_USER" "$VM_CHAP_PASS"
        vm_tpm_start || vm_die "cannot set up swtpm or seal the credential (log: $VM_TPM_DIR)"
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_CHAP_USER:@$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR sditest.audit"
        # The audit's plain copy of the secret (sdi-test-audit: sditest.secret).
        SC_QEMU=(-smbios "type=11,value=io.systemd.credential:sditest.secret=$VM_CHAP_PASS"
                -chardev "socket,id=chrtpm,path=$VM_TPM_DIR/qemu.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm
                -device tpm-tis,tpmdev=tpm0
                -smbios "type=11,value=io.systemd.credential:sd-iscsi.chap.password=$VM_TPM_CRED")
        SC_SECRETS+=("$VM_CHAP_PASS")
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-AUDIT PASS secrets=2 ")
        SC_REJECT+=("SDI-AUDIT (LEAK|FAIL)")
        SC_EXPECT+=("SDI-ROOT state cmdline-0 STATE=logged-in")
}

# Sealed to another machine's TPM: the emergency shell, the reason (naming the
# credential, "cannot be decrypted") in systemctl status and sd-iscsi show.
sc_chap_credential_tpm2_other() {
        SC_DESC="4g: password sealed to another TPM2: emergency naming the credential"
        SC_IMAGE=sd-iscsi-tpm2
        SC_CHECK=vm_tpm_stop
        vm_tpm_supported || return 0    # vm_image_for skips it
        SC_END=emergency
        SC_TIMEOUT=180
        vm_root_target
        vm_target_chap 1 "$VM_CHAP_USER" "$VM_CHAP_PASS"
        vm_tpm_start other || vm_die "cannot set up swtpm or seal the credential (log: $VM_TPM_DIR)"
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_CHAP_USER:@$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        SC_QEMU=(-chardev "socket,id=chrtpm,path=$VM_TPM_DIR/qemu.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm
                -device tpm-tis,tpmdev=tpm0
                -smbios "type=11,value=io.systemd.credential:sd-iscsi.chap.password=$VM_TPM_CRED")
        SC_SECRETS+=("$VM_CHAP_PASS")
        SC_EXPECT+=("SDI-EMERGENCY-REPORT begin"
                "sd-iscsi-login@cmdline-0\\.service"
                "Gave up: credential sd-iscsi\\.chap\\.password is unusable: it is encrypted and cannot be decrypted")
        SC_REPORT_REJECT=("$VM_CHAP_PASS")
}

# Precedence, end to end: the command line's password and the global credential are
# wrong, the session's own credential is right: it must win.
sc_chap_credential_precedence() {
        SC_DESC="4e: the session's credential over the global one over the command line"
        vm_root_target
        vm_target_chap 1 "$VM_CHAP_USER" "$VM_CHAP_PASS"
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_CHAP_USER:Wrong-Secret-0000@$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR rd.iscsi.timeout=60"
        SC_QEMU=(-smbios "type=11,value=io.systemd.credential:sd-iscsi.chap.password=Wrong-Global-1111"
                -smbios "type=11,value=io.systemd.credential:sd-iscsi.cmdline-0.chap.password=$VM_CHAP_PASS")
        SC_SECRETS+=("$VM_CHAP_PASS" Wrong-Global-1111)
        vm_expect_root
        vm_expect_sdiscsi
        # Never refused by the target (a retry after a transient error is fine).
        SC_EXPECT+=("SDI-ROOT state cmdline-0 STATE=logged-in")
        SC_REJECT+=("SDI-ROOT state cmdline-0 .*REJECTED=")
}

# The credential's name misspelt: no login with an empty secret, the emergency shell at
# once, the reason (naming the credential expected) in systemctl status and sd-iscsi show.
sc_chap_credential_missing() {
        SC_DESC="4d: password credential misspelt: emergency naming the credential"
        vm_root_target
        vm_target_chap 1 "$VM_CHAP_USER" "$VM_CHAP_PASS"
        SC_END=emergency
        SC_TIMEOUT=180
        SC_CMDLINE="$VM_STATIC4 netroot=iscsi:$VM_CHAP_USER:@$VM_HOST4::::$VM_IQN_ROOT root=LABEL=$VM_ROOT_LABEL rd.iscsi.initiator=$VM_INITIATOR"
        SC_QEMU=(-smbios "type=11,value=io.systemd.credential:sd-iscsi.chap.pasword=$VM_CHAP_PASS")
        SC_SECRETS+=("$VM_CHAP_PASS")
        SC_EXPECT+=("SDI-EMERGENCY-REPORT begin"
                "sd-iscsi-login@cmdline-0\.service"
                "no CHAP password for session cmdline-0: pass the credential sd-iscsi\.cmdline-0\.chap\.password or sd-iscsi\.chap\.password"
                "REASON|[Rr]eason|failed")
        SC_REPORT_REJECT=("$VM_CHAP_PASS")
}

# dracut's own TEST-70 form: hostname in ip=, two targets, root on one.
sc_dracut_test70() {
        SC_DESC="9a: dracut TEST-70 form (ip=…:iscsi-1:eth0:off, two netroot=)"
        vm_target_add 1 "$VM_IQN_DATA" 1 "$VM_DATA_IMG"
        vm_target_add 2 "$VM_IQN_ROOT" 1 "$VM_ROOT_IMG"
        SC_CMDLINE="root=LABEL=$VM_ROOT_LABEL ip=$VM_GUEST4::$VM_HOST4:255.255.255.0:iscsi-1:eth0:off netroot=iscsi:$VM_HOST4::::$VM_IQN_DATA netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT rd.iscsi.initiator=$VM_INITIATOR"
        vm_expect_root
        vm_expect_sdiscsi
        SC_EXPECT+=("SDI-ROOT sessions=2")
}

# TEST-71 form: rd.iscsi.firmware on a machine without an iBFT must not
# block the command line's sessions.
sc_firmware_without_ibft() {
        SC_DESC="9b: rd.iscsi.firmware without an iBFT + netroot="
        vm_root_target
        SC_CMDLINE="root=LABEL=$VM_ROOT_LABEL $VM_STATIC4 netroot=iscsi:$VM_HOST4::::$VM_IQN_ROOT rd.iscsi.firmware=1 rd.iscsi.waitnet=0 rd.iscsi.testroute=0 rd.iscsi.initiator=$VM_INITIATOR"
        vm_expect_root
        vm_expect_sdiscsi
}

# vm_console_audit: sets VM_LEAK when a secret — a CHAP password of the command line or
# one of SC_SECRETS (e.g. an iBFT table's) — is on the serial console. The kernel's own
# echo of the command line is the one exception (the user put it there; sd-iscsi(7),
# Secrets): its "Command line:", "Kernel command line:" and "Unknown kernel command line
# parameters" lines, and the parameters it lists one per line for init.
vm_console_audit() {
        local -a secrets=("${SC_SECRETS[@]}") words
        local w auth p rp line body
        local -A word=()
        VM_LEAK=
        read -r -a words <<<"$SC_CMDLINE"
        for w in "${words[@]}"; do
                word[$w]=1
                case $w in
                netroot=iscsi:*@* | root=iscsi:*@*)
                        auth=${w#*=iscsi:}
                        auth=${auth%@*}
                        IFS=: read -r _ p _ rp <<<"$auth"
                        [[ -n $p ]] && secrets+=("$p")
                        [[ -n $rp ]] && secrets+=("$rp")
                        ;;
                rd.iscsi.password=* | rd.iscsi.in.password=*) secrets+=("${w#*=}") ;;
                esac
        done
        ((${#secrets[@]})) || return 0
        while IFS= read -r line; do
                line=${line//$'\r'/}
                body=$(sed -E 's/^.*\[ *[0-9]+\.[0-9]+\] //' <<<"$line")
                case $body in
                "Command line: "* | "Kernel command line: "* | "Unknown kernel command line parameters "*) continue ;;
                esac
                body=${body#"${body%%[! ]*}"}
                [[ -n ${word[$body]:-} ]] && continue
                for p in "${secrets[@]}"; do line=${line//"$p"/<SECRET>}; done
                VM_LEAK="secret on the console: ${line:0:160}"
                return 0
        done < <(grep -aF -f <(printf '%s\n' "${secrets[@]}") "$VM_CONSOLE")
}

# vm_run_scenario NAME [LABEL]: sets VM_VERDICT (pass|fail|skip) and VM_LINE, and
# prints the line. LABEL (default NAME; stack/builder/name in a matrix run) names the
# line.
vm_run_scenario() {
        local s=$1 fn=sc_${1//-/_} why='' label=${2:-$1}
        vm_target_clear
        vm_dhcp_stop
        SC_IMAGE=sd-iscsi SC_CMDLINE='' SC_END=root SC_DESC=$s
        SC_EXPECT=() SC_REJECT=() SC_REPORT_REJECT=() SC_QEMU=() SC_TIMEOUT=$VM_BOOT_TIMEOUT SC_HOOK=
        SC_CHECK='' SC_FAIL='' SC_FIGURE='' SC_SECRETS=()
        "$fn"
        VM_VERDICT=fail VM_MISSING=
        VM_T_NET='?' VM_T_DISK='?' VM_T_LOGIN='?' VM_T_UPTIME='?' VM_WALL=''
        if ! vm_image_for "$SC_IMAGE"; then
                # A builder the stack does not have is a skip; one that failed, a failure.
                [[ -n $VM_IMAGE_UNAVAILABLE ]] && VM_VERDICT=skip
                why="no $SC_IMAGE image: $VM_WHY"
        else
                VM_BOOT_LIMIT=$SC_TIMEOUT VM_BOOT_HOOK=$SC_HOOK vm_boot "$s" "$VM_IMAGE" "$SC_CMDLINE" "${SC_QEMU[@]}"
                vm_timings
                [[ -n $SC_CHECK ]] && "$SC_CHECK"
                vm_console_audit
                if [[ -n $VM_LEAK ]]; then
                        why=$VM_LEAK
                elif [[ $VM_RESULT != "$SC_END" ]]; then
                        why="ended by $VM_RESULT, expected $SC_END"
                elif ! vm_expect "${SC_EXPECT[@]}"; then
                        why="missing: $VM_MISSING"
                elif ! vm_reject "${SC_REJECT[@]}"; then
                        why=$VM_MISSING
                elif ((${#SC_REPORT_REJECT[@]})) &&
                        sed -n '/SDI-EMERGENCY-REPORT begin/,/SDI-EMERGENCY-REPORT end/p' "$VM_CONSOLE" |
                        grep -aqE "$(IFS='|'; echo "${SC_REPORT_REJECT[*]}")"; then
                        why="emergency report shows: ${SC_REPORT_REJECT[*]}"
                elif [[ $SC_END == root ]] && ! vm_reject 'SDI-EMERGENCY'; then
                        why="emergency before root"
                elif [[ $SC_END == emergency ]] && ! grep -aq 'SDI-EMERGENCY-SHELL ok' "$VM_CONSOLE"; then
                        why="no usable emergency shell: $(grep -aom1 'SDI-EMERGENCY-SHELL.*' "$VM_CONSOLE")"
                elif [[ -n $SC_FAIL ]]; then
                        why=$SC_FAIL
                else
                        VM_VERDICT=pass
                fi
        fi
        VM_LINE=$(printf '%-4s %-22s wall %5ss  uptime %5ss  net→login %5ss  %s' \
                "$VM_VERDICT" "$label" "${VM_WALL:--}" "$VM_T_UPTIME" "$VM_T_LOGIN" "${why:-$SC_DESC}${SC_FIGURE:+ — $SC_FIGURE}")
        echo "$VM_LINE"
        if [[ $VM_VERDICT == fail ]]; then
                echo "     console: $VM_CONSOLE"
                # CI keeps only this output: the console's last words say what happened.
                [[ $VM_RESULT == root || $VM_RESULT == emergency ]] ||
                        sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g; s/\r//g' "$VM_CONSOLE" | grep -av '^ *\[ *\*' |
                        tail -n 15 | cut -c1-200 | sed 's/^/     | /'
        fi
        return 0
}
