/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model bus: functions emulated in software by a registered provider
 * (model/hisi_zip registers one). A model function looks to its driver
 * exactly like a vfio-pci function: config space, BARs (emulated: every
 * access is delivered to the model in order), MSI on eventfds, function
 * reset, and an IOMMU that must be told every DMA mapping. Like EAL does
 * for a VFIO container, all of EAL's memory is mapped into the model's
 * IOMMU with IOVA = VA, and kept in sync through memory events.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal_memconfig.h>
#include <rte_memory.h>

#include "wd_core_private.h"

static struct wd_model_provider *wd_providers;

void
wd_model_provider_register(struct wd_model_provider *p)
{
	struct wd_model_provider **pp;

	if (p == NULL || p->name == NULL || p->create == NULL)
		return;
	/* keep registration order: the first one is the default */
	for (pp = &wd_providers; *pp != NULL; pp = &(*pp)->next)
		;
	p->next = NULL;
	*pp = p;
}

/* Split "type=X" out of the args; copy the rest to @p rest. */
static int
split_type(const char *args, char *type, size_t tlen, char *rest, size_t rlen)
{
	const char *p = args;
	size_t used = 0;

	type[0] = '\0';
	rest[0] = '\0';
	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		if (len > 5 && strncmp(p, "type=", 5) == 0) {
			if (len - 5 >= tlen)
				return -EINVAL;
			memcpy(type, p + 5, len - 5);
			type[len - 5] = '\0';
		} else {
			if (used + len + 2 > rlen)
				return -EINVAL;
			if (used > 0)
				rest[used++] = ',';
			memcpy(rest + used, p, len);
			used += len;
			rest[used] = '\0';
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int
map_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms, size_t len, void *arg)
{
	struct wd_dev *dev = arg;
	uint64_t va = (uint64_t)(uintptr_t)ms->addr;

	if (msl->external)
		return 0;
	return dev->bops->dma_map(dev->bctx, va, va, len);
}

int
wd_model_map_memory(struct wd_dev *dev)
{
	int ret = rte_memseg_contig_walk_thread_unsafe(map_seg, dev);

	if (ret < 0)
		return ret;
	return wd_mem_apply_user_maps(dev);
}

int
wd_model_attach(const char *args, struct wd_dev **devp)
{
	struct wd_model_provider *p;
	struct wd_model_desc desc;
	struct wd_dev *dev;
	char type[32], rest[256];
	int ret;

	if (split_type(args, type, sizeof(type), rest, sizeof(rest)) < 0)
		return -EINVAL;
	for (p = wd_providers; p != NULL; p = p->next)
		if (type[0] == '\0' || strcmp(type, p->name) == 0)
			break;
	if (p == NULL) {
		WD_LOG(ERR, "no device model%s%s is built in", type[0] ? " of type " : "", type);
		return -ENODEV;
	}
	memset(&desc, 0, sizeof(desc));
	desc.numa_node = -1;
	ret = p->create(rest, &desc);
	if (ret < 0) {
		WD_LOG(ERR, "model '%s': cannot create the device from \"%s\": %s", p->name,
		       rest, strerror(-ret));
		return ret;
	}
	/*
	 * The IOMMU learns every mapping before the driver runs. The device
	 * enters the registry under the memory lock too: EAL's memory events
	 * (their callback runs under the write lock and maps into every model
	 * of the registry) see it complete and mapped, or not at all, never
	 * mapping a segment that the walk below maps again (-EEXIST).
	 */
	rte_mcfg_mem_read_lock();
	dev = wd_dev_new(WD_BUS_MODEL, &desc, rest);
	ret = dev == NULL ? -ENOSPC : wd_model_map_memory(dev);
	rte_mcfg_mem_read_unlock();
	if (dev == NULL) {
		desc.ops->destroy(desc.ctx);
		return ret;
	}
	if (ret < 0) {
		WD_LOG(ERR, "%s: cannot map EAL memory into the model's IOMMU", dev->name);
		wd_dev_free(dev);
		return ret;
	}
	return wd_dev_bringup(dev, devp);
}
