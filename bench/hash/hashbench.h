/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between the driver (bench.c, plain userspace) and the
 * translation units built against the kernel's hash headers with
 * kernel-like code generation (loops.c, selftest.c).
 */
#ifndef _HASHBENCH_H
#define _HASHBENCH_H

#include <stddef.h>
#include <stdint.h>

/* Hash n keys of the case's size, stored back to back, passes times. */
typedef uint64_t (*hb_loop_fn)(const unsigned char *keys, uint32_t n,
			       uint64_t passes);

struct hb_row {
	const char *name;	/* table row label */
	const char *note;
};

struct hb_case {
	int row;		/* index into hb_rows */
	uint32_t size;		/* key size in bytes */
	const char *fn;		/* what is called at this size */
	hb_loop_fn tp;		/* independent hashes */
	hb_loop_fn lat;		/* each key xored with the previous hash */
};

extern const struct hb_row hb_rows[];
extern const int hb_nrows;
extern const struct hb_case hb_cases[];
extern const int hb_ncases;
/* The out-of-line cases again, with an SRSO-style return thunk. */
extern const struct hb_case hb_rt_cases[];
extern const int hb_rt_ncases;

/* Families for the quality check; each uses its generic entry point. */
enum {
	HB_IDENTITY,
	HB_HSIPHASH,
	HB_SIPHASH,
	HB_XXH64,
	HB_JHASH,
	HB_MIXHASH,
	HB_NFAMILIES
};

const char *hb_family_name(int family);
int hb_family_bits(int family);		/* 32 or 64 output bits */
uint64_t hb_hash(int family, const void *key, uint32_t len);

/* Per-map keys of all candidates, derived from two random words. */
void hb_set_seeds(uint64_t s0, uint64_t s1);

/* Known answers and cross-checks; returns the number of failures. */
int hb_selftest(void);

#endif /* _HASHBENCH_H */
