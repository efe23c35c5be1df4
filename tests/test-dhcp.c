/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* root=dhcp / netroot=dhcp: lease parsing, root-path → session, the writers, and the
 * model loader over a leases directory and a network directory. */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>

#include "config.h"
#include "dhcp.h"
#include "lease.h"
#include "netfiles.h"
#include "networkd.h"
#include "util.h"

static char tmp[64];

static void setup(void) {
        snprintf(tmp, sizeof tmp, "/tmp/sd-iscsi-test-dhcp.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmp));
        setenv("SD_ISCSI_ROOT", tmp, 1);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void teardown(void) {
        nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        unsetenv("SD_ISCSI_ROOT");
}

static void put(const char *rel, const char *text) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof path, "%s%s", tmp, rel);
        ck_assert_int_eq(mkdir_parents(path, 0755), 0);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

static char *get(const char *rel) {
        char path[512];
        char *text = NULL;

        snprintf(path, sizeof path, "%s%s", tmp, rel);
        if (read_full_file(path, &text, NULL, 65536) < 0)
                return NULL;
        return text;
}

/* What systemd 252's networkd writes (dhcp_lease_save), trimmed. */
#define LEASE_HEAD "# This is private data. Do not parse.\nADDRESS=192.168.100.51\nNETMASK=255.255.255.0\n" \
        "ROUTER=192.168.100.1\nSERVER_ADDRESS=192.168.100.1\n"

START_TEST(test_lease_root_path) {
        char a[] = LEASE_HEAD "ROOT_PATH=iscsi:192.168.100.1::::iqn.2026-11.test:root\nLIFETIME=3600\n";
        char b[] = LEASE_HEAD "LIFETIME=3600\n";
        char c[] = "ROOT_PATH=";
        char d[] = "XROOT_PATH=iscsi:x\n ROOT_PATH=iscsi:y\n";
        const char *v = NULL;

        ck_assert_int_eq(dhcp_lease_root_path(a, &v), 0);
        ck_assert_str_eq(v, "iscsi:192.168.100.1::::iqn.2026-11.test:root");
        ck_assert_int_eq(dhcp_lease_root_path(b, &v), -ENOENT);
        /* the text is left as it was when nothing matches */
        ck_assert_str_eq(b, LEASE_HEAD "LIFETIME=3600\n");
        ck_assert_int_eq(dhcp_lease_root_path(c, &v), 0);
        ck_assert_str_eq(v, "");
        ck_assert_int_eq(dhcp_lease_root_path(d, &v), -ENOENT);
}
END_TEST

START_TEST(test_root_path_session) {
        _cleanup_free_ char *error = NULL;
        Session s = {};

        ck_assert_int_eq(dhcp_session_from_root_path("iscsi:192.168.100.1::3261:2:iqn.2026-11.test:root",
                                                     false, true, &s, &error), 0);
        ck_assert_int_eq(s.source, SOURCE_DHCP);
        ck_assert(s.root);
        ck_assert_str_eq(s.portal, "192.168.100.1");
        ck_assert_uint_eq(s.port, 3261);
        ck_assert_uint_eq(s.lun, 2);
        ck_assert_str_eq(s.target, "iqn.2026-11.test:root");
        session_done(&s);

        /* CHAP from the root-path: a secret only when asked for */
        s = (Session) {};
        ck_assert_int_eq(dhcp_session_from_root_path("iscsi:user:SECRETpw@[fd00::1]::::iqn.2026-11.test:root",
                                                     false, false, &s, &error), 0);
        ck_assert_str_eq(s.chap.username, "user");
        ck_assert_ptr_null(s.chap.password);
        ck_assert(s.chap.has_password);
        ck_assert_str_eq(s.portal, "fd00::1");
        ck_assert(!s.root);
        session_done(&s);
        s = (Session) {};
        ck_assert_int_eq(dhcp_session_from_root_path("iscsi:user:SECRETpw@[fd00::1]::::iqn.2026-11.test:root",
                                                     true, false, &s, &error), 0);
        ck_assert_str_eq(s.chap.password, "SECRETpw");
        session_done(&s);

        s = (Session) {};
        ck_assert_int_eq(dhcp_session_from_root_path("nfs:192.168.100.1:/srv/root", false, true, &s, &error),
                         -EOPNOTSUPP);
        ck_assert_int_eq(dhcp_session_from_root_path("/srv/root", false, true, &s, &error), -EOPNOTSUPP);
        ck_assert_int_eq(dhcp_session_from_root_path("iscsi:", false, true, &s, &error), -EINVAL);
        ck_assert_ptr_nonnull(error);
        free(error);
        error = NULL;
        ck_assert_int_eq(dhcp_session_from_root_path("iscsi:u:SECRETpw@1.2.3.4::bad::iqn.2026-11.test:x",
                                                     false, true, &s, &error), -EINVAL);
        ck_assert_ptr_nonnull(error);
        ck_assert_ptr_null(strstr(error, "SECRET"));
        session_done(&s);
}
END_TEST

START_TEST(test_network_dhcp4) {
        ck_assert(network_text_dhcp4("[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\n"));
        ck_assert(network_text_dhcp4("[Network]\nDHCP = yes\n"));
        ck_assert(network_text_dhcp4("[Network]\n  DHCP=both\r\n"));
        ck_assert(network_text_dhcp4("[Network]\nDHCP=true"));
        ck_assert(!network_text_dhcp4("[Network]\nDHCP=ipv6\n"));
        ck_assert(!network_text_dhcp4("[Network]\nDHCP=no\n"));
        ck_assert(!network_text_dhcp4("[Network]\nAddress=192.168.100.10/24\n"));
        /* the last assignment wins */
        ck_assert(!network_text_dhcp4("[Network]\nDHCP=yes\nDHCP=no\n"));
        /* only in [Network] */
        ck_assert(!network_text_dhcp4("[Match]\nDHCP=yes\n[Network]\nDNS=1.1.1.1\n"));
        ck_assert(!network_text_dhcp4("[Network]\n#DHCP=yes\n;DHCP=yes\nDHCPServer=yes\n"));
        ck_assert(!network_text_dhcp4(""));
        /* what systemd-network-generator 252 writes for ip=dhcp */
        ck_assert(network_text_dhcp4("# Automatically generated by systemd-network-generator\n\n[Match]\n"
                                     "Kind=!*\nType=!loopback\n\n[Link]\n\n[Network]\nDHCP=ipv4\n\n[DHCP]\n"));
}
END_TEST

static char *render_rule(const Session *s, int *r) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_ptr_nonnull(f);
        *r = dhcp_write_root_rule(f, s);
        ck_assert_int_eq(fclose(f), 0);
        return buf;
}

START_TEST(test_root_rule) {
        Session s = {
                .target = (char *) "iqn.2026-11.test:root",
                .portal = (char *) "192.168.100.1",
                .port = 3260,
                .lun = 1,
        };
        _cleanup_free_ char *text = NULL, *bad = NULL;
        int r;

        text = render_rule(&s, &r);
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(text,
                         "# Automatically generated by sd-iscsi login: root=dhcp names this LUN\n"
                         "ACTION!=\"remove\", SUBSYSTEM==\"block\", ENV{DEVTYPE}==\"disk\", "
                         "ENV{ID_PATH}==\"ip-192.168.100.1:3260-iscsi-iqn.2026-11.test:root-lun-1\", "
                         "SYMLINK+=\"disk/by-sd-iscsi/root root\"\n");
        /* nothing that would change the match or break the quoting */
        s.target = (char *) "iqn.2026-11.test:\"x";
        bad = render_rule(&s, &r);
        ck_assert_int_eq(r, -EINVAL);
}
END_TEST

START_TEST(test_dropin) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_int_eq(dhcp_write_root_path_dropin(f), 0);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_ptr_nonnull(strstr(buf, "[DHCPv4]\n"));
        ck_assert_ptr_nonnull(strstr(buf, "\nRequestOptions=17\n"));
        free(buf);
}
END_TEST

START_TEST(test_dropins_written) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *e = NULL;

        put("/run/systemd/network/90-eth0.network", "[Match]\nName=eth0\n[Network]\nDHCP=ipv4\n");
        put("/run/systemd/network/90-eth1.network", "[Match]\nName=eth1\n[Network]\nAddress=10.0.0.1/8\n");
        put("/usr/lib/systemd/network/80-wired.network", "[Network]\nDHCP=yes\n");
        /* /etc shadows a file of the same name elsewhere */
        put("/etc/systemd/network/91-default.network", "[Network]\nDHCP=no\n");
        put("/run/systemd/network/91-default.network", "[Network]\nDHCP=yes\n");
        put("/run/systemd/network/90-eth2.netdev", "[Network]\nDHCP=yes\n");

        ck_assert_int_eq(dhcp_write_root_path_dropins(), 2);
        a = get("/run/systemd/network/90-eth0.network.d/" DHCP_DROPIN_NAME);
        b = get("/run/systemd/network/80-wired.network.d/" DHCP_DROPIN_NAME);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_ptr_nonnull(strstr(a, "RequestOptions=17"));
        ck_assert_ptr_null(c = get("/run/systemd/network/90-eth1.network.d/" DHCP_DROPIN_NAME));
        ck_assert_ptr_null(e = get("/run/systemd/network/91-default.network.d/" DHCP_DROPIN_NAME));
        /* running again replaces, never fails on its own files */
        ck_assert_int_eq(dhcp_write_root_path_dropins(), 2);
}
END_TEST

START_TEST(test_load_leases) {
        char dir[128], path[160];
        Config c;

        snprintf(dir, sizeof dir, "%s/leases", tmp);

        /* no directory yet: nothing, no error */
        config_init(&c);
        c.root_dhcp = true;
        ck_assert_int_eq(config_load_dhcp(&c, dir, 0), 0);
        ck_assert_uint_eq(c.n_sessions, 0);
        config_done(&c);

        put("/leases/3", LEASE_HEAD "ROOT_PATH=iscsi:192.168.100.9::::iqn.2026-11.test:three\n");
        put("/leases/12", LEASE_HEAD "ROOT_PATH=iscsi:192.168.100.9::::iqn.2026-11.test:twelve\n");
        put("/leases/2", LEASE_HEAD);
        put("/leases/.#3abcdef", LEASE_HEAD "ROOT_PATH=iscsi:192.168.100.9::::iqn.2026-11.test:temp\n");

        /* the lowest ifindex with a root-path wins */
        config_init(&c);
        c.root_dhcp = true;
        ck_assert_int_eq(config_load_dhcp(&c, dir, 0), 0);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_str_eq(c.sessions[0].id, "dhcp");
        ck_assert_str_eq(c.sessions[0].target, "iqn.2026-11.test:three");
        ck_assert(c.sessions[0].root);
        ck_assert(c.wants_iscsi);
        config_done(&c);

        /* a malformed one is an error and the next one is used */
        put("/leases/3", LEASE_HEAD "ROOT_PATH=iscsi:u:SECRETpw@192.168.100.9:6:x::iqn.2026-11.test:three\n");
        config_init(&c);
        ck_assert_int_eq(config_load_dhcp(&c, dir, CONFIG_WITH_SECRETS), 0);
        ck_assert_uint_eq(c.n_errors, 1);
        ck_assert_ptr_nonnull(strstr(c.errors[0], "interface 3"));
        ck_assert_ptr_null(strstr(c.errors[0], "SECRET"));
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_str_eq(c.sessions[0].target, "iqn.2026-11.test:twelve");
        ck_assert(!c.sessions[0].root);
        config_done(&c);

        /* another boot method's root-path: not ours, and said so */
        put("/leases/3", LEASE_HEAD "ROOT_PATH=nfs:192.168.100.9:/srv\n");
        snprintf(path, sizeof path, "%s/12", dir);
        ck_assert_int_eq(unlink(path), 0);
        config_init(&c);
        ck_assert_int_eq(config_load_dhcp(&c, dir, 0), 0);
        ck_assert_uint_eq(c.n_sessions, 0);
        ck_assert(c.dhcp_other_root_path);
        config_done(&c);
}
END_TEST

/* Through the front ends' loader: only with root=dhcp/netroot=dhcp, in the initrd,
 * and not for the generator. */
START_TEST(test_config_load) {
        Config c;

        put("/run/systemd/netif/leases/2", LEASE_HEAD "ROOT_PATH=iscsi:192.168.100.1::::iqn.2026-11.test:root\n");
        setenv("SYSTEMD_IN_INITRD", "1", 1);

        setenv("SYSTEMD_PROC_CMDLINE", "ip=dhcp root=dhcp", 1);
        config_init(&c);
        ck_assert_int_eq(config_load(&c, 0), 0);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_int_eq(c.sessions[0].source, SOURCE_DHCP);
        ck_assert(c.sessions[0].root);
        config_done(&c);

        config_init(&c);
        ck_assert_int_eq(config_load(&c, CONFIG_NO_DHCP), 0);
        ck_assert_uint_eq(c.n_sessions, 0);
        ck_assert(c.root_dhcp);
        config_done(&c);

        setenv("SYSTEMD_PROC_CMDLINE", "ip=dhcp root=LABEL=x", 1);
        config_init(&c);
        ck_assert_int_eq(config_load(&c, 0), 0);
        ck_assert_uint_eq(c.n_sessions, 0);
        config_done(&c);

        setenv("SYSTEMD_PROC_CMDLINE", "ip=dhcp root=dhcp", 1);
        setenv("SYSTEMD_IN_INITRD", "0", 1);
        config_init(&c);
        ck_assert_int_eq(config_load(&c, 0), 0);
        ck_assert_uint_eq(c.n_sessions, 0);
        config_done(&c);

        unsetenv("SYSTEMD_PROC_CMDLINE");
        unsetenv("SYSTEMD_IN_INITRD");
}
END_TEST

static Suite *dhcp_suite(void) {
        Suite *s = suite_create("dhcp");
        TCase *pure = tcase_create("pure"), *files = tcase_create("files");

        tcase_add_test(pure, test_lease_root_path);
        tcase_add_test(pure, test_root_path_session);
        tcase_add_test(pure, test_network_dhcp4);
        tcase_add_test(pure, test_root_rule);
        tcase_add_test(pure, test_dropin);
        suite_add_tcase(s, pure);

        tcase_add_checked_fixture(files, setup, teardown);
        tcase_add_test(files, test_dropins_written);
        tcase_add_test(files, test_load_leases);
        tcase_add_test(files, test_config_load);
        suite_add_tcase(s, files);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(dhcp_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
