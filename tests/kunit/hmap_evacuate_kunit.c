// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_evacuate: incremental evacuation from the old array to the new.
 *
 * Most cases start a doubling from B = 3 (8 old buckets, 52 keys) with a
 * seed-independent hash, so the layout is the same on every run.
 */
#include "hmap_test_util.h"

#define OLD_B		3
#define NOLD		BIT(OLD_B)
#define FULL		52	/* 6.5 * 2^3 */

static u64 bucket_of(u64 key, u8 B)
{
	return hmap_test_hash_mix(&key, 8, 0) & ((1UL << B) - 1);
}

static u8 *old_bucket(struct hmap_core *h, unsigned long idx)
{
	return h->oldbuckets->data + idx * h->bucket_size;
}

static bool old_evacuated(struct hmap_core *h, unsigned long idx)
{
	u8 top = old_bucket(h, idx)[0];

	return top >= HMAP_EVACUATED_X && top <= HMAP_EVACUATED_EMPTY;
}

/* A map that has just started doubling from B = 3; keys 0..FULL. */
static struct hmap_core *growing_map(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, FULL,
					    hmap_test_hash_mix);
	u64 k;

	for (k = 0; k <= FULL; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k * 10), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(h));
	KUNIT_ASSERT_EQ(test, h->B, OLD_B + 1);
	return h;
}

/* The first old bucket not yet evacuated, if any. */
static long unevacuated(struct hmap_core *h)
{
	unsigned long j;

	for (j = 0; j < NOLD; j++)
		if (!old_evacuated(h, j))
			return j;
	return -1;
}

/* A key of the initial set living in old bucket @j. */
static u64 key_in_old(u64 j)
{
	u64 k;

	for (k = 0; k <= FULL; k++)
		if (bucket_of(k, OLD_B) == j)
			return k;
	return ~0ULL;
}

static void hmap_core_evacuate_splits_on_newbit(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, FULL,
					    hmap_test_hash_mix);
	unsigned long j, newbit, checked = 0;
	struct hmap_core_iter it;
	struct hmap_gen *old;
	unsigned int i;
	u64 key, hash;
	u8 *b;

	for (key = 0; key < FULL; key++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, key, key), 0);
	/* An iterator keeps the array alive after its evacuation. */
	hmap_core_iter_start(h, &it);
	old = h->buckets;
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, FULL, FULL), 0);
	KUNIT_ASSERT_PTR_EQ(test, h->oldbuckets, old);
	hmap_test_finish_growth(test, h);
	newbit = 1UL << old->B;
	for (j = 0; j < newbit; j++) {
		for (b = old->data + j * h->bucket_size; b;
		     b = *(u8 **)(b + h->ovf_off)) {
			for (i = 0; i < HMAP_SLOTS; i++) {
				if (b[i] == HMAP_EVACUATED_EMPTY)
					continue;
				memcpy(&key, b + HMAP_SLOTS + i * 8, 8);
				hash = hmap_test_hash_mix(&key, 8, 0);
				/* Y exactly when the hash has the new bit. */
				KUNIT_EXPECT_EQ(test, b[i], hash & newbit ?
						HMAP_EVACUATED_Y : HMAP_EVACUATED_X);
				/* And the key now lives at index hash & (2 * newbit - 1). */
				KUNIT_EXPECT_EQ(test, bucket_of(key, OLD_B + 1),
						j + (hash & newbit));
				checked++;
			}
		}
	}
	hmap_core_iter_end(&it);
	KUNIT_EXPECT_EQ(test, checked, FULL);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_lookup_during_evacuation(struct kunit *test)
{
	struct hmap_core *h = growing_map(test);
	u64 k, v;

	KUNIT_ASSERT_GE(test, unevacuated(h), 0);
	/* Keys in evacuated and unevacuated buckets alike are found. */
	for (k = 0; k <= FULL; k++) {
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, k, &v));
		KUNIT_EXPECT_EQ(test, v, k * 10);
	}
	KUNIT_EXPECT_FALSE(test, hmap_test_get(h, 5000, NULL));
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_unevacuated_bucket_evacuates_it(struct kunit *test)
{
	struct hmap_core *h = growing_map(test);
	long j = unevacuated(h);
	u64 k, v;

	KUNIT_ASSERT_GE(test, j, 0);
	k = key_in_old(j);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, 77), 0);
	KUNIT_EXPECT_TRUE(test, old_evacuated(h, j));
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, k, &v));
	KUNIT_EXPECT_EQ(test, v, 77);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_delete_unevacuated_bucket(struct kunit *test)
{
	struct hmap_core *h = growing_map(test);
	long j = unevacuated(h);
	u64 k;

	KUNIT_ASSERT_GE(test, j, 0);
	k = key_in_old(j);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, k), 0);
	KUNIT_EXPECT_FALSE(test, hmap_test_get(h, k, NULL));
	KUNIT_EXPECT_EQ(test, h->count, FULL);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_evacuated_bucket(struct kunit *test)
{
	struct hmap_core *h = growing_map(test);
	u64 k, v;

	/* Old bucket nevacuate - 1 is evacuated; update and insert there. */
	KUNIT_ASSERT_GT(test, h->nevacuate, 0);
	KUNIT_ASSERT_TRUE(test, old_evacuated(h, h->nevacuate - 1));
	k = key_in_old(h->nevacuate - 1);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, 1234), 0);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, k, &v));
	KUNIT_EXPECT_EQ(test, v, 1234);
	for (k = FULL + 1; k < FULL + 200; k++)
		if (bucket_of(k, OLD_B) == h->nevacuate - 1)
			break;
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, 5), 0);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, k, NULL));
	KUNIT_EXPECT_EQ(test, h->count, FULL + 2);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_evacuate_nevacuate_advances(struct kunit *test)
{
	struct hmap_core *h = growing_map(test);
	unsigned long before = h->nevacuate;
	u64 absent = ~0ULL;

	/* Every write evacuates the bucket at nevacuate, at least. */
	hmap_core_delete(h, &absent, NULL, GFP_KERNEL);
	if (hmap_core_growing(h))
		KUNIT_EXPECT_GT(test, h->nevacuate, before);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_evacuate_frees_old_array_when_done(struct kunit *test)
{
	struct hmap_core *h = growing_map(test);
	u64 absent = ~0ULL;
	int writes = 0;

	while (hmap_core_growing(h)) {
		/* Until the last bucket is done the old array stays. */
		KUNIT_EXPECT_LT(test, h->nevacuate, NOLD);
		KUNIT_EXPECT_GE(test, unevacuated(h), 0);
		hmap_core_delete(h, &absent, NULL, GFP_KERNEL);
		KUNIT_ASSERT_LT(test, ++writes, (int)NOLD + 1);
	}
	KUNIT_EXPECT_NULL(test, h->oldbuckets);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_evacuate_constant_hash_loses_nothing(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_const);
	u64 k, v;

	/* One chain of 38 buckets carried through four doublings. */
	for (k = 0; k < 300; k++) {
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, ~k), 0);
		if (k % 37 == 0)
			HMAP_EXPECT_VALID(test, h);
	}
	KUNIT_EXPECT_GE(test, h->B, 4);
	for (k = 0; k < 300; k++) {
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, k, &v));
		KUNIT_EXPECT_EQ(test, v, ~k);
	}
	KUNIT_EXPECT_EQ(test, h->count, 300);
	HMAP_EXPECT_VALID(test, h);
}

/*
 * B = 2 doubling to 3, identity hash: old bucket 1 holds keys 1 + 4m, to X
 * for even m (@x of them) and to Y for odd m (@y); other keys in buckets
 * 0, 2 and 3 fill the map to 26. Key 400 then starts the growth, which
 * evacuates old bucket 0 and then 1 at nevacuate.
 */
static struct hmap_core *split_map(struct kunit *test, u64 x, u64 y)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 26,
					    hmap_test_hash_identity);
	u64 k, m;

	for (m = 0; m < x; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1 + 8 * m, m), 0);
	for (m = 0; m < y; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 5 + 8 * m, m), 0);
	/* Buckets 0, 2, 3 in turn: keys 0, 2, 3, 4, 6, 7, ... */
	for (m = 0; h->count < 26; m++) {
		k = (m % 3 ? m % 3 + 1 : 0) + 4 * (m / 3);
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, m), 0);
	}
	KUNIT_ASSERT_FALSE(test, hmap_core_growing(h));
	return h;
}

static void hmap_core_evacuate_reserves_exact_overflow(struct kunit *test)
{
	/* 16 to X and 9 to Y: one overflow bucket on each side. */
	struct hmap_core *h = split_map(test, 16, 9);

	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 400, 4), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(h));
	KUNIT_ASSERT_EQ(test, h->nevacuate, 2);
	/* Exactly the two overflow buckets used were reserved. */
	KUNIT_EXPECT_EQ(test, h->noverflow, 2);
	KUNIT_EXPECT_EQ(test, h->nspare, 0);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_evacuate_without_memory_moves_nothing(struct kunit *test)
{
	/* 9 to X need an overflow bucket, 8 to Y none. */
	struct hmap_core *h = split_map(test, 9, 8);
	struct hmap_gen *gen = hmap_core_gen_alloc(h, 3, GFP_KERNEL);
	u64 m;

	/* The new array is donated; the overflow buckets cannot be had. */
	KUNIT_ASSERT_NOT_NULL(test, gen);
	hmap_core_donate(h, gen, NULL, 0);
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 400, 4), 0);
	hmap_test_fail_nth(0);
	/* Old bucket 0 moved; old bucket 1 stays whole where it was. */
	KUNIT_EXPECT_EQ(test, h->nevacuate, 1);
	KUNIT_EXPECT_FALSE(test, old_evacuated(h, 1));
	KUNIT_EXPECT_EQ(test, h->noverflow, 0);
	for (m = 0; m < 9; m++)
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 1 + 8 * m, NULL));
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_delete_evacuates_its_bucket(struct kunit *test)
{
	struct hmap_core *h = growing_map(test);
	unsigned long j;
	u64 k;

	/* The last old bucket is reached by nevacuate last. */
	for (j = NOLD - 1; j > h->nevacuate && old_evacuated(h, j); j--)
		;
	KUNIT_ASSERT_GT(test, j, h->nevacuate + 1);
	k = key_in_old(j);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, k), 0);
	KUNIT_EXPECT_TRUE(test, old_evacuated(h, j));
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_evacuate_mark_bounded_per_step(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 13312,
					    hmap_test_hash_identity);
	u64 j, m, absent;

	/*
	 * B = 11 filled to 6.5 * 2^11: 2100 keys chained in bucket 0, whose
	 * evacuation needs 262 overflow buckets (the B = 12 array has 256
	 * preallocated), and 5 or 6 keys in every other bucket.
	 */
	KUNIT_ASSERT_EQ(test, h->B, 11);
	for (m = 0; m < 2100; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, m << 11, m), 0);
	for (j = 1; j < 2048; j++)
		for (m = 0; m < (j <= 977 ? 6 : 5); m++)
			KUNIT_ASSERT_EQ(test, hmap_test_put(h, j + (m << 11), m), 0);
	KUNIT_ASSERT_EQ(test, h->count, 13312);
	hmap_core_donate(h, hmap_core_gen_alloc(h, 12, GFP_KERNEL), NULL, 0);
	KUNIT_ASSERT_NOT_NULL(test, h->reserve);
	/* Without memory, old bucket 0 cannot move; the next 1100 can. */
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 5 + (6 << 11), 0), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(h));
	for (j = 1; j <= 1100; j++) {
		absent = j + (7 << 11);
		hmap_core_delete(h, &absent, NULL, GFP_KERNEL);
	}
	hmap_test_fail_nth(0);
	KUNIT_ASSERT_EQ(test, h->nevacuate, 0);
	KUNIT_ASSERT_TRUE(test, old_evacuated(h, 1100));
	KUNIT_ASSERT_FALSE(test, old_evacuated(h, 1101));
	/* Moving a unit lets the mark pass at most 16 moved ones after it. */
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 1, GFP_KERNEL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, h->nevacuate, 1 + HMAP_EVAC_SKIP_MAX);
	HMAP_EXPECT_VALID(test, h);
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 1, GFP_KERNEL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, h->nevacuate, 2 + 2 * HMAP_EVAC_SKIP_MAX);
}

static struct kunit_case hmap_evacuate_cases[] = {
	KUNIT_CASE(hmap_core_evacuate_splits_on_newbit),
	KUNIT_CASE(hmap_core_lookup_during_evacuation),
	KUNIT_CASE(hmap_core_update_unevacuated_bucket_evacuates_it),
	KUNIT_CASE(hmap_core_delete_unevacuated_bucket),
	KUNIT_CASE(hmap_core_update_evacuated_bucket),
	KUNIT_CASE(hmap_core_evacuate_nevacuate_advances),
	KUNIT_CASE(hmap_core_evacuate_frees_old_array_when_done),
	KUNIT_CASE(hmap_core_evacuate_constant_hash_loses_nothing),
	KUNIT_CASE(hmap_core_evacuate_reserves_exact_overflow),
	KUNIT_CASE(hmap_core_evacuate_without_memory_moves_nothing),
	KUNIT_CASE(hmap_core_delete_evacuates_its_bucket),
	KUNIT_CASE(hmap_core_evacuate_mark_bounded_per_step),
	{}
};

static struct kunit_suite hmap_evacuate_suite = {
	.name = "hmap_evacuate",
	.test_cases = hmap_evacuate_cases,
};

kunit_test_suites(&hmap_evacuate_suite);
