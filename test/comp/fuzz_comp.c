/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_comp: differential fuzzer of lib/wd_comp against zlib.
 *
 *   fuzz_comp [-s SEED] [-n CASES] [-d DEVMASK] [-k KINDMASK] [-c CASE] [-v] [-Z]
 *
 * Devices (DEVMASK bits): 0 "sw", 1 model engine=real, 2 model engine=store,
 * 3 model engine=real with SMALL|QUEUE_FULL fallback (routing), 4 fakezip
 * (deflate decompression in caps), 5 model real vf=1.
 * Kinds (KINDMASK bits): 0 stateless compress, 1 stateless decompress,
 * 2 stream compress, 3 stream decompress, 4 wd_comp_buf_process, 5 MULTI_PKT
 * raw deflate pieces.
 * -Z: allow a zero output room on stream decompression ops (the software
 * engine used to take bytes after the end of the stream in them); off by
 * default, on in the comp_fuzz_zero_room test.
 * Every case is determined by (SEED, case number): "-c N" replays one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <zlib.h>

#include "comp_test.h"
#include "wd_comp.h"
#include "wd_test.h"
#include "wd_test_rng.h"

#define MAXSEG 60000u
#define MAXLEN (400u * 1024)

/* ------------------------------------------------------------------ */
struct fdev {
	const char *spec;
	const char *label;
	int id;
	bool policy;
	struct wd_comp_qp_conf conf;
};

static struct fdev devs[] = {
	{"sw", "sw", -1, false, {0}},
	{"model:engine=real", "model-real", -1, false, {0}},
	{"model:engine=store", "model-store", -1, false, {0}},
	{"model:engine=real",
	 "model-real-route",
	 -1,
	 true,
	 {.max_inflight_ops = 8,
	  .socket_id = WD_SOCKET_ANY,
	  .fallback = {.flags = WD_COMP_FB_F_DEFAULT | WD_COMP_FB_F_SMALL | WD_COMP_FB_F_QUEUE_FULL,
		       .small_threshold = 3000}}},
	{"model:type=fakezip,deflate_decomp=caps", "fakezip", -1, false, {0}},
	{"model:engine=real,vf=1", "model-vf", -1, false, {0}},
};
#define NDEVS (sizeof(devs) / sizeof(devs[0]))

static struct rte_mempool *mpool;
/* segments of at most SMALL_SEG bytes (of chains of many segments) come from here */
#define SMALL_SEG 2048u
static struct rte_mempool *mpool_small;
static struct rte_mempool *opool;
static bool verbose, allow_zero_room;
static uint64_t g_seed, g_case;
static const char *g_kind = "";
static struct fdev *g_dev;
static char g_params[512];
static unsigned long nfail, ncases, nstat[WD_COMP_OP_STATUS_MAX + 1];
static unsigned long n_known_zero_room;
static unsigned g_segcap = 200;

static const char *const kinds[] = {"sl-comp", "sl-decomp", "st-comp", "st-decomp",
				    "buf",     "multipkt",  "bad"};

static void
fail(const char *fmt, ...)
{
	va_list ap;

	nfail++;
	printf("FAIL seed=%llu case=%llu kind=%s dev=%s [%s]: ", (unsigned long long)g_seed,
	       (unsigned long long)g_case, g_kind, g_dev ? g_dev->label : "?", g_params);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void
param(const char *fmt, ...)
{
	va_list ap;
	size_t l = strlen(g_params);

	va_start(ap, fmt);
	vsnprintf(g_params + l, sizeof(g_params) - l, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* data */
static void
gen_data(uint8_t *p, size_t len)
{
	unsigned mode = ru(6);
	static const char *words[] = {"alpha ", "beta ", "gamma\n", "delta ",
				      "the ",   "of ",   "zip "};

	switch (mode) {
	case 0:
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)rnd();
		break;
	case 1:
		memset(p, (int)ru(3), len);
		break;
	case 2: {
		size_t i = 0;
		while (i < len) {
			const char *w = words[ru(7)];
			while (*w && i < len)
				p[i++] = (uint8_t)*w++;
		}
		break;
	}
	case 3: { /* small alphabet */
		unsigned a = rr(2, 16);
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)('a' + ru(a));
		break;
	}
	case 4: { /* repeated pattern with mutations */
		unsigned pl = rr(1, 300);
		for (size_t i = 0; i < len; i++)
			p[i] = i < pl ? (uint8_t)rnd() : p[i - pl];
		for (unsigned k = 0, n = ru(20); k < n && len; k++)
			p[ru((uint32_t)len)] = (uint8_t)rnd();
		break;
	}
	default: { /* mix of runs */
		size_t i = 0;
		while (i < len) {
			size_t n = rr(1, 2000);
			if (n > len - i)
				n = len - i;
			if (rp(50))
				for (size_t k = 0; k < n; k++)
					p[i + k] = (uint8_t)rnd();
			else
				memset(p + i, (int)ru(256), n);
			i += n;
		}
	}
	}
}

static size_t
gen_len(void)
{
	switch (ru(8)) {
	case 0:
		return ru(4);
	case 1:
		return ru(64);
	case 2:
		return ru(1024);
	case 3:
	case 4:
		return ru(16384);
	case 5:
		return ru(70000);
	case 6:
		return ru(200000);
	default:
		return rp(20) ? ru(MAXLEN) : ru(8192);
	}
}

/* ------------------------------------------------------------------ */
/* mbufs */
static void
chain_free(struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

/* Chain of lead bytes (0xa5), data, tail bytes; segment sizes random. */
static struct rte_mbuf *
mk_chain(const uint8_t *data, size_t len, uint32_t lead, const uint8_t *tail, uint32_t tlen,
	 bool flat, uint8_t fill, char *desc, size_t dsz)
{
	size_t total = lead + len + tlen, done = 0;
	uint32_t maxs;
	struct rte_mbuf *head = NULL, *last = NULL;
	unsigned nseg = 0;

	if (flat && total <= MAXSEG)
		maxs = MAXSEG;
	else {
		static const uint32_t ch[] = {1, 3, 17, 100, 1000, 4096, 16384, MAXSEG};
		maxs = ch[ru(8)];
		if (total / maxs > g_segcap)
			maxs = (uint32_t)(total / g_segcap + 1);
		flat = false;
	}
	do {
		/* small segments from their own pool: a case may take thousands */
		struct rte_mbuf *m = rte_pktmbuf_alloc(maxs <= SMALL_SEG ? mpool_small : mpool);
		uint32_t n = flat ? (uint32_t)total : rr(maxs > 4 && rp(2) ? 0 : 1, maxs);
		uint8_t *d;

		if (m == NULL) {
			fprintf(stderr, "mbuf pool empty\n");
			chain_free(head);
			return NULL;
		}
		if (n > total - done)
			n = (uint32_t)(total - done);
		/* random headroom shift */
		if (rp(30)) {
			uint16_t hr = (uint16_t)ru(RTE_PKTMBUF_HEADROOM);
			m->data_off = hr;
		}
		if (n > 0 && (d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n)) != NULL) {
			for (uint32_t k = 0; k < n; k++) {
				size_t pos = done + k;
				d[k] = pos < lead         ? fill
				       : pos < lead + len ? data[pos - lead]
							  : tail[pos - lead - len];
			}
		}
		done += n;
		nseg++;
		if (head == NULL)
			head = m;
		else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += m->data_len;
		}
		last = m;
	} while (done < total);
	if (desc)
		snprintf(desc, dsz, "%s%useg/max%u", flat ? "flat," : "", nseg, maxs);
	return head;
}

static size_t
chain_read(const struct rte_mbuf *m, uint32_t off, uint8_t *out, size_t len)
{
	return ct_chain_read(m, off, out, len);
}

/* ------------------------------------------------------------------ */
/* running ops */
static int
run_ops(struct wd_comp_op **ops, unsigned n)
{
	struct wd_comp_op *out[64];
	unsigned sent = 0, got = 0;
	uint64_t deadline = rte_get_timer_cycles() + 30 * rte_get_timer_hz();
	uint8_t dev = (uint8_t)g_dev->id;

	while (got < n) {
		if (sent < n)
			sent += wd_comp_enqueue_burst(dev, 0, ops + sent, (uint16_t)(n - sent));
		got += wd_comp_dequeue_burst(dev, 0, out, 64);
		if (rte_get_timer_cycles() > deadline) {
			fail("HANG: %u/%u ops dequeued after 30 s", got, n);
			return -1;
		}
	}
	for (unsigned i = 0; i < n; i++)
		nstat[ops[i]->status < WD_COMP_OP_STATUS_MAX ? ops[i]->status
							     : WD_COMP_OP_STATUS_MAX]++;
	return 0;
}

static const char *
st(unsigned s)
{
	return wd_comp_op_status_str((enum wd_comp_op_status)s);
}

/* ------------------------------------------------------------------ */
/* zlib oracles */
static int
wb(enum wd_comp_alg a, int w)
{
	if (w == 0)
		w = 15;
	return a == WD_COMP_ALG_ZLIB ? w : a == WD_COMP_ALG_GZIP ? 16 + w : -w;
}

static uint64_t
sum_of(enum wd_comp_alg a, enum wd_comp_chksum c, const uint8_t *p, size_t len, uint64_t seed)
{
	uint32_t cr, ad;

	if (a == WD_COMP_ALG_ZLIB)
		return adler32(1, p, (uInt)len);
	if (a == WD_COMP_ALG_GZIP)
		return crc32(0, p, (uInt)len);
	cr = crc32((uint32_t)seed, p, (uInt)len);
	switch (c) {
	case WD_COMP_CHKSUM_CRC32:
		return crc32((uint32_t)seed, p, (uInt)len);
	case WD_COMP_CHKSUM_ADLER32:
		return adler32(seed ? (uint32_t)seed : 1, p, (uInt)len);
	case WD_COMP_CHKSUM_CRC32_ADLER32:
		ad = (uint32_t)adler32((seed >> 32) ? (uint32_t)(seed >> 32) : 1, p, (uInt)len);
		return ((uint64_t)ad << 32) | cr;
	default:
		return 0;
	}
}

enum ores { O_OK = 0, O_DATA, O_CHECKSUM, O_DICT, O_TRUNC };

struct oracle {
	enum ores res;
	size_t used;   /* input bytes of the stream(s) (to the end of the last member) */
	size_t outlen; /* output */
	size_t ends[16];
	unsigned nends;
};

/*
 * zlib decode of in[0..len) in alg's framing: gzip continues into members
 * while the rest starts 1f 8b; a lone 1f at the end is truncation (final).
 */
static void
zl_decode(enum wd_comp_alg a, const uint8_t *in, size_t len, uint8_t *out, size_t room,
	  struct oracle *o)
{
	size_t used = 0, made = 0;

	memset(o, 0, sizeof(*o));
	for (;;) {
		z_stream zs;
		int r;

		memset(&zs, 0, sizeof(zs));
		inflateInit2(&zs, wb(a, 15));
		zs.next_in = (Bytef *)(uintptr_t)(in + used);
		zs.avail_in = (uInt)(len - used);
		zs.next_out = out + made;
		zs.avail_out = (uInt)(room - made);
		r = inflate(&zs, Z_FINISH);
		used += zs.total_in;
		made += zs.total_out;
		if (r != Z_STREAM_END) {
			if (r == Z_NEED_DICT)
				o->res = O_DICT;
			else if (r == Z_DATA_ERROR && zs.msg &&
				 (strstr(zs.msg, "incorrect data check") ||
				  strstr(zs.msg, "incorrect length check")))
				o->res = O_CHECKSUM;
			else if (r == Z_DATA_ERROR)
				o->res = O_DATA;
			else if (r == Z_BUF_ERROR && zs.avail_out > 0)
				o->res = O_TRUNC;
			else
				o->res = O_DATA; /* out of room in the oracle: should not happen */
			inflateEnd(&zs);
			o->used = used;
			o->outlen = made;
			return;
		}
		inflateEnd(&zs);
		if (o->nends < 16)
			o->ends[o->nends++] = used;
		if (a != WD_COMP_ALG_GZIP)
			break;
		if (len - used >= 2 && in[used] == 0x1f && in[used + 1] == 0x8b)
			continue;
		if (len - used == 1 && in[used] == 0x1f) {
			o->res = O_TRUNC;
			break;
		}
		break;
	}
	o->used = used;
	o->outlen = made;
}

static size_t
zl_comp(enum wd_comp_alg a, int level, int wbits, int strategy, const uint8_t *in, size_t len,
	uint8_t *out, size_t room)
{
	z_stream zs;
	int r;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, level, Z_DEFLATED, wb(a, wbits < 9 ? 9 : wbits), rr(1, 9),
			 strategy) != Z_OK)
		abort();
	static gz_header gh;
	static uint8_t extra[70000], name[300], comment[300];
	if (a == WD_COMP_ALG_GZIP && rp(25)) {
		memset(&gh, 0, sizeof(gh));
		gh.text = (int)ru(2);
		gh.time = (uLong)rnd() & 0xffffffff;
		gh.os = (int)ru(256);
		if (rp(50)) {
			gh.extra_len = rp(10) ? rr(60000, 65535) : ru(300);
			for (unsigned k = 0; k < gh.extra_len; k++)
				extra[k] = (uint8_t)rnd();
			gh.extra = extra;
		}
		if (rp(50)) {
			unsigned n = ru(250);
			for (unsigned k = 0; k < n; k++)
				name[k] = (uint8_t)rr(1, 255);
			name[n] = 0;
			gh.name = name;
		}
		if (rp(40)) {
			unsigned n = ru(250);
			for (unsigned k = 0; k < n; k++)
				comment[k] = (uint8_t)rr(1, 255);
			comment[n] = 0;
			gh.comment = comment;
		}
		gh.hcrc = (int)ru(2);
		deflateSetHeader(&zs, &gh);
		param("gzhdr(x%u,n%d,c%d,h%d) ", gh.extra ? gh.extra_len : 0, gh.name != NULL,
		      gh.comment != NULL, gh.hcrc);
	}
	if (a == WD_COMP_ALG_ZLIB && rp(3)) {
		deflateSetDictionary(&zs, (const Bytef *)"dictionary", 10);
		param("FDICT ");
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)room;
	/* random internal flushes */
	if (len > 16 && rp(30)) {
		size_t cut = ru((uint32_t)len);
		zs.avail_in = (uInt)cut;
		deflate(&zs, rp(50) ? Z_SYNC_FLUSH : Z_FULL_FLUSH);
		zs.avail_in = (uInt)(len - cut);
	}
	r = deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	if (r != Z_STREAM_END)
		abort();
	return zs.total_out;
}

/* Decompress our compressed output with zlib, expect exactly one stream using all bytes. */
static bool
check_roundtrip(enum wd_comp_alg a, int wlog, const uint8_t *c, size_t clen, const uint8_t *exp,
		size_t elen, const char *what)
{
	uint8_t *o = malloc(elen + 64);
	z_stream zs;
	int r;
	bool ok = true;

	memset(&zs, 0, sizeof(zs));
	inflateInit2(&zs, wb(a, a == WD_COMP_ALG_ZLIB ? (wlog < 8 ? 15 : wlog) : 15));
	zs.next_in = (Bytef *)(uintptr_t)c;
	zs.avail_in = (uInt)clen;
	zs.next_out = o;
	zs.avail_out = (uInt)(elen + 64);
	r = inflate(&zs, Z_FINISH);
	if (r != Z_STREAM_END) {
		fail("%s: zlib cannot inflate our output (%d %s), clen=%zu", what, r,
		     zs.msg ? zs.msg : "", clen);
		ok = false;
	} else if (zs.total_in != clen) {
		fail("%s: our output has %zu bytes after the stream end (clen=%zu)", what,
		     clen - zs.total_in, clen);
		ok = false;
	} else if (zs.total_out != elen || memcmp(o, exp, elen) != 0) {
		fail("%s: inflated output differs from input (%lu vs %zu)", what, zs.total_out,
		     elen);
		ok = false;
	}
	inflateEnd(&zs);
	free(o);
	return ok;
}

/* ------------------------------------------------------------------ */
static void
rand_xform(struct wd_comp_xform *x, enum wd_op_type t)
{
	static const uint8_t wl[] = {0, 8, 9, 10, 11, 12, 13, 14, 15, 15, 15};

	memset(x, 0, sizeof(*x));
	x->type = t;
	x->alg = (enum wd_comp_alg)ru(3);
	x->level = (int)rr(0, 10) - 1;
	x->window_log = wl[ru(sizeof(wl))];
	x->huffman = (enum wd_comp_huffman)(rp(70) ? 0 : ru(3));
	x->chksum = (enum wd_comp_chksum)ru(4);
	param("%s alg=%s lvl=%d w=%u huf=%d ck=%d ", t == WD_OP_COMPRESS ? "C" : "D",
	      wd_comp_alg_str(x->alg), x->level, x->window_log, x->huffman, x->chksum);
}

static uint32_t
rand_room(size_t need)
{
	switch (ru(10)) {
	case 0:
		return 0;
	case 1:
		return rr(1, 16);
	case 2:
		return ru((uint32_t)need + 1);
	case 3:
		return (uint32_t)need > 0 ? (uint32_t)need - 1 : 0;
	case 4:
		return (uint32_t)need;
	default:
		return (uint32_t)need + ru(100);
	}
}

/* ------------------------------------------------------------------ */
/* Kind 0: stateless compression */
static void
k_sl_comp(void)
{
	struct wd_comp_xform x;
	void *px = NULL;
	bool many = rp(10);
	unsigned nops = many ? rr(7, 24) : rp(25) ? rr(2, 6) : 1;
	g_segcap = many ? 30 : 200;
	struct wd_comp_op *ops[24];
	struct rte_mbuf *src[24] = {0}, *dst[24] = {0};
	uint8_t *in[24] = {0};
	size_t len[24], bound[24];
	uint32_t room[24], doff[24];
	uint64_t seed[24];
	char d1[64], d2[64];
	int ret;

	rand_xform(&x, WD_OP_COMPRESS);
	ret = wd_comp_private_xform_create((uint8_t)g_dev->id, &x, &px);
	if (ret < 0) {
		if (!(ret == -ENOTSUP && x.window_log == 8))
			fail("xform create: %d", ret);
		return;
	}
	bool full = x.alg == WD_COMP_ALG_DEFLATE && rp(20);
	param("%s nops=%u ", full ? "FULL" : "FINAL", nops);
	for (unsigned i = 0; i < nops; i++) {
		uint32_t lead = rp(50) ? 0 : ru(rp(50) ? 40000 : 64);
		uint8_t tail[64];
		uint32_t tl = rp(30) ? ru(64) : 0;
		bool flat = rp(50);

		len[i] = many ? ru(rp(50) ? 64 : 6000) : gen_len();
		in[i] = malloc(len[i] + 1);
		gen_data(in[i], len[i]);
		for (unsigned k = 0; k < tl; k++)
			tail[k] = (uint8_t)rnd();
		bound[i] = wd_comp_bound(x.alg, len[i]);
		room[i] = rp(60) ? (uint32_t)bound[i] + ru(50) : rand_room(len[i] / 2 + 20);
		doff[i] = rp(60) ? 0 : ru(rp(50) ? 30000 : 64);
		seed[i] = 0;
		if (x.alg == WD_COMP_ALG_DEFLATE && rp(30))
			seed[i] = ((uint64_t)rnd() & 0xffff0fff0000ffffULL) | 1;
		src[i] = mk_chain(in[i], len[i], lead, tail, tl, flat, 0xa5, d1, sizeof(d1));
		dst[i] =
			mk_chain(NULL, 0, doff[i] + room[i], NULL, 0, rp(50), 0x5a, d2, sizeof(d2));
		ops[i] = wd_comp_op_alloc(opool);
		if (!src[i] || !dst[i] || !ops[i]) {
			fprintf(stderr, "alloc failed\n");
			exit(2);
		}
		ops[i]->op_type = WD_COMP_OP_STATELESS;
		ops[i]->private_xform = px;
		ops[i]->m_src = src[i];
		ops[i]->src.offset = lead;
		ops[i]->src.length = (uint32_t)len[i];
		ops[i]->m_dst = dst[i];
		ops[i]->dst.offset = doff[i];
		ops[i]->flush_flag = full ? WD_COMP_FLUSH_FULL : WD_COMP_FLUSH_FINAL;
		ops[i]->input_chksum = seed[i];
		param("{len=%zu lead=%u tl=%u room=%u doff=%u src=%s dst=%s seed=%llx} ", len[i],
		      lead, tl, room[i], doff[i], d1, d2, (unsigned long long)seed[i]);
	}
	if (run_ops(ops, nops) < 0)
		goto out;
	for (unsigned i = 0; i < nops; i++) {
		struct wd_comp_op *op = ops[i];
		char what[64];

		snprintf(what, sizeof(what), "op%u", i);
		if (op->status == WD_COMP_OP_OUT_OF_SPACE_TERMINATED) {
			if (op->consumed || op->produced)
				fail("%s: TERMINATED with consumed=%u produced=%u", what,
				     op->consumed, op->produced);
			if (room[i] >= bound[i])
				fail("%s: TERMINATED though room %u >= bound %zu", what, room[i],
				     bound[i]);
			continue;
		}
		if (op->status != WD_COMP_OP_SUCCESS) {
			fail("%s: status %s (debug %llx) engine %u", what, st(op->status),
			     (unsigned long long)op->debug_status, op->engine);
			continue;
		}
		if (op->consumed != len[i])
			fail("%s: consumed %u != %zu", what, op->consumed, len[i]);
		if (op->produced > room[i])
			fail("%s: produced %u > room %u", what, op->produced, room[i]);
		if (op->flags)
			fail("%s: flags %x on stateless", what, op->flags);
		/* bytes before dst.offset untouched */
		if (doff[i]) {
			uint8_t *pre = malloc(doff[i]);
			chain_read(dst[i], 0, pre, doff[i]);
			for (uint32_t k = 0; k < doff[i]; k++)
				if (pre[k] != 0x5a) {
					fail("%s: byte %u before dst.offset written", what, k);
					break;
				}
			free(pre);
		}
		uint8_t *c = malloc(op->produced + 8);
		chain_read(dst[i], doff[i], c, op->produced);
		if (full) {
			c[op->produced] = 0x03;
			c[op->produced + 1] = 0x00;
			check_roundtrip(x.alg, x.window_log, c, op->produced + 2, in[i], len[i],
					"FULL+final");
		} else {
			check_roundtrip(x.alg, x.window_log, c, op->produced, in[i], len[i], what);
		}
		if (false && x.huffman == WD_COMP_HUFFMAN_FIXED && x.level != 0 && len[i] > 0 &&
		    op->produced > 0) {
			unsigned h = x.alg == WD_COMP_ALG_ZLIB   ? 2
				     : x.alg == WD_COMP_ALG_GZIP ? 10
								 : 0;
			unsigned bt = (c[h] >> 1) & 3;
			if (bt != 1)
				fail("%s: huffman FIXED but first block type %u (engine %u)", what,
				     bt, op->engine);
		}
		free(c);
		uint64_t exp = sum_of(x.alg, x.chksum, in[i], len[i], seed[i]);
		if (op->output_chksum != exp)
			fail("%s: checksum %llx != zlib %llx (engine %u)", what,
			     (unsigned long long)op->output_chksum, (unsigned long long)exp,
			     op->engine);
	}
out:
	for (unsigned i = 0; i < nops; i++) {
		chain_free(src[i]);
		chain_free(dst[i]);
		wd_comp_op_free(ops[i]);
		free(in[i]);
	}
	g_segcap = 200;
	ret = wd_comp_private_xform_free((uint8_t)g_dev->id, px);
	if (ret)
		fail("xform free %d", ret);
}

/* ------------------------------------------------------------------ */
/* Build a compressed input with zlib: members/streams, trailing, corruption, truncation. */
struct cinput {
	uint8_t *plain;
	size_t plen;
	uint8_t *c;
	size_t clen;
	unsigned nstreams;
	size_t send[8]; /* end of each stream in c (before corruption) */
	bool corrupt, trunc;
	size_t trailing;
};

static void
mk_cinput(enum wd_comp_alg a, struct cinput *ci, bool allow_bad)
{
	size_t cap;

	memset(ci, 0, sizeof(*ci));
	ci->nstreams = rp(20) ? rr(2, 4) : 1;
	size_t lens[4];
	ci->plen = 0;
	for (unsigned s = 0; s < ci->nstreams; s++) {
		lens[s] = ci->nstreams > 1 && rp(20) ? 0 : gen_len() / ci->nstreams;
		ci->plen += lens[s];
	}
	ci->plain = malloc(ci->plen + 1);
	gen_data(ci->plain, ci->plen);
	cap = ci->plen + ci->plen / 8 + 70600 * 4 + 512;
	ci->c = malloc(cap);
	size_t off = 0, poff = 0;
	for (unsigned s = 0; s < ci->nstreams; s++) {
		int lvl = (int)rr(0, 9);
		int strat = rp(80) ? Z_DEFAULT_STRATEGY : (int)ru(5);
		int w = (int)rr(9, 15);
		off += zl_comp(a, lvl, w, strat, ci->plain + poff, lens[s], ci->c + off, cap - off);
		poff += lens[s];
		ci->send[s] = off;
	}
	ci->clen = off;
	param("nstreams=%u plen=%zu clen=%zu ", ci->nstreams, ci->plen, ci->clen);
	if (rp(20)) { /* trailing bytes */
		size_t t = rp(30) ? 1 : rr(1, 40);
		for (size_t k = 0; k < t; k++)
			ci->c[ci->clen + k] = (uint8_t)rnd();
		if (a == WD_COMP_ALG_GZIP && t >= 2 && ci->c[ci->clen] == 0x1f &&
		    ci->c[ci->clen + 1] == 0x8b)
			ci->c[ci->clen] = 0;
		if (a == WD_COMP_ALG_GZIP && t == 1 && ci->c[ci->clen] == 0x1f)
			ci->c[ci->clen] = 0x1e;
		if (a == WD_COMP_ALG_GZIP && rp(10)) /* lone 1f */
			ci->c[ci->clen + t - 1] = 0x1f, t = t;
		ci->trailing = t;
		ci->clen += t;
		param("trailing=%zu ", t);
	}
	if (allow_bad && rp(12)) {
		size_t cut = ru((uint32_t)ci->clen);
		ci->trunc = true;
		param("trunc@%zu ", cut);
		ci->clen = cut;
	}
	if (allow_bad && rp(12) && ci->clen > 0) {
		unsigned n = rr(1, 3);
		ci->corrupt = true;
		for (unsigned k = 0; k < n; k++) {
			size_t p = rp(50) ? ru((uint32_t)RTE_MIN(ci->clen, (size_t)24))
					  : ru((uint32_t)ci->clen);
			uint8_t v = rp(50) ? (uint8_t)(1u << ru(8)) : (uint8_t)rnd();
			ci->c[p] ^= v ? v : 1;
			param("flip@%zu ", p);
		}
	}
}

static void
free_cinput(struct cinput *ci)
{
	free(ci->plain);
	free(ci->c);
}

static unsigned
expect_status(enum ores r)
{
	switch (r) {
	case O_OK:
		return WD_COMP_OP_SUCCESS;
	case O_CHECKSUM:
		return WD_COMP_OP_ERR_CHECKSUM;
	case O_DICT:
		return WD_COMP_OP_ERR_DICT;
	default:
		return WD_COMP_OP_ERR_DATA;
	}
}

/* Kind 1: stateless decompression */
static void
k_sl_decomp(void)
{
	struct wd_comp_xform x;
	void *px = NULL;
	struct cinput ci;
	struct oracle o;
	uint8_t *ob;
	char d1[64], d2[64];
	int ret;

	rand_xform(&x, WD_OP_DECOMPRESS);
	ret = wd_comp_private_xform_create((uint8_t)g_dev->id, &x, &px);
	if (ret < 0) {
		fail("xform create: %d", ret);
		return;
	}
	mk_cinput(x.alg, &ci, true);
	ob = malloc(ci.plen + 70000);
	zl_decode(x.alg, ci.c, ci.clen, ob, ci.plen + 70000, &o);
	/* stateless: a truncated input is ERR_DATA */
	uint32_t lead = rp(50) ? 0 : ru(rp(50) ? 40000 : 64);
	uint8_t tail[64];
	uint32_t tl = rp(40) ? rr(1, 64) : 0;
	for (unsigned k = 0; k < tl; k++)
		tail[k] =
			rp(50) ? 0x1f : (uint8_t)rnd(); /* bytes past src.length must not be read */
	if (tl >= 2 && rp(30))
		tail[0] = 0x1f, tail[1] = 0x8b;
	uint32_t room = rp(60) ? (uint32_t)o.outlen + ru(100) : rand_room(o.outlen);
	uint32_t doff = rp(60) ? 0 : ru(rp(50) ? 30000 : 64);
	struct rte_mbuf *src =
		mk_chain(ci.c, ci.clen, lead, tail, tl, rp(50), 0xa5, d1, sizeof(d1));
	struct rte_mbuf *dst =
		mk_chain(NULL, 0, doff + room, NULL, 0, rp(50), 0x5a, d2, sizeof(d2));
	struct wd_comp_op *op = wd_comp_op_alloc(opool);
	param("lead=%u tl=%u room=%u doff=%u src=%s dst=%s oracle=%d/%zu/%zu ", lead, tl, room,
	      doff, d1, d2, o.res, o.used, o.outlen);
	op->op_type = WD_COMP_OP_STATELESS;
	op->private_xform = px;
	op->m_src = src;
	op->src.offset = lead;
	op->src.length = (uint32_t)ci.clen;
	op->m_dst = dst;
	op->dst.offset = doff;
	op->flush_flag = (enum wd_comp_flush)ru(4);
	if (run_ops(&op, 1) < 0)
		goto out;
	unsigned exp = expect_status(o.res);
	if (op->status == WD_COMP_OP_OUT_OF_SPACE_TERMINATED) {
		if (op->consumed || op->produced)
			fail("TERMINATED with consumed=%u produced=%u", op->consumed, op->produced);
		if (o.res == O_OK && room >= o.outlen)
			fail("TERMINATED though room %u >= output %zu", room, o.outlen);
		/* an error input may also be out of space first: accept */
		goto out;
	}
	if (op->status != exp) {
		/* CHECKSUM vs DATA on corrupt input is a soft difference */
		bool soft = (op->status == WD_COMP_OP_ERR_DATA ||
			     op->status == WD_COMP_OP_ERR_CHECKSUM) &&
			    (exp == WD_COMP_OP_ERR_DATA || exp == WD_COMP_OP_ERR_CHECKSUM);
		if (o.res == O_OK && room < o.outlen)
			fail("status %s, expected OUT_OF_SPACE_TERMINATED (room %u < %zu) engine "
			     "%u",
			     st(op->status), room, o.outlen, op->engine);
		else if (!(o.res != O_OK && room < o.outlen &&
			   op->status == WD_COMP_OP_OUT_OF_SPACE_TERMINATED))
			fail("%sstatus %s, expected %s (zlib res %d) engine %u debug %llx consumed "
			     "%u produced %u",
			     soft ? "[soft] " : "", st(op->status), st(exp), o.res, op->engine,
			     (unsigned long long)op->debug_status, op->consumed, op->produced);
		goto out;
	}
	if (op->status != WD_COMP_OP_SUCCESS)
		goto out;
	if (room < o.outlen) {
		fail("SUCCESS though room %u < output %zu", room, o.outlen);
		goto out;
	}
	if (op->consumed != o.used)
		fail("consumed %u != zlib %zu (clen %zu, trailing %zu) engine %u", op->consumed,
		     o.used, ci.clen, ci.trailing, op->engine);
	if (op->produced != o.outlen)
		fail("produced %u != %zu", op->produced, o.outlen);
	else {
		uint8_t *r = malloc(o.outlen + 1);
		chain_read(dst, doff, r, o.outlen);
		if (memcmp(r, ob, o.outlen) != 0)
			fail("output differs from zlib's");
		free(r);
	}
	uint64_t es = sum_of(x.alg, x.chksum, ob, o.outlen, 0);
	if (op->output_chksum != es)
		fail("checksum %llx != %llx engine %u", (unsigned long long)op->output_chksum,
		     (unsigned long long)es, op->engine);
	if (op->flags)
		fail("flags %x on stateless", op->flags);
out:
	chain_free(src);
	chain_free(dst);
	wd_comp_op_free(op);
	free(ob);
	free_cinput(&ci);
	wd_comp_private_xform_free((uint8_t)g_dev->id, px);
}

/* ------------------------------------------------------------------ */
/* One stream op. */
static struct wd_comp_op *
stream_op(void *stream, const uint8_t *in, size_t len, uint32_t room, enum wd_comp_flush fl,
	  uint8_t *out, struct rte_mbuf **ps, struct rte_mbuf **pd)
{
	uint32_t lead = rp(70) ? 0 : ru(rp(50) ? 20000 : 64);
	uint32_t doff = rp(70) ? 0 : ru(64);
	uint8_t tail[32];
	uint32_t tl = rp(20) ? rr(1, 32) : 0;
	struct wd_comp_op *op;

	for (unsigned k = 0; k < tl; k++)
		tail[k] = rp(50) ? 0x1f : rp(50) ? 0x8b : (uint8_t)rnd();
	*ps = mk_chain(in, len, lead, tail, tl, rp(50), 0xa5, NULL, 0);
	*pd = mk_chain(NULL, 0, doff + room, NULL, 0, rp(50), 0x5a, NULL, 0);
	op = wd_comp_op_alloc(opool);
	op->op_type = WD_COMP_OP_STATEFUL;
	op->stream = stream;
	op->m_src = *ps;
	op->src.offset = lead;
	op->src.length = (uint32_t)len;
	op->m_dst = *pd;
	op->dst.offset = doff;
	op->flush_flag = fl;
	if (run_ops(&op, 1) < 0) {
		chain_free(*ps);
		chain_free(*pd);
		wd_comp_op_free(op);
		return NULL;
	}
	if (op->produced <= room)
		chain_read(*pd, doff, out, op->produced);
	if (doff) {
		uint8_t pre[64];
		chain_read(*pd, 0, pre, doff);
		for (uint32_t k = 0; k < doff; k++)
			if (pre[k] != 0x5a) {
				fail("stream op: byte %u before dst.offset %u written", k, doff);
				break;
			}
	}
	return op;
}

static uint32_t
stream_room(void)
{
	switch (ru(8)) {
	case 0:
		return rr(1, 8);
	case 1:
		return rr(9, 64);
	case 2:
		return rr(65, 1024);
	case 3:
		return rr(1024, 16384);
	default:
		return rr(16384, 300000);
	}
}

/* Check that out[0..n) inflates (sync) to exactly plain[0..pn). */
static void
check_prefix_sync(enum wd_comp_alg a, const uint8_t *c, size_t n, const uint8_t *plain, size_t pn,
		  const char *what)
{
	z_stream zs;
	uint8_t *o = malloc(pn + 1024);
	int r;

	memset(&zs, 0, sizeof(zs));
	inflateInit2(&zs, wb(a, 15));
	zs.next_in = (Bytef *)(uintptr_t)c;
	zs.avail_in = (uInt)n;
	zs.next_out = o;
	zs.avail_out = (uInt)(pn + 1024);
	r = inflate(&zs, Z_SYNC_FLUSH);
	if ((r != Z_OK && r != Z_BUF_ERROR) || zs.total_out != pn || memcmp(o, plain, pn) != 0)
		fail("%s: output so far does not decode to the input so far (r=%d out=%lu want "
		     "%zu, %s)",
		     what, r, zs.total_out, pn, zs.msg ? zs.msg : "");
	inflateEnd(&zs);
	free(o);
}

/* Kind 2: stream compression */
static void
k_st_comp(void)
{
	struct wd_comp_xform x;
	void *stream = NULL;
	int ret;
	unsigned nstreams = rp(15) ? 2 : 1;

	rand_xform(&x, WD_OP_COMPRESS);
	ret = wd_comp_stream_create((uint8_t)g_dev->id, &x, &stream);
	if (ret < 0) {
		if (!(ret == -ENOTSUP && x.window_log == 8))
			fail("stream create: %d", ret);
		return;
	}
	bool zero_ok = rp(50);
	param("nstreams=%u zero=%d ", nstreams, zero_ok);
	for (unsigned s = 0; s < nstreams; s++) {
		size_t len = gen_len();
		uint8_t *in = malloc(len + 1);
		size_t cap = wd_comp_bound(x.alg, len) * 2 + 65536;
		uint8_t *out = malloc(cap);
		size_t olen = 0, pos = 0;
		unsigned nops = 0, stall = 0;
		bool bad = false;

		gen_data(in, len);
		param("[s%u len=%zu] ", s, len);
		while (!bad) {
			size_t chunk = rp(30) ? ru(64) : rp(50) ? ru(4096) : ru(70000);
			if (chunk > len - pos)
				chunk = len - pos;
			bool last = pos + chunk == len && rp(70);
			enum wd_comp_flush fl =
				last ? WD_COMP_FLUSH_FINAL : (enum wd_comp_flush)ru(3);
			size_t rem = chunk;
			const uint8_t *cp = in + pos;
			if (pos == len && !last && rp(50)) {
				last = true;
				fl = WD_COMP_FLUSH_FINAL;
			}
			for (;;) {
				uint32_t room = zero_ok && rp(8) ? 0 : stream_room();
				struct rte_mbuf *ms, *md;
				uint8_t *tmp = malloc(room + 1);
				struct wd_comp_op *op;

				op = stream_op(stream, cp, rem, room, fl, tmp, &ms, &md);
				nops++;
				if (op == NULL) {
					free(tmp);
					bad = true;
					break;
				}
				unsigned status = op->status;
				uint32_t cons = op->consumed, prod = op->produced;
				uint64_t ck = op->output_chksum;
				uint8_t flags = op->flags;
				unsigned eng = op->engine;
				if (verbose && nops < 60)
					printf("  op%u pos=%zu rem=%zu fl=%d room=%u -> %s cons=%u "
					       "prod=%u eng=%u\n",
					       nops, pos, rem, fl, room, st(status), cons, prod,
					       eng);
				chain_free(ms);
				chain_free(md);
				wd_comp_op_free(op);
				if (flags)
					fail("s%u op%u: flags %x on compression", s, nops, flags);
				if (status != WD_COMP_OP_SUCCESS &&
				    status != WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE) {
					fail("s%u op%u: status %s (flush %d rem %zu room %u) "
					     "engine %u",
					     s, nops, st(status), fl, rem, room, eng);
					free(tmp);
					bad = true;
					break;
				}
				if (cons > rem || prod > room) {
					fail("s%u op%u: consumed %u/%zu produced %u/%u", s, nops,
					     cons, rem, prod, room);
					free(tmp);
					bad = true;
					break;
				}
				if (olen + prod > cap) {
					fail("s%u: output runaway (%zu)", s, olen + prod);
					free(tmp);
					bad = true;
					break;
				}
				memcpy(out + olen, tmp, prod);
				free(tmp);
				olen += prod;
				cp += cons;
				rem -= cons;
				pos += cons;
				if (cons == 0 && prod == 0 && room >= 64) {
					if (++stall > 20) {
						fail("s%u: no progress in 20 ops with room >= 64 "
						     "(%s flush %d rem %zu)",
						     s, st(status), fl, rem);
						bad = true;
						break;
					}
				} else if (cons || prod)
					stall = 0;
				if (nops > 200000) {
					fail("s%u: too many ops", s);
					bad = true;
					break;
				}
				if (status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE)
					continue;
				/* SUCCESS */
				if (rem != 0) {
					fail("s%u op%u: SUCCESS with %zu input bytes not consumed "
					     "(flush %d)",
					     s, nops, rem, fl);
					bad = true;
					break;
				}
				if (fl == WD_COMP_FLUSH_SYNC || fl == WD_COMP_FLUSH_FULL) {
					char w[48];
					snprintf(w, sizeof(w), "s%u op%u flush %d", s, nops, fl);
					check_prefix_sync(x.alg, out, olen, in, pos, w);
				}
				if (fl != WD_COMP_FLUSH_FINAL && s == 0) {
					uint64_t e = sum_of(x.alg, x.chksum, in, pos, 0);
					if (ck != e)
						fail("s%u op%u: running checksum %llx != %llx (pos "
						     "%zu, flush %d) engine %u",
						     s, nops, (unsigned long long)ck,
						     (unsigned long long)e, pos, fl, eng);
				}
				if (fl == WD_COMP_FLUSH_FINAL && s == 0) {
					uint64_t e = sum_of(x.alg, x.chksum, in, len, 0);
					if (ck != e)
						fail("s%u: final checksum %llx != %llx engine %u",
						     s, (unsigned long long)ck,
						     (unsigned long long)e, eng);
				}
				break;
			}
			if (last || bad)
				break;
		}
		if (!bad && !(s > 0 && len == 0 && olen == 0)) /* empty op after an end: no-op */
			check_roundtrip(x.alg, x.window_log, out, olen, in, len, "stream");
		free(in);
		free(out);
		if (bad)
			break;
	}
	ret = wd_comp_stream_free((uint8_t)g_dev->id, stream);
	if (ret)
		fail("stream free %d", ret);
}

/* ------------------------------------------------------------------ */
/* Kind 3: stream decompression */
static void
k_st_decomp(void)
{
	struct wd_comp_xform x;
	void *stream = NULL;
	struct cinput ci;
	struct oracle o;
	int ret;

	rand_xform(&x, WD_OP_DECOMPRESS);
	ret = wd_comp_stream_create((uint8_t)g_dev->id, &x, &stream);
	if (ret < 0) {
		fail("stream create: %d", ret);
		return;
	}
	mk_cinput(x.alg, &ci, true);
	size_t ocap = ci.plen + 70000;
	uint8_t *ob = malloc(ocap), *out = malloc(ocap);
	zl_decode(x.alg, ci.c, ci.clen, ob, ocap, &o);
	bool final_last = rp(70);
	bool zero_ok = allow_zero_room && rp(50);
	bool used_zero = false;
	param("oracle=%d/%zu/%zu final=%d zero=%d ", o.res, o.used, o.outlen, final_last, zero_ok);
	/*
	 * Feed: zlib/deflate: streams are fed one after another (new stream after STREAM_END);
	 * gzip: members continue. Stop at trailing data.
	 */
	size_t pos = 0, olen = 0, streamstart_out = 0;
	unsigned nops = 0, stall = 0, ends_seen = 0;
	bool done = false, errored = false;
	unsigned errstatus = 0;
	size_t lim = ci.clen; /* feed all of it; trailing goes in too */
	while (!done) {
		size_t chunk = rp(30) ? ru(16) : rp(50) ? ru(2048) : ru(70000);
		if (chunk > lim - pos)
			chunk = lim - pos;
		bool last = pos + chunk == lim;
		enum wd_comp_flush fl =
			last && final_last ? WD_COMP_FLUSH_FINAL : (enum wd_comp_flush)ru(2);
		size_t rem = chunk;
		for (;;) {
			uint32_t room = zero_ok && rp(8) ? 0 : stream_room();
			struct rte_mbuf *ms, *md;
			uint8_t *tmp = malloc(room + 1);
			struct wd_comp_op *op =
				stream_op(stream, ci.c + pos, rem, room, fl, tmp, &ms, &md);

			nops++;
			if (op == NULL) {
				free(tmp);
				goto out;
			}
			unsigned status = op->status;
			uint32_t cons = op->consumed, prod = op->produced;
			uint64_t ck = op->output_chksum;
			uint8_t flags = op->flags;
			unsigned eng = op->engine;
			chain_free(ms);
			chain_free(md);
			wd_comp_op_free(op);
			if (room == 0)
				used_zero = true;
			if (verbose && nops < 60)
				printf("  op%u pos=%zu rem=%zu fl=%d room=%u -> %s cons=%u prod=%u "
				       "flags=%x eng=%u ck=%llx dbg=%llx\n",
				       nops, pos, rem, fl, room, st(status), cons, prod, flags, eng,
				       (unsigned long long)ck, (unsigned long long)0);
			if (status != WD_COMP_OP_SUCCESS &&
			    status != WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE) {
				errored = true;
				errstatus = status;
				free(tmp);
				param("err@op%u pos=%zu rem=%zu fl=%d eng=%u ", nops, pos, rem, fl,
				      eng);
				done = true;
				break;
			}
			if (cons > rem || prod > room || olen + prod > ocap) {
				fail("op%u: consumed %u/%zu produced %u/%u (olen %zu)", nops, cons,
				     rem, prod, room, olen);
				free(tmp);
				goto out;
			}
			memcpy(out + olen, tmp, prod);
			free(tmp);
			olen += prod;
			pos += cons;
			rem -= cons;
			if (cons == 0 && prod == 0 && room >= 64 &&
			    !(flags & WD_COMP_OP_F_STREAM_END)) {
				if (++stall > 20) {
					fail("no progress in 20 ops with room >= 64 (%s fl %d rem "
					     "%zu pos %zu)",
					     st(status), fl, rem, pos);
					goto out;
				}
			} else if (cons || prod)
				stall = 0;
			if (nops > 300000) {
				fail("too many ops");
				goto out;
			}
			if (status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE) {
				if (flags & WD_COMP_OP_F_STREAM_END)
					fail("op%u: STREAM_END with RECOVERABLE", nops);
				continue;
			}
			if (flags & WD_COMP_OP_F_STREAM_END) {
				ends_seen++;
				/* output and checksum of this stream */
				bool gz = x.alg == WD_COMP_ALG_GZIP;
				size_t sstart = gz ? 0 : streamstart_out;
				uint64_t e =
					sum_of(x.alg, x.chksum, out + sstart, olen - sstart, 0);
				if (ck != e)
					fail("op%u: checksum at stream end %llx != %llx (engine "
					     "%u)",
					     nops, (unsigned long long)ck, (unsigned long long)e,
					     eng);
				streamstart_out = olen;
				/* is pos a stream end per zlib? */
				bool atend = false;
				for (unsigned k = 0; k < o.nends; k++)
					if (o.ends[k] == pos)
						atend = true;
				if (!atend && !(cons == 0 && pos == o.used)) {
					if (used_zero)
						n_known_zero_room++, param("[known-zero-room] ");
					fail("op%u: STREAM_END at input %zu, not a stream end per "
					     "zlib (ends: %zu%s, used %zu) cons=%u engine %u",
					     nops, pos, o.nends ? o.ends[0] : 0,
					     o.nends > 1 ? ",..." : "", o.used, cons, eng);
					goto out;
				}
				if (pos >= o.used) {
					/* past the last stream: the rest is trailing */
					done = true;
					break;
				}
				if (rem == 0)
					break;
				if (cons == 0) {
					/* a gzip member start cut short (lone 1f): give it again
					 * with more */
					if (!(x.alg == WD_COMP_ALG_GZIP && rem == 1 &&
					      ci.c[pos] == 0x1f))
						fail("op%u: STREAM_END, nothing consumed, %zu "
						     "bytes left at %zu before the end %zu",
						     nops, rem, pos, o.used);
					break;
				}
				continue; /* next stream / member in the rest of this chunk */
			}
			if (o.res == O_OK) {
				size_t sstart = x.alg == WD_COMP_ALG_GZIP ? 0 : streamstart_out;
				uint64_t e =
					sum_of(x.alg, x.chksum, out + sstart, olen - sstart, 0);
				if (ck != e && olen > sstart)
					fail("op%u: running checksum %llx != %llx (out %zu) engine "
					     "%u",
					     nops, (unsigned long long)ck, (unsigned long long)e,
					     olen - sstart, eng);
			}
			if (rem != 0) {
				if (x.alg == WD_COMP_ALG_GZIP && rem == 1 && ci.c[pos] == 0x1f &&
				    fl != WD_COMP_FLUSH_FINAL) {
					/* lone 1f left for later: resubmit with the next bytes */
					break;
				}
				fail("op%u: SUCCESS without STREAM_END but %zu bytes not consumed "
				     "(fl %d) engine %u",
				     nops, rem, fl, eng);
				goto out;
			}
			break;
		}
		if (done)
			break;
		if (pos >= lim || last) {
			if (!final_last && rp(50)) {
				/* finish with an empty FINAL op */
				struct rte_mbuf *ms, *md;
				uint8_t tmp[70000];
				uint32_t room = sizeof(tmp) - 1;
				for (unsigned k = 0; k < 1000; k++) {
					struct wd_comp_op *op =
						stream_op(stream, NULL, 0, room,
							  WD_COMP_FLUSH_FINAL, tmp, &ms, &md);
					if (!op)
						goto out;
					unsigned status = op->status;
					uint32_t prod = op->produced;
					chain_free(ms);
					chain_free(md);
					wd_comp_op_free(op);
					if (status == WD_COMP_OP_SUCCESS ||
					    status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE) {
						memcpy(out + olen, tmp, prod);
						olen += prod;
						if (status == WD_COMP_OP_SUCCESS)
							break;
					} else {
						errored = true;
						errstatus = status;
						param("err@emptyfinal ");
						break;
					}
				}
				final_last = true;
			}
			break;
		}
		/* lone 1f kept: next chunk starts from pos (the loop re-reads it) */
	}
	/* verdict */
	if (o.res == O_OK) {
		if (errored) {
			fail("error %s on valid input (oracle ok, used %zu) pos %zu", st(errstatus),
			     o.used, pos);
			goto out;
		}
		if (olen != o.outlen || memcmp(out, ob, olen) != 0)
			fail("output %zu differs from zlib %zu", olen, o.outlen);
		if (ends_seen == 0)
			fail("no STREAM_END seen on a complete input");
		if (pos != o.used && !(pos == ci.clen)) {
			fail("total consumed %zu != zlib %zu", pos, o.used);
		}
		if (pos > o.used) {
			if (used_zero)
				n_known_zero_room++, param("[known-zero-room] ");
			fail("consumed %zu bytes past the end (%zu)", pos, o.used);
		}
	} else {
		unsigned exp = expect_status(o.res);
		if (final_last) {
			if (!errored)
				fail("no error on bad input (oracle %d, FINAL given) consumed %zu "
				     "out %zu",
				     o.res, pos, olen);
			else if (errstatus != exp &&
				 !((errstatus == WD_COMP_OP_ERR_DATA ||
				    errstatus == WD_COMP_OP_ERR_CHECKSUM) &&
				   (exp == WD_COMP_OP_ERR_DATA || exp == WD_COMP_OP_ERR_CHECKSUM)))
				fail("error %s, zlib says %s", st(errstatus), st(exp));
			else if (errstatus != exp && o.res != O_TRUNC)
				fail("[soft] error %s, zlib says %s", st(errstatus), st(exp));
		} else if (o.res == O_TRUNC && errored) {
			fail("error %s on a truncated input without FINAL", st(errstatus));
		}
		if (o.res == O_TRUNC && !ci.corrupt) {
			/* output must be a prefix of zlib's */
			if (olen > o.outlen || memcmp(out, ob, olen) != 0)
				fail("output of a truncated stream is not a prefix of zlib's (%zu "
				     "vs %zu)",
				     olen, o.outlen);
		}
	}
out:
	free(ob);
	free(out);
	free_cinput(&ci);
	ret = wd_comp_stream_free((uint8_t)g_dev->id, stream);
	if (ret)
		fail("stream free %d", ret);
}

/* ------------------------------------------------------------------ */
/* Kind 4: wd_comp_buf_process */
static void
k_buf(void)
{
	struct wd_comp_xform x;
	struct wd_comp_buf_result r;
	int ret;

	if (rp(50)) {
		rand_xform(&x, WD_OP_COMPRESS);
		size_t len = rp(6) ? rr(8u << 20, 10u << 20) : gen_len();
		uint8_t *in = malloc(len + 1);
		size_t b = wd_comp_bound(x.alg, len);
		size_t dl = rp(70) ? b : ru((uint32_t)b + 1);
		uint8_t *o = malloc(dl + 1);
		gen_data(in, len);
		param("len=%zu dl=%zu bound=%zu ", len, dl, b);
		memset(&r, 0, sizeof(r));
		ret = wd_comp_buf_process((uint8_t)g_dev->id, 0, &x, in, len, o, dl, &r);
		if (ret == -ENOTSUP && x.window_log == 8) {
		} else if (ret == -ENOSPC) {
			if (dl >= b)
				fail("-ENOSPC with dst_len >= bound");
		} else if (ret != 0) {
			fail("ret %d status %s", ret, st(r.status));
		} else {
			if (r.consumed != len || r.produced > dl)
				fail("consumed %zu/%zu produced %zu/%zu", r.consumed, len,
				     r.produced, dl);
			else
				check_roundtrip(x.alg, x.window_log, o, r.produced, in, len, "buf");
			uint64_t e = sum_of(x.alg, x.chksum, in, len, 0);
			if (r.checksum != e)
				fail("checksum %llx != %llx", (unsigned long long)r.checksum,
				     (unsigned long long)e);
		}
		free(in);
		free(o);
	} else {
		struct cinput ci;
		struct oracle o;
		rand_xform(&x, WD_OP_DECOMPRESS);
		mk_cinput(x.alg, &ci, true);
		size_t ocap = ci.plen + 70000;
		uint8_t *ob = malloc(ocap);
		zl_decode(x.alg, ci.c, ci.clen, ob, ocap, &o);
		size_t dl = rp(70) ? o.outlen + ru(10) : ru((uint32_t)o.outlen + 1);
		uint8_t *out = malloc(dl + 1);
		param("dl=%zu oracle=%d/%zu/%zu ", dl, o.res, o.used, o.outlen);
		memset(&r, 0, sizeof(r));
		ret = wd_comp_buf_process((uint8_t)g_dev->id, 0, &x, ci.c, ci.clen, out, dl, &r);
		int exp = o.res == O_OK ? 0 : o.res == O_CHECKSUM ? -EILSEQ : -EBADMSG;
		if (o.res == O_DICT)
			exp = -EBADMSG;
		if (o.res == O_OK && dl < o.outlen)
			exp = -ENOSPC;
		if (ret == -ENOSPC && o.res != O_OK && dl <= o.outlen) {
			/* out of room before the error: fine */
		} else if (ret != exp) {
			bool soft = (ret == -EBADMSG || ret == -EILSEQ || ret == -ENOSPC) &&
				    exp != 0 && ret != 0;
			fail("%sret %d, expected %d (status %s)", soft ? "[soft] " : "", ret, exp,
			     st(r.status));
		} else if (ret == 0) {
			if (r.consumed != o.used)
				fail("consumed %zu != zlib %zu (clen %zu)", r.consumed, o.used,
				     ci.clen);
			if (r.produced != o.outlen || memcmp(out, ob, o.outlen) != 0)
				fail("output differs (%zu vs %zu)", r.produced, o.outlen);
			uint64_t e = sum_of(x.alg, x.chksum, ob, o.outlen, 0);
			if (r.checksum != e)
				fail("checksum %llx != %llx", (unsigned long long)r.checksum,
				     (unsigned long long)e);
		}
		free(ob);
		free(out);
		free_cinput(&ci);
	}
}

/* ------------------------------------------------------------------ */
/* Kind 5: MULTI_PKT raw deflate: FULL pieces chained by input_chksum, last FINAL */
static void
k_multipkt(void)
{
	struct wd_comp_xform x;
	void *px = NULL;
	int ret;

	rand_xform(&x, WD_OP_COMPRESS);
	x.alg = WD_COMP_ALG_DEFLATE;
	if (x.chksum == WD_COMP_CHKSUM_NONE)
		x.chksum = WD_COMP_CHKSUM_CRC32;
	ret = wd_comp_private_xform_create((uint8_t)g_dev->id, &x, &px);
	if (ret < 0)
		return;
	size_t len = gen_len();
	uint8_t *in = malloc(len + 1);
	uint8_t *all = malloc(wd_comp_bound(x.alg, len) + 64 * 100 + 100);
	size_t alen = 0, pos = 0;
	uint64_t ck = 0;
	unsigned np = 0;
	gen_data(in, len);
	param("len=%zu ", len);
	while (1) {
		size_t n = ru((uint32_t)(len - pos) + 1);
		bool lastp = pos + n == len || np > 60;
		if (lastp)
			n = len - pos;
		size_t b = wd_comp_bound(x.alg, n);
		uint8_t *tmp = malloc(b);
		struct rte_mbuf *s = mk_chain(in + pos, n, 0, NULL, 0, rp(50), 0, NULL, 0);
		struct rte_mbuf *d = mk_chain(NULL, 0, (uint32_t)b, NULL, 0, rp(50), 0x5a, NULL, 0);
		struct wd_comp_op *op = wd_comp_op_alloc(opool);
		op->op_type = WD_COMP_OP_STATELESS;
		op->private_xform = px;
		op->m_src = s;
		op->src.length = (uint32_t)n;
		op->m_dst = d;
		op->flush_flag = lastp ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_FULL;
		op->input_chksum = ck;
		np++;
		if (run_ops(&op, 1) < 0) {
			chain_free(s), chain_free(d), wd_comp_op_free(op), free(tmp);
			break;
		}
		bool ok = op->status == WD_COMP_OP_SUCCESS && op->consumed == n;
		if (!ok)
			fail("piece %u (n=%zu): status %s consumed %u", np, n, st(op->status),
			     op->consumed);
		else {
			chain_read(d, 0, all + alen, op->produced);
			alen += op->produced;
			ck = op->output_chksum;
			uint64_t e = sum_of(x.alg, x.chksum, in, pos + n, 0);
			if (ck != e)
				fail("piece %u: chained checksum %llx != %llx engine %u", np,
				     (unsigned long long)ck, (unsigned long long)e, op->engine);
		}
		chain_free(s), chain_free(d), wd_comp_op_free(op), free(tmp);
		pos += n;
		if (!ok || lastp)
			break;
	}
	if (pos == len)
		check_roundtrip(x.alg, 15, all, alen, in, len, "multipkt");
	free(in);
	free(all);
	wd_comp_private_xform_free((uint8_t)g_dev->id, px);
}

/* ------------------------------------------------------------------ */
/* Kind 6: invalid ops: expect INVALID_ARGS (and no crash) */
static void
k_bad(void)
{
	struct wd_comp_xform x;
	void *h = NULL;
	bool stateful = rp(40);
	int ret;

	rand_xform(&x, rp(50) ? WD_OP_COMPRESS : WD_OP_DECOMPRESS);
	if (x.window_log == 8)
		x.window_log = 15;
	ret = stateful ? wd_comp_stream_create((uint8_t)g_dev->id, &x, &h)
		       : wd_comp_private_xform_create((uint8_t)g_dev->id, &x, &h);
	if (ret < 0) {
		fail("create %d", ret);
		return;
	}
	size_t len = ru(5000) + 1;
	uint8_t *in = malloc(len);
	gen_data(in, len);
	uint32_t lead = ru(100);
	struct rte_mbuf *src = mk_chain(in, len, lead, NULL, 0, rp(50), 0xa5, NULL, 0);
	struct rte_mbuf *dst = mk_chain(NULL, 0, 20000, NULL, 0, rp(50), 0x5a, NULL, 0);
	struct wd_comp_op *op = wd_comp_op_alloc(opool);
	op->op_type = stateful ? WD_COMP_OP_STATEFUL : WD_COMP_OP_STATELESS;
	op->private_xform = h;
	op->m_src = src;
	op->src.offset = lead;
	op->src.length = (uint32_t)len;
	op->m_dst = dst;
	op->dst.offset = 0;
	op->flush_flag = WD_COMP_FLUSH_FINAL;
	unsigned what = ru(9);
	uint16_t save_len = 0;
	struct rte_mbuf *lastseg = rte_pktmbuf_lastseg(src);
	switch (what) {
	case 0:
		op->src.offset = src->pkt_len - (uint32_t)len + 1 + ru(10);
		break;
	case 1:
		op->src.length = (uint32_t)len + 1 + ru(3);
		break;
	case 2:
		op->dst.offset = dst->pkt_len + 1 + ru(10);
		break;
	case 3:
		op->m_dst = NULL;
		break;
	case 4:
		op->m_src = NULL;
		break;
	case 5:
		src->pkt_len += 1 + ru(100);
		break;
	case 6:
		src->nb_segs++;
		break;
	case 7:
		save_len = lastseg->data_len;
		lastseg->data_len = (uint16_t)(lastseg->buf_len - lastseg->data_off + 1);
		src->pkt_len += lastseg->data_len - save_len;
		break;
	case 8:
		op->flush_flag = 4 + ru(10);
		break;
	}
	param("bad=%u stateful=%d len=%zu ", what, stateful, len);
	if (what == 8 && !stateful && x.type == WD_OP_DECOMPRESS)
		op->flush_flag = WD_COMP_FLUSH_FINAL, what = 98; /* ignored by doc */
	if (what == 0 && src->pkt_len == 0)
		what = 99;
	if (run_ops(&op, 1) == 0) {
		if (what != 98 && op->status != WD_COMP_OP_INVALID_ARGS)
			fail("invalid op (%u) gave %s consumed %u produced %u", what,
			     st(op->status), op->consumed, op->produced);
	}
	switch (what) {
	case 5:
		src->pkt_len = 0;
		break;
	case 6:
		src->nb_segs--;
		break;
	case 7:
		lastseg->data_len = save_len;
		break;
	}
	/* restore pkt_len for free */
	{
		uint32_t t = 0;
		for (struct rte_mbuf *m = src; m; m = m->next)
			t += m->data_len;
		src->pkt_len = t;
	}
	chain_free(src);
	chain_free(dst);
	wd_comp_op_free(op);
	free(in);
	ret = stateful ? wd_comp_stream_free((uint8_t)g_dev->id, h)
		       : wd_comp_private_xform_free((uint8_t)g_dev->id, h);
	if (ret)
		fail("free %d", ret);
}

/* ------------------------------------------------------------------ */
static void (*const kfn[])(void) = {k_sl_comp, k_sl_decomp, k_st_comp, k_st_decomp,
				    k_buf,     k_multipkt,  k_bad};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: fuzz_comp [-s SEED] [-n CASES] [-d DEVMASK] [-k KINDMASK] [-c CASE] [-v] "
		"[-Z]\n"
		"  devices: 1 sw, 2 model real, 4 model store, 8 model real with fallback "
		"routing,\n"
		"           16 fakezip, 32 model real VF (default 0x1f)\n"
		"  kinds: 1 stateless comp, 2 stateless decomp, 4 stream comp, 8 stream decomp,\n"
		"         16 buf_process, 32 MULTI_PKT pieces, 64 invalid ops (default 0x7f)\n"
		"  -c N replays case N of SEED; -v prints each case; -Z allows zero output room\n"
		"  exit: 0 no failure, 1 a failure (each printed with its replay line), 2 usage\n");
}

int
main(int argc, char **argv)
{
	uint64_t n = 500, one = UINT64_MAX;
	unsigned devmask = 0x1f, kindmask = 0x7f;
	int c;

	g_seed = 1;
	while ((c = getopt(argc, argv, "s:n:d:k:c:vZh")) != -1) {
		switch (c) {
		case 's':
			g_seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			devmask = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'k':
			kindmask = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			one = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		case 'Z':
			allow_zero_room = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	wd_test_eal_init(argv[0], 400);
	if (wd_comp_init() < 0)
		return 1;
	mpool = rte_pktmbuf_pool_create("fz_mbuf", 3000, 0, 0, 65535 - 1, SOCKET_ID_ANY);
	mpool_small = rte_pktmbuf_pool_create("fz_mbuf_small", 8000, 0, 0,
					      SMALL_SEG + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	opool = wd_comp_op_pool_create("fz_ops", 64, 0, 0, SOCKET_ID_ANY);
	if (!mpool || !mpool_small || !opool) {
		fprintf(stderr, "pools\n");
		return 1;
	}
	unsigned ndev = 0;
	struct fdev *avail[NDEVS];
	for (unsigned i = 0; i < NDEVS; i++) {
		if (!(devmask & (1u << i)))
			continue;
		int id = ct_dev_open(devs[i].spec, 1, devs[i].policy ? &devs[i].conf : NULL);
		if (id < 0) {
			/* a device asked for and missing is a failure, not less coverage */
			fprintf(stderr, "device %s: %d\n", devs[i].spec, id);
			return 1;
		}
		devs[i].id = id;
		avail[ndev++] = &devs[i];
	}
	if (ndev == 0)
		return 1;
	unsigned kl[8], nk = 0;
	for (unsigned k = 0; k < 7; k++)
		if (kindmask & (1u << k))
			kl[nk++] = k;
	for (uint64_t i = (one == UINT64_MAX ? 0 : one); i < (one == UINT64_MAX ? n : one + 1);
	     i++) {
		rs = (g_seed * 0x9E3779B97F4A7C15ULL) ^ (i * 0xBF58476D1CE4E5B9ULL) ^ 0x1234567ULL;
		if (!rs)
			rs = 1;
		for (int w = 0; w < 4; w++)
			rnd();
		g_case = i;
		g_dev = avail[ru(ndev)];
		unsigned k = kl[ru(nk)];
		g_kind = kinds[k];
		g_params[0] = 0;
		if (verbose) {
			printf("case %llu %s %s\n", (unsigned long long)i, g_kind, g_dev->label);
			fflush(stdout);
		}
		kfn[k]();
		if (verbose)
			printf("  params: %s\n", g_params);
		ncases++;
	}
	printf("done: seed=%llu cases=%lu failures=%lu known-zero-room=%lu\nstatuses:",
	       (unsigned long long)g_seed, ncases, nfail, n_known_zero_room);
	for (unsigned s = 0; s <= WD_COMP_OP_STATUS_MAX; s++)
		if (nstat[s])
			printf(" %s=%lu", s < WD_COMP_OP_STATUS_MAX ? st(s) : "??", nstat[s]);
	printf("\n");
	for (unsigned i = 0; i < ndev; i++) {
		struct wd_comp_stats stt;
		if (wd_comp_stats_get((uint8_t)avail[i]->id, &stt) == 0)
			printf("dev %s: hw_ops=%llu sw_ops=%llu fb_small=%llu fb_unsup=%llu "
			       "fb_qfull=%llu\n",
			       avail[i]->label, (unsigned long long)stt.hw_ops,
			       (unsigned long long)stt.sw_ops,
			       (unsigned long long)stt.fallback[WD_COMP_FB_SMALL],
			       (unsigned long long)stt.fallback[WD_COMP_FB_UNSUPPORTED],
			       (unsigned long long)stt.fallback[WD_COMP_FB_QUEUE_FULL]);
	}
	wd_cleanup();
	return nfail ? 1 : 0;
}
