/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command line's keys, and the parsers of their values (into the Config, or into
 * the State that cmdline.c resolves once the whole line is read). */
#include <errno.h>
#include <stddef.h>
#include <strings.h>

#include "bond.h"
#include "cmdline-internal.h"
#include "config.h"
#include "util.h"

const char *cmdline_shown(const char *s, char *buf) {
        size_t n = 0;

        for (; *s && n < SHOWN_MAX; s++)
                buf[n++] = (*s >= ' ' && *s < 0x7f) ? *s : '?';
        strcpy(buf + n, *s ? "..." : "");
        return buf;
}

#define FIELD(c, type, k) ((type *) ((char *) (c) + (k)->offset))

static bool need_value(Config *c, const Key *k, const char *value) {
        if (value)
                return true;
        config_error(c, "%s= needs a value, ignoring.", k->name);
        return false;
}

static bool has_authinfo(const Chap *chap) {
        return chap->username || chap->has_password || chap->in_username || chap->has_in_password;
}

int cmdline_add_session(Config *c, State *st, Session *s) {
        bool own = has_authinfo(&s->chap);
        int r;

        r = config_add_session(c, s);
        if (r == -E2BIG) {
                /* config_add_session() said so, once is enough */
                st->sessions_full = true;
                return 0;
        }
        if (r < 0)
                return r;
        st->own_auth[r] = st->own_auth[r] || own;
        return 0;
}

int cmdline_add_spec(Config *c, State *st, const char *key, const char *spec, bool root) {
        _cleanup_free_ char *error = NULL;
        _cleanup_(session_done) Session s = {};
        int r;

        if (st->sessions_full)
                return 0;

        r = spec_parse(spec, &s, st->flags & CONFIG_WITH_SECRETS, &error);
        if (r == -EINVAL) {
                config_error(c, "%s=: %s Ignoring it.", key, error ?: "Invalid iSCSI spec.");
                return 0;
        }
        if (r < 0)
                return r;
        s.root = root;
        return cmdline_add_session(c, st, &s);
}

static int parse_netroot(Config *c, State *st, const Key *k, const char *value) {
        if (!value)
                return 0;
        if (streq_ptr(value, "dhcp")) {
                c->netroot_dhcp = true;
                return 0;
        }
        /* netroot=nfs:… and friends belong to others. */
        if (!startswith(value, "iscsi"))
                return 0;
        if (streq_ptr(value, "iscsi") || streq_ptr(value, "iscsi:")) {
                /* "No spec here": firmware mode, never a host named iscsi. */
                c->wants_iscsi = true;
                st->netroot_bare = true;
                return 0;
        }
        if (!startswith(value, "iscsi:"))
                return 0;
        c->wants_iscsi = true;
        return cmdline_add_spec(c, st, k->name, value, false);
}

static int parse_keep_secret(Config *c, State *st, const Key *k, const char *value) {
        char **dst = (char **) ((char *) st + k->offset), *copy;

        if (!value)
                return 0;
        copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        erase_and_free(*dst);
        *dst = copy;
        return 0;
}

static int parse_string(Config *c, State *st, const Key *k, const char *value) {
        if (!value)
                return 0;
        return free_and_strdup(FIELD(c, char *, k), isempty(value) ? NULL : value);
}

/* rootfstype=, rootflags=: they go into sysroot.mount, where a control character (a
 * quoted newline starts a new setting) or a trailing '\\' (continues the line) would
 * change more than the one setting. */
static int parse_mount_string(Config *c, State *st, const Key *k, const char *value) {
        size_t n;

        if (!value)
                return 0;
        n = strlen(value);
        for (const char *p = value; *p; p++)
                if (*p < ' ' || *p >= 0x7f) {
                        config_error(c, "Invalid %s= value \"%s\" (printable ASCII only), ignoring.",
                                     k->name, SHOWN(value));
                        return 0;
                }
        if (n > 0 && value[n - 1] == '\\') {
                config_error(c, "Invalid %s= value \"%s\" (ends in a backslash), ignoring.",
                             k->name, SHOWN(value));
                return 0;
        }
        return parse_string(c, st, k, value);
}

/* Copies field index of ip= ([IPv6] brackets respected) into buf; false if there are
 * fewer fields or it does not fit. */
static bool ip_field(const char *v, unsigned index, char *buf, size_t size) {
        unsigned i = 0;
        const char *start = v;
        int depth = 0;

        for (const char *p = v;; p++) {
                if (*p == '[')
                        depth++;
                else if (*p == ']' && depth > 0)
                        depth--;
                else if ((*p == ':' && depth == 0) || *p == 0) {
                        if (i == index) {
                                if ((size_t) (p - start) >= size)
                                        return false;
                                memcpy(buf, start, (size_t) (p - start));
                                buf[p - start] = 0;
                                return true;
                        }
                        if (*p == 0)
                                return false;
                        i++;
                        start = p + 1;
                }
        }
}

static bool ip_field_is(const char *v, unsigned index, const char *word) {
        char buf[16];
        return ip_field(v, index, buf, sizeof buf) && strcmp(buf, word) == 0;
}

static unsigned ip_fields(const char *v) {
        unsigned n = 1;
        int depth = 0;

        for (; *v; v++)
                if (*v == '[')
                        depth++;
                else if (*v == ']' && depth > 0)
                        depth--;
                else if (*v == ':' && depth == 0)
                        n++;
        return n;
}

/* The interface ip= names: "<iface>:<method>[:<mtu>[:<mac>]]", or the sixth field of
 * the long form, which starts with the client address (or nothing). */
static void note_ip_netdev(State *st, const char *v) {
        char iface[16];

        if (ip_fields(v) < 2)
                return;         /* ip=dhcp and friends: every interface */
        if (v[0] == ':' || v[0] == '[' || (v[0] >= '0' && v[0] <= '9')) {
                if (!ip_field(v, 5, iface, sizeof iface))
                        return;
        } else if (!ip_field(v, 0, iface, sizeof iface))
                return;
        /* It becomes part of unit names (wait-online@<iface>): only a valid name. */
        if (!spec_name_valid(iface, sizeof iface - 1))
                return;
        if (st->ip_netdev[0] && strcmp(st->ip_netdev, iface) != 0)
                st->ip_netdev_many = true;
        memcpy(st->ip_netdev, iface, sizeof iface);
}

static int parse_ip(Config *c, State *st, const Key *k, const char *value) {
        /* ip=ibft, ip=<iface>:ibft[:…] or the long form with ibft as autoconf method. */
        if (value && (streq_ptr(value, "ibft") || ip_field_is(value, 1, "ibft") ||
                      ip_field_is(value, 6, "ibft"))) {
                st->firmware_implied = true;
                c->wants_iscsi = true;
        }
        if (value)
                note_ip_netdev(st, value);
        return 0;
}

static int parse_iscsi_name(Config *c, State *st, const Key *k, const char *value) {
        if (!need_value(c, k, value))
                return 0;
        if (!isempty(value) && !spec_name_valid(value, ISCSI_NAME_MAX)) {
                config_error(c, "Invalid %s= value \"%s\" (at most %d printable characters, "
                             "no spaces, quotes, '/' or '\\'), ignoring.",
                             k->name, SHOWN(value), ISCSI_NAME_MAX);
                return 0;
        }
        return parse_string(c, st, k, value);
}

static int parse_target_ip(Config *c, State *st, const Key *k, const char *value) {
        _cleanup_free_ char *copy = NULL;
        const char *why;
        char *a;
        size_t n;

        if (!need_value(c, k, value))
                return 0;
        if (isempty(value))
                return free_and_strdup(&c->target_ip, NULL);
        copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        a = copy;
        n = strlen(a);
        if (a[0] == '[' && a[n - 1] == ']') {
                a[n - 1] = 0;
                a++;
                why = spec_portal_invalid(a, true);
        } else
                why = spec_portal_invalid(a, strchr(a, ':'));
        if (why) {
                config_error(c, "Invalid %s= value \"%s\": %s, ignoring.", k->name, SHOWN(value), why);
                return 0;
        }
        return free_and_strdup(&c->target_ip, a);
}

static int parse_u16(Config *c, const Key *k, const char *value, uint64_t min, uint16_t *ret) {
        uint64_t u;

        if (!need_value(c, k, value))
                return -EINVAL;
        if (safe_atou64(value, UINT16_MAX, &u) < 0 || u < min) {
                config_error(c, "Invalid %s= value \"%s\" (expected %u-65535), ignoring.",
                             k->name, SHOWN(value), (unsigned) min);
                return -EINVAL;
        }
        *ret = (uint16_t) u;
        return 0;
}

static int parse_target_port(Config *c, State *st, const Key *k, const char *value) {
        (void) parse_u16(c, k, value, 1, &c->target_port);
        return 0;
}

static int parse_target_group(Config *c, State *st, const Key *k, const char *value) {
        if (parse_u16(c, k, value, 0, &c->target_group) >= 0)
                st->target_group_set = true;
        return 0;
}

static int parse_chap_user(Config *c, State *st, const Key *k, const char *value) {
        if (!need_value(c, k, value))
                return 0;
        if (!spec_chap_valid(value)) {
                config_error(c, "Invalid %s= value (longer than 256 bytes or with control characters), ignoring.",
                             k->name);
                return 0;
        }
        return parse_string(c, st, k, value);
}

static int parse_chap_password(Config *c, State *st, const Key *k, const char *value) {
        char **dst = FIELD(c, char *, k), *copy = NULL;
        bool *has = (bool *) ((char *) c + k->flag_offset);

        if (!need_value(c, k, value))
                return 0;
        if (!spec_chap_valid(value)) {
                /* Never quote it. */
                config_error(c, "Invalid %s= value (longer than 256 bytes or with control characters), ignoring.",
                             k->name);
                return 0;
        }
        if (!isempty(value) && (st->flags & CONFIG_WITH_SECRETS)) {
                copy = strdup(value);
                if (!copy)
                        return -ENOMEM;
        }
        erase_and_free(*dst);
        *dst = copy;
        *has = !isempty(value);
        return 0;
}

static bool param_name_valid(const char *s) {
        size_t n = strlen(s);

        return n > 0 && n <= PARAM_NAME_MAX && strchr(s, '.') &&
                s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-[]")] == 0;
}

static int parse_param(Config *c, State *st, const Key *k, const char *value) {
        const char *eq;
        char **n, *copy;
        size_t len;

        if (!need_value(c, k, value))
                return 0;
        if (c->n_params >= CONFIG_MAX_PARAMS) {
                if (!st->params_full)
                        config_error(c, "More than %d %s= settings, ignoring the rest.",
                                     CONFIG_MAX_PARAMS, k->name);
                st->params_full = true;
                return 0;
        }

        /* The value is never quoted: people do try to pass passwords this way. */
        eq = strchr(value, '=');
        len = eq ? (size_t) (eq - value) : 0;
        if (!eq || len == 0 || len > PARAM_NAME_MAX) {
                config_error(c, "Invalid %s= value: expected NAME=VALUE, ignoring.", k->name);
                return 0;
        }
        copy = strndup(value, len);
        if (!copy)
                return -ENOMEM;
        if (!param_name_valid(copy)) {
                config_error(c, "Invalid %s= setting name, ignoring.", k->name);
                free(copy);
                return 0;
        }
        if (strcasestr(copy, "password")) {
                config_error(c, "%s=%s=... would put a secret where it is shown; use rd.iscsi.password= "
                             "or rd.iscsi.in.password= instead. Ignoring it.", k->name, copy);
                free(copy);
                return 0;
        }
        if (isempty(eq + 1) || strlen(eq + 1) > PARAM_VALUE_MAX || !spec_chap_valid(eq + 1)) {
                config_error(c, "Invalid %s=%s= value (1-%d printable characters), ignoring.",
                             k->name, copy, PARAM_VALUE_MAX);
                free(copy);
                return 0;
        }
        free(copy);

        n = realloc(c->params, (c->n_params + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        c->params = n;
        c->params[c->n_params] = strdup(value);
        if (!c->params[c->n_params])
                return -ENOMEM;
        c->n_params++;
        return 0;
}

static int parse_retry_max(Config *c, State *st, const Key *k, const char *value) {
        uint64_t u;

        if (!need_value(c, k, value))
                return 0;
        if (safe_atou64(value, LOGIN_RETRY_MAX, &u) < 0) {
                config_error(c, "Invalid %s= value \"%s\" (expected 0-%d), ignoring.",
                             k->name, SHOWN(value), LOGIN_RETRY_MAX);
                return 0;
        }
        c->login_retry_max = (int) u;
        return 0;
}

static int parse_timeout(Config *c, State *st, const Key *k, const char *value) {
        uint64_t usec;

        if (!need_value(c, k, value))
                return 0;
        if (isempty(value) || streq_ptr(value, "infinity")) {
                c->timeout_usec = 0;
                return 0;
        }
        if (parse_timespan(value, &usec) < 0) {
                config_error(c, "Invalid %s= value \"%s\" (expected seconds or a time span "
                             "like 90s, 5min), ignoring.", k->name, SHOWN(value));
                return 0;
        }
        c->timeout_usec = usec;
        return 0;
}

static int parse_grace(Config *c, State *st, const Key *k, const char *value) {
        uint64_t usec;

        if (!need_value(c, k, value))
                return 0;
        /* Empty resets, as for rd.iscsi.timeout=; 0 is a grace of none, not "off". */
        if (isempty(value)) {
                c->grace_usec = CONFIG_GRACE_DEFAULT_USEC;
                return 0;
        }
        if (streq_ptr(value, "infinity")) {
                c->grace_usec = CONFIG_USEC_INFINITY;
                return 0;
        }
        if (parse_timespan(value, &usec) < 0 || usec == CONFIG_USEC_INFINITY) {
                config_error(c, "Invalid %s= value \"%s\" (expected seconds or a time span "
                             "like 10s, 500ms, or infinity), ignoring.", k->name, SHOWN(value));
                return 0;
        }
        c->grace_usec = usec;
        return 0;
}

static int get_bool(Config *c, const Key *k, const char *value) {
        int b;

        /* A bare key means true, as dracut's getargbool has it. */
        if (!value)
                return 1;
        b = parse_boolean(value);
        if (b < 0)
                config_error(c, "Invalid %s= value \"%s\" (expected a boolean), ignoring.",
                             k->name, SHOWN(value));
        return b;
}

static int parse_bool(Config *c, State *st, const Key *k, const char *value) {
        int b = get_bool(c, k, value);

        if (b >= 0)
                *FIELD(c, bool, k) = b;
        return 0;
}

static int parse_rw(Config *c, State *st, const Key *k, const char *value) {
        /* Only the bare words count, as in systemd-fstab-generator. */
        if (!value)
                c->root_rw = streq_ptr(k->name, "rw");
        return 0;
}

static int parse_firmware(Config *c, State *st, const Key *k, const char *value) {
        int b = get_bool(c, k, value);

        if (b >= 0)
                st->firmware = b;
        return 0;
}

static int parse_bond(Config *c, State *st, const Key *k, const char *value) {
        const char *error;
        Bond b;
        int r;

        (void) st;
        if (!need_value(c, k, value))
                return 0;
        r = bond_parse(c, value, &b, &error);
        if (r < 0) {
                config_error(c, "Invalid bond=%s: %s, ignoring.", SHOWN(value), error);
                return 0;
        }
        /* Without options systemd-network-generator's bond is all there is to it. */
        if (r == 0)
                return 0;
        for (size_t i = 0; i < c->n_bonds; i++)
                if (strcmp(c->bonds[i].name, b.name) == 0) {
                        c->bonds[i] = b;        /* the last bond= for a name wins */
                        return 0;
                }
        if (c->n_bonds >= CONFIG_MAX_BONDS) {
                config_error(c, "More than %d bond= with options, ignoring %s.", CONFIG_MAX_BONDS, b.name);
                return 0;
        }
        c->bonds[c->n_bonds++] = b;
        return 0;
}

#define CFG(f) .offset = offsetof(Config, f)
#define CHAP_PASSWORD(f, h) .parse = parse_chap_password, CFG(chap_default.f), \
        .flag_offset = offsetof(Config, chap_default.h)

const Key cmdline_keys[] = {
        { .name = "netroot",                  .parse = parse_netroot },
        { .name = "root",                     .parse = parse_keep_secret, .offset = offsetof(State, root) },
        { .name = "rootfstype",               .parse = parse_mount_string, CFG(rootfstype) },
        { .name = "rootflags",                .parse = parse_mount_string, CFG(rootflags) },
        { .name = "ro",                       .parse = parse_rw },
        { .name = "rw",                       .parse = parse_rw },
        { .name = "ip",                       .parse = parse_ip },
        { .name = "bond",                     .parse = parse_bond },
        { .name = "rd.iscsi.initiator",       .parse = parse_iscsi_name, CFG(initiator) },
        { .name = "rd.iscsi.target.name",     .parse = parse_iscsi_name, CFG(target_name) },
        { .name = "rd.iscsi.target.ip",       .parse = parse_target_ip },
        { .name = "rd.iscsi.target.port",     .parse = parse_target_port },
        { .name = "rd.iscsi.target.group",    .parse = parse_target_group },
        { .name = "rd.iscsi.username",        .parse = parse_chap_user, CFG(chap_default.username) },
        { .name = "rd.iscsi.password",        CHAP_PASSWORD(password, has_password) },
        { .name = "rd.iscsi.in.username",     .parse = parse_chap_user, CFG(chap_default.in_username) },
        { .name = "rd.iscsi.in.password",     CHAP_PASSWORD(in_password, has_in_password) },
        { .name = "rd.iscsi.param",           .parse = parse_param },
        { .name = "rd.iscsi.login_retry_max", .parse = parse_retry_max },
        { .name = "rd.iscsi.waitnet",         .parse = parse_bool, CFG(waitnet) },
        { .name = "rd.iscsi.testroute",       .parse = parse_bool, CFG(testroute) },
        { .name = "rd.iscsi.timeout",         .parse = parse_timeout },
        { .name = "rd.iscsi.grace",           .parse = parse_grace },
        { .name = "rd.iscsi.firmware",        .parse = parse_firmware },
        { .name = "rd.iscsi.ibft",            .parse = parse_firmware },
        { .name = "rd.iscsi.mp",              .parse = parse_bool, CFG(multipath) },
        /* dracut's deprecated spellings */
        { .name = "iscsi_initiator",    .parse = parse_iscsi_name, CFG(initiator),
          .replacement = "rd.iscsi.initiator=" },
        { .name = "iscsi_target_name",  .parse = parse_iscsi_name, CFG(target_name),
          .replacement = "rd.iscsi.target.name=" },
        { .name = "iscsi_target_ip",    .parse = parse_target_ip, .replacement = "rd.iscsi.target.ip=" },
        { .name = "iscsi_target_port",  .parse = parse_target_port, .replacement = "rd.iscsi.target.port=" },
        { .name = "iscsi_target_group", .parse = parse_target_group, .replacement = "rd.iscsi.target.group=" },
        { .name = "iscsi_username",     .parse = parse_chap_user, CFG(chap_default.username),
          .replacement = "rd.iscsi.username=" },
        { .name = "iscsi_password",     CHAP_PASSWORD(password, has_password),
          .replacement = "rd.iscsi.password=" },
        { .name = "iscsi_in_username",  .parse = parse_chap_user, CFG(chap_default.in_username),
          .replacement = "rd.iscsi.in.username=" },
        { .name = "iscsi_in_password",  CHAP_PASSWORD(in_password, has_in_password),
          .replacement = "rd.iscsi.in.password=" },
        { .name = "iscsi_firmware",     .parse = parse_firmware, .replacement = "rd.iscsi.firmware" },
        { .name = "iscsiroot",          .parse = parse_keep_secret, .offset = offsetof(State, iscsiroot),
          .replacement = "netroot=iscsi:..." },
};

_Static_assert(ELEMENTSOF(cmdline_keys) <= 64, "State.warned is a 64-bit mask");

const size_t cmdline_n_keys = ELEMENTSOF(cmdline_keys);
