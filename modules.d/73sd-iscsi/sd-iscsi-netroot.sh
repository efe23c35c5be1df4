#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut's netroot handler for netroot=iscsi:... (installed as iscsiroot). dracut-ng's
# network modules run /sbin/netroot when a link comes up, and it dies (printing the
# whole spec, CHAP secrets included) when no handler exists for the type. sd-iscsi's
# login units own these sessions: there is nothing left to do here, and a second login
# must not happen. The spec ($2) is never printed.
exit 0
