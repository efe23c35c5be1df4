/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "kernel.h"

/* The systemd-networkd .network files a link may be configured by: calls fn with the
 * name and text of the first file of each name in networkd's search path (below
 * $SD_ISCSI_ROOT). At most 256 names; files over 256 KiB are skipped. A negative
 * return of fn stops the walk and is returned. */
typedef int (*network_file_fn)(const char *name, const char *text, void *userdata);
int network_for_each_file(network_file_fn fn, void *userdata);

/* Whether a .network file's text enables DHCPv4 ([Network] DHCP=yes|ipv4|true|…). */
bool network_text_dhcp4(const char *text);

/* Whether the [Match] section of a .network file may match the link. Name=, Type=,
 * MACAddress= and PermanentMACAddress= are evaluated (globs, "!" lists, resets); other
 * keys cannot be known here and are taken to match: a false "yes" only keeps the
 * configuration of a link that did not need it. */
bool handoff_network_matches(const char *text, const BootLink *link);
