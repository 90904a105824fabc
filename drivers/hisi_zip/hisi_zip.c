/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HiSilicon ZIP poll-mode driver: probe and remove of the PF (19e5:a250)
 * and VF (19e5:a251), the engine part of the PF initialisation, queue
 * operations behind wd_send()/wd_recv(), the receive path, request
 * deadlines and recovery (drain, function reset, queue re-creation).
 *
 * Device arguments (spec string "...,key=value"):
 *   queues=N       PF: queues the PF keeps (1..1024, default 64)
 *   timeout_ms=T   request deadline (10..60000, default 1000)
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "hisi_zip.h"

RTE_LOG_REGISTER(hzip_logtype, pmd.hisi_zip, NOTICE);
RTE_LOG_REGISTER(hzip_dp_logtype, pmd.hisi_zip.dp, NOTICE);

/* PF BAR2 must hold the engine registers up to the RAS enables. */
#define HZIP_PF_BAR_MIN (HZIP_CORE_INT_RAS_FE_ENB + 4)

/* ---- engine part of the PF initialisation (reference 9.3 steps 8-10, 15) --------- */

static int
hzip_hw_init(struct hisi_qm *qm)
{
	const struct wd_mmio *io = &qm->mmio;

	wd_mmio_write32(io, HZIP_PORT_ARCA_CHE_0, HZIP_CACHE_ALL);
	wd_mmio_write32(io, HZIP_PORT_ARCA_CHE_1, HZIP_CACHE_ALL);
	wd_mmio_write32(io, HZIP_PORT_AWCA_CHE_0, HZIP_CACHE_ALL);
	wd_mmio_write32(io, HZIP_PORT_AWCA_CHE_1, HZIP_CACHE_ALL);
	wd_mmio_write32(io, HZIP_BD_RUSER_32_63, HZIP_AXUSER_VAL);
	wd_mmio_write32(io, HZIP_BD_WUSER_32_63, HZIP_AXUSER_VAL);
	wd_mmio_write32(io, HZIP_DATA_RUSER_32_63, HZIP_AXUSER_VAL);
	wd_mmio_write32(io, HZIP_DATA_WUSER_32_63, HZIP_AXUSER_VAL);
	wd_mmio_write32(io, HZIP_SGL_RUSER_32_63, HZIP_AXUSER_VAL);
	wd_mmio_write32(io, HZIP_CLOCK_GATE_CTRL, HZIP_CLOCK_GATE_V2);
	return 0;
}

static void
hzip_err_init(struct hisi_qm *qm)
{
	const struct wd_mmio *io = &qm->mmio;
	uint32_t v;

	wd_mmio_write32(io, HZIP_CORE_INT_SOURCE, HZIP_CORE_ERR_CE_V2 | HZIP_CORE_ERR_NFE_V2);
	wd_mmio_write32(io, HZIP_CORE_INT_RAS_CE_ENB, HZIP_CORE_ERR_CE_V2);
	wd_mmio_write32(io, HZIP_CORE_INT_RAS_FE_ENB, 0);
	wd_mmio_write32(io, HZIP_CORE_INT_RAS_NFE_ENB, HZIP_CORE_ERR_NFE_V2);
	v = wd_mmio_read32(io, HZIP_SOFT_CTRL_ZIP_CONTROL);
	wd_mmio_write32(io, HZIP_SOFT_CTRL_ZIP_CONTROL, v | HZIP_AXI_SHUTDOWN_ENABLE);
	wd_mmio_write32(io, HZIP_CORE_INT_MASK, 0);
}

static bool
hzip_err_check(struct hisi_qm *qm, uint32_t *status)
{
	uint32_t st = wd_mmio_read32(&qm->mmio, HZIP_CORE_INT_STATUS);

	*status = st;
	if (st == 0)
		return false;
	if (st & HZIP_CORE_ERR_RESET_V2)
		return true;
	/* correctable only: clear it */
	wd_mmio_write32(&qm->mmio, HZIP_CORE_INT_SOURCE, st);
	return false;
}

static const struct hisi_qm_engine_ops hzip_engine_ops = {
	.hw_init = hzip_hw_init,
	.err_init = hzip_err_init,
	.err_check = hzip_err_check,
};

/* ---- probe / remove ------------------------------------------------------------ */

static int
hzip_probe(struct wd_dev *dev)
{
	struct hisi_qm_cfg cfg;
	struct wd_dev_attrs attrs;
	struct hzip_dev *zdev;
	uint32_t v;
	int ret;

	zdev = rte_zmalloc_socket("hzip_dev", sizeof(*zdev), RTE_CACHE_LINE_SIZE,
				  wd_dev_numa_node(dev) >= 0 ? wd_dev_numa_node(dev) :
				  SOCKET_ID_ANY);
	if (zdev == NULL)
		return -ENOMEM;
	snprintf(zdev->name, sizeof(zdev->name), "%s", wd_dev_name(dev));
	zdev->is_vf = wd_dev_device_id(dev) == HZIP_PCI_DEVICE_VF;

	memset(&cfg, 0, sizeof(cfg));
	cfg.is_vf = zdev->is_vf;
	cfg.sqe_size = HZIP_SQE_SIZE;
	cfg.pf_bar_min = HZIP_PF_BAR_MIN;
	cfg.pf_q_num = QM_PF_Q_NUM_DEFAULT;
	cfg.err_ce = HZIP_QM_ERR_CE_V2;
	cfg.err_nfe = HZIP_QM_ERR_NFE_V2;
	cfg.err_fe = HZIP_QM_ERR_FE_V2;
	cfg.err_reset = HZIP_QM_ERR_RESET_V2;
	cfg.ops = &hzip_engine_ops;
	cfg.logtype = hzip_logtype;
	cfg.drv_name = HZIP_DRV_NAME;

	ret = wd_dev_arg_u32(dev, "queues", &v);
	if (ret == 0 && !zdev->is_vf) {
		if (v < 1 || v > QM_V2_QP_MAX) {
			HZIP_LOG(zdev->name, ERR, "queues=%u: out of range 1..%u", v, QM_V2_QP_MAX);
			ret = -EINVAL;
			goto fail;
		}
		cfg.pf_q_num = v;
	} else if (ret == -EINVAL) {
		HZIP_LOG(zdev->name, ERR, "queues=: not a number");
		goto fail;
	}
	zdev->timeout_ms = HZIP_TIMEOUT_MS_DEFAULT;
	ret = wd_dev_arg_u32(dev, "timeout_ms", &v);
	if (ret == 0) {
		if (v < HZIP_TIMEOUT_MS_MIN || v > HZIP_TIMEOUT_MS_MAX) {
			HZIP_LOG(zdev->name, ERR, "timeout_ms=%u: out of range %u..%u", v,
				 HZIP_TIMEOUT_MS_MIN, HZIP_TIMEOUT_MS_MAX);
			ret = -EINVAL;
			goto fail;
		}
		zdev->timeout_ms = v;
	} else if (ret == -EINVAL) {
		HZIP_LOG(zdev->name, ERR, "timeout_ms=: not a number");
		goto fail;
	}
	zdev->timeout_cycles = rte_get_timer_hz() * zdev->timeout_ms / 1000;
	zdev->err_check_cycles = rte_get_timer_hz() * HZIP_ERR_CHECK_MS / 1000;

	ret = hisi_qm_init(&zdev->qm, dev, &cfg, zdev);
	if (ret < 0)
		goto fail;

	memset(&attrs, 0, sizeof(attrs));
	attrs.api = HZIP_API;
	attrs.algorithms = HZIP_ALGORITHMS;
	attrs.queues_total = zdev->qm.qp_num;
	attrs.queue_depth_max = QM_V2_DEPTH_MAX;
	attrs.flags = (zdev->is_vf ? WD_DEV_F_VF : 0) | (zdev->qm.irq ? WD_DEV_F_IRQ : 0);
	ret = wd_dev_set_attrs(dev, &attrs);
	if (ret < 0) {
		hisi_qm_uninit(&zdev->qm);
		goto fail;
	}
	wd_dev_set_priv(dev, zdev);
	HZIP_LOG(zdev->name, INFO, "ZIP %s: %u queues, deadline %u ms", zdev->is_vf ? "VF" : "PF",
		 zdev->qm.qp_num, zdev->timeout_ms);
	return 0;
fail:
	rte_free(zdev);
	return ret;
}

static void
hzip_remove(struct wd_dev *dev)
{
	struct hzip_dev *zdev = wd_dev_priv(dev);

	if (zdev == NULL)
		return;
	hisi_qm_uninit(&zdev->qm);
	wd_dev_set_priv(dev, NULL);
	rte_free(zdev);
}

/* ---- queues ---------------------------------------------------------------------- */

static int
hzip_alg_parse(const char *alg)
{
	if (strcmp(alg, "zlib") == 0)
		return WD_COMP_ALG_ZLIB;
	if (strcmp(alg, "gzip") == 0)
		return WD_COMP_ALG_GZIP;
	if (strcmp(alg, "deflate") == 0)
		return WD_COMP_ALG_DEFLATE;
	return -1;
}

static void
hzip_qp_free(struct hzip_qp *zq)
{
	hzip_sgl_pool_fini(&zq->sgl);
	wd_dma_free(zq->bounce);
	rte_free(zq->slots);
	rte_free(zq->swq);
	zq->bounce = NULL;
	zq->slots = NULL;
	zq->swq = NULL;
}

static int
hzip_qp_init(struct wd_dev *dev, const struct wd_queue_attr *attr, void *qpriv)
{
	struct hzip_dev *zdev = wd_dev_priv(dev);
	struct hzip_qp *zq = qpriv;
	int socket = attr->socket_id;
	uint16_t depth = attr->depth ? attr->depth : HZIP_DEPTH_DEFAULT;
	int alg = hzip_alg_parse(attr->alg);
	int ret;

	if (alg < 0)
		return -ENOTSUP;
	if (alg == WD_COMP_ALG_DEFLATE && attr->op == WD_OP_DECOMPRESS) {
		HZIP_LOG(zdev->name, INFO, "raw deflate decompression is not in v2 hardware");
		return -ENOTSUP;
	}
	if (depth < 2 || depth > QM_V2_DEPTH_MAX)
		return -EINVAL;
	if (socket == WD_SOCKET_ANY)
		socket = wd_dev_numa_node(dev) >= 0 ? wd_dev_numa_node(dev) : SOCKET_ID_ANY;

	memset(zq, 0, sizeof(*zq));
	zq->zdev = zdev;
	zq->qm = &zdev->qm;
	zq->name = zdev->name;
	zq->op = (uint8_t)attr->op;
	zq->cap = depth - 1u;
	zq->sw_size = depth;
	/* not 0: an all-zero head (stateless, FLUSH_NONE) must be checked too */
	zq->tmpl.key = HZIP_TMPL_NONE;
	zq->slots = rte_zmalloc_socket("hzip_slots", depth * sizeof(*zq->slots),
				       RTE_CACHE_LINE_SIZE, socket);
	zq->swq = rte_zmalloc_socket("hzip_swq", depth * sizeof(*zq->swq), RTE_CACHE_LINE_SIZE,
				     socket);
	zq->bounce = wd_dma_zmalloc((size_t)depth * HZIP_SLOT_BOUNCE_SIZE, 4096, socket);
	if (zq->bounce == NULL)
		zq->bounce = wd_dma_zmalloc((size_t)depth * HZIP_SLOT_BOUNCE_SIZE, 4096,
					    WD_SOCKET_ANY);
	if (zq->slots == NULL || zq->swq == NULL || zq->bounce == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	for (uint16_t i = 0; i < depth; i++) {
		zq->slots[i].sgl_in = HZIP_SGL_NONE;
		zq->slots[i].sgl_out = HZIP_SGL_NONE;
	}
	/* two SGLs per SQ slot; extra ones for chains beyond HZIP_SGL_ENTRIES segments */
	ret = hzip_sgl_pool_init(&zq->sgl, 2u * depth, depth / 2u + 2u * HZIP_SGL_MAX_PER_BUF,
				 socket);
	if (ret < 0)
		goto fail;
	ret = hisi_qm_qp_create(&zdev->qm, &zq->qp, depth,
				attr->op == WD_OP_COMPRESS ? 0 : 1, socket);
	if (ret < 0)
		goto fail;
	HZIP_LOG(zdev->name, DEBUG, "queue %u: %s %s, depth %u", zq->qp.qn, attr->alg,
		 attr->op == WD_OP_COMPRESS ? "compress" : "decompress", depth);
	return 0;
fail:
	hzip_qp_free(zq);
	return ret;
}

static void
hzip_qp_fini(struct wd_dev *dev, void *qpriv)
{
	struct hzip_qp *zq = qpriv;

	(void)dev;
	/* requests still in flight are abandoned (never returned); once the queue is
	 * stopped their streams may take new requests after a stream reset */
	hisi_qm_qp_destroy(&zq->qp);
	for (uint16_t i = 0; i < zq->qp.depth; i++) {
		struct wd_comp_msg *m = zq->slots[i].msg;
		struct hzip_stream *st = m != NULL ? m->stream : NULL;

		if (st != NULL && st->magic == HZIP_STREAM_MAGIC) {
			st->busy = false;
			st->broken = true;
			if (st->reset_pending)
				hzip_stream_init(st);
		}
	}
	hzip_qp_free(zq);
}

static void
hzip_flush(void *qpriv)
{
	hzip_ring(qpriv);
}

static unsigned int
hzip_inflight(const void *qpriv)
{
	const struct hzip_qp *zq = qpriv;

	return zq->inflight + zq->sw_count;
}

static unsigned int
hzip_capacity(const void *qpriv)
{
	const struct hzip_qp *zq = qpriv;

	return zq->cap;
}

static int
hzip_irq_arm(void *qpriv)
{
	struct hzip_qp *zq = qpriv;

	/* software completions, a dead queue, a reset to recover from: poll again */
	if (zq->sw_count > 0 || zq->dead || zq->qp.epoch != hisi_qm_epoch(zq->qm))
		return -EAGAIN;
	return hisi_qm_qp_irq_arm(&zq->qp);
}

/* ---- receive ------------------------------------------------------------------- */

static inline uint16_t
sw_pop(struct hzip_qp *zq, void **resps, uint16_t n)
{
	uint16_t k = 0;

	while (zq->sw_count > 0 && k < n) {
		resps[k++] = zq->swq[zq->sw_head];
		if (++zq->sw_head == zq->sw_size)
			zq->sw_head = 0;
		zq->sw_count--;
	}
	return k;
}

/*
 * Take the completion of CQE @p ci, if it names a request in flight with
 * the tag it was given (a stale or duplicate CQE is ignored: every request
 * ends exactly once). @return the message, or NULL.
 */
static inline struct wd_comp_msg *
take_cqe(struct hzip_qp *zq, uint16_t ci)
{
	uint16_t idx = zq->qp.cq[ci].sq_head;
	struct hzip_slot *sl;
	struct wd_comp_msg *m;

	if (unlikely(idx >= zq->qp.depth))
		goto bad;
	sl = &zq->slots[idx];
	m = sl->msg;
	if (unlikely(m == NULL ||
		     hzip_sqe_at(zq, idx)->tag != sl->tag))
		goto bad;
	if (!hzip_complete_fast(zq, idx))
		hzip_complete(zq, idx);
	return m;
bad:
	HZIP_LOG(zq->name, WARNING, "queue %u: CQE %u names SQE %u with no request: ignored",
		 zq->qp.qn, ci, idx);
	return NULL;
}

/*
 * Collect the CQEs the device wrote, into the driver-completed list.
 * @p lenient: after a drain, skip entries with a wrong phase instead of
 * stopping at them (a CQE written with a bad phase is not trusted; the
 * request it names ends with the others, as timed out).
 */
static void
harvest(struct hzip_qp *zq, bool lenient)
{
	struct hisi_qp *qp = &zq->qp;
	uint32_t scan = zq->inflight;

	while (scan-- > 0 && zq->inflight > 0) {
		struct wd_comp_msg *m = NULL;

		if (hisi_qp_cqe_valid(qp, qp->cq_head, qp->cq_phase)) {
			rte_io_rmb();
			m = take_cqe(zq, qp->cq_head);
		} else if (!lenient) {
			break;
		}
		if (++qp->cq_head == qp->depth) {
			qp->cq_head = 0;
			qp->cq_phase ^= 1;
		}
		qp->cq_unacked++;	/* acknowledged below, with the others */
		if (m != NULL)
			hzip_sw_push(zq, m);
	}
	if (qp->cq_unacked > 0 && likely(qp->epoch == hisi_qm_epoch(zq->qm)))
		hisi_qp_ring_cq(qp, false);
}

/* How fail_inflight() reports the requests it ends. */
enum fail_how {
	FAIL_DEVICE,   /* all: device error (the function was reset under them) */
	FAIL_LATE,     /* past the deadline: timeout; the others: device error */
	FAIL_TIMEOUT,  /* all: timeout (drained: they will never complete) */
};

static void
fail_inflight(struct hzip_qp *zq, uint64_t now, enum fail_how how)
{
	for (uint16_t i = 0; i < zq->qp.depth && zq->inflight > 0; i++) {
		struct hzip_slot *sl = &zq->slots[i];
		bool late;

		if (sl->msg == NULL)
			continue;
		late = how == FAIL_TIMEOUT ||
		       (how == FAIL_LATE && sl->tsc != UINT64_MAX &&
			now - sl->tsc > zq->zdev->timeout_cycles);
		hzip_fail_slot(zq, i, late ? WD_COMP_MSG_ERR_TIMEOUT : WD_COMP_MSG_ERR_DEVICE);
	}
}

/* Give the queue fresh rings in the current epoch; mark it dead if impossible. */
static void
restart(struct hzip_qp *zq)
{
	int ret;

	zq->seq_oldest = 0;
	zq->seq_tail = 0;
	zq->rung = 0;
	ret = hisi_qm_dead(zq->qm) ? -EIO : hisi_qm_qp_restart(&zq->qp);
	if (ret == -EINPROGRESS)
		return;	/* a reset started meanwhile: qp.epoch is older, recovered after it */
	if (ret < 0) {
		zq->dead = true;
		/* do not come back here on every burst */
		zq->qp.epoch = hisi_qm_epoch(zq->qm);
	}
}

/*
 * The function was reset (another queue timed out, an error needed a
 * reset): keep the completions that made it, fail the rest, re-create
 * the hardware queue.
 */
static void
recover(struct hzip_qp *zq, enum fail_how how)
{
	uint32_t epoch = hisi_qm_epoch(zq->qm);

	if (zq->dead && zq->qp.epoch == epoch)
		return;
	/*
	 * Another thread's reset is in progress (it holds the QM lock until
	 * the function is back): do not wait for it here, in a data-path
	 * call; the first call after it recovers. Meanwhile the CQ is not
	 * read: the device may still be writing it.
	 */
	if (epoch & 1) {
		/* (a deadline passed: the recovery after the reset says so) */
		if (how == FAIL_LATE)
			zq->late_on_recover = true;
		return;
	}
	if (zq->late_on_recover)
		how = FAIL_LATE;
	zq->late_on_recover = false;
	HZIP_LOG(zq->name, WARNING, "queue %u: function reset: %u request(s) in flight end",
		 zq->qp.qn, zq->inflight);
	harvest(zq, false);
	fail_inflight(zq, rte_get_timer_cycles(), how);
	restart(zq);
}

void
hzip_qp_recover(struct hzip_qp *zq)
{
	recover(zq, FAIL_DEVICE);
}

/*
 * Stop the queue: take the CQEs present, drain it (6.4) and end what is
 * left with @p drained (timeout, or device error after a queue error), then
 * give it fresh rings; if it does not drain, reset the function.
 */
static void
stop_queue(struct hzip_qp *zq, uint64_t now, enum fail_how drained, enum fail_how reset)
{
	struct hisi_qp *qp = &zq->qp;
	uint32_t epoch = qp->epoch;
	int ret;

	harvest(zq, false);
	if (zq->inflight == 0 && drained == FAIL_TIMEOUT)
		return;
	ret = hisi_qm_qp_drain(qp, HZIP_DRAIN_MS);
	if (ret == -EINPROGRESS) {
		/*
		 * Another thread resets the function: not waited for in a
		 * data-path call. The first call after it recovers this queue,
		 * ending what is in flight as this queue's own reset would have.
		 */
		zq->late_on_recover = reset == FAIL_LATE;
		return;
	}
	if (ret == 0 && qp->epoch == hisi_qm_epoch(zq->qm)) {
		/* the device is done with this queue: what has no CQE now never will */
		harvest(zq, true);
		fail_inflight(zq, now, drained);
		restart(zq);
		return;
	}
	if (qp->epoch == hisi_qm_epoch(zq->qm))
		(void)hisi_qm_reset(zq->qm, epoch);
	recover(zq, reset);
}

/* A request is past its deadline: drain the queue or reset the function. */
static void
timeout(struct hzip_qp *zq, uint64_t now, uint16_t slot)
{
	HZIP_LOG(zq->name, WARNING, "queue %u: request in slot %u got no completion in %u ms",
		 zq->qp.qn, slot, zq->zdev->timeout_ms);
	stop_queue(zq, now, FAIL_TIMEOUT, FAIL_LATE);
}

/*
 * Called when a poll finds nothing (and now and then otherwise) with
 * requests in flight: look at the oldest one; check the function's error
 * registers when it is late, time it out past the deadline.
 *
 * Its age counts from its submission or from the queue's last completion,
 * whichever is later: a request waiting behind others in the device's
 * queue is not late while the queue makes progress.
 */
static void
check_stall(struct hzip_qp *zq)
{
	struct hisi_qp *qp = &zq->qp;
	uint64_t now, age, since;
	bool err_checked = false;
	uint16_t idx;

	now = rte_get_timer_cycles();
	if (now - zq->last_err_check > zq->zdev->err_check_cycles) {
		/*
		 * Every HZIP_ERR_CHECK_MS while requests are in flight, late or not:
		 * the AEQ (nothing else consumes it while polling) and the PF's
		 * abnormal status, so that an error that needs a reset is acted on
		 * without waiting for a deadline.
		 */
		uint32_t epoch = qp->epoch;

		zq->last_err_check = now;
		if (hisi_qm_poll_events(zq->qm)) {
			(void)hisi_qm_reset(zq->qm, epoch);
			hzip_qp_recover(zq);
			return;
		}
		if (unlikely(hisi_qm_qp_error_take(qp))) {
			/* CQ overflow or CQE error (5.4): stop and restart this queue */
			HZIP_LOG(zq->name, ERR,
				 "queue %u: queue error: %u request(s) in flight end",
				 qp->qn, zq->inflight);
			stop_queue(zq, now, FAIL_DEVICE, FAIL_DEVICE);
			return;
		}
		err_checked = true;
	}
	/*
	 * The oldest request in flight, by sequence number: the tail may have
	 * come round the ring since the last look, past slots that completed
	 * and were used again, up to (not past) a slot still held. So nothing
	 * older than a lap behind the tail is in flight.
	 */
	if (zq->seq_tail - zq->seq_oldest > qp->depth)
		zq->seq_oldest = zq->seq_tail - qp->depth;
	/* its slot: the SQ tail's, seq_tail - seq_oldest SQEs back */
	idx = (uint16_t)((qp->sq_tail + qp->depth - (zq->seq_tail - zq->seq_oldest)) % qp->depth);
	while (zq->seq_oldest != zq->seq_tail &&
	       (zq->slots[idx].msg == NULL || zq->slots[idx].seq != zq->seq_oldest)) {
		zq->seq_oldest++;
		idx = idx + 1 == qp->depth ? 0 : idx + 1;
	}
	/* nothing the device was told about (written but not rung yet is not late) */
	if (zq->seq_oldest == zq->seq_tail || zq->slots[idx].tsc == UINT64_MAX)
		return;
	if (zq->progress) {
		zq->progress = false;
		zq->last_done = now;
	}
	since = RTE_MAX(zq->slots[idx].tsc, zq->last_done);
	age = now - since;
	if (age > zq->zdev->err_check_cycles && err_checked) {
		/*
		 * Ring both doorbells again with the indices the device already has: a
		 * no-op for a device that saw them, progress for one that lost one.
		 */
		if (likely(qp->epoch == hisi_qm_epoch(zq->qm))) {
			uint16_t tail = qp->sq_tail;

			qp->sq_tail = zq->rung;
			hisi_qp_ring_sq(qp);
			qp->sq_tail = tail;
			hisi_qp_ring_cq(qp, false);
		}
	}
	if (age > zq->zdev->timeout_cycles)
		timeout(zq, now, idx);
}

/*
 * Ask for the line of a stateless compression's trailer (a prefetch never
 * faults); through the output SGL for a chain.
 */
static inline void
trailer_prefetch(const struct hzip_qp *zq, uint16_t idx)
{
	const struct hzip_slot *sl = &zq->slots[idx];
	uint32_t off = hzip_sqe_at(zq, idx)->produced - hzip_trailer_len(sl->alg);
	const uint8_t *t;

	if (unlikely(sl->flags & (HZIP_SLOT_STREAM | HZIP_SLOT_BOUNCE)))
		return;
	if (likely(sl->sgl_out == HZIP_SGL_NONE)) {
		rte_prefetch0((const uint8_t *)sl->msg->dst.addr + sl->hdr_out + off);
		return;
	}
	/* the SGL's lines were asked for with the CQE */
	t = hzip_sgl_locate(&zq->sgl, sl->sgl_out, off);
	if (t != NULL)
		rte_prefetch0(t);
	return;
}

uint16_t
hzip_recv(void *qpriv, void **resps, uint16_t n)
{
	struct hzip_qp *zq = qpriv;
	struct hisi_qp *qp = &zq->qp;
	uint16_t k = 0, got = 0, head, max, i;
	uint8_t phase;

	/* a reset in progress: what the software queue holds, nothing else */
	if (unlikely(!hzip_qp_current(zq)))
		return zq->sw_count > 0 ? sw_pop(zq, resps, n) : 0;
	if (unlikely(zq->sw_count > 0))
		k = sw_pop(zq, resps, n);
	if (k == n || zq->inflight == 0)
		return k;

	max = (uint16_t)RTE_MIN((uint32_t)(n - k), zq->inflight);
	head = qp->cq_head;
	phase = qp->cq_phase;
	/*
	 * New CQEs, and at once the lines their completions will read: the
	 * device wrote its results into the SQE, so take those lines for good
	 * (the slot's next SQE is written by us: one transfer now instead of a
	 * read now and an invalidation then). Each phase bit is read with
	 * acquire order before the rest of its CQE and the SQE.
	 */
	while (got < max) {
		const struct qm_cqe *c = &qp->cq[head];
		uint16_t idx;

		if ((__atomic_load_n(&c->w7, __ATOMIC_ACQUIRE) & QM_CQE_PHASE) != phase)
			break;
		idx = c->sq_head & (QM_V2_DEPTH_MAX - 1);
		hzip_prefetch_own(hzip_sqe_at(zq, idx));
		hzip_prefetch_own((const uint8_t *)hzip_sqe_at(zq, idx) + 64);
		if (likely(idx < qp->depth))
			rte_prefetch0(&zq->slots[idx]);
		if (unlikely(zq->sgl_used) && zq->sums_mode != HZIP_SUMS_SQE) {
			/* the output SGL (slot block 2 idx + 1), to find a trailer */
			const uint8_t *b = (const uint8_t *)hzip_sgl_block(&zq->sgl, 2 * idx + 1);

			rte_prefetch0(b);
			rte_prefetch0(b + 64);
			rte_prefetch0(b + 128);
		}
		got++;
		if (++head == qp->depth) {
			head = 0;
			phase ^= 1;
		}
	}
	if (got == 0) {
		/* nothing yet: look at deadlines now and then, not on every poll */
		if ((++zq->polls & 15) == 0)
			check_stall(zq);
		if (unlikely(zq->sw_count > 0))
			k += sw_pop(zq, resps + k, n - k);
		return k;
	}
	/*
	 * then the messages' result fields, which the completions write, and
	 * the trailer of a stateless compression (its checksum is read from the
	 * device's output: a line the device just wrote)
	 */
	head = qp->cq_head;
	for (i = 0; i < got; i++) {
		uint16_t idx = qp->cq[head].sq_head;

		if (likely(idx < qp->depth && zq->slots[idx].msg != NULL)) {
			rte_prefetch0_write(&zq->slots[idx].msg->status);
			if (zq->op == WD_OP_COMPRESS && zq->sums_mode != HZIP_SUMS_SQE)
				trailer_prefetch(zq, idx);
		}
		head = head + 1 == qp->depth ? 0 : head + 1;
	}
	head = qp->cq_head;
	for (i = 0; i < got; i++) {
		struct wd_comp_msg *m = take_cqe(zq, head);

		head = head + 1 == qp->depth ? 0 : head + 1;
		if (likely(m != NULL))
			resps[k++] = m;
	}
	/* the phase flips when the head wraps (got < depth: at most once) */
	if (head < qp->cq_head)
		qp->cq_phase ^= 1;
	qp->cq_head = head;
	hisi_qp_cq_consumed(qp, got);
	zq->progress = true;
	if (unlikely(zq->reset_due)) {
		/* an error status came with a device error that needs a reset */
		uint32_t epoch = qp->epoch;

		zq->reset_due = false;
		(void)hisi_qm_reset(zq->qm, epoch);
		hzip_qp_recover(zq);
		if (zq->sw_count > 0 && k < n)
			k += sw_pop(zq, resps + k, n - k);
		return k;
	}
	if (unlikely((++zq->polls & 255) == 0) && zq->inflight > 0) {
		check_stall(zq);
		if (unlikely(zq->sw_count > 0) && k < n)
			k += sw_pop(zq, resps + k, n - k);
	}
	return k;
}

/* ---- registration ---------------------------------------------------------------- */

static const struct wd_queue_ops hzip_qops = {
	.priv_size = sizeof(struct hzip_qp),
	.init = hzip_qp_init,
	.fini = hzip_qp_fini,
	.send = hzip_send,
	.flush = hzip_flush,
	.recv = hzip_recv,
	.irq_arm = hzip_irq_arm,
	.inflight = hzip_inflight,
	.capacity = hzip_capacity,
};

static const struct wd_pci_id hzip_ids[] = {
	{ HISI_PCI_VENDOR_ID, HZIP_PCI_DEVICE_PF },
	{ HISI_PCI_VENDOR_ID, HZIP_PCI_DEVICE_VF },
	{ 0, 0 },
};

static struct wd_driver hzip_driver = {
	.name = HZIP_DRV_NAME,
	.id_table = hzip_ids,
	.probe = hzip_probe,
	.remove = hzip_remove,
	.qops = &hzip_qops,
	.class_name = "comp",
	.class_ops = &hzip_comp_ops,
};

WD_DRIVER_REGISTER(hzip_driver);
