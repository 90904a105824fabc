/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd-perf command line: EAL arguments, then "--", then these options
 * (DPDK-style long options, as dpdk-test-compress-perf).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "perf.h"

void
perf_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL options] -- [options]\n"
		"\n"
		"Devices (default: every accelerator bound to vfio-pci, else the device model):\n"
		"  --dev SPEC           device to test; repeat for several (side by side):\n"
		"                       a PCI address (0000:75:00.0), model[:key=value,...], sw\n"
		"  --spread             run all --dev devices at once, lcores spread over them\n"
		"                       (nearest NUMA node first); default: one after another\n"
		"  --list               list the devices and their attributes, then exit\n"
		"\n"
		"Workload:\n"
		"  --mode MODE          throughput (default), latency, cyclecount, verify\n"
		"  --format FMT         deflate, zlib (default), gzip\n"
		"  --op OP              compress, decompress, both (default: compress, then\n"
		"                       decompress of what the device compressed)\n"
		"  --level N            0..9, or 'default' (default)\n"
		"  --window N           log2 of the window, 8..15 (default 15)\n"
		"  --huffman H          default, fixed, dynamic\n"
		"  --stateful           split each request into a stream of ops (see --chunk)\n"
		"  --chunk BYTES        stateful: bytes per op (default: request size / 4)\n"
		"  --size LIST          request sizes, e.g. 4K,64K (default 4K,64K; K = 1024)\n"
		"  --segments N         mbuf segments per request (default 1; more when a\n"
		"                       request does not fit one segment)\n"
		"  --burst N            ops per enqueue call (default 32; latency mode 1)\n"
		"  --inflight N         ops in flight per lcore (default 128; latency mode 1)\n"
		"  --lcores N           worker lcores to use (default: all EAL's worker lcores,\n"
		"                       or the main lcore when there is no worker)\n"
		"  --qps-per-lcore N    queue pairs per lcore (default 1)\n"
		"  --file PATH          input data (default: generated, see --data)\n"
		"  --data KIND          generated data: text (default), mixed, random, zeros\n"
		"  --duration SEC       seconds per run (default 0.5)\n"
		"  --iterations N       passes over each lcore's requests instead of a duration\n"
		"  --cc-delay-us US     cyclecount: wait from enqueue to dequeue (default 500)\n"
		"  --fallback LIST      software fallback policy of the queue pairs: 'default',\n"
		"                       'none', or a list of: no-hw, queue-full, unsupported,\n"
		"                       small=N\n"
		"  --seed N             seed of the generated data (default 1)\n"
		"\n"
		"Output:\n"
		"  --json FILE          results as a JSON array (one object per row)\n"
		"  --csv FILE           results as CSV (same fields)\n"
		"  --no-progress        no progress line on stderr during long runs\n"
		"  --quiet              no table on stdout (errors still go to stderr)\n"
		"  --help               this text\n"
		"\n"
		"Exit status: 0 all ops succeeded and checked, 1 an op failed or an output did\n"
		"not verify, 2 bad options or set-up failure, 130 interrupted (the runs done\n"
		"so far are reported).\n",
		prog);
}

const char *
perf_mode_str(enum perf_mode m)
{
	switch (m) {
	case PERF_MODE_THROUGHPUT: return "throughput";
	case PERF_MODE_LATENCY: return "latency";
	case PERF_MODE_CYCLECOUNT: return "cyclecount";
	case PERF_MODE_VERIFY: return "verify";
	}
	return "?";
}

const char *
perf_format_str(enum wd_comp_alg a)
{
	switch (a) {
	case WD_COMP_ALG_DEFLATE: return "deflate";
	case WD_COMP_ALG_ZLIB: return "zlib";
	case WD_COMP_ALG_GZIP: return "gzip";
	default: return "?";
	}
}

enum {
	OPT_DEV = 256, OPT_SPREAD, OPT_LIST, OPT_MODE, OPT_FORMAT, OPT_OP, OPT_LEVEL, OPT_WINDOW,
	OPT_HUFFMAN, OPT_STATEFUL, OPT_CHUNK, OPT_SIZE, OPT_SEGMENTS, OPT_BURST, OPT_INFLIGHT,
	OPT_LCORES, OPT_QPS, OPT_FILE, OPT_DATA, OPT_DURATION, OPT_ITERATIONS, OPT_CC_DELAY,
	OPT_FALLBACK, OPT_SEED, OPT_JSON, OPT_CSV, OPT_NO_PROGRESS, OPT_QUIET, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "spread", no_argument, NULL, OPT_SPREAD },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "ptest", required_argument, NULL, OPT_MODE }, /* dpdk-test-compress-perf's name */
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "op", required_argument, NULL, OPT_OP },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "huffman", required_argument, NULL, OPT_HUFFMAN },
	{ "stateful", no_argument, NULL, OPT_STATEFUL },
	{ "chunk", required_argument, NULL, OPT_CHUNK },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "segments", required_argument, NULL, OPT_SEGMENTS },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "inflight", required_argument, NULL, OPT_INFLIGHT },
	{ "lcores", required_argument, NULL, OPT_LCORES },
	{ "qps-per-lcore", required_argument, NULL, OPT_QPS },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "iterations", required_argument, NULL, OPT_ITERATIONS },
	{ "cc-delay-us", required_argument, NULL, OPT_CC_DELAY },
	{ "fallback", required_argument, NULL, OPT_FALLBACK },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/*
 * An unsigned decimal number with an optional K/M/G (1024-based) suffix:
 * "010" is ten, not eight; "0x10" is refused.
 */
static int
parse_size(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -EINVAL;
	if (*end != '\0') {
		unsigned int shift;

		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -EINVAL;
		}
		end++;
		if (strcasecmp(end, "") != 0 && strcasecmp(end, "i") != 0 &&
		    strcasecmp(end, "ib") != 0 && strcasecmp(end, "b") != 0)
			return -EINVAL;
		if (n > (UINT64_MAX >> shift))
			return -ERANGE;
		n <<= shift;
	}
	*v = n;
	return 0;
}

static int
parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t n;

	if (parse_size(s, &n) < 0 || n < min || n > max)
		return -EINVAL;
	*v = n;
	return 0;
}

static int
parse_sizes(const char *arg, struct perf_opts *o)
{
	char tmp[512], *save = NULL, *tok;

	if (strlen(arg) >= sizeof(tmp))
		return -EINVAL;
	snprintf(tmp, sizeof(tmp), "%s", arg);
	o->nb_sizes = 0;
	if (arg[0] == ',' || strstr(arg, ",,") != NULL ||
	    (arg[0] != '\0' && arg[strlen(arg) - 1] == ',')) {
		fprintf(stderr, "wd-perf: --size: '%s' has an empty item\n", arg);
		return -EINVAL;
	}
	for (tok = strtok_r(tmp, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;

		if (o->nb_sizes == PERF_MAX_SIZES) {
			fprintf(stderr, "wd-perf: --size: at most %d sizes\n", PERF_MAX_SIZES);
			return -EINVAL;
		}
		if (parse_size(tok, &v) < 0 || v == 0 || v > PERF_MAX_SIZE) {
			fprintf(stderr, "wd-perf: --size: '%s' is not a size from 1 to %u bytes\n",
				tok, PERF_MAX_SIZE);
			return -EINVAL;
		}
		o->sizes[o->nb_sizes++] = (uint32_t)v;
	}
	if (o->nb_sizes == 0) {
		fprintf(stderr, "wd-perf: --size: empty list\n");
		return -EINVAL;
	}
	return 0;
}

static int
parse_fallback(const char *arg, struct perf_opts *o)
{
	char tmp[256], *save = NULL, *tok;

	memset(&o->fallback, 0, sizeof(o->fallback));
	o->fallback_set = true;
	if (strcmp(arg, "default") == 0) {
		o->fallback_set = false;
		return 0;
	}
	if (strcmp(arg, "none") == 0)
		return 0;
	if (strlen(arg) >= sizeof(tmp))
		return -EINVAL;
	snprintf(tmp, sizeof(tmp), "%s", arg);
	for (tok = strtok_r(tmp, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "no-hw") == 0) {
			o->fallback.flags |= WD_COMP_FB_F_NO_HW;
		} else if (strcmp(tok, "queue-full") == 0) {
			o->fallback.flags |= WD_COMP_FB_F_QUEUE_FULL;
		} else if (strcmp(tok, "unsupported") == 0) {
			o->fallback.flags |= WD_COMP_FB_F_UNSUPPORTED;
		} else if (strncmp(tok, "small=", 6) == 0) {
			uint64_t v;

			if (parse_uint(tok + 6, 1, UINT32_MAX, &v) < 0) {
				fprintf(stderr, "wd-perf: --fallback: bad threshold in '%s'\n",
					tok);
				return -EINVAL;
			}
			o->fallback.flags |= WD_COMP_FB_F_SMALL;
			o->fallback.small_threshold = (uint32_t)v;
		} else {
			fprintf(stderr, "wd-perf: --fallback: unknown item '%s' (expected no-hw, "
				"queue-full, unsupported, small=N, default or none)\n", tok);
			return -EINVAL;
		}
	}
	return 0;
}

static void
opts_default(struct perf_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = PERF_MODE_THROUGHPUT;
	o->format = WD_COMP_ALG_ZLIB;
	o->do_comp = true;
	o->do_decomp = true;
	o->level = WD_COMP_LEVEL_DEFAULT;
	o->window_log = 15;
	o->huffman = WD_COMP_HUFFMAN_DEFAULT;
	o->sizes[0] = 4096;
	o->sizes[1] = 65536;
	o->nb_sizes = 2;
	o->segments = 1;
	o->burst = 32;
	o->inflight = 128;
	o->qps_per_lcore = 1;
	o->data = PERF_DATA_TEXT;
	o->duration = 0.5;
	o->cc_delay_us = 500;
	o->progress = true;
	o->seed = 1;
}

#define BAD(...) do { fprintf(stderr, "wd-perf: " __VA_ARGS__); fputc('\n', stderr); \
		      return -EINVAL; } while (0)

int
perf_opts_parse(int argc, char **argv, struct perf_opts *o)
{
	int c;
	uint64_t v;

	opts_default(o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		const char *a = optarg;

		switch (c) {
		case OPT_DEV:
			if (o->nb_devs == PERF_MAX_DEVS)
				BAD("--dev: at most %d devices", PERF_MAX_DEVS);
			if (*a == '\0')
				BAD("--dev: empty device specification");
			o->devs[o->nb_devs++] = a;
			break;
		case OPT_SPREAD: o->spread = true; break;
		case OPT_LIST: o->list = true; break;
		case OPT_MODE:
			if (strcmp(a, "throughput") == 0)
				o->mode = PERF_MODE_THROUGHPUT;
			else if (strcmp(a, "latency") == 0)
				o->mode = PERF_MODE_LATENCY;
			else if (strcmp(a, "cyclecount") == 0 || strcmp(a, "pmd-cyclecount") == 0)
				o->mode = PERF_MODE_CYCLECOUNT;	/* the second: --ptest's name */
			else if (strcmp(a, "verify") == 0)
				o->mode = PERF_MODE_VERIFY;
			else
				BAD("--mode: '%s' is not one of throughput, latency, cyclecount, "
				    "verify", a);
			break;
		case OPT_FORMAT:
			if (strcmp(a, "deflate") == 0)
				o->format = WD_COMP_ALG_DEFLATE;
			else if (strcmp(a, "zlib") == 0)
				o->format = WD_COMP_ALG_ZLIB;
			else if (strcmp(a, "gzip") == 0)
				o->format = WD_COMP_ALG_GZIP;
			else
				BAD("--format: '%s' is not one of deflate, zlib, gzip", a);
			break;
		case OPT_OP:
			if (strcmp(a, "compress") == 0) {
				o->do_comp = true;
				o->do_decomp = false;
			} else if (strcmp(a, "decompress") == 0) {
				o->do_comp = false;
				o->do_decomp = true;
			} else if (strcmp(a, "both") == 0) {
				o->do_comp = o->do_decomp = true;
			} else {
				BAD("--op: '%s' is not one of compress, decompress, both", a);
			}
			break;
		case OPT_LEVEL:
			if (strcmp(a, "default") == 0 || strcmp(a, "-1") == 0)
				o->level = WD_COMP_LEVEL_DEFAULT;
			else if (parse_uint(a, 0, WD_COMP_LEVEL_MAX, &v) == 0)
				o->level = (int)v;
			else
				BAD("--level: '%s' is not 0..9 or 'default'", a);
			break;
		case OPT_WINDOW:
			if (parse_uint(a, 8, 15, &v) < 0)
				BAD("--window: '%s' is not a log2 window size from 8 to 15", a);
			o->window_log = (uint8_t)v;
			break;
		case OPT_HUFFMAN:
			if (strcmp(a, "default") == 0)
				o->huffman = WD_COMP_HUFFMAN_DEFAULT;
			else if (strcmp(a, "fixed") == 0)
				o->huffman = WD_COMP_HUFFMAN_FIXED;
			else if (strcmp(a, "dynamic") == 0)
				o->huffman = WD_COMP_HUFFMAN_DYNAMIC;
			else
				BAD("--huffman: '%s' is not one of default, fixed, dynamic", a);
			break;
		case OPT_STATEFUL: o->stateful = true; break;
		case OPT_CHUNK:
			if (parse_uint(a, 1, PERF_MAX_SIZE, &v) < 0)
				BAD("--chunk: '%s' is not a size from 1 to %u bytes", a,
				    PERF_MAX_SIZE);
			o->chunk = (uint32_t)v;
			break;
		case OPT_SIZE:
			if (parse_sizes(a, o) < 0)
				return -EINVAL;
			break;
		case OPT_SEGMENTS:
			if (parse_uint(a, 1, 1024, &v) < 0)
				BAD("--segments: '%s' is not a number from 1 to 1024", a);
			o->segments = (uint16_t)v;
			break;
		case OPT_BURST:
			if (parse_uint(a, 1, 512, &v) < 0)
				BAD("--burst: '%s' is not a number from 1 to 512", a);
			o->burst = (uint16_t)v;
			o->burst_set = true;
			break;
		case OPT_INFLIGHT:
			if (parse_uint(a, 1, 4096, &v) < 0)
				BAD("--inflight: '%s' is not a number from 1 to 4096", a);
			o->inflight = (uint32_t)v;
			o->inflight_set = true;
			break;
		case OPT_LCORES:
			if (parse_uint(a, 1, RTE_MAX_LCORE, &v) < 0)
				BAD("--lcores: '%s' is not a number from 1 to %d", a,
				    RTE_MAX_LCORE);
			o->nb_lcores = (unsigned int)v;
			break;
		case OPT_QPS:
			if (parse_uint(a, 1, PERF_MAX_QPS_PER_LCORE, &v) < 0)
				BAD("--qps-per-lcore: '%s' is not a number from 1 to %d", a,
				    PERF_MAX_QPS_PER_LCORE);
			o->qps_per_lcore = (unsigned int)v;
			break;
		case OPT_FILE: o->file = a; break;
		case OPT_DATA:
			if (strcmp(a, "text") == 0)
				o->data = PERF_DATA_TEXT;
			else if (strcmp(a, "mixed") == 0)
				o->data = PERF_DATA_MIXED;
			else if (strcmp(a, "random") == 0)
				o->data = PERF_DATA_RANDOM;
			else if (strcmp(a, "zeros") == 0)
				o->data = PERF_DATA_ZEROS;
			else
				BAD("--data: '%s' is not one of text, mixed, random, zeros", a);
			break;
		case OPT_DURATION: {
			char *end;
			double d;

			errno = 0;
			d = strtod(a, &end);
			if (errno != 0 || end == a || *end != '\0' || !(d > 0) || d > 86400)
				BAD("--duration: '%s' is not a number of seconds (0 < s <= 86400)",
				    a);
			o->duration = d;
			o->duration_set = true;
			break;
		}
		case OPT_ITERATIONS:
			if (parse_uint(a, 1, UINT32_MAX, &v) < 0)
				BAD("--iterations: '%s' is not a number from 1 to %u", a,
				    UINT32_MAX);
			o->iterations = v;
			break;
		case OPT_CC_DELAY:
			if (parse_uint(a, 0, 1000000, &v) < 0)
				BAD("--cc-delay-us: '%s' is not a number of microseconds "
				    "(0..1000000)", a);
			o->cc_delay_us = (uint32_t)v;
			break;
		case OPT_FALLBACK:
			if (parse_fallback(a, o) < 0)
				return -EINVAL;
			break;
		case OPT_SEED:
			if (parse_uint(a, 0, UINT64_MAX, &v) < 0)
				BAD("--seed: '%s' is not a number", a);
			o->seed = v;
			break;
		case OPT_JSON: o->json_path = a; break;
		case OPT_CSV: o->csv_path = a; break;
		case OPT_NO_PROGRESS: o->progress = false; break;
		case OPT_QUIET: o->quiet = true; break;
		case OPT_HELP:
		case 'h':
			return 1;
		case ':':
			BAD("option '%s' needs an argument (see --help)", argv[optind - 1]);
		default:
			BAD("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		BAD("unexpected argument '%s' (options start with --; see --help)", argv[optind]);

	/* Mode defaults and consistency. */
	if (o->mode == PERF_MODE_LATENCY) {
		if (!o->burst_set)
			o->burst = 1;
		if (!o->inflight_set)
			o->inflight = o->burst;
	}
	if (o->inflight < o->burst) {
		/* a lower --inflight alone takes the burst down with it */
		if (o->inflight_set && !o->burst_set)
			o->burst = o->inflight;
		else if (o->inflight_set)
			BAD("--inflight (%u) must be at least --burst (%u)", o->inflight, o->burst);
		else
			o->inflight = o->burst;
	}
	if (o->mode == PERF_MODE_CYCLECOUNT && o->stateful)
		BAD("cyclecount measures stateless ops, as dpdk-test-compress-perf does: "
		    "drop --stateful");
	for (unsigned int i = 0; i < o->nb_sizes; i++)
		if (o->sizes[i] < o->segments)
			BAD("--segments (%u) is more than a request of %u bytes can be cut into "
			    "(a segment holds at least one byte)", o->segments, o->sizes[i]);
	if (o->duration_set && o->iterations != 0)
		BAD("--duration and --iterations each say when a run ends: give one");
	if (o->chunk != 0 && !o->stateful)
		BAD("--chunk only applies with --stateful");
	if (o->spread && o->nb_devs < 2)
		BAD("--spread needs at least two --dev devices");
	if (o->spread && o->qps_per_lcore != 1)
		BAD("--spread gives each lcore one queue pair: drop --qps-per-lcore");
	/* stdout holds one document: the table goes, and two outputs cannot share it */
	if (o->json_path != NULL && o->csv_path != NULL && strcmp(o->json_path, "-") == 0 &&
	    strcmp(o->csv_path, "-") == 0)
		BAD("--json - and --csv - would both write stdout: give one a file");
	if ((o->json_path != NULL && strcmp(o->json_path, "-") == 0) ||
	    (o->csv_path != NULL && strcmp(o->csv_path, "-") == 0))
		o->quiet = true;
	if (o->list && (o->json_path != NULL || o->csv_path != NULL))
		BAD("--list does not run anything: drop --json/--csv");
	if (o->qps_per_lcore > o->inflight)
		BAD("--qps-per-lcore (%u) cannot exceed --inflight (%u)", o->qps_per_lcore,
		    o->inflight);
	return 0;
}
