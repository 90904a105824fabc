/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internal declarations shared by the ZIP engine files (hzm_zip*.c).
 */
#ifndef HZM_ZIP_PRIV_H
#define HZM_ZIP_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <zlib.h>

#include <rte_log.h>

#include "wd_config.h"
#if WD_HAVE_ISAL
#include <isa-l.h>
#endif

#include "hzm_iommu.h"
#include "hzm_zip.h"
#include "hzm_sinflate.h"
#include "hzm_zip_hw.h"

extern int hzm_engine_logtype;
#define HZM_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hzm_engine_logtype, "hzm_zip: " fmt "\n", ##__VA_ARGS__)

/** A fault seen by the engine. */
struct hzm_fault {
	bool hit;
	bool write;
	uint64_t iova;
};

/** One contiguous IOVA range of a buffer. */
struct hzm_seg {
	uint64_t iova;
	uint64_t len;
};

/** A buffer as a list of IOVA ranges (flat: one range). */
struct hzm_segv {
	struct hzm_seg *v;
	unsigned int n;
	unsigned int cap;
	uint64_t total;
};

/** Scratch of one engine call: taken from a per-device pool. */
struct hzm_worker {
	struct hzm_worker *next;
	uint8_t *in_buf;
	uint64_t in_cap;
	uint8_t *out_buf;
	uint64_t out_cap;
	uint8_t *dict;                 /* HZM_CTX_HIST_SIZE bytes */
	struct hzm_segv src;
	struct hzm_segv dst;
#if WD_HAVE_ISAL
	struct isal_zstream *izs;
	uint8_t *lvl_buf;
	struct inflate_state *ist;
#endif
	z_stream zdef[4];              /* raw deflate, windowBits 12..15 */
	bool zdef_ok[4];
	z_stream zinf;                 /* raw inflate for stateless requests */
	bool zinf_ok;
};

/* ---- SGL and buffers (hzm_zip_sgl.c) ---- */

/** Describe a flat buffer as one range. @return 0 or -ENOMEM. */
int hzm_segv_flat(struct hzm_segv *sv, uint64_t iova, uint64_t len);

/**
 * Walk the hardware SGL chain at @p sgl: skip @p skip bytes, then collect
 * up to @p want bytes of ranges into @p sv. With @p exact, a chain holding
 * fewer bytes is malformed; otherwise @p sv->total is the capacity found.
 * @return HZM_ST_OK, HZM_ST_SGL_ERR, HZM_ST_AXI_ERR (@p f filled) or
 *   HZM_ST_INTERNAL.
 */
unsigned int hzm_sgl_walk(struct hzm_iommu *mmu, uint64_t sgl, uint64_t skip, uint64_t want,
			  bool exact, struct hzm_segv *sv, struct hzm_fault *f);

/**
 * Readable view of the first @p len bytes of @p sv: a direct pointer when
 * they lie in one mapping, else a copy in the worker's input buffer.
 * @return HZM_ST_OK, HZM_ST_AXI_ERR (@p f filled), HZM_ST_INTERNAL.
 */
unsigned int hzm_in_get(struct hzm_iommu *mmu, struct hzm_worker *w, const struct hzm_segv *sv,
			uint64_t len, const uint8_t **p, struct hzm_fault *f);

/**
 * Writable area for the output: a direct pointer when @p sv is one range
 * inside one mapping (*direct = true), else the worker's output buffer.
 * @return the area or NULL (no memory).
 */
uint8_t *hzm_out_get(struct hzm_iommu *mmu, struct hzm_worker *w, const struct hzm_segv *sv,
		     bool *direct);
/** The worker's output buffer for @p sv (*direct = false), or NULL (no memory). */
uint8_t *hzm_out_get_bounce(struct hzm_worker *w, const struct hzm_segv *sv, bool *direct);

/**
 * Write the first @p n bytes of @p buf into the ranges of @p sv; every
 * byte is validated before the first one is written.
 * @return HZM_ST_OK or HZM_ST_AXI_ERR (@p f filled, nothing written).
 */
unsigned int hzm_out_put(struct hzm_iommu *mmu, const struct hzm_segv *sv, const uint8_t *buf,
			 uint64_t n, struct hzm_fault *f);

/* ---- deflate, inflate, checksums (hzm_zip_codec.c) ---- */

struct hzm_deflate_args {
	const uint8_t *in;
	uint64_t in_len;
	uint8_t *out;
	uint64_t cap;
	const uint8_t *dict;
	uint32_t dict_len;
	unsigned int hist_bits;  /* 12..15 */
	bool finish;             /* final block, else sync flush */
};

/** Real compressor. @return bytes of deflate written, -1 (does not fit), -2 (no memory). */
int64_t hzm_deflate_real(struct hzm_worker *w, bool use_isal, const struct hzm_deflate_args *a);

/** @return the size of @p in_len bytes as stored blocks (final: at least one block). */
uint64_t hzm_stored_size(uint64_t in_len, bool final);

/** Stored blocks. @return bytes written or -1 (does not fit in @p cap). */
int64_t hzm_deflate_stored(const uint8_t *in, uint64_t in_len, uint8_t *out, uint64_t cap,
			   bool final);

enum hzm_inf_rc {
	HZM_INF_END,        /* end of the deflate stream reached */
	HZM_INF_TRUNC,      /* input ended first */
	HZM_INF_OUT_FULL,   /* output ended first */
	HZM_INF_DATA_ERR,   /* invalid deflate data */
	HZM_INF_NOMEM,
};

/** One-shot raw inflate of a whole deflate stream. */
enum hzm_inf_rc hzm_inflate_oneshot(struct hzm_worker *w, bool use_isal, const uint8_t *in,
				    uint64_t in_len, uint8_t *out, uint64_t cap, uint64_t *consumed,
				    uint64_t *produced);

uint32_t hzm_adler32(uint32_t adler, const uint8_t *p, uint64_t n);
uint32_t hzm_crc32(uint32_t crc, const uint8_t *p, uint64_t n);
uint32_t hzm_bitrev32(uint32_t v);

/** Free the codec state of a worker. */
void hzm_codec_free(struct hzm_worker *w);

/* ---- stream state (hzm_zip_stream.c) ---- */

/** Read the state record of the context buffer at @p ctx. */
unsigned int hzm_ctx_load(struct hzm_iommu *mmu, uint64_t ctx, struct hzm_ctx_rec *rec,
			  struct hzm_fault *f);
/** Write the state record (the context area was checked before). */
void hzm_ctx_store(struct hzm_iommu *mmu, uint64_t ctx, const struct hzm_ctx_rec *rec);
/** Copy the last @p n history bytes of the ring into @p dst. */
void hzm_hist_read(struct hzm_iommu *mmu, uint64_t ctx, const struct hzm_ctx_rec *rec,
		   uint8_t *dst, uint32_t n);
/** Append @p n bytes (only the last HZM_CTX_HIST_SIZE matter) to the ring. */
void hzm_hist_append(struct hzm_iommu *mmu, uint64_t ctx, struct hzm_ctx_rec *rec,
		     const uint8_t *p, uint64_t n);

/**
 * Decompression state between requests, kept in the context buffer at
 * HZM_CTX_DSTATE_OFF (model format, host byte order; only the device
 * reads it): the deflate decoder and the trailer collected so far.
 */
struct hzm_dstate {
	struct hzm_sinf inf;
	uint8_t deflate_done;         /* deflate end seen, trailer pending */
	uint8_t tr_len;               /* trailer bytes collected */
	uint8_t tr[8];
	uint8_t rsvd[6];
};
_Static_assert(sizeof(struct hzm_dstate) == 392, "decompression state size");
_Static_assert(HZM_CTX_DSTATE_OFF + sizeof(struct hzm_dstate) <= HZM_CTX_HIST_OFF,
	       "decompression state ends before the history ring");

/** Read the decompression state (the context area was checked before). */
void hzm_dstate_load(struct hzm_iommu *mmu, uint64_t ctx, struct hzm_dstate *ds);
/** Write the decompression state (the context area was checked before). */
void hzm_dstate_store(struct hzm_iommu *mmu, uint64_t ctx, const struct hzm_dstate *ds);

#endif /* HZM_ZIP_PRIV_H */
