/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ZIP engine conformance, stateless requests (reference sections 10, 11,
 * 17): zlib and gzip each way cross-checked with zlib, sizes 0 B .. 8 MiB,
 * the corpus, status codes, limits, window field, request types, the store
 * engine and the zlib fallback. SQEs are built from the reference.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "test_model_zip_util.h"
#include "wd_test.h"

#define MIB (1u << 20)

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

/* dw31 / dw30 as section 17.1 defines them for @p data */
static void
expect_checksum(const struct tsqe *s, unsigned int type, const uint8_t *data, size_t len)
{
	if (type == HZM_REQ_ZLIB) {
		assert_int_equal(s->dw[31],
				 (uint32_t)adler32(adler32(0, NULL, 0), data, (uInt)len));
	} else {
		uint32_t crc = (uint32_t)crc32(crc32(0, NULL, 0), data, (uInt)len);

		assert_int_equal(s->dw[31], bitrev32(~crc));
	}
	assert_int_equal(s->dw[30], (uint32_t)len);
}

/* Compress with the engine, prepend the driver's header, inflate with zlib. */
static void
roundtrip_compress(struct tz *t, unsigned int type, unsigned int win, const uint8_t *data,
		   size_t len, bool expect_fit)
{
	uint32_t cap = len + len / 8 + 64 > 8 * MIB ? 8 * MIB : (uint32_t)(len + len / 8 + 64);
	unsigned int hl;
	const uint8_t *hdr = tz_header(type, &hl);
	uint8_t *out = malloc(cap + hl), *dec = NULL;
	uint32_t consumed, produced;
	size_t dec_len;
	unsigned int st;
	uint64_t brk = t->brk;
	uint64_t src = g_alloc(t, len ? len : 1, 64), dst = g_alloc(t, cap, 64);
	struct tsqe s;

	assert_non_null(out);
	g_write(t, src, data, len);
	tsqe_init(&s, type, HZM_BUF_FLAT, win, 0x0a000000 /* UADK stateless */, src,
		  (uint32_t)len, dst, cap);
	st = tz_exec(t, &s, HZM_SQC_COMPRESS, NULL);
	consumed = s.dw[0];
	produced = s.dw[1];
	if (!expect_fit) {
		assert_int_equal(st, HZM_ST_DSTLEN_OUT);
		assert_int_equal(produced, 0);
		goto out;
	}
	if (st != HZM_ST_OK && st != HZM_ST_NEGACOMPRESS)
		fail_msg("compress %zu bytes type %u: status 0x%x", len, type, st);
	assert_int_equal(consumed, len);
	assert_true(produced <= cap);
	/* 0x0d exactly when the deflate body is not smaller than the input (real engine) */
	if (t->store)
		assert_int_equal(st, HZM_ST_OK);
	else if (len > 0)
		assert_int_equal(st == HZM_ST_NEGACOMPRESS,
				 produced - (type == HZM_REQ_GZIP ? 8 : 4) >= len);
	else
		assert_int_equal(st, HZM_ST_OK);
	assert_int_equal(s.dw[2], produced);
	expect_checksum(&s, type, data, len);
	memcpy(out, hdr, hl);
	g_read(t, dst, out + hl, produced);
	assert_int_equal(tz_zlib_inflate(type, out, hl + produced, &dec, &dec_len), Z_OK);
	assert_int_equal(dec_len, len);
	assert_memory_equal(dec, data, len);
	free(dec);
out:
	free(out);
	t->brk = brk;
}

/* Compress with zlib, hand the body to the engine (the driver skips the header). */
static void
roundtrip_decompress(struct tz *t, unsigned int type, int level, const uint8_t *data, size_t len)
{
	size_t zlen;
	uint8_t *z = tz_zlib_deflate(type, level, 15, data, len, &zlen);
	unsigned int hl, st;
	uint32_t consumed, produced, cap = len > 16 ? (uint32_t)len : 16;
	uint8_t *out = malloc(cap);

	assert_non_null(out);
	tz_header(type, &hl);
	st = tz_oneshot(t, HZM_SQC_DECOMPRESS, type, 0, z + hl, (uint32_t)(zlen - hl), out, cap,
			&consumed, &produced);
	if (st != TZ_STATELESS_END)
		fail_msg("decompress %zu bytes type %u level %d: status 0x%x", len, type, level,
			 st);
	assert_int_equal(consumed, zlen - hl);   /* trailer counted */
	assert_int_equal(produced, len);
	assert_memory_equal(out, data, len);
	free(out);
	free(z);
}

static void
test_roundtrip_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 15, 16, 100, 1000, 4095, 4096, 4097, 65535,
					65536, 65537, 200000, MIB + 3 };
	struct tz t;

	(void)state;
	tz_init(&t, 16, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int k = 0; k < 4; k++) {
		for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			uint8_t *d = tz_data(sizes[i], k, 1000 + i);

			for (unsigned int ty = 0; ty < 2; ty++) {
				roundtrip_compress(&t, types[ty], 4, d, sizes[i], true);
				roundtrip_decompress(&t, types[ty], (int)(1 + (i + k) % 9), d,
						     sizes[i]);
			}
			free(d);
		}
	}
	tz_fini(&t);
}

static void
test_8mib(void **state)
{
	struct tz t;
	uint8_t *d;

	(void)state;
	tz_init(&t, 40, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	d = tz_data(8 * MIB, WD_TEST_DATA_MIXED, 77);
	for (unsigned int ty = 0; ty < 2; ty++) {
		roundtrip_compress(&t, types[ty], 4, d, 8 * MIB, true);
		roundtrip_decompress(&t, types[ty], 1, d, 8 * MIB);
	}
	free(d);
	/* 8 MiB of random data does not fit in 8 MiB even as stored blocks */
	d = tz_data(8 * MIB, WD_TEST_DATA_RANDOM, 78);
	roundtrip_compress(&t, HZM_REQ_GZIP, 4, d, 8 * MIB, false);
	/* ... but a little less does, as stored blocks with status 0x0d */
	roundtrip_compress(&t, HZM_REQ_ZLIB, 4, d, 8 * MIB - 1024, true);
	free(d);
	tz_fini(&t);
}

static void
test_corpus(void **state)
{
	struct tz t;
	unsigned int n = 0;
	uint8_t *d;
	size_t len;
	const char *name;

	(void)state;
	if (wd_test_corpus_dir() == NULL) {
		print_message("corpus absent: corpus cases skipped\n");
		skip();
	}
	tz_init(&t, 24, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int i = 0; (d = tz_corpus(i, &len, &name)) != NULL; i++, n++) {
		for (unsigned int ty = 0; ty < 2; ty++) {
			roundtrip_compress(&t, types[ty], 4, d, len, true);
			roundtrip_decompress(&t, types[ty], 6, d, len);
		}
		free(d);
	}
	assert_true(n > 0);
	tz_fini(&t);
}

static void
test_zero_length(void **state)
{
	struct tz t;
	uint8_t out[64];
	uint32_t consumed, produced;

	(void)state;
	tz_init(&t, 2, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int ty = 0; ty < 2; ty++) {
		/* a valid stream of nothing: final block + trailer */
		roundtrip_compress(&t, types[ty], 0, (const uint8_t *)"", 0, true);
		roundtrip_decompress(&t, types[ty], 6, (const uint8_t *)"", 0);
		/* the source address of an empty input is not accessed (even if unmapped) */
		{
			uint64_t dst = g_alloc(&t, 64, 64);
			struct tsqe s;

			tsqe_init(&s, types[ty], HZM_BUF_FLAT, 0, 0, 0x10 /* unmapped */, 0, dst,
				  64);
			assert_int_equal(tz_exec(&t, &s, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
			assert_true(s.dw[1] >= (types[ty] == HZM_REQ_GZIP ? 8u : 4u) + 2u);
			assert_int_equal(hzm_iommu_fault_count(t.mmu), 0);
		}
		/* decompressing nothing is a truncated stream */
		assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, types[ty], 0, "", 0, out,
					    sizeof(out), &consumed, &produced), HZM_ST_TRUNC_ERR);
	}
	tz_fini(&t);
}

/*
 * An output that fills dest_avail_out exactly is a success, with either
 * deflate backend (zlib returns Z_OK, not Z_STREAM_END, whenever the room
 * runs out, and the zlib backend used to fail such requests with 0x0e),
 * and the same bytes as with room to spare; one byte less is 0x0e.
 */
static void
test_exact_fit(void **state)
{
	static const size_t sizes[] = { 100, 4096, 65536, 200000 };
	static const int kinds[] = { WD_TEST_DATA_TEXT, WD_TEST_DATA_ZEROS, WD_TEST_DATA_MIXED };
	const unsigned int nsizes = sizeof(sizes) / sizeof(sizes[0]);
	const unsigned int nkinds = sizeof(kinds) / sizeof(kinds[0]);
	const enum hzm_zip_backend be[] = { HZM_ZIP_BACKEND_AUTO, HZM_ZIP_BACKEND_ZLIB };

	(void)state;
	for (unsigned int b = 0; b < sizeof(be) / sizeof(be[0]); b++) {
		struct tz t;

		tz_init(&t, 8, HZIP_MODEL_ENGINE_REAL, be[b]);
		for (unsigned int ty = 0; ty < 2; ty++) {
			for (unsigned int k = 0; k < nkinds; k++) {
				for (unsigned int i = 0; i < nsizes; i++) {
					size_t len = sizes[i];
					uint8_t *d = tz_data(len, kinds[k], 7 + i);
					uint32_t cap = (uint32_t)(len + len / 8 + 256), c, p, p2;
					uint8_t *o1 = malloc(cap), *o2 = malloc(cap);
					unsigned int st;

					assert_non_null(o1);
					assert_non_null(o2);
					st = tz_oneshot(&t, HZM_SQC_COMPRESS, types[ty], 4, d,
							(uint32_t)len, o1, cap, &c, &p);
					assert_int_equal(st, HZM_ST_OK);
					/* below 0x10 bytes of room the device ignores a request */
					if (p <= 0x10)
						goto next;
					st = tz_oneshot(&t, HZM_SQC_COMPRESS, types[ty], 4, d,
							(uint32_t)len, o2, p, &c, &p2);
					if (st != HZM_ST_OK)
						fail_msg("backend %u type %u kind %d %zu bytes "
							 "into exactly %u: status 0x%x", b,
							 types[ty], kinds[k], len, p, st);
					assert_int_equal(c, len);
					assert_int_equal(p2, p);
					assert_memory_equal(o2, o1, p);
					st = tz_oneshot(&t, HZM_SQC_COMPRESS, types[ty], 4, d,
							(uint32_t)len, o2, p - 1, &c, &p2);
					assert_int_equal(st, HZM_ST_DSTLEN_OUT);
next:
					free(o1);
					free(o2);
					free(d);
				}
			}
		}
		tz_fini(&t);
	}
}

static void
test_dest_too_small(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(65536, WD_TEST_DATA_TEXT, 5), *out = malloc(65536);
	size_t zlen;
	uint8_t *z;
	uint32_t consumed, produced;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int ty = 0; ty < 2; ty++) {
		unsigned int hl;

		assert_int_equal(tz_oneshot(&t, HZM_SQC_COMPRESS, types[ty], 4, d, 65536, out, 100,
					    &consumed, &produced), HZM_ST_DSTLEN_OUT);
		assert_int_equal(consumed, 0);
		assert_int_equal(produced, 0);
		/* room for the body but not for the trailer */
		z = tz_zlib_deflate(types[ty], 1, 15, d, 65536, &zlen);
		tz_header(types[ty], &hl);
		assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, types[ty], 0, z + hl,
					    (uint32_t)(zlen - hl), out, 65535, &consumed,
					    &produced),
				 HZM_ST_DSTLEN_OUT);
		assert_int_equal(consumed, 0);
		assert_int_equal(produced, 0);
		assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, types[ty], 0, z + hl,
					    (uint32_t)(zlen - hl), out, 65536, &consumed,
					    &produced),
				 TZ_STATELESS_END);
		free(z);
	}
	/* body fits, trailer does not: a gzip stream of 10 bytes of text needs > 16 bytes */
	assert_int_equal(tz_oneshot(&t, HZM_SQC_COMPRESS, HZM_REQ_GZIP, 4, d, 10, out, 16,
				    &consumed, &produced), HZM_ST_DSTLEN_OUT);
	tz_fini(&t);
	free(d);
	free(out);
}

static void
test_negacompress(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(4096, WD_TEST_DATA_RANDOM, 9), *out = malloc(8192), *dec;
	uint32_t consumed, produced;
	size_t dec_len;

	(void)state;
	tz_init(&t, 2, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	/* exactly one stored block + trailer fits */
	assert_int_equal(tz_oneshot(&t, HZM_SQC_COMPRESS, HZM_REQ_ZLIB, 4, d, 4096, out + 2,
				    4096 + 5 + 4, &consumed, &produced), HZM_ST_NEGACOMPRESS);
	assert_int_equal(consumed, 4096);
	assert_int_equal(produced, 4096 + 5 + 4);
	assert_int_equal(out[2], 0x01);  /* BFINAL, stored */
	out[0] = 0x78;
	out[1] = 0x9c;
	assert_int_equal(tz_zlib_inflate(HZM_REQ_ZLIB, out, 2 + produced, &dec, &dec_len), Z_OK);
	assert_int_equal(dec_len, 4096);
	assert_memory_equal(dec, d, 4096);
	free(dec);
	/* one byte less: 0x0e */
	assert_int_equal(tz_oneshot(&t, HZM_SQC_COMPRESS, HZM_REQ_ZLIB, 4, d, 4096, out,
				    4096 + 5 + 3, &consumed, &produced), HZM_ST_DSTLEN_OUT);
	/* compressible data: 0x00 */
	memset(d, 'x', 4096);
	assert_int_equal(tz_oneshot(&t, HZM_SQC_COMPRESS, HZM_REQ_GZIP, 4, d, 4096, out, 8192,
				    &consumed, &produced), HZM_ST_OK);
	assert_true(produced < 100);
	tz_fini(&t);
	free(d);
	free(out);
}

static void
test_tiny_output_ignored(void **state)
{
	struct tz t;
	uint64_t src, dst;
	uint8_t guard[32];
	struct tsqe s;

	(void)state;
	tz_init(&t, 2, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	src = g_alloc(&t, 100, 64);
	dst = g_alloc(&t, 32, 64);
	g_fill(&t, src, 'a', 100);
	g_fill(&t, dst, 0xee, 32);
	for (unsigned int dir = 0; dir < 2; dir++) {
		tsqe_init(&s, HZM_REQ_ZLIB, HZM_BUF_FLAT, 0, 0, src, 100, dst,
			  HZM_MIN_AVAIL_OUT - 1);
		s.dw[15] = 0x11;
		s.dw[28] = 0x22;
		s.dw[29] = 0x33;
		s.dw[30] = 0x44;
		s.dw[31] = 0x55;
		assert_int_equal(tz_exec(&t, &s, dir, NULL), HZM_ST_OK);
		assert_int_equal(s.dw[0], 0);
		assert_int_equal(s.dw[1], 0);
		assert_false(tsqe_last(&s));
		assert_int_equal(s.dw[15], 0x11);
		assert_int_equal(s.dw[28], 0x22);
		assert_int_equal(s.dw[29], 0x33);
		assert_int_equal(s.dw[30], 0x44);
		assert_int_equal(s.dw[31], 0x55);
		g_read(&t, dst, guard, sizeof(guard));
		for (unsigned int i = 0; i < sizeof(guard); i++)
			assert_int_equal(guard[i], 0xee);
	}
	/* 0x10 is processed */
	tsqe_init(&s, HZM_REQ_ZLIB, HZM_BUF_FLAT, 0, 0, src, 100, dst, HZM_MIN_AVAIL_OUT);
	assert_int_equal(tz_exec(&t, &s, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
	assert_true(s.dw[1] > 0);
	/*
	 * ... and so is everything below the 200 bytes of ref. 10.3 (UADK's
	 * stream-mode bounce threshold; the kernel passes any size): no error.
	 */
	{
		uint8_t d[150], z[300], o[199];
		uLongf zl = sizeof(z);
		uint32_t produced;

		for (unsigned int i = 0; i < sizeof(d); i++)
			d[i] = (uint8_t)('a' + i % 23);
		assert_int_equal(compress2(z, &zl, d, sizeof(d), 6), Z_OK);
		for (uint32_t cap = HZM_MIN_AVAIL_OUT; cap < 200; cap += 61) {
			uint32_t want = cap >= sizeof(d) ? TZ_STATELESS_END : HZM_ST_DSTLEN_OUT;

			assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, HZM_REQ_ZLIB, 0, z + 2,
						    (uint32_t)zl - 2, o, cap, NULL, &produced),
					 want);
			if (want == TZ_STATELESS_END) {
				assert_int_equal(produced, sizeof(d));
				assert_memory_equal(o, d, sizeof(d));
			}
		}
	}
	tz_fini(&t);
}

static void
test_limits(void **state)
{
	struct tz t;
	struct tsqe s;
	uint64_t buf;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	buf = g_alloc(&t, MIB, 64);
	for (unsigned int dir = 0; dir < 2; dir++) {
		tsqe_init(&s, HZM_REQ_GZIP, HZM_BUF_FLAT, 0, 0, buf, 8 * MIB + 1, buf, 4096);
		assert_int_equal(tz_exec(&t, &s, dir, NULL), HZM_ST_LEN_ERR);
		tsqe_init(&s, HZM_REQ_GZIP, HZM_BUF_FLAT, 0, 0, buf, 100, buf, 8 * MIB + 1);
		assert_int_equal(tz_exec(&t, &s, dir, NULL), HZM_ST_LEN_ERR);
		tsqe_init(&s, HZM_REQ_GZIP, HZM_BUF_FLAT, 0, 0, buf, 0xffffffffu, buf, 0xffffffffu);
		assert_int_equal(tz_exec(&t, &s, dir, NULL), HZM_ST_LEN_ERR);
		assert_int_equal(s.dw[0], 0);
		assert_int_equal(s.dw[1], 0);
	}
	assert_int_equal(hzm_iommu_fault_count(t.mmu), 0);
	tz_fini(&t);
}

static void
test_request_types(void **state)
{
	static const unsigned int bad[] = { 0x00, 0x01, 0x04, 0x05, 0x08, 0x10, 0x20, 0x30,
					    0x40, 0x41, 0x42, 0x43, 0xff };
	struct tz t;
	struct tsqe s;
	uint64_t src, dst;
	uint8_t guard[64];

	(void)state;
	tz_init(&t, 2, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	src = g_alloc(&t, 64, 64);
	dst = g_alloc(&t, 64, 64);
	g_fill(&t, src, 'q', 64);
	g_fill(&t, dst, 0x5c, 64);
	for (unsigned int dir = 0; dir < 2; dir++) {
		for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			tsqe_init(&s, bad[i], HZM_BUF_FLAT, 0, 0, src, 64, dst, 64);
			assert_int_equal(tz_exec(&t, &s, dir, NULL), HZM_ST_BAD_REQ);
		}
		/* v3 SQE type, buffer types other than flat/SGL, unknown queue type */
		tsqe_init(&s, HZM_REQ_ZLIB, HZM_BUF_FLAT, 0, 3u << 28, src, 64, dst, 64);
		assert_int_equal(tz_exec(&t, &s, dir, NULL), HZM_ST_BAD_REQ);
		tsqe_init(&s, HZM_REQ_ZLIB, 2, 0, 0, src, 64, dst, 64);
		assert_int_equal(tz_exec(&t, &s, dir, NULL), HZM_ST_BAD_REQ);
	}
	tsqe_init(&s, HZM_REQ_ZLIB, HZM_BUF_FLAT, 0, 0, src, 64, dst, 64);
	assert_int_equal(tz_exec(&t, &s, 2, NULL), HZM_ST_BAD_REQ);
	g_read(&t, dst, guard, sizeof(guard));
	for (unsigned int i = 0; i < sizeof(guard); i++)
		assert_int_equal(guard[i], 0x5c);
	tz_fini(&t);
}

/* Raw-inflate @p body with a window of exactly 2^wbits: fails on a longer distance. */
static int
inflate_window(const uint8_t *body, size_t len, int wbits, uint8_t *out, size_t cap)
{
	z_stream zs;
	int rc;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, -wbits), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)body;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	rc = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	return rc;
}

static void
test_window(void **state)
{
	static const int wbits[] = { 12, 13, 14, 14, 15 };
	struct tz t;
	size_t len = 256 * 1024;
	/*
	 * 16 random letters (compressible by Huffman coding only) repeating with a
	 * 20 KiB period: the repetition is visible through a 32K window only.
	 */
	uint8_t *d = tz_data(len, WD_TEST_DATA_RANDOM, 3), *out = malloc(len + 1024);
	uint8_t *dec = malloc(len);
	uint32_t consumed, produced, prev = 0;

	(void)state;
	for (size_t i = 0; i < len; i++)
		d[i] = i < 20000 ? (uint8_t)('a' + (d[i] & 15)) : d[i - 20000];
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int win = 0; win <= 4; win++) {
		assert_int_equal(tz_oneshot(&t, HZM_SQC_COMPRESS, HZM_REQ_ZLIB, win, d,
					    (uint32_t)len, out, (uint32_t)len + 1024, &consumed,
					    &produced), HZM_ST_OK);
		/* the body decodes with a window of the requested size */
		assert_int_equal(inflate_window(out, produced - 4, wbits[win], dec, len),
				 Z_STREAM_END);
		assert_memory_equal(dec, d, len);
		if (win == 4)
			assert_true(produced < prev / 2);  /* 32K reaches the 20K period */
		prev = produced;
	}
	for (unsigned int win = 5; win <= 15; win++)
		assert_int_equal(tz_oneshot(&t, HZM_SQC_COMPRESS, HZM_REQ_ZLIB, win, d, 100, out,
					    4096, NULL, NULL), HZM_ST_WIN_ERR);
	/* decompression ignores the field, whatever its value */
	{
		size_t zlen;
		uint8_t *z = tz_zlib_deflate(HZM_REQ_GZIP, 6, 15, d, len, &zlen);

		for (unsigned int win = 0; win <= 15; win += 5) {
			assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, HZM_REQ_GZIP, win,
						    z + 10, (uint32_t)(zlen - 10), dec,
						    (uint32_t)len, NULL, &produced),
					 TZ_STATELESS_END);
			assert_int_equal(produced, len);
		}
		free(z);
	}
	tz_fini(&t);
	free(d);
	free(out);
	free(dec);
}

static void
test_trailer_mismatch(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(30000, WD_TEST_DATA_TEXT, 4), *out = malloc(30000);
	uint32_t consumed, produced;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int ty = 0; ty < 2; ty++) {
		size_t zlen;
		uint8_t *z = tz_zlib_deflate(types[ty], 6, 15, d, 30000, &zlen);
		unsigned int hl, tl = types[ty] == HZM_REQ_GZIP ? 8 : 4;

		tz_header(types[ty], &hl);
		for (unsigned int k = 0; k < tl; k++) {
			z[zlen - tl + k] ^= 0x40;
			assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, types[ty], 0, z + hl,
						    (uint32_t)(zlen - hl), out, 30000, &consumed,
						    &produced), HZM_ST_CRC_ERR);
			assert_int_equal(consumed, zlen - hl);
			assert_int_equal(produced, 30000);
			z[zlen - tl + k] ^= 0x40;
		}
		/* trailer cut short */
		assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, types[ty], 0, z + hl,
					    (uint32_t)(zlen - hl - 1), out, 30000, NULL, NULL),
				 HZM_ST_TRUNC_ERR);
		/* garbage after the trailer is not consumed */
		{
			uint8_t *z2 = malloc(zlen + 7);

			memcpy(z2, z, zlen);
			memcpy(z2 + zlen, "GARBAGE", 7);
			assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, types[ty], 0, z2 + hl,
						    (uint32_t)(zlen + 7 - hl), out, 30000,
						    &consumed, &produced), TZ_STATELESS_END);
			assert_int_equal(consumed, zlen - hl);
			free(z2);
		}
		free(z);
	}
	tz_fini(&t);
	free(d);
	free(out);
}

static void
test_corrupt_data(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(50000, WD_TEST_DATA_MIXED, 8), *out = malloc(60000);
	size_t zlen;
	uint8_t *z = tz_zlib_deflate(HZM_REQ_ZLIB, 6, 15, d, 50000, &zlen);
	static const uint8_t bad_btype[] = { 0x07, 0x00, 0x00, 0x00 };    /* BTYPE 11 */
	static const uint8_t bad_nlen[] = { 0x01, 0x04, 0x00, 0x00, 0x00, 'a', 'b', 'c', 'd' };
	unsigned int st;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, HZM_REQ_ZLIB, 0, bad_btype,
				    sizeof(bad_btype), out, 100, NULL, NULL), HZM_ST_DATA_ERR);
	assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, HZM_REQ_ZLIB, 0, bad_nlen,
				    sizeof(bad_nlen), out, 100, NULL, NULL), HZM_ST_DATA_ERR);
	/* truncated deflate body */
	assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, HZM_REQ_ZLIB, 0, z + 2,
				    (uint32_t)(zlen - 2) / 2, out, 60000, NULL, NULL),
			 HZM_ST_TRUNC_ERR);
	/* bit flips in the body: never success, never a crash */
	for (unsigned int i = 0; i < 200; i++) {
		size_t pos = 2 + (i * 7919u) % (zlen - 6);

		z[pos] ^= (uint8_t)(1u << (i % 8));
		st = tz_oneshot(&t, HZM_SQC_DECOMPRESS, HZM_REQ_ZLIB, 0, z + 2,
				(uint32_t)(zlen - 2), out, 60000, NULL, NULL);
		assert_true(st == HZM_ST_DATA_ERR || st == HZM_ST_CRC_ERR ||
			    st == HZM_ST_TRUNC_ERR || st == HZM_ST_DSTLEN_OUT);
		z[pos] ^= (uint8_t)(1u << (i % 8));
	}
	tz_fini(&t);
	free(z);
	free(d);
	free(out);
}

static void
test_flat_ignores_sgl_offsets(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(5000, WD_TEST_DATA_TEXT, 6), *out = malloc(6000), *dec;
	uint64_t src, dst;
	struct tsqe s;
	size_t dec_len;

	(void)state;
	tz_init(&t, 2, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	src = g_alloc(&t, 5000, 64);
	dst = g_alloc(&t, 6000, 64);
	g_write(&t, src, d, 5000);
	tsqe_init(&s, HZM_REQ_ZLIB, HZM_BUF_FLAT, 4, 0x0a000000 | 123, src, 5000, dst, 6000);
	s.dw[8] = 77;
	assert_int_equal(tz_exec(&t, &s, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
	out[0] = 0x78;
	out[1] = 0x9c;
	g_read(&t, dst, out + 2, s.dw[1]);
	assert_int_equal(tz_zlib_inflate(HZM_REQ_ZLIB, out, 2 + s.dw[1], &dec, &dec_len), Z_OK);
	assert_int_equal(dec_len, 5000);
	assert_memory_equal(dec, d, 5000);
	free(dec);
	tz_fini(&t);
	free(d);
	free(out);
}

static void
test_store_engine(void **state)
{
	static const size_t sizes[] = { 0, 1, 4096, 65535, 65536, 200001 };
	struct tz t;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_STORE, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *d = tz_data(sizes[i], WD_TEST_DATA_TEXT, 40 + i);
		uint8_t *out = malloc(sizes[i] + 1024);
		uint32_t consumed, produced;

		for (unsigned int ty = 0; ty < 2; ty++) {
			unsigned int tl = types[ty] == HZM_REQ_GZIP ? 8 : 4;
			size_t blocks = sizes[i] ? (sizes[i] + 65534) / 65535 : 1;

			assert_int_equal(tz_oneshot(&t, HZM_SQC_COMPRESS, types[ty], 4, d,
						    (uint32_t)sizes[i], out,
						    (uint32_t)sizes[i] + 1024, &consumed,
						    &produced),
					 HZM_ST_OK);
			/* stored blocks only: the exact size is known */
			assert_int_equal(produced, sizes[i] + 5 * blocks + tl);
			assert_true(out[0] == 0x00 || out[0] == 0x01);
			roundtrip_compress(&t, types[ty], 0, d, sizes[i], true);
			roundtrip_decompress(&t, types[ty], 6, d, sizes[i]);  /* real inflate */
		}
		free(d);
		free(out);
	}
	tz_fini(&t);
}

static void
test_zlib_backend(void **state)
{
	static const size_t sizes[] = { 0, 1, 100, 4096, 65537, 300000 };
	struct tz t;

	(void)state;
	tz_init(&t, 8, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_ZLIB);
	for (unsigned int k = 0; k < 4; k++) {
		for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			uint8_t *d = tz_data(sizes[i], k, 500 + i);

			for (unsigned int ty = 0; ty < 2; ty++) {
				for (unsigned int win = 0; win <= 4; win += 2)
					roundtrip_compress(&t, types[ty], win, d, sizes[i], true);
				roundtrip_decompress(&t, types[ty], 9, d, sizes[i]);
			}
			free(d);
		}
	}
	tz_fini(&t);
}

static void
test_kernel_style_dw7(void **state)
{
	/* the kernel writes dw7 = 0: stateless, so every request is one whole stream */
	struct tz t;
	uint8_t *d = tz_data(10000, WD_TEST_DATA_TEXT, 10), *out = malloc(12000), *dec;
	uint64_t src, dst;
	struct tsqe s;
	size_t dec_len;

	(void)state;
	tz_init(&t, 2, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	src = g_alloc(&t, 10000, 64);
	dst = g_alloc(&t, 12000, 64);
	g_write(&t, src, d, 10000);
	tsqe_init(&s, HZM_REQ_GZIP, HZM_BUF_FLAT, 0, 0, src, 10000, dst, 12000);
	s.dw[31] = 0xdeadbeef;   /* stale values: ignored in stateless mode */
	s.dw[30] = 12345;
	assert_int_equal(tz_exec(&t, &s, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
	expect_checksum(&s, HZM_REQ_GZIP, d, 10000);
	assert_int_equal(s.dw[15], 0);
	assert_int_equal(s.dw[28], 0);
	assert_int_equal(s.dw[29], 0);
	memcpy(out, tz_header(HZM_REQ_GZIP, &(unsigned int){ 0 }), 10);
	g_read(&t, dst, out + 10, s.dw[1]);
	assert_int_equal(tz_zlib_inflate(HZM_REQ_GZIP, out, 10 + s.dw[1], &dec, &dec_len), Z_OK);
	assert_int_equal(dec_len, 10000);
	assert_memory_equal(dec, d, 10000);
	free(dec);
	tz_fini(&t);
	free(d);
	free(out);
}

/*
 * The status of a completed stateless decompression (doc/model.md,
 * "stateless_end"): 0x00 + dw3 bit 8 by default (the kernel's acomp
 * driver fails anything but 0x00/0x0d), 0x13 + bit 8 when configured
 * (UADK accepts both). Errors never carry bit 8; stream mode always ends
 * with 0x13 + bit 8.
 */
static void
stateless_end_case(unsigned int want_status)
{
	struct hzm_zip_cfg cfg = { .mode = HZIP_MODEL_ENGINE_REAL,
				   .stateless_end = (uint8_t)want_status };
	uint8_t *d = tz_data(20000, WD_TEST_DATA_TEXT, 77), *out = malloc(20000);
	uint64_t src, dst, ctx;
	struct tz t;
	struct tsqe s;

	tz_init_cfg(&t, 4, &cfg, HZM_ZIP_BACKEND_AUTO);
	for (unsigned int ty = 0; ty < 2; ty++) {
		size_t zlen;
		uint8_t *z = tz_zlib_deflate(types[ty], 6, 15, d, 20000, &zlen);
		unsigned int hl, tl = types[ty] == HZM_REQ_GZIP ? 8 : 4;

		tz_header(types[ty], &hl);
		/* UADK's dw7 (new + finish) and the kernel's (0): the same outcome */
		for (unsigned int k = 0; k < 2; k++) {
			uint32_t dw7 = k ? 0 : 0x0a000000;

			src = g_alloc(&t, zlen, 64);
			dst = g_alloc(&t, 20000, 64);
			g_write(&t, src, z + hl, zlen - hl);
			tsqe_init(&s, types[ty], HZM_BUF_FLAT, 0, dw7, src, (uint32_t)(zlen - hl),
				  dst, 20000);
			tz_exec(&t, &s, HZM_SQC_DECOMPRESS, NULL);
			assert_int_equal(s.dw[3], want_status | HZM_DW3_LAST_BLOCK);
			assert_int_equal(s.dw[0], zlen - hl);
			assert_int_equal(s.dw[1], 20000);
			g_read(&t, dst, out, 20000);
			assert_memory_equal(out, d, 20000);
			expect_checksum(&s, types[ty], d, 20000);
		}
		/* errors: no last-block bit, whatever the setting */
		z[zlen - 1] ^= 1;
		assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, types[ty], 0, z + hl,
					    (uint32_t)(zlen - hl), out, 20000, NULL, NULL),
				 HZM_ST_CRC_ERR);
		z[zlen - 1] ^= 1;
		assert_int_equal(tz_oneshot(&t, HZM_SQC_DECOMPRESS, types[ty], 0, z + hl,
					    (uint32_t)(zlen - hl - tl), out, 20000, NULL, NULL),
				 HZM_ST_TRUNC_ERR);
		/* stream mode: a one-request stream ends with 0x13 + bit 8 either way */
		ctx = g_alloc(&t, 0x10000, 4096) + 64;
		src = g_alloc(&t, zlen, 64);
		dst = g_alloc(&t, 20000, 64);
		g_write(&t, src, z + hl, zlen - hl);
		tsqe_init(&s, types[ty], HZM_BUF_FLAT, 0,
			  HZM_DW7_STATEFUL | HZM_DW7_NEW_STREAM | HZM_DW7_FLUSH_FINISH, src,
			  (uint32_t)(zlen - hl), dst, 20000);
		tsqe_set_ctx(&s, ctx);
		tz_exec(&t, &s, HZM_SQC_DECOMPRESS, NULL);
		assert_int_equal(s.dw[3], HZM_ST_DECOMP_END | HZM_DW3_LAST_BLOCK);
		assert_int_equal(s.dw[1], 20000);
		free(z);
		tz_reset_alloc(&t);
	}
	tz_fini(&t);
	free(d);
	free(out);
}

static void
test_stateless_end(void **state)
{
	struct hzm_zip_cfg cfg = { .mode = HZIP_MODEL_ENGINE_REAL };
	struct hzm_zip *z;

	(void)state;
	stateless_end_case(HZM_ST_OK);		/* the default (zero-initialised cfg) */
	stateless_end_case(HZM_ST_DECOMP_END);
	/* nothing else is a success status */
	for (unsigned int v = 1; v < 0x100; v++) {
		if (v == HZM_ST_DECOMP_END)
			continue;
		cfg.stateless_end = (uint8_t)v;
		assert_int_equal(hzm_zip_create(&cfg, &z), -EINVAL);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_sizes),
		cmocka_unit_test(test_8mib),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_dest_too_small),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_negacompress),
		cmocka_unit_test(test_tiny_output_ignored),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_request_types),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_trailer_mismatch),
		cmocka_unit_test(test_corrupt_data),
		cmocka_unit_test(test_flat_ignores_sgl_offsets),
		cmocka_unit_test(test_store_engine),
		cmocka_unit_test(test_zlib_backend),
		cmocka_unit_test(test_kernel_style_dw7),
		cmocka_unit_test(test_stateless_end),
	};
	int rc;

	(void)argc;
	wd_test_eal_init(argv[0], 64);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	wd_test_eal_cleanup();
	return rc;
}
