// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_fs_test: maps pinned as files in hmapfs, one behaviour per test.
 * HMAP_IOC_PIN makes the file; open(2) of it returns a map descriptor;
 * rm, mv, chmod, chown, mkdir, rmdir and ls work as on any file, with the
 * VFS's permission checks; every mount is an instance of its own.
 *
 * The test VM mounts an hmapfs at HMAPFS_PATH before the selftests run:
 * if none is there, every test fails (none skips). Files go to paths
 * unique to the test's process and are removed in the teardown.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hmap.h"
#include "kselftest_harness.h"

#define PTR(p)		((__u64)(unsigned long)(p))
#define PATH_LEN	256
#define MAX_PATHS	16
#define NOBODY		65534

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static int new_map(void)
{
	struct hmap_create_opts o = { .key_size = 8, .value_size = 8 };

	return hmap_create(&o);
}

static uint32_t map_id(int fd)
{
	struct hmap_ioc_info info;

	return hmap_info(fd, &info) ? 0 : info.id;
}

static uint32_t info_flags(int fd)
{
	struct hmap_ioc_info info;

	return hmap_info(fd, &info) ? 0xffffffff : info.info_flags;
}

/* Key k -> k * 3 for k in [lo, hi), in batches. */
static int fill(int fd, uint64_t lo, uint64_t hi)
{
	uint64_t keys[1024], values[1024];
	uint32_t n, i;
	int ret;

	while (lo < hi) {
		n = hi - lo < 1024 ? hi - lo : 1024;
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

/* Does key @k hold k * 3? */
static bool has_key(int fd, uint64_t k)
{
	uint64_t v = 0;

	return !hmap_lookup(fd, &k, &v) && v == k * 3;
}

/* errno of open(@path, @flags), 0 if it opened. */
static int open_errno(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

#include "hmap_memcg.h"

/* Keys a map gets to be big (several MiB) next to memcg's per-CPU slack. */
#define BIG_KEYS	150000

FIXTURE(fs) {
	int dev;				/* /dev/hmap, for CREATE */
	char paths[MAX_PATHS][PATH_LEN];	/* removed in the teardown */
	unsigned int npaths;
	char mnt[PATH_LEN];			/* a private instance's mount */
	bool mounted;
	struct memcg cg;
	long long base;		/* memory.current before the big map */
	long long charged;	/* memory.current with the big map, or -1 */
	long long map_bytes;	/* its hmap_ioc_stats.bytes */
};

FIXTURE_SETUP(fs)
{
	struct statfs sf;

	self->charged = -1;
	/* The VM always mounts one: its absence is a failure, not a skip. */
	ASSERT_EQ(0, statfs(HMAPFS_PATH, &sf)) {
		TH_LOG("statfs " HMAPFS_PATH ": %s", strerror(errno));
	}
	ASSERT_EQ(HMAPFS_MAGIC, (unsigned long)sf.f_type) {
		TH_LOG(HMAPFS_PATH " is not an hmapfs (mount -t hmap none " HMAPFS_PATH ")");
	}
	self->dev = open(HMAP_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (self->dev < 0)
		SKIP(return, HMAP_DEV_PATH ": %s", strerror(errno));
	umask(022);
}

FIXTURE_TEARDOWN(fs)
{
	unsigned int i;

	if (chdir("/"))
		TH_LOG("chdir /: %s", strerror(errno));
	/* Last made first: files before their directories. */
	for (i = self->npaths; i-- > 0;)
		if (unlink(self->paths[i]) && errno == EISDIR)
			rmdir(self->paths[i]);
	if (self->mounted && umount2(self->mnt, MNT_DETACH))
		TH_LOG("umount %s: %s", self->mnt, strerror(errno));
	if (self->mnt[0])
		rmdir(self->mnt);
	memcg_remove(&self->cg);
	if (self->dev >= 0)
		close(self->dev);
}

/* @path, to be removed in the teardown. */
static const char *track(FIXTURE_DATA(fs) *self, const char *path)
{
	size_t len = strlen(path);

	if (self->npaths < MAX_PATHS && len < PATH_LEN)
		memcpy(self->paths[self->npaths++], path, len + 1);
	return path;
}

/* A tracked path in the hmapfs unique to this process and @tag. */
static const char *fpath(FIXTURE_DATA(fs) *self, const char *tag)
{
	static char paths[8][PATH_LEN];
	static unsigned int next;
	char *p = paths[next++ % 8];

	snprintf(p, PATH_LEN, HMAPFS_PATH "/t%d-%s", getpid(), tag);
	return track(self, p);
}

/* A new map with keys [0, 100), pinned at @path with @mode: its fd. */
static int pinned(const char *path, uint32_t mode)
{
	int fd = new_map(), ret;

	if (fd < 0)
		return fd;
	ret = fill(fd, 0, 100);
	if (!ret)
		ret = hmap_pin(fd, path, mode);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * A new map of BIG_KEYS keys, made in a memory cgroup of its own if there
 * is a memory controller: self->charged and self->map_bytes tell its
 * memory there (self->charged -1 if none). It is sized for its keys, so it
 * never grows: nothing of it is freed before the map itself.
 */
static int big_map(struct __test_metadata *_metadata, FIXTURE_DATA(fs) *self)
{
	struct hmap_create_opts o = {
		.key_size = 8, .value_size = 8, .size_hint = BIG_KEYS + 1,
	};
	struct hmap_ioc_stats st;
	bool in_cg = memcg_enter(&self->cg, "fs");
	long long base = in_cg ? memcg_current(&self->cg) : -1;
	int fd = hmap_create(&o);

	if (fd < 0 || fill(fd, 0, BIG_KEYS) || hmap_stats(fd, &st)) {
		memcg_leave(&self->cg);
		return -1;
	}
	memcg_leave(&self->cg);
	if (!in_cg || base < 0) {
		TH_LOG("no memory controller: the map's freeing is not seen");
		return fd;
	}
	self->base = base;
	self->charged = memcg_current(&self->cg);
	self->map_bytes = st.bytes;
	TH_LOG("map of %lld bytes; memory.current %lld -> %lld",
	       self->map_bytes, base, self->charged);
	/* Charged to its creator's cgroup, or there is nothing to see. */
	EXPECT_LE(base + self->map_bytes / 2, self->charged);
	return fd;
}

/*
 * Is the big map's memory uncharged (within 20 s), memory.current back
 * within a third of the map's size of where it was before the map? True
 * without a memcg.
 */
static bool big_map_freed(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fs) *self)
{
	long long limit = self->base + self->map_bytes / 3, left;

	if (self->charged < 0)
		return true;
	left = memcg_wait_below(&self->cg, limit);
	TH_LOG("memory.current %lld, freed at or below %lld", left, limit);
	return left >= 0 && left <= limit;
}

/*
 * Run @fn(@arg) in a child as @uid:@gid with no other groups; its return
 * value (0 or an errno), or 255 if switching users failed.
 */
static int as_user(uid_t uid, gid_t gid, int (*fn)(const void *),
		   const void *arg)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		    setresuid(uid, uid, uid))
			_exit(255);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int try_open_rdwr(const void *path)
{
	return open_errno(path, O_RDWR);
}

/* 0 if the file opens O_RDONLY as a read-only map descriptor. */
static int try_open_rdonly(const void *path)
{
	uint64_t k = 1, v = 3;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return errno;
	if (info_flags(fd) != HMAP_INFO_RDONLY || !has_key(fd, 1) ||
	    hmap_update(fd, &k, &v, HMAP_UPDATE_ANY) != -EPERM)
		ret = 200;
	close(fd);
	return ret;
}

static int try_unlink(const void *path)
{
	return unlink(path) ? errno : 0;
}

static int try_rename_away(const void *path)
{
	char to[PATH_LEN + 8];

	snprintf(to, sizeof(to), "%s-mv", (const char *)path);
	return rename(path, to) ? errno : 0;
}

/* Names in directory @dir (neither "." nor ".."), d_type in @type[i]. */
static int list_dir(const char *dir, char names[][PATH_LEN], unsigned char *type,
		    int max)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	if (!dp)
		return -errno;
	while ((d = readdir(dp))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (n < max) {
			snprintf(names[n], PATH_LEN, "%s", d->d_name);
			type[n] = d->d_type;
		}
		n++;
	}
	closedir(dp);
	return n;
}

/* How often @name is in @dir's listing; its d_type in *@type. */
static int listed(const char *dir, const char *name, unsigned char *type)
{
	static char names[256][PATH_LEN];
	unsigned char types[256];
	int n = list_dir(dir, names, types, 256), i, found = 0;

	for (i = 0; i < n && i < 256; i++) {
		if (!strcmp(names[i], name)) {
			found++;
			if (type)
				*type = types[i];
		}
	}
	return found;
}

/* Mount a new instance on a new directory under /tmp. */
static int mount_private_opts(FIXTURE_DATA(fs) *self, const char *opts)
{
	snprintf(self->mnt, sizeof(self->mnt), "/tmp/hmapfs-%d-XXXXXX", getpid());
	if (!mkdtemp(self->mnt)) {
		self->mnt[0] = 0;
		return -errno;
	}
	if (mount("hmap", self->mnt, "hmap", 0, opts))
		return -errno;
	self->mounted = true;
	return 0;
}

static int mount_private(FIXTURE_DATA(fs) *self)
{
	return mount_private_opts(self, NULL);
}

/* The options of the mount at @dir in /proc/self/mounts, into @out. */
static int mount_options(const char *dir, char *out, size_t len)
{
	char line[1024], mdir[512], type[64], opts[512];
	FILE *f = fopen("/proc/self/mounts", "r");
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %511s %63s %511s", mdir, type, opts) == 3 &&
		    !strcmp(mdir, dir) && !strcmp(type, "hmap")) {
			snprintf(out, len, "%s", opts);
			found = 0;
		}
	fclose(f);
	return found;
}

/* ---- pin and open ---- */

TEST_F(fs, pin_then_open_same_map)
{
	const char *path = fpath(self, "same");
	uint64_t k = 1000, v = 3000;
	int fd, fd2;

	fd = pinned(path, 0600);
	ASSERT_LE(0, fd);
	fd2 = hmap_open(path, 0);
	ASSERT_LE(0, fd2);
	EXPECT_NE(0, map_id(fd));
	EXPECT_EQ(map_id(fd), map_id(fd2));
	EXPECT_TRUE(has_key(fd2, 42));
	/* Writes through either descriptor are seen through the other. */
	EXPECT_EQ(0, hmap_update(fd2, &k, &v, HMAP_UPDATE_NOEXIST));
	EXPECT_TRUE(has_key(fd, 1000));
	EXPECT_EQ(0, hmap_delete(fd, &k));
	EXPECT_FALSE(has_key(fd2, 1000));
	close(fd2);
	close(fd);
}

TEST_F(fs, pinned_map_outlives_its_descriptors)
{
	const char *path = fpath(self, "outlives");
	uint64_t count = 0;
	uint32_t id;
	int fd;

	fd = pinned(path, 0600);
	ASSERT_LE(0, fd);
	id = map_id(fd);
	close(fd);
	/* No descriptor anywhere: the file alone keeps the map. */
	fd = hmap_open(path, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id, map_id(fd));
	EXPECT_EQ(0, hmap_count(fd, &count));
	EXPECT_EQ(100, count);
	EXPECT_TRUE(has_key(fd, 99));
	close(fd);
}

/* The file was the last reference: the name is gone and so is the map. */
TEST_F_TIMEOUT(fs, unlink_of_last_reference_frees_map, 90)
{
	const char *path = fpath(self, "freed");
	uint64_t count = 0;
	int fd;

	fd = big_map(_metadata, self);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_pin(fd, path, 0600));
	close(fd);
	fd = hmap_open(path, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, hmap_count(fd, &count));
	EXPECT_EQ(BIG_KEYS, count);
	close(fd);

	EXPECT_EQ(0, unlink(path));
	EXPECT_EQ(-ENOENT, hmap_open(path, 1));
	EXPECT_TRUE(big_map_freed(_metadata, self));
}

/* Unlinked while open: the descriptor works on; the map goes at close. */
TEST_F_TIMEOUT(fs, descriptor_open_after_unlink_still_works, 90)
{
	const char *path = fpath(self, "unlinked");
	uint64_t k = BIG_KEYS, v = BIG_KEYS * 3, count = 0;
	int fd;

	fd = big_map(_metadata, self);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_pin(fd, path, 0600));
	close(fd);
	fd = hmap_open(path, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, unlink(path));
	EXPECT_EQ(-ENOENT, hmap_open(path, 0));

	EXPECT_EQ(0, hmap_count(fd, &count));
	EXPECT_EQ(BIG_KEYS, count);
	EXPECT_TRUE(has_key(fd, 0));
	EXPECT_TRUE(has_key(fd, BIG_KEYS - 1));
	EXPECT_EQ(0, hmap_update(fd, &k, &v, HMAP_UPDATE_NOEXIST));
	EXPECT_TRUE(has_key(fd, BIG_KEYS));
	close(fd);
	EXPECT_TRUE(big_map_freed(_metadata, self));
}

/* Two files of one map: removing one leaves the map to the other. */
TEST_F(fs, two_files_one_map)
{
	const char *a = fpath(self, "two-a"), *b = fpath(self, "two-b");
	uint32_t id;
	int fd;

	fd = pinned(a, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_pin(fd, b, 0600));
	id = map_id(fd);
	close(fd);
	EXPECT_EQ(0, unlink(a));
	fd = hmap_open(b, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id, map_id(fd));
	EXPECT_TRUE(has_key(fd, 7));
	close(fd);
}

TEST_F(fs, open_write_only_is_einval)
{
	const char *path = fpath(self, "wronly");
	int fd;

	fd = pinned(path, 0666);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EINVAL, open_errno(path, O_WRONLY));
	EXPECT_EQ(0, open_errno(path, O_RDWR));
	EXPECT_EQ(0, open_errno(path, O_RDONLY));
	close(fd);
}

TEST_F(fs, read_only_descriptor_refuses_updates)
{
	const char *path = fpath(self, "rdonly");
	uint64_t k = 5, v = 1, count = 0;
	int fd, ro;

	fd = pinned(path, 0600);
	ASSERT_LE(0, fd);
	ro = hmap_open(path, 1);
	ASSERT_LE(0, ro);
	EXPECT_EQ(HMAP_INFO_RDONLY, info_flags(ro));
	EXPECT_EQ(0, info_flags(fd));
	EXPECT_TRUE(has_key(ro, 5));
	EXPECT_EQ(-EPERM, hmap_update(ro, &k, &v, HMAP_UPDATE_ANY));
	EXPECT_EQ(-EPERM, hmap_delete(ro, &k));
	EXPECT_EQ(-EPERM, hmap_lookup_and_delete(ro, &k, &v));
	EXPECT_EQ(-EPERM, hmap_clear(ro));
	EXPECT_EQ(0, hmap_count(fd, &count));
	EXPECT_EQ(100, count);
	EXPECT_TRUE(has_key(fd, 5));
	close(ro);
	/* O_RDWR: a read-write descriptor. */
	ro = hmap_open(path, 0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(0, info_flags(ro));
	EXPECT_EQ(0, hmap_update(ro, &k, &v, HMAP_UPDATE_ANY));
	close(ro);
	close(fd);
}

/* No read or write file operation: the VFS says EINVAL. */
/* Like bpffs: the root's owner and mode are mount options. */
TEST_F(fs, mount_options_set_root_owner_and_mode)
{
	char opts[512];
	struct stat st;

	if (geteuid())
		SKIP(return, "needs root to mount");
	ASSERT_EQ(0, mount_private_opts(self, "mode=0750,uid=1234,gid=4321"));
	ASSERT_EQ(0, stat(self->mnt, &st));
	EXPECT_EQ(S_IFDIR | 0750, st.st_mode);
	EXPECT_EQ(1234, st.st_uid);
	EXPECT_EQ(4321, st.st_gid);
	ASSERT_EQ(0, mount_options(self->mnt, opts, sizeof(opts)));
	EXPECT_NE(NULL, strstr(opts, "uid=1234"));
	EXPECT_NE(NULL, strstr(opts, "gid=4321"));
	EXPECT_NE(NULL, strstr(opts, "mode=750"));
	/* The default shows nothing. */
	ASSERT_EQ(0, mount_options(HMAPFS_PATH, opts, sizeof(opts)));
	EXPECT_EQ(NULL, strstr(opts, "mode="));
}

TEST_F(fs, mount_bad_option_is_einval)
{
	char dir[] = "/tmp/hmapfs-bad-XXXXXX";

	if (geteuid())
		SKIP(return, "needs root to mount");
	ASSERT_NE(NULL, mkdtemp(dir));
	EXPECT_EQ(-1, mount("hmap", dir, "hmap", 0, "mode=010000"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount("hmap", dir, "hmap", 0, "size=1"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount("hmap", dir, "hmap", 0, "uid=-1"));
	EXPECT_EQ(EINVAL, errno);
	rmdir(dir);
}

/* A map file has no size to set. */
TEST_F(fs, truncate_of_map_file_is_einval)
{
	const char *path = fpath(self, "trunc");
	struct stat st;
	int fd;

	fd = pinned(path, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-1, truncate(path, 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, open(path, O_RDWR | O_TRUNC));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0, st.st_size);
	/* chmod still works. */
	EXPECT_EQ(0, chmod(path, 0640));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
}

TEST_F(fs, read_and_write_fail_with_einval)
{
	const char *path = fpath(self, "rw");
	char buf[64] = "data";
	int fd, rw, ro;

	fd = pinned(path, 0600);
	ASSERT_LE(0, fd);
	rw = hmap_open(path, 0);
	ASSERT_LE(0, rw);
	ro = hmap_open(path, 1);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-1, read(ro, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(rw, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(rw, buf, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(has_key(rw, 0));
	close(ro);
	close(rw);
	close(fd);
}

/* ---- PIN's errors ---- */

TEST_F(fs, pin_to_existing_path_is_eexist)
{
	const char *path = fpath(self, "exists"), *dir = fpath(self, "exists-d");
	uint32_t id;
	int fd, fd2;

	fd = pinned(path, 0600);
	ASSERT_LE(0, fd);
	id = map_id(fd);
	fd2 = new_map();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EEXIST, hmap_pin(fd2, path, 0600));
	EXPECT_EQ(-EEXIST, hmap_pin(fd, path, 0600));
	ASSERT_EQ(0, mkdir(dir, 0755));
	EXPECT_EQ(-EEXIST, hmap_pin(fd2, dir, 0600));
	close(fd2);
	/* The file still refers to the first map. */
	fd2 = hmap_open(path, 1);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(id, map_id(fd2));
	close(fd2);
	close(fd);
}

TEST_F(fs, pin_into_missing_directory_is_enoent)
{
	const char *dir = fpath(self, "nodir");
	char path[PATH_LEN + 8];
	int fd = new_map();

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "%s/m", dir);
	track(self, path);
	EXPECT_EQ(-ENOENT, hmap_pin(fd, path, 0600));
	close(fd);
}

TEST_F(fs, pin_outside_hmapfs_is_eperm)
{
	char path[64];
	struct stat st;
	int fd = new_map();

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/tmp/hmap-pin-%d", getpid());
	track(self, path);
	EXPECT_EQ(-EPERM, hmap_pin(fd, path, 0600));
	EXPECT_EQ(-1, lstat(path, &st));
	EXPECT_EQ(ENOENT, errno);
	close(fd);
}

TEST_F(fs, pin_from_read_only_descriptor_is_eperm)
{
	const char *path = fpath(self, "ro-src"), *path2 = fpath(self, "ro-dst");
	int fd, ro;

	fd = pinned(path, 0600);
	ASSERT_LE(0, fd);
	ro = hmap_open(path, 1);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EPERM, hmap_pin(ro, path2, 0400));
	EXPECT_EQ(-1, access(path2, F_OK));
	EXPECT_EQ(0, hmap_pin(fd, path2, 0400));
	close(ro);
	close(fd);
}

TEST_F(fs, pin_invalid_flags_or_mode_is_einval)
{
	static const uint32_t bad_flags[] = { 1, 2, 1u << 31 };
	static const uint32_t bad_modes[] = {
		01000, 02600, 04600, S_IFREG | 0600, 0x80000000,
	};
	const char *path = fpath(self, "einval");
	struct hmap_ioc_pin pin = {
		.size = sizeof(pin), .path = PTR(path), .dirfd = AT_FDCWD,
		.mode = 0600,
	};
	unsigned int i;
	int fd = new_map();

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		pin.flags = bad_flags[i];
		EXPECT_EQ(-EINVAL, xioctl(fd, HMAP_IOC_PIN, &pin));
	}
	pin.flags = 0;
	for (i = 0; i < ARRAY_SIZE(bad_modes); i++) {
		pin.mode = bad_modes[i];
		EXPECT_EQ(-EINVAL, xioctl(fd, HMAP_IOC_PIN, &pin));
	}
	EXPECT_EQ(-1, access(path, F_OK));
	pin.mode = 0777;
	EXPECT_EQ(0, xioctl(fd, HMAP_IOC_PIN, &pin));
	close(fd);
}

/* ---- the file's mode and owner ---- */

TEST_F(fs, pin_mode_less_umask)
{
	const char *a = fpath(self, "umask-a"), *b = fpath(self, "umask-b");
	struct stat st;
	int fd = new_map();

	ASSERT_LE(0, fd);
	umask(077);
	ASSERT_EQ(0, hmap_pin(fd, a, 0666));
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	umask(0);
	ASSERT_EQ(0, hmap_pin(fd, b, 0604));
	ASSERT_EQ(0, stat(b, &st));
	EXPECT_EQ(S_IFREG | 0604, st.st_mode);
	close(fd);
}

TEST_F(fs, pin_mode_zero_is_0600)
{
	const char *a = fpath(self, "mode0-a"), *b = fpath(self, "mode0-b");
	struct stat st;
	int fd = new_map();

	ASSERT_LE(0, fd);
	umask(022);
	ASSERT_EQ(0, hmap_pin(fd, a, 0));
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	umask(0);
	ASSERT_EQ(0, hmap_pin(fd, b, 0));
	ASSERT_EQ(0, stat(b, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	close(fd);
}

/* What a child pinning with fsuid 1234, fsgid 4321 does. */
struct fsid_pin {
	int fd;
	const char *path;
};

static int pin_with_fsids(const void *arg)
{
	const struct fsid_pin *p = arg;

	setfsgid(4321);
	setfsuid(1234);
	if (setfsuid(-1) != 1234 || setfsgid(-1) != 4321)
		return 201;
	return -hmap_pin(p->fd, p->path, 0644);
}

TEST_F(fs, pinned_file_belongs_to_caller)
{
	const char *a = fpath(self, "owner-a"), *b = fpath(self, "owner-b");
	struct fsid_pin arg;
	struct stat st;
	int fd = new_map(), status;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_pin(fd, a, 0644));
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(geteuid(), st.st_uid);
	EXPECT_EQ(getegid(), st.st_gid);
	if (geteuid())
		SKIP(goto out, "needs root to change fsuid");
	/* The fsuid and fsgid, not the real or effective ids. */
	arg.fd = fd;
	arg.path = b;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(pin_with_fsids(&arg));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, stat(b, &st));
	EXPECT_EQ(1234, st.st_uid);
	EXPECT_EQ(4321, st.st_gid);
out:
	close(fd);
}

/* ---- the VFS's permission checks ---- */

TEST_F(fs, root_directory_is_sticky_and_world_writable)
{
	struct stat st;

	ASSERT_EQ(0, stat(HMAPFS_PATH, &st));
	EXPECT_EQ(S_IFDIR | 01777, st.st_mode);
	EXPECT_EQ(0, st.st_uid);
}

TEST_F(fs, chmod_changes_access_for_other_users)
{
	const char *path = fpath(self, "chmod");
	int fd;

	if (geteuid())
		SKIP(return, "needs root to switch users");
	fd = pinned(path, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, as_user(NOBODY, NOBODY, try_open_rdonly, path));
	EXPECT_EQ(EACCES, as_user(NOBODY, NOBODY, try_open_rdwr, path));
	ASSERT_EQ(0, chmod(path, 0644));
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, try_open_rdonly, path));
	EXPECT_EQ(EACCES, as_user(NOBODY, NOBODY, try_open_rdwr, path));
	ASSERT_EQ(0, chmod(path, 0666));
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, try_open_rdwr, path));
	/* Checked at each open: taking the bits back takes the access back. */
	ASSERT_EQ(0, chmod(path, 0600));
	EXPECT_EQ(EACCES, as_user(NOBODY, NOBODY, try_open_rdonly, path));
	close(fd);
}

TEST_F(fs, chown_gives_the_new_owner_access)
{
	const char *path = fpath(self, "chown");
	struct stat st;
	int fd;

	if (geteuid())
		SKIP(return, "needs root to switch users");
	fd = pinned(path, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, as_user(NOBODY, NOBODY, try_open_rdwr, path));
	ASSERT_EQ(0, chown(path, NOBODY, NOBODY));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(NOBODY, st.st_uid);
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, try_open_rdwr, path));
	EXPECT_EQ(EACCES, as_user(1002, 1002, try_open_rdonly, path));
	/* The owner may remove it from the sticky root. */
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, try_unlink, path));
	EXPECT_EQ(-1, access(path, F_OK));
	close(fd);
}

TEST_F(fs, sticky_root_protects_other_users_files)
{
	const char *path = fpath(self, "sticky");
	struct stat st;
	int fd;

	if (geteuid())
		SKIP(return, "needs root to switch users");
	fpath(self, "sticky-mv");	/* if the rename worked */
	umask(0);
	fd = pinned(path, 0666);
	ASSERT_LE(0, fd);
	/* Writable by all, yet only its owner (or root) may remove it. */
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, try_open_rdwr, path));
	EXPECT_EQ(EPERM, as_user(NOBODY, NOBODY, try_unlink, path));
	EXPECT_EQ(EPERM, as_user(NOBODY, NOBODY, try_rename_away, path));
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_EQ(0, unlink(path));
	close(fd);
}

/* What a child pinning into a directory it may not write does. */
static int pin_into(const void *arg)
{
	const struct fsid_pin *p = arg;

	return -hmap_pin(p->fd, p->path, 0600);
}

TEST_F(fs, pin_into_unwritable_directory_is_eacces)
{
	const char *dir = fpath(self, "rootdir");
	char path[PATH_LEN + 8];
	struct fsid_pin arg;
	int fd;

	if (geteuid())
		SKIP(return, "needs root to switch users");
	ASSERT_EQ(0, mkdir(dir, 0755));
	snprintf(path, sizeof(path), "%s/m", dir);
	track(self, path);
	fd = new_map();
	ASSERT_LE(0, fd);
	arg.fd = fd;
	arg.path = path;
	EXPECT_EQ(EACCES, as_user(NOBODY, NOBODY, pin_into, &arg));
	EXPECT_EQ(-1, access(path, F_OK));
	/* Once it may: the same descriptor, the same path. */
	ASSERT_EQ(0, chmod(dir, 0777));
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, pin_into, &arg));
	EXPECT_EQ(0, access(path, F_OK));
	close(fd);
}

/* ---- directories, names, listings ---- */

TEST_F(fs, rmdir_of_non_empty_directory_is_enotempty)
{
	const char *dir = fpath(self, "dir");
	char path[PATH_LEN + 8];
	int fd;

	ASSERT_EQ(0, mkdir(dir, 0755));
	snprintf(path, sizeof(path), "%s/m", dir);
	fd = pinned(track(self, path), 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, rmdir(dir));
	EXPECT_EQ(ENOTEMPTY, errno);
	EXPECT_EQ(0, open_errno(path, O_RDONLY));
	EXPECT_EQ(0, unlink(path));
	EXPECT_EQ(0, rmdir(dir));
	close(fd);
}

TEST_F(fs, rename_keeps_the_map)
{
	const char *a = fpath(self, "mv-a"), *b = fpath(self, "mv-b");
	const char *dir = fpath(self, "mv-d"), *other = fpath(self, "mv-x");
	char c[PATH_LEN + 8];
	uint32_t id, other_id;
	int fd, fd2;

	fd = pinned(a, 0600);
	ASSERT_LE(0, fd);
	id = map_id(fd);
	close(fd);
	ASSERT_EQ(0, rename(a, b));
	EXPECT_EQ(-ENOENT, hmap_open(a, 1));
	fd = hmap_open(b, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id, map_id(fd));
	EXPECT_TRUE(has_key(fd, 3));
	close(fd);

	/* Into a directory. */
	ASSERT_EQ(0, mkdir(dir, 0755));
	snprintf(c, sizeof(c), "%s/c", dir);
	ASSERT_EQ(0, rename(b, track(self, c)));
	fd = hmap_open(c, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id, map_id(fd));
	close(fd);

	/* Over another map's file: the name now opens the renamed map. */
	fd2 = pinned(other, 0600);
	ASSERT_LE(0, fd2);
	other_id = map_id(fd2);
	ASSERT_EQ(0, rename(c, other));
	fd = hmap_open(other, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id, map_id(fd));
	EXPECT_NE(other_id, map_id(fd));
	close(fd);
	/* The replaced map lives on in its descriptor. */
	EXPECT_EQ(other_id, map_id(fd2));
	EXPECT_TRUE(has_key(fd2, 3));
	close(fd2);
}

TEST_F(fs, readdir_lists_pinned_names)
{
	const char *paths[3] = {
		fpath(self, "ls-a"), fpath(self, "ls-b"), fpath(self, "ls-c"),
	};
	const char *dir = fpath(self, "ls-d");
	char name[PATH_LEN], inner[PATH_LEN + 8];
	unsigned char type = DT_UNKNOWN;
	unsigned int i;
	int fd;

	fd = new_map();
	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, hmap_pin(fd, paths[i], 0600));
	ASSERT_EQ(0, mkdir(dir, 0755));
	snprintf(inner, sizeof(inner), "%s/inner", dir);
	ASSERT_EQ(0, hmap_pin(fd, track(self, inner), 0600));

	for (i = 0; i < 3; i++) {
		type = DT_UNKNOWN;
		EXPECT_EQ(1, listed(HMAPFS_PATH, strrchr(paths[i], '/') + 1, &type));
		EXPECT_TRUE(type == DT_REG || type == DT_UNKNOWN);
	}
	EXPECT_EQ(1, listed(HMAPFS_PATH, strrchr(dir, '/') + 1, &type));
	EXPECT_TRUE(type == DT_DIR || type == DT_UNKNOWN);
	EXPECT_EQ(1, listed(dir, "inner", NULL));
	EXPECT_EQ(0, listed(HMAPFS_PATH, "inner", NULL));
	{
		char names[4][PATH_LEN];
		unsigned char types[4];

		EXPECT_EQ(1, list_dir(dir, names, types, 4));
	}
	/* Removed: no longer listed. */
	ASSERT_EQ(0, unlink(paths[1]));
	snprintf(name, sizeof(name), "%s", strrchr(paths[1], '/') + 1);
	EXPECT_EQ(0, listed(HMAPFS_PATH, name, NULL));
	EXPECT_EQ(1, listed(HMAPFS_PATH, strrchr(paths[2], '/') + 1, NULL));
	close(fd);
}

/* dirfd and the working directory, as for mknodat(2). */
TEST_F(fs, pin_relative_to_dirfd)
{
	const char *dir = fpath(self, "rel");
	char path[PATH_LEN + 8], name[32];
	struct hmap_ioc_pin pin = { .size = sizeof(pin), .mode = 0600 };
	int fd, dfd, fd2;

	ASSERT_EQ(0, mkdir(dir, 0755));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dfd);
	fd = new_map();
	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "%s/m", dir);
	track(self, path);
	pin.path = PTR("m");
	pin.dirfd = dfd;
	EXPECT_EQ(0, xioctl(fd, HMAP_IOC_PIN, &pin));
	fd2 = hmap_open(path, 1);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(map_id(fd), map_id(fd2));
	close(fd2);

	/* A relative path needs a directory; an absolute one ignores dirfd. */
	pin.path = PTR("m2");
	pin.dirfd = fd;
	EXPECT_EQ(-ENOTDIR, xioctl(fd, HMAP_IOC_PIN, &pin));
	pin.dirfd = -1;
	EXPECT_EQ(-EBADF, xioctl(fd, HMAP_IOC_PIN, &pin));
	snprintf(path, sizeof(path), "%s/abs", dir);
	pin.path = PTR(track(self, path));
	EXPECT_EQ(0, xioctl(fd, HMAP_IOC_PIN, &pin));
	EXPECT_EQ(0, access(path, F_OK));

	/* AT_FDCWD: the working directory. */
	ASSERT_EQ(0, fchdir(dfd));
	snprintf(name, sizeof(name), "cwd");
	snprintf(path, sizeof(path), "%s/cwd", dir);
	track(self, path);
	EXPECT_EQ(0, hmap_pin(fd, name, 0600));
	EXPECT_EQ(0, access(path, F_OK));
	close(dfd);
	close(fd);
}

/* ---- instances ---- */

TEST_F(fs, statfs_reports_hmapfs_magic)
{
	const char *path = fpath(self, "statfs");
	char line[1024], *sep;
	bool found = false;
	struct statfs sf;
	FILE *f;
	int fd, fd2;

	ASSERT_EQ(0, statfs(HMAPFS_PATH, &sf));
	EXPECT_EQ(HMAPFS_MAGIC, (unsigned long)sf.f_type);
	fd = pinned(path, 0600);
	ASSERT_LE(0, fd);
	fd2 = hmap_open(path, 1);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, fstatfs(fd2, &sf));
	EXPECT_EQ(HMAPFS_MAGIC, (unsigned long)sf.f_type);
	close(fd2);
	close(fd);

	/* The file system type's name is "hmap". */
	f = fopen("/proc/self/mountinfo", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		/* "... <mount point> <options> ... - <type> <source> ..." */
		sep = strstr(line, " - ");
		if (sep && strstr(line, " " HMAPFS_PATH " ") &&
		    !strncmp(sep, " - hmap ", 8))
			found = true;
	}
	fclose(f);
	EXPECT_TRUE(found);
}

TEST_F(fs, each_mount_is_a_separate_instance)
{
	char name[64], mine[2 * PATH_LEN], names[4][PATH_LEN];
	const char *main_path;
	unsigned char types[4];
	struct statfs sf;
	struct stat st;
	int fd, fd2, fd3;

	if (geteuid())
		SKIP(return, "needs root to mount");
	/* A map in the usual instance first: the new one must not show it. */
	main_path = fpath(self, "inst");
	snprintf(name, sizeof(name), "%s", strrchr(main_path, '/') + 1);
	fd = pinned(main_path, 0600);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, mount_private(self));
	ASSERT_EQ(0, statfs(self->mnt, &sf));
	EXPECT_EQ(HMAPFS_MAGIC, (unsigned long)sf.f_type);
	ASSERT_EQ(0, stat(self->mnt, &st));
	EXPECT_EQ(S_IFDIR | 01777, st.st_mode);
	EXPECT_EQ(0, list_dir(self->mnt, names, types, 4));

	/* The same name in both: no EEXIST, two files, two maps. */
	snprintf(mine, sizeof(mine), "%s/%s", self->mnt, name);
	fd2 = new_map();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, hmap_pin(fd2, track(self, mine), 0600));
	EXPECT_EQ(1, list_dir(self->mnt, names, types, 4));
	fd3 = hmap_open(mine, 1);
	ASSERT_LE(0, fd3);
	EXPECT_EQ(map_id(fd2), map_id(fd3));
	EXPECT_NE(map_id(fd), map_id(fd3));
	close(fd3);
	fd3 = hmap_open(main_path, 1);
	ASSERT_LE(0, fd3);
	EXPECT_EQ(map_id(fd), map_id(fd3));
	close(fd3);

	/* A name only in the new instance is not in the usual one... */
	snprintf(mine, sizeof(mine), "%s/%s-only", self->mnt, name);
	ASSERT_EQ(0, hmap_pin(fd2, track(self, mine), 0600));
	snprintf(mine, sizeof(mine), "%s-only", main_path);
	track(self, mine);
	EXPECT_EQ(-1, access(mine, F_OK));
	EXPECT_EQ(ENOENT, errno);
	/* ...and the reverse. */
	snprintf(mine, sizeof(mine), "%s/%s-main", self->mnt, name);
	track(self, mine);
	snprintf(names[0], PATH_LEN, "%s-main", main_path);
	ASSERT_EQ(0, hmap_pin(fd, track(self, names[0]), 0600));
	EXPECT_EQ(-1, access(mine, F_OK));
	EXPECT_EQ(ENOENT, errno);
	close(fd2);
	close(fd);
}

/*
 * Unmounting the only mount of an instance drops its files: a descriptor
 * still works, and the map goes with the descriptor.
 */
TEST_F_TIMEOUT(fs, descriptor_outlives_unmount, 90)
{
	char path[PATH_LEN + 8];
	uint64_t count = 0;
	int fd;

	if (geteuid())
		SKIP(return, "needs root to mount");
	ASSERT_EQ(0, mount_private(self));
	fd = big_map(_metadata, self);
	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "%s/m", self->mnt);
	ASSERT_EQ(0, hmap_pin(fd, path, 0600));
	ASSERT_EQ(0, umount2(self->mnt, 0));
	self->mounted = false;
	EXPECT_EQ(-1, access(path, F_OK));
	EXPECT_EQ(0, hmap_count(fd, &count));
	EXPECT_EQ(BIG_KEYS, count);
	EXPECT_TRUE(has_key(fd, BIG_KEYS / 2));
	close(fd);
	EXPECT_TRUE(big_map_freed(_metadata, self));
}

TEST_HARNESS_MAIN
