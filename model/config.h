/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The one configuration model. The kernel command line and the iBFT are parsed into a
 * Config; the generator, the network writer, the login helper and `sd-iscsi show` are
 * front ends over it and never parse anything themselves.
 *
 * Secrets: a Config holds CHAP passwords only when it was loaded with
 * CONFIG_WITH_SECRETS, which only the login helper asks for. Everything else sees
 * has_password flags and never the value.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ISCSI_DEFAULT_PORT 3260
#define ISCSI_DEFAULT_TPGT 1
#define ISCSI_NAME_MAX 223      /* RFC 3720 */

/* Hard limits, so that absurd input costs bounded time and memory. */
#define CONFIG_MAX_SESSIONS 256
#define CONFIG_MAX_PARAMS 64
#define CONFIG_MAX_MESSAGES 64
#define CONFIG_MAX_NICS 16
#define CONFIG_MAX_BONDS 4

/* rd.iscsi.grace= default. Once the root device exists, a login still being retried is
 * for a second path or another disk: a live one is a backoff step or two behind the
 * first (retries every 1-2 s, a 3 s probe timeout), so 10 s spans at least three more
 * attempts; a dead one then costs the boot 10 s instead of blocking it for ever. */
#define CONFIG_GRACE_DEFAULT_USEC (10ULL * 1000000ULL)
#define CONFIG_USEC_INFINITY UINT64_MAX

/* A rejected login is tried this many times in all before it fails: the target may still
 * be being set up (an account or an ACL added after the target). */
#define LOGIN_REJECTIONS_MAX 4U

typedef enum SessionSource {
        SOURCE_CMDLINE,
        SOURCE_IBFT,
        SOURCE_DHCP,            /* root-path (option 17) of a DHCP lease, id "dhcp" */
} SessionSource;

typedef enum AuthKind {
        AUTH_NONE,
        AUTH_CHAP,
        AUTH_MUTUAL,
} AuthKind;

typedef struct Chap {
        char *username;
        char *password;         /* NULL unless CONFIG_WITH_SECRETS */
        char *in_username;
        char *in_password;      /* NULL unless CONFIG_WITH_SECRETS */
        bool has_password;
        bool has_in_password;
} Chap;

typedef struct Session {
        char id[24];            /* unit instance: "cmdline-0", "ibft-1" */
        SessionSource source;
        char *target;
        char *portal;           /* address or host name, never bracketed */
        uint16_t port;
        uint16_t tpgt;
        uint64_t lun;
        char *iface;            /* open-iscsi iface record name */
        char *netdev;           /* kernel interface name */
        int nic;                /* index into Config.nics (iBFT), -1 if none */
        Chap chap;
        bool root;              /* root=iscsi: names this session's LUN */
} Session;

typedef struct NicAddress {
        int family;             /* AF_INET or AF_INET6 */
        char address[46];
        uint8_t prefixlen;
} NicAddress;

typedef struct Nic {
        int index;              /* the iBFT structure's index field */
        uint8_t flags;
        uint8_t mac[6];
        bool dhcp;
        bool boot_selected;
        NicAddress address;     /* family 0 when absent */
        char gateway[46];
        char dns[2][46];
        uint16_t vlan;          /* 0: none; low 12 bits */
        char *hostname;
        char *ifname;           /* from the PCI device's net/ directory, if known */
} Nic;

#define NETWORK_IFNAME_MAX 16   /* IFNAMSIZ */

/* The interface that carries a NIC's addresses: the VLAN device networkd creates,
 * "ibft<index>.<vlan>", when the NIC has a VLAN, else the NIC's ifname. NULL when not
 * known (no VLAN and the kernel interface name was not found). */
const char *network_nic_netdev(const Nic *n, char buf[static NETWORK_IFNAME_MAX]);

/* bond= options, for the bond's .netdev (bond.c). Unset: empty string, -1. */
typedef struct Bond {
        char name[16];          /* IFNAMSIZ */
        char mode[16];          /* networkd's Mode= spelling */
        char xmit_hash_policy[16];
        char lacp_rate[8];
        char fail_over_mac[8];
        char primary_reselect[8];
        int64_t miimon_ms, updelay_ms, downdelay_ms, arp_interval_ms, min_links;
} Bond;

typedef struct Config {
        char *initiator;        /* rd.iscsi.initiator=, iBFT; NULL: image default */

        Session *sessions;
        size_t n_sessions;
        Nic *nics;
        size_t n_nics;

        Bond bonds[CONFIG_MAX_BONDS];   /* bond= with options */
        size_t n_bonds;

        char **params;          /* rd.iscsi.param= NAME=VALUE, in order */
        size_t n_params;

        Chap chap_default;      /* rd.iscsi.username= … for command-line sessions */
        char *target_name, *target_ip;  /* rd.iscsi.target.* session, assembled at the end */
        uint16_t target_port, target_group;

        char *root;             /* root= when it is not iscsi:, for the device timeout */
        char *rootfstype;
        char *rootflags;
        int root_rw;            /* "ro"/"rw" on the command line; -1: neither */

        uint64_t timeout_usec;  /* rd.iscsi.timeout=; 0: no budget */
        uint64_t grace_usec;    /* rd.iscsi.grace=; CONFIG_USEC_INFINITY: never give up */
        int login_retry_max;    /* -1: unset */
        bool waitnet;           /* also wait for systemd-networkd-wait-online@IFACE */
        bool testroute;
        bool firmware;          /* rd.iscsi.firmware / rd.iscsi.ibft / ip=ibft */
        bool multipath;         /* rd.iscsi.mp */
        bool netroot_dhcp;      /* root=dhcp / netroot=dhcp */
        bool root_dhcp;         /* root=dhcp: the DHCP session's LUN is the root */
        bool dhcp_other_root_path;      /* a lease's root-path is not iscsi: (not ours) */
        bool in_initrd;
        bool wants_iscsi;       /* any iSCSI configuration at all */

        char *errors[CONFIG_MAX_MESSAGES];
        size_t n_errors;
        char *warnings[CONFIG_MAX_MESSAGES];
        size_t n_warnings;
} Config;

enum {
        CONFIG_IN_INITRD    = 1 << 0,   /* honour rd.* keys */
        CONFIG_WITH_SECRETS = 1 << 1,   /* keep CHAP passwords (login helper only) */
        CONFIG_NO_IBFT      = 1 << 2,   /* do not read the firmware table */
        CONFIG_NO_DHCP      = 1 << 3,   /* do not read DHCP leases (generator, prepare) */
        CONFIG_BOOT         = 1 << 4,   /* the initrd's view, also in the real root: rd.* keys
                                         * and the iBFT (sd-iscsi handoff) */
};

void config_init(Config *c);
void config_done(Config *c);

/* Appends a copy of the message; bounded. Messages must never contain a secret. */
void config_error(Config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void config_warning(Config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Takes ownership of *s's strings on success (and clears *s). Assigns the id.
 * Identical duplicates are merged. Returns the session's index or negative errno. */
int config_add_session(Config *c, Session *s);

Session *config_find_session(Config *c, const char *id);
void session_done(Session *s);
void chap_done(Chap *chap);
const char *auth_kind_to_string(AuthKind a);
AuthKind session_auth(const Session *s);

/* Parses a kernel command line into the model (cmdline.c). */
int config_parse_cmdline(Config *c, const char *cmdline, unsigned flags);

/* Parses one `iscsi:` spec (spec.c). On -EINVAL, *error says why (never quoting a
 * secret). The spec must start with "iscsi:". */
int spec_parse(const char *spec, Session *ret, bool with_secrets, char **error);
/* The spec's field checks, shared with the rd.iscsi.* keys (spec.c). */
bool spec_name_valid(const char *s, size_t max);
bool spec_chap_valid(const char *s);
const char *spec_portal_invalid(const char *s, bool ipv6);

/* Reads the iBFT below sysfs_root (ibft.c). */
int config_load_ibft(Config *c, const char *sysfs_root, unsigned flags);

/* Adds the session named by the root-path of the first DHCP lease (by ifindex) below
 * leases_dir that has one (dhcp.c). No lease, or none with a root-path: nothing. */
int config_load_dhcp(Config *c, const char *leases_dir, unsigned flags);

/* Whether this is the initrd ($SYSTEMD_IN_INITRD, else /etc/initrd-release), as systemd
 * decides it. */
bool config_in_initrd(void);

/* The front ends' entry (c initialised with config_init()): command line from $SYSTEMD_PROC_CMDLINE or /proc/cmdline,
 * initrd from $SYSTEMD_IN_INITRD or /etc/initrd-release, sysfs from $SD_ISCSI_SYSFS. */
int config_load(Config *c, unsigned flags);
