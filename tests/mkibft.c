/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mkibft: writes an iSCSI Boot Firmware Table from a description on the command line,
 * as a complete ACPI table blob (for tests and for QEMU's -acpitable file=) and/or as
 * the sysfs tree the kernel's iscsi_ibft module would show for it. It can also damage
 * the table in specific ways for negative tests. See --help.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_ITEMS 32

typedef struct NicDesc {
        unsigned index, flags, prefix, origin, vlan, pci;
        bool has_ip, flags_set, index_set;
        uint8_t ip[16], gw[16], dns[16], dns2[16], dhcp[16], mac[6];
        const char *hostname, *ifname;
} NicDesc;

typedef struct TargetDesc {
        unsigned index, flags, port, chap, nic;
        bool flags_set, index_set;
        uint8_t ip[16], lun[8];
        const char *name, *chap_name, *chap_secret, *rchap_name, *rchap_secret;
} TargetDesc;

static const char *arg_initiator;
static NicDesc nics[MAX_ITEMS];
static TargetDesc targets[MAX_ITEMS];
static unsigned n_nics, n_targets;
static const char *arg_output, *arg_sysfs, *arg_corrupt;
static bool arg_acpi_copy;

static void help(void) {
        printf("Usage: mkibft [OPTIONS]\n"
               "Write an iBFT (ACPI table blob) and/or a fake sysfs tree from a description.\n\n"
               "  -o, --output=FILE      write the table (usable with qemu -acpitable file=FILE)\n"
               "  -s, --sysfs=DIR        write DIR/firmware/ibft/... as iscsi_ibft shows it\n"
               "      --acpi-copy        with --sysfs: also write DIR/firmware/acpi/tables/iBFT\n"
               "  -i, --initiator=NAME   initiator name\n"
               "  -n, --nic=SPEC         add a NIC (repeatable), SPEC is key=value,...:\n"
               "        index=N flags=N (default 3: valid|boot selected) mac=AA:BB:CC:DD:EE:FF\n"
               "        ip=ADDR/PREFIX (IPv4 or IPv6) origin=N (default 1; 3 = DHCP) dhcp (origin 3)\n"
               "        dhcp-server=ADDR gw=ADDR dns=ADDR dns2=ADDR vlan=N hostname=NAME\n"
               "        pci=BUS:DEV.FN ifname=NAME (sysfs: device/net/NAME)\n"
               "  -t, --target=SPEC      add a target (repeatable):\n"
               "        index=N flags=N (default 3) ip=ADDR port=N lun=N (kernel LUN number)\n"
               "        sam=16HEXDIGITS (raw SAM LUN) nic=N (NIC index) name=IQN\n"
               "        chap=none|chap|mutual chap-name=S chap-secret=S rchap-name=S rchap-secret=S\n"
               "  -c, --corrupt=KIND     damage the table: checksum revision signature truncate:N\n"
               "        length:N nic-offset target-offset string nic-length target-length\n"
               "        control-length unprintable (newline in target 0's name)\n"
               "Values cannot contain commas. Without -o/-s the table goes to stdout.\n");
}

static int parse_ip(const char *s, uint8_t out[16], unsigned *prefix) {
        char buf[64], *slash;

        if (strlen(s) >= sizeof buf)
                return -EINVAL;
        strcpy(buf, s);
        slash = strchr(buf, '/');
        if (slash) {
                if (!prefix)
                        return -EINVAL;
                *slash++ = 0;
                *prefix = (unsigned) strtoul(slash, NULL, 10);
        }
        memset(out, 0, 16);
        if (inet_pton(AF_INET, buf, out + 12) == 1) {
                out[10] = out[11] = 0xff;
                return 0;
        }
        return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -EINVAL;
}

static int parse_mac(const char *s, uint8_t mac[6]) {
        unsigned m[6];
        char end;

        if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &end) != 6)
                return -EINVAL;
        for (int i = 0; i < 6; i++)
                mac[i] = (uint8_t) m[i];
        return 0;
}

static void lun_to_sam(unsigned long long lun, uint8_t sam[8]) {
        memset(sam, 0, 8);
        for (int i = 0; i < 8 && lun; i += 2, lun >>= 16) {
                sam[i] = (uint8_t) (lun >> 8);
                sam[i + 1] = (uint8_t) lun;
        }
}

static unsigned num(const char *v) {
        return (unsigned) strtoul(v, NULL, 0);
}

static int parse_nic(char *spec) {
        NicDesc *n = &nics[n_nics];
        char *save = NULL;

        if (n_nics >= MAX_ITEMS)
                return -E2BIG;
        *n = (NicDesc) { .flags = 3, .origin = 1, .index = n_nics };
        for (char *kv = strtok_r(spec, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                char *v = strchr(kv, '=');
                int r = 0;

                if (v)
                        *v++ = 0;
                if (!v && strcmp(kv, "dhcp") == 0)
                        n->origin = 3;
                else if (!v)
                        r = -EINVAL;
                else if (strcmp(kv, "index") == 0)
                        n->index = num(v);
                else if (strcmp(kv, "flags") == 0)
                        n->flags = num(v);
                else if (strcmp(kv, "mac") == 0)
                        r = parse_mac(v, n->mac);
                else if (strcmp(kv, "ip") == 0) {
                        r = parse_ip(v, n->ip, &n->prefix);
                        n->has_ip = true;
                } else if (strcmp(kv, "origin") == 0)
                        n->origin = num(v);
                else if (strcmp(kv, "dhcp-server") == 0)
                        r = parse_ip(v, n->dhcp, NULL);
                else if (strcmp(kv, "gw") == 0)
                        r = parse_ip(v, n->gw, NULL);
                else if (strcmp(kv, "dns") == 0)
                        r = parse_ip(v, n->dns, NULL);
                else if (strcmp(kv, "dns2") == 0)
                        r = parse_ip(v, n->dns2, NULL);
                else if (strcmp(kv, "vlan") == 0)
                        n->vlan = num(v);
                else if (strcmp(kv, "hostname") == 0)
                        n->hostname = v;
                else if (strcmp(kv, "ifname") == 0)
                        n->ifname = v;
                else if (strcmp(kv, "pci") == 0) {
                        unsigned b, d, f;
                        if (sscanf(v, "%x:%x.%x", &b, &d, &f) != 3)
                                r = -EINVAL;
                        n->pci = (b & 0xff) << 8 | (d & 0x1f) << 3 | (f & 7);
                } else
                        r = -EINVAL;
                if (r < 0) {
                        fprintf(stderr, "mkibft: bad NIC option '%s'\n", kv);
                        return r;
                }
        }
        n_nics++;
        return 0;
}

static int parse_target(char *spec) {
        TargetDesc *t = &targets[n_targets];
        char *save = NULL;

        if (n_targets >= MAX_ITEMS)
                return -E2BIG;
        *t = (TargetDesc) { .flags = 3, .index = n_targets };
        for (char *kv = strtok_r(spec, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                char *v = strchr(kv, '=');
                int r = 0;

                if (!v) {
                        fprintf(stderr, "mkibft: bad target option '%s'\n", kv);
                        return -EINVAL;
                }
                *v++ = 0;
                if (strcmp(kv, "index") == 0)
                        t->index = num(v);
                else if (strcmp(kv, "flags") == 0)
                        t->flags = num(v);
                else if (strcmp(kv, "ip") == 0)
                        r = parse_ip(v, t->ip, NULL);
                else if (strcmp(kv, "port") == 0)
                        t->port = num(v);
                else if (strcmp(kv, "lun") == 0)
                        lun_to_sam(strtoull(v, NULL, 0), t->lun);
                else if (strcmp(kv, "sam") == 0) {
                        if (strlen(v) != 16)
                                r = -EINVAL;
                        for (int i = 0; r == 0 && i < 8; i++) {
                                char hex[3] = { v[2 * i], v[2 * i + 1], 0 };
                                t->lun[i] = (uint8_t) strtoul(hex, NULL, 16);
                        }
                } else if (strcmp(kv, "nic") == 0)
                        t->nic = num(v);
                else if (strcmp(kv, "name") == 0)
                        t->name = v;
                else if (strcmp(kv, "chap") == 0)
                        t->chap = strcmp(v, "mutual") == 0 ? 2 : strcmp(v, "chap") == 0 ? 1 :
                                  strcmp(v, "none") == 0 ? 0 : num(v);
                else if (strcmp(kv, "chap-name") == 0)
                        t->chap_name = v;
                else if (strcmp(kv, "chap-secret") == 0)
                        t->chap_secret = v;
                else if (strcmp(kv, "rchap-name") == 0)
                        t->rchap_name = v;
                else if (strcmp(kv, "rchap-secret") == 0)
                        t->rchap_secret = v;
                else
                        r = -EINVAL;
                if (r < 0) {
                        fprintf(stderr, "mkibft: bad target option '%s'\n", kv);
                        return r;
                }
        }
        n_targets++;
        return 0;
}

/* ---- the table ---- */

static uint8_t table[8192];
static size_t heap;             /* next free byte for strings */
static size_t nic_off[MAX_ITEMS], target_off[MAX_ITEMS], control_off = 48;

static void put16(size_t off, unsigned v) {
        table[off] = (uint8_t) v;
        table[off + 1] = (uint8_t) (v >> 8);
}

static void put32(size_t off, uint32_t v) {
        put16(off, v & 0xffff);
        put16(off + 2, v >> 16);
}

static void put_string(size_t field, const char *s) {
        size_t n;

        if (!s)
                return;
        n = strlen(s);
        if (n > 1024 || heap + n + 1 > sizeof table - 16) {
                fprintf(stderr, "mkibft: strings too long\n");
                exit(2);
        }
        put16(field, (unsigned) n);
        put16(field + 2, (unsigned) heap);
        memcpy(table + heap, s, n + 1);
        heap += n + 1;
}

static void header(size_t off, unsigned id, unsigned len, unsigned index, unsigned flags) {
        table[off] = (uint8_t) id;
        table[off + 1] = 1;
        put16(off + 2, len);
        table[off + 4] = (uint8_t) index;
        table[off + 5] = (uint8_t) flags;
}

static size_t align8(size_t v) {
        return (v + 7) & ~(size_t) 7;
}

static void checksum(size_t len) {
        uint8_t sum = 0;

        table[9] = 0;
        for (size_t i = 0; i < len; i++)
                sum += table[i];
        table[9] = (uint8_t) -sum;
}

static size_t build(void) {
        unsigned pairs = n_nics > n_targets ? n_nics : n_targets;
        size_t off, init_off;

        if (pairs < 2)
                pairs = 2;
        memset(table, 0, sizeof table);
        memcpy(table, "iBFT", 4);
        table[8] = 1;
        memcpy(table + 10, "SDISCS", 6);
        memcpy(table + 16, "MKIBFT  ", 8);
        put32(24, 1);
        memcpy(table + 28, "SDIS", 4);
        put32(32, 1);

        header(control_off, 1, 10 + 4 * pairs, 0, 0);
        off = align8(control_off + 10 + 4 * pairs);
        init_off = off;
        off = align8(off + 74);
        for (unsigned i = 0; i < n_nics; i++) {
                nic_off[i] = off;
                off = align8(off + 102);
        }
        for (unsigned i = 0; i < n_targets; i++) {
                target_off[i] = off;
                off = align8(off + 54);
        }
        heap = off;

        put16(control_off + 8, (unsigned) init_off);
        header(init_off, 2, 74, 0, arg_initiator ? 3 : 0);
        put_string(init_off + 70, arg_initiator);

        for (unsigned i = 0; i < n_nics; i++) {
                NicDesc *n = &nics[i];
                size_t o = nic_off[i];

                put16(control_off + 10 + 4 * i, (unsigned) o);
                header(o, 3, 102, n->index, n->flags);
                memcpy(table + o + 6, n->ip, 16);
                table[o + 22] = (uint8_t) n->prefix;
                table[o + 23] = (uint8_t) n->origin;
                memcpy(table + o + 24, n->gw, 16);
                memcpy(table + o + 40, n->dns, 16);
                memcpy(table + o + 56, n->dns2, 16);
                memcpy(table + o + 72, n->dhcp, 16);
                put16(o + 88, n->vlan);
                memcpy(table + o + 90, n->mac, 6);
                put16(o + 96, n->pci);
                put_string(o + 98, n->hostname);
        }
        for (unsigned i = 0; i < n_targets; i++) {
                TargetDesc *t = &targets[i];
                size_t o = target_off[i];

                put16(control_off + 12 + 4 * i, (unsigned) o);
                header(o, 4, 54, t->index, t->flags);
                memcpy(table + o + 6, t->ip, 16);
                put16(o + 22, t->port);
                memcpy(table + o + 24, t->lun, 8);
                table[o + 32] = (uint8_t) t->chap;
                table[o + 33] = (uint8_t) t->nic;
                put_string(o + 34, t->name);
                put_string(o + 38, t->chap_name);
                put_string(o + 42, t->chap_secret);
                put_string(o + 46, t->rchap_name);
                put_string(o + 50, t->rchap_secret);
        }
        off = align8(heap);
        put32(4, (uint32_t) off);
        checksum(off);
        return off;
}

static int corrupt(size_t *len, size_t *write_len) {
        const char *k = arg_corrupt;
        const char *arg = strchr(k, ':');

        *write_len = *len;
        if (strcmp(k, "checksum") == 0) {
                table[9] ^= 0x5a;
                return 0;
        }
        if (strncmp(k, "truncate:", 9) == 0) {
                *write_len = strtoul(arg + 1, NULL, 0);
                if (*write_len > *len)
                        return -EINVAL;
                return 0;
        }
        if (strcmp(k, "revision") == 0)
                table[8] = 2;
        else if (strcmp(k, "signature") == 0)
                memcpy(table, "XBFT", 4);
        else if (strncmp(k, "length:", 7) == 0)
                put32(4, (uint32_t) strtoul(arg + 1, NULL, 0));
        else if (strcmp(k, "nic-offset") == 0)
                put16(control_off + 10, (unsigned) *len + 64);
        else if (strcmp(k, "target-offset") == 0)
                put16(control_off + 12, 0xfff0);
        else if (strcmp(k, "string") == 0 && n_targets > 0)
                put16(target_off[0] + 36, (unsigned) *len - 2);
        else if (strcmp(k, "nic-length") == 0 && n_nics > 0)
                put16(nic_off[0] + 2, 100);
        else if (strcmp(k, "target-length") == 0 && n_targets > 0)
                put16(target_off[0] + 2, 56);
        else if (strcmp(k, "control-length") == 0)
                put16(control_off + 2, 0xfff0);
        else if (strcmp(k, "unprintable") == 0 && n_targets > 0 && targets[0].name)
                table[(table[target_off[0] + 36] | table[target_off[0] + 37] << 8)] = '\n';
        else
                return -EINVAL;
        checksum(*len);
        return 0;
}

/* ---- the sysfs view, in the kernel's formats ---- */

static int mkdir_p(const char *path) {
        char buf[4096];

        if (strlen(path) >= sizeof buf)
                return -ENAMETOOLONG;
        strcpy(buf, path);
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        *p = '/';
                }
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int attr(const char *dir, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int attr(const char *dir, const char *name, const char *fmt, ...) {
        char path[4096];
        va_list ap;
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "we");
        if (!f)
                return -errno;
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
        return fclose(f) == 0 ? 0 : -errno;
}

static bool ip_present(const uint8_t ip[16]) {
        static const uint8_t zero[16], mapped0[16] = { [10] = 0xff, [11] = 0xff };
        return memcmp(ip, zero, 16) != 0 && memcmp(ip, mapped0, 16) != 0;
}

static bool ip_is_v4(const uint8_t ip[16]) {
        static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
        return memcmp(ip, mapped, 12) == 0;
}

/* %pI4 for mapped IPv4, else %pI6: uncompressed, 8 groups of 4 digits. */
static void ip_attr(const char *dir, const char *name, const uint8_t ip[16]) {
        if (!ip_present(ip))
                return;
        if (ip_is_v4(ip))
                attr(dir, name, "%u.%u.%u.%u\n", ip[12], ip[13], ip[14], ip[15]);
        else
                attr(dir, name, "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x\n",
                     ip[0], ip[1], ip[2], ip[3], ip[4], ip[5], ip[6], ip[7],
                     ip[8], ip[9], ip[10], ip[11], ip[12], ip[13], ip[14], ip[15]);
}

static void str_attr(const char *dir, const char *name, const char *s) {
        if (s)
                attr(dir, name, "%s\n", s);
}

static int write_sysfs(const char *root) {
        char dir[4096];
        int r;

        snprintf(dir, sizeof dir, "%s/firmware/ibft/acpi_header", root);
        r = mkdir_p(dir);
        if (r < 0)
                return r;
        attr(dir, "signature", "%.4s\n", (const char *) table);
        attr(dir, "oem_id", "%.6s\n", (const char *) table + 10);
        attr(dir, "oem_table_id", "%.8s\n", (const char *) table + 16);

        snprintf(dir, sizeof dir, "%s/firmware/ibft/initiator", root);
        r = mkdir_p(dir);
        if (r < 0)
                return r;
        attr(dir, "index", "0\n");
        attr(dir, "flags", "%d\n", arg_initiator ? 3 : 0);
        str_attr(dir, "initiator-name", arg_initiator);

        for (unsigned i = 0; i < n_nics; i++) {
                NicDesc *n = &nics[i];

                snprintf(dir, sizeof dir, "%s/firmware/ibft/ethernet%u", root, n->index);
                r = mkdir_p(dir);
                if (r < 0)
                        return r;
                attr(dir, "index", "%u\n", n->index);
                attr(dir, "flags", "%u\n", n->flags);
                ip_attr(dir, "ip-addr", n->ip);
                if (ip_present(n->ip)) {
                        attr(dir, "prefix-len", "%u\n", n->prefix);
                        /* sic: no newline, and present for IPv6 too; the kernel computes
                         * ~((1 << (32 - prefix)) - 1), whose shift x86 takes mod 32. */
                        uint32_t m = ~((1U << ((32U - n->prefix) & 31)) - 1);
                        attr(dir, "subnet-mask", "%u.%u.%u.%u", m >> 24, (m >> 16) & 255, (m >> 8) & 255, m & 255);
                }
                attr(dir, "origin", "%u\n", n->origin);
                ip_attr(dir, "gateway", n->gw);
                ip_attr(dir, "primary-dns", n->dns);
                ip_attr(dir, "secondary-dns", n->dns2);
                ip_attr(dir, "dhcp", n->dhcp);
                attr(dir, "vlan", "%u\n", n->vlan);
                attr(dir, "mac", "%02x:%02x:%02x:%02x:%02x:%02x\n",
                     n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
                str_attr(dir, "hostname", n->hostname);
                if (n->ifname) {
                        snprintf(dir, sizeof dir, "%s/firmware/ibft/ethernet%u/device/net/%s", root, n->index, n->ifname);
                        r = mkdir_p(dir);
                        if (r < 0)
                                return r;
                }
        }

        for (unsigned i = 0; i < n_targets; i++) {
                TargetDesc *t = &targets[i];

                snprintf(dir, sizeof dir, "%s/firmware/ibft/target%u", root, t->index);
                r = mkdir_p(dir);
                if (r < 0)
                        return r;
                attr(dir, "index", "%u\n", t->index);
                attr(dir, "flags", "%u\n", t->flags);
                ip_attr(dir, "ip-addr", t->ip);
                attr(dir, "port", "%u\n", t->port);
                /* sic: every byte with unpadded %x */
                attr(dir, "lun", "%x%x%x%x%x%x%x%x\n", t->lun[0], t->lun[1], t->lun[2], t->lun[3],
                     t->lun[4], t->lun[5], t->lun[6], t->lun[7]);
                attr(dir, "nic-assoc", "%u\n", t->nic);
                attr(dir, "chap-type", "%u\n", t->chap);
                str_attr(dir, "target-name", t->name);
                str_attr(dir, "chap-name", t->chap_name);
                str_attr(dir, "chap-secret", t->chap_secret);
                str_attr(dir, "rev-chap-name", t->rchap_name);
                str_attr(dir, "rev-chap-name-secret", t->rchap_secret);
        }
        return 0;
}

static int write_blob(const char *path, size_t len) {
        FILE *f = path ? fopen(path, "we") : stdout;

        if (!f)
                return -errno;
        if (fwrite(table, 1, len, f) != len) {
                if (path)
                        fclose(f);
                return -EIO;
        }
        if (path)
                return fclose(f) == 0 ? 0 : -errno;
        return fflush(f) == 0 ? 0 : -errno;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",      no_argument,       NULL, 'h' },
                { "output",    required_argument, NULL, 'o' },
                { "sysfs",     required_argument, NULL, 's' },
                { "acpi-copy", no_argument,       NULL, 'A' },
                { "initiator", required_argument, NULL, 'i' },
                { "nic",       required_argument, NULL, 'n' },
                { "target",    required_argument, NULL, 't' },
                { "corrupt",   required_argument, NULL, 'c' },
                {}
        };
        size_t len, write_len;
        int c, r;

        while ((c = getopt_long(argc, argv, "ho:s:i:n:t:c:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'o':
                        arg_output = optarg;
                        break;
                case 's':
                        arg_sysfs = optarg;
                        break;
                case 'A':
                        arg_acpi_copy = true;
                        break;
                case 'i':
                        arg_initiator = optarg;
                        break;
                case 'n':
                        if (parse_nic(optarg) < 0)
                                return 2;
                        break;
                case 't':
                        if (parse_target(optarg) < 0)
                                return 2;
                        break;
                case 'c':
                        arg_corrupt = optarg;
                        break;
                default:
                        return 2;
                }
        if (optind < argc) {
                fprintf(stderr, "mkibft: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }

        len = build();
        write_len = len;
        if (arg_corrupt && corrupt(&len, &write_len) < 0) {
                fprintf(stderr, "mkibft: unknown or inapplicable corruption '%s'\n", arg_corrupt);
                return 2;
        }

        if (arg_sysfs) {
                r = write_sysfs(arg_sysfs);
                if (r < 0) {
                        fprintf(stderr, "mkibft: writing sysfs tree: %s\n", strerror(-r));
                        return 1;
                }
                if (arg_acpi_copy) {
                        char path[4096];

                        snprintf(path, sizeof path, "%s/firmware/acpi/tables", arg_sysfs);
                        r = mkdir_p(path);
                        if (r >= 0) {
                                strncat(path, "/iBFT", sizeof path - strlen(path) - 1);
                                r = write_blob(path, write_len);
                        }
                        if (r < 0) {
                                fprintf(stderr, "mkibft: writing ACPI copy: %s\n", strerror(-r));
                                return 1;
                        }
                }
        }
        if (arg_output || !arg_sysfs) {
                r = write_blob(arg_output, write_len);
                if (r < 0) {
                        fprintf(stderr, "mkibft: writing table: %s\n", strerror(-r));
                        return 1;
                }
        }
        return 0;
}
