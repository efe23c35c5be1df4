/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure writers (units, node record, show) and the helpers they rely on. The model is
 * built by hand here, so these tests do not depend on the parsers. */
#include <check.h>
#include <errno.h>

#include "config.h"
#include "login.h"
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
        ck_assert_int_eq(login_give_up(UINT64_MAX - 1, 0, INF, 10 * S), LOGIN_LIMIT_NONE);
        ck_assert_int_eq(login_give_up(UINT64_MAX - 1, 0, INF, 0), LOGIN_LIMIT_NONE);

        /* The default grace: the root device seen at 100 s, the last retry starts before 110 s. */
        ck_assert_int_eq(login_limit_end(0, 100 * S, CONFIG_GRACE_DEFAULT_USEC, &end), LOGIN_LIMIT_GRACE);
        ck_assert_uint_eq(end, 110 * S);
        ck_assert_int_eq(login_give_up(99 * S, 0, 100 * S, CONFIG_GRACE_DEFAULT_USEC), LOGIN_LIMIT_NONE);
        ck_assert_int_eq(login_give_up(110 * S - 1, 0, 100 * S, CONFIG_GRACE_DEFAULT_USEC), LOGIN_LIMIT_NONE);
        ck_assert_int_eq(login_give_up(110 * S, 0, 100 * S, CONFIG_GRACE_DEFAULT_USEC), LOGIN_LIMIT_GRACE);
        ck_assert_int_eq(login_give_up(500 * S, 0, 100 * S, CONFIG_GRACE_DEFAULT_USEC), LOGIN_LIMIT_GRACE);

        /* Grace 0: give up as soon as the root device is there. */
        ck_assert_int_eq(login_give_up(100 * S, 0, 100 * S, 0), LOGIN_LIMIT_GRACE);
        ck_assert_int_eq(login_give_up(100 * S - 1, 0, 100 * S, 0), LOGIN_LIMIT_NONE);

        /* rd.iscsi.grace=infinity: the old behaviour, only a budget ends the login. */
        ck_assert_int_eq(login_give_up(UINT64_MAX - 1, 0, 100 * S, INF), LOGIN_LIMIT_NONE);
        ck_assert_int_eq(login_give_up(130 * S, 130 * S, 100 * S, INF), LOGIN_LIMIT_BUDGET);

        /* Budget and grace: whichever ends first. */
        ck_assert_int_eq(login_limit_end(130 * S, 100 * S, 10 * S, &end), LOGIN_LIMIT_GRACE);
        ck_assert_uint_eq(end, 110 * S);
        ck_assert_int_eq(login_limit_end(105 * S, 100 * S, 10 * S, &end), LOGIN_LIMIT_BUDGET);
        ck_assert_uint_eq(end, 105 * S);
        ck_assert_int_eq(login_give_up(106 * S, 105 * S, 100 * S, 10 * S), LOGIN_LIMIT_BUDGET);
        ck_assert_int_eq(login_give_up(111 * S, 130 * S, 100 * S, 10 * S), LOGIN_LIMIT_GRACE);
        ck_assert_int_eq(login_give_up(109 * S, 130 * S, 100 * S, 10 * S), LOGIN_LIMIT_NONE);
        /* A tie names the budget (the setting the user gave to bound the whole login). */
        ck_assert_int_eq(login_give_up(110 * S, 110 * S, 100 * S, 10 * S), LOGIN_LIMIT_BUDGET);
        /* Budget only, no root device yet: as before the grace existed. */
        ck_assert_int_eq(login_give_up(29 * S, 30 * S, INF, 10 * S), LOGIN_LIMIT_NONE);
        ck_assert_int_eq(login_give_up(30 * S, 30 * S, INF, 10 * S), LOGIN_LIMIT_BUDGET);

        /* A grace that would overflow the clock ends never in practice, but never wraps. */
        ck_assert_int_eq(login_limit_end(0, 100 * S, UINT64_MAX - 1, &end), LOGIN_LIMIT_GRACE);
        ck_assert_uint_eq(end, UINT64_MAX - 1);
        ck_assert_int_eq(login_give_up(200 * S, 0, 100 * S, UINT64_MAX - 1), LOGIN_LIMIT_NONE);
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
