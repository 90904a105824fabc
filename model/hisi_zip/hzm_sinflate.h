/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw deflate decoder of the device model's stream decompression, whose
 * whole state is a plain structure the engine keeps in the stream's
 * context buffer between requests, as the silicon keeps its own there.
 * A request can stop anywhere (input or output exhausted, mid-block,
 * mid-header) and the next one, possibly on another engine thread or after
 * a function reset, goes on from that structure and the history ring.
 * Input is taken a byte at a time as bits are needed, so the bytes counted
 * used never go past the end of the deflate stream.
 */
#ifndef HZM_SINFLATE_H
#define HZM_SINFLATE_H

#include <stddef.h>
#include <stdint.h>

/** Largest match distance (32 KiB window). */
#define HZM_SINF_WSIZE 32768u

/** Result of hzm_sinf_run(). */
enum hzm_sinf_rc {
	HZM_SINF_MORE = 0,  /**< input used up or output full: call again */
	HZM_SINF_END = 1,   /**< the last block ended */
	HZM_SINF_BAD = -1,  /**< invalid deflate data (the state stays failed) */
};

/** Decoder state: no pointers, saved and restored as bytes. */
struct hzm_sinf {
	uint64_t hold;     /**< bits taken from the input, not used yet (LSB first) */
	uint32_t bits;     /**< valid bits in hold */
	uint32_t length;   /**< stored-block bytes left, or match bytes left, or a literal */
	uint32_t dist;     /**< distance of the match being copied */
	uint16_t nlen;     /**< dynamic header: literal/length codes */
	uint16_t ndist;    /**< dynamic header: distance codes */
	uint16_t ncode;    /**< dynamic header: code length codes */
	uint16_t have;     /**< dynamic header: lengths read so far */
	uint8_t mode;      /**< decoder step (private) */
	uint8_t last;      /**< the current block is the last (BFINAL) */
	uint8_t fixed;     /**< the current block uses the fixed codes */
	uint8_t pad;
	uint8_t cl[19];    /**< code length code lengths, in symbol order */
	uint8_t pad2[5];
	uint8_t lens[320]; /**< literal/length then distance code lengths */
};
_Static_assert(sizeof(struct hzm_sinf) == 376, "decoder state size: part of the context layout");

/** Start a new deflate stream. */
void hzm_sinf_init(struct hzm_sinf *s);

/**
 * Decode from @p in into @p out.
 * @param hist the @p hist_len (<= HZM_SINF_WSIZE) bytes of output that
 *        came before this call, oldest first (matches may reach into them).
 * @param used bytes of @p in taken (bits not yet decoded stay in the state).
 * @param made bytes written to @p out.
 * @return enum hzm_sinf_rc.
 */
int hzm_sinf_run(struct hzm_sinf *s, const uint8_t *in, size_t in_len, size_t *used, uint8_t *out,
		size_t out_len, size_t *made, const uint8_t *hist, size_t hist_len);

/** @return true if the last block has begun (its BFINAL bit was read). */
static inline int
hzm_sinf_bfinal(const struct hzm_sinf *s)
{
	return s->last;
}

/** @return stored-block bytes still to come (0 outside a stored block). */
uint32_t hzm_sinf_stored_left(const struct hzm_sinf *s);

#endif /* HZM_SINFLATE_H */
