/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * runbench: runs a set of commands ("cases") many times, interleaved round by round, and
 * prints median and spread of the wall time of each, with ratios against baselines that
 * ran in the same rounds. With --callgrind it instead runs each case once under
 * valgrind's callgrind and prints instruction counts with the same ratios.
 *
 * A case file describes the cases, one directive per line:
 *   case NAME          starts a case
 *   env VAR=VALUE      environment (each case starts from an empty environment)
 *   arg WORD           next argv word (the first is the program, an absolute path)
 *   outdirs            appends three fresh, empty output directories (normal early late),
 *                      as systemd passes to a generator; emptied again after every run
 *   files N            after every run the output directories must hold exactly N
 *                      non-directory entries (0: "writes nothing")
 * Blank lines and lines starting with # are ignored. Every run must exit 0, so a case
 * that fails fast can never pass for a fast one.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <glob.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CASES 32
#define MAX_WORDS 64
#define MAX_BASELINES 4

typedef struct Case {
        char *name;
        char *argv[MAX_WORDS + 4];
        char *envp[MAX_WORDS + 1];
        unsigned n_args, n_env;
        bool outdirs;
        long files;             /* -1: not checked */
        char dirs[3][320];
        double *samples;
        unsigned n_samples;
        double median, p25, p75, min;
} Case;

static Case cases[MAX_CASES];
static unsigned n_cases;
static const char *baselines[MAX_BASELINES];
static unsigned n_baselines;
static unsigned arg_rounds = 200, arg_warmup = 10;
static const char *arg_tmp = "/dev/shm";
static bool arg_callgrind;

static void die(const char *fmt, const char *s) {
        fprintf(stderr, "runbench: ");
        fprintf(stderr, fmt, s);
        fputc('\n', stderr);
        exit(2);
}

static char *xstrdup(const char *s) {
        char *p = strdup(s);
        if (!p)
                die("%s", "out of memory");
        return p;
}

static void load(const char *path) {
        char line[4096];
        Case *c = NULL;
        FILE *f = fopen(path, "re");

        if (!f)
                die("cannot open %s", path);
        while (fgets(line, sizeof line, f)) {
                char *v;

                line[strcspn(line, "\n")] = 0;
                if (line[0] == 0 || line[0] == '#')
                        continue;
                v = strchr(line, ' ');
                if (v)
                        *v++ = 0;
                if (strcmp(line, "case") == 0 && v) {
                        if (n_cases == MAX_CASES)
                                die("%s", "too many cases");
                        c = &cases[n_cases++];
                        c->name = xstrdup(v);
                        c->files = -1;
                } else if (!c)
                        die("%s: directive before the first case", path);
                else if (strcmp(line, "env") == 0 && v && c->n_env < MAX_WORDS)
                        c->envp[c->n_env++] = xstrdup(v);
                else if (strcmp(line, "arg") == 0 && v && c->n_args < MAX_WORDS)
                        c->argv[c->n_args++] = xstrdup(v);
                else if (strcmp(line, "outdirs") == 0)
                        c->outdirs = true;
                else if (strcmp(line, "files") == 0 && v)
                        c->files = strtol(v, NULL, 10);
                else
                        die("bad line: %s", line);
        }
        fclose(f);
        if (n_cases == 0)
                die("%s: no cases", path);
        for (unsigned i = 0; i < n_cases; i++)
                if (cases[i].n_args == 0 || cases[i].argv[0][0] != '/')
                        die("case %s: the program must be an absolute path", cases[i].name);
}

static long n_entries;
static int count_entry(const char *p, const struct stat *st, int type, struct FTW *ftw) {
        if (type != FTW_D && type != FTW_DP)
                n_entries++;
        return 0;
}
static int remove_entry(const char *p, const struct stat *st, int type, struct FTW *ftw) {
        if (ftw->level > 0)
                (void) remove(p);
        return 0;
}

static void setup_dirs(Case *c, const char top[static 200]) {
        static const char *const sub[3] = { "normal", "early", "late" };
        char d[300];

        snprintf(d, sizeof d, "%s/%u", top, (unsigned) (c - cases));
        if (mkdir(d, 0755) < 0)
                die("cannot create %s", d);
        for (unsigned i = 0; i < 3; i++) {
                snprintf(c->dirs[i], sizeof c->dirs[i], "%s/%s", d, sub[i]);
                if (mkdir(c->dirs[i], 0755) < 0)
                        die("cannot create %s", c->dirs[i]);
                c->argv[c->n_args + i] = c->dirs[i];
        }
        c->argv[c->n_args + 3] = NULL;
}

/* Counts what the case wrote, checks it, empties the directories for the next run. */
static void reset_dirs(Case *c) {
        if (!c->outdirs)
                return;
        n_entries = 0;
        for (unsigned i = 0; i < 3; i++)
                nftw(c->dirs[i], count_entry, 16, FTW_PHYS);
        if (c->files >= 0 && n_entries != c->files) {
                fprintf(stderr, "runbench: case %s wrote %ld files, expected %ld\n",
                        c->name, n_entries, c->files);
                exit(1);
        }
        for (unsigned i = 0; i < 3; i++)
                nftw(c->dirs[i], remove_entry, 16, FTW_PHYS | FTW_DEPTH);
}

static char top_dir[200];
static pid_t main_pid;

static int remove_any(const char *p, const struct stat *st, int type, struct FTW *ftw) {
        (void) remove(p);
        return 0;
}

/* Also on failure: a failed case must not leave its directories behind. */
static void remove_top(void) {
        if (top_dir[0] && getpid() == main_pid)
                nftw(top_dir, remove_any, 16, FTW_PHYS | FTW_DEPTH);
}

static pid_t spawn(Case *c, char **argv) {
        pid_t pid = fork();

        if (pid < 0)
                die("%s", "fork failed");
        if (pid == 0) {
                int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd >= 0) {
                        dup2(fd, STDIN_FILENO);
                        dup2(fd, STDOUT_FILENO);
                        if (!arg_callgrind)
                                dup2(fd, STDERR_FILENO);
                }
                execve(argv[0], argv, c->envp);
                _exit(127);
        }
        return pid;
}

static void reap(Case *c, pid_t pid) {
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        die("%s", "waitpid failed");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "runbench: case %s failed (status 0x%x)\n", c->name, status);
                exit(1);
        }
}

static double run_once(Case *c) {
        struct timespec a, b;
        pid_t pid;

        clock_gettime(CLOCK_MONOTONIC, &a);
        pid = spawn(c, c->argv);
        reap(c, pid);
        clock_gettime(CLOCK_MONOTONIC, &b);
        reset_dirs(c);
        return (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
}

/* Instructions of the case and of any process it forks (not of programs it execs). */
static double callgrind_once(Case *c, const char top[static 200]) {
        char pattern[400], *argv[MAX_WORDS + 12];
        unsigned n = 0;
        double total = 0;
        glob_t g = {};
        pid_t pid;

        snprintf(pattern, sizeof pattern, "--callgrind-out-file=%s/cg.%%p", top);
        argv[n++] = "/usr/bin/valgrind";
        argv[n++] = "--tool=callgrind";
        argv[n++] = "--quiet";
        argv[n++] = pattern;
        for (unsigned i = 0; c->argv[i]; i++)
                argv[n++] = c->argv[i];
        argv[n] = NULL;

        pid = spawn(c, argv);
        reap(c, pid);
        reset_dirs(c);

        /* Sum the totals of every output file (one per process), then remove them. */
        snprintf(pattern, sizeof pattern, "%s/cg.*", top);
        if (glob(pattern, 0, NULL, &g) == 0)
                for (size_t i = 0; i < g.gl_pathc; i++) {
                        char line[512];
                        FILE *f = fopen(g.gl_pathv[i], "re");

                        while (f && fgets(line, sizeof line, f))
                                if (strncmp(line, "totals: ", 8) == 0)
                                        total += strtod(line + 8, NULL);
                        if (f)
                                fclose(f);
                        unlink(g.gl_pathv[i]);
                }
        globfree(&g);
        if (total <= 0)
                die("case %s: no callgrind totals", c->name);
        return total;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static double quantile(const double *v, unsigned n, double q) {
        double pos = q * (n - 1);
        unsigned i = (unsigned) pos;
        if (i + 1 >= n)
                return v[n - 1];
        return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

static Case *find_case(const char *name) {
        for (unsigned i = 0; i < n_cases; i++)
                if (strcmp(cases[i].name, name) == 0)
                        return &cases[i];
        die("no case named %s", name);
        return NULL;
}

static void help(void) {
        printf("Usage: runbench [OPTIONS] CASEFILE\n"
               "Run the cases of CASEFILE interleaved and print median wall times with ratios.\n\n"
               "  -r, --rounds=N      measured rounds (default 200)\n"
               "  -w, --warmup=N      unmeasured rounds first (default 10)\n"
               "  -b, --baseline=NAME print ratios against this case (repeatable; default: the first)\n"
               "  -t, --tmpdir=DIR    where output directories go (default /dev/shm)\n"
               "  -c, --callgrind     count instructions once per case under callgrind instead\n");
}

int main(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "rounds", required_argument, NULL, 'r' },
                { "warmup", required_argument, NULL, 'w' },
                { "baseline", required_argument, NULL, 'b' },
                { "tmpdir", required_argument, NULL, 't' },
                { "callgrind", no_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int o;

        while ((o = getopt_long(argc, argv, "r:w:b:t:ch", opts, NULL)) >= 0)
                switch (o) {
                case 'r': arg_rounds = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'w': arg_warmup = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'b':
                        if (n_baselines < MAX_BASELINES)
                                baselines[n_baselines++] = optarg;
                        break;
                case 't': arg_tmp = optarg; break;
                case 'c': arg_callgrind = true; break;
                case 'h': help(); return 0;
                default: return 2;
                }
        if (optind + 1 != argc || arg_rounds == 0) {
                help();
                return 2;
        }
        load(argv[optind]);
        if (n_baselines == 0)
                baselines[n_baselines++] = cases[0].name;
        for (unsigned i = 0; i < n_baselines; i++)
                (void) find_case(baselines[i]);

        if (strlen(arg_tmp) > 150)
                die("%s: path too long", arg_tmp);
        snprintf(top_dir, sizeof top_dir, "%s/runbench.XXXXXX", arg_tmp);
        if (!mkdtemp(top_dir))
                die("cannot create a directory in %s", arg_tmp);
        main_pid = getpid();
        atexit(remove_top);
        for (unsigned i = 0; i < n_cases; i++) {
                Case *c = &cases[i];
                if (c->outdirs)
                        setup_dirs(c, top_dir);
                else
                        c->argv[c->n_args] = NULL;
                c->samples = calloc(arg_rounds, sizeof(double));
                if (!c->samples)
                        die("%s", "out of memory");
        }

        if (arg_callgrind) {
                for (unsigned i = 0; i < n_cases; i++) {
                        Case *c = &cases[i];
                        c->median = c->p25 = c->p75 = c->min = callgrind_once(c, top_dir);
                }
        } else {
                /* Round r runs the cases starting at r % n, so no case always runs right
                 * after the same neighbour or first in a round. */
                for (unsigned r = 0; r < arg_warmup + arg_rounds; r++)
                        for (unsigned k = 0; k < n_cases; k++) {
                                Case *c = &cases[(r + k) % n_cases];
                                double t = run_once(c);
                                if (r >= arg_warmup)
                                        c->samples[c->n_samples++] = t;
                        }
                for (unsigned i = 0; i < n_cases; i++) {
                        Case *c = &cases[i];
                        qsort(c->samples, c->n_samples, sizeof(double), cmp_double);
                        c->median = quantile(c->samples, c->n_samples, 0.5);
                        c->p25 = quantile(c->samples, c->n_samples, 0.25);
                        c->p75 = quantile(c->samples, c->n_samples, 0.75);
                        c->min = c->samples[0];
                }
        }

        /* One line per case: name, median, p25, p75, min, then one ratio per baseline. */
        if (arg_callgrind)
                printf("%-22s %14s", "case", "instructions");
        else
                printf("%-22s %9s %9s %9s %9s", "case", "median_us", "p25_us", "p75_us", "min_us");
        for (unsigned b = 0; b < n_baselines; b++)
                printf("  x/%-10s", baselines[b]);
        putchar('\n');
        for (unsigned i = 0; i < n_cases; i++) {
                Case *c = &cases[i];
                if (arg_callgrind)
                        printf("%-22s %14.0f", c->name, c->median);
                else
                        printf("%-22s %9.1f %9.1f %9.1f %9.1f", c->name, c->median, c->p25, c->p75, c->min);
                for (unsigned b = 0; b < n_baselines; b++)
                        printf("  %12.3f", c->median / find_case(baselines[b])->median);
                putchar('\n');
        }
        if (!arg_callgrind)
                printf("(%u interleaved rounds after %u warm-up rounds; spread: p25..p75)\n",
                       arg_rounds, arg_warmup);

        /* remove_top() runs at exit. */
        return 0;
}
