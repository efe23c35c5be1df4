/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading iscsi_ibft, which creates <sysfs>/firmware/ibft/ when the table has no ACPI
 * copy. */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "config.h"
#include "ibft-internal.h"

/*
 * libkmod is opened with dlopen() on this path only: every boot runs the generator,
 * few boots need the module, and the generator stays libc-only. Forking modprobe would
 * work too but costs a process and depends on a binary in the initrd; libkmod.so.2 is
 * there whenever kmod is (dracut and mkinitcpio always include it). Declared here
 * rather than from <libkmod.h> so that building needs no libkmod headers.
 */
struct kmod_ctx;
struct kmod_module;
#define KMOD_PROBE_APPLY_BLACKLIST 0x20000

int ibft_load_module(Config *c) {
        struct kmod_ctx *(*kmod_new)(const char *, const char *const *);
        struct kmod_ctx *(*kmod_unref)(struct kmod_ctx *);
        int (*new_from_name)(struct kmod_ctx *, const char *, struct kmod_module **);
        struct kmod_module *(*module_unref)(struct kmod_module *);
        int (*probe)(struct kmod_module *, unsigned, const char *, void *, const void *, void *);
        struct kmod_ctx *ctx;
        struct kmod_module *mod = NULL;
        void *dl;
        int r;

        dl = dlopen("libkmod.so.2", RTLD_NOW|RTLD_LOCAL);
        if (!dl) {
                config_warning(c, "iBFT: cannot load module iscsi_ibft, libkmod.so.2 is not available.");
                return -EOPNOTSUPP;
        }
        *(void **) &kmod_new = dlsym(dl, "kmod_new");
        *(void **) &kmod_unref = dlsym(dl, "kmod_unref");
        *(void **) &new_from_name = dlsym(dl, "kmod_module_new_from_name");
        *(void **) &module_unref = dlsym(dl, "kmod_module_unref");
        *(void **) &probe = dlsym(dl, "kmod_module_probe_insert_module");
        if (!kmod_new || !kmod_unref || !new_from_name || !module_unref || !probe) {
                dlclose(dl);
                config_warning(c, "iBFT: libkmod.so.2 lacks a needed symbol, cannot load iscsi_ibft.");
                return -EOPNOTSUPP;
        }

        ctx = kmod_new(NULL, NULL);
        if (!ctx) {
                dlclose(dl);
                return -ENOMEM;
        }
        r = new_from_name(ctx, "iscsi_ibft", &mod);
        if (r >= 0)
                /* Resolves iscsi_boot_sysfs; built in or already loaded is success. */
                r = probe(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL, NULL, NULL);
        if (mod)
                module_unref(mod);
        kmod_unref(ctx);
        dlclose(dl);
        if (r > 0) {
                config_warning(c, "iBFT: module iscsi_ibft is blacklisted, not loading it.");
                return -EPERM;
        }
        if (r < 0)
                config_warning(c, "iBFT: failed to load module iscsi_ibft: %s", strerror(-r));
        return r;
}
