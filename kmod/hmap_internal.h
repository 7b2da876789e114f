/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only source of kernel headers for the pure core (kmod/hmap_core.c,
 * hmap_grow.c, hmap_iter.c, hmap_validate.c), its tracepoints included.
 *
 * tests/shim/hmap_internal.h uses the same include guard, so a
 * userspace build that includes the shim first compiles the very same core
 * file against malloc, a fail budget and a leak counter instead.
 */
#ifndef _HMAP_INTERNAL_H
#define _HMAP_INTERNAL_H

#include <asm/byteorder.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/prefetch.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
/* <linux/unaligned.h> since 6.12 (Kbuild detects it); <asm/unaligned.h> before. */
#ifdef HMAP_HAVE_LINUX_UNALIGNED
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include <linux/workqueue.h>
#include <kunit/visibility.h>

/* Static stubs appeared in 6.3 (Kbuild detects them); older kernels get a no-op. */
#ifdef HMAP_HAVE_STATIC_STUB
#include <kunit/static_stub.h>
#else
#define KUNIT_STATIC_STUB_REDIRECT(real_fn_name, args...) ((void)(real_fn_name))
#endif

static inline u32 hmap_random_u32(void)
{
	return get_random_u32();
}

static inline u64 hmap_random_u64(void)
{
	return get_random_u64();
}

/* Frees bucket arrays in process context (hmap_api.c creates it). */
extern struct workqueue_struct *hmap_free_wq;

#include "hmap_trace.h"

#endif /* _HMAP_INTERNAL_H */
