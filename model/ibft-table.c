/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The raw iBFT, as ACPI exports it (<sysfs>/firmware/acpi/tables/iBFT): hostile input,
 * every length, offset and string checked against the table. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>

#include "config.h"
#include "ibft-internal.h"
#include "ibft.h"
#include "util.h"

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
        if (!ibft_string_is_safe(copy)) {
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
        if (fw->initiator && !ibft_initiator_valid(t->c, t->what, fw->initiator))
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
                                     t->what, n.index, ibft_family_name(family), n.address.prefixlen);
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
        if (n.hostname && !ibft_hostname_is_valid(n.hostname)) {
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
        if (r >= 0 && !ibft_target_strings_valid(t->c, t->what, ft.index, s, secret, rsecret))
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
        return firmware_add_target(fw, &ft, addr);
}

/* The ACPI header and the control structure: whether the table can be used at all (if
 * not, reported). On success t->len is the table's own length and *ret_clen the control
 * structure's. */
static bool table_header_ok(Table *t, uint16_t *ret_clen) {
        const uint8_t *p = t->p;
        Config *c = t->c;
        uint32_t length;
        uint16_t clen;
        uint8_t sum = 0;

        if (t->len < IBFT_HEADER_SIZE + IBFT_CONTROL_MIN) {
                config_error(c, "iBFT: table is truncated (%zu bytes), ignoring it.", t->len);
                return false;
        }
        if (memcmp(p, "iBFT", 4) != 0 && memcmp(p, "IBFT", 4) != 0 && memcmp(p, "BIFT", 4) != 0) {
                config_error(c, "iBFT: table has no iBFT signature, ignoring it.");
                return false;
        }
        length = get32(p + 4);
        if (length > t->len) {
                config_error(c, "iBFT: table is truncated (header says %u bytes, got %zu), ignoring it.",
                             length, t->len);
                return false;
        }
        if (length < IBFT_HEADER_SIZE + IBFT_CONTROL_MIN) {
                config_error(c, "iBFT: table length %u is too small, ignoring it.", length);
                return false;
        }
        t->len = length;
        /* Like the kernel: revision 1 only, and the bytes must sum to zero. */
        if (p[8] != 1) {
                config_error(c, "iBFT: unsupported table revision %u, ignoring it.", p[8]);
                return false;
        }
        for (size_t i = 0; i < t->len; i++)
                sum += p[i];
        if (sum != 0) {
                config_error(c, "iBFT: checksum mismatch, ignoring the table.");
                return false;
        }

        if (p[IBFT_HEADER_SIZE] != IBFT_ID_CONTROL) {
                config_error(c, "iBFT: no control structure, ignoring the table.");
                return false;
        }
        clen = get16(p + IBFT_HEADER_SIZE + 2);
        if (clen < IBFT_CONTROL_MIN || IBFT_HEADER_SIZE + (size_t) clen > t->len) {
                config_error(c, "iBFT: control structure length %u is out of range, ignoring the table.", clen);
                return false;
        }
        *ret_clen = clen;
        return true;
}

/* Interface names: the PCI function the table names, else the MAC. */
static int table_ifnames(Firmware *fw, const char *sysfs_root) {
        for (size_t i = 0; sysfs_root && i < fw->n_nics; i++) {
                Nic *n = &fw->nics[i];
                unsigned bdf = fw->nic_pci[i];
                char path[PATH_MAX];

                snprintf(path, sizeof path, "%s/bus/pci/devices/0000:%02x:%02x.%x",
                         sysfs_root, bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
                if (ibft_ifname_from_device(path, &n->ifname) == -ENOMEM ||
                    (!n->ifname && !ibft_mac_is_null(n->mac) &&
                     ibft_ifname_from_mac(sysfs_root, n->mac, &n->ifname) == -ENOMEM))
                        return -ENOMEM;
        }
        return 0;
}

int ibft_parse_table(Config *c, const uint8_t *p, size_t size, const char *sysfs_root, unsigned flags) {
        Firmware fw = { .what = "iBFT" };
        Table t = { .p = p, .len = size, .c = c, .what = "iBFT" };
        uint16_t clen;
        int r = 0;

        if (!table_header_ok(&t, &clen))
                return 0;

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

        if (r >= 0)
                r = table_ifnames(&fw, sysfs_root);
        if (r >= 0)
                r = firmware_commit(c, &fw);
        firmware_done(&fw);
        return r < 0 ? r : 0;
}

int ibft_read_table(Config *c, const char *sysfs_root, uint8_t **ret, size_t *ret_size) {
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
