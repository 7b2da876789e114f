// SPDX-License-Identifier: GPL-2.0
/*
 * hmap in the native arena: kmod/hmap_core.c built through the userspace
 * shim (a separate TU, so every operation is a real call, as for a module
 * calling the exported API) with the kernel's hsiphash as default hash.
 *
 * -DHMAP_HASHFN_MIX passes mixhash.h through hmap_core_params.hashfn (the
 * public way to choose a hash today: an indirect call per hash).
 */
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
#ifndef MIXHASH_NO_TYPEDEFS
#define MIXHASH_NO_TYPEDEFS
#endif
#include "mixhash.h"
static u64 bench_mixhash(const void *key, u32 len, u64 seed)
{
	return mixhash(key, len, seed);
}
#define BENCH_HASHFN bench_mixhash
#else
#define BENCH_HASHFN NULL
#endif

static struct hmap_core H;

static void be_init(void)
{
}

static void be_create(size_t hint)
{
	struct hmap_core_params p = {
		.key_size = sizeof(bkey_t),
		.value_size = sizeof(bval_t),
		.hint = hint,
		.hashfn = BENCH_HASHFN,
	};

	if (hmap_core_init(&H, &p, GFP_KERNEL))
		die("hmap_core_init failed", 0);
}

static void be_destroy(void)
{
	hmap_core_destroy(&H);
}

static void be_insert(const bkey_t *k, const bval_t *v)
{
	if (hmap_core_update(&H, k, v, HMAP_UPDATE_ANY, GFP_KERNEL))
		die("hmap_core_update failed", 0);
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
	return !hmap_core_delete(&H, k, NULL, GFP_KERNEL);
}

static void be_sync(void)
{
}

static uint64_t be_self_bytes(void)
{
	struct hmap_core_stats st;

	hmap_core_stats(&H, &st);
	return st.bytes;
}
