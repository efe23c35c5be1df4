# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut image tests (Debian 12's dracut 059, Debian 13's dracut-ng), sourced by
# tests/images/run after lib.sh. Uses STAGE (the staged install), KVER, WORK (scratch
# directory), ETC_ISCSI (planted /etc/iscsi), and the stack (tests/stack.sh): on
# debian13, dracut and the tools that read the kernel's modules run in its root.
# shellcheck shell=bash

# Leave out kernel-modules (minutes, and not what is under test); our module and its
# dependencies add the drivers the login path needs.
DRACUT_COMMON=(--force --no-compress --no-early-microcode --no-hostonly-cmdline
        --omit "kernel-modules kernel-modules-extra" --kver "$KVER")

# dracut_build LOG IMAGE ARGS...: dracut in the staged root; status of dracut.
dracut_build() {
        local log=$1 img=$2
        shift 2
        rm -f "$img"
        in_staged_root "$STAGE" "$ETC_ISCSI" dracut "${DRACUT_COMMON[@]}" "$@" "$img" >"$log" 2>&1
}

# dracut_failure LOG: the lines of a failed build's log that say why.
dracut_failure() {
        { grep -E 'FATAL|cannot be found|failed in module' "$1" || tail -3 "$1"; } | head -3 | tr '\n' ' ' | cut -c1-300
}

# image_open IMAGE DIR: lsinitrd listing into DIR.list (paths only), tree into DIR/root.
image_open() {
        local img=$1 dir=$2
        rm -rf "$dir"
        mkdir -p "$dir/root"
        lsinitrd "$img" >"$dir.lsinitrd" || {
                t_err "lsinitrd failed on $img"
                return 1
        }
        sed -nE '/^[-dlcbps][-rwxsStT]{9} /{s/^([^ ]+ +){8}//; s/ -> .*$//; p}' "$dir.lsinitrd" |
                sort -u >"$dir.list"
        (cd "$dir/root" && lsinitrd --unpack "$img" >/dev/null 2>&1) || t_err "lsinitrd --unpack failed"
        IMG_LIST=$dir.list
        IMG_ROOT=$dir/root
}

# has_path P: P is in the image listing (directly or below the merged /usr).
has_path() {
        grep -qxF -e "$1" -e "usr/$1" "$IMG_LIST"
}

assert_paths() {
        local p
        for p in "$@"; do
                has_path "$p" || t_err "missing in image: /$p"
        done
}

assert_no_paths() {
        local p
        for p in "$@"; do
                has_path "$p" && t_err "must not be in image: /$p"
        done
        return 0
}

assert_kmods() {
        local f
        while read -r f; do
                [[ -n $f ]] || continue
                grep -qE "^usr/lib/modules/$KVER_RE/${f//./\\.}(\.(xz|zst|gz))?$" "$IMG_LIST" ||
                        t_err "kernel module missing: $f"
        done < <(kmod_files "$KVER" "$@")
}

# What every image with sd-iscsi must hold, whatever its mode.
assert_sd_iscsi_image() {
        assert_paths \
                usr/lib/systemd/system-generators/sd-iscsi-generator \
                usr/bin/sd-iscsi \
                usr/sbin/iscsid usr/sbin/iscsiadm \
                usr/lib/systemd/system/sd-iscsi-prepare.service \
                usr/lib/systemd/system/sd-iscsi-iscsid.service \
                usr/lib/systemd/system/sd-iscsi-iscsid.socket \
                usr/lib/systemd/systemd-networkd \
                usr/lib/systemd/systemd-network-generator \
                usr/lib/systemd/systemd-networkd-wait-online \
                usr/lib/systemd/system/systemd-networkd.service \
                usr/lib/systemd/system/systemd-networkd.socket \
                usr/lib/systemd/system/systemd-network-generator.service \
                usr/lib/systemd/system/systemd-networkd-wait-online.service \
                usr/lib/systemd/system/systemd-networkd-wait-online@.service \
                usr/lib/systemd/network/99-default.link \
                usr/lib/udev/rules.d/75-net-description.rules \
                usr/lib/udev/rules.d/80-net-setup-link.rules \
                usr/lib/systemd/system/dracut-cmdline.service.d/50-sd-iscsi-no-cmdline-echo.conf
        # dracut 059 keeps its hooks in /usr/lib/dracut/hooks, dracut-ng in /var/lib.
        has_path usr/lib/dracut/hooks/cmdline/90-parse-sd-iscsi-root.sh ||
                has_path var/lib/dracut/hooks/cmdline/90-parse-sd-iscsi-root.sh ||
                t_err "missing in image: the cmdline hook 90-parse-sd-iscsi-root.sh"
        # The generator dlopen()s libkmod to load iscsi_ibft (iPXE's memory-scan table):
        # no ldd sees that dependency.
        grep -qE '^usr/lib/x86_64-linux-gnu/libkmod\.so\.2$' "$IMG_LIST" || t_err "libkmod.so.2 missing (the generator dlopen()s it)"
        # Whatever `make install` put in the unit directory goes into the image too, but
        # for the real root's sd-iscsi-handoff.service, which the initrd never runs.
        local f
        while IFS= read -r f; do
                assert_paths "usr/lib/systemd/system/${f##*/}"
        done < <(find "$STAGE/usr/lib/systemd/system" -maxdepth 1 -name 'sd-iscsi*' \
                ! -name sd-iscsi-handoff.service 2>/dev/null)
        assert_no_paths usr/lib/systemd/system/sd-iscsi-handoff.service
        if [[ -e $STAGE/usr/lib/udev/rules.d/65-sd-iscsi.rules ]]; then
                assert_paths usr/lib/udev/rules.d/65-sd-iscsi.rules
        fi

        local db
        for db in passwd group; do
                grep -q '^systemd-network:' "$IMG_ROOT/etc/$db" 2>/dev/null ||
                        t_err "no systemd-network entry in /etc/$db"
        done

        assert_kmods iscsi_tcp sd_mod iscsi_ibft iscsi_boot_sysfs 8021q
        if stack_exec modinfo -k "$KVER" -F filename crc32c >/dev/null 2>&1; then
                assert_kmods crc32c
        fi

        # dracut's own iscsi module must not be there in any form.
        grep -qx iscsi "$IMG_ROOT/usr/lib/dracut/modules.txt" 2>/dev/null &&
                t_err "dracut module 'iscsi' is in the image"
        grep -qx sd-iscsi "$IMG_ROOT/usr/lib/dracut/modules.txt" 2>/dev/null ||
                t_err "dracut module 'sd-iscsi' is not listed in modules.txt"
        # dracut-ng's netroot dispatcher needs an iscsiroot handler: ours, which does nothing.
        cmp -s "$STAGE/usr/lib/dracut/modules.d/73sd-iscsi/sd-iscsi-netroot.sh" "$IMG_ROOT/usr/sbin/iscsiroot" ||
                t_err "/sbin/iscsiroot is not sd-iscsi's no-op handler"
        assert_no_paths bin/mount-lun.sh \
                usr/lib/dracut/hooks/cmdline/90-parse-iscsiroot.sh var/lib/dracut/hooks/cmdline/90-parse-iscsiroot.sh \
                usr/lib/dracut/hooks/cleanup/90-cleanup-iscsi.sh \
                usr/lib/systemd/system/iscsid.service usr/lib/systemd/system/iscsid.socket \
                usr/lib/systemd/system/iscsi.service usr/lib/systemd/system/iscsiuio.socket \
                usr/lib/systemd/system/iscsi-shutdown.service var/lib/iscsi/nodes/.dracut

        # No node database: sd-iscsi prepare makes an empty one at boot.
        [[ -z $(find "$IMG_ROOT/etc/iscsi" "$IMG_ROOT/var/lib/iscsi" -mindepth 1 -path '*/nodes*' 2>/dev/null) ]] ||
                t_err "the image has a node database"
        assert_no_planted "$IMG_ROOT"
        assert_elf_resolve "$IMG_ROOT"
        assert_units_boot_ready "$IMG_ROOT"
}

test_dracut_generic() {
        t_begin "dracut: generic image (--no-hostonly --add sd-iscsi)"
        local img=$WORK/generic.img t0 build
        t0=${EPOCHREALTIME/./}
        if ! dracut_build "$WORK/generic.log" "$img" --no-hostonly --add sd-iscsi; then
                t_err "dracut failed: $(dracut_failure "$WORK/generic.log")"
                t_end
                return
        fi
        build=$(((${EPOCHREALTIME/./} - t0) / 100000))
        image_open "$img" "$WORK/generic" || { t_end; return; }
        assert_sd_iscsi_image

        # Generic: every wired NIC driver, and no identity of this host.
        local f n=0
        while IFS= read -r f; do
                n=$((n + 1))
                f=${f#"$STACK_ROOT"/lib/modules/"$KVER"/}
                f=${f%.xz} f=${f%.zst} f=${f%.gz}
                grep -qE "^usr/lib/modules/$KVER_RE/${f//./\\.}(\.(xz|zst|gz))?$" "$IMG_LIST" || t_err "NIC driver missing: $f"
        done < <(find "$STACK_ROOT/lib/modules/$KVER/kernel/drivers/net/ethernet" -name '*.ko*')
        ((n > 50)) || t_err "only $n drivers below drivers/net/ethernet in $STACK_ROOT/lib/modules/$KVER?"
        assert_kmods virtio_net e1000 e1000e
        assert_no_paths etc/iscsi/initiatorname.iscsi etc/iscsi/iscsid.conf etc/systemd/network/10-sd-iscsi-test.link
        grep -rqaF "$PLANTED_IQN" "$IMG_ROOT" && t_err "the host's initiator name is in a generic image"
        # With multipath-tools on the build host, dracut's multipath module is in a generic
        # image, and with it what sd-iscsi adds for a multipath root (sd-iscsi(7)).
        if has_path usr/sbin/multipathd; then
                assert_paths usr/lib/multipath/libchecktur.so usr/lib/udev/rules.d/60-multipath.rules \
                        usr/lib/systemd/system/multipathd.socket.d/50-sd-iscsi-initrd.conf
                grep -qx 'Conflicts=initrd-cleanup.service' \
                        "$IMG_ROOT/usr/lib/systemd/system/multipathd.socket.d/50-sd-iscsi-initrd.conf" 2>/dev/null ||
                        t_err "multipathd.socket does not stop with the initrd"
        fi
        GENERIC_NIC_COUNT=$(grep -c "^usr/lib/modules/$KVER/kernel/drivers/net/.*\.ko" "$IMG_LIST")
        t_end "build $((build / 10)).$((build % 10))s, $(du -m "$img" | cut -f1) MB uncompressed, $GENERIC_NIC_COUNT NIC modules; $ELF_REPORT; $UNITS_REPORT"
}

test_dracut_hostonly() {
        t_begin "dracut: hostonly image (--hostonly --add sd-iscsi), planted host credentials"
        local img=$WORK/hostonly.img t0 build
        t0=${EPOCHREALTIME/./}
        # qemu-net would add virtio NIC drivers on its own in a VM: leave it out so that
        # this machine's NIC driver has to come through sd-iscsi's dependencies.
        if ! dracut_build "$WORK/hostonly.log" "$img" --hostonly --hostonly-mode sloppy --add sd-iscsi \
                --omit "qemu qemu-net"; then
                t_err "dracut failed: $(dracut_failure "$WORK/hostonly.log")"
                t_end
                return
        fi
        build=$(((${EPOCHREALTIME/./} - t0) / 100000))
        image_open "$img" "$WORK/hostonly" || { t_end; return; }
        assert_sd_iscsi_image

        # The host's interface names (01systemd-networkd copies /etc/systemd/network).
        assert_paths etc/systemd/network/10-sd-iscsi-test.link
        # The host's identity, but iscsid.conf without any credential.
        assert_paths etc/iscsi/initiatorname.iscsi etc/iscsi/iscsid.conf
        grep -qxF "InitiatorName=$PLANTED_IQN" "$IMG_ROOT/etc/iscsi/initiatorname.iscsi" 2>/dev/null ||
                t_err "image's initiatorname.iscsi is not the host's"
        grep -qx 'node.startup = manual' "$IMG_ROOT/etc/iscsi/iscsid.conf" 2>/dev/null ||
                t_err "image's iscsid.conf lost the host's settings"
        grep -q 'auth\.\(username\|password\)' "$IMG_ROOT/etc/iscsi/iscsid.conf" 2>/dev/null &&
                t_err "image's iscsid.conf keeps CHAP credentials"
        [[ $(stat -c %a "$IMG_ROOT/etc/iscsi/iscsid.conf" 2>/dev/null) == 600 ]] ||
                t_err "image's iscsid.conf is not mode 0600"

        # This machine's NIC drivers, and fewer than a generic image has.
        local nic alias mods=()
        for nic in /sys/class/net/*; do
                [[ -r $nic/device/modalias ]] || continue
                alias=$(<"$nic/device/modalias")
                mapfile -t -O "${#mods[@]}" mods < <(stack_exec modprobe -S "$KVER" -R "$alias" 2>/dev/null)
        done
        if ((${#mods[@]})); then
                assert_kmods "${mods[@]}"
        fi
        local n
        n=$(grep -c "^usr/lib/modules/$KVER/kernel/drivers/net/.*\.ko" "$IMG_LIST")
        if [[ -n ${GENERIC_NIC_COUNT-} ]] && ((n >= GENERIC_NIC_COUNT)); then
                t_err "hostonly image has $n NIC modules, no fewer than the generic one ($GENERIC_NIC_COUNT)"
        fi
        t_end "build $((build / 10)).$((build % 10))s, NIC drivers: ${mods[*]:-none (built in)}, $n NIC modules; $ELF_REPORT; $UNITS_REPORT"
}

test_dracut_conflict() {
        t_begin "dracut: --add \"sd-iscsi iscsi\" is refused"
        local img=$WORK/conflict.img
        if dracut_build "$WORK/conflict.log" "$img" --no-hostonly --no-kernel --add "sd-iscsi iscsi"; then
                t_err "dracut succeeded with both modules"
        fi
        grep -q "sd-iscsi conflicts with dracut's 'iscsi' module" "$WORK/conflict.log" ||
                t_err "no conflict message in dracut's output: $(dracut_failure "$WORK/conflict.log")"
        [[ -e $img ]] && t_err "an image was written anyway"
        t_end "$(grep -o "sd-iscsi conflicts.*" "$WORK/conflict.log" | head -1 | cut -c1-100)..."
}

# Without --add, a generic build takes dracut's iscsi module (its check() passes on
# any machine with open-iscsi) and not ours, and a hostonly build on a host whose disks
# are not on iSCSI takes neither: ours is opt-in, and its absence of 'iscsi' in the
# images above is its own doing.
test_dracut_selection() {
        t_begin "dracut: module selection without --add"
        local img=$WORK/select.img mods
        if dracut_build "$WORK/select.log" "$img" --no-hostonly --no-kernel; then
                mods=$(lsinitrd -f usr/lib/dracut/modules.txt "$img")
                grep -qx iscsi <<<"$mods" || t_err "generic build without sd-iscsi lacks dracut's iscsi module (control)"
                grep -qx sd-iscsi <<<"$mods" && t_err "generic build took sd-iscsi without --add"
        else
                t_err "dracut failed: $(dracut_failure "$WORK/select.log")"
        fi
        if dracut_build "$WORK/select-h.log" "$img" --hostonly --hostonly-mode sloppy --no-kernel; then
                mods=$(lsinitrd -f usr/lib/dracut/modules.txt "$img")
                grep -qx sd-iscsi <<<"$mods" && t_err "hostonly build on a non-iSCSI host took sd-iscsi"
        else
                t_err "dracut --hostonly failed: $(dracut_failure "$WORK/select-h.log")"
        fi
        rm -f "$img"
        t_end
}

# A hostonly build on a machine whose root disk is on iSCSI, without --add: the root
# device's sysfs entry is replaced (in the private mount namespace) by one below an
# iSCSI session, which is what dracut's block_is_iscsi looks for. dracut's own iscsi
# module passes its check() on such a host too; sd-iscsi must go in and keep it out.
test_dracut_hostonly_iscsi_root() {
        t_begin "dracut: hostonly build on an iSCSI-root host takes sd-iscsi, not dracut's iscsi"
        local fake=$WORK/fake-sys img=$WORK/iscsi-root.img root src link mods
        root=$(findmnt -no MAJ:MIN / | tr -d ' ')
        src=$(findmnt -no SOURCE /)
        if [[ -z $root || ! -e /sys/dev/block/$root || ! -b $src ]]; then
                t_err "cannot find the root file system's block device (findmnt: '$root')"
                t_end
                return
        fi
        rm -rf "$fake"
        # dracut also wants udev's /dev/block/MAJ:MIN link, which a container may lack.
        mkdir -p "$fake/dev/block" "$fake/block" "$fake/devices/platform/host9/session1/iscsi_session/session1" \
                "$fake/devices/platform/host9/session1/target9:0:0/9:0:0:0/block/sdz"
        for link in /sys/dev/block/*; do
                ln -s "$(readlink -f "$link")" "$fake/block/${link##*/}"
        done
        # As dracut sees it: in the stack's root, below that root.
        ln -sfn "${fake#"$STACK_ROOT"}/devices/platform/host9/session1/target9:0:0/9:0:0:0/block/sdz" "$fake/block/$root"
        [[ -e /dev/block/$root ]] || ln -s "$src" "$fake/dev/block/$root"
        rm -f "$img"
        # shellcheck disable=SC2016 # expanded by the inner shell
        if in_staged_root "$STAGE" "$ETC_ISCSI" /bin/bash -c '
                mount --bind "$1/block" /sys/dev/block &&
                mount -t overlay sd-iscsi-fake-dev -o "lowerdir=$1/dev:/dev" /dev &&
                shift && exec "$@"' _ "$fake" dracut "${DRACUT_COMMON[@]}" --hostonly --hostonly-mode sloppy --no-kernel "$img" \
                >"$WORK/iscsi-root.log" 2>&1; then
                mods=$(lsinitrd -f usr/lib/dracut/modules.txt "$img")
                grep -qx sd-iscsi <<<"$mods" || t_err "sd-iscsi not taken on an iSCSI-root host"
                grep -qx iscsi <<<"$mods" && t_err "dracut's iscsi module taken as well"
        else
                t_err "dracut failed: $(dracut_failure "$WORK/iscsi-root.log")"
        fi
        rm -f "$img"
        t_end
}

# layout_mismatch FILE: FILE (an installed module or hook) as if sd-iscsi had been
# built for another open-iscsi; restored by layout_restore.
layout_mismatch() {
        cp -p "$1" "$1.orig"
        sed -i 's|^_sd_iscsi_db_dir=.*|_sd_iscsi_db_dir=/srv/other-open-iscsi|' "$1"
}
layout_restore() { mv "$1.orig" "$1"; }

# An image whose open-iscsi keeps its database elsewhere than sd-iscsi was built for
# would loop on failed logins at boot: refused, saying where each looks.
test_dracut_layout_mismatch() {
        t_begin "dracut: an open-iscsi with another layout than the build's is refused"
        local img=$WORK/layout.img mod=$STAGE/usr/lib/dracut/modules.d/73sd-iscsi/module-setup.sh
        [[ -n $STACK_ROOT ]] && mod=$STACK_ROOT/usr/lib/dracut/modules.d/73sd-iscsi/module-setup.sh
        layout_mismatch "$mod"
        dracut_build "$WORK/layout.log" "$img" --no-hostonly --no-kernel --add sd-iscsi &&
                t_err "dracut succeeded"
        layout_restore "$mod"
        grep -q "built for open-iscsi with its database in /srv/other-open-iscsi" "$WORK/layout.log" ||
                t_err "no clear message: $(dracut_failure "$WORK/layout.log")"
        [[ -e $img ]] && t_err "an image was written anyway"
        t_end "$(grep -o "built for open-iscsi.*" "$WORK/layout.log" | head -1 | cut -c1-110)..."
}

run_dracut_tests() {
        test_dracut_layout_mismatch
        test_dracut_generic
        test_dracut_hostonly
        test_dracut_conflict
        test_dracut_selection
        test_dracut_hostonly_iscsi_root
}
