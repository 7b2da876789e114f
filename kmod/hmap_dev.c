// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_dev.ko: /dev/hmap and map descriptors, hmap for userspace.
 *
 * A module of its own that uses hmap.ko through its exports, as any other
 * in-kernel consumer does: hmap.ko never calls back into it, and a kernel
 * that only uses hmap in-kernel has no /dev/hmap.
 *
 * The ABI, its rules and its errno table are in include/uapi/linux/hmap.h.
 */
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/hmap.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/version.h>
#include <uapi/linux/hmap.h>

/**
 * DOC: Design
 *
 * Each map made through /dev/hmap is a &struct hmapdev_map around a
 * &struct hmap. Every open map file holds a reference, and so does every
 * inode of an hmapfs that pins it; the last reference destroys the map.
 * There is no table of maps: a map is reached through a descriptor or
 * through a file. The element commands take no lock of this file: struct
 * hmap serializes its writers and runs lookups locklessly.
 *
 * A map file's private data is a &struct hmapdev_file, which holds the
 * state of the dump in progress on that open file: an in-kernel iterator
 * (which returns every key present for the whole walk exactly once, across
 * growth) and a stash of entries read from it but not yet delivered. The
 * stash is what lets a DUMP that faults on the user's buffer be repeated
 * without losing entries.
 *
 * Every file holds a module reference (fops.owner) and so does every
 * mounted hmapfs (its file_system_type), so at module exit no map remains.
 *
 * hmapfs is a small pseudo-filesystem in the manner of bpffs: directories,
 * and regular files that each pin one map (inode->i_private). The VFS does
 * the rest: permissions, rename, unlink, mount namespaces, LSM hooks.
 */

/* Entries a dump reads ahead at most, in bytes (at least one entry). */
#define HMAPDEV_DUMP_STASH_BYTES	(256 * 1024)

/*
 * What userspace makes the module allocate is charged to the caller's
 * memory cgroup, and fails with ENOMEM at its limit rather than waking the
 * OOM killer: a process filling a map must not get itself (or another
 * process of its cgroup) killed for it. __GFP_NORETRY: one reclaim pass,
 * then ENOMEM (with __GFP_RETRY_MAYFAIL, a charge at memory.max spun in
 * reclaim for minutes under TCG instead of failing).
 */
#define HMAPDEV_GFP	(GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN)
/*
 * Scratch room a command frees before it returns (a key and value, a batch
 * chunk): not charged, as bpf(2) does for its value buffers, so that a
 * lookup still works in a cgroup at its memory.max.
 */
#define HMAPDEV_SCRATCH_GFP	(GFP_USER | __GFP_NOWARN)

static unsigned long max_entries_limit = HMAP_IOC_DEFAULT_MAX_ENTRIES;
module_param(max_entries_limit, ulong, 0644);
MODULE_PARM_DESC(max_entries_limit,
		 "largest max_entries of a map made through /dev/hmap (default 16777216, 0: none allowed)");

/**
 * struct hmapdev_map - a map as userspace sees it.
 * @refs: open files plus hmapfs inodes that refer to the map.
 * @m: the map.
 * @id: hmap_id() of @m.
 * @flags: HMAP_CREATE_F_* from creation.
 * @key_size: bytes per key.
 * @value_size: bytes per value.
 * @max_entries: effective limit on entries.
 * @shard_bits: from creation.
 */
struct hmapdev_map {
	refcount_t refs;
	struct hmap *m;
	u32 id;
	u32 flags;
	u32 key_size;
	u32 value_size;
	u64 max_entries;
	u32 shard_bits;
};

/**
 * struct hmapdev_dump - a dump in progress on an open file.
 * @iter: position in the map.
 * @active: a dump is in progress (@iter was started).
 * @iterating: @iter has not reached the end yet (and must be ended).
 * @cursor: the cursor the caller must present next.
 * @stash: @len entries read from @iter, starting at index @head, not
 *	yet delivered; each is key_size + value_size bytes.
 * @cap: entries @stash can hold.
 * @head: first undelivered entry.
 * @len: undelivered entries.
 * @error: -ESTALE if @iter ended early (see hmap_iter_error()).
 */
struct hmapdev_dump {
	struct hmap_iter iter;
	bool active;
	bool iterating;
	u64 cursor;
	u8 *stash;
	u32 cap;
	u32 head;
	u32 len;
	int error;
};

/**
 * struct hmapdev_file - an open map descriptor.
 * @map: the map; the file holds a reference.
 * @dump_lock: serializes DUMP calls on this file and protects @dump.
 * @dump: the dump in progress, if any.
 * @last_cursor: last cursor handed out on this file; cursors never repeat.
 */
struct hmapdev_file {
	struct hmapdev_map *map;
	struct mutex dump_lock;	/* DUMP calls and @dump */
	struct hmapdev_dump dump;
	u64 last_cursor;
};

/* ---- the command gate ---- */

/**
 * union hmapdev_args - room for the argument of any command.
 * @create: HMAP_IOC_CREATE.
 * @info: HMAP_IOC_INFO.
 * @elem: HMAP_IOC_LOOKUP, UPDATE, DELETE, LOOKUP_AND_DELETE.
 * @batch: HMAP_IOC_BATCH_*.
 * @dump: HMAP_IOC_DUMP.
 * @count: HMAP_IOC_COUNT.
 * @clear: HMAP_IOC_CLEAR.
 * @stats: HMAP_IOC_STATS.
 * @pin: HMAP_IOC_PIN.
 */
union hmapdev_args {
	struct hmap_ioc_create create;
	struct hmap_ioc_info info;
	struct hmap_ioc_elem elem;
	struct hmap_ioc_batch batch;
	struct hmap_ioc_dump dump;
	struct hmap_ioc_count count;
	struct hmap_ioc_clear clear;
	struct hmap_ioc_stats stats;
	struct hmap_ioc_pin pin;
};

/**
 * struct hmapdev_ucmd - one command being executed.
 * @file: the file it was issued on.
 * @nr: _IOC_NR() of the command.
 * @ubuf: the caller's structure.
 * @usize: its size as the caller gave it.
 * @ksize: its size as the kernel knows it.
 * @args: the structure, copied in and zero-extended.
 */
struct hmapdev_ucmd {
	struct file *file;
	unsigned int nr;
	void __user *ubuf;
	u32 usize;
	u32 ksize;
	union hmapdev_args args;
};

/**
 * struct hmapdev_op - how to run one command.
 * @cmd: the full command number.
 * @size: sizeof() of its structure.
 * @min_size: the first published size of its structure.
 * @write: modifies the map (refused on read-only descriptors).
 * @run: handler.
 */
struct hmapdev_op {
	unsigned int cmd;
	u32 size;
	u32 min_size;
	bool write;
	int (*run)(struct hmapdev_ucmd *uc);
};

/* Copy the (updated) structure back, up to the smaller of the two sizes. */
static int hmapdev_respond(struct hmapdev_ucmd *uc)
{
	if (copy_to_user(uc->ubuf, &uc->args, min(uc->usize, uc->ksize)))
		return -EFAULT;
	return 0;
}

/*
 * The one validation gate: command number, size, copy-in with the unknown
 * tail checked for zeroes, write permission; then the handler.
 */
static long hmapdev_dispatch(struct file *file, const struct hmapdev_op *ops,
			     unsigned int nops, unsigned int base,
			     unsigned int cmd, unsigned long arg)
{
	struct hmapdev_ucmd uc = { .file = file, .ubuf = (void __user *)arg };
	const struct hmapdev_op *op;
	unsigned int nr = _IOC_NR(cmd);
	int ret;

	if (nr < base || nr - base >= nops)
		return -ENOIOCTLCMD;
	op = &ops[nr - base];
	if (!op->run || op->cmd != cmd)
		return -ENOIOCTLCMD;
	if (get_user(uc.usize, (u32 __user *)uc.ubuf))
		return -EFAULT;
	if (uc.usize < op->min_size)
		return -EINVAL;
	if (uc.usize > PAGE_SIZE)
		return -E2BIG;
	uc.nr = nr;
	uc.ksize = op->size;
	ret = copy_struct_from_user(&uc.args, op->size, uc.ubuf, uc.usize);
	if (ret)
		return ret;
	if (op->write && !(file->f_mode & FMODE_WRITE))
		return -EPERM;
	return op->run(&uc);
}

/* The user pointer to element @i of an array of @size-byte elements. */
static void __user *hmapdev_uptr(u64 base, u64 i, u32 size)
{
	return u64_to_user_ptr(base + i * size);
}

/* ---- maps ---- */

/* Drop a reference; the last one destroys the map. */
static void hmapdev_map_put(struct hmapdev_map *map)
{
	if (!refcount_dec_and_test(&map->refs))
		return;
	hmap_destroy(map->m);
	kfree(map);
}

/* The state of a new open file of @map; the caller gives it a reference. */
static struct hmapdev_file *hmapdev_file_new(struct hmapdev_map *map)
{
	struct hmapdev_file *hf;

	hf = kzalloc(sizeof(*hf), HMAPDEV_GFP);
	if (!hf)
		return NULL;
	hf->map = map;
	mutex_init(&hf->dump_lock);
	return hf;
}

static void hmapdev_file_free(struct hmapdev_file *hf)
{
	mutex_destroy(&hf->dump_lock);
	kfree(hf);
}

static const struct file_operations hmapdev_map_fops;

/*
 * A new descriptor for @map, not yet installed. It takes over a reference
 * to @map the caller holds, but only on success.
 */
static struct file *hmapdev_map_file(struct hmapdev_map *map, int oflags)
{
	struct hmapdev_file *hf;
	struct file *file;

	hf = hmapdev_file_new(map);
	if (!hf)
		return ERR_PTR(-ENOMEM);
	file = anon_inode_getfile("[hmap]", &hmapdev_map_fops, hf, oflags);
	if (IS_ERR(file))
		hmapdev_file_free(hf);
	return file;
}

/* ---- /dev/hmap commands ---- */

static int hmapdev_check_create(const struct hmap_ioc_create *a,
				u64 *max_entries)
{
	unsigned long limit = READ_ONCE(max_entries_limit);

	if (a->flags & ~HMAP_CREATE_F_SHARDED)
		return -EINVAL;
	if (!a->key_size)
		return -EINVAL;
	if (a->key_size > HMAP_KEY_SIZE_MAX ||
	    a->value_size > HMAP_VALUE_SIZE_MAX)
		return -E2BIG;
	if (a->flags & HMAP_CREATE_F_SHARDED) {
		if (!a->shard_bits || a->shard_bits > HMAP_SHARD_BITS_MAX)
			return -EINVAL;
	} else if (a->shard_bits) {
		return -EINVAL;
	}
	*max_entries = a->max_entries ?:
		       min_t(u64, HMAP_IOC_DEFAULT_MAX_ENTRIES, limit);
	/* A limit of 0 refuses every map. */
	if (!*max_entries || *max_entries > limit)
		return -E2BIG;
	return 0;
}

static struct hmapdev_map *hmapdev_map_new(const struct hmap_ioc_create *a,
					   u64 max_entries)
{
	struct hmap_params p = {
		.key_size = a->key_size,
		.value_size = a->value_size,
		.size_hint = min(a->size_hint, max_entries),
		.max_entries = max_entries,
		.flags = HMAP_F_ACCOUNT,
	};
	struct hmapdev_map *map;

	if (a->flags & HMAP_CREATE_F_SHARDED) {
		p.flags |= HMAP_F_SHARDED;
		p.shard_bits = a->shard_bits;
	}
	map = kzalloc(sizeof(*map), HMAPDEV_GFP);
	if (!map)
		return ERR_PTR(-ENOMEM);
	map->m = hmap_create(&p, HMAPDEV_GFP);
	if (IS_ERR(map->m)) {
		long err = PTR_ERR(map->m);

		kfree(map);
		return ERR_PTR(err);
	}
	refcount_set(&map->refs, 1);
	map->id = hmap_id(map->m);
	map->flags = a->flags;
	map->key_size = a->key_size;
	map->value_size = a->value_size;
	map->max_entries = max_entries;
	map->shard_bits = a->shard_bits;
	return map;
}

/*
 * Give the caller a new read-write descriptor for @map, which hands over a
 * reference to it (on failure too): allocate the descriptor and the file,
 * report the map's id in @out_id and the structure, then install. Nothing
 * is installed if a step fails.
 */
static int hmapdev_new_fd(struct hmapdev_ucmd *uc, struct hmapdev_map *map,
			  u32 *out_id)
{
	struct file *file;
	int fd, ret;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		hmapdev_map_put(map);
		return fd;
	}
	file = hmapdev_map_file(map, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		hmapdev_map_put(map);
		return PTR_ERR(file);
	}
	/* From here on the file owns the map: fput() releases both. */
	*out_id = map->id;
	ret = hmapdev_respond(uc);
	if (ret) {
		put_unused_fd(fd);
		fput(file);
		return ret;
	}
	fd_install(fd, file);
	return fd;
}

static int hmapdev_ioc_create(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_create *a = &uc->args.create;
	struct hmapdev_map *map;
	u64 max_entries;
	int ret;

	ret = hmapdev_check_create(a, &max_entries);
	if (ret)
		return ret;
	map = hmapdev_map_new(a, max_entries);
	if (IS_ERR(map))
		return PTR_ERR(map);
	return hmapdev_new_fd(uc, map, &a->out_id);
}

/* Describe @map into a zeroed @info. */
static void hmapdev_fill_info(const struct hmapdev_map *map,
			      struct hmap_ioc_info *info)
{
	info->size = sizeof(*info);
	info->id = map->id;
	info->map_flags = map->flags;
	info->key_size = map->key_size;
	info->value_size = map->value_size;
	info->max_entries = map->max_entries;
	info->count = hmap_len(map->m);
	info->shard_bits = map->shard_bits;
}

/* ---- map descriptor commands ---- */

static struct hmapdev_map *uc_map(const struct hmapdev_ucmd *uc)
{
	struct hmapdev_file *hf = uc->file->private_data;

	return hf->map;
}

static int hmapdev_ioc_info(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_info *a = &uc->args.info;
	u32 usize = a->size;

	if (a->flags)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	hmapdev_fill_info(uc_map(uc), a);
	a->size = usize;
	if (!(uc->file->f_mode & FMODE_WRITE))
		a->info_flags |= HMAP_INFO_RDONLY;
	return hmapdev_respond(uc);
}

/* Scratch room for one key and one value. */
static u8 *hmapdev_elem_buf(const struct hmapdev_map *map)
{
	return kvmalloc(map->key_size + map->value_size, HMAPDEV_SCRATCH_GFP);
}

/*
 * Run element command @nr on the key at @ukey and the value at @uval,
 * using @buf as scratch.
 */
static int hmapdev_elem(struct hmapdev_map *map, unsigned int nr, u64 ukey,
			u64 uval, u32 flags, u8 *buf)
{
	void __user *uv = u64_to_user_ptr(uval);
	u32 vs = map->value_size;
	u8 *val = buf + map->key_size;
	int ret;

	if (copy_from_user(buf, u64_to_user_ptr(ukey), map->key_size))
		return -EFAULT;
	switch (nr) {
	case HMAP_IOC_NR_LOOKUP:
		ret = hmap_lookup(map->m, buf, val);
		if (!ret && copy_to_user(uv, val, vs))
			ret = -EFAULT;
		return ret;
	case HMAP_IOC_NR_UPDATE:
		if (copy_from_user(val, uv, vs))
			return -EFAULT;
		return hmap_update(map->m, buf, val, flags, HMAPDEV_GFP);
	case HMAP_IOC_NR_DELETE:
		return hmap_delete(map->m, buf);
	case HMAP_IOC_NR_LOOKUP_AND_DELETE:
		/* Fault on the value buffer before the entry is gone. */
		if (clear_user(uv, vs))
			return -EFAULT;
		ret = hmap_lookup_and_delete(map->m, buf, val);
		if (!ret && copy_to_user(uv, val, vs))
			ret = -EFAULT;
		return ret;
	}
	return -ENOIOCTLCMD;
}

/* Are @flags and the value pointer valid for element command @nr? */
static bool hmapdev_elem_args_ok(unsigned int nr, u32 flags, u64 uval)
{
	switch (nr) {
	case HMAP_IOC_NR_UPDATE:
	case HMAP_IOC_NR_BATCH_UPDATE:
		return flags <= HMAP_UPDATE_EXIST;
	case HMAP_IOC_NR_DELETE:
	case HMAP_IOC_NR_BATCH_DELETE:
		return !flags && !uval;
	default:
		return !flags;
	}
}

static int hmapdev_ioc_elem(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_elem *a = &uc->args.elem;
	struct hmapdev_map *map = uc_map(uc);
	u8 *buf;
	int ret;

	if (!hmapdev_elem_args_ok(uc->nr, a->flags, a->value))
		return -EINVAL;
	buf = hmapdev_elem_buf(map);
	if (!buf)
		return -ENOMEM;
	ret = hmapdev_elem(map, uc->nr, a->key, a->value, a->flags, buf);
	kvfree(buf);
	return ret;
}

/* Elements a batch command copies in (and out) at once, by bytes. */
#define HMAPDEV_BATCH_BYTES	(16 * 1024)

/*
 * Copy @n elements' keys (and values, for BATCH_UPDATE) from the caller
 * into @kbuf and @vbuf. Return: how many arrived whole; the next one
 * faulted if that is less than @n.
 */
static u32 hmapdev_batch_in(struct hmapdev_map *map, unsigned int nr,
			    const struct hmap_ioc_batch *a, u32 base, u32 n,
			    u8 *kbuf, u8 *vbuf)
{
	u32 ks = map->key_size, vs = map->value_size;
	unsigned long left;
	u32 ok;

	left = copy_from_user(kbuf, hmapdev_uptr(a->keys, base, ks),
			      (size_t)n * ks);
	ok = n - DIV_ROUND_UP(left, ks);
	if (nr == HMAP_IOC_NR_BATCH_UPDATE && vs && ok) {
		left = copy_from_user(vbuf, hmapdev_uptr(a->values, base, vs),
				      (size_t)ok * vs);
		ok -= DIV_ROUND_UP(left, vs);
	}
	return ok;
}

/* Run @nr on @n elements already copied in; *@n: how many succeeded. */
static int hmapdev_batch_run(struct hmapdev_map *map, unsigned int nr,
			     u64 flags, const u8 *kbuf, u8 *vbuf, u32 *n)
{
	switch (nr) {
	case HMAP_IOC_NR_BATCH_LOOKUP:
		return hmap_lookup_batch(map->m, kbuf, vbuf, n);
	case HMAP_IOC_NR_BATCH_UPDATE:
		return hmap_update_batch(map->m, kbuf, vbuf, n, flags,
					 HMAPDEV_GFP);
	default:
		return hmap_delete_batch(map->m, kbuf, n);
	}
}

/*
 * The batch commands copy keys and values in and out a chunk at a time
 * and hand each chunk to the in-kernel batch calls, which hash, prefetch
 * and probe it as a whole. Errors keep the per-element contract: @count
 * is the first element that failed (or faulted), the ones before it done.
 */
static int hmapdev_ioc_batch(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_batch *a = &uc->args.batch;
	struct hmapdev_map *map = uc_map(uc);
	u32 ks = map->key_size, vs = map->value_size;
	u32 cap, done = 0, n, in, ran;
	u8 *kbuf, *vbuf;
	int ret = 0;

	if (a->__reserved || !hmapdev_elem_args_ok(uc->nr, a->flags, a->values))
		return -EINVAL;
	cap = clamp_t(u32, HMAPDEV_BATCH_BYTES / (ks + vs), 1, a->count ?: 1);
	kbuf = kvmalloc_array(cap, ks + vs, HMAPDEV_SCRATCH_GFP);
	if (!kbuf) {
		/* No element was done: say so, as for any failing element. */
		a->count = 0;
		return hmapdev_respond(uc) ?: -ENOMEM;
	}
	vbuf = kbuf + (size_t)cap * ks;
	while (done < a->count) {
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		n = min(cap, a->count - done);
		in = hmapdev_batch_in(map, uc->nr, a, done, n, kbuf, vbuf);
		ran = in;
		ret = hmapdev_batch_run(map, uc->nr, a->flags, kbuf, vbuf, &ran);
		/* BATCH_LOOKUP: out go the values of the keys found. */
		if (uc->nr == HMAP_IOC_NR_BATCH_LOOKUP && vs && ran) {
			unsigned long left;

			left = copy_to_user(hmapdev_uptr(a->values, done, vs),
					    vbuf, (size_t)ran * vs);
			if (left) {
				ran -= DIV_ROUND_UP(left, vs);
				ret = -EFAULT;
			}
		}
		done += ran;
		if (!ret && in < n)
			ret = -EFAULT;
		if (ret)
			break;
		cond_resched();
	}
	kvfree(kbuf);
	a->count = done;
	return hmapdev_respond(uc) ?: ret;
}

static void hmapdev_dump_end(struct hmapdev_dump *d)
{
	if (d->iterating)
		hmap_iter_end(&d->iter);
	kvfree(d->stash);
	memset(d, 0, sizeof(*d));
}

static int hmapdev_dump_begin(struct hmapdev_map *map, struct hmapdev_dump *d,
			      u32 count)
{
	size_t esize = map->key_size + map->value_size;
	u32 cap = max_t(size_t, 1, HMAPDEV_DUMP_STASH_BYTES / esize);

	cap = min(cap, count);
	d->stash = kvmalloc_array(cap, esize, HMAPDEV_GFP);
	if (!d->stash)
		return -ENOMEM;
	d->cap = cap;
	hmap_iter_start(map->m, &d->iter);
	d->active = true;
	d->iterating = true;
	return 0;
}

/* Read the next entries from the iterator into the (empty) stash. */
static void hmapdev_dump_fill(struct hmapdev_map *map, struct hmapdev_dump *d)
{
	size_t esize = map->key_size + map->value_size;
	u8 *e;

	d->head = 0;
	for (d->len = 0; d->len < d->cap; d->len++) {
		e = d->stash + d->len * esize;
		if (!hmap_iter_next(&d->iter, e, e + map->key_size)) {
			d->error = hmap_iter_error(&d->iter);
			hmap_iter_end(&d->iter);
			d->iterating = false;
			break;
		}
		if (!(d->len % 64))
			cond_resched();
	}
}

/* Copy @n stashed entries to the caller's arrays. */
static int hmapdev_dump_copy(struct hmapdev_map *map, struct hmapdev_dump *d,
			     const struct hmap_ioc_dump *a, u32 n)
{
	size_t esize = map->key_size + map->value_size;
	u32 ks = map->key_size, vs = map->value_size;
	const u8 *e;
	u32 i;

	for (i = 0; i < n; i++) {
		e = d->stash + (size_t)(d->head + i) * esize;
		if (copy_to_user(hmapdev_uptr(a->keys, i, ks), e, ks))
			return -EFAULT;
		if (a->values && vs &&
		    copy_to_user(hmapdev_uptr(a->values, i, vs), e + ks, vs))
			return -EFAULT;
	}
	return 0;
}

static int hmapdev_ioc_dump(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_dump *a = &uc->args.dump;
	struct hmapdev_file *hf = uc->file->private_data;
	struct hmapdev_map *map = hf->map;
	struct hmapdev_dump *d = &hf->dump;
	bool last;
	u32 n;
	int ret = 0;

	if (a->flags || a->__reserved || !a->count)
		return -EINVAL;

	mutex_lock(&hf->dump_lock);
	if (!a->cursor) {
		hmapdev_dump_end(d);
		ret = hmapdev_dump_begin(map, d, a->count);
	} else if (!d->active || a->cursor != d->cursor) {
		ret = -EINVAL;
	}
	if (ret)
		goto out_unlock;
	if (!d->len && d->iterating)
		hmapdev_dump_fill(map, d);
	if (d->error) {
		/* Keys this dump might still need were freed: start again. */
		ret = d->error;
		hmapdev_dump_end(d);
		goto out_unlock;
	}

	/* Deliver; commit (consume the entries) only if nothing faulted. */
	n = min(a->count, d->len);
	ret = hmapdev_dump_copy(map, d, a, n);
	if (ret)
		goto out_unlock;
	last = !d->iterating && n == d->len;
	a->count = n;
	a->cursor = last ? 0 : hf->last_cursor + 1;
	ret = hmapdev_respond(uc);
	if (ret)
		goto out_unlock;
	if (last) {
		hmapdev_dump_end(d);
	} else {
		d->head += n;
		d->len -= n;
		d->cursor = ++hf->last_cursor;
	}
out_unlock:
	mutex_unlock(&hf->dump_lock);
	return ret;
}

static int hmapdev_ioc_count(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_count *a = &uc->args.count;

	if (a->flags)
		return -EINVAL;
	a->count = hmap_len(uc_map(uc)->m);
	return hmapdev_respond(uc);
}

static int hmapdev_ioc_clear(struct hmapdev_ucmd *uc)
{
	if (uc->args.clear.flags)
		return -EINVAL;
	hmap_clear(uc_map(uc)->m, HMAPDEV_GFP);
	return 0;
}

static int hmapdev_ioc_stats(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_stats *a = &uc->args.stats;
	struct hmap_stats st;
	u32 usize = a->size;
	unsigned int i;

	if (a->flags || a->__reserved)
		return -EINVAL;
	hmap_get_stats(uc_map(uc)->m, &st);
	memset(a, 0, sizeof(*a));
	a->size = usize;
	a->count = st.count;
	a->B = st.B;
	a->state = (st.growing ? HMAP_STATS_GROWING : 0) |
		   (st.same_size ? HMAP_STATS_SAME_SIZE : 0) |
		   (st.shrinking ? HMAP_STATS_SHRINKING : 0) |
		   (st.flooded ? HMAP_STATS_FLOODED : 0);
	a->buckets = st.buckets;
	a->overflow = st.overflow;
	a->old_buckets = st.old_buckets;
	a->nevacuate = st.nevacuate;
	a->bytes = st.bytes;
	a->growths = st.growths;
	a->shrinks = st.shrinks;
	a->shards = st.shards;
	for (i = 0; i < HMAP_CHAIN_HIST_LEN; i++)
		a->chain_hist[i] = st.chain_hist[i];
	return hmapdev_respond(uc);
}

/* ---- hmapfs ---- */

/*
 * hmapfs builds for 6.1 (Debian 12's kernel) too. Kernels before 6.3 pass
 * a user namespace where later ones pass an idmapping; hmapfs uses neither
 * beyond handing it back to the VFS. 6.7 added the timestamp helpers.
 */
#define HMAPFS_SINCE(major, minor)					\
	(LINUX_VERSION_MAJOR * 256 + LINUX_VERSION_PATCHLEVEL >=	\
	 (major) * 256 + (minor))
#if !HMAPFS_SINCE(6, 3)
#define mnt_idmap	user_namespace
#define nop_mnt_idmap	init_user_ns
#endif

static const struct inode_operations hmapfs_dir_iops;

static void hmapfs_init_times(struct inode *inode)
{
#if HMAPFS_SINCE(6, 7)
	simple_inode_init_ts(inode);
#elif HMAPFS_SINCE(6, 6)
	inode->i_atime = inode_set_ctime_current(inode);
	inode->i_mtime = inode->i_atime;
#else
	inode->i_atime = current_time(inode);
	inode->i_mtime = inode->i_atime;
	inode->i_ctime = inode->i_atime;
#endif
}

static void hmapfs_dir_changed(struct inode *dir)
{
#if HMAPFS_SINCE(6, 7)
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
#elif HMAPFS_SINCE(6, 6)
	dir->i_mtime = inode_set_ctime_current(dir);
#else
	dir->i_mtime = current_time(dir);
	dir->i_ctime = dir->i_mtime;
#endif
}

/* A new inode of @mode in directory @dir, owned as the VFS rules say. */
static struct inode *hmapfs_new_inode(struct inode *dir, umode_t mode)
{
	struct inode *inode = new_inode(dir->i_sb);

	if (!inode)
		return NULL;
	inode->i_ino = get_next_ino();
	inode_init_owner(&nop_mnt_idmap, inode, dir, mode);
	hmapfs_init_times(inode);
	return inode;
}

/* Make @inode the one of @dentry, pinned in the dcache as ramfs does. */
static void hmapfs_instantiate(struct inode *dir, struct dentry *dentry,
			       struct inode *inode)
{
	d_instantiate(dentry, inode);
	dget(dentry);
	hmapfs_dir_changed(dir);
}

static int hmapfs_mkdir(struct mnt_idmap *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode)
{
	struct inode *inode = hmapfs_new_inode(dir, S_IFDIR | mode);

	if (!inode)
		return -ENOMEM;
	inode->i_op = &hmapfs_dir_iops;
	inode->i_fop = &simple_dir_operations;
	inc_nlink(inode);
	inc_nlink(dir);
	hmapfs_instantiate(dir, dentry, inode);
	return 0;
}

static const struct inode_operations hmapfs_dir_iops = {
	.lookup = simple_lookup,
	.mkdir = hmapfs_mkdir,
	.rmdir = simple_rmdir,
	.unlink = simple_unlink,
	.rename = simple_rename,
};

/* A map file has no size: truncate(2) and O_TRUNC are refused. */
static int hmapfs_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			  struct iattr *attr)
{
	if (attr->ia_valid & ATTR_SIZE)
		return -EINVAL;
	return simple_setattr(idmap, dentry, attr);
}

static const struct inode_operations hmapfs_file_iops = {
	.setattr = hmapfs_setattr,
};

/* vfs_mkobj() callback: a regular file that holds a reference to @arg. */
static int hmapfs_mkmap(struct dentry *dentry, umode_t mode, void *arg)
{
	struct inode *dir = d_inode(dentry->d_parent);
	struct hmapdev_map *map = arg;
	struct inode *inode;

	inode = hmapfs_new_inode(dir, mode);
	if (!inode)
		return -ENOMEM;
	inode->i_op = &hmapfs_file_iops;
	inode->i_fop = &hmapdev_map_fops;
	refcount_inc(&map->refs);
	inode->i_private = map;
	hmapfs_instantiate(dir, dentry, inode);
	return 0;
}

/*
 * The path is created as mknodat(2) would create it (the VFS checks write
 * and search permission on the directory and runs the LSM hooks), in a
 * directory that must belong to an hmapfs.
 */
static int hmapdev_ioc_pin(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_pin *a = &uc->args.pin;
	struct dentry *dentry;
	struct path path;
	umode_t mode;
	int ret;

	if (a->flags || a->mode & ~0777)
		return -EINVAL;
	mode = S_IFREG | ((a->mode ?: 0600) & ~current_umask());
	dentry = user_path_create(a->dirfd, u64_to_user_ptr(a->path), &path, 0);
	if (IS_ERR(dentry))
		return PTR_ERR(dentry);
	if (d_inode(path.dentry)->i_op != &hmapfs_dir_iops) {
		ret = -EPERM;
		goto out;
	}
	ret = security_path_mknod(&path, dentry, mode, 0);
	if (!ret)
		ret = vfs_mkobj(dentry, mode, hmapfs_mkmap, uc_map(uc));
out:
	done_path_create(&path, dentry);
	return ret;
}

/*
 * open(2) of a pinned map: a map descriptor, read-only unless opened for
 * writing too. Write-only makes no sense for a map (every command but the
 * modifying ones reads it) and is refused.
 */
static int hmapfs_map_open(struct inode *inode, struct file *file)
{
	struct hmapdev_map *map = inode->i_private;
	struct hmapdev_file *hf;

	if (!(file->f_mode & FMODE_READ))
		return -EINVAL;
	hf = hmapdev_file_new(map);
	if (!hf)
		return -ENOMEM;
	refcount_inc(&map->refs);
	file->private_data = hf;
	return 0;
}

/* The last reference to a removed file: drop its reference to the map. */
static void hmapfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (S_ISREG(inode->i_mode) && inode->i_private)
		hmapdev_map_put(inode->i_private);
}

/* The root's mode by default: world-writable and sticky, as /tmp and bpffs. */
#define HMAPFS_ROOT_MODE	(S_ISVTX | 0777)

static int hmapfs_show_options(struct seq_file *m, struct dentry *root)
{
	struct inode *inode = d_inode(root);
	umode_t mode = inode->i_mode & S_IALLUGO;

	if (!uid_eq(inode->i_uid, GLOBAL_ROOT_UID))
		seq_printf(m, ",uid=%u",
			   from_kuid_munged(&init_user_ns, inode->i_uid));
	if (!gid_eq(inode->i_gid, GLOBAL_ROOT_GID))
		seq_printf(m, ",gid=%u",
			   from_kgid_munged(&init_user_ns, inode->i_gid));
	if (mode != HMAPFS_ROOT_MODE)
		seq_printf(m, ",mode=%o", mode);
	return 0;
}

static const struct super_operations hmapfs_super_ops = {
	.statfs = simple_statfs,
	.drop_inode = generic_delete_inode,
	.evict_inode = hmapfs_evict_inode,
	.show_options = hmapfs_show_options,
};

/**
 * struct hmapfs_opts - mount options: owner and mode of the root.
 * @uid: uid=, default the mounter's fsuid.
 * @gid: gid=, default the mounter's fsgid.
 * @mode: mode=, octal, default HMAPFS_ROOT_MODE.
 */
struct hmapfs_opts {
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
};

enum { HMAPFS_OPT_UID, HMAPFS_OPT_GID, HMAPFS_OPT_MODE };

static const struct fs_parameter_spec hmapfs_params[] = {
	fsparam_u32("uid", HMAPFS_OPT_UID),
	fsparam_u32("gid", HMAPFS_OPT_GID),
	fsparam_u32oct("mode", HMAPFS_OPT_MODE),
	{}
};

static int hmapfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct hmapfs_opts *opts = fc->fs_private;
	struct fs_parse_result result;
	int opt;

	/* -ENOPARAM: the VFS handles "source" and refuses the rest. */
	opt = fs_parse(fc, hmapfs_params, param, &result);
	if (opt < 0)
		return opt;
	switch (opt) {
	case HMAPFS_OPT_UID:
		opts->uid = make_kuid(current_user_ns(), result.uint_32);
		if (!uid_valid(opts->uid))
			return invalfc(fc, "Bad uid '%s'", param->string);
		break;
	case HMAPFS_OPT_GID:
		opts->gid = make_kgid(current_user_ns(), result.uint_32);
		if (!gid_valid(opts->gid))
			return invalfc(fc, "Bad gid '%s'", param->string);
		break;
	case HMAPFS_OPT_MODE:
		if (result.uint_32 & ~S_IALLUGO)
			return invalfc(fc, "Bad mode '%s'", param->string);
		opts->mode = result.uint_32;
		break;
	}
	return 0;
}

static int hmapfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	static const struct tree_descr no_files[] = { { "" } };
	struct hmapfs_opts *opts = fc->fs_private;
	struct inode *root;
	int ret;

	ret = simple_fill_super(sb, HMAPFS_MAGIC, no_files);
	if (ret)
		return ret;
	sb->s_op = &hmapfs_super_ops;
	root = d_inode(sb->s_root);
	root->i_op = &hmapfs_dir_iops;
	root->i_mode = S_IFDIR | opts->mode;
	root->i_uid = opts->uid;
	root->i_gid = opts->gid;
	return 0;
}

/* Every mount is a new, empty instance. */
static int hmapfs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, hmapfs_fill_super);
}

static void hmapfs_free_fc(struct fs_context *fc)
{
	kfree(fc->fs_private);
}

static const struct fs_context_operations hmapfs_context_ops = {
	.parse_param = hmapfs_parse_param,
	.get_tree = hmapfs_get_tree,
	.free = hmapfs_free_fc,
};

static int hmapfs_init_fs_context(struct fs_context *fc)
{
	struct hmapfs_opts *opts = kzalloc(sizeof(*opts), GFP_KERNEL);

	if (!opts)
		return -ENOMEM;
	opts->uid = current_fsuid();
	opts->gid = current_fsgid();
	opts->mode = HMAPFS_ROOT_MODE;
	fc->fs_private = opts;
	fc->ops = &hmapfs_context_ops;
	return 0;
}

/*
 * No MODULE_ALIAS_FS(): a mount attempt, which an unprivileged user may
 * make in a user namespace, must not load hmap. No FS_USERNS_MOUNT either:
 * whoever sets up a container mounts an instance for it.
 */
static struct file_system_type hmapfs_type = {
	.owner = THIS_MODULE,
	.name = "hmap",
	.init_fs_context = hmapfs_init_fs_context,
	.parameters = hmapfs_params,
	.kill_sb = kill_litter_super,
};

/* ---- file operations ---- */

/*
 * Command tables, indexed by _IOC_NR() - base. HMAPDEV_OP(base, NAME, type,
 * TYPE, ...) describes HMAP_IOC_NAME taking struct hmap_ioc_type, whose
 * first published size is HMAP_IOC_TYPE_SIZE_VER0.
 */
#define HMAPDEV_OP(_base, _name, _type, _TYPE, _write, _run)		\
	[HMAP_IOC_NR_##_name - (_base)] = {				\
		.cmd = HMAP_IOC_##_name,				\
		.size = sizeof(struct hmap_ioc_##_type),		\
		.min_size = HMAP_IOC_##_TYPE##_SIZE_VER0,		\
		.write = (_write),					\
		.run = (_run),						\
	}

#define DEV_BASE	HMAP_IOC_NR_CREATE
static const struct hmapdev_op hmapdev_dev_ops[] = {
	HMAPDEV_OP(DEV_BASE, CREATE, create, CREATE, true, hmapdev_ioc_create),
};

#define MAP_BASE	HMAP_IOC_NR_INFO
static const struct hmapdev_op hmapdev_map_ops[] = {
	HMAPDEV_OP(MAP_BASE, INFO, info, INFO, false, hmapdev_ioc_info),
	HMAPDEV_OP(MAP_BASE, LOOKUP, elem, ELEM, false, hmapdev_ioc_elem),
	HMAPDEV_OP(MAP_BASE, UPDATE, elem, ELEM, true, hmapdev_ioc_elem),
	HMAPDEV_OP(MAP_BASE, DELETE, elem, ELEM, true, hmapdev_ioc_elem),
	HMAPDEV_OP(MAP_BASE, LOOKUP_AND_DELETE, elem, ELEM, true,
		   hmapdev_ioc_elem),
	HMAPDEV_OP(MAP_BASE, BATCH_LOOKUP, batch, BATCH, false,
		   hmapdev_ioc_batch),
	HMAPDEV_OP(MAP_BASE, BATCH_UPDATE, batch, BATCH, true,
		   hmapdev_ioc_batch),
	HMAPDEV_OP(MAP_BASE, BATCH_DELETE, batch, BATCH, true,
		   hmapdev_ioc_batch),
	HMAPDEV_OP(MAP_BASE, DUMP, dump, DUMP, false, hmapdev_ioc_dump),
	HMAPDEV_OP(MAP_BASE, COUNT, count, COUNT, false, hmapdev_ioc_count),
	HMAPDEV_OP(MAP_BASE, CLEAR, clear, CLEAR, true, hmapdev_ioc_clear),
	HMAPDEV_OP(MAP_BASE, STATS, stats, STATS, false, hmapdev_ioc_stats),
	/* A write: a read-only descriptor must not become a read-write file. */
	HMAPDEV_OP(MAP_BASE, PIN, pin, PIN, true, hmapdev_ioc_pin),
};

static long hmapdev_dev_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	return hmapdev_dispatch(file, hmapdev_dev_ops,
				ARRAY_SIZE(hmapdev_dev_ops), DEV_BASE, cmd, arg);
}

static long hmapdev_map_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	return hmapdev_dispatch(file, hmapdev_map_ops,
				ARRAY_SIZE(hmapdev_map_ops), MAP_BASE, cmd, arg);
}

static int hmapdev_map_release(struct inode *inode, struct file *file)
{
	struct hmapdev_file *hf = file->private_data;

	hmapdev_dump_end(&hf->dump);
	hmapdev_map_put(hf->map);
	hmapdev_file_free(hf);
	return 0;
}

static void hmapdev_map_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct hmapdev_file *hf = file->private_data;
	const struct hmapdev_map *map = hf->map;

	seq_printf(m, "hmap_id:\t%u\n", map->id);
	seq_printf(m, "key_size:\t%u\n", map->key_size);
	seq_printf(m, "value_size:\t%u\n", map->value_size);
	seq_printf(m, "max_entries:\t%llu\n", map->max_entries);
	seq_printf(m, "count:\t%lu\n", hmap_len(map->m));
}

/* Map descriptors, from CREATE or from open(2) of an hmapfs file. */
static const struct file_operations hmapdev_map_fops = {
	.owner = THIS_MODULE,
	.open = hmapfs_map_open,
	.release = hmapdev_map_release,
	.unlocked_ioctl = hmapdev_map_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.show_fdinfo = hmapdev_map_show_fdinfo,
	.llseek = noop_llseek,
};

static const struct file_operations hmapdev_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hmapdev_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Root only: every map pins unswappable kernel memory (charged to the
 * memory cgroup of the writer, capped per map by max_entries_limit, and a
 * pinned map outlives its creator), so giving users access is an
 * administrator's decision, e.g. a udev rule setting a group and mode 0660.
 */
static struct miscdevice hmapdev_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hmap",
	.fops = &hmapdev_dev_fops,
	.mode = 0600,
};

/**
 * hmap_dev_init() - register /dev/hmap and hmapfs, make /sys/fs/hmap.
 *
 * Context: Module init.
 * Return: 0 or a negative errno.
 */
static int __init hmap_dev_init(void)
{
	int ret;

	/* The first published sizes are the current ones. */
	BUILD_BUG_ON(sizeof(struct hmap_ioc_create) != HMAP_IOC_CREATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_info) != HMAP_IOC_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_elem) != HMAP_IOC_ELEM_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_batch) != HMAP_IOC_BATCH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_dump) != HMAP_IOC_DUMP_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_count) != HMAP_IOC_COUNT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_clear) != HMAP_IOC_CLEAR_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_stats) != HMAP_IOC_STATS_SIZE_VER1);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_pin) != HMAP_IOC_PIN_SIZE_VER0);

	ret = sysfs_create_mount_point(fs_kobj, "hmap");
	if (ret)
		return ret;
	ret = register_filesystem(&hmapfs_type);
	if (ret)
		goto remove_mount_point;
	ret = misc_register(&hmapdev_misc);
	if (ret)
		goto unregister_fs;
	return 0;

unregister_fs:
	unregister_filesystem(&hmapfs_type);
remove_mount_point:
	sysfs_remove_mount_point(fs_kobj, "hmap");
	return ret;
}

/**
 * hmap_dev_exit() - undo hmap_dev_init().
 *
 * Every map descriptor, open /dev/hmap and mounted hmapfs holds a module
 * reference, so no map exists any more.
 *
 * Context: Module exit.
 */
static void __exit hmap_dev_exit(void)
{
	misc_deregister(&hmapdev_misc);
	unregister_filesystem(&hmapfs_type);
	sysfs_remove_mount_point(fs_kobj, "hmap");
}

module_init(hmap_dev_init);
module_exit(hmap_dev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hmap: /dev/hmap and hmapfs, hash maps for userspace");
MODULE_IMPORT_NS(HMAP_NS);
