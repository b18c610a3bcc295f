// SPDX-License-Identifier: GPL-2.0-only
/*
 * WSAEventSelect and WSAEnumNetworkEvents details through the Winsock API
 * (winsock-spec.md §6, §8 ioctlsocket, §9 test_WSAEnumNetworkEvents,
 * test_select_after_WSAEventSelect, test_fionbio, test_fionread_siocatmark):
 * what enumeration returns, clears and resets, what selecting does to the
 * event and to blocking mode, and that polling leaves the record alone.
 */
#include "wsa_test.h"

FIXTURE(misc) {
	struct wsa_env e;
};

FIXTURE_VARIANT(misc) {
	int family;
};

FIXTURE_VARIANT_ADD(misc, tcp_ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(misc, tcp_ipv6) { .family = AF_INET6 };
FIXTURE_VARIANT_ADD(misc, af_unix) { .family = AF_UNIX };

FIXTURE_SETUP(misc)
{
	wsa_env_setup(_metadata, &self->e, variant->family);
	wsa_env_pair(_metadata, &self->e);
}

FIXTURE_TEARDOWN(misc)
{
	wsa_env_teardown(&self->e);
}

/*
 * test_WSAEnumNetworkEvents: FD_READ|FD_WRITE selected and enumerated at
 * once, five times over, with the event or NULL: an unconnected TCP
 * socket reports nothing; a bound UDP socket and a connected TCP socket
 * FD_WRITE the first time only.  iErrorCode[] is 0 for the bits reported
 * and untouched for the others.
 */
TEST(enumeration_right_after_select)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct wsa_env env;
	WSANETWORKEVENTS ne;
	int f, kind, round, l, k;

	wsa_env_setup(_metadata, &env, AF_INET);
	for (l = 0; l < 2; l++) {
		for (f = 0; f < 2; f++) {
			for (kind = 0; kind < 3; kind++) {
				struct wsa_addr a;
				SOCKET s, peer = INVALID_SOCKET;
				WSAEVENT ev = WSACreateEvent();

				ASSERT_NE(WSA_INVALID_EVENT, ev);
				env.family = families[f];
				if (kind == 2) {
					wsa_env_pair(_metadata, &env);
					s = env.cli;
					peer = env.srv;
				} else {
					s = wsa_socket(_metadata, families[f],
						       kind ? SOCK_DGRAM : SOCK_STREAM);
					wsa_loopback(&a, families[f]);
					wsa_bind(_metadata, s, &a);
				}
				for (round = 0; round < 5; round++) {
					LONG want = kind && !round ? FD_WRITE : 0;

					SELECT(s, ev, FD_READ | FD_WRITE);
					wsa_enum(_metadata, s, l ? NULL : ev, &ne);
					if (ne.lNetworkEvents != want)
						TH_LOG("family %d kind %d round %d: %#x",
						       families[f], kind, round,
						       (unsigned int)ne.lNetworkEvents);
					ASSERT_EQ(want, ne.lNetworkEvents);
					for (k = 0; k < FD_MAX_EVENTS; k++)
						ASSERT_EQ(want & (1 << k) ? 0 : WSA_SENTINEL,
							  ne.iErrorCode[k]);
				}
				closesocket(s);
				if (peer != INVALID_SOCKET)
					closesocket(peer);
				closesocket(env.lsn);
				env.lsn = env.cli = env.srv = INVALID_SOCKET;
				WSACloseEvent(ev);
			}
		}
	}
	wsa_env_teardown(&env);
}

/*
 * hEventObject may be another event: that one is reset, the associated
 * one stays signaled.  With NULL, the associated event stays signaled too.
 */
TEST_F(misc, enumeration_resets_the_given_event_only)
{
	struct wsa_env *e = &self->e;
	WSAEVENT other = WSACreateEvent();
	WSANETWORKEVENTS ne;

	ASSERT_NE(WSA_INVALID_EVENT, other);
	SELECT(e->srv, e->ev, FD_READ | FD_WRITE);
	ASSERT_EQ(WSA_WAIT_EVENT_0, wsa_wait(e->ev, WSA_TEST_WAIT_MS));
	ASSERT_TRUE(WSASetEvent(other));
	EXPECT_EQ(FD_WRITE, wsa_enum(_metadata, e->srv, other, &ne));
	EXPECT_FALSE(wsa_signaled(other));
	EXPECT_TRUE(wsa_signaled(e->ev));

	wsa_send_all(_metadata, e->cli, "x", 1);
	ASSERT_TRUE(wsa_poll_in(e->srv, WSA_TEST_WAIT_MS));
	CHECK_EVENTS(e->srv, NULL, FD_READ);
	EXPECT_TRUE(wsa_signaled(e->ev));
	WSACloseEvent(other);
}

/*
 * Enumeration returns the record restricted to the current mask and
 * leaves the other recorded events for a later selection.
 */
TEST_F(misc, enumeration_is_restricted_to_the_mask)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, FD_READ | FD_WRITE);
	wsa_send_all(_metadata, e->cli, "x", 1);
	ASSERT_TRUE(wsa_poll_in(e->srv, WSA_TEST_WAIT_MS));
	SELECT(e->srv, e->ev, FD_WRITE);
	CHECK_EVENTS(e->srv, e->ev, FD_WRITE);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, e->ev, FD_READ | FD_WRITE);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	CHECK_QUIET(e->srv, e->ev);
}

/* WSAResetEvent changes the event only: the record is still there. */
TEST_F(misc, reset_event_does_not_clear_the_record)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, FD_WRITE);
	ASSERT_EQ(WSA_WAIT_EVENT_0, wsa_wait(e->ev, WSA_TEST_WAIT_MS));
	ASSERT_TRUE(WSAResetEvent(e->ev));
	CHECK_EVENTS(e->srv, NULL, FD_WRITE);
	EXPECT_FALSE(wsa_signaled(e->ev));
}

/* WSAEventSelect never resets the event, whatever the mask. */
TEST_F(misc, select_never_resets_the_event)
{
	struct wsa_env *e = &self->e;

	ASSERT_TRUE(WSASetEvent(e->ev));
	SELECT(e->srv, e->ev, FD_READ);
	EXPECT_TRUE(wsa_signaled(e->ev));
	SELECT(e->srv, e->ev, FD_CLOSE);
	EXPECT_TRUE(wsa_signaled(e->ev));
	SELECT(e->srv, NULL, 0);
	EXPECT_TRUE(wsa_signaled(e->ev));
	CHECK_NONE(e->srv);
}

/* A new WSAEventSelect replaces the event and the mask completely. */
TEST_F(misc, select_replaces_event_and_mask)
{
	struct wsa_env *e = &self->e;
	WSAEVENT ev2 = WSACreateEvent();

	ASSERT_NE(WSA_INVALID_EVENT, ev2);
	SELECT(e->srv, e->ev, FD_READ);
	SELECT(e->srv, ev2, FD_READ);
	wsa_send_all(_metadata, e->cli, "x", 1);
	CHECK_EVENTS(e->srv, ev2, FD_READ);
	EXPECT_FALSE(wsa_signaled(e->ev));

	/* The new mask alone counts: FD_READ no longer selected. */
	SELECT(e->srv, e->ev, FD_CLOSE);
	wsa_send_all(_metadata, e->cli, "y", 1);
	CHECK_QUIET(e->srv, e->ev);
	EXPECT_FALSE(wsa_signaled(ev2));
	WSACloseEvent(ev2);
}

/*
 * Errors: INVALID_SOCKET -> WSAENOTSOCK; a non-zero mask with a NULL or
 * closed event -> WSAEINVAL; mask 0 with a NULL event is fine.
 */
TEST_F(misc, select_errors)
{
	struct wsa_env *e = &self->e;
	WSAEVENT closed = WSACreateEvent();

	ASSERT_NE(WSA_INVALID_EVENT, closed);
	ASSERT_TRUE(WSACloseEvent(closed));
	EXPECT_EQ(SOCKET_ERROR, WSAEventSelect(INVALID_SOCKET, e->ev, FD_READ));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
	EXPECT_EQ(SOCKET_ERROR, WSAEventSelect(e->srv, NULL, FD_READ));
	EXPECT_EQ(WSAEINVAL, WSAGetLastError());
	EXPECT_EQ(SOCKET_ERROR, WSAEventSelect(e->srv, closed, FD_READ));
	EXPECT_EQ(WSAEINVAL, WSAGetLastError());
	EXPECT_EQ(0, WSAEventSelect(e->srv, NULL, 0));
}

/*
 * Enumerating INVALID_SOCKET or a closed socket fails with WSAENOTSOCK;
 * the failed call neither clears the record nor resets the event.
 */
TEST_F(misc, enumeration_of_a_non_socket_is_wsaenotsock)
{
	struct wsa_env *e = &self->e;
	WSANETWORKEVENTS ne;

	SELECT(e->srv, e->ev, FD_WRITE);
	ASSERT_EQ(WSA_WAIT_EVENT_0, wsa_wait(e->ev, WSA_TEST_WAIT_MS));

	EXPECT_EQ(SOCKET_ERROR, WSAEnumNetworkEvents(INVALID_SOCKET, e->ev, &ne));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
	ASSERT_EQ(0, closesocket(e->cli));
	EXPECT_EQ(SOCKET_ERROR, WSAEnumNetworkEvents(e->cli, e->ev, &ne));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
	e->cli = INVALID_SOCKET;
	EXPECT_TRUE(wsa_signaled(e->ev));
	CHECK_EVENTS(e->srv, e->ev, FD_WRITE);
}

/*
 * A NULL lpNetworkEvents fails with WSAEFAULT (the documented error), and
 * clears and resets nothing.  (Wine 8 crashes here.)
 */
TEST_F(misc, enumeration_into_null_is_wsaefault)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, FD_WRITE);
	ASSERT_EQ(WSA_WAIT_EVENT_0, wsa_wait(e->ev, WSA_TEST_WAIT_MS));
	EXPECT_EQ(SOCKET_ERROR, WSAEnumNetworkEvents(e->srv, e->ev, NULL));
	EXPECT_EQ(WSAEFAULT, WSAGetLastError());
	EXPECT_TRUE(wsa_signaled(e->ev));
	CHECK_EVENTS(e->srv, e->ev, FD_WRITE);
}

/*
 * test_select_after_WSAEventSelect: once the FD_READ signal of an
 * auto-reset event is consumed, WSAPoll and select on the socket neither
 * signal the event again nor touch the record.
 */
TEST_F(misc, polling_does_not_disturb_the_record)
{
	struct wsa_env *e = &self->e;
	WSAEVENT aev = WSACreateEventEx(FALSE, FALSE);
	WSAPOLLFD p = { .fd = e->srv, .events = POLLRDNORM };
	struct timeval tv = { 0, 0 };
	fd_set rd;

	ASSERT_NE(WSA_INVALID_EVENT, aev);
	SELECT(e->srv, aev, FD_READ);
	wsa_send_all(_metadata, e->cli, "a", 1);
	ASSERT_EQ(WSA_WAIT_EVENT_0, wsa_wait(aev, WSA_TEST_WAIT_MS));
	EXPECT_FALSE(wsa_signaled(aev));

	EXPECT_EQ(1, WSAPoll(&p, 1, 0));
	EXPECT_EQ(POLLRDNORM, p.revents);
	EXPECT_EQ(WSA_WAIT_TIMEOUT, wsa_wait(aev, WSA_TEST_QUIET_MS));

	FD_ZERO(&rd);
	FD_SET(e->srv, &rd);
	EXPECT_EQ(1, select(e->srv + 1, &rd, NULL, NULL, &tv));
	EXPECT_EQ(WSA_WAIT_TIMEOUT, wsa_wait(aev, WSA_TEST_QUIET_MS));

	CHECK_EVENTS(e->srv, NULL, FD_READ);
	WSACloseEvent(aev);
}

/*
 * test_fionbio: with a mask selected FIONBIO 1 is allowed and FIONBIO 0
 * fails with WSAEINVAL; once the selection is cancelled FIONBIO 0 works
 * and the socket blocks again.
 */
TEST_F(misc, fionbio_zero_refused_while_selected)
{
	struct wsa_env *e = &self->e;
	DWORD timeout = 100;
	u_long arg;
	char b;

	SELECT(e->srv, e->ev, FD_READ);
	arg = 1;
	EXPECT_EQ(0, ioctlsocket(e->srv, FIONBIO, &arg));
	arg = 0;
	EXPECT_EQ(SOCKET_ERROR, ioctlsocket(e->srv, FIONBIO, &arg));
	EXPECT_EQ(WSAEINVAL, WSAGetLastError());
	EXPECT_EQ(SOCKET_ERROR, recv(e->srv, &b, 1, 0));
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());

	SELECT(e->srv, NULL, 0);
	arg = 0;
	EXPECT_EQ(0, ioctlsocket(e->srv, FIONBIO, &arg));
	ASSERT_EQ(0, setsockopt(e->srv, SOL_SOCKET, SO_RCVTIMEO, (char *)&timeout,
				sizeof(timeout)));
	EXPECT_EQ(SOCKET_ERROR, recv(e->srv, &b, 1, 0));
	EXPECT_EQ(WSAETIMEDOUT, WSAGetLastError());
}

/* WSAEventSelect makes the socket non-blocking, even with mask 0. */
TEST_F(misc, select_with_mask_zero_makes_the_socket_nonblocking)
{
	struct wsa_env *e = &self->e;
	DWORD timeout = 2000;
	char b;

	ASSERT_EQ(0, setsockopt(e->srv, SOL_SOCKET, SO_RCVTIMEO, (char *)&timeout,
				sizeof(timeout)));
	SELECT(e->srv, NULL, 0);
	EXPECT_EQ(SOCKET_ERROR, recv(e->srv, &b, 1, 0));
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
}

/* Cancelling the selection does not make the socket blocking again. */
TEST_F(misc, deselecting_keeps_the_socket_nonblocking)
{
	struct wsa_env *e = &self->e;
	DWORD timeout = 2000;
	char b;

	ASSERT_EQ(0, setsockopt(e->srv, SOL_SOCKET, SO_RCVTIMEO, (char *)&timeout,
				sizeof(timeout)));
	SELECT(e->srv, e->ev, FD_READ);
	SELECT(e->srv, NULL, 0);
	EXPECT_EQ(SOCKET_ERROR, recv(e->srv, &b, 1, 0));
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
}

/* test_fionbio: a NULL argp fails with WSAEFAULT. */
TEST_F(misc, fionbio_null_argp_is_wsaefault)
{
	struct wsa_env *e = &self->e;

	EXPECT_EQ(SOCKET_ERROR, ioctlsocket(e->srv, FIONBIO, NULL));
	EXPECT_EQ(WSAEFAULT, WSAGetLastError());
}

/* test_fionbio: an unmapped argp fails with WSAEFAULT (no crash). */
TEST_F(misc, fionbio_bad_argp_is_wsaefault)
{
	struct wsa_env *e = &self->e;

	EXPECT_EQ(SOCKET_ERROR, ioctlsocket(e->srv, FIONBIO, (u_long *)1));
	EXPECT_EQ(WSAEFAULT, WSAGetLastError());
}

/* test_fionread_siocatmark: FIONREAD counts the queued bytes. */
TEST_F(misc, fionread_counts_queued_bytes)
{
	struct wsa_env *e = &self->e;
	u_long n = 0xdeadbeef;

	ASSERT_EQ(0, ioctlsocket(e->srv, FIONREAD, &n));
	EXPECT_EQ(0u, n);
	wsa_send_all(_metadata, e->cli, "TEST", 4);
	ASSERT_TRUE(wsa_poll_in(e->srv, WSA_TEST_WAIT_MS));
	ASSERT_EQ(0, ioctlsocket(e->srv, FIONREAD, &n));
	EXPECT_EQ(4u, n);
	EXPECT_EQ(SOCKET_ERROR, ioctlsocket(e->srv, FIONREAD, NULL));
	EXPECT_EQ(WSAEFAULT, WSAGetLastError());
}

/* SIOCATMARK is TRUE while no urgent data is pending; NULL -> WSAEFAULT. */
TEST_F(misc, siocatmark_true_without_oob)
{
	struct wsa_env *e = &self->e;
	u_long atmark = 0;

	if (e->family == AF_UNIX)
		SKIP(return, "urgent data is a TCP feature");
	ASSERT_EQ(0, ioctlsocket(e->srv, SIOCATMARK, &atmark));
	EXPECT_NE(0u, atmark);
	wsa_send_all(_metadata, e->cli, "data", 4);
	ASSERT_TRUE(wsa_poll_in(e->srv, WSA_TEST_WAIT_MS));
	ASSERT_EQ(0, ioctlsocket(e->srv, SIOCATMARK, &atmark));
	EXPECT_NE(0u, atmark);
	EXPECT_EQ(SOCKET_ERROR, ioctlsocket(e->srv, SIOCATMARK, NULL));
	EXPECT_EQ(WSAEFAULT, WSAGetLastError());
}

/* SIOCATMARK is FALSE while an urgent byte waits to be read (§8). */
TEST_F(misc, siocatmark_false_with_oob_pending)
{
	struct wsa_env *e = &self->e;
	struct timeval tv = { WSA_TEST_WAIT_MS / 1000, 0 };
	u_long atmark = 1;
	fd_set ex;
	char b;

	if (e->family == AF_UNIX)
		SKIP(return, "urgent data is a TCP feature");
	ASSERT_EQ(1, send(e->cli, "u", 1, MSG_OOB));
	FD_ZERO(&ex);
	FD_SET(e->srv, &ex);
	ASSERT_EQ(1, select(e->srv + 1, NULL, NULL, &ex, &tv));
	ASSERT_EQ(0, ioctlsocket(e->srv, SIOCATMARK, &atmark));
	EXPECT_EQ(0u, atmark);
	ASSERT_EQ(1, recv(e->srv, &b, 1, MSG_OOB));
	ASSERT_EQ(0, ioctlsocket(e->srv, SIOCATMARK, &atmark));
	EXPECT_NE(0u, atmark);
}

TEST_HARNESS_MAIN
