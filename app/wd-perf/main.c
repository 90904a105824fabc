/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wd-perf: the WarpDrive-ZIP compression benchmark.
 *
 *   wd-perf [EAL options] -- [options]
 *
 * Runs every (device, request size, direction) of the plan on the chosen
 * lcores, one queue pair per lcore, and reports per lcore and in
 * aggregate. See doc/wd-perf.md.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "perf.h"
#include "wd_config.h"

#define EXIT_RUN_FAILED 1
#define EXIT_SETUP 2
#define EXIT_INTERRUPTED 130 /* 128 + SIGINT, as shells report it */

static void
on_signal(int sig)
{
	(void)sig;
	perf_force_stop = true;
}

/* Catch @p sig, unless whoever started us ignores it (nohup, background jobs). */
static void
catch_signal(int sig)
{
	struct sigaction old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return;
	signal(sig, on_signal);
}

static bool
is_our_option(const char *a)
{
	static const char *const ours[] = {
		"--dev", "--spread", "--list", "--mode", "--ptest", "--format", "--op", "--level",
		"--window", "--huffman", "--stateful", "--chunk", "--size", "--segments",
		"--burst", "--inflight", "--lcores", "--qps-per-lcore", "--file", "--data",
		"--duration", "--iterations", "--cc-delay-us", "--fallback", "--seed", "--json",
		"--csv", "--no-progress", "--quiet", "--help",
	};
	size_t n;

	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		n = strlen(ours[i]);
		if (strncmp(a, ours[i], n) == 0 && (a[n] == '\0' || a[n] == '='))
			return true;
	}
	return false;
}

/* Results of the whole plan, in the order they ran. */
struct result_list {
	struct perf_result **rows;     /* per-lcore rows and aggregates, for JSON/CSV */
	unsigned int n, cap;
	struct perf_result **aggs;     /* aggregates only, for the summary */
	unsigned int naggs, aggcap;
};

static int
list_push(struct perf_result ***v, unsigned int *n, unsigned int *cap, struct perf_result *r)
{
	if (*n == *cap) {
		unsigned int nc = *cap ? *cap * 2 : 32;
		struct perf_result **nv = realloc(*v, nc * sizeof(*nv));

		if (nv == NULL)
			return -ENOMEM;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = r;
	return 0;
}

struct plan {
	struct perf_opts *o;
	struct perf_data data;
	struct perf_dev devs[PERF_MAX_DEVS];
	unsigned int nb_devs;
	unsigned int lcores[RTE_MAX_LCORE];
	unsigned int nb_lcores;
	bool main_works;              /* no worker lcore: the main lcore runs the loop */
	struct result_list res;
	unsigned int failures;
};

static void
describe_run(char *buf, size_t len, const char *label, enum wd_op_type op, uint32_t size)
{
	snprintf(buf, len, "%s %s %u B", label, op == WD_OP_COMPRESS ? "compress" : "decompress",
		 size);
}

/* Run one (device group, size, direction) on every lcore; report it. */
static int
run_one(struct plan *p, const unsigned int *dev_idx, unsigned int nb_dev_idx, uint32_t size,
	enum wd_op_type op, const struct perf_cdata *cin, struct perf_cdata *cout)
{
	struct perf_opts *o = p->o;
	struct perf_lcore_qps qps[RTE_MAX_LCORE];
	struct perf_job *jobs;
	struct perf_result **rows, *agg;
	struct perf_barrier barrier = { 0 };
	uint32_t nb_req = perf_nb_req(&p->data, size);
	uint64_t hz = rte_get_timer_hz(), start, next;
	bool tty = isatty(STDERR_FILENO);
	bool printed_progress = false;
	char what[128];
	bool failed = false, setup_failed = false;
	int ret;

	ret = perf_assign_qps(o, p->devs, dev_idx, nb_dev_idx, p->lcores, p->nb_lcores, qps);
	if (ret < 0)
		return ret;
	jobs = calloc(p->nb_lcores, sizeof(*jobs));
	rows = calloc(p->nb_lcores, sizeof(*rows));
	if (jobs == NULL || rows == NULL) {
		free(jobs);
		free(rows);
		return -ENOMEM;
	}
	describe_run(what, sizeof(what), nb_dev_idx > 1 ? "all devices" :
		     p->devs[dev_idx[0]].label, op, perf_req_len(&p->data, size));
	for (unsigned int i = 0; i < p->nb_lcores; i++) {
		struct perf_job *j = &jobs[i];
		const struct perf_dev *d = &p->devs[qps[i].dev_idx];

		j->opts = o;
		j->data = &p->data;
		j->qps = qps[i];
		j->op = op;
		j->size = size;
		j->cin = cin;
		j->cout = cout;
		j->barrier = p->main_works ? NULL : &barrier;
		j->nb_req = nb_req;
		j->first_req = (uint32_t)(((uint64_t)nb_req * i) / p->nb_lcores);
		snprintf(j->what, sizeof(j->what), "%s", what);
		snprintf(j->res.device, sizeof(j->res.device), "%s", d->info.name);
		snprintf(j->res.label, sizeof(j->res.label), "%s", d->label);
		snprintf(j->res.spec, sizeof(j->res.spec), "%s", d->spec);
		j->res.lcore = (int)p->lcores[i];
		j->res.op = op;
		j->res.size = perf_req_len(&p->data, size);
	}

	if (p->main_works) {
		perf_lcore_main(&jobs[0]);
	} else {
		for (unsigned int i = 0; i < p->nb_lcores; i++) {
			ret = rte_eal_remote_launch(perf_lcore_main, &jobs[i], p->lcores[i]);
			if (ret < 0) {
				fprintf(stderr, "wd-perf: cannot launch lcore %u: %s\n",
					p->lcores[i],
					strerror(-ret));
				perf_force_stop = true;
				jobs[i].done = true;
				jobs[i].rc = ret;
				__atomic_add_fetch(&barrier.ready, 1, __ATOMIC_RELEASE);
			}
		}
		/* Sleep while the workers run: on small machines the device model's
		 * engine threads share the main lcore's CPU. */
		start = rte_get_timer_cycles();
		next = start + hz;
		while (true) {
			bool all = true;

			for (unsigned int i = 0; i < p->nb_lcores; i++)
				all = all && jobs[i].done;
			if (all)
				break;
			if (!barrier.go && barrier.ready == p->nb_lcores) {
				barrier.go = true;
				start = rte_get_timer_cycles();
				next = start + hz;
			}
			rte_delay_us_sleep(10000);
			if (o->progress && rte_get_timer_cycles() >= next) {
				double el = (double)(rte_get_timer_cycles() - start) / (double)hz;

				if (tty)
					fprintf(stderr, "\r\033[K");
				if (barrier.go)
					perf_progress(jobs, p->nb_lcores, el, what);
				else	/* the lcores still build their buffers and queues */
					fprintf(stderr, "  [%5.1f s] %s: setting up\n", el, what);
				if (tty)
					fprintf(stderr, "\033[1A");
				printed_progress = true;
				next += hz;
			}
		}
		if (printed_progress && tty)
			fprintf(stderr, "\r\033[K");
		rte_eal_mp_wait_lcore();
	}

	for (unsigned int i = 0; i < p->nb_lcores; i++) {
		struct perf_job *j = &jobs[i];

		if (j->rc < 0 || j->err[0] != '\0') {
			fprintf(stderr, "wd-perf: %s, lcore %u: %s%s\n", what, p->lcores[i],
				j->setup_failed ? "cannot start: " : "",
				j->err[0] != '\0' ? j->err : strerror(-j->rc));
			failed = true;
		}
		setup_failed = setup_failed || j->setup_failed;
		rows[i] = malloc(sizeof(**rows));
		if (rows[i] == NULL)
			return -ENOMEM;
		*rows[i] = j->res;
		perf_result_finish(rows[i], o);
	}
	if (setup_failed) {
		/* an lcore could not start: no row, and the plan stops here (exit 2) */
		for (unsigned int i = 0; i < p->nb_lcores; i++) {
			free(rows[i]->lat);
			free(rows[i]);
		}
		free(rows);
		free(jobs);
		return -ECANCELED;
	}
	agg = malloc(sizeof(*agg));
	if (agg == NULL)
		return -ENOMEM;
	perf_result_aggregate(agg, rows, p->nb_lcores, o);
	if (failed || agg->errors > 0)
		p->failures++;
	if (!o->quiet) {
		if (p->nb_lcores > 1)
			for (unsigned int i = 0; i < p->nb_lcores; i++)
				perf_report_row(stdout, o, rows[i]);
		perf_report_row(stdout, o, agg);
		if (agg->interrupted)
			printf("(the run above was cut short by the interrupt, after %.3f s)\n",
			       agg->seconds);
		fflush(stdout);
	}
	/* Samples are no longer needed once the percentiles are known. */
	for (unsigned int i = 0; i < p->nb_lcores; i++) {
		free(rows[i]->lat);
		rows[i]->lat = NULL;
		list_push(&p->res.rows, &p->res.n, &p->res.cap, rows[i]);
	}
	free(agg->lat);
	agg->lat = NULL;
	list_push(&p->res.rows, &p->res.n, &p->res.cap, agg);
	list_push(&p->res.aggs, &p->res.naggs, &p->res.aggcap, agg);
	free(rows);
	free(jobs);
	return 0;
}

/* Requests that the device did not compress get zlib's version. */
static void
fill_gaps(struct perf_cdata *c, const struct perf_cdata *ref)
{
	for (uint32_t i = 0; i < c->nb; i++) {
		if (c->data[i] != NULL)
			continue;
		c->data[i] = malloc(ref->len[i] ? ref->len[i] : 1);
		if (c->data[i] == NULL)
			continue;
		memcpy(c->data[i], ref->data[i], ref->len[i]);
		c->len[i] = ref->len[i];
	}
}

/*
 * Sizes larger than the data make requests of the whole data: say so, and
 * keep each resulting size once.
 */
static void
fit_sizes(struct perf_opts *o, const struct perf_data *d)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < o->nb_sizes; i++) {
		uint32_t s = perf_req_len(d, o->sizes[i]);
		bool dup = false;

		if (s != o->sizes[i])
			fprintf(stderr, "wd-perf: --size %u is more than the data's %u bytes: "
				"its requests are the whole data\n", o->sizes[i], s);
		for (unsigned int j = 0; j < n; j++)
			dup = dup || o->sizes[j] == s;
		if (!dup)
			o->sizes[n++] = s;
	}
	o->nb_sizes = n;
}

static int
run_plan(struct plan *p)
{
	struct perf_opts *o = p->o;
	unsigned int groups = o->spread ? 1 : p->nb_devs;

	for (unsigned int g = 0; g < groups && !perf_force_stop; g++) {
		unsigned int idx[PERF_MAX_DEVS], nidx = 0;

		if (o->spread) {
			for (unsigned int d = 0; d < p->nb_devs; d++)
				idx[nidx++] = d;
		} else {
			idx[nidx++] = g;
		}
		for (unsigned int s = 0; s < o->nb_sizes && !perf_force_stop; s++) {
			uint32_t size = o->sizes[s];
			uint32_t nb_req = perf_nb_req(&p->data, size);
			struct perf_cdata ref = { 0 }, dev_out = { 0 };
			int ret;

			if (o->do_decomp) {
				ret = perf_ref_compress(o, &p->data, size, nb_req, &ref);
				if (ret < 0) {
					fprintf(stderr, "wd-perf: zlib cannot make the reference "
						"streams: %s\n", strerror(-ret));
					return ret;
				}
			}
			if (o->do_comp) {
				if (o->do_decomp && perf_cdata_alloc(&dev_out, nb_req) < 0) {
					perf_cdata_free(&ref);
					return -ENOMEM;
				}
				ret = run_one(p, idx, nidx, size, WD_OP_COMPRESS, NULL,
					      o->do_decomp ? &dev_out : NULL);
				if (ret < 0) {
					perf_cdata_free(&ref);
					perf_cdata_free(&dev_out);
					return ret;
				}
			}
			if (o->do_decomp && !perf_force_stop) {
				const struct perf_cdata *cin = &ref;

				if (o->do_comp) {
					fill_gaps(&dev_out, &ref);
					cin = &dev_out;
				}
				ret = run_one(p, idx, nidx, size, WD_OP_DECOMPRESS, cin, NULL);
				if (ret < 0) {
					perf_cdata_free(&ref);
					perf_cdata_free(&dev_out);
					return ret;
				}
			}
			perf_cdata_free(&ref);
			perf_cdata_free(&dev_out);
		}
	}
	return 0;
}

static int
pick_lcores(struct plan *p)
{
	unsigned int lc, avail = 0;

	RTE_LCORE_FOREACH_WORKER(lc) {
		if (p->o->nb_lcores != 0 && avail == p->o->nb_lcores)
			break;
		p->lcores[avail++] = lc;
	}
	if (avail == 0) {
		if (p->o->nb_lcores > 1) {
			fprintf(stderr, "wd-perf: --lcores %u: EAL gave no worker lcore (use -l "
				"with more cores)\n", p->o->nb_lcores);
			return -EINVAL;
		}
		p->lcores[avail++] = rte_get_main_lcore();
		p->main_works = true;
	} else if (p->o->nb_lcores != 0 && avail < p->o->nb_lcores) {
		fprintf(stderr, "wd-perf: --lcores %u: EAL has only %u worker lcore%s (-l)\n",
			p->o->nb_lcores, avail, avail > 1 ? "s" : "");
		return -EINVAL;
	}
	p->nb_lcores = avail;
	return 0;
}

/*
 * Split argv at "--"; add the EAL defaults wd-perf relies on when the user
 * did not choose: --iova-mode=va (WarpDrive needs IOVA = VA) and
 * --in-memory, or --no-shconf with --no-huge (no shared runtime files, so
 * several runs can coexist); telemetry's log level at ERR.
 */
static int
split_args(int argc, char **argv, char ***eal_argv, int *eal_argc, char ***app_argv,
	   int *app_argc)
{
	int dd = -1, n = 0;
	bool iova = false, shared = false, nohuge = false, all_ours = true, some_ours = false;
	bool loglevel = false;
	char **ev;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			dd = i;
			break;
		}
	}
	if (dd < 0) {
		for (int i = 1; i < argc; i++) {
			if (is_our_option(argv[i]) || strcmp(argv[i], "-h") == 0)
				some_ours = true;
			else if (argv[i][0] == '-')
				all_ours = false;
		}
		if (some_ours && all_ours) {
			dd = 0; /* only wd-perf options: no EAL options */
		} else if (some_ours) {
			fprintf(stderr,
				"wd-perf: wd-perf options go after '--', EAL options before "
				"it: wd-perf [EAL options] -- [options]\n");
			return -EINVAL;
		}
	}
	ev = calloc((size_t)argc + 5, sizeof(*ev));
	if (ev == NULL)
		return -ENOMEM;
	ev[n++] = argv[0];
	for (int i = 1; i < (dd < 0 ? argc : dd); i++) {
		if (strncmp(argv[i], "--iova-mode", 11) == 0)
			iova = true;
		if (strcmp(argv[i], "--no-huge") == 0)
			nohuge = true;
		if (strncmp(argv[i], "--log-level", 11) == 0)
			loglevel = true;
		if (strncmp(argv[i], "--in-memory", 11) == 0 ||
		    strncmp(argv[i], "--file-prefix", 13) == 0 ||
		    strncmp(argv[i], "--proc-type", 11) == 0 ||
		    strncmp(argv[i], "--no-shconf", 11) == 0)
			shared = true;
		ev[n++] = argv[i];
	}
	if (!iova)
		ev[n++] = (char *)(uintptr_t)"--iova-mode=va";
	/*
	 * telemetry's "No legacy callbacks, legacy socket not created" is not
	 * news: its log type at ERR (4). The regex form, since the type is
	 * registered after the options are parsed.
	 */
	if (!loglevel)
		ev[n++] = (char *)(uintptr_t)"--log-level=lib\\.telemetry,4";
	/* EAL 22.11 refuses --in-memory with --no-huge; --no-shconf does the job there. */
	if (!shared)
		ev[n++] = (char *)(uintptr_t)(nohuge ? "--no-shconf" : "--in-memory");
	ev[n] = NULL;
	*eal_argv = ev;
	*eal_argc = n;
	if (dd < 0) {
		*app_argv = argv + argc - 1; /* argv[0] position for getopt; no options */
		*app_argc = 1;
	} else {
		*app_argv = argv + dd;   /* argv[dd] ("--" or argv[0]) plays argv[0] */
		*app_argc = argc - dd;
	}
	return 0;
}

/* Create an output file (--json, --csv) up front. @return 0 or -errno. */
static int
out_file_check(const char *path)
{
	FILE *f;
	int err;

	if (path == NULL || strcmp(path, "-") == 0)
		return 0;
	f = fopen(path, "w");
	if (f == NULL) {
		err = errno;
		fprintf(stderr, "wd-perf: cannot write %s: %s\n", path, strerror(err));
		return -err;
	}
	fclose(f);
	return 0;
}

static int
perf_main(int eal_argc, char **eal_argv, int app_argc, char **app_argv)
{
	static struct perf_opts opts;
	static struct plan p;
	int ret, rc = 0;
	bool defaulted = false;
	char desc[320];

	if (app_argc == 1) {
		static char *none[] = { (char *)(uintptr_t)"wd-perf", NULL };

		app_argv = none;
	}
	ret = perf_opts_parse(app_argc, app_argv, &opts);
	if (ret > 0) {
		perf_usage(stdout, "wd-perf");
		return 0;
	}
	if (ret < 0)
		return EXIT_SETUP;
	/* a bad --json/--csv path fails now, not after the run */
	if (out_file_check(opts.json_path) < 0 || out_file_check(opts.csv_path) < 0)
		return EXIT_SETUP;

	/* before EAL starts (it can take seconds): a stop then ends the run at once */
	catch_signal(SIGINT);
	catch_signal(SIGTERM);
	ret = rte_eal_init(eal_argc, eal_argv);
	if (ret < 0) {
		fprintf(stderr, "wd-perf: cannot start EAL: %s\n", rte_strerror(rte_errno));
		return EXIT_SETUP;
	}
	ret = wd_init();
	if (ret < 0) {
		fprintf(stderr, "wd-perf: WarpDrive cannot start: %s%s\n", strerror(-ret),
			ret == -ENOTSUP ? " (EAL must run with --iova-mode=va)" : "");
		rte_eal_cleanup();
		return EXIT_SETUP;
	}
	if (opts.list) {
		ret = perf_devices_list(&opts, stdout);
		wd_cleanup();
		rte_eal_cleanup();
		return ret < 0 ? EXIT_SETUP : 0;
	}

	p.o = &opts;
	if (pick_lcores(&p) < 0 ||
	    perf_devices_open(&opts, p.devs, &p.nb_devs, &defaulted) < 0 ||
	    perf_data_load(&opts, &p.data) < 0) {
		rc = EXIT_SETUP;
		goto out;
	}
	fit_sizes(&opts, &p.data);
	if (opts.spread && p.nb_lcores < p.nb_devs)
		fprintf(stderr, "wd-perf: --spread gives each lcore one device: with %u lcore%s, "
			"%u of the %u devices stay idle (add lcores with -l)\n", p.nb_lcores,
			p.nb_lcores > 1 ? "s" : "", p.nb_devs - p.nb_lcores, p.nb_devs);
	if (!opts.quiet) {
		printf("wd-perf %s: WarpDrive-ZIP compression benchmark\n", WD_VERSION);
		for (unsigned int i = 0; i < p.nb_devs; i++) {
			perf_dev_describe(&p.devs[i], desc, sizeof(desc));
			printf("device: %s\n", desc);
		}
		if (defaulted)
			printf("        no accelerator is bound to vfio-pci: using the device "
			       "model (see doc/real-hardware.md)\n");
	}
	if (perf_devices_configure(p.devs, p.nb_devs, p.nb_lcores * opts.qps_per_lcore,
				   &opts) < 0) {
		rc = EXIT_SETUP;
		goto out;
	}
	if (!opts.quiet) {
		perf_report_header(stdout, &opts, &p.data, p.devs, p.nb_devs, p.nb_lcores,
				   p.lcores);
		perf_report_table_head(stdout, &opts);
		fflush(stdout);
	}
	ret = run_plan(&p);
	if (ret < 0) {
		/* -ECANCELED: a run could not start, and said why */
		if (ret != -ECANCELED)
			fprintf(stderr, "wd-perf: %s\n", strerror(-ret));
		rc = EXIT_SETUP;
	}
	if (!opts.quiet && !opts.spread)
		perf_report_summary(stdout, &opts, p.res.aggs, p.res.naggs, p.devs, p.nb_devs);
	if (opts.json_path != NULL &&
	    perf_report_json(opts.json_path, &opts, p.res.rows, p.res.n) < 0)
		rc = rc ? rc : EXIT_SETUP;
	if (opts.csv_path != NULL &&
	    perf_report_csv(opts.csv_path, &opts, p.res.rows, p.res.n) < 0)
		rc = rc ? rc : EXIT_SETUP;
	if (perf_force_stop) {
		fprintf(stderr, "wd-perf: interrupted: the results are those of the runs done\n");
		rc = EXIT_INTERRUPTED;
	}
	if (rc == 0 && p.failures > 0) {
		fprintf(stderr, "wd-perf: %u run%s had errors or verification failures\n",
			p.failures, p.failures > 1 ? "s" : "");
		rc = EXIT_RUN_FAILED;
	}
out:
	perf_devices_close(p.devs, p.nb_devs);
	perf_data_free(&p.data);
	for (unsigned int i = 0; i < p.res.n; i++)
		free(p.res.rows[i]);
	free(p.res.rows);
	free(p.res.aggs);
	wd_cleanup();
	rte_eal_cleanup();
	return rc;
}

int
main(int argc, char **argv)
{
	char **eal_argv, **app_argv;
	int eal_argc, app_argc, rc;

	if (split_args(argc, argv, &eal_argv, &eal_argc, &app_argv, &app_argc) < 0)
		return EXIT_SETUP;
	/* every way out of perf_main() comes back here to free the vector */
	rc = perf_main(eal_argc, eal_argv, app_argc, app_argv);
	free(eal_argv);
	return rc;
}
