/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config.h"

/* Runtime paths; tests relocate them with $SD_ISCSI_ROOT. */
#define ISCSI_NODE_DIR "/etc/iscsi/nodes"
#define ISCSI_IFACE_DIR "/etc/iscsi/ifaces"
#define SD_ISCSI_RUN_DIR "/run/sd-iscsi"
#define SD_ISCSI_STATE_DIR SD_ISCSI_RUN_DIR "/state"
#define SD_ISCSI_INITIATOR_FILE SD_ISCSI_RUN_DIR "/initiatorname.iscsi"

/* Prefixes path with $SD_ISCSI_ROOT, if set. */
int runtime_path(const char *path, char *buf, size_t size);

/* The node record open-iscsi reads for the session, with its secrets (pure writer). */
int login_write_record(FILE *f, const Config *c, const Session *s);

/* The iface record for a session that names one (s->iface not empty). */
int login_write_iface(FILE *f, const Session *s);

/* Node record path below the node directory: "<target>/<portal>,<port>,<tpgt>/<iface>". */
int login_record_path(const Session *s, char *buf, size_t size);

/* sd-iscsi login <id> */
int login_run(const char *id);
/* sd-iscsi prepare */
int prepare_run(void);
