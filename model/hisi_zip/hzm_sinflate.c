/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resumable raw deflate decoder (RFC 1951) for the model's stream
 * decompression; see hzm_sinflate.h. Canonical Huffman decoding a bit at a
 * time: slower than a table decoder, but every step reads exactly the bits
 * it needs. Each step (a block header, a code length with its repeat
 * bits, a literal/length symbol with its extra bits, distance and distance
 * bits) either completes or leaves the state as it was, with the input
 * bytes it read kept in the bit buffer for the next call.
 *
 * Code sets are checked as zlib does: oversubscribed sets are invalid, and
 * an incomplete set is allowed only as a single code of one bit
 * (literal/length and distance codes; the code length code must be
 * complete).
 */
#include <stdbool.h>
#include <string.h>

#include "hzm_sinflate.h"

enum {
	M_HEAD,         /* block header (3 bits) */
	M_STORED_LEN,   /* LEN and NLEN of a stored block */
	M_STORED,       /* stored bytes */
	M_TABLE,        /* HLIT, HDIST, HCLEN */
	M_CLEN,         /* code length code lengths */
	M_LENS,         /* literal/length and distance code lengths */
	M_CODES,        /* compressed data */
	M_LIT,          /* a literal waiting for output room */
	M_MATCH,        /* a match being copied */
	M_DONE,
	M_BAD,
};

#define MAXBITS 15
#define NLITLEN 288
#define NDIST 30

/* Codes of up to FASTBITS bits are looked up in one step. */
#define FASTBITS 9

/*
 * Canonical code: codes per length and symbols ordered by code; and, for
 * every FASTBITS-bit input, the code of up to FASTBITS bits it starts with
 * (length << 12 | symbol; 0: a longer code, or none).
 */
struct huff {
	uint16_t count[MAXBITS + 1];
	uint16_t symbol[NLITLEN];
	uint16_t fast[1u << FASTBITS];
	uint8_t maxlen;            /* longest code (0: none) */
};

/* The input as bits, read at pos (bits before pos are taken by the step). */
struct rd {
	struct hzm_sinf *s;
	const uint8_t *in;
	size_t len;
	size_t used;
	uint32_t pos;
};

static const uint16_t len_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258
};
static const uint8_t len_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0
};
static const uint16_t dist_base[NDIST] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577
};
static const uint8_t dist_extra[NDIST] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13
};
static const uint8_t cl_order[19] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
};

/* @return @p n bits at the read position (advanced), or -1 when the input ran out. */
static int32_t
bits_get(struct rd *r, unsigned int n)
{
	struct hzm_sinf *s = r->s;
	uint32_t v;

	while (s->bits < r->pos + n) {
		if (r->used == r->len)
			return -1;
		s->hold |= (uint64_t)r->in[r->used++] << s->bits;
		s->bits += 8;
	}
	v = (uint32_t)(s->hold >> r->pos) & ((1u << n) - 1);
	r->pos += n;
	return (int32_t)v;
}

/* The step is complete: drop its bits. */
static void
bits_commit(struct rd *r)
{
	r->s->hold = r->pos >= 64 ? 0 : r->s->hold >> r->pos;
	r->s->bits -= r->pos;
	r->pos = 0;
}

/* The step is incomplete: read it again next time (the bits stay held). */
static void
bits_rewind(struct rd *r)
{
	r->pos = 0;
}

/* The lookup table of the short codes (the code is not oversubscribed). */
static void
fast_build(struct huff *h)
{
	unsigned int code = 0, idx = 0;

	memset(h->fast, 0, sizeof(h->fast));
	for (unsigned int len = 1; len <= FASTBITS; len++) {
		for (unsigned int k = 0; k < h->count[len]; k++, code++) {
			unsigned int rev = 0;

			/* codes go out most significant bit first */
			for (unsigned int b = 0; b < len; b++)
				rev |= ((code >> b) & 1u) << (len - 1 - b);
			for (unsigned int e = rev; e < (1u << FASTBITS); e += 1u << len)
				h->fast[e] = (uint16_t)(len << 12 | h->symbol[idx + k]);
		}
		idx += h->count[len];
		code <<= 1;
	}
}

/*
 * Build a code from @p n lengths. @return 0 complete, > 0 incomplete,
 * < 0 oversubscribed.
 */
static int
huff_build(struct huff *h, const uint8_t *length, unsigned int n)
{
	uint16_t offs[MAXBITS + 1];
	int left = 1;

	/* a code without symbols, or one never used, decodes nothing */
	memset(h->count, 0, sizeof(h->count));
	memset(h->fast, 0, sizeof(h->fast));
	h->maxlen = 0;
	for (unsigned int i = 0; i < n; i++)
		h->count[length[i]]++;
	if (h->count[0] == n)
		return 1;  /* no codes: incomplete */
	for (unsigned int len = 1; len <= MAXBITS; len++) {
		left <<= 1;
		left -= h->count[len];
		if (left < 0) {
			memset(h->count, 0, sizeof(h->count));
			return -1;
		}
		if (h->count[len] != 0)
			h->maxlen = (uint8_t)len;
	}
	offs[1] = 0;
	for (unsigned int len = 1; len < MAXBITS; len++)
		offs[len + 1] = offs[len] + h->count[len];
	for (unsigned int i = 0; i < n; i++)
		if (length[i] != 0)
			h->symbol[offs[length[i]]++] = (uint16_t)i;
	fast_build(h);
	return left;
}

/*
 * A code of @p n lengths that huff_build() left @p left incomplete, usable
 * by the decoder: complete, or a single one-bit code (with @p none, also a
 * code without symbols: zlib accepts a block without distance codes).
 */
static bool
huff_usable(const struct huff *h, int left, unsigned int n, bool none)
{
	return left == 0 || (left > 0 && h->count[0] == n - 1 && h->count[1] == 1) ||
	       (none && left > 0 && h->count[0] == n);
}

/*
 * @return a symbol, -1 input ran out, -2 no such code. A short code is
 * looked up with the bits held; a byte is taken only when no code fits in
 * them (the bits above those held are zeros, and a code of up to that many
 * bits has an entry whatever follows it), so no more input is taken than
 * the code needs. Bits that no code can start with fail as soon as the
 * longest code's length is held (an incomplete code: as zlib, which marks
 * them invalid in its tables).
 */
static int
huff_decode(struct rd *r, const struct huff *h)
{
	struct hzm_sinf *s = r->s;
	int code = 0, first = 0, index = 0;

	for (;;) {
		uint32_t avail = s->bits - r->pos;
		uint16_t e = h->fast[(uint32_t)(s->hold >> r->pos) & ((1u << FASTBITS) - 1)];

		if (e != 0 && (uint32_t)(e >> 12) <= avail) {
			r->pos += e >> 12;
			return e & 0xfff;
		}
		if (e == 0 && h->maxlen <= FASTBITS && avail >= h->maxlen)
			return -2;
		if (e == 0 && avail >= FASTBITS)
			break;  /* a longer code */
		if (r->used == r->len)
			return -1;
		s->hold |= (uint64_t)r->in[r->used++] << s->bits;
		s->bits += 8;
	}

	for (unsigned int len = 1; len <= h->maxlen; len++) {
		int32_t bit = bits_get(r, 1);
		int count;

		if (bit < 0)
			return -1;
		code |= bit;
		count = h->count[len];
		if (code - count < first)
			return h->symbol[index + (code - first)];
		index += count;
		first += count;
		first <<= 1;
		code <<= 1;
	}
	return -2;
}

static void
fixed_lengths(uint8_t *lens)
{
	unsigned int i = 0;

	for (; i < 144; i++)
		lens[i] = 8;
	for (; i < 256; i++)
		lens[i] = 9;
	for (; i < 280; i++)
		lens[i] = 7;
	for (; i < NLITLEN; i++)
		lens[i] = 8;
	for (; i < NLITLEN + NDIST; i++)
		lens[i] = 5;
}

/*
 * The block's two codes. Checked when the header was read, and again here:
 * the state may come from a context buffer the driver overwrote.
 * @return false if they are not usable.
 */
static bool
codes_build(const struct hzm_sinf *s, struct huff *lit, struct huff *dist)
{
	uint8_t fl[NLITLEN + NDIST];

	if (s->fixed) {
		fixed_lengths(fl);
		huff_build(lit, fl, NLITLEN);
		huff_build(dist, fl + NLITLEN, NDIST);
		return true;
	}
	if (s->lens[256] == 0 ||
	    !huff_usable(lit, huff_build(lit, s->lens, s->nlen), s->nlen, false))
		return false;
	/* no distance code at all is accepted (as zlib): a length then fails */
	return huff_usable(dist, huff_build(dist, s->lens + s->nlen, s->ndist), s->ndist, true);
}

void
hzm_sinf_init(struct hzm_sinf *s)
{
	memset(s, 0, sizeof(*s));
	s->mode = M_HEAD;
}

uint32_t
hzm_sinf_stored_left(const struct hzm_sinf *s)
{
	return s->mode == M_STORED ? s->length : 0;
}

/*
 * The state comes from memory the driver can write (the context buffer):
 * anything that could take the decoder out of its arrays or its history
 * makes the request fail instead.
 */
static bool
state_ok(const struct hzm_sinf *s, size_t hist_len)
{
	bool dyn = !s->fixed && (s->mode == M_CODES || s->mode == M_LIT || s->mode == M_MATCH);

	if (s->mode > M_BAD || s->bits > 56 || s->fixed > 1 || s->last > 1)
		return false;
	for (unsigned int i = 0; i < 19; i++)
		if (s->cl[i] > 7)
			return false;
	for (unsigned int i = 0; i < sizeof(s->lens); i++)
		if (s->lens[i] > MAXBITS)
			return false;
	if ((s->mode == M_CLEN || s->mode == M_LENS || dyn) &&
	    (s->nlen < 257 || s->nlen > 286 || s->ndist < 1 || s->ndist > NDIST ||
	     s->ncode < 4 || s->ncode > 19))
		return false;
	if ((s->mode == M_CLEN && s->have > s->ncode) ||
	    (s->mode == M_LENS && s->have > s->nlen + s->ndist))
		return false;
	if (s->mode == M_STORED && (s->bits != 0 || s->length > 0xffff))
		return false;
	if (s->mode == M_LIT && s->length > 255)
		return false;
	if (s->mode == M_MATCH && (s->length > 258 || s->dist == 0 || s->dist > hist_len))
		return false;
	return true;
}

/* Copy a match, as far as the room goes; @return bytes copied. */
static size_t
match_copy(struct hzm_sinf *s, uint8_t *out, size_t made, size_t room, const uint8_t *hist,
	   size_t hist_len)
{
	size_t n = s->length < room ? s->length : room;

	for (size_t i = 0; i < n; i++) {
		size_t back = s->dist;

		out[made + i] = back <= made + i ? out[made + i - back] :
					    hist[hist_len - (back - made - i)];
	}
	s->length -= (uint32_t)n;
	return n;
}

int
hzm_sinf_run(struct hzm_sinf *s, const uint8_t *in, size_t in_len, size_t *used, uint8_t *out,
	    size_t out_len, size_t *made, const uint8_t *hist, size_t hist_len)
{
	struct rd r = { .s = s, .in = in, .len = in_len, .used = 0, .pos = 0 };
	struct huff lit, dist, cl;
	bool codes = false, cl_code = false;  /* built in this call */
	size_t o = 0;
	int32_t v;
	int sym;

	if (hist_len > HZM_SINF_WSIZE) {
		hist += hist_len - HZM_SINF_WSIZE;
		hist_len = HZM_SINF_WSIZE;
	}
	if (!state_ok(s, hist_len))
		goto bad;
	for (;;) {
		switch (s->mode) {
		case M_HEAD:
			v = bits_get(&r, 3);
			if (v < 0)
				goto more;
			bits_commit(&r);
			s->last = (uint8_t)(v & 1);
			switch (v >> 1) {
			case 0:
				/* to the byte boundary: the partial byte's other bits go */
				s->hold >>= s->bits & 7;
				s->bits -= s->bits & 7;
				s->mode = M_STORED_LEN;
				break;
			case 1:
				s->fixed = 1;
				s->mode = M_CODES;
				codes = false;
				break;
			case 2:
				s->fixed = 0;
				s->mode = M_TABLE;
				break;
			default:
				s->mode = M_BAD;
				break;
			}
			break;
		case M_STORED_LEN:
			v = bits_get(&r, 16);
			if (v < 0)
				goto more;
			{
				int32_t nv = bits_get(&r, 16);

				if (nv < 0)
					goto more;
				if ((uint32_t)v != (~(uint32_t)nv & 0xffffu)) {
					s->mode = M_BAD;
					break;
				}
			}
			bits_commit(&r);
			s->length = (uint32_t)v;
			s->mode = M_STORED;
			break;
		case M_STORED:
			if (s->length > 0) {
				/* the bit buffer is empty here: bytes straight from the input */
				size_t n = s->length;

				if (n > in_len - r.used)
					n = in_len - r.used;
				if (n > out_len - o)
					n = out_len - o;
				memcpy(out + o, in + r.used, n);
				r.used += n;
				o += n;
				s->length -= (uint32_t)n;
				if (s->length > 0)
					goto more;
			}
			s->mode = s->last ? M_DONE : M_HEAD;
			break;
		case M_TABLE:
			v = bits_get(&r, 14);
			if (v < 0)
				goto more;
			bits_commit(&r);
			s->nlen = (uint16_t)(257 + (v & 0x1f));
			s->ndist = (uint16_t)(1 + ((v >> 5) & 0x1f));
			s->ncode = (uint16_t)(4 + (v >> 10));
			if (s->nlen > 286 || s->ndist > NDIST) {
				s->mode = M_BAD;
				break;
			}
			memset(s->cl, 0, sizeof(s->cl));
			s->have = 0;
			s->mode = M_CLEN;
			break;
		case M_CLEN:
			while (s->have < s->ncode) {
				v = bits_get(&r, 3);
				if (v < 0)
					goto more;
				bits_commit(&r);
				s->cl[cl_order[s->have++]] = (uint8_t)v;
			}
			if (huff_build(&cl, s->cl, 19) != 0) {
				s->mode = M_BAD;  /* the code length code must be complete */
				break;
			}
			cl_code = true;
			s->have = 0;
			s->mode = M_LENS;
			break;
		case M_LENS:
			if (!cl_code) {
				/* checked in M_CLEN, and again (the driver can write the state) */
				if (huff_build(&cl, s->cl, 19) != 0)
					goto bad;
				cl_code = true;
			}
			while (s->have < s->nlen + s->ndist) {
				unsigned int rep;
				uint8_t val = 0;

				sym = huff_decode(&r, &cl);
				if (sym == -1)
					goto more;
				if (sym < 0)
					goto bad;
				if (sym < 16) {
					bits_commit(&r);
					s->lens[s->have++] = (uint8_t)sym;
					continue;
				}
				if (sym == 16) {
					if (s->have == 0)
						goto bad;  /* nothing to repeat */
					val = s->lens[s->have - 1];
					v = bits_get(&r, 2);
					rep = 3 + (uint32_t)v;
				} else if (sym == 17) {
					v = bits_get(&r, 3);
					rep = 3 + (uint32_t)v;
				} else {
					v = bits_get(&r, 7);
					rep = 11 + (uint32_t)v;
				}
				if (v < 0)
					goto more;
				if (s->have + rep > (unsigned int)(s->nlen + s->ndist))
					goto bad;  /* repeats past the lengths */
				bits_commit(&r);
				memset(s->lens + s->have, val, rep);
				s->have = (uint16_t)(s->have + rep);
			}
			/* all lengths read: the block's codes, checked and ready */
			codes = codes_build(s, &lit, &dist);
			s->mode = codes ? M_CODES : M_BAD;
			cl_code = false;
			break;
		case M_CODES:
			if (!codes) {
				if (!codes_build(s, &lit, &dist))
					goto bad;
				codes = true;
			}
			sym = huff_decode(&r, &lit);
			if (sym == -1)
				goto more;
			if (sym < 0)
				goto bad;
			if (sym < 256) {
				bits_commit(&r);
				s->length = (uint32_t)sym;
				s->mode = M_LIT;
				break;
			}
			if (sym == 256) {
				bits_commit(&r);
				s->mode = s->last ? M_DONE : M_HEAD;
				break;
			}
			sym -= 257;
			if (sym >= 29)
				goto bad;  /* 286, 287: no such length */
			v = bits_get(&r, len_extra[sym]);
			if (v < 0)
				goto more;
			s->length = len_base[sym] + (uint32_t)v;
			sym = huff_decode(&r, &dist);
			if (sym == -1)
				goto more;
			if (sym < 0 || sym >= NDIST)
				goto bad;
			v = bits_get(&r, dist_extra[sym]);
			if (v < 0)
				goto more;
			s->dist = dist_base[sym] + (uint32_t)v;
			if (s->dist > hist_len + o)
				goto bad;  /* before the start of the output (or the window) */
			bits_commit(&r);
			s->mode = M_MATCH;
			break;
		case M_LIT:
			if (o == out_len)
				goto more;
			out[o++] = (uint8_t)s->length;
			s->mode = M_CODES;
			break;
		case M_MATCH:
			o += match_copy(s, out, o, out_len - o, hist, hist_len);
			if (s->length > 0)
				goto more;
			s->mode = M_CODES;
			break;
		case M_DONE:
			*used = r.used;
			*made = o;
			return HZM_SINF_END;
		default:
			goto bad;
		}
	}
more:
	bits_rewind(&r);
	*used = r.used;
	*made = o;
	return HZM_SINF_MORE;
bad:
	s->mode = M_BAD;
	*used = r.used;
	*made = o;
	return HZM_SINF_BAD;
}
