/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bucket layout, and what the core's files (hmap_core.c, hmap_grow.c,
 * hmap_iter.c, hmap_validate.c) share among themselves. Only they include
 * it, and hmap_lookup.h, whose inline probe the API layer's lockless
 * lookup also runs; otherwise the API layer and the tests see hmap_core.h.
 */
#ifndef _HMAP_BUCKET_H
#define _HMAP_BUCKET_H

#include "hmap_core.h"

/* A separately allocated overflow bucket, listed in its generation. */
struct hmap_ovf {
	struct hmap_ovf *next;
	u8 bucket[] __aligned(8);
};

/* Above this B, noverflow counts probabilistically (it is a u16). */
#define HMAP_NOVERFLOW_EXACT_B	15

/* An old-array slot in this range has been evacuated. */
static inline bool tophash_evacuated(u8 top)
{
	return top > HMAP_EMPTY_ONE && top < HMAP_MIN_TOPHASH;
}

static inline bool tophash_empty(u8 top)
{
	return top <= HMAP_EMPTY_ONE;
}

static inline bool bucket_evacuated(const u8 *b)
{
	return tophash_evacuated(b[0]);
}

static inline unsigned long bucket_mask(u8 B)
{
	return (1UL << B) - 1;
}

/*
 * Copy a key or value into or out of a slot: 4 and 8 bytes as one load and
 * store, since memcpy() of a size known only at run time is a call (and so
 * is any memcpy() under -fno-builtin). Either side may be unaligned.
 */
static __always_inline void slot_copy(void *dst, const void *src, u32 size)
{
	switch (size) {
	case 8:
		put_unaligned(get_unaligned((const u64 *)src), (u64 *)dst);
		break;
	case 4:
		put_unaligned(get_unaligned((const u32 *)src), (u32 *)dst);
		break;
	default:
		memcpy(dst, src, size);
	}
}

/* Zero a slot's key or value, as slot_copy() copies one. */
static __always_inline void slot_zero(void *dst, u32 size)
{
	switch (size) {
	case 8:
		put_unaligned(0, (u64 *)dst);
		break;
	case 4:
		put_unaligned(0, (u32 *)dst);
		break;
	default:
		memset(dst, 0, size);
	}
}

static inline u8 *gen_bucket(const struct hmap_core *h,
			     const struct hmap_gen *gen, unsigned long idx)
{
	return (u8 *)gen->data + idx * h->bucket_size;
}

static_assert(HMAP_B_MAX < 32, "struct hmap_gen's mask is a u32");

/* The regular bucket of @gen that @hash selects. */
static inline u8 *gen_hash_bucket(const struct hmap_core *h,
				  const struct hmap_gen *gen, u64 hash)
{
	return gen_bucket(h, gen, hash & gen->mask);
}

/* READ_ONCE: lockless lookups walk chains while a writer links them. */
static inline u8 *bucket_next(const struct hmap_core *h, const u8 *b)
{
	return READ_ONCE(*(u8 * const *)(b + h->ovf_off));
}

static inline void bucket_set_next(const struct hmap_core *h, u8 *b, u8 *next)
{
	WRITE_ONCE(*(u8 **)(b + h->ovf_off), next);
}

static inline u8 *slot_key_raw(const struct hmap_core *h, u8 *b,
			       unsigned int i)
{
	return b + HMAP_SLOTS + i * h->key_slot;
}

static inline u8 *slot_value_raw(const struct hmap_core *h, u8 *b,
				 unsigned int i)
{
	return b + h->values_off + i * h->value_slot;
}

/*
 * An out-of-line key or value pointer is NULL while its slot is being
 * filled or cleared; lockless lookups see that as "no entry" and retry.
 */
static inline void *slot_key(const struct hmap_core *h, u8 *b, unsigned int i)
{
	u8 *k = slot_key_raw(h, b, i);

	return h->indirect_key ? READ_ONCE(*(void **)k) : k;
}

static inline void *slot_value(const struct hmap_core *h, u8 *b,
			       unsigned int i)
{
	u8 *v = slot_value_raw(h, b, i);

	return h->indirect_value ? READ_ONCE(*(void **)v) : v;
}

/*
 * Out-of-line objects carry a link so that a deleted key can wait for the
 * map's iterators to finish: an iterator may still read it through an
 * evacuated slot of an old array.
 */
struct hmap_obj {
	struct hmap_obj *next;
	struct rcu_head rcu;
	u8 data[] __aligned(8);
};

static inline size_t gen_bytes(const struct hmap_core *h, u32 nbuckets)
{
	return sizeof(struct hmap_gen) + (size_t)nbuckets * h->bucket_size;
}

/*
 * Units an evacuation moves one at a time, and nevacuate counts: the old
 * buckets of a growth, the pairs of old buckets of a shrink.
 */
static inline unsigned long evac_units(const struct hmap_core *h)
{
	if (h->flags & HMAP_CORE_F_SHRINK)
		return 1UL << h->B;
	return 1UL << h->oldbuckets->B;
}

/* hmap_core.c */
void hmap_reseed(struct hmap_core *h);
void hmap_gen_adopt_hash(const struct hmap_core *h, struct hmap_gen *gen);
struct hmap_gen *hmap_gen_take(struct hmap_core *h, u8 B, gfp_t gfp);
void hmap_gen_release(struct hmap_gen *gen);
void hmap_gen_put(struct hmap_gen *gen);
void hmap_obj_free(struct hmap_core *h, void *p, bool is_key);
void hmap_obj_flush_deferred(struct hmap_core *h);
int hmap_overflow_reserve(struct hmap_core *h, unsigned int n, gfp_t gfp);
u8 *hmap_overflow_link(struct hmap_core *h, u8 *last, gfp_t gfp);
u8 *hmap_find_key(const struct hmap_core *h, const void *key, u64 hash,
		  unsigned int *slot);
void *hmap_lookup_slow(const struct hmap_core *h, const void *key);
void *hmap_lookup_16(const struct hmap_core *h, const void *key);

/* hmap_grow.c */
bool hmap_need_grow(const struct hmap_core *h);
void hmap_flood_seen(struct hmap_core *h);
bool __hmap_grow_ahead_due(const struct hmap_core *h);

/* Has the map reached HMAP_AHEAD_NUM/HMAP_AHEAD_DEN of its growth threshold? */
static inline bool hmap_near_growth(const struct hmap_core *h)
{
	return (h->count + 1) * HMAP_AHEAD_DEN >
	       HMAP_AHEAD_NUM * (HMAP_LOAD_NUM * ((1UL << h->B) / HMAP_LOAD_DEN));
}

/* Does the map hold more than its creation hint, counting this insert? */
static inline bool hmap_past_hint(const struct hmap_core *h)
{
	return h->count + 1 > h->hint;
}

/*
 * Should this insert ask for the next array ahead of need? Inline, so that
 * the inserts far from a growth, or within the creation hint, pay a few
 * tests and no call.
 */
static inline bool hmap_grow_ahead_due(const struct hmap_core *h)
{
	return h->defer_arrays && !(h->flags & HMAP_CORE_F_WANT_ARRAY) &&
	       hmap_near_growth(h) && hmap_past_hint(h) &&
	       __hmap_grow_ahead_due(h);
}

bool hmap_need_shrink(const struct hmap_core *h);
int hmap_grow_start(struct hmap_core *h, gfp_t gfp, bool write);
int hmap_shrink_start(struct hmap_core *h, gfp_t gfp, bool write);
int hmap_grow_work(struct hmap_core *h, unsigned long bucket, gfp_t gfp);

#endif /* _HMAP_BUCKET_H */
