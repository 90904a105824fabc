/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * IOMMU of the device model (internal to model/hisi_zip).
 *
 * A translation table from device addresses (IOVA) to process memory,
 * filled by the bus layer's DMA map/unmap (as VFIO_IOMMU_MAP_DMA fills the
 * SMMU). Every device access of the model goes through hzm_dma_*(): an
 * access that touches any unmapped byte copies nothing, is counted as a
 * fault and returns -EFAULT, as an SMMU translation fault would stop it.
 *
 * Concurrency: the device side brackets the accesses of one request (or of
 * one mailbox command, ring access, ...) with hzm_iommu_begin()/end();
 * map/unmap wait until no bracket is open (a writer-preferring rwlock).
 * Brackets nest on one thread. An access made outside any bracket takes
 * the bracket for its own duration, so it is always safe. map/unmap must
 * not be called by a thread that holds a bracket of the same IOMMU (it
 * would wait for itself).
 *
 * Lookups are a binary search over the sorted, non-overlapping mappings.
 * An access may span adjacent mappings (EAL maps hugepages segment by
 * segment), as long as every byte is mapped. Zero-length accesses never
 * fault, mapped address or not (the reference: a zero-length input still
 * carries an address, section 10.3).
 */
#ifndef HZM_IOMMU_H
#define HZM_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Translation table (opaque). */
struct hzm_iommu;

/** @return 0 or -ENOMEM; *mmu receives an empty table. */
int hzm_iommu_create(struct hzm_iommu **mmu);

/** Free the table (NULL is ignored). No bracket may be open. */
void hzm_iommu_destroy(struct hzm_iommu *mmu);

/**
 * Map [iova, iova + len) to process memory at @p va.
 * @return 0; -EINVAL (len 0, NULL va, address wrap); -EEXIST (overlaps an
 *   existing mapping); -ENOMEM.
 */
int hzm_iommu_map(struct hzm_iommu *mmu, uint64_t va, uint64_t iova, uint64_t len);

/**
 * Unmap [iova, iova + len): whole mappings or parts of them (a mapping
 * partly covered is trimmed or split in two).
 * @return 0; -ENOENT if no byte of the range was mapped; -EINVAL (len 0,
 *   wrap); -ENOMEM (a split needed memory; nothing was changed).
 */
int hzm_iommu_unmap(struct hzm_iommu *mmu, uint64_t iova, uint64_t len);

/** Open a bracket of device accesses (shared; map/unmap wait). */
void hzm_iommu_begin(struct hzm_iommu *mmu);

/** Close the bracket opened by hzm_iommu_begin() on this thread. */
void hzm_iommu_end(struct hzm_iommu *mmu);

/**
 * Device read of @p len bytes at @p iova into @p dst.
 * @return 0, or -EFAULT (some byte unmapped: nothing copied, fault counted).
 */
int hzm_dma_read(struct hzm_iommu *mmu, uint64_t iova, void *dst, uint64_t len);

/**
 * Device write of @p len bytes from @p src at @p iova.
 * @return 0, or -EFAULT (some byte unmapped: nothing written, fault counted).
 */
int hzm_dma_write(struct hzm_iommu *mmu, uint64_t iova, const void *src, uint64_t len);

/**
 * Direct pointer to [iova, iova + len) when the range lies in one mapping,
 * else NULL (then use hzm_dma_read/write, which also handle ranges across
 * adjacent mappings). NULL is not a fault. Valid while the bracket is held.
 * With @p len 0: the pointer if @p iova is mapped, else NULL.
 */
void *hzm_dma_ptr(struct hzm_iommu *mmu, uint64_t iova, uint64_t len);

/**
 * Check that every byte of [iova, iova + len) is mapped, as an access
 * would, without copying (used to validate a write before any byte of it
 * is written). On failure the fault is counted and @p fault_iova (if not
 * NULL) receives the first unmapped address.
 * @return 0 or -EFAULT.
 */
int hzm_dma_check(struct hzm_iommu *mmu, uint64_t iova, uint64_t len, uint64_t *fault_iova);

/** @return the number of faulting accesses since creation. */
uint64_t hzm_iommu_fault_count(const struct hzm_iommu *mmu);

/**
 * @return the IOVA of the last fault: the first unmapped byte of the
 * faulting access (0 when no fault happened yet).
 */
uint64_t hzm_iommu_last_fault(const struct hzm_iommu *mmu);

/** @return the bytes mapped (the sum of the mappings' lengths). */
uint64_t hzm_iommu_mapped_bytes(struct hzm_iommu *mmu);

/** @return the number of mappings (split/trimmed pieces count separately). */
unsigned int hzm_iommu_map_count(struct hzm_iommu *mmu);

#ifdef __cplusplus
}
#endif

#endif /* HZM_IOMMU_H */
