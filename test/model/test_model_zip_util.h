/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Helpers of the ZIP engine tests (test_model_zip*.c): guest memory mapped
 * into the model's IOMMU, SQE building from the hardware reference
 * (section 10.1), SGL building (section 13), zlib/gzip reference streams.
 *
 * Guest memory is one arena of 2 MiB pieces mapped at consecutive IOVAs
 * while their process addresses are in reverse order, so a buffer that is
 * contiguous for the device is scattered in the process: the engine must
 * translate every access, and ranges cross mappings as with EAL hugepages.
 * The helpers g_read()/g_write() translate on their own (not through the
 * code under test).
 */
#ifndef TEST_MODEL_ZIP_UTIL_H
#define TEST_MODEL_ZIP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hzm_iommu.h"
#include "hzm_zip.h"
#include "hzm_zip_hw.h"

#define TZ_PIECE       (2u << 20)
#define TZ_IOVA_BASE   0x7e0000000000ull   /* != any process address of the arena */
#define TZ_HDR_ZLIB    2u
#define TZ_HDR_GZIP    10u

/** A test device: IOMMU + engine + guest arena. */
struct tz {
	struct hzm_iommu *mmu;
	struct hzm_zip *z;
	uint8_t *arena;      /* process memory */
	size_t size;
	unsigned int npieces;
	uint64_t brk;        /* bump allocator, IOVA offset */
	bool store;          /* engine in STORE mode */
};

/** Create IOMMU + engine and map an arena of @p mb MiB (multiple of 2). */
void tz_init(struct tz *t, unsigned int mb, enum hzip_model_engine mode,
	     enum hzm_zip_backend backend);
/** tz_init() with a full engine configuration. */
void tz_init_cfg(struct tz *t, unsigned int mb, const struct hzm_zip_cfg *cfg,
		 enum hzm_zip_backend backend);
void tz_fini(struct tz *t);
/** Free every guest allocation. */
void tz_reset_alloc(struct tz *t);

/** Allocate guest memory; @return its IOVA. */
uint64_t g_alloc(struct tz *t, uint64_t len, uint64_t align);
void g_write(struct tz *t, uint64_t iova, const void *src, uint64_t len);
void g_read(struct tz *t, uint64_t iova, void *dst, uint64_t len);
void g_fill(struct tz *t, uint64_t iova, uint8_t byte, uint64_t len);
/** Unmap [iova, iova + len) from the IOMMU (a hole in guest memory). */
void tz_hole(struct tz *t, uint64_t iova, uint64_t len);
/** Map the hole back. */
void tz_unhole(struct tz *t, uint64_t iova, uint64_t len);

/** Process address of guest byte @p iova (inside one piece). */
uint8_t *g_ptr(struct tz *t, uint64_t iova);

/** A 128-byte SQE as dwords. */
struct tsqe {
	uint32_t dw[32];
};

/**
 * Build an SQE: request type, buffer type and window in dw9, @p dw7 flags
 * (e.g. HZM_DW7_STATEFUL | HZM_DW7_NEW_STREAM), addresses and lengths.
 */
void tsqe_init(struct tsqe *s, unsigned int req_type, unsigned int buf_type, unsigned int win,
	       uint32_t dw7, uint64_t src, uint32_t in_len, uint64_t dst, uint32_t avail_out);
void tsqe_set_ctx(struct tsqe *s, uint64_t ctx);

/** Execute @p s on queue type @p dir inside an IOMMU bracket. @return dw3 status. */
unsigned int tz_exec(struct tz *t, struct tsqe *s, unsigned int dir, struct hzm_zip_result *res);

static inline unsigned int tsqe_status(const struct tsqe *s) { return s->dw[3] & 0xff; }
static inline bool tsqe_last(const struct tsqe *s) { return (s->dw[3] & 0x100) != 0; }

/**
 * dw3[8:0] of a stateless decompression that reached the end of its
 * stream, engine default (cfg.stateless_end = 0): status 0x00 + last block.
 */
#define TZ_STATELESS_END (HZM_DW3_LAST_BLOCK | HZM_ST_OK)

/**
 * Stateless request on flat buffers. @p in goes to fresh guest memory,
 * the device output (dest_avail_out = @p cap) is copied to @p out.
 * @return dw3[8:0]: the status, with the last-block bit (0x100) when the
 * device set it; *produced / *consumed from the SQE (may be NULL).
 */
unsigned int tz_oneshot(struct tz *t, unsigned int dir, unsigned int req_type, unsigned int win,
			const void *in, uint32_t in_len, void *out, uint32_t cap,
			uint32_t *consumed, uint32_t *produced);

/* ---- SGL ---- */

/** A scattered guest buffer described by a hardware SGL chain. */
struct tz_sgl {
	uint64_t sgl;       /**< IOVA of the first SGL header */
	unsigned int n;     /**< entries */
	uint64_t *iova;     /**< entry buffers (host arrays, tz_sgl_free()) */
	uint32_t *len;
	uint64_t *hdr;      /**< SGL headers of the chain */
	unsigned int nhdr;
	uint64_t total;
};

/**
 * Allocate @p total bytes as @p nent separate guest chunks (sizes vary
 * with @p seed, gaps between them so nothing merges; with total < nent
 * some entries are empty) and describe them by a chain of SGLs holding at
 * most @p per_sgl (<= 255) entries each.
 */
void tz_sgl_make(struct tz *t, struct tz_sgl *s, uint64_t total, unsigned int nent,
		 unsigned int per_sgl, uint64_t seed);
/** Scatter @p n bytes at logical offset @p off of the SGL buffer. */
void tz_sgl_put(struct tz *t, const struct tz_sgl *s, uint64_t off, const void *p, uint64_t n);
/** Gather @p n bytes at logical offset @p off. */
void tz_sgl_get(struct tz *t, const struct tz_sgl *s, uint64_t off, void *p, uint64_t n);
void tz_sgl_free(struct tz_sgl *s);

/** Build an SGL from explicit (iova, len) entries, at most @p per_sgl per SGL. */
uint64_t tz_sgl_from(struct tz *t, const uint64_t *iova, const uint32_t *len, unsigned int n,
		     unsigned int per_sgl);

/* ---- reference streams (zlib) ---- */

/** The driver-written header of a stream (2 or 10 bytes). */
const uint8_t *tz_header(unsigned int req_type, unsigned int *len);

/**
 * Decompress a whole zlib (@p req_type 2) or gzip (3) stream with zlib.
 * @return 0 and the output in a malloc'ed *out, or a zlib error.
 */
int tz_zlib_inflate(unsigned int req_type, const uint8_t *in, size_t in_len, uint8_t **out,
		    size_t *out_len);

/** Compress @p in into a whole zlib/gzip stream with zlib at @p level. Malloc'ed. */
uint8_t *tz_zlib_deflate(unsigned int req_type, int level, int wbits, const uint8_t *in,
			 size_t len, size_t *out_len);

/** Deterministic data: a mix of the kinds of wd_test_gen(). */
uint8_t *tz_data(size_t len, unsigned int kind, uint64_t seed);

/** Corpus file @p i (NULL when absent/out of range); *name receives its name. */
uint8_t *tz_corpus(unsigned int i, size_t *len, const char **name);

#endif /* TEST_MODEL_ZIP_UTIL_H */
