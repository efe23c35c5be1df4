/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sd-iscsi: the command line front end over the boot configuration model.
 *   show [--json]   what was understood, and at boot the state of each session
 *   login ID        log in to one session (run by sd-iscsi-login@ID.service)
 *   prepare         runtime files before iscsid and networkd (sd-iscsi-prepare.service)
 *   handoff         in the real root, before networkd: keep the links of the iSCSI
 *                   connections configured (sd-iscsi-handoff.service)
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>

#include "commands.h"
#include "kernel.h"
#include "log.h"
#include "paths.h"
#include "show.h"
#include "state.h"
#include "util.h"

static void help(FILE *f) {
        fputs("Usage: sd-iscsi show [--json]\n"
              "       sd-iscsi login SESSION-ID\n"
              "       sd-iscsi prepare\n"
              "       sd-iscsi handoff\n\n"
              "Root on iSCSI for systemd initrds. See sd-iscsi(8) and sd-iscsi(7).\n", f);
}

static void read_state(const Session *s, SessionRuntime *rt) {
        char path[PATH_MAX], dir[PATH_MAX];
        _cleanup_free_ char *text = NULL;

        if (runtime_path(SD_ISCSI_STATE_DIR, dir, sizeof dir) < 0 ||
            snprintf(path, sizeof path, "%s/%s", dir, s->id) >= (int) sizeof path ||
            read_full_file(path, &text, NULL, 4096) < 0)
                return;
        session_runtime_parse(text, rt);
}

/* Which kernel session (if any) serves each configured session, its state and disks. */
static void match_kernel_sessions(const Config *c, SessionRuntime *rt) {
        const char *sysfs = getenv("SD_ISCSI_SYSFS");
        KernelSession *k = NULL;
        size_t n = 0;

        if (kernel_sessions_read(isempty(sysfs) ? "/sys" : sysfs, &k, &n) < 0)
                return;
        session_runtime_match_kernel(rt, c, k, n);
        kernel_sessions_free(k, n);
}

static int cmp_handoff(const void *a, const void *b) {
        const HandoffRecord *x = a, *y = b;
        unsigned i = 0, j = 0;

        (void) sscanf(x->kernel_session, "session%u", &i);
        (void) sscanf(y->kernel_session, "session%u", &j);
        return i < j ? -1 : i > j;
}

/* What sd-iscsi handoff did with the node records in the real root, if it ran. */
static int read_handoff(HandoffRecord **ret, size_t *ret_n) {
        _cleanup_(closedirp) DIR *d = NULL;
        HandoffRecord *h = NULL;
        char dir[PATH_MAX];
        struct dirent *de;
        size_t n = 0;

        *ret = NULL;
        *ret_n = 0;
        if (runtime_path(SD_ISCSI_HANDOFF_DIR, dir, sizeof dir) < 0 || !(d = opendir(dir)))
                return 0;
        while ((de = readdir(d)) && n < CONFIG_MAX_SESSIONS) {
                _cleanup_free_ char *text = NULL;
                char path[PATH_MAX];
                HandoffRecord *t;

                if (!startswith(de->d_name, "session") ||
                    snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int) sizeof path ||
                    read_full_file(path, &text, NULL, 16384) < 0)
                        continue;
                t = realloc(h, (n + 1) * sizeof *h);
                if (!t) {
                        free(h);
                        return -ENOMEM;
                }
                h = t;
                if (handoff_parse_state(text, &h[n]) >= 0)
                        n++;
        }
        if (n > 0)
                qsort(h, n, sizeof *h, cmp_handoff);
        *ret = h;
        *ret_n = n;
        return 0;
}

static int show(bool json) {
        _cleanup_(config_done) Config c;
        _cleanup_free_ SessionRuntime *rt = NULL;
        _cleanup_free_ char *initiator = NULL;
        _cleanup_free_ HandoffRecord *handoff = NULL;
        char path[PATH_MAX];
        ShowContext ctx = {};
        int r;

        config_init(&c);
        r = config_load(&c, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to read the iSCSI boot configuration: %m");

        /* At boot (or after it, in the initrd) there is runtime state to show as well. */
        if (runtime_path(SD_ISCSI_RUN_DIR, path, sizeof path) >= 0 && access(path, F_OK) >= 0) {
                rt = calloc(c.n_sessions ? c.n_sessions : 1, sizeof *rt);
                if (!rt)
                        return log_oom();
                for (size_t i = 0; i < c.n_sessions; i++)
                        read_state(&c.sessions[i], &rt[i]);
                match_kernel_sessions(&c, rt);
                if (runtime_path(SD_ISCSI_INITIATOR_FILE, path, sizeof path) >= 0 &&
                    read_one_line_file(path, &initiator) >= 0 && startswith(initiator, "InitiatorName="))
                        ctx.initiator_in_use = initiator + strlen("InitiatorName=");
        }
        r = read_handoff(&handoff, &ctx.n_handoff);
        if (r < 0)
                return log_oom();
        ctx.handoff = handoff;
        ctx.config = &c;
        ctx.runtime = rt;
        r = json ? show_json(stdout, &ctx) : show_text(stdout, &ctx);
        if (fflush(stdout) != 0 || r < 0)
                return log_error_errno(r < 0 ? r : errno, "Failed to write output: %m");
        return 0;
}

int main(int argc, char *argv[]) {
        int r;

        log_setup("sd-iscsi", LOG_TARGET_STDERR);
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                help(argc < 2 ? stderr : stdout);
                return argc < 2 ? 2 : 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                puts(PACKAGE_STRING);
                return 0;
        }
        if (strcmp(argv[1], "show") == 0) {
                bool json = false;
                for (int i = 2; i < argc; i++) {
                        if (strcmp(argv[i], "--json") != 0) {
                                help(stderr);
                                return 2;
                        }
                        json = true;
                }
                r = show(json);
        } else if (strcmp(argv[1], "login") == 0 && argc == 3)
                r = login_run(argv[2]);
        else if (strcmp(argv[1], "prepare") == 0 && argc == 2)
                r = prepare_run();
        else if (strcmp(argv[1], "handoff") == 0 && argc == 2)
                r = handoff_run();
        else {
                help(stderr);
                return 2;
        }
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
