/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

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

/* The value of ROOT_PATH= in the text of a networkd lease file: *ret points into
 * text (which is modified: the value is NUL-terminated in place). -ENOENT if none. */
int dhcp_lease_root_path(char *text, const char **ret);

/* A root-path that is an iscsi: spec → a SOURCE_DHCP session. -EOPNOTSUPP when the
 * root-path is not iscsi: (another boot method's), -EINVAL (with *error) when it is
 * malformed. */
int dhcp_session_from_root_path(const char *root_path, bool with_secrets, bool root,
                                Session *ret, char **error);
