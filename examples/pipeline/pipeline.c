/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pipeline: wd_comp inside a DPDK packet pipeline.
 *
 *   pipeline [EAL options] -- --in FILE.pcap [--out FILE.pcap] [options]
 *
 *   RX port --> ring --> IPComp stage (wd_comp) --> ring --> TX port
 *
 * The RX port is a DPDK ethdev: net_pcap reading FILE.pcap (Debian's DPDK
 * ships it as a plugin that EAL loads), or, when net_pcap is missing or
 * with --ports ring, a net_ring port fed from the file by this program.
 * The IPComp stage compresses the payload of every IPv4/IPv6 packet with
 * raw deflate as RFC 3173 (IPComp) and RFC 2394 (CPI 2) say: one
 * stateless op per packet, the IP header gets protocol/next header 108
 * and a 4-byte IPComp header; a payload that would not get smaller is
 * sent as it was (the op's output room is one byte less than that, so
 * "does not shrink" comes back as an out-of-space status); small
 * payloads (--min-size, 90 bytes as RFC 2394 advises), fragments,
 * IPComp packets and non-IP frames pass through. Packet order is kept:
 * the stage keeps a few bursts in flight and releases them in order.
 * The TX port writes --out (net_pcap, or this program from a net_ring
 * port) or, without --out, a net_ring sink that counts and frees.
 *
 * --check decompresses every compressed payload again (on a second queue
 * pair) and compares it with the original. Reports packets/s, bytes,
 * ratio, drops, engine counts; exit status 1 on a check failure or an op
 * error, 2 on bad options or set-up failure.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#ifdef PL_HAVE_NET_RING
#include <rte_eth_ring.h>
#endif

#include "wd_comp.h"

#define PROG "pipeline"
#define MAX_FRAME 65535                 /* largest frame read and written (pcap snaplen) */
/*
 * Largest frame net_pcap carries whole (DPDK 22.11: RTE_ETH_PCAP_SNAPLEN):
 * it cuts longer frames on transmit, and frames over 65535 bytes crash it.
 */
#define NET_PCAP_MAX_FRAME 16128
#define MAX_DURATION_S 86400.0          /* --duration: at most a day */
#define MAX_PCAP_RECORD 262144          /* larger records: a corrupt file (libpcap's limit) */
#define MAX_BURST 64
#define NB_BATCHES 4                    /* bursts in flight in the IPComp stage */
#define RING_SIZE 4096
#define NB_MBUFS 16383
#define OUT_ROOM 9216                   /* largest payload compressed (jumbo frames) */
#define IPCOMP_HLEN 4
#define IPCOMP_PROTO 108
#define IPCOMP_CPI_DEFLATE 2            /* RFC 2394 */
#define IDLE_END_MS 300                 /* input port quiet this long: input ended */
#define STALL_SEC 10                    /* an op not back by then: the device is stuck */

static volatile bool force_quit;

static struct {
	const char *in;
	const char *out;
	const char *dev;
	bool check;
	bool ring_ports;
	int level;
	uint16_t burst;
	uint32_t min_size;
	double duration;
} opt = { .level = WD_COMP_LEVEL_DEFAULT, .burst = 32, .min_size = 90, .duration = 0 };

/* Counters, one cache line per stage. */
struct rx_stats {
	uint64_t pkts, bytes, ring_drops;
	uint64_t t_first;
} __rte_cache_aligned;

struct comp_stats {
	uint64_t pkts, candidates, compressed, not_smaller, passed, small, large;
	uint64_t payload_in, payload_out;     /* compressed packets only */
	uint64_t op_errors, hw_ops, sw_ops, ring_drops;
	uint64_t check_ok, check_fail;
	char first_error[160];
} __rte_cache_aligned;

struct tx_stats {
	uint64_t pkts, bytes, port_drops, sunk;
	uint64_t t_last;
} __rte_cache_aligned;

static struct rx_stats rxs;
static struct comp_stats cs;
static struct tx_stats txs;

static struct {
	uint16_t in_port, out_port;
	bool out_is_ring;      /* output port is a net_ring we drain ourselves */
	bool in_is_ring;       /* input port is a net_ring we feed ourselves */
	struct rte_ring *in_feed, *out_drain;
	FILE *in_file;         /* ring mode: the pcap we read */
	bool in_swapped, in_nsec;
	uint64_t in_records;   /* ring mode: records read */
	uint64_t in_too_big;   /* ring mode: frames over MAX_FRAME, skipped */
	uint32_t in_max_len;   /* the input's largest record (pcap_check_in()) */
	char in_error[256];    /* ring mode: the file is corrupt (the run fails) */
	FILE *out_file;        /* ring mode: the pcap we write */
	struct rte_ring *ring_rx, *ring_tx;
	struct rte_mempool *pkt_pool, *out_pool, *op_pool;
	uint8_t dev;
	void *xf_comp;
	struct wd_comp_xform dxf;
	/*
	 * Stage ends, set after a stage's last ring enqueue and read before
	 * the ring is found empty: stage_end() / stage_ended() order them.
	 */
	bool rx_done, comp_done, tx_done;
	uint64_t hz;
} pl;

/* A stage has ended: after its last enqueue, seen by whoever sees the flag. */
static inline void
stage_end(bool *flag)
{
	__atomic_store_n(flag, true, __ATOMIC_RELEASE);
}

static inline bool
stage_ended(const bool *flag)
{
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	force_quit = true;
}

/* ---------------------------------------------------------------- */
/* pcap files (ring-port mode only; net_pcap does this otherwise)     */
/* ---------------------------------------------------------------- */

struct pcap_ghdr {
	uint32_t magic;
	uint16_t vmaj, vmin;
	int32_t zone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rhdr {
	uint32_t sec, frac, incl, orig;
};

static int
pcap_open_in(const char *path)
{
	struct pcap_ghdr g;

	pl.in_file = fopen(path, "rb");
	if (pl.in_file == NULL) {
		fprintf(stderr, PROG ": --in %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (fread(&g, sizeof(g), 1, pl.in_file) != 1) {
		/* a directory opens and reads nothing (EISDIR): say which */
		fprintf(stderr, PROG ": --in %s: %s\n", path, ferror(pl.in_file) ?
			strerror(errno) : "not a pcap file (too short)");
		return -EINVAL;
	}
	switch (g.magic) {
	case 0xa1b2c3d4: break;
	case 0xa1b23c4d: pl.in_nsec = true; break;
	case 0xd4c3b2a1: pl.in_swapped = true; break;
	case 0x4d3cb2a1: pl.in_swapped = pl.in_nsec = true; break;
	default:
		fprintf(stderr, PROG ": --in %s: not a pcap file (magic 0x%08x)\n", path, g.magic);
		return -EINVAL;
	}
	if ((pl.in_swapped ? rte_bswap32(g.linktype) : g.linktype) != 1) {
		fprintf(stderr, PROG ": --in %s: link type is not Ethernet\n", path);
		return -EINVAL;
	}
	return 0;
}

/* A corrupt input file: say where, and end the input (the run fails). */
static void
pcap_corrupt(const char *what, uint32_t len)
{
	snprintf(pl.in_error, sizeof(pl.in_error), "--in %s: record %" PRIu64 " %s (%u bytes)",
		 opt.in, pl.in_records + 1, what, len);
}

/*
 * One frame of @p len bytes into a chain of mbufs (as net_pcap does with
 * frames larger than one). @return the chain; NULL: out of mbufs (the
 * frame is skipped) or a read error (pl.in_error set).
 */
static struct rte_mbuf *
pcap_read_frame(uint32_t len)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t left = len;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pl.pkt_pool);
		uint32_t n;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			if (fseek(pl.in_file, left, SEEK_CUR) != 0)
				pcap_corrupt("cannot be skipped", len);
			return NULL;
		}
		n = RTE_MIN(left, (uint32_t)rte_pktmbuf_tailroom(m));
		if (n > 0 && fread(rte_pktmbuf_mtod(m, void *), n, 1, pl.in_file) != 1) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			pcap_corrupt("is cut short", len);
			return NULL;
		}
		m->data_len = (uint16_t)n;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
		}
		last = m;
		left -= n;
	} while (left > 0);
	head->pkt_len = len;
	return head;
}

/*
 * The next record header of the input: its captured length in @p len.
 * @return 1, 0 at the end of the file, -1 corrupt (@p what says how; @p len
 * the bytes found or claimed).
 */
static int
pcap_next_record(uint32_t *len, const char **what)
{
	struct pcap_rhdr r;
	size_t got = fread(&r, 1, sizeof(r), pl.in_file);

	if (got == 0)
		return 0;
	if (got != sizeof(r)) {
		*len = (uint32_t)got;
		*what = "has a cut-short header";
		return -1;
	}
	*len = pl.in_swapped ? rte_bswap32(r.incl) : r.incl;
	if (*len > MAX_PCAP_RECORD) {
		*what = "claims an impossible length";
		return -1;
	}
	return 1;
}

/* Read up to @p n packets into mbufs. @return count; 0 at the end. */
static unsigned int
pcap_read(struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int k = 0;

	while (k < n && pl.in_error[0] == '\0') {
		const char *what = NULL;
		struct rte_mbuf *m;
		uint32_t len = 0;
		int got = pcap_next_record(&len, &what);

		if (got < 0)
			pcap_corrupt(what, len);
		if (got <= 0)
			break;
		pl.in_records++;
		if (len > MAX_FRAME) {
			/* a capture of something bigger than an IP packet: not ours */
			pl.in_too_big++;
			if (fseek(pl.in_file, len, SEEK_CUR) != 0) {
				pcap_corrupt("cannot be skipped", len);
				break;
			}
			continue;
		}
		m = pcap_read_frame(len);
		if (m != NULL)
			pkts[k++] = m;
	}
	return k;
}

/*
 * The input file, before any port opens it: its global header, then every
 * record's length against the file (net_pcap would end quietly at a
 * corrupt record). @return 0, -errno.
 */
static int
pcap_check_in(const char *path)
{
	int ret = pcap_open_in(path);
	struct stat sb;
	uint64_t n = 0;

	if (ret == 0 && fstat(fileno(pl.in_file), &sb) != 0)
		ret = -errno;
	while (ret == 0) {
		const char *what = "is cut short";
		uint32_t len = 0;
		int got = pcap_next_record(&len, &what);
		long off = ftell(pl.in_file);

		if (got == 0)
			break;
		n++;
		if (got > 0 && len > pl.in_max_len)
			pl.in_max_len = len;
		if (got < 0 || off < 0 || (uint64_t)off + len > (uint64_t)sb.st_size ||
		    fseek(pl.in_file, len, SEEK_CUR) != 0) {
			fprintf(stderr, PROG ": --in %s: record %" PRIu64 " %s: the file is "
				"corrupt\n", path, n, what);
			ret = -EINVAL;
		}
	}
	if (pl.in_file != NULL)
		fclose(pl.in_file);
	pl.in_file = NULL;
	pl.in_swapped = pl.in_nsec = false;
	return ret;
}

#ifdef PL_HAVE_NET_RING
/* --out with ring ports: this program writes the capture (net_pcap does otherwise) */
static int
pcap_open_out(const char *path)
{
	struct pcap_ghdr g = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1 };
	int err;

	pl.out_file = fopen(path, "wb");
	if (pl.out_file == NULL) {
		err = errno;
		fprintf(stderr, PROG ": --out %s: %s\n", path, strerror(err));
		return -err;
	}
	if (fwrite(&g, sizeof(g), 1, pl.out_file) != 1)
		return -EIO;
	return 0;
}
#endif

static void
pcap_write(struct rte_mbuf *m)
{
	struct pcap_rhdr r;
	uint64_t ns = (uint64_t)((double)rte_get_timer_cycles() / (double)pl.hz * 1e9);
	uint8_t buf[65536];
	const void *p;

	r.sec = (uint32_t)(ns / 1000000000);
	r.frac = (uint32_t)(ns % 1000000000 / 1000);
	r.incl = r.orig = rte_pktmbuf_pkt_len(m);
	p = rte_pktmbuf_read(m, 0, r.incl, buf);
	if (p == NULL)
		return;
	fwrite(&r, sizeof(r), 1, pl.out_file);
	fwrite(p, r.incl, 1, pl.out_file);
}

/* ---------------------------------------------------------------- */
/* ports                                                              */
/* ---------------------------------------------------------------- */

static int
port_start(uint16_t port)
{
	struct rte_eth_conf conf = { 0 };
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, 1024,
					     (unsigned int)rte_eth_dev_socket_id(port),
					     NULL, pl.pkt_pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 1024,
					     (unsigned int)rte_eth_dev_socket_id(port),
					     NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret < 0)
		fprintf(stderr, PROG ": port %u set-up failed: %s\n", port, strerror(-ret));
	return ret;
}

static int
vdev_port(const char *name, const char *args, uint16_t *port)
{
	int ret = rte_eal_hotplug_add("vdev", name, args);

	if (ret < 0)
		return ret;
	ret = rte_eth_dev_get_port_by_name(name, port);
	return ret < 0 ? ret : 0;
}

static int
ports_open(void)
{
	char args[2048];
	int ret;

	/* the input is ours to check (net_pcap reads any link type as Ethernet) */
	if (pcap_check_in(opt.in) < 0)
		return -EINVAL;
	if (opt.out != NULL) {
		FILE *f = fopen(opt.out, "ab");

		if (f == NULL) {
			fprintf(stderr, PROG ": --out %s: %s\n", opt.out, strerror(errno));
			return -errno;
		}
		fclose(f);
	}
	if (!opt.ring_ports &&
	    (strchr(opt.in, ',') != NULL || (opt.out != NULL && strchr(opt.out, ',') != NULL))) {
		/* net_pcap's arguments are comma-separated: such a path cannot be one */
		fprintf(stderr, PROG ": a file name with a comma cannot be given to net_pcap: "
			"using net_ring ports fed by this program\n");
		opt.ring_ports = true;
	}
	if (!opt.ring_ports && pl.in_max_len > NET_PCAP_MAX_FRAME) {
		/* net_pcap would cut such frames on output, or crash on those over 64 KiB */
		fprintf(stderr, PROG ": frames of up to %u bytes in --in: net_pcap carries %u at "
			"most: using net_ring ports fed by this program\n", pl.in_max_len,
			NET_PCAP_MAX_FRAME);
		opt.ring_ports = true;
	}
	if (!opt.ring_ports) {
		/* net_pcap: one port reading --in and, with --out, writing it */
		if (opt.out != NULL)
			snprintf(args, sizeof(args), "rx_pcap=%s,tx_pcap=%s", opt.in, opt.out);
		else
			snprintf(args, sizeof(args), "rx_pcap=%s", opt.in);
		ret = vdev_port("net_pcap_wd0", args, &pl.in_port);
		if (ret == 0) {
			pl.out_port = pl.in_port;
			if (port_start(pl.in_port) < 0)
				return -EIO;
			if (opt.out != NULL)
				return 0;
		} else {
			fprintf(stderr,
				PROG ": net_pcap cannot open the files (%s): using net_ring "
				"ports fed by this program\n", strerror(-ret));
			opt.ring_ports = true;
		}
	}
#ifdef PL_HAVE_NET_RING
	if (opt.ring_ports) {
		pl.in_feed = rte_ring_create("pl_in_feed", RING_SIZE, (int)rte_socket_id(),
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (pl.in_feed == NULL || pcap_open_in(opt.in) < 0)
			return -EINVAL;
		ret = rte_eth_from_ring(pl.in_feed);
		if (ret < 0) {
			fprintf(stderr, PROG ": net_ring input port: %s\n",
				rte_strerror(rte_errno));
			return -EIO;
		}
		pl.in_port = (uint16_t)ret;
		pl.in_is_ring = true;
		if (port_start(pl.in_port) < 0)
			return -EIO;
	}
	/* output: a net_ring port that we drain (and write to --out in ring mode) */
	pl.out_drain = rte_ring_create("pl_out_drain", RING_SIZE, (int)rte_socket_id(),
				       RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (pl.out_drain == NULL)
		return -ENOMEM;
	ret = rte_eth_from_ring(pl.out_drain);
	if (ret < 0) {
		fprintf(stderr, PROG ": net_ring output port: %s\n", rte_strerror(rte_errno));
		return -EIO;
	}
	pl.out_port = (uint16_t)ret;
	pl.out_is_ring = true;
	if (opt.out != NULL && pcap_open_out(opt.out) < 0)
		return -EIO;
	return port_start(pl.out_port);
#else
	fprintf(stderr, PROG ": built without net_ring: %s\n",
		opt.ring_ports ? "--ports ring is not available" : "give --out FILE.pcap");
	return -ENOTSUP;
#endif
}

static void
ports_close(void)
{
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	if (pl.in_file != NULL)
		fclose(pl.in_file);
	if (pl.out_file != NULL && fclose(pl.out_file) != 0)
		fprintf(stderr, PROG ": error writing %s\n", opt.out);
}

/* ---------------------------------------------------------------- */
/* RX and TX stages                                                   */
/* ---------------------------------------------------------------- */

struct rx_state {
	uint64_t last_pkt;
	bool feed_done;
};

/* One RX step. @return packets received. */
static unsigned int
rx_step(struct rx_state *st)
{
	struct rte_mbuf *pkts[MAX_BURST];
	uint16_t n;
	unsigned int k;
	uint64_t now = rte_get_timer_cycles();

	if (stage_ended(&pl.rx_done))
		return 0;
	if (pl.in_is_ring && !st->feed_done && rte_ring_free_count(pl.in_feed) >= opt.burst) {
		/* the "wire": packets of the file into the input port's ring */
		unsigned int got = pcap_read(pkts, opt.burst);

		if (got == 0)
			st->feed_done = true;
		k = rte_ring_enqueue_burst(pl.in_feed, (void **)pkts, got, NULL);
		rte_pktmbuf_free_bulk(pkts + k, got - k);
	}
	n = rte_eth_rx_burst(pl.in_port, 0, pkts, opt.burst);
	if (n > 0) {
		if (rxs.pkts == 0)
			rxs.t_first = now;
		rxs.pkts += n;
		for (uint16_t i = 0; i < n; i++)
			rxs.bytes += rte_pktmbuf_pkt_len(pkts[i]);
		k = rte_ring_enqueue_burst(pl.ring_rx, (void **)pkts, n, NULL);
		if (k < n) {
			rxs.ring_drops += n - k;
			rte_pktmbuf_free_bulk(pkts + k, n - k);
		}
		st->last_pkt = now;
		return n;
	}
	if (st->last_pkt == 0)
		st->last_pkt = now;
	/* the file is read once: a quiet port means the input has ended */
	if ((!pl.in_is_ring || st->feed_done) &&
	    now - st->last_pkt > pl.hz * IDLE_END_MS / 1000)
		stage_end(&pl.rx_done);
	return 0;
}

static unsigned int
tx_step(void)
{
	struct rte_mbuf *pkts[MAX_BURST];
	unsigned int n, done = 0;
	uint16_t k;

	n = rte_ring_dequeue_burst(pl.ring_tx, (void **)pkts, opt.burst, NULL);
	if (n > 0) {
		for (unsigned int i = 0; i < n; i++)
			txs.bytes += rte_pktmbuf_pkt_len(pkts[i]);
		k = rte_eth_tx_burst(pl.out_port, 0, pkts, (uint16_t)n);
		txs.pkts += k;
		if (k < n) {
			txs.port_drops += n - k;
			rte_pktmbuf_free_bulk(pkts + k, n - k);
		}
		txs.t_last = rte_get_timer_cycles();
		done += n;
	}
	if (pl.out_is_ring) {
		/* the output port's "wire": write (or just count) and free */
		uint16_t m = rte_eth_rx_burst(pl.out_port, 0, pkts, MAX_BURST);

		for (uint16_t i = 0; i < m; i++) {
			if (pl.out_file != NULL)
				pcap_write(pkts[i]);
			rte_pktmbuf_free(pkts[i]);
		}
		txs.sunk += m;
		done += m;
	}
	if (stage_ended(&pl.comp_done) && n == 0 && rte_ring_empty(pl.ring_tx) &&
	    (!pl.out_is_ring || rte_ring_empty(pl.out_drain)))
		stage_end(&pl.tx_done);
	return done;
}

/* ---------------------------------------------------------------- */
/* IPComp stage                                                       */
/* ---------------------------------------------------------------- */

enum pkt_kind { PK_PASS, PK_SMALL, PK_LARGE, PK_CANDIDATE };

struct pkt_meta {
	uint16_t l3_off;       /* start of the IP header */
	uint16_t l4_off;       /* start of the payload (after the IP header) */
	uint32_t payload_len;
	uint8_t ipv6;
	uint8_t proto;         /* IP protocol / next header of the payload */
	struct rte_mbuf *dst;
	struct wd_comp_op *op;
};

struct batch {
	struct rte_mbuf *pkts[MAX_BURST];
	struct pkt_meta meta[MAX_BURST];
	uint16_t n;
	uint16_t pending;
	bool used;
};

static struct batch batches[NB_BATCHES];
static unsigned int b_head, b_count;
static struct wd_comp_op *free_ops[NB_BATCHES * MAX_BURST];
static unsigned int nb_free_ops;
static uint8_t *chk_comp, *chk_orig, *chk_out;

static enum pkt_kind
classify(const struct rte_mbuf *m, struct pkt_meta *pm)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t dl = m->data_len, l2 = RTE_ETHER_HDR_LEN;
	uint16_t et;

	if (dl < RTE_ETHER_HDR_LEN)
		return PK_PASS;
	et = (uint16_t)(p[12] << 8 | p[13]);
	if (et == RTE_ETHER_TYPE_VLAN) {
		if (dl < RTE_ETHER_HDR_LEN + 4)
			return PK_PASS;
		et = (uint16_t)(p[16] << 8 | p[17]);
		l2 += 4;
	}
	memset(pm, 0, sizeof(*pm));
	pm->l3_off = (uint16_t)l2;
	if (et == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)(p + l2);
		uint32_t ihl, tot;

		if (dl < l2 + sizeof(*ip) || (ip->version_ihl >> 4) != 4)
			return PK_PASS;
		ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
		tot = rte_be_to_cpu_16(ip->total_length);
		if (ihl < 20 || dl < l2 + ihl || tot < ihl || l2 + tot > m->pkt_len)
			return PK_PASS;
		if (rte_be_to_cpu_16(ip->fragment_offset) & 0x3fff)
			return PK_PASS; /* a fragment: IPComp goes before fragmentation */
		if (ip->next_proto_id == IPCOMP_PROTO)
			return PK_PASS;
		pm->l4_off = (uint16_t)(l2 + ihl);
		pm->payload_len = tot - ihl;
		pm->proto = ip->next_proto_id;
	} else if (et == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip = (const void *)(p + l2);
		uint32_t plen;

		if (dl < l2 + sizeof(*ip) || (rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6)
			return PK_PASS;
		switch (ip->proto) {
		case 0: case 43: case 44: case 50: case 51: case 60: case IPCOMP_PROTO:
		case 135: case 139: case 140:
			return PK_PASS; /* extension headers: left alone in this example */
		default:
			break;
		}
		plen = rte_be_to_cpu_16(ip->payload_len);
		if (l2 + sizeof(*ip) + plen > m->pkt_len)
			return PK_PASS;
		pm->l4_off = (uint16_t)(l2 + sizeof(*ip));
		pm->payload_len = plen;
		pm->proto = ip->proto;
		pm->ipv6 = 1;
	} else {
		return PK_PASS;
	}
	if (pm->payload_len < opt.min_size || pm->payload_len < 16)
		return PK_SMALL;
	if (pm->payload_len - IPCOMP_HLEN - 1 > OUT_ROOM)
		return PK_LARGE;
	return PK_CANDIDATE;
}

/* The compressed packet: headers of the original, IPComp header, payload. */
static struct rte_mbuf *
build_ipcomp(struct rte_mbuf *orig, struct pkt_meta *pm, uint32_t produced)
{
	struct rte_mbuf *d = pm->dst;
	uint16_t hdrs = pm->l4_off;
	uint8_t *h;

	d->data_len = (uint16_t)produced;
	d->pkt_len = produced;
	h = (uint8_t *)rte_pktmbuf_prepend(d, (uint16_t)(hdrs + IPCOMP_HLEN));
	if (h == NULL)
		return NULL;
	memcpy(h, rte_pktmbuf_mtod(orig, const uint8_t *), hdrs);
	h[hdrs] = pm->proto;       /* Next Header */
	h[hdrs + 1] = 0;           /* Flags */
	h[hdrs + 2] = 0;           /* CPI, network order */
	h[hdrs + 3] = IPCOMP_CPI_DEFLATE;
	if (pm->ipv6) {
		struct rte_ipv6_hdr *ip = (void *)(h + pm->l3_off);

		ip->proto = IPCOMP_PROTO;
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(IPCOMP_HLEN + produced));
	} else {
		struct rte_ipv4_hdr *ip = (void *)(h + pm->l3_off);

		ip->next_proto_id = IPCOMP_PROTO;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(pm->l4_off - pm->l3_off +
								 IPCOMP_HLEN + produced));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	d->port = orig->port;
	return d;
}

/* --check: decompress the new payload and compare it with the original. */
static void
check_payload(struct rte_mbuf *orig, const struct pkt_meta *pm, struct rte_mbuf *comp,
	      uint32_t produced)
{
	struct wd_comp_buf_result res;
	const void *o, *c;
	int ret;

	o = rte_pktmbuf_read(orig, pm->l4_off, pm->payload_len, chk_orig);
	c = rte_pktmbuf_read(comp, pm->l4_off + IPCOMP_HLEN, produced, chk_comp);
	if (o == NULL || c == NULL) {
		cs.check_fail++;
		return;
	}
	ret = wd_comp_buf_process(pl.dev, 1, &pl.dxf, c, produced, chk_out, OUT_ROOM + 64, &res);
	if (ret == 0 && res.produced == pm->payload_len &&
	    memcmp(chk_out, o, pm->payload_len) == 0) {
		cs.check_ok++;
		return;
	}
	cs.check_fail++;
	if (cs.first_error[0] == '\0')
		snprintf(cs.first_error, sizeof(cs.first_error),
			 "check: a payload of %u bytes does not decompress back (%s, %zu bytes)",
			 pm->payload_len, ret < 0 ? strerror(-ret) : "different data",
			 res.produced);
}

static void
complete(struct wd_comp_op *op)
{
	struct batch *b = &batches[op->user_data >> 16];
	unsigned int i = (unsigned int)(op->user_data & 0xffff);
	struct pkt_meta *pm = &b->meta[i];
	struct rte_mbuf *orig = b->pkts[i];

	if (op->engine == WD_COMP_ENGINE_HW)
		cs.hw_ops++;
	else if (op->engine == WD_COMP_ENGINE_SW)
		cs.sw_ops++;
	if (op->status == WD_COMP_OP_SUCCESS) {
		struct rte_mbuf *m = build_ipcomp(orig, pm, op->produced);

		if (m != NULL) {
			cs.compressed++;
			cs.payload_in += pm->payload_len;
			cs.payload_out += op->produced + IPCOMP_HLEN;
			if (opt.check)
				check_payload(orig, pm, m, op->produced);
			b->pkts[i] = m;
			rte_pktmbuf_free(orig);
			pm->dst = NULL;
		}
	} else if (op->status == WD_COMP_OP_OUT_OF_SPACE_TERMINATED) {
		cs.not_smaller++;   /* RFC 3173: send it as it was */
	} else {
		cs.op_errors++;
		if (cs.first_error[0] == '\0')
			snprintf(cs.first_error, sizeof(cs.first_error),
				 "an op failed: %s (packet sent uncompressed)",
				 wd_comp_op_status_str((enum wd_comp_op_status)op->status));
	}
	rte_pktmbuf_free(pm->dst);
	pm->dst = NULL;
	free_ops[nb_free_ops++] = op;
	b->pending--;
}

static unsigned int
poll_completions(void)
{
	struct wd_comp_op *done[MAX_BURST];
	uint16_t n = wd_comp_dequeue_burst(pl.dev, 0, done, MAX_BURST);

	for (uint16_t i = 0; i < n; i++)
		complete(done[i]);
	/* release finished bursts, oldest first: packet order is kept */
	while (b_count > 0 && batches[b_head].pending == 0) {
		struct batch *b = &batches[b_head];
		unsigned int k = rte_ring_enqueue_burst(pl.ring_tx, (void **)b->pkts, b->n, NULL);

		if (k < b->n) {
			cs.ring_drops += b->n - k;
			rte_pktmbuf_free_bulk(b->pkts + k, b->n - k);
		}
		b->used = false;
		b_head = (b_head + 1) % NB_BATCHES;
		b_count--;
	}
	return n;
}

/* Take a burst off the RX ring and submit its ops. @return packets taken. */
static unsigned int
submit_batch(void)
{
	unsigned int idx = (b_head + b_count) % NB_BATCHES, n, nops = 0, sent = 0;
	struct wd_comp_op *ops[MAX_BURST];
	struct batch *b = &batches[idx];
	uint64_t start;

	if (b_count == NB_BATCHES)
		return 0;
	n = rte_ring_dequeue_burst(pl.ring_rx, (void **)b->pkts, opt.burst, NULL);
	if (n == 0)
		return 0;
	b->n = (uint16_t)n;
	b->pending = 0;
	b->used = true;
	cs.pkts += n;
	for (unsigned int i = 0; i < n; i++) {
		struct pkt_meta *pm = &b->meta[i];
		enum pkt_kind k = classify(b->pkts[i], pm);
		struct wd_comp_op *op;
		struct rte_mbuf *d;

		pm->dst = NULL;
		if (k == PK_PASS) {
			cs.passed++;
			continue;
		}
		if (k == PK_SMALL) {
			cs.small++;
			continue;
		}
		if (k == PK_LARGE) {
			cs.large++;
			continue;
		}
		d = rte_pktmbuf_alloc(pl.out_pool);
		if (d == NULL || nb_free_ops == 0) {
			rte_pktmbuf_free(d);
			cs.passed++;
			continue;
		}
		cs.candidates++;
		/* room for one byte less than "payload - IPComp header": anything
		 * that does not shrink ends as out-of-space */
		d->data_len = (uint16_t)(pm->payload_len - IPCOMP_HLEN - 1);
		d->pkt_len = d->data_len;
		op = free_ops[--nb_free_ops];
		op->op_type = WD_COMP_OP_STATELESS;
		op->private_xform = pl.xf_comp;
		op->m_src = b->pkts[i];
		op->m_dst = d;
		op->src.offset = pm->l4_off;
		op->src.length = pm->payload_len;
		op->dst.offset = 0;
		op->flush_flag = WD_COMP_FLUSH_FINAL;
		op->user_data = (uint64_t)idx << 16 | i;
		pm->dst = d;
		pm->op = op;
		ops[nops++] = op;
		b->pending++;
	}
	b_count++;
	start = rte_get_timer_cycles();
	while (sent < nops) {
		sent += wd_comp_enqueue_burst(pl.dev, 0, ops + sent, (uint16_t)(nops - sent));
		if (sent < nops) {
			poll_completions();
			if (rte_get_timer_cycles() - start > STALL_SEC * pl.hz) {
				fprintf(stderr, PROG ": the device takes no ops for %d s\n",
					STALL_SEC);
				force_quit = true;
				break;
			}
		}
	}
	return n;
}

static unsigned int
comp_step(void)
{
	unsigned int work = poll_completions();

	work += submit_batch();
	if (stage_ended(&pl.rx_done) && b_count == 0 && rte_ring_empty(pl.ring_rx))
		stage_end(&pl.comp_done);
	return work;
}

/* ---------------------------------------------------------------- */

static int
comp_lcore(void *arg)
{
	uint64_t last = rte_get_timer_cycles();

	(void)arg;
	while (!stage_ended(&pl.comp_done) && !force_quit) {
		if (comp_step() > 0) {
			last = rte_get_timer_cycles();
			continue;
		}
		/* idle: let other threads run (the device model's, on small machines) */
		sched_yield();
		if (b_count > 0 && rte_get_timer_cycles() - last > STALL_SEC * pl.hz) {
			snprintf(cs.first_error, sizeof(cs.first_error),
				 "no completion for %d s: the device stopped answering", STALL_SEC);
			cs.op_errors++;
			force_quit = true;
		}
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [EAL options] -- --in FILE.pcap [options]\n"
		"  --in FILE.pcap     packets to read (Ethernet pcap)\n"
		"  --out FILE.pcap    write the packets that leave the pipeline (default: a\n"
		"                     net_ring port that counts and frees them)\n"
		"  --dev SPEC         compression device: a PCI address, model[:...] or sw\n"
		"                     (default: the first accelerator, else the device model)\n"
		"  --check            decompress every compressed payload again and compare\n"
		"  --level N          compression level 1..9 (default: the engine's)\n"
		"  --burst N          packets per burst (1..%d, default 32)\n"
		"  --min-size N       smallest payload to compress (default 90, RFC 2394)\n"
		"  --ports pcap|ring  net_pcap ports (default when available) or net_ring ports\n"
		"                     fed and drained by this program\n"
		"  --duration SEC     stop after SEC seconds, at most 86400 (default: at the end\n"
		"                     of the input)\n",
		MAX_BURST);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "dev", required_argument, NULL, 'D' },
		{ "check", no_argument, NULL, 'c' },
		{ "level", required_argument, NULL, 'l' },
		{ "burst", required_argument, NULL, 'b' },
		{ "min-size", required_argument, NULL, 'm' },
		{ "ports", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;
	long v;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': opt.in = optarg; break;
		case 'o': opt.out = optarg; break;
		case 'D': opt.dev = optarg; break;
		case 'c': opt.check = true; break;
		case 'l':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 9) {
				fprintf(stderr, PROG ": --level: '%s' is not 1..9\n", optarg);
				return -1;
			}
			opt.level = (int)v;
			break;
		case 'b':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > MAX_BURST) {
				fprintf(stderr, PROG ": --burst: '%s' is not 1..%d\n", optarg,
					MAX_BURST);
				return -1;
			}
			opt.burst = (uint16_t)v;
			break;
		case 'm':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 0 || v > 65535) {
				fprintf(stderr, PROG ": --min-size: '%s' is not 0..65535\n",
					optarg);
				return -1;
			}
			opt.min_size = (uint32_t)v;
			break;
		case 'p':
			if (strcmp(optarg, "ring") == 0) {
				opt.ring_ports = true;
			} else if (strcmp(optarg, "pcap") != 0) {
				fprintf(stderr, PROG ": --ports: '%s' is not pcap or ring\n",
					optarg);
				return -1;
			}
			break;
		case 't':
			opt.duration = strtod(optarg, &end);
			if (*end != '\0' || !(opt.duration > 0) || opt.duration > MAX_DURATION_S) {
				fprintf(stderr,
					PROG ": --duration: '%s' is not a number of seconds "
					"in (0, %.0f]\n", optarg, MAX_DURATION_S);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			fprintf(stderr,
				PROG ": unknown option or missing argument '%s' (see --help)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (opt.in == NULL) {
		fprintf(stderr, PROG ": --in FILE.pcap is required (see --help)\n");
		return -1;
	}
	if (access(opt.in, R_OK) != 0) {
		fprintf(stderr, PROG ": --in %s: %s\n", opt.in, strerror(errno));
		return -1;
	}
	return 0;
}

static int
device_open(void)
{
	struct wd_comp_config cfg = { .socket_id = SOCKET_ID_ANY, .nb_queue_pairs = 2 };
	struct wd_comp_qp_conf qc = { .max_inflight_ops = NB_BATCHES * MAX_BURST,
				      .socket_id = SOCKET_ID_ANY, .use_default_fallback = true };
	struct wd_comp_xform xf = { .type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_DEFLATE,
				    .level = opt.level, .window_log = 15 };
	struct wd_comp_dev_info info;
	int id, ret;

	ret = wd_comp_init();
	if (ret < 0) {
		fprintf(stderr, PROG ": wd_comp_init: %s\n", strerror(-ret));
		return ret;
	}
	if (opt.dev != NULL)
		id = wd_comp_dev_attach(opt.dev);
	else
		id = ret > 0 ? 0 : wd_comp_dev_attach("model");
	if (id < 0) {
		fprintf(stderr, PROG ": cannot attach %s: %s\n",
			opt.dev ? opt.dev : "the device model",
			strerror(-id));
		return id;
	}
	pl.dev = (uint8_t)id;
	wd_comp_dev_info_get(pl.dev, &info);
	printf(PROG ": device %s (%s%s)\n", info.name, info.driver,
	       info.hw ? "" : ", software engine");
	ret = wd_comp_dev_configure(pl.dev, &cfg);
	for (uint16_t q = 0; ret == 0 && q < 2; q++)
		ret = wd_comp_qp_setup(pl.dev, q, &qc);
	if (ret == 0)
		ret = wd_comp_dev_start(pl.dev);
	if (ret == 0)
		ret = wd_comp_private_xform_create(pl.dev, &xf, &pl.xf_comp);
	if (ret < 0) {
		fprintf(stderr, PROG ": device set-up failed: %s\n", strerror(-ret));
		return ret;
	}
	pl.dxf = (struct wd_comp_xform){ .type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_DEFLATE };
	pl.op_pool = wd_comp_op_pool_create("pl_ops", NB_BATCHES * MAX_BURST + 64, 0, 0,
					    SOCKET_ID_ANY);
	if (pl.op_pool == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < NB_BATCHES * MAX_BURST; i++) {
		free_ops[i] = wd_comp_op_alloc(pl.op_pool);
		if (free_ops[i] == NULL)
			return -ENOMEM;
		nb_free_ops++;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int worker = RTE_MAX_LCORE, lc;
	uint64_t start, end = 0, last_work;
	struct rx_state rst = { 0 };
	double secs;
	int ret, rc = 0;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, PROG ": cannot start EAL: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	argc -= ret;
	argv += ret;
	ret = parse_args(argc, argv);
	if (ret != 0) {
		rte_eal_cleanup();
		return ret > 0 ? 0 : 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	pl.hz = rte_get_timer_hz();
	if (wd_init() < 0) {
		fprintf(stderr, PROG ": WarpDrive cannot start (EAL needs --iova-mode=va)\n");
		rte_eal_cleanup();
		return 2;
	}
	/* stop at the first failure: later calls may overwrite rte_errno */
	pl.pkt_pool = rte_pktmbuf_pool_create("pl_pkts", NB_MBUFS, 256, 0,
					      RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pl.pkt_pool != NULL)
		pl.out_pool = rte_pktmbuf_pool_create("pl_out", 2047, 64, 0,
						      RTE_PKTMBUF_HEADROOM + OUT_ROOM,
						      (int)rte_socket_id());
	if (pl.out_pool != NULL)
		pl.ring_rx = rte_ring_create("pl_rx", RING_SIZE, (int)rte_socket_id(),
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (pl.ring_rx != NULL)
		pl.ring_tx = rte_ring_create("pl_tx", RING_SIZE, (int)rte_socket_id(),
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (pl.ring_tx == NULL) {
		fprintf(stderr, PROG ": out of memory: %s (give EAL more with -m)\n",
			rte_strerror(rte_errno));
		rc = 2;
		goto out;
	}
	chk_comp = malloc(OUT_ROOM + 64);
	chk_orig = malloc(65536);
	chk_out = malloc(OUT_ROOM + 64);
	if (chk_comp == NULL || chk_orig == NULL || chk_out == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		rc = 2;
		goto out;
	}
	if (device_open() < 0 || ports_open() < 0) {
		rc = 2;
		goto out;
	}
	printf(PROG ": %s -> IPComp (raw deflate, CPI %d) -> %s, %s ports\n", opt.in,
	       IPCOMP_CPI_DEFLATE, opt.out != NULL ? opt.out : "a counting sink",
	       opt.ring_ports ? "net_ring" : "net_pcap");

	/* The IPComp stage on the first worker lcore, RX/TX on the main one;
	 * with a single lcore, everything in one loop. */
	RTE_LCORE_FOREACH_WORKER(lc) {
		worker = lc;
		break;
	}
	if (worker != RTE_MAX_LCORE)
		rte_eal_remote_launch(comp_lcore, NULL, worker);
	start = rte_get_timer_cycles();
	if (opt.duration > 0)
		end = start + (uint64_t)(opt.duration * (double)pl.hz);
	last_work = start;
	while (!stage_ended(&pl.tx_done) && !force_quit) {
		unsigned int work = rx_step(&rst);

		if (worker == RTE_MAX_LCORE)
			work += comp_step();
		work += tx_step();
		if (work > 0)
			last_work = rte_get_timer_cycles();
		else
			sched_yield();
		if (end != 0 && rte_get_timer_cycles() > end)
			stage_end(&pl.rx_done);
		if (worker == RTE_MAX_LCORE && b_count > 0 &&
		    rte_get_timer_cycles() - last_work > STALL_SEC * pl.hz) {
			snprintf(cs.first_error, sizeof(cs.first_error),
				 "no completion for %d s: the device stopped answering", STALL_SEC);
			cs.op_errors++;
			force_quit = true;
		}
	}
	if (worker != RTE_MAX_LCORE)
		rte_eal_wait_lcore(worker);

	secs = txs.t_last > rxs.t_first ? (double)(txs.t_last - rxs.t_first) / (double)pl.hz : 0;
	printf("packets: %" PRIu64 " in, %" PRIu64 " out; %.3f Mpps over %.3f s\n", rxs.pkts,
	       txs.pkts, secs > 0 ? (double)rxs.pkts / secs / 1e6 : 0.0, secs);
	printf("  compressed %" PRIu64 " (IPComp), not smaller %" PRIu64 " (sent as they were), "
	       "small %" PRIu64 ", large %" PRIu64 " (payload over %u bytes), passed through %"
	       PRIu64 " (not IP, fragments, IPComp, no free buffer)\n", cs.compressed,
	       cs.not_smaller, cs.small, cs.large, (unsigned int)OUT_ROOM, cs.passed);
	printf("  payload of compressed packets: %" PRIu64 " -> %" PRIu64 " bytes (%.1f%%)\n",
	       cs.payload_in, cs.payload_out,
	       cs.payload_in ? 100.0 * (double)cs.payload_out / (double)cs.payload_in : 0.0);
	printf("  drops: rx ring %" PRIu64 ", tx ring %" PRIu64 ", tx port %" PRIu64
	       "; op errors %" PRIu64 "\n", rxs.ring_drops, cs.ring_drops, txs.port_drops,
	       cs.op_errors);
	printf("  ops: %" PRIu64 " on the device, %" PRIu64 " in software\n", cs.hw_ops,
	       cs.sw_ops);
	if (opt.check)
		printf("check: %" PRIu64 " compressed payloads decompress back: %" PRIu64 " ok, %"
		       PRIu64 " failed\n", cs.check_ok + cs.check_fail, cs.check_ok, cs.check_fail);
	if (pl.in_too_big > 0)
		printf("  not read: %" PRIu64 " frames larger than %u bytes\n", pl.in_too_big,
		       (unsigned int)MAX_FRAME);
	if (cs.first_error[0] != '\0')
		fprintf(stderr, PROG ": %s\n", cs.first_error);
	if (pl.in_error[0] != '\0')
		fprintf(stderr, PROG ": %s: the input ends there\n", pl.in_error);
	if (interrupted)
		fprintf(stderr, PROG ": interrupted: the figures are those of the run so far\n");
	if (cs.check_fail > 0 || cs.op_errors > 0 || force_quit || pl.in_error[0] != '\0')
		rc = 1;
out:
	ports_close();
	if (pl.xf_comp != NULL)
		wd_comp_private_xform_free(pl.dev, pl.xf_comp);
	for (unsigned int i = 0; i < nb_free_ops; i++)
		wd_comp_op_free(free_ops[i]);
	wd_comp_dev_stop(pl.dev);
	wd_comp_dev_close(pl.dev);
	free(chk_comp);
	free(chk_orig);
	free(chk_out);
	wd_cleanup();
	/* after the ports (they use the rings and the packet pool) and wd_cleanup()
	 * (ops still in flight at a forced stop belong to the op pool) */
	rte_mempool_free(pl.op_pool);
	rte_ring_free(pl.in_feed);
	rte_ring_free(pl.out_drain);
	rte_ring_free(pl.ring_rx);
	rte_ring_free(pl.ring_tx);
	rte_mempool_free(pl.pkt_pool);
	rte_mempool_free(pl.out_pool);
	rte_eal_cleanup();
	return rc;
}
