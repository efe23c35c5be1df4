#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut cmdline hook: root=iscsi:… is sd-iscsi's to mount (sd-iscsi-generator writes
# sysroot.mount for it), so tell dracut's command line check that it is handled.
# shellcheck disable=SC2034 # rootok is read by dracut-cmdline.sh

case "$root" in
    iscsi:*) rootok=1 ;;
esac
