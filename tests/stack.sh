# shellcheck shell=bash disable=SC2034 # its globals are read by the suites that source it
# SPDX-License-Identifier: LGPL-2.1-or-later
# The stacks the image and VM suites build and boot on. Sourced by tests/images/run and
# tests/vm/lib.sh.
#
#   debian12  this machine: systemd 252, dracut 059, open-iscsi 2.1.8, kernel 6.1; the
#             build directory's `make install`, staged, makes the images.
#   debian13  a debootstrapped Debian 13 root (systemd 257, dracut-ng 106, open-iscsi
#             2.1.11, kernel 6.12), cached as a tar; per run it is unpacked, this tree's
#             release tarball (`make dist`) is configured, built and installed inside it
#             as a package would be, and its own dracut, kernel and — with
#             MKINITCPIO_SRC, a tarball or tree of mkinitcpio — real mkinitcpio (staged
#             as its meson.build would install it) make the images.
#
# stack_prepare STACK BUILDDIR WORKDIR sets:
#   STACK_ROOT       the stack's root directory ('' for this machine)
#   STACK_KVER       its kernel version; STACK_KERNEL the kernel image on this machine
#   STACK_STAGE      the staged `make install` of sd-iscsi built for the stack
#   STACK_BUILDERS   the image builders it has (dracut, mkinitcpio)
#   STACK_NO_MKINITCPIO  why mkinitcpio is not among them (reported as a skip)
#   STACK_VERSIONS   one line: what the stack is made of, by version
#   STACK_ISCSI_DB_DIR  its open-iscsi's node database root, read from its iscsiadm

STACKS=(debian12 debian13)
STACK_BINDS=()
STACK_TOP=${STACK_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
STACK_CACHE=${STACK_CACHE:-$STACK_TOP/tests/vm/cache}

stack_log() { printf 'stack: %s\n' "$*" >&2; }

# The mirror apt uses here (a CI machine may have its own), else Debian's.
stack_apt_mirror() {
        local m
        m=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
                grep -v -- '-security' | head -1)
        [[ -n $m ]] || m=$(awk '$1 == "deb" && $3 ~ /^(bookworm|trixie)$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
        echo "${m:-http://deb.debian.org/debian}"
}
STACK_MIRROR=${STACK_MIRROR:-$(stack_apt_mirror)}

# What the Debian 13 root holds: the initrd stack under test (systemd and its networkd,
# udev, dracut-ng, open-iscsi, the kernel), what dracut-ng's own iscsi module needs for
# the peer images (network-legacy: dhclient, pgrep), what real mkinitcpio needs
# (bsdtar, busybox), the tpm2-tss libraries that systemd-creds loads for the TPM2
# images (sd_iscsi_tpm2 / SD_ISCSI_TPM2), multipath-tools for the multipath images, and
# what builds sd-iscsi.
STACK_DEBIAN13_PACKAGES=systemd,systemd-sysv,udev,dracut-core,dracut-network,open-iscsi,linux-image-amd64,kmod,cpio,busybox,libarchive-tools,isc-dhcp-client,procps,iproute2,e2fsprogs,zstd,xz-utils,libtss2-esys-3.0.2-0t64,libtss2-mu-4.0.1-0t64,libtss2-rc0t64,libtss2-sys1t64,libtss2-tcti-device0t64,libtss2-tctildr0t64,build-essential,autoconf,automake,libtool,pkg-config,libsystemd-dev,libkmod-dev,multipath-tools

stack_build_debian13_base() {
        local out=$1 d
        d=$(mktemp -d /var/tmp/sd-iscsi-debootstrap.XXXXXX)
        debootstrap --variant=minbase --include="$STACK_DEBIAN13_PACKAGES" \
                trixie "$d" "$STACK_MIRROR" || { rm -rf "$d"; return 1; }
        rm -rf "$d"/var/cache/apt/archives/*.deb "$d"/var/lib/apt/lists/* "$d"/usr/share/doc \
                "$d"/usr/share/man "$d"/usr/share/locale "$d"/boot/initrd.img-*
        tar -C "$d" --numeric-owner -cf "$out" . || { rm -rf "$d"; return 1; }
        rm -rf "$d"
}

# stack_cached NAME KEY BUILDFN: sets STACK_CACHED to $STACK_CACHE/NAME-KEY, built by
# BUILDFN OUT when missing (older versions of NAME are removed).
stack_cached() {
        local name=$1 key=$2 fn=$3 out t0=$SECONDS
        out=$STACK_CACHE/$name-$key
        STACK_CACHED=
        mkdir -p "$STACK_CACHE"
        if [[ ! -s $out ]]; then
                rm -f "$STACK_CACHE/$name"-*
                if ! "$fn" "$out.tmp" >"$STACK_CACHE/$name.log" 2>&1; then
                        tail -30 "$STACK_CACHE/$name.log" >&2
                        rm -f "$out.tmp"
                        stack_log "building $name failed (log: $STACK_CACHE/$name.log)"
                        return 1
                fi
                mv "$out.tmp" "$out"
                stack_log "built $name in $((SECONDS - t0)) s"
        fi
        STACK_CACHED=$out
}

# stack_exec CMD…: CMD in the stack's root (a chroot with /proc, /sys, /dev, in a private
# mount namespace that takes every mount with it when CMD ends), or here. In the root,
# arguments naming a path below it are rewritten to the path the chroot sees, and
# STACK_BINDS ("HOST-DIR:ROOT-DIR" …) are bind-mounted first.
stack_exec() {
        if [[ -z $STACK_ROOT ]]; then
                "$@"
                return
        fi
        local -a args=()
        local a
        for a in "$@"; do
                [[ $a == "$STACK_ROOT"/* ]] && a=${a#"$STACK_ROOT"}
                args+=("$a")
        done
        # shellcheck disable=SC2016 # expanded by the inner shell
        unshare --mount --propagation private -- /bin/bash -c '
                set -e
                r=$1 binds=$2
                shift 2
                # A mount point of its own, so that the root file system is one for the
                # tools inside too (findmnt /: dracut --hostonly, mkinitcpio autodetect).
                mount --bind "$r" "$r"
                mount -t proc proc "$r/proc"
                mount --rbind /sys "$r/sys"
                mount --rbind /dev "$r/dev"
                mount -t tmpfs tmpfs "$r/run"
                for b in $binds; do
                        mkdir -p "$r${b#*:}"
                        mount --bind "${b%%:*}" "$r${b#*:}"
                done
                exec chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
                        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"' \
                stack_exec "$STACK_ROOT" "${STACK_BINDS[*]}" "${args[@]}"
}

# stack_stage_mkinitcpio ROOT SRC: mkinitcpio from SRC (its release tarball or tree) into
# ROOT, as its meson.build installs it, with Debian's busybox as its busybox.
stack_stage_mkinitcpio() {
        local root=$1 src=$2 tmp d version f
        tmp=$(mktemp -d /var/tmp/sd-iscsi-mkinitcpio.XXXXXX)
        if [[ -d $src ]]; then
                cp -a "$src" "$tmp/src"
        else
                mkdir "$tmp/src"
                tar -C "$tmp/src" -xf "$src" || { rm -rf "$tmp"; return 1; }
        fi
        d=$tmp/src
        [[ -f $d/mkinitcpio ]] || d=$(dirname "$(find "$tmp/src" -maxdepth 2 -name mkinitcpio -type f | head -1)")
        [[ -f $d/mkinitcpio && -f $d/functions ]] || { stack_log "no mkinitcpio in $src"; rm -rf "$tmp"; return 1; }
        version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" "$d/meson.build" | head -1)
        [[ -n $version ]] || version=$(basename "$src" | sed -E 's/^mkinitcpio-?//; s/\.tar.*//')
        # The placeholders meson.build fills in, with Debian 13's paths.
        local -a subst=(-e "s|@VERSION@|${version:-unknown}|g" -e 's|@BINDIR@|/usr/bin|g'
                -e 's|@SYSCONFDIR@|/etc|g' -e 's|@INITCPIO_LIBDIR@|/usr/lib/initcpio|g'
                -e 's|@INITCPIO_SYSCONFDIR@|/etc/initcpio|g' -e 's|@VCONSOLE_CONF@|/etc/vconsole.conf|g'
                -e 's|@MKINITCPIO_HOOKS@|base systemd autodetect microcode modconf kms keyboard sd-vconsole block filesystems fsck|g'
                -e 's|@UDEVD_PATH@|/usr/lib/systemd/systemd-udevd|g'
                -e 's|@TMPFILES_PATH@|/usr/bin/systemd-tmpfiles|g')
        mkdir -p "$root/usr/lib/initcpio/install" "$root/usr/lib/initcpio/hooks" "$root/usr/lib/initcpio/post" \
                "$root/usr/lib/initcpio/udev" "$root/etc/initcpio/install" "$root/etc/initcpio/hooks" \
                "$root/etc/initcpio/post" "$root/etc/mkinitcpio.conf.d" "$root/etc/mkinitcpio.d"
        # mkinitcpio sets PATH=/usr/bin:/bin for itself, right on Arch, whose /usr/sbin is
        # /usr/bin; Debian 13 keeps modinfo, blkid, switch_root … in /usr/sbin. And the
        # systemd hook copies /usr/bin/sulogin, swapon, swapoff by those names. A Debian
        # package of mkinitcpio would have to do the same. Hard links, not symlinks: the
        # image has /usr/sbin -> bin, where a copied usr/bin/sulogin -> ../sbin/sulogin
        # points at itself, and the emergency shell failed with "Too many levels of
        # symbolic links" (systemd-sulogin-shell then restarts initrd.target).
        sed -e 's|^export PATH="@BINDIR@:/bin"$|export PATH="/usr/bin:/usr/sbin:/bin"|' "${subst[@]}" \
                "$d/mkinitcpio" >"$root/usr/bin/mkinitcpio"
        for f in sulogin swapon swapoff; do
                [[ -e $root/usr/bin/$f || ! -e $root/usr/sbin/$f ]] || ln "$root/usr/sbin/$f" "$root/usr/bin/$f"
        done
        sed "${subst[@]}" "$d/lsinitcpio" >"$root/usr/bin/lsinitcpio"
        chmod 0755 "$root/usr/bin/mkinitcpio" "$root/usr/bin/lsinitcpio"
        sed "${subst[@]}" "$d/mkinitcpio.conf" >"$root/etc/mkinitcpio.conf"
        for f in functions init init_functions shutdown; do
                sed "${subst[@]}" "$d/$f" >"$root/usr/lib/initcpio/$f"
        done
        chmod 0755 "$root/usr/lib/initcpio/functions"
        for f in "$d"/install/* "$d"/hooks/*; do
                [[ ${f##*/} == meson.build ]] && continue
                sed "${subst[@]}" "$f" >"$root/usr/lib/initcpio/${f#"$d"/}"
        done
        for f in "$d"/udev/*.rules; do
                [[ -e $f ]] && cp "$f" "$root/usr/lib/initcpio/udev/"
        done
        cp "$root/usr/bin/busybox" "$root/usr/lib/initcpio/busybox"
        rm -rf "$tmp"
        echo "$version"
}

# stack_pkgver ROOT PACKAGE…: "name=version …" as dpkg in ROOT knows them.
stack_pkgver() {
        local root=$1
        shift
        dpkg-query ${root:+--admindir="$root/var/lib/dpkg"} -W -f='${Package}=${Version} ' "$@" 2>/dev/null
}

stack_prepare() {
        local stack=$1 builddir=$2 work=$3 t0=$SECONDS dist mk
        STACK=$stack STACK_ROOT='' STACK_BUILDERS='dracut' STACK_NO_MKINITCPIO=''
        case $stack in
        debian12)
                STACK_KVER=$(find /lib/modules -mindepth 1 -maxdepth 1 -name '*-amd64' -printf '%f\n' | sort -V | tail -1)
                STACK_KERNEL=/boot/vmlinuz-$STACK_KVER
                STACK_STAGE=$work/stage
                STACK_NO_MKINITCPIO="mkinitcpio's systemd hook needs systemd >= 255 (Debian 12 has 252)"
                if [[ ! -d $STACK_STAGE ]]; then
                        mkdir -p "$STACK_STAGE"
                        # shellcheck source=tests/images/lib.sh
                        declare -F stage_install >/dev/null || . "$STACK_TOP/tests/images/lib.sh"
                        stage_install "$builddir" "$STACK_STAGE" >&2 || return 1
                fi
                ;;
        debian13)
                command -v debootstrap >/dev/null || { stack_log "debootstrap is missing"; return 1; }
                stack_cached debian13-base "$( { echo trixie "$STACK_MIRROR" "$STACK_DEBIAN13_PACKAGES"
                        declare -f stack_build_debian13_base; } | sha256sum | cut -c1-16)" \
                        stack_build_debian13_base || return 1
                STACK_ROOT=$work/debian13
                rm -rf "$STACK_ROOT"
                mkdir -p "$STACK_ROOT"
                tar -C "$STACK_ROOT" --numeric-owner -xf "$STACK_CACHED" || return 1
                # This tree as released: its tarball, configured and built inside the root.
                make -C "$builddir" dist >"$work/dist.log" 2>&1 || { tail -20 "$work/dist.log" >&2; return 1; }
                dist=$(find "$builddir" -maxdepth 1 -name 'sd-iscsi-*.tar.xz' -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
                mkdir -p "$STACK_ROOT/usr/src"
                tar -C "$STACK_ROOT/usr/src" -xf "$dist" || return 1
                dist=$(basename "$dist" .tar.xz)
                if ! stack_exec /bin/sh -c "cd /usr/src/$dist && ./configure --prefix=/usr --sysconfdir=/etc \
                        --enable-werror && make -j$(nproc) && make install && make install DESTDIR=/usr/src/stage" \
                        >"$work/debian13-build.log" 2>&1; then
                        tail -30 "$work/debian13-build.log" >&2
                        stack_log "building sd-iscsi in the Debian 13 root failed (log: $work/debian13-build.log)"
                        return 1
                fi
                STACK_STAGE=$STACK_ROOT/usr/src/stage
                STACK_KVER=$(find "$STACK_ROOT/usr/lib/modules" -mindepth 1 -maxdepth 1 -name '*-amd64' -printf '%f\n' | sort -V | tail -1)
                STACK_KERNEL=$STACK_ROOT/boot/vmlinuz-$STACK_KVER
                if [[ -z ${MKINITCPIO_SRC:-} ]]; then
                        STACK_NO_MKINITCPIO="no mkinitcpio source (MKINITCPIO_SRC=)"
                elif ! mk=$(stack_stage_mkinitcpio "$STACK_ROOT" "$MKINITCPIO_SRC"); then
                        STACK_NO_MKINITCPIO="cannot stage mkinitcpio from $MKINITCPIO_SRC"
                else
                        STACK_BUILDERS='dracut mkinitcpio'
                fi
                ;;
        *)
                stack_log "unknown stack '$stack' (${STACKS[*]})"
                return 1
                ;;
        esac
        [[ -n $STACK_KVER && -r $STACK_KERNEL ]] || { stack_log "$stack: no kernel"; return 1; }
        STACK_ISCSI_DB_DIR=$("$STACK_TOP/modules.d/open-iscsi-layout" "$STACK_ROOT/usr/sbin/iscsiadm" \
                "$STACK_ROOT/usr/sbin/iscsid" | sed -n 's/^ISCSI_DB_DIR=//p')
        [[ -n $STACK_ISCSI_DB_DIR ]] || { stack_log "$stack: cannot read open-iscsi's layout"; return 1; }
        STACK_VERSIONS="$stack: kernel $STACK_KVER, $(stack_pkgver "$STACK_ROOT" systemd dracut-core open-iscsi)${mk:+mkinitcpio=$mk}"
        ((SECONDS - t0 > 5)) && stack_log "$stack prepared in $((SECONDS - t0)) s"
        return 0
}

# Real mkinitcpio v41 in the Debian 13 root reports two errors of its own systemd hook,
# which expects an Arch system: systemd-validatefs (systemd >= 258; Debian 13 has 257)
# and /etc/udev/hwdb.bin (Debian keeps it in /usr/lib/udev). It still writes the image,
# and exits 1. Any other error fails the build.
STACK_MKINITCPIO_FOREIGN=("file not found: '/usr/lib/systemd/systemd-validatefs'"
        "file not found: '/etc/udev/hwdb.bin'")

# stack_mkinitcpio_judge LOG IMAGE: whether mkinitcpio wrote IMAGE and reported no error
# but the foreign ones; the others are printed.
stack_mkinitcpio_judge() {
        local log=$1 image=$2 line known e bad=0
        [[ -s $image ]] || { echo "mkinitcpio wrote no image"; bad=1; }
        while IFS= read -r line; do
                known=0
                for e in "${STACK_MKINITCPIO_FOREIGN[@]}"; do
                        [[ $line == *"ERROR: $e" ]] && known=1
                done
                ((known)) || { echo "$line"; bad=1; }
        done < <(grep -a '==> ERROR:' "$log")
        return "$bad"
}
