// SPDX-License-Identifier: GPL-2.0
/*
 * hmap in the native arena: kmod/hmap_core.c built through the userspace
 * shim (a separate TU, so every operation is a real call, as for a module
 * calling the exported API) with the kernel's hsiphash as default hash.
 *
 * -DHMAP_HASHFN_MIX passes mixhash.h through hmap_core_params.hashfn (the
 * public way to choose a hash today: an indirect call per hash).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "hmap_internal.h"
#include "hmap_core.h"

#ifndef BE_NAME
#define BE_NAME "hmap"
#endif
#define BE_HAS_HINT 1
#define BE_HAS_NOHINT 1
#include "driver.h"

/* Globals the shim expects from its host program. */
long shim_nr_allocated;
long shim_fail_nth;
unsigned long shim_alloc_calls;
u64 shim_rng_state = 0x62656e6368ULL;
void *shim_stub_real, *shim_stub_repl;

#ifdef HMAP_HASHFN_MIX
#include "../../kmod/hmap_mixhash.h"
static u64 bench_mixhash(const void *key, u32 len, u64 seed)
{
	return mixhash(key, len, seed);
}
#define BENCH_HASHFN bench_mixhash
#else
#define BENCH_HASHFN NULL
#endif

static struct hmap_core H;

/*
 * The kernel module's division of labour, in userspace: writes leave bucket
 * arrays above two pages to a worker (defer_arrays), which allocates them,
 * faults their pages in (as vmalloc does in the kernel) and hands them
 * back; the writing thread donates them on its next write and starts the
 * resize (the module's hmap_tidy() donates under the map lock instead).
 * The worker also runs the RCU callbacks that free old arrays, as the
 * kernel runs them outside the write. Process CPU time counts it all.
 */
static pthread_mutex_t w_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t w_cv = PTHREAD_COND_INITIALIZER;
static int w_want = -1;			/* B the map asked for */
static bool w_busy;
static struct rcu_head *w_rcu;		/* callbacks to run */
static struct hmap_gen *_Atomic w_ready;	/* allocated, to donate */
static bool w_asked;

void (*shim_call_rcu_hook)(struct rcu_head *head);

static void w_queue_rcu(struct rcu_head *head)
{
	pthread_mutex_lock(&w_mu);
	head->next = w_rcu;
	w_rcu = head;
	pthread_cond_signal(&w_cv);
	pthread_mutex_unlock(&w_mu);
}

static void *w_main(void *arg)
{
	struct rcu_head *list, *next;
	struct hmap_gen *gen;
	int B;

	(void)arg;
	pthread_mutex_lock(&w_mu);
	for (;;) {
		while (w_want < 0 && !w_rcu)
			pthread_cond_wait(&w_cv, &w_mu);
		B = w_want;
		w_want = -1;
		list = w_rcu;
		w_rcu = NULL;
		w_busy = true;
		pthread_mutex_unlock(&w_mu);
		for (; list; list = next) {
			next = list->next;
			list->func(list);
		}
		if (B >= 0) {
			/* hmap_core_gen_alloc() reads only H's fixed geometry. */
			gen = hmap_core_gen_alloc(&H, B, GFP_KERNEL);
			if (!gen)
				die("worker: out of memory", B);
			for (size_t off = 0; off < sizeof(*gen) +
			     (size_t)gen->nbuckets * H.bucket_size; off += 4096)
				((volatile char *)gen)[off] = 0;
			atomic_store(&w_ready, gen);
		}
		pthread_mutex_lock(&w_mu);
		w_busy = false;
		pthread_cond_broadcast(&w_cv);
	}
	return NULL;
}

/* After a write: hand over a ready array, or ask for the one wanted. */
static void w_after_write(void)
{
	struct hmap_gen *gen;
	int B;

	gen = atomic_exchange(&w_ready, NULL);
	if (gen) {
		hmap_core_donate(&H, gen, NULL, 0);
		if (gen->B == H.B - 1)
			hmap_core_shrink_start(&H, GFP_KERNEL);
		else
			hmap_core_grow_start(&H, GFP_KERNEL);
		w_asked = false;
		return;
	}
	if (w_asked)
		return;
	B = H.flags & HMAP_CORE_F_WANT_ARRAY ? hmap_core_want_B(&H) :
					       hmap_core_next_shrink_B(&H);
	if (B < 0)
		return;
	w_asked = true;
	pthread_mutex_lock(&w_mu);
	w_want = B;
	pthread_cond_signal(&w_cv);
	pthread_mutex_unlock(&w_mu);
}

static void be_init(void)
{
	pthread_t t;

	shim_call_rcu_hook = w_queue_rcu;
	if (pthread_create(&t, NULL, w_main, NULL))
		die("pthread_create failed", 0);
}

static void be_create(size_t hint)
{
	struct hmap_core_params p = {
		.key_size = sizeof(bkey_t),
		.value_size = sizeof(bval_t),
		.hint = hint,
		.hashfn = BENCH_HASHFN,
		.defer_arrays = true,
	};

	if (hmap_core_init(&H, &p, GFP_KERNEL))
		die("hmap_core_init failed", 0);
	/* The hint's array, faulted in as the kernel's kvzalloc() (and Go's make) do. */
	if (H.buckets)
		for (size_t off = 0; off < sizeof(*H.buckets) +
		     (size_t)H.buckets->nbuckets * H.bucket_size; off += 4096)
			((volatile char *)H.buckets)[off] = 0;
}

/* Wait for the worker to be idle; drop an array the map never took. */
static void be_sync(void)
{
	struct hmap_gen *gen;

	pthread_mutex_lock(&w_mu);
	while (w_busy || w_want >= 0 || w_rcu)
		pthread_cond_wait(&w_cv, &w_mu);
	pthread_mutex_unlock(&w_mu);
	gen = atomic_exchange(&w_ready, NULL);
	if (gen)
		kvfree(gen);
	w_asked = false;
}

static void be_destroy(void)
{
	be_sync();
	hmap_core_destroy(&H);
	be_sync();
}

static void be_insert(const bkey_t *k, const bval_t *v)
{
	if (hmap_core_update(&H, k, v, HMAP_UPDATE_ANY, GFP_KERNEL))
		die("hmap_core_update failed", 0);
	if (unlikely(H.flags & HMAP_CORE_F_WANT_ARRAY) ||
	    unlikely(atomic_load_explicit(&w_ready, memory_order_relaxed)))
		w_after_write();
}

static bool be_lookup(const bkey_t *k, uint64_t *v0)
{
	const bval_t *v = hmap_core_lookup(&H, k);

	if (!v)
		return false;
	*v0 = v->w[0];
	return true;
}

static bool be_delete(const bkey_t *k)
{
	bool ok = !hmap_core_delete(&H, k, NULL, GFP_KERNEL);

	/* A shrink the delete left to the worker (checked as the module does). */
	if (unlikely(!H.oldbuckets && hmap_core_next_shrink_B(&H) >= 0) ||
	    unlikely(atomic_load_explicit(&w_ready, memory_order_relaxed)))
		w_after_write();
	return ok;
}

static uint64_t be_self_bytes(void)
{
	struct hmap_core_stats st;

	hmap_core_stats(&H, &st);
	return st.bytes;
}

/*
 * Batches (-b), as hmap_lookup_batch() and friends run them in the module:
 * per chunk of 16 keys, hash every key and prefetch its bucket, then probe
 * (and, for lookups, prefetch each value found before copying it).
 */
#define BE_HAS_BATCH 1
#define BE_CHUNK 16

static void be_insert_batch(const bkey_t *k, const bval_t *v, size_t n)
{
	u64 hash[BE_CHUNK];
	size_t i, c;

	for (; n; n -= c, k += c, v += c) {
		c = n < BE_CHUNK ? n : BE_CHUNK;
		for (i = 0; i < c; i++) {
			hash[i] = hmap_core_hash(&H, &k[i]);
			hmap_core_prefetch(&H, hash[i]);
		}
		for (i = 0; i < c; i++)
			if (hmap_core_update_hashed(&H, &k[i], hash[i], &v[i],
						    HMAP_UPDATE_ANY, GFP_KERNEL))
				die("hmap_core_update_hashed failed", i);
	}
}

/* Returns how many were found; v0s[i] = word 0 of each value. */
static size_t be_lookup_batch(const bkey_t *k, size_t n, uint64_t *v0s)
{
	const bval_t *p[BE_CHUNK];
	u64 hash[BE_CHUNK];
	size_t i, c, found = 0;

	for (; n; n -= c, k += c, v0s += c) {
		c = n < BE_CHUNK ? n : BE_CHUNK;
		for (i = 0; i < c; i++) {
			hash[i] = hmap_core_hash(&H, &k[i]);
			hmap_core_prefetch(&H, hash[i]);
		}
		for (i = 0; i < c; i++) {
			p[i] = hmap_core_lookup_hashed(&H, &k[i], hash[i]);
			if (p[i])
				__builtin_prefetch(p[i]);
		}
		for (i = 0; i < c; i++)
			if (p[i]) {
				v0s[i] = p[i]->w[0];
				found++;
			}
	}
	return found;
}

static size_t be_delete_batch(const bkey_t *k, size_t n)
{
	u64 hash[BE_CHUNK];
	size_t i, c, done = 0;

	for (; n; n -= c, k += c) {
		c = n < BE_CHUNK ? n : BE_CHUNK;
		for (i = 0; i < c; i++) {
			hash[i] = hmap_core_hash(&H, &k[i]);
			hmap_core_prefetch(&H, hash[i]);
		}
		for (i = 0; i < c; i++)
			done += !hmap_core_delete_hashed(&H, &k[i], hash[i],
							 NULL, GFP_KERNEL);
	}
	return done;
}

#include "driver_batch.h"
