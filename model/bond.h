/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config.h"

/*
 * bond= (dracut's and systemd-network-generator's syntax,
 * "<name>[:<slaves>[:<options>[:<mtu>]]]"). systemd-network-generator (252 … 257) creates
 * the bond and enslaves the NICs but drops the options, leaving the kernel's defaults:
 * balance-rr and no link monitoring, so a dead slave keeps getting its share of the
 * packets. The options are parsed here into the model, and `sd-iscsi prepare` writes the
 * bond's .netdev with them under a name that sorts first (networkd creates a netdev from
 * the first file that names it).
 */

/* Parses the value of one bond= into *ret: 1 if it has an options field, 0 if not. On
 * -EINVAL, *error says why; unknown options are reported through config_warning() and
 * skipped. */
int bond_parse(Config *c, const char *value, Bond *ret, const char **error);

/* "10-sd-iscsi-bond-<name>.netdev". -ENAMETOOLONG. */
int bond_netdev_name(const Bond *b, char *buf, size_t size);

/* The .netdev text: [NetDev] and the [Bond] settings bond= asked for. -EIO on write
 * errors. */
int bond_netdev_write(const Bond *b, FILE *f);
