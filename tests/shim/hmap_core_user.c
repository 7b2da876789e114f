// SPDX-License-Identifier: GPL-2.0
/*
 * The module's core compiled in userspace as one translation unit: the
 * shim's hmap_internal.h first (it shares kmod's include guard), then the
 * core's files themselves.
 */
#include "hmap_internal.h"
#include "../../kmod/hmap_core.c"
#include "../../kmod/hmap_grow.c"
#include "../../kmod/hmap_iter.c"
#include "../../kmod/hmap_validate.c"
