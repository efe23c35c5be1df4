# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the image tests: results, the staged install made visible in a private
# mount namespace, a planted host /etc/iscsi, and checks on an unpacked image.
# shellcheck shell=bash

T_PASSED=0
T_FAILED=0
T_FAILED_NAMES=()
T_ERRORS=()

# Assertions inside a test append to T_ERRORS; t_end judges the test by them.
t_begin() {
        T_NAME=$1
        T_ERRORS=()
        T_START=${EPOCHREALTIME/./}
}

t_err() {
        T_ERRORS+=("$*")
}

t_end() {
        local secs
        local us=$((${EPOCHREALTIME/./} - T_START))
        secs=$((us / 1000000)).$((us / 100000 % 10))
        if ((${#T_ERRORS[@]} == 0)); then
                T_PASSED=$((T_PASSED + 1))
                printf 'PASS %s (%ss)%s\n' "$T_NAME" "$secs" "${1:+ $1}"
        else
                T_FAILED=$((T_FAILED + 1))
                T_FAILED_NAMES+=("$T_NAME")
                printf 'FAIL %s (%ss)\n' "$T_NAME" "$secs"
                printf '     %s\n' "${T_ERRORS[@]:0:40}"
                ((${#T_ERRORS[@]} > 40)) && printf '     ... %d more\n' $((${#T_ERRORS[@]} - 40))
        fi
        return 0
}

t_summary() {
        printf '%s: %d passed, %d failed\n' "$1" "$T_PASSED" "$T_FAILED"
        ((T_FAILED == 0))
}

# stage_install BUILDDIR DIR: `make install DESTDIR=DIR`, folded into usr/ the way a
# merged-/usr host sees it (udev rules may be installed below /lib).
stage_install() {
        local builddir=$1 dir=$2 d
        make -C "$builddir" install DESTDIR="$dir" >"$dir.log" 2>&1 || {
                cat "$dir.log" >&2
                return 1
        }
        for d in lib bin sbin; do
                if [[ -d $dir/$d && ! -L $dir/$d ]]; then
                        mkdir -p "$dir/usr/$d"
                        cp -a "$dir/$d/." "$dir/usr/$d/"
                        rm -rf "${dir:?}/$d"
                fi
        done
        if [[ -n $(find "$dir" -mindepth 1 -maxdepth 1 ! -name usr) ]]; then
                echo "staged install has files outside /usr: $(find "$dir" -mindepth 1 -maxdepth 1 ! -name usr)" >&2
                return 1
        fi
}

# in_staged_root STAGE ETC_ISCSI CMD...: run CMD in a private mount namespace where
# the staged /usr lies over the host's (read-only overlay), ETC_ISCSI replaces
# /etc/iscsi and ETC_ISCSI.network (when it exists) /etc/systemd/network. Image builders install from the host's own paths, and this shows them
# sd-iscsi exactly as a package would, while the host's files stay untouched and
# nothing is left behind when the command ends, however it ends.
in_staged_root() {
        local stage=$1 etc_iscsi=$2
        shift 2
        # shellcheck disable=SC2016 # expanded by the inner shell
        unshare --mount --propagation private -- /bin/bash -c '
                set -e
                mount -t overlay sd-iscsi-stage -o "lowerdir=$1/usr:/usr" /usr
                mkdir -p /etc/iscsi
                mount --bind "$2" /etc/iscsi
                if [[ -d $2.network ]]; then
                        mkdir -p /etc/systemd/network
                        mount --bind "$2.network" /etc/systemd/network
                fi
                shift 2
                exec "$@"' in_staged_root "$stage" "$etc_iscsi" "$@"
}

# plant_etc_iscsi DIR: a host /etc/iscsi with an identity and, everywhere open-iscsi
# keeps them, CHAP credentials that no image may contain. Prints nothing; sets
# PLANTED_IQN, PLANTED_SECRET (a prefix every planted secret starts with) and
# PLANTED_IFACE. DIR.network becomes /etc/systemd/network, with one .link file.
plant_etc_iscsi() {
        local dir=$1 tag
        tag=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
        PLANTED_IQN="iqn.2026-11.test.sd-iscsi:host-identity-$tag"
        PLANTED_SECRET="sdiscsi-planted-secret-$tag"
        PLANTED_IFACE="sdiscsi-planted-iface-$tag"
        rm -rf "$dir"
        mkdir -p "$dir/nodes/iqn.2026-11.test.sd-iscsi:disk/192.0.2.10,3260,1" \
                "$dir/send_targets/192.0.2.10,3260" "$dir/ifaces"
        chmod 0700 "$dir/nodes" "$dir/send_targets"
        printf 'InitiatorName=%s\n' "$PLANTED_IQN" >"$dir/initiatorname.iscsi"
        cat >"$dir/iscsid.conf" <<EOF
node.startup = manual
node.session.timeo.replacement_timeout = 120
node.session.auth.authmethod = CHAP
node.session.auth.username = planted-user
node.session.auth.password = $PLANTED_SECRET-conf
#node.session.auth.password_in = $PLANTED_SECRET-conf-commented
 discovery.sendtargets.auth.password = $PLANTED_SECRET-conf-discovery
discovery.sendtargets.auth.username_in = planted-mutual-user
EOF
        cat >"$dir/nodes/iqn.2026-11.test.sd-iscsi:disk/192.0.2.10,3260,1/default" <<EOF
node.name = iqn.2026-11.test.sd-iscsi:disk
node.session.auth.authmethod = CHAP
node.session.auth.username = planted-user
node.session.auth.password = $PLANTED_SECRET-node
EOF
        chmod 0600 "$dir/nodes/iqn.2026-11.test.sd-iscsi:disk/192.0.2.10,3260,1/default"
        printf 'discovery.sendtargets.auth.password = %s-st\n' "$PLANTED_SECRET" \
                >"$dir/send_targets/192.0.2.10,3260/st_config"
        printf 'iface.iscsi_ifacename = %s\niface.transport_name = tcp\n' "$PLANTED_IFACE" \
                >"$dir/ifaces/$PLANTED_IFACE"
        # The host's own interface names, which a hostonly image keeps.
        rm -rf "$dir.network"
        mkdir -p "$dir.network"
        printf '[Match]\nMACAddress=52:54:00:12:34:56\n\n[Link]\nName=sdiscsi-boot0\n' \
                >"$dir.network/10-sd-iscsi-test.link"
}

# assert_no_planted ROOT: no planted secret, node record or iface anywhere in ROOT.
assert_no_planted() {
        local root=$1 hit
        hit=$(grep -rlaF -e "$PLANTED_SECRET" -e "$PLANTED_IFACE" -e "planted-user" "$root" 2>/dev/null | head -5)
        [[ -z $hit ]] || t_err "planted host credentials in the image: ${hit//$'\n'/ }"
        hit=$(find "$root" \( -path '*/etc/iscsi/nodes/*' -o -path '*/etc/iscsi/send_targets/*' \
                -o -path '*/etc/iscsi/ifaces/*' -o -path '*/var/lib/iscsi/*' \) 2>/dev/null | head -5)
        [[ -z $hit ]] || t_err "host node database in the image: ${hit//$'\n'/ }"
}

# Libraries that images carry through dracut's own modules, that nothing in them
# loads, and whose dependencies dracut does not copy. Named, with the reason, so
# that anything else that fails to resolve fails the test.
ELF_KNOWN_GAPS=(
        # 00systemd copies every libnss_* module; hesiod needs libresolv, which no
        # module copies; nsswitch.conf in the image never names hesiod.
        libnss_hesiod.so.2
        # dracut-ng 106's systemd module copies liblz4 (which journald dlopen()s to
        # compress) but not libxxhash, which Debian 13's liblz4 needs: the initrd's
        # journal stays uncompressed.
        liblz4.so.1.10.0
)

host_resolves() {
        local out
        out=$(stack_exec ldd "$1" 2>&1) && [[ $out != *'not found'* ]]
}

# assert_elf_resolve ROOT: every dynamically linked ELF file in ROOT finds all its
# libraries inside ROOT, asked of ROOT's own dynamic loader (what ldd does).
# Programs must resolve completely. A library is judged as the host's copy resolves
# on its own: some only resolve in the context of the program that loads them
# (libsystemd-core finds libsystemd-shared through systemd's RUNPATH).
assert_elf_resolve() {
        local root=$1 f rel out ldso=/lib64/ld-linux-x86-64.so.2 gap magic
        ELF_PROGRAMS=0 ELF_LIBS=0 ELF_CONTEXT=0 ELF_32=0 ELF_GAPS=()
        if [[ ! -e $root$ldso ]]; then
                t_err "no dynamic loader $ldso in the image"
                return
        fi
        while IFS= read -r -d '' f; do
                LC_ALL=C read -r -n 4 magic <"$f" 2>/dev/null || continue
                [[ $magic == $'\x7fELF' ]] || continue
                # ET_EXEC or ET_DYN only: kernel modules are relocatable objects.
                case $(od -An -tu2 -j16 -N2 "$f" | tr -d ' ') in 2 | 3) ;; *) continue ;; esac
                LC_ALL=C readelf -d "$f" 2>/dev/null | grep -q '(NEEDED)' || continue
                rel=/${f#"$root"/}
                if [[ $(od -An -tu1 -j4 -N1 "$f" | tr -d ' ') != 2 ]]; then
                        # 32-bit copies of libraries, which no 64-bit program loads.
                        ELF_32=$((ELF_32 + 1))
                        continue
                fi
                if out=$(chroot "$root" "$ldso" --list "$rel" 2>&1) && [[ $out != *'not found'* ]]; then
                        if LC_ALL=C readelf -l "$f" 2>/dev/null | grep -q 'program interpreter'; then
                                ELF_PROGRAMS=$((ELF_PROGRAMS + 1))
                        else
                                ELF_LIBS=$((ELF_LIBS + 1))
                        fi
                        continue
                fi
                out=$(tr -s ' \t\n' ' ' <<<"$out" | cut -c1-200)
                if LC_ALL=C readelf -l "$f" 2>/dev/null | grep -q 'program interpreter'; then
                        t_err "program $rel does not resolve in the image: $out"
                elif [[ -e $STACK_ROOT$rel ]] && ! host_resolves "$rel"; then
                        ELF_CONTEXT=$((ELF_CONTEXT + 1))
                else
                        for gap in "${ELF_KNOWN_GAPS[@]}"; do
                                [[ ${rel##*/} == "$gap" ]] && { ELF_GAPS+=("$gap"); continue 2; }
                        done
                        t_err "library $rel does not resolve in the image: $out"
                fi
        done < <(find "$root" -type f -print0)
        ((ELF_PROGRAMS > 0)) || t_err "no dynamically linked program found in the image"
        ELF_REPORT="ldd: $ELF_PROGRAMS programs and $ELF_LIBS libraries resolve in the image"
        ((ELF_CONTEXT)) && ELF_REPORT+=", $ELF_CONTEXT libraries only in their loader's context (as on the host)"
        ((ELF_32)) && ELF_REPORT+=", $ELF_32 32-bit libraries not checked"
        ((${#ELF_GAPS[@]})) && ELF_REPORT+=", known dracut gaps: ${ELF_GAPS[*]}"
        return 0
}

# kmod_files KVER NAME...: the module files (with dependencies) NAME needs for KVER,
# relative to /lib/modules/KVER and without a compression suffix (image builders may
# decompress them: dracut-ng and mkinitcpio do); nothing for built-in ones.
kmod_files() {
        local kver=$1
        shift
        local m
        for m in "$@"; do
                stack_exec modprobe -S "$kver" --show-depends --ignore-install "$m" 2>/dev/null
        done | awk '$1 == "insmod" { print $2 }' | sed "s|^.*/lib/modules/$kver/||" | sed -E 's/\.(xz|zst|gz)$//' | sort -u
}

# unit_in_root ROOT NAME: NAME's unit file (or its template) is in ROOT's unit paths.
unit_in_root() {
        local root=$1 name=$2 d
        [[ $name == *@?*.* ]] && name=${name%%@*}@.${name##*.}
        for d in etc/systemd/system run/systemd/generator usr/lib/systemd/system; do
                [[ -e $root/$d/$name ]] && return 0
        done
        return 1
}

# assert_units_boot_ready ROOT: run the image's own generator (chrooted, so with the
# image's libraries) on typical command lines; every unit it writes, and every static
# sd-iscsi unit, must pass `systemd-analyze verify` against the image (programs
# present), and every unit they pull in (Wants=, Requires=, ...) must be in the image:
# a missing wanted unit is silently skipped at boot. The image's `sd-iscsi show` must
# run too. ROOT is a scratch tree: the units are copied into its /etc/systemd/system.
SAMPLE_CMDLINES=(
        "ip=eth1:dhcp netroot=iscsi:10.0.0.1::3260:default:eth1:2:iqn.2009-06.dracut:t root=LABEL=root"
        "ip=dhcp root=iscsi:[2001:db8::1]::3261:1:iqn.2026-11.test.sd-iscsi:disk"
)
assert_units_boot_ready() {
        local root=$1 cmdline gen=/run/systemd/generator f u dep key out n=0
        local -a units files
        mkdir -p "$root/tmp/sd-iscsi-no-sysfs" "$root/etc/systemd/system"
        for cmdline in "${SAMPLE_CMDLINES[@]}"; do
                rm -rf "${root:?}$gen"
                mkdir -p "$root$gen"
                if ! SYSTEMD_PROC_CMDLINE=$cmdline SYSTEMD_IN_INITRD=1 SD_ISCSI_SYSFS=/tmp/sd-iscsi-no-sysfs \
                        chroot "$root" /usr/lib/systemd/system-generators/sd-iscsi-generator "$gen" "$gen" "$gen" 2>&1; then
                        t_err "the image's generator failed on '$cmdline'"
                        continue
                fi
                mapfile -t files < <(find "$root$gen" -maxdepth 1 -type f \( -name '*.service' -o -name '*.mount' \))
                if ((${#files[@]} == 0)); then
                        t_err "the image's generator wrote no unit for '$cmdline'"
                        continue
                fi
                cp -a "$root$gen/." "$root/etc/systemd/system/"
                units=()
                for f in "${files[@]}" "$root"/usr/lib/systemd/system/sd-iscsi-*; do
                        units+=("${f##*/}")
                        while IFS='=' read -r key dep; do
                                for u in $dep; do
                                        [[ $u == *.device ]] && continue
                                        unit_in_root "$root" "$u" || t_err "${f##*/} ($key=) pulls in $u, which is not in the image"
                                done
                        done < <(grep -E '^(Wants|Requires|Requisite|BindsTo|OnFailure)=' "$f")
                done
                # The stack's systemd judges (the image's units may use what 252 does not know).
                if ! out=$(cd "$root/etc/systemd/system" && stack_exec systemd-analyze verify --man=no --root "$root" "${units[@]}" 2>&1); then
                        t_err "systemd-analyze verify in the image ('$cmdline'): $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
                fi
                n=$((n + ${#files[@]}))
                if ! out=$(SYSTEMD_PROC_CMDLINE=$cmdline SYSTEMD_IN_INITRD=1 SD_ISCSI_SYSFS=/tmp/sd-iscsi-no-sysfs \
                        chroot "$root" /usr/bin/sd-iscsi show --json 2>&1) || [[ $out != *'"sessions"'* ]]; then
                        t_err "the image's 'sd-iscsi show --json' failed: $(cut -c1-200 <<<"$out")"
                fi
        done
        # shellcheck disable=SC2034 # read by the tests
        UNITS_REPORT="$n generated units verified in the image"
}
