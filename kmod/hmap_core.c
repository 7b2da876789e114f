// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: hmap core - Go's classic runtime map, in C
 *
 * A map is an array of 2^B buckets. A bucket holds 8 slots laid out as
 * tophash[8], then the 8 keys, then the 8 values, then a pointer to an
 * overflow bucket; keeping keys and values in separate arrays avoids the
 * padding an interleaved layout would need. Keys or values larger than
 * HMAP_MAX_INLINE bytes are stored out of line and the slot holds a pointer.
 *
 * The low B bits of a key's 64-bit hash select its bucket; the top 8 bits
 * are kept in tophash[] so that a probe compares one byte per slot before it
 * touches a key. Top bytes below HMAP_MIN_TOPHASH are shifted up by
 * HMAP_MIN_TOPHASH so that they never collide with the sentinels:
 *
 *   HMAP_EMPTY_REST (0)       empty, and every later slot of this bucket and
 *                             its overflow chain is empty: probes stop here.
 *   HMAP_EMPTY_ONE (1)        empty, but a later slot may be in use.
 *   HMAP_EVACUATED_X (2)      live entry of an old bucket, copied to the same
 *                             index of the new array.
 *   HMAP_EVACUATED_Y (3)      likewise, copied to index + old size.
 *   HMAP_EVACUATED_EMPTY (4)  slot of an evacuated old bucket that was empty.
 *
 * Growth. Inserting a new key into a map whose count would exceed 6.5 * 2^B
 * (and 8) allocates an array of 2^(B+1) buckets; a map with about as many
 * overflow buckets as buckets (2^min(B,15)) instead gets a new array of the
 * same size, which packs the sparse chains that deletions left behind, and
 * files its entries under a new hash key (after a flood, under hsiphash:
 * see "hashing" below), each appended to the chain its new hash selects. The
 * old array stays in place and is evacuated incrementally: every insert,
 * update or delete first evacuates the old bucket its key maps to, then one
 * more at nevacuate. An old bucket i splits into new buckets i (X) and
 * i + 2^oldB (Y) on the hash bit 2^oldB. nevacuate only moves past buckets
 * that are evacuated, and the old array is released when it reaches the
 * end. A lookup consults the old bucket while it is not evacuated. Writes
 * that stop mid-growth would keep the old array forever, so the caller can
 * move it on without a write: hmap_core_grow_step().
 *
 * Shrinking. A delete that leaves the map at 1/8 of the load that grows it
 * (count <= 13/16 * 2^B) starts the reverse: an array of 2^(B-1) buckets,
 * into whose bucket j old buckets j and j + 2^(B-1) are evacuated, both in
 * one step, by writes and by hmap_core_grow_step(). Halved, the map is at
 * 1/4 of its growth threshold, so it takes four times as many entries to
 * grow back: a map hovering around either boundary does not resize back
 * and forth. A map never shrinks below the B its creation hint asked for.
 * A delete that empties a map that grew lets go of its arrays at once, as
 * hmap_core_clear() does.
 *
 * Invariants (checked by hmap_core_validate()):
 *  - a chain is either wholly evacuated (every slot 2, 3 or 4) or holds no
 *    evacuated state; only old buckets are ever evacuated; the two old
 *    buckets of a shrink are evacuated together;
 *  - old buckets below nevacuate (pairs, for a shrink) are evacuated; while
 *    old bucket i is not, its destination buckets in the new array are
 *    empty (not so for a same-size growth, whose destinations fill from
 *    every old bucket);
 *  - the current array is filed under the map's hash key; only a same-size
 *    growth's old array is filed under another;
 *  - B is never below what the creation hint asked for;
 *  - a live key sits in the chain its hash (under its array's key) selects,
 *    under its tophash, and nowhere else; no slot after an HMAP_EMPTY_REST
 *    is in use;
 *  - count is the number of live slots; empty slots hold zeroes.
 * Keys never move within their bucket, which is what lets an iterator
 * return every key exactly once across growth.
 *
 * Memory. Each bucket array is a &struct hmap_gen that owns the overflow
 * buckets chained to it. Arrays with B >= 4 come with 2^(B-4) preallocated
 * overflow buckets. Iterators hold a reference to the array they walk, so
 * an evacuated array outlives the growth until its last iterator ends.
 * Clearing a map lets go of its arrays the same way and starts a new one
 * of the size the creation hint asked for: an array, or an overflow bucket
 * an iterator may stand in, is never handed out again.
 *
 * Allocation failure never loses data: an evacuation first reserves every
 * overflow bucket it will need, and an insert allocates before it writes.
 * A failed operation returns -ENOMEM and leaves the map valid and complete.
 *
 * Files. hmap_core.c (this one): hashing, sizing, bucket arrays and their
 * memory, lookup, update, delete, clear, creation. hmap_grow.c: growth,
 * shrinking and evacuation. hmap_iter.c: iteration. hmap_validate.c:
 * statistics and the validator. hmap_bucket.h: the bucket layout they
 * share; hmap_core.h: the interface the API layer (hmap_api.c) uses.
 *
 * Coding conventions in these files: @h is the map, @b a bucket, @i or
 * @slot a slot index, @top a tophash byte, @gen a bucket array, @oldb an
 * old bucket index.
 */

#include "hmap_internal.h"
#include "hmap_core.h"
#include "hmap_bucket.h"
#include "hmap_lookup.h"

/**
 * hmap_core_zalloc() - allocate zeroed memory for the map.
 * @size: bytes.
 * @gfp: allocation flags from the caller.
 *
 * Every allocation of the core goes through here, so tests can fail each
 * one in turn.
 *
 * Return: the memory, or NULL.
 */
void *hmap_core_zalloc(size_t size, gfp_t gfp)
{
	KUNIT_STATIC_STUB_REDIRECT(hmap_core_zalloc, size, gfp);
	return kvzalloc(size, gfp);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_zalloc);

static void hmap_core_free(void *p)
{
	kvfree(p);
}

/* ---- hashing (the lookup path's part is in hmap_lookup.h) ---- */

/*
 * @seed as the map's seed for mixhash and custom hash functions, with the
 * operand keys the lookup's fast path hashes with (@h->mixk): whatever
 * sets @h->hkey.key[0] goes through here.
 */
static void set_seed(struct hmap_core *h, u64 seed)
{
	h->hkey.key[0] = seed;
	WRITE_ONCE(h->mixk[0], mixhash_k1(seed));
	WRITE_ONCE(h->mixk[1], mixhash_k2(seed));
}

/* A new key for the map's current hash function. */
void hmap_reseed(struct hmap_core *h)
{
	set_seed(h, hmap_random_u64());
	h->hkey.key[1] = hmap_random_u64();
	h->seed_gen++;
}

/* @gen is (or is about to be published as) the current array. */
void hmap_gen_adopt_hash(const struct hmap_core *h, struct hmap_gen *gen)
{
	gen->hkey = h->hkey;
	gen->seed_gen = h->seed_gen;
	gen->hkind = h->hkind;
}

/**
 * hmap_core_gen_hash() - hash a key as one of the map's arrays files it.
 * @h: the map.
 * @gen: its current or old array, or one an iterator holds.
 * @key: key_size bytes.
 *
 * Return: the 64-bit hash under @gen's function and key.
 */
u64 hmap_core_gen_hash(const struct hmap_core *h, const struct hmap_gen *gen,
		       const void *key)
{
	return hash_with(gen->hkind, &gen->hkey, h->hashfn, key, h->key_size);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_gen_hash);

/**
 * hmap_core_hash() - hash a key with the map's function and seed.
 * @h: the map.
 * @key: key_size bytes.
 *
 * Return: the 64-bit hash.
 */
u64 hmap_core_hash(const struct hmap_core *h, const void *key)
{
	return hash_key(h, key, h->key_size);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_hash);

/**
 * hmap_core_tophash() - the tophash byte of a hash.
 * @hash: 64-bit hash.
 *
 * Return: the top byte, moved above the sentinels.
 */
u8 hmap_core_tophash(u64 hash)
{
	return tophash(hash);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_tophash);

/* ---- sizing ---- */

/**
 * hmap_core_over_load() - would @count entries overload 2^@B buckets?
 * @count: entries.
 * @B: log2 of the bucket count.
 *
 * Return: true if @count > 8 and @count > 6.5 * 2^@B.
 */
bool hmap_core_over_load(unsigned long count, u8 B)
{
	return count > HMAP_SLOTS &&
	       count > HMAP_LOAD_NUM * ((1UL << B) / HMAP_LOAD_DEN);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_over_load);

/**
 * hmap_core_hint_to_B() - initial B for an expected number of entries.
 * @hint: expected entries.
 *
 * Return: the smallest B that holds @hint entries without growing, capped
 * at HMAP_B_MAX.
 */
u8 hmap_core_hint_to_B(unsigned long hint)
{
	u8 shift = 0;

	while (shift < HMAP_B_MAX && hmap_core_over_load(hint, shift))
		shift++;
	return shift;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_hint_to_B);

/**
 * hmap_core_growing() - is an evacuation in progress?
 * @h: the map.
 *
 * Return: true while an old bucket array exists.
 */
bool hmap_core_growing(const struct hmap_core *h)
{
	return h->oldbuckets;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_growing);

/* ---- bucket arrays ---- */

/**
 * hmap_core_gen_alloc() - allocate a bucket array for a map.
 * @h: the map (only its immutable geometry is read: no lock needed).
 * @B: log2 of the bucket count.
 * @gfp: allocation flags.
 *
 * Return: a zeroed array, or NULL.
 */
struct hmap_gen *hmap_core_gen_alloc(const struct hmap_core *h, u8 B,
				     gfp_t gfp)
{
	u32 nbuckets = 1U << B;
	struct hmap_gen *gen;

	/* Enough spare overflow buckets for the median chain distribution. */
	if (B >= 4)
		nbuckets += 1U << (B - 4);
	gen = hmap_core_zalloc(gen_bytes(h, nbuckets), gfp);
	if (!gen)
		return NULL;
	gen->B = B;
	gen->mask = bucket_mask(B);
	gen->nbuckets = nbuckets;
	gen->next_prealloc = 1U << B;
	gen->layout.key_slot = h->key_slot;
	gen->layout.value_slot = h->value_slot;
	gen->layout.values_off = h->values_off;
	gen->layout.ovf_off = h->ovf_off;
	gen->layout.bucket_size = h->bucket_size;
	gen->layout.indirect_key = h->indirect_key;
	gen->layout.indirect_value = h->indirect_value;
	return gen;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_gen_alloc);

/* An array for @B: the donated one if it fits, else a new one. */
struct hmap_gen *hmap_gen_take(struct hmap_core *h, u8 B, gfp_t gfp)
{
	struct hmap_gen *gen = h->reserve;

	if (gen && gen->B == B) {
		h->reserve = NULL;
		return gen;
	}
	return hmap_core_gen_alloc(h, B, gfp);
}

/*
 * After a grace period, in process context: an array and its overflow
 * buckets can be tens of MiB and millions of allocations, not work for a
 * softirq RCU callback or a lock holder.
 */
static void obj_free_now(void *p)
{
	hmap_core_free(container_of(p, struct hmap_obj, data[0]));
}

/* The out-of-line keys and values of @gen's live slots, after a clear. */
static void gen_free_objects(struct hmap_gen *gen)
{
	/* Only the layout: the slot helpers read nothing else of the map. */
	const struct hmap_core h = {
		.key_slot = gen->layout.key_slot,
		.value_slot = gen->layout.value_slot,
		.values_off = gen->layout.values_off,
		.ovf_off = gen->layout.ovf_off,
		.bucket_size = gen->layout.bucket_size,
		.indirect_key = gen->layout.indirect_key,
		.indirect_value = gen->layout.indirect_value,
	};
	unsigned long idx;
	unsigned int i;
	u8 *b;

	for (idx = 0; idx < 1UL << gen->B; idx++) {
		/* Evacuated slots: their objects belong to the newer array. */
		for (b = gen_bucket(&h, gen, idx); b; b = bucket_next(&h, b)) {
			for (i = 0; i < HMAP_SLOTS; i++) {
				if (b[i] < HMAP_MIN_TOPHASH)
					continue;
				if (h.indirect_key)
					obj_free_now(slot_key(&h, b, i));
				if (h.indirect_value)
					obj_free_now(slot_value(&h, b, i));
			}
		}
		if (!(idx % 1024))
			cond_resched();
	}
}

static void gen_free_work(struct work_struct *work)
{
	struct hmap_gen *gen = container_of(to_rcu_work(work), struct hmap_gen,
					    free_work);
	struct hmap_ovf *o, *next;
	unsigned long n = 0;

	if (gen->free_objects)
		gen_free_objects(gen);
	for (o = gen->ovf; o; o = next) {
		next = o->next;
		hmap_core_free(o);
		if (!(++n % 1024))
			cond_resched();
	}
	hmap_core_free(gen);
}

/* Lockless readers may still walk @gen: free it after a grace period. */
static void gen_free(struct hmap_gen *gen)
{
	INIT_RCU_WORK(&gen->free_work, gen_free_work);
	queue_rcu_work(hmap_free_wq, &gen->free_work);
}

/* The map lets go of @gen; the last iterator holding it frees it. */
void hmap_gen_release(struct hmap_gen *gen)
{
	gen->detached = true;
	if (!gen->refs)
		gen_free(gen);
}

void hmap_gen_put(struct hmap_gen *gen)
{
	if (!--gen->refs && gen->detached)
		gen_free(gen);
}

/* ---- out-of-line keys and values ---- */

static size_t obj_size(const struct hmap_core *h, enum hmap_obj_kind kind)
{
	return sizeof(struct hmap_obj) +
	       (kind == HMAP_OBJ_KEY ? h->key_size : h->value_size);
}

/* Storage for an out-of-line key or value: a donated one, else new. */
static void *obj_alloc(struct hmap_core *h, enum hmap_obj_kind kind, gfp_t gfp)
{
	struct hmap_obj *o = h->obj_reserve[kind];

	if (o)
		h->obj_reserve[kind] = NULL;
	else
		o = hmap_core_zalloc(obj_size(h, kind), gfp);
	return o ? o->data : NULL;
}

void hmap_obj_flush_deferred(struct hmap_core *h)
{
	struct hmap_obj *o, *next;

	for (o = h->deferred; o; o = next) {
		next = o->next;
		kvfree_rcu(o, rcu);
	}
	h->deferred = NULL;
	h->deferred_bytes = 0;
}

/*
 * Keys held back for iterators may take at most this much, or as much as
 * the map's live keys if that is more; beyond it they are freed and the
 * iterators in progress end as stale.
 */
#define HMAP_DEFERRED_MIN_BYTES	BIT(20)

void hmap_obj_free(struct hmap_core *h, void *p, bool is_key)
{
	struct hmap_obj *o = container_of(p, struct hmap_obj, data[0]);

	if (is_key && h->niters) {
		o->next = h->deferred;
		h->deferred = o;
		h->deferred_bytes += obj_size(h, HMAP_OBJ_KEY);
		if (h->deferred_bytes > max(HMAP_DEFERRED_MIN_BYTES,
					    h->count * obj_size(h, HMAP_OBJ_KEY))) {
			hmap_obj_flush_deferred(h);
			h->iter_epoch++;
		}
		return;
	}
	kvfree_rcu(o, rcu);
}

/*
 * Release what a live slot owns and zero it. Out-of-line pointers are
 * cleared whole (WRITE_ONCE), never byte by byte: a lockless reader may be
 * loading them.
 */
static void slot_clear(struct hmap_core *h, u8 *b, unsigned int i)
{
	void *obj;

	/*
	 * Unpublish before freeing: kvfree_rcu() waits only for readers that
	 * started before it, and a later one must not find the pointer.
	 */
	if (h->indirect_key) {
		obj = slot_key(h, b, i);
		WRITE_ONCE(*(void **)slot_key_raw(h, b, i), NULL);
		hmap_obj_free(h, obj, true);
	} else {
		slot_zero(slot_key_raw(h, b, i), h->key_slot);
	}
	if (h->indirect_value) {
		obj = slot_value(h, b, i);
		WRITE_ONCE(*(void **)slot_value_raw(h, b, i), NULL);
		hmap_obj_free(h, obj, false);
	} else {
		slot_zero(slot_value_raw(h, b, i), h->value_slot);
	}
}

/*
 * A clear or destroy lets go of every live entry with the arrays: their
 * out-of-line keys and values are freed with the arrays, after a grace
 * period and the last iterator holding them, in process context. O(1)
 * here, however many entries the map held.
 */
static void let_go_of_objects(struct hmap_core *h)
{
	if (!h->indirect_key && !h->indirect_value)
		return;
	if (h->buckets)
		h->buckets->free_objects = true;
	if (h->oldbuckets)
		h->oldbuckets->free_objects = true;
}

/* ---- overflow buckets ---- */

/* Go's incrnoverflow: exact below B=16, then 1 in 2^(B-15). */
static void incr_noverflow(struct hmap_core *h)
{
	u32 mask;

	if (h->noverflow == U16_MAX)
		return;
	if (h->B <= HMAP_NOVERFLOW_EXACT_B) {
		h->noverflow++;
		return;
	}
	mask = (1U << (h->B - HMAP_NOVERFLOW_EXACT_B)) - 1;
	if (!(hmap_random_u32() & mask))
		h->noverflow++;
}

/* A zeroed overflow bucket of the current array, not taken from @spare. */
static u8 *overflow_fresh(struct hmap_core *h, gfp_t gfp)
{
	struct hmap_gen *gen = h->buckets;
	struct hmap_ovf *o;

	if (gen->next_prealloc < gen->nbuckets)
		return gen_bucket(h, gen, gen->next_prealloc++);
	o = hmap_core_zalloc(sizeof(*o) + h->bucket_size, gfp);
	if (!o)
		return NULL;
	o->next = gen->ovf;
	gen->ovf = o;
	gen->novf++;
	return o->bucket;
}

/* A zeroed, unlinked overflow bucket: a reserved one if any, else fresh. */
static u8 *overflow_alloc(struct hmap_core *h, gfp_t gfp)
{
	u8 *b = h->spare;

	if (!b)
		return overflow_fresh(h, gfp);
	h->spare = bucket_next(h, b);
	h->nspare--;
	bucket_set_next(h, b, NULL);
	return b;
}

static void spare_push(struct hmap_core *h, u8 *b)
{
	bucket_set_next(h, b, h->spare);
	h->spare = b;
	h->nspare++;
}

/* Make sure @n overflow buckets can be linked without allocating. */
int hmap_overflow_reserve(struct hmap_core *h, unsigned int n, gfp_t gfp)
{
	while (h->nspare < n) {
		u8 *b = overflow_fresh(h, gfp);

		if (!b)
			return -ENOMEM;
		spare_push(h, b);
	}
	return 0;
}

/* Chain a fresh overflow bucket after @last. */
u8 *hmap_overflow_link(struct hmap_core *h, u8 *last, gfp_t gfp)
{
	u8 *b = overflow_alloc(h, gfp);

	if (!b)
		return NULL;
	bucket_set_next(h, last, b);
	incr_noverflow(h);
	return b;
}

/* ---- lookup (the path itself is in hmap_lookup.h) ---- */

/* Locate @key; 4- and 8-byte keys get their own inlined copies. */
u8 *hmap_find_key(const struct hmap_core *h, const void *key, u64 hash,
		  unsigned int *slot)
{
	return find_key_inline(h, key, hash, slot);
}

/*
 * lookup_lean() of a 16-byte key, out of line: inlined next to the 4- and
 * 8-byte paths, its two-word compare made every lookup save a register.
 */
noinline void *hmap_lookup_16(const struct hmap_core *h, const void *key)
{
	return lookup_lean(h, key, 16);
}

/* Every lookup lookup_lean() does not take; @h holds at least one entry. */
void *hmap_lookup_slow(const struct hmap_core *h, const void *key)
{
	switch (h->key_size) {
	case 4:
		return lookup_sized(h, key, 4);
	case 8:
		return lookup_sized(h, key, 8);
	case 16:
		return lookup_sized(h, key, 16);
	default:
		return lookup_sized(h, key, h->key_size);
	}
}

/**
 * hmap_core_lookup() - find the value stored for a key.
 * @h: the map.
 * @key: key_size bytes.
 *
 * Safe without the writers' lock under RCU, if the caller detects
 * concurrent writes (the module's sequence count) and retries: a racing
 * write can make it miss or return a stale pointer, never fault.
 *
 * Return: a pointer to the value (valid until the next write), or NULL.
 * For a map with value_size 0 the pointer is non-NULL but not readable.
 */
void *hmap_core_lookup(const struct hmap_core *h, const void *key)
{
	return hmap_lookup_inline(h, key);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_lookup);

/**
 * hmap_core_lookup_hashed() - hmap_core_lookup() of a key already hashed.
 * @h: the map.
 * @key: key_size bytes.
 * @hash: hmap_core_hash() of @key, computed while @h->seed_gen held its
 *	current value.
 *
 * Return: as hmap_core_lookup(), whose rules for lockless use apply.
 */
void *hmap_core_lookup_hashed(const struct hmap_core *h, const void *key,
			      u64 hash)
{
	return lookup_hashed_inline(h, key, hash);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_lookup_hashed);

/**
 * hmap_core_prefetch() - start loading the bucket a key of @hash lives in.
 * @h: the map.
 * @hash: the key's hmap_core_hash().
 *
 * Batches hash their keys first and prefetch every bucket before probing
 * any, so that the cache misses of the batch overlap. A hint only: safe
 * without the lock under RCU, whatever the map does meanwhile.
 */
void hmap_core_prefetch(const struct hmap_core *h, u64 hash)
{
	prefetch_hashed_inline(h, hash);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_prefetch);

/* ---- memory allocated outside the caller's lock ---- */

/**
 * hmap_core_ovf_alloc() - allocate an overflow bucket for later donation.
 * @h: the map (only its immutable geometry is read: no lock needed).
 * @gfp: allocation flags.
 *
 * Return: the bucket, to be passed to hmap_core_donate(), or NULL.
 */
void *hmap_core_ovf_alloc(const struct hmap_core *h, gfp_t gfp)
{
	return hmap_core_zalloc(sizeof(struct hmap_ovf) + h->bucket_size, gfp);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_ovf_alloc);

/**
 * hmap_core_obj_alloc() - allocate out-of-line storage for later donation.
 * @h: the map (only its immutable geometry is read: no lock needed).
 * @kind: HMAP_OBJ_KEY or HMAP_OBJ_VALUE.
 * @gfp: allocation flags.
 *
 * Return: the object, to be passed to hmap_core_donate_obj(), or NULL.
 * Maps whose keys (values) are stored inline need none.
 */
void *hmap_core_obj_alloc(const struct hmap_core *h, enum hmap_obj_kind kind,
			  gfp_t gfp)
{
	return hmap_core_zalloc(obj_size(h, kind), gfp);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_obj_alloc);

/**
 * hmap_core_drop_reserve() - free a donated array that no growth used.
 * @h: the map.
 *
 * For a map whose writes stopped short of the growth the array was given
 * for: a later write near the threshold asks for it again.
 */
void hmap_core_drop_reserve(struct hmap_core *h)
{
	/* Never published: no reader can hold it. */
	hmap_core_free(h->reserve);
	h->reserve = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_drop_reserve);

/**
 * hmap_core_donate_obj() - keep an object for the next out-of-line insert.
 * @h: the map.
 * @kind: HMAP_OBJ_KEY or HMAP_OBJ_VALUE.
 * @obj: from hmap_core_obj_alloc(); the map owns it from now on.
 */
void hmap_core_donate_obj(struct hmap_core *h, enum hmap_obj_kind kind,
			  void *obj)
{
	if (h->obj_reserve[kind])
		hmap_core_free(obj);
	else
		h->obj_reserve[kind] = obj;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_donate_obj);

/**
 * hmap_core_donate() - hand the map memory allocated outside its lock.
 * @h: the map.
 * @gen: an array from hmap_core_gen_alloc(), kept for the next growth of
 *	that size (replacing an earlier donation), or NULL.
 * @ovf: overflow buckets from hmap_core_ovf_alloc(), kept as spares.
 * @n: number of @ovf.
 *
 * The map owns everything passed in, used or not.
 */
void hmap_core_donate(struct hmap_core *h, struct hmap_gen *gen, void **ovf,
		      unsigned int n)
{
	struct hmap_ovf *o;
	unsigned int i;

	if (gen) {
		/* Never published: no reader can hold the old reserve. */
		if (h->reserve)
			hmap_core_free(h->reserve);
		h->reserve = gen;
	}
	for (i = 0; i < n; i++) {
		o = ovf[i];
		if (!h->buckets) {
			hmap_core_free(o);
			continue;
		}
		o->next = h->buckets->ovf;
		h->buckets->ovf = o;
		h->buckets->novf++;
		spare_push(h, o->bucket);
	}
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_donate);

/* ---- update and delete ---- */

/* Write a new entry into a free slot; out-of-line storage is allocated. */
static int slot_fill(struct hmap_core *h, u8 *b, unsigned int i,
		     const void *key, const void *value, u8 top, gfp_t gfp)
{
	void *k = slot_key_raw(h, b, i), *v = slot_value_raw(h, b, i);

	if (h->indirect_key) {
		k = obj_alloc(h, HMAP_OBJ_KEY, gfp);
		if (!k)
			return -ENOMEM;
	}
	if (h->indirect_value) {
		v = obj_alloc(h, HMAP_OBJ_VALUE, gfp);
		if (!v) {
			if (h->indirect_key)
				hmap_obj_free(h, k, false);
			return -ENOMEM;
		}
	}
	slot_copy(k, key, h->key_size);
	if (h->value_size)
		slot_copy(v, value, h->value_size);
	/* Out-of-line storage is published whole, once its contents are in. */
	if (h->indirect_key)
		WRITE_ONCE(*(void **)slot_key_raw(h, b, i), k);
	if (h->indirect_value)
		WRITE_ONCE(*(void **)slot_value_raw(h, b, i), v);
	/* Lockless lookups see the slot only once key and value are in. */
	smp_store_release(&b[i], top);
	h->count++;
	return 0;
}

/*
 * Scan a chain for @key, remembering the first free slot and the tail.
 * No padding, and chain_scan() sets every field: a kernel built with
 * CONFIG_INIT_STACK_ALL_ZERO then has nothing left to zero (it zeroed the
 * 48 bytes with a rep stos on every write, and the memset() that set the
 * fields was a second one).
 */
struct chain_pos {
	u8 *found;
	u8 *free;
	u8 *last;
	unsigned long found_i;
	unsigned long free_i;
	unsigned long len;
};

/*
 * As chain_find(), a bucket's eight tophash bytes at once: the slots
 * holding @top, and the first empty one (a byte of 0 or 1).
 */
static void chain_scan(const struct hmap_core *h, u8 *b, const void *key,
		       u8 top, struct chain_pos *pos)
{
	u64 word, match, kw = key_word(key, h->key_size);
	unsigned int i;

	pos->found = NULL;
	pos->free = NULL;
	pos->last = NULL;
	pos->found_i = 0;
	pos->free_i = 0;
	pos->len = 0;
	for (; b; b = bucket_next(h, b)) {
		pos->last = b;
		pos->len++;
		word = le64_to_cpu(*(__le64 *)b);
		for (match = bytes_zero(word ^ (top * HMAP_BYTES_LO)); match;
		     match &= match - 1) {
			i = __ffs64(match) / 8;
			if (key_equal(h, b, i, key, kw, h->key_size)) {
				pos->found = b;
				pos->found_i = i;
				return;
			}
		}
		if (!pos->free) {
			match = bytes_zero(word & ~HMAP_BYTES_LO);
			if (match) {
				pos->free = b;
				pos->free_i = __ffs64(match) / 8;
			}
		}
		/* An HMAP_EMPTY_REST: nothing after it is in use. */
		if (has_zero_byte(word))
			return;
	}
}

/**
 * hmap_core_update() - insert or update an entry.
 * @h: the map.
 * @key: key_size bytes.
 * @value: value_size bytes (ignored for value_size 0).
 * @flags: HMAP_UPDATE_ANY, HMAP_UPDATE_NOEXIST or HMAP_UPDATE_EXIST.
 * @gfp: allocation flags.
 *
 * Return: 0; -EINVAL for unknown @flags; -EEXIST (NOEXIST, key present);
 * -ENOENT (EXIST, key absent); -E2BIG if a new key would exceed
 * max_entries; -ENOMEM if memory for a new key could not be allocated, in
 * which case the map is unchanged. Updating a present key never fails for
 * lack of memory.
 */
int hmap_core_update(struct hmap_core *h, const void *key, const void *value,
		     u64 flags, gfp_t gfp)
{
	if (flags > HMAP_UPDATE_EXIST)
		return -EINVAL;
	return hmap_core_update_hashed(h, key, hmap_core_hash(h, key), value,
				       flags, gfp);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_update);

/**
 * hmap_core_update_hashed() - hmap_core_update() of a key already hashed.
 * @h: the map.
 * @key: key_size bytes.
 * @hash: hmap_core_hash() of @key, computed while @h->seed_gen held its
 *	current value.
 * @value: value_size bytes (ignored for value_size 0).
 * @flags: HMAP_UPDATE_ANY, HMAP_UPDATE_NOEXIST or HMAP_UPDATE_EXIST.
 * @gfp: allocation flags.
 *
 * Return: as hmap_core_update().
 */
int hmap_core_update_hashed(struct hmap_core *h, const void *key, u64 hash,
			    const void *value, u64 flags, gfp_t gfp)
{
	struct chain_pos pos;
	u8 *head, top;
	int err;

	if (flags > HMAP_UPDATE_EXIST)
		return -EINVAL;
	if (!h->buckets) {
		if (flags == HMAP_UPDATE_EXIST)
			return -ENOENT;
		/* Lazily, or again after a clear could not allocate it. */
		struct hmap_gen *gen = hmap_gen_take(h, h->min_B, gfp);

		if (!gen)
			return -ENOMEM;
		hmap_gen_adopt_hash(h, gen);
		h->B = gen->B;
		/* Lockless lookups read gen->B through this pointer. */
		smp_store_release(&h->buckets, gen);
	}
again:
	err = 0;
	if (h->oldbuckets)
		err = hmap_grow_work(h, old_hash(h, h->oldbuckets, key, hash) &
					bucket_mask(h->B), gfp);
	/* If evacuation failed, the key may still sit in the old bucket. */
	head = key_chain(h, key, hash, &top);
	chain_scan(h, head, key, top, &pos);
	if (pos.found) {
		if (flags == HMAP_UPDATE_NOEXIST)
			return -EEXIST;
		if (h->value_size)
			slot_copy(slot_value(h, pos.found, pos.found_i), value,
				  h->value_size);
		return 0;
	}
	if (flags == HMAP_UPDATE_EXIST)
		return -ENOENT;
	if (err)
		return err;
	if (h->max_entries && h->count >= h->max_entries)
		return -E2BIG;
	if (unlikely(!pos.free && pos.len + 1 >= HMAP_FLOOD_CHAIN))
		hmap_flood_seen(h);
	if (hmap_need_grow(h)) {
		err = hmap_grow_start(h, gfp, true);
		if (!err) {
			/* A same-size growth files entries under a new key. */
			hash = hmap_core_hash(h, key);
			goto again;
		}
		/* -EAGAIN: the caller allocates the array; insert meanwhile. */
		if (err != -EAGAIN)
			return err;
	} else if (unlikely(hmap_grow_ahead_due(h))) {
		h->flags |= HMAP_CORE_F_WANT_ARRAY;
	}
	if (!pos.free) {
		pos.free = hmap_overflow_link(h, pos.last, gfp);
		if (!pos.free)
			return -ENOMEM;
		pos.free_i = 0;
	}
	return slot_fill(h, pos.free, pos.free_i, key, value, top, gfp);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_update_hashed);

/* After slot @i of @b became empty, turn a trailing run into EMPTY_REST. */
static void mark_empty_rest(const struct hmap_core *h, u8 *head, u8 *b,
			    unsigned int i)
{
	u8 *next = bucket_next(h, b);
	u8 *c;

	if (i == HMAP_SLOTS - 1) {
		if (next && next[0] != HMAP_EMPTY_REST)
			return;
	} else if (b[i + 1] != HMAP_EMPTY_REST) {
		return;
	}
	for (;;) {
		b[i] = HMAP_EMPTY_REST;
		if (i == 0) {
			if (b == head)
				return;
			/* Step back to the previous bucket of the chain. */
			for (c = head; bucket_next(h, c) != b;)
				c = bucket_next(h, c);
			b = c;
			i = HMAP_SLOTS - 1;
		} else {
			i--;
		}
		if (b[i] != HMAP_EMPTY_ONE)
			return;
	}
}

/**
 * hmap_core_delete() - remove an entry.
 * @h: the map.
 * @key: key_size bytes.
 * @value_out: if not NULL, receives the removed value.
 * @gfp: allocation flags for evacuation work and for the array of a shrink
 *	the delete may start; delete itself never fails for lack of memory.
 *
 * Return: 0, or -ENOENT if the key is absent.
 */
int hmap_core_delete(struct hmap_core *h, const void *key, void *value_out,
		     gfp_t gfp)
{
	if (!h->count)
		return -ENOENT;
	return hmap_core_delete_hashed(h, key, hmap_core_hash(h, key),
				       value_out, gfp);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_delete);

/**
 * hmap_core_delete_hashed() - hmap_core_delete() of a key already hashed.
 * @h: the map.
 * @key: key_size bytes.
 * @hash: hmap_core_hash() of @key, computed while @h->seed_gen held its
 *	current value; a delete that empties the map changes it, but leaves
 *	nothing for later deletes of the same batch to find.
 * @value_out: if not NULL, receives the removed value.
 * @gfp: as for hmap_core_delete().
 *
 * Return: 0, or -ENOENT if the key is absent.
 */
int hmap_core_delete_hashed(struct hmap_core *h, const void *key, u64 hash,
			    void *value_out, gfp_t gfp)
{
	unsigned int i;
	u8 *head, *b;
	u8 top;

	if (!h->count)
		return -ENOENT;
	if (h->oldbuckets)
		hmap_grow_work(h, old_hash(h, h->oldbuckets, key, hash) &
			       bucket_mask(h->B), gfp);
	head = key_chain(h, key, hash, &top);
	b = chain_find(h, head, key, top, h->key_size, &i);
	if (!b)
		return -ENOENT;
	if (value_out && h->value_size)
		slot_copy(value_out, slot_value(h, b, i), h->value_size);
	/* Hide the slot from lockless lookups before taking it apart. */
	WRITE_ONCE(b[i], HMAP_EMPTY_ONE);
	slot_clear(h, b, i);
	mark_empty_rest(h, head, b, i);
	/*
	 * An empty map takes a new seed (unless its creator keeps one), so
	 * collisions cannot be replayed; one that grew also goes back to what
	 * a new map holds, at once.
	 */
	if (!--h->count) {
		if (h->B > h->min_B || h->oldbuckets) {
			hmap_core_clear(h, gfp);
		} else if (!h->keep_seed) {
			hmap_reseed(h);
			hmap_gen_adopt_hash(h, h->buckets);
		}
		return 0;
	}
	/* Optional: if the array cannot be had, a later delete tries again. */
	if (unlikely(hmap_need_shrink(h)))
		hmap_shrink_start(h, gfp, true);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_delete_hashed);

/**
 * hmap_core_clear() - remove every entry.
 * @h: the map.
 * @gfp: allocation flags for the array the creation hint asked for.
 *
 * The map goes back to what a new one holds: an array of the size its
 * creation hint asked for (none without a hint, or if that allocation
 * fails; the first insert allocates one). The arrays it had are let go of,
 * not wiped or reused: lockless readers may finish their walk in them, and
 * each is freed when its last iterator ends, after a grace period, in
 * process context (a work item), with the out-of-line keys and values of
 * its entries. Iterators started before the clear end at their next step
 * without returning anything more, so none returns a key twice. O(1).
 */
void hmap_core_clear(struct hmap_core *h, gfp_t gfp)
{
	struct hmap_gen *gens[2] = { h->buckets, h->oldbuckets };
	struct hmap_gen *fresh = NULL;
	unsigned int g;

	let_go_of_objects(h);
	if (h->oldbuckets)
		trace_hmap_grow_done(h->id, h->oldbuckets->B, h->B,
				     h->flags & HMAP_CORE_F_SAME_SIZE);
	if (!h->keep_seed)
		hmap_reseed(h);
	if (h->min_B)
		fresh = hmap_gen_take(h, h->min_B, gfp);
	if (fresh)
		hmap_gen_adopt_hash(h, fresh);
	WRITE_ONCE(h->oldbuckets, NULL);
	/* Lockless lookups index @fresh with its own B: publish it whole. */
	smp_store_release(&h->buckets, fresh);
	h->B = fresh ? h->min_B : 0;
	for (g = 0; g < ARRAY_SIZE(gens); g++)
		if (gens[g])
			hmap_gen_release(gens[g]);
	/* Spares belonged to the arrays let go of. */
	h->spare = NULL;
	h->nspare = 0;
	h->flags &= ~(HMAP_CORE_F_SAME_SIZE | HMAP_CORE_F_SHRINK |
		      HMAP_CORE_F_WANT_ARRAY | HMAP_CORE_F_FLOOD);
	h->count = 0;
	h->nevacuate = 0;
	h->noverflow = 0;
	h->clears++;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_clear);

/* ---- creation ---- */

/**
 * hmap_core_init() - set up an empty map.
 * @h: the map header to initialize.
 * @p: key and value sizes, size hint, limit and optional hash function.
 * @gfp: allocation flags for the first bucket array.
 *
 * With a hint of 8 or less no memory is allocated until the first insert.
 *
 * Return: 0, -EINVAL for sizes out of range, or -ENOMEM.
 */
int hmap_core_init(struct hmap_core *h, const struct hmap_core_params *p,
		   gfp_t gfp)
{
	if (!p->key_size || p->key_size > HMAP_KEY_SIZE_MAX ||
	    p->value_size > HMAP_VALUE_SIZE_MAX)
		return -EINVAL;

	memset(h, 0, sizeof(*h));
	h->key_size = p->key_size;
	h->value_size = p->value_size;
	h->indirect_key = p->key_size > HMAP_MAX_INLINE;
	h->indirect_value = p->value_size > HMAP_MAX_INLINE;
	h->key_slot = h->indirect_key ? sizeof(void *) : p->key_size;
	h->value_slot = h->indirect_value ? sizeof(void *) : p->value_size;
	h->values_off = HMAP_SLOTS + HMAP_SLOTS * h->key_slot;
	h->ovf_off = ALIGN(h->values_off + HMAP_SLOTS * h->value_slot,
			   sizeof(void *));
	h->bucket_size = h->ovf_off + sizeof(void *);
	h->max_entries = p->max_entries;
	h->hashfn = p->hashfn;
	h->id = p->id;
	h->defer_arrays = p->defer_arrays;
	h->hkind = p->hashfn ? HMAP_HASH_CUSTOM : HMAP_HASH_FAST;
	hmap_reseed(h);
	if (p->seed) {
		set_seed(h, p->seed);
		h->keep_seed = true;
	}
	h->B = hmap_core_hint_to_B(p->hint);
	h->min_B = h->B;
	h->hint = p->hint;
	if (h->B) {
		h->buckets = hmap_gen_take(h, h->B, gfp);
		if (!h->buckets)
			return -ENOMEM;
		hmap_gen_adopt_hash(h, h->buckets);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_init);

/**
 * hmap_core_destroy() - free everything the map holds.
 * @h: the map; must have no iterator in progress.
 *
 * O(1): the arrays, their overflow buckets and the out-of-line keys and
 * values of their entries are freed by a work item after a grace period.
 */
void hmap_core_destroy(struct hmap_core *h)
{
	WARN_ON_ONCE(h->niters);
	let_go_of_objects(h);
	hmap_obj_flush_deferred(h);
	if (h->oldbuckets)
		gen_free(h->oldbuckets);
	if (h->buckets)
		gen_free(h->buckets);
	hmap_core_free(h->reserve);
	hmap_core_free(h->obj_reserve[HMAP_OBJ_KEY]);
	hmap_core_free(h->obj_reserve[HMAP_OBJ_VALUE]);
	h->oldbuckets = NULL;
	h->buckets = NULL;
	h->reserve = NULL;
	h->count = 0;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_core_destroy);
