/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <sys/socket.h>

#include "creds.h"
#include "show.h"
#include "units.h"
#include "util.h"

/* The length of the valid UTF-8 sequence at p, 0 if there is none. */
static size_t utf8_sequence(const unsigned char *p) {
        size_t n;
        uint32_t cp;

        if (p[0] < 0x80)
                return 1;
        if ((p[0] & 0xe0) == 0xc0)
                n = 2, cp = p[0] & 0x1f;
        else if ((p[0] & 0xf0) == 0xe0)
                n = 3, cp = p[0] & 0x0f;
        else if ((p[0] & 0xf8) == 0xf0)
                n = 4, cp = p[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        /* no overlong forms, surrogates or values beyond Unicode */
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

void json_string(FILE *f, const char *s) {
        if (!s) {
                fputs("null", f);
                return;
        }
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = utf8_sequence(p);

                switch (*p) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default:
                        if (*p < 0x20)
                                fprintf(f, "\\u%04x", *p);
                        else if (n == 0)
                                /* JSON is UTF-8: a stray byte (a label, a parameter value)
                                 * becomes U+FFFD rather than making the document invalid. */
                                fputs("\\ufffd", f);
                        else
                                fwrite(p, 1, n, f);
                }
                p += n ?: 1;
        }
        fputc('"', f);
}

static void json_key(FILE *f, bool *first, const char *key) {
        if (!*first)
                fputs(", ", f);
        *first = false;
        json_string(f, key);
        fputs(": ", f);
}

/* A JSON array of n items, the i-th written by item(f, v, i). */
static void json_array(FILE *f, const void *v, size_t n, void (*item)(FILE *f, const void *v, size_t i)) {
        fputc('[', f);
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        fputs(", ", f);
                item(f, v, i);
        }
        fputc(']', f);
}

static void json_strings_item(FILE *f, const void *v, size_t i) {
        json_string(f, ((char *const *) v)[i]);
}

static void json_strings(FILE *f, char *const *v, size_t n) {
        json_array(f, v, n, json_strings_item);
}

static const char *nonempty_or_null(const char *s) {
        return isempty(s) ? NULL : s;
}

static void format_mac(const uint8_t mac[6], char buf[18]) {
        snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* A disk's multipath map by its name, or by its device when the name is unreadable. */
static const char *multipath_name(const KernelDisk *d) {
        return !d->multipath ? NULL : d->holder_name[0] ? d->holder_name : d->holder;
}

/* Whether a session before the i-th has its d-th disk too: configured sessions that name
 * their portals by host name all match one kernel session, whose disk is one path. */
static bool disk_seen_before(const ShowContext *ctx, size_t i, size_t d) {
        for (size_t a = 0; a < i; a++)
                for (size_t b = 0; b < ctx->runtime[a].n_disks; b++)
                        if (strcmp(ctx->runtime[a].disks[b].name, ctx->runtime[i].disks[d].name) == 0)
                                return true;
        return false;
}

/* From (*i, *d) on, the next disk of a configured session that is a path of a multipath
 * map (of holder's only, unless it is NULL), each disk once: false when there is none. */
static bool next_path(const ShowContext *ctx, const char *holder, size_t *i, size_t *d) {
        for (; ctx->runtime && *i < ctx->config->n_sessions; (*i)++, *d = 0)
                for (; *d < ctx->runtime[*i].n_disks; (*d)++) {
                        const KernelDisk *k = &ctx->runtime[*i].disks[*d];

                        if (k->multipath && (!holder || strcmp(k->holder, holder) == 0) &&
                            !disk_seen_before(ctx, *i, *d))
                                return true;
                }
        return false;
}

/* Whether the d-th disk of session i is the first path of a map with two paths or more:
 * each such map is summarized once. Its paths and how many of them have FAILED. */
static bool multipath_summarized(const ShowContext *ctx, size_t i, size_t d, size_t *ret_n, size_t *ret_failed) {
        const char *holder = ctx->runtime[i].disks[d].holder;
        size_t n = 0, failed = 0;

        for (size_t a = 0, b = 0; next_path(ctx, holder, &a, &b); b++) {
                if (n == 0 && (a != i || b != d))
                        return false;
                n++;
                failed += streq_ptr(ctx->runtime[a].kernel_state, "FAILED");
        }
        *ret_n = n;
        *ret_failed = failed;
        return n >= 2;
}

static void json_disk_item(FILE *f, const void *v, size_t i) {
        const KernelDisk *d = &((const KernelDisk *) v)[i];
        bool first = true;

        fputc('{', f);
        json_key(f, &first, "name");
        json_string(f, d->name);
        json_key(f, &first, "lun");
        fprintf(f, "%" PRIu64, d->lun);
        json_key(f, &first, "holder");
        json_string(f, nonempty_or_null(d->holder));
        json_key(f, &first, "holder_name");
        json_string(f, nonempty_or_null(d->holder_name));
        json_key(f, &first, "multipath");
        json_string(f, multipath_name(d));
        fputc('}', f);
}

static void json_session(FILE *f, const Session *s, const SessionRuntime *rt) {
        char unit[64];
        bool first = true;

        (void) session_unit_name(s, unit, sizeof unit);
        fputc('{', f);
        json_key(f, &first, "id");
        json_string(f, s->id);
        json_key(f, &first, "source");
        json_string(f, s->source == SOURCE_IBFT ? "ibft" : s->source == SOURCE_DHCP ? "dhcp" : "cmdline");
        json_key(f, &first, "target");
        json_string(f, s->target);
        json_key(f, &first, "portal");
        json_string(f, s->portal);
        json_key(f, &first, "port");
        fprintf(f, "%u", s->port);
        json_key(f, &first, "tpgt");
        fprintf(f, "%u", s->tpgt);
        json_key(f, &first, "lun");
        fprintf(f, "%" PRIu64, s->lun);
        json_key(f, &first, "iface");
        json_string(f, nonempty_or_null(s->iface));
        json_key(f, &first, "netdev");
        json_string(f, nonempty_or_null(s->netdev));
        json_key(f, &first, "auth");
        json_string(f, auth_kind_to_string(session_auth(s)));
        json_key(f, &first, "username");
        json_string(f, s->chap.username);
        json_key(f, &first, "in_username");
        json_string(f, s->chap.in_username);
        json_key(f, &first, "credentials");
        credentials_show_json(f, s);
        json_key(f, &first, "root");
        fputs(s->root ? "true" : "false", f);
        json_key(f, &first, "unit");
        json_string(f, unit);
        if (rt && rt->known) {
                json_key(f, &first, "state");
                json_string(f, rt->state);
                json_key(f, &first, "attempt");
                fprintf(f, "%u", rt->attempt);
                json_key(f, &first, "last_error");
                json_string(f, nonempty_or_null(rt->error));
                json_key(f, &first, "rejected");
                fprintf(f, "%u", rt->rejected);
                json_key(f, &first, "gave_up");
                json_string(f, nonempty_or_null(rt->reason));
                json_key(f, &first, "kernel_session");
                json_string(f, nonempty_or_null(rt->kernel_session));
                json_key(f, &first, "kernel_state");
                json_string(f, nonempty_or_null(rt->kernel_state));
                json_key(f, &first, "disks");
                json_array(f, rt->disks, rt->n_disks, json_disk_item);
        }
        fputc('}', f);
}

static void json_nic(FILE *f, const Nic *n) {
        char mac[18];
        bool first = true;

        format_mac(n->mac, mac);
        fputc('{', f);
        json_key(f, &first, "index");
        fprintf(f, "%d", n->index);
        json_key(f, &first, "mac");
        json_string(f, mac);
        json_key(f, &first, "ifname");
        json_string(f, nonempty_or_null(n->ifname));
        json_key(f, &first, "boot");
        fputs(n->boot_selected ? "true" : "false", f);
        json_key(f, &first, "dhcp");
        fputs(n->dhcp ? "true" : "false", f);
        json_key(f, &first, "addresses");
        fputc('[', f);
        if (n->address.family != 0) {
                char a[64];
                snprintf(a, sizeof a, "%s/%u", n->address.address, n->address.prefixlen);
                json_string(f, a);
        }
        fputc(']', f);
        json_key(f, &first, "gateway");
        json_string(f, nonempty_or_null(n->gateway));
        json_key(f, &first, "dns");
        fputc('[', f);
        for (size_t i = 0, k = 0; i < ELEMENTSOF(n->dns); i++)
                if (!isempty(n->dns[i])) {
                        if (k++ > 0)
                                fputs(", ", f);
                        json_string(f, n->dns[i]);
                }
        fputc(']', f);
        json_key(f, &first, "vlan");
        fprintf(f, "%u", n->vlan);
        json_key(f, &first, "hostname");
        json_string(f, n->hostname);
        fputc('}', f);
}

static void json_handoff(FILE *f, const HandoffRecord *h) {
        bool first = true;

        fputc('{', f);
        json_key(f, &first, "kernel_session");
        json_string(f, h->kernel_session);
        json_key(f, &first, "source");
        json_string(f, h->source);
        json_key(f, &first, "target");
        json_string(f, h->target);
        json_key(f, &first, "portal");
        json_string(f, h->portal);
        json_key(f, &first, "iface");
        json_string(f, h->iface);
        json_key(f, &first, "record");
        json_string(f, handoff_record_state_to_string(h->state));
        json_key(f, &first, "path");
        json_string(f, nonempty_or_null(h->path));
        json_key(f, &first, "replacement_timeout");
        json_string(f, nonempty_or_null(h->replacement_timeout));
        json_key(f, &first, "noop_out_interval");
        json_string(f, nonempty_or_null(h->noop_out_interval));
        json_key(f, &first, "noop_out_timeout");
        json_string(f, nonempty_or_null(h->noop_out_timeout));
        json_key(f, &first, "error");
        json_string(f, nonempty_or_null(h->error));
        fputc('}', f);
}

static void json_session_item(FILE *f, const void *v, size_t i) {
        const ShowContext *ctx = v;

        json_session(f, &ctx->config->sessions[i], ctx->runtime ? &ctx->runtime[i] : NULL);
}

static void json_nic_item(FILE *f, const void *v, size_t i) {
        json_nic(f, &((const Nic *) v)[i]);
}

static void json_handoff_item(FILE *f, const void *v, size_t i) {
        json_handoff(f, &((const HandoffRecord *) v)[i]);
}

static void json_multipath_path(FILE *f, const ShowContext *ctx, size_t i, size_t d) {
        const Session *s = &ctx->config->sessions[i];
        const SessionRuntime *rt = &ctx->runtime[i];
        bool first = true;

        fputc('{', f);
        json_key(f, &first, "disk");
        json_string(f, rt->disks[d].name);
        json_key(f, &first, "kernel_session");
        json_string(f, rt->kernel_session);
        json_key(f, &first, "kernel_state");
        json_string(f, nonempty_or_null(rt->kernel_state));
        json_key(f, &first, "session");
        json_string(f, s->id);
        json_key(f, &first, "portal");
        json_string(f, s->portal);
        json_key(f, &first, "port");
        fprintf(f, "%u", s->port);
        fputc('}', f);
}

static void json_multipath(FILE *f, const ShowContext *ctx, const KernelDisk *map) {
        bool first = true;

        fputc('{', f);
        json_key(f, &first, "name");
        json_string(f, multipath_name(map));
        json_key(f, &first, "device");
        json_string(f, map->holder);
        json_key(f, &first, "paths");
        fputc('[', f);
        for (size_t i = 0, d = 0, n = 0; next_path(ctx, map->holder, &i, &d); d++) {
                if (n++ > 0)
                        fputs(", ", f);
                json_multipath_path(f, ctx, i, d);
        }
        fputs("]}", f);
}

/* The maps the text's summary shows; only when there is one, so that the common output
 * stays as it was. */
static void json_multipaths(FILE *f, const ShowContext *ctx, bool *first) {
        size_t n, failed, k = 0;

        for (size_t i = 0, d = 0; next_path(ctx, NULL, &i, &d); d++) {
                if (!multipath_summarized(ctx, i, d, &n, &failed))
                        continue;
                if (k++ == 0) {
                        json_key(f, first, "multipath");
                        fputc('[', f);
                } else
                        fputs(", ", f);
                json_multipath(f, ctx, &ctx->runtime[i].disks[d]);
        }
        if (k > 0)
                fputc(']', f);
}

int show_json(FILE *f, const ShowContext *ctx) {
        const Config *c = ctx->config;
        _cleanup_free_ char *root = NULL;
        bool first = true;

        if (config_root_session(c) || c->root_dhcp)
                (void) config_root_device(c, &root);

        fputc('{', f);
        json_key(f, &first, "initiator");
        json_string(f, c->initiator);
        if (ctx->initiator_in_use) {
                json_key(f, &first, "initiator_in_use");
                json_string(f, ctx->initiator_in_use);
        }
        json_key(f, &first, "sessions");
        json_array(f, ctx, c->n_sessions, json_session_item);
        json_multipaths(f, ctx, &first);
        json_key(f, &first, "root_device");
        json_string(f, root);
        json_key(f, &first, "interfaces");
        json_array(f, c->nics, c->n_nics, json_nic_item);
        json_key(f, &first, "firmware");
        fputs(c->firmware ? "true" : "false", f);
        if (c->netroot_dhcp) {
                /* Only then, so that the common output stays as it was. */
                json_key(f, &first, "dhcp_root_path");
                fputs("true", f);
        }
        json_key(f, &first, "timeout_sec");
        if (c->timeout_usec)
                fprintf(f, "%" PRIu64, c->timeout_usec / 1000000);
        else
                fputs("null", f);
        if (ctx->n_handoff > 0) {
                /* Only in the real root after sd-iscsi handoff, so that the initrd's output
                 * stays as it was. */
                json_key(f, &first, "handoff");
                json_array(f, ctx->handoff, ctx->n_handoff, json_handoff_item);
        }
        json_key(f, &first, "params");
        json_strings(f, c->params, c->n_params);
        json_key(f, &first, "errors");
        json_strings(f, c->errors, c->n_errors);
        json_key(f, &first, "warnings");
        json_strings(f, c->warnings, c->n_warnings);
        fputs("}\n", f);
        return ferror(f) ? -EIO : 0;
}

static const char *portal_bracket(const Session *s, bool open) {
        if (!strchr(s->portal, ':'))
                return "";
        return open ? "[" : "]";
}

static bool has_dhcp_session(const Config *c) {
        for (size_t i = 0; i < c->n_sessions; i++)
                if (c->sessions[i].source == SOURCE_DHCP)
                        return true;
        return false;
}

static const char *or_unset(const char *s) {
        return isempty(s) ? "(not set)" : s;
}

static void show_handoff(FILE *f, const HandoffRecord *h) {
        fprintf(f, "\nReal root: kernel %s (%s)\n", h->kernel_session,
                strcmp(h->source, "kernel") == 0 ? "not in the boot configuration" : h->source);
        fprintf(f, "  Target:  %s\n", h->target);
        fprintf(f, "  Portal:  %s, iface %s\n", h->portal, h->iface);
        switch (h->state) {
        case HANDOFF_RECORD_WRITTEN:
                fprintf(f, "  Node record: written by sd-iscsi handoff, %s\n", h->path);
                break;
        case HANDOFF_RECORD_KEPT:
                fprintf(f, "  Node record: the administrator's, kept, %s\n", h->path);
                break;
        default:
                fprintf(f, "  Node record: not written (%s): iscsid adopts with iscsid.conf's defaults\n",
                        h->error[0] ? h->error : "failed");
                return;
        }
        fprintf(f, "  iscsid adopts with: replacement_timeout %s, noop_out_interval %s, noop_out_timeout %s\n",
                or_unset(h->replacement_timeout), or_unset(h->noop_out_interval), or_unset(h->noop_out_timeout));
}

static void show_disk(FILE *f, const KernelDisk *d) {
        fprintf(f, "disk %s (LUN %" PRIu64 ")", d->name, d->lun);
        if (d->multipath)
                fprintf(f, ", path of multipath %s (%s)", multipath_name(d), d->holder);
        else if (d->holder[0] && d->holder_name[0])
                fprintf(f, ", held by %s (%s)", d->holder, d->holder_name);
        else if (d->holder[0])
                fprintf(f, ", held by %s", d->holder);
}

/* The kernel session's state, FAILED spelt out (the connection is lost: I/O waits for it,
 * or goes to the map's other paths), and its disks, one a line. */
static void show_path(FILE *f, const SessionRuntime *rt) {
        fprintf(f, "  Path:    %s %s", rt->kernel_session,
                isempty(rt->kernel_state) ? "state unknown" :
                streq_ptr(rt->kernel_state, "FAILED") ? "FAILED (connection lost)" : rt->kernel_state);
        if (rt->n_disks == 0)
                fputs(", no disk", f);
        for (size_t d = 0; d < rt->n_disks; d++) {
                fputs(d == 0 ? ", " : "\n           ", f);
                show_disk(f, &rt->disks[d]);
        }
        fputc('\n', f);
}

static void show_runtime(FILE *f, const SessionRuntime *rt) {
        fprintf(f, "  State:   %s (attempt %u)", rt->state, rt->attempt);
        if (rt->kernel_session[0])
                fprintf(f, ", kernel %s", rt->kernel_session);
        fputc('\n', f);
        if (rt->kernel_session[0])
                show_path(f, rt);
        if (rt->error[0])
                fprintf(f, "  Last error: %s\n", rt->error);
        if (rt->rejected > 0)
                fprintf(f, "  Refused: %u attempt(s) (a login fails after %u)\n", rt->rejected, LOGIN_REJECTIONS_MAX);
        if (rt->reason[0])
                fprintf(f, "  Gave up: %s\n", rt->reason);
}

static void show_multipath(FILE *f, const ShowContext *ctx, const KernelDisk *map, size_t n, size_t failed) {
        fprintf(f, "\nMultipath %s (%s): %zu paths", multipath_name(map), map->holder, n);
        if (failed > 0)
                fprintf(f, ", %zu FAILED", failed);
        fputc('\n', f);
        for (size_t i = 0, d = 0; next_path(ctx, map->holder, &i, &d); d++) {
                const Session *s = &ctx->config->sessions[i];
                const SessionRuntime *rt = &ctx->runtime[i];

                fprintf(f, "  %-5s %-10s %-10s portal %s%s%s:%u (%s)\n", rt->disks[d].name, rt->kernel_session,
                        isempty(rt->kernel_state) ? "unknown" : rt->kernel_state, portal_bracket(s, true), s->portal,
                        portal_bracket(s, false), s->port, s->id);
        }
}

static void show_multipaths(FILE *f, const ShowContext *ctx) {
        size_t n, failed;

        for (size_t i = 0, d = 0; next_path(ctx, NULL, &i, &d); d++)
                if (multipath_summarized(ctx, i, d, &n, &failed))
                        show_multipath(f, ctx, &ctx->runtime[i].disks[d], n, failed);
}

int show_text(FILE *f, const ShowContext *ctx) {
        const Config *c = ctx->config;
        _cleanup_free_ char *root = NULL;

        fprintf(f, "Initiator: %s\n", c->initiator ? c->initiator :
                ctx->initiator_in_use ? ctx->initiator_in_use : "(the image's default)");
        if (c->n_sessions == 0)
                fputs("Sessions: none configured\n", f);
        if (c->netroot_dhcp && !has_dhcp_session(c))
                fputs("DHCP root path: requested, no lease with an iSCSI root path yet\n", f);
        for (size_t i = 0; i < c->n_sessions; i++) {
                const Session *s = &c->sessions[i];
                const SessionRuntime *rt = ctx->runtime ? &ctx->runtime[i] : NULL;
                char unit[64];

                (void) session_unit_name(s, unit, sizeof unit);
                fprintf(f, "\nSession %s (%s)%s\n", s->id,
                        s->source == SOURCE_IBFT ? "iBFT" : s->source == SOURCE_DHCP ? "DHCP root path" : "command line",
                        s->root ? ", root disk" : "");
                fprintf(f, "  Target:  %s\n", s->target);
                fprintf(f, "  Portal:  %s%s%s:%u, portal group %u\n", portal_bracket(s, true), s->portal,
                        portal_bracket(s, false), s->port, s->tpgt);
                fprintf(f, "  LUN:     %" PRIu64 "\n", s->lun);
                if (!isempty(s->netdev) || !isempty(s->iface))
                        fprintf(f, "  Network: interface %s, iSCSI iface %s\n",
                                isempty(s->netdev) ? "(any)" : s->netdev, isempty(s->iface) ? "default" : s->iface);
                fprintf(f, "  Auth:    %s", auth_kind_to_string(session_auth(s)));
                if (s->chap.username)
                        fprintf(f, ", user %s", s->chap.username);
                if (s->chap.in_username)
                        fprintf(f, ", target user %s", s->chap.in_username);
                credentials_show(f, s);
                fputc('\n', f);
                fprintf(f, "  Unit:    %s\n", unit);
                if (rt && rt->known)
                        show_runtime(f, rt);
                else if (ctx->runtime)
                        fputs("  State:   not started\n", f);
        }
        show_multipaths(f, ctx);

        for (size_t i = 0; i < c->n_nics; i++) {
                const Nic *n = &c->nics[i];
                char mac[18];

                format_mac(n->mac, mac);
                fprintf(f, "\niBFT NIC %d%s: %s%s%s\n", n->index, n->boot_selected ? " (boot)" : "", mac,
                        n->ifname ? " " : "", strempty(n->ifname));
                if (n->dhcp)
                        fputs("  DHCP\n", f);
                if (n->address.family)
                        fprintf(f, "  Address: %s/%u\n", n->address.address, n->address.prefixlen);
                if (n->gateway[0])
                        fprintf(f, "  Gateway: %s\n", n->gateway);
                for (size_t k = 0; k < ELEMENTSOF(n->dns); k++)
                        if (n->dns[k][0])
                                fprintf(f, "  DNS:     %s\n", n->dns[k]);
                if (n->vlan)
                        fprintf(f, "  VLAN:    %u\n", n->vlan);
                if (n->hostname)
                        fprintf(f, "  Hostname: %s\n", n->hostname);
        }

        for (size_t i = 0; i < ctx->n_handoff; i++)
                show_handoff(f, &ctx->handoff[i]);

        if ((config_root_session(c) || c->root_dhcp) && config_root_device(c, &root) >= 0)
                fprintf(f, "\nRoot device: %s\n", root);
        if (c->timeout_usec)
                fprintf(f, "Login budget: %" PRIu64 "s\n", c->timeout_usec / 1000000);
        for (size_t i = 0; i < c->n_warnings; i++)
                fprintf(f, "Warning: %s\n", c->warnings[i]);
        for (size_t i = 0; i < c->n_errors; i++)
                fprintf(f, "Error: %s\n", c->errors[i]);
        return ferror(f) ? -EIO : 0;
}
