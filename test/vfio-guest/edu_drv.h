/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A test-only wd_core driver for QEMU's "edu" device (1234:11e8).
 *
 * It exists to exercise lib/wd_core's vfio-pci backend on a real kernel
 * (see doc/vfio-guest.md); it is not installed or shipped. It registers
 * with WD_DRIVER_REGISTER like drivers/hisi_zip and offers one queue
 * (algorithm "edu", depth 1: the device has one DMA engine and one
 * factorial unit) whose requests are struct edu_req.
 */
#ifndef EDU_DRV_H
#define EDU_DRV_H

#include <stdint.h>

struct wd_dev;

/** Name of the driver (wd_dev_info.driver). */
#define EDU_DRV_NAME "edu_test"
/** Algorithm offered by the device. */
#define EDU_DRV_ALG "edu"
/** Queue API level (wd_dev_info.api). */
#define EDU_DRV_API "edu_v1"

/** What a request asks of the device. */
enum edu_req_op {
	EDU_REQ_DMA_TO_DEV = 1, /**< @c len bytes at @c buf -> device buffer + @c dev_off */
	EDU_REQ_DMA_FROM_DEV,   /**< device buffer + @c dev_off -> @c len bytes at @c buf */
	EDU_REQ_FACT,           /**< @c fact_out = @c fact_in! (32-bit, wraps) */
};

/**
 * A request on an edu queue (passed to wd_send(), returned by wd_recv()).
 * DMA buffers must be DMA-mapped memory (wd_dma_zmalloc(), rte_malloc,
 * or wd_dma_map()ed); the driver passes wd_dma_iova(buf) to the device.
 */
struct edu_req {
	enum edu_req_op op;
	void *buf;          /**< DMA: process memory */
	uint32_t len;       /**< DMA: bytes; @c dev_off + @c len <= EDU_DMA_LEN_MAX */
	uint32_t dev_off;   /**< DMA: offset in the device's 4 KiB buffer */
	uint32_t fact_in;   /**< FACT: n */
	uint32_t fact_out;  /**< FACT: n! once completed */
	int status;         /**< at completion: 0, or -EINVAL for a malformed request */
};

/** Driver statistics of one device, for the test's assertions. */
struct edu_drv_stats {
	unsigned int probes;      /**< probe calls that succeeded (all devices) */
	unsigned int removes;     /**< remove calls (all devices) */
	unsigned int irq_arms;    /**< irq_arm calls on this device's queues */
	uint32_t irq_causes;      /**< EDU_IRQ_* bits acknowledged by completions (ORed) */
	int irq_fd;               /**< MSI eventfd of the device, or -1 */
};

/**
 * Statistics of @p dev (which must be an edu device probed by this
 * driver; NULL gives only the global probe/remove counts).
 */
void edu_drv_stats_get(const struct wd_dev *dev, struct edu_drv_stats *st);

#endif /* EDU_DRV_H */
