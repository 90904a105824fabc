/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fuzzers' seeded generator (xorshift64): one state per program file
 * that includes this, set through rs (not 0).
 */
#ifndef WD_TEST_RNG_H
#define WD_TEST_RNG_H

#include <stdbool.h>
#include <stdint.h>

static uint64_t rs;

static inline uint64_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

/* [0, n) */
static inline uint32_t
ru(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

/* [lo, hi] */
static inline uint32_t
rr(uint32_t lo, uint32_t hi)
{
	return lo + ru(hi - lo + 1);
}

/* true with @p pct percent */
static inline bool
rp(unsigned int pct)
{
	return ru(100) < pct;
}

#endif /* WD_TEST_RNG_H */
