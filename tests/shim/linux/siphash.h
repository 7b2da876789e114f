/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations matching the kernel's hsiphash ABI on 64-bit. The
 * implementation is the kernel's own lib/siphash.c from the installed
 * source, compiled separately (tests/shim/shim.mk).
 */
#ifndef _SHIM_LINUX_SIPHASH_H
#define _SHIM_LINUX_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	unsigned long key[2];
} hsiphash_key_t;

uint32_t __hsiphash_unaligned(const void *data, size_t len,
			      const hsiphash_key_t *key);
uint32_t hsiphash_1u32(uint32_t a, const hsiphash_key_t *key);
uint32_t hsiphash_2u32(uint32_t a, uint32_t b, const hsiphash_key_t *key);
uint32_t hsiphash_4u32(uint32_t a, uint32_t b, uint32_t c, uint32_t d,
		       const hsiphash_key_t *key);

/* x86_64 has efficient unaligned access: the kernel's inline goes here. */
static inline uint32_t hsiphash(const void *data, size_t len,
				const hsiphash_key_t *key)
{
	return __hsiphash_unaligned(data, len, key);
}

#endif
