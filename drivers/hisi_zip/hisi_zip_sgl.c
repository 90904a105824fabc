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
#if defined(RTE_ARCH_X86_64)
#include <immintrin.h>
#endif

#include "hisi_zip.h"

_Static_assert(HZIP_SGL_SIZE % 64 == 0, "SGLs must stay 64-byte aligned in the pool");
_Static_assert(HZIP_SGL_ENTRIES <= HZIP_SGL_ENTRIES_MAX, "at most 255 entries per SGL");

#define sgl_block hzip_sgl_block

int
hzip_sgl_pool_init(struct hzip_sgl_pool *p, uint32_t nfixed, uint32_t nextra, int socket)
{
	uint32_t nblocks = nfixed + nextra;

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
		struct hzip_sgl_hdr *h = sgl_block(p, (uint16_t)i);

		/* constant for the pool's life; reserved and software fields stay 0 */
		h->entry_length_in_sgl = HZIP_SGL_ENTRIES;
		h->entry_sum_in_chain = HZIP_SGL_ENTRIES;
		p->next[i] = HZIP_SGL_NONE;
	}
	/* the extra blocks (for chains longer than one SGL) are the free stack */
	for (uint32_t i = 0; i < nextra; i++)
		p->free[i] = (uint16_t)(nblocks - 1 - i);
	p->nfree = nextra;
	p->nfixed = nfixed;
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

void
hzip_sgl_release(struct hzip_sgl_pool *p, uint16_t first)
{
	/* the first block belongs to its SQ slot: give back the ones chained after it */
	uint16_t b = p->next[first];

	p->next[first] = HZIP_SGL_NONE;
	while (b != HZIP_SGL_NONE) {
		uint16_t nxt = p->next[b];

		p->next[b] = HZIP_SGL_NONE;
		p->free[p->nfree++] = b;
		b = nxt;
	}
}

/*
 * SGL headers, and the entries of long chains (extra blocks from the pool):
 * store only what changed, since a line the device only read stays shared
 * with it and writing it costs an invalidation.
 */
#define SET(field, v) do { if ((field) != (v)) (field) = (v); } while (0)

/*
 * Two entries (one cache line) at once. x86: with streaming stores, which
 * need no ownership of the line: the device read it last time, and taking
 * it back would cost a round trip to the device's side per line. The
 * doorbell is preceded by hzip_sgl_fence(). Elsewhere plain stores.
 */
static inline void
sgl_pair_store(struct hzip_sgl_entry *e, uint64_t a0, uint32_t l0, uint64_t a1, uint32_t l1)
{
#if defined(RTE_ARCH_X86_64)
	long long *q = (long long *)e;

	_mm_stream_si64(q + 0, (long long)a0);
	_mm_stream_si64(q + 1, 0);
	_mm_stream_si64(q + 2, (long long)l0);
	_mm_stream_si64(q + 3, 0);
	_mm_stream_si64(q + 4, (long long)a1);
	_mm_stream_si64(q + 5, 0);
	_mm_stream_si64(q + 6, (long long)l1);
	_mm_stream_si64(q + 7, 0);
#else
	e[0].addr = a0;
	e[0].len = l0;
	e[1].addr = a1;
	e[1].len = l1;
#endif
}

/* Find the segment holding byte @p off of the chain; *in_seg gets the offset in it. */
static const struct rte_mbuf *
mbuf_seek(const struct rte_mbuf *m, uint32_t off, uint32_t *in_seg)
{
	uint32_t walked = 0;

	while (m != NULL && off >= m->data_len) {
		if (unlikely(++walked > HZIP_WALK_MAX))
			return NULL;
		off -= m->data_len;
		m = m->next;
	}
	*in_seg = off;
	return m;
}

/* Chain one more block after @p prev. */
static inline struct hzip_sgl_hdr *
sgl_extend(struct hzip_sgl_pool *p, uint16_t prev, uint16_t *cur)
{
	struct hzip_sgl_hdr *h;

	*cur = p->free[--p->nfree];
	h = sgl_block(p, *cur);
	p->next[*cur] = HZIP_SGL_NONE;
	SET(h->next, 0);
	sgl_block(p, prev)->next = wd_dma_iova(h);
	p->next[prev] = *cur;
	return h;
}

/*
 * One pass over the chain, into the slot's block @p first and, beyond
 * HZIP_SGL_ENTRIES entries, extra blocks from the pool; on a failure (pool
 * empty, chain too long or too short) the extra blocks go back.
 */
static uint16_t
sgl_build_chained(struct hzip_sgl_pool *p, uint16_t first, struct rte_mbuf *m, uint32_t off,
		  uint32_t len, int *err)
{
	const struct rte_mbuf *s = m;
	uint32_t in_seg = off, left = len, used = 0, nseg = 0, nblk = 1, walked = 0;
	struct hzip_sgl_hdr *h = sgl_block(p, first);
	struct hzip_sgl_entry *e = (struct hzip_sgl_entry *)(h + 1);
	uint16_t cur = first;

	p->next[first] = HZIP_SGL_NONE;
	SET(h->next, 0);
	if (unlikely(in_seg >= s->data_len))
		s = mbuf_seek(m, off, &in_seg);
	while (left > 0) {
		uint32_t avail, take;
		uint64_t addr;

		if (unlikely(s == NULL || ++walked > HZIP_WALK_MAX)) {
			*err = -EINVAL;
			goto fail;
		}
		avail = s->data_len - in_seg;
		if (likely(avail > 0)) {
			if (unlikely(nseg == HZIP_MAX_SEGS)) {
				*err = -E2BIG;
				goto fail;
			}
			if (unlikely(used == HZIP_SGL_ENTRIES)) {
				/* this SGL is full: chain another one */
				if (unlikely(p->nfree == 0)) {
					*err = -ENOSPC;
					goto fail;
				}
				SET(h->entry_sum_in_sgl, HZIP_SGL_ENTRIES);
				h = sgl_extend(p, cur, &cur);
				e = (struct hzip_sgl_entry *)(h + 1);
				used = 0;
				nblk++;
			}
			take = RTE_MIN(avail, left);
			addr = rte_pktmbuf_iova_offset(s, in_seg);
			SET(e[used].addr, addr);
			SET(e[used].len, take);
			used++;
			nseg++;
			left -= take;
		}
		in_seg = 0;
		if (left > 0)
			s = s->next;
	}
	SET(h->entry_sum_in_sgl, (uint16_t)used);
	/* every SGL of the chain says the chain's capacity (UADK's convention) */
	for (uint16_t b = first; b != HZIP_SGL_NONE; b = p->next[b])
		SET(sgl_block(p, b)->entry_sum_in_chain, (uint16_t)(nblk * HZIP_SGL_ENTRIES));
	*err = 0;
	return first;
fail:
	hzip_sgl_release(p, first);
	return HZIP_SGL_NONE;
}

/*
 * The usual chain: at most HZIP_SGL_ENTRIES segments, one SGL. The entries
 * go out a line (two entries) at a time with sgl_pair_store(); the header's
 * fields are stored only when they change, so that its line, which the
 * device read last time, usually stays shared instead of being taken back.
 * The software fields stay 0.
 */
uint16_t
hzip_sgl_build(struct hzip_sgl_pool *p, uint16_t first, struct rte_mbuf *m, uint32_t off,
	       uint32_t len, int *err)
{
	const struct rte_mbuf *s = m;
	struct hzip_sgl_hdr *h = sgl_block(p, first);
	struct hzip_sgl_entry *e = (struct hzip_sgl_entry *)(h + 1);
	uint32_t in_seg = off, left = len, used = 0, l0 = 0, empty = 0;
	uint64_t a0 = 0;

	p->streamed = true;
	if (unlikely(in_seg >= s->data_len))
		s = mbuf_seek(m, off, &in_seg);
	while (left > 0) {
		uint32_t avail, take;

		if (unlikely(s == NULL)) {
			*err = -EINVAL;
			return HZIP_SGL_NONE;
		}
		avail = s->data_len - in_seg;
		/* counted apart: more than HZIP_SGL_ENTRIES with data go to the chained build */
		if (unlikely(avail == 0) && unlikely(++empty > HZIP_WALK_MAX)) {
			*err = -EINVAL;
			return HZIP_SGL_NONE;
		}
		if (likely(avail > 0)) {
			uint64_t a;

			if (unlikely(used == HZIP_SGL_ENTRIES))
				return sgl_build_chained(p, first, m, off, len, err);
			take = RTE_MIN(avail, left);
			a = rte_pktmbuf_iova_offset(s, in_seg);
			if (used & 1)
				sgl_pair_store(&e[used - 1], a0, l0, a, take);
			a0 = a;
			l0 = take;
			used++;
			left -= take;
		}
		in_seg = 0;
		if (left > 0)
			s = s->next;
	}
	if (used & 1)
		sgl_pair_store(&e[used - 1], a0, l0, 0, 0);
	p->next[first] = HZIP_SGL_NONE;
	SET(h->next, 0);
	SET(h->entry_sum_in_chain, HZIP_SGL_ENTRIES);
	SET(h->entry_sum_in_sgl, (uint16_t)used);
	*err = 0;
	return first;
}

uint16_t
hzip_sgl_build_flat(struct hzip_sgl_pool *p, uint16_t first, const void *va, uint32_t len)
{
	struct hzip_sgl_hdr *h = sgl_block(p, first);
	struct hzip_sgl_entry *e = (struct hzip_sgl_entry *)(h + 1);

	p->next[first] = HZIP_SGL_NONE;
	SET(h->next, 0);
	SET(h->entry_sum_in_chain, HZIP_SGL_ENTRIES);
	/* one valid entry even for 0 bytes (section 10.3: a valid address, as UADK) */
	SET(h->entry_sum_in_sgl, 1);
	p->streamed = true;
	sgl_pair_store(e, wd_dma_iova(va), len, 0, 0);
	return first;
}

/* The entry holding byte @p off of what an SGL chain describes; *in gets the offset in it. */
static const struct hzip_sgl_entry *
sgl_seek(const struct hzip_sgl_pool *p, uint16_t first, uint32_t off, uint32_t *in)
{
	for (uint16_t b = first; b != HZIP_SGL_NONE; b = p->next[b]) {
		const struct hzip_sgl_hdr *h = sgl_block(p, b);
		const struct hzip_sgl_entry *e = (const struct hzip_sgl_entry *)(h + 1);

		for (uint16_t i = 0; i < h->entry_sum_in_sgl; i++) {
			if (off < e[i].len) {
				*in = off;
				return &e[i];
			}
			off -= e[i].len;
		}
	}
	return NULL;
}

const uint8_t *
hzip_sgl_locate(const struct hzip_sgl_pool *p, uint16_t first, uint32_t off)
{
	uint32_t in;
	const struct hzip_sgl_entry *e = sgl_seek(p, first, off, &in);

	return e != NULL ? (const uint8_t *)hzip_dma_va(e->addr) + in : NULL;
}

bool
hzip_sgl_read(const struct hzip_sgl_pool *p, uint16_t first, uint32_t off, void *dst,
	      uint32_t len)
{
	uint8_t *d = dst;
	uint32_t in = 0;

	for (uint16_t b = first; b != HZIP_SGL_NONE && len > 0; b = p->next[b]) {
		const struct hzip_sgl_hdr *h = sgl_block(p, b);
		const struct hzip_sgl_entry *e = (const struct hzip_sgl_entry *)(h + 1);

		for (uint16_t i = 0; i < h->entry_sum_in_sgl && len > 0; i++) {
			uint32_t n;

			if (off >= e[i].len) {
				off -= e[i].len;
				continue;
			}
			in = off;
			off = 0;
			n = RTE_MIN(e[i].len - in, len);
			memcpy(d, (const uint8_t *)hzip_dma_va(e[i].addr) + in, n);
			d += n;
			len -= n;
		}
	}
	return len == 0;
}

/*
 * Copy @p len bytes between byte @p off of a chain and @p buf (into the
 * chain with @p to_chain). @return the bytes copied (fewer: the chain ended).
 */
static uint32_t
mbuf_copy(const struct rte_mbuf *m, uint32_t off, uint8_t *buf, uint32_t len, bool to_chain)
{
	uint32_t in_seg, done = 0, walked = 0;
	const struct rte_mbuf *seg = mbuf_seek(m, off, &in_seg);

	for (; seg != NULL && done < len && ++walked <= HZIP_WALK_MAX;
	     seg = seg->next, in_seg = 0) {
		uint32_t n = RTE_MIN((uint32_t)seg->data_len - in_seg, len - done);
		uint8_t *p = rte_pktmbuf_mtod_offset(seg, uint8_t *, in_seg);

		if (to_chain)
			memcpy(p, buf + done, n);
		else
			memcpy(buf + done, p, n);
		done += n;
	}
	return done;
}

uint32_t
hzip_mbuf_write(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t len)
{
	return mbuf_copy(m, off, (uint8_t *)(uintptr_t)src, len, true);
}

uint32_t
hzip_mbuf_read(const struct rte_mbuf *m, uint32_t off, void *dst, uint32_t len)
{
	return mbuf_copy(m, off, dst, len, false);
}
