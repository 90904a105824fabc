/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internal definitions of the device model (model/hisi_zip, not installed).
 *
 * Threads and locks:
 *  - driver threads call the MMIO entry points. Doorbells (0x1000, 0x2000)
 *    take no lock: they validate the word, publish the new index with a
 *    release store, set the queue's bit in its engine thread's pending
 *    bitmap and wake that thread only if it sleeps. Every other register
 *    access takes reg_lock (control path);
 *  - engine threads (hzm_thread.c) own the execution side of the queues
 *    assigned to them (queue -> thread by CQ number, so completions of a
 *    queue are produced in order by one thread). They never take reg_lock;
 *    they share ev_lock (EQ/AEQ posting) and irq_lock (eventfds);
 *  - control operations that rewrite state the engines use (SQC/CQC/EQC/
 *    AEQC writes, reset, destroy) first pause the engines
 *    (hzm_engines_pause) so no queue is in the middle of a request.
 */
#ifndef HZM_PRIVATE_H
#define HZM_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <errno.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_log.h>

#include "hzip_model.h"
#include "hzm_iommu.h"
#include "hzm_qm_hw.h"
#include "hzm_zip.h"

extern int hzm_logtype;

#define HZM_LOG(level, m, fmt, ...) \
	rte_log(RTE_LOG_##level, hzm_logtype, "model.hisi_zip: %s: " fmt "\n", \
		(m)->name, ##__VA_ARGS__)

/** Log and count a driver error (a bad register access, protocol violation...). */
#define HZM_DRV_ERR(m, fmt, ...) do { \
	__atomic_fetch_add(&(m)->driver_errors, 1, __ATOMIC_RELAXED); \
	HZM_LOG(ERR, m, "driver error: " fmt, ##__VA_ARGS__); \
	hzm_trace_note(m, "DRIVER-ERROR " fmt, ##__VA_ARGS__); \
} while (0)

#define HZM_MAX_QUEUES		HZM_QM_TOTAL_QUEUES
#define HZM_PENDING_WORDS	(HZM_MAX_QUEUES / 64)
#define HZM_MAX_ENGINES		16

/* Reasons why the engines may not fetch SQEs (m->gate). */
#define HZM_GATE_NO_MASTER	(1u << 0)	/* bus mastering off (config space) */
#define HZM_GATE_SHUTDOWN	(1u << 1)	/* ACC_MASTER_GLOBAL_CTRL bit0 */
#define HZM_GATE_ECC_HALT	(1u << 2)	/* injected ECC multi-bit: until FLR */

/** Per-slot record between execution and completion. */
struct hzm_slot {
	uint64_t due_ns;	/* timing model: earliest completion (0 = now) */
	uint32_t flags;		/* HZM_SLOT_* */
	uint32_t size;		/* bytes for the DFX counters */
};
#define HZM_SLOT_DROP		(1u << 0)	/* injected: never complete */
#define HZM_SLOT_BAD_PHASE	(1u << 1)	/* injected: CQE with the wrong phase */
#define HZM_SLOT_DMA_FAULT	(1u << 2)	/* request ended on an IOMMU fault */

/** A submission queue (function-relative number = index in m->sqs). */
struct hzm_sq {
	/* --- read by the doorbell path (driver threads) --- */
	uint32_t valid;		/* SQC written by the mailbox */
	uint16_t depth;
	uint16_t rand;
	uint16_t cqn;
	uint8_t type;		/* HZM_SQC_TYPE_* */
	uint8_t thread;		/* engine thread */
	uint64_t base;		/* ring IOVA */
	uint32_t db_tail;	/* last doorbell index [15:0] | tail wrap << 16 (release) */
	uint32_t done_seen;	/* a value `done` had (doorbell path: overrun check) */
	uint64_t db_ns;		/* timing: time of the last doorbell */
	uint64_t doorbells;
	/* --- engine side (owner thread; control path only when paused) --- */
	uint32_t exec __rte_cache_aligned;	/* next SQE to fetch [15:0] | head wrap << 16 */
	uint32_t done;		/* next SQE to complete [15:0] | wrap << 16 (release) */
	uint16_t qn;
	uint16_t w13;
	uint16_t pasid;
	bool active;		/* on its thread's active list */
	bool broken;		/* ring DMA failed: stopped until the SQC is rewritten */
	bool cq_wait;		/* waiting for CQ space */
	uint64_t last_due;	/* timing: due time of the last request (order) */
	uint64_t sqe_count;
	uint64_t cqe_count;
	struct hzm_slot *slots;	/* depth records */
};

/** A completion queue. */
struct hzm_cq {
	uint32_t valid;
	uint16_t depth;
	uint16_t rand;
	uint64_t base;
	uint32_t head;		/* from CQ doorbells: [15:0] | head wrap << 16 */
	uint32_t c_flag;	/* event armed */
	uint8_t thread;
	uint64_t doorbells;
	/* --- engine side --- */
	uint32_t tail __rte_cache_aligned;	/* [15:0] | tail wrap << 16 (release) */
	uint32_t phase;		/* phase of the next CQE */
	uint16_t pasid;
	uint16_t w11_rsvd;
	uint32_t dw6_rsvd;	/* dw6 bits other than phase/c_flag, kept for reads */
	bool overflow;		/* CQ full: AEQE posted, posting stopped */
};

/** The event queue or the asynchronous event queue. */
struct hzm_eq {
	bool valid;
	uint16_t depth;
	uint64_t base;
	uint32_t head;		/* from doorbells */
	uint32_t tail;		/* next entry the device writes */
	uint32_t phase;
	uint32_t dw3;
	bool overflow;
};

/** ZIP core DFX counters [9.1]. */
struct hzm_core_dfx {
	uint64_t get_bd, good_bd, err_bd, done_bd;
	uint64_t work_ns;
	uint64_t max_delay_us, min_delay_us, sum_delay_us;
	uint64_t consumed, produced;
};

/** A queue an engine thread watches for doorbells. */
struct hzm_watch {
	struct hzm_sq *sq;
	uint64_t seen;		/* its doorbell count when the thread last looked */
};

/** One engine thread. */
struct hzm_thread {
	struct hzip_model *m;
	unsigned int id;
	pthread_t tid;
	bool started;
	uint64_t pending[HZM_PENDING_WORDS] __rte_cache_aligned;	/* SQ doorbell bits */
	uint32_t sleeping __rte_cache_aligned;	/* futex: 1 = asleep or about to sleep */
	uint32_t in_pass;	/* inside a processing pass (see hzm_engines_pause) */
	uint32_t busy;		/* executing a request right now (TRANS_RETURN, IN_IDLE_ST) */
	uint32_t rescan;	/* re-examine every queue (gate lifted, CQ space, reset) */
	struct hzm_sq **active;	/* queues with work or completions pending */
	unsigned int n_active;
	struct hzm_watch *watch;	/* its queues whose SQC is valid (see hzm_thread.c) */
	unsigned int n_watch;
	uint64_t requests;	/* counters (read by stats) */
	uint64_t bytes_in;
	uint64_t bytes_out;
	struct hzm_core_dfx core[HZM_ZIP_CORES];	/* this thread's share of the core DFX */
	unsigned int rr_comp;	/* next core for DFX accounting */
	unsigned int rr_decomp;
	uint8_t sqe[HZM_SQE_SIZE];
};

/** Latched mailbox state [4.3]. */
struct hzm_mbox_state {
	uint8_t latch[HZM_MAILBOX_SIZE];	/* bytes written so far */
	uint32_t written;			/* dwords written (bit i = dword i) */
	uint8_t reg[HZM_MAILBOX_SIZE];		/* what a read returns */
	bool busy_once;				/* next read of w0 shows busy */
};

struct hzip_model {
	char name[32];
	struct hzip_model_params p;
	bool vf;
	uint64_t bar2_size;
	uint64_t created_ns;

	/* config space */
	uint8_t cfg[HZM_CFG_SIZE];
	uint32_t bar2_lo_mask, bar2_hi_mask;
	uint32_t cmd;			/* command register (mirror for fast checks) */

	pthread_mutex_t reg_lock;	/* control-path registers, mailbox, VFT */

	/* per-function registers */
	uint32_t eq_int_source, aeq_int_source;
	uint32_t eq_int_mask, aeq_int_mask;
	uint32_t ifc_int_source, ifc_int_mask;
	uint32_t cache_wb_done;
	bool cache_wb_pending_read;
	struct hzm_mbox_state mb;

	/* PF registers: plain storage for every configured register of the table */
	uint32_t *regval;		/* parallel to hzm_reg_table */
	uint32_t abn_source;		/* QM abnormal source (atomic) */
	uint32_t abn_mask;
	uint32_t abn_inf00, abn_inf01;
	uint32_t core_source;		/* ZIP core error source (atomic) */
	uint32_t core_mask;
	uint32_t core_ecc_info;
	uint32_t rob_ecc_sts;
	uint32_t clock_gate;		/* ZIP core enables (atomic) */
	uint32_t master_ctrl;
	bool mem_ready;			/* memory initialised (MEM_INIT_DONE) */
	bool mem_init_started;
	uint64_t mem_init_done_ns;
	uint32_t vft_rdy;
	uint64_t vft[2][HZM_MAX_FUNCS];	/* SQC/CQC VFT entries (PF) */
	uint64_t own_sqc_vft, own_cqc_vft;	/* this function's entries */
	uint32_t qbase, qnum;		/* decoded own range (atomic reads) */
	uint32_t dfx_sel_mb, dfx_sel_db, dfx_sel_sqe, dfx_sel_cqe;
	uint64_t dfx_clr_mb, dfx_clr_db, dfx_clr_sqe, dfx_clr_cqe;	/* read-clear bases */
	uint64_t dfx_clr_send, dfx_clr_wb, dfx_clr_fin, dfx_clr_cqe_err;
	uint64_t dfx_ecc_mbit;
	uint64_t cqe_errors;
	struct hzm_core_dfx core_dfx_clr[HZM_ZIP_CORES];	/* read-clear bases */

	/* queues and events */
	uint64_t sqc_bt, cqc_bt;
	struct hzm_sq *sqs;		/* HZM_MAX_QUEUES, cache aligned */
	struct hzm_cq *cqs;
	struct hzm_eq eq, aeq;
	pthread_mutex_t ev_lock;

	/* interrupts */
	pthread_mutex_t irq_lock;
	int efd[HZM_PF_NVEC];
	unsigned int nvec;
	uint64_t msi_count[HZM_PF_NVEC];
	uint32_t msi_mask;		/* MSI mask bits (config space copy) */
	uint32_t msi_pending;		/* MSIs held back by their mask bit */

	/* engine */
	struct hzm_iommu *mmu;
	struct hzm_zip *zip;
	struct hzm_thread *threads;
	unsigned int nthreads;
	uint32_t gate;			/* HZM_GATE_* (atomic) */
	uint32_t paused;		/* engines must not start a pass */
	uint32_t stop;			/* engines exit */
	bool warned_cores_off;

	/* timing model */
	bool timing;
	double lat_ns_fixed, lat_ns_per_byte, bw_ns_per_byte;
	uint64_t bw_next_ns;		/* device bandwidth clock (atomic CAS) */

	/* fault injection */
	pthread_mutex_t fault_lock;
	struct hzip_model_faults faults;
	uint32_t fault_armed;		/* any fault pending (fast check) */

	/* trace */
	FILE *trace;
	pthread_mutex_t trace_lock;

	/* counters */
	uint64_t mailbox_cmds;
	uint64_t driver_errors;
	uint64_t faults_injected;
	uint64_t resets;
	uint64_t dma_faults;		/* faults seen by the queue engine itself */
	uint64_t xeq_doorbells;		/* EQ/AEQ doorbells */
};

/* ---- time ----------------------------------------------------------------- */

/** Monotonic nanoseconds (vDSO clock_gettime: no system call). */
uint64_t hzm_now_ns(void);

/* ---- hzm_dev.c -------------------------------------------------------------- */

/** @return true if DMA may happen now (bus master on). */
static inline bool
hzm_bus_master(const struct hzip_model *m)
{
	return (__atomic_load_n(&m->cmd, __ATOMIC_ACQUIRE) & HZM_CMD_MASTER) != 0;
}

/** Raise QM abnormal bits @p qm and ZIP core bits @p core (PF; MSI vector 3). */
void hzm_raise_abnormal(struct hzip_model *m, uint32_t qm, uint32_t core);
/** Record FIFO overflow details (ABNORMAL_INF00) and raise bit 11. */
void hzm_raise_fifo_overflow(struct hzip_model *m, unsigned int type);
/** Signal MSI vector @p vec if enabled and bus mastering is on. */
void hzm_msi(struct hzip_model *m, unsigned int vec);
/** @return the function-relative queue count (0 when the VFT is not valid). */
static inline uint32_t
hzm_qnum(const struct hzip_model *m)
{
	return __atomic_load_n(&m->qnum, __ATOMIC_ACQUIRE);
}
/** @return true if no engine thread is executing a request (AXI master idle). */
bool hzm_engines_idle(const struct hzip_model *m);
/** Sum (max/min for delays) of the core DFX counters of every thread. */
void hzm_core_dfx_sum(const struct hzip_model *m, unsigned int core, struct hzm_core_dfx *c);
/** @return true once memory init has completed (PF) or always (VF). reg_lock held. */
bool hzm_mem_ready(struct hzip_model *m);
/** Stored value of a plain read/write register (reg_lock held). */
uint32_t hzm_reg_value(const struct hzip_model *m, uint64_t off);
/** Name of a register for the trace and logs (NULL if unknown). */
const char *hzm_reg_name(const struct hzip_model *m, uint64_t off);

/* ---- hzm_mbox.c ------------------------------------------------------------- */

void hzm_mbox_write(struct hzip_model *m, uint64_t off, const void *buf, unsigned int len);
void hzm_mbox_read(struct hzip_model *m, uint64_t off, void *buf, unsigned int len);
void hzm_cache_writeback(struct hzip_model *m);
/** Reset mailbox and context state (function reset). Engines paused. */
void hzm_mbox_reset(struct hzip_model *m);

/* ---- hzm_queue.c ------------------------------------------------------------ */

void hzm_doorbell_sq_cq(struct hzip_model *m, uint64_t v);
void hzm_doorbell_eq_aeq(struct hzip_model *m, uint64_t v);
/** Execute what is due on one SQ (engine thread). @return work done (> 0) or 0. */
unsigned int hzm_sq_run(struct hzm_thread *t, struct hzm_sq *sq, uint64_t now,
			uint64_t *next_due);
/** Post an AEQE (any thread). */
void hzm_post_aeqe(struct hzip_model *m, uint16_t qn, unsigned int type);
/** Build the SQC/CQC as a mailbox read or a write-back returns it. */
void hzm_sqc_snapshot(const struct hzip_model *m, uint16_t qn, struct hzm_sqc *c);
void hzm_cqc_snapshot(const struct hzip_model *m, uint16_t qn, struct hzm_cqc *c);
void hzm_eqc_snapshot(const struct hzm_eq *eq, struct hzm_eqc *c);

/* ---- hzm_thread.c ----------------------------------------------------------- */

int hzm_engines_start(struct hzip_model *m);
void hzm_engines_stop(struct hzip_model *m);
/** Stop the engines between passes (control path). */
void hzm_engines_pause(struct hzip_model *m);
void hzm_engines_resume(struct hzip_model *m);
/** Wake one engine thread (doorbell path: no system call unless it sleeps). */
void hzm_thread_wake(struct hzm_thread *t);
/** Mark SQ @p qn pending on its thread and wake it. */
void hzm_sq_kick(struct hzip_model *m, struct hzm_sq *sq);
/** Take @p sq off its thread's pending bits and active list (engines paused). */
void hzm_sq_forget(struct hzip_model *m, struct hzm_sq *sq);
/** Drop every thread's pending work (function reset; engines paused or not started). */
void hzm_engines_forget_all(struct hzip_model *m);
/** Make every thread re-examine all its queues (gate lifted, CQ space). */
void hzm_engines_rescan(struct hzip_model *m);
/** Set/clear an execution gate bit. */
void hzm_gate_set(struct hzip_model *m, uint32_t bit, bool on);
/** Timing model: due time of a request of @p size bytes on @p sq. */
uint64_t hzm_timing_due(struct hzip_model *m, struct hzm_sq *sq, uint64_t now, uint64_t size);

/* ---- hzm_fault.c ------------------------------------------------------------ */

/** What to do with one request. */
struct hzm_fault_act {
	uint8_t fail_status;	/* != 0: fail the request with this status */
	bool fail;
	bool drop;
	bool bad_phase;
	bool ecc;
	uint32_t stall_ms;
};
void hzm_fault_set(struct hzip_model *m, const struct hzip_model_faults *f);
/** Engine thread, per request, only when m->fault_armed. @return true if any action. */
bool hzm_fault_take(struct hzip_model *m, struct hzm_fault_act *a);
/** Raise the ECC multi-bit error and halt the engines (until FLR). */
void hzm_fault_ecc(struct hzip_model *m);

/* ---- hzm_trace.c ------------------------------------------------------------ */

int hzm_trace_open(struct hzip_model *m, const char *path);
void hzm_trace_close(struct hzip_model *m);
void hzm_trace_mmio(struct hzip_model *m, bool write, unsigned int width, uint64_t off,
		    uint64_t lo, uint64_t hi);
/** A free-form decoded line (mailbox command, doorbell, event). */
void hzm_trace_note(struct hzip_model *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hzm_trace_doorbell(struct hzip_model *m, uint64_t off, uint64_t v);

#endif /* HZM_PRIVATE_H */
