/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel command line parser, as the generator (in the initrd and not) and the
 * login helper (with secrets) call it, followed by every writer on the result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "util.h"

/* The kernel's command line is a few KiB; load.c caps it at 256 KiB. Beyond 64 KiB the
 * fuzzer learns nothing new, it only runs slower. */
#define FUZZ_CMDLINE_MAX (64 * 1024)
#define SECRET_MIN 8

static size_t count(const char *haystack, const char *needle) {
        size_t n = 0;

        for (const char *p = haystack; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

/* Passwords the parser kept, that occur once in the input: any copy of them in an
 * output of the secret-less parse is a leak (a password that also occurs elsewhere in
 * the line, e.g. as a target name, may rightly be shown there). */
static void add_secret(char **v, size_t *n, size_t max, const char *cmdline, const char *s) {
        if (!s || strlen(s) < SECRET_MIN || *n >= max || count(cmdline, s) != 1)
                return;
        v[(*n)++] = (char *) s;
}

static void parse(const char *cmdline, unsigned flags, Config *c) {
        int r;

        config_init(c);
        r = config_parse_cmdline(c, cmdline, flags);
        fuzz_assert(r == 0 || r == -ENOMEM);
        fuzz_check_model(c, flags & CONFIG_WITH_SECRETS);
}

int fuzz_cmdline(const uint8_t *data, size_t size) {
        _cleanup_free_ char *cmdline = NULL;
        Config plain, initrd, secrets;
        char *v[2 * CONFIG_MAX_SESSIONS + 2];
        size_t n = 0;

        if (size > FUZZ_CMDLINE_MAX)
                return 0;
        cmdline = strndup((const char *) data, size);
        fuzz_assert(cmdline);

        parse(cmdline, 0, &plain);
        fuzz_check_writers(&plain, NULL, 0);
        config_done(&plain);

        parse(cmdline, CONFIG_IN_INITRD | CONFIG_WITH_SECRETS, &secrets);
        add_secret(v, &n, ELEMENTSOF(v), cmdline, secrets.chap_default.password);
        add_secret(v, &n, ELEMENTSOF(v), cmdline, secrets.chap_default.in_password);
        for (size_t i = 0; i < secrets.n_sessions; i++) {
                add_secret(v, &n, ELEMENTSOF(v), cmdline, secrets.sessions[i].chap.password);
                add_secret(v, &n, ELEMENTSOF(v), cmdline, secrets.sessions[i].chap.in_password);
        }

        parse(cmdline, CONFIG_IN_INITRD, &initrd);
        /* The login helper must see the same sessions as the generator wrote units for. */
        fuzz_assert(initrd.n_sessions == secrets.n_sessions);
        for (size_t i = 0; i < initrd.n_sessions; i++) {
                fuzz_assert(strcmp(initrd.sessions[i].id, secrets.sessions[i].id) == 0);
                fuzz_assert(strcmp(initrd.sessions[i].target, secrets.sessions[i].target) == 0);
                fuzz_assert(initrd.sessions[i].chap.has_password == secrets.sessions[i].chap.has_password);
                fuzz_assert(initrd.sessions[i].chap.has_in_password == secrets.sessions[i].chap.has_in_password);
        }
        fuzz_check_writers(&initrd, v, n);
        config_done(&initrd);
        config_done(&secrets);
        return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_cmdline(data, size);
}
#endif
