/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HiSilicon QM v2 from user space: function initialisation, mailbox,
 * queue pairs, drain, events, errors, reset. See hisi_qm.h.
 *
 * Every wait on the hardware is bounded by time (timer cycles), never by
 * a loop count.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "hisi_qm.h"

/* Time limits (microseconds). Generous: a model thread may be descheduled. */
#define QM_MEM_INIT_TIMEOUT_US   1000000u
#define QM_VFT_TIMEOUT_US        1000000u
#define QM_MB_TIMEOUT_US         1000000u
#define QM_CACHE_WB_TIMEOUT_US   1000000u
#define QM_DRAIN_POLL_US         100u
#define QM_DRAIN_TIMEOUT_MS      500u
/* After a drain, longest wait for the last CQE to be written (the CQ tail may be first). */
#define QM_CQE_GRACE_MS          10u
/* Before a reset: time for doorbells rung by threads that saw the old epoch. */
#define QM_RESET_QUIESCE_US      1000u
#define QM_LOCK_RETRY_US         20u

#define QM_MB_BUF_SIZE           128u

static uint64_t
qm_us_to_cycles(const struct hisi_qm *qm, uint64_t us)
{
	return qm->hz * us / 1000000u;
}

/*
 * Poll a 32-bit register until (value & mask) == want, for at most
 * timeout_us. The last read happens after the deadline, so a descheduled
 * thread does not report a timeout for a condition that became true.
 */
static int
qm_poll32(struct hisi_qm *qm, uint64_t off, uint32_t mask, uint32_t want, uint64_t timeout_us,
	  uint32_t *val)
{
	uint64_t end = rte_get_timer_cycles() + qm_us_to_cycles(qm, timeout_us);
	uint32_t v;

	for (;;) {
		bool late = rte_get_timer_cycles() > end;

		v = wd_mmio_read32(&qm->mmio, off);
		if ((v & mask) == want) {
			if (val != NULL)
				*val = v;
			return 0;
		}
		if (late)
			break;
		rte_pause();
	}
	if (val != NULL)
		*val = v;
	return -ETIMEDOUT;
}

/* ---- mailbox (section 4) ----------------------------------------------------------- */

/*
 * Run one mailbox command. Caller holds qm->lock. @p data: DMA address
 * (write commands) or, for reads of values, receives base_l | base_h << 32.
 */
static int
qm_mb(struct hisi_qm *qm, uint8_t cmd, uint64_t addr, uint16_t queue, bool read, uint64_t *data)
{
	uint32_t w0 = cmd | QM_MB_BUSY_BIT | (read ? QM_MB_OP_READ : 0);
	uint64_t lo, hi;
	uint32_t v;
	int ret;

	ret = qm_poll32(qm, QM_MB, QM_MB_BUSY_BIT, 0, QM_MB_TIMEOUT_US, &v);
	if (ret < 0) {
		QM_LOG(qm, ERR, "mailbox busy before cmd %u (w0 %#x)", cmd, v);
		return ret;
	}
	lo = (uint64_t)w0 | ((uint64_t)queue << 16) | ((uint64_t)(uint32_t)addr << 32);
	hi = (uint64_t)(uint32_t)(addr >> 32);
	/* one 128-bit store; the write barrier orders the context in memory before it */
	wd_mmio_write128(&qm->mmio, QM_MB, lo, hi);
	ret = qm_poll32(qm, QM_MB, QM_MB_BUSY_BIT, 0, QM_MB_TIMEOUT_US, &v);
	if (ret < 0) {
		QM_LOG(qm, ERR, "mailbox cmd %u queue %u timed out", cmd, queue);
		return ret;
	}
	if ((v >> QM_MB_STATUS_SHIFT) & QM_MB_STATUS_MASK) {
		QM_LOG(qm, ERR, "mailbox cmd %u queue %u failed: status %u", cmd, queue,
		       (v >> QM_MB_STATUS_SHIFT) & QM_MB_STATUS_MASK);
		return -EIO;
	}
	if (data != NULL)
		*data = wd_mmio_read32(&qm->mmio, QM_MB_DATA_L) |
			((uint64_t)wd_mmio_read32(&qm->mmio, QM_MB_DATA_H) << 32);
	return 0;
}

/* ---- VFT (section 5.5) ---------------------------------------------------------- */

static int
qm_vft_write(struct hisi_qm *qm, uint32_t type, uint32_t fn, uint64_t data)
{
	int ret;

	ret = qm_poll32(qm, QM_VFT_CFG_RDY, 1, 1, QM_VFT_TIMEOUT_US, NULL);
	if (ret < 0)
		goto fail;
	wd_mmio_write32(&qm->mmio, QM_VFT_CFG_OP_WR, 0);
	wd_mmio_write32(&qm->mmio, QM_VFT_CFG_TYPE, type);
	wd_mmio_write32(&qm->mmio, QM_VFT_CFG, fn);
	wd_mmio_write32(&qm->mmio, QM_VFT_CFG_DATA_L, (uint32_t)data);
	wd_mmio_write32(&qm->mmio, QM_VFT_CFG_DATA_H, (uint32_t)(data >> 32));
	wd_mmio_write32(&qm->mmio, QM_VFT_CFG_RDY, 0);
	wd_mmio_write32(&qm->mmio, QM_VFT_CFG_OP_ENABLE, 1);
	ret = qm_poll32(qm, QM_VFT_CFG_RDY, 1, 1, QM_VFT_TIMEOUT_US, NULL);
	if (ret == 0)
		return 0;
fail:
	QM_LOG(qm, ERR, "VFT (type %u, function %u) not ready", type, fn);
	return ret;
}

/* Give the PF queues [0, num) (num 0: clear). */
static int
qm_pf_vft_set(struct hisi_qm *qm, uint32_t num)
{
	int ret;

	ret = qm_vft_write(qm, QM_VFT_TYPE_SQC, 0, num ? qm_sqc_vft(0, num) : 0);
	if (ret == 0)
		ret = qm_vft_write(qm, QM_VFT_TYPE_CQC, 0, num ? QM_CQC_VFT_VALID : 0);
	return ret;
}

/* Read the function's own queue range (mailbox cmd 6). */
static int
qm_vft_get(struct hisi_qm *qm, uint32_t *base, uint32_t *num)
{
	uint64_t v;
	int ret;

	ret = qm_mb(qm, QM_MB_CMD_SQC_VFT_V2, 0, 0, true, &v);
	if (ret < 0)
		return ret;
	if (!(v & QM_SQC_VFT_VALID)) {
		QM_LOG(qm, ERR, "the function has no queues (SQC VFT %#" PRIx64 " not valid)", v);
		return -ENODEV;
	}
	*base = (uint32_t)((v >> QM_SQC_VFT_BASE_SHIFT) & QM_SQC_VFT_BASE_MASK);
	*num = (uint32_t)((v >> QM_SQC_VFT_NUM_SHIFT) & QM_SQC_VFT_NUM_MASK) + 1;
	return 0;
}

/* ---- PF initialisation (section 9.3) -------------------------------------------- */

static void
qm_err_init(struct hisi_qm *qm)
{
	const struct hisi_qm_cfg *c = &qm->cfg;
	uint32_t mask = c->err_ce | c->err_nfe | c->err_fe;
	uint32_t v;

	/* clear pending sources, route them to RAS and unmask them */
	wd_mmio_write32(&qm->mmio, QM_ABNORMAL_INT_SOURCE, mask);
	wd_mmio_write32(&qm->mmio, QM_RAS_CE_ENABLE, c->err_ce);
	wd_mmio_write32(&qm->mmio, QM_RAS_CE_THRESHOLD, 1);
	wd_mmio_write32(&qm->mmio, QM_RAS_NFE_ENABLE, c->err_nfe);
	wd_mmio_write32(&qm->mmio, QM_RAS_FE_ENABLE, c->err_fe);
	v = wd_mmio_read32(&qm->mmio, QM_ABNORMAL_INT_MASK);
	wd_mmio_write32(&qm->mmio, QM_ABNORMAL_INT_MASK, v & ~mask);
	if (c->ops != NULL && c->ops->err_init != NULL)
		c->ops->err_init(qm);
}

/* Steps 4 (optional) to 17. */
static int
qm_pf_hw_init(struct hisi_qm *qm, bool mem_init)
{
	int ret;

	if (mem_init) {
		wd_mmio_write32(&qm->mmio, QM_MEM_START_INIT, 1);
		ret = qm_poll32(qm, QM_MEM_INIT_DONE, 1, 1, QM_MEM_INIT_TIMEOUT_US, NULL);
		if (ret < 0) {
			QM_LOG(qm, ERR, "memory initialisation did not complete");
			return ret;
		}
	}
	/* AXI user domain, AXI cache, no FLR on bus-master enable */
	wd_mmio_write32(&qm->mmio, QM_ARUSER_M_CFG_1, QM_AXUSER_CFG_VAL);
	wd_mmio_write32(&qm->mmio, QM_ARUSER_M_CFG_ENABLE, QM_AXUSER_ENABLE_VAL);
	wd_mmio_write32(&qm->mmio, QM_AWUSER_M_CFG_1, QM_AXUSER_CFG_VAL);
	wd_mmio_write32(&qm->mmio, QM_AWUSER_M_CFG_ENABLE, QM_AXUSER_ENABLE_VAL);
	wd_mmio_write32(&qm->mmio, QM_WUSER_M_CFG_ENABLE, QM_WUSER_ENABLE_VAL);
	wd_mmio_write32(&qm->mmio, QM_AXI_M_CFG, QM_AXI_M_CFG_VAL);
	wd_mmio_write32(&qm->mmio, QM_AXI_M_CFG_ENABLE, QM_AXI_M_CFG_ENABLE_VAL);
	wd_mmio_write32(&qm->mmio, QM_PEH_AXUSER_CFG, QM_PEH_AXUSER_CFG_VAL);
	wd_mmio_write32(&qm->mmio, QM_PEH_AXUSER_CFG_ENABLE, QM_PEH_AXUSER_ENABLE_VAL);
	/* engine: port caches, user domains, cores */
	if (qm->cfg.ops != NULL && qm->cfg.ops->hw_init != NULL) {
		ret = qm->cfg.ops->hw_init(qm);
		if (ret < 0)
			return ret;
	}
	wd_mmio_write32(&qm->mmio, QM_CACHE_CTL, QM_CACHE_CTL_VAL);
	qm_err_init(qm);
	return qm_pf_vft_set(qm, qm->qp_num);
}

/* ---- event queues and base tables (steps 18 to 21) -------------------------------- */

static int
qm_eq_setup(struct hisi_qm *qm)
{
	struct qm_eqc *eqc = (struct qm_eqc *)qm->mb_buf;
	uint64_t addr = wd_dma_iova(qm->mb_buf);
	int ret;

	memset(qm->eq, 0, QM_EQ_DEPTH_V2 * QM_EQE_SIZE);
	memset(qm->aeq, 0, QM_AEQ_DEPTH_V2 * QM_EQE_SIZE);
	qm->eq_head = 0;
	qm->aeq_head = 0;
	qm->eq_phase = 1;
	qm->aeq_phase = 1;

	memset(eqc, 0, sizeof(*eqc));
	eqc->base_l = (uint32_t)wd_dma_iova(qm->eq);
	eqc->base_h = (uint32_t)(wd_dma_iova(qm->eq) >> 32);
	eqc->dw6 = (QM_EQ_DEPTH_V2 - 1) | QM_EQC_PHASE;
	ret = qm_mb(qm, QM_MB_CMD_EQC, addr, 0, false, NULL);
	if (ret < 0)
		return ret;
	memset(eqc, 0, sizeof(*eqc));
	eqc->base_l = (uint32_t)wd_dma_iova(qm->aeq);
	eqc->base_h = (uint32_t)(wd_dma_iova(qm->aeq) >> 32);
	eqc->dw6 = (QM_AEQ_DEPTH_V2 - 1) | QM_EQC_PHASE;
	return qm_mb(qm, QM_MB_CMD_AEQC, addr, 0, false, NULL);
}

static int
qm_start(struct hisi_qm *qm)
{
	size_t tbl = (size_t)qm->qp_num * sizeof(struct qm_sqc);
	int ret;

	if (qm->irq) {
		ret = qm_eq_setup(qm);
		if (ret < 0)
			return ret;
	}
	/* stale contexts of a previous life must never run */
	memset(qm->sqc, 0, tbl);
	memset(qm->cqc, 0, tbl);
	ret = qm_mb(qm, QM_MB_CMD_SQC_BT, wd_dma_iova(qm->sqc), 0, false, NULL);
	if (ret == 0)
		ret = qm_mb(qm, QM_MB_CMD_CQC_BT, wd_dma_iova(qm->cqc), 0, false, NULL);
	if (ret < 0)
		return ret;
	if (qm->irq) {
		wd_mmio_write64(&qm->mmio, QM_DB_EQAEQ_V2, qm_db_word(0, QM_DB_CMD_AEQ, 0, 0, 0));
		wd_mmio_write64(&qm->mmio, QM_DB_EQAEQ_V2, qm_db_word(0, QM_DB_CMD_EQ, 0, 0, 0));
		wd_mmio_write32(&qm->mmio, QM_VF_EQ_INT_MASK, 0);
		wd_mmio_write32(&qm->mmio, QM_VF_AEQ_INT_MASK, 0);
	} else {
		wd_mmio_write32(&qm->mmio, QM_VF_EQ_INT_MASK, 1);
		wd_mmio_write32(&qm->mmio, QM_VF_AEQ_INT_MASK, 1);
	}
	return 0;
}

/* Everything after the function reset / power-on that makes it usable. */
static int
qm_hw_start(struct hisi_qm *qm, bool first)
{
	int ret = 0;

	if (!qm->is_vf) {
		/* memory init at power-on only: the FLR path skips it (8.3) */
		ret = qm_pf_hw_init(qm, first);
	} else if (!first) {
		uint32_t base, num;

		/* the PF owns the VFT: it must not have changed across our reset */
		ret = qm_vft_get(qm, &base, &num);
		if (ret == 0 && (base != qm->qp_base || num != qm->qp_num)) {
			QM_LOG(qm, ERR, "VFT changed across the reset: queues %u+%u, was %u+%u",
			       base, num, qm->qp_base, qm->qp_num);
			ret = -EIO;
		}
	}
	if (ret == 0)
		ret = qm_start(qm);
	return ret;
}

static void
qm_free_mem(struct hisi_qm *qm)
{
	wd_dma_free(qm->sqc);
	wd_dma_free(qm->cqc);
	wd_dma_free(qm->mb_buf);
	wd_dma_free(qm->eq);
	wd_dma_free(qm->aeq);
	rte_free(qm->qp_used);
	rte_free(qm->qp_err);
	qm->qp_err = NULL;
	qm->sqc = NULL;
	qm->cqc = NULL;
	qm->mb_buf = NULL;
	qm->eq = NULL;
	qm->aeq = NULL;
	qm->qp_used = NULL;
}

static void *
qm_dma_alloc(size_t size, int socket)
{
	void *p = wd_dma_zmalloc(size, 4096, socket);

	if (p == NULL && socket != WD_SOCKET_ANY)
		p = wd_dma_zmalloc(size, 4096, WD_SOCKET_ANY);
	return p;
}

int
hisi_qm_init(struct hisi_qm *qm, struct wd_dev *dev, const struct hisi_qm_cfg *cfg, void *priv)
{
	int socket = wd_dev_numa_node(dev) >= 0 ? wd_dev_numa_node(dev) : WD_SOCKET_ANY;
	size_t tbl;
	int ret;

	memset(qm, 0, sizeof(*qm));
	qm->dev = dev;
	qm->name = wd_dev_name(dev);
	qm->cfg = *cfg;
	qm->priv = priv;
	qm->is_vf = cfg->is_vf;
	qm->rev = wd_dev_revision(dev);
	qm->hz = rte_get_timer_hz();
	for (unsigned int i = 0; i < WD_MAX_IRQS; i++)
		qm->efds[i] = -1;
	pthread_mutex_init(&qm->lock, NULL);

	if (qm->rev != HISI_QM_REV_V2) {
		QM_LOG(qm, ERR, "QM revision %#x is not supported (only v2 = %#x, Kunpeng 920)",
		       qm->rev, HISI_QM_REV_V2);
		return -ENOTSUP;
	}
	if (cfg->sqe_size == 0 || (cfg->sqe_size & (cfg->sqe_size - 1)) != 0)
		return -EINVAL;
	ret = wd_dev_bar(dev, HISI_QM_BAR, &qm->mmio);
	if (ret < 0) {
		QM_LOG(qm, ERR, "cannot map BAR%u: %s", HISI_QM_BAR, strerror(-ret));
		return ret;
	}
	if (qm->mmio.len < (qm->is_vf ? QM_VF_BAR_MIN : cfg->pf_bar_min)) {
		QM_LOG(qm, ERR, "BAR%u is too small for a %s: %#" PRIx64 " bytes", HISI_QM_BAR,
		       qm->is_vf ? "VF" : "PF", qm->mmio.len);
		return -ENODEV;
	}
	if (!qm->is_vf && (cfg->pf_q_num == 0 || cfg->pf_q_num > QM_V2_QP_MAX)) {
		QM_LOG(qm, ERR, "queues=%u is out of range 1..%u", cfg->pf_q_num, QM_V2_QP_MAX);
		return -EINVAL;
	}
	qm->mb_buf = qm_dma_alloc(QM_MB_BUF_SIZE, socket);
	if (qm->mb_buf == NULL)
		return -ENOMEM;

	/* MSI: EQ, AEQ, (PF: PF-VF, abnormal). Polling works without them. */
	qm->nvec = qm->is_vf ? 2 : 4;
	ret = wd_dev_irq_enable(dev, qm->nvec, qm->efds);
	if (ret == 0) {
		qm->eq = qm_dma_alloc(QM_EQ_DEPTH_V2 * QM_EQE_SIZE, socket);
		qm->aeq = qm_dma_alloc(QM_AEQ_DEPTH_V2 * QM_EQE_SIZE, socket);
		if (qm->eq == NULL || qm->aeq == NULL) {
			ret = -ENOMEM;
			goto fail_irq;
		}
		qm->irq = true;
	} else {
		QM_LOG(qm, INFO, "no MSI vectors (%s): polling only", strerror(-ret));
		qm->nvec = 0;
	}

	pthread_mutex_lock(&qm->lock);
	if (!qm->is_vf) {
		qm->qp_base = 0;
		qm->qp_num = cfg->pf_q_num;
	} else {
		ret = qm_vft_get(qm, &qm->qp_base, &qm->qp_num);
		if (ret < 0)
			goto fail_locked;
		if (qm->qp_num > QM_V2_QP_MAX || qm->qp_base + qm->qp_num > QM_V2_QP_MAX) {
			QM_LOG(qm, ERR, "VFT gives queues %u+%u, beyond the device's %u",
			       qm->qp_base, qm->qp_num, QM_V2_QP_MAX);
			ret = -EIO;
			goto fail_locked;
		}
	}
	tbl = (size_t)qm->qp_num * sizeof(struct qm_sqc);
	qm->sqc = qm_dma_alloc(tbl, socket);
	qm->cqc = qm_dma_alloc(tbl, socket);
	qm->qp_used = rte_zmalloc("hisi_qm_qp_used", qm->qp_num, 0);
	qm->qp_err = rte_zmalloc("hisi_qm_qp_err", qm->qp_num, 0);
	if (qm->sqc == NULL || qm->cqc == NULL || qm->qp_used == NULL || qm->qp_err == NULL) {
		ret = -ENOMEM;
		goto fail_locked;
	}
	ret = qm_hw_start(qm, true);
	if (ret < 0)
		goto fail_locked;
	pthread_mutex_unlock(&qm->lock);
	QM_LOG(qm, INFO, "%s ready: queues %u..%u, %s", qm->is_vf ? "VF" : "PF", qm->qp_base,
	       qm->qp_base + qm->qp_num - 1, qm->irq ? "MSI" : "no interrupts");
	return 0;

fail_locked:
	pthread_mutex_unlock(&qm->lock);
fail_irq:
	if (qm->nvec > 0)
		wd_dev_irq_disable(dev);
	qm_free_mem(qm);
	return ret;
}

void
hisi_qm_uninit(struct hisi_qm *qm)
{
	pthread_mutex_lock(&qm->lock);
	if (qm->state != HISI_QM_DEAD) {
		wd_mmio_write32(&qm->mmio, QM_VF_EQ_INT_MASK, 1);
		wd_mmio_write32(&qm->mmio, QM_VF_AEQ_INT_MASK, 1);
		if (!qm->is_vf)
			(void)qm_pf_vft_set(qm, 0);
		/* write cached contexts back before their memory goes */
		wd_mmio_write32(&qm->mmio, QM_CACHE_WB_START, 1);
		if (qm_poll32(qm, QM_CACHE_WB_DONE, 1, 1, QM_CACHE_WB_TIMEOUT_US, NULL) < 0)
			QM_LOG(qm, WARNING, "context cache write-back did not complete");
	}
	pthread_mutex_unlock(&qm->lock);
	if (qm->nvec > 0)
		wd_dev_irq_disable(qm->dev);
	qm->nvec = 0;
	qm->irq = false;
	qm_free_mem(qm);
	pthread_mutex_destroy(&qm->lock);
}

/* ---- queue pairs ------------------------------------------------------------------ */

/* Program SQC and CQC of a queue whose rings are clear. Caller holds the lock. */
static int
qm_qp_start_locked(struct hisi_qp *qp)
{
	struct hisi_qm *qm = qp->qm;
	struct qm_sqc *sqc = (struct qm_sqc *)qm->mb_buf;
	struct qm_cqc *cqc = (struct qm_cqc *)(qm->mb_buf + sizeof(*sqc));
	uint64_t sq = wd_dma_iova(qp->sq), cq = wd_dma_iova(qp->cq);
	uint16_t rand = 0;
	int ret;

	memset(qp->sq, 0, (size_t)qp->depth * qp->sqe_size);
	memset(qp->cq, 0, (size_t)qp->depth * sizeof(struct qm_cqe));
	qp->sq_tail = 0;
	qp->cq_head = 0;
	qp->cq_phase = 1;
	qp->cq_unacked = 0;
	qp->db_sq = qm_db_word(qp->qn, QM_DB_CMD_SQ, rand, 0, 0);
	qp->db_cq = qm_db_word(qp->qn, QM_DB_CMD_CQ, rand, 0, 0);

	memset(sqc, 0, sizeof(*sqc));
	sqc->base_l = (uint32_t)sq;
	sqc->base_h = (uint32_t)(sq >> 32);
	sqc->dw3 = (uint32_t)(qp->depth - 1) |
		   ((uint32_t)rte_log2_u32(qp->sqe_size) << QM_QC_ESIZE_SHIFT);
	sqc->w8 = rand;
	sqc->cq_num = qp->qn;
	sqc->w13 = (uint16_t)((1u << QM_SQC_ORDERS_SHIFT) |
			      ((uint32_t)qp->type << QM_SQC_TYPE_SHIFT));
	ret = qm_mb(qm, QM_MB_CMD_SQC, wd_dma_iova(sqc), qp->qn, false, NULL);
	if (ret < 0)
		return ret;

	memset(cqc, 0, sizeof(*cqc));
	cqc->base_l = (uint32_t)cq;
	cqc->base_h = (uint32_t)(cq >> 32);
	cqc->dw3 = (uint32_t)(qp->depth - 1) | (QM_CQE_SIZE_LOG2 << QM_QC_ESIZE_SHIFT);
	cqc->w8 = rand;
	/* no event until a sleeper arms it (CQ doorbell priority 1) */
	cqc->dw6 = QM_CQC_PHASE;
	ret = qm_mb(qm, QM_MB_CMD_CQC, wd_dma_iova(cqc), qp->qn, false, NULL);
	if (ret < 0)
		return ret;
	qp->epoch = qm->epoch;
	return 0;
}

static unsigned int qm_aeq_drain_locked(struct hisi_qm *qm);

int
hisi_qm_qp_create(struct hisi_qm *qm, struct hisi_qp *qp, uint16_t depth, uint8_t type,
		  int socket)
{
	size_t sq_size, cq_off;
	uint32_t qn;
	int ret;

	if (depth < 2 || depth > QM_V2_DEPTH_MAX)
		return -EINVAL;
	memset(qp, 0, sizeof(*qp));
	qp->qm = qm;
	qp->depth = depth;
	qp->type = type;
	qp->sqe_size = qm->cfg.sqe_size;
	qp->db = qm->mmio;
	/*
	 * The device needs the CQ head only before its CQ fills, and senders
	 * count unacknowledged CQEs as occupied (ringing first when they need
	 * the room): so a half-ring batch is safe, and each CQ doorbell (on
	 * the model a call that reads the device's CQ tail, a line the device
	 * keeps writing) is paid once per half ring, not once per poll.
	 */
	qp->cq_db_batch = (uint16_t)((depth - 1) / 2);
	if (qp->cq_db_batch == 0)
		qp->cq_db_batch = 1;
	sq_size = (size_t)depth * qp->sqe_size;
	cq_off = RTE_ALIGN_CEIL(sq_size, 4096);
	qp->ring_size = cq_off + (size_t)depth * sizeof(struct qm_cqe);
	qp->ring = qm_dma_alloc(qp->ring_size, socket);
	if (qp->ring == NULL)
		return -ENOMEM;
	qp->sq = qp->ring;
	qp->cq = (struct qm_cqe *)((uint8_t *)qp->ring + cq_off);

	pthread_mutex_lock(&qm->lock);
	if (qm->state == HISI_QM_DEAD || (qm->epoch & 1)) {
		ret = -EIO;
		goto fail;
	}
	for (qn = 0; qn < qm->qp_num; qn++)
		if (!qm->qp_used[qn])
			break;
	if (qn == qm->qp_num) {
		ret = -EBUSY;
		goto fail;
	}
	qp->qn = (uint16_t)qn;
	/*
	 * Events not read yet may name this number for its previous owner (a
	 * CQE error of a request it released): take them now, so that they
	 * are not this queue's
	 */
	qm_aeq_drain_locked(qm);
	__atomic_store_n(&qm->qp_err[qn], 0, __ATOMIC_RELAXED);
	ret = qm_qp_start_locked(qp);
	if (ret < 0)
		goto fail;
	qm->qp_used[qn] = 1;
	qm->qp_in_use++;
	pthread_mutex_unlock(&qm->lock);
	return 0;
fail:
	pthread_mutex_unlock(&qm->lock);
	wd_dma_free(qp->ring);
	qp->ring = NULL;
	return ret;
}

/*
 * Take the QM lock for work of epoch @p epoch, but never wait for a reset
 * across it: a reset holds the lock for as long as it takes (a stalled
 * engine pass, a second or more), and the other queues' calls must not
 * wait for it (doc/hisi_zip.md). The lock is tried; while another holder
 * has it (a mailbox command: microseconds) the epoch is watched.
 * @return true with the lock held and the epoch still @p epoch; false
 *         (lock not held) once the epoch is not @p epoch.
 */
static bool
qm_lock_epoch(struct hisi_qm *qm, uint32_t epoch)
{
	for (;;) {
		if (__atomic_load_n(&qm->epoch, __ATOMIC_ACQUIRE) != epoch)
			return false;
		if (pthread_mutex_trylock(&qm->lock) == 0) {
			if (qm->epoch == epoch)
				return true;
			pthread_mutex_unlock(&qm->lock);
			return false;
		}
		rte_delay_us_sleep(QM_LOCK_RETRY_US);
	}
}

int
hisi_qm_qp_restart(struct hisi_qp *qp)
{
	struct hisi_qm *qm = qp->qm;
	int ret;

	/* a reset in progress is not waited for: the queue is recovered after it */
	for (;;) {
		uint32_t e = hisi_qm_epoch(qm);

		if (e & 1)
			return -EINPROGRESS;
		if (qm_lock_epoch(qm, e))
			break;
	}
	if (qm->state == HISI_QM_DEAD) {
		ret = -EIO;
	} else {
		/* events about the stopped queue's requests are not the new rings' */
		if ((qm->epoch & 1) == 0)
			qm_aeq_drain_locked(qm);
		__atomic_store_n(&qm->qp_err[qp->qn], 0, __ATOMIC_RELAXED);
		ret = qm_qp_start_locked(qp);
	}
	pthread_mutex_unlock(&qm->lock);
	if (ret < 0)
		QM_LOG(qm, ERR, "queue %u: cannot restart: %s", qp->qn, strerror(-ret));
	return ret;
}

/*
 * Has the device written the CQE before @p tail (the CQC's tail: one past
 * the last CQE written)? A device may advance the tail before the entry
 * lands in memory (the model does): until it has landed, the ring is not
 * the driver's to free or reuse.
 */
static bool
qm_cq_landed(const struct hisi_qp *qp, uint16_t tail)
{
	uint16_t last = tail == 0 ? (uint16_t)(qp->depth - 1) : (uint16_t)(tail - 1);

	if (tail == qp->cq_head)
		return true;	/* nothing beyond what was consumed */
	/* entries before the head are the next lap's */
	return hisi_qp_cqe_valid(qp, last, last >= qp->cq_head ? qp->cq_phase :
				 (uint8_t)(qp->cq_phase ^ 1));
}

int
hisi_qm_qp_drain(struct hisi_qp *qp, uint32_t timeout_ms)
{
	struct hisi_qm *qm = qp->qm;
	uint64_t end = rte_get_timer_cycles() + qm->hz * timeout_ms / 1000;
	struct qm_sqc *sqc = (struct qm_sqc *)qm->mb_buf;
	struct qm_cqc *cqc = (struct qm_cqc *)(qm->mb_buf + sizeof(*sqc));
	uint16_t sq_tail = 0, cq_tail = 0;
	bool equal = false;
	int ret;

	for (;;) {
		bool late = rte_get_timer_cycles() > end;

		if (!qm_lock_epoch(qm, qp->epoch)) {
			/*
			 * A reset in progress (another thread's): not waited for
			 * here; until it is done the device may still write into
			 * the rings. A reset done since: nothing of this queue is
			 * left in the hardware.
			 */
			return (hisi_qm_epoch(qm) & 1) ? -EINPROGRESS : 0;
		}
		if (qm->state == HISI_QM_DEAD) {
			pthread_mutex_unlock(&qm->lock);
			return 0;
		}
		ret = qm_mb(qm, QM_MB_CMD_SQC, wd_dma_iova(sqc), qp->qn, true, NULL);
		if (ret == 0)
			ret = qm_mb(qm, QM_MB_CMD_CQC, wd_dma_iova(cqc), qp->qn, true, NULL);
		if (ret == 0) {
			/* copies: the mailbox buffer is the next caller's once unlocked */
			sq_tail = sqc->tail;
			cq_tail = cqc->tail;
			equal = sq_tail == cq_tail &&
				(sqc->w11 & QM_QC_TAIL_WRAP) == (cqc->w11 & QM_QC_TAIL_WRAP);
		}
		pthread_mutex_unlock(&qm->lock);
		if (ret < 0)
			return ret;
		if (equal) {
			/*
			 * Every request answered. Give the last answer a moment
			 * to land in memory; one with a wrong phase (the device
			 * reported a CQE error, or wrote it badly) never shows
			 * as landed: the grace bounds the wait.
			 */
			uint64_t grace = rte_get_timer_cycles() + qm->hz * QM_CQE_GRACE_MS / 1000;

			while (!qm_cq_landed(qp, cq_tail) && rte_get_timer_cycles() < grace)
				rte_pause();
			return 0;
		}
		if (late) {
			QM_LOG(qm, WARNING, "queue %u does not drain: SQ tail %u, CQ tail %u",
			       qp->qn, sq_tail, cq_tail);
			return -ETIMEDOUT;
		}
		rte_delay_us_sleep(QM_DRAIN_POLL_US);
	}
}

void
hisi_qm_qp_destroy(struct hisi_qp *qp)
{
	struct hisi_qm *qm = qp->qm;
	int ret;

	if (qp->ring == NULL)
		return;
	ret = hisi_qm_qp_drain(qp, QM_DRAIN_TIMEOUT_MS);
	if (ret < 0 && ret != -EINPROGRESS) {
		/*
		 * The hardware may still write into the rings or buffers: stop
		 * it (with the queue's epoch: a reset since has done that)
		 */
		QM_LOG(qm, WARNING, "queue %u: resetting the function to release it", qp->qn);
		(void)hisi_qm_reset(qm, qp->epoch);
	}
	/*
	 * A reset holds the lock throughout: one in progress (-EINPROGRESS,
	 * or started since) is waited for here, none is in progress past this
	 */
	pthread_mutex_lock(&qm->lock);
	qm->qp_used[qp->qn] = 0;
	qm->qp_in_use--;
	pthread_mutex_unlock(&qm->lock);
	wd_dma_free(qp->ring);
	qp->ring = NULL;
}

/* ---- reset ---------------------------------------------------------------------- */

int
hisi_qm_reset(struct hisi_qm *qm, uint32_t epoch)
{
	int ret;

	/*
	 * Somebody else reset the function since (or does now: an odd epoch
	 * passed is waited out, so that the caller finds the function back)
	 */
	if (!qm_lock_epoch(qm, epoch))
		return hisi_qm_dead(qm) ? -EIO : 0;
	/* odd epoch: queues stop ringing doorbells and wait for the lock */
	__atomic_store_n(&qm->epoch, epoch + 1, __ATOMIC_SEQ_CST);
	/*
	 * A sender or poller that read the old epoch just before may still be
	 * ringing its doorbell (a few stores after its check, taking no lock):
	 * let it finish before the function goes away under it
	 */
	rte_delay_us_sleep(QM_RESET_QUIESCE_US);
	QM_LOG(qm, WARNING, "resetting the function (reset #%" PRIu64 ")", qm->resets + 1);
	ret = wd_dev_reset(qm->dev);
	if (ret == 0)
		ret = qm_hw_start(qm, false);
	if (ret < 0) {
		QM_LOG(qm, ERR, "function reset failed: %s; the device is out of service",
		       strerror(-ret));
		__atomic_store_n(&qm->state, HISI_QM_DEAD, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&qm->state, HISI_QM_RUNNING, __ATOMIC_RELEASE);
		qm->resets++;
		/* every queue is re-created after a reset: older queue errors are moot */
		qm->eq_overflow = false;
		for (uint32_t i = 0; i < qm->qp_num; i++)
			__atomic_store_n(&qm->qp_err[i], 0, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&qm->epoch, epoch + 2, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&qm->lock);
	return ret;
}

/* The PF's error registers (lock held). @return true if the function needs a reset. */
static bool
qm_check_errors_locked(struct hisi_qm *qm)
{
	uint32_t st, eng = 0;
	bool eng_reset = false, reset;

	if (qm->is_vf || qm->state == HISI_QM_DEAD || (qm->epoch & 1))
		return false;
	st = wd_mmio_read32(&qm->mmio, QM_ABNORMAL_INT_STATUS);
	if (qm->cfg.ops != NULL && qm->cfg.ops->err_check != NULL)
		eng_reset = qm->cfg.ops->err_check(qm, &eng);
	if (st == 0 && eng == 0)
		return false;
	reset = eng_reset || (st & qm->cfg.err_reset) != 0;
	QM_LOG(qm, ERR, "hardware error: QM status %#x (fifo %#x, doorbell %#x), engine %#x%s",
	       st, wd_mmio_read32(&qm->mmio, QM_ABNORMAL_INF00),
	       wd_mmio_read32(&qm->mmio, QM_ABNORMAL_INF01), eng, reset ? ": needs a reset" : "");
	if (!reset && st != 0) {
		wd_mmio_write32(&qm->mmio, QM_ABNORMAL_INT_SOURCE, st);
		wd_mmio_write32(&qm->mmio, QM_RAS_NFE_ENABLE, qm->cfg.err_nfe);
	}
	return reset;
}

bool
hisi_qm_check_errors(struct hisi_qm *qm)
{
	uint32_t epoch = hisi_qm_epoch(qm);
	bool reset;

	if (qm->is_vf || hisi_qm_dead(qm) || (epoch & 1))
		return false;
	if (!qm_lock_epoch(qm, epoch))
		return false;	/* reset since, or now: nothing to act on */
	reset = qm_check_errors_locked(qm);
	pthread_mutex_unlock(&qm->lock);
	return reset;
}

/* ---- events ----------------------------------------------------------------------- */

/* Consume new entries of an event ring. @return how many. */
static unsigned int
qm_eq_consume(uint32_t *ring, uint16_t depth, uint16_t *head, uint8_t *phase, uint32_t *last)
{
	unsigned int n = 0;

	for (;;) {
		uint32_t e = __atomic_load_n(&ring[*head], __ATOMIC_ACQUIRE);

		if (((e & QM_EQE_PHASE) != 0) != (*phase != 0))
			break;
		*last = e;
		n++;
		if (++*head == depth) {
			*head = 0;
			*phase ^= 1;
		}
		/* never loop more than a ring's worth */
		if (n == depth)
			break;
	}
	return n;
}

/*
 * Consume the AEQ (lock held) and act on it as section 5.4 says: a CQ
 * overflow or a CQE error marks its queue (its owner stops and restarts
 * it), an EQ overflow the function (a reset). @return entries consumed.
 */
static unsigned int
qm_aeq_drain_locked(struct hisi_qm *qm)
{
	unsigned int n = 0;

	if (!qm->irq || qm->aeq == NULL)
		return 0;
	for (;;) {
		uint32_t e = __atomic_load_n(&qm->aeq[qm->aeq_head], __ATOMIC_ACQUIRE);
		uint32_t type, qn;

		if (((e & QM_EQE_PHASE) != 0) != (qm->aeq_phase != 0))
			break;
		type = (e >> QM_AEQE_TYPE_SHIFT) & QM_AEQE_TYPE_MASK;
		qn = e & QM_EQE_CQN_MASK;
		QM_LOG(qm, ERR, "asynchronous event: %s, queue %u",
		       type == QM_AEQE_CQ_OVERFLOW ? "CQ overflow" :
		       type == QM_AEQE_EQ_OVERFLOW ? "EQ overflow" :
		       type == QM_AEQE_CQE_ERROR ? "CQE error" : "unknown type", qn);
		if (type == QM_AEQE_EQ_OVERFLOW)
			qm->eq_overflow = true;
		else if ((type == QM_AEQE_CQ_OVERFLOW || type == QM_AEQE_CQE_ERROR) &&
			 qn < qm->qp_num)
			__atomic_store_n(&qm->qp_err[qn], 1, __ATOMIC_RELEASE);
		if (++qm->aeq_head == QM_AEQ_DEPTH_V2) {
			qm->aeq_head = 0;
			qm->aeq_phase ^= 1;
		}
		/* never more than a ring's worth */
		if (++n == QM_AEQ_DEPTH_V2)
			break;
	}
	if (n > 0)
		wd_mmio_write64(&qm->mmio, QM_DB_EQAEQ_V2,
				qm_db_word(0, QM_DB_CMD_AEQ, 0, qm->aeq_head, 0));
	return n;
}

bool
hisi_qm_poll_events(struct hisi_qm *qm)
{
	bool reset = false;

	/* out of service, or a reset in progress (nothing to act on until it ends) */
	if (hisi_qm_dead(qm) || (hisi_qm_epoch(qm) & 1))
		return false;
	/*
	 * A periodic check from the data path: when the lock is taken (a
	 * reset about to start, another queue's command) it looks again at
	 * its next period instead of waiting, maybe for a whole reset
	 */
	if (pthread_mutex_trylock(&qm->lock) != 0)
		return false;
	if ((qm->epoch & 1) == 0) {
		if (qm->irq) {
			qm_aeq_drain_locked(qm);
			reset = qm->eq_overflow;
		}
		/* the PF's abnormal status too (a VF cannot read it) */
		reset = qm_check_errors_locked(qm) || reset;
	}
	pthread_mutex_unlock(&qm->lock);
	return reset;
}

bool
hisi_qm_qp_error_take(struct hisi_qp *qp)
{
	struct hisi_qm *qm = qp->qm;

	return qm->qp_err != NULL && qp->qn < qm->qp_num &&
	       __atomic_exchange_n(&qm->qp_err[qp->qn], 0, __ATOMIC_ACQ_REL) != 0;
}

int
hisi_qm_qp_irq_arm(struct hisi_qp *qp)
{
	struct hisi_qm *qm = qp->qm;
	uint32_t last = 0;
	int fd;

	if (!qm->irq)
		return -ENOTSUP;
	/* a reset in progress is not waited for: the caller naps and looks again */
	if (!qm_lock_epoch(qm, qp->epoch))
		return -EIO;
	if (qm->state == HISI_QM_DEAD) {
		pthread_mutex_unlock(&qm->lock);
		return -EIO;
	}
	if (qm_eq_consume(qm->eq, QM_EQ_DEPTH_V2, &qm->eq_head, &qm->eq_phase, &last) > 0)
		wd_mmio_write64(&qm->mmio, QM_DB_EQAEQ_V2,
				qm_db_word(0, QM_DB_CMD_EQ, 0, qm->eq_head, 0));
	qm_aeq_drain_locked(qm);
	fd = qm->efds[0];
	/*
	 * Re-arm this CQ's event (the next completion posts an EQE and an
	 * MSI), under the lock: a reset cannot start between the epoch
	 * check and the doorbell
	 */
	hisi_qp_ring_cq(qp, true);
	pthread_mutex_unlock(&qm->lock);
	return fd;
}
