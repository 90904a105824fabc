/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of drivers/hisi_zip through the raw queue API: TSC ticks
 * (rte_rdtsc) the submitting core spends per stateless request, enqueue
 * and dequeue together, at a given burst. Not a test: timing targets are
 * reported, not asserted (doc/development.md).
 *
 *   driver_bench [--spec S] [--size B] [--burst N] [--requests N]
 *                [--segs N] [--inflight N] [--depth N] [--alg zlib|gzip]
 *                [--op comp|decomp] [--delay-us D] [--engine-cpu N]
 *
 * Two loops:
 *  - --delay-us D > 0: dpdk-test-compress-perf's (and wd-perf's) cycle-count
 *    loop: a burst is enqueued (timed), D us pass (not timed), then one
 *    dequeue call for everything in flight (timed, also when it returns
 *    nothing); when --inflight requests are out, only the delay and the
 *    dequeue. cyclecount = timed ticks / requests: the offload cost when
 *    the device has finished the burst by the time it is collected;
 *    with --split, the queue is a WD_QUEUE_F_BATCH one, the burst is
 *    written with wd_send() and its doorbell rung with wd_flush(), and the
 *    two are reported apart: on the model the doorbell is a call into the
 *    model (which wakes its engine thread with a futex when it sleeps), on
 *    silicon it is one posted 64-bit store;
 *  - otherwise a pipeline keeping --inflight requests with the device.
 *
 * Defaults: model:engine=store, 4096 B, burst 32, 1,000,000 requests, flat
 * buffers (--segs 4: 4-segment mbuf chains for input and output), 256 in
 * flight, depth 1024, zlib, compression.
 *
 * Figures (per request):
 *   cyclecount  ticks inside wd_send_burst + wd_recv_burst calls that
 *               returned requests (as compress-perf's cycle-count mode:
 *               empty polls, i.e. waiting for the device, excluded)
 *   enq / deq   the two halves of it
 *   busy        the same including empty polls (the core never idles)
 *   wall        elapsed ticks / requests
 *
 * On a shared machine a call may be preempted: calls longer than 50 us
 * are counted apart ("preempted") and left out of the "clean" figures;
 * the raw figures include them.
 *
 * --engine-cpu N (default: a CPU other than the submitting one, -1: leave
 * alone) pins the device model's engine threads (named "hzm-eng*") to CPU
 * N: silicon works beside the submitting core, and a model thread that
 * the scheduler runs on the submitting CPU would be counted as driver
 * time. Only thread names are used: the benchmark knows nothing else of
 * the model.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "wd.h"
#include "wd_comp_fmt.h"
#include "wd_comp_msg.h"
#include "wd_test.h"

#define MAX_BURST 256
#define MAX_SAMPLES (1u << 22)

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static inline uint32_t
clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Percentiles of per-call ticks (per request: divided by the burst). */
static void
percentiles(const char *what, uint32_t *v, size_t n, unsigned int per)
{
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_u32);
	printf("  %s per call: p50 %u, p90 %u, p99 %u, p99.9 %u, max %u ticks (%zu calls, "
	       "~%u requests each)\n", what, v[n / 2], v[n * 9 / 10], v[n * 99 / 100],
	       v[n * 999 / 1000], v[n - 1], n, per);
}

struct opts {
	const char *spec;
	uint32_t size;
	uint16_t burst;
	uint64_t requests;
	unsigned int segs;
	unsigned int inflight;
	uint16_t depth;
	const char *alg;
	enum wd_op_type op;
	int engine_cpu;   /* -2: automatic, -1: leave alone */
	unsigned int delay_us;
	bool split;
};

static void
usage(const char *prog, int status)
{
	fprintf(status == 0 ? stdout : stderr,
		"usage: %s [--spec S] [--size B] [--burst N] [--requests N] [--segs N]\n"
		"       [--inflight N] [--depth N] [--alg zlib|gzip] [--op comp|decomp]\n"
		"       [--engine-cpu CPU] [--delay-us US] [--split] [--help]\n", prog);
	exit(status);
}

static void
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "spec", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ "burst", required_argument, NULL, 'b' },
		{ "requests", required_argument, NULL, 'n' },
		{ "segs", required_argument, NULL, 'g' },
		{ "inflight", required_argument, NULL, 'i' },
		{ "depth", required_argument, NULL, 'd' },
		{ "alg", required_argument, NULL, 'a' },
		{ "op", required_argument, NULL, 'o' },
		{ "engine-cpu", required_argument, NULL, 'e' },
		{ "delay-us", required_argument, NULL, 'w' },
		{ "split", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .spec = "model:engine=store", .size = 4096, .burst = 32,
			    .requests = 1000000, .segs = 0, .inflight = 256, .depth = 1024,
			    .alg = "zlib", .op = WD_OP_COMPRESS, .engine_cpu = -2 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->spec = optarg; break;
		case 'z': o->size = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'b': o->burst = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'n': o->requests = strtoull(optarg, NULL, 0); break;
		case 'g': o->segs = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'i': o->inflight = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'd': o->depth = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'a': o->alg = optarg; break;
		case 'o': o->op = strcmp(optarg, "decomp") == 0 ? WD_OP_DECOMPRESS :
				  WD_OP_COMPRESS; break;
		case 'e': o->engine_cpu = (int)strtol(optarg, NULL, 0); break;
		case 'w': o->delay_us = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'p': o->split = true; break;
		case 'h': usage(argv[0], 0); break;
		default: usage(argv[0], 2);
		}
	}
	if (o->burst == 0 || o->burst > MAX_BURST || o->size == 0 ||
	    o->size > WD_COMP_MSG_MAX_LEN / 2 || o->inflight < o->burst || o->segs > 64 ||
	    o->requests == 0)
		usage(argv[0], 2);
}

/* Pin the threads named hzm-eng* to @p cpu. @return how many. */
static int
pin_engines(int cpu)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	cpu_set_t set;
	int n = 0;

	if (d == NULL)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	while ((e = readdir(d)) != NULL) {
		char path[300], comm[32] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL && strncmp(comm, "hzm-eng", 7) == 0 &&
		    sched_setaffinity((pid_t)atoi(e->d_name), sizeof(set), &set) == 0)
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static struct rte_mbuf *
chain(struct rte_mempool *mp, unsigned int segs, uint32_t len, const uint8_t *data)
{
	struct rte_mbuf *head = NULL, *prev = NULL;
	uint32_t per = (len + segs - 1) / segs, done = 0;

	for (unsigned int i = 0; i < segs; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t n = RTE_MIN(per, len - done);
		char *p;

		if (m == NULL)
			return NULL;
		p = rte_pktmbuf_append(m, (uint16_t)n);
		if (p == NULL)
			return NULL;
		if (data != NULL)
			memcpy(p, data + done, n);
		done += n;
		if (head == NULL) {
			head = m;
		} else {
			prev->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		prev = m;
	}
	return head;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct wd_dev *dev = NULL;
	struct wd_queue *q = NULL;
	struct wd_queue_attr qa;
	struct rte_mempool *mp = NULL;
	struct wd_comp_msg *msgs;
	void **ring;
	uint8_t *src, *dst, *ref;
	uint32_t dlen, reflen = 0;
	unsigned int nmsg;
	uint64_t sent = 0, done = 0, errors = 0, enq = 0, deq = 0, empty = 0, polls = 0;
	uint64_t empty_polls = 0, t_start, t_end, head = 0, tail = 0;
	uint64_t c_enq = 0, c_deq = 0, c_done = 0, c_sent = 0, preempted = 0, thr;
	uint64_t db = 0;
	uint32_t *s_enq = calloc(MAX_SAMPLES, sizeof(uint32_t));
	uint32_t *s_deq = calloc(MAX_SAMPLES, sizeof(uint32_t));
	size_t n_enq = 0, n_deq = 0;
	uint8_t alg;
	int ret;

	parse(argc, argv, &o);
	wd_test_eal_init(argv[0], 256);
	alg = strcmp(o.alg, "gzip") == 0 ? WD_COMP_ALG_GZIP : WD_COMP_ALG_ZLIB;
	ret = wd_dev_attach(o.spec, &dev);
	if (ret < 0) {
		fprintf(stderr, "cannot attach %s: %s\n", o.spec, strerror(-ret));
		return 1;
	}
	if (o.engine_cpu == -2) {
		/* the first online CPU that is not the submitting one */
		int self = sched_getcpu();

		o.engine_cpu = -1;
		for (int c = 0; c < (int)sysconf(_SC_NPROCESSORS_ONLN); c++)
			if (c != self) {
				o.engine_cpu = c;
				break;
			}
	}
	if (o.engine_cpu >= 0)
		printf("driver_bench: %d device model engine thread(s) pinned to CPU %d\n",
		       pin_engines(o.engine_cpu), o.engine_cpu);
	qa = (struct wd_queue_attr){ .alg = o.alg, .op = o.op, .depth = o.depth,
				     .socket_id = WD_SOCKET_ANY, .dev = dev,
				     .flags = o.split ? WD_QUEUE_F_BATCH : 0 };
	ret = wd_request_queue(&q, &qa);
	if (ret < 0) {
		fprintf(stderr, "cannot request a queue: %s\n", strerror(-ret));
		return 1;
	}
	/* a ring of messages, reused in order: as many as may be in flight */
	nmsg = o.inflight + o.burst;
	dlen = (uint32_t)wd_comp_fmt_bound((enum wd_comp_alg)alg, o.size) + 64;
	msgs = calloc(nmsg, sizeof(*msgs));
	ring = calloc(nmsg, sizeof(*ring));
	src = wd_dma_zmalloc((size_t)o.size, 4096, WD_SOCKET_ANY);
	dst = wd_dma_zmalloc((size_t)nmsg * dlen, 4096, WD_SOCKET_ANY);
	ref = wd_dma_zmalloc(dlen, 4096, WD_SOCKET_ANY);
	if (msgs == NULL || ring == NULL || src == NULL || dst == NULL || ref == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	wd_test_gen(src, o.size, WD_TEST_DATA_TEXT, 42);
	if (o.op == WD_OP_DECOMPRESS) {
		/* decompression input: one compressed copy made by the device */
		struct wd_queue *qc = NULL;
		struct wd_comp_msg m = { .alg = alg, .op = WD_OP_COMPRESS,
					 .flush = WD_COMP_FLUSH_FINAL };
		void *out = NULL;

		qa.op = WD_OP_COMPRESS;
		if (wd_request_queue(&qc, &qa) < 0)
			return 1;
		m.src = (struct wd_comp_buf){ .type = WD_COMP_BUF_FLAT, .addr = src,
					      .len = o.size };
		m.dst = (struct wd_comp_buf){ .type = WD_COMP_BUF_FLAT, .addr = ref, .len = dlen };
		if (wd_send(qc, &m) < 0 || wd_recv_sync(qc, &out, 5000) != 1 ||
		    m.status != WD_COMP_MSG_OK)
			return 1;
		reflen = m.produced;
		wd_release_queue(qc);
	}
	if (o.segs > 0) {
		mp = rte_pktmbuf_pool_create("bench_mp", nmsg * 2 * o.segs + 64, 256, 0,
					     RTE_PKTMBUF_HEADROOM + 4096, SOCKET_ID_ANY);
		if (mp == NULL) {
			fprintf(stderr, "cannot create the mbuf pool\n");
			return 1;
		}
	}
	for (unsigned int i = 0; i < nmsg; i++) {
		struct wd_comp_msg *m = &msgs[i];
		const uint8_t *in = o.op == WD_OP_COMPRESS ? src : ref;
		uint32_t inlen = o.op == WD_OP_COMPRESS ? o.size : reflen;
		uint32_t outlen = o.op == WD_OP_COMPRESS ? dlen : o.size + 64;

		m->alg = alg;
		m->op = (uint8_t)o.op;
		m->flush = WD_COMP_FLUSH_FINAL;
		if (o.segs == 0) {
			m->src = (struct wd_comp_buf){ .type = WD_COMP_BUF_FLAT,
				.addr = (void *)(uintptr_t)in, .len = inlen };
			m->dst = (struct wd_comp_buf){ .type = WD_COMP_BUF_FLAT,
						       .addr = dst + (size_t)i * dlen,
						       .len = outlen };
		} else {
			m->src = (struct wd_comp_buf){ .type = WD_COMP_BUF_MBUF,
				.m = chain(mp, o.segs, inlen, in), .len = inlen };
			m->dst = (struct wd_comp_buf){ .type = WD_COMP_BUF_MBUF,
				.m = chain(mp, o.segs, outlen, NULL), .len = outlen };
			if (m->src.m == NULL || m->dst.m == NULL) {
				fprintf(stderr, "out of mbufs\n");
				return 1;
			}
		}
		ring[i] = m;
	}

	/* warm up: one pass over every message */
	for (unsigned int i = 0; i < nmsg; i += o.burst) {
		uint16_t n = (uint16_t)RTE_MIN((unsigned int)o.burst, nmsg - i), got = 0;
		void *out[MAX_BURST];

		n = wd_send_burst(q, ring + i, n);
		while (got < n)
			got += wd_recv_burst(q, out, MAX_BURST);
	}

	if (s_enq == NULL || s_deq == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	/* fault the sample arrays in now: not page faults in the timed loop */
	memset(s_enq, 0, MAX_SAMPLES * sizeof(uint32_t));
	memset(s_deq, 0, MAX_SAMPLES * sizeof(uint32_t));
	thr = rte_get_tsc_hz() / 20000;  /* 50 us */
	t_start = rte_rdtsc();
	while (o.delay_us > 0 && done < o.requests) {
		/* compress-perf's cycle-count loop */
		void *out[MAX_BURST * 4];
		uint64_t t0, t1, inflight = sent - done;
		uint16_t k;

		if (sent < o.requests && inflight + o.burst <= o.inflight) {
			uint16_t n = (uint16_t)RTE_MIN((uint64_t)o.burst, o.requests - sent);
			void *burst[MAX_BURST];

			for (uint16_t i = 0; i < n; i++)
				burst[i] = ring[(head + i) % nmsg];
			if (o.split) {
				/* the SQEs, then the doorbell, timed apart */
				t0 = rte_rdtsc_precise();
				for (k = 0; k < n && wd_send(q, burst[k]) == 0; k++)
					;
				t1 = rte_rdtsc_precise();
				if (n_enq < MAX_SAMPLES)
					s_enq[n_enq++] = clamp32(t1 - t0);
				enq += t1 - t0;
				t0 = rte_rdtsc_precise();
				wd_flush(q);
				t1 = rte_rdtsc_precise();
				db += t1 - t0;
			} else {
				t0 = rte_rdtsc_precise();
				k = wd_send_burst(q, burst, n);
				t1 = rte_rdtsc_precise();
				if (n_enq < MAX_SAMPLES)
					s_enq[n_enq++] = clamp32(t1 - t0);
				enq += t1 - t0;
			}
			c_enq += t1 - t0;
			c_sent += k;
			head += k;
			sent += k;
		}
		/* the device works meanwhile (not timed) */
		rte_delay_us_block(o.delay_us);
		inflight = sent - done;
		t0 = rte_rdtsc_precise();
		k = wd_recv_burst(q, out, (uint16_t)RTE_MIN(inflight, (uint64_t)RTE_DIM(out)));
		t1 = rte_rdtsc_precise();
		deq += t1 - t0;
		polls++;
		if (k == 0)
			empty_polls++;
		if (n_deq < MAX_SAMPLES)
			s_deq[n_deq++] = (uint32_t)RTE_MIN(t1 - t0, (uint64_t)UINT32_MAX);
		for (uint16_t i = 0; i < k; i++) {
			uint8_t st = ((struct wd_comp_msg *)out[i])->status;

			errors += st != WD_COMP_MSG_OK && st != WD_COMP_MSG_STREAM_END;
		}
		done += k;
		c_done += k;
		c_deq += t1 - t0;
	}
	while (done < o.requests) {
		void *out[MAX_BURST];
		uint64_t t0, t1;
		uint16_t k;

		if (sent < o.requests && sent - done + o.burst <= o.inflight) {
			uint16_t n = (uint16_t)RTE_MIN((uint64_t)o.burst, o.requests - sent);
			void *burst[MAX_BURST];

			for (uint16_t i = 0; i < n; i++)
				burst[i] = ring[(head + i) % nmsg];
			t0 = rte_rdtsc();
			k = wd_send_burst(q, burst, n);
			t1 = rte_rdtsc();
			enq += t1 - t0;
			if (n_enq < MAX_SAMPLES && k == o.burst)
				s_enq[n_enq++] = (uint32_t)RTE_MIN(t1 - t0, (uint64_t)UINT32_MAX);
			if (t1 - t0 < thr) {
				c_enq += t1 - t0;
				c_sent += k;
			} else {
				preempted++;
			}
			head += k;
			sent += k;
		}
		t0 = rte_rdtsc();
		k = wd_recv_burst(q, out, o.burst);
		t1 = rte_rdtsc();
		polls++;
		if (k > 0) {
			deq += t1 - t0;
			if (n_deq < MAX_SAMPLES)
				s_deq[n_deq++] = (uint32_t)RTE_MIN(t1 - t0, (uint64_t)UINT32_MAX);
			if (t1 - t0 < thr) {
				c_deq += t1 - t0;
				c_done += k;
			} else {
				preempted++;
			}
			for (uint16_t i = 0; i < k; i++) {
				uint8_t st = ((struct wd_comp_msg *)out[i])->status;

				errors += st != WD_COMP_MSG_OK && st != WD_COMP_MSG_STREAM_END;
			}
			done += k;
			tail += k;
		} else {
			empty += t1 - t0;
			empty_polls++;
		}
	}
	t_end = rte_rdtsc();
	(void)tail;

	printf("driver_bench: %s, %s %s, %u B, burst %u, %s, %" PRIu64 " requests, "
	       "%u in flight, depth %u, %s\n", o.spec, o.alg,
	       o.op == WD_OP_COMPRESS ? "compress" : "decompress", o.size, o.burst,
	       o.segs ? "mbuf chains" : "flat buffers", o.requests, o.inflight, o.depth,
	       o.delay_us ? "cycle-count loop" : "pipeline loop");
	if (o.delay_us)
		printf("  delay between enqueue and dequeue: %u us\n", o.delay_us);
	if (o.segs)
		printf("  segments per buffer: %u\n", o.segs);
	if (o.split)
		printf("  cyclecount: %.1f ticks/request (SQE writes %.1f + doorbells %.1f + deq "
		       "%.1f)\n", (double)(enq + db + deq) / (double)done,
		       (double)enq / (double)done, (double)db / (double)done,
		       (double)deq / (double)done);
	else
		printf("  cyclecount: %.1f ticks/request (enq %.1f + deq %.1f)\n",
		       (double)(enq + deq) / (double)done, (double)enq / (double)done,
		       (double)deq / (double)done);
	printf("  clean:      %.1f ticks/request (enq %.1f + deq %.1f); %" PRIu64
	       " calls over 50 us left out\n",
	       (double)c_enq / (double)c_sent + (double)c_deq / (double)c_done,
	       (double)c_enq / (double)c_sent, (double)c_deq / (double)c_done, preempted);
	printf("  busy:       %.1f ticks/request (incl. %" PRIu64 " empty polls of %" PRIu64 ")\n",
	       (double)(enq + deq + empty) / (double)done, empty_polls, polls);
	printf("  wall:       %.1f ticks/request, %.2f Mreq/s, %.2f GB/s of input\n",
	       (double)(t_end - t_start) / (double)done,
	       (double)done * (double)rte_get_tsc_hz() / (double)(t_end - t_start) / 1e6,
	       (double)done * o.size * (double)rte_get_tsc_hz() /
	       (double)(t_end - t_start) / 1e9);
	printf("  errors:     %" PRIu64 "\n", errors);
	percentiles("enqueue", s_enq, n_enq, o.burst);
	percentiles("dequeue", s_deq, n_deq, (unsigned int)(done / RTE_MAX(n_deq, (size_t)1)));
	wd_release_queue(q);
	for (unsigned int i = 0; i < nmsg && o.segs > 0; i++) {
		rte_pktmbuf_free(msgs[i].src.m);
		rte_pktmbuf_free(msgs[i].dst.m);
	}
	wd_dma_free(src);
	wd_dma_free(dst);
	wd_dma_free(ref);
	free(msgs);
	free(ring);
	wd_dev_detach(dev);
	rte_mempool_free(mp);
	wd_cleanup();
	wd_test_eal_cleanup();
	return errors ? 1 : 0;
}
