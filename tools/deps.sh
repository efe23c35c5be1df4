# Sourced by tools/check and tools/demo: installs what the build and the suites need,
# from Debian's packages, only when something is missing.
# shellcheck shell=bash

SD_ISCSI_BUILD_DEPS=(build-essential autoconf automake libtool pkg-config check
        libsystemd-dev libkmod-dev mandoc clang systemd)
SD_ISCSI_IMAGE_DEPS=(dracut-core dracut-network open-iscsi kmod cpio
        linux-image-amd64 busybox-static)
SD_ISCSI_VM_DEPS=(qemu-system-x86 ipxe-qemu tgt udhcpd iproute2 e2fsprogs python3 debootstrap multipath-tools
        swtpm swtpm-tools libtss2-esys-3.0.2-0 libtss2-rc0 libtss2-tcti-swtpm0 libtss2-tcti-device0)

sd_iscsi_install_deps() {
        local missing=() p
        for p in "$@"; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
                        missing+=("$p")
        done
        ((${#missing[@]})) || return 0
        echo "Installing: ${missing[*]}"
        if [[ ! -e /var/lib/apt/lists/lock ]] || [[ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v lock)" ]] ||
           ! apt-cache show "${missing[0]}" >/dev/null 2>&1; then
                apt-get update -qq
        fi
        # Never systemd-resolved: it replaces /etc/resolv.conf and apt stops working.
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
                >/tmp/sd-iscsi-apt.log 2>&1 || { cat /tmp/sd-iscsi-apt.log; return 1; }
}
