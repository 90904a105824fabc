/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Engine threads and the timing model.
 *
 * Each queue belongs to one thread (by CQ number), so its requests complete
 * in order. A doorbell is a posted store, as on silicon: the driver's
 * thread publishes the new tail and a new doorbell count and goes on, with
 * no locked instruction, no read of a line the engine writes and no system
 * call. Each engine thread watches its queues whose SQC is valid (its
 * watch list, rebuilt on every rescan): at the start of every pass it
 * compares their tails with their heads and notes their doorbell counts;
 * between passes a count that moved ends its idling. An idle engine spins
 * HZM_SPIN_NS, then naps in growing steps (HZM_NAP_MIN_NS ..
 * HZM_NAP_MAX_NS) and looks after each nap; control events (rescan,
 * pause, stop) wake it at once with a futex. Pending bits (hzm_sq_kick)
 * remain for the control path. Work is never found by polling ring
 * memory: only doorbells and control events. Between passes only atomic
 * fields are read (the control path changes the others while engines are
 * paused, which they are only outside passes).
 *
 * Timing model (params.timing): a request of n bytes (max of consumed and
 * produced) completes no earlier than doorbell time + lat/2 + lat/2 * n /
 * 8 KiB (lat = lat_us: 8 KiB at queue depth 1 [14]) and no earlier than a
 * device-wide bandwidth clock that advances by n / gbps per request.
 * Completions of a queue stay in order. Waits shorter than HZM_SPIN_WAIT_NS
 * are spun, longer ones slept.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rte_pause.h>

#include "hzm_private.h"

#define HZM_SPIN_NS		100000ull	/* spin this long without work, then sleep */
#define HZM_SPIN_WAIT_NS	200000ull	/* timing: spin waits up to this, sleep above */
#define HZM_CQ_RECHECK_NS	1000000ull	/* CQ full: look for space this often */
#define HZM_NAP_MIN_NS		10000ull	/* first nap after spinning */
#define HZM_NAP_MAX_NS		100000ull	/* longest nap: the worst added latency */

static long
futex_wait(uint32_t *addr, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts, *tp = NULL;

	if (timeout_ns != UINT64_MAX) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000ull);
		ts.tv_nsec = (long)(timeout_ns % 1000000000ull);
		tp = &ts;
	}
	return syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, tp, NULL, 0);
}

static void
futex_wake(uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

void
hzm_thread_wake(struct hzm_thread *t)
{
	if (__atomic_load_n(&t->sleeping, __ATOMIC_SEQ_CST) &&
	    __atomic_exchange_n(&t->sleeping, 0, __ATOMIC_SEQ_CST))
		futex_wake(&t->sleeping, 1);
}

void
hzm_sq_kick(struct hzip_model *m, struct hzm_sq *sq)
{
	struct hzm_thread *t;
	unsigned int q = sq->qn;

	if (unlikely(m->threads == NULL))
		return;
	t = &m->threads[sq->thread];
	/* no wake-up: the engine finds the bit within one nap (see above) */
	__atomic_fetch_or(&t->pending[q / 64], 1ull << (q % 64), __ATOMIC_RELEASE);
}

void
hzm_engines_rescan(struct hzip_model *m)
{
	if (m->threads == NULL)
		return;
	for (unsigned int i = 0; i < m->nthreads; i++) {
		__atomic_store_n(&m->threads[i].rescan, 1, __ATOMIC_SEQ_CST);
		hzm_thread_wake(&m->threads[i]);
	}
}

void
hzm_gate_set(struct hzip_model *m, uint32_t bit, bool on)
{
	if (on) {
		__atomic_fetch_or(&m->gate, bit, __ATOMIC_SEQ_CST);
		return;
	}
	if ((__atomic_and_fetch(&m->gate, ~bit, __ATOMIC_SEQ_CST)) == 0)
		hzm_engines_rescan(m);
}

uint64_t
hzm_timing_due(struct hzip_model *m, struct hzm_sq *sq, uint64_t now, uint64_t size)
{
	uint64_t start = __atomic_load_n(&sq->db_ns, __ATOMIC_RELAXED);
	uint64_t due, cur, next, busy;

	if (start == 0 || start > now)
		start = now;
	due = start + (uint64_t)(m->lat_ns_fixed + m->lat_ns_per_byte * (double)size);
	busy = (uint64_t)(m->bw_ns_per_byte * (double)size);
	cur = __atomic_load_n(&m->bw_next_ns, __ATOMIC_RELAXED);
	do {
		next = RTE_MAX(cur, start) + busy;
	} while (!__atomic_compare_exchange_n(&m->bw_next_ns, &cur, next, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	due = RTE_MAX(due, next);
	/* per-queue completion order */
	due = RTE_MAX(due, sq->last_due);
	sq->last_due = due;
	return due;
}

bool
hzm_engines_idle(const struct hzip_model *m)
{
	for (unsigned int i = 0; i < m->nthreads; i++)
		if (__atomic_load_n(&m->threads[i].busy, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

void
hzm_core_dfx_sum(const struct hzip_model *m, unsigned int core, struct hzm_core_dfx *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned int i = 0; i < m->nthreads; i++) {
		const struct hzm_core_dfx *t = &m->threads[i].core[core];
		uint64_t mn = __atomic_load_n(&t->min_delay_us, __ATOMIC_RELAXED);
		uint64_t mx = __atomic_load_n(&t->max_delay_us, __ATOMIC_RELAXED);

		c->get_bd += __atomic_load_n(&t->get_bd, __ATOMIC_RELAXED);
		c->good_bd += __atomic_load_n(&t->good_bd, __ATOMIC_RELAXED);
		c->err_bd += __atomic_load_n(&t->err_bd, __ATOMIC_RELAXED);
		c->done_bd += __atomic_load_n(&t->done_bd, __ATOMIC_RELAXED);
		c->work_ns += __atomic_load_n(&t->work_ns, __ATOMIC_RELAXED);
		c->consumed += __atomic_load_n(&t->consumed, __ATOMIC_RELAXED);
		c->produced += __atomic_load_n(&t->produced, __ATOMIC_RELAXED);
		c->sum_delay_us += __atomic_load_n(&t->sum_delay_us, __ATOMIC_RELAXED);
		if (mx > c->max_delay_us)
			c->max_delay_us = mx;
		if (mn != 0 && (c->min_delay_us == 0 || mn < c->min_delay_us))
			c->min_delay_us = mn;
	}
}

/* ---- active lists ---------------------------------------------------------------- */

static void
active_add(struct hzm_thread *t, struct hzm_sq *sq)
{
	if (sq->active)
		return;
	sq->active = true;
	t->active[t->n_active++] = sq;
}

static bool
sq_idle(const struct hzm_sq *sq)
{
	if (!__atomic_load_n(&sq->valid, __ATOMIC_ACQUIRE) || sq->broken)
		return true;
	return (sq->exec & 0xffff) == (__atomic_load_n(&sq->db_tail, __ATOMIC_ACQUIRE) & 0xffff) &&
	       (sq->done & 0xffff) == (sq->exec & 0xffff);
}

void
hzm_sq_forget(struct hzip_model *m, struct hzm_sq *sq)
{
	struct hzm_thread *t;
	unsigned int q = sq->qn;

	if (m->threads == NULL || !sq->valid) {
		sq->active = false;
		return;
	}
	t = &m->threads[sq->thread];
	__atomic_fetch_and(&t->pending[q / 64], ~(1ull << (q % 64)), __ATOMIC_SEQ_CST);
	if (sq->active) {
		for (unsigned int i = 0; i < t->n_active; i++) {
			if (t->active[i] == sq) {
				t->active[i] = t->active[--t->n_active];
				break;
			}
		}
		sq->active = false;
	}
}

void
hzm_engines_forget_all(struct hzip_model *m)
{
	if (m->threads == NULL)
		return;
	for (unsigned int i = 0; i < m->nthreads; i++) {
		struct hzm_thread *t = &m->threads[i];

		for (unsigned int w = 0; w < HZM_PENDING_WORDS; w++)
			__atomic_store_n(&t->pending[w], 0, __ATOMIC_SEQ_CST);
		for (unsigned int k = 0; k < t->n_active; k++)
			t->active[k]->active = false;
		t->n_active = 0;
	}
}

static void
rescan_all(struct hzm_thread *t)
{
	struct hzip_model *m = t->m;
	uint32_t qnum = hzm_qnum(m);

	t->n_watch = 0;
	for (uint32_t q = 0; q < qnum; q++) {
		struct hzm_sq *sq = &m->sqs[q];

		if (sq->thread != t->id)
			continue;
		if (__atomic_load_n(&sq->valid, __ATOMIC_ACQUIRE))
			t->watch[t->n_watch++] = (struct hzm_watch){
				.sq = sq,
				.seen = __atomic_load_n(&sq->doorbells, __ATOMIC_ACQUIRE),
			};
		if (!sq_idle(sq))
			active_add(t, sq);
	}
}

/*
 * In a pass: queues of the watch list whose doorbell tail is ahead of their
 * head go onto the active list, and their doorbell counts are noted.
 * Entries whose SQC went away or moved to another thread since the last
 * rescan are passed over.
 */
static void
watched_doorbells(struct hzm_thread *t)
{
	for (unsigned int k = 0; k < t->n_watch; k++) {
		struct hzm_watch *w = &t->watch[k];
		struct hzm_sq *sq = w->sq;

		/* the count first: a doorbell after this load moves it again */
		w->seen = __atomic_load_n(&sq->doorbells, __ATOMIC_ACQUIRE);
		if (sq->active || sq->thread != t->id || sq->broken ||
		    !__atomic_load_n(&sq->valid, __ATOMIC_ACQUIRE))
			continue;
		if ((__atomic_load_n(&sq->db_tail, __ATOMIC_ACQUIRE) & 0xffff) !=
		    (sq->exec & 0xffff))
			active_add(t, sq);
	}
}

/* Between passes: has a watched queue been rung since the last pass? */
static bool
watched_rung(const struct hzm_thread *t)
{
	for (unsigned int k = 0; k < t->n_watch; k++)
		if (__atomic_load_n(&t->watch[k].sq->doorbells, __ATOMIC_ACQUIRE) !=
		    t->watch[k].seen)
			return true;
	return false;
}

static bool
has_doorbells(const struct hzm_thread *t)
{
	for (unsigned int w = 0; w < HZM_PENDING_WORDS; w++)
		if (__atomic_load_n(&t->pending[w], __ATOMIC_SEQ_CST) != 0)
			return true;
	return false;
}

static void
collect_doorbells(struct hzm_thread *t)
{
	struct hzip_model *m = t->m;

	watched_doorbells(t);
	for (unsigned int w = 0; w < HZM_PENDING_WORDS; w++) {
		uint64_t bits;

		if (__atomic_load_n(&t->pending[w], __ATOMIC_RELAXED) == 0)
			continue;
		bits = __atomic_exchange_n(&t->pending[w], 0, __ATOMIC_ACQ_REL);
		while (bits != 0) {
			unsigned int q = w * 64 + (unsigned int)__builtin_ctzll(bits);

			bits &= bits - 1;
			if (m->sqs[q].thread == t->id)
				active_add(t, &m->sqs[q]);
		}
	}
}

/* ---- the thread ------------------------------------------------------------------- */

static bool
wake_reason(const struct hzm_thread *t)
{
	const struct hzip_model *m = t->m;

	return __atomic_load_n(&m->stop, __ATOMIC_SEQ_CST) ||
	       __atomic_load_n(&m->paused, __ATOMIC_SEQ_CST) ||
	       __atomic_load_n(&t->rescan, __ATOMIC_SEQ_CST) || has_doorbells(t) ||
	       watched_rung(t);
}

/* Nothing to do now: spin a little, then sleep until a doorbell or @p due. */
static void
idle_wait(struct hzm_thread *t, uint64_t due)
{
	uint64_t now = hzm_now_ns();
	uint64_t spin_end = now + HZM_SPIN_NS;

	for (;;) {
		if (wake_reason(t))
			return;
		now = hzm_now_ns();
		if (now >= due)
			return;
		if (now >= spin_end && (due == UINT64_MAX || due - now > HZM_SPIN_WAIT_NS))
			break;
		for (int i = 0; i < 32; i++)
			rte_pause();
	}
	/* nap: doorbells are found after each nap, control events wake us */
	for (uint64_t nap = HZM_NAP_MIN_NS;; nap = RTE_MIN(nap * 2, HZM_NAP_MAX_NS)) {
		uint64_t left;

		__atomic_store_n(&t->sleeping, 1, __ATOMIC_SEQ_CST);
		if (wake_reason(t))
			break;
		now = hzm_now_ns();
		if (now >= due)
			break;
		left = due == UINT64_MAX ? UINT64_MAX : due - now;
		if (left <= HZM_SPIN_WAIT_NS / 2)
			break;  /* close enough: the caller spins the rest */
		futex_wait(&t->sleeping, 1, RTE_MIN(nap, left - HZM_SPIN_WAIT_NS / 2));
	}
	__atomic_store_n(&t->sleeping, 0, __ATOMIC_SEQ_CST);
}

static void
wait_unpaused(struct hzm_thread *t)
{
	struct hzip_model *m = t->m;
	uint32_t p;

	while ((p = __atomic_load_n(&m->paused, __ATOMIC_SEQ_CST)) != 0 &&
	       !__atomic_load_n(&m->stop, __ATOMIC_SEQ_CST))
		futex_wait(&m->paused, p, 1000000ull);
}

static void *
engine_main(void *arg)
{
	struct hzm_thread *t = arg;
	struct hzip_model *m = t->m;

	/* naps of tens of microseconds: without this the kernel adds 50 us */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
		uint64_t next_due = UINT64_MAX, now;
		unsigned int work = 0;

		__atomic_store_n(&t->in_pass, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&m->paused, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&t->in_pass, 0, __ATOMIC_SEQ_CST);
			wait_unpaused(t);
			continue;
		}
		if (__atomic_load_n(&t->rescan, __ATOMIC_RELAXED) &&
		    __atomic_exchange_n(&t->rescan, 0, __ATOMIC_ACQ_REL))
			rescan_all(t);
		collect_doorbells(t);
		now = hzm_now_ns();
		for (unsigned int i = 0; i < t->n_active;) {
			struct hzm_sq *sq = t->active[i];

			/* the control path waits, or destroy: end the pass (queues stay active) */
			if (unlikely(__atomic_load_n(&m->paused, __ATOMIC_RELAXED) != 0 ||
				     __atomic_load_n(&m->stop, __ATOMIC_RELAXED) != 0))
				break;

			work += hzm_sq_run(t, sq, now, &next_due);
			/* a queue held by a full CQ: look again within a millisecond */
			if (unlikely(sq->cq_wait) && next_due > now + HZM_CQ_RECHECK_NS)
				next_due = now + HZM_CQ_RECHECK_NS;
			if (sq_idle(sq)) {
				sq->active = false;
				t->active[i] = t->active[--t->n_active];
			} else {
				i++;
			}
		}
		__atomic_store_n(&t->in_pass, 0, __ATOMIC_SEQ_CST);
		if (work == 0)
			idle_wait(t, next_due);
	}
	return NULL;
}

int
hzm_engines_start(struct hzip_model *m)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_attr_t attr;
	cpu_set_t cpus;
	int ret = 0;

	m->nthreads = m->p.engines;
	m->threads = aligned_alloc(RTE_CACHE_LINE_SIZE,
				   RTE_ALIGN_CEIL(sizeof(*m->threads) * m->nthreads,
						  RTE_CACHE_LINE_SIZE));
	if (m->threads == NULL)
		return -ENOMEM;
	memset(m->threads, 0, sizeof(*m->threads) * m->nthreads);
	/* not the creator's affinity: an EAL lcore is pinned to one CPU */
	CPU_ZERO(&cpus);
	for (long c = 0; c < ncpu && c < CPU_SETSIZE; c++)
		if (m->p.cpu_mask == 0 || (c < 64 && (m->p.cpu_mask & (1ull << c))))
			CPU_SET((int)c, &cpus);
	if (CPU_COUNT(&cpus) == 0) {
		HZM_LOG(ERR, m, "cpus=: none of those CPUs is online");
		free(m->threads);
		m->threads = NULL;
		return -EINVAL;
	}
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	for (unsigned int i = 0; i < m->nthreads; i++) {
		struct hzm_thread *t = &m->threads[i];
		char name[16];

		t->m = m;
		t->id = i;
		t->rescan = 1;	/* its watch list, from queues valid already */
		t->active = calloc(HZM_MAX_QUEUES, sizeof(*t->active));
		t->watch = calloc(HZM_MAX_QUEUES, sizeof(*t->watch));
		if (t->active == NULL || t->watch == NULL) {
			ret = -ENOMEM;
			break;
		}
		ret = -pthread_create(&t->tid, &attr, engine_main, t);
		if (ret == -EINVAL) {
			/* affinity refused (cpuset): inherit instead */
			ret = -pthread_create(&t->tid, NULL, engine_main, t);
		}
		if (ret < 0) {
			HZM_LOG(ERR, m, "cannot start engine thread %u: %s", i, strerror(-ret));
			break;
		}
		t->started = true;
		snprintf(name, sizeof(name), "hzm-eng%u", i % 100u);
		pthread_setname_np(t->tid, name);
	}
	pthread_attr_destroy(&attr);
	if (ret < 0)
		hzm_engines_stop(m);
	return ret;
}

void
hzm_engines_stop(struct hzip_model *m)
{
	if (m->threads == NULL)
		return;
	__atomic_store_n(&m->stop, 1, __ATOMIC_SEQ_CST);
	futex_wake(&m->paused, INT_MAX);
	for (unsigned int i = 0; i < m->nthreads; i++) {
		struct hzm_thread *t = &m->threads[i];

		if (!t->started)
			continue;
		__atomic_store_n(&t->sleeping, 0, __ATOMIC_SEQ_CST);
		futex_wake(&t->sleeping, 1);
		pthread_join(t->tid, NULL);
		t->started = false;
	}
	for (unsigned int i = 0; i < m->nthreads; i++) {
		free(m->threads[i].active);
		free(m->threads[i].watch);
	}
	free(m->threads);
	m->threads = NULL;
	m->nthreads = 0;
}

void
hzm_engines_pause(struct hzip_model *m)
{
	if (m->threads == NULL)
		return;
	__atomic_fetch_add(&m->paused, 1, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < m->nthreads; i++) {
		struct hzm_thread *t = &m->threads[i];

		while (t->started && __atomic_load_n(&t->in_pass, __ATOMIC_SEQ_CST)) {
			struct timespec ts = { 0, 20000 };

			nanosleep(&ts, NULL);
		}
	}
}

void
hzm_engines_resume(struct hzip_model *m)
{
	if (m->threads == NULL)
		return;
	if (__atomic_sub_fetch(&m->paused, 1, __ATOMIC_SEQ_CST) == 0) {
		futex_wake(&m->paused, INT_MAX);
		hzm_engines_rescan(m);
	}
}
