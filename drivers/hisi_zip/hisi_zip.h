/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * HiSilicon ZIP poll-mode driver: internal definitions shared by
 * hisi_zip.c (probe, queue ops, recovery), hisi_zip_req.c (message <->
 * SQE), hisi_zip_sgl.c (hardware SGL pool) and hisi_zip_stream.c.
 */
#ifndef HISI_ZIP_H
#define HISI_ZIP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "wd_comp_fmt.h"
#include "wd_comp_msg.h"
#include "wd_drv.h"

#include "hisi_qm.h"
#include "hisi_zip_hw.h"

#define HZIP_DRV_NAME            "hisi_zip"
#define HZIP_API                 "hisi_qm_v2"
#define HZIP_ALGORITHMS          "zlib\ngzip\ndeflate"

#define HZIP_DEPTH_DEFAULT       1024u
#define HZIP_TIMEOUT_MS_DEFAULT  1000u
#define HZIP_TIMEOUT_MS_MIN      10u
#define HZIP_TIMEOUT_MS_MAX      60000u
/** A stalled queue checks the function's error registers this often. */
#define HZIP_ERR_CHECK_MS        10u
/** Longest wait for a queue to drain after a timeout, before a reset. */
#define HZIP_DRAIN_MS            100u

/** Entries per hardware SGL of the pool (section 13 allows up to 255). */
#define HZIP_SGL_ENTRIES         14u
/** Bytes per SGL: 64-byte header + entries. */
#define HZIP_SGL_SIZE            (64u + HZIP_SGL_ENTRIES * 32u)
/** Longest mbuf chain (segments after the offset) one buffer may have. */
#define HZIP_MAX_SEGS            1024u
#define HZIP_SGL_MAX_PER_BUF     ((HZIP_MAX_SEGS + HZIP_SGL_ENTRIES - 1) / HZIP_SGL_ENTRIES)
/**
 * Most segments one walk over a caller's chain visits, empty ones included
 * (a chain has at most UINT16_MAX: nb_segs's range). Past it the chain is
 * taken as too short: a cyclic chain of empty segments ends a walk instead
 * of hanging it (non-empty ones hit HZIP_MAX_SEGS first).
 */
#define HZIP_WALK_MAX            UINT16_MAX
#define HZIP_SGL_NONE            0xffffu

/** Per-slot bounce buffer of a queue (stateless requests with small outputs). */
#define HZIP_SLOT_BOUNCE_SIZE    256u

/** A queue's template key before any message was checked (keys are 40 bits). */
#define HZIP_TMPL_NONE           UINT64_MAX

extern int hzip_logtype;
extern int hzip_dp_logtype;

/** Control-path log, with the device name. */
#define HZIP_LOG(name, level, fmt, ...) \
	rte_log(RTE_LOG_##level, hzip_logtype, HZIP_DRV_NAME " %s: " fmt "\n", (name), \
		##__VA_ARGS__)

/*
 * Data-path log: compiled out unless HZIP_DP_LOG_LEVEL is raised at build
 * time (e.g. -DHZIP_DP_LOG_LEVEL=RTE_LOG_DEBUG).
 */
#ifndef HZIP_DP_LOG_LEVEL
#define HZIP_DP_LOG_LEVEL        RTE_LOG_ERR
#endif
#define HZIP_DP_LOG(name, level, fmt, ...) do { \
	if (RTE_LOG_##level <= HZIP_DP_LOG_LEVEL) \
		rte_log(RTE_LOG_##level, hzip_dp_logtype, HZIP_DRV_NAME " %s: " fmt "\n", \
			(name), ##__VA_ARGS__); \
} while (0)

/** One ZIP function. */
struct hzip_dev {
	struct hisi_qm qm;
	uint32_t timeout_ms;         /**< request deadline (devarg timeout_ms) */
	uint64_t timeout_cycles;
	uint64_t err_check_cycles;
	bool is_vf;
	char name[WD_NAME_MAX];
};

/** Hardware SGL pool of a queue (no lock: the queue's thread only). */
struct hzip_sgl_pool {
	uint8_t *mem;                /**< nblocks x HZIP_SGL_SIZE, DMA memory */
	uint16_t *free;              /**< stack of free extra blocks */
	uint16_t *next;              /**< chain links (block -> next block) */
	uint32_t nfree;
	uint32_t nfixed;             /**< blocks owned by SQ slots (2 per slot) */
	uint32_t nblocks;
	bool streamed;               /**< entries written with streaming stores since the fence */
};

/* Slot flags: what was done at submit, for the completion. */
#define HZIP_SLOT_STREAM         (1u << 0)  /**< stream request */
#define HZIP_SLOT_FINISH         (1u << 1)  /**< finish bit set */
#define HZIP_SLOT_SHRUNK         (1u << 2)  /**< stream compress input shrunk (9/8 rule) */
#define HZIP_SLOT_BOUNCE         (1u << 3)  /**< output went to the slot's bounce buffer */
#define HZIP_SLOT_SBOUNCE        (1u << 4)  /**< output went to the stream's bounce buffer */
#define HZIP_SLOT_STRIP          (1u << 5)  /**< deflate: strip the 8-byte gzip trailer */
#define HZIP_SLOT_CLAMPED        (1u << 6)  /**< output room clamped to the 8 MiB limit */
#define HZIP_SLOT_HDR            (1u << 7)  /**< stream header written/parsed by this request */

/** Per SQ slot: the request it carries. */
struct hzip_slot {
	struct wd_comp_msg *msg;     /**< NULL: free */
	uint64_t tsc;                /**< when its doorbell was rung (UINT64_MAX: not yet) */
	uint32_t tag;                /**< expected SQE tag (generation << 16 | slot) */
	uint32_t seq;                /**< the queue's SQE sequence number it went out with */
	uint32_t hw_in;              /**< input bytes given to the device */
	uint32_t hw_out;             /**< output room given to the device */
	uint32_t room;               /**< caller's output room after the header */
	uint32_t hdr_in;             /**< header bytes the driver consumed (gzip: up to the
	                                  whole input, FEXTRA/FNAME/FCOMMENT have no limit) */
	uint16_t hdr_out;            /**< header bytes before the device's output */
	uint16_t sgl_in;             /**< SGL in use (the slot's block), or HZIP_SGL_NONE */
	uint16_t sgl_out;
	uint16_t gen;
	uint8_t flags;               /**< HZIP_SLOT_* */
	uint8_t alg;
};

/** Stream magic (struct hzip_stream.magic). */
#define HZIP_STREAM_MAGIC        0x7a697073u

/** A stream (returned by stream_create as an opaque pointer). */
struct hzip_stream {
	uint32_t magic;
	uint8_t alg;                 /**< enum wd_comp_alg */
	uint8_t op;                  /**< enum wd_op_type */
	uint8_t window_log;
	uint8_t level;
	struct wd_dev *dev;
	/* progress */
	bool busy;                   /**< one request in flight */
	bool reset_pending;          /**< stream_reset while busy: done at its completion */
	bool broken;                 /**< an error left the state unknown: reset needed */
	bool ended;                  /**< FINISH done / stream end seen */
	bool hw_started;             /**< the device has seen this stream */
	bool hdr_done;               /**< header written (compress) / parsed (decompress) */
	uint32_t ctx_dw0;            /**< chained from completion to SQE */
	uint32_t ctx_dw1;
	uint32_t ctx_dw2;
	uint32_t isize;
	uint32_t checksum;           /**< device encoding */
	/* output kept back by the stream bounce buffer */
	uint16_t pend_off;
	uint16_t pend_len;
	uint8_t pend_status;         /**< status to report once drained */
	/** decompression with output pending: plain checksum of the output handed out */
	uint32_t pend_chk;
	struct wd_comp_hdr_parser parser;      /**< decompress: committed state */
	struct wd_comp_hdr_parser parser_next; /**< state after the request in flight */
	uint8_t *ctx;                /**< 64 KiB context buffer (DMA memory) */
};

/*
 * Where the fast completion takes a stateless compression's checksum and
 * isize. The trailer the device wrote is the reference ([O]); dw30/dw31
 * are confirmed for stream mode only. A queue starts by reading trailers
 * and comparing them with dw30/dw31 (LEARN); after HZIP_SUMS_LEARN_N
 * completions that agree, it uses dw30/dw31 (SQE: no trailer line to
 * fetch) and still checks one completion in 256; the first disagreement
 * makes it read trailers for good (TRAILER). A device that leaves dw30/
 * dw31 0 in stateless mode is caught by the first completion, before any
 * value from them is reported.
 */
#define HZIP_SUMS_LEARN          0
#define HZIP_SUMS_SQE            1
#define HZIP_SUMS_TRAILER        2
#define HZIP_SUMS_LEARN_N        64

/** Queue (wd_core's per-queue private data). Fast fields first. */
struct hzip_qp {
	struct hisi_qp qp;
	struct hzip_slot *slots;     /**< depth entries */
	uint32_t inflight;           /**< requests with the device */
	uint32_t seq_tail;           /**< sequence number of the next SQE (sq_tail's slot) */
	uint32_t cap;                /**< depth - 1 */
	/* messages completed by the driver itself, returned by recv first */
	struct wd_comp_msg **swq;
	uint32_t sw_head;
	uint32_t sw_count;
	uint32_t sw_size;
	uint8_t op;                  /**< enum wd_op_type */
	bool dead;                   /**< device out of service */
	bool reset_due;              /**< a completion found an error that needs a reset */
	bool late_on_recover;        /**< timed out during another thread's reset: the
				      *   recovery after it ends late requests ERR_TIMEOUT */
	uint32_t seq_oldest;         /**< no request older than this is in flight */
	uint16_t rung;               /**< SQ tail of the last doorbell: later slots wait for one */
	bool progress;               /**< completions since the last stall check */
	bool sgl_used;               /**< a compression went out with SGLs: recv prefetches them */
	uint8_t sums_mode;           /**< HZIP_SUMS_*: where stateless compression sums come from */
	uint8_t sums_tick;           /**< HZIP_SUMS_SQE: one completion in 256 is checked */
	uint16_t sums_agree;         /**< HZIP_SUMS_LEARN: completions whose sums agreed */
	uint32_t polls;
	uint64_t last_done;          /**< (about) when the queue last completed something */
	uint64_t last_err_check;
	uint8_t *bounce;             /**< depth x HZIP_SLOT_BOUNCE_SIZE, DMA memory */
	/* compression headers of the last (level, window) per format */
	struct {
		bool valid;
		uint8_t level;
		uint8_t wlog;
		uint8_t bytes[WD_GZIP_HDR_MIN_LEN];
	} hdr[WD_COMP_ALG_MAX];
	/*
	 * SQE template of the last kind of stateless compression message the
	 * fast path took (its first 5 bytes: format, direction, flush, window,
	 * level): checked once, then one compare per message.
	 */
	struct {
		/*
		 * Message head; HZIP_TMPL_NONE (no message's: a head is 40 bits)
		 * until the first one was checked
		 */
		uint64_t key;
		uint32_t dw9;            /* request type and window (flat buffers) */
		uint8_t hdr_len;
		uint8_t flags;           /* slot flags */
		uint8_t hdr[WD_GZIP_HDR_MIN_LEN];
	} tmpl;
	struct hzip_sgl_pool sgl;
	struct hzip_dev *zdev;
	struct hisi_qm *qm;
	const char *name;
};

/** SQE @p idx of a queue (the ZIP SQE size is fixed: an index, not a multiply). */
static inline struct hzip_sqe *
hzip_sqe_at(const struct hzip_qp *zq, uint16_t idx)
{
	return (struct hzip_sqe *)(void *)zq->qp.sq + idx;
}

/* hisi_zip_req.c */
/** Ring the SQ doorbell and date the requests it hands to the device. */
void hzip_ring(struct hzip_qp *zq);
/** Queue a completed message for the next recv. */
void hzip_sw_push(struct hzip_qp *zq, struct wd_comp_msg *m);
/** Set @p status and queue the message for the next recv. */
void hzip_sw_complete(struct hzip_qp *zq, struct wd_comp_msg *m, uint8_t status);
uint16_t hzip_send(void *qpriv, void **reqs, uint16_t n, bool doorbell);
void hzip_complete(struct hzip_qp *zq, uint16_t idx);
void hzip_fail_slot(struct hzip_qp *zq, uint16_t idx, uint8_t status);
/** A stateless compression's dw30/dw31 agreed (or not) with its trailer: see HZIP_SUMS_*. */
void hzip_sums_check(struct hzip_qp *zq, bool agree);

/* hisi_zip.c */
uint16_t hzip_recv(void *qpriv, void **resps, uint16_t n);
void hzip_qp_recover(struct hzip_qp *zq);

/**
 * On entry to a data-path call: is the queue in the function's current
 * epoch? A reset done since is recovered from here; one in progress is
 * not waited for (false: the call does nothing with the hardware now).
 */
static inline bool
hzip_qp_current(struct hzip_qp *zq)
{
	if (likely(zq->qp.epoch == hisi_qm_epoch(zq->qm)))
		return true;
	hzip_qp_recover(zq);
	return zq->qp.epoch == hisi_qm_epoch(zq->qm);
}

/* hisi_zip_sgl.c */
/**
 * Create the SGL pool of a queue: @p nfixed blocks owned by SQ slots (slot
 * i: 2i for the input, 2i + 1 for the output), @p nextra blocks for chains
 * longer than one SGL.
 */
int hzip_sgl_pool_init(struct hzip_sgl_pool *p, uint32_t nfixed, uint32_t nextra, int socket);
void hzip_sgl_pool_fini(struct hzip_sgl_pool *p);
/**
 * Build a hardware SGL in block @p first (and extra blocks beyond
 * HZIP_SGL_ENTRIES entries) for @p len bytes of the chain @p m from byte
 * @p off (zero-length segments are skipped).
 * @return @p first, or HZIP_SGL_NONE with *err = -ENOSPC (no extra block
 * now: retry later), -E2BIG (more than HZIP_MAX_SEGS segments) or -EINVAL
 * (the chain is shorter than off + len).
 */
uint16_t hzip_sgl_build(struct hzip_sgl_pool *p, uint16_t first, struct rte_mbuf *m,
			uint32_t off, uint32_t len, int *err);
/**
 * One-entry SGL in block @p first for a flat buffer (DMA memory at @p va;
 * one valid entry also for 0 bytes). @return @p first.
 */
uint16_t hzip_sgl_build_flat(struct hzip_sgl_pool *p, uint16_t first, const void *va,
			     uint32_t len);
/*
 * The completion finds a trailer through the SGL the submission built
 * (entries hold DMA addresses, which are virtual addresses: IOVA = VA),
 * without walking the mbuf chain again.
 */
/** @return where byte @p off of the data an SGL chain describes is, or NULL. */
const uint8_t *hzip_sgl_locate(const struct hzip_sgl_pool *p, uint16_t first, uint32_t off);
/** Copy @p len bytes from byte @p off of what an SGL chain describes. @return false if short. */
bool hzip_sgl_read(const struct hzip_sgl_pool *p, uint16_t first, uint32_t off, void *dst,
		   uint32_t len);
/** Give back the extra blocks chained after @p first. */
void hzip_sgl_release(struct hzip_sgl_pool *p, uint16_t first);


/**
 * Prefetch a line to own it (PREFETCHW on x86, a prefetch for store
 * elsewhere). rte_prefetch0_write() is a plain read prefetch under DPDK's
 * -march=corei7 (CPUs without PREFETCHW run it as a NOP). Used where the
 * line is shared with the device and about to be written back by us:
 * measured, it pays there and not for lines we only just wrote.
 */
static inline void
hzip_prefetch_own(const void *p)
{
#if defined(__x86_64__)
	asm volatile("prefetchw %0" : : "m" (*(const volatile char *)p));
#else
	__builtin_prefetch(p, 1, 3);
#endif
}

/** @return block @p idx of the pool. */
static inline struct hzip_sgl_hdr *
hzip_sgl_block(const struct hzip_sgl_pool *p, uint16_t idx)
{
	return (struct hzip_sgl_hdr *)(p->mem + (size_t)idx * HZIP_SGL_SIZE);
}

/** Prefetch (for writing) the header and the first 4 entries of block @p idx. */
static inline void
hzip_sgl_prefetch(const struct hzip_sgl_pool *p, uint16_t idx)
{
	const uint8_t *b = (const uint8_t *)hzip_sgl_block(p, idx);

	rte_prefetch0(b);
}

/**
 * Make the SGL entries written since the last call visible before a
 * doorbell: x86 streaming stores are not ordered by the doorbell's
 * barrier (elsewhere the entries are plain stores, which it orders).
 */
static inline void
hzip_sgl_fence(struct hzip_sgl_pool *p)
{
#if defined(RTE_ARCH_X86_64)
	if (p->streamed) {
		rte_wmb();
		p->streamed = false;
	}
#else
	p->streamed = false;
#endif
}

/** @return the device address of block @p idx. */
static inline uint64_t
hzip_sgl_iova(const struct hzip_sgl_pool *p, uint16_t idx)
{
	return wd_dma_iova(hzip_sgl_block(p, idx));
}

/** Copy @p len bytes to / from the chain at byte @p off. @return bytes copied. */
uint32_t hzip_mbuf_write(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t len);
uint32_t hzip_mbuf_read(const struct rte_mbuf *m, uint32_t off, void *dst, uint32_t len);

/* hisi_zip_stream.c */
extern const struct wd_comp_drv_ops hzip_comp_ops;
/** Put a stream back to its initial state (not busy, nothing pending). */
void hzip_stream_init(struct hzip_stream *st);

/** Bit-reverse a 32-bit word. */
static inline uint32_t
hzip_bitrev32(uint32_t x)
{
	x = ((x & 0xaaaaaaaau) >> 1) | ((x & 0x55555555u) << 1);
	x = ((x & 0xccccccccu) >> 2) | ((x & 0x33333333u) << 2);
	x = ((x & 0xf0f0f0f0u) >> 4) | ((x & 0x0f0f0f0fu) << 4);
	x = ((x & 0xff00ff00u) >> 8) | ((x & 0x00ff00ffu) << 8);
	return (x >> 16) | (x << 16);
}

/*
 * The device's running checksum (dw31) in plain form: zlib keeps the
 * Adler-32 as is; gzip (and our deflate, which runs as gzip) keeps the
 * bit-reversed, un-inverted CRC register (reference 17.1).
 */
static inline uint32_t
hzip_chksum_decode(uint8_t alg, uint32_t dw31)
{
	if (alg == WD_COMP_ALG_ZLIB)
		return dw31;
	return ~hzip_bitrev32(dw31);
}

/** The virtual address of a DMA address (WarpDrive runs with IOVA = VA: wd_dma_iova()). */
static inline void *
hzip_dma_va(uint64_t iova)
{
	return (void *)(uintptr_t)iova;
}

/** Trailer bytes of a whole stream: zlib 4 (Adler-32), gzip (and deflate run as gzip) 8. */
static inline uint32_t
hzip_trailer_len(uint8_t alg)
{
	return alg == WD_COMP_ALG_ZLIB ? WD_ZLIB_TRAILER_LEN : WD_GZIP_TRAILER_LEN;
}

/** Read @p len bytes at byte @p off of a flat buffer or chain. @return false if short. */
static inline bool
hzip_buf_read(const struct wd_comp_buf *b, uint32_t off, void *d, uint32_t len)
{
	if (likely(b->type == WD_COMP_BUF_FLAT)) {
		memcpy(d, (const uint8_t *)b->addr + off, len);
		return true;
	}
	return hzip_mbuf_read(b->m, b->offset + off, d, len) == len;
}

/**
 * The checksum at the start of a trailer, plain: zlib's Adler-32 is
 * big-endian, gzip's CRC-32 little-endian (reference 17.1).
 */
static inline uint32_t
hzip_trailer_chksum(uint8_t alg, const uint8_t *t)
{
	uint32_t v;

	memcpy(&v, t, sizeof(v));
	return alg == WD_COMP_ALG_ZLIB ? rte_be_to_cpu_32(v) : rte_le_to_cpu_32(v);
}

/*
 * Completion of the common request, inline in the receive loop: a
 * stateless compression the device finished (status 0x00 or 0x0d, counts
 * within what it was given). Its checksum comes from the trailer the
 * device wrote at the end of its output (the stateless dw30/dw31 are the
 * model's, not confirmed on silicon); its isize is the input it consumed.
 * @return false: hzip_complete() handles it.
 */
static __rte_always_inline bool
hzip_complete_fast(struct hzip_qp *zq, uint16_t idx)
{
	struct hzip_slot *sl = &zq->slots[idx];
	const struct hzip_sqe *sqe = hzip_sqe_at(zq, idx);
	struct wd_comp_msg *m = sl->msg;
	uint32_t hs = sqe->dw3 & HZIP_STATUS_MASK;
	uint32_t consumed = sqe->consumed, produced = sqe->produced;
	uint32_t chk = hzip_chksum_decode(sl->alg, sqe->checksum);
	uint8_t t[4];

	if (unlikely(sl->flags != HZIP_SLOT_FINISH || zq->op != WD_OP_COMPRESS ||
		     (hs != HZIP_ST_OK && hs != HZIP_ST_NEGACOMPRESS) || consumed > sl->hw_in ||
		     produced > sl->hw_out || produced < hzip_trailer_len(sl->alg) ||
		     sl->hw_in == 0))
		return false;
	if (unlikely(zq->sums_mode != HZIP_SUMS_SQE || ++zq->sums_tick == 0 ||
		     sqe->isize != consumed)) {
		/* the trailer: the reference (see HZIP_SUMS_*) */
		uint32_t tchk;

		if (likely(sl->sgl_out == HZIP_SGL_NONE))
			memcpy(t, (const uint8_t *)m->dst.addr + sl->hdr_out + produced -
			       hzip_trailer_len(sl->alg), sizeof(t));
		else if (unlikely(!hzip_sgl_read(&zq->sgl, sl->sgl_out,
						 produced - hzip_trailer_len(sl->alg), t,
						 sizeof(t))))
			return false;
		tchk = hzip_trailer_chksum(sl->alg, t);
		if (zq->sums_mode != HZIP_SUMS_TRAILER)
			hzip_sums_check(zq, tchk == chk && sqe->isize == consumed);
		chk = tchk;
	}
	m->hw_status = (uint16_t)hs;
	m->checksum = chk;
	m->isize = consumed;
	m->consumed = consumed;
	m->produced = sl->hdr_out + produced;
	m->status = WD_COMP_MSG_OK;
	if (unlikely(sl->sgl_in != HZIP_SGL_NONE)) {
		hzip_sgl_release(&zq->sgl, sl->sgl_in);
		hzip_sgl_release(&zq->sgl, sl->sgl_out);
		sl->sgl_in = HZIP_SGL_NONE;
		sl->sgl_out = HZIP_SGL_NONE;
	}
	sl->msg = NULL;
	zq->inflight--;
	return true;
}

#endif /* HISI_ZIP_H */
