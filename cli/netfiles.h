/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config.h"

/* Writes every file for every NIC in c, and the .netdev of every bond= with options,
 * into dir (created if missing; existing files are replaced atomically). NICs without
 * a MAC are skipped with a warning. Not a generator function: sd-iscsi prepare calls it
 * for /run/systemd/network. */
int network_write_files(const Config *c, const char *dir);

/* Writes /run/systemd/network/<network>.d/<dropin> (replacing it) with what render
 * writes. */
int network_write_dropin(const char *network, const char *dropin, int (*render)(FILE *f));

/* For every DHCP-enabled .network file networkd would use (the first of each name in
 * /etc, /run, /usr/lib, /lib systemd/network, below $SD_ISCSI_ROOT), writes
 * /run/systemd/network/<name>.d/DHCP_DROPIN_NAME. Returns how many, or negative errno. */
int dhcp_write_root_path_dropins(void);
