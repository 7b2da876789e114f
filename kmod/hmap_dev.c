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
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hmap.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <uapi/linux/hmap.h>

/**
 * DOC: Design
 *
 * Each map made through /dev/hmap is a &struct hmapdev_map around a
 * &struct hmap. Every open map file holds a reference, and so does the name
 * of a named map until it is unlinked; the last reference destroys the
 * map. All maps are on one list (for HMAP_IOC_LIST), and the list, the
 * names and the reference counts are protected by hmapdev_lock. The element
 * commands take no lock of this file: struct hmap serializes its writers
 * and runs lookups locklessly.
 *
 * A map file's private data is a &struct hmapdev_file, which holds the
 * state of the dump in progress on that open file: an in-kernel iterator
 * (which returns every key present for the whole walk exactly once, across
 * growth) and a stash of entries read from it but not yet delivered. The
 * stash is what lets a DUMP that faults on the user's buffer be repeated
 * without losing entries.
 *
 * Every file holds a module reference (fops.owner), so at module exit only
 * named maps without open descriptors remain, and hmap_dev_exit()
 * frees them.
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
 * @node: entry in hmapdev_maps.
 * @refs: open files plus one while @linked; under hmapdev_lock.
 * @linked: reachable by name; under hmapdev_lock.
 * @m: the map.
 * @id: hmap_id() of @m.
 * @flags: HMAP_CREATE_F_* from creation.
 * @key_size: bytes per key.
 * @value_size: bytes per value.
 * @max_entries: effective limit on entries.
 * @shard_bits: from creation.
 * @mode: permission bits of a named map.
 * @uid: owner of a named map (the creator's fsuid).
 * @gid: group of a named map (the creator's fsgid).
 * @name: NUL-padded name, empty for an anonymous map.
 */
struct hmapdev_map {
	struct list_head node;
	unsigned int refs;
	bool linked;
	struct hmap *m;
	u32 id;
	u32 flags;
	u32 key_size;
	u32 value_size;
	u64 max_entries;
	u32 shard_bits;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
	char name[HMAP_IOC_NAME_LEN];
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

static LIST_HEAD(hmapdev_maps);
static DEFINE_MUTEX(hmapdev_lock);	/* hmapdev_maps, names, refs */
static unsigned int hmapdev_nr_named;	/* under hmapdev_lock */

/* ---- the command gate ---- */

/**
 * union hmapdev_args - room for the argument of any command.
 * @create: HMAP_IOC_CREATE.
 * @open: HMAP_IOC_OPEN.
 * @unlink: HMAP_IOC_UNLINK.
 * @list: HMAP_IOC_LIST.
 * @info: HMAP_IOC_INFO.
 * @elem: HMAP_IOC_LOOKUP, UPDATE, DELETE, LOOKUP_AND_DELETE.
 * @batch: HMAP_IOC_BATCH_*.
 * @dump: HMAP_IOC_DUMP.
 * @count: HMAP_IOC_COUNT.
 * @clear: HMAP_IOC_CLEAR.
 * @stats: HMAP_IOC_STATS.
 */
union hmapdev_args {
	struct hmap_ioc_create create;
	struct hmap_ioc_open open;
	struct hmap_ioc_unlink unlink;
	struct hmap_ioc_list list;
	struct hmap_ioc_info info;
	struct hmap_ioc_elem elem;
	struct hmap_ioc_batch batch;
	struct hmap_ioc_dump dump;
	struct hmap_ioc_count count;
	struct hmap_ioc_clear clear;
	struct hmap_ioc_stats stats;
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

/* ---- maps and their names ---- */

/* A valid name: 1..31 characters of [A-Za-z0-9._-], then only NULs. */
static int hmapdev_check_name(const char *name, bool may_be_empty)
{
	size_t len = strnlen(name, HMAP_IOC_NAME_LEN);
	size_t i;

	if (len == HMAP_IOC_NAME_LEN || (!len && !may_be_empty))
		return -EINVAL;
	if (memchr_inv(name + len, 0, HMAP_IOC_NAME_LEN - len))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!(isascii(name[i]) && isalnum(name[i])) &&
		    !strchr("._-", name[i]))
			return -EINVAL;
	return 0;
}

static struct hmapdev_map *hmapdev_find(const char *name)
{
	struct hmapdev_map *map;

	lockdep_assert_held(&hmapdev_lock);
	list_for_each_entry(map, &hmapdev_maps, node)
		if (map->linked && !strncmp(map->name, name, HMAP_IOC_NAME_LEN))
			return map;
	return NULL;
}

/* Drop a reference; the last one destroys the map. */
static void hmapdev_map_put(struct hmapdev_map *map)
{
	mutex_lock(&hmapdev_lock);
	if (--map->refs) {
		mutex_unlock(&hmapdev_lock);
		return;
	}
	list_del(&map->node);
	mutex_unlock(&hmapdev_lock);
	hmap_destroy(map->m);
	kfree(map);
}

/* Remove the name of a linked map and the reference it held. */
static void hmapdev_unlink_locked(struct hmapdev_map *map)
{
	lockdep_assert_held(&hmapdev_lock);
	WRITE_ONCE(map->linked, false);
	hmapdev_nr_named--;
	map->refs--;
}

/* May the caller open @map with @mask (MAY_READ, MAY_WRITE)? */
static bool hmapdev_may_open(const struct hmapdev_map *map, int mask)
{
	unsigned int mode = map->mode;

	if (uid_eq(current_fsuid(), map->uid))
		mode >>= 6;
	else if (in_group_p(map->gid))
		mode >>= 3;
	if (!(mask & ~mode & (MAY_READ | MAY_WRITE)))
		return true;
	return capable(CAP_DAC_OVERRIDE);
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

	hf = kzalloc(sizeof(*hf), HMAPDEV_GFP);
	if (!hf)
		return ERR_PTR(-ENOMEM);
	hf->map = map;
	mutex_init(&hf->dump_lock);
	file = anon_inode_getfile("[hmap]", &hmapdev_map_fops, hf, oflags);
	if (IS_ERR(file)) {
		mutex_destroy(&hf->dump_lock);
		kfree(hf);
	}
	return file;
}

/* ---- /dev/hmap commands ---- */

static int hmapdev_check_create(const struct hmap_ioc_create *a,
				u64 *max_entries)
{
	unsigned long limit = READ_ONCE(max_entries_limit);

	if (a->flags & ~HMAP_CREATE_F_SHARDED || a->__reserved)
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
	if (hmapdev_check_name(a->name, true))
		return -EINVAL;
	if (a->mode & ~0777 || (!a->name[0] && a->mode))
		return -EINVAL;
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
	INIT_LIST_HEAD(&map->node);
	map->refs = 1;
	map->id = hmap_id(map->m);
	map->flags = a->flags;
	map->key_size = a->key_size;
	map->value_size = a->value_size;
	map->max_entries = max_entries;
	map->shard_bits = a->shard_bits;
	map->mode = a->mode;
	map->uid = current_fsuid();
	map->gid = current_fsgid();
	memcpy(map->name, a->name, sizeof(map->name));
	return map;
}

/* Put a new map on the list and, if it has a name, publish the name. */
static int hmapdev_publish(struct hmapdev_map *map)
{
	int ret = 0;

	mutex_lock(&hmapdev_lock);
	if (map->name[0]) {
		if (hmapdev_find(map->name))
			ret = -EEXIST;
		else if (hmapdev_nr_named >= HMAP_IOC_NAMED_MAX)
			ret = -ENOSPC;
		if (!ret) {
			WRITE_ONCE(map->linked, true);
			map->refs++;
			hmapdev_nr_named++;
		}
	}
	if (!ret)
		list_add_tail(&map->node, &hmapdev_maps);
	mutex_unlock(&hmapdev_lock);
	return ret;
}

/*
 * Give the caller a new descriptor for @map, which hands over a reference
 * to it (on failure too): allocate the descriptor and the file, give the
 * map its name if @publish (CREATE), report the map's id in @out_id and the
 * structure, then install. Nothing is installed if a step fails.
 */
static int hmapdev_new_fd(struct hmapdev_ucmd *uc, struct hmapdev_map *map,
			  int oflags, bool publish, u32 *out_id)
{
	struct file *file;
	int fd, ret;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto put_map;
	}
	file = hmapdev_map_file(map, oflags);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto put_fd;
	}
	/* From here on the file owns the map: fput() releases both. */
	if (publish) {
		ret = hmapdev_publish(map);
		if (ret)
			goto put_file;
	}
	*out_id = map->id;
	ret = hmapdev_respond(uc);
	if (ret)
		goto unpublish;
	fd_install(fd, file);
	return fd;

unpublish:
	if (publish) {
		mutex_lock(&hmapdev_lock);
		if (map->linked)
			hmapdev_unlink_locked(map);
		mutex_unlock(&hmapdev_lock);
	}
put_file:
	put_unused_fd(fd);
	fput(file);
	return ret;
put_fd:
	put_unused_fd(fd);
put_map:
	hmapdev_map_put(map);
	return ret;
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
	return hmapdev_new_fd(uc, map, O_RDWR, true, &a->out_id);
}

static int hmapdev_ioc_open(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_open *a = &uc->args.open;
	bool rdonly = a->flags & HMAP_OPEN_F_RDONLY;
	struct hmapdev_map *map;
	int ret;

	if (a->flags & ~HMAP_OPEN_F_RDONLY || a->__reserved)
		return -EINVAL;
	if (hmapdev_check_name(a->name, false))
		return -EINVAL;

	mutex_lock(&hmapdev_lock);
	map = hmapdev_find(a->name);
	if (!map)
		ret = -ENOENT;
	else if (!hmapdev_may_open(map, rdonly ? MAY_READ :
						 MAY_READ | MAY_WRITE))
		ret = -EACCES;
	else
		ret = 0;
	if (!ret)
		map->refs++;
	mutex_unlock(&hmapdev_lock);
	if (ret)
		return ret;
	return hmapdev_new_fd(uc, map, rdonly ? O_RDONLY : O_RDWR, false,
			      &a->out_id);
}

static int hmapdev_ioc_unlink(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_unlink *a = &uc->args.unlink;
	struct hmapdev_map *map, *dead = NULL;
	int ret = 0;

	if (a->flags || hmapdev_check_name(a->name, false))
		return -EINVAL;

	mutex_lock(&hmapdev_lock);
	map = hmapdev_find(a->name);
	if (!map) {
		ret = -ENOENT;
	} else if (!uid_eq(current_fsuid(), map->uid) &&
		   !capable(CAP_FOWNER)) {
		ret = -EPERM;
	} else {
		hmapdev_unlink_locked(map);
		if (!map->refs) {
			list_del(&map->node);
			dead = map;
		}
	}
	mutex_unlock(&hmapdev_lock);
	if (dead) {
		hmap_destroy(dead->m);
		kfree(dead);
	}
	return ret;
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
	info->mode = map->mode;
	info->uid = from_kuid_munged(current_user_ns(), map->uid);
	info->gid = from_kgid_munged(current_user_ns(), map->gid);
	if (READ_ONCE(map->linked))
		info->info_flags |= HMAP_INFO_LINKED;
	memcpy(info->name, map->name, sizeof(info->name));
}

/*
 * Describe the first @max maps into a new array @*out of @*n elements and
 * count all of them in @*total. The descriptions are taken under the lock
 * and copied out after it, so a faulting user buffer holds up no one.
 */
static int hmapdev_snapshot(u32 max, struct hmap_ioc_info **out, u32 *n,
			    u32 *total)
{
	struct hmap_ioc_info *infos = NULL;
	struct hmapdev_map *map;
	u32 i = 0;

	mutex_lock(&hmapdev_lock);
	*total = 0;
	list_for_each_entry(map, &hmapdev_maps, node)
		(*total)++;
	*n = min(max, *total);
	if (*n) {
		infos = kvcalloc(*n, sizeof(*infos), HMAPDEV_SCRATCH_GFP);
		if (!infos) {
			mutex_unlock(&hmapdev_lock);
			return -ENOMEM;
		}
	}
	list_for_each_entry(map, &hmapdev_maps, node) {
		if (i == *n)
			break;
		hmapdev_fill_info(map, &infos[i++]);
	}
	mutex_unlock(&hmapdev_lock);
	*out = infos;
	return 0;
}

static int hmapdev_ioc_list(struct hmapdev_ucmd *uc)
{
	struct hmap_ioc_list *a = &uc->args.list;
	u32 esize = a->entry_size;
	u32 fill = min_t(u32, esize, sizeof(struct hmap_ioc_info));
	struct hmap_ioc_info *infos;
	void __user *dst;
	u32 i, n, total;
	int ret;

	if (a->flags || a->__reserved || esize < HMAP_IOC_INFO_SIZE_VER0)
		return -EINVAL;
	if (esize > PAGE_SIZE)
		return -E2BIG;
	ret = hmapdev_snapshot(a->count, &infos, &n, &total);
	if (ret)
		return ret;
	for (i = 0; i < n && !ret; i++) {
		dst = hmapdev_uptr(a->entries, i, esize);
		infos[i].size = fill;
		if (copy_to_user(dst, &infos[i], fill) ||
		    clear_user(dst + fill, esize - fill))
			ret = -EFAULT;
	}
	kvfree(infos);
	if (ret)
		return ret;
	a->count = n;
	a->total = total;
	return hmapdev_respond(uc);
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

	if (a->flags || a->__reserved)
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
		   (st.shrinking ? HMAP_STATS_SHRINKING : 0);
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
	HMAPDEV_OP(DEV_BASE, OPEN, open, OPEN, false, hmapdev_ioc_open),
	HMAPDEV_OP(DEV_BASE, UNLINK, unlink, UNLINK, true, hmapdev_ioc_unlink),
	HMAPDEV_OP(DEV_BASE, LIST, list, LIST, false, hmapdev_ioc_list),
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
	mutex_destroy(&hf->dump_lock);
	hmapdev_map_put(hf->map);
	kfree(hf);
	return 0;
}

static void hmapdev_map_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct hmapdev_file *hf = file->private_data;
	const struct hmapdev_map *map = hf->map;

	seq_printf(m, "hmap_id:\t%u\n", map->id);
	seq_printf(m, "hmap_name:\t%s\n", map->name[0] ? map->name : "-");
	seq_printf(m, "key_size:\t%u\n", map->key_size);
	seq_printf(m, "value_size:\t%u\n", map->value_size);
	seq_printf(m, "max_entries:\t%llu\n", map->max_entries);
	seq_printf(m, "count:\t%lu\n", hmap_len(map->m));
}

static const struct file_operations hmapdev_map_fops = {
	.owner = THIS_MODULE,
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
 * named map outlives its creator), so giving users access is an
 * administrator's decision, e.g. a udev rule setting a group and mode 0660.
 */
static struct miscdevice hmapdev_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hmap",
	.fops = &hmapdev_dev_fops,
	.mode = 0600,
};

/**
 * hmap_dev_init() - register /dev/hmap.
 *
 * Context: Module init.
 * Return: 0 or a negative errno from misc_register().
 */
static int __init hmap_dev_init(void)
{
	/* The first published sizes are the current ones. */
	BUILD_BUG_ON(sizeof(struct hmap_ioc_create) != HMAP_IOC_CREATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_open) != HMAP_IOC_OPEN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_unlink) != HMAP_IOC_UNLINK_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_list) != HMAP_IOC_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_info) != HMAP_IOC_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_elem) != HMAP_IOC_ELEM_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_batch) != HMAP_IOC_BATCH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_dump) != HMAP_IOC_DUMP_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_count) != HMAP_IOC_COUNT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_clear) != HMAP_IOC_CLEAR_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct hmap_ioc_stats) != HMAP_IOC_STATS_SIZE_VER1);

	return misc_register(&hmapdev_misc);
}

/**
 * hmap_dev_exit() - unregister /dev/hmap and free the named maps.
 *
 * Every map descriptor and every open /dev/hmap holds a module reference,
 * so none is open now: the maps left are named ones nobody has open.
 *
 * Context: Module exit.
 */
static void __exit hmap_dev_exit(void)
{
	struct hmapdev_map *map, *tmp;

	misc_deregister(&hmapdev_misc);
	mutex_lock(&hmapdev_lock);
	list_for_each_entry_safe(map, tmp, &hmapdev_maps, node) {
		WARN_ON_ONCE(!map->linked || map->refs != 1);
		list_del(&map->node);
		hmap_destroy(map->m);
		kfree(map);
	}
	hmapdev_nr_named = 0;
	mutex_unlock(&hmapdev_lock);
}

module_init(hmap_dev_init);
module_exit(hmap_dev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hmap: /dev/hmap, hash maps for userspace");
MODULE_IMPORT_NS(HMAP_NS);
