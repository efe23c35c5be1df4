/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bond= options → the model (see bond.h for why sd-iscsi writes the bond's .netdev).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bond.h"
#include "util.h"

#define BOND_OPTIONS_MAX 512

/* The kernel's names of a setting's values, in its numbering, so that "mode=1" and
 * "mode=active-backup" both work as they do for the bonding module. networkd spells the
 * values the same way. */
static const char *const modes[] = { "balance-rr", "active-backup", "balance-xor", "broadcast",
                                     "802.3ad", "balance-tlb", "balance-alb", NULL };
static const char *const hash_policies[] = { "layer2", "layer3+4", "layer2+3", "encap2+3",
                                             "encap3+4", NULL };
static const char *const lacp_rates[] = { "slow", "fast", NULL };
static const char *const fail_over_macs[] = { "none", "active", "follow", NULL };
static const char *const reselects[] = { "always", "better", "failure", NULL };

#define STR(f, v) .values = (v), .offset = offsetof(Bond, f)
#define NUM(f, ms) .offset = offsetof(Bond, f), .msec = (ms)

const BondOption bond_options[] = {
        { "mode",             "Mode",                  STR(mode, modes) },
        { "xmit_hash_policy", "TransmitHashPolicy",    STR(xmit_hash_policy, hash_policies) },
        { "lacp_rate",        "LACPTransmitRate",      STR(lacp_rate, lacp_rates) },
        { "fail_over_mac",    "FailOverMACPolicy",     STR(fail_over_mac, fail_over_macs) },
        { "primary_reselect", "PrimaryReselectPolicy", STR(primary_reselect, reselects) },
        { "miimon",           "MIIMonitorSec",         NUM(miimon_ms, true) },
        { "updelay",          "UpDelaySec",            NUM(updelay_ms, true) },
        { "downdelay",        "DownDelaySec",          NUM(downdelay_ms, true) },
        { "arp_interval",     "ARPIntervalSec",        NUM(arp_interval_ms, true) },
        { "min_links",        "MinLinks",              NUM(min_links, false) },
};

static bool ifname_valid(const char *s, size_t n) {
        if (n == 0 || n >= sizeof(((Bond *) 0)->name) || (n == 1 && s[0] == '.') ||
            (n == 2 && s[0] == '.' && s[1] == '.'))
                return false;
        for (size_t i = 0; i < n; i++)
                /* Printable ASCII only: it goes into messages and networkd's files. */
                if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '/' || s[i] == ':')
                        return false;
        return true;
}

/* A value of the table, by name or by the kernel's number. */
static const char *lookup(const char *const *values, const char *s) {
        uint64_t n;
        size_t count = 0;

        for (; values[count]; count++)
                if (strcmp(values[count], s) == 0)
                        return values[count];
        if (safe_atou64(s, count - 1, &n) >= 0)
                return values[n];
        return NULL;
}

static int set_option(Config *c, Bond *b, char *name, const char **error) {
        char *value = strchr(name, '=');
        const BondOption *o = NULL;

        if (!value || value == name) {
                *error = "bond= options must be NAME=VALUE";
                return -EINVAL;
        }
        *value++ = 0;
        /* The name goes into a message: the bonding driver's names only. */
        if (name[strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_")]) {
                *error = "a bond= option name is not lower-case letters, digits and '_'";
                return -EINVAL;
        }
        for (size_t i = 0; i < ELEMENTSOF(bond_options); i++)
                if (strcmp(bond_options[i].name, name) == 0)
                        o = &bond_options[i];
        if (!o) {
                config_warning(c, "bond=%s: the option \"%.32s\" is not supported, ignoring it.", b->name, name);
                return 0;
        }
        if (o->values) {
                const char *v = lookup(o->values, value);

                if (!v) {
                        *error = "a bond= option has a value the bonding driver does not know";
                        return -EINVAL;
                }
                /* Every table value fits its field (the _Static_asserts below). */
                strcpy((char *) b + o->offset, v);
        } else {
                uint64_t n;

                if (safe_atou64(value, INT32_MAX, &n) < 0) {
                        *error = "a numeric bond= option is not a number";
                        return -EINVAL;
                }
                *(int64_t *) ((char *) b + o->offset) = (int64_t) n;
        }
        return 0;
}

_Static_assert(sizeof("active-backup") <= sizeof(((Bond *) 0)->mode), "mode");
_Static_assert(sizeof("layer3+4") <= sizeof(((Bond *) 0)->xmit_hash_policy), "hash");
_Static_assert(sizeof("failure") <= sizeof(((Bond *) 0)->primary_reselect), "reselect");
_Static_assert(sizeof("follow") <= sizeof(((Bond *) 0)->fail_over_mac), "mac");

int bond_parse(Config *c, const char *value, Bond *ret, const char **error) {
        char buf[BOND_OPTIONS_MAX], *p, *next;
        const char *colon = strchr(value, ':'), *opts;
        size_t n = colon ? (size_t) (colon - value) : strlen(value);
        Bond b = { .miimon_ms = -1, .updelay_ms = -1, .downdelay_ms = -1, .arp_interval_ms = -1,
                   .min_links = -1 };

        *error = NULL;
        if (!ifname_valid(value, n)) {
                *error = "the bond's name is not a valid interface name";
                return -EINVAL;
        }
        memcpy(b.name, value, n);

        /* <name>:<slaves>:<options>[:<mtu>]; the slaves and MTU are
         * systemd-network-generator's. */
        opts = colon ? strchr(colon + 1, ':') : NULL;
        if (opts) {
                const char *end = strchrnul(++opts, ':');

                if ((size_t) (end - opts) >= sizeof buf) {
                        *error = "the bond= options are too long";
                        return -EINVAL;
                }
                memcpy(buf, opts, (size_t) (end - opts));
                buf[end - opts] = 0;
                for (p = buf; p && *p; p = next) {
                        int r;

                        next = strchr(p, ',');
                        if (next)
                                *next++ = 0;
                        r = set_option(c, &b, p, error);
                        if (r < 0)
                                return r;
                }
        }
        *ret = b;
        return !!opts;
}

const size_t bond_n_options = ELEMENTSOF(bond_options);
