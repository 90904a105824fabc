/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/wd_core with a fake bus provider and a fake driver:
 * spec strings and bus selection, the device registry, DMA memory and the
 * IOMMU mappings a bus learns, the queue API (arguments, errors, full
 * queue, timeouts, interrupt sleep, batching), fork behaviour, the IOVA
 * mode check, and the order of MMIO accesses delivered to an emulated BAR.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "wd.h"
#include "wd_core_private.h"
#include "wd_drv.h"
#include "wd_test.h"

#define FAKE_VENDOR 0xfeed
#define FAKE_DEVICE 0x0001
#define FAKE_QUEUES 4
#define FAKE_DEPTH_MAX 64

/* ---- fake bus provider: an emulated function that records everything ---- */

#define MAX_LOG 64
#define MAX_MAPS 4096

struct mmio_rec {
	char op;        /* 'r' or 'w' */
	int width;      /* bits */
	uint64_t off;
	uint64_t lo, hi;
};

struct fake_fn {
	uint8_t cfg[256];
	struct mmio_rec log[MAX_LOG];
	unsigned int nlog;
	uint32_t regs[64];
	struct { uint64_t iova, len; } maps[MAX_MAPS];
	unsigned int nmaps;
	int resets;
	int efd;
	bool destroyed;
};

static struct fake_fn *last_fn;

static void
rec(struct fake_fn *f, char op, int width, uint64_t off, uint64_t lo, uint64_t hi)
{
	if (f->nlog < MAX_LOG)
		f->log[f->nlog++] = (struct mmio_rec){ op, width, off, lo, hi };
}

static uint32_t
f_read32(void *ctx, uint64_t off)
{
	struct fake_fn *f = ctx;

	rec(f, 'r', 32, off, 0, 0);
	return off / 4 < 64 ? f->regs[off / 4] : 0;
}

static uint64_t
f_read64(void *ctx, uint64_t off)
{
	rec(ctx, 'r', 64, off, 0, 0);
	return 0;
}

static void
f_read128(void *ctx, uint64_t off, uint64_t *lo, uint64_t *hi)
{
	rec(ctx, 'r', 128, off, 0, 0);
	*lo = 1;
	*hi = 2;
}

static void
f_write32(void *ctx, uint64_t off, uint32_t v)
{
	struct fake_fn *f = ctx;

	rec(f, 'w', 32, off, v, 0);
	if (off / 4 < 64)
		f->regs[off / 4] = v;
}

static void
f_write64(void *ctx, uint64_t off, uint64_t v)
{
	rec(ctx, 'w', 64, off, v, 0);
}

static void
f_write128(void *ctx, uint64_t off, uint64_t lo, uint64_t hi)
{
	rec(ctx, 'w', 128, off, lo, hi);
}

static const struct wd_mmio_ops fake_mmio_ops = {
	.read32 = f_read32, .read64 = f_read64, .read128 = f_read128,
	.write32 = f_write32, .write64 = f_write64, .write128 = f_write128,
};

static int
fb_bar_get(void *ctx, unsigned int bar, struct wd_mmio *m)
{
	if (bar != 2)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->len = 4096;
	m->ops = &fake_mmio_ops;
	m->ctx = ctx;
	return 0;
}

static int
fb_cfg_read(void *ctx, unsigned int off, void *buf, unsigned int len)
{
	struct fake_fn *f = ctx;

	if (off + len > sizeof(f->cfg))
		return -EINVAL;
	memcpy(buf, f->cfg + off, len);
	return 0;
}

static int
fb_cfg_write(void *ctx, unsigned int off, const void *buf, unsigned int len)
{
	struct fake_fn *f = ctx;

	if (off + len > sizeof(f->cfg))
		return -EINVAL;
	memcpy(f->cfg + off, buf, len);
	return 0;
}

static int
fb_reset(void *ctx)
{
	struct fake_fn *f = ctx;

	f->resets++;
	memset(f->cfg + 4, 0, 2); /* a reset clears the command register */
	return 0;
}

static int
fb_irq_enable(void *ctx, unsigned int nvec, int *efds)
{
	struct fake_fn *f = ctx;

	if (nvec != 1)
		return -EINVAL;
	f->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	efds[0] = f->efd;
	return f->efd < 0 ? -errno : 0;
}

static void
fb_irq_disable(void *ctx)
{
	struct fake_fn *f = ctx;

	if (f->efd >= 0)
		close(f->efd);
	f->efd = -1;
}

static int
fb_dma_map(void *ctx, uint64_t va, uint64_t iova, uint64_t len)
{
	struct fake_fn *f = ctx;

	if (va != iova || f->nmaps == MAX_MAPS)
		return -EINVAL;
	f->maps[f->nmaps].iova = iova;
	f->maps[f->nmaps].len = len;
	f->nmaps++;
	return 0;
}

static int
fb_dma_unmap(void *ctx, uint64_t iova, uint64_t len)
{
	struct fake_fn *f = ctx;

	for (unsigned int i = 0; i < f->nmaps; i++) {
		if (f->maps[i].iova == iova && f->maps[i].len == len) {
			f->maps[i] = f->maps[--f->nmaps];
			return 0;
		}
	}
	return -ENOENT;
}

static void
fb_destroy(void *ctx)
{
	struct fake_fn *f = ctx;

	f->destroyed = true; /* freed by the test, which inspects it */
}

static const struct wd_bus_ops fake_bus_ops = {
	.bar_get = fb_bar_get, .cfg_read = fb_cfg_read, .cfg_write = fb_cfg_write,
	.reset = fb_reset, .irq_enable = fb_irq_enable, .irq_disable = fb_irq_disable,
	.dma_map = fb_dma_map, .dma_unmap = fb_dma_unmap, .destroy = fb_destroy,
};

static int
fake_create(const char *args, struct wd_model_desc *d)
{
	struct fake_fn *f;

	if (args[0] != '\0' && strncmp(args, "queues=", 7) != 0 && strncmp(args, "name=", 5) != 0)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->efd = -1;
	d->vendor_id = FAKE_VENDOR;
	d->device_id = FAKE_DEVICE;
	d->revision = 0x21;
	d->numa_node = 0;
	d->ops = &fake_bus_ops;
	d->ctx = f;
	if (strncmp(args, "name=", 5) == 0)
		snprintf(d->name, sizeof(d->name), "%s", args + 5);
	last_fn = f;
	return 0;
}

static struct wd_model_provider fake_provider = { .name = "fake", .create = fake_create };

RTE_INIT(register_fake_provider)
{
	wd_model_provider_register(&fake_provider);
}

/* ---- fake driver: a loopback queue ---------------------------------------- */

struct fake_q {
	void *ring[FAKE_DEPTH_MAX];
	unsigned int head, tail, depth;
	unsigned int pending;   /* written, doorbell not rung */
	unsigned int doorbells;
	volatile unsigned int released; /* completions the "device" made visible */
	int efd;
	bool hold;              /* device does not complete until released */
};

static bool probe_fail;

static int
fake_probe(struct wd_dev *dev)
{
	struct wd_mmio m;
	struct wd_dev_attrs a = {
		.api = "fake_v1", .algorithms = "zlib\ngzip", .queues_total = FAKE_QUEUES,
		.queue_depth_max = FAKE_DEPTH_MAX, .flags = WD_DEV_F_IRQ,
	};
	uint64_t lo, hi;
	uint32_t q = 0;

	if (probe_fail)
		return -EIO;
	if (wd_dev_bar(dev, 2, &m) < 0)
		return -EIO;
	/* The MMIO sequence the ordering test checks. */
	wd_mmio_write32(&m, 0x10, 0x11111111);
	wd_mmio_write64(&m, 0x1000, 0x2222222222222222ULL);
	wd_mmio_write128(&m, 0x300, 0x3333, 0x4444);
	(void)wd_mmio_read32(&m, 0x10);
	wd_mmio_read128(&m, 0x300, &lo, &hi);
	wd_mmio_write32_relaxed(&m, 0x14, (uint32_t)(lo + hi));
	wd_mmio_write64(&m, 0x2000, 0x5555);
	if (wd_dev_arg_u32(dev, "queues", &q) == 0)
		a.queues_total = q;
	return wd_dev_set_attrs(dev, &a);
}

static void
fake_remove(struct wd_dev *dev)
{
	(void)dev;
}

static int
fq_init(struct wd_dev *dev, const struct wd_queue_attr *attr, void *priv)
{
	struct fake_q *q = priv;

	(void)dev;
	q->depth = attr->depth ? attr->depth : 16;
	q->efd = -1;
	return 0;
}

static void
fq_fini(struct wd_dev *dev, void *priv)
{
	(void)dev;
	(void)priv;
}

static uint16_t
fq_send(void *priv, void **reqs, uint16_t n, bool doorbell)
{
	struct fake_q *q = priv;
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (q->tail - q->head >= q->depth - 1)
			break;
		q->ring[q->tail++ % q->depth] = reqs[i];
		q->pending++;
	}
	if (doorbell && q->pending) {
		q->doorbells++;
		q->pending = 0;
		if (!q->hold)
			q->released = q->tail;
	}
	return i;
}

static void
fq_flush(void *priv)
{
	struct fake_q *q = priv;

	if (q->pending) {
		q->doorbells++;
		q->pending = 0;
		if (!q->hold)
			q->released = q->tail;
	}
}

static uint16_t
fq_recv(void *priv, void **resps, uint16_t n)
{
	struct fake_q *q = priv;
	uint16_t i = 0;

	while (i < n && q->head != q->released)
		resps[i++] = q->ring[q->head++ % q->depth];
	return i;
}

static int
fq_irq_arm(void *priv)
{
	return ((struct fake_q *)priv)->efd;
}

static unsigned int
fq_inflight(const void *priv)
{
	const struct fake_q *q = priv;

	return q->tail - q->head;
}

static unsigned int
fq_capacity(const void *priv)
{
	return ((const struct fake_q *)priv)->depth - 1;
}

static const struct wd_queue_ops fake_qops = {
	.priv_size = sizeof(struct fake_q), .init = fq_init, .fini = fq_fini,
	.send = fq_send, .flush = fq_flush, .recv = fq_recv, .irq_arm = fq_irq_arm,
	.inflight = fq_inflight, .capacity = fq_capacity,
};

static const struct wd_pci_id fake_ids[] = { { FAKE_VENDOR, FAKE_DEVICE }, { 0, 0 } };

static struct wd_driver fake_driver = {
	.name = "fake_drv", .id_table = fake_ids, .probe = fake_probe,
	.remove = fake_remove, .qops = &fake_qops,
};
WD_DRIVER_REGISTER(fake_driver)

/* ---- helpers --------------------------------------------------------------- */

static struct wd_dev *
attach_fake(const char *args)
{
	char spec[128];
	struct wd_dev *dev = NULL;

	snprintf(spec, sizeof(spec), "model:type=fake%s%s", args[0] ? "," : "", args);
	assert_int_equal(wd_dev_attach(spec, &dev), 0);
	assert_non_null(dev);
	return dev;
}

static struct fake_q *
qpriv(struct wd_queue *q)
{
	return q->priv;
}

static bool
fn_mapped(const struct fake_fn *f, const void *p, size_t len)
{
	uint64_t a = (uint64_t)(uintptr_t)p;

	for (unsigned int i = 0; i < f->nmaps; i++)
		if (a >= f->maps[i].iova && a + len <= f->maps[i].iova + f->maps[i].len)
			return true;
	return false;
}

/* ---- tests ----------------------------------------------------------------- */

static void
test_spec_parse(void **state)
{
	struct wd_spec s;

	(void)state;
	assert_int_equal(wd_spec_parse("sw", &s), 0);
	assert_int_equal(s.kind, WD_SPEC_SW);
	assert_int_equal(wd_spec_parse("model", &s), 0);
	assert_int_equal(s.kind, WD_SPEC_MODEL);
	assert_string_equal(s.args, "");
	assert_int_equal(wd_spec_parse("model:vf=1,queues=8,engine=store", &s), 0);
	assert_string_equal(s.args, "vf=1,queues=8,engine=store");
	assert_int_equal(wd_spec_parse("model,vf=0", &s), 0);
	assert_string_equal(s.args, "vf=0");
	assert_int_equal(wd_spec_parse("model:trace=/tmp/a.log", &s), 0);
	assert_int_equal(wd_spec_parse("0000:75:00.0", &s), 0);
	assert_int_equal(s.kind, WD_SPEC_PCI);
	assert_string_equal(s.name, "0000:75:00.0");
	assert_int_equal(wd_spec_parse("pci:0000:7A:00.1,queues=32", &s), 0);
	assert_string_equal(s.name, "0000:7a:00.1");
	assert_string_equal(s.args, "queues=32");
	assert_int_equal(wd_spec_parse("75:00.0", &s), 0);
	assert_string_equal(s.name, "0000:75:00.0");

	const char *bad[] = {
		"", "swx", "models", "model:", "model:=1", "model:vf", "model:vf=1,",
		"model:VF=1", "0000:75:00", "0000:75:00.8", "0000:7g:00.0", "pci:", "75.00.0",
		"0000:75:00.0:queues=1", NULL,
	};
	for (unsigned int i = 0; bad[i] != NULL; i++) {
		memset(&s, 0x5a, sizeof(s));
		if (strcmp(bad[i], "model:") == 0) {
			/* "model:" is "model" with no arguments */
			assert_int_equal(wd_spec_parse(bad[i], &s), 0);
			continue;
		}
		assert_int_equal(wd_spec_parse(bad[i], &s), -EINVAL);
	}
	assert_int_equal(wd_spec_parse(NULL, &s), -EINVAL);
	assert_int_equal(wd_spec_parse("sw", NULL), -EINVAL);
}

static void
test_bus_selection(void **state)
{
	struct wd_dev *dev = NULL;

	(void)state;
	/* sw is lib/wd_comp's, not a wd_core device */
	assert_int_equal(wd_dev_attach("sw", &dev), -EINVAL);
	/* EAL runs with --no-pci: no PCI function can be attached */
	assert_int_equal(wd_dev_attach("0000:99:00.0", &dev), -ENODEV);
	assert_int_equal(wd_dev_attach("model:type=nosuchmodel", &dev), -ENODEV);
	/* the provider rejects arguments it does not know */
	assert_int_equal(wd_dev_attach("model:type=fake,bogus=1", &dev), -EINVAL);
	assert_int_equal(wd_dev_attach("not a spec", &dev), -EINVAL);
	assert_int_equal(wd_dev_attach("model:type=fake", NULL), -EINVAL);
	assert_int_equal(wd_dev_count(), 0);
	/* no function here is bound to vfio-pci for a registered driver
	 * (the fake driver's ids do not exist on a real bus) */
	{
		char bdfs[4][16];

		assert_int_equal(wd_pci_bound_devices(bdfs, 4), 0);
		assert_int_equal(wd_pci_bound_devices(NULL, 0), 0);
	}
	/* a failing probe leaves nothing behind */
	probe_fail = true;
	assert_int_equal(wd_dev_attach("model:type=fake", &dev), -EIO);
	probe_fail = false;
	assert_int_equal(wd_dev_count(), 0);
	assert_true(last_fn->destroyed);
	free(last_fn);
}

static void
test_registry(void **state)
{
	struct wd_dev *a, *b;
	struct wd_dev_info info;
	struct fake_fn *fa;
	uint16_t cmd;

	(void)state;
	a = attach_fake("name=fake_a");
	fa = last_fn;
	b = attach_fake("queues=2");
	assert_int_equal(wd_dev_count(), 2);
	assert_ptr_equal(wd_dev_find("fake_a"), a);
	assert_ptr_equal(wd_dev_get(0), a);
	assert_ptr_equal(wd_dev_get(1), b);
	assert_null(wd_dev_get(2));
	assert_null(wd_dev_find("nope"));
	assert_int_equal(wd_dev_info_get(a, &info), 0);
	assert_string_equal(info.name, "fake_a");
	assert_string_equal(info.driver, "fake_drv");
	assert_string_equal(info.api, "fake_v1");
	assert_string_equal(info.bus, "model");
	assert_string_equal(info.algorithms, "zlib\ngzip");
	assert_int_equal(info.vendor_id, FAKE_VENDOR);
	assert_int_equal(info.device_id, FAKE_DEVICE);
	assert_int_equal(info.revision, 0x21);
	assert_int_equal(info.queues_total, FAKE_QUEUES);
	assert_int_equal(info.queues_available, FAKE_QUEUES);
	assert_int_equal(info.numa_node, 0);
	assert_int_equal(info.numa_distance, 10);
	assert_true(info.flags & WD_DEV_F_MODEL);
	assert_true(info.flags & WD_DEV_F_IRQ);
	assert_true(info.flags & WD_DEV_F_IOVA_VA);
	assert_false(info.flags & WD_DEV_F_PCI);
	assert_int_equal(wd_dev_info_get(b, &info), 0);
	assert_int_equal(info.queues_total, 2);   /* device argument reached the driver */
	assert_true(wd_dev_has_alg(a, "gzip"));
	assert_true(wd_dev_has_alg(a, "zlib"));
	assert_false(wd_dev_has_alg(a, "zli"));
	assert_false(wd_dev_has_alg(a, "deflate"));
	assert_false(wd_dev_has_alg(a, ""));
	assert_int_equal(wd_dev_info_get(NULL, &info), -EINVAL);
	/* attach enabled bus mastering and memory decoding */
	memcpy(&cmd, fa->cfg + 4, 2);
	assert_int_equal(cmd & 0x6, 0x6);
	/* reset goes to the bus, then bus mastering is restored */
	assert_int_equal(wd_dev_reset(a), 0);
	assert_int_equal(fa->resets, 1);
	memcpy(&cmd, fa->cfg + 4, 2);
	assert_int_equal(cmd & 0x4, 0x4);
	assert_int_equal(wd_dev_detach(a), 0);
	assert_true(fa->destroyed);
	free(fa);
	assert_int_equal(wd_dev_count(), 1);
	assert_ptr_equal(wd_dev_get(0), b);
	assert_int_equal(wd_dev_detach(b), 0);
	free(last_fn);
	assert_int_equal(wd_dev_count(), 0);
	assert_int_equal(wd_dev_detach(NULL), -EINVAL);
}

static void
test_mmio_order(void **state)
{
	struct wd_dev *dev;
	struct fake_fn *f;
	const struct mmio_rec want[] = {
		{ 'w', 32, 0x10, 0x11111111, 0 },
		{ 'w', 64, 0x1000, 0x2222222222222222ULL, 0 },
		{ 'w', 128, 0x300, 0x3333, 0x4444 },
		{ 'r', 32, 0x10, 0, 0 },
		{ 'r', 128, 0x300, 0, 0 },
		{ 'w', 32, 0x14, 3, 0 },
		{ 'w', 64, 0x2000, 0x5555, 0 },
	};

	(void)state;
	dev = attach_fake("");
	f = last_fn;
	/* every access reached the model, in program order, with its width;
	 * the 128-bit mailbox store arrived as one access */
	assert_int_equal(f->nlog, sizeof(want) / sizeof(want[0]));
	for (unsigned int i = 0; i < f->nlog; i++) {
		assert_int_equal(f->log[i].op, want[i].op);
		assert_int_equal(f->log[i].width, want[i].width);
		assert_int_equal(f->log[i].off, want[i].off);
		assert_int_equal(f->log[i].lo, want[i].lo);
		assert_int_equal(f->log[i].hi, want[i].hi);
	}
	assert_int_equal(wd_dev_detach(dev), 0);
	free(f);
}

static void
test_dma_memory(void **state)
{
	struct wd_queue_attr attr = { .alg = "zlib", .op = WD_OP_COMPRESS };
	struct wd_queue *q1, *q2;
	struct wd_dev *dev;
	struct fake_fn *f;
	void *m1, *m2, *heap;
	int ret;

	(void)state;
	dev = attach_fake("");
	f = last_fn;
	/* all of EAL's memory was mapped into the fake IOMMU at attach */
	assert_true(f->nmaps > 0);
	m1 = wd_dma_zmalloc(8192, 64, WD_SOCKET_ANY);
	assert_non_null(m1);
	assert_true(fn_mapped(f, m1, 8192));
	assert_int_equal(wd_dma_iova(m1), (uint64_t)(uintptr_t)m1);
	wd_dma_free(m1);
	assert_null(wd_dma_zmalloc(0, 0, WD_SOCKET_ANY));
	/* refused arguments say why (rte_malloc itself leaves rte_errno alone) */
	rte_errno = 0;
	assert_null(wd_dma_zmalloc(4096, 48, WD_SOCKET_ANY));
	assert_int_equal(rte_errno, EINVAL);
	rte_errno = 0;
	assert_null(wd_dma_zmalloc(4096, 64, RTE_MAX_NUMA_NODES));
	assert_int_equal(rte_errno, EINVAL);

	attr.dev = dev;
	assert_int_equal(wd_request_queue(&q1, &attr), 0);
	assert_int_equal(wd_request_queue(&q2, &attr), 0);
	m1 = wd_reserve_memory(q1, 1 << 20);
	assert_non_null(m1);
	assert_true(fn_mapped(f, m1, 1 << 20));
	memset(m1, 0xab, 1 << 20);
	m2 = wd_reserve_memory(q1, 4096);
	assert_non_null(m2);
	assert_null(wd_reserve_memory(q1, 0));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(wd_reserve_memory(NULL, 10));
	assert_int_equal(wd_share_reserved_memory(q1, q1), -EINVAL);
	assert_int_equal(wd_share_reserved_memory(q2, q1), -EINVAL); /* q2 has none */
	assert_int_equal(wd_share_reserved_memory(q1, q2), 0);
	/* the memory outlives q1 while q2 shares it */
	assert_int_equal(wd_release_queue(q1), 0);
	assert_int_equal(((uint8_t *)m1)[12345], 0xab);
	assert_int_equal(wd_release_queue(q2), 0);

	/* ordinary memory is not mapped until wd_dma_map() says so */
	heap = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(heap != MAP_FAILED);
	assert_false(fn_mapped(f, heap, 4096));
	ret = wd_dma_map((uint8_t *)heap + 100, 5000);
	assert_int_equal(ret, 0);
	assert_true(fn_mapped(f, heap, 2 * 4096));
	assert_int_equal(wd_dma_map(heap, 4096), -EEXIST);
	assert_int_equal(wd_dma_unmap((uint8_t *)heap + 100, 5000), 0);
	assert_false(fn_mapped(f, heap, 4096));
	assert_int_equal(wd_dma_unmap(heap, 4096), -EINVAL);
	assert_int_equal(wd_dma_map(NULL, 10), -EINVAL);
	/* a device attached later learns the existing user mappings */
	assert_int_equal(wd_dma_map(heap, 3 * 4096), 0);
	{
		struct wd_dev *dev2 = attach_fake("");
		struct fake_fn *f2 = last_fn;

		assert_true(fn_mapped(f2, heap, 3 * 4096));
		assert_int_equal(wd_dev_detach(dev2), 0);
		free(f2);
	}
	assert_int_equal(wd_dma_unmap(heap, 3 * 4096), 0);
	munmap(heap, 3 * 4096);
	assert_int_equal(wd_dev_detach(dev), 0);
	free(f);
}

/* wd_dma_map() keeps at most 256 ranges (EAL's VFIO container table). */
static void
test_dma_map_limit(void **state)
{
	const size_t pg = 4096, n = 257;
	uint8_t *base;

	(void)state;
	base = mmap(NULL, 2 * n * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(base != MAP_FAILED);
	for (size_t i = 0; i < n - 1; i++)
		assert_int_equal(wd_dma_map(base + 2 * i * pg, pg), 0);
	assert_int_equal(wd_dma_map(base + 2 * (n - 1) * pg, pg), -ENOSPC);
	assert_int_equal(wd_dma_unmap(base, pg), 0);
	assert_int_equal(wd_dma_map(base + 2 * (n - 1) * pg, pg), 0);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(wd_dma_unmap(base + 2 * i * pg, pg), 0);
	munmap(base, 2 * n * pg);
}

static void
test_queue_args(void **state)
{
	struct wd_queue_attr attr = { .alg = "zlib", .op = WD_OP_COMPRESS };
	struct wd_queue *q[FAKE_QUEUES + 1];
	struct wd_dev *dev;
	struct fake_fn *f;
	void *r;
	int x;

	(void)state;
	dev = attach_fake("");
	f = last_fn;
	assert_int_equal(wd_request_queue(NULL, &attr), -EINVAL);
	assert_int_equal(wd_request_queue(&q[0], NULL), -EINVAL);
	attr.alg = NULL;
	assert_int_equal(wd_request_queue(&q[0], &attr), -EINVAL);
	attr.alg = "";
	assert_int_equal(wd_request_queue(&q[0], &attr), -EINVAL);
	attr.alg = "lz4";
	assert_int_equal(wd_request_queue(&q[0], &attr), -ENODEV);
	attr.alg = "zlib";
	attr.op = 7;
	assert_int_equal(wd_request_queue(&q[0], &attr), -EINVAL);
	attr.op = WD_OP_DECOMPRESS;
	attr.flags = 1u << 7;
	assert_int_equal(wd_request_queue(&q[0], &attr), -EINVAL);
	attr.flags = 0;
	attr.depth = FAKE_DEPTH_MAX + 1;
	assert_int_equal(wd_request_queue(&q[0], &attr), -EINVAL);
	attr.depth = 0;
	/* every queue of the device, then -EBUSY */
	for (int i = 0; i < FAKE_QUEUES; i++)
		assert_int_equal(wd_request_queue(&q[i], &attr), 0);
	assert_int_equal(wd_request_queue(&q[FAKE_QUEUES], &attr), -EBUSY);
	attr.dev = dev;
	assert_int_equal(wd_request_queue(&q[FAKE_QUEUES], &attr), -EBUSY);
	attr.dev = NULL;
	assert_ptr_equal(wd_queue_dev(q[0]), dev);
	/* a device with queues in use cannot go */
	assert_int_equal(wd_dev_detach(dev), -EBUSY);
	/* data-path argument checks */
	assert_int_equal(wd_send(NULL, &x), -EINVAL);
	assert_int_equal(wd_send(q[0], NULL), -EINVAL);
	assert_int_equal(wd_recv(q[0], NULL), -EINVAL);
	assert_int_equal(wd_recv(NULL, &r), -EINVAL);
	assert_int_equal(wd_recv_sync(NULL, &r, 1), -EINVAL);
	assert_int_equal(wd_flush(NULL), -EINVAL);
	assert_int_equal(wd_send_burst(NULL, NULL, 1), 0);
	assert_int_equal(rte_errno, EINVAL);
	assert_int_equal(wd_recv_burst(q[0], NULL, 1), 0);
	assert_int_equal(wd_release_queue(NULL), -EINVAL);
	for (int i = 0; i < FAKE_QUEUES; i++)
		assert_int_equal(wd_release_queue(q[i]), 0);
	assert_int_equal(wd_dev_detach(dev), 0);
	free(f);
}

/* Stale handles: a detached device, a released queue give -EINVAL, not a crash. */
static void
test_stale_handles(void **state)
{
	struct wd_queue_attr attr = { .alg = "zlib", .op = WD_OP_COMPRESS };
	struct wd_dev_info info;
	struct wd_queue *q;
	struct wd_dev *dev;
	struct fake_fn *f;

	(void)state;
	dev = attach_fake("");
	f = last_fn;
	attr.dev = dev;
	assert_int_equal(wd_request_queue(&q, &attr), 0);
	assert_int_equal(wd_release_queue(q), 0);
	assert_int_equal(wd_release_queue(q), -EINVAL);
	assert_int_equal(wd_dev_info_get(dev, &info), 0);
	assert_int_equal(info.queues_available, FAKE_QUEUES);
	assert_int_equal(wd_dev_detach(dev), 0);
	free(f);
	assert_int_equal(wd_dev_detach(dev), -EINVAL);
	assert_int_equal(wd_dev_info_get(dev, &info), -EINVAL);
	assert_int_equal(wd_request_queue(&q, &attr), -EINVAL);
}

/* Driver arguments: decimal or 0x hex digits only ("0x0x3" is not three). */
static void
test_arg_numbers(void **state)
{
	static const struct { const char *arg; uint32_t queues; } cases[] = {
		{ "queues=010", 10 }, { "queues=0x3", 3 }, { "queues=0x0x3", FAKE_QUEUES },
		{ "queues=0X0X3", FAKE_QUEUES }, { "queues=0x", FAKE_QUEUES },
	};
	struct wd_dev_info info;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wd_dev *dev = attach_fake(cases[i].arg);
		struct fake_fn *f = last_fn;
		uint32_t v = 0;

		assert_int_equal(wd_dev_info_get(dev, &info), 0);
		assert_int_equal(info.queues_total, cases[i].queues);
		if (cases[i].queues == FAKE_QUEUES)
			assert_int_equal(wd_dev_arg_u32(dev, "queues", &v), -EINVAL);
		assert_int_equal(wd_dev_detach(dev), 0);
		free(f);
	}
}

static void
test_queue_fifo(void **state)
{
	struct wd_queue_attr attr = { .alg = "gzip", .op = WD_OP_COMPRESS, .depth = 8 };
	struct wd_queue *q;
	struct wd_dev *dev;
	struct fake_fn *f;
	int reqs[16];
	void *ptrs[16], *out[16];
	uint64_t t0;
	int ret;

	(void)state;
	dev = attach_fake("");
	f = last_fn;
	assert_int_equal(wd_request_queue(&q, &attr), 0);
	assert_int_equal(wd_queue_capacity(q), 7);
	for (int i = 0; i < 16; i++)
		ptrs[i] = &reqs[i];
	/* one slot is kept empty: 7 fit, the 8th is refused */
	for (int i = 0; i < 7; i++)
		assert_int_equal(wd_send(q, ptrs[i]), 0);
	assert_int_equal(wd_send(q, ptrs[7]), -EBUSY);
	assert_int_equal(qpriv(q)->doorbells, 7);
	assert_int_equal(wd_queue_inflight(q), 7);
	/* FIFO order */
	for (int i = 0; i < 7; i++) {
		void *r = NULL;

		assert_int_equal(wd_recv(q, &r), 1);
		assert_ptr_equal(r, ptrs[i]);
	}
	{
		void *r;

		assert_int_equal(wd_recv(q, &r), 0);
	}
	/* a burst rings one doorbell and stops when full */
	qpriv(q)->doorbells = 0;
	assert_int_equal(wd_send_burst(q, ptrs, 16), 7);
	assert_int_equal(qpriv(q)->doorbells, 1);
	assert_int_equal(wd_recv_burst(q, out, 16), 7);
	for (int i = 0; i < 7; i++)
		assert_ptr_equal(out[i], ptrs[i]);
	assert_int_equal(wd_send_burst(q, ptrs, 0), 0);
	/* a NULL request ends a burst (the driver would read through it) */
	{
		void *withnull[3] = { ptrs[0], NULL, ptrs[2] };

		rte_errno = 0;
		assert_int_equal(wd_send_burst(q, withnull, 3), 1);
		assert_int_equal(rte_errno, EINVAL);
		assert_int_equal(wd_send_burst(q, withnull + 1, 2), 0);
		assert_int_equal(wd_recv_burst(q, out, 16), 1);
		assert_ptr_equal(out[0], ptrs[0]);
	}
	/* nothing completes: wd_recv_sync gives up after its timeout */
	qpriv(q)->hold = true;
	assert_int_equal(wd_send(q, ptrs[0]), 0);
	t0 = rte_get_timer_cycles();
	ret = wd_recv_sync(q, out, 20);
	assert_int_equal(ret, -ETIMEDOUT);
	assert_true(rte_get_timer_cycles() - t0 >= rte_get_timer_hz() * 19 / 1000);
	qpriv(q)->released = qpriv(q)->tail;
	assert_int_equal(wd_recv_sync(q, out, 20), 1);
	qpriv(q)->hold = false;
	assert_int_equal(wd_release_queue(q), 0);

	/* batch queues: wd_send writes, wd_flush rings */
	attr.flags = WD_QUEUE_F_BATCH;
	assert_int_equal(wd_request_queue(&q, &attr), 0);
	assert_int_equal(wd_send(q, ptrs[0]), 0);
	assert_int_equal(wd_send(q, ptrs[1]), 0);
	assert_int_equal(qpriv(q)->doorbells, 0);
	assert_int_equal(wd_recv_burst(q, out, 4), 0);
	assert_int_equal(wd_flush(q), 0);
	assert_int_equal(qpriv(q)->doorbells, 1);
	assert_int_equal(wd_recv_burst(q, out, 4), 2);
	assert_int_equal(wd_release_queue(q), 0);
	assert_int_equal(wd_dev_detach(dev), 0);
	free(f);
}

struct irq_arg {
	struct fake_q *q;
	int efd;
};

static void *
irq_thread(void *p)
{
	struct irq_arg *a = p;
	uint64_t one = 1;

	usleep(30 * 1000);
	__atomic_store_n(&a->q->released, a->q->tail, __ATOMIC_RELEASE);
	if (write(a->efd, &one, sizeof(one)) != sizeof(one))
		abort();
	return NULL;
}

static void
test_recv_sync_irq(void **state)
{
	struct wd_queue_attr attr = { .alg = "zlib", .op = WD_OP_COMPRESS,
				      .flags = WD_QUEUE_F_IRQ };
	struct irq_arg arg;
	struct wd_queue *q;
	struct wd_dev *dev;
	struct fake_fn *f;
	pthread_t th;
	int efd, x;
	void *r = NULL;

	(void)state;
	dev = attach_fake("");
	f = last_fn;
	assert_int_equal(wd_dev_irq_enable(dev, 1, &efd), 0);
	assert_true(efd >= 0);
	assert_int_equal(wd_request_queue(&q, &attr), 0);
	qpriv(q)->efd = efd;
	qpriv(q)->hold = true;
	assert_int_equal(wd_send(q, &x), 0);
	arg.q = qpriv(q);
	arg.efd = efd;
	assert_int_equal(pthread_create(&th, NULL, irq_thread, &arg), 0);
	/* sleeps on the eventfd, woken by the "interrupt" */
	assert_int_equal(wd_recv_sync(q, &r, 5000), 1);
	assert_ptr_equal(r, &x);
	pthread_join(th, NULL);
	assert_int_equal(wd_release_queue(q), 0);
	wd_dev_irq_disable(dev);
	assert_int_equal(f->efd, -1);
	assert_int_equal(wd_dev_detach(dev), 0);
	free(f);
}

/* ---- sleepers sharing a vector (wd_irq_wait.c) ------------------------------- */

struct waiter_arg {
	struct wd_irq_wait *w;
	int efd;
	uint32_t gen;
	int timeout_ms;
	int ret;
};

static void *
waiter_thread(void *p)
{
	struct waiter_arg *a = p;

	a->ret = wd_irq_wait(a->w, a->efd, a->gen, a->timeout_ms);
	return NULL;
}

static void
start_waiter(pthread_t *th, struct waiter_arg *a, struct wd_irq_wait *w, int efd,
	     int timeout_ms)
{
	a->w = w;
	a->efd = efd;
	a->gen = wd_irq_wait_gen(w);
	a->timeout_ms = timeout_ms;
	a->ret = -1000;
	assert_int_equal(pthread_create(th, NULL, waiter_thread, a), 0);
}

/* Wait (5 s at most) until *word holds @p val. */
static void
await_word(const uint32_t *word, uint32_t val)
{
	uint64_t end = rte_get_timer_cycles() + 5 * rte_get_timer_hz();

	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != val) {
		assert_true(rte_get_timer_cycles() < end);
		usleep(100);
	}
}

static void
signal_efd(int efd)
{
	uint64_t one = 1;

	assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
}

/*
 * The wait itself: the reader takes the eventfd's count and advances the
 * generation; others wait for it; a stale note never sleeps; a reader
 * leaving hands over. A sleeper wrongly left asleep would come back 0
 * after 10 s, not 1.
 */
static void
test_irq_wait(void **state)
{
	struct wd_irq_wait w = { 0 };
	struct waiter_arg a, b;
	pthread_t ta, tb;
	uint64_t cnt;
	uint32_t g;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	(void)state;
	assert_true(efd >= 0);
	/* nothing: a timeout, the generation stays */
	g = wd_irq_wait_gen(&w);
	assert_int_equal(wd_irq_wait(&w, efd, g, 20), 0);
	assert_int_equal(wd_irq_wait_gen(&w), g);
	/* an event: taken from the eventfd, the generation moves */
	signal_efd(efd);
	assert_int_equal(wd_irq_wait(&w, efd, g, 10000), 1);
	assert_int_equal(wd_irq_wait_gen(&w), g + 1);
	assert_int_equal(read(efd, &cnt, sizeof(cnt)), -1);
	assert_int_equal(errno, EAGAIN);
	/* a stale note returns at once and leaves the eventfd alone */
	signal_efd(efd);
	assert_int_equal(wd_irq_wait(&w, efd, g, 10000), 1);
	assert_int_equal(read(efd, &cnt, sizeof(cnt)), sizeof(cnt));

	/*
	 * The lost wake-up: b notes the generation (then looks at its queue:
	 * nothing), its completion's event is taken by a, then b sleeps.
	 */
	g = wd_irq_wait_gen(&w);
	signal_efd(efd);
	start_waiter(&ta, &a, &w, efd, 10000);
	pthread_join(ta, NULL);
	assert_int_equal(a.ret, 1);
	assert_int_equal(wd_irq_wait(&w, efd, g, 10000), 1);

	/* a reader and a waiter: one event wakes both */
	start_waiter(&ta, &a, &w, efd, 10000);
	await_word(&w.reader, 1);
	start_waiter(&tb, &b, &w, efd, 10000);
	await_word(&w.waiters, 1);
	signal_efd(efd);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.ret, 1);
	assert_int_equal(b.ret, 1);

	/* the reader's slice ends first: it hands over, the waiter looks again */
	start_waiter(&ta, &a, &w, efd, 50);
	await_word(&w.reader, 1);
	start_waiter(&tb, &b, &w, efd, 10000);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.ret, 0);
	assert_int_equal(b.ret, 1);
	assert_int_equal(w.reader, 0);
	assert_int_equal(w.waiters, 0);

	/* a closed eventfd is an error, not a sleep */
	close(efd);
	assert_true(wd_irq_wait(&w, efd, wd_irq_wait_gen(&w), 10000) < 0);
}

#define SHARED_QS 3
#define SHARED_ROUNDS 200

struct sync_arg {
	struct wd_queue *q;
	int req;
	int rounds;
	int ok;
};

static void *
sync_thread(void *p)
{
	struct sync_arg *a = p;

	for (int i = 0; i < a->rounds; i++) {
		void *r = NULL;

		if (wd_recv_sync(a->q, &r, 10000) == 1 && r == &a->req)
			a->ok++;
		/* the next request, held until the "device" completes it */
		if (wd_send(a->q, &a->req) != 0)
			break;
	}
	return NULL;
}

/*
 * wd_recv_sync() on three queues of one function sharing its vector: a
 * "device" thread completes them in a changing order, one MSI each; every
 * request comes back to its own thread. wd_recv_sync()'s sleep slice is
 * 10 s here, so that a thread sleeping through its own completion stalls
 * the "device" past its 3 s wait.
 */
static void
test_recv_sync_shared(void **state)
{
	struct wd_queue_attr attr = { .alg = "zlib", .op = WD_OP_COMPRESS, .depth = 4,
				      .flags = WD_QUEUE_F_IRQ };
	struct sync_arg args[SHARED_QS];
	pthread_t th[SHARED_QS];
	struct wd_dev *dev;
	struct fake_fn *f;
	int efd, slice = wd_sync_slice_ms;

	(void)state;
	dev = attach_fake("");
	f = last_fn;
	wd_sync_slice_ms = 10000;
	assert_int_equal(wd_dev_irq_enable(dev, 1, &efd), 0);
	for (int i = 0; i < SHARED_QS; i++) {
		args[i] = (struct sync_arg){ .rounds = SHARED_ROUNDS };
		assert_int_equal(wd_request_queue(&args[i].q, &attr), 0);
		qpriv(args[i].q)->efd = efd;
		qpriv(args[i].q)->hold = true;
		assert_int_equal(wd_send(args[i].q, &args[i].req), 0);
	}
	for (int i = 0; i < SHARED_QS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, sync_thread, &args[i]), 0);
	for (int r = 0; r < SHARED_ROUNDS; r++) {
		for (int k = 0; k < SHARED_QS; k++) {
			struct fake_q *q = qpriv(args[(r + k * (r % 2 ? 1 : 2)) % SHARED_QS].q);
			uint64_t end = rte_get_timer_cycles() + 3 * rte_get_timer_hz();

			/* its thread sent the next one (or is done) */
			while (__atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) ==
			       __atomic_load_n(&q->released, __ATOMIC_ACQUIRE)) {
				assert_true(rte_get_timer_cycles() < end);
				usleep(20);
			}
			__atomic_store_n(&q->released, q->tail, __ATOMIC_RELEASE);
			signal_efd(efd);
			usleep(r % 3 == 0 ? 0 : 100);
		}
	}
	for (int i = 0; i < SHARED_QS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].ok, SHARED_ROUNDS);
		assert_int_equal(wd_release_queue(args[i].q), 0);
	}
	wd_sync_slice_ms = slice;
	assert_int_equal(wd_irq_waits[dev->id][0].reader, 0);
	assert_int_equal(wd_irq_waits[dev->id][0].waiters, 0);
	wd_dev_irq_disable(dev);
	assert_int_equal(wd_dev_detach(dev), 0);
	free(f);
}

static void
test_fork(void **state)
{
	struct wd_queue_attr attr = { .alg = "zlib", .op = WD_OP_COMPRESS };
	struct wd_queue *q;
	struct wd_dev *dev;
	struct fake_fn *f;
	volatile uint32_t *shared;
	int x, y, status;
	void *r;
	pid_t pid;

	(void)state;
	dev = attach_fake("");
	f = last_fn;
	assert_int_equal(wd_request_queue(&q, &attr), 0);
	shared = wd_reserve_memory(q, 4096);
	assert_non_null(shared);
	shared[0] = 0x1234;
	/* a request in flight across the fork */
	qpriv(q)->hold = true;
	assert_int_equal(wd_send(q, &x), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int code = 0;

		if (wd_send(q, &y) != -EPERM)
			code |= 1;
		if (wd_recv(q, &r) != -EPERM)
			code |= 2;
		if (wd_send_burst(q, (void **)&r, 1) != 0 || rte_errno != EPERM)
			code |= 4;
		if (wd_flush(q) != -EPERM || wd_release_queue(q) != -EPERM)
			code |= 8;
		if (wd_reserve_memory(q, 64) != NULL)
			code |= 16;
		/* DMA memory is shared with the parent, not copied on write */
		if (shared[0] != 0x1234)
			code |= 32;
		shared[1] = 0xc0ffee;
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	if (rte_eal_has_hugepages())
		assert_int_equal(shared[1], 0xc0ffee);
	/* the parent's in-flight request is unaffected */
	qpriv(q)->released = qpriv(q)->tail;
	assert_int_equal(wd_recv(q, &r), 1);
	assert_ptr_equal(r, &x);
	assert_int_equal(wd_send(q, &y), 0);
	assert_int_equal(wd_release_queue(q), 0);
	assert_int_equal(wd_dev_detach(dev), 0);
	free(f);
}

static int hook_calls;
static struct wd_dev *hook_dev;

static void
cleanup_hook(void)
{
	hook_calls++;
	/* a library above releases what it holds before devices go */
	wd_dev_unhold(hook_dev);
}

static void
test_hold_and_cleanup(void **state)
{
	struct wd_queue_attr attr = { .alg = "zlib", .op = WD_OP_COMPRESS };
	struct wd_queue *q, *q2;
	struct wd_dev *dev;
	struct fake_fn *f;
	void *r;
	int x;

	(void)state;
	dev = attach_fake("");
	f = last_fn;
	/* a held device cannot be detached */
	assert_int_equal(wd_dev_hold(dev), 0);
	assert_int_equal(wd_dev_detach(dev), -EBUSY);
	wd_dev_unhold(dev);
	assert_int_equal(wd_dev_hold(NULL), -EINVAL);
	/* bad sockets */
	attr.socket_id = RTE_MAX_NUMA_NODES;
	assert_int_equal(wd_request_queue(&q, &attr), -EINVAL);
	attr.socket_id = -2;
	assert_int_equal(wd_request_queue(&q, &attr), -EINVAL);
	attr.socket_id = WD_SOCKET_ANY;

	/* wd_cleanup() with a queue and a hold left: hooks run first, the
	 * queue is stopped but its handle stays usable until released */
	assert_int_equal(wd_request_queue(&q, &attr), 0);
	assert_int_equal(wd_request_queue(&q2, &attr), 0);
	assert_non_null(wd_reserve_memory(q2, 4096));
	assert_int_equal(wd_dev_hold(dev), 0);
	hook_dev = dev;
	assert_int_equal(wd_cleanup_hook_register(cleanup_hook), 0);
	assert_int_equal(wd_cleanup_hook_register(cleanup_hook), 0); /* once only */
	assert_int_equal(wd_cleanup_hook_register(NULL), -EINVAL);
	wd_cleanup();
	assert_int_equal(hook_calls, 1);
	assert_true(f->destroyed);
	free(f);
	assert_int_equal(wd_dev_count(), 0);
	assert_int_equal(wd_send(q, &x), -EBUSY);
	assert_int_equal(wd_recv(q, &r), 0);
	assert_int_equal(wd_recv_sync(q, &r, 1), -ETIMEDOUT);
	{
		/* nothing can come: the wait is slept, not spun on the CPU */
		struct timespec c0, c1;

		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
		assert_int_equal(wd_recv_sync(q, &r, 300), -ETIMEDOUT);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
		assert_true((c1.tv_sec - c0.tv_sec) * 1000.0 +
			    (c1.tv_nsec - c0.tv_nsec) / 1e6 < 100.0);
	}
	assert_int_equal(wd_flush(q), 0);
	assert_int_equal(wd_queue_inflight(q), 0);
	/* its device is gone: no memory for it, no device to name */
	rte_errno = 0;
	assert_null(wd_reserve_memory(q, 4096));
	assert_int_equal(rte_errno, ENODEV);
	assert_int_equal(wd_share_reserved_memory(q2, q), -ENODEV);
	assert_null(wd_queue_dev(q));
	assert_int_equal(wd_release_queue(q), 0);
	assert_int_equal(wd_release_queue(q2), 0);
	/* and WarpDrive starts again */
	assert_int_equal(wd_init(), 0);
	hook_dev = NULL;
}

static void
test_fork_control(void **state)
{
	struct wd_queue_attr attr = { .alg = "zlib", .op = WD_OP_COMPRESS };
	struct wd_dev *dev;
	struct fake_fn *f;
	int status;
	pid_t pid;

	(void)state;
	dev = attach_fake("");
	f = last_fn;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct wd_queue *q;
		struct wd_dev *d2;
		char buf[64];
		int code = 0;

		if (wd_init() != -EPERM)
			code |= 1;
		if (wd_request_queue(&q, &attr) != -EPERM)
			code |= 2;
		if (wd_dev_attach("model:type=fake", &d2) != -EPERM)
			code |= 4;
		if (wd_dev_detach(dev) != -EPERM)
			code |= 8;
		if (wd_dma_map(buf, sizeof(buf)) != -EPERM)
			code |= 16;
		/* a child's cleanup must leave the parent's devices alone */
		wd_cleanup();
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_false(f->destroyed);
	assert_ptr_equal(wd_dev_get(0), dev);
	assert_int_equal(wd_dev_detach(dev), 0);
	free(f);
}

static void
test_iova_check(void **state)
{
	char self[4096], cmd[4200];
	ssize_t n;
	int st;

	(void)state;
	assert_int_equal(wd_iova_check(RTE_IOVA_VA), 0);
	assert_int_equal(wd_iova_check(RTE_IOVA_PA), -ENOTSUP);
	assert_int_equal(wd_iova_check(RTE_IOVA_DC), -ENOTSUP);
	/* and for real: a process whose EAL picked PA is refused by wd_init() */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	snprintf(cmd, sizeof(cmd), "'%s' --pa-child", self);
	st = system(cmd);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77) {
		print_message("EAL cannot run with IOVA as PA here (no physical addresses): "
			      "real PA case skipped\n");
		return;
	}
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Child: EAL in PA mode, then wd_init() must refuse. */
static int
pa_child(const char *prog)
{
	char *argv[] = { (char *)(uintptr_t)prog, (char *)"--in-memory", (char *)"--no-pci",
			 (char *)"--iova-mode=pa", (char *)"--no-telemetry",
			 (char *)"--log-level=lib.eal:crit", (char *)"--log-level=wd.core:crit",
			 (char *)"-l", (char *)"0", (char *)"-m", (char *)"64", NULL };

	if (rte_eal_init(11, argv) < 0 || rte_eal_iova_mode() != RTE_IOVA_PA)
		return 77;
	return wd_init() == -ENOTSUP ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_parse),
		cmocka_unit_test(test_bus_selection),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_mmio_order),
		cmocka_unit_test(test_dma_memory),
		cmocka_unit_test(test_dma_map_limit),
		cmocka_unit_test(test_queue_args),
		cmocka_unit_test(test_queue_fifo),
		cmocka_unit_test(test_recv_sync_irq),
		cmocka_unit_test(test_irq_wait),
		cmocka_unit_test(test_recv_sync_shared),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_fork_control),
		cmocka_unit_test(test_hold_and_cleanup),
		cmocka_unit_test(test_iova_check),
		cmocka_unit_test(test_stale_handles),
		cmocka_unit_test(test_arg_numbers),
	};
	int ret;

	if (argc > 1 && strcmp(argv[1], "--pa-child") == 0)
		return pa_child(argv[0]);
	wd_test_eal_init(argv[0], 128);
	assert_int_equal(wd_init(), 0);
	ret = cmocka_run_group_tests_name("wd_core", tests, NULL, NULL);
	wd_cleanup();
	wd_test_eal_cleanup();
	return ret;
}
