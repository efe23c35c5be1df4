/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

#include "creds.h"
#include "lease.h"
#include "paths.h"
#include "units.h"
#include "util.h"

/* After the budget runs out the login helper gives up by itself; the unit and device
 * timeouts are only a backstop for a helper that hangs. */
#define BACKSTOP_USEC (30ULL * 1000000ULL)

int session_unit_name(const Session *s, char *buf, size_t size) {
        int n = snprintf(buf, size, "sd-iscsi-login@%s.service", s->id);
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

int session_device_path(const Session *s, char **ret) {
        if (asprintf(ret, "/dev/disk/by-path/ip-%s:%u-iscsi-%s-lun-%" PRIu64,
                     s->portal, s->port, s->target, s->lun) < 0)
                return -ENOMEM;
        return 0;
}

const Session *config_root_session(const Config *c) {
        for (size_t i = 0; i < c->n_sessions; i++)
                if (c->sessions[i].root)
                        return &c->sessions[i];
        return NULL;
}

/* udev's encoding of a label or UUID in a /dev/disk/by-* link name. */
static int append_udev_encoded(char *out, size_t size, const char *in) {
        size_t o = strlen(out);

        for (; *in; in++) {
                unsigned char ch = (unsigned char) *in;
                if (o + 5 >= size)
                        return -ENAMETOOLONG;
                if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    strchr("#+-.:=@_", ch) || ch >= 0x80)
                        out[o++] = (char) ch;
                else
                        o += (size_t) snprintf(out + o, size - o, "\\x%02x", ch);
        }
        out[o] = 0;
        return 0;
}

int config_root_device(const Config *c, char **ret) {
        static const struct {
                const char *tag, *dir;
        } tags[] = {
                { "LABEL=",     "/dev/disk/by-label/" },
                { "UUID=",      "/dev/disk/by-uuid/" },
                { "PARTUUID=",  "/dev/disk/by-partuuid/" },
                { "PARTLABEL=", "/dev/disk/by-partlabel/" },
        };
        const Session *root = config_root_session(c);
        char buf[512];

        if (root)
                return session_device_path(root, ret);
        if (c->root_dhcp) {
                /* Which LUN is known only from the lease: the login helper's udev rule names it. */
                *ret = strdup(DHCP_ROOT_LINK);
                return *ret ? 0 : -ENOMEM;
        }
        if (isempty(c->root))
                return -ENOENT;
        if (c->root[0] == '/') {
                *ret = strdup(c->root);
                return *ret ? 0 : -ENOMEM;
        }
        for (size_t i = 0; i < ELEMENTSOF(tags); i++) {
                const char *v = startswith(c->root, tags[i].tag);
                int r;

                if (!v || isempty(v))
                        continue;
                snprintf(buf, sizeof buf, "%s", tags[i].dir);
                r = append_udev_encoded(buf, sizeof buf, v);
                if (r < 0)
                        return r;
                *ret = strdup(buf);
                return *ret ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

bool login_carries_root(const Config *c, const Session *s) {
        _cleanup_free_ char *device = NULL;
        bool dhcp = !s || s->source == SOURCE_DHCP;
        size_t logins = c->netroot_dhcp ? 1 : 0;

        if (c->root_dhcp)
                return dhcp;
        if (config_root_session(c))
                return s && s->root;
        /* root= names a file system: any of several logins may bring it, and a boot with
         * one of them failed may still find it. Only a lone login is known to carry it. */
        if (config_root_device(c, &device) < 0)
                return false;
        for (size_t i = 0; i < c->n_sessions; i++)
                if (c->sessions[i].source != SOURCE_DHCP)
                        logins++;
        return logins == 1;
}

static void write_timeout(FILE *f, const char *key, uint64_t usec) {
        if (usec == 0)
                fprintf(f, "%s=infinity\n", key);
        else
                fprintf(f, "%s=%" PRIu64 "s\n", key, (uint64_t) ((usec + BACKSTOP_USEC + 999999) / 1000000));
}

/* One Key=value line. systemd expands %-specifiers in these settings, and a target
 * name, an IPv6 zone or a mount option may hold a '%': it is written as "%%". */
static int write_setting(FILE *f, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int write_setting(FILE *f, const char *key, const char *fmt, ...) {
        _cleanup_free_ char *v = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&v, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        fprintf(f, "%s=", key);
        for (const char *p = v; *p; p++) {
                if (*p == '%')
                        fputc('%', f);
                fputc(*p, f);
        }
        fputc('\n', f);
        return 0;
}

static bool portal_is_ipv6(const Session *s) {
        return strchr(s->portal, ':') != NULL;
}

static void write_dependencies(FILE *f) {
        fputs("DefaultDependencies=no\n"
              /* networkd does not run in the initrd unless asked: iSCSI implies rd.neednet=1.
               * iscsid starts while the network comes up, not on the first login (socket
               * activation), so that a target that answers late is logged in to at once. */
              "Wants=sd-iscsi-prepare.service sd-iscsi-iscsid.socket sd-iscsi-iscsid.service systemd-networkd.service systemd-network-generator.service\n"
              "After=sd-iscsi-prepare.service sd-iscsi-iscsid.socket systemd-networkd.service\n"
              /* The transport loads while the network comes up, not after it (iscsid waits). */
              "Wants=modprobe@iscsi_tcp.service\n", f);
}

int unit_write_dhcp_login(FILE *f, const Config *c) {
        fputs(UNIT_HEADER "\n[Unit]\n"
              "Description=iSCSI login to the target in the DHCP root path\n"
              "Documentation=man:sd-iscsi(7) man:sd-iscsi-generator(8)\n"
              "SourcePath=/proc/cmdline\n", f);
        write_dependencies(f);
        /* No per-link wait: which link gets the lease is not known. The helper waits for
         * the lease and then for a route to the portal, within the budget. */
        fputs("Before=initrd-root-device.target sysroot.mount\n"
              "\n[Service]\n"
              "Type=oneshot\n"
              "RemainAfterExit=yes\n"
              "NotifyAccess=main\n", f);
        fprintf(f, "ExecStart=%s/sd-iscsi login " DHCP_SESSION_ID "\n", BINDIR);
        write_timeout(f, "TimeoutStartSec", c->timeout_usec);
        if (credentials_write_unit(f, DHCP_SESSION_ID) < 0)
                return -EINVAL;
        return ferror(f) ? -EIO : 0;
}

int unit_write_login(FILE *f, const Config *c, const Session *s) {
        const char *lb = portal_is_ipv6(s) ? "[" : "", *rb = portal_is_ipv6(s) ? "]" : "";
        int r;

        fputs(UNIT_HEADER "\n[Unit]\n", f);
        r = write_setting(f, "Description", "iSCSI login to %s on %s%s%s:%u", s->target, lb, s->portal, rb, s->port);
        if (r < 0)
                return r;
        fputs("Documentation=man:sd-iscsi(7) man:sd-iscsi-generator(8)\n", f);
        fprintf(f, "SourcePath=%s\n", s->source == SOURCE_IBFT ? "/sys/firmware/ibft" : "/proc/cmdline");
        write_dependencies(f);
        /* Where the interface is known, wait for exactly that link: never for all links. */
        if (c->waitnet && !isempty(s->netdev)) {
                r = write_setting(f, "Wants", "systemd-networkd-wait-online@%s.service", s->netdev);
                if (r >= 0)
                        r = write_setting(f, "After", "systemd-networkd-wait-online@%s.service", s->netdev);
                if (r < 0)
                        return r;
        }
        fputs("Before=initrd-root-device.target sysroot.mount\n"
              "\n[Service]\n"
              "Type=oneshot\n"
              "RemainAfterExit=yes\n"
              "NotifyAccess=main\n", f);
        fprintf(f, "ExecStart=%s/sd-iscsi login %s\n", BINDIR, s->id);
        write_timeout(f, "TimeoutStartSec", c->timeout_usec);
        r = credentials_write_unit(f, s->id);
        if (r < 0)
                return r;
        return ferror(f) ? -EIO : 0;
}

int unit_write_sysroot_mount(FILE *f, const Config *c, const Session *s, const char *device) {
        int r;

        fputs(UNIT_HEADER "\n[Unit]\n", f);
        if (s) {
                const char *lb = portal_is_ipv6(s) ? "[" : "", *rb = portal_is_ipv6(s) ? "]" : "";

                r = write_setting(f, "Description", "Root file system on iSCSI LUN %" PRIu64 " of %s on %s%s%s:%u",
                                  s->lun, s->target, lb, s->portal, rb, s->port);
                if (r < 0)
                        return r;
        } else
                fputs("Description=Root file system on the iSCSI LUN of the DHCP root path\n", f);
        fputs("Documentation=man:sd-iscsi(7) man:sd-iscsi-generator(8)\n"
              "SourcePath=/proc/cmdline\n"
              "Before=initrd-root-fs.target\n"
              "\n[Mount]\n", f);
        r = write_setting(f, "What", "%s", device);
        if (r < 0)
                return r;
        fputs("Where=/sysroot\n", f);
        if (!isempty(c->rootfstype)) {
                r = write_setting(f, "Type", "%s", c->rootfstype);
                if (r < 0)
                        return r;
        }
        /* As systemd-fstab-generator does for root=: read-only unless "rw" was given. */
        r = write_setting(f, "Options", "%s%s%s", c->root_rw > 0 ? "rw" : "ro",
                          isempty(c->rootflags) ? "" : ",", strempty(c->rootflags));
        if (r < 0)
                return r;
        return ferror(f) ? -EIO : 0;
}

int unit_write_root_device_dropin(FILE *f, const char *device_unit) {
        fputs(UNIT_HEADER "\n[Unit]\n", f);
        fprintf(f, "Requires=%s\nAfter=%s\n", device_unit, device_unit);
        return ferror(f) ? -EIO : 0;
}

int unit_write_device_timeout(FILE *f, const Config *c) {
        /* The device appears only after a login: it must not time out while logins are
         * still being retried within the budget. Its job waits for the logins, so that the
         * time the network takes to come up does not eat into the budget: the timeout
         * counts from the last login's end, success or failure. */
        fputs(UNIT_HEADER "\n[Unit]\n", f);
        for (size_t i = 0; i < c->n_sessions; i++) {
                char unit[64];

                if (session_unit_name(&c->sessions[i], unit, sizeof unit) >= 0)
                        fprintf(f, "After=%s\n", unit);
        }
        if (c->netroot_dhcp)
                fputs("After=sd-iscsi-login@" DHCP_SESSION_ID ".service\n", f);
        /* Once the logins are over the LUN shows up within seconds, or never: with a
         * budget, waiting a whole budget more would only delay the emergency shell. */
        if (c->timeout_usec == 0)
                fputs("JobRunningTimeoutSec=infinity\n", f);
        else
                fprintf(f, "JobRunningTimeoutSec=%" PRIu64 "s\n", (uint64_t) (BACKSTOP_USEC / 1000000));
        return ferror(f) ? -EIO : 0;
}
