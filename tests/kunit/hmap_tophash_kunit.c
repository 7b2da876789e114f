// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_tophash: the key hash, the per-slot hash byte and its sentinels.
 */
#include "hmap_test_util.h"
#include "hmap_mixhash.h"

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

/*
 * Key sizes of every path of the built-in hash: 4, 8, 16 and the rest, with
 * neighbours of the special ones (2, 32) that must not take their paths.
 */
static const u32 hash_key_sizes[] = {
	1, 2, 3, 4, 5, 8, 12, 16, 17, 32, 64, 200, 512,
};

static void key_size_desc(const u32 *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "key %u", *size);
}

KUNIT_ARRAY_PARAM(hash_key_size, hash_key_sizes, key_size_desc);

/* A key of @len bytes that differs from its neighbours in every byte. */
static u8 *hash_test_key(struct kunit *test, u32 len, u8 salt)
{
	u8 *key = kunit_kzalloc(test, len, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, key);
	for (i = 0; i < len; i++)
		key[i] = (u8)(i * 37 + salt);
	return key;
}

static void hmap_core_hash_is_mixhash_of_key(struct kunit *test)
{
	u32 len = *(const u32 *)test->param_value;
	struct hmap_core *h = hmap_test_map(test, len, 8, 0, NULL);
	u8 *key = hash_test_key(test, len, 1);

	/* By default: the seeded multiply-mix of all key bytes, every path. */
	KUNIT_EXPECT_EQ(test, h->hkind, HMAP_HASH_FAST);
	KUNIT_EXPECT_EQ(test, hmap_core_hash(h, key),
			mixhash(key, len, h->hkey.key[0]));
}

/* The map as a flood leaves it: filed under hsiphash. */
static struct hmap_core *sip_map(struct kunit *test, u32 len)
{
	struct hmap_core *h = hmap_test_map(test, len, 8, 0, NULL);

	h->hkind = HMAP_HASH_SIP;
	return h;
}

static void hmap_core_hash_is_hsiphash_after_flood(struct kunit *test)
{
	u32 len = *(const u32 *)test->param_value;
	struct hmap_core *h = sip_map(test, len);
	u8 *key = hash_test_key(test, len, 1);
	u64 v = hsiphash(key, len, &h->hkey);

	/* The keyed hash of all key bytes, the same for every size path. */
	KUNIT_EXPECT_EQ(test, hmap_core_hash(h, key), v << 32 | v);
}

static void hmap_core_hash_every_key_byte_counts(struct kunit *test)
{
	u32 len = *(const u32 *)test->param_value;
	struct hmap_core *h = hmap_test_map(test, len, 8, 0, NULL);
	u8 *key = hash_test_key(test, len, 7);
	u64 hash = hmap_core_hash(h, key), sip;
	u32 i, same = 0;

	/*
	 * Changing any one byte changes the hash (a chance collision is 1 in
	 * 2^64), and hsiphash's 32 bits that hold both the bucket index and
	 * the tophash (1 in 2^32).
	 */
	for (i = 0; i < len; i++) {
		key[i] ^= 0x5a;
		same += hmap_core_hash(h, key) == hash;
		key[i] ^= 0x5a;
	}
	h->hkind = HMAP_HASH_SIP;
	sip = hmap_core_hash(h, key);
	for (i = 0; i < len; i++) {
		key[i] ^= 0x5a;
		same += (u32)hmap_core_hash(h, key) == (u32)sip;
		key[i] ^= 0x5a;
	}
	KUNIT_EXPECT_EQ(test, same, 0);
}

static void hmap_core_hash_mirrors_32_bits(struct kunit *test)
{
	u32 len = *(const u32 *)test->param_value;
	struct hmap_core *h = sip_map(test, len);
	u8 *key = hash_test_key(test, len, 3);
	unsigned int n;
	u64 hash;

	/* hsiphash: the tophash (63..56) repeats bits 31..24 of the bucket half. */
	for (n = 0; n < 16; n++) {
		key[0] = n;
		hash = hmap_core_hash(h, key);
		KUNIT_EXPECT_EQ(test, hash >> 32, hash & 0xffffffffULL);
	}
}

/* Give @h the mixhash seed @seed, as the core's set_seed() does. */
static void hash_test_set_seed(struct hmap_core *h, u64 seed)
{
	h->hkey.key[0] = seed;
	h->mixk[0] = mixhash_k1(seed);
	h->mixk[1] = mixhash_k2(seed);
}

static void hmap_core_hash_changes_with_seed(struct kunit *test)
{
	u32 len = *(const u32 *)test->param_value;
	struct hmap_core *h = hmap_test_map(test, len, 8, 0, NULL);
	u8 *key = hash_test_key(test, len, 5);
	u64 before = hmap_core_hash(h, key);
	hsiphash_key_t saved = h->hkey;

	/*
	 * mixhash is seeded by the first half of the per-map key (with the
	 * operand keys derived from it, as the map's set_seed() does)...
	 */
	hash_test_set_seed(h, saved.key[0] ^ 1);
	KUNIT_EXPECT_NE(test, hmap_core_hash(h, key), before);
	hash_test_set_seed(h, saved.key[0]);
	/* ...hsiphash by both. */
	h->hkind = HMAP_HASH_SIP;
	before = hmap_core_hash(h, key);
	h->hkey.key[0] ^= 1;
	KUNIT_EXPECT_NE(test, hmap_core_hash(h, key), before);
	h->hkey = saved;
	h->hkey.key[1] ^= 1;
	KUNIT_EXPECT_NE(test, hmap_core_hash(h, key), before);
	h->hkey = saved;
}

static u64 hash_seed_only(const void *key, u32 len, u64 seed)
{
	return seed ^ len;
}

static void hmap_core_hash_custom_fn_gets_seed(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, hash_seed_only);
	u64 key = 1;

	/* Custom functions get hkey.key[0] as their seed and the key size. */
	KUNIT_EXPECT_EQ(test, hmap_core_hash(h, &key), h->hkey.key[0] ^ 8);
}

/* Keys 1..n of the default hash, values 3k: n = 500 grows the map five times. */
static struct hmap_core *hashed_map(struct kunit *test, u64 n)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	u64 k;

	for (k = 1; k <= n; k++)
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, k, 3 * k), 0);
	return h;
}

static void hmap_core_lookup_hashed_finds_every_key(struct kunit *test)
{
	struct hmap_core *h = hashed_map(test, 500);
	u64 k, *v;

	for (k = 1; k <= 500; k++) {
		v = hmap_core_lookup_hashed(h, &k, hmap_core_hash(h, &k));
		KUNIT_ASSERT_NOT_NULL(test, v);
		KUNIT_EXPECT_EQ(test, *v, 3 * k);
	}
}

static void hmap_core_lookup_hashed_misses_absent_key(struct kunit *test)
{
	struct hmap_core *h = hashed_map(test, 500);
	u64 k, hash;

	for (k = 501; k <= 1000; k++) {
		hash = hmap_core_hash(h, &k);
		KUNIT_EXPECT_NULL(test, hmap_core_lookup_hashed(h, &k, hash));
	}
}

/*
 * A map on its own hash function takes the general lookup path, not the
 * one for 4- and 8-byte keys on the built-in hash: 4-byte keys that share
 * their low half must still be told apart there.
 */
static void hmap_core_lookup_4_byte_keys_custom_hash(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 4, 8, 0, hmap_test_hash_mix);
	u64 val, *v;
	u32 k;

	for (k = 1; k <= 100; k++) {
		val = k;
		KUNIT_ASSERT_EQ(test, hmap_core_update(h, &k, &val,
						       HMAP_UPDATE_ANY,
						       GFP_KERNEL), 0);
	}
	for (k = 1; k <= 100; k++) {
		v = hmap_core_lookup(h, &k);
		KUNIT_ASSERT_NOT_NULL(test, v);
		KUNIT_EXPECT_EQ(test, *v, k);
	}
	for (k = 1; k <= 100; k++) {
		u32 other = k | 0x10000;

		KUNIT_EXPECT_NULL(test, hmap_core_lookup(h, &other));
	}
}

/*
 * Keys of 16 and 32 bytes that differ only in their last byte, in one
 * chain under one tophash (a constant hash): only the key compare can
 * tell them apart, and it must read every byte.
 */
static void hmap_core_lookup_keys_differing_in_last_byte(struct kunit *test)
{
	static const u32 sizes[] = { 16, 32 };
	u8 a[32], b[32];
	struct hmap_core *h;
	u64 val = 7, *v;
	unsigned int s;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		h = hmap_test_map(test, sizes[s], 8, 0, hmap_test_hash_const);
		memset(a, 0x5a, sizeof(a));
		memcpy(b, a, sizeof(b));
		b[sizes[s] - 1] ^= 1;
		KUNIT_ASSERT_EQ(test, hmap_core_update(h, a, &val,
						       HMAP_UPDATE_ANY,
						       GFP_KERNEL), 0);
		v = hmap_core_lookup(h, a);
		KUNIT_ASSERT_NOT_NULL(test, v);
		KUNIT_EXPECT_EQ(test, *v, 7);
		KUNIT_EXPECT_NULL(test, hmap_core_lookup(h, b));
	}
}

/*
 * Keys of 16 and 32 bytes on the default hash, sharing their first 16
 * bytes and differing in the last word: the lookup must hash and compare
 * the whole key at each size (16-byte keys take a path of their own).
 */
static void hmap_core_lookup_wide_keys_fast_hash(struct kunit *test)
{
	static const u32 sizes[] = { 16, 32 };
	struct hmap_core *h;
	u64 key[4], i, *v;
	unsigned int s;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		h = hmap_test_map(test, sizes[s], 8, 0, NULL);
		memset(key, 0x5a, sizeof(key));
		for (i = 0; i < 64; i++) {
			key[sizes[s] / 8 - 1] = i;
			KUNIT_ASSERT_EQ(test, hmap_core_update(h, key, &i,
							       HMAP_UPDATE_ANY,
							       GFP_KERNEL), 0);
		}
		/* The lean path: no resize under way. */
		hmap_test_finish_growth(test, h);
		for (i = 0; i < 128; i++) {
			key[sizes[s] / 8 - 1] = i;
			v = hmap_core_lookup(h, key);
			if (i >= 64) {
				KUNIT_EXPECT_NULL(test, v);
				continue;
			}
			KUNIT_ASSERT_NOT_NULL(test, v);
			KUNIT_EXPECT_EQ(test, *v, i);
		}
	}
}

/*
 * A prefetch is a hint: prefetching a key's buckets, with and without a
 * growth under way, must return and leave the map as it was.
 */
static void hmap_core_prefetch_leaves_map_unchanged(struct kunit *test)
{
	struct hmap_core *h = hmap_test_map(test, 8, 8, 0, NULL);
	u64 k, n, v;

	for (n = 1; !h->oldbuckets; n++) {
		KUNIT_ASSERT_LT(test, n, 1000);
		KUNIT_ASSERT_EQ(test, hmap_test_put(h, n, 3 * n), 0);
		hmap_core_prefetch(h, hmap_core_hash(h, &n));
	}
	for (k = 0; k < 2 * n; k++)
		hmap_core_prefetch(h, hmap_core_hash(h, &k));
	KUNIT_EXPECT_NOT_NULL(test, h->oldbuckets);
	for (k = 1; k < n; k++) {
		KUNIT_ASSERT_TRUE(test, hmap_test_get(h, k, &v));
		KUNIT_EXPECT_EQ(test, v, 3 * k);
	}
	HMAP_EXPECT_VALID(test, h);
}

static struct kunit_case hmap_tophash_cases[] = {
	KUNIT_CASE_PARAM(hmap_core_tophash_top_byte, tophash_gen_params),
	KUNIT_CASE(hmap_core_tophash_never_sentinel),
	KUNIT_CASE(hmap_core_tophash_ignores_low_bits),
	KUNIT_CASE(hmap_core_update_stores_tophash),
	KUNIT_CASE(hmap_core_lookup_tophash_collision),
	KUNIT_CASE_PARAM(hmap_core_hash_is_mixhash_of_key, hash_key_size_gen_params),
	KUNIT_CASE_PARAM(hmap_core_hash_is_hsiphash_after_flood, hash_key_size_gen_params),
	KUNIT_CASE_PARAM(hmap_core_hash_every_key_byte_counts, hash_key_size_gen_params),
	KUNIT_CASE_PARAM(hmap_core_hash_mirrors_32_bits, hash_key_size_gen_params),
	KUNIT_CASE_PARAM(hmap_core_hash_changes_with_seed, hash_key_size_gen_params),
	KUNIT_CASE(hmap_core_hash_custom_fn_gets_seed),
	KUNIT_CASE(hmap_core_lookup_hashed_finds_every_key),
	KUNIT_CASE(hmap_core_lookup_hashed_misses_absent_key),
	KUNIT_CASE(hmap_core_lookup_4_byte_keys_custom_hash),
	KUNIT_CASE(hmap_core_lookup_keys_differing_in_last_byte),
	KUNIT_CASE(hmap_core_lookup_wide_keys_fast_hash),
	KUNIT_CASE(hmap_core_prefetch_leaves_map_unchanged),
	{}
};

static struct kunit_suite hmap_tophash_suite = {
	.name = "hmap_tophash",
	.test_cases = hmap_tophash_cases,
};

kunit_test_suites(&hmap_tophash_suite);
