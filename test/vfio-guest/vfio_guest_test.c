/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vfio-guest test: lib/wd_core's vfio-pci backend on a real kernel.
 *
 * Runs as /init's payload in a QEMU guest that has an emulated Intel
 * IOMMU and QEMU's "edu" device bound to vfio-pci (see run.sh and
 * doc/vfio-guest.md). It starts EAL on the device (IOVA as VA), lets
 * wd_core discover and attach it through the test-only edu driver
 * (edu_drv.c), and checks every generic path of the PCI backend: VFIO
 * setup, BAR mmap and MMIO accessors, config space and bus mastering, DMA
 * of hugepage and wd_dma_map()ed memory at IOVA = VA, IOMMU enforcement,
 * MSI to an eventfd and wd_recv_sync() sleeping on it, function reset,
 * detach, re-attach, the DMA-mapping verification of wd_pci_attach() and
 * cleanup.
 *
 * Each check prints one line on stdout (the serial console):
 *     RESULT PASS <name>: <detail>      or      RESULT FAIL <name>: <why>
 * then a summary "RESULT-SUMMARY <n> passed, <m> failed". The exit status
 * is 0 only if every check passed.
 *
 * The checks depend on each other (one device, attached once), so this
 * is one sequential program rather than a cmocka suite; it cannot run
 * outside such a guest and is not a meson test.
 *
 * WD_VFIO_GUEST_BREAK breaks one step on purpose, for the harness's
 * self-test: "nobm" clears bus mastering after the config-space check (the
 * MSI and DMA checks must then fail); "dma4096" starts a 4096-byte edu DMA,
 * which makes QEMU 7.2 abort.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_vfio.h>

#include "wd.h"
#include "wd_drv.h"
#include "edu_drv.h"
#include "edu_hw.h"

#define SYSFS_PCI "/sys/bus/pci/devices"

#define PCI_CFG_VENDOR      0x00
#define PCI_CFG_COMMAND     0x04
#define PCI_CFG_REVISION    0x08
#define PCI_CFG_CLASS       0x09
#define PCI_CFG_STATUS      0x06
#define PCI_CFG_CAP_PTR     0x34
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CMD_MEMORY      0x0002
#define PCI_CMD_MASTER      0x0004
#define PCI_CAP_ID_MSI      0x05
#define PCI_MSI_FLAGS       0x02
#define PCI_MSI_QMASK       0x000e

/* Longest wait for one edu transfer (~100 ms of virtual time). */
#define XFER_TIMEOUT_MS 3000
/* Longest wait for an MSI or a DMAR fault message. */
#define EVENT_TIMEOUT_MS 2000
/* How many interrupt-driven transfers the wd_recv_sync check makes. */
#define IRQ_XFERS 4

/* ---- results --------------------------------------------------------------- */

static unsigned int n_pass, n_fail;

struct check {
	const char *name;
	bool ok;
	char why[384];
	char detail[384];
};

static void
check_begin(struct check *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->ok = true;
}

static void
check_fail(struct check *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->ok)
		return;
	c->ok = false;
	n = snprintf(c->why, sizeof(c->why), "[line %d] ", line);
	va_start(ap, fmt);
	vsnprintf(c->why + n, sizeof(c->why) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Record the first failed expectation of a check; evaluates to @p cond. */
#define EXPECT(c, cond, ...) __extension__ ({ \
	bool ok_ = (cond); \
	if (!ok_) \
		check_fail((c), __LINE__, __VA_ARGS__); \
	ok_; \
})

static void
check_detail(struct check *c, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(c->detail);

	if (n >= sizeof(c->detail) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(c->detail + n, sizeof(c->detail) - n, fmt, ap);
	va_end(ap);
}

/* Print the check's RESULT line in one write (the console is shared). */
static bool
check_end(struct check *c)
{
	char line[900];
	int n;

	n = snprintf(line, sizeof(line), "RESULT %s %s: %s\n", c->ok ? "PASS" : "FAIL", c->name,
		     c->ok ? c->detail : c->why);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	fflush(stdout);
	fflush(stderr);
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		perror("write");
	if (c->ok)
		n_pass++;
	else
		n_fail++;
	return c->ok;
}

/* ---- helpers --------------------------------------------------------------- */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void
fill_pattern(void *buf, size_t len, uint32_t seed)
{
	uint8_t *p = buf;
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static bool
all_bytes(const void *buf, size_t len, uint8_t v)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static int
sysfs_read_hex(const char *bdf, const char *attr, unsigned long *val)
{
	char path[PATH_MAX], buf[32];
	FILE *f;
	int ret = -EIO;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	if (fgets(buf, sizeof(buf), f) != NULL) {
		*val = strtoul(buf, NULL, 0);
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* Bus numbers move: find the edu function by vendor/device id. */
static int
find_edu(char *bdf, size_t len)
{
	DIR *d = opendir(SYSFS_PCI);
	struct dirent *e;
	int ret = -ENODEV;

	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		unsigned long v, dv;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= len)
			continue;
		if (sysfs_read_hex(e->d_name, "vendor", &v) == 0 &&
		    sysfs_read_hex(e->d_name, "device", &dv) == 0 &&
		    v == EDU_VENDOR_ID && dv == EDU_DEVICE_ID) {
			memcpy(bdf, e->d_name, strlen(e->d_name) + 1);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

/* Count the process's descriptors whose link target starts with @p prefix. */
static unsigned int
count_fds(const char *prefix)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], link[PATH_MAX];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (strncmp(link, prefix, strlen(prefix)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* ---- the EAL log, captured (and still shown on stderr) ------------------------- */

#define LOG_CAP (1u << 20)
static char *log_buf;
static size_t log_len;

static ssize_t
log_write(void *cookie, const char *buf, size_t size)
{
	RTE_SET_USED(cookie);
	if (fwrite(buf, 1, size, stderr) != size)
		return -1;
	if (log_buf != NULL && log_len + size < LOG_CAP) {
		memcpy(log_buf + log_len, buf, size);
		log_len += size;
		log_buf[log_len] = '\0';
	}
	return (ssize_t)size;
}

/* Is there a line after @p mark containing both @p a and @p b? */
static bool
log_has(size_t mark, const char *a, const char *b)
{
	const char *p = log_buf != NULL ? log_buf + mark : "";

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (strstr(line, a) != NULL && (b == NULL || strstr(line, b) != NULL))
			return true;
		p += n + (eol != NULL);
	}
	return false;
}

/* ---- the kernel log: DMAR faults ------------------------------------------------ */

/*
 * The kernel's DMAR fault handler shares one rate limit (10 messages per
 * 5 s) between its "handling fault status" line and the fault records, and
 * spends three of them per fault: a fourth fault within 5 s of the first
 * goes unreported. Space the faults the test provokes accordingly.
 */
#define DMAR_RATELIMIT_MS     5000
#define DMAR_FAULTS_PER_BURST 3

static uint64_t dmar_window_start;
static unsigned int dmar_window_faults;

/* Call before provoking a DMAR fault: waits if the message would be lost. */
static void
dmar_fault_budget(void)
{
	uint64_t now = now_ms();

	if (dmar_window_faults > 0 && now >= dmar_window_start + DMAR_RATELIMIT_MS + 200)
		dmar_window_faults = 0;
	if (dmar_window_faults == DMAR_FAULTS_PER_BURST) {
		sleep_ms((unsigned int)(dmar_window_start + DMAR_RATELIMIT_MS + 200 - now));
		dmar_window_faults = 0;
	}
	if (dmar_window_faults == 0)
		dmar_window_start = now_ms();
	dmar_window_faults++;
}

static int
kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Wait for the Intel IOMMU's report of a blocked DMA @p kind ("Read" or
 * "Write") to the page of @p addr, e.g.
 * "DMAR: [DMA Write NO_PASID] Request device [01:00.0] fault addr 0x55d0c000 ...".
 */
static bool
kmsg_dmar_fault(int fd, const char *kind, uint64_t addr, char *msg, size_t msglen)
{
	uint64_t end = now_ms() + EVENT_TIMEOUT_MS;
	char want[32];

	snprintf(want, sizeof(want), "[DMA %s", kind);
	if (fd < 0)
		return false;
	for (;;) {
		char rec[1024];
		ssize_t n = read(fd, rec, sizeof(rec) - 1);

		if (n < 0 && errno == EPIPE)
			continue;       /* records were overwritten: go on */
		if (n < 0) {
			if (errno != EAGAIN || now_ms() >= end)
				return false;
			sleep_ms(10);
			continue;
		}
		rec[n] = '\0';
		const char *text = strchr(rec, ';');
		const char *fa = strstr(rec, "fault addr 0x");

		if (text == NULL || fa == NULL || strstr(rec, "DMAR") == NULL ||
		    strstr(rec, want) == NULL)
			continue;
		if ((strtoull(fa + 11, NULL, 16) & ~0xfffull) != (addr & ~0xfffull))
			continue;
		snprintf(msg, msglen, "%.*s", (int)strcspn(text + 1, "\n"), text + 1);
		return true;
	}
}

/* ---- poll() seen from wd_recv_sync() (linked with -Wl,--wrap=poll) ------------ */

int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout);

static int watch_fd = -1;
static unsigned int watch_polls, watch_wakes;

int
__wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	int ret = __real_poll(fds, nfds, timeout);

	for (nfds_t i = 0; watch_fd >= 0 && i < nfds; i++) {
		if (fds[i].fd != watch_fd)
			continue;
		watch_polls++;
		if (ret > 0 && (fds[i].revents & POLLIN))
			watch_wakes++;
	}
	return ret;
}

/* Start counting poll() calls on @p fd. */
static void
watch_start(int fd)
{
	watch_fd = fd;
	watch_polls = 0;
	watch_wakes = 0;
}

/* Stop counting (the counts stay readable). */
static void
watch_stop(void)
{
	watch_fd = -1;
}

static uint64_t
eventfd_drain(int fd)
{
	uint64_t total = 0, cnt;

	while (read(fd, &cnt, sizeof(cnt)) == (ssize_t)sizeof(cnt))
		total += cnt;
	return total;
}

/* ---- the device ----------------------------------------------------------------- */

static char bdf[32];
static struct wd_dev *dev;
static struct wd_mmio bar0;
static const char *break_mode = "";

/* Wait up to @p ms for @p fd to become readable. */
static bool
fd_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) > 0 && (p.revents & POLLIN);
}

/* One request, completed by polling wd_recv() with millisecond sleeps. */
static int
xfer_poll(struct wd_queue *q, struct edu_req *r)
{
	uint64_t end = now_ms() + XFER_TIMEOUT_MS;
	void *resp = NULL;
	int ret = wd_send(q, r);

	if (ret < 0)
		return ret;
	for (;;) {
		ret = wd_recv(q, &resp);
		if (ret < 0)
			return ret;
		if (ret == 1)
			break;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		sleep_ms(1);
	}
	if (resp != r)
		return -EPROTO;
	return r->status;
}

static int
dma(struct wd_queue *q, enum edu_req_op op, void *buf, uint32_t len, uint32_t off)
{
	struct edu_req r = { .op = op, .buf = buf, .len = len, .dev_off = off };

	return xfer_poll(q, &r);
}

/* Round trip through the device: @p src -> device buffer -> @p dst. */
static int
round_trip(struct wd_queue *q, void *src, void *dst, uint32_t len, uint32_t off)
{
	int ret = dma(q, EDU_REQ_DMA_TO_DEV, src, len, off);

	if (ret == 0)
		ret = dma(q, EDU_REQ_DMA_FROM_DEV, dst, len, off);
	return ret;
}

static struct wd_queue *
request_queue(uint32_t flags, int *err)
{
	struct wd_queue_attr attr = {
		.alg = EDU_DRV_ALG, .op = WD_OP_COMPRESS, .depth = 1,
		.socket_id = WD_SOCKET_ANY, .dev = dev, .flags = flags,
	};
	struct wd_queue *q = NULL;

	*err = wd_request_queue(&q, &attr);
	return *err == 0 ? q : NULL;
}

/* An MSI raised by software (edu register 0x60) reaches the eventfd. */
static bool
msi_delivered(struct check *c, int efd)
{
	const uint32_t cause = 0x00010000u;
	uint32_t st;

	eventfd_drain(efd);
	wd_mmio_write32(&bar0, EDU_REG_IRQ_RAISE, cause);
	if (!EXPECT(c, fd_readable(efd, EVENT_TIMEOUT_MS),
		    "no MSI on eventfd %d within %d ms after raising edu interrupt 0x%x", efd,
		    EVENT_TIMEOUT_MS, cause)) {
		wd_mmio_write32(&bar0, EDU_REG_IRQ_ACK, cause);
		return false;
	}
	EXPECT(c, eventfd_drain(efd) >= 1, "eventfd readable but no count");
	st = wd_mmio_read32(&bar0, EDU_REG_IRQ_STATUS);
	EXPECT(c, st & cause, "IRQ status 0x%x lacks the raised cause 0x%x", st, cause);
	wd_mmio_write32(&bar0, EDU_REG_IRQ_ACK, cause);
	st = wd_mmio_read32(&bar0, EDU_REG_IRQ_STATUS);
	return EXPECT(c, !(st & cause), "IRQ status 0x%x still has 0x%x after ack", st, cause);
}

static int
cfg_read16(uint16_t off, uint16_t *v)
{
	return wd_dev_cfg_read(dev, off, v, sizeof(*v));
}

/* Offset of capability @p id in config space, or 0. */
static unsigned int
find_cap(uint8_t id)
{
	uint16_t status;
	uint8_t ptr = 0;
	unsigned int hops = 0;

	if (cfg_read16(PCI_CFG_STATUS, &status) < 0 || !(status & PCI_STATUS_CAP_LIST))
		return 0;
	if (wd_dev_cfg_read(dev, PCI_CFG_CAP_PTR, &ptr, 1) < 0)
		return 0;
	while (ptr >= 0x40 && hops++ < 48) {
		uint8_t hdr[2];

		ptr &= 0xfc;
		if (wd_dev_cfg_read(dev, ptr, hdr, 2) < 0)
			return 0;
		if (hdr[0] == id)
			return ptr;
		ptr = hdr[1];
	}
	return 0;
}

/* ---- checks ------------------------------------------------------------------------ */

static bool
check_eal(int argc, char **argv)
{
	struct check c;
	int ret;

	check_begin(&c, "eal_init");
	ret = rte_eal_init(argc, argv);
	if (EXPECT(&c, ret >= 0, "rte_eal_init failed: %s", rte_strerror(rte_errno))) {
		EXPECT(&c, rte_eal_iova_mode() == RTE_IOVA_VA, "IOVA mode is not VA");
		EXPECT(&c, rte_vfio_is_enabled("vfio_pci") == 1, "EAL did not enable VFIO");
		check_detail(&c, "IOVA as VA, VFIO enabled, allow-list -a %s", bdf);
	}
	return check_end(&c);
}

static bool
check_discovery(size_t log_mark)
{
	struct wd_dev_info info;
	struct edu_drv_stats st;
	struct wd_dev *other = NULL;
	struct check c;
	int ret;

	check_begin(&c, "discovery");
	ret = wd_init();
	EXPECT(&c, ret == 0, "wd_init: %s", strerror(-ret));
	EXPECT(&c, wd_dev_count() == 1, "wd_dev_count() = %u, expected 1", wd_dev_count());
	dev = wd_dev_find(bdf);
	if (!EXPECT(&c, dev != NULL, "wd_dev_find(%s) = NULL", bdf))
		return check_end(&c);
	EXPECT(&c, wd_dev_get(0) == dev, "wd_dev_get(0) is not the edu device");
	ret = wd_dev_info_get(dev, &info);
	EXPECT(&c, ret == 0, "wd_dev_info_get: %d", ret);
	EXPECT(&c, info.vendor_id == EDU_VENDOR_ID && info.device_id == EDU_DEVICE_ID,
	       "ids %04x:%04x", info.vendor_id, info.device_id);
	EXPECT(&c, info.revision == EDU_REVISION, "revision 0x%02x", info.revision);
	EXPECT(&c, strcmp(info.bus, "pci") == 0, "bus \"%s\"", info.bus);
	EXPECT(&c, strcmp(info.driver, EDU_DRV_NAME) == 0, "driver \"%s\"", info.driver);
	EXPECT(&c, strcmp(info.api, EDU_DRV_API) == 0, "api \"%s\"", info.api);
	EXPECT(&c, (info.flags & (WD_DEV_F_PCI | WD_DEV_F_IOVA_VA | WD_DEV_F_IRQ)) ==
	       (WD_DEV_F_PCI | WD_DEV_F_IOVA_VA | WD_DEV_F_IRQ), "flags 0x%x", info.flags);
	EXPECT(&c, info.queues_total == 1 && info.queues_available == 1,
	       "queues %u/%u", info.queues_available, info.queues_total);
	EXPECT(&c, wd_dev_has_alg(dev, EDU_DRV_ALG), "algorithm \"%s\" missing", EDU_DRV_ALG);
	edu_drv_stats_get(dev, &st);
	EXPECT(&c, st.probes == 1, "edu probe called %u times", st.probes);
	/* Attaching the same function again returns it; others must exist in EAL. */
	ret = wd_dev_attach(bdf, &other);
	EXPECT(&c, ret == 0 && other == dev, "wd_dev_attach(%s) again: %d", bdf, ret);
	ret = wd_dev_attach("0000:7f:1f.7", &other);
	EXPECT(&c, ret == -ENODEV, "wd_dev_attach of an absent function: %d, expected -ENODEV",
	       ret);
	EXPECT(&c, log_has(log_mark, "not among EAL's PCI devices", "0000:7f:1f.7"),
	       "no log line explaining the absent function");
	check_detail(&c, "%s %04x:%04x rev %02x driver %s among EAL's PCI devices", info.name,
		     info.vendor_id, info.device_id, info.revision, info.driver);
	return check_end(&c);
}

static void
check_vfio_setup(size_t log_mark)
{
	char path[PATH_MAX], link[PATH_MAX], grp_path[64];
	int grp = -1;
	ssize_t n;
	struct check c;

	check_begin(&c, "vfio_setup_device");
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (EXPECT(&c, n > 0, "%s has no iommu_group (intel_iommu=on missing?)", bdf)) {
		link[n] = '\0';
		EXPECT(&c, rte_vfio_get_group_num(SYSFS_PCI, bdf, &grp) == 1,
		       "rte_vfio_get_group_num failed");
		EXPECT(&c, grp == atoi(strrchr(link, '/') + 1), "group %d vs sysfs %s", grp,
		       link);
	}
	snprintf(grp_path, sizeof(grp_path), "/dev/vfio/%d", grp);
	EXPECT(&c, count_fds(grp_path) == 1, "%u descriptors of %s open, expected 1",
	       count_fds(grp_path), grp_path);
	EXPECT(&c, count_fds("anon_inode:[vfio-device]") == 1,
	       "%u VFIO device descriptors open, expected 1",
	       count_fds("anon_inode:[vfio-device]"));
	EXPECT(&c, count_fds("/dev/vfio/vfio") >= 1, "no VFIO container descriptor");
	/* verify_dma_mapped() in wd_pci_attach() probed EAL's container. */
	EXPECT(&c, log_has(log_mark, "is DMA-mapped (IOVA = VA)", bdf),
	       "wd_pci_attach did not confirm that hugepage memory is DMA-mapped");
	check_detail(&c, "group %d, device fd open, hugepage memory verified DMA-mapped in "
		     "the container", grp);
	check_end(&c);
}

static void
check_bar(void)
{
	struct wd_mmio m;
	struct check c;
	int ret;

	check_begin(&c, "bar_mmap");
	ret = wd_dev_bar(dev, 0, &bar0);
	if (EXPECT(&c, ret == 0, "wd_dev_bar(0): %d", ret)) {
		EXPECT(&c, bar0.base != NULL && bar0.ops == NULL,
		       "BAR0 is not mmapped (base %p, emulated %d)", (void *)bar0.base,
		       bar0.ops != NULL);
		EXPECT(&c, bar0.len == EDU_BAR0_SIZE, "BAR0 length %" PRIu64, bar0.len);
	}
	ret = wd_dev_bar(dev, 1, &m);
	EXPECT(&c, ret == -EINVAL, "wd_dev_bar(1) on a device with only BAR0: %d", ret);
	ret = wd_dev_bar(dev, WD_MAX_BARS, &m);
	EXPECT(&c, ret == -EINVAL, "wd_dev_bar(%d): %d", WD_MAX_BARS, ret);
	check_detail(&c, "BAR0 %" PRIu64 " KiB mmapped at %p; BAR1 and BAR6 rejected",
		     bar0.len >> 10, (void *)bar0.base);
	check_end(&c);
}

static void
check_mmio(void)
{
	static const uint32_t vals[] = { 0, 0xffffffffu, 0x12345678u, 0xa5a5a5a5u };
	const uint64_t v64 = 0x0123456789abcdefull;
	struct check c;
	uint32_t v;
	uint64_t end;

	check_begin(&c, "mmio_id");
	v = wd_mmio_read32(&bar0, EDU_REG_ID);
	EXPECT(&c, v == EDU_ID_VALUE, "ID register 0x%08x, expected 0x%08x", v, EDU_ID_VALUE);
	check_detail(&c, "ID 0x%08x", v);
	check_end(&c);

	check_begin(&c, "mmio_liveness");
	for (unsigned int i = 0; i < RTE_DIM(vals); i++) {
		wd_mmio_write32(&bar0, EDU_REG_LIVENESS, vals[i]);
		v = wd_mmio_read32(&bar0, EDU_REG_LIVENESS);
		EXPECT(&c, v == ~vals[i], "wrote 0x%08x, read 0x%08x", vals[i], v);
	}
	check_detail(&c, "%zu values read back inverted", RTE_DIM(vals));
	check_end(&c);

	check_begin(&c, "mmio_factorial");
	for (uint32_t n = 10; n <= 12; n += 2) {
		uint32_t want = n == 10 ? 3628800u : 479001600u;

		wd_mmio_write32(&bar0, EDU_REG_STATUS, 0);
		wd_mmio_write32(&bar0, EDU_REG_FACT, n);
		end = now_ms() + EVENT_TIMEOUT_MS;
		while ((wd_mmio_read32(&bar0, EDU_REG_STATUS) & EDU_STATUS_COMPUTING) &&
		       now_ms() < end)
			sleep_ms(1);
		v = wd_mmio_read32(&bar0, EDU_REG_FACT);
		EXPECT(&c, v == want, "%u! read as %u", n, v);
	}
	check_detail(&c, "10! = 3628800, 12! = 479001600");
	check_end(&c);

	check_begin(&c, "mmio_64bit");
	wd_mmio_write64(&bar0, EDU_REG_DMA_SRC, v64);
	EXPECT(&c, wd_mmio_read64(&bar0, EDU_REG_DMA_SRC) == v64, "64-bit read back 0x%" PRIx64,
	       wd_mmio_read64(&bar0, EDU_REG_DMA_SRC));
	EXPECT(&c, wd_mmio_read32(&bar0, EDU_REG_DMA_SRC) == (uint32_t)v64,
	       "32-bit read of a 64-bit register 0x%08x", wd_mmio_read32(&bar0, EDU_REG_DMA_SRC));
	wd_mmio_write64(&bar0, EDU_REG_DMA_SRC, 0);
	check_detail(&c, "DMA source register holds 0x%" PRIx64, v64);
	check_end(&c);
}

static void
check_config(void)
{
	struct wd_dev_info info;
	struct check c;
	uint32_t id = 0;
	uint8_t rev = 0, cls[3] = { 0 };
	uint16_t cmd = 0, msi_flags = 0;
	unsigned int msi;
	int ret;

	check_begin(&c, "config_space");
	ret = wd_dev_cfg_read(dev, PCI_CFG_VENDOR, &id, 4);
	EXPECT(&c, ret == 0 && id == ((uint32_t)EDU_DEVICE_ID << 16 | EDU_VENDOR_ID),
	       "vendor/device dword 0x%08x (%d)", id, ret);
	wd_dev_info_get(dev, &info);
	ret = wd_dev_cfg_read(dev, PCI_CFG_REVISION, &rev, 1);
	EXPECT(&c, ret == 0 && rev == info.revision, "revision 0x%02x, registry 0x%02x", rev,
	       info.revision);
	/* QEMU's PCI_CLASS_OTHERS: base class 0x00, subclass 0xff */
	ret = wd_dev_cfg_read(dev, PCI_CFG_CLASS, cls, 3);
	EXPECT(&c, ret == 0 && cls[2] == 0x00 && cls[1] == 0xff, "class code %02x%02x%02x",
	       cls[2], cls[1], cls[0]);
	msi = find_cap(PCI_CAP_ID_MSI);
	if (EXPECT(&c, msi != 0, "no MSI capability in the capability list")) {
		/*
		 * vfio-pci virtualises the MSI capability: the enable bit shows
		 * what the user wrote, not the state VFIO_DEVICE_SET_IRQS gave the
		 * hardware, so only the capability itself is checked here.
		 */
		ret = cfg_read16((uint16_t)(msi + PCI_MSI_FLAGS), &msi_flags);
		EXPECT(&c, ret == 0 && (msi_flags & PCI_MSI_QMASK) == 0,
		       "MSI control 0x%04x: edu has one vector", msi_flags);
	}
	ret = wd_dev_cfg_read(dev, 4096, &id, 4);
	EXPECT(&c, ret < 0, "read beyond config space succeeded");
	EXPECT(&c, wd_dev_cfg_read(dev, 0, NULL, 4) == -EINVAL, "NULL buffer accepted");
	check_detail(&c, "id 0x%08x rev %02x class %02x%02x%02x, MSI capability at 0x%02x "
		     "(control 0x%04x)", id, rev, cls[2], cls[1], cls[0], msi, msi_flags);
	check_end(&c);

	check_begin(&c, "bus_master");
	ret = cfg_read16(PCI_CFG_COMMAND, &cmd);
	EXPECT(&c, ret == 0 && (cmd & (PCI_CMD_MASTER | PCI_CMD_MEMORY)) ==
	       (PCI_CMD_MASTER | PCI_CMD_MEMORY),
	       "command 0x%04x after attach: bus master/memory not enabled by wd_pci_attach", cmd);
	ret = wd_dev_set_bus_master(dev, false);
	EXPECT(&c, ret == 0, "wd_dev_set_bus_master(false): %d", ret);
	cfg_read16(PCI_CFG_COMMAND, &cmd);
	EXPECT(&c, !(cmd & PCI_CMD_MASTER), "command 0x%04x: bus master still set", cmd);
	ret = wd_dev_set_bus_master(dev, true);
	EXPECT(&c, ret == 0, "wd_dev_set_bus_master(true): %d", ret);
	cfg_read16(PCI_CFG_COMMAND, &cmd);
	EXPECT(&c, cmd & PCI_CMD_MASTER, "command 0x%04x: bus master not set again", cmd);
	/* The same through raw config writes. */
	cmd &= (uint16_t)~PCI_CMD_MASTER;
	wd_dev_cfg_write(dev, PCI_CFG_COMMAND, &cmd, 2);
	cfg_read16(PCI_CFG_COMMAND, &cmd);
	EXPECT(&c, !(cmd & PCI_CMD_MASTER), "raw write: command 0x%04x", cmd);
	cmd |= PCI_CMD_MASTER;
	wd_dev_cfg_write(dev, PCI_CFG_COMMAND, &cmd, 2);
	cfg_read16(PCI_CFG_COMMAND, &cmd);
	EXPECT(&c, cmd & PCI_CMD_MASTER, "raw write: command 0x%04x", cmd);
	check_detail(&c, "command 0x%04x; bus master cleared and set through wd_dev_set_bus_master "
		     "and raw config writes", cmd);
	check_end(&c);
}

static void
check_msi(void)
{
	struct edu_drv_stats st;
	struct check c;

	check_begin(&c, "msi_eventfd");
	edu_drv_stats_get(dev, &st);
	if (EXPECT(&c, st.irq_fd >= 0, "the driver got no MSI eventfd from wd_dev_irq_enable")) {
		for (int i = 0; i < 3 && c.ok; i++)
			msi_delivered(&c, st.irq_fd);
	}
	check_detail(&c, "3 edu interrupts delivered as MSI to eventfd %d and acknowledged",
		     st.irq_fd);
	check_end(&c);
}

/*
 * A DPDK secondary process must not take the primary's function: run this
 * program again as one (--secondary, below) while the device is attached,
 * then check that the primary's MSI still arrives.
 */
static void
check_secondary_process(const char *self)
{
	struct edu_drv_stats st;
	struct check c;
	char *args[] = { (char *)self, (char *)"--secondary", bdf, NULL };
	extern char **environ;
	pid_t pid;
	int status = -1;

	check_begin(&c, "secondary_process");
	fflush(stdout);
	if (EXPECT(&c, posix_spawn(&pid, self, NULL, NULL, args, environ) == 0,
		   "cannot start %s --secondary", self)) {
		EXPECT(&c, waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		       WEXITSTATUS(status) == 0,
		       "the secondary process took the device or failed (status 0x%x)", status);
	}
	edu_drv_stats_get(dev, &st);
	if (c.ok)
		msi_delivered(&c, st.irq_fd);
	check_detail(&c, "a secondary process left the function alone (no attach, -EPERM); "
		     "the primary's MSI still arrives");
	check_end(&c);
}

/* The --secondary mode of this program (see check_secondary_process()). */
static int
run_secondary(const char *self, const char *pci)
{
	char *av[] = { (char *)self, (char *)"-l", (char *)"0", (char *)"--iova-mode=va",
		       (char *)"-a", (char *)pci, (char *)"--no-telemetry",
		       (char *)"--proc-type=secondary", NULL };
	struct edu_drv_stats st;
	struct wd_dev *d = NULL;
	int ret, att;
	unsigned int n;

	ret = wd_eal_init(8, av);
	n = wd_dev_count();
	att = wd_dev_attach(pci, &d);
	edu_drv_stats_get(NULL, &st);
	printf("secondary: wd_eal_init %d, %u devices, wd_dev_attach(%s) %d, edu probes %u\n",
	       ret, n, pci, att, st.probes);
	wd_cleanup();
	rte_eal_cleanup();
	return ret >= 0 && n == 0 && att == -EPERM && st.probes == 0 ? 0 : 1;
}

/* Buffers used across the DMA checks. */
static uint8_t *hp_src, *hp_dst;

static void
check_dma(struct wd_queue *q)
{
	uint64_t iova;
	struct check c;
	int ret;

	check_begin(&c, "dma_hugepage");
	hp_src = wd_dma_zmalloc(8192, 4096, WD_SOCKET_ANY);
	hp_dst = wd_dma_zmalloc(8192, 4096, WD_SOCKET_ANY);
	if (!EXPECT(&c, hp_src != NULL && hp_dst != NULL, "wd_dma_zmalloc failed"))
		goto out;
	iova = wd_dma_iova(hp_src);
	EXPECT(&c, iova == (uint64_t)(uintptr_t)hp_src, "wd_dma_iova != VA");
	EXPECT(&c, rte_malloc_virt2iova(hp_src) == iova, "EAL IOVA 0x%" PRIx64 " != VA %p",
	       (uint64_t)rte_malloc_virt2iova(hp_src), (void *)hp_src);
	fill_pattern(hp_src, 8192, 1);
	memset(hp_dst, 0xee, 8192);
	ret = round_trip(q, hp_src, hp_dst, 2048, 0);
	EXPECT(&c, ret == 0, "2048-byte round trip: %d", ret);
	EXPECT(&c, memcmp(hp_src, hp_dst, 2048) == 0, "2048 bytes came back different");
	EXPECT(&c, all_bytes(hp_dst + 2048, 8192 - 2048, 0xee), "DMA wrote past 2048 bytes");
	memset(hp_dst, 0xee, 8192);
	ret = round_trip(q, hp_src + 4096, hp_dst + 4096, EDU_DMA_LEN_MAX, 0);
	EXPECT(&c, ret == 0, "%u-byte round trip: %d", EDU_DMA_LEN_MAX, ret);
	EXPECT(&c, memcmp(hp_src + 4096, hp_dst + 4096, EDU_DMA_LEN_MAX) == 0,
	       "%u bytes came back different", EDU_DMA_LEN_MAX);
	/* Unaligned, from the middle of the device buffer. */
	memset(hp_dst, 0xee, 8192);
	ret = dma(q, EDU_REQ_DMA_FROM_DEV, hp_dst + 1, 100, 1000);
	EXPECT(&c, ret == 0, "unaligned 100 bytes: %d", ret);
	EXPECT(&c, memcmp(hp_dst + 1, hp_src + 4096 + 1000, 100) == 0 && hp_dst[0] == 0xee &&
	       hp_dst[101] == 0xee, "unaligned 100 bytes at device offset 1000 are wrong");
	check_detail(&c, "IOVA = VA = %p; RAM->device->RAM of 2048 and %u bytes, unaligned 100 "
		     "bytes", (void *)hp_src, EDU_DMA_LEN_MAX);
out:
	check_end(&c);

	/* IOVA = VA across two hugepages: one contiguous device mapping. */
	check_begin(&c, "dma_hugepage_boundary");
	{
		uint8_t *big = wd_dma_zmalloc(4u << 20, 2u << 20, WD_SOCKET_ANY);
		uint8_t *p;

		if (EXPECT(&c, big != NULL, "wd_dma_zmalloc(4 MiB) failed")) {
			p = big + (2u << 20) - 2000;
			fill_pattern(p, 4000, 7);
			ret = dma(q, EDU_REQ_DMA_TO_DEV, p, 4000, 0);
			EXPECT(&c, ret == 0, "RAM->device across the boundary: %d", ret);
			memset(p, 0, 4000);
			ret = dma(q, EDU_REQ_DMA_FROM_DEV, p, 4000, 0);
			EXPECT(&c, ret == 0, "device->RAM across the boundary: %d", ret);
			memcpy(hp_dst, p, 4000);
			fill_pattern(p, 4000, 7);
			EXPECT(&c, memcmp(hp_dst, p, 4000) == 0,
			       "data across the 2 MiB page boundary came back different");
			check_detail(&c, "4000 bytes across the 2 MiB boundary at %p",
				     (void *)(big + (2u << 20)));
			wd_dma_free(big);
		}
	}
	check_end(&c);
}

static int
count_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	RTE_SET_USED(ms);
	if (!msl->external)
		(*(unsigned int *)arg)++;
	return 0;
}

/* Memory EAL allocates after attach is mapped through its memory events. */
static uint8_t *grown;

static void
check_dma_growth(struct wd_queue *q)
{
	const size_t len = 64u << 20;
	unsigned int before = 0, after = 0;
	uint8_t *tail;
	struct check c;
	int ret;

	check_begin(&c, "dma_heap_growth");
	rte_memseg_walk(count_seg, &before);
	grown = wd_dma_zmalloc(len, 4096, WD_SOCKET_ANY);
	rte_memseg_walk(count_seg, &after);
	if (EXPECT(&c, grown != NULL, "wd_dma_zmalloc(64 MiB) failed")) {
		EXPECT(&c, after > before, "EAL did not grow its memory (%u -> %u segments)",
		       before, after);
		tail = grown + len - 4096;
		ret = dma(q, EDU_REQ_DMA_FROM_DEV, tail, 2048, 0);
		EXPECT(&c, ret == 0, "device->RAM into new memory: %d", ret);
		EXPECT(&c, memcmp(tail, hp_dst, 2048) == 0,
		       "data written to memory allocated after attach is wrong");
		check_detail(&c, "EAL grew from %u to %u hugepages; DMA to the tail of the new "
			     "64 MiB at %p", before, after, (void *)tail);
	}
	check_end(&c);
}

/* ordinary (non-hugepage) memory: wd_dma_map, and IOMMU enforcement */
static void
check_user_map_and_iommu(struct wd_queue *q, int kfd)
{
	uint8_t *um = NULL, *nm = NULL, *nm2 = NULL;
	char msg[256] = "";
	struct check c;
	int ret;

	if (posix_memalign((void **)&um, 4096, 8192) != 0 ||
	    posix_memalign((void **)&nm, 4096, 8192) != 0 ||
	    posix_memalign((void **)&nm2, 4096, 8192) != 0) {
		free(um);
		free(nm);
		free(nm2);
		um = nm = nm2 = NULL;
	}

	check_begin(&c, "dma_user_map");
	if (!EXPECT(&c, um != NULL, "posix_memalign failed"))
		goto out1;
	memset(um, 0x11, 8192);
	ret = wd_dma_map(um, 8192);
	if (EXPECT(&c, ret == 0, "wd_dma_map(malloc'ed %p): %d", (void *)um, ret)) {
		EXPECT(&c, wd_dma_map(um + 4096, 100) == -EEXIST,
		       "an overlapping wd_dma_map was accepted");
		ret = dma(q, EDU_REQ_DMA_FROM_DEV, um + 8, 2048, 0);
		EXPECT(&c, ret == 0, "device->RAM into mapped memory: %d", ret);
		EXPECT(&c, memcmp(um + 8, hp_dst, 2048) == 0 && all_bytes(um, 8, 0x11),
		       "data in wd_dma_map()ed memory is wrong");
		fill_pattern(um, 2048, 9);
		ret = dma(q, EDU_REQ_DMA_TO_DEV, um, 2048, 0);
		EXPECT(&c, ret == 0, "RAM->device from mapped memory: %d", ret);
		ret = dma(q, EDU_REQ_DMA_FROM_DEV, hp_dst, 2048, 0);
		EXPECT(&c, ret == 0 && memcmp(um, hp_dst, 2048) == 0,
		       "data read from wd_dma_map()ed memory is wrong");
	}
	check_detail(&c, "malloc'ed memory at %p mapped with wd_dma_map, DMA both ways",
		     (void *)um);
out1:
	check_end(&c);

	check_begin(&c, "iommu_blocks_unmapped_write");
	if (!EXPECT(&c, nm != NULL && kfd >= 0, "no buffer or no /dev/kmsg"))
		goto out2;
	memset(nm, 0x5a, 8192);
	dmar_fault_budget();
	ret = dma(q, EDU_REQ_DMA_FROM_DEV, nm + 4096, 2048, 0);
	EXPECT(&c, ret == 0, "the device did not complete the transfer: %d", ret);
	EXPECT(&c, all_bytes(nm, 8192, 0x5a), "memory that was never mapped was written by DMA");
	EXPECT(&c, kmsg_dmar_fault(kfd, "Write", (uint64_t)(uintptr_t)(nm + 4096), msg,
				   sizeof(msg)),
	       "no DMAR write fault for %p in the kernel log", (void *)(nm + 4096));
	check_detail(&c, "buffer untouched; kernel: %s", msg);
out2:
	check_end(&c);

	check_begin(&c, "iommu_blocks_unmapped_read");
	if (!EXPECT(&c, nm2 != NULL && kfd >= 0, "no buffer or no /dev/kmsg"))
		goto out3;
	fill_pattern(hp_src, 1024, 21);                 /* pattern A in the device */
	ret = dma(q, EDU_REQ_DMA_TO_DEV, hp_src, 1024, 0);
	EXPECT(&c, ret == 0, "preload: %d", ret);
	fill_pattern(nm2, 1024, 22);                    /* pattern B, never mapped */
	dmar_fault_budget();
	ret = dma(q, EDU_REQ_DMA_TO_DEV, nm2, 1024, 0);
	EXPECT(&c, ret == 0, "the device did not complete the transfer: %d", ret);
	memset(hp_dst, 0, 1024);
	ret = dma(q, EDU_REQ_DMA_FROM_DEV, hp_dst, 1024, 0);
	EXPECT(&c, ret == 0, "read back: %d", ret);
	EXPECT(&c, memcmp(hp_dst, nm2, 1024) != 0,
	       "the device read memory that was never mapped");
	EXPECT(&c, kmsg_dmar_fault(kfd, "Read", (uint64_t)(uintptr_t)nm2, msg, sizeof(msg)),
	       "no DMAR read fault for %p in the kernel log", (void *)nm2);
	check_detail(&c, "device never saw the data; kernel: %s", msg);
out3:
	check_end(&c);

	check_begin(&c, "iommu_blocks_after_unmap");
	if (!EXPECT(&c, um != NULL && kfd >= 0, "no buffer or no /dev/kmsg"))
		goto out4;
	ret = wd_dma_unmap(um, 8192);
	EXPECT(&c, ret == 0, "wd_dma_unmap: %d", ret);
	EXPECT(&c, wd_dma_unmap(um, 8192) == -EINVAL, "second wd_dma_unmap accepted");
	memset(um, 0x77, 8192);
	dmar_fault_budget();
	ret = dma(q, EDU_REQ_DMA_FROM_DEV, um, 2048, 0);
	EXPECT(&c, ret == 0, "the device did not complete the transfer: %d", ret);
	EXPECT(&c, all_bytes(um, 8192, 0x77), "unmapped memory was still written by DMA");
	EXPECT(&c, kmsg_dmar_fault(kfd, "Write", (uint64_t)(uintptr_t)um, msg, sizeof(msg)),
	       "no DMAR write fault for %p in the kernel log", (void *)um);
	check_detail(&c, "after wd_dma_unmap the buffer is untouched; kernel: %s", msg);
out4:
	check_end(&c);
	free(um);
	free(nm);
	free(nm2);
}

static void
check_queues(void)
{
	struct edu_drv_stats st0, st1;
	struct edu_req r[IRQ_XFERS], r2 = { .op = EDU_REQ_FACT, .fact_in = 5 };
	struct wd_dev_info info;
	struct wd_queue *q, *q2;
	void *resp = NULL;
	struct check c;
	uint64_t t0, el;
	int ret, err;

	/* wd_recv_sync() on an interrupt queue sleeps on the MSI eventfd. */
	check_begin(&c, "recv_sync_irq_wakeup");
	q = request_queue(WD_QUEUE_F_IRQ, &err);
	if (!EXPECT(&c, q != NULL, "wd_request_queue(F_IRQ): %d", err)) {
		check_end(&c);
		return;
	}
	wd_dev_info_get(dev, &info);
	EXPECT(&c, info.queues_available == 0, "queues_available %u with the queue taken",
	       info.queues_available);
	q2 = request_queue(0, &err);
	EXPECT(&c, q2 == NULL && err == -EBUSY, "second queue on a 1-queue device: %d", err);
	fill_pattern(hp_src, 4096, 31);
	ret = dma(q, EDU_REQ_DMA_TO_DEV, hp_src, 2048, 0);
	EXPECT(&c, ret == 0, "preload: %d", ret);
	edu_drv_stats_get(dev, &st0);
	eventfd_drain(st0.irq_fd);
	watch_start(st0.irq_fd);
	for (unsigned int i = 0; i < IRQ_XFERS; i++) {
		r[i] = (struct edu_req){ .op = EDU_REQ_DMA_FROM_DEV, .buf = hp_dst + i * 512,
					 .len = 512, .dev_off = i * 512 };
		memset(hp_dst + i * 512, 0, 512);
		ret = wd_send(q, &r[i]);
		EXPECT(&c, ret == 0, "wd_send: %d", ret);
		ret = wd_send(q, &r2);
		EXPECT(&c, ret == -EBUSY, "wd_send on a full queue: %d, expected -EBUSY", ret);
		EXPECT(&c, wd_queue_inflight(q) == 1, "inflight %u", wd_queue_inflight(q));
		ret = wd_recv_sync(q, &resp, XFER_TIMEOUT_MS);
		EXPECT(&c, ret == 1 && resp == &r[i] && r[i].status == 0,
		       "wd_recv_sync: %d (resp %s, status %d)", ret,
		       resp == &r[i] ? "ok" : "wrong", r[i].status);
	}
	watch_stop();
	edu_drv_stats_get(dev, &st1);
	EXPECT(&c, st1.irq_arms > st0.irq_arms, "wd_recv_sync never called irq_arm");
	EXPECT(&c, watch_wakes >= 1,
	       "wd_recv_sync polled the MSI eventfd %u times but no MSI ever woke it",
	       watch_polls);
	EXPECT(&c, st1.irq_causes & EDU_IRQ_DMA, "the device raised no DMA interrupt (0x%x)",
	       st1.irq_causes);
	EXPECT(&c, memcmp(hp_dst, hp_src, IRQ_XFERS * 512) == 0, "DMA data wrong");
	check_detail(&c, "%d transfers; wd_recv_sync slept in poll() on eventfd %d %u times, "
		     "woken by the MSI %u times", IRQ_XFERS, st0.irq_fd, watch_polls,
		     watch_wakes);
	check_end(&c);

	check_begin(&c, "recv_sync_timeout");
	t0 = now_ms();
	ret = wd_recv_sync(q, &resp, 300);
	el = now_ms() - t0;
	EXPECT(&c, ret == -ETIMEDOUT, "empty queue: wd_recv_sync returned %d", ret);
	EXPECT(&c, el >= 295, "returned after %" PRIu64 " ms, before the 300 ms timeout", el);
	/* In flight but not complete yet (edu takes ~100 ms). */
	r[0] = (struct edu_req){ .op = EDU_REQ_DMA_FROM_DEV, .buf = hp_dst, .len = 64 };
	ret = wd_send(q, &r[0]);
	EXPECT(&c, ret == 0, "wd_send: %d", ret);
	ret = wd_recv_sync(q, &resp, 5);
	EXPECT(&c, ret == -ETIMEDOUT, "in flight, 5 ms: wd_recv_sync returned %d", ret);
	ret = wd_recv_sync(q, &resp, XFER_TIMEOUT_MS);
	EXPECT(&c, ret == 1 && resp == &r[0], "then: wd_recv_sync returned %d", ret);
	check_detail(&c, "-ETIMEDOUT after %" PRIu64 " ms on an empty queue and 5 ms before the "
		     "device finished; completed afterwards", el);
	check_end(&c);

	check_begin(&c, "queue_factorial_irq");
	r2 = (struct edu_req){ .op = EDU_REQ_FACT, .fact_in = 12 };
	ret = wd_send(q, &r2);
	EXPECT(&c, ret == 0, "wd_send: %d", ret);
	ret = wd_recv_sync(q, &resp, XFER_TIMEOUT_MS);
	EXPECT(&c, ret == 1 && resp == &r2 && r2.status == 0 && r2.fact_out == 479001600u,
	       "wd_recv_sync %d, status %d, 12! = %u", ret, r2.status, r2.fact_out);
	check_detail(&c, "12! = %u through the queue", r2.fact_out);
	check_end(&c);

	check_begin(&c, "queue_malformed");
	{
		static const uint32_t bad[][2] = { { 0, 0 }, { 4096, 0 }, { 200, 4000 } };

		for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
			r[0] = (struct edu_req){ .op = EDU_REQ_DMA_TO_DEV, .buf = hp_src,
						 .len = bad[i][0], .dev_off = bad[i][1] };
			ret = wd_send(q, &r[0]);
			EXPECT(&c, ret == 0, "wd_send: %d", ret);
			ret = wd_recv(q, &resp);
			EXPECT(&c, ret == 1 && resp == &r[0] && r[0].status == -EINVAL,
			       "len %u offset %u: recv %d status %d", bad[i][0], bad[i][1], ret,
			       r[0].status);
		}
	}
	check_detail(&c, "length 0, 4096 (would abort QEMU 7.2) and past the buffer end "
		     "completed with -EINVAL");
	check_end(&c);

	check_begin(&c, "detach_busy");
	ret = wd_dev_detach(dev);
	EXPECT(&c, ret == -EBUSY, "wd_dev_detach with a queue: %d, expected -EBUSY", ret);
	ret = wd_release_queue(q);
	EXPECT(&c, ret == 0, "wd_release_queue: %d", ret);
	wd_dev_info_get(dev, &info);
	EXPECT(&c, info.queues_available == 1, "queues_available %u after release",
	       info.queues_available);
	check_detail(&c, "-EBUSY while a queue is held; queue released");
	check_end(&c);

	/* A queue without WD_QUEUE_F_IRQ never sleeps on the eventfd. */
	check_begin(&c, "recv_sync_polling");
	q = request_queue(0, &err);
	if (EXPECT(&c, q != NULL, "wd_request_queue: %d", err)) {
		edu_drv_stats_get(dev, &st0);
		watch_start(st0.irq_fd);
		r[0] = (struct edu_req){ .op = EDU_REQ_DMA_FROM_DEV, .buf = hp_dst, .len = 256 };
		ret = wd_send(q, &r[0]);
		EXPECT(&c, ret == 0, "wd_send: %d", ret);
		ret = wd_recv_sync(q, &resp, XFER_TIMEOUT_MS);
		EXPECT(&c, ret == 1 && resp == &r[0] && r[0].status == 0, "wd_recv_sync: %d", ret);
		watch_stop();
		edu_drv_stats_get(dev, &st1);
		EXPECT(&c, watch_polls == 0 && st1.irq_arms == st0.irq_arms,
		       "a polling queue slept on the eventfd (%u polls)", watch_polls);
		ret = wd_release_queue(q);
		EXPECT(&c, ret == 0, "wd_release_queue: %d", ret);
	}
	check_detail(&c, "completed by polling, eventfd untouched");
	check_end(&c);

	/* WD_QUEUE_F_BATCH: nothing starts before wd_flush(). */
	check_begin(&c, "queue_batch_flush");
	q = request_queue(WD_QUEUE_F_BATCH, &err);
	if (EXPECT(&c, q != NULL, "wd_request_queue(F_BATCH): %d", err)) {
		r2 = (struct edu_req){ .op = EDU_REQ_FACT, .fact_in = 10 };
		ret = wd_send(q, &r2);
		EXPECT(&c, ret == 0, "wd_send: %d", ret);
		ret = wd_recv_sync(q, &resp, 200);
		EXPECT(&c, ret == -ETIMEDOUT, "completed before wd_flush: %d", ret);
		EXPECT(&c, wd_flush(q) == 0, "wd_flush failed");
		ret = wd_recv_sync(q, &resp, XFER_TIMEOUT_MS);
		EXPECT(&c, ret == 1 && r2.fact_out == 3628800u, "after flush: %d, 10! = %u", ret,
		       r2.fact_out);
		ret = wd_release_queue(q);
		EXPECT(&c, ret == 0, "wd_release_queue: %d", ret);
	}
	check_detail(&c, "request started only by wd_flush");
	check_end(&c);
}

static void
check_reset(void)
{
	struct edu_drv_stats st;
	struct wd_queue *q;
	uint16_t cmd = 0;
	struct check c;
	int ret, err;

	check_begin(&c, "function_reset");
	ret = wd_dev_reset(dev);
	EXPECT(&c, ret == 0, "wd_dev_reset: %d (%s)", ret, strerror(-ret));
	cfg_read16(PCI_CFG_COMMAND, &cmd);
	EXPECT(&c, (cmd & (PCI_CMD_MASTER | PCI_CMD_MEMORY)) == (PCI_CMD_MASTER | PCI_CMD_MEMORY),
	       "command 0x%04x after reset", cmd);
	EXPECT(&c, wd_mmio_read32(&bar0, EDU_REG_ID) == EDU_ID_VALUE, "ID after reset 0x%08x",
	       wd_mmio_read32(&bar0, EDU_REG_ID));
	edu_drv_stats_get(dev, &st);
	msi_delivered(&c, st.irq_fd);
	q = request_queue(0, &err);
	if (EXPECT(&c, q != NULL, "wd_request_queue after reset: %d", err)) {
		fill_pattern(hp_src, 2048, 41);
		memset(hp_dst, 0, 2048);
		ret = round_trip(q, hp_src, hp_dst, 2048, 0);
		EXPECT(&c, ret == 0 && memcmp(hp_src, hp_dst, 2048) == 0,
		       "DMA after reset: %d", ret);
		wd_release_queue(q);
	}
	check_detail(&c, "VFIO_DEVICE_RESET done; command 0x%04x, MSI and DMA work afterwards",
		     cmd);
	check_end(&c);
}

static bool
check_detach(const char *name)
{
	struct edu_drv_stats st0, st1;
	struct check c;
	int ret;

	check_begin(&c, name);
	edu_drv_stats_get(NULL, &st0);
	ret = wd_dev_detach(dev);
	EXPECT(&c, ret == 0, "wd_dev_detach: %d", ret);
	edu_drv_stats_get(NULL, &st1);
	EXPECT(&c, st1.removes == st0.removes + 1, "driver remove not called");
	EXPECT(&c, wd_dev_count() == 0 && wd_dev_find(bdf) == NULL, "device still registered");
	EXPECT(&c, count_fds("anon_inode:[vfio-device]") == 0, "VFIO device descriptor still open");
	EXPECT(&c, count_fds("/dev/vfio/") == count_fds("/dev/vfio/vfio"),
	       "VFIO group descriptor still open");
	dev = NULL;
	memset(&bar0, 0, sizeof(bar0));
	check_detail(&c, "driver removed, VFIO device and group released");
	return check_end(&c);
}

/*
 * wd_pci_attach() refuses a device whose container does not have EAL's
 * memory mapped: bind the group to a private container first.
 */
static void
check_verify_negative(size_t log_mark)
{
	struct wd_dev *d = NULL;
	int grp = -1, cfd, gfd, ret;
	struct check c;

	check_begin(&c, "attach_verifies_dma_mapping");
	ret = rte_vfio_get_group_num(SYSFS_PCI, bdf, &grp);
	cfd = rte_vfio_container_create();
	if (!EXPECT(&c, ret == 1 && cfd >= 0, "group %d, private container %d", grp, cfd)) {
		check_end(&c);
		return;
	}
	gfd = rte_vfio_container_group_bind(cfd, grp);
	if (EXPECT(&c, gfd >= 0, "rte_vfio_container_group_bind: %d", gfd)) {
		ret = wd_dev_attach(bdf, &d);
		EXPECT(&c, ret == -EIO, "attach into a container without EAL's memory: %d, "
		       "expected -EIO", ret);
		EXPECT(&c, log_has(log_mark, "is not DMA-mapped for the device", bdf),
		       "no log line explaining the refusal");
		EXPECT(&c, wd_dev_count() == 0, "a refused device stayed in the registry");
		EXPECT(&c, count_fds("anon_inode:[vfio-device]") == 0,
		       "a refused device left its VFIO descriptor open");
	}
	ret = rte_vfio_container_destroy(cfd);
	EXPECT(&c, ret == 0, "rte_vfio_container_destroy: %d", ret);
	check_detail(&c, "attach refused with -EIO when the group sits in a container without "
		     "EAL's hugepage memory");
	check_end(&c);
}

static void
check_reattach(size_t log_mark)
{
	struct edu_drv_stats st;
	struct wd_queue *q;
	struct check c;
	int ret, err;

	check_begin(&c, "reattach");
	ret = wd_dev_attach(bdf, &dev);
	if (!EXPECT(&c, ret == 0 && dev != NULL, "wd_dev_attach(%s): %d", bdf, ret)) {
		check_end(&c);
		return;
	}
	EXPECT(&c, log_has(log_mark, "is DMA-mapped (IOVA = VA)", bdf),
	       "re-attach did not verify the DMA mapping");
	ret = wd_dev_bar(dev, 0, &bar0);
	EXPECT(&c, ret == 0 && wd_mmio_read32(&bar0, EDU_REG_ID) == EDU_ID_VALUE,
	       "BAR0 after re-attach: %d", ret);
	edu_drv_stats_get(dev, &st);
	msi_delivered(&c, st.irq_fd);
	q = request_queue(0, &err);
	if (EXPECT(&c, q != NULL, "wd_request_queue: %d", err)) {
		fill_pattern(hp_src, 2048, 51);
		ret = round_trip(q, hp_src, grown, 2048, 0);
		EXPECT(&c, ret == 0 && memcmp(hp_src, grown, 2048) == 0,
		       "DMA after re-attach (memory allocated before): %d", ret);
		wd_release_queue(q);
	}
	check_detail(&c, "attached again in EAL's container, memory re-mapped, MSI and DMA work");
	check_end(&c);
}

/*
 * wd_dma_map()ed memory across detach and re-attach: wd_core keeps the
 * list, so a mapping made while attached survives a re-attach, one made
 * while no device is attached is applied at the next attach, and one
 * removed while no device is attached must not come back.
 */
struct user_maps {
	uint8_t *keep;       /* mapped while attached, kept */
	uint8_t *drop;       /* mapped while attached, unmapped while detached */
	uint8_t *late;       /* mapped while detached */
	int map_keep, map_drop, unmap_drop, map_late;
};

static void
user_maps_before_detach(struct user_maps *u)
{
	memset(u, 0, sizeof(*u));
	if (posix_memalign((void **)&u->keep, 4096, 4096) != 0)
		u->keep = NULL;
	if (posix_memalign((void **)&u->drop, 4096, 4096) != 0)
		u->drop = NULL;
	if (posix_memalign((void **)&u->late, 4096, 4096) != 0)
		u->late = NULL;
	u->map_keep = u->keep != NULL ? wd_dma_map(u->keep, 4096) : -ENOMEM;
	u->map_drop = u->drop != NULL ? wd_dma_map(u->drop, 4096) : -ENOMEM;
}

static void
user_maps_while_detached(struct user_maps *u)
{
	u->unmap_drop = u->drop != NULL ? wd_dma_unmap(u->drop, 4096) : -ENOMEM;
	u->map_late = u->late != NULL ? wd_dma_map(u->late, 4096) : -ENOMEM;
}

static void
check_user_maps_reattach(struct user_maps *u)
{
	char msg[256] = "";
	struct wd_queue *q;
	struct check c;
	int ret, err, kfd;

	check_begin(&c, "user_maps_across_reattach");
	EXPECT(&c, u->map_keep == 0 && u->map_drop == 0, "wd_dma_map while attached: %d, %d",
	       u->map_keep, u->map_drop);
	EXPECT(&c, u->unmap_drop == 0, "wd_dma_unmap with no device attached: %d",
	       u->unmap_drop);
	EXPECT(&c, u->map_late == 0, "wd_dma_map with no device attached: %d", u->map_late);
	q = dev != NULL ? request_queue(0, &err) : NULL;
	if (!EXPECT(&c, q != NULL && u->keep && u->drop && u->late, "no queue or buffers"))
		goto out;
	fill_pattern(hp_src, 1024, 61);
	ret = dma(q, EDU_REQ_DMA_TO_DEV, hp_src, 1024, 0);
	EXPECT(&c, ret == 0, "preload: %d", ret);
	memset(u->keep, 0, 4096);
	ret = dma(q, EDU_REQ_DMA_FROM_DEV, u->keep, 1024, 0);
	EXPECT(&c, ret == 0 && memcmp(u->keep, hp_src, 1024) == 0,
	       "memory mapped before the detach is not DMA-able after re-attach (%d)", ret);
	memset(u->late, 0, 4096);
	ret = dma(q, EDU_REQ_DMA_FROM_DEV, u->late, 1024, 0);
	EXPECT(&c, ret == 0 && memcmp(u->late, hp_src, 1024) == 0,
	       "memory mapped while detached is not DMA-able after re-attach (%d)", ret);
	kfd = kmsg_open();
	memset(u->drop, 0x3c, 4096);
	dmar_fault_budget();
	ret = dma(q, EDU_REQ_DMA_FROM_DEV, u->drop, 1024, 0);
	EXPECT(&c, ret == 0, "transfer: %d", ret);
	EXPECT(&c, all_bytes(u->drop, 4096, 0x3c),
	       "memory unmapped while detached was written by DMA after re-attach");
	EXPECT(&c, kmsg_dmar_fault(kfd, "Write", (uint64_t)(uintptr_t)u->drop, msg, sizeof(msg)),
	       "no DMAR write fault for %p", (void *)u->drop);
	if (kfd >= 0)
		close(kfd);
	check_detail(&c, "kept and late mappings DMA-able, the one removed while detached "
		     "blocked; kernel: %s", msg);
out:
	if (q != NULL)
		wd_release_queue(q);
	if (u->keep != NULL && u->map_keep == 0)
		wd_dma_unmap(u->keep, 4096);
	if (u->late != NULL && u->map_late == 0)
		wd_dma_unmap(u->late, 4096);
	check_end(&c);
	free(u->keep);
	free(u->drop);
	free(u->late);
}

static void
check_cleanup(void)
{
	struct edu_drv_stats st;
	struct check c;
	int ret;

	check_begin(&c, "cleanup");
	wd_dma_free(hp_src);
	wd_dma_free(hp_dst);
	wd_dma_free(grown);
	wd_cleanup();
	edu_drv_stats_get(NULL, &st);
	EXPECT(&c, wd_dev_count() == 0, "%u devices after wd_cleanup", wd_dev_count());
	EXPECT(&c, st.removes == st.probes, "%u probes, %u removes", st.probes, st.removes);
	EXPECT(&c, count_fds("anon_inode:[vfio-device]") == 0, "VFIO device descriptor open");
	ret = rte_eal_cleanup();
	EXPECT(&c, ret == 0, "rte_eal_cleanup: %d", ret);
	check_detail(&c, "wd_cleanup and rte_eal_cleanup; %u probes, %u removes", st.probes,
		     st.removes);
	check_end(&c);
}

/* Self-test: a 4096-byte edu transfer makes QEMU 7.2 abort (hw_error). */
static void
break_dma4096(void)
{
	struct check c;

	check_begin(&c, "break_dma4096");
	printf("NOTE: WD_VFIO_GUEST_BREAK=dma4096: starting a 4096-byte edu DMA; QEMU 7.2 "
	       "aborts on it\n");
	fflush(stdout);
	wd_mmio_write64(&bar0, EDU_REG_DMA_SRC, wd_dma_iova(hp_src));
	wd_mmio_write64(&bar0, EDU_REG_DMA_DST, EDU_DMA_BUF_ADDR);
	wd_mmio_write64(&bar0, EDU_REG_DMA_CNT, EDU_DMA_BUF_SIZE);
	wd_mmio_write64(&bar0, EDU_REG_DMA_CMD, EDU_DMA_CMD_RUN);
	sleep_ms(2000);
	EXPECT(&c, false, "QEMU survived a 4096-byte DMA");
	check_end(&c);
}

int
main(int argc, char **argv)
{
	char *eal_argv[16];
	int eal_argc = 0, kfd;
	size_t mark;
	const char *env = getenv("WD_VFIO_GUEST_BREAK");
	FILE *logf;
	struct wd_queue *q;
	struct user_maps umaps;
	int err;

	if (env != NULL)
		break_mode = env;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && strcmp(argv[1], "--secondary") == 0)
		return run_secondary(argv[0], argv[2]);
	if (argc > 1) {
		snprintf(bdf, sizeof(bdf), "%s", argv[1]);
	} else if (find_edu(bdf, sizeof(bdf)) < 0) {
		printf("RESULT FAIL find_device: no %04x:%04x function in " SYSFS_PCI "\n",
		       EDU_VENDOR_ID, EDU_DEVICE_ID);
		printf("RESULT-SUMMARY 0 passed, 1 failed\n");
		return 1;
	}
	printf("vfio-guest test: edu at %s%s%s\n", bdf, *break_mode ? ", break mode " : "",
	       break_mode);

	log_buf = calloc(1, LOG_CAP + 1);
	logf = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = log_write });
	if (logf != NULL) {
		setvbuf(logf, NULL, _IOLBF, 0);
		rte_openlog_stream(logf);
	}
	eal_argv[eal_argc++] = argv[0];
	eal_argv[eal_argc++] = (char *)"-l";
	eal_argv[eal_argc++] = (char *)"0";
	eal_argv[eal_argc++] = (char *)"--iova-mode=va";
	eal_argv[eal_argc++] = (char *)"-a";
	eal_argv[eal_argc++] = bdf;
	eal_argv[eal_argc++] = (char *)"--no-telemetry";
	eal_argv[eal_argc++] = (char *)"--log-level=wd.core:debug";
	eal_argv[eal_argc] = NULL;

	if (!check_eal(eal_argc, eal_argv))
		goto out;
	mark = log_len;
	if (!check_discovery(mark))
		goto out;
	check_vfio_setup(0);
	check_bar();
	if (bar0.base == NULL && bar0.ops == NULL)
		goto out;
	check_mmio();
	check_config();
	if (strcmp(break_mode, "nobm") == 0) {
		printf("NOTE: WD_VFIO_GUEST_BREAK=nobm: clearing bus mastering; MSI and DMA "
		       "checks must fail\n");
		wd_dev_set_bus_master(dev, false);
	}
	check_msi();
	check_secondary_process(argv[0]);
	q = request_queue(0, &err);
	if (q == NULL) {
		struct check c;

		check_begin(&c, "queue_request");
		EXPECT(&c, false, "wd_request_queue: %d", err);
		check_end(&c);
		goto out;
	}
	check_dma(q);
	if (strcmp(break_mode, "dma4096") == 0)
		break_dma4096();
	check_dma_growth(q);
	kfd = kmsg_open();
	check_user_map_and_iommu(q, kfd);
	if (kfd >= 0)
		close(kfd);
	wd_release_queue(q);
	check_queues();
	check_reset();
	user_maps_before_detach(&umaps);
	if (!check_detach("detach"))
		goto out;
	user_maps_while_detached(&umaps);
	mark = log_len;
	check_verify_negative(mark);
	mark = log_len;
	check_reattach(mark);
	check_user_maps_reattach(&umaps);
	check_cleanup();
out:
	printf("RESULT-SUMMARY %u passed, %u failed\n", n_pass, n_fail);
	return n_fail == 0 && n_pass > 0 ? 0 : 1;
}
