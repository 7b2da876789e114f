// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_shrink: deletes halve the bucket array incrementally once the map
 * holds 13/16 * 2^B entries or fewer (1/8 of its growth threshold), never
 * below the creation hint's B, without losing or repeating a key, also
 * when allocations fail.
 */
#include "hmap_test_util.h"

/* 1000 keys grow a map without hint to B = 8: it shrinks at 208 entries. */
#define FILL		1000
#define FILL_B		8
#define SHRINK_AT	208

static void fill(struct kunit *test, struct hmap_core *h, u64 n)
{
	u64 k;

	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, ~k), 0);
	hmap_test_finish_growth(test, h);
}

/* Delete keys n-1, n-2, ... until @left remain (keys 0..left-1). */
static void drain_to(struct kunit *test, struct hmap_core *h, u64 n, u64 left)
{
	while (n > left)
		KUNIT_ASSERT_EQ(test, hmap_test_del(h, --n), 0);
}

/*
 * Finish resizes and start every shrink the map is due for, as the API
 * layer's background work does once deletes stop.
 */
static void settle(struct kunit *test, struct hmap_core *h)
{
	int n = 0;

	for (;;) {
		hmap_test_finish_growth(test, h);
		if (hmap_core_next_shrink_B(h) < 0)
			break;
		KUNIT_ASSERT_EQ(test, hmap_core_shrink_start(h, GFP_KERNEL), 0);
		KUNIT_ASSERT_LT(test, ++n, 64);
	}
}

/* Every key below @n is present with its value; none from @n to @limit. */
static void expect_keys(struct kunit *test, struct hmap_core *h, u64 n,
			u64 limit)
{
	u64 k, v;

	for (k = 0; k < limit; k++) {
		if (k < n) {
			KUNIT_ASSERT_EQ_MSG(test, hmap_test_get(h, k, &v), true,
					    "key %llu lost", (unsigned long long)k);
			KUNIT_ASSERT_EQ(test, v, ~k);
		} else {
			KUNIT_ASSERT_EQ_MSG(test, hmap_test_get(h, k, NULL), false,
					    "key %llu came back", (unsigned long long)k);
		}
	}
}

static void hmap_core_delete_shrinks_at_exact_count(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core_stats st;

	fill(test, h, FILL);
	KUNIT_ASSERT_EQ(test, h->B, FILL_B);
	drain_to(test, h, FILL, SHRINK_AT + 1);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->shrinks, 0);
	KUNIT_EXPECT_EQ(test, hmap_core_next_shrink_B(h), -1);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, SHRINK_AT), 0);
	KUNIT_EXPECT_TRUE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->B, FILL_B - 1);
	KUNIT_EXPECT_EQ(test, h->shrinks, 1);
	hmap_core_stats(h, &st);
	KUNIT_EXPECT_TRUE(test, st.shrinking);
	KUNIT_EXPECT_EQ(test, st.old_buckets, 1UL << FILL_B);
	HMAP_EXPECT_VALID(test, h);
}

/* Inserting and deleting around either boundary resizes nothing. */
static void hmap_core_shrink_hysteresis_no_ping_pong(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	u64 growths, round, k;

	fill(test, h, FILL);
	drain_to(test, h, FILL, SHRINK_AT);
	hmap_test_finish_growth(test, h);
	KUNIT_ASSERT_EQ(test, h->B, FILL_B - 1);
	growths = h->growths;
	for (round = 0; round < 1000; round++) {
		k = SHRINK_AT + round % 2;
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, ~k), 0);
		KUNIT_ASSERT_EQ(test, hmap_test_del(h, k), 0);
		KUNIT_ASSERT_EQ(test, hmap_test_del(h, SHRINK_AT - 1), 0);
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, SHRINK_AT - 1,
						    ~(SHRINK_AT - 1)), 0);
	}
	KUNIT_EXPECT_EQ(test, h->growths, growths);
	KUNIT_EXPECT_EQ(test, h->shrinks, 1);
	KUNIT_EXPECT_EQ(test, h->B, FILL_B - 1);
	/* The shrunk map grows back only at its own threshold, 832 > 4 * 208. */
	for (k = SHRINK_AT; k < 832; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, ~k), 0);
	KUNIT_EXPECT_EQ(test, h->growths, growths);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 832, ~832ULL), 0);
	KUNIT_EXPECT_EQ(test, h->growths, growths + 1);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_shrink_stops_at_hint(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, FILL, NULL);

	fill(test, h, 8 * FILL);
	KUNIT_ASSERT_GT(test, h->B, FILL_B);
	drain_to(test, h, 8 * FILL, 0);
	settle(test, h);
	KUNIT_EXPECT_EQ(test, h->B, FILL_B);
	KUNIT_EXPECT_EQ(test, hmap_core_next_shrink_B(h), -1);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_shrink_drains_to_one_bucket(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);

	fill(test, h, FILL);
	drain_to(test, h, FILL, 0);
	settle(test, h);
	KUNIT_EXPECT_EQ(test, h->B, 0);
	HMAP_EXPECT_VALID(test, h);
}

/* Start a shrink and move it partway: some pairs evacuated, some not. */
static void half_shrunk(struct kunit *test, struct hmap_core *h)
{
	struct hmap_core_stats st;

	fill(test, h, FILL);
	drain_to(test, h, FILL, SHRINK_AT);
	KUNIT_ASSERT_EQ(test, hmap_core_grow_step(h, 40, GFP_KERNEL), -EAGAIN);
	hmap_core_stats(h, &st);
	KUNIT_ASSERT_TRUE(test, st.shrinking);
	KUNIT_ASSERT_GT(test, st.nevacuate, 0);
	KUNIT_ASSERT_LT(test, st.nevacuate, st.old_buckets);
	/* Stats count old buckets; the core counts pairs of them. */
	KUNIT_EXPECT_EQ(test, st.nevacuate, 2 * h->nevacuate);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_lookup_half_shrunk(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);

	half_shrunk(test, h);
	expect_keys(test, h, SHRINK_AT, FILL);
}

static void hmap_core_update_half_shrunk(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	u64 k, v;

	half_shrunk(test, h);
	for (k = 0; k < SHRINK_AT; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, k), 0);
	for (k = 0; k < SHRINK_AT; k++) {
		KUNIT_ASSERT_TRUE(test, hmap_test_get(h, k, &v));
		KUNIT_ASSERT_EQ(test, v, k);
	}
	KUNIT_EXPECT_EQ(test, h->count, SHRINK_AT);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_delete_half_shrunk(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	u64 k;

	half_shrunk(test, h);
	for (k = 0; k < SHRINK_AT; k += 2)
		KUNIT_ASSERT_EQ(test, hmap_test_del(h, k), 0);
	for (k = 0; k < SHRINK_AT; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_get(h, k, NULL), k % 2 == 1);
	KUNIT_EXPECT_EQ(test, h->count, SHRINK_AT / 2);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_grow_step_finishes_shrink(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	int steps = 0;

	half_shrunk(test, h);
	while (hmap_core_grow_step(h, 1, GFP_KERNEL) == -EAGAIN)
		KUNIT_ASSERT_LT(test, ++steps, 1 << FILL_B);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_SHRINK);
	KUNIT_EXPECT_EQ(test, h->B, FILL_B - 1);
	expect_keys(test, h, SHRINK_AT, FILL);
	HMAP_EXPECT_VALID(test, h);
}

/*
 * Identity hash, B = 4: keys with low bits 0 or 8 all pour into new bucket
 * 0 when the map halves, 13 of them: one overflow bucket that the new
 * array (B = 3) does not preallocate. Every allocation of "delete the 14th
 * key, insert another, finish the shrink" is failed in turn.
 */
#define PAIR_KEYS	14

static u64 pair_key(unsigned int i)
{
	return (i % 2 ? 8 : 0) + 16 * (u64)(i + 1);
}

static struct hmap_core *pair_fixture(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_identity);
	unsigned int i;
	u64 k;

	/* 53 keys grow it to B = 4; then only the pair's keys remain. */
	for (k = 1; k <= 53; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1000 + k, ~k), 0);
	hmap_test_finish_growth(test, h);
	for (i = 0; i < PAIR_KEYS; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, pair_key(i), i), 0);
	for (k = 1; k <= 53; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_del(h, 1000 + k), 0);
	hmap_test_finish_growth(test, h);
	KUNIT_ASSERT_EQ(test, h->B, 4);
	KUNIT_ASSERT_EQ(test, h->count, PAIR_KEYS);
	return h;
}

static void expect_pair_keys(struct kunit *test, struct hmap_core *h,
			     unsigned int n, bool extra)
{
	unsigned int i;
	u64 v;

	for (i = 0; i < PAIR_KEYS; i++) {
		KUNIT_EXPECT_EQ(test, hmap_test_get(h, pair_key(i), &v), i < n);
		if (i < n)
			KUNIT_EXPECT_EQ(test, v, i);
	}
	KUNIT_EXPECT_EQ(test, hmap_test_get(h, 5, NULL), extra);
	KUNIT_EXPECT_EQ(test, h->count, n + extra);
}

static void hmap_core_shrink_nomem_loses_nothing(struct kunit *test)
{
	unsigned long nth;
	bool extra;
	int err;

	hmap_test_alloc_hook(test);
	for (nth = 1; nth < 64; nth++) {
		struct hmap_core *h;

		hmap_test_fail_nth(0);
		h = pair_fixture(test);
		hmap_test_fail_nth(nth);
		/* A delete never fails; the shrink it starts may not start. */
		KUNIT_ASSERT_EQ(test, hmap_test_del(h, pair_key(PAIR_KEYS - 1)), 0);
		HMAP_EXPECT_VALID(test, h);
		err = hmap_test_put(h, 5, 0);
		KUNIT_ASSERT_TRUE(test, !err || err == -ENOMEM);
		extra = !err;
		HMAP_EXPECT_VALID(test, h);
		err = hmap_core_grow_step(h, 64, GFP_KERNEL);
		KUNIT_ASSERT_TRUE(test, !err || err == -EAGAIN || err == -ENOMEM);
		HMAP_EXPECT_VALID(test, h);
		expect_pair_keys(test, h, PAIR_KEYS - 1, extra);
		if (nth > hmap_test_alloc_calls())
			break;
	}
	/* The loop ended on a run in which no allocation failed. */
	KUNIT_EXPECT_LT(test, nth, 64);
}

/*
 * Step @it to its end, calling @between after each key: keys 0..@must-1
 * (present throughout) must come back exactly once, none at or above
 * @limit (up to FILL), and none twice.
 */
static void iterate_all(struct kunit *test, struct hmap_core *h,
			struct hmap_core_iter *it, u64 must, u64 limit,
			void (*between)(struct kunit *, struct hmap_core *, u64))
{
	u8 *seen = kunit_kzalloc(test, FILL, GFP_KERNEL);
	const void *kp;
	void *vp;
	u64 k, steps = 0;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	while (hmap_core_iter_next(it, &kp, &vp)) {
		memcpy(&k, kp, sizeof(k));
		KUNIT_ASSERT_LT(test, k, limit);
		KUNIT_ASSERT_EQ_MSG(test, seen[k]++, 0, "key %llu twice",
				    (unsigned long long)k);
		if (between)
			between(test, h, steps++);
	}
	hmap_core_iter_end(it);
	for (k = 0; k < must; k++)
		KUNIT_EXPECT_EQ_MSG(test, seen[k], 1, "key %llu returned %u times",
				    (unsigned long long)k, seen[k]);
}

/* Drain keys FILL-1 down to SHRINK_AT, four per step of the iteration. */
static void drain_step(struct kunit *test, struct hmap_core *h, u64 step)
{
	u64 k, i;

	for (i = 0; i < 4; i++) {
		k = FILL - 1 - 4 * step - i;
		if (k >= SHRINK_AT && k < FILL)
			KUNIT_ASSERT_EQ(test, hmap_test_del(h, k), 0);
	}
	/* Drained: move the shrink on, so its old buckets change under us. */
	if (FILL - 4 * (step + 1) <= SHRINK_AT)
		hmap_core_grow_step(h, 8, GFP_KERNEL);
}

/*
 * Keys 0..SHRINK_AT-1 stay; the rest go while the iteration runs, which
 * starts a shrink under it: it must still return each staying key once.
 */
static void hmap_core_iter_shrink_started_after_start(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core_iter it;

	fill(test, h, FILL);
	hmap_core_iter_start(h, &it);
	iterate_all(test, h, &it, SHRINK_AT, FILL, drain_step);
	KUNIT_EXPECT_EQ(test, h->shrinks, 1);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->count, SHRINK_AT);
	HMAP_EXPECT_VALID(test, h);
}

/* Each step moves the shrink on: pairs change state under the iterator. */
static void shrink_step(struct kunit *test, struct hmap_core *h, u64 step)
{
	hmap_core_grow_step(h, 1, GFP_KERNEL);
}

/* An iteration started halfway through a shrink, with @between per key. */
static struct hmap_core *iterate_half_shrunk(struct kunit *test,
					     void (*between)(struct kunit *,
							     struct hmap_core *, u64))
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core_iter it;

	half_shrunk(test, h);
	hmap_core_iter_start(h, &it);
	iterate_all(test, h, &it, SHRINK_AT, SHRINK_AT, between);
	HMAP_EXPECT_VALID(test, h);
	return h;
}

static void hmap_core_iter_started_during_shrink(struct kunit *test)
{
	iterate_half_shrunk(test, NULL);
}

static void hmap_core_iter_started_during_shrink_that_finishes(struct kunit *test)
{
	struct hmap_core *h = iterate_half_shrunk(test, shrink_step);

	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
}

/* A shrink whose array cannot be had leaves the map due, and says so. */
static void hmap_core_shrink_start_after_failed_delete(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);

	fill(test, h, FILL);
	drain_to(test, h, FILL, SHRINK_AT + 1);
	KUNIT_EXPECT_EQ(test, hmap_core_shrink_start(h, GFP_KERNEL), 0);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, SHRINK_AT), 0);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, hmap_core_next_shrink_B(h), FILL_B - 1);
	KUNIT_EXPECT_EQ(test, hmap_core_shrink_start(h, GFP_KERNEL), -ENOMEM);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, hmap_core_shrink_start(h, GFP_KERNEL), 0);
	KUNIT_EXPECT_TRUE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->B, FILL_B - 1);
	KUNIT_EXPECT_EQ(test, hmap_core_next_shrink_B(h), -1);
	HMAP_EXPECT_VALID(test, h);
}

/*
 * Deleting the last key of a map that grew lets go of its arrays at once,
 * also when no shrink could be had on the way down.
 */
static void hmap_core_delete_last_key_releases_arrays(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	struct hmap_core_stats st;

	fill(test, h, FILL);
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	drain_to(test, h, FILL, 1);
	KUNIT_ASSERT_EQ(test, h->B, FILL_B);
	KUNIT_ASSERT_EQ(test, hmap_test_del(h, 0), 0);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_EQ(test, h->B, 0);
	hmap_core_stats(h, &st);
	KUNIT_EXPECT_EQ(test, st.bytes, 0);
	HMAP_EXPECT_VALID(test, h);
}

/*
 * Identity hash, a map of B due to halve: @n keys in old buckets 0 (one of
 * them) and 2^(B-1) (the others), all bound for new bucket 0, which has one
 * preallocated overflow bucket if the new B is 4 or more, else none.
 * Evacuating the pair reserves exactly the overflow buckets it needs: none
 * left over, and with every allocation failing it fails cleanly when it
 * needs more than the array preallocates.
 */
struct reserve_case {
	u8 B;
	unsigned int n;
};

static const struct reserve_case reserve_cases[] = {
	{ 5, 8 }, { 5, 9 }, { 5, 16 }, { 5, 17 }, { 4, 8 }, { 4, 9 }, { 4, 13 },
};

static void reserve_desc(const struct reserve_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "B=%u, %u keys in the pair",
		 c->B, c->n);
}

KUNIT_ARRAY_PARAM(reserve, reserve_cases, reserve_desc);

/* The i-th key whose bucket at @B is neither 0 nor 2^(B-1). */
static u64 filler_key(u8 B, unsigned int i)
{
	unsigned int per = (1U << B) - 2, low = 1 + i % per;

	return (low >= 1U << (B - 1) ? low + 1 : low) + ((u64)(i / per + 1) << B);
}

static void hmap_core_shrink_reserves_exact_overflow(struct kunit *test)
{
	const struct reserve_case *c = test->param_value;
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0,
					    hmap_test_hash_identity);
	unsigned int fillers = 7U << (c->B - 1), i;
	unsigned int need = c->n > HMAP_SLOTS ? (c->n - 1) / HMAP_SLOTS : 0;
	unsigned int prealloc = c->B - 1 >= 4;
	u8 *b;
	int err;

	for (i = 0; i < fillers; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, filler_key(c->B, i), i), 0);
	for (i = 0; i < c->n; i++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, (i ? 1ULL << (c->B - 1) : 0) +
						    ((u64)(i + 1) << c->B), i), 0);
	hmap_test_finish_growth(test, h);
	KUNIT_ASSERT_EQ(test, h->B, c->B);
	for (i = 0; i < fillers && !hmap_core_growing(h); i++)
		KUNIT_ASSERT_EQ(test, hmap_test_del(h, filler_key(c->B, i)), 0);
	KUNIT_ASSERT_TRUE(test, h->flags & HMAP_CORE_F_SHRINK);
	KUNIT_ASSERT_EQ(test, h->nevacuate, 0);

	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	err = hmap_core_grow_step(h, 1, GFP_KERNEL);
	hmap_test_fail_nth(0);
	HMAP_EXPECT_VALID(test, h);
	if (need > prealloc) {
		KUNIT_EXPECT_EQ(test, err, -ENOMEM);
		KUNIT_EXPECT_EQ(test, h->nevacuate, 0);
		KUNIT_ASSERT_EQ(test, hmap_core_grow_step(h, 1, GFP_KERNEL),
				-EAGAIN);
	}
	KUNIT_EXPECT_EQ(test, h->nevacuate, 1);
	KUNIT_EXPECT_EQ(test, h->nspare, 0);
	KUNIT_EXPECT_EQ(test, h->noverflow, need);
	/* New bucket 0 holds the n keys in 1 + need buckets. */
	b = h->buckets->data;
	for (i = 0; i < need; i++) {
		b = *(u8 **)(b + h->ovf_off);
		KUNIT_ASSERT_NOT_NULL(test, b);
	}
	KUNIT_EXPECT_NULL(test, *(u8 **)(b + h->ovf_off));
	HMAP_EXPECT_VALID(test, h);
}

/* A clear drops the spare overflow buckets with the array they came with. */
static void hmap_core_clear_drops_spares(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 13, NULL);
	void *ovf[2];

	ovf[0] = hmap_core_ovf_alloc(h, GFP_KERNEL);
	ovf[1] = hmap_core_ovf_alloc(h, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ovf[0]);
	KUNIT_ASSERT_NOT_NULL(test, ovf[1]);
	hmap_core_donate(h, NULL, ovf, 2);
	KUNIT_ASSERT_EQ(test, h->nspare, 2);
	hmap_core_clear(h, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, h->nspare, 0);
	KUNIT_EXPECT_NULL(test, h->spare);
	HMAP_EXPECT_VALID(test, h);
}

/* A clear drops a shrink in progress; the next growth is a growth. */
static void hmap_core_clear_during_shrink_ends_it(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);

	half_shrunk(test, h);
	hmap_core_clear(h, GFP_KERNEL);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	KUNIT_EXPECT_FALSE(test, h->flags & HMAP_CORE_F_SHRINK);
	HMAP_EXPECT_VALID(test, h);
	fill(test, h, FILL);
	KUNIT_EXPECT_EQ(test, h->B, FILL_B);
	expect_keys(test, h, FILL, FILL);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_validate_shrink_pair_half_evacuated(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	const char *why;
	unsigned long j;
	u8 *b;

	half_shrunk(test, h);
	/* Mark one slot of an unevacuated pair's second bucket only. */
	j = h->nevacuate;
	b = h->oldbuckets->data + (j + (1UL << h->B)) * h->bucket_size;
	KUNIT_ASSERT_TRUE(test, b[0] < HMAP_EVACUATED_X ||
			  b[0] >= HMAP_MIN_TOPHASH);
	memset(b, HMAP_EVACUATED_EMPTY, HMAP_SLOTS);
	KUNIT_EXPECT_EQ(test, hmap_core_validate(h, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why, "shrink pair half evacuated");
}

static void hmap_core_validate_b_below_hint(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, FILL, NULL);
	const char *why;

	h->min_B++;
	KUNIT_EXPECT_EQ(test, hmap_core_validate(h, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why, "B below what the creation hint asked for");
	h->min_B--;
}

static struct kunit_case hmap_shrink_cases[] = {
	KUNIT_CASE(hmap_core_delete_shrinks_at_exact_count),
	KUNIT_CASE(hmap_core_shrink_hysteresis_no_ping_pong),
	KUNIT_CASE(hmap_core_shrink_stops_at_hint),
	KUNIT_CASE(hmap_core_shrink_drains_to_one_bucket),
	KUNIT_CASE(hmap_core_lookup_half_shrunk),
	KUNIT_CASE(hmap_core_update_half_shrunk),
	KUNIT_CASE(hmap_core_delete_half_shrunk),
	KUNIT_CASE(hmap_core_grow_step_finishes_shrink),
	KUNIT_CASE(hmap_core_shrink_nomem_loses_nothing),
	KUNIT_CASE(hmap_core_iter_shrink_started_after_start),
	KUNIT_CASE(hmap_core_iter_started_during_shrink),
	KUNIT_CASE(hmap_core_iter_started_during_shrink_that_finishes),
	KUNIT_CASE(hmap_core_shrink_start_after_failed_delete),
	KUNIT_CASE(hmap_core_delete_last_key_releases_arrays),
	KUNIT_CASE_PARAM(hmap_core_shrink_reserves_exact_overflow, reserve_gen_params),
	KUNIT_CASE(hmap_core_clear_drops_spares),
	KUNIT_CASE(hmap_core_clear_during_shrink_ends_it),
	KUNIT_CASE(hmap_core_validate_shrink_pair_half_evacuated),
	KUNIT_CASE(hmap_core_validate_b_below_hint),
	{}
};

static struct kunit_suite hmap_shrink_suite = {
	.name = "hmap_shrink",
	.test_cases = hmap_shrink_cases,
};

kunit_test_suites(&hmap_shrink_suite);
