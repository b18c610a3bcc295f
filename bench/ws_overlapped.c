// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent benchmarks: the overlapped echo server through libwsaevent,
 * written as the WSARecv documentation's sample is: each connection has
 * a receive posted with its own manual-reset event in the WSAOVERLAPPED;
 * WSAWaitForMultipleEvents on the events, WSAGetOverlappedResult, then
 * WSAResetEvent, the echo as an overlapped WSASend, and the next WSARecv.
 * Its sockets come from the library's accept().
 */
#include <stdlib.h>
#include <string.h>

#include <winsock2.h>
#include <wsaevent.h>

#include "bench.h"
#include "ws_bench.h"

#define BUF_SIZE	16384

struct conn {
	SOCKET s;
	WSAEVENT ev, send_ev;
	WSAOVERLAPPED recv_ov, send_ov;
	char buf[BUF_SIZE];
};

/* WSASend of what was received; a 64-byte send completes at once. */
static void echo(struct conn *c, DWORD len)
{
	WSABUF wb = { len, c->buf };
	DWORD sent = 0, flags = 0;

	memset(&c->send_ov, 0, sizeof(c->send_ov));
	c->send_ov.hEvent = c->send_ev;
	if (WSASend(c->s, &wb, 1, &sent, 0, &c->send_ov, NULL)) {
		if (WSAGetLastError() != WSA_IO_PENDING ||
		    !WSAGetOverlappedResult(c->s, &c->send_ov, &sent, TRUE,
					    &flags))
			bench_die("WSASend: error %d", WSAGetLastError());
		WSAResetEvent(c->send_ev);
	}
	if (sent != len)
		bench_die("WSASend: %u of %u bytes", sent, len);
}

/*
 * Post the next receive; while receives complete at once, echo them.
 * Returns 0 when the connection reached end of file.
 */
static int post_recv(struct conn *c)
{
	WSABUF rb = { BUF_SIZE, c->buf };
	DWORD got, flags;

	for (;;) {
		memset(&c->recv_ov, 0, sizeof(c->recv_ov));
		c->recv_ov.hEvent = c->ev;
		flags = 0;
		if (WSARecv(c->s, &rb, 1, &got, &flags, &c->recv_ov, NULL)) {
			if (WSAGetLastError() == WSA_IO_PENDING)
				return 1;
			return 0;	/* reset */
		}
		/* Completed at once: its event is set too. */
		WSAResetEvent(c->ev);
		if (!got)
			return 0;
		echo(c, got);
	}
}

static void conn_close(struct conn *c)
{
	closesocket(c->s);
	WSACloseEvent(c->ev);
	WSACloseEvent(c->send_ev);
}

static void *overlapped_server(void *arg)
{
	struct echo_server *es = arg;
	struct conn *conns = calloc(es->n, sizeof(*conns));
	WSAEVENT evs[WSA_MAXIMUM_WAIT_EVENTS];
	int map[WSA_MAXIMUM_WAIT_EVENTS];
	DWORD r, got, flags;
	int n = 0, i, k;
	struct conn *c;

	if (!conns)
		bench_die("out of memory");
	for (i = 0; i < es->n; i++) {
		c = &conns[i];
		c->s = es->fds[i];
		c->ev = WSACreateEvent();
		c->send_ev = WSACreateEvent();
		if (c->ev == WSA_INVALID_EVENT || c->send_ev == WSA_INVALID_EVENT)
			bench_die("WSACreateEvent: error %d", WSAGetLastError());
		if (post_recv(c)) {
			evs[n] = c->ev;
			map[n++] = i;
		} else {
			conn_close(c);
		}
	}
	while (n > 0) {
		r = WSAWaitForMultipleEvents(n, evs, FALSE, WSA_INFINITE, FALSE);
		if (r >= WSA_WAIT_EVENT_0 + (DWORD)n)
			bench_die("WSAWaitForMultipleEvents: %u, error %d", r,
				  WSAGetLastError());
		k = r - WSA_WAIT_EVENT_0;
		c = &conns[map[k]];
		if (!WSAGetOverlappedResult(c->s, &c->recv_ov, &got, FALSE,
					    &flags)) {
			if (WSAGetLastError() == WSA_IO_INCOMPLETE)
				continue;	/* not this one's completion */
			got = 0;		/* reset: close */
		}
		WSAResetEvent(c->ev);
		if (got) {
			echo(c, got);
			if (post_recv(c))
				continue;
		}
		conn_close(c);
		n--;
		evs[k] = evs[n];
		map[k] = map[n];
	}
	free(conns);
	return NULL;
}

static void *latency_setup(void *arg)
{
	(void)arg;
	return echo_setup_accept(1, overlapped_server, ws_accept);
}

static void *tput_setup(void *arg)
{
	(void)arg;
	return echo_setup_accept(ECHO_MAX_CONNS, overlapped_server, ws_accept);
}

const struct bench_impl ws_impl_overlapped_latency = {
	"WSARecv/WSASend", latency_setup, echo_run_latency, echo_teardown,
	NULL
};

const struct bench_impl ws_impl_overlapped_tput = {
	"WSARecv/WSASend", tput_setup, echo_run_tput, echo_teardown, NULL
};
