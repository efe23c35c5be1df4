/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "sd-iscsi";
static int log_fd = STDERR_FILENO;
static int log_max_level = 6;
static int log_target = LOG_TARGET_STDERR;

void log_setup(const char *ident, int target) {
        const char *e;

        log_ident = ident;
        e = getenv("SYSTEMD_LOG_LEVEL");
        if (e && strcmp(e, "debug") == 0)
                log_max_level = 7;

        log_target = target;
}

/* Opened on the first message only: the quiet path of the generator costs no syscall. */
static void log_open(void) {
        int fd;

        if (log_target != LOG_TARGET_KMSG)
                return;
        log_target = LOG_TARGET_STDERR;
        fd = open("/dev/kmsg", O_WRONLY|O_CLOEXEC|O_NOCTTY);
        if (fd >= 0)
                log_fd = fd;
}

int log_internal(int level, int error, const char *fmt, ...) {
        char buf[1024];
        int saved_errno = errno, n, m = 0;
        va_list ap;

        error = error < 0 ? -error : error;
        if (level > log_max_level)
                return -error;
        log_open();

        /* %m refers to the error we were handed, as in systemd. */
        errno = error;
        if (log_fd != STDERR_FILENO)
                m = snprintf(buf, sizeof buf, "<%d>%s[%d]: ", level, log_ident, (int) getpid());
        va_start(ap, fmt);
        n = vsnprintf(buf + m, sizeof buf - m - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                n = 0;
        n += m;
        if ((size_t) n > sizeof buf - 2)
                n = sizeof buf - 2;
        buf[n++] = '\n';
        (void) !write(log_fd, buf, n);

        errno = saved_errno;
        return -error;
}
