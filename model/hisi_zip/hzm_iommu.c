/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOMMU of the device model: sorted array of non-overlapping mappings,
 * binary search, writer-preferring rwlock for map/unmap against device
 * brackets. See hzm_iommu.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hzm_iommu.h"

struct hzm_map {
	uint64_t iova;
	uint64_t len;
	uint8_t *va;
};

struct hzm_iommu {
	pthread_rwlock_t lock;
	struct hzm_map *maps;  /* sorted by iova, non-overlapping */
	unsigned int n;
	unsigned int cap;
	uint64_t bytes;		/* sum of the mappings' lengths */
	_Atomic uint64_t faults;
	_Atomic uint64_t last_fault;
};

/*
 * Brackets held by this thread, so that nested brackets and accesses made
 * inside a bracket do not take the (writer-preferring, hence
 * non-recursive) read lock twice.
 */
#define HZM_TLS_SLOTS 4
static __thread struct {
	const struct hzm_iommu *mmu;
	unsigned int depth;
} hzm_tls[HZM_TLS_SLOTS];

static int
tls_find(const struct hzm_iommu *mmu)
{
	for (int i = 0; i < HZM_TLS_SLOTS; i++)
		if (hzm_tls[i].mmu == mmu)
			return i;
	return -1;
}

int
hzm_iommu_create(struct hzm_iommu **mmu)
{
	struct hzm_iommu *m;
	pthread_rwlockattr_t attr;
	int rc;

	if (mmu == NULL)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	rc = pthread_rwlock_init(&m->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	if (rc != 0) {
		free(m);
		return -rc;
	}
	*mmu = m;
	return 0;
}

void
hzm_iommu_destroy(struct hzm_iommu *mmu)
{
	if (mmu == NULL)
		return;
	pthread_rwlock_destroy(&mmu->lock);
	free(mmu->maps);
	free(mmu);
}

/* Index of the first mapping whose iova is > @p iova (upper bound). */
static unsigned int
upper_bound(const struct hzm_iommu *m, uint64_t iova)
{
	unsigned int lo = 0, hi = m->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (m->maps[mid].iova <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the mapping containing @p iova, or -1. */
static int
find(const struct hzm_iommu *m, uint64_t iova)
{
	unsigned int i = upper_bound(m, iova);

	if (i == 0)
		return -1;
	i--;
	if (iova - m->maps[i].iova < m->maps[i].len)
		return (int)i;
	return -1;
}

static int
reserve(struct hzm_iommu *m, unsigned int need)
{
	unsigned int cap;
	struct hzm_map *p;

	if (need <= m->cap)
		return 0;
	cap = m->cap ? m->cap : 16;
	while (cap < need)
		cap *= 2;
	p = realloc(m->maps, (size_t)cap * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	m->maps = p;
	m->cap = cap;
	return 0;
}

int
hzm_iommu_map(struct hzm_iommu *mmu, uint64_t va, uint64_t iova, uint64_t len)
{
	unsigned int i;
	int rc = 0;

	if (mmu == NULL || va == 0 || len == 0 || iova + len - 1 < iova || va + len - 1 < va)
		return -EINVAL;
	pthread_rwlock_wrlock(&mmu->lock);
	i = upper_bound(mmu, iova);
	if (i > 0 && iova - mmu->maps[i - 1].iova < mmu->maps[i - 1].len) {
		rc = -EEXIST;
		goto out;
	}
	if (i < mmu->n && mmu->maps[i].iova - iova < len) {
		rc = -EEXIST;
		goto out;
	}
	rc = reserve(mmu, mmu->n + 1);
	if (rc != 0)
		goto out;
	memmove(&mmu->maps[i + 1], &mmu->maps[i], (mmu->n - i) * sizeof(mmu->maps[0]));
	mmu->maps[i] = (struct hzm_map){ .iova = iova, .len = len, .va = (uint8_t *)(uintptr_t)va };
	mmu->n++;
	mmu->bytes += len;
out:
	pthread_rwlock_unlock(&mmu->lock);
	return rc;
}

int
hzm_iommu_unmap(struct hzm_iommu *mmu, uint64_t iova, uint64_t len)
{
	uint64_t end;
	unsigned int i, first, splits = 0;
	bool any = false;
	int rc = 0;

	if (mmu == NULL || len == 0 || iova + len - 1 < iova)
		return -EINVAL;
	end = iova + len - 1;  /* inclusive: the range may end at 2^64 - 1 */
	pthread_rwlock_wrlock(&mmu->lock);
	/* first mapping that may overlap: the one containing iova, or the next */
	first = upper_bound(mmu, iova);
	if (first > 0 && iova - mmu->maps[first - 1].iova < mmu->maps[first - 1].len)
		first--;
	for (i = first; i < mmu->n && mmu->maps[i].iova <= end; i++) {
		const struct hzm_map *mp = &mmu->maps[i];

		any = true;
		if (mp->iova < iova && mp->iova + mp->len - 1 > end)
			splits++;
	}
	if (!any) {
		rc = -ENOENT;
		goto out;
	}
	rc = reserve(mmu, mmu->n + splits);
	if (rc != 0)
		goto out;
	i = first;
	while (i < mmu->n && mmu->maps[i].iova <= end) {
		struct hzm_map *mp = &mmu->maps[i];
		uint64_t mlast = mp->iova + mp->len - 1;

		if (mp->iova < iova && mlast > end) {
			/* split: keep [mp->iova, iova) and (end, mlast] */
			struct hzm_map right = {
				.iova = end + 1,
				.len = mlast - end,
				.va = mp->va + (end + 1 - mp->iova),
			};

			mp->len = iova - mp->iova;
			memmove(&mmu->maps[i + 2], &mmu->maps[i + 1],
				(mmu->n - i - 1) * sizeof(mmu->maps[0]));
			mmu->maps[i + 1] = right;
			mmu->n++;
			break;
		} else if (mp->iova < iova) {
			mp->len = iova - mp->iova;  /* trim the tail */
			i++;
		} else if (mlast > end) {
			uint64_t cut = end + 1 - mp->iova;  /* trim the head */

			mp->va += cut;
			mp->iova += cut;
			mp->len -= cut;
			break;
		} else {
			memmove(&mmu->maps[i], &mmu->maps[i + 1],
				(mmu->n - i - 1) * sizeof(mmu->maps[0]));
			mmu->n--;
		}
	}
	mmu->bytes = 0;
	for (i = 0; i < mmu->n; i++)
		mmu->bytes += mmu->maps[i].len;
out:
	pthread_rwlock_unlock(&mmu->lock);
	return rc;
}

uint64_t
hzm_iommu_mapped_bytes(struct hzm_iommu *mmu)
{
	uint64_t n;

	if (mmu == NULL)
		return 0;
	hzm_iommu_begin(mmu);
	n = mmu->bytes;
	hzm_iommu_end(mmu);
	return n;
}

unsigned int
hzm_iommu_map_count(struct hzm_iommu *mmu)
{
	unsigned int n;

	if (mmu == NULL)
		return 0;
	hzm_iommu_begin(mmu);
	n = mmu->n;
	hzm_iommu_end(mmu);
	return n;
}

void
hzm_iommu_begin(struct hzm_iommu *mmu)
{
	int s = tls_find(mmu);

	if (s >= 0) {
		hzm_tls[s].depth++;
		return;
	}
	pthread_rwlock_rdlock(&mmu->lock);
	s = tls_find(NULL);
	if (s >= 0) {
		hzm_tls[s].mmu = mmu;
		hzm_tls[s].depth = 1;
	}
	/* more than HZM_TLS_SLOTS distinct IOMMUs nested: untracked, still correct
	 * unless the same IOMMU is then entered again on this thread */
}

void
hzm_iommu_end(struct hzm_iommu *mmu)
{
	int s = tls_find(mmu);

	if (s >= 0) {
		if (--hzm_tls[s].depth > 0)
			return;
		hzm_tls[s].mmu = NULL;
	}
	pthread_rwlock_unlock(&mmu->lock);
}

static void
record_fault(struct hzm_iommu *m, uint64_t iova)
{
	atomic_fetch_add_explicit(&m->faults, 1, memory_order_relaxed);
	atomic_store_explicit(&m->last_fault, iova, memory_order_relaxed);
}

/*
 * Validate [iova, iova + len) (len > 0). @return the index of the mapping
 * holding iova and 0, or -EFAULT with *bad = first unmapped byte.
 */
static int
walk_check(const struct hzm_iommu *m, uint64_t iova, uint64_t len, int *first, uint64_t *bad)
{
	int i = find(m, iova);
	uint64_t cur = iova, rem = len;

	if (i < 0) {
		*bad = iova;
		return -EFAULT;
	}
	*first = i;
	for (;;) {
		const struct hzm_map *mp = &m->maps[i];
		uint64_t avail = mp->len - (cur - mp->iova);

		if (rem <= avail)
			return 0;
		rem -= avail;
		cur += avail;  /* = mp->iova + mp->len: never wraps (map() forbids it) */
		i++;
		if ((unsigned int)i >= m->n || m->maps[i].iova != cur) {
			*bad = cur;
			return -EFAULT;
		}
	}
}

enum dir { DIR_READ, DIR_WRITE };

static int
access_locked(struct hzm_iommu *m, uint64_t iova, void *buf, uint64_t len, enum dir d)
{
	uint8_t *p = buf;
	uint64_t bad = 0, cur = iova;
	int i;

	if (walk_check(m, iova, len, &i, &bad) != 0) {
		record_fault(m, bad);
		return -EFAULT;
	}
	while (len > 0) {
		const struct hzm_map *mp = &m->maps[i++];
		uint64_t off = cur - mp->iova;
		uint64_t n = mp->len - off < len ? mp->len - off : len;

		/* the device may copy between two mapped areas that overlap (a ring
		 * over its own output): memmove */
		if (d == DIR_READ)
			memmove(p, mp->va + off, n);
		else
			memmove(mp->va + off, p, n);
		p += n;
		cur += n;
		len -= n;
	}
	return 0;
}

static int
dma_access(struct hzm_iommu *mmu, uint64_t iova, void *buf, uint64_t len, enum dir d)
{
	int rc;

	if (mmu == NULL)
		return -EFAULT;
	if (len == 0)
		return 0;
	if (buf == NULL)
		return -EINVAL;
	hzm_iommu_begin(mmu);
	rc = access_locked(mmu, iova, buf, len, d);
	hzm_iommu_end(mmu);
	return rc;
}

int
hzm_dma_read(struct hzm_iommu *mmu, uint64_t iova, void *dst, uint64_t len)
{
	return dma_access(mmu, iova, dst, len, DIR_READ);
}

int
hzm_dma_write(struct hzm_iommu *mmu, uint64_t iova, const void *src, uint64_t len)
{
	return dma_access(mmu, iova, (void *)(uintptr_t)src, len, DIR_WRITE);
}

void *
hzm_dma_ptr(struct hzm_iommu *mmu, uint64_t iova, uint64_t len)
{
	void *p = NULL;
	int i;

	if (mmu == NULL)
		return NULL;
	hzm_iommu_begin(mmu);
	i = find(mmu, iova);
	if (i >= 0) {
		const struct hzm_map *mp = &mmu->maps[i];
		uint64_t off = iova - mp->iova;

		if (len <= mp->len - off)
			p = mp->va + off;
	}
	hzm_iommu_end(mmu);
	return p;
}

int
hzm_dma_check(struct hzm_iommu *mmu, uint64_t iova, uint64_t len, uint64_t *fault_iova)
{
	uint64_t bad = 0;
	int i, rc;

	if (mmu == NULL)
		return -EFAULT;
	if (len == 0)
		return 0;
	hzm_iommu_begin(mmu);
	rc = walk_check(mmu, iova, len, &i, &bad);
	hzm_iommu_end(mmu);
	if (rc != 0) {
		record_fault(mmu, bad);
		if (fault_iova != NULL)
			*fault_iova = bad;
	}
	return rc;
}

uint64_t
hzm_iommu_fault_count(const struct hzm_iommu *mmu)
{
	return mmu == NULL ? 0 : atomic_load_explicit(&mmu->faults, memory_order_relaxed);
}

uint64_t
hzm_iommu_last_fault(const struct hzm_iommu *mmu)
{
	return mmu == NULL ? 0 : atomic_load_explicit(&mmu->last_fault, memory_order_relaxed);
}
