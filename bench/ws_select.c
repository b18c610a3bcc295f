// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent benchmarks: the WSAEventSelect echo server, written as the
 * Windows textbook server is: one event per socket selected for
 * FD_READ | FD_CLOSE, WSAWaitForMultipleEvents on all of them,
 * WSAEnumNetworkEvents on the one it returns (which also resets its
 * event), then recv and send.
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
	return echo_setup(1, select_server);
}

static void *tput_setup(void *arg)
{
	(void)arg;
	return echo_setup(ECHO_MAX_CONNS, select_server);
}

const struct bench_impl ws_impl_select_latency = {
	"WSAEventSelect", latency_setup, echo_run_latency, echo_teardown, NULL
};

const struct bench_impl ws_impl_select_tput = {
	"WSAEventSelect", tput_setup, echo_run_tput, echo_teardown, NULL
};
