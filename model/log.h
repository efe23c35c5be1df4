/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdlib.h>

/*
 * Logging to /dev/kmsg (the generator: the journal is not running yet) or stderr
 * (services: journald captures it; tests). The log_*_errno() forms return -|error| so
 * that a function can log and return in one expression. Never pass a secret.
 */

enum {
        LOG_TARGET_STDERR,
        LOG_TARGET_KMSG,
};

void log_setup(const char *ident, int target);
int log_internal(int level, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_full_errno(level, error, ...) log_internal((level), (error), __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(3, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(4, (error), __VA_ARGS__)
#define log_error(...) log_full_errno(3, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(4, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(5, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(6, 0, __VA_ARGS__)
#define log_debug(...) log_full_errno(7, 0, __VA_ARGS__)
#define log_oom() log_error_errno(ENOMEM, "Out of memory.")
