/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd-perf, run as a program on the device model: every mode with its JSON
 * output parsed and checked, several devices side by side, stateful
 * runs, fallback counts, CSV, --list, the default run (the README's
 * quick start), errors turned into a failing exit status, bad options.
 */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "apps_util.h"

#define WD_PERF "app/wd-perf/wd-perf"
#define MEM_MB 256
#define TIMEOUT 240

static char *tmpdir;

static int
setup(void **state)
{
	(void)state;
	tmpdir = apps_tmpdir("perf");
	return tmpdir == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	apps_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

/* Run wd-perf with the test EAL arguments and app options (NULL-terminated). */
static void
run_perf(struct apps_cmd *c, struct apps_result *r, const char *lcores, ...)
{
	va_list ap;
	const char *a;

	apps_cmd_init(c, WD_PERF);
	apps_cmd_eal(c, MEM_MB, lcores);
	apps_cmd_add(c, "--log-level=model.*:critical");
	apps_cmd_add(c, "--");
	va_start(ap, lcores);
	while ((a = va_arg(ap, const char *)) != NULL)
		apps_cmd_add(c, a);
	va_end(ap);
	assert_int_equal(apps_run(c, NULL, NULL, TIMEOUT, r), 0);
	assert_false(r->timed_out);
}

#define CHECK_STATUS(c, r, want) do { \
	if ((r)->status != (want)) \
		apps_result_dump((c), (r)); \
	assert_int_equal((r)->status, (want)); \
} while (0)

static json_t *
load_json(const char *path)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);

	if (j == NULL)
		fprintf(stderr, "%s: JSON error line %d: %s\n", path, jerr.line, jerr.text);
	assert_non_null(j);
	assert_true(json_is_array(j));
	return j;
}

static double
num(const json_t *row, const char *key)
{
	const json_t *v = json_object_get(row, key);

	if (v == NULL || !json_is_number(v)) {
		fprintf(stderr, "field %s is %s\n", key, v == NULL ? "missing" : "not a number");
		fail();
	}
	return json_number_value(v);
}

static const char *
str(const json_t *row, const char *key)
{
	const json_t *v = json_object_get(row, key);

	if (v == NULL || !json_is_string(v)) {
		fprintf(stderr, "field %s is %s\n", key, v == NULL ? "missing" : "not a string");
		fail();
	}
	return json_string_value(v);
}

static bool
is_null(const json_t *row, const char *key)
{
	const json_t *v = json_object_get(row, key);

	assert_non_null(v); /* present, maybe null */
	return json_is_null(v);
}

static bool
is_aggregate(const json_t *row)
{
	const json_t *l = json_object_get(row, "lcore");

	assert_non_null(l);
	if (json_is_string(l)) {
		assert_string_equal(json_string_value(l), "all");
		return true;
	}
	assert_true(json_is_integer(l));
	return false;
}

/* Fields every row carries, with the types issue 6 names. */
static void
check_common(const json_t *row, const char *mode)
{
	static const char *const numbers[] = {
		"size", "bytes_in", "bytes_out", "fallback_ops", "errors", "ops", "hw_ops",
		"sw_ops", "verified",
	};
	static const char *const maybe[] = {
		"gbps_in", "gbps_out", "ops_per_sec", "ratio", "cycles_per_op", "lat_p50_us",
		"lat_p99_us", "lat_p999_us",
	};

	assert_true(json_is_object(row));
	assert_true(strlen(str(row, "device")) > 0);
	assert_string_equal(str(row, "mode"), mode);
	(void)str(row, "format");
	assert_true(strcmp(str(row, "op"), "compress") == 0 ||
		    strcmp(str(row, "op"), "decompress") == 0);
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		assert_true(num(row, numbers[i]) >= 0);
	for (size_t i = 0; i < sizeof(maybe) / sizeof(maybe[0]); i++)
		if (!is_null(row, maybe[i]))
			assert_true(num(row, maybe[i]) >= 0);
	(void)is_aggregate(row);
}

/* A successful run's row: work done, no error, outputs checked. */
static void
check_ok_row(const json_t *row)
{
	double size = num(row, "size"), ops = num(row, "ops");

	assert_true(ops > 0);
	assert_int_equal((int)num(row, "errors"), 0);
	assert_true(num(row, "bytes_in") > 0);
	assert_true(num(row, "bytes_out") > 0);
	assert_true(num(row, "verified") > 0);
	assert_int_equal((uint64_t)num(row, "hw_ops") + (uint64_t)num(row, "sw_ops"),
			 (uint64_t)ops);
	if (strcmp(str(row, "op"), "compress") == 0 && !json_is_true(json_object_get(row,
										  "stateful")))
		assert_true(fabs(num(row, "bytes_in") - ops * size) < 0.5);
	if (strcmp(str(row, "op"), "decompress") == 0 &&
	    !json_is_true(json_object_get(row, "stateful")))
		assert_true(fabs(num(row, "bytes_out") - ops * size) < 0.5);
}

static unsigned int
count_rows(const json_t *arr, const char *device, const char *op, double size, bool agg)
{
	unsigned int n = 0;
	size_t i;
	json_t *row;

	json_array_foreach(arr, i, row) {
		if (device != NULL && strcmp(str(row, "device"), device) != 0)
			continue;
		if (op != NULL && strcmp(str(row, "op"), op) != 0)
			continue;
		if (size > 0 && num(row, "size") != size)
			continue;
		if (is_aggregate(row) != agg)
			continue;
		n++;
	}
	return n;
}

static const json_t *
find_agg(const json_t *arr, const char *label, const char *op, double size)
{
	size_t i;
	json_t *row;

	json_array_foreach(arr, i, row) {
		if (is_aggregate(row) && strcmp(str(row, "op"), op) == 0 &&
		    num(row, "size") == size &&
		    (label == NULL || strcmp(str(row, "label"), label) == 0))
			return row;
	}
	fprintf(stderr, "no aggregate row for %s %s %.0f\n", label ? label : "*", op, size);
	fail();
	return NULL;
}

/* ---------------------------------------------------------------- */

static void
test_mode_throughput(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char json[1100];
	json_t *arr, *row;
	size_t i;

	(void)state;
	snprintf(json, sizeof(json), "%s/tp.json", tmpdir);
	run_perf(&c, &r, NULL, "--dev", "model", "--mode", "throughput", "--size", "4K,16K",
		 "--duration", "0.2", "--json", json, "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 0);
	assert_non_null(strstr(r.out, "Gbps in"));
	arr = load_json(json);
	/* 2 sizes x (compress, decompress) x (one lcore row + the aggregate) */
	assert_int_equal(count_rows(arr, NULL, NULL, 0, true), 4);
	assert_int_equal(json_array_size(arr) % 4, 0);
	json_array_foreach(arr, i, row) {
		check_common(row, "throughput");
		check_ok_row(row);
		assert_string_equal(str(row, "device"), "model0");
		assert_true(num(row, "gbps_in") > 0);
		assert_true(num(row, "gbps_out") > 0);
		assert_true(num(row, "ops_per_sec") > 0);
		assert_true(num(row, "cycles_per_op") > 0);
		/* text data: the real engine compresses it well below its size */
		assert_true(num(row, "ratio") > 0.1 && num(row, "ratio") < 0.8);
		assert_true(num(row, "hw_ops") > 0);
	}
	/* decompress reads what compress made: the same ratio, the same bytes */
	assert_true(fabs(num(find_agg(arr, NULL, "compress", 4096), "ratio") -
			 num(find_agg(arr, NULL, "decompress", 4096), "ratio")) < 0.05);
	json_decref(arr);
	apps_result_free(&r);
}

static void
test_mode_latency(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char json[1100];
	json_t *arr, *row;
	size_t i;

	(void)state;
	snprintf(json, sizeof(json), "%s/lat.json", tmpdir);
	run_perf(&c, &r, NULL, "--dev", "model", "--mode", "latency", "--size", "4K",
		 "--op", "compress", "--duration", "0.2", "--json", json, "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 0);
	assert_non_null(strstr(r.out, "p99.9 us"));
	arr = load_json(json);
	assert_int_equal(count_rows(arr, "model0", "compress", 4096, true), 1);
	assert_int_equal(count_rows(arr, "model0", "decompress", 0, true), 0);
	json_array_foreach(arr, i, row) {
		double p50 = num(row, "lat_p50_us"), p99 = num(row, "lat_p99_us");
		double p999 = num(row, "lat_p999_us"), max = num(row, "lat_max_us");

		check_common(row, "latency");
		check_ok_row(row);
		assert_true(p50 > 0);
		assert_true(p50 <= p99 && p99 <= p999 && p999 <= max);
		/* latency mode: one op in flight */
		assert_int_equal((int)num(row, "inflight"), 1);
		assert_int_equal((int)num(row, "burst"), 1);
	}
	json_decref(arr);
	apps_result_free(&r);
}

static void
test_mode_cyclecount(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char json[1100];
	json_t *arr, *row;
	size_t i;

	(void)state;
	snprintf(json, sizeof(json), "%s/cc.json", tmpdir);
	/* dpdk-test-compress-perf's spelling of the mode */
	run_perf(&c, &r, NULL, "--dev", "model:engine=store", "--ptest", "pmd-cyclecount",
		 "--size", "4K", "--iterations", "1", "--cc-delay-us", "50", "--segments", "4",
		 "--json", json, "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 0);
	assert_non_null(strstr(r.out, "enq cyc"));
	arr = load_json(json);
	assert_int_equal(count_rows(arr, NULL, NULL, 0, true), 2);
	json_array_foreach(arr, i, row) {
		double enq = num(row, "enq_cycles_per_op"), deq = num(row, "deq_cycles_per_op");

		check_common(row, "cyclecount");
		check_ok_row(row);
		assert_true(enq > 0 && deq > 0);
		assert_true(fabs(num(row, "cycles_per_op") - (enq + deq)) <=
			    1 + 1e-6 * (enq + deq));
		/* wall-clock rates make no sense with the enqueue/dequeue delay */
		assert_true(is_null(row, "gbps_in"));
		assert_true(is_null(row, "lat_p50_us"));
		assert_int_equal((int)num(row, "segments"), 4);
		/* the store engine writes stored blocks: no smaller than the input */
		if (strcmp(str(row, "op"), "compress") == 0)
			assert_true(num(row, "ratio") >= 1.0);
	}
	json_decref(arr);
	apps_result_free(&r);
}

static void
test_mode_verify_stateful(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char json[1100];
	json_t *arr, *row;
	size_t i;

	(void)state;
	snprintf(json, sizeof(json), "%s/verify.json", tmpdir);
	run_perf(&c, &r, NULL, "--dev", "model", "--mode", "verify", "--format", "gzip",
		 "--stateful", "--chunk", "5000", "--size", "40000", "--segments", "3",
		 "--iterations", "1", "--inflight", "8", "--burst", "4", "--json", json,
		 "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 0);
	arr = load_json(json);
	assert_int_equal(count_rows(arr, NULL, NULL, 0, true), 2);
	json_array_foreach(arr, i, row) {
		assert_int_equal((int)num(row, "burst"), 4);
		assert_int_equal((int)num(row, "inflight"), 8);
		check_common(row, "verify");
		check_ok_row(row);
		assert_true(json_is_true(json_object_get(row, "stateful")));
		assert_string_equal(str(row, "format"), "gzip");
		/* 40000 bytes in ops of 5000: 8 ops per request (compress) */
		if (strcmp(str(row, "op"), "compress") == 0)
			assert_true(num(row, "ops") >= 8 * num(row, "requests"));
		/* every request's output was checked with zlib */
		assert_true(num(row, "verified") >= num(row, "requests"));
		assert_int_equal((int)num(row, "verify_failures"), 0);
	}
	json_decref(arr);
	apps_result_free(&r);
	/*
	 * A lower --inflight alone takes the default burst (32) down with it;
	 * with --json -, stdout is the JSON document and nothing else.
	 */
	run_perf(&c, &r, NULL, "--dev", "model", "--op", "compress", "--size", "4K",
		 "--iterations", "1", "--inflight", "4", "--json", "-", "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 0);
	arr = json_loads(r.out, 0, NULL);
	assert_non_null(arr);
	assert_true(json_array_size(arr) > 0);
	json_array_foreach(arr, i, row) {
		assert_int_equal((int)num(row, "burst"), 4);
		assert_int_equal((int)num(row, "inflight"), 4);
	}
	json_decref(arr);
	apps_result_free(&r);
}

static void
test_side_by_side_and_csv(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char json[1100], csv[1100];
	json_t *arr;
	char *text, *line, *save = NULL;
	size_t len;
	unsigned int lines = 0;

	(void)state;
	snprintf(json, sizeof(json), "%s/sbs.json", tmpdir);
	snprintf(csv, sizeof(csv), "%s/sbs.csv", tmpdir);
	run_perf(&c, &r, NULL, "--dev", "model:engine=store", "--dev", "model:engine=real",
		 "--dev", "sw", "--size", "4K,64K", "--duration", "0.1", "--json", json,
		 "--csv", csv, "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 0);
	assert_non_null(strstr(r.out, "side by side"));
	arr = load_json(json);
	/* 3 devices x 2 sizes x 2 directions */
	assert_int_equal(count_rows(arr, NULL, NULL, 0, true), 12);
	assert_int_equal(count_rows(arr, "sw", NULL, 0, true), 4);
	assert_true(num(find_agg(arr, "model0:engine=store", "compress", 65536), "ratio") >= 1.0);
	assert_true(num(find_agg(arr, "model1:engine=real", "compress", 65536), "ratio") < 0.8);
	assert_true(num(find_agg(arr, "sw", "compress", 4096), "hw_ops") == 0);
	assert_true(num(find_agg(arr, "sw", "compress", 4096), "sw_ops") > 0);
	assert_string_equal(str(find_agg(arr, "model0:engine=store", "compress", 4096), "spec"),
			    "model:engine=store");

	/* CSV: a header with the same field names, one line per JSON row */
	text = apps_read_file(csv, &len);
	assert_non_null(text);
	line = strtok_r(text, "\n", &save);
	assert_non_null(line);
	assert_non_null(strstr(line, "device,"));
	assert_non_null(strstr(line, ",lcore,"));
	assert_non_null(strstr(line, ",gbps_in,gbps_out,ops_per_sec,ratio,cycles_per_op,"));
	assert_non_null(strstr(line, ",lat_p50_us,lat_p99_us,lat_p999_us,"));
	assert_non_null(strstr(line, ",fallback_ops,"));
	assert_non_null(strstr(line, ",errors"));
	while ((line = strtok_r(NULL, "\n", &save)) != NULL)
		lines++;
	assert_int_equal(lines, json_array_size(arr));
	free(text);
	json_decref(arr);
	apps_result_free(&r);
}

/* Two worker lcores spread over two devices by the scheduler: per-lcore rows and the sum. */
static void
test_two_lcores_spread(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char json[1100];
	json_t *arr, *row;
	size_t i;
	double ops = 0, bytes = 0, errors = 0;
	const json_t *agg;
	bool lc1 = false, lc2 = false;

	(void)state;
	snprintf(json, sizeof(json), "%s/spread.json", tmpdir);
	run_perf(&c, &r, "3", "--dev", "model", "--dev", "model:engine=store", "--spread",
		 "--op", "compress", "--size", "4K", "--iterations", "1", "--inflight", "16",
		 "--burst", "8",
		 "--json", json, "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 0);
	arr = load_json(json);
	assert_int_equal(json_array_size(arr), 3);
	json_array_foreach(arr, i, row) {
		check_common(row, "throughput");
		check_ok_row(row);
		if (is_aggregate(row))
			continue;
		lc1 |= json_integer_value(json_object_get(row, "lcore")) == 1;
		lc2 |= json_integer_value(json_object_get(row, "lcore")) == 2;
		ops += num(row, "ops");
		bytes += num(row, "bytes_in");
		errors += num(row, "errors");
	}
	assert_true(lc1 && lc2);
	agg = find_agg(arr, NULL, "compress", 4096);
	assert_true(num(agg, "ops") == ops);
	assert_true(num(agg, "bytes_in") == bytes);
	assert_true(num(agg, "errors") == errors);
	json_decref(arr);
	apps_result_free(&r);
}

/* Raw deflate decompression is not in v2 hardware: it runs in software and is counted. */
static void
test_fallback_counts(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char json[1100];
	json_t *arr;
	const json_t *row;

	(void)state;
	snprintf(json, sizeof(json), "%s/fb.json", tmpdir);
	run_perf(&c, &r, NULL, "--dev", "model", "--format", "deflate", "--op", "decompress",
		 "--size", "8K", "--iterations", "2", "--json", json, "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 0);
	arr = load_json(json);
	row = find_agg(arr, NULL, "decompress", 8192);
	check_ok_row(row);
	assert_true(num(row, "sw_ops") > 0);
	assert_true(num(row, "fallback_ops") > 0);
	assert_true(num(row, "fallback_unsupported") == num(row, "fallback_ops"));
	json_decref(arr);
	apps_result_free(&r);
}

/*
 * Failing ops (the model's fault injection) make the exit status non-zero.
 * Without a fallback policy the device's errors reach the ops (with the
 * default policy wd_comp may redo such ops in software).
 */
static void
test_errors_fail_the_run(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char json[1100];
	json_t *arr;
	const json_t *row;

	(void)state;
	snprintf(json, sizeof(json), "%s/err.json", tmpdir);
	run_perf(&c, &r, NULL, "--dev", "model:fail=3,fail_status=0x10", "--fallback", "none",
		 "--op", "compress", "--size", "4K", "--iterations", "1", "--json", json,
		 "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 1);
	assert_non_null(strstr(r.err, "op failed"));
	arr = load_json(json);
	row = find_agg(arr, NULL, "compress", 4096);
	assert_int_equal((int)num(row, "errors"), 3);
	assert_int_equal((int)num(row, "sw_ops"), 0);
	json_decref(arr);
	apps_result_free(&r);
}

/*
 * A completion the device never writes (the first one): the driver's
 * deadline ends that op (ERR_TIMEOUT) while the ring has come round to its
 * slot, and the run goes on to the end instead of stalling.
 */
static void
test_lost_completion(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char json[1100];
	json_t *arr;
	const json_t *row;

	(void)state;
	snprintf(json, sizeof(json), "%s/drop.json", tmpdir);
	run_perf(&c, &r, NULL, "--dev", "model:drop=1", "--fallback", "none", "--op",
		 "compress", "--size", "4K", "--iterations", "1", "--inflight", "32", "--json",
		 json, "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 1);
	assert_non_null(strstr(r.err, "err_timeout"));
	assert_null(strstr(r.err, "stopped answering"));
	arr = load_json(json);
	row = find_agg(arr, NULL, "compress", 4096);
	assert_int_equal((int)num(row, "errors"), 1);
	assert_int_equal((int)num(row, "hw_ops"), 4096);
	json_decref(arr);
	apps_result_free(&r);
}

/* The README's quick start: no options at all. */
static void
test_default_run(void **state)
{
	struct apps_cmd c;
	struct apps_result r;

	(void)state;
	run_perf(&c, &r, NULL, NULL);
	CHECK_STATUS(&c, &r, 0);
	assert_non_null(strstr(r.out, "device: model0"));
	assert_non_null(strstr(r.out, "no accelerator is bound to vfio-pci"));
	assert_non_null(strstr(r.out, "ops/s"));
	assert_non_null(strstr(r.out, "compress"));
	assert_non_null(strstr(r.out, "decompress"));
	apps_result_free(&r);
}

static void
test_list(void **state)
{
	struct apps_cmd c;
	struct apps_result r;

	(void)state;
	run_perf(&c, &r, "0", "--list", "--dev", "model:vf=1", "--dev", "sw", NULL);
	CHECK_STATUS(&c, &r, 0);
	assert_non_null(strstr(r.out, "model0"));
	assert_non_null(strstr(r.out, "driver hisi_zip"));
	assert_non_null(strstr(r.out, "algorithms:"));
	assert_non_null(strstr(r.out, "queues:"));
	assert_non_null(strstr(r.out, "NUMA node"));
	assert_non_null(strstr(r.out, "VF"));
	assert_non_null(strstr(r.out, "sw"));
	assert_non_null(strstr(r.out, "compress"));
	apps_result_free(&r);
}

static void
test_bad_options(void **state)
{
	static const char *const cases[][4] = {
		{ "--mode", "fast", "throughput, latency", NULL },
		{ "--size", "0", "--size", NULL },
		{ "--size", "9M", "--size", NULL },
		{ "--size", "0x10", "--size", NULL },
		{ "--size", " 10", "--size", NULL },
		{ "--json", "/nonexistent/dir/r.json", "cannot write", NULL },
		{ "--csv", "/nonexistent/dir/r.csv", "cannot write", NULL },
		{ "--burst", "0", "--burst", NULL },
		{ "--format", "lz4", "deflate, zlib, gzip", NULL },
		{ "--op", "both,compress", "compress, decompress, both", NULL },
		{ "--level", "10", "--level", NULL },
		{ "--window", "16", "--window", NULL },
		{ "--segments", "x", "--segments", NULL },
		{ "--bogus", "1", "unknown option", NULL },
		{ "--dev", "nonsense:::", "--dev", NULL },
		{ "--dev", "0000:7f:00.7", "cannot attach", NULL },
		{ "--file", "/nonexistent/file", "--file", NULL },
		{ "--duration", "-1", "--duration", NULL },
		{ "--size", "4K,,8K", "empty item", NULL },
		{ "--size", "4K,", "empty item", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct apps_cmd c;
		struct apps_result r;

		run_perf(&c, &r, "0", cases[i][0], cases[i][1], NULL);
		if (r.status != 2 || strstr(r.err, cases[i][2]) == NULL)
			apps_result_dump(&c, &r);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, cases[i][2]));
		apps_result_free(&r);
	}
	{
		struct apps_cmd c;
		struct apps_result r;

		/* ops the policy forbids the only engine of: refused at set-up */
		run_perf(&c, &r, "0", "--dev", "model", "--fallback", "none", "--format", "deflate",
			 "--op", "decompress", "--size", "4K", "--duration", "0.1", NULL);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "runs in software only"));
		apps_result_free(&r);
		/* stdout holds one document */
		run_perf(&c, &r, "0", "--json", "-", "--csv", "-", NULL);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "both write stdout"));
		apps_result_free(&r);
		/* more segments than bytes: refused at once, not as a pool of 39M mbufs */
		run_perf(&c, &r, "0", "--size", "100", "--segments", "300", NULL);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "is more than a request of 100 bytes"));
		apps_result_free(&r);
		/* options that do not go together */
		run_perf(&c, &r, "0", "--mode", "cyclecount", "--stateful", NULL);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "stateless"));
		apps_result_free(&r);
		run_perf(&c, &r, "0", "--burst", "64", "--inflight", "8", NULL);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "--inflight"));
		apps_result_free(&r);
		/* either order: each says when a run ends */
		run_perf(&c, &r, "0", "--iterations", "1", "--duration", "0.1", NULL);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "give one"));
		apps_result_free(&r);
		run_perf(&c, &r, "0", "--duration", "0.1", "--iterations", "1", NULL);
		assert_int_equal(r.status, 2);
		apps_result_free(&r);
	}
	{
		struct apps_cmd c;
		struct apps_result r;

		/*
		 * A set-up failure on a worker lcore (a mempool of 8 million mbufs
		 * does not fit): exit 2, one message naming the segments, no row,
		 * and no second run
		 */
		run_perf(&c, &r, NULL, "--dev", "model", "--size", "4K", "--segments", "1000",
			 "--inflight", "16", "--burst", "16", "--iterations", "1", "--no-progress",
			 NULL);
		CHECK_STATUS(&c, &r, 2);
		assert_non_null(strstr(r.err, "cannot start: cannot create a pool"));
		assert_non_null(strstr(r.err, "--segments"));
		assert_null(strstr(r.err, "decompress"));
		assert_null(strstr(r.err, ": \n"));
		assert_null(strstr(r.out, "model0         compress"));
		apps_result_free(&r);
	}
}

/* Sizes are decimal: "010" is ten bytes (not eight). */
static void
test_size_decimal(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char path[512];
	json_t *arr;

	(void)state;
	snprintf(path, sizeof(path), "%s/dec.json", tmpdir);
	run_perf(&c, &r, "0", "--dev", "sw", "--size", "010", "--iterations", "1", "--quiet",
		 "--json", path, NULL);
	CHECK_STATUS(&c, &r, 0);
	apps_result_free(&r);
	arr = load_json(path);
	find_agg(arr, NULL, "compress", 10);
	json_decref(arr);
}

/* A --file smaller than the sizes: requests of the whole file, said, run once. */
static void
test_file_smaller_than_size(void **state)
{
	struct apps_cmd c;
	struct apps_result r;
	char path[512], data[512];
	json_t *arr, *row;
	size_t i, rows = 0;
	FILE *f;

	(void)state;
	snprintf(data, sizeof(data), "%s/six", tmpdir);
	snprintf(path, sizeof(path), "%s/six.json", tmpdir);
	f = fopen(data, "w");
	assert_non_null(f);
	fputs("hello!", f);
	fclose(f);
	run_perf(&c, &r, "0", "--dev", "sw", "--file", data, "--size", "4K,64K", "--op",
		 "compress", "--iterations", "1", "--json", path, "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 0);
	assert_non_null(strstr(r.err, "--size 65536 is more than the data's 6 bytes"));
	assert_non_null(strstr(r.out, "sizes 6,"));
	apps_result_free(&r);
	arr = load_json(path);
	json_array_foreach(arr, i, row)
		rows += is_aggregate(row);
	assert_int_equal(rows, 1);
	find_agg(arr, NULL, "compress", 6);
	json_decref(arr);
}

/*
 * A run that stops in the middle of a stream: the buffer's output is part
 * new stream, part last run (and the device may have written past what an
 * op produced), so it must not be checked or kept as the last run's. With
 * one CPU for wd-perf and the model's engine, two buffers and streams of
 * 64 ops, every run stops with streams half done on buffers that ran before.
 */
static void
test_stateful_stop_mid_stream(void **state)
{
	static const char *const words[] = { "queue ", "doorbell ", "mailbox ", "stream ",
					     "context ", "SGL ", "engine ", "phase " };
	char data[512], path[512], buf[8192];
	struct apps_cmd c;
	struct apps_result r;
	uint32_t x = 7;
	size_t n = 0;
	const json_t *row;
	json_t *arr;

	(void)state;
	while (n < sizeof(buf)) {
		const char *w;

		x = x * 1103515245u + 12345u;
		w = words[(x >> 16) % (sizeof(words) / sizeof(words[0]))];
		for (; *w != '\0' && n < sizeof(buf); w++)
			buf[n++] = *w;
	}
	snprintf(data, sizeof(data), "%s/words", tmpdir);
	snprintf(path, sizeof(path), "%s/midstream.json", tmpdir);
	assert_int_equal(apps_write_file(data, buf, sizeof(buf)), 0);
	for (int run = 0; run < 3; run++) {
		run_perf(&c, &r, "0", "--dev", "model:cpus=0", "--stateful", "--chunk", "64",
			 "--size", "4K", "--file", data, "--inflight", "2", "--burst", "1",
			 "--duration", "0.3", "--op", "compress", "--json", path, "--no-progress",
			 NULL);
		CHECK_STATUS(&c, &r, 0);
		apps_result_free(&r);
		arr = load_json(path);
		row = find_agg(arr, NULL, "compress", 4096);
		assert_true(num(row, "requests") > 2);
		/* the streams begun finish: their buffers are checked, not skipped */
		assert_true(num(row, "verified") > 0);
		assert_int_equal((int)num(row, "verify_failures"), 0);
		assert_int_equal((int)num(row, "errors"), 0);
		json_decref(arr);
	}
}

/*
 * Streams far longer than the run: the streams begun go on for one more
 * --duration at most, then stop as on SIGINT (their buffers unchecked).
 */
static void
test_stateful_drain_bounded(void **state)
{
	char path[512];
	struct apps_cmd c;
	struct apps_result r;
	const json_t *row;
	json_t *arr;

	(void)state;
	snprintf(path, sizeof(path), "%s/drain.json", tmpdir);
	run_perf(&c, &r, "0", "--dev", "model:cpus=0", "--stateful", "--chunk", "16",
		 "--size", "1M", "--inflight", "4", "--burst", "1", "--duration", "0.3",
		 "--op", "compress", "--json", path, "--no-progress", NULL);
	CHECK_STATUS(&c, &r, 0);
	apps_result_free(&r);
	arr = load_json(path);
	row = find_agg(arr, NULL, "compress", 1 << 20);
	assert_true(num(row, "duration_s") < 10);	/* 34 s before the bound */
	assert_int_equal((int)num(row, "verify_failures"), 0);
	assert_int_equal((int)num(row, "errors"), 0);
	json_decref(arr);
}

/*
 * Start wd-perf on sw for @p duration seconds, --json @p path, stderr into
 * @p err, with @p ignore (a signal number, or 0) ignored as nohup does.
 */
static pid_t
spawn_perf(const char *duration, const char *path, const char *err, int ignore)
{
	struct apps_cmd c;
	pid_t pid;

	apps_cmd_init(&c, WD_PERF);
	apps_cmd_eal(&c, MEM_MB, "0");
	apps_cmd_add(&c, "--");
	apps_cmd_add(&c, "--dev");
	apps_cmd_add(&c, "sw");
	apps_cmd_add(&c, "--duration");
	apps_cmd_add(&c, duration);
	apps_cmd_add(&c, "--no-progress");
	apps_cmd_add(&c, "--json");
	apps_cmd_add(&c, path);
	pid = apps_spawn(&c, NULL, err, NULL, ignore);
	assert_true(pid >= 0);
	return pid;
}

/* SIGINT: the runs so far are reported, with a note, and the exit status is 130. */
static void
test_interrupted(void **state)
{
	char err[512], path[512];
	int status = 0;
	pid_t pid;

	(void)state;
	snprintf(err, sizeof(err), "%s/int.err", tmpdir);
	snprintf(path, sizeof(path), "%s/int.json", tmpdir);
	pid = spawn_perf("60", path, err, 0);
	sleep(3);
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 130);
	assert_int_equal(apps_file_has(err, "interrupted"), 1);
	/* the file was written (created up front, filled at the end) */
	assert_true(apps_exists(path));
	/* its last row is the run cut short (60 s asked), and says so */
	{
		json_t *arr = load_json(path), *row;

		assert_true(json_array_size(arr) > 0);
		row = json_array_get(arr, json_array_size(arr) - 1);
		assert_true(json_is_true(json_object_get(row, "interrupted")));
		assert_true(num(row, "duration_s") < 30);
		json_decref(arr);
	}
}

/* SIGINT ignored by whoever started wd-perf (a background job): it stays ignored. */
static void
test_ignored_sigint(void **state)
{
	char err[512], path[512];
	int status = 0;
	pid_t pid;

	(void)state;
	snprintf(err, sizeof(err), "%s/ign.err", tmpdir);
	snprintf(path, sizeof(path), "%s/ign.json", tmpdir);
	pid = spawn_perf("0.5", path, err, SIGINT);
	usleep(300 * 1000);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(kill(pid, SIGINT), 0);
		usleep(100 * 1000);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	{
		json_t *arr = load_json(path), *row;

		assert_true(json_array_size(arr) > 0);
		row = json_array_get(arr, json_array_size(arr) - 1);
		assert_false(json_is_true(json_object_get(row, "interrupted")));
		json_decref(arr);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_size_decimal),
		cmocka_unit_test(test_file_smaller_than_size),
		cmocka_unit_test(test_interrupted),
		cmocka_unit_test(test_ignored_sigint),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_default_run),
		cmocka_unit_test(test_mode_throughput),
		cmocka_unit_test(test_mode_latency),
		cmocka_unit_test(test_mode_cyclecount),
		cmocka_unit_test(test_mode_verify_stateful),
		cmocka_unit_test(test_stateful_stop_mid_stream),
		cmocka_unit_test(test_stateful_drain_bounded),
		cmocka_unit_test(test_side_by_side_and_csv),
		cmocka_unit_test(test_two_lcores_spread),
		cmocka_unit_test(test_fallback_counts),
		cmocka_unit_test(test_errors_fail_the_run),
		cmocka_unit_test(test_lost_completion),
	};

	if (!apps_built(WD_PERF)) {
		fprintf(stderr, "wd-perf is not built: skipped\n");
		return 77;
	}
	return cmocka_run_group_tests_name("wd-perf", tests, setup, teardown);
}
