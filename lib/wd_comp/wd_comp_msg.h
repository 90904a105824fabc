/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The compression request ("message") carried by WarpDrive queues.
 *
 * This is the request format of the algorithm class "comp": what
 * wd_send() takes and wd_recv() returns on a queue requested for "zlib",
 * "gzip" or "deflate". lib/wd_comp builds these from its ops; programs
 * that use the raw queue API (examples/hello) fill them directly.
 *
 * One message is one device request: it never exceeds the device's size
 * limits (WD_COMP_MSG_MAX_LEN unless the driver says otherwise). The
 * driver writes zlib/gzip headers on compression, parses them (all
 * RFC 1950/1952 fields) on decompression, and returns the checksum of the
 * uncompressed data in plain form (Adler-32 for zlib, CRC-32 for gzip and
 * deflate), whatever encoding the hardware uses internally.
 */
#ifndef WD_COMP_MSG_H
#define WD_COMP_MSG_H

#include <stdint.h>

#include "wd.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;

/** Largest input or output of one message (8 MiB, hardware limit). */
#define WD_COMP_MSG_MAX_LEN (8u << 20)

/** Formats. */
enum wd_comp_alg {
	WD_COMP_ALG_DEFLATE = 0, /**< raw deflate, RFC 1951 */
	WD_COMP_ALG_ZLIB = 1,    /**< RFC 1950 */
	WD_COMP_ALG_GZIP = 2,    /**< RFC 1952 (one member per stream) */
	WD_COMP_ALG_MAX
};

/** Flush modes (as DPDK's enum rte_comp_flush_flag). */
enum wd_comp_flush {
	WD_COMP_FLUSH_NONE = 0,  /**< more data follows; output may lag */
	WD_COMP_FLUSH_SYNC = 1,  /**< byte-align and emit all pending output */
	/**
	 * as SYNC; the software engine also clears the history (zlib's
	 * Z_FULL_FLUSH), hisi_zip does a sync flush (history kept)
	 */
	WD_COMP_FLUSH_FULL = 2,
	WD_COMP_FLUSH_FINAL = 3, /**< end of stream: final block + trailer */
};

/** Buffer kinds. */
enum wd_comp_buf_type {
	WD_COMP_BUF_FLAT = 0,  /**< one virtually contiguous DMA buffer */
	WD_COMP_BUF_MBUF = 1,  /**< an rte_mbuf chain (hardware SGL) */
};

/** Outcome of a message (wd_comp_msg.status). */
enum wd_comp_msg_status {
	/** Done. Decompression: the stream has not ended yet. */
	WD_COMP_MSG_OK = 0,
	/** Decompression reached the end of the stream; trailer verified. */
	WD_COMP_MSG_STREAM_END,
	/** Output too small; nothing usable was produced: resubmit. */
	WD_COMP_MSG_OUT_OF_SPACE_TERMINATED,
	/**
	 * Output full; consumed/produced are valid and the stream state
	 * advanced: continue with input from @c consumed and a new output.
	 */
	WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE,
	/** Decompression: checksum or length in the trailer does not match. */
	WD_COMP_MSG_ERR_CHECKSUM,
	/** Decompression: corrupt or invalid input (bad header or data). */
	WD_COMP_MSG_ERR_DATA,
	/** zlib stream needs a preset dictionary (FDICT). */
	WD_COMP_MSG_ERR_DICT,
	/** Invalid message (bad field, wrong queue direction, busy stream). */
	WD_COMP_MSG_ERR_INVALID,
	/** Not supported by this device (e.g. raw deflate decompression). */
	WD_COMP_MSG_ERR_NOTSUP,
	/** Input or output larger than the device's limit. */
	WD_COMP_MSG_ERR_TOO_BIG,
	/** No completion before the driver's deadline (queue was reset). */
	WD_COMP_MSG_ERR_TIMEOUT,
	/** Device error (DMA fault, reset, hardware error status). */
	WD_COMP_MSG_ERR_DEVICE,
	WD_COMP_MSG_STATUS_MAX
};

/** One buffer: flat or an mbuf chain. */
struct wd_comp_buf {
	uint8_t type;            /**< enum wd_comp_buf_type */
	union {
		void *addr;          /**< FLAT: DMA memory (hugepage or mapped) */
		struct rte_mbuf *m;  /**< MBUF: first segment of the chain */
	};
	uint32_t offset;         /**< MBUF: byte offset into the chain */
	uint32_t len;            /**< bytes of input / room for output */
};

/**
 * wd_comp_msg.hints: the submitter walked every mbuf chain of the message
 * in the same call (it checked them), so their headers are in this core's
 * cache: a driver need not prefetch them. A hint only: ignoring it is correct.
 */
#define WD_COMP_MSG_H_CHAINS_WALKED (1u << 0)

/**
 * One compression request. Its input and output must not share bytes:
 * the driver does not check it (lib/wd_comp does for its ops), and the
 * device would read output it has written. Reserved fields and unknown
 * hint bits are ignored; set them to 0.
 */
struct wd_comp_msg {
	/* ---- set by the submitter ---- */
	uint8_t alg;             /**< enum wd_comp_alg */
	uint8_t op;              /**< enum wd_op_type; must match the queue */
	uint8_t flush;           /**< enum wd_comp_flush */
	uint8_t window_log;      /**< 8..15 (compression); 0 = 15 */
	uint8_t level;           /**< 1..9; 0 = default (devices may ignore) */
	uint8_t hints;           /**< WD_COMP_MSG_H_*: what the submitter already did */
	uint8_t rsvd0[2];        /**< reserved, 0 */
	/** Stream context from wd_comp_drv_ops.stream_create(); NULL = stateless. */
	void *stream;
	struct wd_comp_buf src;  /**< input */
	struct wd_comp_buf dst;  /**< output */
	void *user_data;         /**< returned untouched */

	/* ---- set by the driver on completion ---- */
	uint8_t status;          /**< enum wd_comp_msg_status */
	uint8_t rsvd1;           /**< reserved */
	uint16_t hw_status;      /**< raw device status, for diagnostics */
	uint32_t consumed;       /**< input bytes used (incl. header/trailer) */
	uint32_t produced;       /**< output bytes written (incl. header/trailer) */
	/** Checksum of all uncompressed data of the stream so far (plain). */
	uint32_t checksum;
	/** Uncompressed bytes of the stream so far (mod 2^32). */
	uint32_t isize;
	uint32_t rsvd2;          /**< reserved */
};

/** Size limits and features of a device's compression engine. */
struct wd_comp_drv_caps {
	uint32_t algs_comp;       /**< bit (1 << enum wd_comp_alg) */
	uint32_t algs_decomp;     /**< bit (1 << enum wd_comp_alg) */
	uint32_t max_len;         /**< largest src/dst of one message */
	uint32_t min_dst_len;     /**< smallest output buffer accepted */
	uint16_t max_segs;        /**< longest mbuf chain (0 = unlimited) */
	uint8_t window_min_log;   /**< smallest compression window (log2) */
	uint8_t window_max_log;   /**< largest compression window (log2) */
	uint8_t stateful_comp;    /**< 1 if streams can compress */
	uint8_t stateful_decomp;  /**< 1 if streams can decompress */
	uint8_t levels_honoured;  /**< 0: the level does not change the output */
	uint8_t rsvd;             /**< reserved */
};

/** Parameters of a stream. */
struct wd_comp_stream_params {
	uint8_t alg;         /**< enum wd_comp_alg */
	uint8_t op;          /**< enum wd_op_type */
	uint8_t window_log;  /**< 0 = 15 */
	uint8_t level;       /**< 0 = default */
	int socket_id;       /**< NUMA node of the context's memory */
};

/**
 * Class operations of a compression driver ("comp"), found with
 * wd_dev_class_ops(dev, "comp").
 */
struct wd_comp_drv_ops {
	/** Report limits and features. @return 0 or -errno. */
	int (*caps_get)(struct wd_dev *dev, struct wd_comp_drv_caps *caps);
	/**
	 * Create a stream context (device context buffer in DMA memory).
	 * @return 0 or -errno (-ENOTSUP for an unsupported alg/direction).
	 */
	int (*stream_create)(struct wd_dev *dev, const struct wd_comp_stream_params *p,
			     void **stream);
	/** Reset a stream to its initial state for reuse. */
	void (*stream_reset)(void *stream);
	/**
	 * Free a stream (none of its requests may be in flight). Also called
	 * for a stream whose device was released since (wd_cleanup()): it
	 * must not use the device.
	 */
	void (*stream_free)(void *stream);
};

#ifdef __cplusplus
}
#endif

#endif /* WD_COMP_MSG_H */
