/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * HiSilicon QM (queue management, hardware v2) for user-space drivers
 * (internal).
 *
 * The QM part of the driver: function initialisation (PF: section 9.3 of
 * the reference; VF: its VFT through mailbox command 6), the mailbox,
 * SQC/CQC base tables, queue pairs (rings in hugepage memory, contexts
 * programmed by mailbox), doorbells, event queues, error checks, function
 * reset and re-initialisation, shutdown. It is parametrised by the SQE
 * size and a few engine callbacks and knows nothing of what the SQEs mean,
 * so that ZIP, SEC and HPRE drivers can share it.
 *
 * Ring state of a queue pair (one slot of the SQ is always kept empty; CQ
 * doorbells are batched, see hisi_qp_cq_consumed()):
 *
 *     SQ  [ done | in flight ......... | free ]
 *                 ^ oldest             ^ sq_tail (next SQE; SQ doorbell index)
 *     (in flight is not contiguous: completions free slots out of order,
 *     and the tail may come round to a slot still held; hisi_zip keeps
 *     sequence numbers to find the oldest, see check_stall())
 *     CQ  [ consumed | new CQEs (phase == cq_phase) | stale ]
 *                     ^ cq_head (next CQE; CQ doorbell index)
 *
 * Threading: the fast-path helpers below work on one queue pair from one
 * thread, without locks or atomics. Control operations (mailbox, queue
 * creation, reset, event queues) take the function's lock. A reset bumps
 * hisi_qm.epoch (odd while it is in progress); each queue pair compares it
 * with its own copy on every burst and recovers when it differs.
 */
#ifndef HISI_QM_H
#define HISI_QM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_io.h>

#include "wd_drv.h"
#include "wd_mmio.h"

#include "hisi_qm_hw.h"

struct hisi_qm;

/** Engine callbacks (PF only; VFs never touch engine registers). */
struct hisi_qm_engine_ops {
	/** Engine part of section 9.3 (user domains, caches, cores). @return 0 or -errno. */
	int (*hw_init)(struct hisi_qm *qm);
	/** Engine error configuration (9.3 step 15). */
	void (*err_init)(struct hisi_qm *qm);
	/**
	 * Check the engine's error status. @return true if a reset is needed;
	 * *status receives the raw status for the log.
	 */
	bool (*err_check)(struct hisi_qm *qm, uint32_t *status);
};

/** What an engine driver tells the QM. */
struct hisi_qm_cfg {
	bool is_vf;                  /**< a VF (reads its VFT) or the PF (full init) */
	uint16_t sqe_size;           /**< bytes per SQE (ZIP: 128) */
	uint64_t pf_bar_min;         /**< PF: smallest BAR2 that holds the engine registers */
	uint32_t pf_q_num;           /**< PF: queues the PF keeps (VFT) */
	uint32_t err_ce;             /**< QM correctable error mask */
	uint32_t err_nfe;            /**< QM non-fatal error mask */
	uint32_t err_fe;             /**< QM fatal error mask */
	uint32_t err_reset;          /**< QM errors that need a reset */
	const struct hisi_qm_engine_ops *ops;
	int logtype;                 /**< rte_log type for control-path logs */
	const char *drv_name;        /**< prefix of log lines */
};

/** Function states. */
enum hisi_qm_state {
	HISI_QM_RUNNING = 0,
	HISI_QM_DEAD,                /**< re-initialisation after a reset failed */
};

/** One PCI function (PF or VF) of a QM-based engine. */
struct hisi_qm {
	/* read by every queue on every burst: keep first */
	volatile uint32_t epoch;     /**< bumped twice per reset (odd: in progress) */
	volatile uint32_t state;     /**< enum hisi_qm_state */

	struct wd_dev *dev;
	const char *name;            /**< device name, for logs */
	struct hisi_qm_cfg cfg;
	void *priv;                  /**< engine driver's data */
	struct wd_mmio mmio;         /**< BAR2 */
	bool is_vf;
	uint8_t rev;
	uint32_t qp_base;            /**< first queue of the function (device-wide) */
	uint32_t qp_num;             /**< queues of the function */
	uint32_t qp_in_use;
	uint8_t *qp_used;            /**< qp_num flags */
	uint8_t *qp_err;             /**< qp_num flags: an AEQE named the queue (atomic) */
	bool eq_overflow;            /**< an AEQE reported an EQ overflow: reset */

	struct qm_sqc *sqc;          /**< SQC base table (SQC_BT) */
	struct qm_cqc *cqc;          /**< CQC base table (CQC_BT) */
	uint8_t *mb_buf;             /**< mailbox DMA scratch (contexts) */

	/* events (only with MSI) */
	bool irq;
	unsigned int nvec;
	int efds[WD_MAX_IRQS];
	uint32_t *eq;
	uint32_t *aeq;
	uint16_t eq_head;
	uint16_t aeq_head;
	uint8_t eq_phase;
	uint8_t aeq_phase;

	uint64_t resets;             /**< completed resets */
	uint64_t hz;                 /**< timer ticks per second */
	pthread_mutex_t lock;        /**< control path */
};

/** A queue pair: SQ + CQ of one function-relative queue number. */
struct hisi_qp {
	/* fast path */
	uint8_t *sq;                 /**< SQ ring: depth x sqe_size */
	struct qm_cqe *cq;           /**< CQ ring: depth x 16 */
	uint16_t depth;
	uint16_t sq_tail;            /**< next SQ slot to write */
	uint16_t cq_head;            /**< next CQE to read */
	uint8_t cq_phase;            /**< expected phase of a new CQE */
	uint16_t cq_unacked;         /**< CQEs consumed since the last CQ doorbell */
	uint16_t cq_db_batch;        /**< ring the CQ doorbell once this many are consumed */
	uint8_t type;                /**< SQC type (ZIP: 0 compress, 1 decompress) */
	uint64_t db_sq;              /**< doorbell word without index */
	uint64_t db_cq;
	struct wd_mmio db;           /**< BAR2 (copy, for locality) */
	uint32_t epoch;              /**< hisi_qm.epoch this queue was started in */
	uint16_t qn;                 /**< function-relative queue number */
	uint16_t sqe_size;
	/* control */
	struct hisi_qm *qm;
	void *ring;                  /**< DMA memory of both rings */
	size_t ring_size;
};

/* ---- control path --------------------------------------------------------------- */

/**
 * Initialise a function: PF section 9.3 (memory init, AXI, engine, error
 * configuration, PF VFT) or VF (VFT read), then event queues when MSI
 * vectors can be enabled, and SQC_BT/CQC_BT.
 * @return 0, -ENOTSUP (not a QM v2 function), -ETIMEDOUT, -EIO, -ENOMEM.
 */
int hisi_qm_init(struct hisi_qm *qm, struct wd_dev *dev, const struct hisi_qm_cfg *cfg,
		 void *priv);

/** Shut the function down (section 9.4) and free its memory. No queue may remain. */
void hisi_qm_uninit(struct hisi_qm *qm);

/**
 * Create a queue pair: take a free queue number, allocate the rings on
 * @p socket and program SQC/CQC.
 * @return 0, -EBUSY (no queue left), -EINVAL, -ENOMEM, -ETIMEDOUT, -EIO.
 */
int hisi_qm_qp_create(struct hisi_qm *qm, struct hisi_qp *qp, uint16_t depth, uint8_t type,
		      int socket);

/**
 * Stop a queue pair (drain per section 6.4; a function reset when the
 * hardware does not drain), free it and give its number back.
 */
void hisi_qm_qp_destroy(struct hisi_qp *qp);

/**
 * Wait until the hardware has completed every SQE it was given on @p qp
 * (section 6.4). @return 0, -ETIMEDOUT, -EIO (mailbox failed).
 */
int hisi_qm_qp_drain(struct hisi_qp *qp, uint32_t timeout_ms);

/**
 * Restart a queue pair after a drain or a reset: clear the rings and the
 * indices and program SQC/CQC again (in the current epoch).
 * @return 0 or -errno (then the function is unusable: see state).
 */
int hisi_qm_qp_restart(struct hisi_qp *qp);

/**
 * Reset the function (FLR through wd_core) and initialise it again (PF:
 * section 9.3 from step 5, no memory init; VF: VFT and tables), unless
 * another thread already did so since @p epoch was read. Queues recover
 * on their own when they see the new epoch.
 * @return 0, or -errno (the function is then HISI_QM_DEAD).
 */
int hisi_qm_reset(struct hisi_qm *qm, uint32_t epoch);

/**
 * PF: read the abnormal interrupt status of the QM and the engine; clear
 * what does not need a reset. @return true if a reset is needed.
 * VF: always false (a VF cannot see these registers).
 */
bool hisi_qm_check_errors(struct hisi_qm *qm);

/**
 * Prepare to sleep on completion events of @p qp: consume pending EQEs
 * and AEQEs, re-arm the CQ's event (CQ doorbell with priority 1).
 * @return the eventfd of the EQ vector, or -ENOTSUP (no MSI).
 */
int hisi_qm_qp_irq_arm(struct hisi_qp *qp);

/**
 * The periodic error check (not per request): drain the AEQ (with MSI;
 * polling never consumes it otherwise, and a full AEQ is a reset-class
 * error) and read the PF's abnormal status (hisi_qm_check_errors).
 * CQ-overflow and CQE-error events mark their queue
 * (hisi_qm_qp_error_take()). @return true if the function needs a reset
 * (EQ overflow, reset-class error).
 */
bool hisi_qm_poll_events(struct hisi_qm *qm);

/** @return true (once) if an AEQE reported a CQ overflow or CQE error on @p qp. */
bool hisi_qm_qp_error_take(struct hisi_qp *qp);

/** Log with the function's name: control path only. */
#define QM_LOG(qm, level, fmt, ...) \
	rte_log(RTE_LOG_##level, (qm)->cfg.logtype, "%s %s: " fmt "\n", (qm)->cfg.drv_name, \
		(qm)->name, ##__VA_ARGS__)

/* ---- fast path (one thread per queue pair; no lock, no atomic) ------------------ */

/** @return SQE slot @p idx. */
static inline void *
hisi_qp_sqe(const struct hisi_qp *qp, uint16_t idx)
{
	return qp->sq + (size_t)idx * qp->sqe_size;
}

/** Ring the SQ doorbell: every SQE up to (not including) sq_tail is valid. */
static inline void
hisi_qp_ring_sq(const struct hisi_qp *qp)
{
	/* wd_mmio_write64 orders the SQE stores before the doorbell */
	wd_mmio_write64(&qp->db, QM_DB_SQCQ_V2,
			qp->db_sq | ((uint64_t)qp->sq_tail << QM_DB_INDEX_SHIFT));
}

/** Ring the CQ doorbell: CQEs before cq_head are free; @p arm re-arms events. */
static inline void
hisi_qp_ring_cq(struct hisi_qp *qp, bool arm)
{
	wd_mmio_write64(&qp->db, QM_DB_SQCQ_V2,
			qp->db_cq | ((uint64_t)qp->cq_head << QM_DB_INDEX_SHIFT) |
			((uint64_t)arm << QM_DB_PRIORITY_SHIFT));
	qp->cq_unacked = 0;
}

/**
 * Account @p n consumed CQEs; ring the CQ doorbell once cq_db_batch have
 * accumulated. The device never finds its CQ full as long as requests in
 * flight + cq_unacked stay within depth - 1: senders take cq_unacked off
 * the room they see (and ring first when they need it).
 */
static inline void
hisi_qp_cq_consumed(struct hisi_qp *qp, uint16_t n)
{
	qp->cq_unacked = (uint16_t)(qp->cq_unacked + n);
	if (qp->cq_unacked >= qp->cq_db_batch)
		hisi_qp_ring_cq(qp, false);
}

/**
 * The function's epoch, read without the lock (odd: a reset in progress;
 * it changed: the queues must be re-created). Acquire: what the reset
 * wrote before it is visible after.
 */
static inline uint32_t
hisi_qm_epoch(const struct hisi_qm *qm)
{
	return __atomic_load_n(&qm->epoch, __ATOMIC_ACQUIRE);
}

/** Is the function out of service (a re-initialisation failed)? Without the lock. */
static inline bool
hisi_qm_dead(const struct hisi_qm *qm)
{
	return __atomic_load_n(&qm->state, __ATOMIC_ACQUIRE) == HISI_QM_DEAD;
}

/** @return true if the CQE at @p idx, expected with @p phase, is new. */
static inline bool
hisi_qp_cqe_valid(const struct hisi_qp *qp, uint16_t idx, uint8_t phase)
{
	const volatile uint16_t *w7 = &qp->cq[idx].w7;

	return (*w7 & QM_CQE_PHASE) == phase;
}

#endif /* HISI_QM_H */
