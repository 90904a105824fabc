/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd_comp API: devices, queue pairs, private xforms, streams, the op pool,
 * enqueue/dequeue with the engine choice (fallback policy), the synchronous
 * flat-buffer call and statistics.
 *
 * Threading: control calls take wd_comp_lock. A queue pair belongs to one
 * thread at a time (its enqueue and dequeue run on that thread): the data
 * path takes no lock and makes no system call. Private xforms are shared
 * read-only; streams carry an atomic "busy" flag so that a second op of a
 * stream in flight is refused with WD_COMP_OP_INVALID_STATE.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "wd_comp_private.h"
#include "wd_drv.h"

RTE_LOG_REGISTER(wd_comp_logtype, wd.comp, NOTICE);

pthread_mutex_t wd_comp_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
/* Generation of the last device made (wd_comp_dev.gen); under wd_comp_lock. */
static uint32_t wd_comp_gen;

static struct wd_comp_dev wd_comp_devs[WD_COMP_MAX_DEVS];

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

WD_EXPORT const char *
wd_comp_op_status_str(enum wd_comp_op_status s)
{
	static const char *const names[WD_COMP_OP_STATUS_MAX] = {
		[WD_COMP_OP_SUCCESS] = "success",
		[WD_COMP_OP_NOT_PROCESSED] = "not_processed",
		[WD_COMP_OP_INVALID_ARGS] = "invalid_args",
		[WD_COMP_OP_ERROR] = "error",
		[WD_COMP_OP_INVALID_STATE] = "invalid_state",
		[WD_COMP_OP_OUT_OF_SPACE_TERMINATED] = "out_of_space_terminated",
		[WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE] = "out_of_space_recoverable",
		[WD_COMP_OP_ERR_CHECKSUM] = "err_checksum",
		[WD_COMP_OP_ERR_DATA] = "err_data",
		[WD_COMP_OP_ERR_DICT] = "err_dict",
		[WD_COMP_OP_ERR_NOTSUP] = "err_notsup",
		[WD_COMP_OP_ERR_TIMEOUT] = "err_timeout",
		[WD_COMP_OP_ERR_DEVICE] = "err_device",
	};

	if ((unsigned int)s >= WD_COMP_OP_STATUS_MAX)
		return "unknown";
	return names[s];
}

WD_EXPORT const char *
wd_comp_engine_str(enum wd_comp_engine e)
{
	switch (e) {
	case WD_COMP_ENGINE_NONE:
		return "none";
	case WD_COMP_ENGINE_HW:
		return "hw";
	case WD_COMP_ENGINE_SW:
		return "sw";
	default:
		return "unknown";
	}
}

WD_EXPORT const char *
wd_comp_fallback_str(enum wd_comp_fallback_reason r)
{
	switch (r) {
	case WD_COMP_FB_NONE:
		return "none";
	case WD_COMP_FB_NO_HW:
		return "no_hw";
	case WD_COMP_FB_QUEUE_FULL:
		return "queue_full";
	case WD_COMP_FB_SMALL:
		return "small";
	case WD_COMP_FB_UNSUPPORTED:
		return "unsupported";
	default:
		return "unknown";
	}
}

WD_EXPORT const char *
wd_comp_alg_str(enum wd_comp_alg a)
{
	switch (a) {
	case WD_COMP_ALG_DEFLATE:
		return "deflate";
	case WD_COMP_ALG_ZLIB:
		return "zlib";
	case WD_COMP_ALG_GZIP:
		return "gzip";
	default:
		return "unknown";
	}
}

uint8_t
wd_comp_status_from_msg(uint8_t msg_status)
{
	switch (msg_status) {
	case WD_COMP_MSG_OK:
	case WD_COMP_MSG_STREAM_END:
		return WD_COMP_OP_SUCCESS;
	case WD_COMP_MSG_OUT_OF_SPACE_TERMINATED:
		return WD_COMP_OP_OUT_OF_SPACE_TERMINATED;
	case WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE:
		return WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE;
	case WD_COMP_MSG_ERR_CHECKSUM:
		return WD_COMP_OP_ERR_CHECKSUM;
	case WD_COMP_MSG_ERR_DATA:
		return WD_COMP_OP_ERR_DATA;
	case WD_COMP_MSG_ERR_DICT:
		return WD_COMP_OP_ERR_DICT;
	case WD_COMP_MSG_ERR_INVALID:
		return WD_COMP_OP_INVALID_ARGS;
	case WD_COMP_MSG_ERR_NOTSUP:
		return WD_COMP_OP_ERR_NOTSUP;
	case WD_COMP_MSG_ERR_TOO_BIG:
		return WD_COMP_OP_INVALID_ARGS;
	case WD_COMP_MSG_ERR_TIMEOUT:
		return WD_COMP_OP_ERR_TIMEOUT;
	case WD_COMP_MSG_ERR_DEVICE:
		return WD_COMP_OP_ERR_DEVICE;
	default:
		return WD_COMP_OP_ERROR;
	}
}

/* ------------------------------------------------------------------ */
/* Devices                                                             */
/* ------------------------------------------------------------------ */

struct wd_comp_dev *
wd_comp_dev_get(uint8_t dev_id)
{
	if (dev_id >= WD_COMP_MAX_DEVS || !wd_comp_devs[dev_id].used)
		return NULL;
	return &wd_comp_devs[dev_id];
}

static struct wd_comp_dev *
dev_alloc(void)
{
	for (unsigned int i = 0; i < WD_COMP_MAX_DEVS; i++) {
		struct wd_comp_dev *d = &wd_comp_devs[i];

		if (!d->used) {
			memset(d, 0, sizeof(*d));
			d->used = true;
			d->id = (uint8_t)i;
			/* under wd_comp_lock; 0 is never a device's */
			if (++wd_comp_gen == 0)
				++wd_comp_gen;
			d->gen = wd_comp_gen;
			return d;
		}
	}
	return NULL;
}

static int
dev_add_sw(void)
{
	struct wd_comp_dev *d;

	for (unsigned int i = 0; i < WD_COMP_MAX_DEVS; i++)
		if (wd_comp_devs[i].used && !wd_comp_devs[i].hw)
			return (int)i;
	d = dev_alloc();
	if (d == NULL)
		return -ENOSPC;
	snprintf(d->name, sizeof(d->name), "sw");
	snprintf(d->driver, sizeof(d->driver), "sw");
	d->socket_id = WD_SOCKET_ANY;
	WD_COMP_LOG(INFO, "device %u: software engine (%s)", d->id,
		    WD_HAVE_ISAL ? "ISA-L igzip + zlib" : "zlib");
	return d->id;
}

/* Make a wd_comp device of a wd_core device (if its driver does "comp"). */
static int
dev_add_hw(struct wd_dev *wdev)
{
	const struct wd_comp_drv_ops *ops = wd_dev_class_ops(wdev, "comp");
	struct wd_dev_info info;
	struct wd_comp_dev *d;
	int ret;

	if (ops == NULL || ops->caps_get == NULL)
		return -ENOTSUP;
	for (unsigned int i = 0; i < WD_COMP_MAX_DEVS; i++)
		if (wd_comp_devs[i].used && wd_comp_devs[i].wdev == wdev)
			return (int)i;
	ret = wd_dev_info_get(wdev, &info);
	if (ret < 0)
		return ret;
	d = dev_alloc();
	if (d == NULL)
		return -ENOSPC;
	ret = ops->caps_get(wdev, &d->caps);
	if (ret < 0) {
		WD_COMP_LOG(ERR, "%s: cannot read the compression capabilities: %s", info.name,
			    strerror(-ret));
		d->used = false;
		return ret;
	}
	if (d->caps.max_len == 0 || d->caps.max_len > WD_COMP_MSG_MAX_LEN)
		d->caps.max_len = WD_COMP_MSG_MAX_LEN;
	/* the wd_core device stays while we refer to it (wd_dev_detach says -EBUSY) */
	ret = wd_dev_hold(wdev);
	if (ret < 0) {
		d->used = false;
		return ret;
	}
	d->hw = true;
	d->wdev = wdev;
	d->drv_ops = ops;
	snprintf(d->name, sizeof(d->name), "%s", info.name);
	snprintf(d->driver, sizeof(d->driver), "%s", info.driver);
	d->socket_id = info.numa_node;
	WD_COMP_LOG(INFO, "device %u: %s (%s), max %u bytes per request", d->id, d->name,
		    d->driver, d->caps.max_len);
	return d->id;
}

static void qp_free(struct wd_comp_qp *qp);

/* Give a device's slot back (its queue pairs are gone); the lock is held. */
static void
dev_release(struct wd_comp_dev *d)
{
	struct wd_dev *wdev = d->wdev;
	bool own = d->own_wdev;

	if (d->nb_xforms > 0 || d->nb_streams > 0)
		WD_COMP_LOG(WARNING, "%s: %u xforms and %u streams were not freed: their "
			    "handles are no longer valid", d->name, d->nb_xforms, d->nb_streams);
	memset(d, 0, sizeof(*d));
	if (wdev != NULL) {
		wd_dev_unhold(wdev);
		if (own && wd_dev_detach(wdev) < 0)
			WD_COMP_LOG(WARNING, "device model left attached (queues still requested)");
	}
}

/*
 * wd_cleanup() hook: every queue pair and device goes, in flight or not
 * (their ops are lost), before wd_core releases the queues and devices
 * they use: nothing is left pointing at them.
 */
static void
wd_comp_cleanup_hook(void)
{
	pthread_mutex_lock(&wd_comp_lock);
	for (unsigned int i = 0; i < WD_COMP_MAX_DEVS; i++) {
		struct wd_comp_dev *d = &wd_comp_devs[i];

		if (!d->used)
			continue;
		for (unsigned int q = 0; q < WD_COMP_MAX_QPS; q++) {
			if (d->qps[q] == NULL)
				continue;
			if (d->qps[q]->inflight > 0)
				WD_COMP_LOG(WARNING, "%s: queue pair %u released with %u ops in "
					    "flight (wd_cleanup)", d->name, q, d->qps[q]->inflight);
			qp_free(d->qps[q]);
			d->qps[q] = NULL;
		}
		d->own_wdev = false; /* wd_cleanup() removes every wd_core device itself */
		dev_release(d);
	}
	pthread_mutex_unlock(&wd_comp_lock);
}

static int
hook_register(void)
{
	int ret = wd_cleanup_hook_register(wd_comp_cleanup_hook);

	if (ret < 0)
		WD_COMP_LOG(ERR, "cannot register the wd_cleanup hook: %s", strerror(-ret));
	return ret;
}

WD_EXPORT int
wd_comp_init(void)
{
	int ret, n = 0;

	if (wd_drv_forked())
		return -EPERM;
	ret = wd_init();
	if (ret < 0)
		return ret;
	ret = hook_register();
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&wd_comp_lock);
	for (unsigned int i = 0; i < WD_MAX_DEVS; i++) {
		struct wd_dev *wdev = wd_dev_get(i);

		if (wdev != NULL && wd_dev_class_ops(wdev, "comp") != NULL)
			(void)dev_add_hw(wdev);
	}
	for (unsigned int i = 0; i < WD_COMP_MAX_DEVS; i++)
		n += wd_comp_devs[i].used;
	pthread_mutex_unlock(&wd_comp_lock);
	(void)wd_comp_telemetry_init();
	return n;
}

WD_EXPORT int
wd_comp_dev_attach(const char *spec)
{
	struct wd_spec s;
	struct wd_dev *wdev = NULL;
	int ret;

	if (spec == NULL)
		return -EINVAL;
	if (wd_drv_forked())
		return -EPERM;
	ret = wd_spec_parse(spec, &s);
	if (ret < 0)
		return ret;
	if (s.kind == WD_SPEC_SW) {
		if (rte_lcore_count() == 0) {
			/* the engine's memory comes from EAL */
			WD_COMP_LOG(ERR, "sw: EAL is not running");
			return -ENODEV;
		}
		ret = hook_register();
		if (ret < 0)
			return ret;
		pthread_mutex_lock(&wd_comp_lock);
		ret = dev_add_sw();
		pthread_mutex_unlock(&wd_comp_lock);
		(void)wd_comp_telemetry_init();
		return ret;
	}
	ret = wd_init();
	if (ret < 0)
		return ret;
	ret = hook_register();
	if (ret < 0)
		return ret;
	ret = wd_dev_attach(spec, &wdev);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&wd_comp_lock);
	ret = dev_add_hw(wdev);
	if (ret >= 0 && s.kind == WD_SPEC_MODEL)
		wd_comp_devs[ret].own_wdev = true; /* a new model each time: ours to detach */
	pthread_mutex_unlock(&wd_comp_lock);
	if (ret < 0 && s.kind == WD_SPEC_MODEL)
		(void)wd_dev_detach(wdev);
	if (ret == -ENOTSUP)
		WD_COMP_LOG(ERR, "%s: its driver does not offer compression", spec);
	(void)wd_comp_telemetry_init();
	return ret;
}

WD_EXPORT uint8_t
wd_comp_dev_count(void)
{
	uint8_t n = 0;

	for (unsigned int i = 0; i < WD_COMP_MAX_DEVS; i++)
		n += wd_comp_devs[i].used;
	return n;
}

WD_EXPORT int
wd_comp_dev_get_id(const char *name)
{
	if (name == NULL)
		return -ENODEV;
	for (unsigned int i = 0; i < WD_COMP_MAX_DEVS; i++)
		if (wd_comp_devs[i].used && strcmp(wd_comp_devs[i].name, name) == 0)
			return (int)i;
	return -ENODEV;
}

#define FF_COMMON (WD_COMP_FF_OOP_SGL_IN_SGL_OUT | WD_COMP_FF_OOP_SGL_IN_LB_OUT | \
		   WD_COMP_FF_OOP_LB_IN_SGL_OUT | WD_COMP_FF_ADLER32_CHECKSUM | \
		   WD_COMP_FF_CRC32_CHECKSUM | WD_COMP_FF_CRC32_ADLER32_CHECKSUM | \
		   WD_COMP_FF_MULTI_PKT_CHECKSUM | WD_COMP_FF_SHAREABLE_PRIV_XFORM | \
		   WD_COMP_FF_HUFFMAN_FIXED | WD_COMP_FF_HUFFMAN_DYNAMIC | \
		   WD_COMP_FF_ZLIB_FORMAT | WD_COMP_FF_GZIP_FORMAT | \
		   WD_COMP_FF_GZIP_MULTI_MEMBER)
#define FF_SW (FF_COMMON | WD_COMP_FF_STATEFUL_COMPRESSION | \
	       WD_COMP_FF_STATEFUL_DECOMPRESSION | WD_COMP_FF_NONCOMPRESSED_BLOCKS)

/* Smallest compression window of the software engine (zlib alone cannot do 256 B). */
#define SW_WINDOW_MIN (WD_HAVE_ISAL ? 8 : 9)

static int
wd_comp_dev_info_get_locked(uint8_t dev_id, struct wd_comp_dev_info *info)
{
	struct wd_comp_dev *d = wd_comp_dev_get(dev_id);

	if (d == NULL)
		return -ENODEV;
	if (info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", d->name);
	snprintf(info->driver, sizeof(info->driver), "%s", d->driver);
	info->max_nb_queue_pairs = WD_COMP_MAX_QPS;
	info->socket_id = d->socket_id;
	info->hw = d->hw;
	info->feature_flags = FF_SW;
	info->max_op_len = UINT32_MAX;
	for (int a = 0; a < WD_COMP_ALG_MAX; a++) {
		struct wd_comp_capability *c = &info->caps[a];

		c->alg = (enum wd_comp_alg)a;
		c->comp = true;
		c->decomp = true;
		c->comp_feature_flags = FF_SW;
		c->window_size.min = SW_WINDOW_MIN;
		c->window_size.max = 15;
		c->window_size.increment = 1;
		if (d->hw) {
			const struct wd_comp_drv_caps *hc = &d->caps;

			c->comp_hw = (hc->algs_comp >> a) & 1;
			c->decomp_hw = (hc->algs_decomp >> a) & 1;
			if (c->comp_hw || c->decomp_hw) {
				/* the hardware's own range; other windows run in software */
				c->window_size.min = hc->window_min_log;
				c->window_size.max = hc->window_max_log;
			}
		}
	}
	if (d->hw) {
		info->feature_flags |= WD_COMP_FF_SW_FALLBACK | WD_COMP_FF_HW_ACCELERATED;
		info->max_op_len = d->caps.max_len;
		for (int a = 0; a < WD_COMP_ALG_MAX; a++)
			info->caps[a].comp_feature_flags = info->feature_flags;
	}
	return 0;
}

WD_EXPORT int
wd_comp_dev_info_get(uint8_t dev_id, struct wd_comp_dev_info *info)
{
	int ret;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	ret = wd_comp_dev_info_get_locked(dev_id, info);
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

/*
 * The counters of @p qp since its last reset. Only the queue pair's thread
 * writes them (no atomics on the data path): a reset records them as a
 * base instead of clearing them under that thread, whose next `+=` would
 * write back the value it read before the clearing.
 */
static void
qp_stats_read(const struct wd_comp_qp *qp, struct wd_comp_stats *out)
{
	const uint64_t *c = (const uint64_t *)(const void *)&qp->stats;
	const uint64_t *b = (const uint64_t *)(const void *)&qp->stats_base;
	uint64_t *o = (uint64_t *)(void *)out;

	RTE_BUILD_BUG_ON(sizeof(*out) % sizeof(uint64_t) != 0);
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		o[i] = __atomic_load_n(&c[i], __ATOMIC_RELAXED) - b[i];
}

/* Add the counters of @p qp since its last reset to @p sum. */
static void
qp_stats_add_to(struct wd_comp_stats *sum, const struct wd_comp_qp *qp)
{
	struct wd_comp_stats s;

	qp_stats_read(qp, &s);
	wd_comp_qp_stats_add(sum, &s);
}

static void
qp_free(struct wd_comp_qp *qp)
{
	if (qp == NULL)
		return;
	if (qp->hw != NULL)
		wd_comp_hw_qp_release(qp);
	wd_comp_sw_qp_free(qp->sw);
	rte_free(qp->done);
	rte_free(qp);
}

/* Release a queue pair, keeping its statistics in the device totals. */
static int
qp_release(struct wd_comp_dev *d, uint16_t id)
{
	struct wd_comp_qp *qp = d->qps[id];

	if (qp == NULL)
		return 0;
	if (qp->inflight > 0) {
		WD_COMP_LOG(ERR, "%s: queue pair %u still has %u ops in flight", d->name, id,
			    qp->inflight);
		return -EBUSY;
	}
	qp_stats_add_to(&d->closed_stats, qp);
	d->qps[id] = NULL;
	qp_free(qp);
	return 0;
}

static int
qps_release_all(struct wd_comp_dev *d)
{
	for (unsigned int i = 0; i < WD_COMP_MAX_QPS; i++)
		if (d->qps[i] != NULL && d->qps[i]->inflight > 0)
			return -EBUSY;
	for (unsigned int i = 0; i < WD_COMP_MAX_QPS; i++)
		(void)qp_release(d, (uint16_t)i);
	return 0;
}

static bool
socket_valid(int socket_id)
{
	return socket_id == WD_SOCKET_ANY || (socket_id >= 0 && socket_id < RTE_MAX_NUMA_NODES);
}

WD_EXPORT int
wd_comp_dev_configure(uint8_t dev_id, const struct wd_comp_config *cfg)
{
	struct wd_comp_dev *d;
	int ret = 0;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	d = wd_comp_dev_get(dev_id);
	if (d == NULL) {
		ret = -ENODEV;
		goto out;
	}
	if (cfg == NULL || cfg->nb_queue_pairs == 0 || cfg->nb_queue_pairs > WD_COMP_MAX_QPS ||
	    !socket_valid(cfg->socket_id)) {
		ret = -EINVAL;
		goto out;
	}
	if (d->started) {
		ret = -EBUSY;
		goto out;
	}
	ret = qps_release_all(d);
	if (ret < 0)
		goto out;
	d->cfg = *cfg;
	d->nb_qps = cfg->nb_queue_pairs;
	d->configured = true;
out:
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

WD_EXPORT int
wd_comp_dev_start(uint8_t dev_id)
{
	struct wd_comp_dev *d;
	int ret = 0;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	d = wd_comp_dev_get(dev_id);
	if (d == NULL) {
		ret = -ENODEV;
		goto out;
	}
	if (!d->configured) {
		ret = -EINVAL;
		goto out;
	}
	for (unsigned int i = 0; i < d->nb_qps; i++) {
		if (d->qps[i] == NULL) {
			WD_COMP_LOG(ERR, "%s: queue pair %u is not set up", d->name, i);
			ret = -EINVAL;
			goto out;
		}
	}
	d->started = true;
out:
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

WD_EXPORT void
wd_comp_dev_stop(uint8_t dev_id)
{
	struct wd_comp_dev *d;

	if (wd_drv_forked())
		return;
	pthread_mutex_lock(&wd_comp_lock);
	d = wd_comp_dev_get(dev_id);
	if (d != NULL)
		d->started = false;
	pthread_mutex_unlock(&wd_comp_lock);
}

/*
 * With wd_comp_lock held: the device @p dev_id, stopped (and, for
 * @p no_objects, with no xform or stream left) and without requests in
 * flight, gets its queue pairs released. @return 0, -ENODEV or -EBUSY.
 */
static int
dev_quiesce(uint8_t dev_id, bool no_objects, struct wd_comp_dev **out)
{
	struct wd_comp_dev *d = wd_comp_dev_get(dev_id);

	if (d == NULL)
		return -ENODEV;
	if (d->started || (no_objects &&
			   (__atomic_load_n(&d->nb_xforms, __ATOMIC_RELAXED) > 0 ||
			    __atomic_load_n(&d->nb_streams, __ATOMIC_RELAXED) > 0)))
		return -EBUSY;
	*out = d;
	return qps_release_all(d);
}

WD_EXPORT int
wd_comp_dev_close(uint8_t dev_id)
{
	struct wd_comp_dev *d;
	int ret;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	ret = dev_quiesce(dev_id, false, &d);
	if (ret == 0) {
		d->configured = false;
		d->nb_qps = 0;
	}
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

WD_EXPORT int
wd_comp_dev_detach(uint8_t dev_id)
{
	struct wd_comp_dev *d;
	int ret;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	ret = dev_quiesce(dev_id, true, &d);
	if (ret == 0) {
		WD_COMP_LOG(INFO, "device %u (%s) detached", dev_id, d->name);
		dev_release(d);
	}
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

WD_EXPORT int
wd_comp_qp_setup(uint8_t dev_id, uint16_t qp_id, const struct wd_comp_qp_conf *conf)
{
	struct wd_comp_qp_conf defconf = {.use_default_fallback = true, .socket_id = WD_SOCKET_ANY};
	struct wd_comp_dev *d;
	struct wd_comp_qp *qp = NULL;
	uint32_t depth, ring;
	int ret = 0, socket;

	if (wd_drv_forked())
		return -EPERM;
	if (conf == NULL)
		conf = &defconf;
	pthread_mutex_lock(&wd_comp_lock);
	d = wd_comp_dev_get(dev_id);
	if (d == NULL) {
		ret = -ENODEV;
		goto out;
	}
	if (!d->configured || qp_id >= d->nb_qps || !socket_valid(conf->socket_id) ||
	    conf->max_inflight_ops > WD_COMP_QP_DEPTH_MAX ||
	    (!conf->use_default_fallback &&
	     (conf->fallback.flags & ~(uint32_t)(WD_COMP_FB_F_NO_HW | WD_COMP_FB_F_QUEUE_FULL |
						 WD_COMP_FB_F_SMALL |
						 WD_COMP_FB_F_UNSUPPORTED)) != 0)) {
		ret = -EINVAL;
		goto out;
	}
	if (d->started) {
		ret = -EBUSY;
		goto out;
	}
	ret = qp_release(d, qp_id);
	if (ret < 0)
		goto out;
	depth = conf->max_inflight_ops != 0 ? conf->max_inflight_ops : WD_COMP_QP_DEPTH_DEFAULT;
	socket = conf->socket_id != WD_SOCKET_ANY ? conf->socket_id :
		 d->cfg.socket_id != WD_SOCKET_ANY ? d->cfg.socket_id : d->socket_id;
	if (socket == WD_SOCKET_ANY)
		socket = (int)rte_socket_id();
	if (socket < 0 || socket >= RTE_MAX_NUMA_NODES)
		socket = SOCKET_ID_ANY;
	qp = wd_comp_malloc("wd_comp_qp", sizeof(*qp), socket, true);
	if (qp == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	qp->dev = d;
	qp->id = qp_id;
	qp->socket_id = socket;
	qp->depth = depth;
	ring = rte_align32pow2(depth);
	qp->done = wd_comp_malloc("wd_comp_qp_ring", sizeof(*qp->done) * ring, socket, true);
	if (qp->done == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	qp->done_mask = ring - 1;
	qp->fb.flags = conf->use_default_fallback ? WD_COMP_FB_F_DEFAULT : conf->fallback.flags;
	qp->fb.small_threshold = conf->use_default_fallback ? 0 : conf->fallback.small_threshold;
	qp->ns_mult = (uint64_t)(((unsigned __int128)NS_PER_S << 32) / rte_get_tsc_hz());
	if (!d->hw || qp->fb.flags != 0) {
		qp->sw = wd_comp_sw_qp_create(socket);
		if (qp->sw == NULL) {
			ret = -ENOMEM;
			goto fail;
		}
	}
	if (d->hw) {
		ret = wd_comp_hw_qp_setup(qp, depth);
		if (ret < 0) {
			if (!(qp->fb.flags & WD_COMP_FB_F_NO_HW) || ret == -EINVAL) {
				WD_COMP_LOG(ERR, "%s: queue pair %u: no hardware queue (%s)",
					    d->name, qp_id, strerror(-ret));
				goto fail;
			}
			WD_COMP_LOG(NOTICE, "%s: queue pair %u runs in software: no hardware "
				    "queue (%s)", d->name, qp_id, strerror(-ret));
			ret = 0;
		}
	}
	d->qps[qp_id] = qp;
	goto out;
fail:
	qp_free(qp);
out:
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

WD_EXPORT int
wd_comp_qp_count(uint8_t dev_id)
{
	struct wd_comp_dev *d = wd_comp_dev_get(dev_id);

	if (d == NULL)
		return -ENODEV;
	return d->configured ? d->nb_qps : 0;
}

/* ------------------------------------------------------------------ */
/* Xforms and streams                                                  */
/* ------------------------------------------------------------------ */

int
wd_comp_xform_resolve(const struct wd_comp_xform *x, struct wd_comp_xf *xf)
{
	if (x == NULL || xf == NULL)
		return -EINVAL;
	if ((x->type != WD_OP_COMPRESS && x->type != WD_OP_DECOMPRESS) ||
	    (unsigned int)x->alg >= WD_COMP_ALG_MAX ||
	    (x->window_log != 0 && (x->window_log < 8 || x->window_log > 15)) ||
	    (unsigned int)x->huffman > WD_COMP_HUFFMAN_DYNAMIC ||
	    (unsigned int)x->chksum > WD_COMP_CHKSUM_CRC32_ADLER32)
		return -EINVAL;
	if (x->type == WD_OP_COMPRESS && x->level != WD_COMP_LEVEL_DEFAULT &&
	    (x->level < WD_COMP_LEVEL_NONE || x->level > WD_COMP_LEVEL_MAX))
		return -EINVAL;
	memset(xf, 0, sizeof(*xf));
	xf->op = (uint8_t)x->type;
	xf->alg = (uint8_t)x->alg;
	xf->window_log = x->window_log != 0 ? x->window_log : 15;
	xf->huffman = (uint8_t)x->huffman;
	xf->chksum = (uint8_t)x->chksum;
	if (x->type == WD_OP_COMPRESS) {
		xf->user_level = (int8_t)x->level;
		xf->level = (int8_t)(x->level == WD_COMP_LEVEL_DEFAULT ? WD_COMP_DEFAULT_LEVEL :
				     x->level);
	} else {
		xf->user_level = WD_COMP_LEVEL_DEFAULT;
		xf->level = WD_COMP_DEFAULT_LEVEL;
	}
#if !WD_HAVE_ISAL
	/* zlib alone cannot keep matches within 256 bytes... except with no matches at all */
	if (xf->op == WD_OP_COMPRESS && xf->window_log < 9 && xf->level != 0)
		return -ENOTSUP;
#endif
	return 0;
}

static bool
count_get(uint32_t *cnt, uint16_t max)
{
	uint32_t n = __atomic_add_fetch(cnt, 1, __ATOMIC_RELAXED);

	if (max != 0 && n > max) {
		__atomic_sub_fetch(cnt, 1, __ATOMIC_RELAXED);
		return false;
	}
	return true;
}

static int
wd_comp_private_xform_create_locked(uint8_t dev_id, const struct wd_comp_xform *xform,
			     void **private_xform)
{
	struct wd_comp_dev *d = wd_comp_dev_get(dev_id);
	struct wd_comp_priv_xform *px;
	struct wd_comp_xf xf;
	int ret;

	if (d == NULL)
		return -ENODEV;
	if (private_xform == NULL)
		return -EINVAL;
	ret = wd_comp_xform_resolve(xform, &xf);
	if (ret < 0)
		return ret;
	if (!d->configured)
		return -EINVAL;
	if (!count_get(&d->nb_xforms, d->cfg.max_nb_priv_xforms))
		return -ENOSPC;
	px = wd_comp_malloc("wd_comp_xform", sizeof(*px), d->socket_id, true);
	if (px == NULL) {
		__atomic_sub_fetch(&d->nb_xforms, 1, __ATOMIC_RELAXED);
		return -ENOMEM;
	}
	px->dev = d;
	px->gen = d->gen;
	px->xf = xf;
	wd_comp_hw_xform_init(d, px);
	px->magic = WD_COMP_XFORM_MAGIC;
	*private_xform = px;
	return 0;
}

WD_EXPORT int
wd_comp_private_xform_create(uint8_t dev_id, const struct wd_comp_xform *xform,
			     void **private_xform)
{
	int ret;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	ret = wd_comp_private_xform_create_locked(dev_id, xform, private_xform);
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

static int
wd_comp_private_xform_free_locked(uint8_t dev_id, void *private_xform)
{
	struct wd_comp_dev *d = wd_comp_dev_get(dev_id);
	struct wd_comp_priv_xform *px = private_xform;

	if (px != NULL && px->magic == WD_COMP_XFORM_MAGIC &&
	    !wd_comp_handle_live(px->dev, px->dev, px->gen)) {
		/* made on a device released since (wd_cleanup()): its memory goes, -ENODEV */
		px->magic = WD_COMP_DEAD_MAGIC;
		rte_free(px);
		return -ENODEV;
	}
	if (d == NULL)
		return -ENODEV;
	if (px == NULL || px->magic != WD_COMP_XFORM_MAGIC || px->dev != d)
		return -EINVAL;
	if (__atomic_load_n(&px->inflight, __ATOMIC_ACQUIRE) != 0)
		return -EBUSY;
	px->magic = WD_COMP_DEAD_MAGIC;
	__atomic_sub_fetch(&d->nb_xforms, 1, __ATOMIC_RELAXED);
	rte_free(px);
	return 0;
}

WD_EXPORT int
wd_comp_private_xform_free(uint8_t dev_id, void *private_xform)
{
	int ret;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	ret = wd_comp_private_xform_free_locked(dev_id, private_xform);
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

static int
wd_comp_stream_create_locked(uint8_t dev_id, const struct wd_comp_xform *xform, void **stream)
{
	struct wd_comp_dev *d = wd_comp_dev_get(dev_id);
	struct wd_comp_stream *st;
	struct wd_comp_xf xf;
	int ret;

	if (d == NULL)
		return -ENODEV;
	if (stream == NULL)
		return -EINVAL;
	ret = wd_comp_xform_resolve(xform, &xf);
	if (ret < 0)
		return ret;
	if (!d->configured)
		return -EINVAL;
	if (!count_get(&d->nb_streams, d->cfg.max_nb_streams))
		return -ENOSPC;
	st = wd_comp_malloc("wd_comp_stream", sizeof(*st), d->socket_id, true);
	if (st == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	st->dev = d;
	st->gen = d->gen;
	st->xf = xf;
	if (!d->hw) {
		st->sw = wd_comp_sw_stream_create(&xf, d->socket_id);
		if (st->sw == NULL) {
			ret = -ENOMEM;
			goto fail;
		}
		st->engine = WD_COMP_STREAM_SW;
	} else if (wd_comp_hw_supports(d, &xf, true)) {
		ret = wd_comp_hw_stream_create(d, st);
		if (ret < 0 && ret != -ENOTSUP)
			goto fail;
		ret = 0;
	}
	st->magic = WD_COMP_STREAM_MAGIC;
	*stream = st;
	return 0;
fail:
	if (st != NULL)
		rte_free(st);
	__atomic_sub_fetch(&d->nb_streams, 1, __ATOMIC_RELAXED);
	return ret;
}

WD_EXPORT int
wd_comp_stream_create(uint8_t dev_id, const struct wd_comp_xform *xform, void **stream)
{
	int ret;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	ret = wd_comp_stream_create_locked(dev_id, xform, stream);
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

static int
wd_comp_stream_free_locked(uint8_t dev_id, void *stream)
{
	struct wd_comp_dev *d = wd_comp_dev_get(dev_id);
	struct wd_comp_stream *st = stream;

	if (st != NULL && st->magic == WD_COMP_STREAM_MAGIC &&
	    !wd_comp_handle_live(st->dev, st->dev, st->gen)) {
		/*
		 * Made on a device released since (wd_cleanup()): its memory
		 * goes, a hardware stream's driver context too (stream_free
		 * does not need the device), -ENODEV
		 */
		st->magic = WD_COMP_DEAD_MAGIC;
		wd_comp_hw_stream_free(st);
		wd_comp_sw_stream_free(st->sw);
		rte_free(st);
		return -ENODEV;
	}
	if (d == NULL)
		return -ENODEV;
	if (st == NULL || st->magic != WD_COMP_STREAM_MAGIC || st->dev != d)
		return -EINVAL;
	if (__atomic_load_n(&st->busy, __ATOMIC_ACQUIRE) != 0)
		return -EBUSY;
	st->magic = WD_COMP_DEAD_MAGIC;
	if (st->hw != NULL)
		wd_comp_hw_stream_free(st);
	wd_comp_sw_stream_free(st->sw);
	__atomic_sub_fetch(&d->nb_streams, 1, __ATOMIC_RELAXED);
	rte_free(st);
	return 0;
}

WD_EXPORT int
wd_comp_stream_free(uint8_t dev_id, void *stream)
{
	int ret;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	ret = wd_comp_stream_free_locked(dev_id, stream);
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Op pool                                                             */
/* ------------------------------------------------------------------ */

struct wd_comp_op_pool_priv {
	uint16_t user_size;
};

WD_EXPORT struct rte_mempool *
wd_comp_op_pool_create(const char *name, unsigned int nb_elts, unsigned int cache_size,
		       uint16_t user_size, int socket_id)
{
	struct rte_mempool *mp;
	struct wd_comp_op_pool_priv *priv;
	unsigned int elt = sizeof(struct wd_comp_op) + user_size;

	if (wd_drv_forked()) {
		rte_errno = EPERM; /* the pool would live in the parent's memory */
		return NULL;
	}
	if (name == NULL || nb_elts == 0 || !socket_valid(socket_id) ||
	    cache_size > RTE_MEMPOOL_CACHE_MAX_SIZE || cache_size > nb_elts) {
		rte_errno = EINVAL;
		return NULL;
	}
	mp = rte_mempool_create(name, nb_elts, elt, cache_size, sizeof(*priv), NULL, NULL, NULL,
				NULL, socket_id, 0);
	if (mp == NULL)
		return NULL;
	priv = rte_mempool_get_priv(mp);
	priv->user_size = user_size;
	return mp;
}

static void
op_reset(struct wd_comp_op *op, struct rte_mempool *pool)
{
	memset(op, 0, sizeof(*op));
	op->mempool = pool;
	op->flush_flag = WD_COMP_FLUSH_FINAL;
}

WD_EXPORT struct wd_comp_op *
wd_comp_op_alloc(struct rte_mempool *pool)
{
	void *obj;

	if (unlikely(wd_drv_forked())) {
		rte_errno = EPERM; /* the pool is the parent's */
		return NULL;
	}
	if (pool == NULL || rte_mempool_get(pool, &obj) < 0)
		return NULL;
	op_reset(obj, pool);
	return obj;
}

WD_EXPORT int
wd_comp_op_bulk_alloc(struct rte_mempool *pool, struct wd_comp_op **ops, uint16_t n)
{
	if (pool == NULL || ops == NULL)
		return -EINVAL;
	if (unlikely(wd_drv_forked()))
		return -EPERM;
	if (n == 0)
		return 0;
	if (rte_mempool_get_bulk(pool, (void **)ops, n) < 0)
		return -ENOENT;
	for (uint16_t i = 0; i < n; i++)
		op_reset(ops[i], pool);
	return 0;
}

WD_EXPORT void
wd_comp_op_free(struct wd_comp_op *op)
{
	if (op != NULL && op->mempool != NULL && likely(!wd_drv_forked()))
		rte_mempool_put(op->mempool, op);
}

/* ------------------------------------------------------------------ */
/* Data path                                                           */
/* ------------------------------------------------------------------ */

/*
 * Check an mbuf chain and describe [off, off+len) of it (to_end: up to
 * the end of the chain) as a flat buffer when it lies in one segment,
 * else as the chain. @return 0 or -EINVAL.
 */
static int
mbuf_range(struct rte_mbuf *m, uint32_t off, uint32_t len, bool to_end, struct wd_comp_buf *b)
{
	struct rte_mbuf *seg = m;
	uint64_t sum = 0;
	uint16_t n;

	if (m == NULL || m->nb_segs == 0)
		return -EINVAL;
	if (likely(m->nb_segs == 1)) {
		/*
		 * The usual case: one segment, its data inside its buffer. Its
		 * next is not read (nb_segs says it is alone), as on the
		 * hardware fast path, which does not fetch that line.
		 */
		if (m->data_len != m->pkt_len || off > m->pkt_len ||
		    (uint32_t)m->data_off + m->data_len > m->buf_len ||
		    (!to_end && (uint64_t)off + len > m->pkt_len))
			return -EINVAL;
		b->type = WD_COMP_BUF_FLAT;
		b->addr = rte_pktmbuf_mtod_offset(m, void *, off);
		b->offset = 0;
		b->len = to_end ? m->pkt_len - off : len;
		return 0;
	}
	n = m->nb_segs;
	for (uint16_t i = 0; i < n; i++) {
		if (seg == NULL || (uint32_t)seg->data_off + seg->data_len > seg->buf_len)
			return -EINVAL;
		sum += seg->data_len;
		seg = seg->next;
	}
	if (seg != NULL || sum != m->pkt_len)
		return -EINVAL;
	if (off > m->pkt_len)
		return -EINVAL;
	if (to_end)
		len = m->pkt_len - off;
	else if ((uint64_t)off + len > m->pkt_len)
		return -EINVAL;
	/* the segment holding off */
	seg = m;
	while (seg->next != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	if ((uint64_t)off + len <= seg->data_len) {
		b->type = WD_COMP_BUF_FLAT;
		b->addr = rte_pktmbuf_mtod_offset(seg, void *, off);
		b->offset = 0;
		b->len = len;
		return 0;
	}
	b->type = WD_COMP_BUF_MBUF;
	b->m = seg;
	b->offset = off;
	b->len = len;
	return 0;
}

/* Validate an op; fill the transform, stream and buffers. @return op status. */
static uint8_t
op_prepare(struct wd_comp_dev *d, struct wd_comp_op *op, const struct wd_comp_xf **xfp,
	   struct wd_comp_stream **stp, struct wd_comp_buf *src, struct wd_comp_buf *dst)
{
	const struct wd_comp_xf *xf;

	*stp = NULL;
	if (op->op_type == WD_COMP_OP_STATELESS) {
		const struct wd_comp_priv_xform *px = op->private_xform;

		if (px == NULL || px->magic != WD_COMP_XFORM_MAGIC ||
		    !wd_comp_handle_live(d, px->dev, px->gen))
			return WD_COMP_OP_INVALID_ARGS;
		xf = &px->xf;
		if ((unsigned int)op->flush_flag > WD_COMP_FLUSH_FINAL)
			return WD_COMP_OP_INVALID_ARGS;
		/* a stateless op is a whole stream; FULL makes independent raw deflate blocks */
		if (xf->op == WD_OP_COMPRESS && op->flush_flag != WD_COMP_FLUSH_FINAL &&
		    !(op->flush_flag == WD_COMP_FLUSH_FULL && xf->alg == WD_COMP_ALG_DEFLATE))
			return WD_COMP_OP_INVALID_ARGS;
	} else if (op->op_type == WD_COMP_OP_STATEFUL) {
		struct wd_comp_stream *st = op->stream;

		if (st == NULL || st->magic != WD_COMP_STREAM_MAGIC ||
		    !wd_comp_handle_live(d, st->dev, st->gen))
			return WD_COMP_OP_INVALID_ARGS;
		if ((unsigned int)op->flush_flag > WD_COMP_FLUSH_FINAL)
			return WD_COMP_OP_INVALID_ARGS;
		xf = &st->xf;
		*stp = st;
	} else {
		return WD_COMP_OP_INVALID_ARGS;
	}
	*xfp = xf;
	if (op->m_src == op->m_dst)
		return WD_COMP_OP_INVALID_ARGS; /* in place: the output would overwrite the input */
	if (mbuf_range(op->m_src, op->src.offset, op->src.length, false, src) < 0)
		return WD_COMP_OP_INVALID_ARGS;
	if (mbuf_range(op->m_dst, op->dst.offset, 0, true, dst) < 0)
		return WD_COMP_OP_INVALID_ARGS;
	if (wd_comp_buf_overlap(src, dst))
		return WD_COMP_OP_INVALID_ARGS;
	return WD_COMP_OP_SUCCESS;
}

static void
res_to_op(struct wd_comp_op *op, const struct wd_comp_res *res)
{
	op->status = res->status;
	op->flags = (uint8_t)((op->flags & WD_COMP_OP_F_QUEUED) | res->flags);
	op->consumed = res->consumed;
	op->produced = res->produced;
	op->output_chksum = res->chksum;
	op->debug_status = res->debug;
}

/* Run an op on the software engine now. */
static void
sw_exec(struct wd_comp_qp *qp, struct wd_comp_op *op, const struct wd_comp_xf *xf,
	struct wd_comp_stream *st, const struct wd_comp_buf *src, const struct wd_comp_buf *dst,
	uint8_t reason)
{
	struct wd_comp_res res;

	op->engine = WD_COMP_ENGINE_SW;
	op->fallback_reason = reason;
	if (st != NULL && st->sw == NULL) {
		/* a hardware device's stream going to software: state made on first use */
		st->sw = wd_comp_sw_stream_create(xf, qp->socket_id);
		if (st->sw == NULL) {
			op->status = WD_COMP_OP_ERROR;
			return;
		}
	}
	if (qp->sw == NULL) {
		op->status = WD_COMP_OP_ERR_NOTSUP;
		op->engine = WD_COMP_ENGINE_NONE;
		return;
	}
	wd_comp_sw_run(qp->sw, st != NULL ? st->sw : NULL, xf, src, dst, (uint8_t)op->flush_flag,
		       op->input_chksum, &res);
	res_to_op(op, &res);
}

/* Software allowed for this reason by the queue pair's policy? */
static inline bool
fb_allowed(const struct wd_comp_qp *qp, uint8_t reason)
{
	return qp->sw != NULL && (qp->fb.flags & (1u << reason)) != 0;
}

/*
 * Hand one valid op to an engine. @return true if accepted (done or in
 * flight), false if it must wait (hardware full and no fallback).
 */
static bool
op_dispatch(struct wd_comp_qp *qp, struct wd_comp_op *op, const struct wd_comp_xf *xf,
	    struct wd_comp_stream *st, const struct wd_comp_buf *src,
	    const struct wd_comp_buf *dst)
{
	struct wd_comp_dev *d = qp->dev;
	enum wd_comp_hw_verdict v;
	uint8_t reason;

	if (!d->hw) {
		sw_exec(qp, op, xf, st, src, dst, WD_COMP_FB_NONE);
		wd_comp_qp_complete(qp, op);
		return true;
	}
	if (st != NULL) {
		if (st->engine == WD_COMP_STREAM_SW) {
			sw_exec(qp, op, xf, st, src, dst, st->fb_reason);
			wd_comp_qp_complete(qp, op);
			return true;
		}
		if (st->engine == WD_COMP_STREAM_UNBOUND) {
			reason = WD_COMP_FB_NONE;
			if (qp->hw == NULL)
				reason = WD_COMP_FB_NO_HW;
			else if (st->hw == NULL || !wd_comp_hw_supports(d, xf, true))
				reason = WD_COMP_FB_UNSUPPORTED;
			if (reason != WD_COMP_FB_NONE)
				goto to_sw_stream;
		}
		v = wd_comp_hw_submit(qp, op, xf, st);
		if (v == WD_COMP_HW_SENT) {
			st->engine = WD_COMP_STREAM_HW;
			return true;
		}
		/* a stream moves to software only before the hardware holds its state */
		if (st->engine == WD_COMP_STREAM_UNBOUND) {
			reason = v == WD_COMP_HW_FULL ? WD_COMP_FB_QUEUE_FULL :
							WD_COMP_FB_UNSUPPORTED;
			if (v == WD_COMP_HW_FULL && !fb_allowed(qp, reason))
				return false;
			goto to_sw_stream;
		}
		if (v == WD_COMP_HW_FULL)
			return false;
		op->status = WD_COMP_OP_ERR_NOTSUP;
		wd_comp_qp_complete(qp, op);
		return true;
to_sw_stream:
		if (!fb_allowed(qp, reason)) {
			op->status = WD_COMP_OP_ERR_NOTSUP;
			wd_comp_qp_complete(qp, op);
			return true;
		}
		st->engine = WD_COMP_STREAM_SW;
		st->fb_reason = reason;
		sw_exec(qp, op, xf, st, src, dst, reason);
		wd_comp_qp_complete(qp, op);
		return true;
	}
	/* stateless */
	reason = WD_COMP_FB_NONE;
	if (qp->hw == NULL)
		reason = WD_COMP_FB_NO_HW;
	else if ((qp->fb.flags & WD_COMP_FB_F_SMALL) && op->src.length < qp->fb.small_threshold)
		reason = WD_COMP_FB_SMALL;
	else if (!wd_comp_hw_supports(d, xf, false))
		reason = WD_COMP_FB_UNSUPPORTED;
	if (reason == WD_COMP_FB_NONE) {
		v = wd_comp_hw_submit(qp, op, xf, NULL);
		if (v == WD_COMP_HW_SENT)
			return true;
		reason = v == WD_COMP_HW_FULL ? WD_COMP_FB_QUEUE_FULL : WD_COMP_FB_UNSUPPORTED;
		if (v == WD_COMP_HW_FULL && !fb_allowed(qp, reason))
			return false;
	}
	if (!fb_allowed(qp, reason)) {
		op->status = WD_COMP_OP_ERR_NOTSUP;
		wd_comp_qp_complete(qp, op);
		return true;
	}
	sw_exec(qp, op, xf, NULL, src, dst, reason);
	wd_comp_qp_complete(qp, op);
	return true;
}

/* Re-run on software an op the hardware refused at completion (NOTSUP). */
bool
wd_comp_qp_retry_sw(struct wd_comp_qp *qp, struct wd_comp_op *op)
{
	const struct wd_comp_xf *xf;
	struct wd_comp_stream *st;
	struct wd_comp_buf src, dst;

	if (!fb_allowed(qp, WD_COMP_FB_UNSUPPORTED))
		return false;
	if (op_prepare(qp->dev, op, &xf, &st, &src, &dst) != WD_COMP_OP_SUCCESS)
		return false;
	if (st != NULL) {
		st->engine = WD_COMP_STREAM_SW;
		st->fb_reason = WD_COMP_FB_UNSUPPORTED;
	}
	sw_exec(qp, op, xf, st, &src, &dst, WD_COMP_FB_UNSUPPORTED);
	return true;
}

static inline struct wd_comp_qp *
qp_get(uint8_t dev_id, uint16_t qp_id)
{
	struct wd_comp_dev *d;

	if (dev_id >= WD_COMP_MAX_DEVS)
		return NULL;
	d = &wd_comp_devs[dev_id];
	if (!d->used || qp_id >= d->nb_qps)
		return NULL;
	return d->qps[qp_id];
}

WD_EXPORT uint16_t
wd_comp_enqueue_burst(uint8_t dev_id, uint16_t qp_id, struct wd_comp_op **ops, uint16_t nb_ops)
{
	struct wd_comp_qp *qp = qp_get(dev_id, qp_id);
	uint16_t i, n;
	uint64_t now;

	if (unlikely(wd_drv_forked())) {
		rte_errno = EPERM; /* the queue pair is the parent's */
		return 0;
	}
	if (qp == NULL || ops == NULL || nb_ops == 0)
		return 0;
	if (!qp->dev->started) {
		qp->stats.enqueue_err_count += nb_ops;
		return 0;
	}
	n = (uint16_t)RTE_MIN((uint32_t)nb_ops, qp->depth - qp->inflight);
	/* one timer read per burst: the ops' latency starts here */
	now = rte_rdtsc();
	if (qp->hw != NULL)
		wd_comp_hw_burst_prefetch(ops, n);
	for (i = 0; i < n; i++) {
		struct wd_comp_op *op;
		const struct wd_comp_xf *xf = NULL;
		struct wd_comp_stream *st = NULL;
		struct wd_comp_buf src, dst;
		uint8_t status;

		if (likely(qp->hw != NULL)) {
			/* the common case: the fast path takes ops until one is not for it */
			enum wd_comp_hw_verdict why;

			i += wd_comp_hw_enqueue_fast(qp, ops + i, n - i, now, &why);
			if (i == n || (why == WD_COMP_HW_FULL &&
				       !fb_allowed(qp, WD_COMP_FB_QUEUE_FULL)))
				break;
			/* this one: the general path decides */
		}
		op = ops[i];
		if (unlikely(op == NULL))
			break;
		if (unlikely(op->flags & WD_COMP_OP_F_QUEUED)) {
			/* already in flight (not dequeued yet): leave it alone */
			rte_errno = EALREADY;
			break;
		}
		op->internal[WD_COMP_OPI_TSC] = now;
		op->status = WD_COMP_OP_NOT_PROCESSED;
		op->engine = WD_COMP_ENGINE_NONE;
		op->fallback_reason = WD_COMP_FB_NONE;
		op->flags = WD_COMP_OP_F_QUEUED;
		op->consumed = 0;
		op->produced = 0;
		op->debug_status = 0;
		status = op_prepare(qp->dev, op, &xf, &st, &src, &dst);
		if (status == WD_COMP_OP_SUCCESS && st != NULL &&
		    __atomic_exchange_n(&st->busy, 1, __ATOMIC_ACQ_REL) != 0)
			status = WD_COMP_OP_INVALID_STATE;
		if (status != WD_COMP_OP_SUCCESS) {
			op->status = status;
			wd_comp_qp_complete(qp, op);
			continue;
		}
		if (!op_dispatch(qp, op, xf, st, &src, &dst)) {
			if (st != NULL)
				__atomic_store_n(&st->busy, 0, __ATOMIC_RELEASE);
			op->flags = 0;	/* not accepted: the caller's again */
			break;
		}
		/*
		 * Done in software already: the stream stays taken until the op
		 * is dequeued (one op in flight per stream, whatever the engine)
		 */
		if (op->engine != WD_COMP_ENGINE_HW) {
			if (st != NULL) {
				op->flags |= WD_COMP_OP_F_HOLDS_STREAM;
			} else {
				struct wd_comp_priv_xform *px = op->private_xform;

				__atomic_add_fetch(&px->inflight, 1, __ATOMIC_RELAXED);
				op->flags |= WD_COMP_OP_F_HOLDS_XFORM;
			}
		}
	}
	if (qp->hw != NULL)
		wd_comp_hw_flush(qp);
	qp->inflight += i;
	qp->stats.enqueued_count += i;
	qp->stats.enqueue_err_count += nb_ops - i;
	return i;
}

/* A stream's op run in software is dequeued: the stream takes its next op. */
static void
stream_release(struct wd_comp_op *op)
{
	struct wd_comp_stream *st = op->stream;

	op->flags &= (uint8_t)~WD_COMP_OP_F_HOLDS_STREAM;
	__atomic_store_n(&st->busy, 0, __ATOMIC_RELEASE);
}

/* A stateless op run in software is dequeued: its xform may be freed. */
static void
xform_release(struct wd_comp_op *op)
{
	struct wd_comp_priv_xform *px = op->private_xform;

	op->flags &= (uint8_t)~WD_COMP_OP_F_HOLDS_XFORM;
	__atomic_sub_fetch(&px->inflight, 1, __ATOMIC_RELEASE);
}

static inline uint64_t
cycles_ns(const struct wd_comp_qp *qp, uint64_t cycles)
{
	return (uint64_t)(((unsigned __int128)cycles * qp->ns_mult) >> 32);
}

static inline unsigned int
lat_bucket(uint64_t ns)
{
	unsigned int b;

	if (ns < 2)
		return 0;
	b = 63u - (unsigned int)__builtin_clzll(ns);
	return b >= WD_COMP_LAT_BUCKETS ? WD_COMP_LAT_BUCKETS - 1 : b;
}

WD_EXPORT uint16_t
wd_comp_dequeue_burst(uint8_t dev_id, uint16_t qp_id, struct wd_comp_op **ops, uint16_t nb_ops)
{
	struct wd_comp_qp *qp = qp_get(dev_id, qp_id);
	uint64_t now, bytes_in = 0, bytes_out = 0, last_t = UINT64_MAX;
	uint32_t head, avail, ok_hw = 0;
	unsigned int bucket = 0;
	struct wd_comp_stats *s;
	uint16_t n;

	if (unlikely(wd_drv_forked())) {
		rte_errno = EPERM; /* the queue pair is the parent's */
		return 0;
	}
	if (qp == NULL || ops == NULL || nb_ops == 0)
		return 0;
	if (qp->hw != NULL && qp->done_head == qp->done_tail)
		wd_comp_hw_poll(qp);
	else if (qp->hw != NULL && qp->done_tail - qp->done_head < nb_ops)
		wd_comp_hw_poll(qp);
	s = &qp->stats;
	now = rte_rdtsc();
	head = qp->done_head;
	avail = qp->done_tail - head;
	if (avail > nb_ops)
		avail = nb_ops;
	/*
	 * The common outcome (success on the hardware) is counted in registers;
	 * ops enqueued by the same call carry the same time: one latency bucket
	 * computed per run of them.
	 */
	for (n = 0; n < avail; n++, head++) {
		struct wd_comp_op *op = qp->done[head & qp->done_mask];
		uint64_t t = op->internal[WD_COMP_OPI_TSC];
		uint8_t st = op->status;

		ops[n] = op;
		op->flags &= (uint8_t)~WD_COMP_OP_F_QUEUED;
		if (unlikely(t != last_t)) {
			last_t = t;
			bucket = lat_bucket(cycles_ns(qp, now - t));
		}
		s->lat_hist[bucket]++;
		if (likely(st == WD_COMP_OP_SUCCESS && op->engine == WD_COMP_ENGINE_HW)) {
			ok_hw++;
			bytes_in += op->consumed;
			bytes_out += op->produced;
			continue;
		}
		if (op->flags & WD_COMP_OP_F_HOLDS_STREAM)
			stream_release(op);
		else if (op->flags & WD_COMP_OP_F_HOLDS_XFORM)
			xform_release(op);
		if (st >= WD_COMP_OP_STATUS_MAX)
			st = WD_COMP_OP_ERROR;
		s->status[st]++;
		if (st == WD_COMP_OP_SUCCESS || st == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE) {
			bytes_in += op->consumed;
			bytes_out += op->produced;
		} else {
			s->dequeue_err_count++;
		}
		if (op->engine == WD_COMP_ENGINE_HW) {
			s->hw_ops++;
		} else if (op->engine == WD_COMP_ENGINE_SW) {
			s->sw_ops++;
			if (op->fallback_reason != WD_COMP_FB_NONE &&
			    op->fallback_reason < WD_COMP_FB_REASON_MAX)
				s->fallback[op->fallback_reason]++;
		}
	}
	qp->done_head = head;
	s->status[WD_COMP_OP_SUCCESS] += ok_hw;
	s->hw_ops += ok_hw;
	s->bytes_in += bytes_in;
	s->bytes_out += bytes_out;
	qp->inflight -= n;
	s->dequeued_count += n;
	return n;
}

/* ------------------------------------------------------------------ */
/* Synchronous call on flat buffers                                    */
/* ------------------------------------------------------------------ */

static int
status_errno(uint8_t status)
{
	switch (status) {
	case WD_COMP_OP_SUCCESS:
		return 0;
	case WD_COMP_OP_OUT_OF_SPACE_TERMINATED:
	case WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE:
		return -ENOSPC;
	case WD_COMP_OP_ERR_DATA:
	case WD_COMP_OP_ERR_DICT:
		return -EBADMSG;
	case WD_COMP_OP_ERR_CHECKSUM:
		return -EILSEQ;
	case WD_COMP_OP_ERR_NOTSUP:
		return -ENOTSUP;
	case WD_COMP_OP_ERR_TIMEOUT:
		return -ETIMEDOUT;
	case WD_COMP_OP_INVALID_ARGS:
	case WD_COMP_OP_INVALID_STATE:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* Largest piece of a flat buffer given to an engine at once (fits uint32_t). */
#define BUF_PIECE_MAX (1u << 30)

/* The whole job on the software engine, as a stream when it is too big for one request. */
static void
buf_sw(struct wd_comp_qp *qp, const struct wd_comp_xf *xf, const uint8_t *src, size_t src_len,
       uint8_t *dst, size_t dst_len, struct wd_comp_buf_result *r, uint8_t *status)
{
	struct wd_comp_buf sb = {.type = WD_COMP_BUF_FLAT}, db = {.type = WD_COMP_BUF_FLAT};
	struct wd_comp_sw_stream *ss;
	struct wd_comp_res res;

	if (src_len <= BUF_PIECE_MAX && dst_len <= BUF_PIECE_MAX) {
		sb.addr = (void *)(uintptr_t)src;
		sb.len = (uint32_t)src_len;
		db.addr = dst;
		db.len = (uint32_t)dst_len;
		wd_comp_sw_run(qp->sw, NULL, xf, &sb, &db, WD_COMP_FLUSH_FINAL, 0, &res);
		*status = res.status;
		r->consumed = res.consumed;
		r->produced = res.produced;
		r->checksum = res.chksum;
		return;
	}
	ss = wd_comp_sw_stream_create(xf, qp->socket_id);
	if (ss == NULL) {
		*status = WD_COMP_OP_ERROR;
		return;
	}
	for (;;) {
		size_t in_left = src_len - r->consumed, out_left = dst_len - r->produced;
		bool last = in_left <= BUF_PIECE_MAX;

		sb.addr = (void *)(uintptr_t)(src + r->consumed);
		sb.len = (uint32_t)RTE_MIN(in_left, (size_t)BUF_PIECE_MAX);
		db.addr = dst + r->produced;
		db.len = (uint32_t)RTE_MIN(out_left, (size_t)BUF_PIECE_MAX);
		wd_comp_sw_run(qp->sw, ss, xf, &sb, &db,
			       last ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_NONE, 0, &res);
		r->consumed += res.consumed;
		r->produced += res.produced;
		r->checksum = res.chksum;
		*status = res.status;
		if (res.status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE) {
			if (dst_len == r->produced) {
				*status = WD_COMP_OP_OUT_OF_SPACE_TERMINATED;
				break;
			}
			continue;
		}
		if (res.status != WD_COMP_OP_SUCCESS)
			break;
		if (xf->op == WD_OP_COMPRESS) {
			if (last)
				break;
			continue;
		}
		/* decompression: the data ends where the stream ends */
		if (wd_comp_sw_stream_ended(ss) && (res.consumed < sb.len || last))
			break;
		if (last) {
			*status = WD_COMP_OP_ERR_DATA; /* truncated */
			break;
		}
	}
	wd_comp_sw_stream_free(ss);
}

WD_EXPORT int
wd_comp_buf_process(uint8_t dev_id, uint16_t qp_id, const struct wd_comp_xform *xform,
		    const void *src, size_t src_len, void *dst, size_t dst_len,
		    struct wd_comp_buf_result *res)
{
	struct wd_comp_qp *qp = qp_get(dev_id, qp_id);
	struct wd_comp_buf_result r;
	struct wd_comp_xf xf;
	uint8_t status = WD_COMP_OP_ERROR, reason = WD_COMP_FB_NONE;
	bool nomem = false;
	uint64_t t0;
	int ret;

	memset(&r, 0, sizeof(r));
	if (res != NULL) {
		memset(res, 0, sizeof(*res));
		/* a call refused before any engine ran must not read as SUCCESS (0) */
		res->status = WD_COMP_OP_NOT_PROCESSED;
	}
	if (wd_drv_forked())
		return -EPERM;
	if (qp == NULL || res == NULL || (src == NULL && src_len > 0) ||
	    (dst == NULL && dst_len > 0))
		return -EINVAL;
	if (!qp->dev->started)
		return -EINVAL;
	ret = wd_comp_xform_resolve(xform, &xf);
	if (ret < 0)
		return ret;
	t0 = rte_rdtsc();
	r.engine = WD_COMP_ENGINE_SW;
	if (qp->dev->hw) {
		if (qp->hw == NULL)
			reason = WD_COMP_FB_NO_HW;
		else if ((qp->fb.flags & WD_COMP_FB_F_SMALL) && src_len < qp->fb.small_threshold)
			reason = WD_COMP_FB_SMALL;
		else if (!wd_comp_hw_supports(qp->dev, &xf, false) || src_len > UINT32_MAX ||
			 dst_len > UINT32_MAX)
			reason = WD_COMP_FB_UNSUPPORTED;
		if (reason == WD_COMP_FB_NONE) {
			struct wd_comp_res hr;

			ret = wd_comp_hw_run_sync(qp, &xf, NULL, src, (uint32_t)src_len, dst,
						  (uint32_t)dst_len, WD_COMP_FLUSH_FINAL, &hr);
			if (ret == 0) {
				status = hr.status;
				r.consumed = hr.consumed;
				r.produced = hr.produced;
				r.checksum = hr.chksum;
				r.engine = WD_COMP_ENGINE_HW;
				goto done;
			}
			if (ret == -EBUSY) {
				reason = WD_COMP_FB_QUEUE_FULL;
			} else if (ret == -ENOTSUP || ret == -EAGAIN || ret == -ENOMEM) {
				/* no DMA memory to bounce through: software, else -ENOMEM */
				reason = WD_COMP_FB_UNSUPPORTED;
				nomem = ret == -ENOMEM;
			} else {
				status = ret == -ETIMEDOUT ? WD_COMP_OP_ERR_TIMEOUT :
							     WD_COMP_OP_ERR_DEVICE;
				r.engine = WD_COMP_ENGINE_HW;
				goto done;
			}
		}
		if (!fb_allowed(qp, reason)) {
			status = nomem ? WD_COMP_OP_ERROR : WD_COMP_OP_ERR_NOTSUP;
			r.engine = WD_COMP_ENGINE_NONE;
			goto done;
		}
	}
	if (qp->sw == NULL) {
		status = WD_COMP_OP_ERR_NOTSUP;
		r.engine = WD_COMP_ENGINE_NONE;
		goto done;
	}
	buf_sw(qp, &xf, src, src_len, dst, dst_len, &r, &status);
done:
	r.status = status;
	*res = r;
	/* account it as one op of the queue pair */
	{
		struct wd_comp_stats *s = &qp->stats;

		s->enqueued_count++;
		s->dequeued_count++;
		s->status[status < WD_COMP_OP_STATUS_MAX ? status : WD_COMP_OP_ERROR]++;
		if (status == WD_COMP_OP_SUCCESS) {
			s->bytes_in += r.consumed;
			s->bytes_out += r.produced;
		} else {
			s->dequeue_err_count++;
		}
		if (r.engine == WD_COMP_ENGINE_HW) {
			s->hw_ops++;
		} else if (r.engine == WD_COMP_ENGINE_SW) {
			s->sw_ops++;
			if (reason != WD_COMP_FB_NONE)
				s->fallback[reason]++;
		}
		s->lat_hist[lat_bucket(cycles_ns(qp, rte_rdtsc() - t0))]++;
	}
	return nomem && r.engine == WD_COMP_ENGINE_NONE ? -ENOMEM : status_errno(status);
}

WD_EXPORT size_t
wd_comp_bound(enum wd_comp_alg alg, size_t len)
{
	if ((unsigned int)alg >= WD_COMP_ALG_MAX)
		alg = WD_COMP_ALG_GZIP; /* the largest framing */
	return wd_comp_fmt_bound(alg, len);
}

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */

void
wd_comp_qp_stats_add(struct wd_comp_stats *sum, const struct wd_comp_stats *s)
{
	sum->enqueued_count += s->enqueued_count;
	sum->dequeued_count += s->dequeued_count;
	sum->enqueue_err_count += s->enqueue_err_count;
	sum->dequeue_err_count += s->dequeue_err_count;
	sum->bytes_in += s->bytes_in;
	sum->bytes_out += s->bytes_out;
	sum->hw_ops += s->hw_ops;
	sum->sw_ops += s->sw_ops;
	for (int i = 0; i < WD_COMP_FB_REASON_MAX; i++)
		sum->fallback[i] += s->fallback[i];
	for (int i = 0; i < WD_COMP_OP_STATUS_MAX; i++)
		sum->status[i] += s->status[i];
	for (int i = 0; i < WD_COMP_LAT_BUCKETS; i++)
		sum->lat_hist[i] += s->lat_hist[i];
}

static int
wd_comp_stats_get_locked(uint8_t dev_id, struct wd_comp_stats *stats)
{
	struct wd_comp_dev *d = wd_comp_dev_get(dev_id);

	if (d == NULL)
		return -ENODEV;
	if (stats == NULL)
		return -EINVAL;
	*stats = d->closed_stats;
	for (unsigned int i = 0; i < WD_COMP_MAX_QPS; i++)
		if (d->qps[i] != NULL)
			qp_stats_add_to(stats, d->qps[i]);
	return 0;
}

WD_EXPORT int
wd_comp_stats_get(uint8_t dev_id, struct wd_comp_stats *stats)
{
	int ret;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	ret = wd_comp_stats_get_locked(dev_id, stats);
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

static int
wd_comp_qp_stats_get_locked(uint8_t dev_id, uint16_t qp_id, struct wd_comp_stats *stats)
{
	struct wd_comp_dev *d = wd_comp_dev_get(dev_id);

	if (d == NULL)
		return -ENODEV;
	if (stats == NULL || qp_id >= WD_COMP_MAX_QPS || d->qps[qp_id] == NULL)
		return -EINVAL;
	qp_stats_read(d->qps[qp_id], stats);
	return 0;
}

WD_EXPORT int
wd_comp_qp_stats_get(uint8_t dev_id, uint16_t qp_id, struct wd_comp_stats *stats)
{
	int ret;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_comp_lock);
	ret = wd_comp_qp_stats_get_locked(dev_id, qp_id, stats);
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

static void
wd_comp_stats_reset_locked(uint8_t dev_id)
{
	struct wd_comp_dev *d = wd_comp_dev_get(dev_id);

	if (d == NULL)
		return;
	memset(&d->closed_stats, 0, sizeof(d->closed_stats));
	for (unsigned int i = 0; i < WD_COMP_MAX_QPS; i++)
		if (d->qps[i] != NULL)
			qp_stats_add_to(&d->qps[i]->stats_base, d->qps[i]);
}

WD_EXPORT void
wd_comp_stats_reset(uint8_t dev_id)
{
	if (wd_drv_forked())
		return;
	pthread_mutex_lock(&wd_comp_lock);
	wd_comp_stats_reset_locked(dev_id);
	pthread_mutex_unlock(&wd_comp_lock);
}
