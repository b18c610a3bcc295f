// SPDX-License-Identifier: GPL-2.0-only
/*
 * FD_READ and FD_WRITE through the Winsock API: when they are recorded and
 * what re-enables them (winsock-spec.md §6 table, §9 test_read_events
 * without its overlapped steps, test_write_events), over loopback
 * TCP/IPv4, TCP/IPv6 and AF_UNIX stream sockets, and UDP/IPv4 and IPv6.
 */
#include "wsa_test.h"

/* The masks of Wine's test_read_events and test_write_events. */
#define RD_MASK		(FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ)
#define WR_MASK		(FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ | \
			 FD_WRITE)

FIXTURE(rw) {
	struct wsa_env e;
};

FIXTURE_VARIANT(rw) {
	int family;
};

FIXTURE_VARIANT_ADD(rw, tcp_ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(rw, tcp_ipv6) { .family = AF_INET6 };
FIXTURE_VARIANT_ADD(rw, af_unix) { .family = AF_UNIX };

FIXTURE_SETUP(rw)
{
	wsa_env_setup(_metadata, &self->e, variant->family);
	wsa_env_pair(_metadata, &self->e);
}

FIXTURE_TEARDOWN(rw)
{
	wsa_env_teardown(&self->e);
}

/* Data: FD_READ once; re-selecting (same mask, or 0 then it) reports nothing. */
TEST_F(rw, data_reports_fd_read_once)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_QUIET(e->srv, e->ev);
	wsa_send_all(_metadata, e->cli, "data", 5);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	CHECK_QUIET(e->srv, e->ev);

	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, NULL, 0);
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_QUIET(e->srv, e->ev);
}

/* More data before any recv: Windows records FD_READ again [W≠Wine][W≠D]. */
TEST_F(rw, more_data_before_recv_is_recorded_again)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, RD_MASK);
	wsa_send_all(_metadata, e->cli, "data", 5);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	CHECK_QUIET(e->srv, e->ev);

	wsa_send_all(_metadata, e->cli, "data", 5);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	CHECK_QUIET(e->srv, e->ev);
}

/* A partial recv re-records FD_READ at once; the recv that empties the
 * queue records nothing. */
TEST_F(rw, partial_recv_rerecords_fd_read)
{
	struct wsa_env *e = &self->e;
	char buf[8];

	SELECT(e->srv, e->ev, RD_MASK);
	wsa_send_all(_metadata, e->cli, "data", 5);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);

	ASSERT_EQ(2, recv(e->srv, buf, 2, 0));
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	CHECK_QUIET(e->srv, e->ev);

	ASSERT_EQ(3, recv(e->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "ta", 3));
	CHECK_QUIET(e->srv, e->ev);
}

/*
 * recv with length -1 fails with WSAEFAULT and, in event mode, does not
 * re-record FD_READ although data is queued [W≠D].
 */
TEST_F(rw, failed_recv_does_not_rerecord_fd_read)
{
	struct wsa_env *e = &self->e;
	char buf[8];

	SELECT(e->srv, e->ev, RD_MASK);
	wsa_send_all(_metadata, e->cli, "data", 5);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);

	EXPECT_EQ(SOCKET_ERROR, recv(e->srv, buf, -1, 0));
	EXPECT_EQ(WSAEFAULT, WSAGetLastError());
	CHECK_QUIET(e->srv, e->ev);
	ASSERT_EQ(5, recv(e->srv, buf, sizeof(buf), 0));
	CHECK_QUIET(e->srv, e->ev);
}

/* One byte per recv: FD_READ after each but the last. */
TEST_F(rw, byte_by_byte_recv_records_until_the_last_byte)
{
	struct wsa_env *e = &self->e;
	char b;
	int i;

	SELECT(e->srv, e->ev, RD_MASK);
	wsa_send_all(_metadata, e->cli, "abcdefgh", 8);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(1, recv(e->srv, &b, 1, 0));
		ASSERT_EQ("abcdefgh"[i], b);
		if (i < 7)
			CHECK_EVENTS(e->srv, e->ev, FD_READ);
		CHECK_NONE(e->srv);
	}
	CHECK_QUIET(e->srv, e->ev);
}

/* Data sent while FD_READ is not selected is reported when it is. */
TEST_F(rw, data_sent_while_deselected_reported_on_select)
{
	struct wsa_env *e = &self->e;
	char buf[8];

	SELECT(e->srv, e->ev, RD_MASK);
	SELECT(e->srv, NULL, 0);
	wsa_send_all(_metadata, e->cli, "data", 5);
	ASSERT_TRUE(wsa_poll_in(e->srv, WSA_TEST_WAIT_MS));
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	ASSERT_EQ(5, recv(e->srv, buf, sizeof(buf), 0));
	CHECK_QUIET(e->srv, e->ev);
}

/* Data sent and consumed while deselected: nothing on re-select. */
TEST_F(rw, data_consumed_while_deselected_reports_nothing)
{
	struct wsa_env *e = &self->e;
	char buf[8];

	SELECT(e->srv, e->ev, RD_MASK);
	SELECT(e->srv, NULL, 0);
	wsa_send_all(_metadata, e->cli, "data", 5);
	ASSERT_TRUE(wsa_poll_in(e->srv, WSA_TEST_WAIT_MS));
	ASSERT_EQ(5, recv(e->srv, buf, sizeof(buf), 0));
	SELECT(e->srv, e->ev, RD_MASK & ~FD_CLOSE);
	CHECK_QUIET(e->srv, e->ev);
}

/*
 * WSAEnumNetworkEvents must not clear events that are not selected: data
 * arriving with nothing selected and an enumeration in between are still
 * reported when FD_READ is selected (with the never reported FD_WRITE).
 */
TEST_F(rw, enumeration_keeps_unselected_events)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, RD_MASK);
	SELECT(e->srv, NULL, 0);
	wsa_send_all(_metadata, e->cli, "data", 5);
	ASSERT_TRUE(wsa_poll_in(e->srv, WSA_TEST_WAIT_MS));
	CHECK_NONE(e->srv);
	EXPECT_FALSE(wsa_signaled(e->ev));

	SELECT(e->srv, e->ev, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE);
	CHECK_EVENTS(e->srv, e->ev, FD_READ | FD_WRITE);
	CHECK_QUIET(e->srv, e->ev);
}

/* ioctlsocket(FIONREAD) is not a re-enabling call. */
TEST_F(rw, fionread_does_not_reenable_fd_read)
{
	struct wsa_env *e = &self->e;
	u_long n = 0;

	SELECT(e->srv, e->ev, RD_MASK);
	wsa_send_all(_metadata, e->cli, "data", 5);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	ASSERT_EQ(0, ioctlsocket(e->srv, FIONREAD, &n));
	EXPECT_EQ(5u, n);
	CHECK_QUIET(e->srv, e->ev);
}

/*
 * A connected socket: FD_WRITE once; re-selecting reports nothing, and a
 * successful send, or the peer reading it, records nothing.
 */
TEST_F(rw, connected_socket_reports_fd_write_once)
{
	struct wsa_env *e = &self->e;
	char buf[8];

	SELECT(e->srv, e->ev, WR_MASK);
	CHECK_EVENTS(e->srv, e->ev, FD_WRITE);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, e->ev, WR_MASK);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, NULL, 0);
	SELECT(e->srv, e->ev, WR_MASK);
	CHECK_QUIET(e->srv, e->ev);

	wsa_send_all(_metadata, e->srv, "data", 5);
	CHECK_QUIET(e->srv, e->ev);
	ASSERT_EQ(5, recv(e->cli, buf, sizeof(buf), 0));
	CHECK_QUIET(e->srv, e->ev);
}

/*
 * A send that fails with WSAEWOULDBLOCK arms FD_WRITE: it is recorded
 * once the peer drains, then nothing more, and not again on re-select.
 */
TEST_F(rw, fd_write_after_wouldblock_once_space_frees)
{
	struct wsa_env *e = &self->e;
	int small = 8192;
	uint64_t deadline;

	ASSERT_EQ(0, setsockopt(e->srv, SOL_SOCKET, SO_SNDBUF, (char *)&small,
				sizeof(small)));
	ASSERT_EQ(0, setsockopt(e->cli, SOL_SOCKET, SO_RCVBUF, (char *)&small,
				sizeof(small)));
	wsa_nonblocking(_metadata, e->cli);
	SELECT(e->srv, e->ev, WR_MASK);
	CHECK_EVENTS(e->srv, e->ev, FD_WRITE);

	ASSERT_LT(0, wsa_fill(_metadata, e->srv));
	deadline = wsa_now_ms() + WSA_TEST_WAIT_MS;
	while (wsa_now_ms() < deadline) {
		wsa_drain(_metadata, e->cli);
		if (wsa_wait(e->ev, 20) == WSA_WAIT_EVENT_0)
			break;
	}
	CHECK_EVENTS(e->srv, e->ev, FD_WRITE);
	wsa_drain(_metadata, e->cli);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, NULL, 0);
	SELECT(e->srv, e->ev, WR_MASK);
	CHECK_QUIET(e->srv, e->ev);
}

/* Connected client selected without FD_WRITE: FD_CONNECT; adding FD_WRITE
 * reports it then. */
TEST_F(rw, fd_write_selected_later_is_reported)
{
	struct wsa_env *e = &self->e;

	wsa_nonblocking(_metadata, e->cli);
	wsa_send_all(_metadata, e->cli, "data", 5);
	SELECT(e->cli, e->ev, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ);
	CHECK_EVENTS(e->cli, e->ev, FD_CONNECT);
	CHECK_QUIET(e->cli, e->ev);

	SELECT(e->cli, e->ev, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE);
	CHECK_EVENTS(e->cli, e->ev, FD_WRITE);
	CHECK_QUIET(e->cli, e->ev);
}

/* A send right after selecting does not clear the recorded FD_WRITE [W≠D]. */
TEST_F(rw, send_does_not_clear_recorded_fd_write)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE);
	wsa_send_all(_metadata, e->srv, "data", 5);
	CHECK_EVENTS(e->srv, e->ev, FD_WRITE);
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

/* e->srv bound to e->addr; e->cli unbound. */
FIXTURE_SETUP(udp)
{
	struct wsa_env *e = &self->e;

	wsa_env_setup(_metadata, e, variant->family);
	e->srv = wsa_socket(_metadata, e->family, SOCK_DGRAM);
	wsa_loopback(&e->addr, e->family);
	wsa_bind(_metadata, e->srv, &e->addr);
	e->cli = wsa_socket(_metadata, e->family, SOCK_DGRAM);
}

FIXTURE_TEARDOWN(udp)
{
	wsa_env_teardown(&self->e);
}

/* A bound UDP socket reports FD_WRITE once, never again on re-select. */
TEST_F(udp, bound_socket_reports_fd_write_once)
{
	struct wsa_env *e = &self->e;
	int i;

	for (i = 0; i < 5; i++) {
		SELECT(e->srv, e->ev, FD_READ | FD_WRITE);
		if (!i)
			CHECK_EVENTS(e->srv, e->ev, FD_WRITE);
		else
			CHECK_QUIET(e->srv, e->ev);
	}
}

/*
 * Every datagram that arrives records FD_READ, even while it is reported;
 * recvfrom re-records it while datagrams remain.
 */
TEST_F(udp, each_datagram_records_fd_read)
{
	struct wsa_env *e = &self->e;
	struct sockaddr_storage from;
	int fromlen = sizeof(from);
	char buf[8];

	SELECT(e->srv, e->ev, FD_READ);
	ASSERT_EQ(3, sendto(e->cli, "one", 3, 0, &e->addr.u.sa, e->addr.len));
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	CHECK_QUIET(e->srv, e->ev);
	ASSERT_EQ(3, sendto(e->cli, "two", 3, 0, &e->addr.u.sa, e->addr.len));
	CHECK_EVENTS(e->srv, e->ev, FD_READ);

	ASSERT_EQ(3, recvfrom(e->srv, buf, sizeof(buf), 0,
			      (struct sockaddr *)&from, &fromlen));
	EXPECT_EQ(0, memcmp(buf, "one", 3));
	EXPECT_EQ(e->family, from.ss_family);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	ASSERT_EQ(3, recv(e->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "two", 3));
	CHECK_QUIET(e->srv, e->ev);
}

TEST_HARNESS_MAIN
