/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hmap: Go's classic bucket hash map for kernel code.
 *
 * A map stores fixed-size keys and values, copied in and out: entries move
 * when the map grows, so no pointer into the map is handed out except by
 * the __hmap_*() calls, to callers that hold the map lock.
 *
 * Writers (update, delete, clear) are serialized by a per-map spinlock,
 * taken with bottom halves disabled. Lookups take no lock: they run under
 * RCU and a sequence count and retry if a writer ran meanwhile, so they
 * never see a torn value and never miss a key that is present throughout,
 * even while the map grows. Bucket arrays and out-of-line keys and values
 * are freed after an RCU grace period.
 *
 * Contexts:
 *
 *   call                         process  softirq  hardirq/NMI
 *   hmap_create/destroy/flush      yes      no       no
 *   hmap_lookup, _batch            yes      yes      no (may spin on an
 *                                                    interrupted writer)
 *   hmap_len, hmap_id              yes      yes      yes
 *   hmap_update/delete/clear,
 *   hmap_update/delete_batch,
 *   hmap_lookup_and_delete         yes      yes      no
 *   hmap_iter_*                    yes      yes      no
 *   hmap_get_stats                 yes      no       no
 *
 * No write allocates a bucket array above two pages: when a map is due for
 * a larger one, a work item allocates it with GFP_KERNEL and starts the
 * growth, while writes go on filling the current array past its load. Only
 * a map that reaches twice its growth threshold first makes the write
 * allocate: inside the lock with GFP_NOWAIT, and when that fails and the
 * caller's gfp allows sleeping, outside the lock with the caller's gfp,
 * then retrying; atomic callers then get -ENOMEM and the map is unchanged.
 * Overflow buckets and out-of-line keys and values follow the same
 * inside-then-outside rule.
 *
 * Each write moves one or two buckets of a growth in progress, as in Go.
 * When a growth has seen no write for 100 ms, a work item finishes it in
 * short locked steps, so the old bucket array does not outlive the writes.
 * Deletes that leave a map at 1/8 of the load that grows it start a shrink
 * (never below the array the size hint asked for), moved on the same way:
 * the work item also starts the shrinks that a delete could not allocate
 * the smaller array for inside the lock.
 *
 * Maps created with HMAP_F_SHARDED are 2^shard_bits independent maps, each
 * with its own lock, chosen by the key's hash: writers to different shards
 * do not contend. The API and its guarantees are the same.
 */
#ifndef _LINUX_HMAP_H
#define _LINUX_HMAP_H

#include <linux/gfp.h>
#include <linux/hmap_types.h>
#include <linux/version.h>

/*
 * The symbol namespace of hmap's exports; consumers write
 * MODULE_IMPORT_NS(HMAP_NS). Kernels before 6.13 take the namespace as an
 * identifier, later ones as a string literal. hmap is built out of tree
 * for several kernels, so this header asks which one it is compiled for.
 */
#if LINUX_VERSION_MAJOR > 6 || \
	(LINUX_VERSION_MAJOR == 6 && LINUX_VERSION_PATCHLEVEL >= 13)
#define HMAP_NS "HMAP"
#else
#define HMAP_NS HMAP
#endif

/* hmap_params.flags */
#define HMAP_F_SHARDED		BIT(0)	/* 2^shard_bits independently locked shards */
#define HMAP_F_ACCOUNT		BIT(1)	/* charge memory to the creator's memcg */

/**
 * struct hmap_params - what hmap_create() builds.
 * @key_size: bytes per key, 1..HMAP_KEY_SIZE_MAX.
 * @value_size: bytes per value, 0..HMAP_VALUE_SIZE_MAX (0: a set).
 * @size_hint: expected entries; sizes the first bucket array.
 * @max_entries: inserts beyond this fail with -E2BIG; 0 for no limit.
 * @hashfn: NULL for the built-in hashes: a seeded multiply-mix, and hsiphash
 *	under a fresh key once a flood of colliding keys is seen. A caller's
 *	function is kept whatever chains it makes.
 * @flags: HMAP_F_*.
 * @shard_bits: log2 of the shard count with HMAP_F_SHARDED, 1..8.
 */
struct hmap_params {
	u32 key_size;
	u32 value_size;
	u64 size_hint;
	u64 max_entries;
	hmap_hash_fn hashfn;
	u32 flags;
	u32 shard_bits;
};

/**
 * struct hmap_stats - shape of a map (summed over shards).
 * @count: entries.
 * @B: log2 of the bucket count (largest shard).
 * @buckets: buckets in the current arrays.
 * @overflow: overflow buckets chained to them.
 * @old_buckets: buckets in arrays being evacuated.
 * @nevacuate: old buckets evacuated so far.
 * @growing: an evacuation is in progress (in any shard).
 * @same_size: a same-size growth is in progress (in any shard).
 * @shrinking: a shrink is in progress (in any shard).
 * @flooded: shards that saw a flood of colliding keys and were rehashed
 *	with hsiphash (or are being).
 * @bytes: bytes held by arrays, overflow buckets and out-of-line data.
 * @shards: number of shards (1 unless HMAP_F_SHARDED).
 * @growths: growths started since creation.
 * @shrinks: shrinks started since creation.
 * @chain_hist: chains by length in buckets: 1, 2, ..., 7, 8 or more.
 */
struct hmap_stats {
	u64 count;
	u32 B;
	u64 buckets;
	u64 overflow;
	u64 old_buckets;
	u64 nevacuate;
	bool growing;
	bool same_size;
	bool shrinking;
	u32 flooded;
	u64 bytes;
	u32 shards;
	u64 growths;
	u64 shrinks;
	u64 chain_hist[HMAP_CHAIN_HIST_LEN];
};

/**
 * hmap_create() - create a map.
 * @p: key and value sizes, size hint, limit, hash function and flags.
 * @gfp: allocation flags for the map and its first bucket array.
 *
 * With HMAP_F_SHARDED the size hint is split between the shards;
 * max_entries holds for the whole map, whichever shards keys fall into.
 *
 * Context: Process context. May sleep if @gfp allows.
 * Return: the map, or ERR_PTR(-EINVAL) for sizes, flags or shard_bits
 * out of range, ERR_PTR(-ENOMEM), or ERR_PTR(-ENOSPC) once 2^32 maps have
 * been created since hmap.ko was loaded (ids are never reused).
 */
struct hmap *hmap_create(const struct hmap_params *p, gfp_t gfp);
/**
 * hmap_destroy() - free a map and everything in it.
 * @m: the map, or NULL or an ERR_PTR (ignored). No other call on @m may
 *	run concurrently or follow; iterators must have ended.
 *
 * Waits for the map's background work (finishing a growth) to stop.
 * Bucket arrays are released after an RCU grace period.
 *
 * Context: Process context. May sleep.
 */
void hmap_destroy(struct hmap *m);

/**
 * hmap_flush() - run the map's background work now, and wait for it.
 * @m: the map.
 *
 * The arrays of the growths and shrinks that writes left to the work item
 * are allocated and those resizes started (their evacuation goes on with
 * later writes, or in the background once writes stop). For callers that
 * want the map's settled shape, such as tests and benchmarks; nothing
 * needs it for correctness.
 *
 * Context: Process context; sleeps.
 */
void hmap_flush(struct hmap *m);
/**
 * hmap_lookup() - copy out the value stored for a key.
 * @m: the map.
 * @key: key_size bytes.
 * @value: receives value_size bytes; may be NULL to test presence.
 *
 * Takes no lock: a concurrent writer makes the lookup retry, so the copy
 * is never torn and a key present throughout is always found, also while
 * the map grows. After three tries spoiled by writes it reads under the
 * shard lock instead, so a stream of writes cannot hold it up for longer
 * than the writes queued on that lock.
 *
 * Context: Process or softirq context, not with hard interrupts disabled.
 * Takes and releases the RCU read lock, and the shard lock (with
 * spin_lock_bh()) when writes keep interfering.
 * Return: 0, or -ENOENT if the key is absent.
 */
int hmap_lookup(struct hmap *m, const void *key, void *value);
/**
 * hmap_update() - insert or update an entry.
 * @m: the map.
 * @key: key_size bytes.
 * @value: value_size bytes.
 * @flags: HMAP_UPDATE_ANY, HMAP_UPDATE_NOEXIST (create only) or
 *	HMAP_UPDATE_EXIST (update only).
 * @gfp: allocation flags; a sleeping @gfp lets growth allocate outside
 *	the lock with these flags when the non-blocking attempt fails.
 *
 * Updating a key that is present never needs memory.
 *
 * Context: Process or softirq context; may sleep if @gfp allows. Takes
 * and releases the shard lock.
 * Return: 0; -EINVAL for unknown @flags; -EEXIST (HMAP_UPDATE_NOEXIST,
 * key present); -ENOENT (HMAP_UPDATE_EXIST, key absent); -E2BIG if a new
 * key would pass max_entries (in a sharded map, also while an insert into
 * another shard holds the last place and is about to fail); -ENOMEM, with
 * the map unchanged.
 */
int hmap_update(struct hmap *m, const void *key, const void *value,
		u64 flags, gfp_t gfp);
/**
 * hmap_lookup_batch() - hmap_lookup() of many keys, in order.
 * @m: the map.
 * @keys: *@count keys of key_size bytes, back to back.
 * @values: receives a value_size-byte value per key found, back to back;
 *	may be NULL to test presence.
 * @count: (in) number of keys; (out) keys found before the first absent
 *	one, or all of them.
 *
 * Hashes the keys of each chunk of 16 first and prefetches their buckets,
 * then probes them, so that their cache misses overlap instead of
 * following one another. Each key is looked up as by hmap_lookup(), with
 * the same guarantees; a key whose chunk a write interfered with is looked
 * up again alone.
 *
 * Context: Process or softirq context, not with hard interrupts disabled.
 * Takes and releases the RCU read lock once per chunk.
 * Return: 0 if every key was found, or -ENOENT for key *@count.
 */
int hmap_lookup_batch(struct hmap *m, const void *keys, void *values,
		      u32 *count);
/**
 * hmap_update_batch() - hmap_update() of many entries, in order.
 * @m: the map.
 * @keys: *@count keys of key_size bytes, back to back.
 * @values: *@count values of value_size bytes, back to back.
 * @count: (in) number of entries; (out) entries stored before the first
 *	that failed, or all of them.
 * @flags: as for hmap_update(), for every entry.
 * @gfp: as for hmap_update().
 *
 * Hashes the keys of each chunk of 16 and prefetches their buckets before
 * taking the lock, then stores the chunk in one lock hold per run of keys
 * of the same shard. The first failure stops the batch: the entries
 * before it are stored, it and those after it are not.
 *
 * Context: Process or softirq context; may sleep if @gfp allows (then
 * also between chunks). Takes and releases the shard locks.
 * Return: 0, or the error hmap_update() gave for entry *@count.
 */
int hmap_update_batch(struct hmap *m, const void *keys, const void *values,
		      u32 *count, u64 flags, gfp_t gfp);
/**
 * hmap_delete_batch() - hmap_delete() of many keys, in order.
 * @m: the map.
 * @keys: *@count keys of key_size bytes, back to back.
 * @count: (in) number of keys; (out) keys deleted before the first absent
 *	one, or all of them.
 *
 * Chunked, hashed and prefetched as hmap_update_batch().
 *
 * Context: Process or softirq context. Takes and releases the shard locks.
 * Return: 0, or -ENOENT for key *@count.
 */
int hmap_delete_batch(struct hmap *m, const void *keys, u32 *count);
/**
 * hmap_delete() - remove an entry.
 * @m: the map.
 * @key: key_size bytes.
 *
 * Never fails for lack of memory.
 *
 * Context: Process or softirq context. Takes and releases the shard lock.
 * Return: 0, or -ENOENT if the key is absent.
 */
int hmap_delete(struct hmap *m, const void *key);
/**
 * hmap_lookup_and_delete() - remove an entry and copy out its value.
 * @m: the map.
 * @key: key_size bytes.
 * @value: receives value_size bytes.
 *
 * Context: Process or softirq context. Takes and releases the shard lock.
 * Return: 0, or -ENOENT if the key is absent.
 */
int hmap_lookup_and_delete(struct hmap *m, const void *key, void *value);
/**
 * hmap_len() - number of entries.
 * @m: the map.
 *
 * Context: Any context but NMI. Takes no lock; the count may be stale by
 * the writes in flight.
 * Return: the number of entries.
 */
unsigned long hmap_len(struct hmap *m);
/**
 * hmap_clear() - remove every entry.
 * @m: the map.
 * @gfp: allocation flags for the new bucket array.
 *
 * The map goes back to the memory a new one with the same size hint holds:
 * its bucket arrays are released (after a grace period, and after the
 * iterators that still hold them end) and replaced by one of the size the
 * hint asked for, allocated outside the lock if @gfp allows sleeping. If
 * that allocation fails, the map restarts without an array, as a map
 * created without a hint does. Iterators in progress return nothing more
 * from the shard they are in (later shards may return keys added after
 * the clear), so none returns a key twice. The work under
 * each shard lock does not depend on the number of entries, except for
 * freeing out-of-line keys and values.
 *
 * Context: Process or softirq context; may sleep if @gfp allows. Takes and
 * releases each shard lock.
 */
void hmap_clear(struct hmap *m, gfp_t gfp);
/**
 * hmap_get_stats() - describe the map's shape.
 * @m: the map.
 * @st: filled in, summed over shards.
 *
 * Counts, sizes and bytes come from counters the map keeps (O(1) under
 * each shard lock); the chain histogram and overflow count walk every
 * chain, 1024 buckets per hold of the shard lock, offering the CPU in
 * between: O(buckets) in all, never long with bottom halves off. Writes
 * running meanwhile can blur the histogram.
 *
 * Context: Process context; may sleep. Takes and releases each shard lock.
 */
void hmap_get_stats(struct hmap *m, struct hmap_stats *st);
/**
 * hmap_id() - the map's id, as reported by the hmap tracepoints.
 * @m: the map.
 *
 * Context: Any context.
 * Return: the id, unique since the module was loaded.
 */
u32 hmap_id(const struct hmap *m);

/**
 * hmap_iter_start() - begin walking the map.
 * @m: the map.
 * @it: iterator state, owned by the caller until hmap_iter_end().
 *
 * Every key present from start to end is returned exactly once, whatever
 * writes happen between steps, growth included; keys added or removed in
 * the meantime may or may not be returned. The iterator keeps the bucket
 * array it walks alive, so end it promptly.
 *
 * Context: Process or softirq context. Takes and releases a shard lock.
 */
void hmap_iter_start(struct hmap *m, struct hmap_iter *it);
/**
 * hmap_iter_next() - copy out the next entry.
 * @it: iterator.
 * @key: receives key_size bytes.
 * @value: receives value_size bytes; may be NULL.
 *
 * Context: Process or softirq context. Takes and releases a shard lock.
 * Return: true if an entry was copied, false at the end or when the
 * iteration went stale (see hmap_iter_error()).
 */
bool hmap_iter_next(struct hmap_iter *it, void *key, void *value);

/**
 * hmap_iter_error() - why an iteration ended.
 * @it: iterator on which hmap_iter_next() returned false.
 *
 * Only maps with keys over 128 bytes can go stale: while an iteration is
 * in progress they hold back the keys deleted meanwhile, up to as much
 * memory as their live keys (at least 1 MiB), and end the iterations
 * that would need more.
 *
 * Context: Any context.
 * Return: 0 if every entry was returned, -ESTALE if the iteration ended
 * early; start a new one.
 */
int hmap_iter_error(const struct hmap_iter *it);
/**
 * hmap_iter_end() - finish an iteration and release what it holds.
 * @it: iterator; calling it again, or after the end, is harmless.
 *
 * Context: Process or softirq context. Takes and releases a shard lock.
 */
void hmap_iter_end(struct hmap_iter *it);

/* Callers that hold the map lock themselves (unsharded maps only). */
/**
 * hmap_lock() - take the map lock for a series of __hmap_*() calls.
 * @m: an unsharded map.
 *
 * Lookups by others retry until hmap_unlock(); the lock holder itself
 * must use __hmap_lookup(), as hmap_lookup() would spin forever.
 *
 * Context: Process or softirq context. Disables bottom halves.
 */
void hmap_lock(struct hmap *m);
/**
 * hmap_unlock() - release the lock taken by hmap_lock().
 * @m: the map.
 *
 * Context: Expects the map lock to be held by the caller.
 */
void hmap_unlock(struct hmap *m);
/**
 * __hmap_lookup() - find a value without copying it.
 * @m: an unsharded map, locked with hmap_lock().
 * @key: key_size bytes.
 *
 * Context: Expects the map lock to be held by the caller.
 * Return: a pointer to the value, valid until the next write or unlock,
 * or NULL if the key is absent.
 */
void *__hmap_lookup(struct hmap *m, const void *key);
/**
 * __hmap_update() - hmap_update() for callers holding the lock.
 * @m: an unsharded map, locked with hmap_lock().
 * @key: key_size bytes.
 * @value: value_size bytes.
 * @flags: HMAP_UPDATE_ANY, HMAP_UPDATE_NOEXIST or HMAP_UPDATE_EXIST.
 * @gfp: only __GFP_ACCOUNT is honoured: allocation never sleeps here.
 *
 * Context: Expects the map lock to be held by the caller.
 * Return: as hmap_update(); -ENOMEM is more likely, as there is no
 * retry outside the lock.
 */
int __hmap_update(struct hmap *m, const void *key, const void *value,
		  u64 flags, gfp_t gfp);
/**
 * __hmap_lookup_and_delete() - hmap_lookup_and_delete() under the lock.
 * @m: an unsharded map, locked with hmap_lock().
 * @key: key_size bytes.
 * @value: receives value_size bytes, or NULL.
 *
 * Context: Expects the map lock to be held by the caller.
 * Return: 0, or -ENOENT if the key is absent.
 */
int __hmap_lookup_and_delete(struct hmap *m, const void *key, void *value);

#endif /* _LINUX_HMAP_H */
