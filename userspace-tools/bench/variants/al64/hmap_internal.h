/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for the cache-line-aligned bucket variant (bench only): the normal
 * userspace shim, with kvzalloc()/kvfree() returning 64-byte aligned
 * memory so that 64-byte multiples of bucket_size start on cache lines.
 * The block still comes from calloc (fresh mmap'ed pages stay lazily
 * zeroed, as with the default shim); the raw pointer sits just before the
 * aligned one.
 */
#ifndef _BENCH_AL64_HMAP_INTERNAL_H
#define _BENCH_AL64_HMAP_INTERNAL_H

#include "../../../shim/hmap_internal.h"

static inline void *bench_kvzalloc64(size_t size, gfp_t gfp)
{
	void *raw;
	uintptr_t p;

	(void)gfp;
	shim_alloc_calls++;
	if (shim_fail_nth && !--shim_fail_nth)
		return NULL;
	raw = calloc(1, size + 64 + sizeof(void *));
	if (!raw)
		return NULL;
	shim_nr_allocated++;
	p = ((uintptr_t)raw + sizeof(void *) + 63) & ~(uintptr_t)63;
	((void **)p)[-1] = raw;
	return (void *)p;
}

static inline void bench_kvfree64(void *p)
{
	if (!p)
		return;
	shim_nr_allocated--;
	free(((void **)p)[-1]);
}

#define kvzalloc bench_kvzalloc64
#define kvfree bench_kvfree64

#endif
