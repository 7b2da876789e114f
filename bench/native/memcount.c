// SPDX-License-Identifier: GPL-2.0
/*
 * Heap accounting for the -m (memory) runs: replaces malloc and friends by
 * ELF symbol interposition (glibc supports replacing malloc this way) and
 * forwards to glibc's own __libc_* entry points, counting live bytes as
 * malloc_usable_size() of every block, so allocator rounding is included
 * and chunk headers are not.  Catches allocations from shared libraries
 * too (libstdc++'s operator new, GLib's g_malloc, liburcu).  Linked only
 * into the *-mem binaries; timed runs use the plain allocator.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

static int64_t live, peak;

static void add(void *p)
{
	int64_t l;

	if (!p)
		return;
	l = __atomic_add_fetch(&live, (int64_t)malloc_usable_size(p),
			       __ATOMIC_RELAXED);
	if (l > __atomic_load_n(&peak, __ATOMIC_RELAXED))
		__atomic_store_n(&peak, l, __ATOMIC_RELAXED);
}

static void sub(void *p)
{
	if (p)
		__atomic_sub_fetch(&live, (int64_t)malloc_usable_size(p),
				   __ATOMIC_RELAXED);
}

void *malloc(size_t n)
{
	void *p = __libc_malloc(n);

	add(p);
	return p;
}

void *calloc(size_t n, size_t m)
{
	void *p = __libc_calloc(n, m);

	add(p);
	return p;
}

void *realloc(void *p, size_t n)
{
	size_t old = p ? malloc_usable_size(p) : 0;
	void *q = __libc_realloc(p, n);

	if (q || (p && !n)) {	/* moved/resized, or freed by realloc(p, 0) */
		__atomic_sub_fetch(&live, (int64_t)old, __ATOMIC_RELAXED);
		add(q);
	}
	return q;
}

void free(void *p)
{
	sub(p);
	__libc_free(p);
}

void *memalign(size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	add(p);
	return p;
}

void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int posix_memalign(void **pp, size_t align, size_t n)
{
	void *p;

	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return EINVAL;
	p = memalign(align, n);
	if (!p)
		return ENOMEM;
	*pp = p;
	return 0;
}

void *valloc(size_t n)
{
	return memalign(4096, n);
}

void *pvalloc(size_t n)
{
	return memalign(4096, (n + 4095) & ~(size_t)4095);
}

uint64_t memcount_live(void)
{
	return (uint64_t)__atomic_load_n(&live, __ATOMIC_RELAXED);
}

uint64_t memcount_peak(void)
{
	return (uint64_t)__atomic_load_n(&peak, __ATOMIC_RELAXED);
}

void memcount_reset_peak(void)
{
	__atomic_store_n(&peak, __atomic_load_n(&live, __ATOMIC_RELAXED),
			 __ATOMIC_RELAXED);
}
