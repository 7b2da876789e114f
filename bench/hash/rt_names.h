/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Second copies of lib/siphash.c and lib/xxhash.c, compiled with
 * -mfunction-return=thunk-extern, link under these names.
 */
#define __siphash_aligned rt___siphash_aligned
#define __siphash_unaligned rt___siphash_unaligned
#define siphash_1u64 rt_siphash_1u64
#define siphash_2u64 rt_siphash_2u64
#define siphash_3u64 rt_siphash_3u64
#define siphash_4u64 rt_siphash_4u64
#define siphash_1u32 rt_siphash_1u32
#define siphash_3u32 rt_siphash_3u32
#define __hsiphash_aligned rt___hsiphash_aligned
#define __hsiphash_unaligned rt___hsiphash_unaligned
#define hsiphash_1u32 rt_hsiphash_1u32
#define hsiphash_2u32 rt_hsiphash_2u32
#define hsiphash_3u32 rt_hsiphash_3u32
#define hsiphash_4u32 rt_hsiphash_4u32
#define xxh32 rt_xxh32
#define xxh64 rt_xxh64
#define xxh32_copy_state rt_xxh32_copy_state
#define xxh64_copy_state rt_xxh64_copy_state
#define xxh32_reset rt_xxh32_reset
#define xxh64_reset rt_xxh64_reset
#define xxh32_update rt_xxh32_update
#define xxh64_update rt_xxh64_update
#define xxh32_digest rt_xxh32_digest
#define xxh64_digest rt_xxh64_digest
