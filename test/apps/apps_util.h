/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers of the 'apps' test suite: run a built program with a time limit
 * and captured output, EAL arguments for it, scratch directories.
 */
#ifndef APPS_UTIL_H
#define APPS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APPS_MAX_ARGS 96

/** A command line under construction. */
struct apps_cmd {
	const char *argv[APPS_MAX_ARGS];
	int argc;
	char store[APPS_MAX_ARGS][512];
};

/** Outcome of apps_run(). */
struct apps_result {
	int status;        /**< exit status, or 128 + signal */
	bool timed_out;
	char *out;         /**< stdout (NUL-terminated, malloc'ed) */
	char *err;         /**< stderr */
	size_t out_len;
};

/** Start a command line with the program at @p rel (from WD_BUILD_ROOT). */
void apps_cmd_init(struct apps_cmd *c, const char *rel);
/** Append one argument (copied). */
void apps_cmd_add(struct apps_cmd *c, const char *arg);
/** Append printf-formatted argument. */
void apps_cmd_addf(struct apps_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/**
 * Append the EAL arguments every app test uses: private instance, no PCI
 * scan, IOVA = VA, two lcores when there are two CPUs (@p lcores NULL =
 * default, else an -l list such as "0", or "3": a main lcore and two
 * workers on the CPUs there are), @p mem_mb of hugepages when free, else
 * --no-huge (with --no-shconf, as EAL refuses --in-memory with it).
 */
void apps_cmd_eal(struct apps_cmd *c, unsigned int mem_mb, const char *lcores);
/** The same, as one space-separated string (for WD_GZIP_EAL_ARGS). */
const char *apps_eal_string(unsigned int mem_mb);

/**
 * Run the command with stdin from @p in_path (NULL: /dev/null), in
 * directory @p cwd (NULL: unchanged), at most @p timeout_s seconds.
 * @return 0 if it ran (see r->status), -1 if it could not start.
 */
int apps_run(const struct apps_cmd *c, const char *in_path, const char *cwd, unsigned int timeout_s,
	     struct apps_result *r);
/**
 * Start the command in the background, in @p cwd (NULL: unchanged), with
 * standard error into the file @p err_path and standard output into the
 * write end of @p out_pipe (NULL: /dev/null; both ends are closed in the
 * child), and signal @p ignore_sig ignored (0: none), as nohup or a
 * background job of a script would. @return its pid (for waitpid()), or -1.
 */
int apps_spawn(const struct apps_cmd *c, const char *cwd, const char *err_path,
	       const int *out_pipe, int ignore_sig);
/** Free the captured output. */
void apps_result_free(struct apps_result *r);
/** Print the command, status and output (for failing assertions). */
void apps_result_dump(const struct apps_cmd *c, const struct apps_result *r);

/** A new empty directory under WD_BUILD_ROOT/test/apps (or /tmp). Caller frees. */
char *apps_tmpdir(const char *tag);
/** Remove a directory tree. */
void apps_rmtree(const char *path);
/** Write a file. @return 0 or -1. */
int apps_write_file(const char *path, const void *data, size_t len);
/** Read a whole file (malloc'ed) or NULL. */
void *apps_read_file(const char *path, size_t *len);
/** @return 1 if the file @p path holds the text @p needle, 0 if not, -1 if unreadable. */
int apps_file_has(const char *path, const char *needle);
/** @return true if @p path exists. */
bool apps_exists(const char *path);
/** @return the number of entries in a directory whose name contains @p part. */
int apps_count_entries(const char *dir, const char *part);
/** @return true if the program @p rel was built. */
bool apps_built(const char *rel);

#endif /* APPS_UTIL_H */
