// SPDX-License-Identifier: GPL-2.0
/*
 * hmap core: iteration.
 *
 * An iterator walks the array that was current when it started, in a
 * random order, and for buckets not yet evacuated it also returns the keys
 * that will move to its bucket; it holds a reference on the arrays it
 * stands in, so every key present from start to end is returned exactly
 * once whatever writes happen between steps.
 *
 * A same-size growth rehashes: an old bucket's keys scatter over the new
 * array, so no new bucket can stand for an old one. An iterator started
 * during one walks the old array whole (its evacuated slots keep their
 * keys, and the current map has their values), then the new array,
 * skipping the keys the old array holds. The old array takes no key after
 * the growth started and loses none (a write to a key evacuates its old
 * bucket first), so the skipped keys are exactly those already returned.
 */
#include "hmap_internal.h"
#include "hmap_core.h"
#include "hmap_bucket.h"

/* Start walking @it->gen, at a random bucket and slot offset. */
static void iter_walk_from_random(struct hmap_core_iter *it)
{
	u64 r = hmap_random_u64();

	it->B = it->gen->B;
	it->start_bucket = r & bucket_mask(it->B);
	it->offset = (r >> it->B) & (HMAP_SLOTS - 1);
	it->bucket = it->start_bucket;
	it->wrapped = false;
}

/**
 * hmap_core_iter_start() - begin an iteration.
 * @h: the map.
 * @it: iterator state; must be ended with hmap_core_iter_end().
 *
 * Every key present from start to end is returned exactly once, whatever
 * writes happen between steps (writes must not run concurrently with a
 * step). Keys added or removed meanwhile may or may not be returned.
 */
void hmap_core_iter_start(struct hmap_core *h, struct hmap_core_iter *it)
{
	memset(it, 0, sizeof(*it));
	it->h = h;
	it->check_bucket = HMAP_NO_CHECK;
	if (!h->count || !h->buckets) {
		it->done = true;
		return;
	}
	it->gen = h->buckets;
	if (h->oldbuckets && h->oldbuckets->seed_gen != h->seed_gen) {
		it->then = h->buckets;
		it->then->refs++;
		it->gen = h->oldbuckets;
	}
	it->gen->refs++;
	h->niters++;
	it->epoch = h->iter_epoch;
	it->clears = h->clears;
	iter_walk_from_random(it);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_iter_start);

/**
 * hmap_core_iter_end() - finish an iteration and drop its references.
 * @it: iterator; ending twice is harmless.
 */
void hmap_core_iter_end(struct hmap_core_iter *it)
{
	struct hmap_core *h = it->h;

	if (it->done)
		return;
	it->done = true;
	if (it->chain_gen)
		hmap_gen_put(it->chain_gen);
	if (it->then)
		hmap_gen_put(it->then);
	if (it->seen)
		hmap_gen_put(it->seen);
	hmap_gen_put(it->gen);
	it->chain_gen = NULL;
	it->then = NULL;
	it->seen = NULL;
	it->gen = NULL;
	if (!--h->niters)
		hmap_obj_flush_deferred(h);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_iter_end);

/* Pick the chain that stands for the next bucket of the iterator's array. */
static void iter_enter_bucket(struct hmap_core_iter *it)
{
	struct hmap_core *h = it->h;
	struct hmap_gen *old = h->oldbuckets;
	u8 *ob;

	it->check_bucket = HMAP_NO_CHECK;
	it->b = gen_bucket(h, it->gen, it->bucket);
	/*
	 * A resize started before this iteration and is not finished: an
	 * unevacuated old bucket holds this bucket's keys, mixed with those
	 * of its sibling when the array doubled, or with its sibling's chain
	 * to walk next when it halved. (A rehash's old array was walked
	 * first, whole.)
	 */
	if (old && it->gen == h->buckets && old != it->seen) {
		ob = gen_bucket(h, old, it->bucket & bucket_mask(old->B));
		if (!bucket_evacuated(ob)) {
			it->b = ob;
			it->chain_gen = old;
			old->refs++;
			/* A shrink: the sibling pours into this bucket too. */
			if (h->flags & HMAP_CORE_F_SHRINK)
				it->next_chain = gen_bucket(h, old, it->bucket +
							    (1UL << it->B));
			else
				it->check_bucket = it->bucket;
		}
	}
	if (++it->bucket == 1UL << it->B) {
		it->bucket = 0;
		it->wrapped = true;
	}
	it->i = 0;
}

/*
 * Does @gen hold @key, live or evacuated? Evacuated slots no longer show
 * the key's tophash, so their keys are compared whatever it was.
 */
static bool gen_holds_key(const struct hmap_core *h,
			  const struct hmap_gen *gen, const void *key)
{
	u64 hash = hmap_core_gen_hash(h, gen, key);
	u8 top = hmap_core_tophash(hash);
	unsigned int i;
	u8 *b;

	for (b = gen_hash_bucket(h, gen, hash); b;
	     b = bucket_next(h, b))
		for (i = 0; i < HMAP_SLOTS; i++)
			if ((b[i] == top || b[i] == HMAP_EVACUATED_X ||
			     b[i] == HMAP_EVACUATED_Y) &&
			    !memcmp(slot_key(h, b, i), key, h->key_size))
				return true;
	return false;
}

/* The old array of a rehash is walked: go on with the new one. */
static void iter_walk_then(struct hmap_core_iter *it)
{
	it->seen = it->gen;
	it->gen = it->then;
	it->then = NULL;
	iter_walk_from_random(it);
}

static void iter_leave_chain(struct hmap_core_iter *it)
{
	if (it->chain_gen) {
		hmap_gen_put(it->chain_gen);
		it->chain_gen = NULL;
	}
}

/**
 * hmap_core_iter_next() - the next entry.
 * @it: iterator.
 * @key: receives a pointer to the key.
 * @value: receives a pointer to the value.
 *
 * Both pointers are valid until the next write to the map.
 *
 * Return: true if an entry was returned; false at the end, or if the
 * iteration went stale (@it->stale): a map with out-of-line keys deleted
 * more of them than it holds back for iterators. Either way the iterator
 * is then ended. Also false, with @it->paused set and the iterator still
 * live, when a non-zero @it->budget ran out.
 */
bool hmap_core_iter_next(struct hmap_core_iter *it, const void **key,
			 void **value)
{
	struct hmap_core *h = it->h;
	unsigned int off;
	void *k, *v;
	u8 top;

	while (!it->done) {
		/* Cleared since it started: no key it could return is left. */
		if (unlikely(it->clears != h->clears)) {
			hmap_core_iter_end(it);
			break;
		}
		/* Keys it might still read were freed: see hmap_obj_free(). */
		if (unlikely(it->epoch != h->iter_epoch)) {
			it->stale = true;
			hmap_core_iter_end(it);
			break;
		}
		if (!it->b) {
			if (it->bucket == it->start_bucket && it->wrapped) {
				if (it->then) {
					iter_walk_then(it);
					continue;
				}
				hmap_core_iter_end(it);
				break;
			}
			/* Bounded work per step: mostly empty maps are long. */
			if (it->budget && !--it->budget) {
				it->paused = true;
				return false;
			}
			iter_enter_bucket(it);
		}
		for (; it->i < HMAP_SLOTS; it->i++) {
			off = (it->i + it->offset) & (HMAP_SLOTS - 1);
			top = it->b[off];
			if (tophash_empty(top) || top == HMAP_EVACUATED_EMPTY)
				continue;
			k = slot_key(h, it->b, off);
			if (it->check_bucket != HMAP_NO_CHECK &&
			    (hmap_core_gen_hash(h, it->gen, k) &
			     bucket_mask(it->B)) != it->check_bucket)
				continue;
			/* Returned from the rehash's old array already. */
			if (it->seen && gen_holds_key(h, it->seen, k))
				continue;
			if (tophash_evacuated(top)) {
				/* Moved since: the current map has the truth. */
				v = hmap_core_lookup(h, k);
				if (!v)
					continue;
			} else {
				v = slot_value(h, it->b, off);
			}
			it->i++;
			*key = k;
			*value = v;
			return true;
		}
		it->b = bucket_next(h, it->b);
		it->i = 0;
		if (!it->b) {
			it->b = it->next_chain;
			it->next_chain = NULL;
		}
		if (!it->b)
			iter_leave_chain(it);
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_iter_next);
