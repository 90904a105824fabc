/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance: PCI identity, config space, BAR2 register behaviour and the
 * PF initialisation sequence of reference section 9.3, through the model's
 * registers only.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
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

/* Signals on an eventfd so far (non-blocking: 0 if none). */
static uint64_t
efd_count(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

/*
 * Wait (up to 5 s) for an MSI: the device writes the event entry before it
 * signals, so a driver may see the entry first.
 */
static uint64_t
efd_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 5000) != 1)
		return 0;
	return efd_count(fd);
}

static void
test_identity_config(void **state)
{
	struct rd_dev d;
	uint8_t cfg[256];
	uint32_t bar;
	uint16_t cmd;
	int ret;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(hzip_model_vendor_id(d.m), 0x19e5);
	assert_int_equal(hzip_model_device_id(d.m), 0xa250);
	assert_int_equal(hzip_model_revision(d.m), 0x21);
	assert_int_equal(hzip_model_bar_size(d.m, 2), 4u << 20);
	assert_int_equal(hzip_model_bar_size(d.m, 0), 0);
	assert_int_equal(hzip_model_bar_size(d.m, 4), 0);
	assert_int_equal(hzip_model_cfg_read(d.m, 0, cfg, sizeof(cfg)), 0);
	assert_int_equal(cfg[0] | cfg[1] << 8, 0x19e5);
	assert_int_equal(cfg[2] | cfg[3] << 8, 0xa250);
	assert_int_equal(cfg[8], 0x21);
	assert_int_equal(cfg[9] | cfg[10] << 8 | cfg[11] << 16, 0x120000);	/* accelerator */
	assert_int_equal(cfg[0x34], 0x40);
	assert_int_equal(cfg[0x40], 0x05);				/* MSI */
	assert_int_equal((cfg[0x42] >> 1) & 7, 2);			/* 4 vectors */
	/* rd_open enabled memory + bus master */
	memcpy(&cmd, cfg + 4, 2);
	assert_int_equal(cmd & 0x6, 0x6);
	/* BAR2 sizing */
	bar = 0xffffffff;
	assert_int_equal(hzip_model_cfg_write(d.m, 0x18, &bar, 4), 0);
	assert_int_equal(hzip_model_cfg_read(d.m, 0x18, &bar, 4), 0);
	assert_int_equal(bar, 0xffc0000c);
	/* bounds */
	ret = hzip_model_cfg_read(d.m, 250, cfg, 16);
	assert_int_equal(ret, -EINVAL);
	assert_int_equal(hzip_model_cfg_write(d.m, 256, cfg, 1), -EINVAL);
	/* read-only fields stay (vendor id) */
	cmd = 0x1234;
	assert_int_equal(hzip_model_cfg_write(d.m, 0, &cmd, 2), 0);
	assert_int_equal(hzip_model_cfg_read(d.m, 0, &cmd, 2), 0);
	assert_int_equal(cmd, 0x19e5);
	rd_close(&d);

	assert_int_equal(rd_open(&d, "vf=1,queues=16"), 0);
	assert_int_equal(hzip_model_device_id(d.m), 0xa251);
	assert_int_equal(hzip_model_bar_size(d.m, 2), 64u << 10);
	assert_int_equal(hzip_model_cfg_read(d.m, 0, cfg, sizeof(cfg)), 0);
	assert_int_equal(cfg[2] | cfg[3] << 8, 0xa251);
	assert_int_equal((cfg[0x42] >> 1) & 7, 1);			/* 2 vectors */
	rd_close(&d);
}

static void
test_pf_init_sequence(void **state)
{
	struct rd_dev d;
	uint64_t vft;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	/* power-on values */
	assert_int_equal(rd_rd32(&d, RD_MEM_INIT_DONE), 0);
	assert_int_equal(rd_rd32(&d, RD_VFT_RDY), 1);
	assert_int_equal(rd_rd32(&d, RD_ABN_MASK), 0x7fff);
	assert_int_equal(rd_rd32(&d, RD_ZIP_CORE_MASK), 0x1fff);
	assert_int_equal(rd_rd32(&d, RD_ZIP_CLOCK_GATE), 0);
	assert_int_equal(rd_rd32(&d, RD_MASTER_TRANS_RETURN), 3);
	assert_int_equal(rd_rd32(&d, RD_REVISION), 0x21);
	assert_int_equal(rd_rd32(&d, RD_PEH_VENDOR_ID), 0x19e5);

	assert_int_equal(rd_pf_init(&d, 64, RD_F_EVENTS | RD_F_MSI), 0);
	assert_int_equal(drv_errors(&d), 0);
	/* storage registers keep what 9.3 wrote */
	assert_int_equal(rd_rd32(&d, 0x100088), 0x40001070);
	assert_int_equal(rd_rd32(&d, 0x1000cc), 0x401001);
	assert_int_equal(rd_rd32(&d, 0x301040), 0xffffffff);
	assert_int_equal(rd_rd32(&d, 0x301134), 0x40001070);
	assert_int_equal(rd_rd32(&d, RD_ZIP_CLOCK_GATE), 0x100ff);
	assert_int_equal(rd_rd32(&d, RD_CACHE_CTL), 0x1833);
	assert_int_equal(rd_rd32(&d, 0x30100c) & (1u << 14), 1u << 14);
	assert_int_equal(rd_rd32(&d, RD_ABN_MASK), 0x7fff & ~(0x1c57u | 0x8u));
	assert_int_equal(rd_rd32(&d, RD_MEM_INIT_DONE) & 1, 1);
	/* VFT read back (VFIO-style read protocol) */
	assert_int_equal(rd_vft_read(&d, 0, 0, &vft), 0);
	assert_int_equal(vft, rd_sqc_vft(0, 64));
	assert_int_equal(rd_vft_read(&d, 1, 0, &vft), 0);
	assert_int_equal(vft, 1ull << 28);
	/* cmd 6 on a PF gives its own SQC VFT too */
	assert_int_equal(rd_mb(&d, RD_MB_SQC_VFT, true, 0, 0, &vft), 0);
	assert_int_equal(vft, rd_sqc_vft(0, 64));
	/* PEH scratch read-back (v2 soft-reset check [2.2]) */
	rd_wr32(&d, RD_PEH_VENDOR_ID, 0x5a5a);
	assert_int_equal(rd_rd32(&d, RD_PEH_VENDOR_ID), 0x5a5a);
	rd_wr32(&d, RD_PEH_VENDOR_ID, 0x19e5);
	assert_int_equal(rd_rd32(&d, RD_PEH_VENDOR_ID), 0x19e5);
	/* v2: capability registers read 0 */
	for (uint64_t off = 0x3100; off <= 0x317c; off += 4)
		assert_int_equal(rd_rd32(&d, off), 0);
	/* idle master */
	assert_int_equal(rd_rd32(&d, RD_MASTER_TRANS_RETURN), 3);
	assert_int_equal(rd_rd32(&d, 0x1040e4) & 1, 1);	/* QM_IN_IDLE_ST */
	/* EQC mirror at 0x8000: dw1/dw2 = EQ base, dw6 = depth - 1 | phase */
	assert_int_equal(rd_rd32(&d, 0x8004), (uint32_t)(uintptr_t)d.eq);
	assert_int_equal(rd_rd32(&d, 0x8018), 2047u | (1u << 16));
	assert_int_equal(rd_rd32(&d, 0x8038), 1023u | (1u << 16));
	/* ACC master shutdown and back */
	rd_wr32(&d, RD_MASTER_GLOBAL_CTRL, 1);
	assert_int_equal(rd_rd32(&d, RD_MASTER_GLOBAL_CTRL), 1);
	assert_int_equal(rd_rd32(&d, RD_MASTER_TRANS_RETURN), 3);
	rd_wr32(&d, RD_MASTER_GLOBAL_CTRL, 0);
	/*
	 * Registers other kernels' PF init writes: HZIP_HIGH_PERF (>= 6.7,
	 * read-modify-write of bit 0, 6.7/6.8 poll until it reads back) and
	 * QM_RAS_MSI_INT_SEL (<= 5.7): storage, not driver errors
	 */
	assert_int_equal(rd_rd32(&d, 0x301208), 0);
	rd_wr32(&d, 0x301208, 1);
	assert_int_equal(rd_rd32(&d, 0x301208), 1);
	rd_wr32(&d, 0x301208, 0);
	assert_int_equal(rd_rd32(&d, 0x301208), 0);
	rd_wr32(&d, 0x1040f4, 0x1000);
	assert_int_equal(rd_rd32(&d, 0x1040f4), 0x1000);
	assert_int_equal(drv_errors(&d), 0);
	rd_close(&d);
}

static void
test_mem_init(void **state)
{
	struct rd_dev d;
	uint64_t e0, vft = 0;

	(void)state;
	/*
	 * A driver that uses the device before MEM_INIT_DONE is caught. The
	 * init is lengthened to 200 ms (20 us by default) so that a slow or busy
	 * machine (valgrind, an emulated CPU) cannot let it finish between two
	 * of these accesses.
	 */
	assert_int_equal(rd_open(&d, "mem_init_us=200000"), 0);
	d.ctx = rd_alloc(&d, 64, 64);
	e0 = drv_errors(&d);
	assert_int_equal(rd_vft_write(&d, 0, 0, rd_sqc_vft(0, 8)), 0);
	assert_true(drv_errors(&d) > e0);
	assert_int_equal(rd_mb(&d, RD_MB_SQC_BT, false, 0, (uint64_t)(uintptr_t)d.ctx, NULL),
			 5);				/* not ready */
	/* memory init takes time: the first read right after START shows 0 */
	rd_wr32(&d, RD_MEM_START_INIT, 1);
	assert_int_equal(rd_rd32(&d, RD_MEM_INIT_DONE) & 1, 0);
	/* then DONE (polled for at most 5 s) */
	for (int i = 0; i < 500 && (rd_rd32(&d, RD_MEM_INIT_DONE) & 1) == 0; i++)
		usleep(10000);
	assert_int_equal(rd_rd32(&d, RD_MEM_INIT_DONE) & 1, 1);
	/* the early VFT write was ignored */
	assert_int_equal(rd_vft_read(&d, 0, 0, &vft), 0);
	assert_int_equal(vft, 0);
	rd_close(&d);

	/* a driver that does not poll DONE: its VFT write arrives too early */
	assert_int_equal(rd_open(&d, "mem_init_us=200000"), 0);
	e0 = drv_errors(&d);
	rd_wr32(&d, RD_MEM_START_INIT, 1);
	assert_int_equal(rd_vft_write(&d, 0, 0, rd_sqc_vft(0, 8)), 0);
	assert_true(drv_errors(&d) > e0);
	rd_close(&d);
}

static void
test_vft_protocol(void **state)
{
	struct rd_dev d;
	uint64_t v, e0;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 32, 0), 0);
	/* VF entries are stored and read back, and do not change the PF's range */
	for (unsigned int fn = 1; fn < 64; fn++)
		assert_int_equal(rd_vft_write(&d, 0, fn, rd_sqc_vft(32 + fn * 8, 8)), 0);
	for (unsigned int fn = 1; fn < 64; fn += 7) {
		assert_int_equal(rd_vft_read(&d, 0, fn, &v), 0);
		assert_int_equal(v, rd_sqc_vft(32 + fn * 8, 8));
	}
	assert_int_equal(rd_mb(&d, RD_MB_SQC_VFT, true, 0, 0, &v), 0);
	assert_int_equal(v, rd_sqc_vft(0, 32));
	/* shaper VFT (type 2) is v3: error, ignored */
	e0 = drv_errors(&d);
	assert_int_equal(rd_vft_write(&d, 2, 0, 0x1234), 0);
	assert_true(drv_errors(&d) > e0);
	/* function 64 does not exist */
	e0 = drv_errors(&d);
	assert_int_equal(rd_vft_write(&d, 0, 64, rd_sqc_vft(0, 1)), 0);
	assert_true(drv_errors(&d) > e0);
	/* OP_ENABLE without clearing RDY first: protocol error, still executed */
	e0 = drv_errors(&d);
	rd_wr32(&d, RD_VFT_OP_WR, 0);
	rd_wr32(&d, RD_VFT_TYPE, 0);
	rd_wr32(&d, RD_VFT_CFG, 5);
	rd_wr32(&d, RD_VFT_DATA_L, 0);
	rd_wr32(&d, RD_VFT_DATA_H, 0);
	rd_wr32(&d, RD_VFT_OP_ENABLE, 1);
	assert_int_equal(drv_errors(&d), e0 + 1);
	assert_int_equal(rd_rd32(&d, RD_VFT_RDY) & 1, 1);
	/* queue numbers beyond the PF's 32 queues are rejected by the mailbox */
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 32, (uint64_t)(uintptr_t)d.ctx, NULL), 1);
	/* shrinking the PF's range to 0 (clearing, [9.4]) makes every queue invalid */
	assert_int_equal(rd_vft_write(&d, 0, 0, 0), 0);
	assert_int_equal(rd_mb(&d, RD_MB_SQC, false, 0, (uint64_t)(uintptr_t)d.ctx, NULL), 1);
	/* a VFT range past 1024 queues is an error: range ignored */
	e0 = drv_errors(&d);
	assert_int_equal(rd_vft_write(&d, 0, 0, rd_sqc_vft(1000, 64)), 0);
	assert_true(drv_errors(&d) > e0);
	rd_close(&d);
}

static void
test_abnormal_interrupts(void **state)
{
	struct rd_dev d;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 8, RD_F_MSI), 0);
	efd_count(d.efd[3]);
	/* injection through SET; bit 12 is unmasked by the init (NFE 0x1C57 includes it) */
	rd_wr32(&d, RD_ABN_SET, 1u << 12);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE), 1u << 12);
	assert_int_equal(rd_rd32(&d, RD_ABN_STATUS), 1u << 12);
	assert_int_equal(efd_wait(d.efd[3]), 1);
	/* W1C */
	rd_wr32(&d, RD_ABN_SOURCE, 1u << 12);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE), 0);
	assert_int_equal(rd_rd32(&d, RD_ABN_STATUS), 0);
	/* a masked source: visible in SOURCE, not in STATUS, no MSI */
	rd_wr32(&d, RD_ABN_MASK, 0x7fff);
	rd_wr32(&d, RD_ABN_SET, 1u << 13);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE), 1u << 13);
	assert_int_equal(rd_rd32(&d, RD_ABN_STATUS), 0);
	assert_int_equal(efd_count(d.efd[3]), 0);
	/* unmasking a pending source raises the interrupt */
	rd_wr32(&d, RD_ABN_MASK, 0);
	assert_int_equal(rd_rd32(&d, RD_ABN_STATUS), 1u << 13);
	assert_int_equal(efd_wait(d.efd[3]), 1);
	rd_wr32(&d, RD_ABN_SOURCE, 0xffffffff);
	assert_int_equal(rd_rd32(&d, RD_ABN_SOURCE), 0);
	/* ZIP core error registers [8.2]: SOURCE W1C, MASK, SET, STATUS */
	rd_wr32(&d, RD_ZIP_CORE_SET, 1u << 5);
	assert_int_equal(rd_rd32(&d, RD_ZIP_CORE_SOURCE), 1u << 5);
	assert_int_equal(rd_rd32(&d, RD_ZIP_CORE_STATUS), 1u << 5);
	assert_int_equal(efd_wait(d.efd[3]), 1);
	rd_wr32(&d, RD_ZIP_CORE_MASK, 1u << 5);
	assert_int_equal(rd_rd32(&d, RD_ZIP_CORE_STATUS), 0);
	rd_wr32(&d, RD_ZIP_CORE_SOURCE, 1u << 5);
	assert_int_equal(rd_rd32(&d, RD_ZIP_CORE_SOURCE), 0);
	/* no MSI with bus mastering off */
	{
		uint16_t cmd = 0x0002;

		assert_int_equal(hzip_model_cfg_write(d.m, 4, &cmd, 2), 0);
		rd_wr32(&d, RD_ABN_SET, 1u << 0);
		assert_int_equal(rd_rd32(&d, RD_ABN_STATUS), 1u << 0);
		assert_int_equal(efd_count(d.efd[3]), 0);
	}
	rd_close(&d);
}

static void
test_bad_accesses(void **state)
{
	struct rd_dev d;
	uint64_t e0, lo, hi;
	uint16_t cmd;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 8, 0), 0);
	e0 = drv_errors(&d);
	/* unknown register: write is an error, read gives 0 */
	rd_wr32(&d, 0x100500, 1);
	assert_int_equal(drv_errors(&d), e0 + 1);
	assert_int_equal(rd_rd32(&d, 0x100500), 0);
	/* read-only registers keep their value */
	rd_wr32(&d, RD_REVISION, 0x30);
	assert_int_equal(rd_rd32(&d, RD_REVISION), 0x21);
	rd_wr32(&d, RD_MEM_INIT_DONE, 0);
	assert_int_equal(rd_rd32(&d, RD_MEM_INIT_DONE), 1);
	rd_wr32(&d, RD_ABN_STATUS, 1);
	rd_wr32(&d, 0x3100, 1);			/* v3 capability register */
	rd_wr32(&d, 0x340, 1);			/* v1 doorbell: not on v2 */
	assert_int_equal(drv_errors(&d), e0 + 6);
	/* a doorbell is one 64-bit store */
	rd_wr32(&d, RD_DB_SQ_CQ, 0);
	rd_wr32(&d, RD_DB_SQ_CQ + 4, 0);
	assert_int_equal(drv_errors(&d), e0 + 8);
	/* outside BAR2, unaligned, BAR0, 128-bit outside the mailbox */
	assert_int_equal(hzip_model_read32(d.m, 2, 4u << 20), 0xffffffff);
	hzip_model_write32(d.m, 2, 4u << 20, 1);
	hzip_model_write32(d.m, 2, 0x100002, 1);
	hzip_model_write32(d.m, 0, 0, 1);
	hzip_model_write128(d.m, 2, 0x100000, 0, 0);
	assert_int_equal(drv_errors(&d), e0 + 13);
	/* memory decoding off: reads all-ones, writes dropped */
	cmd = 0x0004;
	assert_int_equal(hzip_model_cfg_write(d.m, 4, &cmd, 2), 0);
	assert_int_equal(rd_rd32(&d, RD_REVISION), 0xffffffff);
	rd_wr32(&d, RD_PEH_VENDOR_ID, 0x5a5a);
	cmd = 0x0006;
	assert_int_equal(hzip_model_cfg_write(d.m, 4, &cmd, 2), 0);
	assert_int_equal(rd_rd32(&d, RD_PEH_VENDOR_ID), 0x19e5);
	assert_int_equal(drv_errors(&d), e0 + 15);
	/* 64-bit and 128-bit reads of register pairs */
	assert_int_equal(hzip_model_read64(d.m, 2, 0x100088), 0x40001070ull);
	hzip_model_read128(d.m, 2, 0x100090, &lo, &hi);
	assert_int_equal(lo, 0xfffffffeull);
	rd_close(&d);

	/* a VF BAR2 has per-function registers only */
	assert_int_equal(rd_open(&d, "vf=1"), 0);
	e0 = drv_errors(&d);
	rd_wr32(&d, RD_ABN_MASK, 0);
	assert_int_equal(rd_rd32(&d, RD_MEM_INIT_DONE), 0xffffffff);
	assert_int_equal(drv_errors(&d), e0 + 2);
	assert_int_equal(rd_rd32(&d, RD_VF_EQ_INT_MASK), 1);
	/* a VF has no memory-enable bit of its own (vfio-pci: no_command_memory) */
	cmd = 0x0004;
	assert_int_equal(hzip_model_cfg_write(d.m, 4, &cmd, 2), 0);
	assert_int_equal(rd_rd32(&d, RD_VF_EQ_INT_MASK), 1);
	assert_int_equal(drv_errors(&d), e0 + 2);
	rd_close(&d);
}

static void
test_dfx_counters(void **state)
{
	struct rd_dev d;
	uint32_t n;

	(void)state;
	assert_int_equal(rd_open(&d, ""), 0);
	assert_int_equal(rd_pf_init(&d, 8, 0), 0);
	n = rd_rd32(&d, 0x104018);		/* QM_DFX_MB_CNT: BT commands so far */
	assert_int_equal(n, 2);
	assert_int_equal(rd_mb(&d, RD_MB_SQC_VFT, true, 0, 0, NULL), 0);
	assert_int_equal(rd_rd32(&d, 0x104018), 3);
	/* clear-on-read */
	rd_wr32(&d, 0x100118, 1);
	assert_int_equal(rd_rd32(&d, 0x104018), 3);
	assert_int_equal(rd_rd32(&d, 0x104018), 0);
	rd_wr32(&d, 0x100118, 0);
	/* selecting another function: this PF's commands are not counted there */
	rd_wr32(&d, 0x104010, 1);
	assert_int_equal(rd_rd32(&d, 0x104018), 0);
	rd_close(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_config),
		cmocka_unit_test(test_pf_init_sequence),
		cmocka_unit_test(test_mem_init),
		cmocka_unit_test(test_vft_protocol),
		cmocka_unit_test(test_abnormal_interrupts),
		cmocka_unit_test(test_bad_accesses),
		cmocka_unit_test(test_dfx_counters),
	};

	return cmocka_run_group_tests_name("model_regs", tests, NULL, NULL);
}
