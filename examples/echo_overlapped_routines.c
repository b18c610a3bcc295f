// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * echo_overlapped_routines - an overlapped echo server driven by
 * completion routines, and its client.
 *
 * Written the way a Windows programmer writes Winsock code: <winsock2.h>
 * and nothing from Linux but a thread (pthreads, as Linux has no
 * CreateThread).
 *
 * The server thread posts every WSARecv and WSASend with a completion
 * routine and spends its life in an alertable WSAWaitForMultipleEvents
 * on two events, "stop" and the listening socket's (FD_ACCEPT): when
 * operations complete the wait runs their routines, in this thread, and
 * returns WSA_WAIT_IO_COMPLETION.  The receive routine posts the send of
 * what came, the send routine posts the next receive, so each connection
 * always has one operation outstanding and the server needs no event per
 * connection (hEvent is free for the program: here it points back to the
 * connection).  A receive of 0 bytes is the client's shutdown: the server
 * closes.
 *
 * The client (the main thread) connects N sockets over loopback, sends
 * every connection a series of messages, the last ones bigger than the
 * small socket buffers so that the server's sends must pend until the
 * client reads, checks each echo byte for byte, shuts down and waits for
 * the server's close.
 *
 *   echo_overlapped_routines [connections (default 100)] [rounds (default 12)]
 *
 * Exit status 0 when every echo came back intact and the server served
 * every connection, with some sends pending, 1 otherwise.
 */
#include <winsock2.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLIENTS	200	/* no event per connection: no 64 limit */
#define BUF_SIZE	32768
#define BIG_MESSAGE	65536
/* A bound for anything that must happen; generous for slow emulators. */
#define TIMEOUT_MS	20000

/* ------------------------------------------------------------------ */
/* The server.                                                         */

struct connection {
	WSAOVERLAPPED ov;	/* ov.hEvent: the connection (no event) */
	SOCKET s;
	WSABUF wsabuf;
	DWORD len;		/* bytes being echoed */
	char buf[BUF_SIZE];
};

static WSAEVENT g_events[2];	/* stop, the listener's FD_ACCEPT */
static SOCKET g_listener;
static int g_port;
static int g_open;		/* connections being served */

/* What the server did, for the final check. */
static long g_accepted, g_closed, g_echoed, g_send_pending, g_routines,
	g_errors;

static void CALLBACK recv_done(DWORD dwError, DWORD cbTransferred,
			       LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags);
static void CALLBACK send_done(DWORD dwError, DWORD cbTransferred,
			       LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags);

static void close_connection(struct connection *c)
{
	closesocket(c->s);
	free(c);
	g_open--;
}

static BOOL post_recv(struct connection *c)
{
	DWORD flags = 0;

	c->wsabuf.buf = c->buf;
	c->wsabuf.len = BUF_SIZE;
	/*
	 * 0 (done already) or WSA_IO_PENDING: either way recv_done runs
	 * later, in an alertable wait of this thread, never in here.
	 */
	if (WSARecv(c->s, &c->wsabuf, 1, NULL, &flags, &c->ov, recv_done) == 0 ||
	    WSAGetLastError() == WSA_IO_PENDING)
		return TRUE;
	printf("server: WSARecv failed: %d\n", WSAGetLastError());
	return FALSE;
}

static BOOL post_send(struct connection *c, DWORD len)
{
	c->wsabuf.len = len;
	c->len = len;
	if (WSASend(c->s, &c->wsabuf, 1, NULL, 0, &c->ov, send_done) == 0)
		return TRUE;
	if (WSAGetLastError() == WSA_IO_PENDING) {
		g_send_pending++;
		return TRUE;
	}
	printf("server: WSASend failed: %d\n", WSAGetLastError());
	return FALSE;
}

static void CALLBACK recv_done(DWORD dwError, DWORD cbTransferred,
			       LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
	struct connection *c = (struct connection *)lpOverlapped->hEvent;

	(void)dwFlags;
	g_routines++;
	if (dwError) {
		printf("server: receive failed: %u\n", (unsigned int)dwError);
		g_errors++;
		close_connection(c);
	} else if (cbTransferred == 0) {
		g_closed++;		/* the client is done */
		close_connection(c);
	} else if (!post_send(c, cbTransferred)) {
		g_errors++;
		close_connection(c);
	}
}

static void CALLBACK send_done(DWORD dwError, DWORD cbTransferred,
			       LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
	struct connection *c = (struct connection *)lpOverlapped->hEvent;

	(void)dwFlags;
	g_routines++;
	if (dwError || cbTransferred != c->len) {
		printf("server: send failed: %u (%u of %u bytes)\n",
		       (unsigned int)dwError, (unsigned int)cbTransferred,
		       (unsigned int)c->len);
		g_errors++;
		close_connection(c);
		return;
	}
	g_echoed += cbTransferred;
	if (!post_recv(c)) {
		g_errors++;
		close_connection(c);
	}
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
	if (!c) {
		closesocket(s);
		g_errors++;
		return;
	}
	c->s = s;
	c->ov.hEvent = (WSAEVENT)c;	/* ignored with a routine: ours */
	g_open++;
	g_accepted++;
	if (!post_recv(c)) {
		g_errors++;
		close_connection(c);
	}
}

static void *server_thread(void *arg)
{
	WSANETWORKEVENTS ne;
	DWORD ret;

	(void)arg;
	for (;;) {
		ret = WSAWaitForMultipleEvents(2, g_events, FALSE, TIMEOUT_MS,
					       TRUE);
		if (ret == WSA_WAIT_IO_COMPLETION)
			continue;	/* routines ran */
		if (ret == WSA_WAIT_EVENT_0)
			break;		/* stop */
		if (ret != WSA_WAIT_EVENT_0 + 1) {
			printf("server: wait failed (%u, error %d)\n",
			       (unsigned int)ret, WSAGetLastError());
			g_errors++;
			break;
		}
		if (WSAEnumNetworkEvents(g_listener, g_events[1], &ne) ==
		    SOCKET_ERROR) {
			g_errors++;
			break;
		}
		if (ne.lNetworkEvents & FD_ACCEPT)
			accept_connection();
	}
	/*
	 * Connections still open (after an error): this thread's exit
	 * cancels their operations; their routines never run.
	 */
	if (g_open)
		printf("server: %d connections left open\n", g_open);
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
	return pthread_create(thread, NULL, server_thread, NULL) == 0;
}

/* ------------------------------------------------------------------ */
/* The client.                                                         */

static int failures;

static void fill(char *buf, int len, int conn, int round)
{
	int i;

	for (i = 0; i < len; i++)
		buf[i] = (char)('0' + (conn * 3 + round * 17 + i) % 75);
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
	if (round >= rounds - 2)
		return BIG_MESSAGE - conn * 53;
	return 1 + (conn * 211 + round * 661) % 3000;
}

int main(int argc, char **argv)
{
	static SOCKET clients[MAX_CLIENTS];
	static char out[BIG_MESSAGE], in[BIG_MESSAGE];
	struct sockaddr_in addr;
	pthread_t thread;
	WSADATA wsaData;
	DWORD timeout = TIMEOUT_MS;
	int nclients = 100, rounds = 12, rcvbuf = 4096;
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
	printf("overlapped echo server (completion routines) on 127.0.0.1:%d, "
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
	       "%ld routines ran, %ld sends pended, %ld errors\n",
	       g_accepted, g_closed, g_echoed, g_routines, g_send_pending,
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
