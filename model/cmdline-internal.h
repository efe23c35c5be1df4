/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the command line parser's two parts share: cmdline.c splits the words, finds
 * each key and resolves what needs the whole line; cmdline-keys.c has the keys and
 * parses their values. Not for use outside them. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define VALUE_MAX 4096
#define PARAM_NAME_MAX 128
#define PARAM_VALUE_MAX 256
#define LOGIN_RETRY_MAX 10000   /* dracut's bound */
#define WHITESPACE " \t\n\r"

typedef struct State {
        unsigned flags;
        size_t first;           /* the first session this command line added */
        bool own_auth[CONFIG_MAX_SESSIONS];     /* by session index: the spec had authinfo */
        char *root;             /* the last root=; may hold a secret */
        char *iscsiroot;        /* the last iscsiroot=; may hold a secret */
        int firmware;           /* rd.iscsi.firmware= and aliases; -1: not given */
        bool firmware_implied;  /* ip=ibft, bare netroot=iscsi */
        bool netroot_bare;
        bool target_group_set;
        bool sessions_full, params_full;        /* reported once */
        char ip_netdev[16];     /* the one interface ip= configures, if only one */
        bool ip_netdev_many;
        uint64_t warned;        /* deprecated keys already warned about, by index */
} State;

typedef struct Key Key;
struct Key {
        const char *name;
        int (*parse)(Config *c, State *st, const Key *k, const char *value);
        size_t offset;          /* the Config field a generic parser sets */
        size_t flag_offset;     /* has_password flag, for the password keys */
        const char *replacement;        /* for deprecated aliases: the key to use instead */
};

/* A value as a message may quote it (never a secret's): one printable line, capped. */
#define SHOWN_MAX 64
#define SHOWN(s) cmdline_shown((s), (char[SHOWN_MAX + 4]) {})
const char *cmdline_shown(const char *s, char *buf);

/* A session into the model, remembering whether it brought its own CHAP settings. */
int cmdline_add_session(Config *c, State *st, Session *s);
/* An iscsi: spec (of key) → a session; a malformed one is reported and skipped. */
int cmdline_add_spec(Config *c, State *st, const char *key, const char *spec, bool root);

/* Every key the command line may hold, and how its value is parsed. */
extern const Key cmdline_keys[];
extern const size_t cmdline_n_keys;
