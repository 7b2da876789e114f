// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_flood: keys crafted against the default multiply-mix hash (the
 * tests know the map's seed, an attacker would have to recover it) pile
 * into one chain; the map must notice, rehash itself with hsiphash under a
 * fresh key, incrementally, and keep every lookup, iteration and
 * allocation-failure guarantee while it does.
 */
#include "hmap_test_util.h"

/* Created for 512 entries: B = 7, no doubling while the flood runs. */
#define FLOOD_HINT	512
#define FLOOD_B		7
/* More colliding keys than the 56 that fill seven buckets of one chain. */
#define FLOOD_N		100
/* Crafted keys share these low hash bits, so one chain at any B <= 12. */
#define FLOOD_MASK	0xfffULL

/* @n keys that the map's current hash files under one bucket at B <= 12. */
static void flood_keys(struct kunit *test, struct hmap_core *h, u64 *keys,
		       unsigned int n)
{
	u64 k = hmap_random_u64();
	unsigned int i = 0;

	KUNIT_ASSERT_EQ(test, h->hkind, HMAP_HASH_FAST);
	while (i < n) {
		k++;
		if (!(hmap_core_hash(h, &k) & FLOOD_MASK))
			keys[i++] = k;
	}
}

/* A map, and in *@keys room for @n keys, the first FLOOD_N crafted against it. */
static struct hmap_core *flood_map(struct kunit *test, u64 **keys,
				   unsigned int n)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, FLOOD_HINT, NULL);

	*keys = kunit_kzalloc(test, n * sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *keys);
	KUNIT_ASSERT_EQ(test, h->B, FLOOD_B);
	flood_keys(test, h, *keys, FLOOD_N);
	return h;
}

/* Longest chain of the current array, in buckets (8 means 8 or more). */
static unsigned int longest_chain(struct hmap_core *h)
{
	struct hmap_core_stats st;
	unsigned int len;

	hmap_core_stats(h, &st);
	for (len = HMAP_CHAIN_HIST_LEN; len > 1; len--)
		if (st.chain_hist[len - 1])
			break;
	return len;
}

static void expect_all(struct kunit *test, struct hmap_core *h,
		       const u64 *keys, unsigned int n)
{
	unsigned int i, missing = 0;
	u64 v;

	for (i = 0; i < n; i++)
		missing += !hmap_test_get(h, keys[i], &v) || v != ~keys[i];
	KUNIT_EXPECT_EQ(test, missing, 0);
}

static void hmap_core_update_flood_switches_to_hsiphash(struct kunit *test)
{
	struct hmap_core *h;
	unsigned int i;
	u64 *keys;

	h = flood_map(test, &keys, FLOOD_N);
	for (i = 0; i < FLOOD_N; i++) {
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, keys[i], ~keys[i]), 0);
		/* Seven full buckets are not yet a flood... */
		if (i < HMAP_SLOTS * (HMAP_FLOOD_CHAIN - 1))
			KUNIT_EXPECT_EQ(test, h->hkind, HMAP_HASH_FAST);
	}
	/* ...the next key that needs an eighth one is. */
	KUNIT_EXPECT_EQ(test, h->hkind, HMAP_HASH_SIP);
	KUNIT_EXPECT_EQ(test, h->growths, 1);
	KUNIT_EXPECT_EQ(test, h->B, FLOOD_B);
	hmap_test_finish_growth(test, h);
	/* 100 keys over 128 buckets under a PRF: one bucket each, at most 2. */
	KUNIT_EXPECT_LE(test, longest_chain(h), 2);
	expect_all(test, h, keys, FLOOD_N);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_lookup_during_flood_rehash(struct kunit *test)
{
	struct hmap_core *h;
	unsigned int i;
	u64 *keys;

	h = flood_map(test, &keys, FLOOD_N);
	/* Random keys too, spread over the old array. */
	for (i = 0; i < 300; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, i, ~(u64)i), 0);
	for (i = 0; i < FLOOD_N && h->hkind == HMAP_HASH_FAST; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, keys[i], ~keys[i]), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(h));
	/* Every entry is found at every step, under whichever hash files it. */
	while (hmap_core_growing(h)) {
		expect_all(test, h, keys, i);
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 299, NULL));
		HMAP_EXPECT_VALID(test, h);
		KUNIT_ASSERT_NE(test, hmap_core_grow_step(h, 1, GFP_KERNEL),
				-ENOMEM);
	}
	expect_all(test, h, keys, i);
	KUNIT_EXPECT_EQ(test, h->count, 300 + i);
	HMAP_EXPECT_VALID(test, h);
}

/* Count, per key, what an iteration returned; all must be exactly once. */
static void iter_count(struct hmap_core_iter *it, const u64 *keys,
		       unsigned int n, u8 *seen, unsigned int steps)
{
	const void *k;
	void *v;
	unsigned int i;

	while (steps-- && hmap_core_iter_next(it, &k, &v))
		for (i = 0; i < n; i++)
			if (keys[i] == *(const u64 *)k)
				seen[i]++;
}

static void hmap_core_iter_across_flood_rehash(struct kunit *test)
{
	unsigned int n = FLOOD_N + 200, i, before, wrong = 0;
	u8 *seen_a = kunit_kzalloc(test, n, GFP_KERNEL);
	u8 *seen_b = kunit_kzalloc(test, n, GFP_KERNEL);
	struct hmap_core_iter a, b;
	struct hmap_core *h;
	u64 *keys;

	KUNIT_ASSERT_NOT_NULL(test, seen_a);
	KUNIT_ASSERT_NOT_NULL(test, seen_b);
	h = flood_map(test, &keys, n);
	for (i = FLOOD_N; i < n; i++)
		keys[i] = i;
	/* 200 ordinary keys and 50 crafted ones, then iterator a starts. */
	for (i = FLOOD_N; i < n; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, keys[i], ~keys[i]), 0);
	for (i = 0; i < 50; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, keys[i], ~keys[i]), 0);
	hmap_core_iter_start(h, &a);
	iter_count(&a, keys, n, seen_a, 40);
	/* The flood: the rehash starts; b starts while it runs. */
	for (; i < FLOOD_N && h->hkind == HMAP_HASH_FAST; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, keys[i], ~keys[i]), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(h));
	before = i;
	hmap_core_iter_start(h, &b);
	/* Steps of both, between writes that carry the rehash on. */
	while (!a.done || !b.done) {
		iter_count(&a, keys, n, seen_a, 7);
		iter_count(&b, keys, n, seen_b, 7);
		if (i < FLOOD_N) {
			KUNIT_ASSERT_EQ(test, hmap_test_put(h, keys[i], ~keys[i]), 0);
			i++;
		}
		hmap_core_grow_step(h, 1, GFP_KERNEL);
	}
	KUNIT_EXPECT_FALSE(test, a.stale);
	KUNIT_EXPECT_FALSE(test, b.stale);
	/* Present throughout: exactly once; added meanwhile: at most once. */
	for (i = 0; i < n; i++) {
		bool old_a = i < 50 || i >= FLOOD_N, old_b = i < before || i >= FLOOD_N;

		wrong += old_a ? seen_a[i] != 1 : seen_a[i] > 1;
		wrong += old_b ? seen_b[i] != 1 : seen_b[i] > 1;
	}
	KUNIT_EXPECT_EQ(test, wrong, 0);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_flood_rehash_enomem(struct kunit *test)
{
	unsigned int i, stored;
	struct hmap_core *h;
	u64 *keys;

	h = flood_map(test, &keys, FLOOD_N);
	hmap_test_alloc_hook(test);
	for (i = 0; i < HMAP_SLOTS * (HMAP_FLOOD_CHAIN - 1); i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, keys[i], ~keys[i]), 0);
	stored = i;
	/* No memory: the rehash cannot get its array; the key is refused. */
	hmap_test_fail_all();
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, keys[i], ~keys[i]), -ENOMEM);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->hkind, HMAP_HASH_FAST);
	expect_all(test, h, keys, stored);
	HMAP_EXPECT_VALID(test, h);
	/*
	 * The array, but not the overflow buckets the flooded chain's
	 * evacuation reserves: the rehash has started, the key is refused,
	 * the chain stays whole in the old array.
	 */
	hmap_test_fail_nth(2);
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, keys[i], ~keys[i]), -ENOMEM);
	KUNIT_EXPECT_TRUE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->hkind, HMAP_HASH_SIP);
	KUNIT_EXPECT_EQ(test, h->count, stored);
	expect_all(test, h, keys, stored);
	HMAP_EXPECT_VALID(test, h);
	/* With memory again the same key goes in and the rehash completes. */
	for (; i < FLOOD_N; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, keys[i], ~keys[i]), 0);
	hmap_test_finish_growth(test, h);
	KUNIT_EXPECT_LE(test, longest_chain(h), 2);
	expect_all(test, h, keys, FLOOD_N);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_random_keys_never_flood(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	u64 k;

	/* Sequential keys through every doubling up to B = 14. */
	for (k = 0; k < 100000; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, ~k), 0);
	KUNIT_EXPECT_EQ(test, h->hkind, HMAP_HASH_FAST);
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_FLOOD);
	KUNIT_EXPECT_LE(test, longest_chain(h), 4);
}

static void hmap_core_update_custom_hash_never_switches(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, FLOOD_HINT,
					    hmap_test_hash_const);
	u64 k;

	/* The creator chose the function: long chains are theirs. */
	for (k = 0; k < FLOOD_N; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, ~k), 0);
	KUNIT_EXPECT_EQ(test, h->hkind, HMAP_HASH_CUSTOM);
	KUNIT_EXPECT_EQ(test, h->growths, 0);
	/* 13 buckets in one chain (the histogram stops at 8). */
	KUNIT_EXPECT_EQ(test, longest_chain(h), 8);
}

static void hmap_core_same_size_growth_takes_new_key(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	hsiphash_key_t before;
	u32 gen;
	u64 k;

	for (k = 0; k < 200; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, ~k), 0);
	hmap_test_finish_growth(test, h);
	before = h->hkey;
	gen = h->seed_gen;
	/* Pretend the chains are sparse: the next insert packs them. */
	h->noverflow = U16_MAX;
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1000, 1), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(h));
	KUNIT_EXPECT_NE(test, h->seed_gen, gen);
	KUNIT_EXPECT_NE(test, h->hkey.key[0], before.key[0]);
	/* Not a flood: the fast hash stays, under a key crafted keys miss. */
	KUNIT_EXPECT_EQ(test, h->hkind, HMAP_HASH_FAST);
	hmap_test_finish_growth(test, h);
	for (k = 0; k < 200; k++)
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, k, NULL));
	HMAP_EXPECT_VALID(test, h);
}

static struct kunit_case hmap_flood_cases[] = {
	KUNIT_CASE(hmap_core_update_flood_switches_to_hsiphash),
	KUNIT_CASE(hmap_core_lookup_during_flood_rehash),
	KUNIT_CASE(hmap_core_iter_across_flood_rehash),
	KUNIT_CASE(hmap_core_update_flood_rehash_enomem),
	KUNIT_CASE(hmap_core_update_random_keys_never_flood),
	KUNIT_CASE(hmap_core_update_custom_hash_never_switches),
	KUNIT_CASE(hmap_core_same_size_growth_takes_new_key),
	{}
};

static struct kunit_suite hmap_flood_suite = {
	.name = "hmap_flood",
	.test_cases = hmap_flood_cases,
};

kunit_test_suites(&hmap_flood_suite);
