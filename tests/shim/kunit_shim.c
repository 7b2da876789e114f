// SPDX-License-Identifier: GPL-2.0
/*
 * Runner for the KUnit shim: runs every registered suite and case (each
 * parameter of a parameterized case), prints one TAP line per case, and
 * checks that a case leaves no allocation behind.
 */
#include <stdarg.h>
#include <stdlib.h>
#include "kunit/test.h"

long shim_nr_allocated;
long shim_fail_nth;
unsigned long shim_alloc_calls;
u64 shim_rng_state = 42;
void *shim_stub_real, *shim_stub_repl;

static struct kunit_suite *suites[64];
static int nsuites;
static struct kunit *current_test;
static int tap_n, tap_failed;

void shim_kunit_register(struct kunit_suite *suite)
{
	suites[nsuites++] = suite;
}

struct kunit *kunit_get_current_test(void)
{
	return current_test;
}

void shim_kunit_fail(struct kunit *test, const char *file, int line,
		     const char *fmt, ...)
{
	va_list ap;

	test->failed = true;
	fprintf(stderr, "    # %s: FAIL at %s:%d: ", test->name, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int kunit_add_action_or_reset(struct kunit *test, kunit_action_t action, void *ctx)
{
	if (test->nactions == 256) {
		action(ctx);
		return -ENOMEM;
	}
	test->actions[test->nactions] = action;
	test->action_ctx[test->nactions++] = ctx;
	return 0;
}

static void free_action(void *p)
{
	kvfree(p);
}

void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	long fail = shim_fail_nth;
	void *p;

	shim_fail_nth = 0;	/* test scaffolding never takes the budget */
	p = kvzalloc(size, gfp);
	shim_fail_nth = fail;
	if (p && kunit_add_action_or_reset(test, free_action, p))
		return NULL;
	return p;
}

void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size, gfp_t gfp)
{
	return kunit_kzalloc(test, n * size, gfp);
}

static void stub_reset(void *unused)
{
	(void)unused;
	shim_stub_real = NULL;
	shim_stub_repl = NULL;
}

void kunit_activate_static_stub_ptr(struct kunit *test, void *real, void *repl)
{
	shim_stub_real = real;
	shim_stub_repl = repl;
	kunit_add_action_or_reset(test, stub_reset, NULL);
}

void kunit_deactivate_static_stub(struct kunit *test, void *real)
{
	(void)test;
	(void)real;
	stub_reset(NULL);
}

static void run_one(struct kunit_suite *s, struct kunit_case *c,
		    const void *param, const char *desc)
{
	struct kunit test = { .name = c->name, .param_value = param };
	long before = shim_nr_allocated;
	int i;

	current_test = &test;
	shim_fail_nth = 0;
	if (!setjmp(test.abort)) {
		if (!s->init || !s->init(&test))
			c->run_case(&test);
	}
	if (s->exit)
		s->exit(&test);
	for (i = test.nactions - 1; i >= 0; i--)
		test.actions[i](test.action_ctx[i]);
	shim_fail_nth = 0;
	if (shim_nr_allocated != before) {
		fprintf(stderr, "    # %s: %ld allocations leaked\n", c->name,
			shim_nr_allocated - before);
		test.failed = true;
	}
	current_test = NULL;
	tap_n++;
	tap_failed += test.failed;
	printf("%sok %d %s.%s%s%s\n", test.failed ? "not " : "", tap_n, s->name,
	       c->name, desc ? " # " : "", desc ? desc : "");
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	char desc[KUNIT_PARAM_DESC_SIZE];
	struct kunit_case *c;
	const void *p;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < nsuites; i++) {
		if (filter && !strstr(suites[i]->name, filter))
			continue;
		for (c = suites[i]->test_cases; c->run_case; c++) {
			if (!c->generate_params) {
				run_one(suites[i], c, NULL, NULL);
				continue;
			}
			desc[0] = 0;
			for (p = c->generate_params(NULL, desc); p;
			     p = c->generate_params(p, desc)) {
				run_one(suites[i], c, p, desc);
				desc[0] = 0;
			}
		}
	}
	fprintf(stderr, "kunit-shim: %d cases, %d failed\n", tap_n, tap_failed);
	return tap_failed ? 1 : 0;
}
