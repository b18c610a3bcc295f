// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-overlapped: an overlapped echo server against an epoll one and an
 * io_uring one, over loopback TCP, with the same client as bench-select:
 * ping-pong latency on 1 connection and throughput on 64.
 *
 * The overlapped server is the library's (ws_overlapped.c: WSARecv,
 * WSASend, WSAWaitForMultipleEvents, WSAGetOverlappedResult,
 * WSAResetEvent, as the WSARecv documentation's sample does).  For the
 * analysis the same server is also run on the kernel ABI directly
 * (below: WSAEVENT_IOC_SUBMIT with WSAEVENT_IO_EVENT |
 * WSAEVENT_IO_RESET_EVENT, WSAEVENT_IOC_WAIT_ANY, the WSAOVERLAPPED the
 * kernel fills), which shows what the library adds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/wsaevent.h>
#ifdef HAVE_LIBURING
#include <liburing.h>
#endif

#include "bench.h"
#include "ws_bench.h"

#define BUF_SIZE	16384
#define STATUS_PENDING	0x103

/* ---- Overlapped: the kernel completes the operations ---- */

/* The 64-bit WSAOVERLAPPED. */
struct ovl {
	int64_t internal;
	int64_t internal_high;
	uint32_t offset;
	uint32_t offset_high;
	uint64_t hevent;
};

struct ovl_conn {
	int fd, ev;
	struct ovl recv_ovl, send_ovl;
	char buf[BUF_SIZE];
};

static int ovl_submit(int ctx, struct ovl_conn *c, uint32_t op, size_t len,
		      struct ovl *o, int ev)
{
	struct iovec iov = { .iov_base = c->buf, .iov_len = len };
	struct wsaevent_io_args a = {
		.sock = c->fd, .op = op, .iov = (uintptr_t)&iov, .iovcnt = 1,
		.overlapped = (uintptr_t)o,
	};

	if (ev >= 0) {
		a.event = ev;
		a.io_flags = WSAEVENT_IO_EVENT | WSAEVENT_IO_RESET_EVENT;
	}
	o->internal = STATUS_PENDING;
	o->internal_high = 0;
	if (!ioctl(ctx, WSAEVENT_IOC_SUBMIT, &a))
		return 0;		/* completed at once */
	if (errno == EINPROGRESS)
		return 1;		/* WSA_IO_PENDING */
	bench_die("WSAEVENT_IOC_SUBMIT: %s", strerror(errno));
}

static int64_t ovl_status(struct ovl *o)
{
	return __atomic_load_n(&o->internal, __ATOMIC_ACQUIRE);
}

/* Wait until the event is signaled. */
static void ovl_wait(int ctx, int ev)
{
	__u32 fd = ev;
	struct wsaevent_wait_args w = {
		.timeout = WSAEVENT_TIMEOUT_INFINITE, .objs = (uintptr_t)&fd,
		.count = 1,
	};

	while (ioctl(ctx, WSAEVENT_IOC_WAIT_ANY, &w))
		if (errno != EINTR)
			bench_die("WSAEVENT_IOC_WAIT_ANY: %s", strerror(errno));
}

/* WSASend of what was received; a 64-byte send completes at once. */
static void ovl_echo(int ctx, struct ovl_conn *c, size_t len)
{
	if (ovl_submit(ctx, c, WSAEVENT_OP_SEND, len, &c->send_ovl, -1))
		while (ovl_status(&c->send_ovl) == STATUS_PENDING)
			sched_yield();
	if (ovl_status(&c->send_ovl) != 0 ||
	    c->send_ovl.internal_high != (int64_t)len)
		bench_die("overlapped send: status %lld",
			  (long long)c->send_ovl.internal);
}

/*
 * Post the next receive; while receives complete at once, echo them.
 * Returns 0 when the connection reached end of file.
 */
static int ovl_recv_loop(int ctx, struct ovl_conn *c)
{
	for (;;) {
		if (ovl_submit(ctx, c, WSAEVENT_OP_RECV, BUF_SIZE, &c->recv_ovl,
			       c->ev))
			return 1;
		if (ovl_status(&c->recv_ovl) || !c->recv_ovl.internal_high)
			return 0;
		ovl_echo(ctx, c, c->recv_ovl.internal_high);
	}
}

static void ovl_close(int ctx, struct ovl_conn *c)
{
	ioctl(ctx, WSAEVENT_IOC_RELEASE, c->fd);
	close(c->fd);
	close(c->ev);
}

static void *ovl_server(void *arg)
{
	struct echo_server *es = arg;
	struct wsaevent_event_args ea = { .flags = WSAEVENT_EVENT_MANUAL };
	struct ovl_conn *conns = calloc(es->n, sizeof(*conns));
	__u32 evs[ECHO_MAX_CONNS];
	int map[ECHO_MAX_CONNS];
	struct wsaevent_wait_args w = {
		.timeout = WSAEVENT_TIMEOUT_INFINITE, .objs = (uintptr_t)evs,
	};
	int ctx, n = 0, i, k;
	struct ovl_conn *c;

	ctx = open("/dev/wsaevent", O_RDWR | O_CLOEXEC);
	if (ctx < 0 || !conns)
		bench_die("/dev/wsaevent: %s", strerror(errno));
	for (i = 0; i < es->n; i++) {
		c = &conns[i];
		c->fd = es->fds[i];
		c->ev = ioctl(ctx, WSAEVENT_IOC_CREATE_EVENT, &ea);
		if (c->ev < 0)
			bench_die("create event: %s", strerror(errno));
		if (ovl_recv_loop(ctx, c)) {
			evs[n] = c->ev;
			map[n++] = i;
		} else {
			ovl_close(ctx, c);
		}
	}
	while (n > 0) {
		w.count = n;
		if (ioctl(ctx, WSAEVENT_IOC_WAIT_ANY, &w)) {
			if (errno == EINTR)
				continue;
			bench_die("WSAEVENT_IOC_WAIT_ANY: %s", strerror(errno));
		}
		k = w.index;
		c = &conns[map[k]];
		if (ovl_status(&c->recv_ovl) == STATUS_PENDING)
			continue;	/* cannot happen: the event says done */
		if (!ovl_status(&c->recv_ovl) && c->recv_ovl.internal_high) {
			ovl_echo(ctx, c, c->recv_ovl.internal_high);
			if (ovl_recv_loop(ctx, c))
				continue;
		}
		ovl_close(ctx, c);
		n--;
		evs[k] = evs[n];
		map[k] = map[n];
	}
	close(ctx);
	free(conns);
	return NULL;
}

static void *ovl_latency_setup(void *arg)
{
	(void)arg;
	return echo_setup(1, ovl_server);
}

static void *ovl_tput_setup(void *arg)
{
	(void)arg;
	return echo_setup(ECHO_MAX_CONNS, ovl_server);
}

/*
 * The calls alone: a plain send on one end of a loopback connection, then
 * an overlapped receive on the other that completes at once (the data is
 * there), against send + recv.  Nobody sleeps: this is the cost of
 * WSAEVENT_IOC_SUBMIT itself (pinning, the operation, the completion).
 */
struct ovl_calls {
	int a, ctx;
	struct ovl_conn c;
};

static void *ovl_calls_setup(void *arg)
{
	struct wsaevent_event_args ea = { .flags = WSAEVENT_EVENT_MANUAL };
	struct ovl_calls *p = calloc(1, sizeof(*p));

	(void)arg;
	lx_tcp_pairs(1, &p->a, &p->c.fd);
	p->ctx = open("/dev/wsaevent", O_RDWR | O_CLOEXEC);
	if (p->ctx < 0)
		bench_die("/dev/wsaevent: %s", strerror(errno));
	p->c.ev = ioctl(p->ctx, WSAEVENT_IOC_CREATE_EVENT, &ea);
	if (p->c.ev < 0)
		bench_die("create event: %s", strerror(errno));
	return p;
}

static void ovl_calls_run(void *st, long iters)
{
	struct ovl_calls *p = st;
	ssize_t size = bench_cfg.msg_size;
	long i;

	for (i = 0; i < iters; i++) {
		if (send(p->a, p->c.buf, size, MSG_NOSIGNAL) != size)
			bench_die("send: %s", strerror(errno));
		/* Rarely, the loopback delivery is late: wait then. */
		if (ovl_submit(p->ctx, &p->c, WSAEVENT_OP_RECV, BUF_SIZE,
			       &p->c.recv_ovl, p->c.ev))
			ovl_wait(p->ctx, p->c.ev);
		if (ovl_status(&p->c.recv_ovl) ||
		    p->c.recv_ovl.internal_high != size)
			bench_die("overlapped recv: status %lld, %lld bytes",
				  (long long)ovl_status(&p->c.recv_ovl),
				  (long long)p->c.recv_ovl.internal_high);
	}
}

static void ovl_calls_teardown(void *st)
{
	struct ovl_calls *p = st;

	ovl_close(p->ctx, &p->c);
	close(p->a);
	close(p->ctx);
	free(p);
}

struct plain_calls {
	int a, b;
	char buf[BUF_SIZE];
};

static void *plain_calls_setup(void *arg)
{
	struct plain_calls *p = calloc(1, sizeof(*p));

	(void)arg;
	lx_tcp_pairs(1, &p->a, &p->b);
	return p;
}

static void plain_calls_run(void *st, long iters)
{
	struct plain_calls *p = st;
	ssize_t size = bench_cfg.msg_size;
	long i;

	for (i = 0; i < iters; i++) {
		if (send(p->a, p->buf, size, MSG_NOSIGNAL) != size ||
		    recv(p->b, p->buf, BUF_SIZE, 0) != size)
			bench_die("send/recv: %s", strerror(errno));
	}
}

static void plain_calls_teardown(void *st)
{
	struct plain_calls *p = st;

	close(p->a);
	close(p->b);
	free(p);
}

/* ---- io_uring: recv and send SQEs, one ring, one thread ---- */

#ifdef HAVE_LIBURING
struct ur_conn {
	int fd;
	char buf[BUF_SIZE];
};

static void ur_recv(struct io_uring *ring, struct ur_conn *c, int i)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	io_uring_prep_recv(sqe, c->fd, c->buf, BUF_SIZE, 0);
	io_uring_sqe_set_data64(sqe, (uint64_t)i << 1);
}

static void ur_send(struct io_uring *ring, struct ur_conn *c, int i,
		    size_t len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	io_uring_prep_send(sqe, c->fd, c->buf, len, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, (uint64_t)i << 1 | 1);
}

static void *uring_server(void *arg)
{
	struct echo_server *es = arg;
	struct ur_conn *conns = calloc(es->n, sizeof(*conns));
	struct io_uring_cqe *cqe;
	struct io_uring *ring = es->priv;
	unsigned int head, seen;
	int alive = es->n, i;

	for (i = 0; i < es->n; i++) {
		conns[i].fd = es->fds[i];
		ur_recv(ring, &conns[i], i);
	}
	while (alive > 0) {
		if (io_uring_submit_and_wait(ring, 1) < 0)
			continue;	/* EINTR */
		seen = 0;
		io_uring_for_each_cqe(ring, head, cqe) {
			uint64_t ud = io_uring_cqe_get_data64(cqe);

			seen++;
			i = ud >> 1;
			if (!(ud & 1)) {
				if (cqe->res > 0) {
					ur_send(ring, &conns[i], i, cqe->res);
				} else {
					close(conns[i].fd);
					alive--;
				}
			} else {
				if (cqe->res < 0)
					bench_die("io_uring send: %s",
						  strerror(-cqe->res));
				ur_recv(ring, &conns[i], i);
			}
		}
		io_uring_cq_advance(ring, seen);
	}
	free(conns);
	return NULL;
}

struct ur_echo {
	struct io_uring ring;
	void *echo;
};

/* The ring is made here, so that a kernel without io_uring skips it. */
static void *uring_setup(void *arg)
{
	int n = (int)(long)arg, err;
	struct ur_echo *u = calloc(1, sizeof(*u));

	err = io_uring_queue_init(2 * ECHO_MAX_CONNS + 8, &u->ring, 0);
	if (err) {
		bench_info("io_uring_queue_init: %s", strerror(-err));
		free(u);
		return NULL;
	}
	u->echo = echo_setup_priv(n, uring_server, &u->ring);
	return u;
}

static void uring_run_latency(void *st, long iters)
{
	echo_run_latency(((struct ur_echo *)st)->echo, iters);
}

static void uring_run_tput(void *st, long iters)
{
	echo_run_tput(((struct ur_echo *)st)->echo, iters);
}

static void uring_teardown(void *st)
{
	struct ur_echo *u = st;

	echo_teardown(u->echo);
	io_uring_queue_exit(&u->ring);
	free(u);
}
#else
static void *uring_setup(void *arg)
{
	(void)arg;
	bench_info("io_uring: not built (install liburing-dev)");
	return NULL;
}

static void uring_run_latency(void *st, long iters)
{
	(void)st;
	(void)iters;
}

#define uring_run_tput uring_run_latency
#define uring_teardown(st) ((void)(st))
#endif

int main(void)
{
	struct bench_impl lat[] = {
		ws_impl_overlapped_latency,
		lx_impl_epoll_latency,
		{ "io_uring", uring_setup, uring_run_latency, uring_teardown,
		  (void *)1L },
		{ "overlapped, raw ABI", ovl_latency_setup, echo_run_latency,
		  echo_teardown, NULL },
	};
	struct bench_impl tput[] = {
		ws_impl_overlapped_tput,
		lx_impl_epoll_tput,
		{ "io_uring", uring_setup, uring_run_tput, uring_teardown,
		  (void *)(long)ECHO_MAX_CONNS },
		{ "overlapped, raw ABI", ovl_tput_setup, echo_run_tput,
		  echo_teardown, NULL },
		lx_impl_epoll_shaped_tput,
	};
	struct bench_impl calls[] = {
		{ "send + overlapped recv (raw ABI)", ovl_calls_setup, ovl_calls_run,
		  ovl_calls_teardown, NULL },
		{ "send + recv", plain_calls_setup, plain_calls_run,
		  plain_calls_teardown, NULL },
	};
	const char *how = "WSARecv + event, wait, WSAGetOverlappedResult, "
			  "WSAResetEvent, WSASend";
	const char *raw = "the same server on the raw ioctls";
	struct bench_result r[5];

	bench_init("bench-overlapped");
	ws_startup();

	bench_measure("overlapped-latency", lat, 4, BENCH_US_PER_OP, r);
	bench_row("overlapped latency vs epoll",
		  "Overlapped echo latency, 1 connection", &r[0], &r[1], "le",
		  1.2, how);
	bench_row("overlapped latency vs io_uring",
		  "Overlapped echo latency, 1 connection", &r[0], &r[2], "le",
		  0, NULL);
	bench_row("raw-ABI overlapped latency vs epoll",
		  "Overlapped echo latency, 1 connection", &r[3], &r[1], "le",
		  0, raw);
	bench_measure("overlapped-tput", tput, 5, BENCH_OPS_PER_S, r);
	bench_row("overlapped 64-conn tput vs epoll",
		  "Overlapped echo throughput, 64 connections", &r[0], &r[1],
		  "ge", 1 / 1.2, how);
	bench_row("overlapped 64-conn tput vs io_uring",
		  "Overlapped echo throughput, 64 connections", &r[0], &r[2],
		  "ge", 0, NULL);
	bench_row("raw-ABI overlapped 64-conn tput vs epoll",
		  "Overlapped echo throughput, 64 connections", &r[3], &r[1],
		  "ge", 0, raw);
	bench_row("overlapped 64-conn tput vs Winsock-shaped epoll",
		  "Overlapped echo throughput, 64 connections", &r[0], &r[4],
		  "ge", 0,
		  "the driver's own cost: against epoll making the same calls");
	bench_row("Winsock-shaped epoll vs epoll (overlapped group)",
		  "Echo throughput, 64 connections: the textbook call pattern on Linux's calls",
		  &r[4], &r[1], "ge", 0,
		  "1 socket per wait, 4 calls per message: the ceiling of the pattern");
	bench_measure("overlapped-calls", calls, 2, BENCH_NS_PER_OP, r);
	bench_row("overlapped recv vs recv",
		  "send + a receive that completes at once, nobody sleeps",
		  &r[0], &r[1], "le", 0,
		  "the cost of WSAEVENT_IOC_SUBMIT itself");
	return 0;
}
