/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd-perf data: generated or file input cut into requests, zlib-made
 * reference streams for decompression, zlib checks of outputs, and mbuf
 * chains (segments of equal size, armed once and re-armed after use).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include <rte_mbuf.h>

#include "perf.h"

/** Generated data set: large enough for hundreds of distinct requests. */
#define PERF_GEN_LEN (16u << 20)
/** Largest input file read. */
#define PERF_FILE_MAX (1024ull << 20)
/** At most this many distinct requests per size. */
#define PERF_MAX_REQS 65536u

/* splitmix64 */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#define VOCAB 2048
#define WORD_MAX 12

/*
 * English-like text: a vocabulary of made-up words picked with a skewed
 * (roughly Zipf) distribution, some numbers, punctuation and line breaks.
 * zlib -6 compresses it to about 37%, as it does English text.
 */
static void
gen_text(uint8_t *p, size_t len, uint64_t *s)
{
	static const char *const syl[] = {
		"th", "e", "an", "in", "er", "on", "re", "at", "en", "nd", "ti", "es", "or",
		"te", "of", "ed", "is", "it", "al", "ar", "st", "to", "nt", "ng", "se", "ha",
		"as", "ou", "io", "le", "ve", "co", "me", "de", "hi", "ri", "ro", "ic", "ne",
		"ea", "ra", "ce", "li", "ch", "ll", "be", "ma", "si", "om", "ur",
	};
	const unsigned int nsyl = sizeof(syl) / sizeof(syl[0]);
	char (*vocab)[WORD_MAX + 1] = malloc(sizeof(*vocab) * VOCAB);
	size_t i = 0;
	unsigned int col = 0;

	if (vocab == NULL) {
		memset(p, 'a', len);
		return;
	}
	for (unsigned int w = 0; w < VOCAB; w++) {
		unsigned int n = 1 + (unsigned int)(rnd(s) % 4), l = 0;

		for (unsigned int k = 0; k < n; k++) {
			const char *sy = syl[rnd(s) % nsyl];

			while (*sy != '\0' && l < WORD_MAX)
				vocab[w][l++] = *sy++;
		}
		vocab[w][l] = '\0';
	}
	while (i < len) {
		uint64_t r = rnd(s);
		double u = (double)(r >> 11) / (double)(1ULL << 53);
		char num[24];
		const char *w;
		size_t wl;

		if (r % 29 == 0) {
			snprintf(num, sizeof(num), "%u", (unsigned int)(rnd(s) % 100000));
			w = num;
		} else {
			w = vocab[(unsigned int)(u * u * u * VOCAB) % VOCAB];
		}
		wl = strlen(w);
		for (size_t k = 0; k < wl && i < len; k++, col++)
			p[i++] = (uint8_t)((col == 0 && r % 7 == 0) ? (w[k] & ~0x20) : w[k]);
		if (i >= len)
			break;
		if (r % 11 == 0 && i < len)
			p[i++] = (r % 3 == 0) ? '.' : ',';
		if (i < len) {
			if (col > 60 + (r % 16)) {
				p[i++] = '\n';
				col = 0;
			} else {
				p[i++] = ' ';
				col++;
			}
		}
	}
	free(vocab);
}

static void
gen_random(uint8_t *p, size_t len, uint64_t *s)
{
	size_t i = 0;

	while (i < len) {
		uint64_t r = rnd(s);

		for (int k = 0; k < 8 && i < len; k++, r >>= 8)
			p[i++] = (uint8_t)r;
	}
}

static void
gen_mixed(uint8_t *p, size_t len, uint64_t *s)
{
	size_t i = 0;

	gen_text(p, len, s);
	/* Replace about a fifth of the text by random runs and zero runs. */
	while (i < len) {
		size_t run = 256 + (size_t)(rnd(s) % 8192);
		uint64_t k = rnd(s) % 10;

		if (run > len - i)
			run = len - i;
		if (k == 0)
			gen_random(p + i, run, s);
		else if (k == 1)
			memset(p + i, 0, run);
		i += run;
	}
}

int
perf_data_load(const struct perf_opts *o, struct perf_data *d)
{
	uint64_t seed = o->seed * 0x2545f4914f6cdd1dULL + 7;
	size_t len = PERF_GEN_LEN;

	memset(d, 0, sizeof(*d));
	if (o->file != NULL) {
		FILE *f = fopen(o->file, "rb");
		struct stat st;

		if (f == NULL) {
			int err = errno; /* fprintf may change errno */

			fprintf(stderr, "wd-perf: --file %s: %s\n", o->file, strerror(err));
			return -err;
		}
		if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
			fprintf(stderr, "wd-perf: --file %s: not a regular file\n", o->file);
			fclose(f);
			return -EINVAL;
		}
		if (st.st_size == 0) {
			fprintf(stderr, "wd-perf: --file %s: the file is empty\n", o->file);
			fclose(f);
			return -EINVAL;
		}
		len = (uint64_t)st.st_size > PERF_FILE_MAX ? PERF_FILE_MAX : (size_t)st.st_size;
		d->buf = malloc(len);
		if (d->buf == NULL || fread(d->buf, 1, len, f) != len) {
			fprintf(stderr, "wd-perf: --file %s: cannot read %zu bytes\n", o->file,
				len);
			fclose(f);
			free(d->buf);
			d->buf = NULL;
			return -EIO;
		}
		fclose(f);
		d->len = len;
		snprintf(d->desc, sizeof(d->desc), "%s (%zu bytes%s)", o->file, len,
			 (uint64_t)st.st_size > PERF_FILE_MAX ? ", first 1 GiB" : "");
		return 0;
	}
	for (unsigned int i = 0; i < o->nb_sizes; i++)
		if (o->sizes[i] > len)
			len = o->sizes[i];
	d->buf = malloc(len);
	if (d->buf == NULL) {
		fprintf(stderr, "wd-perf: cannot allocate %zu bytes of test data\n", len);
		return -ENOMEM;
	}
	d->len = len;
	switch (o->data) {
	case PERF_DATA_TEXT:
		gen_text(d->buf, len, &seed);
		break;
	case PERF_DATA_MIXED:
		gen_mixed(d->buf, len, &seed);
		break;
	case PERF_DATA_RANDOM:
		gen_random(d->buf, len, &seed);
		break;
	case PERF_DATA_ZEROS:
		memset(d->buf, 0, len);
		break;
	}
	snprintf(d->desc, sizeof(d->desc), "generated %s, %zu MiB, seed %llu",
		 o->data == PERF_DATA_TEXT ? "text" : o->data == PERF_DATA_MIXED ? "mixed" :
		 o->data == PERF_DATA_RANDOM ? "random" : "zeros", len >> 20,
		 (unsigned long long)o->seed);
	return 0;
}

void
perf_data_free(struct perf_data *d)
{
	free(d->buf);
	d->buf = NULL;
}

uint32_t
perf_req_len(const struct perf_data *d, uint32_t size)
{
	return d->len < size ? (uint32_t)d->len : size;
}

uint32_t
perf_nb_req(const struct perf_data *d, uint32_t size)
{
	uint64_t n = d->len / perf_req_len(d, size);

	return n > PERF_MAX_REQS ? PERF_MAX_REQS : (uint32_t)n;
}

const uint8_t *
perf_req_ptr(const struct perf_data *d, uint32_t size, uint32_t idx)
{
	uint32_t nb = perf_nb_req(d, size);

	return d->buf + (size_t)(idx % nb) * perf_req_len(d, size);
}

int
perf_cdata_alloc(struct perf_cdata *c, uint32_t nb)
{
	c->nb = nb;
	c->data = calloc(nb, sizeof(*c->data));
	c->len = calloc(nb, sizeof(*c->len));
	if (c->data == NULL || c->len == NULL) {
		perf_cdata_free(c);
		return -ENOMEM;
	}
	return 0;
}

void
perf_cdata_free(struct perf_cdata *c)
{
	if (c->data != NULL)
		for (uint32_t i = 0; i < c->nb; i++)
			free(c->data[i]);
	free(c->data);
	free(c->len);
	c->data = NULL;
	c->len = NULL;
	c->nb = 0;
}

static int
zlib_wbits(enum wd_comp_alg fmt, int wlog)
{
	if (wlog < 9)
		wlog = 9; /* zlib's smallest window; the stream stays valid for any inflater */
	switch (fmt) {
	case WD_COMP_ALG_DEFLATE: return -wlog;
	case WD_COMP_ALG_GZIP: return wlog + 16;
	default: return wlog;
	}
}

int
perf_ref_compress(const struct perf_opts *o, const struct perf_data *d, uint32_t size,
		  uint32_t nb, struct perf_cdata *c)
{
	uint32_t len = perf_req_len(d, size);
	int level = o->level == WD_COMP_LEVEL_DEFAULT ? Z_DEFAULT_COMPRESSION : o->level;
	int strategy = o->huffman == WD_COMP_HUFFMAN_FIXED ? Z_FIXED : Z_DEFAULT_STRATEGY;

	if (perf_cdata_alloc(c, nb) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < nb; i++) {
		z_stream zs = { 0 };
		uLong bound;
		int ret;

		if (deflateInit2(&zs, level, Z_DEFLATED, zlib_wbits(o->format, o->window_log), 8,
				 strategy) != Z_OK) {
			perf_cdata_free(c);
			return -ENOMEM;
		}
		bound = deflateBound(&zs, len) + 32;
		c->data[i] = malloc(bound);
		if (c->data[i] == NULL) {
			deflateEnd(&zs);
			perf_cdata_free(c);
			return -ENOMEM;
		}
		zs.next_in = (Bytef *)(uintptr_t)perf_req_ptr(d, size, i);
		zs.avail_in = len;
		zs.next_out = c->data[i];
		zs.avail_out = (uInt)bound;
		ret = deflate(&zs, Z_FINISH);
		c->len[i] = (uint32_t)zs.total_out;
		deflateEnd(&zs);
		if (ret != Z_STREAM_END) {
			perf_cdata_free(c);
			return -EIO;
		}
	}
	return 0;
}

int
perf_check_inflate(enum wd_comp_alg fmt, const uint8_t *in, size_t in_len, const uint8_t *ref,
		   size_t ref_len, char *why, size_t whylen)
{
	z_stream zs = { 0 };
	uint8_t *out;
	int ret, rc = -1;

	out = malloc(ref_len + 1);
	if (out == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (inflateInit2(&zs, zlib_wbits(fmt, 15)) != Z_OK) {
		snprintf(why, whylen, "inflateInit2 failed");
		free(out);
		return -1;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)in_len;
	zs.next_out = out;
	zs.avail_out = (uInt)ref_len + 1;
	ret = inflate(&zs, Z_FINISH);
	if (ret != Z_STREAM_END)
		snprintf(why, whylen, "zlib inflate: %s (%d) after %lu of %zu bytes",
			 zs.msg != NULL ? zs.msg : ret == Z_BUF_ERROR ? "truncated stream" :
			 "error", ret, zs.total_in, in_len);
	else if (zs.total_out != ref_len)
		snprintf(why, whylen, "zlib inflate gives %lu bytes, expected %zu", zs.total_out,
			 ref_len);
	else if (memcmp(out, ref, ref_len) != 0)
		snprintf(why, whylen, "decompressed data differs from the input");
	else if (zs.avail_in != 0)
		snprintf(why, whylen, "%u bytes after the end of the stream", zs.avail_in);
	else
		rc = 0;
	inflateEnd(&zs);
	free(out);
	return rc;
}

uint32_t
perf_seg_len(uint32_t cap, uint16_t segs)
{
	if (segs == 0)
		segs = 1;
	return (cap + segs - 1) / segs;
}

struct rte_mbuf *
perf_chain_alloc(struct rte_mempool *mp, uint32_t len, uint16_t segs)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t seg_len, left = len;

	if (segs > len)
		segs = len > 0 ? (uint16_t)len : 1;
	seg_len = perf_seg_len(len, segs);
	for (uint16_t i = 0; i < segs; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t l = left < seg_len ? left : seg_len;

		if (m == NULL || l > rte_pktmbuf_tailroom(m)) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		m->data_len = (uint16_t)l;
		left -= l;
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
		}
		tail = m;
	}
	head->pkt_len = len;
	return head;
}

void
perf_chain_fill(struct rte_mbuf *m, const uint8_t *src, uint32_t len)
{
	for (; m != NULL && len > 0; m = m->next) {
		uint32_t l = m->data_len < len ? m->data_len : len;

		memcpy(rte_pktmbuf_mtod(m, uint8_t *), src, l);
		src += l;
		len -= l;
	}
}

void
perf_chain_rearm(struct rte_mbuf *m, uint32_t cap, uint16_t segs)
{
	uint32_t seg_len, left = cap;

	if (segs > m->nb_segs)
		segs = m->nb_segs;
	seg_len = perf_seg_len(cap, segs);
	m->pkt_len = cap;
	for (struct rte_mbuf *s = m; s != NULL; s = s->next) {
		uint32_t l = left < seg_len ? left : seg_len;

		s->data_len = (uint16_t)l;
		left -= l;
	}
}

int
perf_chain_read(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint8_t *dst)
{
	for (; m != NULL && off >= m->data_len; m = m->next)
		off -= m->data_len;
	for (; m != NULL && len > 0; m = m->next) {
		uint32_t l = m->data_len - off;

		if (l > len)
			l = len;
		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), l);
		dst += l;
		len -= l;
		off = 0;
	}
	return len == 0 ? 0 : -1;
}
