// SPDX-License-Identifier: GPL-2.0
/* The out-of-line candidates' loops, calling the return-thunk copies. */
#define HB_RT 1
#include "rt_names.h"
#include "loops.c"
