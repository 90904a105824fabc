/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mailbox at BAR2 + 0x300 [4] and the context commands it carries
 * (SQC, CQC, EQC, AEQC, SQC_BT, CQC_BT, SQC_VFT), plus the SQC/CQC cache
 * write-back (CACHE_WB_START/DONE).
 *
 * Write protocol: the 16 bytes may arrive as one 128-bit store, as two
 * 64-bit stores or as 32-bit stores, in any order; the command runs when
 * all 16 bytes have been written since the last command and the latched
 * busy bit (w0[13]) is set [4.3 model notes]. It runs synchronously; every
 * DMA it does is complete before busy clears. Busy reads as 1 on the first
 * read of w0 after the command (the command "takes" until the driver
 * looks), so a driver that does not poll before reading results or
 * writing the next command is caught: a write while busy is ignored and
 * counted as a driver error.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hzm_private.h"

static const char *const mb_cmd_names[] = {
	[HZM_MB_CMD_SQC] = "SQC", [HZM_MB_CMD_CQC] = "CQC", [HZM_MB_CMD_EQC] = "EQC",
	[HZM_MB_CMD_AEQC] = "AEQC", [HZM_MB_CMD_SQC_BT] = "SQC_BT",
	[HZM_MB_CMD_CQC_BT] = "CQC_BT", [HZM_MB_CMD_SQC_VFT] = "SQC_VFT",
};

static const char *const mb_status_names[] = {
	[HZM_MB_ST_OK] = "ok", [HZM_MB_ST_BAD_QUEUE] = "bad queue number",
	[HZM_MB_ST_DMA_FAULT] = "DMA fault", [HZM_MB_ST_BAD_CMD] = "unknown command",
	[HZM_MB_ST_NO_BT] = "BT not set", [HZM_MB_ST_NOT_READY] = "device not ready",
	[HZM_MB_ST_BAD_CTX] = "invalid context",
};

static const char *
cmd_name(unsigned int cmd)
{
	if (cmd < RTE_DIM(mb_cmd_names) && mb_cmd_names[cmd] != NULL)
		return mb_cmd_names[cmd];
	return "?";
}

/* DMA through the IOMMU, bracketed. @return 0 or -EFAULT. */
static int
ctx_read(struct hzip_model *m, uint64_t iova, void *buf, uint64_t len)
{
	int ret;

	hzm_iommu_begin(m->mmu);
	ret = hzm_dma_read(m->mmu, iova, buf, len);
	hzm_iommu_end(m->mmu);
	if (ret < 0)
		hzm_raise_abnormal(m, HZM_QM_AXI_RRESP, 0);
	return ret;
}

static int
ctx_write(struct hzip_model *m, uint64_t iova, const void *buf, uint64_t len)
{
	int ret;

	hzm_iommu_begin(m->mmu);
	ret = hzm_dma_write(m->mmu, iova, buf, len);
	hzm_iommu_end(m->mmu);
	if (ret < 0)
		hzm_raise_abnormal(m, HZM_QM_AXI_BRESP, 0);
	return ret;
}

/* ---- SQC / CQC ---------------------------------------------------------------- */

static unsigned int
sqc_write(struct hzip_model *m, uint16_t qn, uint64_t base, char *why, size_t wlen,
	  uint32_t cache_ctl)
{
	struct hzm_sqc c;
	struct hzm_sq *sq;
	unsigned int depth, esize, type;
	uint32_t qnum = hzm_qnum(m);

	if (qn >= qnum) {
		snprintf(why, wlen, "queue %u outside this function's %u queues", qn, qnum);
		return HZM_MB_ST_BAD_QUEUE;
	}
	if (m->sqc_bt == 0) {
		snprintf(why, wlen, "SQC before SQC_BT");
		return HZM_MB_ST_NO_BT;
	}
	if (ctx_read(m, base, &c, sizeof(c)) < 0) {
		snprintf(why, wlen, "SQC at 0x%" PRIx64 " is not mapped", base);
		return HZM_MB_ST_DMA_FAULT;
	}
	depth = (c.dw3 & HZM_QC_DEPTH_MASK) + 1;
	esize = (c.dw3 >> HZM_QC_ESIZE_SHIFT) & HZM_QC_ESIZE_MASK;
	type = (c.w13 >> HZM_SQC_TYPE_SHIFT) & HZM_SQC_TYPE_MASK;
	if (depth < 2 || depth > HZM_QM_MAX_DEPTH) {
		snprintf(why, wlen, "SQ depth %u (dw3[11:0] = depth - 1) outside 2..%u", depth,
			 HZM_QM_MAX_DEPTH);
		return HZM_MB_ST_BAD_CTX;
	}
	if (esize != HZM_SQE_SIZE_LOG2) {
		snprintf(why, wlen, "SQE size log2 %u in dw3[15:12], the ZIP SQE needs 7", esize);
		return HZM_MB_ST_BAD_CTX;
	}
	if (type != HZM_SQC_TYPE_COMP && type != HZM_SQC_TYPE_DECOMP) {
		snprintf(why, wlen, "SQC type %u in w13[11:8]: ZIP has 0 (compress) and 1 "
			 "(decompress)", type);
		return HZM_MB_ST_BAD_CTX;
	}
	if (c.cq_num >= qnum) {
		snprintf(why, wlen, "cq_num %u outside this function's %u queues", c.cq_num, qnum);
		return HZM_MB_ST_BAD_CTX;
	}
	if (c.head >= depth || c.tail >= depth) {
		snprintf(why, wlen, "head %u / tail %u beyond depth %u", c.head, c.tail, depth);
		return HZM_MB_ST_BAD_CTX;
	}
	if ((c.base_l == 0 && c.base_h == 0) || (c.base_l & (HZM_SQE_SIZE - 1)) != 0) {
		/* the kernel's hisi_qm_start_qp(): "sq need 128 bytes alignment" */
		snprintf(why, wlen, "SQ base 0x%" PRIx64 " null or not %u-byte aligned",
			 ((uint64_t)c.base_h << 32) | c.base_l, HZM_SQE_SIZE);
		return HZM_MB_ST_BAD_CTX;
	}
	sq = &m->sqs[qn];
	if (sq->slots == NULL) {
		sq->slots = calloc(HZM_QM_MAX_DEPTH, sizeof(*sq->slots));
		if (sq->slots == NULL) {
			snprintf(why, wlen, "out of memory");
			return HZM_MB_ST_NOT_READY;
		}
	}
	if (!(cache_ctl & HZM_CACHE_CTL_SQC_CACHE) &&
	    ctx_write(m, m->sqc_bt + (uint64_t)qn * HZM_XQC_SIZE, &c, sizeof(c)) < 0) {
		snprintf(why, wlen, "SQC array (SQC_BT) at 0x%" PRIx64 " is not mapped",
			 m->sqc_bt + (uint64_t)qn * HZM_XQC_SIZE);
		return HZM_MB_ST_DMA_FAULT;
	}
	hzm_engines_pause(m);
	if (sq->valid && (sq->exec & 0xffff) != (sq->db_tail & 0xffff))
		HZM_DRV_ERR(m, "SQC %u rewritten while %u SQEs were not fetched yet: they are "
			    "lost", qn, ((sq->db_tail & 0xffff) + sq->depth -
					 (sq->exec & 0xffff)) % sq->depth);
	hzm_sq_forget(m, sq);
	sq->qn = qn;
	sq->depth = (uint16_t)depth;
	sq->rand = c.w8;
	sq->cqn = c.cq_num;
	sq->type = (uint8_t)type;
	sq->w13 = c.w13;
	sq->pasid = c.pasid;
	sq->thread = (uint8_t)(c.cq_num % m->nthreads);
	sq->base = ((uint64_t)c.base_h << 32) | c.base_l;
	sq->exec = c.head | ((c.w11 & HZM_QC_HEAD_WRAP) ? 1u << 16 : 0);
	__atomic_store_n(&sq->done, sq->exec, __ATOMIC_RELEASE);
	sq->done_seen = sq->exec;
	__atomic_store_n(&sq->db_tail, c.tail | ((c.w11 & HZM_QC_TAIL_WRAP) ? 1u << 16 : 0),
			 __ATOMIC_RELEASE);
	sq->broken = false;
	sq->cq_wait = false;
	memset(sq->slots, 0, HZM_QM_MAX_DEPTH * sizeof(*sq->slots));
	__atomic_store_n(&sq->valid, 1, __ATOMIC_RELEASE);
	hzm_engines_resume(m);
	snprintf(why, wlen, "depth=%u type=%s cq=%u rand=0x%04x base=0x%" PRIx64, depth,
		 type == HZM_SQC_TYPE_COMP ? "compress" : "decompress", c.cq_num, c.w8, sq->base);
	if (c.head != c.tail)
		hzm_sq_kick(m, sq);	/* a restored context with work in it */
	return HZM_MB_ST_OK;
}

static unsigned int
cqc_write(struct hzip_model *m, uint16_t qn, uint64_t base, char *why, size_t wlen,
	  uint32_t cache_ctl)
{
	struct hzm_cqc c;
	struct hzm_cq *cq;
	unsigned int depth, esize;
	uint64_t ring;
	uint32_t qnum = hzm_qnum(m);

	if (qn >= qnum) {
		snprintf(why, wlen, "queue %u outside this function's %u queues", qn, qnum);
		return HZM_MB_ST_BAD_QUEUE;
	}
	if (m->cqc_bt == 0) {
		snprintf(why, wlen, "CQC before CQC_BT");
		return HZM_MB_ST_NO_BT;
	}
	if (ctx_read(m, base, &c, sizeof(c)) < 0) {
		snprintf(why, wlen, "CQC at 0x%" PRIx64 " is not mapped", base);
		return HZM_MB_ST_DMA_FAULT;
	}
	depth = (c.dw3 & HZM_QC_DEPTH_MASK) + 1;
	esize = (c.dw3 >> HZM_QC_ESIZE_SHIFT) & HZM_QC_ESIZE_MASK;
	ring = ((uint64_t)c.base_h << 32) | c.base_l;
	if (depth < 2 || depth > HZM_QM_MAX_DEPTH) {
		snprintf(why, wlen, "CQ depth %u (dw3[11:0] = depth - 1) outside 2..%u", depth,
			 HZM_QM_MAX_DEPTH);
		return HZM_MB_ST_BAD_CTX;
	}
	if (esize != HZM_CQE_SIZE_LOG2) {
		snprintf(why, wlen, "CQE size log2 %u in dw3[15:12], must be 4", esize);
		return HZM_MB_ST_BAD_CTX;
	}
	if (ring == 0 || (ring & (HZM_CQE_SIZE - 1)) != 0) {
		snprintf(why, wlen, "CQ base 0x%" PRIx64 " not 16-byte aligned", ring);
		return HZM_MB_ST_BAD_CTX;
	}
	if (c.head >= depth || c.tail >= depth) {
		snprintf(why, wlen, "head %u / tail %u beyond depth %u", c.head, c.tail, depth);
		return HZM_MB_ST_BAD_CTX;
	}
	if (!(cache_ctl & HZM_CACHE_CTL_CQC_CACHE) &&
	    ctx_write(m, m->cqc_bt + (uint64_t)qn * HZM_XQC_SIZE, &c, sizeof(c)) < 0) {
		snprintf(why, wlen, "CQC array (CQC_BT) at 0x%" PRIx64 " is not mapped",
			 m->cqc_bt + (uint64_t)qn * HZM_XQC_SIZE);
		return HZM_MB_ST_DMA_FAULT;
	}
	hzm_engines_pause(m);
	cq = &m->cqs[qn];
	cq->depth = (uint16_t)depth;
	cq->rand = c.w8;
	cq->base = ring;
	cq->pasid = c.pasid;
	cq->thread = (uint8_t)(qn % m->nthreads);
	__atomic_store_n(&cq->head, c.head | ((c.w11 & HZM_QC_HEAD_WRAP) ? 1u << 16 : 0),
			 __ATOMIC_RELEASE);
	__atomic_store_n(&cq->tail, c.tail | ((c.w11 & HZM_QC_TAIL_WRAP) ? 1u << 16 : 0),
			 __ATOMIC_RELEASE);
	cq->phase = c.dw6 & HZM_CQC_PHASE;
	__atomic_store_n(&cq->c_flag, (c.dw6 & HZM_CQC_C_FLAG) ? 1 : 0, __ATOMIC_RELEASE);
	cq->dw6_rsvd = c.dw6 & ~(HZM_CQC_PHASE | HZM_CQC_C_FLAG);
	cq->overflow = false;
	__atomic_store_n(&cq->valid, 1, __ATOMIC_RELEASE);
	hzm_engines_resume(m);
	hzm_engines_rescan(m);	/* SQs may have waited for this CQ */
	snprintf(why, wlen, "depth=%u phase=%u c_flag=%u rand=0x%04x base=0x%" PRIx64, depth,
		 c.dw6 & HZM_CQC_PHASE, (c.dw6 & HZM_CQC_C_FLAG) ? 1 : 0, c.w8, ring);
	return HZM_MB_ST_OK;
}

static unsigned int
xqc_read(struct hzip_model *m, unsigned int cmd, uint16_t qn, uint64_t base, char *why,
	 size_t wlen)
{
	uint32_t qnum = hzm_qnum(m);
	union {
		struct hzm_sqc s;
		struct hzm_cqc c;
	} u;

	if (qn >= qnum) {
		snprintf(why, wlen, "queue %u outside this function's %u queues", qn, qnum);
		return HZM_MB_ST_BAD_QUEUE;
	}
	if ((cmd == HZM_MB_CMD_SQC ? m->sqc_bt : m->cqc_bt) == 0) {
		snprintf(why, wlen, "%s read before %s_BT", cmd_name(cmd), cmd_name(cmd));
		return HZM_MB_ST_NO_BT;
	}
	if (cmd == HZM_MB_CMD_SQC)
		hzm_sqc_snapshot(m, qn, &u.s);
	else
		hzm_cqc_snapshot(m, qn, &u.c);
	if (ctx_write(m, base, &u, sizeof(u)) < 0) {
		snprintf(why, wlen, "buffer 0x%" PRIx64 " is not mapped", base);
		return HZM_MB_ST_DMA_FAULT;
	}
	if (cmd == HZM_MB_CMD_SQC)
		snprintf(why, wlen, "head=%u tail=%u w11=0x%04x", u.s.head, u.s.tail, u.s.w11);
	else
		snprintf(why, wlen, "head=%u tail=%u w11=0x%04x dw6=0x%x", u.c.head, u.c.tail,
			 u.c.w11, u.c.dw6);
	return HZM_MB_ST_OK;
}

/* ---- EQC / AEQC ------------------------------------------------------------------ */

static unsigned int
eqc_cmd(struct hzip_model *m, unsigned int cmd, bool rd, uint16_t qn, uint64_t base, char *why,
	size_t wlen)
{
	struct hzm_eq *eq = cmd == HZM_MB_CMD_EQC ? &m->eq : &m->aeq;
	struct hzm_eqc c;
	unsigned int depth;
	uint64_t ring;

	if (qn != 0) {
		snprintf(why, wlen, "%s is queue 0, got %u", cmd_name(cmd), qn);
		return HZM_MB_ST_BAD_QUEUE;
	}
	if (rd) {
		pthread_mutex_lock(&m->ev_lock);
		hzm_eqc_snapshot(eq, &c);
		pthread_mutex_unlock(&m->ev_lock);
		if (ctx_write(m, base, &c, sizeof(c)) < 0) {
			snprintf(why, wlen, "buffer 0x%" PRIx64 " is not mapped", base);
			return HZM_MB_ST_DMA_FAULT;
		}
		snprintf(why, wlen, "head=%u tail=%u dw6=0x%x", c.head, c.tail, c.dw6);
		return HZM_MB_ST_OK;
	}
	if (ctx_read(m, base, &c, sizeof(c)) < 0) {
		snprintf(why, wlen, "%s at 0x%" PRIx64 " is not mapped", cmd_name(cmd), base);
		return HZM_MB_ST_DMA_FAULT;
	}
	depth = (c.dw6 & HZM_EQC_DEPTH_MASK) + 1;
	ring = ((uint64_t)c.base_h << 32) | c.base_l;
	if (depth < 2) {
		snprintf(why, wlen, "depth %u (dw6[15:0] = depth - 1) too small", depth);
		return HZM_MB_ST_BAD_CTX;
	}
	if (ring == 0 || (ring & (HZM_EQE_SIZE - 1)) != 0) {
		snprintf(why, wlen, "ring base 0x%" PRIx64 " not 4-byte aligned", ring);
		return HZM_MB_ST_BAD_CTX;
	}
	if (c.head >= depth || c.tail >= depth) {
		snprintf(why, wlen, "head %u / tail %u beyond depth %u", c.head, c.tail, depth);
		return HZM_MB_ST_BAD_CTX;
	}
	pthread_mutex_lock(&m->ev_lock);
	eq->depth = (uint16_t)(depth > UINT16_MAX ? 0 : depth);
	eq->base = ring;
	eq->head = c.head;
	eq->tail = c.tail;
	eq->phase = (c.dw6 & HZM_EQC_PHASE) ? 1 : 0;
	eq->dw3 = c.dw3;
	eq->overflow = false;
	eq->valid = eq->depth != 0;
	pthread_mutex_unlock(&m->ev_lock);
	if (!eq->valid) {
		snprintf(why, wlen, "depth 65536 not supported");
		return HZM_MB_ST_BAD_CTX;
	}
	snprintf(why, wlen, "depth=%u phase=%u base=0x%" PRIx64, depth, eq->phase, ring);
	return HZM_MB_ST_OK;
}

/* ---- command dispatch ------------------------------------------------------------- */

static void
mb_exec(struct hzip_model *m, struct hzm_mailbox *mb)
{
	unsigned int cmd = mb->w0 & HZM_MB_CMD_MASK;
	bool rd = (mb->w0 & HZM_MB_OP_READ) != 0;
	uint16_t qn = mb->queue;
	uint64_t base = ((uint64_t)mb->base_h << 32) | mb->base_l;
	uint64_t result = base;
	uint32_t cache_ctl = 0;
	unsigned int st = HZM_MB_ST_OK;
	char why[160] = "";

	__atomic_fetch_add(&m->mailbox_cmds, 1, __ATOMIC_RELAXED);
	if (!m->vf) {
		/* CACHE_CTL bit0/bit1: SQC/CQC cache; without it, contexts are written through */
		cache_ctl = hzm_reg_value(m, HZM_CACHE_CTL);
	} else {
		/* the PF's kernel driver enabled the caches (0x1833 [9.3 step 11]) */
		cache_ctl = HZM_CACHE_CTL_SQC_CACHE | HZM_CACHE_CTL_CQC_CACHE;
	}
	if (!hzm_mem_ready(m)) {
		st = HZM_MB_ST_NOT_READY;
		snprintf(why, sizeof(why), "memory init not done (MEM_START_INIT, poll "
			 "MEM_INIT_DONE)");
		goto out;
	}
	if (!hzm_bus_master(m) && cmd <= HZM_MB_CMD_AEQC) {
		st = HZM_MB_ST_NOT_READY;
		snprintf(why, sizeof(why), "bus mastering is off: no DMA");
		goto out;
	}
	switch (cmd) {
	case HZM_MB_CMD_SQC:
		st = rd ? xqc_read(m, cmd, qn, base, why, sizeof(why)) :
			  sqc_write(m, qn, base, why, sizeof(why), cache_ctl);
		break;
	case HZM_MB_CMD_CQC:
		st = rd ? xqc_read(m, cmd, qn, base, why, sizeof(why)) :
			  cqc_write(m, qn, base, why, sizeof(why), cache_ctl);
		break;
	case HZM_MB_CMD_EQC:
	case HZM_MB_CMD_AEQC:
		st = eqc_cmd(m, cmd, rd, qn, base, why, sizeof(why));
		break;
	case HZM_MB_CMD_SQC_BT:
	case HZM_MB_CMD_CQC_BT: {
		uint64_t *bt = cmd == HZM_MB_CMD_SQC_BT ? &m->sqc_bt : &m->cqc_bt;

		if (rd) {
			result = *bt;
			snprintf(why, sizeof(why), "-> 0x%" PRIx64, result);
		} else if (base == 0 || (base & (HZM_XQC_SIZE - 1)) != 0) {
			st = HZM_MB_ST_BAD_CTX;
			snprintf(why, sizeof(why), "array 0x%" PRIx64 " not 32-byte aligned", base);
		} else {
			*bt = base;
		}
		break;
	}
	case HZM_MB_CMD_SQC_VFT:
		if (!rd) {
			st = HZM_MB_ST_BAD_CMD;
			snprintf(why, sizeof(why), "SQC_VFT is read-only (op = 1)");
		} else {
			result = m->own_sqc_vft;
			snprintf(why, sizeof(why), "-> 0x%016" PRIx64 " (base=%u count=%u)", result,
				 __atomic_load_n(&m->qbase, __ATOMIC_RELAXED), hzm_qnum(m));
		}
		break;
	default:
		st = HZM_MB_ST_BAD_CMD;
		snprintf(why, sizeof(why), "command 0x%x does not exist on v2", cmd);
		break;
	}
out:
	if (st != HZM_MB_ST_OK)
		HZM_DRV_ERR(m, "mailbox %s(%u) %s qn=%u: %s (status %u)", cmd_name(cmd), cmd,
			    rd ? "read" : "write", qn, why, st);
	hzm_trace_note(m, "MB cmd=%s(%u) op=%s qn=%u base=0x%" PRIx64 " status=%u%s%s%s",
		       cmd_name(cmd), cmd, rd ? "read" : "write", qn, base, st,
		       st ? " (" : "", st ? mb_status_names[st] : "", st ? ")" : "");
	if (st == HZM_MB_ST_OK && why[0] != '\0')
		hzm_trace_note(m, "MB   %s", why);
	mb->w0 = (uint16_t)((mb->w0 & ~(HZM_MB_BUSY | HZM_MB_STATUS_MASK)) |
			    (st << HZM_MB_STATUS_SHIFT));
	mb->base_l = (uint32_t)result;
	mb->base_h = (uint32_t)(result >> 32);
}

void
hzm_mbox_write(struct hzip_model *m, uint64_t off, const void *buf, unsigned int len)
{
	struct hzm_mbox_state *s = &m->mb;
	unsigned int rel = (unsigned int)(off - HZM_MAILBOX);
	struct hzm_mailbox mb;

	if (s->busy_once) {
		HZM_DRV_ERR(m, "mailbox write at 0x%" PRIx64 " while busy (poll w0[13] until 0 "
			    "before writing [4.3]): ignored", off);
		return;
	}
	memcpy(s->latch + rel, buf, len);
	/* the register holds what was written, busy bit included, until the command runs */
	memcpy(s->reg + rel, buf, len);
	for (unsigned int d = rel / 4; d < (rel + len) / 4; d++)
		s->written |= 1u << d;
	if (s->written != 0xf)
		return;
	s->written = 0;
	memcpy(&mb, s->latch, sizeof(mb));
	if (!(mb.w0 & HZM_MB_BUSY)) {
		HZM_DRV_ERR(m, "mailbox message written without the busy bit (w0[13]): no "
			    "command runs");
		memcpy(s->reg, s->latch, sizeof(s->reg));
		return;
	}
	mb_exec(m, &mb);
	memcpy(s->reg, &mb, sizeof(mb));
	s->busy_once = true;
}

void
hzm_mbox_read(struct hzip_model *m, uint64_t off, void *buf, unsigned int len)
{
	struct hzm_mbox_state *s = &m->mb;
	unsigned int rel = (unsigned int)(off - HZM_MAILBOX);
	uint8_t tmp[HZM_MAILBOX_SIZE];

	memcpy(tmp, s->reg, sizeof(tmp));
	if (rel == 0 && s->busy_once) {
		tmp[1] |= (uint8_t)(HZM_MB_BUSY >> 8);
		s->busy_once = false;
	}
	memcpy(buf, tmp + rel, len);
}

void
hzm_mbox_reset(struct hzip_model *m)
{
	memset(&m->mb, 0, sizeof(m->mb));
	m->sqc_bt = 0;
	m->cqc_bt = 0;
	hzm_engines_forget_all(m);
	for (unsigned int q = 0; q < HZM_MAX_QUEUES; q++) {
		struct hzm_sq *sq = &m->sqs[q];
		struct hzm_cq *cq = &m->cqs[q];
		struct hzm_slot *slots = sq->slots;
		uint64_t cdb = cq->doorbells;
		size_t dbo = offsetof(struct hzm_sq, doorbells), dbe = dbo + sizeof(sq->doorbells);

		/* all but the doorbell count, which idle engines read (hzm_thread.c) */
		memset(sq, 0, dbo);
		memset((uint8_t *)sq + dbe, 0, sizeof(*sq) - dbe);
		sq->slots = slots;
		memset(cq, 0, sizeof(*cq));
		cq->doorbells = cdb;
	}
	pthread_mutex_lock(&m->ev_lock);
	memset(&m->eq, 0, sizeof(m->eq));
	memset(&m->aeq, 0, sizeof(m->aeq));
	pthread_mutex_unlock(&m->ev_lock);
}

/* ---- cache write-back ------------------------------------------------------------- */

void
hzm_cache_writeback(struct hzip_model *m)
{
	unsigned int nsq = 0, ncq = 0, nerr = 0;
	uint32_t qnum = hzm_qnum(m);

	m->cache_wb_done = 0;
	m->cache_wb_pending_read = true;
	if (!hzm_bus_master(m)) {
		HZM_DRV_ERR(m, "CACHE_WB_START with bus mastering off: nothing written back");
		m->cache_wb_done = HZM_CACHE_WB_DONE_BIT;
		return;
	}
	for (uint32_t q = 0; q < qnum; q++) {
		if (m->sqc_bt != 0 && __atomic_load_n(&m->sqs[q].valid, __ATOMIC_ACQUIRE)) {
			struct hzm_sqc c;

			hzm_sqc_snapshot(m, (uint16_t)q, &c);
			if (ctx_write(m, m->sqc_bt + (uint64_t)q * HZM_XQC_SIZE, &c, sizeof(c)) < 0)
				nerr++;
			else
				nsq++;
		}
		if (m->cqc_bt != 0 && __atomic_load_n(&m->cqs[q].valid, __ATOMIC_ACQUIRE)) {
			struct hzm_cqc c;

			hzm_cqc_snapshot(m, (uint16_t)q, &c);
			if (ctx_write(m, m->cqc_bt + (uint64_t)q * HZM_XQC_SIZE, &c, sizeof(c)) < 0)
				nerr++;
			else
				ncq++;
		}
	}
	if (nerr > 0)
		HZM_LOG(ERR, m, "cache write-back: %u contexts could not be written (BT arrays "
			"not mapped)", nerr);
	hzm_trace_note(m, "EV cache write-back: %u SQC, %u CQC written, %u faults", nsq, ncq,
		       nerr);
	m->cache_wb_done = HZM_CACHE_WB_DONE_BIT;
}
