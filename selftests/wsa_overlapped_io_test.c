// SPDX-License-Identifier: GPL-2.0-only
/*
 * Overlapped I/O through the Winsock API, event-driven: WSASend,
 * WSASendTo, WSARecv, WSARecvFrom and WSAGetOverlappedResult
 * (winsock-spec.md §7 and the overlapped items of §9: test_WSARecv,
 * test_send, test_simultaneous_async_recv, test_empty_recv, test_timeout,
 * test_tcp_reset, test_shutdown, test_WSAGetOverlappedResult,
 * test_nonblocking_async_recv, test_WSASendTo), over loopback TCP/IPv4,
 * TCP/IPv6, UDP/IPv4 and UDP/IPv6.  Completion routines are in
 * wsa_overlapped_apc_test.c.
 *
 * Written as a Windows program (wsa_test.h); the Linux-only parts (the
 * max_ops module parameter) are under #ifndef _WIN32.
 */
#include "wsa_test.h"

#include <pthread.h>

#define EXPECT_FAIL(call, err) do {					\
	int __r;							\
	WSASetLastError(0xdead);					\
	__r = (call);							\
	EXPECT_EQ(SOCKET_ERROR, __r);					\
	EXPECT_EQ((err), WSAGetLastError());				\
} while (0)

#define ASSERT_FAIL(call, err) do {					\
	int __r;							\
	WSASetLastError(0xdead);					\
	__r = (call);							\
	ASSERT_EQ(SOCKET_ERROR, __r);					\
	ASSERT_EQ((err), WSAGetLastError());				\
} while (0)

#define ASSERT_PENDING(call)	ASSERT_FAIL((call), WSA_IO_PENDING)

/* What lpcbTransfer and friends hold when nothing wrote them. */
#define UNTOUCHED	0xdeadbeefu

static void ovl_init(WSAOVERLAPPED *ov, WSAEVENT ev)
{
	memset(ov, 0, sizeof(*ov));
	ov->hEvent = ev;
}

/*
 * WSAGetOverlappedResult(@s, @ov, fWait) must return @ok with @bytes
 * transferred and the last error @err (0 on success).
 */
static void check_result(struct __test_metadata *_metadata, int line,
			 SOCKET s, WSAOVERLAPPED *ov, BOOL wait, BOOL ok,
			 DWORD bytes, int err)
{
	DWORD n = UNTOUCHED, flags = UNTOUCHED;
	BOOL ret;

	WSASetLastError(0xdead);
	ret = WSAGetOverlappedResult(s, ov, &n, wait, &flags);
	if (ret != ok || WSAGetLastError() != err || n != bytes)
		TH_LOG("line %d: WSAGetOverlappedResult: %d, error %d, %u bytes; expected %d, %d, %u",
		       line, ret, WSAGetLastError(), (unsigned int)n, ok, err,
		       (unsigned int)bytes);
	ASSERT_EQ(ok, ret);
	ASSERT_EQ(err, WSAGetLastError());
	ASSERT_EQ(bytes, n);
	/* The receive flags: 0 for normal data. */
	if (ok)
		ASSERT_EQ(0u, flags);
}

#define CHECK_RESULT(s, ov, wait, ok, bytes, err) \
	check_result(_metadata, __LINE__, (s), (ov), (wait), (ok), (bytes), (err))

/* ------------------------------------------------------------------ */
/* The fixture: a connected pair, stream or datagram.                  */

struct pair {
	SOCKET lsn, cli, srv;
	struct wsa_addr a_srv, a_cli;
	WSAEVENT ev, ev2;
	int family, type;
#ifndef _WIN32
	unsigned int old_max_ops;	/* to restore, when nonzero */
#endif
};

static void pair_setup(struct __test_metadata *_metadata, struct pair *p,
		       int family, int type)
{
	WSADATA data;
	int len;

	p->lsn = p->cli = p->srv = INVALID_SOCKET;
	p->family = family;
	p->type = type;
	ASSERT_EQ(0, WSAStartup(MAKEWORD(2, 2), &data));
	p->ev = WSACreateEvent();
	p->ev2 = WSACreateEvent();
	ASSERT_NE(WSA_INVALID_EVENT, p->ev);
	ASSERT_NE(WSA_INVALID_EVENT, p->ev2);
	if (type == SOCK_STREAM) {
		p->lsn = wsa_listener(_metadata, family, &p->a_srv);
		p->cli = wsa_connect(_metadata, &p->a_srv);
		p->srv = wsa_accept(_metadata, p->lsn);
		len = sizeof(p->a_cli.u);
		ASSERT_EQ(0, getsockname(p->cli, &p->a_cli.u.sa, &len));
		p->a_cli.len = len;
		return;
	}
	/* Datagram: both bound, and connected to each other. */
	p->srv = wsa_socket(_metadata, family, SOCK_DGRAM);
	wsa_loopback(&p->a_srv, family);
	wsa_bind(_metadata, p->srv, &p->a_srv);
	p->cli = wsa_socket(_metadata, family, SOCK_DGRAM);
	wsa_loopback(&p->a_cli, family);
	wsa_bind(_metadata, p->cli, &p->a_cli);
	ASSERT_EQ(0, connect(p->cli, &p->a_srv.u.sa, p->a_srv.len));
	ASSERT_EQ(0, connect(p->srv, &p->a_cli.u.sa, p->a_cli.len));
}

#ifndef _WIN32
#define MAX_OPS_PARAM	"/sys/module/wsaevent/parameters/max_ops"

static unsigned int read_max_ops(void)
{
	FILE *f = fopen(MAX_OPS_PARAM, "r");
	unsigned int v = 0;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static int write_max_ops(unsigned int v)
{
	FILE *f = fopen(MAX_OPS_PARAM, "w");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%u\n", v) > 0 ? 0 : -1;
	return fclose(f) || ret ? -1 : 0;
}
#endif

static void pair_teardown(struct pair *p)
{
#ifndef _WIN32
	if (p->old_max_ops)
		write_max_ops(p->old_max_ops);
#endif
	if (p->cli != INVALID_SOCKET)
		closesocket(p->cli);
	if (p->srv != INVALID_SOCKET)
		closesocket(p->srv);
	if (p->lsn != INVALID_SOCKET)
		closesocket(p->lsn);
	WSACloseEvent(p->ev);
	WSACloseEvent(p->ev2);
	WSACleanup();
}

/* Wait until @s has something to receive. */
#define WAIT_READABLE(s) ASSERT_TRUE(wsa_poll_in((s), WSA_TEST_WAIT_MS))

/* Send @len bytes of @data from @s in one call (one datagram). */
#define SEND(s, data, len) wsa_send_all(_metadata, (s), (data), (len))

/* @ev becomes signaled within the test bound. */
#define WAIT_EV(ev) ASSERT_EQ(WSA_WAIT_EVENT_0, wsa_wait((ev), WSA_TEST_WAIT_MS))

/* ------------------------------------------------------------------ */
/* Every kind of socket.                                               */

FIXTURE(ovl) {
	struct pair p;
};

FIXTURE_VARIANT(ovl) {
	int family, type;
};

FIXTURE_VARIANT_ADD(ovl, tcp_ipv4) { .family = AF_INET, .type = SOCK_STREAM };
FIXTURE_VARIANT_ADD(ovl, tcp_ipv6) { .family = AF_INET6, .type = SOCK_STREAM };
FIXTURE_VARIANT_ADD(ovl, udp_ipv4) { .family = AF_INET, .type = SOCK_DGRAM };
FIXTURE_VARIANT_ADD(ovl, udp_ipv6) { .family = AF_INET6, .type = SOCK_DGRAM };

FIXTURE_SETUP(ovl)
{
	pair_setup(_metadata, &self->p, variant->family, variant->type);
}

FIXTURE_TEARDOWN(ovl)
{
	pair_teardown(&self->p);
}

/*
 * test_WSARecv: a gather send of three buffers is one stream / one
 * datagram, and a scatter receive fills "dead" then "beefs", packed;
 * without and with an OVERLAPPED.
 */
TEST_F(ovl, scatter_gather_dead_beefs)
{
	struct pair *p = &self->p;
	char out1[] = "dea", out2[] = "dbe", out3[] = "efs";
	char in1[4], in2[5], all[16];
	WSABUF sb[3] = { { 3, out1 }, { 3, out2 }, { 3, out3 } };
	WSABUF rb[2] = { { sizeof(in1), in1 }, { sizeof(in2), in2 } };
	DWORD n = UNTOUCHED, flags = UNTOUCHED;
	WSAOVERLAPPED ov;
	int round;

	for (round = 0; round < 2; round++) {
		WSASetLastError(12345);
		ASSERT_EQ(0, WSASend(p->cli, sb, 3, &n, 0, NULL, NULL));
		EXPECT_EQ(0, WSAGetLastError());
		ASSERT_EQ(9u, n);
		WAIT_READABLE(p->srv);
		memset(in1, 0, sizeof(in1));
		memset(in2, 0, sizeof(in2));
		n = flags = UNTOUCHED;
		if (round == 0) {
			flags = 0;
			ASSERT_EQ(0, WSARecv(p->srv, rb, 2, &n, &flags, NULL, NULL));
		} else {
			/* Data is there: completes in the call. */
			ovl_init(&ov, p->ev);
			flags = 0;
			ASSERT_EQ(0, WSARecv(p->srv, rb, 2, &n, &flags, &ov, NULL));
			EXPECT_TRUE(HasOverlappedIoCompleted(&ov));
			CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 9, 0);
		}
		EXPECT_EQ(9u, n);
		EXPECT_EQ(0u, flags);
		EXPECT_EQ(0, memcmp(in1, "dead", 4));
		EXPECT_EQ(0, memcmp(in2, "beefs", 5));
	}
	/* Overlapped gather send. */
	ovl_init(&ov, p->ev);
	n = UNTOUCHED;
	ASSERT_EQ(0, WSASend(p->cli, sb, 3, &n, 0, &ov, NULL));
	EXPECT_EQ(9u, n);
	EXPECT_TRUE(wsa_signaled(p->ev));
	CHECK_RESULT(p->cli, &ov, FALSE, TRUE, 9, 0);
	WAIT_READABLE(p->srv);
	memset(all, 0, sizeof(all));
	ASSERT_EQ(9, recv(p->srv, all, p->type == SOCK_STREAM ? 9 : sizeof(all),
			  p->type == SOCK_STREAM ? MSG_WAITALL : 0));
	EXPECT_EQ(0, memcmp(all, "deadbeefs", 9));
}

/* A receive that finds data completes in the call, already signaled. */
TEST_F(ovl, immediate_completion_is_signaled_before_return)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;

	SEND(p->cli, "hello", 5);
	WAIT_READABLE(p->srv);
	ovl_init(&ov, p->ev);
	WSASetLastError(12345);
	ASSERT_EQ(0, WSARecv(p->srv, &b, 1, &n, &flags, &ov, NULL));
	EXPECT_EQ(0, WSAGetLastError());
	/* No wait: the event was set before WSARecv returned. */
	EXPECT_TRUE(wsa_signaled(p->ev));
	EXPECT_TRUE(HasOverlappedIoCompleted(&ov));
	EXPECT_EQ(5u, n);
	EXPECT_EQ(0u, flags);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 5, 0);
	/* A NULL byte count is allowed with an OVERLAPPED. */
	SEND(p->cli, "again", 5);
	WAIT_READABLE(p->srv);
	ovl_init(&ov, p->ev2);
	ASSERT_EQ(0, WSARecv(p->srv, &b, 1, NULL, &flags, &ov, NULL));
	EXPECT_TRUE(wsa_signaled(p->ev2));
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 5, 0);
}

/* Starting an operation resets hEvent; its completion sets it. */
TEST_F(ovl, start_resets_hevent_completion_sets_it)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;

	ASSERT_TRUE(WSASetEvent(p->ev));
	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, &n, &flags, &ov, NULL));
	EXPECT_EQ(UNTOUCHED, n);
	EXPECT_FALSE(wsa_signaled(p->ev));
	EXPECT_FALSE(HasOverlappedIoCompleted(&ov));
	EXPECT_EQ(WSA_WAIT_TIMEOUT, wsa_wait(p->ev, WSA_TEST_QUIET_MS));
	SEND(p->cli, "later", 5);
	WAIT_EV(p->ev);
	EXPECT_TRUE(HasOverlappedIoCompleted(&ov));
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 5, 0);
	EXPECT_EQ(0, memcmp(buf, "later", 5));
	/* A send resets it too, then sets it again at its completion. */
	ovl_init(&ov, p->ev);
	ASSERT_EQ(0, WSASend(p->cli, &b, 1, &n, 0, &ov, NULL));
	EXPECT_TRUE(wsa_signaled(p->ev));
}

/* test_simultaneous_async_recv: receives are filled in posting order. */
TEST_F(ovl, simultaneous_receives_filled_in_posting_order)
{
	struct pair *p = &self->p;
	char b1[16], b2[16];
	WSABUF w1 = { 16, b1 }, w2 = { 16, b2 };
	DWORD flags = 0;
	WSAOVERLAPPED o1, o2;

	ovl_init(&o1, p->ev);
	ovl_init(&o2, p->ev2);
	ASSERT_PENDING(WSARecv(p->srv, &w1, 1, NULL, &flags, &o1, NULL));
	ASSERT_PENDING(WSARecv(p->srv, &w2, 1, NULL, &flags, &o2, NULL));
	if (p->type == SOCK_STREAM) {
		SEND(p->cli, "0123456789abcdefghijklmnopqrstuv", 32);
	} else {
		SEND(p->cli, "0123456789abcdef", 16);
		SEND(p->cli, "ghijklmnopqrstuv", 16);
	}
	WAIT_EV(p->ev);
	WAIT_EV(p->ev2);
	CHECK_RESULT(p->srv, &o1, FALSE, TRUE, 16, 0);
	CHECK_RESULT(p->srv, &o2, FALSE, TRUE, 16, 0);
	EXPECT_EQ(0, memcmp(b1, "0123456789abcdef", 16));
	EXPECT_EQ(0, memcmp(b2, "ghijklmnopqrstuv", 16));
}

struct delayed_send {
	SOCKET s;
	unsigned int ms;
	const char *data;
	int len;
};

static void *delayed_send_main(void *arg)
{
	struct delayed_send *d = arg;

	wsa_sleep_ms(d->ms);
	send(d->s, d->data, d->len, 0);
	return NULL;
}

/*
 * test_WSAGetOverlappedResult: WSA_IO_INCOMPLETE while pending (the
 * count not written), every time; fWait waits; then the same answer every
 * time; a bad socket is WSAENOTSOCK.
 */
TEST_F(ovl, getoverlappedresult_incomplete_wait_repeatable)
{
	struct pair *p = &self->p;
	struct delayed_send d = { p->cli, 100, "waited", 6 };
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD n, flags = 0;
	WSAOVERLAPPED ov;
	pthread_t t;
	int i;

	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, NULL));
	for (i = 0; i < 3; i++) {
		n = flags = UNTOUCHED;
		WSASetLastError(0);
		EXPECT_FALSE(WSAGetOverlappedResult(p->srv, &ov, &n, FALSE, &flags));
		EXPECT_EQ(WSA_IO_INCOMPLETE, WSAGetLastError());
		EXPECT_EQ(UNTOUCHED, n);
	}
	ASSERT_EQ(0, pthread_create(&t, NULL, delayed_send_main, &d));
	CHECK_RESULT(p->srv, &ov, TRUE, TRUE, 6, 0);
	pthread_join(t, NULL);
	EXPECT_EQ(0, memcmp(buf, "waited", 6));
	for (i = 0; i < 3; i++) {
		CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 6, 0);
		CHECK_RESULT(p->srv, &ov, TRUE, TRUE, 6, 0);
	}
	/* Not a socket: checked before anything else. */
	n = UNTOUCHED;
	WSASetLastError(0);
	EXPECT_FALSE(WSAGetOverlappedResult(INVALID_SOCKET, &ov, &n, FALSE, &flags));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
	EXPECT_EQ(UNTOUCHED, n);
#ifndef _WIN32
	/* An open descriptor that is no socket: an event's. */
	WSASetLastError(0);
	EXPECT_FALSE(WSAGetOverlappedResult(WSAEventGetFd(p->ev), &ov, &n,
					    FALSE, &flags));
	EXPECT_EQ(WSAENOTSOCK, WSAGetLastError());
#endif
}

/* fWait with a NULL hEvent: the result is still waited for. */
TEST_F(ovl, getoverlappedresult_waits_without_hevent)
{
	struct pair *p = &self->p;
	struct delayed_send d = { p->cli, 100, "noevent", 7 };
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	WSAOVERLAPPED ov;
	pthread_t t;

	ovl_init(&ov, NULL);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, NULL));
	CHECK_RESULT(p->srv, &ov, FALSE, FALSE, UNTOUCHED, WSA_IO_INCOMPLETE);
	ASSERT_EQ(0, pthread_create(&t, NULL, delayed_send_main, &d));
	CHECK_RESULT(p->srv, &ov, TRUE, TRUE, 7, 0);
	pthread_join(t, NULL);
	EXPECT_EQ(0, memcmp(buf, "noevent", 7));
}

/*
 * test_timeout: SO_RCVTIMEO makes recv and a non-overlapped WSARecv fail
 * with WSAETIMEDOUT (the count untouched); an overlapped WSARecv ignores it.
 */
TEST_F(ovl, rcvtimeo_applies_to_blocking_calls_only)
{
	struct pair *p = &self->p;
	DWORD timeo = 100, n = UNTOUCHED, flags = 0;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	WSAOVERLAPPED ov;
	uint64_t t0;

	ASSERT_EQ(0, setsockopt(p->srv, SOL_SOCKET, SO_RCVTIMEO, (char *)&timeo,
				sizeof(timeo)));
	t0 = wsa_now_ms();
	EXPECT_FAIL(recv(p->srv, buf, sizeof(buf), 0), WSAETIMEDOUT);
	EXPECT_LE(90u, wsa_now_ms() - t0);
	EXPECT_FAIL(WSARecv(p->srv, &b, 1, &n, &flags, NULL, NULL), WSAETIMEDOUT);
	EXPECT_EQ(UNTOUCHED, n);

	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, &n, &flags, &ov, NULL));
	EXPECT_EQ(WSA_WAIT_TIMEOUT, wsa_wait(p->ev, 3 * timeo));
	CHECK_RESULT(p->srv, &ov, FALSE, FALSE, UNTOUCHED, WSA_IO_INCOMPLETE);
	SEND(p->cli, "late", 4);
	WAIT_EV(p->ev);
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 4, 0);
}

/*
 * test_nonblocking_async_recv: on a non-blocking socket recv fails with
 * WSAEWOULDBLOCK, an overlapped WSARecv pends.
 */
TEST_F(ovl, nonblocking_socket_overlapped_recv_pends)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;

	wsa_nonblocking(_metadata, p->srv);
	EXPECT_FAIL(recv(p->srv, buf, sizeof(buf), 0), WSAEWOULDBLOCK);
	EXPECT_FAIL(WSARecv(p->srv, &b, 1, &n, &flags, NULL, NULL), WSAEWOULDBLOCK);
	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, &n, &flags, &ov, NULL));
	SEND(p->cli, "data", 4);
	WAIT_EV(p->ev);
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 4, 0);
	EXPECT_EQ(0, memcmp(buf, "data", 4));
}

/* Arguments refused before anything starts (test_empty_recv, §7). */
TEST_F(ovl, bad_arguments_start_nothing)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;

	ovl_init(&ov, p->ev);
	/* 0 buffers, with a NULL array or not, overlapped or not. */
	EXPECT_FAIL(WSARecv(p->srv, NULL, 0, &n, &flags, NULL, NULL), WSAEINVAL);
	EXPECT_FAIL(WSARecv(p->srv, &b, 0, &n, &flags, NULL, NULL), WSAEINVAL);
	EXPECT_FAIL(WSARecv(p->srv, NULL, 0, NULL, &flags, &ov, NULL), WSAEINVAL);
	EXPECT_FAIL(WSARecv(p->srv, &b, 0, NULL, &flags, &ov, NULL), WSAEINVAL);
	EXPECT_FAIL(WSASend(p->cli, &b, 0, &n, 0, &ov, NULL), WSAEINVAL);
	/* No count without an OVERLAPPED (test_WSASendTo). */
	EXPECT_FAIL(WSARecv(p->srv, &b, 1, NULL, &flags, NULL, NULL), WSAEFAULT);
	EXPECT_FAIL(WSASend(p->cli, &b, 1, NULL, 0, NULL, NULL), WSAEFAULT);
	EXPECT_FAIL(WSASendTo(p->cli, &b, 1, NULL, 0, &p->a_srv.u.sa,
			      p->a_srv.len, NULL, NULL), WSAEFAULT);
	/* Not sockets. */
	EXPECT_FAIL(WSARecv(INVALID_SOCKET, &b, 1, NULL, &flags, &ov, NULL),
		    WSAENOTSOCK);
	EXPECT_FAIL(WSASend(INVALID_SOCKET, &b, 1, &n, 0, NULL, NULL), WSAENOTSOCK);
	EXPECT_FAIL(WSASendTo(INVALID_SOCKET, &b, 1, &n, 0, &p->a_srv.u.sa,
			      p->a_srv.len, NULL, NULL), WSAENOTSOCK);
	EXPECT_EQ(UNTOUCHED, n);
}

/* A bad buffer: WSAEFAULT when the operation is submitted (§7). */
TEST_F(ovl, bad_buffer_is_wsaefault_at_submission)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	WSABUF bad = { 16, (char *)16 };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;

	ovl_init(&ov, p->ev);
	EXPECT_FAIL(WSARecv(p->srv, &bad, 1, NULL, &flags, &ov, NULL), WSAEFAULT);
	EXPECT_FAIL(WSASend(p->cli, &bad, 1, NULL, 0, &ov, NULL), WSAEFAULT);
	/*
	 * (Without an OVERLAPPED, Linux finds the bad buffer only when it
	 * copies data into it: a blocking receive waits for data first.)
	 */
	EXPECT_FAIL(WSASend(p->cli, &bad, 1, &n, 0, NULL, NULL), WSAEFAULT);
	/* Never started: no completion (Windows may reset hEvent, though). */
	EXPECT_EQ(WSA_WAIT_TIMEOUT, wsa_wait(p->ev, WSA_TEST_QUIET_MS));
	EXPECT_EQ(UNTOUCHED, n);
	/* The socket still works, and nothing was taken from it. */
	SEND(p->cli, "fine", 4);
	WAIT_READABLE(p->srv);
	ovl_init(&ov, p->ev);
	ASSERT_EQ(0, WSARecv(p->srv, &b, 1, &n, &flags, &ov, NULL));
	EXPECT_EQ(4u, n);
	EXPECT_EQ(0, memcmp(buf, "fine", 4));
}

/* More buffers than fit on the stack, and more than Windows allows here. */
TEST_F(ovl, many_buffers)
{
	struct pair *p = &self->p;
	static WSABUF sb[200], rb[200];
#ifndef _WIN32
	static WSABUF too_many[1025];
#endif
	static char out[200], in[200];
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;
	int i;

	for (i = 0; i < 200; i++) {
		out[i] = (char)('A' + i % 26);
		sb[i].len = 1;
		sb[i].buf = &out[i];
		rb[i].len = 1;
		rb[i].buf = &in[i];
	}
	ASSERT_EQ(0, WSASend(p->cli, sb, 200, &n, 0, NULL, NULL));
	EXPECT_EQ(200u, n);
	WAIT_READABLE(p->srv);
	ovl_init(&ov, p->ev);
	if (p->type == SOCK_STREAM) {
		/* The stream may arrive in pieces: wait for all of it. */
		flags = MSG_WAITALL;
	}
	n = UNTOUCHED;
	if (WSARecv(p->srv, rb, 200, &n, &flags, &ov, NULL) == SOCKET_ERROR) {
		ASSERT_EQ(WSA_IO_PENDING, WSAGetLastError());
		WAIT_EV(p->ev);
	} else {
		EXPECT_EQ(200u, n);
	}
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 200, 0);
	EXPECT_EQ(0, memcmp(in, out, 200));
#ifndef _WIN32
	/* libwsaevent's limit (the kernel's UIO_MAXIOV): 1024 buffers. */
	for (i = 0; i < 1025; i++) {
		too_many[i].len = 1;
		too_many[i].buf = in;
	}
	flags = 0;
	EXPECT_FAIL(WSARecv(p->srv, too_many, 1025, NULL, &flags, &ov, NULL),
		    WSAENOBUFS);
	EXPECT_FAIL(WSASend(p->srv, too_many, 1025, &n, 0, NULL, NULL),
		    WSAENOBUFS);
#endif
}

/*
 * closesocket cancels the operations pending on the socket, whichever
 * thread posted them: they complete with WSA_OPERATION_ABORTED and 0
 * bytes, their events are set.  The closed socket is no longer one for
 * WSAGetOverlappedResult (WSAENOTSOCK, as for any invalid handle);
 * another socket reads the status.
 */
struct poster {
	SOCKET s;
	WSAOVERLAPPED ov;
	WSAEVENT ev, go_on;
	char buf[16];
	int ret, err;
};

static void *post_then_wait_main(void *arg)
{
	struct poster *t = arg;
	WSABUF b = { sizeof(t->buf), t->buf };
	DWORD flags = 0;

	ovl_init(&t->ov, t->ev);
	t->ret = WSARecv(t->s, &b, 1, NULL, &flags, &t->ov, NULL);
	t->err = WSAGetLastError();
	/* Stay alive: this thread's exit must not be what cancels. */
	wsa_wait(t->go_on, WSA_TEST_WAIT_MS);
	return NULL;
}

TEST_F(ovl, closesocket_cancels_operations_of_other_threads)
{
	struct pair *p = &self->p;
	struct poster t = { .s = p->srv, .ev = p->ev, .go_on = p->ev2 };
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	WSAOVERLAPPED mine;
	WSAEVENT ev3 = WSACreateEvent();
	pthread_t th;

	ASSERT_NE(WSA_INVALID_EVENT, ev3);
	ASSERT_EQ(0, pthread_create(&th, NULL, post_then_wait_main, &t));
	while (!t.err && !t.ret)
		wsa_sleep_ms(1);
	ASSERT_EQ(SOCKET_ERROR, t.ret);
	ASSERT_EQ(WSA_IO_PENDING, t.err);
	ovl_init(&mine, ev3);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &mine, NULL));

	ASSERT_EQ(0, closesocket(p->srv));
	WAIT_EV(p->ev);
	WAIT_EV(ev3);
	EXPECT_TRUE(HasOverlappedIoCompleted(&t.ov));
	EXPECT_TRUE(HasOverlappedIoCompleted(&mine));
	/* The closed handle is no socket any more. */
	CHECK_RESULT(p->srv, &mine, FALSE, FALSE, UNTOUCHED, WSAENOTSOCK);
	/* The status, read through a socket that is open. */
	CHECK_RESULT(p->cli, &t.ov, FALSE, FALSE, 0, WSA_OPERATION_ABORTED);
	CHECK_RESULT(p->cli, &mine, TRUE, FALSE, 0, WSA_OPERATION_ABORTED);
	p->srv = INVALID_SOCKET;
	WSASetEvent(p->ev2);
	pthread_join(th, NULL);
	WSACloseEvent(ev3);
}

/*
 * The exit of a thread cancels the operations it posted (only those):
 * their events are set, WSA_OPERATION_ABORTED, 0 bytes; the socket keeps
 * working and loses no data.
 */
static void *post_then_exit_main(void *arg)
{
	struct poster *t = arg;
	WSABUF b = { sizeof(t->buf), t->buf };
	DWORD flags = 0;

	ovl_init(&t->ov, t->ev);
	t->ret = WSARecv(t->s, &b, 1, NULL, &flags, &t->ov, NULL);
	t->err = WSAGetLastError();
	return NULL;
}

TEST_F(ovl, thread_exit_cancels_its_operations)
{
	struct pair *p = &self->p;
	struct poster t = { .s = p->srv, .ev = p->ev };
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	WSAOVERLAPPED mine;
	pthread_t th;

	/* Posted by this thread, on the other socket: not cancelled. */
	ovl_init(&mine, p->ev2);
	ASSERT_PENDING(WSARecv(p->cli, &b, 1, NULL, &flags, &mine, NULL));

	ASSERT_EQ(0, pthread_create(&th, NULL, post_then_exit_main, &t));
	pthread_join(th, NULL);
	ASSERT_EQ(SOCKET_ERROR, t.ret);
	ASSERT_EQ(WSA_IO_PENDING, t.err);
	WAIT_EV(p->ev);
	CHECK_RESULT(p->srv, &t.ov, FALSE, FALSE, 0, WSA_OPERATION_ABORTED);
	CHECK_RESULT(p->srv, &t.ov, TRUE, FALSE, 0, WSA_OPERATION_ABORTED);
	EXPECT_FALSE(wsa_signaled(p->ev2));
	CHECK_RESULT(p->cli, &mine, FALSE, FALSE, UNTOUCHED, WSA_IO_INCOMPLETE);

	/* Nothing was taken from the socket. */
	SEND(p->cli, "kept", 4);
	WAIT_READABLE(p->srv);
	ASSERT_EQ(4, recv(p->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "kept", 4));
	SEND(p->srv, "back", 4);
	WAIT_EV(p->ev2);
	CHECK_RESULT(p->cli, &mine, FALSE, TRUE, 4, 0);
}

#ifndef _WIN32
/* Past the module's max_ops: WSAENOBUFS, nothing started. */
TEST_F(ovl, past_max_ops_is_wsaenobufs)
{
	struct pair *p = &self->p;
	static WSAOVERLAPPED ov[3];
	static char buf[3][8];
	WSABUF b;
	DWORD flags = 0;
	int i;

	p->old_max_ops = read_max_ops();
	if (!p->old_max_ops || write_max_ops(2))
		SKIP(return, "cannot change %s", MAX_OPS_PARAM);
	for (i = 0; i < 2; i++) {
		b.len = sizeof(buf[i]);
		b.buf = buf[i];
		ovl_init(&ov[i], NULL);
		ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov[i], NULL));
	}
	b.buf = buf[2];
	ovl_init(&ov[2], p->ev);
	EXPECT_FAIL(WSARecv(p->srv, &b, 1, NULL, &flags, &ov[2], NULL), WSAENOBUFS);
	EXPECT_FAIL(WSASend(p->cli, &b, 1, NULL, 0, &ov[2], NULL), WSAENOBUFS);
	/* Never started: no completion. */
	EXPECT_EQ(WSA_WAIT_TIMEOUT, wsa_wait(p->ev, WSA_TEST_QUIET_MS));
	/* The failure is what WSAGetOverlappedResult says (never pending). */
	CHECK_RESULT(p->srv, &ov[2], TRUE, FALSE, 0, WSAENOBUFS);
	ASSERT_EQ(0, write_max_ops(p->old_max_ops));
	p->old_max_ops = 0;
	/* Below the limit again: it starts. */
	ovl_init(&ov[2], p->ev);
	ASSERT_PENDING(WSARecv(p->cli, &b, 1, NULL, &flags, &ov[2], NULL));
}
#endif

/* ------------------------------------------------------------------ */
/* Stream sockets.                                                     */

FIXTURE(stream) {
	struct pair p;
};

FIXTURE_VARIANT(stream) {
	int family;
};

FIXTURE_VARIANT_ADD(stream, tcp_ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(stream, tcp_ipv6) { .family = AF_INET6 };

FIXTURE_SETUP(stream)
{
	pair_setup(_metadata, &self->p, variant->family, SOCK_STREAM);
}

FIXTURE_TEARDOWN(stream)
{
	pair_teardown(&self->p);
}

/*
 * test_empty_recv: a zero-length buffer pends until data arrives, then
 * completes with 0 bytes and takes nothing; with data queued it completes
 * at once; recv(NULL, 0) returns 0.
 */
TEST_F(stream, zero_length_receive_waits_and_consumes_nothing)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF empty = { 0, buf };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;

	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &empty, 1, NULL, &flags, &ov, NULL));
	EXPECT_EQ(WSA_WAIT_TIMEOUT, wsa_wait(p->ev, WSA_TEST_QUIET_MS));
	SEND(p->cli, "data", 4);
	WAIT_EV(p->ev);
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 0, 0);
	/* The data is there: at once, 0 bytes again. */
	ovl_init(&ov, p->ev);
	ASSERT_EQ(0, WSARecv(p->srv, &empty, 1, &n, &flags, &ov, NULL));
	EXPECT_EQ(0u, n);
	EXPECT_TRUE(wsa_signaled(p->ev));
	EXPECT_EQ(0, recv(p->srv, NULL, 0, 0));
	ASSERT_EQ(4, recv(p->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "data", 4));
}

/*
 * test_send: with SO_SNDBUF 0 an overlapped send of much data pends
 * until the peer drains it; the event then signals with the full length.
 */
TEST_F(stream, send_pends_until_peer_drains)
{
	struct pair *p = &self->p;
	static char big[1 << 20], sink[65536];
	WSABUF b = { sizeof(big), big };
	DWORD n = UNTOUCHED;
	WSAOVERLAPPED ov;
	long got = 0;
	int zero = 0, ret, i;

	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)(i * 7 + (i >> 11));
	ASSERT_EQ(0, setsockopt(p->srv, SOL_SOCKET, SO_SNDBUF, (char *)&zero,
				sizeof(zero)));
	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSASend(p->srv, &b, 1, &n, 0, &ov, NULL));
	EXPECT_EQ(UNTOUCHED, n);
	EXPECT_FALSE(HasOverlappedIoCompleted(&ov));
	while (got < (long)sizeof(big)) {
		ret = recv(p->cli, sink, sizeof(sink), 0);
		ASSERT_LT(0, ret);
		for (i = 0; i < ret; i++) {
			if (sink[i] != big[got + i]) {
				TH_LOG("byte %ld differs", got + i);
				ASSERT_EQ(big[got + i], sink[i]);
			}
		}
		got += ret;
	}
	WAIT_EV(p->ev);
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, sizeof(big), 0);
}

/*
 * test_tcp_reset: a reset fails both pending receives (WSAECONNRESET, 0
 * bytes); SO_ERROR is then 0; later WSARecv and send fail with
 * WSAECONNRESET at once; WSAPoll says POLLERR | POLLHUP | POLLWRNORM,
 * select readable and writable.
 */
TEST_F(stream, reset_fails_pending_receives_and_sticks)
{
	struct pair *p = &self->p;
	char b1[8], b2[8];
	WSABUF w1 = { 8, b1 }, w2 = { 8, b2 };
	DWORD flags = 0;
	WSAOVERLAPPED o1, o2, o3;
	WSAPOLLFD pfd;
	fd_set rd, wr;
	struct timeval tv = { 1, 0 };
	int err = -1, len = sizeof(err);

	ovl_init(&o1, p->ev);
	ovl_init(&o2, p->ev2);
	ASSERT_PENDING(WSARecv(p->srv, &w1, 1, NULL, &flags, &o1, NULL));
	ASSERT_PENDING(WSARecv(p->srv, &w2, 1, NULL, &flags, &o2, NULL));
	wsa_close_with_rst(_metadata, p->family, p->cli, p->srv);
	p->cli = INVALID_SOCKET;
	WAIT_EV(p->ev);
	WAIT_EV(p->ev2);
	CHECK_RESULT(p->srv, &o1, FALSE, FALSE, 0, WSAECONNRESET);
	CHECK_RESULT(p->srv, &o2, FALSE, FALSE, 0, WSAECONNRESET);
	ASSERT_EQ(0, getsockopt(p->srv, SOL_SOCKET, SO_ERROR, (char *)&err, &len));
	EXPECT_EQ(0, err);

	ovl_init(&o3, p->ev);
	ASSERT_TRUE(WSASetEvent(p->ev));
	EXPECT_FAIL(WSARecv(p->srv, &w1, 1, NULL, &flags, &o3, NULL), WSAECONNRESET);
	EXPECT_FAIL(send(p->srv, "data", 4, 0), WSAECONNRESET);
	EXPECT_FAIL(WSASend(p->srv, &w1, 1, NULL, 0, &o3, NULL), WSAECONNRESET);
	EXPECT_FAIL(recv(p->srv, b1, sizeof(b1), 0), WSAECONNRESET);

	pfd.fd = p->srv;
	pfd.events = POLLRDNORM | POLLWRNORM;
	pfd.revents = 0;
	EXPECT_EQ(1, WSAPoll(&pfd, 1, 1000));
	EXPECT_EQ(POLLERR | POLLHUP | POLLWRNORM, pfd.revents);
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p->srv, &rd);
	FD_SET(p->srv, &wr);
	EXPECT_EQ(2, select(0, &rd, &wr, NULL, &tv));
}

/*
 * test_shutdown: a receive pending at shutdown(SD_RECEIVE) survives and
 * completes with later data, while new receives fail with WSAESHUTDOWN;
 * a receive pending when the peer shuts its side down completes with 0
 * bytes.
 */
TEST_F(stream, pending_receive_survives_sd_receive)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov, ov2;

	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, NULL));
	ASSERT_EQ(0, shutdown(p->srv, SD_RECEIVE));
	ovl_init(&ov2, p->ev2);
	EXPECT_FAIL(WSARecv(p->srv, &b, 1, NULL, &flags, &ov2, NULL), WSAESHUTDOWN);
	EXPECT_FAIL(WSARecv(p->srv, &b, 1, &n, &flags, NULL, NULL), WSAESHUTDOWN);
	EXPECT_FAIL(recv(p->srv, buf, sizeof(buf), 0), WSAESHUTDOWN);
	SEND(p->cli, "after", 5);
	WAIT_EV(p->ev);
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 5, 0);
	EXPECT_EQ(0, memcmp(buf, "after", 5));
}

TEST_F(stream, pending_receive_completes_empty_at_peer_sd_send)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	WSAOVERLAPPED ov;

	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, NULL));
	ASSERT_EQ(0, shutdown(p->cli, SD_SEND));
	WAIT_EV(p->ev);
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 0, 0);
	/* And after SD_SEND, sends fail with WSAESHUTDOWN. */
	EXPECT_FAIL(WSASend(p->cli, &b, 1, NULL, 0, &ov, NULL), WSAESHUTDOWN);
}

/* MSG_WAITALL: the receive completes when its buffers are full. */
TEST_F(stream, waitall_receive_completes_when_full)
{
	struct pair *p = &self->p;
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = MSG_WAITALL;
	WSAOVERLAPPED ov;

	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, NULL));
	SEND(p->cli, "abc", 3);
	EXPECT_EQ(WSA_WAIT_TIMEOUT, wsa_wait(p->ev, WSA_TEST_QUIET_MS));
	SEND(p->cli, "defgh", 5);
	WAIT_EV(p->ev);
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 8, 0);
	EXPECT_EQ(0, memcmp(buf, "abcdefgh", 8));
}

/* WSARecvFrom on a stream socket leaves lpFrom and lpFromlen alone. */
TEST_F(stream, recvfrom_ignores_from_on_streams)
{
	struct pair *p = &self->p;
	struct sockaddr_storage from;
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	WSAOVERLAPPED ov;
	int fromlen = 3;

	memset(&from, 0x5a, sizeof(from));
	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecvFrom(p->srv, &b, 1, NULL, &flags,
				   (struct sockaddr *)&from, &fromlen, &ov, NULL));
	SEND(p->cli, "xy", 2);
	WAIT_EV(p->ev);
	CHECK_RESULT(p->srv, &ov, FALSE, TRUE, 2, 0);
	EXPECT_EQ(3, fromlen);
	EXPECT_EQ(0x5a5a, from.ss_family);
}

/* ------------------------------------------------------------------ */
/* Datagram sockets.                                                   */

FIXTURE(dgram) {
	struct pair p;
};

FIXTURE_VARIANT(dgram) {
	int family;
};

FIXTURE_VARIANT_ADD(dgram, udp_ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(dgram, udp_ipv6) { .family = AF_INET6 };

FIXTURE_SETUP(dgram)
{
	pair_setup(_metadata, &self->p, variant->family, SOCK_DGRAM);
}

FIXTURE_TEARDOWN(dgram)
{
	pair_teardown(&self->p);
}

static USHORT port_of(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ?
	       ((const struct sockaddr_in6 *)sa)->sin6_port :
	       ((const struct sockaddr_in *)sa)->sin_port;
}

/*
 * A datagram bigger than the buffers: they get its head, the rest is
 * lost, and the receive fails with WSAEMSGSIZE: pending, at once, and
 * without an OVERLAPPED.
 */
TEST_F(dgram, truncated_datagram_keeps_its_head)
{
	struct pair *p = &self->p;
	char buf[4];
	WSABUF b = { sizeof(buf), buf };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;

	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, NULL));
	SEND(p->cli, "0123456789", 10);
	WAIT_EV(p->ev);
	CHECK_RESULT(p->srv, &ov, FALSE, FALSE, 4, WSAEMSGSIZE);
	CHECK_RESULT(p->srv, &ov, TRUE, FALSE, 4, WSAEMSGSIZE);
	EXPECT_EQ(0, memcmp(buf, "0123", 4));

	SEND(p->cli, "abcdefghij", 10);
	WAIT_READABLE(p->srv);
	ovl_init(&ov, p->ev);
	memset(buf, 0, sizeof(buf));
	EXPECT_FAIL(WSARecv(p->srv, &b, 1, &n, &flags, &ov, NULL), WSAEMSGSIZE);
	/* It completed all the same: the event is set. */
	EXPECT_TRUE(wsa_signaled(p->ev));
	EXPECT_EQ(0, memcmp(buf, "abcd", 4));
	CHECK_RESULT(p->srv, &ov, FALSE, FALSE, 4, WSAEMSGSIZE);

	SEND(p->cli, "ABCDEFGHIJ", 10);
	WAIT_READABLE(p->srv);
	n = UNTOUCHED;
	EXPECT_FAIL(WSARecv(p->srv, &b, 1, &n, &flags, NULL, NULL), WSAEMSGSIZE);
	EXPECT_EQ(0, memcmp(buf, "ABCD", 4));
	/* The rest of each datagram is gone. */
	SEND(p->cli, "next", 4);
	WAIT_READABLE(p->srv);
	ASSERT_EQ(0, WSARecv(p->srv, &b, 1, &n, &flags, NULL, NULL));
	EXPECT_EQ(4u, n);
	EXPECT_EQ(0, memcmp(buf, "next", 4));
}

/*
 * WSARecvFrom stores the source address and its length at completion
 * (both must stay valid until then), or in the call when it completes
 * there.
 */
TEST_F(dgram, recvfrom_fills_the_source_at_completion)
{
	struct pair *p = &self->p;
	SOCKET rcv, snd;
	struct wsa_addr a_rcv, a_snd;
	struct sockaddr_storage from;
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;
	int fromlen, round;

	/* Unconnected sockets. */
	rcv = wsa_socket(_metadata, p->family, SOCK_DGRAM);
	wsa_loopback(&a_rcv, p->family);
	wsa_bind(_metadata, rcv, &a_rcv);
	snd = wsa_socket(_metadata, p->family, SOCK_DGRAM);
	wsa_loopback(&a_snd, p->family);
	wsa_bind(_metadata, snd, &a_snd);

	for (round = 0; round < 2; round++) {
		memset(&from, 0x5a, sizeof(from));
		fromlen = sizeof(from);
		ovl_init(&ov, p->ev);
		if (round == 0) {
			ASSERT_PENDING(WSARecvFrom(rcv, &b, 1, NULL, &flags,
						   (struct sockaddr *)&from,
						   &fromlen, &ov, NULL));
			EXPECT_EQ((int)sizeof(from), fromlen);
			ASSERT_EQ(3, sendto(snd, "src", 3, 0, &a_rcv.u.sa, a_rcv.len));
			WAIT_EV(p->ev);
			CHECK_RESULT(rcv, &ov, FALSE, TRUE, 3, 0);
		} else {
			ASSERT_EQ(3, sendto(snd, "src", 3, 0, &a_rcv.u.sa, a_rcv.len));
			WAIT_READABLE(rcv);
			ASSERT_EQ(0, WSARecvFrom(rcv, &b, 1, &n, &flags,
						 (struct sockaddr *)&from,
						 &fromlen, &ov, NULL));
			EXPECT_EQ(3u, n);
		}
		EXPECT_EQ(a_snd.len, fromlen);
		EXPECT_EQ(p->family, from.ss_family);
		EXPECT_EQ(port_of(&a_snd.u.sa), port_of((struct sockaddr *)&from));
	}
	/* Too small for the family: WSAEFAULT, nothing started. */
	fromlen = 8;
	EXPECT_FAIL(WSARecvFrom(rcv, &b, 1, NULL, &flags, (struct sockaddr *)&from,
				&fromlen, &ov, NULL), WSAEFAULT);
	closesocket(rcv);
	closesocket(snd);
}

/*
 * test_WSASendTo: success sets the last error to 0 and binds an unbound
 * socket; overlapped, the datagram goes out in the call.
 */
TEST_F(dgram, sendto_binds_and_clears_the_last_error)
{
	struct pair *p = &self->p;
	struct wsa_addr name;
	char data[] = "to", buf[8];
	WSABUF b = { 2, data };
	DWORD n = UNTOUCHED;
	WSAOVERLAPPED ov;
	SOCKET s = wsa_socket(_metadata, p->family, SOCK_DGRAM);
	int len = sizeof(name.u);

	WSASetLastError(12345);
	ASSERT_EQ(0, WSASendTo(s, &b, 1, &n, 0, &p->a_srv.u.sa, p->a_srv.len,
			       NULL, NULL));
	EXPECT_EQ(0, WSAGetLastError());
	EXPECT_EQ(2u, n);
	EXPECT_EQ(0, getsockname(s, &name.u.sa, &len));
	/* (srv is connected to cli: it drops that datagram.) */
	ovl_init(&ov, p->ev);
	WSASetLastError(12345);
	ASSERT_EQ(0, WSASendTo(p->cli, &b, 1, &n, 0, &p->a_srv.u.sa, p->a_srv.len,
			       &ov, NULL));
	EXPECT_EQ(0, WSAGetLastError());
	EXPECT_TRUE(wsa_signaled(p->ev));
	CHECK_RESULT(p->cli, &ov, FALSE, TRUE, 2, 0);
	WAIT_READABLE(p->srv);
	ASSERT_EQ(2, recv(p->srv, buf, sizeof(buf), 0));
	closesocket(s);
}

/* test_shutdown, UDP: SD_RECEIVE then receives, SD_SEND then sends fail. */
TEST_F(dgram, shutdown_fails_new_operations)
{
	struct pair *p = &self->p;
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD n, flags = 0;
	WSAOVERLAPPED ov;
	int len = p->a_cli.len;

	ASSERT_EQ(0, shutdown(p->srv, SD_RECEIVE));
	EXPECT_FAIL(recvfrom(p->srv, buf, sizeof(buf), 0, NULL, NULL), WSAESHUTDOWN);
	ovl_init(&ov, p->ev);
	EXPECT_FAIL(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, NULL), WSAESHUTDOWN);
	EXPECT_FAIL(WSARecvFrom(p->srv, &b, 1, &n, &flags, &p->a_cli.u.sa, &len,
				NULL, NULL), WSAESHUTDOWN);
	ASSERT_EQ(0, shutdown(p->cli, SD_SEND));
	EXPECT_FAIL(sendto(p->cli, "x", 1, 0, &p->a_srv.u.sa, p->a_srv.len),
		    WSAESHUTDOWN);
	EXPECT_FAIL(WSASendTo(p->cli, &b, 1, NULL, 0, &p->a_srv.u.sa, p->a_srv.len,
			      &ov, NULL), WSAESHUTDOWN);
}

TEST_HARNESS_MAIN
