/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry through rte_telemetry, read by DPDK's own client: this test
 * starts EAL with telemetry on (unlike the other tests) under a private
 * file prefix, runs ops on the software engine and on a fake hardware
 * device (some of them falling back), then runs dpdk-telemetry.py against
 * itself and checks what it prints.
 *
 * Skips (77) when dpdk-telemetry.py or python3 is missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "comp_test.h"
#include "fake_zip.h"
#include "wd_comp.h"
#include "wd_test.h"

static char g_prefix[64];
static int g_sw, g_hw;
static const char *g_client = "dpdk-telemetry.py";

/* Run the client with @p cmds (one per line); @return its output (malloc'ed). */
static char *
tel_query(const char *cmds)
{
	char cmd[512], *out = NULL;
	size_t cap = 0, len = 0;
	FILE *p;
	char tmp[] = "/tmp/wd_tel_cmds.XXXXXX";
	int fd = mkstemp(tmp);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, cmds, strlen(cmds)), (ssize_t)strlen(cmds));
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s -f %s < %s 2>&1", g_client, g_prefix, tmp);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		size_t n = fread(out + len, 1, 4096, p);

		if (n == 0)
			break;
		len += n;
	}
	out[len] = '\0';
	pclose(p);
	unlink(tmp);
	return out;
}

/* Value of "key": N in the client's JSON output after @p from. */
static long long
json_num(const char *from, const char *key)
{
	char pat[96];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(from, pat);
	if (p == NULL)
		return -1;
	return strtoll(p + strlen(pat), NULL, 10);
}

static void
run_ops(int dev, int n, size_t len, enum wd_comp_alg alg, enum wd_op_type t, int wlog)
{
	struct wd_comp_xform x = {.type = t, .alg = alg, .level = 1, .window_log = (uint8_t)wlog};
	static uint8_t data[65536];
	void *px;

	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 50);
	assert_int_equal(wd_comp_private_xform_create((uint8_t)dev, &x, &px), 0);
	for (int i = 0; i < n; i++) {
		struct wd_comp_op *op = wd_comp_op_alloc(ct_op_pool);

		op->private_xform = px;
		op->m_src = ct_chain_from(data, len, 0, 0);
		op->m_dst = ct_chain_room(len + 1024, 0);
		op->src.length = (uint32_t)len;
		assert_int_equal(ct_run((uint8_t)dev, 0, &op, 1), 0);
		rte_pktmbuf_free(op->m_src);
		rte_pktmbuf_free(op->m_dst);
		wd_comp_op_free(op);
	}
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
}

static void
test_commands(void **state)
{
	char cmds[512], *out, *p;
	struct wd_comp_stats s;

	(void)state;
	run_ops(g_sw, 5, 10000, WD_COMP_ALG_GZIP, WD_OP_COMPRESS, 15);
	run_ops(g_hw, 7, 10000, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, 15);
	/* a window the fake hardware lacks: software, counted as unsupported */
	run_ops(g_hw, 3, 10000, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, 10);
	/* garbage to decompress: errors by status */
	run_ops(g_hw, 2, 1000, WD_COMP_ALG_ZLIB, WD_OP_DECOMPRESS, 15);
	assert_int_equal(wd_comp_stats_get((uint8_t)g_hw, &s), 0);

	snprintf(cmds, sizeof(cmds),
		 "/wd_comp/list\n/wd_comp/info,%d\n/wd_comp/stats,%d\n/wd_comp/stats,%d\n"
		 "/wd_comp/qp_stats,%d,0\n/wd_comp/latency,%d\n/wd_comp/latency,%d,0\n"
		 "/wd_comp/info,99\n/wd_comp/stats,x\n/wd_comp/qp_stats,%d\n",
		 g_hw, g_sw, g_hw, g_hw, g_hw, g_sw, g_hw);
	out = tel_query(cmds);
	/* the device list */
	p = strstr(out, "\"/wd_comp/list\": [");
	assert_non_null(p);
	/* info */
	p = strstr(out, "\"/wd_comp/info\": {");
	assert_non_null(p);
	assert_non_null(strstr(p, "\"driver\": \"fake_zip\""));
	assert_non_null(strstr(p, "\"engine\": \"hw\""));
	assert_non_null(strstr(p, "\"queue_pairs\": ["));
	/* software device stats */
	p = strstr(out, "\"/wd_comp/stats\": {");
	assert_non_null(p);
	assert_int_equal(json_num(p, "enqueued_count"), 5);
	assert_int_equal(json_num(p, "sw_ops"), 5);
	assert_int_equal(json_num(p, "bytes_in"), 50000);
	/* hardware device stats: counters by engine, fallback reason and status */
	p = strstr(p + 1, "\"/wd_comp/stats\": {");
	assert_non_null(p);
	assert_int_equal(json_num(p, "enqueued_count"), 12);
	assert_int_equal(json_num(p, "hw_ops"), (long long)s.hw_ops);
	assert_int_equal(json_num(p, "hw_ops"), 9);
	assert_int_equal(json_num(p, "sw_ops"), 3);
	assert_int_equal(json_num(p, "fallback_unsupported"), 3);
	assert_int_equal(json_num(p, "fallback_queue_full"), 0);
	assert_int_equal(json_num(p, "status_err_data"), 2);
	assert_int_equal(json_num(p, "status_success"), 10);
	assert_int_equal(json_num(p, "dequeue_err_count"), 2);
	/* one queue pair */
	p = strstr(out, "\"/wd_comp/qp_stats\": {");
	assert_non_null(p);
	assert_int_equal(json_num(p, "dequeued_count"), 12);
	/* latency: percentiles and a 32-bucket histogram */
	p = strstr(out, "\"/wd_comp/latency\": {");
	assert_non_null(p);
	assert_true(json_num(p, "p50_ns_max") > 0);
	assert_true(json_num(p, "p99_ns_max") >= json_num(p, "p50_ns_max"));
	assert_non_null(strstr(p, "\"histogram\": ["));
	/* bad parameters answer null, not a crash */
	assert_non_null(strstr(out, "\"/wd_comp/info\": null"));
	assert_non_null(strstr(out, "\"/wd_comp/stats\": null"));
	assert_non_null(strstr(out, "\"/wd_comp/qp_stats\": null"));
	free(out);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
	};
	char *eal[16], mem[16] = "128";
	int n = 0, ret;
	FILE *f;
	unsigned long free_pages = 0;

	(void)argc;
	if (system("command -v dpdk-telemetry.py > /dev/null 2>&1") != 0 ||
	    system("python3 --version > /dev/null 2>&1") != 0) {
		printf("dpdk-telemetry.py or python3 not found: telemetry test skipped\n");
		return 77;
	}
	/* EAL with telemetry on, under a private prefix (the other tests use --no-telemetry) */
	snprintf(g_prefix, sizeof(g_prefix), "wd_comp_tel_%d", (int)getpid());
	f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	if (f != NULL) {
		if (fscanf(f, "%lu", &free_pages) != 1)
			free_pages = 0;
		fclose(f);
	}
	eal[n++] = argv[0];
	eal[n++] = (char *)"--no-pci";
	eal[n++] = (char *)"--iova-mode=va";
	eal[n++] = (char *)"--log-level=lib.eal:error";
	eal[n++] = (char *)"-l";
	eal[n++] = (char *)"0";
	eal[n++] = (char *)"-m";
	eal[n++] = mem;
	if (free_pages < 128) {
		printf("notice: not enough free 2 MiB hugepages: using --no-huge\n");
		eal[n++] = (char *)"--no-huge";
	} else {
		eal[n++] = (char *)"--huge-unlink";
	}
	{
		static char fp[96];

		snprintf(fp, sizeof(fp), "--file-prefix=%s", g_prefix);
		eal[n++] = fp;
	}
	eal[n] = NULL;
	if (rte_eal_init(n, eal) < 0) {
		fprintf(stderr, "cannot start EAL\n");
		return 1;
	}
	ret = wd_comp_init();
	if (ret < 0) {
		fprintf(stderr, "wd_comp_init: %s\n", strerror(-ret));
		return 1;
	}
	ct_pools_init();
	g_sw = ct_dev_open("sw", 1, NULL);
	g_hw = ct_dev_open("model:type=fakezip", 1, NULL);
	if (g_sw < 0 || g_hw < 0) {
		fprintf(stderr, "cannot open the devices\n");
		return 1;
	}
	ret = cmocka_run_group_tests_name("wd_comp_telemetry", tests, NULL, NULL);
	wd_cleanup();
	rte_eal_cleanup();
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s", g_prefix);
		if (system(cmd) != 0)
			ret = ret ? ret : 0;
	}
	return ret;
}
