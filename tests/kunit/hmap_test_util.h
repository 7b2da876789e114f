/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the hmap KUnit suites (also compiled natively through
 * tests/shim).
 */
#ifndef _HMAP_TEST_UTIL_H
#define _HMAP_TEST_UTIL_H

#include <kunit/test.h>
#include "hmap_internal.h"
#include "hmap_core.h"

/* The key hashes to itself: low bits pick the bucket, top byte the tophash. */
u64 hmap_test_hash_identity(const void *key, u32 len, u64 seed);
/* Every key hashes alike: one chain, one tophash. */
u64 hmap_test_hash_const(const void *key, u32 len, u64 seed);
/* A good mix that ignores the seed, so layouts replay exactly. */
u64 hmap_test_hash_mix(const void *key, u32 len, u64 seed);

struct hmap_core *hmap_test_map(struct kunit *test, u32 key_size,
				u32 value_size, unsigned long hint,
				hmap_hash_fn hashfn);
/* A map destroyed when the test ends. */
struct hmap_core *hmap_test_map_params(struct kunit *test,
				       const struct hmap_core_params *p);
int hmap_test_put(struct hmap_core *h, u64 key, u64 value);
bool hmap_test_get(struct hmap_core *h, u64 key, u64 *value);
int hmap_test_del(struct hmap_core *h, u64 key);
/* Write operations until the evacuation in progress is done. */
void hmap_test_finish_growth(struct kunit *test, struct hmap_core *h);

/* Allocation failure injection through the hmap_core_zalloc() stub. */
void hmap_test_alloc_hook(struct kunit *test);
void hmap_test_fail_nth(unsigned long n);
void hmap_test_fail_all(void);
void hmap_test_fail_above(size_t bytes);
unsigned long hmap_test_alloc_calls(void);

#define HMAP_EXPECT_VALID(test, h) do {					\
	const char *__why;						\
	KUNIT_EXPECT_EQ_MSG(test, hmap_core_validate(h, &__why), 0,	\
			    "invalid map: %s", __why);			\
} while (0)

#endif /* _HMAP_TEST_UTIL_H */
