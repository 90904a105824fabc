/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ZIP requests: struct wd_comp_msg -> SQE on submit, SQE -> message on
 * completion (reference sections 10 to 12 and 17), and the messages the
 * driver completes itself (validation errors, header-only stream input,
 * the empty final block, output kept back in a stream's bounce buffer).
 *
 * Headers are the driver's: on compression it writes the zlib/gzip header
 * in front of the device's output and gives the device dst + header; on
 * decompression it parses the whole header (every RFC 1950/1952 field,
 * also across stream requests and mbuf segments) and gives the device the
 * deflate data after it. The device writes final blocks and trailers
 * itself on every FINISH request that carries data.
 */
#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "hisi_zip.h"

enum {
	PREP_HW = 0,  /* SQE written: goes to the device */
	PREP_SW,      /* completed by the driver: returned by the next recv */
	PREP_BUSY,    /* out of resources now: stop the burst here */
};

/* The 5-byte empty final stored block. */
static const uint8_t hzip_empty_final[5] = { 0x01, 0x00, 0x00, 0xff, 0xff };

static inline uint32_t
hzip_hdr_len(uint8_t alg)
{
	return alg == WD_COMP_ALG_ZLIB ? WD_ZLIB_HDR_LEN :
	       alg == WD_COMP_ALG_GZIP ? WD_GZIP_HDR_MIN_LEN : 0;
}

/* Window code of dw9 for a window of 2^log bytes (log 12..15). */
static inline uint32_t
hzip_win_code(uint8_t log)
{
	switch (log) {
	case 12:
		return HZIP_WIN_4K;
	case 13:
		return HZIP_WIN_8K;
	case 14:
		return HZIP_WIN_16K;
	default:
		return HZIP_WIN_32K;
	}
}

/* The compression header of a (format, level, window), cached per queue. */
static inline const uint8_t *
hdr_bytes(struct hzip_qp *zq, uint8_t alg, uint8_t level, uint8_t wlog)
{
	typeof(zq->hdr[0]) *c = &zq->hdr[alg];

	if (unlikely(!c->valid || c->level != level || c->wlog != wlog)) {
		wd_comp_hdr_write((enum wd_comp_alg)alg, level, wlog, c->bytes, sizeof(c->bytes));
		c->level = level;
		c->wlog = wlog;
		c->valid = true;
	}
	return c->bytes;
}

/* ---- driver-completed messages ------------------------------------------------- */

void
hzip_sw_push(struct hzip_qp *zq, struct wd_comp_msg *m)
{
	uint32_t pos = zq->sw_head + zq->sw_count;

	if (pos >= zq->sw_size)
		pos -= zq->sw_size;
	zq->swq[pos] = m;
	zq->sw_count++;
}

void
hzip_sw_complete(struct hzip_qp *zq, struct wd_comp_msg *m, uint8_t status)
{
	m->status = status;
	hzip_sw_push(zq, m);
}

/* Stream values in plain form, for messages the driver completes itself. */
static void
stream_report(const struct hzip_stream *st, struct wd_comp_msg *m)
{
	m->checksum = st->hw_started ? hzip_chksum_decode(st->alg, st->checksum) :
		      wd_comp_chksum_init(st->alg);
	m->isize = st->isize;
}

/*
 * Decompression with output still kept back (small rooms): the device's
 * sums cover that output too, so @p m gets those of the output handed out,
 * @p from plus the @p n bytes at @p p.
 */
static void
stream_report_handed_out(struct hzip_stream *st, struct wd_comp_msg *m, uint32_t from,
			 const uint8_t *p, uint32_t n)
{
	if (st->op != WD_OP_DECOMPRESS || st->pend_len == 0)
		return;
	st->pend_chk = wd_comp_chksum_update((enum wd_comp_alg)st->alg, from, p, n);
	m->checksum = st->pend_chk;
	m->isize = st->isize - st->pend_len;
}

static int
prep_fail(struct hzip_qp *zq, struct wd_comp_msg *m, uint8_t status)
{
	m->consumed = 0;
	m->produced = 0;
	m->hw_status = 0;
	if (m->stream == NULL) {
		m->checksum = 0;
		m->isize = 0;
	}
	hzip_sw_complete(zq, m, status);
	return PREP_SW;
}

/* Write @p len bytes at the start of the output buffer (after @p off). */
static void
dst_write(const struct wd_comp_buf *b, uint32_t off, const void *data, uint32_t len)
{
	if (b->type == WD_COMP_BUF_FLAT)
		memcpy((uint8_t *)b->addr + off, data, len);
	else
		hzip_mbuf_write(b->m, b->offset + off, data, len);
}

static inline uint8_t *
stream_bounce(const struct hzip_stream *st)
{
	return st->ctx + HZIP_CTX_SW_OFFSET;
}

/*
 * Hand @p len bytes of driver-made stream output to the caller: what fits
 * in dst now, the rest kept in the stream's bounce buffer (returned by the
 * next requests). @p data may already be the bounce buffer.
 */
static uint8_t
stream_emit(struct hzip_stream *st, struct wd_comp_msg *m, const uint8_t *data, uint32_t len,
	    uint8_t done_status)
{
	uint32_t n = RTE_MIN(len, m->dst.len);

	if (n > 0)
		dst_write(&m->dst, 0, data, n);
	m->produced = n;
	if (n == len) {
		st->pend_len = 0;
		st->pend_off = 0;
		return done_status;
	}
	if (data != stream_bounce(st))
		memcpy(stream_bounce(st), data, len);
	st->pend_off = (uint16_t)n;
	st->pend_len = (uint16_t)(len - n);
	st->pend_status = done_status;
	return WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE;
}

/* Give out output kept in the stream's bounce buffer; no device request. */
static int
stream_drain(struct hzip_qp *zq, struct hzip_stream *st, struct wd_comp_msg *m)
{
	uint32_t n = RTE_MIN((uint32_t)st->pend_len, m->dst.len);
	uint8_t status;

	if (n > 0)
		dst_write(&m->dst, 0, stream_bounce(st) + st->pend_off, n);
	st->pend_off = (uint16_t)(st->pend_off + n);
	st->pend_len = (uint16_t)(st->pend_len - n);
	status = st->pend_len > 0 ? WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE : st->pend_status;
	if (st->pend_len == 0)
		st->pend_off = 0;
	m->consumed = 0;
	m->produced = n;
	m->hw_status = 0;
	stream_report(st, m);
	stream_report_handed_out(st, m, st->pend_chk, stream_bounce(st) + st->pend_off - n, n);
	hzip_sw_complete(zq, m, status);
	return PREP_SW;
}

/*
 * Stream compression with no input: FINAL ends the stream with the empty
 * stored block and the trailer made from the running values (as UADK and
 * KAEzip do); a flush only emits the header if it is still due.
 */
static int
stream_comp_empty(struct hzip_qp *zq, struct hzip_stream *st, struct wd_comp_msg *m)
{
	uint8_t buf[WD_GZIP_HDR_MIN_LEN + sizeof(hzip_empty_final) + WD_GZIP_TRAILER_LEN];
	uint32_t len = 0, chk;
	uint8_t status;

	if (!st->hdr_done)
		len += (uint32_t)wd_comp_hdr_write(st->alg, st->level, st->window_log, buf,
						   sizeof(buf));
	if (m->flush == WD_COMP_FLUSH_FINAL) {
		memcpy(buf + len, hzip_empty_final, sizeof(hzip_empty_final));
		len += sizeof(hzip_empty_final);
		chk = st->hw_started ? hzip_chksum_decode(st->alg, st->checksum) :
		      wd_comp_chksum_init(st->alg);
		len += (uint32_t)wd_comp_trailer_write(st->alg, chk, st->isize, buf + len);
		st->ended = true;
	}
	st->hdr_done = true;
	status = stream_emit(st, m, buf, len, WD_COMP_MSG_OK);
	m->consumed = 0;
	m->hw_status = 0;
	stream_report(st, m);
	hzip_sw_complete(zq, m, status);
	return PREP_SW;
}

/* ---- header parsing over flat or mbuf input ------------------------------------ */

static int
parse_src(struct wd_comp_hdr_parser *p, const struct wd_comp_buf *b, uint32_t *used)
{
	size_t u = 0;
	int ret;

	if (b->type == WD_COMP_BUF_FLAT) {
		ret = wd_comp_hdr_parse(p, b->addr, b->len, &u);
		*used = (uint32_t)u;
		return ret;
	}
	/* mbuf: feed the segments one by one */
	{
		const struct rte_mbuf *s = b->m;
		uint32_t off = b->offset, left = b->len, total = 0, walked = 0;

		/* a cyclic chain of empty segments: a chain too short (HZIP_WALK_MAX) */
		while (s != NULL && off >= s->data_len && ++walked <= HZIP_WALK_MAX) {
			off -= s->data_len;
			s = s->next;
		}
		ret = WD_HDR_MORE;
		for (; s != NULL && left > 0 && ++walked <= HZIP_WALK_MAX; s = s->next, off = 0) {
			uint32_t n = RTE_MIN((uint32_t)s->data_len - off, left);

			if (n == 0)
				continue;
			ret = wd_comp_hdr_parse(p, rte_pktmbuf_mtod_offset(s, const uint8_t *, off),
						n, &u);
			total += (uint32_t)u;
			left -= n;
			if (ret != WD_HDR_MORE)
				break;
		}
		*used = total;
		return ret;
	}
}

static uint8_t
hdr_status(int res)
{
	return res == WD_HDR_ERR_DICT ? WD_COMP_MSG_ERR_DICT : WD_COMP_MSG_ERR_DATA;
}

/* ---- buffers ------------------------------------------------------------------- */

static inline bool
buf_valid(const struct wd_comp_buf *b)
{
	if (b->type == WD_COMP_BUF_FLAT)
		return b->addr != NULL || b->len == 0;
	if (b->type != WD_COMP_BUF_MBUF || b->m == NULL)
		return false;
	return (uint64_t)b->offset + b->len <= b->m->pkt_len;
}

/* What goes into the SQE. */
struct hzip_plan {
	uint32_t in_skip;    /* input bytes before the device's part (parsed header) */
	uint32_t in_len;     /* input bytes for the device */
	uint32_t out_skip;   /* output bytes before the device's part (header) */
	uint32_t hw_room;    /* output room for the device */
	uint32_t room;       /* caller's room after out_skip */
	uint8_t *bounce;     /* device output goes here instead of dst */
	uint32_t dw7;
	uint8_t flags;
	uint16_t hdr_out;
	uint32_t hdr_in;
	uint8_t win;
};

/* An SGL in the slot's block @p first for a buffer; -ENOSPC / -E2BIG / -EINVAL. */
static int
plan_sgl(struct hzip_qp *zq, const struct wd_comp_buf *b, uint32_t skip, uint32_t len,
	 uint8_t *bounce, uint16_t first, uint64_t *addr, uint16_t *blk)
{
	int err = 0;

	if (bounce != NULL)
		*blk = hzip_sgl_build_flat(&zq->sgl, first, bounce, len);
	else if (b->type == WD_COMP_BUF_FLAT && len > 0)
		*blk = hzip_sgl_build_flat(&zq->sgl, first, (const uint8_t *)b->addr + skip, len);
	else if (len == 0)
		/* no data: still one entry with a valid address (10.3), the slot's bounce buffer */
		*blk = hzip_sgl_build_flat(&zq->sgl, first,
					   zq->bounce + (size_t)(first / 2) * HZIP_SLOT_BOUNCE_SIZE,
					   0);
	else
		*blk = hzip_sgl_build(&zq->sgl, first, b->m, b->offset + skip, len, &err);
	if (*blk == HZIP_SGL_NONE)
		return err;
	*addr = hzip_sgl_iova(&zq->sgl, *blk);
	return 0;
}

/* ---- submit -------------------------------------------------------------------- */

/*
 * Write a whole SQE in place, in address order: every dword once (the
 * device wrote its results into the slot last time), no local copy.
 */
static inline void
sqe_fill(struct hzip_sqe *q, uint32_t in_len, uint32_t dw7, uint32_t dw9, uint32_t tag,
	 uint32_t avail, uint64_t src, uint64_t dst, const struct hzip_stream *st)
{
	q->consumed = 0;
	q->produced = 0;
	q->comp_data_length = 0;
	q->dw3 = 0;
	q->input_data_length = in_len;
	q->dw5 = 0;
	q->dw6 = 0;
	q->dw7 = dw7;
	q->dw8 = 0;
	q->dw9 = dw9;
	q->dw10 = 0;
	q->dw11 = 0;
	q->dw12 = 0;
	q->tag = tag;
	q->dest_avail_out = avail;
	q->ctx_dw0 = st != NULL ? st->ctx_dw0 : 0;
	q->comp_head_addr_l = 0;
	q->comp_head_addr_h = 0;
	q->source_addr = src;
	q->dest_addr = dst;
	q->stream_ctx_addr = st != NULL ? wd_dma_iova(st->ctx + HZIP_CTX_HW_OFFSET) : 0;
	q->key1_addr = 0;
	q->key2_addr = 0;
	if (st != NULL) {
		q->ctx_dw1 = st->ctx_dw1;
		q->ctx_dw2 = st->ctx_dw2;
		q->isize = st->isize;
		q->checksum = st->checksum;
	} else {
		q->ctx_dw1 = 0;
		q->ctx_dw2 = 0;
		q->isize = 0;
		q->checksum = 0;
	}
}

/* dw9: request type, buffer type, window. */
static inline uint32_t
sqe_dw9(uint8_t alg, bool sgl, uint8_t win)
{
	return (alg == WD_COMP_ALG_ZLIB ? HZIP_REQ_ZLIB : HZIP_REQ_GZIP) |
	       ((sgl ? HZIP_BUF_SGL : HZIP_BUF_FLAT) << HZIP_BUF_TYPE_SHIFT) |
	       ((uint32_t)win << HZIP_WIN_SHIFT);
}

/* Fill the SQE and the slot for a planned request. */
static int
submit(struct hzip_qp *zq, struct wd_comp_msg *m, struct hzip_stream *st, struct hzip_sqe *sqe,
       struct hzip_slot *sl, uint16_t idx, struct hzip_plan *pl)
{
	bool sgl = m->src.type == WD_COMP_BUF_MBUF || m->dst.type == WD_COMP_BUF_MBUF;
	uint64_t src = 0, dst = 0;
	uint16_t bin = HZIP_SGL_NONE, bout = HZIP_SGL_NONE;
	uint32_t tag;
	int err;

	if (unlikely(sgl)) {
		/* both buffers as SGLs (one buffer type), in the slot's own blocks */
		err = plan_sgl(zq, &m->src, pl->in_skip, pl->in_len, NULL, 2 * idx, &src, &bin);
		if (err == 0) {
			err = plan_sgl(zq, &m->dst, pl->out_skip, pl->hw_room, pl->bounce,
				       2 * idx + 1, &dst, &bout);
			if (err < 0)
				hzip_sgl_release(&zq->sgl, bin);
		}
		if (unlikely(err < 0)) {
			if (err == -ENOSPC)
				return PREP_BUSY;
			return prep_fail(zq, m, err == -E2BIG ? WD_COMP_MSG_ERR_TOO_BIG :
					 WD_COMP_MSG_ERR_INVALID);
		}
	} else {
		dst = pl->bounce != NULL ? wd_dma_iova(pl->bounce) :
		      wd_dma_iova((uint8_t *)m->dst.addr + pl->out_skip);
		/* a zero-length input still needs a valid address (10.3) */
		src = pl->in_len > 0 ? wd_dma_iova((const uint8_t *)m->src.addr + pl->in_skip) :
		      dst;
	}

	sl->gen++;
	tag = ((uint32_t)sl->gen << 16) | idx;
	sl->tag = tag;
	sl->hw_in = pl->in_len;
	sl->hw_out = pl->hw_room;
	sl->room = pl->room;
	sl->hdr_out = pl->hdr_out;
	sl->hdr_in = pl->hdr_in;
	sl->sgl_in = bin;
	sl->sgl_out = bout;
	sl->flags = pl->flags;
	sl->alg = m->alg;
	sqe_fill(sqe, pl->in_len, pl->dw7, sqe_dw9(m->alg, sgl, pl->win), tag, pl->hw_room, src,
		 dst, st);
	if (st != NULL)
		st->busy = true;
	return PREP_HW;
}

/* Write the template's compression header (0, 2 or 10 bytes) at the start of the output. */
static inline void
hdr_put(const struct hzip_qp *zq, const struct wd_comp_msg *m)
{
	const struct wd_comp_buf *b = &m->dst;
	uint8_t *d;

	if (zq->tmpl.hdr_len == 0)
		return;
	if (likely(b->type == WD_COMP_BUF_FLAT))
		d = b->addr;
	else if (likely(b->offset + WD_GZIP_HDR_MIN_LEN <= b->m->data_len))
		d = rte_pktmbuf_mtod_offset(b->m, uint8_t *, b->offset);
	else
		d = NULL;
	/* constant sizes: plain stores */
	if (likely(d != NULL)) {
		if (zq->tmpl.hdr_len == WD_ZLIB_HDR_LEN)
			memcpy(d, zq->tmpl.hdr, WD_ZLIB_HDR_LEN);
		else
			memcpy(d, zq->tmpl.hdr, WD_GZIP_HDR_MIN_LEN);
		return;
	}
	dst_write(b, 0, zq->tmpl.hdr, zq->tmpl.hdr_len);
}

/* Bytes of a message's head a template is keyed on: alg, op, flush, window_log, level. */
#define TMPL_KEY_MASK 0xffffffffffull

static inline uint64_t
tmpl_key(const struct wd_comp_msg *m)
{
	uint64_t k;

	memcpy(&k, m, sizeof(k));
	return k & TMPL_KEY_MASK;
}

/* Check a stateless compression message's head and make it the queue's template. */
static bool
tmpl_make(struct hzip_qp *zq, const struct wd_comp_msg *m, uint64_t key)
{
	uint8_t alg = m->alg, wlog = m->window_log != 0 ? m->window_log : 15;

	if (m->op != WD_OP_COMPRESS || alg >= WD_COMP_ALG_MAX ||
	    m->flush != WD_COMP_FLUSH_FINAL || wlog < 12 || wlog > 15 || m->level > 9)
		return false;
	zq->tmpl.key = key;
	zq->tmpl.hdr_len = (uint8_t)hzip_hdr_len(alg);
	zq->tmpl.dw9 = sqe_dw9(alg, false, (uint8_t)hzip_win_code(wlog));
	zq->tmpl.flags = HZIP_SLOT_FINISH | (alg == WD_COMP_ALG_DEFLATE ? HZIP_SLOT_STRIP : 0);
	if (zq->tmpl.hdr_len > 0)
		memcpy(zq->tmpl.hdr, hdr_bytes(zq, alg, m->level, wlog), zq->tmpl.hdr_len);
	return true;
}

/*
 * The common request: stateless compression with room for the output (no
 * bounce buffer, no clamp), flat buffers or chains of at most one SGL each,
 * all checks of prep() in that case. @return false: prep() handles it (and
 * reports what is wrong).
 */
static inline bool
comp_fast(struct hzip_qp *zq, struct wd_comp_msg *m, struct hzip_sqe *sqe, struct hzip_slot *sl,
	  uint16_t idx)
{
	uint32_t in_len = m->src.len, hdr, room, tag;
	uint16_t bin = HZIP_SGL_NONE, bout = HZIP_SGL_NONE;
	uint64_t src, dst, key = tmpl_key(m);
	bool sgl;

	if (unlikely(key != zq->tmpl.key) && !tmpl_make(zq, m, key))
		return false;
	hdr = zq->tmpl.hdr_len;
	if (unlikely(m->stream != NULL || in_len == 0 || in_len > HZIP_MAX_LEN ||
		     m->dst.len <= hdr + HZIP_SMALL_OUT || m->dst.len - hdr > HZIP_MAX_LEN))
		return false;
	room = m->dst.len - hdr;
	sgl = m->src.type != WD_COMP_BUF_FLAT || m->dst.type != WD_COMP_BUF_FLAT;
	if (likely(!sgl)) {
		if (unlikely(m->src.addr == NULL || m->dst.addr == NULL))
			return false;
		src = wd_dma_iova(m->src.addr);
		dst = wd_dma_iova((uint8_t *)m->dst.addr + hdr);
	} else {
		int err;

		if (unlikely(!buf_valid(&m->src) || !buf_valid(&m->dst) ||
			     (m->src.type == WD_COMP_BUF_FLAT && m->src.addr == NULL) ||
			     (m->dst.type == WD_COMP_BUF_FLAT && m->dst.addr == NULL)))
			return false;
		/* both buffers as SGLs (one buffer type), in the slot's own blocks */
		bin = m->src.type == WD_COMP_BUF_FLAT ?
		      hzip_sgl_build_flat(&zq->sgl, 2 * idx, m->src.addr, in_len) :
		      hzip_sgl_build(&zq->sgl, 2 * idx, m->src.m, m->src.offset, in_len, &err);
		if (unlikely(bin == HZIP_SGL_NONE))
			return false;
		bout = m->dst.type == WD_COMP_BUF_FLAT ?
		       hzip_sgl_build_flat(&zq->sgl, 2 * idx + 1, (uint8_t *)m->dst.addr + hdr,
					   room) :
		       hzip_sgl_build(&zq->sgl, 2 * idx + 1, m->dst.m, m->dst.offset + hdr, room,
				      &err);
		if (unlikely(bout == HZIP_SGL_NONE)) {
			hzip_sgl_release(&zq->sgl, bin);
			return false;
		}
		src = hzip_sgl_iova(&zq->sgl, bin);
		dst = hzip_sgl_iova(&zq->sgl, bout);
	}
	hdr_put(zq, m);
	sl->gen++;
	tag = ((uint32_t)sl->gen << 16) | idx;
	sl->tag = tag;
	sl->hw_in = in_len;
	sl->hw_out = room;
	sl->room = room;
	sl->hdr_out = (uint16_t)hdr;
	sl->hdr_in = 0;
	sl->flags = zq->tmpl.flags;
	sl->alg = m->alg;
	sl->sgl_in = bin;
	sl->sgl_out = bout;
	sqe_fill(sqe, in_len, HZIP_STREAM_NEW | HZIP_FLUSH_FINISH,
		 zq->tmpl.dw9 | ((sgl ? HZIP_BUF_SGL : HZIP_BUF_FLAT) << HZIP_BUF_TYPE_SHIFT), tag,
		 room, src, dst, NULL);
	return true;
}

static int
prep_comp(struct hzip_qp *zq, struct wd_comp_msg *m, struct hzip_stream *st,
	  struct hzip_sqe *sqe, struct hzip_slot *sl, uint16_t idx)
{
	struct hzip_plan pl;
	uint8_t alg = m->alg;
	uint32_t hdr;

	memset(&pl, 0, sizeof(pl));
	if (st == NULL) {
		uint8_t wlog = m->window_log ? m->window_log : 15;

		/* the level as stream_create() takes it (0 = default, 1..9) */
		if (unlikely(wlog > 15 || wlog < 8 || m->level > 9))
			return prep_fail(zq, m, WD_COMP_MSG_ERR_INVALID);
		if (unlikely(wlog < 12))
			return prep_fail(zq, m, WD_COMP_MSG_ERR_NOTSUP);
		hdr = hzip_hdr_len(alg);
		if (unlikely(m->dst.len < hdr))
			return prep_fail(zq, m, WD_COMP_MSG_OUT_OF_SPACE_TERMINATED);
		if (likely(m->dst.type == WD_COMP_BUF_FLAT)) {
			/* constant sizes: plain stores */
			if (alg == WD_COMP_ALG_ZLIB)
				memcpy(m->dst.addr, hdr_bytes(zq, alg, m->level, wlog),
				       WD_ZLIB_HDR_LEN);
			else if (alg == WD_COMP_ALG_GZIP)
				memcpy(m->dst.addr, hdr_bytes(zq, alg, m->level, wlog),
				       WD_GZIP_HDR_MIN_LEN);
		} else if (hdr > 0) {
			dst_write(&m->dst, 0, hdr_bytes(zq, alg, m->level, wlog), hdr);
		}
		pl.win = (uint8_t)hzip_win_code(wlog);
		pl.out_skip = hdr;
		pl.hdr_out = (uint16_t)hdr;
		pl.room = m->dst.len - hdr;
		pl.in_len = m->src.len;
		pl.dw7 = HZIP_STREAM_NEW | HZIP_FLUSH_FINISH;
		pl.flags = HZIP_SLOT_FINISH;
		if (alg == WD_COMP_ALG_DEFLATE)
			pl.flags |= HZIP_SLOT_STRIP;
		if (unlikely(pl.room <= HZIP_SMALL_OUT)) {
			pl.bounce = zq->bounce + (size_t)idx * HZIP_SLOT_BOUNCE_SIZE;
			pl.hw_room = HZIP_SLOT_BOUNCE_SIZE;
			pl.flags |= HZIP_SLOT_BOUNCE;
		} else if (unlikely(pl.room > HZIP_MAX_LEN)) {
			pl.hw_room = HZIP_MAX_LEN;
			pl.flags |= HZIP_SLOT_CLAMPED;
		} else {
			pl.hw_room = pl.room;
		}
		return submit(zq, m, NULL, sqe, sl, idx, &pl);
	}

	/* stream */
	if (m->src.len == 0)
		return stream_comp_empty(zq, st, m);
	hdr = st->hdr_done ? 0 : hzip_hdr_len(alg);
	pl.win = (uint8_t)hzip_win_code(st->window_log);
	pl.in_len = m->src.len;
	pl.flags = HZIP_SLOT_STREAM | (hdr ? HZIP_SLOT_HDR : 0);
	pl.dw7 = HZIP_STREAM_STATEFUL | (st->hw_started ? 0 : HZIP_STREAM_NEW);
	if (m->flush == WD_COMP_FLUSH_FINAL) {
		pl.dw7 |= HZIP_FLUSH_FINISH;
		pl.flags |= HZIP_SLOT_FINISH;
		if (alg == WD_COMP_ALG_DEFLATE)
			pl.flags |= HZIP_SLOT_STRIP;
	}
	pl.hdr_out = (uint16_t)hdr;
	if (m->dst.len < hdr + HZIP_SMALL_OUT + 1) {
		/* small output: header and device output go through the bounce buffer */
		uint8_t *b = stream_bounce(st);

		if (hdr > 0)
			wd_comp_hdr_write(alg, st->level, st->window_log, b, hdr);
		pl.bounce = b + hdr;
		pl.hw_room = HZIP_BOUNCE_SIZE - hdr;
		pl.room = m->dst.len;
		pl.flags |= HZIP_SLOT_SBOUNCE;
	} else {
		if (hdr > 0)
			dst_write(&m->dst, 0, hdr_bytes(zq, alg, st->level, st->window_log), hdr);
		pl.out_skip = hdr;
		pl.room = m->dst.len - hdr;
		pl.hw_room = RTE_MIN(pl.room, HZIP_MAX_LEN);
	}
	/* keep output >= input x 9/8, as UADK does: shrink the input, no finish */
	if ((uint64_t)pl.hw_room < (((uint64_t)pl.in_len * 9 + 7) >> 3)) {
		pl.in_len = (uint32_t)(((uint64_t)pl.hw_room << 3) / 9) & ~3u;
		pl.dw7 &= ~HZIP_FLUSH_FINISH;
		pl.flags &= (uint8_t)~(HZIP_SLOT_FINISH | HZIP_SLOT_STRIP);
		pl.flags |= HZIP_SLOT_SHRUNK;
	}
	return submit(zq, m, st, sqe, sl, idx, &pl);
}

static int
prep_decomp(struct hzip_qp *zq, struct wd_comp_msg *m, struct hzip_stream *st,
	    struct hzip_sqe *sqe, struct hzip_slot *sl, uint16_t idx)
{
	struct hzip_plan pl;
	uint32_t used = 0;
	int res;

	memset(&pl, 0, sizeof(pl));
	pl.win = HZIP_WIN_32K;
	if (st == NULL) {
		struct wd_comp_hdr_parser p;

		wd_comp_hdr_parser_init(&p, (enum wd_comp_alg)m->alg);
		res = parse_src(&p, &m->src, &used);
		if (unlikely(res != WD_HDR_DONE))
			return prep_fail(zq, m, res == WD_HDR_MORE ? WD_COMP_MSG_ERR_DATA :
					 hdr_status(res));
		if (unlikely(used >= m->src.len))
			/* nothing after the header: truncated */
			return prep_fail(zq, m, WD_COMP_MSG_ERR_DATA);
		pl.dw7 = HZIP_STREAM_NEW | HZIP_FLUSH_FINISH;
		pl.flags = HZIP_SLOT_FINISH;
	} else {
		if (!st->hdr_done) {
			st->parser_next = st->parser;
			res = parse_src(&st->parser_next, &m->src, &used);
			if (res == WD_HDR_ERR_DATA || res == WD_HDR_ERR_DICT) {
				st->broken = true;
				m->consumed = used;
				m->produced = 0;
				m->hw_status = 0;
				stream_report(st, m);
				hzip_sw_complete(zq, m, hdr_status(res));
				return PREP_SW;
			}
			if (res == WD_HDR_MORE || used == m->src.len) {
				/* header-only input: no device request */
				st->parser = st->parser_next;
				st->hdr_done = res == WD_HDR_DONE;
				m->consumed = used;
				m->produced = 0;
				m->hw_status = 0;
				stream_report(st, m);
				hzip_sw_complete(zq, m, WD_COMP_MSG_OK);
				return PREP_SW;
			}
			pl.flags = HZIP_SLOT_HDR;
		}
		if (m->src.len - used == 0 && !st->hw_started) {
			m->consumed = 0;
			m->produced = 0;
			m->hw_status = 0;
			stream_report(st, m);
			hzip_sw_complete(zq, m, WD_COMP_MSG_OK);
			return PREP_SW;
		}
		pl.flags |= HZIP_SLOT_STREAM;
		pl.dw7 = HZIP_STREAM_STATEFUL | (st->hw_started ? 0 : HZIP_STREAM_NEW);
		if (m->flush == WD_COMP_FLUSH_FINAL) {
			pl.dw7 |= HZIP_FLUSH_FINISH;
			pl.flags |= HZIP_SLOT_FINISH;
		}
	}
	pl.in_skip = used;
	pl.hdr_in = used;
	pl.in_len = m->src.len - used;
	pl.room = m->dst.len;
	if (unlikely(pl.room <= HZIP_SMALL_OUT)) {
		if (st != NULL) {
			pl.bounce = stream_bounce(st);
			pl.hw_room = HZIP_BOUNCE_SIZE;
			pl.flags |= HZIP_SLOT_SBOUNCE;
		} else {
			pl.bounce = zq->bounce + (size_t)idx * HZIP_SLOT_BOUNCE_SIZE;
			pl.hw_room = HZIP_SLOT_BOUNCE_SIZE;
			pl.flags |= HZIP_SLOT_BOUNCE;
		}
	} else if (unlikely(pl.room > HZIP_MAX_LEN)) {
		pl.hw_room = HZIP_MAX_LEN;
		pl.flags |= HZIP_SLOT_CLAMPED;
	} else {
		pl.hw_room = pl.room;
	}
	return submit(zq, m, st, sqe, sl, idx, &pl);
}

/* Validate a message and turn it into an SQE (or complete it here). */
static inline int
prep(struct hzip_qp *zq, struct wd_comp_msg *m, struct hzip_sqe *sqe, struct hzip_slot *sl,
     uint16_t idx)
{
	struct hzip_stream *st = m->stream;

	if (unlikely(zq->dead))
		return prep_fail(zq, m, WD_COMP_MSG_ERR_DEVICE);
	if (unlikely(m->op != zq->op || m->alg >= WD_COMP_ALG_MAX ||
		     m->flush > WD_COMP_FLUSH_FINAL || !buf_valid(&m->src) ||
		     !buf_valid(&m->dst)))
		return prep_fail(zq, m, WD_COMP_MSG_ERR_INVALID);
	if (unlikely(m->alg == WD_COMP_ALG_DEFLATE && m->op == WD_OP_DECOMPRESS))
		/* not in v2 hardware: the library routes it to software */
		return prep_fail(zq, m, WD_COMP_MSG_ERR_NOTSUP);
	if (unlikely(m->src.len > HZIP_MAX_LEN))
		return prep_fail(zq, m, WD_COMP_MSG_ERR_TOO_BIG);
	if (likely(st == NULL)) {
		/* a stateless request is a whole stream */
		if (unlikely(m->flush != WD_COMP_FLUSH_FINAL))
			return prep_fail(zq, m, WD_COMP_MSG_ERR_INVALID);
	} else {
		if (unlikely(st->magic != HZIP_STREAM_MAGIC || st->dev != zq->qm->dev ||
			     st->alg != m->alg || st->op != m->op || st->busy || st->broken))
			return prep_fail(zq, m, WD_COMP_MSG_ERR_INVALID);
		if (st->pend_len > 0)
			return stream_drain(zq, st, m);
		if (unlikely(st->ended))
			return prep_fail(zq, m, WD_COMP_MSG_ERR_INVALID);
	}
	if (m->op == WD_OP_COMPRESS)
		return prep_comp(zq, m, st, sqe, sl, idx);
	return prep_decomp(zq, m, st, sqe, sl, idx);
}

/*
 * Ring the SQ doorbell for every SQE written; date the slots from the last
 * doorbell up to @p dated (those after it were dated when written).
 */
static inline void
ring(struct hzip_qp *zq, uint16_t dated, uint64_t now)
{
	struct hisi_qp *qp = &zq->qp;

	/* no doorbell for a function being reset: recover fails these requests */
	if (qp->sq_tail == zq->rung || unlikely(qp->epoch != hisi_qm_epoch(zq->qm)))
		return;
	for (uint16_t i = zq->rung; i != dated; i = i + 1 == qp->depth ? 0 : i + 1)
		zq->slots[i].tsc = now;
	zq->rung = qp->sq_tail;
	hzip_sgl_fence(&zq->sgl);
	hisi_qp_ring_sq(qp);
}

void
hzip_ring(struct hzip_qp *zq)
{
	struct hisi_qp *qp = &zq->qp;

	/*
	 * One timer read per doorbell, not per request: a request's deadline
	 * starts when the device is told about it.
	 */
	if (qp->sq_tail != zq->rung)
		ring(zq, qp->sq_tail, rte_get_timer_cycles());
}

/* Segments of each chain prefetched ahead of the SGL builds, and chains per pass. */
#define HZIP_PREFETCH_SEGS  4
#define HZIP_PREFETCH_CHAINS 64

static inline void
prefetch_mbuf(const struct rte_mbuf *m)
{
	/* data_len, buf_iova, data_off in the first line; next in the second */
	rte_prefetch0(m);
	rte_prefetch0((const uint8_t *)m + RTE_CACHE_LINE_SIZE);
}

/*
 * Walking a chain is a series of dependent loads (each segment's next): the
 * headers of the burst's chains are fetched level by level, so that their
 * misses overlap instead of queueing one after the other.
 */
static void
prefetch_chains(void **reqs, uint16_t n)
{
	const struct rte_mbuf *cur[HZIP_PREFETCH_CHAINS];
	unsigned int nc = 0;

	for (uint16_t i = 0; i < n && nc + 2 <= HZIP_PREFETCH_CHAINS; i++) {
		const struct wd_comp_msg *m = reqs[i];

		if (m->src.type == WD_COMP_BUF_MBUF && m->src.m != NULL)
			cur[nc++] = m->src.m;
		if (m->dst.type == WD_COMP_BUF_MBUF && m->dst.m != NULL)
			cur[nc++] = m->dst.m;
	}
	for (unsigned int lvl = 0; lvl < HZIP_PREFETCH_SEGS && nc > 0; lvl++) {
		unsigned int k = 0;

		for (unsigned int j = 0; j < nc; j++) {
			const struct rte_mbuf *s = lvl == 0 ? cur[j] : cur[j]->next;

			if (s == NULL)
				continue;
			prefetch_mbuf(s);
			cur[k++] = s;
		}
		nc = k;
	}
}

uint16_t
hzip_send(void *qpriv, void **reqs, uint16_t n, bool doorbell)
{
	struct hzip_qp *zq = qpriv;
	struct hisi_qp *qp = &zq->qp;
	uint32_t avail;
	uint16_t i, idx, first, hw = 0;
	uint64_t now, stamp;
	bool chains, walk, fast;

	/* a reset in progress: nothing goes in until it is over */
	if (unlikely(!hzip_qp_current(zq)))
		return 0;
	avail = zq->cap - zq->inflight - zq->sw_count - qp->cq_unacked;
	if (unlikely(n > avail) && qp->cq_unacked > 0 &&
	    likely(qp->epoch == hisi_qm_epoch(zq->qm))) {
		/* give the device its CQ entries back before using the room */
		hisi_qp_ring_cq(qp, false);
		avail = zq->cap - zq->inflight - zq->sw_count;
	}
	if (n > avail)
		n = (uint16_t)avail;
	if (unlikely(n == 0))
		return 0;
	/*
	 * The SQE slots and the output headers were last written by the device:
	 * ask for all of their lines at once, so that the transfers overlap.
	 * (The messages and the slots are the caller's and ours, written lately:
	 * asking for them too only cost time, measured.)
	 */
	for (i = 0, idx = qp->sq_tail, chains = false, walk = false; i < n; i++) {
		const struct wd_comp_msg *m = reqs[i];

		rte_prefetch0_write(hzip_sqe_at(zq, idx));
		rte_prefetch0_write((uint8_t *)hzip_sqe_at(zq, idx) + 64);
		if (likely(m->dst.type == WD_COMP_BUF_FLAT && m->src.type == WD_COMP_BUF_FLAT)) {
			/* where a compression header goes; decompression writes nothing there */
			if (m->op == WD_OP_COMPRESS)
				rte_prefetch0_write(m->dst.addr);
		} else {
			const struct rte_mbuf *d = m->dst.m;

			hzip_sgl_prefetch(&zq->sgl, 2 * idx);
			hzip_sgl_prefetch(&zq->sgl, 2 * idx + 1);
			/* the line a compression header goes to (last written by the device) */
			if (m->dst.type == WD_COMP_BUF_FLAT)
				rte_prefetch0_write(m->dst.addr);
			else if (m->dst.type == WD_COMP_BUF_MBUF && d != NULL &&
				 m->dst.offset < d->data_len)	/* not checked yet: no other type */
				rte_prefetch0_write(rte_pktmbuf_mtod_offset(d, const uint8_t *,
									m->dst.offset));
			chains = true;
			/* headers the submitter has just read are in cache already */
			if (!(m->hints & WD_COMP_MSG_H_CHAINS_WALKED))
				walk = true;
		}
		idx = idx + 1 == qp->depth ? 0 : idx + 1;
	}
	if (unlikely(chains)) {
		if (walk)
			prefetch_chains(reqs, n);
		zq->sgl_used = zq->op == WD_OP_COMPRESS;
	}
	/*
	 * Requests rung at the end of this call are dated now (one timer read
	 * per burst: a deadline starts when the device is told); the others by
	 * the doorbell that hands them over.
	 */
	now = doorbell ? rte_get_timer_cycles() : 0;
	stamp = doorbell ? now : UINT64_MAX;
	first = idx = qp->sq_tail;
	fast = zq->op == WD_OP_COMPRESS && likely(!zq->dead);
	for (i = 0; i < n; i++) {
		struct wd_comp_msg *m = reqs[i];
		struct hzip_slot *sl = &zq->slots[idx];
		struct hzip_sqe *sqe = hzip_sqe_at(zq, idx);
		int r;

		/* a completion out of order may leave the slot at the tail busy */
		if (unlikely(sl->msg != NULL))
			break;
		if (likely(fast && comp_fast(zq, m, sqe, sl, idx)))
			r = PREP_HW;
		else
			r = prep(zq, m, sqe, sl, idx);
		if (likely(r == PREP_HW)) {
			sl->msg = m;
			sl->tsc = stamp;
			sl->seq = zq->seq_tail + hw;
			idx = idx + 1 == qp->depth ? 0 : idx + 1;
			hw++;
		} else if (unlikely(r == PREP_BUSY)) {
			break;
		}
	}
	qp->sq_tail = idx;
	zq->seq_tail += hw;
	zq->inflight += hw;
	if (hw > 0 && doorbell)
		ring(zq, first, now);
	/*
	 * Callers that send one message per call (lib/wd_comp on a batch queue)
	 * get no overlap from the pass above: start on the next slot's lines
	 * now, while the caller prepares its next message.
	 */
	rte_prefetch0_write(hzip_sqe_at(zq, qp->sq_tail));
	rte_prefetch0_write((uint8_t *)hzip_sqe_at(zq, qp->sq_tail) + 64);
	rte_prefetch0_write(&zq->slots[qp->sq_tail]);
	return i;
}

/* ---- completion ----------------------------------------------------------------- */

/*
 * A status no reference documents. The PF's error registers tell a device
 * fault (DMA outside the IOMMU mappings, ECC: they need a function reset)
 * from bad input; a VF cannot see them.
 */
static uint8_t
undocumented(struct hzip_qp *zq, uint32_t hs)
{
	HZIP_DP_LOG(zq->name, DEBUG, "queue %u: status %#x", zq->qp.qn, hs);
	(void)hs;
	/*
	 * A VF cannot read the error registers: it cannot tell a DMA fault
	 * from bad input, so it does not call the data corrupt (hw_status
	 * keeps the raw value). The documented statuses (0x10, a stateless
	 * stream that does not end) still say ERR_CHECKSUM / ERR_DATA.
	 */
	if (zq->zdev->is_vf)
		return WD_COMP_MSG_ERR_DEVICE;
	/*
	 * Taken after a function reset (another queue's error check got there
	 * first): the reset cleared the registers that would say why
	 */
	if (zq->qp.epoch != hisi_qm_epoch(zq->qm))
		return WD_COMP_MSG_ERR_DEVICE;
	if (hisi_qm_check_errors(zq->qm)) {
		zq->reset_due = true;
		return WD_COMP_MSG_ERR_DEVICE;
	}
	/* no device error on the PF: on decompression the input is what failed */
	return zq->op == WD_OP_DECOMPRESS ? WD_COMP_MSG_ERR_DATA : WD_COMP_MSG_ERR_DEVICE;
}

static void
slot_release(struct hzip_qp *zq, struct hzip_slot *sl)
{
	if (unlikely(sl->sgl_in != HZIP_SGL_NONE)) {
		hzip_sgl_release(&zq->sgl, sl->sgl_in);
		hzip_sgl_release(&zq->sgl, sl->sgl_out);
		sl->sgl_in = HZIP_SGL_NONE;
		sl->sgl_out = HZIP_SGL_NONE;
	}
	sl->msg = NULL;
	zq->inflight--;
}

void
hzip_fail_slot(struct hzip_qp *zq, uint16_t idx, uint8_t status)
{
	struct hzip_slot *sl = &zq->slots[idx];
	struct wd_comp_msg *m = sl->msg;
	struct hzip_stream *st = m->stream;

	slot_release(zq, sl);
	m->consumed = 0;
	m->produced = 0;
	m->hw_status = 0;
	if (st != NULL) {
		st->busy = false;
		st->broken = true;
		stream_report(st, m);
		if (st->reset_pending)
			hzip_stream_init(st);
	}
	hzip_sw_complete(zq, m, status);
}

/* Copy device output from a bounce buffer to the caller's dst (after out_skip). */
static void
bounce_out(struct wd_comp_msg *m, uint32_t off, const uint8_t *b, uint32_t len)
{
	if (len > 0)
		dst_write(&m->dst, off, b, len);
}

/* Finish a stream request; @return the message status. */
static uint8_t
complete_stream(const struct hzip_slot *sl, const struct hzip_sqe *sqe, struct wd_comp_msg *m,
		struct hzip_stream *st, uint8_t status, uint32_t total)
{
	uint32_t before;

	st->busy = false;
	if (unlikely(st->reset_pending)) {
		/* hzip_stream_reset() while this was in flight: done now, the state is dropped */
		stream_report(st, m);
		if (sl->flags & HZIP_SLOT_SBOUNCE)
			m->produced = 0;  /* it went to the stream's bounce buffer */
		hzip_stream_init(st);
		return status;
	}
	if (status == WD_COMP_MSG_OUT_OF_SPACE_TERMINATED || status == WD_COMP_MSG_ERR_TOO_BIG) {
		if (st->hw_started) {
			/*
			 * 0x0e on a continuing stream: whether the device left its
			 * context (history, pending bits) untouched is not known
			 * (section 17.2; only the model says so): the stream is broken.
			 */
			st->broken = true;
			stream_report(st, m);
			return WD_COMP_MSG_ERR_DEVICE;
		}
		/* the first request (new-stream bit): nothing to lose, the caller resubmits */
		stream_report(st, m);
		return status;
	}
	if (status != WD_COMP_MSG_OK && status != WD_COMP_MSG_STREAM_END &&
	    status != WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE) {
		st->broken = true;
		stream_report(st, m);
		return status;
	}
	before = st->hw_started ? hzip_chksum_decode(st->alg, st->checksum) :
				  wd_comp_chksum_init((enum wd_comp_alg)st->alg);
	st->ctx_dw0 = sqe->ctx_dw0;
	st->ctx_dw1 = sqe->ctx_dw1;
	st->ctx_dw2 = sqe->ctx_dw2;
	st->isize = sqe->isize;
	st->checksum = sqe->checksum;
	st->hw_started = true;
	if (sl->flags & HZIP_SLOT_HDR) {
		st->hdr_done = true;
		if (st->op == WD_OP_DECOMPRESS)
			st->parser = st->parser_next;
	}
	if (status == WD_COMP_MSG_STREAM_END ||
	    (st->op == WD_OP_COMPRESS && (sl->flags & HZIP_SLOT_FINISH)))
		st->ended = true;
	stream_report(st, m);
	if (sl->flags & HZIP_SLOT_SBOUNCE) {
		/* header (compress, first request) + device output sit in the bounce buffer */
		uint32_t len = (st->op == WD_OP_COMPRESS ? sl->hdr_out : 0) + total;

		m->produced = 0;
		status = stream_emit(st, m, stream_bounce(st), len, status);
		stream_report_handed_out(st, m, before, stream_bounce(st), m->produced);
	}
	return status;
}

void
hzip_sums_check(struct hzip_qp *zq, bool agree)
{
	if (!agree) {
		HZIP_LOG(zq->name, NOTICE, "queue %u: stateless dw30/dw31 %s the trailer: "
			 "reading trailers from now on", zq->qp.qn,
			 zq->sums_mode == HZIP_SUMS_SQE ? "no longer agree with" :
			 "do not agree with");
		zq->sums_mode = HZIP_SUMS_TRAILER;
		return;
	}
	if (zq->sums_mode == HZIP_SUMS_LEARN && ++zq->sums_agree >= HZIP_SUMS_LEARN_N)
		zq->sums_mode = HZIP_SUMS_SQE;
}

/*
 * Checksum and isize of a stateless compression the device finished: the
 * checksum from the trailer it wrote at the end of its output (before a
 * deflate's trailer is dropped; in the slot's bounce buffer for small
 * outputs), the isize from the input it consumed (no input: the initial
 * values). @return @p status, or ERR_DEVICE when a request with input
 * produced no trailer.
 */
static uint8_t
stateless_comp_sums(struct hzip_qp *zq, uint16_t idx, const struct hzip_slot *sl,
		    struct wd_comp_msg *m, uint8_t status, uint32_t consumed, uint32_t hw_prod)
{
	uint32_t tl = hzip_trailer_len(sl->alg);
	uint8_t t[4];

	if (sl->hw_in == 0) {
		/* nothing in: the initial values, whatever the device wrote */
		m->checksum = wd_comp_chksum_init((enum wd_comp_alg)sl->alg);
		m->isize = 0;
		return status;
	}
	if (unlikely(hw_prod < tl)) {
		HZIP_DP_LOG(zq->name, ERR, "queue %u slot %u: %u bytes of output: no trailer",
			    zq->qp.qn, idx, hw_prod);
		return WD_COMP_MSG_ERR_DEVICE;
	}
	if (sl->flags & HZIP_SLOT_BOUNCE)
		memcpy(t, zq->bounce + (size_t)idx * HZIP_SLOT_BOUNCE_SIZE + hw_prod - tl,
		       sizeof(t));
	else if (sl->sgl_out != HZIP_SGL_NONE ?
		 !hzip_sgl_read(&zq->sgl, sl->sgl_out, hw_prod - tl, t, sizeof(t)) :
		 !hzip_buf_read(&m->dst, sl->hdr_out + hw_prod - tl, t, sizeof(t)))
		return WD_COMP_MSG_ERR_DEVICE;
	m->checksum = hzip_trailer_chksum(sl->alg, t);
	m->isize = consumed;
	return status;
}

/*
 * Checksum and isize of a stateless decompression that reached the end of
 * its stream: the device has checked the input's trailer against the data
 * (0x10 otherwise), so the checksum is read from the input and the isize
 * is what the device produced. The trailer ends at `consumed` (the model
 * counts the trailer in it; section 17.2 leaves it open): for gzip the
 * trailer's ISIZE must match the output, and if it only does just after
 * `consumed`, that is taken and counted as consumed (the other reading).
 * @return @p status, or ERR_DEVICE when no trailer can be found.
 */
static uint8_t
stateless_decomp_sums(struct hzip_qp *zq, uint16_t idx, const struct hzip_slot *sl,
		      struct wd_comp_msg *m, uint8_t status, uint32_t *consumed, uint32_t hw_prod)
{
	uint32_t tl = hzip_trailer_len(sl->alg), end = sl->hdr_in + *consumed;
	uint8_t t[WD_GZIP_TRAILER_LEN];
	bool ok = false;

	if (*consumed >= tl && hzip_buf_read(&m->src, end - tl, t, tl))
		ok = sl->alg == WD_COMP_ALG_ZLIB ||
		     rte_le_to_cpu_32(*(const unaligned_uint32_t *)(t + 4)) == hw_prod;
	if (!ok && sl->alg != WD_COMP_ALG_ZLIB && (uint64_t)end + tl <= m->src.len &&
	    hzip_buf_read(&m->src, end, t, tl) &&
	    rte_le_to_cpu_32(*(const unaligned_uint32_t *)(t + 4)) == hw_prod) {
		*consumed += tl;
		ok = true;
	}
	if (unlikely(!ok)) {
		HZIP_DP_LOG(zq->name, ERR, "queue %u slot %u: stream end without a trailer",
			    zq->qp.qn, idx);
		return WD_COMP_MSG_ERR_DEVICE;
	}
	(void)zq;
	(void)idx;
	m->checksum = hzip_trailer_chksum(sl->alg, t);
	m->isize = hw_prod;
	return status;
}

void
hzip_complete(struct hzip_qp *zq, uint16_t idx)
{
	struct hzip_slot *sl = &zq->slots[idx];
	const struct hzip_sqe *sqe = hzip_sqe_at(zq, idx);
	struct wd_comp_msg *m = sl->msg;
	struct hzip_stream *st = m->stream;
	uint32_t dw3 = sqe->dw3, hs = dw3 & HZIP_STATUS_MASK;
	uint32_t consumed = sqe->consumed, produced = sqe->produced, hw_prod = produced;
	uint8_t flags = sl->flags, status;
	bool good;

	slot_release(zq, sl);
	m->hw_status = (uint16_t)hs;
	m->checksum = hzip_chksum_decode(sl->alg, sqe->checksum);
	m->isize = sqe->isize;

	if (unlikely(consumed > sl->hw_in || produced > sl->hw_out)) {
		HZIP_DP_LOG(zq->name, ERR, "queue %u slot %u: device reports %u/%u bytes for %u/%u",
			    zq->qp.qn, idx, consumed, produced, sl->hw_in, sl->hw_out);
		status = WD_COMP_MSG_ERR_DEVICE;
		consumed = 0;
		produced = 0;
	} else if (zq->op == WD_OP_COMPRESS) {
		if (likely(hs == HZIP_ST_OK || hs == HZIP_ST_NEGACOMPRESS)) {
			status = WD_COMP_MSG_OK;
			if (flags & HZIP_SLOT_STRIP) {
				/* deflate runs as gzip: drop the device's trailer */
				if (unlikely(produced < WD_GZIP_TRAILER_LEN))
					status = WD_COMP_MSG_ERR_DEVICE;
				else
					produced -= WD_GZIP_TRAILER_LEN;
			}
			if (flags & HZIP_SLOT_SHRUNK)
				status = WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE;
		} else if (hs == HZIP_ST_DSTLEN_OUT) {
			status = (flags & HZIP_SLOT_CLAMPED) ? WD_COMP_MSG_ERR_TOO_BIG :
				 WD_COMP_MSG_OUT_OF_SPACE_TERMINATED;
		} else {
			status = undocumented(zq, hs);
		}
	} else {
		/*
		 * End of stream: dw3 bit 8 with 0x13 (UADK's reading, stream mode) or
		 * 0x00 (the kernel's acomp driver accepts nothing else for stateless
		 * decompression on v2): both are taken, as UADK does (doc/hisi_zip.md).
		 */
		if ((dw3 & HZIP_LAST_BLOCK) && (hs == HZIP_ST_DECOMP_END || hs == HZIP_ST_OK)) {
			status = WD_COMP_MSG_STREAM_END;
		} else if (hs == HZIP_ST_OK || hs == HZIP_ST_DECOMP_END ||
			   hs == HZIP_ST_NEGACOMPRESS) {
			uint32_t ctx_st = sqe->ctx_dw0 & HZIP_CTX_ST_MASK;
			bool full = produced >= sl->hw_out || ctx_st == HZIP_CTX_ST_NO_SPACE ||
				    ctx_st == HZIP_CTX_ST_DECOMPING_NO_SPACE;

			if (flags & HZIP_SLOT_STREAM)
				status = full ? WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE :
					 WD_COMP_MSG_OK;
			else
				/* a stateless request must reach the end of the stream */
				status = produced >= sl->hw_out ?
					 ((flags & HZIP_SLOT_CLAMPED) ? WD_COMP_MSG_ERR_TOO_BIG :
					  WD_COMP_MSG_OUT_OF_SPACE_TERMINATED) :
					 WD_COMP_MSG_ERR_DATA;
		} else if (hs == HZIP_ST_CRC_ERR) {
			status = WD_COMP_MSG_ERR_CHECKSUM;
		} else if (hs == HZIP_ST_DSTLEN_OUT) {
			status = (flags & HZIP_SLOT_CLAMPED) ? WD_COMP_MSG_ERR_TOO_BIG :
				 WD_COMP_MSG_OUT_OF_SPACE_TERMINATED;
		} else {
			status = undocumented(zq, hs);
		}
	}

	good = status == WD_COMP_MSG_OK || status == WD_COMP_MSG_STREAM_END ||
	       status == WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE;
	if (unlikely(good && (flags & HZIP_SLOT_BOUNCE))) {
		/* stateless small output: copy it if it fits */
		if (produced > sl->room) {
			status = WD_COMP_MSG_OUT_OF_SPACE_TERMINATED;
			good = false;
		} else {
			bounce_out(m, sl->hdr_out, zq->bounce + (size_t)idx * HZIP_SLOT_BOUNCE_SIZE,
				   produced);
		}
	}
	if (good && st == NULL) {
		/*
		 * stateless: the sums from the trailer (dw30/dw31 are confirmed
		 * in stream mode only)
		 */
		status = zq->op == WD_OP_COMPRESS ?
			 stateless_comp_sums(zq, idx, sl, m, status, consumed, hw_prod) :
			 stateless_decomp_sums(zq, idx, sl, m, status, &consumed, hw_prod);
		good = status != WD_COMP_MSG_ERR_DEVICE;
	}
	if (likely(good)) {
		m->consumed = sl->hdr_in + consumed;
		m->produced = sl->hdr_out + produced;
	} else {
		HZIP_DP_LOG(zq->name, DEBUG, "queue %u slot %u: status %#x -> %u", zq->qp.qn, idx,
			    hs, status);
		m->consumed = 0;
		m->produced = 0;
		if (st == NULL) {
			m->checksum = 0;
			m->isize = 0;
		}
	}
	if (unlikely(st != NULL))
		status = complete_stream(sl, sqe, m, st, status, produced);
	m->status = status;
}
