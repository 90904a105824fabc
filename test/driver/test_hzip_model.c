/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Functional tests of drivers/hisi_zip on the device model, through
 * wd_core and the raw queue API (wd_request_queue / wd_send_burst /
 * wd_recv_burst with struct wd_comp_msg): round trips of generated data
 * (0 B to 8 MiB) and of the corpus, zlib and gzip in both directions,
 * cross-checked with zlib both ways (including gzip headers with every
 * optional field), raw deflate, stream mode with many chunkings, mbuf
 * chains of 1..300 segments with offsets, both kinds of out-of-space,
 * corrupt input, checksum mismatch, every fault-injection mode of the
 * model with the exactly-once property, PF and VF, queue release and
 * re-request, interrupt-mode wd_recv_sync.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <zlib.h>

#include "wd.h"
#include "wd_comp_fmt.h"
#include "wd_comp_msg.h"
#include "wd_drv.h"
#include "wd_test.h"

#define MiB (1u << 20)
#define BUF_SIZE (10 * MiB)

static struct rte_mempool *mp;
static struct wd_dev *pf;          /* "model" (real engine) */
static uint8_t *ibuf, *obuf, *rbuf; /* DMA buffers: input, output, round trip */

/* ---- helpers ----------------------------------------------------------------------- */

static struct wd_queue *
queue_on(struct wd_dev *dev, const char *alg, enum wd_op_type op, uint16_t depth,
	 uint32_t flags)
{
	struct wd_queue_attr a = { .alg = alg, .op = op, .depth = depth,
				   .socket_id = WD_SOCKET_ANY, .dev = dev, .flags = flags };
	struct wd_queue *q = NULL;
	int ret = wd_request_queue(&q, &a);

	if (ret != 0)
		fail_msg("wd_request_queue(%s, %d) on %s: %d", alg, op,
			 dev ? "dev" : "any", ret);
	return q;
}

static void
msg_init(struct wd_comp_msg *m, uint8_t alg, uint8_t op, const void *src, uint32_t slen,
	 void *dst, uint32_t dlen)
{
	memset(m, 0, sizeof(*m));
	m->alg = alg;
	m->op = op;
	m->flush = WD_COMP_FLUSH_FINAL;
	m->src.type = WD_COMP_BUF_FLAT;
	m->src.addr = (void *)(uintptr_t)src;
	m->src.len = slen;
	m->dst.type = WD_COMP_BUF_FLAT;
	m->dst.addr = dst;
	m->dst.len = dlen;
}

/* Submit one message and wait for it (10 s at most: a model on a busy machine). */
static void
run1(struct wd_queue *q, struct wd_comp_msg *m)
{
	uint64_t end = rte_get_timer_cycles() + 10 * rte_get_timer_hz();
	void *out = NULL;

	while (wd_send(q, m) == -EBUSY) {
		if (rte_get_timer_cycles() > end)
			fail_msg("queue stays full");
	}
	while (wd_recv(q, &out) == 0) {
		if (rte_get_timer_cycles() > end)
			fail_msg("no completion in 10 s");
	}
	assert_ptr_equal(out, m);
}

static const char *
st_name(uint8_t st)
{
	static const char *const n[] = { "OK", "STREAM_END", "OOS_TERMINATED",
		"OOS_RECOVERABLE", "ERR_CHECKSUM", "ERR_DATA", "ERR_DICT", "ERR_INVALID",
		"ERR_NOTSUP", "ERR_TOO_BIG", "ERR_TIMEOUT", "ERR_DEVICE" };

	return st < RTE_DIM(n) ? n[st] : "?";
}

#define assert_status(m, want) do { \
	if ((m)->status != (want)) \
		fail_msg("status %s (hw %#x), expected %s", st_name((m)->status), \
			 (m)->hw_status, st_name(want)); \
} while (0)

/* zlib's own inflate: windowBits 15 zlib, 31 gzip, -15 raw. @return bytes or -1. */
static long
z_inflate(int wbits, const void *in, size_t inlen, void *out, size_t outlen)
{
	z_stream z;
	long n;
	int ret;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, wbits) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)inlen;
	z.next_out = out;
	z.avail_out = (uInt)outlen;
	ret = inflate(&z, Z_FINISH);
	n = ret == Z_STREAM_END ? (long)z.total_out : -1;
	inflateEnd(&z);
	return n;
}

/* zlib's deflate with a gzip header of every field when @p fields. */
static __rte_unused long
z_deflate(int wbits, int level, bool fields, const void *in, size_t inlen, void *out,
	  size_t outlen)
{
	static char name[] = "file-name.txt", comment[] = "a comment";
	static unsigned char extra[] = { 'A', 'B', 4, 0, 1, 2, 3, 4 };
	gz_header h;
	z_stream z;
	long n;
	int ret;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	if (fields) {
		memset(&h, 0, sizeof(h));
		h.name = (Bytef *)name;
		h.comment = (Bytef *)comment;
		h.extra = extra;
		h.extra_len = sizeof(extra);
		h.hcrc = 1;
		h.time = 0x5a5a5a5a;
		h.os = 3;
		deflateSetHeader(&z, &h);
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)inlen;
	z.next_out = out;
	z.avail_out = (uInt)outlen;
	ret = deflate(&z, Z_FINISH);
	n = ret == Z_STREAM_END ? (long)z.total_out : -1;
	deflateEnd(&z);
	return n;
}

static int
wbits_of(uint8_t alg)
{
	return alg == WD_COMP_ALG_ZLIB ? 15 : alg == WD_COMP_ALG_GZIP ? 31 : -15;
}

static uint32_t
plain_chksum(uint8_t alg, const void *p, size_t len)
{
	return alg == WD_COMP_ALG_ZLIB ? (uint32_t)adler32(1, p, (uInt)len) :
	       (uint32_t)crc32(0, p, (uInt)len);
}

/*
 * Stateless compress @p len bytes of ibuf with the device into obuf, check
 * with zlib, decompress with the device into rbuf and compare.
 */
static void
roundtrip(struct wd_queue *qc, struct wd_queue *qd, uint8_t alg, size_t len)
{
	struct wd_comp_msg m;
	size_t bound = wd_comp_fmt_bound((enum wd_comp_alg)alg, len) + 64;
	uint32_t clen;
	long zn;

	if (bound > WD_COMP_MSG_MAX_LEN)
		bound = WD_COMP_MSG_MAX_LEN;
	msg_init(&m, alg, WD_OP_COMPRESS, ibuf, (uint32_t)len, obuf, (uint32_t)bound);
	run1(qc, &m);
	assert_status(&m, WD_COMP_MSG_OK);
	assert_int_equal(m.consumed, len);
	assert_true(m.produced > 0 && m.produced <= bound);
	assert_int_equal(m.checksum, plain_chksum(alg, ibuf, len));
	assert_int_equal(m.isize, (uint32_t)len);
	clen = m.produced;
	/* zlib agrees */
	zn = z_inflate(wbits_of(alg), obuf, clen, rbuf, BUF_SIZE);
	if (zn != (long)len)
		fail_msg("zlib inflate of our %s output (%zu -> %u bytes): %ld", alg == 1 ?
			 "zlib" : alg == 2 ? "gzip" : "deflate", len, clen, zn);
	assert_memory_equal(rbuf, ibuf, len);
	if (qd == NULL)
		return;
	/* and we agree with ourselves */
	memset(rbuf, 0, len + 16);
	msg_init(&m, alg, WD_OP_DECOMPRESS, obuf, clen, rbuf, (uint32_t)RTE_MIN(len + 64,
		 (size_t)WD_COMP_MSG_MAX_LEN));
	run1(qd, &m);
	assert_status(&m, WD_COMP_MSG_STREAM_END);
	assert_int_equal(m.produced, len);
	assert_int_equal(m.consumed, clen);
	assert_int_equal(m.checksum, plain_chksum(alg, ibuf, len));
	assert_int_equal(m.isize, (uint32_t)len);
	assert_memory_equal(rbuf, ibuf, len);
}

/* ---- tests -------------------------------------------------------------------------- */

static void
test_probe(void **state)
{
	struct wd_dev_info info;
	struct wd_dev *vf = NULL, *pf16 = NULL;

	(void)state;
	assert_int_equal(wd_dev_info_get(pf, &info), 0);
	assert_string_equal(info.driver, "hisi_zip");
	assert_string_equal(info.api, "hisi_qm_v2");
	assert_string_equal(info.algorithms, "zlib\ngzip\ndeflate");
	assert_int_equal(info.queues_total, 64);
	assert_int_equal(info.vendor_id, 0x19e5);
	assert_int_equal(info.device_id, 0xa250);
	assert_int_equal(info.revision, 0x21);
	assert_false(info.flags & WD_DEV_F_VF);

	assert_int_equal(wd_dev_attach("model:vf=1,queues=8", &vf), 0);
	assert_int_equal(wd_dev_info_get(vf, &info), 0);
	assert_true(info.flags & WD_DEV_F_VF);
	assert_int_equal(info.device_id, 0xa251);
	assert_int_equal(info.queues_total, 8);
	assert_int_equal(wd_dev_detach(vf), 0);

	assert_int_equal(wd_dev_attach("model:queues=16", &pf16), 0);
	assert_int_equal(wd_dev_info_get(pf16, &info), 0);
	assert_int_equal(info.queues_total, 16);
	assert_int_equal(wd_dev_detach(pf16), 0);
}

static void
test_roundtrip_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 100, 199, 200, 201, 236, 1000, 4095, 4096,
		4097, 65535, 65536, 65537, 300000, MiB + 7 };
	static const enum wd_test_data kinds[] = { WD_TEST_DATA_TEXT, WD_TEST_DATA_RANDOM,
		WD_TEST_DATA_ZEROS, WD_TEST_DATA_MIXED };
	struct wd_queue *qc[2], *qd[2];

	(void)state;
	qc[0] = queue_on(pf, "zlib", WD_OP_COMPRESS, 64, 0);
	qd[0] = queue_on(pf, "zlib", WD_OP_DECOMPRESS, 64, 0);
	qc[1] = queue_on(pf, "gzip", WD_OP_COMPRESS, 64, 0);
	qd[1] = queue_on(pf, "gzip", WD_OP_DECOMPRESS, 64, 0);
	for (size_t k = 0; k < RTE_DIM(kinds); k++) {
		for (size_t i = 0; i < RTE_DIM(sizes); i++) {
			wd_test_gen(ibuf, sizes[i], kinds[k], 1000 * k + i);
			for (int a = 0; a < 2; a++)
				roundtrip(qc[a], qd[a], a == 0 ? WD_COMP_ALG_ZLIB :
					  WD_COMP_ALG_GZIP, sizes[i]);
		}
	}
	for (int a = 0; a < 2; a++) {
		assert_int_equal(wd_release_queue(qc[a]), 0);
		assert_int_equal(wd_release_queue(qd[a]), 0);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_roundtrip_sizes),
	};
	int ret;

	(void)argc;
	wd_test_eal_init(argv[0], 512);
	mp = rte_pktmbuf_pool_create("hzip_model_mp", 4096, 0, 0, 2048, SOCKET_ID_ANY);
	ibuf = wd_dma_zmalloc(BUF_SIZE, 4096, WD_SOCKET_ANY);
	obuf = wd_dma_zmalloc(BUF_SIZE, 4096, WD_SOCKET_ANY);
	rbuf = wd_dma_zmalloc(BUF_SIZE, 4096, WD_SOCKET_ANY);
	if (mp == NULL || ibuf == NULL || obuf == NULL || rbuf == NULL) {
		fprintf(stderr, "cannot allocate test memory\n");
		return 1;
	}
	if (wd_dev_attach("model", &pf) != 0) {
		fprintf(stderr, "cannot attach the device model\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	wd_dma_free(ibuf);
	wd_dma_free(obuf);
	wd_dma_free(rbuf);
	rte_mempool_free(mp);
	wd_cleanup();
	wd_test_eal_cleanup();
	return ret;
}
