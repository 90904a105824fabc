/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Creation parameters: defaults and the strict "key=value,..." parser used
 * for device specs ("model:vf=1,queues=16,engine=store").
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hzm_private.h"

#define HZM_DEFAULT_VF_QUEUES	8
#define HZM_MAX_VF_QUEUES	(HZM_QM_TOTAL_QUEUES - HZM_VF_QUEUE_BASE)
#define HZM_DEFAULT_LAT_US	15.0	/* [14]: 8 KiB at QD1 */
#define HZM_DEFAULT_GBPS	7.2	/* [14]: about 60 requests in flight */
#define HZM_MAX_STALL_MS	600000u
/* MEM_START_INIT -> MEM_INIT_DONE (simulated SRAM init) */
#define HZM_DEFAULT_MEM_INIT_US	20u
#define HZM_MAX_MEM_INIT_US	10000000u
/* status of a completed stateless decompression (doc/model.md, "stateless_end") */
#define HZM_STATELESS_END_DEFAULT	0x00u

void
hzip_model_params_default(struct hzip_model_params *p)
{
	if (p == NULL)
		return;
	memset(p, 0, sizeof(*p));
	p->vf = false;
	p->vf_queues = HZM_DEFAULT_VF_QUEUES;
	p->engine = HZIP_MODEL_ENGINE_REAL;
	p->engines = 1;
	p->timing = false;
	p->lat_us = HZM_DEFAULT_LAT_US;
	p->gbps = HZM_DEFAULT_GBPS;
	p->numa_node = 0;
	p->trace_path[0] = '\0';
	p->stateless_end = HZM_STATELESS_END_DEFAULT;
	p->mem_init_us = HZM_DEFAULT_MEM_INIT_US;
}

static int
bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	/* decimal, or hexadecimal after 0x: "010" is ten, not eight (no octal) */
	/* digits only: strtoull() would also take "0x0x10" and a leading tab */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		if (*s == '\0' || s[strspn(s, "0123456789abcdefABCDEF")] != '\0')
			return -EINVAL;
		v = strtoull(s, &end, 16);
	} else {
		if (s[strspn(s, "0123456789")] != '\0')
			return -EINVAL;
		v = strtoull(s, &end, 10);
	}
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (*s == '\0' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "on") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || strcmp(s, "no") == 0 ||
	    strcmp(s, "off") == 0) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

enum key_id {
	K_VF, K_QUEUES, K_ENGINE, K_ENGINES, K_TIMING, K_LAT_US, K_GBPS, K_NUMA, K_TRACE,
	K_FAIL, K_FAIL_STATUS, K_DROP, K_BAD_PHASE, K_ECC, K_STALL_MS, K_FAULT_AFTER,
	K_DRV_TIMEOUT_MS, K_CPUS, K_STATELESS_END, K_MEM_INIT_US,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
	[K_VF] = "vf", [K_QUEUES] = "queues", [K_ENGINE] = "engine", [K_ENGINES] = "engines",
	[K_TIMING] = "timing", [K_LAT_US] = "lat_us", [K_GBPS] = "gbps", [K_NUMA] = "numa",
	[K_TRACE] = "trace", [K_FAIL] = "fail", [K_FAIL_STATUS] = "fail_status",
	[K_DROP] = "drop", [K_BAD_PHASE] = "bad_phase", [K_ECC] = "ecc",
	[K_STALL_MS] = "stall_ms", [K_FAULT_AFTER] = "fault_after",
	/* read by drivers/hisi_zip from the same spec: accepted, unused here */
	[K_DRV_TIMEOUT_MS] = "timeout_ms",
	[K_CPUS] = "cpus",
	[K_STATELESS_END] = "stateless_end",
	[K_MEM_INIT_US] = "mem_init_us",
};

/* "0", "2-3", "0,2-3" (separated by '+' or ';' too): CPUs 0..63 */
static int
parse_cpus(const char *s, uint64_t *mask)
{
	uint64_t m = 0;

	while (*s != '\0') {
		char *end;
		unsigned long a, b;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b > 63)
			return -EINVAL;
		for (unsigned long c = a; c <= b; c++)
			m |= 1ull << c;
		s = end;
		if (*s == '+' || *s == ';') {
			s++;
			if (*s == '\0')
				return -EINVAL;
		} else if (*s != '\0') {
			return -EINVAL;
		}
	}
	if (m == 0)
		return -EINVAL;
	*mask = m;
	return 0;
}

static int
parse_one(enum key_id k, const char *key, const char *val, struct hzip_model_params *p,
	  char *err, size_t errlen)
{
	uint64_t u;
	double d;
	bool b;

	switch (k) {
	case K_VF:
		if (parse_bool(val, &b) < 0)
			return bad(err, errlen, "%s: expected 0 or 1, got \"%s\"", key, val);
		p->vf = b;
		return 0;
	case K_QUEUES:
		/* checked against the VF limit; a PF's driver reads it as pf_q_num */
		if (parse_u64(val, 1, HZM_QM_TOTAL_QUEUES, &u) < 0)
			return bad(err, errlen, "%s: expected 1..%u, got \"%s\"", key,
				   HZM_QM_TOTAL_QUEUES, val);
		p->vf_queues = (uint16_t)u;
		return 0;
	case K_ENGINE:
		if (strcmp(val, "real") == 0)
			p->engine = HZIP_MODEL_ENGINE_REAL;
		else if (strcmp(val, "store") == 0)
			p->engine = HZIP_MODEL_ENGINE_STORE;
		else
			return bad(err, errlen, "%s: expected real or store, got \"%s\"", key, val);
		return 0;
	case K_ENGINES:
		if (parse_u64(val, 1, HZM_MAX_ENGINES, &u) < 0)
			return bad(err, errlen, "%s: expected 1..%u, got \"%s\"", key,
				   HZM_MAX_ENGINES, val);
		p->engines = (unsigned int)u;
		return 0;
	case K_TIMING:
		if (parse_bool(val, &b) < 0)
			return bad(err, errlen, "%s: expected 0 or 1, got \"%s\"", key, val);
		p->timing = b;
		return 0;
	case K_LAT_US:
		if (parse_double(val, 0.01, 1e6, &d) < 0)
			return bad(err, errlen, "%s: expected 0.01..1000000, got \"%s\"", key, val);
		p->lat_us = d;
		return 0;
	case K_GBPS:
		if (parse_double(val, 0.001, 10000.0, &d) < 0)
			return bad(err, errlen, "%s: expected 0.001..10000, got \"%s\"", key, val);
		p->gbps = d;
		return 0;
	case K_NUMA:
		if (strcmp(val, "-1") == 0) {
			p->numa_node = -1;
			return 0;
		}
		if (parse_u64(val, 0, 1023, &u) < 0)
			return bad(err, errlen, "%s: expected -1..1023, got \"%s\"", key, val);
		p->numa_node = (int)u;
		return 0;
	case K_TRACE:
		if (*val == '\0' || strlen(val) >= sizeof(p->trace_path))
			return bad(err, errlen, "%s: expected a path of 1..%zu characters", key,
				   sizeof(p->trace_path) - 1);
		snprintf(p->trace_path, sizeof(p->trace_path), "%s", val);
		return 0;
	case K_FAIL:
	case K_DROP:
	case K_BAD_PHASE:
	case K_FAULT_AFTER:
		if (parse_u64(val, 0, UINT32_MAX, &u) < 0)
			return bad(err, errlen, "%s: expected 0..%u, got \"%s\"", key,
				   UINT32_MAX, val);
		if (k == K_FAIL)
			p->faults.fail_count = (uint32_t)u;
		else if (k == K_DROP)
			p->faults.drop_count = (uint32_t)u;
		else if (k == K_BAD_PHASE)
			p->faults.bad_phase_count = (uint32_t)u;
		else
			p->faults.after = (uint32_t)u;
		return 0;
	case K_FAIL_STATUS:
		if (parse_u64(val, 1, 0xff, &u) < 0)
			return bad(err, errlen, "%s: expected a status 1..0xff, got \"%s\"", key,
				   val);
		p->faults.fail_status = (uint8_t)u;
		return 0;
	case K_ECC:
		if (parse_bool(val, &b) < 0)
			return bad(err, errlen, "%s: expected 0 or 1, got \"%s\"", key, val);
		p->faults.ecc_multi_bit = b;
		return 0;
	case K_STALL_MS:
		if (parse_u64(val, 0, HZM_MAX_STALL_MS, &u) < 0)
			return bad(err, errlen, "%s: expected 0..%u, got \"%s\"", key,
				   HZM_MAX_STALL_MS, val);
		p->faults.stall_ms = (uint32_t)u;
		return 0;
	case K_MEM_INIT_US:
		if (parse_u64(val, 0, HZM_MAX_MEM_INIT_US, &u) < 0)
			return bad(err, errlen, "%s: expected 0..%u, got \"%s\"", key,
				   HZM_MAX_MEM_INIT_US, val);
		p->mem_init_us = (uint32_t)u;
		return 0;
	case K_DRV_TIMEOUT_MS:
		/* the driver's own key: only its syntax is checked here */
		if (parse_u64(val, 0, UINT32_MAX, &u) < 0)
			return bad(err, errlen, "%s: expected a number, got \"%s\"", key, val);
		return 0;
	case K_CPUS:
		if (parse_cpus(val, &p->cpu_mask) < 0)
			return bad(err, errlen, "%s: expected CPUs 0..63 like 1 or 0-1+3, "
				   "got \"%s\"", key, val);
		return 0;
	case K_STATELESS_END:
		if (parse_u64(val, 0, 0xff, &u) < 0 || (u != 0x00 && u != 0x13))
			return bad(err, errlen, "%s: expected 0x00 or 0x13, got \"%s\"", key, val);
		p->stateless_end = (uint8_t)u;
		return 0;
	case K_COUNT:
		break;
	}
	return bad(err, errlen, "%s: unknown key", key);
}

int
hzip_model_params_parse(const char *args, struct hzip_model_params *p, char *err, size_t errlen)
{
	struct hzip_model_params tmp;
	bool seen[K_COUNT] = { false };
	const char *s;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (p == NULL)
		return bad(err, errlen, "no parameter structure");
	if (args == NULL)
		return 0;
	tmp = *p;
	s = args;
	while (*s != '\0') {
		size_t len = strcspn(s, ",");
		char item[320], *eq;
		const char *key, *val;
		int k, ret;

		if (len == 0)
			return bad(err, errlen, "empty item in \"%s\"", args);
		if (len >= sizeof(item))
			return bad(err, errlen, "item too long: \"%.32s...\"", s);
		memcpy(item, s, len);
		item[len] = '\0';
		eq = strchr(item, '=');
		if (eq == NULL)
			return bad(err, errlen, "%s: expected key=value", item);
		*eq = '\0';
		key = item;
		val = eq + 1;
		for (k = 0; k < K_COUNT; k++)
			if (strcmp(key, key_names[k]) == 0)
				break;
		if (k == K_COUNT)
			return bad(err, errlen, "%s: unknown key", key);
		if (seen[k])
			return bad(err, errlen, "%s: given twice", key);
		seen[k] = true;
		ret = parse_one((enum key_id)k, key, val, &tmp, err, errlen);
		if (ret < 0)
			return ret;
		s += len;
		if (*s == ',') {
			s++;
			if (*s == '\0')
				return bad(err, errlen, "trailing comma in \"%s\"", args);
		}
	}
	if (tmp.vf && (tmp.vf_queues < 1 || tmp.vf_queues > HZM_MAX_VF_QUEUES))
		return bad(err, errlen, "queues: a VF has 1..%u queues (its VFT starts at %u)",
			   HZM_MAX_VF_QUEUES, HZM_VF_QUEUE_BASE);
	*p = tmp;
	return 0;
}
