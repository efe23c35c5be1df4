/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One login through iscsiadm, and what its exit status and output say. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "login.h"
#include "retry.h"
#include "util.h"

extern char **environ;

/* The line of iscsiadm's output that says why: "initiator reported error (24 - …)" if
 * there is one, else the last "iscsiadm:" line, else the last line. (Its stdout is
 * block-buffered into our pipe, so "Logging in to …" tends to come last.) */
static void iscsiadm_reason(const char *out, char *buf, size_t size) {
        const char *best = NULL, *best_end = NULL;
        int rank = 0;

        for (const char *p = out; *p;) {
                const char *e = strchrnul(p, '\n');
                int r = 1;

                if (e - p >= 9 && strncmp(p, "iscsiadm:", 9) == 0)
                        r = memmem(p, (size_t) (e - p), "error (", 7) ? 3 : 2;
                if (e > p && r >= rank) {
                        best = p, best_end = e;
                        rank = r;
                }
                p = *e ? e + 1 : e;
        }
        if (!best)
                buf[0] = 0;
        else
                snprintf(buf, size, "%.*s", (int) (best_end - best), best);
}

/* 0: logged in; -EPROTO: failed, worth retrying; -EHOSTDOWN: the same, and iscsid never
 * reached the portal (login_status_unreached()); -EACCES: refused for good (a->rejected
 * says why). */
int run_iscsiadm(const Session *s, Attempt *a) {
        char portal[320], out[4096];
        const char *argv[16], *why;
        LoginVerdict verdict;
        const char *iscsiadm = getenv("SD_ISCSI_ISCSIADM") ?: ISCSIADM;
        posix_spawn_file_actions_t fa;
        size_t n = 0, used = 0;
        int pipefd[2], status, r;
        pid_t pid;

        snprintf(portal, sizeof portal, "%s%s%s:%u,%u", strchr(s->portal, ':') ? "[" : "", s->portal,
                 strchr(s->portal, ':') ? "]" : "", s->port, s->tpgt);
        argv[n++] = iscsiadm;
        argv[n++] = "-m";
        argv[n++] = "node";
        argv[n++] = "-T";
        argv[n++] = s->target;
        argv[n++] = "-p";
        argv[n++] = portal;
        argv[n++] = "-I";
        argv[n++] = isempty(s->iface) ? "default" : s->iface;
        argv[n++] = "--login";
        argv[n] = NULL;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
        r = posix_spawn(&pid, iscsiadm, &fa, NULL, (char **) argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        if (r != 0) {
                close(pipefd[0]);
                fail_attempt(a, "cannot run %s: %s", iscsiadm, strerror(r));
                return -r;
        }
        for (;;) {
                ssize_t k = read(pipefd[0], out + used, sizeof out - 1 - used);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                used += (size_t) k;
                if (used == sizeof out - 1) {
                        /* Keep reading so iscsiadm never blocks; keep the tail. */
                        memmove(out, out + sizeof out / 2, used - sizeof out / 2);
                        used -= sizeof out / 2;
                }
        }
        out[used] = 0;
        close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;

        if (used > 0)
                fputs(out, stderr);
        verdict = login_classify(WIFEXITED(status) ? WEXITSTATUS(status) : -1, &why);
        if (verdict == LOGIN_VERDICT_OK)
                return 0;
        iscsiadm_reason(out, a->error, sizeof a->error);
        if (a->error[0] == 0)
                fail_attempt(a, "iscsiadm failed with status %d%s%s", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                             why ? ": " : "", strempty(why));
        if (verdict == LOGIN_VERDICT_REJECTED) {
                a->rejections++;
                a->rejected = why;
                return -EACCES;
        }
        return WIFEXITED(status) && login_status_unreached(WEXITSTATUS(status)) ? -EHOSTDOWN : -EPROTO;
}
