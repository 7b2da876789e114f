// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_stats: exact statistics and counters after scripted sequences.
 *
 * The maps use the identity hash, so the layout of every chain is known:
 * key b + 32 * m sits in bucket b of a B = 5 array, tophash 5.
 */
#include "hmap_test_util.h"

/* Headers of hmap_core.c's private allocations: overflow bucket, object. */
#define OVF_HDR		ALIGN(sizeof(void *), 8)
#define OBJ_HDR		ALIGN(sizeof(void *) + sizeof(struct rcu_head), 8)

/* u64 -> u64: 8 tophash bytes, 8 keys, 8 values, the overflow pointer. */
#define BSIZE		144

static u64 gen_size(unsigned long nbuckets)
{
	return sizeof(struct hmap_gen) + nbuckets * BSIZE;
}

/*
 * B = 5 (hint 200; 32 buckets and 2 preallocated overflow buckets) with a
 * chain of 9 buckets at index 0 (65 keys), 3 at index 1 (17 keys) and 2 at
 * index 2 (9 keys): 11 overflow buckets, the first 2 preallocated.
 */
static struct hmap_core *chained_map(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 200,
					    hmap_test_hash_identity);
	u64 m;

	KUNIT_ASSERT_EQ(test, h->B, 5);
	for (m = 0; m < 65; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 32 * m, m), 0);
	for (m = 0; m < 17; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1 + 32 * m, m), 0);
	for (m = 0; m < 9; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 2 + 32 * m, m), 0);
	return h;
}

static void hmap_core_stats_exact_with_long_chain(struct kunit *test)
{
	struct hmap_core *h = chained_map(test);
	struct hmap_core_stats st;

	hmap_core_stats(h, &st);
	KUNIT_EXPECT_EQ(test, st.count, 91);
	KUNIT_EXPECT_EQ(test, st.B, 5);
	KUNIT_EXPECT_EQ(test, st.buckets, 32);
	KUNIT_EXPECT_EQ(test, st.overflow, 11);
	KUNIT_EXPECT_EQ(test, st.old_buckets, 0);
	KUNIT_EXPECT_EQ(test, st.nevacuate, 0);
	KUNIT_EXPECT_FALSE(test, st.same_size);
	/* 34 buckets in the array, 9 overflow buckets allocated apart. */
	KUNIT_EXPECT_EQ(test, st.bytes, gen_size(34) + 9 * (OVF_HDR + BSIZE));
	KUNIT_EXPECT_EQ(test, st.chain_hist[0], 29);
	KUNIT_EXPECT_EQ(test, st.chain_hist[1], 1);
	KUNIT_EXPECT_EQ(test, st.chain_hist[2], 1);
	KUNIT_EXPECT_EQ(test, st.chain_hist[3], 0);
	KUNIT_EXPECT_EQ(test, st.chain_hist[4], 0);
	KUNIT_EXPECT_EQ(test, st.chain_hist[5], 0);
	KUNIT_EXPECT_EQ(test, st.chain_hist[6], 0);
	/* The last row counts chains of 8 buckets or more. */
	KUNIT_EXPECT_EQ(test, st.chain_hist[7], 1);
	KUNIT_EXPECT_EQ(test, h->noverflow, 11);
	KUNIT_EXPECT_EQ(test, h->growths, 0);
	KUNIT_EXPECT_EQ(test, h->moved, 0);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_stats_histogram_caps_at_eight(struct kunit *test)
{
	struct hmap_core *h = chained_map(test);
	struct hmap_core_stats st;
	u64 m;

	/* Bucket 3 gets a chain of exactly 8 buckets: the same last row. */
	for (m = 0; m < 57; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 3 + 32 * m, m), 0);
	hmap_core_stats(h, &st);
	KUNIT_EXPECT_EQ(test, st.chain_hist[6], 0);
	KUNIT_EXPECT_EQ(test, st.chain_hist[7], 2);
	KUNIT_EXPECT_EQ(test, st.chain_hist[0], 28);
	KUNIT_EXPECT_EQ(test, st.overflow, 18);
}

/*
 * The chained map filled to 6.5 * 32 = 208 keys (four more per bucket
 * from 3 to 31, and 3 + 128), then key 351 (bucket 31) starts a doubling.
 * The insert evacuates old bucket 31, then old bucket 0 at nevacuate:
 * 33 keys to X (index 0: 4 overflow buckets) and 32 to Y (index 32: 3),
 * the first 4 of them preallocated in the B = 6 array.
 */
static struct hmap_core *doubling_map(struct kunit *test)
{
	struct hmap_core *h = chained_map(test);
	u64 b, m;

	for (b = 3; b < 32; b++)
		for (m = 0; m < 4; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_put(h, b + 32 * m, m), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 3 + 32 * 4, 0), 0);
	KUNIT_ASSERT_EQ(test, h->count, 208);
	KUNIT_ASSERT_FALSE(test, hmap_core_growing(h));
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 31 + 32 * 10, 0), 0);
	return h;
}

static void hmap_core_stats_exact_during_growth(struct kunit *test)
{
	struct hmap_core *h = doubling_map(test);
	struct hmap_core_stats st;

	hmap_core_stats(h, &st);
	KUNIT_EXPECT_EQ(test, st.count, 209);
	KUNIT_EXPECT_EQ(test, st.B, 6);
	KUNIT_EXPECT_EQ(test, st.buckets, 64);
	KUNIT_EXPECT_EQ(test, st.overflow, 7);
	KUNIT_EXPECT_EQ(test, st.old_buckets, 32);
	KUNIT_EXPECT_EQ(test, st.nevacuate, 1);
	KUNIT_EXPECT_FALSE(test, st.same_size);
	/* Both arrays, each with the overflow buckets allocated for it. */
	KUNIT_EXPECT_EQ(test, st.bytes,
			gen_size(34) + 9 * (OVF_HDR + BSIZE) +
			gen_size(68) + 3 * (OVF_HDR + BSIZE));
	/* New chains: 5 buckets at 0, 4 at 32, the other 62 single. */
	KUNIT_EXPECT_EQ(test, st.chain_hist[0], 62);
	KUNIT_EXPECT_EQ(test, st.chain_hist[3], 1);
	KUNIT_EXPECT_EQ(test, st.chain_hist[4], 1);
	KUNIT_EXPECT_EQ(test, st.chain_hist[7], 0);
	KUNIT_EXPECT_EQ(test, h->noverflow, 7);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_counts_growth_and_moves(struct kunit *test)
{
	struct hmap_core *h = doubling_map(test);

	KUNIT_EXPECT_EQ(test, h->growths, 1);
	/* Old buckets 31 (4 keys) and 0 (65 keys) are evacuated so far. */
	KUNIT_EXPECT_EQ(test, h->moved, 69);
	hmap_test_finish_growth(test, h);
	/* Every entry of the old array moved once, the new key never. */
	KUNIT_EXPECT_EQ(test, h->moved, 208);
	KUNIT_EXPECT_EQ(test, h->growths, 1);
}

static void hmap_core_update_counts_every_growth(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_mix);
	u64 k;

	/*
	 * Doublings start at the 9th, 14th, 27th, 53rd, 105th and 209th key,
	 * when 8, 13, 26, 52, 104 and 208 entries have to move.
	 */
	for (k = 0; k < 300; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	hmap_test_finish_growth(test, h);
	KUNIT_EXPECT_EQ(test, h->B, 6);
	KUNIT_EXPECT_EQ(test, h->growths, 6);
	KUNIT_EXPECT_EQ(test, h->moved, 8 + 13 + 26 + 52 + 104 + 208);
}

static void hmap_core_update_counts_same_size_growth(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 100,
					    hmap_test_hash_identity);
	struct hmap_core_stats st;
	u64 j, m;

	/* 16 buckets with one key and one empty overflow bucket each. */
	for (j = 0; j < 16; j++) {
		for (m = 0; m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_put(h, j + 16 * m, m), 0);
		for (m = 1; m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_del(h, j + 16 * m), 0);
	}
	KUNIT_ASSERT_EQ(test, h->growths, 0);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1000, 1), 0);
	hmap_core_stats(h, &st);
	KUNIT_EXPECT_TRUE(test, st.same_size);
	KUNIT_EXPECT_EQ(test, st.old_buckets, 16);
	KUNIT_EXPECT_EQ(test, st.buckets, 16);
	KUNIT_EXPECT_EQ(test, h->growths, 1);
	hmap_test_finish_growth(test, h);
	KUNIT_EXPECT_EQ(test, h->moved, 16);
	KUNIT_EXPECT_EQ(test, h->growths, 1);
	hmap_core_stats(h, &st);
	KUNIT_EXPECT_FALSE(test, st.same_size);
	KUNIT_EXPECT_EQ(test, st.old_buckets, 0);
	KUNIT_EXPECT_EQ(test, st.nevacuate, 0);
}

static void hmap_core_stats_counts_out_of_line_objects(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 200, 300, 0,
					    hmap_test_hash_mix);
	u8 key[200] = { }, val[300] = { };
	struct hmap_core_stats st;
	u64 k;

	for (k = 0; k < 5; k++) {
		memcpy(key, &k, sizeof(k));
		KUNIT_ASSERT_EQ(test, hmap_core_update(h, key, val, HMAP_UPDATE_ANY,
						       GFP_KERNEL), 0);
	}
	hmap_core_stats(h, &st);
	/* B = 0, pointer slots: 8 + 8 * 8 + 8 * 8 + 8 = 144 bytes. */
	KUNIT_EXPECT_EQ(test, h->bucket_size, BSIZE);
	KUNIT_EXPECT_EQ(test, st.bytes, gen_size(1) + 5 * (OBJ_HDR + 200) +
			5 * (OBJ_HDR + 300));
}

static void hmap_core_stats_counts_donated_array(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_mix);
	struct hmap_core_stats st;

	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1, 1), 0);
	hmap_core_donate(h, hmap_core_gen_alloc(h, 4, GFP_KERNEL), NULL, 0);
	KUNIT_ASSERT_NOT_NULL(test, h->reserve);
	hmap_core_stats(h, &st);
	/* The B = 0 array and the unused B = 4 one (16 + 1 buckets). */
	KUNIT_EXPECT_EQ(test, st.bytes, gen_size(1) + gen_size(17));
}

static void hmap_core_stats_counts_donated_overflow(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_mix);
	struct hmap_core_stats st;
	void *ovf[3];
	int i;

	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1, 1), 0);
	for (i = 0; i < 3; i++) {
		ovf[i] = hmap_core_ovf_alloc(h, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ovf[i]);
	}
	hmap_core_donate(h, NULL, ovf, 3);
	hmap_core_stats(h, &st);
	/* Spares are held by the map though no chain uses them. */
	KUNIT_EXPECT_EQ(test, st.overflow, 0);
	KUNIT_EXPECT_EQ(test, st.bytes, gen_size(1) + 3 * (OVF_HDR + BSIZE));
}

static void hmap_core_stats_empty_map(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core_stats st;

	/* No array yet: nothing is held. */
	hmap_core_stats(h, &st);
	KUNIT_EXPECT_EQ(test, st.count, 0);
	KUNIT_EXPECT_EQ(test, st.B, 0);
	KUNIT_EXPECT_EQ(test, st.buckets, 0);
	KUNIT_EXPECT_EQ(test, st.bytes, 0);
	KUNIT_EXPECT_EQ(test, st.chain_hist[0], 0);
}

/* Windows of any size add up to the whole walk, and the last one says so. */
static void hmap_core_stats_chains_in_windows(struct kunit *test)
{
	struct hmap_core *h = chained_map(test);
	struct hmap_core_stats whole, part;
	unsigned long next = 0, steps = 0;
	unsigned int i;

	hmap_core_stats(h, &whole);
	hmap_core_stats_head(h, &part);
	KUNIT_EXPECT_EQ(test, part.overflow, 0);
	KUNIT_EXPECT_EQ(test, part.bytes, whole.bytes);
	do {
		next = hmap_core_stats_chains(h, &part, next, 3);
		steps++;
	} while (next);
	/* 32 buckets, 3 at a time: 11 steps. */
	KUNIT_EXPECT_EQ(test, steps, 11);
	KUNIT_EXPECT_EQ(test, part.overflow, 11);
	KUNIT_EXPECT_EQ(test, part.overflow, whole.overflow);
	for (i = 0; i < HMAP_CHAIN_HIST_LEN; i++)
		KUNIT_EXPECT_EQ(test, part.chain_hist[i], whole.chain_hist[i]);
}

static struct kunit_case hmap_stats_cases[] = {
	KUNIT_CASE(hmap_core_stats_exact_with_long_chain),
	KUNIT_CASE(hmap_core_stats_histogram_caps_at_eight),
	KUNIT_CASE(hmap_core_stats_exact_during_growth),
	KUNIT_CASE(hmap_core_update_counts_growth_and_moves),
	KUNIT_CASE(hmap_core_update_counts_every_growth),
	KUNIT_CASE(hmap_core_update_counts_same_size_growth),
	KUNIT_CASE(hmap_core_stats_counts_out_of_line_objects),
	KUNIT_CASE(hmap_core_stats_counts_donated_array),
	KUNIT_CASE(hmap_core_stats_counts_donated_overflow),
	KUNIT_CASE(hmap_core_stats_empty_map),
	KUNIT_CASE(hmap_core_stats_chains_in_windows),
	{}
};

static struct kunit_suite hmap_stats_suite = {
	.name = "hmap_stats",
	.test_cases = hmap_stats_cases,
};

kunit_test_suites(&hmap_stats_suite);
