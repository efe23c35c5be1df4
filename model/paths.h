/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Where things are at run time. open-iscsi's database and lock directory are those of
 * the open-iscsi that configure found (or was told about): distributions differ. */
#ifndef ISCSI_DB_DIR
#  error "ISCSI_DB_DIR must be defined (configure: --with-iscsi-db-dir)"
#endif
#ifndef ISCSI_LOCK_DIR
#  error "ISCSI_LOCK_DIR must be defined (configure: --with-iscsi-lock-dir)"
#endif
#define ISCSI_NODE_DIR ISCSI_DB_DIR "/nodes"
#define ISCSI_IFACE_DIR ISCSI_DB_DIR "/ifaces"
#define ISCSI_IMAGE_INITIATOR_FILE "/etc/iscsi/initiatorname.iscsi"
#define SD_ISCSI_RUN_DIR "/run/sd-iscsi"
#define SD_ISCSI_STATE_DIR SD_ISCSI_RUN_DIR "/state"
#define SD_ISCSI_HANDOFF_DIR SD_ISCSI_RUN_DIR "/handoff"
#define SD_ISCSI_INITIATOR_FILE SD_ISCSI_RUN_DIR "/initiatorname.iscsi"
/* root=dhcp: where networkd keeps its leases, and the name the root disk gets. */
#define NETIF_LEASES_DIR "/run/systemd/netif/leases"
#define DHCP_ROOT_LINK "/dev/disk/by-sd-iscsi/root"
/* After 60-persistent-storage.rules, which sets ID_PATH. */
#define DHCP_ROOT_RULE "/run/udev/rules.d/61-sd-iscsi-dhcp-root.rules"

/* Prefixes path with $SD_ISCSI_ROOT, if set (tests relocate every runtime path). */
int runtime_path(const char *path, char *buf, size_t size);
