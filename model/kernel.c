/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's view of the boot's iSCSI sessions, read from sysfs: the sessions (what the
 * real root's iscsid adopts, their state, their disks and what holds those) and the
 * links their connections are routed over. */
#include <errno.h>
#include <glob.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "kernel.h"
#include "log.h"
#include "util.h"

/* networkd's Type=: udev's DEVTYPE when the kernel gives one, else the ARP type. */
static void read_link_facts(const char *sysfs, BootLink *l) {
        char path[PATH_MAX];
        _cleanup_free_ char *mac = NULL, *uevent = NULL, *type = NULL;

        if (snprintf(path, sizeof path, "%s/class/net/%s/address", sysfs, l->ifname) < (int) sizeof path &&
            read_one_line_file(path, &mac) >= 0 && strlen(mac) == 17) {
                memcpy(l->mac, mac, 18);
                l->has_mac = true;
        }
        if (snprintf(path, sizeof path, "%s/class/net/%s/uevent", sysfs, l->ifname) < (int) sizeof path &&
            read_full_file(path, &uevent, NULL, 4096) >= 0) {
                const char *d = strstr(uevent, "DEVTYPE=");

                if (d && (d == uevent || d[-1] == '\n')) {
                        d += strlen("DEVTYPE=");
                        snprintf(l->type, sizeof l->type, "%.*s", (int) strcspn(d, "\n"), d);
                        return;
                }
        }
        if (snprintf(path, sizeof path, "%s/class/net/%s/type", sysfs, l->ifname) < (int) sizeof path &&
            read_one_line_file(path, &type) >= 0)
                snprintf(l->type, sizeof l->type, "%s",
                         streq_ptr(type, "1") ? "ether" : streq_ptr(type, "772") ? "loopback" : "");
}

static bool same_address(const struct sockaddr *a, const struct sockaddr *b) {
        if (!a || !b || a->sa_family != b->sa_family)
                return false;
        if (a->sa_family == AF_INET)
                return ((const struct sockaddr_in *) a)->sin_addr.s_addr == ((const struct sockaddr_in *) b)->sin_addr.s_addr;
        if (a->sa_family == AF_INET6)
                return memcmp(&((const struct sockaddr_in6 *) a)->sin6_addr, &((const struct sockaddr_in6 *) b)->sin6_addr,
                              sizeof(struct in6_addr)) == 0;
        return false;
}

/* The interface whose address the kernel would send from to reach the portal: a UDP
 * connect() consults the routing table and picks the source, no packet leaves. */
static int portal_link(const char *portal, const char *port, const struct ifaddrs *ifs, char ifname[static IFNAMSIZ]) {
        struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *res = NULL;
        struct sockaddr_storage local;
        socklen_t len = sizeof local;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (getaddrinfo(portal, port, &hints, &res) != 0)
                return -EINVAL;
        fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        r = fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0 ||
            getsockname(fd, (struct sockaddr *) &local, &len) < 0 ? -errno : 0;
        freeaddrinfo(res);
        if (r < 0)
                return r;
        for (const struct ifaddrs *i = ifs; i; i = i->ifa_next)
                if (same_address(i->ifa_addr, (const struct sockaddr *) &local)) {
                        snprintf(ifname, IFNAMSIZ, "%s", i->ifa_name);
                        return 0;
                }
        return -ENXIO;
}

static bool have_link(const BootLink *links, size_t n, const char *ifname) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(links[i].ifname, ifname) == 0)
                        return true;
        return false;
}

/* <sysfs>/class/<class> into dir and *ret: 1, or 0 (and *ret NULL) when the kernel has
 * no such class (no iSCSI at all), or negative errno. */
static int class_opendir(const char *sysfs, const char *class, char dir[static PATH_MAX], DIR **ret) {
        if (snprintf(dir, PATH_MAX, "%s/class/%s", sysfs, class) >= PATH_MAX)
                return -ENAMETOOLONG;
        *ret = opendir(dir);
        if (!*ret)
                return errno == ENOENT ? 0 : -errno;
        return 1;
}

int handoff_boot_links(const char *sysfs, BootLink *links, size_t max, size_t *ret_n) {
        static const char *const address_files[] = { "address", "persistent_address" };
        _cleanup_(closedirp) DIR *d = NULL;
        struct ifaddrs *ifs = NULL;
        char dir[PATH_MAX];
        struct dirent *de;
        size_t n = 0;
        int r;

        r = class_opendir(sysfs, "iscsi_connection", dir, &d);
        if (r <= 0) {
                *ret_n = 0;
                return r;
        }
        if (getifaddrs(&ifs) < 0)
                return -errno;
        while ((de = readdir(d)) && n < max) {
                _cleanup_free_ char *portal = NULL, *port = NULL;
                char path[PATH_MAX], ifname[IFNAMSIZ];

                if (de->d_name[0] == '.')
                        continue;
                /* The address in use now (a redirect may have changed it), else the
                 * one logged in to. */
                for (size_t i = 0; i < ELEMENTSOF(address_files) && isempty(portal); i++) {
                        free(portal);
                        portal = NULL;
                        if (snprintf(path, sizeof path, "%s/%s/%s", dir, de->d_name, address_files[i]) < (int) sizeof path)
                                (void) read_one_line_file(path, &portal);
                }
                if (isempty(portal))
                        continue;
                if (snprintf(path, sizeof path, "%s/%s/port", dir, de->d_name) >= (int) sizeof path ||
                    read_one_line_file(path, &port) < 0)
                        continue;
                r = portal_link(portal, port, ifs, ifname);
                if (r < 0) {
                        log_warning("iSCSI connection %s to %s: no local interface found: %s",
                                    de->d_name, portal, strerror(-r));
                        continue;
                }
                if (have_link(links, n, ifname))
                        continue;
                links[n] = (BootLink) {};
                snprintf(links[n].ifname, sizeof links[n].ifname, "%s", ifname);
                read_link_facts(sysfs, &links[n]);
                log_info("%s carries iSCSI connection %s to %s.", ifname, de->d_name, portal);
                n++;
        }
        freeifaddrs(ifs);
        *ret_n = n;
        return 0;
}

static int read_attr(const char *sysfs, const char *class, const char *name, const char *attr, char **ret) {
        char path[PATH_MAX];

        if (snprintf(path, sizeof path, "%s/class/%s/%s/%s", sysfs, class, name, attr) >= (int) sizeof path)
                return -ENAMETOOLONG;
        return read_one_line_file(path, ret);
}

static uint16_t attr_u16(const char *s) {
        uint64_t v;

        return s && safe_atou64(s, UINT16_MAX, &v) >= 0 ? (uint16_t) v : 0;
}

static void kernel_session_done(KernelSession *k) {
        free(k->target);
        free(k->address);
        free(k->iface);
        free(k->username);
        free(k->in_username);
        free(k->state);
        *k = (KernelSession) {};
}

void kernel_sessions_free(KernelSession *k, size_t n) {
        for (size_t i = 0; i < n; i++)
                kernel_session_done(&k[i]);
        free(k);
}

/* The kernel shows a string it was never given as "(null)" or "<NULL>". */
static void drop_unset(char **s) {
        if (*s && (isempty(*s) || strcmp(*s, "(null)") == 0 || strcmp(*s, "<NULL>") == 0)) {
                free(*s);
                *s = NULL;
        }
}

/* s with glob(7)'s special characters escaped: a sysfs root from the environment is
 * matched as it is written. */
static int glob_escape(const char *s, char *buf, size_t size) {
        size_t n = 0;

        for (; *s; s++) {
                if (n + 2 >= size)
                        return -ENAMETOOLONG;
                if (strchr("*?[\\", *s))
                        buf[n++] = '\\';
                buf[n++] = *s;
        }
        buf[n] = '\0';
        return 0;
}

static bool dm_uuid_is_multipath(const char *uuid) {
        /* multipathd names its maps' uuids so; LVM's are "LVM-…", cryptsetup's "CRYPT-…". */
        return uuid && startswith(uuid, "mpath-");
}

/* What holds the disk open (holders/ links to the holder's device directory): a
 * device-mapper map, whose dm/ says which kind, an md array, or nothing. Should several
 * hold it, a multipath map is the one named. */
static void read_holder(const char *disk, KernelDisk *k) {
        _cleanup_(closedirp) DIR *d = NULL;
        char dir[PATH_MAX];
        struct dirent *de;

        if (snprintf(dir, sizeof dir, "%s/holders", disk) >= (int) sizeof dir || !(d = opendir(dir)))
                return;
        while (!k->multipath && (de = readdir(d))) {
                _cleanup_free_ char *uuid = NULL, *name = NULL;
                char path[PATH_MAX], holder[sizeof k->holder];

                if (de->d_name[0] == '.' || snprintf(holder, sizeof holder, "%s", de->d_name) >= (int) sizeof holder)
                        continue;
                if (snprintf(path, sizeof path, "%s/%s/dm/uuid", dir, holder) < (int) sizeof path)
                        (void) read_one_line_file(path, &uuid);
                if (k->holder[0] && !dm_uuid_is_multipath(uuid))
                        continue;
                if (snprintf(path, sizeof path, "%s/%s/dm/name", dir, holder) < (int) sizeof path)
                        (void) read_one_line_file(path, &name);
                memcpy(k->holder, holder, sizeof holder);
                snprintf(k->holder_name, sizeof k->holder_name, "%s", strempty(name));
                k->multipath = dm_uuid_is_multipath(uuid);
        }
}

/* One disk, path …/H:C:T:L/block/NAME (as the glob's pattern has it: the slashes are there). */
static int read_disk(const char *path, KernelDisk *k) {
        char buf[PATH_MAX], *name, *hctl;

        if (snprintf(buf, sizeof buf, "%s", path) >= (int) sizeof buf)
                return -ENAMETOOLONG;
        name = strrchr(buf, '/');
        *name++ = '\0';
        *strrchr(buf, '/') = '\0';
        hctl = strrchr(buf, '/') + 1;
        *k = (KernelDisk) {};
        if (sscanf(hctl, "%*u:%*u:%*u:%" SCNu64, &k->lun) != 1 ||
            snprintf(k->name, sizeof k->name, "%s", name) >= (int) sizeof k->name)
                return -EINVAL;
        read_holder(path, k);
        return 0;
}

static int cmp_disk(const void *a, const void *b) {
        const KernelDisk *x = a, *y = b;

        return x->lun < y->lun ? -1 : x->lun > y->lun;
}

/* The session's disks: the kernel scans the session's SCSI targets below the session's
 * device, which the class device's device/ links to (.../hostH/sessionN, whose children
 * are targetH:0:T/H:0:T:L/block/NAME, as iscsiadm -m session -P 3 finds them). */
static void read_disks(const char *sysfs, const char *session, KernelSession *k) {
        static const char pattern[] = "/target*/*:*:*:*/block/*";
        char dir[PATH_MAX], path[PATH_MAX];
        glob_t g = {};

        if (snprintf(dir, sizeof dir, "%s/class/iscsi_session/%s/device", sysfs, session) >= (int) sizeof dir ||
            glob_escape(dir, path, sizeof path - strlen(pattern)) < 0)
                return;
        strcat(path, pattern);
        if (glob(path, 0, NULL, &g) == 0)
                for (size_t i = 0; i < g.gl_pathc && k->n_disks < ELEMENTSOF(k->disks); i++)
                        if (read_disk(g.gl_pathv[i], &k->disks[k->n_disks]) >= 0)
                                k->n_disks++;
        globfree(&g);
        qsort(k->disks, k->n_disks, sizeof *k->disks, cmp_disk);
}

/* What a session may lack without being skipped; -ENOMEM only. */
static int read_session_details(const char *sysfs, const char *name, KernelSession *k) {
        _cleanup_free_ char *tpgt = NULL;

        (void) read_attr(sysfs, "iscsi_session", name, "tpgt", &tpgt);
        k->tpgt = attr_u16(tpgt);
        (void) read_attr(sysfs, "iscsi_session", name, "ifacename", &k->iface);
        (void) read_attr(sysfs, "iscsi_session", name, "username", &k->username);
        (void) read_attr(sysfs, "iscsi_session", name, "username_in", &k->in_username);
        (void) read_attr(sysfs, "iscsi_session", name, "state", &k->state);
        drop_unset(&k->iface);
        drop_unset(&k->username);
        drop_unset(&k->in_username);
        drop_unset(&k->state);
        read_disks(sysfs, name, k);
        if (!k->iface && free_and_strdup(&k->iface, "default") < 0)
                return -ENOMEM;
        return 0;
}

int kernel_sessions_read(const char *sysfs, KernelSession **ret, size_t *ret_n) {
        _cleanup_(closedirp) DIR *d = NULL;
        KernelSession *k = NULL;
        char dir[PATH_MAX];
        struct dirent *de;
        size_t n = 0;
        int r;

        *ret = NULL;
        *ret_n = 0;
        r = class_opendir(sysfs, "iscsi_session", dir, &d);
        if (r <= 0)
                return r;
        while ((de = readdir(d))) {
                _cleanup_free_ char *port = NULL;
                char conn[48];
                KernelSession *t;
                unsigned sid;

                if (sscanf(de->d_name, "session%u", &sid) != 1 || n >= CONFIG_MAX_SESSIONS)
                        continue;
                t = realloc(k, (n + 1) * sizeof *k);
                if (!t) {
                        kernel_sessions_free(k, n);
                        return -ENOMEM;
                }
                k = t;
                k[n] = (KernelSession) { .sid = sid };
                snprintf(conn, sizeof conn, "connection%u:0", sid);
                /* A session being torn down may lack any of these: it is skipped. */
                if (read_attr(sysfs, "iscsi_session", de->d_name, "targetname", &k[n].target) < 0 ||
                    read_attr(sysfs, "iscsi_connection", conn, "persistent_address", &k[n].address) < 0 ||
                    read_attr(sysfs, "iscsi_connection", conn, "persistent_port", &port) < 0 ||
                    isempty(k[n].target) || isempty(k[n].address)) {
                        kernel_session_done(&k[n]);
                        continue;
                }
                k[n].port = attr_u16(port);
                if (read_session_details(sysfs, de->d_name, &k[n]) < 0) {
                        kernel_sessions_free(k, n + 1);
                        return -ENOMEM;
                }
                n++;
        }
        *ret = k;
        *ret_n = n;
        return 0;
}

bool kernel_session_matches(const Session *s, const KernelSession *k) {
        if (!streq_ptr(s->target, k->target) || (k->port != 0 && k->port != s->port))
                return false;
        /* Host-name portals cannot be compared by address: the target decides. */
        return streq_ptr(s->portal, k->address) ||
               strspn(s->portal, "0123456789.:abcdefABCDEF") != strlen(s->portal);
}

void handoff_record_session(const KernelSession *k, const Session *configured, Session *ret) {
        *ret = (Session) {
                .source = configured ? configured->source : SOURCE_CMDLINE,
                .target = k->target,
                .portal = k->address,
                .port = k->port,
                .tpgt = k->tpgt,
                .iface = k->iface,
                .nic = -1,
                .chap = {
                        .username = k->username,
                        .in_username = k->in_username,
                },
        };
        snprintf(ret->id, sizeof ret->id, "%s", configured ? configured->id : "kernel");
        if (configured) {
                ret->netdev = configured->netdev;
                /* CHAP left to credentials (credentials.c) is not in the configuration
                 * read here: then the kernel's user names, no password, as for a DHCP
                 * root path. */
                if (!k->username || configured->chap.has_password)
                        ret->chap = configured->chap;
        }
}
