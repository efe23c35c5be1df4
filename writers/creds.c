/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Credential names as the login units and `sd-iscsi show` write them (model/credentials.h
 * names them and says why).
 */
#include <errno.h>
#include <stdbool.h>

#include "credentials.h"
#include "creds.h"

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

void credentials_show(FILE *f, const Session *s) {
        static const CredentialField pairs[][2] = {
                { CREDENTIAL_USERNAME, CREDENTIAL_PASSWORD },
                { CREDENTIAL_IN_USERNAME, CREDENTIAL_IN_PASSWORD },
        };
        const char *user[] = { s->chap.username, s->chap.in_username };
        bool has[] = { s->chap.has_password, s->chap.has_in_password };

        for (size_t i = 0; i < 2; i++) {
                char own[CREDENTIAL_NAME_MAX], global[CREDENTIAL_NAME_MAX];

                if (!user[i] || has[i])
                        continue;
                if (credential_name(s->id, pairs[i][1], own, sizeof own) < 0 ||
                    credential_name(NULL, pairs[i][1], global, sizeof global) < 0)
                        continue;
                fprintf(f, ", %s from credential %s or %s", credential_field_to_string(pairs[i][1]), own, global);
        }
}
