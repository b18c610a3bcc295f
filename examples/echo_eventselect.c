// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * echo_eventselect - an event-select echo server and its client.
 *
 * Written the way a Windows programmer writes Winsock code: <winsock2.h>
 * and nothing from Linux but a thread (pthreads, as Linux has no
 * CreateThread).
 *
 * The server is the classic WSAEventSelect loop: one thread, one event
 * per socket, up to WSA_MAXIMUM_WAIT_EVENTS (64) of them in one
 * WSAWaitForMultipleEvents call: a "stop" event, the listening socket
 * (FD_ACCEPT) and the connections (FD_READ, FD_WRITE, FD_CLOSE).  A
 * connection's data is echoed back; when the peer's receive window is
 * full, send() fails with WSAEWOULDBLOCK and the rest goes out at the next
 * FD_WRITE.  When the client has shut its side down (FD_CLOSE) the server
 * echoes what is left and closes.
 *
 * The client (the main thread) connects N sockets over loopback, sends
 * every connection a series of messages, some bigger than its small
 * receive buffer so that the server must wait for FD_WRITE, checks each
 * echo byte for byte, shuts down and waits for the server's close.
 *
 *   echo_eventselect [connections (1-62, default 32)] [rounds (default 20)]
 *
 * Exit status 0 when every echo came back intact and the server served
 * every connection, 1 otherwise.
 */
#include <winsock2.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLIENTS	(WSA_MAXIMUM_WAIT_EVENTS - 2)	/* + stop + listener */
#define BUF_SIZE	65536
#define BIG_MESSAGE	32768
/* A bound for anything that must happen; generous for slow emulators. */
#define TIMEOUT_MS	20000

/* ------------------------------------------------------------------ */
/* The server.                                                         */

struct connection {
	char buf[BUF_SIZE];
	int len;		/* bytes in buf */
	int off;		/* bytes of buf already echoed */
	BOOL peer_closed;	/* FD_CLOSE seen */
};

static SOCKET g_sockets[WSA_MAXIMUM_WAIT_EVENTS];
static WSAEVENT g_events[WSA_MAXIMUM_WAIT_EVENTS];
static struct connection *g_conns[WSA_MAXIMUM_WAIT_EVENTS];
static DWORD g_total;

static WSAEVENT g_stop;
static SOCKET g_listener;
static int g_port;

/* What the server did, for the final check. */
static long g_accepted, g_closed, g_echoed, g_would_block, g_errors;

static void remove_slot(DWORD i)
{
	closesocket(g_sockets[i]);
	WSACloseEvent(g_events[i]);
	free(g_conns[i]);
	g_total--;
	g_sockets[i] = g_sockets[g_total];
	g_events[i] = g_events[g_total];
	g_conns[i] = g_conns[g_total];
}

/* Send what is pending; FALSE on a real error. */
static BOOL flush(SOCKET s, struct connection *c)
{
	int ret;

	while (c->off < c->len) {
		ret = send(s, c->buf + c->off, c->len - c->off, 0);
		if (ret == SOCKET_ERROR) {
			if (WSAGetLastError() == WSAEWOULDBLOCK) {
				/* The rest goes at the next FD_WRITE. */
				g_would_block++;
				return TRUE;
			}
			printf("server: send failed: %d\n", WSAGetLastError());
			return FALSE;
		}
		c->off += ret;
		g_echoed += ret;
	}
	c->off = c->len = 0;
	return TRUE;
}

/*
 * Read and echo while nothing is pending.  recv() re-enables FD_READ, so
 * data left in the socket is reported again; data not read because
 * output is pending is read after the FD_WRITE that flushes it.
 */
static BOOL pump(SOCKET s, struct connection *c)
{
	int ret;

	while (c->len == 0) {
		ret = recv(s, c->buf, BUF_SIZE, 0);
		if (ret == 0)
			return TRUE;		/* the peer is done */
		if (ret == SOCKET_ERROR) {
			if (WSAGetLastError() == WSAEWOULDBLOCK)
				return TRUE;
			printf("server: recv failed: %d\n", WSAGetLastError());
			return FALSE;
		}
		c->len = ret;
		c->off = 0;
		if (!flush(s, c))
			return FALSE;
		if (!c->peer_closed)
			break;		/* FD_READ says when there is more */
	}
	return TRUE;
}

static void accept_connection(void)
{
	SOCKET s;
	WSAEVENT ev;

	s = accept(g_listener, NULL, NULL);
	if (s == INVALID_SOCKET) {
		if (WSAGetLastError() != WSAEWOULDBLOCK) {
			printf("server: accept failed: %d\n", WSAGetLastError());
			g_errors++;
		}
		return;
	}
	if (g_total == WSA_MAXIMUM_WAIT_EVENTS) {
		printf("server: too many connections\n");
		closesocket(s);
		g_errors++;
		return;
	}
	ev = WSACreateEvent();
	if (ev == WSA_INVALID_EVENT ||
	    WSAEventSelect(s, ev, FD_READ | FD_WRITE | FD_CLOSE) == SOCKET_ERROR) {
		printf("server: cannot select the new socket: %d\n",
		       WSAGetLastError());
		closesocket(s);
		if (ev != WSA_INVALID_EVENT)
			WSACloseEvent(ev);
		g_errors++;
		return;
	}
	g_sockets[g_total] = s;
	g_events[g_total] = ev;
	g_conns[g_total] = calloc(1, sizeof(struct connection));
	g_total++;
	g_accepted++;
}

/* Handle the network events of connection @i; FALSE when it is gone. */
static BOOL serve(DWORD i)
{
	WSANETWORKEVENTS ne;
	struct connection *c = g_conns[i];
	SOCKET s = g_sockets[i];
	BOOL ok = TRUE;

	if (WSAEnumNetworkEvents(s, g_events[i], &ne) == SOCKET_ERROR) {
		printf("server: WSAEnumNetworkEvents failed: %d\n",
		       WSAGetLastError());
		g_errors++;
		remove_slot(i);
		return FALSE;
	}
	if (ne.lNetworkEvents & FD_WRITE) {
		if (ne.iErrorCode[FD_WRITE_BIT])
			ok = FALSE;
		else
			ok = flush(s, c) && pump(s, c);
	}
	if (ok && (ne.lNetworkEvents & FD_READ)) {
		if (ne.iErrorCode[FD_READ_BIT])
			ok = FALSE;
		else
			ok = pump(s, c);
	}
	if (ok && (ne.lNetworkEvents & FD_CLOSE)) {
		if (ne.iErrorCode[FD_CLOSE_BIT]) {
			printf("server: connection aborted: %d\n",
			       ne.iErrorCode[FD_CLOSE_BIT]);
			ok = FALSE;
		} else {
			c->peer_closed = TRUE;
			ok = pump(s, c);
		}
	}
	if (!ok)
		g_errors++;
	/* Done once the peer closed and everything went back. */
	if (!ok || (c->peer_closed && c->len == 0)) {
		if (ok)
			g_closed++;
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
		 * every later one that is signaled too, so that no socket
		 * starves.
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
	 * echo of a big message fills them and must wait for FD_WRITE.
	 */
	setsockopt(g_listener, SOL_SOCKET, SO_SNDBUF, (char *)&sndbuf,
		   sizeof(sndbuf));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	if (bind(g_listener, (struct sockaddr *)&addr, sizeof(addr)) == SOCKET_ERROR ||
	    getsockname(g_listener, (struct sockaddr *)&addr, &len) == SOCKET_ERROR ||
	    listen(g_listener, SOMAXCONN) == SOCKET_ERROR) {
		printf("bind/listen failed: %d\n", WSAGetLastError());
		return FALSE;
	}
	g_port = ntohs(addr.sin_port);

	g_stop = WSACreateEvent();
	g_events[0] = g_stop;
	g_sockets[0] = INVALID_SOCKET;
	g_events[1] = WSACreateEvent();
	g_sockets[1] = g_listener;
	if (g_stop == WSA_INVALID_EVENT || g_events[1] == WSA_INVALID_EVENT ||
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
		buf[i] = (char)('A' + (conn * 7 + round * 13 + i) % 26);
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
	/* The last round sends more than the client's receive buffer. */
	if (round == rounds - 1)
		return BIG_MESSAGE;
	return 1 + (conn * 131 + round * 977) % 4000;
}

int main(int argc, char **argv)
{
	static SOCKET clients[MAX_CLIENTS];
	static char out[BIG_MESSAGE], in[BIG_MESSAGE];
	struct sockaddr_in addr;
	pthread_t thread;
	WSADATA wsaData;
	DWORD timeout = TIMEOUT_MS;
	int nclients = 32, rounds = 20, rcvbuf = 4096;
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
	printf("echo server on 127.0.0.1:%d, %d connections, %d rounds\n",
	       g_port, nclients, rounds);

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
		for (i = 0; i < nclients && !failures; i++) {
			len = message_size(i, r, rounds);
			fill(out, len, i, r);
			if (!send_all(clients[i], out, len))
				failures++;
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

	/* Done: the server echoes what is left, then closes. */
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
	WSASetEvent(g_stop);
	pthread_join(thread, NULL);
	closesocket(g_listener);
	WSACloseEvent(g_events[1]);
	WSACloseEvent(g_stop);

	printf("server: %ld accepted, %ld closed, %ld bytes echoed, "
	       "%ld sends waited for FD_WRITE, %ld errors\n",
	       g_accepted, g_closed, g_echoed, g_would_block, g_errors);
	if (g_accepted != nclients || g_closed != nclients || g_errors)
		failures++;
	if (g_would_block == 0) {
		printf("the FD_WRITE path was never taken\n");
		failures++;
	}
	if (WSACleanup() == SOCKET_ERROR)
		failures++;
	printf("%s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
