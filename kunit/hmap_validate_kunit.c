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

static void expect_invalid(struct kunit *test, struct hmap_core *h)
{
	const char *why;

	KUNIT_EXPECT_EQ(test, hmap_core_validate(h, &why), -EUCLEAN);
	KUNIT_EXPECT_NE(test, why[0], '\0');
}

static void hmap_core_validate_wrong_tophash(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	bucket0(h)[1] ^= 0x80;
	expect_invalid(test, h);
	bucket0(h)[1] ^= 0x80;
}

static void hmap_core_validate_wrong_count(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	h->count++;
	expect_invalid(test, h);
	h->count--;
}

static void hmap_core_validate_duplicate_key(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);
	u64 saved = *key_slot(h, 2);

	/* Slot 2 now holds key 2 again (same tophash: both top bytes 0). */
	*key_slot(h, 2) = 2;
	expect_invalid(test, h);
	*key_slot(h, 2) = saved;
}

static void hmap_core_validate_slot_after_empty_rest(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	bucket0(h)[1] = HMAP_EMPTY_REST;
	*key_slot(h, 1) = 0;
	expect_invalid(test, h);
}

static void hmap_core_validate_dirty_empty_slot(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	*key_slot(h, 5) = 0xdead;
	expect_invalid(test, h);
	*key_slot(h, 5) = 0;
}

static void hmap_core_validate_evacuated_state_in_current_array(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	bucket0(h)[4] = HMAP_EVACUATED_EMPTY;
	expect_invalid(test, h);
	bucket0(h)[4] = HMAP_EMPTY_REST;
}

static void hmap_core_validate_overflow_loop(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);
	u8 **next = (u8 **)(bucket0(h) + h->ovf_off);

	*next = bucket0(h);
	expect_invalid(test, h);
	*next = NULL;
}

static void hmap_core_validate_wrong_noverflow(struct kunit *test)
{
	struct hmap_core *h = small_map(test, 3);

	h->noverflow = 2;
	expect_invalid(test, h);
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
	expect_invalid(test, h);
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
	expect_invalid(test, h);
	h->nevacuate = saved;
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
	{}
};

static struct kunit_suite hmap_validate_suite = {
	.name = "hmap_validate",
	.test_cases = hmap_validate_cases,
};

kunit_test_suites(&hmap_validate_suite);
