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

static struct kunit_case hmap_evacuate_cases[] = {
	KUNIT_CASE(hmap_core_evacuate_splits_on_newbit),
	KUNIT_CASE(hmap_core_lookup_during_evacuation),
	KUNIT_CASE(hmap_core_update_unevacuated_bucket_evacuates_it),
	KUNIT_CASE(hmap_core_delete_unevacuated_bucket),
	KUNIT_CASE(hmap_core_update_evacuated_bucket),
	KUNIT_CASE(hmap_core_evacuate_nevacuate_advances),
	KUNIT_CASE(hmap_core_evacuate_frees_old_array_when_done),
	KUNIT_CASE(hmap_core_evacuate_constant_hash_loses_nothing),
	{}
};

static struct kunit_suite hmap_evacuate_suite = {
	.name = "hmap_evacuate",
	.test_cases = hmap_evacuate_cases,
};

kunit_test_suites(&hmap_evacuate_suite);
