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
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config.h"
#include "ibft.h"
#include "util.h"

#define IBFT_MAX_SIZE (64U * 1024U)
#define IBFT_MAX_TARGETS 32

#define IBFT_HEADER_SIZE 48
#define IBFT_CONTROL_MIN 18
#define IBFT_INITIATOR_SIZE 74
#define IBFT_NIC_SIZE 102
#define IBFT_TARGET_SIZE 54

#define IBFT_FLAG_BOOT_SELECTED 0x02
#define IBFT_ORIGIN_DHCP 3

enum {
        IBFT_ID_CONTROL = 1,
        IBFT_ID_INITIATOR,
        IBFT_ID_NIC,
        IBFT_ID_TARGET,
        IBFT_ID_EXTENSIONS,
};

typedef struct FwTarget {
        Session s;
        uint8_t flags;
        int index;
        int nic_assoc;          /* the NIC's index field */
} FwTarget;

/* One table, parsed but not yet selected from: NIC association is by index within a
 * table, and selection (boot-selected or all) needs to see every structure first. */
typedef struct Firmware {
        const char *what;
        char *initiator;
        Nic nics[CONFIG_MAX_NICS];
        size_t n_nics;
        uint16_t nic_pci[CONFIG_MAX_NICS];     /* raw table: bus << 8 | dev << 3 | fn */
        FwTarget targets[IBFT_MAX_TARGETS];
        size_t n_targets;
} Firmware;

static void nic_done(Nic *n) {
        free(n->hostname);
        free(n->ifname);
        *n = (Nic) {};
}

static void firmware_done(Firmware *fw) {
        free(fw->initiator);
        for (size_t i = 0; i < fw->n_nics; i++)
                nic_done(&fw->nics[i]);
        for (size_t i = 0; i < fw->n_targets; i++)
                session_done(&fw->targets[i].s);
        fw->n_nics = fw->n_targets = 0;
        fw->initiator = NULL;
}

static Nic *firmware_find_nic(Firmware *fw, int index) {
        for (size_t i = 0; i < fw->n_nics; i++)
                if (fw->nics[i].index == index)
                        return &fw->nics[i];
        return NULL;
}

static bool firmware_has_target(const Firmware *fw, int index) {
        for (size_t i = 0; i < fw->n_targets; i++)
                if (fw->targets[i].index == index)
                        return true;
        return false;
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
static bool string_is_safe(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || (unsigned char) *s >= 0x7f)
                        return false;
        return true;
}

static bool hostname_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > 253 || *s == '.' || *s == '-')
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
                        return false;
        return true;
}

/* 16 bytes: IPv6, or IPv4 as ::ffff:a.b.c.d. Returns 0 when absent (all zero or
 * ::ffff:0.0.0.0), 1 when present. */
static int ip_from_bytes(const uint8_t *p, int *ret_family, char buf[static 46]) {
        static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
        static const uint8_t zero[16] = {};

        if (memcmp(p, zero, 16) == 0)
                return 0;
        if (memcmp(p, mapped, 12) == 0) {
                if (memcmp(p + 12, zero, 4) == 0)
                        return 0;
                if (!inet_ntop(AF_INET, p + 12, buf, 46))
                        return -EINVAL;
                *ret_family = AF_INET;
                return 1;
        }
        if (!inet_ntop(AF_INET6, p, buf, 46))
                return -EINVAL;
        *ret_family = AF_INET6;
        return 1;
}

static const char *family_name(int family) {
        return family == AF_INET ? "IPv4" : "IPv6";
}

/* The same rules as for command-line sessions: names become file names in open-iscsi's
 * databases and parts of units; CHAP strings one line of a node record. Reports without
 * quoting anything that could be a secret. */
static bool target_strings_valid(Config *c, const char *what, int index, const Session *s,
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

static bool initiator_valid(Config *c, const char *what, const char *name) {
        if (spec_name_valid(name, ISCSI_NAME_MAX))
                return true;
        config_error(c, "%s: the initiator name is invalid, ignoring it.", what);
        return false;
}

/* ---- the raw table ---------------------------------------------------------------- */

typedef struct Table {
        const uint8_t *p;
        size_t len;
        Config *c;
        const char *what;
} Table;

static uint16_t get16(const uint8_t *p) {
        return (uint16_t) (p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* The string descriptor at absolute offset field (inside an already checked
 * structure). Returns 0 and NULL when absent, 0 and the copy when present, -EBADMSG
 * (reported) when it points outside the table or holds unprintable bytes, -ENOMEM.
 * Never quotes the contents: it may be a secret. */
static int table_string(const Table *t, size_t field, const char *structure, const char *name,
                        bool secret, char **ret) {
        uint16_t len = get16(t->p + field), off = get16(t->p + field + 2);
        const char *s;
        char *copy;
        size_t n;

        *ret = NULL;
        if (len == 0)
                return 0;
        if (off == 0 || (size_t) off + len > t->len) {
                config_error(t->c, "%s: %s %s (offset %u, length %u) lies outside the table (%zu bytes), ignoring %s.",
                             t->what, structure, name, off, len, t->len, structure);
                return -EBADMSG;
        }
        /* Firmware may count a terminating NUL; the kernel stops there as well. */
        s = (const char *) t->p + off;
        n = strnlen(s, len);
        if (n == 0)
                return 0;
        copy = strndup(s, n);
        if (!copy)
                return -ENOMEM;
        if (!string_is_safe(copy)) {
                if (secret)
                        erase_and_free(copy);
                else
                        free(copy);
                config_error(t->c, "%s: %s %s contains unprintable characters, ignoring %s.",
                             t->what, structure, name, structure);
                return -EBADMSG;
        }
        *ret = copy;
        return 0;
}

/* Checks a structure at offset off: header inside the table, expected id, exact
 * length (the kernel skips structures of any other length, and so do we). */
static bool table_structure_ok(const Table *t, size_t off, unsigned id, size_t size, const char *structure) {
        if (off + 6 > t->len || off + size > t->len) {
                config_error(t->c, "%s: %s structure at offset %zu exceeds the table (%zu bytes), ignoring it.",
                             t->what, structure, off, t->len);
                return false;
        }
        if (t->p[off] != id)
                return false;
        if (get16(t->p + off + 2) != size) {
                config_error(t->c, "%s: %s structure at offset %zu has length %u, expected %zu, ignoring it.",
                             t->what, structure, off, get16(t->p + off + 2), size);
                return false;
        }
        return true;
}

static int table_initiator(const Table *t, Firmware *fw, size_t off) {
        if (!table_structure_ok(t, off, IBFT_ID_INITIATOR, IBFT_INITIATOR_SIZE, "initiator"))
                return 0;
        if (t->p[off + 5] == 0)
                return 0;
        if (fw->initiator) {
                config_error(t->c, "%s: more than one initiator structure, ignoring the others.", t->what);
                return 0;
        }
        if (table_string(t, off + 70, "initiator", "name", false, &fw->initiator) == -ENOMEM)
                return -ENOMEM;
        if (fw->initiator && !initiator_valid(t->c, t->what, fw->initiator))
                fw->initiator = (free(fw->initiator), NULL);
        return 0;
}

static int table_nic(const Table *t, Firmware *fw, size_t off) {
        const uint8_t *p = t->p + off;
        Nic n = {};
        int family = 0, r;
        char dhcp[46];

        if (!table_structure_ok(t, off, IBFT_ID_NIC, IBFT_NIC_SIZE, "NIC"))
                return 0;
        if (p[5] == 0)          /* flags: any bit set means valid */
                return 0;
        if (firmware_find_nic(fw, p[4])) {
                config_error(t->c, "%s: duplicate NIC index %u, ignoring it.", t->what, p[4]);
                return 0;
        }
        if (fw->n_nics >= CONFIG_MAX_NICS) {
                config_error(t->c, "%s: more than %d NICs, ignoring the rest.", t->what, CONFIG_MAX_NICS);
                return 0;
        }

        n.index = p[4];
        n.flags = p[5];
        n.boot_selected = p[5] & IBFT_FLAG_BOOT_SELECTED;

        r = ip_from_bytes(p + 6, &family, n.address.address);
        if (r < 0)
                return r;
        if (r > 0) {
                n.address.family = family;
                n.address.prefixlen = p[22];
                if (n.address.prefixlen > (family == AF_INET ? 32 : 128)) {
                        config_error(t->c, "%s: NIC %d has %s prefix length %u, ignoring the NIC.",
                                     t->what, n.index, family_name(family), n.address.prefixlen);
                        return 0;
                }
        }
        if (ip_from_bytes(p + 24, &family, n.gateway) < 0 ||
            ip_from_bytes(p + 40, &family, n.dns[0]) < 0 ||
            ip_from_bytes(p + 56, &family, n.dns[1]) < 0)
                return -EINVAL;
        r = ip_from_bytes(p + 72, &family, dhcp);
        if (r < 0)
                return r;
        /* open-iscsi also takes a DHCP server address as "this NIC used DHCP". */
        n.dhcp = p[23] == IBFT_ORIGIN_DHCP || r > 0;
        n.vlan = get16(p + 88) & 0xfff;
        memcpy(n.mac, p + 90, 6);

        r = table_string(t, off + 98, "NIC", "hostname", false, &n.hostname);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        if (n.hostname && !hostname_is_valid(n.hostname)) {
                config_warning(t->c, "%s: NIC %d has an invalid host name, ignoring the host name.",
                               t->what, n.index);
                n.hostname = (free(n.hostname), NULL);
        }

        fw->nic_pci[fw->n_nics] = get16(p + 96);
        fw->nics[fw->n_nics++] = n;
        return 0;
}

static int table_target(const Table *t, Firmware *fw, size_t off, unsigned flags) {
        const uint8_t *p = t->p + off;
        FwTarget ft = { .s.nic = -1 };
        Session *s = &ft.s;
        _cleanup_erase_ char *secret = NULL, *rsecret = NULL;
        char addr[46];
        int family, r;

        if (!table_structure_ok(t, off, IBFT_ID_TARGET, IBFT_TARGET_SIZE, "target"))
                return 0;
        if (p[5] == 0)
                return 0;
        if (firmware_has_target(fw, p[4])) {
                config_error(t->c, "%s: duplicate target index %u, ignoring it.", t->what, p[4]);
                return 0;
        }
        if (fw->n_targets >= IBFT_MAX_TARGETS) {
                config_error(t->c, "%s: more than %d targets, ignoring the rest.", t->what, IBFT_MAX_TARGETS);
                return 0;
        }

        ft.index = p[4];
        ft.flags = p[5];
        ft.nic_assoc = p[33];
        s->source = SOURCE_IBFT;
        s->tpgt = ISCSI_DEFAULT_TPGT;
        s->port = get16(p + 22) ?: ISCSI_DEFAULT_PORT;
        s->lun = ibft_lun_from_sam(p + 24);

        r = ip_from_bytes(p + 6, &family, addr);
        if (r < 0)
                return r;
        if (r == 0) {
                config_error(t->c, "%s: target %d has no address, ignoring it.", t->what, ft.index);
                return 0;
        }
        if (p[32] > AUTH_MUTUAL) {
                config_error(t->c, "%s: target %d has unknown CHAP type %u, ignoring it.",
                             t->what, ft.index, p[32]);
                return 0;
        }

        r = table_string(t, off + 34, "target", "name", false, &s->target);
        if (r >= 0 && p[32] >= AUTH_CHAP)
                r = table_string(t, off + 38, "target", "CHAP name", false, &s->chap.username);
        if (r >= 0 && p[32] >= AUTH_CHAP)
                r = table_string(t, off + 42, "target", "CHAP secret", true, &secret);
        if (r >= 0 && p[32] >= AUTH_MUTUAL)
                r = table_string(t, off + 46, "target", "reverse CHAP name", false, &s->chap.in_username);
        if (r >= 0 && p[32] >= AUTH_MUTUAL)
                r = table_string(t, off + 50, "target", "reverse CHAP secret", true, &rsecret);
        if (r >= 0 && !s->target) {
                config_error(t->c, "%s: target %d has no name, ignoring it.", t->what, ft.index);
                r = -EBADMSG;
        }
        if (r >= 0 && !target_strings_valid(t->c, t->what, ft.index, s, secret, rsecret))
                r = -EBADMSG;
        if (r < 0) {
                session_done(s);
                return r == -ENOMEM ? r : 0;
        }
        if (p[32] >= AUTH_CHAP && !s->chap.username && !secret)
                config_warning(t->c, "%s: target %d asks for CHAP but has no CHAP name or secret.",
                               t->what, ft.index);

        s->chap.has_password = secret;
        s->chap.has_in_password = rsecret;
        if (flags & CONFIG_WITH_SECRETS) {
                s->chap.password = TAKE_PTR(secret);
                s->chap.in_password = TAKE_PTR(rsecret);
        }
        s->portal = strdup(addr);
        if (!s->portal) {
                session_done(s);
                return -ENOMEM;
        }
        fw->targets[fw->n_targets++] = ft;
        return 0;
}

/* ---- interface names -------------------------------------------------------------- */

/* The first entry of dir/net/, the interface a network device's sysfs node carries. */
static int ifname_from_device(const char *device, char **ret) {
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
static int ifname_from_mac(const char *sysfs_root, const uint8_t mac[6], char **ret) {
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

static bool mac_is_null(const uint8_t mac[6]) {
        static const uint8_t zero[6] = {};
        return memcmp(mac, zero, 6) == 0;
}

/* ---- selection -------------------------------------------------------------------- */

static int firmware_commit(Config *c, Firmware *fw) {
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

int ibft_parse_table(Config *c, const uint8_t *p, size_t size, const char *sysfs_root, unsigned flags) {
        Firmware fw = { .what = "iBFT" };
        Table t = { .p = p, .len = size, .c = c, .what = "iBFT" };
        uint32_t length;
        uint16_t clen;
        uint8_t sum = 0;
        int r = 0;

        if (size < IBFT_HEADER_SIZE + IBFT_CONTROL_MIN) {
                config_error(c, "iBFT: table is truncated (%zu bytes), ignoring it.", size);
                return 0;
        }
        if (memcmp(p, "iBFT", 4) != 0 && memcmp(p, "IBFT", 4) != 0 && memcmp(p, "BIFT", 4) != 0) {
                config_error(c, "iBFT: table has no iBFT signature, ignoring it.");
                return 0;
        }
        length = get32(p + 4);
        if (length > size) {
                config_error(c, "iBFT: table is truncated (header says %u bytes, got %zu), ignoring it.",
                             length, size);
                return 0;
        }
        if (length < IBFT_HEADER_SIZE + IBFT_CONTROL_MIN) {
                config_error(c, "iBFT: table length %u is too small, ignoring it.", length);
                return 0;
        }
        t.len = length;
        /* Like the kernel: revision 1 only, and the bytes must sum to zero. */
        if (p[8] != 1) {
                config_error(c, "iBFT: unsupported table revision %u, ignoring it.", p[8]);
                return 0;
        }
        for (size_t i = 0; i < t.len; i++)
                sum += p[i];
        if (sum != 0) {
                config_error(c, "iBFT: checksum mismatch, ignoring the table.");
                return 0;
        }

        if (p[IBFT_HEADER_SIZE] != IBFT_ID_CONTROL) {
                config_error(c, "iBFT: no control structure, ignoring the table.");
                return 0;
        }
        clen = get16(p + IBFT_HEADER_SIZE + 2);
        if (clen < IBFT_CONTROL_MIN || IBFT_HEADER_SIZE + (size_t) clen > t.len) {
                config_error(c, "iBFT: control structure length %u is out of range, ignoring the table.", clen);
                return 0;
        }

        /* Follow every offset and dispatch on the structure's id, never on position. */
        for (size_t e = 8; r >= 0 && e + 2 <= clen; e += 2) {
                uint16_t off = get16(p + IBFT_HEADER_SIZE + e);

                if (off == 0)
                        continue;
                if (off < IBFT_HEADER_SIZE || (size_t) off + 6 > t.len) {
                        config_error(c, "iBFT: control entry %zu points outside the table (offset %u), ignoring it.",
                                     (e - 8) / 2, off);
                        continue;
                }
                switch (p[off]) {
                case IBFT_ID_INITIATOR:
                        r = table_initiator(&t, &fw, off);
                        break;
                case IBFT_ID_NIC:
                        r = table_nic(&t, &fw, off);
                        break;
                case IBFT_ID_TARGET:
                        r = table_target(&t, &fw, off, flags);
                        break;
                default:
                        break;  /* extensions, or garbage: nothing we use */
                }
        }

        /* Interface names: the PCI function the table names, else the MAC. */
        for (size_t i = 0; r >= 0 && i < fw.n_nics; i++) {
                Nic *n = &fw.nics[i];
                unsigned bdf = fw.nic_pci[i];
                char path[PATH_MAX];

                if (!sysfs_root)
                        continue;
                snprintf(path, sizeof path, "%s/bus/pci/devices/0000:%02x:%02x.%x",
                         sysfs_root, bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
                if (ifname_from_device(path, &n->ifname) == -ENOMEM ||
                    (!n->ifname && !mac_is_null(n->mac) &&
                     ifname_from_mac(sysfs_root, n->mac, &n->ifname) == -ENOMEM))
                        r = -ENOMEM;
        }
        if (r >= 0)
                r = firmware_commit(c, &fw);
        firmware_done(&fw);
        return r < 0 ? r : 0;
}

/* ---- the sysfs view --------------------------------------------------------------- */

/* Returns -ENOENT when the attribute does not exist (the kernel hides absent fields). */
static int read_attr(const char *dir, const char *sub, const char *name, char **ret) {
        char path[PATH_MAX];

        if ((size_t) snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name) >= sizeof path)
                return -ENAMETOOLONG;
        return read_one_line_file(path, ret);
}

static bool attr_exists(const char *dir, const char *sub, const char *name) {
        char path[PATH_MAX];

        if ((size_t) snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name) >= sizeof path)
                return false;
        return access(path, F_OK) == 0;
}

static int read_attr_uint(const char *dir, const char *sub, const char *name, uint64_t max, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = read_attr(dir, sub, name, &s);
        if (r < 0)
                return r;
        return safe_atou64(s, max, ret);
}

/* Absent → 0, present → 1 with family and the canonical (compressed) text. */
static int read_attr_ip(Config *c, const char *what, const char *dir, const char *sub, const char *name,
                        int *ret_family, char buf[static 46]) {
        _cleanup_free_ char *s = NULL;
        uint8_t bin[16];
        int r;

        r = read_attr(dir, sub, name, &s);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (inet_pton(AF_INET, s, bin) == 1) {
                if (memcmp(bin, "\0\0\0\0", 4) == 0)
                        return 0;
                *ret_family = AF_INET;
        } else if (inet_pton(AF_INET6, s, bin) == 1) {
                static const uint8_t zero[16] = {};
                if (memcmp(bin, zero, 16) == 0)
                        return 0;
                *ret_family = AF_INET6;
        } else {
                config_error(c, "%s: %s/%s is not an IP address.", what, sub, name);
                return -EBADMSG;
        }
        if (!inet_ntop(*ret_family, bin, buf, 46))
                return -errno;
        return 1;
}

/* Reads a string attribute; absent → NULL. */
static int read_attr_string(Config *c, const char *what, const char *dir, const char *sub, const char *name,
                            char **ret) {
        char *s = NULL;
        int r;

        *ret = NULL;
        r = read_attr(dir, sub, name, &s);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                config_error(c, "%s: cannot read %s/%s: %s", what, sub, name, strerror(-r));
                return r;
        }
        if (!string_is_safe(s)) {
                erase_and_free(s);
                config_error(c, "%s: %s/%s contains unprintable characters.", what, sub, name);
                return -EBADMSG;
        }
        if (!*s)
                s = (free(s), NULL);
        *ret = s;
        return 0;
}

/* Each byte was printed with %x, so a byte is "0" or one/two digits without a leading
 * zero. Enumerate the readings into 8 bytes; count them, keep the first. */
static unsigned lun_readings(const char *s, unsigned byte, uint8_t cur[8], uint8_t first[8],
                             unsigned *n_single, uint8_t first_single[8]) {
        unsigned n = 0;

        if (byte == 8) {
                if (*s)
                        return 0;
                if (n_single && memcmp(cur + 2, "\0\0\0\0\0\0", 6) == 0) {
                        if ((*n_single)++ == 0)
                                memcpy(first_single, cur, 8);
                }
                if (first)
                        memcpy(first, cur, 8);
                return 1;
        }
        for (unsigned len = 1; len <= 2; len++) {
                unsigned v = 0;
                bool ok = true;

                for (unsigned i = 0; i < len; i++) {
                        char ch = s[i];
                        unsigned d;

                        if (ch >= '0' && ch <= '9')
                                d = (unsigned) (ch - '0');
                        else if (ch >= 'a' && ch <= 'f')
                                d = (unsigned) (ch - 'a' + 10);
                        else {
                                ok = false;
                                break;
                        }
                        v = v * 16 + d;
                }
                if (!ok || (len == 2 && s[0] == '0'))
                        continue;
                cur[byte] = (uint8_t) v;
                n += lun_readings(s + len, byte + 1, cur, n == 0 ? first : NULL, n_single, first_single);
        }
        return n;
}

int ibft_decode_sysfs_lun(const char *text, uint64_t *ret) {
        uint8_t cur[8] = {}, first[8] = {}, single[8] = {};
        unsigned n, n_single = 0;
        size_t len = strlen(text);

        if (len < 8 || len > 16)
                return -EINVAL;
        n = lun_readings(text, 0, cur, first, &n_single, single);
        if (n == 0)
                return -EINVAL;
        if (n == 1) {
                *ret = ibft_lun_from_sam(first);
                return 0;
        }
        /* Several readings: a single-level LUN (bytes 2..7 zero) is what iSCSI boot
         * targets use; accept it when it is the only single-level reading. */
        if (n_single == 1) {
                *ret = ibft_lun_from_sam(single);
                return 0;
        }
        *ret = ibft_lun_from_sam(n_single > 0 ? single : first);
        return -ENOTUNIQ;
}

static int sysfs_nic(Config *c, Firmware *fw, const char *sysfs_root, const char *dir, const char *sub) {
        _cleanup_free_ char *mac = NULL;
        uint64_t v;
        Nic n = {};
        int family = 0, r;
        char dhcp[46], path[PATH_MAX];

        r = read_attr_uint(dir, sub, "flags", 255, &v);
        if (r < 0) {
                config_error(c, "%s: cannot read %s/flags: %s, ignoring the NIC.", fw->what, sub, strerror(-r));
                return 0;
        }
        if (v == 0)
                return 0;
        n.flags = (uint8_t) v;
        n.boot_selected = v & IBFT_FLAG_BOOT_SELECTED;
        r = read_attr_uint(dir, sub, "index", 255, &v);
        if (r < 0) {
                config_error(c, "%s: %s/index is missing or invalid, ignoring the NIC.", fw->what, sub);
                return 0;
        }
        n.index = (int) v;
        if (firmware_find_nic(fw, n.index) || fw->n_nics >= CONFIG_MAX_NICS) {
                config_error(c, "%s: duplicate NIC index %d or too many NICs, ignoring %s.", fw->what, n.index, sub);
                return 0;
        }

        r = read_attr_ip(c, fw->what, dir, sub, "ip-addr", &family, n.address.address);
        if (r < 0)
                goto invalid;
        if (r > 0) {
                n.address.family = family;
                r = read_attr_uint(dir, sub, "prefix-len", family == AF_INET ? 32 : 128, &v);
                if (r == -ENOENT) {
                        /* subnet-mask (no trailing newline in the kernel's output) */
                        char mask[46];
                        int mf = 0;
                        uint8_t b[4];

                        r = read_attr_ip(c, fw->what, dir, sub, "subnet-mask", &mf, mask);
                        v = 0;
                        if (r > 0 && mf == AF_INET && inet_pton(AF_INET, mask, b) == 1)
                                for (unsigned i = 0; i < 32 && (b[i / 8] & (0x80 >> (i % 8))); i++)
                                        v++;
                        r = 0;
                }
                if (r < 0) {
                        config_error(c, "%s: %s/prefix-len is invalid for %s, ignoring the NIC.",
                                     fw->what, sub, family_name(family));
                        goto invalid;
                }
                n.address.prefixlen = (uint8_t) v;
        }
        if (read_attr_ip(c, fw->what, dir, sub, "gateway", &family, n.gateway) < 0 ||
            read_attr_ip(c, fw->what, dir, sub, "primary-dns", &family, n.dns[0]) < 0 ||
            read_attr_ip(c, fw->what, dir, sub, "secondary-dns", &family, n.dns[1]) < 0)
                goto invalid;
        r = read_attr_ip(c, fw->what, dir, sub, "dhcp", &family, dhcp);
        if (r < 0)
                goto invalid;
        n.dhcp = r > 0;
        if (read_attr_uint(dir, sub, "origin", 255, &v) >= 0 && v == IBFT_ORIGIN_DHCP)
                n.dhcp = true;
        if (read_attr_uint(dir, sub, "vlan", 65535, &v) >= 0)
                n.vlan = v & 0xfff;
        if (read_attr(dir, sub, "mac", &mac) >= 0) {
                unsigned m[6];
                char end;

                if (sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &end) != 6) {
                        config_error(c, "%s: %s/mac is invalid, ignoring the NIC.", fw->what, sub);
                        goto invalid;
                }
                for (unsigned i = 0; i < 6; i++)
                        n.mac[i] = (uint8_t) m[i];
        }
        r = read_attr_string(c, fw->what, dir, sub, "hostname", &n.hostname);
        if (r == -ENOMEM)
                return r;
        if (n.hostname && !hostname_is_valid(n.hostname)) {
                config_warning(c, "%s: %s has an invalid host name, ignoring the host name.", fw->what, sub);
                n.hostname = (free(n.hostname), NULL);
        }

        /* The device link names the PCI function; some drivers (virtio) hang the
         * interface below a child of it, so fall back to the MAC. */
        if (((size_t) snprintf(path, sizeof path, "%s/%s/device", dir, sub) < sizeof path &&
             ifname_from_device(path, &n.ifname) == -ENOMEM) ||
            (!n.ifname && sysfs_root && !mac_is_null(n.mac) &&
             ifname_from_mac(sysfs_root, n.mac, &n.ifname) == -ENOMEM)) {
                nic_done(&n);
                return -ENOMEM;
        }
        fw->nics[fw->n_nics++] = n;
        return 0;

invalid:
        nic_done(&n);
        return 0;
}

static int sysfs_target(Config *c, Firmware *fw, const char *dir, const char *sub, unsigned flags) {
        _cleanup_free_ char *lun = NULL;
        _cleanup_erase_ char *secret = NULL, *rsecret = NULL;
        FwTarget ft = { .s.nic = -1 };
        Session *s = &ft.s;
        uint64_t v, chap = 0;
        int family, r;
        char addr[46];

        r = read_attr_uint(dir, sub, "flags", 255, &v);
        if (r < 0) {
                config_error(c, "%s: cannot read %s/flags: %s, ignoring the target.", fw->what, sub, strerror(-r));
                return 0;
        }
        if (v == 0)
                return 0;
        ft.flags = (uint8_t) v;
        if (read_attr_uint(dir, sub, "index", 255, &v) < 0) {
                config_error(c, "%s: %s/index is missing or invalid, ignoring the target.", fw->what, sub);
                return 0;
        }
        ft.index = (int) v;
        if (firmware_has_target(fw, ft.index) || fw->n_targets >= IBFT_MAX_TARGETS) {
                config_error(c, "%s: duplicate target index %d or too many targets, ignoring %s.",
                             fw->what, ft.index, sub);
                return 0;
        }
        s->source = SOURCE_IBFT;
        s->tpgt = ISCSI_DEFAULT_TPGT;

        r = read_attr_ip(c, fw->what, dir, sub, "ip-addr", &family, addr);
        if (r == 0)
                config_error(c, "%s: %s has no address, ignoring it.", fw->what, sub);
        if (r <= 0)
                goto invalid;
        r = read_attr_uint(dir, sub, "port", 65535, &v);
        s->port = r >= 0 && v > 0 ? (uint16_t) v : ISCSI_DEFAULT_PORT;
        if (read_attr_uint(dir, sub, "nic-assoc", 255, &v) >= 0)
                ft.nic_assoc = (int) v;
        if (read_attr_uint(dir, sub, "chap-type", 255, &chap) >= 0 && chap > AUTH_MUTUAL) {
                config_error(c, "%s: %s has unknown CHAP type %u, ignoring it.", fw->what, sub, (unsigned) chap);
                goto invalid;
        }
        if (read_attr(dir, sub, "lun", &lun) >= 0) {
                /* The messages below quote it: no control character may reach a log line
                 * ('?' is no hex digit, so this changes no verdict). */
                for (char *q = lun; *q; q++)
                        if ((unsigned char) *q < 0x20 || (unsigned char) *q >= 0x7f)
                                *q = '?';
                r = ibft_decode_sysfs_lun(lun, &s->lun);
                /* The login does not depend on the LUN (it only names the by-path
                 * link), so an ambiguous one is a warning, not a reason not to boot. */
                if (r == -ENOTUNIQ)
                        config_warning(c, "%s: %s/lun \"%s\" is ambiguous (the kernel prints it unpadded), assuming LUN %llu.",
                                       fw->what, sub, lun, (unsigned long long) s->lun);
                else if (r < 0) {
                        config_error(c, "%s: %s/lun \"%s\" is invalid, ignoring the target.", fw->what, sub, lun);
                        goto invalid;
                }
        }

        r = read_attr_string(c, fw->what, dir, sub, "target-name", &s->target);
        if (r >= 0 && chap >= AUTH_CHAP) {
                r = read_attr_string(c, fw->what, dir, sub, "chap-name", &s->chap.username);
                s->chap.has_password = attr_exists(dir, sub, "chap-secret");
                if (r >= 0 && s->chap.has_password && (flags & CONFIG_WITH_SECRETS))
                        r = read_attr_string(c, fw->what, dir, sub, "chap-secret", &secret);
        }
        if (r >= 0 && chap >= AUTH_MUTUAL) {
                r = read_attr_string(c, fw->what, dir, sub, "rev-chap-name", &s->chap.in_username);
                /* sic: the kernel's attribute name */
                s->chap.has_in_password = attr_exists(dir, sub, "rev-chap-name-secret");
                if (r >= 0 && s->chap.has_in_password && (flags & CONFIG_WITH_SECRETS))
                        r = read_attr_string(c, fw->what, dir, sub, "rev-chap-name-secret", &rsecret);
        }
        if (r == -ENOMEM) {
                session_done(s);
                return r;
        }
        if (r < 0)
                goto invalid;
        if (!s->target) {
                config_error(c, "%s: %s has no target name, ignoring it.", fw->what, sub);
                goto invalid;
        }
        /* Without CONFIG_WITH_SECRETS the secrets were not read; login re-reads them. */
        if (!target_strings_valid(c, fw->what, ft.index, s, secret, rsecret))
                goto invalid;
        s->chap.password = TAKE_PTR(secret);
        s->chap.in_password = TAKE_PTR(rsecret);
        s->portal = strdup(addr);
        if (!s->portal) {
                session_done(s);
                return -ENOMEM;
        }
        fw->targets[fw->n_targets++] = ft;
        return 0;

invalid:
        session_done(s);
        return 0;
}

/* Entries "<prefix><N>" of dir, N ≤ 255, in numeric order: the kernel names them by the
 * structure's index field, and readdir() order is arbitrary. */
static int sysfs_indexes(const char *dir, const char *prefix, uint8_t present[static 256]) {
        DIR *d;
        struct dirent *de;

        memset(present, 0, 256);
        d = opendir(dir);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                const char *num = startswith(de->d_name, prefix);
                uint64_t v;

                if (num && safe_atou64(num, 255, &v) >= 0 && (num[0] != '0' || num[1] == 0))
                        present[v] = 1;
        }
        closedir(d);
        return 0;
}

int ibft_parse_sysfs(Config *c, const char *sysfs_root, const char *dir, unsigned flags) {
        Firmware fw = {};
        uint8_t present[256];
        const char *what = strrchr(dir, '/');
        char sub[32];
        int r;

        fw.what = what ? what + 1 : dir;
        r = sysfs_indexes(dir, "ethernet", present);
        if (r < 0)
                return r;
        r = read_attr_string(c, fw.what, dir, "initiator", "initiator-name", &fw.initiator);
        if (r == -ENOMEM)
                return r;
        r = 0;  /* an unreadable initiator name is reported; the rest may still be usable */
        if (fw.initiator) {
                uint64_t v;

                if ((read_attr_uint(dir, "initiator", "flags", 255, &v) >= 0 && v == 0) ||
                    !initiator_valid(c, fw.what, fw.initiator))
                        fw.initiator = (free(fw.initiator), NULL);
        }

        for (unsigned i = 0; r >= 0 && i < 256; i++)
                if (present[i]) {
                        snprintf(sub, sizeof sub, "ethernet%u", i);
                        r = sysfs_nic(c, &fw, sysfs_root, dir, sub);
                }
        if (r >= 0)
                r = sysfs_indexes(dir, "target", present);
        for (unsigned i = 0; r >= 0 && i < 256; i++)
                if (present[i]) {
                        snprintf(sub, sizeof sub, "target%u", i);
                        r = sysfs_target(c, &fw, dir, sub, flags);
                }
        if (r >= 0)
                r = firmware_commit(c, &fw);
        firmware_done(&fw);
        return r;
}

/* ---- loading iscsi_ibft ----------------------------------------------------------- */

/*
 * libkmod is opened with dlopen() on this path only: every boot runs the generator,
 * few boots need the module, and the generator stays libc-only. Forking modprobe would
 * work too but costs a process and depends on a binary in the initrd; libkmod.so.2 is
 * there whenever kmod is (dracut and mkinitcpio always include it). Declared here
 * rather than from <libkmod.h> so that building needs no libkmod headers.
 */
struct kmod_ctx;
struct kmod_module;
#define KMOD_PROBE_APPLY_BLACKLIST 0x20000

static int load_ibft_module(Config *c) {
        struct kmod_ctx *(*kmod_new)(const char *, const char *const *);
        struct kmod_ctx *(*kmod_unref)(struct kmod_ctx *);
        int (*new_from_name)(struct kmod_ctx *, const char *, struct kmod_module **);
        struct kmod_module *(*module_unref)(struct kmod_module *);
        int (*probe)(struct kmod_module *, unsigned, const char *, void *, const void *, void *);
        struct kmod_ctx *ctx;
        struct kmod_module *mod = NULL;
        void *dl;
        int r;

        dl = dlopen("libkmod.so.2", RTLD_NOW|RTLD_LOCAL);
        if (!dl) {
                config_warning(c, "iBFT: cannot load module iscsi_ibft, libkmod.so.2 is not available.");
                return -EOPNOTSUPP;
        }
        *(void **) &kmod_new = dlsym(dl, "kmod_new");
        *(void **) &kmod_unref = dlsym(dl, "kmod_unref");
        *(void **) &new_from_name = dlsym(dl, "kmod_module_new_from_name");
        *(void **) &module_unref = dlsym(dl, "kmod_module_unref");
        *(void **) &probe = dlsym(dl, "kmod_module_probe_insert_module");
        if (!kmod_new || !kmod_unref || !new_from_name || !module_unref || !probe) {
                dlclose(dl);
                config_warning(c, "iBFT: libkmod.so.2 lacks a needed symbol, cannot load iscsi_ibft.");
                return -EOPNOTSUPP;
        }

        ctx = kmod_new(NULL, NULL);
        if (!ctx) {
                dlclose(dl);
                return -ENOMEM;
        }
        r = new_from_name(ctx, "iscsi_ibft", &mod);
        if (r >= 0)
                /* Resolves iscsi_boot_sysfs; built in or already loaded is success. */
                r = probe(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL, NULL, NULL);
        if (mod)
                module_unref(mod);
        kmod_unref(ctx);
        dlclose(dl);
        if (r > 0) {
                config_warning(c, "iBFT: module iscsi_ibft is blacklisted, not loading it.");
                return -EPERM;
        }
        if (r < 0)
                config_warning(c, "iBFT: failed to load module iscsi_ibft: %s", strerror(-r));
        return r;
}

static int read_raw_table(Config *c, const char *sysfs_root, uint8_t **ret, size_t *ret_size) {
        static const char *const names[] = { "iBFT", "IBFT", "BIFT" };
        char path[PATH_MAX];

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char *buf;
                int r;

                if ((size_t) snprintf(path, sizeof path, "%s/firmware/acpi/tables/%s", sysfs_root, names[i]) >= sizeof path)
                        return -ENAMETOOLONG;
                r = read_full_file(path, &buf, ret_size, IBFT_MAX_SIZE);
                if (r == -ENOENT)
                        continue;
                if (r == -EFBIG) {
                        config_error(c, "iBFT: %s is larger than %u bytes, ignoring it.", path, IBFT_MAX_SIZE);
                        continue;
                }
                if (r < 0) {
                        config_warning(c, "iBFT: cannot read %s: %s", path, strerror(-r));
                        continue;
                }
                *ret = (uint8_t *) buf;
                return 1;
        }
        return 0;
}

static int parse_boot_dirs(Config *c, const char *sysfs_root, unsigned flags, bool *found) {
        char path[PATH_MAX];
        uint8_t present[256];
        int r;

        /* Offload HBAs (iscsi_boot<host>), same layout as the iBFT view. */
        if ((size_t) snprintf(path, sizeof path, "%s/firmware", sysfs_root) >= sizeof path)
                return -ENAMETOOLONG;
        if (sysfs_indexes(path, "iscsi_boot", present) < 0)
                return 0;
        for (unsigned i = 0; i < 256; i++) {
                if (!present[i])
                        continue;
                snprintf(path, sizeof path, "%s/firmware/iscsi_boot%u", sysfs_root, i);
                r = ibft_parse_sysfs(c, sysfs_root, path, flags);
                if (r == -ENOMEM)
                        return r;
                *found = *found || r >= 0;
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

        r = read_raw_table(c, sysfs_root, &table, &size);
        if (r > 0) {
                found = true;
                r = ibft_parse_table(c, table, size, sysfs_root, flags);
        } else {
                r = ibft_parse_sysfs(c, sysfs_root, dir, flags);
                if (r == -ENOENT && strcmp(sysfs_root, "/sys") == 0 && load_ibft_module(c) >= 0)
                        r = ibft_parse_sysfs(c, sysfs_root, dir, flags);
                found = r >= 0;
        }
        if (r == -ENOMEM)
                return r;

        r = parse_boot_dirs(c, sysfs_root, flags, &found);
        if (r < 0)
                return r;
        if (!found)
                config_warning(c, "iSCSI boot firmware requested, but no iBFT was found.");
        return 0;
}
