/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <zlib.h>

#include "comp_test.h"
#include "wd_test.h"

struct rte_mempool *ct_mbuf_pool;
struct rte_mempool *ct_op_pool;

int
ct_init(const char *prog)
{
	int ret;

	wd_test_eal_init(prog, 0);
	ret = wd_comp_init();
	if (ret < 0) {
		fprintf(stderr, "wd_comp_init: %s\n", strerror(-ret));
		return 1;
	}
	ct_pools_init();
	return 0;
}

void
ct_pools_init(void)
{
	ct_mbuf_pool = rte_pktmbuf_pool_create("ct_mbuf", 2048, 64, 0,
					       RTE_PKTMBUF_HEADROOM + CT_SEG_ROOM, SOCKET_ID_ANY);
	ct_op_pool = wd_comp_op_pool_create("ct_ops", 1024, 32, 16, SOCKET_ID_ANY);
	if (ct_mbuf_pool == NULL || ct_op_pool == NULL) {
		fprintf(stderr, "cannot create the test pools\n");
		exit(1);
	}
}

int
ct_dev_open(const char *spec, uint16_t nb_qps, const struct wd_comp_qp_conf *conf)
{
	struct wd_comp_config cfg = {.socket_id = WD_SOCKET_ANY, .nb_queue_pairs = nb_qps};
	int dev = wd_comp_dev_attach(spec), ret;

	if (dev < 0)
		return dev;
	ret = wd_comp_dev_configure((uint8_t)dev, &cfg);
	for (uint16_t q = 0; ret == 0 && q < nb_qps; q++)
		ret = wd_comp_qp_setup((uint8_t)dev, q, conf);
	if (ret == 0)
		ret = wd_comp_dev_start((uint8_t)dev);
	if (ret == 0)
		return dev;
	/* no half-opened device left behind (its queue pairs and queues) */
	wd_comp_dev_close((uint8_t)dev);
	wd_comp_dev_detach((uint8_t)dev);
	return ret;
}

void
ct_dev_close(uint8_t dev)
{
	wd_comp_dev_stop(dev);
	wd_comp_dev_close(dev);
}

struct rte_mbuf *
ct_chain_from(const void *data, size_t len, uint32_t seg, uint32_t lead)
{
	const uint8_t *p = data;
	struct rte_mbuf *head = NULL, *tail = NULL;
	size_t off = 0;
	bool first = true;

	if (seg == 0 || seg > CT_SEG_ROOM)
		seg = CT_SEG_ROOM;
	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(ct_mbuf_pool);
		uint32_t room = seg, n;
		char *d;

		if (m == NULL)
			goto fail;
		if (first && lead > 0) {
			d = rte_pktmbuf_append(m, (uint16_t)lead);
			if (d == NULL) {
				rte_pktmbuf_free(m);
				goto fail;
			}
			memset(d, 0xa5, lead);
			room = seg > lead ? seg - lead : 0;
		}
		n = (uint32_t)RTE_MIN((size_t)room, len - off);
		if (n > 0) {
			d = rte_pktmbuf_append(m, (uint16_t)n);
			if (d == NULL) {
				rte_pktmbuf_free(m);
				goto fail;
			}
			memcpy(d, p + off, n);
			off += n;
		}
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) < 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
		tail = m;
		first = false;
	} while (off < len);
	(void)tail;
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

struct rte_mbuf *
ct_chain_room(size_t cap, uint32_t seg)
{
	struct rte_mbuf *head = NULL;
	size_t done = 0;

	if (seg == 0 || seg > CT_SEG_ROOM)
		seg = CT_SEG_ROOM;
	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(ct_mbuf_pool);
		uint32_t n = (uint32_t)RTE_MIN((size_t)seg, cap - done);

		if (m == NULL)
			goto fail;
		if (n > 0 && rte_pktmbuf_append(m, (uint16_t)n) == NULL) {
			rte_pktmbuf_free(m);
			goto fail;
		}
		if (n > 0)
			memset(rte_pktmbuf_mtod(m, void *), 0x5a, n);
		done += n;
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) < 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
	} while (done < cap);
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

size_t
ct_chain_read(const struct rte_mbuf *m, uint32_t off, void *out, size_t len)
{
	uint8_t *o = out;
	size_t done = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && done < len) {
		size_t n = RTE_MIN((size_t)(m->data_len - off), len - done);

		memcpy(o + done, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		done += n;
		off = 0;
		m = m->next;
	}
	return done;
}

int
ct_run(uint8_t dev, uint16_t qp, struct wd_comp_op **ops, unsigned int n)
{
	struct wd_comp_op *out[64];
	unsigned int sent = 0, got = 0;
	uint64_t deadline = rte_get_timer_cycles() + 20 * rte_get_timer_hz();

	while (got < n) {
		if (sent < n)
			sent += wd_comp_enqueue_burst(dev, qp, ops + sent,
						      (uint16_t)RTE_MIN(n - sent, 64u));
		got += wd_comp_dequeue_burst(dev, qp, out, 64);
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
	}
	return 0;
}

static int
alg_wbits(enum wd_comp_alg alg, int w)
{
	if (w == 0)
		w = 15;
	return alg == WD_COMP_ALG_ZLIB ? w : alg == WD_COMP_ALG_GZIP ? 16 + w : -w;
}

size_t
ct_zlib_comp(enum wd_comp_alg alg, int level, int wbits, const void *in, size_t len, void *out,
	     size_t room)
{
	z_stream zs;
	int ret;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, level, Z_DEFLATED, alg_wbits(alg, wbits < 9 ? 9 : wbits), 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)room;
	ret = deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	if (ret != Z_STREAM_END)
		abort();
	return zs.total_out;
}

long
ct_zlib_decomp(enum wd_comp_alg alg, const void *in, size_t len, void *out, size_t room,
	       int wbits)
{
	const uint8_t *p = in;
	size_t used = 0, made = 0;

	do {
		z_stream zs;
		int ret;

		memset(&zs, 0, sizeof(zs));
		if (inflateInit2(&zs, alg_wbits(alg, wbits)) != Z_OK)
			return -1;
		zs.next_in = (Bytef *)(uintptr_t)(p + used);
		zs.avail_in = (uInt)(len - used);
		zs.next_out = (Bytef *)out + made;
		zs.avail_out = (uInt)(room - made);
		ret = inflate(&zs, Z_FINISH);
		used += zs.total_in;
		made += zs.total_out;
		inflateEnd(&zs);
		if (ret != Z_STREAM_END)
			return -1;
	} while (alg == WD_COMP_ALG_GZIP && used < len);
	if (used != len)
		return -1;
	return (long)made;
}

uint32_t
ct_sum(enum wd_comp_alg alg, const void *p, size_t len)
{
	if (alg == WD_COMP_ALG_ZLIB)
		return (uint32_t)adler32(1, p, (uInt)len);
	return (uint32_t)crc32(0, p, (uInt)len);
}
