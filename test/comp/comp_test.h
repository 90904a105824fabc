/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Helpers shared by the wd_comp tests: device set-up, mbuf chains, a
 * bounded enqueue/dequeue loop and zlib as the reference codec.
 */
#ifndef COMP_TEST_H
#define COMP_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd_comp.h"

struct rte_mbuf;
struct rte_mempool;

/** Data room of the test mbufs (bytes per segment at most). */
#define CT_SEG_ROOM 16384u

/** Shared pools (made by ct_pools_init()). */
extern struct rte_mempool *ct_mbuf_pool;
extern struct rte_mempool *ct_op_pool;

/** Make the mbuf and op pools. Exits on failure. */
void ct_pools_init(void);

/**
 * A test program's set-up: EAL (wd_test_eal_init()), wd_comp_init() and the
 * shared pools. @return 0, or 1 (the exit status) after saying why.
 */
int ct_init(const char *prog);

/**
 * Attach @p spec, configure @p nb_qps queue pairs with @p conf (NULL:
 * defaults) and start. @return the device id, or -errno.
 */
int ct_dev_open(const char *spec, uint16_t nb_qps, const struct wd_comp_qp_conf *conf);

/** Stop and close a device. */
void ct_dev_close(uint8_t dev);

/**
 * An mbuf chain holding @p data, @p seg bytes per segment at most
 * (0: CT_SEG_ROOM), the first segment starting @p lead bytes into its
 * data room (the bytes before are part of the packet: offset tests).
 */
struct rte_mbuf *ct_chain_from(const void *data, size_t len, uint32_t seg, uint32_t lead);

/** An output chain of @p cap bytes, @p seg bytes per segment (0: CT_SEG_ROOM). */
struct rte_mbuf *ct_chain_room(size_t cap, uint32_t seg);

/** Copy @p len bytes at @p off of a chain out. @return bytes copied. */
size_t ct_chain_read(const struct rte_mbuf *m, uint32_t off, void *out, size_t len);

/**
 * Enqueue all @p n ops and dequeue them all (in any order) on (@p dev,
 * @p qp), with a bound of 20 s. @return 0, or -ETIMEDOUT.
 */
int ct_run(uint8_t dev, uint16_t qp, struct wd_comp_op **ops, unsigned int n);

/** Compress with zlib in @p alg's format. @return output length (asserts success). */
size_t ct_zlib_comp(enum wd_comp_alg alg, int level, int wbits, const void *in, size_t len,
		    void *out, size_t room);

/**
 * Decompress with zlib, all gzip members. @p wbits 0 = 15 (a smaller
 * window checks the stream keeps to it). @return length or -1.
 */
long ct_zlib_decomp(enum wd_comp_alg alg, const void *in, size_t len, void *out, size_t room,
		    int wbits);

/** zlib-side checksum of a format (Adler-32 for zlib, CRC-32 otherwise). */
uint32_t ct_sum(enum wd_comp_alg alg, const void *p, size_t len);

#endif /* COMP_TEST_H */
