// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_api: the exported in-kernel API, used as a consumer module would
 * (through the HMAP symbol namespace): the contract of every function and
 * the errno of every misuse, for unsharded and sharded maps.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/hmap.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "hmap_api.h"
#include "hmap_core.h"
#include "hmap_test_util.h"

static const bool sharded_cases[] = { false, true };

static void sharded_desc(const bool *sharded, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", *sharded ? "sharded" : "single");
}

KUNIT_ARRAY_PARAM(sharded, sharded_cases, sharded_desc);

KUNIT_DEFINE_ACTION_WRAPPER(destroy_action, hmap_destroy, struct hmap *);

static struct hmap *make_map_params(struct kunit *test, struct hmap_params p)
{
	const bool *sharded = test->param_value;
	struct hmap *m;

	if (sharded && *sharded) {
		p.flags = HMAP_F_SHARDED;
		p.shard_bits = 2;
	}
	m = hmap_create(&p, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_action, m), 0);
	return m;
}

static struct hmap *make_map(struct kunit *test, u32 ksize, u32 vsize,
			     u64 max_entries)
{
	struct hmap_params p = {
		.key_size = ksize,
		.value_size = vsize,
		.max_entries = max_entries,
	};

	return make_map_params(test, p);
}

static int put(struct hmap *m, u64 k, u64 v, u64 flags)
{
	return hmap_update(m, &k, &v, flags, GFP_KERNEL);
}

static int put_buf(struct hmap *m, u64 k, const void *value)
{
	return hmap_update(m, &k, value, HMAP_UPDATE_ANY, GFP_KERNEL);
}

static int put_atomic(struct hmap *m, u64 k, u64 v)
{
	return hmap_update(m, &k, &v, HMAP_UPDATE_ANY, GFP_ATOMIC);
}

/*
 * Writes leave large bucket arrays to the map's work item and go on above
 * the load meanwhile: sleep until it has grown the map back under its
 * load (5 s at most, for an emulated machine), as a caller that needs
 * the final shape would.
 */
static void wait_settled(struct kunit *test, struct hmap *m)
{
	unsigned int waited;
	struct hmap_stats st;

	for (waited = 0; waited < 5000; waited++) {
		hmap_get_stats(m, &st);
		if (st.count * HMAP_LOAD_DEN <= st.buckets * HMAP_LOAD_NUM)
			return;
		usleep_range(1000, 2000);
	}
	KUNIT_FAIL(test, "map still above its load after 5 s");
}

struct bad_params {
	const char *what;
	struct hmap_params p;
};

static const struct bad_params bad_params[] = {
	{ "key size 0", { .key_size = 0, .value_size = 8 } },
	{ "key size over max", { .key_size = HMAP_KEY_SIZE_MAX + 1, .value_size = 8 } },
	{ "value size over max", { .key_size = 8, .value_size = HMAP_VALUE_SIZE_MAX + 1 } },
	{ "unknown flag", { .key_size = 8, .value_size = 8, .flags = BIT(31) } },
	{ "sharded, 0 bits", { .key_size = 8, .value_size = 8, .flags = HMAP_F_SHARDED } },
	{ "sharded, 9 bits", { .key_size = 8, .value_size = 8, .flags = HMAP_F_SHARDED,
			       .shard_bits = HMAP_SHARD_BITS_MAX + 1 } },
	{ "bits without sharding", { .key_size = 8, .value_size = 8, .shard_bits = 2 } },
};

static void bad_desc(const struct bad_params *b, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", b->what);
}

KUNIT_ARRAY_PARAM(bad, bad_params, bad_desc);

static void hmap_create_rejects_bad_params(struct kunit *test)
{
	const struct bad_params *b = test->param_value;

	KUNIT_EXPECT_PTR_EQ(test, hmap_create(&b->p, GFP_KERNEL), ERR_PTR(-EINVAL));
}

static void hmap_destroy_accepts_null_and_errors(struct kunit *test)
{
	/* Like kfree(): safe on what hmap_create() may have returned. */
	hmap_destroy(NULL);
	hmap_destroy(ERR_PTR(-ENOMEM));
}

static void hmap_lookup_copies_value(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u64 k = 7, v = 0;

	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &k, &v), -ENOENT);
	KUNIT_ASSERT_EQ(test, put(m, 7, 70, HMAP_UPDATE_ANY), 0);
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &k, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 70);
	/* A NULL value buffer tests presence only. */
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &k, NULL), 0);
}

static void hmap_update_flags_errno(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);

	KUNIT_EXPECT_EQ(test, put(m, 1, 1, HMAP_UPDATE_EXIST), -ENOENT);
	KUNIT_EXPECT_EQ(test, put(m, 1, 1, HMAP_UPDATE_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, put(m, 1, 2, HMAP_UPDATE_NOEXIST), -EEXIST);
	KUNIT_EXPECT_EQ(test, put(m, 1, 3, HMAP_UPDATE_EXIST), 0);
	KUNIT_EXPECT_EQ(test, put(m, 1, 4, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 1);
}

static void hmap_update_full_map_e2big(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 16);
	u64 k, v;

	/* The limit holds for the whole map, sharded or not. */
	for (k = 0; k < 16; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, k, HMAP_UPDATE_ANY), 0);
	KUNIT_EXPECT_EQ(test, put(m, 16, 16, HMAP_UPDATE_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, put(m, 17, 17, HMAP_UPDATE_NOEXIST), -E2BIG);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 16);
	/* A full map still updates the keys it has. */
	KUNIT_EXPECT_EQ(test, put(m, 0, 99, HMAP_UPDATE_ANY), 0);
	k = 0;
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &k, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 99);
	/* A delete makes room for one new key, no more. */
	KUNIT_EXPECT_EQ(test, hmap_delete(m, &k), 0);
	KUNIT_EXPECT_EQ(test, put(m, 20, 20, HMAP_UPDATE_ANY), 0);
	KUNIT_EXPECT_EQ(test, put(m, 21, 21, HMAP_UPDATE_ANY), -E2BIG);
}

static void hmap_update_max_entries_exact_over_many_shards(struct kunit *test)
{
	struct hmap_params p = { .key_size = 8, .value_size = 8,
				 .max_entries = 1, .flags = HMAP_F_SHARDED,
				 .shard_bits = HMAP_SHARD_BITS_MAX };
	struct hmap *m = make_map_params(test, p);
	unsigned int refused = 0;
	u64 k;

	for (k = 0; k < 100; k++)
		refused += put(m, k, k, HMAP_UPDATE_ANY) == -E2BIG;
	KUNIT_EXPECT_EQ(test, refused, 99);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 1);
	hmap_clear(m, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, put(m, 500, 500, HMAP_UPDATE_ANY), 0);
	KUNIT_EXPECT_EQ(test, put(m, 501, 501, HMAP_UPDATE_ANY), -E2BIG);
}

static void hmap_delete_errno(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u64 k = 5;

	KUNIT_EXPECT_EQ(test, hmap_delete(m, &k), -ENOENT);
	KUNIT_ASSERT_EQ(test, put(m, 5, 50, HMAP_UPDATE_ANY), 0);
	KUNIT_EXPECT_EQ(test, hmap_delete(m, &k), 0);
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &k, NULL), -ENOENT);
}

static void hmap_lookup_and_delete_returns_value(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u64 k = 5, v = 0;

	KUNIT_ASSERT_EQ(test, put(m, 5, 50, HMAP_UPDATE_ANY), 0);
	KUNIT_EXPECT_EQ(test, hmap_lookup_and_delete(m, &k, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 50);
	KUNIT_EXPECT_EQ(test, hmap_lookup_and_delete(m, &k, &v), -ENOENT);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 0);
}

static void hmap_clear_empties(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u64 k;

	for (k = 0; k < 1000; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, k, HMAP_UPDATE_ANY), 0);
	hmap_clear(m, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 0);
	k = 10;
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &k, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, put(m, 10, 1, HMAP_UPDATE_NOEXIST), 0);
}

static struct hmap *make_hinted_map(struct kunit *test, u64 hint)
{
	struct hmap_params p = { .key_size = 8, .value_size = 8, .size_hint = hint };

	return make_map_params(test, p);
}

/* A sleeping caller's clear gets the hint's array (vmalloc-sized here). */
static void hmap_clear_returns_to_hint_memory(struct kunit *test)
{
	struct hmap *m = make_hinted_map(test, 100000);
	struct hmap *fresh = make_hinted_map(test, 100000);
	struct hmap_stats st, want;
	u64 k;

	for (k = 0; k < 150000; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, k, HMAP_UPDATE_ANY), 0);
	hmap_get_stats(m, &st);
	hmap_get_stats(fresh, &want);
	KUNIT_ASSERT_GT(test, st.bytes, want.bytes);
	hmap_clear(m, GFP_KERNEL);
	hmap_get_stats(m, &st);
	KUNIT_EXPECT_EQ(test, st.count, 0);
	KUNIT_EXPECT_EQ(test, st.B, want.B);
	KUNIT_EXPECT_EQ(test, st.bytes, want.bytes);
	KUNIT_EXPECT_EQ(test, put(m, 7, 7, HMAP_UPDATE_NOEXIST), 0);
}

static void hmap_get_stats_reports_shape(struct kunit *test)
{
	const bool *sharded = test->param_value;
	struct hmap *m = make_map(test, 8, 8, 0);
	struct hmap_stats st;
	u64 k, hist = 0;
	int i;

	for (k = 0; k < 5000; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, k, HMAP_UPDATE_ANY), 0);
	wait_settled(test, m);
	hmap_get_stats(m, &st);
	KUNIT_EXPECT_EQ(test, st.count, 5000);
	KUNIT_EXPECT_EQ(test, st.shards, *sharded ? 4 : 1);
	KUNIT_EXPECT_GE(test, st.growths, 1);
	KUNIT_EXPECT_GE(test, st.buckets * 13 / 2, 5000 / st.shards);
	/* Every current bucket heads exactly one chain. */
	for (i = 0; i < 8; i++)
		hist += st.chain_hist[i];
	KUNIT_EXPECT_EQ(test, hist, st.buckets);
	/* At least 16 bytes per u64 -> u64 entry, at most 100. */
	KUNIT_EXPECT_GE(test, st.bytes, 5000 * 16);
	KUNIT_EXPECT_LE(test, st.bytes, 5000 * 100);
}

static void hmap_iter_returns_each_key_once(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u8 *seen = kunit_kzalloc(test, 3000, GFP_KERNEL);
	struct hmap_iter it;
	u64 k, v, bad = 0;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (k = 0; k < 3000; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, k * 3, HMAP_UPDATE_ANY), 0);
	hmap_iter_start(m, &it);
	while (hmap_iter_next(&it, &k, &v)) {
		/* Keys added during the walk may or may not show up. */
		if (k >= 100000)
			continue;
		KUNIT_EXPECT_LT(test, k, 3000);
		KUNIT_EXPECT_EQ(test, v, k * 3);
		if (k < 3000)
			seen[k]++;
		/* Writes between steps: grow the map under the iterator. */
		put(m, 100000 + k, 0, HMAP_UPDATE_ANY);
	}
	hmap_iter_end(&it);
	for (k = 0; k < 3000; k++)
		bad += seen[k] != 1;
	KUNIT_EXPECT_EQ(test, bad, 0);
}

static void hmap_iter_sparse_map_returns_all(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	struct hmap_iter it;
	u64 k, v, seen = 0, sum = 0;

	/* 2^14 buckets holding 10 keys: steps pause between bucket runs. */
	for (k = 0; k < 100000; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, k, HMAP_UPDATE_ANY), 0);
	for (k = 10; k < 100000; k++)
		KUNIT_ASSERT_EQ(test, hmap_delete(m, &k), 0);
	hmap_iter_start(m, &it);
	while (hmap_iter_next(&it, &k, &v)) {
		seen++;
		sum += k;
	}
	hmap_iter_end(&it);
	KUNIT_EXPECT_EQ(test, hmap_iter_error(&it), 0);
	KUNIT_EXPECT_EQ(test, seen, 10);
	KUNIT_EXPECT_EQ(test, sum, 45);
}

static void hmap_iter_end_early_releases(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	struct hmap_iter it;
	u64 k, v;

	for (k = 0; k < 100; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, k, HMAP_UPDATE_ANY), 0);
	hmap_iter_start(m, &it);
	KUNIT_EXPECT_TRUE(test, hmap_iter_next(&it, &k, &v));
	hmap_iter_end(&it);
	hmap_iter_end(&it);
	/* The map is still fully usable, and destroy finds no iterator. */
	KUNIT_EXPECT_EQ(test, put(m, 1000, 1, HMAP_UPDATE_ANY), 0);
}

static void hmap_iter_stale_after_out_of_line_churn(struct kunit *test)
{
	struct hmap *m = make_map(test, 200, 8, 0);
	u8 key[200] = { }, first[200];
	struct hmap_iter it;
	u64 k, v = 0, round;

	for (k = 0; k < 100; k++) {
		memcpy(key, &k, 8);
		KUNIT_ASSERT_EQ(test, hmap_update(m, key, &v, HMAP_UPDATE_ANY, GFP_KERNEL), 0);
	}
	hmap_iter_start(m, &it);
	KUNIT_ASSERT_TRUE(test, hmap_iter_next(&it, first, &v));
	KUNIT_EXPECT_EQ(test, hmap_iter_error(&it), 0);
	/* ~1.3 MiB of deleted 200-byte keys: more than the map holds back. */
	for (round = 0; round < 6000; round++) {
		k = 1000 + round;
		memcpy(key, &k, 8);
		KUNIT_ASSERT_EQ(test, hmap_update(m, key, &v, HMAP_UPDATE_ANY, GFP_KERNEL), 0);
		KUNIT_ASSERT_EQ(test, hmap_delete(m, key), 0);
	}
	KUNIT_EXPECT_FALSE(test, hmap_iter_next(&it, key, &v));
	KUNIT_EXPECT_EQ(test, hmap_iter_error(&it), -ESTALE);
	hmap_iter_end(&it);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 100);
}

static void hmap_lock_tier_in_place(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u64 k = 3, v = 30, *p;

	hmap_lock(m);
	KUNIT_EXPECT_EQ(test, __hmap_update(m, &k, &v, HMAP_UPDATE_ANY, 0), 0);
	p = __hmap_lookup(m, &k);
	KUNIT_EXPECT_NOT_NULL(test, p);
	/* Callers holding the lock may modify the value in place. */
	if (p)
		(*p)++;
	hmap_unlock(m);
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &k, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 31);
	hmap_lock(m);
	KUNIT_EXPECT_EQ(test, __hmap_lookup_and_delete(m, &k, &v), 0);
	KUNIT_EXPECT_NULL(test, __hmap_lookup(m, &k));
	hmap_unlock(m);
}

static void hmap_update_atomic_context(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u64 k, v, ok = 0;

	/* Softirq-like context: nothing may sleep, growth still happens. */
	local_bh_disable();
	for (k = 0; k < 2000; k++)
		ok += !put_atomic(m, k, k) ? 1 : 0;
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, ok, 2000);
	k = 1999;
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &k, &v), 0);
}

static void hmap_update_sleeping_caller_grows_large(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	struct hmap_stats st;
	u64 k;

	/* B = 15 arrays are 4.7 MB: past what GFP_NOWAIT kmalloc gives. */
	for (k = 0; k < 200000; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, k, HMAP_UPDATE_ANY), 0);
	wait_settled(test, m);
	hmap_get_stats(m, &st);
	KUNIT_EXPECT_EQ(test, st.count, 200000);
	KUNIT_EXPECT_GE(test, st.B, 15 - 2 * (st.shards > 1));
}

static void hmap_update_largest_values(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, HMAP_VALUE_SIZE_MAX, 0);
	u8 *val = kunit_kzalloc(test, HMAP_VALUE_SIZE_MAX, GFP_KERNEL);
	u64 k;

	KUNIT_ASSERT_NOT_NULL(test, val);
	/*
	 * 64 KiB out-of-line values: too large for GFP_NOWAIT under the lock
	 * to be reliable; a sleeping caller must still never see -ENOMEM.
	 */
	for (k = 0; k < 64; k++) {
		memset(val, (u8)k, HMAP_VALUE_SIZE_MAX);
		KUNIT_ASSERT_EQ(test, put_buf(m, k, val), 0);
	}
	k = 63;
	memset(val, 0, HMAP_VALUE_SIZE_MAX);
	KUNIT_ASSERT_EQ(test, hmap_lookup(m, &k, val), 0);
	KUNIT_EXPECT_EQ(test, val[HMAP_VALUE_SIZE_MAX - 1], 63);
}

static u64 hash_low_byte(const void *key, u32 len, u64 seed)
{
	return *(const u8 *)key;
}

static void hmap_create_custom_hash(struct kunit *test)
{
	struct hmap_params p = { .key_size = 8, .value_size = 8,
				 .hashfn = hash_low_byte };
	struct hmap *m = hmap_create(&p, GFP_KERNEL);
	u64 k, v;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_action, m), 0);
	/* 256 distinct hashes for 2000 keys: long chains, still correct. */
	for (k = 0; k < 2000; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, ~k, HMAP_UPDATE_ANY), 0);
	for (k = 0; k < 2000; k++) {
		KUNIT_ASSERT_EQ(test, hmap_lookup(m, &k, &v), 0);
		KUNIT_EXPECT_EQ(test, v, ~k);
	}
}

/*
 * The work item starts a growth a map is due for when no write asked for an
 * array (here: overflow past its limit, a same-size growth, which reseeds).
 * Lockless lookups must see that as a write: the sequence count moves.
 */
static void hmap_flush_due_growth_bumps_sequence(struct kunit *test)
{
	struct hmap_params p = { .key_size = 8, .value_size = 8 };
	struct hmap *m = hmap_create(&p, GFP_KERNEL);
	struct hmap_core *c;
	unsigned int seq;
	u64 k;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_action, m), 0);
	c = hmap_shard_core(m, 0);
	/* A small doubling the write starts itself: it queues the work item. */
	for (k = 0; !c->oldbuckets; k++) {
		KUNIT_ASSERT_LT(test, k, 1000);
		KUNIT_ASSERT_EQ(test, put(m, k, ~k, HMAP_UPDATE_ANY), 0);
	}
	hmap_shard_lock(m, 0);
	while (c->oldbuckets &&
	       hmap_core_grow_step(c, 64, GFP_ATOMIC) != -ENOMEM)
		;
	c->noverflow = U16_MAX;
	hmap_shard_unlock(m, 0);
	KUNIT_ASSERT_NULL(test, c->oldbuckets);
	seq = hmap_shard_seq(m, 0);
	hmap_flush(m);
	if (!c->oldbuckets)
		kunit_skip(test, "the work item ran before the map was due");
	KUNIT_EXPECT_NE(test, hmap_shard_seq(m, 0), seq);
	while (k--)
		KUNIT_EXPECT_EQ(test, hmap_lookup(m, &k, NULL), 0);
}

/*
 * A sharded map hashes a key once: its shards start with the map's seed.
 * One that takes a key of its own (a same-size growth) hashes for itself,
 * and every key stays reachable through every call.
 */
static void hmap_lookup_sharded_after_shard_takes_new_key(struct kunit *test)
{
	struct hmap_params p = { .key_size = 8, .value_size = 8,
				 .flags = HMAP_F_SHARDED, .shard_bits = 2 };
	struct hmap *m = hmap_create(&p, GFP_KERNEL);
	enum { N = 4000, MORE = 1000 };
	struct hmap_core *c0, *c1;
	u64 *keys, *vals, k, v;
	u32 count, gen;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_action, m), 0);
	c0 = hmap_shard_core(m, 0);
	c1 = hmap_shard_core(m, 1);
	for (k = 0; k < N; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, ~k, HMAP_UPDATE_ANY), 0);
	hmap_flush(m);
	KUNIT_EXPECT_EQ(test, c0->hkey.key[0], c1->hkey.key[0]);
	/* Shard 0's next insert finds its chains "sparse": a same-size growth. */
	hmap_shard_lock(m, 0);
	gen = c0->seed_gen;
	c0->noverflow = U16_MAX;
	hmap_shard_unlock(m, 0);
	for (k = N; k < N + MORE; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, ~k, HMAP_UPDATE_ANY), 0);
	hmap_flush(m);
	KUNIT_EXPECT_NE(test, c0->seed_gen, gen);
	KUNIT_EXPECT_NE(test, c0->hkey.key[0], c1->hkey.key[0]);
	for (k = 0; k < N + MORE; k++) {
		KUNIT_ASSERT_EQ(test, hmap_lookup(m, &k, &v), 0);
		KUNIT_EXPECT_EQ(test, v, ~k);
	}
	keys = kunit_kmalloc_array(test, N + MORE, sizeof(u64), GFP_KERNEL);
	vals = kunit_kmalloc_array(test, N + MORE, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, keys);
	KUNIT_ASSERT_NOT_NULL(test, vals);
	for (k = 0; k < N + MORE; k++)
		keys[k] = k;
	count = N + MORE;
	KUNIT_EXPECT_EQ(test, hmap_lookup_batch(m, keys, vals, &count), 0);
	KUNIT_EXPECT_EQ(test, count, N + MORE);
	for (k = 0; k < N + MORE; k++)
		KUNIT_ASSERT_EQ(test, hmap_delete(m, &k), 0);
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &keys[0], &v), -ENOENT);
}

/* Stop writing in the middle of a growth: background work finishes it. */
/* hmap_core_stats_head() of shard @i, under its lock. */
static void shard_stats(struct hmap *m, u32 i, struct hmap_core_stats *st)
{
	hmap_shard_lock(m, i);
	hmap_core_stats_head(hmap_shard_core(m, i), st);
	hmap_shard_unlock(m, i);
}

static void hmap_update_growth_finished_after_writes_stop(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	struct hmap_core_stats cs, cs_done;
	struct hmap_stats st, st_done;
	unsigned int waited;
	u64 k, n, v;
	u32 i;

	for (n = 0; n < 100000; n++) {
		KUNIT_ASSERT_EQ(test, put(m, n, ~n, HMAP_UPDATE_ANY), 0);
		if (n < 200)
			continue;
		hmap_get_stats(m, &st);
		if (st.growing)
			break;
	}
	KUNIT_ASSERT_TRUE(test, st.growing);
	n++;
	/*
	 * The shard that grows: in a sharded map the work item may also start
	 * a growth another shard is exactly due for, so the map's bytes as a
	 * whole need not drop.
	 */
	for (i = 0; i < st.shards; i++)
		if (READ_ONCE(hmap_shard_core(m, i)->oldbuckets))
			break;
	KUNIT_ASSERT_LT(test, i, st.shards);
	shard_stats(m, i, &cs);
	/* The idle delay is 100 ms; allow a slow (emulated) machine 5 s. */
	for (waited = 0; waited < 5000; waited += 20) {
		msleep(20);
		hmap_get_stats(m, &st_done);
		if (!st_done.growing)
			break;
	}
	KUNIT_EXPECT_FALSE(test, st_done.growing);
	KUNIT_EXPECT_EQ(test, st_done.old_buckets, 0);
	/* Its old array is no longer part of the map. */
	shard_stats(m, i, &cs_done);
	KUNIT_EXPECT_LT(test, cs_done.bytes, cs.bytes);
	KUNIT_EXPECT_EQ(test, st_done.count, n);
	for (k = 0; k < n; k++) {
		KUNIT_ASSERT_EQ(test, hmap_lookup(m, &k, &v), 0);
		KUNIT_EXPECT_EQ(test, v, ~k);
	}
}

static void hmap_id_unique(struct kunit *test)
{
	struct hmap *a = make_map(test, 8, 8, 0);
	struct hmap *b = make_map(test, 8, 8, 0);

	KUNIT_EXPECT_NE(test, hmap_id(a), hmap_id(b));
}

/* Ids run out after 2^32 maps instead of wrapping to ones in use. */
static void hmap_create_ids_never_repeat(struct kunit *test)
{
	struct hmap_params p = { .key_size = 8, .value_size = 8 };
	s64 saved = atomic64_read(&hmap_next_id);
	struct hmap *last, *next;

	atomic64_set(&hmap_next_id, U32_MAX - 1);
	last = hmap_create(&p, GFP_KERNEL);
	next = hmap_create(&p, GFP_KERNEL);
	/* Back to where the module was: ids above it were never handed out. */
	atomic64_set(&hmap_next_id, saved);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, last);
	KUNIT_EXPECT_EQ(test, hmap_id(last), U32_MAX);
	hmap_destroy(last);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(next), -ENOSPC);
	if (!IS_ERR(next))
		hmap_destroy(next);
}

/*
 * Delete all but 100 of 100000 keys and stop: the map shrinks back, the
 * work item starting and finishing the shrinks the deletes left. It stops
 * at a load of 13/16 of an entry per bucket or more, where a new map
 * holding the same keys has at most 6.5: at most 8 times its buckets (9
 * with the preallocated overflow buckets a new small map does not have).
 */
static void hmap_delete_shrinks_after_writes_stop(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	struct hmap *fresh = make_map(test, 8, 8, 0);
	struct hmap_stats full, st, want;
	const u64 n = 100000, left = 100;
	unsigned int waited;
	u64 k, v;

	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, ~k, HMAP_UPDATE_ANY), 0);
	for (k = 0; k < left; k++)
		KUNIT_ASSERT_EQ(test, put(fresh, k, ~k, HMAP_UPDATE_ANY), 0);
	wait_settled(test, m);
	hmap_get_stats(fresh, &want);
	hmap_get_stats(m, &full);
	for (k = left; k < n; k++)
		KUNIT_ASSERT_EQ(test, hmap_delete(m, &k), 0);
	/* Up to ten halvings, 100 ms of idleness each: allow 20 s under TCG. */
	for (waited = 0; waited < 20000; waited += 50) {
		msleep(50);
		hmap_get_stats(m, &st);
		if (!st.growing && st.bytes <= 9 * want.bytes)
			break;
	}
	KUNIT_EXPECT_FALSE(test, st.growing);
	KUNIT_EXPECT_LE(test, st.bytes, 9 * want.bytes);
	/*
	 * Settled, the full map holds ~28 bytes per key (2.8 MB); the emptied
	 * one at most 300 per key left, its four shards included.
	 */
	KUNIT_EXPECT_LT(test, st.bytes * 50, full.bytes);
	KUNIT_EXPECT_LT(test, st.B, full.B);
	KUNIT_EXPECT_GT(test, st.shrinks, 0);
	KUNIT_EXPECT_EQ(test, st.count, left);
	for (k = 0; k < left; k++) {
		KUNIT_ASSERT_EQ(test, hmap_lookup(m, &k, &v), 0);
		KUNIT_EXPECT_EQ(test, v, ~k);
	}
}

/*
 * Inserts from empty to 13 * 2^10 keys with GFP_ATOMIC while the test's
 * own allocations above HMAP_ARRAY_INLINE_MAX fail: every insert succeeds
 * (no write needed a large array), and the work item grows the map.
 */
static void hmap_update_leaves_large_arrays_to_worker(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	const u64 n = 13 << 10;
	struct hmap_stats st;
	u64 k, v;

	hmap_test_alloc_hook(test);
	hmap_test_fail_above(HMAP_ARRAY_INLINE_MAX);
	for (k = 0; k < n; k++) {
		KUNIT_ASSERT_EQ(test, put_atomic(m, k, ~k), 0);
		/* Let the worker in (the only way on one CPU without preemption). */
		if (!(k % 64))
			wait_settled(test, m);
	}
	wait_settled(test, m);
	hmap_get_stats(m, &st);
	KUNIT_EXPECT_GE(test, st.B, 11 - 2 * (st.shards > 1));
	KUNIT_EXPECT_EQ(test, st.count, n);
	for (k = 0; k < n; k++) {
		KUNIT_ASSERT_EQ(test, hmap_lookup(m, &k, &v), 0);
		KUNIT_EXPECT_EQ(test, v, ~k);
	}
}

/*
 * An 8-byte map at B = 10 (threshold 6656 keys), past 7/8 of it: holding
 * the array of its next doubling, 2^11 buckets of 144 bytes, given ahead.
 * Return: the reserve's bucket bytes, which stats.bytes counts.
 */
static u64 map_with_array_ahead(struct kunit *test, struct hmap *m,
				struct hmap_stats *st)
{
	const u64 n = 6200;
	unsigned int waited;
	u64 k;

	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, ~k, HMAP_UPDATE_ANY), 0);
	/*
	 * On one CPU the work item may not have run yet: let it give the
	 * array for B = 10 and finish the growth, which ends once writes
	 * stop. A map mid-growth asks for nothing ahead.
	 */
	for (waited = 0; waited < 5000; waited += 20) {
		hmap_flush(m);
		hmap_get_stats(m, st);
		if (st->B == 10 && !st->growing)
			break;
		msleep(20);
	}
	KUNIT_ASSERT_EQ(test, st->B, 10);
	KUNIT_ASSERT_FALSE(test, st->growing);
	/* The next write asks; the work item gives. */
	KUNIT_ASSERT_EQ(test, put(m, n, ~n, HMAP_UPDATE_ANY), 0);
	hmap_flush(m);
	hmap_get_stats(m, st);
	KUNIT_EXPECT_EQ(test, st->B, 10);
	KUNIT_EXPECT_FALSE(test, st->growing);
	/* Both arrays are there: 2^10 buckets in use, 2^11 held. */
	KUNIT_EXPECT_GE(test, st->bytes, (1ULL << 10) * (HMAP_SLOTS + 16 * HMAP_SLOTS) +
			(1ULL << 11) * (HMAP_SLOTS + 16 * HMAP_SLOTS));
	return (1ULL << 11) * (HMAP_SLOTS + 16 * HMAP_SLOTS);
}

static void hmap_update_array_ahead_freed_when_idle(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	struct hmap_stats held, st;
	unsigned int waited;
	u64 ahead = map_with_array_ahead(test, m, &held);

	/* Two looks 100 ms apart with the count unchanged, then it goes. */
	for (waited = 0; waited < 3000; waited += 50) {
		msleep(50);
		hmap_get_stats(m, &st);
		if (st.bytes + ahead <= held.bytes)
			break;
	}
	KUNIT_EXPECT_LE(test, st.bytes + ahead, held.bytes);
	KUNIT_EXPECT_EQ(test, st.B, 10);
	KUNIT_EXPECT_EQ(test, st.count, held.count);
}

static void hmap_update_array_ahead_kept_while_writing(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	struct hmap_stats held, st;
	u64 ahead = map_with_array_ahead(test, m, &held), k = held.count;
	unsigned int i;

	/* A key every 20 ms for 400 ms, short of the threshold: kept. */
	for (i = 0; i < 20; i++, k++) {
		msleep(20);
		KUNIT_ASSERT_EQ(test, put(m, k, ~k, HMAP_UPDATE_ANY), 0);
	}
	hmap_get_stats(m, &st);
	KUNIT_EXPECT_GT(test, st.bytes + ahead, held.bytes);
	KUNIT_EXPECT_EQ(test, st.B, 10);
}

/* 100 u64 keys 0..99 mapped to ~k. */
static struct hmap *batch_map(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u64 k;

	for (k = 0; k < 100; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, ~k, HMAP_UPDATE_ANY), 0);
	return m;
}

static void hmap_lookup_batch_copies_values(struct kunit *test)
{
	struct hmap *m = batch_map(test);
	u64 *keys = kunit_kcalloc(test, 100, sizeof(u64), GFP_KERNEL);
	u64 *vals = kunit_kcalloc(test, 100, sizeof(u64), GFP_KERNEL);
	u32 i, count = 100;

	KUNIT_ASSERT_NOT_NULL(test, keys);
	KUNIT_ASSERT_NOT_NULL(test, vals);
	for (i = 0; i < 100; i++)
		keys[i] = 99 - i;
	KUNIT_EXPECT_EQ(test, hmap_lookup_batch(m, keys, vals, &count), 0);
	KUNIT_EXPECT_EQ(test, count, 100);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, vals[i], ~keys[i]);
}

static void hmap_lookup_batch_stops_at_absent(struct kunit *test)
{
	struct hmap *m = batch_map(test);
	u64 keys[40], vals[40];
	u32 i, count = 40;

	for (i = 0; i < 40; i++)
		keys[i] = i;
	keys[37] = 1000;
	memset(vals, 0, sizeof(vals));
	KUNIT_EXPECT_EQ(test, hmap_lookup_batch(m, keys, vals, &count), -ENOENT);
	KUNIT_EXPECT_EQ(test, count, 37);
	for (i = 0; i < 37; i++)
		KUNIT_EXPECT_EQ(test, vals[i], ~keys[i]);
}

static void hmap_lookup_batch_null_values_tests_presence(struct kunit *test)
{
	struct hmap *m = batch_map(test);
	u64 keys[3] = { 5, 6, 500 };
	u32 count = 3;

	KUNIT_EXPECT_EQ(test, hmap_lookup_batch(m, keys, NULL, &count), -ENOENT);
	KUNIT_EXPECT_EQ(test, count, 2);
}

static void hmap_update_batch_stores_in_order(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u64 keys[50], vals[50], k, v;
	u32 count = 50;

	for (k = 0; k < 50; k++) {
		keys[k] = k * 7;
		vals[k] = k;
	}
	/* The same key twice: the later value wins, as with single updates. */
	keys[30] = keys[10];
	KUNIT_EXPECT_EQ(test, hmap_update_batch(m, keys, vals, &count,
						HMAP_UPDATE_ANY, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, count, 50);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 49);
	KUNIT_ASSERT_EQ(test, hmap_lookup(m, &keys[10], &v), 0);
	KUNIT_EXPECT_EQ(test, v, 30);
	for (k = 31; k < 50; k++) {
		KUNIT_ASSERT_EQ(test, hmap_lookup(m, &keys[k], &v), 0);
		KUNIT_EXPECT_EQ(test, v, k);
	}
}

static void hmap_update_batch_stops_at_failure(struct kunit *test)
{
	struct hmap *m = batch_map(test);
	u64 keys[40], vals[40], k;
	u32 count = 40;

	for (k = 0; k < 40; k++) {
		keys[k] = 1000 + k;
		vals[k] = k;
	}
	keys[25] = 3;	/* present: NOEXIST fails there */
	KUNIT_EXPECT_EQ(test, hmap_update_batch(m, keys, vals, &count,
						HMAP_UPDATE_NOEXIST,
						GFP_KERNEL), -EEXIST);
	KUNIT_EXPECT_EQ(test, count, 25);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 125);
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &keys[24], NULL), 0);
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &keys[26], NULL), -ENOENT);
}

static void hmap_update_batch_bad_flags(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u64 key = 1, val = 2;
	u32 count = 1;

	KUNIT_EXPECT_EQ(test, hmap_update_batch(m, &key, &val, &count, 7,
						GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, count, 0);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 0);
}

/* A batch that empties the map (which takes a new seed) and goes on. */
static void hmap_delete_batch_past_empty(struct kunit *test)
{
	struct hmap *m = batch_map(test);
	u64 *keys = kunit_kcalloc(test, 101, sizeof(u64), GFP_KERNEL);
	u32 i, count = 101;

	KUNIT_ASSERT_NOT_NULL(test, keys);
	for (i = 0; i < 100; i++)
		keys[i] = i;
	keys[100] = 0;
	KUNIT_EXPECT_EQ(test, hmap_delete_batch(m, keys, &count), -ENOENT);
	KUNIT_EXPECT_EQ(test, count, 100);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 0);
	/* The map works on with its new seed, batches included. */
	count = 100;
	KUNIT_EXPECT_EQ(test, hmap_update_batch(m, keys, keys, &count,
						HMAP_UPDATE_ANY, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 100);
}

static void hmap_delete_batch_stops_at_absent(struct kunit *test)
{
	struct hmap *m = batch_map(test);
	u64 keys[20];
	u32 i, count = 20;

	for (i = 0; i < 20; i++)
		keys[i] = i;
	keys[17] = 500;
	KUNIT_EXPECT_EQ(test, hmap_delete_batch(m, keys, &count), -ENOENT);
	KUNIT_EXPECT_EQ(test, count, 17);
	KUNIT_EXPECT_EQ(test, hmap_len(m), 83);
	KUNIT_EXPECT_EQ(test, hmap_lookup(m, &keys[18], NULL), 0);
}

/* 100000 keys: B = 14, the chains walked in 16 steps with the lock dropped. */
static void hmap_get_stats_walks_every_chain(struct kunit *test)
{
	struct hmap *m = make_map(test, 8, 8, 0);
	u64 k, heads = 0, links = 0;
	struct hmap_stats st;
	int i;

	for (k = 0; k < 100000; k++)
		KUNIT_ASSERT_EQ(test, put(m, k, k, HMAP_UPDATE_ANY), 0);
	wait_settled(test, m);
	hmap_get_stats(m, &st);
	KUNIT_EXPECT_GE(test, st.buckets, 16384);
	for (i = 0; i < HMAP_CHAIN_HIST_LEN; i++) {
		heads += st.chain_hist[i];
		links += st.chain_hist[i] * i;
	}
	/*
	 * Every bucket counted once; chains of 8+ add at least 7 links each.
	 * (A growth may be under way: then most new chains are still empty.)
	 */
	KUNIT_EXPECT_EQ(test, heads, st.buckets);
	KUNIT_EXPECT_LE(test, links, st.overflow);
}

static struct kunit_case hmap_api_cases[] = {
	KUNIT_CASE_PARAM(hmap_create_rejects_bad_params, bad_gen_params),
	KUNIT_CASE(hmap_destroy_accepts_null_and_errors),
	KUNIT_CASE_PARAM(hmap_lookup_copies_value, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_update_flags_errno, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_update_full_map_e2big, sharded_gen_params),
	KUNIT_CASE(hmap_update_max_entries_exact_over_many_shards),
	KUNIT_CASE_PARAM(hmap_delete_errno, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_lookup_and_delete_returns_value, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_clear_empties, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_clear_returns_to_hint_memory, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_get_stats_reports_shape, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_get_stats_walks_every_chain, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_iter_returns_each_key_once, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_iter_sparse_map_returns_all, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_iter_end_early_releases, sharded_gen_params),
	KUNIT_CASE(hmap_iter_stale_after_out_of_line_churn),
	KUNIT_CASE(hmap_lock_tier_in_place),
	KUNIT_CASE_PARAM(hmap_update_atomic_context, sharded_gen_params),
	KUNIT_CASE_PARAM_ATTR(hmap_update_sleeping_caller_grows_large,
			      sharded_gen_params, { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM(hmap_update_largest_values, sharded_gen_params),
	KUNIT_CASE(hmap_create_custom_hash),
	KUNIT_CASE_PARAM(hmap_update_growth_finished_after_writes_stop,
			 sharded_gen_params),
	KUNIT_CASE_PARAM_ATTR(hmap_delete_shrinks_after_writes_stop,
			      sharded_gen_params, {.speed = KUNIT_SPEED_SLOW}),
	KUNIT_CASE_PARAM(hmap_update_leaves_large_arrays_to_worker,
			 sharded_gen_params),
	KUNIT_CASE_SLOW(hmap_update_array_ahead_freed_when_idle),
	KUNIT_CASE_SLOW(hmap_update_array_ahead_kept_while_writing),
	KUNIT_CASE_PARAM(hmap_lookup_batch_copies_values, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_lookup_batch_stops_at_absent, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_lookup_batch_null_values_tests_presence,
			 sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_update_batch_stores_in_order, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_update_batch_stops_at_failure, sharded_gen_params),
	KUNIT_CASE(hmap_update_batch_bad_flags),
	KUNIT_CASE_PARAM(hmap_delete_batch_past_empty, sharded_gen_params),
	KUNIT_CASE_PARAM(hmap_delete_batch_stops_at_absent, sharded_gen_params),
	KUNIT_CASE(hmap_lookup_sharded_after_shard_takes_new_key),
	KUNIT_CASE(hmap_flush_due_growth_bumps_sequence),
	KUNIT_CASE(hmap_id_unique),
	KUNIT_CASE(hmap_create_ids_never_repeat),
	{}
};

static struct kunit_suite hmap_api_suite = {
	.name = "hmap_api",
	.test_cases = hmap_api_cases,
};

kunit_test_suites(&hmap_api_suite);

MODULE_IMPORT_NS(HMAP_NS);
