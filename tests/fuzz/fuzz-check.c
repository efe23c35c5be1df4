/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Invariants shared by the fuzz harnesses: what a parsed model may contain, and what
 * every writer must produce from it. A violation aborts, which libFuzzer reports as a
 * crash and the replay test as a failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "network.h"
#include "show.h"
#include "units.h"
#include "util.h"

_Noreturn void fuzz_fail(const char *file, int line, const char *what) {
        fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
        abort();
}

static bool printable(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || (unsigned char) *s >= 0x7f)
                        return false;
        return true;
}

static void check_message(const char *m) {
        fuzz_assert(m);
        if (printable(m))
                return;
        fputs("message: ", stderr);
        for (const char *p = m; *p; p++)
                fprintf(stderr, printable((char[]) { *p, 0 }) ? "%c" : "\\x%02x", (unsigned char) *p);
        fputc('\n', stderr);
        fuzz_fail(__FILE__, __LINE__, "a message is one printable line");
}

void fuzz_add_secret(char **v, size_t *n, size_t max, const void *input, size_t size, const char *s) {
        size_t len, k = 0;

        if (!s || (len = strlen(s)) < 8 || *n >= max)
                return;
        for (const char *p = input; (p = memmem(p, size - (size_t) (p - (const char *) input), s, len)); p++)
                k++;
        if (k == 1)
                v[(*n)++] = (char *) s;
}

void fuzz_check_model(const Config *c, bool with_secrets) {
        fuzz_assert(c->n_sessions <= CONFIG_MAX_SESSIONS);
        fuzz_assert(c->n_params <= CONFIG_MAX_PARAMS);
        fuzz_assert(c->n_nics <= CONFIG_MAX_NICS);
        fuzz_assert(c->n_errors <= CONFIG_MAX_MESSAGES && c->n_warnings <= CONFIG_MAX_MESSAGES);
        fuzz_assert(c->n_sessions == 0 || c->sessions);

        /* Messages go to kmsg and `show`: one printable line each. */
        for (size_t i = 0; i < c->n_errors; i++)
                check_message(c->errors[i]);
        for (size_t i = 0; i < c->n_warnings; i++)
                check_message(c->warnings[i]);

        if (c->initiator)
                fuzz_assert(spec_name_valid(c->initiator, ISCSI_NAME_MAX));
        for (size_t i = 0; i < c->n_params; i++)
                fuzz_assert(c->params[i] && strchr(c->params[i], '=') &&
                            spec_chap_valid(strchr(c->params[i], '=') + 1));
        if (!with_secrets)
                fuzz_assert(!c->chap_default.password && !c->chap_default.in_password);

        for (size_t i = 0; i < c->n_sessions; i++) {
                const Session *s = &c->sessions[i];

                fuzz_assert(s->id[0] && printable(s->id));
                for (size_t j = 0; j < i; j++)
                        fuzz_assert(strcmp(s->id, c->sessions[j].id) != 0);
                fuzz_assert(s->target && spec_name_valid(s->target, ISCSI_NAME_MAX));
                fuzz_assert(s->portal && !spec_portal_invalid(s->portal, strchr(s->portal, ':')));
                fuzz_assert(s->port > 0);
                fuzz_assert(!s->iface || spec_name_valid(s->iface, 64));
                fuzz_assert(!s->netdev || spec_name_valid(s->netdev, 15));
                fuzz_assert(s->nic >= -1 && (s->nic < 0 || (size_t) s->nic < c->n_nics));
                fuzz_assert(!s->chap.username || spec_chap_valid(s->chap.username));
                fuzz_assert(!s->chap.in_username || spec_chap_valid(s->chap.in_username));
                if (!with_secrets)
                        fuzz_assert(!s->chap.password && !s->chap.in_password);
                fuzz_assert(!s->chap.password || s->chap.has_password);
                fuzz_assert(!s->chap.in_password || s->chap.has_in_password);
        }
        for (size_t i = 0; i < c->n_nics; i++) {
                const Nic *n = &c->nics[i];

                fuzz_assert(n->index >= 0 && n->index <= 255);
                fuzz_assert(n->vlan <= 4095);
                fuzz_assert(!n->hostname || printable(n->hostname));
                fuzz_assert(!n->ifname || (strlen(n->ifname) < NETWORK_IFNAME_MAX && printable(n->ifname)));
                fuzz_assert(n->address.family == 0 || n->address.prefixlen <= 128);
        }
}

/* ---- output checks ---------------------------------------------------------------- */

/* A unit or networkd file as systemd reads it: every line is empty, a comment, a
 * section header or Key=Value; nothing continues a line ('\' at the end), nothing is
 * expanded as a specifier ('%' only as "%%"), nothing unprintable. */
static void check_ini(const char *text, size_t size, bool specifiers) {
        const char *p = text, *end = text + size;
        bool section = false;

        fuzz_assert(strlen(text) == size);
        fuzz_assert(size > 0 && text[size - 1] == '\n');
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p)), *eq;
                size_t n = (size_t) (nl - p);

                for (size_t i = 0; i < n; i++)
                        fuzz_assert((unsigned char) p[i] >= 0x20 && (unsigned char) p[i] < 0x7f);
                if (n == 0 || p[0] == '#' || p[0] == ';') {
                        p = nl + 1;
                        continue;
                }
                fuzz_assert(p[n - 1] != '\\');
                if (p[0] == '[') {
                        fuzz_assert(p[n - 1] == ']');
                        section = true;
                        p = nl + 1;
                        continue;
                }
                fuzz_assert(section);
                eq = memchr(p, '=', n);
                fuzz_assert(eq && eq > p);
                for (const char *k = p; k < eq; k++)
                        fuzz_assert((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') ||
                                    (*k >= '0' && *k <= '9'));
                if (specifiers)
                        for (const char *v = eq + 1; v < nl; v++)
                                if (*v == '%') {
                                        fuzz_assert(v + 1 < nl && v[1] == '%');
                                        v++;
                                }
                p = nl + 1;
        }
}

/* ---- a strict JSON (RFC 8259) checker ---- */

static const char *json_value(const char *p, unsigned depth);

static const char *json_ws(const char *p) {
        return p + strspn(p, " \t\n\r");
}

static const char *json_utf8(const char *p) {
        const unsigned char *u = (const unsigned char *) p;
        unsigned n, cp;

        if (u[0] < 0x80)
                return p + 1;
        if ((u[0] & 0xe0) == 0xc0)
                n = 1, cp = u[0] & 0x1f;
        else if ((u[0] & 0xf0) == 0xe0)
                n = 2, cp = u[0] & 0x0f;
        else if ((u[0] & 0xf8) == 0xf0)
                n = 3, cp = u[0] & 0x07;
        else
                return NULL;
        for (unsigned i = 1; i <= n; i++) {
                if ((u[i] & 0xc0) != 0x80)
                        return NULL;
                cp = cp << 6 | (u[i] & 0x3f);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return NULL;
        return p + 1 + n;
}

static const char *json_str(const char *p) {
        if (*p++ != '"')
                return NULL;
        while (*p != '"') {
                if ((unsigned char) *p < 0x20)
                        return NULL;
                if (*p == '\\') {
                        p++;
                        if (*p == 'u') {
                                for (int i = 1; i <= 4; i++)
                                        if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                                                return NULL;
                                p += 5;
                        } else if (*p && strchr("\"\\/bfnrt", *p))
                                p++;
                        else
                                return NULL;
                        continue;
                }
                p = json_utf8(p);
                if (!p)
                        return NULL;
        }
        return p + 1;
}

static const char *json_seq(const char *p, char close, bool object, unsigned depth) {
        p = json_ws(p + 1);
        if (*p == close)
                return p + 1;
        for (;;) {
                if (object) {
                        p = json_str(json_ws(p));
                        if (!p)
                                return NULL;
                        p = json_ws(p);
                        if (*p++ != ':')
                                return NULL;
                }
                p = json_value(p, depth + 1);
                if (!p)
                        return NULL;
                p = json_ws(p);
                if (*p == close)
                        return p + 1;
                if (*p++ != ',')
                        return NULL;
        }
}

static const char *json_value(const char *p, unsigned depth) {
        if (depth > 16)
                return NULL;
        p = json_ws(p);
        switch (*p) {
        case '{':
                return json_seq(p, '}', true, depth);
        case '[':
                return json_seq(p, ']', false, depth);
        case '"':
                return json_str(p);
        case 't':
                return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
        case 'f':
                return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
        case 'n':
                return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
        default:
                if (*p == '-')
                        p++;
                if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
                        return NULL;
                return p + strspn(p, "0123456789");
        }
}

static void check_json(const char *text, size_t size) {
        const char *end;

        fuzz_assert(strlen(text) == size);
        end = json_value(text, 0);
        fuzz_assert(end && *json_ws(end) == 0);
}

/* ---- rendering ---- */

typedef struct Output {
        char *text;
        size_t size;
        FILE *f;
} Output;

static FILE *output_open(Output *o) {
        *o = (Output) {};
        o->f = open_memstream(&o->text, &o->size);
        fuzz_assert(o->f);
        return o->f;
}

static void output_close(Output *o, int r) {
        fuzz_assert(fclose(o->f) == 0);
        fuzz_assert(r >= 0);
}

static void check_secrets(const Output *o, char *const *secrets, size_t n_secrets) {
        for (size_t i = 0; i < n_secrets; i++)
                fuzz_assert(!strstr(o->text, secrets[i]));
}

void fuzz_check_writers(const Config *c, char *const *secrets, size_t n_secrets) {
        _cleanup_free_ char *device = NULL;
        const Session *root = config_root_session(c);
        ShowContext ctx = { .config = c };
        Output o;
        int r;

        for (size_t i = 0; i < c->n_sessions; i++) {
                char name[64];

                fuzz_assert(session_unit_name(&c->sessions[i], name, sizeof name) == 0);
                r = unit_write_login(output_open(&o), c, &c->sessions[i]);
                output_close(&o, r);
                check_ini(o.text, o.size, true);
                check_secrets(&o, secrets, n_secrets);
                free(o.text);
        }

        r = config_root_device(c, &device);
        fuzz_assert(r >= 0 || r == -ENOENT || r == -ENAMETOOLONG);
        if (r >= 0) {
                _cleanup_free_ char *device_unit = NULL;

                fuzz_assert(device[0] == '/');
                fuzz_assert(unit_name_from_path(device, ".device", &device_unit) >= 0);
                fuzz_assert(printable(device_unit) && strlen(device_unit) > strlen(".device"));
                r = unit_write_device_timeout(output_open(&o), c);
                output_close(&o, r);
                check_ini(o.text, o.size, true);
                free(o.text);
                if (root) {
                        r = unit_write_sysroot_mount(output_open(&o), c, root, device);
                        output_close(&o, r);
                        check_ini(o.text, o.size, true);
                        check_secrets(&o, secrets, n_secrets);
                        free(o.text);
                }
        }

        for (size_t i = 0; i < c->n_nics; i++)
                for (NetworkFile t = 0; t < _NETWORK_FILE_MAX; t++) {
                        char name[64];

                        if (!network_nic_has_file(&c->nics[i], t))
                                continue;
                        fuzz_assert(network_file_name(&c->nics[i], t, name, sizeof name) == 0);
                        r = network_write(&c->nics[i], t, output_open(&o));
                        output_close(&o, r);
                        check_ini(o.text, o.size, false);
                        free(o.text);
                }

        r = show_json(output_open(&o), &ctx);
        output_close(&o, r);
        check_json(o.text, o.size);
        check_secrets(&o, secrets, n_secrets);
        free(o.text);

        r = show_text(output_open(&o), &ctx);
        output_close(&o, r);
        fuzz_assert(strlen(o.text) == o.size);
        check_secrets(&o, secrets, n_secrets);
        free(o.text);

        /* Messages are logged: they must not hold a secret either. */
        for (size_t i = 0; i < n_secrets; i++) {
                for (size_t j = 0; j < c->n_errors; j++)
                        fuzz_assert(!strstr(c->errors[j], secrets[i]));
                for (size_t j = 0; j < c->n_warnings; j++)
                        fuzz_assert(!strstr(c->warnings[j], secrets[i]));
        }
}
