#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut module: root on iSCSI through systemd units (sd-iscsi). Enable with
# `dracut --add sd-iscsi`; hostonly builds pick it up by themselves when a host
# block device lives on iSCSI.
# shellcheck disable=SC2154 # dracut's globals

# Secrets may sit in iscsid.conf as defaults for new node records; none of them may
# reach an image, commented out or not.
_sd_iscsi_secret_re='^[#[:space:]]*[^=[:space:]]*\.auth\.(username|password)(_in)?[[:space:]]*='

# True when the user named dracut module $1 (an --add, a force-add, or an explicit
# module list), as opposed to dracut picking it because its check() passed.
_sd_iscsi_requested() {
    [[ " $add_dracutmodules $force_add_dracutmodules " == *" $1 "* ]] && return 0
    [[ $dracutmodules != all && " $dracutmodules " == *" $1 "* ]]
}

check() {
    require_binaries iscsid iscsiadm sd-iscsi \
        "$systemdutildir"/system-generators/sd-iscsi-generator || return 1
    require_kernel_modules iscsi_tcp || return 1

    local _ret=255
    if [[ $hostonly ]] || [[ $mount_needs ]]; then
        for_each_host_dev_and_slaves block_is_iscsi && _ret=0
    fi

    # dracut's own iscsi module passes its check() on any machine with open-iscsi and
    # would then act on the same netroot=/rd.iscsi.* parameters. It is checked after
    # us (95 > 90), so when we go in and nobody asked for it, keep it out here;
    # install() refuses the combination the user asked for explicitly.
    if { { ((_ret == 0)) && [[ $dracutmodules == all ]]; } || _sd_iscsi_requested sd-iscsi; } &&
        ! _sd_iscsi_requested iscsi &&
        [[ " $omit_dracutmodules " != *" iscsi "* ]]; then
        ddebug "sd-iscsi: leaving out dracut's 'iscsi' module"
        omit_dracutmodules+=" iscsi "
    fi
    return $_ret
}

depends() {
    # kernel-network-modules: every wired NIC driver in generic images, this
    # machine's in hostonly ones.
    echo systemd systemd-initrd systemd-networkd kernel-network-modules
    return 0
}

installkernel() {
    # The session and disk drivers are needed even when the build host has not
    # loaded them, hence no hostonly filtering.
    hostonly='' instmods -c iscsi_tcp sd_mod || return 1
    hostonly='' instmods iscsi_ibft iscsi_boot_sysfs 8021q crc32c
    return 0
}

install() {
    # dracut 059 ignores install()'s status, so a refusal has to end the build.
    if dracut_module_included iscsi; then
        dfatal "sd-iscsi conflicts with dracut's 'iscsi' module: both act on netroot=iscsi:... and rd.iscsi.*. Build with one of them: drop 'iscsi' from --add/add_dracutmodules, or add --omit iscsi (omit_dracutmodules+=\" iscsi \" in /etc/dracut.conf.d/)."
        exit 1
    fi

    local _u _missing=()
    for _u in sd-iscsi-prepare.service sd-iscsi-iscsid.service sd-iscsi-iscsid.socket \
        systemd-networkd-wait-online@.service; do
        [[ -e $dracutsysrootdir$systemdsystemunitdir/$_u ]] || _missing+=("$_u")
    done
    if ((${#_missing[@]})); then
        dfatal "sd-iscsi: missing in $systemdsystemunitdir: ${_missing[*]} (is sd-iscsi installed completely?)"
        exit 1
    fi

    inst_multiple iscsid iscsiadm sd-iscsi \
        "$systemdutildir"/system-generators/sd-iscsi-generator \
        "$systemdsystemunitdir"/sd-iscsi-prepare.service \
        "$systemdsystemunitdir"/sd-iscsi-iscsid.service \
        "$systemdsystemunitdir"/sd-iscsi-iscsid.socket \
        "$systemdsystemunitdir"/systemd-networkd-wait-online@.service \
        "$systemdsystemunitdir"/modprobe@.service || {
        dfatal "sd-iscsi: could not install its programs and units"
        exit 1
    }
    for _u in sd-iscsi-prepare.service sd-iscsi-iscsid.service sd-iscsi-iscsid.socket; do
        grep -q '^\[Install\]' "$dracutsysrootdir$systemdsystemunitdir/$_u" &&
            $SYSTEMCTL -q --root "$initdir" enable "$_u"
    done
    inst_rules 65-sd-iscsi.rules
    inst_hook cmdline 90 "$moddir/parse-sd-iscsi-root.sh"

    # dracut-cmdline echoes the whole kernel command line, CHAP secrets included, into
    # the journal at info level (and the journal is flushed to the real root). Keep its
    # warnings and errors, drop that echo.
    mkdir -p "$initdir$systemdsystemunitdir/dracut-cmdline.service.d"
    printf '%s\n' "# Written by the sd-iscsi dracut module: the command line may hold CHAP secrets." \
        "[Service]" "LogLevelMax=notice" \
        > "$initdir$systemdsystemunitdir/dracut-cmdline.service.d/50-sd-iscsi-no-cmdline-echo.conf"
    # dlopen()ed by the generator to load iscsi_ibft: invisible to dracut's ldd.
    inst_libdir_file "libkmod.so.2*"

    # open-iscsi's node database starts empty: the login helper writes the records
    # it needs at boot, and the host's records (with their CHAP secrets) never go in.
    inst_dir /etc/iscsi
    [[ -d $initdir/etc/iscsi/nodes ]] || mkdir -m 0700 "$initdir/etc/iscsi/nodes"
    if [[ $hostonly ]]; then
        [[ -f $dracutsysrootdir/etc/iscsi/initiatorname.iscsi ]] &&
            inst_simple -H /etc/iscsi/initiatorname.iscsi
        if [[ -f $dracutsysrootdir/etc/iscsi/iscsid.conf ]]; then
            grep -Ev "$_sd_iscsi_secret_re" "$dracutsysrootdir/etc/iscsi/iscsid.conf" \
                > "$initdir/etc/iscsi/iscsid.conf"
            chmod 0600 "$initdir/etc/iscsi/iscsid.conf"
        fi
    fi
    return 0
}
