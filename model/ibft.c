/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The iSCSI Boot Firmware Table → the model.
 *
 * Sources, in order of preference:
 *  1. the raw table as ACPI exports it, <sysfs>/firmware/acpi/tables/{iBFT,IBFT,BIFT}:
 *     complete at generator time, needs no module, and the only source of an exact LUN;
 *  2. the kernel's view, <sysfs>/firmware/ibft/, created by module iscsi_ibft. A table
 *     that the kernel found by scanning low memory (iPXE, legacy BIOS option ROMs) has
 *     no ACPI copy, and nothing loads iscsi_ibft on its own (no modalias; generators run
 *     before udev and systemd-modules-load), so on the real /sys we load it ourselves;
 *  3. offload HBAs' <sysfs>/firmware/iscsi_boot<N>/, same layout as 2, if present.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config.h"
#include "ibft-internal.h"
#include "ibft.h"
#include "util.h"

void ibft_nic_done(Nic *n) {
        free(n->hostname);
        free(n->ifname);
        *n = (Nic) {};
}

void firmware_done(Firmware *fw) {
        free(fw->initiator);
        for (size_t i = 0; i < fw->n_nics; i++)
                ibft_nic_done(&fw->nics[i]);
        for (size_t i = 0; i < fw->n_targets; i++)
                session_done(&fw->targets[i].s);
        fw->n_nics = fw->n_targets = 0;
        fw->initiator = NULL;
}

Nic *firmware_find_nic(Firmware *fw, int index) {
        for (size_t i = 0; i < fw->n_nics; i++)
                if (fw->nics[i].index == index)
                        return &fw->nics[i];
        return NULL;
}

bool firmware_has_target(const Firmware *fw, int index) {
        for (size_t i = 0; i < fw->n_targets; i++)
                if (fw->targets[i].index == index)
                        return true;
        return false;
}

int firmware_add_target(Firmware *fw, FwTarget *ft, const char *portal) {
        ft->s.portal = strdup(portal);
        if (!ft->s.portal) {
                session_done(&ft->s);
                return -ENOMEM;
        }
        fw->targets[fw->n_targets++] = *ft;
        return 0;
}

uint64_t ibft_lun_from_sam(const uint8_t sam[8]) {
        uint64_t lun = 0;

        /* The kernel's int_to_scsilun() inverse: each 2-byte level is swapped into place,
         * so single-level peripheral LUN n (00 n …) is n and flat LUN n is 0x4000|n, the
         * numbers that H:C:T:L and /dev/disk/by-path use. */
        for (unsigned i = 0; i < 8; i += 2)
                lun |= ((uint64_t) sam[i] << ((i + 1) * 8)) | ((uint64_t) sam[i + 1] << (i * 8));
        return lun;
}

/* Strings end up in unit files and networkd files: printable ASCII only, which also
 * rules out newlines that would inject settings. */
bool ibft_string_is_safe(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || (unsigned char) *s >= 0x7f)
                        return false;
        return true;
}

bool ibft_hostname_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > 253 || *s == '.' || *s == '-')
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
                        return false;
        return true;
}

const char *ibft_family_name(int family) {
        return family == AF_INET ? "IPv4" : "IPv6";
}

/* The same rules as for command-line sessions: names become file names in open-iscsi's
 * databases and parts of units; CHAP strings one line of a node record. Reports without
 * quoting anything that could be a secret. */
bool ibft_target_strings_valid(Config *c, const char *what, int index, const Session *s,
                                 const char *secret, const char *rsecret) {
        const char *bad = NULL;

        if (!spec_name_valid(s->target, ISCSI_NAME_MAX))
                bad = "target name";
        else if (s->chap.username && !spec_chap_valid(s->chap.username))
                bad = "CHAP name";
        else if (secret && !spec_chap_valid(secret))
                bad = "CHAP secret";
        else if (s->chap.in_username && !spec_chap_valid(s->chap.in_username))
                bad = "reverse CHAP name";
        else if (rsecret && !spec_chap_valid(rsecret))
                bad = "reverse CHAP secret";
        if (bad)
                config_error(c, "%s: target %d has an invalid %s, ignoring the target.", what, index, bad);
        return !bad;
}

bool ibft_initiator_valid(Config *c, const char *what, const char *name) {
        if (spec_name_valid(name, ISCSI_NAME_MAX))
                return true;
        config_error(c, "%s: the initiator name is invalid, ignoring it.", what);
        return false;
}

/* ---- interface names -------------------------------------------------------------- */

/* The first entry of dir/net/, the interface a network device's sysfs node carries. */
int ibft_ifname_from_device(const char *device, char **ret) {
        char path[PATH_MAX];
        DIR *d;
        struct dirent *de;
        int r = -ENOENT;

        if ((size_t) snprintf(path, sizeof path, "%s/net", device) >= sizeof path)
                return -ENAMETOOLONG;
        d = opendir(path);
        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && strlen(de->d_name) < NETWORK_IFNAME_MAX) {
                        *ret = strdup(de->d_name);
                        r = *ret ? 0 : -ENOMEM;
                        break;
                }
        closedir(d);
        return r;
}

/* Network drivers may hang the interface below a child of the PCI function (virtio),
 * so as a fallback match the MAC among interfaces that have a device. */
int ibft_ifname_from_mac(const char *sysfs_root, const uint8_t mac[6], char **ret) {
        char path[PATH_MAX], want[18];
        DIR *d;
        struct dirent *de;
        int r = -ENOENT;

        snprintf(want, sizeof want, "%02x:%02x:%02x:%02x:%02x:%02x",
                 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
        if ((size_t) snprintf(path, sizeof path, "%s/class/net", sysfs_root) >= sizeof path)
                return -ENAMETOOLONG;
        d = opendir(path);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                _cleanup_free_ char *addr = NULL;
                struct stat st;

                if (de->d_name[0] == '.' || strlen(de->d_name) >= NETWORK_IFNAME_MAX)
                        continue;
                if ((size_t) snprintf(path, sizeof path, "%s/class/net/%s/device", sysfs_root, de->d_name) >= sizeof path ||
                    stat(path, &st) < 0)
                        continue;       /* VLANs and other virtual links share the MAC */
                if ((size_t) snprintf(path, sizeof path, "%s/class/net/%s/address", sysfs_root, de->d_name) >= sizeof path ||
                    read_one_line_file(path, &addr) < 0)
                        continue;
                if (strcmp(addr, want) == 0) {
                        *ret = strdup(de->d_name);
                        r = *ret ? 0 : -ENOMEM;
                        break;
                }
        }
        closedir(d);
        return r;
}

bool ibft_mac_is_null(const uint8_t mac[6]) {
        static const uint8_t zero[6] = {};
        return memcmp(mac, zero, 6) == 0;
}

/* ---- selection -------------------------------------------------------------------- */

int firmware_commit(Config *c, Firmware *fw) {
        int map[CONFIG_MAX_NICS];
        bool any_boot = false, all;
        int r;

        if (fw->initiator) {
                if (!c->initiator)
                        c->initiator = TAKE_PTR(fw->initiator);
                else if (strcmp(c->initiator, fw->initiator) != 0)
                        /* An explicit rd.iscsi.initiator= is an explicit override. */
                        config_warning(c, "%s: initiator name differs from rd.iscsi.initiator=, using the latter.",
                                       fw->what);
        }

        for (size_t i = 0; i < fw->n_targets; i++)
                any_boot = any_boot || (fw->targets[i].flags & IBFT_FLAG_BOOT_SELECTED);
        /* Some firmware marks blocks valid but none boot selected; rather than ignore
         * the table, use every valid target then. */
        all = c->multipath || !any_boot;
        if (!any_boot && fw->n_targets > 0 && !c->multipath)
                config_warning(c, "%s: no target is marked boot selected, using all valid targets.", fw->what);

        for (size_t i = 0; i < fw->n_nics; i++)
                map[i] = -1;
        for (size_t i = 0; i < fw->n_nics; i++) {
                Nic *n = &fw->nics[i];
                bool want = c->multipath || n->boot_selected;
                Nic *nics;

                for (size_t j = 0; !want && j < fw->n_targets; j++)
                        want = (all || (fw->targets[j].flags & IBFT_FLAG_BOOT_SELECTED)) &&
                                fw->targets[j].nic_assoc == n->index;
                if (!want)
                        continue;
                if (c->n_nics >= CONFIG_MAX_NICS) {
                        config_error(c, "%s: more than %d NICs, ignoring the rest.", fw->what, CONFIG_MAX_NICS);
                        break;
                }
                nics = realloc(c->nics, (c->n_nics + 1) * sizeof *nics);
                if (!nics)
                        return -ENOMEM;
                c->nics = nics;
                map[i] = (int) c->n_nics;
                c->nics[c->n_nics++] = *n;
                *n = (Nic) {};
        }

        for (size_t i = 0; i < fw->n_targets; i++) {
                FwTarget *ft = &fw->targets[i];
                char buf[NETWORK_IFNAME_MAX];
                const char *netdev;

                if (!all && !(ft->flags & IBFT_FLAG_BOOT_SELECTED))
                        continue;
                for (size_t j = 0; j < fw->n_nics; j++)
                        if (map[j] >= 0 && c->nics[map[j]].index == ft->nic_assoc)
                                ft->s.nic = map[j];
                if (ft->s.nic < 0)
                        config_warning(c, "%s: target %d names NIC %d, which is not in the table.",
                                       fw->what, ft->index, ft->nic_assoc);
                else {
                        netdev = network_nic_netdev(&c->nics[ft->s.nic], buf);
                        if (netdev) {
                                ft->s.netdev = strdup(netdev);
                                if (!ft->s.netdev)
                                        return -ENOMEM;
                        }
                }
                r = config_add_session(c, &ft->s);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        c->wants_iscsi = true;
        }
        return 0;
}

int config_load_ibft(Config *c, const char *sysfs_root, unsigned flags) {
        _cleanup_free_ uint8_t *table = NULL;
        char dir[PATH_MAX];
        size_t size = 0;
        bool found = false;
        int r;

        if (!sysfs_root)
                sysfs_root = "/sys";
        if ((size_t) snprintf(dir, sizeof dir, "%s/firmware/ibft", sysfs_root) >= sizeof dir)
                return -ENAMETOOLONG;

        r = ibft_read_table(c, sysfs_root, &table, &size);
        if (r > 0) {
                found = true;
                r = ibft_parse_table(c, table, size, sysfs_root, flags);
        } else {
                r = ibft_parse_sysfs(c, sysfs_root, dir, flags);
                if (r == -ENOENT && strcmp(sysfs_root, "/sys") == 0 && ibft_load_module(c) >= 0)
                        r = ibft_parse_sysfs(c, sysfs_root, dir, flags);
                found = r >= 0;
        }
        if (r == -ENOMEM)
                return r;

        r = ibft_parse_boot_dirs(c, sysfs_root, flags, &found);
        if (r < 0)
                return r;
        if (!found)
                config_warning(c, "iSCSI boot firmware requested, but no iBFT was found.");
        return 0;
}
