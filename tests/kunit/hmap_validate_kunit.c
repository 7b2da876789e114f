// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_validate: the validator notices each kind of corruption. A healthy
 * map is built, one invariant is broken by hand, and the validator must
 * report it (then the damage is undone so the map can be destroyed).
 */
#include "hmap_test_util.h"

/* Keys 1..n in bucket 0 of a B = 0 map, identity hash; slot i holds i+1. */
static struct hmap_core *small_map(struct kunit *test, int n)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_identity);
	int i;

	for (i = 1; i <= n; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, i, i), 0);
	HMAP_EXPECT_VALID(test, h);
	return h;
}

static u8 *bucket0(struct hmap_core *h)
{
	return h->buckets->data;
}

static u64 *key_slot(struct hmap_core *h, unsigned int i)
{
	return (u64 *)(bucket0(h) + HMAP_SLOTS + i * 8);
}

static u64 *value_slot(struct hmap_core *h, unsigned int i)
{
	return (u64 *)(bucket0(h) + h->values_off + i * 8);
}

/* The validator rejects @h, for the reason @reason and no other. */
static void expect_invalid(struct kunit *test, struct hmap_core *h,
			   const char *reason)
{
	const char *why;

	KUNIT_EXPECT_EQ(test, hmap_core_validate(h, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why, reason);
}

static void hmap_core_validate_wrong_tophash(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	bucket0(h)[1] ^= 0x80;
	expect_invalid(test, h, "tophash does not match the key");
	bucket0(h)[1] ^= 0x80;
}

static void hmap_core_validate_wrong_count(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	h->count++;
	expect_invalid(test, h, "count does not match live slots");
	h->count--;
}

static void hmap_core_validate_duplicate_key(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);
	u64 saved = *key_slot(h, 2);

	/* Slot 2 now holds key 2 again (same tophash: both top bytes 0). */
	*key_slot(h, 2) = 2;
	expect_invalid(test, h, "key present twice or unreachable");
	*key_slot(h, 2) = saved;
}

static void hmap_core_validate_slot_after_empty_rest(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	/* Slot 1 looks empty (and zeroed) but slot 2 is still in use. */
	bucket0(h)[1] = HMAP_EMPTY_REST;
	*key_slot(h, 1) = 0;
	*value_slot(h, 1) = 0;
	expect_invalid(test, h, "slot in use after emptyRest");
}

static void hmap_core_validate_dirty_empty_slot(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	*key_slot(h, 5) = 0xdead;
	expect_invalid(test, h, "empty slot not zeroed");
	*key_slot(h, 5) = 0;
}

static void hmap_core_validate_evacuated_state_in_current_array(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	bucket0(h)[4] = HMAP_EVACUATED_EMPTY;
	expect_invalid(test, h, "evacuated state in a live chain");
	bucket0(h)[4] = HMAP_EMPTY_REST;
}

static void hmap_core_validate_overflow_loop(struct kunit *test)
{
	/* A full bucket: no emptyRest ends the walk before the loop shows. */
	struct hmap_core *h = small_map(test, 8);
	u8 **next = (u8 **)(bucket0(h) + h->ovf_off);

	*next = bucket0(h);
	expect_invalid(test, h, "overflow chain loops");
	*next = NULL;
}

static void hmap_core_validate_wrong_noverflow(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	h->noverflow = 2;
	expect_invalid(test, h, "noverflow does not match the chains");
	h->noverflow = 0;
}

static void hmap_core_validate_key_in_wrong_bucket(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 100,
					    hmap_test_hash_identity);
	u64 *k;

	/* B = 4: key 3 belongs in bucket 3; move it to bucket 0 by hand. */
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 16, 1), 0);
	k = key_slot(h, 0);
	*k = 3;
	expect_invalid(test, h, "key in the wrong bucket");
	*k = 16;
}

static void hmap_core_validate_unevacuated_below_nevacuate(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 52,
					    hmap_test_hash_mix);
	unsigned long saved;
	u64 k;

	for (k = 0; k <= 52; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(h));
	saved = h->nevacuate;
	h->nevacuate = (1UL << h->oldbuckets->B) - 1;
	expect_invalid(test, h, "bucket below nevacuate not evacuated");
	h->nevacuate = saved;
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_validate_dirty_empty_value(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	*value_slot(h, 6) = 1;
	expect_invalid(test, h, "empty slot not zeroed");
	*value_slot(h, 6) = 0;
}

static void hmap_core_validate_entries_without_array(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_identity);

	HMAP_EXPECT_VALID(test, h);
	h->count = 1;
	expect_invalid(test, h, "entries without a bucket array");
	h->count = 0;
	h->B = 1;
	expect_invalid(test, h, "entries without a bucket array");
	h->B = 0;
}

static void hmap_core_validate_array_B_mismatch(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	h->buckets->B = 1;
	expect_invalid(test, h, "bucket array does not match B");
	h->buckets->B = 0;
}

static void hmap_core_validate_detached_array(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	h->buckets->detached = true;
	expect_invalid(test, h, "bucket array does not match B");
	h->buckets->detached = false;
}

static void hmap_core_validate_same_size_flag_without_growth(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	h->flags |= HMAP_CORE_F_SAME_SIZE;
	expect_invalid(test, h, "same-size flag without growth");
	h->flags &= ~HMAP_CORE_F_SAME_SIZE;
}

/*
 * B = 2 doubling to 3: keys 2 + 4m (m < 20) chained in old bucket 2, and
 * 4m (m < 7) in old bucket 0, whose 7th key started the growth. Old
 * buckets 0 and 1 are evacuated, 2 (a chain of 3) and 3 (empty) are not.
 */
static struct hmap_core *half_grown(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 26,
					    hmap_test_hash_identity);
	u64 m;

	for (m = 0; m < 20; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 2 + 4 * m, m), 0);
	for (m = 0; m < 7; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 4 * m, m), 0);
	KUNIT_ASSERT_TRUE(test, hmap_core_growing(h));
	KUNIT_ASSERT_EQ(test, h->oldbuckets->B, 2);
	KUNIT_ASSERT_EQ(test, h->nevacuate, 2);
	HMAP_EXPECT_VALID(test, h);
	return h;
}

static u8 *bucket_at(struct hmap_core *h, struct hmap_gen *gen,
		     unsigned long idx)
{
	return gen->data + idx * h->bucket_size;
}

static void hmap_core_validate_chain_partly_evacuated(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);
	u8 *b = bucket_at(h, h->oldbuckets, 0);

	/* Six keys were moved; slot 6 was empty. */
	KUNIT_ASSERT_EQ(test, b[6], (u8)HMAP_EVACUATED_EMPTY);
	b[6] = HMAP_EMPTY_REST;
	expect_invalid(test, h, "chain partly evacuated");
	b[6] = HMAP_EVACUATED_EMPTY;
}

/* Put key @key in slot 0 of new bucket @idx behind the evacuation's back. */
static void plant(struct hmap_core *h, unsigned long idx, u64 key)
{
	u8 *b = bucket_at(h, h->buckets, idx);

	b[0] = hmap_core_tophash(key);
	memcpy(b + HMAP_SLOTS, &key, 8);
}

static void unplant(struct hmap_core *h, unsigned long idx)
{
	u8 *b = bucket_at(h, h->buckets, idx);

	b[0] = HMAP_EMPTY_REST;
	memset(b + HMAP_SLOTS, 0, 8);
}

static void hmap_core_validate_entry_ahead_of_evacuation_x(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);

	/* Old bucket 3 is not evacuated: new bucket 3 must still be empty. */
	plant(h, 3, 3);
	expect_invalid(test, h, "entries ahead of their evacuation");
	unplant(h, 3);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_validate_entry_ahead_of_evacuation_y(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);

	/* ... and so must new bucket 3 + 4, its Y half. */
	plant(h, 7, 7);
	expect_invalid(test, h, "entries ahead of their evacuation");
	unplant(h, 7);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_validate_old_array_B_mismatch(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);

	/* A same-size growth would need the old array at B = 3. */
	h->flags |= HMAP_CORE_F_SAME_SIZE;
	expect_invalid(test, h, "old array does not match B");
	h->flags &= ~HMAP_CORE_F_SAME_SIZE;
}

static void hmap_core_validate_doubling_under_new_key(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);

	/* A doubling keeps the hash: X/Y splitting depends on it. */
	h->oldbuckets->seed_gen--;
	expect_invalid(test, h, "a rehash is not a same-size growth");
	h->oldbuckets->seed_gen++;
}

static void hmap_core_validate_current_array_under_other_key(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	h->buckets->hkey.key[0] ^= 1;
	expect_invalid(test, h, "current array filed under another hash");
	h->buckets->hkey.key[0] ^= 1;
}

static void hmap_core_validate_lookup_keys_not_derived(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(h->mixk); i++) {
		h->mixk[i] ^= 1;
		expect_invalid(test, h,
			       "lookup's hash keys not derived from the seed");
		h->mixk[i] ^= 1;
	}
}

static void hmap_core_validate_old_array_detached(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);

	h->oldbuckets->detached = true;
	expect_invalid(test, h, "old array does not match B");
	h->oldbuckets->detached = false;
}

static void hmap_core_validate_nevacuate_past_old_array(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);

	/* An old array stays only while some bucket is left to move. */
	h->nevacuate = 4;
	expect_invalid(test, h, "nevacuate past the old array");
	h->nevacuate = 2;
}

/* A B = 0 map holding two donated spare overflow buckets. */
static struct hmap_core *map_with_spares(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);
	void *ovf[2];

	ovf[0] = hmap_core_ovf_alloc(h, GFP_KERNEL);
	ovf[1] = hmap_core_ovf_alloc(h, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, ovf[0] && ovf[1]);
	hmap_core_donate(h, NULL, ovf, 2);
	KUNIT_ASSERT_EQ(test, h->nspare, 2);
	HMAP_EXPECT_VALID(test, h);
	return h;
}

static void hmap_core_validate_spare_list_longer(struct kunit *test)
{
	struct hmap_core *h = map_with_spares(test);

	h->nspare = 1;
	expect_invalid(test, h, "spare list longer than nspare");
	h->nspare = 2;
}

static void hmap_core_validate_spare_list_shorter(struct kunit *test)
{
	struct hmap_core *h = map_with_spares(test);

	h->nspare = 3;
	expect_invalid(test, h, "spare list shorter than nspare");
	h->nspare = 2;
}

static void hmap_core_validate_prealloc_index_bounds(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 100,
					    hmap_test_hash_identity);
	struct hmap_gen *gen = h->buckets;

	/* B = 4: 16 buckets, then one preallocated overflow bucket. */
	KUNIT_ASSERT_EQ(test, gen->nbuckets, 17);
	KUNIT_EXPECT_EQ(test, gen->next_prealloc, 16);
	gen->next_prealloc = 17;
	HMAP_EXPECT_VALID(test, h);
	gen->next_prealloc = 15;
	expect_invalid(test, h, "preallocated overflow index out of range");
	gen->next_prealloc = 18;
	expect_invalid(test, h, "preallocated overflow index out of range");
	gen->next_prealloc = 16;
}

/* A map of @hint with 9 keys in each of buckets 0..63: 64 overflow buckets. */
static struct hmap_core *big_map_with_chains(struct kunit *test,
					     unsigned long hint, u8 B)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, hint,
					    hmap_test_hash_identity);
	u64 j, m;

	KUNIT_ASSERT_EQ(test, h->B, B);
	for (j = 0; j < 64; j++)
		for (m = 0; m < 9; m++)
			KUNIT_ASSERT_EQ(test, hmap_test_put(h, j + (m << B), m), 0);
	return h;
}

static void hmap_core_validate_noverflow_exact_at_b15(struct kunit *test)
{
	struct hmap_core *h = big_map_with_chains(test, 200000, 15);

	/* Counted exactly up to B = 15, and checked. */
	KUNIT_EXPECT_EQ(test, h->noverflow, 64);
	HMAP_EXPECT_VALID(test, h);
	h->noverflow = 63;
	expect_invalid(test, h, "noverflow does not match the chains");
	h->noverflow = 64;
}

static void hmap_core_validate_noverflow_approximate_above_b15(struct kunit *test)
{
	struct hmap_core *h = big_map_with_chains(test, 400000, 16);
	u16 saved = h->noverflow;

	/* noverflow is sampled at B = 16: any value is consistent. */
	HMAP_EXPECT_VALID(test, h);
	h->noverflow = 0;
	HMAP_EXPECT_VALID(test, h);
	h->noverflow = 7;
	HMAP_EXPECT_VALID(test, h);
	h->noverflow = saved;
}

static const u32 keys_sizes[] = { 4, 8, 16 };

static void keys_size_desc(const u32 *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "key %u", *size);
}

KUNIT_ARRAY_PARAM(keys_size, keys_sizes, keys_size_desc);

static void hmap_core_validate_keys_differing_in_last_byte(struct kunit *test)
{
	u32 len = *(const u32 *)test->param_value;
	struct hmap_core *h = hmap_test_map(test, len, 8, 0,
					    hmap_test_hash_const);
	u8 key[16] = { };
	u64 v = 0;

	/* One chain, one tophash: only the whole key tells them apart. */
	KUNIT_ASSERT_EQ(test, hmap_core_update(h, key, &v, HMAP_UPDATE_ANY, GFP_KERNEL), 0);
	key[len - 1] = 1;
	KUNIT_ASSERT_EQ(test, hmap_core_update(h, key, &v, HMAP_UPDATE_ANY, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, h->count, 2);
	HMAP_EXPECT_VALID(test, h);
}

static struct kunit_case hmap_validate_cases[] = {
	KUNIT_CASE(hmap_core_validate_wrong_tophash),
	KUNIT_CASE(hmap_core_validate_wrong_count),
	KUNIT_CASE(hmap_core_validate_duplicate_key),
	KUNIT_CASE(hmap_core_validate_slot_after_empty_rest),
	KUNIT_CASE(hmap_core_validate_dirty_empty_slot),
	KUNIT_CASE(hmap_core_validate_evacuated_state_in_current_array),
	KUNIT_CASE(hmap_core_validate_overflow_loop),
	KUNIT_CASE(hmap_core_validate_wrong_noverflow),
	KUNIT_CASE(hmap_core_validate_key_in_wrong_bucket),
	KUNIT_CASE(hmap_core_validate_unevacuated_below_nevacuate),
	KUNIT_CASE(hmap_core_validate_dirty_empty_value),
	KUNIT_CASE(hmap_core_validate_entries_without_array),
	KUNIT_CASE(hmap_core_validate_array_B_mismatch),
	KUNIT_CASE(hmap_core_validate_detached_array),
	KUNIT_CASE(hmap_core_validate_same_size_flag_without_growth),
	KUNIT_CASE(hmap_core_validate_chain_partly_evacuated),
	KUNIT_CASE(hmap_core_validate_entry_ahead_of_evacuation_x),
	KUNIT_CASE(hmap_core_validate_entry_ahead_of_evacuation_y),
	KUNIT_CASE(hmap_core_validate_old_array_B_mismatch),
	KUNIT_CASE(hmap_core_validate_doubling_under_new_key),
	KUNIT_CASE(hmap_core_validate_current_array_under_other_key),
	KUNIT_CASE(hmap_core_validate_lookup_keys_not_derived),
	KUNIT_CASE(hmap_core_validate_old_array_detached),
	KUNIT_CASE(hmap_core_validate_nevacuate_past_old_array),
	KUNIT_CASE(hmap_core_validate_spare_list_longer),
	KUNIT_CASE(hmap_core_validate_spare_list_shorter),
	KUNIT_CASE(hmap_core_validate_prealloc_index_bounds),
	KUNIT_CASE(hmap_core_validate_noverflow_exact_at_b15),
	KUNIT_CASE(hmap_core_validate_noverflow_approximate_above_b15),
	KUNIT_CASE_PARAM(hmap_core_validate_keys_differing_in_last_byte, keys_size_gen_params),
	{}
};

static struct kunit_suite hmap_validate_suite = {
	.name = "hmap_validate",
	.test_cases = hmap_validate_cases,
};

kunit_test_suites(&hmap_validate_suite);
