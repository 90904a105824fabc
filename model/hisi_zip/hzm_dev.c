/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PCI function: creation, config space, BAR2 dispatch, the register
 * file (QM per-function and PF registers, ZIP engine registers, DFX
 * counters), the VFT protocol, abnormal interrupts, MSI on eventfds,
 * function-level reset and counters.
 *
 * BAR2 is sparse: a sorted table of known registers (hzm_reg_table) gives
 * each a name, a kind and a power-on value; registers with behaviour are
 * handled by offset in reg_read()/reg_write(). A PF BAR2 is 4 MiB, a VF
 * BAR2 64 KiB (per-function registers only).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "hzm_private.h"

RTE_LOG_REGISTER(hzm_logtype, model.hisi_zip, NOTICE);


static uint32_t hzm_instances;

uint64_t
hzm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- register table ------------------------------------------------------ */

enum reg_kind {
	RK_RW,		/* plain storage */
	RK_RO,		/* read-only constant (power-on value); writes are driver errors */
	RK_SPECIAL,	/* behaviour in reg_read()/reg_write() */
};

struct reg_desc {
	uint32_t off;
	uint8_t kind;
	uint32_t reset;
	const char *name;
};

/* Sorted by offset. [2.1], [2.2], [9.1] of the reference. */
static const struct reg_desc hzm_reg_table[] = {
	{ HZM_VF_AEQ_INT_SOURCE, RK_SPECIAL, 0, "QM_VF_AEQ_INT_SOURCE" },
	{ HZM_VF_AEQ_INT_MASK, RK_SPECIAL, 1, "QM_VF_AEQ_INT_MASK" },
	{ HZM_VF_EQ_INT_SOURCE, RK_SPECIAL, 0, "QM_VF_EQ_INT_SOURCE" },
	{ HZM_VF_EQ_INT_MASK, RK_SPECIAL, 1, "QM_VF_EQ_INT_MASK" },
	{ HZM_IFC_INT_SOURCE_V, RK_SPECIAL, 0, "QM_IFC_INT_SOURCE_V" },
	{ HZM_IFC_INT_MASK, RK_SPECIAL, 1, "QM_IFC_INT_MASK" },
	{ HZM_IFC_INT_STATUS, RK_SPECIAL, 0, "QM_IFC_INT_STATUS" },
	{ HZM_IFC_INT_SET_V, RK_RW, 0, "QM_IFC_INT_SET_V" },
	{ HZM_QUE_ISO_CFG_V, RK_RO, 0, "QM_QUE_ISO_CFG_V" },
	{ HZM_DFX_FUNS_ACTIVE_ST, RK_SPECIAL, 0, "QM_DFX_FUNS_ACTIVE_ST" },
	{ HZM_CACHE_WB_START, RK_SPECIAL, 0, "QM_CACHE_WB_START" },
	{ HZM_CACHE_WB_DONE, RK_SPECIAL, 1, "QM_CACHE_WB_DONE" },
	{ HZM_MAILBOX + 0x0, RK_SPECIAL, 0, "QM_MAILBOX" },
	{ HZM_MAILBOX + 0x4, RK_SPECIAL, 0, "QM_MB_CMD_DATA_ADDR_L" },
	{ HZM_MAILBOX + 0x8, RK_SPECIAL, 0, "QM_MB_CMD_DATA_ADDR_H" },
	{ HZM_MAILBOX + 0xc, RK_SPECIAL, 0, "QM_MB_TOKEN" },
	{ HZM_DOORBELL_SQ_CQ, RK_SPECIAL, 0, "DOORBELL_SQ_CQ" },
	{ HZM_DOORBELL_SQ_CQ + 4, RK_SPECIAL, 0, "DOORBELL_SQ_CQ_HI" },
	{ HZM_DOORBELL_EQ_AEQ, RK_SPECIAL, 0, "DOORBELL_EQ_AEQ" },
	{ HZM_DOORBELL_EQ_AEQ + 4, RK_SPECIAL, 0, "DOORBELL_EQ_AEQ_HI" },
	{ HZM_ABNORMAL_INT_SOURCE, RK_SPECIAL, 0, "QM_ABNORMAL_INT_SOURCE" },
	{ HZM_ABNORMAL_INT_MASK, RK_SPECIAL, HZM_QM_ABNORMAL_ALL, "QM_ABNORMAL_INT_MASK" },
	{ HZM_ABNORMAL_INT_STATUS, RK_SPECIAL, 0, "QM_ABNORMAL_INT_STATUS" },
	{ HZM_ABNORMAL_INT_SET, RK_SPECIAL, 0, "QM_ABNORMAL_INT_SET" },
	{ HZM_ABNORMAL_INF00, RK_SPECIAL, 0, "QM_ABNORMAL_INF00" },
	{ HZM_ABNORMAL_INF01, RK_SPECIAL, 0, "QM_ABNORMAL_INF01" },
	{ HZM_MEM_START_INIT, RK_SPECIAL, 0, "QM_MEM_START_INIT" },
	{ HZM_MEM_INIT_DONE, RK_SPECIAL, 0, "QM_MEM_INIT_DONE" },
	{ HZM_CACHE_CTL, RK_RW, 0, "QM_CACHE_CTL" },
	{ HZM_VFT_CFG_OP_ENABLE, RK_SPECIAL, 0, "QM_VFT_CFG_OP_ENABLE" },
	{ HZM_VFT_CFG_OP_WR, RK_RW, 0, "QM_VFT_CFG_OP_WR" },
	{ HZM_VFT_CFG_TYPE, RK_RW, 0, "QM_VFT_CFG_TYPE" },
	{ HZM_VFT_CFG, RK_RW, 0, "QM_VFT_CFG" },
	{ HZM_VFT_CFG_DATA_L, RK_RW, 0, "QM_VFT_CFG_DATA_L" },
	{ HZM_VFT_CFG_DATA_H, RK_RW, 0, "QM_VFT_CFG_DATA_H" },
	{ HZM_VFT_CFG_RDY, RK_SPECIAL, 1, "QM_VFT_CFG_RDY" },
	{ HZM_TIMEOUT_CFG, RK_RW, 0, "QM_TIMEOUT_CFG" },
	{ HZM_DB_TIMEOUT_CFG, RK_RW, 0, "QM_DB_TIMEOUT_CFG" },
	{ HZM_FLR_PENDING_TIME_CFG, RK_RW, 0, "QM_FLR_PENDING_TIME_CFG" },
	{ HZM_ARUSER_M_CFG_1, RK_RW, 0, "QM_ARUSER_M_CFG_1" },
	{ HZM_ARUSER_M_CFG_ENABLE, RK_RW, 0, "QM_ARUSER_M_CFG_ENABLE" },
	{ HZM_AWUSER_M_CFG_1, RK_RW, 0, "QM_AWUSER_M_CFG_1" },
	{ HZM_AWUSER_M_CFG_ENABLE, RK_RW, 0, "QM_AWUSER_M_CFG_ENABLE" },
	{ HZM_WUSER_M_CFG_ENABLE, RK_RW, 0, "QM_WUSER_M_CFG_ENABLE" },
	{ HZM_AXI_M_CFG, RK_RW, 0, "QM_AXI_M_CFG" },
	{ HZM_AXI_M_CFG_ENABLE, RK_RW, 0, "QM_AXI_M_CFG_ENABLE" },
	{ HZM_PEH_AXUSER_CFG, RK_RW, 0, "QM_PEH_AXUSER_CFG" },
	{ HZM_PEH_AXUSER_CFG_ENABLE, RK_RW, 0, "QM_PEH_AXUSER_CFG_ENABLE" },
	{ HZM_PEH_VENDOR_ID, RK_RW, HZM_PCI_VENDOR_HUAWEI, "QM_PEH_VENDOR_ID" },
	{ HZM_REVISION_REG, RK_RO, HZM_PCI_REVISION_V2, "QM_REVISION" },
	{ HZM_RAS_CE_ENABLE, RK_RW, 0, "QM_RAS_CE_ENABLE" },
	{ HZM_RAS_FE_ENABLE, RK_RW, 0, "QM_RAS_FE_ENABLE" },
	{ HZM_RAS_NFE_ENABLE, RK_RW, 0, "QM_RAS_NFE_ENABLE" },
	{ HZM_RAS_CE_THRESHOLD, RK_RW, 0, "QM_RAS_CE_THRESHOLD" },
	{ HZM_PEH_DFX_INFO0, RK_RO, 0, "QM_PEH_DFX_INFO0" },
	{ HZM_PEH_DFX_INFO1, RK_RO, 0, "QM_PEH_DFX_INFO1" },
	{ HZM_DFX_CNT_CLR_CE, RK_RW, 0, "QM_DFX_CNT_CLR_CE" },
	{ HZM_AXI_TIMEOUT_CTRL, RK_RW, 0, "QM_AXI_TIMEOUT_CTRL" },
	{ HZM_AXI_TIMEOUT_STATUS, RK_RO, 0, "QM_AXI_TIMEOUT_STATUS" },
	{ HZM_IFC_READY_STATUS, RK_RO, 0, "QM_IFC_READY_STATUS" },
	{ HZM_IFC_C_STS_M, RK_RW, 0, "QM_IFC_C_STS_M" },
	{ HZM_IFC_INT_SET_P, RK_RW, 0, "QM_IFC_INT_SET_P" },
	{ HZM_IFC_INT_CFG, RK_RW, 0, "QM_IFC_INT_CFG" },
	{ HZM_IFC_INT_SOURCE_P, RK_SPECIAL, 0, "QM_IFC_INT_SOURCE_P" },
	{ HZM_IFC_INT_SOURCE_P + 4, RK_SPECIAL, 0, "QM_IFC_INT_SOURCE_P_HI" },
	{ HZM_CQE_AGGR_TIMEOUT_CTRL, RK_RW, 0, "QM_CQE_AGGR_TIMEOUT_CTRL" },
	{ HZM_DFX_ECC_1BIT_CNT, RK_SPECIAL, 0, "QM_ECC_1BIT_CNT" },
	{ HZM_DFX_ECC_1BIT_INF, RK_RO, 0, "QM_ECC_1BIT_INF" },
	{ HZM_DFX_ECC_MBIT_CNT, RK_SPECIAL, 0, "QM_ECC_MBIT_CNT" },
	{ HZM_DFX_ECC_MBIT_INF, RK_SPECIAL, 0, "QM_ECC_MBIT_INF" },
	{ HZM_DFX_MB_CNT_VF, RK_SPECIAL, 0, "QM_DFX_MB_CNT_VF" },
	{ HZM_DFX_MB_CNT, RK_SPECIAL, 0, "QM_DFX_MB_CNT" },
	{ HZM_DFX_DB_CNT_VF, RK_SPECIAL, 0, "QM_DFX_DB_CNT_VF" },
	{ HZM_DFX_DB_CNT, RK_SPECIAL, 0, "QM_DFX_DB_CNT" },
	{ HZM_DFX_SQE_CNT_VF_SQN, RK_SPECIAL, 0, "QM_DFX_SQE_CNT_VF_SQN" },
	{ HZM_DFX_SQE_CNT, RK_SPECIAL, 0, "QM_DFX_SQE_CNT" },
	{ HZM_DFX_CQE_CNT_VF_CQN, RK_SPECIAL, 0, "QM_DFX_CQE_CNT_VF_CQN" },
	{ HZM_DFX_CQE_CNT, RK_SPECIAL, 0, "QM_DFX_CQE_CNT" },
	{ HZM_DFX_SEND_SQE_TO_ACC, RK_SPECIAL, 0, "QM_DFX_SEND_SQE_TO_ACC_CNT" },
	{ HZM_DFX_WB_SQE_FROM_ACC, RK_SPECIAL, 0, "QM_DFX_WB_SQE_FROM_ACC_CNT" },
	{ HZM_DFX_ACC_FINISH_CNT, RK_SPECIAL, 0, "QM_DFX_ACC_FINISH_CNT" },
	{ HZM_DFX_ACC_RDY_VLD0, RK_RO, 0, "QM_DFX_ACC_RDY_VLD0" },
	{ HZM_DFX_ACC_RDY_VLD1, RK_RO, 0, "QM_DFX_ACC_RDY_VLD1" },
	{ HZM_DFX_AXI_RDY_VLD, RK_RO, 0, "QM_DFX_AXI_RDY_VLD" },
	{ HZM_DFX_CQE_ERR_CNT, RK_SPECIAL, 0, "QM_DFX_CQE_ERR_CNT" },
	{ HZM_DFX_FF_ST0 + 0x00, RK_RO, 0, "QM_DFX_FF_ST0" },
	{ HZM_DFX_FF_ST0 + 0x04, RK_RO, 0, "QM_DFX_FF_ST1" },
	{ HZM_DFX_FF_ST0 + 0x08, RK_RO, 0, "QM_DFX_FF_ST2" },
	{ HZM_DFX_FF_ST0 + 0x0c, RK_RO, 0, "QM_DFX_FF_ST3" },
	{ HZM_DFX_FF_ST0 + 0x10, RK_RO, 0, "QM_DFX_FF_ST4" },
	{ HZM_DFX_FF_ST0 + 0x14, RK_RO, 0, "QM_DFX_FF_ST5" },
	{ HZM_DFX_FF_ST6, RK_RO, 0, "QM_DFX_FF_ST6" },
	{ HZM_IN_IDLE_ST, RK_SPECIAL, 1, "QM_IN_IDLE_ST" },
	{ HZM_RAS_MSI_INT_SEL, RK_RW, 0, "QM_RAS_MSI_INT_SEL" },
	{ HZM_CQE_OUT, RK_SPECIAL, 0, "QM_CQE_OUT" },
	{ HZM_EQE_OUT, RK_SPECIAL, 0, "QM_EQE_OUT" },
	{ HZM_AEQE_OUT, RK_SPECIAL, 0, "QM_AEQE_OUT" },
	{ HZM_DB_INFO0, RK_SPECIAL, 0, "QM_DB_INFO0" },
	{ HZM_DB_INFO1, RK_SPECIAL, 0, "QM_DB_INFO1" },
	{ HZM_ACC_MASTER_GLOBAL_CTRL, RK_SPECIAL, 0, "ACC_MASTER_GLOBAL_CTRL" },
	{ HZM_ACC_AM_CFG_SINGLE_PORT_MAX_TRANS, RK_RW, 0, "ACC_AM_CFG_SINGLE_PORT_MAX_TRANS" },
	{ HZM_ACC_AM_CFG_PORT_WR_EN, RK_RW, 0, "ACC_AM_CFG_PORT_WR_EN" },
	{ HZM_ACC_AM_CURR_PORT_STS, RK_RO, 0, "ACC_AM_CURR_PORT_STS" },
	{ HZM_ACC_AM_ROB_ECC_INT_STS, RK_SPECIAL, 0, "ACC_AM_ROB_ECC_INT_STS" },
	{ HZM_ACC_MASTER_TRANS_RETURN, RK_SPECIAL, HZM_MASTER_TRANS_IDLE,
	  "ACC_MASTER_TRANS_RETURN" },
	{ HZM_ACC_AM_CURR_RD_MAX_TXID, RK_RO, 0, "ACC_AM_CURR_RD_MAX_TXID" },
	{ HZM_ACC_AM_CURR_WR_MAX_TXID, RK_RO, 0, "ACC_AM_CURR_WR_MAX_TXID" },
	{ HZM_ACC_AM_ALARM_RRESP, RK_RO, 0, "ACC_AM_ALARM_RRESP" },
	{ HZM_ACC_AM_ALARM_BRESP, RK_RO, 0, "ACC_AM_ALARM_BRESP" },
	{ HZM_ZIP_SOFT_CTRL_CNT_CLR_CE, RK_RW, 0, "HZIP_SOFT_CTRL_CNT_CLR_CE" },
	{ HZM_ZIP_CLOCK_GATE_CTRL, RK_SPECIAL, 0, "HZIP_CLOCK_GATE_CTRL" },
	{ HZM_ZIP_FSM_MAX_CNT, RK_RW, 0, "HZIP_FSM_MAX_CNT" },
	{ HZM_ZIP_SOFT_CTRL_ZIP_CONTROL, RK_RW, 0, "HZIP_SOFT_CTRL_ZIP_CONTROL" },
	{ HZM_ZIP_PORT_ARCA_CHE_0, RK_RW, 0, "HZIP_PORT_ARCA_CHE_0" },
	{ HZM_ZIP_PORT_ARCA_CHE_1, RK_RW, 0, "HZIP_PORT_ARCA_CHE_1" },
	{ HZM_ZIP_PORT_AWCA_CHE_0, RK_RW, 0, "HZIP_PORT_AWCA_CHE_0" },
	{ HZM_ZIP_PORT_AWCA_CHE_1, RK_RW, 0, "HZIP_PORT_AWCA_CHE_1" },
	{ HZM_ZIP_CORE_INT_SOURCE, RK_SPECIAL, 0, "HZIP_CORE_INT_SOURCE" },
	{ HZM_ZIP_CORE_INT_MASK, RK_SPECIAL, HZM_ZIP_CORE_INT_ALL, "HZIP_CORE_INT_MASK" },
	{ HZM_ZIP_CORE_INT_SET, RK_SPECIAL, 0, "HZIP_CORE_INT_SET" },
	{ HZM_ZIP_CORE_INT_STATUS, RK_SPECIAL, 0, "HZIP_CORE_INT_STATUS" },
	{ HZM_ZIP_BD_RUSER_32_63, RK_RW, 0, "HZIP_BD_RUSER_32_63" },
	{ HZM_ZIP_SGL_RUSER_32_63, RK_RW, 0, "HZIP_SGL_RUSER_32_63" },
	{ HZM_ZIP_DATA_RUSER_32_63, RK_RW, 0, "HZIP_DATA_RUSER_32_63" },
	{ HZM_ZIP_DATA_WUSER_32_63, RK_RW, 0, "HZIP_DATA_WUSER_32_63" },
	{ HZM_ZIP_BD_WUSER_32_63, RK_RW, 0, "HZIP_BD_WUSER_32_63" },
	{ HZM_ZIP_CORE_SRAM_ECC_ERR_INFO, RK_SPECIAL, 0, "HZIP_CORE_SRAM_ECC_ERR_INFO" },
	{ HZM_ZIP_CORE_INT_RAS_CE_ENB, RK_RW, 0, "HZIP_CORE_INT_RAS_CE_ENB" },
	{ HZM_ZIP_CORE_INT_RAS_NFE_ENB, RK_RW, 0, "HZIP_CORE_INT_RAS_NFE_ENB" },
	{ HZM_ZIP_CORE_INT_RAS_FE_ENB, RK_RW, 0, "HZIP_CORE_INT_RAS_FE_ENB" },
	{ HZM_ZIP_UNCOM_ERR_RAS_CTRL, RK_RW, 0, "HZIP_UNCOM_ERR_RAS_CTRL" },
	{ HZM_ZIP_HIGH_PERF, RK_RW, 0, "HZIP_HIGH_PERF" },
};
#define HZM_NREGS RTE_DIM(hzm_reg_table)

static int
reg_index(uint64_t off)
{
	int lo = 0, hi = (int)HZM_NREGS - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (hzm_reg_table[mid].off == off)
			return mid;
		if (hzm_reg_table[mid].off < off)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static bool
in_cap_range(uint64_t off)
{
	return off >= HZM_CAP_FIRST && off <= HZM_CAP_LAST;
}

static bool
in_xeqc_mirror(uint64_t off)
{
	return off >= HZM_EQC_MIRROR && off < HZM_AEQC_MIRROR + sizeof(struct hzm_eqc);
}

static bool
in_core_dfx(uint64_t off, unsigned int *core, unsigned int *field)
{
	uint64_t rel;

	if (off < HZM_ZIP_CORE_DFX_BASE ||
	    off >= HZM_ZIP_CORE_DFX_BASE + HZM_ZIP_CORES * HZM_ZIP_CORE_DFX_STRIDE)
		return false;
	rel = off - HZM_ZIP_CORE_DFX_BASE;
	if (rel % HZM_ZIP_CORE_DFX_STRIDE >= HZM_ZIP_CORE_DFX_SIZE)
		return false;
	*core = (unsigned int)(rel / HZM_ZIP_CORE_DFX_STRIDE);
	*field = (unsigned int)(rel % HZM_ZIP_CORE_DFX_STRIDE);
	return true;
}

uint32_t
hzm_reg_value(const struct hzip_model *m, uint64_t off)
{
	int i = reg_index(off);

	return i >= 0 ? m->regval[i] : 0;
}

const char *
hzm_reg_name(const struct hzip_model *m, uint64_t off)
{
	static const char *const core_names[HZM_ZIP_CORES] = {
		"HZIP_COMP_CORE0_DFX", "HZIP_COMP_CORE1_DFX", "HZIP_DECOMP_CORE0_DFX",
		"HZIP_DECOMP_CORE1_DFX", "HZIP_DECOMP_CORE2_DFX", "HZIP_DECOMP_CORE3_DFX",
		"HZIP_DECOMP_CORE4_DFX", "HZIP_DECOMP_CORE5_DFX",
	};
	unsigned int core, field;
	int i;

	if (off >= m->bar2_size)
		return NULL;
	i = reg_index(off);
	if (i >= 0)
		return hzm_reg_table[i].name;
	if (in_cap_range(off))
		return "QM_CAP_V3";
	if (off >= HZM_EQC_MIRROR && off < HZM_EQC_MIRROR + sizeof(struct hzm_eqc))
		return "QM_EQC_MIRROR";
	if (off >= HZM_AEQC_MIRROR && off < HZM_AEQC_MIRROR + sizeof(struct hzm_eqc))
		return "QM_AEQC_MIRROR";
	if (in_core_dfx(off, &core, &field))
		return core_names[core];
	return NULL;
}

/* ---- memory init, VFT ------------------------------------------------------ */

bool
hzm_mem_ready(struct hzip_model *m)
{
	if (m->mem_ready)
		return true;
	if (m->mem_init_started && hzm_now_ns() >= m->mem_init_done_ns) {
		m->mem_ready = true;
		return true;
	}
	return false;
}

/* Decode this function's queue range from its VFT entries [5.5]. */
static void
update_own_range(struct hzip_model *m)
{
	uint64_t s = m->own_sqc_vft;
	uint32_t base = 0, num = 0;

	if ((s & HZM_SQC_VFT_VALID) && (m->own_cqc_vft & HZM_CQC_VFT_VALID)) {
		base = (uint32_t)((s >> HZM_SQC_VFT_BASE_SHIFT) & HZM_SQC_VFT_BASE_MASK);
		num = (uint32_t)((s >> HZM_SQC_VFT_NUM_SHIFT) & HZM_SQC_VFT_NUM_MASK) + 1;
		if (base + num > HZM_QM_TOTAL_QUEUES) {
			HZM_DRV_ERR(m, "VFT gives queues %u..%u, beyond the %u queues of the "
				    "device: range ignored", base, base + num - 1,
				    HZM_QM_TOTAL_QUEUES);
			base = 0;
			num = 0;
		}
	}
	__atomic_store_n(&m->qbase, base, __ATOMIC_RELEASE);
	__atomic_store_n(&m->qnum, num, __ATOMIC_RELEASE);
}

static void
vft_op(struct hzip_model *m)
{
	uint32_t op = m->regval[reg_index(HZM_VFT_CFG_OP_WR)] & 1;
	uint32_t type = m->regval[reg_index(HZM_VFT_CFG_TYPE)];
	uint32_t fn = m->regval[reg_index(HZM_VFT_CFG)];
	uint32_t *dl = &m->regval[reg_index(HZM_VFT_CFG_DATA_L)];
	uint32_t *dh = &m->regval[reg_index(HZM_VFT_CFG_DATA_H)];
	uint64_t data;

	if (m->vft_rdy != 0)
		HZM_DRV_ERR(m, "VFT_CFG_OP_ENABLE without VFT_CFG_RDY cleared first [5.5]");
	m->vft_rdy = HZM_VFT_RDY_BIT;
	if (!hzm_mem_ready(m)) {
		HZM_DRV_ERR(m, "VFT operation before memory init completed "
			    "(MEM_START_INIT/MEM_INIT_DONE): ignored");
		return;
	}
	if (type > HZM_VFT_TYPE_CQC) {
		HZM_DRV_ERR(m, "VFT type %u: only SQC (0) and CQC (1) exist on v2 (the "
			    "shaper VFT is v3): ignored", type);
		return;
	}
	if (fn >= HZM_MAX_FUNCS) {
		HZM_DRV_ERR(m, "VFT function %u out of range 0..%u: ignored", fn,
			    HZM_MAX_FUNCS - 1);
		return;
	}
	if (op == HZM_VFT_OP_WRITE) {
		data = ((uint64_t)*dh << 32) | *dl;
		m->vft[type][fn] = data;
		hzm_trace_note(m, "VFT write %s function=%u data=0x%016" PRIx64 " (base=%u "
			       "count=%u valid=%u)", type == 0 ? "SQC" : "CQC", fn, data,
			       type == 0 ? (unsigned int)((data >> 28) & 0xffff) : 0,
			       type == 0 ? (unsigned int)((data >> 45) & 0x3ff) + 1 : 0,
			       type == 0 ? (unsigned int)((data >> 44) & 1) :
					   (unsigned int)((data >> 28) & 1));
		if (fn == 0) {
			if (type == HZM_VFT_TYPE_SQC)
				m->own_sqc_vft = data;
			else
				m->own_cqc_vft = data;
			update_own_range(m);
		}
	} else {
		data = m->vft[type][fn];
		*dl = (uint32_t)data;
		*dh = (uint32_t)(data >> 32);
		hzm_trace_note(m, "VFT read %s function=%u data=0x%016" PRIx64,
			       type == 0 ? "SQC" : "CQC", fn, data);
	}
}

/* ---- interrupts ------------------------------------------------------------- */

/* Send MSI @p vec (irq_lock held). */
static void
msi_send(struct hzip_model *m, unsigned int vec)
{
	uint64_t one = 1;

	if (vec < m->nvec && m->efd[vec] >= 0) {
		if (write(m->efd[vec], &one, sizeof(one)) == (ssize_t)sizeof(one))
			m->msi_count[vec]++;
	}
}

void
hzm_msi(struct hzip_model *m, unsigned int vec)
{
	if (!hzm_bus_master(m))
		return;
	pthread_mutex_lock(&m->irq_lock);
	/* a masked vector's message waits in its pending bit (PCI MSI per-vector masking) */
	if (vec < m->nvec && (m->msi_mask & (1u << vec)))
		m->msi_pending |= 1u << vec;
	else
		msi_send(m, vec);
	pthread_mutex_unlock(&m->irq_lock);
}

/* The MSI mask bits became @p mask: vectors unmasked with a message pending get it. */
static void
msi_mask_set(struct hzip_model *m, uint32_t mask)
{
	uint32_t due;

	pthread_mutex_lock(&m->irq_lock);
	m->msi_mask = mask;
	/* no memory write without bus mastering: held until it is back on */
	due = hzm_bus_master(m) ? m->msi_pending & ~mask : 0;
	m->msi_pending &= ~due;
	for (unsigned int v = 0; v < m->nvec; v++)
		if (due & (1u << v))
			msi_send(m, v);
	pthread_mutex_unlock(&m->irq_lock);
}

static bool
abnormal_pending(const struct hzip_model *m)
{
	return (__atomic_load_n(&m->abn_source, __ATOMIC_ACQUIRE) & ~m->abn_mask &
		HZM_QM_ABNORMAL_ALL) != 0 ||
	       (__atomic_load_n(&m->core_source, __ATOMIC_ACQUIRE) & ~m->core_mask &
		HZM_ZIP_CORE_INT_ALL) != 0;
}

void
hzm_raise_abnormal(struct hzip_model *m, uint32_t qm, uint32_t core)
{
	uint32_t oq, oc;

	if (m->vf) {
		/* a VF has no abnormal registers: the PF's driver would see this */
		HZM_LOG(DEBUG, m, "abnormal error qm=0x%x core=0x%x (reported by the PF)", qm,
			core);
		hzm_trace_note(m, "EV abnormal qm=0x%04x core=0x%04x (PF-side, not visible "
			       "to a VF)", qm, core);
		return;
	}
	oq = __atomic_fetch_or(&m->abn_source, qm, __ATOMIC_ACQ_REL);
	oc = __atomic_fetch_or(&m->core_source, core, __ATOMIC_ACQ_REL);
	hzm_trace_note(m, "EV abnormal qm=0x%04x core=0x%04x", qm, core);
	if ((qm & ~oq & ~__atomic_load_n(&m->abn_mask, __ATOMIC_RELAXED)) != 0 ||
	    (core & ~oc & ~__atomic_load_n(&m->core_mask, __ATOMIC_RELAXED)) != 0)
		hzm_msi(m, HZM_VEC_ABNORMAL);
}

void
hzm_raise_fifo_overflow(struct hzip_model *m, unsigned int type)
{
	__atomic_store_n(&m->abn_inf00, (type << HZM_INF_TYPE_SHIFT) | 0u, __ATOMIC_RELEASE);
	hzm_raise_abnormal(m, HZM_QM_OF_FIFO_OF, 0);
}

/* ---- DFX ---------------------------------------------------------------------- */

static uint64_t
sum_sq(const struct hzip_model *m, size_t field_off, int qsel)
{
	uint64_t s = 0;

	for (unsigned int q = 0; q < HZM_MAX_QUEUES; q++) {
		if (qsel >= 0 && (unsigned int)qsel != q)
			continue;
		const void *f = (const char *)&m->sqs[q] + field_off;

		s += __atomic_load_n((const uint64_t *)f, __ATOMIC_RELAXED);
	}
	return s;
}

static uint64_t
total_doorbells(const struct hzip_model *m)
{
	uint64_t n = sum_sq(m, offsetof(struct hzm_sq, doorbells), -1);

	for (unsigned int q = 0; q < HZM_MAX_QUEUES; q++)
		n += __atomic_load_n(&m->cqs[q].doorbells, __ATOMIC_RELAXED);
	return n + __atomic_load_n(&m->xeq_doorbells, __ATOMIC_RELAXED);
}

/* Read a counter; with clear-on-read enabled, reading restarts it from zero. */
static uint32_t
dfx_counter(struct hzip_model *m, uint64_t now, uint64_t *clr_base)
{
	uint64_t v = now - *clr_base;

	if (m->regval[reg_index(HZM_DFX_CNT_CLR_CE)] & 1)
		*clr_base = now;
	return (uint32_t)v;
}

static uint32_t
core_dfx_read(struct hzip_model *m, unsigned int core, unsigned int field)
{
	struct hzm_core_dfx c, *z = &m->core_dfx_clr[core];
	bool clr = (m->regval[reg_index(HZM_ZIP_SOFT_CTRL_CNT_CLR_CE)] & 1) != 0;
	uint64_t cur, *base;

	hzm_core_dfx_sum(m, core, &c);
	switch (field) {
	case HZM_ZIP_CORE_DFX_GET_BD: cur = c.get_bd; base = &z->get_bd; break;
	case HZM_ZIP_CORE_DFX_GOOD_BD: cur = c.good_bd; base = &z->good_bd; break;
	case HZM_ZIP_CORE_DFX_ERR_BD: cur = c.err_bd; base = &z->err_bd; break;
	case HZM_ZIP_CORE_DFX_DONE_BD: cur = c.done_bd; base = &z->done_bd; break;
	case HZM_ZIP_CORE_DFX_WORK_CYCLE: cur = c.work_ns; base = &z->work_ns; break;
	case HZM_ZIP_CORE_DFX_CONSUMED: cur = c.consumed; base = &z->consumed; break;
	case HZM_ZIP_CORE_DFX_PRODUCED: cur = c.produced; base = &z->produced; break;
	case HZM_ZIP_CORE_DFX_MAX_DELAY:
		return (uint32_t)c.max_delay_us;
	case HZM_ZIP_CORE_DFX_MIN_DELAY:
		return (uint32_t)c.min_delay_us;
	case HZM_ZIP_CORE_DFX_AVG_DELAY:
		return c.done_bd == 0 ? 0 : (uint32_t)(c.sum_delay_us / c.done_bd);
	default:
		return 0;
	}
	if (clr) {
		uint64_t v = cur - *base;

		*base = cur;
		return (uint32_t)v;
	}
	return (uint32_t)(cur - *base);
}

/* ---- register read/write (reg_lock held) ------------------------------------ */

static uint32_t
xeqc_mirror_read(struct hzip_model *m, uint64_t off)
{
	struct hzm_eqc c;
	const struct hzm_eq *eq = off < HZM_AEQC_MIRROR ? &m->eq : &m->aeq;
	uint64_t rel = off - (off < HZM_AEQC_MIRROR ? HZM_EQC_MIRROR : HZM_AEQC_MIRROR);
	uint32_t dw[7];

	pthread_mutex_lock(&m->ev_lock);
	hzm_eqc_snapshot(eq, &c);
	pthread_mutex_unlock(&m->ev_lock);
	memcpy(dw, &c, sizeof(dw));
	return rel / 4 < 7 ? dw[rel / 4] : 0;
}

static uint32_t
reg_read(struct hzip_model *m, uint64_t off)
{
	unsigned int core, field;
	int i = reg_index(off);
	uint32_t v;

	if (i < 0) {
		if (in_cap_range(off))
			return 0;	/* v2: capability registers read 0 [2.1] */
		if (in_xeqc_mirror(off))
			return xeqc_mirror_read(m, off);
		if (!m->vf && in_core_dfx(off, &core, &field))
			return core_dfx_read(m, core, field);
		HZM_LOG(DEBUG, m, "read of unknown register 0x%06" PRIx64 " returns 0", off);
		return 0;
	}
	if (hzm_reg_table[i].kind != RK_SPECIAL)
		return m->regval[i];
	switch (off) {
	case HZM_VF_AEQ_INT_SOURCE:
		return __atomic_load_n(&m->aeq_int_source, __ATOMIC_ACQUIRE);
	case HZM_VF_AEQ_INT_MASK:
		return m->aeq_int_mask;
	case HZM_VF_EQ_INT_SOURCE:
		return __atomic_load_n(&m->eq_int_source, __ATOMIC_ACQUIRE);
	case HZM_VF_EQ_INT_MASK:
		return m->eq_int_mask;
	case HZM_IFC_INT_SOURCE_V:
		return m->ifc_int_source;
	case HZM_IFC_INT_MASK:
		return m->ifc_int_mask;
	case HZM_IFC_INT_STATUS:
		return m->ifc_int_source & ~m->ifc_int_mask & 1;
	case HZM_DFX_FUNS_ACTIVE_ST:
		return hzm_qnum(m) != 0 ? 1 : 0;
	case HZM_CACHE_WB_START:
		return 0;
	case HZM_CACHE_WB_DONE:
		/* the first read after a start shows the write-back in progress */
		if (m->cache_wb_pending_read) {
			m->cache_wb_pending_read = false;
			return 0;
		}
		return m->cache_wb_done;
	case HZM_DOORBELL_SQ_CQ:
	case HZM_DOORBELL_SQ_CQ + 4:
	case HZM_DOORBELL_EQ_AEQ:
	case HZM_DOORBELL_EQ_AEQ + 4:
		return 0;	/* write-only */
	case HZM_ABNORMAL_INT_SOURCE:
		return __atomic_load_n(&m->abn_source, __ATOMIC_ACQUIRE) & HZM_QM_ABNORMAL_ALL;
	case HZM_ABNORMAL_INT_MASK:
		return m->abn_mask;
	case HZM_ABNORMAL_INT_STATUS:
		return __atomic_load_n(&m->abn_source, __ATOMIC_ACQUIRE) & ~m->abn_mask &
		       HZM_QM_ABNORMAL_ALL;
	case HZM_ABNORMAL_INT_SET:
		return 0;
	case HZM_ABNORMAL_INF00:
		return __atomic_load_n(&m->abn_inf00, __ATOMIC_ACQUIRE);
	case HZM_ABNORMAL_INF01:
		return m->abn_inf01;
	case HZM_MEM_START_INIT:
		return 0;
	case HZM_MEM_INIT_DONE:
		return hzm_mem_ready(m) ? HZM_MEM_INIT_DONE_BIT : 0;
	case HZM_VFT_CFG_OP_ENABLE:
		return 0;
	case HZM_VFT_CFG_RDY:
		return m->vft_rdy;
	case HZM_IFC_INT_SOURCE_P:
	case HZM_IFC_INT_SOURCE_P + 4:
		return m->regval[i];
	case HZM_DFX_ECC_1BIT_CNT:
		return 0;
	case HZM_DFX_ECC_MBIT_CNT:
		return (uint32_t)m->dfx_ecc_mbit;
	case HZM_DFX_ECC_MBIT_INF:
		return m->core_ecc_info;
	case HZM_DFX_MB_CNT_VF:
		return m->dfx_sel_mb;
	case HZM_DFX_MB_CNT:
		/* counts the selected function's commands: this PF is function 0 */
		if ((m->dfx_sel_mb & HZM_INF_FUNC_MASK) != 0)
			return 0;
		return dfx_counter(m, __atomic_load_n(&m->mailbox_cmds, __ATOMIC_RELAXED),
				   &m->dfx_clr_mb);
	case HZM_DFX_DB_CNT_VF:
		return m->dfx_sel_db;
	case HZM_DFX_DB_CNT:
		if ((m->dfx_sel_db & HZM_INF_FUNC_MASK) != 0)
			return 0;
		return dfx_counter(m, total_doorbells(m), &m->dfx_clr_db);
	case HZM_DFX_SQE_CNT_VF_SQN:
		return m->dfx_sel_sqe;
	case HZM_DFX_SQE_CNT:
		if ((m->dfx_sel_sqe & HZM_INF_FUNC_MASK) != 0)
			return 0;
		return dfx_counter(m, sum_sq(m, offsetof(struct hzm_sq, sqe_count),
					     (int)(m->dfx_sel_sqe >> 16)), &m->dfx_clr_sqe);
	case HZM_DFX_CQE_CNT_VF_CQN:
		return m->dfx_sel_cqe;
	case HZM_DFX_CQE_CNT:
		if ((m->dfx_sel_cqe & HZM_INF_FUNC_MASK) != 0)
			return 0;
		return dfx_counter(m, sum_sq(m, offsetof(struct hzm_sq, cqe_count),
					     (int)(m->dfx_sel_cqe >> 16)), &m->dfx_clr_cqe);
	case HZM_DFX_SEND_SQE_TO_ACC:
		return dfx_counter(m, sum_sq(m, offsetof(struct hzm_sq, sqe_count), -1),
				   &m->dfx_clr_send);
	case HZM_DFX_WB_SQE_FROM_ACC:
	case HZM_DFX_ACC_FINISH_CNT: {
		uint64_t n = 0;

		for (unsigned int t = 0; t < m->nthreads; t++)
			n += __atomic_load_n(&m->threads[t].requests, __ATOMIC_RELAXED);
		/* one write-back and one finish per executed SQE */
		return dfx_counter(m, n, off == HZM_DFX_WB_SQE_FROM_ACC ? &m->dfx_clr_wb :
						&m->dfx_clr_fin);
	}
	case HZM_DFX_CQE_ERR_CNT:
		return dfx_counter(m, __atomic_load_n(&m->cqe_errors, __ATOMIC_RELAXED),
				   &m->dfx_clr_cqe_err);
	case HZM_IN_IDLE_ST:
		return hzm_engines_idle(m) ? 1 : 0;
	case HZM_CQE_OUT:
	case HZM_EQE_OUT:
	case HZM_AEQE_OUT:
		return 0;
	case HZM_DB_INFO0:
	case HZM_DB_INFO1:
		return m->regval[i];
	case HZM_ACC_MASTER_GLOBAL_CTRL:
		return m->master_ctrl;
	case HZM_ACC_AM_ROB_ECC_INT_STS:
		return m->rob_ecc_sts;
	case HZM_ACC_MASTER_TRANS_RETURN:
		/* 3 when no request is being executed (AXI master idle) */
		return hzm_engines_idle(m) ? HZM_MASTER_TRANS_IDLE : 0;
	case HZM_ZIP_CLOCK_GATE_CTRL:
		return __atomic_load_n(&m->clock_gate, __ATOMIC_RELAXED);
	case HZM_ZIP_CORE_INT_SOURCE:
		return __atomic_load_n(&m->core_source, __ATOMIC_ACQUIRE) & HZM_ZIP_CORE_INT_ALL;
	case HZM_ZIP_CORE_INT_MASK:
		return m->core_mask;
	case HZM_ZIP_CORE_INT_SET:
		return 0;
	case HZM_ZIP_CORE_INT_STATUS:
		return __atomic_load_n(&m->core_source, __ATOMIC_ACQUIRE) & ~m->core_mask &
		       HZM_ZIP_CORE_INT_ALL;
	case HZM_ZIP_CORE_SRAM_ECC_ERR_INFO:
		return m->core_ecc_info;
	default:
		break;
	}
	v = m->regval[i];
	return v;
}

static void
ro_write(struct hzip_model *m, uint64_t off, uint32_t v)
{
	const char *n = hzm_reg_name(m, off);

	HZM_DRV_ERR(m, "write 0x%08x to read-only register 0x%06" PRIx64 " (%s): ignored", v,
		    off, n != NULL ? n : "?");
}

static void
set_abn_mask(struct hzip_model *m, uint32_t v)
{
	bool before = abnormal_pending(m);

	__atomic_store_n(&m->abn_mask, v & HZM_QM_ABNORMAL_ALL, __ATOMIC_RELEASE);
	if (!before && abnormal_pending(m))
		hzm_msi(m, HZM_VEC_ABNORMAL);
}

static void
set_core_mask(struct hzip_model *m, uint32_t v)
{
	bool before = abnormal_pending(m);

	__atomic_store_n(&m->core_mask, v & HZM_ZIP_CORE_INT_ALL, __ATOMIC_RELEASE);
	if (!before && abnormal_pending(m))
		hzm_msi(m, HZM_VEC_ABNORMAL);
}

static void
set_eq_mask(struct hzip_model *m, uint32_t *mask, uint32_t v, uint32_t *source,
	    unsigned int vec)
{
	bool was = __atomic_load_n(mask, __ATOMIC_RELAXED) == 0;

	__atomic_store_n(mask, v & 1, __ATOMIC_RELEASE);
	/* unmasking with an event pending delivers it */
	if (!was && (v & 1) == 0 && __atomic_load_n(source, __ATOMIC_ACQUIRE) != 0)
		hzm_msi(m, vec);
}

static void
reg_write(struct hzip_model *m, uint64_t off, uint32_t v)
{
	int i = reg_index(off);
	uint32_t old, ctl;

	if (i < 0) {
		const char *n = hzm_reg_name(m, off);

		if (n != NULL)
			ro_write(m, off, v);
		else
			HZM_DRV_ERR(m, "write 0x%08x to unknown register 0x%06" PRIx64
				    ": ignored", v, off);
		return;
	}
	if (hzm_reg_table[i].kind == RK_RO) {
		ro_write(m, off, v);
		return;
	}
	if (hzm_reg_table[i].kind == RK_RW) {
		m->regval[i] = v;
		return;
	}
	switch (off) {
	case HZM_VF_AEQ_INT_SOURCE:
		__atomic_fetch_and(&m->aeq_int_source, ~v, __ATOMIC_ACQ_REL);
		return;
	case HZM_VF_AEQ_INT_MASK:
		set_eq_mask(m, &m->aeq_int_mask, v, &m->aeq_int_source, HZM_VEC_AEQ);
		return;
	case HZM_VF_EQ_INT_SOURCE:
		__atomic_fetch_and(&m->eq_int_source, ~v, __ATOMIC_ACQ_REL);
		return;
	case HZM_VF_EQ_INT_MASK:
		set_eq_mask(m, &m->eq_int_mask, v, &m->eq_int_source, HZM_VEC_EQ);
		return;
	case HZM_IFC_INT_SOURCE_V:
		m->ifc_int_source &= ~v;
		return;
	case HZM_IFC_INT_MASK:
		m->ifc_int_mask = v & 1;
		return;
	case HZM_CACHE_WB_START:
		if (v & 1)
			hzm_cache_writeback(m);
		return;
	case HZM_ABNORMAL_INT_SOURCE:
		__atomic_fetch_and(&m->abn_source, ~v, __ATOMIC_ACQ_REL);
		return;
	case HZM_ABNORMAL_INT_MASK:
		set_abn_mask(m, v);
		return;
	case HZM_ABNORMAL_INT_SET:
		if (v & HZM_QM_ABNORMAL_ALL)
			hzm_raise_abnormal(m, v & HZM_QM_ABNORMAL_ALL, 0);
		return;
	case HZM_MEM_START_INIT:
		if (v & 1) {
			m->mem_init_started = true;
			m->mem_ready = false;
			m->mem_init_done_ns = hzm_now_ns() + (uint64_t)m->p.mem_init_us * 1000u;
		}
		return;
	case HZM_VFT_CFG_OP_ENABLE:
		if (v & 1)
			vft_op(m);
		return;
	case HZM_VFT_CFG_RDY:
		m->vft_rdy = v & HZM_VFT_RDY_BIT;
		return;
	case HZM_IFC_INT_SOURCE_P:
	case HZM_IFC_INT_SOURCE_P + 4:
		m->regval[i] &= ~v;
		return;
	case HZM_DFX_MB_CNT_VF:
		m->dfx_sel_mb = v;
		return;
	case HZM_DFX_DB_CNT_VF:
		m->dfx_sel_db = v;
		return;
	case HZM_DFX_SQE_CNT_VF_SQN:
		m->dfx_sel_sqe = v;
		return;
	case HZM_DFX_CQE_CNT_VF_CQN:
		m->dfx_sel_cqe = v;
		return;
	case HZM_ACC_MASTER_GLOBAL_CTRL:
		old = m->master_ctrl;
		m->master_ctrl = v;
		if ((old ^ v) & HZM_MASTER_SHUTDOWN)
			hzm_gate_set(m, HZM_GATE_SHUTDOWN, (v & HZM_MASTER_SHUTDOWN) != 0);
		return;
	case HZM_ACC_AM_ROB_ECC_INT_STS:
		m->rob_ecc_sts &= ~v;	/* W1C */
		return;
	case HZM_ZIP_CLOCK_GATE_CTRL:
		old = __atomic_exchange_n(&m->clock_gate, v, __ATOMIC_ACQ_REL);
		if ((v & ~old) & (HZM_ZIP_COMP_CORE_MASK | HZM_ZIP_DECOMP_CORE_MASK)) {
			__atomic_store_n(&m->warned_cores_off, false, __ATOMIC_RELAXED);
			hzm_engines_rescan(m);
		}
		return;
	case HZM_ZIP_CORE_INT_SOURCE:
		__atomic_fetch_and(&m->core_source, ~v, __ATOMIC_ACQ_REL);
		return;
	case HZM_ZIP_CORE_INT_MASK:
		set_core_mask(m, v);
		return;
	case HZM_ZIP_CORE_INT_SET:
		if (v & HZM_ZIP_CORE_INT_ALL)
			hzm_raise_abnormal(m, 0, v & HZM_ZIP_CORE_INT_ALL);
		/*
		 * An ECC 2-bit error with AXI shutdown enabled stops the engine's
		 * master, injected or not: the kernel's hisi_zip_close_axi_master_ooo()
		 * injects one for that. Until a function reset, as a real one.
		 */
		ctl = m->regval[reg_index(HZM_ZIP_SOFT_CTRL_ZIP_CONTROL)];
		if ((v & HZM_ZIP_ECC_2BIT) && (ctl & HZM_ZIP_AXI_SHUTDOWN_EN)) {
			hzm_trace_note(m, "EV ECC 2-bit set with AXI shutdown enabled: engine "
				       "master stopped until FLR");
			hzm_gate_set(m, HZM_GATE_ECC_HALT, true);
		}
		return;
	default:
		ro_write(m, off, v);
		return;
	}
}

/* ---- MMIO entry points ------------------------------------------------------ */

static bool
is_mailbox(uint64_t off, unsigned int len)
{
	return off >= HZM_MAILBOX && off + len <= HZM_MAILBOX + HZM_MAILBOX_SIZE;
}

static bool
is_doorbell(uint64_t off)
{
	return (off & ~0x7ull) == HZM_DOORBELL_SQ_CQ || (off & ~0x7ull) == HZM_DOORBELL_EQ_AEQ;
}

/* Checks shared by every access. @return false if the access must be dropped. */
static bool
access_ok(struct hzip_model *m, unsigned int bar, uint64_t off, unsigned int len, bool write)
{
	if (unlikely(bar != 2)) {
		HZM_DRV_ERR(m, "%s of %u bytes on BAR%u: only BAR2 exists", write ? "write" :
			    "read", len, bar);
		return false;
	}
	if (unlikely(off >= m->bar2_size || m->bar2_size - off < len)) {
		HZM_DRV_ERR(m, "%s of %u bytes at 0x%" PRIx64 ": outside BAR2 (%" PRIu64
			    " bytes%s)", write ? "write" : "read", len, off, m->bar2_size,
			    m->vf ? ", a VF has per-function registers only" : "");
		return false;
	}
	if (unlikely((off & (len - 1)) != 0)) {
		HZM_DRV_ERR(m, "unaligned %u-byte %s at 0x%" PRIx64, len, write ? "write" : "read",
			    off);
		return false;
	}
	/*
	 * A VF has no memory-enable bit of its own (SR-IOV: the PF's VF MSE
	 * rules), and vfio-pci lets BAR accesses of a VF through whatever the
	 * emulated bit says (no_command_memory)
	 */
	if (unlikely(!m->vf && !(__atomic_load_n(&m->cmd, __ATOMIC_ACQUIRE) & HZM_CMD_MEMORY))) {
		HZM_DRV_ERR(m, "%s at 0x%" PRIx64 " with memory decoding off (command "
			    "register bit 1)", write ? "write" : "read", off);
		return false;
	}
	return true;
}

uint32_t
hzip_model_read32(struct hzip_model *m, unsigned int bar, uint64_t off)
{
	uint32_t v;

	if (m == NULL)
		return UINT32_MAX;
	if (!access_ok(m, bar, off, 4, false))
		return UINT32_MAX;
	pthread_mutex_lock(&m->reg_lock);
	if (is_mailbox(off, 4))
		hzm_mbox_read(m, off, &v, 4);
	else
		v = reg_read(m, off);
	hzm_trace_mmio(m, false, 32, off, v, 0);
	pthread_mutex_unlock(&m->reg_lock);
	return v;
}

uint64_t
hzip_model_read64(struct hzip_model *m, unsigned int bar, uint64_t off)
{
	uint64_t v;

	if (m == NULL)
		return UINT64_MAX;
	if (!access_ok(m, bar, off, 8, false))
		return UINT64_MAX;
	pthread_mutex_lock(&m->reg_lock);
	if (is_mailbox(off, 8))
		hzm_mbox_read(m, off, &v, 8);
	else
		v = reg_read(m, off) | ((uint64_t)reg_read(m, off + 4) << 32);
	hzm_trace_mmio(m, false, 64, off, v, 0);
	pthread_mutex_unlock(&m->reg_lock);
	return v;
}

void
hzip_model_read128(struct hzip_model *m, unsigned int bar, uint64_t off, uint64_t *lo,
		   uint64_t *hi)
{
	uint64_t v[2];

	if (lo == NULL || hi == NULL)
		return;
	*lo = UINT64_MAX;
	*hi = UINT64_MAX;
	if (m == NULL || !access_ok(m, bar, off, 16, false))
		return;
	pthread_mutex_lock(&m->reg_lock);
	if (is_mailbox(off, 16)) {
		hzm_mbox_read(m, off, v, 16);
	} else {
		v[0] = reg_read(m, off) | ((uint64_t)reg_read(m, off + 4) << 32);
		v[1] = reg_read(m, off + 8) | ((uint64_t)reg_read(m, off + 12) << 32);
	}
	hzm_trace_mmio(m, false, 128, off, v[0], v[1]);
	pthread_mutex_unlock(&m->reg_lock);
	*lo = v[0];
	*hi = v[1];
}

void
hzip_model_write32(struct hzip_model *m, unsigned int bar, uint64_t off, uint32_t v)
{
	if (m == NULL || !access_ok(m, bar, off, 4, true))
		return;
	if (unlikely(is_doorbell(off))) {
		hzm_trace_mmio(m, true, 32, off, v, 0);
		HZM_DRV_ERR(m, "32-bit write 0x%08x to doorbell 0x%" PRIx64 ": a v2 doorbell "
			    "is one 64-bit store [3]; ignored", v, off);
		return;
	}
	pthread_mutex_lock(&m->reg_lock);
	hzm_trace_mmio(m, true, 32, off, v, 0);
	if (is_mailbox(off, 4))
		hzm_mbox_write(m, off, &v, 4);
	else
		reg_write(m, off, v);
	pthread_mutex_unlock(&m->reg_lock);
}

void
hzip_model_write64(struct hzip_model *m, unsigned int bar, uint64_t off, uint64_t v)
{
	if (unlikely(m == NULL || !access_ok(m, bar, off, 8, true)))
		return;
	/* the data path: doorbells take no lock */
	if (likely(off == HZM_DOORBELL_SQ_CQ)) {
		hzm_doorbell_sq_cq(m, v);
		return;
	}
	if (off == HZM_DOORBELL_EQ_AEQ) {
		hzm_doorbell_eq_aeq(m, v);
		return;
	}
	pthread_mutex_lock(&m->reg_lock);
	hzm_trace_mmio(m, true, 64, off, v, 0);
	if (is_mailbox(off, 8)) {
		hzm_mbox_write(m, off, &v, 8);
	} else {
		reg_write(m, off, (uint32_t)v);
		reg_write(m, off + 4, (uint32_t)(v >> 32));
	}
	pthread_mutex_unlock(&m->reg_lock);
}

void
hzip_model_write128(struct hzip_model *m, unsigned int bar, uint64_t off, uint64_t lo,
		    uint64_t hi)
{
	uint64_t v[2] = { lo, hi };

	if (m == NULL || !access_ok(m, bar, off, 16, true))
		return;
	pthread_mutex_lock(&m->reg_lock);
	hzm_trace_mmio(m, true, 128, off, lo, hi);
	if (is_mailbox(off, 16))
		hzm_mbox_write(m, off, v, 16);
	else
		HZM_DRV_ERR(m, "128-bit write at 0x%" PRIx64 ": only the mailbox takes 16-byte "
			    "stores; ignored", off);
	pthread_mutex_unlock(&m->reg_lock);
}

/* ---- config space ------------------------------------------------------------ */

/* Writable bits of config space (the same for a PF and a VF), built once. */
static uint8_t cfg_wmask_pf[HZM_CFG_SIZE];
static pthread_once_t cfg_wmask_once = PTHREAD_ONCE_INIT;

static void
cfg_put16(uint8_t *c, unsigned int off, uint16_t v)
{
	c[off] = (uint8_t)v;
	c[off + 1] = (uint8_t)(v >> 8);
}

static void
cfg_put32(uint8_t *c, unsigned int off, uint32_t v)
{
	cfg_put16(c, off, (uint16_t)v);
	cfg_put16(c, off + 2, (uint16_t)(v >> 16));
}

static uint16_t
cfg_get16(const uint8_t *c, unsigned int off)
{
	return (uint16_t)(c[off] | (c[off + 1] << 8));
}

static uint32_t
cfg_get32(const uint8_t *c, unsigned int off)
{
	return cfg_get16(c, off) | ((uint32_t)cfg_get16(c, off + 2) << 16);
}

static void
cfg_wmask_init(void)
{
	memset(cfg_wmask_pf, 0, sizeof(cfg_wmask_pf));
	cfg_put16(cfg_wmask_pf, HZM_CFG_COMMAND, HZM_CMD_WRITABLE);
	cfg_wmask_pf[HZM_CFG_CACHE_LINE] = 0xff;
	cfg_wmask_pf[HZM_CFG_INT_LINE] = 0xff;
	cfg_put16(cfg_wmask_pf, HZM_CFG_MSI_CAP + 2, 0x0071);		/* enable, MME */
	cfg_put32(cfg_wmask_pf, HZM_CFG_MSI_CAP + 4, 0xfffffffc);	/* address */
	cfg_put32(cfg_wmask_pf, HZM_CFG_MSI_CAP + 8, 0xffffffff);
	cfg_put16(cfg_wmask_pf, HZM_CFG_MSI_CAP + 12, 0xffff);		/* data */
	cfg_wmask_pf[HZM_CFG_MSI_MASK] = (1u << HZM_PF_NVEC) - 1;	/* a bit per vector */
	cfg_put16(cfg_wmask_pf, HZM_CFG_PCIE_CAP + 8, 0x7fff);		/* device control */
}

static void
cfg_init(struct hzip_model *m)
{
	uint8_t *c = m->cfg;
	uint64_t bar_mask = ~(m->bar2_size - 1);
	unsigned int mmc = m->vf ? 1 : 2;	/* log2 of 2 / 4 MSI vectors */

	memset(c, 0, HZM_CFG_SIZE);
	cfg_put16(c, HZM_CFG_VENDOR, HZM_PCI_VENDOR_HUAWEI);
	cfg_put16(c, HZM_CFG_DEVICE, m->vf ? HZM_PCI_DEVICE_ZIP_VF : HZM_PCI_DEVICE_ZIP_PF);
	/* as vfio-pci presents it: memory decoding on, bus mastering off */
	cfg_put16(c, HZM_CFG_COMMAND, HZM_CMD_MEMORY);
	cfg_put16(c, HZM_CFG_STATUS, HZM_STATUS_CAP_LIST);
	c[HZM_CFG_REVISION] = HZM_PCI_REVISION_V2;
	c[HZM_CFG_CLASS + 0] = (uint8_t)HZM_PCI_CLASS_ACCEL;
	c[HZM_CFG_CLASS + 1] = (uint8_t)(HZM_PCI_CLASS_ACCEL >> 8);
	c[HZM_CFG_CLASS + 2] = (uint8_t)(HZM_PCI_CLASS_ACCEL >> 16);
	c[HZM_CFG_HEADER_TYPE] = 0;
	cfg_put32(c, HZM_CFG_BAR2, HZM_BAR_MEM64_PREF);
	cfg_put16(c, HZM_CFG_SUBSYS_VENDOR, HZM_PCI_VENDOR_HUAWEI);
	cfg_put16(c, HZM_CFG_SUBSYS_ID, m->vf ? HZM_PCI_DEVICE_ZIP_VF : HZM_PCI_DEVICE_ZIP_PF);
	c[HZM_CFG_CAP_PTR] = HZM_CFG_MSI_CAP;
	/* MSI: 64-bit address, per-vector masking, 4 (PF) or 2 (VF) vectors */
	c[HZM_CFG_MSI_CAP] = HZM_PCI_CAP_ID_MSI;
	c[HZM_CFG_MSI_CAP + 1] = HZM_CFG_PCIE_CAP;
	cfg_put16(c, HZM_CFG_MSI_CAP + 2,
		  (uint16_t)(HZM_MSI_FLAGS_64BIT | HZM_MSI_FLAGS_PVM | (mmc << 1)));
	/* PCI Express endpoint, FLR capable */
	c[HZM_CFG_PCIE_CAP] = HZM_PCI_CAP_ID_EXP;
	c[HZM_CFG_PCIE_CAP + 1] = 0;
	cfg_put16(c, HZM_CFG_PCIE_CAP + 2, 0x0002);
	cfg_put32(c, HZM_CFG_PCIE_CAP + 4, HZM_PCIE_DEVCAP_FLR | 0x1);
	m->bar2_lo_mask = (uint32_t)bar_mask & 0xfffffff0u;
	m->bar2_hi_mask = (uint32_t)(bar_mask >> 32);
	pthread_once(&cfg_wmask_once, cfg_wmask_init);
	__atomic_store_n(&m->cmd, HZM_CMD_MEMORY, __ATOMIC_RELEASE);
}

/* Config byte @p o takes the writable bits of @p v (BAR2: its size mask). */
static void
cfg_merge(struct hzip_model *m, unsigned int o, uint8_t v)
{
	uint8_t wm = cfg_wmask_pf[o];

	if (o >= HZM_CFG_BAR2 && o < HZM_CFG_BAR2 + 8) {
		unsigned int k = o - HZM_CFG_BAR2;

		wm = (uint8_t)((k < 4 ? m->bar2_lo_mask : m->bar2_hi_mask) >> (8 * (k % 4)));
	}
	if (o == HZM_CFG_MSI_MASK && m->vf)
		wm &= (1u << HZM_VF_NVEC) - 1;
	m->cfg[o] = (uint8_t)((m->cfg[o] & ~wm) | (v & wm));
}

/* The writable bits of @p saved back into config space (after cfg_init()). */
static void
cfg_restore(struct hzip_model *m, const uint8_t *saved)
{
	for (unsigned int o = 0; o < HZM_CFG_SIZE; o++)
		cfg_merge(m, o, saved[o]);
	m->cfg[HZM_CFG_PCIE_CAP + 9] &= (uint8_t)~0x80;	/* initiate FLR reads 0 */
	__atomic_store_n(&m->cmd, cfg_get16(m->cfg, HZM_CFG_COMMAND), __ATOMIC_RELEASE);
}

int
hzip_model_cfg_read(struct hzip_model *m, unsigned int off, void *buf, unsigned int len)
{
	if (m == NULL || buf == NULL || len == 0 || off >= HZM_CFG_SIZE ||
	    len > HZM_CFG_SIZE - off)
		return -EINVAL;
	pthread_mutex_lock(&m->reg_lock);
	memcpy(buf, m->cfg + off, len);
	if (off < HZM_CFG_MSI_PENDING + 4 && off + len > HZM_CFG_MSI_PENDING) {
		/* the pending bits live with the eventfds */
		uint8_t pend[4];

		pthread_mutex_lock(&m->irq_lock);
		cfg_put32(pend, 0, m->msi_pending);
		pthread_mutex_unlock(&m->irq_lock);
		for (unsigned int i = 0; i < 4; i++)
			if (HZM_CFG_MSI_PENDING + i >= off && HZM_CFG_MSI_PENDING + i < off + len)
				((uint8_t *)buf)[HZM_CFG_MSI_PENDING + i - off] = pend[i];
	}
	pthread_mutex_unlock(&m->reg_lock);
	return 0;
}

static void command_changed(struct hzip_model *m, uint16_t old, uint16_t cmd);

int
hzip_model_cfg_write(struct hzip_model *m, unsigned int off, const void *buf, unsigned int len)
{
	const uint8_t *b = buf;
	uint16_t old_cmd, new_cmd;
	bool flr = false;

	if (m == NULL || buf == NULL || len == 0 || off >= HZM_CFG_SIZE ||
	    len > HZM_CFG_SIZE - off)
		return -EINVAL;
	pthread_mutex_lock(&m->reg_lock);
	old_cmd = cfg_get16(m->cfg, HZM_CFG_COMMAND);
	for (unsigned int i = 0; i < len; i++) {
		unsigned int o = off + i;

		if (o == HZM_CFG_PCIE_CAP + 9 && (b[i] & 0x80))
			flr = true;	/* device control bit 15: initiate FLR */
		cfg_merge(m, o, b[i]);
	}
	new_cmd = cfg_get16(m->cfg, HZM_CFG_COMMAND);
	if (new_cmd != old_cmd)
		command_changed(m, old_cmd, new_cmd);
	if (off < HZM_CFG_MSI_MASK + 4 && off + len > HZM_CFG_MSI_MASK)
		msi_mask_set(m, cfg_get32(m->cfg, HZM_CFG_MSI_MASK));
	pthread_mutex_unlock(&m->reg_lock);
	if (flr)
		return hzip_model_reset(m);
	return 0;
}

static void
command_changed(struct hzip_model *m, uint16_t old, uint16_t cmd)
{
	__atomic_store_n(&m->cmd, cmd, __ATOMIC_RELEASE);
	hzm_trace_note(m, "CFG command 0x%04x -> 0x%04x (memory %s, bus master %s)", old, cmd,
		       (cmd & HZM_CMD_MEMORY) ? "on" : "off",
		       (cmd & HZM_CMD_MASTER) ? "on" : "off");
	if ((old ^ cmd) & HZM_CMD_MASTER) {
		hzm_gate_set(m, HZM_GATE_NO_MASTER, !(cmd & HZM_CMD_MASTER));
		if (cmd & HZM_CMD_MASTER)
			msi_mask_set(m, m->msi_mask);	/* send what unmasking held */
	}
}

/* ---- power-on state -------------------------------------------------------------- */

/* Registers, contexts and VFT to power-on values (engines paused or not started). */
static void
power_on_state(struct hzip_model *m, bool keep_mem_init)
{
	for (unsigned int i = 0; i < HZM_NREGS; i++)
		m->regval[i] = hzm_reg_table[i].reset;
	m->eq_int_source = 0;
	m->aeq_int_source = 0;
	m->eq_int_mask = 1;
	m->aeq_int_mask = 1;
	m->ifc_int_source = 0;
	m->ifc_int_mask = 1;
	m->cache_wb_done = HZM_CACHE_WB_DONE_BIT;
	m->cache_wb_pending_read = false;
	__atomic_store_n(&m->abn_source, 0, __ATOMIC_RELEASE);
	m->abn_mask = HZM_QM_ABNORMAL_ALL;
	m->abn_inf00 = 0;
	m->abn_inf01 = 0;
	__atomic_store_n(&m->core_source, 0, __ATOMIC_RELEASE);
	m->core_mask = HZM_ZIP_CORE_INT_ALL;
	m->core_ecc_info = 0;
	m->rob_ecc_sts = 0;
	m->master_ctrl = 0;
	m->vft_rdy = HZM_VFT_RDY_BIT;
	m->dfx_sel_mb = m->dfx_sel_db = m->dfx_sel_sqe = m->dfx_sel_cqe = 0;
	m->dfx_ecc_mbit = 0;
	memset(m->core_dfx_clr, 0, sizeof(m->core_dfx_clr));
	for (unsigned int t = 0; t < m->nthreads; t++)
		memset(m->threads[t].core, 0, sizeof(m->threads[t].core));
	m->warned_cores_off = false;
	if (m->vf) {
		/* the kernel PF driver did the global init and gave this VF its queues */
		uint64_t n = m->p.vf_queues;

		m->mem_ready = true;
		m->own_sqc_vft = ((uint64_t)HZM_VF_QUEUE_BASE << HZM_SQC_VFT_BASE_SHIFT) |
				 HZM_SQC_VFT_VALID | ((n - 1) << HZM_SQC_VFT_NUM_SHIFT);
		m->own_cqc_vft = HZM_CQC_VFT_VALID;
		m->clock_gate = HZM_ZIP_DECOMP_CHECK_ENABLE | HZM_ZIP_COMP_CORE_MASK |
				HZM_ZIP_DECOMP_CORE_MASK;
	} else {
		/* FLR does not undo memory init ([8.3]: the FLR path skips MEM_START_INIT) */
		if (!keep_mem_init) {
			m->mem_ready = false;
			m->mem_init_started = false;
		}
		memset(m->vft, 0, sizeof(m->vft));
		m->own_sqc_vft = 0;
		m->own_cqc_vft = 0;
		m->clock_gate = 0;
	}
	update_own_range(m);
	hzm_mbox_reset(m);
	__atomic_store_n(&m->gate, hzm_bus_master(m) ? 0 : HZM_GATE_NO_MASTER,
			 __ATOMIC_RELEASE);
}

/* ---- create / destroy -------------------------------------------------------------- */

static void
timing_init(struct hzip_model *m)
{
	/*
	 * Latency of a request of n bytes: half fixed, half proportional, so that
	 * an 8 KiB request takes lat_us at queue depth 1 [14]. Bandwidth: one
	 * device-wide clock advanced by n / gbps per request.
	 */
	m->timing = m->p.timing;
	m->lat_ns_fixed = m->p.lat_us * 1000.0 / 2.0;
	m->lat_ns_per_byte = m->p.lat_us * 1000.0 / 2.0 / 8192.0;
	m->bw_ns_per_byte = 1.0 / m->p.gbps;
	m->bw_next_ns = 0;
}

int
hzip_model_create(const struct hzip_model_params *p, struct hzip_model **mp)
{
	struct hzm_zip_cfg zcfg;
	struct hzip_model *m;
	int ret;

	if (p == NULL || mp == NULL)
		return -EINVAL;
	if (p->engines < 1 || p->engines > HZM_MAX_ENGINES ||
	    (p->engine != HZIP_MODEL_ENGINE_REAL && p->engine != HZIP_MODEL_ENGINE_STORE) ||
	    (p->vf && (p->vf_queues < 1 ||
		       p->vf_queues > HZM_QM_TOTAL_QUEUES - HZM_VF_QUEUE_BASE)) ||
	    (p->timing && (!(p->lat_us > 0) || !(p->gbps > 0))) ||
	    (p->stateless_end != 0x00 && p->stateless_end != 0x13))
		return -EINVAL;
	m = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*m), RTE_CACHE_LINE_SIZE));
	if (m == NULL)
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	m->p = *p;
	m->p.trace_path[sizeof(m->p.trace_path) - 1] = '\0';
	m->vf = p->vf;
	m->bar2_size = m->vf ? HZM_VF_BAR2_SIZE : HZM_PF_BAR2_SIZE;
	m->created_ns = hzm_now_ns();
	snprintf(m->name, sizeof(m->name), "hzm%u%s",
		 __atomic_fetch_add(&hzm_instances, 1, __ATOMIC_RELAXED), m->vf ? "-vf" : "");
	pthread_mutex_init(&m->reg_lock, NULL);
	pthread_mutex_init(&m->trace_lock, NULL);
	pthread_mutex_init(&m->ev_lock, NULL);
	pthread_mutex_init(&m->irq_lock, NULL);
	pthread_mutex_init(&m->fault_lock, NULL);
	for (unsigned int i = 0; i < HZM_PF_NVEC; i++)
		m->efd[i] = -1;
	ret = -ENOMEM;
	m->regval = calloc(HZM_NREGS, sizeof(*m->regval));
	m->sqs = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*m->sqs) * HZM_MAX_QUEUES);
	m->cqs = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*m->cqs) * HZM_MAX_QUEUES);
	if (m->regval == NULL || m->sqs == NULL || m->cqs == NULL)
		goto fail;
	memset(m->sqs, 0, sizeof(*m->sqs) * HZM_MAX_QUEUES);
	memset(m->cqs, 0, sizeof(*m->cqs) * HZM_MAX_QUEUES);
	ret = hzm_iommu_create(&m->mmu);
	if (ret < 0)
		goto fail;
	memset(&zcfg, 0, sizeof(zcfg));
	zcfg.mode = p->engine;
	zcfg.stateless_end = p->stateless_end;
	ret = hzm_zip_create(&zcfg, &m->zip);
	if (ret < 0)
		goto fail;
	cfg_init(m);
	power_on_state(m, false);
	timing_init(m);
	hzm_fault_set(m, &p->faults);
	if (p->trace_path[0] != '\0') {
		ret = hzm_trace_open(m, m->p.trace_path);
		if (ret < 0)
			goto fail;
	}
	ret = hzm_engines_start(m);
	if (ret < 0)
		goto fail;
	HZM_LOG(INFO, m, "created %s %04x:%04x rev %02x, BAR2 %" PRIu64 " KiB, engine %s x%u%s",
		m->vf ? "VF" : "PF", HZM_PCI_VENDOR_HUAWEI,
		m->vf ? HZM_PCI_DEVICE_ZIP_VF : HZM_PCI_DEVICE_ZIP_PF, HZM_PCI_REVISION_V2,
		m->bar2_size >> 10, p->engine == HZIP_MODEL_ENGINE_STORE ? "store" : "real",
		p->engines, p->timing ? ", timing model on" : "");
	*mp = m;
	return 0;
fail:
	hzm_trace_close(m);
	if (m->zip != NULL)
		hzm_zip_destroy(m->zip);
	if (m->mmu != NULL)
		hzm_iommu_destroy(m->mmu);
	free(m->regval);
	free(m->sqs);
	free(m->cqs);
	pthread_mutex_destroy(&m->reg_lock);
	pthread_mutex_destroy(&m->trace_lock);
	pthread_mutex_destroy(&m->ev_lock);
	pthread_mutex_destroy(&m->irq_lock);
	pthread_mutex_destroy(&m->fault_lock);
	free(m);
	return ret;
}

void
hzip_model_destroy(struct hzip_model *m)
{
	if (m == NULL)
		return;
	hzm_engines_stop(m);
	hzip_model_irq_disable(m);
	hzm_trace_note(m, "EV destroy");
	hzm_trace_close(m);
	for (unsigned int q = 0; q < HZM_MAX_QUEUES; q++)
		free(m->sqs[q].slots);
	hzm_zip_destroy(m->zip);
	hzm_iommu_destroy(m->mmu);
	free(m->regval);
	free(m->sqs);
	free(m->cqs);
	pthread_mutex_destroy(&m->reg_lock);
	pthread_mutex_destroy(&m->trace_lock);
	pthread_mutex_destroy(&m->ev_lock);
	pthread_mutex_destroy(&m->irq_lock);
	pthread_mutex_destroy(&m->fault_lock);
	free(m);
}

/* ---- identity, BARs, IOMMU, interrupts, reset, stats ------------------------------- */

uint16_t
hzip_model_vendor_id(const struct hzip_model *m)
{
	(void)m;
	return HZM_PCI_VENDOR_HUAWEI;
}

uint16_t
hzip_model_device_id(const struct hzip_model *m)
{
	return m != NULL && m->vf ? HZM_PCI_DEVICE_ZIP_VF : HZM_PCI_DEVICE_ZIP_PF;
}

uint8_t
hzip_model_revision(const struct hzip_model *m)
{
	(void)m;
	return HZM_PCI_REVISION_V2;
}

uint64_t
hzip_model_bar_size(const struct hzip_model *m, unsigned int bar)
{
	if (m == NULL || bar != 2)
		return 0;
	return m->bar2_size;
}

int
hzip_model_dma_map(struct hzip_model *m, uint64_t va, uint64_t iova, uint64_t len)
{
	if (m == NULL)
		return -EINVAL;
	return hzm_iommu_map(m->mmu, va, iova, len);
}

int
hzip_model_dma_unmap(struct hzip_model *m, uint64_t iova, uint64_t len)
{
	if (m == NULL)
		return -EINVAL;
	return hzm_iommu_unmap(m->mmu, iova, len);
}

int
hzip_model_irq_enable(struct hzip_model *m, unsigned int nvec, int *efds)
{
	unsigned int max;
	int fds[HZM_PF_NVEC];

	if (m == NULL || efds == NULL)
		return -EINVAL;
	max = m->vf ? HZM_VF_NVEC : HZM_PF_NVEC;
	if (nvec == 0 || nvec > max)
		return -EINVAL;
	hzip_model_irq_disable(m);
	for (unsigned int i = 0; i < nvec; i++) {
		fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (fds[i] < 0) {
			int ret = -errno;

			while (i-- > 0)
				close(fds[i]);
			return ret;
		}
	}
	pthread_mutex_lock(&m->irq_lock);
	for (unsigned int i = 0; i < nvec; i++) {
		m->efd[i] = fds[i];
		efds[i] = fds[i];
	}
	m->nvec = nvec;
	pthread_mutex_unlock(&m->irq_lock);
	/*
	 * As VFIO_DEVICE_SET_IRQS through msi_capability_init(): every vector
	 * masked, then the ones set up unmasked
	 */
	pthread_mutex_lock(&m->reg_lock);
	cfg_put32(m->cfg, HZM_CFG_MSI_MASK, 0);
	msi_mask_set(m, 0);
	pthread_mutex_unlock(&m->reg_lock);
	hzm_trace_note(m, "EV MSI enabled: %u vectors", nvec);
	return 0;
}

void
hzip_model_irq_disable(struct hzip_model *m)
{
	int fds[HZM_PF_NVEC];
	unsigned int n;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->irq_lock);
	n = m->nvec;
	for (unsigned int i = 0; i < n; i++) {
		fds[i] = m->efd[i];
		m->efd[i] = -1;
	}
	m->nvec = 0;
	pthread_mutex_unlock(&m->irq_lock);
	for (unsigned int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int
hzip_model_reset(struct hzip_model *m)
{
	uint8_t saved[HZM_CFG_SIZE];

	if (m == NULL)
		return -EINVAL;
	pthread_mutex_lock(&m->reg_lock);
	hzm_engines_pause(m);
	/*
	 * The function's config space returns to its power-on values, and then
	 * gets its writable registers back as vfio-pci does around a reset
	 * (pci_try_reset_function(): save, reset, pci_restore_state()): the
	 * command register (bus mastering too), BAR2, MSI, device control.
	 */
	memcpy(saved, m->cfg, sizeof(saved));
	cfg_init(m);
	cfg_restore(m, saved);
	/*
	 * The reset drops held messages. The mask bits are not the saved ones:
	 * pci_restore_state() writes the kernel's own copy of the mask
	 * (__pci_restore_msi_state(): pci_msi_update_mask(entry, 0, 0)), which
	 * raw config writes (vfio-pci passes them through, qm_set_msi() makes
	 * them) never update: all vectors unmasked.
	 */
	cfg_put32(m->cfg, HZM_CFG_MSI_MASK, 0);
	pthread_mutex_lock(&m->irq_lock);
	m->msi_pending = 0;
	m->msi_mask = 0;
	pthread_mutex_unlock(&m->irq_lock);
	hzm_trace_note(m, "CFG restored after the reset: command 0x%04x",
		       cfg_get16(m->cfg, HZM_CFG_COMMAND));
	power_on_state(m, true);
	/* the ZIP engine keeps no stream state: it is all in context buffers */
	__atomic_fetch_add(&m->resets, 1, __ATOMIC_RELAXED);
	hzm_trace_note(m, "EV function reset: power-on state (IOMMU mappings kept)");
	hzm_engines_resume(m);
	if (m->trace != NULL) {
		pthread_mutex_lock(&m->trace_lock);
		fflush(m->trace);
		pthread_mutex_unlock(&m->trace_lock);
	}
	pthread_mutex_unlock(&m->reg_lock);
	HZM_LOG(INFO, m, "function-level reset");
	return 0;
}

void
hzip_model_inject(struct hzip_model *m, const struct hzip_model_faults *f)
{
	if (m == NULL || f == NULL)
		return;
	hzm_fault_set(m, f);
	/* a stall or an ECC error waits for a request: nothing to wake here */
}

void
hzip_model_stats_get(const struct hzip_model *m, struct hzip_model_stats *s)
{
	if (m == NULL || s == NULL)
		return;
	memset(s, 0, sizeof(*s));
	for (unsigned int t = 0; t < m->nthreads; t++) {
		s->requests += __atomic_load_n(&m->threads[t].requests, __ATOMIC_RELAXED);
		s->bytes_in += __atomic_load_n(&m->threads[t].bytes_in, __ATOMIC_RELAXED);
		s->bytes_out += __atomic_load_n(&m->threads[t].bytes_out, __ATOMIC_RELAXED);
	}
	s->doorbells = total_doorbells(m);
	s->mailbox_cmds = __atomic_load_n(&m->mailbox_cmds, __ATOMIC_RELAXED);
	s->iommu_faults = hzm_iommu_fault_count(m->mmu);
	s->driver_errors = __atomic_load_n(&m->driver_errors, __ATOMIC_RELAXED);
	s->faults_injected = __atomic_load_n(&m->faults_injected, __ATOMIC_RELAXED);
	s->resets = __atomic_load_n(&m->resets, __ATOMIC_RELAXED);
}
