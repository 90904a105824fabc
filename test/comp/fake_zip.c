/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake compression device and driver (see fake_zip.h). Messages are
 * kept in a FIFO at send and completed with zlib at recv, so that ops
 * are really "in flight" between enqueue and dequeue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include <zlib.h>

#include "wd_comp_msg.h"
#include "wd_drv.h"
#include "fake_zip.h"

#define FAKE_VENDOR 0xfeed
#define FAKE_DEVICE 0xc0de
#define FAKE_STREAM_MAGIC 0xfa4e5743u

volatile bool fake_zip_hold;
uint64_t fake_zip_msgs;

enum { DD_NO = 0, DD_CAPS, DD_RUNTIME };

struct fake_dev {
	uint32_t max_len;
	uint32_t depth;
	uint32_t queues;
	uint32_t stateful;
	uint32_t window_min;
	uint32_t decomp_status;
	int deflate_decomp;
};

/* ---- bus provider: a function with no registers worth reading ---- */

struct fake_fn {
	struct fake_dev cfg;
};

static int
fn_bar_get(void *ctx, unsigned int bar, struct wd_mmio *m)
{
	(void)ctx;
	(void)bar;
	(void)m;
	return -EINVAL;
}

static int
fn_cfg_read(void *ctx, unsigned int off, void *buf, unsigned int len)
{
	(void)ctx;
	(void)off;
	memset(buf, 0, len);
	return 0;
}

static int
fn_cfg_write(void *ctx, unsigned int off, const void *buf, unsigned int len)
{
	(void)ctx;
	(void)off;
	(void)buf;
	(void)len;
	return 0;
}

static int
fn_reset(void *ctx)
{
	(void)ctx;
	return 0;
}

static int
fn_irq_enable(void *ctx, unsigned int nvec, int *efds)
{
	(void)ctx;
	(void)nvec;
	(void)efds;
	return -ENOTSUP;
}

static void
fn_irq_disable(void *ctx)
{
	(void)ctx;
}

static int
fn_dma_map(void *ctx, uint64_t va, uint64_t iova, uint64_t len)
{
	(void)ctx;
	(void)va;
	(void)iova;
	(void)len;
	return 0;
}

static int
fn_dma_unmap(void *ctx, uint64_t iova, uint64_t len)
{
	(void)ctx;
	(void)iova;
	(void)len;
	return 0;
}

static void
fn_destroy(void *ctx)
{
	free(ctx);
}

static const struct wd_bus_ops fake_bus_ops = {
	.bar_get = fn_bar_get, .cfg_read = fn_cfg_read, .cfg_write = fn_cfg_write,
	.reset = fn_reset, .irq_enable = fn_irq_enable, .irq_disable = fn_irq_disable,
	.dma_map = fn_dma_map, .dma_unmap = fn_dma_unmap, .destroy = fn_destroy,
};

static int
fake_create(const char *args, struct wd_model_desc *d)
{
	struct fake_fn *f = calloc(1, sizeof(*f));
	const char *node = args != NULL ? strstr(args, "node=") : NULL;

	if (f == NULL)
		return -ENOMEM;
	d->vendor_id = FAKE_VENDOR;
	d->device_id = FAKE_DEVICE;
	d->revision = 0x21;
	d->numa_node = node != NULL ? atoi(node + 5) : 0;
	d->ops = &fake_bus_ops;
	d->ctx = f;
	return 0;
}

static struct wd_model_provider fake_provider = {.name = "fakezip", .create = fake_create};

RTE_INIT(fake_zip_provider_register)
{
	wd_model_provider_register(&fake_provider);
}

/* ---- driver ---- */

static uint32_t
arg_u32(struct wd_dev *dev, const char *key, uint32_t def)
{
	uint32_t v;

	return wd_dev_arg_u32(dev, key, &v) == 0 ? v : def;
}

static int
fake_probe(struct wd_dev *dev)
{
	struct fake_dev *fd = calloc(1, sizeof(*fd));
	const char *args = wd_dev_args(dev);
	struct wd_dev_attrs attrs = {
		.api = "fake_zip_v1", .algorithms = "zlib\ngzip\ndeflate",
	};

	if (fd == NULL)
		return -ENOMEM;
	fd->max_len = arg_u32(dev, "max_len", WD_COMP_MSG_MAX_LEN);
	fd->depth = arg_u32(dev, "depth", 64);
	fd->queues = arg_u32(dev, "queues", 16);
	fd->stateful = arg_u32(dev, "stateful", 1);
	fd->window_min = arg_u32(dev, "window_min", 12);
	fd->decomp_status = arg_u32(dev, "decomp_status", 0);
	fd->deflate_decomp = DD_NO;
	if (args != NULL && strstr(args, "deflate_decomp=caps") != NULL)
		fd->deflate_decomp = DD_CAPS;
	if (args != NULL && strstr(args, "deflate_decomp=runtime") != NULL)
		fd->deflate_decomp = DD_RUNTIME;
	attrs.queues_total = fd->queues;
	attrs.queue_depth_max = fd->depth;
	wd_dev_set_priv(dev, fd);
	return wd_dev_set_attrs(dev, &attrs);
}

static void
fake_remove(struct wd_dev *dev)
{
	free(wd_dev_priv(dev));
	wd_dev_set_priv(dev, NULL);
}

struct fake_stream {
	uint32_t magic;
	uint8_t alg;
	uint8_t op;
	uint8_t window_log;
	bool init;
	bool ended;
	bool busy;
	z_stream z;
	uint32_t crc;   /* raw deflate: CRC-32 of the uncompressed data */
	/* flush output made beyond a tiny room (zlib needs > 6 bytes to end a flush) */
	uint8_t spill[64];
	uint8_t spill_off, spill_len;
};

struct fake_q {
	struct fake_dev *fd;
	uint8_t op;
	uint32_t depth;
	void **ring;
	uint32_t head, tail;
};

static int
fq_init(struct wd_dev *dev, const struct wd_queue_attr *attr, void *priv)
{
	struct fake_q *q = priv;
	struct fake_dev *fd = wd_dev_priv(dev);

	q->fd = fd;
	q->op = (uint8_t)attr->op;
	q->depth = attr->depth != 0 ? attr->depth : fd->depth;
	if (q->depth < 2)
		return -EINVAL;
	q->ring = calloc(q->depth, sizeof(void *));
	return q->ring == NULL ? -ENOMEM : 0;
}

static void
fq_fini(struct wd_dev *dev, void *priv)
{
	struct fake_q *q = priv;

	(void)dev;
	free(q->ring);
	q->ring = NULL;
}

static unsigned int
fq_inflight(const void *priv)
{
	const struct fake_q *q = priv;

	return q->tail - q->head;
}

static unsigned int
fq_capacity(const void *priv)
{
	return ((const struct fake_q *)priv)->depth - 1;
}

static uint16_t
fq_send(void *priv, void **reqs, uint16_t n, bool doorbell)
{
	struct fake_q *q = priv;
	uint16_t i;

	(void)doorbell;
	for (i = 0; i < n; i++) {
		if (q->tail - q->head >= q->depth - 1)
			break;
		q->ring[q->tail % q->depth] = reqs[i];
		q->tail++;
	}
	return i;
}

static void
fq_flush(void *priv)
{
	(void)priv;
}

/* Copy a message buffer out to flat memory. */
static void
buf_gather(const struct wd_comp_buf *b, uint8_t *out, uint32_t len)
{
	struct rte_mbuf *m;
	uint32_t off;

	if (b->type == WD_COMP_BUF_FLAT) {
		memcpy(out, b->addr, len);
		return;
	}
	m = b->m;
	off = b->offset;
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0) {
		uint32_t n = RTE_MIN((uint32_t)m->data_len - off, len);

		memcpy(out, rte_pktmbuf_mtod_offset(m, uint8_t *, off), n);
		out += n;
		len -= n;
		off = 0;
		m = m->next;
	}
}

static void
buf_scatter(const struct wd_comp_buf *b, const uint8_t *in, uint32_t len)
{
	struct rte_mbuf *m;
	uint32_t off;

	if (b->type == WD_COMP_BUF_FLAT) {
		memcpy(b->addr, in, len);
		return;
	}
	m = b->m;
	off = b->offset;
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0) {
		uint32_t n = RTE_MIN((uint32_t)m->data_len - off, len);

		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, off), in, n);
		in += n;
		len -= n;
		off = 0;
		m = m->next;
	}
}

static int
wbits_of(uint8_t alg, uint8_t wlog, bool comp)
{
	int w = wlog == 0 ? 15 : wlog;

	if (!comp)
		w = 15;
	if (w < 9)
		w = 9;
	switch (alg) {
	case WD_COMP_ALG_ZLIB:
		return w;
	case WD_COMP_ALG_GZIP:
		return 16 + w;
	default:
		return -w;
	}
}

static void
finish(struct wd_comp_msg *m, uint8_t status, uint32_t consumed, uint32_t produced)
{
	m->status = status;
	m->consumed = consumed;
	m->produced = produced;
}

/*
 * A stateless decompression stopped with its output full and its input
 * all taken: would more output come (out of space), or does the stream
 * need more input (cut short)? One byte of room into a scratch byte says.
 */
static bool
inflate_more(z_stream *z)
{
	uint8_t probe;

	if (z->avail_in > 0)
		return true;
	z->next_out = &probe;
	z->avail_out = 1;
	(void)inflate(z, Z_NO_FLUSH);
	return z->avail_out == 0;
}

static void
process(struct fake_q *q, struct wd_comp_msg *m)
{
	struct fake_dev *fd = q->fd;
	struct fake_stream *st = m->stream;
	uint32_t in_len = m->src.len, out_len = RTE_MIN(m->dst.len, fd->max_len);
	uint8_t *in, *out;
	z_stream zs, *z;
	int ret;

	fake_zip_msgs++;
	m->hw_status = 0;
	if (m->op != q->op || m->alg >= WD_COMP_ALG_MAX) {
		finish(m, WD_COMP_MSG_ERR_INVALID, 0, 0);
		return;
	}
	if (fd->decomp_status != 0 && m->op == WD_OP_DECOMPRESS) {
		/* a device that cannot say why (a VF's undocumented status) */
		m->hw_status = (uint16_t)fd->decomp_status;
		finish(m, WD_COMP_MSG_ERR_DEVICE, 0, 0);
		return;
	}
	if (m->alg == WD_COMP_ALG_DEFLATE && m->op == WD_OP_DECOMPRESS &&
	    fd->deflate_decomp != DD_CAPS) {
		finish(m, WD_COMP_MSG_ERR_NOTSUP, 0, 0);
		return;
	}
	if (in_len > fd->max_len) {
		finish(m, WD_COMP_MSG_ERR_TOO_BIG, 0, 0);
		return;
	}
	if (st != NULL && (st->magic != FAKE_STREAM_MAGIC || st->alg != m->alg ||
			   st->op != m->op || st->ended)) {
		finish(m, WD_COMP_MSG_ERR_INVALID, 0, 0);
		return;
	}
	in = malloc(in_len + 1);
	out = malloc(out_len + 1);
	if (in == NULL || out == NULL) {
		free(in);
		free(out);
		finish(m, WD_COMP_MSG_ERR_DEVICE, 0, 0);
		return;
	}
	buf_gather(&m->src, in, in_len);
	if (st == NULL) {
		memset(&zs, 0, sizeof(zs));
		z = &zs;
		ret = m->op == WD_OP_COMPRESS ?
		      deflateInit2(z, m->level ? m->level : 6, Z_DEFLATED,
				   wbits_of(m->alg, m->window_log, true), 8, Z_DEFAULT_STRATEGY) :
		      inflateInit2(z, wbits_of(m->alg, 15, false));
	} else {
		z = &st->z;
		ret = Z_OK;
		if (!st->init) {
			memset(z, 0, sizeof(*z));
			ret = m->op == WD_OP_COMPRESS ?
			      deflateInit2(z, m->level ? m->level : 6, Z_DEFLATED,
					   wbits_of(m->alg, st->window_log, true), 8,
					   Z_DEFAULT_STRATEGY) :
			      inflateInit2(z, wbits_of(m->alg, 15, false));
			st->init = ret == Z_OK;
			st->crc = 0;
		}
	}
	if (ret != Z_OK) {
		finish(m, WD_COMP_MSG_ERR_DEVICE, 0, 0);
		goto out;
	}
	z->next_in = in;
	z->avail_in = in_len;
	z->next_out = out;
	z->avail_out = out_len;
	if (m->op == WD_OP_COMPRESS) {
		int flush = st == NULL ? Z_FINISH :
			    m->flush == WD_COMP_FLUSH_FINAL ? Z_FINISH :
			    m->flush == WD_COMP_FLUSH_SYNC ? Z_SYNC_FLUSH :
			    m->flush == WD_COMP_FLUSH_FULL ? Z_FULL_FLUSH : Z_NO_FLUSH;
		uint32_t used, early = 0;
		bool spill = false;

		if (st != NULL && st->spill_len > 0) {
			/* what the last message's flush made beyond its room comes first */
			early = RTE_MIN((uint32_t)(st->spill_len - st->spill_off), out_len);
			memcpy(out, st->spill + st->spill_off, early);
			st->spill_off = (uint8_t)(st->spill_off + early);
			if (st->spill_off < st->spill_len) {
				finish(m, WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE, 0, early);
				m->checksum = m->alg == WD_COMP_ALG_DEFLATE ? st->crc :
					      (uint32_t)z->adler;
				goto scatter;
			}
			st->spill_off = st->spill_len = 0;
			z->next_out = out + early;
			z->avail_out = out_len - early;
		}
		if (st != NULL && (flush == Z_SYNC_FLUSH || flush == Z_FULL_FLUSH) &&
		    z->avail_out < 16) {
			spill = true;
			z->next_out = st->spill;
			z->avail_out = sizeof(st->spill);
		}
		ret = deflate(z, flush);
		used = in_len - z->avail_in;
		if (spill) {
			uint32_t made = (uint32_t)sizeof(st->spill) - z->avail_out;
			uint32_t n = RTE_MIN(made, out_len - early);
			bool done = z->avail_out > 0;

			memcpy(out + early, st->spill, n);
			st->spill_off = (uint8_t)n;
			st->spill_len = (uint8_t)made;
			if (n == made)
				st->spill_off = st->spill_len = 0;
			st->crc = (uint32_t)crc32(st->crc, in, used);
			finish(m, st->spill_len > 0 || !done || used < in_len ?
			       WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE : WD_COMP_MSG_OK, used,
			       early + n);
			m->checksum = m->alg == WD_COMP_ALG_DEFLATE ? st->crc : (uint32_t)z->adler;
			m->isize = (uint32_t)z->total_in;
			goto scatter;
		}
		if (st == NULL) {
			if (ret != Z_STREAM_END) {
				finish(m, WD_COMP_MSG_OUT_OF_SPACE_TERMINATED, 0, 0);
			} else {
				finish(m, WD_COMP_MSG_OK, used, out_len - z->avail_out);
				m->checksum = m->alg == WD_COMP_ALG_DEFLATE ?
					      (uint32_t)crc32(0, in, in_len) : (uint32_t)z->adler;
				m->isize = in_len;
			}
			deflateEnd(z);
		} else {
			st->crc = (uint32_t)crc32(st->crc, in, used);
			if (ret == Z_STREAM_END)
				st->ended = true;
			finish(m, z->avail_out == 0 && ret != Z_STREAM_END ?
			       WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE : WD_COMP_MSG_OK, used,
			       out_len - z->avail_out);
			m->checksum = m->alg == WD_COMP_ALG_DEFLATE ? st->crc : (uint32_t)z->adler;
			m->isize = (uint32_t)z->total_in;
		}
	} else {
		uint32_t used, made;

		ret = inflate(z, Z_NO_FLUSH);
		used = in_len - z->avail_in;
		made = out_len - z->avail_out;
		if (st != NULL)
			st->crc = (uint32_t)crc32(st->crc, out, made);
		m->checksum = m->alg == WD_COMP_ALG_DEFLATE ?
			      (st != NULL ? st->crc : (uint32_t)crc32(0, out, made)) :
			      (uint32_t)z->adler;
		m->isize = (uint32_t)z->total_out;
		if (ret == Z_STREAM_END) {
			finish(m, WD_COMP_MSG_STREAM_END, used, made);
			if (st != NULL)
				st->ended = true;
		} else if (ret == Z_NEED_DICT) {
			finish(m, WD_COMP_MSG_ERR_DICT, 0, 0);
		} else if (ret == Z_DATA_ERROR) {
			finish(m, z->msg != NULL && (strstr(z->msg, "data check") != NULL ||
						     strstr(z->msg, "length check") != NULL) ?
			       WD_COMP_MSG_ERR_CHECKSUM : WD_COMP_MSG_ERR_DATA, 0, 0);
		} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			finish(m, WD_COMP_MSG_ERR_DEVICE, 0, 0);
		} else if (z->avail_out == 0 && (st != NULL || inflate_more(z))) {
			finish(m, st == NULL ? WD_COMP_MSG_OUT_OF_SPACE_TERMINATED :
			       WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE, st == NULL ? 0 : used,
			       st == NULL ? 0 : made);
		} else {
			finish(m, WD_COMP_MSG_OK, used, made);
		}
		if (st == NULL)
			inflateEnd(z);
	}
scatter:
	if (m->produced > 0)
		buf_scatter(&m->dst, out, m->produced);
	if (st != NULL && m->status >= WD_COMP_MSG_ERR_CHECKSUM)
		st->ended = true; /* broken until reset */
out:
	free(in);
	free(out);
}

static uint16_t
fq_recv(void *priv, void **resps, uint16_t n)
{
	struct fake_q *q = priv;
	uint16_t i = 0;

	if (fake_zip_hold)
		return 0;
	while (i < n && q->head != q->tail) {
		struct wd_comp_msg *m = q->ring[q->head % q->depth];

		q->head++;
		process(q, m);
		resps[i++] = m;
	}
	return i;
}

static const struct wd_queue_ops fake_qops = {
	.priv_size = sizeof(struct fake_q),
	.init = fq_init,
	.fini = fq_fini,
	.send = fq_send,
	.flush = fq_flush,
	.recv = fq_recv,
	.inflight = fq_inflight,
	.capacity = fq_capacity,
};

/* ---- class ops ---- */

static int
fake_caps_get(struct wd_dev *dev, struct wd_comp_drv_caps *c)
{
	struct fake_dev *fd = wd_dev_priv(dev);

	memset(c, 0, sizeof(*c));
	c->algs_comp = (1u << WD_COMP_ALG_DEFLATE) | (1u << WD_COMP_ALG_ZLIB) |
		       (1u << WD_COMP_ALG_GZIP);
	c->algs_decomp = (1u << WD_COMP_ALG_ZLIB) | (1u << WD_COMP_ALG_GZIP);
	if (fd->deflate_decomp != DD_NO)
		c->algs_decomp |= 1u << WD_COMP_ALG_DEFLATE;
	c->max_len = fd->max_len;
	c->window_min_log = (uint8_t)fd->window_min;
	c->window_max_log = 15;
	c->stateful_comp = (uint8_t)fd->stateful;
	c->stateful_decomp = (uint8_t)fd->stateful;
	c->levels_honoured = 1;
	return 0;
}

static int
fake_stream_create(struct wd_dev *dev, const struct wd_comp_stream_params *p, void **stream)
{
	struct fake_dev *fd = wd_dev_priv(dev);
	struct fake_stream *st;

	if (!fd->stateful)
		return -ENOTSUP;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	st->magic = FAKE_STREAM_MAGIC;
	st->alg = p->alg;
	st->op = p->op;
	st->window_log = p->window_log;
	*stream = st;
	return 0;
}

static void
fake_stream_reset(void *stream)
{
	struct fake_stream *st = stream;

	if (st->init) {
		if (st->op == WD_OP_COMPRESS)
			deflateEnd(&st->z);
		else
			inflateEnd(&st->z);
	}
	st->init = false;
	st->ended = false;
	st->crc = 0;
	st->spill_off = st->spill_len = 0;
}

static void
fake_stream_free(void *stream)
{
	struct fake_stream *st = stream;

	if (st == NULL)
		return;
	fake_stream_reset(st);
	st->magic = 0;
	free(st);
}

static const struct wd_comp_drv_ops fake_comp_ops = {
	.caps_get = fake_caps_get,
	.stream_create = fake_stream_create,
	.stream_reset = fake_stream_reset,
	.stream_free = fake_stream_free,
};

static const struct wd_pci_id fake_ids[] = {
	{FAKE_VENDOR, FAKE_DEVICE},
	{0, 0},
};

static struct wd_driver fake_zip_drv = {
	.name = "fake_zip",
	.id_table = fake_ids,
	.probe = fake_probe,
	.remove = fake_remove,
	.qops = &fake_qops,
	.class_name = "comp",
	.class_ops = &fake_comp_ops,
};

WD_DRIVER_REGISTER(fake_zip_drv);
