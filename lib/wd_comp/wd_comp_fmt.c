/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * zlib (RFC 1950) and gzip (RFC 1952) framing: header writer, incremental
 * header parser, trailers, checksums and the worst-case output size.
 *
 * The parser is a byte-driven state machine so that a header split over
 * any number of stateful requests (down to one byte each) is handled; its
 * state is plain data and may be copied.
 */
#include <stddef.h>
#include <string.h>

#include <zlib.h>

#include "wd_config.h"
#include "wd_comp_fmt.h"

#if WD_HAVE_ISAL
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#endif

/* gzip FLG bits (RFC 1952 2.3.1) */
#define GZ_FTEXT 0x01
#define GZ_FHCRC 0x02
#define GZ_FEXTRA 0x04
#define GZ_FNAME 0x08
#define GZ_FCOMMENT 0x10
#define GZ_FRESERVED 0xe0
#define GZ_ID1 WD_GZIP_ID1
#define GZ_ID2 WD_GZIP_ID2
#define GZ_CM_DEFLATE 8
#define GZ_OS_UNIX 3
#define GZ_XFL_MAX 2  /* slowest, best compression */
#define GZ_XFL_FAST 4 /* fastest */

/* zlib CMF/FLG (RFC 1950 2.2) */
#define ZL_CM_DEFLATE 8
#define ZL_CINFO_MAX 7
#define ZL_FDICT 0x20

/* Deflate stored blocks: 16-bit LEN, 3 header bits rounded to a byte + LEN + NLEN. */
#define DEFL_STORED_MAX 65535u
#define DEFL_STORED_OVERHEAD 5u

/* Parser states. */
enum {
	PS_FIXED = 0, /* collecting the fixed part (zlib 2, gzip 10 bytes) */
	PS_XLEN,      /* gzip: 2-byte XLEN */
	PS_EXTRA,     /* gzip: skipping XLEN bytes */
	PS_NAME,      /* gzip: NUL-terminated FNAME */
	PS_COMMENT,   /* gzip: NUL-terminated FCOMMENT */
	PS_HCRC,      /* gzip: 2-byte header CRC */
	PS_DICTID,    /* zlib with FDICT: the 4-byte DICTID, then ERR_DICT (as zlib) */
	PS_DONE,
	PS_ERR_DATA,
	PS_ERR_DICT,
};

uint32_t
wd_comp_crc32(uint32_t crc, const void *buf, size_t len)
{
	if (len == 0)
		return crc;
#if WD_HAVE_ISAL
	/* crc32_gzip_refl() takes and returns the final (inverted) value, like zlib. */
	return crc32_gzip_refl(crc, buf, len);
#else
	{
		const uint8_t *p = buf;

		/* zlib's crc32() takes a uInt length: feed huge buffers in pieces. */
		while (len > 0) {
			uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;

			crc = (uint32_t)crc32(crc, p, n);
			p += n;
			len -= n;
		}
		return crc;
	}
#endif
}

uint32_t
wd_comp_adler32(uint32_t adler, const void *buf, size_t len)
{
	if (len == 0)
		return adler;
#if WD_HAVE_ISAL
	return isal_adler32(adler, buf, len);
#else
	{
		const uint8_t *p = buf;

		while (len > 0) {
			uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;

			adler = (uint32_t)adler32(adler, p, n);
			p += n;
			len -= n;
		}
		return adler;
	}
#endif
}

uint32_t
wd_comp_chksum_init(enum wd_comp_alg alg)
{
	return alg == WD_COMP_ALG_ZLIB ? 1u : 0u;
}

uint32_t
wd_comp_chksum_update(enum wd_comp_alg alg, uint32_t sum, const void *buf, size_t len)
{
	if (alg == WD_COMP_ALG_ZLIB)
		return wd_comp_adler32(sum, buf, len);
	return wd_comp_crc32(sum, buf, len);
}

int
wd_comp_is_gzip_magic(const uint8_t *in, size_t len)
{
	return in != NULL && len >= 2 && in[0] == GZ_ID1 && in[1] == GZ_ID2;
}

size_t
wd_comp_hdr_len(enum wd_comp_alg alg)
{
	switch (alg) {
	case WD_COMP_ALG_ZLIB:
		return WD_ZLIB_HDR_LEN;
	case WD_COMP_ALG_GZIP:
		return WD_GZIP_HDR_MIN_LEN;
	default:
		return 0;
	}
}

size_t
wd_comp_trailer_len(enum wd_comp_alg alg)
{
	switch (alg) {
	case WD_COMP_ALG_ZLIB:
		return WD_ZLIB_TRAILER_LEN;
	case WD_COMP_ALG_GZIP:
		return WD_GZIP_TRAILER_LEN;
	default:
		return 0;
	}
}

/* FLEVEL as zlib's deflate writes it: 0 fastest .. 3 slowest; default 2. */
static unsigned int
zlib_flevel(int level)
{
	if (level <= 0 || level > 9)
		return 2;
	if (level < 2)
		return 0;
	if (level < 6)
		return 1;
	if (level == 6)
		return 2;
	return 3;
}

size_t
wd_comp_hdr_write(enum wd_comp_alg alg, int level, unsigned int window_log, uint8_t *out,
		  size_t room)
{
	size_t len = wd_comp_hdr_len(alg);

	if (len == 0 || out == NULL || room < len)
		return 0;
	if (alg == WD_COMP_ALG_ZLIB) {
		unsigned int cmf, flg;

		if (window_log < 8 || window_log > 15)
			window_log = 15;
		cmf = ((window_log - 8) << 4) | ZL_CM_DEFLATE;
		flg = zlib_flevel(level) << 6;
		flg += 31 - ((cmf << 8) + flg) % 31;
		out[0] = (uint8_t)cmf;
		out[1] = (uint8_t)flg;
		return len;
	}
	/* gzip: ID1 ID2 CM FLG MTIME(4) XFL OS; no optional field. */
	out[0] = GZ_ID1;
	out[1] = GZ_ID2;
	out[2] = GZ_CM_DEFLATE;
	out[3] = 0;
	out[4] = out[5] = out[6] = out[7] = 0;
	out[8] = level == 9 ? GZ_XFL_MAX : (level == 1 ? GZ_XFL_FAST : 0);
	out[9] = GZ_OS_UNIX;
	return len;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t
get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint32_t
get_le32(const uint8_t *p)
{
	return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

size_t
wd_comp_trailer_write(enum wd_comp_alg alg, uint32_t checksum, uint32_t isize, uint8_t *out)
{
	if (out == NULL)
		return 0;
	switch (alg) {
	case WD_COMP_ALG_ZLIB:
		put_be32(out, checksum);
		return WD_ZLIB_TRAILER_LEN;
	case WD_COMP_ALG_GZIP:
		put_le32(out, checksum);
		put_le32(out + 4, isize);
		return WD_GZIP_TRAILER_LEN;
	default:
		return 0;
	}
}

int
wd_comp_trailer_check(enum wd_comp_alg alg, const uint8_t *trailer, uint32_t checksum,
		      uint32_t isize)
{
	switch (alg) {
	case WD_COMP_ALG_ZLIB:
		return trailer != NULL && get_be32(trailer) == checksum ? 0 : -1;
	case WD_COMP_ALG_GZIP:
		return trailer != NULL && get_le32(trailer) == checksum &&
		       get_le32(trailer + 4) == isize ? 0 : -1;
	default:
		return 0;
	}
}

size_t
wd_comp_fmt_bound(enum wd_comp_alg alg, size_t len)
{
	size_t blocks = len / DEFL_STORED_MAX + (len % DEFL_STORED_MAX != 0);
	size_t bound;

	/* Stored blocks for the data, plus one empty final stored block. */
	bound = len + blocks * DEFL_STORED_OVERHEAD + DEFL_STORED_OVERHEAD;
	bound += wd_comp_hdr_len(alg) + wd_comp_trailer_len(alg);
	if (bound < len) /* overflow */
		return SIZE_MAX;
	return bound;
}

/* ------------------------------------------------------------------ */
/* Incremental header parser                                           */
/* ------------------------------------------------------------------ */

void
wd_comp_hdr_parser_init(struct wd_comp_hdr_parser *p, enum wd_comp_alg alg)
{
	if (p == NULL)
		return;
	/* everything but the two string buffers (cleared by their first byte) */
	memset(p, 0, offsetof(struct wd_comp_hdr_parser, info));
	memset(&p->info, 0, offsetof(struct wd_gzip_hdr_info, name));
	p->info.name[0] = '\0';
	p->info.comment[0] = '\0';
	p->alg = (uint8_t)alg;
	if (alg != WD_COMP_ALG_ZLIB && alg != WD_COMP_ALG_GZIP)
		p->state = PS_DONE;
	else
		p->state = PS_FIXED;
}

/* The next gzip state after the field that just ended. */
static uint8_t
gz_next_state(const struct wd_comp_hdr_parser *p, uint8_t after)
{
	switch (after) {
	case PS_FIXED:
		if (p->flg & GZ_FEXTRA)
			return PS_XLEN;
		/* fall through */
	case PS_EXTRA:
		if (p->flg & GZ_FNAME)
			return PS_NAME;
		/* fall through */
	case PS_NAME:
		if (p->flg & GZ_FCOMMENT)
			return PS_COMMENT;
		/* fall through */
	case PS_COMMENT:
		if (p->flg & GZ_FHCRC)
			return PS_HCRC;
		/* fall through */
	default:
		return PS_DONE;
	}
}

static int
zlib_fixed_check(struct wd_comp_hdr_parser *p)
{
	unsigned int cmf = p->fixed[0], flg = p->fixed[1];

	if ((cmf & 0x0f) != ZL_CM_DEFLATE || (cmf >> 4) > ZL_CINFO_MAX ||
	    ((cmf << 8) | flg) % 31 != 0) {
		p->state = PS_ERR_DATA;
		return WD_HDR_ERR_DATA;
	}
	if (flg & ZL_FDICT) {
		/* zlib says "need dictionary" once the DICTID is there; before, truncated */
		p->state = PS_DICTID;
		return WD_HDR_MORE;
	}
	p->flg = (uint8_t)flg;
	p->state = PS_DONE;
	return WD_HDR_DONE;
}

static int
gzip_fixed_check(struct wd_comp_hdr_parser *p)
{
	const uint8_t *f = p->fixed;

	if (f[0] != GZ_ID1 || f[1] != GZ_ID2 || f[2] != GZ_CM_DEFLATE ||
	    (f[3] & GZ_FRESERVED) != 0) {
		p->state = PS_ERR_DATA;
		return WD_HDR_ERR_DATA;
	}
	p->flg = f[3];
	p->info.flags = f[3];
	p->info.mtime = get_le32(f + 4);
	p->info.xfl = f[8];
	p->info.os = f[9];
	p->pos = 0;
	p->state = gz_next_state(p, PS_FIXED);
	return WD_HDR_MORE;
}

/* Feed a NUL-terminated string field; returns bytes taken, sets *end when NUL seen. */
static size_t
gz_string(struct wd_comp_hdr_parser *p, char *dst, const uint8_t *in, size_t len, int *end)
{
	const uint8_t *nul = memchr(in, 0, len);
	size_t take = nul != NULL ? (size_t)(nul - in) + 1 : len;
	size_t keep = take - (nul != NULL);

	if (p->pos < WD_GZIP_STR_MAX - 1) {
		size_t room = WD_GZIP_STR_MAX - 1 - p->pos;
		size_t n = keep < room ? keep : room;

		memcpy(dst + p->pos, in, n);
		p->pos = (uint16_t)(p->pos + n);
		dst[p->pos] = '\0';
	}
	*end = nul != NULL;
	return take;
}

int
wd_comp_hdr_parse(struct wd_comp_hdr_parser *p, const uint8_t *in, size_t len, size_t *used)
{
	size_t i = 0;
	int ret = WD_HDR_MORE;

	if (used != NULL)
		*used = 0;
	if (p == NULL || used == NULL || (in == NULL && len > 0))
		return WD_HDR_ERR_DATA;

	while (ret == WD_HDR_MORE) {
		size_t n, start = i;

		switch (p->state) {
		case PS_DONE:
			ret = WD_HDR_DONE;
			continue;
		case PS_ERR_DICT:
			ret = WD_HDR_ERR_DICT;
			continue;
		case PS_ERR_DATA:
			ret = WD_HDR_ERR_DATA;
			continue;
		default:
			break;
		}
		if (i == len)
			break;

		switch (p->state) {
		case PS_FIXED: {
			size_t want = (p->alg == WD_COMP_ALG_ZLIB ? WD_ZLIB_HDR_LEN :
				       WD_GZIP_HDR_MIN_LEN) - p->pos;

			n = len - i < want ? len - i : want;
			memcpy(p->fixed + p->pos, in + i, n);
			p->pos = (uint16_t)(p->pos + n);
			i += n;
			if (n == want) {
				p->pos = 0;
				if (p->alg == WD_COMP_ALG_ZLIB) {
					ret = zlib_fixed_check(p);
				} else {
					p->hcrc = wd_comp_crc32(0, p->fixed, WD_GZIP_HDR_MIN_LEN);
					ret = gzip_fixed_check(p);
				}
			}
			start = i; /* gzip: the fixed part enters hcrc from fixed[] */
			break;
		}
		case PS_XLEN:
			p->fixed[p->pos++] = in[i++];
			if (p->pos == 2) {
				p->info.extra_len = (uint16_t)(p->fixed[0] | (p->fixed[1] << 8));
				p->remain = p->info.extra_len;
				p->pos = 0;
				p->state = p->remain > 0 ? PS_EXTRA : gz_next_state(p, PS_EXTRA);
			}
			break;
		case PS_EXTRA:
			n = len - i < p->remain ? len - i : p->remain;
			i += n;
			p->remain -= (uint32_t)n;
			if (p->remain == 0)
				p->state = gz_next_state(p, PS_EXTRA);
			break;
		case PS_NAME:
		case PS_COMMENT: {
			int end = 0;
			char *dst = p->state == PS_NAME ? p->info.name : p->info.comment;

			i += gz_string(p, dst, in + i, len - i, &end);
			if (end) {
				p->pos = 0;
				p->state = gz_next_state(p, p->state);
			}
			break;
		}
		case PS_DICTID:
			n = len - i < 4u - p->pos ? len - i : 4u - p->pos;
			p->pos = (uint16_t)(p->pos + n);
			i += n;
			if (p->pos == 4) {
				p->state = PS_ERR_DICT;
				ret = WD_HDR_ERR_DICT;
			}
			break;
		case PS_HCRC:
			/* The CRC bytes themselves are not part of the CRC. */
			p->fixed[p->pos++] = in[i++];
			start = i;
			if (p->pos == 2) {
				p->crc16_expect = (uint16_t)(p->fixed[0] | (p->fixed[1] << 8));
				p->pos = 0;
				if (p->crc16_expect != (uint16_t)(p->hcrc & 0xffff)) {
					p->state = PS_ERR_DATA;
					ret = WD_HDR_ERR_DATA;
				} else {
					p->state = PS_DONE;
				}
			}
			break;
		default:
			p->state = PS_ERR_DATA;
			ret = WD_HDR_ERR_DATA;
			break;
		}
		/* Running header CRC over the optional fields (gzip). */
		if (p->alg == WD_COMP_ALG_GZIP && i > start)
			p->hcrc = wd_comp_crc32(p->hcrc, in + start, i - start);
	}
	p->total += (uint32_t)i;
	*used = i;
	return ret;
}
