// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_grow: initial sizing, the load-factor and overflow triggers, and
 * the sequence of B while a map fills up.
 */
#include "hmap_test_util.h"

struct hint_case {
	unsigned long hint;
	u8 B;
};

/* Go's makemap: the smallest B with !(hint > 8 && hint > 6.5 * 2^B). */
static const struct hint_case hint_cases[] = {
	{ 0, 0 }, { 8, 0 }, { 9, 1 }, { 13, 1 }, { 14, 2 }, { 26, 2 },
	{ 27, 3 }, { 100, 4 }, { 1000, 8 }, { 1000000, 18 },
	/* Capped at HMAP_B_MAX = 26: 6.5 * 2^25 is the last hint below it. */
	{ 13UL << 24, 25 }, { (13UL << 24) + 1, 26 }, { 13UL << 25, 26 },
	{ ~0UL, 26 },
};

static void hint_desc(const struct hint_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "hint %lu", c->hint);
}

KUNIT_ARRAY_PARAM(hint, hint_cases, hint_desc);

static void hmap_core_hint_to_B_matches_go(struct kunit *test)
{
	const struct hint_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, hmap_core_hint_to_B(c->hint), c->B);
}

static void hmap_core_init_small_hint_defers_allocation(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 8, NULL);

	KUNIT_EXPECT_NULL(test, h->buckets);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1, 1), 0);
	KUNIT_EXPECT_NOT_NULL(test, h->buckets);
	KUNIT_EXPECT_EQ(test, h->B, 0);
}

static void hmap_core_init_hint_preallocates_overflow(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 1000, NULL);

	/* B = 8: 256 buckets plus 2^(8-4) = 16 spare overflow buckets. */
	KUNIT_ASSERT_NOT_NULL(test, h->buckets);
	KUNIT_EXPECT_EQ(test, h->buckets->nbuckets, 256 + 16);
	/* u64 -> u64 buckets are Go's 144 bytes. */
	KUNIT_EXPECT_EQ(test, h->bucket_size, 144);
}

static const u8 load_shifts[] = { 0, 1, 2, 3, 4, 8 };

static void shift_desc(const u8 *B, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "B %u", *B);
}

KUNIT_ARRAY_PARAM(load, load_shifts, shift_desc);

static void hmap_core_update_grows_at_exact_load(struct kunit *test)
{
	u8 B = *(const u8 *)test->param_value;
	unsigned long max = B ? 13UL << (B - 1) : 8, k;
	struct hmap_core *h = hmap_test_map(test, 8, 8, max, NULL);

	KUNIT_ASSERT_EQ(test, h->B, B);
	for (k = 0; k < max; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	/* Full to 6.5 per bucket (8 for B = 0) without growing ... */
	KUNIT_EXPECT_EQ(test, h->B, B);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	/* ... and one more starts a doubling. */
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, max, max), 0);
	KUNIT_EXPECT_EQ(test, h->B, B + 1);
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_SAME_SIZE);
	/* Up to B = 1 the triggering insert evacuates the whole old array. */
	if (B >= 2)
		KUNIT_EXPECT_TRUE(test, hmap_core_growing(h));
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_existing_key_never_grows(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	u64 k;

	for (k = 0; k < 8; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 3, 33), 0);
	KUNIT_EXPECT_EQ(test, h->B, 0);
}

static void hmap_core_update_same_size_grow_on_overflow(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 100,
					    hmap_test_hash_identity);
	u64 j, m;

	KUNIT_ASSERT_EQ(test, h->B, 4);
	/*
	 * Give each of the 16 buckets an overflow bucket (9 keys), then
	 * delete down to one key per bucket: 16 overflow buckets, 16 keys.
	 */
	for (j = 0; j < 16; j++) {
		for (m = 0; m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_put(h, j + 16 * m, m), 0);
		for (m = 1; m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_del(h, j + 16 * m), 0);
	}
	KUNIT_ASSERT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->noverflow, 16);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1000, 1), 0);
	KUNIT_EXPECT_TRUE(test, hmap_core_growing(h));
	KUNIT_EXPECT_TRUE(test, h->flags & HMAP_CORE_F_SAME_SIZE);
	KUNIT_EXPECT_EQ(test, h->B, 4);
	hmap_test_finish_growth(test, h);
	/* The sparse chains were packed: no overflow bucket is left. */
	KUNIT_EXPECT_EQ(test, h->noverflow, 0);
	KUNIT_EXPECT_EQ(test, h->count, 17);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_growth_sequence(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	unsigned long k, expect;
	u8 B = 0;

	for (k = 1; k <= 20000; k++) {
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
		if (h->B == B)
			continue;
		/* B grows by one, on the insert that passes 6.5 * 2^B. */
		expect = B ? (13UL << (B - 1)) + 1 : 9;
		KUNIT_EXPECT_EQ(test, h->B, B + 1);
		KUNIT_EXPECT_EQ_MSG(test, k, expect, "growth to B=%u", B + 1);
		B = h->B;
	}
	KUNIT_EXPECT_EQ(test, B, 12);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_init_rejects_bad_sizes(struct kunit *test)
{
	struct hmap_core_params p = { .key_size = 0, .value_size = 8 };
	struct hmap_core h;

	KUNIT_EXPECT_EQ(test, hmap_core_init(&h, &p, GFP_KERNEL), -EINVAL);
	p.key_size = HMAP_KEY_SIZE_MAX + 1;
	KUNIT_EXPECT_EQ(test, hmap_core_init(&h, &p, GFP_KERNEL), -EINVAL);
	p.key_size = 8;
	p.value_size = HMAP_VALUE_SIZE_MAX + 1;
	KUNIT_EXPECT_EQ(test, hmap_core_init(&h, &p, GFP_KERNEL), -EINVAL);
}

static void hmap_core_init_hint_nomem(struct kunit *test)
{
	struct hmap_core_params p = { .key_size = 8, .value_size = 8, .hint = 100 };
	struct hmap_core h;

	hmap_test_alloc_hook(test);
	hmap_test_fail_nth(1);
	KUNIT_EXPECT_EQ(test, hmap_core_init(&h, &p, GFP_KERNEL), -ENOMEM);
	hmap_test_fail_nth(0);
}

static void hmap_core_stats_reports_shape(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_identity);
	struct hmap_core_stats st;
	u64 m;

	/* B = 2 after 14..26 keys; put 9 of them in bucket 1. */
	for (m = 0; m < 9; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1 + 4 * m, m), 0);
	for (m = 0; m < 6; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 2 + 4 * m, m), 0);
	hmap_test_finish_growth(test, h);
	hmap_core_stats(h, &st);
	KUNIT_EXPECT_EQ(test, st.count, 15);
	KUNIT_EXPECT_EQ(test, st.B, 2);
	KUNIT_EXPECT_EQ(test, st.buckets, 4);
	KUNIT_EXPECT_EQ(test, st.overflow, 1);
	KUNIT_EXPECT_EQ(test, st.old_buckets, 0);
	/* Three chains of one bucket, one of two. */
	KUNIT_EXPECT_EQ(test, st.chain_hist[0], 3);
	KUNIT_EXPECT_EQ(test, st.chain_hist[1], 1);
	/* 4 buckets of 144 bytes plus one separately allocated overflow. */
	KUNIT_EXPECT_EQ(test, st.bytes, sizeof(struct hmap_gen) + 4 * 144 +
			ALIGN(sizeof(void *), 8) + 144);
}

static void hmap_core_stats_during_growth(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 200, 300, 52, NULL);
	struct hmap_core_stats st;
	u8 key[200] = { };
	u8 val[300] = { };
	u64 k;

	for (k = 0; k <= 52; k++) {
		memcpy(key, &k, 8);
		KUNIT_ASSERT_EQ(test, hmap_core_update(h, key, val, HMAP_UPDATE_ANY,
						       GFP_KERNEL), 0);
	}
	hmap_core_stats(h, &st);
	KUNIT_EXPECT_EQ(test, st.old_buckets, 8);
	KUNIT_EXPECT_EQ(test, st.B, 4);
	KUNIT_EXPECT_GT(test, st.nevacuate, 0);
	/* Out-of-line keys and values are counted. */
	KUNIT_EXPECT_GT(test, st.bytes, 53 * (200 + 300));
}

static void hmap_core_update_noverflow_sampled_above_b15(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 1000000,
					    hmap_test_hash_identity);
	u64 j, m;

	/* B = 18: each overflow bucket counts with probability 1/8. */
	KUNIT_ASSERT_EQ(test, h->B, 18);
	for (j = 0; j < 800; j++)
		for (m = 0; m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_put(h, j + (m << 18), 0), 0);
	/* 800 overflow buckets, sampled at 1/8: 100 expected, sd 9.4. */
	KUNIT_EXPECT_GT(test, h->noverflow, 40);
	KUNIT_EXPECT_LT(test, h->noverflow, 160);
}

static void hmap_core_grow_step_finishes_growth(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, hmap_test_hash_mix);
	unsigned long old_nb, steps = 0;
	u64 k, n, v;
	int err;

	/* B = 4 -> 5 starts at key 105 (6.5 per bucket); stop right there. */
	for (n = 0; !hmap_core_growing(h) || h->B < 5; n++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, n, ~n), 0);
	KUNIT_ASSERT_EQ(test, n, 105);
	old_nb = 1UL << h->oldbuckets->B;
	do {
		err = hmap_core_grow_step(h, 1, GFP_KERNEL);
		steps++;
		HMAP_EXPECT_VALID(test, h);
	} while (err == -EAGAIN && steps <= old_nb);
	KUNIT_EXPECT_EQ(test, err, 0);
	/* One old bucket per step at least, fewer steps when writes helped. */
	KUNIT_EXPECT_LE(test, steps, old_nb);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->count, n);
	for (k = 0; k < n; k++) {
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, k, &v));
		KUNIT_EXPECT_EQ(test, v, ~k);
	}
}

static void hmap_core_grow_step_bounded_by_max(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, hmap_test_hash_mix);
	unsigned long before;
	u64 n;

	for (n = 0; !hmap_core_growing(h) || h->B < 5; n++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, n, n), 0);
	before = h->nevacuate;
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 3, GFP_KERNEL), -EAGAIN);
	/* Three old buckets moved, the mark may skip ones writes moved. */
	KUNIT_EXPECT_GE(test, h->nevacuate, before + 3);
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 1000, GFP_KERNEL), 0);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_grow_step_idle_map_no_change(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, hmap_test_hash_mix);
	u64 n, moved;

	for (n = 0; n < 20; n++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, n, n), 0);
	hmap_test_finish_growth(test, h);
	moved = h->moved;
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 16, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, h->moved, moved);
	KUNIT_EXPECT_EQ(test, h->count, 20);
}

static const u8 prealloc_shifts[] = { 0, 1, 3, 4, 5, 6 };

KUNIT_ARRAY_PARAM(prealloc, prealloc_shifts, shift_desc);

static void hmap_core_gen_alloc_preallocates_from_b4(struct kunit *test)
{
	u8 B = *(const u8 *)test->param_value;
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_gen *gen = hmap_core_gen_alloc(h, B, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, gen);
	KUNIT_EXPECT_EQ(test, gen->B, B);
	/* 2^(B-4) overflow buckets after the 2^B regular ones, from B = 4. */
	KUNIT_EXPECT_EQ(test, gen->nbuckets, (1U << B) + (B >= 4 ? 1U << (B - 4) : 0));
	KUNIT_EXPECT_EQ(test, gen->next_prealloc, 1U << B);
	KUNIT_EXPECT_NULL(test, gen->ovf);
	/* The map frees what it is given. */
	hmap_core_donate(h, gen, NULL, 0);
}

/* Nine keys for bucket 0 of an identity-hash map at @hint, all memory failing. */
static int ninth_key_without_memory(struct kunit *test, unsigned long hint,
				    u8 B)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, hint,
					    hmap_test_hash_identity);
	u64 m;
	int err;

	KUNIT_ASSERT_EQ(test, h->B, B);
	for (m = 0; m < 8; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, m << B, m), 0);
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	err = hmap_test_put(h, 8 << B, 8);
	hmap_test_fail_nth(0);
	HMAP_EXPECT_VALID(test, h);
	return err;
}

static void hmap_core_update_overflow_from_prealloc_at_b4(struct kunit *test)
{
	/* B = 4 has one preallocated overflow bucket: no allocation. */
	KUNIT_EXPECT_EQ(test, ninth_key_without_memory(test, 100, 4), 0);
}

static void hmap_core_update_overflow_allocated_below_b4(struct kunit *test)
{
	/* B = 3 has none: the overflow bucket must be allocated. */
	KUNIT_EXPECT_EQ(test, ninth_key_without_memory(test, 52, 3), -ENOMEM);
}

/*
 * B = 3 doubling to 4 with the identity hash: keys 0..51 fill 6 or 7 slots
 * of every bucket; key 56 (old bucket 0) starts the growth, whose insert
 * evacuates old buckets 0 and 1, leaving 2..7 to grow_step().
 */
static struct hmap_core *grow_step_map(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 52,
					    hmap_test_hash_identity);
	u64 k;

	for (k = 0; k < 52; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 56, 56), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(h));
	KUNIT_ASSERT_EQ(test, h->nevacuate, 2);
	return h;
}

static void hmap_core_grow_step_zero_moves_one_bucket(struct kunit *test)
{
	struct hmap_core *h = grow_step_map(test);
	u64 moved = h->moved;

	/* 0 is taken as 1: old bucket 2 (keys 2 + 8m, m < 7) and no more. */
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 0, GFP_KERNEL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, h->nevacuate, 3);
	KUNIT_EXPECT_EQ(test, h->moved, moved + 7);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_grow_step_one_moves_one_bucket(struct kunit *test)
{
	struct hmap_core *h = grow_step_map(test);
	u64 moved = h->moved;

	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 1, GFP_KERNEL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, h->nevacuate, 3);
	KUNIT_EXPECT_EQ(test, h->moved, moved + 7);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_grow_step_moves_exactly_max(struct kunit *test)
{
	struct hmap_core *h = grow_step_map(test);
	u64 moved = h->moved;

	/* Old buckets 2 and 3 (7 keys each), then 4 and 5 (6 each). */
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 2, GFP_KERNEL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, h->nevacuate, 4);
	KUNIT_EXPECT_EQ(test, h->moved, moved + 14);
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 2, GFP_KERNEL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, h->nevacuate, 6);
	KUNIT_EXPECT_EQ(test, h->moved, moved + 26);
	/* The last two end the growth. */
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 2, GFP_KERNEL), 0);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->moved, 52);
	HMAP_EXPECT_VALID(test, h);
}

/*
 * The sizing decision near HMAP_B_MAX, without the arrays: a map whose
 * header claims @B and a full load (only the header is read).
 */
static int next_grow_B_at(struct kunit *test, u8 B, u16 noverflow)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core saved;
	int next;

	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1, 1), 0);
	saved = *h;
	h->B = B;
	h->count = 13UL << (B - 1);
	h->noverflow = noverflow;
	next = hmap_core_next_grow_B(h);
	*h = saved;
	return next;
}

static void hmap_core_next_grow_B_capped_at_b_max(struct kunit *test)
{
	/* One below the cap still doubles ... */
	KUNIT_EXPECT_EQ(test, next_grow_B_at(test, HMAP_B_MAX - 1, 0), HMAP_B_MAX);
	/* ... at the cap an overloaded map stops growing ... */
	KUNIT_EXPECT_EQ(test, next_grow_B_at(test, HMAP_B_MAX, 0), -1);
	/* ... unless its overflow buckets call for a same-size growth. */
	KUNIT_EXPECT_EQ(test, next_grow_B_at(test, HMAP_B_MAX, 1U << 15), HMAP_B_MAX);
}

/*
 * B = 4 identity-hash map with 16 overflow buckets, so a same-size growth
 * is due, and @count (103 or 104) keys. Each bucket gets 9 keys, then
 * keeps 7 (buckets 0..4) or 6 (5..14); bucket 15 comes last and its 9th
 * key makes the count 104, the most B = 4 holds.
 */
static struct hmap_core *sparse_map(struct kunit *test, unsigned long count)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 100,
					    hmap_test_hash_identity);
	u64 j, m;

	for (j = 0; j < 16; j++) {
		for (m = 0; m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_put(h, j + 16 * m, m), 0);
		for (m = j < 5 ? 7 : 6; j < 15 && m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_del(h, j + 16 * m), 0);
	}
	KUNIT_ASSERT_EQ(test, h->count, 104);
	if (count == 103)
		KUNIT_ASSERT_EQ(test, hmap_test_del(h, 15 + 16 * 8), 0);
	KUNIT_ASSERT_EQ(test, h->noverflow, 16);
	KUNIT_ASSERT_FALSE(test, hmap_core_growing(h));
	return h;
}

static void hmap_core_update_same_size_growth_at_full_load(struct kunit *test)
{
	/* The 104th key does not overload B = 4 (6.5 * 16): same size. */
	struct hmap_core *h = sparse_map(test, 103);

	KUNIT_EXPECT_EQ(test, hmap_core_next_grow_B(h), 4);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 200, 0), 0);
	KUNIT_EXPECT_TRUE(test, h->flags & HMAP_CORE_F_SAME_SIZE);
	KUNIT_EXPECT_EQ(test, h->B, 4);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_doubles_past_full_load(struct kunit *test)
{
	/* The 105th key overloads it: doubling wins over same size. */
	struct hmap_core *h = sparse_map(test, 104);

	KUNIT_EXPECT_EQ(test, hmap_core_next_grow_B(h), 5);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 200, 0), 0);
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_SAME_SIZE);
	KUNIT_EXPECT_EQ(test, h->B, 5);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_noverflow_sampling_rate_b16(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 400000,
					    hmap_test_hash_identity);
	u64 j, m;

	/* B = 16: each overflow bucket counts with probability 1/2. */
	KUNIT_ASSERT_EQ(test, h->B, 16);
	for (j = 0; j < 2000; j++)
		for (m = 0; m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_put(h, j + (m << 16), 0), 0);
	/* 1000 expected, sd 22: 1/4 or 1 would be far outside. */
	KUNIT_EXPECT_GT(test, h->noverflow, 850);
	KUNIT_EXPECT_LT(test, h->noverflow, 1150);
}

static void hmap_core_update_same_size_threshold_above_b15(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 400000,
					    hmap_test_hash_identity);

	/*
	 * Above B = 15 the threshold stays 2^15 sampled overflow buckets.
	 * noverflow is approximate there, so setting it is a legal state.
	 */
	KUNIT_ASSERT_EQ(test, h->B, 16);
	h->noverflow = (1U << 15) - 1;
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1, 1), 0);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	h->noverflow = 1U << 15;
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 2, 2), 0);
	KUNIT_EXPECT_TRUE(test, hmap_core_growing(h));
	KUNIT_EXPECT_TRUE(test, h->flags & HMAP_CORE_F_SAME_SIZE);
	KUNIT_EXPECT_EQ(test, h->B, 16);
	HMAP_EXPECT_VALID(test, h);
}

/*
 * An 8-byte map of 2^8 buckets (36 KiB): above HMAP_ARRAY_INLINE_MAX.
 * Threshold 13 << 7 = 1664; its hint (833, the least that asks for B = 8)
 * is below 7/8 of that, so the map asks ahead as a grown one does.
 */
static struct hmap_core *deferring_map(struct kunit *test)
{
	struct hmap_core_params p = {
		.key_size = 8, .value_size = 8, .hint = (13 << 6) + 1,
		.defer_arrays = true,
	};
	struct hmap_core *h = hmap_test_map_params(test, &p);

	KUNIT_ASSERT_EQ(test, h->B, 8);
	return h;
}

static void hmap_core_update_defers_large_array(struct kunit *test)
{
	struct hmap_core *h = deferring_map(test);
	unsigned long max = 13UL << 7, k;
	u64 v;

	for (k = 0; k <= max; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	/* Past its threshold, the map asks for the array and goes on. */
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->B, 8);
	KUNIT_EXPECT_TRUE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	KUNIT_EXPECT_EQ(test, hmap_core_next_grow_B(h), 9);
	for (k = 0; k <= max; k++)
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, k, &v) && v == k);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_grow_start_uses_donated_array(struct kunit *test)
{
	struct hmap_core *h = deferring_map(test);
	unsigned long max = 13UL << 7, k;
	struct hmap_gen *gen;

	for (k = 0; k <= max + 100; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	gen = hmap_core_gen_alloc(h, hmap_core_next_grow_B(h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gen);
	hmap_core_donate(h, gen, NULL, 0);
	/* No allocation: the donated array is the one used. */
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	KUNIT_EXPECT_EQ(test, hmap_core_grow_start(h, GFP_KERNEL), 0);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_TRUE(test, hmap_core_growing(h));
	KUNIT_EXPECT_PTR_EQ(test, h->buckets, gen);
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	hmap_test_finish_growth(test, h);
	for (k = 0; k <= max + 100; k++)
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, k, NULL));
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_allocates_past_defer_limit(struct kunit *test)
{
	struct hmap_core *h = deferring_map(test);
	unsigned long limit = HMAP_DEFER_LOAD_MULT * (13UL << 7), k;

	/* Nobody donates: at twice the threshold the write allocates. */
	for (k = 0; k < limit; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, limit, 0), 0);
	KUNIT_EXPECT_TRUE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->B, 9);
	/* The want is gone with it: nobody is asked for an array any more. */
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	HMAP_EXPECT_VALID(test, h);
}

/* Deletes made the growth no longer due: asked to start it, the map drops the want. */
static void hmap_core_grow_start_drops_stale_want(struct kunit *test)
{
	struct hmap_core *h = deferring_map(test);
	unsigned long max = 13UL << 7, k;

	for (k = 0; k <= max; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_ASSERT_TRUE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 0), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 1), 0);
	KUNIT_EXPECT_EQ(test, hmap_core_next_grow_B(h), -1);
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	KUNIT_EXPECT_EQ(test, hmap_core_grow_start(h, GFP_KERNEL), 0);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	HMAP_EXPECT_VALID(test, h);
}

/* 7/8 of the threshold of deferring_map() (13 << 7 = 1664 entries). */
#define AHEAD_AT	(HMAP_AHEAD_NUM * (13UL << 7) / HMAP_AHEAD_DEN)

static void hmap_core_update_asks_ahead_at_seven_eighths(struct kunit *test)
{
	struct hmap_core *h = deferring_map(test);
	unsigned long k;

	for (k = 0; k < AHEAD_AT; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	/* Asked for the next array, though no growth is due yet. */
	KUNIT_EXPECT_TRUE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	KUNIT_EXPECT_EQ(test, hmap_core_want_B(h), 9);
	KUNIT_EXPECT_EQ(test, hmap_core_next_grow_B(h), -1);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	HMAP_EXPECT_VALID(test, h);
}

/* A map presized for what it holds asks for no array ahead of need. */
static void hmap_core_update_asks_ahead_only_past_hint(struct kunit *test)
{
	struct hmap_core_params p = {
		.key_size = 8, .value_size = 8, .hint = AHEAD_AT + 8,
		.defer_arrays = true,
	};
	struct hmap_core *h = hmap_test_map_params(test, &p);
	unsigned long k;

	KUNIT_ASSERT_EQ(test, h->B, 8);
	for (k = 0; k < AHEAD_AT + 8; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	/* Past 7/8 of the threshold, but not past the hint. */
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_EXPECT_TRUE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	KUNIT_EXPECT_EQ(test, hmap_core_want_B(h), 9);
	HMAP_EXPECT_VALID(test, h);
}

/* Given ahead, the array waits; the insert that is due starts with it. */
static void hmap_core_update_grows_into_array_given_ahead(struct kunit *test)
{
	struct hmap_core *h = deferring_map(test);
	unsigned long max = 13UL << 7, k;
	struct hmap_gen *gen;

	for (k = 0; k <= AHEAD_AT; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	gen = hmap_core_gen_alloc(h, hmap_core_want_B(h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gen);
	hmap_core_donate(h, gen, NULL, 0);
	KUNIT_EXPECT_EQ(test, hmap_core_grow_start(h, GFP_KERNEL), 0);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_TRUE(test, hmap_core_reserve_ahead(h));
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	for (; k < max; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_ASSERT_FALSE(test, hmap_core_growing(h));
	/* The insert that is due allocates no array: it had one. */
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	hmap_test_put(h, k, k);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_TRUE(test, hmap_core_growing(h));
	KUNIT_EXPECT_PTR_EQ(test, h->buckets, gen);
	KUNIT_EXPECT_FALSE(test, hmap_core_reserve_ahead(h));
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	hmap_test_finish_growth(test, h);
	for (k = 0; k <= max; k++)
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, k, NULL));
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_drop_reserve_then_asks_again(struct kunit *test)
{
	struct hmap_core *h = deferring_map(test);
	struct hmap_gen *gen;
	unsigned long k;

	for (k = 0; k <= AHEAD_AT; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	gen = hmap_core_gen_alloc(h, hmap_core_want_B(h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gen);
	hmap_core_donate(h, gen, NULL, 0);
	KUNIT_ASSERT_EQ(test, hmap_core_grow_start(h, GFP_KERNEL), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_reserve_ahead(h));
	hmap_core_drop_reserve(h);
	KUNIT_EXPECT_FALSE(test, hmap_core_reserve_ahead(h));
	KUNIT_EXPECT_NULL(test, h->reserve);
	/* The next insert near the threshold asks for it again. */
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_EXPECT_TRUE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
	KUNIT_EXPECT_EQ(test, hmap_core_want_B(h), 9);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_small_array_not_deferred(struct kunit *test)
{
	struct hmap_core_params p = {
		.key_size = 8, .value_size = 8, .defer_arrays = true,
	};
	struct hmap_core *h = hmap_test_map_params(test, &p);
	unsigned long k;

	/* 2^2 buckets of 144 bytes: allocated by the write that needs them. */
	for (k = 0; k <= 13; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_EXPECT_EQ(test, h->B, 2);
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_WANT_ARRAY);
}

static void hmap_core_delete_defers_large_shrink(struct kunit *test)
{
	struct hmap_core_params p = {
		.key_size = 8, .value_size = 8, .defer_arrays = true,
	};
	struct hmap_core *h = hmap_test_map_params(test, &p);
	/* One short of B = 9's threshold: the next insert would not grow. */
	unsigned long n = (13UL << 8) - 1, k;
	int B;

	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	/* Grow to B = 9 with donated arrays, as the module's worker does. */
	for (;;) {
		hmap_test_finish_growth(test, h);
		B = hmap_core_next_grow_B(h);
		if (B < 0)
			break;
		hmap_core_donate(h, hmap_core_gen_alloc(h, B, GFP_KERNEL),
				 NULL, 0);
		KUNIT_ASSERT_EQ(test, hmap_core_grow_start(h, GFP_KERNEL), 0);
	}
	KUNIT_ASSERT_EQ(test, h->B, 9);
	/* Down to 1/8 of the load: due for a shrink to B = 8 (36 KiB). */
	for (k = 0; k < n - (13UL << 5) + 1; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_del(h, k), 0);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, hmap_core_next_shrink_B(h), 8);
	KUNIT_EXPECT_EQ(test, hmap_core_shrink_start(h, GFP_KERNEL), 0);
	KUNIT_EXPECT_TRUE(test, h->flags & HMAP_CORE_F_SHRINK);
	HMAP_EXPECT_VALID(test, h);
}

static struct kunit_case hmap_grow_cases[] = {
	KUNIT_CASE_PARAM(hmap_core_hint_to_B_matches_go, hint_gen_params),
	KUNIT_CASE(hmap_core_init_small_hint_defers_allocation),
	KUNIT_CASE(hmap_core_init_hint_preallocates_overflow),
	KUNIT_CASE_PARAM(hmap_core_update_grows_at_exact_load, load_gen_params),
	KUNIT_CASE(hmap_core_update_existing_key_never_grows),
	KUNIT_CASE(hmap_core_update_same_size_grow_on_overflow),
	KUNIT_CASE(hmap_core_update_growth_sequence),
	KUNIT_CASE(hmap_core_init_rejects_bad_sizes),
	KUNIT_CASE(hmap_core_init_hint_nomem),
	KUNIT_CASE(hmap_core_stats_reports_shape),
	KUNIT_CASE(hmap_core_stats_during_growth),
	KUNIT_CASE(hmap_core_update_noverflow_sampled_above_b15),
	KUNIT_CASE(hmap_core_grow_step_finishes_growth),
	KUNIT_CASE(hmap_core_grow_step_bounded_by_max),
	KUNIT_CASE(hmap_core_grow_step_idle_map_no_change),
	KUNIT_CASE_PARAM(hmap_core_gen_alloc_preallocates_from_b4, prealloc_gen_params),
	KUNIT_CASE(hmap_core_update_overflow_from_prealloc_at_b4),
	KUNIT_CASE(hmap_core_update_overflow_allocated_below_b4),
	KUNIT_CASE(hmap_core_grow_step_zero_moves_one_bucket),
	KUNIT_CASE(hmap_core_grow_step_one_moves_one_bucket),
	KUNIT_CASE(hmap_core_grow_step_moves_exactly_max),
	KUNIT_CASE(hmap_core_next_grow_B_capped_at_b_max),
	KUNIT_CASE(hmap_core_update_same_size_growth_at_full_load),
	KUNIT_CASE(hmap_core_update_doubles_past_full_load),
	KUNIT_CASE(hmap_core_update_noverflow_sampling_rate_b16),
	KUNIT_CASE(hmap_core_update_same_size_threshold_above_b15),
	KUNIT_CASE(hmap_core_update_defers_large_array),
	KUNIT_CASE(hmap_core_grow_start_uses_donated_array),
	KUNIT_CASE(hmap_core_update_allocates_past_defer_limit),
	KUNIT_CASE(hmap_core_grow_start_drops_stale_want),
	KUNIT_CASE(hmap_core_update_asks_ahead_at_seven_eighths),
	KUNIT_CASE(hmap_core_update_asks_ahead_only_past_hint),
	KUNIT_CASE(hmap_core_update_grows_into_array_given_ahead),
	KUNIT_CASE(hmap_core_drop_reserve_then_asks_again),
	KUNIT_CASE(hmap_core_update_small_array_not_deferred),
	KUNIT_CASE(hmap_core_delete_defers_large_shrink),
	{}
};

static struct kunit_suite hmap_grow_suite = {
	.name = "hmap_grow",
	.test_cases = hmap_grow_cases,
};

kunit_test_suites(&hmap_grow_suite);
