/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* systemd-networkd's .network files, read: which files a link may be configured by, and
 * what their [Match] and [Network] sections say. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>

#include "networkd.h"
#include "paths.h"
#include "util.h"

/* One whitespace-separated list of a [Match] key, "!" inverting it. */
typedef struct MatchList {
        bool any_positive, positive_hit, negative_hit;
} MatchList;

typedef struct MatchState {
        const BootLink *link;
        MatchList name, mac, type;
} MatchState;

static bool word_matches(const char *key, const char *word, const BootLink *l) {
        if (strcmp(key, "Name") == 0)
                return fnmatch(word, l->ifname, 0) == 0;
        if (strcmp(key, "Type") == 0)
                /* An unknown link type cannot rule a file out. */
                return isempty(l->type) || fnmatch(word, l->type, 0) == 0;
        /* MACAddress=, PermanentMACAddress=: one address or a range; what cannot be
         * compared here (ranges, another notation) is taken to match. */
        return !l->has_mac || strchr(word, '-') || strlen(word) != 17 || strcasecmp(word, l->mac) == 0;
}

static int match_setting(const char *key, size_t key_len, const char *value, size_t value_len, void *userdata) {
        MatchState *m = userdata;
        char k[32], words[1024], *save = NULL;
        MatchList *list;
        bool invert;

        if (key_len >= sizeof k)
                return 0;
        memcpy(k, key, key_len);
        k[key_len] = '\0';
        if (strcmp(k, "Name") == 0)
                list = &m->name;
        else if (strcmp(k, "Type") == 0)
                list = &m->type;
        else if (strcmp(k, "MACAddress") == 0 || strcmp(k, "PermanentMACAddress") == 0) {
                strcpy(k, "MACAddress");
                list = &m->mac;
        } else
                /* Driver=, Path=, Property=, Kind=, …: not knowable here; they can only
                 * narrow a file down, so ignoring them errs on the side of keeping. */
                return 0;

        if (value_len == 0) {
                /* An empty assignment resets the list. */
                *list = (MatchList) {};
                return 0;
        }
        if (value_len >= sizeof words)
                return 0;
        invert = value[0] == '!';
        memcpy(words, value + invert, value_len - invert);
        words[value_len - invert] = '\0';
        for (char *w = strtok_r(words, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                bool hit = word_matches(k, w, m->link);

                if (invert)
                        list->negative_hit = list->negative_hit || hit;
                else {
                        list->any_positive = true;
                        list->positive_hit = list->positive_hit || hit;
                }
        }
        return 0;
}

static bool list_admits(const MatchList *l) {
        return !l->negative_hit && (!l->any_positive || l->positive_hit);
}

bool handoff_network_matches(const char *text, const BootLink *link) {
        MatchState m = { .link = link };

        (void) ini_foreach(text, "Match", match_setting, &m);
        return list_admits(&m.name) && list_admits(&m.mac) && list_admits(&m.type);
}

static int dhcp_setting(const char *key, size_t key_len, const char *value, size_t value_len, void *userdata) {
        /* "both" is the old spelling of "yes". */
        static const char *const yes[] = { "yes", "true", "on", "1", "ipv4", "both" };
        bool *dhcp4 = userdata;

        if (key_len != 4 || strncmp(key, "DHCP", 4) != 0)
                return 0;
        /* The last assignment wins. */
        *dhcp4 = false;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (value_len == strlen(yes[i]) && strncasecmp(value, yes[i], value_len) == 0)
                        *dhcp4 = true;
        return 0;
}

bool network_text_dhcp4(const char *text) {
        bool dhcp4 = false;

        (void) ini_foreach(text, "Network", dhcp_setting, &dhcp4);
        return dhcp4;
}

#define NETWORK_FILE_MAX (256 * 1024)

static bool seen(char *const *names, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(names[i], name) == 0)
                        return true;
        return false;
}

int network_for_each_file(network_file_fn fn, void *userdata) {
        /* networkd's search path, highest priority first: the first file of a name wins. */
        static const char *const dirs[] = {
                "/etc/systemd/network", "/run/systemd/network",
                "/usr/local/lib/systemd/network", "/usr/lib/systemd/network", "/lib/systemd/network",
        };
        char *names[256];
        size_t n = 0;
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(dirs) && r >= 0; i++) {
                _cleanup_(closedirp) DIR *d = NULL;
                char dir[PATH_MAX];
                struct dirent *de;

                if (runtime_path(dirs[i], dir, sizeof dir) < 0)
                        continue;
                d = opendir(dir);
                if (!d)
                        continue;
                while ((de = readdir(d)) && n < ELEMENTSOF(names)) {
                        _cleanup_free_ char *text = NULL;
                        const char *suffix = strrchr(de->d_name, '.');
                        char path[PATH_MAX];

                        if (de->d_name[0] == '.' || !suffix || strcmp(suffix, ".network") != 0 ||
                            seen(names, n, de->d_name))
                                continue;
                        names[n] = strdup(de->d_name);
                        if (!names[n]) {
                                r = -ENOMEM;
                                break;
                        }
                        n++;
                        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int) sizeof path ||
                            read_full_file(path, &text, NULL, NETWORK_FILE_MAX) < 0)
                                continue;
                        r = fn(de->d_name, text, userdata);
                        if (r < 0)
                                break;
                }
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        return r;
}
