/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ZIP engine: stream state.
 *
 * Context buffer (HW address = driver buffer + 64, reference section 12):
 *   +0x0000  64-byte state record (struct hzm_ctx_rec, model format)
 *   +0x0c00  history ring, 32 KiB: the last bytes of stream data
 *            (compression input / decompression output)
 *   the device never goes beyond HZM_CTX_USED (0x8c00) < 0x97c0.
 *
 *   +0x0400  decompression state (struct hzm_dstate: the resumable
 *            decoder of hzm_sinflate.c and the trailer collected so far)
 *
 * Compression needs nothing else: each request primes a fresh compressor
 * with the ring. Decompression resumes its decoder from the state and the
 * ring. Nothing of a stream stays in the device between requests, as on
 * silicon: streams survive a function reset and have no count limit.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_log.h>

#include "hzm_zip_priv.h"

/* ---- record and history ring ---- */

static void
rec_to_le(struct hzm_ctx_rec *r)
{
	r->magic = rte_cpu_to_le_32(r->magic);
	r->seq = rte_cpu_to_le_32(r->seq);
	r->id = rte_cpu_to_le_64(r->id);
	r->hist_pos = rte_cpu_to_le_32(r->hist_pos);
	r->hist_len = rte_cpu_to_le_32(r->hist_len);
	r->ctx_dw0 = rte_cpu_to_le_32(r->ctx_dw0);
	r->ctx_dw1 = rte_cpu_to_le_32(r->ctx_dw1);
	r->ctx_dw2 = rte_cpu_to_le_32(r->ctx_dw2);
	r->checksum = rte_cpu_to_le_32(r->checksum);
	r->isize = rte_cpu_to_le_32(r->isize);
}

unsigned int
hzm_ctx_load(struct hzm_iommu *mmu, uint64_t ctx, struct hzm_ctx_rec *rec, struct hzm_fault *f)
{
	uint64_t bad;

	if (hzm_dma_check(mmu, ctx + HZM_CTX_REC_OFF, sizeof(*rec), &bad) != 0) {
		f->hit = true;
		f->write = false;
		f->iova = bad;
		return HZM_ST_AXI_ERR;
	}
	hzm_dma_read(mmu, ctx + HZM_CTX_REC_OFF, rec, sizeof(*rec));
	rec_to_le(rec);  /* le -> cpu is the same swap */
	return HZM_ST_OK;
}

void
hzm_ctx_store(struct hzm_iommu *mmu, uint64_t ctx, const struct hzm_ctx_rec *rec)
{
	struct hzm_ctx_rec le = *rec;

	rec_to_le(&le);
	hzm_dma_write(mmu, ctx + HZM_CTX_REC_OFF, &le, sizeof(le));
}

void
hzm_hist_read(struct hzm_iommu *mmu, uint64_t ctx, const struct hzm_ctx_rec *rec, uint8_t *dst,
	      uint32_t n)
{
	uint64_t ring = ctx + HZM_CTX_HIST_OFF;
	uint32_t start, first;

	if (n > rec->hist_len)
		n = rec->hist_len;
	if (n == 0)
		return;
	start = (rec->hist_pos + HZM_CTX_HIST_SIZE - n) % HZM_CTX_HIST_SIZE;
	first = HZM_CTX_HIST_SIZE - start < n ? HZM_CTX_HIST_SIZE - start : n;
	hzm_dma_read(mmu, ring + start, dst, first);
	if (first < n)
		hzm_dma_read(mmu, ring, dst + first, n - first);
}

void
hzm_hist_append(struct hzm_iommu *mmu, uint64_t ctx, struct hzm_ctx_rec *rec, const uint8_t *p,
		uint64_t n)
{
	uint64_t ring = ctx + HZM_CTX_HIST_OFF;
	uint32_t k, first;

	if (n > HZM_CTX_HIST_SIZE) {
		p += n - HZM_CTX_HIST_SIZE;
		n = HZM_CTX_HIST_SIZE;
	}
	k = (uint32_t)n;
	if (k == 0)
		return;
	first = HZM_CTX_HIST_SIZE - rec->hist_pos < k ? HZM_CTX_HIST_SIZE - rec->hist_pos : k;
	hzm_dma_write(mmu, ring + rec->hist_pos, p, first);
	if (first < k)
		hzm_dma_write(mmu, ring, p + first, k - first);
	rec->hist_pos = (rec->hist_pos + k) % HZM_CTX_HIST_SIZE;
	rec->hist_len = rec->hist_len + k > HZM_CTX_HIST_SIZE ? HZM_CTX_HIST_SIZE :
								 rec->hist_len + k;
}

/* ---- decompression state ---- */

void
hzm_dstate_load(struct hzm_iommu *mmu, uint64_t ctx, struct hzm_dstate *ds)
{
	hzm_dma_read(mmu, ctx + HZM_CTX_DSTATE_OFF, ds, sizeof(*ds));
}

void
hzm_dstate_store(struct hzm_iommu *mmu, uint64_t ctx, const struct hzm_dstate *ds)
{
	hzm_dma_write(mmu, ctx + HZM_CTX_DSTATE_OFF, ds, sizeof(*ds));
}
