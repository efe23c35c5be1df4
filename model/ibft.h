/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* config_load_ibft() is declared in config.h. These are its parts, exposed for tests. */

/* Parses a raw iBFT (a complete ACPI table blob) of size bytes into the model. The table
 * is hostile input: every length, offset and string is checked against size and
 * problems are reported with config_error(). sysfs_root (may be NULL) is only used to
 * find interface names. Returns 0, or -ENOMEM. */
int ibft_parse_table(Config *c, const uint8_t *table, size_t size, const char *sysfs_root,
                     unsigned flags);

/* Parses a sysfs view of a boot firmware table (/sys/firmware/ibft or
 * /sys/firmware/iscsi_boot<N>) into the model. sysfs_root (may be NULL) is used to find
 * interface names by MAC. Returns 0, -ENOENT if dir does not exist, or -ENOMEM. */
int ibft_parse_sysfs(Config *c, const char *sysfs_root, const char *dir, unsigned flags);

/* Decodes the `lun` sysfs attribute (each of the 8 SAM bytes printed with unpadded %x)
 * into the kernel's LUN number. -ENOTUNIQ when the text has several plausible readings
 * (*ret is then the first single-level one), -EINVAL when it has none. */
int ibft_decode_sysfs_lun(const char *text, uint64_t *ret);

/* The kernel's LUN number (as in H:C:T:L and /dev/disk/by-path) of an 8-byte SAM LUN. */
uint64_t ibft_lun_from_sam(const uint8_t sam[8]);
