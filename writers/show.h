/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config.h"
#include "state.h"

typedef struct ShowContext {
        const Config *config;
        const SessionRuntime *runtime;  /* n_sessions entries, or NULL when not at boot */
        const char *initiator_in_use;   /* what iscsid was given, if known */
        const HandoffRecord *handoff;   /* in the real root: the node records of the handoff */
        size_t n_handoff;
} ShowContext;

int show_text(FILE *f, const ShowContext *ctx);
int show_json(FILE *f, const ShowContext *ctx);

/* Writes s as a JSON string literal, with quotes; NULL as null. */
void json_string(FILE *f, const char *s);
