#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut cmdline hook: root=iscsi:… and a netroot=iscsi:… (from the command line, or
# the DHCP root path that dracut-ng's netroot re-reads these hooks for) are sd-iscsi's:
# tell dracut's root checks that they are handled. Nothing is echoed: specs carry
# CHAP secrets.
# shellcheck disable=SC2034,SC2154 # rootok is read by dracut-cmdline.sh and netroot; root and netroot are dracut's

case "$root" in
    iscsi:*) rootok=1 ;;
esac
case "$netroot" in
    iscsi:*) rootok=1 ;;
esac
