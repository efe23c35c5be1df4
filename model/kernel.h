/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* A network interface that carries an iSCSI connection of the boot. */
typedef struct BootLink {
        char ifname[IFNAMSIZ];
        char mac[18];           /* "52:54:00:…", lower case as sysfs has it */
        bool has_mac;
        char type[16];          /* networkd's Type= ("ether", "vlan", …); "" if unknown */
} BootLink;

/* The links the kernel's iSCSI connections (below sysfs) are routed over, each once. */
int handoff_boot_links(const char *sysfs, BootLink *links, size_t max, size_t *ret_n);

/* Disks read per session: a boot's target exports a LUN or two. */
#define KERNEL_SESSION_DISKS_MAX 8

/* A SCSI disk of a session, and what holds it open: with dm-multipath over two sessions
 * to one LUN, each session's disk is a path of the same map. */
typedef struct KernelDisk {
        char name[32];          /* "sda" */
        uint64_t lun;           /* the last field of the SCSI address H:C:T:L */
        char holder[32];        /* "dm-0", "md0"; "" when nothing holds the disk */
        char holder_name[128];  /* the device-mapper name ("mpatha", "vg-root"); "" if none */
        bool multipath;         /* the holder is a multipath map (dm uuid "mpath-…") */
} KernelDisk;

/* An iSCSI session as the kernel has it: what the real root's iscsid looks its node
 * record up by when it adopts the session, its state and its disks. */
typedef struct KernelSession {
        unsigned sid;
        char *target;
        char *address;          /* connection <sid>:0's persistent_address */
        uint16_t port;          /* its persistent_port */
        uint16_t tpgt;
        char *iface;            /* ifacename; "default" when the kernel names none */
        char *username;         /* CHAP user names, if any (the kernel's passwords are */
        char *in_username;      /* never read here) */
        char *state;            /* "LOGGED_IN", "FAILED", "FREE"; NULL if unreadable */
        KernelDisk disks[KERNEL_SESSION_DISKS_MAX];     /* by LUN */
        size_t n_disks;
} KernelSession;

/* The sessions below sysfs (class/iscsi_session), in no particular order. */
int kernel_sessions_read(const char *sysfs, KernelSession **ret, size_t *ret_n);
void kernel_sessions_free(KernelSession *k, size_t n);
/* Whether the configured session is the kernel's: same target and port, and the same
 * address unless the configuration names the portal by host name. */
bool kernel_session_matches(const Session *s, const KernelSession *k);

/* The session sd-iscsi handoff writes a node record for: named as the kernel names it
 * (so that iscsid finds the record), with the configured session's CHAP settings when
 * one matches, else the kernel's user names only. Borrows every string. */
void handoff_record_session(const KernelSession *k, const Session *configured, Session *ret);
