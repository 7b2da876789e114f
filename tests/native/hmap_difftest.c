// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized differential test of the hmap core against a trivially
 * correct reference: keys come from a bounded universe [0, U), so the
 * reference is a present[] bitmap and a value[] array.
 *
 * Each seed runs a sawtooth of insert-heavy and delete-heavy phases (so
 * the map grows, grows same-size and empties), with NOEXIST/EXIST updates,
 * lookups, lookup-and-delete, rare clears, full iterations that write
 * while they walk, and random allocation failures. The validator runs
 * whenever B or the growth state changes and every 4096 operations.
 *
 * Usage: hmap_difftest [ops-per-seed] [seeds]; prints one TAP line per
 * (seed, geometry).
 */
#include <inttypes.h>
#include "../shim/hmap_internal.h"
#include "hmap_core.h"

long shim_nr_allocated;
long shim_fail_nth;
unsigned long shim_alloc_calls;
u64 shim_rng_state;
void *shim_stub_real, *shim_stub_repl;

#define U	(1u << 15)

struct geometry {
	const char *name;
	u32 key_size;
	u32 value_size;
	hmap_hash_fn hashfn;
};

static u64 hash_weak(const void *key, u32 len, u64 seed)
{
	u64 k;

	(void)seed;
	memcpy(&k, key, 8);
	/* Only 256 distinct hashes: long chains and same-size growth. */
	return (k & 0xff) * 0x0101010101010101ULL;
}

static const struct geometry geometries[] = {
	{ "u64->u64", 8, 8, NULL },
	{ "u32->u64", 4, 8, NULL },
	{ "16B->64B", 16, 64, NULL },
	{ "200B->8B indirect key", 200, 8, NULL },
	{ "8B->300B indirect value", 8, 300, NULL },
	{ "u64->set weak hash", 8, 0, hash_weak },
};

static u64 rng;
static u64 next_rand(void)
{
	u64 z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct ref {
	u8 present[U];
	u64 value[U];
	unsigned long count;
};

static struct ref ref;
static u8 keybuf[512], valbuf[512], outbuf[512];
static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "    # FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		failures++;						\
		return -1;						\
	}								\
} while (0)

static void make_key(const struct geometry *g, u32 idx)
{
	u32 i;

	memset(keybuf, 0, g->key_size);
	memcpy(keybuf, &idx, min(g->key_size, 4u));
	for (i = 4; i < g->key_size; i++)
		keybuf[i] = (u8)(idx * 31 + i);
}

static u32 key_index(const struct geometry *g, const u8 *key)
{
	u32 idx = 0;

	memcpy(&idx, key, min(g->key_size, 4u));
	return idx;
}

static void make_value(const struct geometry *g, u64 v)
{
	u32 i;

	for (i = 0; i < g->value_size; i++)
		valbuf[i] = (u8)(v >> ((i % 8) * 8)) ^ (u8)i;
}

static int value_matches(const struct geometry *g, const u8 *p, u64 v)
{
	make_value(g, v);
	return !memcmp(p, valbuf, g->value_size);
}

static int validate(struct hmap_core *h, const char *when)
{
	const char *why;

	CHECK(!hmap_core_validate(h, &why), "validate (%s): %s", when, why);
	CHECK(h->count == ref.count, "count %lu, reference %lu", h->count,
	      ref.count);
	return 0;
}

/* Full iteration with writes in between; checks exactly-once. */
static int iterate(const struct geometry *g, struct hmap_core *h)
{
	static u8 seen[U], stable[U];
	struct hmap_core_iter it;
	const void *k;
	void *v;
	u32 idx, i;

	memset(seen, 0, sizeof(seen));
	memcpy(stable, ref.present, sizeof(stable));
	hmap_core_iter_start(h, &it);
	while (hmap_core_iter_next(&it, &k, &v)) {
		idx = key_index(g, k);
		CHECK(idx < U && ++seen[idx] == 1, "key %u returned twice", idx);
		CHECK(ref.present[idx], "iterator returned absent key %u", idx);
		CHECK(value_matches(g, v, ref.value[idx]), "iter value of %u", idx);
		/* Write while iterating: inserts (may grow) and deletes. */
		if (next_rand() % 4 == 0) {
			idx = next_rand() % U;
			make_key(g, idx);
			if (next_rand() % 2) {
				make_value(g, idx);
				if (!hmap_core_update(h, keybuf, valbuf, HMAP_UPDATE_ANY, GFP_KERNEL)) {
					ref.count += !ref.present[idx];
					ref.present[idx] = 1;
					ref.value[idx] = idx;
				}
			} else if (!hmap_core_delete(h, keybuf, NULL, GFP_KERNEL)) {
				ref.present[idx] = 0;
				stable[idx] = 0;
				/* A re-insert is a new entry and may come again. */
				seen[idx] = 0;
				ref.count--;
			}
		}
	}
	hmap_core_iter_end(&it);
	for (i = 0; i < U; i++)
		CHECK(!stable[i] || !ref.present[i] || seen[i] == 1,
		      "key %u present throughout but returned %u times", i, seen[i]);
	return 0;
}

/* Growths and shrinks started over all runs: both must be exercised. */
static u64 resizes[2];

static int run(const struct geometry *g, u64 seed, unsigned long ops)
{
	struct hmap_core_params p = {
		.key_size = g->key_size, .value_size = g->value_size,
		.hashfn = g->hashfn,
	};
	struct hmap_core h;
	unsigned long op, phase_len = ops / 16 + 1;
	u8 lastB = 0;
	bool last_growing = false;
	u32 idx, target;
	int err, r;
	void *got;

	rng = seed;
	shim_rng_state = seed ^ 0x5555;
	memset(&ref, 0, sizeof(ref));
	p.hint = next_rand() % 3 == 0 ? next_rand() % 5000 : 0;
	if (hmap_core_init(&h, &p, GFP_KERNEL))
		return -1;

	for (op = 0; op < ops; op++) {
		/* Sawtooth: target fill alternates between high and low. */
		target = (op / phase_len) % 2 ? U / 256 : U * 3 / 4;
		if (g->hashfn)
			target /= 8;
		idx = next_rand() % U;
		make_key(g, idx);
		make_value(g, op);
		/* One allocation in 200 fails somewhere in the next op. */
		shim_fail_nth = next_rand() % 200 == 0 ? 1 + next_rand() % 4 : 0;
		r = next_rand() % 100;
		if (r < 45 && ref.count < target) {
			u64 flags = r % 3;

			err = hmap_core_update(&h, keybuf, valbuf, flags, GFP_KERNEL);
			if (err == -ENOMEM) {
				/* Only a brand-new key may need memory. */
				CHECK(!ref.present[idx] && flags != HMAP_UPDATE_EXIST,
				      "update of a present key ran out of memory");
			} else if (flags == HMAP_UPDATE_NOEXIST && ref.present[idx]) {
				CHECK(err == -EEXIST, "NOEXIST on present key: %d", err);
			} else if (flags == HMAP_UPDATE_EXIST && !ref.present[idx]) {
				CHECK(err == -ENOENT, "EXIST on absent key: %d", err);
			} else {
				CHECK(!err, "update: %d", err);
				ref.count += !ref.present[idx];
				ref.present[idx] = 1;
				ref.value[idx] = op;
			}
		} else if (r < 90) {
			bool want_value = r % 2;

			/* Above target, delete a present key: maps must drain
			 * far enough to shrink, not only stop growing.
			 */
			if (ref.count > target && !ref.present[idx]) {
				while (!ref.present[idx])
					idx = (idx + 1) % U;
				make_key(g, idx);
			}

			err = hmap_core_delete(&h, keybuf, want_value ? outbuf : NULL,
					       GFP_KERNEL);
			CHECK(err == (ref.present[idx] ? 0 : -ENOENT),
			      "delete %u: %d", idx, err);
			if (!err && want_value)
				CHECK(value_matches(g, outbuf, ref.value[idx]),
				      "lookup-and-delete value of %u", idx);
			ref.count -= !err;
			ref.present[idx] = 0;
		} else if (r < 99 || next_rand() % 64) {
			/* Now and then, growth work without a write. */
			if (next_rand() % 32 == 0) {
				err = hmap_core_grow_step(&h, 1 + next_rand() % 8,
							  GFP_KERNEL);
				CHECK(!err || err == -EAGAIN || err == -ENOMEM,
				      "grow step: %d", err);
			}
			got = hmap_core_lookup(&h, keybuf);
			CHECK(!!got == ref.present[idx], "lookup %u: %p", idx, got);
			if (got && g->value_size)
				CHECK(value_matches(g, got, ref.value[idx]),
				      "value of %u", idx);
		} else if (next_rand() % 8) {
			shim_fail_nth = 0;
			if (iterate(g, &h))
				goto out;
		} else {
			hmap_core_clear(&h, GFP_KERNEL);
			memset(&ref, 0, sizeof(ref));
		}
		shim_fail_nth = 0;
		if (h.B != lastB || hmap_core_growing(&h) != last_growing ||
		    op % 4096 == 0) {
			if (validate(&h, "after growth step"))
				goto out;
			lastB = h.B;
			last_growing = hmap_core_growing(&h);
		}
	}
	validate(&h, "at end");
	/* Everything the reference holds must be there, and nothing else. */
	for (idx = 0; idx < U; idx++) {
		make_key(g, idx);
		got = hmap_core_lookup(&h, keybuf);
		CHECK(!!got == ref.present[idx], "final lookup %u", idx);
	}
out:
	resizes[0] += h.growths;
	resizes[1] += h.shrinks;
	hmap_core_destroy(&h);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long ops = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	unsigned long seeds = argc > 2 ? strtoul(argv[2], NULL, 0) : 4;
	unsigned long s, total = 0;
	unsigned int gi;
	int n = 0, failed = 0, before;

	for (s = 1; s <= seeds; s++) {
		for (gi = 0; gi < sizeof(geometries) / sizeof(geometries[0]); gi++) {
			const struct geometry *g = &geometries[gi];
			/* The cheap u64 geometry carries the full load. */
			unsigned long o = gi == 0 ? ops : ops / 8;

			before = failures;
			run(g, s * 0x1234567ULL + gi, o);
			total += o;
			if (shim_nr_allocated) {
				fprintf(stderr, "    # %ld allocations leaked\n",
					shim_nr_allocated);
				failures++;
				shim_nr_allocated = 0;
			}
			n++;
			failed += failures != before;
			printf("%sok %d difftest.%s # seed %lu, %lu ops\n",
			       failures != before ? "not " : "", n, g->name, s, o);
		}
	}
	fprintf(stderr, "difftest: %lu operations, %d runs, %d failed, %llu growths, %llu shrinks\n",
		total, n, failed, (unsigned long long)resizes[0],
		(unsigned long long)resizes[1]);
	if (!resizes[0] || !resizes[1]) {
		fprintf(stderr, "difftest: no growth or no shrink: the sawtooth is too weak\n");
		failed++;
	}
	return failed ? 1 : 0;
}
