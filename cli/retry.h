/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* What a failed login attempt means for the next one. */
typedef enum LoginVerdict {
        LOGIN_VERDICT_OK,       /* logged in (or the session already exists) */
        LOGIN_VERDICT_RETRY,    /* the network, the portal, iscsid or a busy target: try again */
        LOGIN_VERDICT_REJECTED, /* refused for good (authentication, no such target, …) */
} LoginVerdict;

/* iscsiadm's exit status after --login (-1: it did not exit normally), in open-iscsi's
 * numbering (include/iscsi_err.h), and what it tells the user (a static string; for a
 * failure of the retry class, NULL when the status says nothing more than "failed"). */
LoginVerdict login_classify(int status, const char **ret_why);

/* Whether iscsiadm's exit status says iscsid never reached the portal (its connect was
 * refused, found no route or timed out): the next attempt waits for the portal with a TCP
 * probe before it runs iscsiadm again. */
bool login_status_unreached(int status);

/* The wait (before jitter) after the n-th rejection (n >= 1): 2 s, 4 s, 8 s, … */
uint64_t login_rejection_backoff(unsigned n);

/* usec ±25%, from a random number: many initiators booting at once do not retry in
 * lockstep. */
uint64_t login_jitter(uint64_t usec, uint32_t rnd);

/* The retry schedule of the login helper (µs). A failed attempt waits the backoff, which
 * starts at LOGIN_BACKOFF_INITIAL_USEC and doubles up to LOGIN_BACKOFF_MAX_USEC; while the
 * portal does not answer (no route, TCP refused or unanswered, by the probe or iscsid) the
 * wait is capped at LOGIN_PROBE_BACKOFF_MAX_USEC, so that a late target is found within
 * about a second of listening. */
#define LOGIN_BACKOFF_INITIAL_USEC 200000ULL
#define LOGIN_BACKOFF_MAX_USEC 2000000ULL
#define LOGIN_PROBE_BACKOFF_MAX_USEC 1000000ULL

/* How an attempt failed, for the wait that follows it. */
typedef enum LoginFailure {
        LOGIN_FAILED_PORTAL,    /* no route, or the portal refused or did not answer (the probe's or
                                 * iscsiadm's connect): the next attempt probes first */
        LOGIN_FAILED_LOGIN,     /* iscsiadm ran and failed with a status worth retrying */
        LOGIN_FAILED_REJECTED,  /* iscsiadm ran and the target refused for good */
} LoginFailure;

/* The wait after a failed attempt, jittered with rnd (login_jitter()), and *backoff
 * advanced for the next one: the rejections-th rejection's wait
 * (login_rejection_backoff()) after a rejection, else *backoff capped for how. *backoff
 * doubles up to LOGIN_BACKOFF_MAX_USEC after every failure, a rejection included. The
 * login helper sleeps exactly this (bench/storm replays it for thousands of clients). */
uint64_t login_next_wait(uint64_t *backoff, LoginFailure how, unsigned rejections, uint32_t rnd);

/* Why a login retrying after a failed attempt stops. */
typedef enum LoginLimit {
        LOGIN_LIMIT_NONE,       /* retry */
        LOGIN_LIMIT_BUDGET,     /* rd.iscsi.timeout= is used up */
        LOGIN_LIMIT_GRACE,      /* the root device has been there for rd.iscsi.grace= */
        LOGIN_LIMIT_REJECTED,   /* the target rejected LOGIN_REJECTIONS_MAX attempts */
} LoginLimit;

/* When the first limit ends (CONFIG_USEC_INFINITY: never), and which it is. All times
 * are CLOCK_MONOTONIC µs; budget_end 0: no budget; root_seen CONFIG_USEC_INFINITY: the
 * root device is not there (yet), or this login is the root's own; grace_usec
 * CONFIG_USEC_INFINITY: no grace limit. On a tie the budget wins. */
LoginLimit login_limit_end(uint64_t budget_end, uint64_t root_seen, uint64_t grace_usec, uint64_t *ret_end);

/* Whether a login that would retry at next stops instead, and why: after
 * LOGIN_REJECTIONS_MAX rejections at once (whatever the time), else when a retry would
 * start at or after the first limit's end. */
LoginLimit login_give_up(uint64_t next, uint64_t budget_end, uint64_t root_seen, uint64_t grace_usec,
                         unsigned rejections);
