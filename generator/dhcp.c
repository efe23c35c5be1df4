/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <limits.h>

#include "dhcp.h"
#include "login.h"
#include "units.h"
#include "util.h"

#define LEASE_MAX (64 * 1024)
#define NETWORK_FILE_MAX (256 * 1024)
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

bool network_text_dhcp4(const char *text) {
        /* "both" is the old spelling of "yes". */
        static const char *const yes[] = { "yes", "true", "on", "1", "ipv4", "both" };
        bool in_network = false, dhcp4 = false;

        for (const char *p = text; p && *p;) {
                const char *end = strchrnul(p, '\n'), *eq, *v, *ve;
                size_t len;

                while (p < end && (*p == ' ' || *p == '\t'))
                        p++;
                len = (size_t) (end - p);
                if (len > 0 && *p == '[')
                        in_network = len >= 9 && strncmp(p, "[Network]", 9) == 0;
                else if (in_network && len > 0 && *p != '#' && *p != ';' &&
                         (eq = memchr(p, '=', len))) {
                        const char *ke = eq;

                        while (ke > p && (ke[-1] == ' ' || ke[-1] == '\t'))
                                ke--;
                        if (ke - p == 4 && strncmp(p, "DHCP", 4) == 0) {
                                for (v = eq + 1; v < end && (*v == ' ' || *v == '\t'); v++)
                                        ;
                                for (ve = end; ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'); ve--)
                                        ;
                                /* The last assignment wins. */
                                dhcp4 = false;
                                for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                                        if ((size_t) (ve - v) == strlen(yes[i]) && strncasecmp(v, yes[i], (size_t) (ve - v)) == 0)
                                                dhcp4 = true;
                        }
                }
                p = *end ? end + 1 : end;
        }
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

static int write_dropin(const char *outdir, const char *network) {
        _cleanup_free_ char *text = NULL, *name = NULL;
        char path[PATH_MAX];
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        r = dhcp_write_root_path_dropin(f);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        if (r < 0)
                return r;
        if (asprintf(&name, "%s.d/" DHCP_DROPIN_NAME, network) < 0)
                return -ENOMEM;
        if (snprintf(path, sizeof path, "%s/%s", outdir, name) >= (int) sizeof path)
                return -ENAMETOOLONG;
        (void) unlink(path);
        return write_file_excl(outdir, name, text, size, 0644);
}

static bool seen(char *const *names, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(names[i], name) == 0)
                        return true;
        return false;
}

int dhcp_write_root_path_dropins(void) {
        /* networkd's search path, highest priority first: the first file of a name wins. */
        static const char *const dirs[] = {
                "/etc/systemd/network", "/run/systemd/network",
                "/usr/local/lib/systemd/network", "/usr/lib/systemd/network", "/lib/systemd/network",
        };
        char *names[256];
        size_t n = 0;
        char outdir[PATH_MAX];
        int r, count = 0;

        r = runtime_path("/run/systemd/network", outdir, sizeof outdir);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(dirs) && r >= 0; i++) {
                _cleanup_(closedirp) DIR *d = NULL;
                char dir[PATH_MAX];
                struct dirent *de;

                if (runtime_path(dirs[i], dir, sizeof dir) < 0)
                        continue;
                d = opendir(dir);
                if (!d)
                        continue;
                while ((de = readdir(d)) && n < ELEMENTSOF(names)) {
                        _cleanup_free_ char *text = NULL;
                        const char *suffix = strrchr(de->d_name, '.');
                        char path[PATH_MAX];

                        if (de->d_name[0] == '.' || !suffix || strcmp(suffix, ".network") != 0 ||
                            seen(names, n, de->d_name))
                                continue;
                        names[n] = strdup(de->d_name);
                        if (!names[n]) {
                                r = -ENOMEM;
                                break;
                        }
                        n++;
                        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int) sizeof path ||
                            read_full_file(path, &text, NULL, NETWORK_FILE_MAX) < 0 ||
                            !network_text_dhcp4(text))
                                continue;
                        r = write_dropin(outdir, de->d_name);
                        if (r < 0)
                                break;
                        count++;
                }
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        return r < 0 ? r : count;
}
