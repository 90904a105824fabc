/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/wd_comp/wd_comp_fmt.c: checksums against zlib, header
 * writer (checked by zlib's inflate), the incremental header parser with
 * every RFC 1952 field fed in every split, zlib CMF/FLG checks and FDICT,
 * trailers and the bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "wd_comp_fmt.h"
#include "wd_test.h"

static void
test_checksums(void **state)
{
	static uint8_t buf[200000];
	static const size_t lens[] = {0, 1, 2, 3, 15, 16, 17, 63, 64, 65, 255, 4096, 5552,
				      5553, 65536, 199999};

	(void)state;
	wd_test_gen(buf, sizeof(buf), WD_TEST_DATA_MIXED, 1);
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t n = lens[k];
		uint32_t zc = (uint32_t)crc32(0, buf, (uInt)n);
		uint32_t za = (uint32_t)adler32(1, buf, (uInt)n);

		assert_int_equal(wd_comp_crc32(0, buf, n), zc);
		assert_int_equal(wd_comp_adler32(1, buf, n), za);
		/* chained in two pieces at every split of a small prefix */
		for (size_t s = 0; s <= n && s < 70; s++) {
			uint32_t c = wd_comp_crc32(wd_comp_crc32(0, buf, s), buf + s, n - s);
			uint32_t a = wd_comp_adler32(wd_comp_adler32(1, buf, s), buf + s, n - s);

			assert_int_equal(c, zc);
			assert_int_equal(a, za);
		}
	}
	assert_int_equal(wd_comp_chksum_init(WD_COMP_ALG_ZLIB), 1);
	assert_int_equal(wd_comp_chksum_init(WD_COMP_ALG_GZIP), 0);
	assert_int_equal(wd_comp_chksum_init(WD_COMP_ALG_DEFLATE), 0);
	assert_int_equal(wd_comp_chksum_update(WD_COMP_ALG_ZLIB, 1, buf, 1000),
			 (uint32_t)adler32(1, buf, 1000));
	assert_int_equal(wd_comp_chksum_update(WD_COMP_ALG_GZIP, 0, buf, 1000),
			 (uint32_t)crc32(0, buf, 1000));
	assert_int_equal(wd_comp_chksum_update(WD_COMP_ALG_DEFLATE, 0, buf, 1000),
			 (uint32_t)crc32(0, buf, 1000));
}

/* Raw-deflate @p in with zlib at @p level / @p wbits; returns the length. */
static size_t
raw_deflate(const uint8_t *in, size_t len, uint8_t *out, size_t room, int level, int wbits)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, -wbits, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)room;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return zs.total_out;
}

/* Inflate a whole zlib/gzip stream with zlib; returns the length or -1. */
static long
zlib_inflate_all(const uint8_t *in, size_t len, uint8_t *out, size_t room, int wbits)
{
	z_stream zs;
	int ret;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, wbits) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)room;
	ret = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	if (ret != Z_STREAM_END || zs.avail_in != 0)
		return -1;
	return (long)zs.total_out;
}

/* Header + raw deflate + trailer from our writer must be a stream zlib accepts. */
static void
test_hdr_trailer_write(void **state)
{
	static uint8_t in[50000], out[60000], back[50000];
	static const int levels[] = {-1, 0, 1, 2, 5, 6, 7, 9, 42};

	(void)state;
	wd_test_gen(in, sizeof(in), WD_TEST_DATA_TEXT, 2);
	for (int alg = WD_COMP_ALG_ZLIB; alg <= WD_COMP_ALG_GZIP; alg++) {
		for (unsigned int wlog = 8; wlog <= 15; wlog++) {
			for (size_t li = 0; li < sizeof(levels) / sizeof(levels[0]); li++) {
				size_t h, d, t;
				uint32_t sum;
				int zl = levels[li] >= 0 && levels[li] <= 9 ? levels[li] : 6;

				h = wd_comp_hdr_write(alg, levels[li], wlog, out, sizeof(out));
				assert_int_equal(h, wd_comp_hdr_len(alg));
				/* zlib cannot make a 256-byte window: it uses 512 */
				d = raw_deflate(in, sizeof(in), out + h, sizeof(out) - h, zl,
						wlog < 9 ? 9 : (int)wlog);
				sum = wd_comp_chksum_update(alg, wd_comp_chksum_init(alg), in,
							    sizeof(in));
				t = wd_comp_trailer_write(alg, sum, sizeof(in), out + h + d);
				assert_int_equal(t, wd_comp_trailer_len(alg));
				assert_int_equal(wd_comp_trailer_check(alg, out + h + d, sum,
								       sizeof(in)), 0);
				assert_int_equal(zlib_inflate_all(out, h + d + t, back,
								  sizeof(back),
								  alg == WD_COMP_ALG_ZLIB ?
								  15 : 31),
						 sizeof(in));
				assert_memory_equal(back, in, sizeof(in));
				if (alg == WD_COMP_ALG_ZLIB) {
					/* CINFO says the window */
					assert_int_equal(out[0] >> 4,
							 (wlog < 8 ? 7 : wlog - 8));
				}
			}
		}
	}
	/* Out-of-range window: 32 KiB */
	assert_int_equal(wd_comp_hdr_write(WD_COMP_ALG_ZLIB, 6, 0, out, 2), 2);
	assert_int_equal(out[0], 0x78);
	assert_int_equal(out[1], 0x9c);
	assert_int_equal(wd_comp_hdr_write(WD_COMP_ALG_ZLIB, 1, 15, out, 2), 2);
	assert_int_equal(out[1], 0x01);
	assert_int_equal(wd_comp_hdr_write(WD_COMP_ALG_ZLIB, 9, 15, out, 2), 2);
	assert_int_equal(out[1], 0xda);
	/* Too little room: nothing written */
	memset(out, 0xee, 16);
	assert_int_equal(wd_comp_hdr_write(WD_COMP_ALG_GZIP, 6, 15, out, 9), 0);
	assert_int_equal(wd_comp_hdr_write(WD_COMP_ALG_ZLIB, 6, 15, out, 1), 0);
	assert_int_equal(wd_comp_hdr_write(WD_COMP_ALG_GZIP, 6, 15, NULL, 100), 0);
	assert_int_equal(out[0], 0xee);
	/* Raw deflate has no header or trailer */
	assert_int_equal(wd_comp_hdr_write(WD_COMP_ALG_DEFLATE, 6, 15, out, 100), 0);
	assert_int_equal(wd_comp_hdr_len(WD_COMP_ALG_DEFLATE), 0);
	assert_int_equal(wd_comp_trailer_len(WD_COMP_ALG_DEFLATE), 0);
	assert_int_equal(wd_comp_trailer_write(WD_COMP_ALG_DEFLATE, 1, 2, out), 0);
	assert_int_equal(wd_comp_trailer_check(WD_COMP_ALG_DEFLATE, out, 1, 2), 0);
	/* gzip header layout */
	assert_int_equal(wd_comp_hdr_write(WD_COMP_ALG_GZIP, 6, 15, out, 10), 10);
	{
		static const uint8_t want[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

		assert_memory_equal(out, want, 10);
		assert_true(wd_comp_is_gzip_magic(out, 10));
		assert_false(wd_comp_is_gzip_magic(out, 1));
		assert_false(wd_comp_is_gzip_magic(NULL, 10));
	}
	/* Trailer mismatches are found */
	wd_comp_trailer_write(WD_COMP_ALG_GZIP, 0x12345678, 99, out);
	assert_int_equal(wd_comp_trailer_check(WD_COMP_ALG_GZIP, out, 0x12345678, 99), 0);
	assert_int_equal(wd_comp_trailer_check(WD_COMP_ALG_GZIP, out, 0x12345679, 99), -1);
	assert_int_equal(wd_comp_trailer_check(WD_COMP_ALG_GZIP, out, 0x12345678, 98), -1);
	wd_comp_trailer_write(WD_COMP_ALG_ZLIB, 0x01020304, 0, out);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[3], 4);
	assert_int_equal(wd_comp_trailer_check(WD_COMP_ALG_ZLIB, out, 0x01020304, 7), 0);
	assert_int_equal(wd_comp_trailer_check(WD_COMP_ALG_ZLIB, out, 0x01020305, 7), -1);
}

/*
 * Parse @p hdr (a complete header of @p hlen bytes followed by @p tail
 * other bytes) fed in pieces of @p step bytes; return the result and the
 * header bytes used.
 */
static int
parse_steps(enum wd_comp_alg alg, const uint8_t *buf, size_t len, size_t step,
	    struct wd_comp_hdr_parser *p, size_t *total_used)
{
	size_t off = 0;
	int ret = WD_HDR_MORE;

	wd_comp_hdr_parser_init(p, alg);
	*total_used = 0;
	while (off < len) {
		size_t n = len - off < step ? len - off : step, used = 0;

		ret = wd_comp_hdr_parse(p, buf + off, n, &used);
		assert_true(used <= n);
		*total_used += used;
		off += used;
		if (ret != WD_HDR_MORE)
			break;
		assert_int_equal(used, n);
	}
	return ret;
}

/* A gzip member made by zlib with every optional field. */
static size_t
zlib_gzip_full(uint8_t *out, size_t room, const uint8_t *in, size_t len, bool hcrc,
	       const char *name, const char *comment, const uint8_t *extra, unsigned int xlen)
{
	z_stream zs;
	gz_header gh;

	memset(&zs, 0, sizeof(zs));
	memset(&gh, 0, sizeof(gh));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	gh.text = 1;
	gh.time = 0x5a5b5c5d;
	gh.os = 3;
	gh.extra = (Bytef *)(uintptr_t)extra;
	gh.extra_len = xlen;
	gh.name = (Bytef *)(uintptr_t)name;
	gh.comment = (Bytef *)(uintptr_t)comment;
	gh.hcrc = hcrc;
	assert_int_equal(deflateSetHeader(&zs, &gh), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)room;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return zs.total_out;
}

static void
test_parse_gzip_fields(void **state)
{
	static uint8_t data[3000], member[8000];
	static const size_t steps[] = {1, 2, 3, 5, 7, 10, 11, 64, 8000};
	static uint8_t extra[300];
	struct wd_comp_hdr_parser p;
	size_t used, mlen;
	size_t hdr_len = 10 + 2 + sizeof(extra) + sizeof("file.txt") + sizeof("a comment") + 2;

	(void)state;
	wd_test_gen(data, sizeof(data), WD_TEST_DATA_TEXT, 3);
	for (size_t i = 0; i < sizeof(extra); i++)
		extra[i] = (uint8_t)(i * 7); /* includes NUL bytes: must not end anything */
	mlen = zlib_gzip_full(member, sizeof(member), data, sizeof(data), true, "file.txt",
			      "a comment", extra, sizeof(extra));
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		assert_int_equal(parse_steps(WD_COMP_ALG_GZIP, member, mlen, steps[k], &p, &used),
				 WD_HDR_DONE);
		assert_int_equal(used, hdr_len);
		assert_int_equal(p.info.flags, 0x1f); /* FTEXT FHCRC FEXTRA FNAME FCOMMENT */
		assert_int_equal(p.info.mtime, 0x5a5b5c5d);
		assert_int_equal(p.info.os, 3);
		assert_int_equal(p.info.extra_len, sizeof(extra));
		assert_string_equal(p.info.name, "file.txt");
		assert_string_equal(p.info.comment, "a comment");
		/* once done, more input is not taken */
		assert_int_equal(wd_comp_hdr_parse(&p, member + used, 10, &used), WD_HDR_DONE);
		assert_int_equal(used, 0);
	}
	/* A header cut short says MORE and uses everything */
	wd_comp_hdr_parser_init(&p, WD_COMP_ALG_GZIP);
	assert_int_equal(wd_comp_hdr_parse(&p, member, hdr_len - 1, &used), WD_HDR_MORE);
	assert_int_equal(used, hdr_len - 1);
	assert_int_equal(wd_comp_hdr_parse(&p, member + hdr_len - 1, 0, &used), WD_HDR_MORE);
	assert_int_equal(used, 0);
	assert_int_equal(wd_comp_hdr_parse(&p, member + hdr_len - 1, 5, &used), WD_HDR_DONE);
	assert_int_equal(used, 1);

	/* Corrupt header CRC: detected, whatever the split */
	member[hdr_len - 1] ^= 0x01;
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
		assert_int_equal(parse_steps(WD_COMP_ALG_GZIP, member, mlen, steps[k], &p, &used),
				 WD_HDR_ERR_DATA);
	member[hdr_len - 1] ^= 0x01;
	/* A byte of the name changed: the header CRC no longer matches */
	member[10 + 2 + sizeof(extra)] ^= 0x20;
	assert_int_equal(parse_steps(WD_COMP_ALG_GZIP, member, mlen, 4, &p, &used),
			 WD_HDR_ERR_DATA);
	member[10 + 2 + sizeof(extra)] ^= 0x20;
	/* The error sticks */
	assert_int_equal(wd_comp_hdr_parse(&p, member, mlen, &used), WD_HDR_ERR_DATA);

	/* Each field alone */
	for (unsigned int mask = 0; mask < 16; mask++) {
		bool hc = mask & 1;
		const char *nm = (mask & 2) ? "only-name" : NULL;
		const char *cm = (mask & 4) ? "c" : NULL;
		const uint8_t *ex = (mask & 8) ? extra : NULL;
		size_t want = 10 + (hc ? 2 : 0) + (nm ? strlen(nm) + 1 : 0) +
			      (cm ? strlen(cm) + 1 : 0) + (ex ? 2 + 5 : 0);

		mlen = zlib_gzip_full(member, sizeof(member), data, 100, hc, nm, cm, ex,
				      ex ? 5 : 0);
		for (size_t k = 0; k < 4; k++) {
			assert_int_equal(parse_steps(WD_COMP_ALG_GZIP, member, mlen, steps[k],
						     &p, &used), WD_HDR_DONE);
			assert_int_equal(used, want);
			assert_string_equal(p.info.name, nm ? nm : "");
			assert_string_equal(p.info.comment, cm ? cm : "");
		}
	}
}

static void
test_parse_gzip_errors(void **state)
{
	struct wd_comp_hdr_parser p;
	uint8_t h[64];
	size_t used;

	(void)state;
	/* base: valid minimal header */
	wd_comp_hdr_write(WD_COMP_ALG_GZIP, 6, 15, h, sizeof(h));
	assert_int_equal(parse_steps(WD_COMP_ALG_GZIP, h, 10, 10, &p, &used), WD_HDR_DONE);
	assert_int_equal(used, 10);
	/* bad magic */
	h[1] = 0x8c;
	assert_int_equal(parse_steps(WD_COMP_ALG_GZIP, h, 10, 3, &p, &used), WD_HDR_ERR_DATA);
	h[1] = 0x8b;
	/* method other than 8 */
	h[2] = 7;
	assert_int_equal(parse_steps(WD_COMP_ALG_GZIP, h, 10, 10, &p, &used), WD_HDR_ERR_DATA);
	h[2] = 8;
	/* each reserved flag bit */
	for (int b = 5; b < 8; b++) {
		h[3] = (uint8_t)(1u << b);
		assert_int_equal(parse_steps(WD_COMP_ALG_GZIP, h, 10, 1, &p, &used),
				 WD_HDR_ERR_DATA);
	}
	h[3] = 0;
	/* a long name is kept truncated and skipped to its end */
	{
		static uint8_t big[1200];

		memcpy(big, h, 10);
		big[3] = 0x08; /* FNAME */
		memset(big + 10, 'n', 1000);
		big[1010] = 0;
		big[1011] = 0xab; /* not header */
		assert_int_equal(parse_steps(WD_COMP_ALG_GZIP, big, 1012, 7, &p, &used),
				 WD_HDR_DONE);
		assert_int_equal(used, 1011);
		assert_int_equal(strlen(p.info.name), WD_GZIP_STR_MAX - 1);
		assert_int_equal(p.info.name[0], 'n');
	}
	/* zero-length extra field */
	{
		uint8_t x[13];

		memcpy(x, h, 10);
		x[3] = 0x04;
		x[10] = 0;
		x[11] = 0;
		x[12] = 0x55;
		assert_int_equal(parse_steps(WD_COMP_ALG_GZIP, x, 13, 1, &p, &used), WD_HDR_DONE);
		assert_int_equal(used, 12);
		assert_int_equal(p.info.extra_len, 0);
	}
	/* bad arguments */
	assert_int_equal(wd_comp_hdr_parse(NULL, h, 10, &used), WD_HDR_ERR_DATA);
	wd_comp_hdr_parser_init(&p, WD_COMP_ALG_GZIP);
	assert_int_equal(wd_comp_hdr_parse(&p, NULL, 10, &used), WD_HDR_ERR_DATA);
	assert_int_equal(wd_comp_hdr_parse(&p, h, 10, NULL), WD_HDR_ERR_DATA);
	/* deflate: no header */
	wd_comp_hdr_parser_init(&p, WD_COMP_ALG_DEFLATE);
	assert_int_equal(wd_comp_hdr_parse(&p, h, 10, &used), WD_HDR_DONE);
	assert_int_equal(used, 0);
}

static void
test_parse_zlib(void **state)
{
	struct wd_comp_hdr_parser p;
	uint8_t h[8] = { 0 };
	size_t used;
	unsigned int valid = 0, dict = 0;

	(void)state;
	/* Every CMF/FLG pair: the parser agrees with RFC 1950 */
	for (unsigned int cmf = 0; cmf < 256; cmf++) {
		for (unsigned int flg = 0; flg < 256; flg++) {
			bool ok = (cmf & 15) == 8 && (cmf >> 4) <= 7 &&
				  ((cmf << 8) | flg) % 31 == 0;
			int want = !ok ? WD_HDR_ERR_DATA :
				   (flg & 0x20) ? WD_HDR_ERR_DICT : WD_HDR_DONE;

			h[0] = (uint8_t)cmf;
			h[1] = (uint8_t)flg;
			/* FDICT: "need dictionary" once the 4-byte DICTID is in, as zlib */
			assert_int_equal(parse_steps(WD_COMP_ALG_ZLIB, h,
						     want == WD_HDR_ERR_DICT ? 6 : 2, 1 + (flg & 1),
						     &p, &used), want);
			if (want == WD_HDR_ERR_DICT) {
				for (size_t cut = 2; cut < 6; cut++)
					assert_int_equal(parse_steps(WD_COMP_ALG_ZLIB, h, cut, 1,
								     &p, &used), WD_HDR_MORE);
			}
			if (want == WD_HDR_DONE) {
				assert_int_equal(used, 2);
				valid++;
			}
			dict += want == WD_HDR_ERR_DICT;
		}
	}
	assert_true(valid > 0 && dict > 0);
	/* Real zlib output with a preset dictionary */
	{
		z_stream zs;
		uint8_t out[64];
		static const uint8_t d[] = "dictionary";

		memset(&zs, 0, sizeof(zs));
		assert_int_equal(deflateInit(&zs, 6), Z_OK);
		assert_int_equal(deflateSetDictionary(&zs, d, sizeof(d)), Z_OK);
		zs.next_in = (Bytef *)(uintptr_t)"dictionary dictionary";
		zs.avail_in = 21;
		zs.next_out = out;
		zs.avail_out = sizeof(out);
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
		deflateEnd(&zs);
		wd_comp_hdr_parser_init(&p, WD_COMP_ALG_ZLIB);
		assert_int_equal(wd_comp_hdr_parse(&p, out, zs.total_out, &used),
				 WD_HDR_ERR_DICT);
	}
	/* Split over two calls */
	wd_comp_hdr_parser_init(&p, WD_COMP_ALG_ZLIB);
	h[0] = 0x78;
	h[1] = 0x9c;
	h[2] = 0x4b;
	assert_int_equal(wd_comp_hdr_parse(&p, h, 1, &used), WD_HDR_MORE);
	assert_int_equal(used, 1);
	assert_int_equal(wd_comp_hdr_parse(&p, h + 1, 2, &used), WD_HDR_DONE);
	assert_int_equal(used, 1);
}

static void
test_bound(void **state)
{
	static const size_t lens[] = {0, 1, 100, 65534, 65535, 65536, 131070, 131071, 1 << 20,
				      8u << 20};

	(void)state;
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t n = lens[k];
		size_t blocks = (n + 65534) / 65535;

		for (int alg = 0; alg < WD_COMP_ALG_MAX; alg++)
			assert_int_equal(wd_comp_fmt_bound(alg, n),
					 n + 5 * blocks + 5 + wd_comp_hdr_len(alg) +
					 wd_comp_trailer_len(alg));
	}
	assert_int_equal(wd_comp_fmt_bound(WD_COMP_ALG_GZIP, SIZE_MAX - 3), SIZE_MAX);
	/* zlib's own stored output of incompressible data fits */
	{
		static uint8_t in[300000];
		uint8_t *out;
		uLongf olen;
		size_t b = wd_comp_fmt_bound(WD_COMP_ALG_ZLIB, sizeof(in));

		wd_test_gen(in, sizeof(in), WD_TEST_DATA_RANDOM, 5);
		out = malloc(compressBound(sizeof(in)));
		assert_non_null(out);
		olen = compressBound(sizeof(in));
		assert_int_equal(compress2(out, &olen, in, sizeof(in), 0), Z_OK);
		assert_true(olen <= b);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_hdr_trailer_write),
		cmocka_unit_test(test_parse_gzip_fields),
		cmocka_unit_test(test_parse_gzip_errors),
		cmocka_unit_test(test_parse_zlib),
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests_name("wd_comp_fmt", tests, NULL, NULL);
}
