/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Helpers shared by the test programs.
 */
#ifndef WD_TEST_H
#define WD_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Start EAL the way every test does: a private in-memory instance
 * (tests run in parallel), no PCI scan, IOVA = VA, two lcores when the
 * machine has them, hugepages when some are free (else --no-huge with a
 * notice on stderr). Extra arguments come from WD_TEST_EAL_ARGS
 * (space separated). Exits the test with status 1 if EAL cannot start.
 *
 * @param prog  argv[0] of the test.
 * @param mem_mb  memory to ask for (0 = 256 MiB).
 */
void wd_test_eal_init(const char *prog, unsigned int mem_mb);

/** Stop EAL (rte_eal_cleanup). */
void wd_test_eal_cleanup(void);

/** Kinds of generated test data. */
enum wd_test_data {
	WD_TEST_DATA_TEXT,    /**< English-like words: compresses ~3:1 */
	WD_TEST_DATA_RANDOM,  /**< incompressible */
	WD_TEST_DATA_ZEROS,   /**< highly compressible */
	WD_TEST_DATA_MIXED,   /**< runs of the three above */
};

/** Fill @p buf with @p len deterministic bytes of @p kind from @p seed. */
void wd_test_gen(void *buf, size_t len, enum wd_test_data kind, uint64_t seed);

/**
 * @return the corpus directory (../shared/corpus next to the source tree,
 * or $WD_CORPUS_DIR), or NULL when it is absent (tests then skip their
 * corpus cases with a message).
 */
const char *wd_test_corpus_dir(void);

/**
 * Read a whole file into malloc'ed memory. @return the buffer (caller
 * frees) or NULL; @p len receives the size.
 */
void *wd_test_read_file(const char *path, size_t *len);

/** @return the names of the corpus files (NULL-terminated static list). */
const char *const *wd_test_corpus_files(void);

/** Path of a built program, from WD_BUILD_ROOT (e.g. "app/wd-perf/wd-perf"). */
const char *wd_test_build_path(const char *rel, char *buf, size_t len);

#endif /* WD_TEST_H */
