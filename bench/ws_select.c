// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent benchmarks: the WSAEventSelect echo server, written as the
 * Windows textbook server is: one event per socket selected for
 * FD_READ | FD_CLOSE, WSAWaitForMultipleEvents on all of them,
 * WSAEnumNetworkEvents on the one it returns (which also resets its
 * event), then recv and send.  Its sockets come from the library's
 * accept().
 */
#include <stdlib.h>

#include <winsock2.h>
#include <wsaevent.h>

#include "bench.h"
#include "ws_bench.h"

static void send_all(SOCKET s, const char *buf, int len)
{
	int n;

	while (len > 0) {
		n = send(s, buf, len, 0);
		if (n == SOCKET_ERROR) {
			/* Selected sockets are non-blocking: retry. */
			if (WSAGetLastError() == WSAEWOULDBLOCK)
				continue;
			bench_die("server send: error %d", WSAGetLastError());
		}
		buf += n;
		len -= n;
	}
}

static void *select_server(void *arg)
{
	struct echo_server *es = arg;
	SOCKET s[WSA_MAXIMUM_WAIT_EVENTS];
	WSAEVENT ev[WSA_MAXIMUM_WAIT_EVENTS];
	WSANETWORKEVENTS ne;
	static __thread char buf[65536];
	int n = es->n, i, got;
	DWORD r;

	for (i = 0; i < n; i++) {
		s[i] = es->fds[i];
		ev[i] = WSACreateEvent();
		if (ev[i] == WSA_INVALID_EVENT ||
		    WSAEventSelect(s[i], ev[i], FD_READ | FD_CLOSE))
			bench_die("WSAEventSelect: error %d", WSAGetLastError());
	}
	while (n > 0) {
		r = WSAWaitForMultipleEvents(n, ev, FALSE, WSA_INFINITE, FALSE);
		if (r >= WSA_WAIT_EVENT_0 + n)
			bench_die("WSAWaitForMultipleEvents: %u, error %d", r,
				  WSAGetLastError());
		i = r - WSA_WAIT_EVENT_0;
		if (WSAEnumNetworkEvents(s[i], ev[i], &ne))
			bench_die("WSAEnumNetworkEvents: error %d",
				  WSAGetLastError());
		if (ne.lNetworkEvents & FD_READ) {
			got = recv(s[i], buf, sizeof(buf), 0);
			if (got > 0)
				send_all(s[i], buf, got);
			else if (got == SOCKET_ERROR &&
				 WSAGetLastError() != WSAEWOULDBLOCK)
				bench_die("server recv: error %d",
					  WSAGetLastError());
		}
		if (ne.lNetworkEvents & FD_CLOSE) {
			closesocket(s[i]);
			WSACloseEvent(ev[i]);
			n--;
			s[i] = s[n];
			ev[i] = ev[n];
		}
	}
	return NULL;
}

static void *latency_setup(void *arg)
{
	(void)arg;
	return echo_setup_accept(1, select_server, ws_accept);
}

static void *tput_setup(void *arg)
{
	(void)arg;
	return echo_setup_accept(ECHO_MAX_CONNS, select_server, ws_accept);
}

const struct bench_impl ws_impl_select_latency = {
	"WSAEventSelect", latency_setup, echo_run_latency, echo_teardown, NULL
};

const struct bench_impl ws_impl_select_tput = {
	"WSAEventSelect", tput_setup, echo_run_tput, echo_teardown, NULL
};

/*
 * The calls alone: send on one end of a loopback connection and recv on
 * the other, which is selected (FD_READ | FD_CLOSE) as in the server;
 * nobody sleeps.  lx_epoll.c has the Linux counterpart.
 */
struct sendrecv {
	int a, b;
	WSAEVENT ev;
};

static void *sendrecv_setup(void *arg)
{
	struct sendrecv *p = calloc(1, sizeof(*p));

	(void)arg;
	lx_tcp_pairs_accept(1, &p->a, &p->b, ws_accept);
	p->ev = WSACreateEvent();
	if (p->ev == WSA_INVALID_EVENT ||
	    WSAEventSelect(p->b, p->ev, FD_READ | FD_CLOSE))
		bench_die("WSAEventSelect: error %d", WSAGetLastError());
	return p;
}

static void sendrecv_run(void *st, long iters)
{
	struct sendrecv *p = st;
	char buf[65536] = { 0 };
	int size = bench_cfg.msg_size, got;
	long i;

	for (i = 0; i < iters; i++) {
		if (send(p->a, buf, size, 0) != size)
			bench_die("send: error %d", WSAGetLastError());
		/* Rarely, the loopback delivery is late: retry then. */
		do
			got = recv(p->b, buf, sizeof(buf), 0);
		while (got == SOCKET_ERROR &&
		       WSAGetLastError() == WSAEWOULDBLOCK);
		if (got != size)
			bench_die("recv: %d, error %d", got, WSAGetLastError());
	}
}

static void sendrecv_teardown(void *st)
{
	struct sendrecv *p = st;

	closesocket(p->a);
	closesocket(p->b);
	WSACloseEvent(p->ev);
	free(p);
}

const struct bench_impl ws_impl_sendrecv = {
	"libwsaevent send+recv, selected", sendrecv_setup, sendrecv_run,
	sendrecv_teardown, NULL
};
