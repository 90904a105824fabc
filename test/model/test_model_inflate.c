/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's resumable deflate decoder (hzm_sinflate.c), against zlib:
 * streams made by zlib with every strategy, decoded in random pieces of
 * input and output, the state saved and restored as bytes between calls
 * (as it lives in a context buffer) and only the last 32 KiB of output
 * given back as history; corrupted streams must get zlib's verdict (an
 * error, or the same output); bytes after the end are never used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "hzm_sinflate.h"
#include "wd_test.h"

#define MAXLEN (512 * 1024)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n == 0 ? 0 : (uint32_t)(rng % n);
}

/* Raw deflate of @p src by zlib. @return the length. */
static size_t
zdeflate(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, int level, int strategy,
	 bool flushes)
{
	z_stream zs;
	size_t off = 0;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, -15, 8, strategy), Z_OK);
	zs.next_out = dst;
	zs.avail_out = (uInt)cap;
	while (off < n) {
		size_t k = flushes ? 1 + rnd(20000) : n - off;

		if (k > n - off)
			k = n - off;
		zs.next_in = (Bytef *)(uintptr_t)(src + off);
		zs.avail_in = (uInt)k;
		off += k;
		assert_int_equal(deflate(&zs, off == n ? Z_FINISH :
					 (rnd(2) ? Z_SYNC_FLUSH : Z_FULL_FLUSH)), off == n ?
				 Z_STREAM_END : Z_OK);
	}
	if (n == 0) {
		zs.next_in = NULL;
		zs.avail_in = 0;
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	}
	cap = zs.total_out;
	deflateEnd(&zs);
	return cap;
}

/* zlib's verdict on raw deflate @p src: Z_STREAM_END (output in @p dst), Z_DATA_ERROR or
 * Z_BUF_ERROR. */
static int
zinflate(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t *len, size_t *used)
{
	z_stream zs;
	int ret;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, -15), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)src;
	zs.avail_in = (uInt)n;
	zs.next_out = dst;
	zs.avail_out = (uInt)cap;
	ret = inflate(&zs, Z_FINISH);
	*len = zs.total_out;
	*used = zs.total_in;
	inflateEnd(&zs);
	return ret;
}

/*
 * Ours, in random pieces, the state round-tripped through bytes.
 * @return HZM_SINF_END / HZM_SINF_BAD, or HZM_SINF_MORE if the input ran out.
 */
static int
ours(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t *len, size_t *used,
     bool tiny)
{
	uint8_t saved[sizeof(struct hzm_sinf)];
	struct hzm_sinf s;
	size_t in = 0, out = 0;
	int idle = 0;

	hzm_sinf_init(&s);
	memcpy(saved, &s, sizeof(s));
	for (;;) {
		size_t ik = tiny ? rnd(3) : rnd(9000), ok = tiny ? rnd(3) : rnd(70000);
		size_t u = 0, m = 0, h = out < HZM_SINF_WSIZE ? out : HZM_SINF_WSIZE;
		int rc;

		if (ik > n - in)
			ik = n - in;
		if (ok > cap - out)
			ok = cap - out;
		memset(&s, 0xa5, sizeof(s));
		memcpy(&s, saved, sizeof(s));
		/* the output before this call is gone but for the window */
		rc = hzm_sinf_run(&s, src + in, ik, &u, dst + out, ok, &m, dst + out - h, h);
		assert_true(u <= ik);
		assert_true(m <= ok);
		memcpy(saved, &s, sizeof(s));
		in += u;
		out += m;
		if (rc != HZM_SINF_MORE) {
			*len = out;
			*used = in;
			return rc;
		}
		idle = (u == 0 && m == 0) ? idle + 1 : 0;
		if (in == n && idle > 50) {
			*len = out;
			*used = in;
			return HZM_SINF_MORE;
		}
	}
}

static uint8_t *plain, *comp, *out_z, *out_o;

/* A deflate bit writer: fields LSB first, Huffman codes MSB first. */
struct bw {
	uint8_t b[256];
	unsigned int n;    /* whole bytes */
	unsigned int bit;  /* bits in b[n] */
};

static void
bw_bits(struct bw *w, uint32_t v, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++) {
		w->b[w->n] |= (uint8_t)(((v >> i) & 1) << w->bit);
		if (++w->bit == 8) {
			w->bit = 0;
			w->n++;
		}
	}
}

static void
bw_huff(struct bw *w, uint32_t code, unsigned int len)
{
	for (unsigned int i = len; i > 0; i--)
		bw_bits(w, (code >> (i - 1)) & 1, 1);
}

static void
make_plain(size_t n, int kind)
{
	switch (kind) {
	case 0:
		wd_test_gen(plain, n, WD_TEST_DATA_TEXT, rnd(1000));
		break;
	case 1:
		for (size_t i = 0; i < n; i++)
			plain[i] = (uint8_t)rnd(256);
		break;
	default:
		/* long repeats at every distance up to the window */
		for (size_t i = 0; i < n; i++)
			plain[i] = i > 40000 && rnd(8) ? plain[i - 1 - rnd(32768)] :
							  (uint8_t)rnd(4);
		break;
	}
}

static void
test_roundtrip(void **state)
{
	static const int strategies[] = { Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE,
					  Z_FIXED };
	unsigned int cases = 0;

	(void)state;
	for (int i = 0; i < 300; i++) {
		size_t n = rnd(8) == 0 ? rnd(16) : rnd(MAXLEN), c, len, used;
		int level = (int)rnd(10), strat = strategies[rnd(5)];
		bool tiny = i % 25 == 0;

		if (tiny)
			n = rnd(3000);
		make_plain(n, (int)rnd(3));
		c = zdeflate(plain, n, comp, MAXLEN * 2, level, strat, rnd(3) == 0);
		/* a few bytes after the end: never to be used */
		memset(comp + c, 0x5a, 16);
		assert_int_equal(ours(comp, c + 16, out_o, MAXLEN, &len, &used, tiny),
				 HZM_SINF_END);
		assert_int_equal(len, n);
		assert_int_equal(used, c);
		assert_memory_equal(out_o, plain, n);
		cases++;
	}
	print_message("%u streams decoded in pieces\n", cases);
}

static void
test_corrupt(void **state)
{
	unsigned int errs = 0, same = 0, trunc = 0;

	(void)state;
	for (int i = 0; i < 1500; i++) {
		size_t n = rnd(60000), c, zl, zu, ol, ou;
		int zr, orc;

		make_plain(n, (int)rnd(3));
		c = zdeflate(plain, n, comp, MAXLEN * 2, (int)rnd(10),
			     rnd(4) == 0 ? Z_FIXED : Z_DEFAULT_STRATEGY, false);
		for (int k = 1 + (int)rnd(3); k > 0; k--) {
			size_t at = rnd(c < 300 || rnd(2) ? (uint32_t)c : 300);

			comp[at] ^= (uint8_t)(1u << rnd(8));
		}
		zr = zinflate(comp, c, out_z, MAXLEN, &zl, &zu);
		orc = ours(comp, c, out_o, MAXLEN, &ol, &ou, false);
		if (zr == Z_STREAM_END) {
			/* zlib ended: so must we, with the same bytes */
			assert_int_equal(orc, HZM_SINF_END);
			assert_int_equal(ol, zl);
			assert_int_equal(ou, zu);
			assert_memory_equal(out_o, out_z, zl);
			same++;
		} else if (zr == Z_BUF_ERROR) {
			/* zlib wants more input (or room): a corruption that reads past the end */
			assert_int_equal(orc, HZM_SINF_MORE);
			trunc++;
		} else {
			/* zlib found an error: so must we, not wait for more input */
			assert_int_equal(zr, Z_DATA_ERROR);
			assert_int_equal(orc, HZM_SINF_BAD);
			errs++;
		}
	}
	print_message("corrupted: %u errors, %u decoded as zlib did, %u awaiting more input\n",
		      errs, same, trunc);
	assert_true(errs > 100);
}

static void
test_hand_made(void **state)
{
	/* stored block with a bad NLEN; reserved block type; distance too far */
	static const uint8_t bad_stored[] = { 0x01, 0x03, 0x00, 0xfc, 0xfe, 'a', 'b', 'c' };
	static const uint8_t bad_type[] = { 0x07 };
	static const uint8_t good_stored[] = { 0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c' };
	uint8_t o[16];
	struct hzm_sinf s;
	size_t u, m;

	(void)state;
	hzm_sinf_init(&s);
	assert_int_equal(hzm_sinf_run(&s, bad_stored, sizeof(bad_stored), &u, o, sizeof(o), &m,
				     NULL, 0), HZM_SINF_BAD);
	hzm_sinf_init(&s);
	assert_int_equal(hzm_sinf_run(&s, bad_type, 1, &u, o, sizeof(o), &m, NULL, 0),
			 HZM_SINF_BAD);
	/* a stored block split after its length: the length is kept as pending */
	hzm_sinf_init(&s);
	assert_int_equal(hzm_sinf_run(&s, good_stored, 6, &u, o, sizeof(o), &m, NULL, 0),
			 HZM_SINF_MORE);
	assert_int_equal(u, 6);
	assert_int_equal(m, 1);
	assert_int_equal(hzm_sinf_stored_left(&s), 2);
	assert_true(hzm_sinf_bfinal(&s));
	assert_int_equal(hzm_sinf_run(&s, good_stored + 6, 2, &u, o + 1, sizeof(o) - 1, &m,
				     o, 1), HZM_SINF_END);
	assert_memory_equal(o, "abc", 3);
	/*
	 * Fixed block: literal 'a', then a match of 3 at distance @p d, end of
	 * block. Distance 2 reaches before the output: invalid.
	 */
	{
		struct bw w = { 0 };

		bw_bits(&w, 1, 1);           /* BFINAL */
		bw_bits(&w, 1, 2);           /* fixed */
		bw_huff(&w, 0x30 + 'a', 8);  /* literal */
		bw_huff(&w, 1, 7);           /* 257: length 3 */
		bw_huff(&w, 1, 5);           /* distance code 1: 2 */
		bw_huff(&w, 0, 7);           /* end of block */
		hzm_sinf_init(&s);
		assert_int_equal(hzm_sinf_run(&s, w.b, w.n + 1, &u, o, sizeof(o), &m, NULL, 0),
				 HZM_SINF_BAD);
		/* with one byte of history before it, the same block decodes */
		hzm_sinf_init(&s);
		assert_int_equal(hzm_sinf_run(&s, w.b, w.n + 1, &u, o + 1, sizeof(o) - 1, &m,
					     (const uint8_t *)"x", 1), HZM_SINF_END);
		assert_int_equal(m, 4);
		assert_memory_equal(o + 1, "axa", 4 - 1);
		/* stopped in the match for room; resumed without its history: invalid */
		hzm_sinf_init(&s);
		assert_int_equal(hzm_sinf_run(&s, w.b, w.n + 1, &u, o, 2, &m,
					     (const uint8_t *)"x", 1), HZM_SINF_MORE);
		assert_int_equal(m, 2);
		assert_int_equal(hzm_sinf_run(&s, w.b + u, w.n + 1 - u, &u, o, sizeof(o), &m,
					     NULL, 0), HZM_SINF_BAD);
	}
}

/*
 * Cases from a review: a dynamic block without distance codes (zlib
 * accepts it; a length code in it is invalid, whatever the block before
 * left in the decoder's tables), and an invalid fixed distance code in the
 * last bits of the input (an error at once, as zlib, not "more input").
 */
static void
test_hand_made_codes(void **state)
{
	static const uint8_t ord[18] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2,
					 14, 1 };
	struct bw w = { 0 };
	struct hzm_sinf s;
	uint8_t o[64];
	size_t u, m;

	(void)state;
	/* a fixed block, not final: 'B', end of block (the fixed distance code is built) */
	bw_bits(&w, 0, 1);
	bw_bits(&w, 1, 2);
	bw_huff(&w, 0x30 + 'B', 8);
	bw_huff(&w, 0, 7);
	/* dynamic, final: 258 literal/length codes ('A' 1 bit, 256 and 257 2 bits), one
	 * distance code of length 0 */
	bw_bits(&w, 1, 1);
	bw_bits(&w, 2, 2);
	bw_bits(&w, 1, 5);
	bw_bits(&w, 0, 5);
	bw_bits(&w, 14, 4);
	for (int i = 0; i < 18; i++)
		bw_bits(&w, ord[i] == 0 ? 1 : (ord[i] == 1 || ord[i] == 2) ? 2 : 0, 3);
	for (unsigned int k = 0; k < 259; k++) {
		unsigned int l = k < 258 ? (k == 'A' ? 1 : (k == 256 || k == 257) ? 2 : 0) : 0;

		if (l == 0)
			bw_huff(&w, 0, 1);
		else if (l == 1)
			bw_huff(&w, 2, 2);
		else
			bw_huff(&w, 3, 2);
	}
	bw_huff(&w, 0, 1);	/* 'A' */
	bw_huff(&w, 3, 2);	/* 257: length 3, with no distance code to follow */
	bw_huff(&w, 0, 5);
	bw_huff(&w, 2, 2);	/* end of block */
	hzm_sinf_init(&s);
	assert_int_equal(hzm_sinf_run(&s, w.b, w.n + 1, &u, o, sizeof(o), &m, NULL, 0),
			 HZM_SINF_BAD);
	/* fixed, final: 'a', length 3, distance code 30 (none such), and nothing after */
	memset(&w, 0, sizeof(w));
	bw_bits(&w, 1, 1);
	bw_bits(&w, 1, 2);
	bw_huff(&w, 0x30 + 'a', 8);
	bw_huff(&w, 1, 7);
	bw_huff(&w, 30, 5);
	hzm_sinf_init(&s);
	assert_int_equal(hzm_sinf_run(&s, w.b, w.n + (w.bit != 0), &u, o, sizeof(o), &m, NULL, 0),
			 HZM_SINF_BAD);
}

/*
 * The state comes from a buffer the driver can write: any bytes there make
 * a request fail or decode something, never read or write out of bounds
 * (run under ASan in the sanitizer build).
 */
static void
test_garbage_state(void **state)
{
	uint8_t in[256], o[512];
	unsigned int bad = 0;

	(void)state;
	wd_test_gen(plain, HZM_SINF_WSIZE, WD_TEST_DATA_TEXT, 5);
	for (int i = 0; i < 20000; i++) {
		struct hzm_sinf s;
		uint8_t *b = (uint8_t *)&s;
		size_t u, m, h = rnd(HZM_SINF_WSIZE + 1);
		int rc;

		hzm_sinf_init(&s);
		/* a few fields or everything */
		for (unsigned int k = 0, n = rnd(2) ? 1 + rnd(8) : sizeof(s); k < n; k++)
			b[n == sizeof(s) ? k : rnd(sizeof(s))] = (uint8_t)rnd(256);
		for (unsigned int k = 0; k < sizeof(in); k++)
			in[k] = (uint8_t)rnd(256);
		rc = hzm_sinf_run(&s, in, rnd(sizeof(in)), &u, o, rnd(sizeof(o)), &m,
				  plain + HZM_SINF_WSIZE - h, h);
		assert_true(rc == HZM_SINF_MORE || rc == HZM_SINF_END || rc == HZM_SINF_BAD);
		assert_true(u <= sizeof(in) && m <= sizeof(o));
		bad += rc == HZM_SINF_BAD;
	}
	print_message("garbage states: %u of 20000 refused\n", bad);
	assert_true(bad > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_hand_made_codes),
		cmocka_unit_test(test_garbage_state),
	};
	int ret;

	plain = malloc(MAXLEN);
	comp = malloc(MAXLEN * 2 + 64);
	out_z = malloc(MAXLEN);
	out_o = malloc(MAXLEN);
	if (plain == NULL || comp == NULL || out_z == NULL || out_o == NULL)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(plain);
	free(comp);
	free(out_z);
	free(out_o);
	return ret;
}
