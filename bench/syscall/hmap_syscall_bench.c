// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall half of the kernel arena, run inside the VM: hmap through
 * /dev/hmap ioctls (single and batched) against a BPF_MAP_TYPE_HASH
 * through bpf(2), both u64 -> u64, same keys (fixed-seed splitmix64).
 *
 * Phases: insert, lookup hit, delete (one syscall each), batch insert of
 * 256 per call, and a full dump (hmap's cursor dump; BPF's lookup_batch,
 * which walks the map: BPF has no batch lookup by key list). hmap runs
 * twice: as created by default (no hint: inserts pay its growth) and with
 * size_hint = n, the counterpart of BPF's default preallocation of
 * max_entries = n elements. Prints
 * markdown rows "HMAP-BENCH: | n | phase | api | ns/op median | min | max | x hmap |".
 * Usage: syscall_bench [largest n, default 100000]
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "hmap.h"

#define REPS	5
#define BATCH	256

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

enum { INSERT, HIT, BATCH_INSERT, DUMP, DELETE, NPH };
static const char *const phase_names[NPH] = {
	"insert", "lookup hit", "batch insert (256)", "dump all", "delete",
};

struct api {
	const char *name;
	int (*create)(unsigned long n);
	int (*update)(int fd, uint64_t k, uint64_t v);
	int (*lookup)(int fd, uint64_t k, uint64_t *v);
	int (*remove)(int fd, uint64_t k);
	int (*batch)(int fd, const uint64_t *k, const uint64_t *v, uint32_t n);
	long (*dump)(int fd, uint64_t *k, uint64_t *v, unsigned long n);
};

static int hm_create(unsigned long n)
{
	struct hmap_create_opts o = { .key_size = 8, .value_size = 8 };

	(void)n;
	return hmap_create(&o);
}

static int hm_create_hint(unsigned long n)
{
	struct hmap_create_opts o = { .key_size = 8, .value_size = 8,
				      .size_hint = n };

	return hmap_create(&o);
}

static int hm_update(int fd, uint64_t k, uint64_t v)
{
	return hmap_update(fd, &k, &v, HMAP_UPDATE_ANY);
}

static int hm_lookup(int fd, uint64_t k, uint64_t *v)
{
	return hmap_lookup(fd, &k, v);
}

static int hm_remove(int fd, uint64_t k)
{
	return hmap_delete(fd, &k);
}

static int hm_batch(int fd, const uint64_t *k, const uint64_t *v, uint32_t n)
{
	return hmap_update_batch(fd, k, v, &n, HMAP_UPDATE_ANY);
}

static long hm_dump(int fd, uint64_t *k, uint64_t *v, unsigned long n)
{
	uint64_t cursor = 0;
	unsigned long got = 0;
	uint32_t c;

	do {
		c = BATCH;
		if (hmap_dump(fd, &cursor, k, v, &c))
			return -1;
		got += c;
		(void)n;
	} while (cursor);
	return got;
}

static int bpf_create(unsigned long n)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH;
	a.key_size = 8;
	a.value_size = 8;
	a.max_entries = n;
	return sys_bpf(BPF_MAP_CREATE, &a);
}

static int bpf_elem(int cmd, int fd, uint64_t *k, uint64_t *v)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uintptr_t)k;
	a.value = (uintptr_t)v;
	a.flags = BPF_ANY;
	return sys_bpf(cmd, &a);
}

static int bpf_update(int fd, uint64_t k, uint64_t v)
{
	return bpf_elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v);
}

static int bpf_lookup(int fd, uint64_t k, uint64_t *v)
{
	return bpf_elem(BPF_MAP_LOOKUP_ELEM, fd, &k, v);
}

static int bpf_remove(int fd, uint64_t k)
{
	return bpf_elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL);
}

static int bpf_batch(int fd, const uint64_t *k, const uint64_t *v, uint32_t n)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.batch.map_fd = fd;
	a.batch.keys = (uintptr_t)k;
	a.batch.values = (uintptr_t)v;
	a.batch.count = n;
	return sys_bpf(BPF_MAP_UPDATE_BATCH, &a);
}

static long bpf_dump(int fd, uint64_t *k, uint64_t *v, unsigned long n)
{
	uint64_t in = 0, out = 0;
	unsigned long got = 0;
	union bpf_attr a;
	int err;

	(void)n;
	for (;;) {
		memset(&a, 0, sizeof(a));
		a.batch.map_fd = fd;
		a.batch.in_batch = got ? (uintptr_t)&in : 0;
		a.batch.out_batch = (uintptr_t)&out;
		a.batch.keys = (uintptr_t)k;
		a.batch.values = (uintptr_t)v;
		a.batch.count = BATCH;
		err = sys_bpf(BPF_MAP_LOOKUP_BATCH, &a);
		got += a.batch.count;
		if (err)
			return errno == ENOENT ? (long)got : -1;
		in = out;
	}
}

static const struct api apis[] = {
	{ "hmap ioctl", hm_create, hm_update, hm_lookup, hm_remove, hm_batch, hm_dump },
	{ "hmap ioctl, size_hint n", hm_create_hint, hm_update, hm_lookup, hm_remove,
	  hm_batch, hm_dump },
	{ "bpf(2) hash", bpf_create, bpf_update, bpf_lookup, bpf_remove, bpf_batch, bpf_dump },
};

#define NAPI	(sizeof(apis) / sizeof(apis[0]))

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One repetition of every phase for one API; ns/op into t[]. */
static int run(const struct api *api, unsigned long n, uint64_t *keys,
	       uint64_t *vals, uint64_t *t)
{
	unsigned long i;
	uint64_t v, t0;
	int fd, fd2;
	long got;

	fd = api->create(n);
	fd2 = api->create(n);
	if (fd < 0 || fd2 < 0)
		return -1;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (api->update(fd, keys[i], i))
			return -1;
	t[INSERT] = (now_ns() - t0) / n;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (api->lookup(fd, keys[i], &v) || v != i)
			return -1;
	t[HIT] = (now_ns() - t0) / n;
	t0 = now_ns();
	for (i = 0; i < n; i += BATCH)
		if (api->batch(fd2, keys + i, vals + i, n - i < BATCH ? n - i : BATCH))
			return -1;
	t[BATCH_INSERT] = (now_ns() - t0) / n;
	t0 = now_ns();
	got = api->dump(fd, keys + n, vals + n, n);
	t[DUMP] = (now_ns() - t0) / n;
	if (got != (long)n)
		return -1;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (api->remove(fd, keys[i]))
			return -1;
	t[DELETE] = (now_ns() - t0) / n;
	close(fd);
	close(fd2);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long max_n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	static const unsigned long sizes[] = { 1000, 10000, 100000 };
	uint64_t t[NAPI][NPH][REPS], one[NPH], seed;
	unsigned int s, a, p, r;
	uint64_t *keys, *vals;
	unsigned long n, i;

	printf("HMAP-BENCH: ## syscall arena: hmap ioctls vs bpf(2) BPF_MAP_TYPE_HASH, u64 -> u64, ns/op\n");
	printf("HMAP-BENCH: | n | phase | api | median | min | max | x hmap |\n");
	printf("HMAP-BENCH: |---|---|---|---|---|---|---|\n");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		n = sizes[s];
		if (n > max_n)
			break;
		keys = calloc(2 * n + BATCH, sizeof(*keys));
		vals = calloc(2 * n + BATCH, sizeof(*vals));
		if (!keys || !vals)
			return 1;
		seed = 1;
		for (i = 0; i < n; i++) {
			keys[i] = splitmix64(&seed);
			vals[i] = i;
		}
		for (r = 0; r < REPS; r++)
			for (a = 0; a < NAPI; a++) {
				if (run(&apis[a], n, keys, vals, one)) {
					fprintf(stderr, "%s failed at n=%lu: %s\n",
						apis[a].name, n, strerror(errno));
					return 1;
				}
				for (p = 0; p < NPH; p++)
					t[a][p][r] = one[p];
			}
		for (p = 0; p < NPH; p++) {
			for (a = 0; a < NAPI; a++)
				qsort(t[a][p], REPS, sizeof(uint64_t), cmp);
			for (a = 0; a < NAPI; a++) {
				uint64_t med = t[a][p][REPS / 2];
				uint64_t base = t[0][p][REPS / 2] ? t[0][p][REPS / 2] : 1;

				printf("HMAP-BENCH: | %lu | %s | %s | %llu | %llu | %llu | %.2f |\n",
				       n, phase_names[p], apis[a].name,
				       (unsigned long long)med,
				       (unsigned long long)t[a][p][0],
				       (unsigned long long)t[a][p][REPS - 1],
				       (double)med / base);
			}
		}
		free(keys);
		free(vals);
	}
	return 0;
}
