/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface of the pure hmap core (kmod/hmap_core.c): no locks, no user
 * copies, no printk. Callers serialize writers; see hmap_core.c for the
 * algorithm and its invariants.
 */
#ifndef _HMAP_CORE_H
#define _HMAP_CORE_H

#include <linux/hmap_types.h>
#include <linux/siphash.h>
#include <linux/workqueue.h>

/* Slots per bucket (Go: bucketCnt). */
#define HMAP_SLOTS_BITS		3
#define HMAP_SLOTS		BIT(HMAP_SLOTS_BITS)

/* Keys or values larger than this are stored out of line (Go: maxKeySize). */
#define HMAP_MAX_INLINE		128

/*
 * Average load that triggers growth: 6.5 entries per bucket, kept as 13/2
 * for integer math. Go measured it as the best trade between overflow
 * buckets (20.9% of buckets at 6.5) and wasted slots (10.8 bytes/entry).
 */
#define HMAP_LOAD_NUM		13
#define HMAP_LOAD_DEN		2

/* Largest B: keeps bucket-array sizes well inside kvmalloc's INT_MAX cap. */
#define HMAP_B_MAX		26

/* tophash sentinels; a live slot holds HMAP_MIN_TOPHASH..255. */
enum hmap_tophash {
	HMAP_EMPTY_REST		= 0,	/* empty, and so is every later slot of the chain */
	HMAP_EMPTY_ONE		= 1,	/* empty hole; later slots may be live */
	HMAP_EVACUATED_X	= 2,	/* live, moved to the same index of the new array */
	HMAP_EVACUATED_Y	= 3,	/* live, moved to index + old size of the new array */
	HMAP_EVACUATED_EMPTY	= 4,	/* was empty when its bucket was evacuated */
	HMAP_MIN_TOPHASH	= 5,
};

/* h->flags */
#define HMAP_CORE_F_SAME_SIZE	BIT(0)	/* current growth keeps B */
#define HMAP_CORE_F_SHRINK	BIT(1)	/* current resize halves B */
#define HMAP_CORE_F_WANT_ARRAY	BIT(2)	/* a write left a due growth to the caller */
#define HMAP_CORE_F_FLOOD	BIT(3)	/* a flood was seen: rehash with hsiphash */

/*
 * With hmap_core_params.defer_arrays, a write never allocates a bucket
 * array larger than this: the caller allocates it outside the write path
 * (hmap_core_next_grow_B(), hmap_core_gen_alloc(), hmap_core_donate(),
 * hmap_core_grow_start()) while the map runs above its load...
 */
#define HMAP_ARRAY_INLINE_MAX	(2 * PAGE_SIZE)
/* ...up to this multiple of its growth threshold, past which writes do. */
#define HMAP_DEFER_LOAD_MULT	2
/*
 * Such an array is asked for ahead of need, once the map holds 7/8 of its
 * growth threshold and more entries than its creation hint, so that it is
 * ready when the growth is due and no write runs over the load waiting for
 * it. Unused after HMAP_TIDY_IDLE without writes, the module frees it again
 * (hmap_core_drop_reserve()).
 */
#define HMAP_AHEAD_NUM		7
#define HMAP_AHEAD_DEN		8

/*
 * A chain this many buckets long (57 entries or more in one bucket's chain,
 * where random hashing at the growth load of 6.5 gives a chance below
 * 10^-30) is taken as a flood: the map is rehashed with hsiphash under a
 * fresh key (see hmap_core.c, "hashing").
 */
#define HMAP_FLOOD_CHAIN	8

/* Units evacuated out of order that one write's evacuation skips, at most. */
#define HMAP_EVAC_SKIP_MAX	16

/*
 * A map shrinks when deletes leave it at 1/8 of the load that grows it
 * (count <= 13/16 * 2^B): halved, it is at 1/4 of its growth threshold, so
 * only four times as many entries make it grow back.
 */
#define HMAP_SHRINK_DIV		8

struct hmap_ovf;
struct hmap_obj;

/* Hash functions a bucket array can be filed under. */
enum hmap_hash_kind {
	HMAP_HASH_FAST,		/* seeded multiply-mix (hmap_mixhash.h): the default */
	HMAP_HASH_SIP,		/* hsiphash: after a flood was detected */
	HMAP_HASH_CUSTOM,	/* the creator's hmap_core_params.hashfn */
};

/* Kinds of out-of-line object, for donation. */
enum hmap_obj_kind {
	HMAP_OBJ_VALUE,
	HMAP_OBJ_KEY,
};

/**
 * struct hmap_gen - one bucket array and the overflow buckets chained to it.
 * @ovf: separately allocated overflow buckets, freed with the generation.
 * @novf: length of @ovf.
 * @free_work: frees the generation, in process context, after lockless
 *	readers are done with it.
 * @free_objects: a clear or destroy let go of the map's entries with this
 *	generation: @free_work frees the out-of-line keys and values of its
 *	live (not evacuated) slots too.
 * @layout: the map's bucket layout, for @free_work (the map may be gone).
 * @refs: iterators holding this generation.
 * @detached: no longer the map's current or old array; freed at refs == 0.
 * @hkey: the hash key its entries are filed under.
 * @seed_gen: the map's @seed_gen for @hkey: arrays with the same one
 *	share a hash function.
 * @hkind: the hash function, &enum hmap_hash_kind.
 * @B: log2 of the number of regular buckets.
 * @mask: 2^@B - 1, what a hash is masked with to index the regular buckets.
 * @next_prealloc: index of the next unused preallocated overflow bucket.
 * @nbuckets: 2^B regular buckets plus the preallocated overflow buckets.
 * @data: the buckets.
 */
struct hmap_gen {
	struct hmap_ovf *ovf;
	unsigned long novf;
	struct rcu_work free_work;
	bool free_objects;
	struct {
		u32 key_slot;
		u32 value_slot;
		u32 values_off;
		u32 ovf_off;
		u32 bucket_size;
		bool indirect_key;
		bool indirect_value;
	} layout;
	unsigned int refs;
	u32 mask;
	hsiphash_key_t hkey;
	u32 seed_gen;
	u8 hkind;
	u8 B;
	bool detached;
	u32 next_prealloc;
	u32 nbuckets;
	u8 data[] __aligned(8);
};

/**
 * struct hmap_core - the map header (Go: hmap).
 * @count: live entries.
 * @B: log2 of the number of buckets; the table holds up to 6.5 * 2^B.
 * @flags: HMAP_CORE_F_*.
 * @noverflow: overflow buckets chained to @buckets (approximate above B=15).
 * @nevacuate: old buckets below this index are all evacuated.
 * @buckets: current bucket array; NULL until the first insert when B == 0.
 * @oldbuckets: previous array while growing, else NULL.
 * @spare: reserved but unused overflow buckets of @buckets, linked through
 *	their overflow pointer.
 * @nspare: length of @spare.
 * @niters: iterators in progress.
 * @deferred: out-of-line keys deleted while iterators were in progress.
 * @deferred_bytes: memory held by @deferred.
 * @iter_epoch: bumped when @deferred overflows; older iterators are stale.
 * @reserve: a bucket array donated for the next growth of its size.
 * @obj_reserve: a donated out-of-line value and key, by &enum hmap_obj_kind.
 * @moved: entries evacuated since creation.
 * @growths: growths started since creation.
 * @shrinks: shrinks started since creation.
 * @clears: hmap_core_clear() calls since creation; iterators started
 *	before the latest one end.
 * @min_B: the B the creation hint asked for: a cleared map returns to it.
 * @id: the map's id, reported by the tracepoints.
 * @hkey: hash key of the current array, re-randomized when the map becomes
 *	empty and by every same-size growth; the multiply-mix hash and custom
 *	hash functions get hkey.key[0] as their seed.
 * @mixk: mixhash_k1() and mixhash_k2() of @hkey.key[0], derived with it
 *	for the lookup's fast path; written only by set_seed().
 * @seed_gen: bumped with every new @hkey: a hash computed while it held
 *	the same value is still valid.
 * @hkind: hash function of the current array, &enum hmap_hash_kind.
 * @hashfn: the creator's hash function, or NULL.
 * @hint: the creation hint: while the map holds no more entries than that,
 *	it asks for no array ahead of need (the caller said how many to expect).
 * @max_entries: inserts beyond this fail with -E2BIG; 0 means no limit.
 * @key_size: key bytes.
 * @value_size: value bytes.
 * @key_slot: bytes per key slot (key_size, or a pointer if out of line).
 * @value_slot: bytes per value slot.
 * @values_off: offset of the value array in a bucket.
 * @ovf_off: offset of the overflow pointer in a bucket.
 * @bucket_size: bytes per bucket.
 * @indirect_key: keys are stored out of line.
 * @indirect_value: values are stored out of line.
 * @defer_arrays: from &struct hmap_core_params.
 * @keep_seed: from &struct hmap_core_params (a non-zero seed).
 */
struct hmap_core {
	unsigned long count;
	u8 B;
	u8 flags;
	u16 noverflow;
	unsigned long nevacuate;
	struct hmap_gen *buckets;
	struct hmap_gen *oldbuckets;
	void *spare;
	unsigned int nspare;
	unsigned int niters;
	struct hmap_obj *deferred;
	u64 deferred_bytes;
	u32 iter_epoch;
	struct hmap_gen *reserve;
	struct hmap_obj *obj_reserve[2];
	u64 moved;
	u64 growths;
	u64 shrinks;
	u32 clears;
	u8 min_B;
	u32 id;
	hsiphash_key_t hkey;
	u64 mixk[2];
	u32 seed_gen;
	u8 hkind;
	hmap_hash_fn hashfn;
	unsigned long hint;
	unsigned long max_entries;
	u32 key_size;
	u32 value_size;
	u32 key_slot;
	u32 value_slot;
	u32 values_off;
	u32 ovf_off;
	u32 bucket_size;
	bool indirect_key;
	bool indirect_value;
	bool defer_arrays;
	bool keep_seed;
};

/**
 * struct hmap_core_params - creation parameters.
 * @key_size: 1..HMAP_KEY_SIZE_MAX.
 * @value_size: 0..HMAP_VALUE_SIZE_MAX (0 makes a set).
 * @hint: expected number of entries; sizes the first bucket array.
 * @max_entries: 0 for no limit.
 * @hashfn: NULL for the built-in keyed hashes.
 * @id: the map's id, reported by the tracepoints.
 * @seed: if not 0, the seed of the fast (or custom) hash, kept until a
 *	same-size growth takes a new one, also when the map empties: a
 *	caller that hashes with it already (to pick a shard) can pass its
 *	hash on while hmap_core_seeded() says so. 0: a random seed, renewed
 *	whenever the map becomes empty.
 * @defer_arrays: writes leave bucket arrays above HMAP_ARRAY_INLINE_MAX to
 *	the caller, who allocates them outside the write path when it sees
 *	HMAP_CORE_F_WANT_ARRAY, so that no write pays for one; they still
 *	allocate it once the map holds HMAP_DEFER_LOAD_MULT times its
 *	growth threshold.
 */
struct hmap_core_params {
	u32 key_size;
	u32 value_size;
	unsigned long hint;
	unsigned long max_entries;
	hmap_hash_fn hashfn;
	u32 id;
	u64 seed;
	bool defer_arrays;
};

#define HMAP_NO_CHECK	(~0UL)

/**
 * hmap_core_seeded() - does the map still hash with this seed?
 * @h: the map.
 * @seed: hmap_core_params.seed it was created with.
 *
 * Lockless callers read it inside their sequence-count section.
 *
 * Return: true if hmap_core_hash() is the fast (or custom) hash of @seed.
 */
static inline bool hmap_core_seeded(const struct hmap_core *h, u64 seed)
{
	return READ_ONCE(h->hkind) != HMAP_HASH_SIP &&
	       READ_ONCE(h->hkey.key[0]) == seed;
}

/**
 * struct hmap_core_stats - a snapshot of the map's shape.
 * @count: live entries.
 * @B: log2 of the number of buckets.
 * @buckets: regular buckets in the current array.
 * @overflow: overflow buckets chained to the current array.
 * @old_buckets: buckets in the array being evacuated, 0 if not growing.
 * @nevacuate: evacuation progress (old buckets done).
 * @same_size: the growth in progress keeps B.
 * @shrinking: the resize in progress halves B.
 * @hash_kind: the current array's hash function, &enum hmap_hash_kind.
 * @bytes: bytes held by the map's arrays, overflow buckets and
 *	out-of-line keys and values.
 * @chain_hist: chains of the current array by length in buckets
 *	(1, 2, ..., 7, 8+); chains of length 0 (unused arrays) not counted.
 */
struct hmap_core_stats {
	unsigned long count;
	u8 B;
	unsigned long buckets;
	unsigned long overflow;
	unsigned long old_buckets;
	unsigned long nevacuate;
	bool same_size;
	bool shrinking;
	u8 hash_kind;
	u64 bytes;
	unsigned long chain_hist[HMAP_CHAIN_HIST_LEN];
};

int hmap_core_init(struct hmap_core *h, const struct hmap_core_params *p,
		   gfp_t gfp);
void hmap_core_destroy(struct hmap_core *h);

void *hmap_core_lookup(const struct hmap_core *h, const void *key);
int hmap_core_update(struct hmap_core *h, const void *key, const void *value,
		     u64 flags, gfp_t gfp);
int hmap_core_delete(struct hmap_core *h, const void *key, void *value_out,
		     gfp_t gfp);
void hmap_core_clear(struct hmap_core *h, gfp_t gfp);

/* The same with the key's hmap_core_hash() given, for batches. */
void hmap_core_prefetch(const struct hmap_core *h, u64 hash);
void *hmap_core_lookup_hashed(const struct hmap_core *h, const void *key,
			      u64 hash);
int hmap_core_update_hashed(struct hmap_core *h, const void *key, u64 hash,
			    const void *value, u64 flags, gfp_t gfp);
int hmap_core_delete_hashed(struct hmap_core *h, const void *key, u64 hash,
			    void *value_out, gfp_t gfp);

void hmap_core_iter_start(struct hmap_core *h, struct hmap_core_iter *it);
bool hmap_core_iter_next(struct hmap_core_iter *it, const void **key,
			 void **value);
void hmap_core_iter_end(struct hmap_core_iter *it);

void hmap_core_stats(const struct hmap_core *h, struct hmap_core_stats *st);
void hmap_core_stats_head(const struct hmap_core *h,
			  struct hmap_core_stats *st);
unsigned long hmap_core_stats_chains(const struct hmap_core *h,
				     struct hmap_core_stats *st,
				     unsigned long from, unsigned long n);
int hmap_core_validate(const struct hmap_core *h, const char **why);

/* Growth work without a write, for callers whose writes stopped. */
int hmap_core_grow_step(struct hmap_core *h, unsigned int max, gfp_t gfp);

/* Memory for callers that allocate outside their lock. */
int hmap_core_next_grow_B(const struct hmap_core *h);
int hmap_core_want_B(const struct hmap_core *h);
bool hmap_core_reserve_ahead(const struct hmap_core *h);
void hmap_core_drop_reserve(struct hmap_core *h);
int hmap_core_next_shrink_B(const struct hmap_core *h);
int hmap_core_shrink_start(struct hmap_core *h, gfp_t gfp);
int hmap_core_grow_start(struct hmap_core *h, gfp_t gfp);
struct hmap_gen *hmap_core_gen_alloc(const struct hmap_core *h, u8 B,
				     gfp_t gfp);
void *hmap_core_ovf_alloc(const struct hmap_core *h, gfp_t gfp);
void hmap_core_donate(struct hmap_core *h, struct hmap_gen *gen, void **ovf,
		      unsigned int n);
void *hmap_core_obj_alloc(const struct hmap_core *h, enum hmap_obj_kind kind,
			  gfp_t gfp);
void hmap_core_donate_obj(struct hmap_core *h, enum hmap_obj_kind kind,
			  void *obj);

/* Exposed for the KUnit suites and native tests. */
u8 hmap_core_tophash(u64 hash);
u8 hmap_core_hint_to_B(unsigned long hint);
bool hmap_core_over_load(unsigned long count, u8 B);
u64 hmap_core_hash(const struct hmap_core *h, const void *key);
u64 hmap_core_gen_hash(const struct hmap_core *h, const struct hmap_gen *gen,
		       const void *key);
bool hmap_core_growing(const struct hmap_core *h);
void *hmap_core_zalloc(size_t size, gfp_t gfp);

#endif /* _HMAP_CORE_H */
