/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ZIP engine of the device model: executes one type-0 ZIP SQE (reference
 * sections 10-13, 17). Entry point hzm_zip_exec(); see hzm_zip.h and
 * doc/model.md ("ZIP engine") for the behaviour chosen where the
 * reference is silent.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_log.h>

#include "hzm_zip_priv.h"

RTE_LOG_REGISTER(hzm_engine_logtype, model.hisi_zip, NOTICE);

/* A stream decompression executing (to refuse a second request of its context). */
struct hzm_busy {
	uint64_t ctx;
	struct hzm_busy *next;
};

struct hzm_zip {
	struct hzm_zip_cfg cfg;
	bool use_isal;
	pthread_mutex_t wlock;        /* free_workers and busy */
	struct hzm_worker *free_workers;
	struct hzm_busy *busy;
	_Atomic uint64_t next_id;
};

/* One request: the SQE (cpu-endian dwords), its decoded fields, its results. */
struct hzm_req {
	uint32_t dw[32];
	unsigned int dir;
	unsigned int req_type;
	unsigned int buf_type;
	unsigned int win;
	bool stateful;
	bool new_stream;
	bool finish;
	bool gzip;
	uint64_t in_len;
	uint64_t avail_out;
	uint64_t src;
	uint64_t dst;
	uint64_t ctx;
	uint64_t in_off;
	uint64_t out_off;
	/* results */
	unsigned int status;
	bool last_block;
	uint64_t consumed;
	uint64_t produced;
	uint64_t comp_len;
	uint32_t ctx0, ctx1, ctx2, isize, checksum;
	struct hzm_fault fault;
};

/* Running checksum of a stream in its natural form (adler / crc32). */
struct hzm_chk {
	uint32_t sum;
	uint32_t isize;
};

const char *
hzm_zip_status_str(unsigned int status)
{
	switch (status) {
	case HZM_ST_OK: return "ok";
	case HZM_ST_BAD_REQ: return "unsupported request";
	case HZM_ST_LEN_ERR: return "length above limit";
	case HZM_ST_WIN_ERR: return "bad window size";
	case HZM_ST_SGL_ERR: return "malformed SGL";
	case HZM_ST_DATA_ERR: return "invalid deflate data";
	case HZM_ST_TRUNC_ERR: return "truncated input";
	case HZM_ST_CTX_ERR: return "stream context error";
	case HZM_ST_AXI_ERR: return "DMA translation fault";
	case HZM_ST_INTERNAL: return "model out of memory";
	case HZM_ST_NEGACOMPRESS: return "incompressible";
	case HZM_ST_DSTLEN_OUT: return "output buffer too small";
	case HZM_ST_CRC_ERR: return "checksum mismatch";
	case HZM_ST_DECOMP_END: return "end of stream";
	default: return "unknown";
	}
}

/* ---- engine object ---- */

int
hzm_zip_create_opts(const struct hzm_zip_cfg *cfg, const struct hzm_zip_opts *opts,
		    struct hzm_zip **zp)
{
	static const struct hzm_zip_opts defaults;
	struct hzm_zip *z;

	if (cfg == NULL || zp == NULL)
		return -EINVAL;
	if (opts == NULL)
		opts = &defaults;
	if (cfg->mode != HZIP_MODEL_ENGINE_REAL && cfg->mode != HZIP_MODEL_ENGINE_STORE)
		return -EINVAL;
	if (cfg->stateless_end != HZM_ST_OK && cfg->stateless_end != HZM_ST_DECOMP_END)
		return -EINVAL;
	if (opts->backend != HZM_ZIP_BACKEND_AUTO && opts->backend != HZM_ZIP_BACKEND_ZLIB)
		return -EINVAL;
	z = calloc(1, sizeof(*z));
	if (z == NULL)
		return -ENOMEM;
	z->cfg = *cfg;
	z->use_isal = WD_HAVE_ISAL && opts->backend == HZM_ZIP_BACKEND_AUTO;
	pthread_mutex_init(&z->wlock, NULL);
	/* stream identities: unique per device and unlikely to repeat across devices */
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		atomic_init(&z->next_id, ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)(uintptr_t)z ^
					 (uint64_t)ts.tv_sec);
	}
	*zp = z;
	return 0;
}

int
hzm_zip_create(const struct hzm_zip_cfg *cfg, struct hzm_zip **zp)
{
	return hzm_zip_create_opts(cfg, NULL, zp);
}

static void
worker_free(struct hzm_worker *w)
{
	hzm_codec_free(w);
	free(w->in_buf);
	free(w->out_buf);
	free(w->dict);
	free(w->src.v);
	free(w->dst.v);
	free(w);
}

void
hzm_zip_destroy(struct hzm_zip *z)
{
	if (z == NULL)
		return;
	while (z->free_workers != NULL) {
		struct hzm_worker *w = z->free_workers;

		z->free_workers = w->next;
		worker_free(w);
	}
	pthread_mutex_destroy(&z->wlock);
	free(z);
}

static struct hzm_worker *
worker_get(struct hzm_zip *z)
{
	struct hzm_worker *w;

	pthread_mutex_lock(&z->wlock);
	w = z->free_workers;
	if (w != NULL)
		z->free_workers = w->next;
	pthread_mutex_unlock(&z->wlock);
	if (w != NULL)
		return w;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->dict = malloc(HZM_CTX_HIST_SIZE);
	if (w->dict == NULL) {
		free(w);
		return NULL;
	}
	return w;
}

static void
worker_put(struct hzm_zip *z, struct hzm_worker *w)
{
	pthread_mutex_lock(&z->wlock);
	w->next = z->free_workers;
	z->free_workers = w;
	pthread_mutex_unlock(&z->wlock);
}

/* Mark the stream of context @p ctx executing. @return false if it already is. */
static bool
busy_enter(struct hzm_zip *z, struct hzm_busy *b, uint64_t ctx)
{
	bool ok = true;

	pthread_mutex_lock(&z->wlock);
	for (const struct hzm_busy *o = z->busy; o != NULL && ok; o = o->next)
		ok = o->ctx != ctx;
	if (ok) {
		b->ctx = ctx;
		b->next = z->busy;
		z->busy = b;
	}
	pthread_mutex_unlock(&z->wlock);
	return ok;
}

static void
busy_leave(struct hzm_zip *z, struct hzm_busy *b)
{
	struct hzm_busy **pp;

	pthread_mutex_lock(&z->wlock);
	for (pp = &z->busy; *pp != NULL && *pp != b; pp = &(*pp)->next)
		;
	if (*pp == b)
		*pp = b->next;
	pthread_mutex_unlock(&z->wlock);
}

static uint64_t
new_stream_id(struct hzm_zip *z)
{
	return atomic_fetch_add_explicit(&z->next_id, 1, memory_order_relaxed);
}

/* ---- helpers ---- */

static unsigned int
hist_bits_of(unsigned int win)
{
	/* 4K, 8K, 16K, 24K (no power of two: 16K is used), 32K */
	static const unsigned int bits[HZM_WIN_CODE_MAX + 1] = { 12, 13, 14, 14, 15 };

	return bits[win];
}

static void
chk_fresh(const struct hzm_req *r, struct hzm_chk *c)
{
	c->sum = r->gzip ? 0 : 1;  /* crc32 / adler32 of nothing */
	c->isize = 0;
}

/* dw31/dw30 -> running values (section 17.1 encodings) */
static void
chk_decode(const struct hzm_req *r, struct hzm_chk *c)
{
	uint32_t v = r->dw[HZM_SQE_DW_CHECKSUM];

	c->sum = r->gzip ? ~hzm_bitrev32(v) : v;
	c->isize = r->dw[HZM_SQE_DW_ISIZE];
}

/* running values -> dw31/dw30 */
static void
chk_encode(struct hzm_req *r, const struct hzm_chk *c)
{
	r->checksum = r->gzip ? hzm_bitrev32(~c->sum) : c->sum;
	r->isize = c->isize;
}

static void
chk_update(const struct hzm_req *r, struct hzm_chk *c, const uint8_t *p, uint64_t n)
{
	c->sum = r->gzip ? hzm_crc32(c->sum, p, n) : hzm_adler32(c->sum, p, n);
	c->isize += (uint32_t)n;
}

static unsigned int
trailer_len(const struct hzm_req *r)
{
	return r->gzip ? HZM_GZIP_TRAILER_LEN : HZM_ZLIB_TRAILER_LEN;
}

static void
trailer_make(const struct hzm_req *r, const struct hzm_chk *c, uint8_t *t)
{
	if (r->gzip) {
		t[0] = (uint8_t)c->sum;
		t[1] = (uint8_t)(c->sum >> 8);
		t[2] = (uint8_t)(c->sum >> 16);
		t[3] = (uint8_t)(c->sum >> 24);
		t[4] = (uint8_t)c->isize;
		t[5] = (uint8_t)(c->isize >> 8);
		t[6] = (uint8_t)(c->isize >> 16);
		t[7] = (uint8_t)(c->isize >> 24);
	} else {
		t[0] = (uint8_t)(c->sum >> 24);
		t[1] = (uint8_t)(c->sum >> 16);
		t[2] = (uint8_t)(c->sum >> 8);
		t[3] = (uint8_t)c->sum;
	}
}

static unsigned int
fault_status(struct hzm_req *r, bool write, uint64_t iova)
{
	r->fault.hit = true;
	r->fault.write = write;
	r->fault.iova = iova;
	return HZM_ST_AXI_ERR;
}

/* Check the context area a stream request uses ([ctx, ctx + HZM_CTX_USED)). */
static unsigned int
ctx_area_check(struct hzm_iommu *mmu, struct hzm_req *r, bool write)
{
	uint64_t bad;

	if (hzm_dma_check(mmu, r->ctx, HZM_CTX_USED, &bad) != 0)
		return fault_status(r, write, bad);
	return HZM_ST_OK;
}

static void
rec_fresh(struct hzm_ctx_rec *rec, const struct hzm_req *r, uint64_t id)
{
	memset(rec, 0, sizeof(*rec));
	rec->magic = HZM_CTX_MAGIC;
	rec->dir = (uint8_t)r->dir;
	rec->req_type = (uint8_t)r->req_type;
	rec->win_code = (uint8_t)r->win;
	rec->id = id;
}

/* A continuing request must match the record of its context buffer. */
static bool
rec_matches(const struct hzm_ctx_rec *rec, const struct hzm_req *r)
{
	if (rec->magic != HZM_CTX_MAGIC || rec->dir != r->dir || rec->req_type != r->req_type)
		return false;
	if (rec->flags & HZM_REC_F_ENDED)
		return false;
	if (rec->hist_len > HZM_CTX_HIST_SIZE || rec->hist_pos >= HZM_CTX_HIST_SIZE)
		return false;
	/* the driver chains ctx_dw0/1/2 from the previous completion */
	return rec->ctx_dw0 == r->dw[HZM_SQE_DW_CTX0] && rec->ctx_dw1 == r->dw[HZM_SQE_DW_CTX1] &&
	       rec->ctx_dw2 == r->dw[HZM_SQE_DW_CTX2];
}

static void
rec_set_result(struct hzm_req *r, const struct hzm_ctx_rec *rec)
{
	r->ctx0 = rec->ctx_dw0;
	r->ctx1 = rec->ctx_dw1;
	r->ctx2 = rec->ctx_dw2;
}

/* Buffers of a request: source ranges (exact) and destination ranges (capacity). */
static unsigned int
buffers_src(struct hzm_iommu *mmu, struct hzm_worker *w, struct hzm_req *r, const uint8_t **in)
{
	unsigned int st;

	if (r->in_len == 0) {
		/* zero-length input: the source address (flat or SGL) is not accessed */
		w->src.n = 0;
		w->src.total = 0;
		return hzm_in_get(mmu, w, &w->src, 0, in, &r->fault);
	}
	if (r->buf_type == HZM_BUF_SGL)
		st = hzm_sgl_walk(mmu, r->src, r->in_off, r->in_len, true, &w->src, &r->fault);
	else
		st = hzm_segv_flat(&w->src, r->src, r->in_len) == 0 ? HZM_ST_OK : HZM_ST_INTERNAL;
	if (st != HZM_ST_OK)
		return st;
	return hzm_in_get(mmu, w, &w->src, r->in_len, in, &r->fault);
}

/*
 * The destination; @p in (r->in_len bytes) is the source as buffers_src()
 * gave it. A destination that overlaps the source in place (a driver bug:
 * silicon would produce garbage) goes through the bounce buffer: the codecs
 * and memcpy must never see overlapping buffers.
 */
static unsigned int
buffers_dst(struct hzm_iommu *mmu, struct hzm_worker *w, struct hzm_req *r, const uint8_t *in,
	    uint8_t **out, bool *direct)
{
	unsigned int st;

	if (r->buf_type == HZM_BUF_SGL)
		st = hzm_sgl_walk(mmu, r->dst, r->out_off, r->avail_out, false, &w->dst, &r->fault);
	else
		st = hzm_segv_flat(&w->dst, r->dst, r->avail_out) == 0 ? HZM_ST_OK :
									 HZM_ST_INTERNAL;
	if (st != HZM_ST_OK)
		return st;
	*out = hzm_out_get(mmu, w, &w->dst, direct);
	if (*out != NULL && *direct && r->in_len > 0 && w->dst.total > 0 &&
	    (uintptr_t)*out < (uintptr_t)in + r->in_len &&
	    (uintptr_t)in < (uintptr_t)*out + w->dst.total)
		*out = hzm_out_get_bounce(w, &w->dst, direct);
	return *out != NULL ? HZM_ST_OK : HZM_ST_INTERNAL;
}

/* ---- compression ---- */

/*
 * 0x0e: the request has no effect. A new stream exists nevertheless (its
 * fresh state is what the completion reports), so that the driver may
 * resend with more room without the new-stream bit, as UADK does.
 */
static void
dstlen_out(struct hzm_iommu *mmu, struct hzm_req *r, const struct hzm_ctx_rec *rec)
{
	if (r->stateful && r->new_stream)
		hzm_ctx_store(mmu, r->ctx, rec);
	r->status = HZM_ST_DSTLEN_OUT;
}

static void
do_compress(struct hzm_zip *z, struct hzm_worker *w, struct hzm_iommu *mmu, struct hzm_req *r)
{
	unsigned int tl = trailer_len(r), hb = hist_bits_of(r->win), st;
	struct hzm_ctx_rec rec;
	struct hzm_chk chk;
	const uint8_t *in;
	uint8_t *out;
	bool direct, store = z->cfg.mode == HZIP_MODEL_ENGINE_STORE;
	uint64_t cap, body_cap;
	int64_t n;

	/* stream state before the request: fresh, or from the context buffer + SQE */
	if (r->stateful && !r->new_stream) {
		st = hzm_ctx_load(mmu, r->ctx, &rec, &r->fault);
		if (st != HZM_ST_OK) {
			r->status = st;
			return;
		}
		if (!rec_matches(&rec, r)) {
			HZM_LOG(DEBUG, "compress: context 0x%" PRIx64 " does not continue a stream",
				r->ctx);
			r->status = HZM_ST_CTX_ERR;
			return;
		}
		chk_decode(r, &chk);
		st = ctx_area_check(mmu, r, false);
		if (st != HZM_ST_OK) {
			r->status = st;
			return;
		}
	} else {
		rec_fresh(&rec, r, r->stateful ? new_stream_id(z) : 0);
		chk_fresh(r, &chk);
		if (r->stateful) {
			st = ctx_area_check(mmu, r, true);
			if (st != HZM_ST_OK) {
				r->status = st;
				return;
			}
		}
	}
	if (r->stateful)
		rec_set_result(r, &rec);
	chk_encode(r, &chk);

	st = buffers_src(mmu, w, r, &in);
	if (st == HZM_ST_OK)
		st = buffers_dst(mmu, w, r, in, &out, &direct);
	if (st != HZM_ST_OK) {
		r->status = st;
		return;
	}
	cap = w->dst.total;
	if (r->finish && cap < tl) {
		dstlen_out(mmu, r, &rec);
		return;
	}
	body_cap = r->finish ? cap - tl : cap;

	if (store) {
		n = hzm_deflate_stored(in, r->in_len, out, body_cap, r->finish);
	} else {
		struct hzm_deflate_args a = {
			.in = in,
			.in_len = r->in_len,
			.out = out,
			.cap = body_cap,
			.dict = w->dict,
			.dict_len = 0,
			.hist_bits = hb,
			.finish = r->finish,
		};

		if (r->stateful) {
			a.dict_len = rec.hist_len < (1u << hb) ? rec.hist_len : (1u << hb);
			hzm_hist_read(mmu, r->ctx, &rec, w->dict, a.dict_len);
		}
		n = hzm_deflate_real(w, z->use_isal, &a);
		if (n == -2) {
			r->status = HZM_ST_INTERNAL;
			return;
		}
		/*
		 * Incompressible (deflate not smaller than the input) or too big for
		 * the buffer: stored blocks instead, when they fit and are smaller.
		 */
		if (n < 0 || (r->in_len > 0 && (uint64_t)n >= r->in_len)) {
			uint64_t ss = hzm_stored_size(r->in_len, r->finish);

			if (ss <= body_cap && (n < 0 || ss <= (uint64_t)n))
				n = hzm_deflate_stored(in, r->in_len, out, body_cap, r->finish);
		}
	}
	if (n < 0) {
		dstlen_out(mmu, r, &rec);
		return;
	}
	chk_update(r, &chk, in, r->in_len);
	if (r->finish) {
		trailer_make(r, &chk, out + n);
		r->produced = (uint64_t)n + tl;
	} else {
		r->produced = (uint64_t)n;
	}
	if (!direct) {
		st = hzm_out_put(mmu, &w->dst, out, r->produced, &r->fault);
		if (st != HZM_ST_OK) {
			r->produced = 0;
			r->status = st;
			return;
		}
	}
	r->consumed = r->in_len;
	r->comp_len = r->produced;
	r->status = HZM_ST_OK;
	if (!r->stateful && !store && r->in_len > 0 && (uint64_t)n >= r->in_len)
		r->status = HZM_ST_NEGACOMPRESS;
	chk_encode(r, &chk);
	if (r->stateful) {
		if (!store)
			hzm_hist_append(mmu, r->ctx, &rec, in, r->in_len);
		rec.seq++;
		rec.ctx_dw0 = 0;
		rec.ctx_dw1 = 0;
		rec.ctx_dw2 = (rec.hist_len & HZM_CTX2_WIN_LEN_MASK) |
			      ((rec.seq & 0xffffu) << HZM_CTX2_SEQ_SHIFT);
		rec.win_code = (uint8_t)r->win;
		rec.checksum = r->checksum;
		rec.isize = r->isize;
		if (r->finish)
			rec.flags |= HZM_REC_F_ENDED;
		hzm_ctx_store(mmu, r->ctx, &rec);
		rec_set_result(r, &rec);
	}
}

/* ---- decompression ---- */

/* @return true if the trailer at @p t matches the running values */
static bool
trailer_good(const struct hzm_req *r, const struct hzm_chk *c, const uint8_t *t)
{
	uint8_t want[8];

	trailer_make(r, c, want);
	return memcmp(want, t, trailer_len(r)) == 0;
}

static void
decompress_stateless(struct hzm_zip *z, struct hzm_worker *w, struct hzm_iommu *mmu,
		     struct hzm_req *r)
{
	unsigned int tl = trailer_len(r), st;
	const uint8_t *in;
	uint8_t *out;
	bool direct;
	uint64_t used = 0, prod = 0;
	struct hzm_chk chk;
	enum hzm_inf_rc rc;

	chk_fresh(r, &chk);
	chk_encode(r, &chk);
	st = buffers_src(mmu, w, r, &in);
	if (st == HZM_ST_OK)
		st = buffers_dst(mmu, w, r, in, &out, &direct);
	if (st != HZM_ST_OK) {
		r->status = st;
		return;
	}
	rc = hzm_inflate_oneshot(w, z->use_isal, in, r->in_len, out, w->dst.total, &used, &prod);
	switch (rc) {
	case HZM_INF_END:
		break;
	case HZM_INF_OUT_FULL:
		r->status = HZM_ST_DSTLEN_OUT;
		return;
	case HZM_INF_TRUNC:
		r->status = HZM_ST_TRUNC_ERR;
		return;
	case HZM_INF_NOMEM:
		r->status = HZM_ST_INTERNAL;
		return;
	default:
		r->status = HZM_ST_DATA_ERR;
		return;
	}
	if (r->in_len - used < tl) {
		r->status = HZM_ST_TRUNC_ERR;  /* deflate ended, trailer missing */
		return;
	}
	chk_update(r, &chk, out, prod);
	if (!direct) {
		st = hzm_out_put(mmu, &w->dst, out, prod, &r->fault);
		if (st != HZM_ST_OK) {
			r->status = st;
			return;
		}
	}
	/*
	 * End of stream, good trailer: 0x00 by default, which the kernel's
	 * acomp driver requires (it fails anything but 0x00/0x0d) and UADK
	 * accepts; 0x13 with stateless_end=0x13. Bit 8 either way.
	 */
	if (trailer_good(r, &chk, in + used)) {
		r->status = z->cfg.stateless_end;
		r->last_block = true;
	} else {
		r->status = HZM_ST_CRC_ERR;
	}
	r->consumed = used + tl;
	r->produced = prod;
	r->comp_len = r->consumed;
	chk_encode(r, &chk);
}

static void
decompress_stream(struct hzm_zip *z, struct hzm_worker *w, struct hzm_iommu *mmu,
		  struct hzm_req *r)
{
	unsigned int tl = trailer_len(r), st, ctx_st = HZM_CTX_ST_NONE;
	struct hzm_ctx_rec rec;
	struct hzm_dstate ds;
	struct hzm_busy busy;
	struct hzm_chk chk;
	const uint8_t *in;
	uint8_t *out;
	bool direct, ended = false, failed = false, bfinal;
	size_t used = 0, prod = 0, cap, hist = 0;

	/*
	 * First: a second request of the context must not read the record
	 * while the first one is about to write it.
	 */
	if (!busy_enter(z, &busy, r->ctx)) {
		HZM_LOG(DEBUG, "decompress: context 0x%" PRIx64 " has a request executing",
			r->ctx);
		r->status = HZM_ST_CTX_ERR;
		return;
	}
	if (!r->new_stream) {
		st = hzm_ctx_load(mmu, r->ctx, &rec, &r->fault);
		if (st == HZM_ST_OK && !rec_matches(&rec, r)) {
			HZM_LOG(DEBUG, "decompress: context 0x%" PRIx64
				" does not continue a stream", r->ctx);
			st = HZM_ST_CTX_ERR;
		}
		if (st == HZM_ST_OK)
			st = ctx_area_check(mmu, r, false);
		chk_decode(r, &chk);
	} else {
		st = ctx_area_check(mmu, r, true);
		rec_fresh(&rec, r, new_stream_id(z));
		chk_fresh(r, &chk);
	}
	if (st != HZM_ST_OK) {
		busy_leave(z, &busy);
		r->status = st;
		return;
	}
	if (r->new_stream) {
		memset(&ds, 0, sizeof(ds));
		hzm_sinf_init(&ds.inf);
	} else {
		hzm_dstate_load(mmu, r->ctx, &ds);
		hist = rec.hist_len;
		hzm_hist_read(mmu, r->ctx, &rec, w->dict, (uint32_t)hist);
	}
	rec_set_result(r, &rec);
	chk_encode(r, &chk);

	st = buffers_src(mmu, w, r, &in);
	if (st == HZM_ST_OK)
		st = buffers_dst(mmu, w, r, in, &out, &direct);
	if (st != HZM_ST_OK) {
		/*
		 * Nothing consumed, nothing written: a continuing stream is as it
		 * was; a new one never started (its record was not written).
		 */
		busy_leave(z, &busy);
		r->status = st;
		return;
	}
	cap = w->dst.total;
	r->status = HZM_ST_OK;
	if (ds.tr_len > tl) {
		r->status = HZM_ST_CTX_ERR;  /* not a state this device wrote */
		failed = true;
	} else if (!ds.deflate_done) {
		int rc = hzm_sinf_run(&ds.inf, in, r->in_len, &used, out, cap, &prod, w->dict,
				      hist);

		if (rc == HZM_SINF_END) {
			ds.deflate_done = 1;
		} else if (rc == HZM_SINF_BAD) {
			HZM_LOG(DEBUG, "decompress: invalid deflate data");
			r->status = HZM_ST_DATA_ERR;
			failed = true;
		}
	}
	chk_update(r, &chk, out, prod);
	if (!failed && ds.deflate_done) {
		/* the trailer may arrive in pieces */
		while (ds.tr_len < tl && used < r->in_len)
			ds.tr[ds.tr_len++] = in[used++];
		if (ds.tr_len == tl) {
			/* stream mode: end of stream is always 0x13 + bit 8 */
			r->last_block = trailer_good(r, &chk, ds.tr);
			r->status = r->last_block ? HZM_ST_DECOMP_END : HZM_ST_CRC_ERR;
			ended = true;
		}
	}
	bfinal = ds.deflate_done || hzm_sinf_bfinal(&ds.inf);
	if (!failed && !ds.deflate_done && cap > 0 && prod == cap) {
		/* output full: more may be pending; the driver resends (empty input drains) */
		ctx_st = (bfinal && used == r->in_len) ? HZM_CTX_ST_DECOMP_NO_SPACE :
							 HZM_CTX_ST_DECOMPING_NO_SPACE;
	}
	if (!direct) {
		st = hzm_out_put(mmu, &w->dst, out, prod, &r->fault);
		if (st != HZM_ST_OK) {
			r->status = st;
			failed = true;
			prod = 0;
			used = 0;
		}
	}
	r->consumed = used;
	r->produced = prod;
	r->comp_len = used;
	if (r->fault.hit) {
		/*
		 * A faulting request writes nothing: the context keeps the state
		 * before it (the completion returns the ctx words it came with).
		 */
		busy_leave(z, &busy);
		return;
	}
	hzm_hist_append(mmu, r->ctx, &rec, out, prod);
	rec.seq++;
	rec.ctx_dw0 = ctx_st | (bfinal ? HZM_CTX0_BFINAL : 0);
	rec.ctx_dw1 = hzm_sinf_stored_left(&ds.inf) & HZM_CTX1_STORE_MASK;
	rec.ctx_dw2 = (rec.hist_len & HZM_CTX2_WIN_LEN_MASK) |
		      ((rec.seq & 0xffffu) << HZM_CTX2_SEQ_SHIFT);
	chk_encode(r, &chk);
	rec.checksum = r->checksum;
	rec.isize = r->isize;
	if (ended || failed)
		rec.flags |= HZM_REC_F_ENDED;
	hzm_dstate_store(mmu, r->ctx, &ds);
	hzm_ctx_store(mmu, r->ctx, &rec);
	rec_set_result(r, &rec);
	busy_leave(z, &busy);
}

/* ---- entry point ---- */

static void
sqe_load(struct hzm_req *r, const uint8_t *sqe)
{
	memcpy(r->dw, sqe, sizeof(r->dw));
	for (unsigned int i = 0; i < 32; i++)
		r->dw[i] = rte_le_to_cpu_32(r->dw[i]);
}

static void
sqe_store(const struct hzm_req *r, uint8_t *sqe)
{
	uint32_t v[32];

	memcpy(v, sqe, sizeof(v));
	v[HZM_SQE_DW_CONSUMED] = rte_cpu_to_le_32((uint32_t)r->consumed);
	v[HZM_SQE_DW_PRODUCED] = rte_cpu_to_le_32((uint32_t)r->produced);
	v[HZM_SQE_DW_COMP_LEN] = rte_cpu_to_le_32((uint32_t)r->comp_len);
	v[HZM_SQE_DW_STATUS] = rte_cpu_to_le_32((r->status & HZM_DW3_STATUS_MASK) |
						(r->last_block ? HZM_DW3_LAST_BLOCK : 0));
	v[HZM_SQE_DW_CTX0] = rte_cpu_to_le_32(r->ctx0);
	v[HZM_SQE_DW_CTX1] = rte_cpu_to_le_32(r->ctx1);
	v[HZM_SQE_DW_CTX2] = rte_cpu_to_le_32(r->ctx2);
	v[HZM_SQE_DW_ISIZE] = rte_cpu_to_le_32(r->isize);
	v[HZM_SQE_DW_CHECKSUM] = rte_cpu_to_le_32(r->checksum);
	memcpy(sqe, v, sizeof(v));
}

/* Field checks common to both directions. @return a status. */
static unsigned int
sqe_decode(struct hzm_req *r, unsigned int sqc_type)
{
	const uint32_t *dw = r->dw;
	uint32_t dw7 = dw[HZM_SQE_DW_DW7], dw9 = dw[HZM_SQE_DW_DW9];

	r->dir = sqc_type;
	r->req_type = dw9 & HZM_DW9_REQ_TYPE_MASK;
	r->buf_type = (dw9 & HZM_DW9_BUF_TYPE_MASK) >> HZM_DW9_BUF_TYPE_SHIFT;
	r->win = (dw9 & HZM_DW9_WIN_MASK) >> HZM_DW9_WIN_SHIFT;
	r->stateful = (dw7 & HZM_DW7_STATEFUL) != 0;
	r->new_stream = (dw7 & HZM_DW7_NEW_STREAM) != 0;
	/* stateless: every request is a whole stream, whatever bit 25 says */
	r->finish = !r->stateful || (dw7 & HZM_DW7_FLUSH_FINISH) != 0;
	r->gzip = r->req_type == HZM_REQ_GZIP;
	r->in_len = dw[HZM_SQE_DW_IN_LEN];
	r->avail_out = dw[HZM_SQE_DW_AVAIL_OUT];
	r->src = (uint64_t)dw[HZM_SQE_DW_SRC_H] << 32 | dw[HZM_SQE_DW_SRC_L];
	r->dst = (uint64_t)dw[HZM_SQE_DW_DST_H] << 32 | dw[HZM_SQE_DW_DST_L];
	r->ctx = (uint64_t)dw[HZM_SQE_DW_CTXBUF_H] << 32 | dw[HZM_SQE_DW_CTXBUF_L];
	/* SGL skips apply to SGL buffers; flat buffers are advanced by the driver */
	r->in_off = r->buf_type == HZM_BUF_SGL ? (dw7 & HZM_DW7_IN_SGL_OFF_MASK) : 0;
	r->out_off = r->buf_type == HZM_BUF_SGL ?
		     (dw[HZM_SQE_DW_DW8] & HZM_DW8_OUT_SGL_OFF_MASK) : 0;

	if (sqc_type != HZM_SQC_COMPRESS && sqc_type != HZM_SQC_DECOMPRESS)
		return HZM_ST_BAD_REQ;
	if ((dw7 & HZM_DW7_SQE_TYPE_MASK) >> HZM_DW7_SQE_TYPE_SHIFT != HZM_SQE_TYPE_V1V2)
		return HZM_ST_BAD_REQ;
	if (r->req_type != HZM_REQ_ZLIB && r->req_type != HZM_REQ_GZIP)
		return HZM_ST_BAD_REQ;
	if (r->buf_type != HZM_BUF_FLAT && r->buf_type != HZM_BUF_SGL)
		return HZM_ST_BAD_REQ;
	/* the window matters to compression only (section 17.2) */
	if (sqc_type == HZM_SQC_COMPRESS && r->win > HZM_WIN_CODE_MAX)
		return HZM_ST_WIN_ERR;
	/*
	 * 8 MiB per flat buffer (section 10.3: what UADK enforces on its flat
	 * path). An SGL's size is its entries' (UADK's SGL path and the
	 * kernel's acomp pass the lengths through): an output larger than the
	 * list is bounded by the list; an input is checked against it.
	 */
	if (r->buf_type == HZM_BUF_FLAT &&
	    (r->in_len > HZM_MAX_IN_LEN || r->avail_out > HZM_MAX_AVAIL_OUT))
		return HZM_ST_LEN_ERR;
	return HZM_ST_OK;
}

void
hzm_zip_exec(struct hzm_zip *z, struct hzm_iommu *mmu, uint8_t sqe[128], unsigned int sqc_type,
	     struct hzm_zip_result *res)
{
	struct hzm_req r;
	struct hzm_worker *w;

	if (res == NULL)
		return;
	memset(res, 0, sizeof(*res));
	if (z == NULL || mmu == NULL || sqe == NULL)
		return;
	memset(&r, 0, sizeof(r));
	sqe_load(&r, sqe);
	/* until told otherwise, the state words come back as they went in */
	r.ctx0 = r.dw[HZM_SQE_DW_CTX0];
	r.ctx1 = r.dw[HZM_SQE_DW_CTX1];
	r.ctx2 = r.dw[HZM_SQE_DW_CTX2];
	r.isize = r.dw[HZM_SQE_DW_ISIZE];
	r.checksum = r.dw[HZM_SQE_DW_CHECKSUM];
	r.status = sqe_decode(&r, sqc_type);
	if (r.status != HZM_ST_OK) {
		HZM_LOG(DEBUG, "SQE rejected: %s (dw7 0x%08x dw9 0x%08x type %u)",
			hzm_zip_status_str(r.status), r.dw[HZM_SQE_DW_DW7], r.dw[HZM_SQE_DW_DW9],
			sqc_type);
	} else if (r.avail_out < HZM_MIN_AVAIL_OUT) {
		/* "HW ignores the request" (section 10.3): nothing read or written */
		r.status = HZM_ST_OK;
	} else if ((w = worker_get(z)) == NULL) {
		r.status = HZM_ST_INTERNAL;
	} else {
		if (!r.stateful) {
			r.ctx0 = r.ctx1 = r.ctx2 = 0;
		}
		if (sqc_type == HZM_SQC_COMPRESS)
			do_compress(z, w, mmu, &r);
		else if (r.stateful)
			decompress_stream(z, w, mmu, &r);
		else
			decompress_stateless(z, w, mmu, &r);
		worker_put(z, w);
	}
	if (r.status != HZM_ST_OK && r.status != HZM_ST_NEGACOMPRESS &&
	    r.status != HZM_ST_DECOMP_END && r.status != HZM_ST_CRC_ERR) {
		r.consumed = 0;
		r.produced = 0;
		r.comp_len = 0;
	}
	sqe_store(&r, sqe);
	res->bytes_in = r.consumed;
	res->bytes_out = r.produced;
	res->dma_fault = r.fault.hit;
	res->fault_on_write = r.fault.write;
	res->fault_iova = r.fault.iova;
}
