/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DMA memory.
 *
 * Hugepage memory from EAL (rte_malloc) is mapped for every device with
 * IOVA = VA: by EAL itself for the vfio-pci container, by wd_core for the
 * model's IOMMU (at attach time, then through EAL's memory events).
 * wd_reserve_memory() hands out such memory per queue, shareable between
 * queues with reference counting. wd_dma_map() maps ordinary process
 * memory for all devices.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "wd_core_private.h"

/* ---- reserved memory of queues ----------------------------------------- */

struct wd_mem_region {
	void *addr;
	size_t len;
	struct wd_mem_region *next;
};

/* Shared by the queues that use it; freed with the last reference. */
struct wd_mem_ref {
	unsigned int refs;
	struct wd_mem_region *regions;
};

static void
mem_ref_free(struct wd_mem_ref *ref)
{
	struct wd_mem_region *r = ref->regions, *next;

	for (; r != NULL; r = next) {
		next = r->next;
		rte_free(r->addr);
		free(r);
	}
	free(ref);
}

void
wd_mem_ref_put(struct wd_mem_ref *ref)
{
	if (ref != NULL && --ref->refs == 0)
		mem_ref_free(ref);
}

WD_EXPORT void *
wd_reserve_memory(struct wd_queue *q, size_t size)
{
	struct wd_mem_region *r;
	int socket;

	if (q == NULL || size == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (q->gen != wd_fork_gen) {
		rte_errno = EPERM;
		return NULL;
	}
	pthread_mutex_lock(&wd_core_lock);
	if (q->dead) {
		/* released by wd_cleanup(): its device is gone, nothing would free this */
		pthread_mutex_unlock(&wd_core_lock);
		rte_errno = ENODEV;
		return NULL;
	}
	if (q->mem == NULL) {
		q->mem = calloc(1, sizeof(*q->mem));
		if (q->mem == NULL)
			goto nomem;
		q->mem->refs = 1;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto nomem;
	socket = q->attr.socket_id != WD_SOCKET_ANY ? q->attr.socket_id :
		 (q->dev->numa_node >= 0 ? q->dev->numa_node : SOCKET_ID_ANY);
	r->addr = rte_zmalloc_socket("wd_reserved", size, 4096, socket);
	if (r->addr == NULL && socket != SOCKET_ID_ANY)
		r->addr = rte_zmalloc_socket("wd_reserved", size, 4096, SOCKET_ID_ANY);
	if (r->addr == NULL) {
		free(r);
		goto nomem;
	}
	r->len = size;
	r->next = q->mem->regions;
	q->mem->regions = r;
	pthread_mutex_unlock(&wd_core_lock);
	return r->addr;
nomem:
	pthread_mutex_unlock(&wd_core_lock);
	WD_LOG(ERR, "cannot reserve %zu bytes of DMA memory", size);
	rte_errno = ENOMEM;
	return NULL;
}

WD_EXPORT int
wd_share_reserved_memory(struct wd_queue *q, struct wd_queue *target)
{
	int ret = 0;

	if (q == NULL || target == NULL || q == target)
		return -EINVAL;
	if (q->gen != wd_fork_gen || target->gen != wd_fork_gen)
		return -EPERM;
	pthread_mutex_lock(&wd_core_lock);
	if (q->dead || target->dead) {
		ret = -ENODEV;
	} else if (q->mem == NULL || q->mem->regions == NULL) {
		ret = -EINVAL;
	} else if (target->mem != q->mem) {
		if (target->mem != NULL && target->mem->regions != NULL) {
			/* the target already has memory of its own */
			ret = -EEXIST;
		} else {
			wd_mem_ref_put(target->mem);
			target->mem = q->mem;
			q->mem->refs++;
		}
	}
	pthread_mutex_unlock(&wd_core_lock);
	return ret;
}

WD_EXPORT void *
wd_dma_zmalloc(size_t size, size_t align, int socket_id)
{
	void *p;

	/* rte_zmalloc_socket() refuses these without setting rte_errno */
	if (size == 0 || (align != 0 && !rte_is_power_of_2(align)) ||
	    (socket_id != WD_SOCKET_ANY && (socket_id < 0 || socket_id >= RTE_MAX_NUMA_NODES))) {
		rte_errno = EINVAL;
		return NULL;
	}
	p = rte_zmalloc_socket("wd_dma", size, align,
			       socket_id == WD_SOCKET_ANY ? SOCKET_ID_ANY : socket_id);
	if (p == NULL)
		rte_errno = ENOMEM;
	return p;
}

WD_EXPORT void
wd_dma_free(void *ptr)
{
	rte_free(ptr);
}

/* ---- mappings of ordinary memory ---------------------------------------- */

struct wd_user_map {
	uint64_t va;
	uint64_t len;
	struct wd_user_map *next;
};

static struct wd_user_map *wd_user_maps;
static unsigned int wd_user_nmaps;

/*
 * EAL keeps the ranges of its VFIO container in a fixed table
 * (VFIO_MAX_USER_MEM_MAPS, 256 in DPDK 22.11) and re-applies wd_core's
 * list at each attach: more ranges than that could be recorded while no
 * function is open and then fail every attach. Same limit on every bus.
 */
#define WD_USER_MAPS_MAX 256

static void
page_round(void *va, size_t len, uint64_t *start, uint64_t *plen)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t s = (uint64_t)(uintptr_t)va & ~(pg - 1);
	uint64_t e = ((uint64_t)(uintptr_t)va + len + pg - 1) & ~(pg - 1);

	*start = s;
	*plen = e - s;
}

/* The model in registry slot @p i, or NULL (a free slot, a device on another bus). */
static struct wd_dev *
model_at(unsigned int i)
{
	struct wd_dev *d = wd_devs[i];

	return d != NULL && d->bus == WD_BUS_MODEL ? d : NULL;
}

/* Unmap [va, va + len) from every model. @return 0 or the first error. */
static int
model_unmap_all(uint64_t va, uint64_t len)
{
	int ret = 0;

	for (unsigned int i = 0; i < WD_MAX_DEVS; i++) {
		struct wd_dev *d = model_at(i);
		int r = d != NULL ? d->bops->dma_unmap(d->bctx, va, len) : 0;

		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

/*
 * Map [va, va + len) in every model. @p all_or_nothing (wd_dma_map()): at
 * the first failure the models mapped before it are unmapped again.
 * Otherwise every model that can map it keeps it (EAL's own memory, which
 * is in use whether one model could map it or not).
 * @return 0 or the first error.
 */
static int
model_map_all(uint64_t va, uint64_t len, bool all_or_nothing)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < WD_MAX_DEVS; i++) {
		struct wd_dev *d = model_at(i);
		int r = d != NULL ? d->bops->dma_map(d->bctx, va, va, len) : 0;

		if (r < 0 && ret == 0)
			ret = r;
		if (r < 0 && all_or_nothing)
			break;
	}
	/* the models before the failing one mapped it: they alone give it back */
	if (ret < 0 && all_or_nothing)
		while (i-- > 0) {
			struct wd_dev *d = model_at(i);

			if (d != NULL)
				d->bops->dma_unmap(d->bctx, va, len);
		}
	return ret;
}

/* Does [r[0], r[0] + r[1]) overlap a memory list of EAL's (mapped for every device)? */
static int
eal_overlap(const struct rte_memseg_list *msl, void *arg)
{
	const uint64_t *r = arg;
	uint64_t base = (uint64_t)(uintptr_t)msl->base_va;

	return !msl->external && r[0] < base + msl->len && base < r[0] + r[1];
}

WD_EXPORT int
wd_dma_map(void *va, size_t len)
{
	struct wd_user_map *m;
	uint64_t s, l;
	int ret;

	if (va == NULL || len == 0 || (uintptr_t)va + len < (uintptr_t)va)
		return -EINVAL;
	if (wd_drv_forked())
		return -EPERM;
	page_round(va, len, &s, &l);
	/* EAL's own memory is mapped already (and stays so): it overlaps */
	if (rte_memseg_list_walk(eal_overlap, (uint64_t[]){ s, l }) > 0)
		return -EEXIST;
	pthread_mutex_lock(&wd_core_lock);
	for (m = wd_user_maps; m != NULL; m = m->next) {
		if (s < m->va + m->len && m->va < s + l) {
			pthread_mutex_unlock(&wd_core_lock);
			return -EEXIST;
		}
	}
	if (wd_user_nmaps == WD_USER_MAPS_MAX) {
		pthread_mutex_unlock(&wd_core_lock);
		WD_LOG(ERR, "wd_dma_map: %u ranges are mapped already (the most VFIO can keep)",
		       wd_user_nmaps);
		return -ENOSPC;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		pthread_mutex_unlock(&wd_core_lock);
		return -ENOMEM;
	}
	m->va = s;
	m->len = l;
	ret = model_map_all(s, l, true);	/* undoes itself when it fails */
	if (ret == 0) {
		ret = wd_pci_dma_map(s, l);
		if (ret < 0)
			model_unmap_all(s, l);
	}
	if (ret < 0) {
		free(m);
	} else {
		m->next = wd_user_maps;
		wd_user_maps = m;
		wd_user_nmaps++;
	}
	pthread_mutex_unlock(&wd_core_lock);
	return ret;
}

WD_EXPORT int
wd_dma_unmap(void *va, size_t len)
{
	struct wd_user_map **pp, *m;
	uint64_t s, l;
	int ret;

	if (va == NULL || len == 0 || (uintptr_t)va + len < (uintptr_t)va)
		return -EINVAL;
	if (wd_drv_forked())
		return -EPERM;
	page_round(va, len, &s, &l);
	pthread_mutex_lock(&wd_core_lock);
	for (pp = &wd_user_maps; (m = *pp) != NULL; pp = &m->next)
		if (m->va == s && m->len == l)
			break;
	if (m == NULL) {
		pthread_mutex_unlock(&wd_core_lock);
		return -EINVAL;
	}
	/* the IOMMU first: a range it keeps must stay on the list, and mapped */
	ret = wd_pci_dma_unmap(s, l);
	if (ret < 0) {
		pthread_mutex_unlock(&wd_core_lock);
		WD_LOG(ERR, "wd_dma_unmap: the VFIO container keeps %" PRIu64 " bytes at 0x%"
		       PRIx64 " mapped", l, s);
		return ret;
	}
	*pp = m->next;
	wd_user_nmaps--;
	model_unmap_all(s, l);
	free(m);
	pthread_mutex_unlock(&wd_core_lock);
	return 0;
}

/* The last vfio-pci function is closing: remove the ranges from its container. */
void
wd_mem_unmap_user_maps_pci(void)
{
	for (struct wd_user_map *m = wd_user_maps; m != NULL; m = m->next)
		if (wd_pci_dma_unmap(m->va, m->len) < 0)
			WD_LOG(WARNING, "cannot unmap %" PRIu64 " bytes at 0x%" PRIx64
			       " from the VFIO container", m->len, m->va);
}

int
wd_mem_apply_user_maps(struct wd_dev *dev)
{
	for (struct wd_user_map *m = wd_user_maps; m != NULL; m = m->next) {
		int ret = dev->bops->dma_map(dev->bctx, m->va, m->va, m->len);

		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * EAL grew or shrank its memory: keep the models' IOMMUs in step. Runs
 * under EAL's memory write lock, without wd_core_lock (the control path
 * takes the memory lock under wd_core_lock): a model enters and leaves
 * the registry under the read lock (wd_model_attach(), wd_dev_free()).
 */
static void
mem_event_cb(enum rte_mem_event ev, const void *addr, size_t len, void *arg)
{
	uint64_t va = (uint64_t)(uintptr_t)addr;

	RTE_SET_USED(arg);
	if ((ev == RTE_MEM_EVENT_ALLOC ? model_map_all(va, len, false) :
					  model_unmap_all(va, len)) < 0)
		WD_LOG(ERR, "cannot %s %zu bytes at %p in a model IOMMU",
		       ev == RTE_MEM_EVENT_ALLOC ? "map" : "unmap", len, addr);
}

int
wd_mem_register_events(void)
{
	static bool done;
	int ret;

	if (done)
		return 0;
	ret = rte_mem_event_callback_register("wd_core", mem_event_cb, NULL);
	/* ENOTSUP: legacy memory mode, no dynamic memory, nothing to track */
	if (ret < 0 && rte_errno != ENOTSUP && rte_errno != EEXIST) {
		WD_LOG(ERR, "cannot register for memory events: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	done = true;
	return 0;
}
