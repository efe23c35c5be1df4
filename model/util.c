/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <strings.h>
#include <sys/stat.h>

#include "util.h"

void erase_and_free(char *s) {
        if (!s)
                return;
        /* volatile so that the compiler cannot drop the wipe of memory about to be freed */
        for (volatile char *p = s; *p; p++)
                *p = 0;
        free(s);
}

int free_and_strdup(char **dst, const char *src) {
        char *copy = NULL;

        if (src) {
                copy = strdup(src);
                if (!copy)
                        return -ENOMEM;
        }
        free(*dst);
        *dst = copy;
        return 0;
}

int safe_atou64(const char *s, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;

        if (isempty(s))
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                if (v > (UINT64_MAX - (uint64_t) (*s - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t) (*s - '0');
        }
        if (v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_timespan(const char *s, uint64_t *ret_usec) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "",    1000000ULL },
                { "s",   1000000ULL },
                { "sec", 1000000ULL },
                { "ms",  1000ULL },
                { "m",   60000000ULL },
                { "min", 60000000ULL },
                { "h",   3600000000ULL },
        };
        char digits[21];
        size_t n = strspn(s, "0123456789");
        uint64_t v;
        int r;

        if (n == 0 || n >= sizeof digits)
                return -EINVAL;
        memcpy(digits, s, n);
        digits[n] = 0;
        r = safe_atou64(digits, UINT64_MAX, &v);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (strcmp(s + n, units[i].suffix) == 0) {
                        if (v > UINT64_MAX / units[i].usec)
                                return -ERANGE;
                        *ret_usec = v * units[i].usec;
                        return 0;
                }
        return -EINVAL;
}

int parse_boolean(const char *s) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

int unit_name_from_path(const char *path, const char *suffix, char **ret) {
        size_t len = strlen(path), slen = strlen(suffix);
        char *buf, *o;
        const char *p = path, *end = path + len;

        /* Collapse leading, trailing and doubled slashes as path_simplify() would. */
        while (p < end && *p == '/')
                p++;
        while (end > p && end[-1] == '/')
                end--;
        if (p == end) {
                buf = malloc(1 + slen + 1);
                if (!buf)
                        return -ENOMEM;
                buf[0] = '-';
                memcpy(buf + 1, suffix, slen + 1);
                *ret = buf;
                return 0;
        }

        buf = malloc((size_t) (end - p) * 4 + slen + 1);
        if (!buf)
                return -ENOMEM;
        o = buf;
        for (const char *c = p; c < end; c++) {
                if (*c == '/') {
                        if (c[-1] == '/')
                                continue;
                        *o++ = '-';
                } else if ((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
                           (*c >= 'A' && *c <= 'Z') || *c == ':' || *c == '_' ||
                           (*c == '.' && c != p))
                        *o++ = *c;
                else {
                        static const char hex[] = "0123456789abcdef";
                        *o++ = '\\';
                        *o++ = 'x';
                        *o++ = hex[(unsigned char) *c >> 4];
                        *o++ = hex[(unsigned char) *c & 15];
                }
        }
        memcpy(o, suffix, slen + 1);
        *ret = buf;
        return 0;
}

int read_full_file(const char *path, char **ret, size_t *ret_size, size_t max) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;

        fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return -errno;

        for (;;) {
                ssize_t n;

                if (alloc - size < 2) {
                        size_t na = alloc ? alloc * 2 : 4096;
                        char *nb;

                        if (alloc >= max + 1)
                                return -EFBIG;
                        if (na > max + 1)
                                na = max + 1;
                        nb = realloc(buf, na + 1);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        alloc = na;
                }
                n = read(fd, buf + size, alloc - size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size > max)
                        return -EFBIG;
        }
        if (!buf) {
                buf = strdup("");
                if (!buf)
                        return -ENOMEM;
        }
        buf[size] = 0;
        if (ret_size)
                *ret_size = size;
        *ret = TAKE_PTR(buf);
        return 0;
}

int read_one_line_file(const char *path, char **ret) {
        char *s;
        size_t n;
        int r;

        r = read_full_file(path, &s, &n, 64 * 1024);
        if (r < 0)
                return r;
        if (n > 0 && s[n - 1] == '\n')
                s[n - 1] = 0;
        *ret = s;
        return 0;
}

int mkdir_parents(const char *path, mode_t mode) {
        char buf[PATH_MAX];
        size_t n = strlen(path);

        if (n >= sizeof buf)
                return -ENAMETOOLONG;
        memcpy(buf, path, n + 1);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = 0;
                if (mkdir(buf, mode) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        return 0;
}

int write_file_atomic(const char *path, const char *text, size_t len, mode_t mode) {
        char tmp[PATH_MAX];
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = mkdir_parents(path, 0700);
        if (r < 0)
                return r;
        if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp)
                return -ENAMETOOLONG;
        fd = open(tmp, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC|O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        if (fchmod(fd, mode) < 0)
                return -errno;
        while (len > 0) {
                ssize_t k = write(fd, text, len);
                if (k < 0) {
                        r = -errno;
                        (void) unlink(tmp);
                        return r;
                }
                text += k;
                len -= (size_t) k;
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

static int join_path(char *buf, size_t size, const char *dir, const char *name) {
        int n = snprintf(buf, size, "%s/%s", dir, name);
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
}

int ini_foreach(const char *text, const char *section, ini_fn fn, void *userdata) {
        size_t section_len = strlen(section);
        bool in_section = false;

        for (const char *p = text; p && *p;) {
                const char *end = strchrnul(p, '\n'), *eq, *ke, *v, *ve;

                while (p < end && is_blank(*p))
                        p++;
                if (p < end && *p == '[') {
                        /* "[Match]" with nothing but blanks after it. */
                        for (ve = end; ve > p && is_blank(ve[-1]); ve--)
                                ;
                        in_section = (size_t) (ve - p) == section_len + 2 && p[section_len + 1] == ']' &&
                                     strncmp(p + 1, section, section_len) == 0;
                } else if (in_section && p < end && *p != '#' && *p != ';' &&
                           (eq = memchr(p, '=', (size_t) (end - p)))) {
                        for (ke = eq; ke > p && is_blank(ke[-1]); ke--)
                                ;
                        for (v = eq + 1; v < end && is_blank(*v); v++)
                                ;
                        for (ve = end; ve > v && is_blank(ve[-1]); ve--)
                                ;
                        int r = fn(p, (size_t) (ke - p), v, (size_t) (ve - v), userdata);
                        if (r < 0)
                                return r;
                }
                p = *end ? end + 1 : end;
        }
        return 0;
}

/* dir/name into path, and its missing parents below dir. */
static int make_parents(char path[static PATH_MAX], const char *dir, const char *name) {
        int r;

        r = join_path(path, PATH_MAX, dir, name);
        if (r < 0)
                return r;
        return mkdir_parents(path, 0755);
}

int write_file_excl(const char *dir, const char *name, const char *text, size_t len, mode_t mode) {
        char path[PATH_MAX];
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = make_parents(path, dir, name);
        if (r < 0)
                return r;
        fd = open(path, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC|O_NOCTTY, mode);
        if (fd < 0)
                return -errno;
        while (len > 0) {
                ssize_t k = write(fd, text, len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        (void) unlink(path);
                        return r;
                }
                text += k;
                len -= (size_t) k;
        }
        return 0;
}

int symlink_excl(const char *target, const char *dir, const char *name) {
        char path[PATH_MAX];
        int r;

        r = make_parents(path, dir, name);
        if (r < 0)
                return r;
        if (symlink(target, path) < 0)
                return -errno;
        return 0;
}
