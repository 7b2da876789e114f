// SPDX-License-Identifier: GPL-2.0
/*
 * hmap_bench: the kernel arena of `make bench`. On load it times hmap,
 * rhashtable (automatic_shrinking) and a fixed-size hashtable.h table on
 * the same workload, the latency of single inserts while a map grows, and
 * the write scaling of sharded against unsharded maps with two writers;
 * it prints markdown rows prefixed "hmap_bench:" and holds nothing once
 * loaded: unload it after reading the log.
 *
 * Workload: random u64 keys from a fixed-seed splitmix64, u64 values.
 * Phases: insert without hint, insert with hint, then on the presized table
 * (so the fixed-size table is sized for its load): lookup hit, lookup
 * miss, mixed 90% lookup / 10% update, delete all. Each figure is the median
 * of @reps runs in ns/op, with min and max.
 */
#include <linux/completion.h>
#include <linux/hash.h>
#include <linux/hmap.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/siphash.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "../../kmod/hmap_mixhash.h"

static char *sizes = "1000,10000,100000,1000000";
module_param(sizes, charp, 0444);
MODULE_PARM_DESC(sizes, "comma-separated map sizes");
static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions per figure (median reported)");
static unsigned long latency_n = 1000000;
module_param(latency_n, ulong, 0444);
MODULE_PARM_DESC(latency_n, "inserts in the latency run (0 skips it)");
static unsigned long scale_n = 200000;
module_param(scale_n, ulong, 0444);
MODULE_PARM_DESC(scale_n, "inserts per writer in the scaling run (0 skips it)");
static unsigned long fixed_nohint_max = 100000;
static bool breakdown = true;
module_param(breakdown, bool, 0444);
static bool batch = true;
module_param(batch, bool, 0444);
MODULE_PARM_DESC(batch, "hmap batch calls vs single calls at each size");
MODULE_PARM_DESC(breakdown,
		 "measure where a small map's lookup hit and a presized map's write go");
module_param(fixed_nohint_max, ulong, 0444);
MODULE_PARM_DESC(fixed_nohint_max,
		 "largest size at which the hint-less fixed table (1024 heads) is timed");

enum phase { INSERT, INSERT_HINT, HIT, MISS, MIXED, DELETE, NPHASES };

static const char * const phase_names[NPHASES] = {
	"insert", "insert+hint", "lookup hit", "lookup miss", "mixed 90/10",
	"delete",
};

static u64 splitmix64(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Fisher-Yates over @n (key, value) pairs. */
static void shuffle_u64(u64 *keys, u64 *vals, unsigned long n, u64 seed)
{
	unsigned long i, j;

	for (i = n; i > 1; i--) {
		j = splitmix64(&seed) % i;
		swap(keys[i - 1], keys[j]);
		swap(vals[i - 1], vals[j]);
	}
}

/* ---- the three tables behind one interface ---- */

struct table_ops {
	const char *name;
	bool fixed;	/* cannot grow: without a hint it has FIXED_BITS */
	void *(*create)(unsigned long hint);
	void (*destroy)(void *t);
	int (*insert)(void *t, u64 key, u64 value);
	bool (*lookup)(void *t, u64 key, u64 *value);
	int (*remove)(void *t, u64 key);
	/* Finish work an insert left pending (a deferred resize), or NULL. */
	void (*settle)(void *t);
	/* Describe the table's shape: buckets, load, chains. */
	void (*shape)(void *t, char *buf, size_t len);
};

static void *hm_create(unsigned long hint)
{
	struct hmap_params p = { .key_size = 8, .value_size = 8,
				 .size_hint = hint };
	struct hmap *m = hmap_create(&p, GFP_KERNEL);

	return IS_ERR(m) ? NULL : m;
}

static void hm_destroy(void *t)
{
	hmap_destroy(t);
}

static int hm_insert(void *t, u64 key, u64 value)
{
	return hmap_update(t, &key, &value, HMAP_UPDATE_ANY, GFP_KERNEL);
}

/* Wait for the work the inserts left: the arrays of growths they asked for. */
static void hm_settle(void *t)
{
	hmap_flush(t);
}

static bool hm_lookup(void *t, u64 key, u64 *value)
{
	return !hmap_lookup(t, &key, value);
}

static int hm_remove(void *t, u64 key)
{
	return hmap_delete(t, &key);
}

static void hm_shape(void *t, char *buf, size_t len)
{
	struct hmap_stats st;
	u64 chains = 0;
	unsigned int i;

	hmap_get_stats(t, &st);
	for (i = 1; i < HMAP_CHAIN_HIST_LEN; i++)
		chains += st.chain_hist[i];
	snprintf(buf, len,
		 "%llu buckets of 8 slots (B=%u) | %llu.%02llu | %llu overflow buckets, %llu chains longer than one%s",
		 st.buckets, st.B, st.count / max(st.buckets, 1ULL),
		 st.count * 100 / max(st.buckets, 1ULL) % 100, st.overflow,
		 chains, st.growing ? ", growing" : "");
}

/* rhashtable with its own objects, as its users embed them. */
struct rh_obj {
	u64 key;
	u64 value;
	struct rhash_head node;
	struct rcu_head rcu;
};

static const struct rhashtable_params rh_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct rh_obj, key),
	.head_offset = offsetof(struct rh_obj, node),
	.automatic_shrinking = true,
};

static void *rh_create(unsigned long hint)
{
	struct rhashtable *ht = kzalloc(sizeof(*ht), GFP_KERNEL);
	struct rhashtable_params p = rh_params;

	if (!ht)
		return NULL;
	/* nelem_hint is a u16: larger hints cannot be expressed. */
	p.nelem_hint = min_t(unsigned long, hint, U16_MAX);
	if (rhashtable_init(ht, &p)) {
		kfree(ht);
		return NULL;
	}
	return ht;
}

static void rh_free_obj(void *ptr, void *arg)
{
	kfree(ptr);
}

static void rh_destroy(void *t)
{
	rhashtable_free_and_destroy(t, rh_free_obj, NULL);
	kfree(t);
}

/* rhashtable resizes in a worker: its pending work belongs to the inserts. */
static void rh_settle(void *t)
{
	struct rhashtable *ht = t;

	flush_work(&ht->run_work);
}

static void rh_shape(void *t, char *buf, size_t len)
{
	struct rhashtable *ht = t;
	const struct bucket_table *tbl;
	unsigned int size, n = atomic_read(&ht->nelems);

	rcu_read_lock();
	tbl = rcu_dereference(ht->tbl);
	size = tbl->size;
	rcu_read_unlock();
	snprintf(buf, len, "%u chain heads | %u.%02u | a node per entry, chained",
		 size, n / max(size, 1U), n * 100 / max(size, 1U) % 100);
}

static int rh_insert(void *t, u64 key, u64 value)
{
	struct rh_obj *o = kmalloc(sizeof(*o), GFP_KERNEL);
	int err;

	if (!o)
		return -ENOMEM;
	o->key = key;
	o->value = value;
	do {
		err = rhashtable_lookup_insert_fast(t, &o->node, rh_params);
	} while (err == -EBUSY);
	if (err)
		kfree(o);
	return err;
}

static bool rh_lookup(void *t, u64 key, u64 *value)
{
	struct rh_obj *o;
	bool found;

	rcu_read_lock();
	o = rhashtable_lookup(t, &key, rh_params);
	found = o;
	if (o)
		*value = o->value;
	rcu_read_unlock();
	return found;
}

static int rh_remove(void *t, u64 key)
{
	struct rh_obj *o;
	int err;

	rcu_read_lock();
	o = rhashtable_lookup(t, &key, rh_params);
	err = o ? rhashtable_remove_fast(t, &o->node, rh_params) : -ENOENT;
	rcu_read_unlock();
	if (!err)
		kfree_rcu(o, rcu);
	return err;
}

/*
 * hashtable.h style: a fixed array of hlist heads sized from the hint, or
 * 2^FIXED_BITS heads (DECLARE_HASHTABLE(name, 10)) without one.
 */
#define FIXED_BITS	10

struct ht_obj {
	u64 key;
	u64 value;
	struct hlist_node node;
};

struct fixed_table {
	unsigned int bits;
	struct hlist_head heads[];
};

static void *ht_create(unsigned long hint)
{
	unsigned int bits = ilog2(max(hint, 1UL << FIXED_BITS));
	struct fixed_table *t;

	t = kvzalloc(struct_size(t, heads, 1UL << bits), GFP_KERNEL);
	if (t)
		t->bits = bits;
	return t;
}

static void ht_destroy(void *p)
{
	struct fixed_table *t = p;
	struct hlist_node *tmp;
	struct ht_obj *o;
	unsigned long i;

	for (i = 0; i < 1UL << t->bits; i++)
		hlist_for_each_entry_safe(o, tmp, &t->heads[i], node)
			kfree(o);
	kvfree(t);
}

static struct hlist_head *ht_head(struct fixed_table *t, u64 key)
{
	return &t->heads[hash_64(key, t->bits)];
}

static struct ht_obj *ht_find(struct fixed_table *t, u64 key)
{
	struct ht_obj *o;

	hlist_for_each_entry(o, ht_head(t, key), node)
		if (o->key == key)
			return o;
	return NULL;
}

static int ht_insert(void *p, u64 key, u64 value)
{
	struct fixed_table *t = p;
	struct ht_obj *o = ht_find(t, key);

	if (o) {
		o->value = value;
		return 0;
	}
	o = kmalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	o->key = key;
	o->value = value;
	hlist_add_head(&o->node, ht_head(t, key));
	return 0;
}

static bool ht_lookup(void *p, u64 key, u64 *value)
{
	struct ht_obj *o = ht_find(p, key);

	if (o)
		*value = o->value;
	return o;
}

static void ht_shape(void *p, char *buf, size_t len)
{
	struct fixed_table *t = p;

	snprintf(buf, len, "%lu chain heads, fixed | | a node per entry, chained",
		 1UL << t->bits);
}

static int ht_remove(void *p, u64 key)
{
	struct ht_obj *o = ht_find(p, key);

	if (!o)
		return -ENOENT;
	hlist_del(&o->node);
	kfree(o);
	return 0;
}

static const struct table_ops tables[] = {
	{ "hmap", false, hm_create, hm_destroy, hm_insert, hm_lookup, hm_remove,
	  hm_settle, hm_shape },
	{ "rhashtable", false, rh_create, rh_destroy, rh_insert, rh_lookup,
	  rh_remove, rh_settle, rh_shape },
	{ "hashtable.h (fixed)", true, ht_create, ht_destroy, ht_insert,
	  ht_lookup, ht_remove, NULL, ht_shape },
};

#define SHAPE_LEN	160

/* ---- timing ---- */

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Without a hint the fixed table keeps 2^FIXED_BITS chains: at 10^6 entries
 * they average ~1000 nodes and one insert pass takes minutes under TCG, so
 * that pass is skipped above @fixed_nohint_max (the table notes it).
 */
static bool nohint_skipped(const struct table_ops *ops, unsigned long n)
{
	return ops->fixed && n > fixed_nohint_max;
}

/*
 * One repetition of every phase; ns/op per phase into @ns (0: skipped).
 * The insert phases include finishing what they left pending; @shape, if
 * not NULL, gets the shape of the table the lookups then run on.
 */
static int run_once(const struct table_ops *ops, unsigned long n, u64 *ns,
		    char *shape)
{
	u64 seed, v, sink = 0;
	unsigned long i;
	void *t, *t2;
	ktime_t t0;
	int err = -ENOMEM;

	t = ops->create(0);
	t2 = ops->create(n);
	if (!t || !t2)
		goto out;

	ns[INSERT] = 0;
	if (!nohint_skipped(ops, n)) {
		seed = 1;
		t0 = ktime_get();
		for (i = 0; i < n; i++) {
			if (ops->insert(t, splitmix64(&seed), i))
				goto out;
			/*
			 * As kernel code filling a table must: on one CPU
			 * without preemption, both tables' resize workers run
			 * only here.
			 */
			if (!(i % 4096))
				cond_resched();
		}
		if (ops->settle)
			ops->settle(t);
		ns[INSERT] = ktime_to_ns(ktime_sub(ktime_get(), t0)) / n;
	}

	seed = 1;
	t0 = ktime_get();
	for (i = 0; i < n; i++) {
		if (ops->insert(t2, splitmix64(&seed), i))
			goto out;
		if (!(i % 4096))
			cond_resched();
	}
	if (ops->settle)
		ops->settle(t2);
	ns[INSERT_HINT] = ktime_to_ns(ktime_sub(ktime_get(), t0)) / n;
	if (shape)
		ops->shape(t2, shape, SHAPE_LEN);

	seed = 1;
	t0 = ktime_get();
	for (i = 0; i < n; i++)
		sink += ops->lookup(t2, splitmix64(&seed), &v);
	ns[HIT] = ktime_to_ns(ktime_sub(ktime_get(), t0)) / n;

	seed = 2;	/* another stream: (almost) certainly absent keys */
	t0 = ktime_get();
	for (i = 0; i < n; i++)
		sink += ops->lookup(t2, splitmix64(&seed), &v);
	ns[MISS] = ktime_to_ns(ktime_sub(ktime_get(), t0)) / n;

	seed = 1;
	t0 = ktime_get();
	for (i = 0; i < n; i++) {
		u64 key = splitmix64(&seed);

		if (i % 10 == 9)
			ops->insert(t2, key, i);
		else
			sink += ops->lookup(t2, key, &v);
	}
	ns[MIXED] = ktime_to_ns(ktime_sub(ktime_get(), t0)) / n;

	seed = 1;
	t0 = ktime_get();
	for (i = 0; i < n; i++)
		if (ops->remove(t2, splitmix64(&seed)))
			goto out;
	ns[DELETE] = ktime_to_ns(ktime_sub(ktime_get(), t0)) / n;
	/* Every hit and every mixed-phase lookup finds its key. */
	err = sink == n + (n - n / 10) ? 0 : -EINVAL;
	if (err)
		pr_err("hmap_bench: %s lost entries\n", ops->name);
out:
	if (t)
		ops->destroy(t);
	if (t2)
		ops->destroy(t2);
	return err;
}

#define MAX_REPS 16

struct size_results {
	u64 ns[ARRAY_SIZE(tables)][NPHASES][MAX_REPS];
	u64 med[ARRAY_SIZE(tables)][NPHASES];
	u64 one[NPHASES];
	char shape[ARRAY_SIZE(tables)][SHAPE_LEN];
};

static void bench_size(unsigned long n)
{
	unsigned int r, p, k, nr = clamp(reps, 1U, MAX_REPS);
	struct size_results *res = kzalloc(sizeof(*res), GFP_KERNEL);
	u64 (*ns)[NPHASES][MAX_REPS], (*med)[NPHASES], *one;

	if (!res)
		return;
	ns = res->ns;
	med = res->med;
	one = res->one;
	for (r = 0; r < nr; r++) {
		for (k = 0; k < ARRAY_SIZE(tables); k++) {
			if (run_once(&tables[k], n, one,
				     r ? NULL : res->shape[k]))
				goto out;
			for (p = 0; p < NPHASES; p++)
				ns[k][p][r] = one[p];
			cond_resched();
		}
		/* Not a table row: bench-kernel.sh shows it as progress. */
		pr_info("hmap_bench progress: n=%lu, repetition %u of %u\n",
			n, r + 1, nr);
	}
	for (k = 0; k < ARRAY_SIZE(tables); k++)
		for (p = 0; p < NPHASES; p++) {
			sort(ns[k][p], nr, sizeof(u64), cmp_u64, NULL);
			med[k][p] = ns[k][p][nr / 2];
		}
	for (p = 0; p < NPHASES; p++)
		for (k = 0; k < ARRAY_SIZE(tables); k++) {
			if (p == INSERT && nohint_skipped(&tables[k], n)) {
				pr_info("hmap_bench: | %lu | %s | %s | skipped: chains of ~%lu | | | |\n",
					n, phase_names[p], tables[k].name,
					n >> FIXED_BITS);
				continue;
			}
			pr_info("hmap_bench: | %lu | %s | %s | %llu | %llu | %llu | %llu.%02llu |\n",
				n, phase_names[p], tables[k].name, med[k][p],
				ns[k][p][0], ns[k][p][nr - 1],
				med[k][p] * 100 / max(med[0][p], 1ULL) / 100,
				med[k][p] * 100 / max(med[0][p], 1ULL) % 100);
		}
	for (k = 0; k < ARRAY_SIZE(tables); k++)
		pr_info("hmap_bench: shape | %lu | %s | %s |\n", n, tables[k].name,
			res->shape[k]);
out:
	kfree(res);
}

/*
 * Where a lookup hit in a small map (10^3 u64 keys) goes: the bench loop
 * itself (generating the keys); the layer around the core (the call
 * across the module boundary, RCU, the sequence count, the return),
 * measured as a lookup in an empty map, whose core returns before hashing;
 * the map's default hash of an 8-byte key (mixhash, as the core calls it;
 * hsiphash, which a flooded map switches to, for scale); and the rest: the
 * probe and the copy-out. Each part is its loop's time less the loop
 * alone. rhashtable's lookup, for scale, is inlined into its caller.
 */
#define BREAKDOWN_N	1000
#define BREAKDOWN_ROUNDS	1000

static u64 sub0(u64 a, u64 b)
{
	return a > b ? a - b : 0;
}

/* Insert keys 1..@n of the splitmix64 stream seeded 1 into hmap @m. */
static int hm_fill(void *m, unsigned long n)
{
	unsigned long i;
	u64 seed = 1;

	for (i = 0; i < n; i++)
		if (hm_insert(m, splitmix64(&seed), i))
			return -ENOMEM;
	return 0;
}

/* ns of @rounds passes of the bench loop alone over @n keys. */
static u64 time_loop(unsigned long n, unsigned long rounds, u64 *sink)
{
	unsigned long k, i;
	u64 seed;
	ktime_t t0;

	t0 = ktime_get();
	for (k = 0; k < rounds; k++) {
		seed = 1;
		for (i = 0; i < n; i++)
			*sink += splitmix64(&seed);
	}
	return ktime_to_ns(ktime_sub(ktime_get(), t0));
}

static u64 time_lookups(struct hmap *m, u64 *sink)
{
	unsigned int r;
	u64 seed, v;
	ktime_t t0;
	int i;

	t0 = ktime_get();
	for (r = 0; r < BREAKDOWN_ROUNDS; r++) {
		seed = 1;
		for (i = 0; i < BREAKDOWN_N; i++) {
			u64 key = splitmix64(&seed);

			*sink += !hmap_lookup(m, &key, &v);
		}
	}
	return ktime_to_ns(ktime_sub(ktime_get(), t0));
}

static void bench_breakdown(void)
{
	u64 ns_empty[MAX_REPS], ns_hash[MAX_REPS], ns_hit[MAX_REPS];
	u64 ns_sip[MAX_REPS], ns_loop[MAX_REPS], sip, loop;
	unsigned int r, k, nr = clamp(reps, 1U, MAX_REPS);
	u64 ops = (u64)BREAKDOWN_N * BREAKDOWN_ROUNDS;
	u64 seed, sink = 0, e, hs, hit;
	hsiphash_key_t hkey;
	struct hmap *empty, *m;
	ktime_t t0;
	int i;

	empty = hm_create(0);
	m = hm_create(0);
	if (!empty || !m)
		goto out;
	get_random_bytes(&hkey, sizeof(hkey));
	if (hm_fill(m, BREAKDOWN_N))
		goto out;
	for (r = 0; r < nr; r++) {
		ns_loop[r] = time_loop(BREAKDOWN_N, BREAKDOWN_ROUNDS, &sink);
		ns_empty[r] = time_lookups(empty, &sink);
		t0 = ktime_get();
		for (k = 0; k < BREAKDOWN_ROUNDS; k++) {
			seed = 1;
			for (i = 0; i < BREAKDOWN_N; i++) {
				u64 key = splitmix64(&seed);

				sink += mixhash_u64(key, hkey.key[0]);
			}
		}
		ns_hash[r] = ktime_to_ns(ktime_sub(ktime_get(), t0));
		t0 = ktime_get();
		for (k = 0; k < BREAKDOWN_ROUNDS; k++) {
			seed = 1;
			for (i = 0; i < BREAKDOWN_N; i++) {
				u64 key = splitmix64(&seed);

				sink += hsiphash_2u32((u32)key, key >> 32, &hkey);
			}
		}
		ns_sip[r] = ktime_to_ns(ktime_sub(ktime_get(), t0));
		ns_hit[r] = time_lookups(m, &sink);
		cond_resched();
	}
	sort(ns_empty, nr, sizeof(u64), cmp_u64, NULL);
	sort(ns_hash, nr, sizeof(u64), cmp_u64, NULL);
	sort(ns_sip, nr, sizeof(u64), cmp_u64, NULL);
	sort(ns_hit, nr, sizeof(u64), cmp_u64, NULL);
	sort(ns_loop, nr, sizeof(u64), cmp_u64, NULL);
	/* Tenths of a ns per lookup, less the loop alone. */
	loop = ns_loop[nr / 2] * 10 / ops;
	e = sub0(ns_empty[nr / 2] * 10 / ops, loop);
	hs = sub0(ns_hash[nr / 2] * 10 / ops, loop);
	sip = sub0(ns_sip[nr / 2] * 10 / ops, loop);
	hit = ns_hit[nr / 2] * 10 / ops;
	pr_info("hmap_bench: ## where a lookup hit goes, %u u64 keys, ns, median of %u\n",
		BREAKDOWN_N, nr);
	pr_info("hmap_bench: | part | ns |\n");
	pr_info("hmap_bench: |---|---|\n");
	pr_info("hmap_bench: | lookup hit, total | %llu.%llu |\n", hit / 10, hit % 10);
	pr_info("hmap_bench: | the bench loop alone (generating the keys) | %llu.%llu |\n",
		loop / 10, loop % 10);
	pr_info("hmap_bench: | hmap_lookup() itself (total less the loop) | %llu.%llu |\n",
		sub0(hit, loop) / 10, sub0(hit, loop) % 10);
	pr_info("hmap_bench: | layer: call, RCU, seqcount, return (lookup in an empty map) | %llu.%llu |\n",
		e / 10, e % 10);
	pr_info("hmap_bench: | mixhash of the 8-byte key (the default hash) | %llu.%llu |\n",
		hs / 10, hs % 10);
	hit = sub0(hit, loop + e + hs);
	pr_info("hmap_bench: | the rest: probe, key compare, copy-out | %llu.%llu |\n",
		hit / 10, hit % 10);
	pr_info("hmap_bench: | (hsiphash of the same key, after a flood) | %llu.%llu |\n",
		sip / 10, sip % 10);
	if (sink == 42)	/* keep the loops */
		pr_info("hmap_bench: sink\n");
out:
	if (empty)
		hm_destroy(empty);
	if (m)
		hm_destroy(m);
}

/*
 * Where a write into a presized map goes, at @n u64 keys: the bench loop
 * alone; a lock and sequence count write section as hmap's writes take
 * them (spin_lock_bh(), write_seqcount_begin/end(), spin_unlock_bh()), on
 * this module's own lock; hmap_update() of a key into an empty map (the
 * layer: the call, the hash, that section, the core's return); of a key
 * the map holds (HMAP_UPDATE_EXIST); and of new keys into a fresh map
 * presized for them, against rhashtable's insert of a kmalloc'ed node,
 * whose code is inlined into this module. Each is repeated over about
 * 10^6 operations per repetition; ns per operation, loop included.
 */
#define IBD_OPS		1000000UL
#define IBD_PARTS	6

static DEFINE_SPINLOCK(ibd_lock);
static seqcount_spinlock_t ibd_seq = SEQCNT_SPINLOCK_ZERO(ibd_seq, &ibd_lock);

static u64 ibd_fresh(const struct table_ops *ops, unsigned long n,
		     unsigned long rounds, u64 *sink)
{
	unsigned long k, i;
	u64 seed, ns = 0;
	ktime_t t0;
	void *t;

	for (k = 0; k < rounds; k++) {
		t = ops->create(n);
		if (!t)
			return 0;
		seed = 1;
		t0 = ktime_get();
		for (i = 0; i < n; i++)
			*sink += ops->insert(t, splitmix64(&seed), i);
		if (ops->settle)
			ops->settle(t);
		ns += ktime_to_ns(ktime_sub(ktime_get(), t0));
		ops->destroy(t);
		cond_resched();
	}
	return ns;
}

static void bench_insert_breakdown(unsigned long n)
{
	static const char * const names[IBD_PARTS] = {
		"bench loop alone", "spin_lock_bh + seqcount, this module's",
		"hmap_update(), empty map", "hmap_update(), present key",
		"hmap_update(), new key, presized",
		"rhashtable insert, presized" };
	unsigned int r, p, nr = clamp(reps, 1U, MAX_REPS);
	unsigned long rounds = max(1UL, IBD_OPS / n), k, i;
	u64 ns[IBD_PARTS][MAX_REPS], seed, sink = 0, v = 1;
	u64 ops = (u64)n * rounds;
	void *m, *empty;
	ktime_t t0;

	m = hm_create(n);
	empty = hm_create(0);
	if (!m || !empty || hm_fill(m, n))
		goto out;
	for (r = 0; r < nr; r++) {
		ns[0][r] = time_loop(n, rounds, &sink);
		t0 = ktime_get();
		for (k = 0; k < rounds; k++) {
			seed = 1;
			for (i = 0; i < n; i++) {
				sink += splitmix64(&seed);
				spin_lock_bh(&ibd_lock);
				write_seqcount_begin(&ibd_seq);
				write_seqcount_end(&ibd_seq);
				spin_unlock_bh(&ibd_lock);
			}
		}
		ns[1][r] = ktime_to_ns(ktime_sub(ktime_get(), t0));
		for (p = 2; p <= 3; p++) {
			t0 = ktime_get();
			for (k = 0; k < rounds; k++) {
				seed = 1;
				for (i = 0; i < n; i++) {
					u64 key = splitmix64(&seed);

					sink += hmap_update(p == 2 ? empty : m,
							    &key, &v,
							    HMAP_UPDATE_EXIST,
							    GFP_KERNEL);
				}
			}
			ns[p][r] = ktime_to_ns(ktime_sub(ktime_get(), t0));
		}
		ns[4][r] = ibd_fresh(&tables[0], n, rounds, &sink);
		ns[5][r] = ibd_fresh(&tables[1], n, rounds, &sink);
		cond_resched();
	}
	for (p = 0; p < IBD_PARTS; p++) {
		sort(ns[p], nr, sizeof(u64), cmp_u64, NULL);
		/* Tenths of a ns per operation. */
		v = ns[p][nr / 2] * 10 / ops;
		pr_info("hmap_bench: | %lu | %s | %llu.%llu |\n", n, names[p],
			v / 10, v % 10);
	}
	if (sink == 42)	/* keep the loops */
		pr_info("hmap_bench: sink\n");
out:
	if (m)
		hm_destroy(m);
	if (empty)
		hm_destroy(empty);
}

/* Inserts a latency sample times: UML's clock ticks in 256 ns steps. */
#define LAT_BATCH	16

/*
 * Latency while a map grows from empty to @latency_n: each batch of
 * LAT_BATCH consecutive inserts is timed; the total includes finishing
 * the work the inserts left pending (settle).
 */
static void bench_latency(const struct table_ops *ops, bool hint)
{
	unsigned long b, i, nb = latency_n / LAT_BATCH;
	u64 seed = 3, *lat, total;
	ktime_t t0, start;
	void *t;

	if (!nb)
		return;
	lat = vmalloc(array_size(nb, sizeof(*lat)));
	t = ops->create(hint ? nb * LAT_BATCH : 0);
	if (!lat || !t)
		goto out;
	start = ktime_get();
	for (b = 0; b < nb; b++) {
		t0 = ktime_get();
		for (i = 0; i < LAT_BATCH; i++)
			if (ops->insert(t, splitmix64(&seed), b))
				goto out;
		lat[b] = ktime_to_ns(ktime_sub(ktime_get(), t0));
		if (!(b % 256))
			cond_resched();
	}
	if (ops->settle)
		ops->settle(t);
	total = ktime_to_ns(ktime_sub(ktime_get(), start));
	sort(lat, nb, sizeof(u64), cmp_u64, NULL);
	pr_info("hmap_bench: | %s%s | %lu | %llu | %llu | %llu | %llu | %llu.%llu | %llu.%llu | %llu |\n",
		ops->name, hint ? ", size hint n" : "", nb * LAT_BATCH,
		lat[nb / 2], lat[nb * 99 / 100], lat[nb * 999 / 1000], lat[nb - 1],
		lat[nb * 999 / 1000] / max(lat[nb / 2], 1ULL),
		lat[nb * 999 / 1000] * 10 / max(lat[nb / 2], 1ULL) % 10,
		lat[nb - 1] / max(lat[nb / 2], 1ULL),
		lat[nb - 1] * 10 / max(lat[nb / 2], 1ULL) % 10,
		div_u64(total, nb * LAT_BATCH));
out:
	if (t)
		ops->destroy(t);
	vfree(lat);
}

/* Keys per call of the batch rows (as one BATCH_* ioctl of 256). */
#define BATCH_KEYS	256

/* One call of @phase over keys [i, i + count), batched or one at a time. */
static int batch_call(struct hmap *m, int phase, bool batched, u64 *keys,
		      u64 *vals, u32 count)
{
	u32 j;
	int err = 0;

	if (batched) {
		switch (phase) {
		case 0:
			return hmap_update_batch(m, keys, vals, &count,
						 HMAP_UPDATE_ANY, GFP_KERNEL);
		case 1:
			return hmap_lookup_batch(m, keys, vals, &count);
		default:
			return hmap_delete_batch(m, keys, &count);
		}
	}
	for (j = 0; j < count && !err; j++) {
		switch (phase) {
		case 0:
			err = hmap_update(m, &keys[j], &vals[j], HMAP_UPDATE_ANY,
					  GFP_KERNEL);
			break;
		case 1:
			err = hmap_lookup(m, &keys[j], &vals[j]);
			break;
		default:
			err = hmap_delete(m, &keys[j]);
		}
	}
	return err;
}

/*
 * hmap's batch calls against its single-key calls on the same keys: inserts
 * into a map presized for @n, lookups of every key in a shuffled order,
 * deletes of every key; BATCH_KEYS keys per batch call. ns per key, median
 * of @reps.
 */
static void bench_batch(unsigned long n)
{
	static const char * const names[] = { "insert+hint", "lookup hit",
					      "delete" };
	unsigned int r, ph, nr = clamp(reps, 1U, MAX_REPS);
	u64 ns[2][3][MAX_REPS], *keys, *vals, seed, one, many;
	struct hmap *m = NULL;
	unsigned long i;
	int batched;
	ktime_t t0;
	u32 count;

	keys = vmalloc(array_size(n, sizeof(u64)));
	vals = vmalloc(array_size(n, sizeof(u64)));
	if (!keys || !vals)
		goto out;
	seed = 5;
	for (i = 0; i < n; i++) {
		keys[i] = splitmix64(&seed);
		vals[i] = i;
	}
	for (r = 0; r < nr; r++) {
		for (batched = 0; batched < 2; batched++) {
			m = hm_create(n);
			if (!m)
				goto out;
			for (ph = 0; ph < 3; ph++) {
				/* Look up and delete in another order. */
				if (ph == 1)
					shuffle_u64(keys, vals, n, r + 1);
				t0 = ktime_get();
				for (i = 0; i < n; i += count) {
					count = min_t(unsigned long, n - i,
						      BATCH_KEYS);
					if (batch_call(m, ph, batched, keys + i,
						       vals + i, count))
						goto fail;
				}
				ns[batched][ph][r] =
					ktime_to_ns(ktime_sub(ktime_get(), t0)) / n;
			}
			hmap_destroy(m);
			m = NULL;
			cond_resched();
		}
	}
	for (ph = 0; ph < 3; ph++) {
		sort(ns[0][ph], nr, sizeof(u64), cmp_u64, NULL);
		sort(ns[1][ph], nr, sizeof(u64), cmp_u64, NULL);
		one = ns[0][ph][nr / 2];
		many = max(ns[1][ph][nr / 2], 1ULL);
		pr_info("hmap_bench: | %lu | %s | %llu | %llu | %llu.%02llu |\n", n,
			names[ph], one, many, one / many, one * 100 / many % 100);
	}
	goto out;
fail:
	pr_err("hmap_bench: batch rows: an operation failed at n=%lu\n", n);
	hmap_destroy(m);
out:
	vfree(keys);
	vfree(vals);
}

struct scale_arg {
	struct hmap *m;
	u64 base;
	struct completion done;
	int err;
};

static int scale_writer(void *p)
{
	struct scale_arg *a = p;
	u64 seed = a->base, key, i;

	for (i = 0; i < scale_n && !a->err; i++) {
		key = splitmix64(&seed);
		a->err = hmap_update(a->m, &key, &i, HMAP_UPDATE_ANY, GFP_KERNEL);
	}
	complete(&a->done);
	return 0;
}

/*
 * Writers on one map, unsharded or sharded, or each on a map of its own
 * (@separate: nothing shared, the machine's own scaling): total inserts/s.
 */
static void bench_scaling(u32 shard_bits, unsigned int writers, bool separate)
{
	struct hmap_params p = { .key_size = 8, .value_size = 8 };
	struct scale_arg a[2];
	unsigned int w;
	ktime_t t0;
	u64 ns;

	if (shard_bits) {
		p.flags = HMAP_F_SHARDED;
		p.shard_bits = shard_bits;
	}
	for (w = 0; w < writers; w++) {
		a[w].m = separate || !w ? hmap_create(&p, GFP_KERNEL) : a[0].m;
		if (IS_ERR(a[w].m))
			a[w].m = a[0].m;
		a[w].base = 1000 + w;
		a[w].err = 0;
		init_completion(&a[w].done);
	}
	if (IS_ERR(a[0].m))
		return;
	t0 = ktime_get();
	for (w = 0; w < writers; w++)
		if (IS_ERR(kthread_run(scale_writer, &a[w], "hmap-bench%u", w)))
			complete(&a[w].done);
	for (w = 0; w < writers; w++)
		wait_for_completion(&a[w].done);
	ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	pr_info("hmap_bench: | %u%s | %u | %llu | %d |\n", 1U << shard_bits,
		separate ? " (a map per writer)" : "", writers,
		div64_u64(scale_n * writers * NSEC_PER_SEC, max(ns, 1ULL)),
		a[0].err);
	for (w = 0; w < writers; w++)
		if (!w || a[w].m != a[0].m)
			hmap_destroy(a[w].m);
}

static int __init hmap_bench_init(void)
{
	char *list, *cur, *tok;
	unsigned long n;
	unsigned int k;

	list = kstrdup(sizes, GFP_KERNEL);
	if (list && *list) {
		pr_info("hmap_bench: ## kernel arena, ns/op, median of %u [min, max], ratio to hmap\n",
			reps);
		pr_info("hmap_bench: | n | phase | table | median | min | max | x hmap |\n");
		pr_info("hmap_bench: |---|---|---|---|---|---|---|\n");
	}
	for (cur = list; cur && (tok = strsep(&cur, ","));)
		if (!kstrtoul(tok, 10, &n) && n)
			bench_size(n);
	kfree(list);
	list = batch ? kstrdup(sizes, GFP_KERNEL) : NULL;
	if (list && *list) {
		pr_info("hmap_bench: ## hmap batch calls (%u keys per call) vs single calls, ns per key, median of %u\n",
			BATCH_KEYS, reps);
		pr_info("hmap_bench: | n | phase | single | batch | single / batch |\n");
		pr_info("hmap_bench: |---|---|---|---|---|\n");
	}
	for (cur = list; cur && (tok = strsep(&cur, ","));)
		if (!kstrtoul(tok, 10, &n) && n) {
			pr_info("hmap_bench progress: batch, n=%lu\n", n);
			bench_batch(n);
		}
	kfree(list);
	if (breakdown) {
		bench_breakdown();
		pr_info("hmap_bench: ## where a write into a presized map goes, u64 keys, ns per operation, median of %u\n",
			clamp(reps, 1U, MAX_REPS));
		pr_info("hmap_bench: | n | part | ns |\n");
		pr_info("hmap_bench: |---|---|---|\n");
		bench_insert_breakdown(1000);
		bench_insert_breakdown(10000);
		bench_insert_breakdown(100000);
	}

	if (latency_n) {
		pr_info("hmap_bench: ## insert latency growing from empty, ns per batch of %u inserts\n",
			LAT_BATCH);
		pr_info("hmap_bench: | table | inserts | p50 | p99 | p99.9 | max | p99.9 / p50 | max / p50 | total ns per insert |\n");
		pr_info("hmap_bench: |---|---|---|---|---|---|---|---|---|\n");
		for (k = 0; k < 4; k++) {
			pr_info("hmap_bench progress: latency, %s\n", tables[k % 2].name);
			bench_latency(&tables[k % 2], k >= 2);
		}
	}
	if (scale_n) {
		pr_info("hmap_bench: ## write scaling, %lu inserts per writer\n", scale_n);
		pr_info("hmap_bench: | shards | writers | inserts/s | err |\n");
		pr_info("hmap_bench: |---|---|---|---|\n");
		pr_info("hmap_bench progress: write scaling\n");
		bench_scaling(0, 1, false);
		bench_scaling(0, 2, false);
		bench_scaling(3, 1, false);
		bench_scaling(3, 2, false);
		bench_scaling(0, 2, true);
	}
	pr_info("hmap_bench: done\n");
	return 0;
}

static void __exit hmap_bench_exit(void)
{
}

module_init(hmap_bench_init);
module_exit(hmap_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hmap benchmark: hmap vs rhashtable vs hashtable.h in the kernel");
MODULE_IMPORT_NS(HMAP_NS);
