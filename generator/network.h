/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"

/* systemd-networkd files for the iBFT NICs, written below dir. */
int network_write_files(const Config *c, const char *dir);
