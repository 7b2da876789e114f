/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the hmap core, its in-kernel API and its tests. The
 * update modes (HMAP_UPDATE_*) and the limits (HMAP_KEY_SIZE_MAX, ...) are
 * the uapi's, for in-kernel callers too, as BPF's hashtab uses BPF_NOEXIST.
 */
#ifndef _LINUX_HMAP_TYPES_H
#define _LINUX_HMAP_TYPES_H

#include <linux/types.h>
#include <uapi/linux/hmap.h>

/**
 * typedef hmap_hash_fn - a caller-supplied hash function.
 * @key: the key, key_size bytes.
 * @len: key_size of the map.
 * @seed: the map's random seed; it changes whenever the map becomes empty.
 *
 * All 64 bits are used: the low bits pick the bucket, the top byte is the
 * tophash. Equal keys must hash equally for a given seed.
 */
typedef u64 (*hmap_hash_fn)(const void *key, u32 len, u64 seed);

struct hmap;
struct hmap_core;
struct hmap_gen;

/**
 * struct hmap_core_iter - iteration state (Go: hiter).
 * @h: the map.
 * @gen: the array being walked: h->buckets at start, or during a
 *	same-size growth h->oldbuckets, then @then; holds a reference.
 * @then: an array to walk after @gen, or NULL; holds a reference.
 * @seen: an array walked before @gen, whose keys are not returned again;
 *	or NULL; holds a reference.
 * @chain_gen: generation owning @b when it is not @gen; holds a reference.
 * @b: current bucket, or NULL between buckets.
 * @bucket: next bucket index of @gen to visit.
 * @start_bucket: random starting bucket.
 * @check_bucket: when walking an old bucket on behalf of a new one, only
 *	keys hashing to this index are returned; HMAP_NO_CHECK otherwise.
 * @next_chain: while a shrink is in progress, the second old chain that
 *	stands for the current bucket, walked after @b's; else NULL.
 * @B: B of @gen.
 * @offset: random starting slot within each bucket.
 * @i: next slot (0..8) in @b, counted from @offset.
 * @wrapped: the bucket index has wrapped around to 0.
 * @done: iteration finished or the map was empty at start.
 * @stale: ended early: keys it could still need were freed.
 * @paused: the last step stopped at a bucket boundary, its budget spent.
 * @budget: if non-zero, one more than the buckets a step may enter.
 * @epoch: the map's iter_epoch when the iteration started.
 * @clears: the map's clears when the iteration started.
 */
struct hmap_core_iter {
	struct hmap_core *h;
	struct hmap_gen *gen;
	struct hmap_gen *then;
	struct hmap_gen *seen;
	struct hmap_gen *chain_gen;
	u8 *b;
	unsigned long bucket;
	unsigned long start_bucket;
	unsigned long check_bucket;
	u8 *next_chain;
	u8 B;
	u8 offset;
	u8 i;
	bool wrapped;
	bool done;
	bool stale;
	bool paused;
	u32 budget;
	u32 epoch;
	u32 clears;
};

/**
 * struct hmap_iter - in-kernel iterator, see hmap_iter_start().
 * @m: the map.
 * @shard: shard being walked (sharded maps).
 * @core: position within that shard.
 */
struct hmap_iter {
	struct hmap *m;
	unsigned int shard;
	struct hmap_core_iter core;
};

#endif /* _LINUX_HMAP_TYPES_H */
