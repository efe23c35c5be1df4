/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config.h"
#include "log.h"
#include "network.h"
#include "paths.h"
#include "util.h"

static const char *const file_suffix[_NETWORK_FILE_MAX] = {
        [NETWORK_FILE_LINK] = ".network",
        [NETWORK_FILE_VLAN_NETDEV] = "-vlan.netdev",
        [NETWORK_FILE_VLAN_NETWORK] = "-vlan.network",
};

static bool mac_is_null(const uint8_t mac[6]) {
        static const uint8_t zero[6] = {};
        return memcmp(mac, zero, 6) == 0;
}

bool network_nic_has_file(const Nic *n, NetworkFile type) {
        if (type < 0 || type >= _NETWORK_FILE_MAX || mac_is_null(n->mac))
                return false;
        return type == NETWORK_FILE_LINK || n->vlan != 0;
}

int network_file_name(const Nic *n, NetworkFile type, char *buf, size_t size) {
        int k;

        if (type < 0 || type >= _NETWORK_FILE_MAX)
                return -EINVAL;
        k = snprintf(buf, size, "50-sd-iscsi-ibft%d%s", n->index, file_suffix[type]);
        return k < 0 || (size_t) k >= size ? -ENAMETOOLONG : 0;
}

static void write_header(const Nic *n, FILE *f) {
        fprintf(f, "# Written by sd-iscsi from the iSCSI boot firmware table (NIC %d).\n", n->index);
}

static void write_match_mac(const Nic *n, FILE *f) {
        /* Initrd interface names are not stable, the MAC is. Type=ether keeps VLANs and
         * other virtual links that inherit the MAC from matching as well. */
        fprintf(f, "[Match]\nMACAddress=%02x:%02x:%02x:%02x:%02x:%02x\nType=ether\n",
                n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
}

/* The [Network] addressing of the link that carries the NIC's addresses. */
static void write_addressing(const Nic *n, FILE *f) {
        if (n->dhcp) {
                int family = n->address.family;

                fprintf(f, "DHCP=%s\n", family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "yes");
                if (family == AF_INET)
                        fputs("LinkLocalAddressing=no\nIPv6AcceptRA=no\n", f);
                /* The root disk hangs off this lease: keep it across networkd's stop at
                 * switch-root and its restart in the real root ("dhcp" implies
                 * "dhcp-on-stop"). */
                fputs("KeepConfiguration=dhcp\n", f);
                if (n->hostname && family != AF_INET6)
                        fprintf(f, "\n[DHCPv4]\nHostname=%s\n", n->hostname);
                return;
        }

        if (n->address.family != 0)
                fprintf(f, "Address=%s/%u\n", n->address.address, n->address.prefixlen);
        if (n->gateway[0])
                fprintf(f, "Gateway=%s\n", n->gateway);
        for (size_t i = 0; i < ELEMENTSOF(n->dns); i++)
                if (n->dns[i][0])
                        fprintf(f, "DNS=%s\n", n->dns[i]);
        /* Static as the firmware had it: no autoconfiguration to race with. IPv6 keeps
         * its link-local address, neighbour discovery with the router needs it. */
        fprintf(f, "LinkLocalAddressing=%s\n", n->address.family == AF_INET6 ? "ipv6" : "no");
        fputs("IPv6AcceptRA=no\n", f);
        /* Do not drop the address when networkd stops at switch-root or starts again. */
        fputs("KeepConfiguration=static\n", f);
}

int network_write(const Nic *n, NetworkFile type, FILE *f) {
        char vlan[NETWORK_IFNAME_MAX];

        if (!network_nic_has_file(n, type))
                return -EINVAL;
        network_nic_netdev(n, vlan);

        write_header(n, f);
        switch (type) {
        case NETWORK_FILE_LINK:
                write_match_mac(n, f);
                fputs("\n[Network]\n", f);
                if (n->vlan != 0)
                        fprintf(f, "VLAN=%s\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n", vlan);
                else
                        write_addressing(n, f);
                break;
        case NETWORK_FILE_VLAN_NETDEV:
                /* The firmware's VLAN frames carried the NIC's MAC (DHCP reservations
                 * may depend on it); do not let networkd generate another one. */
                fprintf(f, "[NetDev]\nName=%s\nKind=vlan\nMACAddress=%02x:%02x:%02x:%02x:%02x:%02x\n\n[VLAN]\nId=%u\n",
                        vlan, n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5], n->vlan);
                break;
        case NETWORK_FILE_VLAN_NETWORK:
                fprintf(f, "[Match]\nName=%s\nType=vlan\n\n[Network]\n", vlan);
                write_addressing(n, f);
                break;
        default:
                return -EINVAL;
        }
        return ferror(f) ? -EIO : 0;
}

static int write_one(const Nic *n, NetworkFile type, const char *dir) {
        char name[64], path[PATH_MAX], tmp[PATH_MAX];
        _cleanup_fclose_ FILE *f = NULL;
        int fd, r;

        r = network_file_name(n, type, name, sizeof name);
        if (r < 0)
                return r;
        if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path ||
            (size_t) snprintf(tmp, sizeof tmp, "%s/.#%sXXXXXX", dir, name) >= sizeof tmp)
                return -ENAMETOOLONG;

        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "w");
        if (!f) {
                r = -errno;
                close(fd);
                goto fail;
        }
        r = network_write(n, type, f);
        if (r < 0)
                goto fail;
        if (fflush(f) != 0 || fchmod(fd, 0644) < 0) {
                r = -errno;
                goto fail;
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }
        return 0;

fail:
        (void) unlink(tmp);
        return r;
}

int network_write_files(const Config *c, const char *dir) {
        char slash[PATH_MAX];
        int r;

        if ((size_t) snprintf(slash, sizeof slash, "%s/", dir) >= sizeof slash)
                return -ENAMETOOLONG;
        r = mkdir_parents(slash, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create %s: %m", dir);

        for (size_t i = 0; i < c->n_nics; i++) {
                const Nic *n = &c->nics[i];

                bool dup = false;

                if (mac_is_null(n->mac)) {
                        log_warning("iBFT NIC %d has no MAC address, not configuring it.", n->index);
                        continue;
                }
                /* Only an offload HBA's table (iscsi_boot<N>) next to the iBFT can repeat
                 * an index; the HBA configures its own network, the first one wins. */
                for (size_t j = 0; j < i; j++)
                        dup = dup || c->nics[j].index == n->index;
                if (dup) {
                        log_warning("Two firmware NICs with index %d, configuring only the first.", n->index);
                        continue;
                }
                for (NetworkFile t = 0; t < _NETWORK_FILE_MAX; t++) {
                        if (!network_nic_has_file(n, t))
                                continue;
                        r = write_one(n, t, dir);
                        if (r < 0)
                                return log_error_errno(r, "Failed to write network file for iBFT NIC %d in %s: %m",
                                                       n->index, dir);
                }
        }
        return 0;
}


int handoff_write_dropin(FILE *f) {
        fputs("# Automatically generated by sd-iscsi handoff: an iSCSI connection of the boot\n"
              "# (the root disk's) runs over a link this file configures.\n"
              "[Network]\n"
              "KeepConfiguration=yes\n", f);
        return ferror(f) ? -EIO : 0;
}

int network_write_dropin(const char *network, const char *dropin, int (*render)(FILE *f)) {
        _cleanup_free_ char *text = NULL, *name = NULL;
        char outdir[PATH_MAX], path[PATH_MAX];
        size_t size = 0;
        FILE *f;
        int r;

        r = runtime_path("/run/systemd/network", outdir, sizeof outdir);
        if (r < 0)
                return r;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        r = render(f);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        if (r < 0)
                return r;
        if (asprintf(&name, "%s.d/%s", network, dropin) < 0)
                return -ENOMEM;
        if (snprintf(path, sizeof path, "%s/%s", outdir, name) >= (int) sizeof path)
                return -ENAMETOOLONG;
        (void) unlink(path);
        return write_file_excl(outdir, name, text, size, 0644);
}

