/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd-perf reports: derived figures, the table, the side-by-side summary,
 * JSON and CSV files (the same fields), and the progress line.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "perf.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
ticks_us(double ticks)
{
	return ticks * 1e6 / (double)rte_get_tsc_hz();
}

/* Nearest-rank percentile of sorted samples. */
static uint64_t
pct(const uint64_t *v, uint64_t n, double p)
{
	uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)n);

	if (rank == 0)
		rank = 1;
	return v[rank - 1];
}

void
perf_result_finish(struct perf_result *r, const struct perf_opts *o)
{
	r->fallback_ops = 0;
	for (int i = 1; i < WD_COMP_FB_REASON_MAX; i++)
		r->fallback_ops += r->fallback[i];
	if (r->seconds > 0) {
		r->gbps_in = (double)r->bytes_in * 8 / r->seconds / 1e9;
		r->gbps_out = (double)r->bytes_out * 8 / r->seconds / 1e9;
		r->ops_per_sec = (double)r->ops / r->seconds;
	}
	r->ratio = 0;
	if (r->op == WD_OP_COMPRESS && r->bytes_in > 0)
		r->ratio = (double)r->bytes_out / (double)r->bytes_in;
	else if (r->op == WD_OP_DECOMPRESS && r->bytes_out > 0)
		r->ratio = (double)r->bytes_in / (double)r->bytes_out;
	if (o->mode == PERF_MODE_CYCLECOUNT)
		r->cycles_per_op = r->enq_cycles_per_op + r->deq_cycles_per_op;
	else if (r->ops > 0)
		r->cycles_per_op = (double)r->tsc_total / (double)r->ops;
	r->has_latency = false;
	if (o->mode != PERF_MODE_CYCLECOUNT && r->lat != NULL && r->nb_lat > 0) {
		double sum = 0;

		qsort(r->lat, r->nb_lat, sizeof(r->lat[0]), cmp_u64);
		for (uint64_t i = 0; i < r->nb_lat; i++)
			sum += (double)r->lat[i];
		r->lat_mean_us = ticks_us(sum / (double)r->nb_lat);
		r->lat_p50_us = ticks_us((double)pct(r->lat, r->nb_lat, 50));
		r->lat_p99_us = ticks_us((double)pct(r->lat, r->nb_lat, 99));
		r->lat_p999_us = ticks_us((double)pct(r->lat, r->nb_lat, 99.9));
		r->lat_max_us = ticks_us((double)r->lat[r->nb_lat - 1]);
		r->has_latency = true;
	}
}

void
perf_result_aggregate(struct perf_result *agg, struct perf_result *const *rs, unsigned int n,
		      const struct perf_opts *o)
{
	uint64_t nlat = 0;
	double enq = 0, deq = 0, enq50 = 0, deq50 = 0;

	memset(agg, 0, sizeof(*agg));
	if (n == 0)
		return;
	snprintf(agg->device, sizeof(agg->device), "%s", rs[0]->device);
	snprintf(agg->label, sizeof(agg->label), "%s", rs[0]->label);
	snprintf(agg->spec, sizeof(agg->spec), "%s", rs[0]->spec);
	agg->lcore = -1;
	agg->op = rs[0]->op;
	agg->size = rs[0]->size;
	agg->segments = rs[0]->segments;
	for (unsigned int i = 0; i < n; i++) {
		const struct perf_result *r = rs[i];

		if (strcmp(r->device, agg->device) != 0)
			snprintf(agg->device, sizeof(agg->device), "several");
		if (strcmp(r->label, agg->label) != 0) {
			snprintf(agg->label, sizeof(agg->label), "all devices");
			agg->spec[0] = '\0';
		}
		agg->ops += r->ops;
		agg->requests += r->requests;
		agg->bytes_in += r->bytes_in;
		agg->bytes_out += r->bytes_out;
		if (r->seconds > agg->seconds)
			agg->seconds = r->seconds;
		if (r->tsc_total > agg->tsc_total)
			agg->tsc_total = r->tsc_total;
		/* a row is cut short if its loop stopped for the interrupt (perf_run.c) */
		agg->interrupted = agg->interrupted || r->interrupted;
		enq += r->enq_cycles_per_op * (double)r->ops;
		deq += r->deq_cycles_per_op * (double)r->ops;
		enq50 += r->enq_cycles_p50 * (double)r->ops;
		deq50 += r->deq_cycles_p50 * (double)r->ops;
		agg->enq_retries += r->enq_retries;
		agg->deq_retries += r->deq_retries;
		agg->hw_ops += r->hw_ops;
		agg->sw_ops += r->sw_ops;
		for (int k = 0; k < WD_COMP_FB_REASON_MAX; k++)
			agg->fallback[k] += r->fallback[k];
		for (int k = 0; k < WD_COMP_OP_STATUS_MAX; k++)
			agg->status[k] += r->status[k];
		agg->errors += r->errors;
		agg->verify_failures += r->verify_failures;
		agg->verified += r->verified;
		nlat += r->nb_lat;
	}
	if (agg->ops > 0) {
		agg->enq_cycles_per_op = enq / (double)agg->ops;
		agg->deq_cycles_per_op = deq / (double)agg->ops;
		/* over lcores: the op-weighted mean of their medians */
		agg->enq_cycles_p50 = enq50 / (double)agg->ops;
		agg->deq_cycles_p50 = deq50 / (double)agg->ops;
	}
	if (nlat > 0) {
		agg->lat = malloc(nlat * sizeof(uint64_t));
		if (agg->lat != NULL) {
			for (unsigned int i = 0; i < n; i++) {
				if (rs[i]->nb_lat == 0)
					continue;
				memcpy(agg->lat + agg->nb_lat, rs[i]->lat,
				       rs[i]->nb_lat * sizeof(uint64_t));
				agg->nb_lat += rs[i]->nb_lat;
			}
		}
	}
	perf_result_finish(agg, o);
	/* cycles/op over lcores: ticks of all lcores / all ops */
	if (o->mode != PERF_MODE_CYCLECOUNT && agg->ops > 0) {
		double ticks = 0;

		for (unsigned int i = 0; i < n; i++)
			ticks += (double)rs[i]->tsc_total;
		agg->cycles_per_op = ticks / (double)agg->ops;
	}
}

/* ---------------------------------------------------------------- */
/* table                                                             */
/* ---------------------------------------------------------------- */

static const char *
human(double v, char *buf, size_t len)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

static const char *
size_str(uint32_t s, char *buf, size_t len)
{
	if (s >= (1u << 20) && s % (1u << 20) == 0)
		snprintf(buf, len, "%uM", s >> 20);
	else if (s >= 1024 && s % 1024 == 0)
		snprintf(buf, len, "%uK", s >> 10);
	else
		snprintf(buf, len, "%u", s);
	return buf;
}

static int label_w = 14;

void
perf_report_header(FILE *f, const struct perf_opts *o, const struct perf_data *d,
		   const struct perf_dev *devs, unsigned int nb_devs, unsigned int nb_lcores,
		   const unsigned int *lcores)
{
	char level[16], sizes[160] = "", tmp[32], lc[128] = "";
	size_t pos = 0;

	for (unsigned int i = 0; i < nb_devs; i++) {
		int l = (int)strlen(devs[i].label);

		if (l > label_w)
			label_w = l > 30 ? 30 : l;
	}
	if (o->level == WD_COMP_LEVEL_DEFAULT)
		snprintf(level, sizeof(level), "default");
	else
		snprintf(level, sizeof(level), "%d", o->level);
	for (unsigned int i = 0; i < o->nb_sizes && pos < sizeof(sizes) - 16; i++)
		pos += (size_t)snprintf(sizes + pos, sizeof(sizes) - pos, "%s%s", i ? "," : "",
					size_str(o->sizes[i], tmp, sizeof(tmp)));
	pos = 0;
	for (unsigned int i = 0; i < nb_lcores && pos < sizeof(lc) - 8; i++)
		pos += (size_t)snprintf(lc + pos, sizeof(lc) - pos, "%s%u", i ? "," : "",
					lcores[i]);
	fprintf(f, "mode %s, format %s, level %s, window %u KiB, %s%s, op %s\n",
		perf_mode_str(o->mode), perf_format_str(o->format), level,
		(1u << o->window_log) >> 10 ? (1u << o->window_log) >> 10 : 1,
		o->stateful ? "stateful" : "stateless",
		o->huffman == WD_COMP_HUFFMAN_FIXED ? " (fixed Huffman)" :
		o->huffman == WD_COMP_HUFFMAN_DYNAMIC ? " (dynamic Huffman)" : "",
		o->do_comp && o->do_decomp ? "compress, then decompress of its output" :
		o->do_comp ? "compress" : "decompress (input made by zlib)");
	fprintf(f, "sizes %s, %u mbuf segment%s per request, burst %u, %u in flight per lcore, "
		"lcore%s %s, %u queue pair%s per lcore\n", sizes, o->segments,
		o->segments > 1 ? "s" : "", o->burst, o->inflight, nb_lcores > 1 ? "s" : "", lc,
		o->qps_per_lcore, o->qps_per_lcore > 1 ? "s" : "");
	for (unsigned int i = 0; i < o->nb_sizes; i++) {
		uint32_t need = (o->sizes[i] + PERF_MAX_SEG_DATA - 1) / PERF_MAX_SEG_DATA;

		if (need > o->segments)
			fprintf(f, "%s requests use %u segments (an mbuf segment holds at most %u "
				"bytes)\n", size_str(o->sizes[i], tmp, sizeof(tmp)), need,
				(unsigned int)PERF_MAX_SEG_DATA);
	}
	if (o->stateful) {
		if (o->chunk)
			fprintf(f, "stateful: each request is a stream of ops of %u bytes\n",
				o->chunk);
		else
			fprintf(f, "stateful: each request is a stream of 4 ops\n");
	}
	fprintf(f, "data: %s; ", d->desc);
	if (o->iterations)
		fprintf(f, "%" PRIu64 " pass%s over each lcore's requests per run\n",
			o->iterations, o->iterations > 1 ? "es" : "");
	else
		fprintf(f, "%.3g s per run\n", o->duration);
	if (o->mode == PERF_MODE_CYCLECOUNT)
		fprintf(f, "cycles: TSC ticks (%.2f GHz) inside enqueue and dequeue calls per op, "
			"%u us between enqueue and dequeue (dpdk-test-compress-perf's "
			"definitions)\n", (double)rte_get_tsc_hz() / 1e9, o->cc_delay_us);
	if (o->mode == PERF_MODE_VERIFY)
		fprintf(f, "verify: every output is checked with zlib as it completes\n");
	fputc('\n', f);
}

void
perf_report_table_head(FILE *f, const struct perf_opts *o)
{
	fprintf(f, "%-*s %-10s %5s %5s ", label_w, "device", "op", "size", "lcore");
	switch (o->mode) {
	case PERF_MODE_CYCLECOUNT:
		fprintf(f, "%8s %8s %8s %8s %8s %8s %7s", "enq cyc", "deq cyc", "cyc/op", "p50 enq",
			"p50 deq", "deq rtry", "ratio");
		break;
	case PERF_MODE_LATENCY:
		fprintf(f, "%8s %8s %8s %8s %8s %7s", "ops/s", "p50 us", "p99 us", "p99.9 us",
			"max us", "ratio");
		break;
	default:
		fprintf(f, "%8s %8s %8s %7s %8s %8s", "ops/s", "Gbps in", "Gbps out", "ratio",
			"cyc/op", "p99 us");
		break;
	}
	fprintf(f, " %7s %7s %8s %6s\n", "hw ops", "sw ops", "fallback", "errors");
}

void
perf_report_row(FILE *f, const struct perf_opts *o, const struct perf_result *r)
{
	char lc[16], sz[16], h1[16], h2[16], h3[16], h4[16];

	if (r->lcore < 0)
		snprintf(lc, sizeof(lc), "all");
	else
		snprintf(lc, sizeof(lc), "%d", r->lcore);
	fprintf(f, "%-*.*s %-10s %5s %5s ", label_w, label_w, r->label,
		r->op == WD_OP_COMPRESS ? "compress" : "decompress", size_str(r->size, sz,
		sizeof(sz)), lc);
	switch (o->mode) {
	case PERF_MODE_CYCLECOUNT:
		fprintf(f, "%8.0f %8.0f %8.0f %8.0f %8.0f %8" PRIu64 " %6.1f%%",
			r->enq_cycles_per_op, r->deq_cycles_per_op, r->cycles_per_op,
			r->enq_cycles_p50, r->deq_cycles_p50, r->deq_retries, r->ratio * 100);
		break;
	case PERF_MODE_LATENCY:
		fprintf(f, "%8s %8.1f %8.1f %8.1f %8.1f %6.1f%%", human(r->ops_per_sec, h1,
			sizeof(h1)), r->lat_p50_us, r->lat_p99_us, r->lat_p999_us, r->lat_max_us,
			r->ratio * 100);
		break;
	default:
		fprintf(f, "%8s %8.2f %8.2f %6.1f%% %8.0f %8.1f", human(r->ops_per_sec, h1,
			sizeof(h1)), r->gbps_in, r->gbps_out, r->ratio * 100, r->cycles_per_op,
			r->lat_p99_us);
		break;
	}
	fprintf(f, " %7s %7s %8s %6" PRIu64 "\n", human((double)r->hw_ops, h2, sizeof(h2)),
		human((double)r->sw_ops, h3, sizeof(h3)),
		human((double)r->fallback_ops, h4, sizeof(h4)), r->errors);
}

/* The device columns: one per device, same (op, size) rows. */
void
perf_report_summary(FILE *f, const struct perf_opts *o, struct perf_result *const *aggs,
		    unsigned int n, const struct perf_dev *devs, unsigned int nb_devs)
{
	const char *what;
	int w = 12;

	if (nb_devs < 2 || n == 0)
		return;
	for (unsigned int d = 0; d < nb_devs; d++)
		if ((int)strlen(devs[d].label) > w)
			w = (int)strlen(devs[d].label) > 24 ? 24 : (int)strlen(devs[d].label);
	switch (o->mode) {
	case PERF_MODE_CYCLECOUNT:
		what = "TSC ticks per op, enqueue + dequeue";
		break;
	case PERF_MODE_LATENCY:
		what = "latency p50 / p99, microseconds";
		break;
	default:
		what = "Gbps of uncompressed data (compress: in, decompress: out)";
		break;
	}
	fprintf(f, "\nside by side: %s\n", what);
	fprintf(f, "%-10s %5s", "op", "size");
	for (unsigned int d = 0; d < nb_devs; d++)
		fprintf(f, " %*.*s", w, w, devs[d].label);
	fputc('\n', f);
	/* rows: every (op, size) in the order they ran for the first device */
	for (unsigned int i = 0; i < n; i++) {
		const struct perf_result *row = aggs[i];
		char sz[16];

		if (strcmp(row->label, devs[0].label) != 0)
			continue;
		fprintf(f, "%-10s %5s", row->op == WD_OP_COMPRESS ? "compress" : "decompress",
			size_str(row->size, sz, sizeof(sz)));
		for (unsigned int d = 0; d < nb_devs; d++) {
			const struct perf_result *cell = NULL;
			char txt[48];

			for (unsigned int k = 0; k < n; k++)
				if (aggs[k]->op == row->op && aggs[k]->size == row->size &&
				    strcmp(aggs[k]->label, devs[d].label) == 0)
					cell = aggs[k];
			if (cell == NULL || cell->ops == 0)
				snprintf(txt, sizeof(txt), "-");
			else if (o->mode == PERF_MODE_CYCLECOUNT)
				snprintf(txt, sizeof(txt), "%.0f", cell->cycles_per_op);
			else if (o->mode == PERF_MODE_LATENCY)
				snprintf(txt, sizeof(txt), "%.1f / %.1f", cell->lat_p50_us,
					 cell->lat_p99_us);
			else
				snprintf(txt, sizeof(txt), "%.2f",
					 row->op == WD_OP_COMPRESS ? cell->gbps_in :
								     cell->gbps_out);
			if (cell != NULL && cell->errors)
				strncat(txt, " (errors)", sizeof(txt) - strlen(txt) - 1);
			fprintf(f, " %*s", w, txt);
		}
		fputc('\n', f);
	}
	if (o->do_comp) {
		fprintf(f, "%-16s", "ratio (compress)");
		for (unsigned int d = 0; d < nb_devs; d++) {
			uint64_t bi = 0, bo = 0;
			char txt[32];

			for (unsigned int k = 0; k < n; k++)
				if (aggs[k]->op == WD_OP_COMPRESS &&
				    strcmp(aggs[k]->label, devs[d].label) == 0) {
					bi += aggs[k]->bytes_in;
					bo += aggs[k]->bytes_out;
				}
			if (bi)
				snprintf(txt, sizeof(txt), "%.1f%%",
					 100.0 * (double)bo / (double)bi);
			else
				snprintf(txt, sizeof(txt), "-");
			fprintf(f, " %*s", w, txt);
		}
		fputc('\n', f);
	}
}

/* ---------------------------------------------------------------- */
/* JSON and CSV                                                      */
/* ---------------------------------------------------------------- */

enum fkind { F_STR, F_U64, F_DBL, F_LCORE, F_BOOL };

struct field {
	const char *name;
	enum fkind kind;
	const char *s;
	uint64_t u;
	double d;
	bool null;
};

#define NFIELDS 56

static unsigned int
row_fields(const struct perf_opts *o, const struct perf_result *r, struct field *fl)
{
	unsigned int n = 0;
	bool cc = o->mode == PERF_MODE_CYCLECOUNT;
	bool lat = r->has_latency;
	static char level[16];

#define FS(nm, v) fl[n++] = (struct field){ .name = nm, .kind = F_STR, .s = (v) }
#define FU(nm, v) fl[n++] = (struct field){ .name = nm, .kind = F_U64, .u = (v) }
#define FD(nm, v, isnull) fl[n++] = (struct field){ .name = nm, .kind = F_DBL, .d = (v), \
						    .null = (isnull) }
	if (o->level == WD_COMP_LEVEL_DEFAULT)
		snprintf(level, sizeof(level), "default");
	else
		snprintf(level, sizeof(level), "%d", o->level);
	FS("device", r->device);
	FS("label", r->label);
	FS("spec", r->spec);
	FS("mode", perf_mode_str(o->mode));
	fl[n++] = (struct field){ .name = "lcore", .kind = F_LCORE, .u = (uint64_t)r->lcore,
				  .null = r->lcore < 0 };
	FS("format", perf_format_str(o->format));
	FS("op", r->op == WD_OP_COMPRESS ? "compress" : "decompress");
	FS("level", level);
	FU("window_log", o->window_log);
	fl[n++] = (struct field){ .name = "stateful", .kind = F_BOOL, .u = o->stateful };
	FU("size", r->size);
	FU("segments", r->segments);
	FU("burst", o->burst);
	FU("inflight", o->inflight);
	FU("ops", r->ops);
	FU("requests", r->requests);
	FD("duration_s", r->seconds, false);
	FU("bytes_in", r->bytes_in);
	FU("bytes_out", r->bytes_out);
	FD("gbps_in", r->gbps_in, cc);
	FD("gbps_out", r->gbps_out, cc);
	FD("ops_per_sec", r->ops_per_sec, cc);
	FD("ratio", r->ratio, r->bytes_in == 0 || r->bytes_out == 0);
	FD("cycles_per_op", r->cycles_per_op, r->ops == 0);
	FD("enq_cycles_per_op", r->enq_cycles_per_op, !cc || r->ops == 0);
	FD("deq_cycles_per_op", r->deq_cycles_per_op, !cc || r->ops == 0);
	FD("enq_cycles_p50", r->enq_cycles_p50, !cc || r->ops == 0);
	FD("deq_cycles_p50", r->deq_cycles_p50, !cc || r->ops == 0);
	FU("enq_retries", r->enq_retries);
	FU("deq_retries", r->deq_retries);
	FD("lat_mean_us", r->lat_mean_us, !lat);
	FD("lat_p50_us", r->lat_p50_us, !lat);
	FD("lat_p99_us", r->lat_p99_us, !lat);
	FD("lat_p999_us", r->lat_p999_us, !lat);
	FD("lat_max_us", r->lat_max_us, !lat);
	FU("hw_ops", r->hw_ops);
	FU("sw_ops", r->sw_ops);
	FU("fallback_ops", r->fallback_ops);
	FU("fallback_no_hw", r->fallback[WD_COMP_FB_NO_HW]);
	FU("fallback_queue_full", r->fallback[WD_COMP_FB_QUEUE_FULL]);
	FU("fallback_small", r->fallback[WD_COMP_FB_SMALL]);
	FU("fallback_unsupported", r->fallback[WD_COMP_FB_UNSUPPORTED]);
	FU("verified", r->verified);
	FU("verify_failures", r->verify_failures);
	FU("errors", r->errors);
	fl[n++] = (struct field){ .name = "interrupted", .kind = F_BOOL, .u = r->interrupted };
#undef FS
#undef FU
#undef FD
	return n;
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static FILE *
open_out(const char *path)
{
	FILE *f;
	int err;

	if (strcmp(path, "-") == 0)
		return stdout;
	f = fopen(path, "w");
	if (f == NULL) {
		err = errno; /* fprintf may change errno */
		fprintf(stderr, "wd-perf: cannot write %s: %s\n", path, strerror(err));
		errno = err;
	}
	return f;
}

static int
close_out(FILE *f, const char *path)
{
	int bad = ferror(f);

	if (f == stdout)
		return fflush(f) == 0 && !bad ? 0 : -EIO;
	if (fclose(f) != 0 || bad) {
		fprintf(stderr, "wd-perf: error writing %s\n", path);
		return -EIO;
	}
	return 0;
}

int
perf_report_json(const char *path, const struct perf_opts *o, struct perf_result *const *rs,
		 unsigned int n)
{
	FILE *f = open_out(path);
	struct field fl[NFIELDS];

	if (f == NULL)
		return -errno;
	fprintf(f, "[\n");
	for (unsigned int i = 0; i < n; i++) {
		unsigned int nf = row_fields(o, rs[i], fl);

		fprintf(f, "  {");
		for (unsigned int k = 0; k < nf; k++) {
			fprintf(f, "%s\"%s\": ", k ? ", " : "", fl[k].name);
			if (fl[k].kind == F_LCORE && fl[k].null) {
				fprintf(f, "\"all\"");
				continue;
			}
			if (fl[k].null) {
				fprintf(f, "null");
				continue;
			}
			switch (fl[k].kind) {
			case F_STR: json_str(f, fl[k].s); break;
			case F_U64: case F_LCORE: fprintf(f, "%" PRIu64, fl[k].u); break;
			case F_BOOL: fprintf(f, "%s", fl[k].u ? "true" : "false"); break;
			case F_DBL:
				if (isfinite(fl[k].d))
					fprintf(f, "%.6g", fl[k].d);
				else
					fprintf(f, "null");
				break;
			}
		}
		fprintf(f, "}%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "]\n");
	return close_out(f, path);
}

int
perf_report_csv(const char *path, const struct perf_opts *o, struct perf_result *const *rs,
		unsigned int n)
{
	FILE *f = open_out(path);
	struct field fl[NFIELDS];
	unsigned int nf;

	if (f == NULL)
		return -errno;
	if (n > 0) {
		nf = row_fields(o, rs[0], fl);
		for (unsigned int k = 0; k < nf; k++)
			fprintf(f, "%s%s", k ? "," : "", fl[k].name);
		fputc('\n', f);
	}
	for (unsigned int i = 0; i < n; i++) {
		nf = row_fields(o, rs[i], fl);
		for (unsigned int k = 0; k < nf; k++) {
			if (k)
				fputc(',', f);
			if (fl[k].kind == F_LCORE && fl[k].null) {
				fprintf(f, "all");
				continue;
			}
			if (fl[k].null)
				continue;
			switch (fl[k].kind) {
			case F_STR:
				if (strpbrk(fl[k].s, ",\"\n") != NULL) {
					fputc('"', f);
					for (const char *p = fl[k].s; *p; p++) {
						if (*p == '"')
							fputc('"', f);
						fputc(*p, f);
					}
					fputc('"', f);
				} else {
					fputs(fl[k].s, f);
				}
				break;
			case F_U64: case F_LCORE: fprintf(f, "%" PRIu64, fl[k].u); break;
			case F_BOOL: fprintf(f, "%s", fl[k].u ? "true" : "false"); break;
			case F_DBL:
				if (isfinite(fl[k].d))
					fprintf(f, "%.6g", fl[k].d);
				break;
			}
		}
		fputc('\n', f);
	}
	return close_out(f, path);
}

void
perf_progress(const struct perf_job *jobs, unsigned int n, double elapsed, const char *what)
{
	uint64_t ops = 0, bytes = 0;

	for (unsigned int i = 0; i < n; i++) {
		ops += jobs[i].live_ops;
		bytes += jobs[i].live_bytes_in;
	}
	fprintf(stderr, "  [%5.1f s] %s: %" PRIu64 " ops, %.2f Gbps in\n", elapsed,
		what != NULL ? what : "", ops, elapsed > 0 ? (double)bytes * 8 / elapsed / 1e9 : 0);
}
