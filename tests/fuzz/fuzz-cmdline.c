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
        size_t n = 0, len;

        if (size > FUZZ_CMDLINE_MAX)
                return 0;
        cmdline = strndup((const char *) data, size);
        fuzz_assert(cmdline);
        /* Up to the first NUL, as the parser reads it. */
        len = strlen(cmdline);

        parse(cmdline, 0, &plain);
        fuzz_check_writers(&plain, NULL, 0);
        config_done(&plain);

        parse(cmdline, CONFIG_IN_INITRD | CONFIG_WITH_SECRETS, &secrets);
        fuzz_add_secret(v, &n, ELEMENTSOF(v), cmdline, len, secrets.chap_default.password);
        fuzz_add_secret(v, &n, ELEMENTSOF(v), cmdline, len, secrets.chap_default.in_password);
        for (size_t i = 0; i < secrets.n_sessions; i++) {
                fuzz_add_secret(v, &n, ELEMENTSOF(v), cmdline, len, secrets.sessions[i].chap.password);
                fuzz_add_secret(v, &n, ELEMENTSOF(v), cmdline, len, secrets.sessions[i].chap.in_password);
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
