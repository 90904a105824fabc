/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wd_comp API against one device, in the manner of DPDK's
 * compressdev_autotest: invalid configuration, stateless fixed/dynamic,
 * big, multi-op, multi-level, multi-xform, SGL, checksums, out of space,
 * stateful compression and decompression with tiny steps, truncated
 * streams ending in a FINAL op, external buffers, windows, multi-member
 * gzip, bad input, op validation, the synchronous call, statistics and
 * the corpus. Every result is checked
 * against zlib in both directions.
 *
 * Usage: test_comp_api <device spec>   ("sw", "model:type=fakezip", ...)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <zlib.h>

#include "comp_test.h"
#include "wd_config.h"
#include "wd_comp.h"
#include "wd_test.h"

static const char *g_spec = "sw";
static uint8_t g_dev;
static bool g_hw;
/* false for a device that only stores (the model's "store" engine): no ratio checks */
static bool g_compresses = true;

static const enum wd_comp_alg algs[] = {WD_COMP_ALG_DEFLATE, WD_COMP_ALG_ZLIB, WD_COMP_ALG_GZIP};

static void
xform_set(struct wd_comp_xform *x, enum wd_op_type t, enum wd_comp_alg a, int level)
{
	memset(x, 0, sizeof(*x));
	x->type = t;
	x->alg = a;
	x->level = level;
	x->window_log = 15;
	x->huffman = WD_COMP_HUFFMAN_DEFAULT;
	x->chksum = WD_COMP_CHKSUM_NONE;
}

static struct wd_comp_op *
op_make(void *handle, bool stateful, struct rte_mbuf *src, uint32_t soff, uint32_t slen,
	struct rte_mbuf *dst, uint32_t doff, enum wd_comp_flush fl)
{
	struct wd_comp_op *op = wd_comp_op_alloc(ct_op_pool);

	assert_non_null(op);
	op->op_type = stateful ? WD_COMP_OP_STATEFUL : WD_COMP_OP_STATELESS;
	if (stateful)
		op->stream = handle;
	else
		op->private_xform = handle;
	op->m_src = src;
	op->m_dst = dst;
	op->src.offset = soff;
	op->src.length = slen;
	op->dst.offset = doff;
	op->flush_flag = fl;
	return op;
}

/* One stateless op on the device. Output copied to @p out. @return status. */
static uint8_t
eng_stateless(const struct wd_comp_xform *x, const void *in, size_t len, void *out, size_t room,
	      uint32_t seg_in, uint32_t seg_out, uint32_t lead_in, uint32_t lead_out,
	      struct wd_comp_op *res)
{
	struct rte_mbuf *s, *d;
	struct wd_comp_op *op;
	void *px = NULL;
	uint8_t st;
	uint8_t guard[16];

	assert_int_equal(wd_comp_private_xform_create(g_dev, x, &px), 0);
	s = ct_chain_from(in, len, seg_in, lead_in);
	d = ct_chain_room(room + lead_out, seg_out);
	assert_non_null(s);
	assert_non_null(d);
	op = op_make(px, false, s, lead_in, (uint32_t)len, d, lead_out, WD_COMP_FLUSH_FINAL);
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	st = op->status;
	if (st == WD_COMP_OP_SUCCESS) {
		assert_true(op->produced <= room);
		assert_int_equal(ct_chain_read(d, lead_out, out, op->produced), op->produced);
		/* nothing written before the offset */
		if (lead_out > 0) {
			uint32_t n = RTE_MIN(lead_out, (uint32_t)sizeof(guard));

			ct_chain_read(d, 0, guard, n);
			for (uint32_t i = 0; i < n; i++)
				assert_int_equal(guard[i], 0x5a);
		}
	}
	if (res != NULL)
		*res = *op;
	rte_pktmbuf_free(s);
	rte_pktmbuf_free(d);
	wd_comp_op_free(op);
	assert_int_equal(wd_comp_private_xform_free(g_dev, px), 0);
	return st;
}

/*
 * Compress @p data on the device, check with zlib; compress with zlib,
 * decompress on the device; and device to device. Segmenting as given.
 */
static void
roundtrip(const struct wd_comp_xform *cx, const void *data, size_t len, uint32_t seg_in,
	  uint32_t seg_out, uint32_t lead)
{
	struct wd_comp_xform dx;
	size_t room = wd_comp_bound(cx->alg, len);
	uint8_t *c = malloc(room + 64), *back = malloc(len + 64);
	struct wd_comp_op r;
	long n;
	int zlevel = cx->level < 0 ? 6 : cx->level;

	assert_non_null(c);
	assert_non_null(back);
	/* device -> zlib */
	assert_int_equal(eng_stateless(cx, data, len, c, room, seg_in, seg_out, lead, lead, &r),
			 WD_COMP_OP_SUCCESS);
	assert_int_equal(r.consumed, len);
	n = ct_zlib_decomp(cx->alg, c, r.produced, back, len + 64, cx->window_log);
	assert_int_equal(n, (long)len);
	assert_memory_equal(back, data, len);
	if (cx->alg != WD_COMP_ALG_DEFLATE)
		assert_int_equal(r.output_chksum, ct_sum(cx->alg, data, len));
	/* device -> device */
	xform_set(&dx, WD_OP_DECOMPRESS, cx->alg, 0);
	dx.chksum = cx->chksum;
	memset(back, 0, len + 64);
	assert_int_equal(eng_stateless(&dx, c, r.produced, back, len + 64, seg_out, seg_in, lead,
				       lead, &r), WD_COMP_OP_SUCCESS);
	assert_int_equal(r.produced, len);
	assert_memory_equal(back, data, len);
	if (cx->alg != WD_COMP_ALG_DEFLATE)
		assert_int_equal(r.output_chksum, ct_sum(cx->alg, data, len));
	/* zlib -> device */
	n = (long)ct_zlib_comp(cx->alg, zlevel, 15, data, len, c, room + 64);
	memset(back, 0, len + 64);
	assert_int_equal(eng_stateless(&dx, c, (size_t)n, back, len + 64, seg_out, seg_in, 0, 0,
				       &r), WD_COMP_OP_SUCCESS);
	assert_int_equal(r.consumed, n);
	assert_int_equal(r.produced, len);
	assert_memory_equal(back, data, len);
	free(c);
	free(back);
}

/* ------------------------------------------------------------------ */

static void
test_invalid_config(void **state)
{
	struct wd_comp_config cfg = {.socket_id = WD_SOCKET_ANY, .nb_queue_pairs = 1};
	struct wd_comp_xform x;
	struct wd_comp_dev_info info;
	struct wd_comp_buf_result br;
	void *h = NULL;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(wd_comp_dev_configure(200, &cfg), -ENODEV);
	assert_int_equal(wd_comp_dev_configure(g_dev, NULL), -EINVAL);
	assert_int_equal(wd_comp_dev_info_get(g_dev, NULL), -EINVAL);
	assert_int_equal(wd_comp_dev_info_get(WD_COMP_MAX_DEVS, &info), -ENODEV);
	assert_int_equal(wd_comp_dev_get_id("no such device"), -ENODEV);
	assert_int_equal(wd_comp_dev_get_id(NULL), -ENODEV);
	assert_int_equal(wd_comp_dev_attach("not a spec!"), -EINVAL);
	assert_int_equal(wd_comp_dev_attach(NULL), -EINVAL);
	/* started: no reconfiguration */
	assert_int_equal(wd_comp_dev_configure(g_dev, &cfg), -EBUSY);
	assert_int_equal(wd_comp_qp_setup(g_dev, 0, NULL), -EBUSY);
	assert_int_equal(wd_comp_dev_close(g_dev), -EBUSY);
	assert_int_equal(wd_comp_qp_setup(g_dev, WD_COMP_MAX_QPS, NULL), -EINVAL);
	/* transforms */
	xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 6);
	assert_int_equal(wd_comp_private_xform_create(g_dev, &x, NULL), -EINVAL);
	assert_int_equal(wd_comp_private_xform_create(g_dev, NULL, &h), -EINVAL);
	assert_int_equal(wd_comp_private_xform_create(99, &x, &h), -ENODEV);
	x.alg = (enum wd_comp_alg)7;
	assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &h), -EINVAL);
	x.alg = WD_COMP_ALG_ZLIB;
	x.window_log = 7;
	assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &h), -EINVAL);
	x.window_log = 16;
	assert_int_equal(wd_comp_stream_create(g_dev, &x, &h), -EINVAL);
	x.window_log = 15;
	x.level = 10;
	assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &h), -EINVAL);
	x.level = -2;
	assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &h), -EINVAL);
	x.level = 6;
	x.type = (enum wd_op_type)5;
	assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &h), -EINVAL);
	x.type = WD_OP_COMPRESS;
	x.huffman = (enum wd_comp_huffman)9;
	assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &h), -EINVAL);
	x.huffman = WD_COMP_HUFFMAN_DEFAULT;
	x.chksum = (enum wd_comp_chksum)9;
	assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &h), -EINVAL);
	/* freeing what is not ours */
	assert_int_equal(wd_comp_private_xform_free(g_dev, NULL), -EINVAL);
	assert_int_equal(wd_comp_private_xform_free(g_dev, buf), -EINVAL);
	assert_int_equal(wd_comp_stream_free(g_dev, NULL), -EINVAL);
	assert_int_equal(wd_comp_stream_free(g_dev, buf), -EINVAL);
	/* pools */
	assert_null(wd_comp_op_pool_create(NULL, 10, 0, 0, WD_SOCKET_ANY));
	assert_null(wd_comp_op_pool_create("p0", 0, 0, 0, WD_SOCKET_ANY));
	assert_null(wd_comp_op_pool_create("p1", 10, 100, 0, WD_SOCKET_ANY));
	assert_null(wd_comp_op_alloc(NULL));
	assert_int_equal(wd_comp_op_bulk_alloc(NULL, NULL, 1), -EINVAL);
	wd_comp_op_free(NULL);
	/* data path on bad ids */
	assert_int_equal(wd_comp_enqueue_burst(g_dev, 200, NULL, 1), 0);
	assert_int_equal(wd_comp_enqueue_burst(200, 0, NULL, 1), 0);
	assert_int_equal(wd_comp_dequeue_burst(g_dev, 0, NULL, 1), 0);
	/* synchronous call */
	xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 6);
	assert_int_equal(wd_comp_buf_process(g_dev, 0, &x, NULL, 10, buf, sizeof(buf), &br),
			 -EINVAL);
	assert_int_equal(wd_comp_buf_process(g_dev, 0, &x, buf, 10, buf, sizeof(buf), NULL),
			 -EINVAL);
	assert_int_equal(wd_comp_buf_process(g_dev, 9, &x, buf, 10, buf, sizeof(buf), &br),
			 -EINVAL);
	assert_int_equal(wd_comp_buf_process(g_dev, 0, NULL, buf, 10, buf, sizeof(buf), &br),
			 -EINVAL);
	/* a refused call does not report SUCCESS in its result */
	assert_int_equal(br.status, WD_COMP_OP_NOT_PROCESSED);
	/* stats */
	assert_int_equal(wd_comp_stats_get(g_dev, NULL), -EINVAL);
	assert_int_equal(wd_comp_qp_stats_get(g_dev, 99, (struct wd_comp_stats *)buf), -EINVAL);
	/* scheduler */
	assert_int_equal(wd_comp_sched_create(NULL, 1, NULL, 1, NULL), -EINVAL);
}

static void
test_dev_info(void **state)
{
	struct wd_comp_dev_info info;

	(void)state;
	assert_int_equal(wd_comp_dev_info_get(g_dev, &info), 0);
	assert_int_equal(wd_comp_dev_get_id(info.name), g_dev);
	assert_int_equal(info.hw, g_hw);
	assert_true(info.feature_flags & WD_COMP_FF_GZIP_MULTI_MEMBER);
	assert_true(info.feature_flags & WD_COMP_FF_OOP_SGL_IN_SGL_OUT);
	assert_true(info.feature_flags & WD_COMP_FF_STATEFUL_DECOMPRESSION);
	for (int a = 0; a < WD_COMP_ALG_MAX; a++) {
		assert_true(info.caps[a].comp);
		assert_true(info.caps[a].decomp);
		assert_true(info.caps[a].window_size.min >= 8);
		assert_int_equal(info.caps[a].window_size.max, 15);
	}
	if (g_hw)
		assert_true(info.feature_flags & WD_COMP_FF_SW_FALLBACK);
	assert_int_equal(wd_comp_qp_count(g_dev), 2);
}

static void
test_stateless_fixed(void **state)
{
	static uint8_t data[40000];
	struct wd_comp_xform x;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 11);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		xform_set(&x, WD_OP_COMPRESS, algs[a], 1);
		x.huffman = WD_COMP_HUFFMAN_FIXED;
		roundtrip(&x, data, sizeof(data), 0, 0, 0);
		/* fixed Huffman really is fixed: BTYPE 01 in the first block */
		if (algs[a] == WD_COMP_ALG_DEFLATE) {
			uint8_t out[50000];
			struct wd_comp_op r;

			assert_int_equal(eng_stateless(&x, data, sizeof(data), out, sizeof(out), 0,
						       0, 0, 0, &r), WD_COMP_OP_SUCCESS);
			assert_int_equal((out[0] >> 1) & 3, 1);
		}
	}
}

static void
test_stateless_dynamic(void **state)
{
	static const size_t sizes[] = {0, 1, 2, 100, 4096, 65536 + 3};
	static uint8_t data[65536 + 3];
	struct wd_comp_xform x;

	(void)state;
	for (int kind = WD_TEST_DATA_TEXT; kind <= WD_TEST_DATA_MIXED; kind++) {
		wd_test_gen(data, sizeof(data), (enum wd_test_data)kind, 12 + (uint64_t)kind);
		for (size_t a = 0; a < RTE_DIM(algs); a++) {
			for (size_t s = 0; s < RTE_DIM(sizes); s++) {
				xform_set(&x, WD_OP_COMPRESS, algs[a], WD_COMP_LEVEL_DEFAULT);
				x.huffman = WD_COMP_HUFFMAN_DYNAMIC;
				roundtrip(&x, data, sizes[s], 0, 0, 0);
			}
		}
	}
}

static void
test_stateless_big(void **state)
{
	size_t len = 2u << 20;
	uint8_t *data = malloc(len);
	struct wd_comp_xform x;

	(void)state;
	assert_non_null(data);
	wd_test_gen(data, len, WD_TEST_DATA_MIXED, 13);
	xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_GZIP, 1);
	roundtrip(&x, data, len, 0, 0, 0);
	xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 6);
	roundtrip(&x, data, len / 2 + 7, 0, 0, 100);
	free(data);
}

static void
test_multi_op(void **state)
{
	enum { N = 48 };
	static uint8_t data[N][3000];
	struct wd_comp_op *ops[N];
	struct rte_mbuf *src[N], *dst[N];
	struct wd_comp_xform x;
	uint8_t out[4000], back[3000];
	void *px;

	(void)state;
	xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 1);
	assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &px), 0);
	for (int i = 0; i < N; i++) {
		size_t len = 100 + (size_t)i * 60;

		wd_test_gen(data[i], sizeof(data[i]), (enum wd_test_data)(i % 4),
			    100 + (uint64_t)i);
		src[i] = ct_chain_from(data[i], len, 0, 0);
		dst[i] = ct_chain_room(wd_comp_bound(x.alg, len), 0);
		assert_non_null(src[i]);
		assert_non_null(dst[i]);
		ops[i] = op_make(px, false, src[i], 0, (uint32_t)len, dst[i], 0,
				 WD_COMP_FLUSH_FINAL);
		ops[i]->user_data = (uint64_t)i;
	}
	assert_int_equal(ct_run(g_dev, 0, ops, N), 0);
	for (int i = 0; i < N; i++) {
		size_t len = 100 + (size_t)i * 60;

		assert_int_equal(ops[i]->status, WD_COMP_OP_SUCCESS);
		assert_int_equal(ops[i]->user_data, (uint64_t)i);
		/* what the hardware can do runs there */
		assert_int_equal(ops[i]->engine, g_hw ? WD_COMP_ENGINE_HW : WD_COMP_ENGINE_SW);
		assert_int_equal(ops[i]->fallback_reason, WD_COMP_FB_NONE);
		assert_int_equal(ops[i]->consumed, len);
		ct_chain_read(dst[i], 0, out, ops[i]->produced);
		assert_int_equal(ct_zlib_decomp(x.alg, out, ops[i]->produced, back, sizeof(back),
						0), (long)len);
		assert_memory_equal(back, data[i], len);
		assert_int_equal(ops[i]->output_chksum, ct_sum(x.alg, data[i], len));
		rte_pktmbuf_free(src[i]);
		rte_pktmbuf_free(dst[i]);
		wd_comp_op_free(ops[i]);
	}
	assert_int_equal(wd_comp_private_xform_free(g_dev, px), 0);
}

static void
test_multi_level(void **state)
{
	static uint8_t data[100000];
	struct wd_comp_xform x;
	size_t stored = 0;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 14);
	for (int lvl = WD_COMP_LEVEL_DEFAULT; lvl <= WD_COMP_LEVEL_MAX; lvl++) {
		for (size_t a = 0; a < RTE_DIM(algs); a++) {
			size_t b = wd_comp_bound(algs[a], sizeof(data));
			uint8_t *out = malloc(b);
			struct wd_comp_op r;

			assert_non_null(out);
			xform_set(&x, WD_OP_COMPRESS, algs[a], lvl);
			roundtrip(&x, data, sizeof(data), 0, 0, 0);
			assert_int_equal(eng_stateless(&x, data, sizeof(data), out, b, 0, 0, 0, 0,
						       &r), WD_COMP_OP_SUCCESS);
			if (lvl == WD_COMP_LEVEL_NONE) {
				/* stored blocks: no smaller than the input */
				assert_true(r.produced >= sizeof(data));
				stored = r.produced;
			} else if (g_compresses) {
				assert_true(r.produced < sizeof(data) / 2);
			}
			free(out);
		}
	}
	assert_true(stored > 0);
}

static void
test_multi_xform(void **state)
{
	enum { N = 12 };
	static uint8_t data[N][5000];
	struct wd_comp_op *ops[N];
	struct rte_mbuf *src[N], *dst[N];
	struct wd_comp_xform x[3];
	void *px[3];
	uint8_t out[6000], back[5000];

	(void)state;
	xform_set(&x[0], WD_OP_COMPRESS, WD_COMP_ALG_DEFLATE, 1);
	xform_set(&x[1], WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 9);
	xform_set(&x[2], WD_OP_COMPRESS, WD_COMP_ALG_GZIP, WD_COMP_LEVEL_DEFAULT);
	x[0].chksum = WD_COMP_CHKSUM_CRC32;
	for (int k = 0; k < 3; k++)
		assert_int_equal(wd_comp_private_xform_create(g_dev, &x[k], &px[k]), 0);
	for (int i = 0; i < N; i++) {
		wd_test_gen(data[i], sizeof(data[i]), WD_TEST_DATA_MIXED, 200 + (uint64_t)i);
		src[i] = ct_chain_from(data[i], sizeof(data[i]), 0, 0);
		dst[i] = ct_chain_room(6000, 0);
		ops[i] = op_make(px[i % 3], false, src[i], 0, sizeof(data[i]), dst[i], 0,
				 WD_COMP_FLUSH_FINAL);
	}
	assert_int_equal(ct_run(g_dev, 0, ops, N), 0);
	for (int i = 0; i < N; i++) {
		enum wd_comp_alg a = x[i % 3].alg;

		assert_int_equal(ops[i]->status, WD_COMP_OP_SUCCESS);
		ct_chain_read(dst[i], 0, out, ops[i]->produced);
		assert_int_equal(ct_zlib_decomp(a, out, ops[i]->produced, back, sizeof(back), 0),
				 sizeof(back));
		assert_memory_equal(back, data[i], sizeof(back));
		assert_int_equal(ops[i]->output_chksum, ct_sum(a, data[i], sizeof(back)));
		rte_pktmbuf_free(src[i]);
		rte_pktmbuf_free(dst[i]);
		wd_comp_op_free(ops[i]);
	}
	for (int k = 0; k < 3; k++)
		assert_int_equal(wd_comp_private_xform_free(g_dev, px[k]), 0);
}

static void
test_sgl(void **state)
{
	static uint8_t data[70000];
	static const uint32_t segs[] = {7, 100, 1000, 4096};
	struct wd_comp_xform x;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_MIXED, 15);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		xform_set(&x, WD_OP_COMPRESS, algs[a], 1);
		for (size_t i = 0; i < RTE_DIM(segs); i++) {
			size_t len = segs[i] < 100 ? 1500 : segs[i] < 4096 ? 20000 : sizeof(data);

			roundtrip(&x, data, len, segs[i], 0, 0);        /* SGL in, LB out */
			roundtrip(&x, data, len, 0, segs[i], 0);        /* LB in, SGL out */
			roundtrip(&x, data, len, segs[i], segs[i], 3);  /* SGL both, offsets */
		}
		/* one-byte segments */
		roundtrip(&x, data, 300, 1, 1, 0);
		/* an offset beyond the first segment */
		roundtrip(&x, data, 5000, 1000, 1000, 2500);
	}
}

static void
test_checksum(void **state)
{
	static uint8_t data[30000];
	static uint8_t out[40000], back[30000];
	struct wd_comp_xform x, dx;
	struct wd_comp_op r;
	uint32_t crc, adl;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 16);
	crc = (uint32_t)crc32(0, data, sizeof(data));
	adl = (uint32_t)adler32(1, data, sizeof(data));
	for (int c = WD_COMP_CHKSUM_NONE; c <= WD_COMP_CHKSUM_CRC32_ADLER32; c++) {
		uint64_t want = c == WD_COMP_CHKSUM_CRC32 ? crc :
				c == WD_COMP_CHKSUM_ADLER32 ? adl :
				c == WD_COMP_CHKSUM_CRC32_ADLER32 ? ((uint64_t)adl << 32 | crc) : 0;

		xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_DEFLATE, 1);
		x.chksum = (enum wd_comp_chksum)c;
		assert_int_equal(eng_stateless(&x, data, sizeof(data), out, sizeof(out), 0, 0, 0,
					       0, &r), WD_COMP_OP_SUCCESS);
		assert_int_equal(r.output_chksum, want);
		xform_set(&dx, WD_OP_DECOMPRESS, WD_COMP_ALG_DEFLATE, 0);
		dx.chksum = (enum wd_comp_chksum)c;
		assert_int_equal(eng_stateless(&dx, out, r.produced, back, sizeof(back), 0, 0, 0, 0,
					       &r), WD_COMP_OP_SUCCESS);
		assert_int_equal(r.output_chksum, want);
		assert_memory_equal(back, data, sizeof(data));
		/* zlib and gzip return their own whatever is asked */
		xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 1);
		x.chksum = (enum wd_comp_chksum)c;
		assert_int_equal(eng_stateless(&x, data, sizeof(data), out, sizeof(out), 0, 0, 0,
					       0, &r), WD_COMP_OP_SUCCESS);
		assert_int_equal(r.output_chksum, adl);
		x.alg = WD_COMP_ALG_GZIP;
		assert_int_equal(eng_stateless(&x, data, sizeof(data), out, sizeof(out), 0, 0, 0,
					       0, &r), WD_COMP_OP_SUCCESS);
		assert_int_equal(r.output_chksum, crc);
	}
	/* MULTI_PKT: three stateless raw deflate ops chained by input_chksum */
	{
		struct rte_mbuf *s, *d;
		struct wd_comp_op *op;
		void *px;
		size_t part = sizeof(data) / 3, total = 0;
		uint64_t chk = 0;
		uint8_t *cat = malloc(sizeof(out) * 2);

		assert_non_null(cat);
		for (int c = WD_COMP_CHKSUM_CRC32; c <= WD_COMP_CHKSUM_CRC32_ADLER32; c++) {
			xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_DEFLATE, 1);
			x.chksum = (enum wd_comp_chksum)c;
			assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &px), 0);
			chk = 0;
			total = 0;
			for (int i = 0; i < 3; i++) {
				size_t len = i == 2 ? sizeof(data) - 2 * part : part;

				s = ct_chain_from(data + i * part, len, 0, 0);
				d = ct_chain_room(sizeof(out), 0);
				op = op_make(px, false, s, 0, (uint32_t)len, d, 0,
					     i == 2 ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_FULL);
				op->input_chksum = chk;
				assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
				assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
				ct_chain_read(d, 0, cat + total, op->produced);
				total += op->produced;
				chk = op->output_chksum;
				rte_pktmbuf_free(s);
				rte_pktmbuf_free(d);
				wd_comp_op_free(op);
			}
			assert_int_equal(chk, c == WD_COMP_CHKSUM_CRC32 ? crc :
					 c == WD_COMP_CHKSUM_ADLER32 ? adl :
					 ((uint64_t)adl << 32 | crc));
			assert_int_equal(ct_zlib_decomp(WD_COMP_ALG_DEFLATE, cat, total, back,
							sizeof(back), 0), sizeof(data));
			assert_memory_equal(back, data, sizeof(data));
			assert_int_equal(wd_comp_private_xform_free(g_dev, px), 0);
		}
		free(cat);
	}
}

static void
test_out_of_space(void **state)
{
	static uint8_t data[20000], out[30000], back[20000];
	struct wd_comp_xform x;
	struct wd_comp_op r;
	size_t clen;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_MIXED, 17);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		xform_set(&x, WD_OP_COMPRESS, algs[a], 1);
		assert_int_equal(eng_stateless(&x, data, sizeof(data), out, 100, 0, 0, 0, 0, &r),
				 WD_COMP_OP_OUT_OF_SPACE_TERMINATED);
		assert_int_equal(r.produced, 0);
		assert_int_equal(eng_stateless(&x, data, sizeof(data), out, 0, 0, 0, 0, 0, &r),
				 WD_COMP_OP_OUT_OF_SPACE_TERMINATED);
		clen = ct_zlib_comp(algs[a], 6, 15, data, sizeof(data), out, sizeof(out));
		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		assert_int_equal(eng_stateless(&x, out, clen, back, sizeof(data) - 1, 0, 0, 0, 0,
					       &r), WD_COMP_OP_OUT_OF_SPACE_TERMINATED);
		assert_int_equal(r.produced, 0);
		/* exactly enough is enough */
		assert_int_equal(eng_stateless(&x, out, clen, back, sizeof(data), 0, 0, 0, 0, &r),
				 WD_COMP_OP_SUCCESS);
	}
}

/* zlib's deflate with a memory level and strategy of our choice. */
static size_t
zlib_comp_ml(enum wd_comp_alg alg, int level, int mem_level, int strategy, const void *in,
	     size_t len, void *out, size_t room)
{
	int wbits = alg == WD_COMP_ALG_DEFLATE ? -15 : alg == WD_COMP_ALG_ZLIB ? 15 : 31;
	z_stream z;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, wbits, mem_level, strategy), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)room;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return z.total_out;
}

static uint32_t
xorshift32(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Decompress @p plain, compressed by zlib (memory level 1), on the device
 * into every room from @p lo to @p hi (all too small: TERMINATED, nothing
 * consumed or produced), the input in one segment and, with @p seg, in
 * pieces of @p seg bytes; then into room enough.
 */
static void
small_rooms(const uint8_t *plain, size_t len, int level, int strategy, uint32_t lo, uint32_t hi,
	    uint32_t seg)
{
	static uint8_t comp[8192], out[512], back[60000];
	struct wd_comp_xform x;
	struct wd_comp_op r;

	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		size_t clen =
			zlib_comp_ml(algs[a], level, 1, strategy, plain, len, comp, sizeof(comp));

		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		for (uint32_t room = lo; room <= hi; room++) {
			for (uint32_t sg = 0; sg <= seg; sg += seg > 0 ? seg : 1) {
				uint8_t st =
					eng_stateless(&x, comp, clen, out, room, sg, 0, 0, 0, &r);

				if (st != WD_COMP_OP_OUT_OF_SPACE_TERMINATED)
					fail_msg("%s room %u seg %u: %s", wd_comp_alg_str(algs[a]),
						 room, sg,
						 wd_comp_op_status_str((enum wd_comp_op_status)st));
				assert_int_equal(r.consumed, 0);
				assert_int_equal(r.produced, 0);
			}
		}
		assert_int_equal(eng_stateless(&x, comp, clen, back, len, 0, 0, 0, 0, &r),
				 WD_COMP_OP_SUCCESS);
		assert_int_equal(r.produced, len);
		assert_memory_equal(back, plain, len);
	}
}

/*
 * Stateless decompression of good data into too little room is
 * OUT_OF_SPACE_TERMINATED, whatever the data: ISA-L (the software engine,
 * the model), out of room, holds back the literals of a multi-symbol
 * lookup and decodes the match after them, and it called a distance into
 * them invalid (ERR_DATA). Small dynamic blocks (memory level 1) give
 * such lookups: a run of one byte into a room of 0, and data of a period
 * of 285 bytes into a room of 223 (no bounce buffer on hisi_zip).
 */
static void
test_out_of_space_small_room(void **state)
{
	static uint8_t plain[60000];
	uint32_t s = 1152, period = 201 + xorshift32(&s) % 140;

	(void)state;
	memset(plain, 2, sizeof(plain));
	small_rooms(plain, sizeof(plain), 7, Z_RLE, 0, 8, 16);
	for (size_t i = 0; i < period; i++)
		plain[i] = (uint8_t)('a' + xorshift32(&s) % 6);
	for (size_t i = period; i < (size_t)period * 8; i++)
		plain[i] = plain[i - period];
	small_rooms(plain, (size_t)period * 8, 6, Z_DEFAULT_STRATEGY, 200, period, 0);
}

/* Stateful compression: input in pieces, output in small pieces (RECOVERABLE). */
static size_t
stream_compress(const struct wd_comp_xform *x, const uint8_t *data, size_t len, size_t in_step,
		size_t out_step, enum wd_comp_flush mid, uint8_t *out, size_t room,
		uint64_t *chk)
{
	void *st;
	size_t in_done = 0, out_done = 0;
	bool fin = false;
	unsigned int guard = 0;

	assert_int_equal(wd_comp_stream_create(g_dev, x, &st), 0);
	while (!fin) {
		size_t n = RTE_MIN(in_step, len - in_done);
		enum wd_comp_flush fl = in_done + n == len ? WD_COMP_FLUSH_FINAL : mid;
		bool again = true;

		while (again) {
			struct rte_mbuf *s = ct_chain_from(data + in_done, n, 0, 0);
			struct rte_mbuf *d = ct_chain_room(out_step, 0);
			struct wd_comp_op *op = op_make(st, true, s, 0, (uint32_t)n, d, 0, fl);

			assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
			assert_true(op->status == WD_COMP_OP_SUCCESS ||
				    op->status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE);
			assert_true(op->consumed <= n);
			assert_true(out_done + op->produced <= room);
			ct_chain_read(d, 0, out + out_done, op->produced);
			out_done += op->produced;
			in_done += op->consumed;
			n -= op->consumed;
			*chk = op->output_chksum;
			again = op->status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE || n > 0;
			if (!again && fl == WD_COMP_FLUSH_FINAL)
				fin = true;
			rte_pktmbuf_free(s);
			rte_pktmbuf_free(d);
			wd_comp_op_free(op);
			assert_true(++guard < 1000000);
		}
	}
	assert_int_equal(in_done, len);
	assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
	return out_done;
}

static void
test_stateful_comp(void **state)
{
	static uint8_t data[100000], out[120000], back[100000];
	static const size_t in_steps[] = {1, 1000, 33333, 100000};
	static const size_t out_steps[] = {1, 64, 5000, 120000};
	struct wd_comp_xform x;
	uint64_t chk = 0;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_MIXED, 18);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		for (size_t i = 0; i < RTE_DIM(in_steps); i++) {
			for (enum wd_comp_flush fl = WD_COMP_FLUSH_NONE; fl <= WD_COMP_FLUSH_FULL;
			     fl++) {
				size_t len = in_steps[i] == 1 ? 3000 : sizeof(data);
				size_t os = out_steps[(i + (size_t)fl) % RTE_DIM(out_steps)];
				size_t n;

				if (os == 1 && len > 3000)
					os = 64;
				xform_set(&x, WD_OP_COMPRESS, algs[a], 1 + (int)(i * 3) % 9);
				x.chksum = WD_COMP_CHKSUM_CRC32;
				n = stream_compress(&x, data, len, in_steps[i], os, fl, out,
						    sizeof(out), &chk);
				assert_int_equal(ct_zlib_decomp(algs[a], out, n, back, sizeof(back),
								0), (long)len);
				assert_memory_equal(back, data, len);
				assert_int_equal(chk, algs[a] == WD_COMP_ALG_ZLIB ?
						 adler32(1, data, (uInt)len) :
						 crc32(0, data, (uInt)len));
			}
		}
	}
	/* a SYNC flush makes everything so far decodable */
	{
		void *st;
		struct rte_mbuf *s, *d;
		struct wd_comp_op *op;
		z_stream zs;

		xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_DEFLATE, 2);
		assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
		s = ct_chain_from(data, 5000, 0, 0);
		d = ct_chain_room(20000, 0);
		op = op_make(st, true, s, 0, 5000, d, 0, WD_COMP_FLUSH_SYNC);
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
		ct_chain_read(d, 0, out, op->produced);
		memset(&zs, 0, sizeof(zs));
		assert_int_equal(inflateInit2(&zs, -15), Z_OK);
		zs.next_in = out;
		zs.avail_in = op->produced;
		zs.next_out = back;
		zs.avail_out = sizeof(back);
		assert_int_equal(inflate(&zs, Z_SYNC_FLUSH), Z_OK);
		assert_int_equal(zs.total_out, 5000);
		assert_memory_equal(back, data, 5000);
		inflateEnd(&zs);
		/* the stream ends with a final op without input */
		op->src.length = 0;
		op->flush_flag = WD_COMP_FLUSH_FINAL;
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
		assert_true(op->produced > 0);
		/* after the end, an op without input is a no-op (zlib: Z_STREAM_END) */
		for (int fl = WD_COMP_FLUSH_NONE; fl <= WD_COMP_FLUSH_FINAL; fl++) {
			op->flush_flag = (enum wd_comp_flush)fl;
			assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
			assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
			assert_int_equal(op->consumed, 0);
			assert_int_equal(op->produced, 0);
		}
		/* and one with input starts a new stream */
		op->src.length = 5000;
		op->flush_flag = WD_COMP_FLUSH_FINAL;
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
		ct_chain_read(d, 0, out, op->produced);
		assert_int_equal(ct_zlib_decomp(WD_COMP_ALG_DEFLATE, out, op->produced, back,
						sizeof(back), 0), 5000);
		assert_memory_equal(back, data, 5000);
		rte_pktmbuf_free(s);
		rte_pktmbuf_free(d);
		wd_comp_op_free(op);
		assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
	}
}

/* Stateful decompression in steps. @return bytes out. */
static size_t
stream_decompress(const struct wd_comp_xform *x, const uint8_t *in, size_t len, size_t in_step,
		  size_t out_step, uint8_t *out, size_t room, uint64_t *chk)
{
	void *st;
	size_t in_done = 0, out_done = 0;
	unsigned int guard = 0;

	assert_int_equal(wd_comp_stream_create(g_dev, x, &st), 0);
	for (;;) {
		size_t n = RTE_MIN(in_step, len - in_done);
		struct rte_mbuf *s = ct_chain_from(in + in_done, n, 0, 0);
		struct rte_mbuf *d = ct_chain_room(RTE_MIN(out_step, room - out_done), 0);
		struct wd_comp_op *op = op_make(st, true, s, 0, (uint32_t)n, d, 0,
						in_done + n == len ? WD_COMP_FLUSH_FINAL :
						WD_COMP_FLUSH_NONE);
		uint8_t status;

		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		status = op->status;
		assert_true(status == WD_COMP_OP_SUCCESS ||
			    status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE);
		ct_chain_read(d, 0, out + out_done, op->produced);
		out_done += op->produced;
		in_done += op->consumed;
		*chk = op->output_chksum;
		rte_pktmbuf_free(s);
		rte_pktmbuf_free(d);
		wd_comp_op_free(op);
		assert_true(++guard < 2000000);
		if (in_done == len && status == WD_COMP_OP_SUCCESS)
			break;
	}
	assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
	return out_done;
}

static void
test_stateful_decomp_tiny(void **state)
{
	static uint8_t data[20000], comp[30000], out[20000];
	static const size_t steps[][2] = {{1, 1}, {3, 7}, {100, 1}, {1, 100}, {333, 17},
					  {30000, 3}, {30000, 20000}};
	struct wd_comp_xform x;
	uint64_t chk;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 19);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		size_t clen = ct_zlib_comp(algs[a], 6, 15, data, sizeof(data), comp, sizeof(comp));

		for (size_t i = 0; i < RTE_DIM(steps); i++) {
			/* tiny steps on a shorter input keep the test quick */
			size_t len = steps[i][0] * steps[i][1] < 50 ? 3000 : sizeof(data);
			size_t cl = len == sizeof(data) ? clen :
				    ct_zlib_comp(algs[a], 6, 15, data, len, comp, sizeof(comp));

			xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
			x.chksum = WD_COMP_CHKSUM_CRC32;
			memset(out, 0, sizeof(out));
			assert_int_equal(stream_decompress(&x, comp, cl, steps[i][0], steps[i][1],
							   out, sizeof(out), &chk), len);
			assert_memory_equal(out, data, len);
			assert_int_equal(chk, algs[a] == WD_COMP_ALG_ZLIB ?
					 adler32(1, data, (uInt)len) : crc32(0, data, (uInt)len));
			if (len != sizeof(data))
				clen = ct_zlib_comp(algs[a], 6, 15, data, sizeof(data), comp,
						    sizeof(comp));
		}
	}
}

/* One stream op on @p st with input comp[off, off+len). @return its status. */
static uint8_t
stream_op(void *st, const uint8_t *in, size_t len, enum wd_comp_flush fl, uint8_t *out,
	  size_t room, struct wd_comp_op *res)
{
	struct rte_mbuf *s = ct_chain_from(in, len, 0, 0);
	struct rte_mbuf *d = ct_chain_room(room, 0);
	struct wd_comp_op *op;
	uint8_t status;

	assert_non_null(s);
	assert_non_null(d);
	op = op_make(st, true, s, 0, (uint32_t)len, d, 0, fl);
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	status = op->status;
	assert_true(op->consumed <= len);
	assert_true(op->produced <= room);
	if (out != NULL)
		ct_chain_read(d, 0, out, op->produced);
	*res = *op;
	rte_pktmbuf_free(s);
	rte_pktmbuf_free(d);
	wd_comp_op_free(op);
	return status;
}

/*
 * A stream decompression op with FLUSH_FINAL promises the end of the stream:
 * when its input ends before (truncated), it fails with ERR_DATA on every
 * engine; with FLUSH_NONE/SYNC the same input is a normal step, and the rest
 * completes the stream. An empty op after the end is a no-op.
 */
static void
test_stateful_decomp_final(void **state)
{
	static uint8_t data[20000], comp[25000], out[25000];
	struct wd_comp_xform x;
	struct wd_comp_op r;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 41);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		size_t clen = ct_zlib_comp(algs[a], 6, 15, data, sizeof(data), comp, sizeof(comp));
		const size_t cuts[] = {0, 1, 5, clen / 2, clen - 4, clen - 1};
		uint32_t sum = algs[a] == WD_COMP_ALG_ZLIB ? adler32(1, data, sizeof(data)) :
			       crc32(0, data, sizeof(data));
		void *st;

		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		x.chksum = WD_COMP_CHKSUM_CRC32;
		assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
		for (size_t c = 0; c < RTE_DIM(cuts); c++) {
			size_t cut = cuts[c], got, took;
			/*
			 * after the end of a gzip stream, only 1f 8b starts a member: a
			 * lone 1f without FINAL is left for the caller to present again
			 */
			bool lone_1f = algs[a] == WD_COMP_ALG_GZIP && cut == 1;

			/* truncated input in a FINAL op: an error, nothing reported */
			assert_int_equal(stream_op(st, comp, cut, WD_COMP_FLUSH_FINAL, NULL,
						   sizeof(out), &r), WD_COMP_OP_ERR_DATA);
			assert_int_equal(r.consumed, 0);
			assert_int_equal(r.produced, 0);
			/* the failed stream starts again: a whole stream decompresses */
			memset(out, 0, sizeof(out));
			assert_int_equal(stream_op(st, comp, clen, WD_COMP_FLUSH_FINAL, out,
						   sizeof(out), &r), WD_COMP_OP_SUCCESS);
			assert_int_equal(r.consumed, clen);
			assert_int_equal(r.produced, sizeof(data));
			assert_memory_equal(out, data, sizeof(data));
			assert_int_equal(r.output_chksum, sum);
			assert_true(r.flags & WD_COMP_OP_F_STREAM_END);
			/* nothing after the end: a no-op, with the stream's checksum */
			assert_int_equal(stream_op(st, comp, 0, WD_COMP_FLUSH_FINAL, NULL,
						   sizeof(out), &r), WD_COMP_OP_SUCCESS);
			assert_int_equal(r.consumed, 0);
			assert_int_equal(r.produced, 0);
			assert_int_equal(r.output_chksum, sum);

			/*
			 * The same input without FINAL is a step; SYNC too; then the rest.
			 * A new stream: a gzip stream takes what follows the end of a
			 * member as the next member (checksums add up).
			 */
			assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
			assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
			memset(out, 0, sizeof(out));
			assert_int_equal(stream_op(st, comp, cut, WD_COMP_FLUSH_NONE, out,
						   sizeof(out), &r), WD_COMP_OP_SUCCESS);
			took = cut;
			assert_int_equal(r.consumed, took);
			got = r.produced;
			assert_int_equal(stream_op(st, comp + took, 0, WD_COMP_FLUSH_SYNC,
						   out + got, sizeof(out) - got, &r),
					 WD_COMP_OP_SUCCESS);
			got += r.produced;
			assert_int_equal(stream_op(st, comp + took, clen - took,
						   WD_COMP_FLUSH_FINAL,
						   out + got, sizeof(out) - got, &r),
					 WD_COMP_OP_SUCCESS);
			assert_int_equal(r.consumed, clen - took);
			got += r.produced;
			assert_int_equal(got, sizeof(data));
			assert_memory_equal(out, data, sizeof(data));
			assert_int_equal(r.output_chksum, sum);

			/*
			 * A step, then an empty FINAL op: the end never came (with no
			 * input at all, the stream that ended above is still ended)
			 */
			assert_int_equal(stream_op(st, comp, cut, WD_COMP_FLUSH_NONE, NULL,
						   sizeof(out), &r), WD_COMP_OP_SUCCESS);
			assert_int_equal(stream_op(st, comp, 0, WD_COMP_FLUSH_FINAL, NULL,
						   sizeof(out), &r),
					 cut == 0 || lone_1f ? WD_COMP_OP_SUCCESS :
							       WD_COMP_OP_ERR_DATA);
		}
		assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
	}
}

/*
 * Truncation found by scanning: a stream cut at every offset, given whole
 * with FLUSH_FINAL, fails with ERR_DATA; cut in two ops (NONE, then FINAL)
 * it decompresses and the last op says the stream ended.
 */
static void
test_stateful_decomp_cuts(void **state)
{
	static uint8_t data[3000], comp[4000], out[4000];
	struct wd_comp_xform x;
	struct wd_comp_op r;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 43);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		size_t clen = ct_zlib_comp(algs[a], 6, 15, data, sizeof(data), comp, sizeof(comp));
		void *st;

		assert_true(clen > 0);
		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
		for (size_t cut = 0; cut < clen; cut++) {
			size_t got;

			assert_int_equal(stream_op(st, comp, cut, WD_COMP_FLUSH_FINAL, NULL,
						   sizeof(out), &r), WD_COMP_OP_ERR_DATA);
			assert_int_equal(r.flags, 0);
			if (cut % 7 != 0 && cut + 1 != clen)
				continue; /* the split in two ops: on a sample of the cuts */
			assert_int_equal(stream_op(st, comp, cut, WD_COMP_FLUSH_NONE, out,
						   sizeof(out), &r), WD_COMP_OP_SUCCESS);
			assert_int_equal(r.consumed, cut);
			assert_int_equal(r.flags, 0);
			got = r.produced;
			assert_int_equal(stream_op(st, comp + cut, clen - cut, WD_COMP_FLUSH_FINAL,
						   out + got, sizeof(out) - got, &r),
					 WD_COMP_OP_SUCCESS);
			assert_int_equal(r.consumed, clen - cut);
			assert_true(r.flags & WD_COMP_OP_F_STREAM_END);
			assert_int_equal(got + r.produced, sizeof(data));
			assert_memory_equal(out, data, sizeof(data));
		}
		assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
	}
}

/*
 * What follows the end of a stream: for gzip, a member only when both
 * magic bytes 1f 8b come (in the same op, across segments, or in the next
 * op); anything else is trailing data, not consumed, and the op says the
 * stream ended. zlib and raw deflate leave whatever follows unconsumed.
 */
/*
 * Bytes after the end of a longer stream in a chain of segments (the
 * software decoder reads ahead from the segment before): consumed stops
 * at the end of the stream, stream and stateless alike, whatever follows.
 */
/*
 * Decompress comp[0, clen) followed by @p g other bytes as a stream whose
 * output runs out again and again near the end (OUT_OF_SPACE_RECOVERABLE,
 * the input given again from what was consumed): the bytes after the
 * stream are never reported consumed, by the op that ends it or by the
 * ones before (a codec that read ahead into them while the output was full
 * used to count them).
 */
static void
stream_pieces(const struct wd_comp_xform *x, const uint8_t *comp, size_t clen, uint32_t g,
	      const uint8_t *data, size_t len, uint8_t *out)
{
	size_t cons = 0, prod = 0;
	struct wd_comp_op r;
	unsigned int ops = 0;
	uint8_t status;
	void *st;

	assert_int_equal(wd_comp_stream_create(g_dev, x, &st), 0);
	do {
		size_t left = prod < len ? len - prod : 0;
		size_t room = left / 2 + 1 > 64 ? left / 2 + 1 : 64;

		status = stream_op(st, comp + cons, clen + g - cons, WD_COMP_FLUSH_FINAL,
				   out + prod, room, &r);
		cons += r.consumed;
		prod += r.produced;
		assert_true(++ops < 1000);
	} while (status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE);
	assert_int_equal(status, WD_COMP_OP_SUCCESS);
	assert_true(r.flags & WD_COMP_OP_F_STREAM_END);
	assert_int_equal(cons, clen);
	assert_int_equal(prod, len);
	assert_memory_equal(out, data, len);
	assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
}

/*
 * Decode @p copies streams of @p cl bytes each from @p comp (@p tot bytes
 * with what follows them) on @p st, each by an op with no output room and
 * then one with room: no op takes bytes past a stream's end, and every
 * stream gives @p plain back (@p end_flag: the second op says STREAM_END).
 */
static void
zero_room_then_room(void *st, const uint8_t *comp, size_t tot, size_t cl, int copies,
		    const uint8_t *plain, size_t plen, bool end_flag)
{
	uint8_t out[4000];
	size_t pos = 0;

	for (int s = 0; s < copies; s++) {
		size_t made = 0;

		for (int room = 0; room < 2; room++) {
			size_t n = tot - pos, rm = room ? sizeof(out) - made : 0;
			struct rte_mbuf *src = ct_chain_from(comp + pos, n, 0, 0);
			struct rte_mbuf *dst = ct_chain_room(rm, 0);
			struct wd_comp_op *op = op_make(st, true, src, 0, (uint32_t)n, dst, 0,
							WD_COMP_FLUSH_NONE);

			assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
			assert_int_equal(op->status, room ? WD_COMP_OP_SUCCESS :
					 WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE);
			ct_chain_read(dst, 0, out + made, op->produced);
			made += op->produced;
			pos += op->consumed;
			assert_true(pos <= (size_t)(s + 1) * cl);
			if (room && end_flag)
				assert_true(op->flags & WD_COMP_OP_F_STREAM_END);
			rte_pktmbuf_free(src);
			rte_pktmbuf_free(dst);
			wd_comp_op_free(op);
		}
		assert_int_equal(pos, (size_t)(s + 1) * cl);
		assert_int_equal(made, plen);
		assert_memory_equal(out, plain, plen);
	}
}

/*
 * A stream decompression op with no output room at all, then the rest with
 * room: bytes after the end of the stream are never consumed (ISA-L read
 * them ahead in the zero-room op and they were lost: the total consumed
 * passed the end, and a second zlib stream behind the first one lost its
 * first bytes).
 */
static void
test_stream_zero_room(void **state)
{
	static const char trailing[] = "TRAILING-DATA";
	uint8_t plain[3000], comp[8192];
	struct wd_comp_xform x;

	(void)state;
	wd_test_gen(plain, sizeof(plain), WD_TEST_DATA_TEXT, 23);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		size_t cl = ct_zlib_comp(algs[a], 6, 15, plain, sizeof(plain), comp, sizeof(comp));
		/* gzip: a second copy would be a second member of the same stream */
		int copies = algs[a] == WD_COMP_ALG_GZIP ? 1 : 2;
		size_t tot;
		void *st;

		/* the stream (twice for zlib/deflate: a new stream follows), then trailing data */
		memcpy(comp + cl, comp, cl);
		memcpy(comp + copies * cl, trailing, sizeof(trailing) - 1);
		tot = copies * cl + sizeof(trailing) - 1;
		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
		zero_room_then_room(st, comp, tot, cl, copies, plain, sizeof(plain), true);
		assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
	}
}

/*
 * The same with the EAL heap used up, so that the software engine cannot
 * copy its codec state to undo a call without room: it must then take
 * nothing rather than the bytes after the end of the stream. Only where
 * EAL's memory is fixed (--no-huge, -m 256).
 */
static void *nomem_hog[1 << 15];
static unsigned int nomem_nh;

/* gives the heap back, also after a failed assertion */
static int
nomem_teardown(void **state)
{
	(void)state;
	while (nomem_nh > 0)
		rte_free(nomem_hog[--nomem_nh]);
	return 0;
}

static void
test_stream_zero_room_nomem(void **state)
{
	static const char trailing[] = "TRAILING-DATA";
	uint8_t plain[3000], comp[8192];
	struct wd_comp_xform x;
	size_t cl, tot;
	void *st;

	(void)state;
	if (g_hw)
		skip(); /* the device's own path needs DMA memory */
	if (rte_eal_has_hugepages()) {
		/* a hugepage heap grows until the machine's pages are gone: not here */
		print_message("skipped: EAL has hugepages (comp_api_sw_nohuge runs this)\n");
		skip();
	}
	wd_test_gen(plain, sizeof(plain), WD_TEST_DATA_TEXT, 23);
	cl = ct_zlib_comp(WD_COMP_ALG_ZLIB, 6, 15, plain, sizeof(plain), comp, sizeof(comp));
	memcpy(comp + cl, comp, cl);
	memcpy(comp + 2 * cl, trailing, sizeof(trailing) - 1);
	tot = 2 * cl + sizeof(trailing) - 1;
	xform_set(&x, WD_OP_DECOMPRESS, WD_COMP_ALG_ZLIB, 0);
	assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
	while (nomem_nh < RTE_DIM(nomem_hog) &&
	       (nomem_hog[nomem_nh] = rte_malloc(NULL, 32768, 0)) != NULL)
		nomem_nh++;
	zero_room_then_room(st, comp, tot, cl, 2, plain, sizeof(plain), false);
	nomem_teardown(NULL);
	assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
}

/*
 * The running checksum of a stream decompression is the checksum of the
 * output handed out so far, on RECOVERABLE ops too: with tiny rooms the
 * hisi_zip driver keeps device output back, and reported the device's sum
 * of all it had decoded.
 */
static void
test_stream_sum_small_room(void **state)
{
	static uint8_t plain[100000], comp[120000], out[100000];
	static const uint32_t rooms[] = {12, 0, 20, 1, 150, 65536};
	struct wd_comp_xform x;

	(void)state;
	wd_test_gen(plain, sizeof(plain), WD_TEST_DATA_TEXT, 41);
	for (size_t a = 1; a < RTE_DIM(algs); a++) {
		size_t cl = ct_zlib_comp(algs[a], 6, 15, plain, sizeof(plain), comp, sizeof(comp));
		size_t pos = 0, made = 0;
		void *st;

		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
		for (size_t k = 0; k < RTE_DIM(rooms); k++) {
			struct rte_mbuf *src = ct_chain_from(comp + pos, cl - pos, 0, 0);
			struct rte_mbuf *dst = ct_chain_room(rooms[k], 0);
			struct wd_comp_op *op = op_make(st, true, src, 0, (uint32_t)(cl - pos), dst,
							0, WD_COMP_FLUSH_NONE);

			assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
			assert_int_equal(op->status, WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE);
			ct_chain_read(dst, 0, out + made, op->produced);
			made += op->produced;
			pos += op->consumed;
			assert_int_equal(op->output_chksum, ct_sum(algs[a], out, made));
			rte_pktmbuf_free(src);
			rte_pktmbuf_free(dst);
			wd_comp_op_free(op);
		}
		assert_memory_equal(out, plain, made);
		assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
	}
}

static void
test_trailing_readahead(void **state)
{
	static uint8_t data[20000], comp[44000], out[20100];
	struct wd_comp_xform x;
	struct wd_comp_op r;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 3);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		for (size_t len = 1999; len <= sizeof(data); len += 3999) {
			size_t clen = ct_zlib_comp(algs[a], 6, 15, data, len, comp, sizeof(comp));

			for (uint32_t g = 1; g <= 16; g *= 2) {
				struct rte_mbuf *sm, *dm;
				struct wd_comp_op *op;
				void *st, *px;

				memset(comp + clen, 0x47, g);
				xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
				assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
				assert_int_equal(stream_op(st, comp, clen + g, WD_COMP_FLUSH_FINAL,
							   out, sizeof(out), &r),
						 WD_COMP_OP_SUCCESS);
				assert_int_equal(r.consumed, clen);
				assert_int_equal(r.produced, len);
				assert_memory_equal(out, data, len);
				assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
				stream_pieces(&x, comp, clen, g, data, len, out);
				assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &px), 0);
				sm = ct_chain_from(comp, clen + g, 0, 0);
				dm = ct_chain_room(sizeof(out), 0);
				op = op_make(px, false, sm, 0, (uint32_t)(clen + g), dm, 0,
					     WD_COMP_FLUSH_FINAL);
				assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
				assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
				assert_int_equal(op->consumed, clen);
				assert_int_equal(op->produced, len);
				rte_pktmbuf_free(sm);
				rte_pktmbuf_free(dm);
				wd_comp_op_free(op);
				assert_int_equal(wd_comp_private_xform_free(g_dev, px), 0);
			}
		}
	}
}

/*
 * A sync or full flush into 1 to 5 bytes of room at a time: zlib writes a
 * new flush marker whenever it returns with no room, so the stream must
 * still end, and decode (levels 4 to 9 use zlib in the software engine).
 */
static void
test_flush_tiny_room(void **state)
{
	static const uint8_t text[] = "hello, world, hello, world";
	uint8_t out[256], back[64];
	struct wd_comp_xform x;
	struct wd_comp_op r;

	(void)state;
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		for (int fl = WD_COMP_FLUSH_SYNC; fl <= WD_COMP_FLUSH_FULL; fl++) {
			for (size_t room = 1; room <= 5; room++) {
				size_t done = 0, made = 0;
				unsigned int guard = 0;
				uint8_t st_out;
				void *st;

				xform_set(&x, WD_OP_COMPRESS, algs[a], 6);
				assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
				do {
					st_out = stream_op(st, text + done, sizeof(text) - done,
							   (enum wd_comp_flush)fl, out + made, room,
							   &r);
					done += r.consumed;
					made += r.produced;
					assert_true(made < sizeof(out) - room);
					assert_true(++guard < 200);
				} while (st_out == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE);
				assert_int_equal(st_out, WD_COMP_OP_SUCCESS);
				assert_int_equal(done, sizeof(text));
				/* end the stream, then zlib decodes it all */
				do {
					st_out = stream_op(st, NULL, 0, WD_COMP_FLUSH_FINAL,
							   out + made, room, &r);
					made += r.produced;
					assert_true(made < sizeof(out) - room);
					assert_true(++guard < 400);
				} while (st_out == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE);
				assert_int_equal(st_out, WD_COMP_OP_SUCCESS);
				assert_int_equal(ct_zlib_decomp(algs[a], out, made, back,
								sizeof(back), 0),
						 (long)sizeof(text));
				assert_memory_equal(back, text, sizeof(text));
				assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
			}
		}
	}
}

/* A zlib stream's output_chksum mid-stream: Adler-32 of the output so far. */
static void
test_stream_running_adler(void **state)
{
	static uint8_t data[20000], comp[24000], out[20000];
	struct wd_comp_xform x;
	struct wd_comp_op r;
	size_t clen, made;
	void *st;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 12);
	clen = ct_zlib_comp(WD_COMP_ALG_ZLIB, 6, 15, data, sizeof(data), comp, sizeof(comp));
	xform_set(&x, WD_OP_DECOMPRESS, WD_COMP_ALG_ZLIB, 0);
	assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
	/* nothing yet: the Adler-32 of nothing */
	assert_int_equal(stream_op(st, comp, 0, WD_COMP_FLUSH_NONE, out, sizeof(out), &r),
			 WD_COMP_OP_SUCCESS);
	assert_int_equal(r.output_chksum, 1);
	assert_int_equal(stream_op(st, comp, clen / 2, WD_COMP_FLUSH_NONE, out, sizeof(out),
				   &r), WD_COMP_OP_SUCCESS);
	made = r.produced;
	assert_true(made > 0 && made < sizeof(data));
	assert_int_equal(r.output_chksum, adler32(1, out, (uInt)made));
	assert_int_equal(stream_op(st, comp + r.consumed, clen - r.consumed, WD_COMP_FLUSH_FINAL,
				   out + made, sizeof(out) - made, &r), WD_COMP_OP_SUCCESS);
	assert_int_equal(made + r.produced, sizeof(data));
	assert_int_equal(r.output_chksum, adler32(1, data, sizeof(data)));
	/*
	 * Cut anywhere near the end (the data decoded, the trailer in pieces),
	 * and with little output room (the last block decoded, output still to
	 * come): every op's sum is that of the output so far.
	 */
	for (size_t cut = clen - 14; cut <= clen; cut++) {
		for (uint32_t room = 700; room <= sizeof(out); room += sizeof(out) - 700) {
			size_t in = 0;
			int guard = 0;

			assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
			assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
			made = 0;
			do {
				size_t end = in < cut ? cut : clen;
				uint32_t n = RTE_MIN(room, (uint32_t)(sizeof(out) - made));

				stream_op(st, comp + in, end - in,
					  end == clen ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_NONE,
					  out + made, n, &r);
				assert_true(r.status == WD_COMP_OP_SUCCESS ||
					    r.status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE);
				in += r.consumed;
				made += r.produced;
				assert_int_equal(r.output_chksum, adler32(1, out, (uInt)made));
				assert_true(++guard < 100);
			} while (!(r.flags & WD_COMP_OP_F_STREAM_END));
			assert_int_equal(made, sizeof(data));
			assert_int_equal(in, clen);
		}
	}
	assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
}

static void
test_stream_trailing(void **state)
{
	static uint8_t data[5000], comp[12000], out[12000];
	static const uint8_t tails[][4] = {{0x1f}, {0x1f, 0x00}, {0x00, 0x00, 0x00, 0x00},
					   {'a', 'b', 'c', 'd'}, {0x1f, 0x8c, 0, 0}};
	static const uint8_t tail_len[] = {1, 2, 4, 4, 4};
	struct wd_comp_xform x;
	struct wd_comp_op r;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 47);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		size_t clen = ct_zlib_comp(algs[a], 6, 15, data, sizeof(data), comp, sizeof(comp));
		void *st;

		assert_true(clen > 0 && 2 * clen + 4 <= sizeof(comp));
		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
		for (size_t t = 0; t < RTE_DIM(tails); t++) {
			/* in the same op */
			memcpy(comp + clen, tails[t], tail_len[t]);
			for (int fl = WD_COMP_FLUSH_NONE; fl <= WD_COMP_FLUSH_FINAL;
			     fl += WD_COMP_FLUSH_FINAL - WD_COMP_FLUSH_NONE) {
				if (algs[a] == WD_COMP_ALG_GZIP && tail_len[t] == 1 &&
				    fl == WD_COMP_FLUSH_FINAL) {
					/* gzip: a lone 1f at the end is a member cut short */
					assert_int_equal(stream_op(st, comp, clen + 1,
								   WD_COMP_FLUSH_FINAL, NULL,
								   sizeof(out), &r),
							 WD_COMP_OP_ERR_DATA);
					assert_int_equal(stream_op(st, comp, clen,
								   WD_COMP_FLUSH_NONE, NULL,
								   sizeof(out), &r),
							 WD_COMP_OP_SUCCESS);
					assert_int_equal(stream_op(st, tails[t], 1,
								   WD_COMP_FLUSH_FINAL, NULL,
								   sizeof(out), &r),
							 WD_COMP_OP_ERR_DATA);
					continue;
				}
				assert_int_equal(stream_op(st, comp, clen + tail_len[t],
							   (enum wd_comp_flush)fl, out, sizeof(out),
							   &r), WD_COMP_OP_SUCCESS);
				assert_int_equal(r.consumed, clen);
				assert_int_equal(r.produced, sizeof(data));
				assert_true(r.flags & WD_COMP_OP_F_STREAM_END);
				assert_memory_equal(out, data, sizeof(data));
				if (algs[a] != WD_COMP_ALG_GZIP)
					continue;
				/* gzip: in the next op, after the end: nothing consumed */
				assert_int_equal(stream_op(st, tails[t], tail_len[t],
							   (enum wd_comp_flush)fl, NULL,
							   sizeof(out), &r),
						 WD_COMP_OP_SUCCESS);
				assert_int_equal(r.consumed, 0);
				assert_int_equal(r.produced, 0);
				assert_true(r.flags & WD_COMP_OP_F_STREAM_END);
			}
		}
		if (algs[a] == WD_COMP_ALG_GZIP) {
			struct rte_mbuf *s, *d;
			struct wd_comp_op *op;

			/* two members in one op, the second's 1f 8b split over two segments */
			memcpy(comp + clen, comp, clen);
			s = ct_chain_from(comp, 2 * clen, (uint32_t)clen + 1, 0);
			d = ct_chain_room(sizeof(out), 0);
			assert_non_null(s);
			assert_non_null(d);
			op = op_make(st, true, s, 0, (uint32_t)(2 * clen), d, 0,
				     WD_COMP_FLUSH_FINAL);
			assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
			assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
			assert_int_equal(op->consumed, 2 * clen);
			assert_int_equal(op->produced, 2 * sizeof(data));
			assert_true(op->flags & WD_COMP_OP_F_STREAM_END);
			rte_pktmbuf_free(s);
			rte_pktmbuf_free(d);
			wd_comp_op_free(op);
			/* a member in the next op continues the data */
			assert_int_equal(stream_op(st, comp, clen, WD_COMP_FLUSH_FINAL, out,
						   sizeof(out), &r), WD_COMP_OP_SUCCESS);
			assert_int_equal(r.consumed, clen);
			assert_int_equal(r.produced, sizeof(data));
			assert_true(r.flags & WD_COMP_OP_F_STREAM_END);
		}
		assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
	}
}

static void
ext_free_cb(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
}

/* An mbuf over external memory @p buf of @p len bytes (data_len = len). */
static struct rte_mbuf *
ext_mbuf(void *buf, uint16_t len, struct rte_mbuf_ext_shared_info *shinfo)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ct_mbuf_pool);

	assert_non_null(m);
	shinfo->free_cb = ext_free_cb;
	shinfo->fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, buf, rte_malloc_virt2iova(buf), len, shinfo);
	m->data_off = 0;
	m->data_len = len;
	m->pkt_len = len;
	return m;
}

static void
test_extbuf(void **state)
{
	struct rte_mbuf_ext_shared_info si_in, si_out, si_back;
	uint8_t *in = rte_malloc(NULL, 30000, 0), *out = rte_malloc(NULL, 40000, 0);
	uint8_t *back = rte_malloc(NULL, 30000, 0);
	struct wd_comp_xform x;
	struct wd_comp_op *op;
	struct rte_mbuf *s, *d;
	void *px;

	(void)state;
	assert_non_null(in);
	assert_non_null(out);
	assert_non_null(back);
	wd_test_gen(in, 30000, WD_TEST_DATA_TEXT, 20);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		uint32_t clen;

		xform_set(&x, WD_OP_COMPRESS, algs[a], 1);
		assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &px), 0);
		s = ext_mbuf(in, 30000, &si_in);
		d = ext_mbuf(out, 40000, &si_out);
		op = op_make(px, false, s, 0, 30000, d, 0, WD_COMP_FLUSH_FINAL);
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
		clen = op->produced;
		assert_int_equal(ct_zlib_decomp(algs[a], out, clen, back, 30000, 0), 30000);
		assert_memory_equal(back, in, 30000);
		rte_pktmbuf_free(s);
		rte_pktmbuf_free(d);
		wd_comp_op_free(op);
		assert_int_equal(wd_comp_private_xform_free(g_dev, px), 0);

		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &px), 0);
		s = ext_mbuf(out, (uint16_t)clen, &si_out);
		d = ext_mbuf(back, 30000, &si_back);
		memset(back, 0, 30000);
		op = op_make(px, false, s, 0, clen, d, 0, WD_COMP_FLUSH_FINAL);
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
		assert_int_equal(op->produced, 30000);
		assert_memory_equal(back, in, 30000);
		rte_pktmbuf_free(s);
		rte_pktmbuf_free(d);
		wd_comp_op_free(op);
		assert_int_equal(wd_comp_private_xform_free(g_dev, px), 0);
	}
	rte_free(in);
	rte_free(out);
	rte_free(back);
}

static void
test_windows(void **state)
{
	static uint8_t data[60000], out[70000], back[60000];
	struct wd_comp_xform x;
	struct wd_comp_op r;

	(void)state;
	/* repeats at distances beyond small windows */
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 21);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		for (int w = 8; w <= 15; w++) {
			for (int lvl = 1; lvl <= 9; lvl += 4) {
				xform_set(&x, WD_OP_COMPRESS, algs[a], lvl);
				x.window_log = (uint8_t)w;
#if !WD_HAVE_ISAL
				/* zlib alone cannot keep to 256 bytes: refused up front */
				if (w == 8) {
					void *px;

					assert_int_equal(wd_comp_private_xform_create(g_dev, &x,
										      &px),
							 -ENOTSUP);
					continue;
				}
#endif
				assert_int_equal(eng_stateless(&x, data, sizeof(data), out,
							       sizeof(out), 0, 0, 0, 0, &r),
						 WD_COMP_OP_SUCCESS);
				/* zlib with exactly that window must decode it */
				assert_int_equal(ct_zlib_decomp(algs[a], out, r.produced, back,
								sizeof(back), w < 9 && algs[a] !=
								WD_COMP_ALG_DEFLATE ? 9 : w),
						 sizeof(data));
				assert_memory_equal(back, data, sizeof(data));
				if (algs[a] == WD_COMP_ALG_ZLIB)
					assert_int_equal(out[0] >> 4, w - 8); /* CINFO */
			}
		}
	}
}

/* A gzip member with header fields, made by zlib. */
static size_t
gz_member(const uint8_t *in, size_t len, uint8_t *out, size_t room, bool fields)
{
	z_stream zs;
	gz_header gh;
	static uint8_t extra[] = {'A', 'B', 4, 0, 1, 2, 3, 4};

	memset(&zs, 0, sizeof(zs));
	memset(&gh, 0, sizeof(gh));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	if (fields) {
		gh.name = (Bytef *)"member.txt";
		gh.comment = (Bytef *)"a comment";
		gh.extra = extra;
		gh.extra_len = sizeof(extra);
		gh.hcrc = 1;
		gh.time = 123456;
		assert_int_equal(deflateSetHeader(&zs, &gh), Z_OK);
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)room;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return zs.total_out;
}

static void
test_gzip_members(void **state)
{
	static uint8_t data[50000], gz[70000], out[50000];
	size_t parts[] = {20000, 0, 1, 29999}, glen = 0, off = 0;
	struct wd_comp_xform x;
	struct wd_comp_op r;
	uint64_t chk;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_MIXED, 22);
	for (size_t i = 0; i < RTE_DIM(parts); i++) {
		glen += gz_member(data + off, parts[i], gz + glen, sizeof(gz) - glen, i % 2 == 0);
		off += parts[i];
	}
	xform_set(&x, WD_OP_DECOMPRESS, WD_COMP_ALG_GZIP, 0);
	assert_int_equal(eng_stateless(&x, gz, glen, out, sizeof(out), 0, 0, 0, 0, &r),
			 WD_COMP_OP_SUCCESS);
	assert_int_equal(r.consumed, glen);
	assert_int_equal(r.produced, sizeof(data));
	assert_memory_equal(out, data, sizeof(data));
	assert_int_equal(r.output_chksum, crc32(0, data, sizeof(data)));
	/* SGL input */
	memset(out, 0, sizeof(out));
	assert_int_equal(eng_stateless(&x, gz, glen, out, sizeof(out), 999, 4096, 5, 0, &r),
			 WD_COMP_OP_SUCCESS);
	assert_int_equal(r.produced, sizeof(data));
	assert_memory_equal(out, data, sizeof(data));
	/* stateful, in pieces across the member boundaries */
	memset(out, 0, sizeof(out));
	assert_int_equal(stream_decompress(&x, gz, glen, 777, 3000, out, sizeof(out), &chk),
			 sizeof(data));
	assert_memory_equal(out, data, sizeof(data));
	assert_int_equal(chk, crc32(0, data, sizeof(data)));
	/* trailing bytes that are not a member are left unconsumed */
	gz[glen] = 0x00;
	gz[glen + 1] = 0x42;
	assert_int_equal(eng_stateless(&x, gz, glen + 2, out, sizeof(out), 0, 0, 0, 0, &r),
			 WD_COMP_OP_SUCCESS);
	assert_int_equal(r.consumed, glen);
	assert_int_equal(r.produced, sizeof(data));
}

static void
test_bad_input(void **state)
{
	static uint8_t data[10000], comp[12000], out[12000];
	struct wd_comp_xform x;
	struct wd_comp_op r;
	size_t clen;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 23);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		clen = ct_zlib_comp(algs[a], 6, 15, data, sizeof(data), comp, sizeof(comp));
		/* truncated: a stateless op must hold the whole stream */
		assert_int_equal(eng_stateless(&x, comp, clen - 9, out, sizeof(out), 0, 0, 0, 0,
					       &r), WD_COMP_OP_ERR_DATA);
		/*
		 * Only the trailer cut, into a room of exactly the data's size:
		 * all the data fits, so it is still truncated, not out of space
		 * (flat buffers and 1000-byte segments)
		 */
		for (size_t cut = 1; cut <= (algs[a] == WD_COMP_ALG_GZIP ? 8u : 4u); cut++) {
			if (algs[a] == WD_COMP_ALG_DEFLATE)
				break;
			for (uint32_t seg = 0; seg <= 1000; seg += 1000)
				assert_int_equal(eng_stateless(&x, comp, clen - cut, out,
							       sizeof(data), seg, seg, 0, 0, &r),
						 WD_COMP_OP_ERR_DATA);
		}
		if (algs[a] != WD_COMP_ALG_DEFLATE) {
			/* trailer changed (zlib: Adler-32; gzip: CRC-32, then ISIZE) */
			size_t t = algs[a] == WD_COMP_ALG_ZLIB ? clen - 2 : clen - 6;

			comp[t] ^= 0x10;
			assert_int_equal(eng_stateless(&x, comp, clen, out, sizeof(out), 0, 0, 0,
						       0, &r), WD_COMP_OP_ERR_CHECKSUM);
			comp[t] ^= 0x10;
			t = clen - 1; /* zlib: Adler-32; gzip: ISIZE */
			comp[t] ^= 0x01;
			assert_int_equal(eng_stateless(&x, comp, clen, out, sizeof(out), 0, 0, 0,
						       0, &r), WD_COMP_OP_ERR_CHECKSUM);
			comp[t] ^= 0x01;
			/* header changed */
			comp[0] ^= 0x01;
			assert_int_equal(eng_stateless(&x, comp, clen, out, sizeof(out), 0, 0, 0,
						       0, &r), WD_COMP_OP_ERR_DATA);
			comp[0] ^= 0x01;
		}
		/* garbage */
		wd_test_gen(comp, 3000, WD_TEST_DATA_RANDOM, 24);
		comp[0] = algs[a] == WD_COMP_ALG_GZIP ? 0x1f : algs[a] == WD_COMP_ALG_ZLIB ?
			  0x78 : 0x07; /* deflate: reserved block type 11 */
		comp[1] = algs[a] == WD_COMP_ALG_GZIP ? 0x8b : algs[a] == WD_COMP_ALG_ZLIB ?
			  0x9c : comp[1];
		if (algs[a] == WD_COMP_ALG_GZIP) {
			comp[2] = 8;
			comp[3] = 0;
		}
		assert_int_equal(eng_stateless(&x, comp, 3000, out, sizeof(out), 0, 0, 0, 0, &r),
				 WD_COMP_OP_ERR_DATA);
	}
	/* zlib FDICT */
	{
		z_stream zs;
		static const uint8_t dict[] = "compression dictionary";

		memset(&zs, 0, sizeof(zs));
		assert_int_equal(deflateInit(&zs, 6), Z_OK);
		assert_int_equal(deflateSetDictionary(&zs, dict, sizeof(dict)), Z_OK);
		zs.next_in = data;
		zs.avail_in = 1000;
		zs.next_out = comp;
		zs.avail_out = sizeof(comp);
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
		deflateEnd(&zs);
		xform_set(&x, WD_OP_DECOMPRESS, WD_COMP_ALG_ZLIB, 0);
		assert_int_equal(eng_stateless(&x, comp, zs.total_out, out, sizeof(out), 0, 0, 0,
					       0, &r), WD_COMP_OP_ERR_DICT);
	}
	/* gzip reserved flag bit */
	clen = ct_zlib_comp(WD_COMP_ALG_GZIP, 6, 15, data, 1000, comp, sizeof(comp));
	comp[3] |= 0x80;
	xform_set(&x, WD_OP_DECOMPRESS, WD_COMP_ALG_GZIP, 0);
	assert_int_equal(eng_stateless(&x, comp, clen, out, sizeof(out), 0, 0, 0, 0, &r),
			 WD_COMP_OP_ERR_DATA);
	/* empty input */
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		assert_int_equal(eng_stateless(&x, comp, 0, out, sizeof(out), 0, 0, 0, 0, &r),
				 WD_COMP_OP_ERR_DATA);
	}
}

/*
 * Corrupt streams: random bit flips, truncations and garbage into
 * decompression, stateless and in stream steps. Every op must finish with
 * a status, never write past its output room (the tailroom after it is
 * checked) and never hang (ct_run is bounded).
 */
static void
test_corrupt_input(void **state)
{
	static uint8_t data[12000], comp[14000], bad[14000], back[12000];
	uint64_t seed = 77;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_MIXED, 29);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		struct wd_comp_xform x;
		size_t clen = ct_zlib_comp(algs[a], 6, 15, data, sizeof(data), comp, sizeof(comp));
		void *px, *st;

		xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
		assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &px), 0);
		assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
		for (int it = 0; it < 150; it++) {
			struct wd_comp_op *op;
			struct rte_mbuf *s, *d;
			size_t len = clen;
			uint32_t room = 1 + (uint32_t)((seed >> 7) % sizeof(back));
			uint8_t *tail;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			memcpy(bad, comp, clen);
			switch (it % 3) {
			case 0: /* a few flipped bits */
				for (int k = 0; k < 1 + it % 4; k++) {
					size_t pos = (size_t)((seed >> (k * 8)) % clen);

					bad[pos] ^= (uint8_t)(1u << ((seed >> 40) % 8));
				}
				break;
			case 1: /* truncated */
				len = (size_t)(seed % clen);
				break;
			default: /* garbage after a good start */
				wd_test_gen(bad + clen / 3, clen - clen / 3, WD_TEST_DATA_RANDOM,
					    seed);
				break;
			}
			s = ct_chain_from(bad, len, it % 2 ? 333 : 0, 0);
			d = rte_pktmbuf_alloc(ct_mbuf_pool);
			assert_non_null(s);
			assert_non_null(d);
			room = RTE_MIN(room, (uint32_t)CT_SEG_ROOM - 64);
			assert_non_null(rte_pktmbuf_append(d, (uint16_t)room));
			tail = rte_pktmbuf_mtod_offset(d, uint8_t *, room);
			memset(tail, 0xc3, 64);
			op = op_make(it % 2 ? st : px, it % 2, s, 0, (uint32_t)len, d, 0,
				     WD_COMP_FLUSH_FINAL);
			assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
			assert_true(op->status < WD_COMP_OP_STATUS_MAX);
			assert_true(op->status != WD_COMP_OP_NOT_PROCESSED);
			assert_true(op->produced <= room);
			assert_true(op->consumed <= len);
			for (int k = 0; k < 64; k++)
				assert_int_equal(tail[k], 0xc3);
			rte_pktmbuf_free(s);
			rte_pktmbuf_free(d);
			wd_comp_op_free(op);
		}
		assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
		assert_int_equal(wd_comp_private_xform_free(g_dev, px), 0);
		/* and the device still works */
		{
			struct wd_comp_op r;

			assert_int_equal(eng_stateless(&x, comp, clen, back, sizeof(back), 0, 0, 0,
						       0, &r), WD_COMP_OP_SUCCESS);
			assert_memory_equal(back, data, sizeof(data));
		}
	}
}

/* An output chain of @p room bytes in @p seg-byte segments, then a segment on @p on's data. */
static struct rte_mbuf *
room_then_alias(uint32_t room, uint32_t seg, struct rte_mbuf *on)
{
	struct rte_mbuf *d = ct_chain_room(room, seg), *alias = rte_pktmbuf_alloc(on->pool);

	assert_non_null(d);
	assert_non_null(alias);
	rte_pktmbuf_attach(alias, on);
	assert_int_equal(rte_pktmbuf_chain(d, alias), 0);
	return d;
}

/*
 * Output chains that share bytes with the input chain: refused, exactly
 * where the bytes the op uses meet (not merely the same buffers), with
 * few segments (compared pair by pair) and many (sorted).
 */
static void
chain_overlap_cases(struct wd_comp_op *op, struct rte_mbuf *s, const uint8_t *data, size_t len)
{
	struct rte_mbuf *big, *third = s->next->next, *d;
	uint8_t status;

	assert_non_null(third);
	/* the output's last segment is the input's third one */
	d = room_then_alias(4000, 0, third);
	op->m_src = s;
	op->m_dst = d;
	op->src.length = (uint32_t)len;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	/* the same chains when the input is only its first segment: apart */
	op->src.length = s->data_len;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	assert_true(op->produced > 0);
	rte_pktmbuf_free(d);
	/* a one-segment output attached to the input's second segment */
	d = rte_pktmbuf_alloc(s->pool);
	assert_non_null(d);
	rte_pktmbuf_attach(d, s->next);
	op->m_dst = d;
	op->src.length = (uint32_t)len;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	status = op->status;
	rte_pktmbuf_free(d);
	assert_int_equal(status, WD_COMP_OP_INVALID_ARGS);
	/* and the other way round: a one-segment input on the output chain's second segment */
	d = ct_chain_room(4000, 1000);
	{
		struct rte_mbuf *in = rte_pktmbuf_alloc(s->pool);

		assert_non_null(d);
		assert_non_null(in);
		rte_pktmbuf_attach(in, d->next);
		op->m_src = in;
		op->m_dst = d;
		op->src.length = in->data_len;
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		status = op->status;
		rte_pktmbuf_free(in);
	}
	assert_int_equal(status, WD_COMP_OP_INVALID_ARGS);
	/* an input that is one of the output chain's own segments (made to look single) */
	{
		struct rte_mbuf *mid = d->next;
		uint32_t pkt = mid->pkt_len;

		mid->pkt_len = mid->data_len;
		op->m_src = mid;
		op->src.length = mid->data_len;
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		status = op->status;
		mid->pkt_len = pkt;
	}
	rte_pktmbuf_free(d);
	op->m_src = s;
	assert_int_equal(status, WD_COMP_OP_INVALID_ARGS);
	/* 40 segments each: the sorted comparison, both ways */
	big = ct_chain_from(data, len, (uint32_t)(len / 40), 0);
	assert_non_null(big);
	assert_int_equal(big->nb_segs, 40);
	d = ct_chain_room(4000, 4000 / 40);
	assert_int_equal(d->nb_segs, 40);
	op->m_src = big;
	op->m_dst = d;
	op->src.length = (uint32_t)len;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	rte_pktmbuf_free(d);
	{
		struct rte_mbuf *seg20 = big;

		for (int i = 0; i < 20; i++)
			seg20 = seg20->next;
		d = room_then_alias(3900, 3900 / 39, seg20);
	}
	assert_int_equal(d->nb_segs, 40);
	op->m_dst = d;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	status = op->status;
	rte_pktmbuf_free(d);
	rte_pktmbuf_free(big);
	assert_int_equal(status, WD_COMP_OP_INVALID_ARGS);
	op->src.length = (uint32_t)len;
}

/* Dequeue the one op in flight (asking for up to @p n), spinning a bounded while. */
static void
dequeue_one(struct wd_comp_op **ops, uint16_t n)
{
	unsigned int got = 0, spins = 0;

	while (got < 1 && spins++ < 10000000)
		got += wd_comp_dequeue_burst(g_dev, 0, ops, n);
	assert_int_equal(got, 1);
}

static void
test_op_validation(void **state)
{
	static uint8_t data[2000];
	struct wd_comp_xform x;
	struct wd_comp_op *op, *ops[2];
	struct rte_mbuf *s, *d, *s2;
	void *px, *st;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 25);
	xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_GZIP, 1);
	assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &px), 0);
	s = ct_chain_from(data, sizeof(data), 500, 0);
	d = ct_chain_room(4000, 0);
	op = op_make(px, false, s, 0, sizeof(data), d, 0, WD_COMP_FLUSH_FINAL);
	/* length past the end of the chain */
	op->src.length = sizeof(data) + 1;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	op->src.offset = 1;
	op->src.length = sizeof(data);
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	op->src.offset = UINT32_MAX;
	op->src.length = 2;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	op->src.offset = 0;
	/* output offset past the end */
	op->dst.offset = 4001;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	op->dst.offset = 0;
	/* a chain whose lengths disagree */
	s->pkt_len += 10;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	s->pkt_len -= 10;
	s->nb_segs++;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	s->nb_segs--;
	/* nb_segs 1 is one segment, its next is not read: on every engine alike */
	{
		struct rte_mbuf *one = ct_chain_from(data, sizeof(data), 0, 0);
		struct rte_mbuf *other = ct_chain_from(data, 100, 0, 0);
		uint8_t want;
		uint32_t made;

		assert_non_null(one);
		assert_non_null(other);
		assert_int_equal(one->nb_segs, 1);
		op->m_src = one;
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		want = op->status;
		made = op->produced;
		assert_int_not_equal(want, WD_COMP_OP_INVALID_ARGS);
		one->next = other;
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		assert_int_equal(op->status, want);
		assert_int_equal(op->produced, made);
		one->next = NULL;
		op->m_src = s;
		rte_pktmbuf_free(other);
		/*
		 * and on the general path (a stream op): not even an external
		 * buffer of ordinary memory behind it is looked at (the device
		 * could not reach it: the op would have gone to software)
		 */
		{
			struct rte_mbuf_ext_shared_info si;
			uint8_t *heap = malloc(64);
			struct rte_mbuf *ext;
			struct wd_comp_op *so;
			void *st2;
			uint8_t engine;

			assert_non_null(heap);
			ext = rte_pktmbuf_alloc(ct_mbuf_pool);
			assert_non_null(ext);
			si.free_cb = ext_free_cb;
			si.fcb_opaque = NULL;
			rte_mbuf_ext_refcnt_set(&si, 1);
			/* ordinary memory: IOVA = VA, as EAL's own would be */
			rte_pktmbuf_attach_extbuf(ext, heap, (rte_iova_t)(uintptr_t)heap, 64, &si);
			ext->data_len = 64;
			ext->pkt_len = 64;
			assert_int_equal(wd_comp_stream_create(g_dev, &x, &st2), 0);
			so = op_make(st2, true, one, 0, sizeof(data), d, 0, WD_COMP_FLUSH_FINAL);
			assert_int_equal(ct_run(g_dev, 0, &so, 1), 0);
			want = so->status;
			engine = so->engine;
			one->next = ext;
			assert_int_equal(ct_run(g_dev, 0, &so, 1), 0);
			one->next = NULL;
			assert_int_equal(so->status, want);
			assert_int_equal(so->engine, engine);
			wd_comp_op_free(so);
			assert_int_equal(wd_comp_stream_free(g_dev, st2), 0);
			rte_pktmbuf_free(ext);
			free(heap);
		}
		rte_pktmbuf_free(one);
	}
	/* no buffers */
	op->m_src = NULL;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	op->m_src = s;
	op->m_dst = NULL;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	op->m_dst = d;
	/* a stateless compression is a whole stream */
	op->flush_flag = WD_COMP_FLUSH_NONE;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	op->flush_flag = (enum wd_comp_flush)9;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	/* decompression takes any flush, but not a value that is none */
	{
		struct wd_comp_xform dx;
		void *dpx;

		xform_set(&dx, WD_OP_DECOMPRESS, WD_COMP_ALG_ZLIB, 0);
		assert_int_equal(wd_comp_private_xform_create(g_dev, &dx, &dpx), 0);
		op->private_xform = dpx;
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
		op->private_xform = px;
		assert_int_equal(wd_comp_private_xform_free(g_dev, dpx), 0);
	}
	op->flush_flag = WD_COMP_FLUSH_FINAL;
	/* not an xform */
	op->private_xform = data;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	op->private_xform = NULL;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	op->private_xform = px;
	op->op_type = (enum wd_comp_op_type)7;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	/* a stream given as a private xform */
	assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
	op->op_type = WD_COMP_OP_STATELESS;
	op->private_xform = st;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	/* and back to a good op */
	op->private_xform = px;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	/* segments whose data would run past their buffer (chain, then one segment) */
	s->next->data_off = (uint16_t)(s->next->buf_len - s->next->data_len + 1);
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	s->next->data_off = RTE_PKTMBUF_HEADROOM;
	d->data_len = (uint16_t)(d->buf_len - d->data_off + 100);
	d->pkt_len = d->data_len;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	d->data_len = 4000;
	d->pkt_len = 4000;
	/* in place, and an output on the input's data (an attached mbuf) */
	op->m_dst = s;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	/* in place even where the ranges do not meet: the output after the input */
	op->src.length = sizeof(data) / 2;
	op->dst.offset = sizeof(data) / 2;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
	op->src.length = sizeof(data);
	op->dst.offset = 0;
	{
		struct rte_mbuf *one = ct_chain_from(data, sizeof(data), 0, 0);
		struct rte_mbuf *alias = rte_pktmbuf_alloc(one->pool);

		assert_non_null(one);
		assert_non_null(alias);
		rte_pktmbuf_attach(alias, one);
		op->m_src = one;
		op->m_dst = alias;
		op->src.length = sizeof(data);
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		assert_int_equal(op->status, WD_COMP_OP_INVALID_ARGS);
		rte_pktmbuf_free(alias);
		rte_pktmbuf_free(one);
	}
	chain_overlap_cases(op, s, data, sizeof(data));
	op->m_src = s;
	op->m_dst = d;
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	/* a NULL op ends the burst */
	ops[0] = op;
	ops[1] = NULL;
	assert_int_equal(wd_comp_enqueue_burst(g_dev, 0, ops, 2), 1);
	dequeue_one(ops, 2);
	/*
	 * an op enqueued again before it was dequeued (in the same burst, or in
	 * a later one) ends the burst, and its first run is left alone: it comes
	 * back once, and its xform is not held afterwards (checked at the end)
	 */
	ops[0] = op;
	ops[1] = op;
	assert_int_equal(wd_comp_enqueue_burst(g_dev, 0, ops, 2), 1);
	assert_int_equal(rte_errno, EALREADY);
	assert_int_equal(wd_comp_enqueue_burst(g_dev, 0, ops, 1), 0);
	assert_int_equal(rte_errno, EALREADY);
	dequeue_one(ops, 2);
	assert_ptr_equal(ops[0], op);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	assert_true(op->produced > 0);
	for (int k = 0; k < 100000; k++)
		assert_int_equal(wd_comp_dequeue_burst(g_dev, 0, ops, 2), 0);
	assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	/*
	 * two ops of one stream in flight: the second is refused, whatever the
	 * engine (a software op, done at enqueue, holds its stream until it is
	 * dequeued), and the stream cannot be freed under an op
	 */
	s2 = ct_chain_from(data, sizeof(data), 0, 0);
	ops[0] = op_make(st, true, s2, 0, sizeof(data), d, 0, WD_COMP_FLUSH_NONE);
	ops[1] = op_make(st, true, s2, 0, sizeof(data), d, 0, WD_COMP_FLUSH_NONE);
	assert_int_equal(ct_run(g_dev, 0, ops, 2), 0);
	assert_int_equal(ops[1]->status, WD_COMP_OP_INVALID_STATE);
	assert_int_equal(ops[0]->status, WD_COMP_OP_SUCCESS);
	assert_int_equal(ops[0]->flags & 0xe0, 0);	/* the library's bits are its own */
	assert_int_equal(wd_comp_enqueue_burst(g_dev, 0, ops, 1), 1);
	assert_int_equal(wd_comp_stream_free(g_dev, st), -EBUSY);
	/* the same stream op again, in flight: not taken, the stream not lost */
	assert_int_equal(wd_comp_enqueue_burst(g_dev, 0, ops, 1), 0);
	assert_int_equal(rte_errno, EALREADY);
	dequeue_one(ops, 1);
	assert_int_equal(ops[0]->status, WD_COMP_OP_SUCCESS);
	wd_comp_op_free(ops[0]);
	wd_comp_op_free(ops[1]);
	assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
	/* a stateless op in flight keeps its xform, whatever the engine */
	ops[0] = op;
	assert_int_equal(wd_comp_enqueue_burst(g_dev, 0, ops, 1), 1);
	assert_int_equal(wd_comp_private_xform_free(g_dev, px), -EBUSY);
	dequeue_one(ops, 1);
	assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
	assert_int_equal(op->flags & 0xe0, 0);	/* the library's bits */
	rte_pktmbuf_free(s2);
	rte_pktmbuf_free(s);
	rte_pktmbuf_free(d);
	wd_comp_op_free(op);
	assert_int_equal(wd_comp_private_xform_free(g_dev, px), 0);
	/* freed handles are refused */
	assert_int_equal(wd_comp_private_xform_free(g_dev, px), -EINVAL);
}

static void
test_buf_process(void **state)
{
	static const size_t sizes[] = {0, 1, 4096, 1u << 20, (9u << 20) + 5};
	size_t maxlen = (9u << 20) + 5;
	uint8_t *data = malloc(maxlen), *comp = malloc(wd_comp_bound(WD_COMP_ALG_GZIP, maxlen));
	uint8_t *back = malloc(maxlen);
	struct wd_comp_buf_result r;
	struct wd_comp_xform x;

	(void)state;
	assert_non_null(data);
	assert_non_null(comp);
	assert_non_null(back);
	wd_test_gen(data, maxlen, WD_TEST_DATA_MIXED, 26);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		for (size_t i = 0; i < RTE_DIM(sizes); i++) {
			size_t len = sizes[i], clen;

			xform_set(&x, WD_OP_COMPRESS, algs[a], 1);
			assert_int_equal(wd_comp_buf_process(g_dev, 1, &x, data, len, comp,
							     wd_comp_bound(algs[a], len), &r), 0);
			assert_int_equal(r.status, WD_COMP_OP_SUCCESS);
			assert_int_equal(r.consumed, len);
			clen = r.produced;
			assert_int_equal(ct_zlib_decomp(algs[a], comp, clen, back, maxlen, 0),
					 (long)len);
			assert_memory_equal(back, data, len);
			xform_set(&x, WD_OP_DECOMPRESS, algs[a], 0);
			assert_int_equal(wd_comp_buf_process(g_dev, 1, &x, comp, clen, back,
							     maxlen, &r), 0);
			assert_int_equal(r.produced, len);
			assert_int_equal(r.consumed, clen);
			assert_memory_equal(back, data, len);
			if (algs[a] != WD_COMP_ALG_DEFLATE)
				assert_int_equal(r.checksum, ct_sum(algs[a], data, len));
			if (len > 100) {
				assert_int_equal(wd_comp_buf_process(g_dev, 1, &x, comp, clen, back,
								     len - 1, &r), -ENOSPC);
				assert_int_equal(wd_comp_buf_process(g_dev, 1, &x, comp, clen / 2,
								     back, maxlen, &r), -EBADMSG);
			}
			/*
			 * The trailer cut by one byte, the room exactly the data:
			 * truncated, not out of space (above 8 MiB the device
			 * cannot tell: software decides)
			 */
			if (len > 100 && algs[a] != WD_COMP_ALG_DEFLATE)
				assert_int_equal(wd_comp_buf_process(g_dev, 1, &x, comp, clen - 1,
								     back, len, &r), -EBADMSG);
		}
	}
	/* checksum error */
	{
		size_t clen = ct_zlib_comp(WD_COMP_ALG_GZIP, 6, 15, data, 10000, comp, 20000);

		comp[clen - 6] ^= 1;
		xform_set(&x, WD_OP_DECOMPRESS, WD_COMP_ALG_GZIP, 0);
		assert_int_equal(wd_comp_buf_process(g_dev, 1, &x, comp, clen, back, 10000, &r),
				 -EILSEQ);
	}
	free(data);
	free(comp);
	free(back);
}

static void
test_stats(void **state)
{
	static uint8_t data[8000], out[9000];
	struct wd_comp_stats s, q;
	struct wd_comp_xform x;
	struct wd_comp_op r;
	uint64_t lat = 0;

	(void)state;
	wd_comp_stats_reset(g_dev);
	assert_int_equal(wd_comp_stats_get(g_dev, &s), 0);
	assert_int_equal(s.enqueued_count, 0);
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 27);
	xform_set(&x, WD_OP_COMPRESS, WD_COMP_ALG_ZLIB, 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(eng_stateless(&x, data, sizeof(data), out, sizeof(out), 0, 0, 0,
					       0, &r), WD_COMP_OP_SUCCESS);
	assert_int_equal(eng_stateless(&x, data, sizeof(data), out, 10, 0, 0, 0, 0, &r),
			 WD_COMP_OP_OUT_OF_SPACE_TERMINATED);
	assert_int_equal(wd_comp_stats_get(g_dev, &s), 0);
	assert_int_equal(wd_comp_qp_stats_get(g_dev, 0, &q), 0);
	assert_int_equal(s.enqueued_count, 6);
	assert_int_equal(s.dequeued_count, 6);
	assert_int_equal(s.dequeue_err_count, 1);
	assert_int_equal(s.status[WD_COMP_OP_SUCCESS], 5);
	assert_int_equal(s.status[WD_COMP_OP_OUT_OF_SPACE_TERMINATED], 1);
	assert_int_equal(s.bytes_in, 5 * sizeof(data));
	assert_true(s.bytes_out > 0);
	if (g_compresses)
		assert_true(s.bytes_out < s.bytes_in);
	assert_int_equal(s.hw_ops + s.sw_ops, 6);
	assert_int_equal(g_hw ? s.hw_ops : s.sw_ops, 6);
	for (int i = 0; i < WD_COMP_LAT_BUCKETS; i++)
		lat += s.lat_hist[i];
	assert_int_equal(lat, 6);
	assert_memory_equal(&s, &q, sizeof(s));
	wd_comp_stats_reset(g_dev);
	assert_int_equal(wd_comp_qp_stats_get(g_dev, 0, &q), 0);
	assert_int_equal(q.dequeued_count, 0);
}

static void
test_bound(void **state)
{
	static uint8_t data[200000], out[210000];
	static const size_t sizes[] = {0, 1, 10, 1000, 65535, 65536, 200000};
	struct wd_comp_xform x;
	struct wd_comp_op r;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_RANDOM, 28);
	for (size_t a = 0; a < RTE_DIM(algs); a++) {
		for (int lvl = WD_COMP_LEVEL_DEFAULT; lvl <= 9; lvl += 2) {
			for (size_t i = 0; i < RTE_DIM(sizes); i++) {
				size_t b = wd_comp_bound(algs[a], sizes[i]);

				xform_set(&x, WD_OP_COMPRESS, algs[a], lvl);
				assert_true(b <= sizeof(out));
				assert_int_equal(eng_stateless(&x, data, sizes[i], out, b, 0, 0, 0,
							       0, &r), WD_COMP_OP_SUCCESS);
				assert_true(r.produced <= b);
			}
		}
	}
	assert_int_equal(wd_comp_bound(WD_COMP_ALG_DEFLATE, 0), 5);
	assert_true(wd_comp_bound(WD_COMP_ALG_GZIP, 100) >= 100 + 18);
}

static void
test_corpus(void **state)
{
	const char *dir = wd_test_corpus_dir();
	const char *const *files = wd_test_corpus_files();
	struct wd_comp_xform x;

	(void)state;
	if (dir == NULL) {
		fprintf(stderr, "corpus not found: corpus cases skipped\n");
		skip();
	}
	for (int f = 0; files[f] != NULL; f++) {
		char path[4400];
		size_t len = 0;
		uint8_t *data;

		snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
		data = wd_test_read_file(path, &len);
		assert_non_null(data);
		if (len > (1u << 20))
			len = 1u << 20; /* enough to cover each kind of data */
		for (size_t a = 0; a < RTE_DIM(algs); a++) {
			xform_set(&x, WD_OP_COMPRESS, algs[a], a == 0 ? 1 : 6);
			roundtrip(&x, data, len, 4096, 0, 0);
		}
		free(data);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_config),
		cmocka_unit_test(test_dev_info),
		cmocka_unit_test(test_stateless_fixed),
		cmocka_unit_test(test_stateless_dynamic),
		cmocka_unit_test(test_stateless_big),
		cmocka_unit_test(test_multi_op),
		cmocka_unit_test(test_multi_level),
		cmocka_unit_test(test_multi_xform),
		cmocka_unit_test(test_sgl),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_out_of_space),
		cmocka_unit_test(test_out_of_space_small_room),
		cmocka_unit_test(test_stateful_comp),
		cmocka_unit_test(test_stateful_decomp_tiny),
		cmocka_unit_test(test_stateful_decomp_final),
		cmocka_unit_test(test_stateful_decomp_cuts),
		cmocka_unit_test(test_stream_trailing),
		cmocka_unit_test(test_trailing_readahead),
		cmocka_unit_test(test_stream_zero_room),
		cmocka_unit_test_teardown(test_stream_zero_room_nomem, nomem_teardown),
		cmocka_unit_test(test_stream_sum_small_room),
		cmocka_unit_test(test_stream_running_adler),
		cmocka_unit_test(test_flush_tiny_room),
		cmocka_unit_test(test_extbuf),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_corrupt_input),
		cmocka_unit_test(test_op_validation),
		cmocka_unit_test(test_buf_process),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_corpus),
	};
	struct wd_comp_dev_info info;
	char name[128];
	int dev, ret;

	if (argc > 1)
		g_spec = argv[1];
	if (ct_init(argv[0]) != 0)
		return 1;
	dev = ct_dev_open(g_spec, 2, NULL);
	if (dev < 0) {
		fprintf(stderr, "cannot open device %s: %s\n", g_spec, strerror(-dev));
		return 1;
	}
	g_dev = (uint8_t)dev;
	wd_comp_dev_info_get(g_dev, &info);
	g_hw = info.hw;
	g_compresses = strstr(g_spec, "engine=store") == NULL;
	snprintf(name, sizeof(name), "wd_comp_api[%s]", g_spec);
	ret = cmocka_run_group_tests_name(name, tests, NULL, NULL);
	ct_dev_close(g_dev);
	wd_cleanup();
	wd_test_eal_cleanup();
	return ret;
}
