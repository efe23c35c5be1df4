# SPDX-License-Identifier: LGPL-2.1-or-later
# The mkinitcpio hook (as `make install` put it in /usr/lib/initcpio/install), sourced
# by tests/images/run after lib.sh. Uses STAGE, KVER, WORK, ETC_ISCSI, HERE. On a stack
# with real mkinitcpio (debian13 with MKINITCPIO_SRC) the tests build with it; on
# debian12 (systemd 252: the systemd hook cannot work) under mkinitcpio-emul.sh, an
# emulation of its hook API that is a fast check, not proof.
# shellcheck shell=bash

# emul NAME [-c CONFIG] [-a MODULES] HOOK...: build into $WORK/mk-NAME/root; sets
# EMUL_RC, EMUL_DIR, EMUL_LOG, and writes $EMUL_DIR/out/{modules,errors,unknown}.
emul() {
        if [[ " $STACK_BUILDERS " == *" mkinitcpio "* ]]; then
                real_mkinitcpio "$@"
                return
        fi
        emulated_mkinitcpio "$@"
}

# Real mkinitcpio in the stack's root, with the planted /etc/iscsi and .link files:
# `mkinitcpio -d` writes the unpacked image. -a is ignored: the real autodetect reads
# this machine. Errors are counted as mkinitcpio reports them, but for the foreign ones
# of mkinitcpio on Debian (tests/stack.sh); a build with only those counts as clean.
real_mkinitcpio() {
        local name=$1 conf
        shift
        EMUL_DIR=$WORK/mk-$name
        EMUL_LOG=$EMUL_DIR/log
        rm -rf "$EMUL_DIR"
        mkdir -p "$EMUL_DIR/out" "$EMUL_DIR/root"
        conf=$EMUL_DIR/mkinitcpio.conf
        : >"$conf"
        while [[ ${1:-} == -[ca] ]]; do
                [[ $1 == -c ]] && cat "$2" >>"$conf"
                shift 2
        done
        printf 'HOOKS=(%s)\nCOMPRESSION=cat\n' "$*" >>"$conf"
        # shellcheck disable=SC2034 # read by stack_exec
        local -a STACK_BINDS=("$ETC_ISCSI:/etc/iscsi" "$ETC_ISCSI.network:/etc/systemd/network")
        # shellcheck disable=SC2086 # MKINITCPIO_INSTALL= or nothing
        stack_exec env ${EMUL_INSTALL:+MKINITCPIO_INSTALL="$EMUL_INSTALL"} \
                mkinitcpio -k "$KVER" -c "$conf" -d "$EMUL_DIR/root" >"$EMUL_LOG" 2>&1
        EMUL_RC=$?
        if [[ -d $EMUL_DIR/root ]]; then
                find "$EMUL_DIR/root/usr/lib/modules" -name '*.ko*' 2>/dev/null | sed "s|^$EMUL_DIR/root||" >"$EMUL_DIR/out/modules"
        else
                : >"$EMUL_DIR/out/modules"
        fi
        stack_mkinitcpio_judge "$EMUL_LOG" "$EMUL_DIR/root/init" >"$EMUL_DIR/out/error-lines"
        grep -c . "$EMUL_DIR/out/error-lines" >"$EMUL_DIR/out/errors"
        sed -n 's/.*: \([A-Za-z_0-9]*\): command not found$/\1/p' "$EMUL_LOG" >"$EMUL_DIR/out/unknown"
        ((EMUL_RC == 1)) && [[ $(<"$EMUL_DIR/out/errors") == 0 ]] && EMUL_RC=0
}

emulated_mkinitcpio() {
        local name=$1
        shift
        EMUL_DIR=$WORK/mk-$name
        EMUL_LOG=$EMUL_DIR/log
        rm -rf "$EMUL_DIR"
        mkdir -p "$EMUL_DIR/out" "$EMUL_DIR/cwd"
        # An empty working directory: an unquoted optional module name must meet
        # nullglob, not a file that happens to match it.
        (cd "$EMUL_DIR/cwd" && in_staged_root "$STAGE" "$ETC_ISCSI" env ${EMUL_INSTALL:+MKINITCPIO_INSTALL="$EMUL_INSTALL"} \
                bash "$HERE/mkinitcpio-emul.sh" -r "$EMUL_DIR/root" -k "$KVER" -o "$EMUL_DIR/out" "$@") \
                >"$EMUL_LOG" 2>&1
        EMUL_RC=$?
}

emul_has() {
        local p
        for p in "$@"; do
                [[ -e $EMUL_DIR/root/$p || -L $EMUL_DIR/root/$p ]] || t_err "missing in image: /$p"
        done
}

emul_kmods() {
        local f added
        added=$(sed -E 's/\.(xz|zst|gz)$//' "$EMUL_DIR/out/modules")
        while read -r f; do
                [[ -n $f ]] || continue
                grep -qxF -e "/lib/modules/$KVER/$f" -e "/usr/lib/modules/$KVER/$f" <<<"$added" ||
                        t_err "kernel module not added: $f"
        done < <(kmod_files "$KVER" "$@")
}

emul_nic_modules() {
        grep -E "/kernel/drivers/net/" "$EMUL_DIR/out/modules" | sed 's|.*/||; s|\.ko.*||' | sort -u
}

emul_assert_clean_build() {
        ((EMUL_RC == 0)) || t_err "build failed (status $EMUL_RC): $(grep -m3 'ERROR' "$EMUL_LOG" | tr '\n' ' ')"
        [[ $(cat "$EMUL_DIR/out/errors" 2>/dev/null) == 0 ]] ||
                t_err "failed add_* calls: $(cat "$EMUL_DIR/out/errors" 2>/dev/null) $(head -3 "$EMUL_DIR/out/error-lines" 2>/dev/null | tr '\n' ' ')"
        [[ -s $EMUL_DIR/out/unknown ]] && t_err "unknown functions called: $(tr '\n' ' ' <"$EMUL_DIR/out/unknown")"
        return 0
}

emul_assert_sd_iscsi() {
        local r=$EMUL_DIR/root db
        emul_has usr/lib/systemd/system-generators/sd-iscsi-generator usr/bin/sd-iscsi \
                usr/sbin/iscsid usr/sbin/iscsiadm \
                usr/lib/systemd/system/sd-iscsi-prepare.service \
                usr/lib/systemd/system/sd-iscsi-iscsid.service \
                usr/lib/systemd/system/sd-iscsi-iscsid.socket \
                usr/lib/systemd/systemd-networkd usr/lib/systemd/systemd-network-generator \
                usr/lib/systemd/systemd-networkd-wait-online \
                usr/lib/systemd/system/systemd-networkd.service \
                usr/lib/systemd/system/systemd-networkd.socket \
                usr/lib/systemd/system/systemd-network-generator.service \
                usr/lib/systemd/system/systemd-networkd-wait-online.service \
                usr/lib/systemd/system/systemd-networkd-wait-online@.service \
                etc/systemd/system/sockets.target.wants/systemd-networkd.socket \
                etc/systemd/system/sysinit.target.wants/systemd-network-generator.service \
                usr/lib/udev/rules.d/75-net-description.rules \
                usr/lib/udev/rules.d/80-net-setup-link.rules \
                usr/lib/systemd/network/99-default.link
        local f
        # All of the unit directory but the real root's sd-iscsi-handoff.service.
        while IFS= read -r f; do
                emul_has "usr/lib/systemd/system/${f##*/}"
        done < <(find "$STAGE/usr/lib/systemd/system" -maxdepth 1 -name 'sd-iscsi*' \
                ! -name sd-iscsi-handoff.service 2>/dev/null)
        [[ -e $EMUL_DIR/root/usr/lib/systemd/system/sd-iscsi-handoff.service ]] &&
                t_err "must not be in image: /usr/lib/systemd/system/sd-iscsi-handoff.service"
        [[ -e $STAGE/usr/lib/udev/rules.d/65-sd-iscsi.rules ]] && emul_has usr/lib/udev/rules.d/65-sd-iscsi.rules
        for db in passwd group; do
                grep -q '^systemd-network:' "$r/etc/$db" 2>/dev/null || t_err "no systemd-network entry in /etc/$db"
                grep -q '^root:' "$r/etc/$db" 2>/dev/null || t_err "/etc/$db lost the systemd hook's root entry"
        done
        # No node database: sd-iscsi prepare makes an empty one at boot.
        [[ -z $(find "$r/etc/iscsi" "$r/var/lib/iscsi" -mindepth 1 -path '*/nodes*' 2>/dev/null) ]] ||
                t_err "the image has a node database"
        emul_kmods iscsi_tcp sd_mod iscsi_ibft iscsi_boot_sysfs 8021q
        if stack_exec modinfo -k "$KVER" -F filename crc32c >/dev/null 2>&1; then
                emul_kmods crc32c
        fi
        # Wireless and the like never carry the root disk.
        grep -qE '/drivers/net/wireless/' "$EMUL_DIR/out/modules" && t_err "wireless drivers added"
        assert_no_planted "$r"
        assert_elf_resolve "$r"
        assert_units_boot_ready "$r"
}

# This machine's NIC drivers, as autodetect would find them.
host_nic_modules() {
        local nic
        for nic in /sys/class/net/*; do
                [[ -r $nic/device/modalias ]] && stack_exec modprobe -S "$KVER" -R "$(<"$nic/device/modalias")" 2>/dev/null
        done | sort -u
}

test_mkinitcpio_autodetect() {
        t_begin "mkinitcpio: HOOKS=(base systemd autodetect sd-iscsi), this machine's NICs"
        local -a nics
        mapfile -t nics < <(host_nic_modules)
        # The autodetect cache holds more than NIC drivers; a disk driver proves the
        # hook filters by path.
        emul autodetect -a "${nics[*]} virtio_blk ahci" base systemd autodetect sd-iscsi
        emul_assert_clean_build
        emul_assert_sd_iscsi
        local got
        got=$(emul_nic_modules | tr '\n' ' ')
        if ((${#nics[@]})); then
                emul_kmods "${nics[@]}"
        fi
        [[ " $got " == *" e1000 "* && " ${nics[*]} " != *" e1000 "* ]] && t_err "autodetect image has e1000: $got"
        grep -q '/virtio_blk\.ko\|/ahci\.ko' "$EMUL_DIR/out/modules" && t_err "non-NIC driver from the autodetect cache added"
        [[ -f $EMUL_DIR/root/etc/systemd/network/10-sd-iscsi-test.link ]] || t_err "image lacks the host's .link file"
        # Host identity, without credentials.
        grep -qxF "InitiatorName=$PLANTED_IQN" "$EMUL_DIR/root/etc/iscsi/initiatorname.iscsi" 2>/dev/null ||
                t_err "image lacks the host's initiatorname.iscsi"
        grep -qx 'node.startup = manual' "$EMUL_DIR/root/etc/iscsi/iscsid.conf" 2>/dev/null ||
                t_err "image lacks the host's iscsid.conf settings"
        [[ $(stat -c %a "$EMUL_DIR/root/etc/iscsi/iscsid.conf" 2>/dev/null) == 600 ]] || t_err "iscsid.conf is not mode 0600"
        t_end "NIC modules: ${got:-none}; $ELF_REPORT; $UNITS_REPORT"
}

test_mkinitcpio_generic() {
        t_begin "mkinitcpio: HOOKS=(base systemd sd-iscsi), no autodetect: all NIC drivers, no host identity"
        emul generic base systemd sd-iscsi
        emul_assert_clean_build
        emul_assert_sd_iscsi
        emul_kmods e1000 e1000e virtio_net r8169 igb
        local n
        n=$(emul_nic_modules | wc -l)
        ((n > 100)) || t_err "only $n NIC modules"
        [[ -e $EMUL_DIR/root/etc/iscsi/initiatorname.iscsi ]] && t_err "generic image has the host's initiatorname.iscsi"
        [[ -e $EMUL_DIR/root/etc/iscsi/iscsid.conf ]] && t_err "generic image has the host's iscsid.conf"
        [[ -e $EMUL_DIR/root/etc/systemd/network/10-sd-iscsi-test.link ]] && t_err "generic image has the host's .link file"
        grep -rqaF "$PLANTED_IQN" "$EMUL_DIR/root" && t_err "host initiator name in a generic image"
        GENERIC_MK_NICS=$n
        t_end "$n NIC modules; $ELF_REPORT; $UNITS_REPORT"
}

test_mkinitcpio_all_nics() {
        t_begin "mkinitcpio: autodetect with SD_ISCSI_ALL_NIC_DRIVERS=1 in mkinitcpio.conf"
        printf 'SD_ISCSI_ALL_NIC_DRIVERS=1\n' >"$WORK/mkinitcpio-all.conf"
        emul all-nics -c "$WORK/mkinitcpio-all.conf" -a "virtio_net virtio_blk" base systemd autodetect sd-iscsi
        emul_assert_clean_build
        emul_assert_sd_iscsi
        emul_kmods e1000 e1000e virtio_net r8169 igb
        local n
        n=$(emul_nic_modules | wc -l)
        [[ -n ${GENERIC_MK_NICS-} && $n != "$GENERIC_MK_NICS" ]] &&
                t_err "$n NIC modules, the generic image has $GENERIC_MK_NICS"
        [[ -e $EMUL_DIR/root/etc/iscsi/initiatorname.iscsi ]] || t_err "autodetect image lacks the host's initiator name"
        t_end "$n NIC modules"
}

# SD_ISCSI_TPM2=1: systemd-creds, the tpm2-tss libraries (dlopen()ed: named by the hook)
# and the TPM drivers; without it, none of them (the images do not grow).
test_mkinitcpio_tpm2() {
        # Under the emulation only: the debian13 root has no tpm2-tss libraries.
        [[ " $STACK_BUILDERS " == *" mkinitcpio "* ]] && return 0
        t_begin "mkinitcpio: SD_ISCSI_TPM2=1 adds systemd-creds, tpm2-tss and TPM drivers; the default none"
        printf 'SD_ISCSI_TPM2=1\n' >"$WORK/mkinitcpio-tpm2.conf"
        emul tpm2 -c "$WORK/mkinitcpio-tpm2.conf" base systemd sd-iscsi
        emul_assert_clean_build
        emul_assert_sd_iscsi
        emul_kmods tpm_tis tpm_crb
        local lib
        [[ -e $EMUL_DIR/root/usr/bin/systemd-creds ]] || t_err "no systemd-creds"
        for lib in libtss2-esys.so.0 libtss2-sys.so.1 libtss2-rc.so.0 libtss2-mu.so.0 libtss2-tcti-device.so.0; do
                find "$EMUL_DIR/root" -name "$lib" | grep -q . || t_err "no $lib"
        done
        emul plain base systemd sd-iscsi
        emul_assert_clean_build
        find "$EMUL_DIR/root" -name 'libtss2-esys.so*' | grep -q . && t_err "libtss2 without SD_ISCSI_TPM2"
        grep -qE '/tpm_(tis|crb)\.ko' "$EMUL_DIR/out/modules" && t_err "TPM drivers without SD_ISCSI_TPM2"
        t_end
}

# SD_ISCSI_MULTIPATH=1: multipathd (enabled), its tools, plugins, rules and modules, and
# the system's multipath.conf; without it, none. The real mkinitcpio boots it on debian13
# (tests/vm: real-root-multipath).
test_mkinitcpio_multipath() {
        [[ " $STACK_BUILDERS " == *" mkinitcpio "* ]] && return 0
        command -v multipathd >/dev/null || return 0
        t_begin "mkinitcpio: SD_ISCSI_MULTIPATH=1 adds multipathd, enabled, with its plugins, rules and modules; the default none"
        printf 'SD_ISCSI_MULTIPATH=1\n' >"$WORK/mkinitcpio-mpath.conf"
        emul mpath -c "$WORK/mkinitcpio-mpath.conf" base systemd sd-iscsi
        emul_assert_clean_build
        emul_assert_sd_iscsi
        emul_kmods dm_multipath
        local f
        for f in usr/bin/multipathd usr/bin/multipath usr/bin/kpartx usr/bin/dmsetup \
                usr/lib/multipath/libchecktur.so usr/lib/udev/rules.d/60-multipath.rules \
                usr/lib/systemd/system/multipathd.service etc/systemd/system/sysinit.target.wants/multipathd.service; do
                [[ -e $EMUL_DIR/root/$f || -L $EMUL_DIR/root/$f ]] || t_err "missing: /$f"
        done
        [[ -e $EMUL_DIR/root/usr/lib/systemd/system/multipathd.socket ]] && t_err "multipathd.socket is in the image"
        emul plain base systemd sd-iscsi
        emul_assert_clean_build
        [[ -e $EMUL_DIR/root/usr/bin/multipathd ]] && t_err "multipathd without SD_ISCSI_MULTIPATH"
        t_end
}

test_mkinitcpio_needs_systemd() {
        local hooks
        for hooks in "base sd-iscsi" "base sd-iscsi systemd"; do
                t_begin "mkinitcpio: HOOKS=($hooks) fails loudly"
                # shellcheck disable=SC2086
                emul no-systemd $hooks
                ((EMUL_RC != 0)) || t_err "build succeeded"
                grep -q "needs the 'systemd' hook before it" "$EMUL_LOG" || t_err "no clear message: $(tail -2 "$EMUL_LOG" | tr '\n' ' ')"
                [[ -e $EMUL_DIR/root/usr/lib/systemd/system-generators/sd-iscsi-generator ]] &&
                        t_err "the hook went on adding files"
                t_end "$(grep -o "ERROR: .*" "$EMUL_LOG" | head -1 | cut -c1-90)..."
        done
}

test_mkinitcpio_help() {
        t_begin "mkinitcpio: help() documents the command line and SD_ISCSI_ALL_NIC_DRIVERS"
        local out w
        out=$(bash -c '. "$1" && help' _ "$STAGE/usr/lib/initcpio/install/sd-iscsi" 2>&1) || t_err "help() failed"
        for w in SD_ISCSI_ALL_NIC_DRIVERS 'netroot=iscsi:' 'root=iscsi:' rd.iscsi.initiator= \
                rd.iscsi.firmware rd.iscsi.timeout= 'ip=' 'HOOKS=(base systemd' 'sd-iscsi(7)'; do
                grep -qF -- "$w" <<<"$out" || t_err "help does not mention $w"
        done
        t_end
}

# The emulation must catch what mkinitcpio catches, or its passes mean nothing.
test_mkinitcpio_emulation_strict() {
        t_begin "mkinitcpio emulation: catches unknown functions, unquoted optional modules, failing add_*"
        local dir=$WORK/bad-hooks
        mkdir -p "$dir"
        printf 'build() {\n\tadd_nonexistent_function foo\n}\n' >"$dir/bad-unknown"
        printf 'build() {\n\tadd_module iscsi_ibft?\n}\n' >"$dir/bad-glob"
        printf 'build() {\n\tadd_binary /nonexistent/sd-iscsi\n}\n' >"$dir/bad-binary"
        printf "build() {\n\tadd_module 'iscsi_ibft?' 'no_such_module_xyz?'\n}\n" >"$dir/good-optional"
        local h
        for h in bad-unknown bad-glob bad-binary; do
                EMUL_INSTALL=$dir emul "$h" base systemd "$h"
                ((EMUL_RC != 0)) || t_err "$h: the emulation accepted it"
        done
        grep -qx add_nonexistent_function "$WORK/mk-bad-unknown/out/unknown" 2>/dev/null ||
                t_err "bad-unknown: unknown function not recorded"
        EMUL_INSTALL=$dir emul good-optional base systemd good-optional
        ((EMUL_RC == 0)) || t_err "good-optional: rejected: $(grep -m2 ERROR "$EMUL_LOG" | tr '\n' ' ')"
        grep -q '/iscsi_ibft\.ko' "$EMUL_DIR/out/modules" || t_err "good-optional: iscsi_ibft not added"
        t_end
}

test_mkinitcpio_layout_mismatch() {
        t_begin "mkinitcpio: an open-iscsi with another layout than the build's is refused"
        local hook=$STAGE/usr/lib/initcpio/install/sd-iscsi
        [[ -n $STACK_ROOT ]] && hook=$STACK_ROOT/usr/lib/initcpio/install/sd-iscsi
        layout_mismatch "$hook"
        emul layout base systemd sd-iscsi
        layout_restore "$hook"
        ((EMUL_RC != 0)) || t_err "build succeeded"
        grep -q "built for open-iscsi with its database in /srv/other-open-iscsi" "$EMUL_LOG" ||
                t_err "no clear message: $(grep -m2 ERROR "$EMUL_LOG" | tr '\n' ' ')"
        [[ -e $EMUL_DIR/root/usr/bin/iscsiadm ]] && t_err "the hook went on adding open-iscsi"
        t_end "$(grep -o "built for open-iscsi.*" "$EMUL_LOG" | head -1 | cut -c1-110)..."
}

# The HOOKS=(...) line that sd-iscsi(7) and the README give, with the real tool: every
# hook exists, and sd-iscsi's part of the build has no error. Other hooks' errors on a
# minimal Debian 13 (no kbd, no systemd-vconsole-setup, an Arch-only path or two) are
# theirs, and listed.
test_mkinitcpio_documented_hooks() {
        t_begin "mkinitcpio: the HOOKS line of sd-iscsi(7) and the README, and mkinitcpio -H sd-iscsi"
        local man=$STAGE/usr/share/man/man7/sd-iscsi.7 readme=$HERE/../../README.md hooks readme_hooks h others
        hooks=$(sed -n '/^HOOKS=(/,/)/p' "$man" | tr -s ' \n' ' ' | sed -E 's/^HOOKS=\(//; s/\) *$//')
        readme_hooks=$(sed -nE 's/^ *HOOKS=\((.*)\) *$/\1/p' "$readme" | head -1)
        [[ -n $hooks ]] || t_err "no HOOKS=(...) in sd-iscsi(7)"
        [[ $hooks == "$readme_hooks" ]] || t_err "README's HOOKS ($readme_hooks) differ from sd-iscsi(7)'s ($hooks)"
        # shellcheck disable=SC2086 # the hook list
        emul documented $hooks
        for h in $hooks; do
                grep -qF "Running build hook: [$h]" "$EMUL_LOG" || t_err "hook $h did not run"
        done
        grep -q "hook.*not found" "$EMUL_LOG" && t_err "$(grep -m1 "hook.*not found" "$EMUL_LOG")"
        awk '/Running build hook: \[/ { hook = $NF } /ERROR:/ && hook == "[sd-iscsi]" { print }' "$EMUL_LOG" |
                while IFS= read -r h; do t_err "sd-iscsi: $h"; done
        others=$(awk '/Running build hook: \[/ { hook = $NF } /ERROR:/ && hook != "[sd-iscsi]" { print hook }' "$EMUL_LOG" |
                sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
        [[ -e $EMUL_DIR/root/usr/lib/systemd/system-generators/sd-iscsi-generator ]] || t_err "no sd-iscsi in the image"
        local help
        help=$(stack_exec mkinitcpio -H sd-iscsi 2>&1) || t_err "mkinitcpio -H sd-iscsi failed"
        grep -qF "HOOKS=($hooks)" <<<"$help" || t_err "mkinitcpio -H sd-iscsi does not show the documented HOOKS line"
        t_end "${others:+errors of other hooks: $others}"
}

run_mkinitcpio_tests() {
        test_mkinitcpio_layout_mismatch
        if [[ " $STACK_BUILDERS " != *" mkinitcpio "* ]]; then
                test_mkinitcpio_emulation_strict
        fi
        test_mkinitcpio_autodetect
        test_mkinitcpio_generic
        test_mkinitcpio_all_nics
        test_mkinitcpio_tpm2
        test_mkinitcpio_multipath
        test_mkinitcpio_needs_systemd
        test_mkinitcpio_help
        if [[ " $STACK_BUILDERS " == *" mkinitcpio "* ]]; then
                test_mkinitcpio_documented_hooks
        fi
}
