/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model-bus glue (hzip_model_bus.c): "model[:...]" specs attached
 * through lib/wd_core create a model function, map EAL's memory into its
 * IOMMU, turn bus mastering on and probe the driver matched by 19e5:a250 /
 * a251. A tiny test driver (registered here; the real hisi_zip driver is
 * not linked) initialises the function through wd_mmio only, exactly as a
 * driver reaches silicon, and runs one request from hugepage memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "wd.h"
#include "wd_drv.h"
#include "wd_test.h"

/* What the test driver saw at probe (checked by the tests). */
static struct {
	int probes;
	int probe_ret;
	uint64_t bar_len;
	uint16_t vendor, device, cmd;
	uint32_t revision_reg;
	uint32_t status;		/* SQE status of the probe's request */
	uint32_t produced;
	bool output_ok;
	uint32_t queues;
} seen;

#define T_TIMEOUT_MS 2000

static bool
poll32(const struct wd_mmio *mm, uint64_t off, uint32_t mask, uint32_t want)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * T_TIMEOUT_MS / 1000;

	while ((wd_mmio_read32(mm, off) & mask) != want)
		if (rte_get_timer_cycles() > end)
			return false;
	return true;
}

static int
mbox(const struct wd_mmio *mm, unsigned int cmd, bool rd, uint16_t qn, uint64_t base,
     uint64_t *out)
{
	uint64_t lo, hi;

	if (!poll32(mm, 0x300, 1u << 13, 0))
		return -ETIMEDOUT;
	lo = cmd | (1u << 13) | (rd ? 1u << 14 : 0) | ((uint64_t)qn << 16) | (base << 32);
	wd_mmio_write128(mm, 0x300, lo, base >> 32);
	if (!poll32(mm, 0x300, 1u << 13, 0))
		return -ETIMEDOUT;
	wd_mmio_read128(mm, 0x300, &lo, &hi);
	if (out != NULL)
		*out = (lo >> 32) | (hi << 32);
	return (int)((lo >> 9) & 0xf);
}

/* Probe: the minimum of 9.3 (or 9.3a for a VF), one queue, one store request. */
static int
tdrv_probe(struct wd_dev *dev)
{
	struct wd_dev_attrs attrs = { .api = "hisi_qm_v2", .algorithms = "zlib\ngzip" };
	const size_t len = 10000, depth = 8;
	struct wd_mmio mm;
	uint8_t *ctx, *ring, *src, *dst, *bt;
	uint64_t vft, iova;
	uint32_t dw[32];
	bool vf;
	int ret;

	seen.probes++;
	ret = wd_dev_bar(dev, 2, &mm);
	if (ret < 0)
		return ret;
	seen.bar_len = mm.len;
	wd_dev_cfg_read(dev, 0, &seen.vendor, 2);
	wd_dev_cfg_read(dev, 2, &seen.device, 2);
	wd_dev_cfg_read(dev, 4, &seen.cmd, 2);
	vf = seen.device == 0xa251;
	ctx = wd_dma_zmalloc(4096, 4096, SOCKET_ID_ANY);
	ring = wd_dma_zmalloc(depth * 128 + depth * 16, 4096, SOCKET_ID_ANY);
	bt = wd_dma_zmalloc(2 * 32 * 1024, 4096, SOCKET_ID_ANY);
	src = wd_dma_zmalloc(len, 64, SOCKET_ID_ANY);
	dst = wd_dma_zmalloc(2 * len, 64, SOCKET_ID_ANY);
	if (ctx == NULL || ring == NULL || bt == NULL || src == NULL || dst == NULL)
		return -ENOMEM;
	if (!vf) {
		seen.revision_reg = wd_mmio_read32(&mm, 0x1000dc);
		wd_mmio_write32(&mm, 0x100040, 1);
		if (!poll32(&mm, 0x100044, 1, 1))
			return -ETIMEDOUT;
		wd_mmio_write32(&mm, 0x301004, 0x100ff);
		/* VFT: 16 queues from 0 */
		wd_mmio_write32(&mm, 0x100058, 0);
		wd_mmio_write32(&mm, 0x10005c, 0);
		wd_mmio_write32(&mm, 0x100060, 0);
		wd_mmio_write32(&mm, 0x100064, 0);
		wd_mmio_write32(&mm, 0x100068, (uint32_t)((1ull << 44 | 15ull << 45) >> 32));
		wd_mmio_write32(&mm, 0x10006c, 0);
		wd_mmio_write32(&mm, 0x100054, 1);
		if (!poll32(&mm, 0x10006c, 1, 1))
			return -ETIMEDOUT;
		wd_mmio_write32(&mm, 0x10005c, 1);
		wd_mmio_write32(&mm, 0x100064, 1u << 28);
		wd_mmio_write32(&mm, 0x100068, 0);
		wd_mmio_write32(&mm, 0x10006c, 0);
		wd_mmio_write32(&mm, 0x100054, 1);
		if (!poll32(&mm, 0x10006c, 1, 1))
			return -ETIMEDOUT;
	}
	if (mbox(&mm, 6, true, 0, 0, &vft) != 0)
		return -EIO;
	seen.queues = (uint32_t)((vft >> 45) & 0x3ff) + 1;
	iova = wd_dma_iova(bt);
	if (mbox(&mm, 4, false, 0, iova, NULL) != 0 ||
	    mbox(&mm, 5, false, 0, iova + 32 * 1024, NULL) != 0)
		return -EIO;
	/* queue 0: SQC (compress) then CQC */
	memset(dw, 0, sizeof(dw));
	iova = wd_dma_iova(ring);
	dw[1] = (uint32_t)iova;
	dw[2] = (uint32_t)(iova >> 32);
	dw[3] = (depth - 1) | (7u << 12);
	memcpy(ctx, dw, 32);
	if (mbox(&mm, 0, false, 0, wd_dma_iova(ctx), NULL) != 0)
		return -EIO;
	iova += depth * 128;
	dw[1] = (uint32_t)iova;
	dw[2] = (uint32_t)(iova >> 32);
	dw[3] = (depth - 1) | (4u << 12);
	dw[6] = 1;
	memcpy(ctx, dw, 32);
	if (mbox(&mm, 1, false, 0, wd_dma_iova(ctx), NULL) != 0)
		return -EIO;
	/* one stateless zlib request from hugepage memory (mapped by wd_core at attach) */
	for (size_t i = 0; i < len; i++)
		src[i] = (uint8_t)("model bus "[i % 10]);
	memset(dw, 0, sizeof(dw));
	dw[4] = (uint32_t)len;
	dw[9] = 0x02;
	dw[14] = (uint32_t)(2 * len - 2);
	dw[18] = (uint32_t)wd_dma_iova(src);
	dw[19] = (uint32_t)(wd_dma_iova(src) >> 32);
	dw[20] = (uint32_t)wd_dma_iova(dst + 2);
	dw[21] = (uint32_t)(wd_dma_iova(dst + 2) >> 32);
	memcpy(ring, dw, 128);
	dst[0] = 0x78;
	dst[1] = 0x9c;
	rte_wmb();
	wd_mmio_write64(&mm, 0x1000, 0 | (0ull << 12) | (1ull << 32));
	{
		uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * T_TIMEOUT_MS / 1000;
		volatile uint16_t *w7 = (volatile uint16_t *)(void *)(ring + depth * 128 + 14);

		while ((*w7 & 1) != 1)
			if (rte_get_timer_cycles() > end)
				return -ETIMEDOUT;
		rte_rmb();
	}
	memcpy(dw, ring, 128);
	seen.status = dw[3] & 0xff;
	seen.produced = dw[1];
	{
		uint8_t *chk = malloc(len);
		uLongf n = len;

		seen.output_ok = chk != NULL &&
				 uncompress(chk, &n, dst, dw[1] + 2) == Z_OK && n == len &&
				 memcmp(chk, src, len) == 0;
		free(chk);
	}
	wd_mmio_write64(&mm, 0x1000, 0 | (1ull << 12) | (1ull << 32));
	attrs.queues_total = seen.queues;
	attrs.queue_depth_max = 1024;
	wd_dma_free(ctx);
	wd_dma_free(ring);
	wd_dma_free(bt);
	wd_dma_free(src);
	wd_dma_free(dst);
	return wd_dev_set_attrs(dev, &attrs);
}

static void
tdrv_remove(struct wd_dev *dev)
{
	(void)dev;
}

static const struct wd_pci_id tdrv_ids[] = {
	{ 0x19e5, 0xa250 },
	{ 0x19e5, 0xa251 },
	{ 0, 0 },
};

static struct wd_driver tdrv = {
	.name = "test_hzm",
	.id_table = tdrv_ids,
	.probe = tdrv_probe,
	.remove = tdrv_remove,
};
WD_DRIVER_REGISTER(tdrv);

static void
test_attach_pf(void **state)
{
	struct wd_dev *dev = NULL;
	struct wd_dev_info info;
	int efds[8];

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(wd_dev_attach("model:engine=store,queues=16", &dev), 0);
	assert_int_equal(seen.probes, 1);
	assert_int_equal(seen.vendor, 0x19e5);
	assert_int_equal(seen.device, 0xa250);
	assert_int_equal(seen.cmd & 0x6, 0x6);	/* memory + bus master, set by wd_core */
	assert_int_equal(seen.bar_len, 4u << 20);
	assert_int_equal(seen.revision_reg, 0x21);
	assert_int_equal(seen.queues, 16);
	assert_int_equal(seen.status, 0);
	assert_true(seen.output_ok);
	assert_int_equal(wd_dev_info_get(dev, &info), 0);
	assert_string_equal(info.driver, "test_hzm");
	assert_string_equal(info.bus, "model");
	assert_int_equal(info.revision, 0x21);
	/* MSI vectors on eventfds through wd_core: 4 on a PF */
	assert_int_equal(wd_dev_irq_enable(dev, 4, efds), 0);
	assert_true(efds[0] >= 0 && efds[3] >= 0);
	wd_dev_irq_disable(dev);
	assert_true(wd_dev_irq_enable(dev, 5, efds) < 0);
	/* function reset through the bus (VFIO_DEVICE_RESET on silicon) */
	{
		struct wd_mmio mm;

		assert_int_equal(wd_dev_bar(dev, 2, &mm), 0);
		wd_mmio_write32(&mm, 0x1000d8, 0x5a5a);
		assert_int_equal(wd_dev_reset(dev), 0);
		assert_int_equal(wd_mmio_read32(&mm, 0x1000d8), 0x19e5);
		assert_int_equal(wd_mmio_read32(&mm, 0x301004), 0);
	}
	assert_true(wd_dev_bar(dev, 0, &(struct wd_mmio){ 0 }) < 0);
	assert_int_equal(wd_dev_detach(dev), 0);
}

static void
test_attach_vf_and_bad_args(void **state)
{
	struct wd_dev *dev = NULL;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(wd_dev_attach("model:type=hisi_zip,vf=1,queues=4,engine=store", &dev),
			 0);
	assert_int_equal(seen.device, 0xa251);
	assert_int_equal(seen.bar_len, 64u << 10);
	assert_int_equal(seen.queues, 4);
	assert_int_equal(seen.status, 0);
	assert_true(seen.output_ok);
	assert_int_equal(wd_dev_detach(dev), 0);
	/* strict arguments: the model refuses unknown keys and bad values */
	assert_int_equal(wd_dev_attach("model:engine=turbo", &dev), -EINVAL);
	assert_int_equal(wd_dev_attach("model:nonsense=1", &dev), -EINVAL);
	assert_int_equal(wd_dev_attach("model:type=nosuchmodel", &dev), -ENODEV);
}

static void
test_dma_map_user_memory(void **state)
{
	struct wd_dev *dev = NULL;
	void *p = NULL;

	(void)state;
	/* wd_dma_map() of malloc'ed memory reaches the model's IOMMU */
	assert_int_equal(wd_dev_attach("model:engine=store", &dev), 0);
	assert_int_equal(posix_memalign(&p, 4096, 1 << 16), 0);
	assert_int_equal(wd_dma_map(p, 1 << 16), 0);
	assert_int_equal(wd_dma_unmap(p, 1 << 16), 0);
	free(p);
	assert_int_equal(wd_dev_detach(dev), 0);
}

/*
 * EAL's memory is mapped into every model already: wd_dma_map() of it is
 * -EEXIST, whether a model is attached or not, and leaves it mapped (a
 * model attached afterwards still maps all of EAL's memory).
 */
static void
test_dma_map_eal_memory(void **state)
{
	struct wd_dev *dev = NULL;
	void *p = wd_dma_zmalloc(1 << 20, 4096, WD_SOCKET_ANY);

	(void)state;
	assert_non_null(p);
	assert_int_equal(wd_dma_map(p, 1 << 20), -EEXIST);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(wd_dev_attach("model:engine=store", &dev), 0);
	assert_int_equal(wd_dma_map(p, 1 << 20), -EEXIST);
	assert_int_equal(wd_dma_unmap(p, 1 << 20), -EINVAL);
	assert_int_equal(wd_dma_map(p, SIZE_MAX), -EINVAL);
	wd_dma_free(p);
	assert_int_equal(wd_dev_detach(dev), 0);
	/* and the memory of the probe's request is still mapped for the next device */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(wd_dev_attach("model:engine=store", &dev), 0);
	assert_int_equal(seen.status, 0);
	assert_true(seen.output_ok);
	assert_int_equal(wd_dev_detach(dev), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_pf),
		cmocka_unit_test(test_attach_vf_and_bad_args),
		cmocka_unit_test(test_dma_map_user_memory),
		cmocka_unit_test(test_dma_map_eal_memory),
	};
	int ret;

	(void)argc;
	wd_test_eal_init(argv[0], 256);
	ret = cmocka_run_group_tests_name("model_bus", tests, NULL, NULL);
	wd_cleanup();
	wd_test_eal_cleanup();
	return ret;
}
