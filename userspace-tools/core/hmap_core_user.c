// SPDX-License-Identifier: GPL-2.0
/* The module's core, compiled in userspace: the shim first, then the real file. */
#include "../shim/hmap_internal.h"
#include "../../kmod/hmap_core.c"
