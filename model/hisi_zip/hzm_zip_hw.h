/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ZIP engine layouts as the device model sees them (internal to the model).
 *
 * Written from the hardware reference (../shared/reference/hisi-zip-v2-hardware.md,
 * sections 10-13 and 17), NOT shared with drivers/hisi_zip on purpose: a
 * layout mistake shared by driver and model would hide itself.
 *
 * Everything is little endian. Values marked "model" are not documented by
 * any public source; the model chose them and doc/model.md ("ZIP engine")
 * says why.
 */
#ifndef HZM_ZIP_HW_H
#define HZM_ZIP_HW_H

#include <stddef.h>
#include <stdint.h>

/* ---- SQE, type-0 layout (v1/v2): 128 bytes = 32 dwords (section 10.1) ---- */

/** One ZIP SQE as 32 little-endian dwords. */
struct hzm_zip_sqe {
	uint32_t consumed;           /**< dw0  HW->: input bytes used */
	uint32_t produced;           /**< dw1  HW->: output bytes written */
	uint32_t comp_data_length;   /**< dw2  HW->: compressed-side bytes (model) */
	uint32_t dw3;                /**< dw3  HW->: [7:0] status, [8] last block */
	uint32_t input_data_length;  /**< dw4  ->HW */
	uint32_t lba_l;              /**< dw5  DIF/XTS only */
	uint32_t lba_h;              /**< dw6 */
	uint32_t dw7;                /**< dw7  in SGL offset, flush, stream mode/new, SQE type */
	uint32_t dw8;                /**< dw8  [23:0] out SGL offset */
	uint32_t dw9;                /**< dw9  req type, buffer type, window */
	uint32_t dw10;               /**< dw10 DIF generate control */
	uint32_t priv_info;          /**< dw11 DIF private info */
	uint32_t dw12;               /**< dw12 DIF verify control */
	uint32_t tag;                /**< dw13 opaque, preserved */
	uint32_t dest_avail_out;     /**< dw14 output buffer size */
	uint32_t ctx_dw0;            /**< dw15 <->: stream state */
	uint32_t comp_head_addr_l;   /**< dw16 unused */
	uint32_t comp_head_addr_h;   /**< dw17 */
	uint32_t source_addr_l;      /**< dw18 flat buffer or SGL */
	uint32_t source_addr_h;      /**< dw19 */
	uint32_t dest_addr_l;        /**< dw20 flat buffer or SGL */
	uint32_t dest_addr_h;        /**< dw21 */
	uint32_t stream_ctx_addr_l;  /**< dw22 context buffer (driver buffer + 64) */
	uint32_t stream_ctx_addr_h;  /**< dw23 */
	uint32_t key1_addr_l;        /**< dw24 XTS only */
	uint32_t key1_addr_h;        /**< dw25 */
	uint32_t key2_addr_l;        /**< dw26 XTS only */
	uint32_t key2_addr_h;        /**< dw27 */
	uint32_t ctx_dw1;            /**< dw28 <-> */
	uint32_t ctx_dw2;            /**< dw29 <-> */
	uint32_t isize;              /**< dw30 <->: running uncompressed size */
	uint32_t checksum;           /**< dw31 <->: running Adler-32 / encoded CRC-32 */
};

#define HZM_ZIP_SQE_SIZE 128u
_Static_assert(sizeof(struct hzm_zip_sqe) == HZM_ZIP_SQE_SIZE, "ZIP SQE is 128 bytes");
_Static_assert(offsetof(struct hzm_zip_sqe, dw7) == 0x1c, "dw7 at 0x1c");
_Static_assert(offsetof(struct hzm_zip_sqe, dw9) == 0x24, "dw9 at 0x24");
_Static_assert(offsetof(struct hzm_zip_sqe, tag) == 0x34, "dw13 at 0x34");
_Static_assert(offsetof(struct hzm_zip_sqe, ctx_dw0) == 0x3c, "dw15 at 0x3c");
_Static_assert(offsetof(struct hzm_zip_sqe, source_addr_l) == 0x48, "dw18 at 0x48");
_Static_assert(offsetof(struct hzm_zip_sqe, dest_addr_l) == 0x50, "dw20 at 0x50");
_Static_assert(offsetof(struct hzm_zip_sqe, stream_ctx_addr_l) == 0x58, "dw22 at 0x58");
_Static_assert(offsetof(struct hzm_zip_sqe, ctx_dw1) == 0x70, "dw28 at 0x70");
_Static_assert(offsetof(struct hzm_zip_sqe, checksum) == 0x7c, "dw31 at 0x7c");

/* Dword indexes used when reading/writing the raw 128-byte slot. */
#define HZM_SQE_DW_CONSUMED   0
#define HZM_SQE_DW_PRODUCED   1
#define HZM_SQE_DW_COMP_LEN   2
#define HZM_SQE_DW_STATUS     3
#define HZM_SQE_DW_IN_LEN     4
#define HZM_SQE_DW_DW7        7
#define HZM_SQE_DW_DW8        8
#define HZM_SQE_DW_DW9        9
#define HZM_SQE_DW_TAG        13
#define HZM_SQE_DW_AVAIL_OUT  14
#define HZM_SQE_DW_CTX0       15
#define HZM_SQE_DW_SRC_L      18
#define HZM_SQE_DW_SRC_H      19
#define HZM_SQE_DW_DST_L      20
#define HZM_SQE_DW_DST_H      21
#define HZM_SQE_DW_CTXBUF_L   22
#define HZM_SQE_DW_CTXBUF_H   23
#define HZM_SQE_DW_CTX1       28
#define HZM_SQE_DW_CTX2       29
#define HZM_SQE_DW_ISIZE      30
#define HZM_SQE_DW_CHECKSUM   31

/* dw3 */
#define HZM_DW3_STATUS_MASK   0x000000ffu
#define HZM_DW3_LAST_BLOCK    0x00000100u   /**< end of stream (0x13, or 0x00 stateless) */

/* dw7 */
#define HZM_DW7_IN_SGL_OFF_MASK 0x00ffffffu
#define HZM_DW7_FLUSH_FINISH    (1u << 25)  /**< 1 finish, 0 sync flush (stream mode) */
#define HZM_DW7_STATEFUL        (1u << 26)  /**< 1 stream mode, 0 stateless */
#define HZM_DW7_NEW_STREAM      (1u << 27)  /**< first request of a stream */
#define HZM_DW7_SQE_TYPE_SHIFT  28
#define HZM_DW7_SQE_TYPE_MASK   0xf0000000u
#define HZM_SQE_TYPE_V1V2       0u          /**< the only layout of Kunpeng 920 */

/* dw8 */
#define HZM_DW8_OUT_SGL_OFF_MASK 0x00ffffffu

/* dw9 */
#define HZM_DW9_REQ_TYPE_MASK   0x000000ffu
#define HZM_DW9_BUF_TYPE_SHIFT  8
#define HZM_DW9_BUF_TYPE_MASK   0x00000f00u
#define HZM_DW9_WIN_SHIFT       12
#define HZM_DW9_WIN_MASK        0x0000f000u

/** Request types, dw9[7:0] (section 10.2). v2 executes zlib and gzip only. */
enum hzm_req_type {
	HZM_REQ_DEFLATE = 0x01,  /**< v3 only: rejected by the v2 model */
	HZM_REQ_ZLIB = 0x02,
	HZM_REQ_GZIP = 0x03,
};

/** Buffer types, dw9[11:8]. */
enum hzm_buf_type {
	HZM_BUF_FLAT = 0,
	HZM_BUF_SGL = 1,
};

/** Window codes, dw9[15:12]: 0 4K, 1 8K, 2 16K, 3 24K, 4 32K. */
#define HZM_WIN_CODE_MAX 4u

/** SQC w13[11:8] queue type = direction. */
enum hzm_sqc_type {
	HZM_SQC_COMPRESS = 0,
	HZM_SQC_DECOMPRESS = 1,
};

/* ---- status codes, dw3[7:0] (section 11.1) ---- */

/** Documented status values. */
#define HZM_ST_OK            0x00u  /**< success */
#define HZM_ST_NEGACOMPRESS  0x0du  /**< output not smaller than input: success, produced valid */
#define HZM_ST_DSTLEN_OUT    0x0eu  /**< dest_avail_out insufficient */
#define HZM_ST_CRC_ERR       0x10u  /**< zlib/gzip trailer mismatch on decompress */
#define HZM_ST_DECOMP_END    0x13u  /**< end of stream reached (with dw3 bit 8) */

/*
 * Undocumented error statuses chosen by the model (section 11.1 "other":
 * kernel -EIO, UADK "bad request"). Values below 0x0d, where no documented
 * code lives; see doc/model.md.
 */
/** request type not zlib/gzip, SQE type != 0, buffer type > 1, unknown queue type */
#define HZM_ST_BAD_REQ       0x01u
#define HZM_ST_LEN_ERR       0x02u  /**< input_data_length or dest_avail_out above 8 MiB */
#define HZM_ST_WIN_ERR       0x03u  /**< compression window code above 4 */
#define HZM_ST_SGL_ERR       0x04u  /**< malformed hardware SGL */
#define HZM_ST_DATA_ERR      0x05u  /**< invalid deflate data (block type, code, distance) */
#define HZM_ST_TRUNC_ERR     0x06u  /**< stateless decompress: input ended before end of stream */
#define HZM_ST_CTX_ERR       0x07u  /**< stream context invalid, lost, busy or already ended */
#define HZM_ST_AXI_ERR       0x0au  /**< DMA translation fault (SMMU/AXI error) */
#define HZM_ST_INTERNAL      0x0bu  /**< the model itself ran out of memory */

/* ---- stream state words (section 11.2) ---- */

#define HZM_CTX0_ST_MASK         0x0000000fu
#define HZM_CTX_ST_NONE          0x0u  /**< nothing pending */
/** output full while the final block is decoded (all input of the request used) */
#define HZM_CTX_ST_DECOMP_NO_SPACE   0x1u
#define HZM_CTX_ST_DECOMPING_NO_SPACE 0x2u /**< output full mid-stream */
#define HZM_CTX0_BFINAL          0x00000080u
#define HZM_CTX1_STORE_MASK      0x0007ffffu  /**< pending stored-block bytes */
#define HZM_CTX2_WIN_LEN_MASK    0x0000ffffu  /**< valid history length */
#define HZM_CTX2_SEQ_SHIFT       16           /**< model: request sequence of the stream */

/* ---- limits (section 10.3) ---- */

#define HZM_MAX_IN_LEN        (8u * 1024 * 1024)  /**< input_data_length accepted */
#define HZM_MAX_AVAIL_OUT     (8u * 1024 * 1024)  /**< dest_avail_out accepted */
#define HZM_MIN_AVAIL_OUT     0x10u               /**< below: the request is ignored */

/* ---- hardware SGL (section 13) ---- */

/** SGL header: 64 bytes, 64-byte aligned; entries follow. */
struct hzm_sgl_hdr {
	uint64_t next;                 /**< next SGL IOVA, 0 = end of chain */
	uint16_t entry_sum_in_chain;   /**< conventions differ: not used by the model */
	uint16_t entry_sum_in_sgl;     /**< valid entries in this SGL */
	uint16_t entry_length_in_sgl;  /**< capacity (not used by the model) */
	uint16_t pad0;
	uint8_t rsvd[0x30];            /**< software pointers live here: never read */
};

/** SGL entry: 32 bytes. */
struct hzm_sgl_entry {
	uint64_t buf;       /**< data IOVA */
	uint64_t sw0;       /**< software (page_ctrl) */
	uint32_t len;       /**< data length */
	uint32_t pad;
	uint64_t sw1;       /**< software (UADK virtual address) */
};

#define HZM_SGL_HDR_SIZE     64u
#define HZM_SGL_HDR_ALIGN    64u
#define HZM_SGL_ENTRY_SIZE   32u
#define HZM_SGL_MAX_ENTRIES  255u
_Static_assert(sizeof(struct hzm_sgl_hdr) == HZM_SGL_HDR_SIZE, "SGL header is 64 bytes");
_Static_assert(offsetof(struct hzm_sgl_hdr, entry_sum_in_sgl) == 0x0a, "entry_sum_in_sgl");
_Static_assert(sizeof(struct hzm_sgl_entry) == HZM_SGL_ENTRY_SIZE, "SGL entry is 32 bytes");
_Static_assert(offsetof(struct hzm_sgl_entry, len) == 0x10, "SGL entry length at +0x10");

/* ---- stream context buffer (section 12), offsets from the HW address ---- */

/** The device never writes at or beyond this offset (UADK's store buffer). */
#define HZM_CTX_HW_LIMIT      0x97c0u
/** Model: state record (64 bytes) at the start of the HW part. */
#define HZM_CTX_REC_OFF       0x0000u
/**
 * Model: decompression state (struct hzm_dstate, 392 bytes); clear of UADK's
 * lz77_zstd words at HW+784..800, which it clears per request.
 */
#define HZM_CTX_DSTATE_OFF    0x0400u
/** History ring (last 32 KiB of stream data); UADK: history starts at HW+0xC00. */
#define HZM_CTX_HIST_OFF      0x0c00u
#define HZM_CTX_HIST_SIZE     0x8000u
/** Bytes of the context buffer a stream request accesses. */
#define HZM_CTX_USED          (HZM_CTX_HIST_OFF + HZM_CTX_HIST_SIZE)
_Static_assert(HZM_CTX_USED <= HZM_CTX_HW_LIMIT, "context use stays below the driver's part");

/** Model state record kept in the context buffer (not a hardware format). */
struct hzm_ctx_rec {
	uint32_t magic;      /**< HZM_CTX_MAGIC */
	uint8_t dir;         /**< enum hzm_sqc_type */
	uint8_t req_type;    /**< enum hzm_req_type */
	uint8_t flags;       /**< HZM_REC_F_* */
	uint8_t win_code;
	uint32_t seq;        /**< requests completed in this stream */
	uint64_t id;         /**< stream identity (device-unique) */
	uint32_t hist_pos;   /**< next write position in the history ring */
	uint32_t hist_len;   /**< valid bytes in the ring (<= HZM_CTX_HIST_SIZE) */
	uint32_t ctx_dw0;    /**< ctx words returned by the last request */
	uint32_t ctx_dw1;
	uint32_t ctx_dw2;
	uint32_t checksum;   /**< dw31 returned by the last request (information) */
	uint32_t isize;      /**< dw30 returned by the last request (information) */
	uint8_t rsvd[12];
};
#define HZM_CTX_MAGIC        0x314d5a48u  /* "HZM1" */
#define HZM_REC_F_ENDED      0x01u        /**< stream finished (or ended with an error) */
_Static_assert(sizeof(struct hzm_ctx_rec) == 64, "context record is 64 bytes");

/* ---- deflate / framing constants ---- */

#define HZM_ZLIB_TRAILER_LEN  4u   /**< Adler-32, big endian */
#define HZM_GZIP_TRAILER_LEN  8u   /**< CRC-32 + ISIZE, little endian */
#define HZM_STORED_MAX        65535u
#define HZM_STORED_HDR_LEN    5u   /**< BFINAL/BTYPE byte + LEN + NLEN when byte aligned */

#endif /* HZM_ZIP_HW_H */
