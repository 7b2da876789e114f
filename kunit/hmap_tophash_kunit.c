// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_tophash: the per-slot hash byte and its sentinels.
 */
#include "hmap_test_util.h"

struct tophash_case {
	u64 hash;
	u8 top;
};

static const struct tophash_case tophash_cases[] = {
	{ 0xab00000000000000ULL, 0xab },
	{ 0xffffffffffffffffULL, 0xff },
	{ 0x05ffffffffffffffULL, 0x05 },
	{ 0x0500000000000000ULL, 0x05 },
	{ 0x1234567812345678ULL, 0x12 },
	/* Top bytes below minTopHash are shifted up by 5. */
	{ 0x0000000000000000ULL, 0x05 },
	{ 0x01ffffffffffffffULL, 0x06 },
	{ 0x0400000000000001ULL, 0x09 },
};

static void tophash_desc(const struct tophash_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "hash %016llx",
		 (unsigned long long)c->hash);
}

KUNIT_ARRAY_PARAM(tophash, tophash_cases, tophash_desc);

static void hmap_core_tophash_top_byte(struct kunit *test)
{
	const struct tophash_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, hmap_core_tophash(c->hash), c->top);
}

static void hmap_core_tophash_never_sentinel(struct kunit *test)
{
	u64 top;

	/* Whatever the top byte, a live slot never looks empty or evacuated. */
	for (top = 0; top < 256; top++)
		KUNIT_EXPECT_GE(test, hmap_core_tophash(top << 56),
				(u8)HMAP_MIN_TOPHASH);
}

static void hmap_core_tophash_ignores_low_bits(struct kunit *test)
{
	/* Bucket bits must not leak into the tophash. */
	KUNIT_EXPECT_EQ(test, hmap_core_tophash(0x7700000000000000ULL),
			hmap_core_tophash(0x77ffffffffffffffULL));
}

static void hmap_core_update_stores_tophash(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_identity);
	u8 *b;

	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 0x9a00000000000000ULL, 1), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 0x0200000000000000ULL, 2), 0);
	b = h->buckets->data;
	/* Slots fill in order; the second key's top byte 2 became 7. */
	KUNIT_EXPECT_EQ(test, b[0], 0x9a);
	KUNIT_EXPECT_EQ(test, b[1], 0x07);
	KUNIT_EXPECT_EQ(test, b[2], (u8)HMAP_EMPTY_REST);
}

static void hmap_core_lookup_tophash_collision(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_identity);
	u64 v = 0;

	/* Top byte 0 and 5 share tophash 5: the key compare tells them apart. */
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 0x0000000000000001ULL, 10), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 0x0500000000000001ULL, 20), 0);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 0x0500000000000001ULL, &v));
	KUNIT_EXPECT_EQ(test, v, 20);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 0x0000000000000001ULL, &v));
	KUNIT_EXPECT_EQ(test, v, 10);
}

static struct kunit_case hmap_tophash_cases[] = {
	KUNIT_CASE_PARAM(hmap_core_tophash_top_byte, tophash_gen_params),
	KUNIT_CASE(hmap_core_tophash_never_sentinel),
	KUNIT_CASE(hmap_core_tophash_ignores_low_bits),
	KUNIT_CASE(hmap_core_update_stores_tophash),
	KUNIT_CASE(hmap_core_lookup_tophash_collision),
	{}
};

static struct kunit_suite hmap_tophash_suite = {
	.name = "hmap_tophash",
	.test_cases = hmap_tophash_cases,
};

kunit_test_suites(&hmap_tophash_suite);
