/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd-perf per-lcore loops.
 *
 * Everything an op needs (mbuf chains holding the data, ops, xforms,
 * streams) is prepared before the measured loop. The loops then only
 * re-arm ops (a few stores) and call enqueue/dequeue:
 *
 *  - run_loop(): throughput, latency and verify modes, stateless or
 *    stateful. Keeps up to --inflight ops in flight, enqueues bursts of
 *    --burst, dequeues what is done, re-arms and resubmits. Each op is
 *    stamped with the TSC before its enqueue call and after the dequeue
 *    call that returned it (latency = the difference).
 *  - cc_loop(): cyclecount mode, with dpdk-test-compress-perf's
 *    definitions: TSC ticks (rte_rdtsc_precise) spent inside enqueue
 *    calls and inside dequeue calls (empty polls included), divided by
 *    the number of ops; --cc-delay-us between an enqueue and the next
 *    dequeue so that the device has finished and dequeue cost is not
 *    polling time.
 *
 * After the loop, the last output of every buffer is checked with zlib
 * (in verify mode every output is checked as it completes).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include "perf.h"

volatile bool perf_force_stop;

/** Memory for a lcore's buffers before --inflight has to shrink. */
#define PERF_LCORE_MEM (64ull << 20)
/** No completion for this long while ops are in flight: the run fails. */
#define PERF_STALL_SEC 10

/* One request buffer: input and output chains, prepared once. */
struct pbuf {
	struct rte_mbuf *in;
	struct rte_mbuf *out;
	uint32_t in_len;
	uint32_t out_cap;
	uint16_t out_segs;
	uint32_t src;          /* request index in the data set */
	uint32_t produced;     /* output of the last completed run of this buffer */
	bool ok;               /* the last run succeeded */
	bool done_once;
};

/* One in-flight slot: an op, and the buffers it cycles through. */
struct pslot {
	struct wd_comp_op *op;
	uint32_t buf;          /* current buffer */
	uint32_t round;        /* how many buffers this slot has started */
	uint64_t t_start;      /* TSC before the enqueue call */
	/* stateful */
	void *stream;
	uint32_t in_off;
	uint32_t out_off;
	bool midstream;        /* ops of its stream have written its buffer; more to come */
};

struct pctx {
	struct perf_job *job;
	const struct perf_opts *o;
	struct rte_mempool *mp;
	struct pbuf *bufs;
	uint32_t nb_bufs;
	struct pslot *slots;
	uint32_t nb_slots;
	void *xform;
	struct wd_comp_xform xf;
	uint32_t req_len;      /* uncompressed bytes per request */
	uint32_t chunk;        /* stateful op size */
	uint8_t *scratch;      /* verification buffer */
	uint32_t scratch_len;
	uint64_t seen_lat;
	uint64_t rnd;
	uint64_t hz;
	bool stopping;
	uint64_t reqs_started;
	uint64_t reqs_target;  /* 0 = run for the duration */
	bool progress_self;    /* this lcore prints the progress line itself */
};

static uint64_t
prng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
job_error(struct perf_job *job, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
job_error(struct perf_job *job, int rc, const char *fmt, ...)
{
	va_list ap;

	if (job->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(job->err, sizeof(job->err), fmt, ap);
		va_end(ap);
	}
	if (rc != 0 && job->rc == 0)
		job->rc = rc;
}

/* Enqueues refused for PERF_STALL_SEC while nothing of this run is in flight. */
static void
enqueue_stalled(struct perf_job *job)
{
	job_error(job, -ETIMEDOUT, "the queue pair accepted no op for %d s (is it full of "
		  "ops the device never completed?)", PERF_STALL_SEC);
}

static void
lat_record(struct pctx *c, uint64_t ticks)
{
	struct perf_result *r = &c->job->res;

	c->seen_lat++;
	if (r->nb_lat < PERF_LAT_SAMPLES) {
		r->lat[r->nb_lat++] = ticks;
	} else {
		uint64_t j = prng(&c->rnd) % c->seen_lat;

		if (j < PERF_LAT_SAMPLES)
			r->lat[j] = ticks;
	}
}

/* ---------------------------------------------------------------- */
/* set-up                                                            */
/* ---------------------------------------------------------------- */

static uint16_t
segs_for(uint32_t cap, uint16_t want)
{
	uint32_t need = (cap + PERF_MAX_SEG_DATA - 1) / PERF_MAX_SEG_DATA;

	if (need > want)
		return (uint16_t)need;
	/* as perf_chain_alloc() makes them: no more segments than bytes */
	return cap < want ? (uint16_t)(cap > 0 ? cap : 1) : want;
}

static int
ctx_setup(struct pctx *c)
{
	struct perf_job *job = c->job;
	const struct perf_opts *o = c->o;
	bool comp = job->op == WD_OP_COMPRESS;
	uint32_t nb_req = job->nb_req, in_max = 0, out_max = 0, room = 0, m;
	uint16_t in_segs_max = 0, out_segs_max = 0;
	uint64_t per_buf;
	unsigned int nmbufs;
	char name[RTE_MEMPOOL_NAMESIZE];
	static uint32_t seq;
	uint32_t id = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
	int socket = (int)rte_socket_id();

	c->req_len = perf_req_len(job->data, job->size);
	c->nb_slots = o->inflight;
	c->chunk = o->stateful ? (o->chunk != 0 ? o->chunk : (c->req_len + 3) / 4) : c->req_len;
	if (c->chunk == 0)
		c->chunk = 1;

	/* Worst-case sizes of one buffer. */
	for (uint32_t i = 0; i < nb_req; i++) {
		uint32_t in = comp ? c->req_len : job->cin->len[i];

		if (in > in_max)
			in_max = in;
	}
	if (comp)
		out_max = (uint32_t)wd_comp_bound(o->format, c->req_len) +
			  (o->stateful ? (c->req_len / c->chunk + 1) * 16 + 64 : 0);
	else
		out_max = c->req_len + 64;
	per_buf = (uint64_t)in_max + out_max;

	/* As many buffers as fit the budget, a multiple of the slot count. */
	m = (uint32_t)(PERF_LCORE_MEM / ((uint64_t)c->nb_slots * per_buf));
	if (m == 0)
		m = 1;
	if (m > (nb_req + c->nb_slots - 1) / c->nb_slots)
		m = (nb_req + c->nb_slots - 1) / c->nb_slots;
	if (m == 0)
		m = 1;
	if ((uint64_t)c->nb_slots * per_buf > (1ull << 30)) {
		job_error(job, -ENOMEM, "%u ops in flight of %u bytes need more than 1 GiB of "
			  "buffers: lower --inflight (at most %" PRIu64 " here)", c->nb_slots,
			  job->size, (uint64_t)((1ull << 30) / per_buf));
		return -ENOMEM;
	}
	c->nb_bufs = c->nb_slots * m;

	c->bufs = calloc(c->nb_bufs, sizeof(*c->bufs));
	c->slots = calloc(c->nb_slots, sizeof(*c->slots));
	if (c->bufs == NULL || c->slots == NULL) {
		job_error(job, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	/* Segment sizes: the pool's data room must hold the largest one. */
	for (uint32_t b = 0; b < c->nb_bufs; b++) {
		struct pbuf *pb = &c->bufs[b];
		uint16_t is, os;

		pb->src = (job->first_req + b) % nb_req;
		pb->in_len = comp ? c->req_len : job->cin->len[pb->src];
		pb->out_cap = comp ? out_max : c->req_len + 64;
		is = segs_for(pb->in_len, o->segments);
		os = segs_for(pb->out_cap, o->segments);
		pb->out_segs = os;
		if (is > in_segs_max)
			in_segs_max = is;
		if (os > out_segs_max)
			out_segs_max = os;
		if (perf_seg_len(pb->in_len, is) > room)
			room = perf_seg_len(pb->in_len, is);
		if (perf_seg_len(pb->out_cap, os) > room)
			room = perf_seg_len(pb->out_cap, os);
	}
	job->res.segments = segs_for(comp ? c->req_len : in_max, o->segments);
	nmbufs = c->nb_bufs * (in_segs_max + out_segs_max) + 64;
	snprintf(name, sizeof(name), "wdp_mb_%u_%u", job->qps.lcore, id);
	c->mp = rte_pktmbuf_pool_create(name, nmbufs, 0, 0,
					(uint16_t)(room + RTE_PKTMBUF_HEADROOM), socket);
	if (c->mp == NULL) {
		job_error(job, -ENOMEM, "cannot create a pool of %u mbufs of %u bytes (%u buffers "
			  "of %u + %u segments): %s (give EAL more memory with -m, or lower "
			  "--inflight or --segments)", nmbufs, room + RTE_PKTMBUF_HEADROOM,
			  c->nb_bufs, in_segs_max, out_segs_max, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (uint32_t b = 0; b < c->nb_bufs; b++) {
		struct pbuf *pb = &c->bufs[b];
		const uint8_t *src = comp ? perf_req_ptr(job->data, job->size, pb->src) :
					    job->cin->data[pb->src];

		pb->in = perf_chain_alloc(c->mp, pb->in_len, segs_for(pb->in_len, o->segments));
		pb->out = perf_chain_alloc(c->mp, pb->out_cap, pb->out_segs);
		if (pb->in == NULL || pb->out == NULL) {
			job_error(job, -ENOMEM, "cannot allocate mbuf chains");
			return -ENOMEM;
		}
		perf_chain_fill(pb->in, src, pb->in_len);
	}
	c->scratch_len = out_max > c->req_len + 64 ? out_max : c->req_len + 64;
	c->scratch = malloc(c->scratch_len);
	if (c->scratch == NULL) {
		job_error(job, -ENOMEM, "out of memory");
		return -ENOMEM;
	}

	/* Ops, from wd_comp's op pool. */
	snprintf(name, sizeof(name), "wdp_op_%u_%u", job->qps.lcore, id);
	job->op_pool = wd_comp_op_pool_create(name, c->nb_slots + 64, 0, 0, socket);
	if (job->op_pool == NULL) {
		job_error(job, -ENOMEM, "cannot create the op pool: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (uint32_t s = 0; s < c->nb_slots; s++) {
		c->slots[s].op = wd_comp_op_alloc(job->op_pool);
		if (c->slots[s].op == NULL) {
			job_error(job, -ENOMEM, "cannot allocate ops");
			return -ENOMEM;
		}
		c->slots[s].buf = s;
	}

	/* Transform and streams. */
	memset(&c->xf, 0, sizeof(c->xf));
	c->xf.type = job->op;
	c->xf.alg = o->format;
	c->xf.level = o->level;
	c->xf.window_log = o->window_log;
	c->xf.huffman = o->huffman;
	c->xf.chksum = WD_COMP_CHKSUM_NONE;
	if (!o->stateful) {
		int ret = wd_comp_private_xform_create(job->qps.dev_id, &c->xf, &c->xform);

		if (ret < 0) {
			job_error(job, ret, "cannot create the %s %s transform: %s",
				  perf_format_str(o->format), comp ? "compress" : "decompress",
				  strerror(-ret));
			return ret;
		}
	} else {
		for (uint32_t s = 0; s < c->nb_slots; s++) {
			int ret = wd_comp_stream_create(job->qps.dev_id, &c->xf,
							&c->slots[s].stream);

			if (ret < 0) {
				job_error(job, ret, "cannot create a %s %s stream: %s",
					  perf_format_str(o->format),
					  comp ? "compress" : "decompress", strerror(-ret));
				return ret;
			}
		}
	}
	c->hz = rte_get_timer_hz();
	c->rnd = job->qps.lcore + 1;
	job->res.lat = malloc(sizeof(uint64_t) * PERF_LAT_SAMPLES);
	if (job->res.lat == NULL) {
		job_error(job, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void
ctx_teardown(struct pctx *c)
{
	struct perf_job *job = c->job;

	if (c->slots != NULL) {
		for (uint32_t s = 0; s < c->nb_slots; s++) {
			if (c->slots[s].stream != NULL)
				wd_comp_stream_free(job->qps.dev_id, c->slots[s].stream);
			wd_comp_op_free(c->slots[s].op);
		}
	}
	if (c->xform != NULL)
		wd_comp_private_xform_free(job->qps.dev_id, c->xform);
	if (c->bufs != NULL) {
		for (uint32_t b = 0; b < c->nb_bufs; b++) {
			rte_pktmbuf_free(c->bufs[b].in);
			rte_pktmbuf_free(c->bufs[b].out);
		}
	}
	rte_mempool_free(c->mp);
	rte_mempool_free(job->op_pool);
	job->op_pool = NULL;
	free(c->bufs);
	free(c->slots);
	free(c->scratch);
}

/* ---------------------------------------------------------------- */
/* checks                                                            */
/* ---------------------------------------------------------------- */

/* Check the output of @p pb (rearmed) against zlib; count failures. */
static void
check_buf(struct pctx *c, struct pbuf *pb)
{
	struct perf_job *job = c->job;
	const uint8_t *ref = perf_req_ptr(job->data, job->size, pb->src);
	char why[160];

	job->res.verified++;
	if (pb->produced > c->scratch_len ||
	    perf_chain_read(pb->out, 0, pb->produced, c->scratch) < 0) {
		snprintf(why, sizeof(why), "output length %u does not fit the output buffer",
			 pb->produced);
		goto fail;
	}
	if (job->op == WD_OP_COMPRESS) {
		if (perf_check_inflate(c->o->format, c->scratch, pb->produced, ref, c->req_len,
				       why, sizeof(why)) == 0)
			return;
	} else {
		if (pb->produced == c->req_len && memcmp(c->scratch, ref, c->req_len) == 0)
			return;
		if (pb->produced != c->req_len)
			snprintf(why, sizeof(why), "decompressed %u bytes, expected %u",
				 pb->produced, c->req_len);
		else
			snprintf(why, sizeof(why), "decompressed data differs from the original");
	}
fail:
	job->res.verify_failures++;
	job->res.errors++;
	job_error(job, 0, "verification failed on request %u (%s %u bytes): %s", pb->src,
		  job->op == WD_OP_COMPRESS ? "compress" : "decompress", pb->in_len, why);
}

/* After the run: check every buffer's last output; keep compressed outputs. */
static void
post_run(struct pctx *c, bool checked_all)
{
	struct perf_job *job = c->job;

	/*
	 * A stream stopped half done has overwritten part of its buffer's
	 * last output (and the device may have written past what its ops
	 * produced): nothing there to check or keep. A stream whose first op
	 * was armed but never sent has not touched it.
	 */
	for (uint32_t i = 0; i < c->nb_slots; i++)
		if (c->slots[i].midstream)
			c->bufs[c->slots[i].buf].ok = false;
	for (uint32_t b = 0; b < c->nb_bufs; b++) {
		struct pbuf *pb = &c->bufs[b];

		if (!pb->done_once || !pb->ok)
			continue;
		perf_chain_rearm(pb->out, pb->out_cap, pb->out_segs);
		if (!checked_all)
			check_buf(c, pb);
		if (job->cout != NULL && job->cout->data[pb->src] == NULL) {
			uint8_t *copy = malloc(pb->produced ? pb->produced : 1);
			uint8_t *expected = NULL;

			if (copy == NULL)
				continue;
			if (perf_chain_read(pb->out, 0, pb->produced, copy) < 0) {
				free(copy);
				continue;
			}
			/*
			 * Another lcore may keep the same request's output at the
			 * same time: only the one whose copy is kept sets its length
			 */
			if (__atomic_compare_exchange_n(&job->cout->data[pb->src], &expected, copy,
							false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
				job->cout->len[pb->src] = pb->produced;
			else
				free(copy);
		}
	}
}

/* ---------------------------------------------------------------- */
/* op arming                                                         */
/* ---------------------------------------------------------------- */

static inline void
arm_stateless(struct pctx *c, struct pslot *s, uint32_t slot_idx)
{
	struct pbuf *pb = &c->bufs[s->buf];
	struct wd_comp_op *op = s->op;

	/*
	 * As dpdk-test-compress-perf arms each op (outside the timed calls):
	 * every segment of the output chain is given its full length again and
	 * the input's length is read from its first mbuf.
	 */
	perf_chain_rearm(pb->out, pb->out_cap, pb->out_segs);
	op->op_type = WD_COMP_OP_STATELESS;
	op->private_xform = c->xform;
	op->m_src = pb->in;
	op->m_dst = pb->out;
	op->src.offset = 0;
	op->src.length = rte_pktmbuf_pkt_len(pb->in);
	op->dst.offset = 0;
	op->flush_flag = WD_COMP_FLUSH_FINAL;
	op->input_chksum = 0;
	op->status = WD_COMP_OP_NOT_PROCESSED;
	op->user_data = slot_idx;
}

static inline void
arm_stateful(struct pctx *c, struct pslot *s, uint32_t slot_idx)
{
	struct pbuf *pb = &c->bufs[s->buf];
	struct wd_comp_op *op = s->op;
	uint32_t left = pb->in_len - s->in_off;
	uint32_t len = left < c->chunk ? left : c->chunk;

	if (s->out_off == 0)
		perf_chain_rearm(pb->out, pb->out_cap, pb->out_segs);
	op->op_type = WD_COMP_OP_STATEFUL;
	op->stream = s->stream;
	op->m_src = pb->in;
	op->m_dst = pb->out;
	op->src.offset = s->in_off;
	op->src.length = len;
	op->dst.offset = s->out_off;
	op->flush_flag = len == left ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_NONE;
	op->input_chksum = 0;
	op->status = WD_COMP_OP_NOT_PROCESSED;
	op->user_data = slot_idx;
}

/* Move a slot to its next buffer. @return false when the run should stop. */
static bool
slot_next_buf(struct pctx *c, struct pslot *s, uint32_t slot_idx)
{
	if (c->stopping)
		return false;
	if (c->reqs_target != 0 && c->reqs_started >= c->reqs_target)
		return false;
	s->round++;
	s->buf = (slot_idx + (uint64_t)s->round * c->nb_slots) % c->nb_bufs;
	c->reqs_started++;
	if (c->o->stateful) {
		s->in_off = 0;
		s->out_off = 0;
	}
	return true;
}

static int
stream_renew(struct pctx *c, struct pslot *s)
{
	int ret;

	/* A stream ends with its FINAL op; the next request gets a fresh one. */
	wd_comp_stream_free(c->job->qps.dev_id, s->stream);
	s->stream = NULL;
	ret = wd_comp_stream_create(c->job->qps.dev_id, &c->xf, &s->stream);
	if (ret < 0)
		job_error(c->job, ret, "cannot create a stream: %s", strerror(-ret));
	return ret;
}

/* ---------------------------------------------------------------- */
/* completion accounting                                              */
/* ---------------------------------------------------------------- */

static inline void
account_op(struct pctx *c, const struct wd_comp_op *op)
{
	struct perf_result *r = &c->job->res;

	r->status[op->status < WD_COMP_OP_STATUS_MAX ? op->status : WD_COMP_OP_ERROR]++;
	if (op->engine == WD_COMP_ENGINE_HW) {
		r->hw_ops++;
	} else if (op->engine == WD_COMP_ENGINE_SW) {
		r->sw_ops++;
		if (op->fallback_reason != WD_COMP_FB_NONE &&
		    op->fallback_reason < WD_COMP_FB_REASON_MAX)
			r->fallback[op->fallback_reason]++;
	}
}

static void
op_failed(struct pctx *c, const struct wd_comp_op *op, const struct pbuf *pb)
{
	c->job->res.errors++;
	job_error(c->job, 0, "op failed on request %u (%u bytes at offset %u): status %s, "
		  "engine %s, debug status 0x%" PRIx64, pb->src, op->src.length, op->src.offset,
		  wd_comp_op_status_str((enum wd_comp_op_status)op->status),
		  wd_comp_engine_str((enum wd_comp_engine)op->engine), op->debug_status);
}

/*
 * One completed op. @return true if the slot has another op to submit
 * (already armed), false if it is idle.
 */
static bool
complete_op(struct pctx *c, struct wd_comp_op *op, bool verify_now)
{
	uint32_t si = (uint32_t)op->user_data;
	struct pslot *s = &c->slots[si];
	struct pbuf *pb = &c->bufs[s->buf];
	struct perf_result *r = &c->job->res;
	bool ok = op->status == WD_COMP_OP_SUCCESS;

	account_op(c, op);
	r->ops++;
	if (!c->o->stateful) {
		pb->done_once = true;
		pb->ok = ok;
		if (ok) {
			r->bytes_in += op->consumed;
			r->bytes_out += op->produced;
			pb->produced = op->produced;
			if (verify_now) {
				perf_chain_rearm(pb->out, pb->out_cap, pb->out_segs);
				check_buf(c, pb);
			}
		} else {
			op_failed(c, op, pb);
		}
		r->requests++;
		if (!slot_next_buf(c, s, si))
			return false;
		arm_stateless(c, s, si);
		return true;
	}

	/* Stateful: advance through the request, one op at a time. */
	if (ok || op->status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE) {
		bool final = op->flush_flag == WD_COMP_FLUSH_FINAL;

		r->bytes_in += op->consumed;
		r->bytes_out += op->produced;
		s->in_off += op->consumed;
		s->out_off += op->produced;
		if (ok && (final && op->consumed == op->src.length)) {
			/* stream complete */
		} else if (ok && op->consumed < op->src.length &&
			   c->job->op == WD_OP_DECOMPRESS && final) {
			/* end of stream before the end of input: trailing bytes */
		} else if (op->consumed == 0 && op->produced == 0) {
			c->job->res.errors++;
			job_error(c->job, 0, "stream made no progress on request %u at input "
				  "offset %u (status %s)", pb->src, s->in_off,
				  wd_comp_op_status_str((enum wd_comp_op_status)op->status));
			ok = false;
		} else if (s->out_off >= pb->out_cap) {
			c->job->res.errors++;
			job_error(c->job, 0, "stream output of request %u exceeds %u bytes",
				  pb->src, pb->out_cap);
			ok = false;
		} else {
			s->midstream = true;
			arm_stateful(c, s, si);
			return true;
		}
	} else {
		op_failed(c, op, pb);
	}
	/* The request (stream) is over. */
	s->midstream = false;
	r->requests++;
	pb->done_once = true;
	pb->ok = ok;
	pb->produced = s->out_off;
	if (ok && verify_now) {
		perf_chain_rearm(pb->out, pb->out_cap, pb->out_segs);
		check_buf(c, pb);
	}
	if (stream_renew(c, s) < 0) {
		c->stopping = true;
		return false;
	}
	if (!slot_next_buf(c, s, si))
		return false;
	arm_stateful(c, s, si);
	return true;
}

static void
self_progress(struct pctx *c, uint64_t start, uint64_t *next)
{
	uint64_t now = rte_get_timer_cycles();

	if (now < *next)
		return;
	*next = now + c->hz;
	perf_progress(c->job, 1, (double)(now - start) / (double)c->hz, c->job->what);
}

/*
 * Queue-pair statistics around the measured loop: the fallback counts by
 * reason come from wd_comp's own counters (the ops' fallback_reason is
 * the cross-check).
 */
static void
stats_snap(struct pctx *c, struct wd_comp_stats *s)
{
	struct perf_job *job = c->job;

	memset(s, 0, sizeof(*s) * job->qps.nb_qp);
	for (unsigned int q = 0; q < job->qps.nb_qp; q++)
		if (wd_comp_qp_stats_get(job->qps.dev_id, job->qps.qp[q], &s[q]) < 0)
			job->res.stats_ok = false;
}

static void
stats_delta(struct pctx *c, const struct wd_comp_stats *before)
{
	struct perf_job *job = c->job;
	struct wd_comp_stats after[PERF_MAX_QPS_PER_LCORE];
	uint64_t fb[WD_COMP_FB_REASON_MAX] = { 0 };

	stats_snap(c, after);
	if (!job->res.stats_ok)
		return;
	for (unsigned int q = 0; q < job->qps.nb_qp; q++)
		for (int k = 0; k < WD_COMP_FB_REASON_MAX; k++)
			fb[k] += after[q].fallback[k] - before[q].fallback[k];
	memcpy(job->res.fallback, fb, sizeof(fb));
}

/* ---------------------------------------------------------------- */
/* throughput / latency / verify                                      */
/* ---------------------------------------------------------------- */

/*
 * At the end of a stateful run, the ops that continue a stream already
 * begun still go (its buffer then holds a whole stream to check or keep);
 * first ops of new streams do not. SIGINT/SIGTERM end at once.
 */
static uint32_t
stop_filter(struct pctx *c, struct wd_comp_op **ready, uint32_t nready, bool drain_over)
{
	uint32_t k = 0;

	if (!c->o->stateful || perf_force_stop || drain_over)
		return 0;
	for (uint32_t i = 0; i < nready; i++)
		if (c->slots[ready[i]->user_data].midstream)
			ready[k++] = ready[i];
	return k;
}

static void
run_loop(struct pctx *c)
{
	struct perf_job *job = c->job;
	const struct perf_opts *o = c->o;
	struct perf_result *r = &job->res;
	const uint8_t dev = job->qps.dev_id;
	const unsigned int nqp = job->qps.nb_qp;
	bool verify_now = o->mode == PERF_MODE_VERIFY;
	uint16_t deq_max = (uint16_t)(o->burst > 64 ? o->burst : 64);
	struct wd_comp_op **ready, **deq;
	struct wd_comp_stats stats0[PERF_MAX_QPS_PER_LCORE];
	uint32_t nready = 0, inflight = 0, qi = 0;
	uint64_t start, end, now, last_done, next_progress, stall;

	ready = calloc(c->nb_slots, sizeof(*ready));
	deq = calloc(deq_max, sizeof(*deq));
	if (ready == NULL || deq == NULL) {
		job_error(job, -ENOMEM, "out of memory");
		goto out;
	}
	c->reqs_target = o->iterations ? o->iterations * c->nb_bufs : 0;
	for (uint32_t s = 0; s < c->nb_slots; s++) {
		if (c->reqs_target != 0 && c->reqs_started >= c->reqs_target)
			break;
		c->slots[s].round = 0;
		c->slots[s].buf = s % c->nb_bufs;
		c->reqs_started++;
		if (o->stateful)
			arm_stateful(c, &c->slots[s], s);
		else
			arm_stateless(c, &c->slots[s], s);
		ready[nready++] = c->slots[s].op;
	}

	c->job->res.stats_ok = true;
	stats_snap(c, stats0);
	start = rte_get_timer_cycles();
	end = start + (uint64_t)(o->duration * (double)c->hz);
	stall = (uint64_t)PERF_STALL_SEC * c->hz;
	last_done = start;
	next_progress = start + c->hz;
	while (true) {
		uint16_t n, enq, nd;

		if (nready > 0) {
			n = (uint16_t)(nready < o->burst ? nready : o->burst);
			now = rte_rdtsc();
			for (uint16_t i = 0; i < n; i++)
				c->slots[ready[i]->user_data].t_start = now;
			enq = wd_comp_enqueue_burst(dev, job->qps.qp[qi], ready, n);
			if (enq > 0) {
				last_done = rte_get_timer_cycles();
				nready -= enq;
				if (nready > 0)
					memmove(ready, ready + enq, nready * sizeof(*ready));
				inflight += enq;
			} else {
				r->enq_retries++;
			}
			if (nqp > 1)
				qi = (qi + 1) % nqp;
		}
		nd = 0;
		for (unsigned int q = 0; q < nqp; q++) {
			uint16_t k = wd_comp_dequeue_burst(dev, job->qps.qp[q], deq + nd,
							   (uint16_t)(deq_max - nd));

			nd += k;
			if (nd == deq_max)
				break;
		}
		now = rte_rdtsc();
		if (nd == 0) {
			r->deq_retries++;
		} else {
			last_done = now;
			inflight -= nd;
			for (uint16_t i = 0; i < nd; i++) {
				struct wd_comp_op *op = deq[i];

				lat_record(c, now - c->slots[op->user_data].t_start);
				if (complete_op(c, op, verify_now))
					ready[nready++] = op;
			}
			job->live_ops = r->ops;
			job->live_bytes_in = r->bytes_in;
		}
		now = rte_get_timer_cycles();
		if (!c->stopping && (perf_force_stop ||
				     (c->reqs_target == 0 && now >= end)))
			c->stopping = true;
		/*
		 * Ops armed but not submitted are not sent, but a stream's next ones
		 * (for one more --duration at most: then as SIGINT).
		 */
		if (c->stopping) {
			r->interrupted = r->interrupted || perf_force_stop;
			nready = stop_filter(c, ready, nready,
					     c->reqs_target == 0 && now >= end + (end - start));
		}
		if (nready == 0 && inflight == 0)
			break;
		if (inflight > 0 && now - last_done > stall) {
			job_error(job, -ETIMEDOUT, "no completion for %d s with %u ops in flight: "
				  "the device stopped answering", PERF_STALL_SEC, inflight);
			r->errors += inflight;
			break;
		}
		if (inflight == 0 && nready > 0 && now - last_done > stall) {
			enqueue_stalled(job);
			break;
		}
		if (c->progress_self)
			self_progress(c, start, &next_progress);
	}
	now = rte_get_timer_cycles();
	r->seconds = (double)(now - start) / (double)c->hz;
	r->tsc_total = (uint64_t)(r->seconds * (double)rte_get_tsc_hz());
	stats_delta(c, stats0);
out:
	free(ready);
	free(deq);
}

/* ---------------------------------------------------------------- */
/* cyclecount                                                         */
/* ---------------------------------------------------------------- */

/*
 * One pass over every buffer, as dpdk-test-compress-perf's cyclecount
 * main loop: bursts of --burst ops are armed (not timed), enqueued
 * (timed), then after --cc-delay-us whatever is done is dequeued (timed,
 * including calls that return nothing); at the end of the pass the
 * remaining ops are dequeued (timed).
 */
/* Per-call samples of cyclecount (ticks per op, fixed point x 256). */
struct cc_samples {
	uint64_t *enq, *deq;
	uint64_t nenq, ndeq, cap;
};

static void
cc_sample(uint64_t *v, uint64_t *n, uint64_t cap, uint64_t ticks, unsigned int ops)
{
	if (*n < cap)
		v[(*n)++] = ticks * 256 / ops;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
median256(uint64_t *v, uint64_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return (double)v[n / 2] / 256.0;
}

static int
cc_pass(struct pctx *c, struct wd_comp_op **freeops, uint32_t *nfree, struct wd_comp_op **enq_ops,
	struct wd_comp_op **deq_ops, bool measure, struct cc_samples *smp)
{
	struct perf_job *job = c->job;
	const struct perf_opts *o = c->o;
	struct perf_result *r = &job->res;
	const uint8_t dev = job->qps.dev_id;
	const uint16_t qp = job->qps.qp[0];
	uint32_t remaining = c->nb_bufs, next_buf = 0, inflight = 0, unused = 0;
	uint64_t t0, t1, enq_cyc = 0, deq_cyc = 0, enq_retries = 0, deq_retries = 0, ops = 0;
	uint64_t last_done = rte_get_timer_cycles(), stall = (uint64_t)PERF_STALL_SEC * c->hz;

	while (remaining > 0 || inflight > 0) {
		uint16_t n = 0, enq = 0, nd;
		uint32_t deq_n;

		if (remaining > 0) {
			uint32_t need;

			n = (uint16_t)(remaining < o->burst ? remaining : o->burst);
			if (n < unused)
				n = (uint16_t)unused;
			need = n - unused;
			if (need > *nfree) {
				need = *nfree;
				n = (uint16_t)(unused + need);
			}
			for (uint32_t i = 0; i < need; i++) {
				struct wd_comp_op *op = freeops[--(*nfree)];
				struct pslot *s = &c->slots[op->user_data];

				s->buf = next_buf++;
				arm_stateless(c, s, (uint32_t)op->user_data);
				enq_ops[unused + i] = op;
			}
			if (n > 0) {
				t0 = rte_rdtsc_precise();
				enq = wd_comp_enqueue_burst(dev, qp, enq_ops, n);
				t1 = rte_rdtsc_precise();
				enq_cyc += t1 - t0;
				if (enq < n)
					enq_retries++;
				if (measure && enq > 0)
					cc_sample(smp->enq, &smp->nenq, smp->cap, t1 - t0, enq);
				unused = n - enq;
				if (unused > 0 && enq > 0)
					memmove(enq_ops, enq_ops + enq, unused * sizeof(*enq_ops));
				remaining -= enq;
				inflight += enq;
				if (enq > 0)
					last_done = rte_get_timer_cycles();
			}
			if (o->cc_delay_us)
				rte_delay_us_block(o->cc_delay_us);
		}
		deq_n = inflight > 0 ? inflight : 1;
		t0 = rte_rdtsc_precise();
		nd = wd_comp_dequeue_burst(dev, qp, deq_ops, (uint16_t)(deq_n > UINT16_MAX ?
									UINT16_MAX : deq_n));
		t1 = rte_rdtsc_precise();
		deq_cyc += t1 - t0;
		if (nd < deq_n || remaining == 0)
			deq_retries++;
		if (measure && nd > 0)
			cc_sample(smp->deq, &smp->ndeq, smp->cap, t1 - t0, nd);
		if (nd > 0) {
			last_done = rte_get_timer_cycles();
			inflight -= nd;
			for (uint16_t i = 0; i < nd; i++) {
				struct wd_comp_op *op = deq_ops[i];
				struct pbuf *pb = &c->bufs[c->slots[op->user_data].buf];

				account_op(c, op);
				ops++;
				pb->done_once = true;
				pb->ok = op->status == WD_COMP_OP_SUCCESS;
				if (pb->ok) {
					pb->produced = op->produced;
					r->bytes_in += op->consumed;
					r->bytes_out += op->produced;
				} else {
					op_failed(c, op, pb);
				}
				freeops[(*nfree)++] = op;
			}
		} else if (inflight > 0 && rte_get_timer_cycles() - last_done > stall) {
			job_error(job, -ETIMEDOUT, "no completion for %d s with %u ops in flight: "
				  "the device stopped answering", PERF_STALL_SEC, inflight);
			r->errors += inflight;
			return -ETIMEDOUT;
		} else if (inflight == 0 && remaining > 0 &&
			   rte_get_timer_cycles() - last_done > stall) {
			enqueue_stalled(job);
			return -ETIMEDOUT;
		}
		if (perf_force_stop && remaining > 0) {
			remaining = 0; /* drain and stop */
			unused = 0;
			r->interrupted = true;
		}
	}
	/* Ops armed but never accepted go back to the free list. */
	for (uint32_t i = 0; i < unused; i++)
		freeops[(*nfree)++] = enq_ops[i];
	if (measure) {
		r->ops += ops;
		r->requests += ops;
		r->enq_retries += enq_retries;
		r->deq_retries += deq_retries;
		r->enq_cycles_per_op += (double)enq_cyc; /* sums; divided at the end */
		r->deq_cycles_per_op += (double)deq_cyc;
	} else {
		/* warm-up pass: forget its figures */
		memset(r->status, 0, sizeof(r->status));
		r->hw_ops = r->sw_ops = 0;
		memset(r->fallback, 0, sizeof(r->fallback));
		r->bytes_in = r->bytes_out = 0;
	}
	return 0;
}

static void
cc_loop(struct pctx *c)
{
	struct perf_job *job = c->job;
	const struct perf_opts *o = c->o;
	struct perf_result *r = &job->res;
	struct wd_comp_op **freeops, **enq_ops, **deq_ops;
	uint32_t nfree = 0;
	uint64_t start, end, passes = 0, next_progress;
	uint64_t errors_before;
	struct cc_samples smp = { .cap = 1u << 20 };
	struct wd_comp_stats stats0[PERF_MAX_QPS_PER_LCORE];

	smp.enq = malloc(smp.cap * sizeof(uint64_t));
	smp.deq = malloc(smp.cap * sizeof(uint64_t));
	freeops = calloc(c->nb_slots, sizeof(*freeops));
	enq_ops = calloc(c->nb_slots + o->burst, sizeof(*enq_ops));
	deq_ops = calloc(c->nb_slots + o->burst, sizeof(*deq_ops));
	if (freeops == NULL || enq_ops == NULL || deq_ops == NULL || smp.enq == NULL ||
	    smp.deq == NULL) {
		job_error(job, -ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t s = 0; s < c->nb_slots; s++) {
		c->slots[s].op->user_data = s;
		freeops[nfree++] = c->slots[s].op;
	}
	/* The slot of an op is fixed; its buffer changes: give slots their own index. */
	/* Warm-up pass (caches, device state), as dpdk-test-compress-perf runs twice. */
	errors_before = r->errors;
	if (cc_pass(c, freeops, &nfree, enq_ops, deq_ops, false, &smp) < 0)
		goto out;
	if (r->errors != errors_before)
		goto out;
	r->ops = r->requests = 0;

	r->stats_ok = true;
	stats_snap(c, stats0);
	start = rte_get_timer_cycles();
	end = start + (uint64_t)(o->duration * (double)c->hz);
	next_progress = start + c->hz;
	do {
		if (cc_pass(c, freeops, &nfree, enq_ops, deq_ops, true, &smp) < 0)
			break;
		passes++;
		job->live_ops = r->ops;
		job->live_bytes_in = r->bytes_in;
		if (c->progress_self)
			self_progress(c, start, &next_progress);
	} while (!(r->interrupted = perf_force_stop) &&
		 (o->iterations ? passes < o->iterations : rte_get_timer_cycles() < end));
	r->seconds = (double)(rte_get_timer_cycles() - start) / (double)c->hz;
	r->tsc_total = (uint64_t)(r->seconds * (double)rte_get_tsc_hz());
	if (r->ops > 0) {
		r->enq_cycles_per_op /= (double)r->ops;
		r->deq_cycles_per_op /= (double)r->ops;
	}
	r->enq_cycles_p50 = median256(smp.enq, smp.nenq);
	r->deq_cycles_p50 = median256(smp.deq, smp.ndeq);
	stats_delta(c, stats0);
out:
	free(smp.enq);
	free(smp.deq);
	free(freeops);
	free(enq_ops);
	free(deq_ops);
}

/* ---------------------------------------------------------------- */

int
perf_lcore_main(void *arg)
{
	struct perf_job *job = arg;
	struct pctx c;
	const struct perf_opts *o = job->opts;
	int ret;

	memset(&c, 0, sizeof(c));
	c.job = job;
	c.o = o;
	c.progress_self = o->progress && rte_lcore_id() == rte_get_main_lcore();
	job->live_ops = 0;
	ret = ctx_setup(&c);
	job->setup_failed = ret < 0;
	if (job->barrier != NULL) {
		__atomic_add_fetch(&job->barrier->ready, 1, __ATOMIC_RELEASE);
		while (!job->barrier->go && !perf_force_stop)
			rte_pause();
	}
	if (ret == 0) {
		if (o->mode == PERF_MODE_CYCLECOUNT)
			cc_loop(&c);
		else
			run_loop(&c);
		post_run(&c, o->mode == PERF_MODE_VERIFY);
	}
	ctx_teardown(&c);
	job->done = true;
	return 0;
}
