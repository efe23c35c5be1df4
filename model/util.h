/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) {
        free(*(void **) p);
}
static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_close_ _cleanup_(closep)

static inline void *steal_ptr(void *pp) {
        void **p = pp, *q = *p;
        *p = NULL;
        return q;
}
#define TAKE_PTR(p) steal_ptr(&(p))

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}
static inline bool isempty(const char *s) {
        return !s || !*s;
}
static inline const char *strempty(const char *s) {
        return s ? s : "";
}
/* Returns the rest of s after prefix, or NULL. */
static inline const char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

/* Overwrites a secret before freeing it. */
void erase_and_free(char *s);
static inline void erase_and_freep(char **p) {
        erase_and_free(*p);
}
#define _cleanup_erase_ _cleanup_(erase_and_freep)

/* Replaces *dst with a copy of src (NULL allowed). */
int free_and_strdup(char **dst, const char *src);

/* Parses a decimal unsigned integer in [0, max]; no sign, no trailing garbage. */
int safe_atou64(const char *s, uint64_t max, uint64_t *ret);
/* "30", "30s", "2min", "500ms", "1h": a time span in microseconds. */
int parse_timespan(const char *s, uint64_t *ret_usec);
/* "1", "yes", "true", "on" / "0", "no", "false", "off". */
int parse_boolean(const char *s);

/* systemd's path → unit name escaping ("/dev/disk/by-label/root" → "dev-disk-by\x2dlabel-root"). */
int unit_name_from_path(const char *path, const char *suffix, char **ret);

/* Reads a whole (small) file; strips one trailing newline. */
int read_one_line_file(const char *path, char **ret);
int read_full_file(const char *path, char **ret, size_t *ret_size, size_t max);

/* Calls fn for each "Key=Value" line of every [section] in a systemd-style text, with
 * blanks around key and value trimmed (neither is NUL-terminated). Comments, other
 * sections and lines without "=" are skipped. A negative return of fn stops the walk
 * and is returned. */
typedef int (*ini_fn)(const char *key, size_t key_len, const char *value, size_t value_len, void *userdata);
int ini_foreach(const char *text, const char *section, ini_fn fn, void *userdata);

/* Creates dir/name (and missing parents below dir) with O_EXCL, writes text. */
int write_file_excl(const char *dir, const char *name, const char *text, size_t len, mode_t mode);
int symlink_excl(const char *target, const char *dir, const char *name);
int mkdir_parents(const char *path, mode_t mode);
/* Replaces path (creating missing parents 0700) through path.tmp and rename(): readers
 * never see half a file, and mode is set before any byte is written. */
int write_file_atomic(const char *path, const char *text, size_t len, mode_t mode);

#include <dirent.h>
static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}
