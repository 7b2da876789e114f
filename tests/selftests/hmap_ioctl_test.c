// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_ioctl_test: every /dev/hmap and map-descriptor command against bad
 * sizes, unknown flags, non-zero reserved fields, NULL and PROT_NONE
 * pointers, wrong descriptor kinds and wrong command encodings; each must
 * fail with the errno include/uapi/linux/hmap.h documents. One fixture
 * variant per command, as in the s390 uvdevice selftest. The map commands
 * also run on descriptors from open(2) of the map's file in the hmapfs at
 * HMAPFS_PATH, read-write and read-only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hmap.h"
#include "kselftest_harness.h"

#define DEV		HMAP_DEV_PATH
#define PATH_LEN	128
#define PTR(p)		((__u64)(unsigned long)(p))
#define NKEYS		4
#define ARG_ROOM	8192	/* room for a structure plus a page of tail */

FIXTURE(cmd) {
	int dev;		/* /dev/hmap */
	int map;		/* 8-byte keys, 8-byte values, pinned at @path */
	int file;		/* open(2) of @path, O_RDWR: the same map */
	int rdonly;		/* open(2) of @path, O_RDONLY: the same map */
	int dir;		/* open(2) of the hmapfs root directory */
	char path[PATH_LEN];	/* the map's file */
	char pin_path[PATH_LEN];	/* where PIN makes a file */
	uint64_t keys[NKEYS];
	uint64_t values[NKEYS];
	char *fault;		/* a PROT_NONE page */
	char *edge;		/* a readable page followed by @fault */
	char arg[ARG_ROOM] __attribute__((aligned(8)));
};

FIXTURE_VARIANT(cmd) {
	unsigned long cmd;
	uint32_t size;		/* first published size */
	uint32_t known;		/* size the kernel knows now, if larger */
	bool on_dev;		/* a /dev/hmap command (else a map command) */
	bool write;		/* refused on a read-only descriptor */
	/* Offsets of fields that must be zero, and of user pointers. */
	int zero_off[2];
	int ptr_off[2];
	/* Fill self->arg with a valid argument (and restore map state). */
	void (*prep)(struct _test_data_cmd *self);
};

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Restore keys[] -> values[] in the anonymous map. */
static void reset_map(struct _test_data_cmd *self)
{
	struct hmap_ioc_batch b = {
		.size = sizeof(b),
		.keys = PTR(self->keys),
		.values = PTR(self->values),
		.count = NKEYS,
	};

	if (xioctl(self->map, HMAP_IOC_BATCH_UPDATE, &b))
		abort();
}

static void prep_create(struct _test_data_cmd *self)
{
	struct hmap_ioc_create *a = (void *)self->arg;

	a->size = sizeof(*a);
	a->key_size = 4;
	a->value_size = 4;
	a->max_entries = 100;
}

static void prep_info(struct _test_data_cmd *self)
{
	struct hmap_ioc_info *a = (void *)self->arg;

	a->size = sizeof(*a);
}

static void prep_elem(struct _test_data_cmd *self)
{
	struct hmap_ioc_elem *a = (void *)self->arg;

	reset_map(self);
	a->size = sizeof(*a);
	a->key = PTR(&self->keys[1]);
	a->value = PTR(&self->values[1]);
}

static void prep_delete(struct _test_data_cmd *self)
{
	struct hmap_ioc_elem *a = (void *)self->arg;

	prep_elem(self);
	a->value = 0;
}

static void prep_batch(struct _test_data_cmd *self)
{
	struct hmap_ioc_batch *a = (void *)self->arg;

	reset_map(self);
	a->size = sizeof(*a);
	a->keys = PTR(self->keys);
	a->values = PTR(self->values);
	a->count = NKEYS;
}

static void prep_batch_delete(struct _test_data_cmd *self)
{
	struct hmap_ioc_batch *a = (void *)self->arg;

	prep_batch(self);
	a->values = 0;
}

static void prep_dump(struct _test_data_cmd *self)
{
	struct hmap_ioc_dump *a = (void *)self->arg;

	reset_map(self);
	a->size = sizeof(*a);
	a->keys = PTR(self->keys + 0);
	a->values = PTR(self->values + 0);
	a->count = NKEYS;
	/* The dump writes into keys[]/values[]: same set, maybe reordered. */
}

/* A file for the map at pin_path, which must not exist yet: removed here. */
static void prep_pin(struct _test_data_cmd *self)
{
	struct hmap_ioc_pin *a = (void *)self->arg;

	unlink(self->pin_path);
	a->size = sizeof(*a);
	a->path = PTR(self->pin_path);
	a->dirfd = AT_FDCWD;
	a->mode = 0600;
}

/* Commands whose argument is nothing but size and flags (and outputs). */
static void prep_size_only(struct _test_data_cmd *self)
{
	(void)self;
}

#define OFF(type, field)	offsetof(struct hmap_ioc_##type, field)

/* shard_bits must be 0 without HMAP_CREATE_F_SHARDED. */
FIXTURE_VARIANT_ADD(cmd, create) {
	.cmd = HMAP_IOC_CREATE, .size = HMAP_IOC_CREATE_SIZE_VER0,
	.on_dev = true, .zero_off = { OFF(create, shard_bits) },
	.prep = prep_create,
};

FIXTURE_VARIANT_ADD(cmd, info) {
	.cmd = HMAP_IOC_INFO, .size = HMAP_IOC_INFO_SIZE_VER0,
	.prep = prep_info,
};

FIXTURE_VARIANT_ADD(cmd, lookup) {
	.cmd = HMAP_IOC_LOOKUP, .size = HMAP_IOC_ELEM_SIZE_VER0,
	.ptr_off = { OFF(elem, key), OFF(elem, value) }, .prep = prep_elem,
};

FIXTURE_VARIANT_ADD(cmd, update) {
	.cmd = HMAP_IOC_UPDATE, .size = HMAP_IOC_ELEM_SIZE_VER0, .write = true,
	.ptr_off = { OFF(elem, key), OFF(elem, value) }, .prep = prep_elem,
};

FIXTURE_VARIANT_ADD(cmd, delete) {
	.cmd = HMAP_IOC_DELETE, .size = HMAP_IOC_ELEM_SIZE_VER0, .write = true,
	.zero_off = { OFF(elem, value) }, .ptr_off = { OFF(elem, key) },
	.prep = prep_delete,
};

FIXTURE_VARIANT_ADD(cmd, lookup_and_delete) {
	.cmd = HMAP_IOC_LOOKUP_AND_DELETE, .size = HMAP_IOC_ELEM_SIZE_VER0,
	.write = true, .ptr_off = { OFF(elem, key), OFF(elem, value) },
	.prep = prep_elem,
};

FIXTURE_VARIANT_ADD(cmd, batch_lookup) {
	.cmd = HMAP_IOC_BATCH_LOOKUP, .size = HMAP_IOC_BATCH_SIZE_VER0,
	.zero_off = { OFF(batch, __reserved) },
	.ptr_off = { OFF(batch, keys), OFF(batch, values) },
	.prep = prep_batch,
};

FIXTURE_VARIANT_ADD(cmd, batch_update) {
	.cmd = HMAP_IOC_BATCH_UPDATE, .size = HMAP_IOC_BATCH_SIZE_VER0,
	.write = true, .zero_off = { OFF(batch, __reserved) },
	.ptr_off = { OFF(batch, keys), OFF(batch, values) },
	.prep = prep_batch,
};

FIXTURE_VARIANT_ADD(cmd, batch_delete) {
	.cmd = HMAP_IOC_BATCH_DELETE, .size = HMAP_IOC_BATCH_SIZE_VER0,
	.write = true,
	.zero_off = { OFF(batch, __reserved), OFF(batch, values) },
	.ptr_off = { OFF(batch, keys) }, .prep = prep_batch_delete,
};

FIXTURE_VARIANT_ADD(cmd, dump) {
	.cmd = HMAP_IOC_DUMP, .size = HMAP_IOC_DUMP_SIZE_VER0,
	.zero_off = { OFF(dump, __reserved) },
	.ptr_off = { OFF(dump, keys) }, .prep = prep_dump,
};

FIXTURE_VARIANT_ADD(cmd, count) {
	.cmd = HMAP_IOC_COUNT, .size = HMAP_IOC_COUNT_SIZE_VER0,
	.prep = prep_size_only,
};

FIXTURE_VARIANT_ADD(cmd, clear) {
	.cmd = HMAP_IOC_CLEAR, .size = HMAP_IOC_CLEAR_SIZE_VER0, .write = true,
	.prep = prep_size_only,
};

FIXTURE_VARIANT_ADD(cmd, stats) {
	.cmd = HMAP_IOC_STATS, .size = HMAP_IOC_STATS_SIZE_VER0,
	.known = HMAP_IOC_STATS_SIZE_VER1,
	.zero_off = { OFF(stats, __reserved) }, .prep = prep_size_only,
};

/* No reserved field: mode is checked in hmap_fs_test. */
FIXTURE_VARIANT_ADD(cmd, pin) {
	.cmd = HMAP_IOC_PIN, .size = HMAP_IOC_PIN_SIZE_VER0, .write = true,
	.ptr_off = { OFF(pin, path) }, .prep = prep_pin,
};

FIXTURE_SETUP(cmd)
{
	struct hmap_ioc_create c = {
		.size = sizeof(c), .key_size = 8, .value_size = 8,
		.max_entries = 1000,
	};
	struct hmap_ioc_pin pin = {
		.size = sizeof(pin), .dirfd = AT_FDCWD, .mode = 0600,
	};
	long page = sysconf(_SC_PAGESIZE);
	int i;

	self->dev = open(DEV, O_RDWR | O_CLOEXEC);
	if (self->dev < 0)
		SKIP(return, DEV ": %s (hmap_dev.ko not loaded?)", strerror(errno));
	for (i = 0; i < NKEYS; i++) {
		self->keys[i] = 1000 + i;
		self->values[i] = 7 * i;
	}
	self->file = self->rdonly = self->dir = -1;
	self->map = xioctl(self->dev, HMAP_IOC_CREATE, &c);
	ASSERT_LE(0, self->map);

	snprintf(self->path, sizeof(self->path), HMAPFS_PATH "/ioct-%d",
		 getpid());
	snprintf(self->pin_path, sizeof(self->pin_path),
		 HMAPFS_PATH "/ioct-%d-pin", getpid());
	pin.path = PTR(self->path);
	ASSERT_EQ(0, xioctl(self->map, HMAP_IOC_PIN, &pin));
	self->file = open(self->path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->file);
	self->rdonly = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->rdonly);
	self->dir = open(HMAPFS_PATH, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->dir);

	self->edge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->edge);
	self->fault = self->edge + page;
	ASSERT_EQ(0, mprotect(self->fault, page, PROT_NONE));

	memset(self->arg, 0, sizeof(self->arg));
	variant->prep(self);
	*(uint32_t *)self->arg = variant->size;
}

FIXTURE_TEARDOWN(cmd)
{
	if (self->dev < 0)
		return;
	if (self->path[0])
		unlink(self->path);
	if (self->pin_path[0])
		unlink(self->pin_path);
}

static int target_fd(struct _test_data_cmd *self,
		     const struct _fixture_variant_cmd *variant)
{
	return variant->on_dev ? self->dev : self->map;
}

/* Issue the command; close a descriptor it returns. */
static int run(int fd, const struct _fixture_variant_cmd *variant, void *arg)
{
	int ret = xioctl(fd, variant->cmd, arg);

	if (ret > 0 && variant->cmd == HMAP_IOC_CREATE) {
		close(ret);
		ret = 0;
	}
	return ret;
}

/* A fresh valid argument of @size bytes (the tail zeroed). */
static void *fresh(struct _test_data_cmd *self,
		   const struct _fixture_variant_cmd *variant, uint32_t size)
{
	memset(self->arg, 0, sizeof(self->arg));
	variant->prep(self);
	*(uint32_t *)self->arg = size;
	return self->arg;
}

TEST_F(cmd, valid)
{
	ASSERT_EQ(0, run(target_fd(self, variant), variant, self->arg));
}

TEST_F(cmd, larger_size_with_zero_tail)
{
	int fd = target_fd(self, variant);

	EXPECT_EQ(0, run(fd, variant, fresh(self, variant, variant->size + 64)));
	EXPECT_EQ(0, run(fd, variant, fresh(self, variant, 4096)));
}

TEST_F(cmd, nonzero_tail_is_e2big)
{
	uint32_t known = variant->known ?: variant->size;
	int fd = target_fd(self, variant);
	char *arg;

	arg = fresh(self, variant, known + 8);
	arg[known + 7] = 1;
	EXPECT_EQ(-E2BIG, run(fd, variant, arg));

	arg = fresh(self, variant, 4096);
	arg[4095] = 1;
	EXPECT_EQ(-E2BIG, run(fd, variant, arg));

	/* Beyond a page: refused whatever the tail holds. */
	EXPECT_EQ(-E2BIG, run(fd, variant, fresh(self, variant, 4097)));
	EXPECT_EQ(-E2BIG, run(fd, variant, fresh(self, variant, UINT32_MAX)));
}

TEST_F(cmd, short_size_is_einval)
{
	int fd = target_fd(self, variant);

	EXPECT_EQ(-EINVAL, run(fd, variant, fresh(self, variant, 0)));
	EXPECT_EQ(-EINVAL, run(fd, variant, fresh(self, variant, 4)));
	EXPECT_EQ(-EINVAL, run(fd, variant,
			       fresh(self, variant, variant->size - 1)));
}

TEST_F(cmd, unknown_flags_are_einval)
{
	int fd = target_fd(self, variant);
	static const uint32_t bad[] = { 1u << 31, 1u << 8, 0xffffffff };
	unsigned int i;
	char *arg;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		arg = fresh(self, variant, variant->size);
		*(uint32_t *)(arg + 4) = bad[i];
		EXPECT_EQ(-EINVAL, run(fd, variant, arg));
	}
}

TEST_F(cmd, nonzero_reserved_is_einval)
{
	int fd = target_fd(self, variant);
	unsigned int i;
	char *arg;

	if (!variant->zero_off[0])
		SKIP(return, "no must-be-zero field besides flags");
	for (i = 0; i < 2 && variant->zero_off[i]; i++) {
		arg = fresh(self, variant, variant->size);
		*(uint32_t *)(arg + variant->zero_off[i]) = 1;
		EXPECT_EQ(-EINVAL, run(fd, variant, arg));
	}
}

TEST_F(cmd, bad_argument_pointer_is_efault)
{
	int fd = target_fd(self, variant);
	long page = sysconf(_SC_PAGESIZE);
	char *arg;

	EXPECT_EQ(-EFAULT, run(fd, variant, NULL));
	EXPECT_EQ(-EFAULT, run(fd, variant, self->fault));
	/* The size is readable, the rest of the structure is not. */
	arg = self->fault - 4;
	memcpy(arg, fresh(self, variant, variant->size), 4);
	EXPECT_EQ(-EFAULT, run(fd, variant, arg));
	/* Kernel addresses are no better. */
	EXPECT_EQ(-EFAULT, run(fd, variant, (void *)(-page)));
}

TEST_F(cmd, bad_buffer_pointer_is_efault)
{
	int fd = target_fd(self, variant);
	unsigned int i;
	char *arg;

	if (!variant->ptr_off[0])
		SKIP(return, "no user pointer in the structure");
	for (i = 0; i < 2 && variant->ptr_off[i]; i++) {
		arg = fresh(self, variant, variant->size);
		*(__u64 *)(arg + variant->ptr_off[i]) = 0;
		EXPECT_EQ(-EFAULT, run(fd, variant, arg));
		arg = fresh(self, variant, variant->size);
		*(__u64 *)(arg + variant->ptr_off[i]) = PTR(self->fault);
		EXPECT_EQ(-EFAULT, run(fd, variant, arg));
	}
}

TEST_F(cmd, wrong_descriptor_is_enotty)
{
	int null, pipefd[2];

	if (variant->on_dev) {
		EXPECT_EQ(-ENOTTY, run(self->map, variant, self->arg));
		EXPECT_EQ(-ENOTTY, run(self->file, variant, self->arg));
		EXPECT_EQ(-ENOTTY, run(self->rdonly, variant, self->arg));
	} else {
		EXPECT_EQ(-ENOTTY, run(self->dev, variant, self->arg));
	}
	/* A directory of the hmapfs is no map. */
	EXPECT_EQ(-ENOTTY, run(self->dir, variant, self->arg));
	null = open("/dev/null", O_RDWR);
	ASSERT_LE(0, null);
	EXPECT_EQ(-ENOTTY, run(null, variant, self->arg));
	close(null);
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(-ENOTTY, run(pipefd[0], variant, self->arg));
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_F(cmd, wrong_encoding_is_enotty)
{
	int fd = target_fd(self, variant);
	unsigned int nr = _IOC_NR(variant->cmd);
	unsigned long cmds[] = {
		_IOWR(HMAP_IOC_TYPE, nr, struct hmap_ioc_elem),
		_IOR(HMAP_IOC_TYPE, nr, __u32),
		_IOW(HMAP_IOC_TYPE, nr, __u64),
		_IO('x', nr),
		_IO(HMAP_IOC_TYPE, nr + 0x10),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		EXPECT_EQ(-ENOTTY, xioctl(fd, cmds[i], self->arg));
}

/* open(2) of the map's file, O_RDWR: a descriptor like CREATE's. */
TEST_F(cmd, opened_file_descriptor)
{
	if (variant->on_dev)
		SKIP(return, "a /dev/hmap command");
	EXPECT_EQ(0, run(self->file, variant, self->arg));
}

/* O_RDONLY: the same map, whose keys prep put back; writes are refused. */
TEST_F(cmd, read_only_descriptor)
{
	if (variant->on_dev)
		SKIP(return, "a /dev/hmap command");
	if (variant->write) {
		EXPECT_EQ(-EPERM, run(self->rdonly, variant, self->arg));
	} else {
		EXPECT_EQ(0, run(self->rdonly, variant, self->arg));
	}
}

/*
 * Numbers of retired commands (OPEN 0x01, UNLINK 0x02, LIST 0x03) and
 * those next to the table are unknown, on either kind of descriptor.
 */
TEST(retired_and_unknown_numbers_are_enotty)
{
	static const unsigned int dev_nrs[] = { 0x01, 0x02, 0x03, 0x3f, 0x40 };
	static const unsigned int map_nrs[] = { 0x00, 0x01, 0x02, 0x03, 0x4d };
	struct hmap_ioc_create c = {
		.size = sizeof(c), .key_size = 8, .value_size = 8,
	};
	char arg[128] __attribute__((aligned(8)));
	unsigned int i;
	int dev, map;

	dev = open(DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		SKIP(return, DEV ": %s (hmap_dev.ko not loaded?)", strerror(errno));
	map = xioctl(dev, HMAP_IOC_CREATE, &c);
	ASSERT_LE(0, map);
	for (i = 0; i < ARRAY_SIZE(dev_nrs); i++) {
		memset(arg, 0, sizeof(arg));
		*(uint32_t *)arg = 48;
		EXPECT_EQ(-ENOTTY, xioctl(dev, _IO(HMAP_IOC_TYPE, dev_nrs[i]), arg));
	}
	for (i = 0; i < ARRAY_SIZE(map_nrs); i++) {
		memset(arg, 0, sizeof(arg));
		*(uint32_t *)arg = 48;
		EXPECT_EQ(-ENOTTY, xioctl(map, _IO(HMAP_IOC_TYPE, map_nrs[i]), arg));
	}
	close(map);
	close(dev);
}

TEST_HARNESS_MAIN
