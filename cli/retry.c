/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The login helper's pure parts, shared with the tests and bench/storm: what a failed
 * login means, how long to wait, and when to stop retrying. */
#include "retry.h"
#include "util.h"

LoginLimit login_limit_end(uint64_t budget_end, uint64_t root_seen, uint64_t grace_usec, uint64_t *ret_end) {
        uint64_t grace_end = CONFIG_USEC_INFINITY;

        if (root_seen != CONFIG_USEC_INFINITY && grace_usec != CONFIG_USEC_INFINITY)
                grace_end = grace_usec > CONFIG_USEC_INFINITY - 1 - root_seen ?
                        CONFIG_USEC_INFINITY - 1 : root_seen + grace_usec;
        if (budget_end != 0 && budget_end <= grace_end) {
                *ret_end = budget_end;
                return LOGIN_LIMIT_BUDGET;
        }
        *ret_end = grace_end;
        return grace_end == CONFIG_USEC_INFINITY ? LOGIN_LIMIT_NONE : LOGIN_LIMIT_GRACE;
}

LoginLimit login_give_up(uint64_t next, uint64_t budget_end, uint64_t root_seen, uint64_t grace_usec,
                         unsigned rejections) {
        uint64_t end;
        LoginLimit l = login_limit_end(budget_end, root_seen, grace_usec, &end);

        /* Before the clock: the target's answer is the better reason, and a budget or a
         * grace would only have ended the same login later. */
        if (rejections >= LOGIN_REJECTIONS_MAX)
                return LOGIN_LIMIT_REJECTED;

        return l != LOGIN_LIMIT_NONE && next >= end ? l : LOGIN_LIMIT_NONE;
}

/* iscsiadm exits with the error iscsid reported for the login. iscsid turns the target's
 * login status into it: class 2 detail 01/02 (authentication, authorization) into 24,
 * the rest of class 2 (not found, removed, unsupported version, …) into 19; class 3
 * (target error, service unavailable, out of resources) it counts as a retryable login
 * failure (5), like a connection that broke during the login. Only answers that no wait
 * can change are rejections: an unknown status keeps being retried, as every failure was
 * before. */
static const struct {
        int status;
        LoginVerdict verdict;
        const char *why;
} iscsiadm_statuses[] = {
        { 0,  LOGIN_VERDICT_OK,       NULL },
        { 15, LOGIN_VERDICT_OK,       NULL }, /* the session exists already */
        { 24, LOGIN_VERDICT_REJECTED, "authentication or authorization failed (check the CHAP user name and "
                                      "secret, and the target's access list)" },
        { 19, LOGIN_VERDICT_REJECTED, "non-retryable login failure (no such target, target removed, "
                                      "unsupported version…: iscsid's log has the status)" },
        { 13, LOGIN_VERDICT_REJECTED, "iscsid denied iscsiadm access" },
        { 6,  LOGIN_VERDICT_REJECTED, "iscsiadm could not read the node record" },
        { 7,  LOGIN_VERDICT_REJECTED, "iscsiadm rejected a parameter of the node record" },
        { 21, LOGIN_VERDICT_REJECTED, "iscsiadm found no node record for the session" },
        { 14, LOGIN_VERDICT_REJECTED, "the iSCSI transport cannot do this login" },
        { 27, LOGIN_VERDICT_REJECTED, "the iSCSI transport cannot do this login" },
        { 4,  LOGIN_VERDICT_RETRY,    "connection failure" },
        { 5,  LOGIN_VERDICT_RETRY,    "the login failed (target busy or unavailable, or the connection broke)" },
        { 8,  LOGIN_VERDICT_RETRY,    "connection timed out" },
        { 11, LOGIN_VERDICT_RETRY,    "login timed out" },
        { 12, LOGIN_VERDICT_RETRY,    "iSCSI transport not loaded yet" },
        { 18, LOGIN_VERDICT_RETRY,    "iscsid not answering yet" },
        { 20, LOGIN_VERDICT_RETRY,    "iscsid not running yet" },
        { 33, LOGIN_VERDICT_RETRY,    "iscsid not answering yet" },
        { 28, LOGIN_VERDICT_RETRY,    "busy" },
        { 29, LOGIN_VERDICT_RETRY,    "busy" },
        { 32, LOGIN_VERDICT_RETRY,    "connection lost" },
};

LoginVerdict login_classify(int status, const char **ret_why) {
        for (size_t i = 0; i < ELEMENTSOF(iscsiadm_statuses); i++)
                if (iscsiadm_statuses[i].status == status) {
                        *ret_why = iscsiadm_statuses[i].why;
                        return iscsiadm_statuses[i].verdict;
                }
        *ret_why = NULL;
        return LOGIN_VERDICT_RETRY;
}

bool login_status_unreached(int status) {
        /* ISCSI_ERR_TRANS (iscsid's connect failed: refused, no route) and
         * ISCSI_ERR_TRANS_TIMEOUT (nothing answered within login_timeout). */
        return status == 4 || status == 8;
}

uint64_t login_rejection_backoff(unsigned n) {
        /* Doubling from 2 s: LOGIN_REJECTIONS_MAX attempts span 2 + 4 + 8 = 14 s (±25%),
         * long enough for an account added just after the target, short enough that a
         * mistyped secret reaches the emergency shell in well under half a minute. */
        unsigned shift = n == 0 ? 0 : n - 1;

        return 2000000ULL << (shift > 10 ? 10 : shift);
}

uint64_t login_jitter(uint64_t usec, uint32_t rnd) {
        return usec * 3 / 4 + (uint64_t) rnd % (usec / 2 + 1);
}

uint64_t login_next_wait(uint64_t *backoff, LoginFailure how, unsigned rejections, uint32_t rnd) {
        uint64_t cap = how == LOGIN_FAILED_PORTAL ? LOGIN_PROBE_BACKOFF_MAX_USEC : LOGIN_BACKOFF_MAX_USEC;
        uint64_t wait;

        if (how == LOGIN_FAILED_REJECTED)
                wait = login_jitter(login_rejection_backoff(rejections), rnd);
        else
                wait = login_jitter(*backoff < cap ? *backoff : cap, rnd);
        *backoff = *backoff * 2 > LOGIN_BACKOFF_MAX_USEC ? LOGIN_BACKOFF_MAX_USEC : *backoff * 2;
        return wait;
}

