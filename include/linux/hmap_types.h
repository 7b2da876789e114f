/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the hmap core, its in-kernel API and its tests.
 * Depends on <linux/types.h> only.
 */
#ifndef _LINUX_HMAP_TYPES_H
#define _LINUX_HMAP_TYPES_H

#include <linux/types.h>

/* Update modes, with the BPF map semantics. */
#define HMAP_ANY	0	/* create a new entry or update an existing one */
#define HMAP_NOEXIST	1	/* create only: -EEXIST if the key is present */
#define HMAP_EXIST	2	/* update only: -ENOENT if the key is absent */

/* Limits on the fixed key and value sizes a map is created with. */
#define HMAP_KEY_SIZE_MAX	512
#define HMAP_VALUE_SIZE_MAX	65536

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

#endif /* _LINUX_HMAP_TYPES_H */
