#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A small, strict emulation of mkinitcpio's install-hook API (v41; facts in
# shared/docs/mkinitcpio-hook-api.md): the `functions` a hook may call, the systemd
# hook's add_systemd_unit/add_systemd_drop_in, hooks sourced one after another into
# one shell, failing add_* calls counted, nullglob left on by the systemd hook. It
# really copies files from this system into the build root, so what a hook adds can
# be inspected and its programs run through ldd.
#
#   mkinitcpio-emul.sh -r BUILDROOT -k KVER -o OUTDIR [-c CONFIG] [-a "MOD..."] HOOK...
#
# -a: what the emulated `autodetect` hook finds (module names). HOOK names
# `systemd`, `autodetect` and `base` are the emulated builtins; any other is looked
# up in $MKINITCPIO_INSTALL (':'-separated, default /etc/initcpio/install:
# /usr/lib/initcpio/install). Writes OUTDIR/{modules,errors,unknown}; exits 1 when
# an add_* call failed or an unknown function was called, like mkinitcpio.
#
# mkinitcpio counts a failure with a RETURN trap that reads $? as the function returns,
# which is the status of the last command run before `return`, not the returned value:
# the functions below keep the control-flow shapes mkinitcpio's own have, so that
# exactly the failures it counts are counted here.
# shellcheck disable=SC2034 # globals read by the hooks
# shellcheck disable=SC2317 # functions called by the hooks, not from here
# shellcheck disable=SC2059 # message functions take printf formats, as mkinitcpio's do

set -o pipefail
shopt -s extglob

usage() {
        echo "usage: mkinitcpio-emul.sh -r BUILDROOT -k KVER -o OUTDIR [-c CONFIG] [-a MODULES] HOOK..." >&2
        exit 2
}

BUILDROOT='' KERNELVERSION='' _emul_out='' _emul_config='' _emul_autodetect=''
while getopts 'r:k:o:c:a:' opt; do
        case $opt in
        r) BUILDROOT=$OPTARG ;;
        k) KERNELVERSION=$OPTARG ;;
        o) _emul_out=$OPTARG ;;
        c) _emul_config=$OPTARG ;;
        a) _emul_autodetect=$OPTARG ;;
        *) usage ;;
        esac
done
shift $((OPTIND - 1))
if [[ -z $BUILDROOT || -z $KERNELVERSION || -z $_emul_out ]] || (($# == 0)); then
        usage
fi
_emul_hooks=("$@")

_optmoduleroot=''
_d_kmoduledir=/lib/modules/$KERNELVERSION
_d_install=${MKINITCPIO_INSTALL:-/etc/initcpio/install:/usr/lib/initcpio/install}
declare -A _addedmodules=() _modpaths=() _autodetect_cache=()
declare -i _builderrors=0
: >"$_emul_out/unknown"
: >"$_emul_out/failed"

# --- messages (functions) ---------------------------------------------------------
plain() { local m=$1; shift; printf "    $m\n" "$@"; }
quiet() { :; }
msg() { local m=$1; shift; printf "==> $m\n" "$@"; }
msg2() { local m=$1; shift; printf "  -> $m\n" "$@"; }
warning() { local m=$1; shift; printf "==> WARNING: $m\n" "$@" >&2; }
error() { local m=$1; shift; printf "==> ERROR: $m\n" "$@" >&2; return 1; }
die() { error "$@"; _emul_finish 1; }

map() {
        local r=0 a
        for a in "${@:2}"; do
                "$1" "$a" || r=$((r + 1))
        done
        return "$r"
}

# --- files ------------------------------------------------------------------------
add_dir() {
        [[ -n $1 && $1 == /?* ]] || return 1
        [[ -d $BUILDROOT$1 ]] && return 0
        install -dm"${2:-755}" "$BUILDROOT$1"
}

add_symlink() {
        local name=$1 target=${2:-$1}
        (($# == 1 || $# == 2)) || return 1
        if [[ $name == "$target" ]]; then
                target=$(readlink -- "$name") || { error "invalid symlink: '%s'" "$name"; return 1; }
        fi
        add_dir "${name%/*}" || return 1
        ln -sfn -- "$target" "$BUILDROOT$name"
}

add_file() {
        local src=$1 dest=${2:-$1} mode=$3 real

        [[ $src == - ]] && src=/dev/stdin
        if [[ -c $src || -p $src ]]; then
                [[ $src != "$dest" && $dest != */ ]] || { error "no destination file specified for: '%s'" "$src"; return 1; }
                [[ -n $mode ]] || { error "no file mode specified for: '%s'" "$dest"; return 1; }
        elif [[ ! -f $src ]]; then
                error "file not found: '%s'" "$src"
                return 1
        fi
        if [[ -L $src && ! -c $src && ! -p $src ]]; then
                real=$(realpath -- "$src")
                if [[ $real != "$dest" ]]; then
                        add_file "$real" "$real" "$mode" || return 1
                        add_symlink "$dest" "$real"
                        return
                fi
        fi
        [[ $dest == */ ]] && dest+=${src##*/}
        if [[ -z $mode ]]; then
                add_dir "${dest%/*}" || return 1
                cp --remove-destination --preserve=mode -- "$src" "$BUILDROOT$dest"
        else
                install -Dm"$mode" -- "$src" "$BUILDROOT$dest"
        fi
}

add_full_dir() {
        local dir=$1 filter=${2:-*} strip=$3 f
        [[ -n $dir && -d $dir ]] || return 0
        add_dir "$dir"
        for f in "$dir"/*; do
                if [[ -L $f ]]; then
                        # shellcheck disable=SC2053
                        if [[ $f == $filter ]]; then
                                add_symlink "${f#"$strip"}" "$(readlink "$f")"
                        fi
                elif [[ -d $f ]]; then
                        add_full_dir "$f" "$filter" "$strip"
                elif [[ -f $f ]]; then
                        # shellcheck disable=SC2053
                        if [[ $f == $filter ]]; then
                                add_file "$f" "${f#"$strip"}"
                        fi
                fi
        done
        return 0
}

add_binary() {
        local bin=$1 line lib out
        if [[ $bin != /* ]]; then
                bin=$(type -P "$1") || { error "binary not found: '%s'" "$1"; return 1; }
        fi
        add_file "$bin" "${2:-$bin}" "$3" || return 1
        out=$(ldd "$bin" 2>/dev/null) || return 0       # not dynamic: a script or static
        while read -r line; do
                if [[ $line =~ ^(|.+\ )(/.+)\ \(0x[0-9a-fA-F]+\)$ ]]; then
                        lib=${BASH_REMATCH[2]}
                        if [[ -f $lib && ! -e $BUILDROOT$lib ]]; then
                                add_file "$lib" "$lib"
                        fi
                elif [[ $line == *'not found' ]]; then
                        error "binary dependency '%s' not found for '%s'" "${line%% *}" "$1"
                        _builderrors+=1
                fi
        done <<<"$out"
        return 0
}

add_udev_rule() {
        local rules=$1 line key value bin pair
        local -a pairs
        [[ $rules == /* ]] || rules=$(PATH=/usr/lib/udev/rules.d:/lib/udev/rules.d type -P "$rules")
        [[ -n $rules ]] || return 1
        add_file "$rules" "/usr/lib/udev/rules.d/${rules##*/}" || return 1
        while IFS=, read -ra pairs; do
                for pair in "${pairs[@]}"; do
                        IFS=' =' read -r key value <<<"$pair"
                        case $key in
                        'RUN{program}' | 'RUN+' | 'IMPORT{program}' | 'ENV{REMOVE_CMD}')
                                bin=${value//[\"\']/}
                                bin=${bin%% *}
                                [[ $bin == \$* ]] && continue
                                [[ $bin == /* ]] || bin=$(PATH=/usr/lib/udev:/lib/udev type -P "$bin")
                                add_binary "$bin"
                                ;;
                        esac
                done
        done < <(grep -v '^[[:space:]]*\(#\|$\)' "$rules")
}

# --- kernel modules -----------------------------------------------------------------
add_firmware() {
        local fw f r=1
        for fw; do
                for f in /lib/firmware/"$fw"?(.*); do
                        if [[ -f $f ]]; then
                                add_file "$f" && r=0
                                break
                        fi
                done
        done
        return "$r"
}

add_module() {
        local target optional=0 found=0 field value m
        local -a deps softdeps firmware=()

        if [[ $1 == *\? ]]; then
                optional=1
                set -- "${1%\?}"
        fi
        target=${1%.ko*} target=${target//-/_}
        [[ ${_addedmodules[$target]-} == 1 ]] && return 0

        while IFS=':= ' read -r -d '' field value; do
                case $field in
                filename)
                        if [[ $value == /* ]]; then
                                found=1
                                m=${value##*/} m=${m%.ko*}
                                _modpaths[$value]=1
                                _addedmodules[${m//-/_}]=1
                        fi
                        ;;
                depends)
                        IFS=, read -ra deps <<<"$value"
                        map add_module "${deps[@]}"
                        ;;
                softdep)
                        read -ra softdeps <<<"$value"
                        for m in "${softdeps[@]}"; do
                                [[ $m == *: ]] || add_module "$m?"
                        done
                        ;;
                firmware) firmware+=("$value") ;;
                esac
        done < <(modinfo ${_optmoduleroot:+-b "$_optmoduleroot"} -k "$KERNELVERSION" -0 "$target" 2>/dev/null)

        if ((!found)); then
                ((optional)) && return 0
                error "module not found: '%s'" "$target"
                return 1
        fi
        if ((${#firmware[@]})); then
                add_firmware "${firmware[@]}" || warning "Possibly missing firmware for module: '%s'" "$target"
        fi
        return 0
}

_emul_modules_matching() {
        local -a filters=()
        local OPTIND=1 opt mod
        while getopts ':f:' opt; do
                [[ $opt == f ]] && filters+=("$OPTARG")
        done
        shift $((OPTIND - 1))
        while IFS= read -r mod; do
                for opt in "${filters[@]}"; do
                        [[ $mod =~ $opt ]] && continue 2
                done
                mod=${mod##*/} mod=${mod%.ko*}
                printf '%s\n' "${mod//-/_}"
        done < <(find "$_d_kmoduledir" -name '*.ko*' 2>/dev/null | grep -E "$@")
}

add_all_modules() {
        local -a mods
        mapfile -t mods < <(_emul_modules_matching "$@")
        map add_module "${mods[@]}"
        return $((!${#mods[@]}))
}

add_checked_modules() {
        local -a mods
        if ((${#_autodetect_cache[@]})); then
                mapfile -t mods < <(_emul_modules_matching "$@" | grep -xFf <(printf '%s\n' "${!_autodetect_cache[@]}"))
        else
                mapfile -t mods < <(_emul_modules_matching "$@")
        fi
        map add_module "${mods[@]}"
        return $((!${#mods[@]}))
}

# --- the emulated builtin hooks -------------------------------------------------------
_emul_builtin_systemd() {
        add_systemd_unit() {
                local unit dep key values
                unit=$(PATH=/usr/lib/systemd/system:/lib/systemd/system type -P "$1")
                [[ -n $unit ]] || return 1
                add_file "$unit" || return 1
                while IFS='=' read -r key values; do
                        read -ra values <<<"$values"
                        case $key in
                        Requires | OnFailure) map add_systemd_unit "${values[@]}" ;;
                        Exec*)
                                case ${values[0]} in
                                -*) ;;
                                !!*) add_binary "${values[0]#!!}" ;;
                                *) add_binary "${values[0]#[@!:+]}" ;;
                                esac
                                ;;
                        esac
                done <"$unit"
                for dep in {/usr,}/lib/systemd/system/*.wants/"${unit##*/}"; do
                        if [[ -L $dep ]]; then
                                add_symlink "$dep"
                        fi
                done
                if [[ -d $unit.requires ]]; then
                        for dep in "$unit".requires/*; do
                                add_systemd_unit "${dep##*/}"
                        done
                fi
                return 0
        }
        add_systemd_drop_in() {
                mkdir -p "$BUILDROOT/etc/systemd/system/$1.d"
                cat >"$BUILDROOT/etc/systemd/system/$1.d/$2.conf"
        }
        build() {
                map add_binary /usr/lib/systemd/systemd /usr/bin/journalctl /usr/bin/systemd-tmpfiles
                map add_systemd_unit initrd.target initrd-root-device.target initrd-switch-root.target \
                        sockets.target sysinit.target systemd-udevd.service
                printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' >"$BUILDROOT/etc/nsswitch.conf"
                echo 'root:x:0:0:root:/root:/bin/sh' >"$BUILDROOT/etc/passwd"
                getent group root | awk -F: '{ print $1 ":x:" $3 ":" }' >"$BUILDROOT/etc/group"
                # What the real hook leaves behind for every later hook.
                shopt -s nullglob
        }
}

_emul_builtin_autodetect() {
        build() {
                local m
                for m in $_emul_autodetect; do
                        _autodetect_cache[${m//-/_}]=1
                done
        }
}

_emul_builtin_base() {
        build() { add_dir /new_root; }
}

run_build_hook() {
        local hook=$1 script
        unset -f build help
        case $hook in
        systemd | autodetect | base) "_emul_builtin_$hook" ;;
        *)
                script=$(PATH=$_d_install type -P "$hook") || { error "Hook '%s' cannot be found" "$hook"; return 1; }
                # shellcheck disable=SC1090
                . "$script" || { error "Failed to read %s" "$script"; return 1; }
                ;;
        esac
        declare -F build >/dev/null || { error "Hook '%s' has no build function" "$hook"; return 1; }
        msg2 "Running build hook: [%s]" "$hook"
        build
        return 0
}

# --- strictness ---------------------------------------------------------------------
# Anything a hook calls that is neither a function above nor a program fails, and
# fails the build.
command_not_found_handle() {
        printf '%s\n' "$1" >>"$_emul_out/unknown"
        printf '==> ERROR: emulation: unknown command or function: %s\n' "$1" >&2
        return 127
}

_emul_finish() {
        printf '%s\n' "${!_modpaths[@]}" | sort >"$_emul_out/modules"
        echo "$_builderrors" >"$_emul_out/errors"
        if [[ ${1:-0} != 0 ]] || ((_builderrors)) || [[ -s $_emul_out/unknown ]]; then
                exit 1
        fi
        exit 0
}

# --- the build -------------------------------------------------------------------------
rm -rf "$BUILDROOT"
install -dm755 "$BUILDROOT"/{proc,sys,dev,run,tmp,var,etc,usr/{lib,bin}}
ln -s usr/lib "$BUILDROOT/lib"
ln -s bin "$BUILDROOT/usr/sbin"
ln -s usr/bin "$BUILDROOT/bin"
ln -s usr/bin "$BUILDROOT/sbin"
ln -s lib "$BUILDROOT/usr/lib64"
ln -s usr/lib "$BUILDROOT/lib64"
install -dm755 "$BUILDROOT/usr/lib/modules/$KERNELVERSION/kernel"
: >"$BUILDROOT/etc/ld.so.conf"

if [[ -n $_emul_config ]]; then
        # shellcheck disable=SC1090
        . "$_emul_config"
fi

set -o functrace
trap '(( $? )) && [[ $FUNCNAME == add_* ]] && { _builderrors+=1; printf "%s %s\n" "$FUNCNAME" "$*" >>"$_emul_out/failed"; }' RETURN
map run_build_hook "${_emul_hooks[@]}" || _builderrors+=1
trap - RETURN
set +o functrace
ldconfig -r "$BUILDROOT" >/dev/null 2>&1
_emul_finish 0
