/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

/* A network interface that carries an iSCSI connection of the boot. */
typedef struct BootLink {
        char ifname[IFNAMSIZ];
        char mac[18];           /* "52:54:00:…", lower case as sysfs has it */
        bool has_mac;
        char type[16];          /* networkd's Type= ("ether", "vlan", …); "" if unknown */
} BootLink;

/* The drop-in that makes a .network file keep its links' configuration (pure writer). */
int handoff_write_dropin(FILE *f);

/* Whether the [Match] section of a .network file may match the link. Name=, Type=,
 * MACAddress= and PermanentMACAddress= are evaluated (globs, "!" lists, resets); other
 * keys cannot be known here and are taken to match: a false "yes" only keeps the
 * configuration of a link that did not need it. */
bool handoff_network_matches(const char *text, const BootLink *link);

/* The links the kernel's iSCSI connections (below sysfs) are routed over, each once. */
int handoff_boot_links(const char *sysfs, BootLink *links, size_t max, size_t *ret_n);

/* sd-iscsi handoff */
int handoff_run(void);
