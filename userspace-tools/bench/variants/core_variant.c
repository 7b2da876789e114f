// SPDX-License-Identifier: GPL-2.0
/*
 * A bench-only variant of the core: the shim found first on the include
 * path (variants/al64/ for the aligned layout, else userspace-tools/shim),
 * then the patched copy of hmap_core.c under build/<variant>/.
 */
#include "hmap_internal.h"
#include "hmap_core.c"
