/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ZIP engine conformance, stream mode (reference sections 11.2, 12, 17):
 * many requests and chunkings each way with both checksum encodings,
 * driver-built trailers, sync-flush output, new-stream restart ignoring
 * stale words, output full mid-stream with resume and drain, context
 * errors, reset and eviction, the context buffer's device-used limit.
 *
 * The "driver" here does what section 17.1 records of UADK: context
 * address = 64 KiB buffer + 64; dw7 0x0C/0x04/0x06/0x0E000000; ctx_dw0/1/2,
 * isize and checksum copied from every completion into the next SQE; the
 * new-stream bit cleared after any completion.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "test_model_zip_util.h"
#include "wd_test.h"

#define CTX_BUF_SIZE 0x10000u
#define CTX_HW_OFF   64u

static const unsigned int types[] = { HZM_REQ_ZLIB, HZM_REQ_GZIP };

static uint32_t
bitrev32(uint32_t v)
{
	uint32_t r = 0;

	for (int i = 0; i < 32; i++)
		if (v & (1u << i))
			r |= 1u << (31 - i);
	return r;
}

/* A driver-side stream session. */
struct ts {
	struct tz *t;
	unsigned int type;
	unsigned int dir;
	unsigned int win;
	uint64_t ctxbuf;    /* driver buffer; the device gets ctxbuf + 64 */
	uint32_t ctx0, ctx1, ctx2, isize, checksum;
	bool new_stream;
	/* running reference values */
	uLong adler;
	uLong crc;
	uint64_t total;
};

static void
ts_open(struct ts *s, struct tz *t, unsigned int type, unsigned int dir)
{
	memset(s, 0, sizeof(*s));
	s->t = t;
	s->type = type;
	s->dir = dir;
	s->win = 4;
	s->ctxbuf = g_alloc(t, CTX_BUF_SIZE, 4096);
	/* the session buffer is zeroed only at creation (section 12) */
	g_fill(t, s->ctxbuf, 0, CTX_BUF_SIZE);
	s->new_stream = true;
	s->adler = adler32(0, NULL, 0);
	s->crc = crc32(0, NULL, 0);
}

/* A new stream on the same session: stale words stay in the SQE, as UADK does. */
static void
ts_restart(struct ts *s)
{
	s->new_stream = true;
	s->adler = adler32(0, NULL, 0);
	s->crc = crc32(0, NULL, 0);
	s->total = 0;
}

/*
 * One request. @p in/@p in_len go to fresh guest memory, the output
 * (dest_avail_out @p cap) comes back into @p out. @return status.
 */
static unsigned int
ts_req(struct ts *s, const void *in, uint32_t in_len, void *out, uint32_t cap, bool finish,
       struct tsqe *done)
{
	struct tz *t = s->t;
	uint64_t brk = t->brk;
	uint64_t src = g_alloc(t, in_len ? in_len : 1, 8);
	uint64_t dst = g_alloc(t, cap ? cap : 1, 8);
	uint32_t dw7 = HZM_DW7_STATEFUL | (s->new_stream ? HZM_DW7_NEW_STREAM : 0) |
		       (finish ? HZM_DW7_FLUSH_FINISH : 0);
	struct tsqe q;
	unsigned int st;

	g_write(t, src, in, in_len);
	tsqe_init(&q, s->type, HZM_BUF_FLAT, s->win, dw7, src, in_len, dst, cap);
	tsqe_set_ctx(&q, s->ctxbuf + CTX_HW_OFF);
	q.dw[15] = s->ctx0;
	q.dw[28] = s->ctx1;
	q.dw[29] = s->ctx2;
	q.dw[30] = s->isize;
	q.dw[31] = s->checksum;
	st = tz_exec(t, &q, s->dir, NULL);
	if (q.dw[1] > cap)
		fail_msg("produced %u > dest_avail_out %u", q.dw[1], cap);
	if (q.dw[0] > in_len)
		fail_msg("consumed %u > input %u", q.dw[0], in_len);
	if (out != NULL)
		g_read(t, dst, out, q.dw[1]);
	s->ctx0 = q.dw[15];
	s->ctx1 = q.dw[28];
	s->ctx2 = q.dw[29];
	s->isize = q.dw[30];
	s->checksum = q.dw[31];
	s->new_stream = false;
	if (done != NULL)
		*done = q;
	t->brk = brk;
	return st;
}

/* Account @p n bytes of stream data and check dw30/dw31 against zlib (section 17.1). */
static void
ts_expect_running(struct ts *s, const uint8_t *data, size_t n)
{
	s->adler = adler32(s->adler, data, (uInt)n);
	s->crc = crc32(s->crc, data, (uInt)n);
	s->total += n;
	if (s->type == HZM_REQ_ZLIB)
		assert_int_equal(s->checksum, (uint32_t)s->adler);
	else
		assert_int_equal(s->checksum, bitrev32(~(uint32_t)s->crc));
	assert_int_equal(s->isize, (uint32_t)s->total);
}

/* The device never writes the driver's parts of the session buffer. */
static void
ts_check_ctx_limits(struct ts *s, const uint8_t *pattern_first64, uint8_t tail_fill)
{
	uint8_t head[64], *tail = malloc(CTX_BUF_SIZE);

	g_read(s->t, s->ctxbuf, head, sizeof(head));
	assert_memory_equal(head, pattern_first64, sizeof(head));
	g_read(s->t, s->ctxbuf + CTX_HW_OFF + HZM_CTX_HW_LIMIT, tail,
	       CTX_BUF_SIZE - CTX_HW_OFF - HZM_CTX_HW_LIMIT);
	for (size_t i = 0; i < CTX_BUF_SIZE - CTX_HW_OFF - HZM_CTX_HW_LIMIT; i++)
		if (tail[i] != tail_fill)
			fail_msg("device wrote the session buffer at HW+0x%zx",
				 HZM_CTX_HW_LIMIT + i);
	free(tail);
}

static size_t
next_chunk(unsigned int mode, unsigned int i, uint64_t *rs)
{
	static const size_t fixed[] = { 1, 7, 100, 4096, 65536 };

	if (mode < 5)
		return fixed[mode];
	*rs = *rs * 6364136223846793005ULL + 1442695040888963407ULL + i;
	return 1 + (*rs >> 33) % 70000;
}

/*
 * Compress @p data as a stream in chunks; @p empty_final: end with an empty
 * FINISH request whose block + trailer the driver writes itself from the
 * chained values (UADK's append_store_block). Returns the whole stream.
 */
static uint8_t *
stream_compress(struct tz *t, unsigned int type, unsigned int win, const uint8_t *data, size_t len,
		unsigned int chunk_mode, bool empty_final, size_t *zlen)
{
	struct ts s;
	unsigned int hl;
	const uint8_t *hdr = tz_header(type, &hl);
	/* every request may add stored-block headers and a sync-flush marker */
	size_t cap_total = len + len / 8 + 64 * (len + 2), pos = 0, n;
	uint8_t *z, *out;
	uint8_t first64[64];
	uint64_t rs = len + chunk_mode;
	unsigned int i = 0;
	struct tsqe q;

	ts_open(&s, t, type, HZM_SQC_COMPRESS);
	s.win = win;
	/* software-private part and the driver's store buffer: patterns to keep */
	for (unsigned int k = 0; k < 64; k++)
		first64[k] = (uint8_t)(0xc0 + k);
	g_write(t, s.ctxbuf, first64, 64);
	g_fill(t, s.ctxbuf + CTX_HW_OFF + HZM_CTX_HW_LIMIT, 0x77,
	       CTX_BUF_SIZE - CTX_HW_OFF - HZM_CTX_HW_LIMIT);
	z = malloc(cap_total + hl + 64);
	assert_non_null(z);
	memcpy(z, hdr, hl);
	n = hl;
	do {
		size_t c = next_chunk(chunk_mode, i++, &rs);
		bool last;
		uint32_t cap;

		if (c > len - pos)
			c = len - pos;
		last = !empty_final && pos + c == len;
		/* UADK: output >= input x 9/8; the model also needs room for tiny chunks */
		cap = (uint32_t)(c + c / 8 + 64);
		out = z + n;
		if (n + cap > cap_total + hl)
			fail_msg("test buffer too small");
		assert_int_equal(ts_req(&s, data + pos, (uint32_t)c, out, cap, last, &q),
				 HZM_ST_OK);
		assert_int_equal(q.dw[0], c);
		n += q.dw[1];
		ts_expect_running(&s, data + pos, c);
		pos += c;
		if (last)
			break;
	} while (pos < len || (!empty_final && len == 0));
	if (empty_final) {
		/* driver-built: empty final stored block + trailer from dw31/dw30 */
		static const uint8_t blk[5] = { 0x01, 0x00, 0x00, 0xff, 0xff };

		memcpy(z + n, blk, 5);
		n += 5;
		if (type == HZM_REQ_ZLIB) {
			uint32_t a = s.checksum;

			z[n++] = (uint8_t)(a >> 24);
			z[n++] = (uint8_t)(a >> 16);
			z[n++] = (uint8_t)(a >> 8);
			z[n++] = (uint8_t)a;
		} else {
			uint32_t c = bitrev32(~s.checksum);

			for (int k = 0; k < 4; k++)
				z[n++] = (uint8_t)(c >> (8 * k));
			for (int k = 0; k < 4; k++)
				z[n++] = (uint8_t)(s.isize >> (8 * k));
		}
	}
	ts_check_ctx_limits(&s, first64, 0x77);
	*zlen = n;
	return z;
}

static void
check_inflates(unsigned int type, const uint8_t *z, size_t zlen, const uint8_t *data, size_t len)
{
	uint8_t *dec;
	size_t dec_len;

	assert_int_equal(tz_zlib_inflate(type, z, zlen, &dec, &dec_len), Z_OK);
	assert_int_equal(dec_len, len);
	assert_memory_equal(dec, data, len);
	free(dec);
}

static void
test_compress_chunkings(void **state)
{
	struct tz t;
	size_t len = 300000;

	(void)state;
	tz_init(&t, 32, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int kind = 0; kind < 4; kind++) {
		uint8_t *d = tz_data(len, kind, 31 + kind);

		for (unsigned int mode = 0; mode < 7; mode++) {
			/* 1- and 7-byte chunks: shorter data */
			size_t l = mode == 0 ? 3000 : (mode == 1 ? 20000 : len);

			for (unsigned int ty = 0; ty < 2; ty++) {
				for (int ef = 0; ef < 2; ef++) {
					size_t zlen;
					uint8_t *z = stream_compress(&t, types[ty], 4, d, l, mode,
								     ef, &zlen);

					check_inflates(types[ty], z, zlen, d, l);
					free(z);
					tz_reset_alloc(&t);
				}
			}
		}
		free(d);
	}
	tz_fini(&t);
}

static void
test_compress_single_and_empty(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(10000, WD_TEST_DATA_TEXT, 2);

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int ty = 0; ty < 2; ty++) {
		struct ts s;
		unsigned int hl;
		uint8_t out[20000];
		struct tsqe q;
		uint8_t *z;
		size_t zlen;

		/* 0x0E000000: new + stateful + finish, one request */
		ts_open(&s, &t, types[ty], HZM_SQC_COMPRESS);
		{
			const uint8_t *hdr = tz_header(types[ty], &hl);

			memcpy(out, hdr, hl);
		}
		assert_int_equal(ts_req(&s, d, 10000, out + hl, 12000, true, &q), HZM_ST_OK);
		assert_int_equal(q.dw[7] & 0xff000000u, 0x0e000000u);
		ts_expect_running(&s, d, 10000);
		check_inflates(types[ty], out, hl + q.dw[1], d, 10000);
		/* a stream of nothing, the device writing final block + trailer */
		ts_restart(&s);
		assert_int_equal(ts_req(&s, "", 0, out + hl, 64, true, &q), HZM_ST_OK);
		check_inflates(types[ty], out, hl + q.dw[1], (const uint8_t *)"", 0);
		/* a stream of nothing, the driver writing them (empty FINISH not sent) */
		z = stream_compress(&t, types[ty], 4, d, 0, 4, true, &zlen);
		check_inflates(types[ty], z, zlen, d, 0);
		free(z);
	}
	free(d);
	tz_fini(&t);
}

/* After each sync-flushed request, everything sent so far decodes. */
static void
test_sync_flush_prefix(void **state)
{
	struct tz t;
	size_t len = 40000, n = 0, pos = 0;
	uint8_t *d = tz_data(len, WD_TEST_DATA_MIXED, 12), *z = malloc(len * 2), *dec = malloc(len);

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int ty = 0; ty < 2; ty++) {
		struct ts s;
		struct tsqe q;

		ts_open(&s, &t, types[ty], HZM_SQC_COMPRESS);
		n = 0;
		pos = 0;
		while (pos < len) {
			size_t c = 1 + (pos * 31 + 977) % 5000;
			z_stream zs;

			if (c > len - pos)
				c = len - pos;
			assert_int_equal(ts_req(&s, d + pos, (uint32_t)c, z + n,
						(uint32_t)(c + c / 8 + 64), false, &q), HZM_ST_OK);
			n += q.dw[1];
			pos += c;
			/* raw inflate of the body so far yields exactly the input so far */
			memset(&zs, 0, sizeof(zs));
			assert_int_equal(inflateInit2(&zs, -15), Z_OK);
			zs.next_in = z;
			zs.avail_in = (uInt)n;
			zs.next_out = dec;
			zs.avail_out = (uInt)len;
			assert_int_equal(inflate(&zs, Z_SYNC_FLUSH), Z_OK);
			assert_int_equal(zs.avail_in, 0);
			assert_int_equal(zs.total_out, pos);
			assert_memory_equal(dec, d, pos);
			inflateEnd(&zs);
		}
	}
	tz_fini(&t);
	free(d);
	free(z);
	free(dec);
}

static void
test_compress_window_stream(void **state)
{
	struct tz t;
	size_t len = 200000, zlen;
	uint8_t *d = tz_data(len, WD_TEST_DATA_TEXT, 21), *z, *dec = malloc(len);

	(void)state;
	tz_init(&t, 8, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	/* 4 KiB window: the history carried between requests stays within it */
	z = stream_compress(&t, HZM_REQ_ZLIB, 0, d, len, 6, false, &zlen);
	{
		z_stream zs;

		memset(&zs, 0, sizeof(zs));
		assert_int_equal(inflateInit2(&zs, -12), Z_OK);
		zs.next_in = z + 2;
		zs.avail_in = (uInt)(zlen - 2 - 4);
		zs.next_out = dec;
		zs.avail_out = (uInt)len;
		assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
		assert_memory_equal(dec, d, len);
		inflateEnd(&zs);
	}
	free(z);
	tz_fini(&t);
	free(d);
	free(dec);
}

static void
test_compress_store_and_zlib_backends(void **state)
{
	struct tz t;
	size_t len = 150000, zlen;
	uint8_t *d = tz_data(len, WD_TEST_DATA_MIXED, 22), *z;

	(void)state;
	tz_init(&t, 8, HZIP_MODEL_ENGINE_STORE, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int ty = 0; ty < 2; ty++) {
		for (unsigned int mode = 2; mode < 7; mode += 2) {
			z = stream_compress(&t, types[ty], 4, d, len, mode, mode == 4, &zlen);
			check_inflates(types[ty], z, zlen, d, len);
			free(z);
			tz_reset_alloc(&t);
		}
	}
	tz_fini(&t);
	tz_init(&t, 8, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_ZLIB);
	for (unsigned int ty = 0; ty < 2; ty++) {
		for (unsigned int win = 0; win <= 4; win += 2) {
			z = stream_compress(&t, types[ty], win, d, len, 6, win == 2, &zlen);
			check_inflates(types[ty], z, zlen, d, len);
			free(z);
			tz_reset_alloc(&t);
		}
	}
	tz_fini(&t);
	free(d);
}

/*
 * Decompress @p body (deflate + trailer) as a stream: input in chunks,
 * output buffers of @p osz bytes, UADK-style resubmission. Checks ctx_st,
 * BFINAL, dw30/dw31 after every request. @return the number of requests.
 */
static unsigned int
stream_decompress(struct tz *t, unsigned int type, const uint8_t *body, size_t blen,
		  const uint8_t *data, size_t len, unsigned int chunk_mode, uint32_t osz)
{
	struct ts s;
	size_t ipos = 0, opos = 0;
	uint8_t *out = malloc(len + osz), first64[64];
	uint64_t rs = blen * 7 + chunk_mode;
	unsigned int reqs = 0, idle = 0;
	struct tsqe q;

	ts_open(&s, t, type, HZM_SQC_DECOMPRESS);
	for (unsigned int k = 0; k < 64; k++)
		first64[k] = (uint8_t)(0x40 + k);
	g_write(t, s.ctxbuf, first64, 64);
	g_fill(t, s.ctxbuf + CTX_HW_OFF + HZM_CTX_HW_LIMIT, 0x99,
	       CTX_BUF_SIZE - CTX_HW_OFF - HZM_CTX_HW_LIMIT);
	for (;;) {
		size_t c = next_chunk(chunk_mode, reqs, &rs);
		unsigned int st, ctx_st;

		if (c > blen - ipos)
			c = blen - ipos;
		if (opos + osz > len + osz)
			fail_msg("output overflow");
		st = ts_req(&s, body + ipos, (uint32_t)c, out + opos, osz, false, &q);
		reqs++;
		if (st != HZM_ST_OK && st != HZM_ST_DECOMP_END)
			fail_msg("request %u: status 0x%x (in %zu/%zu, out %zu)", reqs, st, ipos,
				 blen, opos);
		ipos += q.dw[0];
		ts_expect_running(&s, out + opos, q.dw[1]);
		opos += q.dw[1];
		ctx_st = q.dw[15] & 0xf;
		if (st == HZM_ST_DECOMP_END) {
			assert_true(tsqe_last(&q));
			assert_true(q.dw[15] & 0x80);   /* BFINAL seen */
			break;
		}
		assert_false(tsqe_last(&q));
		/* ctx_st 1/2 only with a full output; room left: all input was used */
		if (ctx_st != HZM_CTX_ST_NONE) {
			assert_true(ctx_st == HZM_CTX_ST_DECOMP_NO_SPACE ||
				    ctx_st == HZM_CTX_ST_DECOMPING_NO_SPACE);
			assert_int_equal(q.dw[1], osz);
		}
		if (q.dw[1] < osz) {
			assert_int_equal(q.dw[0], c);
			assert_int_equal(ctx_st, HZM_CTX_ST_NONE);
		}
		if (ctx_st == HZM_CTX_ST_DECOMP_NO_SPACE)
			assert_true(q.dw[15] & 0x80);
		idle = q.dw[0] == 0 && q.dw[1] == 0 ? idle + 1 : 0;
		if (idle > 2)
			fail_msg("no progress (in %zu/%zu, out %zu/%zu)", ipos, blen, opos, len);
	}
	assert_int_equal(ipos, blen);   /* trailer bytes are counted in consumed */
	assert_int_equal(opos, len);
	assert_memory_equal(out, data, len);
	ts_check_ctx_limits(&s, first64, 0x99);
	free(out);
	return reqs;
}

static void
test_decompress_chunkings(void **state)
{
	static const uint32_t osz[] = { 16, 100, 4096, 70000, 300000 + 64 };
	struct tz t;
	size_t len = 300000;

	(void)state;
	tz_init(&t, 16, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int kind = 0; kind < 4; kind++) {
		uint8_t *d = tz_data(len, kind, 61 + kind);

		for (unsigned int ty = 0; ty < 2; ty++) {
			size_t zlen;
			uint8_t *z =
				tz_zlib_deflate(types[ty], 1 + 2 * (int)kind, 15, d, len, &zlen);
			unsigned int hl;

			tz_header(types[ty], &hl);
			for (unsigned int mode = 0; mode < 7; mode++) {
				for (unsigned int o = 0; o < 5; o++) {
					/* keep the 1-byte-chunk and 16-byte-output runs short */
					size_t l = len;
					uint8_t *zz = z;
					size_t zzl = zlen;

					if ((mode <= 1 || o <= 1) && kind != WD_TEST_DATA_ZEROS) {
						l = 5000;
						zz = tz_zlib_deflate(types[ty], 6, 15, d, l, &zzl);
					}
					stream_decompress(&t, types[ty], zz + hl, zzl - hl, d, l,
							  mode, osz[o]);
					if (zz != z)
						free(zz);
					tz_reset_alloc(&t);
				}
			}
			free(z);
		}
		free(d);
	}
	tz_fini(&t);
}

/* Output full with all input consumed: the rest comes out of empty requests. */
static void
test_decompress_drain(void **state)
{
	struct tz t;
	size_t len = 1u << 20, zlen;
	uint8_t *d = calloc(1, len), *z, *out = malloc(len);

	(void)state;
	tz_init(&t, 8, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int ty = 0; ty < 2; ty++) {
		struct ts s;
		struct tsqe q;
		unsigned int hl, st, drains = 0;
		size_t ipos = 0, opos = 0;

		z = tz_zlib_deflate(types[ty], 9, 15, d, len, &zlen);
		tz_header(types[ty], &hl);
		ts_open(&s, &t, types[ty], HZM_SQC_DECOMPRESS);
		/* everything in one request, 64 KiB of output room */
		st = ts_req(&s, z + hl, (uint32_t)(zlen - hl), out, 65536, false, &q);
		assert_int_equal(st, HZM_ST_OK);
		assert_int_equal(q.dw[1], 65536);
		assert_true((q.dw[15] & 0xf) == 1 || (q.dw[15] & 0xf) == 2);
		assert_true(q.dw[15] & 0x80);   /* a single final block: BFINAL seen */
		ipos = q.dw[0];
		opos = q.dw[1];
		do {
			/* resend what was not consumed (maybe nothing: a pure drain) */
			st = ts_req(&s, z + hl + ipos, (uint32_t)(zlen - hl - ipos), out + opos,
				    65536, false, &q);
			assert_true(st == HZM_ST_OK || st == HZM_ST_DECOMP_END);
			ipos += q.dw[0];
			opos += q.dw[1];
			drains++;
			assert_true(drains < 100);
		} while (st != HZM_ST_DECOMP_END);
		assert_int_equal(opos, len);
		assert_int_equal(ipos, zlen - hl);
		assert_memory_equal(out, d, len);
		/*
		 * Pure drain: the body without its trailer, output cut inside the last
		 * match; once the body is used up, empty requests bring the rest out
		 * (UADK resends an empty request on ctx_st 1), then the trailer ends it.
		 */
		{
			unsigned int tl = types[ty] == HZM_REQ_GZIP ? 8 : 4;
			size_t blen = zlen - hl - tl;

			ts_restart(&s);
			st = ts_req(&s, z + hl, (uint32_t)blen, out, (uint32_t)(len - 100), false,
				    &q);
			assert_int_equal(st, HZM_ST_OK);
			assert_int_equal(q.dw[1], len - 100);
			assert_true((q.dw[15] & 0xf) == 1 || (q.dw[15] & 0xf) == 2);
			ipos = q.dw[0];
			opos = q.dw[1];
			for (drains = 0; ipos < blen; drains++) {
				assert_true(drains < 100);
				assert_int_equal(ts_req(&s, z + hl + ipos, (uint32_t)(blen - ipos),
							out + opos, 65536, false, &q), HZM_ST_OK);
				ipos += q.dw[0];
				opos += q.dw[1];
			}
			for (drains = 0; opos < len; drains++) {
				assert_true(drains < 100);
				assert_int_equal(ts_req(&s, "", 0, out + opos, 65536, false, &q),
						 HZM_ST_OK);
				assert_true(q.dw[1] > 0);
				opos += q.dw[1];
			}
			st = ts_req(&s, z + hl + blen, tl, out + opos, 65536, false, &q);
			assert_int_equal(q.dw[0], tl);
			assert_int_equal(q.dw[1], 0);
			assert_memory_equal(out, d, len);
		}
		assert_int_equal(st, HZM_ST_DECOMP_END);
		assert_int_equal(opos, len);
		free(z);
	}
	tz_fini(&t);
	free(d);
	free(out);
}

/* Bit 27 restarts everything; stale dw15/28-31 of the previous stream are ignored. */
static void
test_new_stream_ignores_stale(void **state)
{
	struct tz t;
	uint8_t *a = tz_data(50000, WD_TEST_DATA_TEXT, 71),
		*b = tz_data(40000, WD_TEST_DATA_MIXED, 72);
	uint8_t out[120000];

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int ty = 0; ty < 2; ty++) {
		struct ts s;
		struct tsqe q;
		unsigned int hl;
		size_t n;

		/* compression: stream A, then B on the same session with A's words in the SQE */
		ts_open(&s, &t, types[ty], HZM_SQC_COMPRESS);
		{
			const uint8_t *hdr = tz_header(types[ty], &hl);

			memcpy(out, hdr, hl);
		}
		n = hl;
		assert_int_equal(ts_req(&s, a, 30000, out + n, 40000, false, &q), HZM_ST_OK);
		n += q.dw[1];
		assert_int_equal(ts_req(&s, a + 30000, 20000, out + n, 30000, true, &q), HZM_ST_OK);
		n += q.dw[1];
		ts_expect_running(&s, a, 50000);
		check_inflates(types[ty], out, n, a, 50000);
		for (int garbage = 0; garbage < 2; garbage++) {
			ts_restart(&s);
			if (garbage) {
				s.ctx0 = s.ctx1 = s.ctx2 = s.isize = s.checksum = 0xffffffffu;
			}
			n = hl;
			assert_int_equal(ts_req(&s, b, 25000, out + n, 40000, false, &q),
					 HZM_ST_OK);
			n += q.dw[1];
			ts_expect_running(&s, b, 25000);
			assert_int_equal(ts_req(&s, b + 25000, 15000, out + n, 30000, true, &q),
					 HZM_ST_OK);
			n += q.dw[1];
			ts_expect_running(&s, b + 25000, 15000);
			check_inflates(types[ty], out, n, b, 40000);
		}
		/* decompression: the same, including a restart in the middle of a stream */
		{
			size_t za, zb;
			uint8_t *zA = tz_zlib_deflate(types[ty], 6, 15, a, 50000, &za);
			uint8_t *zB = tz_zlib_deflate(types[ty], 6, 15, b, 40000, &zb);

			ts_open(&s, &t, types[ty], HZM_SQC_DECOMPRESS);
			assert_int_equal(ts_req(&s, zA + hl, (uint32_t)(za - hl) / 2, out, 60000,
						false, &q), HZM_ST_OK);
			ts_restart(&s);   /* abandon A half-way */
			assert_int_equal(ts_req(&s, zB + hl, (uint32_t)(zb - hl), out, 60000, false,
						&q), HZM_ST_DECOMP_END);
			assert_int_equal(q.dw[1], 40000);
			assert_memory_equal(out, b, 40000);
			ts_expect_running(&s, b, 40000);
			ts_restart(&s);   /* after an end, with B's words still in the SQE */
			assert_int_equal(ts_req(&s, zA + hl, (uint32_t)(za - hl), out, 60000, false,
						&q), HZM_ST_DECOMP_END);
			assert_int_equal(q.dw[1], 50000);
			assert_memory_equal(out, a, 50000);
			free(zA);
			free(zB);
		}
	}
	tz_fini(&t);
	free(a);
	free(b);
}

static void
test_context_errors(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(20000, WD_TEST_DATA_TEXT, 81), out[40000];
	size_t zlen;
	uint8_t *z = tz_zlib_deflate(HZM_REQ_GZIP, 6, 15, d, 20000, &zlen);
	struct ts s;
	struct tsqe q;
	uint32_t saved;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int dir = 0; dir < 2; dir++) {
		const uint8_t *in = dir == HZM_SQC_COMPRESS ? d : z + 10;
		uint32_t in1 = dir == HZM_SQC_COMPRESS ? 5000 : 100;

		/* a continuing request on a zeroed session buffer */
		ts_open(&s, &t, HZM_REQ_GZIP, dir);
		s.new_stream = false;
		assert_int_equal(ts_req(&s, in, in1, out, 40000, false, &q), HZM_ST_CTX_ERR);
		assert_int_equal(q.dw[0], 0);
		assert_int_equal(q.dw[1], 0);
		/* ctx words not chained from the previous completion */
		ts_restart(&s);
		assert_int_equal(ts_req(&s, in, in1, out, 40000, false, &q), HZM_ST_OK);
		saved = s.ctx2;
		s.ctx2 ^= 0x10000;
		assert_int_equal(ts_req(&s, in + in1, in1, out, 40000, false, &q), HZM_ST_CTX_ERR);
		/* an error leaves the stream as it was: chained properly it goes on */
		s.ctx2 = saved;
		assert_int_equal(ts_req(&s, in + in1, in1, out, 40000, false, &q), HZM_ST_OK);
		/* request type changed in the middle of the stream */
		s.type = HZM_REQ_ZLIB;
		assert_int_equal(ts_req(&s, in + 2 * in1, in1, out, 40000, false, &q),
				 HZM_ST_CTX_ERR);
		s.type = HZM_REQ_GZIP;
		/* the queue direction changed */
		s.dir ^= 1;
		assert_int_equal(ts_req(&s, in + 2 * in1, in1, out, 40000, false, &q),
				 HZM_ST_CTX_ERR);
		s.dir ^= 1;
	}
	/* a request after the end of a stream */
	ts_open(&s, &t, HZM_REQ_ZLIB, HZM_SQC_COMPRESS);
	assert_int_equal(ts_req(&s, d, 1000, out, 2000, true, &q), HZM_ST_OK);
	assert_int_equal(ts_req(&s, d, 1000, out, 2000, true, &q), HZM_ST_CTX_ERR);
	ts_open(&s, &t, HZM_REQ_GZIP, HZM_SQC_DECOMPRESS);
	assert_int_equal(ts_req(&s, z + 10, (uint32_t)(zlen - 10), out, 40000, false, &q),
			 HZM_ST_DECOMP_END);
	assert_int_equal(ts_req(&s, z + 10, 10, out, 40000, false, &q), HZM_ST_CTX_ERR);
	tz_fini(&t);
	free(d);
	free(z);
}

static void
test_stream_data_errors(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(60000, WD_TEST_DATA_MIXED, 91), *out = malloc(70000);
	size_t zlen;
	uint8_t *z = tz_zlib_deflate(HZM_REQ_ZLIB, 6, 15, d, 60000, &zlen);
	struct ts s;
	struct tsqe q;
	size_t ipos = 0;
	unsigned int st;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	/* trailer mismatch arriving in pieces: 0x10 at the end */
	z[zlen - 1] ^= 1;
	ts_open(&s, &t, HZM_REQ_ZLIB, HZM_SQC_DECOMPRESS);
	do {
		size_t rem = zlen - 2 - ipos, c = rem > 1000 ? 1000 : rem;

		st = ts_req(&s, z + 2 + ipos, (uint32_t)c, out, 70000, false, &q);
		ipos += q.dw[0];
	} while (st == HZM_ST_OK && ipos < zlen - 2);
	assert_int_equal(st, HZM_ST_CRC_ERR);
	assert_int_equal(ipos, zlen - 2);
	z[zlen - 1] ^= 1;
	/* invalid deflate data after a valid block: error, then the stream is dead */
	{
		static const uint8_t blk[] = {0x00, 0x05, 0x00, 0xfa, 0xff,
					      'h',  'e',  'l',	'l',  'o'};
		static const uint8_t bad[] = { 0x07, 0x00 };   /* BFINAL, BTYPE 11 */

		ts_restart(&s);
		assert_int_equal(ts_req(&s, blk, sizeof(blk), out, 70000, false, &q), HZM_ST_OK);
		assert_int_equal(q.dw[1], 5);
		assert_int_equal(ts_req(&s, bad, sizeof(bad), out, 70000, false, &q),
				 HZM_ST_DATA_ERR);
		assert_int_equal(ts_req(&s, z + 2, 1000, out, 70000, false, &q), HZM_ST_CTX_ERR);
	}
	tz_fini(&t);
	free(d);
	free(z);
	free(out);
}

static void
test_compress_dest_too_small(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(30000, WD_TEST_DATA_RANDOM, 101), *z = malloc(80000);

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int ty = 0; ty < 2; ty++) {
		struct ts s;
		struct tsqe q;
		unsigned int hl;
		size_t n;
		uint32_t before[5];

		ts_open(&s, &t, types[ty], HZM_SQC_COMPRESS);
		{
			const uint8_t *hdr = tz_header(types[ty], &hl);

			memcpy(z, hdr, hl);
		}
		n = hl;
		/* first request of the stream fails: the retry (bit 27 clear, UADK) works */
		assert_int_equal(ts_req(&s, d, 10000, z + n, 64, false, &q), HZM_ST_DSTLEN_OUT);
		assert_int_equal(q.dw[0], 0);
		assert_int_equal(q.dw[1], 0);
		assert_int_equal(ts_req(&s, d, 10000, z + n, 12000, false, &q), HZM_ST_OK);
		n += q.dw[1];
		/* in the middle: the state words come back unchanged, the retry works */
		before[0] = s.ctx0;
		before[1] = s.ctx1;
		before[2] = s.ctx2;
		before[3] = s.isize;
		before[4] = s.checksum;
		assert_int_equal(ts_req(&s, d + 10000, 10000, z + n, 5000, false, &q),
				 HZM_ST_DSTLEN_OUT);
		assert_int_equal(s.ctx0, before[0]);
		assert_int_equal(s.ctx1, before[1]);
		assert_int_equal(s.ctx2, before[2]);
		assert_int_equal(s.isize, before[3]);
		assert_int_equal(s.checksum, before[4]);
		assert_int_equal(ts_req(&s, d + 10000, 10000, z + n, 12000, false, &q), HZM_ST_OK);
		n += q.dw[1];
		/* a FINISH that does not fit does not end the stream */
		assert_int_equal(ts_req(&s, d + 20000, 10000, z + n, 10004, true, &q),
				 HZM_ST_DSTLEN_OUT);
		assert_int_equal(ts_req(&s, d + 20000, 10000, z + n, 12000, true, &q), HZM_ST_OK);
		n += q.dw[1];
		ts_expect_running(&s, d, 30000);
		check_inflates(types[ty], z, n, d, 30000);
	}
	tz_fini(&t);
	free(d);
	free(z);
}

/*
 * All of a stream's state is in its context buffer, as on silicon: more
 * streams in the middle of a block than any table in a device would hold
 * all go on; a stream goes on with a new engine (what a function reset
 * leaves) and from a copy of its buffer at another address.
 */
static void
test_state_in_context(void **state)
{
	enum { NS = 1100 };
	struct tz t;
	uint8_t *d = tz_data(30000, WD_TEST_DATA_TEXT, 111), out[40000];
	size_t zlen;
	uint8_t *z = tz_zlib_deflate(HZM_REQ_ZLIB, 6, 15, d, 30000, &zlen);
	uint8_t *buf = malloc(CTX_BUF_SIZE);
	struct ts c, *s = calloc(NS, sizeof(*s));
	struct tsqe q;
	struct hzm_zip_cfg cfg = { .mode = HZIP_MODEL_ENGINE_REAL };
	unsigned int hl = 2;
	uint64_t moved;
	size_t n;

	(void)state;
	assert_non_null(s);
	assert_non_null(buf);
	tz_init(&t, 80, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	ts_open(&c, &t, HZM_REQ_ZLIB, HZM_SQC_COMPRESS);
	memcpy(out, tz_header(HZM_REQ_ZLIB, &hl), 2);
	n = hl;
	assert_int_equal(ts_req(&c, d, 15000, out + n, 20000, false, &q), HZM_ST_OK);
	n += q.dw[1];
	for (unsigned int i = 0; i < NS; i++) {
		uint32_t first = 500 + i % 300;

		ts_open(&s[i], &t, HZM_REQ_ZLIB, HZM_SQC_DECOMPRESS);
		assert_int_equal(ts_req(&s[i], z + 2, first, NULL, 40000, false, &q), HZM_ST_OK);
		assert_int_equal(q.dw[0], first);
		assert_true(q.dw[1] > 0);
	}
	/* a new engine: nothing of the streams was in the old one */
	hzm_zip_destroy(t.z);
	assert_int_equal(hzm_zip_create(&cfg, &t.z), 0);
	assert_int_equal(ts_req(&c, d + 15000, 15000, out + n, 20000, true, &q), HZM_ST_OK);
	n += q.dw[1];
	check_inflates(HZM_REQ_ZLIB, out, n, d, 30000);
	/* stream 0 from a copy of its buffer elsewhere, the original wiped */
	g_read(&t, s[0].ctxbuf, buf, CTX_BUF_SIZE);
	moved = g_alloc(&t, CTX_BUF_SIZE, 4096);
	g_write(&t, moved, buf, CTX_BUF_SIZE);
	g_fill(&t, s[0].ctxbuf, 0, CTX_BUF_SIZE);
	s[0].ctxbuf = moved;
	for (unsigned int i = 0; i < NS; i++) {
		uint32_t first = 500 + i % 300;

		/* the trailer's Adler-32 checks all the output of both requests */
		assert_int_equal(ts_req(&s[i], z + 2 + first, (uint32_t)(zlen - 2 - first), NULL,
					40000, false, &q), HZM_ST_DECOMP_END);
		assert_int_equal(s[i].isize, 30000);
	}
	tz_fini(&t);
	free(s);
	free(buf);
	free(d);
	free(z);
}

/* ---- one context, two requests at once ---- */

struct twin {
	struct tz *t;
	struct tsqe q;
	unsigned int st;
	pthread_barrier_t *go;
};

static void *
twin_run(void *arg)
{
	struct twin *w = arg;

	pthread_barrier_wait(w->go);
	w->st = tz_exec(w->t, &w->q, HZM_SQC_DECOMPRESS, NULL);
	return NULL;
}

/*
 * The same continuing request of one stream sent twice at once (a driver
 * bug): exactly one runs; the other fails 0x07, whether it came while the
 * first ran (the context is busy) or after (the record moved on). A check
 * of the record before the busy mark let both run, the second on state
 * the first had just replaced.
 */
static void
test_same_context_twice(void **state)
{
	size_t len = 2u << 20, zlen;
	uint8_t *d = tz_data(len, WD_TEST_DATA_TEXT, 5);
	uint8_t *z = tz_zlib_deflate(HZM_REQ_ZLIB, 6, 15, d, len, &zlen);
	unsigned int once = 0;
	pthread_barrier_t go;
	struct tz t;
	uint64_t src;

	(void)state;
	tz_init(&t, 32, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	src = g_alloc(&t, zlen, 64);
	g_write(&t, src, z, zlen);
	assert_int_equal(pthread_barrier_init(&go, NULL, 2), 0);
	for (unsigned int round = 0; round < 20; round++) {
		struct twin w[2];
		pthread_t th[2];
		struct tsqe q;
		struct ts s;

		ts_open(&s, &t, HZM_REQ_ZLIB, HZM_SQC_DECOMPRESS);
		assert_int_equal(ts_req(&s, z + 2, 1000, NULL, 40000, false, &q), HZM_ST_OK);
		for (unsigned int i = 0; i < 2; i++) {
			w[i].t = &t;
			w[i].go = &go;
			tsqe_init(&w[i].q, HZM_REQ_ZLIB, HZM_BUF_FLAT, s.win, HZM_DW7_STATEFUL,
				  src + 2 + q.dw[0], (uint32_t)(zlen - 2 - q.dw[0]),
				  g_alloc(&t, len, 64), (uint32_t)len);
			tsqe_set_ctx(&w[i].q, s.ctxbuf + CTX_HW_OFF);
			w[i].q.dw[15] = s.ctx0;
			w[i].q.dw[28] = s.ctx1;
			w[i].q.dw[29] = s.ctx2;
			w[i].q.dw[30] = s.isize;
			w[i].q.dw[31] = s.checksum;
			assert_int_equal(pthread_create(&th[i], NULL, twin_run, &w[i]), 0);
		}
		for (unsigned int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		/* one ran to the end of the stream, the other did nothing */
		assert_true((w[0].st == HZM_ST_DECOMP_END && w[1].st == HZM_ST_CTX_ERR) ||
			    (w[1].st == HZM_ST_DECOMP_END && w[0].st == HZM_ST_CTX_ERR));
		once += w[0].st == HZM_ST_DECOMP_END;
		t.brk = s.ctxbuf + CTX_BUF_SIZE - TZ_IOVA_BASE;
	}
	print_message("20 rounds: the first thread's request ran in %u\n", once);
	pthread_barrier_destroy(&go);
	tz_fini(&t);
	free(d);
	free(z);
}

/* ---- several engine threads on one device, different streams ---- */

struct mt {
	struct tz *t;
	unsigned int id;
	uint64_t src, dst, ctx;   /* guest buffers owned by this thread */
	const uint8_t *data;
	size_t len;
	unsigned long errors;     /* checked by the main thread */
	unsigned long streams;
};

static unsigned int
mt_exec(struct mt *m, uint32_t *dw, unsigned int dir)
{
	struct hzm_zip_result res;
	uint8_t raw[128];

	memcpy(raw, dw, 128);
	hzm_iommu_begin(m->t->mmu);
	hzm_zip_exec(m->t->z, m->t->mmu, raw, dir, &res);
	hzm_iommu_end(m->t->mmu);
	memcpy(dw, raw, 128);
	return dw[3] & 0xff;
}

static void *
mt_worker(void *arg)
{
	struct mt *m = arg;
	uint8_t *z = malloc(m->len * 2 + 1024), *back = malloc(m->len + 64);

	for (unsigned int round = 0; round < 6; round++) {
		unsigned int type = (m->id + round) % 2 ? HZM_REQ_GZIP : HZM_REQ_ZLIB, hl;
		uint32_t w[5] = { 0 }, dw[32];
		size_t pos = 0, zn, bpos = 0, ipos = 0;
		uint8_t *dec;
		size_t dec_len;

		memcpy(z, tz_header(type, &hl), type == HZM_REQ_GZIP ? 10 : 2);
		zn = hl;
		/* compress as a stream of uneven chunks */
		for (unsigned int i = 0; pos < m->len; i++) {
			size_t c = 3000 + (size_t)(m->id * 7919 + i * 4099) % 30000;
			bool last;

			if (c > m->len - pos)
				c = m->len - pos;
			last = pos + c == m->len;
			g_write(m->t, m->src, m->data + pos, c);
			memset(dw, 0, sizeof(dw));
			dw[4] = (uint32_t)c;
			dw[7] = HZM_DW7_STATEFUL | (i == 0 ? HZM_DW7_NEW_STREAM : 0) |
				(last ? HZM_DW7_FLUSH_FINISH : 0);
			dw[9] = type | 4u << 12;
			dw[14] = (uint32_t)(c + c / 8 + 64);
			dw[18] = (uint32_t)m->src;
			dw[19] = (uint32_t)(m->src >> 32);
			dw[20] = (uint32_t)m->dst;
			dw[21] = (uint32_t)(m->dst >> 32);
			dw[22] = (uint32_t)m->ctx;
			dw[23] = (uint32_t)(m->ctx >> 32);
			dw[15] = w[0];
			dw[28] = w[1];
			dw[29] = w[2];
			dw[30] = w[3];
			dw[31] = w[4];
			if (mt_exec(m, dw, HZM_SQC_COMPRESS) != HZM_ST_OK) {
				m->errors++;
				goto out;
			}
			w[0] = dw[15];
			w[1] = dw[28];
			w[2] = dw[29];
			w[3] = dw[30];
			w[4] = dw[31];
			g_read(m->t, m->dst, z + zn, dw[1]);
			zn += dw[1];
			pos += c;
		}
		if (tz_zlib_inflate(type, z, zn, &dec, &dec_len) != Z_OK || dec_len != m->len ||
		    memcmp(dec, m->data, m->len) != 0) {
			m->errors++;
			goto out;
		}
		free(dec);
		/* and back, through the engine, small output buffers */
		memset(w, 0, sizeof(w));
		for (unsigned int i = 0;; i++) {
			size_t c = zn - hl - ipos > 7000 ? 7000 : zn - hl - ipos;
			unsigned int st;

			g_write(m->t, m->src, z + hl + ipos, c);
			memset(dw, 0, sizeof(dw));
			dw[4] = (uint32_t)c;
			dw[7] = HZM_DW7_STATEFUL | (i == 0 ? HZM_DW7_NEW_STREAM : 0);
			dw[9] = type;
			dw[14] = 9000;
			dw[18] = (uint32_t)m->src;
			dw[19] = (uint32_t)(m->src >> 32);
			dw[20] = (uint32_t)m->dst;
			dw[21] = (uint32_t)(m->dst >> 32);
			dw[22] = (uint32_t)m->ctx;
			dw[23] = (uint32_t)(m->ctx >> 32);
			dw[15] = w[0];
			dw[28] = w[1];
			dw[29] = w[2];
			dw[30] = w[3];
			dw[31] = w[4];
			st = mt_exec(m, dw, HZM_SQC_DECOMPRESS);
			if ((st != HZM_ST_OK && st != HZM_ST_DECOMP_END) || bpos + dw[1] > m->len ||
			    i > 100000) {
				m->errors++;
				goto out;
			}
			w[0] = dw[15];
			w[1] = dw[28];
			w[2] = dw[29];
			w[3] = dw[30];
			w[4] = dw[31];
			g_read(m->t, m->dst, back + bpos, dw[1]);
			bpos += dw[1];
			ipos += dw[0];
			if (st == HZM_ST_DECOMP_END)
				break;
		}
		if (bpos != m->len || memcmp(back, m->data, m->len) != 0) {
			m->errors++;
			goto out;
		}
		m->streams++;
	}
out:
	free(z);
	free(back);
	return NULL;
}

static void
test_concurrent_streams(void **state)
{
	enum { NT = 4 };
	struct tz t;
	struct mt m[NT];
	pthread_t th[NT];
	size_t len = 150000;
	uint8_t *d[NT];

	(void)state;
	tz_init(&t, 8, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int i = 0; i < NT; i++) {
		d[i] = tz_data(len, i % 4, 900 + i);
		m[i] = (struct mt){
			.t = &t, .id = i, .data = d[i], .len = len,
			.src = g_alloc(&t, 40000, 4096),
			.dst = g_alloc(&t, 40000, 4096),
			.ctx = g_alloc(&t, 0x10000, 4096) + 64,
		};
	}
	for (unsigned int i = 0; i < NT; i++)
		assert_int_equal(pthread_create(&th[i], NULL, mt_worker, &m[i]), 0);
	for (unsigned int i = 0; i < NT; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(m[i].errors, 0);
		assert_int_equal(m[i].streams, 6);
		free(d[i]);
	}
	tz_fini(&t);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compress_chunkings),
		cmocka_unit_test(test_compress_single_and_empty),
		cmocka_unit_test(test_sync_flush_prefix),
		cmocka_unit_test(test_compress_window_stream),
		cmocka_unit_test(test_compress_store_and_zlib_backends),
		cmocka_unit_test(test_decompress_chunkings),
		cmocka_unit_test(test_decompress_drain),
		cmocka_unit_test(test_new_stream_ignores_stale),
		cmocka_unit_test(test_context_errors),
		cmocka_unit_test(test_stream_data_errors),
		cmocka_unit_test(test_compress_dest_too_small),
		cmocka_unit_test(test_state_in_context),
		cmocka_unit_test(test_same_context_twice),
		cmocka_unit_test(test_concurrent_streams),
	};
	int rc;

	(void)argc;
	wd_test_eal_init(argv[0], 64);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	wd_test_eal_cleanup();
	return rc;
}
