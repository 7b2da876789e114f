// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the hmap KUnit suites.
 */
#include "hmap_test_util.h"
#include <kunit/static_stub.h>

u64 hmap_test_hash_identity(const void *key, u32 len, u64 seed)
{
	u64 k = 0;

	memcpy(&k, key, min_t(u32, len, sizeof(k)));
	return k;
}

u64 hmap_test_hash_const(const void *key, u32 len, u64 seed)
{
	return 0xa5a5a5a5a5a5a5a5ULL;
}

u64 hmap_test_hash_mix(const void *key, u32 len, u64 seed)
{
	u64 z = hmap_test_hash_identity(key, len, 0) + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void hmap_test_destroy(void *h)
{
	hmap_core_destroy(h);
}

struct hmap_core *hmap_test_map_params(struct kunit *test,
				       const struct hmap_core_params *p)
{
	struct hmap_core *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_EQ(test, hmap_core_init(h, p, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hmap_test_destroy, h), 0);
	return h;
}

struct hmap_core *hmap_test_map(struct kunit *test, u32 key_size,
				u32 value_size, unsigned long hint,
				hmap_hash_fn hashfn)
{
	struct hmap_core_params p = {
		.key_size = key_size,
		.value_size = value_size,
		.hint = hint,
		.hashfn = hashfn,
	};

	return hmap_test_map_params(test, &p);
}

int hmap_test_put(struct hmap_core *h, u64 key, u64 value)
{
	return hmap_core_update(h, &key, &value, HMAP_UPDATE_ANY, GFP_KERNEL);
}

bool hmap_test_get(struct hmap_core *h, u64 key, u64 *value)
{
	u64 *v = hmap_core_lookup(h, &key);

	if (v && value)
		*value = *v;
	return v;
}

int hmap_test_del(struct hmap_core *h, u64 key)
{
	return hmap_core_delete(h, &key, NULL, GFP_KERNEL);
}

void hmap_test_finish_growth(struct kunit *test, struct hmap_core *h)
{
	u64 probe = ~0ULL;
	int n = 0;

	/* Deleting an absent key still does a write's share of evacuation. */
	while (hmap_core_growing(h) && n++ < (1 << 22))
		hmap_core_delete(h, &probe, NULL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, hmap_core_growing(h));
}

static unsigned long fail_countdown;
static unsigned long alloc_calls;
static size_t fail_above;
static bool fail_all;

static void *hmap_test_zalloc(size_t size, gfp_t gfp)
{
	alloc_calls++;
	if (fail_all || (fail_countdown && !--fail_countdown) ||
	    (fail_above && size > fail_above))
		return NULL;
	return kvzalloc(size, gfp);
}

void hmap_test_alloc_hook(struct kunit *test)
{
	fail_all = false;
	fail_countdown = 0;
	fail_above = 0;
	alloc_calls = 0;
	kunit_activate_static_stub(test, hmap_core_zalloc, hmap_test_zalloc);
}

/* Fail every allocation larger than @bytes (0: none) made by the test. */
void hmap_test_fail_above(size_t bytes)
{
	fail_above = bytes;
}

void hmap_test_fail_nth(unsigned long n)
{
	fail_all = false;
	fail_countdown = n;
	alloc_calls = 0;
}

void hmap_test_fail_all(void)
{
	fail_all = true;
}

unsigned long hmap_test_alloc_calls(void)
{
	return alloc_calls;
}

#ifdef __KERNEL__
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for the hmap core");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
#endif
