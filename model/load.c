/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "config.h"
#include "paths.h"
#include "util.h"

/* The kernel's own limit is a few KiB (bootconfig can add more); anything beyond this
 * is not a real command line. */
#define CMDLINE_MAX (256 * 1024)

bool config_in_initrd(void) {
        const char *e = getenv("SYSTEMD_IN_INITRD");

        /* As systemd's in_initrd(): an unparsable override falls back to the file. */
        if (e) {
                int b = parse_boolean(e);
                if (b >= 0)
                        return b;
        }
        return access("/etc/initrd-release", F_OK) == 0;
}

static int cmdline_too_long(Config *c, unsigned flags) {
        /* Unread, it may have asked for iSCSI: the generator must not stay silent. */
        c->in_initrd = flags & CONFIG_IN_INITRD;
        c->wants_iscsi = true;
        config_error(c, "The kernel command line is longer than %d bytes, ignoring it.", CMDLINE_MAX);
        return 0;
}

int config_load(Config *c, unsigned flags) {
        _cleanup_free_ char *buf = NULL;
        const char *cmdline;
        size_t size = 0;
        int r;

        if ((flags & CONFIG_BOOT) || config_in_initrd())
                flags |= CONFIG_IN_INITRD;

        cmdline = getenv("SYSTEMD_PROC_CMDLINE");
        if (cmdline)
                size = strlen(cmdline);
        else {
                r = read_full_file("/proc/cmdline", &buf, &size, CMDLINE_MAX);
                if (r == -EFBIG)
                        return cmdline_too_long(c, flags);
                if (r < 0)
                        return r;
                cmdline = buf;
        }
        if (size > CMDLINE_MAX)
                return cmdline_too_long(c, flags);

        r = config_parse_cmdline(c, cmdline, flags);
        if (buf)
                /* It may hold CHAP passwords. */
                explicit_bzero(buf, size);
        if (r < 0)
                return r;

        /* The firmware describes the boot, which is the initrd's business: on the real
         * root, reading it (and perhaps loading iscsi_ibft) would cost every boot for
         * nothing. */
        if (c->firmware && c->in_initrd && !(flags & CONFIG_NO_IBFT)) {
                const char *sysfs = getenv("SD_ISCSI_SYSFS");

                r = config_load_ibft(c, isempty(sysfs) ? "/sys" : sysfs, flags);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        config_error(c, "Failed to read the iSCSI Boot Firmware Table: %s", strerror(-r));
        }

        /* Only once networkd has a lease is there a DHCP session: the generator runs long
         * before, and writes its unit from netroot_dhcp alone. */
        if (c->netroot_dhcp && c->in_initrd && !(flags & CONFIG_NO_DHCP)) {
                char dir[PATH_MAX];

                r = runtime_path(NETIF_LEASES_DIR, dir, sizeof dir);
                if (r >= 0)
                        r = config_load_dhcp(c, dir, flags);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        config_error(c, "Failed to read the DHCP leases: %s", strerror(-r));
        }
        return 0;
}
