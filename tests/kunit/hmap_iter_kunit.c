// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_iter: every key present for a whole iteration is returned exactly
 * once, across growth started before or during the iteration.
 */
#include "hmap_test_util.h"

#define NKEYS	600

struct iter_fixture {
	struct hmap_core *h;
	u8 *seen;		/* times each initial key was returned */
};

static struct iter_fixture *fixture(struct kunit *test, unsigned long hint,
				    unsigned long nkeys)
{
	struct iter_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	u64 k;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->seen = kunit_kzalloc(test, NKEYS, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->seen);
	f->h = hmap_test_map(test, 8, 8, hint, NULL);
	for (k = 0; k < nkeys; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(f->h, k, k + 1), 0);
	return f;
}

/* Take one step; count initial keys and check their values. */
static bool step(struct kunit *test, struct iter_fixture *f,
		 struct hmap_core_iter *it)
{
	const void *kp;
	void *vp;
	u64 k;

	if (!hmap_core_iter_next(it, &kp, &vp))
		return false;
	memcpy(&k, kp, 8);
	if (k < NKEYS) {
		f->seen[k]++;
		KUNIT_EXPECT_EQ(test, *(u64 *)vp, k + 1);
	}
	return true;
}

static void expect_once(struct kunit *test, struct iter_fixture *f,
			unsigned long nkeys)
{
	unsigned long k, bad = 0;

	for (k = 0; k < nkeys; k++)
		bad += f->seen[k] != 1;
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "keys not returned exactly once");
}

static void hmap_core_iter_returns_each_key_once(struct kunit *test)
{
	struct iter_fixture *f = fixture(test, 0, NKEYS);
	struct hmap_core_iter it;

	hmap_core_iter_start(f->h, &it);
	while (step(test, f, &it))
		;
	expect_once(test, f, NKEYS);
}

static void hmap_core_iter_empty_map(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core_iter it;
	const void *k;
	void *v;

	hmap_core_iter_start(h, &it);
	KUNIT_EXPECT_FALSE(test, hmap_core_iter_next(&it, &k, &v));
	hmap_core_iter_end(&it);
}

static void hmap_core_iter_growth_started_mid_iteration(struct kunit *test)
{
	/* 416 keys fill B = 6 exactly; new keys force a doubling. */
	struct iter_fixture *f = fixture(test, 0, 416);
	struct hmap_core_iter it;
	u64 next = NKEYS, n = 0;
	u8 B = f->h->B;

	hmap_core_iter_start(f->h, &it);
	while (step(test, f, &it)) {
		/* Interleave inserts that start and drive the growth. */
		if (++n % 3 == 0)
			KUNIT_ASSERT_EQ(test, hmap_test_put(f->h, next++, 0), 0);
	}
	KUNIT_EXPECT_GT(test, f->h->B, B);
	expect_once(test, f, 416);
	HMAP_EXPECT_VALID(test, f->h);
}

static void hmap_core_iter_started_during_growth(struct kunit *test)
{
	struct iter_fixture *f = fixture(test, 0, 417);
	struct hmap_core_iter it;
	u64 absent = ~0ULL;

	/* The 417th key started a doubling that is barely under way. */
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(f->h));
	hmap_core_iter_start(f->h, &it);
	while (step(test, f, &it))
		hmap_core_delete(f->h, &absent, NULL, GFP_KERNEL);
	expect_once(test, f, 417);
}

static void hmap_core_iter_survives_two_growths(struct kunit *test)
{
	struct iter_fixture *f = fixture(test, 0, 200);
	struct hmap_core_iter it;
	u64 next = NKEYS, n = 0;
	u8 B = f->h->B;

	hmap_core_iter_start(f->h, &it);
	while (step(test, f, &it))
		for (n = 0; n < 8; n++)
			KUNIT_ASSERT_EQ(test, hmap_test_put(f->h, next++, 0), 0);
	KUNIT_EXPECT_GE(test, f->h->B, B + 2);
	expect_once(test, f, 200);
	HMAP_EXPECT_VALID(test, f->h);
}

static void hmap_core_iter_skips_deleted_keys(struct kunit *test)
{
	struct iter_fixture *f = fixture(test, 0, NKEYS);
	struct hmap_core_iter it;
	unsigned long k;

	hmap_core_iter_start(f->h, &it);
	KUNIT_ASSERT_TRUE(test, step(test, f, &it));
	/* Delete every key not returned yet: none of them may appear. */
	for (k = 0; k < NKEYS; k++)
		if (!f->seen[k])
			KUNIT_ASSERT_EQ(test, hmap_test_del(f->h, k), 0);
	KUNIT_EXPECT_FALSE(test, step(test, f, &it));
}

static void hmap_core_iter_clear_ends_iteration(struct kunit *test)
{
	struct iter_fixture *f = fixture(test, 0, 417);
	struct hmap_core_iter it;
	unsigned long k, seen = 0;

	hmap_core_iter_start(f->h, &it);
	KUNIT_ASSERT_TRUE(test, step(test, f, &it));
	hmap_core_clear(f->h, GFP_KERNEL);
	while (step(test, f, &it))
		;
	for (k = 0; k < NKEYS; k++)
		seen += f->seen[k];
	KUNIT_EXPECT_EQ(test, seen, 1);
	HMAP_EXPECT_VALID(test, f->h);
}

static void hmap_core_iter_end_inside_old_chain(struct kunit *test)
{
	struct iter_fixture *f = fixture(test, 0, 417);
	struct hmap_core_iter it;
	struct hmap_gen *old = f->h->oldbuckets;
	unsigned int refs;

	KUNIT_ASSERT_NOT_NULL(test, old);
	refs = old->refs;
	hmap_core_iter_start(f->h, &it);
	/* Walk until the iterator stands in an unevacuated old chain. */
	while (!it.chain_gen && step(test, f, &it))
		;
	KUNIT_ASSERT_PTR_EQ(test, it.chain_gen, old);
	KUNIT_EXPECT_EQ(test, old->refs, refs + 1);
	hmap_core_iter_end(&it);
	KUNIT_EXPECT_EQ(test, old->refs, refs);
	KUNIT_EXPECT_NULL(test, it.chain_gen);
	/* The old array can now be released by the growth as usual. */
	hmap_test_finish_growth(test, f->h);
	HMAP_EXPECT_VALID(test, f->h);
}

static void hmap_core_iter_random_start(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core_iter it;
	u64 first[5], k;
	const void *kp;
	void *vp;
	int i, differ = 0;

	for (k = 0; k < 100; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	for (i = 0; i < 5; i++) {
		hmap_core_iter_start(h, &it);
		KUNIT_ASSERT_TRUE(test, hmap_core_iter_next(&it, &kp, &vp));
		memcpy(&first[i], kp, 8);
		hmap_core_iter_end(&it);
		differ += i && first[i] != first[0];
	}
	/* 16 buckets x 8 offsets: five equal starts are a 1 in 2^28 event. */
	KUNIT_EXPECT_GT(test, differ, 0);
}

static void hmap_core_iter_emptied_map(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core_iter it;
	const void *k;
	void *v;

	/* An array but no entries: the iteration is over before it starts. */
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1, 1), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 1), 0);
	hmap_core_iter_start(h, &it);
	KUNIT_EXPECT_TRUE(test, it.done);
	KUNIT_EXPECT_EQ(test, h->niters, 0);
	KUNIT_EXPECT_EQ(test, h->buckets->refs, 0);
	KUNIT_EXPECT_FALSE(test, hmap_core_iter_next(&it, &k, &v));
	hmap_core_iter_end(&it);
	KUNIT_EXPECT_EQ(test, h->niters, 0);
}

static void hmap_core_iter_start_holds_current_array(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core_iter it;

	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1, 1), 0);
	hmap_core_iter_start(h, &it);
	KUNIT_EXPECT_FALSE(test, it.done);
	KUNIT_EXPECT_PTR_EQ(test, it.gen, h->buckets);
	KUNIT_EXPECT_EQ(test, it.B, h->B);
	KUNIT_EXPECT_EQ(test, h->buckets->refs, 1);
	KUNIT_EXPECT_EQ(test, h->niters, 1);
	KUNIT_EXPECT_EQ(test, it.check_bucket, HMAP_NO_CHECK);
	hmap_core_iter_end(&it);
	KUNIT_EXPECT_EQ(test, h->buckets->refs, 0);
	KUNIT_EXPECT_EQ(test, h->niters, 0);
	KUNIT_EXPECT_NULL(test, it.gen);
}

static void hmap_core_iter_single_bucket_each_key_once(struct kunit *test)
{
	struct iter_fixture *f = fixture(test, 0, 8);
	struct hmap_core_iter it;
	u8 first_seen = 0;
	const void *kp;
	void *vp;
	u64 k;
	int n;

	/* B = 0, a full bucket: every start offset returns all 8 keys. */
	KUNIT_ASSERT_EQ(test, f->h->B, 0);
	for (n = 0; n < 200; n++) {
		memset(f->seen, 0, NKEYS);
		hmap_core_iter_start(f->h, &it);
		KUNIT_EXPECT_EQ(test, it.start_bucket, 0);
		KUNIT_ASSERT_TRUE(test, hmap_core_iter_next(&it, &kp, &vp));
		memcpy(&k, kp, 8);
		first_seen |= 1 << k;
		f->seen[k]++;
		while (step(test, f, &it))
			;
		expect_once(test, f, 8);
	}
	/* The start slot is random: each key came first at least once. */
	KUNIT_EXPECT_EQ(test, first_seen, 0xff);
}

static void hmap_core_iter_start_covers_buckets_and_slots(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 20, NULL);
	unsigned int buckets = 0, offsets = 0, n;
	struct hmap_core_iter it;

	KUNIT_ASSERT_EQ(test, h->B, 2);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1, 1), 0);
	for (n = 0; n < 256; n++) {
		hmap_core_iter_start(h, &it);
		KUNIT_EXPECT_LT(test, it.start_bucket, 4);
		KUNIT_EXPECT_LT(test, it.offset, HMAP_SLOTS);
		KUNIT_EXPECT_EQ(test, it.bucket, it.start_bucket);
		buckets |= 1 << it.start_bucket;
		offsets |= 1 << it.offset;
		hmap_core_iter_end(&it);
	}
	KUNIT_EXPECT_EQ(test, buckets, 0xf);
	KUNIT_EXPECT_EQ(test, offsets, 0xff);
}

static void hmap_core_iter_start_during_growth_walks_new_array(struct kunit *test)
{
	struct iter_fixture *f = fixture(test, 0, 417);
	struct hmap_core_iter it;

	/* The 417th key started doubling B = 6: iterate over the B = 7 array. */
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(f->h));
	hmap_core_iter_start(f->h, &it);
	KUNIT_EXPECT_PTR_EQ(test, it.gen, f->h->buckets);
	KUNIT_EXPECT_EQ(test, it.B, 7);
	KUNIT_EXPECT_LT(test, it.start_bucket, 128);
	KUNIT_EXPECT_EQ(test, f->h->oldbuckets->refs, 0);
	while (step(test, f, &it))
		;
	expect_once(test, f, 417);
	KUNIT_EXPECT_EQ(test, f->h->oldbuckets->refs, 0);
	KUNIT_EXPECT_EQ(test, f->h->buckets->refs, 0);
}

/* Header of an out-of-line key (struct hmap_obj in hmap_core.c). */
#define OBJ_HDR		ALIGN(sizeof(void *) + sizeof(struct rcu_head), 8)

/* Keys 0..@n - 1 of @key_size bytes (the number in the first 8). */
static struct hmap_core *wide_key_map(struct kunit *test, u32 key_size,
				      u32 value_size, u64 n, u8 *key)
{
	struct hmap_core *h = hmap_test_map(test, key_size, value_size, n,
					    hmap_test_hash_mix);
	u8 *val = kunit_kzalloc(test, value_size, GFP_KERNEL);
	u64 k;

	KUNIT_ASSERT_NOT_NULL(test, val);
	for (k = 0; k < n; k++) {
		memcpy(key, &k, sizeof(k));
		KUNIT_ASSERT_EQ(test, hmap_core_update(h, key, val, HMAP_UPDATE_ANY,
						       GFP_KERNEL), 0);
	}
	return h;
}

static void del_wide(struct kunit *test, struct hmap_core *h, u8 *key, u64 k)
{
	memcpy(key, &k, sizeof(k));
	KUNIT_ASSERT_EQ(test, hmap_core_delete(h, key, NULL, GFP_KERNEL), 0);
}

static void hmap_core_iter_defers_deleted_keys(struct kunit *test)
{
	u8 key[200] = { };
	struct hmap_core *h = wide_key_map(test, 200, 300, 10, key);
	struct hmap_core_iter it;
	u64 k;

	hmap_core_iter_start(h, &it);
	for (k = 0; k < 3; k++)
		del_wide(test, h, key, k);
	/* Keys wait for the iterator (it may read them); values do not. */
	KUNIT_EXPECT_NOT_NULL(test, h->deferred);
	KUNIT_EXPECT_EQ(test, h->deferred_bytes, 3 * (OBJ_HDR + 200));
	hmap_core_iter_end(&it);
	KUNIT_EXPECT_NULL(test, h->deferred);
	KUNIT_EXPECT_EQ(test, h->deferred_bytes, 0);
	/* Without an iterator a deleted key goes at once. */
	del_wide(test, h, key, 3);
	KUNIT_EXPECT_NULL(test, h->deferred);
	KUNIT_EXPECT_EQ(test, h->deferred_bytes, 0);
}

/* Step @it once; it must end, stale. */
static void expect_stale(struct kunit *test, struct hmap_core *h,
			 struct hmap_core_iter *it)
{
	const void *k;
	void *v;

	KUNIT_EXPECT_FALSE(test, hmap_core_iter_next(it, &k, &v));
	KUNIT_EXPECT_TRUE(test, it->stale);
	KUNIT_EXPECT_TRUE(test, it->done);
	KUNIT_EXPECT_EQ(test, h->niters, 0);
}

static void hmap_core_iter_stale_past_live_key_bytes(struct kunit *test)
{
	u8 key[512] = { };
	struct hmap_core *h = wide_key_map(test, 512, 8, 4001, key);
	struct hmap_core_iter it;
	const void *kp;
	u32 epoch = h->iter_epoch;
	void *vp;
	u64 k;

	/*
	 * Held back: at most as much as the live keys take (more than 1 MiB
	 * here). After 2001 deletes both are 2001 keys' worth ...
	 */
	hmap_core_iter_start(h, &it);
	for (k = 0; k < 2001; k++)
		del_wide(test, h, key, k);
	KUNIT_EXPECT_EQ(test, h->deferred_bytes, 2001 * (OBJ_HDR + 512));
	KUNIT_EXPECT_EQ(test, h->iter_epoch, epoch);
	/* ... one more is too many: all are freed, the iterator is stale. */
	del_wide(test, h, key, 2001);
	KUNIT_EXPECT_NULL(test, h->deferred);
	KUNIT_EXPECT_EQ(test, h->deferred_bytes, 0);
	KUNIT_EXPECT_NE(test, h->iter_epoch, epoch);
	expect_stale(test, h, &it);
	/* A new iteration is not stale. */
	hmap_core_iter_start(h, &it);
	KUNIT_EXPECT_TRUE(test, hmap_core_iter_next(&it, &kp, &vp));
	KUNIT_EXPECT_FALSE(test, it.stale);
	hmap_core_iter_end(&it);
}

static void hmap_core_iter_stale_past_one_mib(struct kunit *test)
{
	u8 key[232] = { };
	struct hmap_core *h = wide_key_map(test, 232, 8, 4097, key);
	struct hmap_core_iter it;
	u64 k;

	/* 256-byte keys: 4096 of them are exactly the 1 MiB floor. */
	KUNIT_ASSERT_EQ(test, OBJ_HDR + 232, 256);
	hmap_core_iter_start(h, &it);
	for (k = 0; k < 4096; k++)
		del_wide(test, h, key, k);
	KUNIT_EXPECT_EQ(test, h->deferred_bytes, 1 << 20);
	KUNIT_EXPECT_FALSE(test, it.stale);
	del_wide(test, h, key, 4096);
	KUNIT_EXPECT_EQ(test, h->deferred_bytes, 0);
	expect_stale(test, h, &it);
}

static void hmap_core_iter_budget_pauses_per_bucket(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 100,
					    hmap_test_hash_identity);
	unsigned long before, pauses = 0, keys = 0, calls;
	struct hmap_core_iter it;
	const void *kp;
	void *vp;

	/* B = 4, one key: 15 empty buckets to walk. */
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 5, 5), 0);
	hmap_core_iter_start(h, &it);
	for (calls = 0; calls < 100; calls++) {
		/* A budget of 2 lets a step enter one bucket. */
		it.budget = 2;
		before = it.bucket;
		if (hmap_core_iter_next(&it, &kp, &vp)) {
			keys++;
			continue;
		}
		if (!it.paused)
			break;
		pauses++;
		KUNIT_EXPECT_EQ(test, it.bucket, (before + 1) % 16);
		it.paused = false;
	}
	KUNIT_EXPECT_EQ(test, keys, 1);
	KUNIT_EXPECT_TRUE(test, it.done);
	/* Every bucket but the key's and the one the walk ends in. */
	KUNIT_EXPECT_GE(test, pauses, 14);
	KUNIT_EXPECT_LE(test, pauses, 15);
}

static struct kunit_case hmap_iter_cases[] = {
	KUNIT_CASE(hmap_core_iter_returns_each_key_once),
	KUNIT_CASE(hmap_core_iter_empty_map),
	KUNIT_CASE(hmap_core_iter_growth_started_mid_iteration),
	KUNIT_CASE(hmap_core_iter_started_during_growth),
	KUNIT_CASE(hmap_core_iter_survives_two_growths),
	KUNIT_CASE(hmap_core_iter_skips_deleted_keys),
	KUNIT_CASE(hmap_core_iter_clear_ends_iteration),
	KUNIT_CASE(hmap_core_iter_end_inside_old_chain),
	KUNIT_CASE(hmap_core_iter_random_start),
	KUNIT_CASE(hmap_core_iter_emptied_map),
	KUNIT_CASE(hmap_core_iter_start_holds_current_array),
	KUNIT_CASE(hmap_core_iter_single_bucket_each_key_once),
	KUNIT_CASE(hmap_core_iter_start_covers_buckets_and_slots),
	KUNIT_CASE(hmap_core_iter_start_during_growth_walks_new_array),
	KUNIT_CASE(hmap_core_iter_defers_deleted_keys),
	KUNIT_CASE(hmap_core_iter_stale_past_live_key_bytes),
	KUNIT_CASE(hmap_core_iter_stale_past_one_mib),
	KUNIT_CASE(hmap_core_iter_budget_pauses_per_bucket),
	{}
};

static struct kunit_suite hmap_iter_suite = {
	.name = "hmap_iter",
	.test_cases = hmap_iter_cases,
};

kunit_test_suites(&hmap_iter_suite);
