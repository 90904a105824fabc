/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * wd_comp: a compression API in the shape of DPDK's compressdev.
 *
 * Devices (hardware accelerators found by lib/wd_core, the software
 * device model, or the software engine "sw"), queue pairs, private xforms
 * (stateless) and streams (stateful), ops on rte_mbuf chains in an
 * rte_mempool, enqueue/dequeue bursts, statistics and telemetry; plus a
 * synchronous call on flat buffers for simple users.
 *
 * Formats: raw deflate, zlib and gzip, done completely (every gzip header
 * field, multi-member gzip, zlib FDICT reported as an error).
 *
 * Fallback: a queue pair on a hardware device may run ops on the software
 * engine when the device has no queue for it, when its queue is full,
 * below a size threshold, or when the hardware lacks a feature (e.g. raw
 * deflate decompression on Kunpeng 920). Every op records the engine that
 * ran it (wd_comp_op.engine) and counters show how many ran where.
 *
 * Error convention: control calls return 0 (or a non-negative id) or a
 * negative errno; bursts return counts and set wd_comp_op.status.
 */
#ifndef WD_COMP_H
#define WD_COMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd.h"
#include "wd_comp_msg.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;
struct rte_mempool;

/** Maximum number of wd_comp devices. */
#define WD_COMP_MAX_DEVS 16
/** Maximum number of queue pairs per device. */
#define WD_COMP_MAX_QPS 64
/** Default compression level (engine's choice). */
#define WD_COMP_LEVEL_DEFAULT (-1)
/** Level 0: no compression (stored blocks). */
#define WD_COMP_LEVEL_NONE 0
/** Fastest compression level. */
#define WD_COMP_LEVEL_MIN 1
/** Best compression level. */
#define WD_COMP_LEVEL_MAX 9

/* ------------------------------------------------------------------ */
/* Feature flags (as RTE_COMP_FF_*, plus ours)                         */
/* ------------------------------------------------------------------ */
/** @name Feature flags (wd_comp_dev_info.feature_flags, per algorithm in caps)
 * @{ */
#define WD_COMP_FF_STATEFUL_COMPRESSION   (1ULL << 0) /**< streams can compress */
#define WD_COMP_FF_STATEFUL_DECOMPRESSION (1ULL << 1) /**< streams can decompress */
#define WD_COMP_FF_OOP_SGL_IN_SGL_OUT     (1ULL << 2) /**< chained input, chained output */
#define WD_COMP_FF_OOP_SGL_IN_LB_OUT      (1ULL << 3) /**< chained input, one-segment output */
#define WD_COMP_FF_OOP_LB_IN_SGL_OUT      (1ULL << 4) /**< one-segment input, chained output */
#define WD_COMP_FF_ADLER32_CHECKSUM       (1ULL << 5) /**< Adler-32 of the data */
#define WD_COMP_FF_CRC32_CHECKSUM         (1ULL << 6) /**< CRC-32 of the data */
#define WD_COMP_FF_CRC32_ADLER32_CHECKSUM (1ULL << 7) /**< both at once */
#define WD_COMP_FF_MULTI_PKT_CHECKSUM     (1ULL << 8) /**< checksum over ops (input_chksum) */
#define WD_COMP_FF_SHA1_HASH              (1ULL << 9) /**< as compressdev; never set here */
#define WD_COMP_FF_SHA2_SHA256_HASH       (1ULL << 10) /**< as compressdev; never set here */
#define WD_COMP_FF_NONCOMPRESSED_BLOCKS   (1ULL << 11) /**< level 0: stored blocks */
#define WD_COMP_FF_SHAREABLE_PRIV_XFORM   (1ULL << 12) /**< an xform for many queue pairs */
#define WD_COMP_FF_HUFFMAN_FIXED          (1ULL << 13) /**< fixed Huffman codes */
#define WD_COMP_FF_HUFFMAN_DYNAMIC        (1ULL << 14) /**< dynamic Huffman codes */
#define WD_COMP_FF_ZLIB_FORMAT            (1ULL << 32) /**< ours */
#define WD_COMP_FF_GZIP_FORMAT            (1ULL << 33) /**< ours */
#define WD_COMP_FF_GZIP_MULTI_MEMBER      (1ULL << 34) /**< ours */
#define WD_COMP_FF_SW_FALLBACK            (1ULL << 35) /**< ours */
#define WD_COMP_FF_HW_ACCELERATED         (1ULL << 36) /**< ours */
/** @} */

/* ------------------------------------------------------------------ */
/* Xforms and ops                                                      */
/* ------------------------------------------------------------------ */

/** Huffman coding (compression only). */
enum wd_comp_huffman {
	WD_COMP_HUFFMAN_DEFAULT = 0,
	WD_COMP_HUFFMAN_FIXED,
	WD_COMP_HUFFMAN_DYNAMIC,
};

/** Checksum returned in wd_comp_op.output_chksum. */
enum wd_comp_chksum {
	WD_COMP_CHKSUM_NONE = 0,
	WD_COMP_CHKSUM_CRC32,
	WD_COMP_CHKSUM_ADLER32,
	WD_COMP_CHKSUM_CRC32_ADLER32, /**< CRC32 in bits 31:0, Adler-32 in 63:32 */
};

/** A transform: what to do with every op that uses it. */
struct wd_comp_xform {
	enum wd_op_type type;        /**< compress or decompress */
	enum wd_comp_alg alg;        /**< deflate, zlib or gzip */
	int level;                   /**< WD_COMP_LEVEL_*; compression only */
	uint8_t window_log;          /**< log2 of the window, 8..15; 0 = 15 */
	enum wd_comp_huffman huffman;/**< compression only */
	/**
	 * Checksum to return. zlib and gzip always return their own (Adler-32
	 * / CRC-32) whatever is asked; deflate returns what is asked.
	 */
	enum wd_comp_chksum chksum;
};

/** Op kind. */
enum wd_comp_op_type {
	WD_COMP_OP_STATELESS = 0, /**< each op is a whole stream (flush FINAL) */
	WD_COMP_OP_STATEFUL,      /**< ops of a stream, in order, one in flight */
};

/** Op status (as enum rte_comp_op_status, with distinct error kinds). */
enum wd_comp_op_status {
	WD_COMP_OP_SUCCESS = 0,
	WD_COMP_OP_NOT_PROCESSED,
	WD_COMP_OP_INVALID_ARGS,
	WD_COMP_OP_ERROR,               /**< other error (see debug_status) */
	WD_COMP_OP_INVALID_STATE,       /**< stream misuse (e.g. two in flight) */
	WD_COMP_OP_OUT_OF_SPACE_TERMINATED,
	WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE,
	WD_COMP_OP_ERR_CHECKSUM,        /**< trailer checksum/length mismatch */
	WD_COMP_OP_ERR_DATA,            /**< corrupt or truncated input */
	WD_COMP_OP_ERR_DICT,            /**< zlib FDICT: dictionary needed */
	WD_COMP_OP_ERR_NOTSUP,          /**< unsupported and no fallback */
	WD_COMP_OP_ERR_TIMEOUT,         /**< device did not complete in time */
	WD_COMP_OP_ERR_DEVICE,          /**< device fault or reset */
	WD_COMP_OP_STATUS_MAX
};

/** Engine that ran an op. */
enum wd_comp_engine {
	WD_COMP_ENGINE_NONE = 0, /**< not run */
	WD_COMP_ENGINE_HW,       /**< the device (or device model) */
	WD_COMP_ENGINE_SW,       /**< the software engine */
};

/** Why an op ran on the software engine of a hardware device. */
enum wd_comp_fallback_reason {
	WD_COMP_FB_NONE = 0,
	WD_COMP_FB_NO_HW,        /**< no hardware queue for the queue pair */
	WD_COMP_FB_QUEUE_FULL,   /**< hardware queue full */
	WD_COMP_FB_SMALL,        /**< below the size threshold */
	/** feature the hardware lacks, or a stateless decompression the device failed
	 *  with a status of its own (software tells corrupt input from a fault) */
	WD_COMP_FB_UNSUPPORTED,
	WD_COMP_FB_REASON_MAX
};

/**
 * wd_comp_op.flags: a stateful decompression op reached the end of the
 * stream (zlib's Z_STREAM_END; gzip: the end of a member after which no
 * other member starts in the op's input). Input after the end is not
 * consumed (wd_comp_op.consumed < src.length): for gzip it is trailing
 * data unless it starts with the two magic bytes 1f 8b; an op given only
 * such data after the end consumes nothing and also has this flag, with
 * status SUCCESS (check consumed: a gzip stream reused for another file
 * that does not start with 1f 8b fails no op; zlib and raw deflate streams
 * give ERR_DATA for input after their end). Other
 * ops (compression, stateless) leave flags 0: a successful stateless
 * decompression always reached the end.
 */
#define WD_COMP_OP_F_STREAM_END (1u << 0)

/**
 * A compression operation. Allocate from a pool made by
 * wd_comp_op_pool_create(); a pool's user area follows the op.
 */
struct wd_comp_op {
	enum wd_comp_op_type op_type; /**< stateless (private_xform) or stateful (stream) */
	union {
		void *private_xform;   /**< STATELESS */
		void *stream;          /**< STATEFUL */
	};
	struct rte_mempool *mempool;  /**< pool the op came from */
	struct rte_mbuf *m_src;       /**< input chain */
	struct rte_mbuf *m_dst;       /**< output chain */
	/** Input: [offset, offset + length) of m_src's data. */
	struct {
		uint32_t offset;          /**< first input byte in m_src */
		uint32_t length;          /**< input bytes */
	} src;
	/** Output: from offset to the end of m_dst's data (the room). */
	struct {
		uint32_t offset;          /**< first output byte in m_dst */
	} dst;
	/**
	 * WD_COMP_FLUSH_*: stateless compression FINAL (FULL for independent
	 * raw deflate blocks); a stream's FINAL op ends it (decompression:
	 * promises the end, see wd_comp_stream_create()).
	 */
	enum wd_comp_flush flush_flag;
	uint64_t input_chksum;        /**< initial checksum (MULTI_PKT) */
	uint64_t output_chksum;       /**< checksum of the uncompressed data */
	uint32_t consumed;            /**< input bytes read */
	uint32_t produced;            /**< output bytes written */
	uint64_t debug_status;        /**< engine-specific detail (hw status) */
	uint8_t status;               /**< enum wd_comp_op_status */
	uint8_t engine;               /**< enum wd_comp_engine */
	uint8_t fallback_reason;      /**< enum wd_comp_fallback_reason */
	uint8_t flags;                /**< WD_COMP_OP_F_* set by the library (output) */
	uint8_t rsvd[4];              /**< reserved, leave 0 */
	uint64_t user_data;           /**< returned untouched */
	uint64_t internal[4];         /**< reserved for the library */
};

/* ------------------------------------------------------------------ */
/* Devices                                                             */
/* ------------------------------------------------------------------ */

/** Window range of an algorithm (log2 values). */
struct wd_comp_window_range {
	uint8_t min;        /**< smallest */
	uint8_t max;        /**< largest */
	uint8_t increment;  /**< step */
};

/** What a device can do with one algorithm. */
struct wd_comp_capability {
	enum wd_comp_alg alg;         /**< the algorithm described */
	uint64_t comp_feature_flags;  /**< WD_COMP_FF_* for this algorithm */
	struct wd_comp_window_range window_size; /**< compression windows (log2) */
	bool comp;                    /**< compression on this device */
	bool decomp;                  /**< decompression on this device */
	bool comp_hw;                 /**< compression in hardware (else fallback) */
	bool decomp_hw;               /**< decompression in hardware */
};

/** Device information. */
struct wd_comp_dev_info {
	char name[WD_NAME_MAX];      /**< "sw", "model0", "0000:75:00.0" */
	char driver[32];             /**< "sw", "hisi_zip" */
	uint64_t feature_flags;      /**< WD_COMP_FF_* of the device */
	struct wd_comp_capability caps[WD_COMP_ALG_MAX]; /**< per enum wd_comp_alg */
	uint16_t max_nb_queue_pairs; /**< WD_COMP_MAX_QPS */
	uint32_t max_op_len;         /**< largest op the engine takes at once */
	int socket_id;               /**< NUMA node, or WD_SOCKET_ANY */
	bool hw;                     /**< true: hardware (or device model) */
};

/** Device configuration. */
struct wd_comp_config {
	int socket_id;                /**< NUMA node of its memory, or WD_SOCKET_ANY */
	uint16_t nb_queue_pairs;      /**< 1..WD_COMP_MAX_QPS */
	uint16_t max_nb_priv_xforms;  /**< 0 = unlimited */
	uint16_t max_nb_streams;      /**< 0 = unlimited */
};

/** Fallback policy flags (wd_comp_fallback.flags). */
#define WD_COMP_FB_F_NO_HW       (1u << WD_COMP_FB_NO_HW)       /**< no hardware queue */
#define WD_COMP_FB_F_QUEUE_FULL  (1u << WD_COMP_FB_QUEUE_FULL)  /**< hardware queue full */
#define WD_COMP_FB_F_SMALL       (1u << WD_COMP_FB_SMALL)       /**< small ops */
#define WD_COMP_FB_F_UNSUPPORTED (1u << WD_COMP_FB_UNSUPPORTED) /**< hardware lacks it */
/** Default: software when there is no hardware queue or no hardware feature. */
#define WD_COMP_FB_F_DEFAULT (WD_COMP_FB_F_NO_HW | WD_COMP_FB_F_UNSUPPORTED)

/** Fallback policy of a queue pair. */
struct wd_comp_fallback {
	uint32_t flags;            /**< WD_COMP_FB_F_* */
	uint32_t small_threshold;  /**< with FB_F_SMALL: ops below this many input bytes */
};

/** Queue-pair configuration. */
struct wd_comp_qp_conf {
	uint32_t max_inflight_ops; /**< 0 = device default (512), at most 65536 */
	int socket_id;             /**< NUMA node of its memory, or WD_SOCKET_ANY */
	struct wd_comp_fallback fallback; /**< software fallback policy */
	bool use_default_fallback; /**< true: ignore @c fallback, use WD_COMP_FB_F_DEFAULT */
};

/**
 * Initialise wd_comp (and wd_core, EAL must be running): make a device
 * of every probed accelerator that offers compression. Idempotent.
 * Registers a wd_cleanup() hook: wd_cleanup() releases every wd_comp
 * queue pair and device (ops in flight are lost; xforms and streams not
 * freed before become invalid).
 * @return number of devices, or -errno (-EPERM in a child after fork()).
 */
WD_EXPORT int wd_comp_init(void);

/**
 * Attach a device by specification string (see wd_spec_parse()):
 * "sw", "model[:...]" or a PCI address. "sw" and a PCI address already
 * attached return the existing device; every "model" spec creates a new
 * device model (give it back with wd_comp_dev_detach()).
 * The wd_core device is held (wd_dev_detach() says -EBUSY) until
 * wd_comp_dev_detach() or wd_cleanup().
 * @return device id (>= 0) or -errno: -EINVAL bad spec, -ENODEV no such
 *         device or EAL not running, -ENOTSUP its driver does no
 *         compression, -ENOSPC WD_COMP_MAX_DEVS devices attached, -EPERM
 *         in a child after fork(), or wd_init()/wd_dev_attach() errors.
 */
WD_EXPORT int wd_comp_dev_attach(const char *spec);

/**
 * Detach a device (as DPDK's rte_vdev_uninit() after rte_compressdev_close()):
 * its queue pairs are released, its slot is free for another attach, a
 * device model attached by wd_comp_dev_attach() is removed and the wd_core
 * device of a PCI function is no longer held (it stays attached in
 * wd_core; wd_comp_init() makes a device of it again).
 * @return 0, -ENODEV, -EBUSY (started, ops in flight, or xforms/streams
 *         not freed), -EPERM in a child after fork().
 */
WD_EXPORT int wd_comp_dev_detach(uint8_t dev_id);

/** @return number of devices. */
WD_EXPORT uint8_t wd_comp_dev_count(void);

/** @return id of the device called @p name, or -ENODEV. */
WD_EXPORT int wd_comp_dev_get_id(const char *name);

/** @return 0 or -ENODEV / -EINVAL / -EPERM (fork). */
WD_EXPORT int wd_comp_dev_info_get(uint8_t dev_id, struct wd_comp_dev_info *info);

/**
 * @return 0, -ENODEV, -EINVAL, -EBUSY (started, or ops in flight on its
 *         queue pairs), -EPERM (fork).
 */
WD_EXPORT int wd_comp_dev_configure(uint8_t dev_id, const struct wd_comp_config *cfg);

/** @return 0, -ENODEV, -EINVAL (not configured / qps not set up), -EPERM (fork). */
WD_EXPORT int wd_comp_dev_start(uint8_t dev_id);

/** Stop a device (in-flight ops can still be dequeued). */
WD_EXPORT void wd_comp_dev_stop(uint8_t dev_id);

/**
 * Close a device (as rte_compressdev_close()): release its queue pairs and
 * its configuration. The device stays attached, with its id: configure it
 * again, or give it back with wd_comp_dev_detach().
 * @return 0, -EBUSY (started, or ops in flight), -ENODEV, -EPERM (fork).
 */
WD_EXPORT int wd_comp_dev_close(uint8_t dev_id);

/**
 * @return 0, -ENODEV, -EINVAL, -EBUSY (started, or ops in flight on that
 *         queue pair), -ENOMEM, -EPERM (fork), driver errors.
 */
WD_EXPORT int wd_comp_qp_setup(uint8_t dev_id, uint16_t qp_id,
			       const struct wd_comp_qp_conf *conf);

/** @return number of configured queue pairs, or -ENODEV. */
WD_EXPORT int wd_comp_qp_count(uint8_t dev_id);

/**
 * Create a stateless transform.
 * @return 0, -ENODEV, -EINVAL, -ENOTSUP, -ENOMEM, -ENOSPC, -EPERM (fork).
 */
WD_EXPORT int wd_comp_private_xform_create(uint8_t dev_id, const struct wd_comp_xform *xform,
					   void **private_xform);
/**
 * @return 0, -EINVAL (not an xform of this device), -EBUSY (ops in flight
 *         use it), -ENODEV (no such device; or the xform's device was
 *         released by wd_cleanup() since: the xform is freed all the same),
 *         -EPERM (fork).
 */
WD_EXPORT int wd_comp_private_xform_free(uint8_t dev_id, void *private_xform);

/**
 * Create a stream for stateful ops (one op in flight at a time). After the
 * stream ends (compression: an op with FLUSH_FINAL done; decompression:
 * end of the data) its next op starts a new stream; gzip members follow
 * one another in one stream.
 * @return 0, -ENODEV, -EINVAL, -ENOTSUP, -ENOMEM, -ENOSPC, -EPERM (fork).
 */
WD_EXPORT int wd_comp_stream_create(uint8_t dev_id, const struct wd_comp_xform *xform,
				    void **stream);
/**
 * @return 0, -EINVAL (not a stream of this device), -EBUSY (an op of the
 *         stream is in flight), -ENODEV (no such device; or the stream's
 *         device was released by wd_cleanup() since: the library's part of
 *         the stream is freed all the same), -EPERM (fork).
 */
WD_EXPORT int wd_comp_stream_free(uint8_t dev_id, void *stream);

/**
 * Create a pool of ops on rte_mempool.
 * @param name        name of the mempool (unique in the process).
 * @param nb_elts     number of ops.
 * @param cache_size  per-lcore cache (0..RTE_MEMPOOL_CACHE_MAX_SIZE; rte_mempool
 *                    also needs 1.5 x @p cache_size <= @p nb_elts).
 * @param user_size   bytes of user area after each op.
 * @param socket_id   NUMA node of the memory, or WD_SOCKET_ANY.
 * @return the pool, or NULL with rte_errno set (EINVAL bad arguments,
 *         EPERM in a child after fork(), rte_mempool_create()'s errors).
 */
WD_EXPORT struct rte_mempool *wd_comp_op_pool_create(const char *name, unsigned int nb_elts,
						     unsigned int cache_size, uint16_t user_size,
						     int socket_id);

/**
 * @return an op reset to defaults (all zero, flush_flag WD_COMP_FLUSH_FINAL,
 * mempool set), or NULL when the pool is empty.
 */
WD_EXPORT struct wd_comp_op *wd_comp_op_alloc(struct rte_mempool *pool);
/** Allocate @p n ops. @return 0, -EINVAL (NULL), -ENOENT (none allocated), -EPERM (fork). */
WD_EXPORT int wd_comp_op_bulk_alloc(struct rte_mempool *pool, struct wd_comp_op **ops,
				    uint16_t n);
/** Return an op to its pool. NULL is ignored. */
WD_EXPORT void wd_comp_op_free(struct wd_comp_op *op);

/**
 * Enqueue ops. An op rejected before reaching an engine is still accepted
 * and comes back from dequeue with an error status. A queue pair is used
 * by one thread at a time (enqueue and dequeue on the same thread); no
 * lock is taken and no system call made.
 * @return ops accepted: fewer than @p nb_ops when the queue pair is full,
 *         the hardware queue is full without WD_COMP_FB_F_QUEUE_FULL, the
 *         device is stopped, at the first NULL op, or at the first op
 *         enqueued before and not dequeued yet (rte_errno EALREADY; that
 *         op's first run is not disturbed).
 */
WD_EXPORT uint16_t wd_comp_enqueue_burst(uint8_t dev_id, uint16_t qp_id,
					 struct wd_comp_op **ops, uint16_t nb_ops);

/**
 * Dequeue finished ops, in the order they finished: an op run in software
 * at enqueue (fallback, small input) comes back before earlier ops still
 * on the device, so match results through the op (user_data), not by
 * position. Ops of one stream finish in order (one in flight at a time).
 * @return how many were written to @p ops.
 */
WD_EXPORT uint16_t wd_comp_dequeue_burst(uint8_t dev_id, uint16_t qp_id,
					 struct wd_comp_op **ops, uint16_t nb_ops);

/* ------------------------------------------------------------------ */
/* Synchronous convenience call                                        */
/* ------------------------------------------------------------------ */

/** Result of wd_comp_buf_process(). */
struct wd_comp_buf_result {
	size_t consumed;      /**< input bytes read */
	size_t produced;      /**< output bytes written */
	uint64_t checksum;    /**< as wd_comp_op.output_chksum */
	uint8_t engine;       /**< enum wd_comp_engine of the last op */
	uint8_t status;       /**< enum wd_comp_op_status */
};

/**
 * Compress or decompress a whole flat buffer in one call, on queue pair
 * @p qp_id of a started device (ordinary memory is fine: it is copied
 * through DMA memory when needed). Any size: large inputs are processed
 * as a stream. For gzip decompression, all members are decompressed;
 * anything after the last member that starts no member (both magic
 * bytes 1f 8b) is left: res->consumed < @p src_len.
 *
 * On a hardware device the output always goes through a private DMA
 * buffer (up to 64 MiB; larger outputs run in software when the queue
 * pair's policy allows WD_COMP_FB_F_UNSUPPORTED), allocated and cleared
 * for each call at @p dst_len bytes: give a room near what the output
 * can be (wd_comp_bound() for a compression), not a generous maximum.
 * When the call returns, -ETIMEDOUT included, nothing writes into @p dst
 * any more. The queue pair must not be used by another thread meanwhile.
 *
 * @return 0 on success (res->status SUCCESS), -ENOSPC output too small,
 *         -EBADMSG corrupt or truncated input, -EILSEQ checksum mismatch,
 *         -ENOTSUP, -ETIMEDOUT (no answer from the device in 10 s),
 *         -ENOMEM no DMA memory to copy through (and no software fallback),
 *         -EIO device error, -EINVAL bad arguments or device not started,
 *         -EPERM in a child after fork(). A call refused before any engine
 *         ran leaves res->status WD_COMP_OP_NOT_PROCESSED.
 */
WD_EXPORT int wd_comp_buf_process(uint8_t dev_id, uint16_t qp_id,
				  const struct wd_comp_xform *xform,
				  const void *src, size_t src_len, void *dst, size_t dst_len,
				  struct wd_comp_buf_result *res);

/**
 * Worst-case output size of compressing @p len bytes in format @p alg
 * (stored blocks plus header and trailer), for any engine.
 */
WD_EXPORT size_t wd_comp_bound(enum wd_comp_alg alg, size_t len);

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */

/** Number of latency histogram buckets (bucket i: [2^i, 2^(i+1)) ns; the last: 2^31 ns up). */
#define WD_COMP_LAT_BUCKETS 32

/** Statistics of a queue pair (or a device: sum of its queue pairs). */
struct wd_comp_stats {
	uint64_t enqueued_count;      /**< ops accepted by enqueue */
	uint64_t dequeued_count;      /**< ops returned by dequeue */
	uint64_t enqueue_err_count;   /**< ops refused at enqueue (not accepted) */
	uint64_t dequeue_err_count;   /**< ops dequeued with an error status */
	uint64_t bytes_in;            /**< consumed by successful ops */
	uint64_t bytes_out;           /**< produced by successful ops */
	uint64_t hw_ops;              /**< ops run by the hardware */
	uint64_t sw_ops;              /**< ops run by the software engine */
	uint64_t fallback[WD_COMP_FB_REASON_MAX];   /**< sw ops by reason */
	uint64_t status[WD_COMP_OP_STATUS_MAX];     /**< dequeued ops by status */
	uint64_t lat_hist[WD_COMP_LAT_BUCKETS];     /**< enqueue-to-dequeue ns */
};

/** Device totals. @return 0, -ENODEV, -EINVAL (@p stats NULL), -EPERM (fork). */
WD_EXPORT int wd_comp_stats_get(uint8_t dev_id, struct wd_comp_stats *stats);
/** One queue pair. @return 0, -ENODEV, -EINVAL, -EPERM (fork). */
WD_EXPORT int wd_comp_qp_stats_get(uint8_t dev_id, uint16_t qp_id, struct wd_comp_stats *stats);
/** Reset the device's statistics (also while its queue pairs are in use). */
WD_EXPORT void wd_comp_stats_reset(uint8_t dev_id);

/**
 * Register the telemetry commands (/wd_comp/list, /wd_comp/info,
 * /wd_comp/stats, /wd_comp/qp_stats, /wd_comp/latency), readable with
 * dpdk-telemetry.py. Done by wd_comp_init(); idempotent.
 */
WD_EXPORT int wd_comp_telemetry_init(void);

/* ------------------------------------------------------------------ */
/* Scheduler                                                           */
/* ------------------------------------------------------------------ */

/** A scheduler handing each lcore its own queue pair (opaque). */
struct wd_comp_sched;

/**
 * Give every lcore in @p lcores its own queue pair, on the devices in
 * @p dev_ids, nearest NUMA node first, spreading lcores of one node
 * round-robin over that node's devices (the device with the fewest lcores
 * first; hardware before software when they have as many). The software
 * device counts as local to every node. The devices must be configured
 * with enough queue pairs and started. Queue pairs are lcore-local: no
 * locks are taken.
 * @return 0, -EINVAL, -ENOSPC (not enough queue pairs), -ENOMEM, -EPERM (fork).
 */
WD_EXPORT int wd_comp_sched_create(const uint8_t *dev_ids, unsigned int nb_devs,
				   const unsigned int *lcores, unsigned int nb_lcores,
				   struct wd_comp_sched **sched);

/** @return 0 and the (device, queue pair) of @p lcore, or -ENOENT. */
WD_EXPORT int wd_comp_sched_get(const struct wd_comp_sched *sched, unsigned int lcore,
				uint8_t *dev_id, uint16_t *qp_id);

/** Free the scheduler (the queue pairs stay set up). */
WD_EXPORT void wd_comp_sched_free(struct wd_comp_sched *sched);

/** @return the name of an op status ("success", ...; "unknown" when out of range). */
WD_EXPORT const char *wd_comp_op_status_str(enum wd_comp_op_status s);
/** @return the name of an engine ("hw", "sw", "none"; "unknown" when out of range). */
WD_EXPORT const char *wd_comp_engine_str(enum wd_comp_engine e);
/** @return the name of a fallback reason ("unknown" when out of range). */
WD_EXPORT const char *wd_comp_fallback_str(enum wd_comp_fallback_reason r);
/** @return the name of an algorithm ("deflate", "zlib", "gzip"; "unknown" otherwise). */
WD_EXPORT const char *wd_comp_alg_str(enum wd_comp_alg a);

#ifdef __cplusplus
}
#endif

#endif /* WD_COMP_H */
