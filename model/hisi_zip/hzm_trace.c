/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Trace: one line per MMIO access and per decoded event, so that a driver's
 * initialisation can be compared line by line with reference section 9.3
 * (model/hisi_zip/hzm_trace_check.py does that).
 *
 * Line formats (fields separated by single spaces; decoded text after ';'):
 *   <us> W32 0x100040 0x00000001 QM_MEM_START_INIT
 *   <us> R32 0x100044 0x00000001 QM_MEM_INIT_DONE
 *   <us> W64 0x001000 0x0000000500000003 DOORBELL_SQ_CQ ; SQ qn=3 rand=0x0000 index=5 priority=0
 *   <us> W128 0x000300 0x...lo 0x...hi MAILBOX
 *   <us> MB cmd=SQC op=write qn=3 base=0x7f0000001000 status=0
 *   <us> EV ...            (events: AEQE, abnormal interrupt, MSI, reset)
 *   <us> DRIVER-ERROR ...
 * <us> is the time since the model was created, in microseconds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hzm_private.h"

int
hzm_trace_open(struct hzip_model *m, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		int ret = -errno;

		HZM_LOG(ERR, m, "cannot open trace file %s: %s", path, strerror(errno));
		return ret;
	}
	/* fully buffered: flushed on destroy and at reset */
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	fprintf(f, "# hisi_zip model trace: %s %04x:%04x rev %02x\n", m->vf ? "VF" : "PF",
		HZM_PCI_VENDOR_HUAWEI, m->vf ? HZM_PCI_DEVICE_ZIP_VF : HZM_PCI_DEVICE_ZIP_PF,
		HZM_PCI_REVISION_V2);
	m->trace = f;
	return 0;
}

void
hzm_trace_close(struct hzip_model *m)
{
	if (m->trace == NULL)
		return;
	pthread_mutex_lock(&m->trace_lock);
	fclose(m->trace);
	m->trace = NULL;
	pthread_mutex_unlock(&m->trace_lock);
}

static uint64_t
stamp_us(const struct hzip_model *m)
{
	return (hzm_now_ns() - m->created_ns) / 1000;
}

void
hzm_trace_mmio(struct hzip_model *m, bool write, unsigned int width, uint64_t off, uint64_t lo,
	       uint64_t hi)
{
	const char *name;
	char val[48];

	if (m->trace == NULL)
		return;
	name = hzm_reg_name(m, off);
	if (width == 32)
		snprintf(val, sizeof(val), "0x%08" PRIx64, lo & 0xffffffffu);
	else if (width == 64)
		snprintf(val, sizeof(val), "0x%016" PRIx64, lo);
	else
		snprintf(val, sizeof(val), "0x%016" PRIx64 " 0x%016" PRIx64, lo, hi);
	pthread_mutex_lock(&m->trace_lock);
	if (m->trace != NULL)
		fprintf(m->trace, "%" PRIu64 " %c%u 0x%06" PRIx64 " %s %s\n", stamp_us(m),
			write ? 'W' : 'R', width, off, val, name != NULL ? name : "UNKNOWN");
	pthread_mutex_unlock(&m->trace_lock);
}

void
hzm_trace_note(struct hzip_model *m, const char *fmt, ...)
{
	va_list ap;

	if (m->trace == NULL)
		return;
	pthread_mutex_lock(&m->trace_lock);
	if (m->trace != NULL) {
		fprintf(m->trace, "%" PRIu64 " ", stamp_us(m));
		va_start(ap, fmt);
		vfprintf(m->trace, fmt, ap);
		va_end(ap);
		fputc('\n', m->trace);
	}
	pthread_mutex_unlock(&m->trace_lock);
}

static const char *const db_cmd_names[16] = { "SQ", "CQ", "EQ", "AEQ" };

void
hzm_trace_doorbell(struct hzip_model *m, uint64_t off, uint64_t v)
{
	unsigned int cmd = (unsigned int)((v >> HZM_DB_CMD_SHIFT) & HZM_DB_CMD_MASK);
	const char *cn = db_cmd_names[cmd] != NULL ? db_cmd_names[cmd] : "CMD?";

	if (m->trace == NULL)
		return;
	pthread_mutex_lock(&m->trace_lock);
	if (m->trace != NULL)
		fprintf(m->trace,
			"%" PRIu64 " W64 0x%06" PRIx64 " 0x%016" PRIx64 " %s ; %s qn=%u rand=0x%04x"
			" index=%u priority=%u\n",
			stamp_us(m), off, v,
			off == HZM_DOORBELL_SQ_CQ ? "DOORBELL_SQ_CQ" : "DOORBELL_EQ_AEQ", cn,
			(unsigned int)(v & HZM_DB_QN_MASK),
			(unsigned int)((v >> HZM_DB_RAND_SHIFT) & 0xffff),
			(unsigned int)((v >> HZM_DB_INDEX_SHIFT) & 0xffff),
			(unsigned int)((v >> HZM_DB_PRIORITY_SHIFT) & 0xffff));
	pthread_mutex_unlock(&m->trace_lock);
}
