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
                if (rt && rt->known) {
                        fprintf(f, "  State:   %s (attempt %u)", rt->state, rt->attempt);
                        if (rt->kernel_session[0])
                                fprintf(f, ", kernel %s", rt->kernel_session);
                        fputc('\n', f);
                        if (rt->error[0])
                                fprintf(f, "  Last error: %s\n", rt->error);
                        if (rt->rejected > 0)
                                fprintf(f, "  Refused: %u attempt(s) (a login fails after %u)\n", rt->rejected,
                                        LOGIN_REJECTIONS_MAX);
                        if (rt->reason[0])
                                fprintf(f, "  Gave up: %s\n", rt->reason);
                } else if (ctx->runtime)
                        fputs("  State:   not started\n", f);
        }

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
