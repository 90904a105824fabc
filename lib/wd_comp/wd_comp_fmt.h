/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * zlib (RFC 1950) and gzip (RFC 1952) framing helpers, shared by the
 * software engine and by hardware drivers (internal, not installed).
 *
 * Headers are parsed incrementally, so a header split over several
 * stateful requests is handled: feed bytes until the parser says done.
 * Every gzip header field is handled: FTEXT, FHCRC (verified), FEXTRA,
 * FNAME, FCOMMENT; reserved flag bits and a method other than 8 are
 * errors. zlib: CMF/FLG check, CINFO <= 7, FDICT reported as its own
 * error.
 */
#ifndef WD_COMP_FMT_H
#define WD_COMP_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "wd_comp_msg.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WD_ZLIB_HDR_LEN 2
#define WD_ZLIB_TRAILER_LEN 4
#define WD_GZIP_HDR_MIN_LEN 10
#define WD_GZIP_TRAILER_LEN 8
/** The two magic bytes that start every gzip member (RFC 1952 ID1, ID2). */
#define WD_GZIP_ID1 0x1f
#define WD_GZIP_ID2 0x8b
/** Longest gzip FNAME / FCOMMENT kept by the parser (longer ones are skipped). */
#define WD_GZIP_STR_MAX 256

/** Outcome of wd_comp_hdr_parse(). */
enum wd_comp_hdr_result {
	WD_HDR_DONE = 0,       /**< header complete */
	WD_HDR_MORE = 1,       /**< all input used, header not complete yet */
	WD_HDR_ERR_DATA = -1,  /**< not a valid header (bad magic, method, flags, FHCRC) */
	WD_HDR_ERR_DICT = -2,  /**< zlib FDICT set: a preset dictionary is needed */
};

/** What a parsed gzip header said. */
struct wd_gzip_hdr_info {
	uint8_t flags;          /**< FLG byte */
	uint32_t mtime;
	uint8_t xfl;
	uint8_t os;
	uint16_t extra_len;     /**< XLEN (contents skipped) */
	char name[WD_GZIP_STR_MAX];    /**< FNAME, NUL-terminated (truncated if long) */
	char comment[WD_GZIP_STR_MAX]; /**< FCOMMENT, likewise */
};

/** Incremental header parser (treat as opaque; plain data, copyable). */
struct wd_comp_hdr_parser {
	uint8_t alg;            /**< enum wd_comp_alg */
	uint8_t state;
	uint8_t flg;
	uint8_t pad;
	uint16_t crc16_expect;
	uint16_t pos;           /**< bytes of the current field seen */
	uint32_t remain;        /**< bytes left in the current field */
	uint32_t total;         /**< header bytes consumed so far */
	uint32_t hcrc;          /**< running CRC-32 of the header (FHCRC) */
	uint8_t fixed[10];      /**< fixed part being collected */
	struct wd_gzip_hdr_info info;
};

/** Start parsing a header of format @p alg (deflate: done at once). */
void wd_comp_hdr_parser_init(struct wd_comp_hdr_parser *p, enum wd_comp_alg alg);

/**
 * Feed @p len bytes. @p *used returns how many belong to the header.
 * @return enum wd_comp_hdr_result.
 */
int wd_comp_hdr_parse(struct wd_comp_hdr_parser *p, const uint8_t *in, size_t len,
		      size_t *used);

/**
 * Write the header a compressor emits: zlib 2 bytes (CMF from the window,
 * FLEVEL from the level), gzip 10 bytes (no optional fields, MTIME 0,
 * OS = 3), deflate nothing.
 *
 * @p level is zlib's: 1 → FLEVEL 0 / XFL 4, 2..5 → FLEVEL 1, 6 → 2,
 * 7..9 → 3 (9: XFL 2); 0, negative or above 9 means "default" (FLEVEL 2,
 * XFL 0, i.e. 78 9c), so wd_comp_msg.level (0 = default) can be passed
 * as is. @p window_log outside 8..15 means 15.
 * @return bytes written, or 0 with nothing written if @p room is too small
 *         (check with wd_comp_hdr_len()).
 */
size_t wd_comp_hdr_write(enum wd_comp_alg alg, int level, unsigned int window_log,
			 uint8_t *out, size_t room);

/** @return the length of the header wd_comp_hdr_write() emits. */
size_t wd_comp_hdr_len(enum wd_comp_alg alg);

/** @return the trailer length: zlib 4, gzip 8, deflate 0. */
size_t wd_comp_trailer_len(enum wd_comp_alg alg);

/**
 * Write the trailer: zlib Adler-32 big-endian; gzip CRC-32 then ISIZE,
 * little-endian. @return bytes written.
 */
size_t wd_comp_trailer_write(enum wd_comp_alg alg, uint32_t checksum, uint32_t isize,
			     uint8_t *out);

/**
 * Check a trailer against the running values.
 * @return 0 if it matches, -1 if not.
 */
int wd_comp_trailer_check(enum wd_comp_alg alg, const uint8_t *trailer, uint32_t checksum,
			  uint32_t isize);

/** @return the initial checksum of a format (Adler-32: 1, CRC-32: 0). */
uint32_t wd_comp_chksum_init(enum wd_comp_alg alg);

/** Running CRC-32 (gzip polynomial; ISA-L when available, else zlib). */
uint32_t wd_comp_crc32(uint32_t crc, const void *buf, size_t len);

/** Running Adler-32. */
uint32_t wd_comp_adler32(uint32_t adler, const void *buf, size_t len);

/** Update the format's checksum (zlib: Adler-32, gzip/deflate: CRC-32). */
uint32_t wd_comp_chksum_update(enum wd_comp_alg alg, uint32_t sum, const void *buf, size_t len);

/** @return true if @p in (at least 2 bytes) starts a gzip member (1f 8b). */
int wd_comp_is_gzip_magic(const uint8_t *in, size_t len);

/**
 * Worst-case compressed size of @p len bytes (stored blocks: 5 bytes per
 * 64 KiB - 1, plus header, trailer and a final empty block).
 */
size_t wd_comp_fmt_bound(enum wd_comp_alg alg, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* WD_COMP_FMT_H */
