/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config.h"

/* root=dhcp / netroot=dhcp's writers (model/lease.h has the design). */

#define DHCP_DROPIN_NAME "50-sd-iscsi-root-path.conf"

/* The drop-in that makes networkd request option 17. */
int dhcp_write_root_path_dropin(FILE *f);

/* The udev rule naming the session's LUN DHCP_ROOT_LINK, matched by ID_PATH. */
int dhcp_write_root_rule(FILE *f, const Session *s);
