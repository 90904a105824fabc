/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd-gzip, run as a program on the device model: round trips (files,
 * stdin/stdout, sizes from 0 bytes to several ops), interop with gzip
 * both ways (gzip -d reads ours; we read gzip's files, a file with every
 * header field and several members), bad input (not gzip, corrupt,
 * truncated) with no partial output file, gzip's file rules, and -f's
 * copying through of input that is not gzip (zcat -f).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/fs.h>
#include <zlib.h>

#include "apps_util.h"
#include "wd_test.h"

#define WD_GZIP "examples/wd-gzip/wd-gzip"
#define TIMEOUT 180

static char *dir;
static bool have_gzip;

static int
setup(void **state)
{
	(void)state;
	dir = apps_tmpdir("gzip");
	have_gzip = access("/bin/gzip", X_OK) == 0 || access("/usr/bin/gzip", X_OK) == 0;
	/* wd-gzip picks its own EAL defaults; these keep the tests private and small */
	setenv("WD_GZIP_EAL_ARGS", apps_eal_string(64), 1);
	return dir == NULL ? -1 : 0;
}

/* Set or clear the immutable flag of a file. @return 0, or -1 (no such flag here). */
static int
set_immutable(const char *p, bool on)
{
	int fd = open(p, O_RDONLY), flags, ret = -1;

	if (fd < 0)
		return -1;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
		ret = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
	return ret;
}

static int
teardown(void **state)
{
	char imm[1024];

	(void)state;
	/* test_input_not_removed's file, if it failed half-way */
	snprintf(imm, sizeof(imm), "%s/imm", dir);
	(void)set_immutable(imm, false);
	apps_rmtree(dir);
	free(dir);
	return 0;
}

static __attribute__((noinline)) const char *
path(const char *name)
{
	static char buf[4][1024];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

/* wd-gzip on the model with the given options (NULL-terminated). */
static int
gz(struct apps_result *r, const char *in, ...)
{
	struct apps_cmd c;
	va_list ap;
	const char *a;

	apps_cmd_init(&c, WD_GZIP);
	apps_cmd_add(&c, "--dev=model");
	va_start(ap, in);
	while ((a = va_arg(ap, const char *)) != NULL)
		apps_cmd_add(&c, a);
	va_end(ap);
	assert_int_equal(apps_run(&c, in, dir, TIMEOUT, r), 0);
	if (r->timed_out)
		apps_result_dump(&c, r);
	assert_false(r->timed_out);
	return r->status;
}

/* A system command (gzip) with output to a file. */
static int
sys_cmd(const char *out_file, const char *in_file, const char *prog, ...)
{
	struct apps_cmd c;
	struct apps_result r;
	va_list ap;
	const char *a;
	int st;

	memset(&c, 0, sizeof(c));
	apps_cmd_add(&c, prog);
	va_start(ap, prog);
	while ((a = va_arg(ap, const char *)) != NULL)
		apps_cmd_add(&c, a);
	va_end(ap);
	assert_int_equal(apps_run(&c, in_file, dir, TIMEOUT, &r), 0);
	st = r.status;
	if (out_file != NULL)
		assert_int_equal(apps_write_file(out_file, r.out, r.out_len), 0);
	apps_result_free(&r);
	return st;
}

static const char *
gzip_bin(void)
{
	return access("/bin/gzip", X_OK) == 0 ? "/bin/gzip" : "/usr/bin/gzip";
}

static void
assert_file_eq(const char *p, const uint8_t *data, size_t len)
{
	size_t got;
	uint8_t *buf = apps_read_file(p, &got);

	assert_non_null(buf);
	assert_int_equal(got, len);
	assert_memory_equal(buf, data, len);
	free(buf);
}

static uint8_t *
make_data(size_t len, enum wd_test_data kind, uint64_t seed)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	wd_test_gen(p, len, kind, seed);
	return p;
}

/* No temporary file may be left behind. */
static void
assert_no_tmp(void)
{
	assert_int_equal(apps_count_entries(dir, ".wd-gzip."), 0);
}

/* ---------------------------------------------------------------- */

static void
test_round_trip_files(void **state)
{
	static const struct { size_t len; enum wd_test_data kind; } cases[] = {
		{ 0, WD_TEST_DATA_TEXT },
		{ 1, WD_TEST_DATA_TEXT },
		{ 1000, WD_TEST_DATA_RANDOM },
		{ 300000, WD_TEST_DATA_MIXED },        /* two ops */
		{ 262144, WD_TEST_DATA_TEXT },         /* exactly one op's input */
		{ 1200000, WD_TEST_DATA_ZEROS },       /* large expansion on the way back */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct apps_result r;
		uint8_t *data = make_data(cases[i].len, cases[i].kind, i + 1);
		struct stat sb;

		assert_int_equal(apps_write_file(path("f"), data, cases[i].len), 0);
		chmod(path("f"), 0640);
		assert_int_equal(gz(&r, NULL, "f", NULL), 0);
		apps_result_free(&r);
		assert_false(apps_exists(path("f")));      /* replaced, as gzip does */
		assert_true(apps_exists(path("f.gz")));
		assert_int_equal(stat(path("f.gz"), &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0640);  /* mode kept */
		if (have_gzip)
			assert_int_equal(sys_cmd(NULL, NULL, gzip_bin(), "-t", "f.gz", NULL), 0);
		assert_int_equal(gz(&r, NULL, "-d", "f.gz", NULL), 0);
		apps_result_free(&r);
		assert_false(apps_exists(path("f.gz")));
		assert_file_eq(path("f"), data, cases[i].len);
		unlink(path("f"));
		assert_no_tmp();
		free(data);
	}
}

static void
test_stdin_stdout_keep_levels(void **state)
{
	struct apps_result r;
	size_t len = 200000;
	uint8_t *data = make_data(len, WD_TEST_DATA_TEXT, 7);

	(void)state;
	assert_int_equal(apps_write_file(path("in"), data, len), 0);
	/* stdin -> stdout */
	assert_int_equal(gz(&r, path("in"), "-9", NULL), 0);
	assert_int_equal(apps_write_file(path("s.gz"), r.out, r.out_len), 0);
	assert_true(r.out_len > 18 && r.out_len < len);
	apps_result_free(&r);
	assert_int_equal(gz(&r, path("s.gz"), "-d", NULL), 0);
	assert_int_equal(r.out_len, len);
	assert_memory_equal(r.out, data, len);
	apps_result_free(&r);
	/* -c with files: output on stdout, inputs kept; two files make two members */
	assert_int_equal(gz(&r, NULL, "-c", "-1", "in", "in", NULL), 0);
	assert_true(apps_exists(path("in")));
	assert_int_equal(apps_write_file(path("two.gz"), r.out, r.out_len), 0);
	apps_result_free(&r);
	assert_int_equal(gz(&r, NULL, "-dc", "two.gz", NULL), 0);
	assert_int_equal(r.out_len, 2 * len);
	assert_memory_equal(r.out, data, len);
	assert_memory_equal(r.out + len, data, len);
	apps_result_free(&r);
	/* -k keeps the input, -v reports */
	assert_int_equal(gz(&r, NULL, "-k", "-v", "in", NULL), 0);
	assert_non_null(strstr(r.err, "created in.gz"));
	apps_result_free(&r);
	assert_true(apps_exists(path("in")));
	assert_true(apps_exists(path("in.gz")));
	/* -t */
	assert_int_equal(gz(&r, NULL, "-t", "-v", "in.gz", NULL), 0);
	assert_non_null(strstr(r.err, "OK"));
	apps_result_free(&r);
	unlink(path("in"));
	unlink(path("in.gz"));
	unlink(path("s.gz"));
	unlink(path("two.gz"));
	free(data);
}

/* Our output through gzip -d, gzip's output through us. */
static void
test_gzip_interop(void **state)
{
	struct apps_result r;
	size_t len = 700000;
	uint8_t *data = make_data(len, WD_TEST_DATA_MIXED, 11);

	(void)state;
	if (!have_gzip) {
		fprintf(stderr, "gzip is not installed: interop with the gzip program skipped\n");
		free(data);
		return;
	}
	assert_int_equal(apps_write_file(path("x"), data, len), 0);
	assert_int_equal(gz(&r, NULL, "-k", "x", NULL), 0);
	apps_result_free(&r);
	assert_int_equal(sys_cmd(path("x.back"), NULL, gzip_bin(), "-dc", "x.gz", NULL), 0);
	assert_file_eq(path("x.back"), data, len);
	unlink(path("x.gz"));
	/* gzip (with the file name in the header, as it does by default) -> us */
	assert_int_equal(sys_cmd(NULL, NULL, gzip_bin(), "-k", "-N", "x", NULL), 0);
	unlink(path("x"));
	assert_int_equal(gz(&r, NULL, "-d", "x.gz", NULL), 0);
	apps_result_free(&r);
	assert_file_eq(path("x"), data, len);
	unlink(path("x"));
	unlink(path("x.back"));
	free(data);
}

/* Write a gzip member with every optional header field (zlib's deflateSetHeader). */
static size_t
gzip_member(const uint8_t *in, size_t len, uint8_t *out, size_t cap, int level)
{
	z_stream zs = { 0 };
	gz_header h = { 0 };
	static unsigned char extra[] = { 'W', 'D', 4, 0, 1, 2, 3, 4 };
	int ret;

	assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	h.text = 1;
	h.time = 1700000000;
	h.os = 3;
	h.extra = extra;
	h.extra_len = sizeof(extra);
	h.name = (Bytef *)(uintptr_t)"a-rather-long-original-file-name.txt";
	h.comment = (Bytef *)(uintptr_t)"made by the wd-gzip test, with FHCRC";
	h.hcrc = 1;
	assert_int_equal(deflateSetHeader(&zs, &h), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ret = deflate(&zs, Z_FINISH);
	assert_int_equal(ret, Z_STREAM_END);
	len = zs.total_out;
	deflateEnd(&zs);
	return len;
}

static void
test_all_header_fields_and_members(void **state)
{
	struct apps_result r;
	size_t l1 = 90000, l2 = 400000, cap = 2 * (l1 + l2) + 4096, n;
	uint8_t *d1 = make_data(l1, WD_TEST_DATA_TEXT, 21);
	uint8_t *d2 = make_data(l2, WD_TEST_DATA_MIXED, 22);
	uint8_t *gzbuf = malloc(cap), *all = malloc(l1 + l2 + l1);

	(void)state;
	assert_non_null(gzbuf);
	assert_non_null(all);
	/* three members: fields, then fields with level 1, then an empty one, then d1 */
	n = gzip_member(d1, l1, gzbuf, cap, 9);
	n += gzip_member(d2, l2, gzbuf + n, cap - n, 1);
	n += gzip_member(d1, 0, gzbuf + n, cap - n, 6);
	n += gzip_member(d1, l1, gzbuf + n, cap - n, 6);
	assert_int_equal(apps_write_file(path("m.gz"), gzbuf, n), 0);
	memcpy(all, d1, l1);
	memcpy(all + l1, d2, l2);
	memcpy(all + l1 + l2, d1, l1);
	assert_int_equal(gz(&r, NULL, "-d", "m.gz", NULL), 0);
	apps_result_free(&r);
	assert_file_eq(path("m"), all, l1 + l2 + l1);
	unlink(path("m"));
	free(d1);
	free(d2);
	free(gzbuf);
	free(all);
}

/* Bad input: a clear error, exit 1, the input left alone, no output file. */
static void
test_bad_input(void **state)
{
	struct apps_result r;
	size_t len = 300000, n;
	uint8_t *data = make_data(len, WD_TEST_DATA_TEXT, 31);
	uint8_t *gzbuf = malloc(len + 4096);
	static const char *const notgz = "this is plain text, not gzip data\n";

	(void)state;
	assert_non_null(gzbuf);
	n = gzip_member(data, len, gzbuf, len + 4096, 6);

	/* not gzip */
	assert_int_equal(apps_write_file(path("plain.gz"), notgz, strlen(notgz)), 0);
	assert_int_equal(gz(&r, NULL, "-d", "plain.gz", NULL), 1);
	assert_non_null(strstr(r.err, "not in gzip format"));
	apps_result_free(&r);
	assert_true(apps_exists(path("plain.gz")));
	assert_false(apps_exists(path("plain")));

	/* empty */
	assert_int_equal(apps_write_file(path("empty.gz"), "", 0), 0);
	assert_int_equal(gz(&r, NULL, "-d", "empty.gz", NULL), 1);
	assert_non_null(strstr(r.err, "unexpected end of file"));
	apps_result_free(&r);
	assert_false(apps_exists(path("empty")));

	/* corrupt deflate data in the middle */
	{
		uint8_t *bad = malloc(n);

		assert_non_null(bad);
		memcpy(bad, gzbuf, n);
		for (size_t i = n / 2; i < n / 2 + 64; i++)
			bad[i] ^= 0x5a;
		assert_int_equal(apps_write_file(path("corrupt.gz"), bad, n), 0);
		assert_int_equal(gz(&r, NULL, "-d", "corrupt.gz", NULL), 1);
		assert_non_null(strstr(r.err, "corrupt.gz: invalid compressed data"));
		apps_result_free(&r);
		assert_false(apps_exists(path("corrupt")));
		assert_true(apps_exists(path("corrupt.gz")));

		/* a wrong CRC, then a wrong ISIZE (not called a CRC error) in the trailer */
		static const struct { size_t back; uint8_t flip; const char *name; } tr[] = {
			{ 8, 0xff, "crc" }, { 4, 0x01, "len" },
		};
		for (size_t i = 0; i < sizeof(tr) / sizeof(tr[0]); i++) {
			char gzname[16], msg[64];

			snprintf(gzname, sizeof(gzname), "%s.gz", tr[i].name);
			snprintf(msg, sizeof(msg), "%s: invalid compressed data--crc or length",
				 gzname);
			memcpy(bad, gzbuf, n);
			bad[n - tr[i].back] ^= tr[i].flip;
			assert_int_equal(apps_write_file(path(gzname), bad, n), 0);
			assert_int_equal(gz(&r, NULL, "-d", gzname, NULL), 1);
			assert_non_null(strstr(r.err, msg));
			apps_result_free(&r);
			assert_false(apps_exists(path(tr[i].name)));
		}
		free(bad);
	}

	/* truncated: at several places, including inside the trailer */
	{
		size_t cuts[] = { 5, 12, n / 3, n - 9, n - 3 };

		for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			assert_int_equal(apps_write_file(path("trunc.gz"), gzbuf, cuts[i]), 0);
			assert_int_equal(gz(&r, NULL, "-d", "trunc.gz", NULL), 1);
			if (strstr(r.err, "trunc.gz:") == NULL)
				fprintf(stderr, "cut at %zu: %s\n", cuts[i], r.err);
			assert_non_null(strstr(r.err, "trunc.gz: unexpected end of file"));
			apps_result_free(&r);
			/* no partial output, and the input is kept */
			assert_false(apps_exists(path("trunc")));
			assert_true(apps_exists(path("trunc.gz")));
			/* -t says the same */
			assert_int_equal(gz(&r, NULL, "-t", "trunc.gz", NULL), 1);
			apps_result_free(&r);
		}
	}
	/* trailing garbage: data OK, a warning (exit 2) as gzip gives */
	memcpy(gzbuf + n, "garbage!", 8);
	assert_int_equal(apps_write_file(path("tail.gz"), gzbuf, n + 8), 0);
	assert_int_equal(gz(&r, NULL, "-d", "tail.gz", NULL), 2);
	assert_non_null(strstr(r.err, "trailing garbage ignored"));
	apps_result_free(&r);
	assert_file_eq(path("tail"), data, len);
	unlink(path("tail"));
	assert_no_tmp();
	free(data);
	free(gzbuf);
}

#define MAX_CUTS 512
#define CUT_BATCH (APPS_MAX_ARGS - 16)

/*
 * A gzip member of exactly @p size bytes of random data (a short header
 * comment pads it). @return the length of its data.
 */
static size_t
member_of_size(const uint8_t *in, size_t len, uint8_t *out, size_t size)
{
	z_stream zs = { 0 };
	gz_header h = { 0 };
	char *comment;
	size_t base = 0;

	/* random data: the member is a little longer than its data */
	for (int pass = 0; pass < 3; pass++) {
		size_t clen = pass < 2 ? 0 : size - base;

		if (pass == 1 && base + 64 > size)
			len -= base + 64 - size;

		comment = malloc(clen + 1);
		assert_non_null(comment);
		memset(comment, 'c', clen);
		comment[clen] = 0;
		memset(&zs, 0, sizeof(zs));
		memset(&h, 0, sizeof(h));
		assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY),
				 Z_OK);
		h.comment = (Bytef *)comment;
		assert_int_equal(deflateSetHeader(&zs, &h), Z_OK);
		zs.next_in = (Bytef *)(uintptr_t)in;
		zs.avail_in = (uInt)len;
		zs.next_out = out;
		zs.avail_out = (uInt)size + 4096;
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
		base = zs.total_out;
		deflateEnd(&zs);
		free(comment);
		assert_true(pass == 0 || base <= size);
	}
	assert_int_equal(base, size);
	return len;
}

/* wd-gzip -t and (when present) gzip -t on @p name: the same exit status. */
static void
check_like_gzip(const char *name, const void *p, size_t len, int want, const char *msg)
{
	struct apps_result r;

	assert_int_equal(apps_write_file(path(name), p, len), 0);
	if (gz(&r, NULL, "-t", name, NULL) != want)
		print_message("%s: exit %d, want %d: %s\n", name, r.status, want, r.err);
	assert_int_equal(r.status, want);
	if (msg != NULL && strstr(r.err, msg) == NULL)
		print_message("%s: %s\n", name, r.err);
	if (msg != NULL)
		assert_non_null(strstr(r.err, msg));
	else
		assert_int_equal(strlen(r.err), 0);
	apps_result_free(&r);
	if (have_gzip)
		assert_int_equal(sys_cmd(NULL, NULL, gzip_bin(), "-t", path(name), NULL), want);
}

/*
 * Truncation found by scanning (every cut of a small file; cuts around the
 * 256 KiB input chunks of a larger one; one wd-gzip -t run takes them all),
 * and what follows the end of the data, at a chunk boundary or not, as
 * gzip 1.12 does: zeros silently, garbage with a warning (2), a lone 1f at
 * the end as a truncated member (1), 1f 8b split over two chunks as a member.
 */
static void
test_truncation_scan_and_trailing(void **state)
{
	const size_t chunk = 256 * 1024, big = 700000;
	uint8_t *data = make_data(big, WD_TEST_DATA_TEXT, 37);
	uint8_t *gzbuf = malloc(2 * big + 4096);
	struct apps_cmd c;
	static char names[MAX_CUTS][32];
	struct apps_result r;
	size_t n, mlen, ncuts = 0;

	(void)state;
	assert_non_null(gzbuf);
	/* every cut of a small member */
	n = gzip_member(data, 200, gzbuf, 4096, 6);
	for (size_t cut = 1; cut < n; cut++) {
		snprintf(names[ncuts], sizeof(names[0]), "s%zu.gz", cut);
		assert_int_equal(apps_write_file(path(names[ncuts++]), gzbuf, cut), 0);
	}
	/* cuts of a larger one, around its chunks, and near its end */
	n = gzip_member(data, big, gzbuf + 4096, 2 * big, 6);
	for (size_t k = 0; k * chunk < n; k++) {
		static const long d[] = { -9, -8, -2, -1, 0, 1, 2, 8, 9 };

		for (size_t j = 0; j < sizeof(d) / sizeof(d[0]); j++) {
			long cut = (long)(k * chunk) + d[j];

			if (cut <= 0 || (size_t)cut >= n)
				continue;
			snprintf(names[ncuts], sizeof(names[0]), "b%ld.gz", cut);
			assert_int_equal(apps_write_file(path(names[ncuts++]), gzbuf + 4096,
							 (size_t)cut), 0);
		}
	}
	for (size_t cut = n - 20; cut < n; cut++) {
		snprintf(names[ncuts], sizeof(names[0]), "e%zu.gz", cut);
		assert_int_equal(apps_write_file(path(names[ncuts++]), gzbuf + 4096, cut), 0);
	}
	assert_true(ncuts <= MAX_CUTS);
	/* wd-gzip -t on batches of them: every one is "unexpected end of file" */
	for (size_t first = 0; first < ncuts; first += CUT_BATCH) {
		size_t last = first + CUT_BATCH < ncuts ? first + CUT_BATCH : ncuts, found = 0;

		apps_cmd_init(&c, WD_GZIP);
		apps_cmd_add(&c, "--dev=model");
		apps_cmd_add(&c, "-t");
		for (size_t i = first; i < last; i++)
			apps_cmd_add(&c, names[i]);
		assert_int_equal(apps_run(&c, NULL, dir, TIMEOUT, &r), 0);
		assert_false(r.timed_out);
		assert_int_equal(r.status, 1);
		for (const char *p = r.err; (p = strstr(p, "unexpected end of file")) != NULL;
		     p++)
			found++;
		if (found != last - first)
			apps_result_dump(&c, &r);
		assert_int_equal(found, last - first);
		apps_result_free(&r);
	}
	for (size_t i = 0; i < ncuts; i++)
		unlink(path(names[i]));

	/* a member ending exactly at a chunk boundary, then ... */
	free(data);
	data = make_data(big, WD_TEST_DATA_RANDOM, 41);
	mlen = member_of_size(data, chunk, gzbuf, chunk);
	memcpy(gzbuf + chunk, "garbage!", 8);
	check_like_gzip("cb-garbage.gz", gzbuf, chunk + 8, 2, "trailing garbage ignored");
	memset(gzbuf + chunk, 0, 16);
	check_like_gzip("cb-zeros.gz", gzbuf, chunk + 16, 0, NULL);
	gzbuf[chunk] = 0x1f;
	check_like_gzip("cb-1f.gz", gzbuf, chunk + 1, 1, "unexpected end of file");
	gzbuf[chunk + 1] = 'X';
	check_like_gzip("cb-1fX.gz", gzbuf, chunk + 2, 2, "trailing garbage ignored");
	/* ... and not at a boundary */
	n = gzip_member(data, 5000, gzbuf, big, 6);
	gzbuf[n] = 0x1f;
	check_like_gzip("mid-1f.gz", gzbuf, n + 1, 1, "unexpected end of file");
	memset(gzbuf + n, 0, 3);
	gzbuf[n + 3] = 'x';
	check_like_gzip("mid-zx.gz", gzbuf, n + 4, 2, "trailing garbage ignored");
	/* a member ending one byte before a boundary, the next one's 1f 8b split */
	mlen = member_of_size(data, chunk, gzbuf, chunk - 1);
	n = gzip_member(data, 5000, gzbuf + chunk - 1, big, 6);
	check_like_gzip("split-magic.gz", gzbuf, chunk - 1 + n, 0, NULL);
	assert_int_equal(gz(&r, NULL, "-dc", "split-magic.gz", NULL), 0);
	assert_int_equal(r.out_len, mlen + 5000);
	assert_memory_equal(r.out, data, mlen);
	assert_memory_equal(r.out + mlen, data, 5000);
	apps_result_free(&r);
	free(data);
	free(gzbuf);
}

static void
test_file_rules(void **state)
{
	struct apps_result r;
	uint8_t *data = make_data(5000, WD_TEST_DATA_TEXT, 41);
	size_t got;
	char *old;

	(void)state;
	assert_int_equal(apps_write_file(path("a"), data, 5000), 0);
	assert_int_equal(apps_write_file(path("a.gz"), "old", 3), 0);
	/* an existing output is not overwritten without -f (warning, exit 2) */
	assert_int_equal(gz(&r, NULL, "a", NULL), 2);
	assert_non_null(strstr(r.err, "already exists"));
	apps_result_free(&r);
	old = apps_read_file(path("a.gz"), &got);
	assert_int_equal(got, 3);
	free(old);
	assert_true(apps_exists(path("a")));
	/* with -f it is */
	assert_int_equal(gz(&r, NULL, "-f", "a", NULL), 0);
	apps_result_free(&r);
	assert_false(apps_exists(path("a")));
	/* compressing a .gz file again is refused */
	assert_int_equal(gz(&r, NULL, "a.gz", NULL), 2);
	assert_non_null(strstr(r.err, "already has .gz suffix"));
	apps_result_free(&r);
	/* an unknown suffix on decompression is refused */
	assert_int_equal(apps_write_file(path("b.txt"), "x", 1), 0);
	assert_int_equal(gz(&r, NULL, "-d", "b.txt", NULL), 2);
	assert_non_null(strstr(r.err, "unknown suffix"));
	apps_result_free(&r);
	/* -S, a missing file, a directory */
	assert_int_equal(gz(&r, NULL, "-d", "-S", ".gz", "a.gz", NULL), 0);
	apps_result_free(&r);
	assert_file_eq(path("a"), data, 5000);
	assert_int_equal(gz(&r, NULL, "nosuchfile", NULL), 1);
	assert_non_null(strstr(r.err, "nosuchfile"));
	apps_result_free(&r);
	mkdir(path("d"), 0755);
	assert_int_equal(gz(&r, NULL, "d", NULL), 2);
	assert_non_null(strstr(r.err, "is a directory"));
	apps_result_free(&r);
	/* a symbolic link without -f: an error (exit 1) as in gzip 1.12 */
	assert_int_equal(symlink("a", path("link")), 0);
	assert_int_equal(gz(&r, NULL, "link", NULL), 1);
	assert_non_null(strstr(r.err, "link: Too many levels of symbolic links"));
	apps_result_free(&r);
	assert_false(apps_exists(path("link.gz")));
	unlink(path("link"));
	/* a FIFO without a writer: refused at once, not waited on (gzip does the same) */
	assert_int_equal(mkfifo(path("fifo"), 0600), 0);
	assert_int_equal(gz(&r, NULL, "fifo", NULL), 2);
	assert_non_null(strstr(r.err, "not a directory or a regular file"));
	apps_result_free(&r);
	unlink(path("fifo"));
	/* a bad option and a bad device spec */
	assert_int_equal(gz(&r, NULL, "--frobnicate", NULL), 1);
	assert_non_null(strstr(r.err, "unrecognized option"));
	apps_result_free(&r);
	/* a missing argument is said as gzip says it (not "invalid option -- 'D'") */
	assert_int_equal(gz(&r, NULL, "-S", NULL), 1);
	assert_non_null(strstr(r.err, "option requires an argument -- 'S'"));
	apps_result_free(&r);
	assert_int_equal(gz(&r, NULL, "-c", "--dev", NULL), 1);
	assert_non_null(strstr(r.err, "option '--dev' requires an argument"));
	apps_result_free(&r);
	assert_int_equal(gz(&r, NULL, "--dev=bogus:::", "a", NULL), 1);
	assert_non_null(strstr(r.err, "not a device specification"));
	apps_result_free(&r);
	assert_no_tmp();
	unlink(path("a"));
	unlink(path("b.txt"));
	free(data);
}

/*
 * A regular file whose length changes while it is read (a /proc file says
 * 0 bytes and has more): gzip's note, exit 0, and the output holds all
 * that was read.
 */
static void
test_size_changed(void **state)
{
	struct apps_result r;
	uint8_t *back;
	size_t len;

	(void)state;
	if (access("/proc/version", R_OK) != 0) {
		print_message("skipped: no /proc/version\n");
		skip();
		return;
	}
	assert_int_equal(gz(&r, NULL, "-c", "/proc/version", NULL), 0);
	assert_non_null(strstr(r.err, "/proc/version: file size changed while zipping"));
	assert_int_equal(apps_write_file(path("pv.gz"), r.out, r.out_len), 0);
	apps_result_free(&r);
	if (have_gzip) {
		assert_int_equal(sys_cmd(path("pv"), NULL, gzip_bin(), "-dc", path("pv.gz"), NULL),
				 0);
		back = apps_read_file(path("pv"), &len);
		assert_non_null(back);
		assert_true(len > 5);
		assert_memory_equal(back, "Linux", 5);
		free(back);
	}
	/* an ordinary file has no note */
	assert_int_equal(apps_write_file(path("same"), "same size", 9), 0);
	assert_int_equal(gz(&r, NULL, "-k", "same", NULL), 0);
	assert_null(strstr(r.err, "size changed"));
	apps_result_free(&r);
	unlink(path("pv"));
	unlink(path("pv.gz"));
	unlink(path("same"));
	unlink(path("same.gz"));
}

/*
 * An input that cannot be removed after its output is complete: a warning
 * (exit 2) and the output kept, as gzip 1.12 does, not an error.
 */
static void
test_input_not_removed(void **state)
{
	struct apps_result r;
	uint8_t *data = make_data(3000, WD_TEST_DATA_TEXT, 43);

	(void)state;
	assert_int_equal(apps_write_file(path("imm"), data, 3000), 0);
	if (set_immutable(path("imm"), true) < 0) {
		unlink(path("imm"));
		free(data);
		print_message("skipped: no immutable flag here (needs root, ext4/xfs/btrfs)\n");
		skip();
		return;
	}
	assert_int_equal(gz(&r, NULL, "imm", NULL), 2);
	assert_non_null(strstr(r.err, "imm: cannot remove"));
	apps_result_free(&r);
	assert_true(apps_exists(path("imm.gz")));
	/* gzip says the same */
	unlink(path("imm.gz"));
	if (have_gzip) {
		assert_int_equal(sys_cmd(NULL, NULL, gzip_bin(), "imm", NULL), 2);
		assert_true(apps_exists(path("imm.gz")));
	}
	assert_int_equal(set_immutable(path("imm"), false), 0);
	unlink(path("imm"));
	unlink(path("imm.gz"));
	assert_no_tmp();
	free(data);
}

/* The software engine (no device) gives the same results. */
static void
test_sw_device(void **state)
{
	struct apps_result r;
	struct apps_cmd c;
	size_t len = 300001;
	uint8_t *data = make_data(len, WD_TEST_DATA_MIXED, 51);

	(void)state;
	assert_int_equal(apps_write_file(path("s"), data, len), 0);
	apps_cmd_init(&c, WD_GZIP);
	apps_cmd_add(&c, "--dev=sw");
	apps_cmd_add(&c, "-v");
	apps_cmd_add(&c, "s");
	assert_int_equal(apps_run(&c, NULL, dir, TIMEOUT, &r), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "software engine"));
	apps_result_free(&r);
	assert_int_equal(gz(&r, NULL, "-d", "s.gz", NULL), 0);
	apps_result_free(&r);
	assert_file_eq(path("s"), data, len);
	unlink(path("s"));
	free(data);
}

/*
 * A decompression whose request outlives the driver's deadline (the model
 * stalls it 1.5 s, the deadline is 1 s): the queue does not drain, the
 * function is reset, and the stream goes on from the state in its context
 * buffer. It used to end "invalid compressed data--format violated" on a
 * good file, when the model kept stream state inside the device.
 */
static void
test_stream_across_reset(void **state)
{
	struct apps_result r;
	struct apps_cmd c;
	size_t len = 12u << 20;
	uint8_t *data = make_data(len, WD_TEST_DATA_MIXED, 77);

	(void)state;
	assert_int_equal(apps_write_file(path("big"), data, len), 0);
	apps_cmd_init(&c, WD_GZIP);
	apps_cmd_add(&c, "--dev=sw");
	apps_cmd_add(&c, "big");
	assert_int_equal(apps_run(&c, NULL, dir, TIMEOUT, &r), 0);
	assert_int_equal(r.status, 0);
	apps_result_free(&r);
	apps_cmd_init(&c, WD_GZIP);
	apps_cmd_add(&c, "--dev=model:stall_ms=1500,fault_after=5");
	apps_cmd_add(&c, "-dc");
	apps_cmd_add(&c, "big.gz");
	assert_int_equal(apps_run(&c, NULL, dir, TIMEOUT, &r), 0);
	if (r.status != 0 || r.out_len != len)
		apps_result_dump(&c, &r);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "resetting the function"));
	assert_int_equal(r.out_len, len);
	assert_memory_equal(r.out, data, len);
	apps_result_free(&r);
	unlink(path("big.gz"));
	free(data);
}

/*
 * -c into a pipe whose reader goes away: wd-gzip ends quietly by SIGPIPE,
 * as gzip does (it used to print "write error: Broken pipe", exit 1).
 */
static void
test_closed_pipe(void **state)
{
	size_t len = 3u << 20;
	uint8_t *data = make_data(len, WD_TEST_DATA_RANDOM, 60), buf[10];
	struct apps_cmd c;
	char err[1024];
	int fds[2], status = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(apps_write_file(path("r"), data, len), 0);
	snprintf(err, sizeof(err), "%s", path("r.err"));
	apps_cmd_init(&c, WD_GZIP);
	apps_cmd_add(&c, "--dev=model");
	apps_cmd_add(&c, "-c");
	apps_cmd_add(&c, path("r"));
	assert_int_equal(pipe(fds), 0);
	pid = apps_spawn(&c, NULL, err, fds, 0);
	assert_true(pid >= 0);
	close(fds[1]);
	assert_int_equal(read(fds[0], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGPIPE);
	assert_int_equal(apps_file_has(err, "write error"), 0);
	unlink(path("r"));
	unlink(err);
	free(data);
}

/*
 * Start wd-gzip @p args (NULL-terminated) in dir with @p ign ignored, as
 * nohup does; standard output into @p out_pipe's write end when not NULL.
 */
static pid_t
start_ignoring(int ign, const int *out_pipe, const char *err, const char *const *args)
{
	struct apps_cmd c;
	pid_t pid;

	apps_cmd_init(&c, WD_GZIP);
	apps_cmd_add(&c, "--dev=model");
	for (; *args != NULL; args++)
		apps_cmd_add(&c, *args);
	pid = apps_spawn(&c, dir, err, out_pipe, ign);
	assert_true(pid >= 0);
	return pid;
}

/*
 * Signals ignored by whoever started wd-gzip stay ignored, as in gzip:
 * under nohup a hangup does not kill it, and with SIGPIPE ignored a
 * closed pipe is "Broken pipe", exit 1 (gzip 1.12 does the same).
 */
static void
test_ignored_signals(void **state)
{
	size_t len = 32u << 20;
	uint8_t *data = make_data(len, WD_TEST_DATA_TEXT, 61), buf[10];
	const char *keep[] = { "-k", "big", NULL }, *to_pipe[] = { "-c", "big", NULL };
	char err[1024];
	int fds[2], status = 0, seen = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(apps_write_file(path("big"), data, len), 0);
	snprintf(err, sizeof(err), "%s", path("big.err"));
	unlink(path("big.gz"));
	/* SIGHUP ignored: a hangup in the middle of the file changes nothing */
	pid = start_ignoring(SIGHUP, NULL, err, keep);
	for (int i = 0; i < 60000 && !seen; i++) {
		seen = apps_count_entries(dir, ".wd-gzip.");
		if (!seen)
			usleep(1000);
	}
	assert_true(seen > 0);
	kill(pid, SIGHUP);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(apps_exists(path("big.gz")));
	unlink(path("big.gz"));
	/* SIGPIPE ignored: the closed pipe is an error, not a signal */
	assert_int_equal(pipe(fds), 0);
	pid = start_ignoring(SIGPIPE, fds, err, to_pipe);
	close(fds[1]);
	assert_int_equal(read(fds[0], buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_int_equal(apps_file_has(err, "Broken pipe"), 1);
	unlink(path("big"));
	unlink(err);
	free(data);
}

/*
 * -f into standard output (and -t -f): input that starts no member, at the
 * start of the file or after a member, is copied through unchanged, as
 * gzip -cdf (zcat -f) does; written to a file, it is still not gzip.
 */
static void
expect_cat(const char *name, const uint8_t *file, size_t flen, const uint8_t *want,
	   size_t wlen)
{
	struct apps_result r;

	assert_int_equal(apps_write_file(path(name), file, flen), 0);
	if (gz(&r, NULL, "-dcf", name, NULL) != 0 || r.out_len != wlen)
		print_message("%s: exit %d, %zu bytes out, want %zu: %s\n", name, r.status,
			      r.out_len, wlen, r.err);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.out_len, wlen);
	assert_memory_equal(r.out, want, wlen);
	assert_int_equal(strlen(r.err), 0);
	apps_result_free(&r);
	if (have_gzip) {
		size_t got;
		uint8_t *g;

		assert_int_equal(sys_cmd(path("cat.out"), NULL, gzip_bin(), "-dcf", path(name),
					 NULL), 0);
		g = apps_read_file(path("cat.out"), &got);
		assert_non_null(g);
		assert_int_equal(got, wlen);
		assert_memory_equal(g, want, wlen);
		free(g);
		unlink(path("cat.out"));
	}
	unlink(path(name));
}

static void
test_force_copies_through(void **state)
{
	const size_t chunk = 256 * 1024, big = 700000;
	uint8_t *plain = make_data(big, WD_TEST_DATA_TEXT, 43);
	uint8_t *file = malloc(3 * big), *want = malloc(3 * big);
	struct apps_result r;
	size_t m;

	(void)state;
	assert_non_null(file);
	assert_non_null(want);
	/* not gzip at all (several chunks), empty, one byte, a lone 1f */
	expect_cat("plain", plain, big, plain, big);
	expect_cat("empty", plain, 0, plain, 0);
	expect_cat("one", plain, 1, plain, 1);
	file[0] = 0x1f;
	expect_cat("lone1f", file, 1, file, 1);
	/* a member, then plain data over several chunks */
	m = gzip_member(plain, 5000, file, 3 * big, 6);
	memcpy(file + m, plain, big);
	memcpy(want, plain, 5000);
	memcpy(want + 5000, plain, big);
	expect_cat("member-plain", file, m + big, want, 5000 + big);
	/* a member ending at a chunk boundary, then 1f X; then zeros; then a lone 1f */
	m = member_of_size(plain, chunk, file, chunk);
	memcpy(want, plain, m);
	memcpy(file + chunk, "\x1fX", 2);
	memcpy(want + m, "\x1fX", 2);
	expect_cat("cb-1fX", file, chunk + 2, want, m + 2);
	memset(file + chunk, 0, 16);
	memset(want + m, 0, 16);
	expect_cat("cb-zeros", file, chunk + 16, want, m + 16);
	file[chunk] = 0x1f;
	want[m] = 0x1f;
	expect_cat("cb-1f", file, chunk + 1, want, m + 1);
	/* a member inside the copied part is copied as it is */
	m = gzip_member(plain, 100, file, 3 * big, 6);
	file[m] = 'X';
	memcpy(file + m + 1, file, m);
	memcpy(want, plain, 100);
	memcpy(want + 100, file + m, m + 1);
	expect_cat("member-X-member", file, 2 * m + 1, want, 100 + m + 1);

	/*
	 * Formats gzip decompresses and wd-gzip does not (compress's .Z here)
	 * are errors, not copied: at the start, or after a member (whose data
	 * is out by then). A text that merely starts with "PK" is copied.
	 */
	memcpy(file, "\x1f\x9d\x90\x61\x00", 5);
	assert_int_equal(apps_write_file(path("a.Z"), file, 5), 0);
	assert_int_equal(gz(&r, NULL, "-dcf", "a.Z", NULL), 1);
	assert_int_equal(r.out_len, 0);
	assert_non_null(strstr(r.err, "not in gzip format"));
	apps_result_free(&r);
	m = gzip_member(plain, 100, file, 3 * big, 6);
	memcpy(file + m, "\x1f\x9d\x90\x61\x00", 5);
	assert_int_equal(apps_write_file(path("gz-Z"), file, m + 5), 0);
	assert_int_equal(gz(&r, NULL, "-dcf", "gz-Z", NULL), 1);
	assert_int_equal(r.out_len, 100);
	assert_memory_equal(r.out, plain, 100);
	assert_non_null(strstr(r.err, "not in gzip format"));
	apps_result_free(&r);
	expect_cat("pk.txt", (const uint8_t *)"PKG text\n", 9, (const uint8_t *)"PKG text\n", 9);
	unlink(path("a.Z"));
	unlink(path("gz-Z"));
	/* stdin with -df, and -tf: copied through (to nowhere for -t), exit 0 */
	assert_int_equal(apps_write_file(path("p.txt"), plain, big), 0);
	assert_int_equal(gz(&r, path("p.txt"), "-df", NULL), 0);
	assert_int_equal(r.out_len, big);
	assert_memory_equal(r.out, plain, big);
	apps_result_free(&r);
	assert_int_equal(gz(&r, NULL, "-tf", "p.txt", NULL), 0);
	assert_int_equal(r.out_len, 0);
	assert_int_equal(strlen(r.err), 0);
	apps_result_free(&r);
	/* into a file, or without -f: not in gzip format, nothing written */
	assert_int_equal(apps_write_file(path("p.gz"), plain, big), 0);
	assert_int_equal(gz(&r, NULL, "-df", "p.gz", NULL), 1);
	assert_non_null(strstr(r.err, "not in gzip format"));
	assert_int_equal(access(path("p"), F_OK), -1);
	apps_result_free(&r);
	assert_int_equal(gz(&r, NULL, "-dc", "p.txt", NULL), 1);
	assert_int_equal(r.out_len, 0);
	assert_non_null(strstr(r.err, "not in gzip format"));
	apps_result_free(&r);
	unlink(path("p.txt"));
	unlink(path("p.gz"));
	assert_no_tmp();
	free(plain);
	free(file);
	free(want);
}

/*
 * With -c, standard output is the data: EAL's usage text for a bad EAL
 * argument goes to stderr, and nothing to stdout.
 */
static void
test_eal_error_keeps_stdout(void **state)
{
	struct apps_result r;
	static const uint8_t text[] = "hello, world\n";

	(void)state;
	assert_int_equal(apps_write_file(path("e"), text, sizeof(text) - 1), 0);
	assert_int_equal(gz(&r, NULL, "-c", "--eal=--bogus-eal-option", "e", NULL), 1);
	assert_int_equal(r.out_len, 0);
	assert_non_null(strstr(r.err, "cannot start DPDK's EAL"));
	assert_non_null(strstr(r.err, "EAL common options"));
	apps_result_free(&r);
	unlink(path("e"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_files),
		cmocka_unit_test(test_stdin_stdout_keep_levels),
		cmocka_unit_test(test_gzip_interop),
		cmocka_unit_test(test_all_header_fields_and_members),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_truncation_scan_and_trailing),
		cmocka_unit_test(test_file_rules),
		cmocka_unit_test(test_input_not_removed),
		cmocka_unit_test(test_size_changed),
		cmocka_unit_test(test_sw_device),
		cmocka_unit_test(test_stream_across_reset),
		cmocka_unit_test(test_closed_pipe),
		cmocka_unit_test(test_ignored_signals),
		cmocka_unit_test(test_force_copies_through),
		cmocka_unit_test(test_eal_error_keeps_stdout),
	};

	if (!apps_built(WD_GZIP)) {
		fprintf(stderr, "wd-gzip is not built: skipped\n");
		return 77;
	}
	return cmocka_run_group_tests_name("wd-gzip", tests, setup, teardown);
}
