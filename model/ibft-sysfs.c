/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's view of a boot firmware table: <sysfs>/firmware/ibft/ (module
 * iscsi_ibft) and offload HBAs' <sysfs>/firmware/iscsi_boot<N>/, one attribute a file. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>

#include "config.h"
#include "ibft-internal.h"
#include "ibft.h"
#include "util.h"

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
        if (!ibft_string_is_safe(s)) {
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

/* The NIC's address and prefix length (prefix-len, else subnet-mask); family 0 when it
 * has none. Negative (reported) when invalid. */
static int sysfs_nic_address(Config *c, const char *what, const char *dir, const char *sub, NicAddress *a) {
        uint64_t v;
        int family = 0, r;

        r = read_attr_ip(c, what, dir, sub, "ip-addr", &family, a->address);
        if (r <= 0)
                return r;
        a->family = family;
        r = read_attr_uint(dir, sub, "prefix-len", family == AF_INET ? 32 : 128, &v);
        if (r == -ENOENT) {
                /* subnet-mask (no trailing newline in the kernel's output) */
                char mask[46];
                int mf = 0;
                uint8_t b[4];

                r = read_attr_ip(c, what, dir, sub, "subnet-mask", &mf, mask);
                v = 0;
                if (r > 0 && mf == AF_INET && inet_pton(AF_INET, mask, b) == 1)
                        for (unsigned i = 0; i < 32 && (b[i / 8] & (0x80 >> (i % 8))); i++)
                                v++;
                r = 0;
        }
        if (r < 0) {
                config_error(c, "%s: %s/prefix-len is invalid for %s, ignoring the NIC.",
                             what, sub, ibft_family_name(family));
                return r;
        }
        a->prefixlen = (uint8_t) v;
        return 0;
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

        if (sysfs_nic_address(c, fw->what, dir, sub, &n.address) < 0)
                goto invalid;
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
        if (n.hostname && !ibft_hostname_is_valid(n.hostname)) {
                config_warning(c, "%s: %s has an invalid host name, ignoring the host name.", fw->what, sub);
                n.hostname = (free(n.hostname), NULL);
        }

        /* The device link names the PCI function; some drivers (virtio) hang the
         * interface below a child of it, so fall back to the MAC. */
        if (((size_t) snprintf(path, sizeof path, "%s/%s/device", dir, sub) < sizeof path &&
             ibft_ifname_from_device(path, &n.ifname) == -ENOMEM) ||
            (!n.ifname && sysfs_root && !ibft_mac_is_null(n.mac) &&
             ibft_ifname_from_mac(sysfs_root, n.mac, &n.ifname) == -ENOMEM)) {
                ibft_nic_done(&n);
                return -ENOMEM;
        }
        fw->nics[fw->n_nics++] = n;
        return 0;

invalid:
        ibft_nic_done(&n);
        return 0;
}

/* The lun attribute, if any; negative (reported) when invalid. */
static int sysfs_target_lun(Config *c, const char *what, const char *dir, const char *sub, uint64_t *ret) {
        _cleanup_free_ char *lun = NULL;
        int r;

        if (read_attr(dir, sub, "lun", &lun) < 0)
                return 0;
        /* The messages below quote it: no control character may reach a log line
         * ('?' is no hex digit, so this changes no verdict). */
        for (char *q = lun; *q; q++)
                if ((unsigned char) *q < 0x20 || (unsigned char) *q >= 0x7f)
                        *q = '?';
        r = ibft_decode_sysfs_lun(lun, ret);
        /* The login does not depend on the LUN (it only names the by-path
         * link), so an ambiguous one is a warning, not a reason not to boot. */
        if (r == -ENOTUNIQ)
                config_warning(c, "%s: %s/lun \"%s\" is ambiguous (the kernel prints it unpadded), assuming LUN %llu.",
                               what, sub, lun, (unsigned long long) *ret);
        else if (r < 0) {
                config_error(c, "%s: %s/lun \"%s\" is invalid, ignoring the target.", what, sub, lun);
                return r;
        }
        return 0;
}

/* The CHAP names of a target of CHAP type chap, and its secrets with CONFIG_WITH_SECRETS
 * (only whether there are any without). */
static int sysfs_target_chap(Config *c, const char *what, const char *dir, const char *sub, uint64_t chap,
                             unsigned flags, Chap *ret, char **ret_secret, char **ret_rsecret) {
        int r = 0;

        if (chap >= AUTH_CHAP) {
                r = read_attr_string(c, what, dir, sub, "chap-name", &ret->username);
                ret->has_password = attr_exists(dir, sub, "chap-secret");
                if (r >= 0 && ret->has_password && (flags & CONFIG_WITH_SECRETS))
                        r = read_attr_string(c, what, dir, sub, "chap-secret", ret_secret);
        }
        if (r >= 0 && chap >= AUTH_MUTUAL) {
                r = read_attr_string(c, what, dir, sub, "rev-chap-name", &ret->in_username);
                /* sic: the kernel's attribute name */
                ret->has_in_password = attr_exists(dir, sub, "rev-chap-name-secret");
                if (r >= 0 && ret->has_in_password && (flags & CONFIG_WITH_SECRETS))
                        r = read_attr_string(c, what, dir, sub, "rev-chap-name-secret", ret_rsecret);
        }
        return r;
}

static int sysfs_target(Config *c, Firmware *fw, const char *dir, const char *sub, unsigned flags) {
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
        if (sysfs_target_lun(c, fw->what, dir, sub, &s->lun) < 0)
                goto invalid;

        r = read_attr_string(c, fw->what, dir, sub, "target-name", &s->target);
        if (r >= 0)
                r = sysfs_target_chap(c, fw->what, dir, sub, chap, flags, &s->chap, &secret, &rsecret);
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
        if (!ibft_target_strings_valid(c, fw->what, ft.index, s, secret, rsecret))
                goto invalid;
        s->chap.password = TAKE_PTR(secret);
        s->chap.in_password = TAKE_PTR(rsecret);
        return firmware_add_target(fw, &ft, addr);

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
                    !ibft_initiator_valid(c, fw.what, fw.initiator))
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

int ibft_parse_boot_dirs(Config *c, const char *sysfs_root, unsigned flags, bool *found) {
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
