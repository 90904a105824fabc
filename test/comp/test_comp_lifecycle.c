/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd_comp device life cycle on the device model: attach/close/detach
 * cycles (the slots and wd_core devices come back), the holds on wd_core
 * devices, wd_cleanup() with queue pairs live and ops in flight, a fork()ed
 * child kept away from the parent's queue pairs, "sw" before EAL, and the
 * handles of a device released, once another device has its slot.
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

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "comp_test.h"
#include "wd_comp.h"
#include "wd_test.h"

static int g_sw_before_eal;

/* Attach, configure one queue pair, start. @return the device id. */
static uint8_t
dev_up(const char *spec)
{
	int dev = ct_dev_open(spec, 1, NULL);

	assert_true(dev >= 0);
	return (uint8_t)dev;
}

/* One compression and decompression on @p dev (flat buffers, copied through DMA memory). */
static void
roundtrip(uint8_t dev)
{
	static uint8_t data[8192], comp[9000], out[8192];
	struct wd_comp_xform cx = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_GZIP,
				   .level = WD_COMP_LEVEL_DEFAULT};
	struct wd_comp_xform dx = {.type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_GZIP};
	struct wd_comp_buf_result r;
	size_t clen;

	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 3);
	assert_int_equal(wd_comp_buf_process(dev, 0, &cx, data, sizeof(data), comp, sizeof(comp),
					     &r), 0);
	clen = r.produced;
	assert_int_equal(wd_comp_buf_process(dev, 0, &dx, comp, clen, out, sizeof(out), &r), 0);
	assert_int_equal(r.produced, sizeof(data));
	assert_memory_equal(out, data, sizeof(data));
}

/* The wd_core device called @p name, or NULL. */
static struct wd_dev *
core_dev(const char *name)
{
	for (unsigned int i = 0; i < WD_MAX_DEVS; i++) {
		struct wd_dev *w = wd_dev_get(i);
		struct wd_dev_info info;

		if (w != NULL && wd_dev_info_get(w, &info) == 0 && strcmp(info.name, name) == 0)
			return w;
	}
	return NULL;
}

static void
test_sw_before_eal(void **state)
{
	(void)state;
	assert_int_equal(g_sw_before_eal, -ENODEV);
}

/*
 * Attaching "model" makes a new device each time: with close + detach,
 * three times as many cycles as there are slots never run out of them.
 */
static void
test_attach_detach_cycles(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 3 * WD_COMP_MAX_DEVS; i++) {
		struct wd_comp_dev_info info;
		struct wd_comp_xform x = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_ZLIB,
					  .level = 1};
		struct wd_dev *w;
		uint8_t dev = dev_up("model");
		void *px;

		assert_int_equal(wd_comp_dev_info_get(dev, &info), 0);
		assert_true(info.hw);
		w = core_dev(info.name);
		assert_non_null(w);
		/* wd_comp holds it: wd_core refuses to detach it under us */
		assert_int_equal(wd_dev_detach(w), -EBUSY);
		if (i % 8 == 0)
			roundtrip(dev);
		/* not while started, nor with an xform not freed */
		assert_int_equal(wd_comp_dev_detach(dev), -EBUSY);
		assert_int_equal(wd_comp_private_xform_create(dev, &x, &px), 0);
		wd_comp_dev_stop(dev);
		assert_int_equal(wd_comp_dev_close(dev), 0);
		assert_int_equal(wd_comp_dev_detach(dev), -EBUSY);
		assert_int_equal(wd_comp_private_xform_free(dev, px), 0);
		assert_int_equal(wd_comp_dev_detach(dev), 0);
		assert_int_equal(wd_comp_dev_detach(dev), -ENODEV);
		assert_int_equal(wd_comp_dev_info_get(dev, &info), -ENODEV);
		/* the device model went with it */
		assert_null(core_dev(info.name));
	}
	/* "sw" is one device: attached twice, the same id; it detaches too */
	{
		int a = wd_comp_dev_attach("sw"), b = wd_comp_dev_attach("sw");

		assert_true(a >= 0);
		assert_int_equal(a, b);
		assert_int_equal(wd_comp_dev_detach((uint8_t)a), 0);
		assert_int_equal(wd_comp_dev_get_id("sw"), -ENODEV);
	}
}

/* A child after fork(): control calls -EPERM, bursts 0 with rte_errno EPERM. */
static int
child_checks(uint8_t dev, struct wd_comp_op *op)
{
	struct wd_comp_config cfg = {.socket_id = WD_SOCKET_ANY, .nb_queue_pairs = 1};
	struct wd_comp_xform x = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_ZLIB};
	struct wd_comp_stats st;
	struct wd_comp_buf_result r;
	struct wd_comp_op *ops[1] = {op};
	uint8_t buf[64] = {0}, out[128];
	void *h;

	if (wd_comp_dev_attach("model") != -EPERM || wd_comp_dev_attach("sw") != -EPERM)
		return 2;
	if (wd_comp_init() != -EPERM || wd_comp_dev_configure(dev, &cfg) != -EPERM ||
	    wd_comp_qp_setup(dev, 0, NULL) != -EPERM || wd_comp_dev_close(dev) != -EPERM ||
	    wd_comp_dev_detach(dev) != -EPERM || wd_comp_dev_start(dev) != -EPERM)
		return 3;
	if (wd_comp_private_xform_create(dev, &x, &h) != -EPERM ||
	    wd_comp_stream_create(dev, &x, &h) != -EPERM || wd_comp_stats_get(dev, &st) != -EPERM)
		return 4;
	rte_errno = 0;
	if (wd_comp_enqueue_burst(dev, 0, ops, 1) != 0 || rte_errno != EPERM)
		return 5;
	rte_errno = 0;
	if (wd_comp_dequeue_burst(dev, 0, ops, 1) != 0 || rte_errno != EPERM)
		return 6;
	if (wd_comp_buf_process(dev, 0, &x, buf, sizeof(buf), out, sizeof(out), &r) != -EPERM)
		return 7;
	if (wd_comp_op_alloc(op->mempool) != NULL || rte_errno != EPERM)
		return 8;
	wd_comp_dev_stop(dev); /* ignored */
	wd_cleanup();          /* ignored */
	return 0;
}

static void
test_fork(void **state)
{
	uint8_t dev = dev_up("model");
	struct wd_comp_op *op = wd_comp_op_alloc(ct_op_pool);
	int status = -1;
	pid_t pid;

	(void)state;
	assert_non_null(op);
	roundtrip(dev);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_checks(dev, op));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the parent's device is untouched */
	roundtrip(dev);
	wd_comp_op_free(op);
	ct_dev_close(dev);
	assert_int_equal(wd_comp_dev_detach(dev), 0);
}

/*
 * wd_cleanup() with queue pairs set up and ops in flight: wd_comp lets go
 * of everything first (no dangling pointers: run under ASan), calls on
 * the old ids find nothing, and WarpDrive starts again.
 */
static void
test_cleanup_live(void **state)
{
	static uint8_t data[4096];
	struct wd_comp_xform x = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_ZLIB, .level = 1};
	struct wd_comp_op *ops[8];
	struct rte_mbuf *src[8], *dst[8];
	uint8_t dev = dev_up("model"), dev2 = dev_up("sw");
	void *px;
	uint16_t n;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 5);
	assert_int_equal(wd_comp_private_xform_create(dev, &x, &px), 0);
	for (unsigned int i = 0; i < 8; i++) {
		src[i] = ct_chain_from(data, sizeof(data), 0, 0);
		dst[i] = ct_chain_room(8192, 0);
		ops[i] = wd_comp_op_alloc(ct_op_pool);
		assert_non_null(src[i]);
		assert_non_null(dst[i]);
		assert_non_null(ops[i]);
		ops[i]->op_type = WD_COMP_OP_STATELESS;
		ops[i]->private_xform = px;
		ops[i]->m_src = src[i];
		ops[i]->m_dst = dst[i];
		ops[i]->src.length = sizeof(data);
	}
	n = wd_comp_enqueue_burst(dev, 0, ops, 8);
	assert_true(n > 0);
	wd_cleanup();
	assert_int_equal(wd_comp_dev_count(), 0);
	assert_int_equal(wd_comp_enqueue_burst(dev, 0, ops, 8), 0);
	assert_int_equal(wd_comp_dequeue_burst(dev, 0, ops, 8), 0);
	assert_int_equal(wd_comp_dev_configure(dev2, &(struct wd_comp_config){.nb_queue_pairs = 1,
				.socket_id = WD_SOCKET_ANY}), -ENODEV);
	/* the device is gone with wd_cleanup(): the xform went with it */
	assert_int_equal(wd_comp_private_xform_free(dev, px), -ENODEV);
	for (unsigned int i = 0; i < 8; i++) {
		rte_pktmbuf_free(src[i]);
		rte_pktmbuf_free(dst[i]);
		wd_comp_op_free(ops[i]);
	}
	/* and again */
	assert_true(wd_comp_init() >= 0);
	dev = dev_up("model");
	roundtrip(dev);
	ct_dev_close(dev);
	assert_int_equal(wd_comp_dev_detach(dev), 0);
}

/* Bytes allocated in DPDK's heaps (where DMA memory comes from), all sockets. */
static size_t
heap_allocated(void)
{
	size_t sum = 0;

	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	}
	return sum;
}

/*
 * Handles of a device released by wd_cleanup(), used after a new device
 * took its slot: their frees say -ENODEV without touching the new device
 * (a stale stream's free used to call into a driver that was gone, and
 * stale frees decremented the new device's counts, so that it could never
 * be detached), and ops that name them are INVALID_ARGS. A stale hardware
 * stream's free also gives back its driver context (hisi_zip: 64 KiB of
 * DMA memory), which used to leak.
 */
static void
stale_on(const char *spec)
{
	static uint8_t data[4096];
	struct wd_comp_xform x = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_ZLIB, .level = 1};
	struct rte_mbuf *src, *dst;
	struct wd_comp_op *op;
	void *px, *st, *px2, *st2;
	uint8_t dev = dev_up("model"), dev2;
	size_t before;

	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 6);
	assert_int_equal(wd_comp_private_xform_create(dev, &x, &px), 0);
	assert_int_equal(wd_comp_stream_create(dev, &x, &st), 0);
	wd_cleanup();
	assert_true(wd_comp_init() >= 0);
	dev2 = dev_up(spec);
	assert_int_equal(dev2, dev);	/* the slot of the device released */
	assert_int_equal(wd_comp_private_xform_create(dev2, &x, &px2), 0);
	assert_int_equal(wd_comp_stream_create(dev2, &x, &st2), 0);
	/* ops that name the old handles run nowhere */
	src = ct_chain_from(data, sizeof(data), 0, 0);
	dst = ct_chain_room(8192, 0);
	op = wd_comp_op_alloc(ct_op_pool);
	assert_non_null(src);
	assert_non_null(dst);
	assert_non_null(op);
	for (int stateful = 0; stateful < 2; stateful++) {
		struct wd_comp_op *got = NULL;

		op->op_type = stateful ? WD_COMP_OP_STATEFUL : WD_COMP_OP_STATELESS;
		if (stateful)
			op->stream = st;
		else
			op->private_xform = px;
		op->m_src = src;
		op->m_dst = dst;
		op->src.offset = 0;
		op->src.length = sizeof(data);
		op->dst.offset = 0;
		op->flush_flag = WD_COMP_FLUSH_FINAL;
		assert_int_equal(wd_comp_enqueue_burst(dev2, 0, &op, 1), 1);
		for (int i = 0; i < 1000 && wd_comp_dequeue_burst(dev2, 0, &got, 1) == 0; i++)
			usleep(1000);
		assert_ptr_equal(got, op);
		assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	}
	/* the old handles' frees: gone with their device */
	assert_int_equal(wd_comp_private_xform_free(dev2, px), -ENODEV);
	before = heap_allocated();
	assert_int_equal(wd_comp_stream_free(dev2, st), -ENODEV);
	assert_true(before - heap_allocated() >= 64 * 1024);
	/* the new device's own handles and counts are untouched */
	assert_int_equal(wd_comp_private_xform_free(dev2, px2), 0);
	assert_int_equal(wd_comp_stream_free(dev2, st2), 0);
	rte_pktmbuf_free(src);
	rte_pktmbuf_free(dst);
	wd_comp_op_free(op);
	ct_dev_close(dev2);
	assert_int_equal(wd_comp_dev_detach(dev2), 0);
}

static void
test_stale_handles(void **state)
{
	(void)state;
	stale_on("sw");
	stale_on("model");
}

/*
 * wd_comp_buf_process() into DMA memory on a device that stalls for longer
 * than the call's 10 s deadline: whatever it returns (the driver's own
 * deadline may reset the function first), nothing writes into the
 * caller's buffer after it returned (the output goes through a private
 * buffer).
 */
static void
test_buf_process_timeout(void **state)
{
	static uint8_t data[8192], snap[16384];
	struct wd_comp_xform x = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_GZIP, .level = 1};
	struct wd_comp_qp_conf conf = {.socket_id = WD_SOCKET_ANY, .fallback = {.flags = 0}};
	struct wd_comp_buf_result r;
	const size_t room = sizeof(snap);
	uint8_t *dst = wd_dma_zmalloc(room, 64, WD_SOCKET_ANY);
	int dev, ret;

	(void)state;
	assert_non_null(dst);
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 9);
	/* no fallback: the hardware or nothing */
	dev = ct_dev_open("model:stall_ms=12500", 1, &conf);
	assert_true(dev >= 0);
	memset(dst, 0xa5, room);
	ret = wd_comp_buf_process((uint8_t)dev, 0, &x, data, sizeof(data), dst, room, &r);
	/* whatever the outcome (the driver's own deadline may reset and retry) */
	assert_true(ret == 0 || ret == -ETIMEDOUT || ret == -EIO);
	if (ret != 0)
		r.produced = 0;
	memcpy(snap, dst, room);
	for (size_t i = r.produced; i < room; i++)
		assert_int_equal(dst[i], 0xa5);
	/* the engine wakes up: nothing more is written into dst */
	usleep(4000 * 1000);
	assert_memory_equal(dst, snap, room);
	/* the device answers again */
	roundtrip((uint8_t)dev);
	ct_dev_close((uint8_t)dev);
	assert_int_equal(wd_comp_dev_detach((uint8_t)dev), 0);
	wd_dma_free(dst);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sw_before_eal),
		cmocka_unit_test(test_attach_detach_cycles),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_buf_process_timeout),
		cmocka_unit_test(test_cleanup_live),
		cmocka_unit_test(test_stale_handles),
	};
	int ret;

	(void)argc;
	/* before EAL: "sw" has no memory to run in */
	g_sw_before_eal = wd_comp_dev_attach("sw");
	if (ct_init(argv[0]) != 0)
		return 1;
	ret = cmocka_run_group_tests_name("wd_comp_lifecycle", tests, NULL, NULL);
	wd_test_eal_cleanup();
	return ret;
}
