/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Credentials (credentials.c) as the login helper reads them: the input is a selector
 * byte, then a credential name up to the first NUL, then the contents (any bytes: empty,
 * huge, NULs, non-UTF-8). The name is checked as systemd would; the contents are written
 * under the credential names the selector picks and applied to a session, with and
 * without secrets. Invariants: an accepted value is 1-256 bytes with no NUL or control
 * byte and reaches the session unchanged; a refusal says why without quoting it; a user
 * name never logs in without its password.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "credentials.h"
#include "fuzz.h"
#include "util.h"

#define FUZZ_CREDENTIAL_MAX (64 * 1024)

static const char *dir(void) {
        static char path[64];

        if (!path[0]) {
                const char *tmp = getenv("TMPDIR");

                snprintf(path, sizeof path, "%s/sdi-fuzz-creds.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
                fuzz_assert(mkdtemp(path));
        }
        return path;
}

static void put(const char *name, const uint8_t *data, size_t size) {
        char path[256];
        int fd;

        snprintf(path, sizeof path, "%s/%s", dir(), name);
        fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
        fuzz_assert(fd >= 0);
        fuzz_assert(write(fd, data, size) == (ssize_t) size);
        close(fd);
}

static void clear(const char *name) {
        char path[256];

        snprintf(path, sizeof path, "%s/%s", dir(), name);
        (void) unlink(path);
}

static void check_value(const uint8_t *data, size_t size) {
        const char *why = NULL;
        int r = credential_value_check((const char *) data, size, &why);

        if (r < 0) {
                fuzz_assert(r == -EINVAL && why && *why);
                return;
        }
        fuzz_assert(r >= 1 && r <= CREDENTIAL_VALUE_MAX && (size_t) r <= size);
        for (int i = 0; i < r; i++)
                fuzz_assert(data[i] >= ' ' && data[i] != 0x7f);
}

static bool marked(const uint8_t *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (v[i] >= 0x80 || (v[i] && strchr("!#$%&*+=?@^~|{}[]<>;\"'`", v[i])))
                        return true;
        return false;
}

int fuzz_credentials(const uint8_t *data, size_t size) {
        static const char *const ids[] = { "cmdline-0", "ibft-1", "dhcp" };
        char names[2][CREDENTIAL_NAME_MAX], why[256];
        const uint8_t *value, *nul;
        _cleanup_free_ char *name = NULL;
        size_t vsize;
        uint8_t sel;

        if (size < 1 || size > FUZZ_CREDENTIAL_MAX)
                return 0;
        /* A value that looks sealed to a TPM2 is handed to systemd-creds: here one that
         * always fails, as on a machine without that TPM. */
        setenv("SD_ISCSI_SYSTEMD_CREDS", "false", 0);
        sel = data[0];
        data++, size--;
        nul = memchr(data, 0, size);
        name = strndup((const char *) data, nul ? (size_t) (nul - data) : size);
        fuzz_assert(name);
        value = nul ? nul + 1 : data;
        vsize = nul ? size - (size_t) (nul + 1 - data) : size;

        /* Any name: valid ones are file names without ':'. */
        if (credential_name_valid(name))
                fuzz_assert(!strchr(name, '/') && !strchr(name, ':') && strlen(name) <= 255);
        check_value(value, vsize);

        /* The contents under the global and the session's password and user name. */
        const char *id = ids[sel % ELEMENTSOF(ids)];
        CredentialField f = (sel >> 2) & 1 ? CREDENTIAL_USERNAME : CREDENTIAL_PASSWORD;
        fuzz_assert(credential_name(NULL, f, names[0], sizeof names[0]) == 0);
        fuzz_assert(credential_name(id, f, names[1], sizeof names[1]) == 0);
        const char *used = names[(sel >> 3) & 1];
        put(used, value, vsize);
        if ((sel >> 4) & 1)
                /* an unusable credential with a valid name beside it */
                put("sd-iscsi.chap.in_password", (const uint8_t *) "", 0);

        for (int secrets = 0; secrets < 2; secrets++) {
                Session s = { .nic = -1 };
                const char *vwhy = NULL;
                int vr = credential_value_check((const char *) value, vsize, &vwhy), r;

                strcpy(s.id, id);
                if ((sel >> 5) & 1)
                        s.chap.username = strdup("u");
                why[0] = 0;
                r = credentials_apply(&s, dir(), secrets, false, why, sizeof why);
                fuzz_assert(r == 0 || r == -EINVAL || r == -ENOMEM);
                if (r == 0) {
                        /* Never half a pair, never an empty secret. */
                        fuzz_assert(!!s.chap.username == s.chap.has_password);
                        fuzz_assert(!s.chap.password || *s.chap.password);
                        fuzz_assert(secrets || !s.chap.password);
                        fuzz_assert(!((sel >> 4) & 1));
                        fuzz_assert(vr > 0);
                        if (f == CREDENTIAL_PASSWORD && secrets)
                                fuzz_assert(strlen(s.chap.password) == (size_t) vr &&
                                            memcmp(s.chap.password, value, (size_t) vr) == 0);
                } else if (r == -EINVAL) {
                        fuzz_assert(why[0]);
                        fuzz_assert(strstr(why, "sd-iscsi."));
                        /* The reason never quotes the contents: a value of 8 bytes or more
                         * with a byte no reason's own text has (which is names, words and
                         * strerror()) is nowhere in it. */
                        if (vr >= 8 && marked(value, (size_t) vr)) {
                                _cleanup_free_ char *v = strndup((const char *) value, (size_t) vr);
                                fuzz_assert(v);
                                fuzz_assert(!strstr(why, v));
                        }
                }
                session_done(&s);
        }
        clear(used);
        clear("sd-iscsi.chap.in_password");
        return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_credentials(data, size);
}
#endif
