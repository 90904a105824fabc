/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * WarpDrive core: devices, the queue API and DMA memory.
 *
 * The accelerator is another thread of the process: it shares the
 * process's address space (IOVA = VA, hugepage memory mapped through the
 * IOMMU) and is reached through FIFO queues. This header is the
 * application-facing part of lib/wd_core:
 *
 *  - EAL integration (wd_eal_init(), wd_init(), wd_cleanup());
 *  - the device registry (wd_dev_*), with uacce-like attributes;
 *  - the WarpDrive queue API: wd_request_queue(), wd_send(), wd_recv(),
 *    wd_recv_sync(), wd_flush(), wd_release_queue();
 *  - DMA memory: wd_reserve_memory(), wd_share_reserved_memory().
 *
 * Error convention: control calls return 0 (or a non-negative count) on
 * success and a negative errno on failure. Burst calls return the number of
 * requests handled; the outcome of each request is reported in the request
 * itself (see the algorithm's message header, e.g. wd_comp_msg.h).
 *
 * Nothing in this library prints to stdout or exits the process; it logs
 * through rte_log with the log type "wd.core".
 */
#ifndef WD_H
#define WD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a symbol exported from the shared library. */
#define WD_EXPORT __attribute__((visibility("default")))

/** Maximum length of a device name, including the terminating NUL. */
#define WD_NAME_MAX 64
/** Maximum length of the algorithm list of a device (newline separated). */
#define WD_ALGS_MAX 128
/** Maximum number of devices in the registry. */
#define WD_MAX_DEVS 32
/** "Any NUMA socket" (same value as DPDK's SOCKET_ID_ANY). */
#define WD_SOCKET_ANY (-1)

/* ------------------------------------------------------------------ */
/* EAL integration                                                     */
/* ------------------------------------------------------------------ */

/**
 * Initialise DPDK's EAL and then WarpDrive (a convenience wrapper).
 *
 * Equivalent to rte_eal_init() followed by wd_init(). Applications that
 * call rte_eal_init() themselves call wd_init() afterwards instead (or let
 * the first WarpDrive call do it).
 *
 * @param argc, argv  EAL arguments, as for rte_eal_init().
 * @return the number of arguments consumed by EAL (>= 0), or a negative
 *         errno: rte_eal_init()'s rte_errno (-EINVAL bad EAL arguments,
 *         -EALREADY EAL already running, -ENOMEM, -EACCES, ...), or
 *         wd_init()'s (-ENOTSUP IOVA mode is PA).
 */
WD_EXPORT int wd_eal_init(int argc, char **argv);

/**
 * Initialise WarpDrive after EAL: check the IOVA mode, scan the PCI bus
 * for devices bound to vfio-pci that a registered driver supports, and
 * probe them. Idempotent.
 *
 * WarpDrive requires IOVA-as-VA (the accelerator shares the process's
 * addresses); when EAL selected PA, this fails with -ENOTSUP and logs
 * that `--iova-mode=va` is needed.
 *
 * @return 0, -ENODEV if EAL is not initialised, -ENOTSUP if IOVA != VA,
 *         -EPERM in a child process after fork() (WarpDrive belongs to
 *         the parent; so do all control calls: they say -EPERM there).
 */
WD_EXPORT int wd_init(void);

/**
 * List the PCI functions bound to vfio-pci that a built-in driver
 * supports, from sysfs (works before EAL starts: use it to build EAL's
 * -a arguments, or to pass --no-pci when there are none).
 *
 * @param[out] bdfs  up to @p max PCI addresses ("0000:75:00.0").
 * @param max  room in @p bdfs.
 * @return how many were found (may exceed @p max: only @p max are
 *         written), or -errno if sysfs cannot be read.
 */
WD_EXPORT int wd_pci_bound_devices(char (*bdfs)[16], unsigned int max);

/**
 * Release every queue and device. Libraries built on wd_core release
 * what they hold first (lib/wd_comp releases its queue pairs and
 * devices). Queues the application still holds are stopped: their
 * handles stay valid, their data path finds nothing (wd_send -EBUSY,
 * wd_recv 0, wd_recv_sync -ETIMEDOUT once its timeout has been slept),
 * and wd_release_queue() frees them. EAL itself is left running.
 * Call it when no other thread is inside a call on a queue (as with
 * rte_eal_cleanup()): the drivers' queue state goes away under it.
 * Does nothing in a child process after fork().
 */
WD_EXPORT void wd_cleanup(void);

/* ------------------------------------------------------------------ */
/* Device specification strings                                        */
/* ------------------------------------------------------------------ */

/** Kind of device named by a device specification string. */
enum wd_spec_kind {
	WD_SPEC_PCI = 1,  /**< "0000:75:00.0" or "pci:0000:75:00.0" */
	WD_SPEC_MODEL,    /**< "model[:key=value,...]": software device model */
	WD_SPEC_SW,       /**< "sw": the software engine (lib/wd_comp) */
};

/** A parsed device specification string. */
struct wd_spec {
	enum wd_spec_kind kind;      /**< what the string names */
	char name[WD_NAME_MAX];      /**< PCI address, model name or "sw" */
	char args[256];              /**< "key=value,..." after ':', or "" */
};

/**
 * Parse a device specification string, used the same way by every app
 * and test: a PCI address (optionally prefixed "pci:"), "model" with
 * optional ":key=value,..." arguments, or "sw".
 *
 * @return 0, or -EINVAL for a malformed string (nothing is written then).
 */
WD_EXPORT int wd_spec_parse(const char *str, struct wd_spec *spec);

/* ------------------------------------------------------------------ */
/* Device registry                                                     */
/* ------------------------------------------------------------------ */

/** An accelerator device (opaque). */
struct wd_dev;

/** Device flags (wd_dev_info.flags). */
#define WD_DEV_F_PCI     (1u << 0) /**< reached through vfio-pci */
#define WD_DEV_F_MODEL   (1u << 1) /**< software device model */
#define WD_DEV_F_VF      (1u << 2) /**< SR-IOV virtual function */
#define WD_DEV_F_IRQ     (1u << 3) /**< completion interrupts available */
#define WD_DEV_F_IOVA_VA (1u << 4) /**< device addresses = virtual addresses */

/** Device attributes, in the spirit of the uacce sysfs attributes. */
struct wd_dev_info {
	unsigned int id;              /**< position in the registry (wd_dev_get());
				       *   shifts down when a device before it
				       *   is detached */
	char name[WD_NAME_MAX];       /**< e.g. "0000:75:00.0" or "model0" */
	char driver[32];              /**< driver name, e.g. "hisi_zip" */
	char api[32];                 /**< queue API level, e.g. "hisi_qm_v2" */
	char bus[16];                 /**< "pci" or "model" */
	uint32_t flags;               /**< WD_DEV_F_* */
	char algorithms[WD_ALGS_MAX]; /**< newline-separated, e.g. "zlib\ngzip" */
	uint16_t vendor_id;           /**< PCI vendor id */
	uint16_t device_id;           /**< PCI device id */
	uint8_t revision;             /**< PCI revision id */
	unsigned int queues_total;    /**< queues owned by this function */
	unsigned int queues_available;/**< queues not requested yet */
	unsigned int queue_depth_max; /**< deepest queue the driver supports */
	int numa_node;                /**< NUMA node of the device, or -1 */
	int numa_distance;            /**< distance from the calling thread's node */
};

/** @return the number of devices in the registry (probed and attached). */
WD_EXPORT unsigned int wd_dev_count(void);

/** @return device number @p id, or NULL if there is none. */
WD_EXPORT struct wd_dev *wd_dev_get(unsigned int id);

/** @return the device called @p name, or NULL. */
WD_EXPORT struct wd_dev *wd_dev_find(const char *name);

/**
 * Attach a device from a specification string and probe it.
 *
 * "model[:...]" creates a software device model; a PCI address probes that
 * function (it must be bound to vfio-pci and allowed by EAL's -a/-b).
 * Attaching a PCI device that wd_init() already probed returns it.
 * "sw" is not a wd_core device (-EINVAL): lib/wd_comp handles it.
 *
 * @param spec  device specification string.
 * @param[out] dev  the attached device.
 * @return 0, -EINVAL bad spec, -ENODEV no such device or no driver for
 *         it, -ENOSPC registry full, -EPERM after fork() or (PCI) in an EAL
 *         secondary process, -EIO (PCI) VFIO set-up failed or EAL's memory
 *         is not DMA-mapped for it, or the driver's probe error.
 */
WD_EXPORT int wd_dev_attach(const char *spec, struct wd_dev **dev);

/**
 * Detach a device: remove it from its driver and the registry.
 * @return 0, -EBUSY while queues are still requested or a library holds
 *         the device (lib/wd_comp, until wd_comp_dev_detach()), -EINVAL
 *         (NULL, or not attached: detached already), -EPERM after fork().
 */
WD_EXPORT int wd_dev_detach(struct wd_dev *dev);

/** Fill @p info with the device's attributes. @return 0 or -EINVAL. */
WD_EXPORT int wd_dev_info_get(const struct wd_dev *dev, struct wd_dev_info *info);

/** @return true if the device's algorithm list contains @p alg. */
WD_EXPORT bool wd_dev_has_alg(const struct wd_dev *dev, const char *alg);

/* ------------------------------------------------------------------ */
/* The WarpDrive queue API                                             */
/* ------------------------------------------------------------------ */

/**
 * A queue: a FIFO of requests to one accelerator (opaque). The data path
 * (wd_send*, wd_recv*, wd_flush) takes no lock: one thread at a time may
 * use a queue (give each thread a queue of its own).
 */
struct wd_queue;

/** Direction of the requests on a queue (fixed for its lifetime). */
enum wd_op_type {
	WD_OP_COMPRESS = 0,
	WD_OP_DECOMPRESS = 1,
};

/** Queue flags (wd_queue_attr.flags). */
/** Defer doorbells: wd_send() only writes requests; wd_flush() rings. */
#define WD_QUEUE_F_BATCH (1u << 0)
/** Let wd_recv_sync() sleep on the device's completion interrupt. */
#define WD_QUEUE_F_IRQ   (1u << 1)

/** What to ask for in wd_request_queue(). */
struct wd_queue_attr {
	const char *alg;       /**< algorithm, e.g. "zlib", "gzip", "deflate" */
	enum wd_op_type op;    /**< direction of the queue's requests */
	uint16_t depth;        /**< ring depth; 0 = driver default */
	int socket_id;         /**< NUMA socket for rings; WD_SOCKET_ANY */
	struct wd_dev *dev;    /**< device; NULL = nearest one offering alg */
	uint32_t flags;        /**< WD_QUEUE_F_* */
};

/**
 * Request a queue on an accelerator.
 *
 * @param[out] q  the new queue.
 * @param attr    algorithm, direction, depth, device.
 * @return 0, -EINVAL bad attributes (incl. a depth above the device's
 *         maximum or a socket outside -1..RTE_MAX_NUMA_NODES-1), -ENODEV no
 *         device offers the algorithm, -EBUSY every queue of the devices
 *         offering it is taken, -ENOMEM, -EPERM after fork(), -ETIMEDOUT
 *         the hardware did not answer, or a driver error (e.g. -ENOTSUP for
 *         an algorithm/direction pair the device lacks).
 */
WD_EXPORT int wd_request_queue(struct wd_queue **q, const struct wd_queue_attr *attr);

/**
 * Release a queue: stop it, drain the hardware and return it to the
 * device. Requests still in flight are abandoned (their buffers may be
 * freed afterwards: the hardware no longer touches them). The handle is
 * invalid afterwards: no other call may be made on it. Releasing it again
 * is -EINVAL only while its memory has not been reused: a queue requested
 * since may have the same address, and is then the one released.
 * @return 0, -EINVAL (NULL, or released already and not reused), -EPERM
 *         from a forked child.
 */
WD_EXPORT int wd_release_queue(struct wd_queue *q);

/**
 * Submit one request. The request format is the algorithm class's
 * message (struct wd_comp_msg for compression); the pointer is returned
 * unchanged by wd_recv() when the request completes. The request (not
 * only its buffers) belongs to the queue until then: keep it valid (not
 * on a stack frame that returns) until it comes back, or until
 * wd_release_queue() or wd_cleanup(), which still read the requests in
 * flight to end them.
 *
 * Rings the doorbell unless the queue has WD_QUEUE_F_BATCH.
 * No system call is made.
 *
 * A request the driver finds malformed is still accepted and completes
 * with an error status in the request (see the message header).
 *
 * @return 0, -EBUSY the queue is full (retry after wd_recv(); on a
 *         WD_QUEUE_F_BATCH queue after wd_flush() and wd_recv(): requests
 *         not flushed never complete) or was stopped by wd_cleanup(),
 *         -EINVAL NULL arguments, -EPERM called in a child process after
 *         fork() on the parent's queue.
 */
WD_EXPORT int wd_send(struct wd_queue *q, void *req);

/**
 * Submit up to @p n requests, with one doorbell for the burst.
 * Requests rejected as malformed are completed with an error status and
 * returned by wd_recv() like any other. A NULL request ends the burst:
 * the requests before it are submitted.
 * @return the number of requests accepted (0..n); fewer than n when the
 *         queue is full or at a NULL request (rte_errno = EINVAL). 0 with
 *         rte_errno = EPERM after fork().
 */
WD_EXPORT uint16_t wd_send_burst(struct wd_queue *q, void **reqs, uint16_t n);

/**
 * Poll for one completed request (no system call, no wait).
 * @param q  the queue.
 * @param[out] resp  the request pointer given to wd_send().
 * @return 1 one request completed, 0 none yet, -EPERM after fork(),
 *         -EINVAL.
 */
WD_EXPORT int wd_recv(struct wd_queue *q, void **resp);

/** Poll for up to @p n completed requests. @return how many (0..n). */
WD_EXPORT uint16_t wd_recv_burst(struct wd_queue *q, void **resps, uint16_t n);

/**
 * Wait for one completed request, at most @p timeout_ms milliseconds.
 * Polls briefly, then (with WD_QUEUE_F_IRQ and a device that delivers
 * completion interrupts) sleeps on the interrupt's eventfd.
 * @return 1, -ETIMEDOUT, -EPERM, -EINVAL.
 */
WD_EXPORT int wd_recv_sync(struct wd_queue *q, void **resp, uint32_t timeout_ms);

/**
 * Ring the doorbell for requests written by wd_send() on a
 * WD_QUEUE_F_BATCH queue. Harmless on other queues.
 * @return 0, -EPERM, -EINVAL.
 */
WD_EXPORT int wd_flush(struct wd_queue *q);

/** @return the device a queue belongs to; NULL for a queue released by wd_cleanup(). */
WD_EXPORT struct wd_dev *wd_queue_dev(const struct wd_queue *q);

/** @return how many requests are in flight on the queue. */
WD_EXPORT unsigned int wd_queue_inflight(const struct wd_queue *q);

/** @return the usable depth of the queue (requests that fit in flight). */
WD_EXPORT unsigned int wd_queue_capacity(const struct wd_queue *q);

/* ------------------------------------------------------------------ */
/* DMA memory                                                          */
/* ------------------------------------------------------------------ */

/**
 * Reserve @p size bytes of DMA memory for a queue: hugepage memory
 * (rte_malloc) on the queue's NUMA socket, mapped for the device (IOVA =
 * VA). Freed when the last queue sharing it is released.
 * Each call adds a new region; all of a queue's regions are usable by
 * the device through that queue. This is not isolation: the device can
 * reach all of EAL's memory, so a message whose length runs past its
 * region overwrites what follows it (doc/architecture.md, Memory).
 * @return the memory, or NULL with rte_errno set (ENOMEM, EINVAL, EPERM;
 *         ENODEV: the queue was released by wd_cleanup()).
 */
WD_EXPORT void *wd_reserve_memory(struct wd_queue *q, size_t size);

/**
 * Share @p q's reserved memory with @p target_q (possibly on another
 * device): the target's device gets the memory mapped too, and the memory
 * lives until both queues are released.
 * @return 0, -EINVAL (no reserved memory, or same queue), -EEXIST the
 *         target already has reserved memory of its own, -EPERM, -ENODEV
 *         (either queue was released by wd_cleanup()).
 */
WD_EXPORT int wd_share_reserved_memory(struct wd_queue *q, struct wd_queue *target_q);

/**
 * Allocate DMA-able memory not tied to a queue (hugepages, mapped to every
 * device). Release with wd_dma_free().
 * @return the memory or NULL (rte_errno set).
 */
WD_EXPORT void *wd_dma_zmalloc(size_t size, size_t align, int socket_id);

/** Free memory from wd_dma_zmalloc(). NULL is ignored. */
WD_EXPORT void wd_dma_free(void *ptr);

/**
 * Map application memory that is not hugepage memory (e.g. malloc'ed)
 * for DMA by every device, IOVA = VA. The range is rounded out to pages.
 * At most 256 ranges are mapped at a time (the most EAL's VFIO container
 * keeps; adjacent ranges still count one each).
 * @return 0, -EINVAL, -EEXIST (overlaps a range already mapped, or EAL's
 *         own memory, which every device has already), -ENOSPC (256
 *         ranges mapped already, or EAL's table is full),
 *         -ENOMEM, -EPERM after fork(), or the IOMMU's error (-EIO).
 */
WD_EXPORT int wd_dma_map(void *va, size_t len);

/**
 * Undo wd_dma_map().
 * @return 0, -EINVAL if the range was not mapped, -ENOSPC or -EIO if VFIO
 *         could not unmap it (it then stays mapped: retry later).
 */
WD_EXPORT int wd_dma_unmap(void *va, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* WD_H */
