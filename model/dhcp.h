/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

/*
 * root=dhcp / netroot=dhcp: the iSCSI spec comes from DHCP option 17 (root-path).
 *
 * Nothing is known at generator time, so the generator writes one login unit,
 * sd-iscsi-login@dhcp.service, and for root=dhcp a sysroot.mount on DHCP_ROOT_LINK.
 * sd-iscsi prepare asks networkd for option 17 with a drop-in for every DHCP-enabled
 * .network file. The login helper waits for a lease (systemd-networkd saves the
 * root-path as ROOT_PATH= in its lease file), loads the model again, which then
 * holds the session "dhcp" parsed from that root-path, and for root=dhcp writes a
 * udev rule that names the LUN DHCP_ROOT_LINK before it logs in.
 */

#define DHCP_SESSION_ID "dhcp"
#define NETIF_LEASES_DIR "/run/systemd/netif/leases"
#define DHCP_ROOT_LINK "/dev/disk/by-sd-iscsi/root"
/* After 60-persistent-storage.rules, which sets ID_PATH. */
#define DHCP_ROOT_RULE "/run/udev/rules.d/61-sd-iscsi-dhcp-root.rules"
#define DHCP_DROPIN_NAME "50-sd-iscsi-root-path.conf"

/* The value of ROOT_PATH= in the text of a networkd lease file: *ret points into
 * text (which is modified: the value is NUL-terminated in place). -ENOENT if none. */
int dhcp_lease_root_path(char *text, const char **ret);

/* A root-path that is an iscsi: spec → a SOURCE_DHCP session. -EOPNOTSUPP when the
 * root-path is not iscsi: (another boot method's), -EINVAL (with *error) when it is
 * malformed. */
int dhcp_session_from_root_path(const char *root_path, bool with_secrets, bool root,
                                Session *ret, char **error);

/* Whether a .network file's text enables DHCPv4 ([Network] DHCP=yes|ipv4|true|…). */
bool network_text_dhcp4(const char *text);

/* The drop-in that makes networkd request option 17. */
int dhcp_write_root_path_dropin(FILE *f);

/* The udev rule naming the session's LUN DHCP_ROOT_LINK, matched by ID_PATH. */
int dhcp_write_root_rule(FILE *f, const Session *s);

/* For every DHCP-enabled .network file networkd would use (the first of each name in
 * /etc, /run, /usr/lib, /lib systemd/network, below $SD_ISCSI_ROOT), writes
 * /run/systemd/network/<name>.d/DHCP_DROPIN_NAME. Returns how many, or negative errno. */
int dhcp_write_root_path_dropins(void);
