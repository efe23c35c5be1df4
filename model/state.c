/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What is on disk already, read back: open-iscsi's node records (whose they are, the
 * value of a key), the handoff's and the login helper's state files, joined with the
 * kernel's sessions. */
#include <errno.h>
#include <stddef.h>

#include "state.h"
#include "util.h"

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

static const char *const record_state_table[_HANDOFF_RECORD_STATE_MAX] = {
        [HANDOFF_RECORD_WRITTEN] = "written",
        [HANDOFF_RECORD_KEPT] = "kept",
        [HANDOFF_RECORD_FAILED] = "failed",
};

const char *handoff_record_state_to_string(HandoffRecordState s) {
        return s >= 0 && s < _HANDOFF_RECORD_STATE_MAX ? record_state_table[s] : NULL;
}

int handoff_parse_state(const char *text, HandoffRecord *h) {
        static const struct {
                const char *key;
                size_t offset, size;
        } fields[] = {
#define FIELD(k, m) { k "=", offsetof(HandoffRecord, m), sizeof(((HandoffRecord *) NULL)->m) }
                FIELD("KERNEL_SESSION", kernel_session),
                FIELD("SOURCE", source),
                FIELD("TARGET", target),
                FIELD("PORTAL", portal),
                FIELD("IFACE", iface),
                FIELD("PATH", path),
                FIELD("REPLACEMENT_TIMEOUT", replacement_timeout),
                FIELD("NOOP_OUT_INTERVAL", noop_out_interval),
                FIELD("NOOP_OUT_TIMEOUT", noop_out_timeout),
                FIELD("ERROR", error),
#undef FIELD
        };
        bool have_state = false;

        *h = (HandoffRecord) {};
        for (const char *p = text; *p;) {
                const char *e = strchrnul(p, '\n'), *v;

                for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                        if ((v = startswith(p, fields[i].key)) && v <= e)
                                snprintf((char *) h + fields[i].offset, fields[i].size, "%.*s", (int) (e - v), v);
                if ((v = startswith(p, "RECORD=")) && v <= e)
                        for (HandoffRecordState s = 0; s < _HANDOFF_RECORD_STATE_MAX; s++)
                                if ((size_t) (e - v) == strlen(record_state_table[s]) &&
                                    strncmp(v, record_state_table[s], (size_t) (e - v)) == 0) {
                                        h->state = s;
                                        have_state = true;
                                }
                p = *e ? e + 1 : e;
        }
        return have_state && h->kernel_session[0] ? 0 : -EBADMSG;
}

void session_runtime_parse(char *text, SessionRuntime *rt) {
        char *line, *save = NULL;

        rt->known = true;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                const char *v;
                if ((v = startswith(line, "STATE=")))
                        snprintf(rt->state, sizeof rt->state, "%s", v);
                else if ((v = startswith(line, "ATTEMPT=")))
                        rt->attempt = (unsigned) strtoul(v, NULL, 10);
                else if ((v = startswith(line, "ERROR=")))
                        snprintf(rt->error, sizeof rt->error, "%s", v);
                else if ((v = startswith(line, "REJECTED=")))
                        rt->rejected = (unsigned) strtoul(v, NULL, 10);
                else if ((v = startswith(line, "REASON=")))
                        snprintf(rt->reason, sizeof rt->reason, "%s", v);
        }
}

void session_runtime_match_kernel(SessionRuntime *rt, const Config *c, const KernelSession *k, size_t n) {
        for (size_t j = 0; j < n; j++)
                for (size_t i = 0; i < c->n_sessions; i++) {
                        if (!kernel_session_matches(&c->sessions[i], &k[j]))
                                continue;
                        snprintf(rt[i].kernel_session, sizeof rt[i].kernel_session, "session%u", k[j].sid);
                        snprintf(rt[i].kernel_state, sizeof rt[i].kernel_state, "%s", strempty(k[j].state));
                        memcpy(rt[i].disks, k[j].disks, sizeof rt[i].disks);
                        rt[i].n_disks = k[j].n_disks;
                        if (!rt[i].known) {
                                rt[i].known = true;
                                snprintf(rt[i].state, sizeof rt[i].state, "logged-in");
                        }
                }
}
