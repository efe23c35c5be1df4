/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The writers' text into files below /run/systemd/network, for sd-iscsi prepare (the
 * iBFT NICs' files, the option 17 drop-ins) and sd-iscsi handoff (KeepConfiguration=). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "dhcp.h"
#include "log.h"
#include "netfiles.h"
#include "network.h"
#include "networkd.h"
#include "paths.h"
#include "util.h"

typedef int (*render_fn)(const void *what, int type, FILE *f);

/* Writes dir/name with what render writes, replacing it atomically. */
static int write_one(const char *dir, const char *name, render_fn render, const void *what, int type) {
        char path[PATH_MAX], tmp[PATH_MAX];
        _cleanup_fclose_ FILE *f = NULL;
        int fd, r;

        if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path ||
            (size_t) snprintf(tmp, sizeof tmp, "%s/.#%sXXXXXX", dir, name) >= sizeof tmp)
                return -ENAMETOOLONG;

        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "w");
        if (!f) {
                r = -errno;
                close(fd);
                goto fail;
        }
        r = render(what, type, f);
        if (r < 0)
                goto fail;
        if (fflush(f) != 0 || fchmod(fd, 0644) < 0) {
                r = -errno;
                goto fail;
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }
        return 0;

fail:
        (void) unlink(tmp);
        return r;
}

static int render_nic(const void *nic, int type, FILE *f) {
        return network_write(nic, (NetworkFile) type, f);
}

static int render_bond(const void *bond, int type, FILE *f) {
        (void) type;
        return bond_netdev_write(bond, f);
}

int network_write_files(const Config *c, const char *dir) {
        char slash[PATH_MAX];
        int r;

        if ((size_t) snprintf(slash, sizeof slash, "%s/", dir) >= sizeof slash)
                return -ENAMETOOLONG;
        r = mkdir_parents(slash, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create %s: %m", dir);

        for (size_t i = 0; i < c->n_nics; i++) {
                const Nic *n = &c->nics[i];

                bool dup = false;

                if (!network_nic_has_file(n, NETWORK_FILE_LINK)) {
                        log_warning("iBFT NIC %d has no MAC address, not configuring it.", n->index);
                        continue;
                }
                /* Only an offload HBA's table (iscsi_boot<N>) next to the iBFT can repeat
                 * an index; the HBA configures its own network, the first one wins. */
                for (size_t j = 0; j < i; j++)
                        dup = dup || c->nics[j].index == n->index;
                if (dup) {
                        log_warning("Two firmware NICs with index %d, configuring only the first.", n->index);
                        continue;
                }
                for (NetworkFile t = 0; t < _NETWORK_FILE_MAX; t++) {
                        char name[64];

                        if (!network_nic_has_file(n, t))
                                continue;
                        r = network_file_name(n, t, name, sizeof name);
                        if (r >= 0)
                                r = write_one(dir, name, render_nic, n, t);
                        if (r < 0)
                                return log_error_errno(r, "Failed to write network file for iBFT NIC %d in %s: %m",
                                                       n->index, dir);
                }
        }
        for (size_t i = 0; i < c->n_bonds; i++) {
                char name[64];

                r = bond_netdev_name(&c->bonds[i], name, sizeof name);
                if (r >= 0)
                        r = write_one(dir, name, render_bond, &c->bonds[i], 0);
                if (r < 0)
                        return log_error_errno(r, "Failed to write the .netdev for bond %s in %s: %m",
                                               c->bonds[i].name, dir);
        }
        return 0;
}

int network_write_dropin(const char *network, const char *dropin, int (*render)(FILE *f)) {
        _cleanup_free_ char *text = NULL, *name = NULL;
        char outdir[PATH_MAX], path[PATH_MAX];
        size_t size = 0;
        FILE *f;
        int r;

        r = runtime_path("/run/systemd/network", outdir, sizeof outdir);
        if (r < 0)
                return r;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        r = render(f);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        if (r < 0)
                return r;
        if (asprintf(&name, "%s.d/%s", network, dropin) < 0)
                return -ENOMEM;
        if (snprintf(path, sizeof path, "%s/%s", outdir, name) >= (int) sizeof path)
                return -ENAMETOOLONG;
        (void) unlink(path);
        return write_file_excl(outdir, name, text, size, 0644);
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

