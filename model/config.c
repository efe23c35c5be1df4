/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>

#include "config.h"
#include "util.h"

void config_init(Config *c) {
        *c = (Config) {
                .login_retry_max = -1,
                .grace_usec = CONFIG_GRACE_DEFAULT_USEC,
                .root_rw = -1,
                .testroute = true,
        };
}

void chap_done(Chap *chap) {
        free(chap->username);
        erase_and_free(chap->password);
        free(chap->in_username);
        erase_and_free(chap->in_password);
        *chap = (Chap) {};
}

void session_done(Session *s) {
        free(s->target);
        free(s->portal);
        free(s->iface);
        free(s->netdev);
        chap_done(&s->chap);
}

void config_done(Config *c) {
        for (size_t i = 0; i < c->n_sessions; i++)
                session_done(&c->sessions[i]);
        free(c->sessions);
        for (size_t i = 0; i < c->n_nics; i++) {
                free(c->nics[i].hostname);
                free(c->nics[i].ifname);
        }
        free(c->nics);
        for (size_t i = 0; i < c->n_params; i++)
                free(c->params[i]);
        free(c->params);
        chap_done(&c->chap_default);
        free(c->initiator);
        free(c->target_name);
        free(c->target_ip);
        free(c->root);
        free(c->rootfstype);
        free(c->rootflags);
        for (size_t i = 0; i < c->n_errors; i++)
                free(c->errors[i]);
        for (size_t i = 0; i < c->n_warnings; i++)
                free(c->warnings[i]);
        config_init(c);
}

static void add_message(char **v, size_t *n, const char *fmt, va_list ap) {
        char *m;

        if (*n >= CONFIG_MAX_MESSAGES)
                return;
        if (vasprintf(&m, fmt, ap) < 0)
                return;
        v[(*n)++] = m;
}

void config_error(Config *c, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        add_message(c->errors, &c->n_errors, fmt, ap);
        va_end(ap);
}

void config_warning(Config *c, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        add_message(c->warnings, &c->n_warnings, fmt, ap);
        va_end(ap);
}

const char *auth_kind_to_string(AuthKind a) {
        switch (a) {
        case AUTH_CHAP:
                return "chap";
        case AUTH_MUTUAL:
                return "mutual";
        default:
                return "none";
        }
}

AuthKind session_auth(const Session *s) {
        if (!s->chap.username && !s->chap.has_password)
                return AUTH_NONE;
        if (s->chap.in_username || s->chap.has_in_password)
                return AUTH_MUTUAL;
        return AUTH_CHAP;
}

static bool session_same(const Session *a, const Session *b) {
        return a->source == b->source &&
                streq_ptr(a->target, b->target) &&
                streq_ptr(a->portal, b->portal) &&
                a->port == b->port &&
                a->tpgt == b->tpgt &&
                a->lun == b->lun &&
                streq_ptr(a->iface, b->iface) &&
                streq_ptr(a->netdev, b->netdev) &&
                streq_ptr(a->chap.username, b->chap.username) &&
                streq_ptr(a->chap.in_username, b->chap.in_username);
}

int config_add_session(Config *c, Session *s) {
        Session *n;
        unsigned ordinal = 0;

        for (size_t i = 0; i < c->n_sessions; i++) {
                if (session_same(&c->sessions[i], s)) {
                        /* netroot= and root= naming one LUN are one session. */
                        c->sessions[i].root = c->sessions[i].root || s->root;
                        session_done(s);
                        *s = (Session) {};
                        return (int) i;
                }
                if (c->sessions[i].source == s->source)
                        ordinal++;
        }

        if (c->n_sessions >= CONFIG_MAX_SESSIONS) {
                config_error(c, "More than %d iSCSI sessions configured, ignoring the rest.",
                             CONFIG_MAX_SESSIONS);
                session_done(s);
                *s = (Session) {};
                return -E2BIG;
        }

        n = realloc(c->sessions, (c->n_sessions + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        c->sessions = n;

        if (s->source == SOURCE_DHCP)
                /* At most one: sd-iscsi-login@dhcp.service is written before any lease exists. */
                snprintf(s->id, sizeof s->id, "dhcp");
        else
                snprintf(s->id, sizeof s->id, "%s-%u",
                         s->source == SOURCE_IBFT ? "ibft" : "cmdline", ordinal);
        c->sessions[c->n_sessions] = *s;
        *s = (Session) {};
        return (int) c->n_sessions++;
}

Session *config_find_session(Config *c, const char *id) {
        for (size_t i = 0; i < c->n_sessions; i++)
                if (strcmp(c->sessions[i].id, id) == 0)
                        return &c->sessions[i];
        return NULL;
}

const char *network_nic_netdev(const Nic *n, char buf[static NETWORK_IFNAME_MAX]) {
        if (n->vlan != 0) {
                /* index ≤ 255, vlan ≤ 4095: at most "ibft255.4095", fits IFNAMSIZ */
                snprintf(buf, NETWORK_IFNAME_MAX, "ibft%d.%u", n->index & 0xff, n->vlan & 0xfffu);
                return buf;
        }
        return n->ifname;
}
