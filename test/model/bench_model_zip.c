/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_model_zip: throughput of the model's ZIP engine alone (no rings,
 * no threads): hzm_zip_exec() on SQEs built from the reference, one
 * thread, buffers in one IOMMU mapping like a hugepage segment.
 *
 *   bench_model_zip [-t seconds] [-c corpus_dir]
 *
 * Reports requests/s and GB/s of the store engine on 4 KiB requests (the
 * cost the model adds to a driver benchmark) and GB/s of the real engine
 * on the corpus (whole files and 64 KiB requests), each way. Rates are per
 * second of this thread's CPU time (wall-clock rates on a shared machine
 * mostly measure the neighbours); the wall-clock store rate is shown too.
 * Not a test: timings are printed, never asserted.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <zlib.h>

#include "hzm_iommu.h"
#include "hzm_zip.h"
#include "hzm_zip_hw.h"
#include "wd_test.h"

#define ARENA (64u << 20)
#define IOVA0 0x100000000ull

struct bench {
	struct hzm_iommu *mmu;
	struct hzm_zip *z;
	uint8_t *mem;
	double secs;
};

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double
now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static double
cpu_now(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static void
sqe_fill(uint32_t *dw, unsigned int type, uint64_t src, uint32_t in_len, uint64_t dst,
	 uint32_t cap)
{
	memset(dw, 0, 128);
	dw[4] = in_len;
	dw[7] = 0x0a000000;          /* stateless, as UADK writes it */
	dw[9] = type | (4u << 12);   /* flat buffers, 32 KiB window */
	dw[14] = cap;
	dw[18] = (uint32_t)src;
	dw[19] = (uint32_t)(src >> 32);
	dw[20] = (uint32_t)dst;
	dw[21] = (uint32_t)(dst >> 32);
}

static int
bench_open(struct bench *b, enum hzip_model_engine mode)
{
	struct hzm_zip_cfg cfg = { .mode = mode };

	b->mem = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->mem == MAP_FAILED)
		return -errno;
	memset(b->mem, 0, ARENA);   /* fault the pages in, as hugepages would be */
	if (hzm_iommu_create(&b->mmu) != 0 ||
	    hzm_iommu_map(b->mmu, (uint64_t)(uintptr_t)b->mem, IOVA0, ARENA) != 0 ||
	    hzm_zip_create(&cfg, &b->z) != 0)
		return -ENOMEM;
	return 0;
}

static void
bench_close(struct bench *b)
{
	hzm_zip_destroy(b->z);
	hzm_iommu_destroy(b->mmu);
	munmap(b->mem, ARENA);
}

/*
 * Run requests of @p chunk bytes over @p data (in guest memory at offset 0)
 * for about b->secs seconds; direction @p dir. For decompression @p data
 * holds back-to-back deflate bodies + trailers described by @p offs/@p lens.
 */
static int
run(struct bench *b, unsigned int dir, unsigned int type, uint64_t in_off, const uint64_t *offs,
    const uint32_t *lens, unsigned int nreq, uint32_t cap, double *reqs_s, double *gbps,
    uint64_t *bytes_out, double *wall_gbps)
{
	uint32_t dw[32];
	struct hzm_zip_result res;
	uint64_t reqs = 0, bytes = 0, out = 0;
	uint64_t dst = IOVA0 + ARENA - cap;
	double t0 = now(), c0 = cpu_now(), t, c;

	do {
		for (unsigned int i = 0; i < nreq; i++) {
			unsigned int st;

			sqe_fill(dw, type, IOVA0 + in_off + offs[i], lens[i], dst, cap);
			hzm_iommu_begin(b->mmu);
			hzm_zip_exec(b->z, b->mmu, (uint8_t *)dw, dir, &res);
			hzm_iommu_end(b->mmu);
			st = dw[3] & 0xff;
			if (st != HZM_ST_OK && st != HZM_ST_NEGACOMPRESS &&
			    st != HZM_ST_DECOMP_END) {
				fprintf(stderr, "request %u: status 0x%x (%s)\n", i, st,
					hzm_zip_status_str(st));
				return -1;
			}
			bytes += dir == HZM_SQC_COMPRESS ? res.bytes_in : res.bytes_out;
			out += res.bytes_out;
		}
		reqs += nreq;
		t = now() - t0;
	} while (t < b->secs);
	c = cpu_now() - c0;
	*reqs_s = (double)reqs / c;
	*gbps = (double)bytes / c / 1e9;
	if (wall_gbps != NULL)
		*wall_gbps = (double)bytes / t / 1e9;
	if (bytes_out != NULL)
		*bytes_out = out / (reqs / nreq);
	return 0;
}

/* Store engine, 4 KiB stateless requests over 16 MiB of text. */
static int
bench_store(double secs)
{
	struct bench b = { .secs = secs };
	enum { N = 4096, SZ = 4096 };
	static uint64_t offs[N];
	static uint32_t lens[N];
	double rs, g, wg;

	if (bench_open(&b, HZIP_MODEL_ENGINE_STORE) != 0)
		return -1;
	wd_test_gen(b.mem, (size_t)N * SZ, WD_TEST_DATA_TEXT, 1);
	for (unsigned int i = 0; i < N; i++) {
		offs[i] = (uint64_t)i * SZ;
		lens[i] = SZ;
	}
	for (unsigned int type = HZM_REQ_ZLIB; type <= HZM_REQ_GZIP; type++) {
		if (run(&b, HZM_SQC_COMPRESS, type, 0, offs, lens, N, SZ + 64, &rs, &g, NULL,
			&wg) != 0)
			return -1;
		printf("store  compress   %-4s 4 KiB requests    %10.0f req/s  %6.2f GB/s "
		       "(wall clock %.2f GB/s)\n", type == HZM_REQ_ZLIB ? "zlib" : "gzip", rs, g,
		       wg);
	}
	bench_close(&b);
	return 0;
}

/* Real engine: whole file (<= 8 MiB) and 64 KiB requests, each way. */
static int
bench_real_file(double secs, const char *name, const uint8_t *data, size_t len,
		double *tot_c, double *tot_d, double *tot_bytes)
{
	struct bench b = { .secs = secs };
	static const uint32_t chunks[] = { 65536, 0 };
	enum { MAXREQ = 256 };
	uint64_t offs[MAXREQ];
	uint32_t lens[MAXREQ];
	uint64_t zoffs[MAXREQ];
	uint32_t zlens[MAXREQ];
	uint64_t zbase = 24u << 20;

	if (len > (8u << 20))
		len = 8u << 20;
	if (bench_open(&b, HZIP_MODEL_ENGINE_REAL) != 0)
		return -1;
	memcpy(b.mem, data, len);
	for (unsigned int c = 0; c < 2; c++) {
		uint32_t chunk = chunks[c] ? chunks[c] : (uint32_t)len;
		unsigned int n = (unsigned int)((len + chunk - 1) / chunk);
		uint64_t zpos = 0, out;
		double rs, gc, gd;
		uint32_t cap = chunk + chunk / 8 + 1024 > (8u << 20) ? (8u << 20) :
								       chunk + chunk / 8 + 1024;

		if (n > MAXREQ)
			n = MAXREQ;
		for (unsigned int i = 0; i < n; i++) {
			offs[i] = (uint64_t)i * chunk;
			lens[i] = (uint32_t)(len - offs[i] < chunk ? len - offs[i] : chunk);
		}
		if (run(&b, HZM_SQC_COMPRESS, HZM_REQ_GZIP, 0, offs, lens, n, cap, &rs, &gc,
			&out, NULL) != 0)
			return -1;
		/* decompression input: the engine's own output, request by request */
		for (unsigned int i = 0; i < n; i++) {
			uint32_t dw[32];
			struct hzm_zip_result res;

			sqe_fill(dw, HZM_REQ_GZIP, IOVA0 + offs[i], lens[i], IOVA0 + zbase + zpos,
				 cap);
			hzm_iommu_begin(b.mmu);
			hzm_zip_exec(b.z, b.mmu, (uint8_t *)dw, HZM_SQC_COMPRESS, &res);
			hzm_iommu_end(b.mmu);
			zoffs[i] = zpos;
			zlens[i] = dw[1];
			zpos += dw[1];
		}
		if (run(&b, HZM_SQC_DECOMPRESS, HZM_REQ_GZIP, zbase, zoffs, zlens, n, chunk + 64,
			&rs, &gd, NULL, NULL) != 0)
			return -1;
		printf("real   %-15s %8zu B  %-7s  ratio %5.3f  compress %6.3f GB/s  "
		       "decompress %6.3f GB/s\n", name, len,
		       chunks[c] ? "64 KiB" : "whole", (double)zpos / (double)len, gc, gd);
		if (chunks[c] == 0) {
			*tot_c += (double)len / gc;
			*tot_d += (double)len / gd;
			*tot_bytes += (double)len;
		}
	}
	bench_close(&b);
	return 0;
}

int
main(int argc, char **argv)
{
	double secs = 1.0, tc = 0, td = 0, tb = 0;
	const char *dir = NULL;
	const char *const *files = wd_test_corpus_files();
	int opt;

	while ((opt = getopt(argc, argv, "t:c:h")) != -1) {
		switch (opt) {
		case 't':
			secs = atof(optarg);
			break;
		case 'c':
			setenv("WD_CORPUS_DIR", optarg, 1);
			break;
		default:
			fprintf(stderr, "usage: %s [-t seconds per case] [-c corpus_dir]\n",
				argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (bench_store(secs) != 0)
		return 1;
	dir = wd_test_corpus_dir();
	if (dir == NULL) {
		printf("corpus absent: real-engine figures skipped (set WD_CORPUS_DIR)\n");
		return 0;
	}
	for (unsigned int i = 0; files[i] != NULL; i++) {
		char path[4200];
		size_t len;
		uint8_t *d;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		d = wd_test_read_file(path, &len);
		if (d == NULL)
			continue;
		if (bench_real_file(secs / 4, files[i], d, len, &tc, &td, &tb) != 0)
			return 1;
		free(d);
	}
	if (tb > 0)
		printf("real   corpus total (whole files, gzip): compress %.3f GB/s, "
		       "decompress %.3f GB/s (per CPU second)\n", tb / tc, tb / td);
	return 0;
}
