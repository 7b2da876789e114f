/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mixhash: a seeded 64-bit multiply-mix hash for hmap.
 *
 * The shape follows the wyhash-style fallback of Go's runtime
 * (src/runtime/hash64.go): every step is one 64x64->128 multiply whose two
 * halves are folded with xor, mum(a, b) = hi(a*b) ^ lo(a*b), and the
 * result is mum(M5 ^ len, mum(a ^ k2, b ^ k1)) where a and b are the
 * first and last 8 (or 4) bytes of a key of at most 16 bytes.  Longer
 * keys are first absorbed 16 bytes per multiply (three independent lanes
 * for each 48-byte block), chaining into k1.
 *
 * One deliberate difference from Go: Go xors a public constant into the
 * first operand of every multiply (a ^ m2), so an attacker who sets those
 * 8 key bytes to m2 zeroes the product whatever the seed is.  For 16-byte
 * keys that makes all 2^64 keys with that prefix hash to 0, and for longer
 * keys it resets the chaining state: seed-independent multicollisions.
 * Here both operands of every multiply are keyed (k2 = rol(seed, 32) ^ M2,
 * lanes use M3/M4), so forcing a zero operand needs the seed.  This is
 * still not a PRF: an attacker who can observe hash values or bucket
 * order can probably recover the seed; it only holds up against blind
 * flooding with a random per-map seed.
 *
 * Equal inputs agree across entry points:
 *   mixhash(&v32, 4, seed) == mixhash_u32(v32, seed)
 *   mixhash(&v64, 8, seed) == mixhash_u64(v64, seed)
 * Loads are native-endian (memcpy), so values differ between little- and
 * big-endian machines; fine for an in-memory table.
 *
 * hmap's default hash (kmod/hmap_core.c); the hash benchmark (bench/hash)
 * and the native arena include it too.  The signature of mixhash() is that
 * of hmap_hash_fn.  In the kernel the header needs only <linux/types.h>;
 * userspace includers define u32 and u64 first.
 */
#ifndef _HMAP_MIXHASH_H
#define _HMAP_MIXHASH_H

#ifdef __KERNEL__
#include <linux/types.h>
#endif

/* The five odd constants of Go's hash64.go (from wyhash). */
#define MIXHASH_M1 0xa0761d6478bd642fULL
#define MIXHASH_M2 0xe7037ed1a0b428dbULL
#define MIXHASH_M3 0x8ebc6af09c88c6e3ULL
#define MIXHASH_M4 0x589965cc75374cc3ULL
#define MIXHASH_M5 0x1d8e4e27c47d124fULL

/* Portable hi^lo of the 128-bit product, for targets without __int128. */
static inline u64 mixhash_mum_portable(u64 a, u64 b)
{
	u64 al = (u32)a, ah = a >> 32, bl = (u32)b, bh = b >> 32;
	u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	u64 mid = (ll >> 32) + (u32)lh + (u32)hl;
	u64 lo = (mid << 32) | (u32)ll;
	u64 hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);

	return hi ^ lo;
}

static inline u64 mixhash_mum(u64 a, u64 b)
{
/*
 * x86_64 multiplies 64x64->128 in one instruction, with no libgcc helper,
 * whether or not the kernel's config (UML's does not) says it supports
 * 128-bit integers.
 */
#if defined(__SIZEOF_INT128__) && (!defined(__KERNEL__) || \
	defined(CONFIG_ARCH_SUPPORTS_INT128) || defined(__x86_64__))
	__uint128_t r = (__uint128_t)a * b;

	return (u64)(r >> 64) ^ (u64)r;
#else
	return mixhash_mum_portable(a, b);
#endif
}

static inline u64 mixhash_r8(const unsigned char *p)
{
	u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 mixhash_r4(const unsigned char *p)
{
	u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* Keys for the two operands of a multiply, derived from the map seed. */
static inline u64 mixhash_k1(u64 seed)
{
	return seed ^ MIXHASH_M1;
}

static inline u64 mixhash_k2(u64 seed)
{
	return ((seed << 32) | (seed >> 32)) ^ MIXHASH_M2;
}

/*
 * The last two multiplies of every mixhash, given the operand keys
 * k1 = mixhash_k1(seed) and k2 = mixhash_k2(seed): a caller that hashes
 * many keys under one seed (hmap's lookup) derives them once.
 */
static inline u64 mixhash_fold(u64 a, u64 b, u32 len, u64 k1, u64 k2)
{
	return mixhash_mum(MIXHASH_M5 ^ len, mixhash_mum(a ^ k2, b ^ k1));
}

/* Fast path for 4-byte keys; equals mixhash(&v, 4, seed). */
static inline u64 mixhash_u32(u32 v, u64 seed)
{
	return mixhash_fold(v, v, 4, mixhash_k1(seed), mixhash_k2(seed));
}

/* Fast path for 8-byte keys; equals mixhash(&v, 8, seed). */
static inline u64 mixhash_u64(u64 v, u64 seed)
{
	return mixhash_fold(v, v, 8, mixhash_k1(seed), mixhash_k2(seed));
}

/* Any length; reads exactly len bytes of key. */
static inline u64 mixhash(const void *key, u32 len, u64 seed)
{
	const unsigned char *p = key;
	u64 k1 = mixhash_k1(seed), k2 = mixhash_k2(seed);
	u64 a, b;

	if (len == 0) {
		a = 0;
		b = 0;
	} else if (len < 4) {
		a = (u64)p[0] | (u64)p[len >> 1] << 8 | (u64)p[len - 1] << 16;
		b = 0;
	} else if (len == 4) {
		a = mixhash_r4(p);
		b = a;
	} else if (len < 8) {
		a = mixhash_r4(p);
		b = mixhash_r4(p + len - 4);
	} else if (len == 8) {
		a = mixhash_r8(p);
		b = a;
	} else if (len <= 16) {
		a = mixhash_r8(p);
		b = mixhash_r8(p + len - 8);
	} else {
		u32 l = len;

		if (l > 48) {
			u64 r = k2 ^ MIXHASH_M2;	/* rol(seed, 32) */
			u64 k3 = r ^ MIXHASH_M3, k4 = r ^ MIXHASH_M4;
			u64 s1 = k1, s2 = k1;

			do {
				k1 = mixhash_mum(mixhash_r8(p) ^ k2,
						 mixhash_r8(p + 8) ^ k1);
				s1 = mixhash_mum(mixhash_r8(p + 16) ^ k3,
						 mixhash_r8(p + 24) ^ s1);
				s2 = mixhash_mum(mixhash_r8(p + 32) ^ k4,
						 mixhash_r8(p + 40) ^ s2);
				p += 48;
				l -= 48;
			} while (l > 48);
			k1 ^= s1 ^ s2;
		}
		for (; l > 16; l -= 16, p += 16)
			k1 = mixhash_mum(mixhash_r8(p) ^ k2, mixhash_r8(p + 8) ^ k1);
		/* The last 16 bytes, possibly overlapping absorbed ones. */
		a = mixhash_r8(p + l - 16);
		b = mixhash_r8(p + l - 8);
	}
	return mixhash_fold(a, b, len, k1, k2);
}

#endif /* _HMAP_MIXHASH_H */
