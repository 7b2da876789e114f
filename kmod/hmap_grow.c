// SPDX-License-Identifier: GPL-2.0
/*
 * hmap core: growth, shrinking and incremental evacuation.
 *
 * A growth doubles the bucket array (or keeps its size, to pack the chains
 * that deletions left sparse); a shrink halves it. Either way the old array
 * stays in place and is evacuated a unit at a time by the writes that
 * follow and by hmap_core_grow_step(): an old bucket of a growth, split
 * into X and Y by the hash bit 2^oldB, or the pair of old buckets j and
 * j + 2^(B-1) of a shrink, merged into new bucket j. A same-size growth
 * also takes a new hash key (and, after a flood, hsiphash): it rehashes,
 * and an old bucket's entries go wherever their new hash files them, after
 * what the new array already holds. The DOC comment of hmap_core.c states
 * the invariants; hmap_validate.c checks them.
 */
#include "hmap_internal.h"
#include "hmap_core.h"
#include "hmap_bucket.h"

static bool too_many_overflow(u16 noverflow, u8 B)
{
	return noverflow >= 1U << min_t(u8, B, HMAP_NOVERFLOW_EXACT_B);
}

struct evac_dst {
	u8 *b;
	unsigned int i;
};

/*
 * Overflow buckets needed to evacuate the chain at @b of a doubling. The
 * destinations are empty (nothing is inserted into them before this
 * evacuation), so a chain that fits one bucket never needs any and is not
 * hashed.
 */
static unsigned int evac_overflow_needed(struct hmap_core *h, u8 *b,
					 unsigned long newbit)
{
	unsigned long n[2] = { 0, 0 };
	unsigned int i, need = 0, k;
	u8 *c;

	if (!bucket_next(h, b))
		return 0;
	for (c = b; c; c = bucket_next(h, c))
		for (i = 0; i < HMAP_SLOTS; i++)
			if (!tophash_empty(c[i]))
				n[!!(hmap_core_hash(h, slot_key(h, c, i)) &
				     newbit)]++;
	for (k = 0; k < 2; k++)
		if (n[k] > HMAP_SLOTS)
			need += (n[k] - 1) / HMAP_SLOTS;
	return need;
}

static void evac_copy(struct hmap_core *h, struct evac_dst *dst, u8 *src,
		      unsigned int i, u8 top)
{
	if (dst->i == HMAP_SLOTS) {
		/* Reserved by evac_overflow_needed(), cannot fail. */
		dst->b = hmap_overflow_link(h, dst->b, 0);
		dst->i = 0;
	}
	slot_copy(slot_key_raw(h, dst->b, dst->i), slot_key_raw(h, src, i),
		  h->key_slot);
	slot_copy(slot_value_raw(h, dst->b, dst->i), slot_value_raw(h, src, i),
		  h->value_slot);
	/* Publish the slot only once its key and value are in place. */
	smp_store_release(&dst->b[dst->i], top);
	dst->i++;
	h->moved++;
}

/* Live slots of the chain at @b. */
static unsigned long chain_live(u8 *b, const struct hmap_core *h)
{
	unsigned long n = 0;
	unsigned int i;

	for (; b; b = bucket_next(h, b))
		for (i = 0; i < HMAP_SLOTS; i++)
			n += !tophash_empty(b[i]);
	return n;
}

/* The first free slot of the chain at @b, linking a reserved bucket if full. */
static struct evac_dst chain_free_slot(struct hmap_core *h, u8 *b)
{
	struct evac_dst dst;
	unsigned int i;

	for (;;) {
		for (i = 0; i < HMAP_SLOTS; i++)
			if (tophash_empty(b[i]))
				return (struct evac_dst){ b, i };
		if (!bucket_next(h, b))
			break;
		b = bucket_next(h, b);
	}
	dst.b = b;
	dst.i = HMAP_SLOTS;	/* evac_copy() links the next bucket */
	return dst;
}

/*
 * A same-size growth: copy every live entry of old bucket @oldb to the
 * chain its new hash selects, after what that chain holds, and mark its
 * slots evacuated. Every entry may land in a full chain, so as many
 * overflow buckets as entries are reserved first (they stay spares).
 */
static int rehash_chain(struct hmap_core *h, unsigned long oldb, gfp_t gfp)
{
	u8 *src = gen_bucket(h, h->oldbuckets, oldb);
	struct evac_dst dst;
	unsigned int i;
	u64 hash;
	int err;
	u8 *b;

	err = hmap_overflow_reserve(h, chain_live(src, h), gfp);
	if (err)
		return err;
	for (b = src; b; b = bucket_next(h, b)) {
		for (i = 0; i < HMAP_SLOTS; i++) {
			if (tophash_empty(b[i])) {
				b[i] = HMAP_EVACUATED_EMPTY;
				continue;
			}
			hash = hmap_core_hash(h, slot_key(h, b, i));
			dst = chain_free_slot(h, gen_bucket(h, h->buckets,
							    hash & bucket_mask(h->B)));
			b[i] = HMAP_EVACUATED_X;
			evac_copy(h, &dst, b, i, hmap_core_tophash(hash));
		}
	}
	return 0;
}

/*
 * Copy every live entry of old bucket @oldb to X or Y and mark its slots
 * evacuated. The old slots keep their contents for iterators.
 */
static int evacuate_chain(struct hmap_core *h, unsigned long oldb,
			  unsigned long newbit, gfp_t gfp)
{
	struct evac_dst xy[2] = { };
	unsigned int i, use_y;
	unsigned int need;
	int err;
	u8 *b;

	need = evac_overflow_needed(h, gen_bucket(h, h->oldbuckets, oldb),
				    newbit);
	err = hmap_overflow_reserve(h, need, gfp);
	if (err)
		return err;

	xy[0].b = gen_bucket(h, h->buckets, oldb);
	xy[1].b = gen_bucket(h, h->buckets, oldb + newbit);

	for (b = gen_bucket(h, h->oldbuckets, oldb); b; b = bucket_next(h, b)) {
		for (i = 0; i < HMAP_SLOTS; i++) {
			u8 top = b[i];

			if (tophash_empty(top)) {
				b[i] = HMAP_EVACUATED_EMPTY;
				continue;
			}
			if (WARN_ON_ONCE(top < HMAP_MIN_TOPHASH))
				continue;
			use_y = !!(hmap_core_hash(h, slot_key(h, b, i)) &
				   newbit);
			b[i] = HMAP_EVACUATED_X + use_y;
			evac_copy(h, &xy[use_y], b, i, top);
		}
	}
	return 0;
}

/*
 * Shrinking: copy every live entry of old buckets @j and @j + @half into
 * new bucket @j, both at once, so that a new bucket is empty until both
 * its sources are evacuated (the same invariant a growth keeps).
 */
static int shrink_pair(struct hmap_core *h, unsigned long j,
		       unsigned long half, gfp_t gfp)
{
	u8 *src[2] = { gen_bucket(h, h->oldbuckets, j),
		       gen_bucket(h, h->oldbuckets, j + half) };
	struct evac_dst dst = { gen_bucket(h, h->buckets, j), 0 };
	unsigned long n = chain_live(src[0], h) + chain_live(src[1], h);
	unsigned int i, k;
	int err;
	u8 *b;

	err = hmap_overflow_reserve(h, n > HMAP_SLOTS ?
				    (n - 1) / HMAP_SLOTS : 0, gfp);
	if (err)
		return err;
	for (k = 0; k < ARRAY_SIZE(src); k++) {
		for (b = src[k]; b; b = bucket_next(h, b)) {
			for (i = 0; i < HMAP_SLOTS; i++) {
				u8 top = b[i];

				if (tophash_empty(top)) {
					b[i] = HMAP_EVACUATED_EMPTY;
					continue;
				}
				b[i] = HMAP_EVACUATED_X;
				evac_copy(h, &dst, b, i, top);
			}
		}
	}
	return 0;
}

/* Move nevacuate past evacuated units; release the old array at the end. */
static void advance_evacuation_mark(struct hmap_core *h, unsigned long units)
{
	unsigned long stop;

	h->nevacuate++;
	/*
	 * Skip units that writes evacuated out of order, a few per call: each
	 * call advances the mark by one at least, so the resize still ends
	 * within @units calls, and no write reads a long run of old buckets
	 * (Go scans up to 1024, up to a thousand cache misses in one write).
	 */
	stop = min(h->nevacuate + HMAP_EVAC_SKIP_MAX, units);
	while (h->nevacuate != stop &&
	       bucket_evacuated(gen_bucket(h, h->oldbuckets, h->nevacuate)))
		h->nevacuate++;
	if (h->nevacuate == units) {
		struct hmap_gen *old = h->oldbuckets;

		trace_hmap_grow_done(h->id, old->B, h->B,
				     h->flags & HMAP_CORE_F_SAME_SIZE);
		WRITE_ONCE(h->oldbuckets, NULL);
		hmap_gen_release(old);
		h->flags &= ~(HMAP_CORE_F_SAME_SIZE | HMAP_CORE_F_SHRINK);
	}
}

/* Evacuate unit @oldb (an old bucket, or the pair @oldb of a shrink). */
static int evacuate(struct hmap_core *h, unsigned long oldb, gfp_t gfp)
{
	unsigned long units = evac_units(h);
	u64 moved = h->moved;
	int err;

	if (!bucket_evacuated(gen_bucket(h, h->oldbuckets, oldb))) {
		if (h->flags & HMAP_CORE_F_SHRINK)
			err = shrink_pair(h, oldb, units, gfp);
		else if (h->flags & HMAP_CORE_F_SAME_SIZE)
			err = rehash_chain(h, oldb, gfp);
		else
			err = evacuate_chain(h, oldb, units, gfp);
		if (err)
			return err;
		trace_hmap_evacuate(h->id, h->oldbuckets->B, h->B,
				    h->flags & HMAP_CORE_F_SAME_SIZE,
				    h->moved - moved, oldb);
	}
	if (oldb == h->nevacuate)
		advance_evacuation_mark(h, units);
	return 0;
}

/*
 * Evacuate the old bucket (or pair) that @bucket of the new array draws
 * from, then one more for progress. Only the first matters to the caller;
 * if the second fails, a later write retries it.
 */
int hmap_grow_work(struct hmap_core *h, unsigned long bucket, gfp_t gfp)
{
	int err = evacuate(h, bucket & bucket_mask(h->oldbuckets->B), gfp);

	if (h->oldbuckets)
		evacuate(h, h->nevacuate, gfp);
	return err;
}

/*
 * Make @gen the current array and the current one old, to be evacuated. A
 * same-size growth files @gen's entries under a new key, and with hsiphash
 * if a flood was seen.
 */
static void resize_start(struct hmap_core *h, struct hmap_gen *gen, u8 flag)
{
	trace_hmap_grow_start(h->id, h->B, gen->B,
			      flag == HMAP_CORE_F_SAME_SIZE, h->count);
	if (flag == HMAP_CORE_F_SAME_SIZE) {
		if ((h->flags & HMAP_CORE_F_FLOOD) &&
		    h->hkind != HMAP_HASH_CUSTOM)
			h->hkind = HMAP_HASH_SIP;
		h->flags &= ~HMAP_CORE_F_FLOOD;
		hmap_reseed(h);
	}
	hmap_gen_adopt_hash(h, gen);
	WRITE_ONCE(h->oldbuckets, h->buckets);
	/* Lockless lookups index @gen with gen->B: publish it initialized. */
	smp_store_release(&h->buckets, gen);
	h->B = gen->B;
	h->flags |= flag;
	h->flags &= ~HMAP_CORE_F_WANT_ARRAY;
	h->nevacuate = 0;
	h->noverflow = 0;
	/* Spares belonged to the old array; they are freed with it. */
	h->spare = NULL;
	h->nspare = 0;
}

/* Does the array for 2^@B buckets (and its preallocated overflow) count as large? */
static bool array_large(const struct hmap_core *h, u8 B)
{
	u32 nbuckets = (1U << B) + (B >= 4 ? 1U << (B - 4) : 0);

	return gen_bytes(h, nbuckets) > HMAP_ARRAY_INLINE_MAX;
}

/*
 * Should a write leave the array for 2^@B buckets to the caller? Yes with
 * defer_arrays, unless it is small, donated already, or the map holds
 * HMAP_DEFER_LOAD_MULT times its growth threshold (the caller is late).
 */
static bool array_deferred(struct hmap_core *h, u8 B)
{
	unsigned long limit = HMAP_DEFER_LOAD_MULT * HMAP_LOAD_NUM *
			      ((1UL << h->B) / HMAP_LOAD_DEN);

	if (!h->defer_arrays || (h->reserve && h->reserve->B == B) ||
	    !array_large(h, B))
		return false;
	if (h->count + 1 > limit) {
		/* The caller is late: this write allocates, as any would. */
		h->flags &= ~HMAP_CORE_F_WANT_ARRAY;
		return false;
	}
	h->flags |= HMAP_CORE_F_WANT_ARRAY;
	return true;
}

/*
 * Does the growth due double the array? Not after a flood: the rehash that
 * cures it goes first, and the doubling follows.
 */
static bool grow_bigger(const struct hmap_core *h)
{
	return !(h->flags & HMAP_CORE_F_FLOOD) &&
	       hmap_core_over_load(h->count + 1, h->B) && h->B < HMAP_B_MAX;
}

/*
 * Start a growth: double on load, or same size to pack sparse chains (or
 * cure a flood).
 * Return: 0, -ENOMEM, or -EAGAIN if a @write left the array to the caller.
 */
int hmap_grow_start(struct hmap_core *h, gfp_t gfp, bool write)
{
	bool bigger = grow_bigger(h);
	struct hmap_gen *gen;

	if (write && array_deferred(h, h->B + bigger))
		return -EAGAIN;
	gen = hmap_gen_take(h, h->B + bigger, gfp);
	if (!gen)
		return -ENOMEM;
	resize_start(h, gen, bigger ? 0 : HMAP_CORE_F_SAME_SIZE);
	h->growths++;
	return 0;
}

/**
 * hmap_core_grow_start() - start the growth the map is due for.
 * @h: the map.
 * @gfp: allocation flags for the new array, unless one was donated.
 *
 * For callers that allocate outside their lock: after a write set
 * HMAP_CORE_F_WANT_ARRAY, they donate an array of hmap_core_next_grow_B()
 * and call this, so that the growth starts without waiting for a write.
 *
 * Return: 0 if a growth started or none is due, -ENOMEM if the array
 * could not be allocated (the map is unchanged).
 */
int hmap_core_grow_start(struct hmap_core *h, gfp_t gfp)
{
	h->flags &= ~HMAP_CORE_F_WANT_ARRAY;
	if (!h->buckets || !hmap_need_grow(h))
		return 0;
	return hmap_grow_start(h, gfp, false);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_grow_start);

/* Deletes left the map at 1/HMAP_SHRINK_DIV of its growth threshold. */
bool hmap_need_shrink(const struct hmap_core *h)
{
	return !h->oldbuckets && h->buckets && h->B > h->min_B &&
	       h->count * HMAP_LOAD_DEN * HMAP_SHRINK_DIV <=
	       (unsigned long)HMAP_LOAD_NUM << h->B;
}

/**
 * hmap_core_next_shrink_B() - size of the array a shrink would allocate.
 * @h: the map.
 *
 * Return: B - 1 if deletes have left the map due for a shrink that has not
 * started, else -1.
 */
int hmap_core_next_shrink_B(const struct hmap_core *h)
{
	return hmap_need_shrink(h) ? h->B - 1 : -1;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_next_shrink_B);

/**
 * hmap_core_shrink_start() - halve the bucket array, if the map is due.
 * @h: the map.
 * @gfp: allocation flags for the new array, unless one was donated.
 *
 * Writes and hmap_core_grow_step() then evacuate old buckets j and
 * j + 2^(B-1) together into new bucket j, as a growth does in reverse.
 * Deletes call this themselves; callers that allocate outside their lock
 * donate the array and call it when a delete could not allocate one.
 *
 * Return: 0 if a shrink started or the map is not due for one, -ENOMEM
 * if the array could not be allocated (the map is unchanged).
 */
int hmap_core_shrink_start(struct hmap_core *h, gfp_t gfp)
{
	return hmap_shrink_start(h, gfp, false);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_shrink_start);

/* As hmap_core_shrink_start(); a @write leaves large arrays to the caller. */
int hmap_shrink_start(struct hmap_core *h, gfp_t gfp, bool write)
{
	struct hmap_gen *gen;

	if (!hmap_need_shrink(h))
		return 0;
	/* No load bound: a shrink is never needed for correctness. */
	if (write && h->defer_arrays && !(h->reserve &&
					  h->reserve->B == h->B - 1) &&
	    gen_bytes(h, 1U << (h->B - 1)) > HMAP_ARRAY_INLINE_MAX)
		return -ENOMEM;
	gen = hmap_gen_take(h, h->B - 1, gfp);
	if (!gen)
		return -ENOMEM;
	resize_start(h, gen, HMAP_CORE_F_SHRINK);
	h->shrinks++;
	return 0;
}

/*
 * Is the map at HMAP_AHEAD_NUM/HMAP_AHEAD_DEN of its growth threshold, with
 * a doubling ahead whose large array it has not been given yet? Not while
 * it holds no more than its creation hint: a map presized for what it holds
 * is not about to grow, and an array asked for would only wait, unused.
 */
static bool grow_ahead_wanted(const struct hmap_core *h)
{
	return h->defer_arrays && h->buckets && !h->oldbuckets &&
	       h->B < HMAP_B_MAX && hmap_near_growth(h) &&
	       hmap_past_hint(h) &&
	       !hmap_core_reserve_ahead(h) && array_large(h, h->B + 1);
}

/* The rest of hmap_grow_ahead_due(), for the few inserts it lets through. */
bool __hmap_grow_ahead_due(const struct hmap_core *h)
{
	return grow_ahead_wanted(h);
}

/*
 * A new key found its chain HMAP_FLOOD_CHAIN - 1 full buckets long. Unless
 * the map is loaded well past its growth threshold (at HMAP_B_MAX, or
 * waiting for a deferred array), which explains long chains, its next
 * growth is a same-size rehash with hsiphash. Maps with their own hash
 * function are left alone, and a growth in progress finishes first.
 */
void hmap_flood_seen(struct hmap_core *h)
{
	if (h->hkind == HMAP_HASH_CUSTOM || h->oldbuckets ||
	    h->count > HMAP_DEFER_LOAD_MULT * HMAP_LOAD_NUM *
		       ((1UL << h->B) / HMAP_LOAD_DEN))
		return;
	h->flags |= HMAP_CORE_F_FLOOD;
}

bool hmap_need_grow(const struct hmap_core *h)
{
	if (h->oldbuckets)
		return false;
	if (h->flags & HMAP_CORE_F_FLOOD)
		return true;
	if (hmap_core_over_load(h->count + 1, h->B))
		return h->B < HMAP_B_MAX || too_many_overflow(h->noverflow, h->B);
	return too_many_overflow(h->noverflow, h->B);
}

/**
 * hmap_core_grow_step() - advance a resize in progress without a write.
 * @h: the map.
 * @max: old buckets (pairs of them, for a shrink) to evacuate at most (0
 *	is taken as 1).
 * @gfp: allocation flags for the overflow buckets an evacuation needs.
 *
 * Evacuates from the lowest old bucket not yet moved, as writes do, so a
 * growth or shrink that writes stopped feeding still ends and its old
 * array is released. Each unit is moved whole or not at all.
 *
 * Return: 0 if no resize is in progress any more, -EAGAIN if one still is,
 * or -ENOMEM if an evacuation could not get its overflow buckets (the map
 * is unchanged by that step and stays valid).
 */
int hmap_core_grow_step(struct hmap_core *h, unsigned int max, gfp_t gfp)
{
	int err;

	max = max ?: 1;
	while (h->oldbuckets && max--) {
		err = evacuate(h, h->nevacuate, gfp);
		if (err)
			return err;
	}
	return h->oldbuckets ? -EAGAIN : 0;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_grow_step);

/**
 * hmap_core_next_grow_B() - size of the array the next insert allocates.
 * @h: the map.
 *
 * Return: the B of that array, or -1 if the next insert of a new key
 * needs no new array.
 */
int hmap_core_next_grow_B(const struct hmap_core *h)
{
	if (!h->buckets)
		return h->min_B;
	if (!hmap_need_grow(h))
		return -1;
	return h->B + grow_bigger(h);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_next_grow_B);

/**
 * hmap_core_want_B() - size of the array a write asked the caller for.
 * @h: the map.
 *
 * Return: hmap_core_next_grow_B() if a growth is due; else B + 1 if the map
 * nears its growth threshold, holds more entries than its creation hint and
 * has not been given that array yet (see HMAP_AHEAD_NUM); else -1.
 */
int hmap_core_want_B(const struct hmap_core *h)
{
	int B = hmap_core_next_grow_B(h);

	if (B >= 0)
		return B;
	return grow_ahead_wanted(h) ? h->B + 1 : -1;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_want_B);

/**
 * hmap_core_reserve_ahead() - does the map hold an array for its next doubling?
 * @h: the map.
 *
 * Return: true if an array was donated ahead of need and no growth has
 * used it yet.
 */
bool hmap_core_reserve_ahead(const struct hmap_core *h)
{
	return h->reserve && h->buckets && !h->oldbuckets &&
	       h->reserve->B == h->B + 1;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_reserve_ahead);

