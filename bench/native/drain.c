// SPDX-License-Identifier: GPL-2.0
/*
 * What giving memory back costs: grow a map without a hint to n u64 keys,
 * then delete them all in a shuffled order; CPU time per operation of each
 * phase (median of 7), and the map's bytes (hmap_core_stats()) at its peak
 * and at the end. The bench's delete_all phase drains the presized map,
 * which never shrinks below its hint; this is the map that does.
 *
 *   make -C bench/native drain && bench/native/build/bench-drain N
 *
 * Built from this tree's kmod/hmap_core.c; built in a checkout of an older
 * commit, the same file measures that core.
 */
#include "hmap_internal.h"
#include "hmap_core.h"
#include "core_prog.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define REPS	7

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000, i, r, k;
	size_t iters = n < 1000000 ? 1000000 / n : 1;
	double ins[REPS], del[REPS];
	struct hmap_core_stats peak, end;
	u64 *keys = malloc(n * sizeof(*keys)), s = 42;

	if (!keys || !n)
		return 2;
	for (i = 0; i < n; i++)
		keys[i] = splitmix(&s);
	for (r = 0; r < REPS; r++) {
		double ti = 0, td = 0, t;

		for (k = 0; k < iters; k++) {
			struct hmap_core_params p = { .key_size = 8, .value_size = 8 };
			struct hmap_core h;

			if (hmap_core_init(&h, &p, GFP_KERNEL))
				return 1;
			t = cpu_ns();
			for (i = 0; i < n; i++)
				hmap_core_update(&h, &keys[i], &keys[i], HMAP_UPDATE_ANY, GFP_KERNEL);
			ti += cpu_ns() - t;
			hmap_core_stats(&h, &peak);
			for (i = n - 1; i > 0; i--) {
				size_t j = splitmix(&s) % (i + 1);
				u64 x = keys[i];

				keys[i] = keys[j];
				keys[j] = x;
			}
			t = cpu_ns();
			for (i = 0; i < n; i++)
				hmap_core_delete(&h, &keys[i], NULL, GFP_KERNEL);
			td += cpu_ns() - t;
			hmap_core_stats(&h, &end);
			hmap_core_destroy(&h);
		}
		ins[r] = ti / iters / n;
		del[r] = td / iters / n;
	}
	qsort(ins, REPS, sizeof(double), cmp);
	qsort(del, REPS, sizeof(double), cmp);
	printf("n=%zu insert (no hint) %.1f ns/op, delete all %.1f ns/op; bytes %llu at the peak, %llu at the end\n",
	       n, ins[REPS / 2], del[REPS / 2], (unsigned long long)peak.bytes,
	       (unsigned long long)end.bytes);
	return 0;
}
