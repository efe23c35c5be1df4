/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "paths.h"
#include "util.h"

int runtime_path(const char *path, char *buf, size_t size) {
        const char *root = getenv("SD_ISCSI_ROOT");
        int n = snprintf(buf, size, "%s%s", strempty(root), path);
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}
