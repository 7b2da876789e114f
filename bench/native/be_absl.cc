// SPDX-License-Identifier: GPL-2.0
/*
 * absl::flat_hash_map (Swiss table, Debian libabsl-dev) with its default
 * hash (absl::Hash); the hint is reserve(n).
 */
#include <absl/container/flat_hash_map.h>
#include <cstdint>
#include <utility>

#define BE_NAME "absl"
#define BE_HAS_HINT 1
#define BE_HAS_NOHINT 1
#include "driver.h"

#if WL == 1
typedef uint64_t AKey;
typedef uint64_t AVal;
static inline AKey to_akey(const bkey_t *k) { return k->w[0]; }
static inline AVal to_aval(const bval_t *v) { return v->w[0]; }
static inline uint64_t word0(const AVal &v) { return v; }
#else
struct AKey {
	uint64_t a, b;
	bool operator==(const AKey &o) const { return a == o.a && b == o.b; }
	template <typename H>
	friend H AbslHashValue(H h, const AKey &k)
	{
		return H::combine(std::move(h), k.a, k.b);
	}
};
struct AVal {
	uint64_t w[8];
};
static inline AKey to_akey(const bkey_t *k) { return AKey{k->w[0], k->w[1]}; }
static inline AVal to_aval(const bval_t *v)
{
	AVal a;

	memcpy(a.w, v->w, sizeof(a.w));
	return a;
}
static inline uint64_t word0(const AVal &v) { return v.w[0]; }
#endif

static absl::flat_hash_map<AKey, AVal> *M;

static void be_init(void)
{
}

static void be_create(size_t hint)
{
	M = new absl::flat_hash_map<AKey, AVal>();
	if (hint)
		M->reserve(hint);
}

static void be_destroy(void)
{
	delete M;
	M = nullptr;
}

static void be_insert(const bkey_t *k, const bval_t *v)
{
	M->insert_or_assign(to_akey(k), to_aval(v));
}

static bool be_lookup(const bkey_t *k, uint64_t *v0)
{
	auto it = M->find(to_akey(k));

	if (it == M->end())
		return false;
	*v0 = word0(it->second);
	return true;
}

static bool be_delete(const bkey_t *k)
{
	return M->erase(to_akey(k)) == 1;
}

static void be_sync(void)
{
}

static uint64_t be_self_bytes(void)
{
	return 0;
}
