/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: iBFT under SYSFS_ROOT → networkd files in DIR, as sd-iscsi prepare does. */
#include <errno.h>

#include "config.h"
#include "log.h"
#include "network.h"

int main(int argc, char *argv[]) {
        Config c;
        size_t errors;
        int r;

        if (argc < 3) {
                fprintf(stderr, "Usage: %s SYSFS_ROOT DIR [multipath]\n", argv[0]);
                return 2;
        }
        log_setup("ibft-netfiles", LOG_TARGET_STDERR);
        config_init(&c);
        c.multipath = argc > 3;
        r = config_load_ibft(&c, argv[1], 0);
        for (size_t i = 0; i < c.n_errors; i++)
                fprintf(stderr, "error: %s\n", c.errors[i]);
        for (size_t i = 0; i < c.n_warnings; i++)
                fprintf(stderr, "warning: %s\n", c.warnings[i]);
        if (r >= 0)
                r = network_write_files(&c, argv[2]);
        errors = c.n_errors;
        config_done(&c);
        return r < 0 || errors > 0 ? 1 : 0;
}
