/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native arena's workload, shared by every C/C++ contestant.
 *
 * A backend TU defines BE_NAME, BE_HAS_HINT, BE_HAS_NOHINT and the static
 * functions below, then includes this file, which supplies main().  WL
 * selects the workload at compile time: 1 = u64 -> u64, 2 = 16-byte key ->
 * 64-byte value.  go/main.go is a line-by-line port; both print the same
 * rows and checksums, which run-native.sh compares.
 *
 *   static void be_init(void);                  once, before anything
 *   static void be_create(size_t hint);         hint 0: no size hint
 *   static void be_destroy(void);
 *   static void be_insert(const bkey_t *k, const bval_t *v);   new keys only
 *   static bool be_lookup(const bkey_t *k, uint64_t *v0);      v0 = value word 0
 *   static bool be_delete(const bkey_t *k);
 *   static void be_sync(void);                  end of a phase that deleted:
 *                                               run deferred frees (timed in
 *                                               CPU time; waiting is not)
 *   static uint64_t be_self_bytes(void);        the map's own byte count, or 0
 *
 * Keys: splitmix64 from fixed seeds; a 16-byte key is two consecutive
 * outputs.  Phases, in this order, on one process, after one untimed
 * build and destroy of the map (the warm-up, see run_timed()):
 *   insert_nohint  create without a hint, insert keys[0..n)
 *   insert_hint    create with hint n, insert keys[0..n) (this map is kept)
 *   lookup_hit     look up the keys in a random order
 *   lookup_miss    look up as many keys from another seed (none present)
 *   mixed          as many operations: 90% lookup of a random live key,
 *                  5% insert of a new key, 5% delete of a random live key
 *                  (the stream is generated beforehand by simulating the
 *                  set)
 *   delete_all     delete every live key, shuffled
 * Maps smaller than min_ops repeat a phase (rebuilding the map untimed
 * when the phase changed it) until about min_ops operations ran.  Maps
 * larger than max_ops run only max_ops lookups / mixed operations (a
 * random sample of the keys); inserts and
 * delete_all always cover every key.
 * Generating keys, shuffles and the mixed stream, and destroying maps, is
 * never timed.  ns/op = process CPU time of the phase / operations (see
 * struct timer).
 *
 * Memory mode (-m, binaries linked with memcount.c): insert without hint,
 * delete all, then insert with hint, delete all (no deletes with -s);
 * prints live heap bytes per entry at the end of each insert phase, the
 * peak during it, and what is left after deleting everything (per original
 * entry): from the map the inserts grew, and from the presized one.
 *
 * Latency mode (-l): see run_latency(). Batch mode (-b): driver_batch.h.
 *
 * -N NAME replaces the contestant's name in the rows (a run of the same
 * binary in another environment, e.g. with huge pages).
 */
#ifndef _BENCH_DRIVER_H
#define _BENCH_DRIVER_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if !defined(WL) || (WL != 1 && WL != 2)
#error "WL must be 1 (u64 -> u64) or 2 (16 B -> 64 B)"
#endif

#if WL == 1
#define WL_NAME "u64"
typedef struct { uint64_t w[1]; } bkey_t;
typedef struct { uint64_t w[1]; } bval_t;
#else
#define WL_NAME "k16v64"
typedef struct { uint64_t w[2]; } bkey_t;
typedef struct { uint64_t w[8]; } bval_t;
#endif
#define KW (sizeof(bkey_t) / 8)
#define VW (sizeof(bval_t) / 8)

/* Backend, defined by the including TU. */
static void be_init(void);
static void be_create(size_t hint);
static void be_destroy(void);
static void be_insert(const bkey_t *k, const bval_t *v);
static bool be_lookup(const bkey_t *k, uint64_t *v0);
static bool be_delete(const bkey_t *k);
static void be_sync(void);
static uint64_t be_self_bytes(void);

#ifdef __cplusplus
extern "C" {
#endif
/* memcount.c, linked into the -mem binaries only. */
uint64_t memcount_live(void) __attribute__((weak));
uint64_t memcount_peak(void) __attribute__((weak));
void memcount_reset_peak(void) __attribute__((weak));
#ifdef __cplusplus
}
#endif

#define SEED_KEYS	0x68617368ULL	/* "hash" */
#define SEED_MISS	0x6d697373ULL
#define SEED_PERM	0x7065726dULL
#define SEED_MIXED	0x6d697864ULL
#define SEED_DEL	0x64656c65ULL

static uint64_t sm_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void key_gen(uint64_t *s, bkey_t *k)
{
	for (size_t i = 0; i < KW; i++)
		k->w[i] = sm_next(s);
}

/* The value stored for a key: word j = (k0 ^ 0x55..55) + j * k_last. */
static inline void val_of(const bkey_t *k, bval_t *v)
{
	for (size_t j = 0; j < VW; j++)
		v->w[j] = (k->w[0] ^ 0x5555555555555555ULL) + j * k->w[KW - 1];
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "bench: out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

static void shuffle(bkey_t *a, size_t n, uint64_t seed)
{
	uint64_t s = seed;

	for (size_t i = n; i > 1; i--) {
		size_t j = sm_next(&s) % i;
		bkey_t t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

/* Fisher-Yates on the first k positions only: a[0..k) is a random sample. */
static void shuffle_prefix(bkey_t *a, size_t n, size_t k, uint64_t seed)
{
	uint64_t s = seed;

	for (size_t i = 0; i < k && i + 1 < n; i++) {
		size_t j = i + sm_next(&s) % (n - i);
		bkey_t t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Phases are timed in CPU time of the whole process (all threads, user
 * and system: page faults, liburcu's call_rcu worker), so time the shared
 * VM gives to other processes is not counted; wall time goes to the raw
 * rows too.  Reading the CPU clock is a system call (~0.6 us here): its
 * cost, calibrated at start, is subtracted from every timed interval.
 */
static uint64_t g_clock_cost;

struct timer {
	uint64_t cpu, wall;		/* accumulated */
	uint64_t c0, w0;		/* current interval */
};

static void timer_calibrate(void)
{
	uint64_t d[64], a, b;
	int i, j;

	for (i = 0; i < 64; i++) {
		a = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		b = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		d[i] = b - a;
	}
	for (i = 1; i < 64; i++)	/* insertion sort, then the median */
		for (j = i; j > 0 && d[j - 1] > d[j]; j--) {
			a = d[j];
			d[j] = d[j - 1];
			d[j - 1] = a;
		}
	g_clock_cost = d[32];
}

static void timer_start(struct timer *t)
{
	t->w0 = clock_ns(CLOCK_MONOTONIC);
	t->c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static void timer_stop(struct timer *t)
{
	uint64_t c = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t->c0;

	t->wall += clock_ns(CLOCK_MONOTONIC) - t->w0;
	t->cpu += c > g_clock_cost ? c - g_clock_cost : 0;
}

static const char *g_impl = BE_NAME;
/* Batch mode (-b): set by driver_batch.h for contestants that have one. */
static void (*g_run_batch)(size_t n);
static bool g_mem_no_delete;
static size_t g_n;
static int g_rep;

static void die(const char *what, size_t i)
{
	fprintf(stderr, "bench: %s %s n=%zu: %s (op %zu)\n", g_impl, WL_NAME,
		g_n, what, i);
	exit(3);
}

/* R impl wl n rep phase cpu-ns/op iterations checksum wall-ns/op */
static void row(const char *phase, const struct timer *t, uint64_t ops,
		long iters, uint64_t chk)
{
	printf("R\t%s\t%s\t%zu\t%d\t%s\t%.3f\t%ld\t%016llx\t%.3f\n", g_impl,
	       WL_NAME, g_n, g_rep, phase, (double)t->cpu / (double)ops, iters,
	       (unsigned long long)chk, (double)t->wall / (double)ops);
	fflush(stdout);
}

static void mrow(const char *metric, double bytes_per_entry)
{
	printf("M\t%s\t%s\t%zu\t%s\t%.2f\n", g_impl, WL_NAME, g_n, metric,
	       bytes_per_entry);
	fflush(stdout);
}

static void build(const bkey_t *keys, size_t n, size_t hint)
{
	bval_t v;

	be_create(hint);
	for (size_t i = 0; i < n; i++) {
		val_of(&keys[i], &v);
		be_insert(&keys[i], &v);
	}
}

enum { OP_LOOKUP, OP_INSERT, OP_DELETE };
struct op {
	uint32_t t;
	bkey_t k;
};

/*
 * The mixed stream: simulate the live set (keys[0..n) at the start) so
 * that every lookup and delete names a live key.  New keys continue the
 * key stream at *ks.  Returns the final live set through live_out and nlive.
 */
static struct op *mixed_gen(const bkey_t *keys, size_t n, size_t nops,
			    uint64_t *ks, bkey_t **live_out, size_t *nlive)
{
	size_t cap = n + nops / 8 + 64, L = n;
	bkey_t *live = (bkey_t *)xmalloc(cap * sizeof(*live));
	struct op *ops = (struct op *)xmalloc(nops * sizeof(*ops));
	uint64_t s = SEED_MIXED;

	memcpy(live, keys, n * sizeof(*live));
	for (size_t i = 0; i < nops; i++) {
		uint64_t r = sm_next(&s) % 100;

		memset(&ops[i], 0, sizeof(ops[i]));
		if (r < 90) {
			ops[i].t = OP_LOOKUP;
			ops[i].k = live[sm_next(&s) % L];
		} else if (r < 95) {
			if (L == cap)
				die("mixed stream overflow", i);
			ops[i].t = OP_INSERT;
			key_gen(ks, &ops[i].k);
			live[L++] = ops[i].k;
		} else {
			size_t j = sm_next(&s) % L;

			ops[i].t = OP_DELETE;
			ops[i].k = live[j];
			live[j] = live[--L];
		}
	}
	*live_out = live;
	*nlive = L;
	return ops;
}

static long iters_for(size_t n, long min_ops)
{
	long it = (long)((min_ops + (long)n - 1) / (long)n);

	return it < 1 ? 1 : it;
}

/*
 * min_ops: small maps repeat each phase until about this many operations.
 * max_ops: lookup and mixed phases of larger maps run this many operations
 * (random keys, so a sample) instead of n; inserts and delete_all always
 * cover every key.
 */
static void run_timed(size_t n, long min_ops, long max_ops)
{
	long iters = iters_for(n, min_ops);
	size_t nq = n < (size_t)max_ops ? n : (size_t)max_ops;
	bkey_t *keys = (bkey_t *)xmalloc(n * sizeof(*keys));
	bkey_t *q, *m, *live;
	uint64_t ks = SEED_KEYS, chk = 0, v0;
	struct timer t;
	struct op *ops;
	size_t nlive;
	bval_t v;
	long it;

	for (size_t i = 0; i < n; i++)
		key_gen(&ks, &keys[i]);

	/*
	 * One untimed build first, so that the timed inserts write to memory
	 * this process has just used. This VM reports free memory to its host
	 * (page_reporting), which takes it back a few seconds later; touching
	 * it again costs a host fault, so without this the insert rows of
	 * large maps measured how long the VM had been idle. Backends with
	 * no insert_nohint phase (liburcu: its unhinted growth is too slow
	 * at 10^7) warm up presized.
	 */
	build(keys, n, BE_HAS_NOHINT ? 0 : n);
	be_destroy();

	/* insert_nohint (kept for the lookups if there is no hint API) */
	if (BE_HAS_NOHINT) {
		memset(&t, 0, sizeof(t));
		for (it = 0; it < iters; it++) {
			if (it)
				be_destroy();
			timer_start(&t);
			build(keys, n, 0);
			timer_stop(&t);
		}
		row("insert_nohint", &t, (uint64_t)n * iters, iters, n);
	}

	/* insert_hint (the last map stays for the lookups) */
	if (BE_HAS_HINT) {
		if (BE_HAS_NOHINT)
			be_destroy();
		memset(&t, 0, sizeof(t));
		for (it = 0; it < iters; it++) {
			if (it)
				be_destroy();
			timer_start(&t);
			build(keys, n, n);
			timer_stop(&t);
		}
		row("insert_hint", &t, (uint64_t)n * iters, iters, n);
	}

	/* lookup_hit: the first nq keys of a shuffled copy */
	q = (bkey_t *)xmalloc(n * sizeof(*q));
	memcpy(q, keys, n * sizeof(*q));
	shuffle_prefix(q, n, nq, SEED_PERM);
	memset(&t, 0, sizeof(t));
	timer_start(&t);
	for (it = 0; it < iters; it++) {
		chk = 0;
		for (size_t i = 0; i < nq; i++) {
			if (!be_lookup(&q[i], &v0))
				die("lookup_hit missed", i);
			chk += v0;
		}
	}
	timer_stop(&t);
	row("lookup_hit", &t, (uint64_t)nq * iters, iters, chk);

	/* lookup_miss */
	m = (bkey_t *)xmalloc(nq * sizeof(*m));
	{
		uint64_t ms = SEED_MISS;

		for (size_t i = 0; i < nq; i++)
			key_gen(&ms, &m[i]);
	}
	memset(&t, 0, sizeof(t));
	chk = 0;
	timer_start(&t);
	for (it = 0; it < iters; it++)
		for (size_t i = 0; i < nq; i++)
			if (be_lookup(&m[i], &v0))
				chk++;
	timer_stop(&t);
	if (chk)
		die("lookup_miss hit", 0);
	row("lookup_miss", &t, (uint64_t)nq * iters, iters, chk);

	/* mixed 90/10: nq operations */
	ops = mixed_gen(keys, n, nq, &ks, &live, &nlive);
	memset(&t, 0, sizeof(t));
	for (it = 0; it < iters; it++) {
		if (it) {
			be_destroy();
			build(keys, n, n);
		}
		chk = 0;
		timer_start(&t);
		for (size_t i = 0; i < nq; i++) {
			switch (ops[i].t) {
			case OP_LOOKUP:
				if (!be_lookup(&ops[i].k, &v0))
					die("mixed lookup missed", i);
				chk += v0;
				break;
			case OP_INSERT:
				val_of(&ops[i].k, &v);
				be_insert(&ops[i].k, &v);
				break;
			default:
				if (!be_delete(&ops[i].k))
					die("mixed delete missed", i);
			}
		}
		be_sync();
		timer_stop(&t);
	}
	row("mixed", &t, (uint64_t)nq * iters, iters, chk);

	/* delete_all, of the live set the mixed phase left */
	shuffle(live, nlive, SEED_DEL);
	memset(&t, 0, sizeof(t));
	for (it = 0; it < iters; it++) {
		if (it) {
			be_destroy();
			build(live, nlive, n);
		}
		timer_start(&t);
		for (size_t i = 0; i < nlive; i++)
			if (!be_delete(&live[i]))
				die("delete missed", i);
		be_sync();
		timer_stop(&t);
	}
	row("delete_all", &t, (uint64_t)nlive * iters, iters, nlive);
	/*
	 * No teardown: the process exits.  (Walking an emptied cds_lfht
	 * presized for 10^7 visits its 2^24 bucket nodes: seconds per run.)
	 */
	/*
	 * Buffers are freed only now: unmapping a large one between timed
	 * phases made the next phase pay, in this VM (lookup misses at 10^7
	 * read 958 ns after free(q), 77-95 ns without it).
	 */
	free(q);
	free(m);
	free(ops);
	free(live);
	free(keys);
}

static void run_mem(size_t n)
{
	bkey_t *keys = (bkey_t *)xmalloc(n * sizeof(*keys));
	uint64_t ks = SEED_KEYS, base, self;
	/* stdout's buffer, which the first row would malloc, is not the map's. */
	static char outbuf[BUFSIZ];

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	if (!memcount_live) {
		fprintf(stderr, "bench: -m needs a binary linked with memcount.o\n");
		exit(2);
	}
	for (size_t i = 0; i < n; i++)
		key_gen(&ks, &keys[i]);

	/* Without a hint API the no-hint map is the one deleted from. */
	int first = BE_HAS_NOHINT ? 0 : 1, last = BE_HAS_HINT ? 1 : 0;

	for (int hint = first; hint <= last; hint++) {
		const char *tag = hint ? "hint" : "nohint";
		char name[64];

		base = memcount_live();
		memcount_reset_peak();
		build(keys, n, hint ? n : 0);
		snprintf(name, sizeof(name), "%s_end", tag);
		mrow(name, (double)(memcount_live() - base) / n);
		snprintf(name, sizeof(name), "%s_peak", tag);
		mrow(name, (double)(memcount_peak() - base) / n);
		self = be_self_bytes();
		if (self) {
			snprintf(name, sizeof(name), "%s_self", tag);
			mrow(name, (double)self / n);
		}
		/* The map the inserts grew: what deleting it all gives back. */
		if (!hint && hint != last && !g_mem_no_delete) {
			shuffle(keys, n, SEED_PERM);
			for (size_t i = 0; i < n; i++)
				if (!be_delete(&keys[i]))
					die("delete missed", i);
			be_sync();
			mrow("nohint_after_delete", (double)(memcount_live() - base) / n);
		}
		if (hint != last)
			be_destroy();
	}
	/* What deleting everything gives back (-s: skip, to save time). */
	if (g_mem_no_delete)
		return;		/* the process exits: no need to tear down */
	shuffle(keys, n, SEED_PERM);
	for (size_t i = 0; i < n; i++)
		if (!be_delete(&keys[i]))
			die("delete missed", i);
	be_sync();
	mrow("after_delete", (double)(memcount_live() - base) / n);
	be_destroy();
	free(keys);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Latency mode (-l): fill a map with n keys, timing each batch of
 * LAT_BATCH consecutive inserts with CLOCK_MONOTONIC (wall time: what a
 * caller waits); once growing from empty (no hint), once presized (the
 * control: the same inserts without growth).  Prints the batch-time
 * distribution and the total, as L rows:
 *   L impl wl n rep phase batch p50 p99 p99.9 max total-ns-per-insert
 */
#define LAT_BATCH 16

static void latency_pass(const bkey_t *keys, const bval_t *vals, size_t n,
			 uint64_t *lat, bool hint)
{
	size_t nb = n / LAT_BATCH;
	uint64_t t0, t1, total = 0;

	be_create(hint ? n : 0);
	for (size_t b = 0; b < nb; b++) {
		t0 = clock_ns(CLOCK_MONOTONIC);
		for (size_t i = b * LAT_BATCH; i < (b + 1) * LAT_BATCH; i++)
			be_insert(&keys[i], &vals[i]);
		t1 = clock_ns(CLOCK_MONOTONIC);
		lat[b] = t1 - t0;
		total += t1 - t0;
	}
	be_sync();
	qsort(lat, nb, sizeof(*lat), cmp_u64);
	printf("L\t%s\t%s\t%zu\t%d\t%s\t%d\t%llu\t%llu\t%llu\t%llu\t%.1f\n",
	       g_impl, WL_NAME, g_n, g_rep,
	       hint ? "insert_hint" : "insert_nohint", LAT_BATCH,
	       (unsigned long long)lat[nb / 2],
	       (unsigned long long)lat[nb * 99 / 100],
	       (unsigned long long)lat[nb * 999 / 1000],
	       (unsigned long long)lat[nb - 1],
	       (double)total / (double)(nb * LAT_BATCH));
	fflush(stdout);
	be_destroy();
}

static void run_latency(size_t n)
{
	bkey_t *keys = (bkey_t *)xmalloc(n * sizeof(*keys));
	bval_t *vals = (bval_t *)xmalloc(n * sizeof(*vals));
	uint64_t *lat = (uint64_t *)xmalloc(n / LAT_BATCH * sizeof(*lat));
	uint64_t ks = SEED_KEYS;

	for (size_t i = 0; i < n; i++) {
		key_gen(&ks, &keys[i]);
		val_of(&keys[i], &vals[i]);
	}
	latency_pass(keys, vals, n, lat, false);
	latency_pass(keys, vals, n, lat, true);
	free(lat);
	free(vals);
	free(keys);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-%s-%s -n N [-r REP] [-o MIN_OPS] [-x MAX_OPS] [-N NAME] [-m [-s] | -l | -b]\n",
		BE_NAME, WL_NAME);
	exit(2);
}

int main(int argc, char **argv)
{
	long min_ops = 1000000, max_ops = 1000000;
	bool mem = false, latency = false, batch = false;
	int c;

	while ((c = getopt(argc, argv, "n:r:o:x:N:mslb")) != -1) {
		switch (c) {
		case 'n':
			g_n = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			g_rep = atoi(optarg);
			break;
		case 'o':
			min_ops = atol(optarg);
			break;
		case 'x':
			max_ops = atol(optarg);
			break;
		case 'N':
			g_impl = optarg;
			break;
		case 'm':
			mem = true;
			break;
		case 's':
			g_mem_no_delete = true;
			break;
		case 'l':
			latency = true;
			break;
		case 'b':
			batch = true;
			break;
		default:
			usage();
		}
	}
	if (!g_n)
		usage();
	be_init();
	timer_calibrate();
	if (batch && g_run_batch)
		g_run_batch(g_n);
	else if (batch)
		usage();
	else if (latency && g_n >= LAT_BATCH)
		run_latency(g_n);
	else if (latency)
		usage();
	else if (mem)
		run_mem(g_n);
	else
		run_timed(g_n, min_ops, max_ops < 1 ? 1 : max_ops);
	return 0;
}

#endif /* _BENCH_DRIVER_H */
