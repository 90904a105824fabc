/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * model_bench: throughput of the device model measured through the test
 * reference driver (registers and memory only, as a driver would). Not a
 * test: a tool for the figures in doc/model.md.
 *
 *   model_bench [--engine store|real] [--dir comp|decomp] [--size BYTES]
 *               [--qd N] [--queues N] [--engines N] [--requests N]
 *               [--corpus DIR] [--timing] [--data text|random|mixed] [--yield]
 *
 * Requests are stateless zlib; the driver thread keeps --qd requests in
 * flight on each of --queues queues (one doorbell per batch, one CQ
 * doorbell per completion, as UADK does). With --corpus, the input is the
 * corpus files cut into --size chunks, cycled until --requests are done.
 * Every output is checked (status; compressed outputs of the first pass
 * are inflated with zlib). --yield: the driver thread yields the CPU when
 * no completion is ready (for machines with fewer free cores than threads).
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

#include "refdrv.h"
#include "wd_test.h"

struct chunk {
	uint8_t *src;		/* DMA-mapped input */
	uint32_t len;
	uint32_t orig;		/* decompress: original length */
};

struct opts {
	const char *engine;
	bool decomp;
	uint32_t size;
	unsigned int qd, queues, engines;
	uint64_t requests;
	const char *corpus;
	bool timing;
	bool yield;
	enum wd_test_data data;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--engine store|real] [--dir comp|decomp] [--size BYTES] "
		"[--qd N] [--queues N] [--engines N] [--requests N] [--corpus DIR] [--timing] "
		"[--data text|random|mixed] [--yield]\n", prog);
	exit(2);
}

static void
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "engine", required_argument, NULL, 'e' }, { "dir", required_argument, NULL, 'd' },
		{ "size", required_argument, NULL, 's' }, { "qd", required_argument, NULL, 'q' },
		{ "queues", required_argument, NULL, 'Q' },
		{ "engines", required_argument, NULL, 'E' },
		{ "requests", required_argument, NULL, 'n' },
		{ "corpus", required_argument, NULL, 'c' },
		{ "timing", no_argument, NULL, 't' }, { "data", required_argument, NULL, 'D' },
		{ "yield", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .engine = "store", .size = 4096, .qd = 32, .queues = 1, .engines = 1,
			    .requests = 200000, .data = WD_TEST_DATA_TEXT };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'e': o->engine = optarg; break;
		case 'd': o->decomp = strcmp(optarg, "decomp") == 0; break;
		case 's': o->size = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'q': o->qd = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'Q': o->queues = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'E': o->engines = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'n': o->requests = strtoull(optarg, NULL, 0); break;
		case 'c': o->corpus = optarg; break;
		case 't': o->timing = true; break;
		case 'y': o->yield = true; break;
		case 'D':
			o->data = strcmp(optarg, "random") == 0 ? WD_TEST_DATA_RANDOM :
				  strcmp(optarg, "mixed") == 0 ? WD_TEST_DATA_MIXED :
				  WD_TEST_DATA_TEXT;
			break;
		default: usage(argv[0]);
		}
	}
	if (o->size == 0 || o->size > (8u << 20) - 1024 || o->qd < 1 || o->qd > 1023 ||
	    o->queues < 1 || o->queues > 64 || o->engines < 1 || o->requests == 0)
		usage(argv[0]);
}

/* Input chunks: generated data, or the corpus cut into --size pieces. */
static unsigned int
load_chunks(struct rd_dev *d, const struct opts *o, struct chunk **out)
{
	unsigned int n = 0, cap = 64;
	struct chunk *c = calloc(cap, sizeof(*c));

	if (o->corpus != NULL) {
		const char *const *files = wd_test_corpus_files();

		for (unsigned int i = 0; files[i] != NULL; i++) {
			char path[4200];
			size_t len;
			uint8_t *data;

			snprintf(path, sizeof(path), "%s/%s", o->corpus, files[i]);
			data = wd_test_read_file(path, &len);
			if (data == NULL)
				continue;
			for (size_t off = 0; off < len; off += o->size) {
				uint32_t l = (uint32_t)(len - off < o->size ? len - off : o->size);

				if (n == cap)
					c = realloc(c, (cap *= 2) * sizeof(*c));
				c[n].src = rd_alloc(d, l, 64);
				memcpy(c[n].src, data + off, l);
				c[n].len = l;
				c[n].orig = l;
				n++;
			}
			free(data);
		}
	} else {
		for (; n < 16; n++) {
			c[n].src = rd_alloc(d, o->size, 64);
			wd_test_gen(c[n].src, o->size, o->data, n + 1);
			c[n].len = o->size;
			c[n].orig = o->size;
		}
	}
	if (o->decomp) {
		/* decompression input: zlib streams made by zlib, header skipped */
		for (unsigned int i = 0; i < n; i++) {
			uLongf zl = compressBound(c[i].len);
			uint8_t *z = malloc(zl);

			compress2(z, &zl, c[i].src, c[i].len, 6);
			rd_free(d, c[i].src);
			c[i].src = rd_alloc(d, zl, 64);
			memcpy(c[i].src, z + 2, zl - 2);
			c[i].len = (uint32_t)zl - 2;
			free(z);
		}
	}
	*out = c;
	return n;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct rd_dev d;
	struct rd_queue *q;
	struct chunk *chunks;
	struct hzip_model_stats st;
	char args[256];
	unsigned int nchunks;
	uint64_t sent = 0, done = 0, in_bytes = 0, out_bytes = 0, errors = 0;
	uint8_t **dst, sqe[128];
	uint64_t *t_sub, *lat, nlat = 0;
	uint32_t out_cap;
	double t0, t1, c0, c1;

	parse(argc, argv, &o);
	snprintf(args, sizeof(args), "engine=%s,engines=%u%s", o.engine, o.engines,
		 o.timing ? ",timing=1" : "");
	if (rd_open(&d, args) < 0 || rd_pf_init(&d, o.queues, 0) < 0) {
		fprintf(stderr, "cannot open the model (%s)\n", args);
		return 1;
	}
	nchunks = load_chunks(&d, &o, &chunks);
	if (nchunks == 0) {
		fprintf(stderr, "no input (corpus %s)\n", o.corpus ? o.corpus : "-");
		return 1;
	}
	out_cap = o.decomp ? o.size + 64 : o.size + o.size / 8 + 1024;
	q = calloc(o.queues, sizeof(*q));
	dst = calloc((size_t)o.queues * 1024, sizeof(*dst));
	t_sub = calloc((size_t)o.queues * 1024, sizeof(*t_sub));
	lat = calloc(o.requests, sizeof(*lat));
	for (unsigned int i = 0; i < o.queues; i++) {
		if (rd_queue_create(&d, &q[i], (uint16_t)i, (uint16_t)(o.qd + 1),
				    o.decomp ? 1 : 0, 0, false) != 0) {
			fprintf(stderr, "cannot create queue %u\n", i);
			return 1;
		}
		for (unsigned int s = 0; s <= o.qd; s++)
			dst[i * 1024 + s] = rd_alloc(&d, out_cap, 64);
	}
	t0 = now_s();
	c0 = cpu_s();
	while (done < o.requests) {
		uint64_t before = done;

		for (unsigned int i = 0; i < o.queues; i++) {
			bool any = false;
			uint16_t slot;

			while (q[i].inflight < o.qd && sent < o.requests) {
				const struct chunk *c = &chunks[sent % nchunks];

				rd_sqe_flat(sqe, RD_REQ_ZLIB, c->src, c->len,
					    dst[i * 1024 + q[i].sq_tail], out_cap, 0);
				rd_sqe_set_dw(sqe, 13, (uint32_t)(sent % nchunks));
				t_sub[i * 1024 + q[i].sq_tail] = rd_now_us();
				rd_submit(&q[i], sqe, false);
				sent++;
				any = true;
			}
			if (any)
				rd_ring(&q[i]);
			while (rd_poll(&q[i], sqe, &slot, 0) == 1) {
				uint32_t status = rd_sqe_status(sqe);
				const struct chunk *c = &chunks[rd_sqe_dw(sqe, 13)];

				/* stateless end: 0x00 (default) or 0x13, with dw3 bit 8 */
				if ((o.decomp && ((status != RD_ST_OK &&
						   status != RD_ST_DECOMP_END) ||
						  !(rd_sqe_dw(sqe, 3) & RD_DW3_LAST_BLOCK))) ||
				    (!o.decomp && status != RD_ST_OK &&
				     status != RD_ST_NEGACOMPRESS)) {
					errors++;
				} else if (done < nchunks) {
					/* check the first pass */
					uint8_t *chk = malloc(c->orig + 16);
					uLongf n = c->orig + 16;

					if (!o.decomp) {
						uLong zl = rd_sqe_dw(sqe, 1) + 2;
						uint8_t *z = malloc(zl);

						z[0] = 0x78;
						z[1] = 0x9c;
						memcpy(z + 2, dst[i * 1024 + slot], zl - 2);
						if (uncompress(chk, &n, z, zl) != Z_OK ||
						    n != c->orig || memcmp(chk, c->src, n) != 0)
							errors++;
						free(z);
					} else if (rd_sqe_dw(sqe, 1) != c->orig) {
						errors++;
					}
					free(chk);
				}
				in_bytes += rd_sqe_dw(sqe, 0);
				out_bytes += rd_sqe_dw(sqe, 1);
				lat[nlat++] = rd_now_us() - t_sub[i * 1024 + slot];
				done++;
			}
		}
		if (o.yield && done == before)
			sched_yield();
	}
	t1 = now_s();
	c1 = cpu_s();
	hzip_model_stats_get(d.m, &st);
	printf("engine=%s dir=%s size=%u qd=%u queues=%u engines=%u%s%s\n", o.engine,
	       o.decomp ? "decomp" : "comp", o.size, o.qd, o.queues, o.engines,
	       o.timing ? " timing" : "", o.corpus ? " corpus" : "");
	printf("requests        %" PRIu64 " (errors %" PRIu64 ", driver errors %" PRIu64 ")\n",
	       done, errors, st.driver_errors);
	printf("time            %.3f s, process CPU %.3f s\n", t1 - t0, c1 - c0);
	printf("requests/s      %.0f\n", (double)done / (t1 - t0));
	printf("input GB/s      %.3f\n", (double)in_bytes / (t1 - t0) / 1e9);
	printf("output GB/s     %.3f (ratio %.3f)\n", (double)out_bytes / (t1 - t0) / 1e9,
	       in_bytes ? (double)out_bytes / (double)in_bytes : 0.0);
	printf("doorbells       %" PRIu64 "\n", st.doorbells);
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("latency us      min %" PRIu64 ", median %" PRIu64 ", p99 %" PRIu64
	       " (submit to completion seen)\n", lat[0], lat[nlat / 2], lat[nlat * 99 / 100]);
	free(q);
	free(dst);
	free(t_sub);
	free(lat);
	free(chunks);
	rd_close(&d);
	return errors == 0 && st.driver_errors == 0 ? 0 : 1;
}
