/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The networkd writer: exact expected text for each kind of iBFT NIC. */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "bond.h"
#include "config.h"
#include "netfiles.h"
#include "network.h"
#include "util.h"

#define HEADER(n) "# Written by sd-iscsi from the iSCSI boot firmware table (NIC " #n ").\n"
#define MATCH "[Match]\nMACAddress=52:54:00:12:34:56\nType=ether\n\n"

static Nic nic_static4(void) {
        return (Nic) {
                .index = 0,
                .flags = 3,
                .boot_selected = true,
                .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
                .address = { .family = AF_INET, .address = "192.168.100.10", .prefixlen = 24 },
                .gateway = "192.168.100.1",
                .dns = { "192.168.100.2", "192.168.100.3" },
                .hostname = (char *) "client1",
        };
}

static char *render(const Nic *n, NetworkFile t) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(network_write(n, t, f), 0);
        ck_assert_int_eq(fclose(f), 0);
        return buf;
}

static void assert_text(const Nic *n, NetworkFile t, const char *want) {
        _cleanup_free_ char *got = render(n, t);
        ck_assert_str_eq(got, want);
}

START_TEST(test_static_ipv4) {
        Nic n = nic_static4();
        char name[64];

        assert_text(&n, NETWORK_FILE_LINK,
                    HEADER(0) MATCH
                    "[Network]\n"
                    "Address=192.168.100.10/24\n"
                    "Gateway=192.168.100.1\n"
                    "DNS=192.168.100.2\n"
                    "DNS=192.168.100.3\n"
                    "LinkLocalAddressing=no\n"
                    "IPv6AcceptRA=no\n"
                    "KeepConfiguration=static\n");
        ck_assert(!network_nic_has_file(&n, NETWORK_FILE_VLAN_NETDEV));
        ck_assert(!network_nic_has_file(&n, NETWORK_FILE_VLAN_NETWORK));
        ck_assert_int_eq(network_file_name(&n, NETWORK_FILE_LINK, name, sizeof name), 0);
        ck_assert_str_eq(name, "50-sd-iscsi-ibft0.network");
        ck_assert_int_eq(network_file_name(&n, NETWORK_FILE_LINK, name, 10), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_static_ipv6) {
        Nic n = nic_static4();

        n.index = 1;
        n.address = (NicAddress) { .family = AF_INET6, .address = "2001:db8::10", .prefixlen = 64 };
        strcpy(n.gateway, "fe80::1");
        strcpy(n.dns[0], "2001:db8::53");
        n.dns[1][0] = 0;
        assert_text(&n, NETWORK_FILE_LINK,
                    HEADER(1) MATCH
                    "[Network]\n"
                    "Address=2001:db8::10/64\n"
                    "Gateway=fe80::1\n"
                    "DNS=2001:db8::53\n"
                    "LinkLocalAddressing=ipv6\n"
                    "IPv6AcceptRA=no\n"
                    "KeepConfiguration=static\n");
}
END_TEST

START_TEST(test_dhcp) {
        Nic n = nic_static4();

        n.dhcp = true;
        assert_text(&n, NETWORK_FILE_LINK,
                    HEADER(0) MATCH
                    "[Network]\n"
                    "DHCP=ipv4\n"
                    "LinkLocalAddressing=no\n"
                    "IPv6AcceptRA=no\n"
                    "KeepConfiguration=dhcp\n"
                    "\n"
                    "[DHCPv4]\n"
                    "Hostname=client1\n");

        /* no address in the table: both families, no host name to send */
        n.address.family = 0;
        n.hostname = NULL;
        assert_text(&n, NETWORK_FILE_LINK,
                    HEADER(0) MATCH
                    "[Network]\n"
                    "DHCP=yes\n"
                    "KeepConfiguration=dhcp\n");

        n.address = (NicAddress) { .family = AF_INET6, .address = "2001:db8::10", .prefixlen = 64 };
        assert_text(&n, NETWORK_FILE_LINK,
                    HEADER(0) MATCH
                    "[Network]\n"
                    "DHCP=ipv6\n"
                    "KeepConfiguration=dhcp\n");
}
END_TEST

START_TEST(test_minimal_static) {
        Nic n = { .index = 3, .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
                  .address = { .family = AF_INET, .address = "10.0.0.2", .prefixlen = 8 } };

        assert_text(&n, NETWORK_FILE_LINK,
                    HEADER(3) MATCH
                    "[Network]\n"
                    "Address=10.0.0.2/8\n"
                    "LinkLocalAddressing=no\n"
                    "IPv6AcceptRA=no\n"
                    "KeepConfiguration=static\n");
}
END_TEST

START_TEST(test_vlan) {
        Nic n = nic_static4();
        char buf[NETWORK_IFNAME_MAX], name[64];

        n.index = 2;
        n.vlan = 100;
        n.ifname = (char *) "eth0";
        ck_assert_str_eq(network_nic_netdev(&n, buf), "ibft2.100");

        assert_text(&n, NETWORK_FILE_LINK,
                    HEADER(2) MATCH
                    "[Network]\n"
                    "VLAN=ibft2.100\n"
                    "LinkLocalAddressing=no\n"
                    "IPv6AcceptRA=no\n");
        assert_text(&n, NETWORK_FILE_VLAN_NETDEV,
                    HEADER(2)
                    "[NetDev]\n"
                    "Name=ibft2.100\n"
                    "Kind=vlan\n"
                    "MACAddress=52:54:00:12:34:56\n"
                    "\n"
                    "[VLAN]\n"
                    "Id=100\n");
        assert_text(&n, NETWORK_FILE_VLAN_NETWORK,
                    HEADER(2)
                    "[Match]\n"
                    "Name=ibft2.100\n"
                    "Type=vlan\n"
                    "\n"
                    "[Network]\n"
                    "Address=192.168.100.10/24\n"
                    "Gateway=192.168.100.1\n"
                    "DNS=192.168.100.2\n"
                    "DNS=192.168.100.3\n"
                    "LinkLocalAddressing=no\n"
                    "IPv6AcceptRA=no\n"
                    "KeepConfiguration=static\n");
        ck_assert_int_eq(network_file_name(&n, NETWORK_FILE_VLAN_NETDEV, name, sizeof name), 0);
        ck_assert_str_eq(name, "50-sd-iscsi-ibft2-vlan.netdev");
        ck_assert_int_eq(network_file_name(&n, NETWORK_FILE_VLAN_NETWORK, name, sizeof name), 0);
        ck_assert_str_eq(name, "50-sd-iscsi-ibft2-vlan.network");

        /* the largest name fits IFNAMSIZ */
        n.index = 255;
        n.vlan = 4095;
        ck_assert_str_eq(network_nic_netdev(&n, buf), "ibft255.4095");
}
END_TEST

START_TEST(test_netdev_without_vlan) {
        Nic n = nic_static4();
        char buf[NETWORK_IFNAME_MAX];

        ck_assert_ptr_null(network_nic_netdev(&n, buf));
        n.ifname = (char *) "ens3";
        ck_assert_str_eq(network_nic_netdev(&n, buf), "ens3");
}
END_TEST

START_TEST(test_no_mac) {
        Nic n = nic_static4();
        FILE *f = fopen("/dev/null", "we");

        memset(n.mac, 0, sizeof n.mac);
        ck_assert(!network_nic_has_file(&n, NETWORK_FILE_LINK));
        ck_assert_int_eq(network_write(&n, NETWORK_FILE_LINK, f), -EINVAL);
        n = nic_static4();
        ck_assert_int_eq(network_write(&n, NETWORK_FILE_VLAN_NETDEV, f), -EINVAL);
        fclose(f);
}
END_TEST

START_TEST(test_bond_netdev) {
        Bond b = { .name = "bond0", .mode = "active-backup", .miimon_ms = 100, .updelay_ms = -1,
                   .downdelay_ms = 0, .arp_interval_ms = -1, .min_links = 2, .lacp_rate = "fast" };
        char name[64], *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_int_eq(bond_netdev_name(&b, name, sizeof name), 0);
        /* before systemd-network-generator's "90-bond0.netdev" (252) and "70-…" (257) */
        ck_assert_str_eq(name, "10-sd-iscsi-bond-bond0.netdev");
        ck_assert_int_eq(bond_netdev_name(&b, name, 20), -ENAMETOOLONG);
        ck_assert_int_eq(bond_netdev_write(&b, f), 0);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_str_eq(buf, "# Automatically generated by sd-iscsi prepare from bond=\n\n"
                         "[NetDev]\nName=bond0\nKind=bond\n\n"
                         "[Bond]\nMode=active-backup\nLACPTransmitRate=fast\n"
                         "MIIMonitorSec=100ms\nDownDelaySec=0ms\nMinLinks=2\n");
        free(buf);
}
END_TEST

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return remove(path);
}

START_TEST(test_write_files) {
        char root[] = "/tmp/test-network.XXXXXX", dir[128], path[256];
        Nic nics[4] = { nic_static4(), nic_static4(), nic_static4(), nic_static4() };
        Config c;
        struct stat st;
        _cleanup_free_ char *text = NULL, *want = NULL;

        ck_assert_ptr_nonnull(mkdtemp(root));
        snprintf(dir, sizeof dir, "%s/run/systemd/network", root);
        nics[1].index = 1;
        nics[1].vlan = 7;
        nics[2].index = 2;
        memset(nics[2].mac, 0, 6);
        /* a second source's NIC with a known index must not replace the first's files */
        nics[3].index = 1;
        nics[3].mac[5] = 0x99;

        config_init(&c);
        c.nics = nics;
        c.n_nics = 4;
        ck_assert_int_eq(network_write_files(&c, dir), 0);
        /* again: existing files are replaced, not an error */
        ck_assert_int_eq(network_write_files(&c, dir), 0);

        static const char *const expect[] = {
                "50-sd-iscsi-ibft0.network",
                "50-sd-iscsi-ibft1.network",
                "50-sd-iscsi-ibft1-vlan.netdev",
                "50-sd-iscsi-ibft1-vlan.network",
        };
        for (size_t i = 0; i < ELEMENTSOF(expect); i++) {
                snprintf(path, sizeof path, "%s/%s", dir, expect[i]);
                ck_assert_int_eq(stat(path, &st), 0);
                ck_assert_int_eq(st.st_mode & 07777, 0644);
        }
        snprintf(path, sizeof path, "%s/50-sd-iscsi-ibft2.network", dir);
        ck_assert_int_eq(stat(path, &st), -1);
        snprintf(path, sizeof path, "%s/50-sd-iscsi-ibft1.network", dir);
        ck_assert_int_eq(read_full_file(path, &text, NULL, 65536), 0);
        ck_assert_ptr_nonnull(strstr(text, "MACAddress=52:54:00:12:34:56\n"));
        text = (free(text), NULL);

        snprintf(path, sizeof path, "%s/50-sd-iscsi-ibft0.network", dir);
        ck_assert_int_eq(read_full_file(path, &text, NULL, 65536), 0);
        want = render(&nics[0], NETWORK_FILE_LINK);
        ck_assert_str_eq(text, want);

        ck_assert_int_eq(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
        c.nics = NULL;
        c.n_nics = 0;
        config_done(&c);
}
END_TEST

static Suite *network_suite(void) {
        Suite *s = suite_create("network");
        TCase *tc = tcase_create("writer");

        tcase_add_test(tc, test_static_ipv4);
        tcase_add_test(tc, test_static_ipv6);
        tcase_add_test(tc, test_dhcp);
        tcase_add_test(tc, test_minimal_static);
        tcase_add_test(tc, test_vlan);
        tcase_add_test(tc, test_netdev_without_vlan);
        tcase_add_test(tc, test_no_mac);
        tcase_add_test(tc, test_write_files);
        tcase_add_test(tc, test_bond_netdev);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(network_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
