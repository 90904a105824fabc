/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry (rte_telemetry, read with dpdk-telemetry.py):
 *
 *   /wd_comp/list                      device ids
 *   /wd_comp/info,<dev>                device, configuration, capabilities
 *   /wd_comp/stats,<dev>               device totals
 *   /wd_comp/qp_stats,<dev>,<qp>       one queue pair
 *   /wd_comp/latency,<dev>[,<qp>]      enqueue-to-dequeue histogram and percentiles
 *
 * The callbacks run on the telemetry thread; they take the control lock
 * (queue pairs cannot be freed under them) and read counters the data
 * path writes without locks (a snapshot may be a few ops behind).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "wd_comp_private.h"

static bool tel_done;

/* Parse "<dev>" or "<dev>,<qp>". @return number of values parsed, or -1. */
static int
tel_params(const char *params, int *dev, int *qp)
{
	char *end;
	long v;

	if (params == NULL || *params == '\0')
		return 0;
	v = strtol(params, &end, 10);
	if (end == params || v < 0 || v >= WD_COMP_MAX_DEVS)
		return -1;
	*dev = (int)v;
	if (*end == '\0')
		return 1;
	if (*end != ',')
		return -1;
	params = end + 1;
	v = strtol(params, &end, 10);
	if (end == params || *end != '\0' || v < 0 || v >= WD_COMP_MAX_QPS)
		return -1;
	*qp = (int)v;
	return 2;
}

static int
tel_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	pthread_mutex_lock(&wd_comp_lock);
	for (int i = 0; i < WD_COMP_MAX_DEVS; i++)
		if (wd_comp_dev_get((uint8_t)i) != NULL)
			rte_tel_data_add_array_int(d, i);
	pthread_mutex_unlock(&wd_comp_lock);
	return 0;
}

static int
tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wd_comp_dev_info info;
	struct wd_comp_dev *dev;
	int id = -1, qp = -1, ret;

	(void)cmd;
	if (tel_params(params, &id, &qp) != 1)
		return -EINVAL;
	pthread_mutex_lock(&wd_comp_lock);
	dev = wd_comp_dev_get((uint8_t)id);
	ret = dev == NULL ? -ENODEV : wd_comp_dev_info_get((uint8_t)id, &info);
	if (ret < 0)
		goto out;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", info.name);
	rte_tel_data_add_dict_string(d, "driver", info.driver);
	rte_tel_data_add_dict_string(d, "engine", info.hw ? "hw" : "sw");
	rte_tel_data_add_dict_int(d, "socket_id", info.socket_id);
	rte_tel_data_add_dict_u64(d, "feature_flags", info.feature_flags);
	rte_tel_data_add_dict_u64(d, "max_op_len", info.max_op_len);
	rte_tel_data_add_dict_int(d, "configured", dev->configured);
	rte_tel_data_add_dict_int(d, "started", dev->started);
	rte_tel_data_add_dict_int(d, "nb_queue_pairs", dev->nb_qps);
	rte_tel_data_add_dict_u64(d, "priv_xforms", __atomic_load_n(&dev->nb_xforms,
								    __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "streams", __atomic_load_n(&dev->nb_streams,
							       __ATOMIC_RELAXED));
	for (int a = 0; a < WD_COMP_ALG_MAX; a++) {
		struct rte_tel_data *c = rte_tel_data_alloc();
		char key[32];

		if (c == NULL)
			continue;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_int(c, "comp_hw", info.caps[a].comp_hw);
		rte_tel_data_add_dict_int(c, "decomp_hw", info.caps[a].decomp_hw);
		rte_tel_data_add_dict_int(c, "window_min", info.caps[a].window_size.min);
		rte_tel_data_add_dict_int(c, "window_max", info.caps[a].window_size.max);
		snprintf(key, sizeof(key), "%s", wd_comp_alg_str((enum wd_comp_alg)a));
		if (rte_tel_data_add_dict_container(d, key, c, 0) < 0)
			rte_tel_data_free(c);
	}
	{
		struct rte_tel_data *q = rte_tel_data_alloc();

		if (q != NULL) {
			rte_tel_data_start_array(q, RTE_TEL_STRING_VAL);
			for (unsigned int i = 0; i < dev->nb_qps; i++) {
				const struct wd_comp_qp *p = dev->qps[i];
				char v[96];

				if (p == NULL)
					snprintf(v, sizeof(v), "%u: not set up", i);
				else
					snprintf(v, sizeof(v),
						 "%u: depth %u, inflight %u, socket %d, %s, "
						 "fallback 0x%x", i, p->depth, p->inflight,
						 p->socket_id, p->hw != NULL ? "hw+sw" :
						 (dev->hw ? "sw only" : "sw"), p->fb.flags);
				rte_tel_data_add_array_string(q, v);
			}
			if (rte_tel_data_add_dict_container(d, "queue_pairs", q, 0) < 0)
				rte_tel_data_free(q);
		}
	}
out:
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}

static void
tel_stats_dict(struct rte_tel_data *d, const struct wd_comp_stats *s)
{
	char key[64];

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "enqueued_count", s->enqueued_count);
	rte_tel_data_add_dict_u64(d, "dequeued_count", s->dequeued_count);
	rte_tel_data_add_dict_u64(d, "enqueue_err_count", s->enqueue_err_count);
	rte_tel_data_add_dict_u64(d, "dequeue_err_count", s->dequeue_err_count);
	rte_tel_data_add_dict_u64(d, "bytes_in", s->bytes_in);
	rte_tel_data_add_dict_u64(d, "bytes_out", s->bytes_out);
	rte_tel_data_add_dict_u64(d, "hw_ops", s->hw_ops);
	rte_tel_data_add_dict_u64(d, "sw_ops", s->sw_ops);
	for (int i = 1; i < WD_COMP_FB_REASON_MAX; i++) {
		snprintf(key, sizeof(key), "fallback_%s",
			 wd_comp_fallback_str((enum wd_comp_fallback_reason)i));
		rte_tel_data_add_dict_u64(d, key, s->fallback[i]);
	}
	for (int i = 0; i < WD_COMP_OP_STATUS_MAX; i++) {
		snprintf(key, sizeof(key), "status_%s",
			 wd_comp_op_status_str((enum wd_comp_op_status)i));
		rte_tel_data_add_dict_u64(d, key, s->status[i]);
	}
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wd_comp_stats s;
	int id = -1, qp = -1, n, ret;

	n = tel_params(params, &id, &qp);
	if (strcmp(cmd, "/wd_comp/qp_stats") == 0 ? n != 2 : n != 1)
		return -EINVAL;
	pthread_mutex_lock(&wd_comp_lock);
	ret = n == 2 ? wd_comp_qp_stats_get((uint8_t)id, (uint16_t)qp, &s) :
		       wd_comp_stats_get((uint8_t)id, &s);
	pthread_mutex_unlock(&wd_comp_lock);
	if (ret < 0)
		return ret;
	tel_stats_dict(d, &s);
	return 0;
}

/*
 * Upper bound (ns) of the bucket holding the p-th percentile; UINT64_MAX
 * for the last bucket, which also counts everything longer.
 */
static uint64_t
lat_percentile(const struct wd_comp_stats *s, double p)
{
	uint64_t total = 0, acc = 0, want;

	for (int i = 0; i < WD_COMP_LAT_BUCKETS; i++)
		total += s->lat_hist[i];
	if (total == 0)
		return 0;
	want = (uint64_t)((double)total * p);
	if (want == 0)
		want = 1;
	for (int i = 0; i < WD_COMP_LAT_BUCKETS; i++) {
		acc += s->lat_hist[i];
		if (acc >= want)
			return i == WD_COMP_LAT_BUCKETS - 1 ? UINT64_MAX : (uint64_t)2 << i;
	}
	return UINT64_MAX;
}

static int
tel_latency(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wd_comp_stats s;
	struct rte_tel_data *h;
	int id = -1, qp = -1, n, ret;

	(void)cmd;
	n = tel_params(params, &id, &qp);
	if (n < 1)
		return -EINVAL;
	pthread_mutex_lock(&wd_comp_lock);
	ret = n == 2 ? wd_comp_qp_stats_get((uint8_t)id, (uint16_t)qp, &s) :
		       wd_comp_stats_get((uint8_t)id, &s);
	pthread_mutex_unlock(&wd_comp_lock);
	if (ret < 0)
		return ret;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "unit", "ns");
	rte_tel_data_add_dict_string(d, "buckets",
				     "bucket i counts latencies in [2^i, 2^(i+1)) ns; the last one "
				     "from 2^31 ns up");
	rte_tel_data_add_dict_u64(d, "p50_ns_max", lat_percentile(&s, 0.50));
	rte_tel_data_add_dict_u64(d, "p90_ns_max", lat_percentile(&s, 0.90));
	rte_tel_data_add_dict_u64(d, "p99_ns_max", lat_percentile(&s, 0.99));
	rte_tel_data_add_dict_u64(d, "p999_ns_max", lat_percentile(&s, 0.999));
	h = rte_tel_data_alloc();
	if (h != NULL) {
		rte_tel_data_start_array(h, RTE_TEL_U64_VAL);
		for (int i = 0; i < WD_COMP_LAT_BUCKETS; i++)
			rte_tel_data_add_array_u64(h, s.lat_hist[i]);
		if (rte_tel_data_add_dict_container(d, "histogram", h, 0) < 0)
			rte_tel_data_free(h);
	}
	return 0;
}

WD_EXPORT int
wd_comp_telemetry_init(void)
{
	int ret = 0;

	pthread_mutex_lock(&wd_comp_lock);
	if (tel_done)
		goto out;
	ret = rte_telemetry_register_cmd("/wd_comp/list", tel_list,
					 "Returns the wd_comp device ids. No parameters");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/wd_comp/info", tel_info,
						 "Returns a wd_comp device's information. "
						 "Parameters: int dev_id");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/wd_comp/stats", tel_stats,
						 "Returns a wd_comp device's statistics. "
						 "Parameters: int dev_id");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/wd_comp/qp_stats", tel_stats,
						 "Returns a queue pair's statistics. "
						 "Parameters: int dev_id, int qp_id");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/wd_comp/latency", tel_latency,
						 "Returns the latency histogram. "
						 "Parameters: int dev_id[, int qp_id]");
	if (ret < 0)
		WD_COMP_LOG(WARNING, "telemetry commands not registered: %s", strerror(-ret));
	else
		tel_done = true;
out:
	pthread_mutex_unlock(&wd_comp_lock);
	return ret;
}
