/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ZIP engine: deflate, inflate and checksums. ISA-L (igzip level 1,
 * isal_inflate_stateless, isal_adler32, crc32_gzip_refl) when the build
 * has it, zlib otherwise or on request (HZM_ZIP_BACKEND_ZLIB). All output
 * is raw deflate: zlib/gzip framing is the business of hzm_zip.c (trailer)
 * and of the driver (header).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "hzm_zip_priv.h"

uint32_t
hzm_bitrev32(uint32_t v)
{
	v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
	v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
	v = ((v >> 4) & 0x0f0f0f0fu) | ((v & 0x0f0f0f0fu) << 4);
	v = ((v >> 8) & 0x00ff00ffu) | ((v & 0x00ff00ffu) << 8);
	return (v >> 16) | (v << 16);
}

uint32_t
hzm_adler32(uint32_t adler, const uint8_t *p, uint64_t n)
{
	if (n == 0)
		return adler;
#if WD_HAVE_ISAL
	return isal_adler32(adler, p, n);
#else
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;

		adler = (uint32_t)adler32(adler, p, k);
		p += k;
		n -= k;
	}
	return adler;
#endif
}

uint32_t
hzm_crc32(uint32_t crc, const uint8_t *p, uint64_t n)
{
	if (n == 0)
		return crc;
#if WD_HAVE_ISAL
	return crc32_gzip_refl(crc, p, n);
#else
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;

		crc = (uint32_t)crc32(crc, p, k);
		p += k;
		n -= k;
	}
	return crc;
#endif
}

uint64_t
hzm_stored_size(uint64_t in_len, bool final)
{
	uint64_t blocks = (in_len + HZM_STORED_MAX - 1) / HZM_STORED_MAX;

	if (blocks == 0 && final)
		blocks = 1;  /* an empty final stored block */
	return in_len + blocks * HZM_STORED_HDR_LEN;
}

int64_t
hzm_deflate_stored(const uint8_t *in, uint64_t in_len, uint8_t *out, uint64_t cap, bool final)
{
	uint64_t need = hzm_stored_size(in_len, final), pos = 0;

	if (need > cap)
		return -1;
	do {
		uint32_t n = in_len > HZM_STORED_MAX ? HZM_STORED_MAX : (uint32_t)in_len;
		bool last = final && n == in_len;

		if (n == 0 && !final)
			break;
		out[pos++] = last ? 0x01 : 0x00;  /* BFINAL, BTYPE 00, then byte aligned */
		out[pos++] = (uint8_t)n;
		out[pos++] = (uint8_t)(n >> 8);
		out[pos++] = (uint8_t)~n;
		out[pos++] = (uint8_t)(~n >> 8);
		memcpy(out + pos, in, n);
		pos += n;
		in += n;
		in_len -= n;
	} while (in_len > 0);
	return (int64_t)pos;
}

/* ---- zlib ---- */

/* Extra room of the second try of deflate_zlib(): more than zlib keeps pending at the end. */
#define HZM_ZLIB_SPARE 64

/* One deflate call of a request into out[0, cap). @return bytes, -1 not done (full), -2 error. */
static int64_t
deflate_zlib_into(struct hzm_worker *w, const struct hzm_deflate_args *a, uint8_t *out,
		  uint64_t cap)
{
	unsigned int k = a->hist_bits - 12;
	z_stream *zs = &w->zdef[k];
	int rc;

	if (!w->zdef_ok[k]) {
		memset(zs, 0, sizeof(*zs));
		if (deflateInit2(zs, 1, Z_DEFLATED, -(int)a->hist_bits, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			return -2;
		w->zdef_ok[k] = true;
	} else if (deflateReset(zs) != Z_OK) {
		return -2;
	}
	if (a->dict_len > 0 && deflateSetDictionary(zs, a->dict, a->dict_len) != Z_OK)
		return -2;
	zs->next_in = (Bytef *)(uintptr_t)a->in;
	zs->avail_in = (uInt)a->in_len;
	zs->next_out = out;
	zs->avail_out = (uInt)cap;
	rc = deflate(zs, a->finish ? Z_FINISH : Z_SYNC_FLUSH);
	if (a->finish) {
		if (rc != Z_STREAM_END)
			return -1;
	} else {
		/* a sync flush is complete when input is used and room was left */
		if ((rc != Z_OK && rc != Z_BUF_ERROR) || zs->avail_in != 0 || zs->avail_out == 0)
			return -1;
	}
	return (int64_t)(cap - zs->avail_out);
}

/*
 * zlib cannot say whether an output that filled the room exactly is
 * complete (deflate returns Z_OK whenever avail_out reaches 0): when the
 * room ran out, the request is compressed again with room to spare and
 * taken if it fits, as the device (and ISA-L) fill the room exactly.
 */
static int64_t
deflate_zlib(struct hzm_worker *w, const struct hzm_deflate_args *a)
{
	int64_t n = deflate_zlib_into(w, a, a->out, a->cap);
	uint8_t *tmp;

	if (n != -1)
		return n;
	tmp = malloc(a->cap + HZM_ZLIB_SPARE);
	if (tmp == NULL)
		return -2;
	n = deflate_zlib_into(w, a, tmp, a->cap + HZM_ZLIB_SPARE);
	if (n >= 0 && (uint64_t)n <= a->cap)
		memcpy(a->out, tmp, (size_t)n);
	else if (n >= 0)
		n = -1;
	free(tmp);
	return n;
}

static enum hzm_inf_rc
inflate_zlib(struct hzm_worker *w, const uint8_t *in, uint64_t in_len, uint8_t *out, uint64_t cap,
	     uint64_t *consumed, uint64_t *produced)
{
	z_stream *zs = &w->zinf;
	int rc;

	if (!w->zinf_ok) {
		memset(zs, 0, sizeof(*zs));
		if (inflateInit2(zs, -15) != Z_OK)
			return HZM_INF_NOMEM;
		w->zinf_ok = true;
	} else if (inflateReset(zs) != Z_OK) {
		return HZM_INF_NOMEM;
	}
	zs->next_in = (Bytef *)(uintptr_t)in;
	zs->avail_in = (uInt)in_len;
	zs->next_out = out;
	zs->avail_out = (uInt)cap;
	rc = inflate(zs, Z_FINISH);
	*consumed = in_len - zs->avail_in;
	*produced = cap - zs->avail_out;
	switch (rc) {
	case Z_STREAM_END:
		return HZM_INF_END;
	case Z_OK:
	case Z_BUF_ERROR:
		return zs->avail_out == 0 ? HZM_INF_OUT_FULL : HZM_INF_TRUNC;
	case Z_MEM_ERROR:
		return HZM_INF_NOMEM;
	default:
		return HZM_INF_DATA_ERR;
	}
}

/* ---- ISA-L ---- */

#if WD_HAVE_ISAL
static int64_t
deflate_isal(struct hzm_worker *w, const struct hzm_deflate_args *a)
{
	struct isal_zstream *zs;
	int rc;

	if (w->izs == NULL) {
		w->izs = malloc(sizeof(*w->izs));
		w->lvl_buf = malloc(ISAL_DEF_LVL1_DEFAULT);
		if (w->izs == NULL || w->lvl_buf == NULL) {
			free(w->izs);
			free(w->lvl_buf);
			w->izs = NULL;
			w->lvl_buf = NULL;
			return -2;
		}
	}
	zs = w->izs;
	isal_deflate_init(zs);
	zs->level = 1;
	zs->level_buf = w->lvl_buf;
	zs->level_buf_size = ISAL_DEF_LVL1_DEFAULT;
	zs->hist_bits = (uint16_t)a->hist_bits;
	zs->gzip_flag = IGZIP_DEFLATE;
	zs->end_of_stream = a->finish ? 1 : 0;
	zs->flush = a->finish ? NO_FLUSH : SYNC_FLUSH;
	if (a->dict_len > 0 &&
	    isal_deflate_set_dict(zs, (uint8_t *)(uintptr_t)a->dict, a->dict_len) != COMP_OK)
		return -2;
	zs->next_in = (uint8_t *)(uintptr_t)a->in;
	zs->avail_in = (uint32_t)a->in_len;
	zs->next_out = a->out;
	zs->avail_out = (uint32_t)a->cap;
	rc = isal_deflate(zs);
	if (rc != COMP_OK)
		return -2;
	if (a->finish) {
		if (zs->internal_state.state != ZSTATE_END)
			return -1;
	} else if (zs->avail_in != 0 || zs->internal_state.state != ZSTATE_NEW_HDR) {
		return -1;
	}
	return (int64_t)(a->cap - zs->avail_out);
}

static enum hzm_inf_rc
inflate_isal(struct hzm_worker *w, const uint8_t *in, uint64_t in_len, uint8_t *out, uint64_t cap,
	     uint64_t *consumed, uint64_t *produced)
{
	struct inflate_state *st;
	int rc;

	if (w->ist == NULL) {
		w->ist = malloc(sizeof(*w->ist));
		if (w->ist == NULL)
			return HZM_INF_NOMEM;
	}
	st = w->ist;
	isal_inflate_init(st);
	st->crc_flag = ISAL_DEFLATE;
	st->next_in = (uint8_t *)(uintptr_t)in;
	st->avail_in = (uint32_t)in_len;
	st->next_out = out;
	st->avail_out = (uint32_t)cap;
	rc = isal_inflate_stateless(st);
	*consumed = in_len - st->avail_in;
	*produced = st->total_out;
	switch (rc) {
	case ISAL_DECOMP_OK:
		return HZM_INF_END;
	case ISAL_END_INPUT:
		return HZM_INF_TRUNC;
	case ISAL_OUT_OVERFLOW:
		return HZM_INF_OUT_FULL;
	case ISAL_INVALID_LOOKBACK:
		/*
		 * Out of room ISA-L holds back the literals of a multi-symbol
		 * lookup and decodes the match after them: a distance into them
		 * is "invalid" though the data is good. Good data that does
		 * not fit is DSTLEN_OUT on the device, as in zlib.
		 */
		if (st->avail_out == 0)
			return HZM_INF_OUT_FULL;
		return HZM_INF_DATA_ERR;
	default:
		return HZM_INF_DATA_ERR;
	}
}
#endif

int64_t
hzm_deflate_real(struct hzm_worker *w, bool use_isal, const struct hzm_deflate_args *a)
{
#if WD_HAVE_ISAL
	if (use_isal)
		return deflate_isal(w, a);
#else
	(void)use_isal;
#endif
	return deflate_zlib(w, a);
}

enum hzm_inf_rc
hzm_inflate_oneshot(struct hzm_worker *w, bool use_isal, const uint8_t *in, uint64_t in_len,
		    uint8_t *out, uint64_t cap, uint64_t *consumed, uint64_t *produced)
{
#if WD_HAVE_ISAL
	if (use_isal)
		return inflate_isal(w, in, in_len, out, cap, consumed, produced);
#else
	(void)use_isal;
#endif
	return inflate_zlib(w, in, in_len, out, cap, consumed, produced);
}

void
hzm_codec_free(struct hzm_worker *w)
{
	for (unsigned int k = 0; k < 4; k++)
		if (w->zdef_ok[k])
			deflateEnd(&w->zdef[k]);
	if (w->zinf_ok)
		inflateEnd(&w->zinf);
#if WD_HAVE_ISAL
	free(w->izs);
	free(w->lvl_buf);
	free(w->ist);
#endif
}
