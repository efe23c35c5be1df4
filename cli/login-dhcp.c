/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* root=dhcp / netroot=dhcp in the login helper: the lease that names the session, and
 * the udev rule that names the root disk. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>

#include "dhcp.h"
#include "lease.h"
#include "log.h"
#include "login.h"
#include "paths.h"
#include "util.h"

extern char **environ;

/* Watches the leases directory or, while it does not exist yet, its nearest parent. */
static int watch_leases(int ifd, int *wd) {
        char path[PATH_MAX];
        int r;

        r = runtime_path(NETIF_LEASES_DIR, path, sizeof path);
        if (r < 0)
                return r;
        for (;;) {
                int w = inotify_add_watch(ifd, path, IN_CREATE|IN_MOVED_TO|IN_CLOSE_WRITE|IN_ONLYDIR);
                char *slash;

                if (w >= 0) {
                        if (*wd >= 0 && *wd != w)
                                (void) inotify_rm_watch(ifd, *wd);
                        *wd = w;
                        return 0;
                }
                if (errno != ENOENT)
                        return -errno;
                slash = strrchr(path, '/');
                if (!slash || slash == path)
                        return -ENOENT;
                *slash = 0;
        }
}

/* Loads the model until a lease names the DHCP session: woken by inotify whenever
 * networkd saves a lease, so the login starts the moment the root-path is known. */
int load_dhcp_session(Config *c, uint64_t deadline, Session **ret) {
        _cleanup_close_ int ifd = -EBADF;
        size_t logged = 0;
        int wd = -1, r;

        ifd = inotify_init1(IN_CLOEXEC|IN_NONBLOCK);
        if (ifd < 0)
                return log_error_errno(errno, "Failed to watch for DHCP leases: %m");
        (void) sd_notify(0, "STATUS=Waiting for a DHCP lease with an iSCSI root path");
        for (;;) {
                char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
                uint64_t left;

                /* Watch first, then look: no lease saved in between is missed. */
                r = watch_leases(ifd, &wd);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch %s: %m", NETIF_LEASES_DIR);
                config_done(c);
                config_init(c);
                r = config_load(c, CONFIG_WITH_SECRETS);
                if (r < 0)
                        return log_error_errno(r, "Failed to read the iSCSI boot configuration: %m");
                for (; logged < c->n_errors; logged++)
                        log_error("%s", c->errors[logged]);
                *ret = config_find_session(c, DHCP_SESSION_ID);
                if (*ret)
                        return 0;
                if (c->dhcp_other_root_path)
                        return -EOPNOTSUPP;

                left = remaining(deadline, 60 * USEC_PER_SEC);
                if (left == 0)
                        return log_error_errno(ETIMEDOUT, "No DHCP lease with an iSCSI root path within the login budget of %llus.",
                                               (unsigned long long) (c->timeout_usec / USEC_PER_SEC));
                r = poll_usec(ifd, POLLIN, left);
                if (r < 0 && r != -ETIMEDOUT)
                        return log_error_errno(r, "Failed to wait for DHCP leases: %m");
                while (read(ifd, buf, sizeof buf) > 0)
                        ;
        }
}

static int render_root_rule(FILE *f, const Config *c, const Session *s) {
        return dhcp_write_root_rule(f, s);
}

/* Names the LUN before it exists: udev applies the rule when the disk appears. */
int write_root_rule(const Config *c, const Session *s) {
        const char *udevadm = getenv("SD_ISCSI_UDEVADM") ?: "udevadm";
        const char *argv[] = { udevadm, "control", "--reload", NULL };
        _cleanup_erase_ char *text = NULL;
        char path[PATH_MAX];
        size_t size = 0;
        int status, r;
        pid_t pid;
        FILE *f;

        r = runtime_path(DHCP_ROOT_RULE, path, sizeof path);
        if (r < 0)
                return r;
        f = open_memstream(&text, &size);
        if (!f)
                return log_oom();
        r = render_root_rule(f, c, s);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        if (r < 0)
                return log_error_errno(r, "Cannot name the root disk of target %s in a udev rule: %m", s->target);
        r = write_file_atomic(path, text, size, 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", path);

        /* udevd notices new rules only on its own schedule (a few seconds): make it
         * reload now, before the login creates the disk. */
        r = posix_spawnp(&pid, udevadm, NULL, NULL, (char **) argv, environ);
        if (r != 0) {
                log_warning_errno(r, "Cannot run %s to reload the udev rules: %m", udevadm);
                return 0;
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                log_warning("%s control --reload failed; the root disk link may appear late.", udevadm);
        return 0;
}
