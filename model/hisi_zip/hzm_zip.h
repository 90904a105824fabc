/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ZIP engine of the device model (internal to model/hisi_zip).
 *
 * Executes one ZIP SQE (type-0 layout, reference section 10) against
 * memory reached through the model's IOMMU: zlib (0x02) and gzip (0x03)
 * requests, flat buffers or hardware SGLs, stateless or stream mode, with
 * the status codes, limits and stream-state encodings of sections 10-13
 * and 17. The driver writes zlib/gzip headers; the engine writes deflate
 * body and trailer, and checks trailers on decompression.
 *
 * The device part reads an SQE from the ring, calls hzm_zip_exec() inside
 * an IOMMU bracket, writes the SQE back and posts the CQE; when
 * res->dma_fault is set it raises the abnormal interrupt / AEQ as for a
 * translation fault. What the engine chose where the reference is silent
 * is in doc/model.md, section "ZIP engine".
 */
#ifndef HZM_ZIP_H
#define HZM_ZIP_H

#include <stdbool.h>
#include <stdint.h>

#include "hzip_model.h"
#include "hzm_iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Per-device engine state (stream table, scratch buffers). Opaque. */
struct hzm_zip;

/** Engine configuration; zero-initialised fields are the defaults. */
struct hzm_zip_cfg {
	enum hzip_model_engine mode;    /**< REAL (deflate) or STORE (stored blocks) */
	/**
	 * Status of a stateless decompression that reached the end of its
	 * stream with a good trailer: HZM_ST_OK (0x00, default: what the
	 * kernel's acomp driver accepts) or HZM_ST_DECOMP_END (0x13, as UADK
	 * also accepts). dw3 bit 8 (last block) is set with either. Stream
	 * mode always ends with 0x13 + bit 8. Other values: -EINVAL.
	 */
	uint8_t stateless_end;
};

/** Deflate implementation used by the real engine. */
enum hzm_zip_backend {
	HZM_ZIP_BACKEND_AUTO = 0,  /**< ISA-L when built with it, else zlib */
	HZM_ZIP_BACKEND_ZLIB,      /**< zlib only (tests the fallback) */
};

/** Extra options for tests and tools; zero-initialised = defaults. */
struct hzm_zip_opts {
	enum hzm_zip_backend backend;   /**< default AUTO */
};

/** Outcome of one SQE, besides what is written into the SQE. */
struct hzm_zip_result {
	uint64_t bytes_in;     /**< = consumed (dw0) */
	uint64_t bytes_out;    /**< = produced (dw1) */
	bool dma_fault;        /**< an access hit an unmapped IOVA (status 0x0a) */
	bool fault_on_write;   /**< ... and it was a write */
	uint64_t fault_iova;   /**< first unmapped byte of the faulting access */
};

/** Create the engine. @return 0, -EINVAL (bad cfg / NULL), -ENOMEM. */
int hzm_zip_create(const struct hzm_zip_cfg *cfg, struct hzm_zip **z);

/** hzm_zip_create() with options (@p opts may be NULL). */
int hzm_zip_create_opts(const struct hzm_zip_cfg *cfg, const struct hzm_zip_opts *opts,
			struct hzm_zip **z);

/** Free the engine (NULL is ignored). No hzm_zip_exec() may be running. */
void hzm_zip_destroy(struct hzm_zip *z);

/**
 * Execute one ZIP SQE.
 *
 * @param sqe  128-byte copy of the SQ slot; on return dw0 consumed, dw1
 *   produced, dw2 comp_data_length, dw3 status[7:0] + last-block bit 8,
 *   dw15 ctx_dw0, dw28 ctx_dw1, dw29 ctx_dw2, dw30 isize and dw31
 *   checksum are set; every other dword is unchanged.
 * @param sqc_type  SQC w13[11:8] of the queue: 0 compress, 1 decompress.
 * @param res  receives counts and the DMA fault report (may not be NULL).
 *
 * Call with the IOMMU bracket held (hzm_iommu_begin()). Thread-safe for
 * different streams; two requests of one stream executed at the same time
 * fail the second with HZM_ST_CTX_ERR. A stream's state is all in its
 * context buffer (none in the engine): a stream goes on after a function
 * reset, on another engine or device, from a copy of its buffer.
 */
void hzm_zip_exec(struct hzm_zip *z, struct hzm_iommu *mmu, uint8_t sqe[128],
		  unsigned int sqc_type, struct hzm_zip_result *res);

/** Human-readable name of a status value (model's names; "unknown" otherwise). */
const char *hzm_zip_status_str(unsigned int status);

#ifdef __cplusplus
}
#endif

#endif /* HZM_ZIP_H */
