// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_clear: hmap_core_clear() returns a map to what a new one holds, and
 * an iterator parked across a clear neither returns a key twice nor keeps
 * the map's memory growing.
 */
#include "hmap_test_util.h"

/* B = 4: 16 buckets and one preallocated overflow bucket. */
#define CLEAR_HINT	100

/* The i-th key whose home bucket is @bucket (of 16) under the identity hash. */
static u64 key_in(unsigned int bucket, unsigned int i)
{
	return bucket + 16 * (u64)(i + 1);
}

static void fill_bucket(struct kunit *test, struct hmap_core *h,
			unsigned int bucket, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, key_in(bucket, i), i), 0);
}

/*
 * Start an iteration at bucket 0, slot 0, and step until it has returned
 * the first key of the overflow bucket chained to bucket 0 (its 9th key):
 * it then stands inside the preallocated overflow bucket.
 */
static void park_in_overflow(struct kunit *test, struct hmap_core *h,
			     struct hmap_core_iter *it, u64 *seen)
{
	const void *kp;
	void *vp;
	unsigned int n;
	u64 k;

	hmap_core_iter_start(h, it);
	it->start_bucket = 0;
	it->bucket = 0;
	it->offset = 0;
	for (n = 0; n < 9; n++) {
		KUNIT_ASSERT_TRUE(test, hmap_core_iter_next(it, &kp, &vp));
		memcpy(&k, kp, sizeof(k));
		seen[n] = k;
	}
	KUNIT_ASSERT_EQ(test, seen[8], key_in(0, 8));
}

static void hmap_core_clear_returns_to_hint_array(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, CLEAR_HINT, NULL);
	struct hmap_core *fresh = hmap_test_map(test, 8, 8, CLEAR_HINT, NULL);
	struct hmap_core_stats st, want;
	u64 k;

	for (k = 0; k < 5000; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_ASSERT_GT(test, h->B, hmap_core_hint_to_B(CLEAR_HINT));
	hmap_core_clear(h, GFP_KERNEL);
	hmap_core_stats(h, &st);
	hmap_core_stats(fresh, &want);
	KUNIT_EXPECT_EQ(test, st.B, want.B);
	KUNIT_EXPECT_EQ(test, st.bytes, want.bytes);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_clear_without_hint_holds_no_array(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core_stats st;
	u64 k;

	for (k = 0; k < 1000; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	hmap_core_clear(h, GFP_KERNEL);
	hmap_core_stats(h, &st);
	KUNIT_EXPECT_EQ(test, st.B, 0);
	KUNIT_EXPECT_EQ(test, st.bytes, 0);
	KUNIT_EXPECT_NULL(test, h->buckets);
	HMAP_EXPECT_VALID(test, h);
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 7, 8), 0);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 7, NULL));
}

/* The hint's array cannot be had: the map starts over without one. */
static void hmap_core_clear_nomem_holds_no_array(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, CLEAR_HINT, NULL);

	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1, 1), 0);
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	hmap_core_clear(h, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, h->count, 0);
	KUNIT_EXPECT_NULL(test, h->buckets);
	HMAP_EXPECT_VALID(test, h);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 7, 8), 0);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 7, NULL));
	/* The first insert brings back the hint's array. */
	KUNIT_EXPECT_EQ(test, h->B, hmap_core_hint_to_B(CLEAR_HINT));
	HMAP_EXPECT_VALID(test, h);
}

/*
 * The defect this suite was written for: a clear that wiped the array in
 * place handed its preallocated overflow bucket out again, to whichever
 * chain next needed one, while an iterator still stood in it. That
 * iterator then returned the new chain's overflow keys from where it stood,
 * and again when it reached their home bucket.
 */
static void hmap_core_clear_parked_iterator_returns_no_key_twice(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, CLEAR_HINT,
					    hmap_test_hash_identity);
	struct hmap_core_iter it;
	u64 seen[64], k;
	unsigned int n = 9, i, j, dups = 0;
	const void *kp;
	void *vp;

	fill_bucket(test, h, 0, 12);
	park_in_overflow(test, h, &it, seen);
	hmap_core_clear(h, GFP_KERNEL);
	/* Bucket 5 is still ahead of the iterator; its chain needs overflow. */
	fill_bucket(test, h, 5, 12);
	while (n < ARRAY_SIZE(seen) && hmap_core_iter_next(&it, &kp, &vp)) {
		memcpy(&k, kp, sizeof(k));
		seen[n++] = k;
	}
	hmap_core_iter_end(&it);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			dups += seen[i] == seen[j];
	KUNIT_EXPECT_EQ(test, dups, 0);
	HMAP_EXPECT_VALID(test, h);
}

/*
 * Clearing and refilling a map while an iterator is parked in it: the map
 * holds what one fill needs, however many times it is done.
 */
static void hmap_core_clear_parked_iterator_keeps_memory_flat(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, CLEAR_HINT,
					    hmap_test_hash_identity);
	struct hmap_core_stats st;
	struct hmap_core_iter it;
	u64 seen[9], first = 0;
	unsigned int round;

	fill_bucket(test, h, 0, 12);
	park_in_overflow(test, h, &it, seen);
	for (round = 0; round < 100; round++) {
		hmap_core_clear(h, GFP_KERNEL);
		/* Two overflow buckets: more than the array preallocates. */
		fill_bucket(test, h, 5, 24);
		hmap_core_stats(h, &st);
		if (!round)
			first = st.bytes;
	}
	KUNIT_EXPECT_EQ(test, st.bytes, first);
	HMAP_EXPECT_VALID(test, h);
	hmap_core_iter_end(&it);
}

/* A clear during a growth drops it, with the old array. */
static void hmap_core_clear_during_growth_ends_it(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, hmap_test_hash_mix);
	u64 k, n;

	/* The 105th key doubles 16 buckets; two writes evacuate at most 4. */
	for (n = 0; n < 105; n++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, n, n), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(h));
	hmap_core_clear(h, GFP_KERNEL);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_NULL(test, h->oldbuckets);
	for (k = 0; k < n; k++)
		KUNIT_EXPECT_FALSE(test, hmap_test_get(h, k, NULL));
	HMAP_EXPECT_VALID(test, h);
}

static struct kunit_case hmap_clear_cases[] = {
	KUNIT_CASE(hmap_core_clear_returns_to_hint_array),
	KUNIT_CASE(hmap_core_clear_without_hint_holds_no_array),
	KUNIT_CASE(hmap_core_clear_nomem_holds_no_array),
	KUNIT_CASE(hmap_core_clear_parked_iterator_returns_no_key_twice),
	KUNIT_CASE(hmap_core_clear_parked_iterator_keeps_memory_flat),
	KUNIT_CASE(hmap_core_clear_during_growth_ends_it),
	{}
};

static struct kunit_suite hmap_clear_suite = {
	.name = "hmap_clear",
	.test_cases = hmap_clear_cases,
};

kunit_test_suites(&hmap_clear_suite);
