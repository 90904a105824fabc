/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL memory events against device attach/detach: lcore 1 grows and
 * shrinks EAL's heap (each grow or shrink is a memory event, which
 * wd_core forwards to every model's IOMMU) while the main lcore attaches
 * and detaches model devices. Needs hugepages (dynamic memory): with
 * --no-huge there are no memory events and the case is skipped.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "comp_test.h"
#include "wd.h"
#include "wd_comp.h"
#include "wd_test.h"

static uint32_t g_stop;   /* atomic */
static uint64_t g_grows;  /* atomic */

static int
churn(void *arg)
{
	enum { N = 4 };
	void *p[N];

	(void)arg;
	while (!__atomic_load_n(&g_stop, __ATOMIC_RELAXED)) {
		/* beyond the preallocated -m: the heap grows, then shrinks */
		for (int i = 0; i < N; i++)
			p[i] = rte_malloc(NULL, 96u << 20, 0);
		for (int i = 0; i < N; i++)
			rte_free(p[i]);
		__atomic_add_fetch(&g_grows, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static void
test_attach_detach_under_mem_events(void **state)
{
	uint64_t end;
	unsigned int cycles = 0;
	int err = 0;

	(void)state;
	if (!rte_lcore_is_enabled(1) || rte_get_main_lcore() != 0 || !rte_eal_has_hugepages()) {
		fprintf(stderr, "needs lcores 0-1 and hugepages: skipped\n");
		skip();
	}
	assert_int_equal(rte_eal_remote_launch(churn, NULL, 1), 0);
	end = rte_get_timer_cycles() + rte_get_timer_hz() * 10;
	while (rte_get_timer_cycles() < end) {
		int dev = wd_comp_dev_attach("model:engine=store");

		if (dev < 0) {
			err = dev;
			break;
		}
		err = wd_comp_dev_detach((uint8_t)dev);
		if (err < 0)
			break;
		cycles++;
	}
	__atomic_store_n(&g_stop, 1, __ATOMIC_RELAXED);
	assert_int_equal(rte_eal_wait_lcore(1), 0);
	fprintf(stderr, "%u attach/detach cycles, %" PRIu64 " heap grow/shrink rounds%s%s\n",
		cycles, __atomic_load_n(&g_grows, __ATOMIC_RELAXED), err < 0 ? ", then: " : "",
		err < 0 ? strerror(-err) : "");
	assert_int_equal(err, 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_detach_under_mem_events),
	};
	int ret;

	(void)argc;
	if (ct_init(argv[0]) != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	wd_cleanup();
	wd_test_eal_cleanup();
	return ret;
}
