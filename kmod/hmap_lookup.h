/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lookup path of the core: hashing, the probe, the key compare. Static
 * inline, included by hmap_core.c and by hmap_api.c, whose lockless lookup
 * then runs the probe of a 4- or 8-byte key without a call into the core
 * (as rhashtable's lookup is inlined into its caller): the same code,
 * compiled in both places. Other keys call hmap_lookup_16() or
 * hmap_lookup_slow().
 */
#ifndef _HMAP_LOOKUP_H
#define _HMAP_LOOKUP_H

#include "hmap_bucket.h"
#include "hmap_mixhash.h"

/*
 * The default hash is mixhash (hmap_mixhash.h), a multiply-mix hash seeded
 * per map: 1.3-1.7 ns for 4-16 byte keys natively, against 5-8 ns for
 * hsiphash (bench/hash/RESULTS.md), and its short dependency chain lets
 * consecutive lookups overlap their cache misses. It is not a PRF: whoever
 * learns enough of a map's bucket order could in principle recover its
 * seed and craft keys that share a chain. What such keys do is what the
 * map watches for. A new key whose chain already spans HMAP_FLOOD_CHAIN - 1
 * full buckets (56 entries under one bucket, where random hashing at the
 * growth load gives a chance below 10^-30) marks the map flooded, and its
 * next growth is a same-size one that rehashes every entry with hsiphash,
 * the kernel's PRF for hash tables, under a fresh random key, evacuating
 * incrementally like any growth. From then on an attacker who does not
 * know that key (it never leaves the kernel, and no output depends on it
 * but bucket order) can do no better than random keys: a chain of 57
 * stays as unlikely as above, and more floods only reseed. Below the
 * threshold, crafted keys cost lookups at most 7 buckets each, and every
 * same-size growth (due when overflow buckets pile up) also takes a fresh
 * seed, which scatters whatever was crafted against the old one. The same
 * idea as rhashtable's rehash with a new seed past its chain elasticity,
 * and .NET's switch to a randomized string hash past a collision count.
 *
 * Each bucket array carries the function and key its entries are filed
 * under (&struct hmap_gen); the map's current ones are @h->hkind and
 * @h->hkey, and for the lean path @h->mixk, which set_seed() derives from
 * @h->hkey.key[0]. Only during a same-size growth do the two arrays differ, and
 * only then does a lookup that must search the old array hash twice.
 *
 * hsiphash's 32-bit result is mirrored into both halves, so its tophash
 * (bits 31..24) and bucket index only share bits above B = 24. A map
 * created with its own hash function (hmap_core_params.hashfn) keeps it,
 * and is never switched.
 */
static __always_inline u64 hash_with(u8 kind, const hsiphash_key_t *hkey,
				     hmap_hash_fn fn, const void *key,
				     u32 ksize)
{
	const u32 *w = key;
	u32 v;

	if (likely(kind == HMAP_HASH_FAST)) {
		switch (ksize) {
		case 4:
			return mixhash_u32(get_unaligned(w), hkey->key[0]);
		case 8:
			return mixhash_u64(get_unaligned((const u64 *)key),
					   hkey->key[0]);
		default:
			return mixhash(key, ksize, hkey->key[0]);
		}
	}
	if (kind == HMAP_HASH_CUSTOM)
		return fn(key, ksize, hkey->key[0]);
	switch (ksize) {
	case 4:
		v = hsiphash_1u32(get_unaligned(w), hkey);
		break;
	case 8:
		v = hsiphash_2u32(get_unaligned(w), get_unaligned(w + 1), hkey);
		break;
	case 16:
		v = hsiphash_4u32(get_unaligned(w), get_unaligned(w + 1),
				  get_unaligned(w + 2), get_unaligned(w + 3),
				  hkey);
		break;
	default:
		v = hsiphash(key, ksize, hkey);
	}
	return (u64)v << 32 | v;
}

/* The tophash byte of @hash, moved above the sentinels. */
static __always_inline u8 tophash(u64 hash)
{
	u8 top = hash >> 56;

	if (top < HMAP_MIN_TOPHASH)
		top += HMAP_MIN_TOPHASH;
	return top;
}

/*
 * @key's hash in the old array, given its @hash in the current one: the
 * same unless a same-size growth changed the function.
 */
static __always_inline u64 old_hash(const struct hmap_core *h,
				    const struct hmap_gen *old,
				    const void *key, u64 hash)
{
	if (likely(old->seed_gen == READ_ONCE(h->seed_gen)))
		return hash;
	return hmap_core_gen_hash(h, old, key);
}

/*
 * The chain that holds @key if it is present, of @hash its hash in the
 * current array, and in *@top the tophash it is filed under there: the old
 * array's chain until that is evacuated. Each array is indexed with its own
 * B, read through the pointer that was loaded, so a lockless reader racing
 * with a growth stays in bounds (and one that hashed with a key a write was
 * replacing only misses, which its sequence count makes it retry).
 */
static __always_inline u8 *key_chain(const struct hmap_core *h,
				     const void *key, u64 hash, u8 *top)
{
	const struct hmap_gen *old = READ_ONCE(h->oldbuckets);
	const struct hmap_gen *gen;
	u64 oh;
	u8 *b;

	if (unlikely(old)) {
		oh = old_hash(h, old, key, hash);
		b = gen_hash_bucket(h, old, oh);
		if (!bucket_evacuated(b)) {
			*top = tophash(oh);
			return b;
		}
	}
	gen = READ_ONCE(h->buckets);
	*top = tophash(hash);
	return gen ? gen_hash_bucket(h, gen, hash) : NULL;
}

/*
 * Keys of 4 and 8 bytes are compared as integers, 16-byte keys as two.
 * They are always stored in the bucket (never out of line), in slots of
 * their size (aligned for 4 and 8, so at least 8 for 16); the caller's key
 * may be unaligned. get_unaligned() rather than memcpy(): a constant-size
 * memcpy() is one load only where the compiler may treat it as a builtin,
 * which -fno-builtin (UML's x86 build) forbids.
 */
static_assert(2 * sizeof(u64) <= HMAP_MAX_INLINE, "4- to 16-byte keys are inline");

/* A 4- or 8-byte key as the integer key_equal() compares; 0 for others. */
static __always_inline u64 key_word(const void *key, u32 ksize)
{
	switch (ksize) {
	case 8:
		return get_unaligned((const u64 *)key);
	case 4:
		return get_unaligned((const u32 *)key);
	default:
		return 0;
	}
}

/*
 * hash_key() of a 4-, 8- or 16-byte @key on the fast hash, with the
 * operand keys the map derived from its seed (@h->mixk). A reader racing
 * with a reseed may mix keys of two seeds: it then probes some bucket of
 * the array it loaded and may miss (never returning another key's entry),
 * which the API's sequence count makes it retry.
 */
static __always_inline u64 hash_key_lean(const struct hmap_core *h,
					 const void *key, u32 ksize)
{
	u64 a, b;

	/* @ksize is 4, 8 or 16: its callers pass no other. */
	if (ksize == 16) {
		a = get_unaligned((const u64 *)key);
		b = get_unaligned((const u64 *)key + 1);
	} else {
		a = key_word(key, ksize);
		b = a;
	}
	return mixhash_fold(a, b, ksize, READ_ONCE(h->mixk[0]),
			    READ_ONCE(h->mixk[1]));
}

/*
 * @key's hash under the map's current function and key. On the fast hash a
 * 4-, 8- or 16-byte key takes hash_key_lean(): the same hash, without
 * deriving mixhash's operand keys from the seed again.
 */
static __always_inline u64 hash_key(const struct hmap_core *h,
				    const void *key, u32 ksize)
{
	if (likely(h->hkind == HMAP_HASH_FAST) &&
	    (ksize == 4 || ksize == 8 || ksize == 16))
		return hash_key_lean(h, key, ksize);
	return hash_with(h->hkind, &h->hkey, h->hashfn, key, ksize);
}

/* Does slot @i of @b hold @key, whose key_word() is @kw? */
static __always_inline bool key_equal(const struct hmap_core *h, u8 *b,
				      unsigned int i, const void *key, u64 kw,
				      u32 ksize)
{
	const void *k;

	switch (ksize) {
	case 8:
		return *(const u64 *)(b + HMAP_SLOTS + (unsigned long)i * 8) ==
		       kw;
	case 4:
		return *(const u32 *)(b + HMAP_SLOTS + (unsigned long)i * 4) ==
		       (u32)kw;
	case 16:
		k = b + HMAP_SLOTS + (unsigned long)i * 16;
		return get_unaligned((const u64 *)k) ==
		       get_unaligned((const u64 *)key) &&
		       get_unaligned((const u64 *)k + 1) ==
		       get_unaligned((const u64 *)key + 1);
	default:
		k = slot_key(h, b, i);
		return k && !memcmp(k, key, ksize);
	}
}

/* chain_find() matches a bucket's tophash bytes as one word. */
static_assert(sizeof(u64) == HMAP_SLOTS, "a bucket's tophash bytes are one u64");

#define HMAP_BYTES_LO	0x0101010101010101ULL
#define HMAP_BYTES_7F	0x7f7f7f7f7f7f7f7fULL
#define HMAP_BYTES_HI	0x8080808080808080ULL

/*
 * Bit 7 of a byte of the result is set iff that byte of @x is zero: exact,
 * since no carry crosses a byte ((b & 0x7f) + 0x7f <= 0xfe). The shorter
 * (x - 0x01..) & ~x form also flags a byte 0x01 just above a zero byte,
 * which for tophash matching would make a slot holding top ^ 1 (possibly
 * an evacuated empty one, whose key bytes are zero) a candidate.
 */
static __always_inline u64 bytes_zero(u64 x)
{
	return ~(((x & HMAP_BYTES_7F) + HMAP_BYTES_7F) | x | HMAP_BYTES_7F);
}

/* Non-zero iff some byte of @x is zero (the cheap form is exact for that). */
static __always_inline bool has_zero_byte(u64 x)
{
	return (x - HMAP_BYTES_LO) & ~x & HMAP_BYTES_HI;
}

/*
 * Search the chain at @b; return the bucket holding @key, slot in @slot.
 * The eight tophash bytes of a bucket are matched at once, as one 64-bit
 * word (Go 1.24 and absl match their groups the same way): the key of each
 * slot holding @top decides. A bucket with an HMAP_EMPTY_REST slot ends the
 * search, since nothing after that slot is in use.
 */
static __always_inline u8 *chain_find(const struct hmap_core *h, u8 *b,
				      const void *key, u8 top, u32 ksize,
				      unsigned int *slot)
{
	u64 word, match, kw = key_word(key, ksize);
	unsigned int i;

	for (; b; b = bucket_next(h, b)) {
		word = le64_to_cpu(READ_ONCE(*(__le64 *)b));
		for (match = bytes_zero(word ^ (top * HMAP_BYTES_LO)); match;
		     match &= match - 1) {
			i = __ffs64(match) / 8;
			if (h->indirect_key || h->indirect_value)
				/* Pairs with the release publishing the slot. */
				smp_rmb();
			if (key_equal(h, b, i, key, kw, ksize)) {
				*slot = i;
				return b;
			}
		}
		if (has_zero_byte(word))
			return NULL;
	}
	return NULL;
}

static __always_inline u8 *find_sized(const struct hmap_core *h,
				      const void *key, u64 hash, u32 ksize,
				      unsigned int *slot)
{
	u8 top;
	u8 *b = key_chain(h, key, hash, &top);

	return chain_find(h, b, key, top, ksize, slot);
}

static __always_inline void *lookup_sized(const struct hmap_core *h,
					  const void *key, u32 ksize)
{
	unsigned int i;
	u8 *b;

	b = find_sized(h, key, hash_key(h, key, ksize), ksize, &i);
	return b ? slot_value(h, b, i) : NULL;
}

/* hmap_find_key(), inlined: the probe for the common key sizes. */
static __always_inline u8 *find_key_inline(const struct hmap_core *h,
					   const void *key, u64 hash,
					   unsigned int *slot)
{
	switch (h->key_size) {
	case 4:
		return find_sized(h, key, hash, 4, slot);
	case 8:
		return find_sized(h, key, hash, 8, slot);
	default:
		return find_sized(h, key, hash, h->key_size, slot);
	}
}

/* hmap_core_lookup_hashed(), inlined; see there. */
static __always_inline void *lookup_hashed_inline(const struct hmap_core *h,
						  const void *key, u64 hash)
{
	unsigned int i;
	u8 *b;

	if (!READ_ONCE(h->count))
		return NULL;
	b = find_key_inline(h, key, hash, &i);
	return b ? slot_value(h, b, i) : NULL;
}

/* The lines of a bucket's tophash bytes and keys, four at most. */
static __always_inline void prefetch_bucket(const struct hmap_core *h, const u8 *b)
{
	unsigned long p = (unsigned long)b & ~(L1_CACHE_BYTES - 1UL);
	unsigned long end = min((unsigned long)b + h->values_off,
				p + 4 * L1_CACHE_BYTES);

	for (; p < end; p += L1_CACHE_BYTES)
		prefetch((const void *)p);
}

/* hmap_core_prefetch(), inlined; see there. */
static __always_inline void prefetch_hashed_inline(const struct hmap_core *h,
						   u64 hash)
{
	const struct hmap_gen *old = READ_ONCE(h->oldbuckets);
	const struct hmap_gen *gen = READ_ONCE(h->buckets);

	/* An old array filed under another function: its bucket is unknown. */
	if (old && old->seed_gen == READ_ONCE(h->seed_gen))
		prefetch_bucket(h, gen_hash_bucket(h, old, hash));
	if (gen)
		prefetch_bucket(h, gen_hash_bucket(h, gen, hash));
}

/*
 * The common lookup: a 4-, 8- or 16-byte key, the map on its fast hash, no
 * resize under way. Nothing on this path makes a call, so the compiler
 * needs no callee-saved registers for it; every other case goes to
 * hmap_lookup_slow(), a tail call. Inlined for 4- and 8-byte keys; 16-byte
 * keys run it in hmap_lookup_16(), out of line.
 */
static __always_inline void *lookup_lean(const struct hmap_core *h,
					 const void *key, u32 ksize)
{
	const struct hmap_gen *gen;
	unsigned int i;
	u64 hash;
	u8 *b;

	if (unlikely(READ_ONCE(h->oldbuckets) || h->hkind != HMAP_HASH_FAST))
		return hmap_lookup_slow(h, key);
	hash = hash_key_lean(h, key, ksize);
	gen = READ_ONCE(h->buckets);
	if (!gen)
		return NULL;
	b = chain_find(h, gen_hash_bucket(h, gen, hash), key,
		       tophash(hash), ksize, &i);
	return b ? slot_value(h, b, i) : NULL;
}

/* hmap_core_lookup(), inlined; see there. */
static __always_inline void *hmap_lookup_inline(const struct hmap_core *h,
						const void *key)
{
	if (!READ_ONCE(h->count))
		return NULL;
	switch (h->key_size) {
	case 4:
		return lookup_lean(h, key, 4);
	case 8:
		return lookup_lean(h, key, 8);
	case 16:
		return hmap_lookup_16(h, key);
	default:
		return hmap_lookup_slow(h, key);
	}
}

#endif /* _HMAP_LOOKUP_H */
