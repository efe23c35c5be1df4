/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/storm: N initiators log in at once to a target that admits K logins a second.
 *
 * Event-driven (a binary heap of next-attempt times, µs), deterministic (one seeded PRNG
 * per policy, the same client start times for every policy). The sd-iscsi policy sleeps
 * what the login helper sleeps: login_next_wait() from cli/retry.c, not a copy. The others
 * are models of what dracut-ng 106 and open-iscsi's iscsid do, from their source (see
 * docs/PERFORMANCE.md, "Boot storms"); the "propose" policy is a candidate, not shipped.
 *
 * The target: a token bucket of K tokens a second, refilled continuously, holding at most
 * B (-b, default K: one second of logins), full at t=0. An attempt takes a token and
 * logs in, or finds none and is refused at once (like a refused connection). Optionally
 * the target is down (refuses everything) during -o A:B seconds.
 *
 *   storm [-n N] [-k K] [-b B] [-s SPREAD] [-r connect|login] [-S SEED] [-o A:B]
 *         [-m] [-g SVG] [-t TRACE] POLICY…      POLICY: sd-iscsi dracut iscsid propose
 *
 * -r: how a refusal looks to the sd-iscsi helper: a refused TCP connection (its probe
 * fails: LOGIN_FAILED_PORTAL) or a failed iscsiadm (LOGIN_FAILED_LOGIN). -m: Markdown
 * table rows. -g: an SVG of the attempts per second. -t: every attempt of the first
 * POLICY ("µs client ok|refused").
 *
 * One row per policy: time until all are up (and 50%, 99%), clients that gave up, attempts,
 * the per-second attempt rate the target sees (peak, p50, p99 over the seconds until all
 * are up) and the peak of accepted logins; ratios against the lower bound (N - B) / K and
 * against the first POLICY, run on the same clients. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "retry.h"

#define US 1000000ULL
#define NEVER UINT64_MAX

typedef enum Policy { P_SDISCSI, P_DRACUT, P_ISCSID, P_PROPOSE, P_MAX } Policy;
static const char *const policy_names[P_MAX] = { "sd-iscsi", "dracut", "iscsid", "propose" };

/* dracut-ng 106 (modules.d/95iscsi/iscsiroot.sh, dracut-initqueue.sh) with open-iscsi's
 * defaults: sendtargets discovery connects 6 times, 1 s apart (discovery.c: reopen_max 5,
 * login_delay 1 s); then iscsid's login, a refused connection retried every 3 s
 * (initiator.c: ISCSI_CONN_ERR_REOPEN_DELAY) for initial_login_retry_max (3, dracut's
 * rd.iscsi.login_retry_max default) x login_timeout (15 s) = 45 s; a failed round is
 * tried once more by the initqueue's timeout hook at 2/3 of rd.retry (180 s): 120 s;
 * at rd.retry the boot ends in the emergency shell. */
#define DRACUT_DISCOVERY_TRIES 6
#define DRACUT_DISCOVERY_DELAY (1 * US)
#define DRACUT_LOGIN_DELAY (3 * US)
#define DRACUT_LOGIN_SPAN (45 * US)
#define DRACUT_TIMEOUT_HOOK (120 * US)
/* iscsid's reopen of a session: Time2Wait, then a refused connection every 3 s, for ever
 * (reopen_max 0). The first attempt after the target is back is the client's start. */
#define ISCSID_DELAY (3 * US)
/* The proposal: the helper's schedule for the first PROPOSE_AFTER of refusals, then the
 * cap doubles per failure up to PROPOSE_CAP (±25%). */
#define PROPOSE_AFTER (10 * US)
#define PROPOSE_CAP (8 * US)

typedef struct Client {
        uint64_t start;         /* first attempt */
        uint64_t phase_start;   /* dracut: the login phase's first attempt */
        uint64_t backoff;       /* sd-iscsi: login_next_wait()'s state */
        uint64_t cap;           /* propose: the grown cap */
        uint32_t tries;         /* dracut: attempts in this phase */
        uint8_t phase;          /* dracut: 0 discovery, 1 login; round 0 or 1 (+2) */
        bool up;
} Client;

typedef struct Event {
        uint64_t t;
        uint32_t c;
} Event;

typedef struct Heap {
        Event *e;
        size_t n;
} Heap;

static void heap_push(Heap *h, uint64_t t, uint32_t c) {
        size_t i = h->n++;

        while (i > 0) {
                size_t p = (i - 1) / 2;
                if (h->e[p].t < t || (h->e[p].t == t && h->e[p].c < c))
                        break;
                h->e[i] = h->e[p];
                i = p;
        }
        h->e[i] = (Event) { t, c };
}

static Event heap_pop(Heap *h) {
        Event top = h->e[0], last = h->e[--h->n];
        size_t i = 0;

        for (;;) {
                size_t l = 2 * i + 1, m = i;
                Event *best = &last;

                if (l < h->n && (h->e[l].t < best->t || (h->e[l].t == best->t && h->e[l].c < best->c)))
                        m = l, best = &h->e[l];
                if (l + 1 < h->n && (h->e[l + 1].t < best->t || (h->e[l + 1].t == best->t && h->e[l + 1].c < best->c)))
                        m = l + 1, best = &h->e[l + 1];
                if (m == i)
                        break;
                h->e[i] = h->e[m];
                i = m;
        }
        if (h->n > 0)
                h->e[i] = last;
        return top;
}

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t rng_next(uint64_t *s) {
        uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

typedef struct Options {
        uint32_t n;
        double k, burst, spread;
        uint64_t seed, outage_from, outage_to;
        LoginFailure refuse;
} Options;

typedef struct Result {
        uint64_t all_up, up50, up99;    /* NEVER: not all up */
        uint32_t failed;
        uint64_t attempts;
        uint32_t peak, p50, p99, peak_ok;
        uint32_t *per_sec, *ok_per_sec; /* attempts and logins in second i */
        size_t seconds;
        double cpu;
} Result;

static void count(Result *r, uint64_t t, bool ok) {
        size_t s = (size_t) (t / US);

        if (s >= r->seconds) {
                size_t n = r->seconds ? r->seconds : 64;
                while (n <= s)
                        n *= 2;
                r->per_sec = realloc(r->per_sec, n * sizeof *r->per_sec);
                r->ok_per_sec = realloc(r->ok_per_sec, n * sizeof *r->ok_per_sec);
                if (!r->per_sec || !r->ok_per_sec) {
                        perror("storm");
                        exit(1);
                }
                memset(r->per_sec + r->seconds, 0, (n - r->seconds) * sizeof *r->per_sec);
                memset(r->ok_per_sec + r->seconds, 0, (n - r->seconds) * sizeof *r->ok_per_sec);
                r->seconds = n;
        }
        r->per_sec[s]++;
        r->ok_per_sec[s] += ok;
}

static int cmp_u32(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
        return (x > y) - (x < y);
}

/* The next attempt after a refusal at t, or NEVER: the client gives up. */
static uint64_t next_attempt(Policy p, Client *c, uint64_t t, LoginFailure how, uint64_t *rng) {
        uint64_t w;

        switch (p) {
        case P_SDISCSI:
                return t + login_next_wait(&c->backoff, how, 0, (uint32_t) rng_next(rng));
        case P_PROPOSE:
                w = login_next_wait(&c->backoff, how, 0, (uint32_t) rng_next(rng));
                if (t - c->start < PROPOSE_AFTER)
                        return t + w;
                c->cap = c->cap ? (c->cap * 2 > PROPOSE_CAP ? PROPOSE_CAP : c->cap * 2) : LOGIN_BACKOFF_MAX_USEC;
                return t + login_jitter(c->cap, (uint32_t) rng_next(rng));
        case P_ISCSID:
                return t + ISCSID_DELAY;
        case P_DRACUT:
                c->tries++;
                if ((c->phase & 1) == 0) {
                        if (c->tries < DRACUT_DISCOVERY_TRIES)
                                return t + DRACUT_DISCOVERY_DELAY;
                } else if (t + DRACUT_LOGIN_DELAY <= c->phase_start + DRACUT_LOGIN_SPAN)
                        return t + DRACUT_LOGIN_DELAY;
                /* The round failed: the timeout hook's round, once. */
                if (c->phase >= 2)
                        return NEVER;
                c->phase = 2;
                c->tries = 0;
                return c->start + DRACUT_TIMEOUT_HOOK > t ? c->start + DRACUT_TIMEOUT_HOOK : t;
        default:
                abort();
        }
}

static void run(Policy p, const Options *o, Result *r, FILE *trace) {
        Client *cl = calloc(o->n, sizeof *cl);
        Heap h = { .e = calloc(o->n, sizeof(Event)) };
        uint64_t rng = o->seed, rate_rng = o->seed ^ 0x5deece66dULL;
        uint64_t tokens, cap = (uint64_t) llround(o->burst * US), last = 0, k = (uint64_t) llround(o->k);
        uint32_t up = 0, *sorted;
        clock_t cpu0 = clock();
        size_t used;

        if (!cl || !h.e) {
                perror("storm");
                exit(1);
        }
        *r = (Result) { .all_up = NEVER, .up50 = NEVER, .up99 = NEVER };
        /* Start times from their own stream: the same for every policy. */
        for (uint32_t i = 0; i < o->n; i++) {
                cl[i].start = o->spread > 0 ? rng_next(&rate_rng) % (uint64_t) llround(o->spread * US) : 0;
                cl[i].backoff = LOGIN_BACKOFF_INITIAL_USEC;
                heap_push(&h, cl[i].start, i);
        }
        /* Tokens in millionths, refilled k per µs. */
        tokens = cap;
        while (h.n > 0) {
                Event e = heap_pop(&h);
                Client *c = &cl[e.c];
                bool down = e.t >= o->outage_from && e.t < o->outage_to, ok = false;
                uint64_t next;

                tokens = tokens + (e.t - last) * k > cap ? cap : tokens + (e.t - last) * k;
                last = e.t;
                r->attempts++;
                if (!down && tokens >= US) {
                        ok = true;
                        if (p == P_DRACUT && (c->phase & 1) == 0) {
                                /* Discovery done; the login's first attempt follows at once. */
                                tokens -= US;
                                count(r, e.t, true);
                                if (trace)
                                        fprintf(trace, "%" PRIu64 " %u ok\n", e.t, e.c);
                                c->phase |= 1;
                                c->tries = 0;
                                c->phase_start = e.t;
                                heap_push(&h, e.t, e.c);
                                continue;
                        }
                        tokens -= US;
                }
                count(r, e.t, ok);
                if (trace)
                        fprintf(trace, "%" PRIu64 " %u %s\n", e.t, e.c, ok ? "ok" : "refused");
                if (ok) {
                        c->up = true;
                        up++;
                        if (up == (o->n + 1) / 2)
                                r->up50 = e.t;
                        if (up == o->n - o->n / 100)
                                r->up99 = e.t;
                        if (up == o->n)
                                r->all_up = e.t;
                        continue;
                }
                /* While the target is down its port refuses: the helper's probe fails. */
                next = next_attempt(p, c, e.t, down ? LOGIN_FAILED_PORTAL : o->refuse, &rng);
                if (next == NEVER)
                        r->failed++;
                else
                        heap_push(&h, next, e.c);
        }

        /* Rates over the seconds until all are up (or until the last attempt). */
        used = r->all_up != NEVER ? (size_t) (r->all_up / US) + 1 : (size_t) (last / US) + 1;
        sorted = malloc(used * sizeof *sorted);
        if (!sorted) {
                perror("storm");
                exit(1);
        }
        memcpy(sorted, r->per_sec, used * sizeof *sorted);
        qsort(sorted, used, sizeof *sorted, cmp_u32);
        r->peak = sorted[used - 1];
        r->p50 = sorted[(used - 1) / 2];
        r->p99 = sorted[(size_t) ((double) (used - 1) * 0.99)];
        for (size_t i = 0; i < used; i++)
                if (r->ok_per_sec[i] > r->peak_ok)
                        r->peak_ok = r->ok_per_sec[i];
        r->seconds = used;
        r->cpu = (double) (clock() - cpu0) / CLOCKS_PER_SEC;
        free(sorted);
        free(h.e);
        free(cl);
}

static const char *secs(uint64_t t, char *buf, size_t size) {
        if (t == NEVER)
                snprintf(buf, size, "never");
        else
                snprintf(buf, size, "%.1f", (double) t / US);
        return buf;
}

/* The attempts per second of every policy, one line each, on a log scale; K dashed. */
static int svg(const char *path, const Options *o, Policy *pol, Result *res, size_t np) {
        static const char *const colours[P_MAX] = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd" };
        const double W = 760, H = 380, L = 70, R = 150, T = 40, B = 50;
        double xmax = 1, ymax = 10;
        FILE *f = fopen(path, "we");

        if (!f)
                return -errno;
        for (size_t i = 0; i < np; i++) {
                xmax = fmax(xmax, (double) res[i].seconds);
                for (size_t s = 0; s < res[i].seconds; s++)
                        ymax = fmax(ymax, res[i].per_sec[s]);
        }
        xmax = ceil(xmax / 10) * 10;
        ymax = pow(10, ceil(log10(ymax)));
#define X(s) (L + (s) / xmax * (W - L - R))
#define Y(v) (H - B - log10((v) < 1 ? 1 : (v)) / log10(ymax) * (H - T - B))
        fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                   "font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
        fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
        fprintf(f, "<text x=\"%.0f\" y=\"20\" font-size=\"14\">Login attempts per second the target sees: "
                   "N=%u, K=%.0f/s (bucket %.0f), start spread %.1f s, seed %" PRIu64 "</text>\n",
                L, o->n, o->k, o->burst, o->spread, o->seed);
        for (double v = 1; v <= ymax; v *= 10) {
                fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, W - R, Y(v), Y(v));
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n", L - 6, Y(v) + 4, v);
        }
        for (double s = 0; s <= xmax; s += xmax / 10) {
                fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", X(s), X(s), T, H - B);
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n", X(s), H - B + 16, s);
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">seconds after the target is back</text>\n",
                (L + W - R) / 2, H - 12);
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\" stroke-dasharray=\"6 4\"/>\n",
                L, W - R, Y(o->k), Y(o->k));
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">K (admitted/s)</text>\n", W - R + 6, Y(o->k) + 4);
        for (size_t i = 0; i < np; i++) {
                fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", colours[pol[i]]);
                for (size_t s = 0; s < res[i].seconds; s++)
                        fprintf(f, "%.1f,%.1f %.1f,%.1f ", X((double) s), Y(res[i].per_sec[s]), X((double) s + 1),
                                Y(res[i].per_sec[s]));
                fprintf(f, "\"/>\n<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s%s</text>\n", W - R + 6, T + 16 + 16.0 * (double) i,
                        colours[pol[i]], policy_names[pol[i]], res[i].failed ? " (some never)" : "");
        }
        fprintf(f, "</svg>\n");
#undef X
#undef Y
        return fclose(f) == 0 ? 0 : -errno;
}

static void usage(void) {
        fprintf(stderr, "usage: storm [-n N] [-k K] [-b BURST] [-s SPREAD] [-r connect|login] [-S SEED] [-o A:B] "
                        "[-m] [-g SVG] [-t TRACE] POLICY…\n       POLICY: sd-iscsi dracut iscsid propose\n");
        exit(2);
}

int main(int argc, char **argv) {
        Options o = { .n = 10000, .k = 1000, .burst = -1, .spread = 0, .seed = 1, .refuse = LOGIN_FAILED_PORTAL,
                      .outage_from = NEVER, .outage_to = NEVER };
        Policy pol[P_MAX * 2];
        Result res[P_MAX * 2];
        const char *svg_path = NULL, *trace_path = NULL;
        bool md = false;
        size_t np = 0;
        double bound;
        int opt;

        while ((opt = getopt(argc, argv, "n:k:b:s:r:S:o:mg:t:")) != -1)
                switch (opt) {
                case 'n': o.n = (uint32_t) strtoul(optarg, NULL, 10); break;
                case 'k': o.k = strtod(optarg, NULL); break;
                case 'b': o.burst = strtod(optarg, NULL); break;
                case 's': o.spread = strtod(optarg, NULL); break;
                case 'S': o.seed = strtoull(optarg, NULL, 0); break;
                case 'r':
                        if (strcmp(optarg, "connect") == 0)
                                o.refuse = LOGIN_FAILED_PORTAL;
                        else if (strcmp(optarg, "login") == 0)
                                o.refuse = LOGIN_FAILED_LOGIN;
                        else
                                usage();
                        break;
                case 'o': {
                        double a, b;
                        if (sscanf(optarg, "%lf:%lf", &a, &b) != 2 || a < 0 || b < a)
                                usage();
                        o.outage_from = (uint64_t) llround(a * US);
                        o.outage_to = (uint64_t) llround(b * US);
                        break;
                }
                case 'm': md = true; break;
                case 'g': svg_path = optarg; break;
                case 't': trace_path = optarg; break;
                default: usage();
                }
        if (o.n == 0 || o.k <= 0 || optind == argc || argc - optind > (int) (sizeof pol / sizeof pol[0]))
                usage();
        if (o.burst < 0)
                o.burst = o.k;
        if (o.burst < 1)
                o.burst = 1;
        /* No schedule logs everyone in sooner: the full bucket, then K a second. */
        bound = o.n > o.burst ? (o.n - o.burst) / o.k : 0;
        for (int i = optind; i < argc; i++) {
                Policy p = P_MAX;
                for (int j = 0; j < P_MAX; j++)
                        if (strcmp(argv[i], policy_names[j]) == 0)
                                p = (Policy) j;
                if (p == P_MAX)
                        usage();
                pol[np++] = p;
        }

        if (!md)
                printf("# N=%u K=%.0f/s bucket=%.0f spread=%.1fs refused=%s seed=%" PRIu64 "; lower bound (N-bucket)/K=%.1fs\n",
                       o.n, o.k, o.burst, o.spread, o.refuse == LOGIN_FAILED_PORTAL ? "connect" : "login", o.seed,
                       bound);
        if (!md)
                printf("%-9s %8s %8s %8s %7s %10s %7s %8s %7s %7s %8s %7s %7s %8s %5s\n", "policy", "all-up", "50%",
                       "99%", "failed", "attempts", "per-cl", "peak/s", "p50/s", "p99/s", "peak/K", "ok-pk/s",
                       "xbound", "x", "cpu");
        for (size_t i = 0; i < np; i++) {
                FILE *trace = NULL;
                char a[32], b[32], c[32], rb[32], x[32];

                if (trace_path && i == 0 && !(trace = fopen(trace_path, "we"))) {
                        perror(trace_path);
                        return 1;
                }
                run(pol[i], &o, &res[i], trace);
                if (trace)
                        fclose(trace);
                snprintf(rb, sizeof rb, "-");
                if (res[i].all_up != NEVER && bound > 0)
                        snprintf(rb, sizeof rb, "%.2f", (double) res[i].all_up / US / bound);
                snprintf(x, sizeof x, "%s", "-");
                if (res[i].all_up != NEVER && res[0].all_up != NEVER && res[0].all_up > 0)
                        snprintf(x, sizeof x, "%.2f", (double) res[i].all_up / (double) res[0].all_up);
                if (md)
                        printf("| %u | %.0f | %.0f | %s | %s | %s | %s | %u | %" PRIu64 " | %.1f | %u | %u | %u | %.1f | %u | %s | %s |\n",
                               o.n, o.k, o.spread, policy_names[pol[i]], secs(res[i].all_up, a, sizeof a),
                               secs(res[i].up50, b, sizeof b), secs(res[i].up99, c, sizeof c), res[i].failed,
                               res[i].attempts, (double) res[i].attempts / o.n, res[i].peak, res[i].p50, res[i].p99,
                               res[i].peak / o.k, res[i].peak_ok, rb, x);
                else
                        printf("%-9s %8s %8s %8s %7u %10" PRIu64 " %7.1f %8u %7u %7u %8.1f %7u %7s %8s %5.1f\n",
                               policy_names[pol[i]], secs(res[i].all_up, a, sizeof a), secs(res[i].up50, b, sizeof b),
                               secs(res[i].up99, c, sizeof c), res[i].failed, res[i].attempts,
                               (double) res[i].attempts / o.n, res[i].peak, res[i].p50, res[i].p99, res[i].peak / o.k,
                               res[i].peak_ok, rb, x, res[i].cpu);
        }
        if (svg_path) {
                int r = svg(svg_path, &o, pol, res, np);
                if (r < 0) {
                        fprintf(stderr, "storm: %s: %s\n", svg_path, strerror(-r));
                        return 1;
                }
        }
        for (size_t i = 0; i < np; i++) {
                free(res[i].per_sec);
                free(res[i].ok_per_sec);
        }
        return 0;
}
