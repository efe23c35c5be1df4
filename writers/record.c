/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* open-iscsi's node and iface records of a session, and the handoff's state file. */
#include <errno.h>

#include "record.h"
#include "util.h"

int login_record_path(const Session *s, char *buf, size_t size) {
        int n = snprintf(buf, size, "%s/%s,%u,%u/%s", s->target, s->portal, s->port, s->tpgt,
                         isempty(s->iface) ? "default" : s->iface);
        if (n < 0 || (size_t) n >= size)
                return -ENAMETOOLONG;
        /* The target name becomes a directory: it must not walk out of the node DB. */
        if (strstr(s->target, "/") || strstr(s->portal, "/") || (s->iface && strchr(s->iface, '/')) ||
            s->target[0] == '.')
                return -EINVAL;
        return 0;
}

static bool param_overrides(const Config *c, const char *name) {
        size_t l = strlen(name);

        for (size_t i = 0; i < c->n_params; i++)
                if (strncmp(c->params[i], name, l) == 0 && c->params[i][l] == '=')
                        return true;
        return false;
}

static void record_line(FILE *f, const Config *c, const char *name, const char *value) {
        if (value && !param_overrides(c, name))
                fprintf(f, "%s = %s\n", name, value);
}

int node_record_write(FILE *f, const Config *c, const Session *s, const char *writer) {
        char port[8], tpgt[8], retries[16];
        AuthKind auth = session_auth(s);

        snprintf(port, sizeof port, "%u", s->port);
        snprintf(tpgt, sizeof tpgt, "%u", s->tpgt);
        /* Our own loop retries with backoff; iscsid's internal retry would add its own waits. */
        snprintf(retries, sizeof retries, "%d", c->login_retry_max >= 0 ? c->login_retry_max : 0);

        fprintf(f, NODE_RECORD_MARKER " %s\n", writer);
        record_line(f, c, "node.name", s->target);
        record_line(f, c, "node.tpgt", tpgt);
        /* onboot: shutdown's --logoutall must not log out the root disk. */
        record_line(f, c, "node.startup", "onboot");
        record_line(f, c, "node.discovery_type", "static");
        record_line(f, c, "iface.iscsi_ifacename", isempty(s->iface) ? "default" : s->iface);
        record_line(f, c, "iface.transport_name", "tcp");
        record_line(f, c, "node.conn[0].address", s->portal);
        record_line(f, c, "node.conn[0].port", port);
        record_line(f, c, "node.conn[0].startup", "manual");
        /* A root disk rides out outages instead of failing I/O (open-iscsi's README). */
        record_line(f, c, "node.session.timeo.replacement_timeout", "86400");
        record_line(f, c, "node.conn[0].timeo.noop_out_interval", "0");
        record_line(f, c, "node.conn[0].timeo.noop_out_timeout", "0");
        record_line(f, c, "node.conn[0].timeo.login_timeout", "15");
        record_line(f, c, "node.session.initial_login_retry_max", retries);
        record_line(f, c, "node.session.auth.authmethod", auth == AUTH_NONE ? "None" : "CHAP");
        if (auth != AUTH_NONE) {
                record_line(f, c, "node.session.auth.username", s->chap.username);
                record_line(f, c, "node.session.auth.password", s->chap.password);
        }
        if (auth == AUTH_MUTUAL) {
                record_line(f, c, "node.session.auth.username_in", s->chap.in_username);
                record_line(f, c, "node.session.auth.password_in", s->chap.in_password);
        }
        for (size_t i = 0; i < c->n_params; i++) {
                const char *eq = strchr(c->params[i], '=');
                if (eq)
                        fprintf(f, "%.*s = %s\n", (int) (eq - c->params[i]), c->params[i], eq + 1);
        }
        return ferror(f) ? -EIO : 0;
}

int login_write_record(FILE *f, const Config *c, const Session *s) {
        return node_record_write(f, c, s, "login");
}

int login_write_iface(FILE *f, const Session *s) {
        /* An iface record binds the session to its network interface (SO_BINDTODEVICE). */
        fputs(NODE_RECORD_MARKER " login\n", f);
        fprintf(f, "iface.iscsi_ifacename = %s\n", s->iface);
        fputs("iface.transport_name = tcp\n", f);
        if (!isempty(s->netdev))
                fprintf(f, "iface.net_ifacename = %s\n", s->netdev);
        return ferror(f) ? -EIO : 0;
}

int handoff_write_state(FILE *f, const HandoffRecord *h) {
        fprintf(f, "KERNEL_SESSION=%s\nSOURCE=%s\nTARGET=%s\nPORTAL=%s\nIFACE=%s\nRECORD=%s\nPATH=%s\n"
                "REPLACEMENT_TIMEOUT=%s\nNOOP_OUT_INTERVAL=%s\nNOOP_OUT_TIMEOUT=%s\nERROR=%s\n",
                h->kernel_session, h->source, h->target, h->portal, h->iface,
                strempty(handoff_record_state_to_string(h->state)), h->path, h->replacement_timeout,
                h->noop_out_interval, h->noop_out_timeout, h->error);
        return ferror(f) ? -EIO : 0;
}
