/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Register-faithful software model of the HiSilicon Kunpeng 920 ZIP
 * accelerator (QM hardware v2, PCI revision 0x21).
 *
 * The model is a PCI function: a PF (19e5:a250) or a VF (19e5:a251) with
 * config space, BAR2 registers (QM + ZIP engine; doorbells, mailbox), MSI
 * vectors delivered on eventfds, an IOMMU through which every device
 * memory access goes, and engine threads that execute ZIP SQEs (real
 * deflate with zlib, or stored blocks at memcpy speed). See doc/model.md.
 *
 * Drivers never call this API: they reach the model through lib/wd_core's
 * model bus exactly as they reach silicon through vfio-pci. The API is for
 * the bus glue (hzip_model_bus.c), conformance tests and tools.
 *
 * Device spec keys (wd_core "model:key=value,..."), all optional:
 *   vf=0|1            PF (default) or VF
 *   queues=N          VF: queues in its VFT (default 8); PF: ignored by
 *                     the model (a PF has 1024 queues; the driver chooses)
 *   engine=real|store real deflate (default) or stored blocks (memcpy)
 *   engines=N         engine threads (default 1)
 *   cpus=LIST         CPUs the engine threads run on, e.g. "1" or "0-1+3"
 *                     (',' separates keys, so lists use '+'); default: any.
 *                     Benchmarks pin the "device" away from the core whose
 *                     cycles they count.
 *   timing=0|1        timing model off (default) / on
 *   lat_us=U          timing: latency of an 8 KiB request at QD1 (15)
 *   gbps=G            timing: aggregate bandwidth cap in GB/s (7.2)
 *   numa=N            NUMA node reported (default 0)
 *   trace=PATH        log every MMIO access, mailbox command and doorbell
 *   fail=N            fail the next N requests with status fail_status
 *   fail_status=S     status for fail= (default 0x0e)
 *   drop=N            drop the next N completions (never completed)
 *   bad_phase=N       write the next N CQEs with the wrong phase
 *   ecc=1             raise an ECC multi-bit abnormal interrupt at the
 *                     next request; the engine stops until reset
 *   stall_ms=T        stall the engine for T ms at the next request
 *   fault_after=K     apply the faults above after K more requests
 *   stateless_end=S   status of a completed stateless decompression:
 *                     0x00 (default, as the kernel's acomp driver
 *                     requires) or 0x13; dw3 bit 8 is set with either
 *                     (stream mode always ends with 0x13)
 *   mem_init_us=U     MEM_START_INIT -> MEM_INIT_DONE time (default 20);
 *                     tests of a driver that does not wait lengthen it
 *   timeout_ms=N      read by the hisi_zip driver (its wait timeout);
 *                     accepted and ignored by the model
 */
#ifndef HZIP_MODEL_H
#define HZIP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A model instance (opaque). */
struct hzip_model;

/** Engine modes. */
enum hzip_model_engine {
	HZIP_MODEL_ENGINE_REAL = 0,  /**< deflate/inflate (ISA-L, or zlib without it) */
	HZIP_MODEL_ENGINE_STORE,     /**< compress to stored blocks (memcpy speed) */
};

/** Faults to inject. Counts are decremented as faults fire. */
struct hzip_model_faults {
	uint32_t fail_count;      /**< fail the next N requests ... */
	uint8_t fail_status;      /**< ... with this SQE status (0 = 0x0e) */
	uint32_t drop_count;      /**< drop the next N completions */
	uint32_t bad_phase_count; /**< next N CQEs get the wrong phase bit */
	bool ecc_multi_bit;       /**< abnormal interrupt (ECC 2-bit) + engine halt */
	uint32_t stall_ms;        /**< stall the engine once for this long */
	uint32_t after;           /**< arm the faults after this many requests */
};

/** Creation parameters. */
struct hzip_model_params {
	bool vf;                        /**< false: PF a250; true: VF a251 */
	uint16_t vf_queues;             /**< VF: queues in its VFT */
	enum hzip_model_engine engine;
	unsigned int engines;           /**< engine threads (>= 1) */
	uint64_t cpu_mask;              /**< CPUs 0..63 for engine threads; 0 = any */
	bool timing;                    /**< timing model on */
	double lat_us;                  /**< timing: 8 KiB request latency at QD1 */
	double gbps;                    /**< timing: aggregate bandwidth cap */
	int numa_node;
	char trace_path[256];           /**< "" = no trace */
	struct hzip_model_faults faults;
	/**
	 * Status (dw3[7:0]) of a stateless decompression that reached the
	 * end of its stream with a good trailer: 0x00 or 0x13, dw3 bit 8 set
	 * with either. Stream mode always ends with 0x13 + bit 8.
	 */
	uint8_t stateless_end;
	/** Time from MEM_START_INIT to MEM_INIT_DONE, in microseconds. */
	uint32_t mem_init_us;
};

/** Counters of a model instance. */
struct hzip_model_stats {
	uint64_t requests;        /**< SQEs executed */
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t doorbells;
	uint64_t mailbox_cmds;
	uint64_t iommu_faults;    /**< device accesses outside the mappings */
	uint64_t driver_errors;   /**< bad register writes, rand mismatches, ... */
	uint64_t faults_injected;
	uint64_t resets;
};

/** Fill @p p with the defaults (PF, real engine, 1 thread, no timing). */
void hzip_model_params_default(struct hzip_model_params *p);

/**
 * Parse "key=value,..." (keys above) into @p p (which the caller set to
 * defaults first). Unknown keys or bad values: -EINVAL, and @p err (if
 * not NULL, @p errlen bytes) names the culprit.
 */
int hzip_model_params_parse(const char *args, struct hzip_model_params *p, char *err,
			    size_t errlen);

/** Create a model instance (power-on state). @return 0 or -errno. */
int hzip_model_create(const struct hzip_model_params *p, struct hzip_model **m);

/** Stop the engine threads and free the instance. NULL is ignored. */
void hzip_model_destroy(struct hzip_model *m);

/** PCI identity. */
uint16_t hzip_model_vendor_id(const struct hzip_model *m);
uint16_t hzip_model_device_id(const struct hzip_model *m);
uint8_t hzip_model_revision(const struct hzip_model *m);

/** @return the size of BAR @p bar (0 if absent; only BAR2 exists on v2). */
uint64_t hzip_model_bar_size(const struct hzip_model *m, unsigned int bar);

/**
 * MMIO on BAR @p bar. Accesses are handled synchronously, in call order.
 * Reads of unknown offsets return 0; writes to unknown or read-only
 * registers are ignored and counted as driver errors (and traced).
 */
uint32_t hzip_model_read32(struct hzip_model *m, unsigned int bar, uint64_t off);
uint64_t hzip_model_read64(struct hzip_model *m, unsigned int bar, uint64_t off);
void hzip_model_read128(struct hzip_model *m, unsigned int bar, uint64_t off, uint64_t *lo,
			uint64_t *hi);
void hzip_model_write32(struct hzip_model *m, unsigned int bar, uint64_t off, uint32_t v);
void hzip_model_write64(struct hzip_model *m, unsigned int bar, uint64_t off, uint64_t v);
void hzip_model_write128(struct hzip_model *m, unsigned int bar, uint64_t off, uint64_t lo,
			 uint64_t hi);

/** PCI config space (256 bytes; command register bit 2 = bus master). */
int hzip_model_cfg_read(struct hzip_model *m, unsigned int off, void *buf, unsigned int len);
int hzip_model_cfg_write(struct hzip_model *m, unsigned int off, const void *buf,
			 unsigned int len);

/**
 * IOMMU: map device addresses [iova, iova + len) to process memory at
 * @p va. Mappings must not overlap. @return 0, -EINVAL, -EEXIST, -ENOMEM.
 */
int hzip_model_dma_map(struct hzip_model *m, uint64_t va, uint64_t iova, uint64_t len);
/**
 * Remove [iova, iova + len): whole mappings or parts of them (a mapping
 * that is partly covered is split, as EAL frees hugepages one at a time).
 * @return 0, or -ENOENT if no byte of the range was mapped.
 */
int hzip_model_dma_unmap(struct hzip_model *m, uint64_t iova, uint64_t len);

/**
 * Enable @p nvec MSI vectors (PF v2: 4 = EQ, AEQ, PF-VF, abnormal; VF: 2):
 * the model creates one eventfd per vector and returns them in @p efds
 * (owned by the model until hzip_model_irq_disable()).
 * @return 0, -EINVAL (nvec too large), -errno.
 */
int hzip_model_irq_enable(struct hzip_model *m, unsigned int nvec, int *efds);
void hzip_model_irq_disable(struct hzip_model *m);

/** Function-level reset: back to the power-on state (mappings are kept). */
int hzip_model_reset(struct hzip_model *m);

/** Inject faults now (replaces pending ones). */
void hzip_model_inject(struct hzip_model *m, const struct hzip_model_faults *f);

/** Read the counters. */
void hzip_model_stats_get(const struct hzip_model *m, struct hzip_model_stats *s);

#ifdef __cplusplus
}
#endif

#endif /* HZIP_MODEL_H */
