/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for kmod/hmap_internal.h. Same include guard: include
 * this first and kmod/hmap_core.c compiles against it unchanged.
 *
 * Allocation goes through malloc with a leak counter and a fail budget:
 * shim_fail_nth = n makes the n-th allocation from now fail (1 = next).
 */
#ifndef _HMAP_INTERNAL_H
#define _HMAP_INTERNAL_H

#include <assert.h>
#include <errno.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef unsigned int gfp_t;

#define GFP_KERNEL	0x1u
#define GFP_ATOMIC	0x2u
#define GFP_KERNEL_ACCOUNT GFP_KERNEL

#ifndef EUCLEAN
#define EUCLEAN 117
#endif

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the shim assumes a little-endian host"
#endif
#define le64_to_cpu(x)		((u64)(x))
#define __ffs64(x)		((unsigned int)__builtin_ctzll(x))

#define CONFIG_ARCH_SUPPORTS_INT128 1
#define BIT(n)			(1UL << (n))
#define ALIGN(x, a)		(((x) + (a) - 1) & ~((typeof(x))(a) - 1))
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE		4096UL
#define L1_CACHE_BYTES		64
#define prefetch(p)		__builtin_prefetch(p)
#define prefetchw(p)		__builtin_prefetch(p, 1)
#define U16_MAX			((u16)~0U)
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#undef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#define noinline		__attribute__((noinline))
#define __aligned(n)		__attribute__((aligned(n)))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define WARN_ON_ONCE(cond) ({						\
	int __c = !!(cond);						\
	if (__c) {							\
		fprintf(stderr, "WARN_ON_ONCE(%s) at %s:%d\n", #cond,	\
			__FILE__, __LINE__);				\
		abort();						\
	}								\
	__c;								\
})

/* Everything is visible to the tests; nothing is exported. */
#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(sym)
#define EXPORT_SYMBOL_GPL(sym)

/* Static stubs: one active replacement, set by kunit_activate_static_stub(). */
extern void *shim_stub_real, *shim_stub_repl;
#define KUNIT_STATIC_STUB_REDIRECT(real_fn_name, args...) do {		\
	if (shim_stub_repl && shim_stub_real == (void *)(real_fn_name))	\
		return ((typeof(&real_fn_name))shim_stub_repl)(args);	\
} while (0)

extern long shim_nr_allocated;	/* live allocations */
extern long shim_fail_nth;	/* 0: never fail */
extern unsigned long shim_alloc_calls;

static inline void *kvzalloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	shim_alloc_calls++;
	if (shim_fail_nth && !--shim_fail_nth)
		return NULL;
	shim_nr_allocated++;
	return calloc(1, size);
}

static inline void kvfree(void *p)
{
	if (p)
		shim_nr_allocated--;
	free(p);
}

/* <linux/unaligned.h>: through a packed struct, as the kernel does. */
#define get_unaligned(p) ({						\
	const struct { __typeof__(*(p)) x; } __attribute__((packed))	\
		*__pu = (const void *)(p);				\
	__pu->x;							\
})
#define put_unaligned(v, p) do {					\
	struct { __typeof__(*(p)) x; } __attribute__((packed))		\
		*__pu = (void *)(p);					\
	__pu->x = (v);							\
} while (0)

#define READ_ONCE(x)		(*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))
#define smp_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)

/*
 * No concurrent readers in userspace: RCU frees happen at once, unless the
 * host program defines shim_call_rcu_hook (weak) to run them elsewhere, as
 * the native arena's worker thread does (the kernel runs them in softirq,
 * not in the write that queued them).
 */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

extern void (*shim_call_rcu_hook)(struct rcu_head *head) __attribute__((weak));

static inline void call_rcu(struct rcu_head *head,
			    void (*func)(struct rcu_head *head))
{
	head->func = func;
	if (&shim_call_rcu_hook && shim_call_rcu_hook)
		shim_call_rcu_hook(head);
	else
		func(head);
}

#define kvfree_rcu(ptr, field) kvfree(ptr)

/* queue_rcu_work(): the callback after a grace period, here via call_rcu(). */
struct work_struct {
	int unused;
};

struct rcu_work {
	struct rcu_head rcu;
	struct work_struct work;
	void (*fn)(struct work_struct *work);
};

#define to_rcu_work(w)		container_of(w, struct rcu_work, work)
#define INIT_RCU_WORK(rw, f)	((rw)->fn = (f))
#define hmap_free_wq		NULL
#define cond_resched()		do { } while (0)

static inline void shim_rcu_work_fn(struct rcu_head *head)
{
	struct rcu_work *rw = container_of(head, struct rcu_work, rcu);

	rw->fn(&rw->work);
}

static inline bool queue_rcu_work(void *wq, struct rcu_work *rw)
{
	(void)wq;
	call_rcu(&rw->rcu, shim_rcu_work_fn);
	return true;
}

static inline void *memchr_inv(const void *p, int c, size_t n)
{
	const unsigned char *s = p;

	for (; n; n--, s++)
		if (*s != (unsigned char)c)
			return (void *)s;
	return NULL;
}

/* Deterministic randomness so that a failing seed can be replayed. */
extern u64 shim_rng_state;
static inline u64 hmap_random_u64(void)
{
	u64 z = (shim_rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline u32 hmap_random_u32(void)
{
	return (u32)hmap_random_u64();
}

/* The core's tracepoints (kmod/hmap_trace.h) do nothing here. */
static inline void trace_hmap_grow_start(u32 id, u8 old_b, u8 new_b,
					 bool same_size, unsigned long count)
{
}

static inline void trace_hmap_evacuate(u32 id, u8 old_b, u8 new_b,
				       bool same_size, u64 moved,
				       unsigned long unit)
{
}

static inline void trace_hmap_grow_done(u32 id, u8 old_b, u8 new_b,
					bool same_size)
{
}

#endif /* _HMAP_INTERNAL_H */
