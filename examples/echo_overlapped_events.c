// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * echo_overlapped_events - an overlapped echo server driven by events,
 * and its client.
 *
 * Written the way a Windows programmer writes Winsock code: <winsock2.h>
 * and nothing from Linux but a thread (pthreads, as Linux has no
 * CreateThread).
 *
 * The server is the classic overlapped loop: one thread, one event per
 * connection (its WSAOVERLAPPED's hEvent), up to WSA_MAXIMUM_WAIT_EVENTS
 * (64) of them in one WSAWaitForMultipleEvents call, with a "stop" event
 * and the listening socket's (FD_ACCEPT).  Each connection always has
 * exactly one operation outstanding: a WSARecv into two buffers
 * (scatter), then a WSASend of what came (gather), then the next
 * WSARecv...  Starting an operation resets its event, its completion
 * sets it, and WSAGetOverlappedResult tells how many bytes moved.  A
 * receive of 0 bytes is the client's shutdown: the server closes.
 *
 * The client (the main thread) connects N sockets over loopback, sends
 * every connection a series of messages, the last ones bigger than the
 * small socket buffers so that the server's sends must pend until the
 * client reads (WSA_IO_PENDING), checks each echo byte for byte, shuts
 * down and waits for the server's close.
 *
 *   echo_overlapped_events [connections (1-62, default 32)] [rounds (default 12)]
 *
 * Exit status 0 when every echo came back intact and the server served
 * every connection, with some sends pending, 1 otherwise.
 */
#include <winsock2.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLIENTS	(WSA_MAXIMUM_WAIT_EVENTS - 2)	/* + stop + listener */
#define HEAD_SIZE	512		/* the first receive buffer */
#define BUF_SIZE	32768		/* both receive buffers together */
#define BIG_MESSAGE	65536
/* A bound for anything that must happen; generous for slow emulators. */
#define TIMEOUT_MS	20000

/* ------------------------------------------------------------------ */
/* The server.                                                         */

struct connection {
	WSAOVERLAPPED ov;	/* ov.hEvent is the connection's event */
	SOCKET s;
	BOOL sending;		/* the outstanding operation is a send */
	WSABUF wsabuf[2];
	DWORD len;		/* bytes being echoed */
	char head[HEAD_SIZE];
	char body[BUF_SIZE - HEAD_SIZE];
};

/* Slot 0: stop, slot 1: the listener, then the connections. */
static WSAEVENT g_events[WSA_MAXIMUM_WAIT_EVENTS];
static struct connection *g_conns[WSA_MAXIMUM_WAIT_EVENTS];
static DWORD g_total;

static SOCKET g_listener;
static int g_port;

/* What the server did, for the final check. */
static long g_accepted, g_closed, g_echoed, g_send_pending, g_recv_pending,
	g_errors;

static void remove_slot(DWORD i)
{
	struct connection *c = g_conns[i];

	/* Cancels an operation still outstanding (not after a completion). */
	closesocket(c->s);
	WSACloseEvent(c->ov.hEvent);
	free(c);
	g_total--;
	g_events[i] = g_events[g_total];
	g_conns[i] = g_conns[g_total];
}

/* Start the next receive; FALSE on an error. */
static BOOL post_recv(struct connection *c)
{
	DWORD flags = 0;

	c->sending = FALSE;
	c->wsabuf[0].buf = c->head;
	c->wsabuf[0].len = HEAD_SIZE;
	c->wsabuf[1].buf = c->body;
	c->wsabuf[1].len = sizeof(c->body);
	/* Resets the event; whenever it completes, the event is set. */
	if (WSARecv(c->s, c->wsabuf, 2, NULL, &flags, &c->ov, NULL) == 0)
		return TRUE;
	if (WSAGetLastError() == WSA_IO_PENDING) {
		g_recv_pending++;
		return TRUE;
	}
	printf("server: WSARecv failed: %d\n", WSAGetLastError());
	return FALSE;
}

/* Echo the @len bytes just received, from the same two buffers. */
static BOOL post_send(struct connection *c, DWORD len)
{
	c->sending = TRUE;
	c->len = len;
	if (len <= HEAD_SIZE) {
		c->wsabuf[0].len = len;
		c->wsabuf[1].len = 0;
	} else {
		c->wsabuf[1].len = len - HEAD_SIZE;
	}
	if (WSASend(c->s, c->wsabuf, 2, NULL, 0, &c->ov, NULL) == 0)
		return TRUE;
	if (WSAGetLastError() == WSA_IO_PENDING) {
		g_send_pending++;
		return TRUE;
	}
	printf("server: WSASend failed: %d\n", WSAGetLastError());
	return FALSE;
}

static void accept_connection(void)
{
	struct connection *c;
	SOCKET s;

	s = accept(g_listener, NULL, NULL);
	if (s == INVALID_SOCKET) {
		if (WSAGetLastError() != WSAEWOULDBLOCK) {
			printf("server: accept failed: %d\n", WSAGetLastError());
			g_errors++;
		}
		return;
	}
	/* It inherited the listener's event selection: drop it. */
	WSAEventSelect(s, NULL, 0);
	c = calloc(1, sizeof(*c));
	if (g_total == WSA_MAXIMUM_WAIT_EVENTS || !c) {
		printf("server: too many connections\n");
		closesocket(s);
		free(c);
		g_errors++;
		return;
	}
	c->s = s;
	c->ov.hEvent = WSACreateEvent();
	if (c->ov.hEvent == WSA_INVALID_EVENT) {
		printf("server: WSACreateEvent failed: %d\n", WSAGetLastError());
		closesocket(s);
		free(c);
		g_errors++;
		return;
	}
	g_events[g_total] = c->ov.hEvent;
	g_conns[g_total] = c;
	g_total++;
	g_accepted++;
	if (!post_recv(c)) {
		g_errors++;
		remove_slot(g_total - 1);
	}
}

/* The operation of connection @i completed; FALSE when it is gone. */
static BOOL serve(DWORD i)
{
	struct connection *c = g_conns[i];
	DWORD n, flags;
	BOOL ok;

	if (!WSAGetOverlappedResult(c->s, &c->ov, &n, FALSE, &flags)) {
		printf("server: %s failed: %d\n", c->sending ? "send" : "receive",
		       WSAGetLastError());
		g_errors++;
		remove_slot(i);
		return FALSE;
	}
	if (c->sending) {
		/* An overlapped send completes once all of it went out. */
		if (n != c->len) {
			printf("server: short send %u of %u\n", (unsigned int)n,
			       (unsigned int)c->len);
			ok = FALSE;
		} else {
			g_echoed += n;
			ok = post_recv(c);
		}
	} else if (n == 0) {
		/* The client shut its side down: everything went back. */
		g_closed++;
		remove_slot(i);
		return FALSE;
	} else {
		ok = post_send(c, n);
	}
	if (!ok) {
		g_errors++;
		remove_slot(i);
		return FALSE;
	}
	return TRUE;
}

static void *server_thread(void *arg)
{
	WSANETWORKEVENTS ne;
	DWORD ret, i;

	(void)arg;
	for (;;) {
		ret = WSAWaitForMultipleEvents(g_total, g_events, FALSE,
					       TIMEOUT_MS, FALSE);
		if (ret == WSA_WAIT_FAILED || ret == WSA_WAIT_TIMEOUT) {
			printf("server: wait failed (%u, error %d)\n",
			       (unsigned int)ret, WSAGetLastError());
			g_errors++;
			break;
		}
		/*
		 * The lowest signaled index comes back; look at it and at
		 * every later one that is signaled too, so that no
		 * connection starves.
		 */
		for (i = ret - WSA_WAIT_EVENT_0; i < g_total; i++) {
			if (WSAWaitForMultipleEvents(1, &g_events[i], FALSE, 0,
						     FALSE) != WSA_WAIT_EVENT_0)
				continue;
			if (i == 0)
				goto stop;
			if (i == 1) {
				if (WSAEnumNetworkEvents(g_listener, g_events[1],
							 &ne) == SOCKET_ERROR) {
					g_errors++;
					goto stop;
				}
				if (ne.lNetworkEvents & FD_ACCEPT)
					accept_connection();
				continue;
			}
			/* A removed slot takes the last one: look again. */
			if (!serve(i))
				i--;
		}
	}
stop:
	while (g_total > 2)
		remove_slot(g_total - 1);
	return NULL;
}

static BOOL start_server(pthread_t *thread)
{
	struct sockaddr_in addr;
	int len = sizeof(addr), sndbuf = 4096;

	g_listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	if (g_listener == INVALID_SOCKET) {
		printf("socket failed: %d\n", WSAGetLastError());
		return FALSE;
	}
	/*
	 * Small send buffers (accepted sockets inherit the listener's): the
	 * echo of a big message must wait for the client to read.
	 */
	setsockopt(g_listener, SOL_SOCKET, SO_SNDBUF, (char *)&sndbuf,
		   sizeof(sndbuf));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(g_listener, (struct sockaddr *)&addr, sizeof(addr)) == SOCKET_ERROR ||
	    getsockname(g_listener, (struct sockaddr *)&addr, &len) == SOCKET_ERROR ||
	    listen(g_listener, SOMAXCONN) == SOCKET_ERROR) {
		printf("bind/listen failed: %d\n", WSAGetLastError());
		return FALSE;
	}
	g_port = ntohs(addr.sin_port);

	g_events[0] = WSACreateEvent();
	g_events[1] = WSACreateEvent();
	if (g_events[0] == WSA_INVALID_EVENT || g_events[1] == WSA_INVALID_EVENT ||
	    WSAEventSelect(g_listener, g_events[1], FD_ACCEPT) == SOCKET_ERROR) {
		printf("WSAEventSelect failed: %d\n", WSAGetLastError());
		return FALSE;
	}
	g_total = 2;
	return pthread_create(thread, NULL, server_thread, NULL) == 0;
}

/* ------------------------------------------------------------------ */
/* The client.                                                         */

static int failures;

static void fill(char *buf, int len, int conn, int round)
{
	int i;

	for (i = 0; i < len; i++)
		buf[i] = (char)('a' + (conn * 5 + round * 11 + i) % 26);
}

static BOOL send_all(SOCKET s, const char *buf, int len)
{
	int ret;

	while (len > 0) {
		ret = send(s, buf, len, 0);
		if (ret == SOCKET_ERROR) {
			printf("client: send failed: %d\n", WSAGetLastError());
			return FALSE;
		}
		buf += ret;
		len -= ret;
	}
	return TRUE;
}

static BOOL recv_all(SOCKET s, char *buf, int len)
{
	int ret;

	while (len > 0) {
		ret = recv(s, buf, len, 0);
		if (ret == 0 || ret == SOCKET_ERROR) {
			printf("client: recv failed: %d (%d)\n", ret,
			       WSAGetLastError());
			return FALSE;
		}
		buf += ret;
		len -= ret;
	}
	return TRUE;
}

static int message_size(int conn, int round, int rounds)
{
	/* The last rounds send more than the socket buffers hold. */
	if (round >= rounds - 2)
		return BIG_MESSAGE - conn * 97;
	return 1 + (conn * 131 + round * 977) % 3000;
}

int main(int argc, char **argv)
{
	static SOCKET clients[MAX_CLIENTS];
	static char out[BIG_MESSAGE], in[BIG_MESSAGE];
	struct sockaddr_in addr;
	pthread_t thread;
	WSADATA wsaData;
	DWORD timeout = TIMEOUT_MS;
	int nclients = 32, rounds = 12, rcvbuf = 4096;
	long total = 0;
	int i, r, len, ret;

	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i] = INVALID_SOCKET;
	if (argc > 1)
		nclients = atoi(argv[1]);
	if (argc > 2)
		rounds = atoi(argv[2]);
	if (nclients < 1 || nclients > MAX_CLIENTS || rounds < 1) {
		printf("usage: %s [connections (1-%d)] [rounds]\n", argv[0],
		       MAX_CLIENTS);
		return 1;
	}

	ret = WSAStartup(MAKEWORD(2, 2), &wsaData);
	if (ret != 0) {
		printf("WSAStartup failed: %d\n", ret);
		return 1;
	}
	if (!start_server(&thread)) {
		WSACleanup();
		return 1;
	}
	printf("overlapped echo server (events) on 127.0.0.1:%d, "
	       "%d connections, %d rounds\n", g_port, nclients, rounds);

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = inet_addr("127.0.0.1");
	addr.sin_port = htons((u_short)g_port);
	for (i = 0; i < nclients; i++) {
		clients[i] = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
		if (clients[i] == INVALID_SOCKET) {
			printf("client: socket failed: %d\n", WSAGetLastError());
			failures++;
			goto out;
		}
		/* Small: the server's echo of a big message must wait. */
		setsockopt(clients[i], SOL_SOCKET, SO_RCVBUF, (char *)&rcvbuf,
			   sizeof(rcvbuf));
		setsockopt(clients[i], SOL_SOCKET, SO_RCVTIMEO, (char *)&timeout,
			   sizeof(timeout));
		if (connect(clients[i], (struct sockaddr *)&addr,
			    sizeof(addr)) == SOCKET_ERROR) {
			printf("client: connect failed: %d\n", WSAGetLastError());
			failures++;
			goto out;
		}
	}

	for (r = 0; r < rounds && !failures; r++) {
		/* Everyone sends first, then reads: the echoes pile up. */
		for (i = 0; i < nclients && !failures; i++) {
			len = message_size(i, r, rounds);
			fill(out, len, i, r);
			if (!send_all(clients[i], out, len))
				failures++;
			total += len;
		}
		for (i = 0; i < nclients && !failures; i++) {
			len = message_size(i, r, rounds);
			fill(out, len, i, r);
			if (!recv_all(clients[i], in, len)) {
				failures++;
			} else if (memcmp(in, out, len)) {
				printf("client: connection %d round %d: "
				       "wrong echo\n", i, r);
				failures++;
			}
		}
	}

	/* Done: the server sees the end of the stream and closes. */
	for (i = 0; i < nclients && !failures; i++) {
		char byte;

		if (shutdown(clients[i], SD_SEND) == SOCKET_ERROR) {
			printf("client: shutdown failed: %d\n", WSAGetLastError());
			failures++;
		} else if ((ret = recv(clients[i], &byte, 1, 0)) != 0) {
			printf("client: expected the server's close, got %d "
			       "(%d)\n", ret, WSAGetLastError());
			failures++;
		}
	}

out:
	for (i = 0; i < nclients; i++)
		if (clients[i] != INVALID_SOCKET)
			closesocket(clients[i]);
	WSASetEvent(g_events[0]);
	pthread_join(thread, NULL);
	closesocket(g_listener);
	WSACloseEvent(g_events[1]);
	WSACloseEvent(g_events[0]);

	printf("server: %ld accepted, %ld closed, %ld bytes echoed, "
	       "%ld receives and %ld sends pended, %ld errors\n",
	       g_accepted, g_closed, g_echoed, g_recv_pending, g_send_pending,
	       g_errors);
	if (g_accepted != nclients || g_closed != nclients || g_errors ||
	    g_echoed != total)
		failures++;
	if (g_send_pending == 0) {
		printf("no send ever pended\n");
		failures++;
	}
	if (WSACleanup() == SOCKET_ERROR)
		failures++;
	printf("%s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
