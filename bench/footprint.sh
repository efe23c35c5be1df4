# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by bench/run (uses srcdir, builddir, work, OUT, ratio): what sd-iscsi and
# dracut's own iscsi module each add to the same minimal dracut image. All three images
# are built the same way, in one private mount namespace over the staged `make install`
# (the image suite's tests/images/lib.sh), from the VM suite's base module set, without
# kernel modules (both need the same iscsi_tcp stack; NIC drivers are the
# kernel-network-modules' business either way).
# shellcheck shell=bash disable=SC2154 # srcdir, builddir, work, OUT: set by bench/run

FP_BASE="base systemd systemd-initrd dracut-systemd fs-lib rootfs-block udev-rules"

# fp_measure NAME IMAGE: files, bytes of regular files, image bytes, gzip -9 bytes.
fp_measure() {
        local name=$1 img=$2 dir=$work/fp-$1
        rm -rf "$dir"
        mkdir -p "$dir"
        (cd "$dir" && cpio -idm --quiet --no-absolute-filenames <"$img" 2>/dev/null)
        find "$dir" -mindepth 1 ! -type d -printf '%P\n' | sort >"$work/fp-$name.list"
        find "$dir" -type f -printf '%s %P\n' | sort -k2 >"$work/fp-$name.sizes"
        FP_FILES[$name]=$(wc -l <"$work/fp-$name.list")
        FP_BYTES[$name]=$(awk '{ s += $1 } END { print s + 0 }' "$work/fp-$name.sizes")
        FP_IMG[$name]=$(stat -c %s "$img")
        FP_GZ[$name]=$(gzip -9 -n -c "$img" | wc -c)
}

# fp_added NAME: the files NAME has and the base image has not, biggest first.
fp_added() {
        join -v1 -1 2 -2 2 <(sort -k2 "$work/fp-$1.sizes") <(sort -k2 "$work/fp-base.sizes") |
                awk '{ print $2, $1 }' | sort -rn
}

# fp_config LABEL DRACUT_ARGS…: the three images of one configuration, measured.
fp_config() {
        local label=$1 n img k d_s d_d
        shift
        declare -gA FP_FILES=() FP_BYTES=() FP_IMG=() FP_GZ=()
        for n in base sd-iscsi dracut-iscsi; do
                img=$work/fp-$n.img
                local extra=()
                case $n in
                base) extra=(--omit "iscsi sd-iscsi") ;;
                sd-iscsi) extra=(--add sd-iscsi --omit iscsi) ;;
                dracut-iscsi) extra=(--add iscsi --omit sd-iscsi) ;;
                esac
                if ! in_staged_root "$FP_STAGE" "$FP_ETC" dracut "${FP_COMMON[@]}" "$@" "${extra[@]}" \
                        "$img" >"$OUT/footprint-$label-$n.log" 2>&1; then
                        echo "bench: dracut failed for the $label $n image (log: $OUT/footprint-$label-$n.log)" >&2
                        return 1
                fi
                fp_measure "$n" "$img"
                lsinitrd -f usr/lib/dracut/modules.txt "$img" 2>/dev/null | tr '\n' ' ' >"$work/fp-$n.modules"
                rm -f "$img"
        done
        echo "-- $label: dracut $*"
        printf '   %-14s %7s %12s %12s %12s\n' image files file-bytes image-bytes gzip-9-bytes
        for n in base sd-iscsi dracut-iscsi; do
                printf '   %-14s %7d %12d %12d %12d\n' "$n" "${FP_FILES[$n]}" "${FP_BYTES[$n]}" "${FP_IMG[$n]}" "${FP_GZ[$n]}"
        done
        echo "   added to the base image (ratio: sd-iscsi against dracut's iscsi module; below 1: smaller)"
        for k in FILES BYTES IMG GZ; do
                local -n arr=FP_$k
                # shellcheck disable=SC2004 # keys with hyphens need the expansion
                d_s=$((${arr[sd-iscsi]} - ${arr[base]})) d_d=$((${arr[dracut-iscsi]} - ${arr[base]}))
                printf '   %-10s sd-iscsi +%-10d dracut-iscsi +%-10d ratio %s\n' "${k,,}" "$d_s" "$d_d" "$(ratio "$d_s" "$d_d")"
                unset -n arr
        done
        # The one big file: udev's hardware database, which dracut's systemd-udevd module
        # installs and sd-iscsi's depends() pulls in (see docs/PERFORMANCE.md).
        local hw
        hw=$(fp_added sd-iscsi | awk '$2 == "usr/lib/udev/hwdb.bin" { print $1 }')
        if [[ -n $hw ]]; then
                # shellcheck disable=SC2004
                d_s=$((${FP_BYTES[sd-iscsi]} - ${FP_BYTES[base]} - hw)) d_d=$((${FP_BYTES[dracut-iscsi]} - ${FP_BYTES[base]}))
                printf '   %-10s sd-iscsi +%-10d dracut-iscsi +%-10d ratio %s  (file bytes without hwdb.bin, %d bytes)\n' \
                        bytes-hwdb "$d_s" "$d_d" "$(ratio "$d_s" "$d_d")" "$hw"
        fi
        for n in sd-iscsi dracut-iscsi; do
                echo "   $n: dracut modules beyond the base: $(comm -13 <(tr ' ' '\n' <"$work/fp-base.modules" | sort) \
                        <(tr ' ' '\n' <"$work/fp-$n.modules" | sort) | tr '\n' ' ')"
                echo "   biggest files it adds (bytes path):"
                fp_added "$n" | head -8 | sed 's/^/     /'
                fp_added "$n" >"$OUT/footprint-$label-added-$n.txt"
        done
}

footprint_run() {
        local lib=$srcdir/tests/images/lib.sh kver
        FP_STAGE=$work/fp-stage FP_ETC=$work/fp-etc-iscsi
        if [[ ! -r $lib ]]; then
                echo "TODO: tests/images/lib.sh (the dracut module's image suite) is not in this tree yet;"
                echo "      the footprint needs it to build images from the staged install. Not measured."
                return 0
        fi
        # shellcheck source=tests/images/lib.sh
        . "$lib"
        kver=$(find /lib/modules -mindepth 1 -maxdepth 1 -name '*-amd64' -printf '%f\n' | sort -V | tail -1)
        [[ -n $kver ]] || { echo "bench: no /lib/modules/*-amd64 (linux-image-amd64)" >&2; return 1; }
        mkdir -p "$FP_STAGE" "$FP_ETC" "$work/fp-confdir"
        stage_install "$builddir" "$FP_STAGE" || return 1
        if [[ ! -e $FP_STAGE/usr/lib/dracut/modules.d/73sd-iscsi/module-setup.sh ]]; then
                echo "TODO: $builddir installs no dracut module 73sd-iscsi yet. Not measured."
                return 0
        fi
        FP_COMMON=(--force --no-compress --no-early-microcode --no-hostonly --no-hostonly-cmdline
                --reproducible --nofscks --no-kernel --kver "$kver")
        echo "dracut $(dpkg-query -W -f='${Version}' dracut-core); no kernel modules (both need the same iscsi_tcp"
        echo "stack); sizes of the uncompressed cpio and of its gzip -9"
        # Minimal: the VM suite's base module set, no configuration from the host.
        fp_config minimal --conf /dev/null --confdir "$work/fp-confdir" -m "$FP_BASE" || return 1
        # What a generic image is on Debian: dracut's default module selection with the
        # host's configuration (dracut-network's 11-ifcfg.conf brings networking).
        fp_config debian-default || return 1
        echo "(full lists: $OUT/footprint-*-added-*.txt)"
}
