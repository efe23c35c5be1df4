/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config.h"

/* Runtime paths; tests relocate them with $SD_ISCSI_ROOT. */
#define ISCSI_NODE_DIR "/etc/iscsi/nodes"
#define ISCSI_IFACE_DIR "/etc/iscsi/ifaces"
#define SD_ISCSI_RUN_DIR "/run/sd-iscsi"
#define SD_ISCSI_STATE_DIR SD_ISCSI_RUN_DIR "/state"
#define SD_ISCSI_HANDOFF_DIR SD_ISCSI_RUN_DIR "/handoff"
#define SD_ISCSI_INITIATOR_FILE SD_ISCSI_RUN_DIR "/initiatorname.iscsi"

/* Prefixes path with $SD_ISCSI_ROOT, if set. */
int runtime_path(const char *path, char *buf, size_t size);

/* The first line of every record sd-iscsi writes: a record without it is the
 * administrator's (or iscsiadm's), and is never overwritten in the real root. */
#define NODE_RECORD_MARKER "# Written by sd-iscsi"

/* The node record open-iscsi reads for the session, with its secrets (pure writer);
 * writer ("login", "handoff") names the command on its first line. */
int node_record_write(FILE *f, const Config *c, const Session *s, const char *writer);
/* node_record_write(…, "login"). */
int login_write_record(FILE *f, const Config *c, const Session *s);
/* Whether a node or iface record's text is one sd-iscsi wrote (NODE_RECORD_MARKER). */
bool node_record_ours(const char *text);
/* The value of the last "key = value" line of a record; -ENOENT if none. Only for keys
 * that hold no secret. */
int node_record_value(const char *text, const char *key, char *buf, size_t size);

/* The iface record for a session that names one (s->iface not empty). */
int login_write_iface(FILE *f, const Session *s);

/* Node record path below the node directory: "<target>/<portal>,<port>,<tpgt>/<iface>". */
int login_record_path(const Session *s, char *buf, size_t size);

/* Why a login retrying after a failed attempt stops. */
typedef enum LoginLimit {
        LOGIN_LIMIT_NONE,       /* retry */
        LOGIN_LIMIT_BUDGET,     /* rd.iscsi.timeout= is used up */
        LOGIN_LIMIT_GRACE,      /* the root device has been there for rd.iscsi.grace= */
} LoginLimit;

/* When the first limit ends (CONFIG_USEC_INFINITY: never), and which it is. All times
 * are CLOCK_MONOTONIC µs; budget_end 0: no budget; root_seen CONFIG_USEC_INFINITY: the
 * root device is not there (yet), or this login is the root's own; grace_usec
 * CONFIG_USEC_INFINITY: no grace limit. On a tie the budget wins. */
LoginLimit login_limit_end(uint64_t budget_end, uint64_t root_seen, uint64_t grace_usec, uint64_t *ret_end);

/* Whether a login that would retry at next stops instead, and why: a retry that would
 * start at or after the first limit's end is not made. */
LoginLimit login_give_up(uint64_t next, uint64_t budget_end, uint64_t root_seen, uint64_t grace_usec);

/* sd-iscsi login <id> */
int login_run(const char *id);
/* sd-iscsi prepare */
int prepare_run(void);
