/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The iBFT sysfs reader (/sys/firmware/ibft, iscsi_boot<N>), through config_load_ibft()
 * on a fake sysfs tree built from the input in a private tmpfs directory.
 *
 * Input: one byte choosing the command line (as in fuzz-ibft-table.c), then records
 * separated by NUL bytes, each "relative/path=contents" (a file) or "relative/path/"
 * (a directory). Paths are limited to a safe alphabet below the fake root; the ACPI
 * table directory is left to the raw table harness.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "fuzz.h"
#include "util.h"

#define MAX_RECORDS 96
#define MAX_PATH_LEN 160
#define MAX_DEPTH 7

static const char *const cmdlines[] = {
        "rd.iscsi.firmware",
        "rd.iscsi.firmware rd.iscsi.mp",
        "rd.iscsi.firmware rd.iscsi.initiator=iqn.2000-01.org.example:initiator",
        "netroot=iscsi:192.0.2.1::::iqn.2000-01.org.example:t rd.iscsi.firmware rd.iscsi.timeout=30",
};

static char root[64];

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return ftw->level == 0 ? 0 : remove(path);
}

static void clean_root(void) {
        fuzz_assert(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
}

static void remove_root(void) {
        clean_root();
        rmdir(root);
}

static void make_root(void) {
        /* libFuzzer ends a timed run with _exit(), past atexit(): tests/fuzz/run passes a
         * TMPDIR it removes afterwards. */
        const char *tmp = getenv("TMPDIR") ?: access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

        if (root[0])
                return;
        snprintf(root, sizeof root, "%s/fuzz-ibft-sysfs.XXXXXX", tmp);
        fuzz_assert(mkdtemp(root));
        atexit(remove_root);
}

static bool path_valid(const char *p, size_t n) {
        size_t depth = 1, comp = 0;

        if (n == 0 || n > MAX_PATH_LEN || p[0] == '/')
                return false;
        if (n >= 13 && memcmp(p, "firmware/acpi", 13) == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                char ch = p[i];

                if (ch == '/') {
                        /* no empty, "." or ".." components */
                        if (comp == 0 || (comp <= 2 && p[i - 1] == '.' && (comp == 1 || p[i - 2] == '.')))
                                return false;
                        comp = 0;
                        if (++depth > MAX_DEPTH)
                                return false;
                        continue;
                }
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                      ch == '-' || ch == '_' || ch == '.' || ch == ':'))
                        return false;
                comp++;
        }
        return !(comp <= 2 && comp > 0 && p[n - 1] == '.' && (comp == 1 || p[n - 2] == '.'));
}

/* Writes the records below root; returns false on input that is not a tree. */
static bool build_tree(const uint8_t *data, size_t size) {
        const uint8_t *p = data, *end = data + size;
        unsigned records = 0;

        while (p < end) {
                const uint8_t *rec_end = memchr(p, 0, (size_t) (end - p)) ?: end;
                const uint8_t *eq = memchr(p, '=', (size_t) (rec_end - p));
                size_t plen = (size_t) ((eq ?: rec_end) - p);
                char path[sizeof root + MAX_PATH_LEN + 2];
                int fd;

                if (++records > MAX_RECORDS)
                        return false;
                if (!eq && plen > 0 && p[plen - 1] == '/')
                        plen--;
                if (!path_valid((const char *) p, plen))
                        return false;
                snprintf(path, sizeof path, "%s/%.*s", root, (int) plen, (const char *) p);
                if (!eq) {
                        strcat(path, "/");
                        if (mkdir_parents(path, 0755) < 0)
                                return false;
                } else {
                        if (mkdir_parents(path, 0755) < 0)
                                return false;
                        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
                        if (fd < 0)
                                return false;   /* e.g. a file where a directory is */
                        fuzz_assert(write(fd, eq + 1, (size_t) (rec_end - eq - 1)) == rec_end - eq - 1);
                        close(fd);
                }
                p = rec_end + 1;
        }
        return true;
}

static void parse(unsigned selector, unsigned flags, Config *c) {
        int r;

        config_init(c);
        r = config_parse_cmdline(c, cmdlines[selector % ELEMENTSOF(cmdlines)], flags);
        fuzz_assert(r == 0);
        r = config_load_ibft(c, root, flags);
        fuzz_assert(r == 0 || r == -ENOMEM);
        fuzz_check_model(c, flags & CONFIG_WITH_SECRETS);
}

int fuzz_ibft_sysfs(const uint8_t *data, size_t size) {
        Config plain, secrets;
        char *v[2 * CONFIG_MAX_SESSIONS];
        size_t n = 0;

        if (size < 1 || size > 16 * 1024)
                return 0;
        make_root();
        if (build_tree(data + 1, size - 1)) {
                parse(data[0], CONFIG_IN_INITRD | CONFIG_WITH_SECRETS, &secrets);
                for (size_t i = 0; i < secrets.n_sessions; i++) {
                        fuzz_add_secret(v, &n, ELEMENTSOF(v), data, size, secrets.sessions[i].chap.password);
                        fuzz_add_secret(v, &n, ELEMENTSOF(v), data, size, secrets.sessions[i].chap.in_password);
                }
                parse(data[0], CONFIG_IN_INITRD, &plain);
                /* No session count comparison: without secrets they are not read, and
                 * the login helper reports a bad one when it reads it. */
                fuzz_check_writers(&plain, v, n);
                config_done(&plain);
                config_done(&secrets);
        }
        clean_root();
        return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_ibft_sysfs(data, size);
}
#endif
