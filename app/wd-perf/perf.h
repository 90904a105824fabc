/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd-perf: the WarpDrive-ZIP compression benchmark (internal header).
 *
 * main.c           EAL, the run plan (devices x sizes x ops), exit code
 * perf_options.c   command line (EAL args, "--", then ours)
 * perf_devices.c   device selection, --list, configure/start, lcore -> qp
 * perf_data.c      test data, zlib reference streams, mbuf chains, checks
 * perf_run.c       the per-lcore loops (throughput/latency/verify, cyclecount)
 * perf_report.c    table, side-by-side summary, JSON, CSV, progress line
 */
#ifndef WD_PERF_H
#define WD_PERF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_lcore.h>

#include "wd_comp.h"

#define PERF_MAX_DEVS 8
#define PERF_MAX_SIZES 16
#define PERF_MAX_QPS_PER_LCORE 8
/** Largest data in one mbuf segment: buf_len is 16 bits and holds the headroom too. */
#define PERF_MAX_SEG_DATA (UINT16_MAX - RTE_PKTMBUF_HEADROOM)
/** Largest request wd-perf accepts (the hardware's per-message limit). */
#define PERF_MAX_SIZE WD_COMP_MSG_MAX_LEN
/** Latency samples kept per lcore and run (reservoir sampling beyond). */
#define PERF_LAT_SAMPLES (1u << 20)

enum perf_mode {
	PERF_MODE_THROUGHPUT = 0,
	PERF_MODE_LATENCY,
	PERF_MODE_CYCLECOUNT,
	PERF_MODE_VERIFY,
};

/** Kinds of generated data. */
enum perf_data_kind {
	PERF_DATA_TEXT = 0, /**< words, numbers, punctuation: zlib -6 makes ~37% */
	PERF_DATA_MIXED,    /**< text with runs of random bytes and zeros */
	PERF_DATA_RANDOM,   /**< incompressible */
	PERF_DATA_ZEROS,    /**< highly compressible */
};

/** Command-line options. */
struct perf_opts {
	enum perf_mode mode;
	enum wd_comp_alg format;
	bool do_comp;
	bool do_decomp;
	int level;                   /**< WD_COMP_LEVEL_DEFAULT or 0..9 */
	uint8_t window_log;          /**< 8..15 */
	enum wd_comp_huffman huffman;
	bool stateful;
	uint32_t chunk;              /**< stateful op size; 0 = size / 4 */
	uint32_t sizes[PERF_MAX_SIZES];
	unsigned int nb_sizes;
	uint16_t segments;
	uint16_t burst;
	uint32_t inflight;           /**< ops in flight per lcore */
	bool burst_set, inflight_set, duration_set;
	unsigned int nb_lcores;      /**< 0 = every worker lcore */
	unsigned int qps_per_lcore;
	const char *file;
	enum perf_data_kind data;
	double duration;             /**< seconds per run (when iterations == 0) */
	uint64_t iterations;         /**< passes over the buffer set per lcore */
	const char *json_path;
	const char *csv_path;
	uint32_t cc_delay_us;
	bool list;
	const char *devs[PERF_MAX_DEVS];
	unsigned int nb_devs;
	bool spread;
	struct wd_comp_fallback fallback;
	bool fallback_set;
	bool progress;
	bool quiet;                  /**< no table (JSON/CSV only) */
	uint64_t seed;
};

/** A device under test. */
struct perf_dev {
	uint8_t id;                  /**< wd_comp device id */
	char spec[128];              /**< as given on the command line, or "" */
	char label[160];             /**< what reports show */
	struct wd_comp_dev_info info;
	uint16_t nb_qps;             /**< queue pairs configured */
	bool started;
};

/** Where an lcore sends its ops. */
struct perf_lcore_qps {
	unsigned int lcore;
	uint8_t dev_id;
	unsigned int dev_idx;        /**< index in the perf_dev array */
	uint16_t qp[PERF_MAX_QPS_PER_LCORE];
	unsigned int nb_qp;
};

/** Figures of one run on one lcore (or their aggregate). */
struct perf_result {
	char device[WD_NAME_MAX];
	char label[160];
	char spec[128];
	int lcore;                   /**< -1 = aggregate ("all") */
	enum wd_op_type op;
	uint32_t size;
	uint16_t segments;
	uint64_t ops;                /**< ops completed (stateful: stream ops) */
	uint64_t requests;           /**< buffers processed (stateful: streams) */
	uint64_t bytes_in;
	uint64_t bytes_out;
	double seconds;              /**< wall time of the run on this lcore */
	uint64_t tsc_total;          /**< TSC ticks of the measured loop */
	double gbps_in, gbps_out, ops_per_sec, ratio;
	double cycles_per_op;        /**< cyclecount: enq + deq; else tsc_total / ops */
	double enq_cycles_per_op, deq_cycles_per_op;
	/** cyclecount: medians over calls (enqueue: ticks / ops accepted; dequeue:
	 *  ticks / ops returned, calls that return ops): robust to preemption */
	double enq_cycles_p50, deq_cycles_p50;
	uint64_t enq_retries, deq_retries;
	bool has_latency;
	double lat_mean_us, lat_p50_us, lat_p99_us, lat_p999_us, lat_max_us;
	uint64_t hw_ops, sw_ops;         /**< from op->engine */
	/** software ops of a hardware device by reason: from op->fallback_reason, then
	 *  replaced by the queue pairs' statistics (wd_comp_qp_stats_get) of the run */
	uint64_t fallback[WD_COMP_FB_REASON_MAX];
	bool stats_ok;                   /**< the queue-pair statistics were read */
	uint64_t fallback_ops;
	uint64_t errors;             /**< error statuses + verification failures */
	uint64_t verify_failures;
	bool interrupted;            /**< cut short by SIGINT/SIGTERM */
	uint64_t status[WD_COMP_OP_STATUS_MAX];
	uint64_t verified;           /**< outputs checked with zlib */
	/* latency samples (TSC ticks), owned by the result; freed after the report */
	uint64_t *lat;
	uint64_t nb_lat;
};

/** The source data, cut into requests. */
struct perf_data {
	uint8_t *buf;
	size_t len;
	char desc[128];
};

/** A reference or device-made compressed version of each request. */
struct perf_cdata {
	uint32_t nb;
	uint8_t **data;
	uint32_t *len;
};

/** Workers start measuring together once every one of them is set up. */
struct perf_barrier {
	volatile unsigned int ready;
	volatile bool go;
};

/** Everything one lcore needs for one run. */
struct perf_job {
	const struct perf_opts *opts;
	const struct perf_data *data;
	struct perf_lcore_qps qps;
	enum wd_op_type op;
	uint32_t size;
	const struct perf_cdata *cin;    /**< decompress input per request */
	struct perf_cdata *cout;         /**< compress: keep the outputs here (or NULL) */
	uint32_t first_req;              /**< first request index of this lcore */
	uint32_t nb_req;                 /**< requests in the data set */
	struct rte_mempool *op_pool;
	struct perf_barrier *barrier;    /**< NULL: start at once */
	struct perf_result res;
	char what[128];                  /**< "model0 compress 4K", for the progress line */
	int rc;                          /**< 0, or -errno (set-up or run) */
	bool setup_failed;               /**< the run could not start (rc, err say why) */
	char err[256];
	/* live counters for the progress line */
	volatile uint64_t live_ops;
	volatile uint64_t live_bytes_in;
	volatile bool done;
};

/* perf_options.c */
int perf_opts_parse(int argc, char **argv, struct perf_opts *o);
void perf_usage(FILE *f, const char *prog);
const char *perf_mode_str(enum perf_mode m);
const char *perf_format_str(enum wd_comp_alg a);

/* perf_devices.c */
int perf_devices_open(const struct perf_opts *o, struct perf_dev *devs, unsigned int *nb_devs,
		      bool *defaulted);
int perf_devices_list(const struct perf_opts *o, FILE *f);
int perf_devices_configure(struct perf_dev *devs, unsigned int nb_devs, unsigned int nb_qps,
			   const struct perf_opts *o);
int perf_assign_qps(const struct perf_opts *o, struct perf_dev *devs, const unsigned int *dev_idx,
		    unsigned int nb_dev_idx, const unsigned int *lcores, unsigned int nb_lcores,
		    struct perf_lcore_qps *out);
void perf_devices_close(struct perf_dev *devs, unsigned int nb_devs);
void perf_dev_describe(const struct perf_dev *d, char *buf, size_t len);

/* perf_data.c */
int perf_data_load(const struct perf_opts *o, struct perf_data *d);
void perf_data_free(struct perf_data *d);
uint32_t perf_req_len(const struct perf_data *d, uint32_t size);
uint32_t perf_nb_req(const struct perf_data *d, uint32_t size);
const uint8_t *perf_req_ptr(const struct perf_data *d, uint32_t size, uint32_t idx);
int perf_ref_compress(const struct perf_opts *o, const struct perf_data *d, uint32_t size,
		      uint32_t nb, struct perf_cdata *c);
int perf_cdata_alloc(struct perf_cdata *c, uint32_t nb);
void perf_cdata_free(struct perf_cdata *c);
/** Inflate @p in (format of @p o) and compare with @p ref. @return 0 or -1 (with why). */
int perf_check_inflate(enum wd_comp_alg fmt, const uint8_t *in, size_t in_len,
		       const uint8_t *ref, size_t ref_len, char *why, size_t whylen);
struct rte_mbuf *perf_chain_alloc(struct rte_mempool *mp, uint32_t len, uint16_t segs);
void perf_chain_fill(struct rte_mbuf *m, const uint8_t *src, uint32_t len);
void perf_chain_rearm(struct rte_mbuf *m, uint32_t cap, uint16_t segs);
/** Copy @p len bytes at @p off out of a chain armed with perf_chain_rearm(). */
int perf_chain_read(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint8_t *dst);
uint32_t perf_seg_len(uint32_t cap, uint16_t segs);

/* perf_run.c */
int perf_lcore_main(void *arg);
extern volatile bool perf_force_stop;

/* perf_report.c */
void perf_result_finish(struct perf_result *r, const struct perf_opts *o);
void perf_result_aggregate(struct perf_result *agg, struct perf_result *const *rs,
			   unsigned int n, const struct perf_opts *o);
void perf_report_header(FILE *f, const struct perf_opts *o, const struct perf_data *d,
			const struct perf_dev *devs, unsigned int nb_devs, unsigned int nb_lcores,
			const unsigned int *lcores);
void perf_report_table_head(FILE *f, const struct perf_opts *o);
void perf_report_row(FILE *f, const struct perf_opts *o, const struct perf_result *r);
void perf_report_summary(FILE *f, const struct perf_opts *o, struct perf_result *const *aggs,
			 unsigned int n, const struct perf_dev *devs, unsigned int nb_devs);
int perf_report_json(const char *path, const struct perf_opts *o, struct perf_result *const *rs,
		     unsigned int n);
int perf_report_csv(const char *path, const struct perf_opts *o, struct perf_result *const *rs,
		    unsigned int n);
void perf_progress(const struct perf_job *jobs, unsigned int n, double elapsed, const char *what);

#endif /* WD_PERF_H */
