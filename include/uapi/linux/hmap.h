/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hmap: userspace interface of Go's classic bucket hash map, in the kernel.
 */
#ifndef _UAPI_LINUX_HMAP_H
#define _UAPI_LINUX_HMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: Overview
 *
 * /dev/hmap (mode 0600, root: maps pin kernel memory, so an administrator
 * grants access explicitly, e.g. by group and mode 0660) takes one command,
 * HMAP_IOC_CREATE, which returns a new map file descriptor (O_CLOEXEC); the
 * map commands (HMAP_IOC_INFO and later) are issued on such a descriptor.
 *
 * A map lives as long as something refers to it: a descriptor, or a file
 * in a mounted hmapfs. HMAP_IOC_PIN makes such a file, as BPF_OBJ_PIN does
 * in bpffs: that is how a map outlives the process that made it and how
 * other processes reach it. The module creates the mount point
 * /sys/fs/hmap; ``mount -t hmap none /sys/fs/hmap`` mounts an instance
 * there (hmapctl does so when it is not mounted), and every further mount
 * is a new, empty instance (a container mounts its own and sees only its
 * maps). Unmounting an instance removes its files, and with them the maps
 * nothing else refers to. Mount options, as for bpffs: uid=, gid= and
 * mode= (octal) of the root directory; by default the mounter's fsuid and
 * fsgid and mode 1777 (world-writable and sticky, as /tmp).
 *
 * Files in an hmapfs are ordinary files to the VFS: open(2) of one returns
 * a map descriptor (O_RDONLY: read-only; O_RDWR: read-write; O_WRONLY is
 * refused with EINVAL), and rm, mv, chmod, chown, mkdir, rmdir and ls work
 * on them with the permission checks, LSM hooks and mount namespaces of
 * any file. A pinned file is owned as a file made by mknod(2) would be.
 * The map is freed when its last file is removed and its last descriptor
 * closed. A read-only descriptor refuses the commands that modify the map,
 * and PIN; but like any file, one from open(2) can be reopened through
 * /proc/self/fd with whatever the file's mode allows (pass read-only
 * descriptors opened through a read-only bind mount to keep them so).
 * There is no global table of names and no limit on their number other
 * than memory (files are charged to the memory cgroup of whoever pins).
 *
 * Keys and values have the fixed sizes given at creation. User buffers
 * travel as __aligned_u64 pointers and hold exactly key_size bytes per key
 * and value_size bytes per value; a value pointer is not used when
 * value_size is 0.
 */

/**
 * DOC: General ioctl format
 *
 * Every command is _IO(HMAP_IOC_TYPE, nr) and takes a pointer to a
 * structure whose first field is ``__u32 size``, set by the caller to the
 * sizeof() it was compiled with. The kernel accepts a smaller structure
 * down to the first published size (HMAP_IOC_*_SIZE_VER0), treating the
 * missing fields as zero, and a larger one if every byte it does not know
 * is zero. Output fields are written back up to the smaller of the two
 * sizes. Flags and reserved fields must be zero unless documented.
 *
 * Errors common to all commands:
 *
 *  - ENOTTY: unknown command, or a map command on /dev/hmap, or a /dev/hmap
 *    command on a map descriptor (or either on another kind of file).
 *  - EFAULT: the structure or a buffer it points to is not accessible.
 *  - EINVAL: @size is below the first published size; unknown bits in
 *    @flags; a non-zero reserved field; a field with an invalid value.
 *  - E2BIG: @size exceeds the page size, or bytes beyond the structure the
 *    kernel knows are not zero.
 *  - ENOMEM: out of memory (the map is unchanged).
 *
 * Errors of particular commands:
 *
 *  ============ =======================================================
 *  E2BIG        CREATE: key_size > HMAP_KEY_SIZE_MAX, value_size >
 *               HMAP_VALUE_SIZE_MAX, or max_entries above the
 *               module's limit. UPDATE: the key is new and the map holds
 *               max_entries keys (replacing an existing key still works).
 *  EEXIST       PIN: the path exists. UPDATE with HMAP_UPDATE_NOEXIST:
 *               the key is present.
 *  ENOENT       PIN: a directory of the path does not exist. LOOKUP,
 *               DELETE, LOOKUP_AND_DELETE, UPDATE with HMAP_UPDATE_EXIST:
 *               the key is absent.
 *  EACCES       PIN: the caller may not write and search the directory.
 *  EPERM        A modifying command or PIN on a read-only descriptor
 *               (CREATE needs /dev/hmap opened for writing). PIN: the
 *               directory is not in an hmapfs.
 *  ENOSPC       CREATE: 2^32 maps were created since the module was
 *               loaded (ids are never reused).
 *  EINTR        BATCH_*: a signal arrived; @count says how far it got.
 *  EINVAL       DUMP: @cursor is neither 0 nor the last one returned on
 *               this open file.
 *  ESTALE       DUMP, maps with keys over 128 bytes only: more keys were
 *               deleted during the dump than the map holds back for it
 *               (as much memory as its live keys, at least 1 MiB); start
 *               again with cursor 0.
 *  ============ =======================================================
 *
 * PIN also fails as mknod(2) would for the path (ENAMETOOLONG, ELOOP,
 * ENOTDIR, EROFS, ...). open(2) of a pinned file fails as for any file
 * (EACCES when its mode denies the access), with EINVAL for O_WRONLY, and
 * with EINVAL for O_TRUNC: a map file has no size (nor does truncate(2)
 * change one).
 *
 * The BATCH_* commands stop at the first element that fails, return its
 * error, and report in @count how many elements were processed before it.
 */

#define HMAP_IOC_TYPE		0xE8	/* free in ioctl-number.rst (6.12) */

/* Limits of every map, in-kernel ones included (<linux/hmap.h> uses these). */
#define HMAP_KEY_SIZE_MAX	512
#define HMAP_VALUE_SIZE_MAX	65536
/* statfs(2) f_type of an hmapfs ("hmap"). */
#define HMAPFS_MAGIC		0x686d6170
/* max_entries 0 at creation stands for this (the module may lower it). */
#define HMAP_IOC_DEFAULT_MAX_ENTRIES	0x1000000	/* 2^24 */
/* Largest hmap_ioc_create.shard_bits and hmap_params.shard_bits. */
#define HMAP_SHARD_BITS_MAX	8
/* Bucket chains by length: 1, 2, ..., 7, 8 or more. */
#define HMAP_CHAIN_HIST_LEN	8

/* Update modes (hmap_ioc_elem.flags, hmap_ioc_batch.flags, hmap_update()), as BPF's. */
#define HMAP_UPDATE_ANY		0	/* create or replace */
#define HMAP_UPDATE_NOEXIST	1	/* create only (EEXIST if present) */
#define HMAP_UPDATE_EXIST	2	/* replace only (ENOENT if absent) */

enum hmap_ioc_nr {
	/* /dev/hmap */
	HMAP_IOC_NR_CREATE = 0x00,
	/* map descriptors */
	HMAP_IOC_NR_INFO = 0x40,
	HMAP_IOC_NR_LOOKUP = 0x41,
	HMAP_IOC_NR_UPDATE = 0x42,
	HMAP_IOC_NR_DELETE = 0x43,
	HMAP_IOC_NR_LOOKUP_AND_DELETE = 0x44,
	HMAP_IOC_NR_BATCH_LOOKUP = 0x45,
	HMAP_IOC_NR_BATCH_UPDATE = 0x46,
	HMAP_IOC_NR_BATCH_DELETE = 0x47,
	HMAP_IOC_NR_DUMP = 0x48,
	HMAP_IOC_NR_COUNT = 0x49,
	HMAP_IOC_NR_CLEAR = 0x4a,
	HMAP_IOC_NR_STATS = 0x4b,
	HMAP_IOC_NR_PIN = 0x4c
};

/* hmap_ioc_create.flags */
#define HMAP_CREATE_F_SHARDED	0x1 /* 2^shard_bits locks, see below */

/**
 * struct hmap_ioc_create - HMAP_IOC_CREATE: make a map.
 * @size: (in) sizeof(struct hmap_ioc_create).
 * @flags: (in) HMAP_CREATE_F_*.
 * @key_size: (in) bytes per key, 1..HMAP_KEY_SIZE_MAX.
 * @value_size: (in) bytes per value, 0..HMAP_VALUE_SIZE_MAX (0: a set).
 * @max_entries: (in) inserts of new keys beyond this fail with E2BIG;
 *	0 means HMAP_IOC_DEFAULT_MAX_ENTRIES (or the module's lower limit).
 * @size_hint: (in) expected number of entries, to size the first bucket
 *	array; clamped to @max_entries.
 * @shard_bits: (in) with HMAP_CREATE_F_SHARDED, 1..HMAP_SHARD_BITS_MAX:
 *	the map is made of 2^@shard_bits independently locked parts, which
 *	together hold at most @max_entries entries. Else 0.
 * @out_id: (out) the map's id, as HMAP_IOC_INFO reports it.
 *
 * Return: a new descriptor (read-write, O_CLOEXEC) for a new map that
 * nothing else refers to, or -1 and errno.
 */
struct hmap_ioc_create {
	__u32 size;
	__u32 flags;
	__u32 key_size;
	__u32 value_size;
	__u64 max_entries;
	__u64 size_hint;
	__u32 shard_bits;
	__u32 out_id;
};

#define HMAP_IOC_CREATE_SIZE_VER0	40
#define HMAP_IOC_CREATE		_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_CREATE)

/* hmap_ioc_info.info_flags */
#define HMAP_INFO_RDONLY	0x1 /* this descriptor is read-only */

/**
 * struct hmap_ioc_info - HMAP_IOC_INFO: describe the map behind a descriptor.
 * @size: (in) sizeof(struct hmap_ioc_info).
 * @flags: (in) must be 0.
 * @id: (out) the map's id, unique while the module is loaded.
 * @map_flags: (out) HMAP_CREATE_F_* it was created with.
 * @key_size: (out) bytes per key.
 * @value_size: (out) bytes per value.
 * @max_entries: (out) the effective limit on entries.
 * @count: (out) entries now.
 * @shard_bits: (out) as created.
 * @info_flags: (out) HMAP_INFO_*.
 */
struct hmap_ioc_info {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 map_flags;
	__u32 key_size;
	__u32 value_size;
	__u64 max_entries;
	__u64 count;
	__u32 shard_bits;
	__u32 info_flags;
};

#define HMAP_IOC_INFO_SIZE_VER0		48
#define HMAP_IOC_INFO		_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_INFO)

/**
 * struct hmap_ioc_elem - one element: LOOKUP, UPDATE, DELETE, LOOKUP_AND_DELETE.
 * @size: (in) sizeof(struct hmap_ioc_elem).
 * @flags: (in) UPDATE: HMAP_UPDATE_*; the others: 0.
 * @key: (in) pointer to the key.
 * @value: (in) pointer to the value: read by UPDATE, written by LOOKUP and
 *	LOOKUP_AND_DELETE; must be 0 for DELETE.
 */
struct hmap_ioc_elem {
	__u32 size;
	__u32 flags;
	__aligned_u64 key;
	__aligned_u64 value;
};

#define HMAP_IOC_ELEM_SIZE_VER0		24
#define HMAP_IOC_LOOKUP		_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_LOOKUP)
#define HMAP_IOC_UPDATE		_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_UPDATE)
#define HMAP_IOC_DELETE		_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_DELETE)
#define HMAP_IOC_LOOKUP_AND_DELETE \
	_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_LOOKUP_AND_DELETE)

/**
 * struct hmap_ioc_batch - many elements: BATCH_LOOKUP, BATCH_UPDATE, BATCH_DELETE.
 * @size: (in) sizeof(struct hmap_ioc_batch).
 * @flags: (in) BATCH_UPDATE: HMAP_UPDATE_*, for every element; others: 0.
 * @keys: (in) @count keys, back to back.
 * @values: (in) @count values, back to back: read by BATCH_UPDATE, written by
 *	BATCH_LOOKUP; must be 0 for BATCH_DELETE.
 * @count: (in) elements; (out) elements processed. Elements are processed
 *	in order, each as by the single-element command; the first failure
 *	stops the batch and is returned, @count telling which one it was.
 * @__reserved: must be 0.
 */
struct hmap_ioc_batch {
	__u32 size;
	__u32 flags;
	__aligned_u64 keys;
	__aligned_u64 values;
	__u32 count;
	__u32 __reserved;
};

#define HMAP_IOC_BATCH_SIZE_VER0	32
#define HMAP_IOC_BATCH_LOOKUP	_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_BATCH_LOOKUP)
#define HMAP_IOC_BATCH_UPDATE	_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_BATCH_UPDATE)
#define HMAP_IOC_BATCH_DELETE	_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_BATCH_DELETE)

/**
 * struct hmap_ioc_dump - HMAP_IOC_DUMP: walk the map in chunks.
 * @size: (in) sizeof(struct hmap_ioc_dump).
 * @flags: (in) must be 0.
 * @keys: (in) room for @count keys.
 * @values: (in) room for @count values, or 0 to dump keys only.
 * @cursor: (in) 0 to start a dump, else the cursor the previous call on this
 *	open file returned; (out) the cursor for the next call, 0 once the dump
 *	is complete.
 * @count: (in) room in @keys and @values, at least 1; (out) entries written.
 *	Fewer than requested does not mean the end: only @cursor 0 does.
 * @__reserved: must be 0.
 *
 * A dump returns no key twice, and every key that is present from the
 * first call to the last at least once, however much the map grows or
 * shrinks in between. Values are those at the time the entry was read.
 *
 * The dump's state belongs to the open file (descriptors from dup() or
 * fork() share it): one dump at a time per open file, and a call with
 * cursor 0 abandons the one in progress. A call that fails with EFAULT
 * consumes nothing: repeating it with the same cursor returns the same
 * entries. Closing the descriptor ends the dump.
 *
 * Memory: a dump in progress keeps the bucket arrays it stands in (at most
 * two) and its read-ahead stash (at most 256 KiB) until it ends or the
 * descriptor is closed, even after the map has grown, shrunk or been
 * cleared; it stays charged to the memory cgroup that allocated it. Keys
 * over 128 bytes deleted during a dump are held back for it up to the
 * larger of 1 MiB and the size of the map's live keys, then freed, and the
 * dump fails with ESTALE. A parked dump pins no more than that.
 */
struct hmap_ioc_dump {
	__u32 size;
	__u32 flags;
	__aligned_u64 keys;
	__aligned_u64 values;
	__u64 cursor;
	__u32 count;
	__u32 __reserved;
};

#define HMAP_IOC_DUMP_SIZE_VER0		40
#define HMAP_IOC_DUMP		_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_DUMP)

/**
 * struct hmap_ioc_count - HMAP_IOC_COUNT: number of entries.
 * @size: (in) sizeof(struct hmap_ioc_count).
 * @flags: (in) must be 0.
 * @count: (out) entries.
 */
struct hmap_ioc_count {
	__u32 size;
	__u32 flags;
	__u64 count;
};

#define HMAP_IOC_COUNT_SIZE_VER0	16
#define HMAP_IOC_COUNT		_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_COUNT)

/**
 * struct hmap_ioc_clear - HMAP_IOC_CLEAR: remove every entry.
 * @size: (in) sizeof(struct hmap_ioc_clear).
 * @flags: (in) must be 0.
 *
 * The map then holds the memory a new map with its size hint holds. A dump
 * in progress on any descriptor goes on without returning any key twice;
 * as for any key added during a dump, keys added after the clear may or may
 * not be returned.
 */
struct hmap_ioc_clear {
	__u32 size;
	__u32 flags;
};

#define HMAP_IOC_CLEAR_SIZE_VER0	8
#define HMAP_IOC_CLEAR		_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_CLEAR)

/* hmap_ioc_stats.state */
#define HMAP_STATS_GROWING	0x1 /* an evacuation is in progress */
#define HMAP_STATS_SAME_SIZE	0x2 /* ... and it keeps B (compaction) */
#define HMAP_STATS_SHRINKING	0x4 /* ... and it halves B (after deletes) */
#define HMAP_STATS_FLOODED	0x8 /* rehashed with hsiphash after a flood */

/**
 * struct hmap_ioc_stats - HMAP_IOC_STATS: the shape of the map.
 * @size: (in) sizeof(struct hmap_ioc_stats).
 * @flags: (in) must be 0.
 * @count: (out) entries.
 * @B: (out) log2 of the number of buckets (of the largest shard).
 * @state: (out) HMAP_STATS_*.
 * @buckets: (out) buckets in the current arrays.
 * @overflow: (out) overflow buckets chained to them.
 * @old_buckets: (out) buckets in the arrays being evacuated.
 * @nevacuate: (out) of those, how many are evacuated.
 * @bytes: (out) memory held by the map's arrays and entries.
 * @growths: (out) growths started since creation.
 * @shards: (out) independently locked parts (1 unless sharded).
 * @__reserved: (out) 0.
 * @chain_hist: (out) buckets chains by length: [0] one bucket, [1] two,
 *	..., [7] eight or more.
 * @shrinks: (out) shrinks started since creation (from size VER1).
 */
struct hmap_ioc_stats {
	__u32 size;
	__u32 flags;
	__u64 count;
	__u32 B;
	__u32 state;
	__u64 buckets;
	__u64 overflow;
	__u64 old_buckets;
	__u64 nevacuate;
	__u64 bytes;
	__u64 growths;
	__u32 shards;
	__u32 __reserved;
	__u64 chain_hist[HMAP_CHAIN_HIST_LEN];
	__u64 shrinks;
};

#define HMAP_IOC_STATS_SIZE_VER0	144
#define HMAP_IOC_STATS_SIZE_VER1	152
#define HMAP_IOC_STATS		_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_STATS)

/**
 * struct hmap_ioc_pin - HMAP_IOC_PIN: make a file in an hmapfs for the map.
 * @size: (in) sizeof(struct hmap_ioc_pin).
 * @flags: (in) must be 0.
 * @path: (in) pointer to the NUL-terminated path of the new file, relative
 *	to @dirfd unless absolute, as for mknodat(2); its directory must be in
 *	an hmapfs.
 * @dirfd: (in) a directory descriptor, or AT_FDCWD.
 * @mode: (in) permission bits of the file, at most 0777, less the caller's
 *	umask; 0 stands for 0600.
 *
 * The file belongs to the caller's fsuid and fsgid (the directory's group
 * if it is setgid) and refers to the map until it is removed. The
 * descriptor must be read-write: a read-only one must not become a file
 * its pinner could open read-write.
 */
struct hmap_ioc_pin {
	__u32 size;
	__u32 flags;
	__aligned_u64 path;
	__s32 dirfd;
	__u32 mode;
};

#define HMAP_IOC_PIN_SIZE_VER0		24
#define HMAP_IOC_PIN		_IO(HMAP_IOC_TYPE, HMAP_IOC_NR_PIN)

#endif /* _UAPI_LINUX_HMAP_H */
