/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The raw iBFT parser. The first input byte picks the command line the table is read
 * under (it decides selection: multipath, an explicit initiator); the rest is the
 * table, exactly as ACPI would hand it over. Parsed with and without secrets, as the
 * login helper and the generator do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "ibft.h"
#include "util.h"

static const char *const cmdlines[] = {
        "rd.iscsi.firmware",
        "rd.iscsi.firmware rd.iscsi.mp",
        "rd.iscsi.firmware rd.iscsi.initiator=iqn.2000-01.org.example:initiator",
        "netroot=iscsi:192.0.2.1::::iqn.2000-01.org.example:t rd.iscsi.firmware rd.iscsi.timeout=30",
};

static void parse(const uint8_t *data, size_t size, unsigned flags, Config *c) {
        int r;

        config_init(c);
        r = config_parse_cmdline(c, cmdlines[data[0] % ELEMENTSOF(cmdlines)], flags);
        fuzz_assert(r == 0);
        r = ibft_parse_table(c, data + 1, size - 1, NULL, flags);
        fuzz_assert(r == 0 || r == -ENOMEM);
        fuzz_check_model(c, flags & CONFIG_WITH_SECRETS);
}

int fuzz_ibft_table(const uint8_t *data, size_t size) {
        Config plain, secrets;
        char *v[2 * CONFIG_MAX_SESSIONS];
        size_t n = 0;

        if (size < 1 || size > 64 * 1024 + 1)
                return 0;

        parse(data, size, CONFIG_IN_INITRD | CONFIG_WITH_SECRETS, &secrets);
        for (size_t i = 0; i < secrets.n_sessions; i++) {
                fuzz_add_secret(v, &n, ELEMENTSOF(v), data, size, secrets.sessions[i].chap.password);
                fuzz_add_secret(v, &n, ELEMENTSOF(v), data, size, secrets.sessions[i].chap.in_password);
        }
        parse(data, size, CONFIG_IN_INITRD, &plain);
        fuzz_assert(plain.n_sessions == secrets.n_sessions && plain.n_nics == secrets.n_nics);
        fuzz_check_writers(&plain, v, n);
        config_done(&plain);
        config_done(&secrets);
        return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_ibft_table(data, size);
}
#endif
