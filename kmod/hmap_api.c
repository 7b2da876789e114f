// SPDX-License-Identifier: GPL-2.0
/*
 * hmap: locking, lockless lookups and the exported in-kernel API around the
 * pure core in hmap_core.c. See include/linux/hmap.h for the contract.
 *
 * Each shard pairs the core with a spinlock that serializes writers and a
 * sequence count that lookups use to detect them. The core frees bucket
 * arrays (after a grace period, by a work item) and out-of-line objects
 * (kvfree_rcu()) only once lockless readers are done with them, so a
 * lookup that raced with a writer reads stale but valid memory, notices the
 * sequence change and retries.
 *
 * The core allocates with GFP_NOWAIT under the lock. When that fails for a
 * caller that may sleep, shard_refill() allocates what the next growth needs
 * outside the lock and donates it to the core before the retry.
 *
 * Growth is incremental: each write moves one or two old buckets. When
 * writes stop mid-growth, a delayed work item (hmap_tidy()) finishes the
 * evacuation in short locked steps, so the old array is released.
 *
 * No write pays for a large bucket array either: the core leaves it to
 * this layer (hmap_core_params.defer_arrays) and goes on inserting above
 * its load; the write that saw that queues hmap_tidy() at once, which
 * allocates the array where it may sleep, donates it and starts the
 * growth. Writes allocate it themselves only if the map reaches twice its
 * growth threshold first.
 */
#include <linux/hmap.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/prefetch.h>
#include <linux/sched/mm.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "hmap_internal.h"
#include "hmap_core.h"
#include "hmap_api.h"
#include "hmap_lookup.h"

#define CREATE_TRACE_POINTS
#include "hmap_trace.h"

/*
 * 64-bit only: the core computes bucket-array sizes (up to 2^26 buckets of
 * up to about 2 KiB) in size_t without overflow checks, which a large size
 * hint would wrap on a 32-bit kernel.
 */
#if BITS_PER_LONG != 64
#error "hmap needs a 64-bit kernel"
#endif

/* Buckets an iterator step may scan per lock hold (bottom halves off). */
#define HMAP_ITER_BUCKETS_PER_LOCK	1024

/* Donation rounds a sleeping writer may need: growth, then evacuations. */
#define HMAP_REFILL_ROUNDS	4
#define HMAP_REFILL_OVERFLOW	4

/*
 * hmap_tidy() allocates ahead of need: failing is harmless (writes then
 * allocate themselves), so it gives up after one reclaim pass and never
 * wakes the OOM killer, which would kill a process of the map's memcg for
 * memory the work item charges.
 */
#define HMAP_TIDY_GFP	(GFP_KERNEL | __GFP_NORETRY)

/* A growth with no write for this long is finished by hmap_tidy()... */
#define HMAP_TIDY_IDLE		msecs_to_jiffies(100)
/* ...which moves this many old buckets per lock hold. */
#define HMAP_TIDY_STEP		64

/**
 * struct hmap_shard - one independently locked map.
 * @lock: serializes writers and iterator steps.
 * @seq: bumped around every write, for lockless lookups.
 * @last_write: jiffies of the last write that left a growth in progress.
 * @asked: hmap_tidy() was queued to allocate the array @core wants.
 * @ahead_count: @core's count when hmap_tidy() last saw it holding an
 *	array given ahead of need (ULONG_MAX: not seen yet).
 * @ahead_since: jiffies since which @ahead_count has not changed.
 * @core: the map.
 */
struct hmap_shard {
	spinlock_t lock;	/* writers and iterator steps */
	seqcount_spinlock_t seq;
	unsigned long last_write;
	bool asked;
	unsigned long ahead_count;
	unsigned long ahead_since;
	struct hmap_core core;
} ____cacheline_aligned_in_smp;

/**
 * struct hmap - a map: one shard, or 2^shard_bits of them.
 * @id: unique id, reported in tracepoints.
 * @flags: HMAP_F_* from creation.
 * @shard_bits: log2 of @nshards.
 * @nshards: number of shards.
 * @key_size: bytes per key.
 * @value_size: bytes per value.
 * @hashfn: caller's hash, also used to pick shards; NULL for the
 *	built-in ones.
 * @seed: seed of the hash that picks a sharded map's shards (mixhash, or
 *	@hashfn), which the shards keep using (hmap_core_params.seed) until
 *	a same-size growth gives one its own: one hash per key.
 * @max_entries: a sharded map's limit, 0 for none (an unsharded map's
 *	core enforces its own).
 * @count: entries of a sharded map with @max_entries, counted here so the
 *	limit holds for the map, not per shard.
 * @tidy: finishes growths that writes stopped feeding.
 * @memcg: with HMAP_F_ACCOUNT, the creator's memcg, charged for what
 *	@tidy allocates (a kworker has none of its own); else NULL.
 * @shards: the shards.
 */
struct hmap {
	u32 id;
	u32 flags;
	u32 shard_bits;
	u32 nshards;
	u32 key_size;
	u32 value_size;
	hmap_hash_fn hashfn;
	u64 seed;
	unsigned long max_entries;
	atomic_long_t count;
	struct delayed_work tidy;
	struct mem_cgroup *memcg;
	struct hmap_shard shards[];
};

/*
 * Map ids are never reused while the module is loaded: once 2^32 maps have
 * been created, creation fails. VISIBLE_IF_KUNIT: a test starts it near
 * the end.
 */
VISIBLE_IF_KUNIT atomic64_t hmap_next_id = ATOMIC64_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(hmap_next_id);

#if IS_ENABLED(CONFIG_KUNIT)
struct hmap_core *hmap_shard_core(struct hmap *m, u32 i)
{
	return &m->shards[i].core;
}
EXPORT_SYMBOL_IF_KUNIT(hmap_shard_core);

void hmap_shard_lock(struct hmap *m, u32 i)
	__acquires(&m->shards[i].lock)
{
	spin_lock_bh(&m->shards[i].lock);
	write_seqcount_begin(&m->shards[i].seq);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_shard_lock);

void hmap_shard_unlock(struct hmap *m, u32 i)
	__releases(&m->shards[i].lock)
{
	write_seqcount_end(&m->shards[i].seq);
	spin_unlock_bh(&m->shards[i].lock);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_shard_unlock);

unsigned int hmap_shard_seq(struct hmap *m, u32 i)
{
	return raw_read_seqcount(&m->shards[i].seq);
}
EXPORT_SYMBOL_IF_KUNIT(hmap_shard_seq);
#endif

/* A shard index is bits 48..55 of the key's hash (HMAP_SHARD_BITS_MAX 8). */
#define HMAP_SHARD_SHIFT	48
static_assert(HMAP_SHARD_SHIFT + HMAP_SHARD_BITS_MAX <= 56);
static_assert(HMAP_SHARD_SHIFT >= HMAP_B_MAX);

/*
 * A sharded map's shard for @key, from bits 48..55 of its hash under the
 * map's seed (below the tophash, above any bucket index); *@mhash gets
 * that hash for shard_hash().
 */
static __always_inline struct hmap_shard *
key_shard(struct hmap *m, const void *key, u64 *mhash)
{
	u64 h;

	*mhash = 0;
	if (m->nshards == 1)
		return &m->shards[0];
	if (m->hashfn)
		h = m->hashfn(key, m->key_size, m->seed);
	else
		h = mixhash(key, m->key_size, m->seed);
	*mhash = h;
	return &m->shards[(h >> HMAP_SHARD_SHIFT) & (m->nshards - 1)];
}

/*
 * @key's hash in shard @s, given what key_shard() computed: the same while
 * the shard hashes with the map's seed. Under the shard's lock, or inside
 * a read section of its sequence count.
 */
static __always_inline u64 shard_hash(struct hmap *m, struct hmap_shard *s,
				      const void *key, u64 mhash)
{
	if (m->nshards > 1 && hmap_core_seeded(&s->core, m->seed))
		return mhash;
	return hash_key(&s->core, key, m->key_size);
}

/* Flags for allocations under the lock: never sleep, keep accounting. */
static gfp_t locked_gfp(const struct hmap *m, gfp_t gfp)
{
	gfp_t acct = (m->flags & HMAP_F_ACCOUNT) ? __GFP_ACCOUNT : 0;

	return GFP_NOWAIT | __GFP_NOWARN | acct | (gfp & __GFP_ACCOUNT);
}

static gfp_t caller_gfp(const struct hmap *m, gfp_t gfp)
{
	return gfp | __GFP_NOWARN |
	       ((m->flags & HMAP_F_ACCOUNT) ? __GFP_ACCOUNT : 0);
}

/* ---- writes ---- */

static void shard_write_begin(struct hmap_shard *s)
	__acquires(&s->lock)
{
	spin_lock_bh(&s->lock);
	write_seqcount_begin(&s->seq);
}

/*
 * A write left a growth in progress: make sure it will be finished. Out of
 * line, so writes that leave none pay one test and no register pressure.
 */
static noinline void shard_tidy_later(struct hmap *m, struct hmap_shard *s)
	__must_hold(&s->lock)
{
	WRITE_ONCE(s->last_write, jiffies);
	if (!delayed_work_pending(&m->tidy))
		queue_delayed_work(system_unbound_wq, &m->tidy, HMAP_TIDY_IDLE);
}

static void __shard_write_end(struct hmap_shard *s)
	__releases(&s->lock)
{
	write_seqcount_end(&s->seq);
	spin_unlock_bh(&s->lock);
}

/* The core left the array of a due growth to us: allocate it now. */
static noinline void shard_want_array(struct hmap *m, struct hmap_shard *s)
	__must_hold(&s->lock)
{
	s->asked = true;
	mod_delayed_work(system_unbound_wq, &m->tidy, 0);
}

/* What a write may leave for hmap_tidy(): one test when there is none. */
static void shard_write_tail(struct hmap *m, struct hmap_shard *s)
	__must_hold(&s->lock)
{
	if (unlikely(s->core.flags & HMAP_CORE_F_WANT_ARRAY) && !s->asked)
		shard_want_array(m, s);
	else if (unlikely(s->core.oldbuckets))
		shard_tidy_later(m, s);
}

static void shard_write_end(struct hmap *m, struct hmap_shard *s)
	__releases(&s->lock)
{
	shard_write_tail(m, s);
	__shard_write_end(s);
}

/*
 * Allocate, with the caller's flags and outside the lock, what the core
 * may have run out of: the array for a pending growth, a few overflow
 * buckets and out-of-line storage for one key and value.
 */
static int shard_refill(struct hmap *m, struct hmap_shard *s, gfp_t gfp)
{
	void *ovf[HMAP_REFILL_OVERFLOW], *obj[2] = { NULL, NULL };
	struct hmap_gen *gen = NULL;
	unsigned int n, k;
	int B;

	spin_lock_bh(&s->lock);
	B = hmap_core_next_grow_B(&s->core);
	/* An array the core left to hmap_tidy() is not the writer's to pay for. */
	if (s->core.flags & HMAP_CORE_F_WANT_ARRAY)
		B = -1;
	spin_unlock_bh(&s->lock);

	if (B >= 0) {
		gen = hmap_core_gen_alloc(&s->core, B, caller_gfp(m, gfp));
		if (!gen)
			return -ENOMEM;
	}
	for (n = 0; n < HMAP_REFILL_OVERFLOW; n++) {
		ovf[n] = hmap_core_ovf_alloc(&s->core, caller_gfp(m, gfp));
		if (!ovf[n])
			break;
	}
	/* Out-of-line storage for the new entry (large keys or values). */
	if (s->core.indirect_key)
		obj[HMAP_OBJ_KEY] = hmap_core_obj_alloc(&s->core, HMAP_OBJ_KEY,
							caller_gfp(m, gfp));
	if (s->core.indirect_value)
		obj[HMAP_OBJ_VALUE] = hmap_core_obj_alloc(&s->core, HMAP_OBJ_VALUE,
							  caller_gfp(m, gfp));
	spin_lock_bh(&s->lock);
	hmap_core_donate(&s->core, gen, ovf, n);
	for (k = 0; k < ARRAY_SIZE(obj); k++)
		if (obj[k])
			hmap_core_donate_obj(&s->core, k, obj[k]);
	spin_unlock_bh(&s->lock);
	return gen || n ? 0 : -ENOMEM;
}

/*
 * Start the shrink a shard is due for when its deletes could not allocate
 * the array inside the lock: allocate it here, where we may sleep.
 */
static void shard_shrink_start(struct hmap *m, struct hmap_shard *s)
{
	struct hmap_gen *gen;
	int B;

	spin_lock_bh(&s->lock);
	B = hmap_core_next_shrink_B(&s->core);
	spin_unlock_bh(&s->lock);
	if (B < 0)
		return;
	gen = hmap_core_gen_alloc(&s->core, B, caller_gfp(m, HMAP_TIDY_GFP));
	if (!gen)
		return;
	shard_write_begin(s);
	hmap_core_donate(&s->core, gen, NULL, 0);
	hmap_core_shrink_start(&s->core, locked_gfp(m, 0));
	/* Not a write: the steps below need not wait for the shard to idle. */
	__shard_write_end(s);
}

/*
 * Allocate the array of the growth a write left to us or asked for ahead of
 * need (see hmap_core_params.defer_arrays), donate it and start the growth
 * if it is due.
 * Return: false if it could not be allocated.
 */
static bool shard_grow_ahead(struct hmap *m, struct hmap_shard *s)
{
	struct hmap_gen *gen;
	int B;

	/*
	 * In a write section: with no want (or one deletes made stale), the
	 * growth a map exactly at its threshold is due for starts here, and
	 * lockless readers must see the arrays change.
	 */
	shard_write_begin(s);
	B = s->core.flags & HMAP_CORE_F_WANT_ARRAY ?
	    hmap_core_want_B(&s->core) : -1;
	if (B < 0) {
		/* Deletes made it no longer due: drop the want, or writes ask on. */
		hmap_core_grow_start(&s->core, locked_gfp(m, 0));
		s->asked = false;
	}
	__shard_write_end(s);
	if (B < 0)
		return true;
	gen = hmap_core_gen_alloc(&s->core, B, caller_gfp(m, HMAP_TIDY_GFP));
	/*
	 * Failed: @asked stays set, so writes do not requeue us at once; the
	 * caller retries in a second (and writes allocate at twice the load).
	 */
	if (!gen)
		return false;
	shard_write_begin(s);
	hmap_core_donate(&s->core, gen, NULL, 0);
	/*
	 * Never allocates with the array donated: it only checks it fits.
	 * Ahead of need, it starts nothing and the array waits in the core.
	 */
	hmap_core_grow_start(&s->core, locked_gfp(m, 0));
	s->asked = false;
	s->ahead_count = ULONG_MAX;
	/* Not a write: the growth need not wait for the shard to idle. */
	__shard_write_end(s);
	return true;
}

/*
 * An array given ahead of a doubling that writes stopped short of: free it
 * once the shard's count has not changed for HMAP_TIDY_IDLE (watched from
 * here, so that writes pay nothing for it). Return: jiffies until the
 * shard is to be looked at again, 0 if never.
 */
static unsigned long shard_trim_reserve(struct hmap_shard *s)
{
	unsigned long now = jiffies, wait = 0;

	spin_lock_bh(&s->lock);
	if (hmap_core_reserve_ahead(&s->core)) {
		if (s->core.count != s->ahead_count) {
			s->ahead_count = s->core.count;
			s->ahead_since = now;
			wait = HMAP_TIDY_IDLE;
		} else if (time_before(now, s->ahead_since + HMAP_TIDY_IDLE)) {
			wait = s->ahead_since + HMAP_TIDY_IDLE - now;
		} else {
			hmap_core_drop_reserve(&s->core);
		}
	}
	spin_unlock_bh(&s->lock);
	return wait;
}

static bool shard_shrink_due(struct hmap_shard *s)
{
	bool due;

	spin_lock_bh(&s->lock);
	due = hmap_core_next_shrink_B(&s->core) >= 0;
	spin_unlock_bh(&s->lock);
	return due;
}

/*
 * Start the shrinks shards are due for, and finish the growth or shrink
 * of every shard that has had no write for HMAP_TIDY_IDLE, HMAP_TIDY_STEP
 * old buckets per lock hold; look again later at shards still being
 * written, short of memory, or due for a further shrink.
 */
static void hmap_tidy(struct work_struct *work)
{
	struct hmap *m = container_of(to_delayed_work(work), struct hmap, tidy);
	unsigned long again = 0, due, now;
	struct mem_cgroup *old_memcg;
	struct hmap_shard *s;
	int err;
	u32 i;

	old_memcg = set_active_memcg(m->memcg);
	for (i = 0; i < m->nshards; i++) {
		s = &m->shards[i];
		if (!shard_grow_ahead(m, s))
			again = max_t(unsigned long, again, HZ);
		again = max(again, shard_trim_reserve(s));
		shard_shrink_start(m, s);
		do {
			spin_lock_bh(&s->lock);
			if (!s->core.oldbuckets) {
				spin_unlock_bh(&s->lock);
				break;
			}
			due = READ_ONCE(s->last_write) + HMAP_TIDY_IDLE;
			now = jiffies;
			if (time_before(now, due)) {
				spin_unlock_bh(&s->lock);
				/* At least 1: a wait of 0 would not requeue. */
				again = max(again, due - now);
				break;
			}
			write_seqcount_begin(&s->seq);
			err = hmap_core_grow_step(&s->core, HMAP_TIDY_STEP,
						  locked_gfp(m, GFP_KERNEL));
			__shard_write_end(s);
			if (err == -ENOMEM && shard_refill(m, s, HMAP_TIDY_GFP)) {
				again = max_t(unsigned long, again, HZ);
				break;
			}
			cond_resched();
		} while (err);
		/* Deletes left it far below even the halved array's load. */
		if (shard_shrink_due(s))
			again = max(again, HMAP_TIDY_IDLE);
	}
	set_active_memcg(old_memcg);
	if (again)
		queue_delayed_work(system_unbound_wq, &m->tidy, again);
}

/*
 * A sharded map with a limit takes a place in @m->count before a new key
 * goes into its shard, and gives it back if the insert fails: the limit
 * holds exactly for the whole map, whichever shards the keys fall into.
 */
static int shard_update_locked(struct hmap *m, struct hmap_shard *s,
			       const void *key, u64 hash, const void *value,
			       u64 flags, gfp_t gfp)
	__must_hold(&s->lock)
{
	bool place = m->max_entries &&
		     (flags == HMAP_UPDATE_ANY || flags == HMAP_UPDATE_NOEXIST) &&
		     !hmap_core_lookup_hashed(&s->core, key, hash);
	int err;

	if (place && atomic_long_inc_return(&m->count) > m->max_entries) {
		atomic_long_dec(&m->count);
		return -E2BIG;
	}
	err = hmap_core_update_hashed(&s->core, key, hash, value, flags,
				      locked_gfp(m, gfp));
	if (err && place)
		atomic_long_dec(&m->count);
	return err;
}

static int shard_update(struct hmap *m, struct hmap_shard *s, const void *key,
			u64 mhash, const void *value, u64 flags, gfp_t gfp)
{
	unsigned int round;
	int err;

	if (flags > HMAP_UPDATE_EXIST)
		return -EINVAL;
	for (round = 0;; round++) {
		shard_write_begin(s);
		err = shard_update_locked(m, s, key,
					  shard_hash(m, s, key, mhash), value,
					  flags, gfp);
		shard_write_end(m, s);
		if (err != -ENOMEM || round == HMAP_REFILL_ROUNDS ||
		    !gfpflags_allow_blocking(gfp))
			return err;
		err = shard_refill(m, s, gfp);
		if (err)
			return err;
	}
}

int hmap_update(struct hmap *m, const void *key, const void *value,
		u64 flags, gfp_t gfp)
{
	struct hmap_shard *s;
	u64 mhash;

	might_sleep_if(gfpflags_allow_blocking(gfp));
	s = key_shard(m, key, &mhash);
	return shard_update(m, s, key, mhash, value, flags, gfp);
}
EXPORT_SYMBOL_NS_GPL(hmap_update, HMAP_NS);

static int shard_delete_locked(struct hmap *m, struct hmap_shard *s,
			       const void *key, u64 hash, void *value)
	__must_hold(&s->lock)
{
	int err;

	err = hmap_core_delete_hashed(&s->core, key, hash, value,
				      locked_gfp(m, 0));
	if (!err && m->max_entries)
		atomic_long_dec(&m->count);
	return err;
}

/* After deletes: end the write, and start a shrink they could not. */
static void shard_delete_end(struct hmap *m, struct hmap_shard *s)
	__releases(&s->lock)
{
	/* Due for a shrink whose array could not be had inside the lock. */
	bool due = hmap_core_next_shrink_B(&s->core) >= 0;

	shard_write_end(m, s);
	if (unlikely(due) && !delayed_work_pending(&m->tidy))
		queue_delayed_work(system_unbound_wq, &m->tidy, 0);
}

static int shard_delete(struct hmap *m, const void *key, void *value)
{
	struct hmap_shard *s;
	int err = -ENOENT;
	u64 mhash;

	s = key_shard(m, key, &mhash);
	shard_write_begin(s);
	if (s->core.count)
		err = shard_delete_locked(m, s, key,
					  shard_hash(m, s, key, mhash), value);
	shard_delete_end(m, s);
	return err;
}

int hmap_delete(struct hmap *m, const void *key)
{
	return shard_delete(m, key, NULL);
}
EXPORT_SYMBOL_NS_GPL(hmap_delete, HMAP_NS);

int hmap_lookup_and_delete(struct hmap *m, const void *key, void *value)
{
	return shard_delete(m, key, value);
}
EXPORT_SYMBOL_NS_GPL(hmap_lookup_and_delete, HMAP_NS);

void hmap_clear(struct hmap *m, gfp_t gfp)
{
	struct hmap_gen *gen;
	struct hmap_shard *s;
	u32 i;

	might_sleep_if(gfpflags_allow_blocking(gfp));
	for (i = 0; i < m->nshards; i++) {
		s = &m->shards[i];
		/* The hint's array, where the caller may sleep (min_B is fixed). */
		gen = NULL;
		if (s->core.min_B && gfpflags_allow_blocking(gfp))
			gen = hmap_core_gen_alloc(&s->core, s->core.min_B,
						  caller_gfp(m, gfp));
		shard_write_begin(s);
		if (gen)
			hmap_core_donate(&s->core, gen, NULL, 0);
		if (m->max_entries)
			atomic_long_sub(s->core.count, &m->count);
		hmap_core_clear(&s->core, locked_gfp(m, gfp));
		shard_write_end(m, s);
	}
}
EXPORT_SYMBOL_NS_GPL(hmap_clear, HMAP_NS);

/* ---- lockless reads ---- */

static __always_inline void *
shard_lookup_copy(struct hmap *m, struct hmap_shard *s, const void *key,
		  u64 mhash, void *value)
{
	void *v;

	/* The core's probe, inlined: 4- and 8-byte keys make no call into the core. */
	if (m->nshards == 1)
		v = hmap_lookup_inline(&s->core, key);
	else
		v = lookup_hashed_inline(&s->core, key,
					 shard_hash(m, s, key, mhash));
	if (v && value)
		slot_copy(value, v, m->value_size);
	return v;
}

/*
 * Lookups try without the lock this many times; a shard that writers keep
 * busy for longer than that is then read under its lock (the pattern of
 * read_seqbegin_or_lock()), so a reader finishes in bounded time however
 * long the stream of writes lasts.
 */
#define HMAP_LOOKUP_TRIES	3

/* The last resort of shard_lookup(), out of line: under the shard's lock. */
static noinline bool shard_lookup_locked(struct hmap *m, struct hmap_shard *s,
					 const void *key, u64 mhash,
					 void *value)
{
	void *v;

	spin_lock_bh(&s->lock);
	v = shard_lookup_copy(m, s, key, mhash, value);
	spin_unlock_bh(&s->lock);
	return v;
}

/*
 * hmap_lookup() in shard @s, under rcu_read_lock(): is @key present?
 * Inlined with the probe into hmap_lookup(), which then makes no call on
 * its way to a result for a 4- or 8-byte key on the fast hash.
 */
static __always_inline bool shard_lookup(struct hmap *m, struct hmap_shard *s,
					 const void *key, u64 mhash,
					 void *value)
{
	unsigned int seq, tries;
	void *v;

	for (tries = 0; tries < HMAP_LOOKUP_TRIES; tries++) {
		/* Not read_seqcount_begin(): it would spin while a write runs. */
		seq = raw_read_seqcount(&s->seq);
		if (seq & 1) {
			cpu_relax();
			continue;
		}
		v = shard_lookup_copy(m, s, key, mhash, value);
		if (!read_seqcount_retry(&s->seq, seq))
			return v;
	}
	return shard_lookup_locked(m, s, key, mhash, value);
}

int hmap_lookup(struct hmap *m, const void *key, void *value)
{
	struct hmap_shard *s;
	bool found;
	u64 mhash;

	s = key_shard(m, key, &mhash);
	rcu_read_lock();
	found = shard_lookup(m, s, key, mhash, value);
	rcu_read_unlock();
	return found ? 0 : -ENOENT;
}
EXPORT_SYMBOL_NS_GPL(hmap_lookup, HMAP_NS);

/* ---- batches ---- */

/* Keys a batch hashes and prefetches before it probes any of them. */
#define HMAP_BATCH_CHUNK	16

/**
 * struct batch_key - a key of a batch chunk, hashed ahead.
 * @s: its shard.
 * @mhash: its hash under the map's seed, from key_shard().
 * @hash: its hash, if @valid.
 * @seq: @s->seq when it was hashed.
 * @seed_gen: the shard's seed generation it was hashed with.
 * @valid: no write overlapped the hashing: @hash matches @seed_gen.
 */
struct batch_key {
	struct hmap_shard *s;
	u64 mhash;
	u64 hash;
	unsigned int seq;
	u32 seed_gen;
	bool valid;
};

/*
 * Under rcu_read_lock(): hash @n keys without locks and prefetch their
 * buckets, so that the cache misses of the chunk overlap. A hash read
 * while a write ran may be torn and is only marked invalid.
 */
static void batch_hash(struct hmap *m, const u8 *keys, u32 n,
		       struct batch_key *bk)
{
	struct hmap_core *h;
	u32 i;

	for (i = 0; i < n; i++, keys += m->key_size) {
		bk[i].s = key_shard(m, keys, &bk[i].mhash);
		h = &bk[i].s->core;
		bk[i].seq = raw_read_seqcount(&bk[i].s->seq);
		bk[i].seed_gen = READ_ONCE(h->seed_gen);
		bk[i].hash = shard_hash(m, bk[i].s, keys, bk[i].mhash);
		bk[i].valid = !(bk[i].seq & 1) &&
			      !read_seqcount_retry(&bk[i].s->seq, bk[i].seq);
		if (bk[i].valid)
			prefetch_hashed_inline(h, bk[i].hash);
	}
}

/* Under the shard lock: the hash of @key, from @bk if still valid. */
static u64 batch_key_hash(const struct batch_key *bk, const void *key)
	__must_hold(&bk->s->lock)
{
	const struct hmap_core *h = &bk->s->core;

	if (bk->valid && bk->seed_gen == h->seed_gen)
		return bk->hash;
	return hmap_core_hash(h, key);
}

int hmap_lookup_batch(struct hmap *m, const void *keys, void *values,
		      u32 *count)
{
	u32 ks = m->key_size, vs = values ? m->value_size : 0;
	struct batch_key bk[HMAP_BATCH_CHUNK];
	void *v[HMAP_BATCH_CHUNK];
	u32 n = *count, done, c, i;
	const u8 *key;
	bool found;

	for (done = 0; done < n; done += c) {
		c = min_t(u32, n - done, HMAP_BATCH_CHUNK);
		key = (const u8 *)keys + (size_t)done * ks;
		rcu_read_lock();
		batch_hash(m, key, c, bk);
		for (i = 0; i < c; i++) {
			v[i] = NULL;
			if (bk[i].valid)
				v[i] = lookup_hashed_inline(&bk[i].s->core,
							    key + i * ks,
							    bk[i].hash);
			if (v[i] && vs)
				prefetch(v[i]);
		}
		for (i = 0; i < c; i++) {
			void *out = vs ? (u8 *)values + (size_t)(done + i) * vs
				       : NULL;

			found = v[i];
			if (found && out)
				slot_copy(out, v[i], vs);
			/* A write got in the way: this key alone, as hmap_lookup(). */
			if (!bk[i].valid ||
			    read_seqcount_retry(&bk[i].s->seq, bk[i].seq))
				found = shard_lookup(m, bk[i].s, key + i * ks,
						     bk[i].mhash, out);
			if (!found) {
				rcu_read_unlock();
				*count = done + i;
				return -ENOENT;
			}
		}
		rcu_read_unlock();
	}
	*count = n;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(hmap_lookup_batch, HMAP_NS);

/*
 * Store entries @i.. of a chunk in one hold of their shard's lock, while
 * their keys fall in that shard. Stops at the first failure, in *@err.
 * Return: the index of the first entry not stored.
 */
static u32 update_run(struct hmap *m, const struct batch_key *bk,
		      const u8 *keys, const u8 *values, u32 i, u32 c,
		      u64 flags, gfp_t gfp, int *err)
{
	struct hmap_shard *s = bk[i].s;
	const u8 *key;

	shard_write_begin(s);
	for (; i < c && bk[i].s == s; i++) {
		key = keys + (size_t)i * m->key_size;
		*err = shard_update_locked(m, s, key, batch_key_hash(&bk[i], key),
					   values + (size_t)i * m->value_size,
					   flags, gfp);
		if (*err)
			break;
	}
	shard_write_end(m, s);
	return i;
}

int hmap_update_batch(struct hmap *m, const void *keys, const void *values,
		      u32 *count, u64 flags, gfp_t gfp)
{
	u32 ks = m->key_size, vs = m->value_size, n = *count, done, c, i;
	struct batch_key bk[HMAP_BATCH_CHUNK];
	const u8 *key, *val;
	int err = 0;

	might_sleep_if(gfpflags_allow_blocking(gfp));
	if (flags > HMAP_UPDATE_EXIST) {
		*count = 0;
		return -EINVAL;
	}
	for (done = 0; done < n; done += c) {
		c = min_t(u32, n - done, HMAP_BATCH_CHUNK);
		key = (const u8 *)keys + (size_t)done * ks;
		val = (const u8 *)values + (size_t)done * vs;
		rcu_read_lock();
		batch_hash(m, key, c, bk);
		rcu_read_unlock();
		for (i = 0; i < c && !err;) {
			i = update_run(m, bk, key, val, i, c, flags, gfp, &err);
			/* Allocate outside the lock, as hmap_update() does. */
			if (err == -ENOMEM && gfpflags_allow_blocking(gfp)) {
				err = shard_update(m, bk[i].s, key + (size_t)i * ks,
						   bk[i].mhash,
						   val + (size_t)i * vs, flags,
						   gfp);
				i += !err;
			}
		}
		if (err) {
			*count = done + i;
			return err;
		}
		if (gfpflags_allow_blocking(gfp))
			cond_resched();
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(hmap_update_batch, HMAP_NS);

/* As update_run(), deleting. */
static u32 delete_run(struct hmap *m, const struct batch_key *bk,
		      const u8 *keys, u32 i, u32 c, int *err)
{
	struct hmap_shard *s = bk[i].s;
	const u8 *key;

	shard_write_begin(s);
	for (; i < c && bk[i].s == s; i++) {
		key = keys + (size_t)i * m->key_size;
		/* An emptied map has a new seed, and nothing to find. */
		*err = -ENOENT;
		if (s->core.count)
			*err = shard_delete_locked(m, s, key,
						   batch_key_hash(&bk[i], key),
						   NULL);
		if (*err)
			break;
	}
	shard_delete_end(m, s);
	return i;
}

int hmap_delete_batch(struct hmap *m, const void *keys, u32 *count)
{
	u32 ks = m->key_size, n = *count, done, c, i;
	struct batch_key bk[HMAP_BATCH_CHUNK];
	const u8 *key;
	int err = 0;

	for (done = 0; done < n; done += c) {
		c = min_t(u32, n - done, HMAP_BATCH_CHUNK);
		key = (const u8 *)keys + (size_t)done * ks;
		rcu_read_lock();
		batch_hash(m, key, c, bk);
		rcu_read_unlock();
		for (i = 0; i < c && !err;)
			i = delete_run(m, bk, key, i, c, &err);
		if (err) {
			*count = done + i;
			return err;
		}
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(hmap_delete_batch, HMAP_NS);

unsigned long hmap_len(struct hmap *m)
{
	unsigned long n = 0;
	u32 i;

	for (i = 0; i < m->nshards; i++)
		n += READ_ONCE(m->shards[i].core.count);
	return n;
}
EXPORT_SYMBOL_NS_GPL(hmap_len, HMAP_NS);

u32 hmap_id(const struct hmap *m)
{
	return m->id;
}
EXPORT_SYMBOL_NS_GPL(hmap_id, HMAP_NS);

/* Buckets hmap_get_stats() walks per lock hold. */
#define HMAP_STATS_BUCKETS_PER_LOCK	1024

/*
 * A shard's shape: the counters under the lock, then the chains in steps
 * of HMAP_STATS_BUCKETS_PER_LOCK buckets with the lock dropped (and the
 * CPU offered) in between, so no call walks a whole map with bottom halves
 * off. Writes between steps can blur the chain histogram; if the array
 * itself changes, the walk starts over, twice at most.
 */
static void shard_stats(struct hmap_shard *s, struct hmap_core_stats *cs,
			u64 *growths, u64 *shrinks)
{
	struct hmap_core_stats chains;
	unsigned int restarts = 0;
	const struct hmap_gen *gen;
	unsigned long next = 0;

	spin_lock_bh(&s->lock);
	hmap_core_stats_head(&s->core, cs);
	*growths = s->core.growths;
	*shrinks = s->core.shrinks;
	gen = s->core.buckets;
	memset(&chains, 0, sizeof(chains));
	for (;;) {
		if (s->core.buckets != gen && restarts++ < 2) {
			gen = s->core.buckets;
			memset(&chains, 0, sizeof(chains));
			next = 0;
		}
		next = hmap_core_stats_chains(&s->core, &chains, next,
					      HMAP_STATS_BUCKETS_PER_LOCK);
		spin_unlock_bh(&s->lock);
		if (!next)
			break;
		cond_resched();
		spin_lock_bh(&s->lock);
	}
	cs->overflow = chains.overflow;
	memcpy(cs->chain_hist, chains.chain_hist, sizeof(cs->chain_hist));
}

void hmap_get_stats(struct hmap *m, struct hmap_stats *st)
{
	struct hmap_core_stats cs;
	u64 growths, shrinks;
	u32 i, j;

	might_sleep();
	memset(st, 0, sizeof(*st));
	st->shards = m->nshards;
	for (i = 0; i < m->nshards; i++) {
		shard_stats(&m->shards[i], &cs, &growths, &shrinks);
		st->growths += growths;
		st->shrinks += shrinks;
		st->count += cs.count;
		st->B = max_t(u32, st->B, cs.B);
		st->buckets += cs.buckets;
		st->overflow += cs.overflow;
		st->old_buckets += cs.old_buckets;
		st->nevacuate += cs.nevacuate;
		st->growing |= cs.old_buckets != 0;
		st->same_size |= cs.same_size;
		st->shrinking |= cs.shrinking;
		st->flooded += cs.hash_kind == HMAP_HASH_SIP;
		st->bytes += cs.bytes;
		for (j = 0; j < ARRAY_SIZE(st->chain_hist); j++)
			st->chain_hist[j] += cs.chain_hist[j];
	}
}
EXPORT_SYMBOL_NS_GPL(hmap_get_stats, HMAP_NS);

/* ---- iteration ---- */

/* Start walking shard @it->shard, or finish if none is left. */
static void iter_open_shard(struct hmap_iter *it)
{
	struct hmap_shard *s = &it->m->shards[it->shard];

	spin_lock_bh(&s->lock);
	hmap_core_iter_start(&s->core, &it->core);
	spin_unlock_bh(&s->lock);
}

void hmap_iter_start(struct hmap *m, struct hmap_iter *it)
{
	it->m = m;
	it->shard = 0;
	iter_open_shard(it);
}
EXPORT_SYMBOL_NS_GPL(hmap_iter_start, HMAP_NS);

bool hmap_iter_next(struct hmap_iter *it, void *key, void *value)
{
	struct hmap *m = it->m;
	struct hmap_shard *s;
	const void *k;
	bool found;
	void *v;

	for (;;) {
		s = &m->shards[it->shard];
		spin_lock_bh(&s->lock);
		it->core.budget = HMAP_ITER_BUCKETS_PER_LOCK + 1;
		it->core.paused = false;
		found = hmap_core_iter_next(&it->core, &k, &v);
		if (found) {
			memcpy(key, k, m->key_size);
			if (value && m->value_size)
				memcpy(value, v, m->value_size);
		}
		spin_unlock_bh(&s->lock);
		if (found)
			return true;
		/* Let softirqs and writers in between stretches of empty buckets. */
		if (it->core.paused)
			continue;
		if (it->shard + 1 == m->nshards || it->core.stale)
			return false;
		it->shard++;
		iter_open_shard(it);
	}
}
EXPORT_SYMBOL_NS_GPL(hmap_iter_next, HMAP_NS);

int hmap_iter_error(const struct hmap_iter *it)
{
	return it->core.stale ? -ESTALE : 0;
}
EXPORT_SYMBOL_NS_GPL(hmap_iter_error, HMAP_NS);

void hmap_iter_end(struct hmap_iter *it)
{
	struct hmap_shard *s = &it->m->shards[it->shard];

	spin_lock_bh(&s->lock);
	hmap_core_iter_end(&it->core);
	spin_unlock_bh(&s->lock);
}
EXPORT_SYMBOL_NS_GPL(hmap_iter_end, HMAP_NS);

/* ---- callers holding the lock ---- */

void hmap_lock(struct hmap *m)
	__acquires(&m->shards[0].lock)
{
	WARN_ON_ONCE(m->nshards != 1);
	spin_lock_bh(&m->shards[0].lock);
	write_seqcount_begin(&m->shards[0].seq);
}
EXPORT_SYMBOL_NS_GPL(hmap_lock, HMAP_NS);

void hmap_unlock(struct hmap *m)
	__releases(&m->shards[0].lock)
{
	/* __hmap_lookup_and_delete() may have left a shrink to hmap_tidy(). */
	shard_delete_end(m, &m->shards[0]);
}
EXPORT_SYMBOL_NS_GPL(hmap_unlock, HMAP_NS);

void *__hmap_lookup(struct hmap *m, const void *key)
	__must_hold(&m->shards[0].lock)
{
	lockdep_assert_held(&m->shards[0].lock);
	return hmap_core_lookup(&m->shards[0].core, key);
}
EXPORT_SYMBOL_NS_GPL(__hmap_lookup, HMAP_NS);

int __hmap_update(struct hmap *m, const void *key, const void *value,
		  u64 flags, gfp_t gfp)
	__must_hold(&m->shards[0].lock)
{
	lockdep_assert_held(&m->shards[0].lock);
	return hmap_core_update(&m->shards[0].core, key, value, flags,
				locked_gfp(m, gfp));
}
EXPORT_SYMBOL_NS_GPL(__hmap_update, HMAP_NS);

int __hmap_lookup_and_delete(struct hmap *m, const void *key, void *value)
	__must_hold(&m->shards[0].lock)
{
	lockdep_assert_held(&m->shards[0].lock);
	return hmap_core_delete(&m->shards[0].core, key, value,
				locked_gfp(m, 0));
}
EXPORT_SYMBOL_NS_GPL(__hmap_lookup_and_delete, HMAP_NS);

/* ---- creation ---- */

static void hmap_free(struct hmap *m)
{
	u32 i;

	for (i = 0; i < m->nshards; i++)
		hmap_core_destroy(&m->shards[i].core);
	mem_cgroup_put(m->memcg);
	kvfree(m);
}

struct hmap *hmap_create(const struct hmap_params *p, gfp_t gfp)
{
	struct hmap_core_params cp = {
		.key_size = p->key_size,
		.value_size = p->value_size,
		.hashfn = p->hashfn,
		.defer_arrays = true,
	};
	u32 bits = 0, i;
	struct hmap *m;
	s64 id;
	int err;

	might_sleep_if(gfpflags_allow_blocking(gfp));
	if (p->flags & ~(HMAP_F_SHARDED | HMAP_F_ACCOUNT))
		return ERR_PTR(-EINVAL);
	if (p->flags & HMAP_F_SHARDED) {
		bits = p->shard_bits;
		if (!bits || bits > HMAP_SHARD_BITS_MAX)
			return ERR_PTR(-EINVAL);
	} else if (p->shard_bits) {
		return ERR_PTR(-EINVAL);
	}
	/* Shards split the hint; a sharded map, not each shard, keeps the limit. */
	cp.hint = p->size_hint >> bits;
	if (!bits)
		cp.max_entries = p->max_entries;

	id = atomic64_inc_return(&hmap_next_id);
	if (id > U32_MAX)
		return ERR_PTR(-ENOSPC);
	m = kvzalloc(struct_size(m, shards, 1U << bits), gfp);
	if (!m)
		return ERR_PTR(-ENOMEM);
	INIT_DELAYED_WORK(&m->tidy, hmap_tidy);
	if (p->flags & HMAP_F_ACCOUNT)
		m->memcg = get_mem_cgroup_from_mm(current->mm);
	m->id = id;
	cp.id = m->id;
	m->flags = p->flags;
	m->shard_bits = bits;
	m->nshards = 1U << bits;
	m->key_size = p->key_size;
	m->value_size = p->value_size;
	m->hashfn = p->hashfn;
	if (bits)
		m->max_entries = p->max_entries;
	/* Never 0, which would leave the shards to pick their own. */
	if (bits)
		m->seed = get_random_u64() | 1;
	cp.seed = m->seed;
	for (i = 0; i < m->nshards; i++) {
		spin_lock_init(&m->shards[i].lock);
		seqcount_spinlock_init(&m->shards[i].seq, &m->shards[i].lock);
		err = hmap_core_init(&m->shards[i].core, &cp,
				     caller_gfp(m, gfp));
		if (err)
			goto out_destroy;
	}
	return m;

out_destroy:
	/* Nothing was queued yet: free without waiting, whatever @gfp. */
	m->nshards = i;
	hmap_free(m);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(hmap_create, HMAP_NS);

void hmap_flush(struct hmap *m)
{
	might_sleep();
	flush_delayed_work(&m->tidy);
}
EXPORT_SYMBOL_NS_GPL(hmap_flush, HMAP_NS);

void hmap_destroy(struct hmap *m)
{
	if (IS_ERR_OR_NULL(m))
		return;
	cancel_delayed_work_sync(&m->tidy);
	hmap_free(m);
}
EXPORT_SYMBOL_NS_GPL(hmap_destroy, HMAP_NS);

struct workqueue_struct *hmap_free_wq;

static int __init hmap_init(void)
{
	hmap_free_wq = alloc_workqueue("hmap_free", WQ_UNBOUND, 0);
	return hmap_free_wq ? 0 : -ENOMEM;
}

static void __exit hmap_exit(void)
{
	/*
	 * Bucket arrays are freed by work queued from RCU callbacks, both in
	 * this module's text: let the callbacks queue it, then drain it.
	 */
	rcu_barrier();
	destroy_workqueue(hmap_free_wq);
}

module_init(hmap_init);
module_exit(hmap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hmap: Go's classic bucket hash map with incremental growth");
