/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * CHAP user names and secrets from systemd credentials (sd-iscsi(7), "Secrets").
 *
 * Names: sd-iscsi.chap.FIELD for every session, sd-iscsi.ID.chap.FIELD for one session
 * (ID the unit instance: cmdline-0, ibft-1, dhcp), FIELD one of username, password,
 * in_username, in_password. A target's IQN cannot be part of the name: systemd rejects
 * ':' in credential names.
 *
 * Precedence, field by field: the session's credential, the global credential, then
 * what the command line, the iBFT or the DHCP root path gave.
 *
 * The generator gives every login unit LoadCredential=NAME for each name (systemd 252
 * and later: the system credential of that name, else /etc/credstore, /run/credstore,
 * /usr/lib/credstore; a missing one is skipped, not fatal). The login helper reads them
 * from $CREDENTIALS_DIRECTORY; passwords go only into the 0600 node record.
 */

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

#define CREDENTIAL_PREFIX "sd-iscsi"
#define CREDENTIAL_NAME_MAX 64
/* The longest credential read: a CHAP string (256) and a trailing newline. */
#define CREDENTIAL_VALUE_MAX 256

typedef enum CredentialField {
        CREDENTIAL_USERNAME,
        CREDENTIAL_PASSWORD,
        CREDENTIAL_IN_USERNAME,
        CREDENTIAL_IN_PASSWORD,
        _CREDENTIAL_FIELD_MAX,
} CredentialField;

const char *credential_field_to_string(CredentialField f);

/* "sd-iscsi.chap.password" (id NULL) or "sd-iscsi.cmdline-0.chap.password". */
int credential_name(const char *id, CredentialField f, char *buf, size_t size);

/* Whether systemd accepts s as a credential name (filename and fd name rules). */
bool credential_name_valid(const char *s);

/* Validates a credential's contents (size bytes at data, any bytes) as a CHAP string:
 * one trailing "\n" (or "\r\n") is dropped; then 1-256 bytes, no NUL, no control
 * characters. Returns the length, or NULL-free reason in *why and -EINVAL. */
int credential_value_check(const char *data, size_t size, const char **why);

/* The largest credential file read: an encrypted one (systemd-creds encrypt). */
#define CREDENTIAL_FILE_MAX (16 * 1024)

/* Whether data is a credential sealed to a TPM2 by systemd-creds encrypt (binary or
 * base64). Such a credential is decrypted by running `systemd-creds decrypt`
 * ($SD_ISCSI_SYSTEMD_CREDS in tests) when read. */
bool credential_is_encrypted(const char *data, size_t size);

/* Reads dir/name (decrypting it when it is sealed to the TPM2). -ENOENT: not there; -EINVAL: unusable contents (*why says why,
 * never quoting it); *ret is wiped on free by the caller (erase_and_free). */
int credential_read(const char *dir, const char *name, char **ret, const char **why);

/* Applies the credentials in dir (NULL: none passed) to s, by the precedence above;
 * with_secrets: keep the passwords (login helper), else only note has_password. Then
 * checks the result can log in: a user name needs its password and the reverse. On
 * failure returns -EINVAL (or -ENOMEM) with a message naming the credential(s) in
 * why (never a value). Logs the names used through log_info when log is true. */
int credentials_apply(Session *s, const char *dir, bool with_secrets, bool log, char *why, size_t why_size);
