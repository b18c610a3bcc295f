// SPDX-License-Identifier: GPL-2.0-only
/*
 * libwsaevent tests: WSAStartup/WSACleanup, the last error, and the event
 * API of <winsock2.h> and <wsaevent.h>, with their Winsock error codes.
 *
 * The harness runs every TEST in a freshly forked process that has never
 * called WSAStartup, so each test starts with pristine library state.
 * Threads never use ASSERT/EXPECT (the harness longjmp()s): they store
 * their results for the test thread to check after joining.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"

#include <winsock2.h>
#include <wsaevent.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Bound for waits that must succeed; generous because the VM is emulated. */
#define LONG_MS		10000

static WSADATA wsa_data;

#define STARTUP() ASSERT_EQ(0, WSAStartup(MAKEWORD(2, 2), &wsa_data))

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* 1 signaled, 0 not, -1 not an event.  Polling never consumes. */
static int signaled(WSAEVENT h)
{
	struct pollfd p = { .fd = WSAEventGetFd(h), .events = WSAEVENT_POLLIN };

	if (p.fd < 0 || poll(&p, 1, 0) < 0)
		return -1;
	return (p.revents & WSAEVENT_POLLIN) != 0;
}

/* A handle naming an fd that is not an event (the encoding is fd + 1). */
static WSAEVENT fd_handle(int fd)
{
	return (WSAEVENT)(intptr_t)(fd + 1);
}

/* WSAWaitForMultipleEvents in another thread. */
struct waiter {
	pthread_t thread;
	const WSAEVENT *events;
	DWORD count;
	BOOL wait_all;
	DWORD timeout;
	DWORD result;
	int error;
	int started;	/* atomic */
	int done;	/* atomic */
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	__atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
	w->result = WSAWaitForMultipleEvents(w->count, w->events, w->wait_all,
					     w->timeout, FALSE);
	w->error = WSAGetLastError();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int waiter_start(struct waiter *w, const WSAEVENT *events,
			DWORD count, BOOL wait_all, DWORD timeout)
{
	w->events = events;
	w->count = count;
	w->wait_all = wait_all;
	w->timeout = timeout;
	w->result = 0xdeadbeef;
	w->error = 0;
	w->started = 0;
	w->done = 0;
	return pthread_create(&w->thread, NULL, waiter_main, w);
}

/* ---- WSAStartup / WSACleanup ---- */

/* Versions and WSADATA as Windows reports them. */
TEST(startup_versions)
{
	static const struct {
		WORD version;
		int ret;
		WORD granted;
	} tests[] = {
		{ MAKEWORD(0, 0),     WSAVERNOTSUPPORTED, MAKEWORD(2, 2) },
		{ MAKEWORD(0, 9),     WSAVERNOTSUPPORTED, MAKEWORD(2, 2) },
		{ MAKEWORD(1, 0),     0, MAKEWORD(1, 0) },
		{ MAKEWORD(1, 1),     0, MAKEWORD(1, 1) },
		{ MAKEWORD(1, 2),     0, MAKEWORD(1, 1) },
		{ MAKEWORD(1, 255),   0, MAKEWORD(1, 1) },
		{ MAKEWORD(2, 0),     0, MAKEWORD(2, 0) },
		{ MAKEWORD(2, 1),     0, MAKEWORD(2, 1) },
		{ MAKEWORD(2, 2),     0, MAKEWORD(2, 2) },
		{ MAKEWORD(2, 3),     0, MAKEWORD(2, 2) },
		{ MAKEWORD(3, 0),     0, MAKEWORD(2, 2) },
		{ MAKEWORD(255, 255), 0, MAKEWORD(2, 2) },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		WSADATA d;

		memset(&d, 0x55, sizeof(d));
		ASSERT_EQ(tests[i].ret, WSAStartup(tests[i].version, &d))
			TH_LOG("version 0x%04x", tests[i].version);
		EXPECT_EQ(tests[i].granted, d.wVersion)
			TH_LOG("version 0x%04x", tests[i].version);
		EXPECT_EQ(MAKEWORD(2, 2), d.wHighVersion);
		EXPECT_STREQ("WinSock 2.0", d.szDescription);
		EXPECT_STREQ("Running", d.szSystemStatus);
		EXPECT_EQ(LOBYTE(d.wVersion) == 1 ? 32767 : 0, d.iMaxSockets);
		EXPECT_EQ(LOBYTE(d.wVersion) == 1 ? 65467 : 0, d.iMaxUdpDg);
		EXPECT_TRUE(d.lpVendorInfo == NULL);
		if (tests[i].ret == 0)
			ASSERT_EQ(0, WSACleanup());
		/* Never left initialized, failed or not. */
		EXPECT_TRUE(WSACreateEvent() == WSA_INVALID_EVENT);
		EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
	}
}

TEST(startup_null_data)
{
	WSASetLastError(4321);
	ASSERT_EQ(WSAEFAULT, WSAStartup(MAKEWORD(2, 2), NULL));
	/* The version is checked first, as on Windows. */
	ASSERT_EQ(WSAVERNOTSUPPORTED, WSAStartup(MAKEWORD(0, 2), NULL));
	/* Errors are returned, not stored. */
	EXPECT_EQ(4321, WSAGetLastError());
	/* Nothing was started. */
	ASSERT_EQ(SOCKET_ERROR, WSACleanup());
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
}

TEST(startup_refcount)
{
	WSAEVENT h;
	int i;

	for (i = 0; i < 3; i++) {
		WSASetLastError(77);
		STARTUP();
		/* Success clears the last error, as Windows does. */
		EXPECT_EQ(0, WSAGetLastError());
	}
	for (i = 0; i < 3; i++) {
		h = WSACreateEvent();
		ASSERT_TRUE(h != WSA_INVALID_EVENT)
			TH_LOG("with %d startups left: error %d", 3 - i,
			       WSAGetLastError());
		ASSERT_EQ(TRUE, WSACloseEvent(h));
		ASSERT_EQ(0, WSACleanup());
	}
	h = WSACreateEvent();
	ASSERT_TRUE(h == WSA_INVALID_EVENT);
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
	ASSERT_EQ(SOCKET_ERROR, WSACleanup());
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
}

TEST(calls_before_startup)
{
	WSAEVENT h;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	WSASetLastError(0);
	h = WSACreateEvent();
	ASSERT_TRUE(h == WSA_INVALID_EVENT);
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
	WSASetLastError(0);
	h = WSACreateEventEx(FALSE, TRUE);
	ASSERT_TRUE(h == WSA_INVALID_EVENT);
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
	WSASetLastError(0);
	h = WSACreateEventFlags(WSA_CREATE_EVENT_MANUAL_RESET);
	ASSERT_TRUE(h == WSA_INVALID_EVENT);
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());

	/* No context was ever opened: waits cannot work. */
	h = fd_handle(p[0]);
	ASSERT_EQ(WSA_WAIT_FAILED, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							    FALSE));
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());

	/* Handle calls need no startup; these handles are just invalid. */
	ASSERT_EQ(FALSE, WSASetEvent(NULL));
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());

	ASSERT_EQ(SOCKET_ERROR, WSACleanup());
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
	close(p[0]);
	close(p[1]);
}

TEST(cleanup_extra_call)
{
	STARTUP();
	ASSERT_EQ(0, WSACleanup());
	WSASetLastError(0);
	ASSERT_EQ(SOCKET_ERROR, WSACleanup());
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
	/* And startup works again after that. */
	STARTUP();
	ASSERT_EQ(0, WSACleanup());
}

struct startup_thread {
	pthread_t thread;
	int failures;
};

static void *startup_thread_main(void *arg)
{
	struct startup_thread *t = arg;
	WSADATA d;
	WSAEVENT h;
	int i;

	for (i = 0; i < 200; i++) {
		if (WSAStartup(MAKEWORD(2, 2), &d) != 0) {
			t->failures++;
			continue;
		}
		h = WSACreateEvent();
		if (h == WSA_INVALID_EVENT || !WSACloseEvent(h))
			t->failures++;
		if (WSACleanup() != 0)
			t->failures++;
	}
	return NULL;
}

/* The reference count is thread-safe. */
TEST(startup_threads)
{
	struct startup_thread t[4];
	int i;

	memset(t, 0, sizeof(t));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i].thread, NULL,
					    startup_thread_main, &t[i]));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i].thread, NULL));
		EXPECT_EQ(0, t[i].failures) TH_LOG("thread %d", i);
	}
	/* Every startup was matched: nothing is left outstanding. */
	ASSERT_EQ(SOCKET_ERROR, WSACleanup());
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
}

/* Events outlive WSACleanup, like kernel32 events. */
TEST(events_outlive_cleanup)
{
	WSAEVENT h;

	STARTUP();
	h = WSACreateEvent();
	ASSERT_TRUE(h != WSA_INVALID_EVENT);
	ASSERT_EQ(0, WSACleanup());

	ASSERT_EQ(TRUE, WSASetEvent(h));
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     FALSE));
	ASSERT_EQ(TRUE, WSAResetEvent(h));
	ASSERT_EQ(WSA_WAIT_TIMEOUT, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     FALSE));
	/* Creating needs a startup again. */
	ASSERT_TRUE(WSACreateEvent() == WSA_INVALID_EVENT);
	EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());

	STARTUP();
	ASSERT_EQ(TRUE, WSASetEvent(h));
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     FALSE));
	ASSERT_EQ(TRUE, WSACloseEvent(h));
	ASSERT_EQ(0, WSACleanup());
}

/* ---- Last error ---- */

struct error_thread {
	int initial;
	int after_set;
};

static void *error_thread_main(void *arg)
{
	struct error_thread *t = arg;

	t->initial = WSAGetLastError();
	WSASetLastError(WSAECONNRESET);
	t->after_set = WSAGetLastError();
	return NULL;
}

TEST(last_error_per_thread)
{
	struct error_thread t = { -1, -1 };
	pthread_t thread;

	WSASetLastError(WSAEWOULDBLOCK);
	ASSERT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	ASSERT_EQ(0, pthread_create(&thread, NULL, error_thread_main, &t));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(0, t.initial);
	EXPECT_EQ(WSAECONNRESET, t.after_set);
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	WSASetLastError(12345);
	EXPECT_EQ(12345, WSAGetLastError());
}

/* ---- Events ---- */

TEST(create_set_reset)
{
	WSAEVENT h;
	int fd, i;

	STARTUP();
	h = WSACreateEvent();
	ASSERT_TRUE(h != WSA_INVALID_EVENT);
	fd = WSAEventGetFd(h);
	ASSERT_GE(fd, 0);
	/* Not inherited across exec. */
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);

	/* Non-signaled. */
	EXPECT_EQ(0, signaled(h));
	EXPECT_EQ(WSA_WAIT_TIMEOUT, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     FALSE));
	/* Set is idempotent; a manual-reset event survives waits. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(TRUE, WSASetEvent(h));
		EXPECT_EQ(1, signaled(h));
	}
	for (i = 0; i < 2; i++)
		EXPECT_EQ(WSA_WAIT_EVENT_0,
			  WSAWaitForMultipleEvents(1, &h, FALSE, 0, FALSE));
	EXPECT_EQ(1, signaled(h));
	/* Reset is idempotent. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(TRUE, WSAResetEvent(h));
		EXPECT_EQ(0, signaled(h));
	}
	EXPECT_EQ(WSA_WAIT_TIMEOUT, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     FALSE));
	ASSERT_EQ(TRUE, WSACloseEvent(h));
	ASSERT_EQ(0, WSACleanup());
}

TEST(closed_handle)
{
	WSAEVENT h;

	STARTUP();
	h = WSACreateEvent();
	ASSERT_TRUE(h != WSA_INVALID_EVENT);
	ASSERT_EQ(TRUE, WSACloseEvent(h));

	WSASetLastError(0);
	EXPECT_EQ(FALSE, WSASetEvent(h));
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
	WSASetLastError(0);
	EXPECT_EQ(FALSE, WSAResetEvent(h));
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
	WSASetLastError(0);
	EXPECT_EQ(FALSE, WSAPulseEvent(h));
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
	WSASetLastError(0);
	EXPECT_EQ(WSA_WAIT_FAILED, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							    FALSE));
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
	WSASetLastError(0);
	EXPECT_EQ(-1, WSAEventGetFd(h));
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
	/* Double close. */
	WSASetLastError(0);
	EXPECT_EQ(FALSE, WSACloseEvent(h));
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
	ASSERT_EQ(0, WSACleanup());
}

/* A double close must not close what now uses the fd number. */
TEST(double_close_reused_fd)
{
	WSAEVENT h;
	char c = 0;
	int fd, p[2];

	STARTUP();
	h = WSACreateEvent();
	ASSERT_TRUE(h != WSA_INVALID_EVENT);
	fd = WSAEventGetFd(h);
	ASSERT_EQ(TRUE, WSACloseEvent(h));
	ASSERT_EQ(0, pipe(p));
	/* POSIX: the lowest free number, i.e. the event's old fd. */
	ASSERT_EQ(fd, p[0]);

	WSASetLastError(0);
	EXPECT_EQ(FALSE, WSACloseEvent(h));
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
	/* The pipe is intact. */
	ASSERT_NE(-1, fcntl(p[0], F_GETFD));
	ASSERT_EQ(1, write(p[1], "x", 1));
	ASSERT_EQ(1, read(p[0], &c, 1));
	EXPECT_EQ('x', c);
	close(p[0]);
	close(p[1]);
	ASSERT_EQ(0, WSACleanup());
}

/* NULL, INVALID_HANDLE_VALUE-like, unopened and non-event handles. */
TEST(invalid_handles)
{
	WSAEVENT bad[4];
	unsigned int i;
	int p[2];

	STARTUP();
	ASSERT_EQ(0, pipe(p));
	bad[0] = NULL;
	bad[1] = (WSAEVENT)(intptr_t)-1;
	bad[2] = fd_handle(4000);	/* not open */
	bad[3] = fd_handle(p[0]);	/* a pipe */

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		WSASetLastError(0);
		EXPECT_EQ(FALSE, WSASetEvent(bad[i])) TH_LOG("handle %u", i);
		EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
		WSASetLastError(0);
		EXPECT_EQ(FALSE, WSAResetEvent(bad[i])) TH_LOG("handle %u", i);
		EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
		WSASetLastError(0);
		EXPECT_EQ(FALSE, WSAPulseEvent(bad[i])) TH_LOG("handle %u", i);
		EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
		WSASetLastError(0);
		EXPECT_EQ(FALSE, WSACloseEvent(bad[i])) TH_LOG("handle %u", i);
		EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
		WSASetLastError(0);
		EXPECT_EQ(-1, WSAEventGetFd(bad[i])) TH_LOG("handle %u", i);
		EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
		WSASetLastError(0);
		EXPECT_EQ(WSA_WAIT_FAILED,
			  WSAWaitForMultipleEvents(1, &bad[i], FALSE, 0, FALSE))
			TH_LOG("handle %u", i);
		EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
		WSASetLastError(0);
		EXPECT_EQ(WSA_WAIT_FAILED,
			  WSAWaitForMultipleEvents(1, &bad[i], TRUE, 0, FALSE))
			TH_LOG("handle %u", i);
		EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
	}
	/* WSACloseEvent left the pipe alone. */
	ASSERT_NE(-1, fcntl(p[0], F_GETFD));
	WSASetLastError(0);
	EXPECT_TRUE(WSAEventFromFd(p[0]) == WSA_INVALID_EVENT);
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
	WSASetLastError(0);
	EXPECT_TRUE(WSAEventFromFd(-1) == WSA_INVALID_EVENT);
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());
	close(p[0]);
	close(p[1]);
	ASSERT_EQ(0, WSACleanup());
}

/* ---- WSAWaitForMultipleEvents ---- */

TEST(wait_any_lowest_index)
{
	WSAEVENT h[4], dup3[3];
	int i;

	STARTUP();
	for (i = 0; i < 4; i++) {
		h[i] = WSACreateEvent();
		ASSERT_TRUE(h[i] != WSA_INVALID_EVENT);
	}
	ASSERT_EQ(TRUE, WSASetEvent(h[3]));
	ASSERT_EQ(TRUE, WSASetEvent(h[1]));
	/* Manual-reset: the same answer every time. */
	for (i = 0; i < 3; i++)
		EXPECT_EQ(WSA_WAIT_EVENT_0 + 1,
			  WSAWaitForMultipleEvents(4, h, FALSE, 0, FALSE));
	ASSERT_EQ(TRUE, WSAResetEvent(h[1]));
	EXPECT_EQ(WSA_WAIT_EVENT_0 + 3,
		  WSAWaitForMultipleEvents(4, h, FALSE, 0, FALSE));
	ASSERT_EQ(TRUE, WSASetEvent(h[0]));
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(4, h, FALSE, LONG_MS, FALSE));

	/* Wait-any accepts duplicates. */
	dup3[0] = h[2];
	dup3[1] = h[2];
	dup3[2] = h[3];
	EXPECT_EQ(WSA_WAIT_EVENT_0 + 2,
		  WSAWaitForMultipleEvents(3, dup3, FALSE, 0, FALSE));
	ASSERT_EQ(TRUE, WSASetEvent(h[2]));
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(3, dup3, FALSE, 0, FALSE));

	for (i = 0; i < 4; i++)
		ASSERT_EQ(TRUE, WSACloseEvent(h[i]));
	ASSERT_EQ(0, WSACleanup());
}

/* Wait-all is atomic: nothing is consumed until all are signaled. */
TEST(wait_all)
{
	WSAEVENT h[3];

	STARTUP();
	h[0] = WSACreateEventEx(FALSE, TRUE);	/* auto-reset, signaled */
	h[1] = WSACreateEvent();
	h[2] = WSACreateEventEx(TRUE, TRUE);
	ASSERT_TRUE(h[0] != WSA_INVALID_EVENT && h[1] != WSA_INVALID_EVENT &&
		    h[2] != WSA_INVALID_EVENT);

	EXPECT_EQ(WSA_WAIT_TIMEOUT,
		  WSAWaitForMultipleEvents(3, h, TRUE, 0, FALSE));
	EXPECT_EQ(WSA_WAIT_TIMEOUT,
		  WSAWaitForMultipleEvents(3, h, TRUE, 30, FALSE));
	/* The auto-reset event was not consumed. */
	EXPECT_EQ(1, signaled(h[0]));

	ASSERT_EQ(TRUE, WSASetEvent(h[1]));
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(3, h, TRUE, LONG_MS, FALSE));
	/* Consumed together: the auto-reset one is reset, the others not. */
	EXPECT_EQ(0, signaled(h[0]));
	EXPECT_EQ(1, signaled(h[1]));
	EXPECT_EQ(1, signaled(h[2]));
	EXPECT_EQ(WSA_WAIT_TIMEOUT,
		  WSAWaitForMultipleEvents(3, h, TRUE, 0, FALSE));

	/* A single event works in wait-all too. */
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(1, &h[2], TRUE, 0, FALSE));

	ASSERT_EQ(TRUE, WSACloseEvent(h[0]));
	ASSERT_EQ(TRUE, WSACloseEvent(h[1]));
	ASSERT_EQ(TRUE, WSACloseEvent(h[2]));
	ASSERT_EQ(0, WSACleanup());
}

TEST(wait_all_duplicates)
{
	WSAEVENT a, b, alias, arr[3];
	int p[2], fd2;

	STARTUP();
	a = WSACreateEventEx(TRUE, TRUE);
	b = WSACreateEventEx(TRUE, TRUE);
	ASSERT_TRUE(a != WSA_INVALID_EVENT && b != WSA_INVALID_EVENT);

	arr[0] = a;
	arr[1] = b;
	arr[2] = a;
	WSASetLastError(0);
	EXPECT_EQ(WSA_WAIT_FAILED,
		  WSAWaitForMultipleEvents(3, arr, TRUE, 0, FALSE));
	EXPECT_EQ(WSA_INVALID_PARAMETER, WSAGetLastError());
	/* Wait-any accepts the same array. */
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(3, arr, FALSE, 0, FALSE));

	/* A dup()ed fd is the same event object. */
	fd2 = dup(WSAEventGetFd(a));
	ASSERT_GE(fd2, 0);
	alias = WSAEventFromFd(fd2);
	ASSERT_TRUE(alias != WSA_INVALID_EVENT);
	arr[2] = alias;
	WSASetLastError(0);
	EXPECT_EQ(WSA_WAIT_FAILED,
		  WSAWaitForMultipleEvents(3, arr, TRUE, 0, FALSE));
	EXPECT_EQ(WSA_INVALID_PARAMETER, WSAGetLastError());

	/* An invalid handle wins over a duplicate. */
	ASSERT_EQ(0, pipe(p));
	arr[1] = fd_handle(p[0]);
	arr[2] = a;
	WSASetLastError(0);
	EXPECT_EQ(WSA_WAIT_FAILED,
		  WSAWaitForMultipleEvents(3, arr, TRUE, 0, FALSE));
	EXPECT_EQ(WSA_INVALID_HANDLE, WSAGetLastError());

	close(p[0]);
	close(p[1]);
	ASSERT_EQ(TRUE, WSACloseEvent(alias));
	ASSERT_EQ(TRUE, WSACloseEvent(a));
	ASSERT_EQ(TRUE, WSACloseEvent(b));
	ASSERT_EQ(0, WSACleanup());
}

TEST(wait_bad_counts)
{
	WSAEVENT h[WSA_MAXIMUM_WAIT_EVENTS + 1];
	int i;

	STARTUP();
	h[0] = WSACreateEventEx(TRUE, TRUE);
	ASSERT_TRUE(h[0] != WSA_INVALID_EVENT);
	for (i = 1; i <= WSA_MAXIMUM_WAIT_EVENTS; i++)
		h[i] = h[0];

	WSASetLastError(0);
	EXPECT_EQ(WSA_WAIT_FAILED, WSAWaitForMultipleEvents(0, h, FALSE, 0,
							    FALSE));
	EXPECT_EQ(WSA_INVALID_PARAMETER, WSAGetLastError());
	WSASetLastError(0);
	EXPECT_EQ(WSA_WAIT_FAILED, WSAWaitForMultipleEvents(0, h, TRUE, 0,
							    FALSE));
	EXPECT_EQ(WSA_INVALID_PARAMETER, WSAGetLastError());
	WSASetLastError(0);
	EXPECT_EQ(WSA_WAIT_FAILED,
		  WSAWaitForMultipleEvents(WSA_MAXIMUM_WAIT_EVENTS + 1, h,
					   FALSE, 0, FALSE));
	EXPECT_EQ(WSA_INVALID_PARAMETER, WSAGetLastError());
	WSASetLastError(0);
	EXPECT_EQ(WSA_WAIT_FAILED,
		  WSAWaitForMultipleEvents(0xffffffff, h, FALSE, 0, FALSE));
	EXPECT_EQ(WSA_INVALID_PARAMETER, WSAGetLastError());
	/* NULL array: WSA_INVALID_PARAMETER (libwsaevent's choice). */
	WSASetLastError(0);
	EXPECT_EQ(WSA_WAIT_FAILED, WSAWaitForMultipleEvents(1, NULL, FALSE, 0,
							    FALSE));
	EXPECT_EQ(WSA_INVALID_PARAMETER, WSAGetLastError());
	/* 64 copies are fine for wait-any. */
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(WSA_MAXIMUM_WAIT_EVENTS, h, FALSE,
					   0, FALSE));
	ASSERT_EQ(TRUE, WSACloseEvent(h[0]));
	ASSERT_EQ(0, WSACleanup());
}

TEST(wait_64_events)
{
	WSAEVENT h[WSA_MAXIMUM_WAIT_EVENTS];
	int i;

	STARTUP();
	for (i = 0; i < WSA_MAXIMUM_WAIT_EVENTS; i++) {
		h[i] = WSACreateEvent();
		ASSERT_TRUE(h[i] != WSA_INVALID_EVENT) TH_LOG("event %d", i);
	}
	EXPECT_EQ(WSA_WAIT_TIMEOUT, WSAWaitForMultipleEvents(64, h, FALSE, 0,
							     FALSE));
	ASSERT_EQ(TRUE, WSASetEvent(h[63]));
	EXPECT_EQ(WSA_WAIT_EVENT_0 + 63,
		  WSAWaitForMultipleEvents(64, h, FALSE, 0, FALSE));
	ASSERT_EQ(TRUE, WSASetEvent(h[17]));
	EXPECT_EQ(WSA_WAIT_EVENT_0 + 17,
		  WSAWaitForMultipleEvents(64, h, FALSE, 0, FALSE));
	EXPECT_EQ(WSA_WAIT_TIMEOUT, WSAWaitForMultipleEvents(64, h, TRUE, 0,
							     FALSE));
	for (i = 0; i < WSA_MAXIMUM_WAIT_EVENTS; i++)
		ASSERT_EQ(TRUE, WSASetEvent(h[i]));
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(64, h, TRUE, LONG_MS, FALSE));
	for (i = 0; i < WSA_MAXIMUM_WAIT_EVENTS; i++)
		ASSERT_EQ(TRUE, WSACloseEvent(h[i]));
	ASSERT_EQ(0, WSACleanup());
}

/* dwTimeout 0 polls; WSA_INFINITE waits until another thread sets. */
TEST(wait_zero_and_infinite)
{
	struct waiter w;
	WSAEVENT h;
	uint64_t t0;

	STARTUP();
	h = WSACreateEvent();
	ASSERT_TRUE(h != WSA_INVALID_EVENT);

	t0 = now_ns();
	EXPECT_EQ(WSA_WAIT_TIMEOUT, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     FALSE));
	EXPECT_LT(now_ns() - t0, 2000000000ull);

	ASSERT_EQ(0, waiter_start(&w, &h, 1, FALSE, WSA_INFINITE));
	while (!__atomic_load_n(&w.started, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	sleep_ms(100);
	/* An infinite wait does not end by itself. */
	EXPECT_EQ(0, __atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
	ASSERT_EQ(TRUE, WSASetEvent(h));
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	EXPECT_EQ(WSA_WAIT_EVENT_0, w.result);

	ASSERT_EQ(TRUE, WSACloseEvent(h));
	ASSERT_EQ(0, WSACleanup());
}

/* A timeout never fires early (CLOCK_MONOTONIC). */
TEST(timeout_not_early)
{
	static const DWORD timeouts[] = { 1, 10, 50, 200 };
	WSAEVENT h[2];
	unsigned int i;

	STARTUP();
	h[0] = WSACreateEvent();
	h[1] = WSACreateEventEx(FALSE, FALSE);
	ASSERT_TRUE(h[0] != WSA_INVALID_EVENT && h[1] != WSA_INVALID_EVENT);
	for (i = 0; i < ARRAY_SIZE(timeouts); i++) {
		uint64_t t0 = now_ns(), elapsed;
		DWORD ret;

		ret = WSAWaitForMultipleEvents(2, h, i & 1, timeouts[i], FALSE);
		elapsed = now_ns() - t0;
		EXPECT_EQ(WSA_WAIT_TIMEOUT, ret);
		EXPECT_GE(elapsed, (uint64_t)timeouts[i] * 1000000u)
			TH_LOG("%u ms timeout after %llu ns", timeouts[i],
			       (unsigned long long)elapsed);
	}
	ASSERT_EQ(TRUE, WSACloseEvent(h[0]));
	ASSERT_EQ(TRUE, WSACloseEvent(h[1]));
	ASSERT_EQ(0, WSACleanup());
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* Signals (no SA_RESTART) neither end the wait nor extend the deadline. */
TEST(timeout_across_signals)
{
	struct itimerval every_20ms = { { 0, 20000 }, { 0, 20000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;
	uint64_t t0, elapsed;
	WSAEVENT h;
	DWORD ret;

	STARTUP();
	h = WSACreateEvent();
	ASSERT_TRUE(h != WSA_INVALID_EVENT);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = 0;	/* the ioctl returns EINTR */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &every_20ms, NULL));

	t0 = now_ns();
	ret = WSAWaitForMultipleEvents(1, &h, FALSE, 300, FALSE);
	elapsed = now_ns() - t0;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &off, NULL));

	EXPECT_EQ(WSA_WAIT_TIMEOUT, ret) TH_LOG("error %d", WSAGetLastError());
	EXPECT_GE(elapsed, 300000000ull);
	/* Restarting with the full timeout each time would never end. */
	EXPECT_LT(elapsed, 8000000000ull);
	EXPECT_GT(alarms, 0);
	ASSERT_EQ(TRUE, WSACloseEvent(h));
	ASSERT_EQ(0, WSACleanup());
}

static void *setter_main(void *arg)
{
	sleep_ms(50);
	return WSASetEvent((WSAEVENT)arg) ? (void *)1 : NULL;
}

/* One thread's WSASetEvent wakes another thread's wait; and back. */
TEST(handles_across_threads)
{
	struct waiter w[3];
	WSAEVENT go, reply;
	pthread_t setter;
	void *set_ok = NULL;
	int i;

	STARTUP();
	go = WSACreateEvent();
	reply = WSACreateEvent();
	ASSERT_TRUE(go != WSA_INVALID_EVENT && reply != WSA_INVALID_EVENT);

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, waiter_start(&w[i], &go, 1, FALSE, LONG_MS));
	ASSERT_EQ(TRUE, WSASetEvent(go));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pthread_join(w[i].thread, NULL));
		/* Manual-reset: every waiter is released. */
		EXPECT_EQ(WSA_WAIT_EVENT_0, w[i].result) TH_LOG("waiter %d", i);
	}

	/* The other direction: a thread sets, this thread waits. */
	ASSERT_EQ(0, pthread_create(&setter, NULL, setter_main, reply));
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(1, &reply, FALSE, LONG_MS, FALSE));
	ASSERT_EQ(0, pthread_join(setter, &set_ok));
	EXPECT_TRUE(set_ok == (void *)1);
	ASSERT_EQ(TRUE, WSACloseEvent(go));
	ASSERT_EQ(TRUE, WSACloseEvent(reply));
	ASSERT_EQ(0, WSACleanup());
}

/* fAlertable is accepted; with nothing queued it is a normal wait. */
TEST(alertable_accepted)
{
	WSAEVENT h;

	STARTUP();
	h = WSACreateEvent();
	ASSERT_TRUE(h != WSA_INVALID_EVENT);
	EXPECT_EQ(WSA_WAIT_TIMEOUT, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     TRUE));
	EXPECT_EQ(WSA_WAIT_TIMEOUT, WSAWaitForMultipleEvents(1, &h, TRUE, 20,
							     TRUE));
	ASSERT_EQ(TRUE, WSASetEvent(h));
	EXPECT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     TRUE));
	EXPECT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &h, TRUE,
							     LONG_MS, TRUE));
	ASSERT_EQ(TRUE, WSACloseEvent(h));
	ASSERT_EQ(0, WSACleanup());
}

/* ---- Extensions (<wsaevent.h>) ---- */

TEST(auto_reset_one_waiter)
{
	struct waiter w[2];
	WSAEVENT h;
	int woken = 0, timed_out = 0, i;

	STARTUP();
	h = WSACreateEventEx(FALSE, FALSE);
	ASSERT_TRUE(h != WSA_INVALID_EVENT);

	/* Consumed by the wait it satisfies. */
	ASSERT_EQ(TRUE, WSASetEvent(h));
	EXPECT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     FALSE));
	EXPECT_EQ(WSA_WAIT_TIMEOUT, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     FALSE));

	/* One set releases exactly one of two waiters. */
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, waiter_start(&w[i], &h, 1, FALSE, 2000));
	ASSERT_EQ(TRUE, WSASetEvent(h));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(w[i].thread, NULL));
		if (w[i].result == WSA_WAIT_EVENT_0)
			woken++;
		else if (w[i].result == WSA_WAIT_TIMEOUT)
			timed_out++;
	}
	EXPECT_EQ(1, woken);
	EXPECT_EQ(1, timed_out);
	EXPECT_EQ(0, signaled(h));
	ASSERT_EQ(TRUE, WSACloseEvent(h));
	ASSERT_EQ(0, WSACleanup());
}

TEST(create_ex_and_flags)
{
	static const struct {
		BOOL manual, initial;
	} combos[] = { { TRUE, TRUE }, { TRUE, FALSE }, { FALSE, TRUE },
		       { FALSE, FALSE } };
	WSAEVENT h;
	unsigned int i;

	STARTUP();
	for (i = 0; i < ARRAY_SIZE(combos); i++) {
		h = WSACreateEventEx(combos[i].manual, combos[i].initial);
		ASSERT_TRUE(h != WSA_INVALID_EVENT);
		EXPECT_EQ(combos[i].initial ? 1 : 0, signaled(h))
			TH_LOG("combo %u", i);
		EXPECT_EQ(combos[i].initial ? WSA_WAIT_EVENT_0 : WSA_WAIT_TIMEOUT,
			  WSAWaitForMultipleEvents(1, &h, FALSE, 0, FALSE));
		/* Only a manual-reset event is still signaled. */
		EXPECT_EQ(combos[i].initial && combos[i].manual ? 1 : 0,
			  signaled(h)) TH_LOG("combo %u", i);
		ASSERT_EQ(TRUE, WSACloseEvent(h));
	}

	h = WSACreateEventFlags(WSA_CREATE_EVENT_MANUAL_RESET |
				WSA_CREATE_EVENT_INITIAL_SET);
	ASSERT_TRUE(h != WSA_INVALID_EVENT);
	EXPECT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     FALSE));
	EXPECT_EQ(1, signaled(h));
	EXPECT_TRUE(fcntl(WSAEventGetFd(h), F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(TRUE, WSACloseEvent(h));

	h = WSACreateEventFlags(WSA_CREATE_EVENT_INHERIT);
	ASSERT_TRUE(h != WSA_INVALID_EVENT);
	EXPECT_FALSE(fcntl(WSAEventGetFd(h), F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, signaled(h));
	ASSERT_EQ(TRUE, WSACloseEvent(h));

	WSASetLastError(0);
	h = WSACreateEventFlags(0x8);
	EXPECT_TRUE(h == WSA_INVALID_EVENT);
	EXPECT_EQ(WSA_INVALID_PARAMETER, WSAGetLastError());
	ASSERT_EQ(0, WSACleanup());
}

struct pulse_waiter {
	WSAEVENT h;
	DWORD result;
	int done;	/* atomic */
};

static void *pulse_waiter_main(void *arg)
{
	struct pulse_waiter *p = arg;

	p->result = WSAWaitForMultipleEvents(1, &p->h, FALSE, 20000, FALSE);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

TEST(pulse)
{
	struct pulse_waiter p;
	pthread_t thread;
	uint64_t t0;
	int pulses = 0;

	STARTUP();
	p.h = WSACreateEvent();
	p.done = 0;
	ASSERT_TRUE(p.h != WSA_INVALID_EVENT);

	/* Nobody waiting: a pulse just leaves the event reset. */
	ASSERT_EQ(TRUE, WSASetEvent(p.h));
	ASSERT_EQ(TRUE, WSAPulseEvent(p.h));
	EXPECT_EQ(0, signaled(p.h));
	ASSERT_EQ(TRUE, WSAPulseEvent(p.h));
	EXPECT_EQ(0, signaled(p.h));

	/* A waiter is released by a pulse (repeated until it is waiting). */
	ASSERT_EQ(0, pthread_create(&thread, NULL, pulse_waiter_main, &p));
	t0 = now_ns();
	while (!__atomic_load_n(&p.done, __ATOMIC_ACQUIRE) &&
	       now_ns() - t0 < 10000000000ull) {
		ASSERT_EQ(TRUE, WSAPulseEvent(p.h));
		pulses++;
		EXPECT_EQ(0, signaled(p.h));
		sleep_ms(10);
	}
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(WSA_WAIT_EVENT_0, p.result) TH_LOG("%d pulses", pulses);
	EXPECT_EQ(0, signaled(p.h));
	ASSERT_EQ(TRUE, WSACloseEvent(p.h));
	ASSERT_EQ(0, WSACleanup());
}

struct poll_thread {
	int fd;
	int ret;
	short revents;
};

static void *poll_thread_main(void *arg)
{
	struct poll_thread *t = arg;
	struct pollfd p = { .fd = t->fd, .events = WSAEVENT_POLLIN };

	t->ret = poll(&p, 1, LONG_MS);
	t->revents = p.revents;
	return NULL;
}

TEST(event_fd_pollable)
{
	struct poll_thread t;
	pthread_t thread;
	WSAEVENT h, manual;
	int fd;

	STARTUP();
	h = WSACreateEventEx(FALSE, FALSE);	/* auto-reset */
	ASSERT_TRUE(h != WSA_INVALID_EVENT);
	fd = WSAEventGetFd(h);
	ASSERT_GE(fd, 0);
	EXPECT_TRUE(WSAEventFromFd(fd) == h);

	EXPECT_EQ(0, signaled(h));
	ASSERT_EQ(TRUE, WSASetEvent(h));
	/* Polling never consumes, even an auto-reset event. */
	EXPECT_EQ(1, signaled(h));
	EXPECT_EQ(1, signaled(h));
	EXPECT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &h, FALSE, 0,
							     FALSE));
	EXPECT_EQ(0, signaled(h));

	/* poll() sleeps until WSASetEvent. */
	manual = WSACreateEvent();
	ASSERT_TRUE(manual != WSA_INVALID_EVENT);
	t.fd = WSAEventGetFd(manual);
	t.ret = -2;
	t.revents = 0;
	ASSERT_EQ(0, pthread_create(&thread, NULL, poll_thread_main, &t));
	sleep_ms(50);
	ASSERT_EQ(TRUE, WSASetEvent(manual));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(1, t.ret);
	EXPECT_TRUE(t.revents & WSAEVENT_POLLIN);

	ASSERT_EQ(TRUE, WSACloseEvent(h));
	ASSERT_EQ(TRUE, WSACloseEvent(manual));
	ASSERT_EQ(0, WSACleanup());
}

/* Running out of descriptors is WSAEMFILE. */
TEST(create_emfile)
{
	WSAEVENT h[64];
	struct rlimit rl;
	int n = 0, i, err = 0;

	STARTUP();
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = 24;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	for (i = 0; i < 64; i++) {
		h[n] = WSACreateEvent();
		if (h[n] == WSA_INVALID_EVENT) {
			err = WSAGetLastError();
			break;
		}
		n++;
	}
	EXPECT_LT(n, 64);
	EXPECT_EQ(WSAEMFILE, err);
	for (i = 0; i < n; i++)
		ASSERT_EQ(TRUE, WSACloseEvent(h[i]));
	ASSERT_EQ(0, WSACleanup());
}

/* After fork() the child's handles are the same events (same context). */
TEST(fork_shares_events)
{
	WSAEVENT to_child, to_parent;
	int status;
	pid_t pid;

	STARTUP();
	to_child = WSACreateEvent();
	to_parent = WSACreateEvent();
	ASSERT_TRUE(to_child != WSA_INVALID_EVENT &&
		    to_parent != WSA_INVALID_EVENT);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Child: wait for the parent, answer, exit. */
		if (WSAWaitForMultipleEvents(1, &to_child, FALSE, LONG_MS,
					     FALSE) != WSA_WAIT_EVENT_0)
			_exit(1);
		if (!WSASetEvent(to_parent))
			_exit(2);
		_exit(WSACleanup() == 0 ? 0 : 3);
	}
	ASSERT_EQ(TRUE, WSASetEvent(to_child));
	EXPECT_EQ(WSA_WAIT_EVENT_0,
		  WSAWaitForMultipleEvents(1, &to_parent, FALSE, LONG_MS, FALSE));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(TRUE, WSACloseEvent(to_child));
	ASSERT_EQ(TRUE, WSACloseEvent(to_parent));
	ASSERT_EQ(0, WSACleanup());
}

TEST_HARNESS_MAIN
