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

#include "config.h"
#include "util.h"

#define VALUE_MAX 4096
#define PARAM_NAME_MAX 128
#define PARAM_VALUE_MAX 256
#define LOGIN_RETRY_MAX 10000   /* dracut's bound */
#define WHITESPACE " \t\n\r"

typedef struct State {
        unsigned flags;
        size_t first;           /* the first session this command line added */
        bool own_auth[CONFIG_MAX_SESSIONS];     /* by session index: the spec had authinfo */
        char *root;             /* the last root=; may hold a secret */
        char *iscsiroot;        /* the last iscsiroot=; may hold a secret */
        int firmware;           /* rd.iscsi.firmware= and aliases; -1: not given */
        bool firmware_implied;  /* ip=ibft, bare netroot=iscsi */
        bool netroot_bare;
        bool target_group_set;
        bool sessions_full, params_full;        /* reported once */
        char ip_netdev[16];     /* the one interface ip= configures, if only one */
        bool ip_netdev_many;
        uint64_t warned;        /* deprecated keys already warned about, by index */
} State;

typedef struct Key Key;
struct Key {
        const char *name;
        int (*parse)(Config *c, State *st, const Key *k, const char *value);
        size_t offset;          /* the Config field a generic parser sets */
        size_t flag_offset;     /* has_password flag, for the password keys */
        const char *replacement;        /* for deprecated aliases: the key to use instead */
};

static void state_done(State *st) {
        erase_and_free(st->root);
        erase_and_free(st->iscsiroot);
}

/* A value as a message may quote it (never a secret's): one printable line, capped. */
#define SHOWN_MAX 64
#define SHOWN(s) shown((s), (char[SHOWN_MAX + 4]) {})
static const char *shown(const char *s, char *buf) {
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

static int add_session(Config *c, State *st, Session *s) {
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

static int add_spec(Config *c, State *st, const char *key, const char *spec, bool root) {
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
        return add_session(c, st, &s);
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
        return add_spec(c, st, k->name, value, false);
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

#define CFG(f) .offset = offsetof(Config, f)
#define CHAP_PASSWORD(f, h) .parse = parse_chap_password, CFG(chap_default.f), \
        .flag_offset = offsetof(Config, chap_default.h)

static const Key keys[] = {
        { .name = "netroot",                  .parse = parse_netroot },
        { .name = "root",                     .parse = parse_keep_secret, .offset = offsetof(State, root) },
        { .name = "rootfstype",               .parse = parse_mount_string, CFG(rootfstype) },
        { .name = "rootflags",                .parse = parse_mount_string, CFG(rootflags) },
        { .name = "ro",                       .parse = parse_rw },
        { .name = "rw",                       .parse = parse_rw },
        { .name = "ip",                       .parse = parse_ip },
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

_Static_assert(ELEMENTSOF(keys) <= 64, "State.warned is a 64-bit mask");

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

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const Key *k = &keys[i];

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
        return add_session(c, st, &s);
}

static void check_chap_default(Config *c) {
        Chap *d = &c->chap_default;

        if (!!d->username != d->has_password) {
                config_error(c, "rd.iscsi.username= and rd.iscsi.password= must be given together, "
                             "ignoring the CHAP defaults.");
                chap_done(d);
        } else if (!!d->in_username != d->has_in_password) {
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
                        r = add_spec(c, st, "root", st->root, true);
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
                r = add_spec(c, st, "iscsiroot", spec, !st->root || root_bare);
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
