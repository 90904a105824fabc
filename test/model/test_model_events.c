/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance: event queues and interrupts [5.2-5.4], [8]: c_flag and its
 * re-arm by a CQ doorbell with priority 1, EQEs {cqn, phase}, interrupt
 * source/mask registers, MSI vectors on eventfds, AEQ events for CQ
 * overflow and EQ overflow.
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

/* Wait until the CQE at the queue's head carries the expected phase (no consuming). */
static bool
cqe_visible(struct rd_queue *q, unsigned int ahead, uint64_t timeout_us)
{
	unsigned int idx = (q->cq_head + ahead) % q->depth;
	uint8_t phase = (q->cq_head + ahead) >= q->depth ? q->phase ^ 1 : q->phase;
	uint64_t end = rd_now_us() + timeout_us;

	while (rd_now_us() < end) {
		uint16_t w7 = __atomic_load_n((uint16_t *)(void *)(q->cq + 16 * idx + 14),
					      __ATOMIC_ACQUIRE);

		if ((w7 & 1) == phase)
			return true;
		usleep(50);
	}
	return false;
}

/*
 * Wait (up to 5 s) for an interrupt source register to read @p want: the
 * EQE and its source bit come after the CQE, as on silicon.
 */
static uint32_t
source_wait(struct rd_dev *d, uint32_t reg, uint32_t want)
{
	uint64_t end = rd_now_us() + 5000000;
	uint32_t v;

	while ((v = rd_rd32(d, reg)) != want && rd_now_us() < end)
		usleep(50);
	return v;
}

struct env {
	struct rd_dev d;
	uint8_t *src, *dst;
	uint8_t sqe[128];
};

static void
env_open(struct env *e, const char *args, unsigned int flags)
{
	assert_int_equal(rd_open(&e->d, args), 0);
	if (e->d.vf)
		assert_int_equal(rd_vf_init(&e->d, flags), 0);
	else
		assert_int_equal(rd_pf_init(&e->d, 8, flags), 0);
	e->src = rd_alloc(&e->d, 256, 64);
	e->dst = rd_alloc(&e->d, 4096, 64);
	rd_sqe_flat(e->sqe, RD_REQ_ZLIB, e->src, 256, e->dst, 4096, 0);
}

static void
test_eq_c_flag(void **state)
{
	struct env e;
	struct rd_queue q;
	uint16_t cqn;

	(void)state;
	env_open(&e, "engine=store", RD_F_EVENTS | RD_F_MSI);
	assert_int_equal(rd_queue_create(&e.d, &q, 5, 16, 0, 0, true), 0);
	/* c_flag = 1 at creation: the first completion posts an EQE and signals vector 0 */
	assert_int_equal(rd_submit(&q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
	/* the EQE and the MSI come after the CQE, as on silicon: wait for them */
	assert_int_equal(efd_wait(e.d.efd[0]), 1);
	assert_int_equal(rd_rd32(&e.d, RD_VF_EQ_INT_SOURCE), 1);
	assert_int_equal(rd_eq_poll(&e.d, &cqn), 1);
	assert_int_equal(cqn, 5);
	assert_int_equal(rd_eq_poll(&e.d, &cqn), 0);
	/* the EQ doorbell caught up with the EQEs: source clear */
	assert_int_equal(rd_rd32(&e.d, RD_VF_EQ_INT_SOURCE), 0);
	/* c_flag was consumed: the next completion is silent */
	assert_int_equal(rd_submit(&q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
	assert_int_equal(rd_eq_poll(&e.d, &cqn), 0);
	assert_int_equal(efd_count(e.d.efd[0]), 0);
	/* re-arm with a CQ doorbell of priority 1: the next completion raises it again */
	rd_cq_arm(&q);
	assert_int_equal(rd_submit(&q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
	/* the MSI follows the EQE, which follows the CQE: wait for it, then read the EQE */
	assert_int_equal(efd_wait(e.d.efd[0]), 1);
	assert_int_equal(rd_eq_poll(&e.d, &cqn), 1);
	assert_int_equal(cqn, 5);
	/* arming while a CQE already waits raises the event at once */
	assert_int_equal(rd_submit(&q, e.sqe, true), 0);
	assert_true(cqe_visible(&q, 0, 10000000));
	assert_int_equal(rd_eq_poll(&e.d, &cqn), 0);
	rd_cq_arm(&q);
	assert_int_equal(rd_eq_poll(&e.d, &cqn), 1);
	assert_int_equal(efd_wait(e.d.efd[0]), 1);
	assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
	/* masked (0x0c = 1): the EQE is written, no MSI; unmasking delivers it */
	rd_wr32(&e.d, RD_VF_EQ_INT_MASK, 1);
	rd_cq_arm(&q);
	assert_int_equal(rd_submit(&q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
	assert_int_equal(source_wait(&e.d, RD_VF_EQ_INT_SOURCE, 1), 1);
	assert_int_equal(efd_count(e.d.efd[0]), 0);
	rd_wr32(&e.d, RD_VF_EQ_INT_MASK, 0);
	assert_int_equal(efd_wait(e.d.efd[0]), 1);
	assert_int_equal(rd_eq_poll(&e.d, &cqn), 1);
	rd_close(&e.d);
}

static void
test_eq_many_queues(void **state)
{
	struct env e;
	struct rd_queue q[4];
	unsigned int seen[4] = { 0 };
	uint16_t cqn;

	(void)state;
	env_open(&e, "engine=store,engines=2", RD_F_EVENTS | RD_F_MSI);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rd_queue_create(&e.d, &q[i], (uint16_t)i, 8, 0, 0, true), 0);
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 4; i++) {
			uint8_t sqe[128];

			/* each queue writes its own output buffer (two engine threads) */
			rd_sqe_flat(sqe, RD_REQ_ZLIB, e.src, 256, e.dst + 1024 * i, 1024, 0);
			assert_int_equal(rd_submit(&q[i], sqe, true), 0);
		}
		for (int i = 0; i < 4; i++)
			assert_int_equal(rd_poll(&q[i], NULL, NULL, 10000000), 1);
		/*
		 * The EQE of a completion may land just after its CQE (the
		 * order is [I]): wait for this round's, then arm again. An arm
		 * before it would be taken by the completion already polled.
		 */
		for (uint64_t end = rd_now_us() + 5000000; rd_now_us() < end;) {
			unsigned int late = 0;

			if (rd_eq_poll(&e.d, &cqn) == 1) {
				assert_true(cqn < 4);
				seen[cqn]++;
			}
			for (int i = 0; i < 4; i++)
				late += seen[i] < (unsigned int)round + 1;
			if (late == 0)
				break;
		}
		for (int i = 0; i < 4; i++) {
			assert_int_equal(seen[i], round + 1);
			rd_cq_arm(&q[i]);
		}
	}
	/* nothing more: one event per armed completion (the arm after a drained CQ) */
	usleep(20000);
	while (rd_eq_poll(&e.d, &cqn) == 1) {
		assert_true(cqn < 4);
		seen[cqn]++;
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(seen[i], 20);
	{
		uint64_t msi = 0;

		for (int i = 0; i < 100 && msi < 80; i++)
			msi += efd_wait(e.d.efd[0]);
		assert_int_equal(msi, 80);
	}
	rd_close(&e.d);
}

static void
test_cq_overflow(void **state)
{
	struct env e;
	struct rd_queue q;
	uint32_t ent;
	uint16_t slot;

	(void)state;
	env_open(&e, "engine=store", RD_F_EVENTS | RD_F_MSI);
	assert_int_equal(rd_queue_create(&e.d, &q, 1, 4, 0, 0, false), 0);
	/* three completions that the driver reads without ringing the CQ doorbell */
	for (int i = 0; i < 3; i++)
		assert_int_equal(rd_submit(&q, e.sqe, i == 2), 0);
	assert_true(cqe_visible(&q, 2, 10000000));
	q.cq_head = 3;
	q.inflight = 0;
	/* the device still sees 3 of 4 CQ entries used: a 4th completion overflows */
	assert_int_equal(rd_submit(&q, e.sqe, true), 0);
	{
		uint64_t end = rd_now_us() + 10000000;

		while (rd_aeq_poll(&e.d, &ent) == 0 && rd_now_us() < end)
			usleep(100);
	}
	assert_int_equal(ent & 0xffff, 1);
	assert_int_equal((ent >> 17) & 7, 0);		/* CQ overflow */
	assert_true(efd_wait(e.d.efd[1]) >= 1);
	assert_false(cqe_visible(&q, 0, 20000));	/* held back */
	/* the CQ doorbell frees the entries: the completion is posted */
	hzip_model_write64(e.d.m, 2, RD_DB_SQ_CQ, rd_db(1, RD_DB_CQ, 0, 3, 0));
	q.inflight = 1;
	assert_int_equal(rd_poll(&q, NULL, &slot, 10000000), 1);
	assert_int_equal(slot, 3);
	rd_close(&e.d);
}

static void
test_eq_overflow(void **state)
{
	struct env e;
	struct rd_queue q;
	uint32_t eqc[7], ent = 0;
	uint32_t *ring;
	bool got = false;

	(void)state;
	env_open(&e, "engine=store", RD_F_EVENTS | RD_F_MSI);
	/* a 4-entry EQ that the driver never consumes */
	ring = rd_alloc(&e.d, 16, 64);
	memset(eqc, 0, sizeof(eqc));
	eqc[1] = (uint32_t)(uintptr_t)ring;
	eqc[2] = (uint32_t)((uint64_t)(uintptr_t)ring >> 32);
	eqc[6] = 3 | (1u << 16);
	memcpy(e.d.ctx, eqc, sizeof(eqc));
	assert_int_equal(rd_mb(&e.d, RD_MB_EQC, false, 0, (uint64_t)(uintptr_t)e.d.ctx, NULL), 0);
	assert_int_equal(rd_queue_create(&e.d, &q, 0, 8, 0, 0, true), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(rd_submit(&q, e.sqe, true), 0);
		assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
		rd_cq_arm(&q);
	}
	for (int i = 0; i < 10 && !got; i++) {
		while (rd_aeq_poll(&e.d, &ent) == 1)
			if (((ent >> 17) & 7) == 1)
				got = true;
		if (!got)
			usleep(1000);
	}
	assert_true(got);				/* EQ overflow */
	assert_int_equal(rd_rd32(&e.d, RD_ABN_SOURCE) & (1u << 11), 1u << 11);
	assert_int_equal((rd_rd32(&e.d, RD_ABN_INF00) >> 6) & 3, 1);	/* type EQ */
	assert_int_equal(ring[0] & 0xffff, 0);
	assert_int_equal((ring[2] >> 16) & 1, 1);
	rd_close(&e.d);
}

static void
test_vf_vectors(void **state)
{
	struct env e;
	struct rd_queue q;
	int efds[4];
	uint16_t cqn;

	(void)state;
	env_open(&e, "vf=1,queues=4,engine=store", RD_F_EVENTS | RD_F_MSI);
	assert_int_equal(e.d.nvec, 2);
	assert_int_equal(hzip_model_irq_enable(e.d.m, 3, efds), -EINVAL);
	assert_int_equal(hzip_model_irq_enable(e.d.m, 2, e.d.efd), 0);
	assert_int_equal(rd_queue_create(&e.d, &q, 3, 8, 0, 0, true), 0);
	assert_int_equal(rd_submit(&q, e.sqe, true), 0);
	assert_int_equal(rd_poll(&q, NULL, NULL, 10000000), 1);
	assert_int_equal(efd_wait(e.d.efd[0]), 1);
	assert_int_equal(rd_eq_poll(&e.d, &cqn), 1);
	assert_int_equal(cqn, 3);
	rd_close(&e.d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eq_c_flag),
		cmocka_unit_test(test_eq_many_queues),
		cmocka_unit_test(test_cq_overflow),
		cmocka_unit_test(test_eq_overflow),
		cmocka_unit_test(test_vf_vectors),
	};

	return cmocka_run_group_tests_name("model_events", tests, NULL, NULL);
}
