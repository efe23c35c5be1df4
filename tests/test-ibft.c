/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iBFT parsing. Every case builds its table with ./mkibft at test time and reads it
 * through config_load_ibft() from a fake sysfs root, both as the raw ACPI table and as
 * the kernel's sysfs view where the case makes sense for both.
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "config.h"
#include "ibft.h"
#include "util.h"

typedef enum Mode {
        MODE_RAW,       /* sysfs view and ACPI copy: the raw table must win */
        MODE_SYSFS,     /* sysfs view only */
        MODE_TABLE,     /* ACPI copy only (corruption tests) */
} Mode;

static char root[64];

static void make_root(void) {
        strcpy(root, "/tmp/test-ibft.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(root));
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return remove(path);
}

static void remove_root(void) {
        if (root[0])
                ck_assert_int_eq(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
        root[0] = 0;
}

/* Runs ./mkibft with the mode's output options and the given arguments (NULL ended). */
static void mkibft(Mode mode, ...) {
        const char *argv[64];
        char table[128];
        size_t n = 0;
        va_list ap;
        pid_t pid;
        int status;

        argv[n++] = "./mkibft";
        if (mode == MODE_TABLE) {
                snprintf(table, sizeof table, "%s/firmware/acpi/tables/", root);
                ck_assert_int_eq(mkdir_parents(table, 0755), 0);
                strcat(table, "iBFT");
                argv[n++] = "-o";
                argv[n++] = table;
        } else {
                argv[n++] = "-s";
                argv[n++] = root;
                if (mode == MODE_RAW)
                        argv[n++] = "--acpi-copy";
        }
        va_start(ap, mode);
        for (const char *a; (a = va_arg(ap, const char *)); )
                argv[n++] = a;
        va_end(ap);
        argv[n] = NULL;
        ck_assert_uint_lt(n, ELEMENTSOF(argv));

        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                execv(argv[0], (char **) argv);
                _exit(127);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "mkibft failed");
}

static void load(Config *c, unsigned flags) {
        config_init(c);
        ck_assert_int_eq(config_load_ibft(c, root, flags), 0);
}

static bool has_message(char **v, size_t n, const char *needle) {
        for (size_t i = 0; i < n; i++)
                if (strstr(v[i], needle))
                        return true;
        return false;
}

static void assert_error(const Config *c, const char *needle) {
        ck_assert_msg(has_message((char **) c->errors, c->n_errors, needle),
                      "no error containing \"%s\" (%zu errors%s%s)", needle, c->n_errors,
                      c->n_errors ? ", first: " : "", c->n_errors ? c->errors[0] : "");
}

static void assert_clean(const Config *c) {
        ck_assert_msg(c->n_errors == 0, "unexpected error: %s", c->n_errors ? c->errors[0] : "");
        ck_assert_msg(c->n_warnings == 0, "unexpected warning: %s", c->n_warnings ? c->warnings[0] : "");
}

#define MAC0 "mac=52:54:00:12:34:56"
#define IQN0 "name=iqn.2009-09.com.example:root"

/* ---- well-formed tables, both sources ---- */

START_TEST(test_static_ipv4) {
        Config c;
        Mode mode = _i;

        make_root();
        mkibft(mode, "-i", "iqn.1994-05.com.example:client",
               "-n", "index=0," MAC0 ",ip=192.168.100.10/24,gw=192.168.100.1,dns=192.168.100.2,"
                     "hostname=client1,pci=00:03.0,ifname=ens3",
               "-t", "ip=192.168.100.1,port=3261,nic=0," IQN0, NULL);
        /* The raw table has no sysfs device link: its interface comes from the PCI function. */
        if (mode == MODE_RAW)
                ck_assert_int_eq(mkdir_parents(strcat(strcpy((char[256]) {}, root),
                                                      "/bus/pci/devices/0000:00:03.0/net/ens3/"), 0755), 0);
        load(&c, 0);
        assert_clean(&c);

        ck_assert_str_eq(c.initiator, "iqn.1994-05.com.example:client");
        ck_assert_uint_eq(c.n_nics, 1);
        ck_assert_int_eq(c.nics[0].index, 0);
        ck_assert_uint_eq(c.nics[0].flags, 3);
        ck_assert(c.nics[0].boot_selected);
        ck_assert(!c.nics[0].dhcp);
        ck_assert_mem_eq(c.nics[0].mac, "\x52\x54\x00\x12\x34\x56", 6);
        ck_assert_int_eq(c.nics[0].address.family, AF_INET);
        ck_assert_str_eq(c.nics[0].address.address, "192.168.100.10");
        ck_assert_uint_eq(c.nics[0].address.prefixlen, 24);
        ck_assert_str_eq(c.nics[0].gateway, "192.168.100.1");
        ck_assert_str_eq(c.nics[0].dns[0], "192.168.100.2");
        ck_assert_str_eq(c.nics[0].dns[1], "");
        ck_assert_uint_eq(c.nics[0].vlan, 0);
        ck_assert_str_eq(c.nics[0].hostname, "client1");
        ck_assert_str_eq(c.nics[0].ifname, "ens3");

        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_str_eq(c.sessions[0].id, "ibft-0");
        ck_assert_int_eq(c.sessions[0].source, SOURCE_IBFT);
        ck_assert_str_eq(c.sessions[0].target, "iqn.2009-09.com.example:root");
        ck_assert_str_eq(c.sessions[0].portal, "192.168.100.1");
        ck_assert_uint_eq(c.sessions[0].port, 3261);
        ck_assert_uint_eq(c.sessions[0].lun, 0);
        ck_assert_int_eq(c.sessions[0].nic, 0);
        ck_assert_str_eq(c.sessions[0].netdev, "ens3");
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_NONE);
        ck_assert(c.wants_iscsi);
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_dhcp) {
        Config c;

        make_root();
        mkibft(_i, "-n", "index=0," MAC0 ",dhcp,ip=10.0.2.15/24,hostname=h",
               "-n", "index=1,mac=52:54:00:00:00:01,dhcp-server=10.0.3.2,ip=10.0.3.15/24",
               "-t", "ip=10.0.2.2," IQN0, "-t", "ip=10.0.3.2,nic=1," IQN0, NULL);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_uint_eq(c.n_nics, 2);
        ck_assert(c.nics[0].dhcp);      /* origin 3 */
        ck_assert(c.nics[1].dhcp);      /* a DHCP server address */
        ck_assert_ptr_null(c.nics[0].ifname);
        ck_assert_ptr_null(c.sessions[0].netdev);   /* interface name unknown */
        ck_assert_uint_eq(c.sessions[0].port, 3260);
        ck_assert_int_eq(c.sessions[1].nic, 1);
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_vlan) {
        Config c;

        make_root();
        /* 0x2064: priority bits above the 12-bit id must be dropped */
        mkibft(_i, "-n", "index=2," MAC0 ",ip=192.168.5.2/24,vlan=0x2064,ifname=eth0",
               "-t", "ip=192.168.5.1,nic=2," IQN0, NULL);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_uint_eq(c.n_nics, 1);
        ck_assert_int_eq(c.nics[0].index, 2);
        ck_assert_uint_eq(c.nics[0].vlan, 100);
        ck_assert_int_eq(c.sessions[0].nic, 0);
        ck_assert_str_eq(c.sessions[0].netdev, "ibft2.100");
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_ipv6) {
        Config c;

        make_root();
        mkibft(_i, "-n", MAC0 ",ip=2001:db8::10/64,gw=fe80::1,dns=2001:db8::53",
               "-t", "ip=2001:db8::1,port=0," IQN0, NULL);
        load(&c, 0);
        assert_clean(&c);
        /* sysfs prints IPv6 uncompressed; the model holds the canonical form */
        ck_assert_int_eq(c.nics[0].address.family, AF_INET6);
        ck_assert_str_eq(c.nics[0].address.address, "2001:db8::10");
        ck_assert_uint_eq(c.nics[0].address.prefixlen, 64);
        ck_assert_str_eq(c.nics[0].gateway, "fe80::1");
        ck_assert_str_eq(c.nics[0].dns[0], "2001:db8::53");
        ck_assert_str_eq(c.sessions[0].portal, "2001:db8::1");
        ck_assert_uint_eq(c.sessions[0].port, 3260);
        config_done(&c);
        remove_root();
}
END_TEST

#define TWO_PATHS \
        "-n", "index=0," MAC0 ",ip=10.1.0.2/24,flags=3", \
        "-n", "index=1,mac=52:54:00:12:34:57,ip=10.2.0.2/24,flags=1", \
        "-t", "index=0,ip=10.1.0.1,nic=0,flags=3," IQN0, \
        "-t", "index=1,ip=10.2.0.1,nic=1,flags=1," IQN0

START_TEST(test_boot_selected) {
        Config c;

        make_root();
        mkibft(_i, TWO_PATHS, NULL);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_uint_eq(c.n_nics, 1);
        ck_assert_uint_eq(c.nics[0].index, 0);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_str_eq(c.sessions[0].portal, "10.1.0.1");
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_multipath) {
        Config c;

        make_root();
        mkibft(_i, TWO_PATHS, NULL);
        config_init(&c);
        c.multipath = true;
        ck_assert_int_eq(config_load_ibft(&c, root, 0), 0);
        assert_clean(&c);
        ck_assert_uint_eq(c.n_nics, 2);
        ck_assert_uint_eq(c.n_sessions, 2);
        ck_assert_str_eq(c.sessions[0].id, "ibft-0");
        ck_assert_str_eq(c.sessions[1].id, "ibft-1");
        ck_assert_str_eq(c.sessions[1].portal, "10.2.0.1");
        ck_assert_int_eq(c.sessions[1].nic, 1);
        ck_assert(!c.nics[1].boot_selected);
        ck_assert_uint_eq(c.nics[1].flags, 1);
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_only_bit1_and_none_selected) {
        Config c;

        make_root();
        /* flags=2: boot selected without the valid bit still counts as valid;
         * a target with flags 0 is not valid at all. */
        mkibft(_i, "-n", MAC0 ",ip=10.1.0.2/24,flags=2",
               "-t", "ip=10.1.0.1,flags=2," IQN0, "-t", "ip=10.1.0.9,flags=0," IQN0, NULL);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_uint_eq(c.n_nics, 1);
        ck_assert_uint_eq(c.n_sessions, 1);
        config_done(&c);
        remove_root();

        /* valid but none selected: all of them, with a warning */
        make_root();
        mkibft(_i, "-n", MAC0 ",ip=10.1.0.2/24,flags=1",
               "-t", "ip=10.1.0.1,flags=1," IQN0, "-t", "index=3,ip=10.1.0.9,flags=1," IQN0, NULL);
        load(&c, 0);
        ck_assert_uint_eq(c.n_errors, 0);
        ck_assert(has_message(c.warnings, c.n_warnings, "boot selected"));
        ck_assert_uint_eq(c.n_sessions, 2);
        ck_assert_uint_eq(c.n_nics, 1);
        config_done(&c);
        remove_root();
}
END_TEST

#define CHAP_TARGET "-t", "ip=10.0.0.1," IQN0 ",chap=chap,chap-name=alice,chap-secret=s3cretpassw0rd"
#define MUTUAL_TARGET "-t", "ip=10.0.0.1," IQN0 ",chap=mutual,chap-name=alice,chap-secret=s3cretpassw0rd," \
                            "rchap-name=target1,rchap-secret=t4rgetsecret!"

static bool config_mentions(const Config *c, const char *s) {
        return has_message((char **) c->errors, c->n_errors, s) ||
                has_message((char **) c->warnings, c->n_warnings, s);
}

START_TEST(test_chap) {
        Config c;

        make_root();
        mkibft(_i, "-n", MAC0 ",ip=10.0.0.2/8", CHAP_TARGET, NULL);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_CHAP);
        ck_assert_str_eq(c.sessions[0].chap.username, "alice");
        ck_assert(c.sessions[0].chap.has_password);
        ck_assert_ptr_null(c.sessions[0].chap.password);
        ck_assert_ptr_null(c.sessions[0].chap.in_username);
        ck_assert(!c.sessions[0].chap.has_in_password);
        config_done(&c);

        load(&c, CONFIG_WITH_SECRETS);
        ck_assert_str_eq(c.sessions[0].chap.password, "s3cretpassw0rd");
        ck_assert_ptr_null(c.sessions[0].chap.in_password);
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_mutual_chap) {
        Config c;

        make_root();
        mkibft(_i, "-n", MAC0 ",ip=10.0.0.2/8", MUTUAL_TARGET, NULL);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_MUTUAL);
        ck_assert_str_eq(c.sessions[0].chap.username, "alice");
        ck_assert_str_eq(c.sessions[0].chap.in_username, "target1");
        ck_assert(c.sessions[0].chap.has_password);
        ck_assert(c.sessions[0].chap.has_in_password);
        ck_assert_ptr_null(c.sessions[0].chap.password);
        ck_assert_ptr_null(c.sessions[0].chap.in_password);
        config_done(&c);

        load(&c, CONFIG_WITH_SECRETS);
        ck_assert_str_eq(c.sessions[0].chap.password, "s3cretpassw0rd");
        ck_assert_str_eq(c.sessions[0].chap.in_password, "t4rgetsecret!");
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_chap_type_none_ignores_names) {
        Config c;

        make_root();
        mkibft(_i, "-n", MAC0 ",ip=10.0.0.2/8",
               "-t", "ip=10.0.0.1," IQN0 ",chap=none,chap-name=alice,chap-secret=s3cretpassw0rd", NULL);
        load(&c, CONFIG_WITH_SECRETS);
        assert_clean(&c);
        ck_assert_int_eq(session_auth(&c.sessions[0]), AUTH_NONE);
        ck_assert_ptr_null(c.sessions[0].chap.password);
        config_done(&c);
        remove_root();
}
END_TEST

static void check_lun_target(Mode mode, const char *spec, uint64_t want) {
        Config c;

        make_root();
        mkibft(mode, "-n", MAC0 ",ip=10.0.0.2/8", "-t", spec, NULL);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_uint_eq(c.sessions[0].lun, want);
        config_done(&c);
        remove_root();
}

START_TEST(test_lun_values) {
        Mode mode = _i;

        check_lun_target(mode, "ip=10.0.0.1," IQN0 ",lun=1", 1);
        check_lun_target(mode, "ip=10.0.0.1," IQN0 ",lun=16", 16);
        check_lun_target(mode, "ip=10.0.0.1," IQN0 ",lun=255", 255);
        /* SAM flat space addressing: the kernel number is 0x4000 | n */
        check_lun_target(mode, "ip=10.0.0.1," IQN0 ",sam=412c000000000000", 0x412c);
        if (mode == MODE_RAW)
                /* two levels: only the raw table can tell */
                check_lun_target(mode, "ip=10.0.0.1," IQN0 ",sam=0001000200000000", 0x20001);
}
END_TEST

START_TEST(test_ambiguous_lun) {
        Config c;

        /* 01 11 00…: sysfs shows "111000000", which 11 01 00… prints as well */
        make_root();
        mkibft(_i, "-n", MAC0, "-t", "ip=10.0.0.1," IQN0 ",sam=1101000000000000", NULL);
        load(&c, 0);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_uint_eq(c.n_errors, 0);
        if (_i == MODE_RAW) {
                ck_assert_uint_eq(c.n_warnings, 0);
                ck_assert_uint_eq(c.sessions[0].lun, 0x1101);
        } else {
                /* a warning and a guess, not a refusal to boot: the login does not
                 * depend on the LUN */
                ck_assert(has_message(c.warnings, c.n_warnings, "ambiguous"));
                ck_assert_uint_eq(c.sessions[0].lun, 0x111);
        }
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_sysfs_lun_text) {
        uint64_t v = 99;

        ck_assert_int_eq(ibft_decode_sysfs_lun("00000000", &v), 0);
        ck_assert_uint_eq(v, 0);
        ck_assert_int_eq(ibft_decode_sysfs_lun("01000000", &v), 0);
        ck_assert_uint_eq(v, 1);
        ck_assert_int_eq(ibft_decode_sysfs_lun("010000000", &v), 0);
        ck_assert_uint_eq(v, 16);
        ck_assert_int_eq(ibft_decode_sysfs_lun("0ff000000", &v), 0);
        ck_assert_uint_eq(v, 255);
        /* 41 12 or 4 11 20: only the first is a single-level LUN */
        ck_assert_int_eq(ibft_decode_sysfs_lun("4112000000", &v), 0);
        ck_assert_uint_eq(v, 0x4112);
        /* 1 11 or 11 1: both single level, genuinely ambiguous */
        ck_assert_int_eq(ibft_decode_sysfs_lun("111000000", &v), -ENOTUNIQ);
        ck_assert(v == 0x111 || v == 0x1101);
        ck_assert_int_eq(ibft_decode_sysfs_lun("0000000", &v), -EINVAL);
        ck_assert_int_eq(ibft_decode_sysfs_lun("00000000000000000", &v), -EINVAL);
        ck_assert_int_eq(ibft_decode_sysfs_lun("0g000000", &v), -EINVAL);
        ck_assert_int_eq(ibft_decode_sysfs_lun("00000000 ", &v), -EINVAL);
        /* a two-digit byte never starts with 0 */
        ck_assert_int_eq(ibft_decode_sysfs_lun("000000001", &v), -EINVAL);
}
END_TEST

START_TEST(test_missing_optional) {
        Config c;

        make_root();
        /* no initiator, no gateway/DNS/hostname, no port, no CHAP */
        mkibft(_i, "-n", MAC0 ",ip=10.0.0.2/8", "-t", "ip=10.0.0.1," IQN0, NULL);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_ptr_null(c.initiator);
        ck_assert_str_eq(c.nics[0].gateway, "");
        ck_assert_str_eq(c.nics[0].dns[0], "");
        ck_assert_ptr_null(c.nics[0].hostname);
        ck_assert_uint_eq(c.sessions[0].port, 3260);
        config_done(&c);
        remove_root();

        /* no address at all: the NIC is kept, the address absent */
        make_root();
        mkibft(_i, "-n", MAC0, "-t", "ip=10.0.0.1," IQN0, NULL);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_int_eq(c.nics[0].address.family, 0);
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_initiator_from_cmdline_wins) {
        Config c;

        make_root();
        mkibft(_i, "-i", "iqn.fw:one", "-n", MAC0, "-t", "ip=10.0.0.1," IQN0, NULL);
        config_init(&c);
        c.initiator = strdup("iqn.cmdline:two");
        ck_assert_int_eq(config_load_ibft(&c, root, 0), 0);
        ck_assert_str_eq(c.initiator, "iqn.cmdline:two");
        ck_assert(has_message(c.warnings, c.n_warnings, "initiator"));
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_target_without_nic) {
        Config c;

        make_root();
        mkibft(_i, "-n", MAC0, "-t", "ip=10.0.0.1,nic=7," IQN0, NULL);
        load(&c, 0);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_int_eq(c.sessions[0].nic, -1);
        ck_assert(has_message(c.warnings, c.n_warnings, "NIC 7"));
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_ifname_by_mac) {
        Config c;
        char path[256];
        FILE *f;

        make_root();
        mkibft(_i, "-n", MAC0 ",pci=00:05.0", "-t", "ip=10.0.0.1," IQN0, NULL);
        /* virtio: net/ hangs below virtio0, not the PCI function the table names.
         * A VLAN with the same MAC but no device must not be taken. */
        snprintf(path, sizeof path, "%s/class/net/vlan5/", root);
        ck_assert_int_eq(mkdir_parents(path, 0755), 0);
        strcat(path, "address");
        ck_assert_ptr_nonnull(f = fopen(path, "we"));
        fputs("52:54:00:12:34:56\n", f);
        fclose(f);
        snprintf(path, sizeof path, "%s/class/net/enp0s5/device/", root);
        ck_assert_int_eq(mkdir_parents(path, 0755), 0);
        snprintf(path, sizeof path, "%s/class/net/enp0s5/address", root);
        ck_assert_ptr_nonnull(f = fopen(path, "we"));
        fputs("52:54:00:12:34:56\n", f);
        fclose(f);

        load(&c, 0);
        assert_clean(&c);
        ck_assert_str_eq(c.nics[0].ifname, "enp0s5");
        ck_assert_str_eq(c.sessions[0].netdev, "enp0s5");
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_too_many_nics) {
        const char *argv[64] = { "./mkibft", "-o", NULL };
        char table[128], specs[20][96];
        size_t n = 3;
        Config c;
        pid_t pid;
        int status;

        make_root();
        snprintf(table, sizeof table, "%s/firmware/acpi/tables/", root);
        ck_assert_int_eq(mkdir_parents(table, 0755), 0);
        strcat(table, "iBFT");
        argv[2] = table;
        for (int i = 0; i < 20; i++) {
                snprintf(specs[i], sizeof specs[i], "index=%d,mac=52:54:00:00:00:%02x,ip=10.0.%d.2/24,flags=1", i, i, i);
                argv[n++] = "-n";
                argv[n++] = specs[i];
        }
        argv[n++] = "-t";
        argv[n++] = "ip=10.0.0.1,name=iqn.x:y";
        argv[n] = NULL;
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                execv(argv[0], (char **) argv);
                _exit(127);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

        config_init(&c);
        c.multipath = true;
        ck_assert_int_eq(config_load_ibft(&c, root, 0), 0);
        ck_assert_uint_eq(c.n_nics, CONFIG_MAX_NICS);
        assert_error(&c, "more than 16 NICs");
        ck_assert_uint_eq(c.n_sessions, 1);
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_invalid_names) {
        Config c;
        char long_secret[400];

        /* a '/' in a target name would escape open-iscsi's node database; the same rules
         * as for command-line names apply, and CHAP strings fit a node record line */
        snprintf(long_secret, sizeof long_secret, "index=2,ip=10.0.0.3,name=iqn.x:ok2,chap=chap,chap-secret=s3cret%0300d", 0);
        make_root();
        mkibft(_i, "-i", "iqn.x/../../etc", "-n", MAC0,
               "-t", "ip=10.0.0.1,name=iqn.x:../../y/z",
               "-t", "index=1,ip=10.0.0.2,name=iqn.x:ok,chap=chap,chap-name=alice,chap-secret=s3cretpassw0rd",
               "-t", long_secret, NULL);
        load(&c, CONFIG_WITH_SECRETS);
        ck_assert_ptr_null(c.initiator);
        assert_error(&c, "initiator name is invalid");
        assert_error(&c, "target 0 has an invalid target name");
        assert_error(&c, "target 2 has an invalid CHAP secret");
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_str_eq(c.sessions[0].target, "iqn.x:ok");
        ck_assert(!config_mentions(&c, "s3cret"));
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_offload_boot_dirs) {
        Config c;
        char from[256], to[256];

        /* an offload HBA's iscsi_boot<N>: same layout as the iBFT view */
        make_root();
        mkibft(MODE_SYSFS, "-n", MAC0 ",ip=10.0.0.2/8", "-t", "ip=10.0.0.1," IQN0, NULL);
        snprintf(from, sizeof from, "%s/firmware/ibft", root);
        snprintf(to, sizeof to, "%s/firmware/iscsi_boot3", root);
        ck_assert_int_eq(rename(from, to), 0);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_uint_eq(c.n_nics, 1);
        config_done(&c);

        /* and together with an iBFT: both, NIC association stays within each source */
        mkibft(MODE_TABLE, "-n", "index=0,mac=52:54:00:00:00:09,ip=10.9.0.2/8", "-t", "ip=10.9.0.1,nic=0," IQN0, NULL);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_uint_eq(c.n_sessions, 2);
        ck_assert_uint_eq(c.n_nics, 2);
        ck_assert_str_eq(c.sessions[0].portal, "10.9.0.1");
        ck_assert_int_eq(c.sessions[0].nic, 0);
        ck_assert_str_eq(c.sessions[1].id, "ibft-1");
        ck_assert_str_eq(c.sessions[1].portal, "10.0.0.1");
        ck_assert_int_eq(c.sessions[1].nic, 1);
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_raw_preferred) {
        Config c;
        char path[256];
        FILE *f;

        make_root();
        mkibft(MODE_RAW, "-n", MAC0, "-t", "ip=10.0.0.1,port=3262," IQN0, NULL);
        snprintf(path, sizeof path, "%s/firmware/ibft/target0/port", root);
        ck_assert_ptr_nonnull(f = fopen(path, "we"));
        fputs("4000\n", f);
        fclose(f);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_uint_eq(c.n_sessions, 1);
        ck_assert_uint_eq(c.sessions[0].port, 3262);
        config_done(&c);

        /* without the ACPI copy the sysfs view is read */
        snprintf(path, sizeof path, "%s/firmware/acpi/tables/iBFT", root);
        ck_assert_int_eq(unlink(path), 0);
        load(&c, 0);
        assert_clean(&c);
        ck_assert_uint_eq(c.sessions[0].port, 4000);
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_no_table) {
        Config c;

        make_root();
        load(&c, 0);
        ck_assert_uint_eq(c.n_errors, 0);
        ck_assert(has_message(c.warnings, c.n_warnings, "no iBFT"));
        ck_assert_uint_eq(c.n_sessions, 0);
        ck_assert(!c.wants_iscsi);
        config_done(&c);
        remove_root();
}
END_TEST

/* ---- hostile tables ---- */

static const struct {
        const char *corrupt, *error;
        bool session_survives;
} corruptions[] = {
        { "checksum",       "checksum",                 false },
        { "revision",       "revision 2",               false },
        { "signature",      "signature",                false },
        { "truncate:40",    "truncated",                false },
        { "truncate:300",   "truncated",                false },
        { "length:20",      "too small",                false },
        { "length:65535",   "truncated",                false },
        { "control-length", "control structure length", false },
        { "nic-offset",     "points outside",           true  },
        { "target-offset",  "points outside",           false },
        { "string",         "outside the table",        false },
        { "nic-length",     "expected 102",             true  },
        { "target-length",  "expected 54",              false },
        { "unprintable",    "unprintable",              false },
};

START_TEST(test_corrupt) {
        Config c;

        make_root();
        mkibft(MODE_TABLE, "-c", corruptions[_i].corrupt, "-i", "iqn.x:y",
               "-n", MAC0 ",ip=10.0.0.2/8", MUTUAL_TARGET, NULL);
        load(&c, CONFIG_WITH_SECRETS);
        assert_error(&c, corruptions[_i].error);
        ck_assert_uint_eq(c.n_sessions, corruptions[_i].session_survives);
        /* secrets are never quoted */
        ck_assert(!config_mentions(&c, "s3cret"));
        ck_assert(!config_mentions(&c, "t4rget"));
        config_done(&c);
        remove_root();
}
END_TEST

START_TEST(test_parse_table_short_buffers) {
        /* Every prefix of a valid table: never a read past the buffer (ASan), never a
         * session from a table cut short. */
        char path[256];
        _cleanup_free_ char *buf = NULL;
        size_t size;

        make_root();
        mkibft(MODE_TABLE, "-i", "iqn.x:y", "-n", MAC0 ",ip=10.0.0.2/8,hostname=h", MUTUAL_TARGET, NULL);
        snprintf(path, sizeof path, "%s/firmware/acpi/tables/iBFT", root);
        ck_assert_int_eq(read_full_file(path, &buf, &size, 65536), 0);
        for (size_t n = 0; n <= size; n++) {
                Config c;
                uint8_t *copy = malloc(n ?: 1);

                ck_assert_ptr_nonnull(copy);
                memcpy(copy, buf, n);
                config_init(&c);
                ck_assert_int_eq(ibft_parse_table(&c, copy, n, NULL, 0), 0);
                ck_assert_uint_eq(c.n_sessions, n == size ? 1 : 0);
                ck_assert(n == size || c.n_errors > 0);
                config_done(&c);
                free(copy);
        }
        remove_root();
}
END_TEST

START_TEST(test_parse_table_fuzz) {
        /* Random single-byte changes with a fixed checksum: no crash, no overread. */
        char path[256];
        _cleanup_free_ char *buf = NULL;
        size_t size;
        unsigned seed = 1;

        make_root();
        mkibft(MODE_TABLE, "-i", "iqn.x:y", "-n", MAC0 ",ip=10.0.0.2/8,hostname=h,vlan=5",
               "-n", "index=1,mac=52:54:00:00:00:01,ip=2001:db8::1/64", MUTUAL_TARGET,
               "-t", "ip=10.0.0.3,nic=1,lun=7," IQN0, NULL);
        snprintf(path, sizeof path, "%s/firmware/acpi/tables/iBFT", root);
        ck_assert_int_eq(read_full_file(path, &buf, &size, 65536), 0);
        for (unsigned iter = 0; iter < 20000; iter++) {
                Config c;
                uint8_t *copy = malloc(size), sum = 0;

                ck_assert_ptr_nonnull(copy);
                memcpy(copy, buf, size);
                for (unsigned k = 0; k < 1 + iter % 4; k++) {
                        seed = seed * 1103515245 + 12345;
                        copy[(seed >> 8) % size] = (uint8_t) (seed >> 20);
                }
                copy[9] = 0;
                for (size_t i = 0; i < size; i++)
                        sum += copy[i];
                copy[9] = (uint8_t) -sum;
                config_init(&c);
                ck_assert_int_eq(ibft_parse_table(&c, copy, size, NULL, CONFIG_WITH_SECRETS), 0);
                ck_assert(!config_mentions(&c, "s3cret"));
                config_done(&c);
                free(copy);
        }
        remove_root();
}
END_TEST

START_TEST(test_sysfs_hostile) {
        Config c;
        char path[256];
        FILE *f;

        make_root();
        mkibft(MODE_SYSFS, "-n", MAC0 ",ip=10.0.0.2/8", "-t", "ip=10.0.0.1," IQN0,
               "-t", "index=1,ip=10.0.0.3,lun=5," IQN0, NULL);
        /* target0: a name with a newline; target1: garbage lun */
        snprintf(path, sizeof path, "%s/firmware/ibft/target0/target-name", root);
        ck_assert_ptr_nonnull(f = fopen(path, "we"));
        fputs("iqn.x:y\nExecStart=/bin/evil\n", f);
        fclose(f);
        snprintf(path, sizeof path, "%s/firmware/ibft/target1/lun", root);
        ck_assert_ptr_nonnull(f = fopen(path, "we"));
        fputs("zz\n", f);
        fclose(f);
        /* an initiator name with a control character: reported, the rest still read */
        snprintf(path, sizeof path, "%s/firmware/ibft/initiator/initiator-name", root);
        ck_assert_ptr_nonnull(f = fopen(path, "we"));
        fputs("iqn.x:\033y\n", f);
        fclose(f);
        load(&c, 0);
        ck_assert_uint_eq(c.n_sessions, 0);
        ck_assert_uint_eq(c.n_nics, 1);         /* read despite the bad initiator name */
        ck_assert_ptr_null(c.initiator);
        assert_error(&c, "initiator-name contains unprintable");
        assert_error(&c, "target-name contains unprintable");
        assert_error(&c, "lun");

        config_done(&c);
        remove_root();
}
END_TEST

static Suite *ibft_suite(void) {
        Suite *s = suite_create("ibft");
        TCase *tc = tcase_create("parse");

        tcase_set_timeout(tc, 60);
        tcase_add_loop_test(tc, test_static_ipv4, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_dhcp, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_vlan, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_ipv6, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_boot_selected, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_multipath, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_only_bit1_and_none_selected, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_chap, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_mutual_chap, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_chap_type_none_ignores_names, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_lun_values, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_ambiguous_lun, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_test(tc, test_sysfs_lun_text);
        tcase_add_loop_test(tc, test_missing_optional, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_initiator_from_cmdline_wins, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_target_without_nic, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_loop_test(tc, test_ifname_by_mac, MODE_SYSFS, MODE_TABLE + 1);
        tcase_add_test(tc, test_too_many_nics);
        tcase_add_loop_test(tc, test_invalid_names, MODE_RAW, MODE_SYSFS + 1);
        tcase_add_test(tc, test_offload_boot_dirs);
        tcase_add_test(tc, test_raw_preferred);
        tcase_add_test(tc, test_no_table);
        tcase_add_loop_test(tc, test_corrupt, 0, (int) ELEMENTSOF(corruptions));
        tcase_add_test(tc, test_parse_table_short_buffers);
        tcase_add_test(tc, test_parse_table_fuzz);
        tcase_add_test(tc, test_sysfs_hostile);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(ibft_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
