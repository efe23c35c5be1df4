/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config.h"
#include "state.h"

/* What the login helper recorded about a session at boot (never a secret). */
typedef struct SessionRuntime {
        bool known;
        char state[24];         /* "logging-in", "logged-in", "failed" */
        unsigned attempt;
        char error[256];
        char reason[256];       /* why the helper stopped retrying, when it did */
        unsigned rejected;      /* attempts refused for good (authentication, …) */
        char kernel_session[32];        /* "session1" when the kernel has it */
} SessionRuntime;

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
