/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's IOMMU (hzm_iommu.h) and the ZIP engine's translation faults:
 * map/unmap rules (overlap, split, trim), accesses across adjacent
 * mappings, all-or-nothing faults with counters, lookups against a brute
 * force reference, map/unmap racing with bracketed accesses, and faults
 * of the engine on flat source, destination and context buffer with the
 * memory left untouched.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <zlib.h>

#include "test_model_zip_util.h"
#include "wd_test.h"

static uint64_t
va_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void
test_map_rules(void **state)
{
	struct hzm_iommu *m;
	static uint8_t mem[16][4096];

	(void)state;
	assert_int_equal(hzm_iommu_create(&m), 0);
	assert_int_equal(hzm_iommu_map(m, va_of(mem[0]), 0x10000, 0x4000), 0);
	/* overlaps of every shape */
	assert_int_equal(hzm_iommu_map(m, va_of(mem[4]), 0x10000, 0x4000), -EEXIST);
	assert_int_equal(hzm_iommu_map(m, va_of(mem[4]), 0xf000, 0x2000), -EEXIST);
	assert_int_equal(hzm_iommu_map(m, va_of(mem[4]), 0x13fff, 0x10), -EEXIST);
	assert_int_equal(hzm_iommu_map(m, va_of(mem[4]), 0x11000, 0x1000), -EEXIST);
	assert_int_equal(hzm_iommu_map(m, va_of(mem[4]), 0x8000, 0x10000), -EEXIST);
	/* adjacent on both sides is fine */
	assert_int_equal(hzm_iommu_map(m, va_of(mem[4]), 0x14000, 0x1000), 0);
	assert_int_equal(hzm_iommu_map(m, va_of(mem[5]), 0xf000, 0x1000), 0);
	assert_int_equal(hzm_iommu_map_count(m), 3);
	/* bad arguments */
	assert_int_equal(hzm_iommu_map(m, va_of(mem[6]), 0x40000, 0), -EINVAL);
	assert_int_equal(hzm_iommu_map(m, 0, 0x40000, 0x1000), -EINVAL);
	assert_int_equal(hzm_iommu_map(m, va_of(mem[6]), UINT64_MAX - 0xfff, 0x2000), -EINVAL);
	assert_int_equal(hzm_iommu_unmap(m, 0x40000, 0), -EINVAL);
	assert_int_equal(hzm_iommu_unmap(m, UINT64_MAX, 2), -EINVAL);
	/* the very top of the address space can be mapped */
	assert_int_equal(hzm_iommu_map(m, va_of(mem[6]), UINT64_MAX - 0xfff, 0x1000), 0);
	assert_int_equal(hzm_iommu_unmap(m, UINT64_MAX - 0xfff, 0x1000), 0);
	/* nothing there */
	assert_int_equal(hzm_iommu_unmap(m, 0x100000, 0x1000), -ENOENT);
	/* split in the middle: [0x10000,0x11000) and [0x13000,0x14000) remain */
	assert_int_equal(hzm_iommu_unmap(m, 0x11000, 0x2000), 0);
	assert_int_equal(hzm_iommu_map_count(m), 4);
	assert_null(hzm_dma_ptr(m, 0x11000, 1));
	assert_ptr_equal(hzm_dma_ptr(m, 0x10000, 0x1000), mem[0]);
	assert_ptr_equal(hzm_dma_ptr(m, 0x13000, 0x1000), mem[3]);
	/* unmap across several mappings and holes, trimming both ends */
	assert_int_equal(hzm_iommu_unmap(m, 0xf800, 0x4000), 0);
	assert_ptr_equal(hzm_dma_ptr(m, 0xf000, 0x800), mem[5]);
	assert_null(hzm_dma_ptr(m, 0xf800, 1));
	assert_null(hzm_dma_ptr(m, 0x10000, 1));
	assert_ptr_equal(hzm_dma_ptr(m, 0x13800, 0x800), mem[3] + 0x800);
	assert_ptr_equal(hzm_dma_ptr(m, 0x14000, 0x1000), mem[4]);
	assert_int_equal(hzm_iommu_map_count(m), 3);
	/* the freed range can be mapped again */
	assert_int_equal(hzm_iommu_map(m, va_of(mem[8]), 0xf800, 0x4000), 0);
	assert_ptr_equal(hzm_dma_ptr(m, 0x10000, 0x10), mem[8] + 0x800);
	hzm_iommu_destroy(m);
	hzm_iommu_destroy(NULL);
}

static void
test_access_across_and_faults(void **state)
{
	struct hzm_iommu *m;
	uint8_t *a = malloc(8192), *b = malloc(8192), buf[12288], pat[12288];

	(void)state;
	assert_int_equal(hzm_iommu_create(&m), 0);
	/* two adjacent IOVA ranges backed by unrelated memory, then a hole */
	assert_int_equal(hzm_iommu_map(m, va_of(b), 0x200000, 8192), 0);
	assert_int_equal(hzm_iommu_map(m, va_of(a), 0x202000, 4096), 0);
	for (unsigned int i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7);
	assert_int_equal(hzm_dma_write(m, 0x200000, pat, 12288), 0);
	assert_memory_equal(b, pat, 8192);
	assert_memory_equal(a, pat + 8192, 4096);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(hzm_dma_read(m, 0x201000, buf, 8192), 0);
	assert_memory_equal(buf, pat + 4096, 8192);
	assert_null(hzm_dma_ptr(m, 0x201000, 8192));      /* two mappings: no direct pointer */
	assert_non_null(hzm_dma_ptr(m, 0x201000, 4096));
	assert_int_equal(hzm_iommu_fault_count(m), 0);
	/* one byte too far: nothing copied either way, fault at the first unmapped byte */
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(hzm_dma_read(m, 0x201000, buf, 8193), -EFAULT);
	for (unsigned int i = 0; i < 8193; i++)
		assert_int_equal(buf[i], 0x5a);
	assert_int_equal(hzm_iommu_fault_count(m), 1);
	assert_int_equal(hzm_iommu_last_fault(m), 0x203000);
	assert_int_equal(hzm_dma_write(m, 0x202800, buf, 4096), -EFAULT);
	assert_memory_equal(a, pat + 8192, 4096);
	assert_int_equal(hzm_iommu_fault_count(m), 2);
	assert_int_equal(hzm_iommu_last_fault(m), 0x203000);
	assert_int_equal(hzm_dma_read(m, 0x1ff000, buf, 8192), -EFAULT);
	assert_int_equal(hzm_iommu_last_fault(m), 0x1ff000);
	/* address wrap */
	assert_int_equal(hzm_dma_read(m, UINT64_MAX - 10, buf, 100), -EFAULT);
	assert_int_equal(hzm_iommu_fault_count(m), 4);
	/* zero length: never a fault, mapped or not */
	assert_int_equal(hzm_dma_read(m, 0xdead0000, buf, 0), 0);
	assert_int_equal(hzm_dma_write(m, 0xdead0000, buf, 0), 0);
	assert_int_equal(hzm_dma_check(m, 0xdead0000, 0, NULL), 0);
	assert_non_null(hzm_dma_ptr(m, 0x200000, 0));
	assert_null(hzm_dma_ptr(m, 0xdead0000, 0));
	assert_int_equal(hzm_iommu_fault_count(m), 4);
	/* check: counted like an access, reports the first unmapped byte */
	{
		uint64_t bad = 0;

		assert_int_equal(hzm_dma_check(m, 0x200000, 12288, &bad), 0);
		assert_int_equal(hzm_dma_check(m, 0x200000, 12289, &bad), -EFAULT);
		assert_int_equal(bad, 0x203000);
		assert_int_equal(hzm_iommu_fault_count(m), 5);
	}
	/* accesses inside a bracket, nested brackets */
	hzm_iommu_begin(m);
	hzm_iommu_begin(m);
	assert_int_equal(hzm_dma_read(m, 0x200000, buf, 100), 0);
	hzm_iommu_end(m);
	assert_int_equal(hzm_dma_read(m, 0x200000, buf, 100), 0);
	hzm_iommu_end(m);
	/* and the bracket is really released: map works */
	assert_int_equal(hzm_iommu_unmap(m, 0x202000, 4096), 0);
	hzm_iommu_destroy(m);
	free(a);
	free(b);
}

/* Many random mappings: lookups agree with a linear reference. */
static void
test_lookup_many(void **state)
{
	enum { N = 5000 };
	struct hzm_iommu *m;
	static uint8_t backing[64];
	uint64_t *iova = calloc(N, sizeof(*iova)), *len = calloc(N, sizeof(*len));
	unsigned int n = 0;
	uint64_t s = 12345;

	(void)state;
	assert_int_equal(hzm_iommu_create(&m), 0);
	for (unsigned int i = 0; i < N * 2 && n < N; i++) {
		uint64_t a, l;
		bool overlap = false;
		int rc;

		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		a = (s >> 20) % (1ull << 32);
		l = 1 + (s >> 7) % 5000;
		for (unsigned int k = 0; k < n; k++)
			if (a < iova[k] + len[k] && iova[k] < a + l)
				overlap = true;
		rc = hzm_iommu_map(m, va_of(backing) + (a & 31), a, l);
		assert_int_equal(rc, overlap ? -EEXIST : 0);
		if (!overlap) {
			iova[n] = a;
			len[n] = l;
			n++;
		}
	}
	assert_int_equal(hzm_iommu_map_count(m), n);
	for (unsigned int i = 0; i < 20000; i++) {
		uint64_t a, want = 0;
		uint8_t *p;

		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		a = (s >> 20) % (1ull << 32);
		for (unsigned int k = 0; k < n; k++)
			if (a >= iova[k] && a < iova[k] + len[k])
				want = va_of(backing) + (iova[k] & 31) + (a - iova[k]);
		p = hzm_dma_ptr(m, a, 1);
		assert_int_equal(va_of(p), want);
	}
	hzm_iommu_destroy(m);
	free(iova);
	free(len);
}

struct race {
	struct hzm_iommu *m;
	uint8_t *stable;
	uint8_t *churn;
	atomic_bool stop;
	unsigned long ok;
	unsigned long faults;
	unsigned long errors;   /* checked by the main thread (cmocka is not thread-safe) */
	atomic_ulong iters;
};

static void *
race_reader(void *arg)
{
	struct race *r = arg;
	uint8_t buf[4096];

	while (!atomic_load(&r->stop)) {
		int rc;

		hzm_iommu_begin(r->m);
		/* the stable mapping never faults and always reads the right bytes */
		if (hzm_dma_read(r->m, 0x100000, buf, 4096) != 0 ||
		    memcmp(buf, r->stable, 4096) != 0)
			r->errors++;
		/* the churning one may or may not be there, but is consistent in a bracket */
		rc = hzm_dma_read(r->m, 0x200000, buf, 4096);
		if (rc == 0) {
			if (hzm_dma_ptr(r->m, 0x200000, 4096) == NULL)
				r->errors++;
			r->ok++;
		} else {
			if (rc != -EFAULT || hzm_dma_ptr(r->m, 0x200000, 4096) != NULL)
				r->errors++;
			r->faults++;
		}
		hzm_iommu_end(r->m);
		/* an access outside any bracket is safe too */
		if (hzm_dma_read(r->m, 0x100000, buf, 16) != 0)
			r->errors++;
		atomic_fetch_add(&r->iters, 1);
	}
	return NULL;
}

static void
test_map_races_with_brackets(void **state)
{
	struct race r = { 0 };
	pthread_t th;

	(void)state;
	r.stable = malloc(4096);
	r.churn = malloc(8192);
	memset(r.stable, 0x42, 4096);
	assert_int_equal(hzm_iommu_create(&r.m), 0);
	assert_int_equal(hzm_iommu_map(r.m, va_of(r.stable), 0x100000, 4096), 0);
	assert_int_equal(pthread_create(&th, NULL, race_reader, &r), 0);
	/*
	 * Churn until both sides did enough work (the reader may be scheduled
	 * late on a busy machine); the 60 s bound only prevents a hang.
	 */
	{
		time_t t0 = time(NULL);
		unsigned long i;

		for (i = 0; (i < 20000 || atomic_load(&r.iters) < 2000) && time(NULL) - t0 < 60;
		     i++) {
			/* map in two halves, unmap the middle, unmap the rest */
			assert_int_equal(hzm_iommu_map(r.m, va_of(r.churn), 0x200000, 4096), 0);
			assert_int_equal(hzm_iommu_map(r.m, va_of(r.churn) + 4096, 0x201000, 4096),
					 0);
			assert_int_equal(hzm_iommu_unmap(r.m, 0x200800, 4096), 0);
			assert_int_equal(hzm_iommu_unmap(r.m, 0x200000, 8192), 0);
		}
	}
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	assert_int_equal(r.errors, 0);
	assert_true(atomic_load(&r.iters) >= 2000);
	hzm_iommu_destroy(r.m);
	free(r.stable);
	free(r.churn);
}

/* ---- engine faults on flat buffers and the context buffer ---- */

static void
expect_fault(struct tz *t, struct tsqe *q, unsigned int dir, bool write, uint64_t iova)
{
	struct hzm_zip_result res;
	uint64_t before = hzm_iommu_fault_count(t->mmu);

	assert_int_equal(tz_exec(t, q, dir, &res), HZM_ST_AXI_ERR);
	assert_true(res.dma_fault);
	assert_int_equal(res.fault_on_write, write);
	assert_int_equal(res.fault_iova, iova);
	assert_int_equal(q->dw[0], 0);
	assert_int_equal(q->dw[1], 0);
	assert_false(tsqe_last(q));
	assert_true(hzm_iommu_fault_count(t->mmu) > before);
}

static void
check_fill(struct tz *t, uint64_t iova, uint8_t byte, uint64_t len)
{
	uint8_t *b = malloc(len);

	g_read(t, iova, b, len);
	for (uint64_t i = 0; i < len; i++)
		if (b[i] != byte)
			fail_msg("guest byte 0x%llx changed", (unsigned long long)(iova + i));
	free(b);
}

static void
test_engine_flat_faults(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(40000, WD_TEST_DATA_TEXT, 1);
	size_t zlen;
	uint8_t *z = tz_zlib_deflate(HZM_REQ_GZIP, 6, 15, d, 40000, &zlen);
	uint64_t src, dst, zs, hole;
	struct tsqe q;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	src = g_alloc(&t, 40000, 4096);
	zs = g_alloc(&t, zlen, 64);
	dst = g_alloc(&t, 65536, 4096);
	g_write(&t, src, d, 40000);
	g_write(&t, zs, z, zlen);
	for (unsigned int real = 0; real < 2; real++) {
		/* source: a hole in the middle of the input */
		hole = src + 16384;
		tz_hole(&t, hole, 4096);
		g_fill(&t, dst, 0x3c, 65536);
		tsqe_init(&q, HZM_REQ_GZIP, HZM_BUF_FLAT, 4, 0, src, 40000, dst, 65536);
		expect_fault(&t, &q, HZM_SQC_COMPRESS, false, hole);
		check_fill(&t, dst, 0x3c, 65536);
		tz_unhole(&t, hole, 4096);
		/* source entirely outside the arena */
		tsqe_init(&q, HZM_REQ_GZIP, HZM_BUF_FLAT, 4, 0, 0x1000, 100, dst, 65536);
		expect_fault(&t, &q, HZM_SQC_COMPRESS, false, 0x1000);
		/* destination: output reaches a hole; nothing before it is written */
		hole = dst + 8192;
		tz_hole(&t, hole, 4096);
		tsqe_init(&q, HZM_REQ_GZIP, HZM_BUF_FLAT, 4, 0, src, 40000, dst, 65536);
		expect_fault(&t, &q, HZM_SQC_COMPRESS, true, hole);
		check_fill(&t, dst, 0x3c, 8192);
		tsqe_init(&q, HZM_REQ_GZIP, HZM_BUF_FLAT, 0, 0, zs + 10, (uint32_t)zlen - 10, dst,
			  65536);
		expect_fault(&t, &q, HZM_SQC_DECOMPRESS, true, hole);
		check_fill(&t, dst, 0x3c, 8192);
		/* ... but a hole beyond what the output needs is never touched */
		tsqe_init(&q, HZM_REQ_GZIP, HZM_BUF_FLAT, 4, 0, src, 4000, dst, 65536);
		assert_int_equal(tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
		tz_unhole(&t, hole, 4096);
		tz_fini(&t);
		tz_init(&t, 4, HZIP_MODEL_ENGINE_STORE, HZM_ZIP_BACKEND_AUTO);
		src = g_alloc(&t, 40000, 4096);
		zs = g_alloc(&t, zlen, 64);
		dst = g_alloc(&t, 65536, 4096);
		g_write(&t, src, d, 40000);
		g_write(&t, zs, z, zlen);
	}
	tz_fini(&t);
	free(d);
	free(z);
}

static void
test_engine_ctx_faults(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(40000, WD_TEST_DATA_TEXT, 2);
	size_t zlen;
	uint8_t *z = tz_zlib_deflate(HZM_REQ_ZLIB, 6, 15, d, 40000, &zlen);
	uint64_t src, dst, zs, ctxbuf, ctx;
	struct tsqe q;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	src = g_alloc(&t, 40000, 4096);
	zs = g_alloc(&t, zlen, 64);
	dst = g_alloc(&t, 65536, 4096);
	ctxbuf = g_alloc(&t, 0x10000, 4096);
	ctx = ctxbuf + 64;
	g_write(&t, src, d, 40000);
	g_write(&t, zs, z, zlen);
	for (unsigned int dir = 0; dir < 2; dir++) {
		uint64_t in = dir == HZM_SQC_COMPRESS ? src : zs + 2;
		uint32_t in_len = dir == HZM_SQC_COMPRESS ? 10000 : 3000;
		uint32_t w[5];

		/* context address unmapped: a new stream writes its state first */
		g_fill(&t, dst, 0x3c, 65536);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_FLAT, 4,
			  HZM_DW7_STATEFUL | HZM_DW7_NEW_STREAM, in, in_len, dst, 65536);
		tsqe_set_ctx(&q, 0x20);
		expect_fault(&t, &q, dir, true, 0x20);
		check_fill(&t, dst, 0x3c, 65536);
		/* the history part of the context unmapped */
		tz_hole(&t, ctxbuf + 0x4000, 4096);
		tsqe_set_ctx(&q, ctx);
		expect_fault(&t, &q, dir, true, ctxbuf + 0x4000);
		check_fill(&t, dst, 0x3c, 65536);
		tz_unhole(&t, ctxbuf + 0x4000, 4096);
		/* a stream goes, then its context disappears: a continuing request reads first */
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_OK);
		w[0] = q.dw[15];
		w[1] = q.dw[28];
		w[2] = q.dw[29];
		w[3] = q.dw[30];
		w[4] = q.dw[31];
		tz_hole(&t, ctxbuf, 4096);
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_FLAT, 4, HZM_DW7_STATEFUL, in + q.dw[0], in_len,
			  dst, 65536);
		tsqe_set_ctx(&q, ctx);
		q.dw[15] = w[0];
		q.dw[28] = w[1];
		q.dw[29] = w[2];
		q.dw[30] = w[3];
		q.dw[31] = w[4];
		g_fill(&t, dst, 0x3c, 65536);
		expect_fault(&t, &q, dir, false, ctx);
		check_fill(&t, dst, 0x3c, 65536);
		/* back again: the stream continues where it was */
		tz_unhole(&t, ctxbuf, 4096);
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_OK);
		/* the stateless requests never touch the context address */
		tsqe_init(&q, HZM_REQ_ZLIB, HZM_BUF_FLAT, 4, 0x0a000000, src, 1000, dst, 65536);
		tsqe_set_ctx(&q, 0x20);
		assert_int_equal(tz_exec(&t, &q, HZM_SQC_COMPRESS, NULL), HZM_ST_OK);
	}
	tz_fini(&t);
	free(d);
	free(z);
}

/* A faulting stream request writes nothing: neither output nor context. */
static void
test_engine_fault_writes_nothing(void **state)
{
	struct tz t;
	uint8_t *d = tz_data(60000, WD_TEST_DATA_TEXT, 3);
	size_t zlen;
	uint8_t *z = tz_zlib_deflate(HZM_REQ_GZIP, 6, 15, d, 60000, &zlen);
	uint8_t *before = malloc(HZM_CTX_USED), *after = malloc(HZM_CTX_USED);
	uint64_t src, dst, zs, ctx, hole;
	struct tsqe q, next;

	(void)state;
	tz_init(&t, 4, HZIP_MODEL_ENGINE_REAL, HZM_ZIP_BACKEND_AUTO);
	src = g_alloc(&t, 60000, 4096);
	zs = g_alloc(&t, zlen, 64);
	dst = g_alloc(&t, 65536, 4096);
	ctx = g_alloc(&t, 0x10000, 4096) + 64;
	g_write(&t, src, d, 60000);
	g_write(&t, zs, z, zlen);
	hole = dst + 4096;
	for (unsigned int dir = 0; dir < 2; dir++) {
		uint64_t in = dir == HZM_SQC_COMPRESS ? src : zs + 10;
		uint32_t n1 = dir == HZM_SQC_COMPRESS ? 20000 : 5000;

		/* a new stream whose source faults leaves the context as it was */
		g_fill(&t, ctx, 0x61, HZM_CTX_USED);
		tz_hole(&t, in + 4096, 4096);
		tsqe_init(&q, HZM_REQ_GZIP, HZM_BUF_FLAT, 4, HZM_DW7_STATEFUL | HZM_DW7_NEW_STREAM,
			  in, n1, dst, 65536);
		tsqe_set_ctx(&q, ctx);
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_AXI_ERR);
		check_fill(&t, ctx, 0x61, HZM_CTX_USED);
		tz_unhole(&t, in + 4096, 4096);
		/* one good request, then one whose output faults */
		tsqe_init(&q, HZM_REQ_GZIP, HZM_BUF_FLAT, 4, HZM_DW7_STATEFUL | HZM_DW7_NEW_STREAM,
			  in, n1, dst, 65536);
		tsqe_set_ctx(&q, ctx);
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_OK);
		tsqe_init(&next, HZM_REQ_GZIP, HZM_BUF_FLAT, 4, HZM_DW7_STATEFUL, in + q.dw[0], n1,
			  dst, 65536);
		tsqe_set_ctx(&next, ctx);
		next.dw[15] = q.dw[15];
		next.dw[28] = q.dw[28];
		next.dw[29] = q.dw[29];
		next.dw[30] = q.dw[30];
		next.dw[31] = q.dw[31];
		q = next;
		g_read(&t, ctx, before, HZM_CTX_USED);
		g_fill(&t, dst, 0x3c, 4096);
		tz_hole(&t, hole, 4096);
		assert_int_equal(tz_exec(&t, &q, dir, NULL), HZM_ST_AXI_ERR);
		tz_unhole(&t, hole, 4096);
		g_read(&t, ctx, after, HZM_CTX_USED);
		assert_memory_equal(before, after, HZM_CTX_USED);
		check_fill(&t, dst, 0x3c, 4096);
		/* the result words are the state before the request */
		assert_int_equal(q.dw[29], next.dw[29]);
		assert_int_equal(q.dw[30], next.dw[30]);
		assert_int_equal(q.dw[31], next.dw[31]);
		/*
		 * Both directions keep their state in the context, which the
		 * fault left as it was: the same request again works.
		 */
		assert_int_equal(tz_exec(&t, &next, dir, NULL), HZM_ST_OK);
		assert_int_equal(next.dw[0], n1);
	}
	tz_fini(&t);
	free(d);
	free(z);
	free(before);
	free(after);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_rules),
		cmocka_unit_test(test_access_across_and_faults),
		cmocka_unit_test(test_lookup_many),
		cmocka_unit_test(test_map_races_with_brackets),
		cmocka_unit_test(test_engine_flat_faults),
		cmocka_unit_test(test_engine_ctx_faults),
		cmocka_unit_test(test_engine_fault_writes_nothing),
	};
	int rc;

	(void)argc;
	wd_test_eal_init(argv[0], 64);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	wd_test_eal_cleanup();
	return rc;
}
