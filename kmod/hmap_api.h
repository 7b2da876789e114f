/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What hmap_api.c shows the KUnit suites beyond <linux/hmap.h>.
 */
#ifndef _HMAP_API_H
#define _HMAP_API_H

#include <linux/atomic.h>

#if IS_ENABLED(CONFIG_KUNIT)
struct hmap;
struct hmap_core;

/* The last map id handed out; ids past U32_MAX are refused, not reused. */
extern atomic64_t hmap_next_id;
/* Shard @i's core, for tests that shape one shard (lock it for writes). */
struct hmap_core *hmap_shard_core(struct hmap *m, u32 i);
void hmap_shard_lock(struct hmap *m, u32 i);
void hmap_shard_unlock(struct hmap *m, u32 i);
/* Shard @i's sequence count, which every change lockless readers see bumps. */
unsigned int hmap_shard_seq(struct hmap *m, u32 i);
#endif

#endif /* _HMAP_API_H */
