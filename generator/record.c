/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The login helper's pure parts, shared with the tests: the open-iscsi node record of
 * a session, and when to stop retrying. */
#include <errno.h>

#include "login.h"
#include "util.h"

int runtime_path(const char *path, char *buf, size_t size) {
        const char *root = getenv("SD_ISCSI_ROOT");
        int n = snprintf(buf, size, "%s%s", strempty(root), path);
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

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

bool node_record_ours(const char *text) {
        /* iscsiadm rewrites a record it updates without our first line: from then on
         * it is the administrator's. */
        return !!startswith(text, NODE_RECORD_MARKER " ");
}

int node_record_value(const char *text, const char *key, char *buf, size_t size) {
        size_t l = strlen(key);
        int r = -ENOENT;

        /* open-iscsi's "name = value" lines; the last assignment wins, as in idbm. */
        for (const char *p = text; *p;) {
                const char *e = strchrnul(p, '\n'), *v = p + strspn(p, " \t");

                if (strncmp(v, key, l) == 0 && strchr(" \t=", v[l])) {
                        v += l + strspn(v + l, " \t");
                        if (*v == '=') {
                                size_t n;

                                v += 1 + strspn(v + 1, " \t");
                                n = (size_t) (e - v);
                                while (n > 0 && strchr(" \t\r", v[n - 1]))
                                        n--;
                                if (n >= size)
                                        return -ENAMETOOLONG;
                                memcpy(buf, v, n);
                                buf[n] = '\0';
                                r = 0;
                        }
                }
                p = *e ? e + 1 : e;
        }
        return r;
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

LoginLimit login_limit_end(uint64_t budget_end, uint64_t root_seen, uint64_t grace_usec, uint64_t *ret_end) {
        uint64_t grace_end = CONFIG_USEC_INFINITY;

        if (root_seen != CONFIG_USEC_INFINITY && grace_usec != CONFIG_USEC_INFINITY)
                grace_end = grace_usec > CONFIG_USEC_INFINITY - 1 - root_seen ?
                        CONFIG_USEC_INFINITY - 1 : root_seen + grace_usec;
        if (budget_end != 0 && budget_end <= grace_end) {
                *ret_end = budget_end;
                return LOGIN_LIMIT_BUDGET;
        }
        *ret_end = grace_end;
        return grace_end == CONFIG_USEC_INFINITY ? LOGIN_LIMIT_NONE : LOGIN_LIMIT_GRACE;
}

LoginLimit login_give_up(uint64_t next, uint64_t budget_end, uint64_t root_seen, uint64_t grace_usec) {
        uint64_t end;
        LoginLimit l = login_limit_end(budget_end, root_seen, grace_usec, &end);

        return l != LOGIN_LIMIT_NONE && next >= end ? l : LOGIN_LIMIT_NONE;
}
