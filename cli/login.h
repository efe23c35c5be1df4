/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the login helper's parts share: login.c (the retry loop, the route wait, the
 * portal probe), iscsiadm.c (one login through iscsiadm) and login-dhcp.c (root=dhcp:
 * waiting for the lease, the root disk's udev rule). */

#include <stdint.h>

#include "config.h"

#define USEC_PER_SEC 1000000ULL
#define USEC_PER_MSEC 1000ULL

typedef struct Attempt {
        unsigned number;
        char error[256];
        unsigned rejections;    /* attempts the target (or iscsid) refused for good, in all */
        const char *rejected;   /* why the last of them was refused (login_classify()) */
} Attempt;

uint64_t now_usec(void);
void fail_attempt(Attempt *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The time left until deadline (0: none), at most cap. */
uint64_t remaining(uint64_t deadline, uint64_t cap);
/* poll() one fd for events; -ETIMEDOUT when usec passed without them. */
int poll_usec(int fd, short events, uint64_t usec);

/* 0: logged in; -EPROTO: failed, worth retrying; -EHOSTDOWN: the same, and iscsid never
 * reached the portal (login_status_unreached()); -EACCES: refused for good (a->rejected
 * says why). */
int run_iscsiadm(const Session *s, Attempt *a);

/* Loads the model until a lease names the DHCP session (-EOPNOTSUPP: the lease's
 * root-path is another boot method's). */
int load_dhcp_session(Config *c, uint64_t deadline, Session **ret);
/* Names the root=dhcp LUN DHCP_ROOT_LINK in a udev rule, before it exists. */
int write_root_rule(const Config *c, const Session *s);
