/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What hmap_api.c shows the KUnit suites beyond <linux/hmap.h>.
 */
#ifndef _HMAP_API_H
#define _HMAP_API_H

#include <linux/atomic.h>

#if IS_ENABLED(CONFIG_KUNIT)
/* The last map id handed out; ids past U32_MAX are refused, not reused. */
extern atomic64_t hmap_next_id;
#endif

#endif /* _HMAP_API_H */
