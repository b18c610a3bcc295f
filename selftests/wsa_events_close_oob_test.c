// SPDX-License-Identifier: GPL-2.0-only
/*
 * FD_CLOSE and FD_OOB through the Winsock API (winsock-spec.md §6 table,
 * §9 test_close_events and test_oob_events, §11), over loopback TCP/IPv4,
 * TCP/IPv6 and AF_UNIX stream sockets (urgent data: TCP only).
 */
#include "wsa_test.h"

/* The mask Wine's test_close_events and test_oob_events select. */
#define RD_MASK		(FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ)

FIXTURE(closing) {
	struct wsa_env e;
};

FIXTURE_VARIANT(closing) {
	int family;
};

FIXTURE_VARIANT_ADD(closing, tcp_ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(closing, tcp_ipv6) { .family = AF_INET6 };
FIXTURE_VARIANT_ADD(closing, af_unix) { .family = AF_UNIX };

FIXTURE_SETUP(closing)
{
	wsa_env_setup(_metadata, &self->e, variant->family);
	wsa_env_pair(_metadata, &self->e);
}

FIXTURE_TEARDOWN(closing)
{
	wsa_env_teardown(&self->e);
}

static void close_cli(struct wsa_env *e)
{
	closesocket(e->cli);
	e->cli = INVALID_SOCKET;
}

/*
 * The peer's closesocket: FD_CLOSE with error 0, never FD_READ for the
 * end of file; re-selecting reports nothing; recv returns 0 and records
 * nothing.
 */
TEST_F(closing, peer_closesocket_reports_fd_close_only)
{
	struct wsa_env *e = &self->e;
	char buf[5];

	SELECT(e->srv, e->ev, RD_MASK);
	close_cli(e);
	CHECK_EVENTS(e->srv, e->ev, FD_CLOSE);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, NULL, 0);
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_QUIET(e->srv, e->ev);

	EXPECT_EQ(0, recv(e->srv, buf, sizeof(buf), 0));
	CHECK_QUIET(e->srv, e->ev);
}

/* The peer's shutdown(SD_SEND): FD_CLOSE; its later closesocket: nothing. */
TEST_F(closing, peer_shutdown_send_reports_fd_close_once)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, RD_MASK);
	ASSERT_EQ(0, shutdown(e->cli, SD_SEND));
	CHECK_EVENTS(e->srv, e->ev, FD_CLOSE);
	CHECK_QUIET(e->srv, e->ev);
	close_cli(e);
	CHECK_QUIET(e->srv, e->ev);
}

/*
 * The peer's SD_RECEIVE and a local SD_BOTH generate nothing; the peer's
 * SD_SEND after them still reports FD_CLOSE on Windows [W≠Wine].
 */
TEST_F(closing, other_shutdowns_record_nothing)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, RD_MASK);
	ASSERT_EQ(0, shutdown(e->cli, SD_RECEIVE));
	ASSERT_EQ(0, shutdown(e->srv, SD_BOTH));
	CHECK_QUIET(e->srv, e->ev);

	ASSERT_EQ(0, shutdown(e->cli, SD_SEND));
	CHECK_EVENTS(e->srv, e->ev, FD_CLOSE);
	CHECK_QUIET(e->srv, e->ev);
}

/*
 * Data, then the peer closes: FD_READ, then FD_CLOSE at once although the
 * data is unread [W≠Wine]; a partial recv records FD_READ, the final one
 * nothing.
 */
TEST_F(closing, fd_close_reported_while_data_is_unread)
{
	struct wsa_env *e = &self->e;
	char buf[5];

	SELECT(e->srv, e->ev, RD_MASK);
	wsa_send_all(_metadata, e->cli, "data", 5);
	CHECK_EVENTS(e->srv, e->ev, FD_READ);

	close_cli(e);
	CHECK_EVENTS(e->srv, e->ev, FD_CLOSE);

	ASSERT_EQ(3, recv(e->srv, buf, 3, 0));
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	ASSERT_EQ(2, recv(e->srv, buf, 5, 0));
	CHECK_QUIET(e->srv, e->ev);
	EXPECT_EQ(0, recv(e->srv, buf, 5, 0));
	CHECK_QUIET(e->srv, e->ev);
}

/* Closed first, selected afterwards: FD_CLOSE. */
TEST_F(closing, close_then_select_reports_fd_close)
{
	struct wsa_env *e = &self->e;

	close_cli(e);
	ASSERT_TRUE(wsa_poll_in(e->srv, WSA_TEST_WAIT_MS));
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_EVENTS(e->srv, e->ev, FD_CLOSE);
	CHECK_QUIET(e->srv, e->ev);
}

/* Closed while FD_CLOSE was not selected: reported once it is. */
TEST_F(closing, fd_close_selected_later_is_reported)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, RD_MASK & ~FD_CLOSE);
	close_cli(e);
	ASSERT_TRUE(wsa_poll_in(e->srv, WSA_TEST_WAIT_MS));
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_EVENTS(e->srv, e->ev, FD_CLOSE);
	CHECK_QUIET(e->srv, e->ev);
}

/*
 * A reset: FD_CLOSE carries WSAECONNABORTED (the docs say WSAECONNRESET)
 * [W≠D]; reported once, not again on re-select.
 */
TEST_F(closing, reset_reports_fd_close_with_wsaeconnaborted)
{
	struct wsa_env *e = &self->e;

	SELECT(e->srv, e->ev, RD_MASK);
	wsa_close_with_rst(_metadata, e->family, e->cli, e->srv);
	e->cli = INVALID_SOCKET;
	CHECK_EVENTS_ERR(e->srv, e->ev, FD_CLOSE, FD_CLOSE_BIT, WSAECONNABORTED);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, NULL, 0);
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_QUIET(e->srv, e->ev);
}

/* ------------------------------------------------------------------ */
/* Urgent data.                                                        */

#define SKIP_UNLESS_TCP(e) do {						\
	if ((e)->family == AF_UNIX)					\
		SKIP(return, "urgent data is a TCP feature");		\
} while (0)

/* Wait until urgent data is there, with select's exceptfds. */
static int oob_arrived(SOCKET s)
{
	struct timeval tv = { WSA_TEST_WAIT_MS / 1000, 0 };
	fd_set ex;

	FD_ZERO(&ex);
	FD_SET(s, &ex);
	return select(s + 1, NULL, NULL, &ex, &tv) == 1 && FD_ISSET(s, &ex);
}

/* An MSG_OOB byte: FD_OOB, not FD_READ; re-selecting reports nothing. */
TEST_F(closing, oob_byte_reports_fd_oob)
{
	struct wsa_env *e = &self->e;

	SKIP_UNLESS_TCP(e);
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_QUIET(e->srv, e->ev);
	ASSERT_EQ(1, send(e->cli, "a", 1, MSG_OOB));
	CHECK_EVENTS(e->srv, e->ev, FD_OOB);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_QUIET(e->srv, e->ev);
	SELECT(e->srv, NULL, 0);
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_QUIET(e->srv, e->ev);
}

/*
 * A second urgent byte before the first is read: FD_OOB again on Windows
 * [W≠Wine].  FD_READ is left out of the mask: Linux keeps one urgent byte
 * only, so the first one turns into normal data (§11) where Windows keeps
 * both as urgent data.
 */
TEST_F(closing, second_oob_byte_is_recorded_again)
{
	struct wsa_env *e = &self->e;
	char b;

	SKIP_UNLESS_TCP(e);
	SELECT(e->srv, e->ev, RD_MASK & ~FD_READ);
	ASSERT_EQ(1, send(e->cli, "a", 1, MSG_OOB));
	CHECK_EVENTS(e->srv, e->ev, FD_OOB);
	ASSERT_EQ(1, send(e->cli, "b", 1, MSG_OOB));
	CHECK_EVENTS(e->srv, e->ev, FD_OOB);
	CHECK_QUIET(e->srv, e->ev);
	EXPECT_EQ(1, recv(e->srv, &b, 1, MSG_OOB));
}

/* recv(MSG_OOB) re-enables FD_OOB: the next urgent byte records it. */
TEST_F(closing, recv_oob_reenables_fd_oob)
{
	struct wsa_env *e = &self->e;
	char b;

	SKIP_UNLESS_TCP(e);
	SELECT(e->srv, e->ev, RD_MASK);
	ASSERT_EQ(1, send(e->cli, "a", 1, MSG_OOB));
	CHECK_EVENTS(e->srv, e->ev, FD_OOB);
	ASSERT_EQ(1, recv(e->srv, &b, 1, MSG_OOB));
	EXPECT_EQ('a', b);
	CHECK_QUIET(e->srv, e->ev);

	ASSERT_EQ(1, send(e->cli, "c", 1, MSG_OOB));
	CHECK_EVENTS(e->srv, e->ev, FD_OOB);
	ASSERT_EQ(1, recv(e->srv, &b, 1, MSG_OOB));
	EXPECT_EQ('c', b);
	CHECK_QUIET(e->srv, e->ev);
}

/* Urgent data sent while nothing is selected: FD_OOB on re-select. */
TEST_F(closing, oob_sent_while_deselected_reported_on_select)
{
	struct wsa_env *e = &self->e;
	char b;

	SKIP_UNLESS_TCP(e);
	SELECT(e->srv, e->ev, RD_MASK);
	SELECT(e->srv, NULL, 0);
	ASSERT_EQ(1, send(e->cli, "a", 1, MSG_OOB));
	ASSERT_TRUE(oob_arrived(e->srv));
	CHECK_NONE(e->srv);
	SELECT(e->srv, e->ev, RD_MASK);
	CHECK_EVENTS(e->srv, e->ev, FD_OOB);
	ASSERT_EQ(1, recv(e->srv, &b, 1, MSG_OOB));
	EXPECT_EQ('a', b);
}

/*
 * With SO_OOBINLINE urgent data is normal data: FD_READ, never FD_OOB,
 * and recv(MSG_OOB) fails with WSAEINVAL.
 */
TEST_F(closing, oobinline_urgent_data_is_fd_read_never_fd_oob)
{
	struct wsa_env *e = &self->e;
	BOOL on = TRUE;
	char b;

	SKIP_UNLESS_TCP(e);
	ASSERT_EQ(0, setsockopt(e->srv, SOL_SOCKET, SO_OOBINLINE, (char *)&on,
				sizeof(on)));
	SELECT(e->srv, e->ev, RD_MASK);
	ASSERT_EQ(1, send(e->cli, "v", 1, MSG_OOB));
	CHECK_EVENTS(e->srv, e->ev, FD_READ);
	CHECK_QUIET(e->srv, e->ev);

	EXPECT_EQ(SOCKET_ERROR, recv(e->srv, &b, 1, MSG_OOB));
	EXPECT_EQ(WSAEINVAL, WSAGetLastError());
	ASSERT_EQ(1, recv(e->srv, &b, 1, 0));
	EXPECT_EQ('v', b);
	CHECK_QUIET(e->srv, e->ev);
}

TEST_HARNESS_MAIN
