/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sd-iscsi-generator: in the initrd, turns the iSCSI boot configuration (kernel command
 * line, iBFT) into login units ordered before the root device; in the real root, keeps
 * the sessions the initrd left alive (handoff, iscsid). Runs on every boot of every
 * machine that has it installed, so the paths without iSCSI return after one read of
 * the command line (initrd) or one open() of the sessions' sysfs class (real root), and
 * write nothing.
 */
#include <errno.h>
#include <limits.h>

#include "config.h"
#include "lease.h"
#include "log.h"
#include "paths.h"
#include "units.h"
#include "util.h"

/* systemd's limit for a unit name, with its type suffix. */
#define UNIT_NAME_MAX 255

/* Renders a unit in memory first, so a failing writer never leaves half a unit behind. */
static int write_unit(const char *dir, const char *name,
                      int (*render)(FILE *f, const Config *c, const Session *s, const char *arg),
                      const Config *c, const Session *s, const char *arg) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&text, &size);
        if (!f)
                return log_oom();
        r = render(f, c, s, arg);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        if (r < 0)
                return log_error_errno(r, "Failed to render %s: %m", name);

        r = write_file_excl(dir, name, text, size, 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s/%s: %m", dir, name);
        return 0;
}

static int render_login(FILE *f, const Config *c, const Session *s, const char *arg) {
        return unit_write_login(f, c, s);
}

static int render_dhcp_login(FILE *f, const Config *c, const Session *s, const char *arg) {
        return unit_write_dhcp_login(f, c);
}

static int render_sysroot(FILE *f, const Config *c, const Session *s, const char *device) {
        return unit_write_sysroot_mount(f, c, s, device);
}

static int render_root_dropin(FILE *f, const Config *c, const Session *s, const char *device_unit) {
        return unit_write_root_device_dropin(f, device_unit);
}

static int render_device_timeout(FILE *f, const Config *c, const Session *s, const char *arg) {
        return unit_write_device_timeout(f, c);
}

static int add_session(const char *dest, const Config *c, const Session *s) {
        char unit[64], link[128], target[80];
        int r;

        r = session_unit_name(s, unit, sizeof unit);
        if (r < 0)
                return log_error_errno(r, "Session id %s is too long.", s->id);
        r = write_unit(dest, unit, render_login, c, s, NULL);
        if (r < 0)
                return r;

        /* Required: a failed login the root cannot do without fails the target, whose
         * OnFailure= starts the emergency shell at once, instead of leaving the root
         * device's job waiting (for ever without a budget). */
        snprintf(link, sizeof link, "initrd-root-device.target.%s/%s",
                 login_carries_root(c, s) ? "requires" : "wants", unit);
        snprintf(target, sizeof target, "../%s", unit);
        r = symlink_excl(target, dest, link);
        if (r < 0)
                return log_error_errno(r, "Failed to link %s: %m", link);
        return 0;
}

static int add_dhcp_login(const char *dest, const Config *c) {
        static const char unit[] = "sd-iscsi-login@" DHCP_SESSION_ID ".service";
        int r;

        r = write_unit(dest, unit, render_dhcp_login, c, NULL, NULL);
        if (r < 0)
                return r;
        r = symlink_excl("../" "sd-iscsi-login@" DHCP_SESSION_ID ".service", dest,
                         login_carries_root(c, NULL) ?
                         "initrd-root-device.target.requires/" "sd-iscsi-login@" DHCP_SESSION_ID ".service" :
                         "initrd-root-device.target.wants/" "sd-iscsi-login@" DHCP_SESSION_ID ".service");
        if (r < 0)
                return log_error_errno(r, "Failed to link %s: %m", unit);
        return 0;
}

static int add_root_device(const char *dest, const Config *c) {
        _cleanup_free_ char *device = NULL, *device_unit = NULL, *dropin = NULL;
        const Session *root = config_root_session(c);
        int r;

        r = config_root_device(c, &device);
        if (r == -ENOENT)
                return 0;
        if (r == -ENAMETOOLONG) {
                log_warning("The root= device name is too long, not extending its timeout.");
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to determine the root device: %m");
        r = unit_name_from_path(device, ".device", &device_unit);
        if (r < 0)
                return log_oom();

        /* systemd cannot name such a device (a long host name and target name in a by-path
         * link), so it can neither wait for it nor load a mount of it. */
        if (strlen(device_unit) > UNIT_NAME_MAX) {
                if (root)
                        log_error("The root device's unit name would be longer than %d characters, "
                                  "systemd cannot mount /sysroot from %s:%u.", UNIT_NAME_MAX, root->portal, root->port);
                else
                        log_warning("The root= device's unit name would be longer than %d characters, "
                                    "not extending its timeout.", UNIT_NAME_MAX);
                return 0;
        }

        /* Named to sort after dracut's rootfs-generator drop-in "timeout.conf" (rd.timeout=,
         * default 0: no timeout) in the same directory, which would otherwise cancel the
         * budget and leave a boot whose logins gave up waiting for ever. */
        if (asprintf(&dropin, "%s.d/zz-sd-iscsi-timeout.conf", device_unit) < 0)
                return log_oom();
        r = write_unit(dest, dropin, render_device_timeout, c, NULL, NULL);
        if (r < 0)
                return r;

        /* systemd-fstab-generator ignores root=iscsi: and root=dhcp, so the mount is ours. */
        if (!root && !c->root_dhcp)
                return 0;
        r = write_unit(dest, "sysroot.mount", render_sysroot, c, root, device);
        if (r < 0)
                return r;
        r = symlink_excl("../sysroot.mount", dest, "initrd-root-fs.target.requires/sysroot.mount");
        if (r < 0)
                return log_error_errno(r, "Failed to link sysroot.mount: %m");
        return write_unit(dest, "initrd-root-device.target.d/50-sd-iscsi-root-device.conf",
                          render_root_dropin, c, NULL, device_unit);
}

static void log_messages(const Config *c) {
        for (size_t i = 0; i < c->n_warnings; i++)
                log_warning("%s", c->warnings[i]);
        for (size_t i = 0; i < c->n_errors; i++)
                log_error("%s", c->errors[i]);
}

static bool have_iscsi_sessions(void) {
        const char *sysfs = getenv("SD_ISCSI_SYSFS");
        _cleanup_(closedirp) DIR *d = NULL;
        char path[PATH_MAX];
        struct dirent *de;

        /* Without the iSCSI transport class loaded this is one failed open(). */
        snprintf(path, sizeof path, "%s/class/iscsi_session", isempty(sysfs) ? "/sys" : sysfs);
        d = opendir(path);
        while (d && (de = readdir(d)))
                if (startswith(de->d_name, "session"))
                        return true;
        return false;
}

static int find_unit(const char *name, char *ret, size_t size) {
        static const char *const dirs[] = {
                "/etc/systemd/system", SYSTEMD_UNIT_DIR, "/usr/lib/systemd/system", "/lib/systemd/system",
        };
        char path[PATH_MAX];

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                if (snprintf(ret, size, "%s/%s", dirs[i], name) >= (int) size ||
                    runtime_path(ret, path, sizeof path) < 0)
                        return -ENAMETOOLONG;
                if (access(path, F_OK) == 0)
                        return 0;
        }
        return -ENOENT;
}

/* The real root inherits the initrd's sessions, whatever configured them (the rd.*
 * keys are not even read here). Its iscsid must run to recover them after a network or
 * target outage, and open-iscsi's own units start it only when they have nodes of
 * their own; it must adopt them with the initrd's node settings, and its
 * systemd-networkd must not drop the addresses they run over: sd-iscsi-handoff.service
 * sees to both, so it is wanted by each (the real root may not use networkd at all). */
static int add_real_root(const char *dest) {
        char iscsid[PATH_MAX];
        int r, ret = 0;

        if (!have_iscsi_sessions())
                return 0;
        r = symlink_excl(SYSTEMD_UNIT_DIR "/sd-iscsi-handoff.service", dest,
                         "systemd-networkd.service.wants/sd-iscsi-handoff.service");
        if (r < 0)
                ret = log_error_errno(r, "Failed to pull in sd-iscsi-handoff.service: %m");
        if (find_unit("iscsid.service", iscsid, sizeof iscsid) < 0) {
                log_warning("iSCSI sessions exist, but there is no iscsid.service to recover them after an outage.");
                return ret;
        }
        r = symlink_excl(iscsid, dest, "sysinit.target.wants/iscsid.service");
        if (r < 0)
                ret = log_error_errno(r, "Failed to pull in iscsid.service: %m");
        r = symlink_excl(SYSTEMD_UNIT_DIR "/sd-iscsi-handoff.service", dest,
                         "iscsid.service.wants/sd-iscsi-handoff.service");
        if (r < 0 && ret >= 0)
                ret = log_error_errno(r, "Failed to pull in sd-iscsi-handoff.service for iscsid.service: %m");
        return ret;
}

static int run(const char *dest, const char *dest_early, const char *dest_late) {
        _cleanup_(config_done) Config c;
        int r, ret = 0;

        config_init(&c);
        /* The real root's business is the sessions the initrd left, not the command line. */
        if (!config_in_initrd())
                return add_real_root(dest);

        r = config_load(&c, CONFIG_NO_DHCP);
        if (r < 0)
                return log_error_errno(r, "Failed to read the iSCSI boot configuration: %m");
        if (!(c.wants_iscsi || c.netroot_dhcp))
                return 0;

        log_messages(&c);
        if (c.netroot_dhcp) {
                r = add_dhcp_login(dest, &c);
                if (r < 0)
                        ret = r;
        } else if (c.n_sessions == 0) {
                log_warning("iSCSI boot requested, but no usable target is configured.");
                return 0;
        }

        for (size_t i = 0; i < c.n_sessions; i++) {
                r = add_session(dest, &c, &c.sessions[i]);
                if (r < 0 && ret >= 0)
                        ret = r;
        }
        r = add_root_device(dest, &c);
        if (r < 0 && ret >= 0)
                ret = r;
        return ret;
}

int main(int argc, char *argv[]) {
        if (argc != 2 && argc != 4) {
                fprintf(stderr, "This program takes one or three arguments.\n");
                return EXIT_FAILURE;
        }
        log_setup("sd-iscsi-generator", getenv("SD_ISCSI_LOG_STDERR") ? LOG_TARGET_STDERR : LOG_TARGET_KMSG);
        /* A generator failure must never block a boot: report it and let systemd go on. */
        return run(argv[1], argc > 2 ? argv[2] : argv[1], argc > 2 ? argv[3] : argv[1]) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
