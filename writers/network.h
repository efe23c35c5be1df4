/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config.h"

/*
 * systemd-networkd configuration for iBFT NICs. Pure writers: model in, text out.
 *
 * Precedence: every file is named "50-sd-iscsi-ibft<index>…", which sorts before
 * systemd-network-generator's ip= files ("90-<ifname>.network", "91-default.network" in
 * systemd 252; "70-…"/"71-…" in later versions) and distribution defaults ("80-*",
 * "99-*"). networkd applies the first .network file (by name, over all directories)
 * that matches a link, so for the firmware's NICs the firmware wins over ip=: the root
 * disk was reached through exactly that configuration and the target may only accept
 * it. (252 even turns ip=ibft into a 91-default.network with DHCP=no for every link.)
 * ip= still configures every other interface. An
 * administrator overrides a firmware NIC with a lower-numbered file in
 * /etc/systemd/network, or by not enabling rd.iscsi.firmware.
 */

typedef enum NetworkFile {
        NETWORK_FILE_LINK,              /* .network matching the NIC by MAC */
        NETWORK_FILE_VLAN_NETDEV,       /* .netdev creating the VLAN device */
        NETWORK_FILE_VLAN_NETWORK,      /* .network for the VLAN device */
        _NETWORK_FILE_MAX,
} NetworkFile;

/* Whether the NIC needs this file (the VLAN files only with a VLAN). */
bool network_nic_has_file(const Nic *n, NetworkFile type);

/* The file name (no directory) for the NIC's file of this type. -ENAMETOOLONG. */
int network_file_name(const Nic *n, NetworkFile type, char *buf, size_t size);

/* Writes the text of the NIC's file of this type. -EINVAL if the NIC has no MAC or
 * does not need this file, -EIO on write errors. */
int network_write(const Nic *n, NetworkFile type, FILE *f);

/* The drop-in that makes a .network file keep its links' configuration (pure writer). */
int handoff_write_dropin(FILE *f);

/* bond= with options: the bond's .netdev (model/bond.h says why sd-iscsi writes it), named
 * "10-sd-iscsi-bond-<name>.netdev". -ENAMETOOLONG. */
int bond_netdev_name(const Bond *b, char *buf, size_t size);

/* The .netdev text: [NetDev] and the [Bond] settings bond= asked for. -EIO on write
 * errors. */
int bond_netdev_write(const Bond *b, FILE *f);
