// SPDX-License-Identifier: GPL-2.0
/*
 * What a hash flood costs: n keys crafted against the map's own fast hash
 * (this program reads the seed of each map it creates, as an attacker who
 * recovered it would have to), all with the same low 12 bits of hash, so
 * that every doubling up to B = 12 leaves them in one chain, against n
 * random keys. Each is inserted into a new map without a hint, then looked
 * up; CPU time per operation, median of 7, and what the map ended as. The
 * map is expected to detect the flood, rehash itself with hsiphash and stay
 * within 2x of the random-key map.
 *
 *   make -C bench/native flood && bench/native/build/bench-flood N
 */
#include "hmap_internal.h"
#include "hmap_core.h"
#include "core_prog.h"
#include "hmap_mixhash.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define REPS		7
#define FLOOD_MASK	0xfffULL

struct result {
	double ins[REPS], look[REPS];
	struct hmap_core_stats st;
	unsigned int longest;
};

static void run(size_t n, int flood, struct result *res, u64 *keys, u64 *s)
{
	struct hmap_core_params p = { .key_size = 8, .value_size = 8 };
	struct hmap_core h;
	double t;
	size_t i, r;
	u64 k, hits;

	for (r = 0; r < REPS; r++) {
		if (hmap_core_init(&h, &p, GFP_KERNEL))
			exit(2);
		/* Crafted against this map's seed, as the attacker would. */
		for (i = 0; i < n; i++) {
			do
				k = splitmix(s);
			while (flood && (mixhash_u64(k, h.hkey.key[0]) & FLOOD_MASK));
			keys[i] = k;
		}
		t = cpu_ns();
		for (i = 0; i < n; i++)
			if (hmap_core_update(&h, &keys[i], &keys[i], 0, GFP_KERNEL))
				exit(3);
		res->ins[r] = (cpu_ns() - t) / n;
		t = cpu_ns();
		for (i = 0, hits = 0; i < n; i++)
			hits += !!hmap_core_lookup(&h, &keys[i]);
		res->look[r] = (cpu_ns() - t) / n;
		if (hits != n)
			exit(4);
		hmap_core_stats(&h, &res->st);
		hmap_core_destroy(&h);
	}
	for (res->longest = HMAP_CHAIN_HIST_LEN; res->longest > 1; res->longest--)
		if (res->st.chain_hist[res->longest - 1])
			break;
	qsort(res->ins, REPS, sizeof(double), cmp);
	qsort(res->look, REPS, sizeof(double), cmp);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	u64 *keys = malloc(n * sizeof(*keys)), s = 42;
	static const char * const kind[] = { "mixhash", "hsiphash", "custom" };
	struct result res[2];
	int f;

	if (!keys || !n)
		return 2;
	for (f = 0; f < 2; f++)
		run(n, f, &res[f], keys, &s);
	printf("| %zu u64 keys | insert ns/op | lookup ns/op | hash at the end | longest chain (buckets) |\n",
	       n);
	printf("|---|---|---|---|---|\n");
	for (f = 0; f < 2; f++)
		printf("| %s | %.1f | %.1f | %s | %u%s |\n",
		       f ? "crafted: low 12 hash bits equal" : "random",
		       res[f].ins[REPS / 2], res[f].look[REPS / 2],
		       kind[res[f].st.hash_kind], res[f].longest,
		       res[f].longest == HMAP_CHAIN_HIST_LEN ? "+" : "");
	printf("| crafted / random | %.2f | %.2f | | |\n",
	       res[1].ins[REPS / 2] / res[0].ins[REPS / 2],
	       res[1].look[REPS / 2] / res[0].look[REPS / 2]);
	free(keys);
	return 0;
}
