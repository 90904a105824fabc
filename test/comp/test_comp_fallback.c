/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fallback policy of a queue pair, trigger by trigger, on the fake
 * hardware driver (which can be told to lack queues, keep requests in
 * flight, refuse raw deflate decompression at run time, or take small
 * requests only): every op's engine and fallback reason, the per-queue-
 * pair counters, and what happens when the policy does not allow
 * software. Results are checked against zlib.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>
#include <zlib.h>

#include "comp_test.h"
#include "fake_zip.h"
#include "wd_comp.h"
#include "wd_test.h"

static uint8_t data[1u << 20];
static uint8_t comp[(1u << 20) + 4096];
static uint8_t back[1u << 20];

static int
open_dev(const char *args, uint16_t nb_qps, uint32_t flags, uint32_t small, uint32_t depth)
{
	struct wd_comp_qp_conf conf = {
		.max_inflight_ops = depth,
		.socket_id = WD_SOCKET_ANY,
		.fallback = {.flags = flags, .small_threshold = small},
	};
	char spec[128];

	snprintf(spec, sizeof(spec), "model:type=fakezip%s%s", args[0] ? "," : "", args);
	return ct_dev_open(spec, nb_qps, &conf);
}

static void *
xform(uint8_t dev, enum wd_op_type t, enum wd_comp_alg a, int level, int wlog)
{
	struct wd_comp_xform x = {.type = t, .alg = a, .level = level, .window_log = (uint8_t)wlog};
	void *px = NULL;

	assert_int_equal(wd_comp_private_xform_create(dev, &x, &px), 0);
	return px;
}

static struct wd_comp_op *
mkop(void *px, const void *in, size_t len, size_t room)
{
	struct wd_comp_op *op = wd_comp_op_alloc(ct_op_pool);

	assert_non_null(op);
	op->op_type = WD_COMP_OP_STATELESS;
	op->private_xform = px;
	op->m_src = ct_chain_from(in, len, 0, 0);
	op->m_dst = ct_chain_room(room, 0);
	assert_non_null(op->m_src);
	assert_non_null(op->m_dst);
	op->src.length = (uint32_t)len;
	op->flush_flag = WD_COMP_FLUSH_FINAL;
	return op;
}

static void
op_release(struct wd_comp_op *op)
{
	rte_pktmbuf_free(op->m_src);
	rte_pktmbuf_free(op->m_dst);
	wd_comp_op_free(op);
}

/* Compress @p len bytes on (dev, qp); check with zlib; @return the finished op. */
static struct wd_comp_op *
compress_one(uint8_t dev, uint16_t qp, void *px, enum wd_comp_alg alg, size_t len)
{
	struct wd_comp_op *op = mkop(px, data, len, wd_comp_bound(alg, len));

	assert_int_equal(ct_run(dev, qp, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	ct_chain_read(op->m_dst, 0, comp, op->produced);
	assert_int_equal(ct_zlib_decomp(alg, comp, op->produced, back, sizeof(back), 0),
			 (long)len);
	assert_memory_equal(back, data, len);
	return op;
}

static void
stats_of(uint8_t dev, uint16_t qp, struct wd_comp_stats *s)
{
	assert_int_equal(wd_comp_qp_stats_get(dev, qp, s), 0);
}

/* Run @p op alone on (dev, qp): it must succeed, in software, for @p reason. */
static void
run_in_sw(uint8_t dev, uint16_t qp, struct wd_comp_op *op, enum wd_comp_fallback_reason reason)
{
	assert_int_equal(ct_run(dev, qp, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	assert_int_equal(op->engine, WD_COMP_ENGINE_SW);
	assert_int_equal(op->fallback_reason, reason);
}

/* The output of @p op is the first 20000 bytes of data. */
static void
got_data_back(const struct wd_comp_op *op)
{
	ct_chain_read(op->m_dst, 0, back, 20000);
	assert_memory_equal(back, data, 20000);
}

static void
test_no_hw(void **state)
{
	struct wd_comp_stats s;
	struct wd_comp_op *op;
	void *px;
	int dev;

	(void)state;
	/* two queues: queue pair 0 takes both, queue pair 1 gets none */
	dev = open_dev("queues=2", 2, WD_COMP_FB_F_NO_HW, 0, 0);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 1, 15);
	op = compress_one((uint8_t)dev, 0, px, WD_COMP_ALG_ZLIB, 5000);
	assert_int_equal(op->engine, WD_COMP_ENGINE_HW);
	assert_int_equal(op->fallback_reason, WD_COMP_FB_NONE);
	op_release(op);
	for (int i = 0; i < 3; i++) {
		op = compress_one((uint8_t)dev, 1, px, WD_COMP_ALG_ZLIB, 5000);
		assert_int_equal(op->engine, WD_COMP_ENGINE_SW);
		assert_int_equal(op->fallback_reason, WD_COMP_FB_NO_HW);
		op_release(op);
	}
	stats_of((uint8_t)dev, 1, &s);
	assert_int_equal(s.sw_ops, 3);
	assert_int_equal(s.hw_ops, 0);
	assert_int_equal(s.fallback[WD_COMP_FB_NO_HW], 3);
	stats_of((uint8_t)dev, 0, &s);
	assert_int_equal(s.hw_ops, 1);
	assert_int_equal(s.sw_ops, 0);
	/* streams on a queue pair without hardware run in software from the start */
	{
		struct wd_comp_xform x = {.type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_GZIP};
		size_t clen = ct_zlib_comp(WD_COMP_ALG_GZIP, 6, 15, data, 3000, comp, sizeof(comp));
		void *st;

		assert_int_equal(wd_comp_stream_create((uint8_t)dev, &x, &st), 0);
		op = mkop(NULL, comp, clen, 3000);
		op->op_type = WD_COMP_OP_STATEFUL;
		op->stream = st;
		run_in_sw((uint8_t)dev, 1, op, WD_COMP_FB_NO_HW);
		assert_int_equal(op->produced, 3000);
		op_release(op);
		assert_int_equal(wd_comp_stream_free((uint8_t)dev, st), 0);
	}
	/* the synchronous call counts the same way */
	{
		struct wd_comp_xform x = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_GZIP,
					  .level = 1};
		struct wd_comp_buf_result r;

		assert_int_equal(wd_comp_buf_process((uint8_t)dev, 1, &x, data, 10000, comp,
						     sizeof(comp), &r), 0);
		assert_int_equal(r.engine, WD_COMP_ENGINE_SW);
		stats_of((uint8_t)dev, 1, &s);
		assert_int_equal(s.fallback[WD_COMP_FB_NO_HW], 5);
	}
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);
	/* without NO_HW in the policy, a queue pair without hardware is refused */
	dev = open_dev("queues=2", 2, WD_COMP_FB_F_UNSUPPORTED, 0, 0);
	assert_int_equal(dev, -EBUSY);
}

static void
test_queue_full(void **state)
{
	enum { N = 10 };
	struct wd_comp_op *ops[N], *done[N];
	struct wd_comp_stats s;
	unsigned int got = 0, hw = 0, sw = 0;
	void *px;
	int dev;

	(void)state;
	/* hardware queues of depth 4 (3 in flight) */
	dev = open_dev("depth=4", 2, WD_COMP_FB_F_QUEUE_FULL, 0, 64);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_COMPRESS, WD_COMP_ALG_GZIP, 1, 15);
	for (int i = 0; i < N; i++)
		ops[i] = mkop(px, data + i * 1000, 4000, 5000);
	fake_zip_hold = true;
	assert_int_equal(wd_comp_enqueue_burst((uint8_t)dev, 0, ops, N), N);
	/* what did not fit ran in software and is back already */
	got = wd_comp_dequeue_burst((uint8_t)dev, 0, done, N);
	assert_int_equal(got, N - 3);
	for (unsigned int i = 0; i < got; i++) {
		assert_int_equal(done[i]->engine, WD_COMP_ENGINE_SW);
		assert_int_equal(done[i]->fallback_reason, WD_COMP_FB_QUEUE_FULL);
	}
	fake_zip_hold = false;
	while (got < N)
		got += wd_comp_dequeue_burst((uint8_t)dev, 0, done + got, N - got);
	for (int i = 0; i < N; i++) {
		assert_int_equal(ops[i]->status, WD_COMP_OP_SUCCESS);
		ct_chain_read(ops[i]->m_dst, 0, comp, ops[i]->produced);
		assert_int_equal(ct_zlib_decomp(WD_COMP_ALG_GZIP, comp, ops[i]->produced, back,
						sizeof(back), 0), 4000);
		assert_memory_equal(back, data + i * 1000, 4000);
		hw += ops[i]->engine == WD_COMP_ENGINE_HW;
		sw += ops[i]->engine == WD_COMP_ENGINE_SW;
		op_release(ops[i]);
	}
	assert_int_equal(hw, 3);
	assert_int_equal(sw, N - 3);
	stats_of((uint8_t)dev, 0, &s);
	assert_int_equal(s.fallback[WD_COMP_FB_QUEUE_FULL], N - 3);
	assert_int_equal(s.hw_ops, 3);
	assert_int_equal(s.enqueue_err_count, 0);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);

	/* without QUEUE_FULL the burst stops: the rest is not accepted */
	dev = open_dev("depth=4", 1, 0, 0, 64);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_COMPRESS, WD_COMP_ALG_GZIP, 1, 15);
	for (int i = 0; i < N; i++)
		ops[i] = mkop(px, data, 4000, 5000);
	fake_zip_hold = true;
	assert_int_equal(wd_comp_enqueue_burst((uint8_t)dev, 0, ops, N), 3);
	assert_int_equal(wd_comp_dequeue_burst((uint8_t)dev, 0, done, N), 0);
	stats_of((uint8_t)dev, 0, &s);
	assert_int_equal(s.enqueue_err_count, N - 3);
	/* an xform with ops in flight cannot be freed */
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), -EBUSY);
	fake_zip_hold = false;
	got = 0;
	while (got < 3)
		got += wd_comp_dequeue_burst((uint8_t)dev, 0, done + got, N);
	assert_int_equal(ct_run((uint8_t)dev, 0, ops + 3, N - 3), 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(ops[i]->status, WD_COMP_OP_SUCCESS);
		assert_int_equal(ops[i]->engine, WD_COMP_ENGINE_HW);
		op_release(ops[i]);
	}
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);
}

static void
test_small(void **state)
{
	struct wd_comp_stats s;
	struct wd_comp_op *op;
	void *px;
	int dev;

	(void)state;
	dev = open_dev("", 1, WD_COMP_FB_F_SMALL, 1024, 0);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_COMPRESS, WD_COMP_ALG_DEFLATE, 1, 15);
	op = compress_one((uint8_t)dev, 0, px, WD_COMP_ALG_DEFLATE, 1023);
	assert_int_equal(op->engine, WD_COMP_ENGINE_SW);
	assert_int_equal(op->fallback_reason, WD_COMP_FB_SMALL);
	op_release(op);
	op = compress_one((uint8_t)dev, 0, px, WD_COMP_ALG_DEFLATE, 1024);
	assert_int_equal(op->engine, WD_COMP_ENGINE_HW);
	op_release(op);
	op = compress_one((uint8_t)dev, 0, px, WD_COMP_ALG_DEFLATE, 0);
	assert_int_equal(op->engine, WD_COMP_ENGINE_SW);
	op_release(op);
	stats_of((uint8_t)dev, 0, &s);
	assert_int_equal(s.fallback[WD_COMP_FB_SMALL], 2);
	assert_int_equal(s.hw_ops, 1);
	assert_int_equal(s.sw_ops, 2);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);
}

/*
 * The small-op threshold where the fast path does not decide (a FULL flush,
 * independent raw deflate blocks, is not for it, nor for this device): an
 * op of exactly small_threshold bytes is not small.
 */
static void
test_small_general_path(void **state)
{
	struct wd_comp_stats s;
	struct wd_comp_op *op;
	void *px;
	int dev;

	(void)state;
	dev = open_dev("", 1, WD_COMP_FB_F_SMALL | WD_COMP_FB_F_UNSUPPORTED, 1024, 0);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_COMPRESS, WD_COMP_ALG_DEFLATE, 1, 15);
	for (size_t len = 1023; len <= 1024; len++) {
		op = mkop(px, data, len, wd_comp_bound(WD_COMP_ALG_DEFLATE, len));
		op->flush_flag = WD_COMP_FLUSH_FULL;
		run_in_sw((uint8_t)dev, 0, op,
			  len < 1024 ? WD_COMP_FB_SMALL : WD_COMP_FB_UNSUPPORTED);
		op_release(op);
	}
	stats_of((uint8_t)dev, 0, &s);
	assert_int_equal(s.fallback[WD_COMP_FB_SMALL], 1);
	assert_int_equal(s.fallback[WD_COMP_FB_UNSUPPORTED], 1);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);
}

static void
test_unsupported_caps(void **state)
{
	struct wd_comp_stats s;
	struct wd_comp_op *op;
	void *px;
	int dev;
	size_t clen = ct_zlib_comp(WD_COMP_ALG_DEFLATE, 6, 15, data, 20000, comp, sizeof(comp));

	(void)state;
	dev = open_dev("", 1, WD_COMP_FB_F_UNSUPPORTED, 0, 0);
	assert_true(dev >= 0);
	/* raw deflate decompression: not in the hardware (caps say so) */
	px = xform((uint8_t)dev, WD_OP_DECOMPRESS, WD_COMP_ALG_DEFLATE, 0, 15);
	op = mkop(px, comp, clen, 20000);
	run_in_sw((uint8_t)dev, 0, op, WD_COMP_FB_UNSUPPORTED);
	got_data_back(op);
	op_release(op);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	/* a window below the hardware's (12), level 0 and fixed Huffman: software */
	px = xform((uint8_t)dev, WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 6, 9);
	op = compress_one((uint8_t)dev, 0, px, WD_COMP_ALG_ZLIB, 30000);
	assert_int_equal(op->fallback_reason, WD_COMP_FB_UNSUPPORTED);
	op_release(op);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	px = xform((uint8_t)dev, WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 0, 15);
	op = compress_one((uint8_t)dev, 0, px, WD_COMP_ALG_ZLIB, 30000);
	assert_int_equal(op->fallback_reason, WD_COMP_FB_UNSUPPORTED);
	op_release(op);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	{
		struct wd_comp_xform x = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_GZIP,
					  .level = 1, .huffman = WD_COMP_HUFFMAN_FIXED};

		assert_int_equal(wd_comp_private_xform_create((uint8_t)dev, &x, &px), 0);
		op = compress_one((uint8_t)dev, 0, px, WD_COMP_ALG_GZIP, 30000);
		assert_int_equal(op->engine, WD_COMP_ENGINE_SW);
		assert_int_equal(op->fallback_reason, WD_COMP_FB_UNSUPPORTED);
		op_release(op);
		assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	}
	stats_of((uint8_t)dev, 0, &s);
	assert_int_equal(s.fallback[WD_COMP_FB_UNSUPPORTED], 4);
	assert_int_equal(s.sw_ops, 4);
	ct_dev_close((uint8_t)dev);

	/* without UNSUPPORTED: the op fails with ERR_NOTSUP, nothing ran */
	dev = open_dev("", 1, WD_COMP_FB_F_NO_HW, 0, 0);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_DECOMPRESS, WD_COMP_ALG_DEFLATE, 0, 15);
	op = mkop(px, comp, clen, 20000);
	assert_int_equal(ct_run((uint8_t)dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_ERR_NOTSUP);
	assert_int_equal(op->engine, WD_COMP_ENGINE_NONE);
	op_release(op);
	{
		struct wd_comp_xform x = {.type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_DEFLATE};
		struct wd_comp_buf_result r;

		assert_int_equal(wd_comp_buf_process((uint8_t)dev, 0, &x, comp, clen, back,
						     sizeof(back), &r), -ENOTSUP);
		assert_int_equal(r.status, WD_COMP_OP_ERR_NOTSUP);
	}
	stats_of((uint8_t)dev, 0, &s);
	assert_int_equal(s.status[WD_COMP_OP_ERR_NOTSUP], 2);
	assert_int_equal(s.sw_ops + s.hw_ops, 0);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);
}

static void
test_unsupported_runtime(void **state)
{
	struct wd_comp_stats s;
	struct wd_comp_op *op;
	struct wd_comp_xform x = {.type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_DEFLATE};
	size_t clen = ct_zlib_comp(WD_COMP_ALG_DEFLATE, 6, 15, data, 20000, comp, sizeof(comp));
	uint64_t before;
	void *px, *st;
	int dev;

	(void)state;
	/* caps claim raw deflate decompression; the device answers NOTSUP per message */
	dev = open_dev("deflate_decomp=runtime", 1, WD_COMP_FB_F_UNSUPPORTED, 0, 0);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_DECOMPRESS, WD_COMP_ALG_DEFLATE, 0, 15);
	before = fake_zip_msgs;
	op = mkop(px, comp, clen, 20000);
	assert_int_equal(ct_run((uint8_t)dev, 0, &op, 1), 0);
	assert_true(fake_zip_msgs > before); /* the device was asked */
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	assert_int_equal(op->engine, WD_COMP_ENGINE_SW);
	assert_int_equal(op->fallback_reason, WD_COMP_FB_UNSUPPORTED);
	got_data_back(op);
	op_release(op);
	/* a stream refused at its first op moves to software for good */
	assert_int_equal(wd_comp_stream_create((uint8_t)dev, &x, &st), 0);
	for (size_t off = 0; off < clen; off += 4000) {
		size_t n = RTE_MIN((size_t)4000, clen - off);

		op = mkop(NULL, comp + off, n, 20000);
		op->op_type = WD_COMP_OP_STATEFUL;
		op->stream = st;
		/* FINAL promises the end of the stream: only on the last piece */
		op->flush_flag = off + n == clen ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_NONE;
		run_in_sw((uint8_t)dev, 0, op, WD_COMP_FB_UNSUPPORTED);
		op_release(op);
	}
	assert_int_equal(wd_comp_stream_free((uint8_t)dev, st), 0);
	stats_of((uint8_t)dev, 0, &s);
	assert_true(s.fallback[WD_COMP_FB_UNSUPPORTED] >= 2);
	assert_int_equal(s.hw_ops, 0);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);
}

/*
 * A device that fails decompression with a status of its own (a VF cannot
 * tell corrupt input from a device fault): stateless ops are decided by
 * software when the policy allows it, else they keep ERR_DEVICE.
 */
static void
test_device_error(void **state)
{
	struct wd_comp_xform x = {.type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_ZLIB};
	size_t clen = ct_zlib_comp(WD_COMP_ALG_ZLIB, 6, 15, data, 20000, comp, sizeof(comp));
	struct wd_comp_stats s;
	struct wd_comp_op *op;
	void *px, *st;
	int dev;

	(void)state;
	dev = open_dev("decomp_status=5", 1, WD_COMP_FB_F_DEFAULT, 0, 0);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_DECOMPRESS, WD_COMP_ALG_ZLIB, 0, 15);
	/* good input: software's result, the reason counted */
	op = mkop(px, comp, clen, 20000);
	run_in_sw((uint8_t)dev, 0, op, WD_COMP_FB_UNSUPPORTED);
	assert_int_equal(op->produced, 20000);
	got_data_back(op);
	op_release(op);
	/* corrupt input: the data's fault, said as such */
	comp[clen / 2] ^= 0x55;
	comp[clen / 2 + 1] ^= 0xaa;
	op = mkop(px, comp, clen, 20000);
	assert_int_equal(ct_run((uint8_t)dev, 0, &op, 1), 0);
	assert_true(op->status == WD_COMP_OP_ERR_DATA || op->status == WD_COMP_OP_ERR_CHECKSUM);
	assert_int_equal(op->engine, WD_COMP_ENGINE_SW);
	op_release(op);
	comp[clen / 2] ^= 0x55;
	comp[clen / 2 + 1] ^= 0xaa;
	/* a stream's state is the device's: ERR_DEVICE stays */
	assert_int_equal(wd_comp_stream_create((uint8_t)dev, &x, &st), 0);
	op = mkop(NULL, comp, clen, 20000);
	op->op_type = WD_COMP_OP_STATEFUL;
	op->stream = st;
	assert_int_equal(ct_run((uint8_t)dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_ERR_DEVICE);
	assert_int_equal(op->engine, WD_COMP_ENGINE_HW);
	assert_int_equal(op->debug_status, 5);
	op_release(op);
	assert_int_equal(wd_comp_stream_free((uint8_t)dev, st), 0);
	stats_of((uint8_t)dev, 0, &s);
	assert_int_equal(s.fallback[WD_COMP_FB_UNSUPPORTED], 2);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);

	/* without software in the policy: the device's answer, as it gave it */
	dev = open_dev("decomp_status=5", 1, WD_COMP_FB_F_NO_HW, 0, 0);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_DECOMPRESS, WD_COMP_ALG_ZLIB, 0, 15);
	op = mkop(px, comp, clen, 20000);
	assert_int_equal(ct_run((uint8_t)dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_ERR_DEVICE);
	assert_int_equal(op->engine, WD_COMP_ENGINE_HW);
	assert_int_equal(op->debug_status, 5);
	op_release(op);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);
}

static void
test_too_big(void **state)
{
	struct wd_comp_op *op;
	struct wd_comp_xform x = {.type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_ZLIB};
	uint64_t before;
	size_t len = sizeof(data), clen;
	void *px;
	int dev;

	(void)state;
	wd_test_gen(data, len, WD_TEST_DATA_MIXED, 31);
	/* a device taking 64 KiB per message: a 1 MiB op becomes an internal stream */
	dev = open_dev("max_len=65536", 1, WD_COMP_FB_F_DEFAULT, 0, 0);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_COMPRESS, WD_COMP_ALG_GZIP, 1, 15);
	before = fake_zip_msgs;
	op = compress_one((uint8_t)dev, 0, px, WD_COMP_ALG_GZIP, len);
	assert_int_equal(op->engine, WD_COMP_ENGINE_HW);
	assert_true(fake_zip_msgs - before >= len / 65536);
	assert_int_equal(op->output_chksum, crc32(0, data, (uInt)len));
	clen = op->produced;
	op_release(op);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	/* and back: input and output both above the limit */
	px = xform((uint8_t)dev, WD_OP_DECOMPRESS, WD_COMP_ALG_GZIP, 0, 15);
	op = mkop(px, comp, clen, len);
	assert_int_equal(ct_run((uint8_t)dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	assert_int_equal(op->engine, WD_COMP_ENGINE_HW);
	assert_int_equal(op->produced, len);
	assert_int_equal(op->consumed, clen);
	assert_int_equal(op->output_chksum, crc32(0, data, (uInt)len));
	ct_chain_read(op->m_dst, 0, back, len);
	assert_memory_equal(back, data, len);
	op_release(op);
	/* a small input whose output is big: out of space on one message, then a stream */
	memset(back, 0, len);
	clen = ct_zlib_comp(WD_COMP_ALG_ZLIB, 9, 15, back, len, comp, sizeof(comp));
	assert_true(clen < 65536);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	assert_int_equal(wd_comp_private_xform_create((uint8_t)dev, &x, &px), 0);
	op = mkop(px, comp, clen, len);
	assert_int_equal(ct_run((uint8_t)dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	assert_int_equal(op->engine, WD_COMP_ENGINE_HW);
	assert_int_equal(op->produced, len);
	assert_int_equal(op->output_chksum, adler32(1, back, (uInt)len));
	op_release(op);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	/* a stream op larger than a message is cut into pieces of the stream */
	{
		struct wd_comp_xform cx = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_ZLIB,
					   .level = 1};
		size_t done_out = 0, part = 300000;
		void *st;

		assert_int_equal(wd_comp_stream_create((uint8_t)dev, &cx, &st), 0);
		for (size_t off = 0; off < len; off += part) {
			size_t n = RTE_MIN(part, len - off);

			before = fake_zip_msgs;
			op = mkop(NULL, data + off, n, n + 4096);
			op->op_type = WD_COMP_OP_STATEFUL;
			op->stream = st;
			op->flush_flag = off + n == len ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_NONE;
			assert_int_equal(ct_run((uint8_t)dev, 0, &op, 1), 0);
			assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
			assert_int_equal(op->engine, WD_COMP_ENGINE_HW);
			assert_int_equal(op->consumed, n);
			assert_true(fake_zip_msgs - before >= n / 65536);
			ct_chain_read(op->m_dst, 0, comp + done_out, op->produced);
			done_out += op->produced;
			op_release(op);
		}
		assert_int_equal(ct_zlib_decomp(WD_COMP_ALG_ZLIB, comp, done_out, back,
						sizeof(back), 0), (long)len);
		assert_memory_equal(back, data, len);
		assert_int_equal(wd_comp_stream_free((uint8_t)dev, st), 0);
	}
	ct_dev_close((uint8_t)dev);

	/* without stream mode it cannot be split: software */
	dev = open_dev("max_len=65536,stateful=0", 1, WD_COMP_FB_F_DEFAULT, 0, 0);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_COMPRESS, WD_COMP_ALG_GZIP, 1, 15);
	op = compress_one((uint8_t)dev, 0, px, WD_COMP_ALG_GZIP, len);
	assert_int_equal(op->engine, WD_COMP_ENGINE_SW);
	assert_int_equal(op->fallback_reason, WD_COMP_FB_UNSUPPORTED);
	op_release(op);
	op = compress_one((uint8_t)dev, 0, px, WD_COMP_ALG_GZIP, 65536);
	assert_int_equal(op->engine, WD_COMP_ENGINE_HW);
	op_release(op);
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);
}

static void
ext_free_cb(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
}

static void
test_not_dma_memory(void **state)
{
	struct rte_mbuf_ext_shared_info si;
	uint8_t *plain = malloc(20000);
	struct wd_comp_op *op;
	void *px;
	int dev;

	(void)state;
	assert_non_null(plain);
	memcpy(plain, data, 20000);
	dev = open_dev("", 1, WD_COMP_FB_F_DEFAULT, 0, 0);
	assert_true(dev >= 0);
	px = xform((uint8_t)dev, WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 1, 15);
	op = mkop(px, data, 1, 30000);
	/* the input is ordinary process memory the device cannot reach */
	rte_pktmbuf_free(op->m_src);
	op->m_src = rte_pktmbuf_alloc(ct_mbuf_pool);
	si.free_cb = ext_free_cb;
	si.fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(&si, 1);
	rte_pktmbuf_attach_extbuf(op->m_src, plain, 0, 20000, &si);
	op->m_src->data_off = 0;
	op->m_src->data_len = 20000;
	op->m_src->pkt_len = 20000;
	op->src.length = 20000;
	run_in_sw((uint8_t)dev, 0, op, WD_COMP_FB_UNSUPPORTED);
	ct_chain_read(op->m_dst, 0, comp, op->produced);
	assert_int_equal(ct_zlib_decomp(WD_COMP_ALG_ZLIB, comp, op->produced, back, sizeof(back),
					0), 20000);
	assert_memory_equal(back, data, 20000);
	op_release(op);
	/* the synchronous call copies ordinary memory through DMA memory: hardware */
	{
		struct wd_comp_xform x = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_ZLIB,
					  .level = 1};
		struct wd_comp_buf_result r;
		uint8_t *o = malloc(30000);

		assert_non_null(o);
		assert_int_equal(wd_comp_buf_process((uint8_t)dev, 0, &x, plain, 20000, o, 30000,
						     &r), 0);
		assert_int_equal(r.engine, WD_COMP_ENGINE_HW);
		assert_int_equal(ct_zlib_decomp(WD_COMP_ALG_ZLIB, o, r.produced, back,
						sizeof(back), 0), 20000);
		assert_memory_equal(back, data, 20000);
		free(o);
	}
	assert_int_equal(wd_comp_private_xform_free((uint8_t)dev, px), 0);
	ct_dev_close((uint8_t)dev);
	free(plain);
}

static void
test_stream_pinned(void **state)
{
	struct wd_comp_xform x = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_ZLIB, .level = 1};
	struct wd_comp_op *op;
	size_t out = 0;
	void *st;
	int dev;

	(void)state;
	/* a stream whose first op went to the hardware stays there, even when it is full */
	dev = open_dev("depth=4", 1, WD_COMP_FB_F_DEFAULT | WD_COMP_FB_F_QUEUE_FULL, 0, 0);
	assert_true(dev >= 0);
	assert_int_equal(wd_comp_stream_create((uint8_t)dev, &x, &st), 0);
	for (int i = 0; i < 4; i++) {
		op = mkop(NULL, data + i * 5000, 5000, 20000);
		op->op_type = WD_COMP_OP_STATEFUL;
		op->stream = st;
		op->flush_flag = i == 3 ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_NONE;
		assert_int_equal(ct_run((uint8_t)dev, 0, &op, 1), 0);
		assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
		assert_int_equal(op->engine, WD_COMP_ENGINE_HW);
		ct_chain_read(op->m_dst, 0, comp + out, op->produced);
		out += op->produced;
		op_release(op);
	}
	assert_int_equal(ct_zlib_decomp(WD_COMP_ALG_ZLIB, comp, out, back, sizeof(back), 0),
			 20000);
	assert_memory_equal(back, data, 20000);
	assert_int_equal(wd_comp_stream_free((uint8_t)dev, st), 0);
	ct_dev_close((uint8_t)dev);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_hw),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_small_general_path),
		cmocka_unit_test(test_unsupported_caps),
		cmocka_unit_test(test_unsupported_runtime),
		cmocka_unit_test(test_device_error),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_not_dma_memory),
		cmocka_unit_test(test_stream_pinned),
	};
	int ret;

	(void)argc;
	if (ct_init(argv[0]) != 0)
		return 1;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 30);
	ret = cmocka_run_group_tests_name("wd_comp_fallback", tests, NULL, NULL);
	wd_cleanup();
	wd_test_eal_cleanup();
	return ret;
}
