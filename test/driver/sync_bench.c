/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Latency of wd_recv_sync() with several threads sleeping on one function
 * (their queues share its completion vector): each thread has a queue of
 * its own and sends one request at a time, then waits in wd_recv_sync().
 * Not a test: figures are reported, not asserted (doc/development.md).
 *
 *   sync_bench [--spec S] [--threads N] [--requests N] [--size B]
 *
 * Defaults: model:engine=store,timing=1,lat_us=200 (each request takes
 * ~200 us, so that the waits outlast wd_recv_sync()'s 50 us of spinning
 * and sleep on the MSI eventfd), 4 threads, 2000 requests each, 4096 B.
 *
 * Prints the median, 99th percentile and largest latency (send to
 * wd_recv_sync() returning, in us) over all requests, and how many took
 * over 1 ms: a wake-up lost to another sleeper shows up there.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "wd.h"
#include "wd_comp_fmt.h"
#include "wd_comp_msg.h"
#include "wd_test.h"

struct opts {
	const char *spec;
	unsigned int threads;
	unsigned int requests;
	uint32_t size;
};

struct worker {
	struct wd_dev *dev;
	const struct opts *o;
	uint32_t *lat_us;       /* one per request */
	unsigned int done;
	unsigned int errors;
	int ret;
};

static void
usage(void)
{
	fprintf(stderr, "usage: sync_bench [--spec S] [--threads N] [--requests N] [--size B]\n");
	exit(2);
}

static unsigned long
number(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

static void
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "spec", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "requests", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .spec = "model:engine=store,timing=1,lat_us=200", .threads = 4,
			    .requests = 2000, .size = 4096 };
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 's': o->spec = optarg; break;
		case 't': o->threads = (unsigned int)number(optarg, 1, 64); break;
		case 'n': o->requests = (unsigned int)number(optarg, 1, 10000000); break;
		case 'b': o->size = (uint32_t)number(optarg, 1, 1u << 22); break;
		default: usage();
		}
	}
}

static void *
work(void *p)
{
	struct worker *w = p;
	const struct opts *o = w->o;
	struct wd_queue_attr qa = { .alg = "zlib", .op = WD_OP_COMPRESS, .depth = 16,
				    .socket_id = WD_SOCKET_ANY, .dev = w->dev,
				    .flags = WD_QUEUE_F_IRQ };
	uint32_t dlen = (uint32_t)wd_comp_fmt_bound(WD_COMP_ALG_ZLIB, o->size) + 64;
	uint8_t *src = wd_dma_zmalloc(o->size, 4096, WD_SOCKET_ANY);
	uint8_t *dst = wd_dma_zmalloc(dlen, 4096, WD_SOCKET_ANY);
	uint64_t us = rte_get_timer_hz() / 1000000;
	struct wd_queue *q = NULL;

	if (src == NULL || dst == NULL) {
		w->ret = -ENOMEM;
		goto out;
	}
	w->ret = wd_request_queue(&q, &qa);
	if (w->ret < 0)
		goto out;
	wd_test_gen(src, o->size, WD_TEST_DATA_TEXT, 7);
	for (unsigned int i = 0; i < o->requests; i++) {
		struct wd_comp_msg m = { .alg = WD_COMP_ALG_ZLIB, .op = WD_OP_COMPRESS,
					 .flush = WD_COMP_FLUSH_FINAL };
		void *resp = NULL;
		uint64_t t0;

		m.src.type = WD_COMP_BUF_FLAT;
		m.src.addr = src;
		m.src.len = o->size;
		m.dst.type = WD_COMP_BUF_FLAT;
		m.dst.addr = dst;
		m.dst.len = dlen;
		t0 = rte_get_timer_cycles();
		if (wd_send(q, &m) != 0 || wd_recv_sync(q, &resp, 10000) != 1 || resp != &m ||
		    m.status != WD_COMP_MSG_OK) {
			w->errors++;
			continue;
		}
		w->lat_us[w->done++] = (uint32_t)((rte_get_timer_cycles() - t0) / us);
	}
	wd_release_queue(q);
out:
	wd_dma_free(dst);
	wd_dma_free(src);
	return NULL;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct wd_dev *dev = NULL;
	struct worker *ws;
	pthread_t *th;
	uint32_t *all;
	size_t n = 0, over = 0;
	unsigned int errors = 0;
	uint64_t t0, t1;
	int ret;

	parse(argc, argv, &o);
	wd_test_eal_init(argv[0], 256);
	ret = wd_dev_attach(o.spec, &dev);
	if (ret < 0) {
		fprintf(stderr, "cannot attach %s: %s\n", o.spec, strerror(-ret));
		return 1;
	}
	ws = calloc(o.threads, sizeof(*ws));
	th = calloc(o.threads, sizeof(*th));
	all = calloc((size_t)o.threads * o.requests, sizeof(*all));
	if (ws == NULL || th == NULL || all == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	t0 = rte_get_timer_cycles();
	for (unsigned int i = 0; i < o.threads; i++) {
		ws[i] = (struct worker){ .dev = dev, .o = &o,
					 .lat_us = all + (size_t)i * o.requests };
		if (pthread_create(&th[i], NULL, work, &ws[i]) != 0) {
			fprintf(stderr, "cannot start thread %u\n", i);
			return 1;
		}
	}
	for (unsigned int i = 0; i < o.threads; i++) {
		pthread_join(th[i], NULL);
		if (ws[i].ret < 0) {
			fprintf(stderr, "thread %u: cannot get a queue: %s\n", i,
				strerror(-ws[i].ret));
			return 1;
		}
		/* gather the samples */
		memmove(all + n, ws[i].lat_us, ws[i].done * sizeof(*all));
		n += ws[i].done;
		errors += ws[i].errors;
	}
	t1 = rte_get_timer_cycles();
	if (n == 0) {
		fprintf(stderr, "no request completed (%u errors)\n", errors);
		return 1;
	}
	qsort(all, n, sizeof(*all), cmp_u32);
	for (size_t i = 0; i < n; i++)
		over += all[i] > 1000;
	printf("%s, %u threads x %u requests of %u B\n", o.spec, o.threads, o.requests, o.size);
	printf("latency us: median %u, p99 %u, max %u; over 1 ms: %zu of %zu; errors %u; "
	       "%.2f s\n", all[n / 2], all[n * 99 / 100], all[n - 1], over, n, errors,
	       (double)(t1 - t0) / (double)rte_get_timer_hz());
	wd_dev_detach(dev);
	wd_test_eal_cleanup();
	return errors != 0;
}
