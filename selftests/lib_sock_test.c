// SPDX-License-Identifier: GPL-2.0-only
/*
 * libwsaevent tests of the Winsock socket calls: each call and its
 * Winsock error codes, the option formats, the sticky states, select and
 * WSAPoll, IPv6 and AF_UNIX, WSACleanup closing the sockets, and the cost
 * of the re-enabling calls in system calls.
 *
 * Written with <winsock2.h> only (no Linux socket header), as a Windows
 * program is.  The harness runs every TEST in a freshly forked process
 * that has not called WSAStartup.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <wsaevent.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/* Bound for what must happen; generous because the VM is emulated. */
#define WAIT_MS		5000

static WSADATA wsa_data;

#define STARTUP() ASSERT_EQ(0, WSAStartup(MAKEWORD(2, 2), &wsa_data))

/* The Winsock error of the last call, for messages. */
#define EXPECT_WSA(call, err) do {					\
	WSASetLastError(0xdead);					\
	EXPECT_EQ(SOCKET_ERROR, (int)(call));				\
	EXPECT_EQ((err), WSAGetLastError());				\
} while (0)

#define ASSERT_WSA(call, err) do {					\
	WSASetLastError(0xdead);					\
	ASSERT_EQ(SOCKET_ERROR, (int)(call));				\
	ASSERT_EQ((err), WSAGetLastError());				\
} while (0)

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* An address: loopback of @family, port 0, or a fresh AF_UNIX path. */
struct addr {
	union {
		struct sockaddr		sa;
		struct sockaddr_in	in;
		struct sockaddr_in6	in6;
		struct sockaddr_un	un;
		struct sockaddr_storage	ss;
	} u;
	int len;
};

static void loopback(struct addr *a, int family)
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
		a->u.in6.sin6_addr = in6addr_loopback;
		a->len = sizeof(a->u.in6);
		break;
	default:
		a->u.un.sun_family = AF_UNIX;
		snprintf(a->u.un.sun_path, sizeof(a->u.un.sun_path),
			 "/tmp/lib-sock-%d-%u", (int)getpid(), counter++);
		unlink(a->u.un.sun_path);
		a->len = sizeof(a->u.un);
		break;
	}
}

/* A listener bound to @a (which gets its port), backlog @backlog. */
static SOCKET listener(struct __test_metadata *_metadata, int family,
		       struct addr *a, int backlog)
{
	SOCKET s = socket(family, SOCK_STREAM, 0);
	int len;

	ASSERT_NE(INVALID_SOCKET, s);
	loopback(a, family);
	ASSERT_EQ(0, bind(s, &a->u.sa, a->len));
	if (family != AF_UNIX) {
		len = a->len;
		ASSERT_EQ(0, getsockname(s, &a->u.sa, &len));
	}
	ASSERT_EQ(0, listen(s, backlog));
	return s;
}

/* Wait until @s polls @events (Windows values); the revents. */
static short poll_for(SOCKET s, short events, int ms)
{
	WSAPOLLFD p = { .fd = s, .events = events };

	if (WSAPoll(&p, 1, ms) != 1)
		return 0;
	return p.revents;
}

/* A connected pair over @family: blocking *cli and accepted *srv. */
static void pair(struct __test_metadata *_metadata, int family,
		 SOCKET *lsn, SOCKET *cli, SOCKET *srv)
{
	struct addr a;

	*lsn = listener(_metadata, family, &a, 8);
	*cli = socket(family, SOCK_STREAM, 0);
	ASSERT_NE(INVALID_SOCKET, *cli);
	ASSERT_EQ(0, connect(*cli, &a.u.sa, a.len));
	ASSERT_TRUE(poll_for(*lsn, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	*srv = accept(*lsn, NULL, NULL);
	ASSERT_NE(INVALID_SOCKET, *srv);
	if (family == AF_UNIX)
		unlink(a.u.un.sun_path);
}

/* Close @s so that its peer sees a reset (TCP: SO_LINGER {1, 0}). */
static void close_with_reset(struct __test_metadata *_metadata, SOCKET s)
{
	struct linger lg = { 1, 0 };

	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&lg,
				sizeof(lg)));
	ASSERT_EQ(0, closesocket(s));
}

static int fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* ------------------------------------------------------------------ */
/* WSAStartup.                                                         */

TEST(calls_before_startup_fail_notinitialised)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	WSAPOLLFD p = { .fd = 0, .events = POLLRDNORM };
	fd_set set;
	char buf[4];
	u_long one = 1;
	int len = sizeof(sin), i;

	for (i = 0; i < 2; i++) {
		WSASetLastError(0);
		EXPECT_EQ(INVALID_SOCKET, socket(AF_INET, SOCK_STREAM, 0));
		EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
		EXPECT_WSA(bind(3, (struct sockaddr *)&sin, sizeof(sin)),
			   WSANOTINITIALISED);
		EXPECT_WSA(listen(3, 1), WSANOTINITIALISED);
		EXPECT_EQ(INVALID_SOCKET, accept(3, NULL, NULL));
		EXPECT_EQ(WSANOTINITIALISED, WSAGetLastError());
		EXPECT_WSA(connect(3, (struct sockaddr *)&sin, sizeof(sin)),
			   WSANOTINITIALISED);
		EXPECT_WSA(send(3, "x", 1, 0), WSANOTINITIALISED);
		EXPECT_WSA(recv(3, buf, 4, 0), WSANOTINITIALISED);
		EXPECT_WSA(sendto(3, "x", 1, 0, NULL, 0), WSANOTINITIALISED);
		EXPECT_WSA(recvfrom(3, buf, 4, 0, NULL, NULL), WSANOTINITIALISED);
		EXPECT_WSA(shutdown(3, SD_BOTH), WSANOTINITIALISED);
		EXPECT_WSA(closesocket(3), WSANOTINITIALISED);
		EXPECT_WSA(ioctlsocket(3, FIONBIO, &one), WSANOTINITIALISED);
		EXPECT_WSA(setsockopt(3, SOL_SOCKET, SO_KEEPALIVE, (char *)&i,
				      sizeof(i)), WSANOTINITIALISED);
		EXPECT_WSA(getsockname(3, (struct sockaddr *)&sin, &len),
			   WSANOTINITIALISED);
		FD_ZERO(&set);
		FD_SET(0, &set);
		EXPECT_WSA(select(0, &set, NULL, NULL, NULL), WSANOTINITIALISED);
		EXPECT_WSA(WSAPoll(&p, 1, 0), WSANOTINITIALISED);
		EXPECT_WSA(WSAEventSelect(3, NULL, 0), WSANOTINITIALISED);
		/* The same after the last WSACleanup. */
		if (!i) {
			STARTUP();
			ASSERT_EQ(0, WSACleanup());
		}
	}
}

TEST(last_cleanup_closes_the_sockets)
{
	SOCKET lsn, cli, srv, other;
	int pipefd[2];

	STARTUP();
	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	other = socket(AF_INET6, SOCK_DGRAM, 0);
	ASSERT_NE(INVALID_SOCKET, other);
	ASSERT_EQ(0, pipe(pipefd));

	/* Not the last cleanup: everything stays. */
	ASSERT_EQ(0, WSACleanup());
	EXPECT_EQ(1, send(cli, "x", 1, 0));
	EXPECT_TRUE(fd_open(srv));

	ASSERT_EQ(0, WSACleanup());
	EXPECT_FALSE(fd_open(lsn));
	EXPECT_FALSE(fd_open(cli));
	EXPECT_FALSE(fd_open(srv));
	EXPECT_FALSE(fd_open(other));
	/* Not a socket of the library's: left alone. */
	EXPECT_TRUE(fd_open(pipefd[0]));
	EXPECT_WSA(WSACleanup(), WSANOTINITIALISED);

	/* The old sockets are gone for good, also after a new WSAStartup. */
	STARTUP();
	EXPECT_WSA(send(cli, "x", 1, 0), WSAENOTSOCK);
	EXPECT_WSA(closesocket(srv), WSAENOTSOCK);
	EXPECT_EQ(0, WSACleanup());
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST(success_sets_last_error_zero)
{
	struct sockaddr_in sin;
	SOCKET s;
	int len = sizeof(sin);

	STARTUP();
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_NE(INVALID_SOCKET, s);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sin, sizeof(sin)));
	WSASetLastError(12345);
	ASSERT_EQ(0, getsockname(s, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(0, WSAGetLastError());
	WSASetLastError(12345);
	EXPECT_EQ(1, sendto(s, "x", 1, 0, (struct sockaddr *)&sin, len));
	EXPECT_EQ(0, WSAGetLastError());
	EXPECT_EQ(0, closesocket(s));
	EXPECT_EQ(0, WSACleanup());
}

/* ------------------------------------------------------------------ */
/* socket, bind, listen, accept.                                       */

TEST(socket_errors)
{
	STARTUP();
	EXPECT_EQ(INVALID_SOCKET, socket(99, SOCK_STREAM, 0));
	EXPECT_EQ(WSAEAFNOSUPPORT, WSAGetLastError());
	/* 10 is Linux's AF_INET6, not Windows': not an IPv6 socket. */
	EXPECT_EQ(INVALID_SOCKET, socket(10, SOCK_STREAM, 0));
	EXPECT_EQ(WSAEAFNOSUPPORT, WSAGetLastError());
	EXPECT_EQ(INVALID_SOCKET, socket(AF_INET, 99, 0));
	EXPECT_EQ(WSAESOCKTNOSUPPORT, WSAGetLastError());
	EXPECT_EQ(INVALID_SOCKET, socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	EXPECT_EQ(WSAEPROTONOSUPPORT, WSAGetLastError());
}

TEST(bind_errors)
{
	struct sockaddr_in sin;
	SOCKET s, t;
	int len = sizeof(sin);

	STARTUP();
	s = socket(AF_INET, SOCK_STREAM, 0);
	t = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_NE(INVALID_SOCKET, s);
	ASSERT_NE(INVALID_SOCKET, t);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	EXPECT_WSA(bind(s, (struct sockaddr *)&sin, sizeof(sin) - 1), WSAEFAULT);
	EXPECT_WSA(bind(s, NULL, sizeof(sin)), WSAEFAULT);
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sin, sizeof(sin)));
	/* Bound already. */
	EXPECT_WSA(bind(s, (struct sockaddr *)&sin, sizeof(sin)), WSAEINVAL);
	ASSERT_EQ(0, getsockname(s, (struct sockaddr *)&sin, &len));
	ASSERT_EQ(0, listen(s, 1));
	EXPECT_WSA(bind(t, (struct sockaddr *)&sin, sizeof(sin)), WSAEADDRINUSE);
}

TEST(listen_errors)
{
	struct sockaddr_in sin;
	SOCKET s, u;

	STARTUP();
	s = socket(AF_INET, SOCK_STREAM, 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_NE(INVALID_SOCKET, s);
	ASSERT_NE(INVALID_SOCKET, u);
	/* Unbound: Linux would pick a port, Windows refuses. */
	EXPECT_WSA(listen(s, SOMAXCONN), WSAEINVAL);
	EXPECT_WSA(listen(u, 1), WSAEOPNOTSUPP);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, bind(u, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_WSA(listen(u, 1), WSAEOPNOTSUPP);
	/* SOMAXCONN (INT_MAX) is clamped; listening twice is fine. */
	EXPECT_EQ(0, listen(s, SOMAXCONN));
	EXPECT_EQ(0, listen(s, 5));
	EXPECT_WSA(listen(INVALID_SOCKET, 5), WSAENOTSOCK);
}

TEST(listen_on_connected_socket_is_wsaeisconn)
{
	SOCKET lsn, cli, srv;

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	EXPECT_WSA(listen(cli, 5), WSAEISCONN);
}

TEST(accept_errors)
{
	struct sockaddr_in sin;
	struct addr a;
	SOCKET lsn, cli, s;
	u_long one = 1;
	int len;

	STARTUP();
	lsn = listener(_metadata, AF_INET, &a, 8);
	ASSERT_EQ(0, ioctlsocket(lsn, FIONBIO, &one));
	/* Nothing to accept. */
	EXPECT_EQ(INVALID_SOCKET, accept(lsn, NULL, NULL));
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());

	cli = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_NE(INVALID_SOCKET, cli);
	ASSERT_EQ(0, connect(cli, &a.u.sa, a.len));
	ASSERT_TRUE(poll_for(lsn, POLLRDNORM, WAIT_MS) & POLLRDNORM);

	/* *addrlen too small: refused before the connection is taken. */
	len = sizeof(sin) - 1;
	EXPECT_EQ(INVALID_SOCKET, accept(lsn, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(WSAEFAULT, WSAGetLastError());
	EXPECT_EQ(INVALID_SOCKET, accept(lsn, (struct sockaddr *)&sin, NULL));
	EXPECT_EQ(WSAEFAULT, WSAGetLastError());

	len = sizeof(sin);
	s = accept(lsn, (struct sockaddr *)&sin, &len);
	ASSERT_NE(INVALID_SOCKET, s);
	EXPECT_EQ((int)sizeof(sin), len);
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(htonl(INADDR_LOOPBACK), sin.sin_addr.s_addr);

	/* Not listening. */
	EXPECT_EQ(INVALID_SOCKET, accept(cli, NULL, NULL));
	EXPECT_EQ(WSAEINVAL, WSAGetLastError());
}

/* ------------------------------------------------------------------ */
/* connect.                                                            */

/*
 * A backlog of 0 holds one connection; a SYN beyond it is dropped, so a
 * second client stays connecting until the first is accepted.
 */
TEST(nonblocking_connect_wouldblock_already_isconn)
{
	struct addr a;
	SOCKET lsn, first, cli, srv;
	u_long one = 1;
	uint64_t end;
	int ret, err = 0;

	STARTUP();
	lsn = listener(_metadata, AF_INET, &a, 0);
	first = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(first, &a.u.sa, a.len));
	ASSERT_TRUE(poll_for(lsn, POLLRDNORM, WAIT_MS) & POLLRDNORM);

	cli = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, ioctlsocket(cli, FIONBIO, &one));
	EXPECT_WSA(connect(cli, &a.u.sa, a.len), WSAEWOULDBLOCK);
	/* Still in progress. */
	EXPECT_WSA(connect(cli, &a.u.sa, a.len), WSAEALREADY);
	EXPECT_EQ(0, poll_for(cli, POLLWRNORM, 0));

	/* Make room: the retransmitted SYN gets through. */
	srv = accept(lsn, NULL, NULL);
	ASSERT_NE(INVALID_SOCKET, srv);
	EXPECT_TRUE(poll_for(cli, POLLWRNORM, 10000) & POLLWRNORM);
	end = now_ms() + WAIT_MS;
	do {
		ret = connect(cli, &a.u.sa, a.len);
		err = WSAGetLastError();
	} while (ret && err == WSAEALREADY && now_ms() < end);
	/* Linux answers 0 once; Windows says already connected. */
	EXPECT_EQ(SOCKET_ERROR, ret);
	EXPECT_EQ(WSAEISCONN, err);
	EXPECT_WSA(connect(cli, &a.u.sa, a.len), WSAEISCONN);
	EXPECT_EQ(2, send(cli, "hi", 2, 0));
}

/* Also after FD_CONNECT told the program: connecting again is WSAEISCONN. */
TEST(connect_after_fd_connect_is_wsaeisconn)
{
	WSANETWORKEVENTS ne;
	struct addr a;
	SOCKET lsn, cli;
	WSAEVENT ev;

	STARTUP();
	lsn = listener(_metadata, AF_INET, &a, 4);
	ev = WSACreateEvent();
	cli = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, WSAEventSelect(cli, ev, FD_CONNECT));
	if (connect(cli, &a.u.sa, a.len))
		ASSERT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      WAIT_MS, FALSE));
	ASSERT_EQ(0, WSAEnumNetworkEvents(cli, ev, &ne));
	ASSERT_EQ(FD_CONNECT, ne.lNetworkEvents);
	EXPECT_EQ(0, ne.iErrorCode[FD_CONNECT_BIT]);
	EXPECT_WSA(connect(cli, &a.u.sa, a.len), WSAEISCONN);
	EXPECT_WSA(connect(cli, &a.u.sa, a.len), WSAEISCONN);
	WSACloseEvent(ev);
	closesocket(lsn);
}

TEST(connect_errors)
{
	struct addr a;
	SOCKET lsn, cli, srv, s, u;
	struct sockaddr_in closed;
	int len = sizeof(closed);

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	len = sizeof(closed);
	ASSERT_EQ(0, getpeername(cli, (struct sockaddr *)&closed, &len));
	EXPECT_WSA(connect(cli, (struct sockaddr *)&closed, sizeof(closed)),
		   WSAEISCONN);
	/* A listener cannot connect. */
	EXPECT_WSA(connect(lsn, (struct sockaddr *)&closed, sizeof(closed)),
		   WSAEINVAL);
	/* Short address. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_WSA(connect(s, (struct sockaddr *)&closed, 8), WSAEFAULT);
	/* Refused: a port nobody listens on (a bound, closed socket's). */
	u = socket(AF_INET, SOCK_STREAM, 0);
	loopback(&a, AF_INET);
	ASSERT_EQ(0, bind(u, &a.u.sa, a.len));
	len = sizeof(closed);
	ASSERT_EQ(0, getsockname(u, (struct sockaddr *)&closed, &len));
	ASSERT_EQ(0, closesocket(u));
	EXPECT_WSA(connect(s, (struct sockaddr *)&closed, sizeof(closed)),
		   WSAECONNREFUSED);
}

/* A refused non-blocking connect: FD_CONNECT carries WSAECONNREFUSED. */
TEST(refused_connect_event_and_so_error)
{
	struct addr a;
	WSANETWORKEVENTS ne;
	WSAEVENT ev;
	SOCKET s, u;
	int i, err = 0, len = sizeof(err);

	STARTUP();
	u = socket(AF_INET, SOCK_STREAM, 0);
	loopback(&a, AF_INET);
	ASSERT_EQ(0, bind(u, &a.u.sa, a.len));
	ASSERT_EQ(0, getsockname(u, &a.u.sa, &a.len));
	ASSERT_EQ(0, closesocket(u));

	ev = WSACreateEvent();
	s = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, WSAEventSelect(s, ev, FD_CONNECT | FD_READ));
	EXPECT_WSA(connect(s, &a.u.sa, a.len), WSAEWOULDBLOCK);
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      WAIT_MS, FALSE));
	for (i = 0; i < FD_MAX_EVENTS; i++)
		ne.iErrorCode[i] = 0x5a5a;
	ASSERT_EQ(0, WSAEnumNetworkEvents(s, ev, &ne));
	EXPECT_EQ(FD_CONNECT, ne.lNetworkEvents);
	EXPECT_EQ(WSAECONNREFUSED, ne.iErrorCode[FD_CONNECT_BIT]);
	/* Only the reported entries are written. */
	EXPECT_EQ(0x5a5a, ne.iErrorCode[FD_READ_BIT]);
	EXPECT_EQ(0x5a5a, ne.iErrorCode[FD_CLOSE_BIT]);
	/* SO_ERROR speaks Winsock too. */
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&err, &len));
	EXPECT_EQ(WSAECONNREFUSED, err);
	WSACloseEvent(ev);
}

/* ------------------------------------------------------------------ */
/* send and recv.                                                      */

TEST(recv_send_errors)
{
	SOCKET lsn, cli, srv;
	char buf[8];
	u_long one = 1;

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	EXPECT_WSA(recv(srv, buf, -1, 0), WSAEFAULT);
	EXPECT_WSA(send(cli, buf, -1, 0), WSAEFAULT);
	EXPECT_WSA(recv(srv, NULL, 8, 0), WSAEFAULT);
	EXPECT_WSA(recv(srv, buf, 8, 0x10000), WSAEOPNOTSUPP);
	ASSERT_EQ(0, ioctlsocket(srv, FIONBIO, &one));
	EXPECT_WSA(recv(srv, buf, 8, 0), WSAEWOULDBLOCK);
	/* A listener has no connection. */
	EXPECT_WSA(recv(lsn, buf, 8, 0), WSAENOTCONN);
	/* A zero-byte receive waits for data, as on Windows. */
	EXPECT_WSA(recv(srv, buf, 0, 0), WSAEWOULDBLOCK);
	ASSERT_EQ(1, send(cli, "x", 1, 0));
	ASSERT_TRUE(poll_for(srv, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	EXPECT_EQ(0, recv(srv, buf, 0, 0));
}

TEST(send_on_unconnected_is_wsaenotconn)
{
	SOCKET s, u;

	STARTUP();
	s = socket(AF_INET, SOCK_STREAM, 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	EXPECT_WSA(send(s, "x", 1, 0), WSAENOTCONN);
	EXPECT_WSA(send(u, "x", 1, 0), WSAENOTCONN);
}

TEST(rcvtimeo_expires_with_wsaetimedout)
{
	SOCKET lsn, cli, srv;
	DWORD ms = 100, got = 0;
	int len = sizeof(got);
	uint64_t start, elapsed;
	char buf[8];

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ASSERT_EQ(0, getsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, (char *)&got, &len));
	EXPECT_EQ(0u, got);
	ASSERT_EQ(0, setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, (char *)&ms,
				sizeof(ms)));
	len = sizeof(got);
	ASSERT_EQ(0, getsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, (char *)&got, &len));
	EXPECT_EQ(100u, got);
	EXPECT_EQ((int)sizeof(DWORD), len);

	start = now_ms();
	EXPECT_WSA(recv(srv, buf, sizeof(buf), 0), WSAETIMEDOUT);
	elapsed = now_ms() - start;
	EXPECT_GE(elapsed, 100u);
	EXPECT_LT(elapsed, 5000u);

	/* SO_SNDTIMEO has the same format. */
	ms = 1234;
	ASSERT_EQ(0, setsockopt(cli, SOL_SOCKET, SO_SNDTIMEO, (char *)&ms,
				sizeof(ms)));
	len = sizeof(got);
	ASSERT_EQ(0, getsockopt(cli, SOL_SOCKET, SO_SNDTIMEO, (char *)&got, &len));
	EXPECT_EQ(1234u, got);
}

TEST(linger_is_two_u_shorts)
{
	struct linger lg = { 1, 7 }, got;
	SOCKET s;
	int len = sizeof(got), dont = 0;

	STARTUP();
	s = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(4, (int)sizeof(struct linger));
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&lg,
				sizeof(lg)));
	memset(&got, 0xff, sizeof(got));
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&got, &len));
	EXPECT_EQ(4, len);
	EXPECT_EQ(1, got.l_onoff);
	EXPECT_EQ(7, got.l_linger);
	/* SO_DONTLINGER is the inverse of l_onoff, keeping l_linger. */
	len = sizeof(dont);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_DONTLINGER, (char *)&dont, &len));
	EXPECT_EQ(0, dont);
	dont = 1;
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_DONTLINGER, (char *)&dont,
				sizeof(dont)));
	len = sizeof(got);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&got, &len));
	EXPECT_EQ(0, got.l_onoff);
	EXPECT_EQ(7, got.l_linger);
	/* Too short. */
	EXPECT_WSA(setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&lg, 2),
		   WSAEFAULT);
	len = 2;
	EXPECT_WSA(getsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&got, &len),
		   WSAEFAULT);
}

TEST(option_formats_and_errors)
{
	SOCKET s, u;
	BOOL on = TRUE;
	int val, len, size = 32768;

	STARTUP();
	s = socket(AF_INET, SOCK_STREAM, 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	/* BOOL options read back as TRUE (1). */
	on = 42;
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&on, sizeof(on)));
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (char *)&on, sizeof(on)));
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_OOBINLINE, (char *)&on, sizeof(on)));
	ASSERT_EQ(0, setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&on, sizeof(on)));
	ASSERT_EQ(0, setsockopt(u, SOL_SOCKET, SO_BROADCAST, (char *)&on, sizeof(on)));
	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&val, &len));
	EXPECT_EQ(1, val);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_REUSEADDR, (char *)&val, &len));
	EXPECT_EQ(1, val);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_OOBINLINE, (char *)&val, &len));
	EXPECT_EQ(1, val);
	ASSERT_EQ(0, getsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&val, &len));
	EXPECT_EQ(1, val);
	ASSERT_EQ(0, getsockopt(u, SOL_SOCKET, SO_BROADCAST, (char *)&val, &len));
	EXPECT_EQ(1, val);
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&val, &len));
	EXPECT_EQ(SOCK_STREAM, val);
	ASSERT_EQ(0, getsockopt(u, SOL_SOCKET, SO_TYPE, (char *)&val, &len));
	EXPECT_EQ(SOCK_DGRAM, val);
	/* Buffer sizes read back as set (Linux reports twice the size). */
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_RCVBUF, (char *)&size, sizeof(size)));
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_RCVBUF, (char *)&val, &len));
	EXPECT_EQ(size, val);

	/* Bad lengths, unknown names and levels, read-only options. */
	EXPECT_WSA(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&on, 2),
		   WSAEFAULT);
	EXPECT_WSA(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, NULL, 4), WSAEFAULT);
	len = 2;
	EXPECT_WSA(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&val, &len),
		   WSAEFAULT);
	len = sizeof(val);
	EXPECT_WSA(getsockopt(s, SOL_SOCKET, 0x7777, (char *)&val, &len),
		   WSAENOPROTOOPT);
	EXPECT_WSA(setsockopt(s, 0x4242, 1, (char *)&on, sizeof(on)), WSAEINVAL);
	EXPECT_WSA(setsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&on, sizeof(on)),
		   WSAENOPROTOOPT);
	/* Linux's SOL_SOCKET (1) is not Windows'. */
	EXPECT_WSA(setsockopt(s, 1, 9, (char *)&on, sizeof(on)), WSAEINVAL);
}

TEST(sticky_reset_for_recv_and_send)
{
	SOCKET lsn, cli, srv;
	char buf[8];
	int i;

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	close_with_reset(_metadata, cli);
	ASSERT_TRUE(poll_for(srv, POLLRDNORM, WAIT_MS) & (POLLERR | POLLHUP));
	/* Linux says ECONNRESET once and then 0; Windows every time. */
	for (i = 0; i < 3; i++) {
		EXPECT_WSA(recv(srv, buf, sizeof(buf), 0), WSAECONNRESET);
		EXPECT_WSA(send(srv, "x", 1, 0), WSAECONNRESET);
	}
}

TEST(reset_stays_after_so_error_read)
{
	SOCKET lsn, cli, srv;
	int err = -1, len = sizeof(err);
	char buf[8];

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	close_with_reset(_metadata, cli);
	ASSERT_TRUE(poll_for(srv, POLLRDNORM, WAIT_MS) & (POLLERR | POLLHUP));
	/* SO_ERROR takes the error from Linux; the socket stays reset. */
	ASSERT_EQ(0, getsockopt(srv, SOL_SOCKET, SO_ERROR, (char *)&err, &len));
	EXPECT_EQ(WSAECONNRESET, err);
	EXPECT_WSA(recv(srv, buf, sizeof(buf), 0), WSAECONNRESET);
	EXPECT_WSA(send(srv, "x", 1, 0), WSAECONNRESET);
	/* WSAPoll: POLLERR | POLLHUP, and POLLWRNORM when asked. */
	EXPECT_EQ(POLLERR | POLLHUP | POLLWRNORM,
		  poll_for(srv, POLLRDNORM | POLLWRNORM, 0));
}

TEST(reset_seen_by_the_kernel_is_sticky)
{
	WSANETWORKEVENTS ne;
	SOCKET lsn, cli, srv;
	WSAEVENT ev;
	char buf[8];

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ev = WSACreateEvent();
	ASSERT_EQ(0, WSAEventSelect(srv, ev, FD_CLOSE));
	close_with_reset(_metadata, cli);
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      WAIT_MS, FALSE));
	ASSERT_EQ(0, WSAEnumNetworkEvents(srv, ev, &ne));
	ASSERT_EQ(FD_CLOSE, ne.lNetworkEvents);
	EXPECT_EQ(WSAECONNABORTED, ne.iErrorCode[FD_CLOSE_BIT]);
	EXPECT_WSA(recv(srv, buf, sizeof(buf), 0), WSAECONNRESET);
	EXPECT_WSA(recv(srv, buf, sizeof(buf), 0), WSAECONNRESET);
	EXPECT_WSA(send(srv, "x", 1, 0), WSAECONNRESET);
	WSACloseEvent(ev);
}

TEST(shutdown_receive_then_recv_is_wsaeshutdown)
{
	SOCKET lsn, cli, srv;
	char buf[8];

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ASSERT_EQ(2, send(cli, "ab", 2, 0));
	ASSERT_TRUE(poll_for(srv, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	ASSERT_EQ(0, shutdown(srv, SD_RECEIVE));
	/* Linux would still return the data, then 0. */
	EXPECT_WSA(recv(srv, buf, sizeof(buf), 0), WSAESHUTDOWN);
	EXPECT_WSA(recv(srv, buf, sizeof(buf), 0), WSAESHUTDOWN);
	/* Sending still works; shutdown is repeatable. */
	EXPECT_EQ(1, send(srv, "x", 1, 0));
	EXPECT_EQ(0, shutdown(srv, SD_RECEIVE));
}

TEST(shutdown_send_then_send_is_wsaeshutdown)
{
	SOCKET lsn, cli, srv;
	char buf[8];

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ASSERT_EQ(0, shutdown(cli, SD_SEND));
	EXPECT_WSA(send(cli, "x", 1, 0), WSAESHUTDOWN);
	/* The peer sees a graceful end; this side can still receive. */
	EXPECT_EQ(0, recv(srv, buf, sizeof(buf), 0));
	ASSERT_EQ(1, send(srv, "y", 1, 0));
	EXPECT_EQ(1, recv(cli, buf, sizeof(buf), 0));
	ASSERT_EQ(0, shutdown(cli, SD_BOTH));
	EXPECT_WSA(recv(cli, buf, sizeof(buf), 0), WSAESHUTDOWN);
}

TEST(shutdown_errors)
{
	struct addr a;
	SOCKET lsn, s, u, un;
	char buf[8];

	STARTUP();
	lsn = listener(_metadata, AF_INET, &a, 4);
	s = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_WSA(shutdown(s, SD_BOTH), WSAENOTCONN);
	EXPECT_WSA(shutdown(lsn, SD_RECEIVE), WSAENOTCONN);
	EXPECT_WSA(shutdown(lsn, SD_BOTH), WSAENOTCONN);
	/* Neither the listener nor the socket was changed. */
	ASSERT_EQ(0, connect(s, &a.u.sa, a.len));
	EXPECT_EQ(1, send(s, "x", 1, 0));
	EXPECT_TRUE(poll_for(lsn, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	EXPECT_WSA(shutdown(s, 3), WSAEINVAL);
	EXPECT_WSA(shutdown(s, -1), WSAEINVAL);
	/* AF_UNIX: Linux would shut an unconnected socket down. */
	un = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_NE(INVALID_SOCKET, un);
	EXPECT_WSA(shutdown(un, SD_SEND), WSAENOTCONN);
	/* UDP: shut down connected or not. */
	u = socket(AF_INET, SOCK_DGRAM, 0);
	loopback(&a, AF_INET);
	ASSERT_EQ(0, bind(u, &a.u.sa, a.len));
	ASSERT_EQ(0, getsockname(u, &a.u.sa, &a.len));
	ASSERT_EQ(0, shutdown(u, SD_SEND));
	EXPECT_WSA(sendto(u, "x", 1, 0, &a.u.sa, a.len), WSAESHUTDOWN);
	ASSERT_EQ(0, shutdown(u, SD_RECEIVE));
	EXPECT_WSA(recvfrom(u, buf, sizeof(buf), 0, NULL, NULL), WSAESHUTDOWN);
}

TEST(closed_or_non_socket_is_wsaenotsock)
{
	struct sockaddr_in sin;
	SOCKET s;
	int pipefd[2], len = sizeof(sin);
	char buf[4];
	u_long n;

	STARTUP();
	s = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, closesocket(s));
	EXPECT_WSA(closesocket(s), WSAENOTSOCK);
	EXPECT_WSA(send(s, "x", 1, 0), WSAENOTSOCK);
	EXPECT_WSA(recv(s, buf, 4, 0), WSAENOTSOCK);
	EXPECT_WSA(getsockname(s, (struct sockaddr *)&sin, &len), WSAENOTSOCK);
	EXPECT_WSA(listen(s, 1), WSAENOTSOCK);
	EXPECT_WSA(shutdown(s, SD_BOTH), WSAENOTSOCK);
	EXPECT_WSA(ioctlsocket(s, FIONREAD, &n), WSAENOTSOCK);
	EXPECT_WSA(WSAEventSelect(s, NULL, 0), WSAENOTSOCK);
	EXPECT_WSA(send(INVALID_SOCKET, "x", 1, 0), WSAENOTSOCK);
	EXPECT_WSA(closesocket(INVALID_SOCKET), WSAENOTSOCK);

	/* A pipe is not a socket, and closesocket must not close it. */
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_WSA(closesocket(pipefd[0]), WSAENOTSOCK);
	EXPECT_TRUE(fd_open(pipefd[0]));
	EXPECT_WSA(send(pipefd[1], "x", 1, 0), WSAENOTSOCK);
	EXPECT_WSA(recv(pipefd[0], buf, 4, 0), WSAENOTSOCK);
	EXPECT_WSA(getsockname(pipefd[0], (struct sockaddr *)&sin, &len),
		   WSAENOTSOCK);
	EXPECT_WSA(listen(pipefd[0], 1), WSAENOTSOCK);
	EXPECT_WSA(ioctlsocket(pipefd[0], SIOCATMARK, &n), WSAENOTSOCK);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST(names)
{
	struct sockaddr_in sin;
	SOCKET lsn, cli, srv, s;
	int len;

	STARTUP();
	s = socket(AF_INET, SOCK_STREAM, 0);
	len = sizeof(sin);
	/* Unbound: no name on Windows. */
	EXPECT_WSA(getsockname(s, (struct sockaddr *)&sin, &len), WSAEINVAL);
	EXPECT_WSA(getpeername(s, (struct sockaddr *)&sin, &len), WSAENOTCONN);
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	len = sizeof(sin) - 1;
	EXPECT_WSA(getpeername(cli, (struct sockaddr *)&sin, &len), WSAEFAULT);
	EXPECT_WSA(getsockname(cli, NULL, &len), WSAEFAULT);
	len = sizeof(struct sockaddr_storage);
	ASSERT_EQ(0, getpeername(srv, (struct sockaddr *)&sin, &len));
	EXPECT_EQ((int)sizeof(sin), len);
	EXPECT_EQ(AF_INET, sin.sin_family);
}

/* ------------------------------------------------------------------ */
/* ioctlsocket.                                                        */

TEST(fionbio)
{
	SOCKET lsn, cli, srv;
	WSAEVENT ev;
	DWORD ms = 100;
	u_long mode;
	char buf[4];

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	EXPECT_WSA(ioctlsocket(srv, FIONBIO, NULL), WSAEFAULT);
	EXPECT_WSA(ioctlsocket(srv, FIONBIO, (u_long *)8), WSAEFAULT);
	EXPECT_WSA(ioctlsocket(srv, 0x12345678, &mode), WSAEINVAL);

	ev = WSACreateEvent();
	ASSERT_EQ(0, WSAEventSelect(srv, ev, FD_READ));
	/* Selected: non-blocking for good; 0 refused, 1 fine. */
	mode = 0;
	EXPECT_WSA(ioctlsocket(srv, FIONBIO, &mode), WSAEINVAL);
	mode = 1;
	EXPECT_EQ(0, ioctlsocket(srv, FIONBIO, &mode));
	EXPECT_WSA(recv(srv, buf, 4, 0), WSAEWOULDBLOCK);

	/* Deselected: blocking again is allowed (and recv now times out). */
	ASSERT_EQ(0, WSAEventSelect(srv, NULL, 0));
	EXPECT_WSA(recv(srv, buf, 4, 0), WSAEWOULDBLOCK);
	mode = 0;
	EXPECT_EQ(0, ioctlsocket(srv, FIONBIO, &mode));
	ASSERT_EQ(0, setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, (char *)&ms,
				sizeof(ms)));
	EXPECT_WSA(recv(srv, buf, 4, 0), WSAETIMEDOUT);
	WSACloseEvent(ev);
}

TEST(fionread_counts_bytes)
{
	SOCKET lsn, cli, srv;
	u_long n = 99;

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ASSERT_EQ(0, ioctlsocket(srv, FIONREAD, &n));
	EXPECT_EQ(0u, n);
	ASSERT_EQ(5, send(cli, "hello", 5, 0));
	ASSERT_TRUE(poll_for(srv, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	ASSERT_EQ(0, ioctlsocket(srv, FIONREAD, &n));
	EXPECT_EQ(5u, n);
	EXPECT_WSA(ioctlsocket(srv, FIONREAD, NULL), WSAEFAULT);
	EXPECT_WSA(ioctlsocket(srv, FIONREAD, (u_long *)8), WSAEFAULT);
}

TEST(siocatmark_and_oob)
{
	SOCKET lsn, cli, srv;
	BOOL on = TRUE;
	u_long mark = 99;
	char c = 0, buf[8];

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ASSERT_EQ(0, ioctlsocket(srv, SIOCATMARK, &mark));
	EXPECT_EQ(1u, mark);		/* TRUE: no OOB data */
	EXPECT_WSA(ioctlsocket(srv, SIOCATMARK, NULL), WSAEFAULT);

	ASSERT_EQ(1, send(cli, "a", 1, 0));
	ASSERT_EQ(1, send(cli, "!", 1, MSG_OOB));
	ASSERT_TRUE(poll_for(srv, POLLRDBAND, WAIT_MS) & POLLRDBAND);
	ASSERT_EQ(0, ioctlsocket(srv, SIOCATMARK, &mark));
	EXPECT_EQ(0u, mark);
	ASSERT_EQ(1, recv(srv, &c, 1, MSG_OOB));
	EXPECT_EQ('!', c);
	ASSERT_EQ(0, ioctlsocket(srv, SIOCATMARK, &mark));
	EXPECT_EQ(1u, mark);
	EXPECT_EQ(1, recv(srv, buf, sizeof(buf), 0));

	/*
	 * SO_OOBINLINE: urgent data is normal data; MSG_OOB is invalid.  A
	 * new connection: Linux would hand the urgent byte read above out
	 * again as normal data once SO_OOBINLINE is on (spec §11).
	 */
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ASSERT_EQ(0, setsockopt(srv, SOL_SOCKET, SO_OOBINLINE, (char *)&on,
				sizeof(on)));
	ASSERT_EQ(1, send(cli, "#", 1, MSG_OOB));
	ASSERT_TRUE(poll_for(srv, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	EXPECT_EQ(POLLRDNORM | POLLWRNORM,
		  poll_for(srv, POLLRDNORM | POLLRDBAND | POLLWRNORM, 0));
	ASSERT_EQ(0, ioctlsocket(srv, SIOCATMARK, &mark));
	EXPECT_EQ(0u, mark);
	EXPECT_WSA(recv(srv, buf, sizeof(buf), MSG_OOB), WSAEINVAL);
	EXPECT_EQ(1, recv(srv, buf, sizeof(buf), 0));
	EXPECT_EQ('#', buf[0]);
	ASSERT_EQ(0, ioctlsocket(srv, SIOCATMARK, &mark));
	EXPECT_EQ(1u, mark);
}

/* ------------------------------------------------------------------ */
/* select and WSAPoll.                                                 */

TEST(select_basics)
{
	SOCKET lsn, cli, srv;
	struct timeval tv = { 0, 200000 };
	fd_set r, w, e;
	uint64_t start;
	char buf[8];

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ASSERT_EQ(64, FD_SETSIZE);

	/* Nothing readable: the timeout runs out. */
	FD_ZERO(&r);
	FD_SET(srv, &r);
	FD_SET(srv, &r);	/* once only */
	EXPECT_EQ(1u, r.fd_count);
	start = now_ms();
	EXPECT_EQ(0, select(0, &r, NULL, NULL, &tv));
	EXPECT_GE(now_ms() - start, 190u);
	EXPECT_EQ(0u, r.fd_count);

	/* Readable and writable; nfds is ignored. */
	ASSERT_EQ(3, send(cli, "abc", 3, 0));
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(lsn, &r);
	FD_SET(srv, &r);
	FD_SET(srv, &w);
	FD_SET(srv, &e);
	tv.tv_sec = 5;
	EXPECT_EQ(2, select(12345, &r, &w, &e, &tv));
	EXPECT_TRUE(FD_ISSET(srv, &r));
	EXPECT_FALSE(FD_ISSET(lsn, &r));
	EXPECT_TRUE(FD_ISSET(srv, &w));
	EXPECT_EQ(0u, e.fd_count);
	FD_CLR(srv, &r);
	EXPECT_EQ(0u, r.fd_count);
	EXPECT_EQ(3, recv(srv, buf, sizeof(buf), 0));

	/* Urgent data is exceptional. */
	ASSERT_EQ(1, send(cli, "!", 1, MSG_OOB));
	FD_ZERO(&e);
	FD_SET(srv, &e);
	EXPECT_EQ(1, select(0, NULL, NULL, &e, &tv));
	EXPECT_TRUE(FD_ISSET(srv, &e));

	/* No sets, an empty set, a closed socket. */
	EXPECT_WSA(select(0, NULL, NULL, NULL, &tv), WSAEINVAL);
	FD_ZERO(&r);
	EXPECT_WSA(select(0, &r, NULL, NULL, &tv), WSAEINVAL);
	ASSERT_EQ(0, closesocket(cli));
	FD_SET(cli, &r);
	EXPECT_WSA(select(0, &r, NULL, NULL, &tv), WSAENOTSOCK);
}

TEST(select_listener_and_failed_connect)
{
	struct addr a;
	SOCKET lsn, s, u, cli;
	struct timeval tv = { 5, 0 };
	fd_set r, w, e;
	u_long one = 1;
	int err = 0, len = sizeof(err);

	STARTUP();
	lsn = listener(_metadata, AF_INET, &a, 4);
	cli = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(cli, &a.u.sa, a.len));
	FD_ZERO(&r);
	FD_SET(lsn, &r);
	EXPECT_EQ(1, select(0, &r, NULL, NULL, &tv));

	/* A refused non-blocking connect: exceptfds only. */
	u = socket(AF_INET, SOCK_STREAM, 0);
	loopback(&a, AF_INET);
	ASSERT_EQ(0, bind(u, &a.u.sa, a.len));
	ASSERT_EQ(0, getsockname(u, &a.u.sa, &a.len));
	ASSERT_EQ(0, closesocket(u));
	s = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, ioctlsocket(s, FIONBIO, &one));
	EXPECT_WSA(connect(s, &a.u.sa, a.len), WSAEWOULDBLOCK);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(s, &r);
	FD_SET(s, &w);
	FD_SET(s, &e);
	EXPECT_EQ(1, select(0, &r, &w, &e, &tv));
	EXPECT_EQ(0u, r.fd_count);
	EXPECT_EQ(0u, w.fd_count);
	EXPECT_TRUE(FD_ISSET(s, &e));
	ASSERT_EQ(0, getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&err, &len));
	EXPECT_EQ(WSAECONNREFUSED, err);
}

/* Polling leaves the network-event record (and the event) alone. */
TEST(select_and_wsapoll_do_not_disturb_events)
{
	WSANETWORKEVENTS ne;
	SOCKET lsn, cli, srv;
	struct timeval tv = { 0, 0 };
	WSAEVENT ev;
	fd_set r;

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ev = WSACreateEvent();
	ASSERT_EQ(0, WSAEventSelect(srv, ev, FD_READ));
	ASSERT_EQ(1, send(cli, "x", 1, 0));
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      WAIT_MS, FALSE));
	ASSERT_EQ(0, WSAEnumNetworkEvents(srv, ev, &ne));
	ASSERT_EQ(FD_READ, ne.lNetworkEvents);

	FD_ZERO(&r);
	FD_SET(srv, &r);
	EXPECT_EQ(1, select(0, &r, NULL, NULL, &tv));
	EXPECT_EQ(POLLRDNORM, poll_for(srv, POLLRDNORM, 0));
	EXPECT_EQ(WSA_WAIT_TIMEOUT, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      100, FALSE));
	ASSERT_EQ(0, WSAEnumNetworkEvents(srv, NULL, &ne));
	EXPECT_EQ(0, ne.lNetworkEvents);
	WSACloseEvent(ev);
}

TEST(wsapoll_basics)
{
	SOCKET lsn, cli, srv, gone;
	WSAPOLLFD p[3];
	int pipefd[2];

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ASSERT_EQ(0x300, POLLIN);
	EXPECT_EQ(POLLWRNORM, poll_for(srv, POLLRDNORM | POLLWRNORM, 0));
	ASSERT_EQ(1, send(cli, "x", 1, 0));
	EXPECT_EQ(POLLRDNORM, poll_for(srv, POLLIN, WAIT_MS));

	/* Bad events, no entries; a closed socket is POLLNVAL. */
	p[0].fd = srv;
	p[0].events = POLLERR;
	EXPECT_WSA(WSAPoll(p, 1, 0), WSAEINVAL);
	EXPECT_WSA(WSAPoll(p, 0, 0), WSAEINVAL);
	EXPECT_WSA(WSAPoll(NULL, 1, 0), WSAEINVAL);
	ASSERT_EQ(0, pipe(pipefd));
	gone = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, closesocket(gone));
	p[0].fd = gone;
	p[0].events = POLLRDNORM;
	p[1].fd = srv;
	p[1].events = POLLRDNORM;
	/* Any fd: a pipe with data is readable (Linux extension). */
	ASSERT_EQ(1, write(pipefd[1], "z", 1));
	p[2].fd = pipefd[0];
	p[2].events = POLLRDNORM;
	EXPECT_EQ(3, WSAPoll(p, 3, 0));
	EXPECT_EQ(POLLNVAL, p[0].revents);
	EXPECT_EQ(POLLRDNORM, p[1].revents);
	EXPECT_EQ(POLLRDNORM, p[2].revents);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* ------------------------------------------------------------------ */
/* IPv6, UDP, AF_UNIX.                                                 */

TEST(ipv6_loopback_round_trip)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	SOCKET lsn, cli, srv;
	char text[INET6_ADDRSTRLEN], buf[8];
	int len, v6only = 0;

	STARTUP();
	pair(_metadata, AF_INET6, &lsn, &cli, &srv);
	len = sizeof(sin6);
	ASSERT_EQ(0, getsockname(cli, (struct sockaddr *)&sin6, &len));
	EXPECT_EQ((int)sizeof(sin6), len);
	EXPECT_EQ(23, sin6.sin6_family);
	ASSERT_NE(NULL, inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof(text)));
	EXPECT_STREQ("::1", text);
	len = sizeof(sin6);
	ASSERT_EQ(0, getpeername(srv, (struct sockaddr *)&sin6, &len));
	EXPECT_EQ(AF_INET6, sin6.sin6_family);
	/* An IPv6 address does not fit a sockaddr_in. */
	len = sizeof(sin);
	EXPECT_WSA(getpeername(srv, (struct sockaddr *)&sin, &len), WSAEFAULT);

	ASSERT_EQ(4, send(cli, "ping", 4, 0));
	ASSERT_EQ(4, recv(srv, buf, 4, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	ASSERT_EQ(4, send(srv, "pong", 4, 0));
	ASSERT_EQ(4, recv(cli, buf, 4, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "pong", 4));

	/* IPv6-only by default, as on Windows. */
	len = sizeof(v6only);
	ASSERT_EQ(0, getsockopt(cli, IPPROTO_IPV6, IPV6_V6ONLY, (char *)&v6only,
				&len));
	EXPECT_EQ(1, v6only);
}

TEST(udp_sendto_recvfrom_ipv4_and_ipv6)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct addr a, from;
	SOCKET r, s;
	char buf[8];
	int i, len;

	STARTUP();
	for (i = 0; i < 2; i++) {
		r = socket(families[i], SOCK_DGRAM, IPPROTO_UDP);
		s = socket(families[i], SOCK_DGRAM, 0);
		ASSERT_NE(INVALID_SOCKET, r);
		loopback(&a, families[i]);
		ASSERT_EQ(0, bind(r, &a.u.sa, a.len));
		ASSERT_EQ(0, getsockname(r, &a.u.sa, &a.len));
		ASSERT_EQ(6, sendto(s, "abcdef", 6, 0, &a.u.sa, a.len));
		ASSERT_TRUE(poll_for(r, POLLRDNORM, WAIT_MS) & POLLRDNORM);
		/* fromlen too small: refused before the datagram is taken. */
		len = families[i] == AF_INET ? 15 : 27;
		EXPECT_WSA(recvfrom(r, buf, sizeof(buf), 0, &from.u.sa, &len),
			   WSAEFAULT);
		EXPECT_WSA(recvfrom(r, buf, sizeof(buf), 0, &from.u.sa, NULL),
			   WSAEFAULT);
		len = sizeof(from.u);
		ASSERT_EQ(6, recvfrom(r, buf, sizeof(buf), 0, &from.u.sa, &len));
		EXPECT_EQ(families[i], from.u.sa.sa_family);
		EXPECT_EQ(families[i] == AF_INET ? 16 : 28, len);
		/* A datagram bigger than the buffer: WSAEMSGSIZE. */
		ASSERT_EQ(6, sendto(s, "abcdef", 6, 0, &a.u.sa, a.len));
		ASSERT_TRUE(poll_for(r, POLLRDNORM, WAIT_MS) & POLLRDNORM);
		EXPECT_WSA(recv(r, buf, 3, 0), WSAEMSGSIZE);
		EXPECT_EQ(0, memcmp(buf, "abc", 3));
		closesocket(r);
		closesocket(s);
	}
}

TEST(unix_stream_full_rules)
{
	struct sockaddr_un sun;
	struct addr a;
	SOCKET lsn, cli, srv, s;
	char buf[8];
	int len = sizeof(sun);

	STARTUP();
	/* A listener cannot connect; an unbound socket cannot listen. */
	lsn = listener(_metadata, AF_UNIX, &a, 4);
	EXPECT_WSA(connect(lsn, &a.u.sa, a.len), WSAEINVAL);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_WSA(listen(s, 1), WSAEINVAL);
	ASSERT_EQ(0, closesocket(lsn));
	/* Nobody there. */
	EXPECT_WSA(connect(s, &a.u.sa, a.len), WSAECONNREFUSED);
	unlink(a.u.un.sun_path);

	pair(_metadata, AF_UNIX, &lsn, &cli, &srv);
	ASSERT_EQ(0, getsockname(lsn, (struct sockaddr *)&sun, &len));
	EXPECT_EQ(AF_UNIX, sun.sun_family);
	EXPECT_EQ(0, strncmp(sun.sun_path, "/tmp/lib-sock-", 14));
	ASSERT_EQ(3, send(cli, "abc", 3, 0));
	ASSERT_EQ(3, recv(srv, buf, sizeof(buf), 0));
	/* Closing with unread data resets the peer: sticky, as TCP. */
	ASSERT_EQ(1, send(cli, "u", 1, 0));
	ASSERT_TRUE(poll_for(srv, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	ASSERT_EQ(0, closesocket(srv));
	EXPECT_WSA(recv(cli, buf, sizeof(buf), 0), WSAECONNRESET);
	EXPECT_WSA(recv(cli, buf, sizeof(buf), 0), WSAECONNRESET);
	EXPECT_WSA(send(cli, "x", 1, 0), WSAECONNRESET);
	/* Graceful close: recv returns 0; shutdown errors as TCP. */
	pair(_metadata, AF_UNIX, &lsn, &cli, &srv);
	ASSERT_EQ(0, shutdown(srv, SD_SEND));
	EXPECT_EQ(0, recv(cli, buf, sizeof(buf), 0));
	EXPECT_WSA(shutdown(lsn, SD_BOTH), WSAENOTCONN);
}

TEST(wsaeventselect_takes_any_pollable_fd)
{
	WSANETWORKEVENTS ne;
	WSAEVENT ev;
	int pipefd[2];

	STARTUP();
	ASSERT_EQ(0, pipe(pipefd));
	ev = WSACreateEvent();
	ASSERT_EQ(0, WSAEventSelect(pipefd[0], ev, FD_READ | FD_CLOSE));
	ASSERT_EQ(1, write(pipefd[1], "p", 1));
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      WAIT_MS, FALSE));
	ASSERT_EQ(0, WSAEnumNetworkEvents(pipefd[0], ev, &ne));
	EXPECT_EQ(FD_READ, ne.lNetworkEvents & FD_READ);
	EXPECT_WSA(WSAEventSelect(pipefd[0], NULL, FD_READ), WSAEINVAL);
	EXPECT_WSA(WSAEventSelect(pipefd[0], ev, 0x400), WSAEINVAL);
	EXPECT_WSA(WSAEnumNetworkEvents(pipefd[0], NULL, NULL), WSAEFAULT);
	close(pipefd[0]);
	close(pipefd[1]);
	WSACloseEvent(ev);
}

TEST(address_helpers)
{
	struct in_addr in;
	IN6_ADDR in6;
	char text[INET6_ADDRSTRLEN];

	/* No WSAStartup needed. */
	EXPECT_EQ(htonl(0x7f000001), inet_addr("127.0.0.1"));
	EXPECT_EQ(INADDR_NONE, inet_addr("not an address"));
	EXPECT_EQ(INADDR_NONE, inet_addr(NULL));
	in.s_addr = htonl(0xc0a80001);
	EXPECT_STREQ("192.168.0.1", inet_ntoa(in));
	EXPECT_EQ(0x3412, htons(0x1234));
	EXPECT_EQ(0x78563412u, htonl(0x12345678));
	EXPECT_EQ(0x1234, ntohs(htons(0x1234)));

	EXPECT_EQ(1, inet_pton(AF_INET, "10.1.2.3", &in));
	EXPECT_EQ(htonl(0x0a010203), in.s_addr);
	EXPECT_EQ(1, inet_pton(AF_INET6, "fe80::1", &in6));
	EXPECT_EQ(0xfe, in6.s6_addr[0]);
	EXPECT_EQ(1, in6.s6_addr[15]);
	EXPECT_EQ(0, inet_pton(AF_INET6, "fe80::1::2", &in6));
	EXPECT_WSA(inet_pton(10, "::1", &in6), WSAEAFNOSUPPORT);
	EXPECT_STREQ("fe80::1", inet_ntop(AF_INET6, &in6, text, sizeof(text)));
	WSASetLastError(0);
	EXPECT_EQ(NULL, inet_ntop(AF_INET6, &in6, text, 4));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, WSAGetLastError());
	EXPECT_EQ(NULL, inet_ntop(10, &in6, text, sizeof(text)));
	EXPECT_EQ(WSAEAFNOSUPPORT, WSAGetLastError());
}

/* The per-socket state is shared by threads: latch and close at once. */
struct churn {
	pthread_t thread;
	int failures;
};

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	SOCKET s;
	int i;

	for (i = 0; i < 300; i++) {
		s = socket(i & 1 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
		if (s == INVALID_SOCKET) {
			c->failures++;
			continue;
		}
		if (shutdown(s, SD_SEND) || send(s, "x", 1, 0) != SOCKET_ERROR ||
		    WSAGetLastError() != WSAESHUTDOWN)
			c->failures++;
		if (closesocket(s))
			c->failures++;
	}
	return NULL;
}

TEST(threads_share_the_socket_state)
{
	struct churn c[4];
	int i;

	STARTUP();
	memset(c, 0, sizeof(c));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&c[i].thread, NULL, churn_main, &c[i]));
	for (i = 0; i < 4; i++) {
		pthread_join(c[i].thread, NULL);
		EXPECT_EQ(0, c[i].failures);
	}
}

/* ------------------------------------------------------------------ */
/* The cost of the re-enabling calls, in system calls.                */

#if defined(__x86_64__)
#include "syscall_counter.h"

/* The counter counts: a getpid() is one system call, getpid. */
static void check_counter(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, start_syscall_counter());
	ASSERT_EQ(getpid(), COUNT_SYSCALLS((pid_t)syscall(__NR_getpid)));
	ASSERT_EQ(1, nr_seen);
	ASSERT_EQ(__NR_getpid, seen[0]);
}

#define EXPECT_ONE_IOCTL() do {						\
	EXPECT_EQ(1, nr_seen);						\
	EXPECT_EQ(__NR_ioctl, seen[0]);					\
} while (0)
#endif

/*
 * A recv that re-enables FD_READ is one system call: WSAEVENT_IOC_RECV
 * receives and re-enables in the same ioctl.  The partial recv below
 * leaves data queued, so FD_READ is recorded again at once (the proof
 * that the one call did re-enable).  The same for recvfrom, send, sendto
 * and accept on sockets the library made.
 */
TEST(reenabling_calls_cost_one_syscall)
{
#if defined(__x86_64__)
	WSANETWORKEVENTS ne;
	struct addr a, from;
	SOCKET lsn, cli, srv, u, v, acc;
	WSAEVENT ev;
	char buf[8];
	int len, n;

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ev = WSACreateEvent();
	ASSERT_EQ(0, WSAEventSelect(srv, ev, FD_READ));
	ASSERT_EQ(4, send(cli, "abcd", 4, 0));
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      WAIT_MS, FALSE));
	ASSERT_EQ(0, WSAEnumNetworkEvents(srv, ev, &ne));
	ASSERT_EQ(FD_READ, ne.lNetworkEvents);

	u = socket(AF_INET6, SOCK_DGRAM, 0);
	v = socket(AF_INET6, SOCK_DGRAM, 0);
	loopback(&a, AF_INET6);
	ASSERT_EQ(0, bind(u, &a.u.sa, a.len));
	ASSERT_EQ(0, getsockname(u, &a.u.sa, &a.len));

	check_counter(_metadata);

	n = COUNT_SYSCALLS(recv(srv, buf, 2, 0));
	EXPECT_EQ(2, n);
	EXPECT_ONE_IOCTL();
	/* Re-enabled in that same call: FD_READ is recorded again. */
	EXPECT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      WAIT_MS, FALSE));
	ASSERT_EQ(0, WSAEnumNetworkEvents(srv, ev, &ne));
	EXPECT_EQ(FD_READ, ne.lNetworkEvents);

	/* A recv that would block re-enables too: one call. */
	ASSERT_EQ(2, recv(srv, buf, sizeof(buf), 0));
	n = COUNT_SYSCALLS(recv(srv, buf, sizeof(buf), 0));
	EXPECT_EQ(SOCKET_ERROR, n);
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	EXPECT_ONE_IOCTL();

	n = COUNT_SYSCALLS(send(cli, "ef", 2, 0));
	EXPECT_EQ(2, n);
	EXPECT_ONE_IOCTL();

	n = COUNT_SYSCALLS(sendto(v, "dgram", 5, 0, &a.u.sa, a.len));
	EXPECT_EQ(5, n);
	EXPECT_ONE_IOCTL();
	ASSERT_TRUE(poll_for(u, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	len = sizeof(from.u);
	n = COUNT_SYSCALLS(recvfrom(u, buf, sizeof(buf), 0, &from.u.sa, &len));
	EXPECT_EQ(5, n);
	EXPECT_ONE_IOCTL();
	EXPECT_EQ(AF_INET6, from.u.sa.sa_family);

	/* Small buffers: the sends below soon fill them. */
	loopback(&a, AF_INET);
	len = a.len;
	ASSERT_EQ(0, getsockname(lsn, &a.u.sa, &len));
	cli = socket(AF_INET, SOCK_STREAM, 0);
	n = 4096;
	ASSERT_EQ(0, setsockopt(cli, SOL_SOCKET, SO_RCVBUF, (char *)&n, sizeof(n)));
	ASSERT_EQ(0, connect(cli, &a.u.sa, len));
	ASSERT_TRUE(poll_for(lsn, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	len = sizeof(from.u);
	acc = COUNT_SYSCALLS(accept(lsn, &from.u.sa, &len));
	EXPECT_NE(INVALID_SOCKET, acc);
	EXPECT_ONE_IOCTL();
	EXPECT_EQ(AF_INET, from.u.sa.sa_family);

	/* A send that would block is one call too (and re-enables FD_WRITE). */
	n = 4096;
	ASSERT_EQ(0, setsockopt(acc, SOL_SOCKET, SO_SNDBUF, (char *)&n, sizeof(n)));
	ASSERT_EQ(0, WSAEventSelect(acc, ev, FD_WRITE));
	for (n = 0; n < 100000; n++) {
		static char big[65536];

		if (COUNT_SYSCALLS(send(acc, big, sizeof(big), 0)) == SOCKET_ERROR)
			break;
	}
	EXPECT_EQ(WSAEWOULDBLOCK, WSAGetLastError());
	EXPECT_ONE_IOCTL();
#else
	SKIP(return, "the system call counter is written for x86_64");
#endif
}

TEST_HARNESS_MAIN
