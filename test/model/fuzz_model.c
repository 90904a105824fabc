/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_model: robustness fuzzer of the device model against a hostile or
 * buggy driver.
 *
 *   fuzz_model [-s SEED] [-n SEQUENCES] [-o OPS] [-t SECONDS] [-f FUNCS] [-c CASE] [-O] [-T] [-v]
 *
 * -O: never give the device overlapping source and destination buffers.
 * -T: a second driver thread rings doorbells of the fuzz queues meanwhile
 *     (races with context writes; such runs are not reproducible by -c).
 *
 * Each sequence creates a fresh model (FUNCS bit 0: PF, bit 1: VF; they
 * alternate), initialises it with the reference driver (refdrv.c, written
 * from the hardware reference), then performs OPS random operations:
 * MMIO reads/writes at random BAR2 offsets (weighted toward the documented
 * registers, any width, bad BARs, unaligned, outside the BAR), mailbox
 * commands with random command/op/queue/address and random SQC/CQC/EQC
 * contents, doorbells (SQ/CQ/EQ/AEQ) with random queue numbers, rand
 * words, indexes and priorities, SQEs with random dwords (request and
 * buffer types, lengths around and over the limits, flat buffers and SGLs
 * - random, cyclic, partly mapped - stream contexts, window fields) at
 * mapped, partly mapped and unmapped addresses, config-space writes, IOMMU
 * unmaps/remaps; interleaved with valid requests on a queue pair the
 * random operations leave alone, whose results are checked with zlib as
 * long as no operation disturbed the whole function.
 *
 * After each sequence: the canary gaps between the IOMMU-mapped regions
 * are intact (the regions are also fenced by PROT_NONE pages), the
 * function is reset (FLR through config space), initialised again and must
 * compress and decompress correctly (checked with zlib). Every wait is
 * bounded; a sequence that takes longer than its watchdog is a hang (the
 * process exits with status 2 and names the case). Run it under the
 * address/UB sanitizer build to catch memory errors in the model.
 * Every sequence is determined by (SEED, sequence number): "-c N" replays one.
 * Exit status 0 when every sequence passed; the last line says
 * "N passed, N failed".
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>
#include <zlib.h>

#include "refdrv.h"
#include "wd_test.h"
#include "wd_test_rng.h"

/* ------------------------------------------------------------------ */

static bool verbose;
static bool no_overlap;	/* -O: no overlapping source/destination buffers */
static uint64_t cur_case;
static uint64_t seed0 = 1;

#define VLOG(...) do { if (verbose) fprintf(stderr, __VA_ARGS__); } while (0)

/* ---- memory ------------------------------------------------------------- */
/*
 * One arena, IOVA = VA:
 *   guard (PROT_NONE) | R0 ctrl (mapped) | gap | R1 data (mapped) | gap |
 *   R2 small (mapped) | gap | guard (PROT_NONE)
 * Gaps are process memory the IOMMU does not map, filled with a canary: a
 * device write there is a write outside the mappings.
 */
#define PAGE		4096u
#define GUARD_SZ	(16u * PAGE)
#define R0_SZ		(1024u * 1024)
#define R1_SZ		(4u * 1024 * 1024)
#define R2_SZ		(64u * 1024)
#define GAP_SZ		(64u * 1024)
#define CANARY		0xa5u

static uint8_t *arena;
static size_t arena_sz;
static uint8_t *r0, *r1, *r2, *gap[3];
static size_t r0_used;
/* a chunk of R1 unmapped by an operation (remapped before the sequence ends) */
static uint8_t *hole;
static size_t hole_len;

static void
arena_init(void)
{
	uint8_t *p;

	arena_sz = 2 * GUARD_SZ + R0_SZ + R1_SZ + R2_SZ + 3 * GAP_SZ;
	p = mmap(NULL, arena_sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	arena = p;
	mprotect(p, GUARD_SZ, PROT_NONE);
	p += GUARD_SZ;
	r0 = p;
	p += R0_SZ;
	gap[0] = p;
	p += GAP_SZ;
	r1 = p;
	p += R1_SZ;
	gap[1] = p;
	p += GAP_SZ;
	r2 = p;
	p += R2_SZ;
	gap[2] = p;
	p += GAP_SZ;
	mprotect(p, GUARD_SZ, PROT_NONE);
}

static uint64_t
iova(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void
arena_reset(struct rd_dev *d)
{
	memset(r0, 0, R0_SZ);
	for (size_t i = 0; i < R1_SZ; i += 8) {
		uint64_t v = rnd();

		memcpy(r1 + i, &v, 8);
	}
	memset(r2, 0x5a, R2_SZ);
	for (int i = 0; i < 3; i++)
		memset(gap[i], CANARY, GAP_SZ);
	r0_used = 0;
	hole = NULL;
	hole_len = 0;
	if (hzip_model_dma_map(d->m, iova(r0), iova(r0), R0_SZ) < 0 ||
	    hzip_model_dma_map(d->m, iova(r1), iova(r1), R1_SZ) < 0 ||
	    hzip_model_dma_map(d->m, iova(r2), iova(r2), R2_SZ) < 0) {
		fprintf(stderr, "dma_map failed\n");
		exit(1);
	}
}

/* @return the offset of the first damaged canary byte, or -1. */
static long
canary_check(int *which)
{
	for (int i = 0; i < 3; i++)
		for (size_t k = 0; k < GAP_SZ; k++)
			if (gap[i][k] != CANARY) {
				*which = i;
				return (long)k;
			}
	return -1;
}

static void *
r0_alloc(size_t len, size_t align)
{
	size_t off = (r0_used + align - 1) / align * align;

	if (off + len > R0_SZ)
		return NULL;
	r0_used = off + len;
	return r0 + off;
}

/* A random device address of @p len bytes: mapped, partly mapped, unmapped, odd. */
static uint64_t
rand_addr(uint32_t len, uint32_t align)
{
	uint64_t a;
	uint32_t k = ru(100);

	if (align == 0)
		align = 1;
	if (k < 55) {
		uint32_t room = len < R1_SZ ? R1_SZ - len : 1;

		a = iova(r1) + ru(room);
	} else if (k < 63) {
		a = iova(r1) + R1_SZ - ru(len + 1);	/* runs into the gap */
	} else if (k < 70) {
		a = iova(r2) + ru(R2_SZ);		/* small region, maybe over its end */
	} else if (k < 75) {
		a = iova(gap[ru(3)]) + ru(GAP_SZ);	/* unmapped process memory */
	} else if (k < 78) {
		a = iova(arena) + ru(GUARD_SZ);		/* PROT_NONE */
	} else if (k < 82) {
		a = 0;
	} else if (k < 86) {
		a = rnd();
	} else if (k < 90) {
		a = iova(r0) + ru(R0_SZ);		/* rings, contexts */
	} else if (k < 93) {
		a = UINT64_MAX - ru(4096);		/* wraps */
	} else {
		a = iova(r1) + ru(R1_SZ / 2);
	}
	if (!rp(10))
		a &= ~(uint64_t)(align - 1);
	return a;
}

/* Is [a, a + len) inside R1 (so the fuzzer may write it)? */
static bool
in_r1(uint64_t a, uint64_t len)
{
	return a >= iova(r1) && len <= R1_SZ && a - iova(r1) <= R1_SZ - len &&
	       !(hole != NULL && a < iova(hole) + hole_len && a + len > iova(hole));
}

/* ---- deflate samples ----------------------------------------------------- */
#define NSAMPLES 6
static struct {
	uint8_t *z;	/* raw deflate + trailer (no header), as a device sees it */
	size_t zlen;
	size_t plain;
	bool gzip;
} samples[NSAMPLES];

static void
samples_init(void)
{
	for (int i = 0; i < NSAMPLES; i++) {
		size_t n = (size_t)(i % 3 == 0 ? 100 : i % 3 == 1 ? 5000 : 70000);
		uint8_t *src = malloc(n);
		uLong cap = compressBound(n) + 64;
		uint8_t *dst = malloc(cap);
		z_stream s;
		bool gz = i & 1;

		wd_test_gen(src, n, (enum wd_test_data)(i % 4), 77 + i);
		memset(&s, 0, sizeof(s));
		deflateInit2(&s, 6, Z_DEFLATED, gz ? 31 : 15, 8, Z_DEFAULT_STRATEGY);
		s.next_in = src;
		s.avail_in = (uInt)n;
		s.next_out = dst;
		s.avail_out = (uInt)cap;
		deflate(&s, Z_FINISH);
		samples[i].zlen = s.total_out - (gz ? 10 : 2);
		samples[i].z = malloc(samples[i].zlen);
		memcpy(samples[i].z, dst + (gz ? 10 : 2), samples[i].zlen);
		samples[i].plain = n;
		samples[i].gzip = gz;
		deflateEnd(&s);
		free(src);
		free(dst);
	}
}

/* ---- fuzz queues ---------------------------------------------------------- */
#define MAXFQ 6
struct fq {
	uint16_t qn, depth, rand, tail, cq_head;
	uint8_t phase, type;
	uint8_t *sq, *cq;
	bool live;
};

static struct fq fqs[MAXFQ];
/* what the device answered: SQE statuses of fuzz requests, mailbox statuses */
static uint64_t st_hist[256], mb_hist[17];
/*
 * Upper bound of the requests the device may execute in a sequence: SQEs
 * the driver made available (submitted, or handed over by a doorbell or a
 * context with head != tail: a ring's worth each). More means the engine
 * runs away (goes round a ring on its own).
 */
static uint64_t req_bound;
static unsigned int nfq;

/* Valid queue pair (heap, never targeted by random operations). */
static struct rd_queue vcq, vdq;
static bool vq_ok;
static bool disrupted;	/* a function-wide operation happened: valid results not checked */
static unsigned int fails_seq;

static void
fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL case %" PRIu64 " (seed %" PRIu64 "): ", cur_case, seed0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fails_seq++;
}

static void
put_le16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void
put_le64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* 32-byte SQC [5.1] */
static void
make_sqc(uint8_t *c, uint64_t base, uint16_t depth, uint16_t rand, uint16_t cqn, uint8_t type)
{
	memset(c, 0, 32);
	put_le64(c + 4, base);
	put_le32(c + 12, (uint32_t)(depth - 1) | (7u << 12));
	put_le16(c + 16, rand);
	put_le16(c + 24, cqn);
	put_le16(c + 26, (uint16_t)(1u << 4 | (uint16_t)type << 8));
}

static void
make_cqc(uint8_t *c, uint64_t base, uint16_t depth, uint16_t rand, bool c_flag)
{
	memset(c, 0, 32);
	put_le64(c + 4, base);
	put_le32(c + 12, (uint32_t)(depth - 1) | (4u << 12));
	put_le16(c + 16, rand);
	put_le32(c + 24, 1u | (c_flag ? 2u : 0u));
}

/* Random mutations of a context: any field, any value. */
static void
mutate_ctx(uint8_t *c, size_t len)
{
	unsigned int n = ru(4);

	for (unsigned int i = 0; i < n; i++) {
		switch (ru(4)) {
		case 0:
			c[ru((uint32_t)len)] = (uint8_t)rnd();
			break;
		case 1:
			put_le16(c + 2 * ru((uint32_t)len / 2), (uint16_t)rnd());
			break;
		case 2:
			put_le32(c + 4 * ru((uint32_t)len / 4), (uint32_t)rnd());
			break;
		default:
			put_le64(c + 4, rand_addr(4096, 128));
			break;
		}
	}
}

static uint32_t
fn_qnum(struct rd_dev *d)
{
	return d->qnum;
}

static int
fq_create(struct rd_dev *d, struct fq *q, uint16_t qn)
{
	uint8_t *c = d->ctx;
	static const uint16_t depths[] = { 2, 3, 4, 8, 16, 64, 1024 };
	struct fq n;
	int ret;

	/* *q changes only once its rings exist (the control region may be full) */
	memset(&n, 0, sizeof(n));
	n.qn = qn;
	n.depth = depths[ru(6)];
	if (rp(5))
		n.depth = 1024;
	n.rand = rp(70) ? 0 : (uint16_t)rnd();
	n.type = (uint8_t)ru(2);
	n.sq = r0_alloc((size_t)128 * n.depth, 128);
	n.cq = r0_alloc((size_t)16 * n.depth, 32);
	if (n.sq == NULL || n.cq == NULL)
		return -ENOMEM;
	n.phase = 1;
	*q = n;
	make_sqc(c, iova(q->sq), q->depth, q->rand, qn, q->type);
	__atomic_fetch_add(&req_bound, 1024, __ATOMIC_RELAXED);
	ret = rd_mb(d, RD_MB_SQC, false, qn, iova(c), NULL);
	if (ret != 0)
		return ret;
	make_cqc(c, iova(q->cq), q->depth, q->rand, rp(50));
	ret = rd_mb(d, RD_MB_CQC, false, qn, iova(c), NULL);
	if (ret != 0)
		return ret;
	q->live = true;
	return 0;
}

/* ---- SGLs and SQEs -------------------------------------------------------- */

/* Build a random SGL chain in R1. @return its address (or a random one). */
static uint64_t
rand_sgl(uint64_t want)
{
	unsigned int nsgl = rr(1, 3);
	uint64_t first = 0, prev = 0;

	if (rp(5))
		return rand_addr(64, 64);
	for (unsigned int s = 0; s < nsgl; s++) {
		unsigned int cap = rp(80) ? rr(0, 12) : rr(0, 255);
		size_t sz = 64 + (size_t)32 * cap;
		uint64_t a = iova(r1) + (ru(R1_SZ - (uint32_t)sz - 64) & ~63u);
		uint8_t *h;
		unsigned int nent = cap;

		if (!in_r1(a, sz))
			break;
		h = (uint8_t *)(uintptr_t)a;
		memset(h, 0, 64);
		if (rp(5))
			nent = rr(256, 65535);	/* too many */
		put_le16(h + 0x08, (uint16_t)(cap * nsgl));
		put_le16(h + 0x0a, (uint16_t)nent);
		put_le16(h + 0x0c, (uint16_t)cap);
		for (unsigned int i = 0; i < cap; i++) {
			uint8_t *e = h + 64 + 32 * i;
			uint32_t len;

			switch (ru(6)) {
			case 0: len = 0; break;
			case 1: len = rr(1, 64); break;
			case 2: len = rr(1, 65536); break;
			case 3: len = (uint32_t)(want / (cap ? cap : 1)) + 1; break;
			case 4: len = rp(50) ? (uint32_t)rnd() % (1u << 20) : rr(1, 4096); break;
			default: len = rr(1, 8192); break;
			}
			put_le64(e, rand_addr(len, 1));
			put_le32(e + 0x10, len);
		}
		if (prev != 0)
			put_le64((uint8_t *)(uintptr_t)prev, a);
		else
			first = a;
		prev = a;
	}
	if (prev != 0) {
		uint64_t next = 0;

		switch (ru(8)) {
		case 0: next = prev; break;			/* cycle on itself */
		case 1: next = first; break;			/* cycle */
		case 2: next = rand_addr(64, 64); break;
		case 3: next = prev + 1; break;		/* unaligned */
		default: break;
		}
		put_le64((uint8_t *)(uintptr_t)prev, next);
	}
	return first != 0 ? first : rand_addr(64, 64);
}

static uint32_t
rand_len(void)
{
	switch (ru(10)) {
	case 0: return 0;
	case 1: return rr(1, 16);
	case 2: return 8u * 1024 * 1024;
	case 3: return 8u * 1024 * 1024 + rr(1, 16);
	case 4: return (uint32_t)rnd();
	case 5: return rr(0x0f, 0x11);
	case 6: return rr(1, 200000);
	default: return rr(1, 8192);
	}
}

/* Context buffers used by stream SQEs of this sequence (device addresses). */
static uint64_t ctxs[4];

static uint64_t
rand_ctx(void)
{
	unsigned int k = ru(4);

	if (rp(15))
		return rand_addr(0x8c00, 64);
	if (ctxs[k] == 0 || rp(5)) {
		uint64_t a = iova(r1) + (ru(R1_SZ - 0x9800) & ~63u);

		ctxs[k] = a;
	}
	/* corrupt the context now and then (the driver may write it) */
	if (rp(15) && in_r1(ctxs[k], 0x8c00)) {
		uint8_t *p = (uint8_t *)(uintptr_t)ctxs[k];
		unsigned int n = rr(1, 8);

		for (unsigned int i = 0; i < n; i++) {
			uint32_t off = rp(60) ? rr(0x400, 0x400 + 391) : ru(64);

			p[off] = (uint8_t)rnd();
		}
	}
	return ctxs[k];
}

static void
rand_sqe(uint8_t *sqe)
{
	uint32_t dw7 = 0, dw9 = 0, in_len, avail;
	bool sgl = rp(35);
	uint64_t src, dst;

	memset(sqe, 0, 128);
	if (rp(5)) {
		for (int i = 0; i < 32; i++)
			rd_sqe_set_dw(sqe, (unsigned int)i, (uint32_t)rnd());
		return;
	}
	in_len = rand_len();
	avail = rand_len();
	dw9 = rp(85) ? rr(2, 3) : (uint32_t)ru(256);
	dw9 |= (sgl ? 1u : rp(5) ? ru(16) : 0u) << 8;
	dw9 |= (rp(80) ? ru(5) : ru(16)) << 12;
	if (rp(5))
		dw9 |= (uint32_t)rnd() & 0xffff0000u;
	switch (ru(5)) {
	case 0: dw7 = 0; break;
	case 1: dw7 = RD_DW7_NEW | RD_DW7_FINISH; break;
	case 2: dw7 = RD_DW7_STATEFUL | (rp(50) ? RD_DW7_NEW : 0) | (rp(50) ? RD_DW7_FINISH : 0);
		break;
	case 3: dw7 = (uint32_t)rnd() & 0x0f000000u; break;
	default: dw7 = (uint32_t)rnd(); break;
	}
	if (rp(90))
		dw7 &= 0x0fffffffu;	/* SQE type 0 */
	if (sgl)
		dw7 = (dw7 & 0xff000000u) | (rp(70) ? 0 : rp(50) ? rr(1, 64) : ru(1u << 24));
	/* sometimes real deflate data at the source */
	if (rp(40)) {
		unsigned int k = ru(NSAMPLES);
		uint64_t a = iova(r1) + ru(R1_SZ - (uint32_t)samples[k].zlen);

		memcpy((void *)(uintptr_t)a, samples[k].z, samples[k].zlen);
		if (rp(30))
			((uint8_t *)(uintptr_t)a)[ru((uint32_t)samples[k].zlen)] ^=
				(uint8_t)(1u << ru(8));
		src = a;
		in_len = rp(70) ? (uint32_t)samples[k].zlen : ru((uint32_t)samples[k].zlen + 16);
		dw9 = (dw9 & ~0xffu) | (samples[k].gzip ? 3u : 2u);
		if (sgl)
			src = rand_sgl(in_len);
	} else {
		src = sgl ? rand_sgl(in_len) : rand_addr(in_len, 1);
	}
	dst = sgl ? rand_sgl(avail) : rand_addr(avail, 1);
	if (!sgl && rp(10) && !no_overlap)
		dst = src + ru(64);	/* overlapping buffers */
	rd_sqe_set_dw(sqe, 4, in_len);
	rd_sqe_set_dw(sqe, 7, dw7);
	rd_sqe_set_dw(sqe, 8, sgl ? (rp(70) ? 0 : ru(1u << 24)) : (uint32_t)rnd());
	rd_sqe_set_dw(sqe, 9, dw9);
	rd_sqe_set_dw(sqe, 13, (uint32_t)rnd());
	rd_sqe_set_dw(sqe, 14, avail);
	rd_sqe_set_dw(sqe, 18, (uint32_t)src);
	rd_sqe_set_dw(sqe, 19, (uint32_t)(src >> 32));
	rd_sqe_set_dw(sqe, 20, (uint32_t)dst);
	rd_sqe_set_dw(sqe, 21, (uint32_t)(dst >> 32));
	if (dw7 & RD_DW7_STATEFUL || rp(10)) {
		uint64_t c = rand_ctx();

		rd_sqe_set_dw(sqe, 22, (uint32_t)c);
		rd_sqe_set_dw(sqe, 23, (uint32_t)(c >> 32));
		/* chain ctx words from the record when there is one */
		if (in_r1(c, 64) && rp(70)) {
			const uint8_t *rec = (const uint8_t *)(uintptr_t)c;
			uint32_t v;

			memcpy(&v, rec + 24, 4);
			rd_sqe_set_dw(sqe, 15, v);
			memcpy(&v, rec + 28, 4);
			rd_sqe_set_dw(sqe, 28, v);
			memcpy(&v, rec + 32, 4);
			rd_sqe_set_dw(sqe, 29, v);
		} else {
			rd_sqe_set_dw(sqe, 15, (uint32_t)rnd());
		}
	}
	if (rp(10))
		rd_sqe_set_dw(sqe, 30, (uint32_t)rnd());
	if (rp(10))
		rd_sqe_set_dw(sqe, 31, (uint32_t)rnd());
}

/* ---- operations ---------------------------------------------------------- */

static int dev_init(struct rd_dev *d, bool vf);

static const uint32_t doc_regs[] = {
	0x0000, 0x0004, 0x0008, 0x000c, 0x0020, 0x0024, 0x0028, 0x002c, 0x0030, 0x0034,
	0x0060, 0x0204, 0x0208, 0x0300, 0x0304, 0x0308, 0x030c, 0x0340, 0x1000, 0x1004,
	0x2000, 0x2004, 0x3100, 0x3104, 0x3108, 0x310c, 0x311c, 0x8000, 0x8018, 0x8020,
	0x8038, 0x100000, 0x100004, 0x100008, 0x10000c, 0x100010, 0x100014, 0x100040,
	0x100044, 0x100050, 0x100054, 0x100058, 0x10005c, 0x100060, 0x100064, 0x100068,
	0x10006c, 0x100074, 0x100088, 0x100090, 0x100098, 0x1000a0, 0x1000a8, 0x1000ac,
	0x1000b0, 0x1000cc, 0x1000d0, 0x1000d8, 0x1000dc, 0x1000ec, 0x1000f0, 0x1000f4,
	0x1000f8, 0x1000fc, 0x100100, 0x100128, 0x100130, 0x100138, 0x100148, 0x100158,
	0x100164, 0x104000, 0x104010, 0x104020, 0x1040b4, 0x300000, 0x300014, 0x30001c,
	0x300104, 0x300150, 0x301000, 0x301004, 0x301008, 0x30100c, 0x301040, 0x3010a0,
	0x3010a4, 0x3010a8, 0x3010ac, 0x301110, 0x301148, 0x301160, 0x301164, 0x302000,
	0x302040, 0x304000, 0x309040,
};

/* Registers whose write disturbs the whole function (valid results then unchecked). */
static bool
disruptive(uint64_t off, uint32_t v)
{
	switch (off) {
	case 0x100040:	/* MEM_START_INIT */
	case 0x100054:	/* VFT op */
	case 0x300000:	/* master shutdown */
	case 0x301004:	/* clock gate */
	case 0x0300: case 0x0304: case 0x0308: case 0x030c:	/* mailbox */
	case 0x3010a8:	/* core error set (ECC halt) */
	case 0x10000c:
		return true;
	default:
		(void)v;
		return false;
	}
}

static uint64_t
rand_off(struct rd_dev *d)
{
	uint64_t bar = hzip_model_bar_size(d->m, 2);
	uint32_t k = ru(100);

	if (k < 60)
		return doc_regs[ru(RTE_DIM(doc_regs))] + (rp(5) ? rr(1, 3) : 0);
	if (k < 90)
		return ru((uint32_t)bar) & ~3u;
	if (k < 95)
		return bar - rr(0, 16);
	return rnd();
}

static void
op_mmio(struct rd_dev *d)
{
	uint64_t off = rand_off(d);
	unsigned int bar = rp(97) ? 2 : ru(6);
	uint32_t v = rp(30) ? (uint32_t)rnd() : rp(50) ? 0 : rp(50) ? 1 : 0xffffffffu;
	uint64_t lo, hi;

	/* a write that completes a mailbox message may restore a ring with work */
	if (off >= 0x300 && off < 0x310)
		__atomic_fetch_add(&req_bound, 1024, __ATOMIC_RELAXED);
	switch (ru(7)) {
	case 0:
		(void)hzip_model_read32(d->m, bar, off);
		break;
	case 1:
		(void)hzip_model_read64(d->m, bar, off & ~7ull);
		break;
	case 2:
		hzip_model_read128(d->m, bar, off & ~15ull, &lo, &hi);
		break;
	case 3:
	case 4:
		if (disruptive(off, v))
			disrupted = true;
		/* the doorbells of the valid queues are left alone */
		if ((off & ~7ull) == 0x1000 || (off & ~7ull) == 0x2000)
			break;
		hzip_model_write32(d->m, bar, off, v);
		break;
	case 5:
		if ((off & ~7ull) == 0x1000 || (off & ~7ull) == 0x2000)
			break;
		if (disruptive(off & ~7ull, v) || disruptive((off & ~7ull) + 4, v))
			disrupted = true;
		hzip_model_write64(d->m, bar, off & ~7ull, rnd());
		break;
	default:
		disrupted = true;	/* may be a mailbox command */
		__atomic_fetch_add(&req_bound, 1024, __ATOMIC_RELAXED);
		hzip_model_write128(d->m, bar, rp(50) ? 0x300 : off & ~15ull, rnd(), rnd());
		break;
	}
}

static bool
is_valid_qn(uint16_t qn)
{
	return vq_ok && (qn == vcq.qn || qn == vdq.qn);
}

/*
 * A random partial mailbox write with busy set leaves the message latched
 * (busy reads 1 until its 16 bytes are complete, doc/model.md): mostly,
 * clear it as a recovering driver would (a complete message without busy
 * runs nothing), else let the next command time out (1 s).
 */
static void
mb_unwedge(struct rd_dev *d)
{
	uint64_t lo, hi;

	hzip_model_read128(d->m, RD_BAR, RD_MAILBOX, &lo, &hi);
	hzip_model_read128(d->m, RD_BAR, RD_MAILBOX, &lo, &hi);
	if ((lo & RD_MB_BUSY) && rp(95))
		hzip_model_write128(d->m, RD_BAR, RD_MAILBOX, 0, 0);
}

static void
op_mailbox(struct rd_dev *d)
{
	unsigned int cmd = rp(80) ? ru(8) : ru(256);
	bool rd = rp(30);
	uint32_t qnum = fn_qnum(d);
	uint16_t qn = rp(85) ? (uint16_t)ru(qnum + 2) : (uint16_t)rnd();
	uint64_t base;
	uint8_t *ctx = NULL;

	if (cmd <= 5 && !rd && is_valid_qn(qn) && cmd <= 1)
		return;	/* leave the valid queues alone */
	mb_unwedge(d);
	if (cmd == 2 || cmd == 3 || cmd == 4 || cmd == 5)
		disrupted = true;	/* events / BT arrays of the function */
	if (rp(75)) {
		ctx = r0_alloc(64, 32);
		if (ctx == NULL)
			return;
		base = iova(ctx);
		if (rp(10))
			base += rr(1, 31);
	} else {
		base = rand_addr(32, 32);
	}
	if (ctx != NULL && !rd) {
		if (cmd == 0 && nfq > 0) {
			struct fq *q = &fqs[ru(nfq)];

			make_sqc(ctx, iova(q->sq), q->depth, q->rand, q->qn, q->type);
		} else if (cmd == 1 && nfq > 0) {
			struct fq *q = &fqs[ru(nfq)];

			make_cqc(ctx, iova(q->cq), q->depth, q->rand, rp(50));
		} else if (cmd == 2 || cmd == 3) {
			uint32_t eqc[8] = { 0 };
			uint8_t *ring = r0_alloc(4096, 4096);
			uint64_t ra = ring != NULL ? iova(ring) : rand_addr(64, 4);

			eqc[1] = (uint32_t)ra;
			eqc[2] = (uint32_t)(ra >> 32);
			eqc[6] = (uint32_t)(rp(80) ? rr(1, 1023) : ru(65536)) | (1u << 16);
			memcpy(ctx, eqc, 32);
		} else {
			for (int i = 0; i < 64; i += 8)
				put_le64(ctx + i, rnd());
		}
		if (rp(60))
			mutate_ctx(ctx, 32);
		if (cmd == 0 && rp(50)) {
			/* the cq_num of a random SQC must not point at the valid queues */
			uint16_t c;

			memcpy(&c, ctx + 24, 2);
			if (is_valid_qn(c) || c >= qnum)
				put_le16(ctx + 24, (uint16_t)ru(qnum));
		}
		{
			uint16_t c;

			memcpy(&c, ctx + 24, 2);
			if (cmd == 0 && is_valid_qn(c))
				put_le16(ctx + 24, qn);
		}
	}
	{
		int st;

		if (cmd == 0 && !rd)
			__atomic_fetch_add(&req_bound, 1024, __ATOMIC_RELAXED);
		st = rd_mb(d, cmd, rd, qn, base, NULL);

		mb_hist[st < 0 ? 16 : st & 15]++;
		/*
		 * Timed out: a partial message with busy set is latched. A
		 * complete message without busy runs nothing and clears it.
		 */
		if (st == -ETIMEDOUT)
			hzip_model_write128(d->m, RD_BAR, RD_MAILBOX, 0, 0);
	}
}

static void
op_doorbell(struct rd_dev *d)
{
	uint32_t qnum = fn_qnum(d);
	uint16_t qn = rp(80) ? (uint16_t)ru(qnum + 2) : (uint16_t)ru(4096);
	unsigned int cmd = rp(90) ? ru(4) : ru(16);
	uint16_t rand = rp(70) ? 0 : (uint16_t)rnd();
	uint16_t idx = rp(70) ? (uint16_t)ru(70) : (uint16_t)rnd();
	uint16_t prio = rp(70) ? (uint16_t)ru(2) : (uint16_t)rnd();
	uint64_t v;

	if (nfq > 0 && rp(50)) {
		struct fq *q = &fqs[ru(nfq)];

		qn = q->qn;
		if (rp(60))
			rand = q->rand;
		if (rp(50))
			idx = (uint16_t)ru(q->depth + 1);
	}
	if ((cmd == RD_DB_SQ || cmd == RD_DB_CQ) && is_valid_qn(qn & 0xfff) &&
	    rand == (qn == vcq.qn ? vcq.rand : vdq.rand))
		rand ^= 1;	/* valid queues: only rejected doorbells */
	__atomic_fetch_add(&req_bound, 1024, __ATOMIC_RELAXED);
	v = rd_db(qn, cmd, rand, idx, prio);
	if (rp(5))
		v = rnd();
	if ((v & 0xfff) == vcq.qn || (v & 0xfff) == vdq.qn)
		v = (v & ~0xffff0000ull) | ((uint64_t)(uint16_t)((v >> 16) ^ 0x5555) << 16);
	hzip_model_write64(d->m, RD_BAR, (cmd >= 2 && rp(80)) ? RD_DB_EQ_AEQ : RD_DB_SQ_CQ, v);
}

static void
fq_poll(struct rd_dev *d, struct fq *q)
{
	for (unsigned int n = 0; n < q->depth; n++) {
		const uint8_t *cqe = q->cq + (size_t)q->cq_head * 16;
		uint16_t w7;

		w7 = __atomic_load_n((const uint16_t *)(const void *)(cqe + 14), __ATOMIC_ACQUIRE);
		if ((w7 & 1) != q->phase)
			break;
		{
			uint16_t head;

			memcpy(&head, cqe + 8, 2);
			if (head < q->depth)
				st_hist[q->sq[(size_t)head * 128 + 12]]++;
		}
		if (++q->cq_head == q->depth) {
			q->cq_head = 0;
			q->phase ^= 1;
		}
		hzip_model_write64(d->m, RD_BAR, RD_DB_SQ_CQ,
				   rd_db(q->qn, RD_DB_CQ, q->rand, q->cq_head,
					 (uint16_t)(q->cq_head & 1)));	/* no rnd(): replays */
	}
}

static void
op_submit(struct rd_dev *d)
{
	struct fq *q;
	unsigned int n;

	if (nfq == 0)
		return;
	q = &fqs[ru(nfq)];
	n = rr(1, q->depth > 4 ? 4 : q->depth - 1);
	for (unsigned int i = 0; i < n; i++) {
		rand_sqe(q->sq + (size_t)q->tail * 128);
		q->tail = (uint16_t)((q->tail + 1) % q->depth);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_fetch_add(&req_bound, q->depth, __ATOMIC_RELAXED);
	hzip_model_write64(d->m, RD_BAR, RD_DB_SQ_CQ, rd_db(q->qn, RD_DB_SQ, q->rand, q->tail, 0));
	/* give the engine a moment, then take what completed */
	if (rp(50)) {
		struct timespec ts = { 0, (long)rr(0, 300) * 1000 };

		nanosleep(&ts, NULL);
	}
	fq_poll(d, q);
}

static void
op_recreate(struct rd_dev *d)
{
	uint32_t qnum = fn_qnum(d);
	uint16_t qn;

	if (qnum < 4)
		return;
	mb_unwedge(d);
	qn = (uint16_t)rr(2, qnum - 1 < 12 ? qnum - 1 : 12);
	if (nfq < MAXFQ && rp(70)) {
		if (fq_create(d, &fqs[nfq], qn) == 0)
			__atomic_store_n(&nfq, nfq + 1, __ATOMIC_RELEASE);
	} else if (nfq > 0) {
		struct fq *q = &fqs[ru(nfq)];

		(void)fq_create(d, q, q->qn);
	}
}

static void
op_cfg(struct rd_dev *d)
{
	uint8_t b[4];
	unsigned int off;

	switch (ru(4)) {
	case 0: {	/* command register: memory / bus master on and off */
		/* memory decoding off makes every register read all-ones (mailbox polls
		 * then time out): now and then only */
		uint16_t cmd = (uint16_t)(rp(70) ? 0x0006 : (rnd() & 0x0405) | (rp(80) ? 2 : 0));

		hzip_model_cfg_write(d->m, 0x04, &cmd, 2);
		disrupted = true;
		return;
	}
	case 1:	/* MSI mask */
		b[0] = (uint8_t)rnd();
		hzip_model_cfg_write(d->m, 0x60, b, 1);
		return;
	case 2:	/* read anything */
		off = ru(256);
		hzip_model_cfg_read(d->m, off, b, rr(1, 4));
		return;
	default:	/* write anything but the FLR bit */
		off = ru(256);
		for (int i = 0; i < 4; i++)
			b[i] = (uint8_t)rnd();
		if (off <= 0x79 && off + 4 > 0x79)
			b[0x79 - off] &= 0x7f;
		hzip_model_cfg_write(d->m, off, b, rr(1, 4) > 256 - off ? 1 : rr(1, 4));
		disrupted = true;
		return;
	}
}

/* A function reset in the middle of everything (requests in flight). */
static void
op_flr(struct rd_dev *d)
{
	uint8_t b = 0x80;
	uint16_t cmd = 0x0006;

	hzip_model_cfg_write(d->m, 0x79, &b, 1);
	if (rp(70))
		hzip_model_cfg_write(d->m, 0x04, &cmd, 2);
	disrupted = true;
	vq_ok = false;
	if (rp(50))
		(void)dev_init(d, d->vf);	/* and a driver that starts again */
}

static void
op_iommu(struct rd_dev *d)
{
	if (hole == NULL) {
		hole_len = (size_t)rr(1, 16) * PAGE;
		hole = r1 + (ru(R1_SZ - (uint32_t)hole_len) & ~(PAGE - 1));
		if (hzip_model_dma_unmap(d->m, iova(hole), hole_len) < 0)
			hole = NULL;
	} else {
		if (hzip_model_dma_map(d->m, iova(hole), iova(hole), hole_len) == 0)
			hole = NULL;
	}
}

/* ---- valid requests ---------------------------------------------------------- */

#define VIN_MAX 70000u
#define VOUT_MAX 80000u
/* mapped (rd_alloc) per device */
static uint8_t *vin, *vout, *vback;

/* One compress + device decompress round trip on the valid pair. @return 0 ok. */
static int
valid_roundtrip(const char *when, bool must)
{
	uint32_t len = rr(1, VIN_MAX), out_len = 0, back_len = 0, st = 0;
	uint8_t req = rp(50) ? RD_REQ_ZLIB : RD_REQ_GZIP;
	uLongf zl = VIN_MAX;
	int ret;

	/*
	 * After a function-wide operation a request may never complete (bus
	 * mastering off, engine shut down...): no waiting for it mid-sequence.
	 */
	if (!vq_ok || !must)
		return must ? -1 : 0;
	__atomic_fetch_add(&req_bound, 2, __ATOMIC_RELAXED);
	wd_test_gen(vin, len, (enum wd_test_data)ru(4), rnd());
	ret = rd_compress(&vcq, req, vin, len, vout, VOUT_MAX, &out_len, &st);
	if (ret != 0 || (st != RD_ST_OK && st != RD_ST_NEGACOMPRESS)) {
		fail("%s: valid compress of %u bytes: ret %d status 0x%x", when, len, ret, st);
		vq_ok = false;	/* a late completion would confuse the next request */
		return -1;
	}
	/* check with zlib */
	{
		z_stream s;

		memset(&s, 0, sizeof(s));
		inflateInit2(&s, req == RD_REQ_GZIP ? 31 : 15);
		s.next_in = vout;
		s.avail_in = out_len;
		s.next_out = vback;
		s.avail_out = (uInt)zl;
		ret = inflate(&s, Z_FINISH);
		zl = s.total_out;
		inflateEnd(&s);
		if (ret != Z_STREAM_END || zl != len || memcmp(vback, vin, len) != 0) {
			fail("%s: valid compress of %u bytes does not decompress (zlib %d, %lu "
			     "bytes; %u bytes out, status 0x%x, first %02x %02x %02x %02x %02x "
			     "%02x, sqc %u/%u)", when, len, ret, (unsigned long)zl, out_len, st,
			     vout[0], vout[1], vout[2], vout[3], vout[4], vout[5], vcq.qn,
			     vcq.sq_tail);
			if (getenv("FUZZ_DUMP") != NULL) {
				FILE *f = fopen("/tmp/fuzz_model_bad.bin", "wb");

				if (f != NULL) {
					fwrite(vout, 1, out_len, f);
					fclose(f);
				}
				f = fopen("/tmp/fuzz_model_in.bin", "wb");
				if (f != NULL) {
					fwrite(vin, 1, len, f);
					fclose(f);
				}
			}
			return -1;
		}
	}
	ret = rd_decompress(&vdq, req, vout, out_len, vback, VIN_MAX, &back_len, &st);
	if (ret != 0 || (st & 0xff) != RD_ST_OK || back_len != len ||
	    memcmp(vback, vin, len) != 0) {
		fail("%s: valid decompress of %u bytes: ret %d status 0x%x, %u bytes", when,
		     out_len, ret, st, back_len);
		vq_ok = false;
		return -1;
	}
	return 0;
}

static int
valid_setup(struct rd_dev *d)
{
	uint32_t qnum = fn_qnum(d);
	int ret;

	vq_ok = false;
	if (qnum < 2)
		return -1;
	vin = rd_alloc(d, VIN_MAX, 64);
	vout = rd_alloc(d, VOUT_MAX, 64);
	vback = rd_alloc(d, VIN_MAX, 64);
	if (vin == NULL || vout == NULL || vback == NULL)
		return -1;
	ret = rd_queue_create(d, &vcq, 0, 64, 0, 0x1234, false);
	if (ret == 0)
		ret = rd_queue_create(d, &vdq, 1, 64, 1, 0x4321, false);
	if (ret != 0)
		return -1;
	vq_ok = true;
	return 0;
}

/* ---- a second driver thread (-T) ------------------------------------------------ */
/*
 * Doorbells of the fuzz queues from another thread while the main thread
 * goes on (context writes, resets...): what a driver with one thread per
 * queue and a buggy control path does. Its own random state.
 */
static bool two_threads;
static volatile int db_stop;
static struct rd_dev *db_dev;

static void *
db_thread(void *arg)
{
	uint64_t st = (uint64_t)(uintptr_t)arg | 1;

	while (!db_stop) {
		unsigned int n = __atomic_load_n(&nfq, __ATOMIC_ACQUIRE);
		const struct fq *q;
		uint64_t v;
		uint16_t idx;

		st ^= st << 13;
		st ^= st >> 7;
		st ^= st << 17;
		if (n == 0)
			continue;
		q = &fqs[st % n];
		idx = (uint16_t)((st >> 8) % 1024);
		v = rd_db(q->qn, (st >> 20) & 1 ? RD_DB_CQ : RD_DB_SQ, q->rand, idx,
			  (uint16_t)((st >> 21) & 1));
		__atomic_fetch_add(&req_bound, 1024, __ATOMIC_RELAXED);
		hzip_model_write64(db_dev->m, RD_BAR, RD_DB_SQ_CQ, v);
	}
	return NULL;
}

/* ---- one sequence -------------------------------------------------------------- */

static unsigned int ops_per_seq = 150;

static void
watchdog(int sig)
{
	static const char msg[] = "HANG: watchdog expired (a model wait is unbounded)\n";
	char buf[96];
	int n;

	(void)sig;
	n = snprintf(buf, sizeof(buf), "HANG in case %" PRIu64 " (seed %" PRIu64 ")\n", cur_case,
		     seed0);
	if (write(2, msg, sizeof(msg) - 1) < 0 || write(2, buf, (size_t)n) < 0)
		_exit(3);
	_exit(2);
}

static int
dev_init(struct rd_dev *d, bool vf)
{
	int ret;

	unsigned int flags = RD_F_EVENTS | (rp(30) ? RD_F_MSI : 0);

	if (vf)
		ret = rd_vf_init(d, flags);
	else
		ret = rd_pf_init(d, rr(16, 64), flags | (rp(20) ? RD_F_NO_CACHE : 0));
	return ret;
}

static void
run_case(uint64_t c, unsigned int funcs)
{
	struct rd_dev d;
	bool vf;
	uint8_t b;
	uint16_t cmd;
	long bad;
	int which, ret;
	unsigned int nops;
	pthread_t db_tid;

	struct rusage ru0, ru1;

	getrusage(RUSAGE_SELF, &ru0);
	cur_case = c;
	rs = (seed0 * 0x9e3779b97f4a7c15ull) ^ (c * 0xbf58476d1ce4e5b9ull) ^ 0x1234567ull;
	if (rs == 0)
		rs = 1;
	for (int i = 0; i < 4; i++)
		rnd();
	vf = funcs == 2 || (funcs == 3 && (c & 1));
	disrupted = false;
	nfq = 0;
	memset(ctxs, 0, sizeof(ctxs));
	alarm(60);
	{
		char args[256];

		snprintf(args, sizeof(args), "%s%s%s", vf ? "vf=1,queues=16,engine=real" :
			 rp(30) ? "engine=store" : rp(30) ? "engines=2" :
			 rp(25) ? "timing=1,engines=3" : "engine=real",
			 getenv("FUZZ_TRACE") != NULL ? ",trace=" : "",
			 getenv("FUZZ_TRACE") != NULL ? getenv("FUZZ_TRACE") : "");
		ret = rd_open(&d, args);
	}
	if (ret < 0) {
		fail("rd_open: %d", ret);
		return;
	}
	arena_reset(&d);
	ret = dev_init(&d, vf);
	if (ret != 0) {
		fail("init: %d", ret);
		rd_close(&d);
		return;
	}
	valid_setup(&d);
	for (unsigned int i = 0; i < 3; i++)
		op_recreate(&d);
	VLOG("case %" PRIu64 ": %s, %u queues, %u fuzz queues\n", c, vf ? "VF" : "PF", d.qnum,
	     nfq);
	nops = rr(ops_per_seq / 2, ops_per_seq);
	{
		struct hzip_model_stats st0;

		hzip_model_stats_get(d.m, &st0);
		req_bound = st0.requests + 64;
	}
	if (two_threads) {
		db_stop = 0;
		db_dev = &d;
		if (pthread_create(&db_tid, NULL, db_thread, (void *)(uintptr_t)rnd()) != 0)
			two_threads = false;
	}
	for (unsigned int i = 0; i < nops; i++) {
		unsigned int k = ru(100);
		uint64_t op_t0 = rd_now_us();

		if (k < 15)
			op_mmio(&d);
		else if (k < 27)
			op_mailbox(&d);
		else if (k < 40)
			op_doorbell(&d);
		else if (k < 75)
			op_submit(&d);
		else if (k < 80)
			op_recreate(&d);
		else if (k < 82)
			op_cfg(&d);
		else if (k < 85)
			op_iommu(&d);
		else if (k == 85 && rp(30))
			op_flr(&d);
		else if (k < 88)
			valid_roundtrip("mid-sequence", !disrupted);
		else
			for (unsigned int q = 0; q < nfq; q++)
				fq_poll(&d, &fqs[q]);
		if (verbose && rd_now_us() - op_t0 > 100000)
			fprintf(stderr, "case %" PRIu64 " op %u (kind %u): %.3f s\n", c, i, k,
				(double)(rd_now_us() - op_t0) / 1e6);
	}
	if (two_threads) {
		db_stop = 1;
		pthread_join(db_tid, NULL);
	}
	/* an engine that goes on executing by itself is a runaway */
	{
		struct hzip_model_stats st1;
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		hzip_model_stats_get(d.m, &st1);
		if (st1.requests > __atomic_load_n(&req_bound, __ATOMIC_RELAXED))
			fail("the engine ran away: %" PRIu64 " requests executed, at most %" PRIu64
			     " made available", st1.requests, req_bound);
	}
	if (hole != NULL) {
		hzip_model_dma_map(d.m, iova(hole), iova(hole), hole_len);
		hole = NULL;
	}
	bad = canary_check(&which);
	if (bad >= 0)
		fail("device write outside the mappings: gap %d + 0x%lx = 0x%02x", which, bad,
		     gap[which][bad]);
	/* function reset (FLR), the driver's re-initialisation, a valid request */
	b = 0x80;
	hzip_model_cfg_write(d.m, 0x79, &b, 1);
	cmd = 0x0006;
	hzip_model_cfg_write(d.m, 0x04, &cmd, 2);
	/* the memory an FLR'd device must not use any more is back to the driver */
	ret = dev_init(&d, vf);
	if (ret != 0) {
		fail("init after FLR: %d", ret);
	} else {
		disrupted = false;
		if (valid_setup(&d) != 0)
			fail("valid queues after FLR");
		else
			for (int i = 0; i < 2; i++)
				valid_roundtrip("after FLR", true);
	}
	bad = canary_check(&which);
	if (bad >= 0)
		fail("device write outside the mappings (after FLR): gap %d + 0x%lx", which, bad);
	rd_close(&d);
	alarm(0);
	/* the device's scratch memory stays bounded whatever it was asked */
	getrusage(RUSAGE_SELF, &ru1);
	if (ru1.ru_maxrss - ru0.ru_maxrss > 256 * 1024)
		fail("peak RSS grew by %ld MiB in one sequence",
		     (ru1.ru_maxrss - ru0.ru_maxrss) / 1024);
}

static void
usage(void)
{
	fprintf(stderr, "usage: fuzz_model [-s SEED] [-n SEQUENCES] [-o OPS] [-t SECONDS] "
		"[-f FUNCS] [-c CASE] [-O] [-T] [-v]\n");
}

int
main(int argc, char **argv)
{
	uint64_t n = 20, one = UINT64_MAX;
	unsigned int funcs = 3, passed = 0, failed = 0;
	double tmax = 0;
	struct timespec t0, t1;
	struct rusage ru_;
	int o;

	while ((o = getopt(argc, argv, "s:n:o:t:f:c:vOTh")) != -1) {
		switch (o) {
		case 's': seed0 = strtoull(optarg, NULL, 0); break;
		case 'n': n = strtoull(optarg, NULL, 0); break;
		case 'o': ops_per_seq = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 't': tmax = strtod(optarg, NULL); break;
		case 'f': funcs = (unsigned int)strtoul(optarg, NULL, 0) & 3; break;
		case 'c': one = strtoull(optarg, NULL, 0); break;
		case 'v': verbose = true; break;
		case 'O': no_overlap = true; break;
		case 'T': two_threads = true; break;
		default: usage(); return 1;
		}
	}
	if (funcs == 0)
		funcs = 3;
	if (ops_per_seq < 2)
		ops_per_seq = 2;
	rte_log_set_global_level(verbose ? RTE_LOG_DEBUG : RTE_LOG_EMERG);
	signal(SIGALRM, watchdog);
	arena_init();
	samples_init();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t c = one == UINT64_MAX ? 0 : one; c < (one == UINT64_MAX ? n : one + 1); c++) {
		fails_seq = 0;
		run_case(c, funcs);
		if (verbose) {
			struct rusage u;

			getrusage(RUSAGE_SELF, &u);
			fprintf(stderr, "case %" PRIu64 " done: max RSS %ld MiB\n", c,
				u.ru_maxrss / 1024);
		}
		if (fails_seq == 0)
			passed++;
		else
			failed++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (tmax > 0 && (double)(t1.tv_sec - t0.tv_sec) +
					(double)(t1.tv_nsec - t0.tv_nsec) / 1e9 > tmax)
			break;
	}
	printf("SQE statuses of fuzz requests:");
	for (int i = 0; i < 256; i++)
		if (st_hist[i] != 0)
			printf(" 0x%02x:%" PRIu64, i, st_hist[i]);
	printf("\nmailbox statuses:");
	for (int i = 0; i < 16; i++)
		if (mb_hist[i] != 0)
			printf(" %d:%" PRIu64, i, mb_hist[i]);
	if (mb_hist[16] != 0)
		printf(" timeout:%" PRIu64, mb_hist[16]);
	printf("\n");
	getrusage(RUSAGE_SELF, &ru_);
	printf("fuzz_model seed %" PRIu64 ": %u passed, %u failed (max RSS %ld MiB)\n", seed0,
	       passed, failed, ru_.ru_maxrss / 1024);
	return failed == 0 ? 0 : 1;
}
