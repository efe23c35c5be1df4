/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The login helper: one session, logged in as fast as the network allows.
 *
 * No discovery round trip: the node record is written directly (mode 0600: it holds
 * the CHAP secrets, which therefore never reach argv, the environment or a log). Before
 * each attempt we wait for a route to the portal (event-driven, via rtnetlink): a login
 * sent before the route exists costs open-iscsi a 3 s reconnect. The first attempt, and
 * every one after an attempt that reached the portal, goes straight to iscsiadm: a target
 * logs a connection that is closed without a login PDU as a failed login (LIO: "iSCSI
 * Login negotiation failed."). Only after an attempt that did not reach the portal
 * (refused, unreachable, timed out) does the next one wait for it with a plain TCP
 * connect first, which honours the budget and the grace where iscsid's login_timeout
 * would not; a refused connect never reaches the target's log.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "commands.h"
#include "credentials.h"
#include "lease.h"
#include "log.h"
#include "login.h"
#include "paths.h"
#include "record.h"
#include "retry.h"
#include "units.h"
#include "util.h"

/* The retry schedule is login_next_wait()'s (retry.c, LOGIN_BACKOFF_*_USEC in retry.h):
 * a refused or unanswered connect costs the target nothing but a reset, so a portal that
 * is not listening yet is probed more often (LOGIN_PROBE_BACKOFF_MAX_USEC); only logins
 * that reached the portal back off to LOGIN_BACKOFF_MAX_USEC. */
#define PROBE_TIMEOUT_USEC (3 * USEC_PER_SEC)
/* While the root device may yet appear and start a grace, waits wake this often to
 * look for it (one access()), so that the grace starts within a second of it. */
#define ROOT_CHECK_USEC (1 * USEC_PER_SEC)

uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static int write_rendered(const char *path, int (*render)(FILE *f, const Config *c, const Session *s),
                          const Config *c, const Session *s) {
        _cleanup_erase_ char *text = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&text, &size);
        if (!f)
                return log_oom();
        r = render(f, c, s);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        if (r < 0)
                return log_error_errno(r, "Failed to format %s: %m", path);
        r = write_file_atomic(path, text, size, 0600);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", path);
        return 0;
}

static int render_record(FILE *f, const Config *c, const Session *s) {
        return login_write_record(f, c, s);
}

static int render_iface(FILE *f, const Config *c, const Session *s) {
        return login_write_iface(f, s);
}

static int write_records(const Config *c, const Session *s) {
        char rel[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];
        int r;

        r = login_record_path(s, rel, sizeof rel);
        if (r < 0)
                return log_error_errno(r, "Cannot name a node record for target %s.", s->target);

        if (!isempty(s->iface) && strcmp(s->iface, "default") != 0) {
                r = runtime_path(ISCSI_IFACE_DIR, dir, sizeof dir);
                if (r < 0 || snprintf(path, sizeof path, "%s/%s", dir, s->iface) >= (int) sizeof path)
                        return -ENAMETOOLONG;
                r = write_rendered(path, render_iface, c, s);
                if (r < 0)
                        return r;
        }

        r = runtime_path(ISCSI_NODE_DIR, dir, sizeof dir);
        if (r < 0 || snprintf(path, sizeof path, "%s/%s", dir, rel) >= (int) sizeof path)
                return -ENAMETOOLONG;
        return write_rendered(path, render_record, c, s);
}
/* reason: why the helper stopped retrying (state "failed"), else NULL. */
static void save_state(const Session *s, const char *state, const Attempt *a, const char *reason) {
        char dir[PATH_MAX], path[PATH_MAX], text[768], rejected[32] = "";
        int n;

        if (runtime_path(SD_ISCSI_STATE_DIR, dir, sizeof dir) < 0 ||
            snprintf(path, sizeof path, "%s/%s", dir, s->id) >= (int) sizeof path)
                return;
        /* Only when there were refusals: the common record stays as readers know it. */
        if (a->rejections > 0)
                snprintf(rejected, sizeof rejected, "REJECTED=%u\n", a->rejections);
        n = snprintf(text, sizeof text, "STATE=%s\nATTEMPT=%u\nERROR=%s\n%s%s%s%s", state, a->number, a->error,
                     rejected, reason ? "REASON=" : "", strempty(reason), reason ? "\n" : "");
        if (n > 0 && (size_t) n < sizeof text)
                (void) write_file_atomic(path, text, (size_t) n, 0644);
}

void fail_attempt(Attempt *a, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(a->error, sizeof a->error, fmt, ap);
        va_end(ap);
}

static int resolve_portal(const Session *s, struct sockaddr_storage *ret, socklen_t *ret_len, Attempt *a) {
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV }, *res = NULL;
        char port[8];
        int r;

        snprintf(port, sizeof port, "%u", s->port);
        r = getaddrinfo(s->portal, port, &hints, &res);
        if (r != 0) {
                fail_attempt(a, "cannot resolve portal %s: %s", s->portal, gai_strerror(r));
                return -EHOSTUNREACH;
        }
        memcpy(ret, res->ai_addr, res->ai_addrlen);
        *ret_len = res->ai_addrlen;
        freeaddrinfo(res);
        return 0;
}

/* A UDP connect() only consults the routing table: no packet is sent. */
static int have_route(const struct sockaddr_storage *addr, socklen_t len) {
        _cleanup_close_ int fd = socket(addr->ss_family, SOCK_DGRAM|SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        if (connect(fd, (const struct sockaddr *) addr, len) < 0)
                return -errno;
        return 0;
}

uint64_t remaining(uint64_t deadline, uint64_t cap) {
        uint64_t n = now_usec();

        if (deadline == 0)
                return cap;
        if (n >= deadline)
                return 0;
        return deadline - n < cap ? deadline - n : cap;
}

/* What ends a login's retries: the budget, and once the root device is there (and this
 * login is not the root's own), the grace. */
typedef struct Limits {
        const Config *config;
        uint64_t budget_end;            /* 0: no budget */
        const char *root_device;        /* as the model names it; NULL: nothing to wait on */
        char root_path[PATH_MAX];       /* the same below $SD_ISCSI_ROOT */
        uint64_t root_seen;             /* CONFIG_USEC_INFINITY: not (yet) there */
} Limits;

static void format_span(char *buf, size_t size, uint64_t usec) {
        if (usec == CONFIG_USEC_INFINITY)
                snprintf(buf, size, "infinity");
        else if (usec % USEC_PER_SEC == 0)
                snprintf(buf, size, "%llus", (unsigned long long) (usec / USEC_PER_SEC));
        else
                snprintf(buf, size, "%llums", (unsigned long long) (usec / USEC_PER_MSEC));
}

/* Called at every wakeup of the retry loop: one access() on the device node. */
static void limits_check_root(Limits *l, const Session *s) {
        char grace[32];

        if (!l->root_device || l->root_seen != CONFIG_USEC_INFINITY || access(l->root_path, F_OK) < 0)
                return;
        l->root_seen = now_usec();
        if (l->config->grace_usec == CONFIG_USEC_INFINITY)
                return;
        format_span(grace, sizeof grace, l->config->grace_usec);
        log_info("The root device %s is present: trying %s at %s:%u for %s more (rd.iscsi.grace=).",
                 l->root_device, s->target, s->portal, s->port, grace);
}

/* How long a wait may sleep before it looks for the root device again. */
static uint64_t limits_wakeup(const Limits *l, uint64_t cap) {
        if (l->root_device && l->root_seen == CONFIG_USEC_INFINITY &&
            l->config->grace_usec != CONFIG_USEC_INFINITY && cap > ROOT_CHECK_USEC)
                return ROOT_CHECK_USEC;
        return cap;
}

/* The end of the current attempt's waits (0: none), after looking for the root device. */
static uint64_t limits_deadline(Limits *l, const Session *s) {
        uint64_t end;

        limits_check_root(l, s);
        if (login_limit_end(l->budget_end, l->root_seen, l->config->grace_usec, &end) == LOGIN_LIMIT_NONE)
                return 0;
        return end;
}

int poll_usec(int fd, short events, uint64_t usec) {
        struct pollfd p = { .fd = fd, .events = events };
        int r;

        r = poll(&p, 1, (int) ((usec + 999) / 1000));
        if (r < 0)
                return -errno;
        return r == 0 ? -ETIMEDOUT : 0;
}

static int wait_for_route(const struct sockaddr_storage *addr, socklen_t len, Limits *l, const Session *s,
                          Attempt *a) {
        _cleanup_close_ int nl = -EBADF;
        struct sockaddr_nl snl = {
                .nl_family = AF_NETLINK,
                .nl_groups = RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_LINK,
        };
        int r;

        /* Subscribe before the first check, so that no change between the two is missed. */
        nl = socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC|SOCK_NONBLOCK, NETLINK_ROUTE);
        if (nl >= 0 && bind(nl, (struct sockaddr *) &snl, sizeof snl) < 0)
                nl = -errno;

        for (;;) {
                char buf[8192];
                uint64_t left;

                r = have_route(addr, len);
                if (r >= 0)
                        return 0;
                if (r != -ENETUNREACH && r != -EHOSTUNREACH && r != -EADDRNOTAVAIL) {
                        fail_attempt(a, "cannot route to portal: %s", strerror(-r));
                        return r;
                }
                /* The cap also bounds how late a root device that appears meanwhile is seen. */
                left = remaining(limits_deadline(l, s), limits_wakeup(l, 5 * USEC_PER_SEC));
                if (left == 0) {
                        fail_attempt(a, "no route to the portal");
                        return -ENETUNREACH;
                }
                if (nl < 0) {
                        /* No rtnetlink (tests without privileges): fall back to polling. */
                        usleep((useconds_t) (left < 100 * USEC_PER_MSEC ? left : 100 * USEC_PER_MSEC));
                        continue;
                }
                r = poll_usec(nl, POLLIN, left);
                if (r == -ETIMEDOUT)
                        continue;
                if (r < 0)
                        return r;
                while (recv(nl, buf, sizeof buf, MSG_DONTWAIT) > 0)
                        ;
        }
}

static int probe_portal(const struct sockaddr_storage *addr, socklen_t len, Limits *l, Attempt *a,
                        const Session *s) {
        _cleanup_close_ int fd = socket(addr->ss_family, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0);
        uint64_t probe_end = now_usec() + PROBE_TIMEOUT_USEC;
        socklen_t elen = sizeof(int);
        int err = 0, r;

        if (fd < 0)
                return -errno;
        if (connect(fd, (const struct sockaddr *) addr, len) < 0) {
                if (errno != EINPROGRESS) {
                        err = errno;
                        goto fail;
                }
                for (;;) {
                        uint64_t end = limits_deadline(l, s), left;

                        left = remaining(end != 0 && end < probe_end ? end : probe_end,
                                         limits_wakeup(l, PROBE_TIMEOUT_USEC));
                        if (left == 0) {
                                r = -ETIMEDOUT;
                                break;
                        }
                        r = poll_usec(fd, POLLOUT, left);
                        if (r != -ETIMEDOUT)
                                break;
                }
                if (r == -ETIMEDOUT) {
                        err = ETIMEDOUT;
                        goto fail;
                }
                if (r < 0)
                        return r;
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
                        return -errno;
                if (err != 0)
                        goto fail;
        }
        return 0;
fail:
        fail_attempt(a, "portal %s port %u: %s", s->portal, s->port, strerror(err));
        return -err;
}

/* The random number of a wait's jitter. */
static uint32_t jitter_random(void) {
        uint32_t rnd = 0;

        if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
                rnd = (uint32_t) now_usec();
        return rnd;
}

/* detail: what follows the attempt number; NULL: the attempt's error. */
static void notify_status(const Session *s, const Attempt *a, const char *what, const char *detail) {
        char msg[768];

        detail = detail ?: a->error;
        snprintf(msg, sizeof msg, "STATUS=%s %s at %s:%u (attempt %u)%s%s", what, s->target, s->portal,
                 s->port, a->number, detail[0] ? ": " : "", detail);
        (void) sd_notify(0, msg);
}

/* One line on the console, whatever the journal forwards: a boot that stops because of a
 * login must say why where the user looks. Through the kernel log at error level, which
 * "quiet" (console loglevel 4) still prints. Relocated with $SD_ISCSI_ROOT, so that tests
 * read it from a file and never write to the host's kernel log. */
static void console_line(const char *text) {
        char path[PATH_MAX], line[1024];
        _cleanup_close_ int fd = -EBADF;
        int n;

        if (runtime_path("/dev/kmsg", path, sizeof path) < 0)
                return;
        fd = open(path, O_WRONLY|O_APPEND|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return;
        n = snprintf(line, sizeof line, "<3>sd-iscsi[%d]: %s\n", (int) getpid(), text);
        if (n > (int) sizeof line - 1)
                n = (int) sizeof line - 1, line[n - 1] = '\n';
        if (n > 0)
                (void) !write(fd, line, (size_t) n);
}

static int give_up(const Limits *l, const Session *s, Attempt *a, LoginLimit why) {
        char reason[256], span[32], line[1024];

        if (why == LOGIN_LIMIT_REJECTED)
                snprintf(reason, sizeof reason, "login refused %u times: %s", a->rejections,
                         strempty(a->rejected));
        else if (why == LOGIN_LIMIT_BUDGET)
                snprintf(reason, sizeof reason, "login budget of %llus exhausted",
                         (unsigned long long) (l->config->timeout_usec / USEC_PER_SEC));
        else {
                format_span(span, sizeof span, l->config->grace_usec);
                snprintf(reason, sizeof reason, "root device %s present, grace of %s (rd.iscsi.grace=) over",
                         l->root_device, span);
        }
        save_state(s, "failed", a, reason);
        notify_status(s, a, "Gave up on", why == LOGIN_LIMIT_REJECTED ? reason : NULL);
        snprintf(line, sizeof line, "Giving up on %s at %s:%u: %s after %u attempt(s). Last error: %s",
                 s->target, s->portal, s->port, reason, a->number, a->error);
        /* A grace ends a login the root does not need: the boot goes on, nothing to say
         * on the console. */
        if (why != LOGIN_LIMIT_GRACE)
                console_line(line);
        return log_error_errno(why == LOGIN_LIMIT_REJECTED ? EACCES : ETIMEDOUT, "%s", line);
}

static int login_session(const Config *c, const Session *s, uint64_t start) {
        _cleanup_free_ char *root_device = NULL;
        Limits l = {
                .config = c,
                .budget_end = c->timeout_usec ? start + c->timeout_usec : 0,
                .root_seen = CONFIG_USEC_INFINITY,
        };
        uint64_t backoff = LOGIN_BACKOFF_INITIAL_USEC;
        /* The last attempt did not reach the portal: this one waits for it with a probe. */
        bool probe = false;
        Attempt a = {};
        int r;

        r = write_records(c, s);
        if (r < 0)
                return r;

        /* Once the root device is there, a login still failing is for another path or
         * disk: it must not hold up the boot for ever. A login the root cannot do without
         * never gives up that way (initrd-root-device.target requires it: its failure
         * would stop the boot); without a root device in the model there is nothing to
         * wait on. */
        if (!login_carries_root(c, s) && config_root_device(c, &root_device) >= 0 &&
            runtime_path(root_device, l.root_path, sizeof l.root_path) >= 0)
                l.root_device = root_device;

        for (;;) {
                struct sockaddr_storage addr;
                socklen_t len;
                LoginFailure how = LOGIN_FAILED_PORTAL;
                uint64_t wait, t[4];
                LoginLimit why;

                a.number++;
                a.error[0] = 0;
                notify_status(s, &a, "Logging in to", NULL);
                save_state(s, "logging-in", &a, NULL);

                /* Where the time goes, per phase: the first thing to look at when a boot is slow. */
                t[0] = now_usec();
                r = resolve_portal(s, &addr, &len, &a);
                if (r >= 0 && c->testroute)
                        r = wait_for_route(&addr, len, &l, s, &a);
                t[1] = now_usec();
                if (r >= 0 && probe)
                        r = probe_portal(&addr, len, &l, &a, s);
                t[2] = now_usec();
                if (r >= 0) {
                        how = LOGIN_FAILED_LOGIN;
                        r = run_iscsiadm(s, &a);
                        if (r == -EHOSTDOWN)
                                how = LOGIN_FAILED_PORTAL;
                }
                t[3] = now_usec();
                if (r >= 0) {
                        a.error[0] = 0;
                        save_state(s, "logged-in", &a, NULL);
                        notify_status(s, &a, "Logged in to", NULL);
                        log_info("Logged in to %s at %s:%u after %u attempt(s), %.2fs "
                                 "(route %.2fs, portal %.2fs, iscsiadm %.2fs).", s->target, s->portal,
                                 s->port, a.number, (double) (now_usec() - start) / USEC_PER_SEC,
                                 (double) (t[1] - t[0]) / USEC_PER_SEC, (double) (t[2] - t[1]) / USEC_PER_SEC,
                                 (double) (t[3] - t[2]) / USEC_PER_SEC);
                        return 0;
                }

                if (r == -EACCES) {
                        log_warning("Attempt %u to log in to %s at %s:%u rejected (%u of %u): %s: %s", a.number,
                                    s->target, s->portal, s->port, a.rejections, LOGIN_REJECTIONS_MAX, a.error,
                                    a.rejected);
                        /* Not the retry class's pace: a target that refused once most likely
                         * refuses again, and a thousand clients with a mistyped secret must
                         * not become a login storm. */
                        how = LOGIN_FAILED_REJECTED;
                } else
                        log_warning("Attempt %u to log in to %s at %s:%u failed: %s", a.number, s->target,
                                    s->portal, s->port, a.error);
                probe = how == LOGIN_FAILED_PORTAL;
                wait = login_next_wait(&backoff, how, a.rejections, jitter_random());
                limits_check_root(&l, s);
                why = login_give_up(now_usec() + wait, l.budget_end, l.root_seen, c->grace_usec, a.rejections);
                if (why != LOGIN_LIMIT_NONE)
                        return give_up(&l, s, &a, why);
                notify_status(s, &a, "Retrying login to", NULL);
                usleep((useconds_t) wait);
        }
}

/* The CHAP strings from $CREDENTIALS_DIRECTORY (credentials.c). A missing, misspelt or
 * unusable credential ends the login at once, like a refusal: retrying cannot help. */
static int apply_credentials(Session *s) {
        Attempt a = {};
        char line[512];

        if (credentials_apply(s, getenv("CREDENTIALS_DIRECTORY"), true, true, a.error, sizeof a.error) >= 0)
                return 0;
        save_state(s, "failed", &a, a.error);
        notify_status(s, &a, "Cannot log in to", a.error);
        snprintf(line, sizeof line, "Cannot log in to %s at %s:%u: %s.", s->target, s->portal, s->port, a.error);
        console_line(line);
        return log_error_errno(EACCES, "%s", line);
}

int login_run(const char *id) {
        _cleanup_(config_done) Config c;
        uint64_t start = now_usec();
        Session *s = NULL;
        int r;

        config_init(&c);
        if (strcmp(id, DHCP_SESSION_ID) == 0) {
                r = config_load(&c, CONFIG_WITH_SECRETS|CONFIG_NO_DHCP);
                if (r < 0)
                        return log_error_errno(r, "Failed to read the iSCSI boot configuration: %m");
                r = load_dhcp_session(&c, c.timeout_usec ? start + c.timeout_usec : 0, &s);
                if (r == -EOPNOTSUPP) {
                        log_notice("The DHCP root path is not an iSCSI spec: nothing to log in to.");
                        return 0;
                }
                if (r < 0)
                        return r;
                log_info("DHCP root path: target %s on %s:%u, LUN %llu.", s->target, s->portal, s->port,
                         (unsigned long long) s->lun);
                r = apply_credentials(s);
                if (r < 0)
                        return r;
                if (s->root) {
                        r = write_root_rule(&c, s);
                        if (r < 0)
                                return r;
                }
                return login_session(&c, s, start);
        }

        r = config_load(&c, CONFIG_WITH_SECRETS);
        if (r < 0)
                return log_error_errno(r, "Failed to read the iSCSI boot configuration: %m");
        s = config_find_session(&c, id);
        if (!s)
                return log_error_errno(ENOENT, "No iSCSI session '%s' in the boot configuration.", id);
        r = apply_credentials(s);
        if (r < 0)
                return r;
        return login_session(&c, s, start);
}
