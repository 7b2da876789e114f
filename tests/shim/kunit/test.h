/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subset of KUnit that hmap's suites use, for running the very same
 * kunit/ suites natively. Results print as TAP lines.
 */
#ifndef _SHIM_KUNIT_TEST_H
#define _SHIM_KUNIT_TEST_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "../hmap_internal.h"

#define KUNIT_PARAM_DESC_SIZE 128

struct kunit;
typedef void (*kunit_action_t)(void *);

struct kunit {
	const char *name;
	bool failed;
	jmp_buf abort;
	const void *param_value;
	void *priv;
	kunit_action_t actions[256];
	void *action_ctx[256];
	int nactions;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
};

struct kunit_suite {
	const char name[256];
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

#define KUNIT_CASE(fn)			{ .run_case = fn, .name = #fn }
#define KUNIT_CASE_SLOW(fn)		KUNIT_CASE(fn)
#define KUNIT_CASE_PARAM(fn, gen)	{ .run_case = fn, .name = #fn, .generate_params = gen }

#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
static const void *name##_gen_params(const void *prev, char *desc)	\
{									\
	typeof((array)[0]) *__next = prev ? ((typeof(__next))prev) + 1 : (array); \
	void (*__get_desc)(typeof(__next), char *) = get_desc;		\
	if (__next - (array) < (long)(sizeof(array) / sizeof((array)[0]))) { \
		if (__get_desc)						\
			__get_desc(__next, desc);			\
		return __next;						\
	}								\
	return NULL;							\
}

void shim_kunit_register(struct kunit_suite *suite);
void shim_kunit_fail(struct kunit *test, const char *file, int line,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define __KUNIT_CONCAT2(a, b) a##b
#define __KUNIT_CONCAT(a, b) __KUNIT_CONCAT2(a, b)
#define kunit_test_suites(...)						\
static struct kunit_suite *__KUNIT_CONCAT(__shim_suites_, __LINE__)[] = { __VA_ARGS__ }; \
__attribute__((constructor)) static void __KUNIT_CONCAT(__shim_reg_, __LINE__)(void) \
{									\
	for (size_t i = 0; i < sizeof(__KUNIT_CONCAT(__shim_suites_, __LINE__)) / sizeof(void *); i++) \
		shim_kunit_register(__KUNIT_CONCAT(__shim_suites_, __LINE__)[i]); \
}
#define kunit_test_suite(s) kunit_test_suites(&(s))

#define __SHIM_CHECK(test, cond, abort_case, fmt, ...) do {		\
	if (!(cond)) {							\
		shim_kunit_fail(test, __FILE__, __LINE__, fmt, ##__VA_ARGS__); \
		if (abort_case)						\
			longjmp((test)->abort, 1);			\
	}								\
} while (0)

#define __SHIM_BINARY(test, a, op, b, ab, fmt, ...) do {		\
	typeof(a) __a = (a);						\
	typeof(b) __b = (b);						\
	__SHIM_CHECK(test, __a op __b, ab,				\
		     "%s " #op " %s (%lld vs %lld) " fmt, #a, #b,	\
		     (long long)(uintptr_t)__a, (long long)(uintptr_t)__b, ##__VA_ARGS__); \
} while (0)

#define KUNIT_EXPECT_EQ(t, a, b)	__SHIM_BINARY(t, a, ==, b, 0, "")
#define KUNIT_EXPECT_NE(t, a, b)	__SHIM_BINARY(t, a, !=, b, 0, "")
#define KUNIT_EXPECT_LT(t, a, b)	__SHIM_BINARY(t, a, <, b, 0, "")
#define KUNIT_EXPECT_LE(t, a, b)	__SHIM_BINARY(t, a, <=, b, 0, "")
#define KUNIT_EXPECT_GT(t, a, b)	__SHIM_BINARY(t, a, >, b, 0, "")
#define KUNIT_EXPECT_GE(t, a, b)	__SHIM_BINARY(t, a, >=, b, 0, "")
#define KUNIT_EXPECT_EQ_MSG(t, a, b, fmt, ...) __SHIM_BINARY(t, a, ==, b, 0, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_EQ(t, a, b)	__SHIM_BINARY(t, (const void *)(a), ==, (const void *)(b), 0, "")
#define KUNIT_EXPECT_TRUE(t, c)		__SHIM_CHECK(t, (c), 0, "expected %s", #c)
#define KUNIT_EXPECT_FALSE(t, c)	__SHIM_CHECK(t, !(c), 0, "expected !(%s)", #c)
#define KUNIT_EXPECT_TRUE_MSG(t, c, fmt, ...) __SHIM_CHECK(t, (c), 0, "expected %s: " fmt, #c, ##__VA_ARGS__)
#define KUNIT_EXPECT_NULL(t, p)		__SHIM_CHECK(t, (p) == NULL, 0, "expected %s == NULL", #p)
#define KUNIT_EXPECT_NOT_NULL(t, p)	__SHIM_CHECK(t, (p) != NULL, 0, "expected %s != NULL", #p)
#define KUNIT_EXPECT_MEMEQ(t, a, b, n)	__SHIM_CHECK(t, !memcmp(a, b, n), 0, "memory differs: %s %s", #a, #b)
#define KUNIT_EXPECT_STREQ(t, a, b)	__SHIM_CHECK(t, !strcmp(a, b), 0, "\"%s\" != \"%s\"", a, b)
#define KUNIT_ASSERT_EQ(t, a, b)	__SHIM_BINARY(t, a, ==, b, 1, "")
#define KUNIT_ASSERT_NE(t, a, b)	__SHIM_BINARY(t, a, !=, b, 1, "")
#define KUNIT_ASSERT_LT(t, a, b)	__SHIM_BINARY(t, a, <, b, 1, "")
#define KUNIT_ASSERT_LE(t, a, b)	__SHIM_BINARY(t, a, <=, b, 1, "")
#define KUNIT_ASSERT_GT(t, a, b)	__SHIM_BINARY(t, a, >, b, 1, "")
#define KUNIT_ASSERT_GE(t, a, b)	__SHIM_BINARY(t, a, >=, b, 1, "")
#define KUNIT_ASSERT_EQ_MSG(t, a, b, fmt, ...) __SHIM_BINARY(t, a, ==, b, 1, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_TRUE(t, c)		__SHIM_CHECK(t, (c), 1, "expected %s", #c)
#define KUNIT_ASSERT_FALSE(t, c)	__SHIM_CHECK(t, !(c), 1, "expected !(%s)", #c)
#define KUNIT_ASSERT_PTR_EQ(t, a, b)	__SHIM_BINARY(t, (const void *)(a), ==, (const void *)(b), 1, "")
#define KUNIT_ASSERT_NOT_NULL(t, p)	__SHIM_CHECK(t, (p) != NULL, 1, "expected %s != NULL", #p)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(t, p) KUNIT_ASSERT_NOT_NULL(t, p)
#define KUNIT_FAIL(t, fmt, ...)		__SHIM_CHECK(t, 0, 0, fmt, ##__VA_ARGS__)

void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp);
void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size, gfp_t gfp);
int kunit_add_action_or_reset(struct kunit *test, kunit_action_t action, void *ctx);
void kunit_activate_static_stub_ptr(struct kunit *test, void *real, void *repl);
#define kunit_activate_static_stub(test, real, repl) \
	kunit_activate_static_stub_ptr(test, (void *)(real), (void *)(repl))
void kunit_deactivate_static_stub(struct kunit *test, void *real);
struct kunit *kunit_get_current_test(void);

#define KUNIT_DEFINE_ACTION_WRAPPER(wrapper, orig, arg_type)	\
	static void wrapper(void *in) { orig((arg_type)in); }

#define MODULE_LICENSE(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_IMPORT_NS(x)

#endif /* _SHIM_KUNIT_TEST_H */
