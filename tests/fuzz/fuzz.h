/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Fuzz harness entry points. Each takes one input and aborts (so that libFuzzer and the
 * replay test both see it) when the code under test misbehaves: a crash, a sanitizer
 * report, or a model or output that breaks an invariant checked in fuzz-check.c.
 */

#include <stddef.h>
#include <stdint.h>

#include "config.h"

int fuzz_cmdline(const uint8_t *data, size_t size);
int fuzz_ibft_table(const uint8_t *data, size_t size);
int fuzz_ibft_sysfs(const uint8_t *data, size_t size);
int fuzz_credentials(const uint8_t *data, size_t size);

/* Invariants of a parsed model; with_secrets: whether passwords may be held. */
void fuzz_check_model(const Config *c, bool with_secrets);
/* Appends s to v[*n] (at most max) when it is a password worth looking for in the
 * outputs: at least 8 bytes and occurring exactly once in the input. A password that also
 * occurs elsewhere in the input (as a target name, say) may rightly be shown there. */
void fuzz_add_secret(char **v, size_t *n, size_t max, const void *input, size_t size, const char *s);
/* Renders every writer's output for c (units, show text and JSON, networkd files) and
 * checks it; secrets (may be NULL) are the passwords that must appear nowhere. */
void fuzz_check_writers(const Config *c, char *const *secrets, size_t n_secrets);

#define fuzz_assert(expr)                                                               \
        do {                                                                            \
                if (!(expr))                                                            \
                        fuzz_fail(__FILE__, __LINE__, #expr);                           \
        } while (0)
_Noreturn void fuzz_fail(const char *file, int line, const char *what);
