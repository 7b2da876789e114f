// SPDX-License-Identifier: GPL-2.0
/* The kernel's lib/siphash.c, unmodified, from $(KSRC) (see kshim.h). */
#include "kshim.h"
#include <lib/siphash.c>
