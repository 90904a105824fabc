/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The WarpDrive queue API: a queue is a FIFO to one accelerator. The data
 * path (wd_send*, wd_recv*) is one generation check (fork) and a call
 * into the driver: no lock, no system call.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "wd_core_private.h"

/* Every live queue, for wd_cleanup(); under wd_core_lock. */
static struct wd_queue *wd_queues;
/* Queues stopped by wd_cleanup() and not released yet; under wd_core_lock. */
static struct wd_queue *wd_dead_queues;

/* wd_recv_sync(): spin this long before sleeping on an interrupt. */
#define WD_SYNC_SPIN_US 50
/*
 * Sleep in slices: the driver's recv runs at least this often while a
 * request is out (its deadlines; a queue released by wd_cleanup()).
 * Wake-ups are not lost between queues sharing a vector (wd_irq_wait.c).
 * A variable so that tests can make a lost wake-up cost seconds.
 */
int wd_sync_slice_ms = 1;

/* No sleep on the interrupt this time (arming failed): nap one slice instead of spinning. */
static void
nap(int ms)
{
	struct timespec ts = wd_ms_timespec(ms);

	nanosleep(&ts, NULL);
}

static struct wd_dev *
pick_device(const struct wd_queue_attr *attr, unsigned int skip_mask)
{
	struct wd_dev *best = NULL;
	int best_dist = INT32_MAX;
	unsigned int lcore = rte_lcore_id();
	int node = attr->socket_id != WD_SOCKET_ANY ? attr->socket_id :
		   (lcore < RTE_MAX_LCORE ? (int)rte_lcore_to_socket_id(lcore) : 0);

	for (unsigned int i = 0; i < WD_MAX_DEVS; i++) {
		struct wd_dev *d = wd_devs[i];
		int dist;

		if (d == NULL || !d->probed || (skip_mask & (1u << i)) ||
		    d->drv->qops == NULL || !wd_dev_has_alg(d, attr->alg) ||
		    d->queues_in_use >= d->queues_total)
			continue;
		dist = wd_dev_distance(d, node);
		/* nearest first; among equals the least loaded */
		if (best == NULL || dist < best_dist ||
		    (dist == best_dist && d->queues_in_use < best->queues_in_use)) {
			best = d;
			best_dist = dist;
		}
	}
	return best;
}

static int
queue_create(struct wd_dev *dev, const struct wd_queue_attr *attr, struct wd_queue **qp)
{
	const struct wd_queue_ops *ops = dev->drv->qops;
	int socket = attr->socket_id != WD_SOCKET_ANY ? attr->socket_id :
		     (dev->numa_node >= 0 ? dev->numa_node : SOCKET_ID_ANY);
	struct wd_queue *q;
	int ret;

	q = rte_zmalloc_socket("wd_queue", sizeof(*q), RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
	if (q == NULL)
		return -ENOMEM;
	q->priv = rte_zmalloc_socket("wd_queue_priv", ops->priv_size > 0 ? ops->priv_size : 1,
				     RTE_CACHE_LINE_SIZE, socket);
	if (q->priv == NULL && socket != SOCKET_ID_ANY)
		q->priv = rte_zmalloc_socket("wd_queue_priv",
					     ops->priv_size > 0 ? ops->priv_size : 1,
					     RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
	if (q->priv == NULL) {
		rte_free(q);
		return -ENOMEM;
	}
	q->dev = dev;
	q->ops = ops;
	q->send = ops->send;
	q->recv = ops->recv;
	q->attr = *attr;
	q->attr.dev = dev;
	q->flags = attr->flags;
	q->gen = wd_fork_gen;
	snprintf(q->alg, sizeof(q->alg), "%s", attr->alg);
	q->attr.alg = q->alg;
	ret = ops->init(dev, &q->attr, q->priv);
	if (ret < 0) {
		rte_free(q->priv);
		rte_free(q);
		return ret;
	}
	dev->queues_in_use++;
	q->next = wd_queues;
	wd_queues = q;
	*qp = q;
	return 0;
}

/* Take @p q off a list. @return false if it is not on it (@p q is not read then). */
static bool
queue_unlink(struct wd_queue **head, struct wd_queue *q)
{
	for (struct wd_queue **pp = head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == q) {
			*pp = q->next;
			return true;
		}
	}
	return false;
}

/* A dead queue's data path answers "nothing" (send full, recv empty). */
static uint16_t
dead_send(void *qpriv, void **reqs, uint16_t n, bool doorbell)
{
	RTE_SET_USED(qpriv);
	RTE_SET_USED(reqs);
	RTE_SET_USED(n);
	RTE_SET_USED(doorbell);
	return 0;
}

static uint16_t
dead_recv(void *qpriv, void **resps, uint16_t n)
{
	RTE_SET_USED(qpriv);
	RTE_SET_USED(resps);
	RTE_SET_USED(n);
	return 0;
}

/*
 * wd_cleanup(): stop every queue the application still holds. The handle
 * stays valid (its data path finds nothing) until wd_release_queue().
 */
void
wd_queue_release_all(void)
{
	struct wd_queue *q;

	while ((q = wd_queues) != NULL) {
		WD_LOG(NOTICE, "%s: queue still requested at cleanup: released", q->dev->name);
		wd_queues = q->next;
		q->ops->fini(q->dev, q->priv);
		q->dev->queues_in_use--;
		wd_mem_ref_put(q->mem);
		q->mem = NULL;
		q->send = dead_send;
		q->recv = dead_recv;
		q->dead = true;
		q->next = wd_dead_queues;
		wd_dead_queues = q;
	}
}

WD_EXPORT int
wd_request_queue(struct wd_queue **qp, const struct wd_queue_attr *attr)
{
	unsigned int tried = 0;
	struct wd_dev *dev;
	int ret;

	if (qp == NULL || attr == NULL || attr->alg == NULL || attr->alg[0] == '\0' ||
	    strlen(attr->alg) >= 16 ||
	    (attr->op != WD_OP_COMPRESS && attr->op != WD_OP_DECOMPRESS) ||
	    (attr->flags & ~(WD_QUEUE_F_BATCH | WD_QUEUE_F_IRQ)) != 0 ||
	    attr->socket_id < WD_SOCKET_ANY || attr->socket_id >= RTE_MAX_NUMA_NODES)
		return -EINVAL;
	if (wd_drv_forked())
		return -EPERM;
	ret = wd_init();
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&wd_core_lock);
	if (attr->dev != NULL) {
		dev = attr->dev;
		if (!wd_dev_registered(dev) || !dev->probed || dev->drv->qops == NULL)
			ret = -EINVAL;
		else if (!wd_dev_has_alg(dev, attr->alg))
			ret = -ENODEV;
		else if (attr->depth > dev->queue_depth_max)
			ret = -EINVAL;
		else if (dev->queues_in_use >= dev->queues_total)
			ret = -EBUSY;
		else
			ret = queue_create(dev, attr, qp);
	} else {
		/* -EBUSY when devices offer the algorithm but have no queue left */
		ret = -ENODEV;
		for (unsigned int i = 0; i < WD_MAX_DEVS; i++)
			if (wd_devs[i] != NULL && wd_devs[i]->probed &&
			    wd_dev_has_alg(wd_devs[i], attr->alg))
				ret = -EBUSY;
		/* nearest device first; on -EBUSY try the next one */
		while ((dev = pick_device(attr, tried)) != NULL) {
			if (attr->depth > dev->queue_depth_max) {
				ret = -EINVAL;
			} else {
				ret = queue_create(dev, attr, qp);
				if (ret != -EBUSY)
					break;
			}
			tried |= 1u << dev->id;
		}
	}
	pthread_mutex_unlock(&wd_core_lock);
	return ret;
}

WD_EXPORT int
wd_release_queue(struct wd_queue *q)
{
	if (q == NULL)
		return -EINVAL;
	/*
	 * A child must not stop the parent's hardware queue (and makes none of
	 * its own). @p q is not read before it is found on a list: a handle
	 * released already points at freed memory.
	 */
	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_core_lock);
	if (queue_unlink(&wd_queues, q)) {
		q->ops->fini(q->dev, q->priv);
		q->dev->queues_in_use--;
		wd_mem_ref_put(q->mem);
	} else if (!queue_unlink(&wd_dead_queues, q)) {
		/* released already (or never a queue): its memory is not ours to free */
		pthread_mutex_unlock(&wd_core_lock);
		return -EINVAL;
	}
	pthread_mutex_unlock(&wd_core_lock);
	rte_free(q->priv);
	rte_free(q);
	return 0;
}

WD_EXPORT int
wd_send(struct wd_queue *q, void *req)
{
	if (unlikely(q == NULL || req == NULL))
		return -EINVAL;
	if (unlikely(q->gen != wd_fork_gen))
		return -EPERM;
	if (q->send(q->priv, &req, 1, !(q->flags & WD_QUEUE_F_BATCH)) == 1)
		return 0;
	return -EBUSY;
}

WD_EXPORT uint16_t
wd_send_burst(struct wd_queue *q, void **reqs, uint16_t n)
{
	if (unlikely(q == NULL || (reqs == NULL && n > 0))) {
		rte_errno = EINVAL;
		return 0;
	}
	if (unlikely(q->gen != wd_fork_gen)) {
		rte_errno = EPERM;
		return 0;
	}
	/* a NULL request ends the burst: the driver would read through it */
	for (uint16_t i = 0; i < n; i++) {
		if (unlikely(reqs[i] == NULL)) {
			rte_errno = EINVAL;
			n = i;
			break;
		}
	}
	if (unlikely(n == 0))
		return 0;
	return q->send(q->priv, reqs, n, true);
}

WD_EXPORT int
wd_recv(struct wd_queue *q, void **resp)
{
	if (unlikely(q == NULL || resp == NULL))
		return -EINVAL;
	if (unlikely(q->gen != wd_fork_gen))
		return -EPERM;
	return q->recv(q->priv, resp, 1);
}

WD_EXPORT uint16_t
wd_recv_burst(struct wd_queue *q, void **resps, uint16_t n)
{
	if (unlikely(q == NULL || (resps == NULL && n > 0))) {
		rte_errno = EINVAL;
		return 0;
	}
	if (unlikely(q->gen != wd_fork_gen)) {
		rte_errno = EPERM;
		return 0;
	}
	return q->recv(q->priv, resps, n);
}

/* The wait state of the device's vector signalled on @p fd (irq_arm's). */
static struct wd_irq_wait *
irq_wait_of(struct wd_dev *dev, int fd)
{
	for (unsigned int i = 0; i < dev->irq_nvec; i++)
		if (dev->irq_efds[i] == fd)
			return &wd_irq_waits[dev->id][i];
	return NULL;
}

WD_EXPORT int
wd_recv_sync(struct wd_queue *q, void **resp, uint32_t timeout_ms)
{
	uint64_t hz = rte_get_timer_hz();
	uint64_t start = rte_get_timer_cycles();
	uint64_t spin_end = start + hz / 1000000 * WD_SYNC_SPIN_US;
	uint64_t end = start + hz / 1000 * timeout_ms;
	bool can_sleep;

	if (q == NULL || resp == NULL)
		return -EINVAL;
	if (unlikely(q->gen != wd_fork_gen))
		return -EPERM;
	can_sleep = (q->flags & WD_QUEUE_F_IRQ) && q->ops->irq_arm != NULL;
	for (;;) {
		uint64_t now;

		if (q->recv(q->priv, resp, 1) == 1)
			return 1;
		now = rte_get_timer_cycles();
		if (now >= end)
			return -ETIMEDOUT;
		if (unlikely(q->dead)) {
			/*
			 * Stopped by wd_cleanup() (before or during the call): its
			 * driver state is gone and nothing will come; wait out the
			 * timeout without spinning on the CPU
			 */
			nap((int)RTE_MIN((end - now) * 1000 / hz + 1, (uint64_t)wd_sync_slice_ms));
			continue;
		}
		if (!can_sleep || now < spin_end) {
			rte_pause();
			continue;
		}
		uint64_t left_ms = (end - now) * 1000 / hz;
		int slice = (int)RTE_MIN(left_ms + 1, (uint64_t)wd_sync_slice_ms);

		/*
		 * Arm the completion event, note the vector's generation, look
		 * again, then sleep unless an event came since the note.
		 */
		int fd = q->ops->irq_arm(q->priv);
		struct wd_irq_wait *w = fd >= 0 ? irq_wait_of(q->dev, fd) : NULL;

		if (w == NULL) {
			/* no interrupts at all: poll; a passing failure (a reset): nap */
			if (fd == -ENOTSUP)
				can_sleep = false;
			else
				nap(slice);
			continue;
		}
		uint32_t gen = wd_irq_wait_gen(w);

		if (q->recv(q->priv, resp, 1) == 1)
			return 1;
		if (wd_irq_wait(w, fd, gen, slice) < 0)
			nap(slice);	/* the eventfd went away (interrupts disabled) */
	}
}

WD_EXPORT int
wd_flush(struct wd_queue *q)
{
	if (q == NULL)
		return -EINVAL;
	if (unlikely(q->gen != wd_fork_gen))
		return -EPERM;
	if (!q->dead && q->ops->flush != NULL)
		q->ops->flush(q->priv);
	return 0;
}

WD_EXPORT struct wd_dev *
wd_queue_dev(const struct wd_queue *q)
{
	/* a queue released by wd_cleanup() has no device any more */
	return q != NULL && !q->dead ? q->dev : NULL;
}

WD_EXPORT unsigned int
wd_queue_inflight(const struct wd_queue *q)
{
	if (q == NULL || q->dead || q->ops->inflight == NULL)
		return 0;
	return q->ops->inflight(q->priv);
}

WD_EXPORT unsigned int
wd_queue_capacity(const struct wd_queue *q)
{
	if (q == NULL || q->dead || q->ops->capacity == NULL)
		return 0;
	return q->ops->capacity(q->priv);
}
