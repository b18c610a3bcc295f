// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent benchmarks: the epoll echo server, the Linux baseline for the
 * event-select and overlapped echo servers.  Level-triggered epoll on
 * non-blocking sockets (what WSAEventSelect makes them); each ready
 * socket gets one recv and an echo of what it read.
 *
 * Also, for the analysis of the 64-connection throughput, the same server
 * shaped as the textbook Winsock servers: one ready socket per wait (as
 * WSAWaitForMultipleEvents returns one index) and one more system call
 * per message (getppid(), standing for WSAEnumNetworkEvents in the
 * event-select server and for WSAResetEvent in the overlapped one): four
 * calls per message, each as cheap as Linux's own.  BENCH_SHAPED_EXTRA
 * changes the number of extra calls, to see how the throughput depends
 * on the server's work per message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

static void send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			bench_die("server send: %s", strerror(errno));
		buf += n;
		len -= n;
	}
}

/*
 * @maxevents: sockets taken per epoll_wait(); @extra: system calls made
 * per ready socket besides recv and send.
 */
static void epoll_serve(struct echo_server *es, int maxevents, int extra)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[ECHO_MAX_CONNS];
	static __thread char buf[65536];
	int ep, i, j, k, n, alive = es->n, fd;
	ssize_t got;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		bench_die("epoll_create1: %s", strerror(errno));
	for (i = 0; i < es->n; i++) {
		fd = es->fds[i];
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			bench_die("epoll_ctl: %s", strerror(errno));
	}
	while (alive > 0) {
		n = epoll_wait(ep, evs, maxevents, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			bench_die("epoll_wait: %s", strerror(errno));
		for (k = 0; k < n; k++) {
			fd = evs[k].data.fd;
			for (j = 0; j < extra; j++)
				getppid();
			got = recv(fd, buf, sizeof(buf), 0);
			if (got > 0) {
				send_all(fd, buf, got);
			} else if (got == 0 || errno == ECONNRESET) {
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				alive--;
			} else if (errno != EAGAIN && errno != EINTR) {
				bench_die("server recv: %s", strerror(errno));
			}
		}
	}
	close(ep);
}

static void *epoll_server(void *arg)
{
	epoll_serve(arg, ECHO_MAX_CONNS, 0);
	return NULL;
}

static void *shaped_server(void *arg)
{
	epoll_serve(arg, 1, bench_cfg.shaped_extra);
	return NULL;
}

static void *latency_setup(void *arg)
{
	(void)arg;
	return echo_setup(1, epoll_server);
}

static void *tput_setup(void *arg)
{
	(void)arg;
	return echo_setup(ECHO_MAX_CONNS, epoll_server);
}

static void *shaped_tput_setup(void *arg)
{
	(void)arg;
	return echo_setup(ECHO_MAX_CONNS, shaped_server);
}

const struct bench_impl lx_impl_epoll_latency = {
	"epoll", latency_setup, echo_run_latency, echo_teardown, NULL
};

const struct bench_impl lx_impl_epoll_tput = {
	"epoll", tput_setup, echo_run_tput, echo_teardown, NULL
};

/* send + recv on a connection whose receiving end is in an epoll set. */
struct sendrecv {
	int a, b, ep;
};

static void *sendrecv_setup(void *arg)
{
	struct sendrecv *p = calloc(1, sizeof(*p));
	struct epoll_event ev = { .events = EPOLLIN };

	(void)arg;
	lx_tcp_pairs(1, &p->a, &p->b);
	fcntl(p->b, F_SETFL, fcntl(p->b, F_GETFL) | O_NONBLOCK);
	p->ep = epoll_create1(EPOLL_CLOEXEC);
	if (p->ep < 0 || epoll_ctl(p->ep, EPOLL_CTL_ADD, p->b, &ev))
		bench_die("epoll: %s", strerror(errno));
	return p;
}

static void sendrecv_run(void *st, long iters)
{
	struct sendrecv *p = st;
	char buf[65536] = { 0 };
	ssize_t size = bench_cfg.msg_size, got;
	long i;

	for (i = 0; i < iters; i++) {
		if (send(p->a, buf, size, MSG_NOSIGNAL) != size)
			bench_die("send: %s", strerror(errno));
		/* Rarely, the loopback delivery is late: retry then. */
		while ((got = recv(p->b, buf, sizeof(buf), 0)) < 0 &&
		       errno == EAGAIN)
			;
		if (got != size)
			bench_die("recv: %s", strerror(errno));
	}
}

static void sendrecv_teardown(void *st)
{
	struct sendrecv *p = st;

	close(p->a);
	close(p->b);
	close(p->ep);
	free(p);
}

const struct bench_impl lx_impl_sendrecv = {
	"Linux send+recv, in an epoll set", sendrecv_setup, sendrecv_run,
	sendrecv_teardown, NULL
};

const struct bench_impl lx_impl_epoll_shaped_tput = {
	"Winsock-shaped epoll", shaped_tput_setup, echo_run_tput,
	echo_teardown, NULL
};
