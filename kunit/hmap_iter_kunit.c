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
	{}
};

static struct kunit_suite hmap_iter_suite = {
	.name = "hmap_iter",
	.test_cases = hmap_iter_cases,
};

kunit_test_suites(&hmap_iter_suite);
