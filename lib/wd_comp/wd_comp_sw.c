/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The software engine: raw deflate by ISA-L igzip (levels 1-3, fixed
 * Huffman, every window, all decompression) or zlib (level 0 = stored
 * blocks, levels 4-9, and everything when built without ISA-L); zlib and
 * gzip framing, checksums, multi-member gzip and stream state are done
 * here, the same way for both codecs.
 *
 * Two paths:
 *  - fast: a stateless op whose input and output are each contiguous runs
 *    straight through isal_deflate_stateless() / isal_inflate_stateless()
 *    with the queue pair's preallocated state (no copy, no allocation);
 *  - general: everything else (mbuf chains, streams, zlib) goes through a
 *    small framing state machine that feeds the codec segment by segment.
 *
 * Nothing here allocates on the data path except zlib's state when a
 * queue pair switches zlib parameters (rte_malloc, no system call).
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <zlib.h>

#include "wd_comp_private.h"

#if WD_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

/* Highest level run by ISA-L; above it zlib. */
#define SW_ISAL_MAX_LEVEL 3

/* ------------------------------------------------------------------ */
/* zlib state with hugepage allocation                                 */
/* ------------------------------------------------------------------ */

struct sw_zlib {
	z_stream z;
	bool ready;
	bool inflate;
	int level;
	int wbits;
	int strategy;
	int socket_id;
	/*
	 * Output of a sync/full flush made into spill[] because the room was
	 * under ZSPILL_MIN bytes (zlib writes a new flush marker on every call
	 * that ends with no room left, so it must never be given less than 6
	 * bytes), not yet handed out; flush_done: that flush completed.
	 */
	uint8_t spill[64];
	uint8_t spill_off, spill_len;
	bool flush_done;
};

/* Smallest output room a sync/full flush is given directly (zlib: more than 6). */
#define ZSPILL_MIN 16

static voidpf
sw_zalloc(voidpf opaque, uInt items, uInt size)
{
	const struct sw_zlib *zl = opaque;

	return wd_comp_malloc("wd_comp_zlib", (size_t)items * size, zl->socket_id, false);
}

static void
sw_zfree(voidpf opaque, voidpf ptr)
{
	(void)opaque;
	rte_free(ptr);
}

static void
sw_zlib_end(struct sw_zlib *zl)
{
	if (zl == NULL || !zl->ready)
		return;
	if (zl->inflate)
		inflateEnd(&zl->z);
	else
		deflateEnd(&zl->z);
	zl->ready = false;
}

/* (Re)start a raw deflate state for these parameters. @return 0 or -ENOMEM. */
static int
sw_zlib_deflate_start(struct sw_zlib *zl, int level, int wbits, int strategy)
{
	/* zlib cannot make 256-byte windows; with 512 it never looks back more than 250. */
	if (wbits < 9)
		wbits = 9;
	zl->spill_off = zl->spill_len = 0;
	zl->flush_done = false;
	if (zl->ready && !zl->inflate && zl->level == level && zl->wbits == wbits &&
	    zl->strategy == strategy)
		return deflateReset(&zl->z) == Z_OK ? 0 : -ENOMEM;
	sw_zlib_end(zl);
	memset(&zl->z, 0, sizeof(zl->z));
	zl->z.zalloc = sw_zalloc;
	zl->z.zfree = sw_zfree;
	zl->z.opaque = zl;
	if (deflateInit2(&zl->z, level, Z_DEFLATED, -wbits, 8, strategy) != Z_OK)
		return -ENOMEM;
	zl->ready = true;
	zl->inflate = false;
	zl->level = level;
	zl->wbits = wbits;
	zl->strategy = strategy;
	return 0;
}

static int
sw_zlib_inflate_start(struct sw_zlib *zl)
{
	if (zl->ready && zl->inflate)
		return inflateReset(&zl->z) == Z_OK ? 0 : -ENOMEM;
	sw_zlib_end(zl);
	memset(&zl->z, 0, sizeof(zl->z));
	zl->z.zalloc = sw_zalloc;
	zl->z.zfree = sw_zfree;
	zl->z.opaque = zl;
	if (inflateInit2(&zl->z, -15) != Z_OK)
		return -ENOMEM;
	zl->ready = true;
	zl->inflate = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Engine state                                                        */
/* ------------------------------------------------------------------ */

/* Framing phases. */
enum {
	PH_IDLE = 0,  /* nothing started: the next request starts a stream */
	PH_HDR,       /* decompression: parsing a header */
	PH_BODY,      /* deflate data */
	PH_TRL,       /* compression: trailer pending; decompression: collecting it (zlib codec) */
	PH_END,       /* stream (gzip: member) ended */
};

/*
 * A codec + framing context. A stream owns one; a queue pair owns one for
 * stateless requests that cannot take the fast path (codec state borrowed
 * from the queue pair).
 */
struct wd_comp_sw_stream {
	uint8_t codec;        /* enum wd_comp_sw_codec */
	uint8_t phase;
	bool owner;           /* codec memory belongs to this context */
	bool started;         /* bytes taken or given since the stream started */
	int socket_id;
#if WD_HAVE_ISAL
	struct isal_zstream *zs;
	uint8_t *lvl_buf;
	uint32_t lvl_buf_size;
	struct inflate_state *inf;
#endif
	struct sw_zlib *zl;
	/* compression: header / trailer bytes waiting for output room */
	uint8_t pend[16];
	uint8_t pend_len;
	uint8_t pend_off;
	/* decompression */
	struct wd_comp_hdr_parser hp;
	uint8_t trl[WD_GZIP_TRAILER_LEN];
	uint8_t trl_len;
	/* checksums */
	uint32_t msum;        /* format checksum of the current member (zlib codec, compression) */
	uint32_t misize;      /* uncompressed bytes of the current member */
	uint32_t crc;         /* running CRC-32 of the uncompressed data (as asked) */
	uint32_t adler;       /* running Adler-32 (as asked) */
	uint32_t cum_crc;     /* gzip decompression: CRC of the members before this one */
	uint64_t cum_len;
};

struct wd_comp_sw_qp {
	int socket_id;
#if WD_HAVE_ISAL
	struct isal_zstream *zs;
	uint8_t *lvl_buf;
	struct inflate_state *inf;
#endif
	struct sw_zlib zl;
	struct wd_comp_sw_stream ctx; /* stateless general path */
};

enum wd_comp_sw_codec
wd_comp_sw_codec_of(const struct wd_comp_xf *xf)
{
#if WD_HAVE_ISAL
	if (xf->op == WD_OP_DECOMPRESS)
		return WD_COMP_SW_ISAL;
	if (xf->level >= 1 && xf->level <= SW_ISAL_MAX_LEVEL)
		return WD_COMP_SW_ISAL;
	/* zlib's smallest raw window is 512 B: 256 B windows above level 3 run ISA-L level 3 */
	if (xf->level > SW_ISAL_MAX_LEVEL && xf->window_log < 9)
		return WD_COMP_SW_ISAL;
	return WD_COMP_SW_ZLIB;
#else
	(void)xf;
	return WD_COMP_SW_ZLIB;
#endif
}

#if WD_HAVE_ISAL
static uint32_t
isal_level_of(const struct wd_comp_xf *xf)
{
	if (xf->huffman == WD_COMP_HUFFMAN_FIXED)
		return 0; /* level 0 with the static table = fixed Huffman blocks */
	if (xf->level > SW_ISAL_MAX_LEVEL)
		return SW_ISAL_MAX_LEVEL;
	return xf->level < 1 ? 1 : (uint32_t)xf->level;
}

/* Set up an ISA-L deflate state for a new stream (after *_init). */
static void
isal_deflate_params(struct isal_zstream *zs, const struct wd_comp_xf *xf, uint8_t *lvl_buf,
		    uint32_t lvl_buf_size)
{
	zs->level = isal_level_of(xf);
	zs->level_buf = zs->level > 0 ? lvl_buf : NULL;
	zs->level_buf_size = zs->level > 0 ? lvl_buf_size : 0;
	zs->hist_bits = xf->window_log;
	zs->gzip_flag = IGZIP_DEFLATE;
	isal_deflate_set_hufftables(zs, NULL, xf->huffman == WD_COMP_HUFFMAN_FIXED ?
				    IGZIP_HUFFTABLE_STATIC : IGZIP_HUFFTABLE_DEFAULT);
}

static uint32_t
isal_crc_flag(uint8_t alg)
{
	switch (alg) {
	case WD_COMP_ALG_ZLIB:
		return ISAL_ZLIB_NO_HDR_VER;
	case WD_COMP_ALG_GZIP:
		return ISAL_GZIP_NO_HDR_VER;
	default:
		return ISAL_DEFLATE;
	}
}
#endif

/* zlib's level for a transform (0 = stored blocks). */
static int
zlib_level_of(const struct wd_comp_xf *xf)
{
	if (xf->level == 0)
		return 0;
	return xf->level < 1 ? 6 : xf->level;
}

/* Level given to the header writer (0 and negative mean default there). */
static int
hdr_level_of(const struct wd_comp_xf *xf)
{
	if (xf->user_level == WD_COMP_LEVEL_NONE)
		return 1; /* FLEVEL 0, "fastest" */
	return xf->user_level;
}

/* ------------------------------------------------------------------ */
/* Creation                                                            */
/* ------------------------------------------------------------------ */

struct wd_comp_sw_qp *
wd_comp_sw_qp_create(int socket_id)
{
	struct wd_comp_sw_qp *sq;

	sq = wd_comp_malloc("wd_comp_sw_qp", sizeof(*sq), socket_id, true);
	if (sq == NULL)
		return NULL;
	sq->socket_id = socket_id;
	sq->zl.socket_id = socket_id;
#if WD_HAVE_ISAL
	sq->zs = wd_comp_malloc("wd_comp_isal_zs", sizeof(*sq->zs), socket_id, true);
	sq->lvl_buf = wd_comp_malloc("wd_comp_isal_lvl", ISAL_DEF_LVL3_DEFAULT, socket_id, false);
	sq->inf = wd_comp_malloc("wd_comp_isal_inf", sizeof(*sq->inf), socket_id, true);
	if (sq->zs == NULL || sq->lvl_buf == NULL || sq->inf == NULL) {
		wd_comp_sw_qp_free(sq);
		return NULL;
	}
	sq->ctx.zs = sq->zs;
	sq->ctx.lvl_buf = sq->lvl_buf;
	sq->ctx.lvl_buf_size = ISAL_DEF_LVL3_DEFAULT;
	sq->ctx.inf = sq->inf;
#endif
	sq->ctx.zl = &sq->zl;
	sq->ctx.owner = false;
	sq->ctx.socket_id = socket_id;
	return sq;
}

void
wd_comp_sw_qp_free(struct wd_comp_sw_qp *sq)
{
	if (sq == NULL)
		return;
	sw_zlib_end(&sq->zl);
#if WD_HAVE_ISAL
	rte_free(sq->zs);
	rte_free(sq->lvl_buf);
	rte_free(sq->inf);
#endif
	rte_free(sq);
}

static void ctx_restart(struct wd_comp_sw_stream *c, const struct wd_comp_xf *xf, bool keep_cum);

struct wd_comp_sw_stream *
wd_comp_sw_stream_create(const struct wd_comp_xf *xf, int socket_id)
{
	struct wd_comp_sw_stream *ss;

	ss = wd_comp_malloc("wd_comp_sw_stream", sizeof(*ss), socket_id, true);
	if (ss == NULL)
		return NULL;
	ss->owner = true;
	ss->socket_id = socket_id;
	ss->codec = (uint8_t)wd_comp_sw_codec_of(xf);
	ctx_restart(ss, xf, false);
#if WD_HAVE_ISAL
	if (ss->codec == WD_COMP_SW_ISAL) {
		if (xf->op == WD_OP_COMPRESS) {
			uint32_t lvl = isal_level_of(xf);

			ss->zs = wd_comp_malloc("wd_comp_isal_zs", sizeof(*ss->zs), socket_id,
						true);
			ss->lvl_buf_size = lvl == 1 ? ISAL_DEF_LVL1_DEFAULT :
					   lvl == 2 ? ISAL_DEF_LVL2_DEFAULT :
					   lvl == 3 ? ISAL_DEF_LVL3_DEFAULT : 0;
			if (ss->lvl_buf_size > 0)
				ss->lvl_buf = wd_comp_malloc("wd_comp_isal_lvl",
							     ss->lvl_buf_size, socket_id,
							     false);
			if (ss->zs == NULL || (ss->lvl_buf_size > 0 && ss->lvl_buf == NULL))
				goto fail;
		} else {
			ss->inf = wd_comp_malloc("wd_comp_isal_inf", sizeof(*ss->inf),
						 socket_id, true);
			if (ss->inf == NULL)
				goto fail;
		}
		return ss;
	}
#endif
	ss->zl = wd_comp_malloc("wd_comp_zlib", sizeof(*ss->zl), socket_id, true);
	if (ss->zl == NULL)
		goto fail;
	ss->zl->socket_id = socket_id;
	return ss;
fail:
	wd_comp_sw_stream_free(ss);
	return NULL;
}

void
wd_comp_sw_stream_free(struct wd_comp_sw_stream *ss)
{
	if (ss == NULL || !ss->owner)
		return;
	if (ss->zl != NULL) {
		sw_zlib_end(ss->zl);
		rte_free(ss->zl);
	}
#if WD_HAVE_ISAL
	rte_free(ss->zs);
	rte_free(ss->lvl_buf);
	rte_free(ss->inf);
#endif
	rte_free(ss);
}

bool
wd_comp_sw_stream_started(const struct wd_comp_sw_stream *ss)
{
	return ss != NULL && ss->started;
}

bool
wd_comp_sw_stream_ended(const struct wd_comp_sw_stream *ss)
{
	return ss != NULL && ss->phase == PH_END;
}

/* ------------------------------------------------------------------ */
/* Buffers                                                             */
/* ------------------------------------------------------------------ */

/* A cursor over a flat buffer or an mbuf chain (ranges checked by the caller). */
struct sw_cur {
	struct rte_mbuf *m;
	uint8_t *p;
	uint32_t seg;   /* contiguous bytes at p */
	uint32_t left;  /* bytes left in total */
};

static void
cur_fix(struct sw_cur *c)
{
	while (c->seg == 0 && c->left > 0) {
		if (c->m == NULL || c->m->next == NULL) {
			c->left = 0; /* defensive: the chain ended early */
			return;
		}
		c->m = c->m->next;
		c->p = rte_pktmbuf_mtod(c->m, uint8_t *);
		c->seg = RTE_MIN((uint32_t)c->m->data_len, c->left);
	}
}

/*
 * Do the next input bytes start a gzip member (both magic bytes 1f 8b)?
 * A lone 1f is not a member: it is trailing data.
 */
static bool
cur_gzip_magic(const struct sw_cur *c)
{
	const struct rte_mbuf *m;

	if (c->left < 2 || c->seg == 0 || c->p[0] != WD_GZIP_ID1)
		return false;
	if (c->seg >= 2)
		return c->p[1] == WD_GZIP_ID2;
	for (m = c->m != NULL ? c->m->next : NULL; m != NULL; m = m->next)
		if (m->data_len > 0)
			return *rte_pktmbuf_mtod(m, const uint8_t *) == WD_GZIP_ID2;
	return false;
}

/* Is the input one last byte 1f (a gzip member cut after its first byte)? */
static bool
cur_lone_1f(const struct sw_cur *c)
{
	return c->left == 1 && c->seg == 1 && c->p[0] == WD_GZIP_ID1;
}

static void
cur_init(struct sw_cur *c, const struct wd_comp_buf *b)
{
	c->left = b->len;
	if (b->type == WD_COMP_BUF_FLAT) {
		c->m = NULL;
		c->p = b->addr;
		c->seg = b->len;
		return;
	}
	{
		struct rte_mbuf *m = b->m;
		uint32_t off = b->offset;

		while (m != NULL && off >= m->data_len && m->next != NULL) {
			off -= m->data_len;
			m = m->next;
		}
		c->m = m;
		if (m == NULL || off > m->data_len) {
			c->left = 0;
			c->seg = 0;
			c->p = NULL;
			return;
		}
		c->p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
		c->seg = RTE_MIN((uint32_t)(m->data_len - off), c->left);
	}
	cur_fix(c);
}

static void
cur_adv(struct sw_cur *c, uint32_t n)
{
	c->p += n;
	c->seg -= n;
	c->left -= n;
	cur_fix(c);
}

/* The cursor of @p b at byte @p pos (across segments). */
static void
cur_seek(struct sw_cur *c, const struct wd_comp_buf *b, uint32_t pos)
{
	cur_init(c, b);
	while (pos > 0 && c->left > 0) {
		uint32_t n = RTE_MIN(pos, c->seg);

		cur_adv(c, n);
		pos -= n;
	}
}

/* ------------------------------------------------------------------ */
/* Checksums                                                           */
/* ------------------------------------------------------------------ */

static bool
want_crc(const struct wd_comp_xf *xf)
{
	if (xf->alg == WD_COMP_ALG_GZIP)
		return true;
	if (xf->alg == WD_COMP_ALG_ZLIB)
		return false;
	return xf->chksum == WD_COMP_CHKSUM_CRC32 || xf->chksum == WD_COMP_CHKSUM_CRC32_ADLER32;
}

static bool
want_adler(const struct wd_comp_xf *xf)
{
	if (xf->alg == WD_COMP_ALG_ZLIB)
		return true;
	if (xf->alg == WD_COMP_ALG_GZIP)
		return false;
	return xf->chksum == WD_COMP_CHKSUM_ADLER32 || xf->chksum == WD_COMP_CHKSUM_CRC32_ADLER32;
}

/* Pack the op's output checksum from the running values. */
static uint64_t
chksum_pack(const struct wd_comp_xf *xf, uint32_t crc, uint32_t adler)
{
	switch (xf->alg) {
	case WD_COMP_ALG_ZLIB:
		return adler;
	case WD_COMP_ALG_GZIP:
		return crc;
	default:
		break;
	}
	switch (xf->chksum) {
	case WD_COMP_CHKSUM_CRC32:
		return crc;
	case WD_COMP_CHKSUM_ADLER32:
		return adler;
	case WD_COMP_CHKSUM_CRC32_ADLER32:
		return ((uint64_t)adler << 32) | crc;
	default:
		return 0;
	}
}

/* Initial running values of a stateless raw-deflate op from input_chksum (MULTI_PKT). */
static void
chksum_seed(const struct wd_comp_xf *xf, uint64_t in, uint32_t *crc, uint32_t *adler)
{
	*crc = 0;
	*adler = 1;
	if (xf->alg != WD_COMP_ALG_DEFLATE)
		return;
	switch (xf->chksum) {
	case WD_COMP_CHKSUM_CRC32:
		*crc = (uint32_t)in;
		break;
	case WD_COMP_CHKSUM_ADLER32:
		if (in != 0)
			*adler = (uint32_t)in;
		break;
	case WD_COMP_CHKSUM_CRC32_ADLER32:
		*crc = (uint32_t)in;
		if ((in >> 32) != 0)
			*adler = (uint32_t)(in >> 32);
		break;
	default:
		break;
	}
}

static void
chksum_run(const struct wd_comp_xf *xf, uint32_t *crc, uint32_t *adler, const uint8_t *p,
	   uint32_t n)
{
	if (n == 0)
		return;
	if (want_crc(xf))
		*crc = wd_comp_crc32(*crc, p, n);
	if (want_adler(xf))
		*adler = wd_comp_adler32(*adler, p, n);
}

/* ------------------------------------------------------------------ */
/* Stored blocks                                                       */
/* ------------------------------------------------------------------ */

#define STORED_MAX 65535u

/* Write @p n bytes at the output cursor (the room was checked). */
static void
cur_put(struct sw_cur *out, const uint8_t *p, uint32_t n)
{
	while (n > 0 && out->left > 0) {
		uint32_t k = RTE_MIN(n, out->seg);

		memcpy(out->p, p, k);
		p += k;
		n -= k;
		cur_adv(out, k);
	}
}

/* Bytes of a stateless op written as stored blocks. */
static uint64_t
stored_size(const struct wd_comp_xf *xf, uint32_t len)
{
	uint32_t blocks = len == 0 ? 1 : (len + STORED_MAX - 1) / STORED_MAX;

	return wd_comp_hdr_len(xf->alg) + (uint64_t)blocks * 5 + len +
	       wd_comp_trailer_len(xf->alg);
}

/*
 * A stateless op as stored (uncompressed) blocks: level 0, and the
 * answer whenever a codec's output would not fit where stored blocks do,
 * so that wd_comp_bound() holds for every codec.
 */
static void
stored_write(const struct wd_comp_xf *xf, const struct wd_comp_buf *src,
	     const struct wd_comp_buf *dst, uint8_t flush, uint64_t in_chksum,
	     struct wd_comp_res *res)
{
	uint32_t len = src->len, left = len, crc, adler;
	uint64_t need = stored_size(xf, len);
	uint8_t hdr[16];
	struct sw_cur in, out;
	size_t h;

	if (dst->len < need) {
		res->status = WD_COMP_OP_OUT_OF_SPACE_TERMINATED;
		res->consumed = 0;
		res->produced = 0;
		return;
	}
	cur_init(&in, src);
	cur_init(&out, dst);
	chksum_seed(xf, in_chksum, &crc, &adler);
	h = wd_comp_hdr_write(xf->alg, hdr_level_of(xf), xf->window_log, hdr, sizeof(hdr));
	cur_put(&out, hdr, (uint32_t)h);
	do {
		uint32_t n = RTE_MIN(left, STORED_MAX);
		uint8_t bh[5];

		left -= n;
		bh[0] = flush == WD_COMP_FLUSH_FINAL && left == 0 ? 1 : 0; /* BFINAL, BTYPE 00 */
		bh[1] = (uint8_t)n;
		bh[2] = (uint8_t)(n >> 8);
		bh[3] = (uint8_t)~n;
		bh[4] = (uint8_t)(~n >> 8);
		cur_put(&out, bh, sizeof(bh));
		while (n > 0) {
			uint32_t k = RTE_MIN(n, in.seg);

			chksum_run(xf, &crc, &adler, in.p, k);
			cur_put(&out, in.p, k);
			cur_adv(&in, k);
			n -= k;
		}
	} while (left > 0);
	h = wd_comp_trailer_write(xf->alg, xf->alg == WD_COMP_ALG_ZLIB ? adler : crc, len, hdr);
	cur_put(&out, hdr, (uint32_t)h);
	res->status = WD_COMP_OP_SUCCESS;
	res->consumed = len;
	res->produced = (uint32_t)need;
	res->chksum = chksum_pack(xf, crc, adler);
}

/* ------------------------------------------------------------------ */
/* Fast stateless path (ISA-L, contiguous buffers)                     */
/* ------------------------------------------------------------------ */

#if WD_HAVE_ISAL
static void
fast_compress(struct wd_comp_sw_qp *sq, const struct wd_comp_xf *xf, uint8_t *in,
	      uint32_t in_len, uint8_t *out, uint32_t room, uint8_t flush, uint64_t in_chksum,
	      struct wd_comp_res *res)
{
	struct isal_zstream *zs = sq->zs;
	uint32_t h = (uint32_t)wd_comp_hdr_len(xf->alg), t = (uint32_t)wd_comp_trailer_len(xf->alg);
	uint32_t crc, adler;
	int ret;

	if (room < h + t) {
		res->status = WD_COMP_OP_OUT_OF_SPACE_TERMINATED;
		return;
	}
	isal_deflate_stateless_init(zs);
	isal_deflate_params(zs, xf, sq->lvl_buf, ISAL_DEF_LVL3_DEFAULT);
	zs->end_of_stream = flush == WD_COMP_FLUSH_FINAL;
	zs->flush = flush == WD_COMP_FLUSH_FINAL ? NO_FLUSH : FULL_FLUSH;
	zs->next_in = in;
	zs->avail_in = in_len;
	zs->next_out = out + h;
	zs->avail_out = room - h - t;
	ret = isal_deflate_stateless(zs);
	if (ret == STATELESS_OVERFLOW) {
		struct wd_comp_buf sb = {.type = WD_COMP_BUF_FLAT, .addr = in, .len = in_len};
		struct wd_comp_buf db = {.type = WD_COMP_BUF_FLAT, .addr = out, .len = room};

		stored_write(xf, &sb, &db, flush, in_chksum, res);
		return;
	}
	if (ret != COMP_OK) {
		res->status = WD_COMP_OP_ERROR;
		res->debug = (uint64_t)(int64_t)ret;
		return;
	}
	chksum_seed(xf, in_chksum, &crc, &adler);
	chksum_run(xf, &crc, &adler, in, in_len);
	wd_comp_hdr_write(xf->alg, hdr_level_of(xf), xf->window_log, out, h);
	if (t > 0)
		wd_comp_trailer_write(xf->alg, xf->alg == WD_COMP_ALG_ZLIB ? adler : crc, in_len,
				      zs->next_out);
	res->status = WD_COMP_OP_SUCCESS;
	res->consumed = in_len;
	res->produced = h + zs->total_out + t;
	res->chksum = chksum_pack(xf, crc, adler);
}

static void
fast_decompress(struct wd_comp_sw_qp *sq, const struct wd_comp_xf *xf, uint8_t *in,
		uint32_t in_len, uint8_t *out, uint32_t room, uint64_t in_chksum,
		struct wd_comp_res *res)
{
	struct inflate_state *inf = sq->inf;
	struct wd_comp_hdr_parser hp;
	uint32_t ipos = 0, opos = 0, crc, adler, cum_crc = 0;
	uint64_t cum_len = 0;

	for (;;) {
		size_t used = 0;
		int ret;

		if (xf->alg != WD_COMP_ALG_DEFLATE) {
			wd_comp_hdr_parser_init(&hp, xf->alg);
			ret = wd_comp_hdr_parse(&hp, in + ipos, in_len - ipos, &used);
			if (ret != WD_HDR_DONE) {
				res->status = ret == WD_HDR_ERR_DICT ? WD_COMP_OP_ERR_DICT :
								       WD_COMP_OP_ERR_DATA;
				return;
			}
			ipos += (uint32_t)used;
		}
		isal_inflate_init(inf);
		inf->crc_flag = isal_crc_flag(xf->alg);
		inf->next_in = in + ipos;
		inf->avail_in = in_len - ipos;
		inf->next_out = out + opos;
		inf->avail_out = room - opos;
		ret = isal_inflate_stateless(inf);
		/*
		 * Out of room: the output is full and the data goes on. Once the
		 * final block has ended (only a trailer awaited), the input is
		 * cut short whatever the room: that is ERR_DATA below. Out of
		 * room, ISA-L holds back the literals of a multi-symbol lookup
		 * and decodes the match after them: a distance reaching into
		 * them is "invalid" though the data is good (a run of one byte
		 * into a room of 0). With the output full that is out of room
		 * too, as zlib says (it checks no distance without room).
		 */
		if (ret == ISAL_OUT_OVERFLOW ||
		    (ret == ISAL_INVALID_LOOKBACK && inf->avail_out == 0) ||
		    (ret == ISAL_END_INPUT && inf->avail_out == 0 &&
		     inf->block_state < ISAL_BLOCK_INPUT_DONE)) {
			res->status = WD_COMP_OP_OUT_OF_SPACE_TERMINATED;
			return;
		}
		if (ret == ISAL_INCORRECT_CHECKSUM) {
			res->status = WD_COMP_OP_ERR_CHECKSUM;
			return;
		}
		if (ret != ISAL_DECOMP_OK || inf->block_state != ISAL_BLOCK_FINISH) {
			res->status = WD_COMP_OP_ERR_DATA; /* corrupt or truncated */
			res->debug = (uint64_t)(int64_t)ret;
			return;
		}
		if (xf->alg == WD_COMP_ALG_GZIP) {
			cum_crc = cum_len == 0 ? inf->crc :
				  (uint32_t)crc32_combine(cum_crc, inf->crc,
							  (z_off_t)inf->total_out);
			cum_len += inf->total_out;
		} else if (xf->alg == WD_COMP_ALG_ZLIB) {
			cum_crc = inf->crc; /* Adler-32 */
		}
		ipos = in_len - inf->avail_in;
		opos += inf->total_out;
		/*
		 * gzip: another member follows (both magic bytes)? Anything else
		 * after the end is trailing data, left unconsumed.
		 */
		if (xf->alg != WD_COMP_ALG_GZIP || ipos >= in_len || in[ipos] != WD_GZIP_ID1 ||
		    (in_len - ipos >= 2 && in[ipos + 1] != WD_GZIP_ID2))
			break;
		/* (a lone 1f at the end: a member cut short, the header parse fails) */
	}
	res->status = WD_COMP_OP_SUCCESS;
	res->consumed = ipos;
	res->produced = opos;
	if (xf->alg == WD_COMP_ALG_DEFLATE) {
		chksum_seed(xf, in_chksum, &crc, &adler);
		chksum_run(xf, &crc, &adler, out, opos);
		res->chksum = chksum_pack(xf, crc, adler);
	} else {
		res->chksum = cum_crc;
	}
}
#endif

/* ------------------------------------------------------------------ */
/* General path                                                        */
/* ------------------------------------------------------------------ */

/* Codec call outcome. */
enum {
	CC_OK = 0,       /* progress (or none possible with this input/output) */
	CC_END,          /* deflate stream ended (decompression) / flush complete (compression) */
	CC_ERR_DATA,
	CC_ERR_CHECKSUM,
	CC_ERR,          /* internal error */
};

/* Start the codec for a new stream (compression) or member (decompression). */
static int
codec_start(struct wd_comp_sw_stream *c, const struct wd_comp_xf *xf)
{
#if WD_HAVE_ISAL
	if (c->codec == WD_COMP_SW_ISAL) {
		if (xf->op == WD_OP_COMPRESS) {
			isal_deflate_init(c->zs);
			isal_deflate_params(c->zs, xf, c->lvl_buf, c->lvl_buf_size);
		} else {
			isal_inflate_init(c->inf);
			c->inf->crc_flag = isal_crc_flag(xf->alg);
		}
		return 0;
	}
#endif
	if (xf->op == WD_OP_COMPRESS)
		return sw_zlib_deflate_start(c->zl, zlib_level_of(xf), xf->window_log,
					     xf->huffman == WD_COMP_HUFFMAN_FIXED ? Z_FIXED :
					     Z_DEFAULT_STRATEGY);
	return sw_zlib_inflate_start(c->zl);
}

/* Hand out spilled flush output. @return bytes copied. */
static uint32_t
spill_out(struct sw_zlib *zl, uint8_t *out, uint32_t out_len)
{
	uint32_t n = RTE_MIN((uint32_t)(zl->spill_len - zl->spill_off), out_len);

	memcpy(out, zl->spill + zl->spill_off, n);
	zl->spill_off = (uint8_t)(zl->spill_off + n);
	if (zl->spill_off == zl->spill_len)
		zl->spill_off = zl->spill_len = 0;
	return n;
}

/* zlib's deflate() for codec_deflate(). */
static int
zlib_deflate(struct sw_zlib *zl, uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t out_len,
	     uint8_t flush, uint32_t *used, uint32_t *made)
{
	z_stream *z = &zl->z;
	int zf = flush == WD_COMP_FLUSH_FINAL ? Z_FINISH :
		 flush == WD_COMP_FLUSH_SYNC ? Z_SYNC_FLUSH :
		 flush == WD_COMP_FLUSH_FULL ? Z_FULL_FLUSH : Z_NO_FLUSH;
	bool spill = (zf == Z_SYNC_FLUSH || zf == Z_FULL_FLUSH) && out_len < ZSPILL_MIN;
	uint32_t early = 0;
	int ret;

	*used = 0;
	*made = 0;
	if (zl->spill_len > 0) {
		/* what the last call's flush made beyond its room comes first */
		early = spill_out(zl, out, out_len);
		*made = early;
		if (zl->spill_len > 0)
			return CC_OK;
		if (zl->flush_done && in_len == 0 && zf != Z_FINISH) {
			zl->flush_done = false;
			return CC_END;	/* that flush was all this op asked for */
		}
		out += early;
		out_len -= early;
		spill = (zf == Z_SYNC_FLUSH || zf == Z_FULL_FLUSH) && out_len < ZSPILL_MIN;
	}
	zl->flush_done = false;
	z->next_in = in;
	z->avail_in = in_len;
	z->next_out = spill ? zl->spill : out;
	z->avail_out = spill ? (uInt)sizeof(zl->spill) : out_len;
	ret = deflate(z, zf);
	*used = in_len - z->avail_in;
	if (spill) {
		zl->spill_len = (uint8_t)(sizeof(zl->spill) - z->avail_out);
		zl->spill_off = 0;
		/* the flush is complete when deflate() left room (zlib's rule) */
		zl->flush_done = z->avail_in == 0 && z->avail_out > 0 &&
				 (ret == Z_OK || ret == Z_BUF_ERROR);
		*made = early + spill_out(zl, out, out_len);
		if (ret != Z_OK && ret != Z_BUF_ERROR)
			return CC_ERR;
		if (zl->spill_len > 0 || !zl->flush_done)
			return CC_OK;
		zl->flush_done = false;
		return CC_END;
	}
	*made = early + out_len - z->avail_out;
	if (ret == Z_STREAM_END)
		return CC_END;
	if (ret != Z_OK && ret != Z_BUF_ERROR)
		return CC_ERR;
	if (flush != WD_COMP_FLUSH_FINAL && z->avail_in == 0 &&
	    (flush == WD_COMP_FLUSH_NONE || z->avail_out > 0))
		return CC_END;
	return CC_OK;
}

static int
codec_deflate(struct wd_comp_sw_stream *c, uint8_t *in, uint32_t in_len, uint8_t *out,
	      uint32_t out_len, uint8_t flush, uint32_t *used, uint32_t *made)
{
#if WD_HAVE_ISAL
	if (c->codec == WD_COMP_SW_ISAL) {
		struct isal_zstream *zs = c->zs;
		int ret;

		zs->next_in = in;
		zs->avail_in = in_len;
		zs->next_out = out;
		zs->avail_out = out_len;
		zs->end_of_stream = flush == WD_COMP_FLUSH_FINAL;
		zs->flush = flush == WD_COMP_FLUSH_SYNC ? SYNC_FLUSH :
			    flush == WD_COMP_FLUSH_FULL ? FULL_FLUSH : NO_FLUSH;
		ret = isal_deflate(zs);
		*used = in_len - zs->avail_in;
		*made = out_len - zs->avail_out;
		if (ret != COMP_OK)
			return CC_ERR;
		if (flush == WD_COMP_FLUSH_FINAL)
			return zs->internal_state.state == ZSTATE_END ? CC_END : CC_OK;
		if (zs->avail_in == 0 && (flush == WD_COMP_FLUSH_NONE || zs->avail_out > 0 ||
					  zs->internal_state.state == ZSTATE_NEW_HDR))
			return CC_END;
		return CC_OK;
	}
#endif
	return zlib_deflate(c->zl, in, in_len, out, out_len, flush, used, made);
}

/*
 * @p back: at the end of a stream, whole bytes the codec read past it in
 * earlier calls (read ahead from an earlier input segment), beyond what
 * this call's @p used could give back.
 */
static int
codec_inflate(struct wd_comp_sw_stream *c, uint8_t *in, uint32_t in_len, uint8_t *out,
	      uint32_t out_len, uint32_t *used, uint32_t *made, uint32_t *back)
{
	*back = 0;
#if WD_HAVE_ISAL
	if (c->codec == WD_COMP_SW_ISAL) {
		struct inflate_state *inf = c->inf;
		int ret;

		inf->next_in = in;
		inf->avail_in = in_len;
		inf->next_out = out;
		inf->avail_out = out_len;
		ret = isal_inflate(inf);
		*used = in_len - inf->avail_in;
		*made = out_len - inf->avail_out;
		if (ret == ISAL_INCORRECT_CHECKSUM)
			return CC_ERR_CHECKSUM;
		if (ret < 0)
			return CC_ERR_DATA;
		if (inf->block_state != ISAL_BLOCK_FINISH)
			return CC_OK;
		/*
		 * Whole bytes read ahead past the end of the stream are not the
		 * stream's: give them back (what follows is the caller's data).
		 */
		if (inf->read_in_length >= 8) {
			uint32_t ahead = (uint32_t)inf->read_in_length / 8;
			uint32_t here = RTE_MIN(ahead, *used);

			*used -= here;
			*back = ahead - here;
			inf->read_in_length -= (int32_t)(ahead * 8);
		}
		return CC_END;
	}
#endif
	{
		z_stream *z = &c->zl->z;
		int ret;

		z->next_in = in;
		z->avail_in = in_len;
		z->next_out = out;
		z->avail_out = out_len;
		ret = inflate(z, Z_NO_FLUSH);
		*used = in_len - z->avail_in;
		*made = out_len - z->avail_out;
		if (ret == Z_STREAM_END)
			return CC_END;
		if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT)
			return CC_ERR_DATA;
		if (ret != Z_OK && ret != Z_BUF_ERROR)
			return CC_ERR;
		return CC_OK;
	}
}

/*
 * The stream stops with its output full and the caller will come back
 * with the input from what we say was consumed: whole bytes the codec has
 * read ahead into its bit buffer go back (up to @p consumed), so that
 * bytes after the end of the stream are never reported consumed by an op
 * before the one that ends it. ISA-L only, in the middle of a block or
 * with the last block decoded and output still to come (not while a
 * header is parsed from its own copy of the input). zlib reads no further
 * than it needs.
 * @return bytes given back.
 */
static uint32_t
codec_unread(struct wd_comp_sw_stream *c, uint32_t consumed)
{
#if WD_HAVE_ISAL
	if (c->codec == WD_COMP_SW_ISAL) {
		struct inflate_state *inf = c->inf;
		uint32_t k;

		if (inf->tmp_in_size != 0 || inf->read_in_length < 8 ||
		    (inf->block_state != ISAL_BLOCK_CODED && inf->block_state != ISAL_BLOCK_TYPE0 &&
		     inf->block_state != ISAL_BLOCK_INPUT_DONE))
			return 0;
		k = RTE_MIN((uint32_t)inf->read_in_length / 8, consumed);
		inf->read_in_length -= (int32_t)(k * 8);
		/* what the refill ORs in above the bits kept must find zeros */
		inf->read_in &= inf->read_in_length == 0 ? 0 :
				UINT64_MAX >> (64 - inf->read_in_length);
		return k;
	}
#endif
	(void)c;
	(void)consumed;
	return 0;
}

/*
 * ISA-L reads input ahead into its bit buffer and, with no output room, into
 * its own buffers: a call without room is made on a copy of the state kept
 * here, so that it can be undone when the stream did not end (zlib reads no
 * further than it needs: NULL).
 */
static void *
codec_snapshot(const struct wd_comp_sw_stream *c)
{
#if WD_HAVE_ISAL
	if (c->codec == WD_COMP_SW_ISAL) {
		void *s = rte_malloc(NULL, sizeof(*c->inf), 0);

		if (s != NULL)
			memcpy(s, c->inf, sizeof(*c->inf));
		return s;
	}
#endif
	(void)c;
	return NULL;
}

static bool
codec_out_pending(const struct wd_comp_sw_stream *c)
{
#if WD_HAVE_ISAL
	const struct inflate_state *inf = c->inf;

	if (c->codec != WD_COMP_SW_ISAL)
		return false;
	return inf->tmp_out_valid > inf->tmp_out_processed || inf->write_overflow_len != 0 ||
	       inf->copy_overflow_length != 0;
#else
	(void)c;
	return false;
#endif
}

static void
codec_restore(struct wd_comp_sw_stream *c, const void *snap)
{
#if WD_HAVE_ISAL
	memcpy(c->inf, snap, sizeof(*c->inf));
#else
	(void)c;
	(void)snap;
#endif
}

/*
 * All of a member's data is out and only its trailer is awaited (ISA-L,
 * which checks the trailer itself; with zlib the phase is PH_TRL then).
 */
static bool
codec_data_done(const struct wd_comp_sw_stream *c)
{
#if WD_HAVE_ISAL
	if (c->codec == WD_COMP_SW_ISAL)
		return c->inf->block_state > ISAL_BLOCK_INPUT_DONE;
#endif
	(void)c;
	return false;
}

/* Does the codec verify the trailer itself (ISA-L) or do we (zlib)? */
static bool
codec_checks_trailer(const struct wd_comp_sw_stream *c)
{
	return c->codec == WD_COMP_SW_ISAL;
}

/* Member checksum of the codec (decompression). */
static uint32_t
codec_member_sum(const struct wd_comp_sw_stream *c)
{
#if WD_HAVE_ISAL
	if (c->codec == WD_COMP_SW_ISAL) {
		const struct inflate_state *inf = c->inf;

		/*
		 * ISA-L keeps Adler-32's low half one short (it starts from 0)
		 * until all output of the last block is out: then, at the step
		 * to ISAL_BLOCK_FINISH, it finalises the sum, which stays final
		 * while the trailer is awaited (ISAL_CHECKSUM_CHECK). Before,
		 * the value so far is that plus 1.
		 */
		if (inf->crc_flag == ISAL_ZLIB_NO_HDR_VER &&
		    inf->block_state <= ISAL_BLOCK_INPUT_DONE)
			return (inf->crc & 0xffff0000u) | (((inf->crc & 0xffffu) + 1) % 65521u);
		return inf->crc;
	}
#endif
	return c->msum;
}

/* Reset the framing for a new stream. */
static void
ctx_restart(struct wd_comp_sw_stream *c, const struct wd_comp_xf *xf, bool keep_cum)
{
	c->phase = PH_IDLE;
	c->started = false;
	c->pend_len = 0;
	c->pend_off = 0;
	c->trl_len = 0;
	c->misize = 0;
	c->msum = wd_comp_chksum_init(xf->alg);
	if (!keep_cum) {
		c->crc = 0;
		c->adler = 1;
		c->cum_crc = wd_comp_chksum_init(xf->alg);	/* Adler-32 of nothing is 1 */
		c->cum_len = 0;
	}
}

static void
general_compress(struct wd_comp_sw_stream *c, const struct wd_comp_xf *xf, bool stateless,
		 const struct wd_comp_buf *src, const struct wd_comp_buf *dst, uint8_t flush,
		 uint64_t in_chksum, struct wd_comp_res *res)
{
	struct sw_cur in, out;
	uint32_t consumed = 0, produced = 0;
	int stall = 0;

	if (stateless) {
		if (xf->level == WD_COMP_LEVEL_NONE) {
			stored_write(xf, src, dst, flush, in_chksum, res);
			return;
		}
		ctx_restart(c, xf, false);
		chksum_seed(xf, in_chksum, &c->crc, &c->adler);
	} else if (c->phase == PH_END) {
		if (src->len == 0) {
			/* nothing after the end of a stream: a no-op (zlib's Z_STREAM_END) */
			res->status = WD_COMP_OP_SUCCESS;
			res->consumed = 0;
			res->produced = 0;
			res->chksum = chksum_pack(xf, c->crc, c->adler);
			return;
		}
		ctx_restart(c, xf, false); /* the previous stream ended: start a new one */
	}
	cur_init(&in, src);
	cur_init(&out, dst);
	if (c->phase == PH_IDLE) {
		if (codec_start(c, xf) < 0) {
			res->status = WD_COMP_OP_ERROR;
			return;
		}
		c->pend_len = (uint8_t)wd_comp_hdr_write(xf->alg, hdr_level_of(xf), xf->window_log,
							 c->pend, sizeof(c->pend));
		c->pend_off = 0;
		c->phase = PH_BODY;
	}
	for (;;) {
		uint32_t used = 0, made = 0;
		uint8_t f;
		int ret;

		/* header or trailer bytes first */
		while (c->pend_off < c->pend_len && out.left > 0) {
			uint32_t n = RTE_MIN((uint32_t)(c->pend_len - c->pend_off), out.seg);

			memcpy(out.p, c->pend + c->pend_off, n);
			c->pend_off = (uint8_t)(c->pend_off + n);
			produced += n;
			cur_adv(&out, n);
		}
		if (c->pend_off < c->pend_len)
			goto out_of_space;
		if (c->phase == PH_TRL) {
			c->phase = PH_END;
			break;
		}
		if (out.left == 0) {
			if (in.left == 0 && flush == WD_COMP_FLUSH_NONE)
				break; /* nothing asked beyond taking the input */
			goto out_of_space;
		}
		/* the op's flush applies with its last input bytes */
		f = in.seg == in.left ? flush : WD_COMP_FLUSH_NONE;
		ret = codec_deflate(c, in.p, in.seg, out.p, out.seg, f, &used, &made);
		if (ret == CC_ERR) {
			res->status = WD_COMP_OP_ERROR;
			goto fail;
		}
		if (used > 0) {
			chksum_run(xf, &c->crc, &c->adler, in.p, used);
			c->misize += used;
		}
		consumed += used;
		produced += made;
		cur_adv(&in, used);
		cur_adv(&out, made);
		if (used > 0 || made > 0) {
			c->started = true;
			stall = 0;
		} else if (++stall > 2) {
			WD_COMP_LOG(ERR, "software engine: deflate makes no progress");
			res->status = WD_COMP_OP_ERROR;
			goto fail;
		}
		if (ret == CC_END && in.left == 0) {
			if (flush != WD_COMP_FLUSH_FINAL)
				break;
			c->pend_len = (uint8_t)wd_comp_trailer_write(xf->alg,
				xf->alg == WD_COMP_ALG_ZLIB ? c->adler : c->crc, c->misize,
				c->pend);
			c->pend_off = 0;
			c->phase = PH_TRL;
		}
	}
	res->status = WD_COMP_OP_SUCCESS;
	res->consumed = consumed;
	res->produced = produced;
	res->chksum = chksum_pack(xf, c->crc, c->adler);
	return;
out_of_space:
	if (stateless) {
		/* stored blocks fit where the codec's output did not? */
		ctx_restart(c, xf, false);
		stored_write(xf, src, dst, flush, in_chksum, res);
		return;
	}
	res->status = WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE;
	res->consumed = consumed;
	res->produced = produced;
	res->chksum = chksum_pack(xf, c->crc, c->adler);
	return;
fail:
	res->consumed = 0;
	res->produced = 0;
	if (!stateless)
		ctx_restart(c, xf, false); /* a failed stream starts again from scratch */
}

/* Finish a member (decompression): fold its checksum into the running one. */
static void
member_done(struct wd_comp_sw_stream *c, const struct wd_comp_xf *xf)
{
	uint32_t s = codec_member_sum(c);

	if (xf->alg == WD_COMP_ALG_GZIP) {
		c->cum_crc = c->cum_len == 0 ? s :
			     (uint32_t)crc32_combine(c->cum_crc, s, (z_off_t)c->misize);
		c->cum_len += c->misize;
	} else if (xf->alg == WD_COMP_ALG_ZLIB) {
		c->cum_crc = s;
	}
	c->phase = PH_END;
}

/* Output checksum of a decompression so far. */
static uint64_t
decomp_chksum(const struct wd_comp_sw_stream *c, const struct wd_comp_xf *xf)
{
	if (xf->alg == WD_COMP_ALG_DEFLATE)
		return chksum_pack(xf, c->crc, c->adler);
	if (c->phase == PH_BODY || c->phase == PH_TRL) {
		uint32_t s = codec_member_sum(c);

		if (xf->alg == WD_COMP_ALG_GZIP && c->cum_len > 0)
			return (uint32_t)crc32_combine(c->cum_crc, s, (z_off_t)c->misize);
		return s;
	}
	return c->cum_crc;
}

static void
general_decompress(struct wd_comp_sw_stream *c, const struct wd_comp_xf *xf, bool stateless,
		   const struct wd_comp_buf *src, const struct wd_comp_buf *dst, uint8_t flush,
		   uint64_t in_chksum, struct wd_comp_res *res)
{
	struct sw_cur in, out;
	uint32_t consumed = 0, produced = 0, tlen = (uint32_t)wd_comp_trailer_len(xf->alg);
	uint8_t no_room;
	void *snap;
	int stall = 0;
	bool stop = false, final = stateless || flush == WD_COMP_FLUSH_FINAL;

	if (stateless) {
		ctx_restart(c, xf, false);
		chksum_seed(xf, in_chksum, &c->crc, &c->adler);
	}
	cur_init(&in, src);
	cur_init(&out, dst);
	if (c->phase == PH_END) {
		/*
		 * gzip: a new member (1f 8b) continues the data, anything else is
		 * trailing data (not consumed); zlib/deflate: a new stream.
		 */
		if (in.left == 0 || (xf->alg == WD_COMP_ALG_GZIP && !cur_gzip_magic(&in) &&
				     !(final && cur_lone_1f(&in))))
			goto done;
		ctx_restart(c, xf, xf->alg == WD_COMP_ALG_GZIP);
	}
	if (c->phase == PH_IDLE) {
		wd_comp_hdr_parser_init(&c->hp, xf->alg);
		c->phase = PH_HDR;
	}
	while (!stop) {
		uint32_t used = 0, made = 0, back = 0;
		int ret;

		switch (c->phase) {
		case PH_HDR: {
			size_t u = 0;

			if (in.left == 0) {
				stop = true;
				break;
			}
			ret = wd_comp_hdr_parse(&c->hp, in.p, in.seg, &u);
			consumed += (uint32_t)u;
			cur_adv(&in, (uint32_t)u);
			c->started = true;
			if (ret == WD_HDR_ERR_DICT || ret == WD_HDR_ERR_DATA) {
				res->status = ret == WD_HDR_ERR_DICT ? WD_COMP_OP_ERR_DICT :
								       WD_COMP_OP_ERR_DATA;
				goto fail;
			}
			if (ret == WD_HDR_DONE) {
				if (codec_start(c, xf) < 0) {
					res->status = WD_COMP_OP_ERROR;
					goto fail;
				}
				c->msum = wd_comp_chksum_init(xf->alg);
				c->misize = 0;
				c->phase = PH_BODY;
			}
			break;
		}
		case PH_BODY:
			if (out.left == 0 && in.left == 0) {
				stop = true;
				break;
			}
			/* no room left: a codec may still end the stream (zlib wants a pointer) */
			snap = NULL;
			if (out.left == 0) {
				/*
				 * Decoded output waits: no call without room can end the
				 * stream (it would be undone); nor can a call be made
				 * without a copy to undo it with (no memory): take
				 * nothing more, the caller comes back with room.
				 */
				if (codec_out_pending(c)) {
					stop = true;
					break;
				}
				snap = codec_snapshot(c);
				if (snap == NULL && c->codec == WD_COMP_SW_ISAL) {
					stop = true;
					break;
				}
			}
			ret = codec_inflate(c, in.p, in.seg, out.seg > 0 ? out.p : &no_room,
					    out.seg, &used, &made, &back);
			if (snap != NULL) {
				/*
				 * Without room the stream did not end and output is waiting
				 * (the codec stopped short of its input, or holds decoded
				 * bytes): what it read (ISA-L reads up to 8 bytes ahead) may
				 * lie past the end of the stream; take nothing, the caller
				 * comes back with room. A call that only took input (an
				 * end-of-block code, a trailer fed a byte at a time) stays.
				 */
				if (ret == CC_OK && (used < in.seg || codec_out_pending(c))) {
					codec_restore(c, snap);
					used = 0;
					made = 0;
				}
				rte_free(snap);
			}
			if (made > 0) {
				if (xf->alg == WD_COMP_ALG_DEFLATE)
					chksum_run(xf, &c->crc, &c->adler, out.p, made);
				else if (!codec_checks_trailer(c))
					c->msum = wd_comp_chksum_update(xf->alg, c->msum, out.p,
									made);
				c->misize += made;
			}
			consumed += used;
			produced += made;
			cur_adv(&in, used);
			cur_adv(&out, made);
			if (unlikely(back > 0)) {
				/* read ahead from earlier segments of this op: theirs again */
				consumed -= RTE_MIN(back, consumed);
				cur_seek(&in, src, consumed);
			}
			if (used > 0 || made > 0) {
				c->started = true;
				stall = 0;
			}
			if (ret == CC_ERR_DATA || ret == CC_ERR_CHECKSUM || ret == CC_ERR) {
				res->status = ret == CC_ERR_DATA ? WD_COMP_OP_ERR_DATA :
					      ret == CC_ERR_CHECKSUM ? WD_COMP_OP_ERR_CHECKSUM :
					      WD_COMP_OP_ERROR;
				goto fail;
			}
			if (ret == CC_END) {
				if (codec_checks_trailer(c) || tlen == 0) {
					member_done(c, xf);
				} else {
					c->trl_len = 0;
					c->phase = PH_TRL;
				}
				break;
			}
			if (used == 0 && made == 0) {
				/* out of input, or of output */
				if (in.left == 0 || out.left == 0) {
					stop = true;
				} else if (++stall > 2) {
					WD_COMP_LOG(ERR, "software engine: inflate stalls");
					res->status = WD_COMP_OP_ERROR;
					goto fail;
				}
			}
			break;
		case PH_TRL: {
			uint32_t n;

			if (in.left == 0) {
				stop = true;
				break;
			}
			n = RTE_MIN(in.seg, tlen - c->trl_len);
			memcpy(c->trl + c->trl_len, in.p, n);
			c->trl_len = (uint8_t)(c->trl_len + n);
			consumed += n;
			cur_adv(&in, n);
			if (c->trl_len == tlen) {
				if (wd_comp_trailer_check(xf->alg, c->trl, c->msum,
							  c->misize) != 0) {
					res->status = WD_COMP_OP_ERR_CHECKSUM;
					goto fail;
				}
				member_done(c, xf);
			}
			break;
		}
		case PH_END:
			/*
			 * gzip: a new member may follow in the same input (1f 8b; a
			 * lone 1f at the end of a FINAL op is a member cut short, as
			 * gzip says "unexpected end of file")
			 */
			if (xf->alg == WD_COMP_ALG_GZIP &&
			    (cur_gzip_magic(&in) || (final && cur_lone_1f(&in)))) {
				ctx_restart(c, xf, true);
				c->started = true;
				wd_comp_hdr_parser_init(&c->hp, xf->alg);
				c->phase = PH_HDR;
				break;
			}
			stop = true;
			break;
		default:
			res->status = WD_COMP_OP_ERROR;
			goto fail;
		}
	}
	if (c->phase != PH_END) {
		/* the stream has not ended */
		if (stateless) {
			/* out of room while data was still to come; else cut short */
			res->status = out.left == 0 && c->phase == PH_BODY && !codec_data_done(c) ?
				      WD_COMP_OP_OUT_OF_SPACE_TERMINATED : WD_COMP_OP_ERR_DATA;
			goto fail;
		}
		if (out.left == 0 && c->phase == PH_BODY) {
			res->status = WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE;
			/*
			 * Only an op that produced something: one that did not
			 * (no room at all, or bytes of a trailer awaited) must
			 * keep what it took, or a caller feeding a few bytes
			 * per op would go round for ever.
			 */
			if (produced > 0)
				consumed -= codec_unread(c, consumed);
			res->consumed = consumed;
			res->produced = produced;
			res->chksum = decomp_chksum(c, xf);
			return;
		}
		/*
		 * A FINAL op promises the end of the stream (as zlib's Z_FINISH):
		 * all of its input is taken and the end did not come. With
		 * FLUSH_NONE/SYNC, more input is simply awaited.
		 */
		if (flush == WD_COMP_FLUSH_FINAL) {
			res->status = WD_COMP_OP_ERR_DATA;
			goto fail;
		}
	}
done:
	res->status = WD_COMP_OP_SUCCESS;
	res->flags = !stateless && c->phase == PH_END ? WD_COMP_OP_F_STREAM_END : 0;
	res->consumed = consumed;
	res->produced = produced;
	res->chksum = decomp_chksum(c, xf);
	return;
fail:
	res->consumed = 0;
	res->produced = 0;
	if (!stateless)
		ctx_restart(c, xf, false);
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */
/* ------------------------------------------------------------------ */

void
wd_comp_sw_run(struct wd_comp_sw_qp *sq, struct wd_comp_sw_stream *ss,
	       const struct wd_comp_xf *xf, const struct wd_comp_buf *src,
	       const struct wd_comp_buf *dst, uint8_t flush, uint64_t in_chksum,
	       struct wd_comp_res *res)
{
	struct wd_comp_sw_stream *c = ss;

	res->status = WD_COMP_OP_ERROR;
	res->flags = 0;
	res->consumed = 0;
	res->produced = 0;
	res->chksum = 0;
	res->debug = 0;
	if (ss == NULL) {
		if (sq == NULL)
			return;
#if WD_HAVE_ISAL
		if (src->type == WD_COMP_BUF_FLAT && dst->type == WD_COMP_BUF_FLAT &&
		    wd_comp_sw_codec_of(xf) == WD_COMP_SW_ISAL) {
			if (xf->op == WD_OP_COMPRESS)
				fast_compress(sq, xf, src->addr, src->len, dst->addr, dst->len,
					      flush, in_chksum, res);
			else
				fast_decompress(sq, xf, src->addr, src->len, dst->addr, dst->len,
						in_chksum, res);
			return;
		}
#endif
		c = &sq->ctx;
		c->codec = (uint8_t)wd_comp_sw_codec_of(xf);
	}
	if (xf->op == WD_OP_COMPRESS)
		general_compress(c, xf, ss == NULL, src, dst, flush, in_chksum, res);
	else
		general_decompress(c, xf, ss == NULL, src, dst, flush, in_chksum, res);
}
