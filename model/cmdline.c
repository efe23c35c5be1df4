/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel command line → the model. Words are split as systemd 252 splits
 * /proc/cmdline, keys compare with '-' and '_' equivalent, rd.* keys count only in the
 * initrd. Bad values are reported into the Config and skipped; the rest still applies.
 *
 * CHAP defaults (rd.iscsi.username= …) are applied once the whole line is read, so that
 * they reach every session wherever they appear; root= is resolved then too, as
 * systemd's last-one-wins.
 */
#include <errno.h>
#include <stddef.h>
#include <strings.h>

#include "cmdline-internal.h"
#include "config.h"
#include "util.h"

static void state_done(State *st) {
        erase_and_free(st->root);
        erase_and_free(st->iscsiroot);
}

/* Key comparison as systemd's proc_cmdline_key_streq(): '-' and '_' are one. */
static bool key_eq(const char *a, const char *b) {
        for (;; a++, b++) {
                char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

                if (x != y)
                        return false;
                if (!x)
                        return true;
        }
}

/* The next word of the command line into buf, as systemd 252 splits /proc/cmdline
 * (extract_first_word() with UNQUOTE|RELAX|RETAIN_ESCAPE): whitespace separates, ' and "
 * quote anywhere in a word and are removed, a backslash is an ordinary character, an
 * unterminated quote runs to the end. */
static bool next_word(const char **p, char *buf) {
        const char *s = *p + strspn(*p, WHITESPACE);
        char quote = 0;
        size_t n = 0;

        if (!*s)
                return false;
        for (; *s; s++) {
                if (quote) {
                        if (*s == quote)
                                quote = 0;
                        else
                                buf[n++] = *s;
                } else if (*s == '\'' || *s == '"')
                        quote = *s;
                else if (strchr(WHITESPACE, *s))
                        break;
                else
                        buf[n++] = *s;
        }
        buf[n] = 0;
        *p = s;
        return true;
}

static int handle_word(Config *c, State *st, char *word) {
        char *value = strchr(word, '=');

        if (value)
                *value++ = 0;

        if (startswith(word, "rd.") && !(st->flags & CONFIG_IN_INITRD))
                return 0;

        for (size_t i = 0; i < cmdline_n_keys; i++) {
                const Key *k = &cmdline_keys[i];

                if (!key_eq(word, k->name))
                        continue;
                if (startswith(k->name, "rd.iscsi.") || k->replacement)
                        c->wants_iscsi = true;
                if (k->replacement && !(st->warned & (UINT64_C(1) << i))) {
                        st->warned |= UINT64_C(1) << i;
                        config_warning(c, "%s%s is deprecated, use %s instead.",
                                       k->name, value ? "=" : "", k->replacement);
                }
                if (value && strlen(value) > VALUE_MAX) {
                        /* root=iscsi:… or netroot=iscsi:… asked for iSCSI, even when unusable:
                         * the generator must say why nothing comes up. */
                        if (startswith(value, "iscsi"))
                                c->wants_iscsi = true;
                        config_error(c, "%s= value longer than %d bytes, ignoring it.", k->name, VALUE_MAX);
                        return 0;
                }
                return k->parse(c, st, k, value);
        }

        if (startswith(word, "rd.iscsi.")) {
                c->wants_iscsi = true;
                config_warning(c, "Unknown parameter %s, ignoring.", SHOWN(word));
        }
        return 0;
}

static int finish_target(Config *c, State *st) {
        _cleanup_(session_done) Session s = {
                .source = SOURCE_CMDLINE,
                .port = c->target_port ?: ISCSI_DEFAULT_PORT,
                .tpgt = st->target_group_set ? c->target_group : ISCSI_DEFAULT_TPGT,
                .nic = -1,
        };

        if (!c->target_name && !c->target_ip && !c->target_port && !st->target_group_set)
                return 0;
        if (!c->target_name || !c->target_ip) {
                config_error(c, "rd.iscsi.target.name= and rd.iscsi.target.ip= must both be given "
                             "for a rd.iscsi.target.* session, ignoring it.");
                return 0;
        }
        if (st->sessions_full)
                return 0;

        s.target = strdup(c->target_name);
        s.portal = strdup(c->target_ip);
        if (!s.target || !s.portal)
                return -ENOMEM;
        return cmdline_add_session(c, st, &s);
}

static void check_chap_default(Config *c) {
        Chap *d = &c->chap_default;

        /* A user name alone takes its password from a credential (credentials.c). */
        if (!d->username && d->has_password) {
                config_error(c, "rd.iscsi.username= and rd.iscsi.password= must be given together, "
                             "ignoring the CHAP defaults.");
                chap_done(d);
        } else if (!d->in_username && d->has_in_password) {
                config_error(c, "rd.iscsi.in.username= and rd.iscsi.in.password= must be given together, "
                             "ignoring them.");
                goto drop_in;
        } else if (d->in_username && !d->username) {
                config_error(c, "rd.iscsi.in.username= needs rd.iscsi.username= (mutual CHAP), ignoring it.");
                goto drop_in;
        }
        return;

drop_in:
        free(d->in_username);
        erase_and_free(d->in_password);
        d->in_username = d->in_password = NULL;
        d->has_in_password = false;
}

static int dup_or_null(char **dst, const char *src) {
        if (!src)
                return 0;
        *dst = strdup(src);
        return *dst ? 0 : -ENOMEM;
}

static int apply_chap_default(const Chap *d, Chap *chap) {
        int r;

        r = dup_or_null(&chap->username, d->username);
        if (r >= 0)
                r = dup_or_null(&chap->password, d->password);
        if (r >= 0)
                r = dup_or_null(&chap->in_username, d->in_username);
        if (r >= 0)
                r = dup_or_null(&chap->in_password, d->in_password);
        chap->has_password = d->has_password;
        chap->has_in_password = d->has_in_password;
        return r;
}

static int finish(Config *c, State *st) {
        bool root_bare = streq_ptr(st->root, "iscsi") || streq_ptr(st->root, "iscsi:");
        int r;

        if (st->root) {
                if (root_bare) {
                        /* Legacy: the LUN is named by iscsiroot= or found in the firmware. */
                        c->wants_iscsi = true;
                        if (!st->iscsiroot)
                                st->firmware_implied = true;
                } else if (startswith(st->root, "iscsi:")) {
                        c->wants_iscsi = true;
                        r = cmdline_add_spec(c, st, "root", st->root, true);
                        if (r < 0)
                                return r;
                } else if (streq_ptr(st->root, "dhcp"))
                        c->netroot_dhcp = c->root_dhcp = true;
                else {
                        r = free_and_strdup(&c->root, isempty(st->root) ? NULL : st->root);
                        if (r < 0)
                                return r;
                }
        }

        if (st->iscsiroot) {
                _cleanup_erase_ char *spec = NULL;

                if (asprintf(&spec, "iscsi:%s", st->iscsiroot) < 0)
                        return -ENOMEM;
                /* Without a root= of its own, the legacy form names the root LUN. */
                r = cmdline_add_spec(c, st, "iscsiroot", spec, !st->root || root_bare);
                if (r < 0)
                        return r;
        } else if (st->netroot_bare)
                st->firmware_implied = true;

        r = finish_target(c, st);
        if (r < 0)
                return r;

        check_chap_default(c);

        for (size_t i = st->first; i < c->n_sessions; i++) {
                Session *s = &c->sessions[i];

                if (s->source != SOURCE_CMDLINE || st->own_auth[i])
                        continue;
                r = apply_chap_default(&c->chap_default, &s->chap);
                if (r < 0)
                        return r;
        }

        /* With ip= configuring exactly one interface, that is where the portals are:
         * the logins wait for that link rather than for any route. */
        if (st->ip_netdev[0] && !st->ip_netdev_many)
                for (size_t i = st->first; i < c->n_sessions; i++) {
                        Session *s = &c->sessions[i];

                        if (s->source == SOURCE_CMDLINE && isempty(s->netdev)) {
                                r = free_and_strdup(&s->netdev, st->ip_netdev);
                                if (r < 0)
                                        return r;
                        }
                }

        c->firmware = st->firmware >= 0 ? st->firmware : st->firmware_implied;
        if (c->firmware)
                c->wants_iscsi = true;
        return 0;
}

int config_parse_cmdline(Config *c, const char *cmdline, unsigned flags) {
        _cleanup_(state_done) State st = {
                .flags = flags,
                .firmware = -1,
                .first = c->n_sessions,
        };
        size_t size = strlen(cmdline) + 1;
        char *word;
        int r = 0;

        c->in_initrd = flags & CONFIG_IN_INITRD;

        /* One buffer for every word; it sees passwords, so it is wiped whole at the end. */
        word = malloc(size);
        if (!word)
                return -ENOMEM;
        for (const char *p = cmdline; r >= 0 && next_word(&p, word);)
                r = handle_word(c, &st, word);
        explicit_bzero(word, size);
        free(word);
        if (r < 0)
                return r;

        return finish(c, &st);
}

