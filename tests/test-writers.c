/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure writers (units, node record, show) and the helpers they rely on. The model is
 * built by hand here, so these tests do not depend on the parsers. */
#include <check.h>
#include <errno.h>

#include "config.h"
#include "record.h"
#include "retry.h"
#include "show.h"
#include "units.h"
#include "util.h"


static char *render(int (*fn)(FILE *f, const Config *c, const Session *s), const Config *c, const Session *s) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fn(f, c, s), 0);
        ck_assert_int_eq(fclose(f), 0);
        return text;
}

static void add(Config *c, const char *target, const char *portal, uint16_t port, uint64_t lun, bool root) {
        Session s = {
                .source = SOURCE_CMDLINE,
                .target = strdup(target),
                .portal = strdup(portal),
                .port = port,
                .tpgt = 1,
                .lun = lun,
                .nic = -1,
                .root = root,
        };
        ck_assert_int_ge(config_add_session(c, &s), 0);
}

START_TEST(test_login_unit) {
        _cleanup_(config_done) Config c;
        _cleanup_free_ char *text = NULL;

        config_init(&c);
        add(&c, "iqn.2009-06.dracut:target0", "192.168.50.1", 3260, 0, false);
        text = render(unit_write_login, &c, &c.sessions[0]);
        ck_assert_ptr_nonnull(strstr(text, UNIT_HEADER));
        ck_assert_ptr_nonnull(strstr(text, "Description=iSCSI login to iqn.2009-06.dracut:target0 on 192.168.50.1:3260\n"));
        ck_assert_ptr_nonnull(strstr(text, "ExecStart=" BINDIR "/sd-iscsi login cmdline-0\n"));
        ck_assert_ptr_nonnull(strstr(text, "Before=initrd-root-device.target sysroot.mount\n"));
        ck_assert_ptr_nonnull(strstr(text, "TimeoutStartSec=infinity\n"));
        /* No interface known: no wait-online at all (never for all links). */
        ck_assert_ptr_null(strstr(text, "wait-online"));
}
END_TEST

START_TEST(test_login_unit_netdev_budget_ipv6) {
        _cleanup_(config_done) Config c;
        _cleanup_free_ char *text = NULL, *text2 = NULL;

        config_init(&c);
        c.timeout_usec = 90 * 1000000ULL;
        add(&c, "iqn.2009-06.dracut:t", "2001:db8::1", 3261, 2, false);
        c.sessions[0].netdev = strdup("eth1");
        c.waitnet = true;
        text = render(unit_write_login, &c, &c.sessions[0]);
        ck_assert_ptr_nonnull(strstr(text, "on [2001:db8::1]:3261\n"));
        ck_assert_ptr_nonnull(strstr(text, "Wants=systemd-networkd-wait-online@eth1.service\n"));
        ck_assert_ptr_nonnull(strstr(text, "After=systemd-networkd-wait-online@eth1.service\n"));
        ck_assert_ptr_nonnull(strstr(text, "TimeoutStartSec=120s\n"));

        c.waitnet = false;
        text2 = render(unit_write_login, &c, &c.sessions[0]);
        ck_assert_ptr_null(strstr(text2, "wait-online"));
}
END_TEST

static int render_mount(FILE *f, const Config *c, const Session *s) {
        _cleanup_free_ char *dev = NULL;
        ck_assert_int_eq(config_root_device(c, &dev), 0);
        return unit_write_sysroot_mount(f, c, s, dev);
}

START_TEST(test_sysroot_mount) {
        _cleanup_(config_done) Config c;
        _cleanup_free_ char *text = NULL, *text2 = NULL;

        config_init(&c);
        add(&c, "iqn.2009-06.dracut:t", "10.0.0.1", 3260, 1, true);
        text = render(render_mount, &c, &c.sessions[0]);
        ck_assert_ptr_nonnull(strstr(text, "What=/dev/disk/by-path/ip-10.0.0.1:3260-iscsi-iqn.2009-06.dracut:t-lun-1\n"));
        ck_assert_ptr_nonnull(strstr(text, "Where=/sysroot\n"));
        ck_assert_ptr_nonnull(strstr(text, "Options=ro\n"));
        ck_assert_ptr_null(strstr(text, "Type="));

        c.rootfstype = strdup("ext4");
        c.rootflags = strdup("noatime,discard");
        c.root_rw = 1;
        text2 = render(render_mount, &c, &c.sessions[0]);
        ck_assert_ptr_nonnull(strstr(text2, "Type=ext4\n"));
        ck_assert_ptr_nonnull(strstr(text2, "Options=rw,noatime,discard\n"));
}
END_TEST

START_TEST(test_root_device) {
        static const struct {
                const char *root, *device;
        } cases[] = {
                { "LABEL=root",        "/dev/disk/by-label/root" },
                { "LABEL=my root/x",   "/dev/disk/by-label/my\\x20root\\x2fx" },
                { "UUID=0a1b-22",      "/dev/disk/by-uuid/0a1b-22" },
                { "PARTUUID=abc",      "/dev/disk/by-partuuid/abc" },
                { "PARTLABEL=p",       "/dev/disk/by-partlabel/p" },
                { "/dev/sda1",         "/dev/sda1" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(config_done) Config c;
                _cleanup_free_ char *dev = NULL;

                config_init(&c);
                c.root = strdup(cases[i].root);
                ck_assert_int_eq(config_root_device(&c, &dev), 0);
                ck_assert_str_eq(dev, cases[i].device);
        }

        {
                _cleanup_(config_done) Config c;
                char *dev = NULL;

                config_init(&c);
                ck_assert_int_eq(config_root_device(&c, &dev), -ENOENT);
                c.root = strdup("ZFS=pool");
                ck_assert_int_eq(config_root_device(&c, &dev), -ENOENT);
                c.root[0] = 'L';
                free(c.root);
                c.root = strdup("LABEL=");
                ck_assert_int_eq(config_root_device(&c, &dev), -ENOENT);
        }
}
END_TEST

START_TEST(test_unit_name_from_path) {
        static const struct {
                const char *path, *name;
        } cases[] = {
                { "/dev/disk/by-label/root", "dev-disk-by\\x2dlabel-root.device" },
                { "/dev/disk/by-path/ip-10.0.0.1:3260-iscsi-iqn.2009-06.dracut:t-lun-1",
                  "dev-disk-by\\x2dpath-ip\\x2d10.0.0.1:3260\\x2discsi\\x2diqn.2009\\x2d06.dracut:t\\x2dlun\\x2d1.device" },
                { "/dev/disk/by-label/my\\x20root", "dev-disk-by\\x2dlabel-my\\x5cx20root.device" },
                { "//dev//sda/", "dev-sda.device" },
                { "/", "-.device" },
                { "/.hidden", "\\x2ehidden.device" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *n = NULL;
                ck_assert_int_eq(unit_name_from_path(cases[i].path, ".device", &n), 0);
                ck_assert_str_eq(n, cases[i].name);
        }
}
END_TEST

static int render_timeout(FILE *f, const Config *c, const Session *s) {
        return unit_write_device_timeout(f, c);
}

START_TEST(test_device_timeout) {
        _cleanup_(config_done) Config c;
        _cleanup_free_ char *a = NULL, *b = NULL;

        config_init(&c);
        a = render(render_timeout, &c, NULL);
        ck_assert_ptr_nonnull(strstr(a, "JobRunningTimeoutSec=infinity\n"));
        c.timeout_usec = 300 * 1000000ULL + 1;
        b = render(render_timeout, &c, NULL);
        ck_assert_ptr_nonnull(strstr(b, "JobRunningTimeoutSec=30s\n"));
}
END_TEST

START_TEST(test_record) {
        _cleanup_(config_done) Config c;
        _cleanup_free_ char *text = NULL;
        char path[512];
        Session *s;

        config_init(&c);
        add(&c, "iqn.2009-06.dracut:t", "10.0.0.1", 3260, 0, true);
        s = &c.sessions[0];
        s->chap.username = strdup("u");
        s->chap.password = strdup("SECRETpw");
        s->chap.has_password = true;
        s->chap.in_username = strdup("ru");
        s->chap.in_password = strdup("SECRETin");
        s->chap.has_in_password = true;
        c.params = calloc(2, sizeof(char *));
        c.params[c.n_params++] = strdup("node.session.timeo.replacement_timeout=30");
        c.params[c.n_params++] = strdup("node.session.cmds_max=64");

        text = render(login_write_record, &c, s);
        ck_assert_ptr_nonnull(strstr(text, "node.name = iqn.2009-06.dracut:t\n"));
        ck_assert_ptr_nonnull(strstr(text, "node.startup = onboot\n"));
        ck_assert_ptr_nonnull(strstr(text, "node.conn[0].timeo.noop_out_interval = 0\n"));
        ck_assert_ptr_nonnull(strstr(text, "node.conn[0].timeo.noop_out_timeout = 0\n"));
        ck_assert_ptr_nonnull(strstr(text, "node.session.auth.authmethod = CHAP\n"));
        ck_assert_ptr_nonnull(strstr(text, "node.session.auth.password = SECRETpw\n"));
        ck_assert_ptr_nonnull(strstr(text, "node.session.auth.password_in = SECRETin\n"));
        /* rd.iscsi.param= wins over our default, and the default is not written twice. */
        ck_assert_ptr_nonnull(strstr(text, "node.session.timeo.replacement_timeout = 30\n"));
        ck_assert_ptr_null(strstr(text, "replacement_timeout = 86400"));
        ck_assert_ptr_nonnull(strstr(text, "node.session.cmds_max = 64\n"));

        ck_assert_int_eq(login_record_path(s, path, sizeof path), 0);
        ck_assert_str_eq(path, "iqn.2009-06.dracut:t/10.0.0.1,3260,1/default");
        free(s->target);
        s->target = strdup("../../etc");
        ck_assert_int_eq(login_record_path(s, path, sizeof path), -EINVAL);
}
END_TEST

START_TEST(test_record_without_auth) {
        _cleanup_(config_done) Config c;
        _cleanup_free_ char *text = NULL;

        config_init(&c);
        add(&c, "iqn.2009-06.dracut:t", "10.0.0.1", 3260, 0, false);
        text = render(login_write_record, &c, &c.sessions[0]);
        ck_assert_ptr_nonnull(strstr(text, "node.session.auth.authmethod = None\n"));
        ck_assert_ptr_null(strstr(text, "auth.username"));
        ck_assert_ptr_nonnull(strstr(text, "node.session.timeo.replacement_timeout = 86400\n"));
}
END_TEST

static int render_show(FILE *f, const Config *c, const Session *s) {
        ShowContext ctx = { .config = c };
        return s ? show_text(f, &ctx) : show_json(f, &ctx);
}

#define S 1000000ULL
#define INF CONFIG_USEC_INFINITY

START_TEST(test_login_give_up) {
        uint64_t end;

        /* No budget, no root device (or this login is the root's own): retry for ever. */
        ck_assert_int_eq(login_limit_end(0, INF, 10 * S, &end), LOGIN_LIMIT_NONE);
        ck_assert_uint_eq(end, INF);
        ck_assert_int_eq(login_give_up(UINT64_MAX - 1, 0, INF, 10 * S, 0), LOGIN_LIMIT_NONE);
        ck_assert_int_eq(login_give_up(UINT64_MAX - 1, 0, INF, 0, 0), LOGIN_LIMIT_NONE);

        /* The default grace: the root device seen at 100 s, the last retry starts before 110 s. */
        ck_assert_int_eq(login_limit_end(0, 100 * S, CONFIG_GRACE_DEFAULT_USEC, &end), LOGIN_LIMIT_GRACE);
        ck_assert_uint_eq(end, 110 * S);
        ck_assert_int_eq(login_give_up(99 * S, 0, 100 * S, CONFIG_GRACE_DEFAULT_USEC, 0), LOGIN_LIMIT_NONE);
        ck_assert_int_eq(login_give_up(110 * S - 1, 0, 100 * S, CONFIG_GRACE_DEFAULT_USEC, 0), LOGIN_LIMIT_NONE);
        ck_assert_int_eq(login_give_up(110 * S, 0, 100 * S, CONFIG_GRACE_DEFAULT_USEC, 0), LOGIN_LIMIT_GRACE);
        ck_assert_int_eq(login_give_up(500 * S, 0, 100 * S, CONFIG_GRACE_DEFAULT_USEC, 0), LOGIN_LIMIT_GRACE);

        /* Grace 0: give up as soon as the root device is there. */
        ck_assert_int_eq(login_give_up(100 * S, 0, 100 * S, 0, 0), LOGIN_LIMIT_GRACE);
        ck_assert_int_eq(login_give_up(100 * S - 1, 0, 100 * S, 0, 0), LOGIN_LIMIT_NONE);

        /* rd.iscsi.grace=infinity: the old behaviour, only a budget ends the login. */
        ck_assert_int_eq(login_give_up(UINT64_MAX - 1, 0, 100 * S, INF, 0), LOGIN_LIMIT_NONE);
        ck_assert_int_eq(login_give_up(130 * S, 130 * S, 100 * S, INF, 0), LOGIN_LIMIT_BUDGET);

        /* Budget and grace: whichever ends first. */
        ck_assert_int_eq(login_limit_end(130 * S, 100 * S, 10 * S, &end), LOGIN_LIMIT_GRACE);
        ck_assert_uint_eq(end, 110 * S);
        ck_assert_int_eq(login_limit_end(105 * S, 100 * S, 10 * S, &end), LOGIN_LIMIT_BUDGET);
        ck_assert_uint_eq(end, 105 * S);
        ck_assert_int_eq(login_give_up(106 * S, 105 * S, 100 * S, 10 * S, 0), LOGIN_LIMIT_BUDGET);
        ck_assert_int_eq(login_give_up(111 * S, 130 * S, 100 * S, 10 * S, 0), LOGIN_LIMIT_GRACE);
        ck_assert_int_eq(login_give_up(109 * S, 130 * S, 100 * S, 10 * S, 0), LOGIN_LIMIT_NONE);
        /* A tie names the budget (the setting the user gave to bound the whole login). */
        ck_assert_int_eq(login_give_up(110 * S, 110 * S, 100 * S, 10 * S, 0), LOGIN_LIMIT_BUDGET);
        /* Budget only, no root device yet: as before the grace existed. */
        ck_assert_int_eq(login_give_up(29 * S, 30 * S, INF, 10 * S, 0), LOGIN_LIMIT_NONE);
        ck_assert_int_eq(login_give_up(30 * S, 30 * S, INF, 10 * S, 0), LOGIN_LIMIT_BUDGET);

        /* A grace that would overflow the clock ends never in practice, but never wraps. */
        ck_assert_int_eq(login_limit_end(0, 100 * S, UINT64_MAX - 1, &end), LOGIN_LIMIT_GRACE);
        ck_assert_uint_eq(end, UINT64_MAX - 1);
        ck_assert_int_eq(login_give_up(200 * S, 0, 100 * S, UINT64_MAX - 1, 0), LOGIN_LIMIT_NONE);
}
END_TEST

/* Every class of iscsiadm's exit status (open-iscsi's include/iscsi_err.h). */
START_TEST(test_login_classify) {
        static const struct {
                int status;
                LoginVerdict verdict;
                const char *why;        /* a word the explanation must hold; NULL: none */
        } table[] = {
                { 0,  LOGIN_VERDICT_OK,       NULL },
                { 15, LOGIN_VERDICT_OK,       NULL },           /* session exists */
                /* Refused for good: login status 0201/0202 … */
                { 24, LOGIN_VERDICT_REJECTED, "CHAP" },
                /* … the rest of class 2 (0203 not found, 0204 removed, 0205 version, …) */
                { 19, LOGIN_VERDICT_REJECTED, "no such target" },
                { 13, LOGIN_VERDICT_REJECTED, "access" },
                { 6,  LOGIN_VERDICT_REJECTED, "node record" },
                { 7,  LOGIN_VERDICT_REJECTED, "parameter" },
                { 21, LOGIN_VERDICT_REJECTED, "no node record" },
                { 14, LOGIN_VERDICT_REJECTED, "transport" },
                { 27, LOGIN_VERDICT_REJECTED, "transport" },
                /* Retried: the path, iscsid, a target that may answer later (class 3, 0301). */
                { 4,  LOGIN_VERDICT_RETRY,    "connection" },
                { 5,  LOGIN_VERDICT_RETRY,    "unavailable" },
                { 8,  LOGIN_VERDICT_RETRY,    "timed out" },
                { 11, LOGIN_VERDICT_RETRY,    "timed out" },
                { 12, LOGIN_VERDICT_RETRY,    "transport" },
                { 18, LOGIN_VERDICT_RETRY,    "iscsid" },
                { 20, LOGIN_VERDICT_RETRY,    "iscsid" },
                { 33, LOGIN_VERDICT_RETRY,    "iscsid" },
                { 28, LOGIN_VERDICT_RETRY,    "busy" },
                { 29, LOGIN_VERDICT_RETRY,    "busy" },
                { 32, LOGIN_VERDICT_RETRY,    "connection" },
                /* Unknown, generic or internal: retried, as every failure was before. */
                { 1,  LOGIN_VERDICT_RETRY,    NULL },
                { 3,  LOGIN_VERDICT_RETRY,    NULL },
                { 9,  LOGIN_VERDICT_RETRY,    NULL },
                { 2,  LOGIN_VERDICT_RETRY,    NULL },
                { 34, LOGIN_VERDICT_RETRY,    NULL },
                { 255, LOGIN_VERDICT_RETRY,   NULL },
                { -1, LOGIN_VERDICT_RETRY,    NULL },           /* killed by a signal */
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                const char *why = "unset";

                ck_assert_msg(login_classify(table[i].status, &why) == table[i].verdict, "status %d", table[i].status);
                if (table[i].why)
                        ck_assert_msg(why && strstr(why, table[i].why), "status %d: %s", table[i].status,
                                      why ?: "(null)");
                else
                        ck_assert_msg(!why, "status %d: %s", table[i].status, why);
        }
}
END_TEST

/* Which failures mean iscsid never reached the portal, so that the next attempt waits for
 * it with a TCP probe instead of another login (a probe that connects is a failed login
 * in the target's log: only a portal that did not answer is probed). */
START_TEST(test_login_status_unreached) {
        for (int status = -1; status < 256; status++) {
                const char *why;
                bool unreached = status == 4 || status == 8;

                ck_assert_msg(login_status_unreached(status) == unreached, "status %d", status);
                /* Never an answer from the target, and always retried. */
                if (unreached)
                        ck_assert_int_eq(login_classify(status, &why), LOGIN_VERDICT_RETRY);
        }
}
END_TEST

START_TEST(test_login_give_up_rejected) {
        uint64_t lo = 0, hi = 0;

        /* Refusals end the login after LOGIN_REJECTIONS_MAX, whatever the clock says … */
        for (unsigned n = 0; n < LOGIN_REJECTIONS_MAX; n++) {
                ck_assert_int_eq(login_give_up(1 * S, 0, INF, INF, n), LOGIN_LIMIT_NONE);
                ck_assert_int_eq(login_give_up(1 * S, 30 * S, INF, 10 * S, n), LOGIN_LIMIT_NONE);
        }
        ck_assert_int_eq(login_give_up(1 * S, 0, INF, INF, LOGIN_REJECTIONS_MAX), LOGIN_LIMIT_REJECTED);
        ck_assert_int_eq(login_give_up(0, 0, INF, 10 * S, LOGIN_REJECTIONS_MAX + 1), LOGIN_LIMIT_REJECTED);
        /* … and name the refusal rather than a budget or grace that ends at the same time. */
        ck_assert_int_eq(login_give_up(30 * S, 30 * S, INF, 10 * S, LOGIN_REJECTIONS_MAX), LOGIN_LIMIT_REJECTED);
        ck_assert_int_eq(login_give_up(200 * S, 0, 100 * S, 0, LOGIN_REJECTIONS_MAX), LOGIN_LIMIT_REJECTED);
        /* Fewer refusals than that: the budget still ends the login. */
        ck_assert_int_eq(login_give_up(30 * S, 30 * S, INF, 10 * S, 1), LOGIN_LIMIT_BUDGET);

        /* The waits between the attempts: 2, 4, 8 s, then the login fails. With the jitter's
         * extremes the refused login lasts 10.5 to 17.5 s of waits: a mistyped secret on a
         * thousand clients is four logins each, spread over that time, then none. */
        ck_assert_uint_eq(login_rejection_backoff(1), 2 * S);
        ck_assert_uint_eq(login_rejection_backoff(2), 4 * S);
        ck_assert_uint_eq(login_rejection_backoff(3), 8 * S);
        ck_assert_uint_eq(login_rejection_backoff(0), 2 * S);
        ck_assert_uint_eq(login_rejection_backoff(UINT32_MAX), 2048 * S);      /* no overflow */
        for (unsigned n = 1; n < LOGIN_REJECTIONS_MAX; n++) {
                lo += login_jitter(login_rejection_backoff(n), 0);
                hi += login_jitter(login_rejection_backoff(n), UINT32_MAX);
        }
        ck_assert_uint_ge(lo, 10 * S);
        ck_assert_uint_le(hi, 20 * S);

        /* The jitter: ±25%, from every random number. */
        ck_assert_uint_eq(login_jitter(2 * S, 0), 1500000);
        ck_assert_uint_eq(login_jitter(2 * S, 1000000), 2500000);
        ck_assert_uint_eq(login_jitter(2 * S, 1000001), 1500000);
        ck_assert_uint_le(login_jitter(2 * S, UINT32_MAX), 2500000);
        ck_assert_uint_eq(login_jitter(0, 12345), 0);
}
END_TEST

/* The retry schedule the login helper sleeps and bench/storm replays. A random number of
 * a quarter of the wait is the wait itself (login_jitter()'s centre). */
static uint64_t centre(uint64_t backoff, LoginFailure how, unsigned rejections) {
        uint64_t cap = how == LOGIN_FAILED_PORTAL ? LOGIN_PROBE_BACKOFF_MAX_USEC : LOGIN_BACKOFF_MAX_USEC;
        uint64_t w = how == LOGIN_FAILED_REJECTED ? login_rejection_backoff(rejections) : backoff < cap ? backoff : cap;

        return login_next_wait(&backoff, how, rejections, (uint32_t) (w / 4));
}

START_TEST(test_login_next_wait) {
        static const uint64_t portal[] = { 200000, 400000, 800000, 1000000, 1000000, 1000000 };
        static const uint64_t login[] = { 200000, 400000, 800000, 1600000, 2000000, 2000000 };
        uint64_t b, w, seed = 1;

        /* Portal not answering: 0.2, 0.4, 0.8 s, then every second; a login that fails
         * after the portal answered: up to 2 s. */
        b = LOGIN_BACKOFF_INITIAL_USEC;
        for (size_t i = 0; i < ELEMENTSOF(portal); i++) {
                ck_assert_uint_eq(centre(b, LOGIN_FAILED_PORTAL, 0), portal[i]);
                (void) login_next_wait(&b, LOGIN_FAILED_PORTAL, 0, 0);
        }
        ck_assert_uint_eq(b, LOGIN_BACKOFF_MAX_USEC);
        b = LOGIN_BACKOFF_INITIAL_USEC;
        for (size_t i = 0; i < ELEMENTSOF(login); i++) {
                ck_assert_uint_eq(centre(b, LOGIN_FAILED_LOGIN, 0), login[i]);
                (void) login_next_wait(&b, LOGIN_FAILED_LOGIN, 0, 0);
        }
        /* The backoff grows while the portal is down: the first login failure after a
         * second of refused probes already waits 2 s. */
        b = LOGIN_BACKOFF_INITIAL_USEC;
        for (int i = 0; i < 4; i++)
                (void) login_next_wait(&b, LOGIN_FAILED_PORTAL, 0, 0);
        ck_assert_uint_eq(centre(b, LOGIN_FAILED_LOGIN, 0), 2 * S);
        /* A rejection waits the rejection's time and still advances the backoff. */
        b = LOGIN_BACKOFF_INITIAL_USEC;
        ck_assert_uint_eq(login_next_wait(&b, LOGIN_FAILED_REJECTED, 2, 1 * S), 4 * S);
        ck_assert_uint_eq(b, 400000);
        /* The jitter's extremes: ±25%. */
        b = 2 * S;
        ck_assert_uint_eq(login_next_wait(&b, LOGIN_FAILED_LOGIN, 0, 0), 1500000);
        ck_assert_uint_eq(login_next_wait(&b, LOGIN_FAILED_LOGIN, 0, 1000000), 2500000);
        ck_assert_uint_eq(login_next_wait(&b, LOGIN_FAILED_PORTAL, 0, UINT32_MAX),
                          750000 + UINT32_MAX % 500001);

        /* The same waits as the helper's loop before login_next_wait() existed (its
         * expressions, copied here), for any sequence of failures and random numbers. */
        for (int run = 0; run < 200; run++) {
                uint64_t b_new = LOGIN_BACKOFF_INITIAL_USEC, b_old = LOGIN_BACKOFF_INITIAL_USEC;
                unsigned rejections = 0;

                for (int i = 0; i < 20; i++) {
                        LoginFailure how;
                        uint64_t cap;
                        uint32_t rnd;

                        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                        how = (LoginFailure) ((seed >> 33) % 3);
                        rnd = (uint32_t) (seed >> 20);
                        if (how == LOGIN_FAILED_REJECTED)
                                rejections++;
                        cap = how == LOGIN_FAILED_PORTAL ? 1 * S : 2 * S;
                        w = how == LOGIN_FAILED_REJECTED ? login_jitter(login_rejection_backoff(rejections), rnd)
                                                         : login_jitter(b_old < cap ? b_old : cap, rnd);
                        b_old = b_old * 2 > 2 * S ? 2 * S : b_old * 2;
                        ck_assert_uint_eq(login_next_wait(&b_new, how, rejections, rnd), w);
                        ck_assert_uint_eq(b_new, b_old);
                }
        }
}
END_TEST

/* Which logins initrd-root-device.target requires (and the grace never ends). */
START_TEST(test_login_carries_root) {
        Session dhcp = { .source = SOURCE_DHCP };

        {
                _cleanup_(config_done) Config c;        /* root=iscsi: that session only */
                config_init(&c);
                add(&c, "iqn.2009-06.t:data", "10.0.0.1", 3260, 0, false);
                add(&c, "iqn.2009-06.t:root", "10.0.0.1", 3260, 0, true);
                ck_assert(!login_carries_root(&c, &c.sessions[0]));
                ck_assert(login_carries_root(&c, &c.sessions[1]));
        }
        {
                _cleanup_(config_done) Config c;        /* a lone netroot= and root=LABEL= */
                config_init(&c);
                c.root = strdup("LABEL=root");
                add(&c, "iqn.2009-06.t:root", "10.0.0.1", 3260, 0, false);
                ck_assert(login_carries_root(&c, &c.sessions[0]));
                /* a second path: either may carry the root */
                add(&c, "iqn.2009-06.t:root", "10.0.0.2", 3260, 0, false);
                ck_assert(!login_carries_root(&c, &c.sessions[0]));
                ck_assert(!login_carries_root(&c, &c.sessions[1]));
        }
        {
                _cleanup_(config_done) Config c;        /* no root=: nothing to carry */
                config_init(&c);
                add(&c, "iqn.2009-06.t:data", "10.0.0.1", 3260, 0, false);
                ck_assert(!login_carries_root(&c, &c.sessions[0]));
        }
        {
                _cleanup_(config_done) Config c;        /* root=dhcp: the DHCP login only */
                config_init(&c);
                c.netroot_dhcp = c.root_dhcp = true;
                add(&c, "iqn.2009-06.t:data", "10.0.0.1", 3260, 0, false);
                ck_assert(login_carries_root(&c, NULL));
                ck_assert(login_carries_root(&c, &dhcp));
                ck_assert(!login_carries_root(&c, &c.sessions[0]));
        }
        {
                _cleanup_(config_done) Config c;        /* netroot=dhcp root=LABEL=: lone, then not */
                config_init(&c);
                c.netroot_dhcp = true;
                c.root = strdup("LABEL=root");
                ck_assert(login_carries_root(&c, NULL));
                add(&c, "iqn.2009-06.t:data", "10.0.0.1", 3260, 0, false);
                ck_assert(!login_carries_root(&c, NULL));
                ck_assert(!login_carries_root(&c, &c.sessions[0]));
        }
}
END_TEST

static const HandoffRecord handoff_records[] = {
        {
                .kernel_session = "session1", .source = "cmdline-0", .target = "iqn.2009-06.dracut:t",
                .portal = "10.0.0.1:3260,1", .iface = "default", .state = HANDOFF_RECORD_WRITTEN,
                .path = "/etc/iscsi/nodes/iqn.2009-06.dracut:t/10.0.0.1,3260,1/default",
                .replacement_timeout = "86400", .noop_out_interval = "0", .noop_out_timeout = "0",
        }, {
                .kernel_session = "session2", .source = "kernel", .target = "iqn.2009-06.dracut:u",
                .portal = "10.0.0.2:3260,1", .iface = "default", .state = HANDOFF_RECORD_KEPT,
                .path = "/etc/iscsi/nodes/iqn.2009-06.dracut:u/10.0.0.2,3260,1/default",
                .replacement_timeout = "120",
        }, {
                .kernel_session = "session3", .source = "ibft-0", .target = "iqn.2009-06.dracut:v",
                .portal = "10.0.0.3:3260,1", .iface = "default", .state = HANDOFF_RECORD_FAILED,
                .error = "Read-only file system",
        },
};

static int render_show_handoff(FILE *f, const Config *c, const Session *s) {
        ShowContext ctx = { .config = c, .handoff = handoff_records, .n_handoff = ELEMENTSOF(handoff_records) };
        return s ? show_text(f, &ctx) : show_json(f, &ctx);
}

START_TEST(test_show_handoff) {
        _cleanup_(config_done) Config c;
        _cleanup_free_ char *text = NULL, *json = NULL, *plain = NULL;

        config_init(&c);
        add(&c, "iqn.2009-06.dracut:t", "10.0.0.1", 3260, 0, true);
        text = render(render_show_handoff, &c, &c.sessions[0]);
        ck_assert_ptr_nonnull(strstr(text,
                "\nReal root: kernel session1 (cmdline-0)\n"
                "  Target:  iqn.2009-06.dracut:t\n"
                "  Portal:  10.0.0.1:3260,1, iface default\n"
                "  Node record: written by sd-iscsi handoff, /etc/iscsi/nodes/iqn.2009-06.dracut:t/10.0.0.1,3260,1/default\n"
                "  iscsid adopts with: replacement_timeout 86400, noop_out_interval 0, noop_out_timeout 0\n"));
        ck_assert_ptr_nonnull(strstr(text,
                "\nReal root: kernel session2 (not in the boot configuration)\n"));
        ck_assert_ptr_nonnull(strstr(text,
                "  Node record: the administrator's, kept, /etc/iscsi/nodes/iqn.2009-06.dracut:u/10.0.0.2,3260,1/default\n"
                "  iscsid adopts with: replacement_timeout 120, noop_out_interval (not set), noop_out_timeout (not set)\n"));
        ck_assert_ptr_nonnull(strstr(text,
                "  Node record: not written (Read-only file system): iscsid adopts with iscsid.conf's defaults\n"));

        json = render(render_show_handoff, &c, NULL);
        ck_assert_ptr_nonnull(strstr(json,
                "\"handoff\": [{\"kernel_session\": \"session1\", \"source\": \"cmdline-0\", "
                "\"target\": \"iqn.2009-06.dracut:t\", \"portal\": \"10.0.0.1:3260,1\", \"iface\": \"default\", "
                "\"record\": \"written\", \"path\": \"/etc/iscsi/nodes/iqn.2009-06.dracut:t/10.0.0.1,3260,1/default\", "
                "\"replacement_timeout\": \"86400\", \"noop_out_interval\": \"0\", \"noop_out_timeout\": \"0\", "
                "\"error\": null}, "));
        ck_assert_ptr_nonnull(strstr(json, "\"record\": \"kept\""));
        ck_assert_ptr_nonnull(strstr(json, "\"record\": \"failed\", \"path\": null"));

        /* Without a handoff (the initrd), the output is as it was. */
        plain = render(render_show, &c, NULL);
        ck_assert_ptr_null(strstr(plain, "handoff"));
}
END_TEST

START_TEST(test_show_never_prints_secrets) {
        _cleanup_(config_done) Config c;
        _cleanup_free_ char *json = NULL, *text = NULL;

        config_init(&c);
        add(&c, "iqn.2009-06.dracut:t", "10.0.0.1", 3260, 0, true);
        c.sessions[0].chap.username = strdup("user\"x");
        c.sessions[0].chap.password = strdup("SECRETpw");
        c.sessions[0].chap.has_password = true;
        config_warning(&c, "a \\ warning\n");

        json = render(render_show, &c, NULL);
        text = render(render_show, &c, &c.sessions[0]);
        ck_assert_ptr_null(strstr(json, "SECRET"));
        ck_assert_ptr_null(strstr(text, "SECRET"));
        ck_assert_ptr_nonnull(strstr(json, "\"username\": \"user\\\"x\""));
        ck_assert_ptr_nonnull(strstr(json, "\"auth\": \"chap\""));
        ck_assert_ptr_nonnull(strstr(json, "\"warnings\": [\"a \\\\ warning\\n\"]"));
        ck_assert_ptr_nonnull(strstr(json, "\"root_device\": \"/dev/disk/by-path/ip-10.0.0.1:3260-iscsi-iqn.2009-06.dracut:t-lun-0\""));
        ck_assert_ptr_nonnull(strstr(text, "Auth:    chap, user user\"x\n"));
}
END_TEST

START_TEST(test_add_session_merges_and_caps) {
        _cleanup_(config_done) Config c;

        config_init(&c);
        add(&c, "iqn.a:t", "10.0.0.1", 3260, 0, false);
        add(&c, "iqn.a:t", "10.0.0.1", 3260, 0, true);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert(c.sessions[0].root);
        add(&c, "iqn.a:t", "10.0.0.1", 3260, 1, false);
        ck_assert_uint_eq(c.n_sessions, 2);
        ck_assert_str_eq(c.sessions[1].id, "cmdline-1");

        for (unsigned i = c.n_sessions; i < CONFIG_MAX_SESSIONS; i++)
                add(&c, "iqn.a:t", "10.0.0.2", 3260, i, false);
        {
                Session s = { .source = SOURCE_CMDLINE, .target = strdup("iqn.a:x"), .portal = strdup("h") };
                ck_assert_int_eq(config_add_session(&c, &s), -E2BIG);
                ck_assert_ptr_null(s.target);
        }
        ck_assert_uint_eq(c.n_sessions, CONFIG_MAX_SESSIONS);
        ck_assert_uint_eq(c.n_errors, 1);
}
END_TEST

START_TEST(test_parse_helpers) {
        uint64_t v;

        ck_assert_int_eq(parse_timespan("90", &v), 0);
        ck_assert_uint_eq(v, 90000000ULL);
        ck_assert_int_eq(parse_timespan("5min", &v), 0);
        ck_assert_uint_eq(v, 300000000ULL);
        ck_assert_int_eq(parse_timespan("250ms", &v), 0);
        ck_assert_uint_eq(v, 250000ULL);
        ck_assert_int_eq(parse_timespan("1h", &v), 0);
        ck_assert_int_eq(parse_timespan("", &v), -EINVAL);
        ck_assert_int_eq(parse_timespan("-1", &v), -EINVAL);
        ck_assert_int_eq(parse_timespan("10 s", &v), -EINVAL);
        ck_assert_int_eq(parse_timespan("99999999999999999999", &v), -ERANGE);
        ck_assert_int_eq(parse_timespan("9999999999999999h", &v), -ERANGE);
        ck_assert_int_eq(safe_atou64("65535", 65535, &v), 0);
        ck_assert_int_eq(safe_atou64("65536", 65535, &v), -ERANGE);
        ck_assert_int_eq(safe_atou64("18446744073709551616", UINT64_MAX, &v), -ERANGE);
        ck_assert_int_eq(safe_atou64("+1", 10, &v), -EINVAL);
        ck_assert_int_eq(parse_boolean("Yes"), 1);
        ck_assert_int_eq(parse_boolean("off"), 0);
        ck_assert_int_eq(parse_boolean("2"), -EINVAL);
}
END_TEST

int main(void) {
        Suite *s = suite_create("writers");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_login_unit);
        tcase_add_test(tc, test_login_unit_netdev_budget_ipv6);
        tcase_add_test(tc, test_sysroot_mount);
        tcase_add_test(tc, test_root_device);
        tcase_add_test(tc, test_unit_name_from_path);
        tcase_add_test(tc, test_device_timeout);
        tcase_add_test(tc, test_record);
        tcase_add_test(tc, test_record_without_auth);
        tcase_add_test(tc, test_show_handoff);
        tcase_add_test(tc, test_login_give_up);
        tcase_add_test(tc, test_login_classify);
        tcase_add_test(tc, test_login_status_unreached);
        tcase_add_test(tc, test_login_carries_root);
        tcase_add_test(tc, test_login_give_up_rejected);
        tcase_add_test(tc, test_login_next_wait);
        tcase_add_test(tc, test_show_never_prints_secrets);
        tcase_add_test(tc, test_add_session_merges_and_caps);
        tcase_add_test(tc, test_parse_helpers);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
