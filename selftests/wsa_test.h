/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the wsa_events_*_test.c selftests.
 *
 * Those tests are written in Winsock API terms, the way a Windows program
 * uses WSAEventSelect and WSAEnumNetworkEvents, and assert what Windows
 * does (winsock-spec.md §6 and §9; where Windows and Wine differ, Windows).
 * Only <winsock2.h>, libwsaevent's <wsaevent.h> and C library headers that
 * define no socket constants may be included here: the Linux socket
 * headers clash with the Windows values of <winsock2.h>.
 *
 * Waits are bounded: a network event that must happen is waited for with
 * WSAWaitForMultipleEvents for up to WSA_TEST_WAIT_MS; "nothing is
 * recorded" is checked by waiting WSA_TEST_QUIET_MS for the event and then
 * enumerating the record.  Nothing sleeps for correctness.
 *
 * Every TEST runs in its own process (the harness forks), which calls
 * WSAStartup in its fixture setup.  The same sources also build for
 * Windows with MinGW-w64 (tools/testing/wine/run.sh runs them under Wine):
 * the few Linux-only lines are under #ifndef _WIN32.
 */
#ifndef WSA_TEST_H
#define WSA_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "kselftest_harness.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <wsaevent.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifndef _WIN32
#include <sys/wait.h>
#endif

/* Bound for what must happen; generous because the test VM is emulated. */
#define WSA_TEST_WAIT_MS	5000
/* How long "nothing happens" is watched. */
#define WSA_TEST_QUIET_MS	100
/* What WSAEnumNetworkEvents must leave alone (test_WSAEnumNetworkEvents). */
#define WSA_SENTINEL		((int)0xABABABAB)

/* ------------------------------------------------------------------ */
/* Small things.                                                       */

#ifdef _WIN32
/* Built for Windows by tools/testing/wine/run.sh. */
static inline uint64_t wsa_now_ms(void)
{
	return GetTickCount64();
}

static inline void wsa_sleep_ms(unsigned int ms)
{
	Sleep(ms);
}
#else
static inline uint64_t wsa_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* For polling loops only, never for correctness. */
static inline void wsa_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}
#endif

/* "FD_READ|FD_CLOSE" for messages. */
static inline const char *wsa_events_str(LONG ev, char *buf, size_t len)
{
	static const char *const names[FD_MAX_EVENTS] = {
		"FD_READ", "FD_WRITE", "FD_OOB", "FD_ACCEPT", "FD_CONNECT",
		"FD_CLOSE", "FD_QOS", "FD_GROUP_QOS",
		"FD_ROUTING_INTERFACE_CHANGE", "FD_ADDRESS_LIST_CHANGE",
	};
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < 32; i++) {
		if (!((DWORD)ev & (1u << i)))
			continue;
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
			      n ? "|" : "", i < FD_MAX_EVENTS ? names[i] : "?");
		if (i >= FD_MAX_EVENTS)
			n += snprintf(buf + n, n < len ? len - n : 0, "%#x", 1u << i);
	}
	if (!n)
		snprintf(buf, len, "0");
	return buf;
}

static inline int wsa_signaled(WSAEVENT ev)
{
	return WSAWaitForMultipleEvents(1, &ev, FALSE, 0, FALSE) ==
	       WSA_WAIT_EVENT_0;
}

/* WSA_WAIT_EVENT_0 when @ev is (or becomes) signaled within @ms. */
static inline DWORD wsa_wait(WSAEVENT ev, DWORD ms)
{
	return WSAWaitForMultipleEvents(1, &ev, FALSE, ms, FALSE);
}

/* ------------------------------------------------------------------ */
/* Addresses and sockets.                                              */

struct wsa_addr {
	union {
		struct sockaddr		sa;
		struct sockaddr_in	in;
		struct sockaddr_in6	in6;
		struct sockaddr_un	un;
		struct sockaddr_storage	ss;
	} u;
	int len;
};

/* The loopback address of @family, port 0; a fresh path for AF_UNIX. */
static inline void wsa_loopback(struct wsa_addr *a, int family)
{
	static unsigned int counter;

	memset(a, 0, sizeof(*a));
	switch (family) {
	case AF_INET:
		a->u.in.sin_family = AF_INET;
		a->u.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->len = sizeof(a->u.in);
		break;
	case AF_INET6:
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_addr.s6_addr[15] = 1;	/* ::1 */
		a->len = sizeof(a->u.in6);
		break;
	case AF_UNIX:
		a->u.un.sun_family = AF_UNIX;
		snprintf(a->u.un.sun_path, sizeof(a->u.un.sun_path),
#ifdef _WIN32
			 "wsa-events-%d-%u.sock",
#else
			 "/tmp/wsa-events-%d-%u.sock",
#endif
			 (int)getpid(), counter++);
		unlink(a->u.un.sun_path);
		a->len = sizeof(a->u.un);
		break;
	}
}

static inline void wsa_unlink(const struct wsa_addr *a)
{
	if (a->u.sa.sa_family == AF_UNIX && a->u.un.sun_path[0])
		unlink(a->u.un.sun_path);
}

static inline SOCKET wsa_socket(struct __test_metadata *_metadata,
				int family, int type)
{
	SOCKET s = socket(family, type, 0);

	if (s == INVALID_SOCKET)
		TH_LOG("socket(%d, %d): error %d", family, type, WSAGetLastError());
	ASSERT_NE(INVALID_SOCKET, s);
	return s;
}

/* Bind @s to @a (port 0 or a fresh path) and read back the port chosen. */
static inline void wsa_bind(struct __test_metadata *_metadata, SOCKET s,
			    struct wsa_addr *a)
{
	int len = a->len, ret;

	ret = bind(s, &a->u.sa, a->len);
	if (ret)
		TH_LOG("bind: error %d", WSAGetLastError());
	ASSERT_EQ(0, ret);
	if (a->u.sa.sa_family != AF_UNIX) {
		ASSERT_EQ(0, getsockname(s, &a->u.sa, &len));
		ASSERT_EQ(a->len, len);
	}
}

/* A listening stream socket on @a (which gets the port). */
static inline SOCKET wsa_listener(struct __test_metadata *_metadata,
				  int family, struct wsa_addr *a)
{
	SOCKET s = wsa_socket(_metadata, family, SOCK_STREAM);
	int ret;

	wsa_loopback(a, family);
	wsa_bind(_metadata, s, a);
	ret = listen(s, 16);
	if (ret)
		TH_LOG("listen: error %d", WSAGetLastError());
	ASSERT_EQ(0, ret);
	return s;
}

/* A blocking stream socket connected to @a. */
static inline SOCKET wsa_connect(struct __test_metadata *_metadata,
				 const struct wsa_addr *a)
{
	SOCKET s = wsa_socket(_metadata, a->u.sa.sa_family, SOCK_STREAM);
	int ret = connect(s, &a->u.sa, a->len);

	if (ret)
		TH_LOG("connect: error %d", WSAGetLastError());
	ASSERT_EQ(0, ret);
	return s;
}

/*
 * Wait up to @ms for @s to be readable (data, a connection, EOF), with
 * WSAPoll: polling leaves the network-event record alone (§6).
 */
static inline int wsa_poll_in(SOCKET s, int ms)
{
	WSAPOLLFD p = { .fd = s, .events = POLLRDNORM };

	return WSAPoll(&p, 1, ms) == 1 &&
	       (p.revents & (POLLRDNORM | POLLHUP | POLLERR));
}

/* accept() on @lsn, blocking or not: waits for the connection first. */
static inline SOCKET wsa_accept(struct __test_metadata *_metadata, SOCKET lsn)
{
	SOCKET s;

	ASSERT_TRUE(wsa_poll_in(lsn, WSA_TEST_WAIT_MS));
	s = accept(lsn, NULL, NULL);
	if (s == INVALID_SOCKET)
		TH_LOG("accept: error %d", WSAGetLastError());
	ASSERT_NE(INVALID_SOCKET, s);
	return s;
}

static inline void wsa_send_all(struct __test_metadata *_metadata, SOCKET s,
				const char *buf, int len)
{
	int ret = send(s, buf, len, 0);

	if (ret != len)
		TH_LOG("send: %d, error %d", ret, WSAGetLastError());
	ASSERT_EQ(len, ret);
}

static inline void wsa_nonblocking(struct __test_metadata *_metadata,
				   SOCKET s)
{
	u_long one = 1;

	ASSERT_EQ(0, ioctlsocket(s, FIONBIO, &one));
}

/*
 * Send from non-blocking @s until WSAEWOULDBLOCK.  A small send buffer on
 * @s and receive buffer on @peer keeps that short.
 */
static inline long wsa_fill(struct __test_metadata *_metadata, SOCKET s)
{
	static char buf[65536];
	long total = 0;
	int ret;

	for (;;) {
		ret = send(s, buf, sizeof(buf), 0);
		if (ret < 0)
			break;
		total += ret;
		ASSERT_LT(total, 256L << 20);
	}
	ASSERT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	return total;
}

/* Receive on non-blocking @s until WSAEWOULDBLOCK; the byte count. */
static inline long wsa_drain(struct __test_metadata *_metadata, SOCKET s)
{
	static char buf[65536];
	long total = 0;
	int ret;

	while ((ret = recv(s, buf, sizeof(buf), 0)) > 0)
		total += ret;
	if (ret < 0)
		ASSERT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	return total;
}

/*
 * Close @s abortively: the peer sees a reset.  TCP: SO_LINGER {1, 0}, as
 * Windows programs do.  AF_UNIX has no linger: closing a socket with
 * unread data in its receive queue resets the peer.
 */
static inline void wsa_close_with_rst(struct __test_metadata *_metadata,
				      int family, SOCKET s, SOCKET peer)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	if (family == AF_UNIX) {
		wsa_send_all(_metadata, peer, "unread", 6);
		ASSERT_TRUE(wsa_poll_in(s, WSA_TEST_WAIT_MS));
	} else {
		ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&l,
					sizeof(l)));
	}
	ASSERT_EQ(0, closesocket(s));
}

/* ------------------------------------------------------------------ */
/* The record.                                                         */

/* WSAEnumNetworkEvents with iErrorCode[] preset to the sentinel. */
static inline LONG wsa_enum(struct __test_metadata *_metadata, SOCKET s,
			    WSAEVENT reset, WSANETWORKEVENTS *ne)
{
	int ret;

	memset(ne, 0xAB, sizeof(*ne));
	ret = WSAEnumNetworkEvents(s, reset, ne);
	if (ret)
		TH_LOG("WSAEnumNetworkEvents: %d, error %d", ret, WSAGetLastError());
	ASSERT_EQ(0, ret);
	return ne->lNetworkEvents;
}

/*
 * Expect exactly @want to be recorded on @s (each bit once), with error
 * @errs[bit] (0 when @errs is NULL), and iErrorCode[] untouched for the
 * bits not reported.  When @ev is not NULL, wait for it first and reset it
 * with the enumeration (hEventObject = @ev); with @ev NULL poll the record.
 * Events that the socket learns of in separate wake-ups (data, then the
 * FIN) are gathered over several enumerations, but a bit reported twice
 * fails.  @want == 0: watch the event (if any) for WSA_TEST_QUIET_MS,
 * then the record must be empty.
 */
static inline void wsa_check(struct __test_metadata *_metadata, int line,
			     SOCKET s, WSAEVENT ev, LONG want, const int *errs)
{
	uint64_t deadline = wsa_now_ms() + WSA_TEST_WAIT_MS;
	int err[FD_MAX_EVENTS];
	char b1[128], b2[128];
	WSANETWORKEVENTS ne;
	LONG got = 0, now;
	int i, rounds = 0;
	DWORD w;

	if (!want) {
		if (ev) {
			w = wsa_wait(ev, WSA_TEST_QUIET_MS);
			if (w != WSA_WAIT_TIMEOUT) {
				now = wsa_enum(_metadata, s, NULL, &ne);
				TH_LOG("line %d: the event is signaled (%#x), %s recorded",
				       line, (unsigned int)w,
				       wsa_events_str(now, b1, sizeof(b1)));
			}
			ASSERT_EQ(WSA_WAIT_TIMEOUT, w);
		} else {
			wsa_sleep_ms(WSA_TEST_QUIET_MS);
		}
	}
	for (;;) {
		if (want && ev) {
			uint64_t now_ms = wsa_now_ms();

			w = wsa_wait(ev, now_ms < deadline ? deadline - now_ms : 0);
		}
		now = wsa_enum(_metadata, s, ev, &ne);
		rounds++;
		for (i = 0; i < FD_MAX_EVENTS; i++) {
			if (!((DWORD)now & (1u << i))) {
				if (ne.iErrorCode[i] != WSA_SENTINEL)
					TH_LOG("line %d: iErrorCode[%d] changed to %d for an unreported event",
					       line, i, ne.iErrorCode[i]);
				ASSERT_EQ(WSA_SENTINEL, ne.iErrorCode[i]);
				continue;
			}
			err[i] = ne.iErrorCode[i];
		}
		if (now & got)
			TH_LOG("line %d: %s reported twice", line,
			       wsa_events_str(now & got, b1, sizeof(b1)));
		ASSERT_EQ(0, now & got);
		got |= now;
		if (!want || (got & want) == want || wsa_now_ms() >= deadline)
			break;
		if (!ev)
			wsa_sleep_ms(10);
	}
	if (got != want)
		TH_LOG("line %d: expected %s, got %s (%d enumerations)", line,
		       wsa_events_str(want, b1, sizeof(b1)),
		       wsa_events_str(got, b2, sizeof(b2)), rounds);
	ASSERT_EQ(want, got);
	for (i = 0; i < FD_MAX_EVENTS; i++) {
		if (!((DWORD)got & (1u << i)))
			continue;
		if (err[i] != (errs ? errs[i] : 0))
			TH_LOG("line %d: iErrorCode[%d] is %d, expected %d", line,
			       i, err[i], errs ? errs[i] : 0);
		ASSERT_EQ(errs ? errs[i] : 0, err[i]);
	}
}

/* Exactly @want (errors 0), waiting on @ev. */
#define CHECK_EVENTS(s, ev, want) \
	wsa_check(_metadata, __LINE__, (s), (ev), (want), NULL)

/* Exactly @want, with @err for @bit and 0 for the others. */
#define CHECK_EVENTS_ERR(s, ev, want, bit, err) do {			\
	int __errs[FD_MAX_EVENTS] = { 0 };				\
	__errs[bit] = (err);						\
	wsa_check(_metadata, __LINE__, (s), (ev), (want), __errs);	\
} while (0)

/* Nothing within WSA_TEST_QUIET_MS: @ev stays reset, the record empty. */
#define CHECK_QUIET(s, ev) \
	wsa_check(_metadata, __LINE__, (s), (ev), 0, NULL)

/* The record is empty now (no wait; @ev not looked at). */
#define CHECK_NONE(s) do {						\
	WSANETWORKEVENTS __ne;						\
	char __b[128];							\
	LONG __got = wsa_enum(_metadata, (s), NULL, &__ne);		\
	if (__got)							\
		TH_LOG("expected nothing recorded, got %s",		\
		       wsa_events_str(__got, __b, sizeof(__b)));	\
	ASSERT_EQ(0, __got);						\
} while (0)

#define SELECT(s, ev, mask) do {					\
	int __r = WSAEventSelect((s), (ev), (mask));			\
	if (__r)							\
		TH_LOG("WSAEventSelect: error %d", WSAGetLastError());	\
	ASSERT_EQ(0, __r);						\
} while (0)

/* ------------------------------------------------------------------ */
/* The common fixture: an event, a listener, a client and a server.   */

struct wsa_env {
	WSAEVENT ev;
	SOCKET lsn, cli, srv;
	struct wsa_addr addr;
	int family;
	pid_t child;	/* a forked peer, killed and reaped by teardown */
};

static inline void wsa_env_setup(struct __test_metadata *_metadata,
				 struct wsa_env *e, int family)
{
	WSADATA data;

	e->lsn = e->cli = e->srv = INVALID_SOCKET;
	e->family = family;
	e->child = 0;
	ASSERT_EQ(0, WSAStartup(MAKEWORD(2, 2), &data));
#ifdef _WIN32
	/* Windows before 10 1803, and Wine 8, have no AF_UNIX. */
	if (family == AF_UNIX) {
		SOCKET s = socket(AF_UNIX, SOCK_STREAM, 0);

		if (s == INVALID_SOCKET)
			SKIP(return, "no AF_UNIX (error %d)", WSAGetLastError());
		closesocket(s);
	}
#endif
	e->ev = WSACreateEvent();
	ASSERT_NE(WSA_INVALID_EVENT, e->ev);
}

static inline void wsa_env_teardown(struct wsa_env *e)
{
#ifndef _WIN32
	if (e->child > 0) {
		kill(e->child, SIGKILL);
		waitpid(e->child, NULL, 0);
	}
#endif
	if (e->cli != INVALID_SOCKET)
		closesocket(e->cli);
	if (e->srv != INVALID_SOCKET)
		closesocket(e->srv);
	if (e->lsn != INVALID_SOCKET)
		closesocket(e->lsn);
	wsa_unlink(&e->addr);
	if (e->ev)
		WSACloseEvent(e->ev);
	WSACleanup();
}

/* A listener on loopback (unselected, blocking). */
static inline void wsa_env_listen(struct __test_metadata *_metadata,
				  struct wsa_env *e)
{
	e->lsn = wsa_listener(_metadata, e->family, &e->addr);
}

/*
 * A connected pair: e->cli (blocking, connect()ed) and e->srv (accepted
 * from the unselected listener, so blocking and without association).
 */
static inline void wsa_env_pair(struct __test_metadata *_metadata,
				struct wsa_env *e)
{
	if (e->lsn == INVALID_SOCKET)
		wsa_env_listen(_metadata, e);
	e->cli = wsa_connect(_metadata, &e->addr);
	e->srv = wsa_accept(_metadata, e->lsn);
}

#endif /* WSA_TEST_H */
