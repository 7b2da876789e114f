// SPDX-License-Identifier: GPL-2.0
/*
 * libhmap: thin wrappers over the /dev/hmap ioctls, returning -errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hmap.h"

#define PTR(p)	((__u64)(unsigned long)(p))

#ifndef HMAP_VERSION
#define HMAP_VERSION "unknown"
#endif

const char *hmap_version(void)
{
	return HMAP_VERSION;
}

static int sys_ret(long ret)
{
	return ret < 0 ? -errno : (int)ret;
}

/* Run a /dev/hmap command on a descriptor opened for the call. */
static int dev_ioctl(unsigned long cmd, void *arg)
{
	int dev, ret;

	dev = open(HMAP_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	ret = sys_ret(ioctl(dev, cmd, arg));
	close(dev);
	return ret;
}

int hmap_create(const struct hmap_create_opts *o)
{
	struct hmap_ioc_create a = {
		.size = sizeof(a),
		.key_size = o->key_size,
		.value_size = o->value_size,
		.max_entries = o->max_entries,
		.size_hint = o->size_hint,
		.shard_bits = o->shard_bits,
	};

	if (o->shard_bits)
		a.flags |= HMAP_CREATE_F_SHARDED;
	return dev_ioctl(HMAP_IOC_CREATE, &a);
}

int hmap_pin(int fd, const char *path, uint32_t mode)
{
	struct hmap_ioc_pin a = {
		.size = sizeof(a),
		.path = PTR(path),
		.dirfd = AT_FDCWD,
		.mode = mode,
	};

	return sys_ret(ioctl(fd, HMAP_IOC_PIN, &a));
}

int hmap_open(const char *path, int rdonly)
{
	return sys_ret(open(path, (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC));
}

int hmap_info(int fd, struct hmap_ioc_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return sys_ret(ioctl(fd, HMAP_IOC_INFO, info));
}

static int elem(int fd, unsigned long cmd, const void *key, const void *value,
		uint32_t flags)
{
	struct hmap_ioc_elem a = {
		.size = sizeof(a),
		.flags = flags,
		.key = PTR(key),
		.value = PTR(value),
	};

	return sys_ret(ioctl(fd, cmd, &a));
}

int hmap_lookup(int fd, const void *key, void *value)
{
	return elem(fd, HMAP_IOC_LOOKUP, key, value, 0);
}

int hmap_update(int fd, const void *key, const void *value, uint32_t how)
{
	return elem(fd, HMAP_IOC_UPDATE, key, value, how);
}

int hmap_delete(int fd, const void *key)
{
	return elem(fd, HMAP_IOC_DELETE, key, NULL, 0);
}

int hmap_lookup_and_delete(int fd, const void *key, void *value)
{
	return elem(fd, HMAP_IOC_LOOKUP_AND_DELETE, key, value, 0);
}

static int batch(int fd, unsigned long cmd, const void *keys,
		 const void *values, uint32_t *count, uint32_t flags)
{
	struct hmap_ioc_batch a = {
		.size = sizeof(a),
		.flags = flags,
		.keys = PTR(keys),
		.values = PTR(values),
		.count = *count,
	};
	int ret = sys_ret(ioctl(fd, cmd, &a));

	/*
	 * A failing element leaves count below the request; an argument the
	 * kernel refused outright leaves it unchanged: nothing was done.
	 */
	*count = (ret < 0 && a.count == *count) ? 0 : a.count;
	return ret;
}

int hmap_lookup_batch(int fd, const void *keys, void *values, uint32_t *count)
{
	return batch(fd, HMAP_IOC_BATCH_LOOKUP, keys, values, count, 0);
}

int hmap_update_batch(int fd, const void *keys, const void *values,
		      uint32_t *count, uint32_t how)
{
	return batch(fd, HMAP_IOC_BATCH_UPDATE, keys, values, count, how);
}

int hmap_delete_batch(int fd, const void *keys, uint32_t *count)
{
	return batch(fd, HMAP_IOC_BATCH_DELETE, keys, NULL, count, 0);
}

int hmap_dump(int fd, uint64_t *cursor, void *keys, void *values,
	      uint32_t *count)
{
	struct hmap_ioc_dump a = {
		.size = sizeof(a),
		.keys = PTR(keys),
		.values = PTR(values),
		.cursor = *cursor,
		.count = *count,
	};
	int ret = sys_ret(ioctl(fd, HMAP_IOC_DUMP, &a));

	if (ret < 0)
		return ret;
	*cursor = a.cursor;
	*count = a.count;
	return 0;
}

int hmap_count(int fd, uint64_t *count)
{
	struct hmap_ioc_count a = { .size = sizeof(a) };
	int ret = sys_ret(ioctl(fd, HMAP_IOC_COUNT, &a));

	if (ret >= 0)
		*count = a.count;
	return ret;
}

int hmap_clear(int fd)
{
	struct hmap_ioc_clear a = { .size = sizeof(a) };

	return sys_ret(ioctl(fd, HMAP_IOC_CLEAR, &a));
}

int hmap_stats(int fd, struct hmap_ioc_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->size = sizeof(*stats);
	return sys_ret(ioctl(fd, HMAP_IOC_STATS, stats));
}
