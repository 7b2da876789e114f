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
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_F_SAME_SIZE);
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
	KUNIT_EXPECT_TRUE(test, h->flags & HMAP_F_SAME_SIZE);
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
	KUNIT_EXPECT_GE(test, st.bytes, 5 * 144);
	KUNIT_EXPECT_LT(test, st.bytes, 5 * 144 + 128);
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
		KUNIT_ASSERT_EQ(test, hmap_core_update(h, key, val, HMAP_ANY, GFP_KERNEL), 0);
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
	{}
};

static struct kunit_suite hmap_grow_suite = {
	.name = "hmap_grow",
	.test_cases = hmap_grow_cases,
};

kunit_test_suites(&hmap_grow_suite);
