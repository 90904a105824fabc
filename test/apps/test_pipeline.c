/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * examples/pipeline, run as a program on the device model with a small
 * pcap made here (written in the pcap file format directly): IPv4/IPv6
 * UDP packets with compressible, incompressible and small payloads, a
 * VLAN-tagged one, a fragment and an ARP frame. The output pcap is then
 * checked independently of wd_comp: same packets in the same order;
 * IPComp ones (protocol 108, CPI 2) inflate with zlib back to the
 * original payload and carry correct IP lengths and checksums; the others
 * are unchanged. Both port kinds (net_pcap, net_ring) are run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "apps_util.h"
#include "wd_test.h"

#define PIPELINE "examples/pipeline/pipeline"
#define MAX_PKTS 512

struct pkt {
	uint8_t *data;
	uint32_t len;
};

static struct pkt in_pkts[MAX_PKTS];
static unsigned int nb_in;
static char *dir;

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t
ip_csum(const uint8_t *h, unsigned int len)
{
	uint32_t s = 0;

	for (unsigned int i = 0; i < len; i += 2)
		s += get16(h + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

enum l3 { L3_V4, L3_V6, L3_V4_VLAN, L3_V4_FRAG };

/* Ethernet (+VLAN) + IPv4/IPv6 + UDP + payload. */
static void
add_udp(enum l3 kind, const uint8_t *payload, uint32_t plen)
{
	uint32_t l2 = kind == L3_V4_VLAN ? 18 : 14, l3 = kind == L3_V6 ? 40 : 20;
	uint32_t len = l2 + l3 + 8 + plen;
	uint8_t *p = calloc(1, len);
	uint8_t *ip = p + l2, *udp = ip + l3;

	assert_non_null(p);
	memcpy(p, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (kind == L3_V4_VLAN) {
		put16(p + 12, 0x8100);
		put16(p + 14, 42);
	}
	put16(p + l2 - 2, kind == L3_V6 ? 0x86dd : 0x0800);
	if (kind == L3_V6) {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(8 + plen));
		ip[6] = 17;
		ip[7] = 64;
		ip[23] = 1;
		ip[39] = 2;
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + 8 + plen));
		put16(ip + 4, (uint16_t)nb_in);
		if (kind == L3_V4_FRAG)
			put16(ip + 6, 0x2000); /* more fragments */
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		put16(ip + 10, ip_csum(ip, 20));
	}
	put16(udp, 1000);
	put16(udp + 2, 2000);
	put16(udp + 4, (uint16_t)(8 + plen));
	memcpy(udp + 8, payload, plen);
	in_pkts[nb_in].data = p;
	in_pkts[nb_in].len = len;
	nb_in++;
}

static void
add_raw(const uint8_t *frame, uint32_t len)
{
	in_pkts[nb_in].data = malloc(len);
	assert_non_null(in_pkts[nb_in].data);
	memcpy(in_pkts[nb_in].data, frame, len);
	in_pkts[nb_in].len = len;
	nb_in++;
}

/* A pcap of raw frames (little-endian, microseconds), link type @p lt. */
static void
write_frames(const char *path, const struct pkt *f, unsigned int n, uint32_t lt)
{
	FILE *fp = fopen(path, "wb");
	uint32_t g[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 262144, lt };

	assert_non_null(fp);
	assert_int_equal(fwrite(g, sizeof(g), 1, fp), 1);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t r[4] = { i, 0, f[i].len, f[i].len };

		assert_int_equal(fwrite(r, sizeof(r), 1, fp), 1);
		assert_int_equal(fwrite(f[i].data, f[i].len, 1, fp), 1);
	}
	assert_int_equal(fclose(fp), 0);
}

static void
write_pcap(const char *path)
{
	write_frames(path, in_pkts, nb_in, 1);
}

/* Read a pcap written by net_pcap or the pipeline (little-endian, us). */
static unsigned int
read_pcap(const char *path, struct pkt *out, unsigned int max)
{
	size_t len, off = 24;
	uint8_t *buf = apps_read_file(path, &len);
	unsigned int n = 0;

	assert_non_null(buf);
	assert_true(len >= 24);
	assert_true(*(uint32_t *)(void *)buf == 0xa1b2c3d4 ||
		    *(uint32_t *)(void *)buf == 0xa1b23c4d);
	while (off + 16 <= len && n < max) {
		uint32_t incl;

		memcpy(&incl, buf + off + 8, 4);
		off += 16;
		assert_true(off + incl <= len);
		out[n].data = malloc(incl ? incl : 1);
		memcpy(out[n].data, buf + off, incl);
		out[n].len = incl;
		off += incl;
		n++;
	}
	free(buf);
	return n;
}

static int
setup(void **state)
{
	uint8_t payload[1400];
	static const uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1,
					 0x08, 0x06 };

	(void)state;
	dir = apps_tmpdir("pipeline");
	if (dir == NULL)
		return -1;
	for (unsigned int i = 0; i < 240; i++) {
		uint32_t plen = 100 + (i * 37) % 1300;

		switch (i % 6) {
		case 0: case 1: case 2:
			wd_test_gen(payload, plen, WD_TEST_DATA_TEXT, i);
			add_udp(i % 6 == 1 ? L3_V6 : L3_V4, payload, plen);
			break;
		case 3:
			wd_test_gen(payload, plen, WD_TEST_DATA_RANDOM, i);
			add_udp(L3_V4, payload, plen);  /* does not shrink: sent as it was */
			break;
		case 4:
			wd_test_gen(payload, 40, WD_TEST_DATA_TEXT, i);
			add_udp(L3_V4, payload, 40);    /* small: left alone */
			break;
		default:
			wd_test_gen(payload, plen, WD_TEST_DATA_ZEROS, i);
			add_udp(L3_V4_VLAN, payload, plen);
			break;
		}
	}
	wd_test_gen(payload, 600, WD_TEST_DATA_TEXT, 999);
	add_udp(L3_V4_FRAG, payload, 600);              /* a fragment: left alone */
	add_raw(arp, sizeof(arp));                      /* not IP */
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/in.pcap", dir);
		write_pcap(p);
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < nb_in; i++)
		free(in_pkts[i].data);
	apps_rmtree(dir);
	free(dir);
	return 0;
}

/* Check one output packet against its input packet. @return 1 if IPComp. */
static int
check_packet(const struct pkt *in, const struct pkt *out, unsigned int idx)
{
	const uint8_t *ip;
	uint32_t l2 = 14, plen, hl;
	uint16_t et;
	uint8_t proto, *back;
	bool v6;
	uLongf blen;
	z_stream zs = { 0 };

	if (out->len == in->len && memcmp(out->data, in->data, in->len) == 0)
		return 0; /* passed unchanged */
	et = get16(out->data + 12);
	if (et == 0x8100) {
		l2 = 18;
		et = get16(out->data + 16);
	}
	v6 = et == 0x86dd;
	assert_true(et == 0x0800 || v6);
	/* the L2 header is unchanged */
	assert_memory_equal(out->data, in->data, l2);
	ip = out->data + l2;
	if (v6) {
		hl = 40;
		proto = ip[6];
		assert_int_equal(get16(ip + 4) + 40 + l2, out->len);
		/* the rest of the IPv6 header is unchanged */
		assert_memory_equal(ip + 8, in->data + l2 + 8, 32);
	} else {
		hl = (ip[0] & 0xf) * 4u;
		proto = ip[9];
		assert_int_equal(get16(ip + 2) + l2, out->len);
		assert_int_equal(ip_csum(ip, hl), 0);    /* a valid header checksum */
		assert_memory_equal(ip + 12, in->data + l2 + 12, 8);
	}
	if (proto != 108) {
		fprintf(stderr, "packet %u changed but is not IPComp\n", idx);
		fail();
	}
	/* IPComp header: next header = the original protocol, flags 0, CPI 2 */
	assert_int_equal(ip[hl], v6 ? in->data[l2 + 6] : in->data[l2 + 9]);
	assert_int_equal(ip[hl + 1], 0);
	assert_int_equal(get16(ip + hl + 2), 2);
	/* the payload inflates (raw deflate) to the original payload */
	plen = in->len - l2 - hl;
	back = malloc(plen + 1);
	assert_non_null(back);
	assert_int_equal(inflateInit2(&zs, -15), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)(ip + hl + 4);
	zs.avail_in = out->len - l2 - hl - 4;
	zs.next_out = back;
	zs.avail_out = plen + 1;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	blen = zs.total_out;
	inflateEnd(&zs);
	assert_int_equal(blen, plen);
	assert_memory_equal(back, in->data + l2 + hl, plen);
	/* and it got smaller */
	assert_true(out->len < in->len);
	free(back);
	return 1;
}

static void
run_and_check(const char *ports, const char *dev)
{
	struct apps_cmd c;
	struct apps_result r;
	struct pkt out[MAX_PKTS];
	unsigned int n, ipcomp = 0;
	char in_path[1024], out_path[1024];

	snprintf(in_path, sizeof(in_path), "%s/in.pcap", dir);
	snprintf(out_path, sizeof(out_path), "%s/out-%s.pcap", dir, ports);
	apps_cmd_init(&c, PIPELINE);
	apps_cmd_eal(&c, 128, NULL);
	apps_cmd_add(&c, "--");
	apps_cmd_add(&c, "--in");
	apps_cmd_add(&c, in_path);
	apps_cmd_add(&c, "--out");
	apps_cmd_add(&c, out_path);
	apps_cmd_add(&c, "--check");
	apps_cmd_add(&c, "--ports");
	apps_cmd_add(&c, ports);
	apps_cmd_add(&c, "--dev");
	apps_cmd_add(&c, dev);
	assert_int_equal(apps_run(&c, NULL, NULL, 180, &r), 0);
	if (r.status != 0)
		apps_result_dump(&c, &r);
	assert_int_equal(r.status, 0);
	/* the program's own report */
	assert_non_null(strstr(r.out, "packets: 242 in, 242 out"));
	assert_non_null(strstr(r.out, " 0 failed"));
	assert_non_null(strstr(r.out, "drops: rx ring 0, tx ring 0, tx port 0; op errors 0"));
	apps_result_free(&r);

	n = read_pcap(out_path, out, MAX_PKTS);
	assert_int_equal(n, nb_in);
	for (unsigned int i = 0; i < n; i++) {
		ipcomp += (unsigned int)check_packet(&in_pkts[i], &out[i], i);
		free(out[i].data);
	}
	/* text and zeros (VLAN) compress: 4 of every 6 packets */
	assert_int_equal(ipcomp, 160);
}

static void
test_pcap_ports_model(void **state)
{
	(void)state;
	run_and_check("pcap", "model");
}

static void
test_ring_ports_model(void **state)
{
	(void)state;
	run_and_check("ring", "model");
}

static void
test_bad_options(void **state)
{
	static const char *const cases[][3] = {
		{ "--in", "/nonexistent.pcap", "nonexistent" },
		{ "--burst", "1000", "--burst" },
		{ "--ports", "tap", "--ports" },
		{ "--level", "0", "--level" },
		/* beyond a day (1e10 s overflowed into a run of one burst) */
		{ "--duration", "1e10", "--duration" },
		{ "--duration", "inf", "--duration" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct apps_cmd c;
		struct apps_result r;
		char in_path[1024];

		snprintf(in_path, sizeof(in_path), "%s/in.pcap", dir);
		apps_cmd_init(&c, PIPELINE);
		apps_cmd_eal(&c, 128, "0");
		apps_cmd_add(&c, "--");
		if (strcmp(cases[i][0], "--in") != 0) {
			apps_cmd_add(&c, "--in");
			apps_cmd_add(&c, in_path);
		}
		apps_cmd_add(&c, cases[i][0]);
		apps_cmd_add(&c, cases[i][1]);
		assert_int_equal(apps_run(&c, NULL, NULL, 60, &r), 0);
		if (r.status != 2 || strstr(r.err, cases[i][2]) == NULL)
			apps_result_dump(&c, &r);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, cases[i][2]));
		apps_result_free(&r);
	}
}

static void
run_pipeline(struct apps_result *r, const char *in, const char *out, const char *ports)
{
	struct apps_cmd c;

	apps_cmd_init(&c, PIPELINE);
	apps_cmd_eal(&c, 128, NULL);
	apps_cmd_add(&c, "--");
	apps_cmd_add(&c, "--in");
	apps_cmd_add(&c, in);
	if (out != NULL) {
		apps_cmd_add(&c, "--out");
		apps_cmd_add(&c, out);
	}
	apps_cmd_add(&c, "--ports");
	apps_cmd_add(&c, ports);
	apps_cmd_add(&c, "--dev");
	apps_cmd_add(&c, "model");
	assert_int_equal(apps_run(&c, NULL, NULL, 180, r), 0);
}

/*
 * Frames larger than one mbuf (3000, 9042 and 60000 bytes) are read as
 * chains by the ring ports, pass through whole, and are counted; the file
 * name may contain a comma (no net_pcap then). Without a comma, net_pcap
 * is not used either: it cuts frames over 16128 bytes on output (and
 * crashes on frames over 65535), so the program says so and takes ring
 * ports; a 70000-byte frame is counted as not read.
 */
static void
test_large_frames_and_comma(void **state)
{
	static const uint32_t lens[] = { 3000, 9042, 60000, 64 };
	struct pkt f[4], out[8];
	struct apps_result r;
	char in_path[1024], out_path[1024];
	unsigned int n;

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		f[i].len = lens[i];
		f[i].data = malloc(lens[i]);
		assert_non_null(f[i].data);
		wd_test_gen(f[i].data, lens[i], WD_TEST_DATA_TEXT, 70 + i);
		put16(f[i].data + 12, 0x88b5);	/* local experimental: not IP */
	}
	for (int mode = 0; mode < 3; mode++) {
		snprintf(in_path, sizeof(in_path), mode < 2 ? "%s/big,frames.pcap" :
			 "%s/bigframes.pcap", dir);
		write_frames(in_path, f, 4, 1);
		snprintf(out_path, sizeof(out_path), "%s/big-out-%d.pcap", dir, mode);
		run_pipeline(&r, in_path, out_path, mode == 1 ? "ring" : "pcap");
		if (r.status != 0)
			printf("%s\n%s\n", r.out, r.err);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "packets: 4 in, 4 out"));
		if (mode == 0)
			assert_non_null(strstr(r.err, "comma"));
		if (mode == 2)
			assert_non_null(strstr(r.err, "net_pcap carries 16128 at most"));
		apps_result_free(&r);
		n = read_pcap(out_path, out, 8);
		assert_int_equal(n, 4);
		for (unsigned int i = 0; i < n; i++) {
			assert_int_equal(out[i].len, f[i].len);
			assert_memory_equal(out[i].data, f[i].data, f[i].len);
			free(out[i].data);
		}
	}
	for (unsigned int i = 0; i < 4; i++)
		free(f[i].data);
	/* an IP packet whose payload is over 9216 bytes: counted as large, sent whole */
	{
		uint8_t *pl = malloc(12000);

		assert_non_null(pl);
		wd_test_gen(pl, 12000, WD_TEST_DATA_TEXT, 90);
		add_udp(L3_V4, pl, 12000);
		free(pl);
		snprintf(in_path, sizeof(in_path), "%s/large-ip.pcap", dir);
		write_frames(in_path, &in_pkts[nb_in - 1], 1, 1);
		snprintf(out_path, sizeof(out_path), "%s/large-ip-out.pcap", dir);
		run_pipeline(&r, in_path, out_path, "ring");
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out,
				       "large 1 (payload over 9216 bytes), passed through 0"));
		apps_result_free(&r);
		n = read_pcap(out_path, out, 8);
		assert_int_equal(n, 1);
		assert_int_equal(out[0].len, in_pkts[nb_in - 1].len);
		assert_memory_equal(out[0].data, in_pkts[nb_in - 1].data, out[0].len);
		free(out[0].data);
		free(in_pkts[--nb_in].data);
	}
	/* a frame over 65535 bytes: not read, counted, no crash */
	f[0].len = 70000;
	f[0].data = calloc(1, f[0].len);
	assert_non_null(f[0].data);
	put16(f[0].data + 12, 0x88b5);
	f[1].len = 64;
	f[1].data = calloc(1, f[1].len);
	assert_non_null(f[1].data);
	put16(f[1].data + 12, 0x88b5);
	snprintf(in_path, sizeof(in_path), "%s/huge.pcap", dir);
	write_frames(in_path, f, 2, 1);
	snprintf(out_path, sizeof(out_path), "%s/huge-out.pcap", dir);
	run_pipeline(&r, in_path, out_path, "pcap");
	if (r.status != 0)
		printf("%s\n%s\n", r.out, r.err);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "packets: 1 in, 1 out"));
	assert_non_null(strstr(r.out, "not read: 1 frames larger than 65535 bytes"));
	apps_result_free(&r);
	free(f[0].data);
	free(f[1].data);
}

/* Corrupt or foreign input files fail before the run, with a message. */
static void
test_bad_files(void **state)
{
	uint8_t frame[100] = { 0 };
	struct pkt f = { frame, sizeof(frame) };
	struct apps_result r;
	char path[1024];
	FILE *fp;

	(void)state;
	/* a directory is said to be one */
	run_pipeline(&r, dir, NULL, "pcap");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "Is a directory"));
	apps_result_free(&r);
	snprintf(path, sizeof(path), "%s/bad.pcap", dir);
	/* a record cut short */
	write_frames(path, &f, 1, 1);
	assert_int_equal(truncate(path, 24 + 16 + 50), 0);
	for (int mode = 0; mode < 2; mode++) {
		run_pipeline(&r, path, NULL, mode == 0 ? "pcap" : "ring");
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "record 1 is cut short"));
		apps_result_free(&r);
	}
	/* a record that claims 2 GiB */
	write_frames(path, &f, 1, 1);
	fp = fopen(path, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 24 + 8, SEEK_SET), 0);
	assert_int_equal(fwrite("\xff\xff\xff\x7f", 4, 1, fp), 1);
	assert_int_equal(fclose(fp), 0);
	run_pipeline(&r, path, NULL, "pcap");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "impossible length"));
	apps_result_free(&r);
	/* 802.11 frames, with either kind of port */
	write_frames(path, &f, 1, 105);
	for (int mode = 0; mode < 2; mode++) {
		run_pipeline(&r, path, NULL, mode == 0 ? "pcap" : "ring");
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "link type is not Ethernet"));
		apps_result_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_ports_model),
		cmocka_unit_test(test_ring_ports_model),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_large_frames_and_comma),
		cmocka_unit_test(test_bad_files),
	};

	if (!apps_built(PIPELINE)) {
		fprintf(stderr, "pipeline is not built: skipped\n");
		return 77;
	}
	return cmocka_run_group_tests_name("pipeline", tests, setup, teardown);
}
