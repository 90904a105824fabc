/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd_core: EAL integration, IOVA-mode check, fork detection, logging.
 */
#include <errno.h>
#include <pthread.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "wd_core_private.h"

RTE_LOG_REGISTER(wd_core_logtype, wd.core, NOTICE);

pthread_mutex_t wd_core_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
volatile uint32_t wd_fork_gen;

static bool wd_initialised;

#define WD_MAX_CLEANUP_HOOKS 8
static void (*wd_cleanup_hooks[WD_MAX_CLEANUP_HOOKS])(void);
static unsigned int wd_nhooks;

int
wd_cleanup_hook_register(void (*fn)(void))
{
	int ret = 0;

	if (fn == NULL)
		return -EINVAL;
	pthread_mutex_lock(&wd_core_lock);
	for (unsigned int i = 0; i < wd_nhooks; i++)
		if (wd_cleanup_hooks[i] == fn)
			goto out;
	if (wd_nhooks == WD_MAX_CLEANUP_HOOKS)
		ret = -ENOSPC;
	else
		wd_cleanup_hooks[wd_nhooks++] = fn;
out:
	pthread_mutex_unlock(&wd_core_lock);
	return ret;
}

/*
 * After fork() the child shares the parent's hugepage memory and device
 * mappings but not its threads; it must not touch the parent's queues.
 * Bumping a generation number lets the fast path check this with one
 * comparison and no system call.
 */
static void
wd_atfork_child(void)
{
	wd_fork_gen++;
}

RTE_INIT(wd_core_atfork)
{
	pthread_atfork(NULL, NULL, wd_atfork_child);
}

int
wd_iova_check(int iova_mode)
{
	if (iova_mode != RTE_IOVA_VA) {
		WD_LOG(ERR, "EAL selected IOVA as %s: WarpDrive shares the process's "
		       "addresses with the device and needs IOVA as VA; start EAL with "
		       "--iova-mode=va", iova_mode == RTE_IOVA_PA ? "PA" : "DC");
		return -ENOTSUP;
	}
	return 0;
}

bool
wd_is_initialised(void)
{
	return wd_initialised;
}

WD_EXPORT int
wd_init(void)
{
	int ret;

	if (wd_drv_forked())
		return -EPERM;
	pthread_mutex_lock(&wd_core_lock);
	if (wd_initialised) {
		pthread_mutex_unlock(&wd_core_lock);
		return 0;
	}
	if (rte_lcore_count() == 0) {
		/* EAL is not running: lcores are counted by rte_eal_init(). */
		pthread_mutex_unlock(&wd_core_lock);
		return -ENODEV;
	}
	ret = wd_iova_check(rte_eal_iova_mode());
	if (ret < 0)
		goto out;
	ret = wd_mem_register_events();
	if (ret < 0)
		goto out;
	wd_initialised = true;
	/* A failed scan leaves the registry usable (models, other devices). */
	if (wd_pci_scan() < 0)
		WD_LOG(WARNING, "PCI scan failed; only model devices are available");
	ret = 0;
out:
	pthread_mutex_unlock(&wd_core_lock);
	return ret;
}

WD_EXPORT int
wd_eal_init(int argc, char **argv)
{
	int n = rte_eal_init(argc, argv);
	int ret;

	if (n < 0)	/* EAL's own reason: EINVAL, EALREADY, ENOMEM, EACCES, ... */
		return rte_errno > 0 ? -rte_errno : -EINVAL;
	ret = wd_init();
	if (ret < 0)
		return ret;
	return n;
}

WD_EXPORT void
wd_cleanup(void)
{
	/* A child must not stop the parent's hardware (nor take its locks,
	 * which may live in shared hugepage memory). */
	if (wd_drv_forked())
		return;
	/* Libraries above first (lib/wd_comp releases its queue pairs). */
	for (unsigned int i = wd_nhooks; i-- > 0;)
		wd_cleanup_hooks[i]();
	pthread_mutex_lock(&wd_core_lock);
	wd_queue_release_all();
	wd_dev_remove_all();
	wd_initialised = false;
	pthread_mutex_unlock(&wd_core_lock);
}
