/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * comp_bench: throughput of a wd_comp device measured the way DPDK's
 * dpdk-test-compress-perf measures a compressdev ("--ptest throughput"),
 * so that the two can be run side by side on the same file
 * (bench/compare_isal.sh):
 *
 *  - the input file is cut into ops of seg_sz x max_num_sgl_segs bytes,
 *    each an mbuf chain of seg_sz segments;
 *  - a verification pass compresses every op and decompresses the result
 *    (checked against the input);
 *  - each direction then runs twice (the first run warms the caches and
 *    is discarded): num_iter iterations over all ops, bursts of burst_sz,
 *    ops taken from and returned to the op pool per burst, output
 *    mbufs reset per op; the TSC time per iteration gives
 *    Gbps = input bytes x 8 / time, for compression and decompression
 *    alike (the uncompressed size);
 *  - raw deflate, no checksum, as the perf tool does;
 *  - inputs, compressed buffers and decompression outputs each in a
 *    mempool of their own, as the perf tool lays them out (interleaving
 *    inputs and outputs in one pool cost 32 KiB decompression ~9 %).
 *
 * Not a test: it prints figures and never judges them.
 *
 * Usage: comp_bench <EAL args> -- --dev <spec> --input-file <f> [--seg-sz N]
 *        [--max-num-sgl-segs N] [--compress-level L] [--num-iter N] [--burst-sz N]
 *        [--huffman default|fixed|dynamic]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "wd_comp.h"

struct opts {
	const char *dev;
	const char *file;
	uint32_t seg_sz;
	uint32_t max_segs;
	int level;
	uint32_t num_iter;
	uint16_t burst;
	enum wd_comp_huffman huffman;
};

struct bufs {
	uint32_t n;                 /* ops */
	struct rte_mbuf **plain;    /* input chains */
	struct rte_mbuf **comp;     /* compressed chains (compression output) */
	struct rte_mbuf **back;     /* decompression output */
	uint32_t comp_seg;          /* segment size of compressed chains */
};

static uint8_t g_dev;
static struct rte_mempool *g_ops;

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s <EAL args> -- --dev <spec> --input-file <file> [--seg-sz N]\n"
		"       [--max-num-sgl-segs N] [--compress-level L] [--num-iter N]\n"
		"       [--burst-sz N] [--huffman default|fixed|dynamic]\n", prog);
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"dev", required_argument, NULL, 'd'},
		{"input-file", required_argument, NULL, 'f'},
		{"seg-sz", required_argument, NULL, 's'},
		{"max-num-sgl-segs", required_argument, NULL, 'm'},
		{"compress-level", required_argument, NULL, 'l'},
		{"num-iter", required_argument, NULL, 'i'},
		{"burst-sz", required_argument, NULL, 'b'},
		{"huffman", required_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->dev = "sw";
	o->file = NULL;
	o->seg_sz = 2048;
	o->max_segs = 16;
	o->level = 1;
	o->num_iter = 10000;
	o->burst = 32;
	o->huffman = WD_COMP_HUFFMAN_DYNAMIC;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		char *end = NULL;
		unsigned long v = 0;

		if (c == '?' || c == ':')
			return -1; /* getopt said why; optarg is not set */
		if (c != 'd' && c != 'f' && c != 'h')
			v = strtoul(optarg, &end, 10);
		switch (c) {
		case 'd':
			o->dev = optarg;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 's':
			if (*end != '\0' || v < 64 || v > 65000)
				return -1;
			o->seg_sz = (uint32_t)v;
			break;
		case 'm':
			if (*end != '\0' || v < 1 || v > 1024)
				return -1;
			o->max_segs = (uint32_t)v;
			break;
		case 'l':
			if (*end != '\0' || v > 9)
				return -1;
			o->level = (int)v;
			break;
		case 'i':
			if (*end != '\0' || v < 1 || v > 100000000)
				return -1;
			o->num_iter = (uint32_t)v;
			break;
		case 'b':
			if (*end != '\0' || v < 1 || v > 512)
				return -1;
			o->burst = (uint16_t)v;
			break;
		case 'h':
			if (strcmp(optarg, "fixed") == 0)
				o->huffman = WD_COMP_HUFFMAN_FIXED;
			else if (strcmp(optarg, "dynamic") == 0)
				o->huffman = WD_COMP_HUFFMAN_DYNAMIC;
			else if (strcmp(optarg, "default") == 0)
				o->huffman = WD_COMP_HUFFMAN_DEFAULT;
			else
				return -1;
			break;
		default:
			return -1;
		}
	}
	return o->file != NULL ? 0 : -1;
}

/* A chain of @p nseg segments of @p seg bytes each (data_len set to the room). */
static struct rte_mbuf *
chain_room(struct rte_mempool *mp, uint32_t nseg, uint32_t seg)
{
	struct rte_mbuf *head = NULL;

	for (uint32_t i = 0; i < nseg; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		if (m == NULL || rte_pktmbuf_append(m, (uint16_t)seg) == NULL ||
		    (head != NULL && rte_pktmbuf_chain(head, m) < 0)) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		if (head == NULL)
			head = m;
	}
	return head;
}

/* Set a chain's lengths back to its full room, as the perf tool does per op. */
static void
chain_reset(struct rte_mbuf *m, uint32_t seg)
{
	m->pkt_len = seg * m->nb_segs;
	for (; m != NULL; m = m->next)
		m->data_len = (uint16_t)seg;
}

/* Trim a chain to @p len bytes (the last verification pass keeps what was produced). */
static void
chain_trim(struct rte_mbuf *m, uint32_t len, uint32_t seg)
{
	m->pkt_len = len;
	for (; m != NULL; m = m->next) {
		uint32_t n = len < seg ? len : seg;

		m->data_len = (uint16_t)n;
		len -= n;
	}
}

static int
make_bufs(const struct opts *o, const uint8_t *data, size_t len, struct rte_mempool *mp_in,
	  struct rte_mempool *mp_out, struct rte_mempool *mp_back, struct bufs *b)
{
	uint64_t op_sz = (uint64_t)o->seg_sz * o->max_segs;

	b->n = (uint32_t)((len + op_sz - 1) / op_sz);
	b->plain = calloc(b->n, sizeof(*b->plain));
	b->comp = calloc(b->n, sizeof(*b->comp));
	b->back = calloc(b->n, sizeof(*b->back));
	if (b->plain == NULL || b->comp == NULL || b->back == NULL)
		return -ENOMEM;
	b->comp_seg = (uint32_t)RTE_MIN((uint64_t)65000, wd_comp_bound(WD_COMP_ALG_DEFLATE,
									o->seg_sz));
	for (uint32_t i = 0; i < b->n; i++) {
		size_t off = (size_t)i * op_sz, n = RTE_MIN((size_t)op_sz, len - off);
		uint32_t nseg = (uint32_t)((n + o->seg_sz - 1) / o->seg_sz);
		struct rte_mbuf *m;
		size_t done = 0;

		b->plain[i] = chain_room(mp_in, nseg, o->seg_sz);
		b->back[i] = chain_room(mp_back, nseg, o->seg_sz);
		b->comp[i] = chain_room(mp_out, nseg, b->comp_seg);
		if (b->plain[i] == NULL || b->back[i] == NULL || b->comp[i] == NULL)
			return -ENOMEM;
		chain_trim(b->plain[i], (uint32_t)n, o->seg_sz);
		for (m = b->plain[i]; m != NULL; m = m->next) {
			memcpy(rte_pktmbuf_mtod(m, void *), data + off + done, m->data_len);
			done += m->data_len;
		}
	}
	return 0;
}

/* One pass over all ops in one direction, as the perf tool's main loop. @return 0 or -1. */
static int
main_loop(const struct opts *o, struct bufs *b, void *px, bool comp, uint32_t iters,
	  bool keep, uint64_t *tsc)
{
	struct wd_comp_op **ops = calloc(2u * b->n + o->burst, sizeof(*ops));
	struct wd_comp_op **deq;
	struct rte_mbuf **in = comp ? b->plain : b->comp, **out = comp ? b->comp : b->back;
	uint32_t out_seg = comp ? b->comp_seg : o->seg_sz;
	uint64_t t0;
	int res = 0;

	if (ops == NULL)
		return -1;
	deq = ops + b->n + o->burst;
	t0 = rte_rdtsc_precise();
	for (uint32_t it = 0; it < iters; it++) {
		uint32_t remaining = b->n, enq_total = 0, deq_total = 0;
		uint16_t unused = 0, nenq = 0;

		while (remaining > 0) {
			uint16_t num = (uint16_t)RTE_MIN(remaining, (uint32_t)o->burst);
			uint16_t need = (uint16_t)(num - unused);
			uint16_t ndeq;

			if (unused > 0 && nenq > 0)
				memmove(ops, ops + nenq, unused * sizeof(*ops));
			if (need > 0 && wd_comp_op_bulk_alloc(g_ops, ops + unused, need) < 0) {
				res = -1;
				goto out;
			}
			for (uint16_t i = 0; i < need; i++) {
				uint32_t id = enq_total + unused + i;
				struct wd_comp_op *op = ops[unused + i];

				chain_reset(out[id], out_seg);
				op->op_type = WD_COMP_OP_STATELESS;
				op->private_xform = px;
				op->m_src = in[id];
				op->m_dst = out[id];
				op->src.offset = 0;
				op->src.length = rte_pktmbuf_pkt_len(in[id]);
				op->dst.offset = 0;
				op->flush_flag = WD_COMP_FLUSH_FINAL;
			}
			nenq = wd_comp_enqueue_burst(g_dev, 0, ops, num);
			unused = (uint16_t)(num - nenq);
			remaining -= nenq;
			enq_total += nenq;
			ndeq = wd_comp_dequeue_burst(g_dev, 0, deq, o->burst);
			/* the last iteration leaves outputs trimmed: the next pass reads them */
			for (uint16_t i = 0; (keep || it == iters - 1) && i < ndeq; i++) {
				if (deq[i]->status != WD_COMP_OP_SUCCESS) {
					fprintf(stderr, "op failed: %s\n",
						wd_comp_op_status_str(deq[i]->status));
					res = -1;
				}
				chain_trim(deq[i]->m_dst, deq[i]->produced, out_seg);
			}
			deq_total += ndeq;
			for (uint16_t i = 0; i < ndeq; i++)
				wd_comp_op_free(deq[i]);
		}
		while (deq_total < b->n) {
			uint16_t ndeq = wd_comp_dequeue_burst(g_dev, 0, deq, o->burst);

			for (uint16_t i = 0; (keep || it == iters - 1) && i < ndeq; i++) {
				if (deq[i]->status != WD_COMP_OP_SUCCESS)
					res = -1;
				chain_trim(deq[i]->m_dst, deq[i]->produced, out_seg);
			}
			deq_total += ndeq;
			for (uint16_t i = 0; i < ndeq; i++)
				wd_comp_op_free(deq[i]);
		}
	}
	*tsc = (rte_rdtsc_precise() - t0) / iters;
out:
	free(ops);
	return res;
}

struct run_ctx {
	const struct opts *o;
	struct bufs *b;
	void *pc;
	void *pd;
	uint64_t comp_tsc;
	uint64_t decomp_tsc;
	unsigned int lcore;
	int ret;
};

static unsigned int g_lcore;

/* Verification pass, then the measured runs (twice each, the first discarded). */
static int
run_all(void *arg)
{
	struct run_ctx *rc = arg;
	uint64_t t;

	rc->lcore = rte_lcore_id();
	rc->ret = -1;
	if (main_loop(rc->o, rc->b, rc->pc, true, 1, true, &t) < 0 ||
	    main_loop(rc->o, rc->b, rc->pd, false, 1, true, &t) < 0) {
		fprintf(stderr, "verification failed\n");
		return -1;
	}
	for (int r = 0; r < 2; r++)
		if (main_loop(rc->o, rc->b, rc->pc, true, rc->o->num_iter, false,
			      &rc->comp_tsc) < 0)
			return -1;
	for (int r = 0; r < 2; r++)
		if (main_loop(rc->o, rc->b, rc->pd, false, rc->o->num_iter, false,
			      &rc->decomp_tsc) < 0)
			return -1;
	rc->ret = 0;
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct bufs b;
	struct wd_comp_config cfg = {.socket_id = WD_SOCKET_ANY, .nb_queue_pairs = 1};
	struct wd_comp_qp_conf qc = {.max_inflight_ops = 512, .socket_id = WD_SOCKET_ANY,
				     .use_default_fallback = true};
	struct wd_comp_xform cx = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_DEFLATE};
	struct wd_comp_xform dx = {.type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_DEFLATE};
	struct rte_mempool *mp_in, *mp_out, *mp_back;
	struct wd_comp_dev_info info;
	uint64_t comp_tsc = 0, decomp_tsc = 0, comp_size = 0;
	void *pc = NULL, *pd = NULL;
	uint8_t *data;
	size_t len;
	FILE *f;
	long sz;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "cannot start EAL\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	if (parse(argc, argv, &o) < 0) {
		usage("comp_bench");
		return 2;
	}
	f = fopen(o.file, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cannot read %s\n", o.file);
		return 1;
	}
	len = (size_t)sz;
	data = malloc(len);
	if (data == NULL || fread(data, 1, len, f) != len) {
		fprintf(stderr, "cannot read %s\n", o.file);
		return 1;
	}
	fclose(f);
	if (wd_comp_init() < 0) {
		fprintf(stderr, "wd_comp_init failed\n");
		return 1;
	}
	ret = wd_comp_dev_attach(o.dev);
	if (ret < 0) {
		fprintf(stderr, "cannot attach %s: %s\n", o.dev, strerror(-ret));
		return 1;
	}
	g_dev = (uint8_t)ret;
	if (wd_comp_dev_configure(g_dev, &cfg) < 0 || wd_comp_qp_setup(g_dev, 0, &qc) < 0 ||
	    wd_comp_dev_start(g_dev) < 0) {
		fprintf(stderr, "cannot set up %s\n", o.dev);
		return 1;
	}
	wd_comp_dev_info_get(g_dev, &info);
	{
		uint32_t nseg = (uint32_t)((len + o.seg_sz - 1) / o.seg_sz) + 64;
		uint32_t out_room = (uint32_t)RTE_MIN((uint64_t)65000,
						      wd_comp_bound(WD_COMP_ALG_DEFLATE, o.seg_sz));

		mp_in = rte_pktmbuf_pool_create("bench_in", nseg, 0, 0,
						RTE_PKTMBUF_HEADROOM + o.seg_sz, SOCKET_ID_ANY);
		mp_back = rte_pktmbuf_pool_create("bench_back", nseg, 0, 0,
						  RTE_PKTMBUF_HEADROOM + o.seg_sz, SOCKET_ID_ANY);
		mp_out = rte_pktmbuf_pool_create("bench_out", nseg, 0, 0,
						 RTE_PKTMBUF_HEADROOM + out_room, SOCKET_ID_ANY);
		g_ops = wd_comp_op_pool_create("bench_ops", 4096, 128, 0, SOCKET_ID_ANY);
		if (mp_in == NULL || mp_out == NULL || mp_back == NULL || g_ops == NULL ||
		    make_bufs(&o, data, len, mp_in, mp_out, mp_back, &b) < 0) {
			fprintf(stderr, "out of memory\n");
			return 1;
		}
	}
	cx.level = o.level;
	cx.window_log = 15;
	cx.huffman = o.huffman;
	dx.window_log = 15;
	if (wd_comp_private_xform_create(g_dev, &cx, &pc) < 0 ||
	    wd_comp_private_xform_create(g_dev, &dx, &pd) < 0) {
		fprintf(stderr, "cannot create the transforms\n");
		return 1;
	}
	/*
	 * Like the perf tool, the work runs on a worker lcore when there is one
	 * (the main lcore waits), so both tools load the machine the same way.
	 */
	{
		struct run_ctx rc = {.o = &o, .b = &b, .pc = pc, .pd = pd};
		unsigned int worker = rte_get_next_lcore(-1, 1, 0);

		if (worker < RTE_MAX_LCORE) {
			if (rte_eal_remote_launch(run_all, &rc, worker) < 0) {
				fprintf(stderr, "cannot launch lcore %u\n", worker);
				return 1;
			}
			rte_eal_mp_wait_lcore();
		} else {
			run_all(&rc);
		}
		if (rc.ret < 0)
			return 1;
		comp_tsc = rc.comp_tsc;
		decomp_tsc = rc.decomp_tsc;
		g_lcore = rc.lcore;
	}
	{
		uint64_t op_sz = (uint64_t)o.seg_sz * o.max_segs;

		for (uint32_t i = 0; i < b.n; i++) {
			size_t off = (size_t)i * op_sz, done = 0;
			const struct rte_mbuf *m;

			comp_size += rte_pktmbuf_pkt_len(b.comp[i]);
			if (rte_pktmbuf_pkt_len(b.back[i]) != rte_pktmbuf_pkt_len(b.plain[i])) {
				fprintf(stderr, "verification failed: op %u length\n", i);
				return 1;
			}
			for (m = b.back[i]; m != NULL; m = m->next) {
				if (memcmp(rte_pktmbuf_mtod(m, const void *), data + off + done,
					   m->data_len) != 0) {
					fprintf(stderr, "verification failed: op %u data\n", i);
					return 1;
				}
				done += m->data_len;
			}
		}
	}
	{
		double hz = (double)rte_get_tsc_hz();
		double comp_gbps = (double)len * 8 * hz / (double)comp_tsc / 1e9;
		double decomp_gbps = (double)len * 8 * hz / (double)decomp_tsc / 1e9;
		struct wd_comp_stats st;

		wd_comp_stats_get(g_dev, &st);
		printf("device %s (%s), lcore %u, input %zu bytes in %u ops of %u x %u, level %d, "
		       "burst %u, %u iterations\n", info.name, info.driver, g_lcore, len,
		       b.n, o.seg_sz, o.max_segs, o.level, o.burst, o.num_iter);
		printf("%12s%6s%12s%17s%15s%16s\n", "lcore id", "Level", "Comp size",
		       "Comp ratio [%]", "Comp [Gbps]", "Decomp [Gbps]");
		printf("%12u%6d%12" PRIu64 "%17.2f%15.2f%16.2f\n", g_lcore, o.level,
		       comp_size, (double)comp_size * 100.0 / (double)len, comp_gbps, decomp_gbps);
		printf("ops: %" PRIu64 " on hardware, %" PRIu64 " in software\n", st.hw_ops,
		       st.sw_ops);
	}
	wd_comp_private_xform_free(g_dev, pc);
	wd_comp_private_xform_free(g_dev, pd);
	wd_comp_dev_stop(g_dev);
	wd_comp_dev_close(g_dev);
	rte_eal_cleanup();
	free(data);
	return 0;
}
