// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_campaign_test: what hostile or unlucky userspace can do to /dev/hmap,
 * in the test VM. Each campaign prints its figures; `make check` runs the
 * short form, `make soak` the long one (HMAP_SOAK=1 in the guest):
 *
 *  - fail-nth: every command that allocates, with its n-th allocation made
 *    to fail (/proc/self/task/<tid>/fail-nth) for n = 1, 2, ... until the
 *    call runs untouched; every result is 0 or ENOMEM and the map equals a
 *    model afterwards (every key looked up, count checked).
 *    PIN and open(2) of a pinned file have their own checks: afterwards
 *    the file either exists and opens the same map, or does not exist.
 *  - fuzz: random commands near the real ones with random sizes, flags,
 *    reserved fields, pointers (NULL, unmapped, PROT_NONE, kernel), paths
 *    and counts, on /dev/hmap, on map descriptors from CREATE and from
 *    open(2) of pinned files (read-write and read-only) and on an hmapfs
 *    directory: only errnos of the header's table, and a control map
 *    nobody touched, reached through its pinned file, is still exact.
 *  - stress: four processes on one pinned map, each opening its file and
 *    working on its own key range with a random mix of every command,
 *    checking its keys against its own model.
 *  - memcg: a process in a cgroup with a small memory.max filling a map
 *    gets ENOMEM, is not OOM-killed, and the map keeps what it stored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hmap.h"
#include "kselftest_harness.h"

#define PTR(p)	((__u64)(unsigned long)(p))

static bool soak(void)
{
	const char *s = getenv("HMAP_SOAK");

	return s && *s == '1';
}

static uint64_t rng_state = 0x68617368;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int new_map(uint64_t hint)
{
	struct hmap_create_opts o = {
		.key_size = 8, .value_size = 8, .size_hint = hint,
	};

	return hmap_create(&o);
}

static uint32_t map_id(int fd)
{
	struct hmap_ioc_info info;

	return hmap_info(fd, &info) ? 0 : info.id;
}

/* A path in the hmapfs unique to this process and @tag. */
static const char *path_of(const char *tag)
{
	static char paths[4][128];
	static unsigned int next;
	char *p = paths[next++ % 4];

	snprintf(p, 128, HMAPFS_PATH "/t%d-%s", getpid(), tag);
	return p;
}

/* ---- a model of a u64 -> u64 map over keys [0, MODEL_KEYS) ---- */

#define MODEL_KEYS	4096

struct model {
	bool in[MODEL_KEYS];
	uint64_t val[MODEL_KEYS];
	uint64_t count;
};

static void model_put(struct model *m, uint64_t k, uint64_t v)
{
	m->count += !m->in[k];
	m->in[k] = true;
	m->val[k] = v;
}

static void model_del(struct model *m, uint64_t k)
{
	m->count -= m->in[k];
	m->in[k] = false;
}

/* Does the map hold exactly what @m says? Every key looked up. */
static int model_check(int fd, const struct model *m, uint64_t nkeys)
{
	uint64_t k, v, count;
	int ret;

	if (hmap_count(fd, &count) || count != m->count)
		return -1;
	for (k = 0; k < nkeys; k++) {
		ret = hmap_lookup(fd, &k, &v);
		if (m->in[k] ? ret || v != m->val[k] : ret != -ENOENT)
			return -1;
	}
	return 0;
}

/* The long forms outlast the harness's default 30 s per test. */
FIXTURE(campaign) {};
FIXTURE_SETUP(campaign) {}
static void remove_pinned_files(void);
/* Whatever a test pinned, even if it stopped half-way. */
FIXTURE_TEARDOWN(campaign)
{
	remove_pinned_files();
}

/* ---- fail-nth ---- */

static int fail_nth_fd(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	return open(path, O_RDWR);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return ret;
}

/* Make slab and page allocations failable by fail-nth, quietly. */
static int fault_setup(void)
{
	static const char * const dirs[] = { "/sys/kernel/debug/failslab",
					     "/sys/kernel/debug/fail_page_alloc" };
	char p[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/ignore-gfp-wait", dirs[i]);
		if (write_str(p, "N"))
			return -1;
		snprintf(p, sizeof(p), "%s/verbose", dirs[i]);
		write_str(p, "0");
	}
	write_str("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");
	write_str("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	return 0;
}

/* Arm the n-th allocation of the next calls; was it injected? */
static void arm(int nth, int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", n);
	pwrite(nth, buf, strlen(buf), 0);
}

static bool injected(int nth)
{
	char buf[16] = "";

	pread(nth, buf, sizeof(buf) - 1, 0);
	/* 0: the armed failure happened; else it was not reached. */
	if (atoi(buf) == 0)
		return true;
	arm(nth, 0);
	return false;
}

struct fn_state {
	int fd;
	int fd2;		/* what op_open opened, or -1 */
	struct model m;
	uint64_t nkeys;
};

/*
 * Each case: set up its state, then run the command that allocates; then,
 * with nothing armed, check what the model does not cover (a non-zero
 * return is an anomaly) and clean up.
 */
struct fn_case {
	const char *name;
	void (*setup)(struct fn_state *st);
	int (*op)(struct fn_state *st);
	int (*verify)(struct fn_state *st, int ret);
	void (*cleanup)(void);
};

static void fill_model(struct fn_state *st, uint64_t n)
{
	uint64_t k, v;

	for (k = 0; k < n; k++) {
		v = k * 7;
		if (!hmap_update(st->fd, &k, &v, HMAP_UPDATE_ANY))
			model_put(&st->m, k, v);
	}
}

static void setup_empty(struct fn_state *st)
{
	st->fd = new_map(0);
	st->nkeys = 64;
}

/* 52 keys: B = 3 is full; the 53rd insert grows the map. */
static void setup_full_b3(struct fn_state *st)
{
	st->fd = new_map(0);
	fill_model(st, 52);
	st->nkeys = 64;
}

static void setup_hinted(struct fn_state *st)
{
	st->fd = new_map(1000);
	fill_model(st, 300);
	st->nkeys = 400;
}

/* 400 keys (B = 6), then down to 53: the next delete starts a shrink. */
static void setup_shrinkable(struct fn_state *st)
{
	uint64_t k;

	st->fd = new_map(0);
	fill_model(st, 400);
	for (k = 53; k < 400; k++)
		if (!hmap_delete(st->fd, &k))
			model_del(&st->m, k);
	st->nkeys = 400;
}

static int op_create(struct fn_state *st)
{
	int fd = new_map(5000);

	(void)st;
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* ---- pin and open(2) of a pinned file ---- */

static const char *fn_path(void)
{
	static char path[64];

	snprintf(path, sizeof(path), HMAPFS_PATH "/fn%d", getpid());
	return path;
}

static void cleanup_pinned(void)
{
	unlink(fn_path());
}

/* Does @fd refer to st's map, holding what the model says? */
static bool same_map(struct fn_state *st, int fd)
{
	return map_id(fd) == map_id(st->fd) && map_id(fd) &&
	       !model_check(fd, &st->m, st->nkeys);
}

static void setup_pin(struct fn_state *st)
{
	cleanup_pinned();
	setup_hinted(st);
}

static int op_pin(struct fn_state *st)
{
	return hmap_pin(st->fd, fn_path(), 0600);
}

/* Pinned: the file opens the map. Not: there is no file. */
static int verify_pin(struct fn_state *st, int ret)
{
	struct stat sb;
	bool ok;
	int fd;

	if (ret)
		return lstat(fn_path(), &sb) == 0 || errno != ENOENT;
	fd = hmap_open(fn_path(), 0);
	if (fd < 0)
		return 1;
	ok = same_map(st, fd);
	close(fd);
	return !ok;
}

/* A pinned map, its creating descriptor kept as st->fd. */
static void setup_open(struct fn_state *st)
{
	setup_pin(st);
	st->fd2 = -1;
	if (st->fd >= 0 && hmap_pin(st->fd, fn_path(), 0600)) {
		close(st->fd);
		st->fd = -1;
	}
}

static int op_open(struct fn_state *st)
{
	st->fd2 = open(fn_path(), O_RDWR | O_CLOEXEC);
	return st->fd2 < 0 ? -errno : 0;
}

/* Opened: the same map. Not: the file is still there and opens it. */
static int verify_open(struct fn_state *st, int ret)
{
	bool ok;
	int fd = st->fd2;

	if (ret)
		fd = hmap_open(fn_path(), 0);
	if (fd < 0)
		return 1;
	ok = same_map(st, fd);
	close(fd);
	st->fd2 = -1;
	return !ok;
}

static int op_update_grow(struct fn_state *st)
{
	uint64_t k = 52, v = 1;
	int ret = hmap_update(st->fd, &k, &v, HMAP_UPDATE_ANY);

	if (!ret)
		model_put(&st->m, k, v);
	return ret;
}

static int op_delete_shrink(struct fn_state *st)
{
	uint64_t k = 52;
	int ret = hmap_delete(st->fd, &k);

	if (!ret)
		model_del(&st->m, k);
	return ret;
}

static int op_batch_update(struct fn_state *st)
{
	uint64_t keys[200], vals[200];
	uint32_t i, count = 200;
	int ret;

	for (i = 0; i < 200; i++) {
		keys[i] = 52 + i;
		vals[i] = i;
	}
	ret = hmap_update_batch(st->fd, keys, vals, &count, HMAP_UPDATE_ANY);
	for (i = 0; i < count; i++)
		model_put(&st->m, keys[i], vals[i]);
	return ret;
}

static int op_lookup(struct fn_state *st)
{
	uint64_t k = 7, v;
	int ret = hmap_lookup(st->fd, &k, &v);

	return ret == -ENOENT && !st->m.in[k] ? 0 : ret;
}

static int op_dump(struct fn_state *st)
{
	uint64_t keys[512], vals[512], cursor = 0, seen = 0;
	uint32_t count, i;
	int ret;

	do {
		count = 512;
		ret = hmap_dump(st->fd, &cursor, keys, vals, &count);
		if (ret)
			return ret;
		for (i = 0; i < count; i++) {
			if (keys[i] >= st->nkeys || !st->m.in[keys[i]] ||
			    st->m.val[keys[i]] != vals[i])
				return -EUCLEAN;
			seen++;
		}
	} while (cursor);
	return seen == st->m.count ? 0 : -EUCLEAN;
}

static int op_clear(struct fn_state *st)
{
	int ret = hmap_clear(st->fd);

	if (!ret)
		memset(&st->m, 0, sizeof(st->m));
	return ret;
}

static const struct fn_case fn_cases[] = {
	{ "create", setup_empty, op_create, NULL, NULL },
	{ "pin", setup_pin, op_pin, verify_pin, cleanup_pinned },
	{ "open", setup_open, op_open, verify_open, cleanup_pinned },
	{ "update that grows", setup_full_b3, op_update_grow, NULL, NULL },
	{ "delete that shrinks", setup_shrinkable, op_delete_shrink, NULL, NULL },
	{ "batch update", setup_full_b3, op_batch_update, NULL, NULL },
	{ "lookup", setup_hinted, op_lookup, NULL, NULL },
	{ "dump", setup_hinted, op_dump, NULL, NULL },
	{ "clear", setup_hinted, op_clear, NULL, NULL },
};

TEST_F_TIMEOUT(campaign, fail_nth_every_allocation, 300)
{
	unsigned long points = 0, enomem = 0, bad = 0;
	struct fn_state *st;
	unsigned int c;
	int nth, n, ret;
	bool hit, wrong;

	nth = fail_nth_fd();
	if (nth < 0 || fault_setup())
		SKIP(return, "no fail-nth or fault-injection debugfs");
	st = calloc(1, sizeof(*st));
	ASSERT_NE(NULL, st);
	for (c = 0; c < ARRAY_SIZE(fn_cases); c++) {
		for (n = 1; n < 10000; n++) {
			memset(st, 0, sizeof(*st));
			fn_cases[c].setup(st);
			ASSERT_LE(0, st->fd);
			arm(nth, n);
			ret = fn_cases[c].op(st);
			hit = injected(nth);
			points++;
			if (ret == -ENOMEM)
				enomem++;
			wrong = fn_cases[c].verify && fn_cases[c].verify(st, ret);
			if (wrong || (ret && ret != -ENOMEM) || (!hit && ret) ||
			    model_check(st->fd, &st->m, st->nkeys)) {
				bad++;
				TH_LOG("%s, allocation %d failed: %d%s%s", fn_cases[c].name,
				       n, ret, hit ? "" : " (none injected)",
				       wrong ? " (its file is wrong)" : "");
			}
			close(st->fd);
			if (fn_cases[c].cleanup)
				fn_cases[c].cleanup();
			if (!hit)
				break;
		}
		TH_LOG("fail-nth %s: %d allocations", fn_cases[c].name, n - 1);
	}
	printf("# CAMPAIGN fail-nth: %lu (command, n) points tried, %lu ENOMEM, anomalies: %lu\n",
	       points, enomem, bad);
	free(st);
	close(nth);
	EXPECT_EQ(0, bad);
}

/* ---- fuzz ---- */

static const int allowed_errnos[] = {
	ENOTTY, EFAULT, EINVAL, E2BIG, ENOMEM, EEXIST, ENOENT, EACCES, EPERM,
	ENOSPC, EINTR, ESTALE,
};

/* PIN fails as mknodat(2) would for its path and dirfd, too. */
static const int pin_path_errnos[] = {
	ENAMETOOLONG, EBADF, ENOTDIR, ELOOP, EROFS,
};

static bool in(const int *set, unsigned int n, int e)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (set[i] == e)
			return true;
	return false;
}

static bool errno_allowed(unsigned long cmd, int e)
{
	if (in(allowed_errnos, ARRAY_SIZE(allowed_errnos), e))
		return true;
	return cmd == HMAP_IOC_PIN &&
	       in(pin_path_errnos, ARRAY_SIZE(pin_path_errnos), e);
}

struct fuzz_ptrs {
	uint8_t *good;		/* 64 KiB, readable and writable */
	uint8_t *none;		/* PROT_NONE */
	uint8_t *gone;		/* unmapped */
	uint8_t *edge;		/* last bytes before the PROT_NONE page */
};

/*
 * Paths the fuzzer gives PIN now and then, so that some pins succeed:
 * absolute ones in the hmapfs, and names relative to fuzz_dir (an open
 * hmapfs directory). All removed at the end.
 */
#define FUZZ_PATHS	16
static char fuzz_abs[FUZZ_PATHS][64];
static char fuzz_rel[FUZZ_PATHS][32];
static int fuzz_dir = -1;

static void fuzz_paths_init(void)
{
	unsigned int i;

	for (i = 0; i < FUZZ_PATHS; i++) {
		snprintf(fuzz_abs[i], sizeof(fuzz_abs[i]),
			 HMAPFS_PATH "/fz%d-%u", getpid(), i);
		snprintf(fuzz_rel[i], sizeof(fuzz_rel[i]), "fz%d-r%u",
			 getpid(), i);
	}
}

static void fuzz_paths_remove(void)
{
	unsigned int i;

	for (i = 0; i < FUZZ_PATHS; i++) {
		unlink(fuzz_abs[i]);
		if (fuzz_dir >= 0)
			unlinkat(fuzz_dir, fuzz_rel[i], 0);
	}
}

static __u64 fuzz_ptr(const struct fuzz_ptrs *p)
{
	switch (rnd() % 8) {
	case 0: return 0;
	case 1: return PTR(p->none);
	case 2: return PTR(p->gone);
	case 3: return 0xffff888000000000ULL;
	case 4: return PTR(p->edge - rnd() % 64);
	case 5: return rnd();
	default: return PTR(p->good + rnd() % 4096);
	}
}

static __u32 fuzz_small(void)
{
	switch (rnd() % 6) {
	case 0: return 0;
	case 1: return 1U << (rnd() % 32);
	case 2: return rnd();
	case 3: return ~0U;
	default: return rnd() % 300;
	}
}

/* The first published size of command @nr, or 0 for an unknown one. */
static __u32 real_size(unsigned long nr)
{
	switch (nr) {
	case HMAP_IOC_NR_CREATE: return HMAP_IOC_CREATE_SIZE_VER0;
	case HMAP_IOC_NR_INFO: return HMAP_IOC_INFO_SIZE_VER0;
	case HMAP_IOC_NR_LOOKUP ... HMAP_IOC_NR_LOOKUP_AND_DELETE:
		return HMAP_IOC_ELEM_SIZE_VER0;
	case HMAP_IOC_NR_BATCH_LOOKUP ... HMAP_IOC_NR_BATCH_DELETE:
		return HMAP_IOC_BATCH_SIZE_VER0;
	case HMAP_IOC_NR_DUMP: return HMAP_IOC_DUMP_SIZE_VER0;
	case HMAP_IOC_NR_COUNT: return HMAP_IOC_COUNT_SIZE_VER0;
	case HMAP_IOC_NR_CLEAR: return HMAP_IOC_CLEAR_SIZE_VER0;
	case HMAP_IOC_NR_STATS: return HMAP_IOC_STATS_SIZE_VER0;
	case HMAP_IOC_NR_PIN: return HMAP_IOC_PIN_SIZE_VER0;
	}
	return 0;
}

/*
 * Fill @buf as a random structure for command @cmd: half the time with
 * its real size and mostly zero fields (so calls get past the header
 * checks into the command), else any size and random fields.
 */
static void fuzz_args(uint8_t *buf, unsigned long cmd,
		      const struct fuzz_ptrs *p)
{
	static const __u32 sizes[] = { 0, 4, 8, 16, 23, 24, 31, 32, 39, 40,
				       47, 48, 144, 152, 4096, 4097 };
	__u32 size = sizes[rnd() % (ARRAY_SIZE(sizes))];
	bool real = real_size(_IOC_NR(cmd)) && rnd() % 2;
	unsigned int off;

	memset(buf, 0, 4200);
	if (real)
		size = real_size(_IOC_NR(cmd));
	/* A larger structure's tail: zero, or not. */
	else if (rnd() % 2)
		for (off = 96; off < 4200; off += 1 + rnd() % 512)
			buf[off] = rnd();
	memcpy(buf, &size, 4);
	for (off = 4; off < 96; off += 4) {
		__u32 v = real && rnd() % 4 ? (rnd() % 4 ? 0 : 8) : fuzz_small();

		memcpy(buf + off, &v, 4);
	}
	/* Pointer-sized fields where the real structures keep them. */
	for (off = 8; off < 96; off += 8)
		if (rnd() % 3 == 0) {
			__u64 ptr = fuzz_ptr(p);

			memcpy(buf + off, &ptr, 8);
		}
	/* Now and then PIN's path, dirfd and mode, valid or nearly. */
	if (rnd() % 8 == 0) {
		unsigned int n = rnd() % FUZZ_PATHS;
		bool rel = rnd() % 2;
		__u64 path = PTR(rel ? fuzz_rel[n] : fuzz_abs[n]);
		__s32 dirfd = rel ? fuzz_dir : (rnd() % 4 ? AT_FDCWD : (__s32)rnd());
		__u32 mode = rnd() % 4 ? 0600 : fuzz_small();

		memcpy(buf + 8, &path, 8);
		memcpy(buf + 16, &dirfd, 4);
		memcpy(buf + 20, &mode, 4);
	}
}

static unsigned long fuzz_cmd(void)
{
	unsigned long nr = rnd() % 4 ? (rnd() % 2 ? rnd() % 4 : 0x40 + rnd() % 14)
				     : rnd() % 256;
	unsigned long type = rnd() % 8 ? HMAP_IOC_TYPE : rnd() % 256;

	switch (rnd() % 8) {
	case 0: return _IOC(_IOC_WRITE, type, nr, rnd() % 128);
	case 1: return _IOC(_IOC_READ | _IOC_WRITE, type, nr, rnd() % 128);
	default: return _IO(type, nr);
	}
}

/* A new map pinned at @path, and open(2) of its file with @flags. */
static int pinned_open(const char *path, int flags)
{
	int fd = new_map(0), ret;

	if (fd < 0)
		return fd;
	ret = hmap_pin(fd, path, 0600);
	close(fd);
	if (ret)
		return ret;
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

TEST_F_TIMEOUT(campaign, fuzz_ioctls, 900)
{
	unsigned long calls = soak() ? 1000000 : 100000, i, bad = 0, ok = 0, cmd;
	const char *ctl_path = path_of("fzctl"), *ro_path = path_of("fzro");
	const char *rw_path = path_of("fzrw");
	int dev, rw, rwfile, ro, control, fds[5], ret, ret2, e;
	struct fuzz_ptrs p;
	struct model *m;
	uint8_t *buf;
	uint64_t k, v;

	m = calloc(1, sizeof(*m));
	buf = malloc(4200);
	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, buf);
	p.good = mmap(NULL, 3 * 65536, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p.good);
	p.none = p.good + 65536;
	p.gone = p.good + 2 * 65536;
	p.edge = p.none;
	ASSERT_EQ(0, mprotect(p.none, 65536, PROT_NONE));
	ASSERT_EQ(0, munmap(p.gone, 65536));
	memset(p.good, 0x5a, 65536);
	fuzz_paths_init();
	fuzz_dir = open(HMAPFS_PATH, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, fuzz_dir);

	/* The control map: filled, pinned, and reached through its file. */
	control = new_map(0);
	ASSERT_LE(0, control);
	for (k = 0; k < 1000; k++) {
		v = ~k;
		ASSERT_EQ(0, hmap_update(control, &k, &v, HMAP_UPDATE_ANY));
		model_put(m, k, v);
	}
	ASSERT_EQ(0, hmap_pin(control, ctl_path, 0600));
	close(control);
	control = hmap_open(ctl_path, 0);
	ASSERT_LE(0, control);

	dev = open(HMAP_DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	/* The fuzzed map, through CREATE's descriptor and through its file. */
	rw = new_map(0);
	ASSERT_LE(0, rw);
	ASSERT_EQ(0, hmap_pin(rw, rw_path, 0600));
	rwfile = hmap_open(rw_path, 0);
	ASSERT_LE(0, rwfile);
	/* Another map, read-only through its file, reopened now and then. */
	ro = pinned_open(ro_path, O_RDONLY);
	ASSERT_LE(0, ro);
	fds[0] = dev;
	fds[1] = rw;
	fds[2] = rwfile;
	fds[4] = fuzz_dir;
	for (i = 0; i < calls; i++) {
		if (i && !(i % 10000)) {
			close(ro);
			ro = hmap_open(ro_path, 1);
			if (ro < 0) {
				bad++;
				TH_LOG("call %lu: reopening %s: %d", i, ro_path, ro);
				break;
			}
		}
		fds[3] = ro;
		cmd = fuzz_cmd();
		fuzz_args(buf, cmd, &p);
		ret = ioctl(fds[rnd() % 5], cmd, rnd() % 16 ? buf :
			    (void *)(unsigned long)fuzz_ptr(&p));
		e = errno;
		if (ret >= 0) {
			ok++;
			/* CREATE returns descriptors. */
			if (ret > 2 && ret != dev && ret != rw && ret != rwfile &&
			    ret != ro && ret != control && ret != fuzz_dir)
				close(ret);
		} else if (!errno_allowed(cmd, e)) {
			bad++;
			if (bad < 10)
				TH_LOG("call %lu: cmd %#lx: errno %d not in the table",
				       i, cmd, e);
		}
		/* The fuzzed map must not fill up or stay huge. */
		if (!(i % 1000))
			hmap_clear(rw);
	}
	ret = model_check(control, m, 2000);
	/* And a fresh open of its file finds the same. */
	close(control);
	control = hmap_open(ctl_path, 1);
	ret2 = control < 0 ? control : model_check(control, m, 2000);
	printf("# CAMPAIGN fuzz: %lu calls, %lu succeeded, errnos outside the table: %lu, control map %s\n",
	       calls, ok, bad, ret || ret2 ? "WRONG" : "exact");
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, ret2);
	if (ro >= 0)
		close(ro);
	close(rwfile);
	close(rw);
	close(dev);
	close(control);
	fuzz_paths_remove();
	EXPECT_EQ(0, unlink(ctl_path));
	EXPECT_EQ(0, unlink(ro_path));
	EXPECT_EQ(0, unlink(rw_path));
	close(fuzz_dir);
	fuzz_dir = -1;
	munmap(p.good, 2 * 65536);
	free(buf);
	free(m);
}

/* Every file the campaigns pin (ENOENT for those not made). */
static void remove_pinned_files(void)
{
	static const char *const tags[] = { "fzctl", "fzro", "fzrw", "stress" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tags); i++)
		unlink(path_of(tags[i]));
	unlink(fn_path());
	if (fuzz_abs[0][0])
		fuzz_paths_remove();
}

/* ---- stress ---- */

#define STRESS_PROCS	4
#define STRESS_KEYS	1024	/* per process */

/* One process: random commands on its own keys; returns anomalies. */
static unsigned long stress_worker(const char *path, unsigned int id,
				   unsigned int secs, unsigned long *ops)
{
	uint64_t base = (uint64_t)id * STRESS_KEYS, keys[64], vals[64], k, v;
	unsigned long bad = 0, n = 0;
	struct model *m = calloc(1, sizeof(*m));
	time_t end = time(NULL) + secs;
	uint32_t count, i;
	int fd, ret;

	rng_state = 0x5eed0000 + id;
	fd = hmap_open(path, 0);
	if (fd < 0 || !m)
		return 1;
	while (time(NULL) < end) {
		k = rnd() % STRESS_KEYS;
		v = rnd();
		switch (rnd() % 10) {
		case 0: case 1:
			ret = hmap_update(fd, &(uint64_t){ base + k }, &v,
					  HMAP_UPDATE_ANY);
			bad += ret != 0;
			if (!ret)
				model_put(m, k, v);
			break;
		case 2:
			ret = hmap_update(fd, &(uint64_t){ base + k }, &v,
					  HMAP_UPDATE_NOEXIST);
			bad += m->in[k] ? ret != -EEXIST : ret != 0;
			if (!ret)
				model_put(m, k, v);
			break;
		case 3:
			ret = hmap_delete(fd, &(uint64_t){ base + k });
			bad += m->in[k] ? ret != 0 : ret != -ENOENT;
			model_del(m, k);
			break;
		case 4: case 5:
			ret = hmap_lookup(fd, &(uint64_t){ base + k }, &v);
			bad += m->in[k] ? ret || v != m->val[k] : ret != -ENOENT;
			break;
		case 6:
			count = 1 + rnd() % 64;
			for (i = 0; i < count; i++) {
				keys[i] = base + (k + i) % STRESS_KEYS;
				vals[i] = rnd();
			}
			ret = hmap_update_batch(fd, keys, vals, &count,
						HMAP_UPDATE_ANY);
			bad += ret != 0;
			for (i = 0; i < count; i++)
				model_put(m, keys[i] - base, vals[i]);
			break;
		case 7:
			/* A delete batch of own keys: a clear of our range. */
			count = 0;
			for (i = 0; i < STRESS_KEYS && count < 64; i++)
				if (m->in[(k + i) % STRESS_KEYS])
					keys[count++] = base + (k + i) % STRESS_KEYS;
			ret = hmap_delete_batch(fd, keys, &count);
			bad += ret != 0;
			for (i = 0; i < count; i++)
				model_del(m, keys[i] - base);
			break;
		case 8:
			ret = hmap_lookup_and_delete(fd, &(uint64_t){ base + k }, &v);
			bad += m->in[k] ? ret || v != m->val[k] : ret != -ENOENT;
			model_del(m, k);
			break;
		default: {
			struct hmap_ioc_stats st;
			uint64_t cursor = 0, seen = 0, dk[256], dv[256];

			if (rnd() % 2) {
				bad += hmap_stats(fd, &st) != 0;
				break;
			}
			/* A dump: our keys exactly once, with our values. */
			do {
				count = 256;
				ret = hmap_dump(fd, &cursor, dk, dv, &count);
				if (ret) {
					bad++;
					break;
				}
				for (i = 0; i < count; i++) {
					if (dk[i] < base || dk[i] >= base + STRESS_KEYS)
						continue;
					bad += !m->in[dk[i] - base] ||
					       m->val[dk[i] - base] != dv[i];
					seen++;
				}
			} while (cursor);
			bad += seen != m->count;
		}
		}
		n++;
	}
	for (k = 0; k < STRESS_KEYS; k++) {
		ret = hmap_lookup(fd, &(uint64_t){ base + k }, &v);
		bad += m->in[k] ? ret || v != m->val[k] : ret != -ENOENT;
	}
	close(fd);
	free(m);
	*ops = n;
	return bad;
}

TEST_F_TIMEOUT(campaign, stress_four_processes, 300)
{
	unsigned int secs = soak() ? 60 : 10, i;
	unsigned long total_ops = 0, total_bad = 0;
	const char *path = path_of("stress");
	int fd, pipes[STRESS_PROCS][2];
	pid_t pid[STRESS_PROCS];

	fd = new_map(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hmap_pin(fd, path, 0600));
	for (i = 0; i < STRESS_PROCS; i++) {
		ASSERT_EQ(0, pipe(pipes[i]));
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			unsigned long r[2];

			r[1] = stress_worker(path, i, secs, &r[0]);
			write(pipes[i][1], r, sizeof(r));
			_exit(0);
		}
	}
	for (i = 0; i < STRESS_PROCS; i++) {
		unsigned long r[2] = { 0, 1 };
		int status;

		ASSERT_EQ(sizeof(r), read(pipes[i][0], r, sizeof(r)));
		waitpid(pid[i], &status, 0);
		EXPECT_TRUE(WIFEXITED(status));
		total_ops += r[0];
		total_bad += r[1];
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	printf("# CAMPAIGN stress: %u processes, %u s, %lu ops checked, anomalies: %lu\n",
	       STRESS_PROCS, secs, total_ops, total_bad);
	EXPECT_EQ(0, total_bad);
	EXPECT_EQ(0, unlink(path));
	close(fd);
}

/* ---- memcg ---- */

#define CG	"/sys/fs/cgroup"

/* Touch 128 KiB of stack, so that no call below needs a new stack page. */
static void __attribute__((noinline)) prefault_stack(void)
{
	char buf[128 * 1024];

	memset(buf, 0, sizeof(buf));
	/* The compiler must not drop the stores: buf escapes here. */
	__asm__ __volatile__("" : : "r"(buf) : "memory");
}

static int memcg_child(void)
{
	struct hmap_create_opts o = { .key_size = 8, .value_size = 4096 };
	static uint8_t val[4096];
	uint64_t k, stored = 0, count, j;
	int fd, ret = 0;

	/*
	 * Fault in everything this process touches later (value buffer, stdio
	 * buffer, stack) before joining the cgroup: a page fault at the limit
	 * would wake the OOM killer, for the process's own memory, not the
	 * map's (a soak run saw printf() fault in a new stack page there).
	 */
	memset(val, 1, sizeof(val));
	prefault_stack();
	printf("# memcg: filling a map of 4 KiB values under memory.max 16M\n");
	fflush(stdout);
	if (write_str(CG "/hmap-test/cgroup.procs", "0"))
		return 10;
	fd = hmap_create(&o);
	if (fd < 0)
		return 11;
	/* 16 MiB of memory.max: 4 KiB values run out after a few thousand. */
	for (k = 0; k < 20000; k++) {
		memcpy(val, &k, sizeof(k));
		ret = hmap_update(fd, &k, val, HMAP_UPDATE_ANY);
		if (ret)
			break;
		stored++;

	}
	if (ret != -ENOMEM) {
		printf("# memcg: %llu values stored, then %d\n",
		       (unsigned long long)stored, ret);
		fflush(stdout);
		return 12;
	}
	if (hmap_count(fd, &count) || count != stored)
		return 13;
	for (j = 0; j < stored; j++)
		if (hmap_lookup(fd, &j, val) || memcmp(val, &j, sizeof(j)))
			return 14;
	printf("# CAMPAIGN memcg: %llu values of 4 KiB stored under memory.max 16M, then ENOMEM; map exact\n",
	       (unsigned long long)stored);
	fflush(stdout);
	close(fd);
	return 0;
}

TEST(memcg_limit_gives_enomem)
{
	int status;
	pid_t pid;

	mkdir(CG, 0755);
	if (access(CG "/cgroup.controllers", F_OK))
		mount("cgroup2", CG, "cgroup2", 0, NULL);
	if (write_str(CG "/cgroup.subtree_control", "+memory"))
		SKIP(return, "no memory controller (CONFIG_MEMCG)");
	mkdir(CG "/hmap-test", 0755);
	ASSERT_EQ(0, write_str(CG "/hmap-test/memory.max", "16M"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(memcg_child());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	{
		char buf[256] = "";
		int fd = open(CG "/hmap-test/memory.events", O_RDONLY);

		if (fd >= 0) {
			read(fd, buf, sizeof(buf) - 1);
			close(fd);
		}
		for (char *c = buf; *c; c++)
			if (*c == '\n')
				*c = ' ';
		TH_LOG("memory.events: %s", buf);
	}
	/* Not killed (by the OOM killer or anything else): ENOMEM instead. */
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	rmdir(CG "/hmap-test");
}

TEST_HARNESS_MAIN
