/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics of a queue pair in use: lcore 1 runs ops on its queue pair
 * while the main lcore resets and reads the device's statistics (as the
 * telemetry thread and an application's control thread do). A reset must
 * hold: what is read right after it counts only ops dequeued since.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "comp_test.h"
#include "wd.h"
#include "wd_comp.h"
#include "wd_test.h"

static int g_dev = -1;
static uint64_t g_done;   /* ops dequeued by the worker (atomic) */
static uint32_t g_stop;   /* atomic */

static int
worker(void *arg)
{
	struct wd_comp_xform cx = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_DEFLATE, .level = 1};
	static uint8_t in[64];
	struct wd_comp_op *op;
	void *px = NULL;
	uint8_t d = (uint8_t)g_dev;

	(void)arg;
	memset(in, 'a', sizeof(in));
	if (wd_comp_private_xform_create(d, &cx, &px) < 0)
		return -1;
	op = wd_comp_op_alloc(ct_op_pool);
	if (op == NULL)
		return -1;
	op->m_src = ct_chain_from(in, sizeof(in), 0, 0);
	op->m_dst = ct_chain_room(256, 0);
	while (!__atomic_load_n(&g_stop, __ATOMIC_RELAXED)) {
		struct wd_comp_op *got = NULL;

		op->private_xform = px;
		op->src.offset = 0;
		op->src.length = sizeof(in);
		op->dst.offset = 0;
		op->flush_flag = WD_COMP_FLUSH_FINAL;
		if (wd_comp_enqueue_burst(d, 0, &op, 1) != 1)
			return -1;
		while (wd_comp_dequeue_burst(d, 0, &got, 1) == 0)
			;
		__atomic_add_fetch(&g_done, 1, __ATOMIC_RELEASE);
	}
	rte_pktmbuf_free(op->m_src);
	rte_pktmbuf_free(op->m_dst);
	wd_comp_op_free(op);
	wd_comp_private_xform_free(d, px);
	return 0;
}

static void
test_reset_live(void **state)
{
	uint64_t bad = 0, worst = 0, rounds = 0;
	uint64_t end;

	(void)state;
	if (!rte_lcore_is_enabled(1) || rte_get_main_lcore() != 0) {
		fprintf(stderr, "needs lcores 0 and 1: skipped\n");
		skip();
	}
	assert_int_equal(rte_eal_remote_launch(worker, NULL, 1), 0);
	/* let the worker get going (its counts grow far beyond one op) */
	while (__atomic_load_n(&g_done, __ATOMIC_ACQUIRE) < 20000)
		rte_pause();
	end = rte_get_timer_cycles() + rte_get_timer_hz() * 3;
	while (rte_get_timer_cycles() < end) {
		struct wd_comp_stats s;
		uint64_t c0, c1;

		c0 = __atomic_load_n(&g_done, __ATOMIC_ACQUIRE);
		wd_comp_stats_reset((uint8_t)g_dev);
		assert_int_equal(wd_comp_stats_get((uint8_t)g_dev, &s), 0);
		c1 = __atomic_load_n(&g_done, __ATOMIC_ACQUIRE);
		rounds++;
		/* at most the ops dequeued meanwhile, plus the one in progress */
		if (s.dequeued_count > c1 - c0 + 1 || s.enqueued_count > c1 - c0 + 2) {
			bad++;
			if (bad <= 5)
				fprintf(stderr, "after a reset: enqueued %" PRIu64 ", dequeued %"
					PRIu64 ", bytes_in %" PRIu64 "; worker ops meanwhile: %"
					PRIu64 "\n", s.enqueued_count, s.dequeued_count,
					s.bytes_in, c1 - c0);
			if (s.dequeued_count > worst)
				worst = s.dequeued_count;
		}
	}
	__atomic_store_n(&g_stop, 1, __ATOMIC_RELAXED);
	assert_int_equal(rte_eal_wait_lcore(1), 0);
	fprintf(stderr, "%" PRIu64 " resets, %" PRIu64 " lost (largest count read right after "
		"a reset: %" PRIu64 ", worker ops: %" PRIu64 ")\n", rounds, bad, worst,
		__atomic_load_n(&g_done, __ATOMIC_ACQUIRE));
	assert_int_equal(bad, 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_live),
	};
	int ret;

	(void)argc;
	if (ct_init(argv[0]) != 0)
		return 1;
	g_dev = ct_dev_open(argc > 1 ? argv[1] : "sw", 1, NULL);
	if (g_dev < 0) {
		fprintf(stderr, "cannot open the device: %d\n", g_dev);
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	ct_dev_close((uint8_t)g_dev);
	wd_cleanup();
	wd_test_eal_cleanup();
	return ret;
}
