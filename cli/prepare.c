/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sd-iscsi prepare: the runtime configuration that generators must not write. Runs
 * before iscsid and systemd-networkd (sd-iscsi-prepare.service).
 */
#include <errno.h>
#include <limits.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "commands.h"
#include "dhcp.h"
#include "log.h"
#include "netfiles.h"
#include "network.h"
#include "paths.h"
#include "util.h"

/* iscsi-iname's default prefix, so that a generated name looks like any other. */
#define GENERATED_INITIATOR_PREFIX "iqn.2016-04.com.open-iscsi"

static int image_initiator(char **ret) {
        char path[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        char *line, *save = NULL;
        int r;

        r = runtime_path(ISCSI_IMAGE_INITIATOR_FILE, path, sizeof path);
        if (r < 0)
                return r;
        r = read_full_file(path, &text, NULL, 64 * 1024);
        if (r < 0)
                return r;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                const char *v = startswith(line, "InitiatorName=");
                if (v && !isempty(v)) {
                        *ret = strdup(v);
                        return *ret ? 0 : -ENOMEM;
                }
        }
        return -ENOENT;
}

static int generate_initiator(char **ret) {
        uint8_t rnd[6];

        if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
                return -errno;
        if (asprintf(ret, GENERATED_INITIATOR_PREFIX ":%02x%02x%02x%02x%02x%02x",
                     rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]) < 0)
                return -ENOMEM;
        return 0;
}

static int write_initiator(const Config *c) {
        _cleanup_free_ char *name = NULL, *text = NULL;
        char dir[PATH_MAX];
        const char *origin = "the command line or iBFT";
        int r;

        if (c->initiator)
                name = strdup(c->initiator);
        else {
                origin = "the image";
                r = image_initiator(&name);
                if (r < 0) {
                        origin = "a generated name";
                        r = generate_initiator(&name);
                        if (r < 0)
                                return log_error_errno(r, "Failed to generate an initiator name: %m");
                }
        }
        if (!name)
                return log_oom();
        if (asprintf(&text, "InitiatorName=%s\n", name) < 0)
                return log_oom();
        r = runtime_path(SD_ISCSI_RUN_DIR, dir, sizeof dir);
        if (r < 0)
                return r;
        r = mkdir_parents(dir, 0755);
        if (r >= 0 && mkdir(dir, 0755) < 0 && errno != EEXIST)
                r = -errno;
        if (r < 0)
                return log_error_errno(r, "Failed to create %s: %m", dir);
        r = runtime_path(SD_ISCSI_INITIATOR_FILE, dir, sizeof dir);
        if (r < 0)
                return r;
        (void) unlink(dir);
        r = write_file_excl("/", dir, text, strlen(text), 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", dir);
        log_info("Initiator name %s (from %s).", name, origin);
        return 0;
}

static int write_root_path_dropins(void) {
        int r;

        /* After the iBFT files, so that a DHCP NIC of the firmware asks for it too. */
        r = dhcp_write_root_path_dropins();
        if (r < 0)
                return log_error_errno(r, "Failed to ask systemd-networkd for the DHCP root path: %m");
        if (r == 0)
                log_warning("root=dhcp/netroot=dhcp, but no .network file enables DHCPv4 (add ip=dhcp): "
                            "no DHCP root path will arrive.");
        else
                log_info("Requesting the DHCP root path (option 17) on %d network configuration(s).", r);
        return 0;
}

/* open-iscsi's database and lock directory, where this build of open-iscsi has them: an
 * image builder copies the programs, not the directories they expect (iscsid cannot
 * create /var/lib/iscsi without /var/lib, iscsiadm gives up without its lock directory). */
static int make_iscsi_dirs(void) {
        static const struct {
                const char *path;
                mode_t mode;
        } dirs[] = {
                { ISCSI_NODE_DIR,  0700 },
                { ISCSI_IFACE_DIR, 0700 },
                { ISCSI_LOCK_DIR,  0755 },
        };
        char path[PATH_MAX];
        int r;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                r = runtime_path(dirs[i].path, path, sizeof path);
                if (r < 0)
                        return r;
                r = mkdir_parents(path, 0755);
                if (r >= 0 && mkdir(path, dirs[i].mode) < 0 && errno != EEXIST)
                        r = -errno;
                if (r < 0)
                        return log_error_errno(r, "Failed to create %s: %m", path);
        }
        return 0;
}

int prepare_run(void) {
        _cleanup_(config_done) Config c;
        char netdir[PATH_MAX];
        int r;

        config_init(&c);
        r = config_load(&c, CONFIG_NO_DHCP);
        if (r < 0)
                return log_error_errno(r, "Failed to read the iSCSI boot configuration: %m");
        if (!c.wants_iscsi && !c.netroot_dhcp)
                return 0;

        r = make_iscsi_dirs();
        if (r < 0)
                return r;
        r = write_initiator(&c);
        if (r < 0)
                return r;

        if (c.n_nics > 0 || c.n_bonds > 0) {
                r = runtime_path("/run/systemd/network", netdir, sizeof netdir);
                if (r < 0)
                        return r;
                r = network_write_files(&c, netdir);
                if (r < 0)
                        return log_error_errno(r, "Failed to write the network configuration (iBFT NICs, bonds): %m");
        }
        if (c.netroot_dhcp)
                return write_root_path_dropins();
        return 0;
}
