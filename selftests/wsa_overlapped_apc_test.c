// SPDX-License-Identifier: GPL-2.0-only
/*
 * Completion routines of overlapped I/O through the Winsock API
 * (winsock-spec.md §5 fAlertable, §7, §9 test_WSARecv): a routine runs
 * only in an alertable wait (WSAWaitForMultipleEvents with fAlertable,
 * WSASleepEx: SleepEx on Windows) of the thread that posted the
 * operation, never inside the initiating call; all completed routines
 * run before the wait returns WSA_WAIT_IO_COMPLETION; hEvent is neither
 * signaled nor reset.  Over loopback TCP/IPv4, TCP/IPv6, UDP/IPv4 and
 * UDP/IPv6.
 *
 * Written as a Windows program (wsa_test.h); tools/testing/wine's
 * stand-in <wsaevent.h> would "#define WSASleepEx SleepEx".
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

#define UNTOUCHED	0xdeadbeefu

static void ovl_init(WSAOVERLAPPED *ov, WSAEVENT ev)
{
	memset(ov, 0, sizeof(*ov));
	ov->hEvent = ev;
}

/* ------------------------------------------------------------------ */
/* What the routines saw.                                              */

#define MAX_CALLS	512

struct call {
	DWORD err, bytes, flags;
	WSAOVERLAPPED *ov;
	pthread_t thread;
};

static struct call calls[MAX_CALLS];
static volatile int ncalls;

static void CALLBACK record(DWORD dwError, DWORD cbTransferred,
			    LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
	int i = ncalls;

	if (i < MAX_CALLS) {
		calls[i].err = dwError;
		calls[i].bytes = cbTransferred;
		calls[i].flags = dwFlags;
		calls[i].ov = lpOverlapped;
		calls[i].thread = pthread_self();
	}
	ncalls = i + 1;
}

#define CHECK_CALL(i, e, n, o) do {					\
	EXPECT_EQ((DWORD)(e), calls[i].err);				\
	EXPECT_EQ((DWORD)(n), calls[i].bytes);				\
	EXPECT_EQ(0u, calls[i].flags);					\
	EXPECT_EQ((o), calls[i].ov);					\
	EXPECT_TRUE(pthread_equal(pthread_self(), calls[i].thread));	\
} while (0)

/*
 * Wait, without running anything, until @ov has completed: polls
 * HasOverlappedIoCompleted with Sleep(), which is not alertable.
 */
static int wait_done(WSAOVERLAPPED *ov)
{
	uint64_t end = wsa_now_ms() + WSA_TEST_WAIT_MS;

	while (!HasOverlappedIoCompleted(ov)) {
		if (wsa_now_ms() > end)
			return 0;
		wsa_sleep_ms(1);
	}
	return 1;
}

#define WAIT_DONE(ov)	ASSERT_TRUE(wait_done(ov))

/* ------------------------------------------------------------------ */
/* The fixture: a connected pair, stream or datagram.                  */

struct pair {
	SOCKET lsn, cli, srv;
	struct wsa_addr a_srv, a_cli;
	WSAEVENT ev, ev2;
	int family, type;
};

static void pair_setup(struct __test_metadata *_metadata, struct pair *p,
		       int family, int type)
{
	WSADATA data;

	ncalls = 0;
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
		return;
	}
	p->srv = wsa_socket(_metadata, family, SOCK_DGRAM);
	wsa_loopback(&p->a_srv, family);
	wsa_bind(_metadata, p->srv, &p->a_srv);
	p->cli = wsa_socket(_metadata, family, SOCK_DGRAM);
	wsa_loopback(&p->a_cli, family);
	wsa_bind(_metadata, p->cli, &p->a_cli);
	ASSERT_EQ(0, connect(p->cli, &p->a_srv.u.sa, p->a_srv.len));
	ASSERT_EQ(0, connect(p->srv, &p->a_cli.u.sa, p->a_cli.len));
}

static void pair_teardown(struct pair *p)
{
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

#define SEND(s, data, len) wsa_send_all(_metadata, (s), (data), (len))
#define WAIT_READABLE(s) ASSERT_TRUE(wsa_poll_in((s), WSA_TEST_WAIT_MS))

FIXTURE(apc) {
	struct pair p;
};

FIXTURE_VARIANT(apc) {
	int family, type;
};

FIXTURE_VARIANT_ADD(apc, tcp_ipv4) { .family = AF_INET, .type = SOCK_STREAM };
FIXTURE_VARIANT_ADD(apc, tcp_ipv6) { .family = AF_INET6, .type = SOCK_STREAM };
FIXTURE_VARIANT_ADD(apc, udp_ipv4) { .family = AF_INET, .type = SOCK_DGRAM };
FIXTURE_VARIANT_ADD(apc, udp_ipv6) { .family = AF_INET6, .type = SOCK_DGRAM };

FIXTURE_SETUP(apc)
{
	pair_setup(_metadata, &self->p, variant->family, variant->type);
}

FIXTURE_TEARDOWN(apc)
{
	pair_teardown(&self->p);
}

/*
 * test_WSARecv: the routine is called once, by SleepEx(1000, TRUE),
 * which returns WAIT_IO_COMPLETION; hEvent is not signaled.  It never ran
 * before: not at completion, not in the initiating call.
 */
TEST_F(apc, routine_runs_once_in_alertable_sleep)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	WSAOVERLAPPED ov;

	ovl_init(&ov, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, record));
	SEND(p->cli, "hello", 5);
	WAIT_DONE(&ov);
	EXPECT_EQ(0, ncalls);
	EXPECT_EQ(WAIT_IO_COMPLETION, WSASleepEx(1000, TRUE));
	ASSERT_EQ(1, ncalls);
	CHECK_CALL(0, 0, 5, &ov);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_FALSE(wsa_signaled(p->ev));
	/* Once only. */
	EXPECT_EQ(0u, WSASleepEx(WSA_TEST_QUIET_MS, TRUE));
	EXPECT_EQ(1, ncalls);
}

/* hEvent is the program's with a routine: neither reset nor signaled. */
TEST_F(apc, hevent_is_left_alone)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	WSAOVERLAPPED o1, o2;

	ASSERT_TRUE(WSASetEvent(p->ev));
	ovl_init(&o1, p->ev);		/* signaled: must stay so */
	ovl_init(&o2, p->ev2);		/* reset: must stay so */
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &o1, record));
	EXPECT_TRUE(wsa_signaled(p->ev));
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &o2, record));
	SEND(p->cli, "a", 1);
	WAIT_DONE(&o1);
	SEND(p->cli, "b", 1);
	WAIT_DONE(&o2);
	EXPECT_EQ(WAIT_IO_COMPLETION, WSASleepEx(1000, TRUE));
	EXPECT_EQ(2, ncalls);
	EXPECT_TRUE(wsa_signaled(p->ev));
	EXPECT_FALSE(wsa_signaled(p->ev2));
}

/*
 * An operation that completes inside the call: it returns 0 with the
 * count, and its routine is only queued, for the next alertable wait.
 */
TEST_F(apc, immediate_completion_queues_the_routine)
{
	struct pair *p = &self->p;
	char buf[16];
	WSABUF b = { sizeof(buf), buf };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov, so;

	SEND(p->cli, "now", 3);
	WAIT_READABLE(p->srv);
	ovl_init(&ov, p->ev);
	ASSERT_EQ(0, WSARecv(p->srv, &b, 1, &n, &flags, &ov, record));
	EXPECT_EQ(3u, n);
	EXPECT_TRUE(HasOverlappedIoCompleted(&ov));
	EXPECT_EQ(0, ncalls);
	EXPECT_FALSE(wsa_signaled(p->ev));
	/* A send completing in the call: the same. */
	ovl_init(&so, p->ev);
	ASSERT_EQ(0, WSASend(p->cli, &b, 1, &n, 0, &so, record));
	EXPECT_EQ(0, ncalls);
	EXPECT_EQ(WSA_WAIT_IO_COMPLETION,
		  WSAWaitForMultipleEvents(1, &p->ev2, FALSE, 1000, TRUE));
	ASSERT_EQ(2, ncalls);
	CHECK_CALL(0, 0, 3, &ov);
	CHECK_CALL(1, 0, sizeof(buf), &so);
	EXPECT_FALSE(wsa_signaled(p->ev));
}

/*
 * test_WSARecv: a non-overlapped WSARecv that completes at once runs no
 * routine; neither do recv, a non-alertable wait, a non-alertable sleep.
 */
TEST_F(apc, only_alertable_waits_run_routines)
{
	struct pair *p = &self->p;
	char buf[16], buf2[16];
	WSABUF b = { sizeof(buf), buf }, b2 = { sizeof(buf2), buf2 };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;

	ovl_init(&ov, NULL);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, record));
	SEND(p->cli, "first", 5);
	WAIT_DONE(&ov);

	SEND(p->cli, "sync!", 5);
	WAIT_READABLE(p->srv);
	ASSERT_EQ(0, WSARecv(p->srv, &b2, 1, &n, &flags, NULL, NULL));
	EXPECT_EQ(5u, n);
	EXPECT_EQ(0, ncalls);
	SEND(p->cli, "plain", 5);
	WAIT_READABLE(p->srv);
	EXPECT_EQ(5, recv(p->srv, buf2, sizeof(buf2), 0));
	EXPECT_EQ(0, ncalls);
	ASSERT_TRUE(WSASetEvent(p->ev));
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(1, &p->ev, FALSE, 1000, FALSE));
	EXPECT_EQ(WSA_WAIT_TIMEOUT,
		  WSAWaitForMultipleEvents(1, &p->ev2, FALSE, WSA_TEST_QUIET_MS,
					   FALSE));
	EXPECT_EQ(0u, WSASleepEx(0, FALSE));
	EXPECT_EQ(0u, WSASleepEx(WSA_TEST_QUIET_MS, FALSE));
	EXPECT_EQ(0, ncalls);
	/* An alertable sleep of 0 runs what is queued. */
	EXPECT_EQ(WAIT_IO_COMPLETION, WSASleepEx(0, TRUE));
	ASSERT_EQ(1, ncalls);
	CHECK_CALL(0, 0, 5, &ov);
	EXPECT_EQ(0, memcmp(buf, "first", 5));
}

/*
 * Routines run only in the issuing thread's alertable waits, and all of
 * the completed ones in one wait: thread B's alertable waits run none of
 * A's (B has routines of its own pending), A's non-alertable waits none,
 * A's first alertable wait all eight, in posting order.
 */
struct other {
	SOCKET s;
	WSAEVENT ev;
	DWORD wait_ret, sleep_ret;
	int seen;
};

static void *other_thread_main(void *arg)
{
	struct other *o = arg;
	static WSAOVERLAPPED ov;
	static char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;

	/* An operation of B's own, so that B has routines to wait for. */
	ovl_init(&ov, NULL);
	if (WSARecv(o->s, &b, 1, NULL, &flags, &ov, record) == SOCKET_ERROR &&
	    WSAGetLastError() != WSA_IO_PENDING)
		return NULL;
	o->wait_ret = WSAWaitForMultipleEvents(1, &o->ev, FALSE,
					       WSA_TEST_QUIET_MS, TRUE);
	o->sleep_ret = WSASleepEx(WSA_TEST_QUIET_MS, TRUE);
	o->seen = ncalls;
	return NULL;
}

TEST_F(apc, only_the_issuing_thread_runs_them_all_at_once)
{
	struct pair *p = &self->p;
	struct other o = { .s = p->cli, .ev = p->ev2, .seen = -1 };
	WSAOVERLAPPED ov[8];
	char buf[8][4];
	WSABUF b;
	DWORD flags = 0;
	pthread_t t;
	int i;

	for (i = 0; i < 8; i++) {
		b.len = p->type == SOCK_STREAM ? 1 : sizeof(buf[i]);
		b.buf = buf[i];
		ovl_init(&ov[i], p->ev);
		ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov[i], record));
	}
	if (p->type == SOCK_STREAM) {
		SEND(p->cli, "01234567", 8);
	} else {
		for (i = 0; i < 8; i++)
			SEND(p->cli, "01234567" + i, 1);
	}
	for (i = 0; i < 8; i++)
		WAIT_DONE(&ov[i]);

	ASSERT_EQ(0, pthread_create(&t, NULL, other_thread_main, &o));
	pthread_join(t, NULL);
	EXPECT_EQ(WSA_WAIT_TIMEOUT, o.wait_ret);
	EXPECT_EQ(0u, o.sleep_ret);
	EXPECT_EQ(0, o.seen);

	EXPECT_EQ(WSA_WAIT_TIMEOUT,
		  WSAWaitForMultipleEvents(1, &p->ev2, FALSE, WSA_TEST_QUIET_MS,
					   FALSE));
	EXPECT_EQ(0u, WSASleepEx(WSA_TEST_QUIET_MS, FALSE));
	EXPECT_EQ(0, ncalls);

	EXPECT_EQ(WSA_WAIT_IO_COMPLETION,
		  WSAWaitForMultipleEvents(1, &p->ev2, FALSE, 1000, TRUE));
	ASSERT_EQ(8, ncalls);
	for (i = 0; i < 8; i++) {
		CHECK_CALL(i, 0, 1, &ov[i]);
		EXPECT_EQ('0' + i, buf[i][0]);
	}
	/* hEvent was never signaled. */
	EXPECT_FALSE(wsa_signaled(p->ev));
	EXPECT_EQ(0u, WSASleepEx(WSA_TEST_QUIET_MS, TRUE));
	EXPECT_EQ(8, ncalls);
}

/*
 * A signaled object satisfies an alertable wait before queued routines
 * do (Windows and Wine check the objects first); the next wait runs them.
 */
TEST_F(apc, signaled_object_is_reported_before_routines)
{
	struct pair *p = &self->p;
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	WSAOVERLAPPED ov;

	ovl_init(&ov, NULL);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, record));
	SEND(p->cli, "obj", 3);
	WAIT_DONE(&ov);
	ASSERT_TRUE(WSASetEvent(p->ev));
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(1, &p->ev, FALSE, 1000, TRUE));
	EXPECT_EQ(0, ncalls);
	ASSERT_TRUE(WSAResetEvent(p->ev));
	EXPECT_EQ(WSA_WAIT_IO_COMPLETION,
		  WSAWaitForMultipleEvents(1, &p->ev, FALSE, 1000, TRUE));
	EXPECT_EQ(1, ncalls);
}

/* closesocket: the routine gets WSA_OPERATION_ABORTED and 0 bytes. */
TEST_F(apc, closesocket_aborts_with_wsa_operation_aborted)
{
	struct pair *p = &self->p;
	char b1[8], b2[8];
	WSABUF w1 = { sizeof(b1), b1 }, w2 = { sizeof(b2), b2 };
	DWORD flags = 0;
	WSAOVERLAPPED o1, o2;

	ovl_init(&o1, p->ev);
	ovl_init(&o2, p->ev);
	ASSERT_PENDING(WSARecv(p->srv, &w1, 1, NULL, &flags, &o1, record));
	ASSERT_PENDING(WSARecv(p->srv, &w2, 1, NULL, &flags, &o2, record));
	ASSERT_EQ(0, closesocket(p->srv));
	p->srv = INVALID_SOCKET;
	EXPECT_EQ(WAIT_IO_COMPLETION, WSASleepEx(1000, TRUE));
	ASSERT_EQ(2, ncalls);
	CHECK_CALL(0, WSA_OPERATION_ABORTED, 0, &o1);
	CHECK_CALL(1, WSA_OPERATION_ABORTED, 0, &o2);
	EXPECT_FALSE(wsa_signaled(p->ev));
}

/* A routine may post the next operation; each wait runs what completed. */
struct chain {
	SOCKET s;
	WSAOVERLAPPED ov;
	char buf[4];
	int posted, failed;
};

static struct chain chain;

static void CALLBACK chain_routine(DWORD dwError, DWORD cbTransferred,
				   LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
	WSABUF b = { 1, chain.buf };
	DWORD flags = 0;

	record(dwError, cbTransferred, lpOverlapped, dwFlags);
	if (chain.posted >= 3)
		return;
	ovl_init(&chain.ov, NULL);
	chain.posted++;
	if (WSARecv(chain.s, &b, 1, NULL, &flags, &chain.ov, chain_routine) &&
	    WSAGetLastError() != WSA_IO_PENDING)
		chain.failed++;
}

static void *slow_sender_main(void *arg)
{
	SOCKET s = *(SOCKET *)arg;
	int i;

	for (i = 0; i < 4; i++) {
		wsa_sleep_ms(20);
		send(s, "c", 1, 0);
	}
	return NULL;
}

TEST_F(apc, routine_may_post_the_next_operation)
{
	struct pair *p = &self->p;
	WSABUF b = { 1, chain.buf };
	DWORD flags = 0, ret;
	pthread_t t;
	int before;
	uint64_t end = wsa_now_ms() + WSA_TEST_WAIT_MS;

	chain.s = p->srv;
	ovl_init(&chain.ov, NULL);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &chain.ov,
			       chain_routine));
	ASSERT_EQ(0, pthread_create(&t, NULL, slow_sender_main, &p->cli));
	while (ncalls < 4 && wsa_now_ms() < end) {
		before = ncalls;
		ret = WSAWaitForMultipleEvents(1, &p->ev, FALSE, 1000, TRUE);
		if (ret == WSA_WAIT_IO_COMPLETION) {
			/* Never WSA_WAIT_IO_COMPLETION with nothing run. */
			ASSERT_LT(before, ncalls);
		} else {
			ASSERT_EQ(WSA_WAIT_TIMEOUT, ret);
		}
	}
	pthread_join(t, NULL);
	EXPECT_EQ(4, ncalls);
	EXPECT_EQ(0, chain.failed);
}

/*
 * The routines of a thread that exited never run; its operations were
 * cancelled (WSA_OPERATION_ABORTED) and took no data.
 */
static void *post_routine_then_exit_main(void *arg)
{
	struct pair *p = arg;
	static WSAOVERLAPPED ov;
	static char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;

	ovl_init(&ov, p->ev);
	if (WSARecv(p->srv, &b, 1, NULL, &flags, &ov, record) == SOCKET_ERROR &&
	    WSAGetLastError() == WSA_IO_PENDING)
		return &ov;
	return NULL;
}

TEST_F(apc, exited_threads_routines_never_run)
{
	struct pair *p = &self->p;
	WSAOVERLAPPED *ov, mine;
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD n, flags = 0;
	pthread_t t;

	/* This thread too has routines to wait for. */
	ovl_init(&mine, NULL);
	ASSERT_PENDING(WSARecv(p->cli, &b, 1, NULL, &flags, &mine, record));
	ASSERT_EQ(0, pthread_create(&t, NULL, post_routine_then_exit_main, p));
	ASSERT_EQ(0, pthread_join(t, (void **)&ov));
	ASSERT_NE(NULL, ov);
	WAIT_DONE(ov);
	WSASetLastError(0);
	EXPECT_FALSE(WSAGetOverlappedResult(p->srv, ov, &n, FALSE, &flags));
	EXPECT_EQ(WSA_OPERATION_ABORTED, WSAGetLastError());
	EXPECT_EQ(0u, n);
	EXPECT_EQ(0u, WSASleepEx(WSA_TEST_QUIET_MS, TRUE));
	EXPECT_EQ(0, ncalls);
	EXPECT_FALSE(wsa_signaled(p->ev));
	SEND(p->cli, "kept", 4);
	WAIT_READABLE(p->srv);
	EXPECT_EQ(4, recv(p->srv, buf, sizeof(buf), 0));
}

/*
 * Many completions while the thread waits alertably: every routine runs
 * once, in order, and no wait returns WSA_WAIT_IO_COMPLETION without
 * running one.
 */
#define MANY	100

struct sender {
	SOCKET s;
	int count;
};

static void *byte_sender_main(void *arg)
{
	struct sender *sd = arg;
	char c;
	int i;

	for (i = 0; i < sd->count; i++) {
		c = (char)i;
		send(sd->s, &c, 1, 0);
		if (i % 10 == 0)
			wsa_sleep_ms(1);
	}
	return NULL;
}

TEST_F(apc, many_completions_all_run_once_in_order)
{
	struct pair *p = &self->p;
	static WSAOVERLAPPED ov[MANY];
	static char buf[MANY][4];
	struct sender sd = { p->cli, MANY };
	WSABUF b;
	DWORD flags = 0, ret;
	uint64_t end = wsa_now_ms() + 4 * WSA_TEST_WAIT_MS;
	pthread_t t;
	int i, before;

	for (i = 0; i < MANY; i++) {
		b.len = p->type == SOCK_STREAM ? 1 : sizeof(buf[i]);
		b.buf = buf[i];
		ovl_init(&ov[i], NULL);
		ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov[i], record));
	}
	ASSERT_EQ(0, pthread_create(&t, NULL, byte_sender_main, &sd));
	while (ncalls < MANY && wsa_now_ms() < end) {
		before = ncalls;
		ret = WSAWaitForMultipleEvents(1, &p->ev, FALSE, 1000, TRUE);
		if (ret == WSA_WAIT_IO_COMPLETION) {
			ASSERT_LT(before, ncalls);
		} else {
			ASSERT_EQ(WSA_WAIT_TIMEOUT, ret);
		}
	}
	pthread_join(t, NULL);
	ASSERT_EQ(MANY, ncalls);
	for (i = 0; i < MANY; i++) {
		if (calls[i].ov != &ov[i] || calls[i].err || calls[i].bytes != 1 ||
		    buf[i][0] != (char)i)
			TH_LOG("routine %d: ov %p (expected %p), error %u, %u bytes, byte %d",
			       i, (void *)calls[i].ov, (void *)&ov[i],
			       (unsigned int)calls[i].err,
			       (unsigned int)calls[i].bytes, buf[i][0]);
		ASSERT_EQ(&ov[i], calls[i].ov);
		ASSERT_EQ(0u, calls[i].err);
		ASSERT_EQ(1u, calls[i].bytes);
		ASSERT_EQ((char)i, buf[i][0]);
	}
}

/* WSASleepEx: 0 after the time, WAIT_IO_COMPLETION as soon as one runs. */
struct delayed_send {
	SOCKET s;
	unsigned int ms;
};

static void *delayed_send_main(void *arg)
{
	struct delayed_send *d = arg;

	wsa_sleep_ms(d->ms);
	send(d->s, "late", 4, 0);
	return NULL;
}

TEST_F(apc, alertable_sleep_and_wait_all)
{
	struct pair *p = &self->p;
	struct delayed_send d = { p->cli, 100 };
	WSAEVENT both[2] = { p->ev, p->ev2 };
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	WSAOVERLAPPED ov;
	uint64_t t0;
	pthread_t t;

	/* Nothing queued: an alertable sleep is a sleep. */
	t0 = wsa_now_ms();
	EXPECT_EQ(0u, WSASleepEx(50, TRUE));
	EXPECT_LE(45u, wsa_now_ms() - t0);
	EXPECT_EQ(0u, WSASleepEx(0, TRUE));

	ovl_init(&ov, NULL);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, record));
	ASSERT_EQ(0, pthread_create(&t, NULL, delayed_send_main, &d));
	EXPECT_EQ(WAIT_IO_COMPLETION, WSASleepEx(INFINITE, TRUE));
	pthread_join(t, NULL);
	EXPECT_EQ(1, ncalls);

	/* Wait-all on unsignaled events ends for the routine too. */
	ovl_init(&ov, NULL);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, record));
	ASSERT_EQ(0, pthread_create(&t, NULL, delayed_send_main, &d));
	EXPECT_EQ(WSA_WAIT_IO_COMPLETION,
		  WSAWaitForMultipleEvents(2, both, TRUE, WSA_TEST_WAIT_MS, TRUE));
	pthread_join(t, NULL);
	EXPECT_EQ(2, ncalls);
	CHECK_CALL(1, 0, 4, &ov);
}

/* After the routine ran, WSAGetOverlappedResult still answers. */
TEST_F(apc, getoverlappedresult_after_the_routine)
{
	struct pair *p = &self->p;
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD n = UNTOUCHED, flags = 0;
	WSAOVERLAPPED ov;

	ovl_init(&ov, NULL);
	ASSERT_PENDING(WSARecv(p->srv, &b, 1, NULL, &flags, &ov, record));
	WSASetLastError(0);
	EXPECT_FALSE(WSAGetOverlappedResult(p->srv, &ov, &n, FALSE, &flags));
	EXPECT_EQ(WSA_IO_INCOMPLETE, WSAGetLastError());
	SEND(p->cli, "res", 3);
	WAIT_DONE(&ov);
	EXPECT_EQ(WAIT_IO_COMPLETION, WSASleepEx(1000, TRUE));
	EXPECT_TRUE(WSAGetOverlappedResult(p->srv, &ov, &n, FALSE, &flags));
	EXPECT_EQ(3u, n);
	EXPECT_EQ(0u, flags);
	EXPECT_TRUE(WSAGetOverlappedResult(p->srv, &ov, &n, TRUE, &flags));
	EXPECT_EQ(3u, n);
}

/* ------------------------------------------------------------------ */
/* Errors reported to routines.                                        */

/* TCP: a reset fails the pending receives' routines with WSAECONNRESET. */
FIXTURE(reset) {
	struct pair p;
};

FIXTURE_VARIANT(reset) {
	int family;
};

FIXTURE_VARIANT_ADD(reset, ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(reset, ipv6) { .family = AF_INET6 };

FIXTURE_SETUP(reset)
{
	pair_setup(_metadata, &self->p, variant->family, SOCK_STREAM);
}

FIXTURE_TEARDOWN(reset)
{
	pair_teardown(&self->p);
}

TEST_F(reset, reset_reaches_the_routines)
{
	struct pair *p = &self->p;
	char b1[8], b2[8];
	WSABUF w1 = { sizeof(b1), b1 }, w2 = { sizeof(b2), b2 };
	DWORD flags = 0;
	WSAOVERLAPPED o1, o2;

	ovl_init(&o1, NULL);
	ovl_init(&o2, NULL);
	ASSERT_PENDING(WSARecv(p->srv, &w1, 1, NULL, &flags, &o1, record));
	ASSERT_PENDING(WSARecv(p->srv, &w2, 1, NULL, &flags, &o2, record));
	wsa_close_with_rst(_metadata, p->family, p->cli, p->srv);
	p->cli = INVALID_SOCKET;
	WAIT_DONE(&o1);
	WAIT_DONE(&o2);
	EXPECT_EQ(WAIT_IO_COMPLETION, WSASleepEx(1000, TRUE));
	ASSERT_EQ(2, ncalls);
	CHECK_CALL(0, WSAECONNRESET, 0, &o1);
	CHECK_CALL(1, WSAECONNRESET, 0, &o2);
	/* And it sticks: a new receive fails at once, queuing nothing. */
	EXPECT_FAIL(WSARecv(p->srv, &w1, 1, NULL, &flags, &o1, record),
		    WSAECONNRESET);
	EXPECT_EQ(0u, WSASleepEx(WSA_TEST_QUIET_MS, TRUE));
	EXPECT_EQ(2, ncalls);
}

/* UDP: truncation (WSAEMSGSIZE with the head) and the source address. */
FIXTURE(dgram) {
	struct pair p;
};

FIXTURE_VARIANT(dgram) {
	int family;
};

FIXTURE_VARIANT_ADD(dgram, ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(dgram, ipv6) { .family = AF_INET6 };

FIXTURE_SETUP(dgram)
{
	pair_setup(_metadata, &self->p, variant->family, SOCK_DGRAM);
}

FIXTURE_TEARDOWN(dgram)
{
	pair_teardown(&self->p);
}

TEST_F(dgram, truncation_and_source_reach_the_routine)
{
	struct pair *p = &self->p;
	struct sockaddr_storage from;
	char buf[4];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	WSAOVERLAPPED ov;
	int fromlen = sizeof(from);
	USHORT port;

	memset(&from, 0, sizeof(from));
	ovl_init(&ov, NULL);
	ASSERT_PENDING(WSARecvFrom(p->srv, &b, 1, NULL, &flags,
				   (struct sockaddr *)&from, &fromlen, &ov, record));
	SEND(p->cli, "0123456789", 10);
	WAIT_DONE(&ov);
	EXPECT_EQ(WAIT_IO_COMPLETION, WSASleepEx(1000, TRUE));
	ASSERT_EQ(1, ncalls);
	CHECK_CALL(0, WSAEMSGSIZE, 4, &ov);
	EXPECT_EQ(0, memcmp(buf, "0123", 4));
	/* In the routine's time, lpFrom is a Winsock address. */
	EXPECT_EQ(p->family, from.ss_family);
	EXPECT_EQ(p->a_cli.len, fromlen);
	port = p->family == AF_INET6 ? ((struct sockaddr_in6 *)&from)->sin6_port :
				       ((struct sockaddr_in *)&from)->sin_port;
	EXPECT_EQ(p->family == AF_INET6 ? p->a_cli.u.in6.sin6_port :
					  p->a_cli.u.in.sin_port, port);
}

TEST_HARNESS_MAIN
