/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wsaevent benchmarks: the shared harness.
 *
 * This header uses only C types, so that it can be included both by the
 * sources that use <winsock2.h> (ws_*.c: the libwsaevent side) and by
 * those that use the Linux socket headers (everything else: baselines,
 * clients, raw ioctls).  The two header sets cannot meet in one file.
 *
 * A benchmark is a set of implementations of the same operation
 * (struct bench_impl).  bench_measure() sets them all up, calibrates each
 * to a run length, then runs them interleaved (A B C A B C ...) so that
 * a change in host load hits every implementation alike, and reports the
 * median of the runs after one warm-up run each.
 *
 * Output, on stdout (the VM's serial console), one line per result:
 *   @@BENCH@@ RES|<id>|<impl>|<unit>|<median>|<min>|<max>|<iters>|<r1,r2,...>
 *   @@BENCH@@ ROW|<label>|<measure>|<ours>|<value>|<baseline>|<value>|
 *                 <unit>|<ratio>|<le|ge>|<target>|<met|missed|info>|<note>
 *   @@BENCH@@ MEM|<object>|<cache>|<objsize>|<objects delta>|<bytes delta>
 *   @@BENCH@@ INFO|<text>
 * tools/testing/bench.sh collects them from the serial log.
 */
#ifndef WSAEVENT_BENCH_H
#define WSAEVENT_BENCH_H

#include <stdint.h>

#define BENCH_MAX_RUNS	32

/* How a run's figure is derived from its iteration count and time. */
enum bench_unit {
	BENCH_NS_PER_OP,	/* "ns"   : elapsed / iterations */
	BENCH_US_PER_OP,	/* "us"   : elapsed / iterations, in us */
	BENCH_OPS_PER_S,	/* "msg/s": iterations / elapsed */
};

struct bench_impl {
	const char *name;
	/* Returns the state given to run and teardown; NULL on failure. */
	void *(*setup)(void *arg);
	/* Performs @iters operations. */
	void (*run)(void *state, long iters);
	void (*teardown)(void *state);
	void *arg;
};

struct bench_result {
	const char *impl;
	const char *unit;
	double median, min, max;
	double runs[BENCH_MAX_RUNS];
	int nruns;
	long iters;
	int ok;
};

/* Configuration, from bench_init(). */
struct bench_config {
	int quick;		/* smoke mode: short runs */
	int runs;		/* measured runs per figure (>= 5) */
	double run_ms;		/* target length of one run */
	int msg_size;		/* echo message size, bytes */
	int mem_count;		/* objects created by the memory benchmark */
	long iters;		/* fixed iterations per run, no warm-up (0:
				 * calibrate); for counting events per op */
	const char *only;	/* run only "<id>/<impl>" containing this */
	int shaped_extra;	/* the Winsock-shaped epoll server's extra
				 * system calls per message (default 1) */
	const char *pin;	/* "none", "same" (all on CPU 0) or "split"
				 * (main thread on CPU 0, the others on 1) */
};

extern struct bench_config bench_cfg;

/*
 * Quick mode: BENCH_QUICK=1 in the environment, or wsaevent_bench.quick=1
 * on the kernel command line (how the VM passes it).  BENCH_RUNS and
 * wsaevent_bench.runs=N override the number of runs; BENCH_RUN_MS,
 * BENCH_MSG_SIZE, BENCH_MEM_COUNT and BENCH_PIN (none|same|split) and
 * their wsaevent_bench.run_ms=... forms the rest of struct bench_config,
 * with BENCH_ITERS and BENCH_ONLY for analysis runs (perf stat).
 */
void bench_init(const char *program);

/* Measure @n implementations; fills @res[0..n).  Returns 0 when all ran. */
int bench_measure(const char *id, const struct bench_impl *impls, int n,
		  enum bench_unit unit, struct bench_result *res);

/*
 * Print a ROW comparing @ours with @base; @label is a short name for the
 * chart.  @cmp is "le" (lower is better,
 * ratio = ours/base must be <= @target) or "ge" (higher is better, ratio
 * >= @target); @target <= 0 prints the ratio for information.
 */
void bench_row(const char *label, const char *measure,
	       const struct bench_result *ours,
	       const struct bench_result *base, const char *cmp,
	       double target, const char *note);

/*
 * A ROW without a baseline: @value against an absolute @target (le).
 * @label is the short name for the chart.
 */
void bench_row_abs(const char *label, const char *measure, const char *ours,
		   double value,
		   const char *unit, double target, const char *note);

void bench_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fatal error: prints and exits 1. */
void bench_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Threads, without <pthread.h> in the callers. */
typedef struct bench_thread bench_thread;
bench_thread *bench_thread_start(void *(*fn)(void *), void *arg);
void bench_thread_join(bench_thread *t);

uint64_t bench_now_ns(void);

/* ---- Linux helpers (lx_net.c), usable from the winsock side ---- */

/*
 * Make @n connected loopback TCP pairs with TCP_NODELAY on both ends:
 * @client[i] is blocking, @server[i] is what the server under test gets.
 */
void lx_tcp_pairs(int n, int *client, int *server);

/*
 * The same, with the server ends accepted by @accept_fn (given the
 * listening socket; returns the new fd): the libwsaevent side passes the
 * library's accept(), so that the sockets are the library's own, as in a
 * Windows program.  NULL: accept4().
 */
void lx_tcp_pairs_accept(int n, int *client, int *server,
			 int (*accept_fn)(int listener));

/* Latency client: @iters round trips of bench_cfg.msg_size bytes. */
void lx_client_pingpong(int fd, long iters);

/*
 * Throughput client: @n connections, one message outstanding on each,
 * until @iters messages have come back.  Single thread, epoll.
 */
struct lx_tput_client;
struct lx_tput_client *lx_tput_client_new(const int *fds, int n);
void lx_tput_client_run(struct lx_tput_client *c, long iters);
void lx_tput_client_free(struct lx_tput_client *c);

/* Close the client ends: the server sees end of file on each and exits. */
void lx_close_all(int *fds, int n);

/*
 * Echo benchmarks: @n loopback connections, a server thread running
 * @server (given a struct echo_server) and the shared client in the
 * calling thread.  The server echoes what it reads and returns once every
 * connection has reached end of file; it closes its sockets.
 */
#define ECHO_MAX_CONNS	64

struct echo_server {
	int n;
	int *fds;
	void *priv;	/* echo_setup_priv()'s @priv */
};

void *echo_setup(int n, void *(*server)(void *));
void *echo_setup_priv(int n, void *(*server)(void *), void *priv);
void *echo_setup_accept(int n, void *(*server)(void *),
			int (*accept_fn)(int listener));
void echo_run_latency(void *state, long iters);	/* 1 connection */
void echo_run_tput(void *state, long iters);	/* all connections */
void echo_teardown(void *state);

/* lx_epoll.c: the epoll echo server. */
extern const struct bench_impl lx_impl_epoll_latency;
extern const struct bench_impl lx_impl_epoll_tput;
/* the same server shaped as the Winsock ones: 1 socket per wait, 4 calls */
extern const struct bench_impl lx_impl_epoll_shaped_tput;
extern const struct bench_impl lx_impl_sendrecv;

#endif /* WSAEVENT_BENCH_H */
