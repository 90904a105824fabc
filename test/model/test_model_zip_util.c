/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the ZIP engine tests: see test_model_zip_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>
#include <zlib.h>

#include "test_model_zip_util.h"
#include "wd_test.h"

void
tz_init(struct tz *t, unsigned int mb, enum hzip_model_engine mode, enum hzm_zip_backend backend)
{
	struct hzm_zip_cfg cfg = { .mode = mode };

	tz_init_cfg(t, mb, &cfg, backend);
}

void
tz_init_cfg(struct tz *t, unsigned int mb, const struct hzm_zip_cfg *cfg,
	    enum hzm_zip_backend backend)
{
	struct hzm_zip_opts opts = { .backend = backend };

	memset(t, 0, sizeof(*t));
	assert_true(mb >= 2 && mb % 2 == 0);
	t->size = (size_t)mb << 20;
	t->npieces = mb / 2;
	t->arena = mmap(NULL, t->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(t->arena != MAP_FAILED);
	assert_int_equal(hzm_iommu_create(&t->mmu), 0);
	/* IOVA piece i lives at process piece npieces - 1 - i */
	for (unsigned int i = 0; i < t->npieces; i++) {
		uint8_t *va = t->arena + (size_t)(t->npieces - 1 - i) * TZ_PIECE;

		assert_int_equal(hzm_iommu_map(t->mmu, (uint64_t)(uintptr_t)va,
					       TZ_IOVA_BASE + (uint64_t)i * TZ_PIECE, TZ_PIECE), 0);
	}
	assert_int_equal(hzm_zip_create_opts(cfg, &opts, &t->z), 0);
	t->brk = 0;
	t->store = cfg->mode == HZIP_MODEL_ENGINE_STORE;
}

void
tz_fini(struct tz *t)
{
	hzm_zip_destroy(t->z);
	hzm_iommu_destroy(t->mmu);
	munmap(t->arena, t->size);
	memset(t, 0, sizeof(*t));
}

void
tz_reset_alloc(struct tz *t)
{
	t->brk = 0;
}

uint64_t
g_alloc(struct tz *t, uint64_t len, uint64_t align)
{
	uint64_t off;

	if (align == 0)
		align = 64;
	off = (t->brk + align - 1) & ~(align - 1);
	if (off + len > t->size) {
		fail_msg("guest arena exhausted (%llu + %llu > %zu)", (unsigned long long)off,
			 (unsigned long long)len, t->size);
	}
	t->brk = off + len;
	return TZ_IOVA_BASE + off;
}

uint8_t *
g_ptr(struct tz *t, uint64_t iova)
{
	uint64_t off = iova - TZ_IOVA_BASE;
	uint64_t piece = off / TZ_PIECE;

	assert_true(iova >= TZ_IOVA_BASE && off < t->size);
	return t->arena + (t->npieces - 1 - piece) * TZ_PIECE + off % TZ_PIECE;
}

void
tz_hole(struct tz *t, uint64_t iova, uint64_t len)
{
	assert_int_equal(hzm_iommu_unmap(t->mmu, iova, len), 0);
}

void
tz_unhole(struct tz *t, uint64_t iova, uint64_t len)
{
	while (len > 0) {
		uint64_t in_piece = TZ_PIECE - (iova - TZ_IOVA_BASE) % TZ_PIECE;
		uint64_t n = len < in_piece ? len : in_piece;

		assert_int_equal(
			hzm_iommu_map(t->mmu, (uint64_t)(uintptr_t)g_ptr(t, iova), iova, n), 0);
		iova += n;
		len -= n;
	}
}

static void
g_copy(struct tz *t, uint64_t iova, uint8_t *p, uint64_t len, bool to_guest)
{
	while (len > 0) {
		uint64_t in_piece = TZ_PIECE - (iova - TZ_IOVA_BASE) % TZ_PIECE;
		uint64_t n = len < in_piece ? len : in_piece;

		if (to_guest)
			memcpy(g_ptr(t, iova), p, n);
		else
			memcpy(p, g_ptr(t, iova), n);
		iova += n;
		p += n;
		len -= n;
	}
}

void
g_write(struct tz *t, uint64_t iova, const void *src, uint64_t len)
{
	g_copy(t, iova, (uint8_t *)(uintptr_t)src, len, true);
}

void
g_read(struct tz *t, uint64_t iova, void *dst, uint64_t len)
{
	g_copy(t, iova, dst, len, false);
}

void
g_fill(struct tz *t, uint64_t iova, uint8_t byte, uint64_t len)
{
	while (len > 0) {
		uint64_t in_piece = TZ_PIECE - (iova - TZ_IOVA_BASE) % TZ_PIECE;
		uint64_t n = len < in_piece ? len : in_piece;

		memset(g_ptr(t, iova), byte, n);
		iova += n;
		len -= n;
	}
}

void
tsqe_init(struct tsqe *s, unsigned int req_type, unsigned int buf_type, unsigned int win,
	  uint32_t dw7, uint64_t src, uint32_t in_len, uint64_t dst, uint32_t avail_out)
{
	memset(s, 0, sizeof(*s));
	s->dw[4] = in_len;
	s->dw[7] = dw7;
	s->dw[9] = (req_type & 0xff) | (buf_type & 0xf) << 8 | (win & 0xf) << 12;
	s->dw[13] = 0x5a5a1234;              /* tag: must come back untouched */
	s->dw[14] = avail_out;
	s->dw[18] = (uint32_t)src;
	s->dw[19] = (uint32_t)(src >> 32);
	s->dw[20] = (uint32_t)dst;
	s->dw[21] = (uint32_t)(dst >> 32);
}

void
tsqe_set_ctx(struct tsqe *s, uint64_t ctx)
{
	s->dw[22] = (uint32_t)ctx;
	s->dw[23] = (uint32_t)(ctx >> 32);
}

unsigned int
tz_exec(struct tz *t, struct tsqe *s, unsigned int dir, struct hzm_zip_result *res)
{
	struct hzm_zip_result local;
	uint8_t raw[128];
	uint32_t before[32];

	if (res == NULL)
		res = &local;
	memcpy(before, s->dw, sizeof(before));
	memcpy(raw, s->dw, sizeof(raw));  /* little-endian host (x86_64, arm64) */
	hzm_iommu_begin(t->mmu);
	hzm_zip_exec(t->z, t->mmu, raw, dir, res);
	hzm_iommu_end(t->mmu);
	memcpy(s->dw, raw, sizeof(raw));
	/* section 17.1: only result dwords may change */
	for (unsigned int i = 0; i < 32; i++) {
		if (i <= 3 || i == 15 || (i >= 28 && i <= 31))
			continue;
		if (s->dw[i] != before[i])
			fail_msg("dw%u changed by the engine: 0x%08x -> 0x%08x", i, before[i],
				 s->dw[i]);
	}
	assert_int_equal(res->bytes_in, s->dw[0]);
	assert_int_equal(res->bytes_out, s->dw[1]);
	return tsqe_status(s);
}

unsigned int
tz_oneshot(struct tz *t, unsigned int dir, unsigned int req_type, unsigned int win, const void *in,
	   uint32_t in_len, void *out, uint32_t cap, uint32_t *consumed, uint32_t *produced)
{
	uint64_t brk = t->brk;
	uint64_t src = g_alloc(t, in_len ? in_len : 1, 64);
	uint64_t dst = g_alloc(t, cap ? cap : 1, 64);
	struct tsqe s;
	unsigned int st;

	g_write(t, src, in, in_len);
	g_fill(t, dst, 0xa5, cap);
	tsqe_init(&s, req_type, HZM_BUF_FLAT, win, 0, src, in_len, dst, cap);
	st = tz_exec(t, &s, dir, NULL);
	if (s.dw[1] > cap)
		fail_msg("produced %u > dest_avail_out %u", s.dw[1], cap);
	if (out != NULL)
		g_read(t, dst, out, cap);
	if (consumed != NULL)
		*consumed = s.dw[0];
	if (produced != NULL)
		*produced = s.dw[1];
	t->brk = brk;
	return st | (s.dw[3] & HZM_DW3_LAST_BLOCK);
}

/* ---- SGL ---- */

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Write a chain of SGL headers for the entries; @return the first header. */
static uint64_t
sgl_write(struct tz *t, const uint64_t *iova, const uint32_t *len, unsigned int n,
	  unsigned int per_sgl, uint64_t **hdrs, unsigned int *nhdr)
{
	unsigned int nsgl = n == 0 ? 1 : (n + per_sgl - 1) / per_sgl;
	uint64_t *h = calloc(nsgl, sizeof(*h));
	uint8_t *buf = calloc(1, 64 + 32 * (size_t)per_sgl);
	uint64_t first_hdr;

	assert_non_null(h);
	assert_non_null(buf);
	for (unsigned int k = 0; k < nsgl; k++)
		h[k] = g_alloc(t, 64 + 32 * (uint64_t)per_sgl, 64);
	for (unsigned int k = 0; k < nsgl; k++) {
		unsigned int first = k * per_sgl;
		unsigned int cnt = n - first < per_sgl ? n - first : per_sgl;

		if (n == 0)
			cnt = 0;
		memset(buf, 0, 64 + 32 * (size_t)per_sgl);
		put64(buf + 0x00, k + 1 < nsgl ? h[k + 1] : 0);
		put16(buf + 0x08, (uint16_t)(255 * nsgl));   /* UADK's convention */
		put16(buf + 0x0a, (uint16_t)cnt);
		put16(buf + 0x0c, (uint16_t)per_sgl);
		put64(buf + 0x30, 0xdeadbeefcafef00dULL);    /* software fields: ignored */
		put64(buf + 0x38, 0x0123456789abcdefULL);
		for (unsigned int i = 0; i < cnt; i++) {
			uint8_t *e = buf + 64 + 32 * i;

			put64(e + 0x00, iova[first + i]);
			put64(e + 0x08, 0x1111111111111111ULL);
			put32(e + 0x10, len[first + i]);
			put64(e + 0x18, 0x2222222222222222ULL);
		}
		g_write(t, h[k], buf, 64 + 32 * (uint64_t)per_sgl);
	}
	free(buf);
	first_hdr = h[0];
	if (hdrs != NULL) {
		*hdrs = h;
		*nhdr = nsgl;
	} else {
		free(h);
	}
	return first_hdr;
}

uint64_t
tz_sgl_from(struct tz *t, const uint64_t *iova, const uint32_t *len, unsigned int n,
	    unsigned int per_sgl)
{
	return sgl_write(t, iova, len, n, per_sgl, NULL, NULL);
}

void
tz_sgl_make(struct tz *t, struct tz_sgl *s, uint64_t total, unsigned int nent,
	    unsigned int per_sgl, uint64_t seed)
{
	uint64_t rs = seed + 1, left = total;

	memset(s, 0, sizeof(*s));
	assert_true(nent >= 1 && per_sgl >= 1 && per_sgl <= 255);
	s->n = nent;
	s->total = total;
	s->iova = calloc(nent, sizeof(*s->iova));
	s->len = calloc(nent, sizeof(*s->len));
	assert_non_null(s->iova);
	assert_non_null(s->len);
	for (unsigned int i = 0; i < nent; i++) {
		uint64_t remain_ent = nent - i, l;

		if (remain_ent == 1) {
			l = left;
		} else {
			uint64_t avg = left / remain_ent;

			/* vary between ~avg/2 and ~3avg/2, sometimes 1-byte entries */
			l = avg == 0 ? (left > 0 && rnd(&rs) % 2 ? 1 : 0) :
				       avg / 2 + rnd(&rs) % (avg + 1);
			if (rnd(&rs) % 17 == 0 && left > 0)
				l = 1;
			if (l > left)
				l = left;
		}
		s->len[i] = (uint32_t)l;
		/* a gap before each chunk, odd alignments: no two entries touch */
		t->brk += 16 + rnd(&rs) % 48;
		s->iova[i] = g_alloc(t, l ? l : 1, 1 + (rnd(&rs) % 2) * 7);
		left -= l;
	}
	s->sgl = sgl_write(t, s->iova, s->len, nent, per_sgl, &s->hdr, &s->nhdr);
}

static void
sgl_copy(struct tz *t, const struct tz_sgl *s, uint64_t off, uint8_t *p, uint64_t n, bool put)
{
	for (unsigned int i = 0; i < s->n && n > 0; i++) {
		uint64_t l = s->len[i], k;

		if (off >= l) {
			off -= l;
			continue;
		}
		k = l - off < n ? l - off : n;
		if (put)
			g_write(t, s->iova[i] + off, p, k);
		else
			g_read(t, s->iova[i] + off, p, k);
		p += k;
		n -= k;
		off = 0;
	}
	assert_int_equal(n, 0);
}

void
tz_sgl_put(struct tz *t, const struct tz_sgl *s, uint64_t off, const void *p, uint64_t n)
{
	sgl_copy(t, s, off, (uint8_t *)(uintptr_t)p, n, true);
}

void
tz_sgl_get(struct tz *t, const struct tz_sgl *s, uint64_t off, void *p, uint64_t n)
{
	sgl_copy(t, s, off, p, n, false);
}

void
tz_sgl_free(struct tz_sgl *s)
{
	free(s->iova);
	free(s->len);
	free(s->hdr);
	memset(s, 0, sizeof(*s));
}

/* ---- reference streams ---- */

const uint8_t *
tz_header(unsigned int req_type, unsigned int *len)
{
	static const uint8_t zh[2] = { 0x78, 0x9c };
	static const uint8_t gh[10] = { 0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03 };

	if (req_type == HZM_REQ_GZIP) {
		*len = sizeof(gh);
		return gh;
	}
	*len = sizeof(zh);
	return zh;
}

int
tz_zlib_inflate(unsigned int req_type, const uint8_t *in, size_t in_len, uint8_t **out,
		size_t *out_len)
{
	z_stream zs;
	size_t cap = in_len * 4 + 1024, n = 0;
	uint8_t *buf = malloc(cap);
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (buf == NULL || inflateInit2(&zs, req_type == HZM_REQ_GZIP ? 31 : 15) != Z_OK) {
		free(buf);
		return Z_MEM_ERROR;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)in_len;
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);

			if (nb == NULL) {
				rc = Z_MEM_ERROR;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		zs.next_out = buf + n;
		zs.avail_out = (uInt)(cap - n);
		rc = inflate(&zs, Z_NO_FLUSH);
		n = cap - zs.avail_out;
		if (rc == Z_STREAM_END) {
			/* a single member that uses all the input */
			rc = zs.avail_in == 0 ? Z_OK : Z_DATA_ERROR;
			break;
		}
		if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_out == 0))
			break;
	}
	inflateEnd(&zs);
	if (rc != Z_OK) {
		free(buf);
		return rc == Z_OK ? Z_DATA_ERROR : rc;
	}
	*out = buf;
	*out_len = n;
	return Z_OK;
}

uint8_t *
tz_zlib_deflate(unsigned int req_type, int level, int wbits, const uint8_t *in, size_t len,
		size_t *out_len)
{
	z_stream zs;
	size_t cap;
	uint8_t *buf;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED,
				      req_type == HZM_REQ_GZIP ? wbits + 16 : wbits, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	cap = deflateBound(&zs, len) + 64;
	buf = malloc(cap);
	assert_non_null(buf);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = cap - zs.avail_out;
	deflateEnd(&zs);
	return buf;
}

uint8_t *
tz_data(size_t len, unsigned int kind, uint64_t seed)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	wd_test_gen(p, len, (enum wd_test_data)kind, seed);
	return p;
}

uint8_t *
tz_corpus(unsigned int i, size_t *len, const char **name)
{
	const char *dir = wd_test_corpus_dir();
	const char *const *files = wd_test_corpus_files();
	char path[4096];
	unsigned int n = 0;

	if (dir == NULL)
		return NULL;
	while (files[n] != NULL)
		n++;
	if (i >= n)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
	if (name != NULL)
		*name = files[i];
	return wd_test_read_file(path, len);
}
