/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device specification strings, shared by every app and test:
 *
 *   0000:75:00.0[,key=value,...]       a PCI function (bound to vfio-pci)
 *   pci:0000:75:00.0[,key=value,...]   the same
 *   75:00.0                            short form, domain 0000
 *   model[:key=value,...]              a software device model
 *   model,key=value,...                the same
 *   sw                                 the software engine (lib/wd_comp)
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wd_core_private.h"

static bool
is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "DDDD:BB:DD.F" or "BB:DD.F"; writes the canonical long form. */
static bool
pci_addr_parse(const char *s, size_t n, char *out, size_t outlen)
{
	char tmp[16];

	if (n == 7) {
		if (!(is_hex(s, 2) && s[2] == ':' && is_hex(s + 3, 2) && s[5] == '.' &&
		      s[6] >= '0' && s[6] <= '7'))
			return false;
		snprintf(tmp, sizeof(tmp), "0000:%.7s", s);
	} else if (n == 12) {
		if (!(is_hex(s, 4) && s[4] == ':' && is_hex(s + 5, 2) && s[7] == ':' &&
		      is_hex(s + 8, 2) && s[10] == '.' && s[11] >= '0' && s[11] <= '7'))
			return false;
		snprintf(tmp, sizeof(tmp), "%.12s", s);
	} else {
		return false;
	}
	for (char *c = tmp; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	snprintf(out, outlen, "%s", tmp);
	return true;
}

bool
wd_pci_bdf_valid(const char *s)
{
	char buf[16];

	return pci_addr_parse(s, strlen(s), buf, sizeof(buf));
}

/* key=value[,key=value...]: non-empty keys of [a-z0-9_], values without ','. */
static bool
args_valid(const char *a)
{
	while (*a != '\0') {
		const char *k = a;

		while (*a != '\0' && *a != '=' && *a != ',')
			a++;
		if (a == k || *a != '=')
			return false;
		for (const char *c = k; c < a; c++)
			if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) &&
			    *c != '_')
				return false;
		a++;
		while (*a != '\0' && *a != ',')
			a++;
		if (*a == ',') {
			a++;
			if (*a == '\0')
				return false;
		}
	}
	return true;
}

WD_EXPORT int
wd_spec_parse(const char *str, struct wd_spec *spec)
{
	struct wd_spec s;
	const char *p, *args = NULL;
	size_t n;

	if (str == NULL || spec == NULL)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	if (strcmp(str, "sw") == 0) {
		s.kind = WD_SPEC_SW;
		snprintf(s.name, sizeof(s.name), "sw");
		*spec = s;
		return 0;
	}
	if (strncmp(str, "model", 5) == 0 &&
	    (str[5] == '\0' || str[5] == ':' || str[5] == ',')) {
		s.kind = WD_SPEC_MODEL;
		snprintf(s.name, sizeof(s.name), "model");
		args = str[5] != '\0' ? str + 6 : "";
	} else {
		p = str;
		if (strncmp(p, "pci:", 4) == 0)
			p += 4;
		n = strcspn(p, ",");
		if (!pci_addr_parse(p, n, s.name, sizeof(s.name)))
			return -EINVAL;
		s.kind = WD_SPEC_PCI;
		args = p[n] == ',' ? p + n + 1 : "";
	}
	if (strlen(args) >= sizeof(s.args) || !args_valid(args))
		return -EINVAL;
	snprintf(s.args, sizeof(s.args), "%s", args);
	*spec = s;
	return 0;
}
