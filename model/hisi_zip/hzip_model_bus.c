/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Glue between the device model and lib/wd_core's model bus: registers the
 * provider "hisi_zip" (the default for "model[:key=value,...]" specs).
 * wd_core creates a function from the spec arguments, maps all of EAL's
 * memory into the model's IOMMU through dma_map, sets bus mastering through
 * cfg_write and probes the driver matched by vendor/device id. The driver
 * then reaches BAR2 through the wd_mmio accessors below, exactly as it
 * would reach a vfio-pci BAR.
 */
#include <errno.h>
#include <stdio.h>

#include "hzip_model.h"
#include "hzm_private.h"
#include "wd_drv.h"

#define HZM_BAR 2

static uint32_t
bar_read32(void *ctx, uint64_t off)
{
	return hzip_model_read32(ctx, HZM_BAR, off);
}

static uint64_t
bar_read64(void *ctx, uint64_t off)
{
	return hzip_model_read64(ctx, HZM_BAR, off);
}

static void
bar_read128(void *ctx, uint64_t off, uint64_t *lo, uint64_t *hi)
{
	hzip_model_read128(ctx, HZM_BAR, off, lo, hi);
}

static void
bar_write32(void *ctx, uint64_t off, uint32_t val)
{
	hzip_model_write32(ctx, HZM_BAR, off, val);
}

static void
bar_write64(void *ctx, uint64_t off, uint64_t val)
{
	hzip_model_write64(ctx, HZM_BAR, off, val);
}

static void
bar_write128(void *ctx, uint64_t off, uint64_t lo, uint64_t hi)
{
	hzip_model_write128(ctx, HZM_BAR, off, lo, hi);
}

static const struct wd_mmio_ops hzm_mmio_ops = {
	.read32 = bar_read32,
	.read64 = bar_read64,
	.read128 = bar_read128,
	.write32 = bar_write32,
	.write64 = bar_write64,
	.write128 = bar_write128,
};

static int
bus_bar_get(void *ctx, unsigned int bar, struct wd_mmio *mmio)
{
	uint64_t size = hzip_model_bar_size(ctx, bar);

	if (size == 0 || mmio == NULL)
		return -EINVAL;
	mmio->base = NULL;
	mmio->len = size;
	mmio->ops = &hzm_mmio_ops;
	mmio->ctx = ctx;
	return 0;
}

static int
bus_cfg_read(void *ctx, unsigned int off, void *buf, unsigned int len)
{
	return hzip_model_cfg_read(ctx, off, buf, len);
}

static int
bus_cfg_write(void *ctx, unsigned int off, const void *buf, unsigned int len)
{
	return hzip_model_cfg_write(ctx, off, buf, len);
}

static int
bus_reset(void *ctx)
{
	return hzip_model_reset(ctx);
}

static int
bus_irq_enable(void *ctx, unsigned int nvec, int *efds)
{
	return hzip_model_irq_enable(ctx, nvec, efds);
}

static void
bus_irq_disable(void *ctx)
{
	hzip_model_irq_disable(ctx);
}

static int
bus_dma_map(void *ctx, uint64_t va, uint64_t iova, uint64_t len)
{
	return hzip_model_dma_map(ctx, va, iova, len);
}

static int
bus_dma_unmap(void *ctx, uint64_t iova, uint64_t len)
{
	return hzip_model_dma_unmap(ctx, iova, len);
}

static void
bus_destroy(void *ctx)
{
	hzip_model_destroy(ctx);
}

static const struct wd_bus_ops hzm_bus_ops = {
	.bar_get = bus_bar_get,
	.cfg_read = bus_cfg_read,
	.cfg_write = bus_cfg_write,
	.reset = bus_reset,
	.irq_enable = bus_irq_enable,
	.irq_disable = bus_irq_disable,
	.dma_map = bus_dma_map,
	.dma_unmap = bus_dma_unmap,
	.destroy = bus_destroy,
};

static int
provider_create(const char *args, struct wd_model_desc *desc)
{
	struct hzip_model_params p;
	struct hzip_model *m;
	char err[160];
	int ret;

	hzip_model_params_default(&p);
	ret = hzip_model_params_parse(args, &p, err, sizeof(err));
	if (ret < 0) {
		rte_log(RTE_LOG_ERR, hzm_logtype, "model.hisi_zip: bad device arguments \"%s\": "
			"%s\n", args != NULL ? args : "", err);
		return ret;
	}
	ret = hzip_model_create(&p, &m);
	if (ret < 0)
		return ret;
	desc->name[0] = '\0';
	desc->vendor_id = hzip_model_vendor_id(m);
	desc->device_id = hzip_model_device_id(m);
	desc->revision = hzip_model_revision(m);
	desc->numa_node = p.numa_node;
	desc->ops = &hzm_bus_ops;
	desc->ctx = m;
	return 0;
}

static struct wd_model_provider hzm_provider = {
	.name = "hisi_zip",
	.create = provider_create,
};

RTE_INIT(hzm_provider_register)
{
	wd_model_provider_register(&hzm_provider);
}
