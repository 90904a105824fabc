/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Linux kernel's non-data paths of drivers/crypto/hisilicon (qm.c,
 * zip/zip_main.c) on QM v2, replayed through the reference driver's
 * register and memory access only:
 *  - hisi_qm_stop(QM_NORMAL) / hisi_qm_start (probe/remove, shutdown);
 *  - v2 qm_drain_qp (mailbox SQC + CQC read into one 64-byte buffer);
 *  - the FLR path (hisi_qm_reset_prepare / hisi_qm_reset_done), PF and VF;
 *  - the controller (soft) reset path after an ECC multi-bit error, with
 *    VFIO_DEVICE_RESET standing in for the ACPI ZRST method;
 *  - error init/uninit/handle (qm_hw_error_*_v2, hisi_zip_hw_error_*);
 *  - debugfs: qm regs, diff regs, current_qm/current_q, clear_enable,
 *    hisi_qm_debug_regs_clear, zip core regs, cmd sqc/cqc/eqc/aeqc dumps.
 * Every test requires that the model flags no driver error for what the
 * kernel does on silicon.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "refdrv.h"
#include "wd_test.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t
derr(struct rd_dev *d)
{
	struct hzip_model_stats s;

	hzip_model_stats_get(d->m, &s);
	return s.driver_errors;
}

/* readl_relaxed_poll_timeout(..., POLL_PERIOD 10, POLL_TIMEOUT 1000) */
static int
poll32(struct rd_dev *d, uint64_t off, uint32_t mask, uint32_t want)
{
	uint64_t end = rd_now_us() + 1000;

	for (;;) {
		if ((rd_rd32(d, off) & mask) == want)
			return 0;
		if (rd_now_us() > end)
			return -ETIMEDOUT;
		usleep(10);
	}
}

/* ---- zip_main.c / qm.c building blocks ---------------------------------------------- */

/* hisi_zip_set_user_domain_and_cache() (v2, no SVA) */
static void
k_hw_init(struct rd_dev *d)
{
	rd_wr32(d, 0x100088, 0x40001070);
	rd_wr32(d, 0x100090, 0xfffffffe);
	rd_wr32(d, 0x100098, 0x40001070);
	rd_wr32(d, 0x1000a0, 0xfffffffe);
	rd_wr32(d, 0x1000a8, 0xffffffff);
	rd_wr32(d, 0x1000ac, 0xffff);
	rd_wr32(d, 0x1000b0, 0xffffffff);
	rd_wr32(d, 0x1000cc, 0x401001);
	rd_wr32(d, 0x1000d0, 0xffffffff);
	rd_wr32(d, 0x301040, 0xffffffff);
	rd_wr32(d, 0x301044, 0xffffffff);
	rd_wr32(d, 0x301060, 0xffffffff);
	rd_wr32(d, 0x301064, 0xffffffff);
	rd_wr32(d, 0x301110, 0x40001070);
	rd_wr32(d, 0x30111c, 0x40001070);
	rd_wr32(d, 0x301140, 0x40001070);
	rd_wr32(d, 0x301128, 0x40001070);
	rd_wr32(d, 0x301134, 0x40001070);
	rd_wr32(d, RD_ZIP_CLOCK_GATE, 0x100ff);
	rd_wr32(d, RD_CACHE_CTL, 0x1833);
	/* kernels >= 6.7: hisi_zip_set_high_perf() read-modify-write */
	rd_wr32(d, 0x301208, rd_rd32(d, 0x301208) & ~1u);
}

#define QM_CE		0x8u
#define QM_NFE		0x1c57u		/* QM_BASE_NFE | QM_ACC_WB_NOT_READY_TIMEOUT */
#define ZIP_CE		0x1u
#define ZIP_NFE		0x7feu

/* hisi_qm_dev_err_init(): qm_hw_error_init_v2() + hisi_zip_hw_error_enable() */
static void
k_err_init(struct rd_dev *d, bool new_kernel)
{
	uint32_t v;

	rd_wr32(d, RD_ABN_SOURCE, new_kernel ? (QM_CE | QM_NFE) : 0x7fff);
	rd_wr32(d, 0x1000ec, QM_CE);
	rd_wr32(d, 0x1000f8, 1);
	rd_wr32(d, 0x1000f4, QM_NFE);
	rd_wr32(d, 0x1000f0, 0);
	if (new_kernel)
		rd_wr32(d, RD_ABN_MASK, ~(QM_CE | QM_NFE));
	else
		rd_wr32(d, RD_ABN_MASK, ~(QM_CE | QM_NFE) & rd_rd32(d, RD_ABN_MASK));
	/* zip */
	rd_wr32(d, RD_ZIP_CORE_SOURCE, new_kernel ? (ZIP_CE | ZIP_NFE) : 0x7ff);
	rd_wr32(d, 0x301160, ZIP_CE);
	rd_wr32(d, 0x301168, 0);
	rd_wr32(d, 0x301164, ZIP_NFE);
	if (!new_kernel)
		rd_wr32(d, RD_ZIP_CORE_MASK, 0);
	v = rd_rd32(d, 0x30100c) | (1u << 14);
	rd_wr32(d, 0x30100c, v);
	if (new_kernel)
		rd_wr32(d, RD_ZIP_CORE_MASK, ~(ZIP_CE | ZIP_NFE));
}

/* hisi_qm_dev_err_uninit(): qm_hw_error_uninit_v2() + hisi_zip_hw_error_disable() */
static void
k_err_uninit(struct rd_dev *d)
{
	rd_wr32(d, RD_ABN_MASK, 0x7fff);
	rd_wr32(d, RD_ZIP_CORE_MASK, 0x7ff);	/* HZIP_CORE_INT_MASK_ALL = GENMASK(10, 0) (v6.1) */
	rd_wr32(d, 0x30100c, rd_rd32(d, 0x30100c) & ~(1u << 14));
}

/* qm_check_dev_error() on v2 */
static bool
k_check_dev_error(struct rd_dev *d)
{
	return (rd_rd32(d, RD_ABN_STATUS) & (1u << 2)) || (rd_rd32(d, RD_ZIP_CORE_STATUS) & 2u);
}

/* qm_sq_ctx_cfg() + qm_cq_ctx_cfg() on the queue's existing rings (qm_start_qp_nolock) */
static int
k_qp_ctx_cfg(struct rd_queue *q)
{
	struct rd_dev *d = q->d;
	uint32_t c[8];
	uint64_t sq = (uint64_t)(uintptr_t)q->sq, cq = (uint64_t)(uintptr_t)q->cq;
	int ret;

	q->sq_tail = 0;
	q->cq_head = 0;
	q->phase = 1;
	q->inflight = 0;
	/* qm_create_qp_nolock() / qm_clear_queues(): the CQ ring starts zeroed */
	memset(q->cq, 0, (size_t)16 * q->depth);
	memset(c, 0, sizeof(c));
	c[1] = (uint32_t)sq;
	c[2] = (uint32_t)(sq >> 32);
	c[3] = (uint32_t)(q->depth - 1) | (7u << 12);
	c[6] = q->qn;				/* cq_num */
	c[6] |= (uint32_t)((1u << 4) | ((uint32_t)q->type << 8)) << 16;	/* w13 */
	memcpy(d->ctx, c, 32);
	ret = rd_mb(d, RD_MB_SQC, false, q->qn, (uint64_t)(uintptr_t)d->ctx, NULL);
	if (ret != 0)
		return ret;
	memset(c, 0, sizeof(c));
	c[1] = (uint32_t)cq;
	c[2] = (uint32_t)(cq >> 32);
	c[3] = (uint32_t)(q->depth - 1) | (4u << 12);
	c[6] = 1 | 2;				/* phase, c_flag */
	memcpy(d->ctx, c, 32);
	return rd_mb(d, RD_MB_CQC, false, q->qn, (uint64_t)(uintptr_t)d->ctx, NULL);
}

/* v2 qm_drain_qp(): one buffer of sizeof(sqc) + sizeof(cqc), SQC at +0, CQC at +32 */
static int
k_drain_qp(struct rd_queue *q, uint8_t *buf)
{
	struct rd_dev *d = q->d;
	uint16_t st, ct, sw, cw;
	int i, ret;

	for (i = 1;; i++) {
		ret = rd_mb(d, RD_MB_SQC, true, q->qn, (uint64_t)(uintptr_t)buf, NULL);
		if (ret != 0)
			return ret;
		ret = rd_mb(d, RD_MB_CQC, true, q->qn, (uint64_t)(uintptr_t)(buf + 32), NULL);
		if (ret != 0)
			return ret;
		memcpy(&st, buf + 2, 2);
		memcpy(&sw, buf + 22, 2);
		memcpy(&ct, buf + 32 + 2, 2);
		memcpy(&cw, buf + 32 + 22, 2);
		if (st == ct && ((sw >> 6) & 1) == ((cw >> 6) & 1))
			return 0;
		if (i == 1000)
			return -EBUSY;
		usleep(150);
	}
}

/* __hisi_qm_start(): VFT (PF), EQC, AEQC, SQC_BT, CQC_BT, then qm_enable_eq_aeq_interrupts() */
static int
k_qm_start(struct rd_dev *d)
{
	uint32_t eqc[7];
	int ret;

	if (!d->vf) {
		ret = rd_vft_write(d, 0, 0, rd_sqc_vft(0, d->qnum));
		if (ret == 0)
			ret = rd_vft_write(d, 1, 0, 1ull << 28);
		if (ret < 0)
			return ret;
	}
	d->eq_head = d->aeq_head = 0;
	d->eq_phase = d->aeq_phase = 1;
	memset(eqc, 0, sizeof(eqc));
	eqc[1] = (uint32_t)(uintptr_t)d->eq;
	eqc[2] = (uint32_t)((uint64_t)(uintptr_t)d->eq >> 32);
	eqc[6] = 2047u | (1u << 16);
	memcpy(d->ctx, eqc, sizeof(eqc));
	ret = rd_mb(d, RD_MB_EQC, false, 0, (uint64_t)(uintptr_t)d->ctx, NULL);
	if (ret != 0)
		return ret;
	eqc[1] = (uint32_t)(uintptr_t)d->aeq;
	eqc[2] = (uint32_t)((uint64_t)(uintptr_t)d->aeq >> 32);
	eqc[6] = 1023u | (1u << 16);
	memcpy(d->ctx, eqc, sizeof(eqc));
	ret = rd_mb(d, RD_MB_AEQC, false, 0, (uint64_t)(uintptr_t)d->ctx, NULL);
	if (ret != 0)
		return ret;
	ret = rd_mb(d, RD_MB_SQC_BT, false, 0, (uint64_t)(uintptr_t)d->sqc_bt, NULL);
	if (ret == 0)
		ret = rd_mb(d, RD_MB_CQC_BT, false, 0, (uint64_t)(uintptr_t)d->cqc_bt, NULL);
	if (ret != 0)
		return ret;
	hzip_model_write64(d->m, RD_BAR, RD_DB_EQ_AEQ, rd_db(0, RD_DB_AEQ, 0, d->aeq_head, 0));
	hzip_model_write64(d->m, RD_BAR, RD_DB_EQ_AEQ, rd_db(0, RD_DB_EQ, 0, d->eq_head, 0));
	rd_wr32(d, RD_VF_EQ_INT_MASK, 0);
	rd_wr32(d, RD_VF_AEQ_INT_MASK, 0);
	return 0;
}

enum k_reason { K_NORMAL, K_SOFT_RESET, K_FLR };

/* hisi_qm_stop() */
static int
k_qm_stop(struct rd_dev *d, enum k_reason r, struct rd_queue **qs, unsigned int nq, uint8_t *buf)
{
	int ret;

	if (r != K_NORMAL) {
		for (unsigned int i = 0; i < nq; i++) {
			/* qm_drain_qp() returns at once when the master OOO is blocked */
			if (!d->vf && k_check_dev_error(d))
				continue;
			ret = k_drain_qp(qs[i], buf);
			if (ret != 0)
				return ret;
		}
	}
	rd_wr32(d, RD_VF_EQ_INT_MASK, 1);
	rd_wr32(d, RD_VF_AEQ_INT_MASK, 1);
	if (!d->vf) {
		ret = rd_vft_write(d, 0, 0, 0);
		if (ret == 0)
			ret = rd_vft_write(d, 1, 0, 0);
		if (ret < 0)
			return ret;
	}
	/* qm_clear_queues(): memset(qm->qdma.va): SQC/CQC arrays, EQ, AEQ */
	memset(d->sqc_bt, 0, 32u * d->qnum);
	memset(d->cqc_bt, 0, 32u * d->qnum);
	memset(d->eq, 0, 4u * 2048);
	memset(d->aeq, 0, 4u * 1024);
	return 0;
}

/* hisi_qm_cache_wb() */
static int
k_cache_wb(struct rd_dev *d)
{
	rd_wr32(d, RD_CACHE_WB_START, 1);
	return poll32(d, RD_CACHE_WB_DONE, 1, 1);
}

/* One stateless zlib compression; returns the status or -1. */
static int
one_request(struct rd_queue *q)
{
	uint8_t *in = rd_alloc(q->d, 4096, 64), *out = rd_alloc(q->d, 8192, 64);
	uint32_t olen = 0, st = 0xff;
	int ret;

	assert_non_null(in);
	assert_non_null(out);
	for (size_t i = 0; i < 4096; i++)
		in[i] = (uint8_t)(i * 7 / 13);
	ret = rd_compress(q, RD_REQ_ZLIB, in, 4096, out, 8192, &olen, &st);
	rd_free(q->d, in);
	rd_free(q->d, out);
	return ret != 0 ? -1 : (int)st;
}

/* ---- fixtures -------------------------------------------------------------------------- */

struct kdev {
	struct rd_dev d;
	struct rd_queue q[2];
	uint8_t *buf;		/* drain / dump buffer (64 bytes + guard) */
};

static void
kdev_open(struct kdev *k, const char *spec, bool vf)
{
	memset(k, 0, sizeof(*k));
	assert_int_equal(rd_open(&k->d, spec), 0);
	if (vf)
		assert_int_equal(rd_vf_init(&k->d, RD_F_EVENTS | RD_F_MSI), 0);
	else
		assert_int_equal(rd_pf_init(&k->d, 64, RD_F_EVENTS | RD_F_MSI), 0);
	k->buf = rd_alloc(&k->d, 128, 64);
	assert_non_null(k->buf);
	assert_int_equal(rd_queue_create(&k->d, &k->q[0], 0, 1024, 0, 0, true), 0);
	assert_int_equal(rd_queue_create(&k->d, &k->q[1], 1, 1024, 1, 0, true), 0);
	assert_int_equal(one_request(&k->q[0]), 0);
	assert_int_equal(derr(&k->d), 0);
}

/*
 * A PF brought back (probe again, or reset_done): hw init, error init (new
 * or old kernel), qm start, @p nq queues configured; a request runs, no
 * driver error.
 */
static void
k_pf_back(struct kdev *k, bool new_kernel, unsigned int nq)
{
	k_hw_init(&k->d);
	k_err_init(&k->d, new_kernel);
	assert_int_equal(k_qm_start(&k->d), 0);
	for (unsigned int i = 0; i < nq; i++)
		assert_int_equal(k_qp_ctx_cfg(&k->q[i]), 0);
	assert_int_equal(one_request(&k->q[0]), 0);
	assert_int_equal(derr(&k->d), 0);
}

/* ---- tests ----------------------------------------------------------------------------- */

/* remove + probe again (hisi_qm_stop(QM_NORMAL), cache_wb in hisi_qm_uninit, hisi_qm_start) */
static void
test_stop_start_normal(void **state)
{
	struct kdev k;
	struct rd_queue *qs[2];

	(void)state;
	kdev_open(&k, "", false);
	qs[0] = &k.q[0];
	qs[1] = &k.q[1];
	/* uacce put_queue: stop_qp (drain), cache_wb, release */
	assert_int_equal(k_drain_qp(&k.q[0], k.buf), 0);
	assert_int_equal(k_cache_wb(&k.d), 0);
	assert_int_equal(k_drain_qp(&k.q[1], k.buf), 0);
	assert_int_equal(k_cache_wb(&k.d), 0);
	/* remove: hisi_qm_stop(QM_NORMAL), hisi_qm_dev_err_uninit, hisi_qm_uninit (cache_wb) */
	assert_int_equal(k_qm_stop(&k.d, K_NORMAL, qs, 2, k.buf), 0);
	k_err_uninit(&k.d);
	assert_int_equal(k_cache_wb(&k.d), 0);
	assert_int_equal(derr(&k.d), 0);
	/* probe again */
	k_pf_back(&k, true, 1);
	rd_close(&k.d);
}

/* drain of a queue that was created but never started (QP_INIT -> QP_STOP) */
static void
test_drain_never_started(void **state)
{
	struct kdev k;
	struct rd_queue q;

	(void)state;
	kdev_open(&k, "", false);
	memset(&q, 0, sizeof(q));
	q.d = &k.d;
	q.qn = 5;
	assert_int_equal(k_drain_qp(&q, k.buf), 0);
	assert_int_equal(derr(&k.d), 0);
	rd_close(&k.d);
}

/* FLR of a PF owned through vfio-pci: hisi_qm_reset_prepare / hisi_qm_reset_done */
static void
test_flr_pf(void **state)
{
	struct kdev k;
	struct rd_queue *qs[2];
	uint16_t devctl;

	(void)state;
	kdev_open(&k, "", false);
	qs[0] = &k.q[0];
	qs[1] = &k.q[1];
	k_err_uninit(&k.d);
	assert_false(k_check_dev_error(&k.d));
	assert_int_equal(k_qm_stop(&k.d, K_FLR, qs, 2, k.buf), 0);
	/* FLR: PCIe device control bit 15 (vfio-pci saves and restores config space) */
	assert_int_equal(hzip_model_cfg_read(k.d.m, 0x70 + 8, &devctl, 2), 0);
	devctl |= 0x8000;
	assert_int_equal(hzip_model_cfg_write(k.d.m, 0x70 + 8, &devctl, 2), 0);
	/* reset_done: PF hw init (no MEM_START_INIT), dev err init, qm_restart */
	k_pf_back(&k, false, 2);
	rd_close(&k.d);
}

/* FLR of a VF: hisi_qm_stop(QM_FLR) (no VFT), reset, hisi_qm_start (VFT kept) */
static void
test_flr_vf(void **state)
{
	struct kdev k;
	struct rd_queue *qs[2];

	(void)state;
	kdev_open(&k, "vf=1,queues=4", true);
	qs[0] = &k.q[0];
	qs[1] = &k.q[1];
	assert_int_equal(k_qm_stop(&k.d, K_FLR, qs, 2, k.buf), 0);
	assert_int_equal(hzip_model_reset(k.d.m), 0);
	assert_int_equal(k_qm_start(&k.d), 0);
	assert_int_equal(k_qp_ctx_cfg(&k.q[0]), 0);
	assert_int_equal(one_request(&k.q[0]), 0);
	/* VF debugfs "regs": QM_DFX_FUNS_ACTIVE_ST */
	assert_int_equal(rd_rd32(&k.d, 0x200), 1);
	/* VF remove: hisi_qm_stop(QM_NORMAL), hisi_qm_uninit -> cache_wb */
	assert_int_equal(k_qm_stop(&k.d, K_NORMAL, qs, 2, k.buf), 0);
	assert_int_equal(k_cache_wb(&k.d), 0);
	assert_int_equal(derr(&k.d), 0);
	rd_close(&k.d);
}

/*
 * ECC multi-bit error -> abnormal interrupt -> controller reset (qm_controller_reset),
 * with VFIO_DEVICE_RESET in place of ACPI ZRST.
 */
static void
test_controller_reset_after_ecc(void **state)
{
	struct kdev k;
	struct rd_queue *qs[2];
	struct hzip_model_faults f;
	uint32_t st, qm_st, zip_st, v;
	uint16_t cmd;
	uint64_t n = 0;
	uint8_t sqe[RD_SQE_SIZE];
	uint8_t *in, *out;

	(void)state;
	kdev_open(&k, "", false);
	qs[0] = &k.q[0];
	qs[1] = &k.q[1];
	memset(&f, 0, sizeof(f));
	f.ecc_multi_bit = true;
	hzip_model_inject(k.d.m, &f);
	in = rd_alloc(&k.d, 1024, 64);
	out = rd_alloc(&k.d, 4096, 64);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, in, 1024, out, 4096, 0);
	assert_int_equal(rd_submit(&k.q[0], sqe, true), 0);
	/* abnormal MSI (vector 3) */
	for (int i = 0; i < 1000 && read(k.d.efd[3], &n, 8) != 8; i++)
		usleep(1000);
	assert_true(n >= 1);
	/* qm_abnormal_irq -> qm_process_dev_error */
	qm_st = rd_rd32(&k.d, RD_ABN_STATUS) & (QM_CE | QM_NFE);
	assert_true(qm_st & (1u << 2));
	zip_st = rd_rd32(&k.d, RD_ZIP_CORE_STATUS);
	assert_true(zip_st & 2u);
	(void)rd_rd32(&k.d, 0x301148);		/* hisi_zip_log_hw_error: SRAM ECC info */
	/* newer kernels: disable the same error reporting until recovered */
	rd_wr32(&k.d, 0x1000f4, QM_NFE & ~qm_st);
	rd_wr32(&k.d, 0x301164, ZIP_NFE & ~zip_st);
	/* qm_controller_reset_prepare: hisi_qm_stop(QM_SOFT_RESET) (drain skipped: OOO blocked) */
	assert_int_equal(k_qm_stop(&k.d, K_SOFT_RESET, qs, 2, k.buf), 0);
	/* qm_soft_reset: qm_check_req_recv */
	rd_wr32(&k.d, RD_PEH_VENDOR_ID, 0x5a5a);
	assert_int_equal(poll32(&k.d, RD_PEH_VENDOR_ID, 0xffffffff, 0x5a5a), 0);
	rd_wr32(&k.d, RD_PEH_VENDOR_ID, 0x19e5);
	assert_int_equal(poll32(&k.d, RD_PEH_VENDOR_ID, 0xffffffff, 0x19e5), 0);
	/* qm_set_msi(false): MSI mask bits (msi_cap + PCI_MSI_MASK_64), then PEH_DFX_INFO0 */
	v = 0xffffffff;
	assert_int_equal(hzip_model_cfg_write(k.d.m, 0x40 + 0x10, &v, 4), 0);
	assert_int_equal(rd_rd32(&k.d, 0x1000fc), 0);
	/* qm_dev_ecc_mbit_handle: both QM and dev ECC flags set -> nothing on v2 */
	rd_wr32(&k.d, RD_MASTER_GLOBAL_CTRL, 1);
	st = (uint32_t)poll32(&k.d, RD_MASTER_TRANS_RETURN, 0xffffffff, 3);
	assert_int_equal(st, 0);	/* else "Bus lock! Please reset system." */
	/* qm_set_pf_mse(false) */
	assert_int_equal(hzip_model_cfg_read(k.d.m, 4, &cmd, 2), 0);
	cmd &= (uint16_t)~2u;
	assert_int_equal(hzip_model_cfg_write(k.d.m, 4, &cmd, 2), 0);
	/* ZRST -> VFIO_DEVICE_RESET */
	assert_int_equal(hzip_model_reset(k.d.m), 0);
	/* qm_controller_reset_done */
	v = 0;
	assert_int_equal(hzip_model_cfg_write(k.d.m, 0x40 + 0x10, &v, 4), 0);
	assert_int_equal(hzip_model_cfg_read(k.d.m, 4, &cmd, 2), 0);
	cmd |= 2u;
	assert_int_equal(hzip_model_cfg_write(k.d.m, 4, &cmd, 2), 0);
	k_hw_init(&k.d);
	/* qm_restart_prepare (ECC): close the MSI write port, clear sources */
	v = rd_rd32(&k.d, 0x30001c);
	rd_wr32(&k.d, 0x30001c, v & ~(1u << 11));
	if (rd_rd32(&k.d, RD_ZIP_CORE_STATUS) & 2u)
		rd_wr32(&k.d, RD_ZIP_CORE_SOURCE, 2u);
	rd_wr32(&k.d, RD_ABN_SOURCE, 1u << 2);
	rd_wr32(&k.d, 0x300104, 1u << 1);
	k_err_init(&k.d, false);
	/* hisi_zip_open_axi_master_ooo */
	v = rd_rd32(&k.d, 0x30100c);
	rd_wr32(&k.d, 0x30100c, v & ~(1u << 14));
	rd_wr32(&k.d, 0x30100c, v | (1u << 14));
	/* qm_dev_mem_reset */
	rd_wr32(&k.d, RD_MEM_START_INIT, 1);
	assert_int_equal(poll32(&k.d, RD_MEM_INIT_DONE, 1, 1), 0);
	/* qm_restart */
	assert_int_equal(k_qm_start(&k.d), 0);
	assert_int_equal(k_qp_ctx_cfg(&k.q[0]), 0);
	assert_int_equal(k_qp_ctx_cfg(&k.q[1]), 0);
	/* qm_restart_done: reopen the MSI write port */
	rd_wr32(&k.d, 0x30001c, rd_rd32(&k.d, 0x30001c) | (1u << 11));
	assert_int_equal(one_request(&k.q[0]), 0);
	assert_int_equal(derr(&k.d), 0);
	rd_close(&k.d);
}

/*
 * hisi_zip_close_axi_master_ooo(): an ECC 2-bit error injected through
 * HZIP_CORE_INT_SET "to block master ooo" stops the engine when AXI shutdown
 * is enabled (ZIP_CONTROL bit 14, hisi_zip_hw_error_enable()), and only then.
 */
static void
test_close_axi_master_ooo_blocks(void **state)
{
	struct kdev k;
	uint8_t sqe[RD_SQE_SIZE];
	uint8_t *in, *out;

	(void)state;
	kdev_open(&k, "", false);
	in = rd_alloc(&k.d, 1024, 64);
	out = rd_alloc(&k.d, 4096, 64);
	memset(in, 'a', 1024);
	/* shutdown disabled: the error is reported, the engine goes on */
	rd_wr32(&k.d, 0x30100c, rd_rd32(&k.d, 0x30100c) & ~(1u << 14));
	rd_wr32(&k.d, 0x301164, rd_rd32(&k.d, 0x301164) & ~2u);
	rd_wr32(&k.d, RD_ZIP_CORE_SET, 2u);
	assert_true(rd_rd32(&k.d, RD_ZIP_CORE_SOURCE) & 2u);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, in, 1024, out, 4096, 0);
	assert_int_equal(rd_submit(&k.q[0], sqe, true), 0);
	assert_int_equal(rd_poll(&k.q[0], sqe, NULL, 2000000), 1);
	/* enabled: the request waits, the master reads idle, until a function reset */
	rd_wr32(&k.d, RD_ZIP_CORE_SOURCE, 2u);
	rd_wr32(&k.d, 0x30100c, rd_rd32(&k.d, 0x30100c) | (1u << 14));
	rd_wr32(&k.d, RD_ZIP_CORE_SET, 2u);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, in, 1024, out, 4096, 0);
	assert_int_equal(rd_submit(&k.q[0], sqe, true), 0);
	assert_int_equal(rd_poll(&k.q[0], sqe, NULL, 200000), 0);
	assert_int_equal(rd_rd32(&k.d, 0x300150), 3);
	assert_int_equal(derr(&k.d), 0);
	rd_close(&k.d);
}

/* QM_ABNORMAL_INT_SET injection of a CE error (bit 3) and qm_hw_error_handle_v2's recovery */
static void
test_error_inject_recover(void **state)
{
	struct kdev k;
	uint64_t n = 0;
	uint32_t st;

	(void)state;
	kdev_open(&k, "", false);
	while (read(k.d.efd[3], &n, 8) == 8)
		;
	rd_wr32(&k.d, RD_ABN_SET, QM_CE);
	for (int i = 0; i < 100 && read(k.d.efd[3], &n, 8) != 8; i++)
		usleep(1000);
	assert_int_equal(n, 1);
	st = rd_rd32(&k.d, RD_ABN_STATUS) & (QM_CE | QM_NFE);
	assert_int_equal(st, QM_CE);
	(void)rd_rd32(&k.d, 0x100014);
	(void)rd_rd32(&k.d, 0x100010);
	rd_wr32(&k.d, RD_ABN_SOURCE, st);
	rd_wr32(&k.d, 0x1000f4, QM_NFE);
	rd_wr32(&k.d, 0x1000ec, QM_CE);
	assert_int_equal(rd_rd32(&k.d, RD_ABN_STATUS), 0);
	assert_int_equal(derr(&k.d), 0);
	rd_close(&k.d);
}

static const uint32_t qm_dfx_regs[] = {
	0x104000, 0x104008, 0x104018, 0x104028, 0x104038, 0x104048, 0x104050, 0x104058,
	0x104060, 0x1040b4, 0x200, 0x104004, 0x10400c, 0x1040a0, 0x1040a4, 0x1040a8,
	0x1040c8, 0x1040cc, 0x1040d0, 0x1040d4, 0x1040d8, 0x1040dc, 0x1040e0, 0x1040e4,
};

/* debugfs: regs, diff_regs, current_qm, current_q, clear_enable, zip core regs */
static void
test_debugfs_pf(void **state)
{
	static const struct { uint32_t off, len; } diff[] = {
		{ 0x100000, 0x5a }, { 0x104000, 0x2e }, { 0x1040c8, 0x11 }, { 0x0, 0xc3 },
		{ 0x301000, 0xb0 }, { 0x302000, 0x28 }, { 0x303000, 0x28 }, { 0x304000, 0x28 },
		{ 0x305000, 0x28 }, { 0x306000, 0x28 }, { 0x307000, 0x28 }, { 0x308000, 0x28 },
		{ 0x309000, 0x28 },
	};
	static const uint32_t hzip_dfx[] = { 0x00, 0x04, 0x08, 0x0c, 0x10, 0x18, 0x20, 0x24,
					     0x28, 0x30, 0x34, 0x38, 0x40, 0x70, 0x78, 0x7c,
					     0x80, 0x84, 0x88, 0x8c, 0x94, 0x9c };
	struct kdev k;
	uint32_t tmp, v;
	uint64_t e0;

	(void)state;
	kdev_open(&k, "", false);
	/* hisi_zip_debug_regs_clear() at probe (hisi_qm_debug_regs_clear) */
	rd_wr32(&k.d, 0x104010, 0);
	rd_wr32(&k.d, 0x104020, 0);
	rd_wr32(&k.d, 0x301000, 0);
	rd_wr32(&k.d, 0x104010, 0);
	rd_wr32(&k.d, 0x104020, 0);
	rd_wr32(&k.d, 0x104030, 0);
	rd_wr32(&k.d, 0x104040, 0);
	rd_wr32(&k.d, 0x100118, 1);
	for (unsigned int i = 0; i < 10; i++)
		(void)rd_rd32(&k.d, qm_dfx_regs[i]);
	rd_wr32(&k.d, 0x100118, 0);
	/* qm_last_regs_init / qm regs */
	for (unsigned int i = 0; i < DIM(qm_dfx_regs); i++)
		(void)rd_rd32(&k.d, qm_dfx_regs[i]);
	/* diff regs (QM and ZIP) */
	for (unsigned int r = 0; r < DIM(diff); r++)
		for (uint32_t j = 0; j < diff[r].len; j++)
			(void)rd_rd32(&k.d, diff[r].off + 4 * j);
	/* zip comp_core%d / decomp_core%d regs */
	for (uint32_t c = 0; c < 8; c++)
		for (unsigned int i = 0; i < DIM(hzip_dfx); i++)
			(void)rd_rd32(&k.d, 0x302000 + 0x1000 * c + hzip_dfx[i]);
	/* hzip_com_dfx_regs */
	(void)rd_rd32(&k.d, 0x301004);
	(void)rd_rd32(&k.d, 0x301160);
	(void)rd_rd32(&k.d, 0x301164);
	(void)rd_rd32(&k.d, 0x301168);
	(void)rd_rd32(&k.d, 0x30116c);
	assert_int_equal(derr(&k.d), 0);

	/* current_qm = 0 then current_q = 1 (qm.c current_q_write) */
	rd_wr32(&k.d, 0x104010, 0);
	rd_wr32(&k.d, 0x104020, 0);
	tmp = 0 | (rd_rd32(&k.d, 0x104030) & 0xffff0000u);
	rd_wr32(&k.d, 0x104030, tmp);
	tmp = 0 | (rd_rd32(&k.d, 0x104040) & 0xffff0000u);
	rd_wr32(&k.d, 0x104040, tmp);
	tmp = 1u << 16 | (rd_rd32(&k.d, 0x104030) & 0x3f);
	rd_wr32(&k.d, 0x104030, tmp);
	tmp = 1u << 16 | (rd_rd32(&k.d, 0x104040) & 0x3f);
	rd_wr32(&k.d, 0x104040, tmp);
	assert_int_equal(rd_rd32(&k.d, 0x104030) >> 16, 1);	/* current_q_read */
	v = rd_rd32(&k.d, 0x104038);
	assert_int_equal(one_request(&k.q[1]) >= 0 ? 0 : 1, 0);	/* decompress queue gets 0x05 */
	assert_int_equal(rd_rd32(&k.d, 0x104038) - v, 1);
	/* clear_enable (QM and ZIP): read-clear counters */
	rd_wr32(&k.d, 0x100118, 1);
	(void)rd_rd32(&k.d, 0x104038);
	assert_int_equal(rd_rd32(&k.d, 0x104038), 0);
	rd_wr32(&k.d, 0x100118, 0);
	tmp = (rd_rd32(&k.d, 0x301000) & ~1u) | 1u;
	rd_wr32(&k.d, 0x301000, tmp);
	assert_int_equal(rd_rd32(&k.d, 0x301000) & 1u, 1);
	/* current_qm = 3 (a VF) with vfs_num set by the PF */
	rd_wr32(&k.d, 0x104010, 3);
	rd_wr32(&k.d, 0x104020, 3);
	assert_int_equal(rd_rd32(&k.d, 0x104010), 3);
	e0 = derr(&k.d);
	assert_int_equal(e0, 0);
	rd_close(&k.d);
}

/* debugfs "cmd": sqc/cqc <n>, eqc, aeqc: mailbox reads into exactly-sized buffers */
static void
test_debugfs_cmd_dumps(void **state)
{
	struct kdev k;
	uint8_t *b;

	(void)state;
	kdev_open(&k, "", false);
	b = k.buf;
	for (unsigned int cmd = RD_MB_SQC; cmd <= RD_MB_AEQC; cmd++) {
		unsigned int size = cmd <= RD_MB_CQC ? 32 : 28;

		memset(b, 0xa5, 128);
		assert_int_equal(rd_mb(&k.d, cmd, true, 0, (uint64_t)(uintptr_t)b, NULL), 0);
		for (unsigned int i = size; i < 128; i++)
			assert_int_equal(b[i], 0xa5);
	}
	/* sqc of a queue inside qp_num that was never started */
	assert_int_equal(rd_mb(&k.d, RD_MB_SQC, true, 63, (uint64_t)(uintptr_t)b, NULL), 0);
	/* eqc contents: base and dw6 as written */
	assert_int_equal(rd_mb(&k.d, RD_MB_EQC, true, 0, (uint64_t)(uintptr_t)b, NULL), 0);
	{
		uint32_t dw[7];

		memcpy(dw, b, sizeof(dw));
		assert_int_equal(dw[1], (uint32_t)(uintptr_t)k.d.eq);
		assert_int_equal(dw[6] & 0xffff, 2047);
	}
	assert_int_equal(derr(&k.d), 0);
	rd_close(&k.d);
}

/* Spurious EQ interrupt (qm_irq with EQ_INT_SOURCE 0): EQ doorbell with the current head */
static void
test_eq_doorbell_idle(void **state)
{
	struct kdev k;

	(void)state;
	kdev_open(&k, "", false);
	for (uint16_t cqn; rd_eq_poll(&k.d, &cqn) == 1;)
		;
	hzip_model_write64(k.d.m, RD_BAR, RD_DB_EQ_AEQ, rd_db(0, RD_DB_EQ, 0, k.d.eq_head, 0));
	hzip_model_write64(k.d.m, RD_BAR, RD_DB_EQ_AEQ, rd_db(0, RD_DB_AEQ, 0, k.d.aeq_head, 0));
	assert_int_equal(rd_rd32(&k.d, RD_VF_EQ_INT_SOURCE), 0);
	assert_int_equal(derr(&k.d), 0);
	rd_close(&k.d);
}


/* Messages on vector 3 (abnormal) so far, drained from its eventfd. */
static uint64_t
msi3_take(struct rd_dev *d, unsigned int wait_ms)
{
	uint64_t n = 0, total = 0;

	for (unsigned int i = 0; i <= wait_ms; i++) {
		while (read(d->efd[3], &n, 8) == 8)
			total += n;
		if (total != 0 || i == wait_ms)
			break;
		usleep(1000);
	}
	return total;
}

static uint32_t
cfg32(struct rd_dev *d, unsigned int off)
{
	uint32_t v = 0;

	assert_int_equal(hzip_model_cfg_read(d->m, off, &v, 4), 0);
	return v;
}

static void
cfg32_set(struct rd_dev *d, unsigned int off, uint32_t v)
{
	assert_int_equal(hzip_model_cfg_write(d->m, off, &v, 4), 0);
}

/*
 * v2 qm_set_msi(): all ones to msi_cap + PCI_MSI_MASK_64 stops the messages
 * during a soft reset, 0 lets them go again. A masked vector's message waits
 * in its pending bit and comes at the unmasking; a function reset drops it
 * and leaves the vectors unmasked (pci_restore_state() writes the kernel's
 * own copy of the mask, which raw config writes never change); a VF has
 * two mask bits.
 */
static void
test_msi_mask_bits(void **state)
{
	struct kdev k;
	uint16_t flags = 0;

	(void)state;
	kdev_open(&k, "", false);
	assert_int_equal(hzip_model_cfg_read(k.d.m, 0x42, &flags, 2), 0);
	assert_true(flags & 0x0100);		/* per-vector masking */
	assert_true(flags & 0x0080);		/* 64-bit: mask at +0x10 */
	(void)msi3_take(&k.d, 0);
	cfg32_set(&k.d, 0x50, 0xffffffff);
	assert_int_equal(cfg32(&k.d, 0x50), 0xf);	/* four vectors */
	assert_int_equal(cfg32(&k.d, 0x54), 0);
	rd_wr32(&k.d, RD_ABN_SET, QM_CE);
	assert_int_equal(msi3_take(&k.d, 20), 0);
	assert_int_equal(cfg32(&k.d, 0x54), 1u << 3);	/* held */
	cfg32_set(&k.d, 0x54, 0);			/* pending bits are read-only */
	assert_int_equal(cfg32(&k.d, 0x54), 1u << 3);
	cfg32_set(&k.d, 0x50, 0x7);			/* unmask vector 3 alone */
	assert_int_equal(msi3_take(&k.d, 1000), 1);
	assert_int_equal(cfg32(&k.d, 0x54), 0);
	/* held again, then a function reset: dropped, unmasked */
	cfg32_set(&k.d, 0x50, 0xf);
	rd_wr32(&k.d, RD_ABN_SOURCE, QM_CE);
	rd_wr32(&k.d, RD_ABN_SET, QM_CE);
	assert_int_equal(msi3_take(&k.d, 20), 0);
	assert_int_equal(cfg32(&k.d, 0x54), 1u << 3);
	assert_int_equal(hzip_model_reset(k.d.m), 0);
	assert_int_equal(cfg32(&k.d, 0x50), 0);	/* the kernel's copy: unmasked */
	assert_int_equal(cfg32(&k.d, 0x54), 0);
	assert_int_equal(msi3_take(&k.d, 20), 0);	/* the held message is gone */
	assert_int_equal(derr(&k.d), 0);
	rd_close(&k.d);

	kdev_open(&k, "vf=1,queues=4", true);
	cfg32_set(&k.d, 0x50, 0xffffffff);
	assert_int_equal(cfg32(&k.d, 0x50), 0x3);	/* two vectors */
	rd_close(&k.d);
}

/*
 * hisi_qm_reset_prepare(): hisi_qm_dev_err_uninit() masks every QM and ZIP
 * error, then qm_check_dev_error() polls QM_ABNORMAL_INT_STATUS / HZIP_CORE_INT_STATUS
 * for an ECC multi-bit error "to wait for soft reset to fix it". The model's
 * STATUS is masked (SOURCE & ~MASK, ref. §2.2), so the check sees nothing there:
 * an open question (doc/model.md), pinned here so that a change is deliberate.
 */
static void
test_status_after_uninit(void **state)
{
	struct kdev k;
	struct hzip_model_faults f;
	uint8_t sqe[RD_SQE_SIZE];
	uint8_t *in, *out;
	uint64_t n = 0;

	(void)state;
	kdev_open(&k, "", false);
	memset(&f, 0, sizeof(f));
	f.ecc_multi_bit = true;
	hzip_model_inject(k.d.m, &f);
	in = rd_alloc(&k.d, 1024, 64);
	out = rd_alloc(&k.d, 4096, 64);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, in, 1024, out, 4096, 0);
	assert_int_equal(rd_submit(&k.q[0], sqe, true), 0);
	for (int i = 0; i < 1000 && read(k.d.efd[3], &n, 8) != 8; i++)
		usleep(1000);
	assert_true(k_check_dev_error(&k.d));
	k_err_uninit(&k.d);
	/* the reference's STATUS = SOURCE & ~MASK (doc/model.md: an open question) */
	assert_int_equal(rd_rd32(&k.d, RD_ABN_STATUS), 0);
	assert_int_equal(rd_rd32(&k.d, RD_ABN_SOURCE) & 0x4u, 0x4u);
	assert_int_equal(rd_rd32(&k.d, RD_ZIP_CORE_STATUS), 0);
	assert_int_equal(rd_rd32(&k.d, RD_ZIP_CORE_SOURCE) & 0x2u, 0x2u);
	assert_false(k_check_dev_error(&k.d));
	rd_close(&k.d);
}

/* PF VFT for VFs (qm_vf_q_assign) and VFT read-back through the register protocol */
static void
test_vft_vfs_readback(void **state)
{
	struct kdev k;
	uint64_t data = 0, own = 0;

	(void)state;
	kdev_open(&k, "", false);
	for (unsigned int fn = 3; fn >= 1; fn--) {
		assert_int_equal(rd_vft_write(&k.d, 0, fn, rd_sqc_vft(64 + (fn - 1) * 320, 320)),
				 0);
		assert_int_equal(rd_vft_write(&k.d, 1, fn, 1ull << 28), 0);
	}
	assert_int_equal(rd_vft_read(&k.d, 0, 2, &data), 0);
	assert_int_equal(data, rd_sqc_vft(384, 320));
	/* the PF reading its own VFT with mailbox cmd 6 (qm_get_vft_v2) */
	assert_int_equal(rd_mb(&k.d, RD_MB_SQC_VFT, true, 0, 0, &own), 0);
	assert_int_equal(own, rd_sqc_vft(0, 64));
	/* hisi_qm_sriov_disable -> qm_clear_vft_config */
	for (unsigned int fn = 1; fn <= 3; fn++) {
		assert_int_equal(rd_vft_write(&k.d, 0, fn, 0), 0);
		assert_int_equal(rd_vft_write(&k.d, 1, fn, 0), 0);
	}
	assert_int_equal(derr(&k.d), 0);
	rd_close(&k.d);
}

/*
 * A held message is a memory write: unmasked while bus mastering is off,
 * it waits until mastering is back on (as a new message does not go out
 * at all then).
 */
static void
test_msi_held_without_master(void **state)
{
	struct kdev k;
	uint16_t cmd;

	(void)state;
	kdev_open(&k, "", false);
	(void)msi3_take(&k.d, 0);
	cfg32_set(&k.d, 0x50, 0xf);
	rd_wr32(&k.d, RD_ABN_SET, QM_CE);
	assert_int_equal(msi3_take(&k.d, 20), 0);
	assert_int_equal(cfg32(&k.d, 0x54), 1u << 3);
	assert_int_equal(hzip_model_cfg_read(k.d.m, 4, &cmd, 2), 0);
	cmd &= (uint16_t)~4u;
	assert_int_equal(hzip_model_cfg_write(k.d.m, 4, &cmd, 2), 0);
	cfg32_set(&k.d, 0x50, 0);
	assert_int_equal(msi3_take(&k.d, 50), 0);
	assert_int_equal(cfg32(&k.d, 0x54), 1u << 3);
	cmd |= 4u;
	assert_int_equal(hzip_model_cfg_write(k.d.m, 4, &cmd, 2), 0);
	assert_int_equal(msi3_take(&k.d, 1000), 1);
	assert_int_equal(cfg32(&k.d, 0x54), 0);
	/* mastering off, unmasked: a new event sends nothing, holds nothing */
	cmd &= (uint16_t)~4u;
	assert_int_equal(hzip_model_cfg_write(k.d.m, 4, &cmd, 2), 0);
	rd_wr32(&k.d, RD_ABN_SOURCE, QM_CE);
	rd_wr32(&k.d, RD_ABN_SET, QM_CE);
	assert_int_equal(msi3_take(&k.d, 50), 0);
	assert_int_equal(cfg32(&k.d, 0x54), 0);
	rd_close(&k.d);
}

/* MSI enabled again (VFIO_DEVICE_SET_IRQS): the vectors set up come back unmasked. */
static void
test_msi_reenable_unmasks(void **state)
{
	struct kdev k;

	(void)state;
	kdev_open(&k, "", false);
	cfg32_set(&k.d, 0x50, 0xf);
	hzip_model_irq_disable(k.d.m);
	assert_int_equal(hzip_model_irq_enable(k.d.m, k.d.nvec, k.d.efd), 0);
	assert_int_equal(cfg32(&k.d, 0x50), 0);
	assert_int_equal(derr(&k.d), 0);
	rd_close(&k.d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_start_normal),
		cmocka_unit_test(test_drain_never_started),
		cmocka_unit_test(test_flr_pf),
		cmocka_unit_test(test_flr_vf),
		cmocka_unit_test(test_controller_reset_after_ecc),
		cmocka_unit_test(test_close_axi_master_ooo_blocks),
		cmocka_unit_test(test_error_inject_recover),
		cmocka_unit_test(test_debugfs_pf),
		cmocka_unit_test(test_debugfs_cmd_dumps),
		cmocka_unit_test(test_eq_doorbell_idle),
		cmocka_unit_test(test_msi_mask_bits),
		cmocka_unit_test(test_status_after_uninit),
		cmocka_unit_test(test_vft_vfs_readback),
		cmocka_unit_test(test_msi_held_without_master),
		cmocka_unit_test(test_msi_reenable_unmasks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
