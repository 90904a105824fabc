/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Class operations "comp" of the ZIP driver: capabilities and streams.
 *
 * A stream owns a 64 KiB context buffer in DMA memory (the device gets
 * buffer + 64; reference section 12) and the words chained from one
 * completion to the next SQE. It belongs to a device, not to a queue: its
 * requests may go to any queue of that device with the same direction,
 * one at a time.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "hisi_zip.h"

static int
hzip_caps_get(struct wd_dev *dev, struct wd_comp_drv_caps *caps)
{
	if (dev == NULL || caps == NULL)
		return -EINVAL;
	memset(caps, 0, sizeof(*caps));
	caps->algs_comp = (1u << WD_COMP_ALG_DEFLATE) | (1u << WD_COMP_ALG_ZLIB) |
			  (1u << WD_COMP_ALG_GZIP);
	/* raw deflate decompression is not in v2 hardware */
	caps->algs_decomp = (1u << WD_COMP_ALG_ZLIB) | (1u << WD_COMP_ALG_GZIP);
	caps->max_len = HZIP_MAX_LEN;
	caps->min_dst_len = 0;
	caps->max_segs = HZIP_MAX_SEGS;
	caps->window_min_log = 12;
	caps->window_max_log = 15;
	caps->stateful_comp = 1;
	caps->stateful_decomp = 1;
	caps->levels_honoured = 0;
	return 0;
}

void
hzip_stream_init(struct hzip_stream *st)
{
	st->reset_pending = false;
	st->busy = false;
	st->broken = false;
	st->ended = false;
	st->hw_started = false;
	st->hdr_done = false;
	st->ctx_dw0 = 0;
	st->ctx_dw1 = 0;
	st->ctx_dw2 = 0;
	st->isize = 0;
	st->checksum = 0;
	st->pend_off = 0;
	st->pend_len = 0;
	st->pend_status = WD_COMP_MSG_OK;
	wd_comp_hdr_parser_init(&st->parser, (enum wd_comp_alg)st->alg);
	st->parser_next = st->parser;
}

static int
hzip_stream_create(struct wd_dev *dev, const struct wd_comp_stream_params *p, void **stream)
{
	struct hzip_stream *st;
	uint8_t wlog;
	int socket;

	if (dev == NULL || p == NULL || stream == NULL || wd_dev_priv(dev) == NULL ||
	    p->alg >= WD_COMP_ALG_MAX || (p->op != WD_OP_COMPRESS && p->op != WD_OP_DECOMPRESS))
		return -EINVAL;
	if (p->alg == WD_COMP_ALG_DEFLATE && p->op == WD_OP_DECOMPRESS)
		return -ENOTSUP;
	wlog = p->window_log ? p->window_log : 15;
	if (wlog < 8 || wlog > 15 || p->level > 9)
		return -EINVAL;
	if (p->op == WD_OP_COMPRESS && wlog < 12)
		return -ENOTSUP;
	socket = p->socket_id != WD_SOCKET_ANY ? p->socket_id :
		 (wd_dev_numa_node(dev) >= 0 ? wd_dev_numa_node(dev) : SOCKET_ID_ANY);
	st = rte_zmalloc_socket("hzip_stream", sizeof(*st), RTE_CACHE_LINE_SIZE, socket);
	if (st == NULL)
		return -ENOMEM;
	st->ctx = wd_dma_zmalloc(HZIP_CTX_SIZE, 4096, socket);
	if (st->ctx == NULL && socket != SOCKET_ID_ANY)
		st->ctx = wd_dma_zmalloc(HZIP_CTX_SIZE, 4096, WD_SOCKET_ANY);
	if (st->ctx == NULL) {
		rte_free(st);
		return -ENOMEM;
	}
	st->magic = HZIP_STREAM_MAGIC;
	st->alg = p->alg;
	st->op = p->op;
	st->window_log = wlog;
	st->level = p->level;
	st->dev = dev;
	hzip_stream_init(st);
	*stream = st;
	return 0;
}

static void
hzip_stream_reset(void *stream)
{
	struct hzip_stream *st = stream;

	if (st == NULL || st->magic != HZIP_STREAM_MAGIC)
		return;
	if (st->busy) {
		/*
		 * A request is in flight: its completion would write the stream's
		 * state after the reset. The reset is done by that completion
		 * (or by the queue's release); until then the stream stays busy
		 * and refuses new requests (ERR_INVALID), as with any request in
		 * flight.
		 */
		st->reset_pending = true;
		return;
	}
	/* the device restarts its state on the next request (new-stream bit) */
	hzip_stream_init(st);
}

static void
hzip_stream_free(void *stream)
{
	struct hzip_stream *st = stream;

	if (st == NULL || st->magic != HZIP_STREAM_MAGIC)
		return;
	st->magic = 0;
	wd_dma_free(st->ctx);
	rte_free(st);
}

const struct wd_comp_drv_ops hzip_comp_ops = {
	.caps_get = hzip_caps_get,
	.stream_create = hzip_stream_create,
	.stream_reset = hzip_stream_reset,
	.stream_free = hzip_stream_free,
};
