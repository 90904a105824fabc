/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Test-only reference driver for the device model, written from the
 * hardware reference (../shared/reference/hisi-zip-v2-hardware.md), not
 * from drivers/hisi_zip: it does what the kernel's qm.c / zip_main.c,
 * UADK's hisi_qm_udrv.c and OP-TEE's hisi_qm.c do, through the model's
 * registers and memory only (hzip_model_read/write, DMA maps). Memory is
 * malloc'ed and mapped into the model's IOMMU with IOVA = VA.
 *
 * Every wait is bounded by time (CLOCK_MONOTONIC).
 */
#ifndef REFDRV_H
#define REFDRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hzip_model.h"

/* Offsets and values the reference gives (section numbers in brackets). */
#define RD_BAR				2
#define RD_VF_AEQ_INT_SOURCE		0x0000
#define RD_VF_AEQ_INT_MASK		0x0004
#define RD_VF_EQ_INT_SOURCE		0x0008
#define RD_VF_EQ_INT_MASK		0x000c
#define RD_CACHE_WB_START		0x0204
#define RD_CACHE_WB_DONE		0x0208
#define RD_MAILBOX			0x0300
#define RD_DB_SQ_CQ			0x1000
#define RD_DB_EQ_AEQ			0x2000
#define RD_ABN_SOURCE			0x100000
#define RD_ABN_MASK			0x100004
#define RD_ABN_STATUS			0x100008
#define RD_ABN_SET			0x10000c
#define RD_ABN_INF00			0x100010
#define RD_MEM_START_INIT		0x100040
#define RD_MEM_INIT_DONE		0x100044
#define RD_CACHE_CTL			0x100050
#define RD_VFT_OP_ENABLE		0x100054
#define RD_VFT_OP_WR			0x100058
#define RD_VFT_TYPE			0x10005c
#define RD_VFT_CFG			0x100060
#define RD_VFT_DATA_L			0x100064
#define RD_VFT_DATA_H			0x100068
#define RD_VFT_RDY			0x10006c
#define RD_PEH_VENDOR_ID		0x1000d8
#define RD_REVISION			0x1000dc
#define RD_MASTER_GLOBAL_CTRL		0x300000
#define RD_MASTER_TRANS_RETURN		0x300150
#define RD_ZIP_CLOCK_GATE		0x301004
#define RD_ZIP_CORE_SOURCE		0x3010a0
#define RD_ZIP_CORE_MASK		0x3010a4
#define RD_ZIP_CORE_SET			0x3010a8
#define RD_ZIP_CORE_STATUS		0x3010ac

#define RD_MB_SQC			0
#define RD_MB_CQC			1
#define RD_MB_EQC			2
#define RD_MB_AEQC			3
#define RD_MB_SQC_BT			4
#define RD_MB_CQC_BT			5
#define RD_MB_SQC_VFT			6
#define RD_MB_BUSY			(1u << 13)
#define RD_MB_OP_READ			(1u << 14)

#define RD_DB_SQ			0
#define RD_DB_CQ			1
#define RD_DB_EQ			2
#define RD_DB_AEQ			3

/* ZIP SQE fields [10.1] */
#define RD_SQE_SIZE			128
#define RD_REQ_ZLIB			0x02
#define RD_REQ_GZIP			0x03
#define RD_DW7_FINISH			(1u << 25)
#define RD_DW7_STATEFUL			(1u << 26)
#define RD_DW7_NEW			(1u << 27)
#define RD_ST_OK			0x00
#define RD_ST_NEGACOMPRESS		0x0d
#define RD_ST_DSTLEN_OUT		0x0e
#define RD_ST_CRC_ERR			0x10
#define RD_ST_DECOMP_END		0x13
#define RD_DW3_LAST_BLOCK		(1u << 8)
#define RD_DW9_SGL			(1u << 8)	/* buffer type 1 */
#define RD_KERNEL_SGL_NR		10	/* kernel default entries per SGL (sgl_sge_nr) */
#define RD_UADK_SGL_NR			255

/** PF init options. */
#define RD_F_EVENTS	(1u << 0)	/* configure EQ and AEQ, unmask their interrupts */
#define RD_F_MSI	(1u << 1)	/* enable MSI vectors (eventfds) */
#define RD_F_NO_CACHE	(1u << 2)	/* CACHE_CTL left 0: contexts written through */
#define RD_F_NO_POLL	(1u << 3)	/* buggy driver: does not poll MEM_INIT_DONE */

struct rd_mem;

/** One function as seen by the reference driver. */
struct rd_dev {
	struct hzip_model *m;
	bool vf;
	uint32_t qbase;
	uint32_t qnum;
	struct rd_mem *mems;
	uint8_t *sqc_bt;
	uint8_t *cqc_bt;
	uint8_t *ctx;			/* 64-byte scratch for contexts */
	uint32_t *eq;
	uint32_t *aeq;
	uint16_t eq_depth, aeq_depth;
	uint16_t eq_head, aeq_head;
	uint8_t eq_phase, aeq_phase;
	int efd[4];
	unsigned int nvec;
};

/** One queue pair. */
struct rd_queue {
	struct rd_dev *d;
	uint16_t qn;
	uint16_t depth;
	uint8_t type;			/* 0 compress, 1 decompress */
	uint16_t rand;
	uint8_t *sq;
	uint8_t *cq;
	uint16_t sq_tail;
	uint16_t cq_head;
	uint8_t phase;
	unsigned int inflight;
};

/** Monotonic time in microseconds. */
uint64_t rd_now_us(void);

/** Create a model from @p args (spec keys) and enable memory decoding + bus mastering. */
int rd_open(struct rd_dev *d, const char *args);
/** Open with a params structure. */
int rd_open_params(struct rd_dev *d, const struct hzip_model_params *p);
/** Destroy the model and free every buffer. */
void rd_close(struct rd_dev *d);

/** malloc + IOMMU map (IOVA = VA), zeroed. NULL on failure. */
void *rd_alloc(struct rd_dev *d, size_t len, size_t align);
/** Unmap and free. */
void rd_free(struct rd_dev *d, void *p);
/** malloc'ed, zeroed, deliberately NOT mapped (for fault tests; freed at close). */
void *rd_alloc_unmapped(struct rd_dev *d, size_t len, size_t align);

/** Register access shorthands (BAR2). */
uint32_t rd_rd32(struct rd_dev *d, uint64_t off);
void rd_wr32(struct rd_dev *d, uint64_t off, uint32_t v);

/**
 * One mailbox command [4.3]: wait not busy, one 128-bit write, poll busy.
 * @return the status w0[12:9] (0 = ok), or -ETIMEDOUT. @p result (may be
 * NULL) receives base_l | base_h << 32 after the command.
 */
int rd_mb(struct rd_dev *d, unsigned int cmd, bool read, uint16_t qn, uint64_t base,
	  uint64_t *result);

/** VFT write / read for function @p fn [5.5]. @return 0 or -ETIMEDOUT. */
int rd_vft_write(struct rd_dev *d, unsigned int type, unsigned int fn, uint64_t data);
int rd_vft_read(struct rd_dev *d, unsigned int type, unsigned int fn, uint64_t *data);
/** SQC VFT data for @p base / @p count queues. */
uint64_t rd_sqc_vft(uint32_t base, uint32_t count);

/** PF initialisation, reference 9.3 steps 4-21, @p qnum queues. @return 0 or -errno. */
int rd_pf_init(struct rd_dev *d, unsigned int qnum, unsigned int flags);
/** VF initialisation (9.3a): VFT read (cmd 6), EQ/AEQ, BT. @return 0 or -errno. */
int rd_vf_init(struct rd_dev *d, unsigned int flags);

/** Doorbell word [3]. */
uint64_t rd_db(uint16_t qn, unsigned int cmd, uint16_t rand, uint16_t index, uint16_t prio);

/**
 * Create queue @p qn: rings, SQC (cmd 0) then CQC (cmd 1) [9.3 step 22].
 * @return 0, a positive mailbox status, or -errno.
 */
int rd_queue_create(struct rd_dev *d, struct rd_queue *q, uint16_t qn, uint16_t depth,
		    uint8_t type, uint16_t rand, bool c_flag);

/** Write @p sqe at the tail; ring the doorbell if @p ring. @return 0 or -EBUSY (ring full). */
int rd_submit(struct rd_queue *q, const uint8_t *sqe, bool ring);
/** SQ doorbell with the current tail. */
void rd_ring(struct rd_queue *q);
/**
 * Wait for the next CQE (up to @p timeout_us): copy the completed SQE slot
 * into @p sqe (may be NULL), its slot number into @p slot, ring the CQ
 * doorbell. @return 1, 0 on timeout, -EIO if the CQE's sq_head is invalid.
 */
int rd_poll(struct rd_queue *q, uint8_t *sqe, uint16_t *slot, uint64_t timeout_us);
/** CQ doorbell with priority 1: re-arm the event (c_flag) [5.2]. */
void rd_cq_arm(struct rd_queue *q);
/**
 * Drain check of 6.4: mailbox-read SQC and CQC until tails and tail-wrap
 * bits match. @return 0, -ETIMEDOUT, or a positive mailbox status.
 */
int rd_drain(struct rd_queue *q, uint64_t timeout_us);

/** Consume one EQE if present: @return 1 (cqn set), 0 none. Rings the EQ doorbell. */
int rd_eq_poll(struct rd_dev *d, uint16_t *cqn);
/** Consume one AEQE if present: @return 1 (*ent = raw entry), 0 none. */
int rd_aeq_poll(struct rd_dev *d, uint32_t *ent);

/** SQE helpers [10.1]. */
void rd_sqe_flat(uint8_t *sqe, uint8_t req_type, const void *src, uint32_t in_len, void *dst,
		 uint32_t avail, uint32_t dw7);
uint32_t rd_sqe_dw(const uint8_t *sqe, unsigned int dw);
void rd_sqe_set_dw(uint8_t *sqe, unsigned int dw, uint32_t v);
static inline uint32_t rd_sqe_status(const uint8_t *sqe) { return rd_sqe_dw(sqe, 3) & 0xff; }

/**
 * The kernel acomp driver's SQE (zip_crypto.c) [10.1]: hardware SGLs for
 * both buffers, dw7[23:0] = bytes to skip at the source (the header on
 * decompression), dw8[23:0] = bytes to skip at the destination (the header
 * the driver wrote on compression), input/output lengths net of the skips,
 * the tag in dw13; everything else 0 (no stream, new or finish bits).
 */
void rd_sqe_kernel(uint8_t *sqe, uint8_t req_type, const void *src_sgl, uint32_t slen,
		   uint32_t sskip, const void *dst_sgl, uint32_t dlen, uint32_t dskip,
		   uint32_t tag);

/** How the drivers fill the SGL header counts [13], [17.1]. */
enum rd_sgl_conv {
	/** Kernel: one SGL; entry_sum_in_chain = entry_length_in_sgl = its capacity. */
	RD_SGL_KERNEL,
	/** UADK: SGLs of capacity 255; entry_sum_in_chain = 255 x SGLs in the chain. */
	RD_SGL_UADK,
	/** Legacy merge: entry_sum_in_chain = valid entries of the whole chain. */
	RD_SGL_LEGACY,
};

/** A buffer scattered over separately allocated entries, described by hardware SGLs. */
struct rd_sgl {
	uint8_t *first;		/* first SGL header: its IOVA goes into the SQE */
	uint8_t **hdr;		/* SGL headers of the chain */
	unsigned int nhdr;
	uint8_t **ent;		/* entry buffers */
	uint32_t *len;		/* entry lengths */
	unsigned int n;
	size_t total;
};

/**
 * Allocate @p total bytes as @p nent entries (equal pieces, the last one
 * takes the rest; each in its own mapped allocation) and describe them by
 * SGLs of @p capacity entries each, counts filled per @p conv. The kernel
 * convention holds one SGL only: @p nent must not exceed @p capacity.
 * @return 0, -EINVAL, -ENOMEM.
 */
int rd_sgl_create(struct rd_dev *d, struct rd_sgl *s, size_t total, unsigned int nent,
		  unsigned int capacity, enum rd_sgl_conv conv);
/** Copy @p n bytes into / out of the scattered buffer at logical offset @p off. */
void rd_sgl_put(const struct rd_sgl *s, size_t off, const void *p, size_t n);
void rd_sgl_get(const struct rd_sgl *s, size_t off, void *p, size_t n);
/** Free the entries and headers. */
void rd_sgl_free(struct rd_dev *d, struct rd_sgl *s);

/**
 * Run one request on @p q and wait for it (up to 10 s).
 * @return 1 done (@p sqe updated), 0 timeout, < 0 error.
 */
int rd_run(struct rd_queue *q, uint8_t *sqe);

/** Stateless compression of @p in into @p out with its zlib (2 B) or gzip (10 B) header. */
int rd_compress(struct rd_queue *q, uint8_t req, const void *in, uint32_t len, uint8_t *out,
		uint32_t avail, uint32_t *out_len, uint32_t *status);
/**
 * Stateless decompression of a zlib/gzip stream (header skipped here).
 * *status receives dw3[8:0]: the status and the last-block bit (0x100).
 */
int rd_decompress(struct rd_queue *q, uint8_t req, const uint8_t *in, uint32_t len,
		  uint8_t *out, uint32_t avail, uint32_t *out_len, uint32_t *status);

#endif /* REFDRV_H */
