/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hardware engine: ops become struct wd_comp_msg requests on wd_core
 * queues (one per direction per queue pair: the direction is fixed per
 * hardware queue), and are collected with wd_recv_burst().
 *
 * The fast path (wd_comp_hw_submit_fast(), stateless ops with plain
 * buffers) fills a message from its xform's template and queues it; the
 * end of the burst (wd_comp_hw_flush()) hands each queue its messages with
 * one wd_send_burst(), so that the driver sees the whole burst (and can
 * overlap its cache misses) and rings one doorbell. Everything else goes
 * one message at a time with wd_send() on batch queues (doorbell at the
 * end of the burst). The data path takes no lock and makes no atomic
 * operation per op: the xforms' in-flight counts are settled once per
 * burst.
 *
 * One op may take several messages:
 *  - a stateless op bigger than the device's max_len, or whose output
 *    did not fit one message, runs as an internal stream of pieces (when
 *    the device has stateful mode; otherwise it goes to software);
 *  - a gzip input of several members takes one message (or stream) per
 *    member;
 *  - a stream op larger than max_len is cut into pieces of the stream.
 * Nothing is ever truncated: an op finishes complete, or with an error,
 * or out of space as compressdev defines it.
 *
 * The driver writes and parses zlib/gzip framing and returns checksums in
 * plain form; what it does not give (Adler-32 of raw deflate, the
 * MULTI_PKT seed, gzip multi-member totals) is computed here.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include <zlib.h>

#include "wd_comp_private.h"
#include "wd_drv.h"

/* Messages of one queue sent together at the end of a burst (or when this many wait). */
#define HW_BATCH 64
/* Completions taken from a queue per wd_recv_burst() call. */
#define HW_POLL 32
/* Largest number of completions one poll takes from a queue. */
#define HW_POLL_MAX 256

/* Longest wait of wd_comp_buf_process() for the hardware. */
#define HW_SYNC_TIMEOUT_MS 10000u
/* Largest user buffer bounced through DMA memory by wd_comp_buf_process(). */
#define HW_BOUNCE_MAX (64u << 20)

enum {
	REQ_SINGLE = 0, /* one stateless message (per gzip member) */
	REQ_SPLIT,      /* stateless op run as an internal stream */
	REQ_STREAM,     /* op of a user stream */
};

struct hw_req {
	struct wd_comp_msg msg;        /* what wd_send() gets */
	struct wd_comp_qp *qp;
	struct wd_comp_op *op;         /* NULL: synchronous request */
	const struct wd_comp_xf *xf;
	struct wd_comp_stream *st;     /* user stream */
	struct wd_comp_priv_xform *px; /* stateless op's xform */
	void *ctx;                     /* driver stream context in use (SPLIT, STREAM) */
	struct wd_comp_buf src;        /* the whole op */
	struct wd_comp_buf dst;
	uint32_t in_done;
	uint32_t out_done;
	uint8_t mode;
	uint8_t dir;
	uint8_t flush;                 /* the op's flush */
	bool pending;                  /* message waits for queue room */
	bool done;                     /* synchronous: finished */
	bool orphan;                   /* synchronous caller gave up */
	bool members;                  /* gzip: a member ended in this op */
	/*
	 * Fast path: src/dst are msg's and in_done, out_done, members,
	 * cum_sum, cum_len are 0 until req_settle() writes them (the common
	 * completion never reads them).
	 */
	bool lazy;
	uint64_t in_chksum;
	uint32_t cum_sum;              /* checksum of the members ended in this op */
	uint64_t cum_len;
	struct wd_comp_res res;        /* synchronous result */
	void *bounce_src;
	void *bounce_dst;
	void *user_dst;
	struct hw_req *next;           /* free list / pending list */
};

/* Hardware side of a user stream. */
struct wd_comp_hw_stream {
	void *ctx;          /* driver stream context */
	void (*free_ctx)(void *ctx); /* the driver's stream_free, kept past its device */
	bool started;       /* the context holds state of the current stream */
	bool need_reset;    /* the stream ended or failed: reset before the next op */
	bool ended;         /* the stream ended (not failed): an op without input is a no-op */
	uint64_t end_sum;   /* checksum reported when it ended */
	uint32_t cum_sum;   /* gzip decompression: CRC of the ended members */
	uint64_t cum_len;
	uint32_t adler;     /* raw deflate with Adler-32 asked: computed here */
};

struct hw_dir {
	struct wd_queue *q;
	uint32_t cap;       /* messages the queue holds */
	uint32_t sent;      /* messages with the driver (sent, not received yet) */
	bool dirty;         /* sent without doorbell */
	uint16_t nbatch;    /* fast-path messages waiting for the end of the burst */
	void *batch[HW_BATCH];
};

struct wd_comp_hw_qp {
	struct hw_dir dir[2];
	struct hw_req *reqs;
	uint32_t nreqs;
	struct hw_req *free;
	struct hw_req *pend_head;   /* messages waiting for queue room */
	struct hw_req *pend_tail;
	uint32_t inflight;
	/* in-flight count change of one xform, settled at the end of the call */
	struct wd_comp_priv_xform *px_acc;
	int32_t px_delta;
	/* internal streams for stateless ops that need several messages */
	void *split_ctx[2];
	struct wd_comp_stream_params split_params[2];
	bool split_busy[2];
};

/* ------------------------------------------------------------------ */
/* Capabilities                                                        */
/* ------------------------------------------------------------------ */

bool
wd_comp_hw_supports(const struct wd_comp_dev *dev, const struct wd_comp_xf *xf, bool stateful)
{
	const struct wd_comp_drv_caps *c = &dev->caps;

	if (!dev->hw)
		return false;
	if (xf->op == WD_OP_COMPRESS) {
		if (!((c->algs_comp >> xf->alg) & 1))
			return false;
		if (xf->window_log < c->window_min_log || xf->window_log > c->window_max_log)
			return false;
		/* stored-only output and fixed-Huffman blocks are not hardware modes */
		if (xf->level == WD_COMP_LEVEL_NONE || xf->huffman == WD_COMP_HUFFMAN_FIXED)
			return false;
		return !stateful || c->stateful_comp;
	}
	if (!((c->algs_decomp >> xf->alg) & 1))
		return false;
	return !stateful || c->stateful_decomp;
}

static bool
split_possible(const struct wd_comp_dev *dev, const struct wd_comp_xf *xf)
{
	return xf->op == WD_OP_COMPRESS ? dev->caps.stateful_comp : dev->caps.stateful_decomp;
}

/* ------------------------------------------------------------------ */
/* Queue pairs                                                         */
/* ------------------------------------------------------------------ */

static const char *
queue_alg(const struct wd_comp_dev *d, int dir)
{
	static const struct {
		const char *name;
		int alg;
	} order[] = {{"zlib", WD_COMP_ALG_ZLIB}, {"gzip", WD_COMP_ALG_GZIP},
		     {"deflate", WD_COMP_ALG_DEFLATE}};
	uint32_t bits = dir == WD_OP_COMPRESS ? d->caps.algs_comp : d->caps.algs_decomp;

	for (unsigned int i = 0; i < RTE_DIM(order); i++)
		if ((bits >> order[i].alg) & 1)
			return order[i].name;
	return NULL;
}

static void
hw_qp_free(struct wd_comp_qp *qp, struct wd_comp_hw_qp *hq)
{
	for (int d = 0; d < 2; d++) {
		if (hq->dir[d].q != NULL)
			wd_release_queue(hq->dir[d].q);
		if (hq->split_ctx[d] != NULL && qp->dev->drv_ops->stream_free != NULL)
			qp->dev->drv_ops->stream_free(hq->split_ctx[d]);
	}
	/* requests were abandoned with the queues: the device no longer touches them */
	for (uint32_t i = 0; i < hq->nreqs; i++) {
		if (hq->reqs[i].bounce_src != NULL || hq->reqs[i].bounce_dst != NULL) {
			wd_dma_free(hq->reqs[i].bounce_src);
			wd_dma_free(hq->reqs[i].bounce_dst);
		}
	}
	rte_free(hq->reqs);
	rte_free(hq);
}

int
wd_comp_hw_qp_setup(struct wd_comp_qp *qp, uint32_t depth)
{
	struct wd_comp_dev *d = qp->dev;
	struct wd_dev_info info;
	struct wd_comp_hw_qp *hq;
	uint32_t depth_hw;
	int ret = 0, ok = 0;

	hq = wd_comp_malloc("wd_comp_hw_qp", sizeof(*hq), qp->socket_id, true);
	if (hq == NULL)
		return -ENOMEM;
	/* one request context per op in flight, plus synchronous calls */
	hq->nreqs = depth + 1;
	hq->reqs = wd_comp_malloc("wd_comp_hw_req", sizeof(*hq->reqs) * hq->nreqs, qp->socket_id,
				  true);
	if (hq->reqs == NULL) {
		rte_free(hq);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < hq->nreqs; i++) {
		hq->reqs[i].qp = qp;
		hq->reqs[i].next = hq->free;
		hq->free = &hq->reqs[i];
	}
	/*
	 * Rings just deep enough for every request context of the queue pair
	 * (one slot stays empty): the rings, SGLs and slots the data path
	 * touches stay few and hot instead of spread over the driver's default.
	 */
	ret = wd_dev_info_get(d->wdev, &info);
	if (ret < 0) {
		hw_qp_free(qp, hq);
		return ret;
	}
	depth_hw = rte_align32pow2(hq->nreqs + 1);
	if (info.queue_depth_max != 0 && depth_hw > info.queue_depth_max)
		depth_hw = info.queue_depth_max;
	if (depth_hw > UINT16_MAX)
		depth_hw = 0; /* the driver's default */
	for (int dir = 0; dir < 2; dir++) {
		struct wd_queue_attr attr = {
			.alg = queue_alg(d, dir),
			.op = (enum wd_op_type)dir,
			.depth = (uint16_t)depth_hw,
			.socket_id = qp->socket_id,
			.dev = d->wdev,
			.flags = WD_QUEUE_F_BATCH,
		};

		if (attr.alg == NULL)
			continue;
		ret = wd_request_queue(&hq->dir[dir].q, &attr);
		if (ret == -ENOTSUP) {
			hq->dir[dir].q = NULL;
			continue;
		}
		if (ret < 0) {
			hq->dir[dir].q = NULL;
			break;
		}
		hq->dir[dir].cap = wd_queue_capacity(hq->dir[dir].q);
		ok++;
	}
	if (ret < 0 || ok == 0) {
		hw_qp_free(qp, hq);
		return ret < 0 ? ret : -ENOTSUP;
	}
	qp->hw = hq;
	return 0;
}

void
wd_comp_hw_qp_release(struct wd_comp_qp *qp)
{
	if (qp->hw == NULL)
		return;
	hw_qp_free(qp, qp->hw);
	qp->hw = NULL;
}

uint32_t
wd_comp_hw_qp_inflight(const struct wd_comp_qp *qp)
{
	return qp->hw != NULL ? qp->hw->inflight : 0;
}

/* ------------------------------------------------------------------ */
/* Xform in-flight counts                                              */
/* ------------------------------------------------------------------ */

/* Settle the accumulated in-flight change: one atomic per burst, not per op. */
static inline void
px_flush(struct wd_comp_hw_qp *hq)
{
	if (hq->px_delta != 0)
		__atomic_add_fetch(&hq->px_acc->inflight, (uint32_t)hq->px_delta,
				   __ATOMIC_RELEASE);
	hq->px_delta = 0;
	hq->px_acc = NULL;
}

/* Ops of @p px in flight change by @p delta (settled by wd_comp_hw_flush()). */
static inline void
px_ref(struct wd_comp_hw_qp *hq, struct wd_comp_priv_xform *px, int32_t delta)
{
	if (px == NULL)
		return;
	if (unlikely(hq->px_acc != px)) {
		px_flush(hq);
		hq->px_acc = px;
	}
	hq->px_delta += delta;
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */
/* ------------------------------------------------------------------ */

static void pend_add(struct wd_comp_hw_qp *hq, struct hw_req *r);

/* Hand a queue its waiting fast-path messages: one call, one doorbell. */
static void
batch_send(struct wd_comp_hw_qp *hq, struct hw_dir *d)
{
	uint16_t n = d->nbatch, k;

	d->nbatch = 0;
	k = wd_send_burst(d->q, d->batch, n);
	d->sent += k;
	/* refused (no room after all, out of SGLs): sent by the next polls, in order */
	for (uint16_t i = k; i < n; i++)
		pend_add(hq, ((struct wd_comp_msg *)d->batch[i])->user_data);
}

void
wd_comp_hw_flush(struct wd_comp_qp *qp)
{
	struct wd_comp_hw_qp *hq = qp->hw;

	for (int i = 0; i < 2; i++) {
		struct hw_dir *d = &hq->dir[i];

		if (d->nbatch > 0)
			batch_send(hq, d);
		if (d->dirty) {
			wd_flush(d->q);
			d->dirty = false;
		}
	}
	px_flush(hq);
}

/* ------------------------------------------------------------------ */
/* Streams                                                             */
/* ------------------------------------------------------------------ */

int
wd_comp_hw_stream_create(struct wd_comp_dev *dev, struct wd_comp_stream *st)
{
	struct wd_comp_stream_params p = {
		.alg = st->xf.alg,
		.op = st->xf.op,
		.window_log = st->xf.window_log,
		.level = (uint8_t)(st->xf.level > 0 ? st->xf.level : 0),
		.socket_id = dev->socket_id,
	};
	struct wd_comp_hw_stream *hs;
	int ret;

	if (dev->drv_ops->stream_create == NULL)
		return -ENOTSUP;
	hs = wd_comp_malloc("wd_comp_hw_stream", sizeof(*hs), dev->socket_id, true);
	if (hs == NULL)
		return -ENOMEM;
	ret = dev->drv_ops->stream_create(dev->wdev, &p, &hs->ctx);
	if (ret < 0) {
		rte_free(hs);
		return ret;
	}
	hs->adler = 1;
	hs->free_ctx = dev->drv_ops->stream_free;
	st->hw = hs;
	return 0;
}

void
wd_comp_hw_stream_free(struct wd_comp_stream *st)
{
	if (st->hw == NULL)
		return;
	/* not through st->dev: a stale stream's device is gone (wd_cleanup()) */
	if (st->hw->free_ctx != NULL)
		st->hw->free_ctx(st->hw->ctx);
	rte_free(st->hw);
	st->hw = NULL;
}

/* ------------------------------------------------------------------ */
/* Buffers                                                             */
/* ------------------------------------------------------------------ */

/* [off, off+len) of a buffer (the range is inside it). */
static void
buf_sub(const struct wd_comp_buf *b, uint32_t off, uint32_t len, struct wd_comp_buf *out)
{
	*out = *b;
	out->len = len;
	if (b->type == WD_COMP_BUF_FLAT)
		out->addr = (uint8_t *)b->addr + off;
	else
		out->offset = b->offset + off;
}

/* Walk an mbuf range: call @p fn on each contiguous piece. */
static void
buf_walk(const struct wd_comp_buf *b, uint32_t off, uint32_t len,
	 void (*fn)(void *arg, const uint8_t *p, uint32_t n), void *arg)
{
	struct rte_mbuf *m;

	if (len == 0)
		return;
	if (b->type == WD_COMP_BUF_FLAT) {
		fn(arg, (const uint8_t *)b->addr + off, len);
		return;
	}
	m = b->m;
	off += b->offset;
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0) {
		uint32_t n = RTE_MIN((uint32_t)m->data_len - off, len);

		fn(arg, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		len -= n;
		off = 0;
		m = m->next;
	}
}

static void
peek_fn(void *arg, const uint8_t *p, uint32_t n)
{
	int *v = arg;

	if (*v < 0 && n > 0)
		*v = p[0];
}

/* @return the byte at @p off of a buffer, or -1. */
static int
buf_byte(const struct wd_comp_buf *b, uint32_t off)
{
	int v = -1;

	if (off >= b->len)
		return -1;
	buf_walk(b, off, 1, peek_fn, &v);
	return v;
}

/* Does a gzip member (both magic bytes 1f 8b) start at @p off? A lone 1f does not. */
static bool
buf_gzip_magic(const struct wd_comp_buf *b, uint32_t off)
{
	return buf_byte(b, off) == WD_GZIP_ID1 && buf_byte(b, off + 1) == WD_GZIP_ID2;
}

static void
adler_fn(void *arg, const uint8_t *p, uint32_t n)
{
	uint32_t *a = arg;

	*a = wd_comp_adler32(*a, p, n);
}

/* Can the device reach this op's buffers? External mbuf buffers may be ordinary memory. */
static bool
mem_dma_ok(const void *va)
{
	return rte_mem_virt2memseg_list(va) != NULL;
}

/* The chain's nb_segs segments (checked by op_prepare(); a one-segment mbuf's next is not read). */
static bool
mbuf_dma_ok(const struct rte_mbuf *m, unsigned int max_segs)
{
	unsigned int n = 0, nb = m != NULL ? m->nb_segs : 0;

	for (; m != NULL && n < nb; m = m->next, n++) {
		if ((m->ol_flags & RTE_MBUF_F_EXTERNAL) &&
		    !mem_dma_ok(rte_pktmbuf_mtod(m, const void *)))
			return false;
	}
	return max_segs == 0 || n <= max_segs;
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

static struct hw_req *
req_get(struct wd_comp_hw_qp *hq)
{
	struct hw_req *r = hq->free;

	if (r == NULL)
		return NULL;
	hq->free = r->next;
	r->next = NULL;
	hq->inflight++;
	return r;
}

static void
req_put(struct wd_comp_hw_qp *hq, struct hw_req *r)
{
	r->op = NULL;
	r->ctx = NULL;
	r->next = hq->free;
	hq->free = r;
	hq->inflight--;
}

/* A request with nothing done yet: no input taken, no output, no member. */
static inline void
req_progress_reset(struct hw_req *r)
{
	r->in_done = 0;
	r->out_done = 0;
	r->members = false;
	r->cum_sum = 0;
	r->cum_len = 0;
}

/* Give a fast-path request the fields the general path reads. */
static inline void
req_settle(struct hw_req *r)
{
	if (likely(!r->lazy))
		return;
	r->src = r->msg.src;
	r->dst = r->msg.dst;
	req_progress_reset(r);
	r->lazy = false;
}

/* Build the next message of a request from its progress. */
static void
req_msg(struct wd_comp_qp *qp, struct hw_req *r)
{
	struct wd_comp_msg *m = &r->msg;
	uint32_t max = qp->dev->caps.max_len;
	uint32_t in_left = r->src.len - r->in_done, out_left = r->dst.len - r->out_done;
	uint32_t in_len = RTE_MIN(in_left, max);
	bool last = in_len == in_left;

	memset(m, 0, sizeof(*m));
	m->alg = r->xf->alg;
	m->op = r->dir;
	m->window_log = r->xf->window_log;
	m->level = (uint8_t)(r->xf->level > 0 ? r->xf->level : 0);
	m->user_data = r;
	buf_sub(&r->src, r->in_done, in_len, &m->src);
	/* the driver clamps an output larger than one request can take */
	buf_sub(&r->dst, r->out_done, out_left, &m->dst);
	switch (r->mode) {
	case REQ_SINGLE:
		m->flush = WD_COMP_FLUSH_FINAL;
		m->stream = NULL;
		break;
	case REQ_SPLIT:
		m->flush = last ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_NONE;
		m->stream = r->ctx;
		break;
	default:
		m->flush = last ? r->flush : WD_COMP_FLUSH_NONE;
		m->stream = r->ctx;
		break;
	}
}

static void
pend_add(struct wd_comp_hw_qp *hq, struct hw_req *r)
{
	r->pending = true;
	r->next = NULL;
	if (hq->pend_tail != NULL)
		hq->pend_tail->next = r;
	else
		hq->pend_head = r;
	hq->pend_tail = r;
}

/* Send a request's current message. @return 0, -EBUSY (queue full), -errno. */
static int
req_send(struct wd_comp_hw_qp *hq, struct hw_req *r)
{
	struct hw_dir *d = &hq->dir[r->dir];
	int ret = wd_send(d->q, &r->msg);

	if (ret == 0) {
		d->dirty = true;
		d->sent++;
	}
	return ret;
}

/* Reset the driver's stream context. */
static void
ctx_reset(struct wd_comp_qp *qp, void *ctx)
{
	if (ctx != NULL && qp->dev->drv_ops->stream_reset != NULL)
		qp->dev->drv_ops->stream_reset(ctx);
}

/* Get the internal stream of a direction for a stateless op. @return 0, -EBUSY, -errno. */
static int
split_get(struct wd_comp_qp *qp, struct hw_req *r)
{
	struct wd_comp_hw_qp *hq = qp->hw;
	struct wd_comp_dev *d = qp->dev;
	int dir = r->dir;
	struct wd_comp_stream_params p = {
		.alg = r->xf->alg,
		.op = r->xf->op,
		.window_log = r->xf->window_log,
		.level = (uint8_t)(r->xf->level > 0 ? r->xf->level : 0),
		.socket_id = qp->socket_id,
	};
	int ret;

	if (hq->split_busy[dir])
		return -EBUSY;
	if (d->drv_ops->stream_create == NULL)
		return -ENOTSUP;
	if (hq->split_ctx[dir] != NULL &&
	    memcmp(&hq->split_params[dir], &p, sizeof(p)) != 0) {
		d->drv_ops->stream_free(hq->split_ctx[dir]);
		hq->split_ctx[dir] = NULL;
	}
	if (hq->split_ctx[dir] == NULL) {
		ret = d->drv_ops->stream_create(d->wdev, &p, &hq->split_ctx[dir]);
		if (ret < 0) {
			hq->split_ctx[dir] = NULL;
			return ret;
		}
		hq->split_params[dir] = p;
	} else {
		ctx_reset(qp, hq->split_ctx[dir]);
	}
	hq->split_busy[dir] = true;
	r->ctx = hq->split_ctx[dir];
	r->mode = REQ_SPLIT;
	return 0;
}

static void
split_put(struct wd_comp_qp *qp, struct hw_req *r)
{
	if (r->mode == REQ_SPLIT && r->ctx != NULL) {
		ctx_reset(qp, r->ctx);
		qp->hw->split_busy[r->dir] = false;
	}
}

/* Where the checksum of finished gzip members is kept: the stream, or the op. */
static void
req_cum(struct hw_req *r, uint32_t **sum, uint64_t **len)
{
	if (r->st != NULL) {
		*sum = &r->st->hw->cum_sum;
		*len = &r->st->hw->cum_len;
	} else {
		*sum = &r->cum_sum;
		*len = &r->cum_len;
	}
}

/* The op's checksum from the driver's value (of the stream so far) and what we add. */
static uint64_t
req_chksum(struct hw_req *r, const struct wd_comp_msg *m)
{
	const struct wd_comp_xf *xf = r->xf;
	const struct wd_comp_buf *data = xf->op == WD_OP_COMPRESS ? &r->src : &r->dst;
	uint32_t total = xf->op == WD_OP_COMPRESS ? r->in_done : r->out_done;
	uint32_t crc = m->checksum, adler = 1, *cs;
	uint64_t *cl;

	if (xf->alg == WD_COMP_ALG_GZIP) {
		if (xf->op == WD_OP_COMPRESS)
			return m->checksum;
		/* decompression: members ended before this one, then this one so far */
		req_cum(r, &cs, &cl);
		if (*cl == 0)
			return m->checksum;
		return (uint32_t)crc32_combine(*cs, m->checksum, (z_off_t)m->isize);
	}
	if (xf->alg == WD_COMP_ALG_ZLIB)
		return m->checksum;
	/* raw deflate: the driver gives CRC-32; Adler-32 and the MULTI_PKT seed are ours */
	if (r->st != NULL) {
		adler = r->st->hw->adler;
	} else {
		if (xf->chksum == WD_COMP_CHKSUM_CRC32 ||
		    xf->chksum == WD_COMP_CHKSUM_CRC32_ADLER32) {
			uint32_t seed = (uint32_t)r->in_chksum;

			if (seed != 0)
				crc = (uint32_t)crc32_combine(seed, m->checksum, (z_off_t)total);
		}
		if (xf->chksum == WD_COMP_CHKSUM_ADLER32 ||
		    xf->chksum == WD_COMP_CHKSUM_CRC32_ADLER32) {
			uint32_t seed = (uint32_t)(xf->chksum == WD_COMP_CHKSUM_ADLER32 ?
						   r->in_chksum : r->in_chksum >> 32);

			adler = seed != 0 ? seed : 1;
			buf_walk(data, 0, total, adler_fn, &adler);
		}
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

/* Forget a user stream's state: its next op starts a new stream. */
static void
stream_restart(struct wd_comp_hw_stream *hs, bool keep_members)
{
	hs->need_reset = true;
	hs->started = false;
	hs->ended = false;
	if (!keep_members) {
		hs->cum_sum = 0;
		hs->cum_len = 0;
	}
	hs->adler = 1;
}

/* Finish a request: write the op (or the synchronous result) and release. */
static void
req_finish(struct wd_comp_qp *qp, struct hw_req *r, uint8_t status, uint64_t chksum,
	   uint64_t debug)
{
	struct wd_comp_hw_qp *hq = qp->hw;
	struct wd_comp_op *op = r->op;
	bool ok;
	uint32_t consumed, produced;

	req_settle(r);
	ok = status == WD_COMP_OP_SUCCESS || status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE;
	consumed = ok ? r->in_done : 0;
	produced = ok ? r->out_done : 0;
	split_put(qp, r);
	if (r->st != NULL && !ok)
		stream_restart(r->st->hw, false); /* a failed stream starts again from scratch */
	if (op != NULL) {
		op->status = status;
		op->consumed = consumed;
		op->produced = produced;
		op->output_chksum = ok ? chksum : 0;
		op->debug_status = debug;
		if (r->st != NULL && ok && r->dir == WD_OP_DECOMPRESS && r->st->hw->ended)
			op->flags |= WD_COMP_OP_F_STREAM_END;
		px_ref(hq, r->px, -1);
		if (r->st != NULL)
			__atomic_store_n(&r->st->busy, 0, __ATOMIC_RELEASE);
		req_put(hq, r);
		wd_comp_qp_complete(qp, op);
		return;
	}
	/* synchronous */
	r->res.status = status;
	r->res.consumed = consumed;
	r->res.produced = produced;
	r->res.chksum = ok ? chksum : 0;
	r->res.debug = debug;
	r->done = true;
	if (r->orphan) {
		wd_dma_free(r->bounce_src);
		wd_dma_free(r->bounce_dst);
		r->bounce_src = NULL;
		r->bounce_dst = NULL;
		req_put(hq, r);
	}
}

/* Send the next message of a request, or park it until there is room. */
static void
req_continue(struct wd_comp_qp *qp, struct hw_req *r)
{
	int ret;

	req_msg(qp, r);
	ret = req_send(qp->hw, r);
	if (ret == -EBUSY) {
		pend_add(qp->hw, r);
	} else if (ret < 0) {
		req_finish(qp, r, ret == -EINVAL ? WD_COMP_OP_INVALID_ARGS :
			   WD_COMP_OP_ERR_DEVICE, 0, (uint64_t)(int64_t)ret);
	}
}

/* Hand an op the hardware cannot do to the software engine (policy permitting). */
static void
req_to_sw(struct wd_comp_qp *qp, struct hw_req *r, uint64_t debug)
{
	struct wd_comp_op *op = r->op;

	split_put(qp, r);
	if (op == NULL) {
		/* synchronous: the caller runs the software engine */
		r->mode = REQ_SINGLE;
		req_finish(qp, r, WD_COMP_OP_ERR_NOTSUP, 0, debug);
		return;
	}
	px_ref(qp->hw, r->px, -1);
	if (r->st != NULL)
		__atomic_store_n(&r->st->busy, 0, __ATOMIC_RELEASE);
	req_put(qp->hw, r);
	if (!wd_comp_qp_retry_sw(qp, op)) {
		op->status = WD_COMP_OP_ERR_NOTSUP;
		op->engine = WD_COMP_ENGINE_HW;
		op->debug_status = debug;
	}
	wd_comp_qp_complete(qp, op);
}

/*
 * Incompressible data the device could not fit where stored blocks fit:
 * a stateless compression with at least wd_comp_bound() bytes of output
 * must not fail, so software does it.
 */
static bool
bound_promised(const struct hw_req *r)
{
	return r->st == NULL && r->xf->op == WD_OP_COMPRESS &&
	       r->dst.len >= wd_comp_fmt_bound(r->xf->alg, r->src.len);
}

/*
 * A stateless decompression the device failed with a status of its own
 * (m->hw_status set: not a timeout or a reset): a device that cannot tell
 * corrupt input from its own fault (a hisi_zip VF, doc/hisi_zip.md) says
 * ERR_DEVICE for both. A stateless op can be run again from its start, so
 * software decides when the policy allows WD_COMP_FB_F_UNSUPPORTED:
 * corrupt input then ends ERR_DATA, good input is not lost. Streams keep
 * ERR_DEVICE (their state is the device's).
 */
static bool
dev_error_to_sw(const struct wd_comp_qp *qp, const struct hw_req *r)
{
	return r->st == NULL && r->xf->op == WD_OP_DECOMPRESS &&
	       r->msg.hw_status != 0 && qp->sw != NULL &&
	       (qp->fb.flags & WD_COMP_FB_F_UNSUPPORTED) != 0;
}

/*
 * A stateless decompression in several messages took all its input and
 * filled its output exactly without reaching the end: the device cannot
 * say whether more output would come (out of space) or the input was cut
 * short (a trailer missing). Software, run from the start, tells them
 * apart when the policy allows WD_COMP_FB_F_UNSUPPORTED.
 */
static bool
split_end_to_sw(const struct wd_comp_qp *qp, const struct hw_req *r, uint32_t in_left,
		uint32_t out_left)
{
	return r->mode == REQ_SPLIT && r->xf->op == WD_OP_DECOMPRESS && in_left == 0 &&
	       out_left == 0 && qp->sw != NULL && (qp->fb.flags & WD_COMP_FB_F_UNSUPPORTED) != 0;
}

/* A message came back. */
static void
req_done(struct wd_comp_qp *qp, struct hw_req *r)
{
	const struct wd_comp_msg *m = &r->msg;
	const struct wd_comp_xf *xf = r->xf;
	struct wd_comp_hw_stream *hs = r->st != NULL ? r->st->hw : NULL;
	uint32_t max = qp->dev->caps.max_len, in_left, out_left, *cs;
	uint8_t ms = m->status;
	bool dec = xf->op == WD_OP_DECOMPRESS, progress;
	uint64_t *cl;

	req_settle(r);
	if (ms != WD_COMP_MSG_OK && ms != WD_COMP_MSG_STREAM_END)
		WD_COMP_LOG(DEBUG, "%s: message status %u (hw 0x%x), mode %u, in %u/%u, out %u/%u",
			    qp->dev->name, ms, m->hw_status, r->mode, r->in_done + m->consumed,
			    r->src.len, r->out_done + m->produced, r->dst.len);
	if (ms == WD_COMP_MSG_ERR_NOTSUP && r->in_done == 0 && r->out_done == 0 &&
	    !r->members && (hs == NULL || !hs->started)) {
		/* the device cannot do it after all (e.g. raw deflate decompression) */
		if (r->st != NULL)
			r->st->engine = WD_COMP_STREAM_UNBOUND;
		req_to_sw(qp, r, m->hw_status);
		return;
	}
	/* an output larger than one message can carry: as out of space with more room */
	if (ms == WD_COMP_MSG_ERR_TOO_BIG && r->st == NULL && r->dst.len - r->out_done > max)
		ms = WD_COMP_MSG_OUT_OF_SPACE_TERMINATED;
	if (ms == WD_COMP_MSG_ERR_DEVICE && dev_error_to_sw(qp, r)) {
		req_to_sw(qp, r, m->hw_status);
		return;
	}
	if (ms != WD_COMP_MSG_OK && ms != WD_COMP_MSG_STREAM_END &&
	    ms != WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE &&
	    ms != WD_COMP_MSG_OUT_OF_SPACE_TERMINATED) {
		req_finish(qp, r, wd_comp_status_from_msg(ms), 0, m->hw_status);
		return;
	}
	if (ms == WD_COMP_MSG_OUT_OF_SPACE_TERMINATED) {
		if (r->st == NULL && r->dst.len - r->out_done > max) {
			/* one message could not hold the output: more messages, or software */
			req_progress_reset(r);
			if (r->mode == REQ_SINGLE && split_possible(qp->dev, xf) &&
			    split_get(qp, r) == 0) {
				req_continue(qp, r);
				return;
			}
			req_to_sw(qp, r, m->hw_status);
			return;
		}
		if (bound_promised(r)) {
			req_to_sw(qp, r, m->hw_status);
			return;
		}
		if (r->st == NULL) {
			req_finish(qp, r, WD_COMP_OP_OUT_OF_SPACE_TERMINATED, 0, m->hw_status);
			return;
		}
		/* a stream keeps its state: nothing of this message was taken */
		ms = WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE;
	}
	r->in_done += m->consumed;
	r->out_done += m->produced;
	progress = m->consumed + m->produced > 0;
	if (hs != NULL && progress) {
		hs->started = true;
		if (xf->alg == WD_COMP_ALG_DEFLATE && (xf->chksum == WD_COMP_CHKSUM_ADLER32 ||
		    xf->chksum == WD_COMP_CHKSUM_CRC32_ADLER32)) {
			if (dec)
				buf_walk(&r->dst, r->out_done - m->produced, m->produced,
					 adler_fn, &hs->adler);
			else
				buf_walk(&r->src, r->in_done - m->consumed, m->consumed,
					 adler_fn, &hs->adler);
		}
	}
	in_left = r->src.len - r->in_done;
	out_left = r->dst.len - r->out_done;

	if (dec && ms == WD_COMP_MSG_STREAM_END) {
		uint64_t sum = req_chksum(r, m);

		if (xf->alg == WD_COMP_ALG_GZIP) {
			/* fold the member into the total of ended members */
			req_cum(r, &cs, &cl);
			*cs = (uint32_t)sum;
			*cl += m->isize;
			r->members = true;
			if (in_left == 1 && buf_byte(&r->src, r->in_done) == WD_GZIP_ID1 &&
			    (r->mode != REQ_STREAM || r->flush == WD_COMP_FLUSH_FINAL)) {
				/* the input ends with a member cut after its first byte */
				req_finish(qp, r, WD_COMP_OP_ERR_DATA, 0, m->hw_status);
				return;
			}
			if (in_left >= 2 && buf_gzip_magic(&r->src, r->in_done)) {
				/* another member follows; anything else is trailing data */
				if (r->mode != REQ_SINGLE)
					ctx_reset(qp, r->ctx);
				if (hs != NULL)
					hs->started = false;
				req_continue(qp, r);
				return;
			}
		}
		if (hs != NULL) {
			stream_restart(hs, xf->alg == WD_COMP_ALG_GZIP);
			hs->ended = true;
			hs->end_sum = sum;
		}
		req_finish(qp, r, WD_COMP_OP_SUCCESS, sum, m->hw_status);
		return;
	}
	if (r->mode == REQ_SINGLE) {
		if (dec) {
			/* a stateless decompression must reach the end of the stream */
			req_finish(qp, r, WD_COMP_OP_ERR_DATA, 0, m->hw_status);
			return;
		}
		req_finish(qp, r, WD_COMP_OP_SUCCESS, req_chksum(r, m), m->hw_status);
		return;
	}
	/* SPLIT or STREAM */
	if (ms == WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE) {
		if (out_left == 0 || !progress) {
			if (r->mode == REQ_SPLIT &&
			    (bound_promised(r) || split_end_to_sw(qp, r, in_left, out_left)))
				req_to_sw(qp, r, m->hw_status);
			else if (r->mode == REQ_SPLIT)
				req_finish(qp, r, WD_COMP_OP_OUT_OF_SPACE_TERMINATED, 0,
					   m->hw_status);
			else
				req_finish(qp, r, WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE,
					   req_chksum(r, m), m->hw_status);
			return;
		}
		req_continue(qp, r);
		return;
	}
	if (in_left > 0) {
		if (!progress) {
			WD_COMP_LOG(ERR, "%s: the device took no input and gave no output",
				    qp->dev->name);
			req_finish(qp, r, WD_COMP_OP_ERR_DEVICE, 0, m->hw_status);
			return;
		}
		req_continue(qp, r);
		return;
	}
	if (dec && (r->mode == REQ_SPLIT || r->flush == WD_COMP_FLUSH_FINAL)) {
		/*
		 * All input taken and the stream did not end: truncated. A stream's
		 * FINAL op promises the end (zlib's Z_FINISH); with FLUSH_NONE/SYNC
		 * more input is simply awaited.
		 */
		req_finish(qp, r, WD_COMP_OP_ERR_DATA, 0, m->hw_status);
		return;
	}
	if (hs != NULL && !dec && r->flush == WD_COMP_FLUSH_FINAL) {
		uint64_t sum = req_chksum(r, m);

		stream_restart(hs, false); /* finished: the next op with input starts anew */
		hs->ended = true;
		hs->end_sum = sum;
		req_finish(qp, r, WD_COMP_OP_SUCCESS, sum, m->hw_status);
		return;
	}
	req_finish(qp, r, WD_COMP_OP_SUCCESS, req_chksum(r, m), m->hw_status);
}

/*
 * A message came back and it is the common case: a one-message stateless op
 * that the device finished whole. @return false: take the general path.
 */
static inline bool
req_done_fast(struct wd_comp_qp *qp, struct hw_req *r)
{
	const struct wd_comp_msg *m = &r->msg;
	const struct wd_comp_xf *xf = r->xf;
	struct wd_comp_op *op = r->op;

	if (!r->lazy || xf->alg == WD_COMP_ALG_DEFLATE)
		return false;
	if (xf->op == WD_OP_COMPRESS) {
		if (m->status != WD_COMP_MSG_OK)
			return false;
	} else if (m->status != WD_COMP_MSG_STREAM_END ||
		   (xf->alg == WD_COMP_ALG_GZIP && m->consumed != m->src.len)) {
		/* gzip: another member may follow */
		return false;
	}
	/* zlib and gzip: the driver's checksum is the op's */
	op->status = WD_COMP_OP_SUCCESS;
	op->consumed = m->consumed;
	op->produced = m->produced;
	op->output_chksum = m->checksum;
	op->debug_status = m->hw_status;
	px_ref(qp->hw, r->px, -1);
	req_put(qp->hw, r);
	wd_comp_qp_complete(qp, op);
	return true;
}

uint16_t
wd_comp_hw_poll(struct wd_comp_qp *qp)
{
	struct wd_comp_hw_qp *hq = qp->hw;
	void *resp[HW_POLL];
	uint16_t total = 0;

	if (hq == NULL || hq->inflight == 0)
		return 0;
	/* messages that found the queue full */
	while (hq->pend_head != NULL) {
		struct hw_req *r = hq->pend_head;
		int ret = req_send(hq, r);

		if (ret == -EBUSY)
			break;
		hq->pend_head = r->next;
		if (hq->pend_head == NULL)
			hq->pend_tail = NULL;
		r->pending = false;
		r->next = NULL;
		if (ret < 0)
			req_finish(qp, r, WD_COMP_OP_ERR_DEVICE, 0, (uint64_t)(int64_t)ret);
	}
	for (int i = 0; i < 2; i++) {
		struct hw_dir *d = &hq->dir[i];
		uint16_t n, got = 0;

		if (d->sent == 0)
			continue;
		do {
			n = wd_recv_burst(d->q, resp, RTE_DIM(resp));
			d->sent -= n;
			for (uint16_t j = 0; j < n; j++) {
				struct hw_req *r = ((struct wd_comp_msg *)resp[j])->user_data;

				if (!req_done_fast(qp, r))
					req_done(qp, r);
			}
			got += n;
		} while (n == RTE_DIM(resp) && got < HW_POLL_MAX);
		total += got;
	}
	wd_comp_hw_flush(qp);
	return total;
}

/* ------------------------------------------------------------------ */
/* Submission                                                          */
/* ------------------------------------------------------------------ */

enum wd_comp_hw_verdict
wd_comp_hw_submit(struct wd_comp_qp *qp, struct wd_comp_op *op, const struct wd_comp_xf *xf,
		  struct wd_comp_stream *st)
{
	struct wd_comp_hw_qp *hq = qp->hw;
	const struct wd_comp_drv_caps *caps = &qp->dev->caps;
	struct hw_req *r;
	uint8_t status;
	int dir = xf->op, ret;

	if (hq == NULL || hq->dir[dir].q == NULL)
		return WD_COMP_HW_UNSUPPORTED;
	/* the fast-path messages of this burst go first: the queue's room is exact */
	if (hq->dir[dir].nbatch > 0)
		batch_send(hq, &hq->dir[dir]);
	if (!mbuf_dma_ok(op->m_src, caps->max_segs) || !mbuf_dma_ok(op->m_dst, caps->max_segs))
		return WD_COMP_HW_UNSUPPORTED;
	if (st == NULL && op->flush_flag != WD_COMP_FLUSH_FINAL && xf->op == WD_OP_COMPRESS)
		return WD_COMP_HW_UNSUPPORTED; /* independent non-final blocks: a software mode */
	if (st == NULL && caps->min_dst_len > 0 &&
	    rte_pktmbuf_pkt_len(op->m_dst) - op->dst.offset < caps->min_dst_len)
		return WD_COMP_HW_UNSUPPORTED;
	if (st == NULL && op->src.length > caps->max_len && !split_possible(qp->dev, xf))
		return WD_COMP_HW_UNSUPPORTED;
	r = req_get(hq);
	if (r == NULL)
		return WD_COMP_HW_FULL;
	r->op = op;
	r->xf = xf;
	r->st = st;
	r->px = st == NULL ? op->private_xform : NULL;
	r->dir = (uint8_t)dir;
	r->flush = (uint8_t)op->flush_flag;
	req_progress_reset(r);
	r->pending = false;
	r->done = false;
	r->orphan = false;
	r->lazy = false;
	r->in_chksum = op->input_chksum;
	r->ctx = NULL;
	/* the buffers were checked at enqueue */
	r->src.type = WD_COMP_BUF_MBUF;
	r->src.m = op->m_src;
	r->src.offset = op->src.offset;
	r->src.len = op->src.length;
	r->dst.type = WD_COMP_BUF_MBUF;
	r->dst.m = op->m_dst;
	r->dst.offset = op->dst.offset;
	r->dst.len = rte_pktmbuf_pkt_len(op->m_dst) - op->dst.offset;
	if (op->m_src->nb_segs == 1) {
		r->src.type = WD_COMP_BUF_FLAT;
		r->src.addr = rte_pktmbuf_mtod_offset(op->m_src, void *, op->src.offset);
	}
	if (op->m_dst->nb_segs == 1) {
		r->dst.type = WD_COMP_BUF_FLAT;
		r->dst.addr = rte_pktmbuf_mtod_offset(op->m_dst, void *, op->dst.offset);
	}
	if (st != NULL) {
		struct wd_comp_hw_stream *hs = st->hw;

		r->mode = REQ_STREAM;
		r->ctx = hs->ctx;
		if (hs->need_reset) {
			bool lone_1f = xf->alg == WD_COMP_ALG_GZIP && op->src.length == 1 &&
				       op->flush_flag == WD_COMP_FLUSH_FINAL &&
				       buf_byte(&r->src, 0) == WD_GZIP_ID1;

			if (hs->ended && dir == WD_OP_DECOMPRESS && lone_1f) {
				/* a FINAL op of one byte 1f: a member cut short */
				op->engine = WD_COMP_ENGINE_HW;
				req_finish(qp, r, WD_COMP_OP_ERR_DATA, 0, 0);
				return WD_COMP_HW_SENT;
			}
			if (hs->ended &&
			    (op->src.length == 0 ||
			     (dir == WD_OP_DECOMPRESS && xf->alg == WD_COMP_ALG_GZIP &&
			      !buf_gzip_magic(&r->src, 0)))) {
				/*
				 * Nothing after the end of a stream (either direction), or
				 * (gzip) data that starts no member, i.e. trailing data:
				 * nothing to do, nothing consumed or produced (as the
				 * software engine, and zlib after Z_STREAM_END).
				 */
				op->engine = WD_COMP_ENGINE_HW;
				req_finish(qp, r, WD_COMP_OP_SUCCESS, hs->end_sum, 0);
				return WD_COMP_HW_SENT;
			}
			/* the last op ended the stream (or failed): this one starts anew */
			ctx_reset(qp, hs->ctx);
			hs->need_reset = false;
			hs->ended = false;
		}
	} else if (op->src.length > caps->max_len) {
		ret = split_get(qp, r);
		if (ret < 0) {
			req_put(hq, r);
			return ret == -EBUSY ? WD_COMP_HW_FULL : WD_COMP_HW_UNSUPPORTED;
		}
	} else {
		r->mode = REQ_SINGLE;
	}
	req_msg(qp, r);
	ret = req_send(hq, r);
	if (ret == -EBUSY) {
		split_put(qp, r);
		req_put(hq, r);
		return WD_COMP_HW_FULL;
	}
	op->engine = WD_COMP_ENGINE_HW;
	px_ref(hq, r->px, 1);
	if (ret < 0) {
		status = ret == -EINVAL ? WD_COMP_OP_INVALID_ARGS : WD_COMP_OP_ERR_DEVICE;
		req_finish(qp, r, status, 0, (uint64_t)(int64_t)ret);
	}
	return WD_COMP_HW_SENT;
}

/* ------------------------------------------------------------------ */
/* Fast path                                                           */
/* ------------------------------------------------------------------ */

_Static_assert(offsetof(struct wd_comp_msg, stream) == sizeof(uint64_t),
	       "the message head (alg .. rsvd0) is 8 bytes");
_Static_assert(offsetof(struct wd_comp_msg, rsvd2) + sizeof(uint32_t) -
	       offsetof(struct wd_comp_msg, status) == 3 * sizeof(uint64_t),
	       "the result fields are 24 bytes");

void
wd_comp_hw_xform_init(const struct wd_comp_dev *dev, struct wd_comp_priv_xform *px)
{
	struct wd_comp_msg m;

	memset(&m, 0, sizeof(m));
	m.alg = px->xf.alg;
	m.op = px->xf.op;
	m.flush = WD_COMP_FLUSH_FINAL;
	m.window_log = px->xf.window_log;
	m.level = (uint8_t)(px->xf.level > 0 ? px->xf.level : 0);
	/* the head of fast-path messages only: submit_fast() walks their chains (fast_buf) */
	m.hints = WD_COMP_MSG_H_CHAINS_WALKED;
	memcpy(&px->msg_head, &m, sizeof(px->msg_head));
	px->hw_fast = dev->hw && wd_comp_hw_supports(dev, &px->xf, false);
}

/* Chains followed per burst and segments per chain by the prefetch. */
#define PF_CHAINS 64
#define PF_LEVELS 4

/* A stateless op of a (valid) compression xform? */
static inline bool
dst_of_compression(const struct wd_comp_op *op)
{
	const struct wd_comp_priv_xform *px = op->private_xform;

	return px != NULL && px->magic == WD_COMP_XFORM_MAGIC && px->xf.op == WD_OP_COMPRESS;
}

void
wd_comp_hw_burst_prefetch(struct wd_comp_op **ops, uint16_t n)
{
	const struct rte_mbuf *cur[PF_CHAINS];
	unsigned int nc = 0;
	uint16_t i;

	/* the first line of every mbuf: nb_segs, lengths, flags, addresses */
	for (i = 0; i < n && ops[i] != NULL; i++) {
		rte_prefetch0(ops[i]->m_src);
		rte_prefetch0(ops[i]->m_dst);
	}
	n = i;
	/*
	 * Chains: the line with next, then the segments level by level. And the
	 * output line a compression header will go to (last written by the
	 * device), early, so that it comes during our work.
	 */
	for (i = 0; i < n && nc + 2 <= PF_CHAINS; i++) {
		const struct wd_comp_op *op = ops[i];
		const struct rte_mbuf *ms = op->m_src, *md = op->m_dst;

		if (ms != NULL && ms->nb_segs > 1) {
			rte_prefetch0(&ms->next);
			cur[nc++] = ms;
		}
		if (md == NULL)
			continue;
		if (md->nb_segs > 1) {
			rte_prefetch0(&md->next);
			cur[nc++] = md;
		}
		if (op->op_type == WD_COMP_OP_STATELESS && dst_of_compression(op) &&
		    op->dst.offset < md->data_len)
			rte_prefetch0_write(rte_pktmbuf_mtod_offset(md, const uint8_t *,
								 op->dst.offset));
	}
	for (unsigned int lvl = 1; lvl < PF_LEVELS && nc > 0; lvl++) {
		unsigned int k = 0;

		for (unsigned int j = 0; j < nc; j++) {
			const struct rte_mbuf *s = cur[j]->next;

			if (s == NULL)
				continue;
			rte_prefetch0(s);
			rte_prefetch0(&s->next);
			cur[k++] = s;
		}
		nc = k;
	}
}

/*
 * [off, off+len) of an mbuf chain (to_end: up to the end of the chain) for
 * the fast path: one segment as a flat buffer; a chain as a chain (flat
 * when the range lies in one segment) after one walk that checks it (nb_segs
 * segments whose data_len add up to pkt_len). @p last gets the chain's last
 * segment (NULL for one segment: no chain was walked). Memory of external
 * buffers needs a look-up (not here); chains with attached segments go to
 * the general path.
 * @return false: not for the fast path.
 */
static inline bool
fast_buf(struct rte_mbuf *m, uint32_t off, uint32_t len, bool to_end, uint16_t max_segs,
	 struct wd_comp_buf *b, const struct rte_mbuf **last)
{
	uint32_t pkt;

	if (unlikely(m == NULL))
		return false;
	pkt = m->pkt_len;
	if (unlikely(off > pkt || (!to_end && len > pkt - off)))
		return false;
	if (to_end)
		len = pkt - off;
	b->offset = 0;
	b->len = len;
	if (likely(m->nb_segs == 1)) {
		/* one segment: its data is all there is (next is not even read) */
		if (unlikely((m->ol_flags & RTE_MBUF_F_EXTERNAL) || m->data_len != pkt ||
			     (uint32_t)m->data_off + m->data_len > m->buf_len))
			return false;
		b->type = WD_COMP_BUF_FLAT;
		b->addr = rte_pktmbuf_mtod_offset(m, void *, off);
		/*
		 * No chain walked: it may be attached to another mbuf's data, or
		 * be a segment of the other side's chain (next is not read)
		 */
		*last = NULL;
		return true;
	}
	{
		const struct rte_mbuf *s, *at, *end = m;
		uint64_t sum = 0;
		uint32_t nseg = 0, o;

		for (s = m; s != NULL; s = s->next) {
			if (unlikely((s->ol_flags & (RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT)) ||
				     ++nseg > m->nb_segs ||
				     (uint32_t)s->data_off + s->data_len > s->buf_len))
				return false;
			end = s;
			sum += s->data_len;
		}
		if (unlikely(nseg != m->nb_segs || sum != pkt ||
			     (max_segs != 0 && nseg > max_segs)))
			return false;
		*last = end;
		/* the segment holding off (the first one, as a rule) */
		for (at = m, o = off; at != NULL && o >= at->data_len; at = at->next)
			o -= at->data_len;
		if (at != NULL && (uint64_t)o + len <= at->data_len) {
			b->type = WD_COMP_BUF_FLAT;
			b->addr = rte_pktmbuf_mtod_offset(at, void *, o);
			return true;
		}
		b->type = WD_COMP_BUF_MBUF;
		b->m = m;
		b->offset = off;
		return true;
	}
}

/* What the fast path checks per op, read once per burst. */
struct fast_limits {
	uint32_t max_len;       /* largest input of one message */
	uint32_t min_dst_len;   /* smallest output room */
	uint32_t small;         /* inputs below this go to software (policy); 0: none */
	uint16_t max_segs;      /* longest chain */
};

static inline enum wd_comp_hw_verdict
submit_fast(struct wd_comp_hw_qp *hq, const struct fast_limits *lim, struct wd_comp_op *op,
	    struct wd_comp_priv_xform *px)
{
	const struct wd_comp_xf *xf = &px->xf;
	struct hw_dir *d = &hq->dir[xf->op];
	struct wd_comp_buf src, dst;
	const struct rte_mbuf *slast, *dlast;
	struct wd_comp_msg *m;
	struct hw_req *r;

	/* a compression is a whole stream; a decompression takes any flush value there is */
	if (unlikely(d->q == NULL ||
		     (op->flush_flag != WD_COMP_FLUSH_FINAL &&
		      (xf->op == WD_OP_COMPRESS ||
		       (unsigned int)op->flush_flag > WD_COMP_FLUSH_FINAL)) ||
		     op->src.length > lim->max_len || op->src.length < lim->small))
		return WD_COMP_HW_SLOW;
	/* anything odd (bad mbufs, in place, overlap): the general path says what */
	if (unlikely(op->m_src == op->m_dst ||
		     !fast_buf(op->m_src, op->src.offset, op->src.length, false, lim->max_segs,
			       &src, &slast) ||
		     !fast_buf(op->m_dst, op->dst.offset, 0, true, lim->max_segs, &dst, &dlast) ||
		     dst.len < lim->min_dst_len))
		return WD_COMP_HW_SLOW;
	/*
	 * Shared bytes: flat buffers are compared; the segments of chains here
	 * own their data (not attached, not external), so two chains can only
	 * share a segment, and then also their last one. A shared last segment,
	 * or one segment against a chain, takes the exact test (the chains were
	 * checked above: they end).
	 */
	_Static_assert(WD_COMP_BUF_FLAT == 0, "both flat: types OR to 0");
	if (likely((src.type | dst.type) == WD_COMP_BUF_FLAT)) {
		if (unlikely(wd_comp_flat_overlap(&src, &dst)))
			return WD_COMP_HW_SLOW;
	} else if (unlikely(slast == dlast || slast == NULL || dlast == NULL) &&
		   wd_comp_buf_overlap(&src, &dst)) {
		return WD_COMP_HW_SLOW;
	}
	if (unlikely(d->sent + d->nbatch >= d->cap))
		return WD_COMP_HW_FULL;
	r = req_get(hq);
	if (unlikely(r == NULL))
		return WD_COMP_HW_FULL;
	r->op = op;
	r->xf = xf;
	r->st = NULL;
	r->px = px;
	r->ctx = NULL;
	r->mode = REQ_SINGLE;
	r->dir = xf->op;
	r->flush = (uint8_t)op->flush_flag;
	r->lazy = true;
	r->in_chksum = op->input_chksum;
	/* the message: the xform's template, the buffers, cleared results */
	m = &r->msg;
	memcpy(m, &px->msg_head, sizeof(px->msg_head));
	m->stream = NULL;
	m->src = src;
	m->dst = dst;
	m->user_data = r;
	memset(&m->status, 0, offsetof(struct wd_comp_msg, rsvd2) + sizeof(m->rsvd2) -
	       offsetof(struct wd_comp_msg, status));
	d->batch[d->nbatch++] = m;
	if (unlikely(d->nbatch == HW_BATCH))
		batch_send(hq, d);
	op->engine = WD_COMP_ENGINE_HW;
	px_ref(hq, px, 1);
	return WD_COMP_HW_SENT;
}

uint16_t
wd_comp_hw_enqueue_fast(struct wd_comp_qp *qp, struct wd_comp_op **ops, uint16_t n, uint64_t now,
			enum wd_comp_hw_verdict *why)
{
	struct wd_comp_hw_qp *hq = qp->hw;
	const struct wd_comp_drv_caps *caps = &qp->dev->caps;
	const struct wd_comp_dev *dev = qp->dev;
	const uint32_t gen = dev->gen;
	const struct fast_limits lim = {
		.max_len = caps->max_len,
		.min_dst_len = caps->min_dst_len,
		.small = (qp->fb.flags & WD_COMP_FB_F_SMALL) ? qp->fb.small_threshold : 0,
		.max_segs = caps->max_segs,
	};
	uint16_t i;

	*why = WD_COMP_HW_SLOW;
	for (i = 0; i < n; i++) {
		struct wd_comp_op *op = ops[i];
		struct wd_comp_priv_xform *px;
		enum wd_comp_hw_verdict v;

		if (unlikely(op == NULL || op->op_type != WD_COMP_OP_STATELESS ||
			     (op->flags & WD_COMP_OP_F_QUEUED)))
			break;
		/* checks that depend on the xform alone were done at its creation */
		px = op->private_xform;
		if (unlikely(px == NULL || px->magic != WD_COMP_XFORM_MAGIC || px->dev != dev ||
			     px->gen != gen || !px->hw_fast))
			break;
		op->internal[WD_COMP_OPI_TSC] = now;
		op->status = WD_COMP_OP_NOT_PROCESSED;
		op->fallback_reason = WD_COMP_FB_NONE;
		op->flags = WD_COMP_OP_F_QUEUED;
		op->consumed = 0;
		op->produced = 0;
		op->debug_status = 0;
		v = submit_fast(hq, &lim, op, px);
		if (unlikely(v != WD_COMP_HW_SENT)) {
			op->engine = WD_COMP_ENGINE_NONE;
			op->flags = 0;
			*why = v;
			break;
		}
	}
	return i;
}

/* ------------------------------------------------------------------ */
/* Synchronous call                                                    */
/* ------------------------------------------------------------------ */

int
wd_comp_hw_run_sync(struct wd_comp_qp *qp, const struct wd_comp_xf *xf,
		    struct wd_comp_stream *st, const void *src, uint32_t src_len, void *dst,
		    uint32_t dst_len, uint8_t flush, struct wd_comp_res *res)
{
	struct wd_comp_hw_qp *hq = qp->hw;
	const struct wd_comp_drv_caps *caps = &qp->dev->caps;
	uint64_t deadline;
	struct hw_req *r;
	int dir = xf->op, ret;

	(void)st;
	if (hq == NULL)
		return -EAGAIN;
	if (hq->dir[dir].q == NULL)
		return -ENOTSUP;
	if (src_len > caps->max_len && !split_possible(qp->dev, xf))
		return -ENOTSUP;
	if (caps->min_dst_len > 0 && dst_len < caps->min_dst_len)
		return -ENOTSUP;
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * HW_SYNC_TIMEOUT_MS / 1000;
	/* every request context taken by ops in flight: software, or wait for one */
	while ((r = req_get(hq)) == NULL) {
		if (qp->fb.flags & WD_COMP_FB_F_QUEUE_FULL)
			return -EBUSY;
		wd_comp_hw_poll(qp);
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		rte_pause();
	}
	memset(&r->res, 0, sizeof(r->res));
	r->op = NULL;
	r->xf = xf;
	r->st = NULL;
	r->px = NULL;
	r->dir = (uint8_t)dir;
	r->flush = flush;
	req_progress_reset(r);
	r->done = false;
	r->orphan = false;
	r->lazy = false;
	r->in_chksum = 0;
	r->ctx = NULL;
	r->bounce_src = NULL;
	r->bounce_dst = NULL;
	r->user_dst = dst;
	r->src.type = WD_COMP_BUF_FLAT;
	r->dst.type = WD_COMP_BUF_FLAT;
	r->src.len = src_len;
	r->dst.len = dst_len;
	r->src.addr = (void *)(uintptr_t)src;
	r->dst.addr = dst;
	/* ordinary memory goes through DMA memory */
	if (src_len > 0 && (!mem_dma_ok(src) || !mem_dma_ok((const uint8_t *)src + src_len - 1))) {
		if (src_len > HW_BOUNCE_MAX)
			goto unsupported;
		r->bounce_src = wd_dma_zmalloc(src_len, 64, qp->socket_id);
		if (r->bounce_src == NULL)
			goto nomem;
		memcpy(r->bounce_src, src, src_len);
		r->src.addr = r->bounce_src;
	}
	/*
	 * The output always goes through a private buffer, DMA memory or not:
	 * after a timeout the caller gets its buffer back while the device may
	 * still write (the request is orphaned, its buffers freed when the
	 * driver completes it), and that must never be the caller's memory.
	 */
	if (dst_len > 0) {
		if (dst_len > HW_BOUNCE_MAX)
			goto unsupported;
		r->bounce_dst = wd_dma_zmalloc(dst_len, 64, qp->socket_id);
		if (r->bounce_dst == NULL)
			goto nomem;
		r->dst.addr = r->bounce_dst;
	}
	if (src_len > caps->max_len) {
		ret = split_get(qp, r);
		if (ret < 0) {
			wd_dma_free(r->bounce_src);
			wd_dma_free(r->bounce_dst);
			r->bounce_src = r->bounce_dst = NULL;
			req_put(hq, r);
			/* no DMA memory for the split's context is -ENOMEM, as a bounce's */
			return ret == -EBUSY || ret == -ENOMEM ? ret : -ENOTSUP;
		}
	} else {
		r->mode = REQ_SINGLE;
	}
	req_msg(qp, r);
	for (;;) {
		ret = req_send(hq, r);
		if (ret != -EBUSY)
			break;
		/* full: software if the policy says so, else wait for room */
		if (qp->fb.flags & WD_COMP_FB_F_QUEUE_FULL) {
			split_put(qp, r);
			wd_dma_free(r->bounce_src);
			wd_dma_free(r->bounce_dst);
			r->bounce_src = r->bounce_dst = NULL;
			req_put(hq, r);
			return -EBUSY;
		}
		wd_comp_hw_poll(qp);
		if (rte_get_timer_cycles() > deadline) {
			split_put(qp, r);
			wd_dma_free(r->bounce_src);
			wd_dma_free(r->bounce_dst);
			r->bounce_src = r->bounce_dst = NULL;
			req_put(hq, r);
			return -ETIMEDOUT;
		}
		rte_pause();
	}
	if (ret < 0) {
		req_finish(qp, r, ret == -EINVAL ? WD_COMP_OP_INVALID_ARGS : WD_COMP_OP_ERR_DEVICE,
			   0, (uint64_t)(int64_t)ret);
	} else {
		wd_comp_hw_flush(qp);
	}
	while (!r->done) {
		wd_comp_hw_poll(qp);
		if (r->done)
			break;
		if (rte_get_timer_cycles() > deadline) {
			/* the device still owns the buffers: they are freed when it answers */
			r->orphan = true;
			WD_COMP_LOG(ERR, "%s: no answer from the hardware in %u ms",
				    qp->dev->name, HW_SYNC_TIMEOUT_MS);
			return -ETIMEDOUT;
		}
		rte_pause();
	}
	*res = r->res;
	if (r->bounce_dst != NULL && res->produced > 0)
		memcpy(dst, r->bounce_dst, res->produced);
	wd_dma_free(r->bounce_src);
	wd_dma_free(r->bounce_dst);
	r->bounce_src = r->bounce_dst = NULL;
	req_put(hq, r);
	if (res->status == WD_COMP_OP_ERR_NOTSUP)
		return -ENOTSUP;
	return 0;
unsupported:
	ret = -ENOTSUP;
	goto fail;
nomem:
	ret = -ENOMEM;
fail:
	wd_dma_free(r->bounce_src);
	wd_dma_free(r->bounce_dst);
	r->bounce_src = r->bounce_dst = NULL;
	req_put(hq, r);
	return ret;
}
