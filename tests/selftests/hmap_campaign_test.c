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
 *  - fuzz: random commands near the real ones with random sizes, flags,
 *    reserved fields, pointers (NULL, unmapped, PROT_NONE, kernel) and
 *    counts, on /dev/hmap and on map descriptors: only errnos of the
 *    header's table, and a control map nobody touched is still exact.
 *  - stress: four processes on one named map, each on its own key range
 *    with a random mix of every command, checking its keys against its own
 *    model.
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

static int new_map(uint64_t hint, const char *name)
{
	struct hmap_create_opts o = {
		.key_size = 8, .value_size = 8, .size_hint = hint,
		.name = name, .mode = name ? 0600 : 0,
	};

	return hmap_create(&o);
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
FIXTURE_TEARDOWN(campaign) {}

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
	struct model m;
	uint64_t nkeys;
};

/* Each case: set up its state, then run the command that allocates. */
struct fn_case {
	const char *name;
	void (*setup)(struct fn_state *st);
	int (*op)(struct fn_state *st);
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
	st->fd = new_map(0, NULL);
	st->nkeys = 64;
}

/* 52 keys: B = 3 is full; the 53rd insert grows the map. */
static void setup_full_b3(struct fn_state *st)
{
	st->fd = new_map(0, NULL);
	fill_model(st, 52);
	st->nkeys = 64;
}

static void setup_hinted(struct fn_state *st)
{
	st->fd = new_map(1000, NULL);
	fill_model(st, 300);
	st->nkeys = 400;
}

/* 400 keys (B = 6), then down to 53: the next delete starts a shrink. */
static void setup_shrinkable(struct fn_state *st)
{
	uint64_t k;

	st->fd = new_map(0, NULL);
	fill_model(st, 400);
	for (k = 53; k < 400; k++)
		if (!hmap_delete(st->fd, &k))
			model_del(&st->m, k);
	st->nkeys = 400;
}

static int op_create(struct fn_state *st)
{
	int fd = new_map(5000, NULL);

	(void)st;
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static const char *fn_name(void)
{
	static char name[32];

	snprintf(name, sizeof(name), "fn%d", getpid());
	return name;
}

static int op_create_named(struct fn_state *st)
{
	int fd;

	(void)st;
	fd = new_map(100, fn_name());
	if (fd < 0)
		return fd;
	close(fd);
	return hmap_unlink(fn_name());
}

/* An UNLINK that failed with ENOMEM left the name: remove it, unarmed. */
static void cleanup_named(void)
{
	hmap_unlink(fn_name());
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
	{ "create", setup_empty, op_create, NULL },
	{ "create named", setup_empty, op_create_named, cleanup_named },
	{ "update that grows", setup_full_b3, op_update_grow, NULL },
	{ "delete that shrinks", setup_shrinkable, op_delete_shrink, NULL },
	{ "batch update", setup_full_b3, op_batch_update, NULL },
	{ "lookup", setup_hinted, op_lookup, NULL },
	{ "dump", setup_hinted, op_dump, NULL },
	{ "clear", setup_hinted, op_clear, NULL },
};

TEST_F_TIMEOUT(campaign, fail_nth_every_allocation, 300)
{
	unsigned long points = 0, enomem = 0, bad = 0;
	struct fn_state *st;
	unsigned int c;
	int nth, n, ret;
	bool hit;

	nth = fail_nth_fd();
	if (nth < 0 || fault_setup())
		SKIP(return, "no fail-nth or fault-injection debugfs");
	st = calloc(1, sizeof(*st));
	ASSERT_NE(NULL, st);
	for (c = 0; c < sizeof(fn_cases) / sizeof(fn_cases[0]); c++) {
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
			if ((ret && ret != -ENOMEM) || (!hit && ret) ||
			    model_check(st->fd, &st->m, st->nkeys)) {
				bad++;
				TH_LOG("%s, allocation %d failed: %d%s", fn_cases[c].name,
				       n, ret, hit ? "" : " (none injected)");
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

static bool errno_allowed(int e)
{
	unsigned int i;

	for (i = 0; i < sizeof(allowed_errnos) / sizeof(allowed_errnos[0]); i++)
		if (allowed_errnos[i] == e)
			return true;
	return false;
}

struct fuzz_ptrs {
	uint8_t *good;		/* 64 KiB, readable and writable */
	uint8_t *none;		/* PROT_NONE */
	uint8_t *gone;		/* unmapped */
	uint8_t *edge;		/* last bytes before the PROT_NONE page */
};

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
	case HMAP_IOC_NR_OPEN: return HMAP_IOC_OPEN_SIZE_VER0;
	case HMAP_IOC_NR_UNLINK: return HMAP_IOC_UNLINK_SIZE_VER0;
	case HMAP_IOC_NR_LIST: return HMAP_IOC_LIST_SIZE_VER0;
	case HMAP_IOC_NR_INFO: return HMAP_IOC_INFO_SIZE_VER0;
	case HMAP_IOC_NR_LOOKUP ... HMAP_IOC_NR_LOOKUP_AND_DELETE:
		return HMAP_IOC_ELEM_SIZE_VER0;
	case HMAP_IOC_NR_BATCH_LOOKUP ... HMAP_IOC_NR_BATCH_DELETE:
		return HMAP_IOC_BATCH_SIZE_VER0;
	case HMAP_IOC_NR_DUMP: return HMAP_IOC_DUMP_SIZE_VER0;
	case HMAP_IOC_NR_COUNT: return HMAP_IOC_COUNT_SIZE_VER0;
	case HMAP_IOC_NR_CLEAR: return HMAP_IOC_CLEAR_SIZE_VER0;
	case HMAP_IOC_NR_STATS: return HMAP_IOC_STATS_SIZE_VER0;
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
	static const __u32 sizes[] = { 0, 4, 23, 24, 31, 32, 40, 47, 48,
				       79, 80, 95, 96, 128, 4096, 4097 };
	__u32 size = sizes[rnd() % (sizeof(sizes) / sizeof(sizes[0]))];
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
	/* Valid names now and then (CREATE, OPEN, UNLINK at offset 40 or 8). */
	if (rnd() % 8 == 0)
		snprintf((char *)buf + (rnd() % 2 ? 40 : 8), 32, "fz%u",
			 (unsigned int)(rnd() % 16));
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

/* Unlink every named map (the fuzzer's valid names), anonymous ones stay. */
static void unlink_all_named(void)
{
	struct hmap_ioc_info *infos = NULL;
	unsigned int n = 0, i;

	if (hmap_list(&infos, &n))
		return;
	for (i = 0; i < n; i++)
		if (infos[i].name[0])
			hmap_unlink(infos[i].name);
	free(infos);
}

TEST_F_TIMEOUT(campaign, fuzz_ioctls, 900)
{
	unsigned long calls = soak() ? 1000000 : 100000, i, bad = 0, ok = 0, cmd;
	int dev, rw, ro, control, fds[3], ret, e;
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

	control = new_map(0, NULL);
	ASSERT_LE(0, control);
	for (k = 0; k < 1000; k++) {
		v = ~k;
		ASSERT_EQ(0, hmap_update(control, &k, &v, HMAP_UPDATE_ANY));
		model_put(m, k, v);
	}
	dev = open(HMAP_DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	rw = new_map(0, NULL);
	ASSERT_LE(0, rw);
	ro = -1;
	fds[0] = dev;
	fds[1] = rw;
	for (i = 0; i < calls; i++) {
		/* A read-only descriptor of a named map, renewed now and then. */
		if (!(i % 10000)) {
			if (ro >= 0)
				close(ro);
			ret = new_map(0, "fzro");
			if (ret >= 0)
				close(ret);
			ro = hmap_open("fzro", 1);
		}
		fds[2] = ro;
		cmd = fuzz_cmd();
		fuzz_args(buf, cmd, &p);
		ret = ioctl(fds[rnd() % 3], cmd, rnd() % 16 ? buf :
			    (void *)(unsigned long)fuzz_ptr(&p));
		e = errno;
		if (ret >= 0) {
			ok++;
			/* CREATE and OPEN return descriptors. */
			if (ret > 2 && ret != dev && ret != rw && ret != ro &&
			    ret != control)
				close(ret);
		} else if (!errno_allowed(e)) {
			bad++;
			if (bad < 10)
				TH_LOG("call %lu: errno %d not in the table", i, e);
		}
		/* The fuzzed map must not fill up or stay huge. */
		if (!(i % 1000))
			hmap_clear(rw);
	}
	ret = model_check(control, m, 2000);
	printf("# CAMPAIGN fuzz: %lu calls, %lu succeeded, errnos outside the table: %lu, control map %s\n",
	       calls, ok, bad, ret ? "WRONG" : "exact");
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, ret);
	close(ro);
	close(rw);
	close(dev);
	close(control);
	unlink_all_named();
	munmap(p.good, 2 * 65536);
	free(buf);
	free(m);
}

/* ---- stress ---- */

#define STRESS_PROCS	4
#define STRESS_KEYS	1024	/* per process */

/* One process: random commands on its own keys; returns anomalies. */
static unsigned long stress_worker(const char *name, unsigned int id,
				   unsigned int secs, unsigned long *ops)
{
	uint64_t base = (uint64_t)id * STRESS_KEYS, keys[64], vals[64], k, v;
	unsigned long bad = 0, n = 0;
	struct model *m = calloc(1, sizeof(*m));
	time_t end = time(NULL) + secs;
	uint32_t count, i;
	int fd, ret;

	rng_state = 0x5eed0000 + id;
	fd = hmap_open(name, 0);
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
	int fd, pipes[STRESS_PROCS][2];
	char name[32];
	pid_t pid[STRESS_PROCS];

	snprintf(name, sizeof(name), "stress%d", getpid());
	fd = new_map(0, name);
	ASSERT_LE(0, fd);
	for (i = 0; i < STRESS_PROCS; i++) {
		ASSERT_EQ(0, pipe(pipes[i]));
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			unsigned long r[2];

			r[1] = stress_worker(name, i, secs, &r[0]);
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
	EXPECT_EQ(0, hmap_unlink(name));
	close(fd);
}

/* ---- memcg ---- */

#define CG	"/sys/fs/cgroup"

static int memcg_child(void)
{
	struct hmap_create_opts o = { .key_size = 8, .value_size = 4096 };
	static uint8_t val[4096];
	uint64_t k, stored = 0, count, j;
	int fd, ret = 0;

	/*
	 * Fault in everything this process touches later (value buffer, stdio
	 * buffer) before joining the cgroup: a page fault at the limit would
	 * wake the OOM killer, for the process's own memory, not the map's.
	 */
	memset(val, 1, sizeof(val));
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
