/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The dracut `iscsi:` spec (RFC 4173 extended with CHAP and iface/netdev):
 *
 *   iscsi:[user:pass[:in_user:in_pass]@][server]:[proto]:[port][:[iface]:[netdev]]:[lun]:target
 *
 * Field splitting follows dracut's parse_iscsi_root() so that a command line that works
 * with dracut means the same thing here; unlike dracut, every field is validated.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <strings.h>

#include "config.h"
#include "util.h"

#define SPEC_MAX 4096           /* far above anything real; bounds the work */
#define HOST_NAME_MAX_ 253
#define IFACE_NAME_MAX 64       /* open-iscsi's ISCSI_MAX_IFACE_LEN - 1 */
#define NETDEV_NAME_MAX 15      /* IFNAMSIZ - 1 */
#define CHAP_STRING_MAX 256     /* open-iscsi's AUTH_STR_MAX_LEN */
#define SHOWN_MAX 96            /* how much of a bad spec an error message quotes */

static bool is_digits(const char *s) {
        return *s && s[strspn(s, "0123456789")] == 0;
}

bool spec_name_valid(const char *s, size_t max) {
        size_t n = strlen(s);

        /* These names end up in file names (open-iscsi's node and iface databases), unit
         * descriptions and by-path links: no path tricks, no whitespace, no quoting. */
        if (n == 0 || n > max || streq_ptr(s, ".") || streq_ptr(s, ".."))
                return false;
        for (; *s; s++)
                if (*s <= ' ' || *s >= 0x7f || strchr("/\\\"'", *s))
                        return false;
        return true;
}

bool spec_chap_valid(const char *s) {
        /* Any text that fits one line of a node record. */
        if (strlen(s) > CHAP_STRING_MAX)
                return false;
        for (; *s; s++)
                if ((unsigned char) *s < ' ' || *s == 0x7f)
                        return false;
        return true;
}

const char *spec_portal_invalid(const char *s, bool ipv6) {
        if (isempty(s))
                return "no server address";

        if (ipv6) {
                struct in6_addr a;
                char buf[INET6_ADDRSTRLEN];
                const char *zone = strchr(s, '%');
                size_t n = zone ? (size_t) (zone - s) : strlen(s);

                if (n >= sizeof buf)
                        return "invalid IPv6 address";
                memcpy(buf, s, n);
                buf[n] = 0;
                if (inet_pton(AF_INET6, buf, &a) != 1)
                        return "invalid IPv6 address";
                if (zone && !spec_name_valid(zone + 1, NETDEV_NAME_MAX))
                        return "invalid IPv6 zone";
                return NULL;
        }

        if (s[strspn(s, "0123456789.")] == 0) {
                struct in_addr a;

                if (inet_pton(AF_INET, s, &a) != 1)
                        return "invalid IPv4 address";
                return NULL;
        }

        if (strlen(s) > HOST_NAME_MAX_ || *s == '.' || *s == '-' ||
            s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")] != 0)
                return "invalid server name";
        return NULL;
}

typedef struct Shown {
        char *buf;
        size_t size, n;
        bool cut;
} Shown;

/* Appends up to n bytes of s as a message may show them: unprintable bytes masked, the
 * whole capped at SHOWN_MAX. */
static void shown_append(Shown *sh, const char *s, size_t n) {
        for (size_t i = 0; i < n && s[i]; i++) {
                if (sh->n >= SHOWN_MAX || sh->n + 4 >= sh->size) {
                        sh->cut = true;
                        return;
                }
                sh->buf[sh->n++] = (s[i] >= ' ' && s[i] < 0x7f) ? s[i] : '?';
        }
}

/* The spec as an error message may show it. A password may sit before the last '@',
 * and a spec that is missing its '@' (or was cut short) shifts the CHAP fields into
 * the server's, the protocol's or any later place: so only the server field and a
 * target name with a known prefix are shown, every other non-empty field is "***". */
static void spec_redact(const char *spec, char *buf, size_t size) {
        static const char *const prefixes[] = { ":iqn.", ":eui.", ":naa." };
        const char *at = strrchr(spec, '@'), *p, *target = NULL, *end, *close;
        Shown sh = { .buf = buf, .size = size };

        shown_append(&sh, "iscsi:", 6);
        if (at) {
                shown_append(&sh, "***@", 4);
                p = at + 1;
        } else
                p = startswith(spec, "iscsi:") ?: spec;

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                for (const char *q = p; (q = strstr(q, prefixes[i])); q++)
                        if (!target || q > target)
                                target = q;
        end = target ?: p + strlen(p);

        /* the server; a bracketed address as a whole */
        close = *p == '[' ? memchr(p, ']', (size_t) (end - p)) : NULL;
        if (close) {
                shown_append(&sh, p, (size_t) (close + 1 - p));
                p = close + 1;
        } else {
                size_t n = strcspn(p, ":");

                shown_append(&sh, p, n);
                p += n;
        }
        while (p < end) {
                size_t n = strcspn(p + 1, ":");

                if (p + 1 + n > end)
                        n = (size_t) (end - p - 1);
                shown_append(&sh, ":", 1);
                if (n > 0)
                        shown_append(&sh, "***", 3);
                p += 1 + n;
        }
        if (target)
                shown_append(&sh, target, strlen(target));
        if (sh.cut)
                sh.n += (size_t) snprintf(buf + sh.n, size - sh.n, "...");
        buf[sh.n] = 0;
}

static int spec_fail(char **error, const char *spec, const char *fmt, ...) {
        char shown[SHOWN_MAX + 16], reason[160];
        va_list ap;

        if (!error)
                return -EINVAL;

        va_start(ap, fmt);
        vsnprintf(reason, sizeof reason, fmt, ap);
        va_end(ap);
        spec_redact(spec, shown, sizeof shown);
        if (asprintf(error, "Invalid iSCSI spec \"%s\": %s.", shown, reason) < 0)
                *error = NULL;
        return -EINVAL;
}

/* Splits s in place at every ':'; returns the number of fields (at least 1). */
static size_t split_fields(char *s, char **fields, size_t max) {
        size_t n = 0;

        for (;;) {
                char *colon = strchr(s, ':');

                if (n < max)
                        fields[n] = s;
                n++;
                if (!colon)
                        return n;
                *colon = 0;
                s = colon + 1;
        }
}

static size_t count_char(const char *s, char c) {
        size_t n = 0;

        for (; (s = strchr(s, c)); s++)
                n++;
        return n;
}

static char *find_last(char *s, const char *needle) {
        char *last = NULL;

        for (char *p = s; (p = strstr(p, needle)); p++)
                last = p;
        return last;
}

static int parse_auth(char *auth, Chap *chap, bool with_secrets, const char *spec, char **error) {
        char *f[4];
        size_t n;

        n = split_fields(auth, f, ELEMENTSOF(f));
        if (n > 4)
                return spec_fail(error, spec, "too many fields in the CHAP part before '@' "
                                 "(expected user:password or user:password:in_user:in_password)");
        if (n != 2 && n != 4)
                return spec_fail(error, spec, "incomplete CHAP part before '@' "
                                 "(expected user:password or user:password:in_user:in_password)");
        for (size_t i = 0; i < n; i++) {
                if (!spec_chap_valid(f[i]))
                        return spec_fail(error, spec, "CHAP %s too long or with control characters",
                                         i % 2 ? "password" : "user name");
                /* A half pair cannot log in; dracut would try and fail at login. A user
                 * name with an empty password ("user:@…") takes the password from a
                 * credential (credentials.c), checked at login. */
                if (i % 2 && !isempty(f[i]) && isempty(f[i ^ 1]))
                        return spec_fail(error, spec, "CHAP user name and password must be given together");
        }
        if (n == 4 && isempty(f[0]) && !isempty(f[2]))
                return spec_fail(error, spec, "mutual CHAP needs the initiator's user name and password too");

        for (size_t i = 0; i < n; i += 2) {
                char **user = i ? &chap->in_username : &chap->username;
                char **pass = i ? &chap->in_password : &chap->password;
                bool *has = i ? &chap->has_in_password : &chap->has_password;

                if (isempty(f[i]))
                        continue;
                *user = strdup(f[i]);
                if (!*user)
                        return -ENOMEM;
                *has = !isempty(f[i + 1]);
                if (with_secrets && *has) {
                        *pass = strdup(f[i + 1]);
                        if (!*pass)
                                return -ENOMEM;
                }
        }
        return 0;
}

static int set_name(char **dst, const char *src, size_t max) {
        if (isempty(src))
                return 0;
        if (!spec_name_valid(src, max))
                return -EINVAL;
        *dst = strdup(src);
        return *dst ? 0 : -ENOMEM;
}

/* The fields of a spec after the server, as text: pointers into the spec's copy. */
typedef struct SpecFields {
        const char *port, *lun, *iface, *netdev;
        char *target;
} SpecFields;

/* The server, "[IPv6]" or an address or host name, and the ':' after it: *v moves past. */
static int spec_server(char **v, char **ret, const char *spec, char **error) {
        const char *why;
        char *server;
        bool ipv6 = false;

        if (**v == '[') {
                char *close = strchr(*v, ']');

                if (!close)
                        return spec_fail(error, spec, "unbalanced '[' in the server address");
                if (close[1] != ':')
                        return spec_fail(error, spec, "expected ':' after ']'");
                *close = 0;
                server = *v + 1;
                *v = close + 2;
                ipv6 = true;
        } else {
                char *colon = strchr(*v, ':');

                if (!colon)
                        return spec_fail(error, spec, "no target name");
                *colon = 0;
                server = *v;
                *v = colon + 1;
                if (strpbrk(server, "[]"))
                        return spec_fail(error, spec, "unbalanced '[' or ']' in the server address");
        }
        why = spec_portal_invalid(server, ipv6);
        if (why)
                return spec_fail(error, spec, "%s", why);
        *ret = server;
        return 0;
}

/* The fields after the port, f[i] to f[n - 1]: [iface:netdev:]lun, and the target
 * when it has no known prefix (sf->target NULL). */
static int spec_fields_tail(char **f, size_t i, size_t n, SpecFields *sf, const char *spec, char **error) {
        size_t remaining = n > i ? n - i : 0;

        if (sf->target) {
                if (remaining > 3)
                        return spec_fail(error, spec, "too many fields before the target name "
                                         "(expected [iface:netdev:]lun)");
                if (remaining == 3)
                        sf->iface = f[i++];
                if (remaining >= 2)
                        sf->netdev = f[i++];
                if (remaining >= 1)
                        sf->lun = f[i++];
                return 0;
        }
        /* Without a known prefix, iface:netdev is only taken when more than three
         * fields remain, one of the first two is set and the third can be a LUN. */
        if (remaining > 3 && (*f[i] || *f[i + 1]) && (!*f[i + 2] || is_digits(f[i + 2]))) {
                sf->iface = f[i++];
                sf->netdev = f[i++];
        }
        if (i < n)
                sf->lun = f[i++];
        if (i < n) {
                sf->target = f[i];
                /* Rejoin the name's own colons. */
                for (; i + 1 < n; i++)
                        f[i][strlen(f[i])] = ':';
        }
        return 0;
}

/* protocol:port:[iface:netdev:]lun:target, v modified in place. */
static int spec_fields(char *v, SpecFields *sf, const char *spec, char **error) {
        static const char *const prefixes[] = { ":iqn.", ":eui.", ":naa." };
        _cleanup_free_ char **f = NULL;
        size_t n;

        /* A target name with a known prefix starts at its last occurrence (IQNs contain
         * colons); dracut tries iqn. before eui. before naa. */
        for (size_t i = 0; i < ELEMENTSOF(prefixes) && !sf->target; i++) {
                sf->target = find_last(v, prefixes[i]);
                if (sf->target)
                        *sf->target++ = 0;
        }

        f = calloc(count_char(v, ':') + 1, sizeof *f);
        if (!f)
                return -ENOMEM;
        n = split_fields(v, f, SIZE_MAX);
        /* As the shell splits: a trailing ':' ends the last field instead of adding an
         * empty one, and nothing at all is no field. With a known prefix, dracut appends
         * a ':' before splitting, which cancels that out. */
        if (!sf->target && n > 0 && isempty(f[n - 1]))
                n--;

        /* RFC 4173's protocol field: only TCP ("6") exists. dracut ignores the field; we
         * check it because a mistyped spec shifts other fields (a password) into it. */
        if (n > 0 && !isempty(f[0]) && !streq_ptr(f[0], "6") && strcasecmp(f[0], "tcp") != 0)
                return spec_fail(error, spec, "unsupported protocol (only 6, TCP)");
        if (n > 1)
                sf->port = f[1];
        return spec_fields_tail(f, n > 1 ? 2 : 1, n, sf, spec, error);
}

/* Port, LUN, iface and netdev into the session, checked. */
static int spec_set_fields(Session *s, const SpecFields *sf, const char *spec, char **error) {
        uint64_t u;
        int r;

        if (!isempty(sf->port)) {
                if (safe_atou64(sf->port, UINT16_MAX, &u) < 0 || u == 0)
                        return spec_fail(error, spec, "invalid port (expected 1-65535)");
                s->port = (uint16_t) u;
        }
        if (!isempty(sf->lun)) {
                if (safe_atou64(sf->lun, UINT64_MAX, &u) < 0)
                        return spec_fail(error, spec, "invalid LUN (expected a decimal number)");
                s->lun = u;
        }

        r = set_name(&s->iface, sf->iface, IFACE_NAME_MAX);
        if (r == -EINVAL)
                return spec_fail(error, spec, "invalid iface name");
        if (r < 0)
                return r;
        r = set_name(&s->netdev, sf->netdev, NETDEV_NAME_MAX);
        if (r == -EINVAL)
                return spec_fail(error, spec, "invalid network interface name");
        return r;
}

int spec_parse(const char *spec, Session *ret, bool with_secrets, char **error) {
        _cleanup_erase_ char *buf = NULL;
        _cleanup_(session_done) Session s = {
                .source = SOURCE_CMDLINE,
                .port = ISCSI_DEFAULT_PORT,
                .tpgt = ISCSI_DEFAULT_TPGT,
                .nic = -1,
        };
        SpecFields sf = {};
        const char *rest;
        char *v, *at, *server = NULL;
        int r;

        if (error)
                *error = NULL;

        rest = startswith(spec, "iscsi:");
        if (!rest)
                return spec_fail(error, spec, "does not start with \"iscsi:\"");
        if (strlen(rest) > SPEC_MAX)
                return spec_fail(error, spec, "longer than %d bytes", SPEC_MAX);
        buf = strdup(rest);
        if (!buf)
                return -ENOMEM;
        v = buf;

        /* The authentication part is split off only when the rest still looks like a spec
         * (dracut's `*@*:*:*:*:*`), so that a target name may contain '@'. An empty
         * authentication part ("iscsi:@server…") exists for exactly that. */
        at = strchr(v, '@');
        if (at && count_char(at + 1, ':') >= 4) {
                *at = 0;
                if (*v) {
                        r = parse_auth(v, &s.chap, with_secrets, spec, error);
                        if (r < 0)
                                return r;
                }
                v = at + 1;
        }

        r = spec_server(&v, &server, spec, error);
        if (r < 0)
                return r;
        r = spec_fields(v, &sf, spec, error);
        if (r < 0)
                return r;

        if (isempty(sf.target))
                return spec_fail(error, spec, "no target name");
        if (!spec_name_valid(sf.target, ISCSI_NAME_MAX))
                return spec_fail(error, spec, "invalid target name (at most %d printable characters, "
                                 "no spaces, quotes, '/' or '\\')", ISCSI_NAME_MAX);
        r = spec_set_fields(&s, &sf, spec, error);
        if (r < 0)
                return r;

        s.target = strdup(sf.target);
        s.portal = strdup(server);
        if (!s.target || !s.portal)
                return -ENOMEM;

        *ret = s;
        s = (Session) {};
        return 0;
}
