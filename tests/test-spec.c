/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>

#include "config.h"
#include "util.h"

#define SECRET "Pw0-S3cr3t"
#define SECRET2 "Rv1-S3cr3t"

typedef struct Good {
        const char *spec;
        const char *portal;
        unsigned port;
        uint64_t lun;
        const char *iface, *netdev;
        const char *target;
        AuthKind auth;
        const char *user, *in_user;
} Good;

static const Good good[] = {
        /* The issue's table. */
        { "iscsi:192.168.50.1::::iqn.2009-06.dracut:target0",
          "192.168.50.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:target0", AUTH_NONE },
        { "iscsi:[2001:db8::1]::3261:2:iqn.2009-06.dracut:t",
          "2001:db8::1", 3261, 2, NULL, NULL, "iqn.2009-06.dracut:t", AUTH_NONE },
        { "iscsi:u:p@10.0.0.1::3260:0:iqn.2009-06.dracut:t",
          "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:t", AUTH_CHAP, "u" },
        { "iscsi:u:p:ru:rp@10.0.0.1::::iqn.2009-06.dracut:t",
          "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:t", AUTH_MUTUAL, "u", "ru" },
        { "iscsi:10.0.0.1::3260:if0:eth1:2:iqn.2009-06.dracut:t",
          "10.0.0.1", 3260, 2, "if0", "eth1", "iqn.2009-06.dracut:t", AUTH_NONE },
        { "iscsi:10.0.0.1::3260:0:mytarget",
          "10.0.0.1", 3260, 0, NULL, NULL, "mytarget", AUTH_NONE },

        /* dracut's man page examples */
        { "iscsi:[2001:DB8::1]::::iqn.2009-06.dracut:target0",
          "2001:DB8::1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:target0", AUTH_NONE },
        /* IPv6 forms */
        { "iscsi:[::1]::::iqn.2009-06.dracut:t", "::1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:t" },
        { "iscsi:[fe80::1%eth0]::3260::iqn.2009-06.dracut:t",
          "fe80::1%eth0", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:t" },
        { "iscsi:10.0.0.1:tcp:::iqn.2009-06.dracut:t", "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:t" },
        { "iscsi:[::ffff:10.0.0.1]:6:3262:7:iqn.2009-06.dracut:t",
          "::ffff:10.0.0.1", 3262, 7, NULL, NULL, "iqn.2009-06.dracut:t" },
        { "iscsi:u:p@[2001:db8::2]:::1:iqn.2009-06.dracut:t",
          "2001:db8::2", 3260, 1, NULL, NULL, "iqn.2009-06.dracut:t", AUTH_CHAP, "u" },
        /* host names */
        { "iscsi:storage.example.com::::iqn.2009-06.dracut:t",
          "storage.example.com", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:t" },
        { "iscsi:san-1::3260:3:iqn.2009-06.dracut:t", "san-1", 3260, 3, NULL, NULL, "iqn.2009-06.dracut:t" },
        /* IQNs with many colons: the name starts at the last ":iqn." */
        { "iscsi:10.0.0.1::::iqn.2009-06.dracut:a:b:c:d:e",
          "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:a:b:c:d:e" },
        { "iscsi:10.0.0.1::::iqn.2009-06.dracut:lun:0:disk",
          "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:lun:0:disk" },
        /* eui. and naa. names */
        { "iscsi:10.0.0.1::::eui.02004567a425678d", "10.0.0.1", 3260, 0, NULL, NULL, "eui.02004567a425678d" },
        { "iscsi:10.0.0.1::3260:5:naa.52004567ba64678d",
          "10.0.0.1", 3260, 5, NULL, NULL, "naa.52004567ba64678d" },
        /* iqn. wins over a later ":eui." inside the IQN, as in dracut */
        { "iscsi:10.0.0.1::::iqn.2009-06.dracut:eui.disk",
          "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:eui.disk" },
        /* known prefix: [iface:netdev:]lun is 1, 2 (netdev:lun) or 3 fields */
        { "iscsi:10.0.0.1::3260:eth1:4:iqn.2009-06.dracut:t",
          "10.0.0.1", 3260, 4, NULL, "eth1", "iqn.2009-06.dracut:t" },
        { "iscsi:10.0.0.1::3260:if0::1:iqn.2009-06.dracut:t",
          "10.0.0.1", 3260, 1, "if0", NULL, "iqn.2009-06.dracut:t" },
        { "iscsi:10.0.0.1::3260:::1:iqn.2009-06.dracut:t", "10.0.0.1", 3260, 1, NULL, NULL, "iqn.2009-06.dracut:t" },
        /* empty fields; fewer fields than the full form */
        { "iscsi:10.0.0.1::iqn.2009-06.dracut:t", "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:t" },
        { "iscsi:10.0.0.1::65535::iqn.2009-06.dracut:t", "10.0.0.1", 65535, 0, NULL, NULL, "iqn.2009-06.dracut:t" },
        { "iscsi:10.0.0.1::1:18446744073709551615:iqn.2009-06.dracut:t",
          "10.0.0.1", 1, UINT64_MAX, NULL, NULL, "iqn.2009-06.dracut:t" },
        /* unknown prefix: iface:netdev only with more than 3 fields left */
        { "iscsi:10.0.0.1::3260:if0:eth1:2:mytarget", "10.0.0.1", 3260, 2, "if0", "eth1", "mytarget" },
        { "iscsi:10.0.0.1::3260:if0:eth1::mytarget", "10.0.0.1", 3260, 0, "if0", "eth1", "mytarget" },
        { "iscsi:10.0.0.1::3260::eth1:0:my:target", "10.0.0.1", 3260, 0, NULL, "eth1", "my:target" },
        { "iscsi:10.0.0.1::3260:0:my:target", "10.0.0.1", 3260, 0, NULL, NULL, "my:target" },
        { "iscsi:10.0.0.1::::foo:bar:baz", "10.0.0.1", 3260, 0, NULL, NULL, "foo:bar:baz" },
        { "iscsi:10.0.0.1::::a:b:c:d", "10.0.0.1", 3260, 0, NULL, NULL, "a:b:c:d" },
        { "iscsi:10.0.0.1::3260:1:mytarget:", "10.0.0.1", 3260, 1, NULL, NULL, "mytarget" },
        /* '@' in a target name: via an empty authinfo, or when no auth shape follows it */
        { "iscsi:@192.168.1.100::3260::iqn.2009-01.com.example:testdi@sk",
          "192.168.1.100", 3260, 0, NULL, NULL, "iqn.2009-01.com.example:testdi@sk" },
        { "iscsi:@10.0.0.1::::iqn.2009-01.com.example:a@b:c:d:e:f",
          "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-01.com.example:a@b:c:d:e:f" },
        { "iscsi:10.0.0.1::::iqn.2009-01.com.example:a@b", "10.0.0.1", 3260, 0, NULL, NULL,
          "iqn.2009-01.com.example:a@b" },
        /* an empty authinfo in either form is no authentication */
        { "iscsi::@10.0.0.1::::iqn.2009-06.dracut:t", "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:t" },
        { "iscsi::::@10.0.0.1::::iqn.2009-06.dracut:t", "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:t" },
        /* passwords may hold anything but ':' and '@' */
        { "iscsi:user.name:p a$s%w!rd#@10.0.0.1::::iqn.2009-06.dracut:t",
          "10.0.0.1", 3260, 0, NULL, NULL, "iqn.2009-06.dracut:t", AUTH_CHAP, "user.name" },
};

START_TEST(test_good) {
        const Good *g = &good[_i];
        Session s = {};
        char *error = NULL;
        int r;

        r = spec_parse(g->spec, &s, false, &error);
        ck_assert_msg(r == 0, "%s: %d %s", g->spec, r, strempty(error));
        ck_assert_ptr_null(error);
        ck_assert_str_eq(s.portal, g->portal);
        ck_assert_uint_eq(s.port, g->port);
        ck_assert_uint_eq(s.tpgt, 1);
        ck_assert_uint_eq(s.lun, g->lun);
        ck_assert_pstr_eq(s.iface, g->iface);
        ck_assert_pstr_eq(s.netdev, g->netdev);
        ck_assert_str_eq(s.target, g->target);
        ck_assert_int_eq(session_auth(&s), g->auth);
        ck_assert_pstr_eq(s.chap.username, g->user);
        ck_assert_pstr_eq(s.chap.in_username, g->in_user);
        ck_assert_int_eq(s.chap.has_password, g->user != NULL);
        ck_assert_int_eq(s.chap.has_in_password, g->in_user != NULL);
        /* Never a password without CONFIG_WITH_SECRETS. */
        ck_assert_ptr_null(s.chap.password);
        ck_assert_ptr_null(s.chap.in_password);
        ck_assert_int_eq(s.source, SOURCE_CMDLINE);
        ck_assert_int_eq(s.nic, -1);
        ck_assert(!s.root);
        session_done(&s);
}
END_TEST

/* "user:@": the password is left to a credential (credentials.c): no password here,
 * not even an empty one, with or without secrets. */
START_TEST(test_password_from_credential) {
        Session s = {};
        char *error = NULL;

        ck_assert_int_eq(spec_parse("iscsi:u:@10.0.0.1::::iqn.2009-06.dracut:t", &s, true, &error), 0);
        ck_assert_str_eq(s.chap.username, "u");
        ck_assert_ptr_null(s.chap.password);
        ck_assert(!s.chap.has_password);
        ck_assert_int_eq(session_auth(&s), AUTH_CHAP);
        session_done(&s);

        ck_assert_int_eq(spec_parse("iscsi:u:" SECRET ":ru:@10.0.0.1::::iqn.2009-06.dracut:t", &s, true, &error), 0);
        ck_assert_str_eq(s.chap.password, SECRET);
        ck_assert_str_eq(s.chap.in_username, "ru");
        ck_assert_ptr_null(s.chap.in_password);
        ck_assert(s.chap.has_password && !s.chap.has_in_password);
        ck_assert_int_eq(session_auth(&s), AUTH_MUTUAL);
        session_done(&s);
}
END_TEST

START_TEST(test_secrets_kept) {
        Session s = {};
        char *error = NULL;

        ck_assert_int_eq(spec_parse("iscsi:u:" SECRET ":ru:" SECRET2 "@10.0.0.1::::iqn.2009-06.dracut:t",
                                    &s, true, &error), 0);
        ck_assert_str_eq(s.chap.username, "u");
        ck_assert_str_eq(s.chap.password, SECRET);
        ck_assert_str_eq(s.chap.in_username, "ru");
        ck_assert_str_eq(s.chap.in_password, SECRET2);
        ck_assert(s.chap.has_password && s.chap.has_in_password);
        ck_assert_int_eq(session_auth(&s), AUTH_MUTUAL);
        session_done(&s);
}
END_TEST

typedef struct Bad {
        const char *spec;
        const char *why;        /* must appear in the message */
} Bad;

static const Bad bad[] = {
        { "nfs:10.0.0.1:/srv", "does not start with \"iscsi:\"" },
        /* as in dracut, the name needs a ':' before "iqn." to be recognised */
        { "iscsi:10.0.0.1:iqn.2009-06.dracut:t", "unsupported protocol" },
        { "iscsi:", "no target name" },
        { "iscsi:10.0.0.1", "no target name" },
        { "iscsi:10.0.0.1:", "no target name" },
        { "iscsi:10.0.0.1::3260:0:", "no target name" },
        { "iscsi:10.0.0.1::3260:0", "no target name" },
        { "iscsi:10.0.0.1::3260:mytarget", "no target name" },
        { "iscsi:::::iqn.2009-06.dracut:t", "no server address" },
        { "iscsi:[]::::iqn.2009-06.dracut:t", "no server address" },
        /* bad port */
        { "iscsi:10.0.0.1::abc::iqn.2009-06.dracut:t", "invalid port" },
        { "iscsi:10.0.0.1::0::iqn.2009-06.dracut:t", "invalid port" },
        { "iscsi:10.0.0.1::65536::iqn.2009-06.dracut:t", "invalid port" },
        { "iscsi:10.0.0.1::-1::iqn.2009-06.dracut:t", "invalid port" },
        { "iscsi:10.0.0.1::99999999999999999999999::iqn.2009-06.dracut:t", "invalid port" },
        { "iscsi:10.0.0.1::3260:x:iqn.2009-06.dracut:t", "invalid LUN" },
        { "iscsi:10.0.0.1::3260:18446744073709551616:iqn.2009-06.dracut:t", "invalid LUN" },
        /* unbalanced brackets */
        { "iscsi:[2001:db8::1::::iqn.2009-06.dracut:t", "unbalanced '['" },
        { "iscsi:[2001:db8::1]", "expected ':' after ']'" },
        { "iscsi:[2001:db8::1]x::::iqn.2009-06.dracut:t", "expected ':' after ']'" },
        { "iscsi:2001:db8::1]::::iqn.2009-06.dracut:t", "invalid IPv4 address" },
        { "iscsi:10.0.0.1:udp:::iqn.2009-06.dracut:t", "unsupported protocol" },
        { "iscsi:10.0.0.1]::::iqn.2009-06.dracut:t", "unbalanced" },
        { "iscsi:a[b::::iqn.2009-06.dracut:t", "unbalanced" },
        /* bad addresses and names */
        { "iscsi:[10.0.0.1]::::iqn.2009-06.dracut:t", "invalid IPv6 address" },
        { "iscsi:[2001:db8::g]::::iqn.2009-06.dracut:t", "invalid IPv6 address" },
        { "iscsi:[fe80::1%]::::iqn.2009-06.dracut:t", "invalid IPv6 zone" },
        { "iscsi:10.0.0.256::::iqn.2009-06.dracut:t", "invalid IPv4 address" },
        { "iscsi:10.0.0::::iqn.2009-06.dracut:t", "invalid IPv4 address" },
        { "iscsi:bad_host!::::iqn.2009-06.dracut:t", "invalid server name" },
        { "iscsi:-host::::iqn.2009-06.dracut:t", "invalid server name" },
        { "iscsi:10.0.0.1::::iqn.2009-06.dracut:t/../../x", "invalid target name" },
        { "iscsi:10.0.0.1::::my\"target", "invalid target name" },
        { "iscsi:10.0.0.1::::..", "invalid target name" },
        { "iscsi:10.0.0.1::3260:if/0:eth1:2:iqn.2009-06.dracut:t", "invalid iface name" },
        { "iscsi:10.0.0.1::3260:if0:averyveryverylongname:2:iqn.2009-06.dracut:t",
          "invalid network interface name" },
        /* too many fields between port and a known-prefix name */
        { "iscsi:10.0.0.1::3260:a:b:c:1:iqn.2009-06.dracut:t", "too many fields before the target name" },
        /* authentication */
        { "iscsi:a:b:c:d:e@10.0.0.1::::iqn.2009-06.dracut:t", "too many fields" },
        { "iscsi:u@10.0.0.1::::iqn.2009-06.dracut:t", "incomplete CHAP part" },
        { "iscsi:u:p:ru@10.0.0.1::::iqn.2009-06.dracut:t", "incomplete CHAP part" },
        { "iscsi::p@10.0.0.1::::iqn.2009-06.dracut:t", "must be given together" },
        { "iscsi:u:p::rp@10.0.0.1::::iqn.2009-06.dracut:t", "must be given together" },
        { "iscsi:::ru:rp@10.0.0.1::::iqn.2009-06.dracut:t", "mutual CHAP" },
        /* an '@' inside an IQN with an auth-like shape after it, without the empty authinfo */
        { "iscsi:10.0.0.1::::iqn.2009-01.com.example:a@b:c:d:e:f", "too many fields" },
};

START_TEST(test_bad) {
        const Bad *b = &bad[_i];
        Session s = { .port = 1 };
        char *error = NULL;

        ck_assert_int_eq(spec_parse(b->spec, &s, true, &error), -EINVAL);
        ck_assert_ptr_nonnull(error);
        ck_assert_msg(strstr(error, b->why), "%s: \"%s\" lacks \"%s\"", b->spec, error, b->why);
        ck_assert_msg(strstr(error, "Invalid iSCSI spec"), "%s", error);
        /* Nothing was handed out. */
        ck_assert_uint_eq(s.port, 1);
        ck_assert_ptr_null(s.target);
        free(error);
}
END_TEST

/* Malformed specs carrying a password in every position a user may put it. */
static const char *const leaky[] = {
        "iscsi:u:" SECRET "@10.0.0.1::x::iqn.2009-06.dracut:t",
        "iscsi:u:" SECRET ":ru:" SECRET2 "@10.0.0.1::0::iqn.2009-06.dracut:t",
        "iscsi:u:" SECRET ":ru:" SECRET2 ":x@10.0.0.1::::iqn.2009-06.dracut:t",
        "iscsi:u:" SECRET ":ru@10.0.0.1::::iqn.2009-06.dracut:t",
        "iscsi:u:" SECRET "@[2001:db8::1::::iqn.2009-06.dracut:t",
        "iscsi:u:" SECRET "@10.0.0.1::3260:0:",
        "iscsi:u:" SECRET "@10.0.0.1::::iqn.2009-06.dracut:bad/name",
        "iscsi:u:" SECRET "@ss@10.0.0.1::::iqn.2009-06.dracut:t",      /* '@' in the password */
        "iscsi:u:" SECRET "@10.0.0.1::iqn.2009-06.dracut:t",          /* too few ':' for the auth shape */
        "iscsi:u:" SECRET "@10.0.0.1:iqn.x",
        "iscsi:u:" SECRET "\n@10.0.0.1::::iqn.2009-06.dracut:t",       /* control character */
        "iscsi::" SECRET "@10.0.0.1::::iqn.2009-06.dracut:t",
        "iscsi:u:" SECRET "@10.0.0.1::3260:a:b:c:1:iqn.2009-06.dracut:t",
        "iscsi:u:" SECRET "@" SECRET2 "@::::iqn.2009-06.dracut:t",
};

START_TEST(test_error_never_quotes_password) {
        Session s = {};
        char *error = NULL;

        ck_assert_int_eq(spec_parse(leaky[_i], &s, true, &error), -EINVAL);
        ck_assert_ptr_nonnull(error);
        ck_assert_msg(!strstr(error, "S3cr3t"), "leaked: %s", error);
        ck_assert_msg(strstr(error, "iscsi:***@"), "not redacted: %s", error);
        free(error);
}
END_TEST

/* No '@' at all: the user forgot it, typed ':' for it, or the spec was cut short. The
 * password has shifted into another field, which must not be quoted either. */
static const char *const leaky_no_at[] = {
        "iscsi:u:" SECRET ":10.0.0.1::3260::iqn.2009-06.dracut:t",
        "iscsi:u:" SECRET ":ru:" SECRET2 ":10.0.0.1::::iqn.2009-06.dracut:t",
        "iscsi:u:" SECRET,
        "iscsi:u:" SECRET ":ru",
        "iscsi:[::1]:" SECRET ":3260:0:" SECRET2,
};

START_TEST(test_error_never_quotes_shifted_password) {
        Session s = {};
        char *error = NULL;

        ck_assert_int_eq(spec_parse(leaky_no_at[_i], &s, true, &error), -EINVAL);
        ck_assert_ptr_nonnull(error);
        ck_assert_msg(!strstr(error, "S3cr3t"), "leaked: %s", error);
        ck_assert_msg(strstr(error, "***"), "not redacted: %s", error);
        free(error);
}
END_TEST

START_TEST(test_error_shows_server_and_target) {
        char *error = NULL;
        Session s = {};

        ck_assert_int_eq(spec_parse("iscsi:10.0.0.1:7:abc:eth0::x:iqn.2009-06.dracut:t", &s, false, &error), -EINVAL);
        ck_assert_str_eq(error, "Invalid iSCSI spec \"iscsi:10.0.0.1:***:***:***::***:iqn.2009-06.dracut:t\": "
                         "unsupported protocol (only 6, TCP).");
        free(error);
        ck_assert_int_eq(spec_parse("iscsi:[2001:db8::1]:::", &s, false, &error), -EINVAL);
        ck_assert_str_eq(error, "Invalid iSCSI spec \"iscsi:[2001:db8::1]:::\": no target name.");
        free(error);
}
END_TEST

START_TEST(test_limits) {
        char *spec, *error = NULL;
        Session s = {};
        size_t n = 64 * 1024;

        /* target names of 223 and 224 characters */
        spec = malloc(n + 1);
        ck_assert_ptr_nonnull(spec);
        strcpy(spec, "iscsi:10.0.0.1::::iqn.2009-06.dracut:");
        memset(spec + strlen(spec), 'x', ISCSI_NAME_MAX - strlen("iqn.2009-06.dracut:"));
        spec[strlen("iscsi:10.0.0.1::::") + ISCSI_NAME_MAX] = 0;
        ck_assert_int_eq(spec_parse(spec, &s, false, &error), 0);
        ck_assert_uint_eq(strlen(s.target), ISCSI_NAME_MAX);
        session_done(&s);
        strcat(spec, "x");
        ck_assert_int_eq(spec_parse(spec, &s, false, &error), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "invalid target name"));
        free(error);

        /* 64 KiB of colons, of '@', of brackets: rejected quickly, message bounded */
        for (const char *fill = ":@[x"; *fill; fill++) {
                memcpy(spec, "iscsi:", 6);
                memset(spec + 6, *fill, n - 6);
                spec[n] = 0;
                ck_assert_int_eq(spec_parse(spec, &s, false, &error), -EINVAL);
                ck_assert_ptr_nonnull(strstr(error, "longer than"));
                ck_assert_uint_lt(strlen(error), 300);
                free(error);
        }
        /* just under the limit, many fields: still an answer, not a crash */
        memcpy(spec, "iscsi:10.0.0.1:", 15);
        memset(spec + 15, ':', 4000);
        strcpy(spec + 15 + 4000, "iqn.2009-06.dracut:t");
        ck_assert_int_eq(spec_parse(spec, &s, false, &error), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "too many fields"));
        ck_assert_uint_lt(strlen(error), 300);
        free(error);
        memset(spec + 15, 'a', 4000);
        ck_assert_int_eq(spec_parse(spec, &s, false, &error), -EINVAL);
        free(error);
        free(spec);

        /* CHAP strings are capped at 256 bytes */
        ck_assert_int_eq(spec_parse("iscsi:u:"
                                    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
                                    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
                                    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
                                    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
                                    "p@10.0.0.1::::iqn.2009-06.dracut:t", &s, false, &error), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "CHAP password too long"));
        ck_assert_ptr_null(strstr(error, "ppp"));
        free(error);
}
END_TEST

START_TEST(test_null_error) {
        Session s = {};

        ck_assert_int_eq(spec_parse("iscsi:10.0.0.1::x::iqn.2009-06.dracut:t", &s, false, NULL), -EINVAL);
        ck_assert_int_eq(spec_parse("iscsi:10.0.0.1::::iqn.2009-06.dracut:t", &s, false, NULL), 0);
        session_done(&s);
}
END_TEST

START_TEST(test_validators) {
        ck_assert(spec_name_valid("iqn.2009-06.dracut:t", ISCSI_NAME_MAX));
        ck_assert(!spec_name_valid("", ISCSI_NAME_MAX));
        ck_assert(!spec_name_valid(".", ISCSI_NAME_MAX));
        ck_assert(!spec_name_valid("a b", ISCSI_NAME_MAX));
        ck_assert(!spec_name_valid("a\\b", ISCSI_NAME_MAX));
        ck_assert(!spec_name_valid("abcd", 3));
        ck_assert(spec_chap_valid("with space and $ymbols"));
        ck_assert(!spec_chap_valid("new\nline"));
        ck_assert_ptr_null(spec_portal_invalid("2001:db8::1", true));
        ck_assert_ptr_null(spec_portal_invalid("host.example", false));
        ck_assert_ptr_nonnull(spec_portal_invalid("", false));
        ck_assert_ptr_nonnull(spec_portal_invalid("1.2.3.4.5", false));
}
END_TEST

static Suite *spec_suite(void) {
        Suite *s = suite_create("spec");
        TCase *tc = tcase_create("spec");

        tcase_add_loop_test(tc, test_good, 0, ELEMENTSOF(good));
        tcase_add_test(tc, test_secrets_kept);
        tcase_add_test(tc, test_password_from_credential);
        tcase_add_loop_test(tc, test_bad, 0, ELEMENTSOF(bad));
        tcase_add_loop_test(tc, test_error_never_quotes_password, 0, ELEMENTSOF(leaky));
        tcase_add_loop_test(tc, test_error_never_quotes_shifted_password, 0, ELEMENTSOF(leaky_no_at));
        tcase_add_test(tc, test_error_shows_server_and_target);
        tcase_add_test(tc, test_limits);
        tcase_add_test(tc, test_null_error);
        tcase_add_test(tc, test_validators);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(spec_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
