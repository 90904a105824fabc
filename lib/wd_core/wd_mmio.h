/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * MMIO accessors for drivers (internal driver SDK of lib/wd_core).
 *
 * One abstraction for every bus. A BAR is either mapped into the process
 * (vfio-pci: @c base is the mmap()ed BAR and an access is a plain load or
 * store) or emulated (the software device model: @c ops is set and every
 * access is a call into the model, in program order, so that no doorbell
 * is lost: on QM v2 all queues share one doorbell register).
 *
 * Ordering follows Linux's readl()/writel():
 *  - wd_mmio_writeN() orders all earlier normal-memory stores (e.g. an SQE
 *    in a ring) before the MMIO store (rte_io_wmb(): dmb oshst on arm64);
 *  - wd_mmio_readN() orders the MMIO load before later normal-memory loads
 *    (rte_io_rmb());
 *  - the _relaxed variants add no barrier.
 * Drivers never dereference BAR pointers themselves.
 */
#ifndef WD_MMIO_H
#define WD_MMIO_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_io.h>
#include <rte_atomic.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Accessors of an emulated BAR. Offsets are relative to the BAR. */
struct wd_mmio_ops {
	uint32_t (*read32)(void *ctx, uint64_t off);
	uint64_t (*read64)(void *ctx, uint64_t off);
	void (*read128)(void *ctx, uint64_t off, uint64_t *lo, uint64_t *hi);
	void (*write32)(void *ctx, uint64_t off, uint32_t val);
	void (*write64)(void *ctx, uint64_t off, uint64_t val);
	/** One 16-byte store: @p lo at @p off, @p hi at @p off + 8. */
	void (*write128)(void *ctx, uint64_t off, uint64_t lo, uint64_t hi);
};

/** One BAR of a device. */
struct wd_mmio {
	volatile uint8_t *base;         /**< mapped BAR, or NULL if emulated */
	uint64_t len;                   /**< BAR size in bytes */
	const struct wd_mmio_ops *ops;  /**< non-NULL: emulated BAR */
	void *ctx;                      /**< first argument of @c ops */
};

static inline uint32_t
wd_mmio_read32_relaxed(const struct wd_mmio *m, uint64_t off)
{
	if (likely(m->ops == NULL))
		return rte_read32_relaxed(m->base + off);
	return m->ops->read32(m->ctx, off);
}

static inline uint64_t
wd_mmio_read64_relaxed(const struct wd_mmio *m, uint64_t off)
{
	if (likely(m->ops == NULL))
		return rte_read64_relaxed(m->base + off);
	return m->ops->read64(m->ctx, off);
}

static inline void
wd_mmio_write32_relaxed(const struct wd_mmio *m, uint64_t off, uint32_t v)
{
	if (likely(m->ops == NULL))
		rte_write32_relaxed(v, m->base + off);
	else
		m->ops->write32(m->ctx, off, v);
}

static inline void
wd_mmio_write64_relaxed(const struct wd_mmio *m, uint64_t off, uint64_t v)
{
	if (likely(m->ops == NULL))
		rte_write64_relaxed(v, m->base + off);
	else
		m->ops->write64(m->ctx, off, v);
}

static inline uint32_t
wd_mmio_read32(const struct wd_mmio *m, uint64_t off)
{
	uint32_t v = wd_mmio_read32_relaxed(m, off);

	rte_io_rmb();
	return v;
}

static inline uint64_t
wd_mmio_read64(const struct wd_mmio *m, uint64_t off)
{
	uint64_t v = wd_mmio_read64_relaxed(m, off);

	rte_io_rmb();
	return v;
}

static inline void
wd_mmio_write32(const struct wd_mmio *m, uint64_t off, uint32_t v)
{
	rte_io_wmb();
	wd_mmio_write32_relaxed(m, off, v);
}

static inline void
wd_mmio_write64(const struct wd_mmio *m, uint64_t off, uint64_t v)
{
	rte_io_wmb();
	wd_mmio_write64_relaxed(m, off, v);
}

/**
 * One 128-bit store (the QM mailbox needs its 16 bytes written at once).
 * arm64: a single stp of two registers; x86-64: one SSE store; elsewhere
 * two 64-bit stores (low half first).
 */
static inline void
wd_mmio_write128(const struct wd_mmio *m, uint64_t off, uint64_t lo, uint64_t hi)
{
	rte_io_wmb();
	if (unlikely(m->ops != NULL)) {
		m->ops->write128(m->ctx, off, lo, hi);
		return;
	}
#if defined(__aarch64__)
	asm volatile("stp %x0, %x1, [%2]"
		     : : "r"(lo), "r"(hi), "r"(m->base + off) : "memory");
#elif defined(__x86_64__)
	_mm_store_si128((__m128i *)(uintptr_t)(m->base + off),
			_mm_set_epi64x((long long)hi, (long long)lo));
#else
	rte_write64_relaxed(lo, m->base + off);
	rte_write64_relaxed(hi, m->base + off + 8);
#endif
	rte_io_wmb();
}

/** One 128-bit load (arm64 ldp, x86-64 SSE load). */
static inline void
wd_mmio_read128(const struct wd_mmio *m, uint64_t off, uint64_t *lo, uint64_t *hi)
{
	if (unlikely(m->ops != NULL)) {
		m->ops->read128(m->ctx, off, lo, hi);
	} else {
#if defined(__aarch64__)
		uint64_t a, b;

		asm volatile("ldp %x0, %x1, [%2]"
			     : "=&r"(a), "=&r"(b) : "r"(m->base + off) : "memory");
		*lo = a;
		*hi = b;
#elif defined(__x86_64__)
		__m128i v = _mm_load_si128((const __m128i *)(uintptr_t)(m->base + off));

		*lo = (uint64_t)_mm_cvtsi128_si64(v);
		*hi = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
#else
		*lo = rte_read64_relaxed(m->base + off);
		*hi = rte_read64_relaxed(m->base + off + 8);
#endif
	}
	rte_io_rmb();
}

#ifdef __cplusplus
}
#endif

#endif /* WD_MMIO_H */
