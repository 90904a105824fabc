/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance: the Linux kernel's way of using the device, next to UADK's
 * (reference sections 5, 6, 10, 11, 13; 17 for UADK), through the
 * reference driver (registers and memory only):
 *  - the kernel's SQC/CQC values (w13 orders = 1, cq_num = queue, c_flag =
 *    1) and its completion flow: EQ interrupt, one CQ doorbell with
 *    priority 0 per CQE, then one with priority 1 ("set c_flag");
 *  - the kernel acomp request (drivers/crypto/hisilicon/zip/zip_crypto.c):
 *    stateless, hardware SGLs for both buffers, dw7[23:0] = source skip
 *    (the header on decompression), dw8[23:0] = destination skip (the
 *    header the driver wrote on compression), dw7 otherwise 0, and its
 *    status check: anything but 0x00 and 0x0d is an error (-EIO);
 *  - the SGL header conventions of the kernel (one SGL, entry_sum_in_chain
 *    = capacity, default 10 entries), UADK (255 x SGLs) and the legacy
 *    merge (valid entries), which must not change the outcome;
 *  - the status of a completed stateless decompression (stateless_end):
 *    0x00 + dw3 bit 8 passes both the kernel's and UADK's checks, 0x13 +
 *    bit 8 only UADK's; stream mode always ends with 0x13 + bit 8;
 *  - SQ doorbell priority and SQC w13 priority/orders are ignored;
 *  - the kernel's VF: VFT read before bus mastering, relative queue
 *    numbers, FLR and restart without setting bus mastering again.
 */
#include <errno.h>
#include <poll.h>
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

/* Device spec of the kernel-style tests: the model's defaults. */
#define KSPEC			""
/* dw3[7:0] of a completed stateless decompression with the default spec */
#define DEFAULT_STATELESS_END	RD_ST_OK

static const uint8_t reqs[] = { RD_REQ_ZLIB, RD_REQ_GZIP };

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

/* zip_crypto.c, hisi_zip_acomp_cb(): status other than 0 and 0x0d (HZIP_NC_ERR) -> -EIO */
static bool
kernel_status_ok(uint32_t dw3)
{
	uint32_t st = dw3 & 0xff;

	return st == 0x00 || st == RD_ST_NEGACOMPRESS;
}

/* UADK parse_zip_sqe(): 0x00, 0x0d and 0x13 pass; 0x13 with the last-block bit = end */
static bool
uadk_status_ok(uint32_t dw3)
{
	uint32_t st = dw3 & 0xff;

	return st == 0x00 || st == RD_ST_NEGACOMPRESS || st == RD_ST_DECOMP_END;
}

/* ---- zlib side ------------------------------------------------------------------------ */

/* A zlib (wbits 15) or gzip stream of @p in; gzip with a file name when @p name. */
static uint8_t *
z_compress(uint8_t req, const uint8_t *in, size_t len, const char *name, size_t *out_len)
{
	size_t cap = len + len / 8 + 256;
	uint8_t *out = malloc(cap);
	gz_header h;
	z_stream s;

	assert_non_null(out);
	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, req == RD_REQ_GZIP ? 31 : 15, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	if (req == RD_REQ_GZIP && name != NULL) {
		memset(&h, 0, sizeof(h));
		h.name = (Bytef *)(uintptr_t)name;
		h.os = 3;
		assert_int_equal(deflateSetHeader(&s, &h), Z_OK);
	}
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)len;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	*out_len = s.total_out;
	deflateEnd(&s);
	return out;
}

/* Inflate a whole zlib/gzip stream; @return 0 when it decodes to exactly @p want. */
static int
z_check(uint8_t req, const uint8_t *in, size_t len, const uint8_t *want, size_t want_len)
{
	uint8_t *out = malloc(want_len + 1);
	z_stream s;
	int ret;

	assert_non_null(out);
	memset(&s, 0, sizeof(s));
	assert_int_equal(inflateInit2(&s, req == RD_REQ_GZIP ? 31 : 15), Z_OK);
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)len;
	s.next_out = out;
	s.avail_out = (uInt)want_len + 1;
	ret = inflate(&s, Z_FINISH);
	ret = ret == Z_STREAM_END && s.avail_in == 0 && s.total_out == want_len &&
	      memcmp(out, want, want_len) == 0 ? 0 : -1;
	inflateEnd(&s);
	free(out);
	return ret;
}

/* Header length the kernel skips on decompression: zlib 2; gzip 10 + optional fields. */
static uint32_t
header_len(uint8_t req, const uint8_t *p, size_t len)
{
	size_t n = 10;
	uint8_t flg;

	if (req == RD_REQ_ZLIB)
		return 2;
	assert_true(len >= 10 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8);
	flg = p[3];
	if (flg & 0x04)				/* FEXTRA */
		n += 2 + (size_t)(p[n] | p[n + 1] << 8);
	if (flg & 0x08)				/* FNAME */
		n += strnlen((const char *)p + n, len - n) + 1;
	if (flg & 0x10)				/* FCOMMENT */
		n += strnlen((const char *)p + n, len - n) + 1;
	if (flg & 0x02)				/* FHCRC */
		n += 2;
	assert_true(n < len);
	return (uint32_t)n;
}

static const uint8_t zlib_hdr[2] = { 0x78, 0x9c };
static const uint8_t gzip_hdr[10] = { 0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03 };

/* ---- kernel-style requests ---------------------------------------------------------------- */

/* One acomp request as the kernel builds it, before submission. */
struct kreq {
	struct rd_sgl src, dst;
	uint8_t sqe[RD_SQE_SIZE];
	uint32_t hl;		/* header: written (compress) or skipped (decompress) */
	uint32_t tag;
};

/* hisi_zip_acompress(): the header goes into the destination SGL, dw8 skips it. */
static void
kreq_compress(struct rd_dev *d, struct kreq *k, uint8_t req, const uint8_t *in, size_t len,
	      unsigned int nent, unsigned int cap, enum rd_sgl_conv conv, uint32_t tag)
{
	size_t dlen = len + len / 8 + 512;

	k->hl = req == RD_REQ_GZIP ? sizeof(gzip_hdr) : sizeof(zlib_hdr);
	k->tag = tag;
	assert_int_equal(rd_sgl_create(d, &k->src, len, len < nent ? (unsigned int)len : nent,
				       cap, conv), 0);
	assert_int_equal(rd_sgl_create(d, &k->dst, dlen, nent, cap, conv), 0);
	rd_sgl_put(&k->src, 0, in, len);
	rd_sgl_put(&k->dst, 0, req == RD_REQ_GZIP ? gzip_hdr : zlib_hdr, k->hl);
	rd_sqe_kernel(k->sqe, req, k->src.first, (uint32_t)len, 0, k->dst.first, (uint32_t)dlen,
		      k->hl, tag);
}

/* hisi_zip_adecompress(): the header stays in the source SGL, dw7 skips it. */
static void
kreq_decompress(struct rd_dev *d, struct kreq *k, uint8_t req, const uint8_t *z, size_t zlen,
		size_t out_cap, unsigned int nent, unsigned int cap, enum rd_sgl_conv conv,
		uint32_t tag)
{
	k->hl = header_len(req, z, zlen);
	k->tag = tag;
	assert_int_equal(rd_sgl_create(d, &k->src, zlen, zlen < nent ? (unsigned int)zlen : nent,
				       cap, conv), 0);
	assert_int_equal(rd_sgl_create(d, &k->dst, out_cap, nent, cap, conv), 0);
	rd_sgl_put(&k->src, 0, z, zlen);
	rd_sqe_kernel(k->sqe, req, k->src.first, (uint32_t)zlen, k->hl, k->dst.first,
		      (uint32_t)out_cap, 0, tag);
}

/* The slot as the kernel reads it back: its own words unchanged. */
static void
kreq_check_slot(const struct kreq *k, const uint8_t *done)
{
	for (unsigned int dw = 4; dw < 32; dw++) {
		if (dw == 15 || dw >= 28)
			continue;	/* ctx_dw0..2, isize, checksum: written by the device */
		if (rd_sqe_dw(done, dw) != rd_sqe_dw(k->sqe, dw))
			fail_msg("SQE dw%u changed: 0x%08x -> 0x%08x", dw, rd_sqe_dw(k->sqe, dw),
				 rd_sqe_dw(done, dw));
	}
	assert_int_equal(rd_sqe_dw(done, 13), k->tag);
}

/* Completion of a compression: kernel status check, output = header + produced. */
static void
kreq_compress_done(const struct kreq *k, uint8_t req, const uint8_t *done, const uint8_t *in,
		   size_t len, uint8_t **out, size_t *out_len)
{
	uint32_t dw3 = rd_sqe_dw(done, 3);

	kreq_check_slot(k, done);
	if (!kernel_status_ok(dw3))
		fail_msg("compress %zu bytes: status 0x%02x: the kernel returns -EIO", len,
			 dw3 & 0xff);
	assert_int_equal(dw3 & ~0xffu, 0);	/* no last-block bit when compressing */
	assert_int_equal(rd_sqe_dw(done, 0), len);
	*out_len = k->hl + rd_sqe_dw(done, 1);	/* acomp_req->dlen = produced + header */
	assert_true(*out_len <= k->dst.total);
	*out = malloc(*out_len);
	assert_non_null(*out);
	rd_sgl_get(&k->dst, 0, *out, *out_len);
	if (z_check(req, *out, *out_len, in, len) != 0)
		fail_msg("compress %zu bytes (req %u): output does not inflate to the input", len,
			 req);
}

/* Completion of a decompression: kernel status check, output = produced. */
static void
kreq_decompress_done(const struct kreq *k, const uint8_t *done, size_t zlen, const uint8_t *want,
		     size_t len)
{
	uint32_t dw3 = rd_sqe_dw(done, 3);
	uint8_t *out;

	kreq_check_slot(k, done);
	if (!kernel_status_ok(dw3))
		fail_msg("decompress to %zu bytes: status 0x%02x: the kernel returns -EIO", len,
			 dw3 & 0xff);
	assert_int_equal(dw3, RD_DW3_LAST_BLOCK);	/* 0x00 + last block */
	assert_true(uadk_status_ok(dw3));
	assert_int_equal(rd_sqe_dw(done, 0), zlen - k->hl);	/* trailer counted */
	assert_int_equal(rd_sqe_dw(done, 1), len);
	out = malloc(len + 1);
	assert_non_null(out);
	rd_sgl_get(&k->dst, 0, out, len);
	assert_memory_equal(out, want, len);
	free(out);
}

/* Submit @p k on @p q and wait: @p done receives the completed slot. */
static void
kreq_run(struct rd_queue *q, const struct kreq *k, uint8_t *done)
{
	memcpy(done, k->sqe, RD_SQE_SIZE);
	assert_int_equal(rd_run(q, done), 1);
}

static void
kreq_free(struct rd_dev *d, struct kreq *k)
{
	rd_sgl_free(d, &k->src);
	rd_sgl_free(d, &k->dst);
}

/* The driver-owned bytes of every SGL header and entry stay as the driver wrote them. */
static void
sgl_check_untouched(const struct rd_sgl *s, unsigned int cap)
{
	for (unsigned int h = 0; h < s->nhdr; h++) {
		unsigned int cnt = s->n - h * cap < cap ? s->n - h * cap : cap;

		for (unsigned int i = 0x10; i < 0x40; i++)
			assert_int_equal(s->hdr[h][i], 0xd5);
		for (unsigned int e = 0; e < cnt; e++)
			for (unsigned int i = 8; i < 16; i++)
				assert_int_equal(s->hdr[h][64 + 32 * e + i], 0xd6);
	}
}

/* ---- tests ------------------------------------------------------------------------------- */

static void
open_kernel_pf(struct rd_dev *d, const char *extra, unsigned int flags)
{
	char spec[128];

	snprintf(spec, sizeof(spec), "%s%s%s", KSPEC, KSPEC[0] && extra[0] ? "," : "", extra);
	assert_int_equal(rd_open(d, spec), 0);
	/* the kernel configures EQ/AEQ and MSI, and caches SQC/CQC (0x1833) */
	assert_int_equal(rd_pf_init(d, 16, RD_F_EVENTS | RD_F_MSI | flags), 0);
}

/*
 * The kernel's contexts [5.1, 5.2]: SQC w13 = priority 0 | orders 1 << 4 |
 * type << 8, cq_num = the queue's own number, rand 0; CQC dw6 = phase 1 |
 * c_flag 1. c_flag is spent by the first completion's EQE and re-armed by
 * a CQ doorbell with priority 1; the mailbox read shows it.
 */
static void
test_kernel_contexts(void **state)
{
	struct rd_dev d;
	struct rd_queue q[2];
	uint8_t *buf, *src, *dst, sqe[RD_SQE_SIZE];
	uint16_t v16, cqn;
	uint32_t v32;

	(void)state;
	open_kernel_pf(&d, "engine=store", 0);
	for (unsigned int t = 0; t < 2; t++)
		assert_int_equal(rd_queue_create(&d, &q[t], (uint16_t)(4 + t), 64, (uint8_t)t, 0,
						 true), 0);
	buf = rd_alloc(&d, 64, 64);
	for (unsigned int t = 0; t < 2; t++) {
		uint16_t qn = (uint16_t)(4 + t);

		memset(buf, 0xa5, 64);
		assert_int_equal(rd_mb(&d, RD_MB_SQC, true, qn, iova(buf), NULL), 0);
		memcpy(&v32, buf + 12, 4);
		assert_int_equal(v32, 63u | (7u << 12));		/* depth - 1, SQE 128 B */
		memcpy(&v16, buf + 16, 2);
		assert_int_equal(v16, 0);				/* rand */
		memcpy(&v16, buf + 24, 2);
		assert_int_equal(v16, qn);				/* cq_num */
		memcpy(&v16, buf + 26, 2);
		assert_int_equal(v16, (1u << 4) | (t << 8));		/* orders 1, type */
		memset(buf, 0xa5, 64);
		assert_int_equal(rd_mb(&d, RD_MB_CQC, true, qn, iova(buf), NULL), 0);
		memcpy(&v32, buf + 12, 4);
		assert_int_equal(v32, 63u | (4u << 12));		/* depth - 1, CQE 16 B */
		memcpy(&v32, buf + 24, 4);
		assert_int_equal(v32 & 3, 3);				/* phase 1, c_flag 1 */
	}
	/* the first completion posts one EQE and spends c_flag */
	src = rd_alloc(&d, 256, 64);
	dst = rd_alloc(&d, 1024, 64);
	memset(src, 'k', 256);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 256, dst, 1024, 0);
	assert_int_equal(rd_run(&q[0], sqe), 1);		/* CQ doorbell, priority 0 */
	{
		uint64_t end = rd_now_us() + 5000000;

		while (rd_eq_poll(&d, &cqn) == 0)
			assert_true(rd_now_us() < end);
	}
	assert_int_equal(cqn, 4);
	assert_int_equal(rd_mb(&d, RD_MB_CQC, true, 4, iova(buf), NULL), 0);
	memcpy(&v32, buf + 24, 4);
	assert_int_equal(v32 & 3, 1);				/* c_flag spent */
	/* a second completion without re-arming: no EQE */
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 256, dst, 1024, 0);
	assert_int_equal(rd_run(&q[0], sqe), 1);
	assert_int_equal(rd_eq_poll(&d, &cqn), 0);
	/* "set c_flag": CQ doorbell with priority 1 at the same head */
	rd_cq_arm(&q[0]);
	assert_int_equal(rd_mb(&d, RD_MB_CQC, true, 4, iova(buf), NULL), 0);
	memcpy(&v32, buf + 24, 4);
	assert_int_equal(v32 & 3, 3);
	assert_int_equal(rd_eq_poll(&d, &cqn), 0);		/* nothing was waiting */
	assert_int_equal(stats(&d).driver_errors, 0);
	rd_close(&d);
}

/* Wait for an MSI on @p fd (bounded); @return true if one came. */
static bool
msi_wait(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	return read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) && v > 0;
}

/*
 * The kernel's completion path (qm.c): the EQ interrupt names a CQ; for it,
 * every new CQE is handled and acknowledged with a CQ doorbell of priority
 * 0, then one CQ doorbell with priority 1 re-arms the event. Kernel acomp
 * requests (SGL, header skips) on a compression and a decompression queue,
 * one SQ doorbell per request: every request completes, in order, with no
 * lost interrupt and no driver error.
 */
static void
test_kernel_irq_flow(void **state)
{
	enum { N = 48, LEN = 20000 };
	struct rd_dev d;
	struct rd_queue q[2];
	struct kreq *k = calloc(2 * N, sizeof(*k));
	uint8_t *data[N], *z[N], done[RD_SQE_SIZE];
	size_t zlen[N];
	unsigned int ndone[2] = { 0, 0 }, eqes = 0, waits = 0;
	uint16_t expect_slot[2] = { 0, 0 };

	(void)state;
	assert_non_null(k);
	open_kernel_pf(&d, "", 0);
	assert_int_equal(rd_queue_create(&d, &q[0], 0, 32, 0, 0, true), 0);
	assert_int_equal(rd_queue_create(&d, &q[1], 1, 32, 1, 0, true), 0);
	for (unsigned int i = 0; i < N; i++) {
		uint8_t req = reqs[i & 1];

		data[i] = malloc(LEN);
		assert_non_null(data[i]);
		wd_test_gen(data[i], LEN, i % 3 == 2 ? WD_TEST_DATA_MIXED : WD_TEST_DATA_TEXT,
			    1000 + i);
		z[i] = z_compress(req, data[i], LEN, i % 4 == 1 ? "irq-flow.txt" : NULL, &zlen[i]);
		kreq_compress(&d, &k[i], req, data[i], LEN, RD_KERNEL_SGL_NR, RD_KERNEL_SGL_NR,
			      RD_SGL_KERNEL, 0x1000 + i);
		kreq_decompress(&d, &k[N + i], req, z[i], zlen[i], LEN + 100, RD_KERNEL_SGL_NR,
				RD_KERNEL_SGL_NR, RD_SGL_KERNEL, 0x2000 + i);
	}
	/* submit as the queues allow (31 in flight at most), handle events until all done */
	{
		unsigned int sent[2] = { 0, 0 };

		while (ndone[0] < N || ndone[1] < N) {
			uint16_t cqn;

			for (unsigned int t = 0; t < 2; t++)
				while (sent[t] < N &&
				       rd_submit(&q[t], k[t * N + sent[t]].sqe, true) == 0)
					sent[t]++;
			if (!msi_wait(d.efd[0], 5000))
				fail_msg("no EQ interrupt within 5 s (%u/%u and %u/%u done, %u "
					 "EQEs)", ndone[0], N, ndone[1], N, eqes);
			waits++;
			while (rd_eq_poll(&d, &cqn) == 1) {
				struct rd_queue *cq;
				unsigned int t;
				uint16_t slot;

				eqes++;
				assert_true(cqn <= 1);
				t = cqn;
				cq = &q[t];
				/* qm_poll_req_cb(): each CQE, CQ doorbell priority 0 */
				while (rd_poll(cq, done, &slot, 0) == 1) {
					unsigned int i = ndone[t]++;

					/* in order */
					assert_int_equal(slot, expect_slot[t]);
					expect_slot[t] = (uint16_t)((slot + 1) % cq->depth);
					if (t == 0) {
						uint8_t *out;
						size_t out_len;

						kreq_compress_done(&k[i], reqs[i & 1], done,
								   data[i], LEN, &out,
								   &out_len);
						free(out);
					} else {
						kreq_decompress_done(&k[N + i], done, zlen[i],
								     data[i], LEN);
					}
				}
				/* then once with priority 1: "set c_flag" */
				rd_cq_arm(cq);
			}
		}
	}
	assert_true(eqes >= 2 && eqes <= 2 * N);
	assert_true(waits <= eqes);
	assert_int_equal(stats(&d).driver_errors, 0);
	assert_int_equal(rd_drain(&q[0], 1000000), 0);
	assert_int_equal(rd_drain(&q[1], 1000000), 0);
	print_message("kernel completion flow: %u requests, %u EQEs, %u interrupts waited for\n",
		      2 * N, eqes, waits);
	for (unsigned int i = 0; i < N; i++) {
		kreq_free(&d, &k[i]);
		kreq_free(&d, &k[N + i]);
		free(data[i]);
		free(z[i]);
	}
	free(k);
	rd_close(&d);
}

/*
 * One kernel acomp request of each kind, zlib and gzip, through the
 * kernel's SGL convention (one SGL of 10 entries): zlib checks every
 * device output; device output goes back through the device; gzip headers
 * with a file name are skipped by dw7 across SGL entries.
 */
static void
test_kernel_acomp(void **state)
{
	static const size_t sizes[] = { 1, 15, 100, 4096, 65536, 300000 };
	struct rd_dev d;
	struct rd_queue cq, dq;

	(void)state;
	open_kernel_pf(&d, "", 0);
	assert_int_equal(rd_queue_create(&d, &cq, 0, 16, 0, 0, true), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 1, 16, 1, 0, true), 0);
	for (unsigned int r = 0; r < 2; r++) {
		for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			for (unsigned int kind = 0; kind < 2; kind++) {
				size_t len = sizes[i], zlen, out_len;
				uint8_t *data = malloc(len), *z, *out, done[RD_SQE_SIZE];
				struct kreq k;

				assert_non_null(data);
				wd_test_gen(data, len, kind ? WD_TEST_DATA_RANDOM :
					    WD_TEST_DATA_TEXT, 50 + i);
				/* compress: 0x0d (incompressible) is a success for the kernel */
				kreq_compress(&d, &k, reqs[r], data, len, RD_KERNEL_SGL_NR,
					      RD_KERNEL_SGL_NR, RD_SGL_KERNEL, 0xc0de0000u + i);
				kreq_run(&cq, &k, done);
				kreq_compress_done(&k, reqs[r], done, data, len, &out, &out_len);
				kreq_free(&d, &k);
				/* the device's own stream back through the device */
				kreq_decompress(&d, &k, reqs[r], out, out_len, len + 64,
						RD_KERNEL_SGL_NR, RD_KERNEL_SGL_NR, RD_SGL_KERNEL,
						0xdec0000u + i);
				kreq_run(&dq, &k, done);
				kreq_decompress_done(&k, done, out_len, data, len);
				kreq_free(&d, &k);
				free(out);
				/* zlib's stream (gzip with FNAME: a 23-byte header) */
				z = z_compress(reqs[r], data, len, "kernel-acomp", &zlen);
				kreq_decompress(&d, &k, reqs[r], z, zlen, len + 64,
						RD_KERNEL_SGL_NR, RD_KERNEL_SGL_NR, RD_SGL_KERNEL,
						0xdec1000u + i);
				kreq_run(&dq, &k, done);
				kreq_decompress_done(&k, done, zlen, data, len);
				kreq_free(&d, &k);
				free(z);
				free(data);
			}
		}
	}
	assert_int_equal(stats(&d).driver_errors, 0);
	rd_close(&d);
}

/*
 * entry_sum_in_chain and entry_length_in_sgl are filled differently by the
 * kernel, UADK and the legacy merge [13], [17.1]; the device uses
 * entry_sum_in_sgl and next only, so all of them give the same output.
 * The driver's bytes 0x10-0x3f of each header and the software word of
 * each entry are never written.
 */
static void
test_sgl_conventions(void **state)
{
	static const struct {
		enum rd_sgl_conv conv;
		unsigned int nent, cap;
		const char *name;
	} c[] = {
		{ RD_SGL_KERNEL, RD_KERNEL_SGL_NR, RD_KERNEL_SGL_NR, "kernel, 10 of 10" },
		{ RD_SGL_KERNEL, 3, RD_KERNEL_SGL_NR, "kernel, 3 of 10" },
		{ RD_SGL_KERNEL, 1, 1, "kernel, 1 of 1" },
		{ RD_SGL_UADK, 300, RD_UADK_SGL_NR, "UADK, 300 entries in 2 SGLs" },
		{ RD_SGL_UADK, 7, RD_UADK_SGL_NR, "UADK, 7 entries" },
		{ RD_SGL_LEGACY, 11, 4, "legacy, 11 entries in 3 SGLs" },
	};
	const size_t len = 150000;
	uint8_t *data = malloc(len), *first_out[2] = { NULL, NULL };
	size_t first_len[2] = { 0, 0 };
	struct rd_dev d;
	struct rd_queue cq, dq;

	(void)state;
	assert_non_null(data);
	wd_test_gen(data, len, WD_TEST_DATA_MIXED, 7);
	open_kernel_pf(&d, "", 0);
	assert_int_equal(rd_queue_create(&d, &cq, 0, 8, 0, 0, true), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 1, 8, 1, 0, true), 0);
	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (unsigned int r = 0; r < 2; r++) {
			uint8_t *out, *z, done[RD_SQE_SIZE];
			size_t out_len, zlen;
			struct kreq k;

			kreq_compress(&d, &k, reqs[r], data, len, c[i].nent, c[i].cap, c[i].conv,
				      i);
			kreq_run(&cq, &k, done);
			kreq_compress_done(&k, reqs[r], done, data, len, &out, &out_len);
			sgl_check_untouched(&k.src, c[i].cap);
			sgl_check_untouched(&k.dst, c[i].cap);
			kreq_free(&d, &k);
			/* the same bytes whatever the convention */
			if (first_out[r] == NULL) {
				first_out[r] = out;
				first_len[r] = out_len;
			} else {
				if (out_len != first_len[r] ||
				    memcmp(out, first_out[r], out_len) != 0)
					fail_msg("%s: output differs from the first convention's",
						 c[i].name);
				free(out);
			}
			z = z_compress(reqs[r], data, len, "conventions", &zlen);
			kreq_decompress(&d, &k, reqs[r], z, zlen, len, c[i].nent, c[i].cap,
					c[i].conv, i);
			kreq_run(&dq, &k, done);
			kreq_decompress_done(&k, done, zlen, data, len);
			sgl_check_untouched(&k.src, c[i].cap);
			sgl_check_untouched(&k.dst, c[i].cap);
			kreq_free(&d, &k);
			free(z);
		}
	}
	/* the kernel convention never chains: more entries than the capacity is the driver's bug */
	{
		struct rd_sgl s;

		assert_int_equal(rd_sgl_create(&d, &s, 100, 11, RD_KERNEL_SGL_NR, RD_SGL_KERNEL),
				 -EINVAL);
	}
	assert_int_equal(stats(&d).driver_errors, 0);
	rd_close(&d);
	free(first_out[0]);
	free(first_out[1]);
	free(data);
}

/* One flat stateless decompression and one one-request stream; @return their dw3. */
static void
end_statuses(const char *spec, uint8_t req, uint32_t *stateless, uint32_t *stream)
{
	const size_t len = 30000;
	uint8_t *data = malloc(len), *z, sqe[RD_SQE_SIZE], *src, *dst, *ctx;
	size_t zlen;
	uint32_t hl;
	struct rd_dev d;
	struct rd_queue dq;

	assert_non_null(data);
	wd_test_gen(data, len, WD_TEST_DATA_TEXT, 3);
	z = z_compress(req, data, len, NULL, &zlen);
	hl = header_len(req, z, zlen);
	assert_int_equal(rd_open(&d, spec), 0);
	assert_int_equal(rd_pf_init(&d, 4, 0), 0);
	assert_int_equal(rd_queue_create(&d, &dq, 0, 8, 1, 0, false), 0);
	src = rd_alloc(&d, zlen, 64);
	dst = rd_alloc(&d, len, 64);
	ctx = rd_alloc(&d, 64u << 10, 4096);
	memcpy(src, z + hl, zlen - hl);
	/* stateless: the kernel's dw7 = 0 */
	rd_sqe_flat(sqe, req, src, (uint32_t)(zlen - hl), dst, (uint32_t)len, 0);
	assert_int_equal(rd_run(&dq, sqe), 1);
	*stateless = rd_sqe_dw(sqe, 3);
	assert_int_equal(rd_sqe_dw(sqe, 1), len);
	assert_memory_equal(dst, data, len);
	/* stream mode, one request (UADK's 0x0E000000), context at buffer + 64 */
	rd_sqe_flat(sqe, req, src, (uint32_t)(zlen - hl), dst, (uint32_t)len,
		    RD_DW7_NEW | RD_DW7_STATEFUL | RD_DW7_FINISH);
	rd_sqe_set_dw(sqe, 22, (uint32_t)(iova(ctx) + 64));
	rd_sqe_set_dw(sqe, 23, (uint32_t)((iova(ctx) + 64) >> 32));
	assert_int_equal(rd_run(&dq, sqe), 1);
	*stream = rd_sqe_dw(sqe, 3);
	assert_int_equal(rd_sqe_dw(sqe, 1), len);
	assert_int_equal(stats(&d).driver_errors, 0);
	rd_close(&d);
	free(z);
	free(data);
}

/*
 * stateless_end (doc/model.md): the kernel's check passes only with 0x00,
 * UADK's with both; bit 8 comes with either; stream mode is not affected.
 */
static void
test_stateless_end(void **state)
{
	static const struct {
		const char *spec;
		uint32_t status;
	} c[] = {
		{ "", DEFAULT_STATELESS_END },
		{ "stateless_end=0x00", RD_ST_OK },
		{ "stateless_end=0x13", RD_ST_DECOMP_END },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (unsigned int r = 0; r < 2; r++) {
			uint32_t sl, st;

			end_statuses(c[i].spec, reqs[r], &sl, &st);
			assert_int_equal(sl, c[i].status | RD_DW3_LAST_BLOCK);
			assert_true(uadk_status_ok(sl));
			assert_true(kernel_status_ok(sl) == (c[i].status == RD_ST_OK));
			assert_int_equal(st, RD_ST_DECOMP_END | RD_DW3_LAST_BLOCK);
		}
	}
}

/*
 * Priorities the model ignores (doc/model.md): SQC w13 priority [3:0] and
 * orders [7:4] (completion is in order whatever they say), and the SQ
 * doorbell's priority field. The VF migration driver's "SQ doorbell with
 * index 0 and priority 1" on every queue is therefore an ordinary SQ
 * doorbell: on an idle queue whose tail is 0 it does nothing.
 */
static void
test_priorities_ignored(void **state)
{
	enum { N = 60 };
	struct rd_dev d;
	struct rd_queue q, idle;
	uint8_t *buf, *src, *dst, sqe[RD_SQE_SIZE];
	uint64_t r0;
	uint16_t w13, slot;

	(void)state;
	assert_int_equal(rd_open(&d, "engines=2"), 0);
	assert_int_equal(rd_pf_init(&d, 8, 0), 0);
	assert_int_equal(rd_queue_create(&d, &q, 3, 64, 0, 0, false), 0);
	assert_int_equal(rd_queue_create(&d, &idle, 5, 16, 1, 0, false), 0);
	/* rewrite queue 3's SQC with priority 15 and orders 0 (no "order" bit) */
	buf = rd_alloc(&d, 64, 64);
	assert_int_equal(rd_mb(&d, RD_MB_SQC, true, 3, iova(buf), NULL), 0);
	w13 = 0x0f;
	memcpy(buf + 26, &w13, 2);
	memcpy(d.ctx, buf, 32);
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 3, iova(d.ctx), NULL), 0);
	assert_int_equal(rd_mb(&d, RD_MB_SQC, true, 3, iova(buf), NULL), 0);
	memcpy(&w13, buf + 26, 2);
	assert_int_equal(w13, 0x0f);			/* stored and read back */
	/* big and small requests mixed, one doorbell with priority 1: still in order */
	src = rd_alloc(&d, 1u << 20, 64);
	dst = rd_alloc(&d, (size_t)N * 4096, 64);
	wd_test_gen(src, 1u << 20, WD_TEST_DATA_TEXT, 5);
	r0 = stats(&d).requests;
	for (unsigned int i = 0; i < N; i++) {
		uint32_t in = i % 5 == 0 ? (1u << 20) : 100 + i;

		rd_sqe_flat(sqe, RD_REQ_GZIP, src, in, dst + (size_t)i * 4096, 4096, 0);
		rd_sqe_set_dw(sqe, 13, i);
		assert_int_equal(rd_submit(&q, sqe, false), 0);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(3, RD_DB_SQ, 0, q.sq_tail, 1));
	for (unsigned int i = 0; i < N; i++) {
		assert_int_equal(rd_poll(&q, sqe, &slot, 10000000), 1);
		assert_int_equal(slot, i);
		assert_int_equal(rd_sqe_dw(sqe, 13), i);
	}
	assert_int_equal(stats(&d).requests, r0 + N);
	/* the migration pattern on idle queues (tail 0): nothing runs, nothing is wrong */
	hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(5, RD_DB_SQ, 0, 0, 1));
	usleep(20000);
	assert_int_equal(stats(&d).requests, r0 + N);
	assert_int_equal(rd_poll(&idle, NULL, NULL, 1000), 0);
	assert_int_equal(stats(&d).driver_errors, 0);
	rd_close(&d);
}

/* One zlib compression of generated text on @p q: it must succeed. */
static void
vf_request(struct rd_dev *d, struct rd_queue *q)
{
	uint8_t *src = rd_alloc(d, 4096, 64), *dst = rd_alloc(d, 8192, 64);
	uint8_t sqe[RD_SQE_SIZE];

	assert_non_null(src);
	assert_non_null(dst);
	wd_test_gen(src, 4096, WD_TEST_DATA_TEXT, q->qn);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 4096, dst, 8192, 0);
	assert_int_equal(rd_submit(q, sqe, true), 0);
	assert_int_equal(rd_poll(q, sqe, NULL, 5000000), 1);
	assert_int_equal(rd_sqe_status(sqe), RD_ST_OK);
}

/*
 * The kernel's hisi_qm on a VF (19e5:a251), 5.4 and 6.x: the VFT read
 * before bus mastering (6.x reads it in qm_get_pci_res()), queues 0 and
 * N-1 (numbers relative to the VF), EQC/AEQC dumps (debugfs), cache
 * write-back (uacce put_queue), hisi_qm_stop() masking, an FLR through
 * device control, then hisi_qm_start() again without pci_set_master():
 * vfio-pci restores the config state around a reset. No driver error.
 */
static void
test_kernel_vf(void **state)
{
	struct rd_dev d;
	struct rd_queue q0, qlast;
	uint16_t cmd = 0x2, devctl = 0x8000;
	uint64_t v;
	int i;

	(void)state;
	assert_int_equal(rd_open(&d, "vf=1,queues=8,engine=store"), 0);
	assert_int_equal(hzip_model_cfg_write(d.m, 4, &cmd, 2), 0);
	assert_int_equal(rd_mb(&d, RD_MB_SQC_VFT, true, 0, 0, &v), 0);
	assert_int_equal(v, rd_sqc_vft(64, 8));
	cmd = 0x6;
	assert_int_equal(hzip_model_cfg_write(d.m, 4, &cmd, 2), 0);
	assert_int_equal(rd_vf_init(&d, RD_F_EVENTS | RD_F_MSI), 0);
	assert_int_equal(rd_queue_create(&d, &q0, 0, 16, 0, 0, true), 0);
	assert_int_equal(rd_queue_create(&d, &qlast, 7, 16, 0, 0, true), 0);
	vf_request(&d, &q0);
	vf_request(&d, &qlast);
	assert_int_equal(rd_mb(&d, RD_MB_EQC, true, 0, iova(d.ctx), NULL), 0);
	assert_int_equal(rd_mb(&d, RD_MB_AEQC, true, 0, iova(d.ctx), NULL), 0);
	rd_wr32(&d, RD_CACHE_WB_START, 1);
	for (i = 0; i < 1000 && !(rd_rd32(&d, RD_CACHE_WB_DONE) & 1); i++)
		usleep(10);
	assert_true(i < 1000);
	rd_wr32(&d, RD_VF_EQ_INT_MASK, 1);
	rd_wr32(&d, RD_VF_AEQ_INT_MASK, 1);
	assert_int_equal(hzip_model_cfg_write(d.m, 0x78, &devctl, 2), 0);
	/* qm_restart(): contexts and queues again, the command register untouched */
	assert_int_equal(rd_vf_init(&d, RD_F_EVENTS), 0);
	assert_int_equal(rd_queue_create(&d, &q0, 0, 16, 0, 0, true), 0);
	vf_request(&d, &q0);
	assert_int_equal(stats(&d).driver_errors, 0);
	rd_close(&d);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_contexts),
		cmocka_unit_test(test_kernel_irq_flow),
		cmocka_unit_test(test_kernel_acomp),
		cmocka_unit_test(test_sgl_conventions),
		cmocka_unit_test(test_stateless_end),
		cmocka_unit_test(test_priorities_ignored),
		cmocka_unit_test(test_kernel_vf),
	};
	int rc;

	(void)argc;
	(void)argv;
	rc = cmocka_run_group_tests_name("model_kernel", tests, NULL, NULL);
	return rc;
}
