/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd-perf devices: the default choice (every bound accelerator, else the
 * device model), --dev specs, --list, configuration and the lcore ->
 * queue-pair assignment (wd_comp's scheduler).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_memory.h>

#include "perf.h"

static void
make_label(struct perf_dev *d, const char *spec)
{
	struct wd_spec ps;

	snprintf(d->label, sizeof(d->label), "%s", d->info.name);
	if (spec == NULL || *spec == '\0')
		return;
	if (wd_spec_parse(spec, &ps) == 0 && ps.args[0] != '\0')
		snprintf(d->label, sizeof(d->label), "%.63s:%.94s", d->info.name, ps.args);
}

void
perf_dev_describe(const struct perf_dev *d, char *buf, size_t len)
{
	struct wd_dev *wdev = wd_dev_find(d->info.name);
	struct wd_dev_info wi;

	if (!d->info.hw) {
		snprintf(buf, len, "%s (software engine, driver %s)", d->label, d->info.driver);
		return;
	}
	if (wdev == NULL || wd_dev_info_get(wdev, &wi) < 0) {
		snprintf(buf, len, "%s (driver %s)", d->label, d->info.driver);
		return;
	}
	snprintf(buf, len, "%s (%s%s, %s %04x:%04x rev %02x, api %s, %u queues, NUMA %d)",
		 d->label, wi.driver,
		 (wi.flags & WD_DEV_F_MODEL) ? " on the device model, no hardware" : "",
		 (wi.flags & WD_DEV_F_VF) ? "VF" : "PF", wi.vendor_id, wi.device_id,
		 wi.revision, wi.api, wi.queues_total, wi.numa_node);
}

int
perf_devices_open(const struct perf_opts *o, struct perf_dev *devs, unsigned int *nb_devs,
		  bool *defaulted)
{
	int ret, id;
	unsigned int n = 0;

	*defaulted = false;
	ret = wd_comp_init();
	if (ret < 0) {
		fprintf(stderr, "wd-perf: wd_comp_init failed: %s\n", strerror(-ret));
		return ret;
	}
	if (o->nb_devs == 0) {
		unsigned int count = wd_comp_dev_count();

		for (unsigned int i = 0; i < count && n < PERF_MAX_DEVS; i++) {
			struct perf_dev *d = &devs[n];

			memset(d, 0, sizeof(*d));
			if (wd_comp_dev_info_get((uint8_t)i, &d->info) < 0 || !d->info.hw)
				continue;
			d->id = (uint8_t)i;
			make_label(d, NULL);
			n++;
		}
		if (n == 0) {
			id = wd_comp_dev_attach("model");
			if (id < 0) {
				fprintf(stderr,
					"wd-perf: no accelerator is bound to vfio-pci and the "
					"device model cannot be attached: %s\n", strerror(-id));
				return id;
			}
			memset(&devs[0], 0, sizeof(devs[0]));
			devs[0].id = (uint8_t)id;
			wd_comp_dev_info_get(devs[0].id, &devs[0].info);
			snprintf(devs[0].spec, sizeof(devs[0].spec), "model");
			make_label(&devs[0], NULL);
			n = 1;
			*defaulted = true;
		}
		*nb_devs = n;
		return 0;
	}
	for (unsigned int i = 0; i < o->nb_devs; i++) {
		struct perf_dev *d = &devs[n];
		struct wd_spec ps;

		if (wd_spec_parse(o->devs[i], &ps) < 0) {
			fprintf(stderr, "wd-perf: --dev '%s': not a device specification (a PCI "
				"address, model[:key=value,...] or sw)\n", o->devs[i]);
			return -EINVAL;
		}
		id = wd_comp_dev_attach(o->devs[i]);
		if (id < 0) {
			fprintf(stderr, "wd-perf: --dev '%s': cannot attach the device: %s%s\n",
				o->devs[i], strerror(-id),
				ps.kind == WD_SPEC_PCI ?
				" (is it bound to vfio-pci and allowed by EAL's -a/-b?)" : "");
			return id;
		}
		for (unsigned int k = 0; k < n; k++) {
			if (devs[k].id == id) {
				fprintf(stderr,
					"wd-perf: --dev '%s' names the same device as '%s'\n",
					o->devs[i], devs[k].spec);
				return -EINVAL;
			}
		}
		memset(d, 0, sizeof(*d));
		d->id = (uint8_t)id;
		ret = wd_comp_dev_info_get(d->id, &d->info);
		if (ret < 0) {
			fprintf(stderr, "wd-perf: --dev '%s': no device information: %s\n",
				o->devs[i], strerror(-ret));
			return ret;
		}
		snprintf(d->spec, sizeof(d->spec), "%s", o->devs[i]);
		make_label(d, o->devs[i]);
		n++;
	}
	*nb_devs = n;
	return 0;
}

static void
print_flags(FILE *f, uint64_t ff)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ WD_COMP_FF_STATEFUL_COMPRESSION, "stateful-comp" },
		{ WD_COMP_FF_STATEFUL_DECOMPRESSION, "stateful-decomp" },
		{ WD_COMP_FF_OOP_SGL_IN_SGL_OUT, "sgl-in-sgl-out" },
		{ WD_COMP_FF_OOP_SGL_IN_LB_OUT, "sgl-in-lb-out" },
		{ WD_COMP_FF_OOP_LB_IN_SGL_OUT, "lb-in-sgl-out" },
		{ WD_COMP_FF_ADLER32_CHECKSUM, "adler32" },
		{ WD_COMP_FF_CRC32_CHECKSUM, "crc32" },
		{ WD_COMP_FF_CRC32_ADLER32_CHECKSUM, "crc32+adler32" },
		{ WD_COMP_FF_MULTI_PKT_CHECKSUM, "multi-pkt-checksum" },
		{ WD_COMP_FF_NONCOMPRESSED_BLOCKS, "stored-blocks" },
		{ WD_COMP_FF_SHAREABLE_PRIV_XFORM, "shareable-xform" },
		{ WD_COMP_FF_HUFFMAN_FIXED, "huffman-fixed" },
		{ WD_COMP_FF_HUFFMAN_DYNAMIC, "huffman-dynamic" },
		{ WD_COMP_FF_ZLIB_FORMAT, "zlib" },
		{ WD_COMP_FF_GZIP_FORMAT, "gzip" },
		{ WD_COMP_FF_GZIP_MULTI_MEMBER, "gzip-multi-member" },
		{ WD_COMP_FF_SW_FALLBACK, "sw-fallback" },
		{ WD_COMP_FF_HW_ACCELERATED, "hw-accelerated" },
	};
	bool first = true;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (ff & names[i].bit) {
			fprintf(f, "%s%s", first ? "" : " ", names[i].name);
			first = false;
		}
	}
	if (first)
		fprintf(f, "none");
}

static void
list_core_dev(FILE *f, struct wd_dev *dev)
{
	struct wd_dev_info wi;
	char algs[WD_ALGS_MAX];

	if (wd_dev_info_get(dev, &wi) < 0)
		return;
	snprintf(algs, sizeof(algs), "%s", wi.algorithms);
	for (char *p = algs; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	fprintf(f, "  %s\n", wi.name);
	fprintf(f, "    id %u, driver %s, api %s, bus %s\n", wi.id, wi.driver, wi.api, wi.bus);
	fprintf(f, "    pci id %04x:%04x rev %02x (%s)\n", wi.vendor_id, wi.device_id,
		wi.revision, (wi.flags & WD_DEV_F_VF) ? "VF" : "PF");
	fprintf(f, "    flags 0x%x:%s%s%s%s%s\n", wi.flags,
		(wi.flags & WD_DEV_F_PCI) ? " pci" : "",
		(wi.flags & WD_DEV_F_MODEL) ? " model" : "",
		(wi.flags & WD_DEV_F_VF) ? " vf" : "", (wi.flags & WD_DEV_F_IRQ) ? " irq" : "",
		(wi.flags & WD_DEV_F_IOVA_VA) ? " iova-va" : "");
	fprintf(f, "    algorithms: %s\n", algs);
	fprintf(f, "    queues: %u total, %u available, depth up to %u\n", wi.queues_total,
		wi.queues_available, wi.queue_depth_max);
	fprintf(f, "    NUMA node %d, distance %d\n", wi.numa_node, wi.numa_distance);
}

static void
list_comp_dev(FILE *f, uint8_t id)
{
	struct wd_comp_dev_info ci;
	struct wd_dev_info wi;
	struct wd_dev *wdev;
	bool model;

	if (wd_comp_dev_info_get(id, &ci) < 0)
		return;
	wdev = wd_dev_find(ci.name);
	model = wdev != NULL && wd_dev_info_get(wdev, &wi) == 0 && (wi.flags & WD_DEV_F_MODEL);
	fprintf(f, "  %u: %s\n", id, ci.name);
	fprintf(f, "    driver %s, %s, socket %d, up to %u queue pairs, ops up to %u bytes\n",
		ci.driver, !ci.hw ? "software engine" : model ? "hardware engine (device model)" :
		"hardware engine", ci.socket_id, ci.max_nb_queue_pairs, ci.max_op_len);
	fprintf(f, "    features: ");
	print_flags(f, ci.feature_flags);
	fputc('\n', f);
	for (int a = 0; a < WD_COMP_ALG_MAX; a++) {
		const struct wd_comp_capability *cap = &ci.caps[a];

		if (!cap->comp && !cap->decomp)
			continue;
		fprintf(f, "    %-8s compress %s, decompress %s, window 2^%u..2^%u\n",
			perf_format_str((enum wd_comp_alg)a),
			!cap->comp ? "no" : cap->comp_hw ? "hw" : "sw-fallback",
			!cap->decomp ? "no" : cap->decomp_hw ? "hw" : "sw-fallback",
			cap->window_size.min, cap->window_size.max);
	}
}

int
perf_devices_list(const struct perf_opts *o, FILE *f)
{
	struct perf_dev devs[PERF_MAX_DEVS];
	unsigned int nb = 0, ncore;
	bool defaulted;
	int ret;

	ret = perf_devices_open(o, devs, &nb, &defaulted);
	if (ret < 0)
		return ret;
	ncore = wd_dev_count();
	fprintf(f, "WarpDrive devices (wd_core):\n");
	if (ncore == 0)
		fprintf(f, "  none\n");
	for (unsigned int i = 0; i < WD_MAX_DEVS && ncore > 0; i++) {
		struct wd_dev *dev = wd_dev_get(i);

		if (dev != NULL)
			list_core_dev(f, dev);
	}
	if (defaulted)
		fprintf(f, "  (no accelerator is bound to vfio-pci: %s is the device model, "
			"attached as the default device)\n", devs[0].info.name);
	fprintf(f, "Compression devices (wd_comp):\n");
	for (unsigned int i = 0; i < wd_comp_dev_count(); i++)
		list_comp_dev(f, (uint8_t)i);
	fprintf(f, "Device specifications for --dev: a PCI address (0000:75:00.0), "
		"model[:key=value,...] (doc/model.md), sw\n");
	return 0;
}

int
perf_devices_configure(struct perf_dev *devs, unsigned int nb_devs, unsigned int nb_qps,
		       const struct perf_opts *o)
{
	for (unsigned int i = 0; i < nb_devs; i++) {
		struct perf_dev *d = &devs[i];
		struct wd_comp_config cfg = { 0 };
		struct wd_comp_qp_conf qc = { 0 };
		int ret;

		if (d->info.hw && o->fallback_set &&
		    !(o->fallback.flags & WD_COMP_FB_F_UNSUPPORTED)) {
			/* every op would fail ERR_NOTSUP: say it now, not a million times */
			const struct wd_comp_capability *cap = &d->info.caps[o->format];
			const char *what = o->do_comp && !cap->comp_hw ? "compression" :
					   o->do_decomp && !cap->decomp_hw ? "decompression" :
					   NULL;

			if (what != NULL) {
				fprintf(stderr, "wd-perf: %s: %s %s runs in software only on this "
					"device, which --fallback forbids without 'unsupported' "
					"(or give --fallback default)\n", d->label,
					perf_format_str(o->format), what);
				return -ENOTSUP;
			}
		}
		if (d->info.max_nb_queue_pairs != 0 && nb_qps > d->info.max_nb_queue_pairs) {
			fprintf(stderr, "wd-perf: %s: %u queue pairs needed (lcores x "
				"--qps-per-lcore), the device offers %u\n", d->label, nb_qps,
				d->info.max_nb_queue_pairs);
			return -ENOSPC;
		}
		cfg.socket_id = d->info.socket_id;
		cfg.nb_queue_pairs = (uint16_t)nb_qps;
		ret = wd_comp_dev_configure(d->id, &cfg);
		if (ret < 0) {
			fprintf(stderr, "wd-perf: %s: configure (%u queue pairs) failed: %s\n",
				d->label, nb_qps, strerror(-ret));
			return ret;
		}
		qc.max_inflight_ops = (o->inflight + o->qps_per_lcore - 1) / o->qps_per_lcore;
		qc.socket_id = d->info.socket_id;
		if (o->fallback_set)
			qc.fallback = o->fallback;
		else
			qc.use_default_fallback = true;
		for (unsigned int q = 0; q < nb_qps; q++) {
			ret = wd_comp_qp_setup(d->id, (uint16_t)q, &qc);
			if (ret < 0) {
				fprintf(stderr, "wd-perf: %s: queue pair %u set-up failed: %s\n",
					d->label, q, strerror(-ret));
				return ret;
			}
		}
		ret = wd_comp_dev_start(d->id);
		if (ret < 0) {
			fprintf(stderr, "wd-perf: %s: start failed: %s\n", d->label,
				strerror(-ret));
			return ret;
		}
		d->nb_qps = (uint16_t)nb_qps;
		d->started = true;
	}
	return 0;
}

int
perf_assign_qps(const struct perf_opts *o, struct perf_dev *devs, const unsigned int *dev_idx,
		unsigned int nb_dev_idx, const unsigned int *lcores, unsigned int nb_lcores,
		struct perf_lcore_qps *out)
{
	uint8_t ids[PERF_MAX_DEVS];
	struct wd_comp_sched *sched = NULL;
	int ret;

	memset(out, 0, sizeof(*out) * nb_lcores);
	if (o->qps_per_lcore > 1) {
		/* One device, several queue pairs per lcore: a fixed split. */
		struct perf_dev *d = &devs[dev_idx[0]];

		for (unsigned int i = 0; i < nb_lcores; i++) {
			out[i].lcore = lcores[i];
			out[i].dev_id = d->id;
			out[i].dev_idx = dev_idx[0];
			out[i].nb_qp = o->qps_per_lcore;
			for (unsigned int q = 0; q < o->qps_per_lcore; q++)
				out[i].qp[q] = (uint16_t)(i * o->qps_per_lcore + q);
		}
		return 0;
	}
	for (unsigned int i = 0; i < nb_dev_idx; i++)
		ids[i] = devs[dev_idx[i]].id;
	ret = wd_comp_sched_create(ids, nb_dev_idx, lcores, nb_lcores, &sched);
	if (ret < 0) {
		fprintf(stderr, "wd-perf: cannot give each lcore a queue pair: %s\n",
			strerror(-ret));
		return ret;
	}
	for (unsigned int i = 0; i < nb_lcores; i++) {
		uint8_t dev_id;
		uint16_t qp;

		ret = wd_comp_sched_get(sched, lcores[i], &dev_id, &qp);
		if (ret < 0) {
			fprintf(stderr,
				"wd-perf: the scheduler has no queue pair for lcore %u: %s\n",
				lcores[i], strerror(-ret));
			wd_comp_sched_free(sched);
			return ret;
		}
		out[i].lcore = lcores[i];
		out[i].dev_id = dev_id;
		out[i].nb_qp = 1;
		out[i].qp[0] = qp;
		for (unsigned int k = 0; k < nb_dev_idx; k++)
			if (devs[dev_idx[k]].id == dev_id)
				out[i].dev_idx = dev_idx[k];
	}
	wd_comp_sched_free(sched);
	return 0;
}

void
perf_devices_close(struct perf_dev *devs, unsigned int nb_devs)
{
	for (unsigned int i = 0; i < nb_devs; i++) {
		if (!devs[i].started)
			continue;
		wd_comp_dev_stop(devs[i].id);
		wd_comp_dev_close(devs[i].id);
		devs[i].started = false;
	}
}
