/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * QM (queue manager) v2 hardware layouts of the Kunpeng 920 ZIP function, as
 * the device model sees them (internal to model/hisi_zip).
 *
 * Written from ../shared/reference/hisi-zip-v2-hardware.md (section numbers
 * in brackets). Deliberately NOT shared with drivers/hisi_zip: a layout
 * mistake made once in a shared header would be invisible to the
 * conformance tests.
 */
#ifndef HZM_QM_HW_H
#define HZM_QM_HW_H

#include <stdint.h>

/* ---- PCI identity and config space [1] ------------------------------- */

#define HZM_PCI_VENDOR_HUAWEI	0x19e5
#define HZM_PCI_DEVICE_ZIP_PF	0xa250
#define HZM_PCI_DEVICE_ZIP_VF	0xa251
#define HZM_PCI_REVISION_V2	0x21
#define HZM_PCI_CLASS_ACCEL	0x120000u	/* class 0x12 processing accelerator */

#define HZM_CFG_SIZE		256
#define HZM_CFG_VENDOR		0x00
#define HZM_CFG_DEVICE		0x02
#define HZM_CFG_COMMAND		0x04
#define HZM_CFG_STATUS		0x06
#define HZM_CFG_REVISION	0x08
#define HZM_CFG_CLASS		0x09	/* 3 bytes: prog-if, subclass, class */
#define HZM_CFG_CACHE_LINE	0x0c
#define HZM_CFG_HEADER_TYPE	0x0e
#define HZM_CFG_BAR0		0x10
#define HZM_CFG_BAR2		0x18	/* 64-bit BAR: 0x18 low, 0x1c high */
#define HZM_CFG_SUBSYS_VENDOR	0x2c
#define HZM_CFG_SUBSYS_ID	0x2e
#define HZM_CFG_CAP_PTR		0x34
#define HZM_CFG_INT_LINE	0x3c
#define HZM_CFG_MSI_CAP		0x40	/* MSI capability (not MSI-X) [1] */
#define HZM_CFG_PCIE_CAP	0x70	/* PCI Express capability */

#define HZM_CMD_MEMORY		0x0002	/* memory space decode */
#define HZM_CMD_MASTER		0x0004	/* bus master: gates DMA and MSI */
#define HZM_CMD_PARITY		0x0040
#define HZM_CMD_SERR		0x0100
#define HZM_CMD_INTX_DISABLE	0x0400
#define HZM_CMD_WRITABLE	(HZM_CMD_MEMORY | HZM_CMD_MASTER | HZM_CMD_PARITY | \
				 HZM_CMD_SERR | HZM_CMD_INTX_DISABLE)
#define HZM_STATUS_CAP_LIST	0x0010

#define HZM_BAR_MEM64_PREF	0x0c	/* 64-bit, prefetchable memory BAR */
#define HZM_PF_BAR2_SIZE	(4ull << 20)	/* [1] >= 4 MiB (I): registers up to 0x3091xx */
#define HZM_VF_BAR2_SIZE	(64ull << 10)	/* [1] 64 KiB (I) */

#define HZM_PCI_CAP_ID_MSI	0x05
#define HZM_PCI_CAP_ID_EXP	0x10
#define HZM_MSI_FLAGS_ENABLE	0x0001
#define HZM_MSI_FLAGS_64BIT	0x0080
#define HZM_MSI_FLAGS_PVM	0x0100	/* per-vector masking (I: the v2 kernel writes its mask) */
#define HZM_CFG_MSI_MASK	(HZM_CFG_MSI_CAP + 0x10)	/* 64-bit capability layout */
#define HZM_CFG_MSI_PENDING	(HZM_CFG_MSI_CAP + 0x14)
#define HZM_PCIE_DEVCAP_FLR	(1u << 28)

/** MSI vectors [1]: PF v2 has 4, a VF 2. */
#define HZM_PF_NVEC		4
#define HZM_VF_NVEC		2
#define HZM_VEC_EQ		0
#define HZM_VEC_AEQ		1
#define HZM_VEC_PF_VF		2	/* v3 only; never raised on v2 */
#define HZM_VEC_ABNORMAL	3

/* ---- QM per-function registers (PF and VF BAR2) [2.1] -------------- */

#define HZM_VF_AEQ_INT_SOURCE	0x0000
#define HZM_VF_AEQ_INT_MASK	0x0004
#define HZM_VF_EQ_INT_SOURCE	0x0008
#define HZM_VF_EQ_INT_MASK	0x000c
#define HZM_IFC_INT_SOURCE_V	0x0020
#define HZM_IFC_INT_MASK	0x0024
#define HZM_IFC_INT_STATUS	0x0028
#define HZM_IFC_INT_SET_V	0x002c
#define HZM_QUE_ISO_CFG_V	0x0030	/* v3: doorbell isolation capability; 0 on v2 */
#define HZM_DFX_FUNS_ACTIVE_ST	0x0200
#define HZM_CACHE_WB_START	0x0204
#define HZM_CACHE_WB_DONE	0x0208
#define HZM_MAILBOX		0x0300	/* 16 bytes [4] */
#define HZM_MAILBOX_SIZE	16
#define HZM_DOORBELL_SQ_CQ	0x1000	/* v2 [3] */
#define HZM_DOORBELL_EQ_AEQ	0x2000
#define HZM_CAP_FIRST		0x3100	/* 0x3100-0x317c: v3 capabilities, 0 on v2 */
#define HZM_CAP_LAST		0x317c
#define HZM_EQC_MIRROR		0x8000	/* 7 dwords, in-memory EQC order */
#define HZM_AEQC_MIRROR		0x8020

/* ---- QM PF-only registers [2.2] ---------------------------------------- */

#define HZM_ABNORMAL_INT_SOURCE	0x100000
#define HZM_ABNORMAL_INT_MASK	0x100004
#define HZM_ABNORMAL_INT_STATUS	0x100008
#define HZM_ABNORMAL_INT_SET	0x10000c
#define HZM_ABNORMAL_INF00	0x100010	/* FIFO overflow: [7:6] type, [5:0] function */
#define HZM_ABNORMAL_INF01	0x100014	/* doorbell timeout: [7:6] type, [5:0] function */
#define HZM_MEM_START_INIT	0x100040
#define HZM_MEM_INIT_DONE	0x100044
#define HZM_CACHE_CTL		0x100050
#define HZM_VFT_CFG_OP_ENABLE	0x100054
#define HZM_VFT_CFG_OP_WR	0x100058
#define HZM_VFT_CFG_TYPE	0x10005c
#define HZM_VFT_CFG		0x100060
#define HZM_VFT_CFG_DATA_L	0x100064
#define HZM_VFT_CFG_DATA_H	0x100068
#define HZM_VFT_CFG_RDY		0x10006c
#define HZM_TIMEOUT_CFG		0x100070
#define HZM_DB_TIMEOUT_CFG	0x100074
#define HZM_FLR_PENDING_TIME_CFG 0x100078
#define HZM_ARUSER_M_CFG_1	0x100088
#define HZM_ARUSER_M_CFG_ENABLE	0x100090
#define HZM_AWUSER_M_CFG_1	0x100098
#define HZM_AWUSER_M_CFG_ENABLE	0x1000a0
#define HZM_WUSER_M_CFG_ENABLE	0x1000a8
#define HZM_AXI_M_CFG		0x1000ac
#define HZM_AXI_M_CFG_ENABLE	0x1000b0
#define HZM_PEH_AXUSER_CFG	0x1000cc
#define HZM_PEH_AXUSER_CFG_ENABLE 0x1000d0
#define HZM_PEH_VENDOR_ID	0x1000d8
#define HZM_REVISION_REG	0x1000dc
#define HZM_RAS_CE_ENABLE	0x1000ec
#define HZM_RAS_FE_ENABLE	0x1000f0
#define HZM_RAS_NFE_ENABLE	0x1000f4
#define HZM_RAS_CE_THRESHOLD	0x1000f8
#define HZM_PEH_DFX_INFO0	0x1000fc
#define HZM_PEH_DFX_INFO1	0x100100
#define HZM_DFX_CNT_CLR_CE	0x100118	/* bit0: DFX counters clear on read */
#define HZM_AXI_TIMEOUT_CTRL	0x100120
#define HZM_AXI_TIMEOUT_STATUS	0x100124
#define HZM_IFC_READY_STATUS	0x100128
#define HZM_IFC_C_STS_M		0x10012c
#define HZM_IFC_INT_SET_P	0x100130
#define HZM_IFC_INT_CFG		0x100134
#define HZM_IFC_INT_SOURCE_P	0x100138	/* 64-bit */
#define HZM_CQE_AGGR_TIMEOUT_CTRL 0x100144

/* QM DFX counters (PF) [2.2]; the _VF registers select the function/queue counted. */
#define HZM_DFX_ECC_1BIT_CNT	0x104000
#define HZM_DFX_ECC_1BIT_INF	0x104004
#define HZM_DFX_ECC_MBIT_CNT	0x104008
#define HZM_DFX_ECC_MBIT_INF	0x10400c
#define HZM_DFX_MB_CNT_VF	0x104010
#define HZM_DFX_MB_CNT		0x104018
#define HZM_DFX_DB_CNT_VF	0x104020
#define HZM_DFX_DB_CNT		0x104028
#define HZM_DFX_SQE_CNT_VF_SQN	0x104030	/* [5:0] function, [31:16] queue */
#define HZM_DFX_SQE_CNT		0x104038
#define HZM_DFX_CQE_CNT_VF_CQN	0x104040
#define HZM_DFX_CQE_CNT		0x104048
#define HZM_DFX_SEND_SQE_TO_ACC	0x104050
#define HZM_DFX_WB_SQE_FROM_ACC	0x104058
#define HZM_DFX_ACC_FINISH_CNT	0x104060
#define HZM_DFX_ACC_RDY_VLD0	0x1040a0
#define HZM_DFX_ACC_RDY_VLD1	0x1040a4
#define HZM_DFX_AXI_RDY_VLD	0x1040a8
#define HZM_DFX_CQE_ERR_CNT	0x1040b4
#define HZM_DFX_FF_ST0		0x1040c8	/* ... FF_ST6 at 0x1040e0 */
#define HZM_DFX_FF_ST6		0x1040e0
#define HZM_IN_IDLE_ST		0x1040e4	/* bit0: QM idle */
#define HZM_RAS_MSI_INT_SEL	0x1040f4	/* written by kernels up to 5.7 (storage) */
#define HZM_CQE_OUT		0x104100
#define HZM_EQE_OUT		0x104104
#define HZM_AEQE_OUT		0x104108
#define HZM_DB_INFO0		0x104180
#define HZM_DB_INFO1		0x104184

/* Accelerator master (AXI) [2.2] */
#define HZM_ACC_MASTER_GLOBAL_CTRL	0x300000	/* bit0: shut the AXI master down */
#define HZM_ACC_AM_CFG_SINGLE_PORT_MAX_TRANS 0x300014
#define HZM_ACC_AM_CFG_PORT_WR_EN	0x30001c
#define HZM_ACC_AM_CURR_PORT_STS	0x300100
#define HZM_ACC_AM_ROB_ECC_INT_STS	0x300104	/* bit1: multi-bit ECC */
#define HZM_ACC_MASTER_TRANS_RETURN	0x300150	/* == 3 when the master is idle */
#define HZM_ACC_AM_CURR_RD_MAX_TXID	0x300154
#define HZM_ACC_AM_CURR_WR_MAX_TXID	0x300158
#define HZM_ACC_AM_ALARM_RRESP		0x300180
#define HZM_ACC_AM_ALARM_BRESP		0x300184

#define HZM_MASTER_SHUTDOWN		0x1u
#define HZM_MASTER_TRANS_IDLE		0x3u
#define HZM_ROB_ECC_MULTI_BIT		0x2u

/* ---- ZIP engine registers (PF) [9.1] ----------------------------------- */

#define HZM_ZIP_SOFT_CTRL_CNT_CLR_CE	0x301000	/* bit0: core DFX clear on read */
#define HZM_ZIP_CLOCK_GATE_CTRL		0x301004	/* [1:0] comp, [7:2] decomp cores */
#define HZM_ZIP_FSM_MAX_CNT		0x301008
#define HZM_ZIP_SOFT_CTRL_ZIP_CONTROL	0x30100c
#define HZM_ZIP_PORT_ARCA_CHE_0		0x301040
#define HZM_ZIP_PORT_ARCA_CHE_1		0x301044
#define HZM_ZIP_PORT_AWCA_CHE_0		0x301060
#define HZM_ZIP_PORT_AWCA_CHE_1		0x301064
#define HZM_ZIP_CORE_INT_SOURCE		0x3010a0
#define HZM_ZIP_CORE_INT_MASK		0x3010a4
#define HZM_ZIP_CORE_INT_SET		0x3010a8
#define HZM_ZIP_CORE_INT_STATUS		0x3010ac
#define HZM_ZIP_BD_RUSER_32_63		0x301110
#define HZM_ZIP_SGL_RUSER_32_63		0x30111c
#define HZM_ZIP_DATA_RUSER_32_63	0x301128
#define HZM_ZIP_DATA_WUSER_32_63	0x301134
#define HZM_ZIP_BD_WUSER_32_63		0x301140
#define HZM_ZIP_CORE_SRAM_ECC_ERR_INFO	0x301148	/* [23:16] SRAM number */
#define HZM_ZIP_CORE_INT_RAS_CE_ENB	0x301160
#define HZM_ZIP_CORE_INT_RAS_NFE_ENB	0x301164
#define HZM_ZIP_CORE_INT_RAS_FE_ENB	0x301168
#define HZM_ZIP_UNCOM_ERR_RAS_CTRL	0x30116c
#define HZM_ZIP_HIGH_PERF		0x301208	/* bit0: perf_mode (kernel 6.7+) */

/* Core enable bits of CLOCK_GATE_CTRL (v2: 2 compression + 6 decompression cores [9.2]). */
#define HZM_ZIP_COMP_CORES		2
#define HZM_ZIP_DECOMP_CORES		6
#define HZM_ZIP_CORES			(HZM_ZIP_COMP_CORES + HZM_ZIP_DECOMP_CORES)
#define HZM_ZIP_COMP_CORE_MASK		0x03u
#define HZM_ZIP_DECOMP_CORE_MASK	0xfcu
#define HZM_ZIP_DECOMP_CHECK_ENABLE	(1u << 16)

/* Per-core DFX blocks: compress cores at 0x302000/0x303000, decompress 0x304000..0x309000. */
#define HZM_ZIP_CORE_DFX_BASE		0x302000
#define HZM_ZIP_CORE_DFX_STRIDE		0x1000
#define HZM_ZIP_CORE_DFX_GET_BD		0x00	/* BDs fetched */
#define HZM_ZIP_CORE_DFX_GOOD_BD	0x04
#define HZM_ZIP_CORE_DFX_ERR_BD		0x08
#define HZM_ZIP_CORE_DFX_DONE_BD	0x0c
#define HZM_ZIP_CORE_DFX_WORK_CYCLE	0x10
#define HZM_ZIP_CORE_DFX_IDLE_CYCLE	0x18
#define HZM_ZIP_CORE_DFX_MAX_DELAY	0x20
#define HZM_ZIP_CORE_DFX_MIN_DELAY	0x24
#define HZM_ZIP_CORE_DFX_AVG_DELAY	0x28
#define HZM_ZIP_CORE_DFX_CONSUMED	0x38
#define HZM_ZIP_CORE_DFX_PRODUCED	0x40
#define HZM_ZIP_CORE_DFX_SIZE		0x44

/* ---- abnormal interrupt bits [8.1] ------------------------------------- */

#define HZM_QM_AXI_RRESP		(1u << 0)
#define HZM_QM_AXI_BRESP		(1u << 1)
#define HZM_QM_ECC_MBIT			(1u << 2)
#define HZM_QM_ECC_1BIT			(1u << 3)
#define HZM_QM_ACC_GET_TASK_TIMEOUT	(1u << 4)
#define HZM_QM_ACC_DO_TASK_TIMEOUT	(1u << 5)
#define HZM_QM_ACC_WB_NOT_READY_TIMEOUT	(1u << 6)
#define HZM_QM_SQ_CQ_VF_INVALID		(1u << 7)
#define HZM_QM_CQ_VF_INVALID		(1u << 8)
#define HZM_QM_SQ_VF_INVALID		(1u << 9)
#define HZM_QM_DB_TIMEOUT		(1u << 10)
#define HZM_QM_OF_FIFO_OF		(1u << 11)
#define HZM_QM_DB_RANDOM_INVALID	(1u << 12)
#define HZM_QM_MAILBOX_TIMEOUT		(1u << 13)
#define HZM_QM_FLR_TIMEOUT		(1u << 14)
#define HZM_QM_ABNORMAL_ALL		0x7fffu

/* ZIP core error bits [8.2] */
#define HZM_ZIP_ECC_1BIT		(1u << 0)
#define HZM_ZIP_ECC_2BIT		(1u << 1)
#define HZM_ZIP_AXI_SHUTDOWN_EN		(1u << 14)	/* in ZIP_CONTROL [8.2] */
#define HZM_ZIP_AXI_RRESP		(1u << 2)
#define HZM_ZIP_AXI_BRESP		(1u << 3)
#define HZM_ZIP_SRC_ADDR_PARSE		(1u << 4)
#define HZM_ZIP_DST_ADDR_PARSE		(1u << 5)
#define HZM_ZIP_PRE_IN_ADDR		(1u << 6)
#define HZM_ZIP_PRE_IN_DATA		(1u << 7)
#define HZM_ZIP_COM_INF			(1u << 8)
#define HZM_ZIP_ENC_INF			(1u << 9)
#define HZM_ZIP_PRE_OUT			(1u << 10)
#define HZM_ZIP_AXI_POISON		(1u << 11)
#define HZM_ZIP_SVA			(1u << 12)
#define HZM_ZIP_CORE_INT_ALL		0x1fffu

/* ABNORMAL_INF00 (FIFO overflow) type field [7:6] */
#define HZM_INF_TYPE_SHIFT		6
#define HZM_INF_FIFO_CQ			0
#define HZM_INF_FIFO_EQ			1
#define HZM_INF_FIFO_AEQ		2
#define HZM_INF_FUNC_MASK		0x3fu

/* MEM_INIT_DONE, VFT_CFG_RDY, CACHE_WB_DONE, CACHE_CTL [2.2] */
#define HZM_MEM_INIT_DONE_BIT		0x1u
#define HZM_VFT_RDY_BIT			0x1u
#define HZM_CACHE_WB_DONE_BIT		0x1u
#define HZM_CACHE_CTL_SQC_CACHE		(1u << 0)
#define HZM_CACHE_CTL_CQC_CACHE		(1u << 1)
#define HZM_CACHE_CTL_SQC_WB		(1u << 4)
#define HZM_CACHE_CTL_CQC_WB		(1u << 11)

/* ---- VFT [5.5] ---------------------------------------------------------- */

#define HZM_VFT_TYPE_SQC		0
#define HZM_VFT_TYPE_CQC		1
#define HZM_VFT_TYPE_SHAPER		2	/* v3 QoS: not on v2 */
#define HZM_VFT_OP_WRITE		0
#define HZM_VFT_OP_READ			1
#define HZM_MAX_FUNCS			64	/* PF + 63 VFs */
#define HZM_SQC_VFT_BASE_SHIFT		28
#define HZM_SQC_VFT_BASE_MASK		0xffffull	/* [43:28] */
#define HZM_SQC_VFT_VALID		(1ull << 44)
#define HZM_SQC_VFT_NUM_SHIFT		45
#define HZM_SQC_VFT_NUM_MASK		0x3ffull	/* [54:45] count - 1 */
#define HZM_CQC_VFT_VALID		(1ull << 28)

/** Total queues of a v2 device [2.3]. */
#define HZM_QM_TOTAL_QUEUES		1024
/** Largest SQ/CQ depth on v2 [2.3]. */
#define HZM_QM_MAX_DEPTH		1024
/** VFs the model pretends its PF gave a standalone VF: queues start here [9.3a]. */
#define HZM_VF_QUEUE_BASE		64

/* ---- mailbox [4] -------------------------------------------------------- */

#define HZM_MB_CMD_SQC			0x0
#define HZM_MB_CMD_CQC			0x1
#define HZM_MB_CMD_EQC			0x2
#define HZM_MB_CMD_AEQC			0x3
#define HZM_MB_CMD_SQC_BT		0x4
#define HZM_MB_CMD_CQC_BT		0x5
#define HZM_MB_CMD_SQC_VFT		0x6

#define HZM_MB_CMD_MASK			0x00ffu	/* w0[7:0] */
#define HZM_MB_EVENT			0x0100u	/* w0[8] */
#define HZM_MB_STATUS_SHIFT		9	/* w0[12:9] */
#define HZM_MB_STATUS_MASK		0x1e00u
#define HZM_MB_BUSY			0x2000u	/* w0[13] */
#define HZM_MB_OP_READ			0x4000u	/* w0[14]: 1 = read/get */

/**
 * Mailbox status codes (w0[12:9]). The reference only says "non-zero =
 * failed" [4.3]; the model settles these values (doc/model.md).
 */
enum hzm_mb_status {
	HZM_MB_ST_OK = 0,
	HZM_MB_ST_BAD_QUEUE = 1,	/* queue number outside the function's VFT */
	HZM_MB_ST_DMA_FAULT = 2,	/* context address not mapped in the IOMMU */
	HZM_MB_ST_BAD_CMD = 3,		/* unknown command, or op not supported */
	HZM_MB_ST_NO_BT = 4,		/* SQC/CQC before SQC_BT/CQC_BT */
	HZM_MB_ST_NOT_READY = 5,	/* memory not initialised, or bus mastering off */
	HZM_MB_ST_BAD_CTX = 6,		/* invalid context (depth, entry size, type) */
};

/** The 16-byte mailbox message [4.1]. */
struct hzm_mailbox {
	uint16_t w0;
	uint16_t queue;
	uint32_t base_l;
	uint32_t base_h;
	uint32_t token;
};
_Static_assert(sizeof(struct hzm_mailbox) == HZM_MAILBOX_SIZE, "mailbox is 16 bytes");

/* ---- contexts [5] -------------------------------------------------------- */

/** SQC, 32 bytes [5.1]. */
struct hzm_sqc {
	uint16_t head;
	uint16_t tail;
	uint32_t base_l;
	uint32_t base_h;
	uint32_t dw3;		/* [11:0] depth - 1, [15:12] log2(SQE size) */
	uint16_t w8;		/* rand check value */
	uint16_t rsvd0;
	uint16_t pasid;
	uint16_t w11;		/* [5] head wrap, [6] tail wrap */
	uint16_t cq_num;
	uint16_t w13;		/* [3:0] priority, [7:4] orders, [11:8] type */
	uint32_t rsvd1;
};
_Static_assert(sizeof(struct hzm_sqc) == 32, "SQC is 32 bytes");

/** CQC, 32 bytes [5.2]. */
struct hzm_cqc {
	uint16_t head;
	uint16_t tail;
	uint32_t base_l;
	uint32_t base_h;
	uint32_t dw3;		/* [11:0] depth - 1, [15:12] log2(CQE size) */
	uint16_t w8;		/* rand check value */
	uint16_t rsvd0;
	uint16_t pasid;
	uint16_t w11;		/* [5] head wrap, [6] tail wrap */
	uint32_t dw6;		/* [0] phase, [1] c_flag, [2] stash valid */
	uint32_t rsvd1;
};
_Static_assert(sizeof(struct hzm_cqc) == 32, "CQC is 32 bytes");

/** EQC / AEQC, 28 bytes [5.3]. */
struct hzm_eqc {
	uint16_t head;
	uint16_t tail;
	uint32_t base_l;
	uint32_t base_h;
	uint32_t dw3;
	uint32_t rsvd[2];
	uint32_t dw6;		/* [15:0] depth - 1, [16] phase */
};
_Static_assert(sizeof(struct hzm_eqc) == 28, "EQC is 28 bytes");

#define HZM_QC_DEPTH_MASK		0x0fffu	/* dw3[11:0] */
#define HZM_QC_ESIZE_SHIFT		12	/* dw3[15:12] */
#define HZM_QC_ESIZE_MASK		0xfu
#define HZM_SQE_SIZE_LOG2		7	/* ZIP SQE = 128 bytes */
#define HZM_CQE_SIZE_LOG2		4	/* CQE = 16 bytes */
#define HZM_QC_HEAD_WRAP		(1u << 5)	/* w11 */
#define HZM_QC_TAIL_WRAP		(1u << 6)
#define HZM_SQC_TYPE_SHIFT		8	/* w13[11:8] */
#define HZM_SQC_TYPE_MASK		0xfu
#define HZM_SQC_TYPE_COMP		0
#define HZM_SQC_TYPE_DECOMP		1
#define HZM_CQC_PHASE			(1u << 0)
#define HZM_CQC_C_FLAG			(1u << 1)
#define HZM_EQC_DEPTH_MASK		0xffffu	/* dw6[15:0] */
#define HZM_EQC_PHASE			(1u << 16)

#define HZM_SQE_SIZE			128
#define HZM_CQE_SIZE			16
#define HZM_XQC_SIZE			32	/* SQC/CQC array stride */

/* ---- doorbells (v2) [3] -------------------------------------------------- */

#define HZM_DB_QN_MASK			0xfffull	/* [11:0] */
#define HZM_DB_CMD_SHIFT		12		/* [15:12] */
#define HZM_DB_CMD_MASK			0xfull
#define HZM_DB_RAND_SHIFT		16		/* [31:16] */
#define HZM_DB_INDEX_SHIFT		32		/* [47:32] */
#define HZM_DB_PRIORITY_SHIFT		48		/* [63:48] */
#define HZM_DB_CMD_SQ			0
#define HZM_DB_CMD_CQ			1
#define HZM_DB_CMD_EQ			2
#define HZM_DB_CMD_AEQ			3

/* ---- completion and event entries [6.2, 5.4] ----------------------------- */

/** CQE, 16 bytes [6.2]. */
struct hzm_cqe {
	uint32_t rsvd0;
	uint16_t cmd_id;
	uint16_t rsvd1;
	uint16_t sq_head;	/* slot of the SQE that completed */
	uint16_t sq_num;
	uint16_t rsvd2;
	uint16_t w7;		/* [0] phase, [15:1] status */
};
_Static_assert(sizeof(struct hzm_cqe) == HZM_CQE_SIZE, "CQE is 16 bytes");

#define HZM_CQE_PHASE			0x1u
#define HZM_EQE_SIZE			4
#define HZM_EQE_QN_MASK			0xffffu	/* [15:0] */
#define HZM_EQE_PHASE			(1u << 16)
#define HZM_AEQE_TYPE_SHIFT		17	/* [19:17]... */
#define HZM_AEQE_CQ_OVERFLOW		0
#define HZM_AEQE_EQ_OVERFLOW		1
#define HZM_AEQE_CQE_ERROR		2

#endif /* HZM_QM_HW_H */
