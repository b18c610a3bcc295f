// SPDX-License-Identifier: GPL-2.0-only
/*
 * How an event-select association ends, through the Winsock API: every
 * close order (closesocket then WSACloseEvent, WSACloseEvent then
 * closesocket, a plain close() of the socket), WSACleanup and process exit
 * with associations live, and 10,000 sockets selected and closed
 * (winsock-spec.md §4 WSACleanup, §5 WSACloseEvent, §6, §8 closesocket;
 * issue 4 "Lifetime").  Over loopback TCP/IPv4, TCP/IPv6 and AF_UNIX.
 */
#include "wsa_test.h"

FIXTURE(lifetime) {
	struct wsa_env e;
};

FIXTURE_VARIANT(lifetime) {
	int family;
};

FIXTURE_VARIANT_ADD(lifetime, tcp_ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(lifetime, tcp_ipv6) { .family = AF_INET6 };
FIXTURE_VARIANT_ADD(lifetime, af_unix) { .family = AF_UNIX };

FIXTURE_SETUP(lifetime)
{
	wsa_env_setup(_metadata, &self->e, variant->family);
	wsa_env_listen(_metadata, &self->e);
}

FIXTURE_TEARDOWN(lifetime)
{
	wsa_env_teardown(&self->e);
}

/* Wait for the peer of @s to be gone: FD_CLOSE on @s, graceful. */
static void expect_peer_closed(struct __test_metadata *_metadata, SOCKET s)
{
	WSAEVENT ev = WSACreateEvent();

	ASSERT_NE(WSA_INVALID_EVENT, ev);
	SELECT(s, ev, FD_CLOSE);
	CHECK_EVENTS(s, ev, FD_CLOSE);
	WSACloseEvent(ev);
}

/*
 * closesocket, then WSACloseEvent: closesocket ends the association (no
 * FD_CLOSE is posted for the closed socket itself) and really closes the
 * socket, the event stays open until WSACloseEvent.
 */
TEST_F(lifetime, closesocket_then_close_event)
{
	struct wsa_env *e = &self->e;
	WSANETWORKEVENTS ne;
	SOCKET s;

	wsa_env_pair(_metadata, e);
	SELECT(e->srv, e->ev, FD_READ | FD_CLOSE);
	s = e->srv;
	e->srv = INVALID_SOCKET;
	ASSERT_EQ(0, closesocket(s));
	expect_peer_closed(_metadata, e->cli);
	EXPECT_EQ(WSA_WAIT_TIMEOUT, wsa_wait(e->ev, WSA_TEST_QUIET_MS));

	EXPECT_EQ(SOCKET_ERROR, WSAEnumNetworkEvents(s, NULL, &ne));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
	EXPECT_EQ(SOCKET_ERROR, WSAEventSelect(s, e->ev, FD_READ));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
	EXPECT_EQ(SOCKET_ERROR, closesocket(s));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());

	EXPECT_TRUE(WSASetEvent(e->ev));
	EXPECT_TRUE(WSACloseEvent(e->ev));
	e->ev = NULL;
}

/*
 * WSACloseEvent first: the socket keeps its association and record, the
 * closed handle is never signaled again (not even when a new event gets
 * the same handle value), and closesocket afterwards works.
 */
TEST_F(lifetime, close_event_then_closesocket)
{
	struct wsa_env *e = &self->e;
	WSAEVENT ev2;

	wsa_env_pair(_metadata, e);
	SELECT(e->srv, e->ev, FD_READ | FD_CLOSE);
	ASSERT_TRUE(WSACloseEvent(e->ev));
	e->ev = NULL;

	wsa_send_all(_metadata, e->cli, "x", 1);
	ASSERT_TRUE(wsa_poll_in(e->srv, WSA_TEST_WAIT_MS));
	CHECK_EVENTS(e->srv, NULL, FD_READ);

	/* Likely the same handle value: it must not inherit the association. */
	e->ev = ev2 = WSACreateEvent();
	ASSERT_NE(WSA_INVALID_EVENT, ev2);
	wsa_send_all(_metadata, e->cli, "y", 1);
	EXPECT_EQ(WSA_WAIT_TIMEOUT, wsa_wait(ev2, WSA_TEST_QUIET_MS));
	CHECK_EVENTS(e->srv, NULL, FD_READ);

	/* Read it all: closing with unread data would reset the peer. */
	EXPECT_EQ(2, wsa_drain(_metadata, e->srv));
	ASSERT_EQ(0, closesocket(e->srv));
	e->srv = INVALID_SOCKET;
	expect_peer_closed(_metadata, e->cli);
	EXPECT_TRUE(WSACloseEvent(ev2));
	e->ev = NULL;
	EXPECT_FALSE(WSACloseEvent(ev2));
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
}

/*
 * A plain close() of a selected socket's descriptor: the socket really
 * goes away (the peer sees FD_CLOSE), and a new socket that gets the same
 * descriptor starts with no association and an empty record.
 */
TEST_F(lifetime, plain_close_of_a_selected_socket)
{
	struct wsa_env *e = &self->e;
	SOCKET s;

	wsa_env_pair(_metadata, e);
	SELECT(e->srv, e->ev, FD_READ | FD_WRITE | FD_CLOSE);
	/* FD_WRITE recorded and left unenumerated. */
	ASSERT_EQ(WSA_WAIT_EVENT_0, wsa_wait(e->ev, WSA_TEST_WAIT_MS));
	s = e->srv;
	e->srv = INVALID_SOCKET;
	ASSERT_EQ(0, close(s));
	expect_peer_closed(_metadata, e->cli);

	ASSERT_TRUE(WSAResetEvent(e->ev));
	e->srv = wsa_socket(_metadata, e->family, SOCK_STREAM);
	if (e->srv != s)
		TH_LOG("the new socket got %d, not %d", e->srv, s);
	CHECK_NONE(e->srv);
	SELECT(e->srv, e->ev, FD_READ | FD_WRITE | FD_CLOSE);
	CHECK_QUIET(e->srv, e->ev);
	EXPECT_TRUE(WSACloseEvent(e->ev));
	e->ev = NULL;
}

/*
 * The last WSACleanup closes the sockets still open, selected or not:
 * the peer (in a child process) sees the end of the connection, the
 * sockets are gone even after a new WSAStartup, and events survive.
 */
TEST_F(lifetime, cleanup_with_live_associations)
{
	struct wsa_env *e = &self->e;
	WSANETWORKEVENTS ne;
	struct wsa_addr ua;
	WSADATA data;
	SOCKET u;
	int status;

	e->child = fork();
	ASSERT_LE(0, e->child);
	if (!e->child) {
		DWORD timeout = WSA_TEST_WAIT_MS;
		SOCKET c;
		char b;
		int n;

		close(e->lsn);
		c = socket(e->family, SOCK_STREAM, 0);
		if (c == INVALID_SOCKET || connect(c, &e->addr.u.sa, e->addr.len))
			_exit(2);
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, (char *)&timeout,
			   sizeof(timeout));
		n = recv(c, &b, 1, 0);
		_exit(n == 0 ? 0 : n > 0 ? 3 : WSAGetLastError() == WSAETIMEDOUT ? 4 : 5);
	}
	e->srv = wsa_accept(_metadata, e->lsn);
	SELECT(e->srv, e->ev, FD_READ | FD_WRITE | FD_CLOSE);
	u = wsa_socket(_metadata, e->family == AF_UNIX ? AF_INET : e->family,
		       SOCK_DGRAM);
	wsa_loopback(&ua, e->family == AF_UNIX ? AF_INET : e->family);
	wsa_bind(_metadata, u, &ua);
	SELECT(u, e->ev, FD_READ | FD_WRITE);

	ASSERT_EQ(0, WSACleanup());
	ASSERT_EQ(0, WSAStartup(MAKEWORD(2, 2), &data));

	ASSERT_EQ(e->child, waitpid(e->child, &status, 0));
	e->child = 0;
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	EXPECT_EQ(SOCKET_ERROR, send(e->srv, "x", 1, 0));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
	EXPECT_EQ(SOCKET_ERROR, WSAEnumNetworkEvents(e->srv, NULL, &ne));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
	EXPECT_EQ(SOCKET_ERROR, WSAEventSelect(u, e->ev, FD_READ));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
	EXPECT_EQ(SOCKET_ERROR, closesocket(e->lsn));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
	e->srv = e->lsn = INVALID_SOCKET;

	EXPECT_TRUE(WSAResetEvent(e->ev));
	EXPECT_TRUE(WSASetEvent(e->ev));
	EXPECT_EQ(WSA_WAIT_EVENT_0, wsa_wait(e->ev, 0));
}

/*
 * A process that exits with live associations (no closesocket, no
 * WSACleanup): its socket is closed like any other, gracefully.
 */
TEST_F(lifetime, process_exit_with_live_associations)
{
	struct wsa_env *e = &self->e;
	char buf[4];
	int status;

	e->child = fork();
	ASSERT_LE(0, e->child);
	if (!e->child) {
		WSAEVENT ev = WSACreateEvent();
		SOCKET c;

		close(e->lsn);
		c = socket(e->family, SOCK_STREAM, 0);
		if (!ev || c == INVALID_SOCKET ||
		    connect(c, &e->addr.u.sa, e->addr.len) ||
		    WSAEventSelect(c, ev, FD_ALL_EVENTS))
			_exit(2);
		if (wsa_wait(ev, WSA_TEST_WAIT_MS) != WSA_WAIT_EVENT_0 ||
		    send(c, "x", 1, 0) != 1)
			_exit(3);
		_exit(0);
	}
	e->srv = wsa_accept(_metadata, e->lsn);
	SELECT(e->srv, e->ev, FD_READ | FD_CLOSE);
	ASSERT_EQ(e->child, waitpid(e->child, &status, 0));
	e->child = 0;
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	CHECK_EVENTS(e->srv, e->ev, FD_READ | FD_CLOSE);
	EXPECT_EQ(1, recv(e->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, recv(e->srv, buf, sizeof(buf), 0));
}

/*
 * A process killed while it waits on its socket's event: the socket goes
 * with it.
 */
TEST_F(lifetime, process_killed_while_waiting)
{
	struct wsa_env *e = &self->e;
	char buf[4];
	int status;

	e->child = fork();
	ASSERT_LE(0, e->child);
	if (!e->child) {
		WSAEVENT ev = WSACreateEvent();
		SOCKET c;

		close(e->lsn);
		c = socket(e->family, SOCK_STREAM, 0);
		if (!ev || c == INVALID_SOCKET ||
		    connect(c, &e->addr.u.sa, e->addr.len) ||
		    WSAEventSelect(c, ev, FD_READ | FD_CLOSE) ||
		    send(c, "x", 1, 0) != 1)
			_exit(2);
		WSAWaitForMultipleEvents(1, &ev, FALSE, WSA_INFINITE, FALSE);
		_exit(3);
	}
	e->srv = wsa_accept(_metadata, e->lsn);
	SELECT(e->srv, e->ev, FD_READ | FD_CLOSE);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	CHECK_QUIET(e->srv, e->ev);

	ASSERT_EQ(0, kill(e->child, SIGKILL));
	ASSERT_EQ(e->child, waitpid(e->child, &status, 0));
	e->child = 0;
	EXPECT_TRUE(WIFSIGNALED(status));
	CHECK_EVENTS(e->srv, e->ev, FD_CLOSE);
	EXPECT_EQ(1, recv(e->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, recv(e->srv, buf, sizeof(buf), 0));
}

/* ------------------------------------------------------------------ */

FIXTURE(many) {
	struct wsa_env e;
};

FIXTURE_SETUP(many)
{
	wsa_env_setup(_metadata, &self->e, AF_INET);
}

FIXTURE_TEARDOWN(many)
{
	wsa_env_teardown(&self->e);
}

/*
 * 10,000 sockets (UDP and TCP, IPv4), each selected and then closed, in
 * turn by closesocket, by close(), deselected first, or with its own
 * event closed first.  No descriptor leaks, and selection still works.
 */
TEST_F_TIMEOUT(many, ten_thousand_sockets_selected_and_closed, 100)
{
	struct wsa_env *e = &self->e;
	struct wsa_addr a;
	SOCKET first, s;
	WSAEVENT ev;
	int i;

	first = wsa_socket(_metadata, AF_INET, SOCK_DGRAM);
	ASSERT_EQ(0, closesocket(first));
	for (i = 0; i < 10000; i++) {
		s = socket(AF_INET, i & 4 ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (s == INVALID_SOCKET)
			TH_LOG("socket #%d: error %d", i, WSAGetLastError());
		ASSERT_NE(INVALID_SOCKET, s);
		ASSERT_GE(first + 4, s);
		SELECT(s, e->ev, FD_READ | FD_WRITE | FD_CLOSE | FD_CONNECT);
		switch (i & 3) {
		case 0:
			ASSERT_EQ(0, closesocket(s));
			break;
		case 1:
			ASSERT_EQ(0, close(s));
			break;
		case 2:
			SELECT(s, NULL, 0);
			ASSERT_EQ(0, closesocket(s));
			break;
		case 3:
			ev = WSACreateEvent();
			ASSERT_NE(WSA_INVALID_EVENT, ev);
			SELECT(s, ev, FD_READ | FD_WRITE);
			ASSERT_TRUE(WSACloseEvent(ev));
			ASSERT_EQ(0, closesocket(s));
			break;
		}
	}

	/* Still working: a bound UDP socket reports FD_WRITE once. */
	ASSERT_TRUE(WSAResetEvent(e->ev));
	s = wsa_socket(_metadata, AF_INET, SOCK_DGRAM);
	EXPECT_GE(first + 4, s);
	wsa_loopback(&a, AF_INET);
	wsa_bind(_metadata, s, &a);
	SELECT(s, e->ev, FD_READ | FD_WRITE);
	CHECK_EVENTS(s, e->ev, FD_WRITE);
	CHECK_QUIET(s, e->ev);
	closesocket(s);
}

TEST_HARNESS_MAIN
