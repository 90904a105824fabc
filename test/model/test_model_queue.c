/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance: queues, doorbells and requests through the whole device
 * (reference sections 3, 5, 6, 10-13): zlib and gzip requests both ways
 * checked with zlib, ring wrap and phase, the empty slot, the drain check
 * of 6.4, the doorbell rand check, status codes, IOMMU faults, stream
 * mode with the checksum encodings, SGL, execution gates, per-queue order
 * with several engine threads, the timing model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "refdrv.h"
#include "wd_test.h"

static uint64_t
iova(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static struct hzip_model_stats
stats(struct rd_dev *d)
{
	struct hzip_model_stats s;

	hzip_model_stats_get(d->m, &s);
	return s;
}

/* zlib helpers: wbits 15 = zlib, 31 = gzip */
static int
z_inflate(const uint8_t *in, size_t len, int wbits, uint8_t *out, size_t cap, size_t *out_len)
{
	z_stream s;
	int ret;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, wbits) != Z_OK)
		return -1;
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)len;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	ret = inflate(&s, Z_FINISH);
	*out_len = s.total_out;
	inflateEnd(&s);
	return ret == Z_STREAM_END && s.avail_in == 0 ? 0 : -1;
}

static size_t
z_deflate(const uint8_t *in, size_t len, int wbits, uint8_t *out, size_t cap)
{
	z_stream s;
	size_t n;

	memset(&s, 0, sizeof(s));
	if (deflateInit2(&s, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)len;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	if (deflate(&s, Z_FINISH) != Z_STREAM_END)
		n = 0;
	else
		n = s.total_out;
	deflateEnd(&s);
	return n;
}

static uint32_t
bitrev32(uint32_t v)
{
	uint32_t r = 0;

	for (int i = 0; i < 32; i++)
		if (v & (1u << i))
			r |= 1u << (31 - i);
	return r;
}

/* ---- requests both ways -------------------------------------------------------- */

static void
roundtrip(struct rd_dev *d, struct rd_queue *cq, struct rd_queue *dq, uint8_t req, size_t len,
	  enum wd_test_data kind)
{
	int wbits = req == RD_REQ_GZIP ? 31 : 15;
	size_t cap = len + len / 8 + 1024, n;
	uint8_t *src = rd_alloc(d, len ? len : 1, 64);
	uint8_t *dst = rd_alloc(d, cap, 64);
	uint8_t *chk = malloc(len + 1);
	uint8_t *zbuf = rd_alloc(d, cap, 64);
	uint32_t out_len, st;

	assert_non_null(src);
	assert_non_null(dst);
	wd_test_gen(src, len, kind, len + req);
	/* device compress -> zlib inflate */
	assert_int_equal(rd_compress(cq, req, src, (uint32_t)len, dst, (uint32_t)cap, &out_len,
				     &st), 0);
	assert_true(st == RD_ST_OK || st == RD_ST_NEGACOMPRESS);
	assert_int_equal(z_inflate(dst, out_len, wbits, chk, len + 1, &n), 0);
	assert_int_equal(n, len);
	assert_memory_equal(chk, src, len);
	/* zlib deflate -> device decompress: status 0x00 with the last-block bit */
	n = z_deflate(src, len, wbits, zbuf, cap);
	assert_true(n > 0);
	memset(dst, 0, cap);
	assert_int_equal(rd_decompress(dq, req, zbuf, (uint32_t)n, dst, (uint32_t)cap, &out_len,
				       &st), 0);
	assert_int_equal(st, RD_ST_OK | RD_DW3_LAST_BLOCK);
	assert_int_equal(out_len, len);
	assert_memory_equal(dst, src, len);
	/* device -> device */
	assert_int_equal(rd_compress(cq, req, src, (uint32_t)len, zbuf, (uint32_t)cap, &out_len,
				     &st), 0);
	assert_int_equal(rd_decompress(dq, req, zbuf, out_len, dst, (uint32_t)cap, &out_len,
				       &st), 0);
	assert_int_equal(st, RD_ST_OK | RD_DW3_LAST_BLOCK);
	assert_int_equal(out_len, len);
	assert_memory_equal(dst, src, len);
	free(chk);
	rd_free(d, src);
	rd_free(d, dst);
	rd_free(d, zbuf);
}

static void
test_zlib_gzip_each_way(void **state)
{
	static const size_t sizes[] = { 0, 1, 1000, 65536, 300000 };
	struct rd_dev d;
	struct rd_queue cq, dq;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 8, 0), 0);
	assert_int_equal(rd_queue_create(&d, &cq, 0, 64, 0, 0, false), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 1, 64, 1, 0, false), 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		roundtrip(&d, &cq, &dq, RD_REQ_ZLIB, sizes[i], WD_TEST_DATA_TEXT);
		roundtrip(&d, &cq, &dq, RD_REQ_GZIP, sizes[i], WD_TEST_DATA_MIXED);
	}
	assert_int_equal(stats(&d).driver_errors, 0);
	rd_close(&d);

	/* the store engine produces valid streams too */
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 8, 0), 0);
	assert_int_equal(rd_queue_create(&d, &cq, 0, 64, 0, 0, false), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 1, 64, 1, 0, false), 0);
	roundtrip(&d, &cq, &dq, RD_REQ_ZLIB, 100000, WD_TEST_DATA_TEXT);
	roundtrip(&d, &cq, &dq, RD_REQ_GZIP, 4096, WD_TEST_DATA_RANDOM);
	rd_close(&d);
}

static void
test_corpus(void **state)
{
	const char *dir = wd_test_corpus_dir();
	const char *const *files = wd_test_corpus_files();
	struct rd_dev d;
	struct rd_queue cq, dq;
	unsigned int done = 0;

	(void)state;
	if (dir == NULL) {
		print_message("corpus not found: corpus cases skipped\n");
		skip();
	}
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 8, 0), 0);
	assert_int_equal(rd_queue_create(&d, &cq, 0, 16, 0, 0, false), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 1, 16, 1, 0, false), 0);
	for (unsigned int i = 0; files[i] != NULL; i++) {
		char path[4200];
		size_t len, cap, n;
		uint8_t *data, *src, *dst, *chk;
		uint32_t out_len, st;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		data = wd_test_read_file(path, &len);
		if (data == NULL || len > (8u << 20) - 1024) {
			free(data);
			continue;
		}
		cap = len + len / 8 + 1024;
		src = rd_alloc(&d, len, 64);
		dst = rd_alloc(&d, cap, 64);
		chk = rd_alloc(&d, len + 1, 64);
		memcpy(src, data, len);
		assert_int_equal(rd_compress(&cq, RD_REQ_GZIP, src, (uint32_t)len, dst,
					     (uint32_t)cap, &out_len, &st), 0);
		assert_true(st == RD_ST_OK || st == RD_ST_NEGACOMPRESS);
		assert_int_equal(z_inflate(dst, out_len, 31, chk, len + 1, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(chk, data, len);
		assert_int_equal(rd_decompress(&dq, RD_REQ_GZIP, dst, out_len, chk,
					       (uint32_t)len + 1, &out_len, &st), 0);
		assert_int_equal(st, RD_ST_OK | RD_DW3_LAST_BLOCK);
		assert_int_equal(out_len, len);
		assert_memory_equal(chk, data, len);
		rd_free(&d, src);
		rd_free(&d, dst);
		rd_free(&d, chk);
		free(data);
		done++;
	}
	assert_true(done > 0);
	rd_close(&d);
}

/* ---- rings --------------------------------------------------------------------- */

static void
test_ring_wrap_phase(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *src, *dst, sqe[128];
	uint16_t slot, expect = 0;
	unsigned int sent = 0, got = 0, total = 8 * 3 + 5;

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &q, 3, 8, 0, 0, false), 0);
	src = rd_alloc(&d, 64 * total, 64);
	dst = rd_alloc(&d, 256 * total, 64);
	wd_test_gen(src, 64 * total, WD_TEST_DATA_TEXT, 7);
	/* one at a time, then full batches of depth - 1: completions in order, phase flips */
	while (got < total) {
		unsigned int batch = sent < 10 ? 1 : 7;

		for (unsigned int k = 0; k < batch && sent < total; k++, sent++) {
			bool ring = k + 1 == batch || sent + 1 == total;

			rd_sqe_flat(sqe, RD_REQ_ZLIB, src + 64 * sent, 64, dst + 256 * sent, 256,
				    0);
			rd_sqe_set_dw(sqe, 13, 0xabc00000u | sent);
			assert_int_equal(rd_submit(&q, sqe, ring), 0);
		}
		while (got < sent) {
			assert_int_equal(rd_poll(&q, sqe, &slot, 10000000), 1);
			assert_int_equal(slot, expect);
			expect = (uint16_t)((expect + 1) % 8);
			/* the tag comes back untouched; consumed = 64 */
			assert_int_equal(rd_sqe_dw(sqe, 13), 0xabc00000u | got);
			assert_int_equal(rd_sqe_dw(sqe, 0), 64);
			got++;
		}
	}
	assert_int_equal(rd_submit(&q, sqe, false), 0);
	assert_int_equal(rd_poll(&q, NULL, NULL, 50000), 0);	/* no doorbell: nothing */
	rd_ring(&q);
	assert_int_equal(rd_poll(&q, NULL, &slot, 10000000), 1);
	assert_int_equal(stats(&d).driver_errors, 0);
	assert_int_equal(stats(&d).requests, total + 1);
	rd_close(&d);
}

static void
set_master(struct rd_dev *d, bool on)
{
	uint16_t cmd = on ? 0x6 : 0x2;

	assert_int_equal(hzip_model_cfg_write(d->m, 4, &cmd, 2), 0);
}

static void
test_one_slot_empty(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *src, *dst, sqe[128];
	uint64_t e0;
	uint16_t slot;

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &q, 0, 4, 0, 0, false), 0);
	src = rd_alloc(&d, 64, 64);
	dst = rd_alloc(&d, 4 * 256, 64);
	/* bus mastering off: doorbells are accepted, nothing is fetched */
	set_master(&d, false);
	for (int i = 0; i < 3; i++) {
		rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 64, dst + 256 * i, 256, 0);
		assert_int_equal(rd_submit(&q, sqe, true), 0);
	}
	/* a 4th SQE in a ring of 4 would fill it: the doorbell is a driver error */
	e0 = stats(&d).driver_errors;
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 64, dst + 256 * 3, 256, 0);
	memcpy(q.sq + 3 * 128, sqe, 128);
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(0, RD_DB_SQ, 0, 0, 0));
	assert_int_equal(stats(&d).driver_errors, e0 + 1);
	assert_int_equal(rd_poll(&q, NULL, NULL, 20000), 0);
	set_master(&d, true);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rd_poll(&q, NULL, &slot, 10000000), 1);
		assert_int_equal(slot, i);
	}
	/* now the slot is free and the same doorbell is valid */
	q.sq_tail = 0;
	q.inflight = 1;
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(0, RD_DB_SQ, 0, 0, 0));
	assert_int_equal(rd_poll(&q, NULL, &slot, 10000000), 1);
	assert_int_equal(slot, 3);
	/* an index beyond the depth is an error too */
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(0, RD_DB_SQ, 0, 4, 0));
	assert_int_equal(stats(&d).driver_errors, e0 + 2);
	rd_close(&d);
}

static void
test_drain(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *src, *dst, sqe[128];

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &q, 1, 32, 0, 0, false), 0);
	src = rd_alloc(&d, 16384, 64);
	dst = rd_alloc(&d, 31 * 20000, 64);
	wd_test_gen(src, 16384, WD_TEST_DATA_TEXT, 3);
	/* 3 rounds of 31 requests: the tails wrap, the wrap bits must agree */
	for (int r = 0; r < 3; r++) {
		for (int i = 0; i < 31; i++) {
			rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 16384, dst + 20000 * i, 20000, 0);
			assert_int_equal(rd_submit(&q, sqe, i == 30), 0);
		}
		/* stop submitting, then the kernel's v2 drain check (6.4) */
		assert_int_equal(rd_drain(&q, 10000000), 0);
		for (int i = 0; i < 31; i++)
			assert_int_equal(rd_poll(&q, sqe, NULL, 1000000), 1);
	}
	rd_close(&d);
}

static void
test_rand_check(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *src, *dst, sqe[128];
	uint64_t e0;

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 4, RD_F_MSI), 0);
	/* OP-TEE style: rand 0x5a in SQC/CQC and in every doorbell [3] */
	assert_int_equal(rd_queue_create(&d, &q, 2, 16, 0, 0x5a, false), 0);
	src = rd_alloc(&d, 64, 64);
	dst = rd_alloc(&d, 256, 64);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 64, dst, 256, 0);
	assert_int_equal(rd_run(&q, sqe), 1);
	/* a doorbell with the wrong rand: dropped, abnormal bit 12 */
	e0 = stats(&d).driver_errors;
	memcpy(q.sq + 128 * q.sq_tail, sqe, 128);
	q.sq_tail++;
	q.inflight++;
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(2, RD_DB_SQ, 0, q.sq_tail, 0));
	assert_int_equal(stats(&d).driver_errors, e0 + 1);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & (1u << 12), 1u << 12);
	assert_int_equal(rd_rd32(&d, RD_ABN_STATUS) & (1u << 12), 1u << 12);
	{
		uint64_t v = 0;

		assert_int_equal(read(d.efd[3], &v, 8), 8);
		assert_true(v >= 1);
	}
	assert_int_equal(rd_poll(&q, NULL, NULL, 20000), 0);
	/* the right one goes through */
	rd_ring(&q);
	assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
	/* CQ doorbells are checked against the CQC rand as well */
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(2, RD_DB_CQ, 0x5b, q.cq_head, 0));
	assert_int_equal(stats(&d).driver_errors, e0 + 2);
	rd_close(&d);
}

static uint64_t
efd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;	/* nothing signalled (the eventfds are non-blocking) */
	return v;
}

/*
 * A doorbell for a queue outside the function's VFT [5.5] is ignored and
 * raises QM abnormal bit 9 "SQ VF invalid" (SQ doorbell) or bit 8 "CQ VF
 * invalid" (CQ doorbell) [8.1]; the kernel's v2 NFE mask (0x1c57) leaves
 * both masked, so they show in the source register without an MSI.
 */
static void
test_doorbell_outside_vft(void **state)
{
	const uint32_t sq_bit = 1u << 9, cq_bit = 1u << 8;
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *src, *dst, sqe[128];
	uint64_t e0, r0;

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 4, RD_F_MSI), 0);
	assert_int_equal(rd_queue_create(&d, &q, 3, 16, 0, 0, false), 0);
	efd_take(d.efd[3]);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & (sq_bit | cq_bit), 0);
	/* SQ doorbell, queue 4 of a 4-queue PF: bit 9, masked by the v2 NFE mask */
	e0 = stats(&d).driver_errors;
	r0 = stats(&d).requests;
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(4, RD_DB_SQ, 0, 1, 0));
	assert_int_equal(stats(&d).driver_errors, e0 + 1);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & (sq_bit | cq_bit), sq_bit);
	assert_int_equal(rd_rd32(&d, RD_ABN_STATUS) & (sq_bit | cq_bit), 0);
	assert_int_equal(efd_take(d.efd[3]), 0);
	/* CQ doorbell, largest queue number of the field: bit 8 */
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(0xfff, RD_DB_CQ, 0, 0, 1));
	assert_int_equal(stats(&d).driver_errors, e0 + 2);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & (sq_bit | cq_bit), sq_bit | cq_bit);
	/* write 1 to clear, unmask both: the next one signals MSI vector 3 */
	rd_wr32(&d, RD_ABN_SOURCE, sq_bit | cq_bit);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & (sq_bit | cq_bit), 0);
	rd_wr32(&d, RD_ABN_MASK, rd_rd32(&d, RD_ABN_MASK) & ~(sq_bit | cq_bit));
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(200, RD_DB_CQ, 0, 0, 0));
	assert_int_equal(rd_rd32(&d, RD_ABN_STATUS) & (sq_bit | cq_bit), cq_bit);
	assert_true(efd_take(d.efd[3]) >= 1);
	rd_wr32(&d, RD_ABN_SOURCE, cq_bit);
	/* inside the VFT but never configured, or a bad command: errors, no VF-invalid bit */
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(1, RD_DB_SQ, 0, 1, 0));
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(9, RD_DB_EQ, 0, 0, 0));
	assert_int_equal(stats(&d).driver_errors, e0 + 5);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & (sq_bit | cq_bit), 0);
	assert_int_equal(efd_take(d.efd[3]), 0);
	/* nothing ran; the configured queue still works */
	assert_int_equal(stats(&d).requests, r0);
	src = rd_alloc(&d, 64, 64);
	dst = rd_alloc(&d, 256, 64);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 64, dst, 256, 0);
	assert_int_equal(rd_run(&q, sqe), 1);
	assert_int_equal(rd_sqe_status(sqe), RD_ST_OK);
	assert_int_equal(stats(&d).driver_errors, e0 + 5);
	rd_close(&d);

	/* a VF has no abnormal registers: counted and logged only (its PF would see it) */
	assert_int_equal(rd_open(&d, "vf=1,queues=2,engine=store"), 0);
	assert_int_equal(rd_vf_init(&d, 0), 0);
	e0 = stats(&d).driver_errors;
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(2, RD_DB_SQ, 0, 1, 0));
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(2, RD_DB_CQ, 0, 0, 0));
	assert_int_equal(stats(&d).driver_errors, e0 + 2);
	rd_close(&d);
}

/* ---- status codes and faults ---------------------------------------------------------- */

static void
test_status_codes(void **state)
{
	struct rd_dev d;
	struct rd_queue cq, dq;
	uint8_t *src, *dst, *z, sqe[128];
	size_t n;
	uint32_t out_len, st;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &cq, 0, 16, 0, 0, false), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 1, 16, 1, 0, false), 0);
	src = rd_alloc(&d, 65536, 64);
	dst = rd_alloc(&d, 80000, 64);
	z = rd_alloc(&d, 80000, 64);
	/* 0x00 */
	wd_test_gen(src, 65536, WD_TEST_DATA_TEXT, 11);
	assert_int_equal(rd_compress(&cq, RD_REQ_ZLIB, src, 65536, dst, 80000, &out_len, &st), 0);
	assert_int_equal(st, RD_ST_OK);
	/* 0x0d: incompressible input, output still valid */
	wd_test_gen(src, 65536, WD_TEST_DATA_RANDOM, 11);
	assert_int_equal(rd_compress(&cq, RD_REQ_ZLIB, src, 65536, dst, 80000, &out_len, &st), 0);
	assert_int_equal(st, RD_ST_NEGACOMPRESS);
	assert_int_equal(z_inflate(dst, out_len, 15, z, 80000, &n), 0);
	assert_int_equal(n, 65536);
	/* 0x0e: output too small */
	wd_test_gen(src, 65536, WD_TEST_DATA_TEXT, 11);
	assert_int_equal(rd_compress(&cq, RD_REQ_ZLIB, src, 65536, dst, 300, &out_len, &st), 0);
	assert_int_equal(st, RD_ST_DSTLEN_OUT);
	/* stateless: 0x00 + last-block bit at the end of the stream (stateless_end) */
	n = z_deflate(src, 65536, 15, z, 80000);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, z + 2, (uint32_t)n - 2, dst, 80000, 0);
	assert_int_equal(rd_run(&dq, sqe), 1);
	assert_int_equal(rd_sqe_dw(sqe, 3), RD_ST_OK | RD_DW3_LAST_BLOCK);
	/* 0x10: trailer mismatch */
	z[n - 1] ^= 0x55;
	rd_sqe_flat(sqe, RD_REQ_ZLIB, z + 2, (uint32_t)n - 2, dst, 80000, 0);
	assert_int_equal(rd_run(&dq, sqe), 1);
	assert_int_equal(rd_sqe_status(sqe), RD_ST_CRC_ERR);
	/* gzip trailer (CRC32 + ISIZE) */
	n = z_deflate(src, 1000, 31, z, 80000);
	z[n - 5] ^= 1;
	rd_sqe_flat(sqe, RD_REQ_GZIP, z + 10, (uint32_t)n - 10, dst, 80000, 0);
	assert_int_equal(rd_run(&dq, sqe), 1);
	assert_int_equal(rd_sqe_status(sqe), RD_ST_CRC_ERR);
	/* corrupt deflate data: an error status (not a success code) */
	memset(z, 0xff, 64);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, z, 64, dst, 80000, 0);
	assert_int_equal(rd_run(&dq, sqe), 1);
	st = rd_sqe_status(sqe);
	assert_true(st != RD_ST_OK && st != RD_ST_NEGACOMPRESS && st != RD_ST_DECOMP_END);
	/* v2 has zlib and gzip only: raw deflate (0x01) and lz77 (0x43) are errors */
	rd_sqe_flat(sqe, 0x01, src, 100, dst, 80000, 0);
	assert_int_equal(rd_run(&cq, sqe), 1);
	st = rd_sqe_status(sqe);
	assert_true(st != RD_ST_OK && st != RD_ST_NEGACOMPRESS && st != RD_ST_DECOMP_END);
	rd_sqe_flat(sqe, 0x43, src, 100, dst, 80000, 0);
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_true(rd_sqe_status(sqe) != RD_ST_OK);
	/* the queue keeps working after errors */
	assert_int_equal(rd_compress(&cq, RD_REQ_GZIP, src, 1000, dst, 80000, &out_len, &st), 0);
	assert_int_equal(st, RD_ST_OK);
	rd_close(&d);
}

static void
test_iommu_faults(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *src, *dst, *bad, sqe[128];
	uint32_t ent, st;
	uint64_t f0;

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 4, RD_F_EVENTS | RD_F_MSI), 0);
	assert_int_equal(rd_queue_create(&d, &q, 2, 16, 0, 0, false), 0);
	src = rd_alloc(&d, 4096, 64);
	dst = rd_alloc(&d, 8192, 64);
	bad = rd_alloc_unmapped(&d, 8192, 64);
	memset(bad, 0xa5, 8192);
	wd_test_gen(src, 4096, WD_TEST_DATA_TEXT, 5);
	f0 = stats(&d).iommu_faults;
	/* destination outside the mappings: error status, memory untouched */
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 4096, bad, 8192, 0);
	assert_int_equal(rd_run(&q, sqe), 1);
	st = rd_sqe_status(sqe);
	assert_true(st != RD_ST_OK && st != RD_ST_NEGACOMPRESS);
	for (int i = 0; i < 8192; i++)
		assert_int_equal(bad[i], 0xa5);
	assert_true(stats(&d).iommu_faults > f0);
	/* AXI write error: QM bit 1, ZIP core bit 3; AEQE "CQE error" for the queue */
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & 2, 2);
	assert_int_equal(rd_rd32(&d, RD_ZIP_CORE_SOURCE) & 8, 8);
	assert_int_equal(rd_aeq_poll(&d, &ent), 1);
	assert_int_equal(ent & 0xffff, 2);
	assert_int_equal((ent >> 17) & 7, 2);
	rd_wr32(&d, RD_ABN_SOURCE, 0x7fff);
	rd_wr32(&d, RD_ZIP_CORE_SOURCE, 0x1fff);
	/* source outside: AXI read error, QM bit 0, ZIP core bit 2 */
	rd_sqe_flat(sqe, RD_REQ_ZLIB, bad, 4096, dst, 8192, 0);
	assert_int_equal(rd_run(&q, sqe), 1);
	assert_true(rd_sqe_status(sqe) != RD_ST_OK);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & 1, 1);
	assert_int_equal(rd_rd32(&d, RD_ZIP_CORE_SOURCE) & 4, 4);
	assert_int_equal(rd_aeq_poll(&d, &ent), 1);
	/* the queue still works */
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 4096, dst, 8192, 0);
	assert_int_equal(rd_run(&q, sqe), 1);
	assert_int_equal(rd_sqe_status(sqe), RD_ST_OK);
	/* an unmapped SQ ring: the SQE fetch faults, the queue stops */
	{
		struct rd_queue q2;

		assert_int_equal(rd_queue_create(&d, &q2, 3, 8, 0, 0, false), 0);
		rd_free(&d, q2.sq);
		q2.sq = rd_alloc_unmapped(&d, 8 * 128, 128);
		rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 64, dst, 8192, 0);
		assert_int_equal(rd_submit(&q2, sqe, true), 0);
		assert_int_equal(rd_poll(&q2, NULL, NULL, 100000), 0);
		assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & 1, 1);
	}
	rd_close(&d);
}

static bool
is_error(uint32_t st)
{
	return st != RD_ST_OK && st != RD_ST_NEGACOMPRESS && st != RD_ST_DECOMP_END;
}

/* Limits of 10.3 and malformed requests: error statuses, never a hang or a crash. */
static void
test_error_statuses(void **state)
{
	struct rd_dev d;
	struct rd_queue cq, dq;
	uint8_t *src, *dst, *z, *big, *hdr, sqe[128];
	size_t n;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &cq, 0, 16, 0, 0, false), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 1, 16, 1, 0, false), 0);
	src = rd_alloc(&d, 65536, 64);
	dst = rd_alloc(&d, 80000, 64);
	z = rd_alloc(&d, 80000, 64);
	wd_test_gen(src, 65536, WD_TEST_DATA_TEXT, 4);
	/* input above 8 MiB */
	big = rd_alloc(&d, (8u << 20) + 4096, 4096);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, big, (8u << 20) + 1, dst, 80000, 0);
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_true(is_error(rd_sqe_status(sqe)));
	assert_int_equal(rd_sqe_dw(sqe, 1), 0);
	/* dest_avail_out above 8 MiB */
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 100, big, (8u << 20) + 1, 0);
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_true(is_error(rd_sqe_status(sqe)));
	/* exactly 8 MiB in and out is accepted */
	memset(big, 'x', 8u << 20);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, big, 8u << 20, z, 80000, 0);
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_int_equal(rd_sqe_status(sqe), RD_ST_OK);
	assert_int_equal(rd_sqe_dw(sqe, 0), 8u << 20);
	/* compression window code above 4 (32 KiB) */
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 1000, dst, 80000, 0);
	rd_sqe_set_dw(sqe, 9, RD_REQ_ZLIB | (5u << 12));
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_true(is_error(rd_sqe_status(sqe)));
	/* ... while decompression ignores the field [17.2] */
	n = z_deflate(src, 1000, 15, z, 80000);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, z + 2, (uint32_t)n - 2, dst, 80000, 0);
	rd_sqe_set_dw(sqe, 9, RD_REQ_ZLIB | (0xfu << 12));
	assert_int_equal(rd_run(&dq, sqe), 1);
	assert_int_equal(rd_sqe_dw(sqe, 3), RD_ST_OK | RD_DW3_LAST_BLOCK);
	/* stateless decompression of a truncated stream */
	n = z_deflate(src, 65536, 15, z, 80000);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, z + 2, (uint32_t)n / 2, dst, 80000, 0);
	assert_int_equal(rd_run(&dq, sqe), 1);
	assert_true(is_error(rd_sqe_status(sqe)));
	/* an SGL with data but no entries */
	hdr = rd_alloc(&d, 64, 64);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, hdr, 1000, dst, 80000, 0);
	rd_sqe_set_dw(sqe, 9, RD_REQ_ZLIB | (1u << 8));
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_true(is_error(rd_sqe_status(sqe)));
	/* buffer type 2 does not exist; SQE type 3 is the v3 layout */
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 1000, dst, 80000, 0);
	rd_sqe_set_dw(sqe, 9, RD_REQ_ZLIB | (2u << 8));
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_true(is_error(rd_sqe_status(sqe)));
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 1000, dst, 80000, 3u << 28);
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_true(is_error(rd_sqe_status(sqe)));
	/* stream request whose context buffer is not mapped */
	{
		uint8_t *ctx = rd_alloc_unmapped(&d, 65536, 64);
		uint64_t c = iova(ctx) + 64;

		rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 1000, dst, 80000, RD_DW7_STATEFUL | RD_DW7_NEW);
		rd_sqe_set_dw(sqe, 22, (uint32_t)c);
		rd_sqe_set_dw(sqe, 23, (uint32_t)(c >> 32));
		assert_int_equal(rd_run(&cq, sqe), 1);
		assert_true(is_error(rd_sqe_status(sqe)));
	}
	/* dest_avail_out below 0x10: the hardware ignores the request [10.3]; it completes */
	memset(dst, 0x5c, 16);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 1000, dst, 8, 0);
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_int_equal(rd_sqe_dw(sqe, 1), 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(dst[i], 0x5c);
	/* zero-length stateless compression: a valid empty stream */
	rd_sqe_flat(sqe, RD_REQ_GZIP, src, 0, dst + 10, 1000, 0);
	memcpy(dst, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_int_equal(rd_sqe_status(sqe), RD_ST_OK);
	{
		size_t got = 1;

		assert_int_equal(z_inflate(dst, rd_sqe_dw(sqe, 1) + 10, 31, z, 100, &got), 0);
		assert_int_equal(got, 0);
	}
	/* the queues keep working */
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 1000, dst, 80000, 0);
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_int_equal(rd_sqe_status(sqe), RD_ST_OK);
	rd_close(&d);
}

/* ---- stream mode [12], [17.1] ----------------------------------------------------------- */

struct stream {
	uint8_t *ctx;		/* 64 KiB context buffer; the device gets ctx + 64 */
	uint32_t dw15, dw28, dw29, dw30, dw31;
};

static void
stream_sqe(uint8_t *sqe, const struct stream *s, uint8_t req, const void *in, uint32_t len,
	   void *out, uint32_t avail, uint32_t dw7)
{
	uint64_t c = iova(s->ctx) + 64;

	rd_sqe_flat(sqe, req, in, len, out, avail, dw7);
	rd_sqe_set_dw(sqe, 15, s->dw15);
	rd_sqe_set_dw(sqe, 22, (uint32_t)c);
	rd_sqe_set_dw(sqe, 23, (uint32_t)(c >> 32));
	rd_sqe_set_dw(sqe, 28, s->dw28);
	rd_sqe_set_dw(sqe, 29, s->dw29);
	rd_sqe_set_dw(sqe, 30, s->dw30);
	rd_sqe_set_dw(sqe, 31, s->dw31);
}

static void
stream_chain(struct stream *s, const uint8_t *sqe)
{
	s->dw15 = rd_sqe_dw(sqe, 15);
	s->dw28 = rd_sqe_dw(sqe, 28);
	s->dw29 = rd_sqe_dw(sqe, 29);
	s->dw30 = rd_sqe_dw(sqe, 30);
	s->dw31 = rd_sqe_dw(sqe, 31);
}

static void
stream_compress(struct rd_dev *d, struct rd_queue *q, uint8_t req, bool driver_trailer)
{
	const uint32_t total = 200000, chunk = 7000;
	uint32_t hl = req == RD_REQ_GZIP ? 10 : 2, out = 0, off = 0;
	uint8_t *src = rd_alloc(d, total, 64), *dst = rd_alloc(d, total * 2, 64);
	uint8_t *chk = malloc(total + 1), sqe[128];
	struct stream s = { .ctx = rd_alloc(d, 65536, 64) };
	uLong adler = adler32(0, NULL, 0), crc = crc32(0, NULL, 0);
	bool first = true;
	size_t n;

	wd_test_gen(src, total, WD_TEST_DATA_MIXED, req);
	/* stale values from an earlier stream: must be ignored when "new" is set [O] */
	s.dw15 = 0x12345;
	s.dw28 = 0xdead;
	s.dw29 = 0xbeef;
	s.dw30 = 777;
	s.dw31 = 0xcafebabe;
	if (req == RD_REQ_GZIP)
		memcpy(dst, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
	else
		memcpy(dst, "\x78\x9c", 2);
	out = hl;
	while (off < total) {
		uint32_t len = total - off < chunk ? total - off : chunk;
		bool last = off + len == total && !driver_trailer;
		uint32_t dw7 = RD_DW7_STATEFUL | (first ? RD_DW7_NEW : 0) |
			       (last ? RD_DW7_FINISH : 0);

		stream_sqe(sqe, &s, req, src + off, len, dst + out, total * 2 - out, dw7);
		assert_int_equal(rd_run(q, sqe), 1);
		assert_int_equal(rd_sqe_status(sqe), RD_ST_OK);
		assert_int_equal(rd_sqe_dw(sqe, 0), len);
		out += rd_sqe_dw(sqe, 1);
		off += len;
		stream_chain(&s, sqe);
		adler = adler32(adler, src + off - len, len);
		crc = crc32(crc, src + off - len, len);
		/* running checksum encodings of 17.1 */
		if (req == RD_REQ_ZLIB)
			assert_int_equal(s.dw31, (uint32_t)adler);
		else
			assert_int_equal(s.dw31, bitrev32(~(uint32_t)crc));
		assert_int_equal(s.dw30, off);
		first = false;
	}
	if (driver_trailer) {
		/* the empty final request: the driver writes the final block and trailer [12] */
		memcpy(dst + out, "\x01\x00\x00\xff\xff", 5);
		out += 5;
		if (req == RD_REQ_ZLIB) {
			uint32_t a = s.dw31;

			dst[out++] = (uint8_t)(a >> 24);
			dst[out++] = (uint8_t)(a >> 16);
			dst[out++] = (uint8_t)(a >> 8);
			dst[out++] = (uint8_t)a;
		} else {
			uint32_t c = ~bitrev32(s.dw31), isz = s.dw30;

			memcpy(dst + out, &c, 4);
			memcpy(dst + out + 4, &isz, 4);
			out += 8;
		}
	}
	assert_int_equal(z_inflate(dst, out, req == RD_REQ_GZIP ? 31 : 15, chk, total + 1, &n), 0);
	assert_int_equal(n, total);
	assert_memory_equal(chk, src, total);
	free(chk);
	rd_free(d, src);
	rd_free(d, dst);
	rd_free(d, s.ctx);
}

static void
stream_decompress(struct rd_dev *d, struct rd_queue *q, uint8_t req)
{
	const uint32_t total = 150000;
	uint32_t hl = req == RD_REQ_GZIP ? 10 : 2, off, out = 0, zlen, chunk = 3000;
	uint8_t *src = rd_alloc(d, total, 64), *z = rd_alloc(d, total * 2, 64);
	uint8_t *dst = rd_alloc(d, total + 64, 64), sqe[128];
	struct stream s = { .ctx = rd_alloc(d, 65536, 64) };
	bool first = true, end = false;
	unsigned int reqs = 0;

	wd_test_gen(src, total, WD_TEST_DATA_TEXT, 99);
	zlen = (uint32_t)z_deflate(src, total, req == RD_REQ_GZIP ? 31 : 15, z, total * 2);
	off = hl;
	/* input in small chunks and output in 16 KiB pieces */
	while (!end) {
		uint32_t len = zlen - off < chunk ? zlen - off : chunk;
		uint32_t avail = total + 64 - out < 16384 ? total + 64 - out : 16384;
		uint32_t dw7 = RD_DW7_STATEFUL | (first ? RD_DW7_NEW : 0);

		stream_sqe(sqe, &s, req, z + off, len, dst + out, avail, dw7);
		assert_int_equal(rd_run(q, sqe), 1);
		assert_true(rd_sqe_status(sqe) == RD_ST_OK ||
			    rd_sqe_status(sqe) == RD_ST_DECOMP_END);
		off += rd_sqe_dw(sqe, 0);
		out += rd_sqe_dw(sqe, 1);
		stream_chain(&s, sqe);
		end = rd_sqe_status(sqe) == RD_ST_DECOMP_END && (rd_sqe_dw(sqe, 3) & 0x100);
		first = false;
		assert_true(++reqs < 10000);
	}
	assert_int_equal(off, zlen);
	assert_int_equal(out, total);
	assert_memory_equal(dst, src, total);
	rd_free(d, src);
	rd_free(d, z);
	rd_free(d, dst);
	rd_free(d, s.ctx);
}

static void
test_stream_mode(void **state)
{
	struct rd_dev d;
	struct rd_queue cq, dq;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &cq, 0, 16, 0, 0, false), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 1, 16, 1, 0, false), 0);
	stream_compress(&d, &cq, RD_REQ_ZLIB, false);
	stream_compress(&d, &cq, RD_REQ_GZIP, false);
	stream_compress(&d, &cq, RD_REQ_ZLIB, true);
	stream_compress(&d, &cq, RD_REQ_GZIP, true);
	stream_decompress(&d, &dq, RD_REQ_ZLIB);
	stream_decompress(&d, &dq, RD_REQ_GZIP);
	assert_int_equal(stats(&d).driver_errors, 0);
	rd_close(&d);
}

/* ---- SGL [13] ------------------------------------------------------------------------- */

/* Build a chain of SGLs over @p n pieces of @p buf (each SGL holds @p per entries). */
static uint8_t *
make_sgl(struct rd_dev *d, uint8_t *buf, size_t len, unsigned int n, unsigned int per)
{
	unsigned int nsgl = (n + per - 1) / per;
	uint8_t *first = NULL, *prev = NULL;
	size_t piece = len / n, off = 0;

	for (unsigned int s = 0; s < nsgl; s++) {
		unsigned int cnt = n - s * per < per ? n - s * per : per;
		uint8_t *h = rd_alloc(d, 64 + 32 * per, 64);
		uint16_t v;

		v = (uint16_t)(per * nsgl);
		memcpy(h + 8, &v, 2);		/* entry_sum_in_chain */
		v = (uint16_t)cnt;
		memcpy(h + 10, &v, 2);		/* entry_sum_in_sgl */
		v = (uint16_t)per;
		memcpy(h + 12, &v, 2);		/* entry_length_in_sgl */
		for (unsigned int i = 0; i < cnt; i++) {
			uint8_t *e = h + 64 + 32 * i;
			uint64_t a = iova(buf + off);
			uint32_t l = (uint32_t)(s * per + i + 1 == n ? len - off : piece);

			memcpy(e, &a, 8);
			memcpy(e + 16, &l, 4);
			off += l;
		}
		if (prev != NULL) {
			uint64_t a = iova(h);

			memcpy(prev, &a, 8);	/* next */
		} else {
			first = h;
		}
		prev = h;
	}
	return first;
}

static void
test_sgl(void **state)
{
	const size_t len = 100000, cap = 120000;
	struct rd_dev d;
	struct rd_queue cq, dq;
	uint8_t *src, *dst, *out, *sgl_in, *sgl_out, sqe[128];
	size_t n;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &cq, 0, 16, 0, 0, false), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 1, 16, 1, 0, false), 0);
	src = rd_alloc(&d, len, 64);
	dst = rd_alloc(&d, cap, 64);
	out = rd_alloc(&d, len, 64);
	wd_test_gen(src, len, WD_TEST_DATA_TEXT, 21);
	/* compress: input in 7 entries (one SGL), output in 40 entries over 3 SGLs */
	sgl_in = make_sgl(&d, src, len, 7, 255);
	sgl_out = make_sgl(&d, dst, cap, 40, 16);
	memcpy(dst, "\x78\x9c", 2);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, sgl_in, (uint32_t)len, sgl_out, (uint32_t)cap - 2, 0);
	rd_sqe_set_dw(sqe, 9, RD_REQ_ZLIB | (1u << 8));	/* buffer type 1: SGL */
	rd_sqe_set_dw(sqe, 8, 2);			/* skip the header in the output */
	assert_int_equal(rd_run(&cq, sqe), 1);
	assert_int_equal(rd_sqe_status(sqe), RD_ST_OK);
	n = rd_sqe_dw(sqe, 1) + 2;
	{
		size_t got;
		uint8_t *chk = malloc(len + 1);

		assert_int_equal(z_inflate(dst, n, 15, chk, len + 1, &got), 0);
		assert_int_equal(got, len);
		assert_memory_equal(chk, src, len);
		free(chk);
	}
	/* decompress from an SGL with the header skipped by dw7[23:0] */
	sgl_in = make_sgl(&d, dst, n, 5, 255);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, sgl_in, (uint32_t)n - 2, out, (uint32_t)len, 2);
	rd_sqe_set_dw(sqe, 9, RD_REQ_ZLIB | (1u << 8));
	sgl_out = make_sgl(&d, out, len, 3, 255);
	rd_sqe_set_dw(sqe, 20, (uint32_t)iova(sgl_out));
	rd_sqe_set_dw(sqe, 21, (uint32_t)(iova(sgl_out) >> 32));
	assert_int_equal(rd_run(&dq, sqe), 1);
	assert_int_equal(rd_sqe_dw(sqe, 3), RD_ST_OK | RD_DW3_LAST_BLOCK);
	assert_int_equal(rd_sqe_dw(sqe, 1), len);
	assert_memory_equal(out, src, len);
	/* a misaligned SGL header is rejected with an error status */
	rd_sqe_flat(sqe, RD_REQ_ZLIB, sgl_in + 8, (uint32_t)n - 2, out, (uint32_t)len, 2);
	rd_sqe_set_dw(sqe, 9, RD_REQ_ZLIB | (1u << 8));
	assert_int_equal(rd_run(&dq, sqe), 1);
	assert_true(is_error(rd_sqe_status(sqe)));
	rd_close(&d);
}

/* ---- gates, order, DFX, timing --------------------------------------------------------- */

static void
test_gates(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *src, *dst, sqe[128];

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &q, 0, 16, 0, 0, false), 0);
	src = rd_alloc(&d, 64, 64);
	dst = rd_alloc(&d, 256, 64);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 64, dst, 256, 0);
	/* no compression core enabled: requests wait until one is */
	rd_wr32(&d, RD_ZIP_CLOCK_GATE, 0x100fc);
	assert_int_equal(rd_submit(&q, sqe, true), 0);
	assert_int_equal(rd_poll(&q, NULL, NULL, 30000), 0);
	rd_wr32(&d, RD_ZIP_CLOCK_GATE, 0x100ff);
	assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
	/* AXI master shut down (0x300000 bit0): nothing runs until it is reopened */
	rd_wr32(&d, RD_MASTER_GLOBAL_CTRL, 1);
	assert_int_equal(rd_submit(&q, sqe, true), 0);
	assert_int_equal(rd_poll(&q, NULL, NULL, 30000), 0);
	assert_int_equal(rd_rd32(&d, RD_MASTER_TRANS_RETURN), 3);
	rd_wr32(&d, RD_MASTER_GLOBAL_CTRL, 0);
	assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
	/* bus mastering off: same */
	set_master(&d, false);
	assert_int_equal(rd_submit(&q, sqe, true), 0);
	assert_int_equal(rd_poll(&q, NULL, NULL, 30000), 0);
	set_master(&d, true);
	assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
	rd_close(&d);
}

static void
test_order_many_queues(void **state)
{
	enum { NQ = 6, PER = 200 };
	struct rd_dev d;
	struct rd_queue q[NQ];
	uint8_t *src, *dst, sqe[128];
	unsigned int sent[NQ] = { 0 }, got[NQ] = { 0 }, left = NQ * PER;

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store,engines=3"), 0);
	assert_int_equal(rd_pf_init(&d, 16, 0), 0);
	for (int i = 0; i < NQ; i++)
		assert_int_equal(rd_queue_create(&d, &q[i], (uint16_t)(i * 2 + 1), 32, 0, 0,
						  false), 0);
	src = rd_alloc(&d, 8192, 64);
	dst = rd_alloc(&d, NQ * 32 * 8400, 64);
	wd_test_gen(src, 8192, WD_TEST_DATA_MIXED, 1);
	while (left > 0) {
		for (int i = 0; i < NQ; i++) {
			while (sent[i] < PER && q[i].inflight < 31u) {
				uint32_t len = 64 + (sent[i] * 37) % 8000;

				rd_sqe_flat(sqe, RD_REQ_GZIP, src, len,
					    dst + ((size_t)i * 32 + q[i].sq_tail) * 8400, 8400, 0);
				rd_sqe_set_dw(sqe, 13, (uint32_t)(i << 16) | sent[i]);
				assert_int_equal(rd_submit(&q[i], sqe, false), 0);
				sent[i]++;
			}
			rd_ring(&q[i]);
			while (rd_poll(&q[i], sqe, NULL, 0) == 1) {
				/* per-queue order: tags come back in submission order */
				assert_int_equal(rd_sqe_dw(sqe, 13), (uint32_t)(i << 16) | got[i]);
				assert_int_equal(rd_sqe_dw(sqe, 0), 64 + (got[i] * 37) % 8000);
				got[i]++;
				left--;
			}
		}
	}
	assert_int_equal(stats(&d).requests, NQ * PER);
	assert_int_equal(stats(&d).driver_errors, 0);
	rd_close(&d);
}

static void
test_core_dfx(void **state)
{
	struct rd_dev d;
	struct rd_queue cq, dq;
	uint8_t *src, *dst;
	uint32_t out_len, st, comp = 0, decomp = 0;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &cq, 0, 16, 0, 0, false), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 1, 16, 1, 0, false), 0);
	src = rd_alloc(&d, 4096, 64);
	dst = rd_alloc(&d, 8192, 64);
	wd_test_gen(src, 4096, WD_TEST_DATA_TEXT, 2);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rd_compress(&cq, RD_REQ_ZLIB, src, 4096, dst, 8192, &out_len, &st),
				 0);
	assert_int_equal(rd_decompress(&dq, RD_REQ_ZLIB, dst, out_len, src, 4096, &out_len, &st),
			 0);
	/* compress cores at 0x302000/0x303000, decompress cores 0x304000.. [9.1] */
	for (int c = 0; c < 2; c++)
		comp += rd_rd32(&d, 0x302000 + 0x1000 * c + 0x0c);
	for (int c = 0; c < 6; c++)
		decomp += rd_rd32(&d, 0x304000 + 0x1000 * c + 0x0c);
	assert_int_equal(comp, 4);
	assert_int_equal(decomp, 1);
	assert_int_equal(rd_rd32(&d, 0x302000 + 0x38) + rd_rd32(&d, 0x303000 + 0x38), 4 * 4096);
	/* QM counters: SQEs of queue 0 (selected with 0x104030 = qn << 16) */
	rd_wr32(&d, 0x104030, 0);
	assert_int_equal(rd_rd32(&d, 0x104038), 4);
	rd_wr32(&d, 0x104030, 1u << 16);
	assert_int_equal(rd_rd32(&d, 0x104038), 1);
	rd_close(&d);
}

static void
test_timing_model(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *src, *dst, sqe[128];

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store,timing=1,lat_us=200,gbps=1"), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &q, 0, 64, 0, 0, false), 0);
	src = rd_alloc(&d, 8192, 64);
	dst = rd_alloc(&d, 63 * 9000, 64);
	wd_test_gen(src, 8192, WD_TEST_DATA_TEXT, 2);
	for (int i = 0; i < 63; i++) {
		rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 8192, dst + 9000 * i, 9000, 0);
		rd_sqe_set_dw(sqe, 13, (uint32_t)i);
		assert_int_equal(rd_submit(&q, sqe, i == 62), 0);
	}
	for (int i = 0; i < 63; i++) {
		assert_int_equal(rd_poll(&q, sqe, NULL, 10000000), 1);
		assert_int_equal(rd_sqe_dw(sqe, 13), (uint32_t)i);
	}
	rd_close(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zlib_gzip_each_way),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_ring_wrap_phase),
		cmocka_unit_test(test_one_slot_empty),
		cmocka_unit_test(test_drain),
		cmocka_unit_test(test_rand_check),
		cmocka_unit_test(test_doorbell_outside_vft),
		cmocka_unit_test(test_status_codes),
		cmocka_unit_test(test_error_statuses),
		cmocka_unit_test(test_iommu_faults),
		cmocka_unit_test(test_stream_mode),
		cmocka_unit_test(test_sgl),
		cmocka_unit_test(test_gates),
		cmocka_unit_test(test_order_many_queues),
		cmocka_unit_test(test_core_dfx),
		cmocka_unit_test(test_timing_model),
	};

	return cmocka_run_group_tests_name("model_queue", tests, NULL, NULL);
}
