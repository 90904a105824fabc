/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internal definitions of lib/wd_core (not installed).
 */
#ifndef WD_CORE_PRIVATE_H
#define WD_CORE_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_log.h>

#include "wd.h"
#include "wd_drv.h"

extern int wd_core_logtype;

#define WD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, wd_core_logtype, "wd.core: " fmt "\n", ##__VA_ARGS__)

/** Control-path lock: registry, attach/detach, queue requests. */
extern pthread_mutex_t wd_core_lock;

/** Bus a device sits on. */
enum wd_bus_kind {
	WD_BUS_PCI = 1,
	WD_BUS_MODEL,
};

/*
 * Sleepers on one interrupt vector (wd_irq_wait.c): one reads the eventfd,
 * the others wait for the generation it advances.
 */
struct wd_irq_wait {
	uint32_t gen;       /* events read, and hand-overs (a futex word) */
	uint32_t reader;    /* 1 while a sleeper waits on the eventfd */
	uint32_t waiters;   /* sleepers waiting on gen, or about to */
};

struct wd_dev {
	unsigned int id;
	char name[WD_NAME_MAX];
	enum wd_bus_kind bus;
	const struct wd_bus_ops *bops;
	void *bctx;
	char args[256];              /* device arguments ("queues=32,...") */
	uint16_t vendor_id;
	uint16_t device_id;
	uint8_t revision;
	int numa_node;
	bool bar_valid[WD_MAX_BARS];
	struct wd_mmio bars[WD_MAX_BARS];
	const struct wd_driver *drv;
	void *drv_priv;
	/* attributes from the driver */
	char api[32];
	char algorithms[WD_ALGS_MAX];
	unsigned int queues_total;
	unsigned int queue_depth_max;
	uint32_t flags;
	unsigned int queues_in_use;
	unsigned int holds;          /* wd_dev_hold() references (lib/wd_comp) */
	unsigned int irq_nvec;
	int irq_efds[WD_MAX_IRQS];   /* their sleepers: wd_irq_waits[id] */
	bool probed;
};

/** A queue (see wd.h). The fast-path fields come first. */
struct wd_queue {
	uint16_t (*send)(void *qpriv, void **reqs, uint16_t n, bool doorbell);
	uint16_t (*recv)(void *qpriv, void **resps, uint16_t n);
	void *priv;
	uint32_t gen;           /* wd_fork_gen when created */
	uint32_t flags;         /* WD_QUEUE_F_* */
	struct wd_dev *dev;
	const struct wd_queue_ops *ops;
	struct wd_queue_attr attr;
	char alg[16];
	struct wd_mem_ref *mem; /* reserved memory (shared, refcounted) */
	bool dead;              /* released by wd_cleanup(): only wd_release_queue() */
	struct wd_queue *next;  /* all live queues (wd_cleanup) */
};

/* wd_dev.c */
struct wd_dev *wd_dev_alloc(enum wd_bus_kind bus, const char *name);
/** Is @p dev in the registry (pointer comparison: never reads @p dev)? */
bool wd_dev_registered(const struct wd_dev *dev);
/** Allocate a registry entry for a bus function described by @p d. */
struct wd_dev *wd_dev_new(enum wd_bus_kind bus, const struct wd_model_desc *d,
			  const char *args);
/** Common end of an attach: bus mastering on, probe; frees @p dev on failure. */
int wd_dev_bringup(struct wd_dev *dev, struct wd_dev **devp);
void wd_dev_free(struct wd_dev *dev);
int wd_dev_probe(struct wd_dev *dev);
void wd_dev_remove(struct wd_dev *dev);
const struct wd_driver *wd_driver_match(uint16_t vendor, uint16_t device);
int wd_dev_distance(const struct wd_dev *dev, int node);
void wd_dev_remove_all(void);
extern struct wd_dev *wd_devs[WD_MAX_DEVS];

/* wd_bus_pci.c */
int wd_pci_scan(void);
int wd_pci_attach(const char *bdf, const char *args, struct wd_dev **dev);
int wd_pci_dma_map(uint64_t va, uint64_t len);
int wd_pci_dma_unmap(uint64_t va, uint64_t len);
bool wd_pci_bdf_valid(const char *s);

/* wd_bus_model.c */
int wd_model_attach(const char *args, struct wd_dev **dev);
int wd_model_map_memory(struct wd_dev *dev);

/* wd_mem.c */
struct wd_mem_ref;
void wd_mem_ref_put(struct wd_mem_ref *ref);
int wd_mem_apply_user_maps(struct wd_dev *dev);
void wd_mem_unmap_user_maps_pci(void);
int wd_mem_register_events(void);

/* wd_irq_wait.c */
/**
 * Wait state of every device slot's vectors: static, so that a thread
 * still asleep when its device is freed (wd_cleanup() from another thread)
 * writes nothing freed.
 */
extern struct wd_irq_wait wd_irq_waits[WD_MAX_DEVS][WD_MAX_IRQS];
/** wd_recv_sync()'s sleep slice in ms (a variable for the tests). */
extern int wd_sync_slice_ms;
/** The generation to note before a last look at the queue. */
uint32_t wd_irq_wait_gen(const struct wd_irq_wait *w);
/**
 * Sleep on vector @p w (eventfd @p fd) until its generation is no longer
 * @p gen, at most @p timeout_ms (>= 0; a negative one counts as 0).
 * @return 1 it moved (look at the queue again), 0 timeout, -errno the
 *         eventfd is unusable.
 */
int wd_irq_wait(struct wd_irq_wait *w, int fd, uint32_t gen, int timeout_ms);
/** @p ms (>= 0) as a relative timespec. */
struct timespec wd_ms_timespec(int ms);

/* wd_queue.c */
void wd_queue_release_all(void);

/* wd_core.c */
int wd_iova_check(int iova_mode);
bool wd_is_initialised(void);

#endif /* WD_CORE_PRIVATE_H */
