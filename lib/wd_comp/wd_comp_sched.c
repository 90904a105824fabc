/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scheduler: each lcore gets a queue pair of its own, on the nearest
 * device (NUMA distance from the lcore's socket), lcores of one node
 * spread round-robin over that node's devices (the fewest lcores first,
 * hardware before software when they have as many). The software engine
 * runs on the lcore itself: it is local to every node. The map is fixed
 * at creation, so wd_comp_sched_get() is a table lookup and the data path
 * of each lcore stays lock-free.
 */
#include <errno.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "wd_comp_private.h"
#include "wd_drv.h"

#if WD_HAVE_NUMA
#include <numa.h>
#endif

struct wd_comp_sched_slot {
	bool used;
	uint8_t dev_id;
	uint16_t qp_id;
};

struct wd_comp_sched {
	struct wd_comp_sched_slot slot[RTE_MAX_LCORE];
};

#define DIST_LOCAL 10
#define DIST_UNKNOWN 15  /* between local and remote */

/* Distance from NUMA node @p from to a device on node @p to (-1: unknown). */
static int
node_distance(int from, int to)
{
	if (to < 0 || from < 0)
		return DIST_UNKNOWN;
	if (from == to)
		return DIST_LOCAL;
#if WD_HAVE_NUMA
	if (numa_available() >= 0) {
		int d = numa_distance(from, to);

		if (d > 0)
			return d;
	}
#endif
	return 20;
}

/* Distance from an lcore on node @p node (-1: unknown) to device @p d. */
static int
dev_distance(int node, const struct wd_comp_dev *d)
{
	if (node < 0)
		return DIST_UNKNOWN;
	/* the software engine works in the lcore's own memory */
	if (!d->hw)
		return DIST_LOCAL;
	/* a device of unknown node on a one-node machine is on that node */
	if (d->socket_id < 0 && rte_socket_count() <= 1)
		return DIST_LOCAL;
	return node_distance(node, d->socket_id);
}

WD_EXPORT int
wd_comp_sched_create(const uint8_t *dev_ids, unsigned int nb_devs, const unsigned int *lcores,
		     unsigned int nb_lcores, struct wd_comp_sched **sched)
{
	struct wd_comp_sched *s;
	uint16_t next_qp[WD_COMP_MAX_DEVS] = {0};
	unsigned int assigned[WD_COMP_MAX_DEVS] = {0};
	struct wd_comp_dev *devs[WD_COMP_MAX_DEVS];
	unsigned int total = 0;
	int ret = 0;

	if (sched == NULL)
		return -EINVAL;
	*sched = NULL;
	if (wd_drv_forked())
		return -EPERM;
	if (dev_ids == NULL || lcores == NULL || nb_devs == 0 || nb_lcores == 0 ||
	    nb_devs > WD_COMP_MAX_DEVS || nb_lcores > RTE_MAX_LCORE)
		return -EINVAL;
	pthread_mutex_lock(&wd_comp_lock);
	for (unsigned int i = 0; i < nb_devs; i++) {
		devs[i] = wd_comp_dev_get(dev_ids[i]);
		if (devs[i] == NULL || !devs[i]->started) {
			ret = -EINVAL;
			goto out;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (devs[j] == devs[i]) {
				ret = -EINVAL;
				goto out;
			}
		}
		total += devs[i]->nb_qps;
	}
	for (unsigned int i = 0; i < nb_lcores; i++) {
		if (lcores[i] >= RTE_MAX_LCORE) {
			ret = -EINVAL;
			goto out;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (lcores[j] == lcores[i]) {
				ret = -EINVAL;
				goto out;
			}
		}
	}
	if (total < nb_lcores) {
		ret = -ENOSPC;
		goto out;
	}
	s = rte_zmalloc("wd_comp_sched", sizeof(*s), 0);
	if (s == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < nb_lcores; i++) {
		unsigned int lc = lcores[i];
		int node = rte_lcore_is_enabled(lc) ? (int)rte_lcore_to_socket_id(lc) : -1;
		int best = -1, best_dist = 0;

		for (unsigned int k = 0; k < nb_devs; k++) {
			struct wd_comp_dev *d = devs[k];
			int dist;

			if (next_qp[k] >= d->nb_qps)
				continue;
			dist = dev_distance(node, d);
			/* nearest; then round-robin (fewest lcores); then hardware */
			if (best < 0 || dist < best_dist ||
			    (dist == best_dist && assigned[k] < assigned[best]) ||
			    (dist == best_dist && assigned[k] == assigned[best] && d->hw &&
			     !devs[best]->hw)) {
				best = (int)k;
				best_dist = dist;
			}
		}
		/* enough queue pairs in total: there is always one left */
		s->slot[lc].used = true;
		s->slot[lc].dev_id = devs[best]->id;
		s->slot[lc].qp_id = next_qp[best]++;
		assigned[best]++;
		WD_COMP_LOG(DEBUG, "scheduler: lcore %u (node %d) -> %s queue pair %u", lc, node,
			    devs[best]->name, s->slot[lc].qp_id);
	}
	*sched = s;
out:
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

WD_EXPORT int
wd_comp_sched_get(const struct wd_comp_sched *sched, unsigned int lcore, uint8_t *dev_id,
		  uint16_t *qp_id)
{
	if (sched == NULL || lcore >= RTE_MAX_LCORE || !sched->slot[lcore].used)
		return -ENOENT;
	if (dev_id != NULL)
		*dev_id = sched->slot[lcore].dev_id;
	if (qp_id != NULL)
		*qp_id = sched->slot[lcore].qp_id;
	return 0;
}

WD_EXPORT void
wd_comp_sched_free(struct wd_comp_sched *sched)
{
	rte_free(sched);
}
