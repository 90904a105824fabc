/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ZIP engine conformance, hardware SGL buffers (reference section 13):
 * 1..300 entries in single and chained SGLs, byte offsets dw7/dw8 (the
 * driver's header inside the SGL), malformed chains, and IOMMU faults on
 * every SGL access kind (header, entry, next pointer, entry buffer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "test_model_zip_util.h"
#include "wd_test.h"

static const unsigned int types[] = { HZM_REQ_ZLIB, HZM_REQ_GZIP };

/* Compress @p len bytes through SGLs; the driver put the header first in dst (dw8 skip). */
static void
sgl_compress(struct tz *t, unsigned int type, const uint8_t *d, size_t len, unsigned int nin,
	     unsigned int nout, unsigned int per_sgl, uint64_t seed)
{
	struct tz_sgl in, out;
	unsigned int hl;
	const uint8_t *hdr = tz_header(type, &hl);
	size_t cap = len + len / 8 + 256 + hl;
	uint8_t *z = malloc(cap), *dec;
	size_t dec_len;
	struct tsqe q;
	unsigned int st;

	tz_sgl_make(t, &in, len, nin, per_sgl, seed);
	tz_sgl_make(t, &out, cap, nout, per_sgl, seed + 1);
	tz_sgl_put(t, &in, 0, d, len);
	tz_sgl_put(t, &out, 0, hdr, hl);
	tsqe_init(&q, type, HZM_BUF_SGL, 4, 0x0a000000, in.sgl, (uint32_t)len, out.sgl,
		  (uint32_t)(cap - hl));
	q.dw[8] = hl;   /* output skip: the header */
	st = tz_exec(t, &q, HZM_SQC_COMPRESS, NULL);
	if (st != HZM_ST_OK && st != HZM_ST_NEGACOMPRESS)
		fail_msg("SGL compress %zu bytes, %u/%u entries: status 0x%x", len, nin, nout, st);
	assert_int_equal(q.dw[0], len);
	tz_sgl_get(t, &out, 0, z, hl + q.dw[1]);
	assert_memory_equal(z, hdr, hl);   /* the skipped header is untouched */
	assert_int_equal(tz_zlib_inflate(type, z, hl + q.dw[1], &dec, &dec_len), Z_OK);
	assert_int_equal(dec_len, len);
	assert_memory_equal(dec, d, len);
	free(dec);
	free(z);
	tz_sgl_free(&in);
	tz_sgl_free(&out);
}

/* Decompress a whole zlib/gzip stream held in an SGL, header skipped by dw7. */
static void
sgl_decompress(struct tz *t, unsigned int type, const uint8_t *d, size_t len, unsigned int nin,
	       unsigned int nout, unsigned int per_sgl, uint64_t seed)
{
	size_t zlen;
	uint8_t *z = tz_zlib_deflate(type, 6, 15, d, len, &zlen), *o = malloc(len + 1);
	struct tz_sgl in, out;
	unsigned int hl;
	struct tsqe q;
	unsigned int st;

	tz_header(type, &hl);
	tz_sgl_make(t, &in, zlen, nin, per_sgl, seed);
	tz_sgl_make(t, &out, len + 1, nout, per_sgl, seed + 7);
	tz_sgl_put(t, &in, 0, z, zlen);
	tsqe_init(&q, type, HZM_BUF_SGL, 0, 0x0a000000 | hl, in.sgl, (uint32_t)(zlen - hl),
		  out.sgl, (uint32_t)(len + 1 < 16 ? 16 : len + 1));
	st = tz_exec(t, &q, HZM_SQC_DECOMPRESS, NULL);
	if (st != HZM_ST_OK)
		fail_msg("SGL decompress %zu bytes, %u/%u entries: status 0x%x", len, nin, nout,
			 st);
	assert_true(tsqe_last(&q));
	assert_int_equal(q.dw[0], zlen - hl);
	assert_int_equal(q.dw[1], len);
	tz_sgl_get(t, &out, 0, o, len);
	assert_memory_equal(o, d, len);
	free(o);
	free(z);
	tz_sgl_free(&in);
	tz_sgl_free(&out);
}

static void
test_sgl_entries(void **state)
{
	static const unsigned int nent[] = { 1, 2, 3, 17, 100, 255, 256, 300 };
	static const unsigned int per[] = { 255, 10, 1 };
	struct tz t;

	(void)state;
	tz_init(&t, 16, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int i = 0; i < sizeof(nent) / sizeof(nent[0]); i++) {
		for (unsigned int p = 0; p < 3; p++) {
			size_t len = 1000 + 3000 * i;
			uint8_t *d;

			if (per[p] == 1 && nent[i] > 100)
				continue;   /* 300 one-entry SGLs: covered by 10 per SGL */
			d = tz_data(len, (i + p) % 4, 200 + i);
			for (unsigned int ty = 0; ty < 2; ty++) {
				sgl_compress(&t, types[ty], d, len, nent[i], nent[(i + 3) % 8],
					     per[p], i * 10 + p);
				sgl_decompress(&t, types[ty], d, len, nent[i], nent[(i + 5) % 8],
					       per[p], i * 10 + p);
				tz_reset_alloc(&t);
			}
			free(d);
		}
	}
	/* large buffers crossing the 2 MiB mappings, more bytes than entries */
	{
		size_t len = 5u << 20;
		uint8_t *d = tz_data(len, WD_TEST_DATA_MIXED, 9);

		sgl_compress(&t, HZM_REQ_GZIP, d, len, 300, 255, 255, 1);
		tz_reset_alloc(&t);
		sgl_decompress(&t, HZM_REQ_ZLIB, d, len, 40, 300, 100, 2);
		tz_reset_alloc(&t);
		free(d);
	}
	tz_fini(&t);
}

static void
test_sgl_offsets(void **state)
{
	struct tz t;
	size_t len = 20000;
	uint8_t *d = tz_data(len, WD_TEST_DATA_TEXT, 5), *o = malloc(len);

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	/* input skip larger than several entries: the stream starts deep in the chain */
	for (uint32_t skip = 0; skip < 3000; skip += 599) {
		size_t zlen;
		uint8_t *z = tz_zlib_deflate(HZM_REQ_ZLIB, 6, 15, d, len, &zlen);
		uint8_t *buf = malloc(skip + zlen);
		struct tz_sgl in, out;
		struct tsqe q;

		memset(buf, 0xcc, skip);
		memcpy(buf + skip, z, zlen);
		tz_sgl_make(&t, &in, skip + zlen, 50, 7, skip);
		tz_sgl_make(&t, &out, skip + len, 30, 255, skip + 1);
		tz_sgl_put(&t, &in, 0, buf, skip + zlen);
		tz_sgl_put(&t, &out, 0, buf, skip);   /* must stay: before the output skip */
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 0, skip + 2, in.sgl, (uint32_t)(zlen - 2),
			  out.sgl, (uint32_t)len);
		q.dw[8] = skip;
		assert_int_equal(tz_exec(&t, &q, HZM_SQC_DECOMPRESS, NULL), HZM_ST_OK);
		assert_true(tsqe_last(&q));
		assert_int_equal(q.dw[1], len);
		tz_sgl_get(&t, &out, skip, o, len);
		assert_memory_equal(o, d, len);
		tz_sgl_get(&t, &out, 0, buf, skip);
		for (uint32_t k = 0; k < skip; k++)
			assert_int_equal(buf[k], 0xcc);
		tz_sgl_free(&in);
		tz_sgl_free(&out);
		free(buf);
		free(z);
		tz_reset_alloc(&t);
	}
	tz_fini(&t);
	free(d);
	free(o);
}

static void
test_sgl_stream(void **state)
{
	struct tz t;
	size_t len = 100000, zpos = 0;
	uint8_t *d = tz_data(len, WD_TEST_DATA_MIXED, 15), *z = malloc(len * 2), *dec;
	uint64_t ctx;
	uint32_t w[5] = { 0 };
	size_t dec_len;

	(void)state;
	tz_init(&t, 8, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	ctx = g_alloc(&t, 0x10000, 4096) + 64;
	z[0] = 0x78;
	z[1] = 0x9c;
	zpos = 2;
	for (size_t pos = 0, i = 0; pos < len; i++) {
		size_t c = 7000 + (i * 1237) % 20000;
		struct tz_sgl in, out;
		struct tsqe q;
		bool last;

		if (c > len - pos)
			c = len - pos;
		last = pos + c == len;
		tz_sgl_make(&t, &in, c, 1 + (unsigned int)(i % 9), 4, i);
		tz_sgl_make(&t, &out, c + c / 8 + 64, 1 + (unsigned int)(i % 5), 3, i + 100);
		tz_sgl_put(&t, &in, 0, d + pos, c);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4,
			  HZM_DW7_STATEFUL | (i == 0 ? HZM_DW7_NEW_STREAM : 0) |
				  (last ? HZM_DW7_FLUSH_FINISH : 0),
			  in.sgl, (uint32_t)c, out.sgl, (uint32_t)(c + c / 8 + 64));
		tsqe_set_ctx(&q, ctx);
		q.dw[15] = w[0];
		q.dw[28] = w[1];
		q.dw[29] = w[2];
		q.dw[30] = w[3];
		q.dw[31] = w[4];
		assert_int_equal(tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
		w[0] = q.dw[15];
		w[1] = q.dw[28];
		w[2] = q.dw[29];
		w[3] = q.dw[30];
		w[4] = q.dw[31];
		tz_sgl_get(&t, &out, 0, z + zpos, q.dw[1]);
		zpos += q.dw[1];
		pos += c;
		tz_sgl_free(&in);
		tz_sgl_free(&out);
	}
	assert_int_equal(tz_zlib_inflate(HZM_REQ_ZLIB, z, zpos, &dec, &dec_len), Z_OK);
	assert_int_equal(dec_len, len);
	assert_memory_equal(dec, d, len);
	free(dec);
	tz_fini(&t);
	free(d);
	free(z);
}

/* Write a raw SGL header/entries for malformed cases. */
static uint64_t
raw_sgl(struct tz *t, uint64_t at, uint64_t next, uint16_t nent, const uint64_t *buf,
	const uint32_t *len, unsigned int n)
{
	uint8_t h[64 + 32 * 4];

	memset(h, 0, sizeof(h));
	for (int i = 0; i < 8; i++)
		h[i] = (uint8_t)(next >> (8 * i));
	h[0x0a] = (uint8_t)nent;
	h[0x0b] = (uint8_t)(nent >> 8);
	h[0x0c] = 255;
	for (unsigned int e = 0; e < n && e < 4; e++) {
		for (int i = 0; i < 8; i++)
			h[64 + 32 * e + i] = (uint8_t)(buf[e] >> (8 * i));
		for (int i = 0; i < 4; i++)
			h[64 + 32 * e + 0x10 + i] = (uint8_t)(len[e] >> (8 * i));
	}
	g_write(t, at, h, 64 + 32 * (uint64_t)(n < 4 ? n : 4));
	return at;
}

static void
test_sgl_malformed(void **state)
{
	struct tz t;
	struct tsqe q;
	uint64_t data, dst, h, h2;
	uint64_t b[2];
	uint32_t l[2];
	struct tz_sgl out;
	uint8_t *d = tz_data(4096, WD_TEST_DATA_TEXT, 3);

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	data = g_alloc(&t, 4096, 64);
	g_write(&t, data, d, 4096);
	tz_sgl_make(&t, &out, 8192, 3, 255, 1);
	dst = out.sgl;
	b[0] = data;
	l[0] = 4096;
	for (unsigned int dir = 0; dir < 2; dir++) {
		/* header not 64-byte aligned */
		h = g_alloc(&t, 256, 64) + 32;
		raw_sgl(&t, h, 0, 1, b, l, 1);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 0, 0, h, 4096, dst, 8192);
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_SGL_ERR);
		/* no valid entry while data is expected */
		h = raw_sgl(&t, g_alloc(&t, 256, 64), 0, 0, b, l, 1);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 0, 0, h, 4096, dst, 8192);
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_SGL_ERR);
		/* more than 255 entries claimed */
		h = raw_sgl(&t, g_alloc(&t, 256, 64), 0, 256, b, l, 1);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 0, 0, h, 4096, dst, 8192);
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_SGL_ERR);
		/* input chain shorter than input_data_length */
		h = raw_sgl(&t, g_alloc(&t, 256, 64), 0, 1, b, l, 1);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 0, 0, h, 4097, dst, 8192);
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_SGL_ERR);
		/* input skip beyond the chain */
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 0, 5000, h, 10, dst, 8192);
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_SGL_ERR);
		/* a cycle of empty entries ends as a malformed SGL, not a hang */
		h2 = g_alloc(&t, 256, 64);
		l[1] = 0;
		b[1] = data;
		raw_sgl(&t, h2, h2, 1, &b[1], &l[1], 1);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 0, 0, h2, 100, dst, 8192);
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_SGL_ERR);
	}
	/* a cycle of data entries is just data read again (bounded by the length) */
	l[1] = 100;
	raw_sgl(&t, h2, h2, 1, &b[1], &l[1], 1);
	tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0, h2, 10000, dst, 8192);
	assert_int_equal(tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
	/* output chain shorter than needed: output buffer too small */
	h = raw_sgl(&t, g_alloc(&t, 256, 64), 0, 1, b, l, 1);   /* 4096 bytes of text in */
	l[1] = 20;
	h2 = raw_sgl(&t, g_alloc(&t, 256, 64), 0, 1, &b[1], &l[1], 1);
	tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0, h, 4096, h2, 8192);
	assert_int_equal(tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL), HZM_ST_DSTLEN_OUT);
	/* zero-length input: the source SGL is not read at all */
	tsqe_init(&q, HZM_REQ_GZIP, HZM_BUF_SGL, 4, 0, 0x40 /* unmapped */, 0, dst, 8192);
	assert_int_equal(tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
	assert_int_equal(hzm_iommu_fault_count(t.mmu), 0);
	tz_sgl_free(&out);
	tz_fini(&t);
	free(d);
}

/*
 * SGLs of no entries in a chain hold no bytes and are passed (UADK's
 * hisi_qm_get_hw_sgl() chains one after 255 entries when the list's last
 * node is empty): in the middle of a source chain, at the end of a
 * destination chain whose dest_avail_out is larger than its list. A cycle
 * of them ends as a malformed SGL.
 */
static void
test_sgl_empty(void **state)
{
	struct tz t;
	struct tsqe q;
	uint64_t data, zbuf, h1, h0, h2, o1, o0;
	uint64_t b[2];
	uint32_t l[2];
	uint8_t *d = tz_data(4096, WD_TEST_DATA_TEXT, 5), *z = malloc(8192), *dec;
	const uint8_t *hdr;
	unsigned int hl;
	size_t dec_len;

	(void)state;
	assert_non_null(z);
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	data = g_alloc(&t, 4096, 64);
	g_write(&t, data, d, 4096);
	zbuf = g_alloc(&t, 8192, 64);
	/* source: 2048 bytes, an empty SGL, 2048 bytes */
	b[0] = data + 2048;
	l[0] = 2048;
	h2 = raw_sgl(&t, g_alloc(&t, 256, 64), 0, 1, b, l, 1);
	h0 = raw_sgl(&t, g_alloc(&t, 256, 64), h2, 0, b, l, 0);
	b[0] = data;
	h1 = raw_sgl(&t, g_alloc(&t, 256, 64), h0, 1, b, l, 1);
	/* destination: 8192 bytes, then an empty SGL that ends the chain */
	b[1] = zbuf;
	l[1] = 8192;
	o0 = raw_sgl(&t, g_alloc(&t, 256, 64), 0, 0, &b[1], &l[1], 0);
	o1 = raw_sgl(&t, g_alloc(&t, 256, 64), o0, 1, &b[1], &l[1], 1);
	hdr = tz_header(HZM_REQ_ZLIB, &hl);
	g_write(&t, zbuf, hdr, hl);
	tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0x0a000000, h1, 4096, o1, 8192 - hl + 100);
	q.dw[8] = hl;   /* output skip: the header the driver wrote */
	assert_int_equal(tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
	assert_int_equal(q.dw[0], 4096);
	g_read(&t, zbuf, z, hl + q.dw[1]);
	assert_int_equal(tz_zlib_inflate(HZM_REQ_ZLIB, z, hl + q.dw[1], &dec, &dec_len), Z_OK);
	assert_int_equal(dec_len, 4096);
	assert_memory_equal(dec, d, 4096);
	free(dec);
	/* a cycle of empty SGLs */
	h0 = g_alloc(&t, 256, 64);
	raw_sgl(&t, h0, h0, 0, b, l, 0);
	tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0x0a000000, h0, 100, o1, 8192);
	assert_int_equal(tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL), HZM_ST_SGL_ERR);
	assert_int_equal(hzm_iommu_fault_count(t.mmu), 0);
	tz_fini(&t);
	free(z);
	free(d);
}

static void
expect_fault(struct tz *t, struct tsqe *q, unsigned int dir, bool write, uint64_t iova)
{
	struct hzm_zip_result res;
	uint64_t before = hzm_iommu_fault_count(t->mmu);

	assert_int_equal(tz_exec(t, q, dir, &res), HZM_ST_AXI_ERR);
	assert_true(res.dma_fault);
	assert_int_equal(res.fault_on_write, write);
	assert_int_equal(res.fault_iova, iova);
	assert_int_equal(q->dw[0], 0);
	assert_int_equal(q->dw[1], 0);
	assert_true(hzm_iommu_fault_count(t->mmu) > before);
	assert_int_equal(hzm_iommu_last_fault(t->mmu), iova);
}

static void
test_sgl_faults(void **state)
{
	struct tz t;
	struct tz_sgl in, out;
	uint8_t *d = tz_data(30000, WD_TEST_DATA_TEXT, 4), *chk = malloc(30000);
	struct tsqe q;
	uint64_t page;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	tz_sgl_make(&t, &in, 30000, 6, 2, 1);   /* 3 SGLs of 2 entries */
	tz_sgl_make(&t, &out, 30000, 6, 2, 2);
	tz_sgl_put(&t, &in, 0, d, 30000);
	g_fill(&t, out.iova[0], 0xab, out.len[0]);

	/* the first SGL header of the input, then of the output */
	for (unsigned int side = 0; side < 2; side++) {
		uint64_t hdr = side == 0 ? in.hdr[0] : out.hdr[0];

		page = hdr & ~4095ull;
		tz_hole(&t, page, 4096);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0, in.sgl, 30000, out.sgl, 30000);
		expect_fault(&t, &q, HZM_SQC_COMPRESS, false, hdr);
		tz_unhole(&t, page, 4096);
	}
	/* an entry: the header's first 16 bytes readable, the entries not */
	{
		uint64_t h = g_alloc(&t, 8192, 4096) + 4096 - 64; /* header at the end of a page */
		uint64_t b = in.iova[0];
		uint32_t l = in.len[0];

		raw_sgl(&t, h, 0, 1, &b, &l, 1);
		tz_hole(&t, h + 64, 4096);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0, h, l, out.sgl, 30000);
		expect_fault(&t, &q, HZM_SQC_COMPRESS, false, h + 64);
		tz_unhole(&t, h + 64, 4096);
	}
	/* the next pointer leads to an unmapped SGL (input side) */
	{
		uint64_t h2 = g_alloc(&t, 4096, 4096), b = in.iova[0];
		uint32_t l = 1000;
		uint64_t h = raw_sgl(&t, g_alloc(&t, 256, 64), h2, 1, &b, &l, 1);

		tz_hole(&t, h2, 4096);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0, h, 2000, out.sgl, 30000);
		expect_fault(&t, &q, HZM_SQC_COMPRESS, false, h2);
		/* and on the output side, when the output reaches it */
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0, in.sgl, 30000, h, 30000);
		expect_fault(&t, &q, HZM_SQC_COMPRESS, false, h2);
		tz_unhole(&t, h2, 4096);
	}
	/* an entry buffer of the input (second entry): read fault */
	{
		uint64_t pb = g_alloc(&t, 4096, 4096);
		uint64_t bufs[2] = { in.iova[0], pb };
		uint32_t lens[2] = { in.len[0], 4096 };
		uint64_t h = raw_sgl(&t, g_alloc(&t, 256, 64), 0, 2, bufs, lens, 2);

		g_write(&t, pb, d, 4096);
		tz_hole(&t, pb, 4096);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0, h, in.len[0] + 4096, out.sgl, 30000);
		expect_fault(&t, &q, HZM_SQC_COMPRESS, false, pb);
		tz_unhole(&t, pb, 4096);
	}
	/* an entry buffer of the output (second entry): write fault, first entry untouched */
	{
		size_t zlen;
		uint8_t *z = tz_zlib_deflate(HZM_REQ_ZLIB, 6, 15, d, 30000, &zlen);
		uint64_t zb = g_alloc(&t, zlen, 64);
		uint32_t zl = (uint32_t)zlen - 2;
		uint64_t hz, b2 = g_alloc(&t, 32768, 4096);
		uint64_t bufs[2] = { out.iova[0], b2 };
		uint32_t lens[2] = { 100, 32768 };
		uint64_t h = raw_sgl(&t, g_alloc(&t, 256, 64), 0, 2, bufs, lens, 2);

		g_write(&t, zb, z, zlen);
		zb += 2;
		hz = raw_sgl(&t, g_alloc(&t, 256, 64), 0, 1, &zb, &zl, 1);
		g_fill(&t, out.iova[0], 0xab, 100);
		tz_hole(&t, b2, 32768);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0, in.sgl, 30000, h, 32868);
		expect_fault(&t, &q, HZM_SQC_COMPRESS, true, b2);
		g_read(&t, out.iova[0], chk, 100);
		for (unsigned int i = 0; i < 100; i++)
			assert_int_equal(chk[i], 0xab);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 0, 0, hz, zl, h, 32868);
		expect_fault(&t, &q, HZM_SQC_DECOMPRESS, true, b2);
		g_read(&t, out.iova[0], chk, 100);
		for (unsigned int i = 0; i < 100; i++)
			assert_int_equal(chk[i], 0xab);
		tz_unhole(&t, b2, 32768);
		free(z);
	}
	tz_sgl_free(&in);
	tz_sgl_free(&out);
	tz_fini(&t);
	free(d);
	free(chk);
}

/*
 * Lengths above 8 MiB with SGLs: section 10.3's limit is UADK's flat path;
 * its SGL path and the kernel's acomp pass the lengths through. An output
 * length larger than its list is bounded by the list, and a 9 MiB input
 * (nine entries on one 1 MiB buffer) is compressed whole. Flat buffers
 * keep the limit (test_limits in test_model_zip).
 */
static void
test_sgl_big_lengths(void **state)
{
	const uint32_t mib = 1u << 20;
	uint8_t *d = tz_data(mib, WD_TEST_DATA_TEXT, 21), *z = malloc(8 * mib), *dec;
	uint64_t iova[9], buf, obuf, in, out;
	uint32_t len[9];
	const uint8_t *hdr;
	unsigned int hl, st;
	size_t dec_len;
	struct tsqe q;
	struct tz t;

	(void)state;
	assert_non_null(z);
	hdr = tz_header(HZM_REQ_ZLIB, &hl);
	tz_init(&t, 16, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	buf = g_alloc(&t, mib, 64);
	obuf = g_alloc(&t, 8 * mib, 64);
	g_write(&t, buf, d, mib);

	/* 4 KiB in; a 64 KiB output list with dest_avail_out 16 MiB */
	iova[0] = buf;
	len[0] = 4096;
	in = tz_sgl_from(&t, iova, len, 1, 255);
	iova[0] = obuf;
	len[0] = 65536;
	out = tz_sgl_from(&t, iova, len, 1, 255);
	g_write(&t, obuf, hdr, hl);
	tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0x0a000000, in, 4096, out, 16 * mib);
	q.dw[8] = hl;
	st = tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL);
	assert_true(st == HZM_ST_OK || st == HZM_ST_NEGACOMPRESS);
	assert_int_equal(q.dw[0], 4096);
	assert_true(q.dw[1] <= 65536 - hl);
	g_read(&t, obuf, z, hl + q.dw[1]);
	assert_int_equal(tz_zlib_inflate(HZM_REQ_ZLIB, z, hl + q.dw[1], &dec, &dec_len), Z_OK);
	assert_int_equal(dec_len, 4096);
	assert_memory_equal(dec, d, 4096);
	free(dec);

	/* 9 MiB in, through nine entries on the same buffer */
	for (unsigned int i = 0; i < 9; i++) {
		iova[i] = buf;
		len[i] = mib;
	}
	in = tz_sgl_from(&t, iova, len, 9, 255);
	iova[0] = obuf;
	len[0] = 8 * mib;
	out = tz_sgl_from(&t, iova, len, 1, 255);
	g_write(&t, obuf, hdr, hl);
	tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_SGL, 4, 0x0a000000, in, 9 * mib, out, 8 * mib - hl);
	q.dw[8] = hl;
	assert_int_equal(tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
	assert_int_equal(q.dw[0], 9 * mib);
	g_read(&t, obuf, z, hl + q.dw[1]);
	assert_int_equal(tz_zlib_inflate(HZM_REQ_ZLIB, z, hl + q.dw[1], &dec, &dec_len), Z_OK);
	assert_int_equal(dec_len, 9 * (size_t)mib);
	for (unsigned int i = 0; i < 9; i++)
		assert_memory_equal(dec + (size_t)i * mib, d, mib);
	free(dec);

	/* the same input flat (one 9 MiB buffer) is refused: 0x02 */
	tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_FLAT, 4, 0x0a000000, buf, 9 * mib, obuf, 8 * mib);
	assert_int_equal(tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL), HZM_ST_LEN_ERR);
	tz_fini(&t);
	free(z);
	free(d);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sgl_entries),
		cmocka_unit_test(test_sgl_offsets),
		cmocka_unit_test(test_sgl_stream),
		cmocka_unit_test(test_sgl_malformed),
		cmocka_unit_test(test_sgl_empty),
		cmocka_unit_test(test_sgl_faults),
		cmocka_unit_test(test_sgl_big_lengths),
	};
	int rc;

	(void)argc;
	wd_test_eal_init(argv[0], 64);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	wd_test_eal_cleanup();
	return rc;
}
