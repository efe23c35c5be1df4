/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the parts of the iBFT reader share (ibft.c: validation, interface names,
 * selection and commit into the model; ibft-table.c: the raw table; ibft-sysfs.c: the
 * kernel's view; ibft-kmod.c: loading iscsi_ibft). Not for use outside them. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define IBFT_MAX_SIZE (64U * 1024U)
#define IBFT_MAX_TARGETS 32

#define IBFT_HEADER_SIZE 48
#define IBFT_CONTROL_MIN 18
#define IBFT_INITIATOR_SIZE 74
#define IBFT_NIC_SIZE 102
#define IBFT_TARGET_SIZE 54

#define IBFT_FLAG_BOOT_SELECTED 0x02
#define IBFT_ORIGIN_DHCP 3

enum {
        IBFT_ID_CONTROL = 1,
        IBFT_ID_INITIATOR,
        IBFT_ID_NIC,
        IBFT_ID_TARGET,
        IBFT_ID_EXTENSIONS,
};

typedef struct FwTarget {
        Session s;
        uint8_t flags;
        int index;
        int nic_assoc;          /* the NIC's index field */
} FwTarget;

/* One table, parsed but not yet selected from: NIC association is by index within a
 * table, and selection (boot-selected or all) needs to see every structure first. */
typedef struct Firmware {
        const char *what;
        char *initiator;
        Nic nics[CONFIG_MAX_NICS];
        size_t n_nics;
        uint16_t nic_pci[CONFIG_MAX_NICS];     /* raw table: bus << 8 | dev << 3 | fn */
        FwTarget targets[IBFT_MAX_TARGETS];
        size_t n_targets;
} Firmware;

void ibft_nic_done(Nic *n);
void firmware_done(Firmware *fw);
Nic *firmware_find_nic(Firmware *fw, int index);
bool firmware_has_target(const Firmware *fw, int index);
/* Appends a checked target (taking its strings) with a copy of its portal address; on
 * -ENOMEM its session is freed. */
int firmware_add_target(Firmware *fw, FwTarget *ft, const char *portal);

/* Strings end up in unit files and networkd files: printable ASCII only, which also
 * rules out newlines that would inject settings. */
bool ibft_string_is_safe(const char *s);
bool ibft_hostname_is_valid(const char *s);
const char *ibft_family_name(int family);
/* The same rules as for command-line sessions (reported, never quoting a secret). */
bool ibft_target_strings_valid(Config *c, const char *what, int index, const Session *s,
                               const char *secret, const char *rsecret);
bool ibft_initiator_valid(Config *c, const char *what, const char *name);

/* The interface a network device's sysfs node carries; else, by MAC, among the
 * interfaces that have a device. */
int ibft_ifname_from_device(const char *device, char **ret);
int ibft_ifname_from_mac(const char *sysfs_root, const uint8_t mac[6], char **ret);
bool ibft_mac_is_null(const uint8_t mac[6]);

/* Moves the selected (boot-selected, else all) targets and their NICs into the model. */
int firmware_commit(Config *c, Firmware *fw);

/* The raw table from <sysfs>/firmware/acpi/tables/: 1 and the table, 0 if none. */
int ibft_read_table(Config *c, const char *sysfs_root, uint8_t **ret, size_t *ret_size);
/* Every <sysfs>/firmware/iscsi_boot<N>/ (offload HBAs); *found set when one parsed. */
int ibft_parse_boot_dirs(Config *c, const char *sysfs_root, unsigned flags, bool *found);
/* Loads iscsi_ibft with libkmod (dlopen()ed); negative errno, reported. */
int ibft_load_module(Config *c);
