/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's headers to compile lib/siphash.c,
 * lib/xxhash.c and include/linux/{siphash,xxhash,jhash}.h in userspace,
 * configured as on x86_64: 64-bit, little-endian,
 * CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS and CONFIG_DCACHE_WORD_ACCESS.
 *
 * The Makefile generates one-line stand-ins for <linux/types.h>,
 * <linux/kernel.h>, <linux/unaligned.h>, ... that include this file, and
 * puts them ahead of $(KSRC)/include, so the kernel's own hash headers and
 * .c files are used unmodified while everything they pull in lands here.
 */
#ifndef _HMAP_KSHIM_H
#define _HMAP_KSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
typedef uint16_t __le16;
typedef uint32_t __le32;
typedef uint64_t __le64;

#define CONFIG_64BIT 1
#define CONFIG_X86_64 1
#define CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS 1
#define CONFIG_DCACHE_WORD_ACCESS 1
#define BITS_PER_LONG 64
#define __LITTLE_ENDIAN 1234

/* IS_ENABLED(CONFIG_FOO): 1 if the macro is defined as 1, else 0. */
#define __hb_placeholder_1 0,
#define __hb_second(ignored, val, ...) val
#define __hb_is_defined(x) ___hb_is_defined(x)
#define ___hb_is_defined(val) ____hb_is_defined(__hb_placeholder_##val)
#define ____hb_is_defined(arg1_or_junk) __hb_second(arg1_or_junk 1, 0)
#define IS_ENABLED(option) __hb_is_defined(option)

#define __force
#define __aligned(x) __attribute__((__aligned__(x)))
#define fallthrough __attribute__((__fallthrough__))
#define EINVAL 22
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define MODULE_LICENSE(x)
#define MODULE_DESCRIPTION(x)

static inline u64 rol64(u64 w, unsigned int s)
{
	return (w << (s & 63)) | (w >> ((-s) & 63));
}

static inline u32 rol32(u32 w, unsigned int s)
{
	return (w << (s & 31)) | (w >> ((-s) & 31));
}

/* Little-endian host: byte-order conversions are the identity. */
#define le16_to_cpu(x) ((u16)(x))
#define le32_to_cpu(x) ((u32)(x))
#define le64_to_cpu(x) ((u64)(x))
static inline u16 le16_to_cpup(const __le16 *p) { return *p; }
static inline u32 le32_to_cpup(const __le32 *p) { return *p; }
static inline u64 le64_to_cpup(const __le64 *p) { return *p; }

static inline u16 get_unaligned_le16(const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u32 get_unaligned_le32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 get_unaligned_le64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* <linux/unaligned/packed_struct.h>, as used by jhash(). */
static inline u32 __get_unaligned_cpu32(const void *p)
{
	return get_unaligned_le32(p);
}

/*
 * <asm/word-at-a-time.h> and <linux/dcache.h>.  The kernel's
 * load_unaligned_zeropad() may read past the end of the buffer and relies on
 * an exception-table fixup at a page boundary; here every buffer handed to
 * the hashes is padded by at least 8 bytes, so a plain load is equivalent.
 */
static inline unsigned long load_unaligned_zeropad(const void *addr)
{
	unsigned long v;

	memcpy(&v, addr, sizeof(v));
	return v;
}
#define bytemask_from_count(cnt) (~(~0ul << (cnt) * 8))

#endif /* _HMAP_KSHIM_H */
