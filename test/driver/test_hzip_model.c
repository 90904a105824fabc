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
 * re-request (a released queue's late error event is not its
 * successor's), bad message fields (unknown buffer types, an all-zero
 * message head), cyclic mbuf chains, interrupt-mode wd_recv_sync.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <time.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <zlib.h>

#include "hzip_model.h"
#include "wd.h"
#include "wd_comp_fmt.h"
#include "wd_comp_msg.h"
#include "wd_core_private.h"
#include "wd_drv.h"
#include "wd_test.h"

#define MiB (1u << 20)
#define BUF_SIZE (10 * MiB)

static struct rte_mempool *mp;
static struct wd_dev *pf;          /* pf_spec (real engine) */
static const char *pf_spec = "model";
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
static long
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

/*
 * The model counts what silicon would reject (bad register writes, wrong
 * doorbells, ...) and device accesses outside the IOMMU mappings: a test
 * reads them through the bus context (test code may; the driver cannot).
 */
static void
model_stats(struct wd_dev *dev, struct hzip_model_stats *st)
{
	hzip_model_stats_get(dev->bctx, st);
}

static void
assert_model_clean(struct wd_dev *dev)
{
	struct hzip_model_stats st;

	model_stats(dev, &st);
	if (st.driver_errors != 0 || st.iommu_faults != 0)
		fail_msg("the model saw %" PRIu64 " driver errors and %" PRIu64 " IOMMU faults",
			 st.driver_errors, st.iommu_faults);
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

	/* the driver's deadline can be given on a model spec too (the model accepts it) */
	assert_int_equal(wd_dev_attach("model:timeout_ms=200", &pf16), 0);
	assert_int_equal(wd_dev_detach(pf16), 0);
	pf16 = NULL;
	assert_int_equal(wd_dev_attach("model:timeout_ms=5", &pf16), -EINVAL);
	assert_null(pf16);
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


/* 8 MiB, the limit, and just past it */
static void
test_limits(void **state)
{
	struct wd_queue *qc = queue_on(pf, "gzip", WD_OP_COMPRESS, 8, 0);
	struct wd_queue *qd = queue_on(pf, "gzip", WD_OP_DECOMPRESS, 8, 0);
	struct wd_comp_msg m;
	uint32_t clen;

	(void)state;
	wd_test_gen(ibuf, 8 * MiB, WD_TEST_DATA_TEXT, 77);
	roundtrip(qc, qd, WD_COMP_ALG_GZIP, 8 * MiB);
	/* input over 8 MiB: refused, never truncated */
	msg_init(&m, WD_COMP_ALG_GZIP, WD_OP_COMPRESS, ibuf, 8 * MiB + 1, obuf, BUF_SIZE);
	run1(qc, &m);
	assert_status(&m, WD_COMP_MSG_ERR_TOO_BIG);
	assert_int_equal(m.produced, 0);
	/* 8 MiB of random data does not fit in 8 MiB of output: too big for one request */
	wd_test_gen(ibuf, 8 * MiB, WD_TEST_DATA_RANDOM, 78);
	msg_init(&m, WD_COMP_ALG_GZIP, WD_OP_COMPRESS, ibuf, 8 * MiB, obuf, BUF_SIZE);
	run1(qc, &m);
	assert_status(&m, WD_COMP_MSG_ERR_TOO_BIG);
	/* decompressing into more than 8 MiB: the output limit, reported as such */
	memset(ibuf, 'a', BUF_SIZE);
	clen = (uint32_t)z_deflate(31, 6, false, ibuf, 9 * MiB, obuf, BUF_SIZE);
	msg_init(&m, WD_COMP_ALG_GZIP, WD_OP_DECOMPRESS, obuf, clen, rbuf, BUF_SIZE);
	run1(qd, &m);
	assert_status(&m, WD_COMP_MSG_ERR_TOO_BIG);
	/* the queues are fine */
	wd_test_gen(ibuf, 1000, WD_TEST_DATA_TEXT, 79);
	roundtrip(qc, qd, WD_COMP_ALG_GZIP, 1000);
	assert_int_equal(wd_release_queue(qc), 0);
	assert_int_equal(wd_release_queue(qd), 0);
}

/* Compression windows: zlib inflates with exactly the window the header declares. */
static void
test_windows(void **state)
{
	struct wd_queue *qc = queue_on(pf, "zlib", WD_OP_COMPRESS, 8, 0);
	struct wd_comp_msg m;

	(void)state;
	/* repeats at long distances: a bigger window than declared would show */
	wd_test_gen(ibuf, 100000, WD_TEST_DATA_RANDOM, 8);
	for (int k = 1; k < 8; k++)
		memcpy(ibuf + k * 100000, ibuf, 100000);
	for (uint8_t wlog = 8; wlog <= 15; wlog++) {
		msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 800000, obuf, BUF_SIZE);
		m.window_log = wlog;
		run1(qc, &m);
		if (wlog < 12) {
			assert_status(&m, WD_COMP_MSG_ERR_NOTSUP);
			continue;
		}
		assert_status(&m, WD_COMP_MSG_OK);
		assert_int_equal(obuf[0] >> 4, wlog - 8);
		if (z_inflate(wlog, obuf, m.produced, rbuf, BUF_SIZE) != 800000)
			fail_msg("window 2^%u: zlib cannot inflate with the declared window", wlog);
		assert_memory_equal(rbuf, ibuf, 800000);
	}
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 1000, obuf, BUF_SIZE);
	m.window_log = 16;
	run1(qc, &m);
	assert_status(&m, WD_COMP_MSG_ERR_INVALID);
	assert_int_equal(wd_release_queue(qc), 0);
}

/* One stream made by zlib (a: 0 zlib, 1 gzip, 2 gzip with every header field). */
static void
zlib_made_one(struct wd_queue **qd, size_t len, int level, int wb, int a)
{
	uint8_t alg = a == 0 ? WD_COMP_ALG_ZLIB : WD_COMP_ALG_GZIP;
	long clen = z_deflate(alg == WD_COMP_ALG_ZLIB ? wb : wb + 16, level, a == 2, ibuf, len,
			      obuf, BUF_SIZE);
	struct wd_comp_msg m;

	assert_true(clen > 0);
	msg_init(&m, alg, WD_OP_DECOMPRESS, obuf, (uint32_t)clen, rbuf, (uint32_t)len + 300);
	run1(qd[alg == WD_COMP_ALG_GZIP], &m);
	if (m.status != WD_COMP_MSG_STREAM_END)
		fail_msg("size %zu level %d wbits %d alg %u fields %d: %s (hw %#x)", len, level,
			 wb, alg, a == 2, st_name(m.status), m.hw_status);
	assert_int_equal(m.produced, len);
	assert_int_equal(m.consumed, clen);
	assert_int_equal(m.checksum, plain_chksum(alg, ibuf, len));
	assert_memory_equal(rbuf, ibuf, len);
}

/*
 * Both readings of a good stateless decompression's end (section 17): the
 * model reports 0x00 + dw3 bit 8 by default, 0x13 + bit 8 with
 * stateless_end=0x13 (meson runs the suite with both): STREAM_END either way.
 */
static void
test_stateless_end(void **state)
{
	struct wd_queue *qd = queue_on(pf, "gzip", WD_OP_DECOMPRESS, 8, 0);
	uint16_t want = strstr(pf_spec, "stateless_end=0x13") != NULL ? 0x13 : 0x00;
	struct wd_comp_msg m;
	long clen;

	(void)state;
	wd_test_gen(ibuf, 50000, WD_TEST_DATA_TEXT, 13);
	clen = z_deflate(31, 6, false, ibuf, 50000, obuf, BUF_SIZE);
	assert_true(clen > 0);
	msg_init(&m, WD_COMP_ALG_GZIP, WD_OP_DECOMPRESS, obuf, (uint32_t)clen, rbuf, 60000);
	run1(qd, &m);
	assert_status(&m, WD_COMP_MSG_STREAM_END);
	assert_int_equal(m.hw_status, want);
	assert_int_equal(m.produced, 50000);
	assert_int_equal(m.consumed, clen);
	assert_int_equal(m.checksum, plain_chksum(WD_COMP_ALG_GZIP, ibuf, 50000));
	assert_int_equal(m.isize, 50000);
	assert_int_equal(wd_release_queue(qd), 0);
}

/* streams made by zlib (levels, windows, every gzip header field) -> our decompression */
static void
test_zlib_made(void **state)
{
	static const size_t sizes[] = { 0, 1, 1000, 65536, 1000000 };
	struct wd_queue *qd[2];

	(void)state;
	qd[0] = queue_on(pf, "zlib", WD_OP_DECOMPRESS, 8, 0);
	qd[1] = queue_on(pf, "gzip", WD_OP_DECOMPRESS, 8, 0);
	for (size_t i = 0; i < RTE_DIM(sizes); i++) {
		wd_test_gen(ibuf, sizes[i], WD_TEST_DATA_MIXED, 500 + i);
		for (int level = 0; level <= 9; level += 3) {
			for (int wb = 9; wb <= 15; wb += 3) {
				for (int a = 0; a < 3; a++)
					zlib_made_one(qd, sizes[i], level, wb, a);
			}
		}
	}
	assert_int_equal(wd_release_queue(qd[0]), 0);
	assert_int_equal(wd_release_queue(qd[1]), 0);
}

static void
test_deflate(void **state)
{
	static const size_t sizes[] = { 0, 1, 5000, 65536, 2000000 };
	struct wd_queue *qc = queue_on(pf, "deflate", WD_OP_COMPRESS, 8, 0);
	struct wd_queue *qd = queue_on(pf, "zlib", WD_OP_DECOMPRESS, 8, 0);
	struct wd_queue *q = NULL;
	struct wd_queue_attr a = { .alg = "deflate", .op = WD_OP_DECOMPRESS,
				   .socket_id = WD_SOCKET_ANY, .dev = pf };
	struct wd_comp_msg m;

	(void)state;
	for (size_t i = 0; i < RTE_DIM(sizes); i++) {
		wd_test_gen(ibuf, sizes[i], WD_TEST_DATA_MIXED, 900 + i);
		roundtrip(qc, NULL, WD_COMP_ALG_DEFLATE, sizes[i]);
	}
	/* decompression of raw deflate is not in v2 hardware */
	assert_int_equal(wd_request_queue(&q, &a), -ENOTSUP);
	msg_init(&m, WD_COMP_ALG_DEFLATE, WD_OP_DECOMPRESS, obuf, 100, rbuf, 1000);
	run1(qd, &m);
	assert_status(&m, WD_COMP_MSG_ERR_NOTSUP);
	assert_int_equal(wd_release_queue(qc), 0);
	assert_int_equal(wd_release_queue(qd), 0);
}

/* Largest part of a corpus file per message. */
#define CORPUS_CHUNK (8 * MiB - 4096)

static void
test_corpus(void **state)
{
	const char *dir = wd_test_corpus_dir();
	const char *const *files = wd_test_corpus_files();
	struct wd_queue *qc[2], *qd[2];
	unsigned int n = 0;

	(void)state;
	if (dir == NULL || files == NULL) {
		print_message("corpus not found: corpus round trips skipped\n");
		skip();
	}
	qc[0] = queue_on(pf, "zlib", WD_OP_COMPRESS, 8, 0);
	qd[0] = queue_on(pf, "zlib", WD_OP_DECOMPRESS, 8, 0);
	qc[1] = queue_on(pf, "gzip", WD_OP_COMPRESS, 8, 0);
	qd[1] = queue_on(pf, "gzip", WD_OP_DECOMPRESS, 8, 0);
	for (const char *const *f = files; *f != NULL; f++) {
		char path[512];
		size_t len = 0, nchunks;
		uint8_t *data;

		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		data = wd_test_read_file(path, &len);
		if (data == NULL)
			fail_msg("cannot read %s", path);
		/* a message holds at most 8 MiB (with room for the stream around it) */
		nchunks = len == 0 ? 1 : (len + CORPUS_CHUNK - 1) / CORPUS_CHUNK;
		if (nchunks > 1)
			print_message("%s: %zu bytes, over one message: %zu parts of at most %u\n",
				      *f, len, nchunks, CORPUS_CHUNK);
		for (size_t c = 0; c < nchunks; c++) {
			size_t off = c * CORPUS_CHUNK, part = RTE_MIN(len - off, CORPUS_CHUNK);

			memcpy(ibuf, data + off, part);
			/* ours -> zlib and ours -> ours */
			for (int a = 0; a < 2; a++)
				roundtrip(qc[a], qd[a], a == 0 ? WD_COMP_ALG_ZLIB :
					  WD_COMP_ALG_GZIP, part);
			/* zlib-made zlib, gzip, gzip with every header field (FNAME too) -> ours */
			for (int a = 0; a < 3; a++)
				zlib_made_one(qd, part, 6, 15, a);
		}
		free(data);
		n++;
	}
	print_message("%u corpus files: round trips and zlib/gzip-made streams decompressed\n", n);
	assert_true(n > 0);
	for (int a = 0; a < 2; a++) {
		assert_int_equal(wd_release_queue(qc[a]), 0);
		assert_int_equal(wd_release_queue(qd[a]), 0);
	}
}

/* ---- streams ------------------------------------------------------------------------ */

static const struct wd_comp_drv_ops *
comp_ops(struct wd_dev *dev)
{
	const struct wd_comp_drv_ops *ops = wd_dev_class_ops(dev, "comp");

	assert_non_null(ops);
	return ops;
}

/* Compress in[0..len) as a stream, input/output in chunks. @return output bytes. */
static size_t
stream_comp(struct wd_queue *q, void *st, uint8_t alg, const uint8_t *in, size_t len,
	    size_t cin, size_t cout, uint8_t *out, size_t cap, uint8_t flush)
{
	size_t pos = 0, opos = 0;
	unsigned int guard = 0;
	struct wd_comp_msg m;

	for (;;) {
		size_t n = RTE_MIN(cin, len - pos);
		bool final = pos + n == len;

		msg_init(&m, alg, WD_OP_COMPRESS, in + pos, (uint32_t)n, out + opos,
			 (uint32_t)RTE_MIN(cout, cap - opos));
		m.flush = final ? WD_COMP_FLUSH_FINAL : flush;
		m.stream = st;
		run1(q, &m);
		if (m.status != WD_COMP_MSG_OK && m.status != WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE)
			fail_msg("stream compress at %zu/%zu (chunks %zu/%zu): %s (hw %#x)", pos,
				 len, cin, cout, st_name(m.status), m.hw_status);
		assert_true(m.consumed <= n);
		assert_true(m.produced <= m.dst.len);
		pos += m.consumed;
		opos += m.produced;
		if (final && m.status == WD_COMP_MSG_OK && m.consumed == n)
			return opos;
		if (++guard > 10000000)
			fail_msg("stream compress does not progress");
	}
}

/* Decompress a stream in chunks; @return output bytes; *used gets input used. */
static size_t
stream_decomp(struct wd_queue *q, void *st, uint8_t alg, const uint8_t *in, size_t len,
	      size_t cin, size_t cout, uint8_t *out, size_t cap, size_t *used)
{
	size_t pos = 0, opos = 0;
	unsigned int stuck = 0;
	struct wd_comp_msg m;

	for (;;) {
		size_t n = RTE_MIN(cin, len - pos);

		msg_init(&m, alg, WD_OP_DECOMPRESS, in + pos, (uint32_t)n, out + opos,
			 (uint32_t)RTE_MIN(cout, cap - opos));
		m.flush = pos + n == len ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_NONE;
		m.stream = st;
		run1(q, &m);
		if (m.status != WD_COMP_MSG_OK && m.status != WD_COMP_MSG_STREAM_END &&
		    m.status != WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE)
			fail_msg("stream decompress at %zu/%zu (chunks %zu/%zu): %s (hw %#x)",
				 pos, len, cin, cout, st_name(m.status), m.hw_status);
		assert_true(m.consumed <= n);
		assert_true(m.produced <= m.dst.len);
		pos += m.consumed;
		opos += m.produced;
		if (m.status == WD_COMP_MSG_STREAM_END) {
			*used = pos;
			return opos;
		}
		stuck = m.consumed == 0 && m.produced == 0 ? stuck + 1 : 0;
		if (stuck > 3)
			fail_msg("stream decompress stuck at %zu/%zu (%s)", pos, len,
				 st_name(m.status));
	}
}

struct chunking {
	size_t len, cin, cout;
};

static void
test_stream_comp(void **state)
{
	static const struct chunking ck[] = {
		{ 0, 1, 65536 }, { 1, 1, 65536 }, { 3000, 1, 65536 }, { 20000, 7, 300 },
		{ 20000, 100, 50 }, { 20000, 333, 1 }, { 100000, 4096, 4096 },
		{ 300000, 65536, 1000 }, { 300000, 1000, 65536 }, { 3 * MiB, MiB, MiB },
		{ 100000, 100000, 201 },
	};
	const struct wd_comp_drv_ops *ops = comp_ops(pf);
	struct wd_queue *q[3];
	static const char *const algs[] = { "deflate", "zlib", "gzip" };

	(void)state;
	for (int a = 0; a < 3; a++)
		q[a] = queue_on(pf, algs[a], WD_OP_COMPRESS, 16, 0);
	for (size_t c = 0; c < RTE_DIM(ck); c++) {
		wd_test_gen(ibuf, ck[c].len, c % 2 ? WD_TEST_DATA_TEXT : WD_TEST_DATA_MIXED, c);
		for (int a = 0; a < 3; a++) {
			struct wd_comp_stream_params p = { .alg = (uint8_t)a,
				.op = WD_OP_COMPRESS, .socket_id = WD_SOCKET_ANY };
			void *st = NULL;
			size_t clen;
			long zn;

			assert_int_equal(ops->stream_create(pf, &p, &st), 0);
			clen = stream_comp(q[a], st, (uint8_t)a, ibuf, ck[c].len, ck[c].cin,
					   ck[c].cout, obuf, BUF_SIZE,
					   c % 3 ? WD_COMP_FLUSH_SYNC : WD_COMP_FLUSH_NONE);
			zn = z_inflate(wbits_of((uint8_t)a), obuf, clen, rbuf, BUF_SIZE);
			if (zn != (long)ck[c].len)
				fail_msg("%s stream of %zu in chunks %zu/%zu: zlib inflate %ld",
					 algs[a], ck[c].len, ck[c].cin, ck[c].cout, zn);
			assert_memory_equal(rbuf, ibuf, ck[c].len);
			/* the same stream again after a reset */
			if (c == 6) {
				ops->stream_reset(st);
				clen = stream_comp(q[a], st, (uint8_t)a, ibuf, ck[c].len, 5000,
						   5000, obuf, BUF_SIZE, WD_COMP_FLUSH_SYNC);
				assert_int_equal(z_inflate(wbits_of((uint8_t)a), obuf, clen, rbuf,
							   BUF_SIZE), (long)ck[c].len);
			}
			ops->stream_free(st);
		}
	}
	for (int a = 0; a < 3; a++)
		assert_int_equal(wd_release_queue(q[a]), 0);
}

static void
test_stream_decomp(void **state)
{
	static const struct chunking ck[] = {
		{ 0, 1, 65536 }, { 1, 1, 65536 }, { 5000, 1, 65536 }, { 20000, 7, 300 },
		{ 20000, 100, 50 }, { 20000, 333, 1 }, { 100000, 4096, 4096 },
		{ 300000, 65536, 1000 }, { 300000, 1000, 65536 }, { 3 * MiB, MiB, MiB },
		{ 100000, 100000, 201 }, { 200000, 3, 100000 },
	};
	const struct wd_comp_drv_ops *ops = comp_ops(pf);
	struct wd_queue *q[2];

	(void)state;
	q[0] = queue_on(pf, "zlib", WD_OP_DECOMPRESS, 16, 0);
	q[1] = queue_on(pf, "gzip", WD_OP_DECOMPRESS, 16, 0);
	for (size_t c = 0; c < RTE_DIM(ck); c++) {
		wd_test_gen(ibuf, ck[c].len, c % 2 ? WD_TEST_DATA_TEXT : WD_TEST_DATA_MIXED, c);
		for (int a = 0; a < 3; a++) {
			uint8_t alg = a == 0 ? WD_COMP_ALG_ZLIB : WD_COMP_ALG_GZIP;
			struct wd_comp_stream_params p = { .alg = alg, .op = WD_OP_DECOMPRESS,
							   .socket_id = WD_SOCKET_ANY };
			long clen = z_deflate(alg == WD_COMP_ALG_ZLIB ? 15 : 31, 6, a == 2, ibuf,
					      ck[c].len, obuf, BUF_SIZE);
			void *st = NULL;
			size_t dlen, used = 0;

			assert_true(clen > 0);
			/* trailing garbage after the stream is not consumed */
			memset(obuf + clen, 0xee, 16);
			assert_int_equal(ops->stream_create(pf, &p, &st), 0);
			dlen = stream_decomp(q[alg == WD_COMP_ALG_GZIP], st, alg, obuf,
					     (size_t)clen + 16, ck[c].cin, ck[c].cout, rbuf,
					     BUF_SIZE, &used);
			if (dlen != ck[c].len || memcmp(rbuf, ibuf, dlen) != 0)
				fail_msg("alg %u fields %d %zu B in chunks %zu/%zu: %zu B out",
					 alg, a == 2, ck[c].len, ck[c].cin, ck[c].cout, dlen);
			assert_int_equal(used, clen);
			ops->stream_free(st);
		}
	}
	assert_int_equal(wd_release_queue(q[0]), 0);
	assert_int_equal(wd_release_queue(q[1]), 0);
}

/*
 * A gzip header longer than 64 KiB (FCOMMENT and FNAME have no length limit
 * in RFC 1952): every header byte is counted as consumed, stateless and
 * in a stream whose header spans several requests.
 */
static void
test_gzip_long_header(void **state)
{
	static const size_t hlens[] = { 65535, 65600, 200000 };
	const struct wd_comp_drv_ops *ops = comp_ops(pf);
	struct wd_queue *q = queue_on(pf, "gzip", WD_OP_DECOMPRESS, 8, 0);
	const size_t len = 30000;

	(void)state;
	wd_test_gen(ibuf, len, WD_TEST_DATA_TEXT, 77);
	for (size_t i = 0; i < RTE_DIM(hlens); i++) {
		struct wd_comp_stream_params p = { .alg = WD_COMP_ALG_GZIP,
						   .op = WD_OP_DECOMPRESS,
						   .socket_id = WD_SOCKET_ANY };
		char *comment = malloc(hlens[i] + 1);
		struct wd_comp_msg m;
		gz_header h;
		z_stream z;
		size_t used = 0, dlen;
		void *st = NULL;
		long clen;

		assert_non_null(comment);
		memset(comment, 'c', hlens[i]);
		comment[hlens[i]] = '\0';
		memset(&h, 0, sizeof(h));
		h.comment = (Bytef *)comment;
		h.name = (Bytef *)"long-header.txt";
		memset(&z, 0, sizeof(z));
		assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
		assert_int_equal(deflateSetHeader(&z, &h), Z_OK);
		z.next_in = ibuf;
		z.avail_in = (uInt)len;
		z.next_out = obuf;
		z.avail_out = (uInt)BUF_SIZE;
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		clen = (long)z.total_out;
		deflateEnd(&z);
		free(comment);
		assert_true((size_t)clen > hlens[i]);

		msg_init(&m, WD_COMP_ALG_GZIP, WD_OP_DECOMPRESS, obuf, (uint32_t)clen, rbuf,
			 BUF_SIZE);
		run1(q, &m);
		if (m.status != WD_COMP_MSG_STREAM_END && m.status != WD_COMP_MSG_OK)
			fail_msg("header %zu B: %s (hw %#x)", hlens[i], st_name(m.status),
				 m.hw_status);
		assert_int_equal(m.consumed, clen);
		assert_int_equal(m.produced, len);
		assert_memory_equal(rbuf, ibuf, len);

		assert_int_equal(ops->stream_create(pf, &p, &st), 0);
		dlen = stream_decomp(q, st, WD_COMP_ALG_GZIP, obuf, (size_t)clen, 50000, 65536,
				     rbuf, BUF_SIZE, &used);
		assert_int_equal(dlen, len);
		assert_int_equal(used, clen);
		assert_memory_equal(rbuf, ibuf, len);
		ops->stream_free(st);
	}
	assert_int_equal(wd_release_queue(q), 0);
}

/* Streams of our own, both ways, random chunkings. */
static void
test_stream_random(void **state)
{
	const struct wd_comp_drv_ops *ops = comp_ops(pf);
	struct wd_queue *qc = queue_on(pf, "gzip", WD_OP_COMPRESS, 16, 0);
	struct wd_queue *qd = queue_on(pf, "gzip", WD_OP_DECOMPRESS, 16, 0);
	uint64_t seed = 12345;

	(void)state;
	for (int i = 0; i < 12; i++) {
		struct wd_comp_stream_params pc = { .alg = WD_COMP_ALG_GZIP, .op = WD_OP_COMPRESS,
						    .socket_id = WD_SOCKET_ANY };
		struct wd_comp_stream_params pd = pc;
		void *sc = NULL, *sd = NULL;
		size_t len, clen, dlen, used = 0;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		len = (seed >> 20) % (2 * MiB);
		wd_test_gen(ibuf, len, (enum wd_test_data)(i % 4), seed);
		pd.op = WD_OP_DECOMPRESS;
		assert_int_equal(ops->stream_create(pf, &pc, &sc), 0);
		assert_int_equal(ops->stream_create(pf, &pd, &sd), 0);
		clen = stream_comp(qc, sc, WD_COMP_ALG_GZIP, ibuf, len, 1 + (seed >> 8) % 300000,
				   256 + (seed >> 24) % 200000, obuf, BUF_SIZE, WD_COMP_FLUSH_SYNC);
		dlen = stream_decomp(qd, sd, WD_COMP_ALG_GZIP, obuf, clen, 1 + (seed >> 32) % 90000,
				     1 + (seed >> 40) % 300000, rbuf, BUF_SIZE, &used);
		assert_int_equal(dlen, len);
		assert_int_equal(used, clen);
		assert_memory_equal(rbuf, ibuf, len);
		ops->stream_free(sc);
		ops->stream_free(sd);
	}
	assert_int_equal(wd_release_queue(qc), 0);
	assert_int_equal(wd_release_queue(qd), 0);
}

/* ---- mbuf chains -------------------------------------------------------------------- */

/* A chain of @p nseg segments holding @p len bytes after @p off bytes of padding. */
static struct rte_mbuf *
chain_of(unsigned int nseg, uint32_t off, uint32_t len, const uint8_t *data)
{
	struct rte_mbuf *head = NULL, *prev = NULL;
	uint32_t total = off + len, done = 0;
	uint32_t per = (total + nseg - 1) / nseg;

	if (per == 0)
		per = 1;
	for (unsigned int i = 0; i < nseg; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t left = done < total ? total - done : 0;
		uint32_t n = RTE_MIN(per, left);
		uint8_t *p;

		assert_non_null(m);
		/* vary the segment sizes a little; keep the total */
		if (i + 1 < nseg && n > 2 && (i & 1))
			n -= 1;
		if (i + 1 == nseg)
			n = total - done;
		assert_true(n <= rte_pktmbuf_tailroom(m));
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		assert_true(p != NULL || n == 0);
		for (uint32_t k = 0; k < n; k++) {
			uint32_t at = done + k;

			p[k] = at < off ? 0xa5 : data != NULL ? data[at - off] : 0;
		}
		done += n;
		if (head == NULL) {
			head = m;
		} else {
			prev->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		prev = m;
	}
	return head;
}

static void
test_mbuf_chains(void **state)
{
	static const unsigned int segs[] = { 1, 2, 3, 4, 14, 15, 29, 64, 255, 256, 300 };
	struct wd_queue *qc = queue_on(pf, "zlib", WD_OP_COMPRESS, 16, 0);
	struct wd_queue *qd = queue_on(pf, "zlib", WD_OP_DECOMPRESS, 16, 0);

	(void)state;
	for (size_t i = 0; i < RTE_DIM(segs); i++) {
		uint32_t len = segs[i] * 1500 - 100;
		uint32_t ioff = (uint32_t)(i * 37 % 1000), ooff = (uint32_t)(i * 91 % 1500);
		uint32_t room = (uint32_t)wd_comp_fmt_bound(WD_COMP_ALG_ZLIB, len) + 64;
		struct rte_mbuf *src, *dst, *back;
		struct wd_comp_msg m;
		uint32_t clen;

		wd_test_gen(ibuf, len, WD_TEST_DATA_MIXED, i);
		src = chain_of(segs[i], ioff, len, ibuf);
		dst = chain_of(RTE_MAX(segs[i], (room + ooff) / 1800 + 1), ooff, room, NULL);
		/* mbuf -> mbuf */
		memset(&m, 0, sizeof(m));
		m.alg = WD_COMP_ALG_ZLIB;
		m.op = WD_OP_COMPRESS;
		m.flush = WD_COMP_FLUSH_FINAL;
		m.src = (struct wd_comp_buf){ .type = WD_COMP_BUF_MBUF, .m = src, .offset = ioff,
					      .len = len };
		m.dst = (struct wd_comp_buf){ .type = WD_COMP_BUF_MBUF, .m = dst, .offset = ooff,
					      .len = room };
		run1(qc, &m);
		assert_status(&m, WD_COMP_MSG_OK);
		assert_int_equal(m.consumed, len);
		clen = m.produced;
		{
			const void *c = rte_pktmbuf_read(dst, ooff, clen, obuf);

			assert_non_null(c);
			if (c != obuf)
				memcpy(obuf, c, clen);
		}
		assert_int_equal(z_inflate(15, obuf, clen, rbuf, BUF_SIZE), (long)len);
		assert_memory_equal(rbuf, ibuf, len);
		/* the padding before the offset is untouched */
		if (ooff > 0)
			assert_int_equal(*rte_pktmbuf_mtod(dst, uint8_t *), 0xa5);
		/* mbuf -> flat decompression, from a chain with an offset */
		back = chain_of(segs[i], ooff, clen, obuf);
		memset(&m, 0, sizeof(m));
		m.alg = WD_COMP_ALG_ZLIB;
		m.op = WD_OP_DECOMPRESS;
		m.flush = WD_COMP_FLUSH_FINAL;
		m.src = (struct wd_comp_buf){ .type = WD_COMP_BUF_MBUF, .m = back, .offset = ooff,
					      .len = clen };
		m.dst = (struct wd_comp_buf){ .type = WD_COMP_BUF_FLAT, .addr = rbuf,
					      .len = len + 100 };
		memset(rbuf, 0, len);
		run1(qd, &m);
		assert_status(&m, WD_COMP_MSG_STREAM_END);
		assert_int_equal(m.produced, len);
		assert_memory_equal(rbuf, ibuf, len);
		rte_pktmbuf_free(src);
		rte_pktmbuf_free(dst);
		rte_pktmbuf_free(back);
	}
	assert_int_equal(wd_release_queue(qc), 0);
	assert_int_equal(wd_release_queue(qd), 0);
}

/* Chains where the gzip header itself spans segments, on stream decompression. */
static void
test_mbuf_header_split(void **state)
{
	const struct wd_comp_drv_ops *ops = comp_ops(pf);
	struct wd_queue *qd = queue_on(pf, "gzip", WD_OP_DECOMPRESS, 8, 0);
	struct wd_comp_stream_params p = { .alg = WD_COMP_ALG_GZIP, .op = WD_OP_DECOMPRESS,
					   .socket_id = WD_SOCKET_ANY };
	long clen;

	(void)state;
	wd_test_gen(ibuf, 50000, WD_TEST_DATA_TEXT, 5);
	clen = z_deflate(31, 6, true, ibuf, 50000, obuf, BUF_SIZE);
	assert_true(clen > 0);
	for (unsigned int nseg = 2; nseg <= 40; nseg += 19) {
		/* tiny first segments: the header crosses several */
		struct rte_mbuf *src = NULL, *prev = NULL;
		uint32_t done = 0;
		void *st = NULL;
		struct wd_comp_msg m;

		for (unsigned int i = 0; done < (uint32_t)clen; i++) {
			struct rte_mbuf *s = rte_pktmbuf_alloc(mp);
			/* nseg tiny segments first, then the rest in 1800-byte ones */
			uint32_t n = RTE_MIN(i < nseg ? 3u + i : 1800u, (uint32_t)clen - done);

			assert_non_null(s);
			memcpy(rte_pktmbuf_append(s, (uint16_t)n), obuf + done, n);
			done += n;
			if (src == NULL) {
				src = s;
			} else {
				prev->next = s;
				src->nb_segs++;
				src->pkt_len += n;
			}
			prev = s;
		}
		assert_int_equal(ops->stream_create(pf, &p, &st), 0);
		memset(&m, 0, sizeof(m));
		m.alg = WD_COMP_ALG_GZIP;
		m.op = WD_OP_DECOMPRESS;
		m.flush = WD_COMP_FLUSH_FINAL;
		m.stream = st;
		m.src = (struct wd_comp_buf){ .type = WD_COMP_BUF_MBUF, .m = src,
					      .len = (uint32_t)clen };
		m.dst = (struct wd_comp_buf){ .type = WD_COMP_BUF_FLAT, .addr = rbuf,
					      .len = 60000 };
		run1(qd, &m);
		assert_status(&m, WD_COMP_MSG_STREAM_END);
		assert_int_equal(m.produced, 50000);
		assert_int_equal(m.consumed, clen);
		assert_memory_equal(rbuf, ibuf, 50000);
		ops->stream_free(st);
		rte_pktmbuf_free(src);
	}
	assert_int_equal(wd_release_queue(qd), 0);
}

/* ---- out of space, corrupt input, checksums ------------------------------------------ */

static void
test_out_of_space(void **state)
{
	const struct wd_comp_drv_ops *ops = comp_ops(pf);
	struct wd_queue *qc = queue_on(pf, "zlib", WD_OP_COMPRESS, 8, 0);
	struct wd_queue *qd = queue_on(pf, "zlib", WD_OP_DECOMPRESS, 8, 0);
	struct wd_comp_stream_params p = { .alg = WD_COMP_ALG_ZLIB, .op = WD_OP_DECOMPRESS,
					   .socket_id = WD_SOCKET_ANY };
	struct wd_comp_msg m;
	void *st = NULL;
	size_t got = 0, pos = 0;
	long clen;

	(void)state;
	/* stateless compress into too little room: terminated, resubmit with more */
	wd_test_gen(ibuf, 100000, WD_TEST_DATA_RANDOM, 1);
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 100000, obuf, 50000);
	run1(qc, &m);
	assert_status(&m, WD_COMP_MSG_OUT_OF_SPACE_TERMINATED);
	assert_int_equal(m.produced, 0);
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 100000, obuf, 1);
	run1(qc, &m);
	assert_status(&m, WD_COMP_MSG_OUT_OF_SPACE_TERMINATED);
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 100000, obuf, 200000);
	run1(qc, &m);
	assert_status(&m, WD_COMP_MSG_OK);
	clen = m.produced;
	/* stateless decompress into too little room: terminated */
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_DECOMPRESS, obuf, (uint32_t)clen, rbuf, 99999);
	run1(qd, &m);
	assert_status(&m, WD_COMP_MSG_OUT_OF_SPACE_TERMINATED);
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_DECOMPRESS, obuf, (uint32_t)clen, rbuf, 100);
	run1(qd, &m);
	assert_status(&m, WD_COMP_MSG_OUT_OF_SPACE_TERMINATED);
	/* stream decompress: recoverable, continue from consumed with new room */
	assert_int_equal(ops->stream_create(pf, &p, &st), 0);
	for (int i = 0; ; i++) {
		msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_DECOMPRESS, obuf + pos,
			 (uint32_t)(clen - (long)pos), rbuf + got, 30000);
		m.stream = st;
		run1(qd, &m);
		pos += m.consumed;
		got += m.produced;
		if (m.status == WD_COMP_MSG_STREAM_END)
			break;
		assert_status(&m, WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE);
		assert_true(i < 10);
	}
	assert_int_equal(got, 100000);
	assert_int_equal(pos, clen);
	assert_memory_equal(rbuf, ibuf, 100000);
	ops->stream_free(st);
	assert_int_equal(wd_release_queue(qc), 0);
	assert_int_equal(wd_release_queue(qd), 0);
}

static void
test_corrupt(void **state)
{
	struct wd_queue *qd[2];
	struct wd_comp_msg m;
	uint64_t seed = 99;
	long clen;

	(void)state;
	qd[0] = queue_on(pf, "zlib", WD_OP_DECOMPRESS, 8, 0);
	qd[1] = queue_on(pf, "gzip", WD_OP_DECOMPRESS, 8, 0);
	wd_test_gen(ibuf, 100000, WD_TEST_DATA_TEXT, 3);
	for (int a = 0; a < 2; a++) {
		uint8_t alg = a == 0 ? WD_COMP_ALG_ZLIB : WD_COMP_ALG_GZIP;
		unsigned int tl = a == 0 ? 4 : 8;

		clen = z_deflate(a == 0 ? 15 : 31, 6, false, ibuf, 100000, obuf, BUF_SIZE);
		assert_true(clen > 0);
		/* trailer checksum flipped */
		obuf[clen - tl] ^= 0x40;
		msg_init(&m, alg, WD_OP_DECOMPRESS, obuf, (uint32_t)clen, rbuf, 200000);
		run1(qd[a], &m);
		assert_status(&m, WD_COMP_MSG_ERR_CHECKSUM);
		obuf[clen - tl] ^= 0x40;
		/* truncated stream (stateless: must end) */
		msg_init(&m, alg, WD_OP_DECOMPRESS, obuf, (uint32_t)clen / 2, rbuf, 200000);
		run1(qd[a], &m);
		assert_status(&m, WD_COMP_MSG_ERR_DATA);
		/* garbage after a valid header */
		for (int i = 0; i < 10; i++) {
			for (long k = 12; k < clen; k++) {
				seed = seed * 6364136223846793005ull + 1;
				obuf[k] = (uint8_t)(seed >> 56);
			}
			msg_init(&m, alg, WD_OP_DECOMPRESS, obuf, (uint32_t)clen, rbuf, 200000);
			run1(qd[a], &m);
			if (m.status != WD_COMP_MSG_ERR_DATA &&
			    m.status != WD_COMP_MSG_ERR_CHECKSUM)
				fail_msg("garbage: %s (hw %#x)", st_name(m.status), m.hw_status);
		}
		/* bad header */
		memset(obuf, 0x11, 64);
		msg_init(&m, alg, WD_OP_DECOMPRESS, obuf, 64, rbuf, 200000);
		run1(qd[a], &m);
		assert_status(&m, WD_COMP_MSG_ERR_DATA);
	}
	/* zlib with a preset dictionary */
	{
		z_stream z;
		static const char dict[] = "dictionary words";

		memset(&z, 0, sizeof(z));
		assert_int_equal(deflateInit(&z, 6), Z_OK);
		deflateSetDictionary(&z, (const Bytef *)dict, sizeof(dict));
		z.next_in = ibuf;
		z.avail_in = 1000;
		z.next_out = obuf;
		z.avail_out = BUF_SIZE;
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		clen = (long)z.total_out;
		deflateEnd(&z);
		msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_DECOMPRESS, obuf, (uint32_t)clen, rbuf, 2000);
		run1(qd[0], &m);
		assert_status(&m, WD_COMP_MSG_ERR_DICT);
	}
	/* the queues still work */
	clen = z_deflate(15, 6, false, ibuf, 100000, obuf, BUF_SIZE);
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_DECOMPRESS, obuf, (uint32_t)clen, rbuf, 200000);
	run1(qd[0], &m);
	assert_status(&m, WD_COMP_MSG_STREAM_END);
	assert_int_equal(wd_release_queue(qd[0]), 0);
	assert_int_equal(wd_release_queue(qd[1]), 0);
}


/* ---- fault injection: every request ends exactly once --------------------------------- */

#define SB(x) (1u << (x))

struct fault_case {
	const char *spec;
	unsigned int nreq;
	uint32_t expect[16];  /* acceptable statuses per request (bit set) */
	bool second_queue;    /* another queue's requests are caught in it too */
	uint32_t expect_b;
	unsigned int b_after; /* send the second queue's requests once this many completed */
};

static void
run_fault_case(const struct fault_case *fc)
{
	struct wd_dev *dev = NULL;
	struct wd_queue *qa, *qb = NULL;
	struct wd_comp_msg ma[16], mb[4];
	void *reqs[16];
	unsigned int seen_a[16] = { 0 }, seen_b[4] = { 0 }, got_a = 0, got_b = 0;
	uint64_t t0, end;
	uint8_t *src = ibuf, *dst = obuf;
	bool b_sent = false;

	assert_int_equal(wd_dev_attach(fc->spec, &dev), 0);
	qa = queue_on(dev, "zlib", WD_OP_COMPRESS, 32, 0);
	if (fc->second_queue)
		qb = queue_on(dev, "gzip", WD_OP_COMPRESS, 32, 0);
	wd_test_gen(src, 4096, WD_TEST_DATA_TEXT, 1);
	for (unsigned int i = 0; i < fc->nreq; i++) {
		msg_init(&ma[i], WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, src, 4096, dst + i * 8192, 8192);
		ma[i].user_data = (void *)(uintptr_t)i;
		reqs[i] = &ma[i];
	}
	/* one at a time, so that fault_after counts them in order */
	for (unsigned int i = 0; i < fc->nreq; i++)
		assert_int_equal(wd_send_burst(qa, reqs + i, 1), 1);
	for (unsigned int i = 0; qb != NULL && i < 4; i++) {
		msg_init(&mb[i], WD_COMP_ALG_GZIP, WD_OP_COMPRESS, src, 4096,
			 dst + (16 + i) * 8192, 8192);
		mb[i].user_data = (void *)(uintptr_t)i;
	}
	t0 = rte_get_timer_cycles();
	end = t0 + 15 * rte_get_timer_hz();
	while ((got_a < fc->nreq || (qb != NULL && got_b < 4)) && rte_get_timer_cycles() < end) {
		void *out[16];
		uint16_t k;

		if (qb != NULL && !b_sent && got_a >= fc->b_after) {
			void *rb[4] = { &mb[0], &mb[1], &mb[2], &mb[3] };

			assert_int_equal(wd_send_burst(qb, rb, 4), 4);
			b_sent = true;
		}
		k = wd_recv_burst(qa, out, 16);

		for (uint16_t i = 0; i < k; i++, got_a++) {
			struct wd_comp_msg *o = out[i];

			seen_a[(uintptr_t)o->user_data]++;
			if (getenv("HZIP_TEST_VERBOSE"))
				print_message("  %.3f s: request %u %s\n", (double)(
					rte_get_timer_cycles() - t0) / (double)rte_get_timer_hz(),
					(unsigned int)(uintptr_t)o->user_data, st_name(o->status));
		}
		if (qb != NULL) {
			k = wd_recv_burst(qb, out, 4);
			for (uint16_t i = 0; i < k; i++, got_b++)
				seen_b[(uintptr_t)((struct wd_comp_msg *)out[i])->user_data]++;
		}
	}
	/* nothing more comes, ever */
	rte_delay_ms(100);
	for (int p = 0; p < 1000; p++) {
		void *out[16];

		got_a += wd_recv_burst(qa, out, 16);
		if (qb != NULL)
			got_b += wd_recv_burst(qb, out, 4);
	}
	if (got_a != fc->nreq)
		fail_msg("%s: %u completions for %u requests", fc->spec, got_a, fc->nreq);
	for (unsigned int i = 0; i < fc->nreq && getenv("HZIP_TEST_VERBOSE"); i++)
		print_message("%s: request %u: %s (hw %#x), seen %u\n", fc->spec, i,
			      st_name(ma[i].status), ma[i].hw_status, seen_a[i]);
	for (unsigned int i = 0; i < fc->nreq; i++) {
		assert_int_equal(seen_a[i], 1);
		if (!(fc->expect[i] & SB(ma[i].status)))
			fail_msg("%s: request %u ended %s", fc->spec, i, st_name(ma[i].status));
		if (ma[i].status == WD_COMP_MSG_OK)
			assert_int_equal(z_inflate(15, ma[i].dst.addr, ma[i].produced, rbuf,
						   BUF_SIZE), 4096);
	}
	if (qb != NULL) {
		assert_int_equal(got_b, 4);
		for (unsigned int i = 0; i < 4; i++) {
			assert_int_equal(seen_b[i], 1);
			if (!(fc->expect_b & SB(mb[i].status)))
				fail_msg("%s: second queue request %u ended %s", fc->spec, i,
					 st_name(mb[i].status));
		}
	}
	/* the queues work afterwards */
	wd_test_gen(ibuf, 100000, WD_TEST_DATA_TEXT, 2);
	roundtrip(qa, NULL, WD_COMP_ALG_ZLIB, 100000);
	if (qb != NULL) {
		roundtrip(qb, NULL, WD_COMP_ALG_GZIP, 100000);
		assert_int_equal(wd_release_queue(qb), 0);
	}
	assert_int_equal(wd_release_queue(qa), 0);
	assert_int_equal(wd_dev_detach(dev), 0);
}

static void
test_faults(void **state)
{
	const uint32_t ok = SB(WD_COMP_MSG_OK), to = SB(WD_COMP_MSG_ERR_TIMEOUT),
		       de = SB(WD_COMP_MSG_ERR_DEVICE);
	const struct fault_case cases[] = {
		/* a failure status: terminated (0x0e), the others untouched */
		{ "model:fail=2,fault_after=3", 8,
		  { ok, ok, ok, SB(WD_COMP_MSG_OUT_OF_SPACE_TERMINATED),
		    SB(WD_COMP_MSG_OUT_OF_SPACE_TERMINATED), ok, ok, ok } },
		/* an undocumented status on compression: device error */
		{ "model:fail=1,fail_status=0x33,fault_after=1", 4, { ok, de, ok, ok } },
		/* a lost completion: that request times out (1 s); the queue does not
		 * drain, the function is reset; the others had completed long before,
		 * and the other queue's (sent then, so that the drop is not theirs)
		 * complete before the deadline too */
		{ "model:drop=1,fault_after=2", 6, { ok, ok, to, ok, ok, ok }, true, ok, 5 },
		/* a CQE with the wrong phase: not trusted, timed out; the queue drains
		 * (the device wrote every CQE) and the CQEs after it are taken */
		{ "model:bad_phase=1,fault_after=2", 6, { ok, ok, to, ok, ok, ok } },
		/* ECC multi-bit: the engine halts; the error registers call for a reset */
		{ "model:ecc=1,fault_after=2", 6, { ok, ok, de, de, de, de }, true, de },
		/*
		 * A stall past the deadline (1 s) with nothing behind it: the queue does
		 * not drain, the function is reset, and the model finishes the stalled
		 * request before the reset takes effect: its completion is kept (OK,
		 * once). (Requests queued behind a stall, or on other queues, may or may
		 * not run before the reset pauses the engine: the model's batching, not
		 * the driver, decides, so none are sent here.)
		 */
		{ "model:stall_ms=2500,fault_after=2", 3, { ok, ok, ok } },
		/* the same stall with the request dropped as well: it times out, once */
		{ "model:stall_ms=2500,drop=1,fault_after=2", 3, { ok, ok, to } },
		/* a stall within the deadline: just late */
		{ "model:stall_ms=300,fault_after=1", 4, { ok, ok, ok, ok } },
	};

	(void)state;
	for (size_t i = 0; i < RTE_DIM(cases); i++)
		run_fault_case(&cases[i]);
}

/*
 * A lost completion that the ring comes round to: the requests behind it
 * complete one at a time until the next SQE would go into its slot, which
 * it still holds; then it must still time out (once) and the queue work.
 * Then the same with the tail passing the driver's record of the oldest
 * slot.
 */
static void
test_lost_completion_wrapped(void **state)
{
	struct wd_dev *dev = NULL;
	struct wd_comp_msg m0, m;
	struct wd_queue *q;
	void *out = NULL;
	int sent = 0;

	(void)state;
	assert_int_equal(wd_dev_attach("model:drop=1,timeout_ms=200", &dev), 0);
	q = queue_on(dev, "zlib", WD_OP_COMPRESS, 8, 0);
	wd_test_gen(ibuf, 4096, WD_TEST_DATA_TEXT, 4);
	msg_init(&m0, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 4096, obuf, 8192);
	assert_int_equal(wd_send(q, &m0), 0);	/* its CQE is dropped */
	for (int i = 0; i < 16; i++) {
		msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 4096, obuf + 8192, 8192);
		if (wd_send(q, &m) == -EBUSY)
			break;
		sent++;
		assert_int_equal(wd_recv_sync(q, &out, 5000), 1);
		assert_ptr_equal(out, &m);
		assert_status(&m, WD_COMP_MSG_OK);
	}
	/* depth 8: seven slots behind it, then its own */
	assert_int_equal(sent, 7);
	assert_int_equal(wd_recv_sync(q, &out, 5000), 1);
	assert_ptr_equal(out, &m0);
	assert_status(&m0, WD_COMP_MSG_ERR_TIMEOUT);
	assert_int_equal(wd_recv(q, &out), 0);
	wd_test_gen(ibuf, 100000, WD_TEST_DATA_TEXT, 5);
	roundtrip(q, NULL, WD_COMP_ALG_ZLIB, 100000);
	assert_int_equal(wd_release_queue(q), 0);
	assert_int_equal(wd_dev_detach(dev), 0);

	/*
	 * The tail passing the driver's place of the oldest request between two
	 * looks (depth 2: the first request completes without a look, the
	 * second's completion is lost): it still times out, once.
	 */
	assert_int_equal(wd_dev_attach("model:drop=1,fault_after=1,timeout_ms=200", &dev), 0);
	q = queue_on(dev, "zlib", WD_OP_COMPRESS, 2, 0);
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 4096, obuf + 8192, 8192);
	assert_int_equal(wd_send(q, &m), 0);
	assert_int_equal(wd_recv_sync(q, &out, 5000), 1);
	assert_status(&m, WD_COMP_MSG_OK);
	msg_init(&m0, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 4096, obuf, 8192);
	assert_int_equal(wd_send(q, &m0), 0);	/* its CQE is dropped */
	assert_int_equal(wd_recv_sync(q, &out, 5000), 1);
	assert_ptr_equal(out, &m0);
	assert_status(&m0, WD_COMP_MSG_ERR_TIMEOUT);
	assert_int_equal(wd_recv(q, &out), 0);
	roundtrip(q, NULL, WD_COMP_ALG_ZLIB, 100000);
	assert_int_equal(wd_release_queue(q), 0);
	assert_int_equal(wd_dev_detach(dev), 0);
}

/*
 * A DMA fault on queue B (a decompression reading unmapped memory), found
 * by queue A's periodic error check, which resets the function before B
 * is polled: B's request still ends ERR_DEVICE (the reset cleared the
 * error registers; the input is not to blame), A's completes.
 */
static void
test_fault_found_by_other_queue(void **state)
{
	struct wd_dev *dev = NULL;
	struct wd_queue *qa, *qb;
	struct wd_comp_msg ma, mb;
	uint8_t *heap = malloc(65536);
	uLongf clen = 65536;
	void *out = NULL;

	(void)state;
	assert_non_null(heap);
	assert_int_equal(wd_dev_attach("model:timeout_ms=200", &dev), 0);
	qa = queue_on(dev, "zlib", WD_OP_COMPRESS, 8, 0);
	qb = queue_on(dev, "zlib", WD_OP_DECOMPRESS, 8, 0);
	wd_test_gen(ibuf, 1 << 19, WD_TEST_DATA_TEXT, 6);
	assert_int_equal(compress2(heap, &clen, ibuf, 65536, 6), Z_OK);	/* never mapped */
	msg_init(&mb, WD_COMP_ALG_ZLIB, WD_OP_DECOMPRESS, heap, (uint32_t)clen,
		 obuf + (1 << 19), 65536);
	assert_int_equal(wd_send(qb, &mb), 0);
	usleep(20000);	/* B's request has faulted; B is not polled */
	msg_init(&ma, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 1 << 19, obuf, 1 << 19);
	assert_int_equal(wd_send(qa, &ma), 0);
	assert_int_equal(wd_recv_sync(qa, &out, 5000), 1);
	assert_ptr_equal(out, &ma);
	assert_int_equal(wd_recv_sync(qb, &out, 5000), 1);
	assert_ptr_equal(out, &mb);
	assert_status(&mb, WD_COMP_MSG_ERR_DEVICE);
	assert_int_equal(wd_release_queue(qa), 0);
	assert_int_equal(wd_release_queue(qb), 0);
	assert_int_equal(wd_dev_detach(dev), 0);
	free(heap);
}

/* A request whose buffer is not mapped for the device: an error, not a crash. */
static void
test_iommu_fault(void **state)
{
	struct wd_dev *dev = NULL;
	struct wd_queue *q;
	struct wd_comp_msg m;
	uint8_t *heap = malloc(65536);

	(void)state;
	assert_non_null(heap);
	assert_int_equal(wd_dev_attach("model", &dev), 0);
	q = queue_on(dev, "zlib", WD_OP_COMPRESS, 8, 0);
	wd_test_gen(ibuf, 4096, WD_TEST_DATA_TEXT, 3);
	/* malloc'ed output, never given to wd_dma_map() */
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 4096, heap, 65536);
	run1(q, &m);
	assert_status(&m, WD_COMP_MSG_ERR_DEVICE);
	/* mapped, it works */
	assert_int_equal(wd_dma_map(heap, 65536), 0);
	run1(q, &m);
	assert_status(&m, WD_COMP_MSG_OK);
	assert_int_equal(wd_dma_unmap(heap, 65536), 0);
	assert_int_equal(wd_release_queue(q), 0);
	assert_int_equal(wd_dev_detach(dev), 0);
	free(heap);
}

/*
 * Bad fields end as ERR_INVALID before anything reads the buffers or the
 * device sees them: a buffer type that is neither FLAT nor MBUF (the send
 * path read its "mbuf" while prefetching, past the end of an 8-byte object
 * here placed before an unreadable page), and, on a fresh queue, a
 * message whose head is all zeros (stateless raw deflate, FLUSH_NONE: it
 * matched the queue's empty template and went to the device as request
 * type 0).
 */
static void
test_bad_fields(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *pages = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct hzip_model_stats before, after;
	struct wd_queue *q;
	struct wd_comp_msg m;

	(void)state;
	assert_true(pages != MAP_FAILED);
	assert_int_equal(mprotect(pages + pg, (size_t)pg, PROT_NONE), 0);
	model_stats(pf, &before);
	wd_test_gen(ibuf, 4096, WD_TEST_DATA_TEXT, 5);
	q = queue_on(pf, "deflate", WD_OP_COMPRESS, 8, 0);
	msg_init(&m, WD_COMP_ALG_DEFLATE, WD_OP_COMPRESS, ibuf, 4096, obuf, 8192);
	m.flush = WD_COMP_FLUSH_NONE;	/* the first message of the queue */
	run1(q, &m);
	assert_status(&m, WD_COMP_MSG_ERR_INVALID);
	for (int side = 0; side < 2; side++) {
		struct wd_comp_buf *b = side ? &m.dst : &m.src;

		msg_init(&m, WD_COMP_ALG_DEFLATE, WD_OP_COMPRESS, ibuf, 4096, obuf, 8192);
		b->type = 2;
		b->addr = pages + pg - 8;
		run1(q, &m);
		assert_status(&m, WD_COMP_MSG_ERR_INVALID);
	}
	/* a level past 9, as stream_create() refuses it */
	msg_init(&m, WD_COMP_ALG_DEFLATE, WD_OP_COMPRESS, ibuf, 4096, obuf, 8192);
	m.level = 10;
	run1(q, &m);
	assert_status(&m, WD_COMP_MSG_ERR_INVALID);
	/* the queue is fine */
	msg_init(&m, WD_COMP_ALG_DEFLATE, WD_OP_COMPRESS, ibuf, 4096, obuf, 8192);
	run1(q, &m);
	assert_status(&m, WD_COMP_MSG_OK);
	assert_int_equal(z_inflate(-15, obuf, m.produced, rbuf, BUF_SIZE), 4096);
	assert_int_equal(wd_release_queue(q), 0);
	model_stats(pf, &after);
	assert_int_equal(after.resets, before.resets);
	assert_int_equal(after.driver_errors, before.driver_errors);
	munmap(pages, (size_t)pg * 2);
}

/* A send that never returns (a walk round a cyclic chain) fails the suite. */
static void
hang_alarm(int sig)
{
	static const char msg[] = "a send or receive did not return in 30 s (cyclic chain)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/*
 * Cyclic mbuf chains (not something rte_mbuf makes, but a message the raw
 * API can be given): a cycle of non-empty segments ends ERR_TOO_BIG at
 * 1024 segments; one of empty segments (skipped, so never counted) made
 * the chain walks spin for ever, in wd_send. Every walk now stops after
 * UINT16_MAX segments: the chain is too short (ERR_INVALID), or, for a
 * header that cannot be read, ERR_DATA.
 */
static void
test_cyclic_chain(void **state)
{
	struct wd_queue *qc = queue_on(pf, "zlib", WD_OP_COMPRESS, 8, 0);
	struct wd_queue *qd = queue_on(pf, "zlib", WD_OP_DECOMPRESS, 8, 0);
	const struct wd_comp_drv_ops *ops = comp_ops(pf);
	struct wd_comp_stream_params sp = { .alg = WD_COMP_ALG_ZLIB, .op = WD_OP_DECOMPRESS,
					    .socket_id = WD_SOCKET_ANY };
	struct hzip_model_stats before, after;
	struct rte_mbuf *empty = rte_pktmbuf_alloc(mp), *head = rte_pktmbuf_alloc(mp);
	void (*old)(int) = signal(SIGALRM, hang_alarm);
	struct wd_comp_msg m;
	void *st = NULL;

	(void)state;
	assert_non_null(empty);
	assert_non_null(head);
	model_stats(pf, &before);
	/* one empty segment pointing at itself; a 1000-byte segment in front of it */
	empty->next = empty;
	empty->pkt_len = 100000;
	wd_test_gen(ibuf, 4096, WD_TEST_DATA_TEXT, 21);
	memcpy(rte_pktmbuf_append(head, 1000), "\x78\x9c", 2);
	head->next = empty;
	head->pkt_len = 100000;
	alarm(30);
	/* compression input, output */
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, NULL, 500, obuf, 65536);
	m.src = (struct wd_comp_buf){ .type = WD_COMP_BUF_MBUF, .m = empty, .len = 500 };
	run1(qc, &m);
	assert_status(&m, WD_COMP_MSG_ERR_INVALID);
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 4096, NULL, 0);
	m.dst = (struct wd_comp_buf){ .type = WD_COMP_BUF_MBUF, .m = head, .len = 8192 };
	run1(qc, &m);
	assert_status(&m, WD_COMP_MSG_ERR_INVALID);
	/* stateless decompression: no header to read; a header, then the cycle */
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_DECOMPRESS, NULL, 500, rbuf, 65536);
	m.src = (struct wd_comp_buf){ .type = WD_COMP_BUF_MBUF, .m = empty, .len = 500 };
	run1(qd, &m);
	assert_status(&m, WD_COMP_MSG_ERR_DATA);
	m.src.m = head;
	m.src.len = 5000;
	run1(qd, &m);
	assert_status(&m, WD_COMP_MSG_ERR_INVALID);
	/* stream decompression, the same */
	assert_int_equal(ops->stream_create(pf, &sp, &st), 0);
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_DECOMPRESS, NULL, 5000, rbuf, 65536);
	m.src = (struct wd_comp_buf){ .type = WD_COMP_BUF_MBUF, .m = head, .len = 5000 };
	m.flush = WD_COMP_FLUSH_SYNC;
	m.stream = st;
	run1(qd, &m);
	assert_status(&m, WD_COMP_MSG_ERR_INVALID);
	alarm(0);
	signal(SIGALRM, old);
	ops->stream_free(st);
	head->next = NULL;
	empty->next = NULL;
	rte_pktmbuf_free(head);
	rte_pktmbuf_free(empty);
	/* the queues are fine */
	roundtrip(qc, qd, WD_COMP_ALG_ZLIB, 4096);
	model_stats(pf, &after);
	assert_int_equal(after.driver_errors, before.driver_errors);
	assert_int_equal(after.iommu_faults, before.iommu_faults);
	assert_int_equal(wd_release_queue(qc), 0);
	assert_int_equal(wd_release_queue(qd), 0);
}

/*
 * A queue error the device reported for a request of a queue released
 * since (a DMA fault: the model posts a "CQE error" event) is not the
 * next owner's of that queue number: it used to stop that queue and
 * drain it, and, with its request still running (a stall here), reset
 * the whole function.
 */
static void
test_stale_queue_event(void **state)
{
	struct wd_dev *vf = NULL;
	struct hzip_model_stats st;
	struct wd_queue *q;
	struct wd_comp_msg m;
	uint8_t *heap = malloc(8192);

	(void)state;
	assert_non_null(heap);
	memset(heap, 'a', 8192);
	/* the request after the faulting one stalls 400 ms: longer than a drain */
	assert_int_equal(wd_dev_attach("model:vf=1,stall_ms=400,fault_after=1,timeout_ms=5000",
				       &vf), 0);
	q = queue_on(vf, "zlib", WD_OP_COMPRESS, 16, 0);
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, heap, 5000, obuf, 8000);
	run1(q, &m);			/* malloc'ed input, never mapped: a DMA fault */
	assert_status(&m, WD_COMP_MSG_ERR_DEVICE);
	assert_int_equal(wd_release_queue(q), 0);
	q = queue_on(vf, "zlib", WD_OP_COMPRESS, 16, 0);
	wd_test_gen(ibuf, 8192, WD_TEST_DATA_MIXED, 4);
	msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 8192, obuf, 20000);
	run1(q, &m);
	assert_status(&m, WD_COMP_MSG_OK);
	model_stats(vf, &st);
	assert_int_equal(st.resets, 0);
	assert_int_equal(wd_release_queue(q), 0);
	assert_int_equal(wd_dev_detach(vf), 0);
	free(heap);
}

/* ---- VF, queue life cycle, interrupts --------------------------------------------------- */

static void
test_vf(void **state)
{
	const struct wd_comp_drv_ops *ops;
	struct wd_dev *vf = NULL;
	struct wd_queue *qc, *qd;
	struct wd_comp_stream_params p = { .alg = WD_COMP_ALG_GZIP, .op = WD_OP_COMPRESS,
					   .socket_id = WD_SOCKET_ANY };
	void *st = NULL;
	size_t clen;

	(void)state;
	assert_int_equal(wd_dev_attach("model:vf=1,queues=4", &vf), 0);
	qc = queue_on(vf, "gzip", WD_OP_COMPRESS, 64, 0);
	qd = queue_on(vf, "gzip", WD_OP_DECOMPRESS, 64, 0);
	for (size_t len = 0; len < 2 * MiB; len = len * 5 + 3) {
		wd_test_gen(ibuf, len, WD_TEST_DATA_MIXED, len);
		roundtrip(qc, qd, WD_COMP_ALG_GZIP, len);
	}
	ops = comp_ops(vf);
	assert_int_equal(ops->stream_create(vf, &p, &st), 0);
	wd_test_gen(ibuf, 300000, WD_TEST_DATA_TEXT, 9);
	clen = stream_comp(qc, st, WD_COMP_ALG_GZIP, ibuf, 300000, 10000, 5000, obuf, BUF_SIZE,
			   WD_COMP_FLUSH_SYNC);
	assert_int_equal(z_inflate(31, obuf, clen, rbuf, BUF_SIZE), 300000);
	ops->stream_free(st);
	assert_model_clean(vf);
	assert_int_equal(wd_release_queue(qc), 0);
	assert_int_equal(wd_release_queue(qd), 0);
	assert_int_equal(wd_dev_detach(vf), 0);
}

static void
test_queue_cycle(void **state)
{
	struct wd_dev *dev = NULL;
	struct wd_comp_msg m[4][8];

	(void)state;
	uint8_t *zin[2] = { rbuf, rbuf + MiB };  /* zlib- and gzip-made streams of ibuf */
	long zlen[2];

	assert_int_equal(wd_dev_attach("model:queues=4", &dev), 0);
	wd_test_gen(ibuf, 65536, WD_TEST_DATA_TEXT, 4);
	for (int a = 0; a < 2; a++) {
		zlen[a] = z_deflate(a == 0 ? 15 : 31, 6, false, ibuf, 65536, zin[a], MiB);
		assert_true(zlen[a] > 0);
	}
	/* queues 0, 1 compress, 2, 3 decompress; 0 and 2 are released with requests in
	 * flight every other round */
	for (int round = 0; round < 25; round++) {
		struct wd_queue *q[4], *extra = NULL;
		struct wd_queue_attr a = { .alg = "zlib", .op = WD_OP_COMPRESS,
					   .socket_id = WD_SOCKET_ANY, .dev = dev };

		for (int i = 0; i < 4; i++) {
			void *reqs[8];

			q[i] = queue_on(dev, i & 1 ? "gzip" : "zlib",
					i & 2 ? WD_OP_DECOMPRESS : WD_OP_COMPRESS, 16, 0);
			for (int k = 0; k < 8; k++) {
				if (i & 2)
					msg_init(&m[i][k], i & 1 ? WD_COMP_ALG_GZIP :
						 WD_COMP_ALG_ZLIB, WD_OP_DECOMPRESS, zin[i & 1],
						 (uint32_t)zlen[i & 1],
						 obuf + ((size_t)i * 8 + k) * 70000, 70000);
				else
					msg_init(&m[i][k], i & 1 ? WD_COMP_ALG_GZIP :
						 WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 65536,
						 obuf + ((size_t)i * 8 + k) * 70000, 70000);
				reqs[k] = &m[i][k];
			}
			assert_int_equal(wd_send_burst(q[i], reqs, 8), 8);
		}
		/* every queue is taken */
		assert_int_equal(wd_request_queue(&extra, &a), -EBUSY);
		/* release with requests in flight: the hardware stops touching them */
		for (int i = 0; i < 4; i++) {
			if (round % 2 == 0 && i % 2 == 0) {
				void *out[8];
				unsigned int got = 0;
				uint64_t end = rte_get_timer_cycles() + 10 * rte_get_timer_hz();

				while (got < 8 && rte_get_timer_cycles() < end)
					got += wd_recv_burst(q[i], out + got, (uint16_t)(8 - got));
				assert_int_equal(got, 8);
				for (int k = 0; k < 8; k++)
					assert_int_equal(m[i][k].status, i & 2 ?
							 WD_COMP_MSG_STREAM_END : WD_COMP_MSG_OK);
			}
			assert_int_equal(wd_release_queue(q[i]), 0);
		}
	}
	assert_model_clean(dev);
	assert_int_equal(wd_dev_detach(dev), 0);
}

static double
thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_irq(void **state)
{
	struct wd_dev *dev = NULL;
	struct wd_dev_info info;
	struct wd_queue *q;
	struct wd_comp_msg m;
	uint64_t t0;
	double c0, wall, cpu;

	(void)state;
	/* a slow device (3 ms per request): wd_recv_sync should sleep, not spin */
	assert_int_equal(wd_dev_attach("model:timing=1,lat_us=3000", &dev), 0);
	assert_int_equal(wd_dev_info_get(dev, &info), 0);
	assert_true(info.flags & WD_DEV_F_IRQ);
	q = queue_on(dev, "zlib", WD_OP_COMPRESS, 8, WD_QUEUE_F_IRQ);
	wd_test_gen(ibuf, 8192, WD_TEST_DATA_TEXT, 5);
	t0 = rte_get_timer_cycles();
	c0 = thread_cpu_s();
	for (int i = 0; i < 40; i++) {
		void *out = NULL;

		msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, ibuf, 8192, obuf, 20000);
		assert_int_equal(wd_send(q, &m), 0);
		assert_int_equal(wd_recv_sync(q, &out, 5000), 1);
		assert_ptr_equal(out, &m);
		assert_status(&m, WD_COMP_MSG_OK);
	}
	wall = (double)(rte_get_timer_cycles() - t0) / (double)rte_get_timer_hz();
	cpu = thread_cpu_s() - c0;
	print_message("40 requests in %.3f s, %.3f s of CPU in the waiting thread\n", wall, cpu);
	assert_true(wall > 0.1);
	assert_true(cpu < wall / 2);
	assert_model_clean(dev);
	assert_int_equal(wd_release_queue(q), 0);
	assert_int_equal(wd_dev_detach(dev), 0);
}

#define IRQ_THREADS 3
#define IRQ_REQS 40

struct irq_worker {
	struct wd_queue *q;
	const uint8_t *in;
	uint8_t *out;
	int good;           /* completions of its own request, inflating back to its input */
	int bad;
};

static void *
irq_worker_run(void *p)
{
	struct irq_worker *w = p;
	uint8_t chk[8192];

	for (int i = 0; i < IRQ_REQS; i++) {
		struct wd_comp_msg m;
		uLongf len = sizeof(chk);
		void *out = NULL;

		msg_init(&m, WD_COMP_ALG_ZLIB, WD_OP_COMPRESS, w->in, 8192, w->out, 20000);
		if (wd_send(w->q, &m) != 0 || wd_recv_sync(w->q, &out, 3000) != 1 || out != &m ||
		    m.status != WD_COMP_MSG_OK ||
		    uncompress(chk, &len, w->out, m.produced) != Z_OK || len != 8192 ||
		    memcmp(chk, w->in, 8192) != 0) {
			w->bad++;
			if (out != &m)
				break;	/* still in flight: its buffers stay ours */
			continue;
		}
		w->good++;
	}
	return NULL;
}

/*
 * Threads sleeping in wd_recv_sync() on queues of one function, which share
 * its MSI eventfd: each gets its own completions, all of them. The sleep
 * slice is 10 s here, so that a wake-up lost with no other MSI behind it
 * ends in the 3 s timeout (test_recv_sync_shared in test_core forces that
 * case; here the model's timing decides).
 */
static void
test_irq_shared(void **state)
{
	struct irq_worker w[IRQ_THREADS];
	pthread_t th[IRQ_THREADS];
	struct wd_dev *dev = NULL;
	int slice = wd_sync_slice_ms;

	(void)state;
	wd_sync_slice_ms = 10000;
	assert_int_equal(wd_dev_attach("model:timing=1,lat_us=500", &dev), 0);
	for (int i = 0; i < IRQ_THREADS; i++) {
		w[i] = (struct irq_worker){
			.q = queue_on(dev, "zlib", WD_OP_COMPRESS, 8, WD_QUEUE_F_IRQ),
			.in = ibuf + (size_t)i * 8192,
			.out = obuf + (size_t)i * 20000,
		};
		wd_test_gen(ibuf + (size_t)i * 8192, 8192, WD_TEST_DATA_TEXT, 11 + i);
	}
	for (int i = 0; i < IRQ_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, irq_worker_run, &w[i]), 0);
	for (int i = 0; i < IRQ_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].bad, 0);
		assert_int_equal(w[i].good, IRQ_REQS);
		assert_int_equal(wd_release_queue(w[i].q), 0);
	}
	wd_sync_slice_ms = slice;
	assert_model_clean(dev);
	assert_int_equal(wd_dev_detach(dev), 0);
}

static void
test_model_clean(void **state)
{
	(void)state;
	/* everything the suite did on the shared PF: nothing silicon would reject */
	assert_model_clean(pf);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_roundtrip_sizes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_stateless_end),
		cmocka_unit_test(test_zlib_made),
		cmocka_unit_test(test_deflate),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_stream_comp),
		cmocka_unit_test(test_stream_decomp),
		cmocka_unit_test(test_stream_random),
		cmocka_unit_test(test_gzip_long_header),
		cmocka_unit_test(test_mbuf_chains),
		cmocka_unit_test(test_mbuf_header_split),
		cmocka_unit_test(test_out_of_space),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_lost_completion_wrapped),
		cmocka_unit_test(test_fault_found_by_other_queue),
		cmocka_unit_test(test_iommu_fault),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_cyclic_chain),
		cmocka_unit_test(test_stale_queue_event),
		cmocka_unit_test(test_vf),
		cmocka_unit_test(test_queue_cycle),
		cmocka_unit_test(test_irq),
		cmocka_unit_test(test_irq_shared),
		cmocka_unit_test(test_model_clean),
	};
	int ret;

	wd_test_eal_init(argv[0], 256);
	mp = rte_pktmbuf_pool_create("hzip_model_mp", 4096, 0, 0, 2048, SOCKET_ID_ANY);
	ibuf = wd_dma_zmalloc(BUF_SIZE, 4096, WD_SOCKET_ANY);
	obuf = wd_dma_zmalloc(BUF_SIZE, 4096, WD_SOCKET_ANY);
	rbuf = wd_dma_zmalloc(BUF_SIZE, 4096, WD_SOCKET_ANY);
	if (mp == NULL || ibuf == NULL || obuf == NULL || rbuf == NULL) {
		fprintf(stderr, "cannot allocate test memory\n");
		return 1;
	}
	/* the shared PF's spec: "model", or the argument (e.g. model:stateless_end=0x13) */
	if (argc > 1)
		pf_spec = argv[1];
	print_message("shared PF: %s\n", pf_spec);
	if (wd_dev_attach(pf_spec, &pf) != 0) {
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
