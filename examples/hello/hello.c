/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hello: the smallest program on the raw WarpDrive queue API.
 *
 *   hello [EAL options] [-- [DEVICE-SPEC]]
 *
 * Requests a compression queue on the default device (the first
 * accelerator bound to vfio-pci, else the device model), reserves DMA
 * memory for it, sends one zlib compression request (struct wd_comp_msg),
 * waits for the answer, and checks the result with zlib. Then it
 * decompresses the output on a second queue that shares the first
 * queue's memory, and checks that too.
 *
 * No lib/wd_comp here: this is the level a driver sees. Most programs
 * want the wd_comp API (see wd-gzip and wd-perf).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "wd.h"
#include "wd_comp_msg.h"

#define IN_LEN (64 * 1024)
#define OUT_LEN (IN_LEN + IN_LEN / 8 + 1024)
#define WAIT_MS 5000

static const char *const msg_status[] = {
	[WD_COMP_MSG_OK] = "ok",
	[WD_COMP_MSG_STREAM_END] = "stream end",
	[WD_COMP_MSG_OUT_OF_SPACE_TERMINATED] = "out of space",
	[WD_COMP_MSG_OUT_OF_SPACE_RECOVERABLE] = "out of space (recoverable)",
	[WD_COMP_MSG_ERR_CHECKSUM] = "checksum mismatch",
	[WD_COMP_MSG_ERR_DATA] = "corrupt input",
	[WD_COMP_MSG_ERR_DICT] = "dictionary needed",
	[WD_COMP_MSG_ERR_INVALID] = "invalid request",
	[WD_COMP_MSG_ERR_NOTSUP] = "not supported",
	[WD_COMP_MSG_ERR_TOO_BIG] = "too big",
	[WD_COMP_MSG_ERR_TIMEOUT] = "timeout",
	[WD_COMP_MSG_ERR_DEVICE] = "device error",
};

static const char *
status_str(uint8_t s)
{
	return s < WD_COMP_MSG_STATUS_MAX && msg_status[s] != NULL ? msg_status[s] : "unknown";
}

/* Some text to compress: a few sentences repeated with variations. */
static void
make_text(uint8_t *p, size_t len)
{
	static const char *const words[] = {
		"the", "accelerator", "is", "another", "thread", "of", "the", "process",
		"sharing", "its", "address", "space", "and", "reached", "through", "queues",
	};
	size_t i = 0;
	unsigned int k = 0;

	while (i < len) {
		const char *w = words[(k * 7 + k / 16) % 16];

		for (; *w != '\0' && i < len; w++)
			p[i++] = (uint8_t)*w;
		if (i < len)
			p[i++] = (++k % 12 == 0) ? '\n' : ' ';
	}
}

/* Send one request and wait for it. @return 0 or -1. */
static int
run_request(struct wd_queue *q, struct wd_comp_msg *msg)
{
	void *resp = NULL;
	int ret;

	ret = wd_send(q, msg);
	if (ret < 0) {
		fprintf(stderr, "hello: wd_send: %s\n", strerror(-ret));
		return -1;
	}
	ret = wd_recv_sync(q, &resp, WAIT_MS);
	if (ret < 0) {
		fprintf(stderr, "hello: wd_recv_sync: %s\n", strerror(-ret));
		return -1;
	}
	if (resp != msg) {
		fprintf(stderr, "hello: wd_recv_sync returned another request\n");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct wd_queue_attr attr = { 0 };
	struct wd_queue *cq = NULL, *dq = NULL;
	struct wd_dev *dev = NULL;
	struct wd_dev_info info;
	struct wd_comp_msg msg;
	uint8_t *mem, *in, *out, *back, *ref;
	const char *spec = NULL;
	uLongf ref_len = IN_LEN;
	int n, ret, rc = 1;

	/* EAL options first; "--" then an optional device spec. */
	n = wd_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "hello: cannot start EAL and WarpDrive: %s%s\n", strerror(-n),
			n == -ENOTSUP ? " (run with --iova-mode=va)" : "");
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: hello [EAL options] [-- [device spec]]\n"
		       "  Compresses a buffer through a WarpDrive queue (wd_send/wd_recv_sync)\n"
		       "  and decompresses it back. Device: a PCI address bound to vfio-pci or\n"
		       "  \"model[:key=value,...]\"; default: the first device, else a model.\n");
		rc = 0;
		goto out_eal;
	}
	if (argc > 2) {
		fprintf(stderr, "usage: hello [EAL options] [-- [device spec]]\n");
		goto out_eal;
	}
	if (argc == 2)
		spec = argv[1];

	/* The device: a spec from the command line, or the first one, or the model. */
	if (spec != NULL) {
		ret = wd_dev_attach(spec, &dev);
		if (ret < 0) {
			fprintf(stderr, "hello: cannot attach '%s': %s%s\n", spec, strerror(-ret),
				strcmp(spec, "sw") == 0 ? " (hello drives a queue of a device: "
				"give a PCI address or \"model\", not \"sw\")" : "");
			goto out_eal;
		}
	} else if (wd_dev_count() > 0) {
		dev = wd_dev_get(0);
	} else {
		ret = wd_dev_attach("model", &dev);
		if (ret < 0) {
			fprintf(stderr, "hello: no accelerator is bound to vfio-pci and the device "
				"model cannot be attached: %s\n", strerror(-ret));
			goto out_eal;
		}
	}
	wd_dev_info_get(dev, &info);
	printf("device: %s (driver %s, api %s, %s%s)\n", info.name, info.driver, info.api,
	       (info.flags & WD_DEV_F_MODEL) ? "device model" : "hardware",
	       (info.flags & WD_DEV_F_VF) ? ", VF" : "");

	/* A queue for zlib compression on that device. */
	attr.alg = "zlib";
	attr.op = WD_OP_COMPRESS;
	attr.socket_id = WD_SOCKET_ANY;
	attr.dev = dev;
	ret = wd_request_queue(&cq, &attr);
	if (ret < 0) {
		fprintf(stderr, "hello: wd_request_queue(zlib, compress): %s\n", strerror(-ret));
		goto out_dev;
	}

	/* DMA memory for the queue: input, output and a buffer for the way back. */
	mem = wd_reserve_memory(cq, IN_LEN + OUT_LEN + IN_LEN);
	if (mem == NULL) {
		fprintf(stderr, "hello: wd_reserve_memory: %s\n", rte_strerror(rte_errno));
		goto out_queues;
	}
	in = mem;
	out = mem + IN_LEN;
	back = mem + IN_LEN + OUT_LEN;
	make_text(in, IN_LEN);

	/* One stateless request: the whole buffer, final flush. */
	memset(&msg, 0, sizeof(msg));
	msg.alg = WD_COMP_ALG_ZLIB;
	msg.op = WD_OP_COMPRESS;
	msg.flush = WD_COMP_FLUSH_FINAL;
	msg.src.type = WD_COMP_BUF_FLAT;
	msg.src.addr = in;
	msg.src.len = IN_LEN;
	msg.dst.type = WD_COMP_BUF_FLAT;
	msg.dst.addr = out;
	msg.dst.len = OUT_LEN;
	if (run_request(cq, &msg) < 0)
		goto out_queues;
	if (msg.status != WD_COMP_MSG_OK && msg.status != WD_COMP_MSG_STREAM_END) {
		fprintf(stderr, "hello: compression failed: %s (device status 0x%x)\n",
			status_str(msg.status), msg.hw_status);
		goto out_queues;
	}
	printf("compressed %u bytes to %u (zlib, Adler-32 0x%08x)\n", msg.consumed, msg.produced,
	       msg.checksum);

	/* Check with zlib. */
	ref = malloc(IN_LEN);
	if (ref == NULL)
		goto out_queues;
	ret = uncompress(ref, &ref_len, out, msg.produced);
	if (ret != Z_OK || ref_len != IN_LEN || memcmp(ref, in, IN_LEN) != 0) {
		fprintf(stderr, "hello: zlib does not get the input back (%s)\n",
			ret != Z_OK ? zError(ret) : "different data");
		free(ref);
		goto out_queues;
	}
	free(ref);
	if (msg.checksum != (uint32_t)adler32(adler32(0, NULL, 0), in, IN_LEN)) {
		fprintf(stderr, "hello: the returned Adler-32 is wrong\n");
		goto out_queues;
	}
	printf("zlib inflates it back to the input: ok\n");

	/* The way back, on a decompression queue sharing the same memory. */
	attr.op = WD_OP_DECOMPRESS;
	ret = wd_request_queue(&dq, &attr);
	if (ret < 0) {
		fprintf(stderr, "hello: wd_request_queue(zlib, decompress): %s%s\n", strerror(-ret),
			ret == -EBUSY ? " (hello needs two free queues: one per direction)" : "");
		goto out_queues;
	}
	ret = wd_share_reserved_memory(cq, dq);
	if (ret < 0) {
		fprintf(stderr, "hello: wd_share_reserved_memory: %s\n", strerror(-ret));
		goto out_queues;
	}
	{
		uint32_t clen = msg.produced;

		memset(&msg, 0, sizeof(msg));
		msg.alg = WD_COMP_ALG_ZLIB;
		msg.op = WD_OP_DECOMPRESS;
		msg.flush = WD_COMP_FLUSH_FINAL;
		msg.src.type = WD_COMP_BUF_FLAT;
		msg.src.addr = out;
		msg.src.len = clen;
		msg.dst.type = WD_COMP_BUF_FLAT;
		msg.dst.addr = back;
		msg.dst.len = IN_LEN;
	}
	if (run_request(dq, &msg) < 0)
		goto out_queues;
	if ((msg.status != WD_COMP_MSG_OK && msg.status != WD_COMP_MSG_STREAM_END) ||
	    msg.produced != IN_LEN || memcmp(back, in, IN_LEN) != 0) {
		fprintf(stderr, "hello: decompression failed: %s, %u bytes (device status 0x%x)\n",
			status_str(msg.status), msg.produced, msg.hw_status);
		goto out_queues;
	}
	printf("decompressed %u bytes back to %u: ok\n", msg.consumed, msg.produced);
	rc = 0;

out_queues:
	if (dq != NULL)
		wd_release_queue(dq);
	if (cq != NULL)
		wd_release_queue(cq);
out_dev:
	wd_cleanup();
out_eal:
	rte_eal_cleanup();
	return rc;
}
