/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance: the mailbox [4] and the contexts it carries [5]: SQC/CQC
 * write and read, EQC/AEQC, SQC_BT/CQC_BT, SQC_VFT; error statuses; the
 * 32/64/128-bit write forms; busy protocol; VF flow; cache write-back.
 */
#include <errno.h>
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

static uint64_t
drv_errors(struct rd_dev *d)
{
	struct hzip_model_stats s;

	hzip_model_stats_get(d->m, &s);
	return s.driver_errors;
}

static uint64_t
iova(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static uint16_t
get16(const uint8_t *p, unsigned int off)
{
	uint16_t v;

	memcpy(&v, p + off, 2);
	return v;
}

static uint32_t
get32(const uint8_t *p, unsigned int off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

/* A valid SQC image [5.1] in @p c. */
static void
make_sqc(uint8_t *c, uint64_t ring, unsigned int depth, unsigned int esize_log2,
	 unsigned int type, uint16_t cqn, uint16_t rand)
{
	uint32_t dw3 = (depth - 1) | (esize_log2 << 12);
	uint16_t w13 = (uint16_t)((1u << 4) | (type << 8));

	memset(c, 0, 32);
	memcpy(c + 4, &ring, 8);
	memcpy(c + 12, &dw3, 4);
	memcpy(c + 16, &rand, 2);
	memcpy(c + 24, &cqn, 2);
	memcpy(c + 26, &w13, 2);
}

static void
make_cqc(uint8_t *c, uint64_t ring, unsigned int depth, unsigned int esize_log2)
{
	uint32_t dw3 = (depth - 1) | (esize_log2 << 12), dw6 = 1 | 2;

	memset(c, 0, 32);
	memcpy(c + 4, &ring, 8);
	memcpy(c + 12, &dw3, 4);
	memcpy(c + 24, &dw6, 4);
}

static void
test_sqc_cqc_write_read(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *buf;

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 16, 0), 0);
	assert_int_equal(rd_queue_create(&d, &q, 5, 64, 1, 0x5a, true), 0);
	buf = rd_alloc(&d, 64, 64);
	/* SQC read: the context as written, with the live head/tail */
	assert_int_equal(rd_mb(&d, RD_MB_SQC, true, 5, iova(buf), NULL), 0);
	assert_int_equal(get16(buf, 0), 0);
	assert_int_equal(get16(buf, 2), 0);
	assert_int_equal(get32(buf, 4), (uint32_t)iova(q.sq));
	assert_int_equal(get32(buf, 8), (uint32_t)(iova(q.sq) >> 32));
	assert_int_equal(get32(buf, 12), 63u | (7u << 12));
	assert_int_equal(get16(buf, 16), 0x5a);
	assert_int_equal(get16(buf, 24), 5);
	assert_int_equal((get16(buf, 26) >> 8) & 0xf, 1);
	/* CQC read: phase 1, c_flag 1 */
	assert_int_equal(rd_mb(&d, RD_MB_CQC, true, 5, iova(buf), NULL), 0);
	assert_int_equal(get32(buf, 4), (uint32_t)iova(q.cq));
	assert_int_equal(get32(buf, 12), 63u | (4u << 12));
	assert_int_equal(get16(buf, 16), 0x5a);
	assert_int_equal(get32(buf, 24) & 3, 3);
	/* BT read-back (results in base_l/h = 0x304/0x308) */
	{
		uint64_t v;

		assert_int_equal(rd_mb(&d, RD_MB_SQC_BT, true, 0, 0, &v), 0);
		assert_int_equal(v, iova(d.sqc_bt));
		assert_int_equal(rd_rd32(&d, 0x304), (uint32_t)iova(d.sqc_bt));
		assert_int_equal(rd_rd32(&d, 0x308), (uint32_t)(iova(d.sqc_bt) >> 32));
		assert_int_equal(rd_mb(&d, RD_MB_CQC_BT, true, 0, 0, &v), 0);
		assert_int_equal(v, iova(d.cqc_bt));
	}
	assert_int_equal(drv_errors(&d), 0);
	rd_close(&d);
}

static void
test_mbox_errors(void **state)
{
	struct rd_dev d;
	uint8_t *ctx, *unmapped, *ring;
	uint64_t e0;

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	/* before BT: memory init and VFT done by hand */
	d.ctx = rd_alloc(&d, 64, 64);
	ctx = d.ctx;
	ring = rd_alloc(&d, 128 * 16, 128);
	unmapped = rd_alloc_unmapped(&d, 64, 64);
	rd_wr32(&d, RD_MEM_START_INIT, 1);
	while (!(rd_rd32(&d, RD_MEM_INIT_DONE) & 1))
		;
	rd_wr32(&d, RD_ABN_MASK, 0);
	assert_int_equal(rd_vft_write(&d, 0, 0, rd_sqc_vft(0, 8)), 0);
	assert_int_equal(rd_vft_write(&d, 1, 0, 1ull << 28), 0);
	make_sqc(ctx, iova(ring), 16, 7, 0, 0, 0);
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 0, iova(ctx), NULL), 4);	/* no BT */
	assert_int_equal(rd_mb(&d, RD_MB_SQC, true, 0, iova(ctx), NULL), 4);
	/* BT must be 32-byte aligned */
	assert_int_equal(rd_mb(&d, RD_MB_SQC_BT, false, 0, iova(ctx) + 8, NULL), 6);
	d.sqc_bt = rd_alloc(&d, 32 * 8, 32);
	d.cqc_bt = rd_alloc(&d, 32 * 8, 32);
	assert_int_equal(rd_mb(&d, RD_MB_SQC_BT, false, 0, iova(d.sqc_bt), NULL), 0);
	assert_int_equal(rd_mb(&d, RD_MB_CQC_BT, false, 0, iova(d.cqc_bt), NULL), 0);
	e0 = drv_errors(&d);
	/* queue number outside the VFT */
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 8, iova(ctx), NULL), 1);
	assert_int_equal(rd_mb(&d, RD_MB_CQC, true, 200, iova(ctx), NULL), 1);
	/* unmapped context: status 2 and an AXI read error (abnormal bit 0) */
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 0, iova(unmapped), NULL), 2);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & 1, 1);
	/* unmapped read buffer: status 2, AXI write error (bit 1), memory untouched */
	rd_wr32(&d, RD_ABN_SOURCE, 3);
	make_sqc(ctx, iova(ring), 16, 7, 0, 0, 0);
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 0, iova(ctx), NULL), 0);
	memset(unmapped, 0xee, 64);
	assert_int_equal(rd_mb(&d, RD_MB_SQC, true, 0, iova(unmapped), NULL), 2);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE) & 2, 2);
	for (int i = 0; i < 64; i++)
		assert_int_equal(unmapped[i], 0xee);
	/* invalid context content */
	make_sqc(ctx, iova(ring), 16, 6, 0, 0, 0);		/* SQE size 64 */
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 1, iova(ctx), NULL), 6);
	make_sqc(ctx, iova(ring), 1, 7, 0, 0, 0);		/* depth 1 */
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 1, iova(ctx), NULL), 6);
	make_sqc(ctx, iova(ring), 2048, 7, 0, 0, 0);		/* beyond v2's 1024 */
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 1, iova(ctx), NULL), 6);
	make_sqc(ctx, iova(ring), 16, 7, 2, 0, 0);		/* type 2 */
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 1, iova(ctx), NULL), 6);
	make_sqc(ctx, iova(ring), 16, 7, 0, 9, 0);		/* cq_num outside */
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 1, iova(ctx), NULL), 6);
	make_cqc(ctx, iova(ring), 16, 5);			/* CQE size 32 */
	assert_int_equal(rd_mb(&d, RD_MB_CQC, false, 1, iova(ctx), NULL), 6);
	make_cqc(ctx, iova(ring) + 8, 16, 4);			/* misaligned CQ */
	assert_int_equal(rd_mb(&d, RD_MB_CQC, false, 1, iova(ctx), NULL), 6);
	/* SQ ring not 128-byte aligned (kernel hisi_qm_start_qp: "sq need 128 bytes alignment") */
	make_sqc(ctx, iova(ring) + 64, 8, 7, 0, 0, 0);
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 1, iova(ctx), NULL), 6);
	/* EQC/AEQC are queue 0 */
	assert_int_equal(rd_mb(&d, RD_MB_EQC, false, 1, iova(ctx), NULL), 1);
	/* unknown commands: v3-only commands, PF-VF messages, nonsense */
	assert_int_equal(rd_mb(&d, 0x7, false, 0, 0, NULL), 3);
	assert_int_equal(rd_mb(&d, 0x8, false, 0, 0, NULL), 3);
	assert_int_equal(rd_mb(&d, 0x9, false, 0, 0, NULL), 3);
	assert_int_equal(rd_mb(&d, 0xc, false, 0, 0, NULL), 3);
	assert_int_equal(rd_mb(&d, 0xff, true, 0, 0, NULL), 3);
	assert_int_equal(rd_mb(&d, RD_MB_SQC_VFT, false, 0, 0, NULL), 3);	/* read only */
	assert_int_equal(drv_errors(&d), e0 + 19);
	/* bus mastering off: no context DMA */
	{
		uint16_t cmd = 0x0002;

		assert_int_equal(hzip_model_cfg_write(d.m, 4, &cmd, 2), 0);
		make_sqc(ctx, iova(ring), 16, 7, 0, 0, 0);
		assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 0, iova(ctx), NULL), 5);
	}
	rd_close(&d);
}

static void
test_mbox_write_forms(void **state)
{
	struct rd_dev d;
	uint64_t lo, hi, e0, bt;
	uint32_t w;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 8, 0), 0);
	bt = iova(d.sqc_bt);
	/* two 64-bit writes, low then high: runs when the high half arrives */
	lo = 4 | RD_MB_BUSY | RD_MB_OP_READ;
	hzip_model_write64(d.m, 2, RD_MAILBOX, lo);
	assert_int_equal(hzip_model_read32(d.m, 2, RD_MAILBOX) & RD_MB_BUSY, RD_MB_BUSY);
	hzip_model_write64(d.m, 2, RD_MAILBOX + 8, 0);
	/* busy shows once after the command (it "takes" until the driver looks) */
	assert_int_equal(hzip_model_read32(d.m, 2, RD_MAILBOX) & RD_MB_BUSY, RD_MB_BUSY);
	w = hzip_model_read32(d.m, 2, RD_MAILBOX);
	assert_int_equal(w & RD_MB_BUSY, 0);
	assert_int_equal((w >> 9) & 0xf, 0);
	assert_int_equal(hzip_model_read32(d.m, 2, 0x304), (uint32_t)bt);
	assert_int_equal(hzip_model_read32(d.m, 2, 0x308), (uint32_t)(bt >> 32));
	/* high half first, then low */
	hzip_model_write64(d.m, 2, RD_MAILBOX + 8, 0);
	hzip_model_write64(d.m, 2, RD_MAILBOX, 5 | RD_MB_BUSY | RD_MB_OP_READ);
	hzip_model_read128(d.m, 2, RD_MAILBOX, &lo, &hi);
	assert_int_equal(lo & RD_MB_BUSY, RD_MB_BUSY);
	hzip_model_read128(d.m, 2, RD_MAILBOX, &lo, &hi);
	assert_int_equal(lo & RD_MB_BUSY, 0);
	assert_int_equal(lo >> 32, (uint32_t)iova(d.cqc_bt));
	/* four 32-bit writes, w0 (with busy) last */
	hzip_model_write32(d.m, 2, RD_MAILBOX + 4, 0);
	hzip_model_write32(d.m, 2, RD_MAILBOX + 8, 0);
	hzip_model_write32(d.m, 2, RD_MAILBOX + 12, 0);
	hzip_model_write32(d.m, 2, RD_MAILBOX, 6 | RD_MB_BUSY | RD_MB_OP_READ);
	(void)hzip_model_read32(d.m, 2, RD_MAILBOX);
	w = hzip_model_read32(d.m, 2, RD_MAILBOX);
	assert_int_equal(w & (RD_MB_BUSY | 0x1e00), 0);
	assert_int_equal(hzip_model_read32(d.m, 2, 0x304) |
			 (uint64_t)hzip_model_read32(d.m, 2, 0x308) << 32, rd_sqc_vft(0, 8));
	e0 = drv_errors(&d);
	/* a write while busy (driver did not poll) is ignored */
	hzip_model_write128(d.m, 2, RD_MAILBOX, 4 | RD_MB_BUSY | RD_MB_OP_READ, 0);
	hzip_model_write128(d.m, 2, RD_MAILBOX, 0xff | RD_MB_BUSY, 0);
	assert_int_equal(drv_errors(&d), e0 + 1);
	(void)hzip_model_read32(d.m, 2, RD_MAILBOX);
	w = hzip_model_read32(d.m, 2, RD_MAILBOX);
	assert_int_equal(w & 0xff, 4);			/* the first command's result */
	assert_int_equal((w >> 9) & 0xf, 0);
	/* a message without busy runs nothing */
	hzip_model_write128(d.m, 2, RD_MAILBOX, 0xff, 0);
	assert_int_equal(drv_errors(&d), e0 + 2);
	assert_int_equal(hzip_model_read32(d.m, 2, RD_MAILBOX) & RD_MB_BUSY, 0);
	rd_close(&d);
}

static void
test_xeqc(void **state)
{
	struct rd_dev d;
	uint8_t *buf;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 8, RD_F_EVENTS), 0);
	buf = rd_alloc(&d, 64, 64);
	assert_int_equal(rd_mb(&d, RD_MB_EQC, true, 0, iova(buf), NULL), 0);
	assert_int_equal(get32(buf, 4), (uint32_t)iova(d.eq));
	assert_int_equal(get32(buf, 24), 2047u | (1u << 16));
	assert_int_equal(rd_mb(&d, RD_MB_AEQC, true, 0, iova(buf), NULL), 0);
	assert_int_equal(get32(buf, 4), (uint32_t)iova(d.aeq));
	assert_int_equal(get32(buf, 24), 1023u | (1u << 16));
	rd_close(&d);
}

static void
test_vf_flow(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t in[256], out[1024], sqe[128];

	(void)state;
	assert_int_equal(rd_open(&d, "vf=1,queues=16,engine=store"), 0);
	/* a VF has no MEM_INIT: the PF's driver did the global init (9.3a) */
	assert_int_equal(rd_vf_init(&d, RD_F_EVENTS), 0);
	assert_int_equal(d.qbase, 64);
	assert_int_equal(d.qnum, 16);
	/* function-relative queue numbers 0..15 */
	assert_int_equal(rd_queue_create(&d, &q, 16, 8, 0, 0, false), 1);
	assert_int_equal(rd_queue_create(&d, &q, 15, 8, 0, 0, false), 0);
	memset(in, 'v', sizeof(in));
	{
		uint8_t *src = rd_alloc(&d, sizeof(in), 64), *dst = rd_alloc(&d, sizeof(out), 64);

		memcpy(src, in, sizeof(in));
		rd_sqe_flat(sqe, RD_REQ_ZLIB, src, sizeof(in), dst, sizeof(out), 0);
		assert_int_equal(rd_run(&q, sqe), 1);
		assert_true(rd_sqe_status(sqe) == RD_ST_OK || rd_sqe_status(sqe) == 0x0d);
		assert_true(rd_sqe_dw(sqe, 1) > 0);
	}
	/* doorbells for queues outside the VF's range are ignored */
	{
		uint64_t e0 = 0;
		struct hzip_model_stats s;

		hzip_model_stats_get(d.m, &s);
		e0 = s.driver_errors;
		hzip_model_write64(d.m, 2, RD_DB_SQ_CQ, rd_db(16, RD_DB_SQ, 0, 1, 0));
		hzip_model_stats_get(d.m, &s);
		assert_int_equal(s.driver_errors, e0 + 1);
	}
	rd_close(&d);
}

static void
test_cache_writeback(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *src, *dst, sqe[128];

	(void)state;
	/* cached contexts (CACHE_CTL 0x1833): the BT array is written on CACHE_WB */
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 8, 0), 0);
	assert_int_equal(rd_queue_create(&d, &q, 2, 16, 0, 0, false), 0);
	for (int i = 0; i < 32; i++)
		assert_int_equal(d.sqc_bt[2 * 32 + i], 0);
	src = rd_alloc(&d, 512, 64);
	dst = rd_alloc(&d, 4096, 64);
	memset(src, 'c', 512);
	for (int i = 0; i < 5; i++) {
		rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 512, dst, 4096, 0);
		assert_int_equal(rd_run(&q, sqe), 1);
	}
	rd_wr32(&d, RD_CACHE_WB_START, 1);
	assert_int_equal(rd_rd32(&d, RD_CACHE_WB_DONE) & 1, 0);	/* in progress */
	assert_int_equal(rd_rd32(&d, RD_CACHE_WB_DONE) & 1, 1);
	assert_int_equal(get32(d.sqc_bt + 2 * 32, 4), (uint32_t)iova(q.sq));
	assert_int_equal(get16(d.sqc_bt + 2 * 32, 0), 5);	/* head */
	assert_int_equal(get16(d.sqc_bt + 2 * 32, 2), 5);	/* tail */
	assert_int_equal(get32(d.cqc_bt + 2 * 32, 4), (uint32_t)iova(q.cq));
	assert_int_equal(get16(d.cqc_bt + 2 * 32, 2), 5);	/* CQ tail */
	assert_int_equal(get16(d.cqc_bt + 2 * 32, 0), 5);	/* CQ head from doorbells */
	rd_close(&d);

	/* without the cache, a context write goes straight to the BT array */
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 8, RD_F_NO_CACHE), 0);
	assert_int_equal(rd_queue_create(&d, &q, 3, 16, 1, 0x77, false), 0);
	assert_int_equal(get32(d.sqc_bt + 3 * 32, 4), (uint32_t)iova(q.sq));
	assert_int_equal(get16(d.sqc_bt + 3 * 32, 16), 0x77);
	assert_int_equal(get32(d.cqc_bt + 3 * 32, 4), (uint32_t)iova(q.cq));
	rd_close(&d);
}

/* Poll w0 busy after a raw mailbox write; @return the status w0[12:9] or -1 on timeout. */
static int
mb_wait(struct rd_dev *d)
{
	uint64_t end = rd_now_us() + 1000000;
	uint32_t w;

	while ((w = hzip_model_read32(d->m, 2, RD_MAILBOX)) & RD_MB_BUSY)
		if (rd_now_us() > end)
			return -1;
	return (int)((w >> 9) & 0xf);
}

/*
 * Fields the model ignores, as settled in doc/model.md: mailbox w0 bit 8
 * ("event") and bit 15 and the token word [4.1]; EQC dw3 [5.3] (stored and
 * read back only). A mailbox read of a queue inside the VFT whose SQC/CQC
 * was never written returns 32 zero bytes. CACHE_WB writes back only the
 * queues inside the current VFT.
 */
static void
test_mbox_ignored_fields(void **state)
{
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *buf, img[32], *src, *dst, sqe[128];
	uint64_t lo, hi, e0;
	uint32_t eqc[7];
	uint16_t cqn;

	(void)state;
	assert_int_equal(rd_open(&d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&d, 8, RD_F_EVENTS), 0);
	assert_int_equal(rd_queue_create(&d, &q, 2, 16, 0, 0, true), 0);
	buf = rd_alloc(&d, 64, 64);
	e0 = drv_errors(&d);
	/* SQC write of queue 1 with w0 bits 8 and 15 set and a token: works as without */
	make_sqc(img, iova(q.sq), 16, 7, 1, 1, 0x33);
	memcpy(d.ctx, img, sizeof(img));
	lo = RD_MB_SQC | (1u << 8) | RD_MB_BUSY | (1u << 15) | (1ull << 16) |
	     ((iova(d.ctx) & 0xffffffffull) << 32);
	hi = (iova(d.ctx) >> 32) | (0xdeadbeefull << 32);
	hzip_model_write128(d.m, 2, RD_MAILBOX, lo, hi);
	assert_int_equal(mb_wait(&d), 0);
	memset(buf, 0xa5, 64);
	assert_int_equal(rd_mb(&d, RD_MB_SQC, true, 1, iova(buf), NULL), 0);
	assert_memory_equal(buf, img, 32);
	/* the same for a read: bits 8/15 and the token change nothing */
	memset(buf, 0xa5, 64);
	lo = RD_MB_SQC | (1u << 8) | RD_MB_BUSY | RD_MB_OP_READ | (1u << 15) | (1ull << 16) |
	     ((iova(buf) & 0xffffffffull) << 32);
	hi = (iova(buf) >> 32) | (0x5a5a5a5aull << 32);
	hzip_model_write128(d.m, 2, RD_MAILBOX, lo, hi);
	assert_int_equal(mb_wait(&d), 0);
	assert_memory_equal(buf, img, 32);
	/* a queue inside the VFT that was never configured reads as zeros */
	for (unsigned int cmd = RD_MB_SQC; cmd <= RD_MB_CQC; cmd++) {
		memset(buf, 0xa5, 64);
		assert_int_equal(rd_mb(&d, cmd, true, 6, iova(buf), NULL), 0);
		for (unsigned int i = 0; i < 32; i++)
			assert_int_equal(buf[i], 0);
		assert_int_equal(buf[32], 0xa5);	/* 32 bytes, no more */
	}
	assert_int_equal(drv_errors(&d), e0);
	/* EQC dw3 (the v1 entry size) is stored and read back, and changes nothing */
	memset(eqc, 0, sizeof(eqc));
	eqc[1] = (uint32_t)iova(d.eq);
	eqc[2] = (uint32_t)(iova(d.eq) >> 32);
	eqc[3] = 0xffffffffu;
	eqc[6] = (uint32_t)(d.eq_depth - 1) | (1u << 16);
	memcpy(d.ctx, eqc, sizeof(eqc));
	assert_int_equal(rd_mb(&d, RD_MB_EQC, false, 0, iova(d.ctx), NULL), 0);
	assert_int_equal(rd_mb(&d, RD_MB_EQC, true, 0, iova(buf), NULL), 0);
	assert_int_equal(get32(buf, 12), 0xffffffffu);
	src = rd_alloc(&d, 64, 64);
	dst = rd_alloc(&d, 256, 64);
	rd_sqe_flat(sqe, RD_REQ_ZLIB, src, 64, dst, 256, 0);
	assert_int_equal(rd_run(&q, sqe), 1);
	{
		uint64_t end = rd_now_us() + 5000000;

		while (rd_eq_poll(&d, &cqn) == 0)
			assert_true(rd_now_us() < end);
	}
	assert_int_equal(cqn, 2);
	/* CACHE_WB: queues 1 and 2 are inside an 8-queue VFT, then only queue 1 */
	memset(d.sqc_bt, 0, 32u * 8);
	memset(d.cqc_bt, 0, 32u * 8);
	rd_wr32(&d, RD_CACHE_WB_START, 1);
	(void)rd_rd32(&d, RD_CACHE_WB_DONE);
	assert_int_equal(rd_rd32(&d, RD_CACHE_WB_DONE) & 1, 1);
	assert_int_equal(get32(d.sqc_bt + 1 * 32, 4), (uint32_t)iova(q.sq));
	assert_int_equal(get32(d.sqc_bt + 2 * 32, 4), (uint32_t)iova(q.sq));
	assert_int_equal(get32(d.cqc_bt + 2 * 32, 4), (uint32_t)iova(q.cq));
	assert_int_equal(get32(d.sqc_bt + 6 * 32, 4), 0);	/* never configured */
	assert_int_equal(rd_vft_write(&d, 0, 0, rd_sqc_vft(0, 2)), 0);
	memset(d.sqc_bt, 0, 32u * 8);
	memset(d.cqc_bt, 0, 32u * 8);
	rd_wr32(&d, RD_CACHE_WB_START, 1);
	(void)rd_rd32(&d, RD_CACHE_WB_DONE);
	assert_int_equal(rd_rd32(&d, RD_CACHE_WB_DONE) & 1, 1);
	assert_int_equal(get32(d.sqc_bt + 1 * 32, 4), (uint32_t)iova(q.sq));
	for (unsigned int i = 0; i < 32; i++) {
		assert_int_equal(d.sqc_bt[2 * 32 + i], 0);
		assert_int_equal(d.cqc_bt[2 * 32 + i], 0);
	}
	rd_close(&d);
}

/* Split mailbox stores (2 x 64, 4 x 32 bits) are accepted, and the trace shows them. */
static void
test_mbox_split_trace(void **state)
{
	char path[] = "/tmp/hzm-mbtrace-XXXXXX", args[96], line[512];
	unsigned int w64 = 0, w32 = 0, mb_ok = 0;
	struct rd_dev d;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(args, sizeof(args), "trace=%s", path);
	assert_int_equal(rd_open(&d, args), 0);
	assert_int_equal(rd_pf_init(&d, 8, 0), 0);
	hzip_model_write64(d.m, 2, RD_MAILBOX, RD_MB_SQC_BT | RD_MB_BUSY | RD_MB_OP_READ);
	hzip_model_write64(d.m, 2, RD_MAILBOX + 8, 0);
	assert_int_equal(mb_wait(&d), 0);
	hzip_model_write32(d.m, 2, RD_MAILBOX + 4, 0);
	hzip_model_write32(d.m, 2, RD_MAILBOX + 8, 0);
	hzip_model_write32(d.m, 2, RD_MAILBOX + 12, 0);
	hzip_model_write32(d.m, 2, RD_MAILBOX, RD_MB_CQC_BT | RD_MB_BUSY | RD_MB_OP_READ);
	assert_int_equal(mb_wait(&d), 0);
	rd_close(&d);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, " W64 0x000300 ") != NULL ||
		    strstr(line, " W64 0x000308 ") != NULL)
			w64++;
		if (strstr(line, " W32 0x00030") != NULL)
			w32++;
		if (strstr(line, " MB cmd=SQC_BT(4) op=read ") != NULL ||
		    strstr(line, " MB cmd=CQC_BT(5) op=read ") != NULL)
			mb_ok += strstr(line, "status=0") != NULL;
	}
	fclose(f);
	unlink(path);
	assert_int_equal(w64, 2);
	assert_int_equal(w32, 4);
	assert_int_equal(mb_ok, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqc_cqc_write_read),
		cmocka_unit_test(test_mbox_errors),
		cmocka_unit_test(test_mbox_write_forms),
		cmocka_unit_test(test_xeqc),
		cmocka_unit_test(test_vf_flow),
		cmocka_unit_test(test_cache_writeback),
		cmocka_unit_test(test_mbox_ignored_fields),
		cmocka_unit_test(test_mbox_split_trace),
	};

	return cmocka_run_group_tests_name("model_mbox", tests, NULL, NULL);
}
