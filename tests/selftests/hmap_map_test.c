// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_map_test: what the map commands do, through libhmap: update modes,
 * limits, a full map, batches, lifetime of anonymous and pinned maps,
 * permissions of pinned files for other users, and dumps that return each
 * key exactly once while another process makes the map grow.
 *
 * Pinned files go to HMAPFS_PATH (the test VM mounts an hmapfs there), at
 * paths unique to the test's process, removed in the teardown.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hmap.h"
#include "kselftest_harness.h"

#define PTR(p)	((__u64)(unsigned long)(p))
#define PATH_LEN	300	/* room for a NAME_MAX name under HMAPFS_PATH */
#define MAX_PATHS	16

/* A path in the hmapfs unique to this process and @tag. */
static const char *path_of(const char *tag)
{
	static char paths[8][PATH_LEN];
	static unsigned int next;
	char *p = paths[next++ % 8];

	snprintf(p, PATH_LEN, HMAPFS_PATH "/t%d-%s", getpid(), tag);
	return p;
}

static int new_map(uint32_t ks, uint32_t vs, uint64_t max)
{
	struct hmap_create_opts o = {
		.key_size = ks, .value_size = vs, .max_entries = max,
	};

	return hmap_create(&o);
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Insert keys [lo, hi) with value key * 3, @batch per call. */
static int fill(int fd, uint64_t lo, uint64_t hi, uint32_t batch)
{
	uint64_t keys[1024], values[1024];
	uint32_t n, i;
	int ret;

	if (batch > 1024)
		batch = 1024;
	while (lo < hi) {
		n = hi - lo < batch ? hi - lo : batch;
		for (i = 0; i < n; i++) {
			keys[i] = lo + i;
			values[i] = (lo + i) * 3;
		}
		ret = hmap_update_batch(fd, keys, values, &n, HMAP_UPDATE_ANY);
		if (ret)
			return ret;
		lo += n;
	}
	return 0;
}

/* Delete keys [lo, hi), @batch per call. */
static int drain(int fd, uint64_t lo, uint64_t hi, uint32_t batch)
{
	uint64_t keys[1024];
	uint32_t n, i;
	int ret;

	if (batch > 1024)
		batch = 1024;
	while (lo < hi) {
		n = hi - lo < batch ? hi - lo : batch;
		for (i = 0; i < n; i++)
			keys[i] = lo + i;
		ret = hmap_delete_batch(fd, keys, &n);
		if (ret)
			return ret;
		lo += n;
	}
	return 0;
}

static uint32_t map_id(int fd)
{
	struct hmap_ioc_info info;

	return hmap_info(fd, &info) ? 0 : info.id;
}

static bool write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

#include "hmap_memcg.h"

/* Keys a map gets to be big (several MiB) next to memcg's per-CPU slack. */
#define BIG_KEYS	150000

FIXTURE(maps) {
	int dev;
	char paths[MAX_PATHS][PATH_LEN];	/* removed in the teardown */
	unsigned int npaths;
	struct memcg cg;
};

FIXTURE_SETUP(maps)
{
	self->dev = open(HMAP_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (self->dev < 0)
		SKIP(return, HMAP_DEV_PATH ": %s", strerror(errno));
}

FIXTURE_TEARDOWN(maps)
{
	unsigned int i;

	/* Last made first: files before their directories. */
	for (i = self->npaths; i-- > 0;)
		if (unlink(self->paths[i]) && errno == EISDIR)
			rmdir(self->paths[i]);
	memcg_remove(&self->cg);
	if (self->dev >= 0)
		close(self->dev);
}

/* @path, to be removed in the teardown. */
static const char *track(FIXTURE_DATA(maps) *self, const char *path)
{
	if (self->npaths < MAX_PATHS)
		snprintf(self->paths[self->npaths++], PATH_LEN, "%s", path);
	return path;
}

/* A new map pinned at path_of(@tag) (tracked) with @mode: its fd or -errno. */
static int new_pinned(FIXTURE_DATA(maps) *self, uint32_t ks, uint32_t vs,
		      uint64_t max, const char *tag, uint32_t mode)
{
	int fd = new_map(ks, vs, max), ret;

	if (fd < 0)
		return fd;
	ret = hmap_pin(fd, track(self, path_of(tag)), mode);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* ---- creation ---- */

TEST_F(maps, create_limits)
{
	FILE *f = fopen("/sys/module/hmap_dev/parameters/max_entries_limit", "r");
	unsigned long long limit = HMAP_IOC_DEFAULT_MAX_ENTRIES;
	struct hmap_ioc_info info;
	int fd;

	if (f) {
		ASSERT_EQ(1, fscanf(f, "%llu", &limit));
		fclose(f);
	}
	EXPECT_EQ(-EINVAL, new_map(0, 8, 0));
	EXPECT_EQ(-E2BIG, new_map(HMAP_KEY_SIZE_MAX + 1, 8, 0));
	EXPECT_EQ(-E2BIG, new_map(8, HMAP_VALUE_SIZE_MAX + 1, 0));
	EXPECT_EQ(-E2BIG, new_map(8, 8, limit + 1));
	EXPECT_EQ(-E2BIG, new_map(8, 8, UINT64_MAX));

	fd = new_map(HMAP_KEY_SIZE_MAX, HMAP_VALUE_SIZE_MAX, limit);
	ASSERT_LE(0, fd);
	close(fd);

	/* max_entries 0 stands for the default cap. */
	fd = new_map(8, 8, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_info(fd, &info));
	EXPECT_EQ(limit < HMAP_IOC_DEFAULT_MAX_ENTRIES ?
		  limit : HMAP_IOC_DEFAULT_MAX_ENTRIES, info.max_entries);
	close(fd);
}

TEST_F(maps, create_shards)
{
	struct hmap_ioc_create c = {
		.size = sizeof(c), .key_size = 8, .value_size = 8,
		.flags = HMAP_CREATE_F_SHARDED,
	};
	struct hmap_ioc_stats st;
	int fd;

	EXPECT_EQ(-EINVAL, xioctl(self->dev, HMAP_IOC_CREATE, &c));
	c.shard_bits = HMAP_SHARD_BITS_MAX + 1;
	EXPECT_EQ(-EINVAL, xioctl(self->dev, HMAP_IOC_CREATE, &c));
	c.flags = 0;
	c.shard_bits = 2;
	EXPECT_EQ(-EINVAL, xioctl(self->dev, HMAP_IOC_CREATE, &c));
	c.flags = HMAP_CREATE_F_SHARDED;
	c.shard_bits = HMAP_SHARD_BITS_MAX;
	fd = xioctl(self->dev, HMAP_IOC_CREATE, &c);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fill(fd, 0, 5000, 512));
	ASSERT_EQ(0, hmap_stats(fd, &st));
	EXPECT_EQ(1u << HMAP_SHARD_BITS_MAX, st.shards);
	EXPECT_EQ(5000, st.count);
	close(fd);
}

/*
 * A pinned map's name is a file name: what the old name table refused (a
 * space, UTF-8, a newline) is fine, up to NAME_MAX bytes; '/' separates
 * directories; a name is taken until its file is removed. A path that runs
 * into unreadable memory before its NUL faults.
 */
TEST_F(maps, pin_names_are_file_names)
{
	static const char *const odd[] = {
		"a b", "caf\xc3\xa9", "x\n", "good.name_-0", ".dot",
	};
	struct hmap_ioc_pin pin = { .size = sizeof(pin), .dirfd = AT_FDCWD };
	long page = sysconf(_SC_PAGESIZE);
	char name[NAME_MAX + 2], path[PATH_LEN];
	const char *p;
	struct stat st;
	unsigned int i;
	size_t len;
	char *mem;
	int fd, fd2;

	fd = new_map(4, 4, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		p = track(self, path_of(odd[i]));
		EXPECT_EQ(0, hmap_pin(fd, p, 0600));
		fd2 = hmap_open(p, 1);
		EXPECT_LE(0, fd2);
		EXPECT_EQ(map_id(fd), map_id(fd2));
		close(fd2);
	}

	/* NAME_MAX bytes is the longest name. */
	len = snprintf(name, sizeof(name), "t%d-", getpid());
	memset(name + len, 'l', sizeof(name) - len);
	name[NAME_MAX] = 0;
	snprintf(path, sizeof(path), HMAPFS_PATH "/%s", name);
	EXPECT_EQ(0, hmap_pin(fd, track(self, path), 0600));
	EXPECT_EQ(0, stat(path, &st));
	name[NAME_MAX] = 'l';
	name[NAME_MAX + 1] = 0;
	snprintf(path, sizeof(path), HMAPFS_PATH "/%s", name);
	EXPECT_EQ(-ENAMETOOLONG, hmap_pin(fd, path, 0600));

	/* Directories: a missing one, a file taken for one, no name at all. */
	EXPECT_EQ(-ENOENT, hmap_pin(fd, path_of("nodir/b"), 0600));
	snprintf(path, sizeof(path), "%s/x", path_of("good.name_-0"));
	EXPECT_EQ(-ENOTDIR, hmap_pin(fd, path, 0600));
	EXPECT_EQ(-ENOENT, hmap_pin(fd, "", 0600));

	/* No NUL before a PROT_NONE page: EFAULT, and no file. */
	mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, mprotect(mem + page, page, PROT_NONE));
	p = path_of("unterminated");
	memcpy(mem + page - strlen(p), p, strlen(p));
	pin.path = PTR(mem + page - strlen(p));
	EXPECT_EQ(-EFAULT, xioctl(fd, HMAP_IOC_PIN, &pin));
	EXPECT_EQ(-1, lstat(track(self, p), &st));
	EXPECT_EQ(ENOENT, errno);
	munmap(mem, 2 * page);

	/* Taken until removed; then free again. */
	p = path_of("good.name_-0");
	fd2 = new_map(8, 8, 0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EEXIST, hmap_pin(fd2, p, 0600));
	EXPECT_EQ(-EEXIST, hmap_pin(fd, p, 0644));
	EXPECT_EQ(0, unlink(p));
	EXPECT_EQ(-1, unlink(p));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-ENOENT, hmap_open(p, 0));
	EXPECT_EQ(0, hmap_pin(fd2, p, 0600));
	close(fd);
	fd = hmap_open(p, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(map_id(fd2), map_id(fd));
	close(fd2);
	close(fd);
}

TEST_F(maps, descriptors_are_cloexec)
{
	const char *path = path_of("cloexec");
	int fd, fd2;

	fd = new_pinned(self, 4, 4, 0, "cloexec", 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	fd2 = hmap_open(path, 1);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDONLY, fcntl(fd2, F_GETFL) & O_ACCMODE);
	close(fd2);
	/* open(2) of the file decides, as for any file. */
	fd2 = open(path, O_RDWR);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(fd2, F_GETFL) & O_ACCMODE);
	close(fd2);
	close(fd);
	EXPECT_EQ(0, unlink(path));
}

/* ---- elements ---- */

TEST_F(maps, update_modes)
{
	uint64_t k = 5, v = 50, out = 0;
	int fd = new_map(8, 8, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, hmap_lookup(fd, &k, &out));
	EXPECT_EQ(-ENOENT, hmap_update(fd, &k, &v, HMAP_UPDATE_EXIST));
	EXPECT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_NOEXIST));
	EXPECT_EQ(-EEXIST, hmap_update(fd, &k, &v, HMAP_UPDATE_NOEXIST));
	EXPECT_EQ(0, hmap_lookup(fd, &k, &out));
	EXPECT_EQ(50, out);
	v = 51;
	EXPECT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_EXIST));
	v = 52;
	EXPECT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_ANY));
	EXPECT_EQ(0, hmap_lookup(fd, &k, &out));
	EXPECT_EQ(52, out);
	EXPECT_EQ(-EINVAL, hmap_update(fd, &k, &v, 3));
	EXPECT_EQ(0, hmap_delete(fd, &k));
	EXPECT_EQ(-ENOENT, hmap_delete(fd, &k));
	close(fd);
}

TEST_F(maps, lookup_and_delete)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t k = 9, v = 90, out = 0;
	void *none;
	int fd = new_map(8, 8, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_ANY));
	/* An unwritable value buffer fails before the entry is removed. */
	none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-EFAULT, hmap_lookup_and_delete(fd, &k, none));
	EXPECT_EQ(0, hmap_lookup(fd, &k, &out));
	EXPECT_EQ(0, hmap_lookup_and_delete(fd, &k, &out));
	EXPECT_EQ(90, out);
	EXPECT_EQ(-ENOENT, hmap_lookup_and_delete(fd, &k, &out));
	EXPECT_EQ(-ENOENT, hmap_lookup(fd, &k, &out));
	munmap(none, page);
	close(fd);
}

TEST_F(maps, sets_and_big_entries)
{
	static uint8_t key[HMAP_KEY_SIZE_MAX], value[HMAP_VALUE_SIZE_MAX];
	static uint8_t out[HMAP_VALUE_SIZE_MAX];
	uint64_t cursor = 0, count;
	uint32_t n = 4;
	int fd;

	/* value_size 0: a set; value pointers are not used. */
	fd = new_map(4, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, hmap_update(fd, "abc", NULL, HMAP_UPDATE_NOEXIST));
	EXPECT_EQ(0, hmap_lookup(fd, "abc", NULL));
	EXPECT_EQ(-ENOENT, hmap_lookup(fd, "abd", NULL));
	close(fd);

	fd = new_map(sizeof(key), sizeof(value), 0);
	ASSERT_LE(0, fd);
	memset(key, 0xab, sizeof(key));
	memset(value, 0xcd, sizeof(value));
	value[sizeof(value) - 1] = 1;
	EXPECT_EQ(0, hmap_update(fd, key, value, HMAP_UPDATE_ANY));
	key[0] = 0;
	EXPECT_EQ(0, hmap_update(fd, key, value, HMAP_UPDATE_ANY));
	EXPECT_EQ(0, hmap_lookup(fd, key, out));
	EXPECT_EQ(0, memcmp(value, out, sizeof(value)));
	EXPECT_EQ(0, hmap_count(fd, &count));
	EXPECT_EQ(2, count);
	/* Dump keys only: values 0. */
	{
		static uint8_t keys[4][HMAP_KEY_SIZE_MAX];

		EXPECT_EQ(0, hmap_dump(fd, &cursor, keys, NULL, &n));
		EXPECT_EQ(2, n);
		EXPECT_EQ(0, cursor);
	}
	close(fd);
}

TEST_F(maps, info_and_zeroed_output)
{
	const char *path = path_of("info");
	struct hmap_ioc_info info;
	uint64_t k = 1, v = 2;
	uint32_t id;
	int fd, ro;

	fd = new_pinned(self, 8, 8, 77, "info", 0640);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_ANY));
	memset(&info, 0xff, sizeof(info));
	info.size = sizeof(info);
	info.flags = 0;
	ASSERT_EQ(0, ioctl(fd, HMAP_IOC_INFO, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_NE(0, info.id);
	EXPECT_NE(0xffffffff, info.id);
	EXPECT_EQ(8, info.key_size);
	EXPECT_EQ(8, info.value_size);
	EXPECT_EQ(77, info.max_entries);
	EXPECT_EQ(1, info.count);
	EXPECT_EQ(0, info.info_flags);
	EXPECT_EQ(0, info.map_flags);
	EXPECT_EQ(0, info.shard_bits);
	id = info.id;

	/* The same map through its file, read-only. */
	ro = hmap_open(path, 1);
	ASSERT_LE(0, ro);
	memset(&info, 0xff, sizeof(info));
	info.size = sizeof(info);
	info.flags = 0;
	ASSERT_EQ(0, ioctl(ro, HMAP_IOC_INFO, &info));
	EXPECT_EQ(id, info.id);
	EXPECT_EQ(77, info.max_entries);
	EXPECT_EQ(1, info.count);
	EXPECT_EQ(HMAP_INFO_RDONLY, info.info_flags);
	EXPECT_EQ(0, info.map_flags);
	EXPECT_EQ(0, info.shard_bits);
	close(ro);
	close(fd);
	EXPECT_EQ(0, unlink(path));
}

TEST_F(maps, count_clear_stats)
{
	struct hmap_ioc_stats st;
	uint64_t count, sum = 0;
	unsigned int i;
	int fd = new_map(8, 8, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_stats(fd, &st));
	EXPECT_EQ(0, st.count);
	ASSERT_EQ(0, fill(fd, 0, 20000, 1000));
	ASSERT_EQ(0, hmap_count(fd, &count));
	EXPECT_EQ(20000, count);
	memset(&st, 0xff, sizeof(st));
	st.size = sizeof(st);
	st.flags = 0;
	st.__reserved = 0;
	ASSERT_EQ(0, ioctl(fd, HMAP_IOC_STATS, &st));
	EXPECT_EQ(20000, st.count);
	EXPECT_EQ(1, st.shards);
	EXPECT_EQ(1ull << st.B, st.buckets);
	/* 20000 keys at most 6.5 per bucket: B >= 12. */
	EXPECT_LE(12, st.B);
	EXPECT_LE(1, st.growths);
	EXPECT_LT(20000 * 16, st.bytes);
	EXPECT_EQ(0, st.__reserved);
	for (i = 0; i < HMAP_CHAIN_HIST_LEN; i++)
		sum += st.chain_hist[i];
	EXPECT_EQ(st.buckets, sum);
	if (st.state & HMAP_STATS_GROWING) {
		EXPECT_LE(st.nevacuate, st.old_buckets);
	} else {
		EXPECT_EQ(0, st.old_buckets);
	}

	ASSERT_EQ(0, hmap_clear(fd));
	ASSERT_EQ(0, hmap_count(fd, &count));
	EXPECT_EQ(0, count);
	close(fd);
}

TEST_F(maps, batches_report_progress)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t keys[8] = { 1, 2, 3, 2, 5 }, values[8] = { 10, 20, 30, 40, 50 };
	uint64_t *edge;
	uint32_t n;
	char *mem;
	int fd = new_map(8, 8, 0);

	ASSERT_LE(0, fd);
	/* A duplicate key at index 3 stops a noexist batch there. */
	n = 5;
	EXPECT_EQ(-EEXIST, hmap_update_batch(fd, keys, values, &n,
					     HMAP_UPDATE_NOEXIST));
	EXPECT_EQ(3, n);
	/* A missing key at index 4 stops a lookup batch there. */
	n = 5;
	EXPECT_EQ(-ENOENT, hmap_lookup_batch(fd, keys, values, &n));
	EXPECT_EQ(4, n);
	EXPECT_EQ(20, values[3]);

	/* Keys running into an unmapped page: EFAULT at that element. */
	mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, mprotect(mem + page, page, PROT_NONE));
	edge = (uint64_t *)(mem + page) - 2;
	edge[0] = 1;
	edge[1] = 2;
	n = 4;
	EXPECT_EQ(-EFAULT, hmap_delete_batch(fd, edge, &n));
	EXPECT_EQ(2, n);
	n = 3;
	EXPECT_EQ(-ENOENT, hmap_delete_batch(fd, keys + 2, &n));
	EXPECT_EQ(1, n);	/* 3 deleted, 2 was gone */
	munmap(mem, 2 * page);
	close(fd);
}

/*
 * This thread's fail-nth file, opened once so that setting and reading it
 * allocates nothing; -1 if fault injection is not there. Failures are made
 * to hit sleeping allocations too, and quietly: the stack trace failslab
 * prints by default reads as a splat on the console.
 */
static int fail_nth_open(void)
{
	char path[64];

	if (!write_knob("/sys/kernel/debug/failslab/ignore-gfp-wait", "N") ||
	    !write_knob("/sys/kernel/debug/failslab/verbose", "0"))
		return -1;
	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	return open(path, O_RDWR);
}

/* Set (n > 0) or cancel (0) the fault; the countdown left before that. */
static long fail_nth_set(int fd, unsigned int n)
{
	char buf[16] = "";
	int len;

	if (pread(fd, buf, sizeof(buf) - 1, 0) < 0)
		return -1;
	len = snprintf(buf + 8, 8, "%u", n);
	if (pwrite(fd, buf + 8, len, 0) != len)
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * Fail the n-th allocation of a batch update, for every n until the call
 * runs untouched: it returns 0 or ENOMEM, and count always says how many
 * elements were done, which is how many keys the map then holds. (A batch
 * whose scratch buffer could not be allocated used to return ENOMEM with
 * count unchanged, so a caller resuming from count skipped the batch.)
 */
TEST_F(maps, batch_enomem_reports_elements_done)
{
	uint64_t keys[64], values[64], count;
	unsigned int n, enomem = 0;
	int fd, nth, ret, i;
	long left;

	nth = fail_nth_open();
	if (nth < 0)
		SKIP(return, "no fail-nth or failslab knobs in debugfs");
	for (i = 0; i < 64; i++)
		keys[i] = values[i] = i;
	for (n = 1; n < 1000; n++) {
		struct hmap_ioc_batch b = {
			.size = sizeof(b), .keys = PTR(keys),
			.values = PTR(values), .count = 64,
		};

		fd = new_map(8, 8, 0);
		ASSERT_LE(0, fd);
		ASSERT_LE(0, fail_nth_set(nth, n));
		ret = xioctl(fd, HMAP_IOC_BATCH_UPDATE, &b);
		left = fail_nth_set(nth, 0);
		ASSERT_EQ(0, hmap_count(fd, &count));
		close(fd);
		ASSERT_TRUE(ret == 0 || ret == -ENOMEM);
		EXPECT_EQ(count, b.count);
		enomem += ret == -ENOMEM;
		/* The call ended before its n-th allocation: it ran untouched. */
		if (left > 0) {
			EXPECT_EQ(0, ret);
			EXPECT_EQ(64, b.count);
			break;
		}
	}
	close(nth);
	TH_LOG("%u fault points, %u ENOMEM", n - 1, enomem);
	EXPECT_LT(0, enomem);
	EXPECT_GT(1000, n);
}

TEST_F(maps, full_map)
{
	uint64_t k, v = 1, keys[4] = { 100, 101, 102, 103 }, vals[4] = { 0 };
	uint32_t n;
	int fd = new_map(8, 8, 16);

	ASSERT_LE(0, fd);
	for (k = 0; k < 16; k++)
		ASSERT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_NOEXIST));
	k = 16;
	EXPECT_EQ(-E2BIG, hmap_update(fd, &k, &v, HMAP_UPDATE_ANY));
	EXPECT_EQ(-E2BIG, hmap_update(fd, &k, &v, HMAP_UPDATE_NOEXIST));
	/* Replacing a present key still works, in every mode that may. */
	k = 3;
	v = 33;
	EXPECT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_ANY));
	EXPECT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_EXIST));
	EXPECT_EQ(-EEXIST, hmap_update(fd, &k, &v, HMAP_UPDATE_NOEXIST));
	v = 0;
	EXPECT_EQ(0, hmap_lookup(fd, &k, &v));
	EXPECT_EQ(33, v);
	/* Room again after a delete. */
	EXPECT_EQ(0, hmap_delete(fd, &k));
	k = 16;
	EXPECT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_NOEXIST));
	/* A batch stops at the first key that does not fit. */
	k = 16;
	EXPECT_EQ(0, hmap_delete(fd, &k));
	n = 4;
	EXPECT_EQ(-E2BIG, hmap_update_batch(fd, keys, vals, &n,
					    HMAP_UPDATE_ANY));
	EXPECT_EQ(1, n);
	close(fd);
}

/* ---- lifetime ---- */

/*
 * The map is freed with its last descriptor: its memory, charged to the
 * cgroup it was made in, is uncharged (there is no list of maps to look
 * in any more). The map is sized for its keys, so none of its memory is
 * freed before the map itself, and memory.current must come back to
 * within a third of the map's size of where it started.
 */
TEST_F_TIMEOUT(maps, anonymous_map_freed_on_last_close, 90)
{
	struct hmap_create_opts o = {
		.key_size = 8, .value_size = 8, .size_hint = BIG_KEYS + 1,
	};
	struct hmap_ioc_stats st;
	long long base, full, left;
	uint64_t count;
	int fd, fd2;

	if (!memcg_enter(&self->cg, "anon"))
		SKIP(return, "no memory controller (CONFIG_MEMCG)");
	base = memcg_current(&self->cg);
	ASSERT_LE(0, base);
	fd = hmap_create(&o);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fill(fd, 0, BIG_KEYS, 1024));
	ASSERT_EQ(0, hmap_stats(fd, &st));
	memcg_leave(&self->cg);
	full = memcg_current(&self->cg);
	TH_LOG("map of %llu bytes; memory.current %lld -> %lld",
	       (unsigned long long)st.bytes, base, full);
	/* Charged to its creator's cgroup, or this test sees nothing. */
	ASSERT_LE(base + (long long)st.bytes / 2, full);

	/* A dup() is another descriptor of the same open file. */
	fd2 = dup(fd);
	ASSERT_LE(0, fd2);
	close(fd);
	ASSERT_EQ(0, hmap_count(fd2, &count));
	EXPECT_EQ(BIG_KEYS, count);
	close(fd2);
	left = memcg_wait_below(&self->cg, base + (long long)st.bytes / 3);
	TH_LOG("after the last close: %lld", left);
	EXPECT_LE(0, left);
	EXPECT_GE(base + (long long)st.bytes / 3, left);
}

TEST_F(maps, pinned_map_persists_until_unlinked)
{
	const char *path = path_of("persist");
	uint64_t k = 7, v = 70, out = 0;
	uint32_t id;
	int fd, fd2;

	fd = new_map(8, 8, 0);
	ASSERT_LE(0, fd);
	id = map_id(fd);
	ASSERT_NE(0, id);
	ASSERT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_ANY));
	ASSERT_EQ(0, hmap_pin(fd, track(self, path), 0600));
	close(fd);

	/* No descriptor open: the file keeps the map and its contents. */
	fd = hmap_open(path, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id, map_id(fd));
	EXPECT_EQ(0, hmap_lookup(fd, &k, &out));
	EXPECT_EQ(70, out);

	/* Unlinked while open: usable through the descriptor, name free. */
	EXPECT_EQ(0, unlink(path));
	EXPECT_EQ(-ENOENT, hmap_open(path, 0));
	EXPECT_EQ(0, hmap_lookup(fd, &k, &out));
	v = 71;
	EXPECT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_EXIST));
	EXPECT_EQ(0, hmap_lookup(fd, &k, &out));
	EXPECT_EQ(71, out);
	/* The name now takes another map. */
	fd2 = new_map(4, 4, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, hmap_pin(fd2, path, 0600));
	close(fd2);
	fd2 = hmap_open(path, 1);
	ASSERT_LE(0, fd2);
	EXPECT_NE(id, map_id(fd2));
	EXPECT_EQ(id, map_id(fd));
	close(fd2);
	EXPECT_EQ(0, unlink(path));
	close(fd);
}

static long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/hmap_dev/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

TEST_F(maps, open_descriptors_pin_the_module)
{
	long before = module_refcnt();
	int fd;

	if (before < 0)
		SKIP(return, "no /sys/module/hmap_dev/refcnt");
	fd = new_map(8, 8, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(before + 1, module_refcnt());
	close(fd);
	EXPECT_EQ(before, module_refcnt());
}

/* ---- permissions ---- */

#define NOBODY	65534

#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# child uid %d: line %d: %s (errno %d)\n", \
			getuid(), __LINE__, #cond, errno);		\
		_exit(1);						\
	}								\
} while (0)

/* What the children of permissions_of_pinned_files work on. */
struct perm {
	int dev;		/* /dev/hmap, opened by root */
	char p600[PATH_LEN];	/* root's, 0600 */
	char p644[PATH_LEN];	/* root's, 0644, key 1 -> 11 */
	char mine[PATH_LEN];	/* pinned by nobody, 0640 */
	char rootdir[PATH_LEN];	/* root's directory, 0755 */
};

/* Run @fn(@p) as @uid:@gid (no other groups) in a child; its exit status. */
static int as_user(uid_t uid, gid_t gid, void (*fn)(const struct perm *),
		   const struct perm *p)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		    setresuid(uid, uid, uid))
			_exit(99);
		fn(p);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int open_errno(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void nobody_checks(const struct perm *p)
{
	char path[PATH_LEN + 8];
	struct hmap_ioc_info info;
	uint64_t k = 1, v = 0;
	int fd;

	CHILD_CHECK(open(HMAP_DEV_PATH, O_RDWR) < 0 && errno == EACCES);
	/* The file's mode, as for any file. */
	CHILD_CHECK(open_errno(p->p600, O_RDWR) == EACCES);
	CHILD_CHECK(open_errno(p->p600, O_RDONLY) == EACCES);
	CHILD_CHECK(open_errno(p->p644, O_RDWR) == EACCES);
	fd = hmap_open(p->p644, 1);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(hmap_lookup(fd, &k, &v) == 0 && v == 11);
	CHILD_CHECK(hmap_update(fd, &k, &v, HMAP_UPDATE_ANY) == -EPERM);
	CHILD_CHECK(hmap_clear(fd) == -EPERM);
	CHILD_CHECK(hmap_info(fd, &info) == 0 &&
		    info.info_flags == HMAP_INFO_RDONLY);
	/* A read-only descriptor cannot become a file openable read-write. */
	snprintf(path, sizeof(path), "%s-ro", p->mine);
	CHILD_CHECK(hmap_pin(fd, path, 0600) == -EPERM);
	close(fd);
	/* The sticky root: another user's file stays. */
	CHILD_CHECK(unlink(p->p600) < 0 && errno == EPERM);
	CHILD_CHECK(rename(p->p600, path) < 0 && errno == EPERM);
	snprintf(path, sizeof(path), HMAPFS_PATH "/no-such-map-%d", getpid());
	CHILD_CHECK(open_errno(path, O_RDONLY) == ENOENT);

	/* A map made through root's descriptor, pinned by nobody. */
	fd = xioctl(p->dev, HMAP_IOC_CREATE, &(struct hmap_ioc_create){
		.size = sizeof(struct hmap_ioc_create),
		.key_size = 8, .value_size = 8,
	});
	CHILD_CHECK(fd >= 0);
	snprintf(path, sizeof(path), "%s/m", p->rootdir);
	CHILD_CHECK(hmap_pin(fd, path, 0600) == -EACCES);
	CHILD_CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	CHILD_CHECK(hmap_pin(fd, p->mine, 0640) == 0);
	close(fd);
}

/* uid 1001 in nobody's group. */
static void group_member_checks(const struct perm *p)
{
	CHILD_CHECK(open_errno(p->mine, O_RDONLY) == 0);
	CHILD_CHECK(open_errno(p->mine, O_RDWR) == EACCES);
	CHILD_CHECK(unlink(p->mine) < 0 && errno == EPERM);
}

static void stranger_checks(const struct perm *p)
{
	CHILD_CHECK(open_errno(p->mine, O_RDONLY) == EACCES);
}

/* After root's chmod 0606 of p600 and chown nobody:nobody of p644. */
static void after_chmod_chown(const struct perm *p)
{
	uint64_t k = 1, v = 12;
	int fd;

	CHILD_CHECK(open_errno(p->p600, O_RDWR) == 0);
	fd = hmap_open(p->p644, 0);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(hmap_update(fd, &k, &v, HMAP_UPDATE_EXIST) == 0);
	close(fd);
	/* An owner may remove its own file from the sticky root. */
	CHILD_CHECK(unlink(p->p644) == 0);
	CHILD_CHECK(unlink(p->mine) == 0);
}

TEST_F(maps, permissions_of_pinned_files)
{
	struct perm *p;
	uint64_t k = 1, v = 11;
	struct stat st;
	int fd;

	if (geteuid())
		SKIP(return, "needs root to switch users");
	p = calloc(1, sizeof(*p));
	ASSERT_NE(NULL, p);
	p->dev = self->dev;
	snprintf(p->p600, PATH_LEN, "%s", track(self, path_of("p600")));
	snprintf(p->p644, PATH_LEN, "%s", track(self, path_of("p644")));
	snprintf(p->rootdir, PATH_LEN, "%s", track(self, path_of("rootdir")));
	track(self, path_of("rootdir/m"));	/* if nobody's pin there worked */
	snprintf(p->mine, PATH_LEN, "%s", track(self, path_of("nobody")));
	track(self, path_of("nobody-ro"));	/* if a read-only pin worked */
	umask(022);
	ASSERT_EQ(0, mkdir(p->rootdir, 0755));
	fd = new_map(8, 8, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_pin(fd, p->p600, 0600));
	close(fd);
	fd = new_map(8, 8, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_ANY));
	ASSERT_EQ(0, hmap_pin(fd, p->p644, 0644));
	close(fd);

	/* /dev/hmap is root's: other users work through a passed descriptor. */
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, nobody_checks, p));
	EXPECT_EQ(0, stat(p->p600, &st));

	/* The file nobody pinned is nobody's, 0640. Root may still open it. */
	ASSERT_EQ(0, stat(p->mine, &st));
	EXPECT_EQ(NOBODY, st.st_uid);
	EXPECT_EQ(NOBODY, st.st_gid);
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	EXPECT_EQ(0, open_errno(p->mine, O_RDWR));
	EXPECT_EQ(0, as_user(1001, NOBODY, group_member_checks, p));
	EXPECT_EQ(0, as_user(1002, 1002, stranger_checks, p));

	/* Root changes who may do what, as for any file. */
	EXPECT_EQ(0, chmod(p->p600, 0606));
	EXPECT_EQ(0, chown(p->p644, NOBODY, NOBODY));
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, after_chmod_chown, p));
	EXPECT_EQ(ENOENT, open_errno(p->mine, O_RDONLY));
	EXPECT_EQ(ENOENT, open_errno(p->p644, O_RDONLY));

	EXPECT_EQ(0, unlink(p->p600));
	EXPECT_EQ(0, rmdir(p->rootdir));
	free(p);
}

/* ---- dumps ---- */

/* Dump everything; count returns per key (keys < @limit) into @seen. */
static int dump_all(int fd, uint8_t *seen, uint64_t limit, uint32_t chunk,
		    void (*between)(void *), void *arg)
{
	uint64_t keys[256], values[256], cursor = 0;
	uint32_t n, i;
	int ret;

	do {
		n = chunk;
		ret = hmap_dump(fd, &cursor, keys, values, &n);
		if (ret)
			return ret;
		for (i = 0; i < n; i++) {
			if (keys[i] >= limit || values[i] != keys[i] * 3)
				return -ERANGE;
			if (seen[keys[i]] < 255)
				seen[keys[i]]++;
		}
		if (between && cursor)
			between(arg);
	} while (cursor);
	return 0;
}

/*
 * Keys [0, @must) must have come back exactly once, keys [@must, @limit)
 * at most once. Returns the number of keys breaking that, logging the first.
 */
static unsigned int check_seen(const uint8_t *seen, uint64_t must,
			       uint64_t limit)
{
	unsigned int bad = 0;
	uint64_t i;

	for (i = 0; i < limit; i++) {
		if (i < must ? seen[i] == 1 : seen[i] <= 1)
			continue;
		if (!bad++)
			fprintf(stderr, "# key %llu returned %u times\n",
				(unsigned long long)i, seen[i]);
	}
	return bad;
}

TEST_F(maps, dump_rules)
{
	uint64_t keys[8], values[8], cursor = 0, cursor2;
	struct hmap_ioc_dump d = { .size = sizeof(d) };
	uint8_t seen[100] = { 0 };
	uint32_t n, i;
	int fd = new_map(8, 8, 0), fd2;

	ASSERT_LE(0, fd);
	/* An empty map: nothing, and done. */
	n = 8;
	ASSERT_EQ(0, hmap_dump(fd, &cursor, keys, values, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, cursor);

	ASSERT_EQ(0, fill(fd, 0, 100, 100));
	d.keys = PTR(keys);
	d.values = PTR(values);
	EXPECT_EQ(-EINVAL, xioctl(fd, HMAP_IOC_DUMP, &d));	/* count 0 */
	d.count = 8;
	d.cursor = 12345;
	EXPECT_EQ(-EINVAL, xioctl(fd, HMAP_IOC_DUMP, &d));	/* no dump */

	n = 8;
	ASSERT_EQ(0, hmap_dump(fd, &cursor, keys, values, &n));
	EXPECT_EQ(8, n);
	ASSERT_NE(0, cursor);
	for (i = 0; i < n; i++)
		seen[keys[i]]++;
	/* A cursor other than the last one is refused... */
	cursor2 = cursor + 1;
	n = 8;
	EXPECT_EQ(-EINVAL, hmap_dump(fd, &cursor2, keys, values, &n));
	/* ...and so is an old one, once the dump has moved on. */
	cursor2 = cursor;
	n = 8;
	ASSERT_EQ(0, hmap_dump(fd, &cursor, keys, values, &n));
	for (i = 0; i < n; i++)
		seen[keys[i]]++;
	n = 8;
	EXPECT_EQ(-EINVAL, hmap_dump(fd, &cursor2, keys, values, &n));

	/* The cursor belongs to the open file: a dup() continues the dump. */
	fd2 = dup(fd);
	while (cursor) {
		n = 8;
		ASSERT_EQ(0, hmap_dump(fd2, &cursor, keys, values, &n));
		for (i = 0; i < n; i++)
			seen[keys[i]]++;
	}
	for (i = 0; i < 100; i++)
		EXPECT_EQ(1, seen[i]);
	close(fd2);

	/* A finished dump's cursor is dead. */
	n = 8;
	EXPECT_EQ(-EINVAL, hmap_dump(fd, &cursor2, keys, values, &n));
	close(fd);
}

/* Record a dump's keys, all below @limit, in @seen. */
static int dump_some(int fd, uint64_t *cursor, uint32_t n, uint8_t *seen,
		     uint64_t limit)
{
	uint64_t keys[128];
	uint32_t i;
	int ret;

	if (n > 128)
		n = 128;
	ret = hmap_dump(fd, cursor, keys, NULL, &n);
	for (i = 0; !ret && i < n; i++) {
		if (keys[i] >= limit)
			return -ERANGE;
		if (seen[keys[i]] < 255)
			seen[keys[i]]++;
	}
	return ret;
}

/*
 * A dump parked anywhere, then CLEAR and a refill with the same keys: the
 * dump must never return a key twice. A CLEAR that emptied the array in
 * place handed its preallocated overflow bucket (hint 100: 16 buckets and
 * one spare) to a new chain while a dump still stood in it.
 */
TEST_F(maps, dump_across_clear_never_repeats)
{
	struct hmap_create_opts o = {
		.key_size = 8, .value_size = 8, .size_hint = 100,
	};
	unsigned int trial, bad = 0;
	uint8_t seen[100];
	uint64_t cursor;
	int fd;

	for (trial = 0; trial < 200; trial++) {
		fd = hmap_create(&o);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, fill(fd, 0, 100, 100));
		memset(seen, 0, sizeof(seen));
		cursor = 0;
		ASSERT_EQ(0, dump_some(fd, &cursor, 1 + trial % 99, seen, 100));
		ASSERT_NE(0, cursor);
		ASSERT_EQ(0, hmap_clear(fd));
		ASSERT_EQ(0, fill(fd, 0, 100, 100));
		while (cursor)
			ASSERT_EQ(0, dump_some(fd, &cursor, 128, seen, 100));
		bad += check_seen(seen, 0, 100) != 0;
		close(fd);
	}
	EXPECT_EQ(0, bad);
}

TEST_F(maps, dump_per_open_file_and_restart)
{
	const char *path = path_of("dumpfiles");
	uint8_t seen_a[300] = { 0 }, seen_b[300] = { 0 };
	uint64_t keys[8], values[8], ca = 0, cb = 0;
	bool a_done = false, b_done = false;
	uint32_t n, i;
	int a, b;

	a = new_pinned(self, 8, 8, 0, "dumpfiles", 0600);
	ASSERT_LE(0, a);
	b = hmap_open(path, 1);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, fill(a, 0, 300, 100));
	/* Two open files, two independent dumps, interleaved. */
	while (!a_done || !b_done) {
		if (!a_done) {
			n = 7;
			ASSERT_EQ(0, hmap_dump(a, &ca, keys, values, &n));
			for (i = 0; i < n; i++)
				seen_a[keys[i]]++;
			a_done = !ca;
		}
		if (!b_done) {
			n = 5;
			ASSERT_EQ(0, hmap_dump(b, &cb, keys, values, &n));
			for (i = 0; i < n; i++)
				seen_b[keys[i]]++;
			b_done = !cb;
		}
	}
	for (i = 0; i < 300; i++) {
		EXPECT_EQ(1, seen_a[i]);
		EXPECT_EQ(1, seen_b[i]);
	}
	/* Cursor 0 abandons a dump in progress and starts over. */
	memset(seen_a, 0, sizeof(seen_a));
	n = 8;
	ca = 0;
	ASSERT_EQ(0, hmap_dump(a, &ca, keys, values, &n));
	ASSERT_NE(0, ca);
	ca = 0;
	ASSERT_EQ(0, dump_all(a, seen_a, 300, 64, NULL, NULL));
	for (i = 0; i < 300; i++)
		EXPECT_EQ(1, seen_a[i]);
	/* Closing mid-dump releases it (kmemleak checks the rest). */
	n = 8;
	ASSERT_EQ(0, hmap_dump(b, &cb, keys, values, &n));
	close(b);
	close(a);
	EXPECT_EQ(0, unlink(path));
}

TEST_F(maps, dump_fault_then_retry_loses_nothing)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t keys[16], values[16], cursor = 0, saved;
	uint8_t seen[500] = { 0 };
	uint32_t n, i;
	void *none;
	int fd = new_map(8, 8, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fill(fd, 0, 500, 250));
	none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	do {
		/* Every call first faults on the values, then is repeated. */
		saved = cursor;
		n = 16;
		EXPECT_EQ(-EFAULT, hmap_dump(fd, &cursor, keys, none, &n));
		EXPECT_EQ(saved, cursor);
		n = 16;
		ASSERT_EQ(0, hmap_dump(fd, &cursor, keys, values, &n));
		for (i = 0; i < n; i++) {
			ASSERT_LT(keys[i], 500);
			seen[keys[i]]++;
		}
	} while (cursor);
	for (i = 0; i < 500; i++)
		EXPECT_EQ(1, seen[i]);
	munmap(none, page);
	close(fd);
}

/* The writer process of the growth tests. */
struct writer {
	int fd;
	int go[2];	/* parent -> child: a byte per step, 'q' to quit */
	int done[2];	/* child -> parent: a byte per finished step */
	uint64_t next, end, step;
	bool drain;	/* delete keys next..end-1 instead of inserting them */
};

static void writer_lockstep(struct writer *w)
{
	char c;

	while (read(w->go[0], &c, 1) == 1 && c != 'q') {
		if (w->next < w->end) {
			uint64_t hi = w->next + w->step;

			if (hi > w->end)
				hi = w->end;
			if ((w->drain ? drain : fill)(w->fd, w->next, hi, 1024))
				_exit(1);
			w->next = hi;
		}
		c = w->next < w->end ? 's' : 'e';
		if (write(w->done[1], &c, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

/* Called by the dump between chunks: let the writer do one step. */
static void lockstep_between(void *arg)
{
	struct writer *w = arg;
	char c = 'g';

	if (write(w->go[1], &c, 1) != 1 || read(w->done[0], &c, 1) != 1)
		abort();
}

static pid_t start_writer(struct writer *w, void (*fn)(struct writer *))
{
	pid_t pid;

	if (pipe(w->go) || pipe(w->done))
		return -1;
	pid = fork();
	if (!pid)
		fn(w);
	return pid;
}

static void stop_writer(struct writer *w, pid_t pid, int *status)
{
	char c = 'q';

	if (write(w->go[1], &c, 1) != 1)
		kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	close(w->go[0]);
	close(w->go[1]);
	close(w->done[0]);
	close(w->done[1]);
}

/*
 * Keys 0..N-1 are present for the whole dump; between two chunks another
 * process inserts a few thousand more, so the map doubles several times
 * during the dump. Each of the N keys comes back exactly once and no key
 * twice.
 */
TEST_F_TIMEOUT(maps, dump_exactly_once_while_another_process_grows_map, 300)
{
	enum { N = 4000, M = 60000 };
	struct hmap_ioc_stats before, after;
	struct writer w = { .next = N, .end = N + M, .step = 1500 };
	uint8_t *seen = calloc(N + M, 1);
	int status = -1;
	pid_t pid;

	ASSERT_NE(NULL, seen);
	w.fd = new_map(8, 8, 0);
	ASSERT_LE(0, w.fd);
	ASSERT_EQ(0, fill(w.fd, 0, N, 1000));
	ASSERT_EQ(0, hmap_stats(w.fd, &before));
	pid = start_writer(&w, writer_lockstep);
	ASSERT_LT(0, pid);

	ASSERT_EQ(0, dump_all(w.fd, seen, N + M, 64, lockstep_between, &w));
	stop_writer(&w, pid, &status);
	EXPECT_EQ(0, status);
	ASSERT_EQ(0, hmap_stats(w.fd, &after));

	EXPECT_EQ(0, check_seen(seen, N, N + M));
	/* The map did grow during the dump, several times. */
	TH_LOG("B %u -> %u, growths %llu -> %llu", before.B, after.B,
	       (unsigned long long)before.growths,
	       (unsigned long long)after.growths);
	EXPECT_LE(before.B + 3, after.B);
	EXPECT_LE(before.growths + 3, after.growths);
	free(seen);
	close(w.fd);
}

/*
 * The reverse: keys 0..N-1 stay for the whole dump while another process
 * deletes the M others between chunks, so the map halves several times
 * during the dump. Each of the N keys comes back exactly once.
 */
TEST_F_TIMEOUT(maps, dump_exactly_once_while_another_process_drains_map, 300)
{
	enum { N = 1000, M = 64000 };
	struct hmap_ioc_stats before = { .size = sizeof(before) };
	struct hmap_ioc_stats after = { .size = sizeof(after) };
	struct writer w = { .next = N, .end = N + M, .step = 1000, .drain = true };
	uint8_t *seen = calloc(N + M, 1);
	int status = -1;
	pid_t pid;

	ASSERT_NE(NULL, seen);
	w.fd = new_map(8, 8, 0);
	ASSERT_LE(0, w.fd);
	ASSERT_EQ(0, fill(w.fd, 0, N + M, 1000));
	ASSERT_EQ(0, hmap_stats(w.fd, &before));
	pid = start_writer(&w, writer_lockstep);
	ASSERT_LT(0, pid);

	ASSERT_EQ(0, dump_all(w.fd, seen, N + M, 16, lockstep_between, &w));
	stop_writer(&w, pid, &status);
	EXPECT_EQ(0, status);
	/*
	 * Arrays this large are allocated by the map's work item, which runs
	 * on its own time: give it up to 5 s after the writes stop.
	 */
	for (int ms = 0; ms < 5000; ms += 10) {
		ASSERT_EQ(0, hmap_stats(w.fd, &after));
		if (after.shrinks >= before.shrinks + 2)
			break;
		usleep(10000);
	}

	EXPECT_EQ(0, check_seen(seen, N, N + M));
	TH_LOG("B %u -> %u, shrinks %llu -> %llu", before.B, after.B,
	       (unsigned long long)before.shrinks,
	       (unsigned long long)after.shrinks);
	/* 65000 keys at B = 14 to 1000: four halvings, two at least by now. */
	EXPECT_LE(before.shrinks + 2, after.shrinks);
	EXPECT_LE(after.B + 2, before.B);
	free(seen);
	close(w.fd);
}

static void writer_free_running(struct writer *w)
{
	uint64_t k;
	char c = 'r';

	/* Signal the start, then insert (and delete some of our own). */
	if (write(w->done[1], &c, 1) != 1)
		_exit(1);
	for (k = w->next; k < w->end; k += w->step) {
		if (fill(w->fd, k, k + w->step, 256))
			_exit(1);
		if (k >= w->next + 2 * w->step) {
			uint64_t old = k - 2 * w->step;

			if (hmap_delete(w->fd, &old))
				_exit(2);
		}
	}
	_exit(0);
}

static void yield_between(void *arg)
{
	(void)arg;
	sched_yield();
}

TEST_F_TIMEOUT(maps, dump_exactly_once_during_concurrent_inserts, 300)
{
	enum { N = 3000, M = 40000 };
	struct writer w = { .next = N, .end = N + M, .step = 500 };
	uint8_t *seen = calloc(N + M, 1);
	int status = -1;
	pid_t pid;
	char c;

	ASSERT_NE(NULL, seen);
	w.fd = new_map(8, 8, 0);
	ASSERT_LE(0, w.fd);
	ASSERT_EQ(0, fill(w.fd, 0, N, 1000));
	pid = start_writer(&w, writer_free_running);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(w.done[0], &c, 1));

	ASSERT_EQ(0, dump_all(w.fd, seen, N + M, 16, yield_between, NULL));
	waitpid(pid, &status, 0);
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, check_seen(seen, N, N + M));
	free(seen);
	close(w.fd);
}

TEST_F_TIMEOUT(maps, dump_sharded_map_while_it_grows, 300)
{
	enum { N = 3000, M = 30000 };
	struct hmap_ioc_create c = {
		.size = sizeof(c), .key_size = 8, .value_size = 8,
		.flags = HMAP_CREATE_F_SHARDED, .shard_bits = 2,
	};
	struct writer w = { .next = N, .end = N + M, .step = 2000 };
	uint8_t *seen = calloc(N + M, 1);
	int status = -1;
	pid_t pid;

	ASSERT_NE(NULL, seen);
	w.fd = xioctl(self->dev, HMAP_IOC_CREATE, &c);
	ASSERT_LE(0, w.fd);
	ASSERT_EQ(0, fill(w.fd, 0, N, 1000));
	pid = start_writer(&w, writer_lockstep);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, dump_all(w.fd, seen, N + M, 32, lockstep_between, &w));
	stop_writer(&w, pid, &status);
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, check_seen(seen, N, N + M));
	free(seen);
	close(w.fd);
}

TEST_HARNESS_MAIN
