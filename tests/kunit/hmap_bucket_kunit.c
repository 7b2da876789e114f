// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_bucket: slots within a bucket and along its overflow chain.
 *
 * The maps here use the identity hash with B = 0, so every key lands in
 * bucket 0 and fills slots in insertion order.
 */
#include "hmap_test_util.h"

static u8 *first_bucket(struct hmap_core *h)
{
	return h->buckets->data;
}

static u8 *second_bucket(struct hmap_core *h)
{
	return *(u8 **)(first_bucket(h) + h->ovf_off);
}

/* The chain every key of a hmap_test_hash_const map lives in. */
static u8 *const_chain(struct hmap_core *h)
{
	u64 idx = hmap_test_hash_const(NULL, 0, 0) & ((1UL << h->B) - 1);

	return h->buckets->data + idx * h->bucket_size;
}

/* Keys 1..n (n <= 8, so B stays 0) with values 100..; slot i holds key i+1. */
static struct hmap_core *filled(struct kunit *test, int n)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_identity);
	int i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, i + 1, i + 100), 0);
	return h;
}

static void hmap_core_update_reuses_deleted_slot(struct kunit *test)
{
	struct hmap_core *h = filled(test, 8);
	u64 v;

	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 4), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 0x40, 7), 0);
	/* The hole at slot 3 took the new key: no overflow bucket needed. */
	KUNIT_EXPECT_NULL(test, second_bucket(h));
	KUNIT_EXPECT_EQ(test, *(u64 *)(first_bucket(h) + HMAP_SLOTS + 3 * 8),
			0x40);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 0x40, &v));
	KUNIT_EXPECT_EQ(test, v, 7);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_delete_last_marks_empty_rest(struct kunit *test)
{
	struct hmap_core *h = filled(test, 3);

	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 3), 0);
	KUNIT_EXPECT_EQ(test, first_bucket(h)[2], (u8)HMAP_EMPTY_REST);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_delete_middle_marks_empty_one(struct kunit *test)
{
	struct hmap_core *h = filled(test, 3);

	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 2), 0);
	KUNIT_EXPECT_EQ(test, first_bucket(h)[1], (u8)HMAP_EMPTY_ONE);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_delete_trailing_run_becomes_empty_rest(struct kunit *test)
{
	struct hmap_core *h = filled(test, 5);
	u8 *b = first_bucket(h);

	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 2), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 4), 0);
	KUNIT_EXPECT_EQ(test, b[3], (u8)HMAP_EMPTY_ONE);
	/* Deleting the last live slot folds the run 3..4 into emptyRest ... */
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 5), 0);
	KUNIT_EXPECT_EQ(test, b[3], (u8)HMAP_EMPTY_REST);
	KUNIT_EXPECT_EQ(test, b[4], (u8)HMAP_EMPTY_REST);
	/* ... but stops at the live slot 2 and leaves the hole at 1 alone. */
	KUNIT_EXPECT_EQ(test, b[1], (u8)HMAP_EMPTY_ONE);
	KUNIT_EXPECT_GE(test, b[2], (u8)HMAP_MIN_TOPHASH);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_delete_empty_rest_crosses_overflow(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_const);
	u8 *b0, *b1;
	u64 k;

	/* 8 (the B = 0 limit) fill bucket 0; the 9th grows to B = 1 ... */
	for (k = 1; k <= 10; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	hmap_test_finish_growth(test, h);
	/* ... and the constant hash keeps all ten in one chain. */
	b0 = const_chain(h);
	b1 = *(u8 **)(b0 + h->ovf_off);
	KUNIT_ASSERT_NOT_NULL(test, b1);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 10), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 9), 0);
	KUNIT_EXPECT_EQ(test, b1[0], (u8)HMAP_EMPTY_REST);
	/* The overflow bucket is now empty, so slot 7 ends the chain. */
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 8), 0);
	KUNIT_EXPECT_EQ(test, b0[7], (u8)HMAP_EMPTY_REST);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_delete_walks_back_into_previous_bucket(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_const);
	u8 *b0, *b1;
	u64 k;

	for (k = 1; k <= 9; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	hmap_test_finish_growth(test, h);
	b0 = const_chain(h);
	b1 = *(u8 **)(b0 + h->ovf_off);
	KUNIT_ASSERT_NOT_NULL(test, b1);
	/* Holes at the end of bucket 0 ... */
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 8), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 7), 0);
	KUNIT_EXPECT_EQ(test, b0[7], (u8)HMAP_EMPTY_ONE);
	/* ... become emptyRest once the overflow bucket empties. */
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 9), 0);
	KUNIT_EXPECT_EQ(test, b1[0], (u8)HMAP_EMPTY_REST);
	KUNIT_EXPECT_EQ(test, b0[7], (u8)HMAP_EMPTY_REST);
	KUNIT_EXPECT_EQ(test, b0[6], (u8)HMAP_EMPTY_REST);
	KUNIT_EXPECT_GE(test, b0[5], (u8)HMAP_MIN_TOPHASH);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_delete_zeroes_slot(struct kunit *test)
{
	struct hmap_core *h = filled(test, 2);
	u8 *b = first_bucket(h);

	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 1), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(b + HMAP_SLOTS, 0, 8));
	KUNIT_EXPECT_NULL(test, memchr_inv(b + h->values_off, 0, 8));
}

static void hmap_core_delete_returns_value(struct kunit *test)
{
	struct hmap_core *h = filled(test, 2);
	u64 key = 2, v = 0;

	KUNIT_EXPECT_EQ(test, hmap_core_delete(h, &key, &v, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, v, 101);
	KUNIT_EXPECT_EQ(test, hmap_core_delete(h, &key, &v, GFP_KERNEL), -ENOENT);
}

static void hmap_core_update_flags(struct kunit *test)
{
	struct hmap_core *h = filled(test, 1);
	u64 key = 1, absent = 50, v = 5;

	KUNIT_EXPECT_EQ(test, hmap_core_update(h, &key, &v, HMAP_UPDATE_NOEXIST,
					       GFP_KERNEL), -EEXIST);
	KUNIT_EXPECT_EQ(test, hmap_core_update(h, &absent, &v, HMAP_UPDATE_EXIST,
					       GFP_KERNEL), -ENOENT);
	KUNIT_EXPECT_EQ(test, hmap_core_update(h, &key, &v, HMAP_UPDATE_EXIST, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, hmap_core_update(h, &absent, &v, HMAP_UPDATE_NOEXIST, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, hmap_core_update(h, &key, &v, 3, GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, h->count, 2);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 1, &v));
	KUNIT_EXPECT_EQ(test, v, 5);
}

static void hmap_core_update_max_entries(struct kunit *test)
{
	struct hmap_core *h = filled(test, 3);
	u64 v;

	h->max_entries = 3;
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 99, 1), -E2BIG);
	/* A full map still updates the keys it has. */
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 2, 42), 0);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 2, &v));
	KUNIT_EXPECT_EQ(test, v, 42);
}

static void hmap_core_delete_to_empty_reseeds(struct kunit *test)
{
	struct hmap_core *h = filled(test, 2);
	unsigned long seed = h->hkey.key[0];

	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 1), 0);
	KUNIT_EXPECT_EQ(test, h->hkey.key[0], seed);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 2), 0);
	KUNIT_EXPECT_NE(test, h->hkey.key[0], seed);
}

static void hmap_core_clear_empties_map(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 1000, NULL);
	u64 k;

	for (k = 0; k < 500; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	hmap_core_clear(h, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, h->count, 0);
	KUNIT_EXPECT_EQ(test, h->B, hmap_core_hint_to_B(1000));
	KUNIT_EXPECT_FALSE(test, hmap_test_get(h, 7, NULL));
	HMAP_EXPECT_VALID(test, h);
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 7, 8), 0);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 7, NULL));
}

struct size_case {
	u32 key_size;
	u32 value_size;
};

/* Inline 4- and 8-byte values after odd key sizes, and a 2-byte key. */
static const struct size_case size_cases[] = {
	{ 1, 1 }, { 2, 8 }, { 3, 4 }, { 4, 8 }, { 5, 8 }, { 8, 0 }, { 8, 4 },
	{ 16, 64 }, { 128, 128 }, { 129, 200 }, { 512, 4096 },
};

static void size_desc(const struct size_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "key %u value %u", c->key_size,
		 c->value_size);
}

KUNIT_ARRAY_PARAM(sizes, size_cases, size_desc);

static void hmap_core_update_any_size_round_trips(struct kunit *test)
{
	const struct size_case *c = test->param_value;
	struct hmap_core *h = hmap_test_map(test, c->key_size, c->value_size,
					    0, NULL);
	u8 *key = kunit_kzalloc(test, c->key_size, GFP_KERNEL);
	u8 *val = kunit_kzalloc(test, c->value_size + 1, GFP_KERNEL);
	int i, n = 40;
	u8 *got;

	KUNIT_ASSERT_NOT_NULL(test, key);
	KUNIT_ASSERT_NOT_NULL(test, val);
	for (i = 0; i < n; i++) {
		memset(key, i, c->key_size);
		memset(val, i + 1, c->value_size);
		KUNIT_ASSERT_EQ(test, hmap_core_update(h, key, val, HMAP_UPDATE_ANY,
						       GFP_KERNEL), 0);
	}
	for (i = 0; i < n; i++) {
		memset(key, i, c->key_size);
		memset(val, i + 1, c->value_size);
		got = hmap_core_lookup(h, key);
		KUNIT_ASSERT_NOT_NULL(test, got);
		KUNIT_EXPECT_MEMEQ(test, got, val, c->value_size);
	}
	memset(key, 3, c->key_size);
	KUNIT_EXPECT_EQ(test, hmap_core_delete(h, key, NULL, GFP_KERNEL), 0);
	KUNIT_EXPECT_NULL(test, hmap_core_lookup(h, key));
	KUNIT_EXPECT_EQ(test, h->count, n - 1);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_accepts_exactly_max_entries(struct kunit *test)
{
	struct hmap_core_params p = {
		.key_size = 8, .value_size = 8, .max_entries = 20,
		.hashfn = hmap_test_hash_mix,
	};
	struct hmap_core *h = hmap_test_map_params(test, &p);
	u64 k;

	for (k = 0; k < 20; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 20, 20), -E2BIG);
	KUNIT_EXPECT_EQ(test, h->count, 20);
	KUNIT_EXPECT_FALSE(test, hmap_test_get(h, 20, NULL));
	/* A delete makes room for exactly one more. */
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 0), 0);
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 20, 20), 0);
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 21, 21), -E2BIG);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_no_limit_when_max_entries_zero(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_mix);
	u64 k;

	for (k = 0; k < 1000; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_EXPECT_EQ(test, h->count, 1000);
}

static void hmap_core_init_accepts_largest_sizes(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, HMAP_KEY_SIZE_MAX,
					    HMAP_VALUE_SIZE_MAX, 0, NULL);
	u8 *key = kunit_kzalloc(test, HMAP_KEY_SIZE_MAX, GFP_KERNEL);
	u8 *val = kunit_kzalloc(test, HMAP_VALUE_SIZE_MAX, GFP_KERNEL);
	u8 *got;

	KUNIT_ASSERT_NOT_NULL(test, key);
	KUNIT_ASSERT_NOT_NULL(test, val);
	key[HMAP_KEY_SIZE_MAX - 1] = 1;
	val[HMAP_VALUE_SIZE_MAX - 1] = 2;
	KUNIT_ASSERT_EQ(test, hmap_core_update(h, key, val, HMAP_UPDATE_ANY, GFP_KERNEL), 0);
	got = hmap_core_lookup(h, key);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_EXPECT_EQ(test, got[HMAP_VALUE_SIZE_MAX - 1], 2);
	KUNIT_EXPECT_MEMEQ(test, got, val, HMAP_VALUE_SIZE_MAX);
	HMAP_EXPECT_VALID(test, h);
}

struct layout_case {
	u32 key_size;
	u32 value_size;
	bool indirect_key;
	bool indirect_value;
	u32 bucket_size;
};

/* tophash[8], 8 key slots, 8 value slots, the overflow pointer. */
static const struct layout_case layout_cases[] = {
	{ 1, 0, false, false, 8 + 8 + 8 },
	{ 8, 8, false, false, 8 + 64 + 64 + 8 },
	/* Exactly HMAP_MAX_INLINE bytes still go inline ... */
	{ 128, 128, false, false, 8 + 1024 + 1024 + 8 },
	/* ... one more goes out of line, behind a pointer. */
	{ 129, 128, true, false, 8 + 8 * sizeof(void *) + 1024 + 8 },
	{ 128, 129, false, true, 8 + 1024 + 8 * sizeof(void *) + 8 },
	{ 4, 129, false, true, 8 + 32 + 8 * sizeof(void *) + 8 },
};

static void layout_desc(const struct layout_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "key %u value %u", c->key_size,
		 c->value_size);
}

KUNIT_ARRAY_PARAM(layout, layout_cases, layout_desc);

static void hmap_core_init_inline_limit(struct kunit *test)
{
	const struct layout_case *c = test->param_value;
	struct hmap_core *h = hmap_test_map(test, c->key_size, c->value_size,
					    0, NULL);

	KUNIT_EXPECT_EQ(test, h->indirect_key, c->indirect_key);
	KUNIT_EXPECT_EQ(test, h->indirect_value, c->indirect_value);
	KUNIT_EXPECT_EQ(test, h->key_slot,
			c->indirect_key ? sizeof(void *) : c->key_size);
	KUNIT_EXPECT_EQ(test, h->value_slot,
			c->indirect_value ? sizeof(void *) : c->value_size);
	KUNIT_EXPECT_EQ(test, h->values_off, HMAP_SLOTS + HMAP_SLOTS * h->key_slot);
	KUNIT_EXPECT_EQ(test, h->bucket_size, c->bucket_size);
	KUNIT_EXPECT_EQ(test, h->ovf_off, c->bucket_size - sizeof(void *));
}

static void hmap_core_update_exist_on_empty_map_allocates_nothing(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	u64 key = 1, v = 1;

	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	/* No array and no key: -ENOENT, without trying to allocate. */
	KUNIT_EXPECT_EQ(test, hmap_core_update(h, &key, &v, HMAP_UPDATE_EXIST,
					       GFP_KERNEL), -ENOENT);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, hmap_test_alloc_calls(), 0);
	KUNIT_EXPECT_NULL(test, h->buckets);
}

static void hmap_core_init_seeds_hash(struct kunit *test)
{
	struct hmap_core *a = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core *b = hmap_test_map(test, 8, 8, 0, NULL);

	/* Random per map, both halves (equal only by a 1 in 2^64 chance). */
	KUNIT_EXPECT_NE(test, a->hkey.key[0], b->hkey.key[0]);
	KUNIT_EXPECT_NE(test, a->hkey.key[1], b->hkey.key[1]);
}

static void hmap_core_delete_to_empty_reseeds_whole_key(struct kunit *test)
{
	struct hmap_core *h = filled(test, 1);
	hsiphash_key_t before = h->hkey;

	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 1), 0);
	KUNIT_EXPECT_NE(test, h->hkey.key[0], before.key[0]);
	KUNIT_EXPECT_NE(test, h->hkey.key[1], before.key[1]);
}

static void hmap_core_clear_reseeds(struct kunit *test)
{
	struct hmap_core *h = filled(test, 3);
	hsiphash_key_t before = h->hkey;

	hmap_core_clear(h, GFP_KERNEL);
	KUNIT_EXPECT_NE(test, h->hkey.key[0], before.key[0]);
	KUNIT_EXPECT_NE(test, h->hkey.key[1], before.key[1]);
}

/* Nine keys for bucket 0 of an identity-hash map of B: one overflow. */
static int fill_bucket0(struct hmap_core *h, u8 B)
{
	u64 m;
	int err = 0;

	for (m = 0; m < 9 && !err; m++)
		err = hmap_test_put(h, m << B, m);
	return err;
}

/*
 * A clear keeps no overflow bucket of the array it lets go of (an iterator
 * may stand in one): the same chain again allocates its overflow anew.
 */
static void hmap_core_clear_keeps_no_overflow(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 13,
					    hmap_test_hash_identity);

	/* B = 1: no preallocated overflow, the one in use was allocated. */
	KUNIT_ASSERT_EQ(test, fill_bucket0(h, 1), 0);
	KUNIT_ASSERT_EQ(test, h->noverflow, 1);
	hmap_core_clear(h, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, h->nspare, 0);
	KUNIT_EXPECT_EQ(test, h->noverflow, 0);
	HMAP_EXPECT_VALID(test, h);
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	KUNIT_EXPECT_EQ(test, fill_bucket0(h, 1), -ENOMEM);
	hmap_test_fail_nth(0);
	HMAP_EXPECT_VALID(test, h);
	KUNIT_EXPECT_EQ(test, h->count, 8);
}

/* The hint's array a clear starts has its preallocated overflow, unused. */
static void hmap_core_clear_resets_prealloc(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 100,
					    hmap_test_hash_identity);

	/* B = 4: the overflow bucket is the preallocated one. */
	KUNIT_ASSERT_EQ(test, fill_bucket0(h, 4), 0);
	KUNIT_ASSERT_EQ(test, h->buckets->next_prealloc, 17);
	hmap_core_clear(h, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, h->buckets->next_prealloc, 16);
	KUNIT_EXPECT_EQ(test, h->nspare, 0);
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	KUNIT_EXPECT_EQ(test, fill_bucket0(h, 4), 0);
	hmap_test_fail_nth(0);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_clear_during_same_size_growth(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 100,
					    hmap_test_hash_identity);
	u64 j, m;

	/* 16 overflow buckets, one key per bucket: a same-size growth. */
	for (j = 0; j < 16; j++) {
		for (m = 0; m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_put(h, j + 16 * m, m), 0);
		for (m = 1; m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_del(h, j + 16 * m), 0);
	}
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1000, 1), 0);
	KUNIT_ASSERT_TRUE(test, h->flags & HMAP_CORE_F_SAME_SIZE);
	hmap_core_clear(h, GFP_KERNEL);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_SAME_SIZE);
	KUNIT_EXPECT_EQ(test, h->B, 4);
	HMAP_EXPECT_VALID(test, h);
}

static struct kunit_case hmap_bucket_cases[] = {
	KUNIT_CASE(hmap_core_update_reuses_deleted_slot),
	KUNIT_CASE(hmap_core_delete_last_marks_empty_rest),
	KUNIT_CASE(hmap_core_delete_middle_marks_empty_one),
	KUNIT_CASE(hmap_core_delete_trailing_run_becomes_empty_rest),
	KUNIT_CASE(hmap_core_delete_empty_rest_crosses_overflow),
	KUNIT_CASE(hmap_core_delete_walks_back_into_previous_bucket),
	KUNIT_CASE(hmap_core_delete_zeroes_slot),
	KUNIT_CASE(hmap_core_delete_returns_value),
	KUNIT_CASE(hmap_core_update_flags),
	KUNIT_CASE(hmap_core_update_max_entries),
	KUNIT_CASE(hmap_core_delete_to_empty_reseeds),
	KUNIT_CASE(hmap_core_clear_empties_map),
	KUNIT_CASE_PARAM(hmap_core_update_any_size_round_trips, sizes_gen_params),
	KUNIT_CASE(hmap_core_update_accepts_exactly_max_entries),
	KUNIT_CASE(hmap_core_update_no_limit_when_max_entries_zero),
	KUNIT_CASE(hmap_core_init_accepts_largest_sizes),
	KUNIT_CASE_PARAM(hmap_core_init_inline_limit, layout_gen_params),
	KUNIT_CASE(hmap_core_update_exist_on_empty_map_allocates_nothing),
	KUNIT_CASE(hmap_core_init_seeds_hash),
	KUNIT_CASE(hmap_core_delete_to_empty_reseeds_whole_key),
	KUNIT_CASE(hmap_core_clear_reseeds),
	KUNIT_CASE(hmap_core_clear_keeps_no_overflow),
	KUNIT_CASE(hmap_core_clear_resets_prealloc),
	KUNIT_CASE(hmap_core_clear_during_same_size_growth),
	{}
};

static struct kunit_suite hmap_bucket_suite = {
	.name = "hmap_bucket",
	.test_cases = hmap_bucket_cases,
};

kunit_test_suites(&hmap_bucket_suite);
