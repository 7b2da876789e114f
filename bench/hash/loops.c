// SPDX-License-Identifier: GPL-2.0
/*
 * The timed loops.  Built with kernel-like code generation (-O2, no SSE,
 * no strict aliasing) against the kernel's own <linux/siphash.h>,
 * <linux/xxhash.h> and <linux/jhash.h>; siphash/hsiphash/xxh64 are the
 * out-of-line functions of lib/siphash.c and lib/xxhash.c (separate
 * translation units, as exported symbols are for a module), jhash and
 * mixhash are inlined as they would be in hmap.
 *
 * The key size reaches the generic functions through an opaque variable,
 * as hmap's per-map key size would: nothing is specialised for a constant
 * length.  The fixed-width helpers get the key words loaded from memory.
 *
 * loops_rt.c includes this file again with HB_RT defined: the loops of the
 * out-of-line functions only, calling the copies of lib/siphash.c and
 * lib/xxhash.c built with an SRSO-style return thunk (see srso_thunk.S).
 */
#include "kshim.h"
#include <linux/siphash.h>
#include <linux/xxhash.h>
#include <linux/jhash.h>
#include "../../kmod/hmap_mixhash.h"
#include "hashbench.h"

extern siphash_key_t hb_sip_key;
extern hsiphash_key_t hb_hsip_key;
extern u64 hb_xxh_seed;
extern u32 hb_jhash_seed;
extern u64 hb_mix_seed;

#ifndef HB_RT
siphash_key_t hb_sip_key;
hsiphash_key_t hb_hsip_key;
u64 hb_xxh_seed;
u32 hb_jhash_seed;
u64 hb_mix_seed;

void hb_set_seeds(uint64_t s0, uint64_t s1)
{
	hb_sip_key.key[0] = s0;
	hb_sip_key.key[1] = s1;
	hb_hsip_key.key[0] = s0;
	hb_hsip_key.key[1] = s1;
	hb_xxh_seed = s0;
	hb_jhash_seed = (u32)s0;
	hb_mix_seed = s0;
}
#endif

/* Hide a value from the optimiser (keeps the key length a runtime value). */
#define HB_OPAQUE(x) __asm__("" : "+r"(x))
#define noinline __attribute__((__noinline__))
/* Make the compiler store to and reload from memory (no store-to-register
 * forwarding at compile time, which inlined hashes would otherwise get). */
#define HB_CLOBBER(buf) __asm__ volatile("" : : "r"(buf) : "memory")

static inline u32 ld32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 ld64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * HB_LOOPS(name, SIZE, EXPR): EXPR hashes the SIZE-byte key at p (length
 * also in the opaque variable len).
 *   tp_name:  sum of hashes of consecutive keys; hashes are independent.
 *   lat_name: the key is copied to a buffer with the previous hash xored
 *             into its first 8 bytes, then hashed: a dependency chain.
 *             The first word is stored as one 8-byte store (for 4-byte keys
 *             the upper half lands in padding the hash never reads), so that
 *             every load the hashes make is forwarded from a single store
 *             rather than stalling on a partial overlap.  A compiler
 *             barrier makes every candidate read the key from memory.
 * Both buffers have at least 8 bytes of slack after the key, for
 * load_unaligned_zeropad() in the kernel's siphash.
 */
#define HB_LOOPS(name, SIZE, EXPR)						\
static noinline uint64_t tp_##name(const unsigned char *keys, uint32_t n,	\
				   uint64_t passes)				\
{										\
	u64 acc = 0;								\
	u32 len = SIZE;								\
	HB_OPAQUE(len);								\
	for (u64 r = 0; r < passes; r++) {					\
		const u8 *p = keys;						\
		for (u32 i = 0; i < n; i++, p += SIZE)				\
			acc += (u64)(EXPR);					\
	}									\
	return acc;								\
}										\
static noinline uint64_t lat_##name(const unsigned char *keys, uint32_t n,	\
				    uint64_t passes)				\
{										\
	u8 buf[SIZE + 8] __aligned(8) = { 0 };					\
	const u8 *p = buf;							\
	u64 h = 0;								\
	u32 len = SIZE;								\
	HB_OPAQUE(len);								\
	for (u64 r = 0; r < passes; r++) {					\
		const u8 *k = keys;						\
		for (u32 i = 0; i < n; i++, k += SIZE) {			\
			u64 w = (SIZE >= 8 ? ld64(k) : ld32(k)) ^ h;		\
										\
			memcpy(buf, &w, 8);					\
			if (SIZE > 8)						\
				memcpy(buf + 8, k + 8, SIZE > 8 ? SIZE - 8 : 0); \
			HB_CLOBBER(buf);					\
			h = (u64)(EXPR);					\
		}								\
	}									\
	return h;								\
}

#define HB_ALL_SIZES(name, EXPR)		\
	HB_LOOPS(name##_4, 4, EXPR)		\
	HB_LOOPS(name##_8, 8, EXPR)		\
	HB_LOOPS(name##_16, 16, EXPR)		\
	HB_LOOPS(name##_64, 64, EXPR)

HB_ALL_SIZES(hsiphash, hsiphash(p, len, &hb_hsip_key))
HB_LOOPS(hsiphash_1u32, 4, hsiphash_1u32(ld32(p), &hb_hsip_key))
HB_LOOPS(hsiphash_2u32, 8, hsiphash_2u32(ld32(p), ld32(p + 4), &hb_hsip_key))
HB_LOOPS(hsiphash_4u32, 16, hsiphash_4u32(ld32(p), ld32(p + 4), ld32(p + 8),
					  ld32(p + 12), &hb_hsip_key))

HB_ALL_SIZES(siphash, siphash(p, len, &hb_sip_key))
HB_LOOPS(siphash_1u32, 4, siphash_1u32(ld32(p), &hb_sip_key))
HB_LOOPS(siphash_1u64, 8, siphash_1u64(ld64(p), &hb_sip_key))
HB_LOOPS(siphash_2u64, 16, siphash_2u64(ld64(p), ld64(p + 8), &hb_sip_key))

HB_ALL_SIZES(xxh64, xxh64(p, len, hb_xxh_seed))

#ifndef HB_RT
HB_ALL_SIZES(jhash, jhash(p, len, hb_jhash_seed))
HB_ALL_SIZES(jhash2, jhash2((const u32 *)p, len / 4, hb_jhash_seed))
HB_LOOPS(jhash_1word, 4, jhash_1word(ld32(p), hb_jhash_seed))
HB_LOOPS(jhash_2words, 8, jhash_2words(ld32(p), ld32(p + 4), hb_jhash_seed))

HB_ALL_SIZES(mixhash, mixhash(p, len, hb_mix_seed))
HB_LOOPS(mixhash_u32, 4, mixhash_u32(ld32(p), hb_mix_seed))
HB_LOOPS(mixhash_u64, 8, mixhash_u64(ld64(p), hb_mix_seed))

HB_LOOPS(load_4, 4, ld32(p) + (len & 0))
HB_LOOPS(load_8, 8, ld64(p) + (len & 0))
HB_LOOPS(load_16, 16, ld64(p) + (len & 0))
HB_LOOPS(load_64, 64, ld64(p) + (len & 0))
#endif

enum {
	R_HSIP, R_HSIP_FIXED, R_SIP, R_SIP_FIXED, R_XXH64, R_JHASH, R_JHASH2,
	R_JHASH_FIXED, R_MIX, R_MIX_FIXED, R_LOAD,
};

#ifndef HB_RT

const struct hb_row hb_rows[] = {
	[R_HSIP] = { "hsiphash()", "SipHash-1-3, 128-bit key, u32 out; out of line" },
	[R_HSIP_FIXED] = { "hsiphash_1u32 / _2u32 / _4u32", "fixed-width helpers; out of line" },
	[R_SIP] = { "siphash()", "SipHash-2-4, 128-bit key, u64 out; out of line" },
	[R_SIP_FIXED] = { "siphash_1u32 / _1u64 / _2u64", "fixed-width helpers; out of line" },
	[R_XXH64] = { "xxh64()", "64-bit seed, u64 out; out of line" },
	[R_JHASH] = { "jhash()", "bytes, 32-bit initval, u32 out; inline" },
	[R_JHASH2] = { "jhash2()", "u32 words, 32-bit initval, u32 out; inline" },
	[R_JHASH_FIXED] = { "jhash_1word / _2words", "fixed-width helpers; inline" },
	[R_MIX] = { "mixhash()", "this directory's mixhash.h, 64-bit seed, u64 out; inline" },
	[R_MIX_FIXED] = { "mixhash_u32 / _u64", "fixed-width fast paths; inline" },
	[R_LOAD] = { "(baseline: load first word, no hash)", "harness overhead, not subtracted" },
};
const int hb_nrows = sizeof(hb_rows) / sizeof(hb_rows[0]);

#endif /* !HB_RT */

#define C(row, size, fn, name) { row, size, fn, tp_##name, lat_##name }
#ifdef HB_RT
#define HB_CASES hb_rt_cases
#define HB_NCASES hb_rt_ncases
#else
#define HB_CASES hb_cases
#define HB_NCASES hb_ncases
#endif
const struct hb_case HB_CASES[] = {
	C(R_HSIP, 4, "hsiphash", hsiphash_4),
	C(R_HSIP, 8, "hsiphash", hsiphash_8),
	C(R_HSIP, 16, "hsiphash", hsiphash_16),
	C(R_HSIP, 64, "hsiphash", hsiphash_64),
	C(R_HSIP_FIXED, 4, "hsiphash_1u32", hsiphash_1u32),
	C(R_HSIP_FIXED, 8, "hsiphash_2u32", hsiphash_2u32),
	C(R_HSIP_FIXED, 16, "hsiphash_4u32", hsiphash_4u32),
	C(R_SIP, 4, "siphash", siphash_4),
	C(R_SIP, 8, "siphash", siphash_8),
	C(R_SIP, 16, "siphash", siphash_16),
	C(R_SIP, 64, "siphash", siphash_64),
	C(R_SIP_FIXED, 4, "siphash_1u32", siphash_1u32),
	C(R_SIP_FIXED, 8, "siphash_1u64", siphash_1u64),
	C(R_SIP_FIXED, 16, "siphash_2u64", siphash_2u64),
	C(R_XXH64, 4, "xxh64", xxh64_4),
	C(R_XXH64, 8, "xxh64", xxh64_8),
	C(R_XXH64, 16, "xxh64", xxh64_16),
	C(R_XXH64, 64, "xxh64", xxh64_64),
#ifndef HB_RT
	C(R_JHASH, 4, "jhash", jhash_4),
	C(R_JHASH, 8, "jhash", jhash_8),
	C(R_JHASH, 16, "jhash", jhash_16),
	C(R_JHASH, 64, "jhash", jhash_64),
	C(R_JHASH2, 4, "jhash2", jhash2_4),
	C(R_JHASH2, 8, "jhash2", jhash2_8),
	C(R_JHASH2, 16, "jhash2", jhash2_16),
	C(R_JHASH2, 64, "jhash2", jhash2_64),
	C(R_JHASH_FIXED, 4, "jhash_1word", jhash_1word),
	C(R_JHASH_FIXED, 8, "jhash_2words", jhash_2words),
	C(R_MIX, 4, "mixhash", mixhash_4),
	C(R_MIX, 8, "mixhash", mixhash_8),
	C(R_MIX, 16, "mixhash", mixhash_16),
	C(R_MIX, 64, "mixhash", mixhash_64),
	C(R_MIX_FIXED, 4, "mixhash_u32", mixhash_u32),
	C(R_MIX_FIXED, 8, "mixhash_u64", mixhash_u64),
	C(R_LOAD, 4, "load", load_4),
	C(R_LOAD, 8, "load", load_8),
	C(R_LOAD, 16, "load", load_16),
	C(R_LOAD, 64, "load", load_64),
#endif
};
const int HB_NCASES = sizeof(HB_CASES) / sizeof(HB_CASES[0]);

#ifndef HB_RT

const char *hb_family_name(int family)
{
	static const char *const names[HB_NFAMILIES] = {
		[HB_IDENTITY] = "identity (no hash)",
		[HB_HSIPHASH] = "hsiphash()",
		[HB_SIPHASH] = "siphash()",
		[HB_XXH64] = "xxh64()",
		[HB_JHASH] = "jhash()",
		[HB_MIXHASH] = "mixhash()",
	};
	return names[family];
}

int hb_family_bits(int family)
{
	return family == HB_HSIPHASH || family == HB_JHASH ? 32 : 64;
}

/* Generic entry points, for the quality check (keys padded by 8 bytes). */
uint64_t hb_hash(int family, const void *key, uint32_t len)
{
	switch (family) {
	case HB_HSIPHASH:
		return hsiphash(key, len, &hb_hsip_key);
	case HB_SIPHASH:
		return siphash(key, len, &hb_sip_key);
	case HB_XXH64:
		return xxh64(key, len, hb_xxh_seed);
	case HB_JHASH:
		return jhash(key, len, hb_jhash_seed);
	case HB_MIXHASH:
		return mixhash(key, len, hb_mix_seed);
	default:
		return len >= 8 ? ld64(key) : len >= 4 ? ld32(key) : 0;
	}
}
#endif /* !HB_RT */
