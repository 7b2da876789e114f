/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Batch mode (-b) of the native arena, for contestants with batch calls
 * (included by the backend after driver.h and its be_*_batch() functions):
 *
 *   static void be_insert_batch(const bkey_t *k, const bval_t *v, size_t n);
 *   static size_t be_lookup_batch(const bkey_t *k, size_t n, uint64_t *v0s);
 *   static size_t be_delete_batch(const bkey_t *k, size_t n);
 *
 * For each phase (insert into a map presized for n, look up every key in a
 * shuffled order, delete every key), the same keys go once through the
 * single calls and once through the batch calls, BATCH_KEYS per call, as
 * the kernel arena's batch rows do. Rows (CPU ns per key):
 *   B impl wl n rep phase single batch
 */
#ifndef _BENCH_DRIVER_BATCH_H
#define _BENCH_DRIVER_BATCH_H

#define BATCH_KEYS 256

static void run_batch(size_t n)
{
	static const char *const names[] = { "insert_hint", "lookup_hit",
					     "delete_all" };
	bkey_t *keys = (bkey_t *)xmalloc(n * sizeof(*keys));
	bval_t *vals = (bval_t *)xmalloc(n * sizeof(*vals));
	uint64_t *v0s = (uint64_t *)xmalloc(n * sizeof(*v0s));
	uint64_t ks = SEED_KEYS, ns[2][3], v0;
	struct timer t;
	size_t i, j, c;
	int mode, ph;

	for (i = 0; i < n; i++)
		key_gen(&ks, &keys[i]);
	for (mode = 0; mode < 2; mode++) {
		for (i = 0; i < n; i++)
			val_of(&keys[i], &vals[i]);
		be_create(n);
		memset(&t, 0, sizeof(t));
		timer_start(&t);
		for (i = 0; i < n; i += c) {
			c = n - i < BATCH_KEYS ? n - i : BATCH_KEYS;
			if (mode)
				be_insert_batch(&keys[i], &vals[i], c);
			else
				for (j = i; j < i + c; j++)
					be_insert(&keys[j], &vals[j]);
		}
		timer_stop(&t);
		ns[mode][0] = t.cpu;
		shuffle(keys, n, SEED_PERM + mode);
		memset(&t, 0, sizeof(t));
		timer_start(&t);
		for (i = 0; i < n; i += c) {
			c = n - i < BATCH_KEYS ? n - i : BATCH_KEYS;
			if (mode) {
				if (be_lookup_batch(&keys[i], c, &v0s[i]) != c)
					die("batch lookup missed", i);
			} else {
				for (j = i; j < i + c; j++) {
					if (!be_lookup(&keys[j], &v0))
						die("lookup missed", j);
					v0s[j] = v0;
				}
			}
		}
		timer_stop(&t);
		ns[mode][1] = t.cpu;
		for (i = 0; i < n; i++)
			if (v0s[i] != (keys[i].w[0] ^ 0x5555555555555555ULL))
				die("wrong value", i);
		memset(&t, 0, sizeof(t));
		timer_start(&t);
		for (i = 0; i < n; i += c) {
			c = n - i < BATCH_KEYS ? n - i : BATCH_KEYS;
			if (mode) {
				if (be_delete_batch(&keys[i], c) != c)
					die("batch delete missed", i);
			} else {
				for (j = i; j < i + c; j++)
					if (!be_delete(&keys[j]))
						die("delete missed", j);
			}
		}
		be_sync();
		timer_stop(&t);
		ns[mode][2] = t.cpu;
		be_destroy();
	}
	for (ph = 0; ph < 3; ph++)
		printf("B\t%s\t%s\t%zu\t%d\t%s\t%.3f\t%.3f\n", g_impl, WL_NAME, g_n,
		       g_rep, names[ph], (double)ns[0][ph] / (double)n,
		       (double)ns[1][ph] / (double)n);
	fflush(stdout);
	free(v0s);
	free(vals);
	free(keys);
}

__attribute__((constructor)) static void batch_register(void)
{
	g_run_batch = run_batch;
}

#endif /* _BENCH_DRIVER_BATCH_H */
