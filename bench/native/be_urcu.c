// SPDX-License-Identifier: GPL-2.0
/*
 * liburcu's RCU lock-free resizable hash table (cds_lfht), default
 * "memb" flavour (urcu.h; readers are registered, rcu_read_lock is a
 * per-thread counter update, inlined with _LGPL_SOURCE).  Every lookup,
 * insert and delete runs under rcu_read_lock as the API requires; inserts
 * use cds_lfht_add_unique (map semantics).  Deleted nodes wait on a
 * private list; a phase that deleted ends with one synchronize_rcu() and
 * frees them, as a bulk deleter would (timed).  Not call_rcu(): its worker
 * sleeps 10 ms between batches, so every rcu_barrier() waited >= 10 ms and
 * small maps, which repeat a phase hundreds of times, took minutes.
 * One malloc'ed node per entry (node, key, value, list link).
 * cds_lfht needs a caller-supplied hash: mixhash.h (seeded, 64-bit).
 *
 * With a hint the table is presized: 2^ceil(log2 n) buckets, no resizing.
 * Without a hint it starts at 1 bucket with CDS_LFHT_AUTO_RESIZE |
 * CDS_LFHT_ACCOUNTING (without accounting, growth is driven by chain
 * length alone and stalls: 10^6 inserts did not finish in 10 minutes);
 * resizes run in liburcu's worker thread, on the same pinned CPU.
 */
#define _LGPL_SOURCE
#include <urcu.h>
#include <urcu/rculfhash.h>

#define BE_NAME "urcu"
#define BE_HAS_HINT 1
#ifndef BE_HAS_NOHINT
#define BE_HAS_NOHINT 0
#endif
#include "driver.h"

typedef uint32_t u32;
typedef uint64_t u64;
#include "../../kmod/hmap_mixhash.h"

#define URCU_SEED 0x7572637573656564ULL

struct node {
	struct cds_lfht_node lfn;
	bkey_t k;
	bval_t v;
	struct node *next_free;		/* on pending, once deleted */
};

static struct cds_lfht *HT;
static struct node *pending;		/* deleted, waiting for a grace period */

static void free_pending(void)
{
	struct node *e, *next;

	for (e = pending; e; e = next) {
		next = e->next_free;
		free(e);
	}
	pending = NULL;
}

static inline unsigned long key_hash(const bkey_t *k)
{
#if WL == 1
	return mixhash_u64(k->w[0], URCU_SEED);
#else
	return mixhash(k, sizeof(*k), URCU_SEED);
#endif
}

static int match(struct cds_lfht_node *n, const void *key)
{
	const struct node *e = caa_container_of(n, struct node, lfn);

	return !memcmp(&e->k, key, sizeof(bkey_t));
}

static void be_init(void)
{
	rcu_register_thread();
}

static void be_create(size_t hint)
{
	unsigned long size = 1;

	if (hint) {
		while (size < hint)
			size <<= 1;
		HT = cds_lfht_new(size, size, size, 0, NULL);
	} else {
		HT = cds_lfht_new(1, 1, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, NULL);
	}
	if (!HT)
		die("cds_lfht_new failed", 0);
}

/* Untimed teardown: no reader can be running, so nodes go at once. */
static void be_destroy(void)
{
	struct cds_lfht_iter it;
	struct node *e;

	rcu_read_lock();
	cds_lfht_for_each_entry(HT, &it, e, lfn) {
		if (!cds_lfht_del(HT, &e->lfn)) {
			e->next_free = pending;
			pending = e;
		}
	}
	rcu_read_unlock();
	free_pending();
	if (cds_lfht_destroy(HT, NULL))
		die("cds_lfht_destroy failed", 0);
	HT = NULL;
}

static void be_insert(const bkey_t *k, const bval_t *v)
{
	struct node *e = (struct node *)malloc(sizeof(*e));
	struct cds_lfht_node *ret;

	if (!e)
		die("malloc failed", 0);
	cds_lfht_node_init(&e->lfn);
	e->k = *k;
	e->v = *v;
	rcu_read_lock();
	ret = cds_lfht_add_unique(HT, key_hash(k), match, &e->k, &e->lfn);
	rcu_read_unlock();
	if (ret != &e->lfn)
		die("duplicate insert", 0);
}

static bool be_lookup(const bkey_t *k, uint64_t *v0)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	bool found = false;

	rcu_read_lock();
	cds_lfht_lookup(HT, key_hash(k), match, k, &it);
	n = cds_lfht_iter_get_node(&it);
	if (n) {
		*v0 = caa_container_of(n, struct node, lfn)->v.w[0];
		found = true;
	}
	rcu_read_unlock();
	return found;
}

static bool be_delete(const bkey_t *k)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	bool ok = false;

	rcu_read_lock();
	cds_lfht_lookup(HT, key_hash(k), match, k, &it);
	n = cds_lfht_iter_get_node(&it);
	if (n && !cds_lfht_del(HT, n)) {
		struct node *e = caa_container_of(n, struct node, lfn);

		e->next_free = pending;
		pending = e;
		ok = true;
	}
	rcu_read_unlock();
	return ok;
}

static void be_sync(void)
{
	synchronize_rcu();
	free_pending();
}

static uint64_t be_self_bytes(void)
{
	return 0;
}
