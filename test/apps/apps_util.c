/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apps_util.h"
#include "wd_test.h"

void
apps_cmd_init(struct apps_cmd *c, const char *rel)
{
	char path[1024];

	memset(c, 0, sizeof(*c));
	apps_cmd_add(c, wd_test_build_path(rel, path, sizeof(path)));
}

void
apps_cmd_add(struct apps_cmd *c, const char *arg)
{
	if (c->argc >= APPS_MAX_ARGS - 1) {
		fprintf(stderr, "apps_cmd_add: too many arguments\n");
		abort();
	}
	snprintf(c->store[c->argc], sizeof(c->store[0]), "%s", arg);
	c->argv[c->argc] = c->store[c->argc];
	c->argc++;
	c->argv[c->argc] = NULL;
}

void
apps_cmd_addf(struct apps_cmd *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	apps_cmd_add(c, buf);
}

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
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " hugetlbfs ") != NULL)
			found = true;
	fclose(f);
	return found;
}

static bool
use_huge(unsigned int mem_mb)
{
	/* leave room for the other tests running at the same time */
	return hugetlbfs_mounted() && free_hugepages_2m() * 2 >= (unsigned long)mem_mb * 2;
}

void
apps_cmd_eal(struct apps_cmd *c, unsigned int mem_mb, const char *lcores)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("WD_TEST_EAL_ARGS");
	bool huge = use_huge(mem_mb);

	apps_cmd_add(c, "--no-pci");
	apps_cmd_add(c, "--iova-mode=va");
	apps_cmd_add(c, "--no-telemetry");
	apps_cmd_add(c, "--log-level=lib.eal:error");
	if (lcores != NULL && strcmp(lcores, "3") == 0) {
		/* three lcores (main + two workers) on whatever CPUs there are */
		apps_cmd_add(c, ncpu >= 2 ? "--lcores=0@0,1@1,2@(0-1)" : "--lcores=(0-2)@0");
	} else {
		apps_cmd_add(c, "-l");
		apps_cmd_add(c, lcores != NULL ? lcores : (ncpu >= 2 ? "0-1" : "0"));
	}
	apps_cmd_add(c, "-m");
	apps_cmd_addf(c, "%u", mem_mb);
	if (huge) {
		apps_cmd_add(c, "--in-memory");
	} else {
		apps_cmd_add(c, "--no-huge");
		apps_cmd_add(c, "--no-shconf");
	}
	if (env != NULL && *env != '\0') {
		char tmp[1024], *save = NULL, *tok;

		snprintf(tmp, sizeof(tmp), "%s", env);
		for (tok = strtok_r(tmp, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save))
			apps_cmd_add(c, tok);
	}
}

const char *
apps_eal_string(unsigned int mem_mb)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "--no-pci -m %u %s --log-level=lib.eal:error", mem_mb,
		 use_huge(mem_mb) ? "--in-memory" : "--no-huge --no-shconf");
	return buf;
}

static char *
slurp_fd(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t k;

	if (buf == NULL)
		return NULL;
	lseek(fd, 0, SEEK_SET);
	while ((k = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)k;
		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

int
apps_spawn(const struct apps_cmd *c, const char *cwd, const char *err_path, const int *out_pipe,
	   int ignore_sig)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int out = out_pipe != NULL ? out_pipe[1] : open("/dev/null", O_WRONLY);

		if (fd < 0 || out < 0 || (cwd != NULL && chdir(cwd) < 0))
			_exit(99);
		dup2(fd, STDERR_FILENO);
		dup2(out, STDOUT_FILENO);
		if (out_pipe != NULL) {
			close(out_pipe[0]);
			close(out_pipe[1]);
		}
		if (ignore_sig != 0)
			signal(ignore_sig, SIG_IGN);
		execv(c->argv[0], (char *const *)(uintptr_t)c->argv);
		_exit(98);
	}
	return pid;
}

int
apps_run(const struct apps_cmd *c, const char *in_path, const char *cwd, unsigned int timeout_s,
	 struct apps_result *r)
{
	char out_tpl[] = "/tmp/wd_apps_outXXXXXX", err_tpl[] = "/tmp/wd_apps_errXXXXXX";
	int out_fd = mkstemp(out_tpl), err_fd = mkstemp(err_tpl);
	struct timespec start, now;
	pid_t pid;
	int st = 0;

	memset(r, 0, sizeof(*r));
	if (out_fd < 0 || err_fd < 0)
		return -1;
	unlink(out_tpl);
	unlink(err_tpl);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in_fd = open(in_path != NULL ? in_path : "/dev/null", O_RDONLY);

		if (in_fd < 0)
			_exit(126);
		dup2(in_fd, 0);
		dup2(out_fd, 1);
		dup2(err_fd, 2);
		if (cwd != NULL && chdir(cwd) < 0)
			_exit(126);
		setpgid(0, 0);
		execv(c->argv[0], (char *const *)(uintptr_t)c->argv);
		_exit(127);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)timeout_s) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			r->timed_out = true;
			break;
		}
		usleep(10000);
	}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = slurp_fd(out_fd, &r->out_len);
	r->err = slurp_fd(err_fd, NULL);
	close(out_fd);
	close(err_fd);
	return 0;
}

void
apps_result_free(struct apps_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

void
apps_result_dump(const struct apps_cmd *c, const struct apps_result *r)
{
	fprintf(stderr, "command:");
	for (int i = 0; i < c->argc; i++)
		fprintf(stderr, " %s", c->argv[i]);
	fprintf(stderr, "\nstatus %d%s\n--- stdout ---\n%.6000s\n--- stderr ---\n%.6000s\n",
		r->status, r->timed_out ? " (timed out)" : "", r->out ? r->out : "",
		r->err ? r->err : "");
}

char *
apps_tmpdir(const char *tag)
{
	const char *root = getenv("WD_BUILD_ROOT");
	char *path = malloc(1024);

	if (path == NULL)
		return NULL;
	snprintf(path, 1024, "%s/wd_apps_%s_XXXXXX", root != NULL ? root : "/tmp", tag);
	if (mkdtemp(path) == NULL) {
		snprintf(path, 1024, "/tmp/wd_apps_%s_XXXXXX", tag);
		if (mkdtemp(path) == NULL) {
			free(path);
			return NULL;
		}
	}
	return path;
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void
apps_rmtree(const char *path)
{
	if (path != NULL)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
apps_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (f == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, f) != len)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

void *
apps_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = slurp_fd(fd, len);
	close(fd);
	return buf;
}

int
apps_file_has(const char *path, const char *needle)
{
	size_t len = 0;
	char *text = apps_read_file(path, &len);
	int ret;

	if (text == NULL)
		return -1;
	ret = strstr(text, needle) != NULL;
	free(text);
	return ret;
}

bool
apps_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

int
apps_count_entries(const char *dir, const char *part)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strstr(e->d_name, part) != NULL)
			n++;
	closedir(d);
	return n;
}

bool
apps_built(const char *rel)
{
	char path[1024];

	return access(wd_test_build_path(rel, path, sizeof(path)), X_OK) == 0;
}
