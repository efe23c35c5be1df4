/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sd-iscsi handoff, in the real root before its iscsid and systemd-networkd start.
 *
 * Node records: the real root's iscsid adopts the initrd's sessions with the settings of
 * ITS node record for each (target, portal, iface), or with iscsid.conf's defaults when
 * it has none (Debian: replacement_timeout 120 s, after which a network outage fails the
 * root disk's I/O for good), and applies them again at every reconnect. So each kernel
 * session gets the record the initrd logged in with, unless the administrator has one.
 *
 * Networks: make every .network file that may configure a link carrying an iSCSI
 * connection keep that link's configuration. Outside the initrd networkd defaults to
 * KeepConfiguration=no (it only says "yes" by itself when / is a network file system,
 * which an iSCSI disk is not): it drops the initrd's addresses as foreign, and the root
 * disk then hangs with networkd itself waiting on it to page in code. The kernel's
 * sessions name the portals, whatever the initrd learned them from (command line, iBFT,
 * DHCP).
 */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include "commands.h"
#include "kernel.h"
#include "log.h"
#include "netfiles.h"
#include "network.h"
#include "networkd.h"
#include "paths.h"
#include "record.h"
#include "state.h"
#include "util.h"

#define HANDOFF_DROPIN_NAME "99-sd-iscsi-keep-configuration.conf"
#define RECORD_MAX (64 * 1024)

typedef struct KeepWalk {
        const BootLink *links;
        size_t n_links;
        int count;
} KeepWalk;

static int keep_file(const char *name, const char *text, void *userdata) {
        KeepWalk *w = userdata;
        int r;

        for (size_t i = 0; i < w->n_links; i++) {
                if (!handoff_network_matches(text, &w->links[i]))
                        continue;
                r = network_write_dropin(name, HANDOFF_DROPIN_NAME, handoff_write_dropin);
                if (r < 0)
                        return log_error_errno(r, "Failed to write a drop-in for %s: %m", name);
                log_info("%s may configure %s: it keeps its configuration.", name, w->links[i].ifname);
                w->count++;
                return 0;
        }
        return 0;
}

static int render_to(char **ret, size_t *ret_size, int (*render)(FILE *f, const void *a, const void *b),
                     const void *a, const void *b) {
        FILE *f = open_memstream(ret, ret_size);
        int r;

        if (!f)
                return -ENOMEM;
        r = render(f, a, b);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        return r;
}

typedef struct RecordArgs {
        const Config *config;
        const Session *session;
} RecordArgs;

static int render_record(FILE *f, const void *a, const void *b) {
        const RecordArgs *args = a;
        return node_record_write(f, args->config, args->session, "handoff");
}

static int render_iface(FILE *f, const void *a, const void *b) {
        return login_write_iface(f, a);
}

static int render_state(FILE *f, const void *a, const void *b) {
        return handoff_write_state(f, a);
}

static void record_settings(const char *text, HandoffRecord *h) {
        (void) node_record_value(text, "node.session.timeo.replacement_timeout", h->replacement_timeout,
                                 sizeof h->replacement_timeout);
        (void) node_record_value(text, "node.conn[0].timeo.noop_out_interval", h->noop_out_interval,
                                 sizeof h->noop_out_interval);
        (void) node_record_value(text, "node.conn[0].timeo.noop_out_timeout", h->noop_out_timeout,
                                 sizeof h->noop_out_timeout);
}

/* Whose a record at path is: -ENOENT none, 0 ours, 1 someone else's (*h gets its settings). */
static int record_owner(const char *path, HandoffRecord *h) {
        _cleanup_erase_ char *text = NULL;
        struct stat st;
        int r;

        if (lstat(path, &st) < 0)
                return -errno;
        /* A directory (an old-style record's place), a link, anything unusual: not ours. */
        if (!S_ISREG(st.st_mode))
                return 1;
        r = read_full_file(path, &text, NULL, RECORD_MAX);
        if (r < 0)
                return r;
        if (node_record_ours(text))
                return 0;
        if (h)
                record_settings(text, h);
        return 1;
}

/* The iface record a session bound to a network interface needs: ours, or none yet. */
static int write_iface_record(const Session *s) {
        _cleanup_erase_ char *text = NULL;
        char dir[PATH_MAX], path[PATH_MAX];
        size_t size = 0;
        int r;

        if (isempty(s->iface) || strcmp(s->iface, "default") == 0 || isempty(s->netdev))
                return 0;
        if (runtime_path(ISCSI_IFACE_DIR, dir, sizeof dir) < 0 ||
            snprintf(path, sizeof path, "%s/%s", dir, s->iface) >= (int) sizeof path)
                return -ENAMETOOLONG;
        r = record_owner(path, NULL);
        if (r > 0) {
                log_info("Keeping the administrator's iface record %s.", path);
                return 0;
        }
        if (r < 0 && r != -ENOENT)
                return r;
        r = render_to(&text, &size, render_iface, s, NULL);
        if (r < 0)
                return r;
        return write_file_atomic(path, text, size, 0600);
}

static int write_node_record(const Config *c, const Session *s, const char *path, HandoffRecord *h) {
        _cleanup_erase_ char *text = NULL;
        RecordArgs args = { c, s };
        size_t size = 0;
        int r;

        r = render_to(&text, &size, render_record, &args, NULL);
        if (r < 0)
                return r;
        record_settings(text, h);
        r = write_iface_record(s);
        if (r < 0)
                return r;
        return write_file_atomic(path, text, size, 0600);
}

static void save_record_state(const HandoffRecord *h) {
        _cleanup_free_ char *text = NULL;
        char dir[PATH_MAX], path[PATH_MAX];
        size_t size = 0;
        int r;

        r = runtime_path(SD_ISCSI_HANDOFF_DIR, dir, sizeof dir);
        if (r >= 0 && snprintf(path, sizeof path, "%s/%s", dir, h->kernel_session) >= (int) sizeof path)
                r = -ENAMETOOLONG;
        if (r >= 0)
                r = render_to(&text, &size, render_state, h, NULL);
        if (r >= 0)
                r = write_file_atomic(path, text, size, 0644);
        if (r < 0)
                log_warning_errno(r, "Failed to record the handoff of %s for sd-iscsi show: %m", h->kernel_session);
}

static int handoff_one_record(const Config *c, const KernelSession *k) {
        const Session *configured = NULL;
        char rel[PATH_MAX], dir[PATH_MAX], old[PATH_MAX];
        HandoffRecord h = {};
        Session s;
        int r;

        for (size_t i = 0; i < c->n_sessions && !configured; i++)
                if (kernel_session_matches(&c->sessions[i], k))
                        configured = &c->sessions[i];
        handoff_record_session(k, configured, &s);

        snprintf(h.kernel_session, sizeof h.kernel_session, "session%u", k->sid);
        snprintf(h.source, sizeof h.source, "%s", s.id);
        snprintf(h.target, sizeof h.target, "%s", k->target);
        snprintf(h.portal, sizeof h.portal, "%s:%u,%u", k->address, k->port, k->tpgt);
        snprintf(h.iface, sizeof h.iface, "%s", k->iface);

        r = login_record_path(&s, rel, sizeof rel);
        if (r >= 0)
                r = runtime_path(ISCSI_NODE_DIR, dir, sizeof dir);
        if (r >= 0 && (snprintf(h.path, sizeof h.path, "%s/%s", dir, rel) >= (int) sizeof h.path ||
                       snprintf(old, sizeof old, "%s/%s/%s,%u", dir, k->target, k->address, k->port) >= (int) sizeof old))
                r = -ENAMETOOLONG;
        if (r < 0) {
                h.state = HANDOFF_RECORD_FAILED;
                snprintf(h.error, sizeof h.error, "cannot name its node record: %s", strerror(-r));
                save_record_state(&h);
                return log_error_errno(r, "%s (target %s): cannot name its node record: %m", h.kernel_session, k->target);
        }

        /* iscsid reads an old-style record ("<portal>,<port>" without the portal group)
         * before the current one: either is the administrator's. */
        r = record_owner(old, &h);
        if (r > 0)
                snprintf(h.path, sizeof h.path, "%s", old);
        else
                r = record_owner(h.path, &h);
        if (r > 0) {
                h.state = HANDOFF_RECORD_KEPT;
                save_record_state(&h);
                log_notice("%s (target %s): the node record %s is not sd-iscsi's: it is kept, and the real root's "
                           "iscsid adopts the session with its settings (replacement_timeout %s).",
                           h.kernel_session, k->target, h.path,
                           h.replacement_timeout[0] ? h.replacement_timeout : "not set: open-iscsi's default");
                return 0;
        }
        if (r == -ENOENT || r == 0)
                r = write_node_record(c, &s, h.path, &h);
        if (r < 0) {
                h.state = HANDOFF_RECORD_FAILED;
                snprintf(h.error, sizeof h.error, "%s", strerror(-r));
                save_record_state(&h);
                return log_error_errno(r, "%s (target %s): failed to write the node record %s, the real root's "
                                       "iscsid adopts the session with iscsid.conf's defaults: %m",
                                       h.kernel_session, k->target, h.path);
        }
        h.state = HANDOFF_RECORD_WRITTEN;
        save_record_state(&h);
        log_info("%s (target %s, %s): wrote the node record %s: the real root's iscsid keeps the initrd's "
                 "settings (replacement_timeout %s, noop_out_interval %s).", h.kernel_session, k->target,
                 configured ? configured->id : "not in the boot configuration", h.path,
                 strempty(h.replacement_timeout), strempty(h.noop_out_interval));
        return 0;
}

static int handoff_records(const char *sysfs) {
        _cleanup_(config_done) Config c;
        KernelSession *k = NULL;
        size_t n = 0;
        int r, ret = 0;

        config_init(&c);
        r = kernel_sessions_read(sysfs, &k, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to read the kernel's iSCSI sessions: %m");
        if (n == 0) {
                free(k);
                return 0;
        }
        /* The initrd's view: rd.* keys, the iBFT, with secrets. A DHCP root path is not
         * re-read (the lease may be gone): its session is named by the kernel alone. */
        r = config_load(&c, CONFIG_BOOT | CONFIG_WITH_SECRETS | CONFIG_NO_DHCP);
        if (r < 0) {
                kernel_sessions_free(k, n);
                return log_error_errno(r, "Failed to read the iSCSI boot configuration: %m");
        }
        for (size_t i = 0; i < n; i++) {
                r = handoff_one_record(&c, &k[i]);
                if (r < 0 && ret >= 0)
                        ret = r;
        }
        kernel_sessions_free(k, n);
        return ret;
}

int handoff_run(void) {
        BootLink links[16];
        KeepWalk w = { .links = links };
        const char *sysfs = getenv("SD_ISCSI_SYSFS");
        int r, ret;

        /* Both parts run whatever the other did: each failure costs only its own part. */
        ret = handoff_records(isempty(sysfs) ? "/sys" : sysfs);

        r = handoff_boot_links(isempty(sysfs) ? "/sys" : sysfs, links, ELEMENTSOF(links), &w.n_links);
        if (r < 0)
                return log_error_errno(r, "Failed to find the links of the iSCSI connections: %m");
        if (w.n_links == 0) {
                log_info("No iSCSI connection: nothing to keep.");
                return ret;
        }
        r = network_for_each_file(keep_file, &w);
        if (r < 0)
                return r;
        if (w.count == 0)
                log_warning("No .network file matches the links of the iSCSI connections: "
                            "if systemd-networkd manages them, it may still drop their addresses.");
        return ret;
}
