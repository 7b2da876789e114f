/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the small core-only programs of the native arena (drain.c, flood.c)
 * share: the shim's globals, process CPU time, a key stream, and a qsort()
 * comparison for medians. Include after hmap_internal.h, once per program.
 */
#ifndef _HMAP_BENCH_CORE_PROG_H
#define _HMAP_BENCH_CORE_PROG_H

#include <time.h>

long shim_nr_allocated, shim_fail_nth;
unsigned long shim_alloc_calls;
u64 shim_rng_state = 1;
void *shim_stub_real, *shim_stub_repl;

static inline double cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static inline u64 splitmix(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#endif /* _HMAP_BENCH_CORE_PROG_H */
