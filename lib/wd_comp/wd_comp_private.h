/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internal definitions of lib/wd_comp (not installed).
 *
 * Layers inside the library:
 *  - wd_comp.c        API: devices, queue pairs, xforms, streams, op pool,
 *                     enqueue/dequeue, engine choice (fallback policy), stats;
 *  - wd_comp_sw.c     the software engine (ISA-L igzip, zlib);
 *  - wd_comp_hw.c     the hardware engine (struct wd_comp_msg on wd_core queues);
 *  - wd_comp_sched.c  the lcore → queue-pair scheduler;
 *  - wd_comp_tel.c    rte_telemetry commands;
 *  - wd_comp_fmt.c    zlib/gzip framing (shared with drivers).
 */
#ifndef WD_COMP_PRIVATE_H
#define WD_COMP_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "wd_comp.h"
#include "wd_comp_fmt.h"
#include "wd_comp_msg.h"
#include "wd_config.h"

extern int wd_comp_logtype;

#define WD_COMP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, wd_comp_logtype, "wd.comp: " fmt "\n", ##__VA_ARGS__)

/** Control-path lock of the library (devices, configuration, telemetry reads). */
extern pthread_mutex_t wd_comp_lock;

#define WD_COMP_XFORM_MAGIC 0x57445846u  /* "WDXF" */
#define WD_COMP_STREAM_MAGIC 0x57445354u /* "WDST" */
#define WD_COMP_DEAD_MAGIC 0xdeadbeefu

/** Default queue-pair depth when the configuration says 0. */
#define WD_COMP_QP_DEPTH_DEFAULT 512u
/** Level WD_COMP_LEVEL_DEFAULT stands for (ISA-L level 2 in the software engine). */
#define WD_COMP_DEFAULT_LEVEL 2
/** Deepest queue pair accepted. */
#define WD_COMP_QP_DEPTH_MAX 65536u

/**
 * Cache-aligned memory on @p socket_id, or anywhere when that socket has
 * none (a device on a node without hugepages still works).
 */
static inline void *
wd_comp_malloc(const char *name, size_t size, int socket_id, bool zero)
{
	void *p = zero ? rte_zmalloc_socket(name, size, RTE_CACHE_LINE_SIZE, socket_id) :
			 rte_malloc_socket(name, size, RTE_CACHE_LINE_SIZE, socket_id);

	if (p == NULL && socket_id != SOCKET_ID_ANY)
		p = zero ? rte_zmalloc_socket(name, size, RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY) :
			   rte_malloc_socket(name, size, RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
	return p;
}

/** A transform, resolved to what the engines need. */
struct wd_comp_xf {
	uint8_t op;          /**< enum wd_op_type */
	uint8_t alg;         /**< enum wd_comp_alg */
	int8_t level;        /**< 0..9 (default resolved) */
	uint8_t window_log;  /**< 8..15 */
	uint8_t huffman;     /**< enum wd_comp_huffman */
	uint8_t chksum;      /**< enum wd_comp_chksum, as asked */
	int8_t user_level;   /**< level as given (WD_COMP_LEVEL_DEFAULT kept) */
	uint8_t rsvd;
};

/** Result of one request on an engine. */
struct wd_comp_res {
	uint8_t status;      /**< enum wd_comp_op_status */
	uint8_t flags;       /**< WD_COMP_OP_F_* */
	uint32_t consumed;
	uint32_t produced;
	uint64_t chksum;     /**< as wd_comp_op.output_chksum */
	uint64_t debug;      /**< engine detail (hw status) */
};

struct wd_comp_dev;
struct wd_comp_qp;
struct wd_comp_sw_qp;
struct wd_comp_sw_stream;
struct wd_comp_hw_qp;
struct wd_comp_hw_stream;

/**
 * A private xform: what every op using it needs, worked out once at
 * creation (read-only afterwards), and the count of its ops in flight on
 * a cache line of its own (written by the data path of every queue pair
 * sharing the xform).
 */
struct wd_comp_priv_xform {
	/*
	 * A line of its own (padded, not aligned by attribute: an application's
	 * bad handle must stay readable for the magic check).
	 */
	union {
		struct {
			uint32_t magic;
			/** Stateless ops may take the hardware engine's fast path. */
			bool hw_fast;
			uint32_t gen;   /**< dev->gen when made (wd_comp_handle_live()) */
			struct wd_comp_dev *dev;
			struct wd_comp_xf xf;
			/** First 8 bytes of its messages (alg, op, flush, window, level). */
			uint64_t msg_head;
		};
		uint8_t line0[RTE_CACHE_LINE_SIZE];
	};
	/** Ops in flight using it (atomic; added up per burst). */
	uint32_t inflight;
};

/** Engine a stream is bound to (decided by its first op). */
enum wd_comp_stream_engine {
	WD_COMP_STREAM_UNBOUND = 0,
	WD_COMP_STREAM_SW,
	WD_COMP_STREAM_HW,
};

/** A stream. */
struct wd_comp_stream {
	uint32_t magic;
	uint32_t gen;        /**< dev->gen when made (wd_comp_handle_live()) */
	struct wd_comp_dev *dev;
	struct wd_comp_xf xf;
	uint8_t busy;        /**< an op is in flight (atomic) */
	uint8_t engine;      /**< enum wd_comp_stream_engine */
	uint8_t fb_reason;   /**< fallback reason when bound to SW on a hw device */
	struct wd_comp_sw_stream *sw;  /**< software state (lazily on hw devices) */
	struct wd_comp_hw_stream *hw;  /**< hardware state */
};

/** A queue pair. Used by one thread at a time: nothing here is locked. */
struct wd_comp_qp {
	struct wd_comp_dev *dev;
	uint16_t id;
	int socket_id;
	uint32_t depth;          /**< ops accepted and not yet dequeued, at most */
	uint32_t inflight;
	/* finished ops waiting for dequeue (ring of depth slots, power of two) */
	struct wd_comp_op **done;
	uint32_t done_mask;
	uint32_t done_head;      /**< next to dequeue */
	uint32_t done_tail;      /**< next free */
	struct wd_comp_fallback fb;
	struct wd_comp_sw_qp *sw;  /**< software engine state (NULL: no software use) */
	struct wd_comp_hw_qp *hw;  /**< hardware engine state (NULL: none) */
	uint64_t ns_mult;        /**< ns = cycles * ns_mult >> 32 */
	struct wd_comp_stats stats;      /**< written by the queue pair's thread only */
	struct wd_comp_stats stats_base; /**< stats at the last reset (wd_comp_lock) */
};

/** A device. */
struct wd_comp_dev {
	bool used;
	uint8_t id;
	bool hw;
	/**
	 * Never the same for two devices that used this slot: the xforms and
	 * streams of a device released (detach, wd_cleanup()) are told apart
	 * from those of the next device in the slot.
	 */
	uint32_t gen;
	bool configured;
	bool started;
	char name[WD_NAME_MAX];
	char driver[32];
	int socket_id;
	struct wd_dev *wdev;                   /**< wd_core device (hw), held */
	bool own_wdev;                         /**< attached for us ("model"): detached with us */
	const struct wd_comp_drv_ops *drv_ops; /**< its class ops (hw) */
	struct wd_comp_drv_caps caps;          /**< hardware caps (hw) */
	struct wd_comp_config cfg;
	uint16_t nb_qps;
	struct wd_comp_qp *qps[WD_COMP_MAX_QPS];
	uint32_t nb_xforms;    /**< atomic */
	uint32_t nb_streams;   /**< atomic */
	struct wd_comp_stats closed_stats; /**< totals of queue pairs released */
};

/* wd_comp.c */
struct wd_comp_dev *wd_comp_dev_get(uint8_t dev_id);

/** Was a handle (xform, stream) that says @p hdev, @p hgen made on @p d as it is now? */
static inline bool
wd_comp_handle_live(const struct wd_comp_dev *d, const struct wd_comp_dev *hdev, uint32_t hgen)
{
	return hdev == d && hgen == d->gen;
}
int wd_comp_xform_resolve(const struct wd_comp_xform *x, struct wd_comp_xf *xf);
uint8_t wd_comp_status_from_msg(uint8_t msg_status);
void wd_comp_qp_stats_add(struct wd_comp_stats *sum, const struct wd_comp_stats *s);

/* ---- wd_comp_sw.c: the software engine ---- */

/** Software codec a transform runs on. */
enum wd_comp_sw_codec {
	WD_COMP_SW_ISAL = 1,
	WD_COMP_SW_ZLIB,
};

/** @return the software codec of a resolved transform. */
enum wd_comp_sw_codec wd_comp_sw_codec_of(const struct wd_comp_xf *xf);

/** Per-queue-pair software state (stateless work). @return NULL on ENOMEM. */
struct wd_comp_sw_qp *wd_comp_sw_qp_create(int socket_id);
void wd_comp_sw_qp_free(struct wd_comp_sw_qp *sq);

/** Stream state. @return NULL on ENOMEM. */
struct wd_comp_sw_stream *wd_comp_sw_stream_create(const struct wd_comp_xf *xf, int socket_id);
void wd_comp_sw_stream_free(struct wd_comp_sw_stream *ss);
/** @return true if the stream has taken input or produced output since its start. */
bool wd_comp_sw_stream_started(const struct wd_comp_sw_stream *ss);
/** @return true if the stream (gzip: a member) has ended. */
bool wd_comp_sw_stream_ended(const struct wd_comp_sw_stream *ss);

/**
 * Run one request. @p ss NULL: stateless (a complete stream, or
 * independent non-final blocks with FLUSH_FULL on raw deflate).
 * @p flush: the op's flush; a stream decompression op with FLUSH_FINAL that
 * takes all its input without reaching the end of the stream fails with
 * WD_COMP_OP_ERR_DATA (truncated).
 * @p in_chksum: initial checksum of a stateless raw-deflate op (MULTI_PKT).
 */
void wd_comp_sw_run(struct wd_comp_sw_qp *sq, struct wd_comp_sw_stream *ss,
		    const struct wd_comp_xf *xf, const struct wd_comp_buf *src,
		    const struct wd_comp_buf *dst, uint8_t flush, uint64_t in_chksum,
		    struct wd_comp_res *res);

/* ---- wd_comp_hw.c: the hardware engine ---- */

int wd_comp_hw_qp_setup(struct wd_comp_qp *qp, uint32_t depth);
void wd_comp_hw_qp_release(struct wd_comp_qp *qp);
/** Ops in flight on the hardware. */
uint32_t wd_comp_hw_qp_inflight(const struct wd_comp_qp *qp);

/** Outcome of wd_comp_hw_submit(). */
enum wd_comp_hw_verdict {
	WD_COMP_HW_SENT = 0,      /**< on the hardware; completes through poll */
	WD_COMP_HW_FULL,          /**< no room now */
	WD_COMP_HW_UNSUPPORTED,   /**< the hardware cannot do it */
	WD_COMP_HW_SLOW,          /**< fast path: not for it; take the general path */
};

/** Work out the hardware fast-path fields of a private xform (hw_fast, msg_head). */
void wd_comp_hw_xform_init(const struct wd_comp_dev *dev, struct wd_comp_priv_xform *px);

/**
 * Prefetch what the fast path reads of a burst: the ops' mbuf headers,
 * chains level by level (their misses overlap instead of queueing).
 */
void wd_comp_hw_burst_prefetch(struct wd_comp_op **ops, uint16_t n);

/**
 * The fast path of a burst: from the first op on, while ops are stateless
 * with an xform of this device that has hw_fast, plain buffers, within the
 * device's limits and the policy, their messages are queued (sent with
 * the burst's others by wd_comp_hw_flush()) and the ops are in flight.
 * Stops at the first op it does not take, and says why in @p why:
 * WD_COMP_HW_FULL (no room) or WD_COMP_HW_SLOW (the general path decides,
 * validation errors and NULL ops included).
 * @return the number of ops taken.
 */
uint16_t wd_comp_hw_enqueue_fast(struct wd_comp_qp *qp, struct wd_comp_op **ops, uint16_t n,
				 uint64_t now, enum wd_comp_hw_verdict *why);

/** Try to send an op to the hardware. */
enum wd_comp_hw_verdict wd_comp_hw_submit(struct wd_comp_qp *qp, struct wd_comp_op *op,
					  const struct wd_comp_xf *xf,
					  struct wd_comp_stream *st);
/**
 * Collect hardware completions; finished ops are handed to
 * wd_comp_qp_complete(). @return ops finished.
 */
uint16_t wd_comp_hw_poll(struct wd_comp_qp *qp);
/** @return true if the hardware can run this transform (stateless / stateful). */
bool wd_comp_hw_supports(const struct wd_comp_dev *dev, const struct wd_comp_xf *xf,
			 bool stateful);
int wd_comp_hw_stream_create(struct wd_comp_dev *dev, struct wd_comp_stream *st);
void wd_comp_hw_stream_free(struct wd_comp_stream *st);
/** Synchronous request for wd_comp_buf_process() (hw). @return 0, -EAGAIN (go sw), -errno. */
int wd_comp_hw_run_sync(struct wd_comp_qp *qp, const struct wd_comp_xf *xf,
			struct wd_comp_stream *st, const void *src, uint32_t src_len, void *dst,
			uint32_t dst_len, uint8_t flush, struct wd_comp_res *res);

/**
 * End of a burst: send the queued messages (one wd_send_burst() and one
 * doorbell per queue), ring the doorbells of messages sent one by one, and
 * settle the xforms' in-flight counts.
 */
void wd_comp_hw_flush(struct wd_comp_qp *qp);

/** wd_comp_buf_overlap() for chains: their segments' ranges compared (wd_comp_buf.c). */
bool wd_comp_buf_overlap_chains(const struct wd_comp_buf *a, const struct wd_comp_buf *b);

/** Do the bytes of two flat buffers overlap? */
static inline bool
wd_comp_flat_overlap(const struct wd_comp_buf *a, const struct wd_comp_buf *b)
{
	uintptr_t a0 = (uintptr_t)a->addr, b0 = (uintptr_t)b->addr;

	return a->len > 0 && b->len > 0 && a0 < b0 + b->len && b0 < a0 + a->len;
}

/**
 * Do the bytes of two buffers overlap (an mbuf attached to another's data,
 * an external buffer used twice, a segment in both chains)? Exact for flat
 * buffers and chains alike. Chains must have been checked first (nb_segs
 * segments, then NULL: a chain that loops would not end the walk).
 */
static inline bool
wd_comp_buf_overlap(const struct wd_comp_buf *a, const struct wd_comp_buf *b)
{
	if (a->type == WD_COMP_BUF_FLAT && b->type == WD_COMP_BUF_FLAT)
		return wd_comp_flat_overlap(a, b);
	return wd_comp_buf_overlap_chains(a, b);
}

/** Completion of an op (called by the engines): it waits for dequeue. */
static inline void
wd_comp_qp_complete(struct wd_comp_qp *qp, struct wd_comp_op *op)
{
	qp->done[qp->done_tail & qp->done_mask] = op;
	qp->done_tail++;
}
/**
 * Run on software an op the hardware refused (WD_COMP_MSG_ERR_NOTSUP),
 * if the queue pair's policy allows. @return false if not allowed.
 */
bool wd_comp_qp_retry_sw(struct wd_comp_qp *qp, struct wd_comp_op *op);

/*
 * wd_comp_op.flags bit the library uses between enqueue and dequeue: the
 * op ran in software at enqueue and holds its stream (busy) until it is
 * dequeued. Never seen by the application.
 */
#define WD_COMP_OP_F_HOLDS_STREAM (1u << 7)
/*
 * The same for a stateless op run in software: it counts in its xform's
 * in-flight ops (which the hardware engine counts for its own) until it is
 * dequeued, so that the xform is not freed under it.
 */
#define WD_COMP_OP_F_HOLDS_XFORM (1u << 6)
/*
 * Set on every op the library accepted, cleared when it is dequeued: an op
 * enqueued again before that ends the burst (its first run is untouched).
 */
#define WD_COMP_OP_F_QUEUED (1u << 5)

/* ---- op internals (wd_comp_op.internal[]) ---- */
#define WD_COMP_OPI_TSC 0     /**< enqueue TSC */
#define WD_COMP_OPI_HW 1      /**< hardware engine progress */
#define WD_COMP_OPI_HW2 2     /**< hardware engine progress */
#define WD_COMP_OPI_HW3 3     /**< hardware engine progress */


#endif /* WD_COMP_PRIVATE_H */
