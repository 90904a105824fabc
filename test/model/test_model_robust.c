/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Robustness of the model against a hostile or buggy driver: cases found
 * by fuzz_model, each reduced to what triggers it. Whatever the driver
 * writes, the device must not crash, hang, write outside the IOMMU
 * mappings or exhaust the process; it rejects what silicon would reject
 * with a status, never by failing itself.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cmocka.h>
#include <rte_log.h>
#include <zlib.h>

#include "refdrv.h"
#include "wd_test.h"

static uint64_t
iova(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void
open_pf(struct rd_dev *d, struct rd_queue *cq, struct rd_queue *dq, const char *args)
{
	assert_int_equal(rd_open(d, args), 0);
	assert_int_equal(rd_pf_init(d, 8, 0), 0);
	assert_int_equal(rd_queue_create(d, cq, 0, 16, 0, 0, false), 0);
	assert_int_equal(rd_queue_create(d, dq, 1, 16, 1, 0, false), 0);
}

/*
 * Source and destination that overlap (a driver bug; silicon would produce
 * garbage): the engine must not hand overlapping buffers to memcpy, zlib
 * or ISA-L (undefined behaviour; the sanitizer build aborts on it).
 */
static void
test_overlapping_buffers(void **state)
{
	static const char *const engines[] = { "engine=real", "engine=store" };
	struct rd_dev d;
	struct rd_queue cq, dq;
	uint8_t sqe[RD_SQE_SIZE];

	(void)state;
	for (unsigned int e = 0; e < 2; e++) {
		uint8_t *buf;

		open_pf(&d, &cq, &dq, engines[e]);
		buf = rd_alloc(&d, 65536, 64);
		assert_non_null(buf);
		wd_test_gen(buf, 65536, WD_TEST_DATA_TEXT, 3);
		/* stateless compression, destination 22 bytes after the source */
		rd_sqe_flat(sqe, RD_REQ_ZLIB, buf, 5000, buf + 22, 8000, 0);
		assert_int_equal(rd_run(&cq, sqe), 1);
		/* destination inside the source, before it */
		rd_sqe_flat(sqe, RD_REQ_GZIP, buf + 4096, 5000, buf + 4000, 8000, 0);
		assert_int_equal(rd_run(&cq, sqe), 1);
		/* decompression of a stored block onto itself */
		{
			uLongf zl = 6000;
			uint8_t *z = malloc(zl);

			assert_int_equal(compress2(z, &zl, buf + 30000, 5000, 0), Z_OK);
			memcpy(buf, z + 2, zl - 2);
			free(z);
			rd_sqe_flat(sqe, RD_REQ_ZLIB, buf, (uint32_t)zl - 2, buf + 3, 8000, 0);
			assert_int_equal(rd_run(&dq, sqe), 1);
		}
		rd_close(&d);
	}
}

/* Peak resident set of the process, in MiB. */
static long
max_rss_mib(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return u.ru_maxrss / 1024;
}

/*
 * A cyclic SGL (its next is itself) whose 255 entries all describe the
 * same mapped 64 KiB: 1 GiB of input from 64 KiB of memory. Silicon
 * streams through it; the model must not allocate and copy the gigabyte
 * (the process would run out of memory with a few such requests: 4 GiB
 * each at most, per engine thread, kept afterwards).
 */
static void
test_sgl_cycle_memory(void **state)
{
	struct rd_dev d;
	struct rd_queue cq, dq;
	uint8_t sqe[RD_SQE_SIZE];
	uint8_t *data, *sgl, *out;
	long before, after;
	uint64_t t0;

	(void)state;
	open_pf(&d, &cq, &dq, "engine=store");
	data = rd_alloc(&d, 65536, 4096);
	sgl = rd_alloc(&d, 64 + 32 * 255, 64);
	out = rd_alloc(&d, 65536, 64);
	assert_non_null(data);
	assert_non_null(sgl);
	assert_non_null(out);
	memset(sgl + 8, 0, 8);
	sgl[0x0a] = 255;	/* entry_sum_in_sgl */
	sgl[0x0c] = 255;
	for (unsigned int i = 0; i < 255; i++) {
		uint64_t a = iova(data);
		uint32_t l = 65536;

		memcpy(sgl + 64 + 32 * i, &a, 8);
		memcpy(sgl + 64 + 32 * i + 0x10, &l, 4);
	}
	{
		uint64_t self = iova(sgl);

		memcpy(sgl, &self, 8);	/* next = itself */
	}
	before = max_rss_mib();
	t0 = rd_now_us();
	/* 1 GiB in, flat 64 KiB out */
	rd_sqe_flat(sqe, RD_REQ_ZLIB, sgl, 1u << 30, out, 65536, 0);
	rd_sqe_set_dw(sqe, 9, RD_REQ_ZLIB | RD_DW9_SGL);
	{
		/* the destination as a one-entry SGL */
		uint8_t *osgl = rd_alloc(&d, 64 + 32, 64);
		uint64_t a = iova(out), o = iova(osgl);
		uint32_t l = 65536;

		osgl[0x0a] = 1;
		memcpy(osgl + 64, &a, 8);
		memcpy(osgl + 64 + 0x10, &l, 4);
		rd_sqe_set_dw(sqe, 20, (uint32_t)o);
		rd_sqe_set_dw(sqe, 21, (uint32_t)(o >> 32));
	}
	assert_int_equal(rd_run(&cq, sqe), 1);
	after = max_rss_mib();
	print_message("cyclic SGL, 1 GiB: status 0x%02x in %.2f s, peak RSS %ld -> %ld MiB\n",
		      rd_sqe_status(sqe), (double)(rd_now_us() - t0) / 1e6, before, after);
	assert_true(rd_sqe_status(sqe) != RD_ST_OK);
	assert_true(after - before < 256);
	rd_close(&d);
}

/*
 * A function reset (or any command that pauses the engines: SQC/CQC
 * writes, EQC...) while the engines have a long backlog: 8 queues of 32
 * requests of 8 MiB each (one buffer shared by all, as a driver may). The
 * control path waits for the engines to stop between requests; it must not
 * wait for the whole backlog (on silicon an FLR or a mailbox command does
 * not wait for the queues to drain: the kernel's mailbox timeout is 1 s).
 */
static void
test_reset_under_backlog(void **state)
{
	enum { NQ = 8, PER_Q = 32, LEN = 8u << 20 };
	struct rd_dev d;
	struct rd_queue q[NQ];
	uint8_t sqe[RD_SQE_SIZE];
	uint8_t *src, *dst, b = 0x80;
	uint64_t t0, took;

	(void)state;
	assert_int_equal(rd_open(&d, "engine=real"), 0);
	assert_int_equal(rd_pf_init(&d, 16, 0), 0);
	src = rd_alloc(&d, LEN, 4096);
	dst = rd_alloc(&d, LEN + 4096, 4096);
	assert_non_null(src);
	assert_non_null(dst);
	wd_test_gen(src, LEN, WD_TEST_DATA_RANDOM, 1);
	for (unsigned int i = 0; i < NQ; i++) {
		assert_int_equal(rd_queue_create(&d, &q[i], (uint16_t)i, 64, 0, 0, false), 0);
		rd_sqe_flat(sqe, RD_REQ_GZIP, src, LEN, dst, LEN, 0);
		for (unsigned int k = 0; k < PER_Q; k++)
			assert_int_equal(rd_submit(&q[i], sqe, false), 0);
	}
	for (unsigned int i = 0; i < NQ; i++)
		rd_ring(&q[i]);
	/* the engine is inside its pass now */
	{
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	t0 = rd_now_us();
	assert_int_equal(hzip_model_cfg_write(d.m, 0x79, &b, 1), 0);	/* FLR */
	took = rd_now_us() - t0;
	print_message("FLR with %u x %u requests of 8 MiB queued: %.3f s\n", NQ, PER_Q,
		      (double)took / 1e6);
	assert_true(took < 1000000);
	/* the same backlog again, then destroy (the process closing the device) */
	assert_int_equal(rd_pf_init(&d, 16, 0), 0);
	for (unsigned int i = 0; i < NQ; i++) {
		assert_int_equal(rd_queue_create(&d, &q[i], (uint16_t)i, 64, 0, 0, false), 0);
		for (unsigned int k = 0; k < PER_Q; k++)
			assert_int_equal(rd_submit(&q[i], sqe, false), 0);
		rd_ring(&q[i]);
	}
	{
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	t0 = rd_now_us();
	rd_close(&d);
	took = rd_now_us() - t0;
	print_message("destroy with the same backlog: %.3f s\n", (double)took / 1e6);
	assert_true(took < 1000000);
}

/*
 * A driver thread rings SQ doorbells (tail 500) while another rewrites the
 * SQC of the queue, alternately 1024 and 2 deep (a driver bug: a doorbell
 * racing with a context write). The doorbell check uses the depth it read
 * before the rewrite, the tail lands after it: a 2-slot ring with tail 500.
 * The engine must never act on a tail beyond the depth (it would go round
 * the ring for ever, overtaking its own completions).
 */
static struct rd_dev race_d;
static volatile int race_stop;

static void *
race_ringer(void *arg)
{
	(void)arg;
	while (!race_stop)
		hzip_model_write64(race_d.m, RD_BAR, RD_DB_SQ_CQ, rd_db(2, RD_DB_SQ, 0, 500, 0));
	return NULL;
}

static void
race_sqc(struct rd_queue *q, unsigned int depth)
{
	uint64_t sq = iova(q->sq);
	uint8_t c[32];

	memset(c, 0, sizeof(c));
	memcpy(c + 4, &sq, 8);
	c[12] = (uint8_t)(depth - 1);
	c[13] = (uint8_t)(((depth - 1) >> 8) | (7 << 4));
	c[24] = 2;		/* cq_num */
	c[26] = 1 << 4;
	memcpy(race_d.ctx, c, 32);
	assert_int_equal(rd_mb(&race_d, RD_MB_SQC, false, 2, iova(race_d.ctx), NULL), 0);
}

static void
test_doorbell_sqc_race(void **state)
{
	struct rd_queue q;
	struct hzip_model_stats s0, s1;
	pthread_t t;
	uint64_t end;
	unsigned long iters = 0;
	bool hit = false;

	(void)state;
	assert_int_equal(rd_open(&race_d, "engine=store"), 0);
	assert_int_equal(rd_pf_init(&race_d, 8, 0), 0);
	assert_int_equal(rd_queue_create(&race_d, &q, 2, 1024, 0, 0, false), 0);
	/* engine master off: nothing runs while the race is on */
	rd_wr32(&race_d, RD_MASTER_GLOBAL_CTRL, 1);
	race_stop = 0;
	assert_int_equal(pthread_create(&t, NULL, race_ringer, NULL), 0);
	end = rd_now_us() + 3000000;
	while (rd_now_us() < end && !hit) {
		uint16_t tail, dw3;

		race_sqc(&q, 1024);
		race_sqc(&q, 2);
		assert_int_equal(rd_mb(&race_d, RD_MB_SQC, true, 2, iova(race_d.ctx), NULL), 0);
		memcpy(&tail, race_d.ctx + 2, 2);
		memcpy(&dw3, race_d.ctx + 12, 2);
		hit = tail > (dw3 & 0xfff);
		iters++;
	}
	race_stop = 1;
	pthread_join(t, NULL);
	print_message("%s after %lu SQC rewrites\n", hit ? "tail beyond the depth" : "no race",
		      iters);
	/* the engine runs again: what it does with the ring must stay bounded */
	hzip_model_stats_get(race_d.m, &s0);
	rd_wr32(&race_d, RD_MASTER_GLOBAL_CTRL, 0);
	{
		struct timespec ts = { 0, 300 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	hzip_model_stats_get(race_d.m, &s1);
	print_message("requests executed from a 2-slot ring: %lu\n",
		      (unsigned long)(s1.requests - s0.requests));
	assert_true(s1.requests - s0.requests <= 2);
	rd_close(&race_d);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlapping_buffers),
		cmocka_unit_test(test_sgl_cycle_memory),
		cmocka_unit_test(test_reset_under_backlog),
		cmocka_unit_test(test_doorbell_sqc_race),
	};

	rte_log_set_global_level(RTE_LOG_EMERG);	/* the driver errors are the point */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);	/* one test by name */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
