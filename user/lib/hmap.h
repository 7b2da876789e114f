/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhmap: kernel hash maps from userspace, over /dev/hmap.
 *
 * A map has fixed key and value sizes and is reached through a file
 * descriptor. A new map dies with its last descriptor unless hmap_pin()
 * gives it a file in an hmapfs (mounted at HMAPFS_PATH): then it lives
 * until that file is removed (unlink(2), rm) and its last descriptor is
 * closed, and any process the file's mode allows may hmap_open() it.
 * Close descriptors with close().
 *
 * Every function returns 0 (or a descriptor) on success and a negative
 * errno on failure, e.g. -ENOENT for a missing key or map, -EEXIST for
 * HMAP_UPDATE_NOEXIST on a present key, -E2BIG when the map is full.
 * The full errno table is in <linux/hmap.h>.
 *
 *	struct hmap_create_opts o = { .key_size = 4, .value_size = 8 };
 *	int fd = hmap_create(&o);
 *	uint32_t k = 1; uint64_t v = 42;
 *	hmap_update(fd, &k, &v, HMAP_UPDATE_ANY);
 *	hmap_pin(fd, HMAPFS_PATH "/demo", 0600);
 *	... later, in any process:
 *	fd = hmap_open(HMAPFS_PATH "/demo", 1);
 *	hmap_lookup(fd, &k, &v);
 */
#ifndef LIBHMAP_H
#define LIBHMAP_H

#include <stdint.h>
#include <linux/hmap.h>

#define HMAP_DEV_PATH	"/dev/hmap"
#define HMAPFS_PATH	"/sys/fs/hmap"	/* where hmapfs is usually mounted */

struct hmap_create_opts {
	uint32_t key_size;	/* 1..HMAP_KEY_SIZE_MAX */
	uint32_t value_size;	/* 0..HMAP_VALUE_SIZE_MAX; 0 makes a set */
	uint64_t max_entries;	/* 0: HMAP_IOC_DEFAULT_MAX_ENTRIES */
	uint64_t size_hint;	/* expected entries, or 0 */
	uint32_t shard_bits;	/* 0, or 1..8 for 2^shard_bits locks */
};

/* The library's version, "MAJOR.MINOR.PATCH"; needs no device. */
const char *hmap_version(void);

/* A new map, through /dev/hmap (opened for the call): a map fd. */
int hmap_create(const struct hmap_create_opts *opts);
/*
 * A file for the map of read-write descriptor fd at path (relative to the
 * working directory unless absolute), whose directory is in an hmapfs;
 * mode is less the umask, 0 stands for 0600.
 */
int hmap_pin(int fd, const char *path, uint32_t mode);
/* open(2) of a pinned map's file: a map fd (read-only if rdonly). */
int hmap_open(const char *path, int rdonly);

/* One map. Keys and values are key_size and value_size bytes. */
int hmap_info(int fd, struct hmap_ioc_info *info);
int hmap_lookup(int fd, const void *key, void *value);
int hmap_update(int fd, const void *key, const void *value, uint32_t how);
int hmap_delete(int fd, const void *key);
int hmap_lookup_and_delete(int fd, const void *key, void *value);
int hmap_count(int fd, uint64_t *count);
int hmap_clear(int fd);
int hmap_stats(int fd, struct hmap_ioc_stats *stats);

/*
 * Batches: *count elements in, elements done out. They stop at the first
 * failing element and return its error; *count then tells which it was.
 */
int hmap_lookup_batch(int fd, const void *keys, void *values,
		      uint32_t *count);
int hmap_update_batch(int fd, const void *keys, const void *values,
		      uint32_t *count, uint32_t how);
int hmap_delete_batch(int fd, const void *keys, uint32_t *count);

/*
 * Dump: start with *cursor = 0 and call until it is 0 again. Each call
 * stores up to *count entries (values may be NULL for keys only) and sets
 * *count to how many. Every key present for the whole dump comes back
 * exactly once, even if the map grows meanwhile; no key comes back twice.
 * One dump at a time per open descriptor.
 */
int hmap_dump(int fd, uint64_t *cursor, void *keys, void *values,
	      uint32_t *count);

#endif /* LIBHMAP_H */
