// SPDX-License-Identifier: GPL-2.0
/* lib/siphash.c again, renamed, for -mfunction-return=thunk-extern. */
#include "rt_names.h"
#include "ksiphash.c"
