/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake ZIP function for unit tests of the driver: see hzip_fake.h.
 * Written from the hardware reference, like the driver, but as small as
 * the protocol checks need: no compression.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_common.h>

#include "wd_drv.h"

#include "hzip_fake.h"

struct hzf *hzf_last;
static pthread_mutex_t hzf_lock = PTHREAD_MUTEX_INITIALIZER;

#define PF_BAR_LEN (4u << 20)
#define VF_BAR_LEN (64u << 10)

static void
logit(struct hzf *f, char op, unsigned int width, uint64_t off, uint64_t lo, uint64_t hi)
{
	if (f->nlog < HZF_LOG_MAX)
		f->log[f->nlog++] = (struct hzf_access){ op, (uint8_t)width, off, lo, hi };
}

static unsigned int
fn_queues(const struct hzf *f)
{
	if (f->vf)
		return f->vf_num;
	if (!(f->vft_sqc & QM_SQC_VFT_VALID))
		return 0;
	return (unsigned int)((f->vft_sqc >> QM_SQC_VFT_NUM_SHIFT) & QM_SQC_VFT_NUM_MASK) + 1;
}

struct hzip_sqe *
hzf_sqe(struct hzf *f, unsigned int qn, uint16_t slot)
{
	struct hzf_queue *q = &f->q[qn];
	uint64_t base = q->sqc.base_l | ((uint64_t)q->sqc.base_h << 32);

	return (struct hzip_sqe *)(uintptr_t)(base + (uint64_t)slot * HZIP_SQE_SIZE);
}

static uint16_t
q_depth(const struct hzf_queue *q)
{
	return (uint16_t)((q->sqc.dw3 & QM_QC_DEPTH_MASK) + 1);
}

bool
hzf_exec_default(struct hzf *f, unsigned int qn, uint16_t slot, struct hzip_sqe *sqe)
{
	unsigned int type = (f->q[qn].sqc.w13 >> QM_SQC_TYPE_SHIFT) & 0xf;

	(void)slot;
	sqe->consumed = sqe->input_data_length;
	if (type == 0) {
		sqe->produced = RTE_MIN(16u, sqe->dest_avail_out);
		sqe->dw3 = HZIP_ST_OK;
	} else {
		sqe->produced = 0;
		sqe->dw3 = HZIP_ST_DECOMP_END | HZIP_LAST_BLOCK;
	}
	sqe->isize = sqe->input_data_length;
	sqe->checksum = 0x12345678;
	return true;
}

static void
post_event(struct hzf *f, unsigned int qn)
{
	uint32_t *eq = (uint32_t *)(uintptr_t)f->eq_base;
	uint64_t one = 1;

	if (eq == NULL || f->eq_depth == 0)
		return;
	__atomic_store_n(&eq[f->eq_tail], qn | ((uint32_t)f->eq_phase << 16), __ATOMIC_RELEASE);
	if (++f->eq_tail == f->eq_depth) {
		f->eq_tail = 0;
		f->eq_phase ^= 1;
	}
	if (f->nvec > 0 && f->efds[0] >= 0 && hzf_reg(f, QM_VF_EQ_INT_MASK) == 0) {
		if (write(f->efds[0], &one, sizeof(one)) == sizeof(one))
			f->msi_sent++;
	}
}

/* @p late: the phase word is left for the caller to store (*late_w7 at *late). */
static void
write_cqe_at(struct hzf *f, unsigned int qn, uint16_t sq_head, bool phase_ok,
	     volatile uint16_t **late, uint16_t *late_w7)
{
	struct hzf_queue *q = &f->q[qn];
	uint64_t base = q->cqc.base_l | ((uint64_t)q->cqc.base_h << 32);
	struct qm_cqe *cqe = (struct qm_cqe *)(uintptr_t)(base + (uint64_t)q->cq_tail * 16);
	uint8_t ph = phase_ok ? q->cq_phase : !q->cq_phase;

	cqe->sq_head = sq_head;
	cqe->sq_num = (uint16_t)qn;
	if (late != NULL) {
		*late = &cqe->w7;
		*late_w7 = ph;
	} else {
		__atomic_store_n(&cqe->w7, (uint16_t)ph, __ATOMIC_RELEASE);
	}
	if (++q->cq_tail == q_depth(q)) {
		q->cq_tail = 0;
		q->cq_phase ^= 1;
		q->cqc.w11 ^= QM_QC_TAIL_WRAP;
	}
	q->cqc.tail = q->cq_tail;
	if (q->cflag) {
		q->cflag = false;
		post_event(f, qn);
	}
}

static void
write_cqe(struct hzf *f, unsigned int qn, uint16_t sq_head, bool phase_ok)
{
	write_cqe_at(f, qn, sq_head, phase_ok, NULL, NULL);
}

static void
run_one(struct hzf *f, unsigned int qn, uint16_t slot, bool phase_ok)
{
	struct hzip_sqe *sqe = hzf_sqe(f, qn, slot);
	hzf_exec_t ex = f->exec != NULL ? f->exec : hzf_exec_default;

	if (!ex(f, qn, slot, sqe))
		return;
	f->q[qn].sqes_done++;
	write_cqe(f, qn, slot, phase_ok);
}

void
hzf_complete(struct hzf *f, unsigned int qn, uint16_t slot, bool phase_ok)
{
	pthread_mutex_lock(&hzf_lock);
	run_one(f, qn, slot, phase_ok);
	pthread_mutex_unlock(&hzf_lock);
}

void
hzf_complete_tail_first(struct hzf *f, unsigned int qn, uint16_t slot,
			volatile uint16_t **cqe_w7, uint16_t *w7)
{
	pthread_mutex_lock(&hzf_lock);
	if ((f->exec != NULL ? f->exec : hzf_exec_default)(f, qn, slot, hzf_sqe(f, qn, slot))) {
		f->q[qn].sqes_done++;
		write_cqe_at(f, qn, slot, true, cqe_w7, w7);
	}
	pthread_mutex_unlock(&hzf_lock);
}

void
hzf_post_cqe(struct hzf *f, unsigned int qn, uint16_t sq_head)
{
	pthread_mutex_lock(&hzf_lock);
	write_cqe(f, qn, sq_head, true);
	pthread_mutex_unlock(&hzf_lock);
}

void
hzf_complete_all(struct hzf *f, unsigned int qn)
{
	struct hzf_queue *q = &f->q[qn];

	pthread_mutex_lock(&hzf_lock);
	while (q->fetch != q->db_tail) {
		run_one(f, qn, q->fetch, true);
		q->fetch = (uint16_t)((q->fetch + 1) % q_depth(q));
	}
	pthread_mutex_unlock(&hzf_lock);
}

void
hzf_drop(struct hzf *f, unsigned int qn, uint16_t slot)
{
	(void)f;
	(void)qn;
	(void)slot;
	/* nothing to do: the SQE was taken by the doorbell and no CQE is written */
}

/* ---- mailbox -------------------------------------------------------------------- */

static void
mailbox(struct hzf *f, uint64_t lo, uint64_t hi)
{
	uint16_t w0 = (uint16_t)lo, qn = (uint16_t)(lo >> 16);
	uint64_t addr = (lo >> 32) | (hi << 32);
	uint8_t cmd = w0 & QM_MB_CMD_MASK;
	bool rd = (w0 & QM_MB_OP_READ) != 0;
	unsigned int status = 0;
	void *p = (void *)(uintptr_t)addr;

	f->mb_queue = qn;
	if (!(w0 & QM_MB_BUSY_BIT)) {
		f->bad_access++;
		return;
	}
	if (cmd < 16)
		f->mb_cmds[cmd]++;
	if ((int)cmd == f->mb_fail_cmd) {
		status = 1;
		goto done;
	}
	switch (cmd) {
	case QM_MB_CMD_SQC:
	case QM_MB_CMD_CQC:
		if (qn >= fn_queues(f) || f->sqc_bt == 0 || p == NULL) {
			status = 2;
			break;
		}
		if (cmd == QM_MB_CMD_SQC) {
			if (rd) {
				memcpy(p, &f->q[qn].sqc, 32);
			} else {
				memcpy(&f->q[qn].sqc, p, 32);
				f->q[qn].sqc_valid = true;
				f->q[qn].fetch = 0;
				f->q[qn].db_tail = 0;
				f->q[qn].sqes_done = 0;
			}
		} else {
			if (rd) {
				memcpy(p, &f->q[qn].cqc, 32);
			} else {
				memcpy(&f->q[qn].cqc, p, 32);
				f->q[qn].cqc_valid = true;
				f->q[qn].cq_tail = 0;
				f->q[qn].cq_phase = f->q[qn].cqc.dw6 & QM_CQC_PHASE;
				f->q[qn].cflag = (f->q[qn].cqc.dw6 & QM_CQC_CFLAG) != 0;
			}
		}
		break;
	case QM_MB_CMD_EQC:
	case QM_MB_CMD_AEQC: {
		struct qm_eqc *e = p;

		if (cmd == QM_MB_CMD_EQC) {
			f->eq_base = e->base_l | ((uint64_t)e->base_h << 32);
			f->eq_depth = (uint16_t)((e->dw6 & 0xffff) + 1);
			f->eq_tail = 0;
			f->eq_phase = (e->dw6 & QM_EQC_PHASE) != 0;
		} else {
			f->aeq_base = e->base_l | ((uint64_t)e->base_h << 32);
			f->aeq_depth = (uint16_t)((e->dw6 & 0xffff) + 1);
			f->aeq_tail = 0;
			f->aeq_phase = (e->dw6 & QM_EQC_PHASE) != 0;
		}
		break;
	}
	case QM_MB_CMD_SQC_BT:
		if (rd) {
			f->mb_data_l = (uint32_t)f->sqc_bt;
			f->mb_data_h = (uint32_t)(f->sqc_bt >> 32);
		} else {
			f->sqc_bt = addr;
		}
		break;
	case QM_MB_CMD_CQC_BT:
		if (rd) {
			f->mb_data_l = (uint32_t)f->cqc_bt;
			f->mb_data_h = (uint32_t)(f->cqc_bt >> 32);
		} else {
			f->cqc_bt = addr;
		}
		break;
	case QM_MB_CMD_SQC_VFT_V2: {
		uint64_t v = f->vf ? qm_sqc_vft(f->vf_base, f->vf_num) : f->vft_sqc;

		/* a VF whose VFT the PF has not (or no longer) marked valid */
		if (f->vf && f->vf_invalid)
			v &= ~QM_SQC_VFT_VALID;

		f->mb_data_l = (uint32_t)v;
		f->mb_data_h = (uint32_t)(v >> 32);
		break;
	}
	default:
		status = 3;
		break;
	}
done:
	f->mb_w0 = (uint16_t)((w0 & ~(QM_MB_STATUS_MASK << QM_MB_STATUS_SHIFT)) |
			      (status << QM_MB_STATUS_SHIFT));
	if (!f->mb_stuck)
		f->mb_w0 &= (uint16_t)~QM_MB_BUSY_BIT;
	f->mb_busy_left = f->mb_busy_reads;
}

/* ---- doorbells ---------------------------------------------------------------------- */

static void
doorbell(struct hzf *f, uint64_t off, uint64_t v)
{
	unsigned int qn = v & QM_DB_QN_MASK, cmd = (v >> QM_DB_CMD_SHIFT) & 0xf;
	uint16_t idx = (uint16_t)(v >> QM_DB_INDEX_SHIFT), prio = (uint16_t)(v >> 48);
	struct hzf_queue *q;

	if (off == QM_DB_EQAEQ_V2) {
		if (cmd == QM_DB_CMD_EQ)
			f->eq_db++;
		else if (cmd == QM_DB_CMD_AEQ)
			f->aeq_db++;
		else
			f->bad_access++;
		return;
	}
	if (qn >= fn_queues(f) || !f->q[qn].sqc_valid) {
		f->bad_access++;
		return;
	}
	q = &f->q[qn];
	if (cmd == QM_DB_CMD_SQ) {
		f->sq_db++;
		f->last_sq_db = v;
		if (idx < q->db_tail)
			q->sqc.w11 ^= QM_QC_TAIL_WRAP;
		q->db_tail = idx;
		q->sqc.tail = idx;
		if (!f->manual) {
			while (q->fetch != q->db_tail) {
				run_one(f, qn, q->fetch, true);
				q->fetch = (uint16_t)((q->fetch + 1) % q_depth(q));
			}
		}
	} else if (cmd == QM_DB_CMD_CQ) {
		f->cq_db++;
		f->last_cq_db = v;
		q->cq_db_head = idx;
		if (prio & 1) {
			f->cq_db_arm++;
			q->cflag = true;
		}
	} else {
		f->bad_access++;
	}
}

/* ---- register file ------------------------------------------------------------------- */

uint32_t
hzf_reg(const struct hzf *f, uint64_t off)
{
	return off + 4 <= f->bar_len ? f->regs[off / 4] : 0;
}

void
hzf_set_reg(struct hzf *f, uint64_t off, uint32_t v)
{
	pthread_mutex_lock(&hzf_lock);
	if (off + 4 <= f->bar_len)
		f->regs[off / 4] = v;
	pthread_mutex_unlock(&hzf_lock);
}

static bool
in_range(struct hzf *f, uint64_t off, unsigned int width)
{
	if (off + width / 8 > f->bar_len) {
		f->bad_access++;
		return false;
	}
	return true;
}

static uint32_t
f_read32(void *ctx, uint64_t off)
{
	struct hzf *f = ctx;
	uint32_t v = 0;

	pthread_mutex_lock(&hzf_lock);
	logit(f, 'r', 32, off, 0, 0);
	if (!in_range(f, off, 32))
		goto out;
	switch (off) {
	case QM_MB:
		v = f->mb_w0 | ((uint32_t)f->mb_queue << 16);
		if (f->mb_busy_left > 0) {
			f->mb_busy_left--;
			v |= QM_MB_BUSY_BIT;
		}
		break;
	case QM_MB_DATA_L:
		v = f->mb_data_l;
		break;
	case QM_MB_DATA_H:
		v = f->mb_data_h;
		break;
	case QM_MEM_INIT_DONE:
		v = f->mem_init > 0;
		break;
	case QM_VFT_CFG_RDY:
	case QM_CACHE_WB_DONE:
		v = 1;
		break;
	default:
		v = f->regs[off / 4];
		break;
	}
out:
	pthread_mutex_unlock(&hzf_lock);
	return v;
}

static uint64_t
f_read64(void *ctx, uint64_t off)
{
	struct hzf *f = ctx;
	uint64_t v = 0;

	pthread_mutex_lock(&hzf_lock);
	logit(f, 'r', 64, off, 0, 0);
	if (in_range(f, off, 64))
		v = f->regs[off / 4] | ((uint64_t)f->regs[off / 4 + 1] << 32);
	pthread_mutex_unlock(&hzf_lock);
	return v;
}

static void
f_read128(void *ctx, uint64_t off, uint64_t *lo, uint64_t *hi)
{
	*lo = f_read64(ctx, off);
	*hi = f_read64(ctx, off + 8);
}

static void
f_write32(void *ctx, uint64_t off, uint32_t v)
{
	struct hzf *f = ctx;

	pthread_mutex_lock(&hzf_lock);
	logit(f, 'w', 32, off, v, 0);
	if (!in_range(f, off, 32))
		goto out;
	if (off >= QM_MB && off < QM_MB + 16)
		f->mb_narrow++;
	switch (off) {
	case QM_MEM_START_INIT:
		f->mem_init++;
		break;
	case QM_VFT_CFG_OP_ENABLE: {
		uint64_t d = hzf_reg(f, QM_VFT_CFG_DATA_L) |
			     ((uint64_t)hzf_reg(f, QM_VFT_CFG_DATA_H) << 32);

		if (hzf_reg(f, QM_VFT_CFG) != 0 || hzf_reg(f, QM_VFT_CFG_OP_WR) != 0)
			f->bad_access++;
		else if (hzf_reg(f, QM_VFT_CFG_TYPE) == QM_VFT_TYPE_SQC)
			f->vft_sqc = d;
		else if (hzf_reg(f, QM_VFT_CFG_TYPE) == QM_VFT_TYPE_CQC)
			f->vft_cqc = d;
		break;
	}
	case QM_CACHE_WB_START:
		f->wb_start++;
		break;
	case QM_ABNORMAL_INT_SOURCE:
		f->regs[QM_ABNORMAL_INT_STATUS / 4] &= ~v;
		f->regs[off / 4] &= ~v;
		goto out;
	default:
		break;
	}
	f->regs[off / 4] = v;
out:
	pthread_mutex_unlock(&hzf_lock);
}

static void
f_write64(void *ctx, uint64_t off, uint64_t v)
{
	struct hzf *f = ctx;

	pthread_mutex_lock(&hzf_lock);
	logit(f, 'w', 64, off, v, 0);
	if (!in_range(f, off, 64))
		goto out;
	if (off == QM_DB_SQCQ_V2 || off == QM_DB_EQAEQ_V2)
		doorbell(f, off, v);
	else if (off >= QM_MB && off < QM_MB + 16)
		f->mb_narrow++;
out:
	pthread_mutex_unlock(&hzf_lock);
}

static void
f_write128(void *ctx, uint64_t off, uint64_t lo, uint64_t hi)
{
	struct hzf *f = ctx;

	pthread_mutex_lock(&hzf_lock);
	logit(f, 'w', 128, off, lo, hi);
	if (in_range(f, off, 128)) {
		if (off == QM_MB)
			mailbox(f, lo, hi);
		else
			f->bad_access++;
	}
	pthread_mutex_unlock(&hzf_lock);
}

static const struct wd_mmio_ops hzf_mmio_ops = {
	.read32 = f_read32, .read64 = f_read64, .read128 = f_read128,
	.write32 = f_write32, .write64 = f_write64, .write128 = f_write128,
};

/* ---- bus ------------------------------------------------------------------------------ */

static int
fb_bar_get(void *ctx, unsigned int bar, struct wd_mmio *m)
{
	struct hzf *f = ctx;

	if (bar != 2)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->len = f->bar_len;
	m->ops = &hzf_mmio_ops;
	m->ctx = ctx;
	return 0;
}

static int
fb_cfg_read(void *ctx, unsigned int off, void *buf, unsigned int len)
{
	struct hzf *f = ctx;

	if (off + len > sizeof(f->cfg))
		return -EINVAL;
	memcpy(buf, f->cfg + off, len);
	return 0;
}

static int
fb_cfg_write(void *ctx, unsigned int off, const void *buf, unsigned int len)
{
	struct hzf *f = ctx;

	if (off + len > sizeof(f->cfg))
		return -EINVAL;
	memcpy(f->cfg + off, buf, len);
	return 0;
}

static int
fb_reset(void *ctx)
{
	struct hzf *f = ctx;

	/* a slow reset (a stalled engine pass), for tests of the other queues meanwhile */
	if (__atomic_load_n(&f->reset_hold, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&f->in_reset, true, __ATOMIC_RELEASE);
		while (__atomic_load_n(&f->reset_hold, __ATOMIC_ACQUIRE))
			usleep(1000);
		__atomic_store_n(&f->in_reset, false, __ATOMIC_RELEASE);
	}
	pthread_mutex_lock(&hzf_lock);
	f->resets++;
	memset(f->cfg + 4, 0, 2);
	memset(f->regs, 0, f->bar_len);
	memset(f->q, 0, sizeof(f->q));
	f->mb_w0 = 0;
	f->sqc_bt = 0;
	f->cqc_bt = 0;
	f->eq_base = 0;
	f->eq_depth = 0;
	f->aeq_base = 0;
	if (!f->vf) {
		f->vft_sqc = 0;
		f->vft_cqc = 0;
	}
	pthread_mutex_unlock(&hzf_lock);
	return 0;
}

static int
fb_irq_enable(void *ctx, unsigned int nvec, int *efds)
{
	struct hzf *f = ctx;

	if (f->noirq)
		return -ENOTSUP;
	if (nvec > (f->vf ? 2u : 4u))
		return -EINVAL;
	for (unsigned int i = 0; i < nvec; i++) {
		f->efds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		efds[i] = f->efds[i];
	}
	f->nvec = nvec;
	return 0;
}

static void
fb_irq_disable(void *ctx)
{
	struct hzf *f = ctx;

	for (unsigned int i = 0; i < f->nvec; i++) {
		close(f->efds[i]);
		f->efds[i] = -1;
	}
	f->nvec = 0;
}

static int
fb_dma_map(void *ctx, uint64_t va, uint64_t iova, uint64_t len)
{
	struct hzf *f = ctx;

	(void)len;
	if (va != iova)
		return -EINVAL;
	f->nmaps++;
	return 0;
}

static int
fb_dma_unmap(void *ctx, uint64_t iova, uint64_t len)
{
	(void)ctx;
	(void)iova;
	(void)len;
	return 0;
}

static void
fb_destroy(void *ctx)
{
	struct hzf *f = ctx;

	f->destroyed = true;
}

static const struct wd_bus_ops hzf_bus_ops = {
	.bar_get = fb_bar_get, .cfg_read = fb_cfg_read, .cfg_write = fb_cfg_write,
	.reset = fb_reset, .irq_enable = fb_irq_enable, .irq_disable = fb_irq_disable,
	.dma_map = fb_dma_map, .dma_unmap = fb_dma_unmap, .destroy = fb_destroy,
};

static unsigned long
arg_ul(const char *args, const char *key, unsigned long def)
{
	size_t klen = strlen(key);
	const char *p = args;

	while (*p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=')
			return strtoul(p + klen + 1, NULL, 0);
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return def;
}

static int
hzf_create(const char *args, struct wd_model_desc *d)
{
	struct hzf *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -ENOMEM;
	f->vf = arg_ul(args, "vf", 0) != 0;
	f->rev = (uint8_t)arg_ul(args, "rev", HISI_QM_REV_V2);
	f->noirq = arg_ul(args, "noirq", 0) != 0;
	f->vf_base = (uint32_t)arg_ul(args, "vfbase", 64);
	f->vf_num = (uint32_t)arg_ul(args, "vfq", 8);
	f->vf_invalid = arg_ul(args, "vfinvalid", 0) != 0;
	f->bar_len = f->vf ? VF_BAR_LEN : PF_BAR_LEN;
	f->regs = calloc(1, f->bar_len);
	f->log = calloc(HZF_LOG_MAX, sizeof(*f->log));
	f->mb_fail_cmd = -1;
	for (unsigned int i = 0; i < 4; i++)
		f->efds[i] = -1;
	if (f->regs == NULL || f->log == NULL) {
		hzf_free(f);
		return -ENOMEM;
	}
	d->vendor_id = HISI_PCI_VENDOR_ID;
	d->device_id = f->vf ? HZIP_PCI_DEVICE_VF : HZIP_PCI_DEVICE_PF;
	d->revision = f->rev;
	d->numa_node = 0;
	d->ops = &hzf_bus_ops;
	d->ctx = f;
	hzf_last = f;
	return 0;
}

void
hzf_post_aeqe(struct hzf *f, unsigned int qn, unsigned int type)
{
	uint32_t *aeq = (uint32_t *)(uintptr_t)f->aeq_base;

	if (aeq == NULL || f->aeq_depth == 0)
		return;
	__atomic_store_n(&aeq[f->aeq_tail], qn | ((uint32_t)f->aeq_phase << 16) |
			 (type << QM_AEQE_TYPE_SHIFT), __ATOMIC_RELEASE);
	if (++f->aeq_tail == f->aeq_depth) {
		f->aeq_tail = 0;
		f->aeq_phase ^= 1;
	}
}

void
hzf_free(struct hzf *f)
{
	if (f == NULL)
		return;
	free(f->regs);
	free(f->log);
	free(f);
}

unsigned int
hzf_count(const struct hzf *f, char op, unsigned int width, uint64_t off)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < f->nlog; i++)
		n += f->log[i].op == op && f->log[i].width == width && f->log[i].off == off;
	return n;
}

int
hzf_first_write(const struct hzf *f, uint64_t off)
{
	for (unsigned int i = 0; i < f->nlog; i++)
		if (f->log[i].op == 'w' && f->log[i].off == off)
			return (int)i;
	return -1;
}

static struct wd_model_provider hzf_provider = { .name = "hzfake", .create = hzf_create };

RTE_INIT(hzf_register)
{
	wd_model_provider_register(&hzf_provider);
}
