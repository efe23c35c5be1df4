/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The credentials' text in units and in `sd-iscsi show` (names only, never a value). */

#include <stdio.h>

#include "config.h"

/* LoadCredential= lines for the session's login unit (id: the unit instance). */
int credentials_write_unit(FILE *f, const char *id);

/* For `sd-iscsi show`: ", password from credential NAME or NAME" for each secret the
 * configuration leaves to a credential (a user name without its password). Names only. */
void credentials_show(FILE *f, const Session *s);

/* For `sd-iscsi show --json`: {"password": [OWN, GLOBAL], …}, the same secrets, each
 * with the names looked up in that order; {} when none. */
void credentials_show_json(FILE *f, const Session *s);
