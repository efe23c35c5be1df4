/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "kernel.h"

/* The first line of every record sd-iscsi writes: a record without it is the
 * administrator's (or iscsiadm's), and is never overwritten in the real root. */
#define NODE_RECORD_MARKER "# Written by sd-iscsi"

/* Whether a node or iface record's text is one sd-iscsi wrote (NODE_RECORD_MARKER). */
bool node_record_ours(const char *text);
/* The value of the last "key = value" line of a record; -ENOENT if none. Only for keys
 * that hold no secret. */
int node_record_value(const char *text, const char *key, char *buf, size_t size);

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
/* The state file /run/sd-iscsi/handoff/<kernel session>, read back (handoff_write_state()
 * writes it). */
int handoff_parse_state(const char *text, HandoffRecord *h);

/* What the login helper recorded about a session at boot (never a secret). */
typedef struct SessionRuntime {
        bool known;
        char state[24];         /* "logging-in", "logged-in", "failed" */
        unsigned attempt;
        char error[256];
        char reason[256];       /* why the helper stopped retrying, when it did */
        unsigned rejected;      /* attempts refused for good (authentication, …) */
        char kernel_session[32];        /* "session1" when the kernel has it */
        /* And then, from sysfs: the kernel session's state ("" if unreadable), its disks. */
        char kernel_state[32];
        KernelDisk disks[KERNEL_SESSION_DISKS_MAX];
        size_t n_disks;
} SessionRuntime;

/* The login helper's state file /run/sd-iscsi/state/<id> (STATE=, ATTEMPT=, ERROR=,
 * REJECTED=, REASON=) into rt; text is modified. */
void session_runtime_parse(char *text, SessionRuntime *rt);
/* Sets each configured session's (rt: c->n_sessions entries) kernel facts from the kernel
 * session that serves it, if any (kernel_session_matches()); one the kernel has is
 * logged in, whatever its state file says or lacks. */
void session_runtime_match_kernel(SessionRuntime *rt, const Config *c, const KernelSession *k, size_t n);
