/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <time.h>

#include "config.h"
#include "util.h"

#define T1 "iqn.2009-06.dracut:t1"
#define T2 "iqn.2009-06.dracut:t2"
#define SPEC1 "iscsi:10.0.0.1::::" T1
#define SPEC2 "iscsi:10.0.0.2::3261:1:" T2
#define SECRET "Pw0-S3cr3t"

#define INITRD CONFIG_IN_INITRD
#define SECRETS CONFIG_WITH_SECRETS

static Config c;

static void parse(const char *line, unsigned flags) {
        config_done(&c);
        ck_assert_int_eq(config_parse_cmdline(&c, line, flags), 0);
}

static bool has(char *const *v, size_t n, const char *needle) {
        for (size_t i = 0; i < n; i++)
                if (strstr(v[i], needle))
                        return true;
        return false;
}
#define ck_error(needle) ck_assert_msg(has(c.errors, c.n_errors, needle), "no error with \"%s\" (%zu errors%s%s)", \
                                       needle, c.n_errors, c.n_errors ? ", first: " : "", c.n_errors ? c.errors[0] : "")
#define ck_warning(needle) ck_assert_msg(has(c.warnings, c.n_warnings, needle), "no warning with \"%s\"", needle)
#define ck_clean() do {                                                 \
                ck_assert_msg(c.n_errors == 0, "error: %s", c.errors[0]);         \
                ck_assert_msg(c.n_warnings == 0, "warning: %s", c.warnings[0]);   \
        } while (0)

static void setup(void) {
        config_init(&c);
}

static void teardown(void) {
        config_done(&c);
}

START_TEST(test_no_iscsi) {
        parse("BOOT_IMAGE=/vmlinuz root=UUID=1234 ro quiet splash rd.luks=0 rd.neednet=1 netroot=nfs:10.0.0.1:/x "
              "console=ttyS0,115200", INITRD);
        ck_clean();
        ck_assert(!c.wants_iscsi);
        ck_assert(!c.firmware);
        ck_assert_uint_eq(c.n_sessions, 0);
        ck_assert_str_eq(c.root, "UUID=1234");
        ck_assert(c.in_initrd);

        parse("", INITRD);
        ck_assert(!c.wants_iscsi);
        parse("   \t\n ", 0);
        ck_assert(!c.wants_iscsi);
        ck_assert(!c.in_initrd);
}
END_TEST

START_TEST(test_netroot) {
        parse("netroot=" SPEC1 " quiet netroot=" SPEC2 " netroot=" SPEC1, INITRD);
        ck_clean();
        ck_assert(c.wants_iscsi);
        ck_assert(!c.firmware);
        ck_assert_uint_eq(c.n_sessions, 2);
        ck_assert_str_eq(c.sessions[0].id, "cmdline-0");
        ck_assert_str_eq(c.sessions[0].target, T1);
        ck_assert_str_eq(c.sessions[0].portal, "10.0.0.1");
        ck_assert_int_eq(c.sessions[0].source, SOURCE_CMDLINE);
        ck_assert(!c.sessions[0].root);
        ck_assert_str_eq(c.sessions[1].id, "cmdline-1");
        ck_assert_str_eq(c.sessions[1].target, T2);
        ck_assert_uint_eq(c.sessions[1].port, 3261);
        ck_assert_uint_eq(c.sessions[1].lun, 1);
        ck_assert_ptr_null(c.root);

        /* netroot= is not an rd. key: it counts outside the initrd too */
        parse("netroot=" SPEC1, 0);
        ck_assert_uint_eq(c.n_sessions, 1);
}
END_TEST

START_TEST(test_root) {
        /* netroot= and root= naming one LUN are one session */
        parse("root=" SPEC1 " netroot=" SPEC1 " netroot=" SPEC2, INITRD);
        ck_clean();
        ck_assert_uint_eq(c.n_sessions, 2);
        ck_assert_str_eq(c.sessions[0].target, T1);
        ck_assert(c.sessions[0].root);
        ck_assert(!c.sessions[1].root);
        ck_assert_ptr_null(c.root);

        parse("root=" SPEC2 " rootfstype=xfs rootflags=noatime,nodev", INITRD);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert(c.sessions[0].root);
        ck_assert_str_eq(c.rootfstype, "xfs");
        ck_assert_str_eq(c.rootflags, "noatime,nodev");
        ck_assert(c.wants_iscsi);

        ck_assert_int_eq(c.root_rw, -1);

        /* ro/rw: the last bare one wins */
        parse("rw root=" SPEC1 " ro", INITRD);
        ck_assert_int_eq(c.root_rw, 0);
        parse("ro rw rw=0 ro=1", INITRD);
        ck_assert_int_eq(c.root_rw, 1);
        ck_assert(!c.wants_iscsi);

        /* the last root= wins, as systemd has it */
        parse("root=" SPEC1 " root=LABEL=sys netroot=" SPEC2, INITRD);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert(!c.sessions[0].root);
        ck_assert_str_eq(c.root, "LABEL=sys");
        parse("root=/dev/sda1 root=" SPEC1, INITRD);
        ck_assert_ptr_null(c.root);
        ck_assert(c.sessions[0].root);

        /* root= without iSCSI is kept for the device timeout, and is no iSCSI request */
        parse("root=/dev/disk/by-path/ip-10.0.0.1:3260-iscsi-" T1 "-lun-0", INITRD);
        ck_assert(!c.wants_iscsi);
        ck_assert_str_eq(c.root, "/dev/disk/by-path/ip-10.0.0.1:3260-iscsi-" T1 "-lun-0");
        parse("root=", INITRD);
        ck_assert_ptr_null(c.root);
}
END_TEST

START_TEST(test_bare_iscsi_is_firmware) {
        static const char *const lines[] = {
                "netroot=iscsi", "netroot=iscsi:", "root=iscsi", "root=iscsi:", "netroot=iscsi root=UUID=x",
        };

        for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
                parse(lines[i], INITRD);
                ck_clean();
                ck_assert_msg(c.firmware, "%s", lines[i]);
                ck_assert(c.wants_iscsi);
                /* never a session for a host named "iscsi" */
                ck_assert_uint_eq(c.n_sessions, 0);
        }

        /* an explicit no wins over the implied yes */
        parse("netroot=iscsi rd.iscsi.firmware=0", INITRD);
        ck_assert(!c.firmware);
        parse("rd.iscsi.firmware=0 netroot=iscsi:", INITRD);
        ck_assert(!c.firmware);
}
END_TEST

START_TEST(test_dhcp) {
        parse("root=dhcp", INITRD);
        ck_assert(c.netroot_dhcp);
        ck_assert(c.root_dhcp);
        ck_assert_ptr_null(c.root);
        ck_assert(!c.wants_iscsi);
        parse("netroot=dhcp root=UUID=1", INITRD);
        ck_assert(c.netroot_dhcp);
        ck_assert(!c.root_dhcp);
        ck_assert_str_eq(c.root, "UUID=1");
}
END_TEST

START_TEST(test_firmware) {
        static const struct {
                const char *line;
                bool firmware;
                const char *warning;
        } t[] = {
                { "rd.iscsi.firmware", true },
                { "rd.iscsi.firmware=1", true },
                { "rd.iscsi.firmware=yes", true },
                { "rd.iscsi.firmware=0", false },
                { "rd.iscsi.ibft", true },
                { "rd.iscsi.ibft=on", true },
                { "rd.iscsi.ibft=off", false },
                { "rd.iscsi.firmware rd.iscsi.firmware=0", false },
                { "rd.iscsi.firmware=0 rd.iscsi.ibft", true },
                { "iscsi_firmware", true, "use rd.iscsi.firmware" },
                { "iscsi-firmware=1", true, "use rd.iscsi.firmware" },
                { "ip=ibft", true },
                { "ip=eth0:ibft", true },
                { "ip=eth0:ibft:1500:52:54:00:12:34:56", true },
                { "ip=10.0.0.2::10.0.0.1:255.255.255.0:host:eth0:ibft", true },
                { "ip=[2001:db8::2]::[2001:db8::1]:64:host:eth0:ibft:9000", true },
                { "ip=ibft rd.iscsi.firmware=0", false },
                { "ip=dhcp", false },
                { "ip=eth0:dhcp", false },
                { "ip=ibft.example.com::10.0.0.1:255.255.255.0:h:eth0:none", false },
        };

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                parse(t[i].line, INITRD);
                ck_assert_msg(c.firmware == t[i].firmware, "%s", t[i].line);
                ck_assert_uint_eq(c.n_errors, 0);
                if (t[i].warning)
                        ck_warning(t[i].warning);
                else
                        ck_assert_uint_eq(c.n_warnings, 0);
                if (t[i].firmware)
                        ck_assert(c.wants_iscsi);
        }

        parse("rd.iscsi.firmware=maybe", INITRD);
        ck_error("rd.iscsi.firmware= value \"maybe\" (expected a boolean)");
        ck_assert(!c.firmware);
        parse("rd.iscsi.ibft=", INITRD);
        ck_error("rd.iscsi.ibft=");
}
END_TEST

START_TEST(test_initiator) {
        parse("rd.iscsi.initiator=iqn.1994-05.com.example:node1", INITRD);
        ck_clean();
        ck_assert_str_eq(c.initiator, "iqn.1994-05.com.example:node1");
        ck_assert(c.wants_iscsi);
        ck_assert_uint_eq(c.n_sessions, 0);

        parse("iscsi_initiator=iqn.a:1 iscsi_initiator=iqn.a:2", INITRD);
        ck_assert_str_eq(c.initiator, "iqn.a:2");
        ck_warning("iscsi_initiator= is deprecated, use rd.iscsi.initiator= instead");
        /* one warning per deprecated key, however often it appears */
        ck_assert_uint_eq(c.n_warnings, 1);

        parse("rd.iscsi.initiator=iqn.a:1 rd.iscsi.initiator=", INITRD);
        ck_assert_ptr_null(c.initiator);

        parse("rd.iscsi.initiator=iqn.a:1 rd.iscsi.initiator=../../etc/x", INITRD);
        ck_error("Invalid rd.iscsi.initiator= value \"../../etc/x\"");
        ck_assert_str_eq(c.initiator, "iqn.a:1");
        /* quoted values are one printable line, capped */
        parse("\"rd.iscsi.initiator=a\nb\" rd.iscsi.target.ip=" 
              "1111111111222222222233333333334444444444555555555566666666667777777777", INITRD);
        ck_error("Invalid rd.iscsi.initiator= value \"a?b\"");
        ck_error("\"1111111111222222222233333333334444444444555555555566666666667777...\"");
        parse("rd.iscsi.initiator", INITRD);
        ck_error("rd.iscsi.initiator= needs a value");
}
END_TEST

START_TEST(test_target_params) {
        parse("rd.iscsi.target.port=3262 rd.iscsi.target.name=" T1 " rd.iscsi.target.group=2 "
              "rd.iscsi.target.ip=10.1.1.1", INITRD);
        ck_clean();
        ck_assert(c.wants_iscsi);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_str_eq(c.sessions[0].target, T1);
        ck_assert_str_eq(c.sessions[0].portal, "10.1.1.1");
        ck_assert_uint_eq(c.sessions[0].port, 3262);
        ck_assert_uint_eq(c.sessions[0].tpgt, 2);
        ck_assert_uint_eq(c.sessions[0].lun, 0);
        ck_assert(!c.sessions[0].root);

        /* defaults; it comes after the netroot= sessions */
        parse("rd.iscsi.target.name=" T2 " rd.iscsi.target.ip=[2001:db8::5] netroot=" SPEC1, INITRD);
        ck_clean();
        ck_assert_uint_eq(c.n_sessions, 2);
        ck_assert_str_eq(c.sessions[1].portal, "2001:db8::5");
        ck_assert_uint_eq(c.sessions[1].port, 3260);
        ck_assert_uint_eq(c.sessions[1].tpgt, 1);
        ck_assert_str_eq(c.sessions[1].id, "cmdline-1");

        parse("rd.iscsi.target.name=" T2 " rd.iscsi.target.ip=fe80::1%eth0 rd.iscsi.target.group=0", INITRD);
        ck_assert_str_eq(c.sessions[0].portal, "fe80::1%eth0");
        ck_assert_uint_eq(c.sessions[0].tpgt, 0);
        parse("rd.iscsi.target.name=" T2 " rd.iscsi.target.ip=san.example.com", INITRD);
        ck_assert_str_eq(c.sessions[0].portal, "san.example.com");

        /* the same through the deprecated keys */
        parse("iscsi_target_name=" T1 " iscsi_target_ip=10.1.1.1 iscsi_target_port=3000 iscsi_target_group=3",
              INITRD);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_uint_eq(c.sessions[0].port, 3000);
        ck_assert_uint_eq(c.sessions[0].tpgt, 3);
        ck_assert_uint_eq(c.n_warnings, 4);
        ck_warning("iscsi_target_name= is deprecated, use rd.iscsi.target.name=");
        ck_warning("iscsi_target_ip= is deprecated, use rd.iscsi.target.ip=");
        ck_warning("iscsi_target_port= is deprecated, use rd.iscsi.target.port=");
        ck_warning("iscsi_target_group= is deprecated, use rd.iscsi.target.group=");

        /* incomplete */
        parse("rd.iscsi.target.name=" T1, INITRD);
        ck_error("rd.iscsi.target.name= and rd.iscsi.target.ip= must both be given");
        ck_assert_uint_eq(c.n_sessions, 0);
        parse("rd.iscsi.target.ip=10.0.0.1 rd.iscsi.target.port=3260", INITRD);
        ck_error("must both be given");
        parse("rd.iscsi.target.group=1", INITRD);
        ck_error("must both be given");

        /* malformed */
        parse("rd.iscsi.target.name=" T1 " rd.iscsi.target.ip=10.0.0.1 rd.iscsi.target.port=0", INITRD);
        ck_error("Invalid rd.iscsi.target.port= value \"0\" (expected 1-65535)");
        ck_assert_uint_eq(c.sessions[0].port, 3260);
        parse("rd.iscsi.target.port=65536", INITRD);
        ck_error("rd.iscsi.target.port=");
        parse("rd.iscsi.target.group=-1", INITRD);
        ck_error("Invalid rd.iscsi.target.group= value \"-1\" (expected 0-65535)");
        parse("rd.iscsi.target.ip=10.0.0.300", INITRD);
        ck_error("Invalid rd.iscsi.target.ip= value \"10.0.0.300\": invalid IPv4 address");
        parse("rd.iscsi.target.ip=[10.0.0.1", INITRD);
        ck_error("rd.iscsi.target.ip=");
        parse("rd.iscsi.target.name=a/b", INITRD);
        ck_error("Invalid rd.iscsi.target.name=");
}
END_TEST

START_TEST(test_chap_defaults) {
        /* defaults apply to every session without its own authinfo, wherever they appear */
        parse("netroot=" SPEC1 " netroot=iscsi:o:op@10.0.0.2::::" T2 " rd.iscsi.username=du "
              "netroot=iscsi:@10.0.0.3::::" T2 " rd.iscsi.password=" SECRET
              " rd.iscsi.target.name=" T1 " rd.iscsi.target.ip=10.0.0.4", INITRD);
        ck_clean();
        ck_assert_uint_eq(c.n_sessions, 4);
        ck_assert_str_eq(c.sessions[0].chap.username, "du");
        ck_assert(c.sessions[0].chap.has_password);
        ck_assert_ptr_null(c.sessions[0].chap.password);
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_CHAP);
        /* the spec's own authinfo overrides */
        ck_assert_str_eq(c.sessions[1].chap.username, "o");
        /* an empty authinfo is none of its own */
        ck_assert_str_eq(c.sessions[2].chap.username, "du");
        ck_assert_str_eq(c.sessions[3].chap.username, "du");
        ck_assert_str_eq(c.chap_default.username, "du");
        ck_assert(c.chap_default.has_password);
        ck_assert_ptr_null(c.chap_default.password);

        /* with secrets: the login helper's view */
        parse("rd.iscsi.in.password=rp rd.iscsi.in.username=ru netroot=" SPEC1 " rd.iscsi.username=du "
              "rd.iscsi.password=" SECRET " netroot=iscsi:o:op@10.0.0.2::::" T2, INITRD | SECRETS);
        ck_clean();
        ck_assert_str_eq(c.sessions[0].chap.password, SECRET);
        ck_assert_str_eq(c.sessions[0].chap.in_username, "ru");
        ck_assert_str_eq(c.sessions[0].chap.in_password, "rp");
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_MUTUAL);
        ck_assert_str_eq(c.sessions[1].chap.password, "op");
        ck_assert_ptr_null(c.sessions[1].chap.in_username);
        ck_assert_int_eq(session_auth(&c.sessions[1]), AUTH_CHAP);

        /* deprecated spellings */
        parse("iscsi_username=a iscsi_password=b iscsi_in_username=c iscsi_in_password=d netroot=" SPEC1,
              INITRD | SECRETS);
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_MUTUAL);
        ck_assert_str_eq(c.sessions[0].chap.in_password, "d");
        ck_assert_uint_eq(c.n_warnings, 4);
        ck_warning("iscsi_password= is deprecated, use rd.iscsi.password= instead");
        ck_warning("iscsi_in_username= is deprecated, use rd.iscsi.in.username= instead");

        /* a user name alone leaves the password to a credential (credentials.c) */
        parse("rd.iscsi.username=du netroot=" SPEC1, INITRD);
        ck_clean();
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_CHAP);
        ck_assert_str_eq(c.sessions[0].chap.username, "du");
        ck_assert(!c.sessions[0].chap.has_password);
        ck_assert_ptr_null(c.sessions[0].chap.password);
        parse("rd.iscsi.username=du rd.iscsi.password=p rd.iscsi.in.username=ru netroot=" SPEC1, INITRD);
        ck_clean();
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_MUTUAL);
        ck_assert(!c.sessions[0].chap.has_in_password);
        /* half pairs the other way round are refused, the sessions still proceed without */
        parse("rd.iscsi.password=p netroot=" SPEC1, INITRD);
        ck_error("rd.iscsi.username= and rd.iscsi.password= must be given together");
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_NONE);
        parse("rd.iscsi.username=du rd.iscsi.password=p rd.iscsi.in.password=rp netroot=" SPEC1, INITRD);
        ck_error("rd.iscsi.in.username= and rd.iscsi.in.password= must be given together");
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_CHAP);
        parse("rd.iscsi.in.username=ru rd.iscsi.in.password=rp netroot=" SPEC1, INITRD);
        ck_error("needs rd.iscsi.username=");
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_NONE);
        /* an empty value resets */
        parse("rd.iscsi.username=du rd.iscsi.password=p rd.iscsi.password= rd.iscsi.username= netroot=" SPEC1,
              INITRD);
        ck_clean();
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_NONE);
}
END_TEST

START_TEST(test_param) {
        parse("rd.iscsi.param=node.session.timeo.replacement_timeout=30 "
              "rd.iscsi.param=node.conn[0].timeo.noop_out_interval=0 "
              "rd.iscsi.param=node.startup=automatic", INITRD);
        ck_clean();
        ck_assert(c.wants_iscsi);
        ck_assert_uint_eq(c.n_params, 3);
        ck_assert_str_eq(c.params[0], "node.session.timeo.replacement_timeout=30");
        ck_assert_str_eq(c.params[1], "node.conn[0].timeo.noop_out_interval=0");
        ck_assert_str_eq(c.params[2], "node.startup=automatic");

        static const struct {
                const char *line, *error;
        } bad[] = {
                { "rd.iscsi.param=node.startup", "expected NAME=VALUE" },
                { "rd.iscsi.param==1", "expected NAME=VALUE" },
                { "rd.iscsi.param=node.startup=", "Invalid rd.iscsi.param=node.startup= value" },
                { "rd.iscsi.param=nodot=1", "setting name" },
                { "rd.iscsi.param=node/../x=1", "setting name" },
                { "rd.iscsi.param", "needs a value" },
                { "rd.iscsi.param=node.session.auth.password=" SECRET, "use rd.iscsi.password=" },
                { "rd.iscsi.param=node.session.auth.password_in=" SECRET, "rd.iscsi.in.password=" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                parse(bad[i].line, INITRD);
                ck_error(bad[i].error);
                ck_assert_uint_eq(c.n_params, 0);
        }
}
END_TEST

START_TEST(test_settings) {
        parse("rd.iscsi.waitnet=0", INITRD);
        /* rd.iscsi.* alone is iSCSI configuration; waitnet is off by default */
        ck_assert(c.wants_iscsi);
        ck_assert(!c.waitnet);
        ck_assert(c.testroute);
        ck_assert_int_eq(c.login_retry_max, -1);
        ck_assert_uint_eq(c.timeout_usec, 0);
        ck_assert_uint_eq(c.grace_usec, 10000000);
        ck_assert(!c.multipath);

        parse("rd.iscsi.testroute=false rd.iscsi.waitnet rd.iscsi.mp rd.iscsi.login_retry_max=5 "
              "rd.iscsi.timeout=2min", INITRD);
        ck_clean();
        ck_assert(c.waitnet);
        ck_assert(!c.testroute);
        ck_assert(c.multipath);
        ck_assert_int_eq(c.login_retry_max, 5);
        ck_assert_uint_eq(c.timeout_usec, 120000000);

        parse("rd.iscsi.mp=0 rd.iscsi.login-retry-max=0 rd.iscsi.timeout=90", INITRD);
        ck_clean();
        ck_assert(!c.multipath);
        ck_assert_int_eq(c.login_retry_max, 0);
        ck_assert_uint_eq(c.timeout_usec, 90000000);
        parse("rd.iscsi.login_retry_max=10000 rd.iscsi.timeout=500ms", INITRD);
        ck_assert_int_eq(c.login_retry_max, 10000);
        ck_assert_uint_eq(c.timeout_usec, 500000);
        parse("rd.iscsi.timeout=30 rd.iscsi.timeout=infinity", INITRD);
        ck_clean();
        ck_assert_uint_eq(c.timeout_usec, 0);

        /* rd.iscsi.grace=: a time span; 0 is no grace at all, infinity never gives up. */
        parse("rd.iscsi.grace=3", INITRD);
        ck_clean();
        ck_assert_uint_eq(c.grace_usec, 3000000);
        parse("rd.iscsi.grace=0", INITRD);
        ck_clean();
        ck_assert_uint_eq(c.grace_usec, 0);
        parse("rd.iscsi.grace=1min rd.iscsi.timeout=90", INITRD);
        ck_clean();
        ck_assert_uint_eq(c.grace_usec, 60000000);
        ck_assert_uint_eq(c.timeout_usec, 90000000);
        parse("rd.iscsi.grace=250ms", INITRD);
        ck_clean();
        ck_assert_uint_eq(c.grace_usec, 250000);
        parse("rd.iscsi.grace=infinity", INITRD);
        ck_clean();
        ck_assert_uint_eq(c.grace_usec, UINT64_MAX);
        parse("rd.iscsi.grace=0 rd.iscsi.grace=", INITRD);
        ck_clean();
        ck_assert_uint_eq(c.grace_usec, 10000000);
        /* rd.* keys count only in the initrd. */
        parse("rd.iscsi.grace=0", 0);
        ck_assert_uint_eq(c.grace_usec, 10000000);

        static const struct {
                const char *line, *error;
        } bad[] = {
                { "rd.iscsi.login_retry_max=10001", "Invalid rd.iscsi.login_retry_max= value \"10001\" (expected 0-10000)" },
                { "rd.iscsi.login_retry_max=-1", "rd.iscsi.login_retry_max=" },
                { "rd.iscsi.login_retry_max=x", "rd.iscsi.login_retry_max=" },
                { "rd.iscsi.login_retry_max", "needs a value" },
                { "rd.iscsi.timeout=soon", "Invalid rd.iscsi.timeout= value \"soon\"" },
                { "rd.iscsi.timeout=-5", "rd.iscsi.timeout=" },
                { "rd.iscsi.timeout=99999999999999999999", "rd.iscsi.timeout=" },
                { "rd.iscsi.grace=soon", "Invalid rd.iscsi.grace= value \"soon\" (expected seconds or a time span" },
                { "rd.iscsi.grace=-1", "Invalid rd.iscsi.grace= value \"-1\"" },
                { "rd.iscsi.grace=5x", "Invalid rd.iscsi.grace= value \"5x\"" },
                { "rd.iscsi.grace=99999999999999999999", "Invalid rd.iscsi.grace= value \"99999999999999999999\"" },
                { "rd.iscsi.grace=18446744073709551", "Invalid rd.iscsi.grace= value" },
                { "rd.iscsi.grace", "rd.iscsi.grace= needs a value" },
                { "rd.iscsi.waitnet=2", "Invalid rd.iscsi.waitnet= value \"2\" (expected a boolean)" },
                { "rd.iscsi.testroute=", "rd.iscsi.testroute=" },
                { "rd.iscsi.mp=x", "rd.iscsi.mp=" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                parse(bad[i].line, INITRD);
                ck_error(bad[i].error);
                ck_assert(!c.waitnet && c.testroute && !c.multipath);
                ck_assert_int_eq(c.login_retry_max, -1);
                ck_assert_uint_eq(c.timeout_usec, 0);
                ck_assert_uint_eq(c.grace_usec, 10000000);
        }
}
END_TEST

START_TEST(test_quoting) {
        /* as systemd 252 splits /proc/cmdline */
        parse("\"rd.iscsi.username=a b\" rd.iscsi.password=\"p q\" rootflags='x y' "
              "netroot=\"iscsi:10.0.0.1::::" T1 "\"", INITRD | SECRETS);
        ck_clean();
        ck_assert_str_eq(c.chap_default.username, "a b");
        ck_assert_str_eq(c.chap_default.password, "p q");
        ck_assert_str_eq(c.rootflags, "x y");
        ck_assert_str_eq(c.sessions[0].target, T1);

        /* quotes anywhere in a word, whitespace of all kinds, quotes of the other kind kept */
        parse("\troot=UU\"ID=\"12\n rootfstype=\"it's\"\r rootflags=a\"\"b", INITRD);
        ck_assert_str_eq(c.root, "UUID=12");
        ck_assert_str_eq(c.rootfstype, "it's");
        ck_assert_str_eq(c.rootflags, "ab");
        /* a backslash is an ordinary character; an open quote runs to the end */
        parse("rootflags=a\\b rootfstype=\"x  y", INITRD);
        ck_assert_str_eq(c.rootflags, "a\\b");
        ck_assert_str_eq(c.rootfstype, "x  y");
        /* but nothing that would change sysroot.mount beyond its one setting */
        parse("rootflags=a\\ rootfstype=\"ext4\nWhat=/dev/evil\"", INITRD);
        ck_assert_ptr_null(c.rootflags);
        ck_assert_ptr_null(c.rootfstype);
        ck_assert_uint_eq(c.n_errors, 2);
        ck_assert_str_eq(c.errors[0], "Invalid rootflags= value \"a\\\" (ends in a backslash), ignoring.");
        ck_assert_str_eq(c.errors[1], "Invalid rootfstype= value \"ext4?What=/dev/evil\" (printable ASCII only), ignoring.");
        /* an empty quoted word is a word, and harmless */
        parse("\"\" '' root=x", INITRD);
        ck_assert_str_eq(c.root, "x");
}
END_TEST

START_TEST(test_dash_underscore) {
        parse("rd.iscsi.login-retry-max=3 iscsi-initiator=iqn.x:1 iscsi-target-name=" T1
              " iscsi_target-ip=10.0.0.1", INITRD);
        ck_assert_int_eq(c.login_retry_max, 3);
        ck_assert_str_eq(c.initiator, "iqn.x:1");
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_uint_eq(c.n_errors, 0);
        /* dots are not dashes */
        parse("rd.iscsi-waitnet=1", INITRD);
        ck_assert(!c.waitnet);
        ck_assert(!c.wants_iscsi);
}
END_TEST

START_TEST(test_rd_outside_initrd) {
        parse("rd.iscsi.initiator=iqn.x:1 rd.iscsi.firmware rd.iscsi.target.name=" T1
              " rd.iscsi.target.ip=10.0.0.1 rd.iscsi.waitnet=1 rd.iscsi.bogus", 0);
        ck_clean();
        ck_assert(!c.wants_iscsi);
        ck_assert(!c.firmware);
        ck_assert_ptr_null(c.initiator);
        ck_assert_uint_eq(c.n_sessions, 0);
        ck_assert(!c.waitnet);
        ck_assert(!c.in_initrd);
}
END_TEST

START_TEST(test_iscsiroot) {
        parse("iscsiroot=10.0.0.1::::" T1, INITRD);
        ck_warning("iscsiroot= is deprecated, use netroot=iscsi:");
        ck_assert_uint_eq(c.n_errors, 0);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert(c.sessions[0].root);
        ck_assert(c.wants_iscsi);
        ck_assert(!c.firmware);

        /* the legacy "root=iscsi iscsiroot=…": the spec is here, not in the firmware */
        parse("root=iscsi iscsiroot=10.0.0.1::::" T1, INITRD);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert(c.sessions[0].root);
        ck_assert(!c.firmware);
        parse("netroot=iscsi iscsiroot=10.0.0.1::::" T1, INITRD);
        ck_assert(!c.firmware);

        parse("root=UUID=5 iscsiroot=10.0.0.1::::" T1, INITRD);
        ck_assert(!c.sessions[0].root);
        ck_assert_str_eq(c.root, "UUID=5");

        parse("iscsiroot=10.0.0.1::x::" T1, INITRD);
        ck_error("iscsiroot=: Invalid iSCSI spec");
        ck_assert_uint_eq(c.n_sessions, 0);
}
END_TEST

START_TEST(test_unknown_and_errors_continue) {
        parse("rd.iscsi.frimware netroot=" SPEC1 " netroot=iscsi:10.0.0.9::abc::" T2 " root=iscsi:[::1::"
              " netroot=" SPEC2, INITRD);
        ck_warning("Unknown parameter rd.iscsi.frimware, ignoring");
        ck_error("netroot=: Invalid iSCSI spec \"iscsi:10.0.0.9::***::" T2 "\": invalid port (expected 1-65535). Ignoring it.");
        ck_error("root=: Invalid iSCSI spec \"iscsi:[::***::\": unbalanced '['");
        ck_assert_uint_eq(c.n_errors, 2);
        /* the good ones still proceed */
        ck_assert_uint_eq(c.n_sessions, 2);
        ck_assert_str_eq(c.sessions[0].target, T1);
        ck_assert_str_eq(c.sessions[1].target, T2);
        ck_assert(c.wants_iscsi);
}
END_TEST

/* Collects every string of the model; a password must be in none without secrets. */
static bool model_contains(const Config *m, const char *needle) {
        const char *s[] = { m->initiator, m->target_name, m->target_ip, m->root, m->rootfstype, m->rootflags,
                            m->chap_default.username, m->chap_default.password, m->chap_default.in_username,
                            m->chap_default.in_password };

        for (size_t i = 0; i < ELEMENTSOF(s); i++)
                if (s[i] && strstr(s[i], needle))
                        return true;
        for (size_t i = 0; i < m->n_sessions; i++) {
                const Session *x = &m->sessions[i];
                const char *t[] = { x->target, x->portal, x->iface, x->netdev, x->chap.username, x->chap.password,
                                    x->chap.in_username, x->chap.in_password };
                for (size_t j = 0; j < ELEMENTSOF(t); j++)
                        if (t[j] && strstr(t[j], needle))
                                return true;
        }
        for (size_t i = 0; i < m->n_params; i++)
                if (strstr(m->params[i], needle))
                        return true;
        return false;
}

START_TEST(test_secrets_never_in_messages) {
        const char *line =
                "netroot=iscsi:u:" SECRET "@10.0.0.1::x::" T1 " "
                "netroot=iscsi:u:" SECRET ":ru:" SECRET "@10.0.0.1::::" T1 ":bad/name "
                "netroot=iscsi:u:" SECRET ":ru@10.0.0.1::::" T1 " "
                "netroot=iscsi:u:" SECRET "@ss@10.0.0.1::::" T1 " "
                "netroot=iscsi:u:" SECRET "@10.0.0.1:iqn.x "
                "root=iscsi:u:" SECRET "@[::1::::" T1 " "
                "iscsiroot=u:" SECRET "@10.0.0.1:::x:" T1 " "
                "\"rd.iscsi.password=" SECRET "\n\" "
                "rd.iscsi.in.password=" SECRET " "
                "rd.iscsi.param=node.session.auth.password=" SECRET " "
                "rd.iscsi.param=" SECRET " "
                "rd.iscsi.pasword=" SECRET " "
                "iscsi_password=" SECRET " iscsi_in_password=" SECRET " "
                "rd.iscsi.target.name=" T1;

        for (unsigned flags = 0; flags < 2; flags++) {
                parse(line, INITRD | (flags ? SECRETS : 0));
                ck_assert_uint_ge(c.n_errors, 9);
                ck_assert_uint_ge(c.n_warnings, 3);
                for (size_t i = 0; i < c.n_errors; i++)
                        ck_assert_msg(!strstr(c.errors[i], "S3cr3t"), "leaked: %s", c.errors[i]);
                for (size_t i = 0; i < c.n_warnings; i++)
                        ck_assert_msg(!strstr(c.warnings[i], "S3cr3t"), "leaked: %s", c.warnings[i]);
        }

        /* without CONFIG_WITH_SECRETS the model holds no password at all */
        parse("rd.iscsi.username=u rd.iscsi.password=" SECRET " rd.iscsi.in.username=r rd.iscsi.in.password="
              SECRET " netroot=" SPEC1 " netroot=iscsi:a:" SECRET ":b:" SECRET "@10.0.0.2::::" T2
              " root=iscsi:a:" SECRET "@10.0.0.3::::" T2, INITRD);
        ck_clean();
        ck_assert_uint_eq(c.n_sessions, 3);
        ck_assert(!model_contains(&c, "S3cr3t"));
        for (size_t i = 0; i < c.n_sessions; i++)
                ck_assert(c.sessions[i].chap.has_password);
        parse("rd.iscsi.username=u rd.iscsi.password=" SECRET " netroot=" SPEC1, INITRD | SECRETS);
        ck_assert(model_contains(&c, SECRET));
}
END_TEST

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(test_limits) {
        size_t n = 10000, size = n * 64 + 70 * 1024;
        char *line = malloc(size), *p = line;
        double t;

        ck_assert_ptr_nonnull(line);

        /* 10 000 distinct netroot= */
        for (size_t i = 0; i < n; i++)
                p += sprintf(p, "netroot=iscsi:10.0.%zu.%zu::::iqn.2009-06.dracut:t ", i / 250, i % 250 + 1);
        t = now();
        parse(line, INITRD);
        ck_assert_double_lt(now() - t, 2.0);
        ck_assert_uint_eq(c.n_sessions, CONFIG_MAX_SESSIONS);
        ck_assert_uint_eq(c.n_errors, 1);
        ck_error("More than 256 iSCSI sessions");

        /* 10 000 identical ones are one session */
        p = line;
        for (size_t i = 0; i < n; i++)
                p += sprintf(p, "netroot=" SPEC1 " ");
        p += sprintf(p, "root=" SPEC1);
        t = now();
        parse(line, INITRD);
        ck_assert_double_lt(now() - t, 2.0);
        ck_clean();
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert(c.sessions[0].root);

        /* 64 KiB values */
        static const char *const keys[] = {
                "netroot=iscsi:", "root=iscsi:", "root=", "rd.iscsi.initiator=", "rd.iscsi.password=",
                "rd.iscsi.param=node.x=", "rootflags=", "iscsiroot=",
        };
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                size_t l = strlen(keys[k]);

                memcpy(line, keys[k], l);
                memset(line + l, 'a', 64 * 1024);
                line[l + 64 * 1024] = 0;
                t = now();
                parse(line, INITRD);
                ck_assert_double_lt(now() - t, 0.5);
                ck_assert_uint_eq(c.n_errors, 1);
                ck_error("longer than 4096 bytes");
                ck_assert_uint_lt(strlen(c.errors[0]), 200);
                ck_assert_uint_eq(c.n_sessions, 0);
                ck_assert_ptr_null(c.root);
                /* an iSCSI root asked for: the generator must report it */
                if (strstr(keys[k], "iscsi"))
                        ck_assert(c.wants_iscsi);
        }

        /* rd.iscsi.param= is capped */
        p = line;
        for (size_t i = 0; i < 100; i++)
                p += sprintf(p, "rd.iscsi.param=node.p%zu=1 ", i);
        parse(line, INITRD);
        ck_assert_uint_eq(c.n_params, CONFIG_MAX_PARAMS);
        ck_assert_uint_eq(c.n_errors, 1);
        ck_error("More than 64 rd.iscsi.param= settings");

        /* a megabyte of words and garbage: bounded time, bounded messages */
        for (size_t i = 0; i < size - 1; i++)
                line[i] = "x=\" '@:[\trd.iscsi.a"[i % 20];
        line[size - 1] = 0;
        t = now();
        parse(line, INITRD);
        ck_assert_double_lt(now() - t, 2.0);
        ck_assert_uint_le(c.n_errors, CONFIG_MAX_MESSAGES);
        ck_assert_uint_le(c.n_warnings, CONFIG_MAX_MESSAGES);
        free(line);
}
END_TEST

START_TEST(test_load) {
        setenv("SYSTEMD_PROC_CMDLINE", "netroot=" SPEC1 " rd.iscsi.initiator=iqn.x:1 rd.iscsi.password=" SECRET
               " rd.iscsi.username=u", 1);
        setenv("SYSTEMD_IN_INITRD", "1", 1);
        ck_assert_int_eq(config_load(&c, 0), 0);
        ck_assert(c.in_initrd);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_str_eq(c.initiator, "iqn.x:1");
        ck_assert_ptr_null(c.sessions[0].chap.password);
        config_done(&c);
        ck_assert_int_eq(config_load(&c, CONFIG_WITH_SECRETS), 0);
        ck_assert_str_eq(c.sessions[0].chap.password, SECRET);
        config_done(&c);

        setenv("SYSTEMD_IN_INITRD", "no", 1);
        ck_assert_int_eq(config_load(&c, 0), 0);
        ck_assert(!c.in_initrd);
        ck_assert_ptr_null(c.initiator);
        ck_assert_uint_eq(c.n_sessions, 1);
        config_done(&c);

        /* firmware mode with an empty sysfs: no sessions, no crash */
        setenv("SYSTEMD_PROC_CMDLINE", "rd.iscsi.firmware", 1);
        setenv("SYSTEMD_IN_INITRD", "1", 1);
        setenv("SD_ISCSI_SYSFS", "/nonexistent", 1);
        ck_assert_int_eq(config_load(&c, 0), 0);
        ck_assert(c.firmware);
        ck_assert(c.wants_iscsi);
        config_done(&c);
        ck_assert_int_eq(config_load(&c, CONFIG_NO_IBFT), 0);
        ck_assert(c.firmware);
        config_done(&c);

        setenv("SYSTEMD_PROC_CMDLINE", "", 1);
        ck_assert_int_eq(config_load(&c, 0), 0);
        ck_assert(!c.wants_iscsi);

        unsetenv("SYSTEMD_PROC_CMDLINE");
        unsetenv("SYSTEMD_IN_INITRD");
        unsetenv("SD_ISCSI_SYSFS");
        /* the real /proc/cmdline of this machine parses */
        config_done(&c);
        ck_assert_int_eq(config_load(&c, 0), 0);
}
END_TEST

START_TEST(test_ip_netdev) {
        static const struct {
                const char *ip;
                const char *netdev;     /* NULL: no interface inferred */
        } cases[] = {
                { "ip=eth0:dhcp",                                               "eth0" },
                { "ip=ens3:dhcp6:1400:52:54:00:12:34:56",                       "ens3" },
                { "ip=10.0.0.2::10.0.0.1:255.255.255.0:host:eth1:off",          "eth1" },
                { "ip=[fd00::2]::[fd00::1]:64::eth2:none",                       "eth2" },
                { "ip=10.0.0.2::10.0.0.1:255.255.255.0:host::off",              NULL },
                { "ip=dhcp",                                                    NULL },
                { "ip=eth0:dhcp ip=eth0:dhcp6",                                  "eth0" },
                { "ip=eth0:dhcp ip=eth1:dhcp",                                   NULL },
                { "ip=averyveryverylongname:dhcp",                              NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char line[256];

                snprintf(line, sizeof line, "%s netroot=iscsi:10.0.0.1::::iqn.a:t "
                         "netroot=iscsi:10.0.0.1::3260::own0:0:iqn.a:u", cases[i].ip);
                parse(line, INITRD);
                ck_assert_uint_eq(c.n_sessions, 2);
                if (cases[i].netdev)
                        ck_assert_str_eq(c.sessions[0].netdev, cases[i].netdev);
                else
                        ck_assert_ptr_null(c.sessions[0].netdev);
                /* A spec that names its interface keeps it. */
                ck_assert_str_eq(c.sessions[1].netdev, "own0");
        }
}
END_TEST

START_TEST(test_bond) {
        const Bond *b = &c.bonds[0];

        /* systemd-network-generator's bond alone: nothing for sd-iscsi to add. */
        parse("bond=bond0:eth0,eth1 bond=bond1 " SPEC1, INITRD);
        ck_clean();
        ck_assert_uint_eq(c.n_bonds, 0);

        parse("bond=bond0:eth0,eth1:mode=active-backup,miimon=100,updelay=200,downdelay=0:9000 "
              "ip=bond0:dhcp", INITRD);
        ck_clean();
        ck_assert_uint_eq(c.n_bonds, 1);
        ck_assert_str_eq(b->name, "bond0");
        ck_assert_str_eq(b->mode, "active-backup");
        ck_assert_int_eq(b->miimon_ms, 100);
        ck_assert_int_eq(b->updelay_ms, 200);
        ck_assert_int_eq(b->downdelay_ms, 0);
        ck_assert_int_eq(b->arp_interval_ms, -1);
        ck_assert_int_eq(b->min_links, -1);
        ck_assert_str_eq(b->xmit_hash_policy, "");

        /* The bonding module's numbers for its named values; the slaves field may be empty. */
        parse("bond=b0::mode=4,xmit_hash_policy=1,lacp_rate=1,fail_over_mac=2,primary_reselect=2,"
              "min_links=1,arp_interval=250", 0);
        ck_clean();
        ck_assert_uint_eq(c.n_bonds, 1);
        ck_assert_str_eq(b->mode, "802.3ad");
        ck_assert_str_eq(b->xmit_hash_policy, "layer3+4");
        ck_assert_str_eq(b->lacp_rate, "fast");
        ck_assert_str_eq(b->fail_over_mac, "follow");
        ck_assert_str_eq(b->primary_reselect, "failure");
        ck_assert_int_eq(b->min_links, 1);
        ck_assert_int_eq(b->arp_interval_ms, 250);

        /* The last bond= for a name wins; another name is another bond. */
        parse("bond=bond0:eth0:mode=balance-xor bond=bond0:eth0:mode=broadcast bond=bond1:eth2:miimon=50", 0);
        ck_clean();
        ck_assert_uint_eq(c.n_bonds, 2);
        ck_assert_str_eq(c.bonds[0].mode, "broadcast");
        ck_assert_str_eq(c.bonds[1].name, "bond1");

        /* An option the writer cannot express is said and skipped; the rest applies. */
        parse("bond=bond0:eth0,eth1:mode=1,primary=eth0,arp_ip_target=10.0.0.1", 0);
        ck_warning("\"primary\" is not supported");
        ck_warning("\"arp_ip_target\" is not supported");
        ck_assert_uint_eq(c.n_errors, 0);
        ck_assert_uint_eq(c.n_bonds, 1);
        ck_assert_str_eq(b->mode, "active-backup");

        /* Bad values: the bond= is dropped with an error, nothing else. */
        static const struct {
                const char *value, *error;
        } bad[] = {
                { "bond=:eth0:mode=1", "not a valid interface name" },
                { "bond=bond/0:eth0:mode=1", "not a valid interface name" },
                { "bond=a-name-over-15-chars:eth0:mode=1", "not a valid interface name" },
                { "bond=bond0:eth0:mode=7", "does not know" },
                { "bond=bond0:eth0:mode=active_backup", "does not know" },
                { "bond=bond0:eth0:mode=", "does not know" },
                { "bond=bond0:eth0:miimon=-1", "not a number" },
                { "bond=bond0:eth0:miimon=99999999999", "not a number" },
                { "bond=bond0:eth0:miimon", "NAME=VALUE" },
                { "bond=bond0:eth0:=1", "NAME=VALUE" },
                { "bond", "bond" },
                { "bond=bond0:eth0:Mode=1", "lower-case letters" },
                { "bond=bond0:eth0:mo\001de=1", "lower-case letters" },
                { "bond=b\xc3\xb6nd:eth0:mode=1", "not a valid interface name" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                parse(bad[i].value, 0);
                ck_error(bad[i].error);
                ck_assert_uint_eq(c.n_bonds, 0);
        }

        char line[1024] = "bond=bond0:eth0:mode=1";
        for (size_t n = strlen(line); n + 10 < sizeof line; n += 9)
                memcpy(line + n, ",miimon=1", 10);
        parse(line, 0);
        ck_error("too long");

        parse("bond=b0::mode=1 bond=b1::mode=1 bond=b2::mode=1 bond=b3::mode=1 bond=b4::mode=1", 0);
        ck_error("More than 4 bond=");
        ck_assert_uint_eq(c.n_bonds, CONFIG_MAX_BONDS);
}
END_TEST

static Suite *cmdline_suite(void) {
        Suite *s = suite_create("cmdline");
        TCase *tc = tcase_create("cmdline");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_no_iscsi);
        tcase_add_test(tc, test_netroot);
        tcase_add_test(tc, test_root);
        tcase_add_test(tc, test_bare_iscsi_is_firmware);
        tcase_add_test(tc, test_dhcp);
        tcase_add_test(tc, test_firmware);
        tcase_add_test(tc, test_initiator);
        tcase_add_test(tc, test_target_params);
        tcase_add_test(tc, test_chap_defaults);
        tcase_add_test(tc, test_param);
        tcase_add_test(tc, test_settings);
        tcase_add_test(tc, test_quoting);
        tcase_add_test(tc, test_dash_underscore);
        tcase_add_test(tc, test_rd_outside_initrd);
        tcase_add_test(tc, test_iscsiroot);
        tcase_add_test(tc, test_unknown_and_errors_continue);
        tcase_add_test(tc, test_secrets_never_in_messages);
        tcase_add_test(tc, test_limits);
        tcase_add_test(tc, test_load);
        tcase_add_test(tc, test_ip_netdev);
        tcase_add_test(tc, test_bond);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(cmdline_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
