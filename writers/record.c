/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The login helper's pure parts, shared with the tests: the open-iscsi node record of
 * a session, what a failed login means, and when to stop retrying. */
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

LoginLimit login_give_up(uint64_t next, uint64_t budget_end, uint64_t root_seen, uint64_t grace_usec,
                         unsigned rejections) {
        uint64_t end;
        LoginLimit l = login_limit_end(budget_end, root_seen, grace_usec, &end);

        /* Before the clock: the target's answer is the better reason, and a budget or a
         * grace would only have ended the same login later. */
        if (rejections >= LOGIN_REJECTIONS_MAX)
                return LOGIN_LIMIT_REJECTED;

        return l != LOGIN_LIMIT_NONE && next >= end ? l : LOGIN_LIMIT_NONE;
}

/* iscsiadm exits with the error iscsid reported for the login. iscsid turns the target's
 * login status into it: class 2 detail 01/02 (authentication, authorization) into 24,
 * the rest of class 2 (not found, removed, unsupported version, …) into 19; class 3
 * (target error, service unavailable, out of resources) it counts as a retryable login
 * failure (5), like a connection that broke during the login. Only answers that no wait
 * can change are rejections: an unknown status keeps being retried, as every failure was
 * before. */
static const struct {
        int status;
        LoginVerdict verdict;
        const char *why;
} iscsiadm_statuses[] = {
        { 0,  LOGIN_VERDICT_OK,       NULL },
        { 15, LOGIN_VERDICT_OK,       NULL }, /* the session exists already */
        { 24, LOGIN_VERDICT_REJECTED, "authentication or authorization failed (check the CHAP user name and "
                                      "secret, and the target's access list)" },
        { 19, LOGIN_VERDICT_REJECTED, "non-retryable login failure (no such target, target removed, "
                                      "unsupported version…: iscsid's log has the status)" },
        { 13, LOGIN_VERDICT_REJECTED, "iscsid denied iscsiadm access" },
        { 6,  LOGIN_VERDICT_REJECTED, "iscsiadm could not read the node record" },
        { 7,  LOGIN_VERDICT_REJECTED, "iscsiadm rejected a parameter of the node record" },
        { 21, LOGIN_VERDICT_REJECTED, "iscsiadm found no node record for the session" },
        { 14, LOGIN_VERDICT_REJECTED, "the iSCSI transport cannot do this login" },
        { 27, LOGIN_VERDICT_REJECTED, "the iSCSI transport cannot do this login" },
        { 4,  LOGIN_VERDICT_RETRY,    "connection failure" },
        { 5,  LOGIN_VERDICT_RETRY,    "the login failed (target busy or unavailable, or the connection broke)" },
        { 8,  LOGIN_VERDICT_RETRY,    "connection timed out" },
        { 11, LOGIN_VERDICT_RETRY,    "login timed out" },
        { 12, LOGIN_VERDICT_RETRY,    "iSCSI transport not loaded yet" },
        { 18, LOGIN_VERDICT_RETRY,    "iscsid not answering yet" },
        { 20, LOGIN_VERDICT_RETRY,    "iscsid not running yet" },
        { 33, LOGIN_VERDICT_RETRY,    "iscsid not answering yet" },
        { 28, LOGIN_VERDICT_RETRY,    "busy" },
        { 29, LOGIN_VERDICT_RETRY,    "busy" },
        { 32, LOGIN_VERDICT_RETRY,    "connection lost" },
};

LoginVerdict login_classify(int status, const char **ret_why) {
        for (size_t i = 0; i < ELEMENTSOF(iscsiadm_statuses); i++)
                if (iscsiadm_statuses[i].status == status) {
                        *ret_why = iscsiadm_statuses[i].why;
                        return iscsiadm_statuses[i].verdict;
                }
        *ret_why = NULL;
        return LOGIN_VERDICT_RETRY;
}

uint64_t login_rejection_backoff(unsigned n) {
        /* Doubling from 2 s: LOGIN_REJECTIONS_MAX attempts span 2 + 4 + 8 = 14 s (±25%),
         * long enough for an account added just after the target, short enough that a
         * mistyped secret reaches the emergency shell in well under half a minute. */
        unsigned shift = n == 0 ? 0 : n - 1;

        return 2000000ULL << (shift > 10 ? 10 : shift);
}

uint64_t login_jitter(uint64_t usec, uint32_t rnd) {
        return usec * 3 / 4 + (uint64_t) rnd % (usec / 2 + 1);
}

uint64_t login_next_wait(uint64_t *backoff, LoginFailure how, unsigned rejections, uint32_t rnd) {
        uint64_t cap = how == LOGIN_FAILED_PORTAL ? LOGIN_PROBE_BACKOFF_MAX_USEC : LOGIN_BACKOFF_MAX_USEC;
        uint64_t wait;

        if (how == LOGIN_FAILED_REJECTED)
                wait = login_jitter(login_rejection_backoff(rejections), rnd);
        else
                wait = login_jitter(*backoff < cap ? *backoff : cap, rnd);
        *backoff = *backoff * 2 > LOGIN_BACKOFF_MAX_USEC ? LOGIN_BACKOFF_MAX_USEC : *backoff * 2;
        return wait;
}
