// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the input is an operation script run against the
 * core and a direct-indexed reference. Each 4-byte record is
 * { op, key, value, fail }: op picks update (ANY/NOEXIST/EXIST), delete,
 * lookup-and-delete, lookup, iterate-with-writes, clear or validate; key
 * indexes a 256-key universe; fail, if non-zero, fails that allocation of
 * the operation. The first byte picks a geometry (including a 4-valued
 * hash that forces long chains and same-size growth).
 */
#include "../shim/hmap_internal.h"
#include "hmap_core.h"

long shim_nr_allocated;
long shim_fail_nth;
unsigned long shim_alloc_calls;
u64 shim_rng_state;
void *shim_stub_real, *shim_stub_repl;

static u64 hash_tiny(const void *key, u32 len, u64 seed)
{
	return ((const u8 *)key)[0] & 3;
}

struct geo {
	u32 ksize, vsize;
	hmap_hash_fn fn;
};

static const struct geo geos[] = {
	{ 8, 8, NULL }, { 4, 0, NULL }, { 8, 8, hash_tiny },
	{ 200, 8, hash_tiny }, { 16, 300, NULL },
};

static u8 present[256], value[256];
static unsigned long count;

static void mk(const struct geo *g, u8 idx, u8 *kb)
{
	memset(kb, 0, g->ksize);
	kb[0] = idx;
	kb[g->ksize - 1] ^= 0x5a;
}

static void check(int cond)
{
	if (!cond)
		__builtin_trap();
}

static void check_valid(struct hmap_core *h)
{
	const char *why;

	check(!hmap_core_validate(h, &why));
	check(h->count == count);
}

static void iterate(const struct geo *g, struct hmap_core *h, u8 *kb, u8 *vb)
{
	u8 seen[256] = { }, stable[256];
	struct hmap_core_iter it;
	const void *k;
	void *v;
	int i, n = 0;

	memcpy(stable, present, sizeof(stable));
	hmap_core_iter_start(h, &it);
	while (hmap_core_iter_next(&it, &k, &v)) {
		u8 idx = ((const u8 *)k)[0];

		check(present[idx] && ++seen[idx] == 1);
		/* Write as we go: insert a new key, delete another. */
		mk(g, (u8)(idx * 7 + n), kb);
		memset(vb, n, g->vsize);
		if (!hmap_core_update(h, kb, vb, HMAP_UPDATE_ANY, GFP_KERNEL)) {
			count += !present[kb[0]];
			present[kb[0]] = 1;
			value[kb[0]] = (u8)n;
		}
		mk(g, (u8)(idx * 13 + 1), kb);
		if (!hmap_core_delete(h, kb, NULL, GFP_KERNEL)) {
			present[kb[0]] = 0;
			stable[kb[0]] = 0;
			/* A re-insert is a new entry and may be returned again. */
			seen[kb[0]] = 0;
			count--;
		}
		n++;
	}
	hmap_core_iter_end(&it);
	for (i = 0; i < 256; i++)
		check(!stable[i] || !present[i] || seen[i] == 1);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 kb[512], vb[512], out[512];
	const struct geo *g;
	struct hmap_core_params p = { };
	struct hmap_core h;
	size_t i;
	void *got;
	int err;

	if (size < 1)
		return 0;
	g = &geos[data[0] % (sizeof(geos) / sizeof(geos[0]))];
	p.key_size = g->ksize;
	p.value_size = g->vsize;
	p.hashfn = g->fn;
	p.hint = data[0] >> 4;
	shim_rng_state = data[0];
	memset(present, 0, sizeof(present));
	count = 0;
	if (hmap_core_init(&h, &p, GFP_KERNEL))
		return 0;
	for (i = 1; i + 4 <= size; i += 4) {
		u8 op = data[i] % 16, idx = data[i + 1], val = data[i + 2];

		mk(g, idx, kb);
		memset(vb, val, g->vsize);
		shim_fail_nth = data[i + 3] & 7;
		switch (op) {
		case 0 ... 5:
			err = hmap_core_update(&h, kb, vb, op % 3, GFP_KERNEL);
			if (op % 3 == HMAP_UPDATE_NOEXIST && present[idx]) {
				check(err == -EEXIST);
			} else if (op % 3 == HMAP_UPDATE_EXIST && !present[idx]) {
				check(err == -ENOENT);
			} else if (err) {
				check(err == -ENOMEM && !present[idx]);
			} else {
				count += !present[idx];
				present[idx] = 1;
				value[idx] = val;
			}
			break;
		case 6 ... 9:
			err = hmap_core_delete(&h, kb, op & 1 ? out : NULL, GFP_KERNEL);
			check(err == (present[idx] ? 0 : -ENOENT));
			if (!err && (op & 1) && g->vsize)
				check(out[0] == value[idx]);
			count -= !err;
			present[idx] = 0;
			break;
		case 10 ... 12:
			got = hmap_core_lookup(&h, kb);
			check(!!got == present[idx]);
			if (got && g->vsize)
				check(((u8 *)got)[g->vsize - 1] == value[idx]);
			break;
		case 13:
			shim_fail_nth = 0;
			iterate(g, &h, kb, vb);
			break;
		case 14:
			if (val < 16) {
				hmap_core_clear(&h, GFP_KERNEL);
				memset(present, 0, sizeof(present));
				count = 0;
			} else {
				/* Growth work without a write (may fail). */
				err = hmap_core_grow_step(&h, val % 8, GFP_KERNEL);
				check(!err || err == -EAGAIN || err == -ENOMEM);
			}
			break;
		default:
			shim_fail_nth = 0;
			check_valid(&h);
		}
		shim_fail_nth = 0;
	}
	check_valid(&h);
	hmap_core_destroy(&h);
	check(shim_nr_allocated == 0);
	return 0;
}
