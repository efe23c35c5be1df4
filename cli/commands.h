/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The sd-iscsi subcommands' entries, for sd-iscsi.c. */

/* sd-iscsi login <id> */
int login_run(const char *id);
/* sd-iscsi prepare */
int prepare_run(void);
/* sd-iscsi handoff: the node records, then the .network drop-ins. */
int handoff_run(void);
