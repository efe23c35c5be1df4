/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* root=dhcp / netroot=dhcp: a networkd lease's root-path (option 17) → the session "dhcp". */
#include <dirent.h>
#include <errno.h>
#include <limits.h>

#include "lease.h"
#include "util.h"

#define LEASE_MAX (64 * 1024)
#define MAX_LEASES 64

int dhcp_lease_root_path(char *text, const char **ret) {
        for (char *line = text; line && *line;) {
                char *next = strchr(line, '\n');
                const char *v;

                if (next)
                        *next++ = 0;
                v = startswith(line, "ROOT_PATH=");
                if (v) {
                        *ret = v;
                        return 0;
                }
                if (next)
                        next[-1] = '\n';
                line = next;
        }
        return -ENOENT;
}

int dhcp_session_from_root_path(const char *root_path, bool with_secrets, bool root,
                                Session *ret, char **error) {
        int r;

        /* dracut's netroot handlers key on the prefix: nfs:, nbd:, … are not ours. */
        if (!startswith(root_path, "iscsi:"))
                return -EOPNOTSUPP;
        r = spec_parse(root_path, ret, with_secrets, error);
        if (r < 0)
                return r;
        ret->source = SOURCE_DHCP;
        ret->root = root;
        return 0;
}

static bool lease_name_valid(const char *name, unsigned *ret) {
        uint64_t v;

        /* networkd names lease files by ifindex and writes them through ".#…" temporaries. */
        if (safe_atou64(name, INT_MAX, &v) < 0 || v == 0)
                return false;
        *ret = (unsigned) v;
        return true;
}

static int cmp_unsigned(const void *a, const void *b) {
        unsigned x = *(const unsigned *) a, y = *(const unsigned *) b;
        return x < y ? -1 : x > y;
}

int config_load_dhcp(Config *c, const char *leases_dir, unsigned flags) {
        _cleanup_(closedirp) DIR *d = NULL;
        unsigned idx[MAX_LEASES];
        size_t n = 0;
        struct dirent *de;
        int r;

        d = opendir(leases_dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d)) && n < MAX_LEASES)
                if (lease_name_valid(de->d_name, &idx[n]))
                        n++;
        qsort(idx, n, sizeof idx[0], cmp_unsigned);

        for (size_t i = 0; i < n; i++) {
                _cleanup_(session_done) Session s = {};
                _cleanup_free_ char *error = NULL;
                char path[PATH_MAX];
                char *text = NULL;
                const char *rp;
                size_t size = 0;

                if (snprintf(path, sizeof path, "%s/%u", leases_dir, idx[i]) >= (int) sizeof path)
                        return -ENAMETOOLONG;
                r = read_full_file(path, &text, &size, LEASE_MAX);
                if (r == -ENOENT)
                        continue;       /* the link went away meanwhile */
                if (r < 0) {
                        config_warning(c, "Cannot read the DHCP lease of interface %u: %s", idx[i], strerror(-r));
                        continue;
                }
                r = dhcp_lease_root_path(text, &rp);
                if (r >= 0)
                        r = dhcp_session_from_root_path(rp, flags & CONFIG_WITH_SECRETS, c->root_dhcp, &s, &error);
                /* The root-path may carry CHAP passwords. */
                explicit_bzero(text, size);
                free(text);
                if (r == -ENOENT)
                        continue;
                if (r == -EOPNOTSUPP) {
                        c->dhcp_other_root_path = true;
                        continue;
                }
                if (r == -EINVAL) {
                        config_error(c, "DHCP root path of interface %u: %s Ignoring it.", idx[i],
                                     error ?: "Invalid iSCSI spec.");
                        continue;
                }
                if (r < 0)
                        return r;
                c->wants_iscsi = true;
                r = config_add_session(c, &s);
                return r < 0 && r != -E2BIG ? r : 0;
        }
        return 0;
}
