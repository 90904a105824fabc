/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd-gzip: a gzip-compatible command-line tool on lib/wd_comp.
 *
 *   wd-gzip [-cdfhkntqvV19] [-S suffix] [--dev SPEC] [--eal "ARGS"] [file...]
 *
 * Files are streamed through wd_comp stateful ops (256 KiB of input per
 * op), never read whole. Output goes to a temporary file in the target
 * directory that is renamed into place only when everything succeeded;
 * on any error (or a signal) it is removed, so there is never a partial
 * output file. Input files are removed after success unless -k or -c,
 * as gzip does. Headers are written like `gzip -n` (no name, no time);
 * everything gzip writes is read, multiple members included (wd_comp
 * does the format work).
 *
 * EAL starts with quiet, safe defaults chosen here (a private in-memory
 * instance, hugepages when free, one floating lcore, no PCI scan beyond
 * the accelerators: -a for each one bound to vfio-pci, else --no-pci);
 * WD_GZIP_EAL_ARGS or --eal "ARGS" add EAL arguments.
 *
 * Exit status as gzip: 0 success, 1 error, 2 warning.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "wd_comp.h"
#include "wd_config.h"

#define PROG "wd-gzip"
#define SEG_LEN (32u * 1024)
#define IN_SEGS 8                   /* 256 KiB of input per op */
#define IN_CHUNK (SEG_LEN * IN_SEGS)
#define OUT_SEGS_DECOMP 32          /* 1 MiB of output per decompression op */
#define OP_TIMEOUT_SEC 60           /* an op not done by then: the device is stuck */

enum { EX_OK = 0, EX_ERROR = 1, EX_WARNING = 2 };

static struct {
	bool to_stdout, decompress, force, keep, test, verbose;
	int quiet;
	int level;
	const char *suffix;
	const char *dev_spec;
	const char *eal_args;
} opt = { .level = WD_COMP_LEVEL_DEFAULT, .suffix = ".gz" };

static int exit_code = EX_OK;

/* The temporary output file, removed by the signal handler. */
static char tmp_path[PATH_MAX];
static volatile sig_atomic_t tmp_active;
/* SIGPIPE was ignored by whoever started us: a closed pipe is an error (EPIPE) */
static bool sigpipe_ignored;

static void
set_exit(int code)
{
	if (code == EX_ERROR || exit_code == EX_OK)
		exit_code = code;
}

static void
errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
errmsg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	set_exit(EX_ERROR);
}

static void
warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
warnmsg(const char *fmt, ...)
{
	va_list ap;

	if (opt.quiet == 0) {
		fprintf(stderr, PROG ": ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	set_exit(EX_WARNING);
}

static void
on_signal(int sig)
{
	if (tmp_active)
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Catch @p sig unless it is ignored (nohup, a background job of a
 * non-interactive shell): as gzip, such a signal stays ignored.
 * @return true if it was ignored.
 */
static bool
catch_signal(int sig, void (*handler)(int))
{
	struct sigaction old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return true;
	signal(sig, handler);
	return false;
}

/* ---------------------------------------------------------------- */
/* The wd_comp side: one device, one queue pair, one op, one stream   */
/* ---------------------------------------------------------------- */

static struct {
	uint8_t dev;
	struct rte_mempool *mp;
	struct rte_mempool *op_pool;
	struct rte_mbuf *in;        /* IN_SEGS x SEG_LEN */
	struct rte_mbuf *out;       /* output chain */
	uint32_t out_cap;
	uint16_t out_segs;
	struct wd_comp_op *op;
	uint64_t hw_ops, sw_ops;
} wz;

static struct rte_mbuf *
chain_alloc(uint16_t segs)
{
	struct rte_mbuf *head = NULL, *tail = NULL;

	for (uint16_t i = 0; i < segs; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(wz.mp);

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		m->data_len = SEG_LEN;
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
		}
		tail = m;
	}
	head->pkt_len = (uint32_t)segs * SEG_LEN;
	return head;
}

static void
chain_rearm(struct rte_mbuf *m)
{
	uint32_t n = 0;

	for (struct rte_mbuf *s = m; s != NULL; s = s->next, n++)
		s->data_len = SEG_LEN;
	m->pkt_len = n * SEG_LEN;
}

static int
engine_open(void)
{
	struct wd_comp_dev_info info;
	struct wd_comp_config cfg = { .socket_id = SOCKET_ID_ANY, .nb_queue_pairs = 1 };
	struct wd_comp_qp_conf qc = { .max_inflight_ops = 4, .socket_id = SOCKET_ID_ANY,
				      .use_default_fallback = true };
	uint32_t bound = (uint32_t)wd_comp_bound(WD_COMP_ALG_GZIP, IN_CHUNK) + 1024;
	int id, ret;

	ret = wd_comp_init();
	if (ret < 0) {
		errmsg("cannot start wd_comp: %s", strerror(-ret));
		return ret;
	}
	if (opt.dev_spec != NULL) {
		id = wd_comp_dev_attach(opt.dev_spec);
		if (id < 0) {
			errmsg("--dev %s: cannot attach the device: %s", opt.dev_spec,
			       strerror(-id));
			return id;
		}
	} else {
		/* the first accelerator, else the software engine */
		id = -1;
		for (unsigned int i = 0; i < wd_comp_dev_count(); i++) {
			if (wd_comp_dev_info_get((uint8_t)i, &info) == 0 && info.hw) {
				id = (int)i;
				break;
			}
		}
		if (id < 0)
			id = wd_comp_dev_attach("sw");
		if (id < 0) {
			errmsg("no compression device: %s", strerror(-id));
			return id;
		}
	}
	wz.dev = (uint8_t)id;
	if (wd_comp_dev_info_get(wz.dev, &info) == 0 && opt.verbose) {
		struct wd_dev *wdev = wd_dev_find(info.name);
		struct wd_dev_info wi;
		bool model = wdev != NULL && wd_dev_info_get(wdev, &wi) == 0 &&
			     (wi.flags & WD_DEV_F_MODEL);

		fprintf(stderr, PROG ": device %s (%s, %s)\n", info.name, info.driver,
			!info.hw ? "software engine" : model ? "device model" : "hardware");
	}
	ret = wd_comp_dev_configure(wz.dev, &cfg);
	if (ret == 0)
		ret = wd_comp_qp_setup(wz.dev, 0, &qc);
	if (ret == 0)
		ret = wd_comp_dev_start(wz.dev);
	if (ret < 0) {
		errmsg("cannot set up the device: %s", strerror(-ret));
		return ret;
	}
	wz.out_segs = (uint16_t)((bound + SEG_LEN - 1) / SEG_LEN);
	if (wz.out_segs < OUT_SEGS_DECOMP)
		wz.out_segs = OUT_SEGS_DECOMP;
	wz.out_cap = (uint32_t)wz.out_segs * SEG_LEN;
	wz.mp = rte_pktmbuf_pool_create("wdgz_mbuf", IN_SEGS + wz.out_segs + 8, 0, 0,
					SEG_LEN + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	/* the first failure's reason: later calls may overwrite rte_errno */
	if (wz.mp != NULL)
		wz.op_pool = wd_comp_op_pool_create("wdgz_op", 8, 0, 0, SOCKET_ID_ANY);
	if (wz.mp == NULL || wz.op_pool == NULL) {
		errmsg("cannot allocate DMA memory: %s (try WD_GZIP_EAL_ARGS=\"-m 256\")",
		       rte_strerror(rte_errno));
		return -ENOMEM;
	}
	wz.in = chain_alloc(IN_SEGS);
	wz.out = chain_alloc(wz.out_segs);
	wz.op = wd_comp_op_alloc(wz.op_pool);
	if (wz.in == NULL || wz.out == NULL || wz.op == NULL) {
		errmsg("cannot allocate buffers");
		return -ENOMEM;
	}
	return 0;
}

static void
engine_close(void)
{
	wd_comp_op_free(wz.op);
	rte_pktmbuf_free(wz.in);
	rte_pktmbuf_free(wz.out);
	rte_mempool_free(wz.mp);
	rte_mempool_free(wz.op_pool);
	wd_comp_dev_stop(wz.dev);
	wd_comp_dev_close(wz.dev);
}

/*
 * Run one stateful op and wait for it (bounded). Polls, then yields the
 * CPU: on small machines the device model's threads may share ours.
 */
static int
run_op(void *stream, uint32_t in_off, uint32_t in_len, enum wd_comp_flush flush)
{
	struct wd_comp_op *op = wz.op, *done = NULL;
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t spin = start + hz / 20000; /* 50 us */

	chain_rearm(wz.out);
	op->op_type = WD_COMP_OP_STATEFUL;
	op->stream = stream;
	op->m_src = wz.in;
	op->m_dst = wz.out;
	op->src.offset = in_off;
	op->src.length = in_len;
	op->dst.offset = 0;
	op->flush_flag = flush;
	op->status = WD_COMP_OP_NOT_PROCESSED;
	while (wd_comp_enqueue_burst(wz.dev, 0, &op, 1) != 1) {
		if (rte_get_timer_cycles() - start > OP_TIMEOUT_SEC * hz)
			return -EBUSY;
		sched_yield();
	}
	while (wd_comp_dequeue_burst(wz.dev, 0, &done, 1) == 0) {
		uint64_t now = rte_get_timer_cycles();

		if (now - start > OP_TIMEOUT_SEC * hz)
			return -ETIMEDOUT;
		if (now < spin)
			rte_pause();
		else
			sched_yield();
	}
	if (done->engine == WD_COMP_ENGINE_HW)
		wz.hw_ops++;
	else if (done->engine == WD_COMP_ENGINE_SW)
		wz.sw_ops++;
	return 0;
}

/* ---------------------------------------------------------------- */
/* I/O helpers                                                        */
/* ---------------------------------------------------------------- */

/* Read until @p len bytes or end of file. @return bytes read, or -errno. */
static ssize_t
read_full(int fd, uint8_t *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int
write_full(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Fill the input chain from @p fd, after @p ncarry bytes of @p carry kept
 * from the previous chunk. @return bytes (carry included), or -errno.
 */
static ssize_t
read_chunk_after(int fd, bool *eof, const uint8_t *carry, uint32_t ncarry)
{
	ssize_t total = ncarry;

	if (ncarry > 0)
		memcpy(rte_pktmbuf_mtod(wz.in, uint8_t *), carry, ncarry);
	for (struct rte_mbuf *s = wz.in; s != NULL; s = s->next) {
		uint32_t lead = s == wz.in ? ncarry : 0;
		ssize_t n = read_full(fd, rte_pktmbuf_mtod_offset(s, uint8_t *, lead),
				      SEG_LEN - lead);

		if (n < 0)
			return n;
		total += n;
		if ((size_t)n < SEG_LEN - lead) {
			*eof = true;
			return total;
		}
	}
	*eof = false;
	return total;
}

/* Fill the input chain from @p fd. @return bytes, or -errno. */
static ssize_t
read_chunk(int fd, bool *eof)
{
	return read_chunk_after(fd, eof, NULL, 0);
}

/* Copy @p len bytes of the input chain from @p off. */
static void
in_bytes(uint32_t off, uint32_t len, uint8_t *dst)
{
	uint32_t seg = off / SEG_LEN, o = off % SEG_LEN;
	struct rte_mbuf *s = wz.in;

	while (seg-- > 0)
		s = s->next;
	while (len > 0 && s != NULL) {
		uint32_t n = RTE_MIN(len, SEG_LEN - o);

		memcpy(dst, rte_pktmbuf_mtod_offset(s, uint8_t *, o), n);
		dst += n;
		len -= n;
		o = 0;
		s = s->next;
	}
}

/* Write @p len bytes to the output @p fd (-1: discard). @return 0 or -errno. */
static int
out_write(int fd, const uint8_t *p, uint32_t len)
{
	int ret;

	if (fd < 0)
		return 0;
	ret = write_full(fd, p, len);
	if (ret == -EPIPE && fd == STDOUT_FILENO && !sigpipe_ignored) {
		/* the reader of -c's pipe is gone: end as gzip does, quietly */
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	return ret;
}

/* Write @p len bytes of the output chain to @p fd (-1: discard). */
static int
write_out(int fd, uint32_t len)
{
	for (struct rte_mbuf *s = wz.out; s != NULL && len > 0; s = s->next) {
		uint32_t n = RTE_MIN(len, (uint32_t)s->data_len);
		int ret = out_write(fd, rte_pktmbuf_mtod(s, uint8_t *), n);

		if (ret < 0)
			return ret;
		len -= n;
	}
	return 0;
}

static const char *
op_error(uint8_t status)
{
	switch (status) {
	case WD_COMP_OP_ERR_DATA: return "invalid compressed data--format violated";
	/* the library does not say which of the trailer's two checks failed */
	case WD_COMP_OP_ERR_CHECKSUM: return "invalid compressed data--crc or length error";
	case WD_COMP_OP_ERR_DICT: return "needs a preset dictionary";
	default: return wd_comp_op_status_str((enum wd_comp_op_status)status);
	}
}

/* ---------------------------------------------------------------- */
/* Compression and decompression of one stream                        */
/* ---------------------------------------------------------------- */

struct stream_stats {
	uint64_t in, out;
};

static int
compress_fd(int in_fd, int out_fd, const char *name, struct stream_stats *st)
{
	struct wd_comp_xform xf = { .type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_GZIP,
				    .level = opt.level, .window_log = 15 };
	void *stream = NULL;
	bool eof = false;
	int ret, rc = -1;

	ret = wd_comp_stream_create(wz.dev, &xf, &stream);
	if (ret < 0) {
		errmsg("%s: cannot create a compression stream: %s", name, strerror(-ret));
		return -1;
	}
	while (!eof) {
		ssize_t n = read_chunk(in_fd, &eof);
		uint32_t off = 0, len;

		if (n < 0) {
			errmsg("%s: read error: %s", name, strerror((int)-n));
			goto out;
		}
		len = (uint32_t)n;
		st->in += len;
		/* An op may take less than all its input (the device keeps output
		 * room for what it takes): resubmit the rest. */
		do {
			enum wd_comp_flush fl = eof ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_NONE;

			ret = run_op(stream, off, len - off, fl);
			if (ret < 0) {
				errmsg("%s: the device did not complete an op: %s", name,
				       strerror(-ret));
				goto out;
			}
			if (wz.op->status != WD_COMP_OP_SUCCESS &&
			    wz.op->status != WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE) {
				errmsg("%s: compression failed: %s", name,
				       op_error(wz.op->status));
				goto out;
			}
			if (wz.op->produced > 0) {
				ret = write_out(out_fd, wz.op->produced);
				if (ret < 0) {
					errmsg("%s: write error: %s", name, strerror(-ret));
					goto out;
				}
				st->out += wz.op->produced;
			}
			if (wz.op->consumed == 0 && wz.op->produced == 0 && len - off > 0) {
				errmsg("%s: compression makes no progress", name);
				goto out;
			}
			off += wz.op->consumed;
		} while (off < len || (eof && wz.op->status ==
					     WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE));
	}
	rc = 0;
out:
	wd_comp_stream_free(wz.dev, stream);
	return rc;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* The rest of the input after the end of the gzip data: zeros or garbage? */
static bool
rest_is_zero(int in_fd, uint32_t off, uint32_t len)
{
	uint8_t buf[4096];

	while (off < len) {
		uint32_t n = RTE_MIN((uint32_t)sizeof(buf), len - off);

		in_bytes(off, n, buf);
		if (!all_zero(buf, n))
			return false;
		off += n;
	}
	for (;;) {
		ssize_t n = read_full(in_fd, buf, sizeof(buf));

		if (n <= 0)
			return true;
		if (!all_zero(buf, (size_t)n))
			return false;
	}
}

/*
 * At input offset @p off (of @p len): the magic of a format gzip 1.12
 * decompresses and we do not (its get_method(); zip only at the start of
 * the file)? Copied through, such data would hide that.
 */
static bool
other_format(uint32_t off, uint32_t len)
{
	uint8_t m[4] = { 0, 0, 0, 0 };
	uint32_t n = len - off < 4 ? len - off : 4;

	in_bytes(off, n, m);
	if (n >= 2 && m[0] == 0x1f)	/* old gzip, pack, compress (LZW), SCO LZH */
		return m[1] == 0x9e || m[1] == 0x1e || m[1] == 0x9d || m[1] == 0xa0;
	return off == 0 && n == 4 && memcmp(m, "PK\003\004", 4) == 0;	/* zip */
}

/*
 * Input that is not gzip data, with -f into standard output (or -t): copied
 * through unchanged, as zcat -f does: bytes [@p off, @p len) of the input
 * chain, then the rest of @p in_fd. Data of another format gzip reads
 * (other_format()) is refused. @return 0, or -1 after a message.
 */
static int
copy_through(int in_fd, int out_fd, uint32_t off, uint32_t len, const char *name,
	     struct stream_stats *st)
{
	uint8_t buf[4096];
	int ret;

	if (other_format(off, len)) {
		errmsg("%s: not in gzip format (compress, pack, lzh and zip data are not "
		       "supported)", name);
		return -1;
	}
	while (off < len) {
		uint32_t n = RTE_MIN((uint32_t)sizeof(buf), len - off);

		in_bytes(off, n, buf);
		ret = out_write(out_fd, buf, n);
		if (ret < 0)
			goto write_error;
		st->out += n;
		off += n;
	}
	for (;;) {
		ssize_t n = read_full(in_fd, buf, sizeof(buf));

		if (n < 0) {
			errmsg("%s: read error: %s", name, strerror((int)-n));
			return -1;
		}
		if (n == 0)
			return 0;
		st->in += (uint64_t)n;
		ret = out_write(out_fd, buf, (uint32_t)n);
		if (ret < 0)
			goto write_error;
		st->out += (uint64_t)n;
	}
write_error:
	errmsg("%s: write error: %s", name, strerror(-ret));
	return -1;
}

/*
 * Decompress a gzip file with one stream. The library decides where the
 * data ends (WD_COMP_OP_F_STREAM_END): a new member only starts with both
 * magic bytes, anything else after the end is left unconsumed. Data ops
 * take FLUSH_NONE; at the end of the file, a stream that has not ended
 * gets an empty FLUSH_FINAL op, which the library fails with ERR_DATA
 * (truncated). After the end, as gzip 1.12: zeros are ignored silently,
 * other bytes are "trailing garbage" (warning, exit 2), a lone 1f at the
 * end of the file is a member cut short ("unexpected end of file"). With
 * -f into standard output or with -t, input that starts no member (at the
 * start or after one) is copied through instead, as gzip -cdf does.
 */
static int
decompress_fd(int in_fd, int out_fd, const char *name, struct stream_stats *st)
{
	struct wd_comp_xform xf = { .type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_GZIP };
	const bool cat = opt.force && (out_fd == STDOUT_FILENO || out_fd < 0);
	void *stream = NULL;
	bool eof = false, first = true, ended = false, trailing = false;
	uint8_t carry = 0;
	uint32_t ncarry = 0;
	int ret, rc = -1;

	ret = wd_comp_stream_create(wz.dev, &xf, &stream);
	if (ret < 0) {
		errmsg("%s: cannot create a decompression stream: %s", name, strerror(-ret));
		return -1;
	}
	while (!eof && !trailing) {
		ssize_t n = read_chunk_after(in_fd, &eof, &carry, ncarry);
		uint32_t off = 0, len;

		if (n < 0) {
			errmsg("%s: read error: %s", name, strerror((int)-n));
			goto out;
		}
		len = (uint32_t)n;
		st->in += len - ncarry;
		ncarry = 0;
		if (first) {
			uint8_t magic[2] = { 0, 0 };

			in_bytes(0, len < 2 ? len : 2, magic);
			if (cat && (len < 2 || magic[0] != 0x1f || magic[1] != 0x8b)) {
				rc = copy_through(in_fd, out_fd, 0, len, name, st);
				goto out;
			}
			if (len == 0) {
				errmsg("%s: unexpected end of file", name);
				goto out;
			}
			if (len == 1 && magic[0] == 0x1f) {
				errmsg("%s: unexpected end of file", name);
				goto out;
			}
			if (len < 2 || magic[0] != 0x1f || magic[1] != 0x8b) {
				errmsg("%s: not in gzip format", name);
				goto out;
			}
			first = false;
		}
		while (off < len) {
			uint32_t took;

			ret = run_op(stream, off, len - off, WD_COMP_FLUSH_NONE);
			if (ret < 0) {
				errmsg("%s: the device did not complete an op: %s", name,
				       strerror(-ret));
				goto out;
			}
			if (wz.op->status != WD_COMP_OP_SUCCESS &&
			    wz.op->status != WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE) {
				errmsg("%s: %s", name, op_error(wz.op->status));
				goto out;
			}
			if (wz.op->produced > 0) {
				ret = write_out(out_fd, wz.op->produced);
				if (ret < 0) {
					errmsg("%s: write error: %s", name, strerror(-ret));
					goto out;
				}
				st->out += wz.op->produced;
			}
			took = wz.op->consumed;
			off += took;
			ended = (wz.op->flags & WD_COMP_OP_F_STREAM_END) != 0;
			if (ended && off < len) {
				/* what follows the end starts no member */
				if (len - off == 1 && !eof) {
					/* a 1f whose 8b may come with the next chunk */
					in_bytes(off, 1, &carry);
					if (carry == 0x1f) {
						ncarry = 1;
						break;
					}
				}
				if (cat) {
					rc = copy_through(in_fd, out_fd, off, len, name, st);
					goto out;
				}
				if (len - off == 1 && eof) {
					in_bytes(off, 1, &carry);
					if (carry == 0x1f) {
						/* the library says what a lone 1f at the end is */
						ret = run_op(stream, off, 1, WD_COMP_FLUSH_FINAL);
						errmsg("%s: %s", name, ret < 0 ? strerror(-ret) :
						       wz.op->status == WD_COMP_OP_ERR_DATA ?
						       "unexpected end of file" :
						       op_error(wz.op->status));
						goto out;
					}
				}
				trailing = true;
				if (!rest_is_zero(in_fd, off, len))
					warnmsg("%s: decompression OK, trailing garbage ignored",
						name);
				break;
			}
			if (took == 0 && wz.op->produced == 0) {
				errmsg("%s: decompression makes no progress", name);
				goto out;
			}
		}
	}
	if (!ended) {
		/* the file ended before the data: FINAL says there is no more */
		ret = run_op(stream, 0, 0, WD_COMP_FLUSH_FINAL);
		if (ret < 0) {
			errmsg("%s: the device did not complete an op: %s", name, strerror(-ret));
			goto out;
		}
		if (wz.op->status != WD_COMP_OP_SUCCESS ||
		    !(wz.op->flags & WD_COMP_OP_F_STREAM_END)) {
			errmsg("%s: unexpected end of file", name);
			goto out;
		}
	}
	rc = 0;
out:
	wd_comp_stream_free(wz.dev, stream);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Files                                                              */
/* ---------------------------------------------------------------- */

static const char *const known_suffixes[] = { ".gz", "-gz", ".z", "-z", "_z", ".tgz", ".taz" };

static bool
ends_with(const char *s, const char *suf)
{
	size_t ls = strlen(s), lf = strlen(suf);

	return lf > 0 && ls > lf && strcmp(s + ls - lf, suf) == 0;
}

/* Output name for decompression, or false if the name has no known suffix. */
static bool
strip_suffix(const char *in, char *out, size_t len)
{
	size_t l = strlen(in);

	if (ends_with(in, opt.suffix)) {
		snprintf(out, len, "%.*s", (int)(l - strlen(opt.suffix)), in);
		return true;
	}
	for (size_t i = 0; i < sizeof(known_suffixes) / sizeof(known_suffixes[0]); i++) {
		const char *suf = known_suffixes[i];

		if (!ends_with(in, suf))
			continue;
		if (strcmp(suf, ".tgz") == 0 || strcmp(suf, ".taz") == 0)
			snprintf(out, len, "%.*s.tar", (int)(l - 4), in);
		else
			snprintf(out, len, "%.*s", (int)(l - strlen(suf)), in);
		return true;
	}
	return false;
}

static bool
has_gz_suffix(const char *in)
{
	if (ends_with(in, opt.suffix))
		return true;
	for (size_t i = 0; i < sizeof(known_suffixes) / sizeof(known_suffixes[0]); i++)
		if (ends_with(in, known_suffixes[i]))
			return true;
	return false;
}

static void
report_ratio(const char *name, const struct stream_stats *st, const char *what,
	     const char *target)
{
	uint64_t big = opt.decompress ? st->out : st->in;
	uint64_t small = opt.decompress ? st->in : st->out;
	double saved = big ? 100.0 * (1.0 - (double)small / (double)big) : 0;

	if (target != NULL)
		fprintf(stderr, "%s:\t%5.1f%% -- %s %s\n", name, saved, what, target);
	else
		fprintf(stderr, "%s:\t%5.1f%%\n", name, saved);
}

/* Ask before overwriting, as gzip does when standard input is a terminal. */
static bool
may_overwrite(const char *path)
{
	char ans[16];

	if (opt.force)
		return true;
	if (!isatty(STDIN_FILENO)) {
		warnmsg("%s already exists; not overwritten", path);
		return false;
	}
	fprintf(stderr, PROG ": %s already exists; do you wish to overwrite (y or n)? ", path);
	if (fgets(ans, sizeof(ans), stdin) == NULL || (ans[0] != 'y' && ans[0] != 'Y')) {
		fprintf(stderr, "\tnot overwritten\n");
		set_exit(EX_WARNING);
		return false;
	}
	return true;
}

/*
 * As gzip: a regular file compressed whole that did not have the length it
 * had when opened changed while it was read. A note only (the exit status
 * stays), and the output holds what was read.
 */
static void
check_size(const char *path, const struct stat *sb, const struct stream_stats *st)
{
	if (!opt.decompress && S_ISREG(sb->st_mode) && st->in != (uint64_t)sb->st_size)
		fprintf(stderr, PROG ": %s: file size changed while zipping\n", path);
}

static int
process_stream(int in_fd, int out_fd, const char *name, struct stream_stats *st)
{
	if (opt.decompress || opt.test)
		return decompress_fd(in_fd, out_fd, name, st);
	return compress_fd(in_fd, out_fd, name, st);
}

static void
process_stdin(void)
{
	struct stream_stats st = { 0 };

	if (!opt.decompress && !opt.test && !opt.force && isatty(STDOUT_FILENO)) {
		errmsg("compressed data not written to a terminal. Use -f to force compression.\n"
		       "For help, type: " PROG " -h");
		return;
	}
	if ((opt.decompress || opt.test) && !opt.force && isatty(STDIN_FILENO)) {
		errmsg("compressed data not read from a terminal. Use -f to force decompression.\n"
		       "For help, type: " PROG " -h");
		return;
	}
	if (process_stream(STDIN_FILENO, opt.test ? -1 : STDOUT_FILENO, "stdin", &st) == 0) {
		if (opt.test && opt.verbose)
			fprintf(stderr, "stdin:\t OK\n");
		else if (opt.verbose)
			report_ratio("stdin", &st, "", NULL);
	}
}

static void
process_file(const char *path)
{
	struct stream_stats st = { 0 };
	char out_path[PATH_MAX], dir[PATH_MAX];
	struct stat sb, ob;
	int in_fd, out_fd = -1;
	const char *slash;

	if (strcmp(path, "-") == 0) {
		process_stdin();
		return;
	}
	/* O_NONBLOCK: opening a FIFO without a writer must not block (as gzip) */
	in_fd = open(path, O_RDONLY | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (in_fd < 0 && errno == ELOOP && opt.force)
		in_fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (in_fd < 0) {
		/* a symbolic link without -f: an error as in gzip 1.12 (ELOOP's text) */
		errmsg("%s: %s", path, strerror(errno));
		return;
	}
	if (fstat(in_fd, &sb) < 0) {
		errmsg("%s: %s", path, strerror(errno));
		close(in_fd);
		return;
	}
	if (S_ISDIR(sb.st_mode)) {
		warnmsg("%s is a directory -- ignored", path);
		close(in_fd);
		return;
	}
	if (!S_ISREG(sb.st_mode) && !opt.to_stdout && !opt.test) {
		warnmsg("%s is not a directory or a regular file - ignored", path);
		close(in_fd);
		return;
	}
	/*
	 * Reads block again: -c or -t on a FIFO whose writer has it open waits
	 * for its data (with no writer yet, the first read is end-of-file, as
	 * for gzip 1.12)
	 */
	{
		int fl = fcntl(in_fd, F_GETFL);

		if (fl < 0 || fcntl(in_fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
			errmsg("%s: %s", path, strerror(errno));
			close(in_fd);
			return;
		}
	}
	if (opt.test) {
		if (decompress_fd(in_fd, -1, path, &st) == 0 && opt.verbose)
			fprintf(stderr, "%s:\t OK\n", path);
		close(in_fd);
		return;
	}
	if (opt.to_stdout) {
		if (!opt.decompress && !opt.force && isatty(STDOUT_FILENO)) {
			errmsg("compressed data not written to a terminal. Use -f to force "
			       "compression.");
			close(in_fd);
			return;
		}
		if (process_stream(in_fd, STDOUT_FILENO, path, &st) == 0) {
			check_size(path, &sb, &st);
			if (opt.verbose)
				report_ratio(path, &st, "", NULL);
		}
		close(in_fd);
		return;
	}

	/* Output file name. */
	if (opt.decompress) {
		if (!strip_suffix(path, out_path, sizeof(out_path))) {
			warnmsg("%s: unknown suffix -- ignored", path);
			close(in_fd);
			return;
		}
	} else {
		if (has_gz_suffix(path)) {
			warnmsg("%s already has %s suffix -- unchanged", path,
				ends_with(path, opt.suffix) ? opt.suffix : "a .gz");
			close(in_fd);
			return;
		}
		if (strlen(path) + strlen(opt.suffix) >= sizeof(out_path)) {
			errmsg("%s: file name too long", path);
			close(in_fd);
			return;
		}
		memcpy(out_path, path, strlen(path));
		memcpy(out_path + strlen(path), opt.suffix, strlen(opt.suffix) + 1);
	}
	if (!opt.force && sb.st_nlink > 1) {
		warnmsg("%s has %lu other link%s -- unchanged", path,
			(unsigned long)sb.st_nlink - 1, sb.st_nlink > 2 ? "s" : "");
		close(in_fd);
		return;
	}
	if (lstat(out_path, &ob) == 0) {
		if (ob.st_dev == sb.st_dev && ob.st_ino == sb.st_ino) {
			errmsg("%s: input and output are the same file", path);
			close(in_fd);
			return;
		}
		if (!may_overwrite(out_path)) {
			close(in_fd);
			return;
		}
	}

	/* A temporary file next to the output, renamed into place at the end. */
	slash = strrchr(out_path, '/');
	if (slash != NULL)
		snprintf(dir, sizeof(dir), "%.*s/", (int)(slash - out_path), out_path);
	else
		dir[0] = '\0';
	if ((size_t)snprintf(tmp_path, sizeof(tmp_path), "%s.wd-gzip.XXXXXX", dir) >=
	    sizeof(tmp_path)) {
		errmsg("%s: file name too long", path);
		close(in_fd);
		return;
	}
	out_fd = mkstemp(tmp_path);
	if (out_fd < 0) {
		errmsg("%s: cannot create a temporary file in '%s': %s", path,
		       dir[0] ? dir : ".", strerror(errno));
		close(in_fd);
		return;
	}
	tmp_active = 1;
	if (process_stream(in_fd, out_fd, path, &st) < 0)
		goto fail;
	check_size(path, &sb, &st);
	/* Same mode, owner and times as the input, as gzip does. */
	if (fchown(out_fd, sb.st_uid, sb.st_gid) < 0)
		(void)fchown(out_fd, (uid_t)-1, sb.st_gid);
	if (fchmod(out_fd, sb.st_mode & 07777) < 0) {
		errmsg("%s: cannot set the mode of %s: %s", path, out_path, strerror(errno));
		goto fail;
	}
	{
		struct timespec ts[2] = { sb.st_atim, sb.st_mtim };

		(void)futimens(out_fd, ts);
	}
	if (close(out_fd) < 0) {
		out_fd = -1;
		errmsg("%s: write error on %s: %s", path, out_path, strerror(errno));
		goto fail;
	}
	out_fd = -1;
	if (rename(tmp_path, out_path) < 0) {
		errmsg("%s: cannot create %s: %s", path, out_path, strerror(errno));
		goto fail;
	}
	tmp_active = 0;
	close(in_fd);
	if (opt.verbose)
		report_ratio(path, &st, opt.keep ? "created" : "replaced with", out_path);
	/* the output is complete: a warning (exit 2), as gzip says it */
	if (!opt.keep && unlink(path) < 0)
		warnmsg("%s: cannot remove: %s", path, strerror(errno));
	return;
fail:
	if (out_fd >= 0)
		close(out_fd);
	unlink(tmp_path);
	tmp_active = 0;
	close(in_fd);
}

/* ---------------------------------------------------------------- */
/* EAL start-up                                                       */
/* ---------------------------------------------------------------- */

#define MAX_EAL_ARGS 64

static bool
hugepages_free(unsigned int mb)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	unsigned long n = 0;
	char line[512];
	bool mounted = false;

	if (f != NULL) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 0;
		fclose(f);
	}
	f = fopen("/proc/mounts", "r");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strstr(line, " hugetlbfs ") != NULL)
				mounted = true;
		fclose(f);
	}
	return mounted && n * 2 >= mb;
}

static bool
user_has(char **args, int n, const char *const *names)
{
	for (int i = 0; i < n; i++)
		for (const char *const *nm = names; *nm != NULL; nm++)
			if (strncmp(args[i], *nm, strlen(*nm)) == 0)
				return true;
	return false;
}

/*
 * rte_eal_init() with nothing on our standard output, which may be the
 * data (-c): EAL prints its usage there on bad arguments. The log stream
 * is set to stderr explicitly, whatever a DPDK build's default.
 */
static int
eal_init_off_stdout(int argc, char **argv)
{
	int saved, ret, err;

	rte_openlog_stream(stderr);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		close(saved);
		saved = -1;
	}
	ret = rte_eal_init(argc, argv);
	err = rte_errno;
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	rte_errno = err;
	return ret;
}

static int
start_eal(const char *prog)
{
	static char *argv[MAX_EAL_ARGS];
	static char user[2048], lcores[256];
	static const char *const lcore_opts[] = { "-l", "-c", "--lcores", NULL };
	static const char *const mem_opts[] = { "-m", "--socket-mem", "--no-huge", NULL };
	static const char *const shm_opts[] = { "--in-memory", "--file-prefix", "--no-shconf",
						"--proc-type", NULL };
	static const char *const pci_opts[] = { "-a", "--allow", "-b", "--block", "--no-pci",
						NULL };
	static const char *const log_opts[] = { "--log-level", NULL };
	char *uargs[MAX_EAL_ARGS], *save = NULL, *tok;
	const char *env = getenv("WD_GZIP_EAL_ARGS");
	int argc = 0, nu = 0;
	bool huge;
	cpu_set_t set;
	size_t pos = 0;

	if (opt.eal_args != NULL)
		env = opt.eal_args;
	if (env != NULL) {
		snprintf(user, sizeof(user), "%s", env);
		for (tok = strtok_r(user, " \t", &save); tok != NULL && nu < MAX_EAL_ARGS / 2;
		     tok = strtok_r(NULL, " \t", &save))
			uargs[nu++] = tok;
	}
	argv[argc++] = (char *)(uintptr_t)prog;
	argv[argc++] = (char *)(uintptr_t)"--iova-mode=va";
	argv[argc++] = (char *)(uintptr_t)"--no-telemetry";
	if (!user_has(uargs, nu, log_opts))
		argv[argc++] = (char *)(uintptr_t)"--log-level=error";
	if (!user_has(uargs, nu, lcore_opts)) {
		/* one lcore, free to run on any CPU we may use (the device model's
		 * threads then share the CPUs with us instead of one CPU) */
		pos = (size_t)snprintf(lcores, sizeof(lcores), "--lcores=0@(");
		if (sched_getaffinity(0, sizeof(set), &set) == 0) {
			bool first = true;

			for (int c = 0; c < CPU_SETSIZE && pos < sizeof(lcores) - 8; c++) {
				if (!CPU_ISSET(c, &set))
					continue;
				pos += (size_t)snprintf(lcores + pos, sizeof(lcores) - pos, "%s%d",
							first ? "" : ",", c);
				first = false;
			}
			if (first)
				pos += (size_t)snprintf(lcores + pos, sizeof(lcores) - pos, "0");
		} else {
			pos += (size_t)snprintf(lcores + pos, sizeof(lcores) - pos, "0");
		}
		snprintf(lcores + pos, sizeof(lcores) - pos, ")");
		argv[argc++] = lcores;
	}
	huge = hugepages_free(64);
	if (!user_has(uargs, nu, mem_opts)) {
		argv[argc++] = (char *)(uintptr_t)"-m";
		argv[argc++] = (char *)(uintptr_t)"64";
		if (!huge)
			argv[argc++] = (char *)(uintptr_t)"--no-huge";
	} else {
		huge = !user_has(uargs, nu, (const char *const[]){ "--no-huge", NULL });
	}
	if (!user_has(uargs, nu, shm_opts))
		argv[argc++] = (char *)(uintptr_t)(huge ? "--in-memory" : "--no-shconf");
	if (!user_has(uargs, nu, pci_opts)) {
		static char allow[WD_MAX_DEVS][16];
		char bdfs[WD_MAX_DEVS][sizeof(allow[0])];
		struct wd_spec sp;
		int n = 0;

		/*
		 * Never let EAL probe the machine's other PCI devices (a NIC bound
		 * to vfio-pci would be taken): allow exactly the accelerator
		 * named by --dev, or without --dev the accelerators bound to
		 * vfio-pci; none of them: no PCI scan at all.
		 */
		if (opt.dev_spec != NULL && wd_spec_parse(opt.dev_spec, &sp) == 0) {
			if (sp.kind == WD_SPEC_PCI) {
				snprintf(bdfs[0], sizeof(bdfs[0]), "%.12s", sp.name);
				n = 1;
			}
		} else {
			n = wd_pci_bound_devices(bdfs, WD_MAX_DEVS);
			if (n > WD_MAX_DEVS)
				n = WD_MAX_DEVS;
		}
		if (n <= 0)
			argv[argc++] = (char *)(uintptr_t)"--no-pci";
		for (int i = 0; i < n && argc < MAX_EAL_ARGS - 2; i++) {
			/* NUL-terminated names of the same size (a copy, not a format) */
			memcpy(allow[i], bdfs[i], sizeof(allow[i]));
			allow[i][sizeof(allow[i]) - 1] = '\0';
			argv[argc++] = (char *)(uintptr_t)"-a";
			argv[argc++] = allow[i];
		}
	}
	for (int i = 0; i < nu && argc < MAX_EAL_ARGS - 1; i++)
		argv[argc++] = uargs[i];
	argv[argc] = NULL;
	if (eal_init_off_stdout(argc, argv) < 0) {
		errmsg("cannot start DPDK's EAL: %s (EAL arguments can be given with "
		       "WD_GZIP_EAL_ARGS or --eal)", rte_strerror(rte_errno));
		return -1;
	}
	if (wd_init() < 0) {
		errmsg("cannot start WarpDrive (EAL must run with --iova-mode=va)");
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [OPTION]... [FILE]...\n"
		"Compress or decompress FILEs in the gzip format (in place by default) on a\n"
		"WarpDrive-ZIP device: an accelerator bound to vfio-pci, the device model,\n"
		"or the software engine.\n"
		"\n"
		"  -c, --stdout      write on standard output, keep original files\n"
		"  -d, --decompress  decompress\n"
		"  -f, --force       overwrite output files, compress links and to a terminal;\n"
		"                    with -dc (or -d from standard input, or -t), pass input\n"
		"                    that is not gzip through unchanged (-t: accept it)\n"
		"  -h, --help        give this help\n"
		"  -k, --keep        keep (don't delete) input files\n"
		"  -n, --no-name     do not save the name and time (always the case)\n"
		"  -q, --quiet       suppress all warnings\n"
		"  -S, --suffix=SUF  use suffix SUF on compressed files (default .gz)\n"
		"  -t, --test        test compressed file integrity\n"
		"  -v, --verbose     verbose mode\n"
		"  -V, --version     display version number\n"
		"  -1, --fast        compress faster\n"
		"  -9, --best        compress better (-2 .. -8 as gzip)\n"
		"      --dev=SPEC    device: a PCI address, model[:key=value,...] or sw\n"
		"                    (default: the first accelerator bound to vfio-pci, else sw)\n"
		"      --eal=ARGS    extra DPDK EAL arguments (also WD_GZIP_EAL_ARGS)\n"
		"\n"
		"With no FILE, or when FILE is -, read standard input.\n"
		"Exit status: 0 success, 1 error, 2 warning.\n");
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "stdout", no_argument, NULL, 'c' },
		{ "to-stdout", no_argument, NULL, 'c' },
		{ "decompress", no_argument, NULL, 'd' },
		{ "uncompress", no_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "keep", no_argument, NULL, 'k' },
		{ "no-name", no_argument, NULL, 'n' },
		{ "name", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "silent", no_argument, NULL, 'q' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "list", no_argument, NULL, 'l' },
		{ "suffix", required_argument, NULL, 'S' },
		{ "test", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "fast", no_argument, NULL, '1' },
		{ "best", no_argument, NULL, '9' },
		{ "dev", required_argument, NULL, 'D' },
		{ "eal", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	/* leading ':': a missing argument is ':', not '?' (which named --dev as -D) */
	while ((c = getopt_long(argc, argv, ":cdfhklnNqrS:tvV123456789", lopts, NULL)) != -1) {
		switch (c) {
		case 'c': opt.to_stdout = true; break;
		case 'd': opt.decompress = true; break;
		case 'f': opt.force = true; break;
		case 'h': usage(stdout); return 0;
		case 'k': opt.keep = true; break;
		case 'n': break;
		case 'N':
			fprintf(stderr, PROG ": -N is not supported: headers are written as by "
				"gzip -n (no name, no time)\n");
			return EX_ERROR;
		case 'l':
		case 'r':
			fprintf(stderr, PROG ": option -%c is not supported\n", c);
			return EX_ERROR;
		case 'q': opt.quiet++; opt.verbose = false; break;
		case 'S':
			if (*optarg == '\0' || strchr(optarg, '/') != NULL) {
				fprintf(stderr, PROG ": invalid suffix '%s'\n", optarg);
				return EX_ERROR;
			}
			opt.suffix = optarg;
			break;
		case 't': opt.test = true; break;
		case 'v': opt.verbose = true; opt.quiet = 0; break;
		case 'V':
			printf(PROG " %s (WarpDrive-ZIP)\n", WD_VERSION);
			return 0;
		case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8':
		case '9':
			opt.level = c - '0';
			break;
		case 'D': {
			struct wd_spec sp;

			if (wd_spec_parse(optarg, &sp) < 0) {
				fprintf(stderr,
					PROG ": --dev %s: not a device specification (a PCI "
					"address, model[:key=value,...] or sw)\n", optarg);
				return EX_ERROR;
			}
			opt.dev_spec = optarg;
			break;
		}
		case 'E': opt.eal_args = optarg; break;
		case ':':
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				fprintf(stderr, PROG ": option '%s' requires an argument\n",
					argv[optind - 1]);
			else
				fprintf(stderr, PROG ": option requires an argument -- '%c'\n",
					optopt);
			fprintf(stderr, "Try '" PROG " --help' for more information.\n");
			return EX_ERROR;
		case '?':
		default:
			if (optopt != 0 && optopt < 128)
				fprintf(stderr, PROG ": invalid option -- '%c'\n", optopt);
			else
				fprintf(stderr, PROG ": unrecognized option '%s'\n",
					argv[optind - 1]);
			fprintf(stderr, "Try '" PROG " --help' for more information.\n");
			return EX_ERROR;
		}
	}
	if (opt.test)
		opt.decompress = true;

	catch_signal(SIGINT, on_signal);
	catch_signal(SIGTERM, on_signal);
	catch_signal(SIGHUP, on_signal);
	sigpipe_ignored = catch_signal(SIGPIPE, SIG_IGN);

	if (start_eal(argv[0]) < 0)
		return EX_ERROR;
	if (engine_open() < 0) {
		wd_cleanup();
		rte_eal_cleanup();
		return EX_ERROR;
	}
	if (optind == argc) {
		process_stdin();
	} else {
		for (int i = optind; i < argc; i++)
			process_file(argv[i]);
	}
	if (opt.verbose && (wz.hw_ops || wz.sw_ops))
		fprintf(stderr, PROG ": %llu ops on the device, %llu in software\n",
			(unsigned long long)wz.hw_ops, (unsigned long long)wz.sw_ops);
	engine_close();
	wd_cleanup();
	rte_eal_cleanup();
	return exit_code;
}
