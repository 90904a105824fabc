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
 * Compression needs nothing else: each request primes a fresh compressor
 * with the ring. Decompression cannot serialise an inflater mid-block, so
 * its state lives in a device-private table keyed by the context buffer
 * IOVA (bounded, least recently used evicted), checked against the record.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
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

/* ---- device-private decompression streams ---- */

static unsigned int
hash_key(const struct hzm_stab *t, uint64_t key)
{
	uint64_t h = (key >> 6) * 0x9e3779b97f4a7c15ULL;

	return (unsigned int)(h >> 32) & (t->nbucket - 1);
}

int
hzm_stab_init(struct hzm_stab *t, unsigned int max)
{
	unsigned int nb = 64;

	memset(t, 0, sizeof(*t));
	while (nb < max)
		nb *= 2;
	t->bucket = calloc(nb, sizeof(t->bucket[0]));
	if (t->bucket == NULL)
		return -ENOMEM;
	t->nbucket = nb;
	t->max = max;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

static void
lru_unlink(struct hzm_stab *t, struct hzm_dstrm *e)
{
	if (e->lprev != NULL)
		e->lprev->lnext = e->lnext;
	else
		t->lru_head = e->lnext;
	if (e->lnext != NULL)
		e->lnext->lprev = e->lprev;
	else
		t->lru_tail = e->lprev;
	e->lprev = e->lnext = NULL;
}

static void
lru_push_front(struct hzm_stab *t, struct hzm_dstrm *e)
{
	e->lprev = NULL;
	e->lnext = t->lru_head;
	if (t->lru_head != NULL)
		t->lru_head->lprev = e;
	t->lru_head = e;
	if (t->lru_tail == NULL)
		t->lru_tail = e;
}

static void
hash_unlink(struct hzm_stab *t, struct hzm_dstrm *e)
{
	struct hzm_dstrm **pp = &t->bucket[hash_key(t, e->key)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	e->hnext = NULL;
}

static struct hzm_dstrm *
hash_find(struct hzm_stab *t, uint64_t key)
{
	struct hzm_dstrm *e = t->bucket[hash_key(t, key)];

	while (e != NULL && e->key != key)
		e = e->hnext;
	return e;
}

static void
entry_free(struct hzm_dstrm *e)
{
	inflateEnd(&e->zs);
	free(e);
}

/* Remove from the table (lock held); the caller frees it unless busy. */
static void
entry_detach(struct hzm_stab *t, struct hzm_dstrm *e)
{
	hash_unlink(t, e);
	lru_unlink(t, e);
	t->count--;
}

void
hzm_stab_fini(struct hzm_stab *t)
{
	if (t->bucket == NULL)
		return;
	for (unsigned int b = 0; b < t->nbucket; b++) {
		struct hzm_dstrm *e = t->bucket[b];

		while (e != NULL) {
			struct hzm_dstrm *n = e->hnext;

			entry_free(e);
			e = n;
		}
	}
	free(t->bucket);
	t->bucket = NULL;
	pthread_mutex_destroy(&t->lock);
}

void
hzm_stab_reset(struct hzm_stab *t)
{
	pthread_mutex_lock(&t->lock);
	while (t->lru_head != NULL) {
		struct hzm_dstrm *e = t->lru_head;

		entry_detach(t, e);
		if (e->busy)
			e->stale = true;  /* freed by hzm_stab_put() */
		else
			entry_free(e);
	}
	pthread_mutex_unlock(&t->lock);
}

unsigned int
hzm_stab_count(struct hzm_stab *t)
{
	unsigned int n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}

struct hzm_dstrm *
hzm_stab_start(struct hzm_stab *t, uint64_t key, uint64_t id, unsigned int *st)
{
	struct hzm_dstrm *e, *victim = NULL;

	pthread_mutex_lock(&t->lock);
	e = hash_find(t, key);
	if (e != NULL) {
		if (e->busy) {
			pthread_mutex_unlock(&t->lock);
			*st = HZM_ST_CTX_ERR;
			return NULL;
		}
		/* same context buffer, new stream: reuse the inflater */
		lru_unlink(t, e);
		lru_push_front(t, e);
		e->busy = true;
		pthread_mutex_unlock(&t->lock);
		if (inflateReset(&e->zs) != Z_OK) {
			hzm_stab_put(t, e, true);
			*st = HZM_ST_INTERNAL;
			return NULL;
		}
		goto init;
	}
	if (t->count >= t->max) {
		/* evict the least recently used stream that is not executing */
		for (victim = t->lru_tail; victim != NULL && victim->busy; victim = victim->lprev)
			;
		if (victim == NULL) {
			pthread_mutex_unlock(&t->lock);
			*st = HZM_ST_CTX_ERR;
			return NULL;
		}
		entry_detach(t, victim);
		HZM_LOG(DEBUG, "stream table full: evicted context 0x%" PRIx64, victim->key);
	}
	pthread_mutex_unlock(&t->lock);
	if (victim != NULL)
		entry_free(victim);
	e = calloc(1, sizeof(*e));
	if (e == NULL || inflateInit2(&e->zs, -15) != Z_OK) {
		free(e);
		*st = HZM_ST_INTERNAL;
		return NULL;
	}
	e->key = key;
	e->busy = true;
	pthread_mutex_lock(&t->lock);
	{
		/* another thread may have started a stream on this buffer meanwhile */
		struct hzm_dstrm *old = hash_find(t, key);

		if (old != NULL) {
			if (old->busy) {
				pthread_mutex_unlock(&t->lock);
				entry_free(e);
				*st = HZM_ST_CTX_ERR;
				return NULL;
			}
			entry_detach(t, old);
			entry_free(old);
		}
	}
	e->hnext = t->bucket[hash_key(t, key)];
	t->bucket[hash_key(t, key)] = e;
	lru_push_front(t, e);
	t->count++;
	pthread_mutex_unlock(&t->lock);
init:
	e->id = id;
	e->seq = 0;
	e->deflate_done = false;
	e->tr_len = 0;
	return e;
}

struct hzm_dstrm *
hzm_stab_get(struct hzm_stab *t, uint64_t key, uint64_t id, uint32_t seq)
{
	struct hzm_dstrm *e;

	pthread_mutex_lock(&t->lock);
	e = hash_find(t, key);
	if (e == NULL || e->busy || e->id != id || e->seq != seq) {
		pthread_mutex_unlock(&t->lock);
		return NULL;
	}
	e->busy = true;
	lru_unlink(t, e);
	lru_push_front(t, e);
	pthread_mutex_unlock(&t->lock);
	return e;
}

void
hzm_stab_put(struct hzm_stab *t, struct hzm_dstrm *e, bool drop)
{
	bool do_free;

	pthread_mutex_lock(&t->lock);
	e->busy = false;
	do_free = e->stale;
	if (drop && !e->stale) {
		entry_detach(t, e);
		do_free = true;
	}
	pthread_mutex_unlock(&t->lock);
	if (do_free)
		entry_free(e);
}
