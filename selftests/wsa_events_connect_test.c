// SPDX-License-Identifier: GPL-2.0-only
/*
 * WSAEventSelect and connecting sockets, through the Winsock API:
 * FD_CONNECT with its error and the FD_WRITE that comes with it
 * (winsock-spec.md §6, §8 connect, §9 test_connect_events), over loopback
 * TCP/IPv4, TCP/IPv6 and AF_UNIX stream sockets, and UDP/IPv4 and IPv6.
 */
#include "wsa_test.h"

/* The masks Wine's test_connect_events selects. */
#define CLI_MASK	(FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ | \
			 FD_WRITE)
#define SRV_MASK	(FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE)

FIXTURE(connect) {
	struct wsa_env e;
};

FIXTURE_VARIANT(connect) {
	int family;
};

FIXTURE_VARIANT_ADD(connect, tcp_ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(connect, tcp_ipv6) { .family = AF_INET6 };
FIXTURE_VARIANT_ADD(connect, af_unix) { .family = AF_UNIX };

FIXTURE_SETUP(connect)
{
	wsa_env_setup(_metadata, &self->e, variant->family);
}

FIXTURE_TEARDOWN(connect)
{
	wsa_env_teardown(&self->e);
}

/*
 * Selected before connect: nothing; the connect completes with
 * FD_CONNECT and FD_WRITE, both with error 0, then nothing, and
 * re-selecting reports nothing again.
 */
TEST_F(connect, selected_before_connect_reports_connect_and_write)
{
	struct wsa_env *e = &self->e;
	int ret;

	wsa_env_listen(_metadata, e);
	e->cli = wsa_socket(_metadata, e->family, SOCK_STREAM);
	SELECT(e->cli, e->ev, CLI_MASK);
	CHECK_QUIET(e->cli, e->ev);

	ret = connect(e->cli, &e->addr.u.sa, e->addr.len);
	if (ret)
		ASSERT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	CHECK_EVENTS(e->cli, e->ev, FD_CONNECT | FD_WRITE);
	CHECK_QUIET(e->cli, e->ev);

	SELECT(e->cli, NULL, 0);
	SELECT(e->cli, e->ev, CLI_MASK);
	CHECK_QUIET(e->cli, e->ev);
}

/* A selected (so non-blocking) TCP socket's connect: WSAEWOULDBLOCK. */
TEST_F(connect, selected_tcp_connect_would_block)
{
	struct wsa_env *e = &self->e;

	if (e->family == AF_UNIX)
		SKIP(return, "Windows only promises this for TCP");
	wsa_env_listen(_metadata, e);
	e->cli = wsa_socket(_metadata, e->family, SOCK_STREAM);
	SELECT(e->cli, e->ev, CLI_MASK);
	EXPECT_EQ(SOCKET_ERROR, connect(e->cli, &e->addr.u.sa, e->addr.len));
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	CHECK_EVENTS(e->cli, e->ev, FD_CONNECT | FD_WRITE);
}

/* The accepted end never reports FD_CONNECT: only FD_WRITE. */
TEST_F(connect, accepted_socket_reports_write_never_connect)
{
	struct wsa_env *e = &self->e;

	wsa_env_pair(_metadata, e);
	SELECT(e->srv, e->ev, SRV_MASK);
	CHECK_EVENTS(e->srv, e->ev, FD_WRITE);
	CHECK_QUIET(e->srv, e->ev);
}

/* Connected (and even sent data) first, then selected: FD_CONNECT and
 * FD_WRITE. */
TEST_F(connect, connected_before_select_reports_connect_and_write)
{
	struct wsa_env *e = &self->e;

	wsa_env_pair(_metadata, e);
	wsa_send_all(_metadata, e->cli, "data", 5);
	SELECT(e->cli, e->ev, CLI_MASK);
	CHECK_EVENTS(e->cli, e->ev, FD_CONNECT | FD_WRITE);
	CHECK_QUIET(e->cli, e->ev);
}

/*
 * Connected while FD_CONNECT was not selected: FD_WRITE; selecting
 * FD_CONNECT later reports it then.
 */
TEST_F(connect, fd_connect_selected_after_the_connect_is_reported)
{
	struct wsa_env *e = &self->e;
	int ret;

	wsa_env_listen(_metadata, e);
	e->cli = wsa_socket(_metadata, e->family, SOCK_STREAM);
	SELECT(e->cli, e->ev, CLI_MASK & ~FD_CONNECT);
	ret = connect(e->cli, &e->addr.u.sa, e->addr.len);
	if (ret)
		ASSERT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	e->srv = wsa_accept(_metadata, e->lsn);
	CHECK_EVENTS(e->cli, e->ev, FD_WRITE);

	SELECT(e->cli, e->ev, SRV_MASK);
	CHECK_EVENTS(e->cli, e->ev, FD_CONNECT);
	CHECK_QUIET(e->cli, e->ev);
}

/* A refused connect: FD_CONNECT alone, carrying WSAECONNREFUSED. */
TEST_F(connect, refused_connect_reports_fd_connect_with_its_error)
{
	struct wsa_env *e = &self->e;
	SOCKET tmp;

	if (e->family == AF_UNIX)
		SKIP(return, "an AF_UNIX connect is refused synchronously");
	/* A loopback port that nobody listens on. */
	tmp = wsa_socket(_metadata, e->family, SOCK_STREAM);
	wsa_loopback(&e->addr, e->family);
	wsa_bind(_metadata, tmp, &e->addr);
	closesocket(tmp);

	e->cli = wsa_socket(_metadata, e->family, SOCK_STREAM);
	SELECT(e->cli, e->ev, CLI_MASK);
	EXPECT_EQ(SOCKET_ERROR, connect(e->cli, &e->addr.u.sa, e->addr.len));
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	CHECK_EVENTS_ERR(e->cli, e->ev, FD_CONNECT, FD_CONNECT_BIT,
			 WSAECONNREFUSED);
	CHECK_QUIET(e->cli, e->ev);
}

/* ------------------------------------------------------------------ */
/* UDP.                                                                */

FIXTURE(udp) {
	struct wsa_env e;
};

FIXTURE_VARIANT(udp) {
	int family;
};

FIXTURE_VARIANT_ADD(udp, udp_ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(udp, udp_ipv6) { .family = AF_INET6 };

FIXTURE_SETUP(udp)
{
	wsa_env_setup(_metadata, &self->e, variant->family);
}

FIXTURE_TEARDOWN(udp)
{
	wsa_env_teardown(&self->e);
}

/* An unbound UDP socket reports nothing in event mode [W≠Wine]. */
TEST_F(udp, unbound_socket_reports_nothing)
{
	struct wsa_env *e = &self->e;

	e->cli = wsa_socket(_metadata, e->family, SOCK_DGRAM);
	SELECT(e->cli, e->ev, SRV_MASK);
	CHECK_QUIET(e->cli, e->ev);
}

/* connect on a selected UDP socket: FD_CONNECT and FD_WRITE [W≠Wine]. */
TEST_F(udp, connect_reports_connect_and_write)
{
	struct wsa_env *e = &self->e;
	int ret;

	e->srv = wsa_socket(_metadata, e->family, SOCK_DGRAM);
	wsa_loopback(&e->addr, e->family);
	wsa_bind(_metadata, e->srv, &e->addr);

	e->cli = wsa_socket(_metadata, e->family, SOCK_DGRAM);
	SELECT(e->cli, e->ev, SRV_MASK);
	CHECK_QUIET(e->cli, e->ev);
	ret = connect(e->cli, &e->addr.u.sa, e->addr.len);
	if (ret)
		TH_LOG("connect: error %d", WSAGetLastError());
	ASSERT_EQ(0, ret);
	CHECK_EVENTS(e->cli, e->ev, FD_CONNECT | FD_WRITE);
	CHECK_QUIET(e->cli, e->ev);
}

TEST_HARNESS_MAIN
