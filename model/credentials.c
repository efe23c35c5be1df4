/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CHAP strings from systemd credentials: names, precedence, reading and checking
 * (credentials.h). Nothing here ever prints a credential's contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "credentials.h"
#include "log.h"
#include "util.h"

static const char *const field_names[_CREDENTIAL_FIELD_MAX] = {
        [CREDENTIAL_USERNAME] = "username",
        [CREDENTIAL_PASSWORD] = "password",
        [CREDENTIAL_IN_USERNAME] = "in_username",
        [CREDENTIAL_IN_PASSWORD] = "in_password",
};

const char *credential_field_to_string(CredentialField f) {
        return f >= 0 && f < _CREDENTIAL_FIELD_MAX ? field_names[f] : NULL;
}

bool credential_name_valid(const char *s) {
        size_t n;

        /* systemd's credential_name_valid(): a file name and an fd name (printable
         * ASCII, no ':'), at most NAME_MAX. */
        if (!s)
                return false;
        n = strlen(s);
        if (n == 0 || n > 255 || streq_ptr(s, ".") || streq_ptr(s, ".."))
                return false;
        for (; *s; s++)
                if (*s <= ' ' || *s >= 0x7f || *s == '/' || *s == ':')
                        return false;
        return true;
}

int credential_name(const char *id, CredentialField f, char *buf, size_t size) {
        const char *field = credential_field_to_string(f);
        int n;

        if (!field)
                return -EINVAL;
        if (id)
                n = snprintf(buf, size, CREDENTIAL_PREFIX ".%s.chap.%s", id, field);
        else
                n = snprintf(buf, size, CREDENTIAL_PREFIX ".chap.%s", field);
        if (n < 0 || (size_t) n >= size)
                return -ENAMETOOLONG;
        return credential_name_valid(buf) ? 0 : -EINVAL;
}

int credential_value_check(const char *data, size_t size, const char **why) {
        const char *dummy;

        if (!why)
                why = &dummy;
        /* What `echo secret | systemd-creds encrypt` adds. */
        if (size > 0 && data[size - 1] == '\n') {
                size--;
                if (size > 0 && data[size - 1] == '\r')
                        size--;
        }
        if (size == 0) {
                *why = "it is empty";
                return -EINVAL;
        }
        if (size > CREDENTIAL_VALUE_MAX) {
                *why = "it is longer than 256 bytes";
                return -EINVAL;
        }
        for (size_t i = 0; i < size; i++) {
                unsigned char ch = (unsigned char) data[i];

                if (ch == 0) {
                        *why = "it contains a NUL byte";
                        return -EINVAL;
                }
                if (ch < ' ' || ch == 0x7f) {
                        *why = "it contains a control character or a line break";
                        return -EINVAL;
                }
        }
        return (int) size;
}

/* An encrypted credential (systemd-creds encrypt) begins with the 16-byte id of how it
 * was sealed; as text, with its base64. Only TPM2 sealing is looked for: the host key
 * (/var/lib/systemd/credential.secret) is the real root's, never the initrd's. */
static const uint8_t tpm2_hmac_id[16] = {
        0x0c, 0x7c, 0xc0, 0x7b, 0x11, 0x76, 0x45, 0x91, 0x9c, 0x4b, 0x0b, 0xea, 0x08, 0xbc, 0x20, 0xfe,
};
#define TPM2_HMAC_ID_BASE64 "DHzAexF2RZGcSwvqCLwg/i"    /* the first 21 characters of its base64 */

bool credential_is_encrypted(const char *data, size_t size) {
        return (size >= sizeof tpm2_hmac_id && memcmp(data, tpm2_hmac_id, sizeof tpm2_hmac_id) == 0) ||
               (size >= strlen(TPM2_HMAC_ID_BASE64) &&
                memcmp(data, TPM2_HMAC_ID_BASE64, strlen(TPM2_HMAC_ID_BASE64)) == 0);
}

/* systemd-creds decrypt --name=NAME dir/NAME -: the plain text through a pipe into buf,
 * never into a file or an argument. Its messages go to the journal (never the secret). */
static int decrypt(const char *dir, const char *name, char *buf, size_t bufsize, size_t *ret_size,
                   const char **why) {
        const char *creds = getenv("SD_ISCSI_SYSTEMD_CREDS") ?: "systemd-creds";
        char path[PATH_MAX], arg[CREDENTIAL_NAME_MAX + 16];
        const char *argv[] = { creds, "decrypt", arg, path, "-", NULL };
        posix_spawn_file_actions_t fa;
        int pipefd[2], status, r;
        size_t size = 0;
        pid_t pid;

        if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int) sizeof path ||
            snprintf(arg, sizeof arg, "--name=%s", name) >= (int) sizeof arg)
                return -ENAMETOOLONG;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        r = posix_spawnp(&pid, creds, &fa, NULL, (char **) argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        if (r != 0) {
                close(pipefd[0]);
                *why = "it is encrypted and systemd-creds cannot be run to decrypt it";
                return -EINVAL;
        }
        for (;;) {
                ssize_t n = read(pipefd[0], buf + size, bufsize - size);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                size += (size_t) n;
                if (size == bufsize) {
                        /* Too long: drain, so that the child does not block. */
                        char sink[256];

                        while (read(pipefd[0], sink, sizeof sink) > 0)
                                ;
                        explicit_bzero(sink, sizeof sink);
                        break;
                }
        }
        close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        explicit_bzero(buf, bufsize);
                        return -errno;
                }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                explicit_bzero(buf, bufsize);
                *why = "it is encrypted and cannot be decrypted on this machine (systemd-creds decrypt failed: "
                       "another TPM, changed PCRs, or damaged)";
                return -EINVAL;
        }
        *ret_size = size;
        return 0;
}

int credential_read(const char *dir, const char *name, char **ret, const char **why) {
        /* Room for an encrypted credential (a 256-byte secret sealed to the TPM is about
         * 600 bytes of base64); a plain one is refused above 256 bytes anyway. */
        char buf[CREDENTIAL_FILE_MAX + 1];
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;
        size_t size = 0;
        int r;

        *ret = NULL;
        if (!dir || !credential_name_valid(name))
                return -ENOENT;
        dfd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        fd = openat(dfd, name, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        while (size < sizeof buf) {
                ssize_t n = read(fd, buf + size, sizeof buf - size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        explicit_bzero(buf, sizeof buf);
                        return r;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        if (credential_is_encrypted(buf, size)) {
                const char *dummy;

                if (!why)
                        why = &dummy;
                if (size > CREDENTIAL_FILE_MAX) {
                        explicit_bzero(buf, sizeof buf);
                        *why = "it is encrypted and larger than 16 KiB";
                        return -EINVAL;
                }
                explicit_bzero(buf, sizeof buf);
                size = 0;
                r = decrypt(dir, name, buf, CREDENTIAL_VALUE_MAX + 3, &size, why);
                if (r < 0)
                        return r;
        }
        r = credential_value_check(buf, size, why);
        if (r >= 0) {
                *ret = strndup(buf, (size_t) r);
                if (!*ret)
                        r = -ENOMEM;
        }
        explicit_bzero(buf, sizeof buf);
        return r < 0 ? r : 0;
}

static void say(char *why, size_t why_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t why_size, const char *fmt, ...) {
        va_list ap;

        if (!why || why_size == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(why, why_size, fmt, ap);
        va_end(ap);
}

int credentials_apply(Session *s, const char *dir, bool with_secrets, bool log, char *why, size_t why_size) {
        char names[_CREDENTIAL_FIELD_MAX][2][CREDENTIAL_NAME_MAX];
        char **fields[_CREDENTIAL_FIELD_MAX] = {
                &s->chap.username, &s->chap.password, &s->chap.in_username, &s->chap.in_password,
        };
        bool *has[_CREDENTIAL_FIELD_MAX] = {
                NULL, &s->chap.has_password, NULL, &s->chap.has_in_password,
        };
        int r;

        for (CredentialField f = 0; f < _CREDENTIAL_FIELD_MAX; f++) {
                if (credential_name(s->id, f, names[f][0], sizeof names[f][0]) < 0 ||
                    credential_name(NULL, f, names[f][1], sizeof names[f][1]) < 0) {
                        say(why, why_size, "session %s: its id makes no valid credential name", s->id);
                        return -EINVAL;
                }
        }

        for (CredentialField f = 0; dir && f < _CREDENTIAL_FIELD_MAX; f++)
                /* The session's own name first: it wins over the global one. */
                for (size_t k = 0; k < 2; k++) {
                        _cleanup_erase_ char *v = NULL;
                        const char *bad = NULL;

                        r = credential_read(dir, names[f][k], &v, &bad);
                        if (r == -ENOENT)
                                continue;
                        if (r == -ENOMEM)
                                return r;
                        if (r == -EINVAL) {
                                say(why, why_size, "credential %s is unusable: %s", names[f][k], bad);
                                return -EINVAL;
                        }
                        if (r < 0) {
                                say(why, why_size, "cannot read credential %s: %s", names[f][k], strerror(-r));
                                return -EINVAL;
                        }
                        if (has[f])
                                *has[f] = true;
                        if (has[f] && !with_secrets)
                                erase_and_free(TAKE_PTR(v));
                        if (has[f])
                                erase_and_free(*fields[f]);
                        else
                                free(*fields[f]);
                        *fields[f] = TAKE_PTR(v);
                        if (log)
                                log_info("Session %s: CHAP %s from credential %s.", s->id,
                                         field_names[f], names[f][k]);
                        break;
                }

        /* Never a login with half a pair: a user name whose secret was to come from a
         * credential that is not there (or misspelt) ends here, naming it. */
        for (CredentialField f = 0; f < _CREDENTIAL_FIELD_MAX; f += 2) {
                bool user = *fields[f], pass = *has[f + 1];

                if (user && !pass) {
                        say(why, why_size, "no CHAP %s for session %s: pass the credential %s or %s",
                            field_names[f + 1], s->id, names[f + 1][0], names[f + 1][1]);
                        return -EINVAL;
                }
                if (pass && !user) {
                        say(why, why_size, "no CHAP %s for session %s: pass the credential %s or %s",
                            field_names[f], s->id, names[f][0], names[f][1]);
                        return -EINVAL;
                }
        }
        if (s->chap.in_username && !s->chap.username) {
                say(why, why_size, "mutual CHAP for session %s needs the initiator's user name too (%s or %s)",
                    s->id, names[CREDENTIAL_USERNAME][0], names[CREDENTIAL_USERNAME][1]);
                return -EINVAL;
        }
        return 0;
}
