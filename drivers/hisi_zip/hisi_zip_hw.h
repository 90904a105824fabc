/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * HiSilicon ZIP engine (Kunpeng 920, QM v2) layouts: the 128-byte SQE
 * (type 0), request and buffer types, status codes, stream-context bits,
 * the hardware SGL and the engine's PF registers (internal).
 *
 * Section numbers refer to shared/reference/hisi-zip-v2-hardware.md.
 */
#ifndef HISI_ZIP_HW_H
#define HISI_ZIP_HW_H

#include <stdint.h>

/* ---- PCI identity -------------------------------------------------------------- */

#define HZIP_PCI_DEVICE_PF       0xa250
#define HZIP_PCI_DEVICE_VF       0xa251

/* ---- SQE (section 10.1, type 0) ------------------------------------------------- */

/** ZIP submission queue entry; results are written back in place (10.4). */
struct hzip_sqe {
	uint32_t consumed;           /**< dw0: input bytes used (HW) */
	uint32_t produced;           /**< dw1: output bytes written (HW) */
	uint32_t comp_data_length;   /**< dw2 (HW) */
	uint32_t dw3;                /**< [7:0] status, [8] last block (HW) */
	uint32_t input_data_length;  /**< dw4 */
	uint32_t dw5;
	uint32_t dw6;
	uint32_t dw7;                /**< in offset, flush, stream mode, new, SQE type */
	uint32_t dw8;                /**< [23:0] out offset */
	uint32_t dw9;                /**< [7:0] req type, [11:8] buf type, [15:12] window */
	uint32_t dw10;
	uint32_t dw11;
	uint32_t dw12;
	uint32_t tag;                /**< dw13: opaque, preserved */
	uint32_t dest_avail_out;     /**< dw14 */
	uint32_t ctx_dw0;            /**< dw15: stream state */
	uint32_t comp_head_addr_l;   /**< dw16 */
	uint32_t comp_head_addr_h;   /**< dw17 */
	uint64_t source_addr;        /**< dw18-19: flat buffer or SGL */
	uint64_t dest_addr;          /**< dw20-21 */
	uint64_t stream_ctx_addr;    /**< dw22-23 */
	uint64_t key1_addr;          /**< dw24-25 (XTS only) */
	uint64_t key2_addr;          /**< dw26-27 (XTS only) */
	uint32_t ctx_dw1;            /**< dw28 */
	uint32_t ctx_dw2;            /**< dw29 */
	uint32_t isize;              /**< dw30: running uncompressed size */
	uint32_t checksum;           /**< dw31: running checksum (HW encoding) */
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct hzip_sqe) == 128, "ZIP SQE is 128 bytes");
_Static_assert(__builtin_offsetof(struct hzip_sqe, tag) == 0x34, "tag is dw13");
_Static_assert(__builtin_offsetof(struct hzip_sqe, ctx_dw0) == 0x3c, "ctx_dw0 is dw15");
_Static_assert(__builtin_offsetof(struct hzip_sqe, source_addr) == 0x48, "src is dw18");
_Static_assert(__builtin_offsetof(struct hzip_sqe, stream_ctx_addr) == 0x58, "ctx is dw22");
_Static_assert(__builtin_offsetof(struct hzip_sqe, ctx_dw1) == 0x70, "ctx_dw1 is dw28");
_Static_assert(__builtin_offsetof(struct hzip_sqe, checksum) == 0x7c, "checksum is dw31");

#define HZIP_SQE_SIZE            128u
#define HZIP_SQE_SIZE_LOG2       7u

/* dw3 */
#define HZIP_STATUS_MASK         0xffu
#define HZIP_LAST_BLOCK          (1u << 8)

/* dw7 */
#define HZIP_SGL_OFFSET_MASK     0xffffffu
#define HZIP_FLUSH_FINISH        (1u << 25)  /**< 0 = sync flush */
#define HZIP_STREAM_STATEFUL     (1u << 26)
#define HZIP_STREAM_NEW          (1u << 27)
#define HZIP_SQE_TYPE_SHIFT      28
#define HZIP_SQE_TYPE_V2         0u

/* dw9 */
#define HZIP_REQ_TYPE_MASK       0xffu
#define HZIP_BUF_TYPE_SHIFT      8
#define HZIP_WIN_SHIFT           12

/** Request types (dw9[7:0], section 10.2); v2 has zlib and gzip only. */
#define HZIP_REQ_ZLIB            0x02u
#define HZIP_REQ_GZIP            0x03u
/** Buffer types (dw9[11:8]). */
#define HZIP_BUF_FLAT            0u
#define HZIP_BUF_SGL             1u
/** Window codes (dw9[15:12]): 4, 8, 16, 24, 32 KiB. */
#define HZIP_WIN_4K              0u
#define HZIP_WIN_8K              1u
#define HZIP_WIN_16K             2u
#define HZIP_WIN_32K             4u

/* ---- status codes (section 11.1) ------------------------------------------------- */

#define HZIP_ST_OK               0x00u
#define HZIP_ST_NEGACOMPRESS     0x0du  /**< output not smaller than input: success */
#define HZIP_ST_DSTLEN_OUT       0x0eu  /**< dest_avail_out insufficient */
#define HZIP_ST_CRC_ERR          0x10u  /**< trailer mismatch on decompression */
#define HZIP_ST_DECOMP_END       0x13u  /**< decompressor reached the end */

/* ---- stream context words (section 11.2, 12) ------------------------------------ */

#define HZIP_CTX_ST_MASK         0xfu
#define HZIP_CTX_ST_NO_SPACE     0x1u  /**< final block decoded, output full */
#define HZIP_CTX_ST_DECOMPING_NO_SPACE 0x2u  /**< output full mid-block */
#define HZIP_CTX_BFINAL          (1u << 7)
#define HZIP_CTX_STORE_MASK      0x7ffffu  /**< ctx_dw1: pending stored bytes */

/** Stream context buffer: 64 KiB; the device gets buffer + 64. */
#define HZIP_CTX_SIZE            0x10000u
#define HZIP_CTX_HW_OFFSET       64u
/** Bytes after the device address the device may use (reference: ~0x97c0). */
#define HZIP_CTX_HW_USED         0x97c0u
/** Software area of the context buffer past the device's part. */
#define HZIP_CTX_SW_OFFSET       0x9800u

/* ---- limits (section 10.3) ------------------------------------------------------- */

#define HZIP_MAX_LEN             (8u << 20)  /**< input / dest_avail_out per SQE */
/** Outputs at most this large go through a driver bounce buffer (UADK: 200). */
#define HZIP_SMALL_OUT           200u
/** Size of a bounce buffer: 200 * 9 / 8 + gzip header, 4-byte aligned (UADK: 236). */
#define HZIP_BOUNCE_SIZE         236u

/* ---- hardware SGL (section 13) --------------------------------------------------- */

/** SGL header (64 bytes, 64-byte aligned); entries follow. */
struct hzip_sgl_hdr {
	uint64_t next;               /**< DMA address of the next SGL, 0 = end */
	uint16_t entry_sum_in_chain; /**< capacity x SGLs in the chain (UADK) */
	uint16_t entry_sum_in_sgl;   /**< valid entries in this SGL */
	uint16_t entry_length_in_sgl;/**< capacity of this SGL */
	uint16_t pad;
	uint64_t rsvd[6];            /**< reserved for hardware */
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct hzip_sgl_hdr) == 64, "SGL header is 64 bytes");

/** SGL entry (32 bytes). */
struct hzip_sgl_entry {
	uint64_t addr;               /**< buffer DMA address */
	uint64_t sw;                 /**< software (page_ctrl) */
	uint32_t len;                /**< bytes */
	uint32_t pad;
	uint64_t sw2;
} __attribute__((aligned(8)));
_Static_assert(sizeof(struct hzip_sgl_entry) == 32, "SGL entry is 32 bytes");

/** Most entries one SGL may hold. */
#define HZIP_SGL_ENTRIES_MAX     255u

/* ---- engine registers (PF BAR2, section 9.1) ------------------------------------- */

#define HZIP_CLOCK_GATE_CTRL     0x301004
#define HZIP_SOFT_CTRL_ZIP_CONTROL 0x30100c
#define HZIP_PORT_ARCA_CHE_0     0x301040
#define HZIP_PORT_ARCA_CHE_1     0x301044
#define HZIP_PORT_AWCA_CHE_0     0x301060
#define HZIP_PORT_AWCA_CHE_1     0x301064
#define HZIP_CORE_INT_SOURCE     0x3010a0
#define HZIP_CORE_INT_MASK       0x3010a4
#define HZIP_CORE_INT_STATUS     0x3010ac
#define HZIP_BD_RUSER_32_63      0x301110
#define HZIP_SGL_RUSER_32_63     0x30111c
#define HZIP_DATA_RUSER_32_63    0x301128
#define HZIP_DATA_WUSER_32_63    0x301134
#define HZIP_BD_WUSER_32_63      0x301140
#define HZIP_CORE_INT_RAS_CE_ENB 0x301160
#define HZIP_CORE_INT_RAS_NFE_ENB 0x301164
#define HZIP_CORE_INT_RAS_FE_ENB 0x301168

#define HZIP_CACHE_ALL           0xffffffffu
#define HZIP_AXUSER_VAL          0x40001070u
/** v2: decompression check (bit 16), 6 decompress cores, 2 compress cores. */
#define HZIP_CLOCK_GATE_V2       0x000100ffu
#define HZIP_AXI_SHUTDOWN_ENABLE (1u << 14)

/* ZIP core error bits (section 8.2) and v2 masks */
#define HZIP_CORE_ERR_ECC_1BIT   (1u << 0)
#define HZIP_CORE_ERR_ECC_MBIT   (1u << 1)
#define HZIP_CORE_INT_MASK_ALL   0x1fffu
#define HZIP_CORE_ERR_CE_V2      0x1u
#define HZIP_CORE_ERR_NFE_V2     0x7feu
#define HZIP_CORE_ERR_RESET_V2   0x7feu

/* QM error masks the ZIP driver programs on v2 (section 8.1) */
#define HZIP_QM_ERR_CE_V2        0x8u
#define HZIP_QM_ERR_NFE_V2       0x1c57u
#define HZIP_QM_ERR_FE_V2        0x0u
#define HZIP_QM_ERR_RESET_V2     0xc57u

#endif /* HISI_ZIP_HW_H */
