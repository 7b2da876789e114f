// SPDX-License-Identifier: GPL-2.0
/*
 * hmap core: statistics, and the validator that checks every invariant the
 * DOC comment of hmap_core.c states.
 */
#include "hmap_internal.h"
#include "hmap_core.h"
#include "hmap_bucket.h"
#include "hmap_mixhash.h"

static unsigned long gen_overflow_allocs(const struct hmap_gen *gen)
{
	const struct hmap_ovf *o;
	unsigned long n = 0;

	for (o = gen->ovf; o; o = o->next)
		n++;
	return n;
}

static u64 gen_footprint(const struct hmap_core *h, const struct hmap_gen *gen)
{
	return gen_bytes(h, gen->nbuckets) +
	       gen->novf * (sizeof(struct hmap_ovf) + h->bucket_size);
}

/**
 * hmap_core_stats_head() - the map's shape, from its counters: O(1).
 * @h: the map.
 * @st: filled in, but for @st->overflow and @st->chain_hist (zeroed),
 *	which hmap_core_stats_chains() adds up.
 */
void hmap_core_stats_head(const struct hmap_core *h, struct hmap_core_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->count = h->count;
	st->hash_kind = h->hkind;
	st->B = h->B;
	if (h->oldbuckets) {
		st->old_buckets = 1UL << h->oldbuckets->B;
		st->shrinking = h->flags & HMAP_CORE_F_SHRINK;
		/* In old buckets: a shrink's unit is a pair of them. */
		st->nevacuate = h->nevacuate << st->shrinking;
		st->same_size = h->flags & HMAP_CORE_F_SAME_SIZE;
		st->bytes += gen_footprint(h, h->oldbuckets);
	}
	if (!h->buckets)
		return;
	st->buckets = 1UL << h->B;
	st->bytes += gen_footprint(h, h->buckets);
	if (h->reserve)
		st->bytes += gen_bytes(h, h->reserve->nbuckets);
	if (h->indirect_key)
		st->bytes += h->count * (sizeof(struct hmap_obj) + h->key_size);
	if (h->indirect_value)
		st->bytes += h->count *
			     (sizeof(struct hmap_obj) + h->value_size);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_stats_head);

/**
 * hmap_core_stats_chains() - add up the chains of some buckets.
 * @h: the map.
 * @st: gets the overflow buckets and chain lengths of buckets
 *	@from..@from + @n - 1 of the current array added.
 * @from: first bucket.
 * @n: buckets to walk at most, so a caller can drop its lock in between.
 *
 * Return: the bucket to continue from, or 0 once the array is done.
 */
unsigned long hmap_core_stats_chains(const struct hmap_core *h,
				     struct hmap_core_stats *st,
				     unsigned long from, unsigned long n)
{
	unsigned long idx, len, end;
	u8 *b;

	if (!h->buckets)
		return 0;
	end = min(from + n, 1UL << h->B);
	for (idx = from; idx < end; idx++) {
		len = 0;
		for (b = gen_bucket(h, h->buckets, idx); b; b = bucket_next(h, b))
			len++;
		st->overflow += len - 1;
		st->chain_hist[min(len, 8UL) - 1]++;
	}
	return end < 1UL << h->B ? end : 0;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_stats_chains);

/**
 * hmap_core_stats() - describe the map's shape.
 * @h: the map.
 * @st: filled in.
 *
 * Walks every chain of the current array: O(buckets).
 */
void hmap_core_stats(const struct hmap_core *h, struct hmap_core_stats *st)
{
	hmap_core_stats_head(h, st);
	hmap_core_stats_chains(h, st, 0, ~0UL >> 1);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_stats);

struct validate_ctx {
	const struct hmap_core *h;
	const char *why;
	unsigned long live;
	unsigned long overflow;
	unsigned long max_hops;
};

#define VALIDATE_FAIL(ctx, msg) ({ (ctx)->why = (msg); -EUCLEAN; })

static int validate_slot(struct validate_ctx *ctx, const struct hmap_gen *gen,
			 u8 *b, unsigned int i, unsigned long idx)
{
	const struct hmap_core *h = ctx->h;
	unsigned int fi;
	void *key;
	u64 hash;

	if (tophash_empty(b[i])) {
		if (memchr_inv(slot_key_raw(h, b, i), 0, h->key_slot) ||
		    memchr_inv(slot_value_raw(h, b, i), 0, h->value_slot))
			return VALIDATE_FAIL(ctx, "empty slot not zeroed");
		return 0;
	}
	key = slot_key(h, b, i);
	hash = hmap_core_gen_hash(h, gen, key);
	if (hmap_core_tophash(hash) != b[i])
		return VALIDATE_FAIL(ctx, "tophash does not match the key");
	if ((hash & bucket_mask(gen->B)) != idx)
		return VALIDATE_FAIL(ctx, "key in the wrong bucket");
	/* Also finds a key the rehash filed twice (old and new). */
	if (hmap_find_key(h, key, hmap_core_hash(h, key), &fi) != b || fi != i)
		return VALIDATE_FAIL(ctx, "key present twice or unreachable");
	ctx->live++;
	return 0;
}

/* Check one chain; @evacuated says which of the two legal states it is in. */
static int validate_chain(struct validate_ctx *ctx, const struct hmap_gen *gen,
			  unsigned long idx, bool evacuated)
{
	const struct hmap_core *h = ctx->h;
	unsigned long hops = 0;
	bool rest = false;
	unsigned int i;
	int err;
	u8 *b;

	for (b = gen_bucket(h, gen, idx); b; b = bucket_next(h, b)) {
		if (++hops > ctx->max_hops)
			return VALIDATE_FAIL(ctx, "overflow chain loops");
		if (hops > 1 && gen == h->buckets)
			ctx->overflow++;
		for (i = 0; i < HMAP_SLOTS; i++) {
			if (evacuated) {
				if (!tophash_evacuated(b[i]))
					return VALIDATE_FAIL(ctx, "chain partly evacuated");
				continue;
			}
			if (tophash_evacuated(b[i]))
				return VALIDATE_FAIL(ctx, "evacuated state in a live chain");
			if (rest && b[i] != HMAP_EMPTY_REST)
				return VALIDATE_FAIL(ctx, "slot in use after emptyRest");
			rest = b[i] == HMAP_EMPTY_REST;
			err = validate_slot(ctx, gen, b, i, idx);
			if (err)
				return err;
		}
	}
	return 0;
}

static bool chain_has_entries(const struct hmap_core *h,
			      const struct hmap_gen *gen, unsigned long idx)
{
	unsigned int i;
	u8 *b;

	for (b = gen_bucket(h, gen, idx); b; b = bucket_next(h, b))
		for (i = 0; i < HMAP_SLOTS; i++)
			if (!tophash_empty(b[i]))
				return true;
	return false;
}

/* The resize in progress: its old array, evacuation mark and new buckets. */
static int validate_old(struct validate_ctx *ctx)
{
	const struct hmap_core *h = ctx->h;
	const struct hmap_gen *old = h->oldbuckets;
	bool same = h->flags & HMAP_CORE_F_SAME_SIZE;
	bool shrink = h->flags & HMAP_CORE_F_SHRINK;
	unsigned long units = evac_units(h), j, unit;
	bool ev, rekeyed;
	int err;

	if (same && shrink)
		return VALIDATE_FAIL(ctx, "resize both same-size and shrinking");
	if (old->B != (shrink ? h->B + 1 : h->B - !same) || old->detached)
		return VALIDATE_FAIL(ctx, "old array does not match B");
	/* Same-size growths, and only they, take a new hash key. */
	rekeyed = old->seed_gen != h->seed_gen;
	if (same != rekeyed)
		return VALIDATE_FAIL(ctx, "a rehash is not a same-size growth");
	if (h->nevacuate >= units)
		return VALIDATE_FAIL(ctx, "nevacuate past the old array");
	for (j = 0; j < 1UL << old->B; j++) {
		ev = bucket_evacuated(gen_bucket(h, old, j));
		unit = j & (units - 1);
		if (unit < h->nevacuate && !ev)
			return VALIDATE_FAIL(ctx, "bucket below nevacuate not evacuated");
		if (shrink && j < units &&
		    ev != bucket_evacuated(gen_bucket(h, old, j + units)))
			return VALIDATE_FAIL(ctx, "shrink pair half evacuated");
		err = validate_chain(ctx, old, j, ev);
		if (err)
			return err;
		/* A rehash's destinations fill from every old bucket. */
		if (ev || same)
			continue;
		if (shrink ? chain_has_entries(h, h->buckets, unit) :
		    chain_has_entries(h, h->buckets, j) ||
		    chain_has_entries(h, h->buckets, j + units))
			return VALIDATE_FAIL(ctx, "entries ahead of their evacuation");
	}
	return 0;
}

/**
 * hmap_core_validate() - check every invariant of the map.
 * @h: the map.
 * @why: on failure, a description of the first broken invariant.
 *
 * O(entries); for tests and debugging.
 *
 * Return: 0 if the map is consistent, -EUCLEAN otherwise.
 */
int hmap_core_validate(const struct hmap_core *h, const char **why)
{
	struct validate_ctx ctx = { .h = h, .why = "" };
	unsigned long idx, n;
	const u8 *b;
	int err = 0;

	*why = "";
	if (h->mixk[0] != mixhash_k1(h->hkey.key[0]) ||
	    h->mixk[1] != mixhash_k2(h->hkey.key[0])) {
		*why = "lookup's hash keys not derived from the seed";
		return -EUCLEAN;
	}
	if (!h->buckets) {
		if (!h->count && !h->oldbuckets && !h->B)
			return 0;
		*why = "entries without a bucket array";
		return -EUCLEAN;
	}
	/* No chain can be longer than every bucket the map owns. */
	ctx.max_hops = h->buckets->nbuckets + gen_overflow_allocs(h->buckets) + 1;
	if (h->oldbuckets)
		ctx.max_hops += h->oldbuckets->nbuckets +
				gen_overflow_allocs(h->oldbuckets);
	if (gen_overflow_allocs(h->buckets) != h->buckets->novf ||
	    (h->oldbuckets &&
	     gen_overflow_allocs(h->oldbuckets) != h->oldbuckets->novf))
		err = VALIDATE_FAIL(&ctx, "novf does not match the overflow list");
	else if (h->buckets->B != h->B || h->buckets->detached)
		err = VALIDATE_FAIL(&ctx, "bucket array does not match B");
	else if (h->B < h->min_B)
		err = VALIDATE_FAIL(&ctx, "B below what the creation hint asked for");
	else if (!h->oldbuckets && (h->flags & HMAP_CORE_F_SHRINK))
		err = VALIDATE_FAIL(&ctx, "shrink flag without a resize");
	else if (!h->oldbuckets && (h->flags & HMAP_CORE_F_SAME_SIZE))
		err = VALIDATE_FAIL(&ctx, "same-size flag without growth");
	else if (h->buckets->seed_gen != h->seed_gen ||
		 h->buckets->hkind != h->hkind ||
		 memcmp(&h->buckets->hkey, &h->hkey, sizeof(h->hkey)))
		err = VALIDATE_FAIL(&ctx, "current array filed under another hash");
	else if (h->oldbuckets)
		err = validate_old(&ctx);
	for (idx = 0; !err && idx < 1UL << h->B; idx++)
		err = validate_chain(&ctx, h->buckets, idx, false);
	if (!err && ctx.live != h->count)
		err = VALIDATE_FAIL(&ctx, "count does not match live slots");
	if (!err && h->B <= HMAP_NOVERFLOW_EXACT_B &&
	    ctx.overflow != h->noverflow)
		err = VALIDATE_FAIL(&ctx, "noverflow does not match the chains");
	for (n = 0, b = h->spare; !err && b; b = bucket_next(h, b))
		if (++n > h->nspare)
			err = VALIDATE_FAIL(&ctx, "spare list longer than nspare");
	if (!err && n != h->nspare)
		err = VALIDATE_FAIL(&ctx, "spare list shorter than nspare");
	if (!err && (h->buckets->next_prealloc < 1U << h->B ||
		     h->buckets->next_prealloc > h->buckets->nbuckets))
		err = VALIDATE_FAIL(&ctx, "preallocated overflow index out of range");
	*why = ctx.why;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_validate);
