/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ZIP engine: buffers. Flat buffers and hardware SGL chains (reference
 * section 13) become lists of IOVA ranges; input is read through the IOMMU
 * (directly when it lies in one mapping), output is validated before any
 * byte is written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_log.h>

#include "hzm_zip_priv.h"

/*
 * Upper bound on SGL entries visited by one walk (zero-length entries and
 * skipped ones included): a cyclic or absurd chain ends as a malformed SGL
 * instead of spinning. 8 MiB in 128-byte entries is 65536 entries.
 */
#define HZM_SGL_MAX_WALK 65536u

static int
segv_push(struct hzm_segv *sv, uint64_t iova, uint64_t len)
{
	if (len == 0)
		return 0;
	if (sv->n > 0 && sv->v[sv->n - 1].iova + sv->v[sv->n - 1].len == iova &&
	    iova != 0) {
		sv->v[sv->n - 1].len += len;  /* contiguous with the previous range */
		sv->total += len;
		return 0;
	}
	if (sv->n == sv->cap) {
		unsigned int cap = sv->cap ? sv->cap * 2 : 16;
		struct hzm_seg *v = realloc(sv->v, (size_t)cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = (struct hzm_seg){ .iova = iova, .len = len };
	sv->total += len;
	return 0;
}

int
hzm_segv_flat(struct hzm_segv *sv, uint64_t iova, uint64_t len)
{
	sv->n = 0;
	sv->total = 0;
	if (len == 0)
		return 0;
	if (sv->cap == 0) {
		sv->v = malloc(16 * sizeof(*sv->v));
		if (sv->v == NULL)
			return -ENOMEM;
		sv->cap = 16;
	}
	sv->v[0] = (struct hzm_seg){ .iova = iova, .len = len };
	sv->n = 1;
	sv->total = len;
	return 0;
}

static unsigned int
dma_fetch(struct hzm_iommu *mmu, uint64_t iova, void *dst, uint64_t len, struct hzm_fault *f)
{
	uint64_t bad;

	if (hzm_dma_check(mmu, iova, len, &bad) != 0) {
		f->hit = true;
		f->write = false;
		f->iova = bad;
		return HZM_ST_AXI_ERR;
	}
	hzm_dma_read(mmu, iova, dst, len);
	return HZM_ST_OK;
}

unsigned int
hzm_sgl_walk(struct hzm_iommu *mmu, uint64_t sgl, uint64_t skip, uint64_t want, bool exact,
	     struct hzm_segv *sv, struct hzm_fault *f)
{
	uint64_t hdr_iova = sgl, mapped = hzm_iommu_mapped_bytes(mmu);
	unsigned int walked = 0, st;

	sv->n = 0;
	sv->total = 0;
	/*
	 * A list of more bytes than the IOMMU maps describes some memory twice
	 * (a cycle, or entries over one buffer) or unmapped memory: no driver
	 * builds one, and the engine, which gathers a buffer before it runs,
	 * would need that much scratch (4 GiB from one 64 KiB buffer). Such a
	 * source is malformed; a destination's capacity ends there.
	 */
	if (want > mapped) {
		if (exact) {
			HZM_LOG(DEBUG, "SGL of %" PRIu64 " bytes, %" PRIu64 " mapped", want,
				mapped);
			return HZM_ST_SGL_ERR;
		}
		want = mapped;
	}
	while (sv->total < want) {
		struct hzm_sgl_hdr hdr;
		unsigned int nent;

		if (hdr_iova == 0) {
			if (!exact)
				return HZM_ST_OK;  /* output capacity ends with the chain */
			HZM_LOG(DEBUG, "SGL chain ends %" PRIu64 " bytes short",
				want - sv->total);
			return HZM_ST_SGL_ERR;
		}
		if (hdr_iova % HZM_SGL_HDR_ALIGN != 0) {
			HZM_LOG(DEBUG, "SGL header 0x%" PRIx64 " not 64-byte aligned", hdr_iova);
			return HZM_ST_SGL_ERR;
		}
		/* the header's first 16 bytes: next, entry_sum_in_chain/in_sgl/length */
		st = dma_fetch(mmu, hdr_iova, &hdr, 16, f);
		if (st != HZM_ST_OK)
			return st;
		nent = rte_le_to_cpu_16(hdr.entry_sum_in_sgl);
		if (nent > HZM_SGL_MAX_ENTRIES) {
			HZM_LOG(DEBUG, "SGL 0x%" PRIx64 ": %u valid entries", hdr_iova, nent);
			return HZM_ST_SGL_ERR;
		}
		/*
		 * An SGL of no entries holds no bytes: its next is followed (UADK
		 * chains one at the end of a list whose last node is empty). It
		 * counts as a step of the walk, so that a cycle of them ends.
		 */
		if (nent == 0 && ++walked > HZM_SGL_MAX_WALK) {
			HZM_LOG(DEBUG, "SGL chain longer than %u entries", HZM_SGL_MAX_WALK);
			return HZM_ST_SGL_ERR;
		}
		for (unsigned int i = 0; i < nent && sv->total < want; i++) {
			struct hzm_sgl_entry e;
			uint64_t addr, len, take;

			if (++walked > HZM_SGL_MAX_WALK) {
				HZM_LOG(DEBUG, "SGL chain longer than %u entries",
					HZM_SGL_MAX_WALK);
				return HZM_ST_SGL_ERR;
			}
			st = dma_fetch(mmu, hdr_iova + HZM_SGL_HDR_SIZE +
					       (uint64_t)i * HZM_SGL_ENTRY_SIZE, &e, sizeof(e), f);
			if (st != HZM_ST_OK)
				return st;
			addr = rte_le_to_cpu_64(e.buf);
			len = rte_le_to_cpu_32(e.len);
			if (skip > 0) {
				if (len <= skip) {
					skip -= len;
					continue;
				}
				addr += skip;
				len -= skip;
				skip = 0;
			}
			take = len < want - sv->total ? len : want - sv->total;
			if (segv_push(sv, addr, take) != 0)
				return HZM_ST_INTERNAL;
		}
		hdr_iova = rte_le_to_cpu_64(hdr.next);
	}
	return HZM_ST_OK;
}

static int
grow(uint8_t **buf, uint64_t *cap, uint64_t need)
{
	uint64_t n = *cap ? *cap : 65536;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = malloc(n);
	if (p == NULL)
		return -ENOMEM;
	free(*buf);
	*buf = p;
	*cap = n;
	return 0;
}

unsigned int
hzm_in_get(struct hzm_iommu *mmu, struct hzm_worker *w, const struct hzm_segv *sv, uint64_t len,
	   const uint8_t **p, struct hzm_fault *f)
{
	static const uint8_t empty[1];
	uint64_t done = 0;

	if (len == 0) {
		*p = empty;  /* zero-length input: the address is not accessed */
		return HZM_ST_OK;
	}
	if (sv->n == 1) {
		const uint8_t *d = hzm_dma_ptr(mmu, sv->v[0].iova, len);

		if (d != NULL) {
			*p = d;
			return HZM_ST_OK;
		}
	}
	if (grow(&w->in_buf, &w->in_cap, len) != 0)
		return HZM_ST_INTERNAL;
	for (unsigned int i = 0; i < sv->n && done < len; i++) {
		uint64_t take = sv->v[i].len < len - done ? sv->v[i].len : len - done;
		unsigned int st = dma_fetch(mmu, sv->v[i].iova, w->in_buf + done, take, f);

		if (st != HZM_ST_OK)
			return st;
		done += take;
	}
	*p = w->in_buf;
	return HZM_ST_OK;
}

uint8_t *
hzm_out_get(struct hzm_iommu *mmu, struct hzm_worker *w, const struct hzm_segv *sv, bool *direct)
{
	*direct = false;
	if (sv->n == 1) {
		uint8_t *d = hzm_dma_ptr(mmu, sv->v[0].iova, sv->v[0].len);

		if (d != NULL) {
			*direct = true;
			return d;
		}
	}
	return hzm_out_get_bounce(w, sv, direct);
}

uint8_t *
hzm_out_get_bounce(struct hzm_worker *w, const struct hzm_segv *sv, bool *direct)
{
	*direct = false;
	if (grow(&w->out_buf, &w->out_cap, sv->total > 0 ? sv->total : 1) != 0)
		return NULL;
	return w->out_buf;
}

unsigned int
hzm_out_put(struct hzm_iommu *mmu, const struct hzm_segv *sv, const uint8_t *buf, uint64_t n,
	    struct hzm_fault *f)
{
	uint64_t done = 0, bad;

	for (unsigned int i = 0; i < sv->n && done < n; i++) {
		uint64_t take = sv->v[i].len < n - done ? sv->v[i].len : n - done;

		if (hzm_dma_check(mmu, sv->v[i].iova, take, &bad) != 0) {
			f->hit = true;
			f->write = true;
			f->iova = bad;
			return HZM_ST_AXI_ERR;
		}
		done += take;
	}
	done = 0;
	for (unsigned int i = 0; i < sv->n && done < n; i++) {
		uint64_t take = sv->v[i].len < n - done ? sv->v[i].len : n - done;

		hzm_dma_write(mmu, sv->v[i].iova, buf + done, take);
		done += take;
	}
	return HZM_ST_OK;
}
