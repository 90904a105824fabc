/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The queue engine: v2 doorbells [3], SQE fetch and execution, results
 * written back into the SQE slot, CQE posting with the phase bit [6],
 * c_flag events into the EQ, asynchronous events into the AEQ [5.4].
 *
 *   driver thread                         engine thread (owner of the queue)
 *   -------------                         ----------------------------------
 *   SQE stores, barrier
 *   doorbell(SQ, tail) --> db_tail (release), pending bit, wake if asleep
 *                                         fetch SQE[exec] (acquire db_tail)
 *                                         execute, write dw0-3/15/28-31 back
 *                                         (timing model: hold until due)
 *                                         done++ (release)
 *                                         CQE{sq_head, sq_num}, w7 phase (release)
 *                                         c_flag ? EQE + MSI 0
 *   poll CQE phase, read SQE slot
 *   doorbell(CQ, head) --> head (release), c_flag re-arm (priority bit0)
 *
 * One slot of an SQ always stays empty: a doorbell that would fill the
 * ring (more than depth - 1 SQEs not yet completed) is a driver error.
 */
#include <inttypes.h>
#include <string.h>

#include <rte_prefetch.h>

#include "hzm_private.h"

/* SQE dwords the device writes back [10.4], [17.1] */
#define SQE_DW(i)		((i) * 4)
#define SQE_RESULT_LO_OFF	SQE_DW(0)	/* dw0-3: consumed, produced, comp len, status */
#define SQE_RESULT_LO_LEN	16
#define SQE_CTX_DW0_OFF		SQE_DW(15)
#define SQE_RESULT_HI_OFF	SQE_DW(28)	/* ctx_dw1, ctx_dw2, isize, checksum */
#define SQE_RESULT_HI_LEN	16
#define SQE_STATUS_OFF		SQE_DW(3)
#define SQE_MAX_BATCH		32		/* SQEs of one queue per pass */

static inline uint32_t
ring_dist(uint32_t from, uint32_t to, uint32_t depth)
{
	return (to + depth - from) % depth;
}

/* Advance a [15:0] index | wrap << 16 word by one in a ring of @p depth. */
static inline uint32_t
ring_next(uint32_t v, uint32_t depth)
{
	uint32_t i = (v & 0xffff) + 1;
	uint32_t w = v >> 16;

	if (i == depth) {
		i = 0;
		w ^= 1;
	}
	return i | (w << 16);
}

/* ---- events ----------------------------------------------------------------------- */

/* Write a 4-byte event entry with release semantics. @return 0 or -EFAULT. */
static int
put_event(struct hzip_model *m, uint64_t iova, uint32_t v)
{
	uint32_t *p = hzm_dma_ptr(m->mmu, iova, sizeof(v));

	if (p != NULL) {
		__atomic_store_n(p, v, __ATOMIC_RELEASE);
		return 0;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return hzm_dma_write(m->mmu, iova, &v, sizeof(v));
}

static void
post_aeqe_locked(struct hzip_model *m, uint16_t qn, unsigned int type, bool *msi)
{
	struct hzm_eq *aeq = &m->aeq;
	uint32_t v;

	if (!aeq->valid)
		return;
	if (ring_dist(aeq->head, aeq->tail, aeq->depth) >= (uint32_t)aeq->depth - 1u) {
		if (!aeq->overflow) {
			aeq->overflow = true;
			hzm_raise_fifo_overflow(m, HZM_INF_FIFO_AEQ);
			HZM_LOG(ERR, m, "AEQ full (driver not consuming): event lost");
		}
		return;
	}
	aeq->overflow = false;
	v = qn | (aeq->phase ? HZM_EQE_PHASE : 0) | (type << HZM_AEQE_TYPE_SHIFT);
	if (put_event(m, aeq->base + (uint64_t)aeq->tail * HZM_EQE_SIZE, v) < 0) {
		hzm_raise_abnormal(m, HZM_QM_AXI_BRESP, 0);
		return;
	}
	if (++aeq->tail == aeq->depth) {
		aeq->tail = 0;
		aeq->phase ^= 1;
	}
	__atomic_store_n(&m->aeq_int_source, 1, __ATOMIC_RELEASE);
	*msi = true;
}

/* Post an AEQE; @p bracketed: the caller holds the IOMMU bracket. */
static void
post_aeqe(struct hzip_model *m, uint16_t qn, unsigned int type, bool bracketed)
{
	static const char *const names[] = { "CQ overflow", "EQ overflow", "CQE error" };
	bool msi = false;

	hzm_trace_note(m, "EV AEQE qn=%u type=%u (%s)", qn, type, type < 3 ? names[type] : "?");
	if (!bracketed)
		hzm_iommu_begin(m->mmu);
	pthread_mutex_lock(&m->ev_lock);
	post_aeqe_locked(m, qn, type, &msi);
	pthread_mutex_unlock(&m->ev_lock);
	if (!bracketed)
		hzm_iommu_end(m->mmu);
	if (msi && __atomic_load_n(&m->aeq_int_mask, __ATOMIC_RELAXED) == 0)
		hzm_msi(m, HZM_VEC_AEQ);
}

void
hzm_post_aeqe(struct hzip_model *m, uint16_t qn, unsigned int type)
{
	post_aeqe(m, qn, type, false);
}

static void
post_eqe(struct hzip_model *m, uint16_t cqn, bool bracketed)
{
	struct hzm_eq *eq = &m->eq;
	bool msi = false, overflow = false;

	if (!bracketed)
		hzm_iommu_begin(m->mmu);
	pthread_mutex_lock(&m->ev_lock);
	if (!eq->valid) {
		/* no EQ configured: no event (and no interrupt without an EQE to read) */
	} else if (ring_dist(eq->head, eq->tail, eq->depth) >= (uint32_t)eq->depth - 1u) {
		if (!eq->overflow) {
			eq->overflow = true;
			overflow = true;
		}
	} else {
		uint32_t v = cqn | (eq->phase ? HZM_EQE_PHASE : 0);

		eq->overflow = false;
		if (put_event(m, eq->base + (uint64_t)eq->tail * HZM_EQE_SIZE, v) == 0) {
			if (++eq->tail == eq->depth) {
				eq->tail = 0;
				eq->phase ^= 1;
			}
			__atomic_store_n(&m->eq_int_source, 1, __ATOMIC_RELEASE);
			msi = true;
		} else {
			hzm_raise_abnormal(m, HZM_QM_AXI_BRESP, 0);
		}
	}
	pthread_mutex_unlock(&m->ev_lock);
	if (overflow) {
		HZM_LOG(ERR, m, "EQ full (driver not consuming EQEs): EQ overflow");
		hzm_raise_fifo_overflow(m, HZM_INF_FIFO_EQ);
		post_aeqe(m, 0, HZM_AEQE_EQ_OVERFLOW, true);
	}
	if (!bracketed)
		hzm_iommu_end(m->mmu);
	if (msi && __atomic_load_n(&m->eq_int_mask, __ATOMIC_RELAXED) == 0)
		hzm_msi(m, HZM_VEC_EQ);
}

/* ---- doorbells ------------------------------------------------------------------- */

static void
cq_doorbell(struct hzip_model *m, uint16_t qn, uint16_t rand, uint16_t idx, uint16_t prio)
{
	struct hzm_cq *cq = &m->cqs[qn];
	uint32_t old, tail, n, wrap, depth;

	if (unlikely(!__atomic_load_n(&cq->valid, __ATOMIC_ACQUIRE))) {
		HZM_DRV_ERR(m, "CQ doorbell for queue %u whose CQC was never written: ignored", qn);
		return;
	}
	if (unlikely(rand != cq->rand)) {
		hzm_raise_abnormal(m, HZM_QM_DB_RANDOM_INVALID, 0);
		HZM_DRV_ERR(m, "CQ doorbell for queue %u with rand 0x%04x, CQC has 0x%04x: "
			    "dropped (abnormal bit 12)", qn, rand, cq->rand);
		return;
	}
	depth = cq->depth;
	if (unlikely(idx >= depth)) {
		HZM_DRV_ERR(m, "CQ doorbell for queue %u: head %u >= depth %u: ignored", qn, idx,
			    depth);
		return;
	}
	old = __atomic_load_n(&cq->head, __ATOMIC_RELAXED);
	tail = __atomic_load_n(&cq->tail, __ATOMIC_ACQUIRE) & 0xffff;
	n = ring_dist(old & 0xffff, idx, depth);
	if (unlikely(n > ring_dist(old & 0xffff, tail, depth))) {
		HZM_DRV_ERR(m, "CQ doorbell for queue %u: head %u passes the CQEs written (head "
			    "%u, tail %u): ignored", qn, idx, old & 0xffff, tail);
		return;
	}
	wrap = old >> 16;
	if ((old & 0xffff) + n >= depth)
		wrap ^= 1;
	__atomic_store_n(&cq->head, idx | (wrap << 16), __ATOMIC_RELEASE);
	__atomic_store_n(&cq->doorbells, cq->doorbells + 1, __ATOMIC_RELAXED);
	if (prio & 1) {
		/* re-arm the event [5.2]; CQEs already waiting raise it at once */
		__atomic_store_n(&cq->c_flag, 1, __ATOMIC_SEQ_CST);
		tail = __atomic_load_n(&cq->tail, __ATOMIC_SEQ_CST) & 0xffff;
		if (tail != idx && __atomic_exchange_n(&cq->c_flag, 0, __ATOMIC_ACQ_REL))
			post_eqe(m, qn, false);
	}
	/* a queue held by a full CQ (the engine also re-checks it every millisecond) */
	if (unlikely(__atomic_load_n(&cq->overflow, __ATOMIC_RELAXED)))
		hzm_engines_rescan(m);
}

void
hzm_doorbell_sq_cq(struct hzip_model *m, uint64_t v)
{
	uint16_t qn = (uint16_t)(v & HZM_DB_QN_MASK);
	unsigned int cmd = (unsigned int)((v >> HZM_DB_CMD_SHIFT) & HZM_DB_CMD_MASK);
	uint16_t rand = (uint16_t)(v >> HZM_DB_RAND_SHIFT);
	uint16_t idx = (uint16_t)(v >> HZM_DB_INDEX_SHIFT);
	uint16_t prio = (uint16_t)(v >> HZM_DB_PRIORITY_SHIFT);
	uint32_t qnum = hzm_qnum(m);
	struct hzm_sq *sq;
	uint32_t old, done, n, ot, wrap, depth;

	if (unlikely(m->trace != NULL))
		hzm_trace_doorbell(m, HZM_DOORBELL_SQ_CQ, v);
	if (unlikely(qn >= qnum)) {
		/* [8.1]: bit 9 "SQ VF invalid", bit 8 "CQ VF invalid" (PF-side on a VF) */
		uint32_t bit = cmd == HZM_DB_CMD_SQ ? HZM_QM_SQ_VF_INVALID :
			       cmd == HZM_DB_CMD_CQ ? HZM_QM_CQ_VF_INVALID : 0;

		if (bit != 0)
			hzm_raise_abnormal(m, bit, 0);
		HZM_DRV_ERR(m, "doorbell 0x%016" PRIx64 " for queue %u outside this function's "
			    "%u queues: ignored%s", v, qn, qnum,
			    bit == HZM_QM_SQ_VF_INVALID ? " (abnormal bit 9, SQ VF invalid)" :
			    bit == HZM_QM_CQ_VF_INVALID ? " (abnormal bit 8, CQ VF invalid)" : "");
		return;
	}
	if (cmd == HZM_DB_CMD_CQ) {
		cq_doorbell(m, qn, rand, idx, prio);
		return;
	}
	if (unlikely(cmd != HZM_DB_CMD_SQ)) {
		HZM_DRV_ERR(m, "doorbell command %u at 0x1000 (SQ = 0, CQ = 1; EQ/AEQ use "
			    "0x2000): ignored", cmd);
		return;
	}
	sq = &m->sqs[qn];
	if (unlikely(!__atomic_load_n(&sq->valid, __ATOMIC_ACQUIRE))) {
		HZM_DRV_ERR(m, "SQ doorbell for queue %u whose SQC was never written: ignored", qn);
		return;
	}
	if (unlikely(rand != sq->rand)) {
		hzm_raise_abnormal(m, HZM_QM_DB_RANDOM_INVALID, 0);
		HZM_DRV_ERR(m, "SQ doorbell for queue %u with rand 0x%04x, SQC has 0x%04x: "
			    "dropped (abnormal bit 12)", qn, rand, sq->rand);
		return;
	}
	depth = sq->depth;
	if (unlikely(idx >= depth)) {
		HZM_DRV_ERR(m, "SQ doorbell for queue %u: tail %u >= depth %u: ignored", qn, idx,
			    depth);
		return;
	}
	old = __atomic_load_n(&sq->db_tail, __ATOMIC_RELAXED);
	ot = old & 0xffff;
	n = ring_dist(ot, idx, depth);
	/*
	 * One slot stays empty. `done` only moves on from any value it had
	 * towards the tail, so a past value passing the check is enough; only
	 * when it fails is the engine's line read (it would cost the driver's
	 * core a transfer on every doorbell).
	 */
	done = sq->done_seen & 0xffff;
	if (unlikely(ring_dist(done, ot, depth) + n > depth - 1)) {
		sq->done_seen = __atomic_load_n(&sq->done, __ATOMIC_ACQUIRE);
		done = sq->done_seen & 0xffff;
	}
	if (unlikely(ring_dist(done, ot, depth) + n > depth - 1)) {
		HZM_DRV_ERR(m, "SQ doorbell for queue %u: tail %u would leave %u SQEs not "
			    "completed in a ring of %u (one slot must stay empty): ignored", qn,
			    idx, ring_dist(done, ot, depth) + n, depth);
		return;
	}
	wrap = old >> 16;
	if (ot + n >= depth)
		wrap ^= 1;
	if (m->timing)
		__atomic_store_n(&sq->db_ns, hzm_now_ns(), __ATOMIC_RELAXED);
	__atomic_store_n(&sq->db_tail, idx | (wrap << 16), __ATOMIC_RELEASE);
	/*
	 * One driver thread per queue: a plain count (no locked instruction),
	 * after the tail (release): the engine wakes on a new count.
	 */
	__atomic_store_n(&sq->doorbells, sq->doorbells + 1, __ATOMIC_RELEASE);
	/* nothing more: the engine compares its queues' tails with their heads */
}

void
hzm_doorbell_eq_aeq(struct hzip_model *m, uint64_t v)
{
	uint16_t qn = (uint16_t)(v & HZM_DB_QN_MASK);
	unsigned int cmd = (unsigned int)((v >> HZM_DB_CMD_SHIFT) & HZM_DB_CMD_MASK);
	uint16_t idx = (uint16_t)(v >> HZM_DB_INDEX_SHIFT);
	struct hzm_eq *eq;
	uint32_t *source;
	const char *name;

	if (unlikely(m->trace != NULL))
		hzm_trace_doorbell(m, HZM_DOORBELL_EQ_AEQ, v);
	if (cmd != HZM_DB_CMD_EQ && cmd != HZM_DB_CMD_AEQ) {
		HZM_DRV_ERR(m, "doorbell command %u at 0x2000 (EQ = 2, AEQ = 3; SQ/CQ use "
			    "0x1000): ignored", cmd);
		return;
	}
	eq = cmd == HZM_DB_CMD_EQ ? &m->eq : &m->aeq;
	source = cmd == HZM_DB_CMD_EQ ? &m->eq_int_source : &m->aeq_int_source;
	name = cmd == HZM_DB_CMD_EQ ? "EQ" : "AEQ";
	if (qn != 0) {
		HZM_DRV_ERR(m, "%s doorbell with queue number %u (must be 0): ignored", name, qn);
		return;
	}
	__atomic_fetch_add(&m->xeq_doorbells, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&m->ev_lock);
	if (!eq->valid) {
		pthread_mutex_unlock(&m->ev_lock);
		/* the kernel rings both at init, possibly before... no: after EQC/AEQC [9.3] */
		HZM_DRV_ERR(m, "%s doorbell before %sC was written: ignored", name, name);
		return;
	}
	if (idx >= eq->depth ||
	    ring_dist(eq->head, idx, eq->depth) > ring_dist(eq->head, eq->tail, eq->depth)) {
		uint32_t h = eq->head, t = eq->tail;

		pthread_mutex_unlock(&m->ev_lock);
		HZM_DRV_ERR(m, "%s doorbell head %u passes the entries written (head %u, tail "
			    "%u): ignored", name, idx, h, t);
		return;
	}
	eq->head = idx;
	if (eq->head == eq->tail)
		__atomic_store_n(source, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&m->ev_lock);
}

/* ---- context snapshots ------------------------------------------------------------ */

void
hzm_sqc_snapshot(const struct hzip_model *m, uint16_t qn, struct hzm_sqc *c)
{
	const struct hzm_sq *sq = &m->sqs[qn];
	uint32_t exec, tail;

	memset(c, 0, sizeof(*c));
	if (!__atomic_load_n(&sq->valid, __ATOMIC_ACQUIRE))
		return;
	exec = __atomic_load_n(&sq->exec, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&sq->db_tail, __ATOMIC_ACQUIRE);
	c->head = (uint16_t)exec;
	c->tail = (uint16_t)tail;
	c->base_l = (uint32_t)sq->base;
	c->base_h = (uint32_t)(sq->base >> 32);
	c->dw3 = (uint32_t)(sq->depth - 1) | (HZM_SQE_SIZE_LOG2 << HZM_QC_ESIZE_SHIFT);
	c->w8 = sq->rand;
	c->pasid = sq->pasid;
	c->w11 = (uint16_t)(((exec >> 16) ? HZM_QC_HEAD_WRAP : 0) |
			    ((tail >> 16) ? HZM_QC_TAIL_WRAP : 0));
	c->cq_num = sq->cqn;
	c->w13 = sq->w13;
}

void
hzm_cqc_snapshot(const struct hzip_model *m, uint16_t qn, struct hzm_cqc *c)
{
	const struct hzm_cq *cq = &m->cqs[qn];
	uint32_t head, tail;

	memset(c, 0, sizeof(*c));
	if (!__atomic_load_n(&cq->valid, __ATOMIC_ACQUIRE))
		return;
	head = __atomic_load_n(&cq->head, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&cq->tail, __ATOMIC_ACQUIRE);
	c->head = (uint16_t)head;
	c->tail = (uint16_t)tail;
	c->base_l = (uint32_t)cq->base;
	c->base_h = (uint32_t)(cq->base >> 32);
	c->dw3 = (uint32_t)(cq->depth - 1) | (HZM_CQE_SIZE_LOG2 << HZM_QC_ESIZE_SHIFT);
	c->w8 = cq->rand;
	c->pasid = cq->pasid;
	c->w11 = (uint16_t)(((head >> 16) ? HZM_QC_HEAD_WRAP : 0) |
			    ((tail >> 16) ? HZM_QC_TAIL_WRAP : 0));
	c->dw6 = cq->dw6_rsvd |
		 (__atomic_load_n(&cq->phase, __ATOMIC_RELAXED) ? HZM_CQC_PHASE : 0) |
		 (__atomic_load_n(&cq->c_flag, __ATOMIC_RELAXED) ? HZM_CQC_C_FLAG : 0);
}

void
hzm_eqc_snapshot(const struct hzm_eq *eq, struct hzm_eqc *c)
{
	memset(c, 0, sizeof(*c));
	if (!eq->valid)
		return;
	c->head = (uint16_t)eq->head;
	c->tail = (uint16_t)eq->tail;
	c->base_l = (uint32_t)eq->base;
	c->base_h = (uint32_t)(eq->base >> 32);
	c->dw3 = eq->dw3;
	c->dw6 = (uint32_t)(eq->depth - 1) | (eq->phase ? HZM_EQC_PHASE : 0);
}

/* ---- execution -------------------------------------------------------------------- */

static void
core_account(struct hzm_thread *t, struct hzm_sq *sq, const struct hzm_zip_result *res,
	     bool ok, uint64_t t0, uint64_t t1)
{
	uint32_t gate = __atomic_load_n(&t->m->clock_gate, __ATOMIC_RELAXED);
	unsigned int first, n, core = 0;
	struct hzm_core_dfx *c;
	uint64_t us = (t1 - t0) / 1000;
	unsigned int *rr;

	if (sq->type == HZM_SQC_TYPE_COMP) {
		first = 0;
		n = HZM_ZIP_COMP_CORES;
		rr = &t->rr_comp;
	} else {
		first = HZM_ZIP_COMP_CORES;
		n = HZM_ZIP_DECOMP_CORES;
		rr = &t->rr_decomp;
	}
	/* round-robin over the enabled cores of this direction */
	for (unsigned int k = 0; k < n; k++) {
		unsigned int cand = first + (*rr + k) % n;

		if (gate & (1u << cand)) {
			core = cand;
			*rr = (*rr + k + 1) % n;
			break;
		}
	}
	/* this thread is the only writer of its counters: relaxed stores, no RMW */
	c = &t->core[core];
#define HZM_ADD(f, v) __atomic_store_n(&c->f, c->f + (v), __ATOMIC_RELAXED)
	HZM_ADD(get_bd, 1);
	if (ok)
		HZM_ADD(good_bd, 1);
	else
		HZM_ADD(err_bd, 1);
	HZM_ADD(done_bd, 1);
	HZM_ADD(work_ns, t1 - t0);
	HZM_ADD(consumed, res->bytes_in);
	HZM_ADD(produced, res->bytes_out);
	HZM_ADD(sum_delay_us, us);
#undef HZM_ADD
	if (us > c->max_delay_us)
		__atomic_store_n(&c->max_delay_us, us, __ATOMIC_RELAXED);
	if (c->min_delay_us == 0 || us < c->min_delay_us)
		__atomic_store_n(&c->min_delay_us, us, __ATOMIC_RELAXED);
}

/* Stall for @p ms, in short steps so that destroy is not held up. */
static void
stall(struct hzip_model *m, uint32_t ms)
{
	uint64_t end = hzm_now_ns() + (uint64_t)ms * 1000000ull;

	hzm_trace_note(m, "EV injected stall %u ms", ms);
	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = hzm_now_ns();
		struct timespec ts = { 0, 1000000 };

		if (now >= end)
			break;
		if (end - now < 1000000ull)
			ts.tv_nsec = (long)(end - now);
		nanosleep(&ts, NULL);
	}
}

/* Write the result dwords back into the SQE slot [10.4]. @return 0 or -EFAULT. */
static int
write_back(struct hzip_model *m, uint8_t *slot, uint64_t iova, const uint8_t *sqe)
{
	if (slot != NULL) {
		memcpy(slot + SQE_RESULT_LO_OFF, sqe + SQE_RESULT_LO_OFF, SQE_RESULT_LO_LEN);
		memcpy(slot + SQE_CTX_DW0_OFF, sqe + SQE_CTX_DW0_OFF, 4);
		memcpy(slot + SQE_RESULT_HI_OFF, sqe + SQE_RESULT_HI_OFF, SQE_RESULT_HI_LEN);
		return 0;
	}
	if (hzm_dma_write(m->mmu, iova + SQE_RESULT_LO_OFF, sqe + SQE_RESULT_LO_OFF,
			  SQE_RESULT_LO_LEN) < 0 ||
	    hzm_dma_write(m->mmu, iova + SQE_CTX_DW0_OFF, sqe + SQE_CTX_DW0_OFF, 4) < 0 ||
	    hzm_dma_write(m->mmu, iova + SQE_RESULT_HI_OFF, sqe + SQE_RESULT_HI_OFF,
			  SQE_RESULT_HI_LEN) < 0)
		return -EFAULT;
	return 0;
}

static void
sq_broken(struct hzip_model *m, struct hzm_sq *sq, const char *what, uint64_t iova, bool wr)
{
	sq->broken = true;
	__atomic_fetch_add(&m->dma_faults, 1, __ATOMIC_RELAXED);
	HZM_LOG(ERR, m, "queue %u: %s at IOVA 0x%" PRIx64 " is not mapped: queue stopped until "
		"its SQC is written again", sq->qn, what, iova);
	hzm_trace_note(m, "EV queue %u stopped: %s fault at 0x%" PRIx64, sq->qn, what, iova);
	hzm_raise_abnormal(m, wr ? HZM_QM_AXI_BRESP : HZM_QM_AXI_RRESP, 0);
	post_aeqe(m, sq->qn, HZM_AEQE_CQE_ERROR, true);
}

/* Fetch and execute SQE @p exec of @p sq. @return false if the queue cannot go on. */
static bool
execute_one(struct hzm_thread *t, struct hzm_sq *sq, uint64_t now)
{
	struct hzip_model *m = t->m;
	uint32_t slot_idx = sq->exec & 0xffff;
	uint64_t iova = sq->base + (uint64_t)slot_idx * HZM_SQE_SIZE;
	struct hzm_slot *rec = &sq->slots[slot_idx];
	struct hzm_fault_act act;
	struct hzm_zip_result res;
	bool faulted = false;
	uint8_t *slot;
	uint64_t t0, t1;

	memset(&act, 0, sizeof(act));
	if (unlikely(__atomic_load_n(&m->fault_armed, __ATOMIC_ACQUIRE)) &&
	    hzm_fault_take(m, &act)) {
		if (act.stall_ms > 0)
			stall(m, act.stall_ms);
		if (act.ecc) {
			hzm_fault_ecc(m);
			return false;	/* the request stays in the ring; the engine halts */
		}
	}
	slot = hzm_dma_ptr(m->mmu, iova, HZM_SQE_SIZE);
	if (likely(slot != NULL)) {
		memcpy(t->sqe, slot, HZM_SQE_SIZE);
		/* the next slot is likely the next request (prefetches never fault) */
		if (slot_idx + 1u < sq->depth) {
			rte_prefetch0(slot + HZM_SQE_SIZE);
			rte_prefetch0(slot + HZM_SQE_SIZE + 64);
		}
	} else if (hzm_dma_read(m->mmu, iova, t->sqe, HZM_SQE_SIZE) < 0) {
		sq_broken(m, sq, "SQE fetch", iova, false);
		return false;
	}
	__atomic_store_n(&sq->exec, ring_next(sq->exec, sq->depth), __ATOMIC_RELEASE);
	__atomic_store_n(&sq->sqe_count, sq->sqe_count + 1, __ATOMIC_RELAXED);
	memset(&res, 0, sizeof(res));
	__atomic_store_n(&t->busy, 1, __ATOMIC_RELEASE);
	t0 = hzm_now_ns();
	if (unlikely(act.fail)) {
		uint32_t st = act.fail_status;

		memset(t->sqe + SQE_RESULT_LO_OFF, 0, SQE_RESULT_LO_LEN);
		memcpy(t->sqe + SQE_STATUS_OFF, &st, sizeof(st));
		hzm_trace_note(m, "EV injected failure: queue %u slot %u status 0x%02x", sq->qn,
			       slot_idx, st);
	} else {
		hzm_zip_exec(m->zip, m->mmu, t->sqe, sq->type, &res);
	}
	t1 = hzm_now_ns();
	__atomic_store_n(&t->busy, 0, __ATOMIC_RELEASE);
	core_account(t, sq, &res, !res.dma_fault && !act.fail && (t->sqe[SQE_STATUS_OFF] == 0 ||
		     t->sqe[SQE_STATUS_OFF] == 0x0d || t->sqe[SQE_STATUS_OFF] == 0x13), t0, t1);
	if (write_back(m, slot, iova, t->sqe) < 0) {
		sq_broken(m, sq, "SQE write-back", iova, true);
		return false;
	}
	if (unlikely(res.dma_fault)) {
		faulted = true;
		__atomic_fetch_add(&m->dma_faults, 1, __ATOMIC_RELAXED);
		HZM_LOG(ERR, m, "queue %u slot %u: device %s at IOVA 0x%" PRIx64 " outside the "
			"IOMMU mappings (request ended with status 0x%02x)", sq->qn, slot_idx,
			res.fault_on_write ? "write" : "read", res.fault_iova,
			t->sqe[SQE_STATUS_OFF]);
		hzm_trace_note(m, "EV IOMMU fault queue %u slot %u %s 0x%" PRIx64, sq->qn,
			       slot_idx, res.fault_on_write ? "write" : "read", res.fault_iova);
		hzm_raise_abnormal(m, res.fault_on_write ? HZM_QM_AXI_BRESP : HZM_QM_AXI_RRESP,
				   res.fault_on_write ? HZM_ZIP_AXI_BRESP : HZM_ZIP_AXI_RRESP);
		post_aeqe(m, sq->qn, HZM_AEQE_CQE_ERROR, true);
	}
	rec->flags = (act.drop ? HZM_SLOT_DROP : 0) | (act.bad_phase ? HZM_SLOT_BAD_PHASE : 0) |
		     (faulted ? HZM_SLOT_DMA_FAULT : 0);
	{
		uint64_t n = res.bytes_in > res.bytes_out ? res.bytes_in : res.bytes_out;

		rec->size = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	}
	rec->due_ns = m->timing ? hzm_timing_due(m, sq, now, rec->size) : 0;
	t->requests++;
	t->bytes_in += res.bytes_in;
	t->bytes_out += res.bytes_out;
	if (act.drop)
		hzm_trace_note(m, "EV injected drop: queue %u slot %u never completes", sq->qn,
			       slot_idx);
	return true;
}

/* Write one CQE [6.2]: everything, then w7 with the phase bit (release). */
static int
put_cqe(struct hzip_model *m, struct hzm_cq *cq, uint32_t tail, uint16_t slot, uint16_t sqn,
	uint32_t phase)
{
	uint64_t iova = cq->base + (uint64_t)tail * HZM_CQE_SIZE;
	struct hzm_cqe *p = hzm_dma_ptr(m->mmu, iova, HZM_CQE_SIZE);
	struct hzm_cqe e;

	if (likely(p != NULL)) {
		p->rsvd0 = 0;
		p->cmd_id = 0;
		p->rsvd1 = 0;
		p->sq_head = slot;
		p->sq_num = sqn;
		p->rsvd2 = 0;
		__atomic_store_n(&p->w7, (uint16_t)(phase & HZM_CQE_PHASE), __ATOMIC_RELEASE);
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.sq_head = slot;
	e.sq_num = sqn;
	if (hzm_dma_write(m->mmu, iova, &e, HZM_CQE_SIZE - 2) < 0)
		return -EFAULT;
	e.w7 = (uint16_t)(phase & HZM_CQE_PHASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return hzm_dma_write(m->mmu, iova + HZM_CQE_SIZE - 2, &e.w7, 2);
}

/* Post the completions that are due, in order. */
static unsigned int
post_due(struct hzm_thread *t, struct hzm_sq *sq, uint64_t now, uint64_t *next_due)
{
	struct hzip_model *m = t->m;
	struct hzm_cq *cq = &m->cqs[sq->cqn];
	unsigned int work = 0;

	while ((sq->done & 0xffff) != (sq->exec & 0xffff)) {
		uint16_t slot = (uint16_t)(sq->done & 0xffff);
		struct hzm_slot *rec = &sq->slots[slot];
		uint32_t tail, head, phase;

		if (rec->due_ns > now) {
			if (rec->due_ns < *next_due)
				*next_due = rec->due_ns;
			break;
		}
		if (unlikely(rec->flags & HZM_SLOT_DROP)) {
			__atomic_store_n(&sq->done, ring_next(sq->done, sq->depth),
					 __ATOMIC_RELEASE);
			work++;
			continue;
		}
		if (unlikely(!__atomic_load_n(&cq->valid, __ATOMIC_ACQUIRE))) {
			if (!sq->cq_wait)
				HZM_DRV_ERR(m, "queue %u completes into CQ %u whose CQC was never "
					    "written: completions wait", sq->qn, sq->cqn);
			sq->cq_wait = true;
			break;
		}
		tail = cq->tail;
		head = __atomic_load_n(&cq->head, __ATOMIC_ACQUIRE);
		if (unlikely(ring_dist(head & 0xffff, tail & 0xffff, cq->depth) >=
			     (uint32_t)cq->depth - 1u)) {
			/* CQ full: report once, then hold completions until a CQ doorbell */
			if (!cq->overflow) {
				__atomic_store_n(&cq->overflow, true, __ATOMIC_RELEASE);
				HZM_LOG(ERR, m, "CQ %u full (head %u, tail %u): CQ overflow, "
					"completions held until the driver frees entries",
					sq->cqn, head & 0xffff, tail & 0xffff);
				post_aeqe(m, sq->cqn, HZM_AEQE_CQ_OVERFLOW, true);
				/* re-check: a CQ doorbell may have raced with the flag */
				head = __atomic_load_n(&cq->head, __ATOMIC_SEQ_CST);
				if (ring_dist(head & 0xffff, tail & 0xffff, cq->depth) <
				    (uint32_t)cq->depth - 1u)
					continue;
			}
			sq->cq_wait = true;
			break;
		}
		if (unlikely(cq->overflow))
			__atomic_store_n(&cq->overflow, false, __ATOMIC_RELEASE);
		sq->cq_wait = false;
		/*
		 * The slot is the driver's again once the CQE is visible, and the
		 * CQ tail moves before the CQE appears: a driver that saw the CQE
		 * and rings the CQ doorbell must find the tail past it.
		 */
		__atomic_store_n(&sq->done, ring_next(sq->done, sq->depth), __ATOMIC_RELEASE);
		phase = cq->phase;
		__atomic_store_n(&cq->tail, ring_next(tail, cq->depth), __ATOMIC_SEQ_CST);
		if ((ring_next(tail, cq->depth) & 0xffff) == 0)
			__atomic_store_n(&cq->phase, phase ^ 1, __ATOMIC_RELAXED);
		if (unlikely(rec->flags & HZM_SLOT_BAD_PHASE)) {
			phase ^= 1;
			hzm_trace_note(m, "EV injected bad phase: CQ %u entry %u", sq->cqn,
				       tail & 0xffff);
		}
		if (unlikely(put_cqe(m, cq, tail & 0xffff, slot, sq->qn, phase) < 0)) {
			__atomic_fetch_add(&m->cqe_errors, 1, __ATOMIC_RELAXED);
			sq_broken(m, sq, "CQE write", cq->base + (uint64_t)(tail & 0xffff) *
				  HZM_CQE_SIZE, true);
			break;
		}
		__atomic_store_n(&sq->cqe_count, sq->cqe_count + 1, __ATOMIC_RELAXED);
		work++;
		if (__atomic_load_n(&cq->c_flag, __ATOMIC_SEQ_CST) &&
		    __atomic_exchange_n(&cq->c_flag, 0, __ATOMIC_ACQ_REL))
			post_eqe(m, sq->cqn, true);
	}
	return work;
}

static bool
cores_enabled(struct hzip_model *m, const struct hzm_sq *sq)
{
	uint32_t gate = __atomic_load_n(&m->clock_gate, __ATOMIC_RELAXED);
	uint32_t mask = sq->type == HZM_SQC_TYPE_COMP ? HZM_ZIP_COMP_CORE_MASK :
							 HZM_ZIP_DECOMP_CORE_MASK;

	if (likely(gate & mask))
		return true;
	if (!__atomic_exchange_n(&m->warned_cores_off, true, __ATOMIC_RELAXED)) {
		HZM_DRV_ERR(m, "queue %u has requests but no %s core is enabled "
			    "(HZIP_CLOCK_GATE_CTRL 0x301004 = 0x%x): they wait", sq->qn,
			    sq->type == HZM_SQC_TYPE_COMP ? "compression" : "decompression", gate);
	}
	return false;
}

unsigned int
hzm_sq_run(struct hzm_thread *t, struct hzm_sq *sq, uint64_t now, uint64_t *next_due)
{
	struct hzip_model *m = t->m;
	unsigned int work = 0, budget = SQE_MAX_BATCH;
	uint32_t tail;

	if (unlikely(!__atomic_load_n(&sq->valid, __ATOMIC_ACQUIRE) || sq->broken))
		return 0;
	hzm_iommu_begin(m->mmu);
	work += post_due(t, sq, now, next_due);
	if (likely(__atomic_load_n(&m->gate, __ATOMIC_ACQUIRE) == 0)) {
		tail = __atomic_load_n(&sq->db_tail, __ATOMIC_ACQUIRE) & 0xffff;
		if (unlikely(tail >= sq->depth)) {
			/*
			 * The doorbell path checked the tail against the depth it
			 * read, and an SQC write (from another driver thread)
			 * changed the depth meanwhile: the SQ would be gone round
			 * for ever. Stopped, as for a ring fault.
			 */
			sq->broken = true;
			HZM_DRV_ERR(m, "queue %u: SQ tail %u beyond the depth %u (a doorbell raced "
				    "with an SQC write): queue stopped until its SQC is written "
				    "again", sq->qn, tail, sq->depth);
		} else if ((sq->exec & 0xffff) != tail && cores_enabled(m, sq)) {
			while ((sq->exec & 0xffff) != tail && budget-- > 0) {
				if (!execute_one(t, sq, now))
					break;
				work++;
				if (!m->timing)
					post_due(t, sq, now, next_due);
				/*
				 * A gate closed, or the control path waits for the
				 * engines (FLR, context writes, destroy): it waits one
				 * request, not the queue's batch.
				 */
				if (unlikely(__atomic_load_n(&m->gate, __ATOMIC_RELAXED) != 0 ||
					     __atomic_load_n(&m->paused, __ATOMIC_RELAXED) != 0 ||
					     __atomic_load_n(&m->stop, __ATOMIC_RELAXED) != 0))
					break;
			}
			if (m->timing)
				work += post_due(t, sq, hzm_now_ns(), next_due);
		}
	}
	hzm_iommu_end(m->mmu);
	return work;
}
