/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hardware SGLs for rte_mbuf chains (reference section 13), from a
 * per-queue pool of fixed-size SGLs in DMA memory. A chain longer than one
 * SGL takes several, linked through the header's next address. No data
 * is copied: entries point at the segments (rte_pktmbuf_iova).
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "hisi_zip.h"

_Static_assert(HZIP_SGL_SIZE % 64 == 0, "SGLs must stay 64-byte aligned in the pool");
_Static_assert(HZIP_SGL_ENTRIES <= HZIP_SGL_ENTRIES_MAX, "at most 255 entries per SGL");

int
hzip_sgl_pool_init(struct hzip_sgl_pool *p, uint32_t nblocks, int socket)
{
	memset(p, 0, sizeof(*p));
	if (nblocks == 0 || nblocks >= HZIP_SGL_NONE)
		return -EINVAL;
	p->mem = wd_dma_zmalloc((size_t)nblocks * HZIP_SGL_SIZE, 4096, socket);
	if (p->mem == NULL && socket != WD_SOCKET_ANY)
		p->mem = wd_dma_zmalloc((size_t)nblocks * HZIP_SGL_SIZE, 4096, WD_SOCKET_ANY);
	p->free = rte_malloc_socket("hzip_sgl_free", nblocks * sizeof(uint16_t), 0, socket);
	p->next = rte_malloc_socket("hzip_sgl_next", nblocks * sizeof(uint16_t), 0, socket);
	if (p->mem == NULL || p->free == NULL || p->next == NULL) {
		hzip_sgl_pool_fini(p);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < nblocks; i++) {
		p->free[i] = (uint16_t)(nblocks - 1 - i);
		p->next[i] = HZIP_SGL_NONE;
	}
	p->nfree = nblocks;
	p->nblocks = nblocks;
	return 0;
}

void
hzip_sgl_pool_fini(struct hzip_sgl_pool *p)
{
	wd_dma_free(p->mem);
	rte_free(p->free);
	rte_free(p->next);
	memset(p, 0, sizeof(*p));
}

static inline struct hzip_sgl_hdr *
sgl_block(const struct hzip_sgl_pool *p, uint16_t idx)
{
	return (struct hzip_sgl_hdr *)(p->mem + (size_t)idx * HZIP_SGL_SIZE);
}

void
hzip_sgl_prefetch(const struct hzip_sgl_pool *p, unsigned int n)
{
	/* the blocks the next n builds take first: header and the first 4 entries */
	for (unsigned int k = 0; k < n && k < p->nfree; k++) {
		const uint8_t *b = (const uint8_t *)sgl_block(p, p->free[p->nfree - 1 - k]);

		rte_prefetch0_write(b);
		rte_prefetch0_write(b + 64);
		rte_prefetch0_write(b + 128);
	}
}

uint64_t
hzip_sgl_iova(const struct hzip_sgl_pool *p, uint16_t idx)
{
	return wd_dma_iova(sgl_block(p, idx));
}

void
hzip_sgl_free(struct hzip_sgl_pool *p, uint16_t first)
{
	while (first != HZIP_SGL_NONE) {
		uint16_t nxt = p->next[first];

		p->next[first] = HZIP_SGL_NONE;
		p->free[p->nfree++] = first;
		first = nxt;
	}
}

/* Find the segment holding byte @p off of the chain; *in_seg gets the offset in it. */
static const struct rte_mbuf *
mbuf_seek(const struct rte_mbuf *m, uint32_t off, uint32_t *in_seg)
{
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	*in_seg = off;
	return m;
}

uint16_t
hzip_sgl_build(struct hzip_sgl_pool *p, struct rte_mbuf *m, uint32_t off, uint32_t len,
	       int *err)
{
	const struct rte_mbuf *seg;
	uint32_t in_seg, left, nseg = 0, nblk;
	uint16_t first = HZIP_SGL_NONE, prev = HZIP_SGL_NONE, cur = HZIP_SGL_NONE;
	struct hzip_sgl_hdr *h = NULL;
	struct hzip_sgl_entry *e = NULL;
	uint32_t used = 0;

	/* count the segments first: nothing is taken from the pool on failure */
	seg = mbuf_seek(m, off, &in_seg);
	left = len;
	for (const struct rte_mbuf *s = seg; left > 0; s = s->next) {
		uint32_t avail;

		if (s == NULL) {
			*err = -EINVAL;
			return HZIP_SGL_NONE;
		}
		avail = s->data_len - (s == seg ? in_seg : 0);
		if (avail == 0)
			continue;
		nseg++;
		left -= RTE_MIN(avail, left);
	}
	if (nseg > HZIP_MAX_SEGS) {
		*err = -E2BIG;
		return HZIP_SGL_NONE;
	}
	/* zero bytes: one empty SGL still gives the device a valid address */
	nblk = nseg == 0 ? 1 : (nseg + HZIP_SGL_ENTRIES - 1) / HZIP_SGL_ENTRIES;
	if (nblk > p->nfree) {
		*err = -ENOSPC;
		return HZIP_SGL_NONE;
	}

	left = len;
	for (const struct rte_mbuf *s = seg; ; s = s->next) {
		uint32_t skip, avail, take;

		if (used == HZIP_SGL_ENTRIES || cur == HZIP_SGL_NONE) {
			cur = p->free[--p->nfree];
			h = sgl_block(p, cur);
			/* the reserved and software fields stay as the pool set them: 0 */
			h->next = 0;
			h->entry_sum_in_chain = (uint16_t)(nblk * HZIP_SGL_ENTRIES);
			h->entry_sum_in_sgl = 0;
			h->entry_length_in_sgl = HZIP_SGL_ENTRIES;
			e = (struct hzip_sgl_entry *)(h + 1);
			if (prev == HZIP_SGL_NONE) {
				first = cur;
			} else {
				sgl_block(p, prev)->next = wd_dma_iova(h);
				p->next[prev] = cur;
			}
			prev = cur;
			used = 0;
		}
		if (left == 0)
			break;
		skip = s == seg ? in_seg : 0;
		avail = s->data_len - skip;
		if (avail == 0)
			continue;
		take = RTE_MIN(avail, left);
		e[used].addr = rte_pktmbuf_iova_offset(s, skip);
		e[used].len = take;
		used++;
		h->entry_sum_in_sgl = (uint16_t)used;
		left -= take;
		if (left == 0)
			break;
	}
	p->next[cur] = HZIP_SGL_NONE;
	*err = 0;
	return first;
}

uint16_t
hzip_sgl_build_flat(struct hzip_sgl_pool *p, uint64_t iova, uint32_t len, int *err)
{
	struct hzip_sgl_hdr *h;
	struct hzip_sgl_entry *e;
	uint16_t b;

	if (p->nfree == 0) {
		*err = -ENOSPC;
		return HZIP_SGL_NONE;
	}
	b = p->free[--p->nfree];
	p->next[b] = HZIP_SGL_NONE;
	h = sgl_block(p, b);
	h->next = 0;
	h->entry_sum_in_chain = HZIP_SGL_ENTRIES;
	h->entry_sum_in_sgl = 0;
	h->entry_length_in_sgl = HZIP_SGL_ENTRIES;
	if (len > 0) {
		e = (struct hzip_sgl_entry *)(h + 1);
		e->addr = iova;
		e->len = len;
		h->entry_sum_in_sgl = 1;
	}
	*err = 0;
	return b;
}

uint32_t
hzip_mbuf_write(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t len)
{
	const uint8_t *s = src;
	uint32_t in_seg, done = 0;
	struct rte_mbuf *seg = (struct rte_mbuf *)(uintptr_t)mbuf_seek(m, off, &in_seg);

	for (; seg != NULL && done < len; seg = seg->next, in_seg = 0) {
		uint32_t n = RTE_MIN((uint32_t)seg->data_len - in_seg, len - done);

		memcpy(rte_pktmbuf_mtod_offset(seg, uint8_t *, in_seg), s + done, n);
		done += n;
	}
	return done;
}

uint32_t
hzip_mbuf_read(const struct rte_mbuf *m, uint32_t off, void *dst, uint32_t len)
{
	uint8_t *d = dst;
	uint32_t in_seg, done = 0;
	const struct rte_mbuf *seg = mbuf_seek(m, off, &in_seg);

	for (; seg != NULL && done < len; seg = seg->next, in_seg = 0) {
		uint32_t n = RTE_MIN((uint32_t)seg->data_len - in_seg, len - done);

		memcpy(d + done, rte_pktmbuf_mtod_offset(seg, const uint8_t *, in_seg), n);
		done += n;
	}
	return done;
}
