/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A fake ZIP function for unit tests of drivers/hisi_zip (SPDK style): a
 * register file that records every access, a mailbox, VFT, SQC/CQC
 * storage, doorbells and a scriptable "engine" that completes SQEs either
 * at the doorbell (auto mode) or when the test says so, in any order.
 *
 * It is registered as the model-bus provider "hzfake"
 * ("model:type=hzfake,key=value,..."). Keys: vf=0|1, vfbase=N, vfq=N,
 * rev=N, noirq=1; other keys (the driver's) are ignored. It is
 * deliberately not the device model: it checks the protocol, not the
 * compression.
 */
#ifndef HZIP_FAKE_H
#define HZIP_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "hisi_qm_hw.h"
#include "hisi_zip_hw.h"

#define HZF_MAX_QP 1024
#define HZF_LOG_MAX 8192

struct hzf_access {
	char op;         /* 'r' / 'w' */
	uint8_t width;   /* 32, 64, 128 */
	uint64_t off;
	uint64_t lo, hi;
};

struct hzf_queue {
	bool sqc_valid, cqc_valid;
	struct qm_sqc sqc;
	struct qm_cqc cqc;
	uint16_t fetch;       /* next SQE the engine takes */
	uint16_t db_tail;     /* last SQ doorbell index */
	uint16_t cq_tail;     /* next CQE to write */
	uint8_t cq_phase;
	bool cflag;
	uint16_t cq_db_head;  /* last CQ doorbell index */
	uint32_t sqes_done;
};

struct hzf;
/** Engine: fill the SQE results; return false to hold it (no CQE now). */
typedef bool (*hzf_exec_t)(struct hzf *f, unsigned int qn, uint16_t slot, struct hzip_sqe *sqe);

struct hzf {
	bool vf;
	uint8_t rev;
	bool noirq;
	uint8_t cfg[256];
	uint64_t bar_len;
	uint32_t *regs;               /* bar_len / 4 */
	struct hzf_access *log;
	unsigned int nlog;
	unsigned int bad_access;      /* out of range, or PF-only register on a VF */
	/* mailbox */
	uint16_t mb_w0, mb_queue;
	uint32_t mb_data_l, mb_data_h;
	unsigned int mb_busy_reads;   /* reads that still see busy after each command */
	unsigned int mb_busy_left;
	bool mb_stuck;                /* never completes */
	int mb_fail_cmd;              /* command answered with a status (-1: none) */
	unsigned int mb_cmds[16];
	unsigned int mb_narrow;       /* mailbox writes that were not one 128-bit store */
	uint64_t sqc_bt, cqc_bt;
	uint64_t vft_sqc, vft_cqc;    /* PF: programmed VFT of function 0 */
	uint32_t vf_base, vf_num;     /* VF: what cmd 6 returns */
	bool vf_invalid;              /* VF: cmd 6 answers with the valid bit clear */
	uint64_t eq_base, aeq_base;
	uint16_t eq_depth, eq_tail;
	uint8_t eq_phase;
	uint16_t aeq_depth, aeq_tail;
	uint8_t aeq_phase;
	unsigned int mem_init;        /* MEM_START_INIT writes */
	unsigned int resets;
	bool reset_hold;              /* a reset waits here while set (another thread clears it) */
	bool in_reset;                /* a reset is held by reset_hold */
	unsigned int wb_start;
	/* doorbells */
	unsigned int sq_db, cq_db, cq_db_arm, eq_db, aeq_db;
	uint64_t last_sq_db, last_cq_db;
	/* queues (function-relative) */
	struct hzf_queue q[HZF_MAX_QP];
	/* engine */
	bool manual;                  /* true: SQEs wait for hzf_complete() */
	hzf_exec_t exec;              /* NULL: default results */
	void *exec_arg;
	/* interrupts */
	unsigned int nvec;
	int efds[4];
	unsigned int msi_sent;
	/* DMA */
	unsigned int nmaps;
	bool destroyed;
};

/** The last function the provider created. */
extern struct hzf *hzf_last;

/** Default engine: status ok (compress 0, decompress 0x13 + last block). */
bool hzf_exec_default(struct hzf *f, unsigned int qn, uint16_t slot, struct hzip_sqe *sqe);

/** @return SQE @p slot of queue @p qn (as the device sees it). */
struct hzip_sqe *hzf_sqe(struct hzf *f, unsigned int qn, uint16_t slot);

/** Manual mode: run the engine on SQE @p slot and post its CQE (with @p phase_ok). */
void hzf_complete(struct hzf *f, unsigned int qn, uint16_t slot, bool phase_ok);
/**
 * Run SQE @p slot and advance the CQ tail (the CQC says it is answered)
 * without writing its CQE's phase yet: *w7 gets the word to store at
 * *cqe to finish it (a device whose tail moves before its write lands).
 */
void hzf_complete_tail_first(struct hzf *f, unsigned int qn, uint16_t slot,
			     volatile uint16_t **cqe_w7, uint16_t *w7);

/** Write a raw CQE at the CQ tail (tests of stale/bogus CQEs). */
void hzf_post_cqe(struct hzf *f, unsigned int qn, uint16_t sq_head);

/** Manual mode: run and complete every fetched SQE in order. */
void hzf_complete_all(struct hzf *f, unsigned int qn);

/** Skip SQE @p slot: the engine takes it but writes no CQE (a lost completion). */
void hzf_drop(struct hzf *f, unsigned int qn, uint16_t slot);

/** @return how many accesses match (op, width, off). */
unsigned int hzf_count(const struct hzf *f, char op, unsigned int width, uint64_t off);

/** @return index of the first write to @p off in the log, or -1. */
int hzf_first_write(const struct hzf *f, uint64_t off);

/** @return the last value written to the 32-bit register @p off. */
uint32_t hzf_reg(const struct hzf *f, uint64_t off);

/** Set a register as the device would (e.g. an error status). */
void hzf_set_reg(struct hzf *f, uint64_t off, uint32_t v);

/** Post an AEQE (type QM_AEQE_*) for queue @p qn (no MSI: a polling driver must find it). */
void hzf_post_aeqe(struct hzf *f, unsigned int qn, unsigned int type);

/** Free a destroyed function (after wd_dev_detach). */
void hzf_free(struct hzf *f);

#endif /* HZIP_FAKE_H */
