/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-only wd_core driver for QEMU's "edu" device: enough of a driver to
 * take every generic path of lib/wd_core's PCI backend (BAR mapping, MSI
 * eventfds, DMA to IOVA = VA memory, the queue API with interrupt sleep)
 * on a real kernel and IOMMU. See edu_drv.h and doc/vfio-guest.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_log.h>
#include <rte_pause.h>

#include "wd_drv.h"
#include "edu_drv.h"
#include "edu_hw.h"

RTE_LOG_REGISTER(edu_logtype, test.edu, NOTICE);
#define EDU_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, edu_logtype, "edu_test: " fmt "\n", ##__VA_ARGS__)

/* Longest a queue release waits for the DMA engine (it runs ~100 ms). */
#define EDU_DRAIN_TIMEOUT_MS 2000

/* Per device. */
struct edu_dev {
	struct wd_mmio bar;
	int irq_fd;                 /* MSI vector 0, or -1 */
	bool queue_taken;           /* one engine: one queue */
	unsigned int irq_arms;
	uint32_t irq_causes;
};

/* Per queue (wd_core allocates priv_size bytes, zeroed). */
struct edu_queue {
	struct wd_dev *dev;
	struct edu_dev *ed;
	bool irq;                   /* WD_QUEUE_F_IRQ on a device with MSI */
	struct edu_req *req;        /* the request in flight, if any */
	bool started;               /* its start command was written */
	bool malformed;             /* it completes with -EINVAL, hardware untouched */
};

static unsigned int edu_probes, edu_removes;

static const struct wd_pci_id edu_ids[] = {
	{ EDU_VENDOR_ID, EDU_DEVICE_ID },
	{ 0, 0 },
};

/* ---- hardware helpers ------------------------------------------------------ */

static bool
edu_engine_busy(const struct edu_dev *ed, enum edu_req_op op)
{
	if (op == EDU_REQ_FACT)
		return (wd_mmio_read32(&ed->bar, EDU_REG_STATUS) & EDU_STATUS_COMPUTING) != 0;
	return (wd_mmio_read64(&ed->bar, EDU_REG_DMA_CMD) & EDU_DMA_CMD_RUN) != 0;
}

/* Acknowledge every pending interrupt cause; remember which ones were seen. */
static void
edu_ack_irqs(struct edu_dev *ed)
{
	uint32_t st = wd_mmio_read32(&ed->bar, EDU_REG_IRQ_STATUS);

	if (st != 0) {
		wd_mmio_write32(&ed->bar, EDU_REG_IRQ_ACK, st);
		ed->irq_causes |= st;
	}
}

static bool
edu_req_valid(const struct edu_req *r)
{
	switch (r->op) {
	case EDU_REQ_DMA_TO_DEV:
	case EDU_REQ_DMA_FROM_DEV:
		/* the transfer must end before the buffer's last byte (EDU_DMA_LEN_MAX) */
		return r->buf != NULL && r->len > 0 && r->len <= EDU_DMA_LEN_MAX &&
		       r->dev_off <= EDU_DMA_LEN_MAX - r->len;
	case EDU_REQ_FACT:
		return true;
	}
	return false;
}

/* Write everything but the start command. */
static void
edu_program(struct edu_queue *q, const struct edu_req *r)
{
	const struct wd_mmio *m = &q->ed->bar;

	switch (r->op) {
	case EDU_REQ_DMA_TO_DEV:
		wd_mmio_write64(m, EDU_REG_DMA_SRC, wd_dma_iova(r->buf));
		wd_mmio_write64(m, EDU_REG_DMA_DST, EDU_DMA_BUF_ADDR + r->dev_off);
		wd_mmio_write64(m, EDU_REG_DMA_CNT, r->len);
		break;
	case EDU_REQ_DMA_FROM_DEV:
		wd_mmio_write64(m, EDU_REG_DMA_SRC, EDU_DMA_BUF_ADDR + r->dev_off);
		wd_mmio_write64(m, EDU_REG_DMA_DST, wd_dma_iova(r->buf));
		wd_mmio_write64(m, EDU_REG_DMA_CNT, r->len);
		break;
	case EDU_REQ_FACT:
		wd_mmio_write32(m, EDU_REG_STATUS, q->irq ? EDU_STATUS_IRQFACT : 0);
		break;
	}
}

/* The doorbell: start the engine. */
static void
edu_start(struct edu_queue *q)
{
	const struct edu_req *r = q->req;
	const struct wd_mmio *m = &q->ed->bar;
	uint64_t cmd = EDU_DMA_CMD_RUN | (q->irq ? EDU_DMA_CMD_IRQ : 0);

	switch (r->op) {
	case EDU_REQ_DMA_TO_DEV:
		wd_mmio_write64(m, EDU_REG_DMA_CMD, cmd);
		break;
	case EDU_REQ_DMA_FROM_DEV:
		wd_mmio_write64(m, EDU_REG_DMA_CMD, cmd | EDU_DMA_CMD_TO_RAM);
		break;
	case EDU_REQ_FACT:
		wd_mmio_write32(m, EDU_REG_FACT, r->fact_in);
		break;
	}
	q->started = true;
}

/* ---- queue operations ---------------------------------------------------------- */

static int
edu_queue_init(struct wd_dev *dev, const struct wd_queue_attr *attr, void *qpriv)
{
	struct edu_dev *ed = wd_dev_priv(dev);
	struct edu_queue *q = qpriv;

	if (ed->queue_taken)
		return -EBUSY;
	if (attr->depth > 1)
		return -EINVAL;
	q->dev = dev;
	q->ed = ed;
	q->irq = (attr->flags & WD_QUEUE_F_IRQ) && ed->irq_fd >= 0;
	ed->queue_taken = true;
	/* Causes left over from before this queue belong to nobody. */
	edu_ack_irqs(ed);
	ed->irq_causes = 0;
	return 0;
}

static void
edu_queue_fini(struct wd_dev *dev, void *qpriv)
{
	struct edu_queue *q = qpriv;
	uint64_t hz = rte_get_timer_hz();
	uint64_t end = rte_get_timer_cycles() + hz * EDU_DRAIN_TIMEOUT_MS / 1000;

	/* edu cannot abort a transfer: let it finish before the buffers go. */
	if (q->req != NULL && q->started && !q->malformed) {
		while (edu_engine_busy(q->ed, q->req->op)) {
			if (rte_get_timer_cycles() >= end) {
				EDU_LOG(ERR, "%s: engine still busy after %d ms at release",
					wd_dev_name(dev), EDU_DRAIN_TIMEOUT_MS);
				break;
			}
			rte_delay_us_sleep(1000);
		}
	}
	edu_ack_irqs(q->ed);
	q->req = NULL;
	q->ed->queue_taken = false;
}

static uint16_t
edu_queue_send(void *qpriv, void **reqs, uint16_t n, bool doorbell)
{
	struct edu_queue *q = qpriv;
	struct edu_req *r;

	if (n == 0 || q->req != NULL)
		return 0;
	r = reqs[0];
	q->req = r;
	q->started = false;
	q->malformed = !edu_req_valid(r);
	if (q->malformed) {
		EDU_LOG(DEBUG, "%s: malformed request (op %d, len %u, offset %u)",
			wd_dev_name(q->dev), (int)r->op, r->len, r->dev_off);
		return 1;
	}
	edu_program(q, r);
	if (doorbell)
		edu_start(q);
	return 1;
}

static void
edu_queue_flush(void *qpriv)
{
	struct edu_queue *q = qpriv;

	if (q->req != NULL && !q->started && !q->malformed)
		edu_start(q);
}

static uint16_t
edu_queue_recv(void *qpriv, void **resps, uint16_t n)
{
	struct edu_queue *q = qpriv;
	struct edu_req *r = q->req;

	if (n == 0 || r == NULL)
		return 0;
	if (q->malformed) {
		r->status = -EINVAL;
	} else {
		if (!q->started || edu_engine_busy(q->ed, r->op))
			return 0;
		if (r->op == EDU_REQ_FACT)
			r->fact_out = wd_mmio_read32(&q->ed->bar, EDU_REG_FACT);
		edu_ack_irqs(q->ed);
		r->status = 0;
	}
	q->req = NULL;
	resps[0] = r;
	return 1;
}

static int
edu_queue_irq_arm(void *qpriv)
{
	struct edu_queue *q = qpriv;

	/* MSI is edge-triggered and edu signals every cause: nothing to re-arm. */
	if (!q->irq)
		return -ENOTSUP;
	q->ed->irq_arms++;
	return q->ed->irq_fd;
}

static unsigned int
edu_queue_inflight(const void *qpriv)
{
	const struct edu_queue *q = qpriv;

	return q->req != NULL ? 1 : 0;
}

static unsigned int
edu_queue_capacity(const void *qpriv)
{
	RTE_SET_USED(qpriv);
	return 1;
}

static const struct wd_queue_ops edu_qops = {
	.priv_size = sizeof(struct edu_queue),
	.init = edu_queue_init,
	.fini = edu_queue_fini,
	.send = edu_queue_send,
	.flush = edu_queue_flush,
	.recv = edu_queue_recv,
	.irq_arm = edu_queue_irq_arm,
	.inflight = edu_queue_inflight,
	.capacity = edu_queue_capacity,
};

/* ---- probe / remove ------------------------------------------------------------ */

static int
edu_probe(struct wd_dev *dev)
{
	struct edu_dev *ed = calloc(1, sizeof(*ed));
	struct wd_dev_attrs attrs = {
		.api = EDU_DRV_API,
		.algorithms = EDU_DRV_ALG,
		.queues_total = 1,
		.queue_depth_max = 1,
	};
	uint32_t v;
	int ret;

	if (ed == NULL)
		return -ENOMEM;
	ed->irq_fd = -1;
	ret = wd_dev_bar(dev, 0, &ed->bar);
	if (ret < 0) {
		EDU_LOG(ERR, "%s: no BAR0: %s", wd_dev_name(dev), strerror(-ret));
		goto fail;
	}
	if (ed->bar.len < EDU_BAR0_SIZE) {
		EDU_LOG(ERR, "%s: BAR0 is %" PRIu64 " bytes, expected %u", wd_dev_name(dev),
			ed->bar.len, EDU_BAR0_SIZE);
		ret = -ENODEV;
		goto fail;
	}
	v = wd_mmio_read32(&ed->bar, EDU_REG_ID);
	if (v != EDU_ID_VALUE) {
		EDU_LOG(ERR, "%s: ID register reads 0x%08x, not an edu device",
			wd_dev_name(dev), v);
		ret = -ENODEV;
		goto fail;
	}
	wd_mmio_write32(&ed->bar, EDU_REG_LIVENESS, 0x5aa5c33cu);
	v = wd_mmio_read32(&ed->bar, EDU_REG_LIVENESS);
	if (v != ~0x5aa5c33cu) {
		EDU_LOG(ERR, "%s: liveness register reads 0x%08x", wd_dev_name(dev), v);
		ret = -EIO;
		goto fail;
	}
	ret = wd_dev_irq_enable(dev, 1, &ed->irq_fd);
	if (ret < 0) {
		EDU_LOG(WARNING, "%s: no MSI (%s): queues will poll", wd_dev_name(dev),
			strerror(-ret));
		ed->irq_fd = -1;
	} else {
		attrs.flags |= WD_DEV_F_IRQ;
	}
	ret = wd_dev_set_attrs(dev, &attrs);
	if (ret < 0)
		goto fail;
	wd_dev_set_priv(dev, ed);
	edu_probes++;
	return 0;
fail:
	if (ed->irq_fd >= 0)
		wd_dev_irq_disable(dev);
	free(ed);
	return ret;
}

static void
edu_remove(struct wd_dev *dev)
{
	struct edu_dev *ed = wd_dev_priv(dev);

	wd_dev_irq_disable(dev);
	wd_dev_set_priv(dev, NULL);
	free(ed);
	edu_removes++;
}

static struct wd_driver edu_driver = {
	.name = EDU_DRV_NAME,
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
	.qops = &edu_qops,
};

WD_DRIVER_REGISTER(edu_driver);

void
edu_drv_stats_get(const struct wd_dev *dev, struct edu_drv_stats *st)
{
	const struct edu_dev *ed = dev != NULL ? wd_dev_priv(dev) : NULL;

	memset(st, 0, sizeof(*st));
	st->probes = edu_probes;
	st->removes = edu_removes;
	st->irq_fd = -1;
	if (ed != NULL && wd_dev_driver(dev) == &edu_driver) {
		st->irq_arms = ed->irq_arms;
		st->irq_causes = ed->irq_causes;
		st->irq_fd = ed->irq_fd;
	}
}
