/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PCI bus: accelerators among EAL's PCI devices, driven through
 * vfio-pci with DPDK's public rte_vfio_* API and the VFIO ioctls.
 *
 * EAL scans the PCI bus (honouring -a/-b) but probes only devices that
 * have an EAL driver; ours have none, so EAL leaves them alone and wd_core
 * opens them: rte_vfio_setup_device() puts the group into EAL's default
 * container, which in IOVA-as-VA mode has all hugepage memory mapped with
 * IOVA = VA. BARs are found with VFIO region info and mmapped (or, when a
 * BAR cannot be mmapped, accessed with pread/pwrite on the region).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_vfio.h>

#include "wd_core_private.h"

#define SYSFS_PCI_DEVICES "/sys/bus/pci/devices"

struct pio_bar {
	int fd;
	uint64_t off;
};

struct pci_ctx {
	char bdf[16];
	int fd;                                 /* VFIO device fd */
	struct vfio_device_info info;
	void *map[WD_MAX_BARS];                 /* mmapped BARs */
	uint64_t map_len[WD_MAX_BARS];
	uint64_t region_off[WD_MAX_BARS];       /* for pread/pwrite access */
	uint64_t cfg_off;
	struct pio_bar pio[WD_MAX_BARS];        /* BARs VFIO cannot mmap */
	unsigned int nvec;
	int efds[WD_MAX_IRQS];
	bool user_maps_applied;                 /* wd_dma_map() ranges given to EAL */
};

/* ---- sysfs --------------------------------------------------------------- */

static int
sysfs_read_ulong(const char *bdf, const char *attr, unsigned long *val)
{
	char path[PATH_MAX], buf[64], *end;
	FILE *f;

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	errno = 0;
	*val = strtoul(buf, &end, 0);
	if (errno != 0 || end == buf)
		return -EINVAL;
	return 0;
}

static int
sysfs_numa_node(const char *bdf)
{
	char path[PATH_MAX], buf[16];
	FILE *f;
	int node = -1;

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/numa_node", bdf);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL)
		node = atoi(buf);
	fclose(f);
	return node;
}

static bool
sysfs_driver_is_vfio(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	const char *base;

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base != NULL ? base + 1 : link;
	return strcmp(base, "vfio-pci") == 0;
}

/* ---- MMIO through pread/pwrite (BARs VFIO cannot mmap) --------------------- */

static uint32_t
pio_read32(void *ctx, uint64_t off)
{
	struct pio_bar *b = ctx;
	uint32_t v = ~0u;

	if (pread(b->fd, &v, 4, (off_t)(b->off + off)) != 4)
		v = ~0u;
	return v;
}

static uint64_t
pio_read64(void *ctx, uint64_t off)
{
	struct pio_bar *b = ctx;
	uint64_t v = ~0ull;

	if (pread(b->fd, &v, 8, (off_t)(b->off + off)) != 8)
		v = ~0ull;
	return v;
}

static void
pio_read128(void *ctx, uint64_t off, uint64_t *lo, uint64_t *hi)
{
	*lo = pio_read64(ctx, off);
	*hi = pio_read64(ctx, off + 8);
}

static void
pio_write32(void *ctx, uint64_t off, uint32_t v)
{
	struct pio_bar *b = ctx;

	if (pwrite(b->fd, &v, 4, (off_t)(b->off + off)) != 4)
		WD_LOG(ERR, "BAR write of 4 bytes at 0x%" PRIx64 " failed", off);
}

static void
pio_write64(void *ctx, uint64_t off, uint64_t v)
{
	struct pio_bar *b = ctx;

	if (pwrite(b->fd, &v, 8, (off_t)(b->off + off)) != 8)
		WD_LOG(ERR, "BAR write of 8 bytes at 0x%" PRIx64 " failed", off);
}

static void
pio_write128(void *ctx, uint64_t off, uint64_t lo, uint64_t hi)
{
	struct pio_bar *b = ctx;
	uint64_t v[2] = { lo, hi };

	if (pwrite(b->fd, v, 16, (off_t)(b->off + off)) != 16)
		WD_LOG(ERR, "BAR write of 16 bytes at 0x%" PRIx64 " failed", off);
}

static const struct wd_mmio_ops pio_ops = {
	.read32 = pio_read32, .read64 = pio_read64, .read128 = pio_read128,
	.write32 = pio_write32, .write64 = pio_write64, .write128 = pio_write128,
};

/* ---- bus operations ------------------------------------------------------ */

static int
pci_bar_get(void *vctx, unsigned int bar, struct wd_mmio *mmio)
{
	struct pci_ctx *c = vctx;
	struct vfio_region_info reg = { .argsz = sizeof(reg), .index = bar };
	void *p;

	if (bar >= WD_MAX_BARS || bar >= c->info.num_regions)
		return -EINVAL;
	if (ioctl(c->fd, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0) {
		WD_LOG(ERR, "%s: region info of BAR%u: %s", c->bdf, bar, strerror(errno));
		return -EIO;
	}
	if (reg.size == 0)
		return -EINVAL;
	memset(mmio, 0, sizeof(*mmio));
	mmio->len = reg.size;
	c->region_off[bar] = reg.offset;
	if (reg.flags & VFIO_REGION_INFO_FLAG_MMAP) {
		p = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
			 (off_t)reg.offset);
		if (p != MAP_FAILED) {
			c->map[bar] = p;
			c->map_len[bar] = reg.size;
			mmio->base = p;
			return 0;
		}
		WD_LOG(WARNING, "%s: cannot mmap BAR%u (%s): using pread/pwrite", c->bdf, bar,
		       strerror(errno));
	}
	c->pio[bar].fd = c->fd;
	c->pio[bar].off = reg.offset;
	mmio->ops = &pio_ops;
	mmio->ctx = &c->pio[bar];
	return 0;
}

static int
pci_cfg_read(void *vctx, unsigned int off, void *buf, unsigned int len)
{
	struct pci_ctx *c = vctx;

	if (pread(c->fd, buf, len, (off_t)(c->cfg_off + off)) != (ssize_t)len)
		return -EIO;
	return 0;
}

static int
pci_cfg_write(void *vctx, unsigned int off, const void *buf, unsigned int len)
{
	struct pci_ctx *c = vctx;

	if (pwrite(c->fd, buf, len, (off_t)(c->cfg_off + off)) != (ssize_t)len)
		return -EIO;
	return 0;
}

static int
pci_reset(void *vctx)
{
	struct pci_ctx *c = vctx;

	if (!(c->info.flags & VFIO_DEVICE_FLAGS_RESET))
		return -ENOTSUP;
	if (ioctl(c->fd, VFIO_DEVICE_RESET) < 0)
		return -errno;
	return 0;
}

static void
pci_irq_disable(void *vctx)
{
	struct pci_ctx *c = vctx;
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_MSI_IRQ_INDEX,
		.start = 0,
		.count = 0,
	};

	if (c->nvec == 0)
		return;
	if (ioctl(c->fd, VFIO_DEVICE_SET_IRQS, &set) < 0)
		WD_LOG(WARNING, "%s: cannot disable MSI: %s", c->bdf, strerror(errno));
	for (unsigned int i = 0; i < c->nvec; i++)
		close(c->efds[i]);
	c->nvec = 0;
}

static int
pci_irq_enable(void *vctx, unsigned int nvec, int *efds)
{
	struct pci_ctx *c = vctx;
	struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = VFIO_PCI_MSI_IRQ_INDEX };
	char buf[sizeof(struct vfio_irq_set) + sizeof(int) * WD_MAX_IRQS];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	unsigned int i;
	int ret;

	if (ioctl(c->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) < 0)
		return -errno;
	if (irq.count < nvec || !(irq.flags & VFIO_IRQ_INFO_EVENTFD))
		return -ENOTSUP;
	for (i = 0; i < nvec; i++) {
		c->efds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (c->efds[i] < 0) {
			ret = -errno;
			while (i-- > 0)
				close(c->efds[i]);
			return ret;
		}
	}
	set->argsz = sizeof(struct vfio_irq_set) + sizeof(int) * nvec;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->start = 0;
	set->count = nvec;
	memcpy(set->data, c->efds, sizeof(int) * nvec);
	if (ioctl(c->fd, VFIO_DEVICE_SET_IRQS, set) < 0) {
		ret = -errno;
		WD_LOG(ERR, "%s: cannot enable %u MSI vectors: %s", c->bdf, nvec,
		       strerror(errno));
		for (i = 0; i < nvec; i++)
			close(c->efds[i]);
		return ret;
	}
	c->nvec = nvec;
	memcpy(efds, c->efds, sizeof(int) * nvec);
	return 0;
}

/* All vfio-pci devices share EAL's default container: see wd_pci_dma_map(). */
static int
pci_dma_map(void *vctx, uint64_t va, uint64_t iova, uint64_t len)
{
	RTE_SET_USED(vctx);
	RTE_SET_USED(iova);
	return wd_pci_dma_map(va, len);
}

static int
pci_dma_unmap(void *vctx, uint64_t iova, uint64_t len)
{
	RTE_SET_USED(vctx);
	return wd_pci_dma_unmap(iova, len);
}

static unsigned int wd_pci_nopen;    /* vfio-pci functions open (pci_open) */

static void
pci_destroy(void *vctx)
{
	struct pci_ctx *c = vctx;

	pci_irq_disable(c);
	for (unsigned int i = 0; i < WD_MAX_BARS; i++)
		if (c->map[i] != NULL)
			munmap(c->map[i], c->map_len[i]);
	/*
	 * The last function is leaving EAL's container: take wd_dma_map()
	 * ranges out of EAL's list while the kernel can still unmap them.
	 * EAL re-maps its list when a device is set up again, so a range
	 * unmapped while no device is open would otherwise come back.
	 * wd_core's own list is applied again at the next attach.
	 */
	if (wd_pci_nopen == 1 && c->user_maps_applied)
		wd_mem_unmap_user_maps_pci();
	if (rte_vfio_release_device(SYSFS_PCI_DEVICES, c->bdf, c->fd) < 0)
		WD_LOG(WARNING, "%s: cannot release the VFIO device", c->bdf);
	wd_pci_nopen--;
	free(c);
}

static const struct wd_bus_ops pci_bus_ops = {
	.bar_get = pci_bar_get,
	.cfg_read = pci_cfg_read,
	.cfg_write = pci_cfg_write,
	.reset = pci_reset,
	.irq_enable = pci_irq_enable,
	.irq_disable = pci_irq_disable,
	.dma_map = pci_dma_map,
	.dma_unmap = pci_dma_unmap,
	.destroy = pci_destroy,
};

/* ---- DMA mappings ---------------------------------------------------------- */

/*
 * With no vfio-pci function open, EAL's container has no IOMMU to map
 * into: wd_mem keeps the range and maps it at the next attach.
 */
int
wd_pci_dma_map(uint64_t va, uint64_t len)
{
	if (wd_pci_nopen == 0)
		return 0;
	rte_errno = 0;
	if (rte_vfio_container_dma_map(RTE_VFIO_DEFAULT_CONTAINER_FD, va, va, len) < 0) {
		WD_LOG(ERR, "VFIO DMA map of %" PRIu64 " bytes at 0x%" PRIx64 " failed", len, va);
		/* ENOMEM: EAL's table of container mappings is full */
		return rte_errno == ENOMEM ? -ENOSPC : -EIO;
	}
	return 0;
}

int
wd_pci_dma_unmap(uint64_t va, uint64_t len)
{
	if (wd_pci_nopen == 0)
		return 0;
	rte_errno = 0;
	if (rte_vfio_container_dma_unmap(RTE_VFIO_DEFAULT_CONTAINER_FD, va, va, len) < 0)
		/* ENOMEM: splitting a merged range does not fit EAL's table */
		return rte_errno == ENOMEM ? -ENOSPC : -EIO;
	return 0;
}

/*
 * Verify that EAL mapped its hugepage memory into the container the
 * device's group joined. The type1 IOMMU has no "query" ioctl, but mapping
 * an IOVA range that is already mapped fails with EEXIST: try the first
 * memory segment on the process's VFIO container descriptors.
 */
static int
first_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms, size_t len,
	  void *arg)
{
	uint64_t *r = arg;

	if (msl->external)
		return 0;
	r[0] = (uint64_t)(uintptr_t)ms->addr;
	r[1] = len;
	return 1;
}

static int
verify_dma_mapped(const char *bdf)
{
	uint64_t seg[2] = { 0, 0 };
	char path[300], link[PATH_MAX];
	DIR *d;
	struct dirent *e;
	int verdict = -ENOENT;

	if (rte_memseg_contig_walk(first_seg, seg) != 1 || seg[0] == 0)
		return 0;
	d = opendir("/proc/self/fd");
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && verdict != 0) {
		ssize_t n;
		int fd = atoi(e->d_name);
		struct vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = seg[0], .iova = seg[0], .size = seg[1],
		};

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "/dev/vfio/vfio") != 0)
			continue;
		if (ioctl(fd, VFIO_IOMMU_MAP_DMA, &m) < 0) {
			if (errno == EEXIST)
				verdict = 0;
		} else {
			/* It was not mapped there: undo our probe. */
			struct vfio_iommu_type1_dma_unmap u = {
				.argsz = sizeof(u), .iova = seg[0], .size = seg[1],
			};
			ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &u);
		}
	}
	closedir(d);
	if (verdict < 0)
		WD_LOG(ERR, "%s: EAL's hugepage memory is not DMA-mapped for the device", bdf);
	else
		WD_LOG(DEBUG, "%s: hugepage memory at 0x%" PRIx64 " is DMA-mapped (IOVA = VA)",
		       bdf, seg[0]);
	return verdict;
}

/* ---- attach / scan ----------------------------------------------------------- */

static int
pci_open(const char *bdf, struct pci_ctx **out)
{
	struct pci_ctx *c = calloc(1, sizeof(*c));
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	int ret;

	if (c == NULL)
		return -ENOMEM;
	snprintf(c->bdf, sizeof(c->bdf), "%s", bdf);
	c->info.argsz = sizeof(c->info);
	if (rte_vfio_setup_device(SYSFS_PCI_DEVICES, bdf, &c->fd, &c->info) != 0) {
		WD_LOG(ERR, "%s: VFIO setup failed (EAL's message above says why: IOMMU off, "
		       "group not viable, or the group in use by another process)", bdf);
		free(c);
		return -EIO;
	}
	if (ioctl(c->fd, VFIO_DEVICE_GET_REGION_INFO, &cfg) < 0) {
		ret = -errno;
		rte_vfio_release_device(SYSFS_PCI_DEVICES, bdf, c->fd);
		free(c);
		return ret;
	}
	c->cfg_off = cfg.offset;
	wd_pci_nopen++;
	*out = c;
	return 0;
}

int
wd_pci_attach(const char *bdf, const char *args, struct wd_dev **devp)
{
	unsigned long vendor, device, rev = 0;
	struct pci_ctx *c = NULL;
	struct wd_model_desc desc;
	struct wd_dev *dev;
	struct rte_dev_iterator it;
	struct rte_device *rd;
	bool in_eal = false;
	int ret;

	/*
	 * A secondary process shares the primary's VFIO container and group:
	 * opening the function again would re-probe it (reset its state) and
	 * move its MSI vectors to this process's eventfds.
	 */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		WD_LOG(ERR, "%s: PCI functions belong to EAL's primary process; this is a "
		       "secondary process", bdf);
		return -EPERM;
	}
	/* Only functions EAL knows, so that -a/-b are honoured. */
	RTE_DEV_FOREACH(rd, "bus=pci", &it) {
		if (strcmp(rte_dev_name(rd), bdf) == 0)
			in_eal = true;
	}
	if (!in_eal) {
		WD_LOG(ERR, "%s: not among EAL's PCI devices (absent, blocked by -b/-a, "
		       "or EAL started with --no-pci)", bdf);
		return -ENODEV;
	}
	if (sysfs_read_ulong(bdf, "vendor", &vendor) < 0 ||
	    sysfs_read_ulong(bdf, "device", &device) < 0)
		return -ENODEV;
	sysfs_read_ulong(bdf, "revision", &rev);
	if (wd_driver_match((uint16_t)vendor, (uint16_t)device) == NULL) {
		WD_LOG(ERR, "%s: no driver for %04lx:%04lx", bdf, vendor, device);
		return -ENODEV;
	}
	if (!sysfs_driver_is_vfio(bdf)) {
		WD_LOG(ERR, "%s: not bound to vfio-pci (dpdk-devbind.py -b vfio-pci %s)", bdf,
		       bdf);
		return -ENODEV;
	}
	ret = pci_open(bdf, &c);
	if (ret < 0)
		return ret;
	desc = (struct wd_model_desc){
		.vendor_id = (uint16_t)vendor, .device_id = (uint16_t)device,
		.revision = (uint8_t)rev, .numa_node = sysfs_numa_node(bdf),
		.ops = &pci_bus_ops, .ctx = c,
	};
	snprintf(desc.name, sizeof(desc.name), "%s", bdf);
	dev = wd_dev_new(WD_BUS_PCI, &desc, args);
	if (dev == NULL) {
		pci_destroy(c);
		return -ENOSPC;
	}
	ret = verify_dma_mapped(bdf);
	if (ret == 0) {
		c->user_maps_applied = true;
		ret = wd_mem_apply_user_maps(dev);
	}
	if (ret < 0) {
		wd_dev_free(dev);
		return ret == -ENOENT ? -EIO : ret;
	}
	return wd_dev_bringup(dev, devp);
}

int
wd_pci_scan(void)
{
	struct rte_dev_iterator it;
	struct rte_device *rd;
	char names[WD_MAX_DEVS][16];
	unsigned int n = 0;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		WD_LOG(NOTICE, "secondary process: PCI functions are left to the primary");
		return 0;
	}
	/* Collect first: attaching inside the iteration would nest it. */
	RTE_DEV_FOREACH(rd, "bus=pci", &it) {
		const char *bdf = rte_dev_name(rd);
		unsigned long vendor, device;

		if (n == WD_MAX_DEVS || strlen(bdf) >= sizeof(names[0]))
			continue;
		if (sysfs_read_ulong(bdf, "vendor", &vendor) < 0 ||
		    sysfs_read_ulong(bdf, "device", &device) < 0)
			continue;
		if (wd_driver_match((uint16_t)vendor, (uint16_t)device) == NULL)
			continue;
		if (!sysfs_driver_is_vfio(bdf)) {
			WD_LOG(NOTICE, "%s: %04lx:%04lx is not bound to vfio-pci: skipped", bdf,
			       vendor, device);
			continue;
		}
		snprintf(names[n++], sizeof(names[0]), "%s", bdf);
	}
	for (unsigned int i = 0; i < n; i++) {
		struct wd_dev *dev;

		if (wd_dev_find(names[i]) == NULL && wd_pci_attach(names[i], "", &dev) < 0)
			WD_LOG(WARNING, "%s: not usable", names[i]);
	}
	return (int)n;
}

WD_EXPORT int
wd_pci_bound_devices(char (*bdfs)[16], unsigned int max)
{
	DIR *d = opendir(SYSFS_PCI_DEVICES);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		unsigned long vendor, device;

		if (e->d_name[0] == '.' || !wd_pci_bdf_valid(e->d_name))
			continue;
		if (sysfs_read_ulong(e->d_name, "vendor", &vendor) < 0 ||
		    sysfs_read_ulong(e->d_name, "device", &device) < 0 ||
		    wd_driver_match((uint16_t)vendor, (uint16_t)device) == NULL ||
		    !sysfs_driver_is_vfio(e->d_name))
			continue;
		if (bdfs != NULL && (unsigned int)n < max)
			snprintf(bdfs[n], sizeof(bdfs[n]), "%.12s", e->d_name);
		n++;
	}
	closedir(d);
	return n;
}
