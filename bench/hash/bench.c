// SPDX-License-Identifier: GPL-2.0
/*
 * hashbench: ns/hash of the kernel's keyed hashes and mixhash.h, and a
 * bucket/tophash quality check for hmap's use.  Prints markdown on stdout
 * (the Makefile tees it into RESULTS.md), progress on stderr.
 *
 *   hashbench [-r reps] [-t target_ms] [-q quality_keys]
 */
#define _GNU_SOURCE
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hashbench.h"

#ifndef HB_KSRC
#define HB_KSRC "?"
#endif
#ifndef HB_KSRC_VERSION
#define HB_KSRC_VERSION "?"
#endif
#ifndef HB_KCFLAGS
#define HB_KCFLAGS "?"
#endif

#define NKEYS 4096u		/* per key size; 256 KiB for 64-byte keys */
#define NSIZES 4
static const uint32_t sizes[NSIZES] = { 4, 8, 16, 64 };

static uint64_t sm_state;

static uint64_t splitmix64(void)
{
	uint64_t z = (sm_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		perror("calloc");
		exit(1);
	}
	return p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * NKEYS distinct random keys of each size, back to back, from a fixed-seed
 * splitmix64 stream.  The first 8 bytes (4 for 4-byte keys) are made
 * distinct, so whole keys are distinct.  64 bytes of slack at the end.
 */
static unsigned char *make_keys(uint32_t size)
{
	unsigned char *keys = aligned_alloc(64, (size_t)NKEYS * size + 64);
	uint64_t *firsts = xcalloc(NKEYS, sizeof(*firsts));
	uint32_t n = 0;

	if (!keys) {
		perror("aligned_alloc");
		exit(1);
	}
	memset(keys, 0, (size_t)NKEYS * size + 64);
	while (n < NKEYS) {
		unsigned char *k = keys + (size_t)n * size;
		uint64_t first;
		uint32_t i;

		for (i = 0; i < size; i += 8) {
			uint64_t r = splitmix64();

			memcpy(k + i, &r, size - i < 8 ? size - i : 8);
		}
		first = 0;
		memcpy(&first, k, size < 8 ? size : 8);
		for (i = 0; i < n && firsts[i] != first; i++)
			;
		if (i == n)
			firsts[n++] = first;
	}
	free(firsts);
	return keys;
}

struct sample {
	uint64_t passes;
	double *ns;		/* per repetition, ns/hash */
	double med, min, max;
};

static volatile uint64_t sink;

static double run_once(hb_loop_fn fn, const unsigned char *keys, uint64_t passes)
{
	double t0 = now_ns();

	sink += fn(keys, NKEYS, passes);
	return (now_ns() - t0) / ((double)passes * NKEYS);
}

static void fmt_ns(char *buf, size_t len, double v)
{
	snprintf(buf, len, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
}

struct caseset {
	const struct hb_case *cases;
	int n;
	struct sample *s;	/* 2 per case: throughput, latency */
};

static int find_case(const struct caseset *cs, int row, uint32_t size)
{
	for (int c = 0; c < cs->n; c++)
		if (cs->cases[c].row == row && (!size || cs->cases[c].size == size))
			return c;
	return -1;
}

static void print_speed_table(const char *title, const struct caseset *cs, int mode)
{
	printf("%s\n\n", title);
	printf("| function | 4 B | 8 B | 16 B | 64 B |\n");
	printf("|---|---|---|---|---|\n");
	for (int row = 0; row < hb_nrows; row++) {
		if (find_case(cs, row, 0) < 0)
			continue;
		printf("| `%s` |", hb_rows[row].name);
		for (int si = 0; si < NSIZES; si++) {
			int c = find_case(cs, row, sizes[si]);

			if (c < 0) {
				printf(" — |");
				continue;
			}
			struct sample *x = &cs->s[c * 2 + mode];
			char a[16], b[16], d[16];

			fmt_ns(a, sizeof(a), x->med);
			fmt_ns(b, sizeof(b), x->min);
			fmt_ns(d, sizeof(d), x->max);
			if (strstr(hb_rows[row].name, " / "))
				printf(" %s [%s–%s] `%s` |", a, b, d, cs->cases[c].fn);
			else
				printf(" %s [%s–%s] |", a, b, d);
		}
		printf("\n");
	}
	printf("\n");
}

static const unsigned char *keys_for(unsigned char *const keys[NSIZES], uint32_t size)
{
	for (int si = 0; si < NSIZES; si++)
		if (sizes[si] == size)
			return keys[si];
	abort();
}

static void benchmark(int reps, double target_ms)
{
	unsigned char *keys[NSIZES];
	struct caseset sets[2] = {
		{ hb_cases, hb_ncases, NULL },
		{ hb_rt_cases, hb_rt_ncases, NULL },
	};
	int total = 0;

	for (int si = 0; si < NSIZES; si++)
		keys[si] = make_keys(sizes[si]);

	/* Calibrate: passes over the keys so that one sample takes target_ms. */
	for (int k = 0; k < 2; k++) {
		struct caseset *cs = &sets[k];

		cs->s = xcalloc(cs->n * 2, sizeof(*cs->s));
		total += cs->n * 2;
		for (int i = 0; i < cs->n * 2; i++) {
			const struct hb_case *c = &cs->cases[i / 2];
			hb_loop_fn fn = i & 1 ? c->lat : c->tp;
			const unsigned char *kp = keys_for(keys, c->size);
			uint64_t passes = 1;
			double per;

			run_once(fn, kp, 1);	/* warm up */
			for (;;) {
				per = run_once(fn, kp, passes) * NKEYS;	/* ns per pass */
				if (per * passes >= 2e6 || passes >= (1u << 20))
					break;
				passes *= 2;
			}
			cs->s[i].passes = (uint64_t)ceil(target_ms * 1e6 / per);
			if (cs->s[i].passes < 1)
				cs->s[i].passes = 1;
			cs->s[i].ns = xcalloc(reps, sizeof(double));
		}
	}

	/* Repetitions interleave all cells, alternating direction, so that slow
	 * drifts of the (virtual) machine spread over every candidate. */
	for (int r = 0; r < reps; r++) {
		fprintf(stderr, "hashbench: repetition %d/%d\n", r + 1, reps);
		for (int j = 0; j < total; j++) {
			int i = r & 1 ? total - 1 - j : j;
			struct caseset *cs = &sets[i >= sets[0].n * 2];
			const struct hb_case *c;

			if (cs == &sets[1])
				i -= sets[0].n * 2;
			c = &cs->cases[i / 2];
			cs->s[i].ns[r] = run_once(i & 1 ? c->lat : c->tp,
						  keys_for(keys, c->size), cs->s[i].passes);
		}
	}
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < sets[k].n * 2; i++) {
			struct sample *x = &sets[k].s[i];

			qsort(x->ns, reps, sizeof(double), cmp_double);
			x->min = x->ns[0];
			x->max = x->ns[reps - 1];
			x->med = reps & 1 ? x->ns[reps / 2] :
				(x->ns[reps / 2 - 1] + x->ns[reps / 2]) / 2;
		}
	}

	printf("## Speed\n\n");
	printf("ns/hash, median of %d repetitions [min–max]; %u distinct keys per size, "
	       "each repetition about %.0f ms per cell.  In the fixed-width rows the helper used "
	       "at that size is named; — : no such helper.\n\n",
	       reps, NKEYS, target_ms);
	print_speed_table("### Throughput (independent hashes, as when filling a map)", &sets[0], 0);
	print_speed_table("### Latency (each key xored with the previous hash, as in a chain of dependent lookups)",
			  &sets[0], 1);
	printf("Rows:\n\n");
	for (int row = 0; row < hb_nrows; row++)
		printf("- `%s`: %s\n", hb_rows[row].name, hb_rows[row].note);
	printf("\n");

	printf("### Out-of-line calls with a return thunk\n\n");
	printf("In the kernel, siphash/hsiphash/xxh64 are calls into vmlinux, and a kernel "
	       "built with return-thunk mitigations turns every `ret` into a jump to "
	       "`__x86_return_thunk`.  On AMD Zen 3/4 the default SRSO mitigation (\"Safe "
	       "RET\", which this VM's own kernel reports) makes that thunk call a stub that "
	       "discards its return address, so every function return mispredicts.  Here "
	       "`lib/siphash.c` and `lib/xxhash.c` are compiled a second time with "
	       "`-mfunction-return=thunk-extern` and linked to a thunk of that shape "
	       "(`srso_thunk.S`); the inline candidates (jhash, mixhash) are unaffected.  "
	       "Intel CPUs with eIBRS, Zen 5, or `mitigations=off` pay no such cost; "
	       "retbleed's untrain-ret on Zen 1/2 costs more.\n\n");
	print_speed_table("Throughput, ns/hash with the SRSO-style return thunk", &sets[1], 0);
	print_speed_table("Latency, ns/hash with the SRSO-style return thunk", &sets[1], 1);
}

/* ---- quality ---------------------------------------------------------- */

#define QB_BITS 16
#define QB (1u << QB_BITS)

struct keyset {
	const char *name;
	uint32_t size;
	void (*gen)(unsigned char *k, uint32_t i);
};

static void gen_seq32(unsigned char *k, uint32_t i) { memcpy(k, &i, 4); }
static void gen_seq64(unsigned char *k, uint32_t i) { uint64_t v = i; memcpy(k, &v, 8); }
static void gen_high64(unsigned char *k, uint32_t i) { uint64_t v = (uint64_t)i << 32; memcpy(k, &v, 8); }
static void gen_rand(unsigned char *k, uint32_t size)
{
	for (uint32_t j = 0; j < size; j += 8) {
		uint64_t r = splitmix64();

		memcpy(k + j, &r, 8);
	}
}
static void gen_rand8(unsigned char *k, uint32_t i) { (void)i; gen_rand(k, 8); }
static void gen_rand16(unsigned char *k, uint32_t i) { (void)i; gen_rand(k, 16); }

static const struct keyset keysets[] = {
	{ "sequential u32 0..n-1", 4, gen_seq32 },
	{ "sequential u64 0..n-1", 8, gen_seq64 },
	{ "u64 i<<32 (low half zero)", 8, gen_high64 },
	{ "random 8 B", 8, gen_rand8 },
	{ "random 16 B", 16, gen_rand16 },
};

struct qstat {
	double chi_b, z_b;	/* low 16 bits, 65536 bins */
	uint32_t max_b;
	double chi_t, z_t;	/* tophash, 256 bins */
	uint32_t tmin, tmax;
	uint64_t dups;		/* keys whose full hash equals an earlier key's */
};

static void qualify(const uint64_t *h, uint32_t n, int bits, struct qstat *q,
		    uint32_t *bins, uint64_t *tmp)
{
	uint32_t tbins[256] = { 0 };
	double e = (double)n / QB, et = n / 256.0;

	memset(bins, 0, QB * sizeof(*bins));
	for (uint32_t i = 0; i < n; i++) {
		bins[h[i] & (QB - 1)]++;
		tbins[bits == 64 ? h[i] >> 56 : (h[i] >> 24) & 0xff]++;
	}
	q->chi_b = 0;
	q->max_b = 0;
	for (uint32_t b = 0; b < QB; b++) {
		q->chi_b += (bins[b] - e) * (bins[b] - e) / e;
		if (bins[b] > q->max_b)
			q->max_b = bins[b];
	}
	q->z_b = (q->chi_b - (QB - 1)) / sqrt(2.0 * (QB - 1));
	q->chi_t = 0;
	q->tmin = UINT32_MAX;
	q->tmax = 0;
	for (int b = 0; b < 256; b++) {
		q->chi_t += (tbins[b] - et) * (tbins[b] - et) / et;
		if (tbins[b] < q->tmin)
			q->tmin = tbins[b];
		if (tbins[b] > q->tmax)
			q->tmax = tbins[b];
	}
	q->z_t = (q->chi_t - 255) / sqrt(2.0 * 255);
	memcpy(tmp, h, (size_t)n * sizeof(*h));
	qsort(tmp, n, sizeof(*tmp), cmp_u64);
	q->dups = 0;
	for (uint32_t i = 1; i < n; i++)
		q->dups += tmp[i] == tmp[i - 1];
}

static void print_qrow(const char *set, const char *name, int bits, const struct qstat *q)
{
	printf("| %s | `%s` | %d | %.3f (%+.1f) | %u | %.3f (%+.1f) | %u–%u | %llu |\n",
	       set, name, bits, q->chi_b / (QB - 1), q->z_b, q->max_b,
	       q->chi_t / 255, q->z_t, q->tmin, q->tmax, (unsigned long long)q->dups);
}

/* Smallest m with QB * P(X >= m) < 0.5 for X ~ Poisson(lambda). */
static int poisson_max(double lambda)
{
	double p = exp(-lambda), cdf = 0;

	for (int k = 0; k < 1000; k++) {
		cdf += p;
		if (QB * (1 - cdf) < 0.5)
			return k + 1;
		p *= lambda / (k + 1);
	}
	return -1;
}

static void quality(uint32_t n)
{
	const int nsets = sizeof(keysets) / sizeof(keysets[0]);
	unsigned char *keys = xcalloc((size_t)n * 16 + 64, 1);
	uint64_t *h = xcalloc(n, sizeof(*h)), *tmp = xcalloc(n, sizeof(*tmp));
	uint32_t *bins = xcalloc(QB, sizeof(*bins));
	struct qstat q;

	printf("## Quality for hmap\n\n");
	printf("%u keys per set.  Bucket index = low 16 bits (65536 buckets, mean %.2f keys): "
	       "χ²/df with z = (χ² − df)/√(2·df) in parentheses (|z| ≲ 3 is what a random "
	       "function gives; large negative z means *too* even, i.e. the low bits are the key "
	       "itself) and the fullest bucket (random: about %d).  Tophash = top 8 bits of the "
	       "64-bit hash; for the 32-bit hashes bits 31..24, the top of what exists (256 bins, "
	       "mean %.0f): χ²/df (z) and the emptiest–fullest bin.  Dup = keys whose full hash "
	       "equals an earlier key's (random 32-bit: about n²/2³³ = %.0f; 64-bit: 0).\n\n",
	       n, (double)n / QB, poisson_max((double)n / QB), n / 256.0,
	       (double)n * n / 8589934592.0);
	printf("| keys | hash | bits | bucket χ²/df (z) | max bucket | tophash χ²/df (z) | tophash bins | dup |\n");
	printf("|---|---|---|---|---|---|---|---|\n");

	/* Reference: a random function, i.e. fresh splitmix64 outputs. */
	sm_state = 0x1234567;
	for (uint32_t i = 0; i < n; i++)
		h[i] = splitmix64();
	qualify(h, n, 64, &q, bins, tmp);
	print_qrow("(any)", "ideal: random 64-bit values", 64, &q);

	for (int ks = 0; ks < nsets; ks++) {
		const struct keyset *set = &keysets[ks];

		sm_state = 0xfeedface + ks;
		for (uint32_t i = 0; i < n; i++)
			set->gen(keys + (size_t)i * set->size, i);
		for (int f = 0; f < HB_NFAMILIES; f++) {
			int bits = hb_family_bits(f);

			for (uint32_t i = 0; i < n; i++)
				h[i] = hb_hash(f, keys + (size_t)i * set->size, set->size);
			qualify(h, n, bits, &q, bins, tmp);
			print_qrow(set->name, hb_family_name(f), f == HB_IDENTITY ? 0 : bits, &q);
		}
	}
	printf("\nbits = output width (0: not a hash).  The 32-bit hashes (hsiphash, jhash) give "
	       "hmap only 32 bits: with tophash taken from bits 31..24, the bucket index and the "
	       "tophash share bits once B > 24 (more than 2^24 buckets, ~10^8 entries), so "
	       "tophash stops filtering within a bucket; zero-extending them to 64 bits and "
	       "taking h >> 56 would make every tophash 0.  Full-hash collisions are also "
	       "common (dup column), which hmap tolerates (keys are compared) but evacuation "
	       "cannot split.\n\n");
	free(keys);
	free(h);
	free(tmp);
	free(bins);
}

/* "model name (family F, model M, stepping S)" of the first CPU. */
static void cpu_model(char *buf, size_t len)
{
	static const char *const keys[] = { "model name", "cpu family", "model", "stepping" };
	char val[4][128] = { "unknown", "?", "?", "?" };
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (line[0] == '\n')
			break;		/* end of the first CPU */
		if (!p)
			continue;
		for (int i = 0; i < 4; i++) {
			size_t kl = strlen(keys[i]);

			if (!strncmp(line, keys[i], kl) &&
			    strspn(line + kl, " \t") == (size_t)(p - line) - kl) {
				p += 1 + (p[1] == ' ');
				p[strcspn(p, "\n")] = 0;
				snprintf(val[i], sizeof(val[i]), "%s", p);
			}
		}
	}
	if (f)
		fclose(f);
	snprintf(buf, len, "%s (family %s, model %s, stepping %s)", val[0], val[1], val[2], val[3]);
}

int main(int argc, char **argv)
{
	int reps = 11, opt;
	double target_ms = 10;
	uint32_t qn = 1000000;
	char cpu[640], date[64], affinity[64] = "";
	time_t t = time(NULL);
	cpu_set_t set;

	while ((opt = getopt(argc, argv, "r:t:q:")) != -1) {
		switch (opt) {
		case 'r': reps = atoi(optarg); break;
		case 't': target_ms = atof(optarg); break;
		case 'q': qn = (uint32_t)atol(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-r reps] [-t target_ms] [-q quality_keys]\n", argv[0]);
			return 2;
		}
	}
	if (reps < 1)
		reps = 1;

	if (hb_selftest()) {
		fprintf(stderr, "hashbench: self-test failed, not benchmarking\n");
		return 1;
	}
	fprintf(stderr, "hashbench: self-test passed\n");

	cpu_model(cpu, sizeof(cpu));
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&t));
	if (!sched_getaffinity(0, sizeof(set), &set)) {
		size_t o = 0;

		for (int c = 0; c < CPU_SETSIZE && o < sizeof(affinity) - 8; c++)
			if (CPU_ISSET(c, &set))
				o += snprintf(affinity + o, sizeof(affinity) - o, "%s%d", o ? "," : "", c);
	}

	printf("# hashbench results\n\n");
	printf("Which keyed hash should hmap use by default?  This compares, natively and in "
	       "userspace, the hashes the kernel offers for hash tables and a multiply-mix hash "
	       "written for hmap (`mixhash.h`, wyhash-style after Go's `runtime/hash64.go`).  "
	       "The kernel's own `lib/siphash.c` and `lib/xxhash.c` are compiled unmodified from "
	       "the installed source tree through a small shim (`tests/shim/kshim.h`) configured as x86_64 "
	       "(64-bit, `CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS`, `CONFIG_DCACHE_WORD_ACCESS`), "
	       "in their own translation units so that, as for a module calling exported "
	       "symbols, they are real calls; `jhash.h` and `mixhash.h` are inlined.  Hash code and "
	       "timed loops use kernel-like flags (`%s`).  Each cell hashes %u distinct random "
	       "keys (fixed-seed splitmix64) back to back, repeatedly, for ~%.0f ms; repetitions "
	       "interleave all cells, and the table gives the median and the range over "
	       "%d repetitions.  *Throughput* sums independent hashes; *latency* xors the previous "
	       "hash into the next key's first word (stored to a buffer the hash then reads, so a "
	       "store-to-load forwarding is included), so each hash waits for the one before, as "
	       "in a chain of dependent lookups.  The key size reaches the generic functions as "
	       "a runtime value (hmap's per-map key size), so nothing is specialised for a "
	       "constant length.  Before measuring, a self-test checks `siphash`/`hsiphash` "
	       "against a reference SipHash-2-4/-1-3 and the paper's vector, `xxh64` against its "
	       "known empty-input value, every fixed-width helper against its generic function, "
	       "and mixhash's claimed properties.  The quality section hashes 1e6 sequential "
	       "and random keys with each generic function and looks at the bits hmap uses: the "
	       "low bits (bucket index) and the top byte (tophash).  Numbers come from a noisy "
	       "2-core VM: differences under ~10%% are not meaningful.  In the kernel, calls to "
	       "out-of-line functions also pay the return-thunk mitigation of the running CPU; "
	       "the last speed tables emulate the one this VM's kernel uses.  Regenerate with `make -C bench/hash run`.\n\n",
	       HB_KCFLAGS, NKEYS, target_ms, reps);
	printf("- CPU: %s (%ld online CPUs; CPU affinity %s)\n", cpu,
	       sysconf(_SC_NPROCESSORS_ONLN), affinity[0] ? affinity : "?");
	printf("- Date: %s\n", date);
	printf("- Kernel source: %s (linux-source-6.12 %s)\n", HB_KSRC, HB_KSRC_VERSION);
	printf("- Compiler: gcc %s\n\n", __VERSION__);

	sm_state = 0x6a09e667f3bcc908ULL;	/* fixed seeds: reproducible */
	{
		uint64_t s0 = splitmix64(), s1 = splitmix64();

		hb_set_seeds(s0, s1);
	}
	benchmark(reps, target_ms);
	fflush(stdout);
	fprintf(stderr, "hashbench: quality check\n");
	quality(qn);
	return 0;
}
