/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Driver and bus SDK of lib/wd_core (internal: not installed).
 *
 * Two audiences:
 *  - drivers (drivers/hisi_zip, the test-only edu driver) register a
 *    struct wd_driver, get their registers as struct wd_mmio, DMA memory,
 *    interrupts (eventfds), config space and function reset from the
 *    device, and implement the queue operations behind wd_send()/wd_recv();
 *  - bus backends that live outside lib/ (the software device model)
 *    register a struct wd_model_provider that creates emulated functions.
 *
 * lib/wd_core knows no vendor: drivers are matched by PCI vendor/device
 * id, on the PCI bus and on the model bus alike. A driver cannot tell a
 * model from silicon: the model only exists behind struct wd_bus_ops.
 */
#ifndef WD_DRV_H
#define WD_DRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_log.h>

#include "wd.h"
#include "wd_mmio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Device access for drivers                                           */
/* ------------------------------------------------------------------ */

/** Maximum number of BARs of a function. */
#define WD_MAX_BARS 6
/** Maximum number of interrupt vectors a driver may enable. */
#define WD_MAX_IRQS 8

/** @return the device's name ("0000:75:00.0", "model0"). */
const char *wd_dev_name(const struct wd_dev *dev);
/** @return PCI vendor id. */
uint16_t wd_dev_vendor_id(const struct wd_dev *dev);
/** @return PCI device id. */
uint16_t wd_dev_device_id(const struct wd_dev *dev);
/** @return PCI revision id. */
uint8_t wd_dev_revision(const struct wd_dev *dev);
/** @return NUMA node of the device (-1 unknown). */
int wd_dev_numa_node(const struct wd_dev *dev);

/**
 * Get BAR @p bar of the device (mapped on first use).
 * @return 0, -EINVAL no such BAR, -EIO mapping failed.
 */
int wd_dev_bar(struct wd_dev *dev, unsigned int bar, struct wd_mmio *mmio);

/** Read @p len bytes of PCI config space at @p off. @return 0 or -errno. */
int wd_dev_cfg_read(struct wd_dev *dev, unsigned int off, void *buf, unsigned int len);
/** Write PCI config space. @return 0 or -errno. */
int wd_dev_cfg_write(struct wd_dev *dev, unsigned int off, const void *buf, unsigned int len);
/** Set or clear the bus-master bit (gates DMA and MSI). @return 0 or -errno. */
int wd_dev_set_bus_master(struct wd_dev *dev, bool enable);

/**
 * Function-level reset (VFIO_DEVICE_RESET; the model returns to its
 * power-on state). Bus mastering is restored afterwards; the driver must
 * re-initialise the device. @return 0, -ENOTSUP, -EIO.
 */
int wd_dev_reset(struct wd_dev *dev);

/**
 * Enable @p nvec MSI vectors, each signalled on an eventfd returned in
 * @p efds (non-blocking, close-on-exec; owned by wd_core).
 * @return 0, -ENOTSUP no interrupts, -EINVAL, -errno.
 */
int wd_dev_irq_enable(struct wd_dev *dev, unsigned int nvec, int *efds);
/** Disable the device's interrupts and close the eventfds. */
void wd_dev_irq_disable(struct wd_dev *dev);

/**
 * Device arguments from the spec string ("queues=32,..."; for the model,
 * the same string the model was created from). Drivers read the keys
 * they know and ignore the others.
 */
const char *wd_dev_args(const struct wd_dev *dev);

/**
 * Read an unsigned device argument.
 * @return 0 (found, @p val set), -ENOENT (absent), -EINVAL (not a number).
 */
int wd_dev_arg_u32(const struct wd_dev *dev, const char *key, uint32_t *val);

/**
 * Keep a device from being detached while a library refers to it
 * (lib/wd_comp holds every device it wraps). wd_dev_detach() says -EBUSY
 * while holds remain. @return 0, -EINVAL.
 */
int wd_dev_hold(struct wd_dev *dev);
/** Drop a hold taken with wd_dev_hold(). */
void wd_dev_unhold(struct wd_dev *dev);

/** wd_core's fork generation: 0 in the process that set WarpDrive up. */
extern volatile uint32_t wd_fork_gen;

/**
 * @return true in a child process after fork(): queues, rings and DMA
 * memory are the parent's (shared hugepages) and must not be touched.
 * One load of a global, for libraries' fast paths (lib/wd_comp's bursts).
 */
static inline bool
wd_drv_forked(void)
{
	return wd_fork_gen != 0;
}

/**
 * Run @p fn at the start of wd_cleanup(), before queues and devices go
 * (libraries above wd_core release what they built). Hooks run in reverse
 * order of registration; registering the same function twice is a no-op.
 * @return 0, -ENOSPC.
 */
int wd_cleanup_hook_register(void (*fn)(void));

/** Driver-private data of a device. */
void wd_dev_set_priv(struct wd_dev *dev, void *priv);
void *wd_dev_priv(const struct wd_dev *dev);

/** Attributes a driver reports at probe (see struct wd_dev_info). */
struct wd_dev_attrs {
	const char *api;            /**< e.g. "hisi_qm_v2" */
	const char *algorithms;     /**< newline separated, e.g. "zlib\ngzip" */
	unsigned int queues_total;  /**< queues this function owns */
	unsigned int queue_depth_max;
	uint32_t flags;             /**< extra WD_DEV_F_* (e.g. WD_DEV_F_IRQ) */
};
/** Set the device's attributes (copied). @return 0 or -EINVAL. */
int wd_dev_set_attrs(struct wd_dev *dev, const struct wd_dev_attrs *attrs);

/**
 * @return the DMA address the device must use for @p va: IOVA = VA in
 * WarpDrive (wd_init() refuses any other IOVA mode). The memory must be
 * hugepage memory from EAL or mapped with wd_dma_map(); an IOMMU rejects
 * anything else.
 */
static inline uint64_t
wd_dma_iova(const void *va)
{
	return (uint64_t)(uintptr_t)va;
}

/* ------------------------------------------------------------------ */
/* Drivers                                                             */
/* ------------------------------------------------------------------ */

/** Queue operations of a driver (behind the WarpDrive queue API). */
struct wd_queue_ops {
	/** Bytes of driver-private data per queue (zeroed, cache aligned). */
	size_t priv_size;
	/**
	 * Create a queue on @p dev: allocate rings, program the hardware.
	 * @return 0 or a negative errno (-EBUSY no queue left, -ENOTSUP alg).
	 */
	int (*init)(struct wd_dev *dev, const struct wd_queue_attr *attr, void *qpriv);
	/** Stop, drain and free the queue. */
	void (*fini)(struct wd_dev *dev, void *qpriv);
	/**
	 * Write up to @p n requests; ring the doorbell once at the end if
	 * @p doorbell. @return how many were accepted.
	 */
	uint16_t (*send)(void *qpriv, void **reqs, uint16_t n, bool doorbell);
	/** Ring the doorbell for requests written without one. */
	void (*flush)(void *qpriv);
	/** Collect up to @p n completed requests. @return how many. */
	uint16_t (*recv)(void *qpriv, void **resps, uint16_t n);
	/**
	 * Optional: prepare to sleep. Re-arm completion events and return the
	 * eventfd to wait on (one of the device's, from wd_dev_irq_enable();
	 * queues may share it), or a negative errno if the queue cannot sleep.
	 */
	int (*irq_arm)(void *qpriv);
	/** @return requests in flight. */
	unsigned int (*inflight)(const void *qpriv);
	/** @return usable depth (requests that fit in flight). */
	unsigned int (*capacity)(const void *qpriv);
};

/** A PCI vendor/device id pair; tables end with {0, 0}. */
struct wd_pci_id {
	uint16_t vendor_id;
	uint16_t device_id;
};

/** A driver. */
struct wd_driver {
	const char *name;                 /**< e.g. "hisi_zip" */
	const struct wd_pci_id *id_table; /**< devices it drives */
	/** Initialise the device; set attributes with wd_dev_set_attrs(). */
	int (*probe)(struct wd_dev *dev);
	/** Undo probe. Called with no queue left. */
	void (*remove)(struct wd_dev *dev);
	const struct wd_queue_ops *qops;  /**< queue operations */
	/**
	 * Algorithm-class operations (e.g. struct wd_comp_drv_ops for
	 * "comp"), looked up by class name with wd_dev_class_ops().
	 */
	const char *class_name;
	const void *class_ops;
	/** Internal: registry link. */
	struct wd_driver *next;
};

/** Register a driver (from a constructor, see WD_DRIVER_REGISTER). */
void wd_driver_register(struct wd_driver *drv);

/** Register @p drv when the library is loaded. */
#define WD_DRIVER_REGISTER(drv) \
	RTE_INIT(wd_driver_register_##drv) { wd_driver_register(&(drv)); }

/** @return the driver of a device (NULL before probe). */
const struct wd_driver *wd_dev_driver(const struct wd_dev *dev);

/** @return the class ops of the device's driver if its class is @p cls. */
const void *wd_dev_class_ops(const struct wd_dev *dev, const char *cls);

/* ------------------------------------------------------------------ */
/* Bus backends (the model bus)                                        */
/* ------------------------------------------------------------------ */

/** What a bus backend provides for one function. @c ctx is its handle. */
struct wd_bus_ops {
	/** Describe BAR @p bar (an emulated BAR sets mmio->ops). */
	int (*bar_get)(void *ctx, unsigned int bar, struct wd_mmio *mmio);
	int (*cfg_read)(void *ctx, unsigned int off, void *buf, unsigned int len);
	int (*cfg_write)(void *ctx, unsigned int off, const void *buf, unsigned int len);
	/** Function-level reset. */
	int (*reset)(void *ctx);
	/** Enable MSI vectors; write one eventfd per vector into @p efds. */
	int (*irq_enable)(void *ctx, unsigned int nvec, int *efds);
	void (*irq_disable)(void *ctx);
	/** IOMMU: map [iova, iova+len) to process memory at @p va. */
	int (*dma_map)(void *ctx, uint64_t va, uint64_t iova, uint64_t len);
	int (*dma_unmap)(void *ctx, uint64_t iova, uint64_t len);
	/** Destroy the function (after the driver's remove). */
	void (*destroy)(void *ctx);
};

/** An emulated function created by a model provider. */
struct wd_model_desc {
	char name[WD_NAME_MAX];  /**< suggested device name; "" = "modelN" */
	uint16_t vendor_id;
	uint16_t device_id;
	uint8_t revision;
	int numa_node;
	const struct wd_bus_ops *ops;
	void *ctx;
};

/** A provider of emulated functions for "model[:key=value,...]" specs. */
struct wd_model_provider {
	const char *name;  /**< chosen with "model:type=<name>"; first = default */
	/**
	 * Create a function from the spec's "key=value,..." arguments (the
	 * provider ignores "type"). @return 0 or -errno (-EINVAL bad args).
	 */
	int (*create)(const char *args, struct wd_model_desc *desc);
	struct wd_model_provider *next;  /**< internal */
};

/** Register a model provider (from a constructor). */
void wd_model_provider_register(struct wd_model_provider *p);

#ifdef __cplusplus
}
#endif

#endif /* WD_DRV_H */
