// SPDX-License-Identifier: GPL-2.0-only
/*
 * WSAEventSelect on listening sockets, through the Winsock API: FD_ACCEPT
 * and what accepted sockets inherit (winsock-spec.md §6, §8 accept, §9
 * test_accept_events), over loopback TCP/IPv4, TCP/IPv6 and AF_UNIX.
 */
#include "wsa_test.h"

/* The mask Wine's test_accept_events selects on the listener. */
#define LSN_MASK	(FD_CONNECT | FD_READ | FD_OOB | FD_ACCEPT)

FIXTURE(accept) {
	struct wsa_env e;
};

FIXTURE_VARIANT(accept) {
	int family;
};

FIXTURE_VARIANT_ADD(accept, tcp_ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(accept, tcp_ipv6) { .family = AF_INET6 };
FIXTURE_VARIANT_ADD(accept, af_unix) { .family = AF_UNIX };

FIXTURE_SETUP(accept)
{
	wsa_env_setup(_metadata, &self->e, variant->family);
}

FIXTURE_TEARDOWN(accept)
{
	wsa_env_teardown(&self->e);
}

/* Selected before bind and listen: nothing until a client, then FD_ACCEPT. */
TEST_F(accept, selected_before_listen_then_exactly_fd_accept)
{
	struct wsa_env *e = &self->e;

	e->lsn = wsa_socket(_metadata, e->family, SOCK_STREAM);
	SELECT(e->lsn, e->ev, LSN_MASK);
	wsa_loopback(&e->addr, e->family);
	wsa_bind(_metadata, e->lsn, &e->addr);
	ASSERT_EQ(0, listen(e->lsn, 16));
	CHECK_QUIET(e->lsn, e->ev);

	e->cli = wsa_connect(_metadata, &e->addr);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);
	CHECK_QUIET(e->lsn, e->ev);
}

/* Re-selecting (same mask, or 0 then the mask) reports nothing again. */
TEST_F(accept, reselect_after_enumeration_reports_nothing)
{
	struct wsa_env *e = &self->e;

	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, LSN_MASK);
	e->cli = wsa_connect(_metadata, &e->addr);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);

	SELECT(e->lsn, e->ev, LSN_MASK);
	CHECK_QUIET(e->lsn, e->ev);
	SELECT(e->lsn, NULL, 0);
	SELECT(e->lsn, e->ev, LSN_MASK);
	CHECK_QUIET(e->lsn, e->ev);
}

/*
 * A second connection while FD_ACCEPT is reported and not re-enabled by
 * accept: Windows records FD_ACCEPT again in event mode [W≠Wine].
 */
TEST_F(accept, second_connection_before_accept_is_recorded_again)
{
	struct wsa_env *e = &self->e;
	SOCKET c2;

	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, LSN_MASK);
	e->cli = wsa_connect(_metadata, &e->addr);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);
	CHECK_QUIET(e->lsn, e->ev);

	c2 = wsa_connect(_metadata, &e->addr);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);
	CHECK_QUIET(e->lsn, e->ev);
	closesocket(c2);
}

/*
 * accept re-enables FD_ACCEPT: with another connection pending it is
 * recorded again at once; after the last one, nothing.
 */
TEST_F(accept, accept_rerecords_while_connections_remain)
{
	struct wsa_env *e = &self->e;
	SOCKET c2, s1, s2;

	wsa_env_listen(_metadata, e);
	e->cli = wsa_connect(_metadata, &e->addr);
	c2 = wsa_connect(_metadata, &e->addr);
	SELECT(e->lsn, e->ev, LSN_MASK);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);

	s1 = wsa_accept(_metadata, e->lsn);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);
	CHECK_QUIET(e->lsn, e->ev);

	s2 = wsa_accept(_metadata, e->lsn);
	CHECK_QUIET(e->lsn, e->ev);
	closesocket(s1);
	closesocket(s2);
	closesocket(c2);
}

/* The last pending connection accepted: nothing is recorded after it. */
TEST_F(accept, accepting_the_last_connection_records_nothing)
{
	struct wsa_env *e = &self->e;

	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, LSN_MASK);
	e->cli = wsa_connect(_metadata, &e->addr);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);
	e->srv = wsa_accept(_metadata, e->lsn);
	CHECK_QUIET(e->lsn, e->ev);
}

/*
 * Connect first, then select: FD_ACCEPT is reported, and only it even
 * with every event selected (a listener never reports FD_WRITE,
 * FD_CONNECT or FD_CLOSE).
 */
TEST_F(accept, connect_then_select_reports_fd_accept_only)
{
	struct wsa_env *e = &self->e;

	wsa_env_listen(_metadata, e);
	e->cli = wsa_connect(_metadata, &e->addr);
	ASSERT_TRUE(wsa_poll_in(e->lsn, WSA_TEST_WAIT_MS));
	SELECT(e->lsn, e->ev, FD_ALL_EVENTS);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);
	CHECK_QUIET(e->lsn, e->ev);
}

/*
 * WSAEventSelect never resets the event, and signals it at once when a
 * recorded, not yet enumerated event is in the new mask.
 */
TEST_F(accept, deselecting_keeps_the_event_reselecting_signals_pending)
{
	struct wsa_env *e = &self->e;

	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, LSN_MASK);
	e->cli = wsa_connect(_metadata, &e->addr);
	ASSERT_EQ(WSA_WAIT_EVENT_0, wsa_wait(e->ev, WSA_TEST_WAIT_MS));

	SELECT(e->lsn, e->ev, LSN_MASK & ~FD_ACCEPT);
	EXPECT_TRUE(wsa_signaled(e->ev));
	ASSERT_TRUE(WSAResetEvent(e->ev));
	SELECT(e->lsn, e->ev, LSN_MASK & ~FD_ACCEPT);
	EXPECT_FALSE(wsa_signaled(e->ev));

	SELECT(e->lsn, e->ev, LSN_MASK);
	EXPECT_TRUE(wsa_signaled(e->ev));
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);
	CHECK_QUIET(e->lsn, e->ev);
}

/* A connection that arrived while FD_ACCEPT was not selected is reported
 * once it is. */
TEST_F(accept, connection_while_deselected_reported_when_selected)
{
	struct wsa_env *e = &self->e;

	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, LSN_MASK & ~FD_ACCEPT);
	e->cli = wsa_connect(_metadata, &e->addr);
	ASSERT_TRUE(wsa_poll_in(e->lsn, WSA_TEST_WAIT_MS));
	CHECK_QUIET(e->lsn, e->ev);

	SELECT(e->lsn, e->ev, LSN_MASK);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);
}

/* A connection accepted before FD_ACCEPT is selected: nothing afterwards. */
TEST_F(accept, connection_accepted_before_selecting_reports_nothing)
{
	struct wsa_env *e = &self->e;

	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, LSN_MASK & ~FD_ACCEPT);
	e->cli = wsa_connect(_metadata, &e->addr);
	e->srv = wsa_accept(_metadata, e->lsn);

	SELECT(e->lsn, e->ev, LSN_MASK);
	CHECK_QUIET(e->lsn, e->ev);
}

/*
 * The accepted socket inherits the listener's event and mask: it reports
 * FD_WRITE (never FD_CONNECT, although selected), then its own FD_READ on
 * the same event.
 */
TEST_F(accept, accepted_socket_inherits_event_and_mask)
{
	struct wsa_env *e = &self->e;

	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, LSN_MASK | FD_WRITE);
	e->cli = wsa_connect(_metadata, &e->addr);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);

	e->srv = wsa_accept(_metadata, e->lsn);
	CHECK_EVENTS(e->srv, e->ev, FD_WRITE);
	CHECK_QUIET(e->srv, e->ev);
	CHECK_NONE(e->lsn);

	wsa_send_all(_metadata, e->cli, "x", 1);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	CHECK_QUIET(e->srv, e->ev);
}

/* An inherited mask without FD_WRITE: the accepted socket records nothing. */
TEST_F(accept, accepted_socket_inherits_a_mask_without_fd_write)
{
	struct wsa_env *e = &self->e;

	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, LSN_MASK);
	e->cli = wsa_connect(_metadata, &e->addr);
	CHECK_EVENTS(e->lsn, e->ev, FD_ACCEPT);
	e->srv = wsa_accept(_metadata, e->lsn);
	CHECK_QUIET(e->srv, e->ev);
}

/*
 * The accepted socket inherits non-blocking mode, and with a non-zero
 * mask selected FIONBIO 0 is refused on it.
 */
TEST_F(accept, accepted_socket_inherits_nonblocking_mode)
{
	struct wsa_env *e = &self->e;
	u_long arg = 0;
	char b;

	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, LSN_MASK);
	e->cli = wsa_connect(_metadata, &e->addr);
	e->srv = wsa_accept(_metadata, e->lsn);

	EXPECT_EQ(SOCKET_ERROR, recv(e->srv, &b, 1, 0));
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	EXPECT_EQ(SOCKET_ERROR, ioctlsocket(e->srv, FIONBIO, &arg));
	EXPECT_EQ(WSAEINVAL, WSAGetLastError());
}

/* WSAEventSelect on the accepted socket replaces what it inherited. */
TEST_F(accept, accepted_socket_reselected_uses_its_own_event)
{
	struct wsa_env *e = &self->e;
	WSAEVENT ev2 = WSACreateEvent();

	ASSERT_NE(WSA_INVALID_EVENT, ev2);
	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, LSN_MASK | FD_WRITE);
	e->cli = wsa_connect(_metadata, &e->addr);
	e->srv = wsa_accept(_metadata, e->lsn);
	SELECT(e->srv, ev2, FD_READ);
	EXPECT_FALSE(wsa_signaled(ev2));
	ASSERT_TRUE(WSAResetEvent(e->ev));

	wsa_send_all(_metadata, e->cli, "x", 1);
	CHECK_EVENTS(e->srv, ev2, FD_READ);
	EXPECT_FALSE(wsa_signaled(e->ev));
	WSACloseEvent(ev2);
}

/*
 * WSAEventSelect made the listener non-blocking: accept with nothing
 * pending fails with WSAEWOULDBLOCK and records nothing.
 */
TEST_F(accept, accept_with_nothing_pending_would_block)
{
	struct wsa_env *e = &self->e;

	wsa_env_listen(_metadata, e);
	SELECT(e->lsn, e->ev, FD_ACCEPT);
	EXPECT_EQ(INVALID_SOCKET, accept(e->lsn, NULL, NULL));
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	CHECK_QUIET(e->lsn, e->ev);
}

TEST_HARNESS_MAIN
