/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "wd_test.h"

#define MAX_ARGS 64

static unsigned long
free_hugepages_2m(void)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	unsigned long n = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

static bool
hugetlbfs_mounted(void)
{
	FILE *f = fopen("/proc/mounts", "r");
	char line[512];
	bool found = false;

	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, " hugetlbfs ") != NULL) {
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

void
wd_test_eal_init(const char *prog, unsigned int mem_mb)
{
	static char *argv[MAX_ARGS];
	static char mem[32], extra[1024];
	int argc = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("WD_TEST_EAL_ARGS");

	if (mem_mb == 0)
		mem_mb = 256;
	static char prefix[64];
	/* WD_TEST_NO_HUGE=1: EAL memory fixed at mem_mb, even with hugepages free */
	const char *no_huge = getenv("WD_TEST_NO_HUGE");
	bool huge = (no_huge == NULL || strcmp(no_huge, "1") != 0) && hugetlbfs_mounted() &&
		    free_hugepages_2m() * 2 >= mem_mb;

	argv[argc++] = (char *)(uintptr_t)prog;
	/*
	 * Tests run in parallel: each needs a private EAL instance. With
	 * hugepages, --in-memory; without, EAL 22.11 refuses --in-memory with
	 * --no-huge (legacy memory), so use no shared config and a unique prefix.
	 */
	if (huge) {
		argv[argc++] = (char *)"--in-memory";
	} else {
		snprintf(prefix, sizeof(prefix), "--file-prefix=wdtest%ld", (long)getpid());
		argv[argc++] = (char *)"--no-shconf";
		argv[argc++] = prefix;
	}
	argv[argc++] = (char *)"--no-pci";
	argv[argc++] = (char *)"--iova-mode=va";
	argv[argc++] = (char *)"--no-telemetry";
	argv[argc++] = (char *)"--log-level=lib.eal:error";
	argv[argc++] = (char *)"-l";
	argv[argc++] = (char *)(ncpu >= 2 ? "0-1" : "0");
	snprintf(mem, sizeof(mem), "%u", mem_mb);
	argv[argc++] = (char *)"-m";
	argv[argc++] = mem;
	if (!huge) {
		fprintf(stderr, "notice: not enough free 2 MiB hugepages: using --no-huge\n");
		argv[argc++] = (char *)"--no-huge";
	}
	if (env != NULL && *env != '\0') {
		char *save = NULL, *tok;

		snprintf(extra, sizeof(extra), "%s", env);
		for (tok = strtok_r(extra, " ", &save); tok != NULL && argc < MAX_ARGS - 1;
		     tok = strtok_r(NULL, " ", &save))
			argv[argc++] = tok;
	}
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "%s: cannot start EAL\n", prog);
		exit(1);
	}
}

void
wd_test_eal_cleanup(void)
{
	rte_eal_cleanup();
}

/* splitmix64: small, deterministic, good enough for test data. */
static uint64_t
next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char *const words[] = {
	"the", "accelerator", "queue", "of", "and", "compression", "a", "to", "in",
	"deflate", "is", "hardware", "that", "stream", "for", "window", "driver",
	"with", "block", "on", "memory", "as", "doorbell", "by", "mailbox", "it",
	"completion", "from", "huffman", "at", "history", "be", "polling", "this",
	"kunpeng", "or", "an", "zlib", "gzip", "ring",
};

static void
gen_text(uint8_t *p, size_t len, uint64_t *s)
{
	size_t i = 0;
	unsigned int nwords = sizeof(words) / sizeof(words[0]);

	while (i < len) {
		const char *w = words[next_rand(s) % nwords];
		size_t wl = strlen(w);

		for (size_t k = 0; k < wl && i < len; k++)
			p[i++] = (uint8_t)w[k];
		if (i < len)
			p[i++] = (next_rand(s) % 13 == 0) ? '\n' : ' ';
	}
}

static void
gen_random(uint8_t *p, size_t len, uint64_t *s)
{
	size_t i = 0;

	while (i < len) {
		uint64_t r = next_rand(s);

		for (int k = 0; k < 8 && i < len; k++, r >>= 8)
			p[i++] = (uint8_t)r;
	}
}

void
wd_test_gen(void *buf, size_t len, enum wd_test_data kind, uint64_t seed)
{
	uint8_t *p = buf;
	uint64_t s = seed * 0x2545f4914f6cdd1dULL + 1;

	switch (kind) {
	case WD_TEST_DATA_TEXT:
		gen_text(p, len, &s);
		break;
	case WD_TEST_DATA_RANDOM:
		gen_random(p, len, &s);
		break;
	case WD_TEST_DATA_ZEROS:
		memset(p, 0, len);
		break;
	case WD_TEST_DATA_MIXED: {
		size_t i = 0;

		while (i < len) {
			size_t run = 512 + next_rand(&s) % 8192;

			if (run > len - i)
				run = len - i;
			switch (next_rand(&s) % 3) {
			case 0:
				gen_text(p + i, run, &s);
				break;
			case 1:
				gen_random(p + i, run, &s);
				break;
			default:
				memset(p + i, (int)(next_rand(&s) & 0xff), run);
				break;
			}
			i += run;
		}
		break;
	}
	}
}

const char *
wd_test_corpus_dir(void)
{
	static char path[4096];
	const char *env = getenv("WD_CORPUS_DIR");
	const char *root = getenv("WD_SOURCE_ROOT");
	char probe[4200];

	if (env != NULL && *env != '\0')
		snprintf(path, sizeof(path), "%s", env);
	else if (root != NULL)
		snprintf(path, sizeof(path), "%s/../shared/corpus", root);
	else
		return NULL;
	snprintf(probe, sizeof(probe), "%s/alice29.txt", path);
	if (access(probe, R_OK) != 0)
		return NULL;
	return path;
}

const char *const *
wd_test_corpus_files(void)
{
	static const char *const files[] = {
		"alice29.txt", "asyoulik.txt", "fireworks.jpeg", "geo.protodata", "html",
		"html_x_4", "kppkn.gtb", "lcet10.txt", "paper-100k.pdf", "plrabn12.txt",
		"urls.10K", NULL,
	};
	return files;
}

void *
wd_test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long sz;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc(sz > 0 ? (size_t)sz : 1);
	if (buf == NULL)
		goto out;
	if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		free(buf);
		buf = NULL;
		goto out;
	}
	*len = (size_t)sz;
out:
	fclose(f);
	return buf;
}

const char *
wd_test_build_path(const char *rel, char *buf, size_t len)
{
	const char *root = getenv("WD_BUILD_ROOT");

	snprintf(buf, len, "%s/%s", root != NULL ? root : ".", rel);
	return buf;
}
