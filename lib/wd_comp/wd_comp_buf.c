/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Do an op's input and output share bytes? The device reads the one while
 * it writes the other, so an output on the input's data makes a wrong
 * result reported as success. Flat buffers are one range each; a chain is
 * one range per segment it uses. Small pairs are compared one by one;
 * larger ones are sorted by address and swept once.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <rte_mbuf.h>

#include "wd_comp_private.h"

/* Pairs of ranges compared one by one at most; above, sort and sweep. */
#define OVL_PAIRS_MAX 1024
/* Ranges kept on the stack; more are allocated. */
#define OVL_STACK 64u

struct ovl_range {
	uintptr_t lo, hi;	/* [lo, hi) */
	uint8_t side;		/* 0: first buffer, 1: second */
};

/* Walks the ranges a buffer uses, one per segment. */
struct ovl_iter {
	const struct wd_comp_buf *b;
	const struct rte_mbuf *s;
	uint32_t off, left;
	bool flat_done;
};

static void
iter_start(struct ovl_iter *it, const struct wd_comp_buf *b)
{
	it->b = b;
	it->s = b->type == WD_COMP_BUF_MBUF ? b->m : NULL;
	it->off = b->offset;
	it->left = b->len;
	it->flat_done = false;
}

static bool
iter_next(struct ovl_iter *it, uint8_t side, struct ovl_range *r)
{
	if (it->left == 0)
		return false;
	if (it->b->type != WD_COMP_BUF_MBUF) {
		if (it->flat_done)
			return false;
		it->flat_done = true;
		*r = (struct ovl_range){ (uintptr_t)it->b->addr,
					 (uintptr_t)it->b->addr + it->left, side };
		return true;
	}
	for (; it->s != NULL; it->s = it->s->next) {
		const struct rte_mbuf *s = it->s;
		uintptr_t lo;
		uint32_t take;

		if (it->off >= s->data_len) {
			it->off -= s->data_len;
			continue;
		}
		take = RTE_MIN((uint32_t)s->data_len - it->off, it->left);
		lo = rte_pktmbuf_mtod_offset(s, uintptr_t, it->off);
		*r = (struct ovl_range){ lo, lo + take, side };
		it->left -= take;
		it->off = 0;
		it->s = s->next;
		return true;
	}
	return false;
}

/* Ranges of @p b into @p out (up to @p cap); @return how many there are. */
static uint32_t
buf_ranges(const struct wd_comp_buf *b, uint8_t side, struct ovl_range *out, uint32_t cap)
{
	struct ovl_iter it;
	struct ovl_range r;
	uint32_t n = 0;

	iter_start(&it, b);
	while (iter_next(&it, side, &r)) {
		if (n < cap)
			out[n] = r;
		n++;
	}
	return n;
}

static int
cmp_lo(const void *x, const void *y)
{
	const struct ovl_range *a = x, *b = y;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Sorted by start, a range overlaps the other side iff it starts before that side's end. */
static bool
sweep(struct ovl_range *r, uint32_t n)
{
	uintptr_t end[2] = { 0, 0 };

	qsort(r, n, sizeof(*r), cmp_lo);
	for (uint32_t i = 0; i < n; i++) {
		if (r[i].lo < end[r[i].side ^ 1])
			return true;
		if (r[i].hi > end[r[i].side])
			end[r[i].side] = r[i].hi;
	}
	return false;
}

static bool
pairwise(const struct ovl_range *r, uint32_t na, uint32_t nb)
{
	for (uint32_t i = 0; i < na; i++)
		for (uint32_t j = na; j < na + nb; j++)
			if (r[i].lo < r[j].hi && r[j].lo < r[i].hi)
				return true;
	return false;
}

bool
wd_comp_buf_overlap_chains(const struct wd_comp_buf *a, const struct wd_comp_buf *b)
{
	struct ovl_range stack[OVL_STACK], *r = stack;
	/* on the stack as they come; counted on past it */
	uint32_t na = buf_ranges(a, 0, stack, OVL_STACK);
	uint32_t kept = RTE_MIN(na, OVL_STACK);
	uint32_t nb = buf_ranges(b, 1, stack + kept, OVL_STACK - kept);
	bool hit;

	if (na == 0 || nb == 0)
		return false;
	if (na + nb > OVL_STACK) {
		r = malloc(sizeof(*r) * (na + nb));
		if (r == NULL) {
			/* no memory for the sort: every pair, as the ranges come */
			struct ovl_iter ia, ib;
			struct ovl_range x, y;

			iter_start(&ia, a);
			while (iter_next(&ia, 0, &x)) {
				iter_start(&ib, b);
				while (iter_next(&ib, 1, &y))
					if (x.lo < y.hi && y.lo < x.hi)
						return true;
			}
			return false;
		}
	}
	if (r != stack) {
		buf_ranges(a, 0, r, na);
		buf_ranges(b, 1, r + na, nb);
	}
	if ((uint64_t)na * nb <= OVL_PAIRS_MAX)
		hit = pairwise(r, na, nb);
	else
		hit = sweep(r, na + nb);
	if (r != stack)
		free(r);
	return hit;
}
