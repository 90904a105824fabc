/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * HiSilicon QM (queue management) hardware v2 layouts: BAR2 register map,
 * doorbells, mailbox, queue contexts (SQC/CQC/EQC/AEQC), CQE/EQE/AEQE,
 * VFT entries and error bits (internal).
 *
 * The QM is shared by the ZIP, SEC and HPRE engines of the Kunpeng 920;
 * nothing here is specific to compression. Section numbers refer to the
 * hardware reference (shared/reference/hisi-zip-v2-hardware.md).
 */
#ifndef HISI_QM_HW_H
#define HISI_QM_HW_H

#include <stdint.h>

/* ---- PCI identity (section 1) -------------------------------------------------- */

#define HISI_PCI_VENDOR_ID       0x19e5
#define HISI_QM_REV_V1           0x20
#define HISI_QM_REV_V2           0x21  /**< Kunpeng 920 */
#define HISI_QM_REV_V3           0x30
/** All QM and engine registers are in BAR2. */
#define HISI_QM_BAR              2

/* ---- per-function registers (section 2.1) --------------------------------------- */

#define QM_VF_AEQ_INT_SOURCE     0x0000
#define QM_VF_AEQ_INT_MASK       0x0004  /**< 1 = masked */
#define QM_VF_EQ_INT_SOURCE      0x0008
#define QM_VF_EQ_INT_MASK        0x000c  /**< 1 = masked */
#define QM_IFC_INT_MASK          0x0024
#define QM_CACHE_WB_START        0x0204
#define QM_CACHE_WB_DONE         0x0208
#define QM_MB                    0x0300  /**< 128-bit mailbox */
#define QM_MB_DATA_L             0x0304
#define QM_MB_DATA_H             0x0308
#define QM_DB_SQCQ_V2            0x1000  /**< SQ/CQ doorbell (v2) */
#define QM_DB_EQAEQ_V2           0x2000  /**< EQ/AEQ doorbell (v2) */

/** Smallest BAR2 of a function that holds every per-function register used. */
#define QM_VF_BAR_MIN            0x2008

/* ---- PF-only (global) registers (section 2.2) ----------------------------------- */

#define QM_ABNORMAL_INT_SOURCE   0x100000  /**< W1C */
#define QM_ABNORMAL_INT_MASK     0x100004  /**< 1 = masked */
#define QM_ABNORMAL_INT_STATUS   0x100008
#define QM_ABNORMAL_INF00        0x100010
#define QM_ABNORMAL_INF01        0x100014
#define QM_MEM_START_INIT        0x100040
#define QM_MEM_INIT_DONE         0x100044
#define QM_CACHE_CTL             0x100050
#define QM_VFT_CFG_OP_ENABLE     0x100054
#define QM_VFT_CFG_OP_WR         0x100058
#define QM_VFT_CFG_TYPE          0x10005c
#define QM_VFT_CFG               0x100060
#define QM_VFT_CFG_DATA_L        0x100064
#define QM_VFT_CFG_DATA_H        0x100068
#define QM_VFT_CFG_RDY           0x10006c
#define QM_ARUSER_M_CFG_1        0x100088
#define QM_ARUSER_M_CFG_ENABLE   0x100090
#define QM_AWUSER_M_CFG_1        0x100098
#define QM_AWUSER_M_CFG_ENABLE   0x1000a0
#define QM_WUSER_M_CFG_ENABLE    0x1000a8
#define QM_AXI_M_CFG             0x1000ac
#define QM_AXI_M_CFG_ENABLE      0x1000b0
#define QM_PEH_AXUSER_CFG        0x1000cc
#define QM_PEH_AXUSER_CFG_ENABLE 0x1000d0
#define QM_RAS_CE_ENABLE         0x1000ec
#define QM_RAS_FE_ENABLE         0x1000f0
#define QM_RAS_NFE_ENABLE        0x1000f4
#define QM_RAS_CE_THRESHOLD      0x1000f8

/* values of the section 9.3 initialisation */
#define QM_AXUSER_CFG_VAL        0x40001070u
#define QM_AXUSER_ENABLE_VAL     0xfffffffeu
#define QM_WUSER_ENABLE_VAL      0xffffffffu
#define QM_AXI_M_CFG_VAL         0xffffu
#define QM_AXI_M_CFG_ENABLE_VAL  0xffffffffu
#define QM_PEH_AXUSER_CFG_VAL    0x401001u  /**< disables FLR triggered by BME */
#define QM_PEH_AXUSER_ENABLE_VAL 0xffffffffu
/** SQC/CQC cache on, write-back on, write-back threshold 1. */
#define QM_CACHE_CTL_VAL         0x1833u

/* ---- doorbells (section 3) ------------------------------------------------------- */

#define QM_DB_CMD_SQ             0u
#define QM_DB_CMD_CQ             1u
#define QM_DB_CMD_EQ             2u
#define QM_DB_CMD_AEQ            3u
#define QM_DB_QN_MASK            0xfffu
#define QM_DB_CMD_SHIFT          12
#define QM_DB_RAND_SHIFT         16
#define QM_DB_INDEX_SHIFT        32
#define QM_DB_PRIORITY_SHIFT     48

/** Build a v2 doorbell word. */
static inline uint64_t
qm_db_word(uint16_t qn, uint32_t cmd, uint16_t rand, uint16_t index, uint16_t priority)
{
	return (uint64_t)(qn & QM_DB_QN_MASK) | ((uint64_t)cmd << QM_DB_CMD_SHIFT) |
	       ((uint64_t)rand << QM_DB_RAND_SHIFT) | ((uint64_t)index << QM_DB_INDEX_SHIFT) |
	       ((uint64_t)priority << QM_DB_PRIORITY_SHIFT);
}

/* ---- mailbox (section 4) --------------------------------------------------------- */

#define QM_MB_CMD_SQC            0x0
#define QM_MB_CMD_CQC            0x1
#define QM_MB_CMD_EQC            0x2
#define QM_MB_CMD_AEQC           0x3
#define QM_MB_CMD_SQC_BT         0x4
#define QM_MB_CMD_CQC_BT         0x5
#define QM_MB_CMD_SQC_VFT_V2     0x6

#define QM_MB_CMD_MASK           0xffu
#define QM_MB_STATUS_SHIFT       9
#define QM_MB_STATUS_MASK        0xfu
#define QM_MB_BUSY_BIT           (1u << 13)
#define QM_MB_OP_READ            (1u << 14)  /**< 1 = read/get, 0 = write/set */

/** The 16-byte mailbox, written with one 128-bit store. */
struct qm_mailbox {
	uint16_t w0;         /**< [7:0] cmd, [12:9] status, [13] busy, [14] op */
	uint16_t queue_num;  /**< function-relative queue number */
	uint32_t base_l;     /**< DMA address, or returned data (low) */
	uint32_t base_h;
	uint32_t rsvd;       /**< token: 0 */
} __attribute__((packed, aligned(16)));
_Static_assert(sizeof(struct qm_mailbox) == 16, "mailbox is 16 bytes");

/* ---- contexts (section 5) -------------------------------------------------------- */

/** Submission queue context (mailbox cmd 0). */
struct qm_sqc {
	uint16_t head;
	uint16_t tail;
	uint32_t base_l;
	uint32_t base_h;
	uint32_t dw3;        /**< [11:0] depth - 1, [15:12] log2(SQE size) */
	uint16_t w8;         /**< rand check value */
	uint16_t rsvd0;
	uint16_t pasid;
	uint16_t w11;        /**< [5] head wrap, [6] tail wrap */
	uint16_t cq_num;
	uint16_t w13;        /**< [3:0] priority, [7:4] orders, [11:8] type */
	uint32_t rsvd1;
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct qm_sqc) == 32, "SQC is 32 bytes");

/** Completion queue context (mailbox cmd 1). */
struct qm_cqc {
	uint16_t head;
	uint16_t tail;
	uint32_t base_l;
	uint32_t base_h;
	uint32_t dw3;        /**< [11:0] depth - 1, [15:12] log2(CQE size) = 4 */
	uint16_t w8;         /**< rand check value */
	uint16_t rsvd0;
	uint16_t pasid;
	uint16_t w11;        /**< [5] head wrap, [6] tail wrap */
	uint32_t dw6;        /**< [0] phase, [1] c_flag, [2] stash valid */
	uint32_t rsvd1;
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct qm_cqc) == 32, "CQC is 32 bytes");

#define QM_QC_DEPTH_MASK         0xfffu
#define QM_QC_ESIZE_SHIFT        12
#define QM_SQC_ORDERS_SHIFT      4
#define QM_SQC_TYPE_SHIFT        8
#define QM_QC_TAIL_WRAP          (1u << 6)  /**< w11 */
#define QM_QC_HEAD_WRAP          (1u << 5)  /**< w11 */
#define QM_CQC_PHASE             (1u << 0)
#define QM_CQC_CFLAG             (1u << 1)
#define QM_CQE_SIZE_LOG2         4

/** Event queue / asynchronous event queue context (mailbox cmd 2 / 3). */
struct qm_eqc {
	uint16_t head;
	uint16_t tail;
	uint32_t base_l;
	uint32_t base_h;
	uint32_t dw3;
	uint32_t rsvd[2];
	uint32_t dw6;        /**< [15:0] depth - 1, [16] phase */
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct qm_eqc) == 28, "EQC/AEQC is 28 bytes");

#define QM_EQC_PHASE             (1u << 16)
#define QM_EQ_DEPTH_V2           2048u
#define QM_AEQ_DEPTH_V2          1024u

/* ---- entries (section 6.2, 5.4) ------------------------------------------------- */

/** Completion queue entry. */
struct qm_cqe {
	uint32_t rsvd0;
	uint16_t cmd_id;
	uint16_t rsvd1;
	uint16_t sq_head;    /**< SQ slot that completed */
	uint16_t sq_num;
	uint16_t rsvd2;
	uint16_t w7;         /**< [0] phase, [15:1] status */
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct qm_cqe) == 16, "CQE is 16 bytes");

#define QM_CQE_PHASE             1u

/** EQE / AEQE: one 32-bit word. */
#define QM_EQE_SIZE              4u
#define QM_EQE_CQN_MASK          0xffffu
#define QM_EQE_PHASE             (1u << 16)
#define QM_AEQE_TYPE_SHIFT       17
#define QM_AEQE_TYPE_MASK        0x7u
#define QM_AEQE_CQ_OVERFLOW      0u
#define QM_AEQE_EQ_OVERFLOW      1u
#define QM_AEQE_CQE_ERROR        2u

/* ---- VFT (section 5.5) ----------------------------------------------------------- */

#define QM_VFT_TYPE_SQC          0u
#define QM_VFT_TYPE_CQC          1u
#define QM_SQC_VFT_BASE_SHIFT    28
#define QM_SQC_VFT_BASE_MASK     0xffffull  /**< 16 bits (kernel) */
#define QM_SQC_VFT_VALID         (1ull << 44)
#define QM_SQC_VFT_NUM_SHIFT     45
#define QM_SQC_VFT_NUM_MASK      0x3ffull
#define QM_CQC_VFT_VALID         (1ull << 28)

/** SQC VFT entry of a function owning queues [base, base + num). */
static inline uint64_t
qm_sqc_vft(uint32_t base, uint32_t num)
{
	return ((uint64_t)base << QM_SQC_VFT_BASE_SHIFT) | QM_SQC_VFT_VALID |
	       ((uint64_t)(num - 1) << QM_SQC_VFT_NUM_SHIFT);
}

/* ---- limits (section 2.3, v2 built-in constants) -------------------------------- */

#define QM_V2_QP_MAX             1024u  /**< queues of the whole device */
#define QM_V2_DEPTH_MAX          1024u  /**< SQ/CQ depth */
#define QM_PF_Q_NUM_DEFAULT      64u    /**< kernel's pf_q_num default for ZIP */

/* ---- abnormal interrupt bits (section 8.1) -------------------------------------- */

#define QM_ERR_AXI_RRESP         (1u << 0)
#define QM_ERR_AXI_BRESP         (1u << 1)
#define QM_ERR_ECC_MBIT          (1u << 2)
#define QM_ERR_ECC_1BIT          (1u << 3)
#define QM_ERR_ACC_GET_TASK_TO   (1u << 4)
#define QM_ERR_ACC_DO_TASK_TO    (1u << 5)
#define QM_ERR_WB_NOT_READY_TO   (1u << 6)
#define QM_ERR_SQ_CQ_VF_INVALID  (1u << 7)
#define QM_ERR_CQ_VF_INVALID     (1u << 8)
#define QM_ERR_SQ_VF_INVALID     (1u << 9)
#define QM_ERR_DB_TIMEOUT        (1u << 10)
#define QM_ERR_OF_FIFO_OF        (1u << 11)
#define QM_ERR_DB_RANDOM_INVALID (1u << 12)
#define QM_ERR_MAILBOX_TIMEOUT   (1u << 13)
#define QM_ERR_FLR_TIMEOUT       (1u << 14)
#define QM_ERR_ALL               0x7fffu

#endif /* HISI_QM_HW_H */
