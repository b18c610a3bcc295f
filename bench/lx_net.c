// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent benchmarks: loopback TCP connections and the echo clients
 * shared by every server under test (so that only the server differs).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		bench_die("TCP_NODELAY: %s", strerror(errno));
}

void lx_tcp_pairs(int n, int *client, int *server)
{
	lx_tcp_pairs_accept(n, client, server, NULL);
}

void lx_tcp_pairs_accept(int n, int *client, int *server,
			 int (*accept_fn)(int listener))
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int l, i;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (void *)&sa, sizeof(sa)) || listen(l, n + 8) ||
	    getsockname(l, (void *)&sa, &len))
		bench_die("listener: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		client[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (client[i] < 0 ||
		    connect(client[i], (void *)&sa, sizeof(sa)))
			bench_die("connect: %s", strerror(errno));
		server[i] = accept_fn ? accept_fn(l) :
				    accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (server[i] < 0)
			bench_die("accept: %s", strerror(errno));
		nodelay(client[i]);
		nodelay(server[i]);
	}
	close(l);
}

static void send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			bench_die("client send: %s", strerror(errno));
		buf += n;
		len -= n;
	}
}

void lx_client_pingpong(int fd, long iters)
{
	size_t size = bench_cfg.msg_size;
	char buf[65536];
	ssize_t n;
	long i;

	memset(buf, 'x', size);
	for (i = 0; i < iters; i++) {
		send_all(fd, buf, size);
		n = recv(fd, buf, size, MSG_WAITALL);
		if (n != (ssize_t)size)
			bench_die("client recv: %zd (%s)", n, strerror(errno));
	}
}

struct lx_tput_client {
	int ep, n;
	const int *fds;
	size_t *got;	/* bytes of the current reply received */
	char buf[65536];
};

struct lx_tput_client *lx_tput_client_new(const int *fds, int n)
{
	struct lx_tput_client *c = calloc(1, sizeof(*c));
	struct epoll_event ev = { .events = EPOLLIN };
	int i;

	if (!c)
		bench_die("out of memory");
	c->got = calloc(n, sizeof(*c->got));
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!c->got || c->ep < 0)
		bench_die("epoll_create1: %s", strerror(errno));
	c->fds = fds;
	c->n = n;
	for (i = 0; i < n; i++) {
		ev.data.u32 = i;
		if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fds[i], &ev))
			bench_die("epoll_ctl: %s", strerror(errno));
	}
	memset(c->buf, 'y', sizeof(c->buf));
	return c;
}

/*
 * One request outstanding per connection; each complete reply sends the
 * next request, until @iters replies have come back.  The connections
 * stay blocking: a recv only happens after epoll said readable.
 */
void lx_tput_client_run(struct lx_tput_client *c, long iters)
{
	size_t size = bench_cfg.msg_size;
	struct epoll_event evs[64];
	long sent = 0, done = 0;
	int i, k, n;
	ssize_t r;

	for (i = 0; i < c->n && sent < iters; i++, sent++) {
		c->got[i] = 0;
		send_all(c->fds[i], c->buf, size);
	}
	while (done < iters) {
		n = epoll_wait(c->ep, evs, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			bench_die("epoll_wait: %s", strerror(errno));
		for (k = 0; k < n; k++) {
			i = evs[k].data.u32;
			r = recv(c->fds[i], c->buf, size - c->got[i],
				 MSG_DONTWAIT);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0)
				bench_die("client recv: %zd (%s)", r,
					  strerror(errno));
			c->got[i] += r;
			if (c->got[i] < size)
				continue;
			c->got[i] = 0;
			done++;
			if (sent < iters) {
				send_all(c->fds[i], c->buf, size);
				sent++;
			}
		}
	}
}

void lx_tput_client_free(struct lx_tput_client *c)
{
	close(c->ep);
	free(c->got);
	free(c);
}

void lx_close_all(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		shutdown(fds[i], SHUT_RDWR);
		close(fds[i]);
		fds[i] = -1;
	}
}

struct echo_bench {
	int n;
	int client[ECHO_MAX_CONNS];
	int server[ECHO_MAX_CONNS];
	struct echo_server es;
	bench_thread *th;
	struct lx_tput_client *tc;
};

void *echo_setup(int n, void *(*server)(void *))
{
	return echo_setup_priv(n, server, NULL);
}

static void *echo_setup_full(int n, void *(*server)(void *), void *priv,
			     int (*accept_fn)(int listener))
{
	struct echo_bench *eb = calloc(1, sizeof(*eb));

	if (!eb || n < 1 || n > ECHO_MAX_CONNS)
		bench_die("echo_setup: %d connections", n);
	eb->n = n;
	lx_tcp_pairs_accept(n, eb->client, eb->server, accept_fn);
	eb->es.n = n;
	eb->es.fds = eb->server;
	eb->es.priv = priv;
	eb->th = bench_thread_start(server, &eb->es);
	eb->tc = lx_tput_client_new(eb->client, n);
	return eb;
}

void *echo_setup_priv(int n, void *(*server)(void *), void *priv)
{
	return echo_setup_full(n, server, priv, NULL);
}

void *echo_setup_accept(int n, void *(*server)(void *),
			int (*accept_fn)(int listener))
{
	return echo_setup_full(n, server, NULL, accept_fn);
}

void echo_run_latency(void *state, long iters)
{
	struct echo_bench *eb = state;

	lx_client_pingpong(eb->client[0], iters);
}

void echo_run_tput(void *state, long iters)
{
	struct echo_bench *eb = state;

	lx_tput_client_run(eb->tc, iters);
}

void echo_teardown(void *state)
{
	struct echo_bench *eb = state;

	lx_tput_client_free(eb->tc);
	lx_close_all(eb->client, eb->n);
	bench_thread_join(eb->th);
	free(eb);
}
