/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: iBFT under SYSFS_ROOT → networkd files in DIR, as sd-iscsi prepare does,
 * and a summary of the model on stdout (no secrets, no interface names: those depend on
 * the machine) so that different sources of one table can be compared. */
#include <errno.h>

#include "config.h"
#include "log.h"
#include "netfiles.h"
#include "network.h"

int main(int argc, char *argv[]) {
        Config c;
        size_t errors;
        int r;

        if (argc < 3) {
                fprintf(stderr, "Usage: %s SYSFS_ROOT DIR [multipath]\n", argv[0]);
                return 2;
        }
        log_setup("ibft-netfiles", LOG_TARGET_STDERR);
        config_init(&c);
        c.multipath = argc > 3;
        r = config_load_ibft(&c, argv[1], 0);
        for (size_t i = 0; i < c.n_errors; i++)
                fprintf(stderr, "error: %s\n", c.errors[i]);
        for (size_t i = 0; i < c.n_warnings; i++)
                fprintf(stderr, "warning: %s\n", c.warnings[i]);
        printf("initiator %s\n", c.initiator ? c.initiator : "-");
        for (size_t i = 0; i < c.n_nics; i++) {
                const Nic *n = &c.nics[i];

                printf("nic %d flags=%u boot=%d mac=%02x:%02x:%02x:%02x:%02x:%02x dhcp=%d address=%s/%u "
                       "gateway=%s dns=%s,%s vlan=%u hostname=%s\n",
                       n->index, n->flags, n->boot_selected, n->mac[0], n->mac[1], n->mac[2], n->mac[3],
                       n->mac[4], n->mac[5], n->dhcp, n->address.address, n->address.prefixlen, n->gateway,
                       n->dns[0], n->dns[1], n->vlan, n->hostname ? n->hostname : "-");
        }
        for (size_t i = 0; i < c.n_sessions; i++) {
                const Session *s = &c.sessions[i];

                printf("session %s target=%s portal=%s port=%u lun=%llu nic=%d auth=%s user=%s password=%d "
                       "in_user=%s in_password=%d\n",
                       s->id, s->target, s->portal, s->port, (unsigned long long) s->lun, s->nic,
                       auth_kind_to_string(session_auth(s)), s->chap.username ? s->chap.username : "-",
                       s->chap.has_password, s->chap.in_username ? s->chap.in_username : "-",
                       s->chap.has_in_password);
        }
        if (r >= 0)
                r = network_write_files(&c, argv[2]);
        errors = c.n_errors;
        config_done(&c);
        return r < 0 || errors > 0 ? 1 : 0;
}
