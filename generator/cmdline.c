/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include <errno.h>
int config_parse_cmdline(Config *c, const char *cmdline, unsigned flags) { return -EOPNOTSUPP; }
