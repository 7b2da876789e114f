// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_nomem: every allocation an operation makes is failed in turn. The
 * operation must return -ENOMEM (or succeed, if the allocation was only
 * for optional evacuation progress), and the map must stay valid with
 * exactly the contents it had, plus the new entry on success.
 */
#include "hmap_test_util.h"

struct nomem_case {
	const char *name;
	u32 key_size;
	u32 value_size;
	hmap_hash_fn hashfn;
	unsigned long hint;
	unsigned long prefill;	/* keys 1..prefill before the operation */
	unsigned long op_key;	/* then insert this key */
};

static const struct nomem_case nomem_cases[] = {
	/* The first insert allocates the lazy B = 0 array. */
	{ "first insert", 8, 8, hmap_test_hash_mix, 0, 0, 1000 },
	/* The 9th key doubles B = 0: new array. */
	{ "growth", 8, 8, hmap_test_hash_mix, 0, 8, 1000 },
	/* A full chain at B = 1 needs an overflow bucket, not growth. */
	{ "overflow bucket", 8, 8, hmap_test_hash_const, 13, 8, 1000 },
	/* Doubling a full B = 2 map with one 4-bucket chain: evacuation
	 * needs 3 overflow buckets, and B = 3 has none preallocated.
	 */
	{ "mid-evacuation", 8, 8, hmap_test_hash_const, 0, 26, 1000 },
	/* Same at B >= 4 with preallocated and allocated overflow. */
	{ "evacuation past prealloc", 8, 8, hmap_test_hash_const, 0, 104, 1000 },
	/* Out-of-line key and value objects. */
	{ "indirect key", 200, 8, hmap_test_hash_mix, 0, 3, 1000 },
	{ "indirect value", 8, 300, hmap_test_hash_mix, 0, 3, 1000 },
	{ "indirect both", 129, 129, hmap_test_hash_const, 0, 30, 1000 },
};

static void nomem_desc(const struct nomem_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(nomem, nomem_cases, nomem_desc);

static void put_key(const struct nomem_case *c, u8 *buf, u64 k)
{
	memset(buf, 0, c->key_size);
	memcpy(buf, &k, 8);
}

static void put_value(const struct nomem_case *c, u8 *buf, u64 k)
{
	memset(buf, (u8)k, c->value_size);
}

static struct hmap_core *build(struct kunit *test, const struct nomem_case *c,
			       u8 *kbuf, u8 *vbuf)
{
	struct hmap_core *h = hmap_test_map(test, c->key_size, c->value_size,
					    c->hint, c->hashfn);
	u64 k;

	for (k = 1; k <= c->prefill; k++) {
		put_key(c, kbuf, k);
		put_value(c, vbuf, k);
		KUNIT_ASSERT_EQ(test, hmap_core_update(h, kbuf, vbuf, HMAP_UPDATE_ANY,
						       GFP_KERNEL), 0);
	}
	return h;
}

static void expect_contents(struct kunit *test, const struct nomem_case *c,
			    struct hmap_core *h, bool with_op, u8 *kbuf,
			    u8 *vbuf)
{
	u64 k;
	u8 *v;

	KUNIT_EXPECT_EQ(test, h->count, c->prefill + with_op);
	for (k = 1; k <= c->prefill; k++) {
		put_key(c, kbuf, k);
		put_value(c, vbuf, k);
		v = hmap_core_lookup(h, kbuf);
		KUNIT_ASSERT_NOT_NULL(test, v);
		KUNIT_EXPECT_MEMEQ(test, v, vbuf, c->value_size);
	}
	put_key(c, kbuf, c->op_key);
	KUNIT_EXPECT_EQ(test, !!hmap_core_lookup(h, kbuf), with_op);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_fails_cleanly_at_every_allocation(struct kunit *test)
{
	const struct nomem_case *c = test->param_value;
	u8 *kbuf = kunit_kzalloc(test, c->key_size, GFP_KERNEL);
	u8 *vbuf = kunit_kzalloc(test, c->value_size + 1, GFP_KERNEL);
	unsigned long n, calls, failures = 0;
	struct hmap_core *h;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, kbuf);
	KUNIT_ASSERT_NOT_NULL(test, vbuf);
	hmap_test_alloc_hook(test);

	/* Count the allocations of an unhindered run. */
	h = build(test, c, kbuf, vbuf);
	hmap_test_fail_nth(0);
	put_key(c, kbuf, c->op_key);
	put_value(c, vbuf, c->op_key);
	KUNIT_ASSERT_EQ(test, hmap_core_update(h, kbuf, vbuf, HMAP_UPDATE_ANY, GFP_KERNEL), 0);
	calls = hmap_test_alloc_calls();
	KUNIT_ASSERT_GT(test, calls, 0);

	for (n = 1; n <= calls; n++) {
		h = build(test, c, kbuf, vbuf);
		hmap_test_fail_nth(n);
		put_key(c, kbuf, c->op_key);
		put_value(c, vbuf, c->op_key);
		err = hmap_core_update(h, kbuf, vbuf, HMAP_UPDATE_ANY, GFP_KERNEL);
		KUNIT_EXPECT_TRUE_MSG(test, err == 0 || err == -ENOMEM,
				      "allocation %lu: %d", n, err);
		failures += err == -ENOMEM;
		hmap_test_fail_nth(0);
		expect_contents(test, c, h, !err, kbuf, vbuf);
		/* And the map keeps working afterwards. */
		put_key(c, kbuf, c->op_key);
		put_value(c, vbuf, c->op_key);
		KUNIT_EXPECT_EQ(test, hmap_core_update(h, kbuf, vbuf, HMAP_UPDATE_ANY,
						       GFP_KERNEL), 0);
		HMAP_EXPECT_VALID(test, h);
	}
	/* The allocations the insert itself needs always surface. */
	KUNIT_EXPECT_GT(test, failures, 0);
}

/*
 * B = 2 with keys 2 + 4m (m < 20) chained in bucket 2 and 7 keys in
 * bucket 0; the 27th key starts a doubling that evacuates old buckets 0
 * and 1 only. Evacuating bucket 2 needs two overflow buckets.
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
	KUNIT_ASSERT_EQ(test, h->nevacuate, 2);
	hmap_test_alloc_hook(test);
	return h;
}

static void hmap_core_delete_succeeds_when_evacuation_fails(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);

	hmap_test_fail_all();
	/* Bucket 2 cannot be evacuated; the key is removed where it is. */
	KUNIT_EXPECT_EQ(test, hmap_test_del(h, 2 + 4 * 19), 0);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, h->nevacuate, 2);
	KUNIT_EXPECT_FALSE(test, hmap_test_get(h, 2 + 4 * 19, NULL));
	KUNIT_EXPECT_EQ(test, h->count, 26);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_existing_key_needs_no_memory(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);
	u64 v;

	hmap_test_fail_all();
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 2 + 4 * 19, 99), 0);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, h->nevacuate, 2);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 2 + 4 * 19, &v));
	KUNIT_EXPECT_EQ(test, v, 99);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_update_new_key_unevacuated_nomem(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);

	hmap_test_fail_all();
	/* A new key for bucket 2 has to wait for its evacuation. */
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 2 + 4 * 20, 1), -ENOMEM);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_FALSE(test, hmap_test_get(h, 2 + 4 * 20, NULL));
	KUNIT_EXPECT_EQ(test, h->count, 27);
	HMAP_EXPECT_VALID(test, h);
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 2 + 4 * 20, 1), 0);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_grow_step_nomem_keeps_map(struct kunit *test)
{
	struct hmap_core *h = half_grown(test);
	u64 m;

	hmap_test_fail_all();
	/* Old bucket 2 needs two overflow buckets it cannot get. */
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 100, GFP_KERNEL), -ENOMEM);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, h->nevacuate, 2);
	KUNIT_EXPECT_EQ(test, h->count, 27);
	HMAP_EXPECT_VALID(test, h);
	KUNIT_EXPECT_EQ(test, hmap_core_grow_step(h, 100, GFP_KERNEL), 0);
	KUNIT_EXPECT_FALSE(test, hmap_core_growing(h));
	for (m = 0; m < 20; m++)
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 2 + 4 * m, NULL));
	for (m = 0; m < 7; m++)
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 4 * m, NULL));
	HMAP_EXPECT_VALID(test, h);
}

/*
 * What a sleeping caller allocates outside the lock and donates (the
 * module's refill path) lets the next write succeed with every
 * allocation failing.
 */
static void hmap_core_update_uses_donated_array(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, hmap_test_hash_mix);
	struct hmap_gen *gen;
	void *ovf[2];
	u64 n;
	int B;

	for (n = 0; n < 8; n++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, n, n), 0);
	/* The 9th key overloads B = 0. */
	B = hmap_core_next_grow_B(h);
	KUNIT_ASSERT_EQ(test, B, 1);
	gen = hmap_core_gen_alloc(h, B, GFP_KERNEL);
	ovf[0] = hmap_core_ovf_alloc(h, GFP_KERNEL);
	ovf[1] = hmap_core_ovf_alloc(h, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, gen && ovf[0] && ovf[1]);
	hmap_core_donate(h, gen, ovf, 2);
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 8, 8), 0);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, h->B, 1);
	for (n = 0; n <= 8; n++)
		KUNIT_EXPECT_TRUE(test, hmap_test_get(h, n, NULL));
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_next_grow_B_none_needed(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, hmap_test_hash_mix);

	/* No array yet: the first insert allocates B = 0. */
	KUNIT_EXPECT_EQ(test, hmap_core_next_grow_B(h), 0);
	KUNIT_ASSERT_EQ(test, hmap_test_put(h, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, hmap_core_next_grow_B(h), -1);
}

static void hmap_core_update_uses_donated_objects(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 200, 300, 100, hmap_test_hash_mix);
	u8 key[200] = { 7 }, val[300] = { 9 };
	void *k, *v;

	k = hmap_core_obj_alloc(h, HMAP_OBJ_KEY, GFP_KERNEL);
	v = hmap_core_obj_alloc(h, HMAP_OBJ_VALUE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, k && v);
	hmap_core_donate_obj(h, HMAP_OBJ_KEY, k);
	hmap_core_donate_obj(h, HMAP_OBJ_VALUE, v);
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	/* The array exists (hint 100); only out-of-line storage is needed. */
	KUNIT_EXPECT_EQ(test, hmap_core_update(h, key, val, HMAP_UPDATE_ANY, GFP_KERNEL), 0);
	hmap_test_fail_nth(0);
	v = hmap_core_lookup(h, key);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_EXPECT_EQ(test, memcmp(v, val, sizeof(val)), 0);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_donate_obj_keeps_first(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 200, 8, 0, hmap_test_hash_mix);
	void *a = hmap_core_obj_alloc(h, HMAP_OBJ_KEY, GFP_KERNEL);
	void *b = hmap_core_obj_alloc(h, HMAP_OBJ_KEY, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, a && b);
	hmap_core_donate_obj(h, HMAP_OBJ_KEY, a);
	/* One is kept per kind; a second donation is freed at once. */
	hmap_core_donate_obj(h, HMAP_OBJ_KEY, b);
	KUNIT_EXPECT_PTR_EQ(test, h->obj_reserve[HMAP_OBJ_KEY], a);
	KUNIT_EXPECT_NULL(test, h->obj_reserve[HMAP_OBJ_VALUE]);
}

static void hmap_core_donate_obj_unused_freed_at_destroy(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 200, 300, 0,
					    hmap_test_hash_mix);
	void *k = hmap_core_obj_alloc(h, HMAP_OBJ_KEY, GFP_KERNEL);
	void *v = hmap_core_obj_alloc(h, HMAP_OBJ_VALUE, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, k && v);
	hmap_core_donate_obj(h, HMAP_OBJ_KEY, k);
	hmap_core_donate_obj(h, HMAP_OBJ_VALUE, v);
	/* Kept by kind, never used: hmap_core_destroy() frees both. */
	KUNIT_EXPECT_PTR_EQ(test, h->obj_reserve[HMAP_OBJ_KEY], k);
	KUNIT_EXPECT_PTR_EQ(test, h->obj_reserve[HMAP_OBJ_VALUE], v);
}

static void hmap_core_update_takes_donated_obj_once(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 200, 8, 0, hmap_test_hash_mix);
	void *k = hmap_core_obj_alloc(h, HMAP_OBJ_KEY, GFP_KERNEL);
	u8 key[200] = { 1 };
	u64 val = 5;

	KUNIT_ASSERT_NOT_NULL(test, k);
	hmap_core_donate_obj(h, HMAP_OBJ_KEY, k);
	KUNIT_ASSERT_EQ(test, hmap_core_update(h, key, &val, HMAP_UPDATE_ANY, GFP_KERNEL), 0);
	KUNIT_EXPECT_NULL(test, h->obj_reserve[HMAP_OBJ_KEY]);
	/* The next out-of-line key needs memory again. */
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	key[0] = 2;
	KUNIT_EXPECT_EQ(test, hmap_core_update(h, key, &val, HMAP_UPDATE_ANY, GFP_KERNEL), -ENOMEM);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, h->count, 1);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_donate_overflow_become_spares(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 13,
					    hmap_test_hash_identity);
	void *ovf[2];
	u64 m;

	/* B = 1: the even keys 0..14 fill bucket 0. */
	KUNIT_ASSERT_EQ(test, h->B, 1);
	for (m = 0; m < 8; m++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, 2 * m, m), 0);
	ovf[0] = hmap_core_ovf_alloc(h, GFP_KERNEL);
	ovf[1] = hmap_core_ovf_alloc(h, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, ovf[0] && ovf[1]);
	hmap_core_donate(h, NULL, ovf, 2);
	KUNIT_EXPECT_EQ(test, h->nspare, 2);
	KUNIT_EXPECT_NULL(test, h->reserve);
	HMAP_EXPECT_VALID(test, h);
	/* The 9th key for bucket 0 takes a spare, without allocating. */
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 16, 8), 0);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, h->nspare, 1);
	KUNIT_EXPECT_EQ(test, h->noverflow, 1);
	KUNIT_EXPECT_TRUE(test, hmap_test_get(h, 16, NULL));
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_donate_overflow_without_array(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, hmap_test_hash_mix);
	void *ovf = hmap_core_ovf_alloc(h, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ovf);
	/* No array to hold it: freed at once, nothing kept. */
	hmap_core_donate(h, NULL, &ovf, 1);
	KUNIT_EXPECT_EQ(test, h->nspare, 0);
	KUNIT_EXPECT_NULL(test, h->spare);
	KUNIT_EXPECT_NULL(test, h->buckets);
	HMAP_EXPECT_VALID(test, h);
}

static void hmap_core_donate_array_replaces_earlier(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, hmap_test_hash_mix);
	struct hmap_gen *g1 = hmap_core_gen_alloc(h, 1, GFP_KERNEL);
	struct hmap_gen *g2 = hmap_core_gen_alloc(h, 2, GFP_KERNEL);
	u64 n;

	KUNIT_ASSERT_TRUE(test, g1 && g2);
	hmap_core_donate(h, g1, NULL, 0);
	hmap_core_donate(h, g2, NULL, 0);
	KUNIT_EXPECT_PTR_EQ(test, h->reserve, g2);
	/* A B = 2 array does not serve the growth to B = 1. */
	for (n = 0; n < 8; n++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, n, n), 0);
	hmap_test_alloc_hook(test);
	hmap_test_fail_all();
	KUNIT_EXPECT_EQ(test, hmap_test_put(h, 8, 8), -ENOMEM);
	hmap_test_fail_nth(0);
	KUNIT_EXPECT_PTR_EQ(test, h->reserve, g2);
	KUNIT_EXPECT_EQ(test, h->B, 0);
	HMAP_EXPECT_VALID(test, h);
}

static struct kunit_case hmap_nomem_cases[] = {
	KUNIT_CASE_PARAM(hmap_core_update_fails_cleanly_at_every_allocation,
			 nomem_gen_params),
	KUNIT_CASE(hmap_core_delete_succeeds_when_evacuation_fails),
	KUNIT_CASE(hmap_core_update_existing_key_needs_no_memory),
	KUNIT_CASE(hmap_core_update_new_key_unevacuated_nomem),
	KUNIT_CASE(hmap_core_grow_step_nomem_keeps_map),
	KUNIT_CASE(hmap_core_update_uses_donated_array),
	KUNIT_CASE(hmap_core_next_grow_B_none_needed),
	KUNIT_CASE(hmap_core_update_uses_donated_objects),
	KUNIT_CASE(hmap_core_donate_obj_keeps_first),
	KUNIT_CASE(hmap_core_donate_obj_unused_freed_at_destroy),
	KUNIT_CASE(hmap_core_update_takes_donated_obj_once),
	KUNIT_CASE(hmap_core_donate_overflow_become_spares),
	KUNIT_CASE(hmap_core_donate_overflow_without_array),
	KUNIT_CASE(hmap_core_donate_array_replaces_earlier),
	{}
};

static struct kunit_suite hmap_nomem_suite = {
	.name = "hmap_nomem",
	.test_cases = hmap_nomem_cases,
};

kunit_test_suites(&hmap_nomem_suite);
