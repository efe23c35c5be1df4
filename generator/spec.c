/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include <errno.h>
int spec_parse(const char *spec, Session *ret, bool with_secrets, char **error) { return -EOPNOTSUPP; }
