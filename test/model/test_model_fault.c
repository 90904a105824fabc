/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance: fault injection (API and spec keys) and function-level
 * reset back to the power-on state [8.3].
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

struct env {
	struct rd_dev d;
	struct rd_queue q;
	uint8_t *src, *dst;
	uint8_t sqe[128];
};

static void
env_open(struct env *e, const char *args, unsigned int flags)
{
	assert_int_equal(rd_open(&e->d, args), 0);
	assert_int_equal(rd_pf_init(&e->d, 8, flags), 0);
	assert_int_equal(rd_queue_create(&e->d, &e->q, 1, 16, 0, 0, false), 0);
	e->src = rd_alloc(&e->d, 1024, 64);
	e->dst = rd_alloc(&e->d, 4096, 64);
	memset(e->src, 'f', 1024);
	rd_sqe_flat(e->sqe, RD_REQ_ZLIB, e->src, 1024, e->dst, 4096, 0);
}

static struct hzip_model_stats
stats(struct env *e)
{
	struct hzip_model_stats s;

	hzip_model_stats_get(e->d.m, &s);
	return s;
}

static uint32_t
run_status(struct env *e)
{
	uint8_t sqe[128];

	memcpy(sqe, e->sqe, sizeof(sqe));
	assert_int_equal(rd_run(&e->q, sqe), 1);
	return rd_sqe_status(sqe);
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
test_fail(void **state)
{
	struct hzip_model_faults f = { .fail_count = 2 };
	struct env e;
	uint8_t sqe[128];

	(void)state;
	env_open(&e, "engine=store", 0);
	assert_int_equal(run_status(&e), RD_ST_OK);
	hzip_model_inject(e.d.m, &f);
	/* default status 0x0e; nothing consumed or produced */
	memcpy(sqe, e.sqe, sizeof(sqe));
	assert_int_equal(rd_run(&e.q, sqe), 1);
	assert_int_equal(rd_sqe_status(sqe), RD_ST_DSTLEN_OUT);
	assert_int_equal(rd_sqe_dw(sqe, 0), 0);
	assert_int_equal(rd_sqe_dw(sqe, 1), 0);
	assert_int_equal(rd_sqe_dw(sqe, 13), rd_sqe_dw(e.sqe, 13));	/* tag kept */
	assert_int_equal(run_status(&e), RD_ST_DSTLEN_OUT);
	assert_int_equal(run_status(&e), RD_ST_OK);
	assert_int_equal(stats(&e).faults_injected, 2);
	/* with a chosen status */
	f.fail_count = 1;
	f.fail_status = RD_ST_CRC_ERR;
	hzip_model_inject(e.d.m, &f);
	assert_int_equal(run_status(&e), RD_ST_CRC_ERR);
	assert_int_equal(run_status(&e), RD_ST_OK);
	rd_close(&e.d);

	/* the same through the spec keys, armed after 2 requests */
	env_open(&e, "engine=store,fail=1,fail_status=0x10,fault_after=2", 0);
	assert_int_equal(run_status(&e), RD_ST_OK);
	assert_int_equal(run_status(&e), RD_ST_OK);
	assert_int_equal(run_status(&e), RD_ST_CRC_ERR);
	assert_int_equal(run_status(&e), RD_ST_OK);
	rd_close(&e.d);
}

static void
test_drop(void **state)
{
	struct hzip_model_faults f = { .drop_count = 1 };
	struct env e;
	uint16_t slot;

	(void)state;
	env_open(&e, "engine=store", 0);
	hzip_model_inject(e.d.m, &f);
	/* the first request never completes; the next one does, in its own slot */
	assert_int_equal(rd_submit(&e.q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&e.q, NULL, NULL, 100000), 0);
	assert_int_equal(rd_submit(&e.q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&e.q, NULL, &slot, 10000000), 1);
	assert_int_equal(slot, 1);
	/* a drain (6.4) never sees the tails meet */
	assert_int_equal(rd_drain(&e.q, 20000), -ETIMEDOUT);
	assert_int_equal(stats(&e).faults_injected, 1);
	rd_close(&e.d);

	env_open(&e, "engine=store,drop=1", 0);
	assert_int_equal(rd_submit(&e.q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&e.q, NULL, NULL, 100000), 0);
	rd_close(&e.d);
}

static void
test_bad_phase(void **state)
{
	struct hzip_model_faults f = { .bad_phase_count = 1 };
	struct env e;
	uint16_t head;

	(void)state;
	env_open(&e, "engine=store", 0);
	hzip_model_inject(e.d.m, &f);
	assert_int_equal(rd_submit(&e.q, e.sqe, true), 0);
	/* the CQE is written (sq_head 0) but with the old phase: the driver never sees it */
	assert_int_equal(rd_poll(&e.q, NULL, NULL, 100000), 0);
	memcpy(&head, e.q.cq + 8, 2);
	assert_int_equal(head, 0);
	assert_int_equal(e.q.cq[14] & 1, 0);
	assert_int_equal(stats(&e).faults_injected, 1);
	rd_close(&e.d);

	env_open(&e, "engine=store,bad_phase=1", 0);
	assert_int_equal(rd_submit(&e.q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&e.q, NULL, NULL, 100000), 0);
	rd_close(&e.d);
}

static void
test_stall(void **state)
{
	struct hzip_model_faults f = { .stall_ms = 1500 };
	struct env e;

	(void)state;
	env_open(&e, "engine=store", 0);
	hzip_model_inject(e.d.m, &f);
	assert_int_equal(rd_submit(&e.q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&e.q, NULL, NULL, 50000), 0);		/* still stalled */
	assert_int_equal(rd_poll(&e.q, NULL, NULL, 20000000), 1);	/* then completes */
	assert_int_equal(run_status(&e), RD_ST_OK);
	rd_close(&e.d);
}

static void
check_power_on(struct rd_dev *d)
{
	uint64_t v = 1;
	uint16_t cmd;

	/* config space: restored by vfio-pci around the reset (bus mastering on) */
	assert_int_equal(hzip_model_cfg_read(d->m, 4, &cmd, 2), 0);
	assert_int_equal(cmd & 0x6, 0x6);
	assert_int_equal(rd_rd32(d, RD_ZIP_CLOCK_GATE), 0);
	assert_int_equal(rd_rd32(d, RD_CACHE_CTL), 0);
	assert_int_equal(rd_rd32(d, RD_ABN_MASK), 0x7fff);
	assert_int_equal(rd_rd32(d, RD_ABN_SOURCE), 0);
	assert_int_equal(rd_rd32(d, RD_ZIP_CORE_SOURCE), 0);
	assert_int_equal(rd_rd32(d, RD_ZIP_CORE_MASK), 0x1fff);
	assert_int_equal(rd_rd32(d, RD_VF_EQ_INT_MASK), 1);
	assert_int_equal(rd_rd32(d, RD_VFT_RDY), 1);
	assert_int_equal(rd_rd32(d, 0x100088), 0);
	assert_int_equal(rd_rd32(d, 0x1000cc), 0);
	assert_int_equal(rd_rd32(d, RD_PEH_VENDOR_ID), 0x19e5);
	assert_int_equal(rd_rd32(d, RD_MASTER_GLOBAL_CTRL), 0);
	assert_int_equal(rd_rd32(d, 0x300104), 0);
	assert_int_equal(rd_rd32(d, 0x8004), 0);		/* no EQC */
	/* the FLR path does not repeat memory init [8.3]: it stays done */
	assert_int_equal(rd_rd32(d, RD_MEM_INIT_DONE) & 1, 1);
	/* VFT cleared: no queues; BTs cleared */
	assert_int_equal(rd_vft_read(d, 0, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rd_mb(d, RD_MB_SQC_VFT, true, 0, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rd_mb(d, RD_MB_SQC_BT, true, 0, 0, &v), 0);
	assert_int_equal(v, 0);
}

static void
test_ecc_and_flr(void **state)
{
	struct hzip_model_faults f = { .ecc_multi_bit = true };
	struct env e;
	struct hzip_model_stats s;

	(void)state;
	env_open(&e, "engine=store", RD_F_MSI | RD_F_EVENTS);
	efd_count(e.d.efd[3]);
	hzip_model_inject(e.d.m, &f);
	assert_int_equal(rd_submit(&e.q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&e.q, NULL, NULL, 100000), 0);
	/* QM ECC multi-bit (bit 2) and ZIP core ECC 2-bit (bit 1), MSI vector 3 */
	assert_int_equal(rd_rd32(&e.d, RD_ABN_SOURCE) & 4, 4);
	assert_int_equal(rd_rd32(&e.d, RD_ABN_STATUS) & 4, 4);
	assert_int_equal(rd_rd32(&e.d, RD_ZIP_CORE_SOURCE) & 2, 2);
	assert_int_equal(rd_rd32(&e.d, 0x300104) & 2, 2);
	assert_int_equal((rd_rd32(&e.d, 0x301148) >> 16) & 0xff, 1);
	assert_int_equal(rd_rd32(&e.d, 0x104008), 1);		/* QM_ECC_MBIT_CNT */
	assert_int_equal(efd_wait(e.d.efd[3]), 1);
	/* the engine stays halted: clearing the source does not help */
	rd_wr32(&e.d, RD_ABN_SOURCE, 0x7fff);
	assert_int_equal(rd_submit(&e.q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&e.q, NULL, NULL, 50000), 0);
	/* function-level reset: power-on state, IOMMU mappings kept */
	assert_int_equal(hzip_model_reset(e.d.m), 0);
	hzip_model_stats_get(e.d.m, &s);
	assert_int_equal(s.resets, 1);
	check_power_on(&e.d);
	/* re-initialise as the kernel does after FLR (9.3 from step 5) and run again */
	{
		uint16_t cmd = 0x6;

		assert_int_equal(hzip_model_cfg_write(e.d.m, 4, &cmd, 2), 0);
	}
	assert_int_equal(rd_pf_init(&e.d, 8, 0), 0);
	assert_int_equal(rd_queue_create(&e.d, &e.q, 1, 16, 0, 0, false), 0);
	assert_int_equal(run_status(&e), RD_ST_OK);		/* old buffers still mapped */
	rd_close(&e.d);

	/* ecc=1 spec key */
	env_open(&e, "engine=store,ecc=1", 0);
	assert_int_equal(rd_submit(&e.q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&e.q, NULL, NULL, 100000), 0);
	assert_int_equal(rd_rd32(&e.d, RD_ABN_SOURCE) & 4, 4);
	rd_close(&e.d);
}

static void
test_flr_config_space(void **state)
{
	struct env e;
	uint16_t devctl = 0x8000, cmd = 0x6;
	uint64_t v;

	(void)state;
	/* FLR started from the PCIe device control register (bit 15) */
	env_open(&e, "engine=store", RD_F_EVENTS);
	assert_int_equal(run_status(&e), RD_ST_OK);
	rd_wr32(&e.d, RD_PEH_VENDOR_ID, 0x5a5a);
	{
		/* a BAR2 address and an MSI data value that vfio-pci will restore */
		uint32_t bar = 0x80000000u, data = 0x1234;

		assert_int_equal(hzip_model_cfg_write(e.d.m, 0x18, &bar, 4), 0);
		assert_int_equal(hzip_model_cfg_write(e.d.m, 0x4c, &data, 2), 0);
	}
	assert_int_equal(hzip_model_cfg_write(e.d.m, 0x78, &devctl, 2), 0);
	check_power_on(&e.d);
	{
		uint32_t bar = 0, data = 0;
		uint16_t dc = 0xffff;

		assert_int_equal(hzip_model_cfg_read(e.d.m, 0x18, &bar, 4), 0);
		assert_int_equal(bar & 0xfffffff0u, 0x80000000u);
		assert_int_equal(hzip_model_cfg_read(e.d.m, 0x4c, &data, 2), 0);
		assert_int_equal(data, 0x1234);
		assert_int_equal(hzip_model_cfg_read(e.d.m, 0x78, &dc, 2), 0);
		assert_int_equal(dc & 0x8000, 0);	/* initiate FLR reads 0 */
	}
	/* the old queue is gone: its doorbell is an error, nothing runs */
	assert_int_equal(hzip_model_cfg_write(e.d.m, 4, &cmd, 2), 0);
	assert_int_equal(rd_submit(&e.q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&e.q, NULL, NULL, 30000), 0);
	rd_close(&e.d);

	/* a VF keeps the VFT its PF gave it */
	assert_int_equal(rd_open(&e.d, "vf=1,queues=12,engine=store"), 0);
	assert_int_equal(rd_vf_init(&e.d, 0), 0);
	assert_int_equal(hzip_model_reset(e.d.m), 0);
	assert_int_equal(hzip_model_cfg_write(e.d.m, 4, &cmd, 2), 0);
	assert_int_equal(rd_mb(&e.d, RD_MB_SQC_VFT, true, 0, 0, &v), 0);
	assert_int_equal(v, rd_sqc_vft(64, 12));
	assert_int_equal(rd_mb(&e.d, RD_MB_SQC_BT, true, 0, 0, &v), 0);
	assert_int_equal(v, 0);
	rd_close(&e.d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_bad_phase),
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_ecc_and_flr),
		cmocka_unit_test(test_flr_config_space),
	};

	return cmocka_run_group_tests_name("model_fault", tests, NULL, NULL);
}
