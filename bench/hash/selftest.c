// SPDX-License-Identifier: GPL-2.0
/*
 * Checks run before every benchmark: that the kernel code compiled through
 * the shim computes what it should, that the fixed-width helpers agree
 * with the generic entry points, and that mixhash.h has the properties
 * its comment claims.
 */
#include "kshim.h"
#include <linux/siphash.h>
#include <linux/xxhash.h>
#include <linux/jhash.h>
#include "../../kmod/hmap_mixhash.h"
#include "hashbench.h"

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			failures++;					\
			fprintf(stderr, "selftest: FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
		}							\
	} while (0)

static u64 sm_state = 0x5eed5eed5eed5eedULL;

static u64 splitmix64(void)
{
	u64 z = (sm_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Straightforward SipHash-c-d (Aumasson & Bernstein), as an oracle. */
static u64 ref_siphash(int c, int d, const u8 *m, size_t len, u64 k0, u64 k1)
{
	u64 v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	u64 v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	u64 w;
	size_t i, j;

#define ROUND() do {							\
		v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32); \
		v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;			\
		v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;			\
		v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32); \
	} while (0)
	for (i = 0; i + 8 <= len; i += 8) {
		w = 0;
		for (j = 0; j < 8; j++)
			w |= (u64)m[i + j] << (8 * j);
		v3 ^= w;
		for (j = 0; j < (size_t)c; j++)
			ROUND();
		v0 ^= w;
	}
	w = (u64)len << 56;
	for (j = 0; i + j < len; j++)
		w |= (u64)m[i + j] << (8 * j);
	v3 ^= w;
	for (j = 0; j < (size_t)c; j++)
		ROUND();
	v0 ^= w;
	v2 ^= 0xff;
	for (j = 0; j < (size_t)d; j++)
		ROUND();
#undef ROUND
	return v0 ^ v1 ^ v2 ^ v3;
}

/* Go 1.19's memhashFallback for 9..16 bytes (hashkey folded into seed). */
static u64 go_memhash_9_16(const u8 *p, u32 s, u64 seed)
{
	u64 a = mixhash_r8(p), b = mixhash_r8(p + s - 8);

	seed ^= MIXHASH_M1;
	return mixhash_mum(MIXHASH_M5 ^ s, mixhash_mum(a ^ MIXHASH_M2, b ^ seed));
}

static void check_kernel_hashes(void)
{
	static const u8 zero[8];
	u8 buf[128 + 8] __aligned(8);
	siphash_key_t sk;
	hsiphash_key_t hk;
	size_t len, i;

	/* SipHash paper, appendix A: key 00..0f, message 00..0e. */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)i;
	sk.key[0] = 0x0706050403020100ULL;
	sk.key[1] = 0x0f0e0d0c0b0a0908ULL;
	CHECK(siphash(buf, 15, &sk) == 0xa129ca6149be45e5ULL,
	      "siphash paper vector: %016llx",
	      (unsigned long long)siphash(buf, 15, &sk));
	CHECK(xxh64(zero, 0, 0) == 0xef46db3751d8e999ULL, "xxh64(\"\", 0)");

	for (int round = 0; round < 50; round++) {
		u64 k0 = splitmix64(), k1 = splitmix64();
		u32 iv = (u32)splitmix64();

		sk.key[0] = k0;
		sk.key[1] = k1;
		hk.key[0] = k0;
		hk.key[1] = k1;
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = (u8)splitmix64();
		for (len = 0; len <= 128; len++) {
			const u8 *p = buf + (round & 7); /* also unaligned */

			CHECK(siphash(p, len, &sk) ==
			      ref_siphash(2, 4, p, len, k0, k1),
			      "siphash != SipHash-2-4, len %zu", len);
			CHECK(hsiphash(p, len, &hk) ==
			      (u32)ref_siphash(1, 3, p, len, k0, k1),
			      "hsiphash != SipHash-1-3 (low 32), len %zu", len);
			if (len % 4 == 0)
				CHECK(jhash(p, len, iv) ==
				      jhash2((const u32 *)p, len / 4, iv),
				      "jhash != jhash2, len %zu", len);
		}
		u32 w0 = get_unaligned_le32(buf), w1 = get_unaligned_le32(buf + 4);
		u32 w2 = get_unaligned_le32(buf + 8), w3 = get_unaligned_le32(buf + 12);
		u64 q0 = get_unaligned_le64(buf), q1 = get_unaligned_le64(buf + 8);

		CHECK(hsiphash_1u32(w0, &hk) == hsiphash(buf, 4, &hk), "hsiphash_1u32");
		CHECK(hsiphash_2u32(w0, w1, &hk) == hsiphash(buf, 8, &hk), "hsiphash_2u32");
		CHECK(hsiphash_4u32(w0, w1, w2, w3, &hk) == hsiphash(buf, 16, &hk),
		      "hsiphash_4u32");
		CHECK(siphash_1u32(w0, &sk) == siphash(buf, 4, &sk), "siphash_1u32");
		CHECK(siphash_1u64(q0, &sk) == siphash(buf, 8, &sk), "siphash_1u64");
		CHECK(siphash_2u64(q0, q1, &sk) == siphash(buf, 16, &sk), "siphash_2u64");
		CHECK(jhash_1word(w0, iv) == jhash(buf, 4, iv), "jhash_1word");
		CHECK(jhash_2words(w0, w1, iv) == jhash(buf, 8, iv), "jhash_2words");
	}
}

static void check_mixhash(void)
{
	u8 buf[256], key[256];
	u64 seen[257];

	for (int round = 0; round < 2000; round++) {
		u64 a = splitmix64(), b = splitmix64(), seed = splitmix64();
		u32 v32 = (u32)a;

		if (round & 1) {	/* edge values too */
			a >>= round % 64;
			b <<= round % 64;
		}
		CHECK(mixhash_mum(a, b) == mixhash_mum_portable(a, b),
		      "portable mum %016llx %016llx",
		      (unsigned long long)a, (unsigned long long)b);
		CHECK(mixhash_u32(v32, seed) == mixhash(&v32, 4, seed), "mixhash_u32");
		CHECK(mixhash_u64(a, seed) == mixhash(&a, 8, seed), "mixhash_u64");
	}

	/* Every byte and the length matter; reads stay within len. */
	u64 seed = splitmix64();

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)splitmix64();
	for (u32 len = 0; len <= 200; len++) {
		u8 *p = key + sizeof(key) - len; /* key ends at the array end */
		u64 h;

		memcpy(p, buf, len);
		h = mixhash(p, len, seed);
		for (u32 i = 0; i < len; i++) {
			for (int bit = 0; bit < 8; bit += 3) {
				p[i] ^= 1 << bit;
				CHECK(mixhash(p, len, seed) != h,
				      "mixhash ignores byte %u bit %d of %u", i, bit, len);
				p[i] ^= 1 << bit;
			}
		}
		CHECK(mixhash(p, len, seed ^ 1) != h, "seed ignored, len %u", len);
		CHECK(mixhash(p, len, seed ^ (1ULL << 63)) != h,
		      "seed bit 63 ignored, len %u", len);
	}
	memset(key, 0, sizeof(key));
	for (u32 len = 0; len <= 256; len++) {
		seen[len] = mixhash(key, len, seed);
		for (u32 j = 0; j < len; j++)
			CHECK(seen[j] != seen[len], "zero keys of length %u and %u collide",
			      j, len);
	}

	/*
	 * Go's unkeyed first operand: 16-byte keys starting with m2 all hash
	 * to 0 under any seed.  mixhash must not share that, nor let one
	 * block with a chosen first word erase what came before it.
	 */
	u8 k16[16];
	u64 m2 = MIXHASH_M2, r;

	memcpy(k16, &m2, 8);
	r = splitmix64();
	memcpy(k16 + 8, &r, 8);
	CHECK(go_memhash_9_16(k16, 16, seed) == 0,
	      "reference Go construction should be blinded here");
	u64 h1 = mixhash(k16, 16, seed);
	r = splitmix64();
	memcpy(k16 + 8, &r, 8);
	CHECK(mixhash(k16, 16, seed) != h1 && h1 != 0,
	      "mixhash blinded by first word = M2");
	for (int s = 0; s < 3; s++) {
		memset(key, 0, 112);
		memcpy(key + 48, &m2, 8);	/* Go would zero lane 0 here */
		memcpy(key + 96, &m2, 8);	/* and the 16-byte chain here */
		h1 = mixhash(key, 112, seed);
		key[0] ^= 1;
		CHECK(mixhash(key, 112, seed) != h1, "early bytes lost in 112-byte key");
		seed = splitmix64();
	}
}

int hb_selftest(void)
{
	failures = 0;
	check_kernel_hashes();
	check_mixhash();
	return failures;
}
