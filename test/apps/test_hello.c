/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * examples/hello, run as a program: the raw queue API round trip on the
 * device model (PF and VF), checked by hello itself with zlib.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "apps_util.h"

#define HELLO "examples/hello/hello"

static void
run_hello(const char *spec)
{
	struct apps_cmd c;
	struct apps_result r;

	apps_cmd_init(&c, HELLO);
	apps_cmd_eal(&c, 64, "0");
	if (spec != NULL) {
		apps_cmd_add(&c, "--");
		apps_cmd_add(&c, spec);
	}
	assert_int_equal(apps_run(&c, NULL, NULL, 120, &r), 0);
	if (r.status != 0)
		apps_result_dump(&c, &r);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "zlib inflates it back to the input: ok"));
	assert_non_null(strstr(r.out, "decompressed"));
	assert_non_null(strstr(r.out, "device model"));
	apps_result_free(&r);
}

static void
test_hello_default(void **state)
{
	(void)state;
	run_hello(NULL);
}

static void
test_hello_vf(void **state)
{
	(void)state;
	run_hello("model:vf=1,queues=2");
}

/* hello with one argument after "--"; the caller checks and frees @p r. */
static void
run_hello_arg(struct apps_cmd *c, const char *arg, struct apps_result *r)
{
	apps_cmd_init(c, HELLO);
	apps_cmd_eal(c, 64, "0");
	apps_cmd_add(c, "--");
	apps_cmd_add(c, arg);
	assert_int_equal(apps_run(c, NULL, NULL, 120, r), 0);
}

static void
test_hello_bad_spec(void **state)
{
	struct apps_cmd c;
	struct apps_result r;

	(void)state;
	run_hello_arg(&c, "model:nosuchkey=1", &r);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "cannot attach"));
	apps_result_free(&r);
}

static void
test_hello_help(void **state)
{
	struct apps_cmd c;
	struct apps_result r;

	(void)state;
	run_hello_arg(&c, "--help", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: hello"));
	assert_null(strstr(r.err, "cannot attach"));
	apps_result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_default),
		cmocka_unit_test(test_hello_vf),
		cmocka_unit_test(test_hello_bad_spec),
		cmocka_unit_test(test_hello_help),
	};

	if (!apps_built(HELLO)) {
		fprintf(stderr, "hello is not built: skipped\n");
		return 77;
	}
	return cmocka_run_group_tests_name("hello", tests, NULL, NULL);
}
