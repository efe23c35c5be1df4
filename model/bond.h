/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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

/* One option of bond=: the bonding module's name, networkd's [Bond] key for it, and where
 * bond_parse() puts its value in a Bond. */
typedef struct BondOption {
        const char *name;               /* the bonding module's */
        const char *key;                /* networkd's [Bond] key */
        const char *const *values;      /* NULL: a number */
        size_t offset;
        bool msec;                      /* a number of milliseconds */
} BondOption;

/* Every option bond_parse() knows, in the order the .netdev lists them. */
extern const BondOption bond_options[];
extern const size_t bond_n_options;

/* Parses the value of one bond= into *ret: 1 if it has an options field, 0 if not. On
 * -EINVAL, *error says why; unknown options are reported through config_warning() and
 * skipped. */
int bond_parse(Config *c, const char *value, Bond *ret, const char **error);
