/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config.h"
#include "state.h"

/* The node record open-iscsi reads for the session, with its secrets (pure writer);
 * writer ("login", "handoff") names the command on its first line. */
int node_record_write(FILE *f, const Config *c, const Session *s, const char *writer);
/* node_record_write(…, "login"). */
int login_write_record(FILE *f, const Config *c, const Session *s);

/* The iface record for a session that names one (s->iface not empty). */
int login_write_iface(FILE *f, const Session *s);

/* Node record path below the node directory: "<target>/<portal>,<port>,<tpgt>/<iface>". */
int login_record_path(const Session *s, char *buf, size_t size);

/* The state file /run/sd-iscsi/handoff/<kernel session> (pure writer). */
int handoff_write_state(FILE *f, const HandoffRecord *h);
