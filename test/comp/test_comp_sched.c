/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scheduler: nearest NUMA node first, lcores of a node spread over
 * its devices (the software one included), hardware before software at
 * equal load, one queue pair per lcore, bad arguments; then two lcores
 * compress and decompress at the same time, each on its own queue pair
 * with no lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <zlib.h>

#include "comp_test.h"
#include "wd_comp.h"
#include "wd_test.h"

static int dev_far, dev_near1, dev_near2, dev_sw, dev_wide;

static void
test_placement(void **state)
{
	uint8_t devs[4] = {(uint8_t)dev_far, (uint8_t)dev_near1, (uint8_t)dev_near2,
			   (uint8_t)dev_sw};
	unsigned int lcores[6] = {0, 1, 10, 11, 12, 13};
	struct wd_comp_sched *s;
	uint8_t d;
	uint16_t q;
	int used[WD_COMP_MAX_DEVS][8];

	(void)state;
	if (!rte_lcore_is_enabled(1)) {
		fprintf(stderr, "one lcore only: placement cases skipped\n");
		skip();
	}
	/* two lcores of node 0: the two node-0 devices, one each */
	assert_int_equal(wd_comp_sched_create(devs, 4, lcores, 2, &s), 0);
	assert_int_equal(wd_comp_sched_get(s, 0, &d, &q), 0);
	assert_true(d == dev_near1 || d == dev_near2);
	assert_int_equal(q, 0);
	{
		uint8_t d1;

		assert_int_equal(wd_comp_sched_get(s, 1, &d1, &q), 0);
		assert_true(d1 == dev_near1 || d1 == dev_near2);
		assert_int_not_equal(d1, d);
	}
	assert_int_equal(wd_comp_sched_get(s, 2, &d, &q), -ENOENT);
	assert_int_equal(wd_comp_sched_get(s, RTE_MAX_LCORE, &d, &q), -ENOENT);
	assert_int_equal(wd_comp_sched_get(NULL, 0, &d, &q), -ENOENT);
	wd_comp_sched_free(s);

	/* six lcores: node 0's devices (1 queue pair each) first, then the rest */
	assert_int_equal(wd_comp_sched_create(devs, 4, lcores, 6, &s), 0);
	memset(used, 0, sizeof(used));
	for (int i = 0; i < 6; i++) {
		assert_int_equal(wd_comp_sched_get(s, lcores[i], &d, &q), 0);
		assert_true(q < 8);
		assert_int_equal(used[d][q], 0); /* each lcore its own queue pair */
		used[d][q] = 1;
		if (i < 2)
			assert_true(d == dev_near1 || d == dev_near2);
	}
	/* the far device (hardware) is used before the software one */
	assert_int_equal(used[dev_far][0] + used[dev_far][1], 2);
	assert_int_equal(used[dev_sw][0] + used[dev_sw][1], 2);
	wd_comp_sched_free(s);
	wd_comp_sched_free(NULL);
}

/*
 * A node's lcores spread over its devices, the software one included (it
 * runs on the lcore: local to every node): one hardware device with queue
 * pairs to spare must not take them all (wd-perf --spread --dev model
 * --dev sw put both lcores on the model).
 */
static void
test_spread_hw_sw(void **state)
{
	unsigned int lcores[2] = {0, 1};
	uint8_t orders[2][2] = {{(uint8_t)dev_wide, (uint8_t)dev_sw},
				{(uint8_t)dev_sw, (uint8_t)dev_wide}};
	struct wd_comp_sched *s;
	uint8_t d0, d1;
	uint16_t q;

	(void)state;
	if (!rte_lcore_is_enabled(1) || rte_lcore_to_socket_id(0) != 0 ||
	    rte_lcore_to_socket_id(1) != 0) {
		fprintf(stderr, "needs lcores 0 and 1 on node 0: spreading case skipped\n");
		skip();
	}
	for (int o = 0; o < 2; o++) {
		assert_int_equal(wd_comp_sched_create(orders[o], 2, lcores, 2, &s), 0);
		assert_int_equal(wd_comp_sched_get(s, 0, &d0, &q), 0);
		assert_int_equal(q, 0);
		assert_int_equal(wd_comp_sched_get(s, 1, &d1, &q), 0);
		assert_int_equal(q, 0);
		/* one lcore each; the hardware device goes first */
		assert_int_equal(d0, dev_wide);
		assert_int_equal(d1, dev_sw);
		wd_comp_sched_free(s);
	}
	/* one lcore: the hardware device; four lcores of unknown node: alternate */
	assert_int_equal(wd_comp_sched_create(orders[1], 2, lcores, 1, &s), 0);
	assert_int_equal(wd_comp_sched_get(s, 0, &d0, &q), 0);
	assert_int_equal(d0, dev_wide);
	wd_comp_sched_free(s);
	{
		unsigned int far_lcores[4] = {10, 11, 12, 13};
		unsigned int on[WD_COMP_MAX_DEVS] = {0};

		assert_int_equal(wd_comp_sched_create(orders[0], 2, far_lcores, 4, &s), 0);
		for (int i = 0; i < 4; i++) {
			assert_int_equal(wd_comp_sched_get(s, far_lcores[i], &d0, &q), 0);
			on[d0]++;
		}
		assert_int_equal(on[dev_wide], 2);
		assert_int_equal(on[dev_sw], 2);
		wd_comp_sched_free(s);
	}
}

static void
test_bad_args(void **state)
{
	uint8_t devs[2] = {(uint8_t)dev_near1, (uint8_t)dev_near1};
	unsigned int lcores[4] = {0, 0, 1, RTE_MAX_LCORE};
	struct wd_comp_sched *s = (struct wd_comp_sched *)1;

	(void)state;
	assert_int_equal(wd_comp_sched_create(devs, 1, lcores, 1, NULL), -EINVAL);
	assert_int_equal(wd_comp_sched_create(devs, 0, lcores, 1, &s), -EINVAL);
	assert_null(s);
	assert_int_equal(wd_comp_sched_create(devs, 2, lcores + 2, 1, &s), -EINVAL); /* dup dev */
	assert_int_equal(wd_comp_sched_create(devs, 1, lcores, 2, &s), -EINVAL); /* dup lcore */
	assert_int_equal(wd_comp_sched_create(devs, 1, lcores + 3, 1, &s), -EINVAL);
	/* more lcores than queue pairs (near1 has one) */
	assert_int_equal(wd_comp_sched_create(devs, 1, lcores + 1, 2, &s), -ENOSPC);
	devs[0] = 99;
	assert_int_equal(wd_comp_sched_create(devs, 1, lcores, 1, &s), -EINVAL);
	/* a stopped device */
	devs[0] = (uint8_t)dev_near2;
	wd_comp_dev_stop((uint8_t)dev_near2);
	assert_int_equal(wd_comp_sched_create(devs, 1, lcores, 1, &s), -EINVAL);
	assert_int_equal(wd_comp_dev_start((uint8_t)dev_near2), 0);
}

/* Work of one lcore: its own queue pair, compress + decompress, check. */
struct work {
	const struct wd_comp_sched *s;
	int errors;
	int ops;
};

static int
worker(void *arg)
{
	struct work *w = arg;
	unsigned int lc = rte_lcore_id();
	struct wd_comp_xform cx = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_GZIP, .level = 1};
	struct wd_comp_xform dx = {.type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_GZIP};
	static __thread uint8_t in[20000], mid[21000], out[20000];
	void *pc = NULL, *pd = NULL;
	uint8_t d;
	uint16_t q;

	if (wd_comp_sched_get(w->s, lc, &d, &q) < 0 ||
	    wd_comp_private_xform_create(d, &cx, &pc) < 0 ||
	    wd_comp_private_xform_create(d, &dx, &pd) < 0) {
		w->errors++;
		return -1;
	}
	for (int i = 0; i < 200; i++) {
		struct wd_comp_op *op = wd_comp_op_alloc(ct_op_pool);
		size_t len = 1000 + (size_t)(i * 97) % 19000;
		uint32_t clen;

		if (op == NULL) {
			w->errors++;
			break;
		}
		wd_test_gen(in, len, WD_TEST_DATA_MIXED, (uint64_t)lc * 1000 + (uint64_t)i);
		op->private_xform = pc;
		op->m_src = ct_chain_from(in, len, 0, 0);
		op->m_dst = ct_chain_room(sizeof(mid), 0);
		op->src.length = (uint32_t)len;
		if (op->m_src == NULL || op->m_dst == NULL || ct_run(d, q, &op, 1) < 0 ||
		    op->status != WD_COMP_OP_SUCCESS) {
			w->errors++;
			break;
		}
		clen = op->produced;
		ct_chain_read(op->m_dst, 0, mid, clen);
		rte_pktmbuf_free(op->m_src);
		rte_pktmbuf_free(op->m_dst);
		op->private_xform = pd;
		op->m_src = ct_chain_from(mid, clen, 0, 0);
		op->m_dst = ct_chain_room(sizeof(out), 0);
		op->src.length = clen;
		if (op->m_src == NULL || op->m_dst == NULL || ct_run(d, q, &op, 1) < 0 ||
		    op->status != WD_COMP_OP_SUCCESS || op->produced != len ||
		    op->output_chksum != crc32(0, in, (uInt)len)) {
			w->errors++;
			break;
		}
		ct_chain_read(op->m_dst, 0, out, len);
		if (memcmp(out, in, len) != 0)
			w->errors++;
		rte_pktmbuf_free(op->m_src);
		rte_pktmbuf_free(op->m_dst);
		wd_comp_op_free(op);
		w->ops += 2;
	}
	wd_comp_private_xform_free(d, pc);
	wd_comp_private_xform_free(d, pd);
	return 0;
}

static void
test_concurrent(void **state)
{
	uint8_t devs[2] = {(uint8_t)dev_near1, (uint8_t)dev_near2};
	unsigned int lcores[2] = {0, 1};
	struct wd_comp_stats s1, s2;
	struct wd_comp_sched *s;
	struct work w[2];

	(void)state;
	if (!rte_lcore_is_enabled(1) || rte_get_main_lcore() != 0) {
		fprintf(stderr, "needs lcores 0 and 1: concurrent case skipped\n");
		skip();
	}
	wd_comp_stats_reset((uint8_t)dev_near1);
	wd_comp_stats_reset((uint8_t)dev_near2);
	assert_int_equal(wd_comp_sched_create(devs, 2, lcores, 2, &s), 0);
	memset(w, 0, sizeof(w));
	w[0].s = s;
	w[1].s = s;
	assert_int_equal(rte_eal_remote_launch(worker, &w[1], 1), 0);
	worker(&w[0]);
	assert_int_equal(rte_eal_wait_lcore(1), 0);
	assert_int_equal(w[0].errors, 0);
	assert_int_equal(w[1].errors, 0);
	assert_int_equal(w[0].ops, 400);
	assert_int_equal(w[1].ops, 400);
	/* each device saw one lcore's ops, on its hardware */
	assert_int_equal(wd_comp_stats_get((uint8_t)dev_near1, &s1), 0);
	assert_int_equal(wd_comp_stats_get((uint8_t)dev_near2, &s2), 0);
	assert_int_equal(s1.dequeued_count, 400);
	assert_int_equal(s2.dequeued_count, 400);
	assert_int_equal(s1.hw_ops, 400);
	assert_int_equal(s2.hw_ops, 400);
	wd_comp_sched_free(s);
}

static int
open_fake(const char *args, uint16_t nb_qps)
{
	char spec[128];

	snprintf(spec, sizeof(spec), "model:type=fakezip,%s", args);
	return ct_dev_open(spec, nb_qps, NULL);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_spread_hw_sw),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_concurrent),
	};
	int ret;

	(void)argc;
	if (ct_init(argv[0]) != 0)
		return 1;
	dev_far = open_fake("node=1", 2);
	dev_near1 = open_fake("node=0", 1);
	dev_near2 = open_fake("node=0", 1);
	dev_sw = ct_dev_open("sw", 2, NULL);
	dev_wide = open_fake("node=0", 2);
	if (dev_far < 0 || dev_near1 < 0 || dev_near2 < 0 || dev_sw < 0 || dev_wide < 0) {
		fprintf(stderr, "cannot open the devices\n");
		return 1;
	}
	ret = cmocka_run_group_tests_name("wd_comp_sched", tests, NULL, NULL);
	wd_cleanup();
	wd_test_eal_cleanup();
	return ret;
}
