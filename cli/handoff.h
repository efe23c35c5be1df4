/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

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

/* An iSCSI session as the kernel has it: what the real root's iscsid looks its node
 * record up by when it adopts the session. */
typedef struct KernelSession {
        unsigned sid;
        char *target;
        char *address;          /* connection <sid>:0's persistent_address */
        uint16_t port;          /* its persistent_port */
        uint16_t tpgt;
        char *iface;            /* ifacename; "default" when the kernel names none */
        char *username;         /* CHAP user names, if any (the kernel's passwords are */
        char *in_username;      /* never read here) */
} KernelSession;

/* The sessions below sysfs (class/iscsi_session), in no particular order. */
int kernel_sessions_read(const char *sysfs, KernelSession **ret, size_t *ret_n);
void kernel_sessions_free(KernelSession *k, size_t n);
/* Whether the configured session is the kernel's: same target and port, and the same
 * address unless the configuration names the portal by host name. */
bool kernel_session_matches(const Session *s, const KernelSession *k);

/* What sd-iscsi handoff did about one kernel session's node record, for the journal
 * and `sd-iscsi show` (never a secret). */
typedef enum HandoffRecordState {
        HANDOFF_RECORD_WRITTEN,         /* none, or ours of an earlier boot: written */
        HANDOFF_RECORD_KEPT,            /* the administrator's: left as it is */
        HANDOFF_RECORD_FAILED,
        _HANDOFF_RECORD_STATE_MAX,
} HandoffRecordState;

typedef struct HandoffRecord {
        char kernel_session[32];        /* "session1" */
        char source[32];                /* the configured session ("cmdline-0"), or "kernel" */
        char target[ISCSI_NAME_MAX + 1];
        char portal[300];               /* "address:port,tpgt" as the record names it */
        char iface[64];
        HandoffRecordState state;
        char path[PATH_MAX];
        /* As the record (ours or the administrator's) sets them; "" if it does not. */
        char replacement_timeout[16];
        char noop_out_interval[16];
        char noop_out_timeout[16];
        char error[256];
} HandoffRecord;

const char *handoff_record_state_to_string(HandoffRecordState s);
/* The state file /run/sd-iscsi/handoff/<kernel session> (pure writer and parser). */
int handoff_write_state(FILE *f, const HandoffRecord *h);
int handoff_parse_state(const char *text, HandoffRecord *h);

/* The session sd-iscsi handoff writes a node record for: named as the kernel names it
 * (so that iscsid finds the record), with the configured session's CHAP settings when
 * one matches, else the kernel's user names only. Borrows every string. */
void handoff_record_session(const KernelSession *k, const Session *configured, Session *ret);

/* sd-iscsi handoff: the node records, then the .network drop-ins. */
int handoff_run(void);
