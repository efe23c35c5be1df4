/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replays inputs through the fuzz harnesses, without libFuzzer: the regression test for
 * everything the fuzzers found (every file below tests/fuzz/regressions/<harness>/),
 * also run by the ASan build of `make check`.
 *
 *   fuzz-replay                          every file below FUZZ_REGRESSIONS_DIR
 *   fuzz-replay HARNESS FILE|DIR...      the given inputs through one harness
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "util.h"

static const struct {
        const char *name;
        int (*run)(const uint8_t *data, size_t size);
} harnesses[] = {
        { "cmdline",    fuzz_cmdline },
        { "ibft-table", fuzz_ibft_table },
        { "ibft-sysfs", fuzz_ibft_sysfs },
        { "credentials", fuzz_credentials },
};

static unsigned n_run;

static int replay_file(int (*run)(const uint8_t *, size_t), const char *path) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = read_full_file(path, &data, &size, 1024 * 1024);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                return r;
        }
        /* A crash aborts the whole run, naming the input last. */
        fprintf(stderr, "replay: %s\n", path);
        run((const uint8_t *) data, size);
        n_run++;
        return 0;
}

static int replay_path(int (*run)(const uint8_t *, size_t), const char *path) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        struct stat st;
        int r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %m\n", path);
                return -errno;
        }
        if (!S_ISDIR(st.st_mode))
                return replay_file(run, path);
        d = opendir(path);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                char p[PATH_MAX];

                if (de->d_name[0] == '.')
                        continue;
                snprintf(p, sizeof p, "%s/%s", path, de->d_name);
                if (replay_path(run, p) < 0)
                        r = -EIO;
        }
        return r;
}

static int (*find_harness(const char *name))(const uint8_t *, size_t) {
        for (size_t i = 0; i < ELEMENTSOF(harnesses); i++)
                if (strcmp(harnesses[i].name, name) == 0)
                        return harnesses[i].run;
        return NULL;
}

int main(int argc, char *argv[]) {
        int r = 0;

        if (argc >= 3) {
                int (*run)(const uint8_t *, size_t) = find_harness(argv[1]);

                if (!run) {
                        fprintf(stderr, "Unknown harness %s.\n", argv[1]);
                        return EXIT_FAILURE;
                }
                for (int i = 2; i < argc; i++)
                        if (replay_path(run, argv[i]) < 0)
                                r = -EIO;
        } else if (argc == 1) {
                for (size_t i = 0; i < ELEMENTSOF(harnesses); i++) {
                        char dir[PATH_MAX];

                        snprintf(dir, sizeof dir, "%s/%s", FUZZ_REGRESSIONS_DIR, harnesses[i].name);
                        if (access(dir, F_OK) < 0)
                                continue;
                        if (replay_path(harnesses[i].run, dir) < 0)
                                r = -EIO;
                }
                if (n_run == 0) {
                        fprintf(stderr, "No regression inputs below %s.\n", FUZZ_REGRESSIONS_DIR);
                        return EXIT_FAILURE;
                }
        } else {
                fprintf(stderr, "Usage: fuzz-replay [HARNESS FILE|DIR...]\n");
                return EXIT_FAILURE;
        }
        printf("fuzz-replay: %u inputs replayed\n", n_run);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
