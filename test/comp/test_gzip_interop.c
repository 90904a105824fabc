/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gzip interoperability: files made by the gzip command (with a file
 * name, without, levels 1 and 9, empty input, several members) and by a
 * hand-built header writer (make_gzip_fields.py: FEXTRA, FNAME,
 * FCOMMENT, FHCRC, FTEXT, alone and together, mixed with gzip-made
 * members) decompress correctly through the synchronous call, stateless
 * ops on mbuf chains and streams in small pieces; and what we write
 * (one-shot, streams with sync flushes, concatenated members, empty)
 * passes "gzip -t" and "gzip -dc".
 *
 * Usage: test_gzip_interop <device spec>. Skips (77) without gzip or
 * python3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_mbuf.h>
#include <zlib.h>

#include "comp_test.h"
#include "wd_comp.h"
#include "wd_test.h"

static const char *g_spec = "sw";
static uint8_t g_dev;
static char g_dir[256];
static char g_script[1024];

enum { F_TEXT, F_MIXED, F_EMPTY, F_RANDOM, F_NFILES };
static const char *const fnames[F_NFILES] = {"text.txt", "mixed.bin", "empty", "random.bin"};
static uint8_t *fdata[F_NFILES];
static size_t flen[F_NFILES];

static int
sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
write_file(const char *name, const void *p, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	fclose(f);
}

static uint8_t *
read_file(const char *name, size_t *len)
{
	char path[512];
	uint8_t *p;

	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	p = wd_test_read_file(path, len);
	assert_non_null(p);
	return p;
}

/* Decompress a gzip file three ways and compare with @p want. */
static void
check_decompress(const char *gzname, const uint8_t *want, size_t want_len)
{
	struct wd_comp_xform x = {.type = WD_OP_DECOMPRESS, .alg = WD_COMP_ALG_GZIP};
	struct wd_comp_buf_result r;
	size_t glen = 0, room = want_len + 64;
	uint8_t *gz = read_file(gzname, &glen), *out = malloc(room);
	uint32_t crc = (uint32_t)crc32(0, want, (uInt)want_len);
	void *px, *st;

	assert_non_null(out);
	/* 1. the synchronous call */
	assert_int_equal(wd_comp_buf_process(g_dev, 0, &x, gz, glen, out, room, &r), 0);
	assert_int_equal(r.consumed, glen);
	assert_int_equal(r.produced, want_len);
	assert_memory_equal(out, want, want_len);
	assert_int_equal(r.checksum, crc);
	/* 2. one stateless op on mbuf chains */
	{
		struct wd_comp_op *op = wd_comp_op_alloc(ct_op_pool);

		assert_int_equal(wd_comp_private_xform_create(g_dev, &x, &px), 0);
		op->private_xform = px;
		op->m_src = ct_chain_from(gz, glen, 4096, 0);
		op->m_dst = ct_chain_room(room, 8192);
		op->src.length = (uint32_t)glen;
		assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
		assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
		assert_int_equal(op->produced, want_len);
		memset(out, 0, room);
		ct_chain_read(op->m_dst, 0, out, want_len);
		assert_memory_equal(out, want, want_len);
		assert_int_equal(op->output_chksum, crc);
		rte_pktmbuf_free(op->m_src);
		rte_pktmbuf_free(op->m_dst);
		wd_comp_op_free(op);
		assert_int_equal(wd_comp_private_xform_free(g_dev, px), 0);
	}
	/* 3. a stream fed 1000 bytes at a time, 5000 bytes of output at a time */
	{
		size_t in = 0, made = 0;
		unsigned int guard = 0;

		assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
		memset(out, 0, room);
		for (;;) {
			struct wd_comp_op *op = wd_comp_op_alloc(ct_op_pool);
			size_t n = RTE_MIN((size_t)1000, glen - in);
			uint8_t status;

			op->op_type = WD_COMP_OP_STATEFUL;
			op->stream = st;
			op->m_src = ct_chain_from(gz + in, n, 0, 0);
			op->m_dst = ct_chain_room(RTE_MIN((size_t)5000, room - made), 0);
			op->src.length = (uint32_t)n;
			op->flush_flag = in + n == glen ? WD_COMP_FLUSH_FINAL : WD_COMP_FLUSH_NONE;
			assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
			status = op->status;
			assert_true(status == WD_COMP_OP_SUCCESS ||
				    status == WD_COMP_OP_OUT_OF_SPACE_RECOVERABLE);
			ct_chain_read(op->m_dst, 0, out + made, op->produced);
			made += op->produced;
			in += op->consumed;
			if (in == glen && status == WD_COMP_OP_SUCCESS)
				assert_int_equal(op->output_chksum, crc);
			rte_pktmbuf_free(op->m_src);
			rte_pktmbuf_free(op->m_dst);
			wd_comp_op_free(op);
			assert_true(++guard < 100000);
			if (in == glen && status == WD_COMP_OP_SUCCESS)
				break;
		}
		assert_int_equal(made, want_len);
		assert_memory_equal(out, want, want_len);
		assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
	}
	free(gz);
	free(out);
}

static void
test_gzip_made(void **state)
{
	(void)state;
	/* a file name (gzip stores it for a named file), default level */
	assert_int_equal(sh("cd %s && gzip -c %s > a.gz", g_dir, fnames[F_TEXT]), 0);
	{
		size_t n;
		uint8_t *g = read_file("a.gz", &n);

		assert_true(g[3] & 0x08); /* FNAME is set */
		free(g);
	}
	check_decompress("a.gz", fdata[F_TEXT], flen[F_TEXT]);
	/* no name, best */
	assert_int_equal(sh("cd %s && gzip -n -9 -c %s > b.gz", g_dir, fnames[F_MIXED]), 0);
	check_decompress("b.gz", fdata[F_MIXED], flen[F_MIXED]);
	/* fastest, incompressible */
	assert_int_equal(sh("cd %s && gzip -1 -c %s > c.gz", g_dir, fnames[F_RANDOM]), 0);
	check_decompress("c.gz", fdata[F_RANDOM], flen[F_RANDOM]);
	/* empty */
	assert_int_equal(sh("cd %s && gzip -c %s > d.gz", g_dir, fnames[F_EMPTY]), 0);
	check_decompress("d.gz", fdata[F_EMPTY], 0);
}

static void
test_gzip_members(void **state)
{
	size_t total = flen[F_TEXT] + flen[F_MIXED] + flen[F_EMPTY] + flen[F_RANDOM];
	uint8_t *want = malloc(total + 1), *p;

	(void)state;
	assert_non_null(want);
	assert_int_equal(sh("cd %s && rm -f m.gz && for f in %s %s %s %s; do gzip -c $f >> m.gz; "
			    "done && gzip -t m.gz", g_dir, fnames[F_TEXT], fnames[F_MIXED],
			    fnames[F_EMPTY], fnames[F_RANDOM]), 0);
	p = want;
	for (int i = 0; i < F_NFILES; i++) {
		memcpy(p, fdata[i], flen[i]);
		p += flen[i];
	}
	check_decompress("m.gz", want, total);
	free(want);
}

static void
test_header_fields(void **state)
{
	static const char *const sets[] = {"x", "n", "c", "h", "t", "xh", "nc", "xnch", "txnch"};

	(void)state;
	for (size_t i = 0; i < RTE_DIM(sets); i++) {
		assert_int_equal(sh("cd %s && rm -f h.gz && python3 '%s' %s h.gz %s && "
				    "gzip -t h.gz", g_dir, g_script, fnames[F_TEXT], sets[i]), 0);
		check_decompress("h.gz", fdata[F_TEXT], flen[F_TEXT]);
	}
	/* members with and without fields, one after the other */
	{
		size_t total = 2 * flen[F_TEXT] + flen[F_MIXED];
		uint8_t *want = malloc(total);

		assert_non_null(want);
		memcpy(want, fdata[F_TEXT], flen[F_TEXT]);
		memcpy(want + flen[F_TEXT], fdata[F_MIXED], flen[F_MIXED]);
		memcpy(want + flen[F_TEXT] + flen[F_MIXED], fdata[F_TEXT], flen[F_TEXT]);
		assert_int_equal(sh("cd %s && rm -f hm.gz && python3 '%s' %s hm.gz xnch && "
				    "gzip -c %s >> hm.gz && python3 '%s' %s hm.gz h && "
				    "gzip -t hm.gz",
				    g_dir, g_script, fnames[F_TEXT], fnames[F_MIXED], g_script,
				    fnames[F_TEXT]), 0);
		check_decompress("hm.gz", want, total);
		free(want);
	}
}

/* Our gzip output through "gzip -t" and "gzip -dc". */
static void
gunzip_check(const uint8_t *gz, size_t glen, const uint8_t *want, size_t want_len)
{
	size_t n = 0;
	uint8_t *back;

	write_file("ours.gz", gz, glen);
	assert_int_equal(sh("cd %s && gzip -t ours.gz && gzip -dc ours.gz > ours.out", g_dir), 0);
	back = read_file("ours.out", &n);
	assert_int_equal(n, want_len);
	assert_memory_equal(back, want, want_len);
	free(back);
}

static void
test_ours_to_gzip(void **state)
{
	struct wd_comp_xform x = {.type = WD_OP_COMPRESS, .alg = WD_COMP_ALG_GZIP};
	size_t room = wd_comp_bound(WD_COMP_ALG_GZIP, flen[F_TEXT] + flen[F_MIXED]);
	uint8_t *gz = malloc(2 * room);
	struct wd_comp_buf_result r;

	(void)state;
	assert_non_null(gz);
	for (int f = 0; f < F_NFILES; f++) {
		for (int lvl = WD_COMP_LEVEL_DEFAULT; lvl <= 9; lvl += 5) {
			x.level = lvl;
			assert_int_equal(wd_comp_buf_process(g_dev, 0, &x, fdata[f], flen[f], gz,
							     room, &r), 0);
			gunzip_check(gz, r.produced, fdata[f], flen[f]);
		}
	}
	/* two of our members back to back */
	{
		size_t a, total = flen[F_TEXT] + flen[F_MIXED];
		uint8_t *want = malloc(total);

		assert_non_null(want);
		x.level = 1;
		assert_int_equal(wd_comp_buf_process(g_dev, 0, &x, fdata[F_TEXT], flen[F_TEXT], gz,
						     room, &r), 0);
		a = r.produced;
		assert_int_equal(wd_comp_buf_process(g_dev, 0, &x, fdata[F_MIXED], flen[F_MIXED],
						     gz + a, room, &r), 0);
		memcpy(want, fdata[F_TEXT], flen[F_TEXT]);
		memcpy(want + flen[F_TEXT], fdata[F_MIXED], flen[F_MIXED]);
		gunzip_check(gz, a + r.produced, want, total);
		free(want);
	}
	/* a stream with sync flushes in the middle */
	{
		void *st;
		size_t in = 0, made = 0, len = flen[F_TEXT];
		int i = 0;

		x.level = WD_COMP_LEVEL_DEFAULT;
		assert_int_equal(wd_comp_stream_create(g_dev, &x, &st), 0);
		while (in < len || i == 0) {
			struct wd_comp_op *op = wd_comp_op_alloc(ct_op_pool);
			size_t n = RTE_MIN((size_t)7000, len - in);

			op->op_type = WD_COMP_OP_STATEFUL;
			op->stream = st;
			op->m_src = ct_chain_from(fdata[F_TEXT] + in, n, 0, 0);
			op->m_dst = ct_chain_room(room - made, 0);
			op->src.length = (uint32_t)n;
			op->flush_flag = in + n == len ? WD_COMP_FLUSH_FINAL :
					 i % 3 == 0 ? WD_COMP_FLUSH_SYNC : i % 3 == 1 ?
					 WD_COMP_FLUSH_FULL : WD_COMP_FLUSH_NONE;
			assert_int_equal(ct_run(g_dev, 0, &op, 1), 0);
			assert_int_equal(op->status, WD_COMP_OP_SUCCESS);
			assert_int_equal(op->consumed, n);
			ct_chain_read(op->m_dst, 0, gz + made, op->produced);
			made += op->produced;
			in += n;
			i++;
			rte_pktmbuf_free(op->m_src);
			rte_pktmbuf_free(op->m_dst);
			wd_comp_op_free(op);
		}
		assert_int_equal(wd_comp_stream_free(g_dev, st), 0);
		gunzip_check(gz, made, fdata[F_TEXT], len);
	}
	free(gz);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_made),
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_ours_to_gzip),
	};
	const char *root = getenv("WD_SOURCE_ROOT"), *corpus = wd_test_corpus_dir();
	char name[128];
	int dev, ret;

	if (argc > 1)
		g_spec = argv[1];
	if (sh("gzip --version > /dev/null 2>&1") != 0 ||
	    sh("python3 --version > /dev/null 2>&1") != 0) {
		printf("gzip or python3 not found: gzip interop tests skipped\n");
		return 77;
	}
	snprintf(g_script, sizeof(g_script), "%s/test/comp/make_gzip_fields.py",
		 root != NULL ? root : ".");
	if (access(g_script, R_OK) != 0) {
		printf("%s not found (set WD_SOURCE_ROOT): skipped\n", g_script);
		return 77;
	}
	snprintf(g_dir, sizeof(g_dir), "/tmp/wd_gzip_interop.XXXXXX");
	if (mkdtemp(g_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* the inputs: a corpus text when there is one, else generated data */
	if (corpus != NULL) {
		char path[4400];

		snprintf(path, sizeof(path), "%s/alice29.txt", corpus);
		fdata[F_TEXT] = wd_test_read_file(path, &flen[F_TEXT]);
	}
	if (fdata[F_TEXT] == NULL) {
		flen[F_TEXT] = 150000;
		fdata[F_TEXT] = malloc(flen[F_TEXT]);
		wd_test_gen(fdata[F_TEXT], flen[F_TEXT], WD_TEST_DATA_TEXT, 40);
	}
	flen[F_MIXED] = 70001;
	fdata[F_MIXED] = malloc(flen[F_MIXED]);
	wd_test_gen(fdata[F_MIXED], flen[F_MIXED], WD_TEST_DATA_MIXED, 41);
	flen[F_EMPTY] = 0;
	fdata[F_EMPTY] = malloc(1);
	flen[F_RANDOM] = 10000;
	fdata[F_RANDOM] = malloc(flen[F_RANDOM]);
	wd_test_gen(fdata[F_RANDOM], flen[F_RANDOM], WD_TEST_DATA_RANDOM, 42);
	for (int i = 0; i < F_NFILES; i++) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", g_dir, fnames[i]);
		f = fopen(path, "wb");
		if (f == NULL || fwrite(fdata[i], 1, flen[i], f) != flen[i]) {
			perror(path);
			return 1;
		}
		fclose(f);
	}
	if (ct_init(argv[0]) != 0)
		return 1;
	dev = ct_dev_open(g_spec, 1, NULL);
	if (dev < 0) {
		fprintf(stderr, "cannot open device %s: %s\n", g_spec, strerror(-dev));
		return 1;
	}
	g_dev = (uint8_t)dev;
	snprintf(name, sizeof(name), "gzip_interop[%s]", g_spec);
	ret = cmocka_run_group_tests_name(name, tests, NULL, NULL);
	ct_dev_close(g_dev);
	sh("rm -rf %s", g_dir);
	wd_test_eal_cleanup();
	return ret;
}
