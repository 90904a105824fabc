/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection (hzip_model_inject() and the fail=, drop=, bad_phase=,
 * ecc=, stall_ms=, fault_after= spec keys). The engine consults the state
 * once per request, and only when something is armed (one relaxed load
 * otherwise). A request takes at most one of: ECC error (engine halts
 * until a function reset; the request never executes), failure with a
 * status, dropped completion, CQE with the wrong phase; a stall may come
 * on top of any of them.
 */
#include <inttypes.h>
#include <string.h>

#include "hzm_private.h"

#define HZM_FAULT_DEFAULT_STATUS	0x0e	/* dest_avail_out too small [11.1] */
#define HZM_ECC_SRAM_NUMBER		1	/* reported in CORE_SRAM_ECC_ERR_INFO[23:16] */

static bool
any_armed(const struct hzip_model_faults *f)
{
	return f->fail_count != 0 || f->drop_count != 0 || f->bad_phase_count != 0 ||
	       f->ecc_multi_bit || f->stall_ms != 0;
}

void
hzm_fault_set(struct hzip_model *m, const struct hzip_model_faults *f)
{
	pthread_mutex_lock(&m->fault_lock);
	m->faults = *f;
	if (m->faults.fail_status == 0)
		m->faults.fail_status = HZM_FAULT_DEFAULT_STATUS;
	__atomic_store_n(&m->fault_armed, any_armed(&m->faults) ? 1 : 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&m->fault_lock);
	if (any_armed(f))
		hzm_trace_note(m, "EV faults armed: fail=%u status=0x%02x drop=%u bad_phase=%u "
			       "ecc=%u stall_ms=%u after=%u", f->fail_count,
			       m->faults.fail_status, f->drop_count, f->bad_phase_count,
			       f->ecc_multi_bit ? 1 : 0, f->stall_ms, f->after);
}

bool
hzm_fault_take(struct hzip_model *m, struct hzm_fault_act *a)
{
	struct hzip_model_faults *f = &m->faults;
	unsigned int fired = 0;

	pthread_mutex_lock(&m->fault_lock);
	if (!any_armed(f)) {
		__atomic_store_n(&m->fault_armed, 0, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&m->fault_lock);
		return false;
	}
	if (f->after > 0) {
		f->after--;
		pthread_mutex_unlock(&m->fault_lock);
		return false;
	}
	if (f->stall_ms != 0) {
		a->stall_ms = f->stall_ms;
		f->stall_ms = 0;
		fired++;
	}
	if (f->ecc_multi_bit) {
		a->ecc = true;
		f->ecc_multi_bit = false;
		fired++;
	} else if (f->fail_count != 0) {
		a->fail = true;
		a->fail_status = f->fail_status;
		f->fail_count--;
		fired++;
	} else if (f->drop_count != 0) {
		a->drop = true;
		f->drop_count--;
		fired++;
	} else if (f->bad_phase_count != 0) {
		a->bad_phase = true;
		f->bad_phase_count--;
		fired++;
	}
	__atomic_store_n(&m->fault_armed, any_armed(f) ? 1 : 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&m->fault_lock);
	__atomic_fetch_add(&m->faults_injected, fired, __ATOMIC_RELAXED);
	return fired > 0;
}

void
hzm_fault_ecc(struct hzip_model *m)
{
	HZM_LOG(ERR, m, "injected ECC multi-bit error: engine halted until function reset");
	hzm_trace_note(m, "EV injected ECC multi-bit error: engine halted until FLR");
	__atomic_fetch_add(&m->dfx_ecc_mbit, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&m->core_ecc_info, HZM_ECC_SRAM_NUMBER << 16, __ATOMIC_RELEASE);
	__atomic_fetch_or(&m->rob_ecc_sts, HZM_ROB_ECC_MULTI_BIT, __ATOMIC_ACQ_REL);
	hzm_gate_set(m, HZM_GATE_ECC_HALT, true);
	hzm_raise_abnormal(m, HZM_QM_ECC_MBIT, HZM_ZIP_ECC_2BIT);
}
