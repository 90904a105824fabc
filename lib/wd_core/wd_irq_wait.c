/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sleeping on an interrupt vector shared by several queues.
 *
 * The queues of a function share its completion vector, signalled on one
 * eventfd. If every sleeper read the eventfd itself, one sleeper's read
 * could take the count that another one, between its last look at its
 * queue and its poll(), was about to sleep on: that one would sleep
 * through its own completion until its timeout. So one sleeper at a time
 * (the reader) waits on the eventfd; each event it reads advances a
 * generation, and the others wait on the generation (a futex), woken by
 * the reader. A sleeper notes the generation before its last look at its
 * queue and does not sleep if it moved since: an event read by anybody
 * after that look is seen. A reader leaving while others wait hands the
 * eventfd over by advancing the generation (they all look again, and one
 * of them reads next).
 *
 * Costs nothing on the data path: only wd_recv_sync()'s sleep comes here.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "wd_core_private.h"

struct wd_irq_wait wd_irq_waits[WD_MAX_DEVS][WD_MAX_IRQS];

struct timespec
wd_ms_timespec(int ms)
{
	return (struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
}

uint32_t
wd_irq_wait_gen(const struct wd_irq_wait *w)
{
	return __atomic_load_n(&w->gen, __ATOMIC_ACQUIRE);
}

static void
wake_all(struct wd_irq_wait *w)
{
	syscall(SYS_futex, &w->gen, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* The reader's wait: poll the eventfd, take its count. @return 1, 0, -errno. */
static int
read_eventfd(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t cnt;
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return 0;
	if (pfd.revents & (POLLNVAL | POLLERR))
		return -EBADF;
	if (read(fd, &cnt, sizeof(cnt)) == (ssize_t)sizeof(cnt))
		return 1;
	/* another process sharing the fd took it; nothing to report */
	return errno == EAGAIN ? 0 : -errno;
}

int
wd_irq_wait(struct wd_irq_wait *w, int fd, uint32_t gen, int timeout_ms)
{
	int ret;

	if (timeout_ms < 0)
		timeout_ms = 0;
	if (__atomic_load_n(&w->gen, __ATOMIC_ACQUIRE) != gen)
		return 1;
	/*
	 * Count ourselves a waiter before trying for the reader's role: a
	 * reader leaving either sees us (and advances the generation) or left
	 * before our try, which then succeeds.
	 */
	__atomic_add_fetch(&w->waiters, 1, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&w->reader, 1, __ATOMIC_SEQ_CST) == 0) {
		bool moved;

		__atomic_sub_fetch(&w->waiters, 1, __ATOMIC_SEQ_CST);
		/* an event read between our look at the generation and now */
		moved = __atomic_load_n(&w->gen, __ATOMIC_ACQUIRE) != gen;
		if (moved)
			ret = 1;
		else if ((ret = read_eventfd(fd, timeout_ms)) == 1)
			/* before leaving: whoever reads next must not wait for it */
			__atomic_add_fetch(&w->gen, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&w->reader, 0, __ATOMIC_SEQ_CST);
		/* others wait: for this event, or for the eventfd we leave */
		if (__atomic_load_n(&w->waiters, __ATOMIC_SEQ_CST) > 0) {
			__atomic_add_fetch(&w->gen, 1, __ATOMIC_RELEASE);
			wake_all(w);
		}
		return ret;
	}
	{
		struct timespec ts = wd_ms_timespec(timeout_ms);

		/* returns when woken, when gen != @p gen already, or at the timeout */
		syscall(SYS_futex, &w->gen, FUTEX_WAIT_PRIVATE, gen, &ts, NULL, 0);
	}
	__atomic_sub_fetch(&w->waiters, 1, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&w->gen, __ATOMIC_ACQUIRE) != gen ? 1 : 0;
}
