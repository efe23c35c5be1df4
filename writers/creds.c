/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Credential names as the login units and `sd-iscsi show` write them (model/credentials.h
 * names them and says why).
 */
#include <errno.h>
#include <stdbool.h>

#include "credentials.h"
#include "creds.h"
#include "show.h"

int credentials_write_unit(FILE *f, const char *id) {
        char name[CREDENTIAL_NAME_MAX];

        /* Global names first, then the session's: systemd loads each that exists and
         * skips a missing one (an inherited credential), so the helper can name it. */
        for (size_t k = 0; k < 2; k++)
                for (CredentialField i = 0; i < _CREDENTIAL_FIELD_MAX; i++) {
                        if (credential_name(k ? id : NULL, i, name, sizeof name) < 0)
                                return -EINVAL;
                        fprintf(f, "LoadCredential=%s\n", name);
                }
        return ferror(f) ? -EIO : 0;
}

/* Calls fn for each secret the configuration leaves to a credential (a user name
 * without its password), with the session's and the global credential's name. */
static void credentials_expected(const Session *s, void (*fn)(FILE *f, CredentialField field, const char *own,
                                                               const char *global, size_t n),
                                 FILE *f) {
        static const CredentialField secrets[] = { CREDENTIAL_PASSWORD, CREDENTIAL_IN_PASSWORD };
        const char *user[] = { s->chap.username, s->chap.in_username };
        bool has[] = { s->chap.has_password, s->chap.has_in_password };
        size_t n = 0;

        for (size_t i = 0; i < 2; i++) {
                char own[CREDENTIAL_NAME_MAX], global[CREDENTIAL_NAME_MAX];

                if (!user[i] || has[i])
                        continue;
                if (credential_name(s->id, secrets[i], own, sizeof own) < 0 ||
                    credential_name(NULL, secrets[i], global, sizeof global) < 0)
                        continue;
                fn(f, secrets[i], own, global, n++);
        }
}

static void credential_text(FILE *f, CredentialField field, const char *own, const char *global, size_t n) {
        (void) n;
        fprintf(f, ", %s from credential %s or %s", credential_field_to_string(field), own, global);
}

void credentials_show(FILE *f, const Session *s) {
        credentials_expected(s, credential_text, f);
}

static void credential_json(FILE *f, CredentialField field, const char *own, const char *global, size_t n) {
        if (n > 0)
                fputs(", ", f);
        json_string(f, credential_field_to_string(field));
        fputs(": [", f);
        json_string(f, own);
        fputs(", ", f);
        json_string(f, global);
        fputc(']', f);
}

void credentials_show_json(FILE *f, const Session *s) {
        fputc('{', f);
        credentials_expected(s, credential_json, f);
        fputc('}', f);
}
