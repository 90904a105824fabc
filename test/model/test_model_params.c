/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance of the model's own interface: creation parameters (spec
 * keys, strict parsing), creation errors, and the trace file (format, and
 * the PF init of the reference driver compared with section 9.3 by
 * model/hisi_zip/hzm_trace_check.py).
 */
#include <errno.h>
#include <regex.h>
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

#include "refdrv.h"

static void
test_params_good(void **state)
{
	struct hzip_model_params p;
	char err[128];

	(void)state;
	hzip_model_params_default(&p);
	assert_false(p.vf);
	assert_int_equal(p.vf_queues, 8);
	assert_int_equal(p.engine, HZIP_MODEL_ENGINE_REAL);
	assert_int_equal(p.engines, 1);
	assert_false(p.timing);
	assert_true(p.lat_us > 14.9 && p.lat_us < 15.1);
	assert_true(p.gbps > 7.1 && p.gbps < 7.3);
	assert_int_equal(p.trace_path[0], '\0');
	assert_int_equal(p.stateless_end, 0x00);
	assert_int_equal(p.mem_init_us, 20);
	assert_int_equal(hzip_model_params_parse("", &p, err, sizeof(err)), 0);
	assert_int_equal(hzip_model_params_parse(NULL, &p, err, sizeof(err)), 0);
	assert_int_equal(hzip_model_params_parse(
		"vf=1,queues=32,engine=store,engines=4,timing=1,lat_us=20.5,gbps=3,numa=1,"
		"trace=/tmp/x.trace,fail=3,fail_status=0x10,drop=2,bad_phase=1,ecc=1,stall_ms=5,"
		"fault_after=7", &p, err, sizeof(err)), 0);
	assert_true(p.vf);
	assert_int_equal(p.vf_queues, 32);
	assert_int_equal(p.engine, HZIP_MODEL_ENGINE_STORE);
	assert_int_equal(p.engines, 4);
	assert_true(p.timing);
	assert_true(p.lat_us > 20.4 && p.lat_us < 20.6);
	assert_true(p.gbps > 2.9 && p.gbps < 3.1);
	assert_int_equal(p.numa_node, 1);
	assert_string_equal(p.trace_path, "/tmp/x.trace");
	assert_int_equal(p.faults.fail_count, 3);
	assert_int_equal(p.faults.fail_status, 0x10);
	assert_int_equal(p.faults.drop_count, 2);
	assert_int_equal(p.faults.bad_phase_count, 1);
	assert_true(p.faults.ecc_multi_bit);
	assert_int_equal(p.faults.stall_ms, 5);
	assert_int_equal(p.faults.after, 7);
	/* a PF ignores queues= (its driver reads it as pf_q_num): any valid count parses */
	hzip_model_params_default(&p);
	assert_int_equal(hzip_model_params_parse("queues=1024,numa=-1,vf=0,timeout_ms=500", &p,
						 err, sizeof(err)), 0);
	assert_int_equal(p.numa_node, -1);
	assert_int_equal(p.cpu_mask, 0);
	assert_int_equal(hzip_model_params_parse("cpus=1", &p, err, sizeof(err)), 0);
	assert_int_equal(p.cpu_mask, 0x2);
	assert_int_equal(hzip_model_params_parse("cpus=0-2+5;63", &p, err, sizeof(err)), 0);
	assert_true(p.cpu_mask == (0x27ull | (1ull << 63)));
	/* the status of a completed stateless decompression: 0x00 or 0x13 */
	/* numbers are decimal, or hexadecimal after 0x: a leading 0 is not octal */
	assert_int_equal(hzip_model_params_parse("queues=010", &p, err, sizeof(err)), 0);
	assert_int_equal(p.vf_queues, 10);
	assert_int_equal(hzip_model_params_parse("queues=08", &p, err, sizeof(err)), 0);
	assert_int_equal(p.vf_queues, 8);
	assert_int_equal(hzip_model_params_parse("queues=0x10", &p, err, sizeof(err)), 0);
	assert_int_equal(p.vf_queues, 16);
	assert_int_equal(hzip_model_params_parse("stateless_end=0x00", &p, err, sizeof(err)), 0);
	assert_int_equal(p.stateless_end, 0x00);
	assert_int_equal(hzip_model_params_parse("stateless_end=0x13", &p, err, sizeof(err)), 0);
	assert_int_equal(p.stateless_end, 0x13);
	assert_int_equal(hzip_model_params_parse("stateless_end=0", &p, err, sizeof(err)), 0);
	assert_int_equal(p.stateless_end, 0x00);
	assert_int_equal(hzip_model_params_parse("stateless_end=19", &p, err, sizeof(err)), 0);
	assert_int_equal(p.stateless_end, 0x13);
	assert_int_equal(hzip_model_params_parse("mem_init_us=0", &p, err, sizeof(err)), 0);
	assert_int_equal(p.mem_init_us, 0);
	assert_int_equal(hzip_model_params_parse("mem_init_us=10000000", &p, err, sizeof(err)),
			 0);
	assert_int_equal(p.mem_init_us, 10000000);
}

static void
expect_bad(const char *args, const char *key)
{
	struct hzip_model_params p, before;
	char err[160] = "";

	hzip_model_params_default(&p);
	before = p;
	assert_int_equal(hzip_model_params_parse(args, &p, err, sizeof(err)), -EINVAL);
	if (strstr(err, key) == NULL)
		fail_msg("\"%s\": error \"%s\" does not name \"%s\"", args, err, key);
	/* nothing changed on error */
	assert_memory_equal(&p, &before, sizeof(p));
}

static void
test_params_bad(void **state)
{
	(void)state;
	expect_bad("bogus=1", "bogus");
	expect_bad("engine=fast", "engine");
	expect_bad("engines=0", "engines");
	expect_bad("engines=17", "engines");
	expect_bad("engines=two", "engines");
	expect_bad("cpus=", "cpus");
	expect_bad("cpus=64", "cpus");
	expect_bad("cpus=3-1", "cpus");
	expect_bad("cpus=a", "cpus");
	expect_bad("cpus=1-", "cpus");
	expect_bad("cpus=1+", "cpus");
	expect_bad("vf=2", "vf");
	expect_bad("queues=0", "queues");
	expect_bad("queues=2000", "queues");
	expect_bad("queues=0x", "queues");
	expect_bad("queues=0x-1", "queues");
	expect_bad("queues=0x0x10", "queues");
	expect_bad("queues=\t8", "queues");
	expect_bad("vf=1,queues=1000", "queues");
	expect_bad("timing=maybe", "timing");
	expect_bad("lat_us=-1", "lat_us");
	expect_bad("lat_us=abc", "lat_us");
	expect_bad("gbps=0", "gbps");
	expect_bad("gbps=inf", "gbps");
	expect_bad("numa=-2", "numa");
	expect_bad("trace=", "trace");
	expect_bad("fail=-1", "fail");
	expect_bad("fail_status=0", "fail_status");
	expect_bad("fail_status=256", "fail_status");
	expect_bad("drop=4294967296", "drop");
	expect_bad("ecc=3", "ecc");
	expect_bad("stall_ms=1000000", "stall_ms");
	expect_bad("mem_init_us=10000001", "mem_init_us");
	expect_bad("mem_init_us=-1", "mem_init_us");
	expect_bad("fault_after=x", "fault_after");
	expect_bad("timeout_ms=soon", "timeout_ms");
	expect_bad("stateless_end=0x0d", "stateless_end");
	expect_bad("stateless_end=0x113", "stateless_end");
	expect_bad("stateless_end=", "stateless_end");
	expect_bad("stateless_end=end", "stateless_end");
	expect_bad("engine=store,engine=real", "engine");
	expect_bad("vf=1,,engine=store", "empty");
	expect_bad("vf=1,", "trailing");
	expect_bad("vf", "vf");
	expect_bad("=1", "");
	{
		struct hzip_model_params p;

		hzip_model_params_default(&p);
		assert_int_equal(hzip_model_params_parse("x=1", NULL, NULL, 0), -EINVAL);
		assert_int_equal(hzip_model_params_parse("x=1", &p, NULL, 0), -EINVAL);
	}
}

static void
test_create_errors(void **state)
{
	struct hzip_model_params p;
	struct hzip_model *m = NULL;

	(void)state;
	hzip_model_params_default(&p);
	assert_int_equal(hzip_model_create(NULL, &m), -EINVAL);
	assert_int_equal(hzip_model_create(&p, NULL), -EINVAL);
	p.engines = 0;
	assert_int_equal(hzip_model_create(&p, &m), -EINVAL);
	hzip_model_params_default(&p);
	p.engine = (enum hzip_model_engine)7;
	assert_int_equal(hzip_model_create(&p, &m), -EINVAL);
	hzip_model_params_default(&p);
	p.vf = true;
	p.vf_queues = 0;
	assert_int_equal(hzip_model_create(&p, &m), -EINVAL);
	hzip_model_params_default(&p);
	snprintf(p.trace_path, sizeof(p.trace_path), "/nonexistent-dir/x/trace");
	assert_true(hzip_model_create(&p, &m) < 0);
	hzip_model_params_default(&p);
	p.stateless_end = 0x0d;
	assert_int_equal(hzip_model_create(&p, &m), -EINVAL);
	/* NULL handles are tolerated */
	hzip_model_destroy(NULL);
	assert_int_equal(hzip_model_reset(NULL), -EINVAL);
	assert_int_equal(hzip_model_dma_map(NULL, 0, 0, 0), -EINVAL);
	assert_int_equal(hzip_model_read32(NULL, 2, 0), 0xffffffff);
	/* IOMMU map contract through the public API */
	hzip_model_params_default(&p);
	assert_int_equal(hzip_model_create(&p, &m), 0);
	{
		static uint8_t buf[8192];
		uint64_t va = (uint64_t)(uintptr_t)buf;

		assert_int_equal(hzip_model_dma_map(m, va, va, sizeof(buf)), 0);
		assert_int_equal(hzip_model_dma_map(m, va, va + 4096, 4096), -EEXIST);
		assert_int_equal(hzip_model_dma_map(m, va, va, 0), -EINVAL);
		assert_int_equal(hzip_model_dma_unmap(m, va, 4096), 0);		/* split */
		assert_int_equal(hzip_model_dma_unmap(m, va, 4096), -ENOENT);
		assert_int_equal(hzip_model_dma_unmap(m, va + 4096, 4096), 0);
	}
	hzip_model_destroy(m);
}

/* Every line of a trace has one of the documented formats (hzm_trace.c). */
static void
check_trace_format(const char *path, unsigned int *n_mmio, unsigned int *n_mb,
		   unsigned int *n_db)
{
	static const char *const pat[] = {
		"^[0-9]+ [RW](32|64|128) 0x[0-9a-f]{6} 0x[0-9a-f]+( 0x[0-9a-f]+)? [A-Z0-9_]+"
		"( ; (SQ|CQ|EQ|AEQ) qn=[0-9]+ rand=0x[0-9a-f]{4} index=[0-9]+ priority=[0-9]+)?$",
		"^[0-9]+ MB cmd=[A-Z_?]+\\([0-9]+\\) op=(read|write) qn=[0-9]+ base=0x[0-9a-f]+ "
		"status=[0-9]+( \\(.*\\))?$",
		"^[0-9]+ MB   .*$",
		"^[0-9]+ VFT (read|write) (SQC|CQC) function=[0-9]+ data=0x[0-9a-f]{16}.*$",
		"^[0-9]+ (EV|CFG|DRIVER-ERROR) .*$",
		"^# .*$",
	};
	regex_t re[6];
	char line[1024];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	for (int i = 0; i < 6; i++)
		assert_int_equal(regcomp(&re[i], pat[i], REG_EXTENDED | REG_NOSUB), 0);
	*n_mmio = *n_mb = *n_db = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		int k;

		line[strcspn(line, "\n")] = '\0';
		for (k = 0; k < 6; k++)
			if (regexec(&re[k], line, 0, NULL, 0) == 0)
				break;
		if (k == 6)
			fail_msg("unparsable trace line: \"%s\"", line);
		if (k == 0)
			(*n_mmio)++;
		if (k == 1)
			(*n_mb)++;
		if (strstr(line, " ; SQ qn=") != NULL)
			(*n_db)++;
	}
	for (int i = 0; i < 6; i++)
		regfree(&re[i]);
	fclose(f);
}

static bool
trace_has(const char *path, const char *needle)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	bool found = false;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

static int
run_checker(const char *trace, const char *extra)
{
	const char *root = getenv("WD_SOURCE_ROOT");
	char cmd[8192];
	int st;

	if (root == NULL || system("python3 -c 1 >/dev/null 2>&1") != 0)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "python3 '%s/model/hisi_zip/hzm_trace_check.py' '%s' %s --quiet",
		 root, trace, extra);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_trace(void **state)
{
	char path[] = "/tmp/hzm-trace-XXXXXX", args[128];
	struct rd_dev d;
	struct rd_queue q;
	unsigned int n_mmio, n_mb, n_db;
	uint8_t *src, *dst, sqe[128];
	int fd = mkstemp(path), ret;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(args, sizeof(args), "engine=store,trace=%s", path);
	assert_int_equal(rd_open(&d, args), 0);
	assert_int_equal(rd_pf_init(&d, 16, RD_F_EVENTS), 0);
	assert_int_equal(rd_queue_create(&d, &q, 0, 8, 0, 0, false), 0);
	src = rd_alloc(&d, 64, 64);
	dst = rd_alloc(&d, 256, 64);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 64, dst, 256, 0);
	assert_int_equal(rd_run(&q, sqe), 1);
	rd_wr32(&d, 0x100500, 1);	/* a driver error shows in the trace */
	rd_close(&d);
	check_trace_format(path, &n_mmio, &n_mb, &n_db);
	assert_true(n_mmio > 50);
	assert_true(n_mb >= 6);		/* EQC, AEQC, SQC_BT, CQC_BT, SQC, CQC */
	assert_int_equal(n_db, 1);
	assert_true(trace_has(path, " W32 0x100040 0x00000001 QM_MEM_START_INIT"));
	assert_true(trace_has(path, " W32 0x301004 0x000100ff HZIP_CLOCK_GATE_CTRL"));
	assert_true(trace_has(path, " MB cmd=SQC(0) op=write qn=0 "));
	assert_true(trace_has(path, " VFT write SQC function=0 data=0x0001f00000000000 (base=0 "
			      "count=16 valid=1)"));
	assert_true(trace_has(path, "; SQ qn=0 rand=0x0000 index=1 priority=0"));
	assert_true(trace_has(path, "DRIVER-ERROR write 0x00000001 to unknown register"));
	/* the reference driver's PF init follows 9.3 step by step, every step of it */
	ret = run_checker(path, "");
	if (ret < 0)
		print_message("python3 not available: 9.3 comparison skipped\n");
	else
		assert_int_equal(ret, 0);
	if (ret >= 0)
		assert_int_equal(run_checker(path, "--strict"), 0);
	unlink(path);

	/* a polling driver (no EQ/AEQ, step 18) that creates no queue (22): passes, not --strict */
	snprintf(path, sizeof(path), "/tmp/hzm-trace-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(args, sizeof(args), "trace=%s", path);
	assert_int_equal(rd_open(&d, args), 0);
	assert_int_equal(rd_pf_init(&d, 8, 0), 0);
	rd_close(&d);
	ret = run_checker(path, "");
	if (ret >= 0) {
		assert_int_equal(ret, 0);
		assert_int_equal(run_checker(path, "--strict"), 1);
	}
	unlink(path);

	/* a driver that skips steps is reported */
	snprintf(path, sizeof(path), "/tmp/hzm-trace-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(args, sizeof(args), "trace=%s", path);
	assert_int_equal(rd_open(&d, args), 0);
	rd_wr32(&d, RD_MEM_START_INIT, 1);
	rd_wr32(&d, 0x301004, 0x100ff);
	rd_close(&d);
	ret = run_checker(path, "");
	if (ret >= 0)
		assert_int_equal(ret, 1);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_good),
		cmocka_unit_test(test_params_bad),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_trace),
	};

	return cmocka_run_group_tests_name("model_params", tests, NULL, NULL);
}
