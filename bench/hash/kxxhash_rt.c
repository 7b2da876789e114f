// SPDX-License-Identifier: GPL-2.0
/* lib/xxhash.c again, renamed, for -mfunction-return=thunk-extern. */
#include "rt_names.h"
#include "kxxhash.c"
