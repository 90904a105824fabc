/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device registry, driver registration and matching, device accessors
 * for drivers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_eal_memconfig.h>
#include <rte_malloc.h>

#include "wd_config.h"
#include "wd_core_private.h"

#if WD_HAVE_NUMA
#include <numa.h>
#endif

struct wd_dev *wd_devs[WD_MAX_DEVS];
static struct wd_driver *wd_drivers;

void
wd_driver_register(struct wd_driver *drv)
{
	if (drv == NULL || drv->name == NULL || drv->id_table == NULL || drv->probe == NULL)
		return;
	drv->next = wd_drivers;
	wd_drivers = drv;
}

const struct wd_driver *
wd_driver_match(uint16_t vendor, uint16_t device)
{
	for (const struct wd_driver *d = wd_drivers; d != NULL; d = d->next)
		for (const struct wd_pci_id *id = d->id_table; id->vendor_id != 0; id++)
			if (id->vendor_id == vendor && id->device_id == device)
				return d;
	return NULL;
}

struct wd_dev *
wd_dev_alloc(enum wd_bus_kind bus, const char *name)
{
	struct wd_dev *dev;
	unsigned int id;

	for (id = 0; id < WD_MAX_DEVS; id++)
		if (wd_devs[id] == NULL)
			break;
	if (id == WD_MAX_DEVS)
		return NULL;
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return NULL;
	dev->id = id;
	dev->bus = bus;
	dev->numa_node = -1;
	for (unsigned int i = 0; i < WD_MAX_IRQS; i++)
		dev->irq_efds[i] = -1;
	if (name != NULL && *name != '\0')
		snprintf(dev->name, sizeof(dev->name), "%s", name);
	else
		snprintf(dev->name, sizeof(dev->name), "model%u", id);
	wd_devs[id] = dev;
	return dev;
}

struct wd_dev *
wd_dev_new(enum wd_bus_kind bus, const struct wd_model_desc *d, const char *args)
{
	struct wd_dev *dev = wd_dev_alloc(bus, d->name);

	if (dev == NULL)
		return NULL;
	dev->bops = d->ops;
	dev->bctx = d->ctx;
	dev->vendor_id = d->vendor_id;
	dev->device_id = d->device_id;
	dev->revision = d->revision;
	dev->numa_node = d->numa_node;
	snprintf(dev->args, sizeof(dev->args), "%s", args != NULL ? args : "");
	return dev;
}

int
wd_dev_bringup(struct wd_dev *dev, struct wd_dev **devp)
{
	int ret = wd_dev_set_bus_master(dev, true);

	if (ret == 0)
		ret = wd_dev_probe(dev);
	if (ret < 0) {
		wd_dev_free(dev);
		return ret;
	}
	*devp = dev;
	return 0;
}

void
wd_dev_free(struct wd_dev *dev)
{
	if (dev == NULL)
		return;
	if (dev->bus == WD_BUS_MODEL) {
		/* memory events (wd_mem.c, under the write lock) stop calling it first */
		rte_mcfg_mem_read_lock();
		wd_devs[dev->id] = NULL;
		rte_mcfg_mem_read_unlock();
	}
	if (dev->bops != NULL && dev->irq_nvec > 0 && dev->bops->irq_disable != NULL)
		dev->bops->irq_disable(dev->bctx);
	if (dev->bops != NULL && dev->bops->destroy != NULL)
		dev->bops->destroy(dev->bctx);
	wd_devs[dev->id] = NULL;
	free(dev);
}

int
wd_dev_probe(struct wd_dev *dev)
{
	const struct wd_driver *drv = wd_driver_match(dev->vendor_id, dev->device_id);
	int ret;

	if (drv == NULL) {
		WD_LOG(ERR, "%s: no driver for %04x:%04x", dev->name, dev->vendor_id,
		       dev->device_id);
		return -ENODEV;
	}
	dev->drv = drv;
	ret = drv->probe(dev);
	if (ret < 0) {
		WD_LOG(ERR, "%s: driver %s failed to probe: %s", dev->name, drv->name,
		       strerror(-ret));
		dev->drv = NULL;
		return ret;
	}
	dev->probed = true;
	WD_LOG(INFO, "%s: %04x:%04x rev %02x bound to %s (%s, %u queues)", dev->name,
	       dev->vendor_id, dev->device_id, dev->revision, drv->name, dev->api,
	       dev->queues_total);
	return 0;
}

void
wd_dev_remove(struct wd_dev *dev)
{
	if (dev->probed && dev->drv->remove != NULL)
		dev->drv->remove(dev);
	dev->probed = false;
	wd_dev_free(dev);
}

void
wd_dev_remove_all(void)
{
	for (unsigned int i = 0; i < WD_MAX_DEVS; i++)
		if (wd_devs[i] != NULL)
			wd_dev_remove(wd_devs[i]);
}

/* ---- registry API ---------------------------------------------------- */

/*
 * Is @p dev in the registry? Compares pointers only: a detached device's
 * memory is freed and must not be read (not even its id).
 */
bool
wd_dev_registered(const struct wd_dev *dev)
{
	if (dev == NULL)
		return false;
	for (unsigned int i = 0; i < WD_MAX_DEVS; i++)
		if (wd_devs[i] == dev)
			return true;
	return false;
}

WD_EXPORT unsigned int
wd_dev_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < WD_MAX_DEVS; i++)
		n += wd_devs[i] != NULL;
	return n;
}

WD_EXPORT struct wd_dev *
wd_dev_get(unsigned int id)
{
	unsigned int n = 0;

	/* ids are dense over the present devices */
	for (unsigned int i = 0; i < WD_MAX_DEVS; i++) {
		if (wd_devs[i] == NULL)
			continue;
		if (n++ == id)
			return wd_devs[i];
	}
	return NULL;
}

WD_EXPORT struct wd_dev *
wd_dev_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (unsigned int i = 0; i < WD_MAX_DEVS; i++)
		if (wd_devs[i] != NULL && strcmp(wd_devs[i]->name, name) == 0)
			return wd_devs[i];
	return NULL;
}

WD_EXPORT int
wd_dev_attach(const char *str, struct wd_dev **devp)
{
	struct wd_spec spec;
	struct wd_dev *dev = NULL;
	int ret;

	if (devp == NULL || wd_spec_parse(str, &spec) < 0)
		return -EINVAL;
	if (spec.kind == WD_SPEC_SW)
		return -EINVAL;
	if (wd_drv_forked())
		return -EPERM;
	ret = wd_init();
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&wd_core_lock);
	if (spec.kind == WD_SPEC_PCI) {
		dev = wd_dev_find(spec.name);
		ret = dev != NULL ? 0 : wd_pci_attach(spec.name, spec.args, &dev);
	} else {
		ret = wd_model_attach(spec.args, &dev);
	}
	pthread_mutex_unlock(&wd_core_lock);
	if (ret == 0)
		*devp = dev;
	return ret;
}

WD_EXPORT int
wd_dev_detach(struct wd_dev *dev)
{
	int ret = 0;

	if (dev == NULL)
		return -EINVAL;
	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_core_lock);
	if (!wd_dev_registered(dev))
		ret = -EINVAL;
	else if (dev->queues_in_use > 0 || dev->holds > 0)
		ret = -EBUSY;
	else
		wd_dev_remove(dev);
	pthread_mutex_unlock(&wd_core_lock);
	return ret;
}

int
wd_dev_hold(struct wd_dev *dev)
{
	int ret = 0;

	if (dev == NULL)
		return -EINVAL;
	pthread_mutex_lock(&wd_core_lock);
	if (!wd_dev_registered(dev))
		ret = -EINVAL;
	else
		dev->holds++;
	pthread_mutex_unlock(&wd_core_lock);
	return ret;
}

void
wd_dev_unhold(struct wd_dev *dev)
{
	if (dev == NULL)
		return;
	pthread_mutex_lock(&wd_core_lock);
	if (wd_dev_registered(dev) && dev->holds > 0)
		dev->holds--;
	pthread_mutex_unlock(&wd_core_lock);
}

int
wd_dev_distance(const struct wd_dev *dev, int node)
{
	if (dev->numa_node < 0 || node < 0)
		return 10;
#if WD_HAVE_NUMA
	if (numa_available() >= 0) {
		int d = numa_distance(node, dev->numa_node);

		if (d > 0)
			return d;
	}
#endif
	return dev->numa_node == node ? 10 : 20;
}

WD_EXPORT int
wd_dev_info_get(const struct wd_dev *dev, struct wd_dev_info *info)
{
	unsigned int lcore = rte_lcore_id();
	int node;

	if (dev == NULL || info == NULL || !wd_dev_registered(dev))
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->id = 0;
	for (unsigned int i = 0, n = 0; i < WD_MAX_DEVS; i++) {
		if (wd_devs[i] == dev)
			info->id = n;
		n += wd_devs[i] != NULL;
	}
	snprintf(info->name, sizeof(info->name), "%s", dev->name);
	snprintf(info->driver, sizeof(info->driver), "%s", dev->drv ? dev->drv->name : "");
	snprintf(info->api, sizeof(info->api), "%s", dev->api);
	snprintf(info->bus, sizeof(info->bus), "%s", dev->bus == WD_BUS_PCI ? "pci" : "model");
	snprintf(info->algorithms, sizeof(info->algorithms), "%s", dev->algorithms);
	info->flags = dev->flags | WD_DEV_F_IOVA_VA |
		      (dev->bus == WD_BUS_PCI ? WD_DEV_F_PCI : WD_DEV_F_MODEL);
	info->vendor_id = dev->vendor_id;
	info->device_id = dev->device_id;
	info->revision = dev->revision;
	info->queues_total = dev->queues_total;
	info->queues_available = dev->queues_total - dev->queues_in_use;
	info->queue_depth_max = dev->queue_depth_max;
	info->numa_node = dev->numa_node;
	node = lcore < RTE_MAX_LCORE ? (int)rte_lcore_to_socket_id(lcore) : 0;
	info->numa_distance = wd_dev_distance(dev, node);
	return 0;
}

WD_EXPORT bool
wd_dev_has_alg(const struct wd_dev *dev, const char *alg)
{
	size_t n;
	const char *p;

	if (dev == NULL || alg == NULL || *alg == '\0')
		return false;
	n = strlen(alg);
	for (p = dev->algorithms; *p != '\0';) {
		size_t len = strcspn(p, "\n");

		if (len == n && strncmp(p, alg, n) == 0)
			return true;
		p += len;
		if (*p == '\n')
			p++;
	}
	return false;
}

/* ---- accessors for drivers ------------------------------------------- */

const char *
wd_dev_name(const struct wd_dev *dev)
{
	return dev->name;
}

uint16_t
wd_dev_vendor_id(const struct wd_dev *dev)
{
	return dev->vendor_id;
}

uint16_t
wd_dev_device_id(const struct wd_dev *dev)
{
	return dev->device_id;
}

uint8_t
wd_dev_revision(const struct wd_dev *dev)
{
	return dev->revision;
}

int
wd_dev_numa_node(const struct wd_dev *dev)
{
	return dev->numa_node;
}

const char *
wd_dev_args(const struct wd_dev *dev)
{
	return dev->args;
}

int
wd_dev_arg_u32(const struct wd_dev *dev, const char *key, uint32_t *val)
{
	size_t klen = strlen(key);
	const char *p = dev->args;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			char buf[32], *end;
			unsigned long v;
			size_t vlen = len - klen - 1;

			if (vlen == 0 || vlen >= sizeof(buf))
				return -EINVAL;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			errno = 0;
			/* decimal, or hexadecimal after 0x (no octal: "010" is ten) */
			const char *num = buf;
			const char *digits = "0123456789";
			int base = 10;

			if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
				num = buf + 2;
				base = 16;
				digits = "0123456789abcdefABCDEF";
			}
			/* digits only: strtoul() would also take "0x0x10", " 1", "+1" */
			if (*num == '\0' || num[strspn(num, digits)] != '\0')
				return -EINVAL;
			v = strtoul(num, &end, base);
			if (errno != 0 || *end != '\0' || v > UINT32_MAX)
				return -EINVAL;
			*val = (uint32_t)v;
			return 0;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return -ENOENT;
}

int
wd_dev_bar(struct wd_dev *dev, unsigned int bar, struct wd_mmio *mmio)
{
	int ret;

	if (dev == NULL || mmio == NULL || bar >= WD_MAX_BARS)
		return -EINVAL;
	if (!dev->bar_valid[bar]) {
		ret = dev->bops->bar_get(dev->bctx, bar, &dev->bars[bar]);
		if (ret < 0)
			return ret;
		dev->bar_valid[bar] = true;
	}
	*mmio = dev->bars[bar];
	return 0;
}

int
wd_dev_cfg_read(struct wd_dev *dev, unsigned int off, void *buf, unsigned int len)
{
	if (dev == NULL || buf == NULL || len == 0)
		return -EINVAL;
	return dev->bops->cfg_read(dev->bctx, off, buf, len);
}

int
wd_dev_cfg_write(struct wd_dev *dev, unsigned int off, const void *buf, unsigned int len)
{
	if (dev == NULL || buf == NULL || len == 0)
		return -EINVAL;
	return dev->bops->cfg_write(dev->bctx, off, buf, len);
}

#define PCI_CMD_OFF 0x04
#define PCI_CMD_MEMORY 0x2
#define PCI_CMD_MASTER 0x4

int
wd_dev_set_bus_master(struct wd_dev *dev, bool enable)
{
	uint16_t cmd;
	int ret;

	ret = wd_dev_cfg_read(dev, PCI_CMD_OFF, &cmd, sizeof(cmd));
	if (ret < 0)
		return ret;
	if (enable)
		cmd |= PCI_CMD_MASTER | PCI_CMD_MEMORY;
	else
		cmd &= ~PCI_CMD_MASTER;
	return wd_dev_cfg_write(dev, PCI_CMD_OFF, &cmd, sizeof(cmd));
}

int
wd_dev_reset(struct wd_dev *dev)
{
	int ret;

	if (dev == NULL)
		return -EINVAL;
	if (dev->bops->reset == NULL)
		return -ENOTSUP;
	ret = dev->bops->reset(dev->bctx);
	if (ret < 0) {
		WD_LOG(ERR, "%s: function reset failed: %s", dev->name, strerror(-ret));
		return ret;
	}
	/* vfio-pci restores the config state around its reset; set bus mastering again anyway */
	return wd_dev_set_bus_master(dev, true);
}

int
wd_dev_irq_enable(struct wd_dev *dev, unsigned int nvec, int *efds)
{
	int ret;

	if (dev == NULL || efds == NULL || nvec == 0 || nvec > WD_MAX_IRQS)
		return -EINVAL;
	if (dev->bops->irq_enable == NULL)
		return -ENOTSUP;
	if (dev->irq_nvec > 0)
		wd_dev_irq_disable(dev);
	ret = dev->bops->irq_enable(dev->bctx, nvec, dev->irq_efds);
	if (ret < 0)
		return ret;
	dev->irq_nvec = nvec;
	memcpy(efds, dev->irq_efds, nvec * sizeof(int));
	return 0;
}

void
wd_dev_irq_disable(struct wd_dev *dev)
{
	if (dev == NULL || dev->irq_nvec == 0)
		return;
	if (dev->bops->irq_disable != NULL)
		dev->bops->irq_disable(dev->bctx);
	dev->irq_nvec = 0;
	for (unsigned int i = 0; i < WD_MAX_IRQS; i++)
		dev->irq_efds[i] = -1;
}

void
wd_dev_set_priv(struct wd_dev *dev, void *priv)
{
	dev->drv_priv = priv;
}

void *
wd_dev_priv(const struct wd_dev *dev)
{
	return dev->drv_priv;
}

int
wd_dev_set_attrs(struct wd_dev *dev, const struct wd_dev_attrs *a)
{
	if (dev == NULL || a == NULL || a->api == NULL || a->algorithms == NULL)
		return -EINVAL;
	snprintf(dev->api, sizeof(dev->api), "%s", a->api);
	snprintf(dev->algorithms, sizeof(dev->algorithms), "%s", a->algorithms);
	dev->queues_total = a->queues_total;
	dev->queue_depth_max = a->queue_depth_max;
	dev->flags = a->flags & ~(WD_DEV_F_PCI | WD_DEV_F_MODEL);
	return 0;
}

const struct wd_driver *
wd_dev_driver(const struct wd_dev *dev)
{
	return dev != NULL ? dev->drv : NULL;
}

const void *
wd_dev_class_ops(const struct wd_dev *dev, const char *cls)
{
	if (dev == NULL || dev->drv == NULL || dev->drv->class_name == NULL || cls == NULL)
		return NULL;
	if (strcmp(dev->drv->class_name, cls) != 0)
		return NULL;
	return dev->drv->class_ops;
}
