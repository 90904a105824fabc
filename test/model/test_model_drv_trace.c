/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The real hisi_zip driver's initialisation, compared with reference
 * section 9.3 automatically: a PF (and a VF) attached through lib/wd_core
 * as "model:trace=FILE" with drivers/hisi_zip linked, a compression and a
 * decompression queue requested (9.3 step 22: SQC then CQC) and one
 * request run, then model/hisi_zip/hzm_trace_check.py --strict on the
 * trace: every step of 9.3 must be there, in order. The model's own
 * driver-error count must stay 0. Exits 77 (skip) when python3 is absent.
 */
#include <errno.h>
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
#include <zlib.h>

#include "wd.h"
#include "wd_comp_msg.h"
#include "wd_test.h"

#define LEN 8192

/* Run the checker on @p trace; its report goes to stdout. @return its exit status. */
static int
run_checker(const char *trace, const char *extra)
{
	const char *root = getenv("WD_SOURCE_ROOT");
	char cmd[1024];
	int st;

	assert_non_null(root);
	/* quoted: the source tree's path may contain spaces */
	snprintf(cmd, sizeof(cmd),
		 "python3 '%s/model/hisi_zip/hzm_trace_check.py' '%s' --strict %s",
		 root, trace, extra);
	fflush(stdout);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Count the lines of @p path containing @p needle. */
static unsigned int
count_lines(const char *path, const char *needle)
{
	char line[1024];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static struct wd_queue *
queue_on(struct wd_dev *dev, enum wd_op_type op)
{
	struct wd_queue_attr a = { .alg = "zlib", .op = op, .depth = 64,
				   .socket_id = WD_SOCKET_ANY, .dev = dev };
	struct wd_queue *q = NULL;

	assert_int_equal(wd_request_queue(&q, &a), 0);
	return q;
}

/* One zlib compression through the raw queue API; the output must inflate. */
static void
one_request(struct wd_queue *q)
{
	uint8_t *in = wd_dma_zmalloc(LEN, 64, WD_SOCKET_ANY);
	uint8_t *out = wd_dma_zmalloc(2 * LEN, 64, WD_SOCKET_ANY);
	uint8_t *chk = malloc(LEN);
	struct wd_comp_msg m;
	uLongf chk_len = LEN;
	void *resp = NULL;

	assert_non_null(in);
	assert_non_null(out);
	assert_non_null(chk);
	wd_test_gen(in, LEN, WD_TEST_DATA_TEXT, 9);
	memset(&m, 0, sizeof(m));
	m.alg = WD_COMP_ALG_ZLIB;
	m.op = WD_OP_COMPRESS;
	m.flush = WD_COMP_FLUSH_FINAL;
	m.src.type = WD_COMP_BUF_FLAT;
	m.src.addr = in;
	m.src.len = LEN;
	m.dst.type = WD_COMP_BUF_FLAT;
	m.dst.addr = out;
	m.dst.len = 2 * LEN;
	assert_int_equal(wd_send(q, &m), 0);
	assert_int_equal(wd_recv_sync(q, &resp, 10000), 1);
	assert_ptr_equal(resp, &m);
	assert_int_equal(m.status, WD_COMP_MSG_OK);
	assert_int_equal(uncompress(chk, &chk_len, out, m.produced), Z_OK);
	assert_int_equal(chk_len, LEN);
	assert_memory_equal(chk, in, LEN);
	free(chk);
	wd_dma_free(out);
	wd_dma_free(in);
}

static void
traced_init(bool vf)
{
	char path[] = "/tmp/hzm-drvtrace-XXXXXX", spec[128];
	struct wd_queue *qc, *qd;
	struct wd_dev *dev = NULL;
	int fd = mkstemp(path), ret;

	assert_true(fd >= 0);
	close(fd);
	snprintf(spec, sizeof(spec), "model:engine=store,%strace=%s", vf ? "vf=1,queues=4," : "",
		 path);
	assert_int_equal(wd_dev_attach(spec, &dev), 0);
	qc = queue_on(dev, WD_OP_COMPRESS);
	qd = queue_on(dev, WD_OP_DECOMPRESS);
	one_request(qc);
	assert_int_equal(wd_release_queue(qc), 0);
	assert_int_equal(wd_release_queue(qd), 0);
	assert_int_equal(wd_dev_detach(dev), 0);	/* destroys the model: trace closed */
	/* the trace is the driver's: the model found nothing to complain about */
	assert_true(count_lines(path, " MB cmd=") >= 4);
	assert_int_equal(count_lines(path, "DRIVER-ERROR"), 0);
	print_message("%s trace compared with reference 9.3:\n", vf ? "VF" : "PF");
	ret = run_checker(path, vf ? "--vf" : "");
	if (ret != 0)
		fail_msg("hzm_trace_check.py --strict%s: exit %d (trace kept in %s)",
			 vf ? " --vf" : "", ret, path);
	unlink(path);
}

static void
test_pf_init_trace(void **state)
{
	(void)state;
	traced_init(false);
}

static void
test_vf_init_trace(void **state)
{
	(void)state;
	traced_init(true);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pf_init_trace),
		cmocka_unit_test(test_vf_init_trace),
	};
	int rc;

	(void)argc;
	if (system("python3 -c 1 >/dev/null 2>&1") != 0) {
		printf("python3 not available: the 9.3 trace comparison is skipped\n");
		return 77;
	}
	if (getenv("WD_SOURCE_ROOT") == NULL) {
		printf("WD_SOURCE_ROOT not set (run through meson test): skipped\n");
		return 77;
	}
	wd_test_eal_init(argv[0], 256);
	rc = cmocka_run_group_tests_name("model_drv_trace", tests, NULL, NULL);
	wd_test_eal_cleanup();
	return rc;
}
