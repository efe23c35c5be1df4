/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <limits.h>

#include "dhcp.h"
#include "login.h"
#include "network.h"
#include "units.h"
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

static int dhcp_setting(const char *key, size_t key_len, const char *value, size_t value_len, void *userdata) {
        /* "both" is the old spelling of "yes". */
        static const char *const yes[] = { "yes", "true", "on", "1", "ipv4", "both" };
        bool *dhcp4 = userdata;

        if (key_len != 4 || strncmp(key, "DHCP", 4) != 0)
                return 0;
        /* The last assignment wins. */
        *dhcp4 = false;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (value_len == strlen(yes[i]) && strncasecmp(value, yes[i], value_len) == 0)
                        *dhcp4 = true;
        return 0;
}

bool network_text_dhcp4(const char *text) {
        bool dhcp4 = false;

        (void) ini_foreach(text, "Network", dhcp_setting, &dhcp4);
        return dhcp4;
}

int dhcp_write_root_path_dropin(FILE *f) {
        fputs("# Automatically generated by sd-iscsi prepare: root=dhcp / netroot=dhcp\n"
              "[DHCPv4]\n"
              "# root-path, the iSCSI spec of the boot disk\n"
              "RequestOptions=17\n", f);
        return ferror(f) ? -EIO : 0;
}

int dhcp_write_root_rule(FILE *f, const Session *s) {
        _cleanup_free_ char *device = NULL;
        const char *id_path;
        int r;

        r = session_device_path(s, &device);
        if (r < 0)
                return r;
        id_path = startswith(device, "/dev/disk/by-path/");
        /* The value is matched as a glob and quoted: nothing may change its meaning. */
        if (!id_path || strpbrk(id_path, "*?[]\"\\|\n"))
                return -EINVAL;
        fputs("# Automatically generated by sd-iscsi login: root=dhcp names this LUN\n", f);
        /* /dev/root too: dracut's root=dhcp hook waits for it before the initqueue ends. */
        fprintf(f, "ACTION!=\"remove\", SUBSYSTEM==\"block\", ENV{DEVTYPE}==\"disk\", "
                "ENV{ID_PATH}==\"%s\", SYMLINK+=\"%s root\"\n", id_path, DHCP_ROOT_LINK + strlen("/dev/"));
        return ferror(f) ? -EIO : 0;
}

static int root_path_dropin(const char *name, const char *text, void *userdata) {
        int *count = userdata, r;

        if (!network_text_dhcp4(text))
                return 0;
        r = network_write_dropin(name, DHCP_DROPIN_NAME, dhcp_write_root_path_dropin);
        if (r < 0)
                return r;
        (*count)++;
        return 0;
}

int dhcp_write_root_path_dropins(void) {
        int count = 0, r;

        r = network_for_each_file(root_path_dropin, &count);
        return r < 0 ? r : count;
}
