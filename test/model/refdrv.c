/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-only reference driver: see refdrv.h. Written from the hardware
 * reference; section numbers in brackets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_pause.h>

#include "refdrv.h"

struct rd_mem {
	void *va;
	size_t len;
	bool mapped;
	struct rd_mem *next;
};

#define RD_POLL_TIMEOUT_US	1000000ull	/* mailbox, VFT, memory init */

uint64_t
rd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

static void
rd_pause_us(unsigned int us)
{
	struct timespec ts = { 0, (long)us * 1000 };

	nanosleep(&ts, NULL);
}

uint32_t
rd_rd32(struct rd_dev *d, uint64_t off)
{
	return hzip_model_read32(d->m, RD_BAR, off);
}

void
rd_wr32(struct rd_dev *d, uint64_t off, uint32_t v)
{
	hzip_model_write32(d->m, RD_BAR, off, v);
}

/* ---- memory ------------------------------------------------------------------ */

static void *
alloc_mem(struct rd_dev *d, size_t len, size_t align, bool map)
{
	struct rd_mem *mem = calloc(1, sizeof(*mem));
	size_t sz;
	void *p;

	if (mem == NULL)
		return NULL;
	if (align < 64)
		align = 64;
	sz = (len + align - 1) / align * align;
	if (sz == 0)
		sz = align;
	p = aligned_alloc(align, sz);
	if (p == NULL) {
		free(mem);
		return NULL;
	}
	memset(p, 0, sz);
	if (map && hzip_model_dma_map(d->m, (uint64_t)(uintptr_t)p, (uint64_t)(uintptr_t)p,
				      sz) < 0) {
		free(p);
		free(mem);
		return NULL;
	}
	mem->va = p;
	mem->len = sz;
	mem->mapped = map;
	mem->next = d->mems;
	d->mems = mem;
	return p;
}

void *
rd_alloc(struct rd_dev *d, size_t len, size_t align)
{
	return alloc_mem(d, len, align, true);
}

void *
rd_alloc_unmapped(struct rd_dev *d, size_t len, size_t align)
{
	return alloc_mem(d, len, align, false);
}

void
rd_free(struct rd_dev *d, void *p)
{
	struct rd_mem **pp;

	for (pp = &d->mems; *pp != NULL; pp = &(*pp)->next) {
		struct rd_mem *mem = *pp;

		if (mem->va != p)
			continue;
		if (mem->mapped)
			hzip_model_dma_unmap(d->m, (uint64_t)(uintptr_t)p, mem->len);
		*pp = mem->next;
		free(mem->va);
		free(mem);
		return;
	}
}

/* ---- open / close ------------------------------------------------------------ */

int
rd_open_params(struct rd_dev *d, const struct hzip_model_params *p)
{
	uint16_t cmd;
	int ret;

	memset(d, 0, sizeof(*d));
	for (unsigned int i = 0; i < 4; i++)
		d->efd[i] = -1;
	ret = hzip_model_create(p, &d->m);
	if (ret < 0)
		return ret;
	d->vf = p->vf;
	/* 9.3 step 1: memory decoding and bus mastering */
	ret = hzip_model_cfg_read(d->m, 0x04, &cmd, sizeof(cmd));
	if (ret < 0)
		return ret;
	cmd |= 0x0006;
	return hzip_model_cfg_write(d->m, 0x04, &cmd, sizeof(cmd));
}

int
rd_open(struct rd_dev *d, const char *args)
{
	struct hzip_model_params p;
	char err[128];
	int ret;

	hzip_model_params_default(&p);
	ret = hzip_model_params_parse(args, &p, err, sizeof(err));
	if (ret < 0)
		return ret;
	return rd_open_params(d, &p);
}

void
rd_close(struct rd_dev *d)
{
	struct rd_mem *mem, *next;

	if (d->m != NULL)
		hzip_model_destroy(d->m);	/* closes the eventfds */
	d->m = NULL;
	for (mem = d->mems; mem != NULL; mem = next) {
		next = mem->next;
		free(mem->va);
		free(mem);
	}
	d->mems = NULL;
}

/* ---- mailbox [4] ---------------------------------------------------------------- */

static int
mb_wait_ready(struct rd_dev *d, uint64_t *lo, uint64_t *hi)
{
	uint64_t end = rd_now_us() + RD_POLL_TIMEOUT_US;

	for (;;) {
		hzip_model_read128(d->m, RD_BAR, RD_MAILBOX, lo, hi);
		if (!(*lo & RD_MB_BUSY))
			return 0;
		if (rd_now_us() > end)
			return -ETIMEDOUT;
		rd_pause_us(1);
	}
}

int
rd_mb(struct rd_dev *d, unsigned int cmd, bool read, uint16_t qn, uint64_t base,
      uint64_t *result)
{
	uint64_t lo, hi, w0;

	if (mb_wait_ready(d, &lo, &hi) < 0)
		return -ETIMEDOUT;
	w0 = (cmd & 0xff) | RD_MB_BUSY | (read ? RD_MB_OP_READ : 0);
	lo = w0 | ((uint64_t)qn << 16) | ((base & 0xffffffffull) << 32);
	hi = base >> 32;
	hzip_model_write128(d->m, RD_BAR, RD_MAILBOX, lo, hi);
	if (mb_wait_ready(d, &lo, &hi) < 0)
		return -ETIMEDOUT;
	if (result != NULL)
		*result = (lo >> 32) | (hi << 32);
	return (int)((lo >> 9) & 0xf);
}

/* ---- VFT [5.5] ------------------------------------------------------------------ */

static int
vft_wait_rdy(struct rd_dev *d)
{
	uint64_t end = rd_now_us() + RD_POLL_TIMEOUT_US;

	while (!(rd_rd32(d, RD_VFT_RDY) & 1)) {
		if (rd_now_us() > end)
			return -ETIMEDOUT;
		rd_pause_us(1);
	}
	return 0;
}

uint64_t
rd_sqc_vft(uint32_t base, uint32_t count)
{
	return ((uint64_t)base << 28) | (1ull << 44) | ((uint64_t)(count - 1) << 45);
}

int
rd_vft_write(struct rd_dev *d, unsigned int type, unsigned int fn, uint64_t data)
{
	if (vft_wait_rdy(d) < 0)
		return -ETIMEDOUT;
	rd_wr32(d, RD_VFT_OP_WR, 0);
	rd_wr32(d, RD_VFT_TYPE, type);
	rd_wr32(d, RD_VFT_CFG, fn);
	rd_wr32(d, RD_VFT_DATA_L, (uint32_t)data);
	rd_wr32(d, RD_VFT_DATA_H, (uint32_t)(data >> 32));
	rd_wr32(d, RD_VFT_RDY, 0);
	rd_wr32(d, RD_VFT_OP_ENABLE, 1);
	return vft_wait_rdy(d);
}

int
rd_vft_read(struct rd_dev *d, unsigned int type, unsigned int fn, uint64_t *data)
{
	if (vft_wait_rdy(d) < 0)
		return -ETIMEDOUT;
	rd_wr32(d, RD_VFT_OP_WR, 1);
	rd_wr32(d, RD_VFT_TYPE, type);
	rd_wr32(d, RD_VFT_CFG, fn);
	rd_wr32(d, RD_VFT_RDY, 0);
	rd_wr32(d, RD_VFT_OP_ENABLE, 1);
	if (vft_wait_rdy(d) < 0)
		return -ETIMEDOUT;
	*data = rd_rd32(d, RD_VFT_DATA_L) | ((uint64_t)rd_rd32(d, RD_VFT_DATA_H) << 32);
	return 0;
}

/* ---- init [9.3] ------------------------------------------------------------------ */

static int
setup_events(struct rd_dev *d, unsigned int flags)
{
	int ret;

	if (flags & RD_F_MSI) {
		d->nvec = d->vf ? 2 : 4;
		ret = hzip_model_irq_enable(d->m, d->nvec, d->efd);
		if (ret < 0)
			return ret;
	}
	if (flags & RD_F_EVENTS) {
		/* 18: EQC, AEQC [5.3]: EQ 2048 and AEQ 1024 entries of 4 bytes */
		uint32_t eqc[7];

		d->eq_depth = 2048;
		d->aeq_depth = 1024;
		d->eq = rd_alloc(d, 4u * d->eq_depth, 4096);
		d->aeq = rd_alloc(d, 4u * d->aeq_depth, 4096);
		if (d->eq == NULL || d->aeq == NULL)
			return -ENOMEM;
		d->eq_phase = 1;
		d->aeq_phase = 1;
		memset(eqc, 0, sizeof(eqc));
		eqc[1] = (uint32_t)(uintptr_t)d->eq;
		eqc[2] = (uint32_t)((uint64_t)(uintptr_t)d->eq >> 32);
		eqc[6] = (uint32_t)(d->eq_depth - 1) | (1u << 16);
		memcpy(d->ctx, eqc, sizeof(eqc));
		ret = rd_mb(d, RD_MB_EQC, false, 0, (uint64_t)(uintptr_t)d->ctx, NULL);
		if (ret != 0)
			return ret < 0 ? ret : -EIO;
		eqc[1] = (uint32_t)(uintptr_t)d->aeq;
		eqc[2] = (uint32_t)((uint64_t)(uintptr_t)d->aeq >> 32);
		eqc[6] = (uint32_t)(d->aeq_depth - 1) | (1u << 16);
		memcpy(d->ctx, eqc, sizeof(eqc));
		ret = rd_mb(d, RD_MB_AEQC, false, 0, (uint64_t)(uintptr_t)d->ctx, NULL);
		if (ret != 0)
			return ret < 0 ? ret : -EIO;
	}
	/* 19: SQC_BT, CQC_BT */
	d->sqc_bt = rd_alloc(d, 32u * d->qnum, 32);
	d->cqc_bt = rd_alloc(d, 32u * d->qnum, 32);
	if (d->sqc_bt == NULL || d->cqc_bt == NULL)
		return -ENOMEM;
	ret = rd_mb(d, RD_MB_SQC_BT, false, 0, (uint64_t)(uintptr_t)d->sqc_bt, NULL);
	if (ret == 0)
		ret = rd_mb(d, RD_MB_CQC_BT, false, 0, (uint64_t)(uintptr_t)d->cqc_bt, NULL);
	if (ret != 0)
		return ret < 0 ? ret : -EIO;
	/* 21: interrupts: AEQ and EQ doorbells with head 0, then unmask (or mask) */
	if (flags & RD_F_EVENTS) {
		hzip_model_write64(d->m, RD_BAR, RD_DB_EQ_AEQ, rd_db(0, RD_DB_AEQ, 0, 0, 0));
		hzip_model_write64(d->m, RD_BAR, RD_DB_EQ_AEQ, rd_db(0, RD_DB_EQ, 0, 0, 0));
		rd_wr32(d, RD_VF_EQ_INT_MASK, 0);
		rd_wr32(d, RD_VF_AEQ_INT_MASK, 0);
	} else {
		rd_wr32(d, RD_VF_EQ_INT_MASK, 1);
		rd_wr32(d, RD_VF_AEQ_INT_MASK, 1);
	}
	return 0;
}

int
rd_pf_init(struct rd_dev *d, unsigned int qnum, unsigned int flags)
{
	uint64_t end;
	int ret;

	d->ctx = rd_alloc(d, 64, 64);
	if (d->ctx == NULL)
		return -ENOMEM;
	/* 2: revision */
	if ((rd_rd32(d, RD_REVISION) & 0xff) != 0x21)
		return -ENODEV;
	/* 4: memory init */
	rd_wr32(d, RD_MEM_START_INIT, 1);
	if (!(flags & RD_F_NO_POLL)) {
		end = rd_now_us() + RD_POLL_TIMEOUT_US;
		while (!(rd_rd32(d, RD_MEM_INIT_DONE) & 1)) {
			if (rd_now_us() > end)
				return -ETIMEDOUT;
			rd_pause_us(10);
		}
	}
	/* 5: QM AXI user domain */
	rd_wr32(d, 0x100088, 0x40001070);
	rd_wr32(d, 0x100090, 0xfffffffe);
	rd_wr32(d, 0x100098, 0x40001070);
	rd_wr32(d, 0x1000a0, 0xfffffffe);
	rd_wr32(d, 0x1000a8, 0xffffffff);
	/* 6: QM AXI cache */
	rd_wr32(d, 0x1000ac, 0xffff);
	rd_wr32(d, 0x1000b0, 0xffffffff);
	/* 7: disable BME-triggered FLR */
	rd_wr32(d, 0x1000cc, 0x401001);
	rd_wr32(d, 0x1000d0, 0xffffffff);
	/* 8: ZIP port cache */
	rd_wr32(d, 0x301040, 0xffffffff);
	rd_wr32(d, 0x301044, 0xffffffff);
	rd_wr32(d, 0x301060, 0xffffffff);
	rd_wr32(d, 0x301064, 0xffffffff);
	/* 9: ZIP user domain */
	rd_wr32(d, 0x301110, 0x40001070);
	rd_wr32(d, 0x301140, 0x40001070);
	rd_wr32(d, 0x301128, 0x40001070);
	rd_wr32(d, 0x301134, 0x40001070);
	rd_wr32(d, 0x30111c, 0x40001070);
	/* 10: enable the cores */
	rd_wr32(d, RD_ZIP_CLOCK_GATE, 0x000100ff);
	/* 11: SQC/CQC cache and write-back */
	if (!(flags & RD_F_NO_CACHE))
		rd_wr32(d, RD_CACHE_CTL, 0x1833);
	/* 14: QM error configuration (v2 masks: NFE 0x1C57, CE 0x8) */
	rd_wr32(d, RD_ABN_SOURCE, 0x1c57 | 0x8);
	rd_wr32(d, 0x1000ec, 0x8);
	rd_wr32(d, 0x1000f8, 1);
	rd_wr32(d, 0x1000f4, 0x1c57);
	rd_wr32(d, 0x1000f0, 0);
	rd_wr32(d, RD_ABN_MASK, rd_rd32(d, RD_ABN_MASK) & ~(0x1c57u | 0x8u));
	/* 15: ZIP error configuration (v2: CE 0x1, NFE 0x7FE) */
	rd_wr32(d, RD_ZIP_CORE_SOURCE, 0x7ff);
	rd_wr32(d, 0x301160, 0x1);
	rd_wr32(d, 0x301168, 0);
	rd_wr32(d, 0x301164, 0x7fe);
	rd_wr32(d, 0x30100c, rd_rd32(d, 0x30100c) | (1u << 14));
	rd_wr32(d, RD_ZIP_CORE_MASK, 0);
	/* 17: PF VFT: SQC then CQC, base 0 */
	ret = rd_vft_write(d, 0, 0, rd_sqc_vft(0, qnum));
	if (ret == 0)
		ret = rd_vft_write(d, 1, 0, 1ull << 28);
	if (ret < 0)
		return ret;
	d->qbase = 0;
	d->qnum = qnum;
	return setup_events(d, flags);
}

int
rd_vf_init(struct rd_dev *d, unsigned int flags)
{
	uint64_t vft;
	int ret;

	d->ctx = rd_alloc(d, 64, 64);
	if (d->ctx == NULL)
		return -ENOMEM;
	ret = rd_mb(d, RD_MB_SQC_VFT, true, 0, 0, &vft);
	if (ret != 0)
		return ret < 0 ? ret : -EIO;
	d->qbase = (uint32_t)((vft >> 28) & 0xffff);
	d->qnum = (uint32_t)((vft >> 45) & 0x3ff) + 1;
	return setup_events(d, flags);
}

/* ---- queues [5], [6] ---------------------------------------------------------------- */

uint64_t
rd_db(uint16_t qn, unsigned int cmd, uint16_t rand, uint16_t index, uint16_t prio)
{
	return (uint64_t)(qn & 0xfff) | ((uint64_t)(cmd & 0xf) << 12) | ((uint64_t)rand << 16) |
	       ((uint64_t)index << 32) | ((uint64_t)prio << 48);
}

int
rd_queue_create(struct rd_dev *d, struct rd_queue *q, uint16_t qn, uint16_t depth, uint8_t type,
		uint16_t rand, bool c_flag)
{
	uint8_t c[32];
	uint64_t sq, cq;
	int ret;

	memset(q, 0, sizeof(*q));
	q->d = d;
	q->qn = qn;
	q->depth = depth;
	q->type = type;
	q->rand = rand;
	q->phase = 1;
	q->sq = rd_alloc(d, (size_t)RD_SQE_SIZE * depth, 128);
	q->cq = rd_alloc(d, (size_t)16 * depth, 32);
	if (q->sq == NULL || q->cq == NULL)
		return -ENOMEM;
	sq = (uint64_t)(uintptr_t)q->sq;
	cq = (uint64_t)(uintptr_t)q->cq;
	/* SQC [5.1] */
	memset(c, 0, sizeof(c));
	c[4] = (uint8_t)sq; c[5] = (uint8_t)(sq >> 8); c[6] = (uint8_t)(sq >> 16);
	c[7] = (uint8_t)(sq >> 24); c[8] = (uint8_t)(sq >> 32); c[9] = (uint8_t)(sq >> 40);
	c[10] = (uint8_t)(sq >> 48); c[11] = (uint8_t)(sq >> 56);
	c[12] = (uint8_t)(depth - 1); c[13] = (uint8_t)(((depth - 1) >> 8) | (7 << 4));
	c[16] = (uint8_t)rand; c[17] = (uint8_t)(rand >> 8);
	c[24] = (uint8_t)qn; c[25] = (uint8_t)(qn >> 8);
	c[26] = 1 << 4;		/* orders = 1 (kernel) */
	c[27] = type;		/* w13[11:8] */
	memcpy(d->ctx, c, sizeof(c));
	ret = rd_mb(d, RD_MB_SQC, false, qn, (uint64_t)(uintptr_t)d->ctx, NULL);
	if (ret != 0)
		return ret;
	/* CQC [5.2] */
	memset(c, 0, sizeof(c));
	c[4] = (uint8_t)cq; c[5] = (uint8_t)(cq >> 8); c[6] = (uint8_t)(cq >> 16);
	c[7] = (uint8_t)(cq >> 24); c[8] = (uint8_t)(cq >> 32); c[9] = (uint8_t)(cq >> 40);
	c[10] = (uint8_t)(cq >> 48); c[11] = (uint8_t)(cq >> 56);
	c[12] = (uint8_t)(depth - 1); c[13] = (uint8_t)(((depth - 1) >> 8) | (4 << 4));
	c[16] = (uint8_t)rand; c[17] = (uint8_t)(rand >> 8);
	c[24] = 1 | (c_flag ? 2 : 0);	/* phase 1, c_flag */
	memcpy(d->ctx, c, sizeof(c));
	return rd_mb(d, RD_MB_CQC, false, qn, (uint64_t)(uintptr_t)d->ctx, NULL);
}

void
rd_ring(struct rd_queue *q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* SQEs visible before the doorbell [6.1] */
	hzip_model_write64(q->d->m, RD_BAR, RD_DB_SQ_CQ,
			   rd_db(q->qn, RD_DB_SQ, q->rand, q->sq_tail, 0));
}

int
rd_submit(struct rd_queue *q, const uint8_t *sqe, bool ring)
{
	if (q->inflight >= (unsigned int)q->depth - 1u)
		return -EBUSY;	/* one slot always stays empty [6.3] */
	memcpy(q->sq + (size_t)q->sq_tail * RD_SQE_SIZE, sqe, RD_SQE_SIZE);
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->depth);
	q->inflight++;
	if (ring)
		rd_ring(q);
	return 0;
}

int
rd_poll(struct rd_queue *q, uint8_t *sqe, uint16_t *slot, uint64_t timeout_us)
{
	const uint8_t *cqe = q->cq + (size_t)q->cq_head * 16;
	uint64_t end = rd_now_us() + timeout_us;
	uint16_t w7, head;

	for (;;) {
		w7 = __atomic_load_n((const uint16_t *)(const void *)(cqe + 14), __ATOMIC_ACQUIRE);
		if ((w7 & 1) == q->phase)
			break;
		if (rd_now_us() > end)
			return 0;
		for (int i = 0; i < 64; i++)
			rte_pause();
	}
	memcpy(&head, cqe + 8, sizeof(head));
	if (head >= q->depth)
		return -EIO;
	if (sqe != NULL)
		memcpy(sqe, q->sq + (size_t)head * RD_SQE_SIZE, RD_SQE_SIZE);
	if (slot != NULL)
		*slot = head;
	q->cq_head = (uint16_t)(q->cq_head + 1);
	if (q->cq_head == q->depth) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	q->inflight--;
	hzip_model_write64(q->d->m, RD_BAR, RD_DB_SQ_CQ,
			   rd_db(q->qn, RD_DB_CQ, q->rand, q->cq_head, 0));
	return 1;
}

void
rd_cq_arm(struct rd_queue *q)
{
	hzip_model_write64(q->d->m, RD_BAR, RD_DB_SQ_CQ,
			   rd_db(q->qn, RD_DB_CQ, q->rand, q->cq_head, 1));
}

int
rd_drain(struct rd_queue *q, uint64_t timeout_us)
{
	struct rd_dev *d = q->d;
	uint64_t end = rd_now_us() + timeout_us;
	uint8_t *buf = d->ctx;
	uint16_t sq_tail, cq_tail, sq_w11, cq_w11;
	int ret;

	for (;;) {
		ret = rd_mb(d, RD_MB_SQC, true, q->qn, (uint64_t)(uintptr_t)buf, NULL);
		if (ret != 0)
			return ret;
		memcpy(&sq_tail, buf + 2, 2);
		memcpy(&sq_w11, buf + 22, 2);
		ret = rd_mb(d, RD_MB_CQC, true, q->qn, (uint64_t)(uintptr_t)buf, NULL);
		if (ret != 0)
			return ret;
		memcpy(&cq_tail, buf + 2, 2);
		memcpy(&cq_w11, buf + 22, 2);
		if (sq_tail == cq_tail && (sq_w11 & (1u << 6)) == (cq_w11 & (1u << 6)))
			return 0;
		if (rd_now_us() > end)
			return -ETIMEDOUT;
		rd_pause_us(100);
	}
}

static int
xeq_poll(struct rd_dev *d, uint32_t *ring, uint16_t depth, uint16_t *head, uint8_t *phase,
	 unsigned int cmd, uint32_t *ent)
{
	uint32_t v;

	if (ring == NULL)
		return 0;
	v = __atomic_load_n(&ring[*head], __ATOMIC_ACQUIRE);
	if (((v >> 16) & 1) != *phase)
		return 0;
	*ent = v;
	if (++*head == depth) {
		*head = 0;
		*phase ^= 1;
	}
	hzip_model_write64(d->m, RD_BAR, RD_DB_EQ_AEQ, rd_db(0, cmd, 0, *head, 0));
	return 1;
}

int
rd_eq_poll(struct rd_dev *d, uint16_t *cqn)
{
	uint32_t v;

	if (!xeq_poll(d, d->eq, d->eq_depth, &d->eq_head, &d->eq_phase, RD_DB_EQ, &v))
		return 0;
	*cqn = (uint16_t)(v & 0xffff);
	return 1;
}

int
rd_aeq_poll(struct rd_dev *d, uint32_t *ent)
{
	return xeq_poll(d, d->aeq, d->aeq_depth, &d->aeq_head, &d->aeq_phase, RD_DB_AEQ, ent);
}

/* ---- SQEs [10] ---------------------------------------------------------------------- */

uint32_t
rd_sqe_dw(const uint8_t *sqe, unsigned int dw)
{
	uint32_t v;

	memcpy(&v, sqe + 4 * dw, 4);
	return v;
}

void
rd_sqe_set_dw(uint8_t *sqe, unsigned int dw, uint32_t v)
{
	memcpy(sqe + 4 * dw, &v, 4);
}

void
rd_sqe_flat(uint8_t *sqe, uint8_t req_type, const void *src, uint32_t in_len, void *dst,
	    uint32_t avail, uint32_t dw7)
{
	uint64_t s = (uint64_t)(uintptr_t)src, t = (uint64_t)(uintptr_t)dst;

	memset(sqe, 0, RD_SQE_SIZE);
	rd_sqe_set_dw(sqe, 4, in_len);
	rd_sqe_set_dw(sqe, 7, dw7);
	rd_sqe_set_dw(sqe, 9, req_type);
	rd_sqe_set_dw(sqe, 13, 0x7a6e0000u | in_len);	/* tag: must come back untouched */
	rd_sqe_set_dw(sqe, 14, avail);
	rd_sqe_set_dw(sqe, 18, (uint32_t)s);
	rd_sqe_set_dw(sqe, 19, (uint32_t)(s >> 32));
	rd_sqe_set_dw(sqe, 20, (uint32_t)t);
	rd_sqe_set_dw(sqe, 21, (uint32_t)(t >> 32));
}

void
rd_sqe_kernel(uint8_t *sqe, uint8_t req_type, const void *src_sgl, uint32_t slen, uint32_t sskip,
	      const void *dst_sgl, uint32_t dlen, uint32_t dskip, uint32_t tag)
{
	uint64_t s = (uint64_t)(uintptr_t)src_sgl, t = (uint64_t)(uintptr_t)dst_sgl;

	memset(sqe, 0, RD_SQE_SIZE);
	rd_sqe_set_dw(sqe, 4, slen - sskip);
	rd_sqe_set_dw(sqe, 7, sskip & 0xffffffu);
	rd_sqe_set_dw(sqe, 8, dskip & 0xffffffu);
	rd_sqe_set_dw(sqe, 9, req_type | RD_DW9_SGL);
	rd_sqe_set_dw(sqe, 13, tag);
	rd_sqe_set_dw(sqe, 14, dlen - dskip);
	rd_sqe_set_dw(sqe, 18, (uint32_t)s);
	rd_sqe_set_dw(sqe, 19, (uint32_t)(s >> 32));
	rd_sqe_set_dw(sqe, 20, (uint32_t)t);
	rd_sqe_set_dw(sqe, 21, (uint32_t)(t >> 32));
}

/* ---- hardware SGL [13] --------------------------------------------------------------- */

#define RD_SGL_HDR_SIZE		64
#define RD_SGL_ENTRY_SIZE	32

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

int
rd_sgl_create(struct rd_dev *d, struct rd_sgl *s, size_t total, unsigned int nent,
	      unsigned int capacity, enum rd_sgl_conv conv)
{
	size_t piece, off = 0;

	memset(s, 0, sizeof(*s));
	if (nent == 0 || capacity == 0 || capacity > RD_UADK_SGL_NR ||
	    (conv == RD_SGL_KERNEL && nent > capacity))
		return -EINVAL;
	s->n = nent;
	s->nhdr = (nent + capacity - 1) / capacity;
	s->total = total;
	s->ent = calloc(nent, sizeof(*s->ent));
	s->len = calloc(nent, sizeof(*s->len));
	s->hdr = calloc(s->nhdr, sizeof(*s->hdr));
	if (s->ent == NULL || s->len == NULL || s->hdr == NULL)
		goto nomem;
	piece = total / nent;
	for (unsigned int i = 0; i < nent; i++) {
		s->len[i] = (uint32_t)(i + 1 == nent ? total - off : piece);
		/* one allocation each (with a guard gap): nothing is contiguous */
		s->ent[i] = rd_alloc(d, s->len[i] + 64, 64);
		if (s->ent[i] == NULL)
			goto nomem;
		off += s->len[i];
	}
	for (unsigned int h = 0; h < s->nhdr; h++) {
		unsigned int first = h * capacity;
		unsigned int cnt = nent - first < capacity ? nent - first : capacity;
		uint16_t chain;
		uint8_t *p;

		p = rd_alloc(d, RD_SGL_HDR_SIZE + (size_t)RD_SGL_ENTRY_SIZE * capacity, 64);
		if (p == NULL)
			goto nomem;
		s->hdr[h] = p;
		switch (conv) {
		case RD_SGL_KERNEL:
			chain = (uint16_t)capacity;
			break;
		case RD_SGL_UADK:
			chain = (uint16_t)(capacity * s->nhdr);
			break;
		default:
			chain = (uint16_t)nent;
			break;
		}
		put16(p + 0x08, chain);			/* entry_sum_in_chain */
		put16(p + 0x0a, (uint16_t)cnt);		/* entry_sum_in_sgl */
		put16(p + 0x0c, (uint16_t)capacity);	/* entry_length_in_sgl */
		/* bytes 0x10-0x3f belong to the driver: fill them with a pattern */
		memset(p + 0x10, 0xd5, RD_SGL_HDR_SIZE - 0x10);
		for (unsigned int i = 0; i < cnt; i++) {
			uint8_t *e = p + RD_SGL_HDR_SIZE + (size_t)RD_SGL_ENTRY_SIZE * i;
			uint64_t a = (uint64_t)(uintptr_t)s->ent[first + i];

			memcpy(e, &a, 8);
			memset(e + 8, 0xd6, 8);		/* software word */
			memcpy(e + 0x10, &s->len[first + i], 4);
		}
		if (h > 0) {
			uint64_t a = (uint64_t)(uintptr_t)p;

			memcpy(s->hdr[h - 1], &a, 8);	/* next */
		}
	}
	s->first = s->hdr[0];
	return 0;
nomem:
	rd_sgl_free(d, s);
	return -ENOMEM;
}

static void
sgl_copy(const struct rd_sgl *s, size_t off, uint8_t *p, size_t n, bool put)
{
	for (unsigned int i = 0; i < s->n && n > 0; i++) {
		size_t k;

		if (off >= s->len[i]) {
			off -= s->len[i];
			continue;
		}
		k = s->len[i] - off < n ? s->len[i] - off : n;
		if (put)
			memcpy(s->ent[i] + off, p, k);
		else
			memcpy(p, s->ent[i] + off, k);
		p += k;
		n -= k;
		off = 0;
	}
}

void
rd_sgl_put(const struct rd_sgl *s, size_t off, const void *p, size_t n)
{
	sgl_copy(s, off, (uint8_t *)(uintptr_t)p, n, true);
}

void
rd_sgl_get(const struct rd_sgl *s, size_t off, void *p, size_t n)
{
	sgl_copy(s, off, p, n, false);
}

void
rd_sgl_free(struct rd_dev *d, struct rd_sgl *s)
{
	for (unsigned int i = 0; s->ent != NULL && i < s->n; i++)
		if (s->ent[i] != NULL)
			rd_free(d, s->ent[i]);
	for (unsigned int h = 0; s->hdr != NULL && h < s->nhdr; h++)
		if (s->hdr[h] != NULL)
			rd_free(d, s->hdr[h]);
	free(s->ent);
	free(s->len);
	free(s->hdr);
	memset(s, 0, sizeof(*s));
}

int
rd_run(struct rd_queue *q, uint8_t *sqe)
{
	int ret = rd_submit(q, sqe, true);

	if (ret < 0)
		return ret;
	return rd_poll(q, sqe, NULL, 10000000ull);
}

static const uint8_t zlib_hdr[2] = { 0x78, 0x9c };
static const uint8_t gzip_hdr[10] = { 0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03 };

int
rd_compress(struct rd_queue *q, uint8_t req, const void *in, uint32_t len, uint8_t *out,
	    uint32_t avail, uint32_t *out_len, uint32_t *status)
{
	uint32_t hl = req == RD_REQ_GZIP ? 10 : 2;
	uint8_t sqe[RD_SQE_SIZE];
	int ret;

	if (avail < hl)
		return -ENOSPC;
	memcpy(out, req == RD_REQ_GZIP ? gzip_hdr : zlib_hdr, hl);
	rd_sqe_flat(sqe, req, in, len, out + hl, avail - hl, 0);
	ret = rd_run(q, sqe);
	if (ret <= 0)
		return ret < 0 ? ret : -ETIMEDOUT;
	*status = rd_sqe_status(sqe);
	*out_len = rd_sqe_dw(sqe, 1) + hl;
	return 0;
}

int
rd_decompress(struct rd_queue *q, uint8_t req, const uint8_t *in, uint32_t len, uint8_t *out,
	      uint32_t avail, uint32_t *out_len, uint32_t *status)
{
	uint32_t hl = req == RD_REQ_GZIP ? 10 : 2;
	uint8_t sqe[RD_SQE_SIZE];
	int ret;

	if (len < hl)
		return -EINVAL;
	rd_sqe_flat(sqe, req, in + hl, len - hl, out, avail, 0);
	ret = rd_run(q, sqe);
	if (ret <= 0)
		return ret < 0 ? ret : -ETIMEDOUT;
	*status = rd_sqe_dw(sqe, 3) & (0xffu | RD_DW3_LAST_BLOCK);
	*out_len = rd_sqe_dw(sqe, 1);
	return 0;
}
