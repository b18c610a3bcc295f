// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent benchmarks: the harness (see bench.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>

#include "bench.h"

struct bench_config bench_cfg = {
	.quick = 0,
	.runs = 7,
	.run_ms = 300,
	.msg_size = 64,
	.mem_count = 10000,
	.pin = "none",
};

static const char *prog_name = "bench";

/* Pin the calling thread to @cpu (no-op when it does not exist). */
static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

#define WQ_CPUMASK	"/sys/devices/virtual/workqueue/cpumask"

static char wq_cpumask_saved[64];

static void wq_cpumask_restore(void)
{
	FILE *f = fopen(WQ_CPUMASK, "w");

	if (f) {
		fputs(wq_cpumask_saved, f);
		fclose(f);
	}
}

/*
 * With pin=same, also keep the kernel's unbound workers (where the
 * driver completes overlapped operations) on vCPU 0, so that every
 * thread of the benchmark shares one vCPU.  Needs root; restored at exit.
 */
static void wq_cpumask_pin(void)
{
	FILE *f = fopen(WQ_CPUMASK, "r");

	if (!f)
		return;
	if (!fgets(wq_cpumask_saved, sizeof(wq_cpumask_saved), f)) {
		fclose(f);
		return;
	}
	fclose(f);
	f = fopen(WQ_CPUMASK, "w");
	if (!f)
		return;
	if (fputs("1\n", f) >= 0 && !fclose(f))
		atexit(wq_cpumask_restore);
}

#define SCHED_FEATURES "/sys/kernel/debug/sched/features"

/*
 * For the analysis: set scheduler features (comma-separated, e.g.
 * NO_WAKEUP_PREEMPTION) for the whole boot.  Left set: every program of
 * the run sets the same.
 */
static void sched_features(const char *list)
{
	char buf[128], *tok, *save;
	FILE *f;

	mount("none", "/sys/kernel/debug", "debugfs", 0, NULL);
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(list, " \n"), list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		f = fopen(SCHED_FEATURES, "w");
		if (!f || fputs(tok, f) < 0 || fclose(f))
			bench_die("cannot set scheduler feature %s", tok);
	}
	bench_info("%s: scheduler features set: %s", prog_name, buf);
}

/* CPU for a thread: 0 for the main one, 1 for others with pin=split. */
static void apply_pin(int main_thread)
{
	if (!strcmp(bench_cfg.pin, "same"))
		pin_to(0);
	else if (!strcmp(bench_cfg.pin, "split"))
		pin_to(main_thread ? 0 : 1);
}

/* wsaevent_bench.NAME=VALUE on the kernel command line, or NULL. */
static const char *cmdline_param(const char *name)
{
	static char line[4096];
	static int loaded;
	char key[64], *p;
	size_t klen;

	if (!loaded) {
		FILE *f = fopen("/proc/cmdline", "r");

		loaded = 1;
		line[0] = '\0';
		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
		}
	}
	snprintf(key, sizeof(key), "wsaevent_bench.%s=", name);
	klen = strlen(key);
	for (p = line; (p = strstr(p, key)); p += klen)
		if (p == line || p[-1] == ' ')
			return p + klen;
	return NULL;
}

/* @env, else wsaevent_bench.@cmd= on the kernel command line; or NULL. */
static const char *param_str(const char *env, const char *cmd)
{
	const char *v = getenv(env);

	if (!v || !*v)
		v = cmdline_param(cmd);
	return v && *v ? v : NULL;
}

static int param_int(const char *env, const char *cmd, int def)
{
	const char *v = param_str(env, cmd);

	return v ? atoi(v) : def;
}

void bench_init(const char *program)
{
	const char *v;

	prog_name = program;
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_cfg.quick = param_int("BENCH_QUICK", "quick", 0);
	if (bench_cfg.quick) {
		bench_cfg.runs = 5;
		bench_cfg.run_ms = 15;
		bench_cfg.mem_count = 1000;
	}
	bench_cfg.runs = param_int("BENCH_RUNS", "runs", bench_cfg.runs);
	if (bench_cfg.runs < 1)
		bench_cfg.runs = 1;
	if (bench_cfg.runs > BENCH_MAX_RUNS)
		bench_cfg.runs = BENCH_MAX_RUNS;
	bench_cfg.run_ms = param_int("BENCH_RUN_MS", "run_ms", bench_cfg.run_ms);
	bench_cfg.msg_size = param_int("BENCH_MSG_SIZE", "msg_size",
				       bench_cfg.msg_size);
	bench_cfg.mem_count = param_int("BENCH_MEM_COUNT", "mem_count",
					bench_cfg.mem_count);
	bench_cfg.iters = param_int("BENCH_ITERS", "iters", 0);
	bench_cfg.shaped_extra = param_int("BENCH_SHAPED_EXTRA", "shaped_extra",
					   1);
	v = param_str("BENCH_ONLY", "only");
	if (v) {
		static char only[128];

		/* On the command line the value ends at a space. */
		snprintf(only, sizeof(only), "%.*s", (int)strcspn(v, " \n"), v);
		bench_cfg.only = only;
	}
	v = param_str("BENCH_PIN", "pin");
	if (v && (!strncmp(v, "same", 4) || !strncmp(v, "split", 5)))
		bench_cfg.pin = v[1] == 'a' ? "same" : "split";
	apply_pin(1);
	if (!strcmp(bench_cfg.pin, "same"))
		wq_cpumask_pin();
	bench_info("%s: %s mode, %d runs of ~%.0f ms after a warm-up, "
		   "%d-byte messages, threads pinned: %s", program,
		   bench_cfg.quick ? "quick" : "full", bench_cfg.runs,
		   bench_cfg.run_ms, bench_cfg.msg_size, bench_cfg.pin);
	v = param_str("BENCH_SCHED", "sched");
	if (v)
		sched_features(v);
	if (bench_cfg.shaped_extra != 1)
		bench_info("%s: the Winsock-shaped epoll server makes %d extra "
			   "calls per message, not 1", program,
			   bench_cfg.shaped_extra);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_info(const char *fmt, ...)
{
	va_list ap;

	printf("@@BENCH@@ INFO|");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void bench_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

struct bench_thread {
	pthread_t t;
	void *(*fn)(void *);
	void *arg;
};

static void *thread_main(void *arg)
{
	bench_thread *t = arg;

	apply_pin(0);
	return t->fn(t->arg);
}

bench_thread *bench_thread_start(void *(*fn)(void *), void *arg)
{
	bench_thread *t = malloc(sizeof(*t));
	int err;

	if (!t)
		bench_die("out of memory");
	t->fn = fn;
	t->arg = arg;
	err = pthread_create(&t->t, NULL, thread_main, t);
	if (err)
		bench_die("pthread_create: %s", strerror(err));
	return t;
}

void bench_thread_join(bench_thread *t)
{
	pthread_join(t->t, NULL);
	free(t);
}

static const char *unit_name(enum bench_unit unit)
{
	switch (unit) {
	case BENCH_NS_PER_OP:
		return "ns";
	case BENCH_US_PER_OP:
		return "us";
	default:
		return "msg/s";
	}
}

static double figure(enum bench_unit unit, long iters, uint64_t ns)
{
	if (!ns)
		ns = 1;
	switch (unit) {
	case BENCH_NS_PER_OP:
		return (double)ns / iters;
	case BENCH_US_PER_OP:
		return (double)ns / iters / 1000.0;
	default:
		return iters * 1e9 / (double)ns;
	}
}

static uint64_t timed_run(const struct bench_impl *impl, void *st, long iters)
{
	uint64_t t0 = bench_now_ns();

	impl->run(st, iters);
	return bench_now_ns() - t0;
}

/*
 * Iterations for one run of about bench_cfg.run_ms; these runs are the
 * warm-up.  The count comes from the fastest rate seen, so that one slow
 * calibration run (a host hiccup) does not leave a run of a few
 * iterations.
 */
static long calibrate(const struct bench_impl *impl, void *st)
{
	double target = bench_cfg.run_ms * 1e6, best = 0, rate;
	long iters = 1;
	uint64_t ns;
	int i;

	for (;;) {
		ns = timed_run(impl, st, iters);
		rate = iters / (double)(ns ? ns : 1);
		if (rate > best)
			best = rate;
		if (ns >= target / 8 || iters >= (1L << 30))
			break;
		iters *= ns < target / 64 ? 8 : 2;
	}
	/* Two more at an eighth of the length, for a better best rate. */
	iters = (long)(best * target / 8) + 1;
	for (i = 0; i < 2; i++) {
		ns = timed_run(impl, st, iters);
		rate = iters / (double)(ns ? ns : 1);
		if (rate > best)
			best = rate;
	}
	iters = (long)(best * target);
	return iters < 1 ? 1 : iters;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void finish(struct bench_result *r)
{
	double s[BENCH_MAX_RUNS];
	int n = r->nruns;

	memcpy(s, r->runs, sizeof(double) * n);
	qsort(s, n, sizeof(double), cmp_double);
	r->min = s[0];
	r->max = s[n - 1];
	r->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void print_result(const char *id, const struct bench_result *r)
{
	int i;

	printf("@@BENCH@@ RES|%s|%s|%s|%.6g|%.6g|%.6g|%ld|", id, r->impl,
	       r->unit, r->median, r->min, r->max, r->iters);
	for (i = 0; i < r->nruns; i++)
		printf("%s%.6g", i ? "," : "", r->runs[i]);
	printf("\n");
}

int bench_measure(const char *id, const struct bench_impl *impls, int n,
		  enum bench_unit unit, struct bench_result *res)
{
	void *st[16];
	char name[160];
	int i, run, ok = 1;

	if (n > 16)
		bench_die("too many implementations");
	for (i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].impl = impls[i].name;
		res[i].unit = unit_name(unit);
		snprintf(name, sizeof(name), "%s/%s", id, impls[i].name);
		if (bench_cfg.only && !strstr(name, bench_cfg.only)) {
			st[i] = NULL;
			continue;
		}
		st[i] = impls[i].setup(impls[i].arg);
		if (!st[i]) {
			bench_info("%s: %s: setup failed, not measured", id,
				   impls[i].name);
			ok = 0;
		}
	}
	for (i = 0; i < n; i++)
		if (st[i])
			res[i].iters = bench_cfg.iters ? bench_cfg.iters :
				       calibrate(&impls[i], st[i]);
	/* Interleaved: A B C A B C ..., so that load changes hit all alike. */
	for (run = 0; run < bench_cfg.runs; run++)
		for (i = 0; i < n; i++) {
			if (!st[i])
				continue;
			res[i].runs[run] = figure(unit, res[i].iters,
						  timed_run(&impls[i], st[i],
							    res[i].iters));
			res[i].nruns = run + 1;
		}
	for (i = 0; i < n; i++) {
		if (!st[i])
			continue;
		impls[i].teardown(st[i]);
		finish(&res[i]);
		res[i].ok = 1;
		print_result(id, &res[i]);
	}
	return ok ? 0 : -1;
}

static void print_row(const char *label, const char *measure,
		      const char *ours, double ov,
		      const char *base, double bv, const char *unit,
		      double ratio, const char *cmp, double target,
		      const char *verdict, const char *note)
{
	printf("@@BENCH@@ ROW|%s|%s|%s|%.6g|%s|", label, measure, ours, ov,
	       base);
	if (bv >= 0)
		printf("%.6g", bv);
	printf("|%s|", unit);
	if (ratio >= 0)
		printf("%.3f", ratio);
	printf("|%s|", cmp);
	if (target > 0)
		printf("%g", target);
	printf("|%s|%s\n", verdict, note ? note : "");
}

void bench_row(const char *label, const char *measure,
	       const struct bench_result *ours,
	       const struct bench_result *base, const char *cmp,
	       double target, const char *note)
{
	const char *verdict = "info";
	double ratio;

	if (!ours->ok || !base->ok) {
		print_row(label, measure, ours->impl, ours->ok ? ours->median : -1,
			  base->impl, base->ok ? base->median : -1,
			  ours->unit, -1, cmp, target, "not-run", note);
		return;
	}
	ratio = ours->median / base->median;
	if (target > 0) {
		int met = strcmp(cmp, "ge") ? ratio <= target : ratio >= target;

		verdict = met ? "met" : "missed";
	}
	print_row(label, measure, ours->impl, ours->median, base->impl,
		  base->median,
		  ours->unit, ratio, cmp, target, verdict, note);
}

void bench_row_abs(const char *label, const char *measure, const char *ours,
		   double value,
		   const char *unit, double target, const char *note)
{
	const char *verdict = "info";

	if (target > 0)
		verdict = value <= target ? "met" : "missed";
	print_row(label, measure, ours, value, "-", -1, unit, -1, "le", target,
		  verdict, note);
}
