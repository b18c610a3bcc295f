// SPDX-License-Identifier: GPL-2.0-only
/*
 * libwsaevent tests of its overlapped I/O and of the socket calls it
 * touched, from the Linux side: what each call costs in system calls (an
 * overlapped WSARecv/WSASend is one WSAEVENT_IOC_SUBMIT), ioctlsocket on a
 * kernel without process_vm_readv/writev, closesocket waking a thread
 * blocked in accept() or select() on a listener, connect's
 * WSAEVENT_IOC_REFRESH, fork() and WSACleanup with operations pending,
 * and the IPv6 source-address fix-up of overlapped WSARecvFrom.
 *
 * The Windows behaviour itself is tested in wsa_overlapped_*_test.c.
 * Written with <winsock2.h> (no Linux socket header); the harness runs
 * every TEST in a freshly forked process.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <wsaevent.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define WAIT_MS		5000

static WSADATA wsa_data;

#define STARTUP() ASSERT_EQ(0, WSAStartup(MAKEWORD(2, 2), &wsa_data))

#define EXPECT_WSA(call, err) do {					\
	int __r;							\
	WSASetLastError(0xdead);					\
	__r = (int)(call);						\
	EXPECT_EQ(SOCKET_ERROR, __r);					\
	EXPECT_EQ((err), WSAGetLastError());				\
} while (0)

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

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
			 "/tmp/lib-ovl-%d-%u", (int)getpid(), counter++);
		unlink(a->u.un.sun_path);
		a->len = sizeof(a->u.un);
		break;
	}
}

static SOCKET listener(struct __test_metadata *_metadata, int family,
		       struct addr *a)
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
	ASSERT_EQ(0, listen(s, 8));
	return s;
}

static short poll_for(SOCKET s, short events, int ms)
{
	WSAPOLLFD p = { .fd = s, .events = events };

	if (WSAPoll(&p, 1, ms) != 1)
		return 0;
	return p.revents;
}

static void pair(struct __test_metadata *_metadata, int family,
		 SOCKET *lsn, SOCKET *cli, SOCKET *srv)
{
	struct addr a;

	*lsn = listener(_metadata, family, &a);
	*cli = socket(family, SOCK_STREAM, 0);
	ASSERT_NE(INVALID_SOCKET, *cli);
	ASSERT_EQ(0, connect(*cli, &a.u.sa, a.len));
	ASSERT_TRUE(poll_for(*lsn, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	*srv = accept(*lsn, NULL, NULL);
	ASSERT_NE(INVALID_SOCKET, *srv);
	if (family == AF_UNIX)
		unlink(a.u.un.sun_path);
}

static int routine_calls;
static DWORD routine_error;

static void CALLBACK routine(DWORD dwError, DWORD cbTransferred,
			     LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
	(void)cbTransferred;
	(void)lpOverlapped;
	(void)dwFlags;
	routine_error = dwError;
	routine_calls++;
}

static int wait_done(WSAOVERLAPPED *ov)
{
	uint64_t end = now_ms() + WAIT_MS;

	while (!HasOverlappedIoCompleted(ov)) {
		if (now_ms() > end)
			return 0;
		sleep_ms(1);
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* The cost of the calls, in system calls.                             */

#if defined(__x86_64__)
/* The counter of lib_sock_test.c. */
#include "syscall_counter.h"

#define EXPECT_SYSCALLS(n) do {						\
	if (nr_seen != (n))						\
		TH_LOG("%d system calls (first: %ld, %ld)", nr_seen,	\
		       seen[0], seen[1]);				\
	EXPECT_EQ((n), nr_seen);					\
} while (0)

#define EXPECT_ONE_IOCTL() do {						\
	EXPECT_SYSCALLS(1);						\
	EXPECT_EQ(__NR_ioctl, seen[0]);					\
} while (0)
#endif

/*
 * An overlapped WSARecv or WSASend is one system call: the
 * WSAEVENT_IOC_SUBMIT ioctl, pending or completed, with an event or with
 * a routine (once the thread has its alert event); so are the
 * non-overlapped multi-buffer calls.  WSAGetOverlappedResult of a
 * completed operation on a socket the library made makes none; the
 * alertable wait that runs a routine, one.
 */
TEST(overlapped_calls_cost_one_syscall)
{
#if defined(__x86_64__)
	SOCKET lsn, cli, srv, u;
	struct addr a;
	WSAOVERLAPPED ov, ov2;
	WSAEVENT ev;
	char buf[16], part1[3], part2[13];
	WSABUF b = { sizeof(buf), buf };
	WSABUF parts[2] = { { sizeof(part1), part1 }, { sizeof(part2), part2 } };
	DWORD n, flags = 0;
	int ret;
	BOOL ok;

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ev = WSACreateEvent();
	/*
	 * The first routine of a thread creates its alert event: a receive
	 * that stays pending, on a socket of its own.
	 */
	u = socket(AF_INET, SOCK_DGRAM, 0);
	loopback(&a, AF_INET);
	ASSERT_EQ(0, bind(u, &a.u.sa, a.len));
	memset(&ov2, 0, sizeof(ov2));
	ASSERT_EQ(SOCKET_ERROR, WSARecv(u, &b, 1, NULL, &flags, &ov2, routine));
	ASSERT_EQ(WSA_IO_PENDING, WSAGetLastError());

	ASSERT_EQ(0, start_syscall_counter());

	memset(&ov, 0, sizeof(ov));
	ov.hEvent = ev;
	ret = COUNT_SYSCALLS(WSARecv(srv, &b, 1, NULL, &flags, &ov, NULL));
	EXPECT_EQ(SOCKET_ERROR, ret);
	EXPECT_EQ(WSA_IO_PENDING, WSAGetLastError());
	EXPECT_ONE_IOCTL();

	ok = COUNT_SYSCALLS(WSAGetOverlappedResult(srv, &ov, &n, FALSE, &flags));
	EXPECT_FALSE(ok);
	EXPECT_SYSCALLS(0);

	ret = COUNT_SYSCALLS(WSASend(cli, parts, 2, &n, 0, NULL, NULL));
	EXPECT_EQ(0, ret);
	EXPECT_ONE_IOCTL();
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      WAIT_MS, FALSE));
	ok = COUNT_SYSCALLS(WSAGetOverlappedResult(srv, &ov, &n, TRUE, &flags));
	EXPECT_TRUE(ok);
	EXPECT_EQ(16u, n);
	EXPECT_SYSCALLS(0);

	memset(&ov, 0, sizeof(ov));
	ov.hEvent = ev;
	ret = COUNT_SYSCALLS(WSASend(srv, parts, 2, &n, 0, &ov, NULL));
	EXPECT_EQ(0, ret);
	EXPECT_ONE_IOCTL();

	ret = COUNT_SYSCALLS(WSARecv(cli, parts, 2, &n, &flags, NULL, NULL));
	EXPECT_EQ(0, ret);
	EXPECT_ONE_IOCTL();

	/* With a routine: the send completes, the routine is queued. */
	memset(&ov, 0, sizeof(ov));
	ret = COUNT_SYSCALLS(WSASend(srv, &b, 1, &n, 0, &ov, routine));
	EXPECT_EQ(0, ret);
	EXPECT_ONE_IOCTL();
	/* (No timeout: a clock_gettime may be a system call here.) */
	ASSERT_TRUE(WSAResetEvent(ev));
	ret = (int)COUNT_SYSCALLS(WSAWaitForMultipleEvents(1, &ev, FALSE,
							   WSA_INFINITE, TRUE));
	EXPECT_EQ(WSA_WAIT_IO_COMPLETION, (DWORD)ret);
	EXPECT_ONE_IOCTL();
	EXPECT_EQ(1, routine_calls);
#else
	SKIP(return, "the system call counter is written for x86_64");
#endif
}

/* ------------------------------------------------------------------ */
/* ioctlsocket without process_vm_readv/writev.                        */

/*
 * A kernel built without CONFIG_CROSS_MEMORY_ATTACH answers
 * process_vm_readv/writev with ENOSYS (so does this seccomp filter):
 * ioctlsocket must still work with good pointers and answer WSAEFAULT
 * for bad ones.
 */
static int deny_process_vm(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_writev, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

TEST(ioctlsocket_without_process_vm_calls)
{
	SOCKET lsn, cli, srv;
	u_long v, *bad = (u_long *)16;
	char buf[8];

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	ASSERT_EQ(0, deny_process_vm());
	ASSERT_EQ(-1, syscall(__NR_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0));
	ASSERT_EQ(ENOSYS, errno);

	v = 1;
	ASSERT_EQ(0, ioctlsocket(srv, FIONBIO, &v));
	EXPECT_WSA(recv(srv, buf, sizeof(buf), 0), WSAEWOULDBLOCK);
	v = 0;
	ASSERT_EQ(0, ioctlsocket(srv, FIONBIO, &v));
	EXPECT_WSA(ioctlsocket(srv, FIONBIO, bad), WSAEFAULT);
	EXPECT_WSA(ioctlsocket(srv, FIONBIO, NULL), WSAEFAULT);

	v = 12345;
	ASSERT_EQ(0, ioctlsocket(srv, SIOCATMARK, &v));
	EXPECT_EQ(1u, v);
	EXPECT_WSA(ioctlsocket(srv, SIOCATMARK, bad), WSAEFAULT);

	ASSERT_EQ(3, send(cli, "abc", 3, 0));
	ASSERT_TRUE(poll_for(srv, POLLRDNORM, WAIT_MS) & POLLRDNORM);
	v = 0;
	ASSERT_EQ(0, ioctlsocket(srv, FIONREAD, &v));
	EXPECT_EQ(3u, v);
	EXPECT_WSA(ioctlsocket(srv, FIONREAD, bad), WSAEFAULT);
}

/* ------------------------------------------------------------------ */
/* closesocket wakes threads blocked on a listener.                    */

struct blocked {
	SOCKET lsn;
	int use_select;
	int ret, err;
	uint64_t woke;
};

static void *blocked_main(void *arg)
{
	struct blocked *b = arg;
	struct timeval tv = { 20, 0 };
	fd_set rd;
	SOCKET s;

	if (b->use_select) {
		FD_ZERO(&rd);
		FD_SET(b->lsn, &rd);
		b->ret = select(0, &rd, NULL, NULL, &tv);
	} else {
		s = accept(b->lsn, NULL, NULL);
		b->ret = s == INVALID_SOCKET ? -1 : 0;
	}
	b->err = WSAGetLastError();
	b->woke = now_ms();
	return NULL;
}

static void check_wakeup(struct __test_metadata *_metadata, int family,
			 int use_select)
{
	struct blocked b = { .use_select = use_select, .ret = -2 };
	struct addr a;
	uint64_t closed;
	pthread_t t;

	STARTUP();
	b.lsn = listener(_metadata, family, &a);
	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_main, &b));
	sleep_ms(200);		/* let it block */
	ASSERT_EQ(-2, b.ret);
	closed = now_ms();
	ASSERT_EQ(0, closesocket(b.lsn));
	pthread_join(t, NULL);
	EXPECT_GT(closed + 3000, b.woke);
	if (!use_select) {
		/* Windows' answer to an accept whose socket was closed. */
		EXPECT_EQ(-1, b.ret);
		EXPECT_EQ(WSAEINTR, b.err);
	}
	if (family == AF_UNIX)
		unlink(a.u.un.sun_path);
}

TEST(closesocket_wakes_accept_tcp)
{
	check_wakeup(_metadata, AF_INET, 0);
}

TEST(closesocket_wakes_accept_unix)
{
	check_wakeup(_metadata, AF_UNIX, 0);
}

TEST(closesocket_wakes_select_tcp)
{
	check_wakeup(_metadata, AF_INET6, 1);
}

/* accept() on a socket that never listened is still WSAEINVAL. */
TEST(accept_on_non_listener_is_wsaeinval)
{
	struct addr a;
	SOCKET s;

	STARTUP();
	s = socket(AF_INET, SOCK_STREAM, 0);
	loopback(&a, AF_INET);
	ASSERT_EQ(0, bind(s, &a.u.sa, a.len));
	EXPECT_WSA(accept(s, NULL, NULL), WSAEINVAL);
}

/* ------------------------------------------------------------------ */
/* connect re-evaluates a selected socket with WSAEVENT_IOC_REFRESH.   */

TEST(udp_connect_on_selected_socket_reports_at_once)
{
	WSANETWORKEVENTS ne;
	struct addr a, b;
	SOCKET u, v;
	WSAEVENT ev;

	STARTUP();
	u = socket(AF_INET, SOCK_DGRAM, 0);
	v = socket(AF_INET, SOCK_DGRAM, 0);
	loopback(&a, AF_INET);
	loopback(&b, AF_INET);
	ASSERT_EQ(0, bind(u, &a.u.sa, a.len));
	ASSERT_EQ(0, getsockname(u, &a.u.sa, &a.len));
	ASSERT_EQ(0, bind(v, &b.u.sa, b.len));
	ev = WSACreateEvent();
	ASSERT_EQ(0, WSAEventSelect(v, ev, FD_CONNECT));
	ASSERT_EQ(0, connect(v, &a.u.sa, a.len));
	/* Nothing woke the socket up: the library made the kernel look. */
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      0, FALSE));
	ASSERT_EQ(0, WSAEnumNetworkEvents(v, ev, &ne));
	EXPECT_EQ(FD_CONNECT, ne.lNetworkEvents);
	EXPECT_EQ(0, ne.iErrorCode[FD_CONNECT_BIT]);
}

/* ------------------------------------------------------------------ */
/* Routines across fork() and WSACleanup.                              */

/*
 * The child of a fork() has a copy of the parent's list of routines, for
 * operations that complete in the parent only: they never run there.
 */
TEST(fork_child_runs_no_parent_routines)
{
	SOCKET lsn, cli, srv;
	WSAOVERLAPPED ov;
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	int status;
	pid_t pid;

	STARTUP();
	pair(_metadata, AF_INET, &lsn, &cli, &srv);
	memset(&ov, 0, sizeof(ov));
	ASSERT_EQ(SOCKET_ERROR, WSARecv(srv, &b, 1, NULL, &flags, &ov, routine));
	ASSERT_EQ(WSA_IO_PENDING, WSAGetLastError());
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The parent's completion is not the child's. */
		send(cli, "x", 1, 0);
		_exit(WSASleepEx(300, TRUE) == 0 && routine_calls == 0 &&
		      !HasOverlappedIoCompleted(&ov) ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_TRUE(wait_done(&ov));
	EXPECT_EQ(WAIT_IO_COMPLETION, WSASleepEx(1000, TRUE));
	EXPECT_EQ(1, routine_calls);
	EXPECT_EQ(0u, routine_error);
}

/*
 * The last WSACleanup closes the sockets, which cancels their operations;
 * the routines still run, with WSA_OPERATION_ABORTED.
 */
TEST(cleanup_aborts_pending_operations)
{
	WSAOVERLAPPED ov;
	struct addr a;
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD flags = 0;
	SOCKET u;

	STARTUP();
	u = socket(AF_INET, SOCK_DGRAM, 0);
	loopback(&a, AF_INET);
	ASSERT_EQ(0, bind(u, &a.u.sa, a.len));
	memset(&ov, 0, sizeof(ov));
	ASSERT_EQ(SOCKET_ERROR, WSARecv(u, &b, 1, NULL, &flags, &ov, routine));
	ASSERT_EQ(0, WSACleanup());
	EXPECT_TRUE(HasOverlappedIoCompleted(&ov));
	EXPECT_EQ(WAIT_IO_COMPLETION, WSASleepEx(1000, TRUE));
	EXPECT_EQ(1, routine_calls);
	EXPECT_EQ((DWORD)WSA_OPERATION_ABORTED, routine_error);
}

/* ------------------------------------------------------------------ */
/* The IPv6 source address of an overlapped WSARecvFrom.               */

/*
 * The kernel writes Linux's AF_INET6 (10); the library fixes it to
 * Windows' (23) in WSAGetOverlappedResult.  A WSAOVERLAPPED reused for
 * another operation drops what the library remembered about the old one,
 * which must then be left alone.
 */
TEST(ipv6_source_family_is_fixed_and_forgotten_on_reuse)
{
	struct sockaddr_in6 from, other;
	struct addr a, c;
	SOCKET u, v;
	WSAOVERLAPPED ov;
	WSAEVENT ev;
	char buf[8];
	WSABUF b = { sizeof(buf), buf };
	DWORD n, flags = 0;
	int fromlen = sizeof(from), otherlen = sizeof(other);

	STARTUP();
	ev = WSACreateEvent();
	u = socket(AF_INET6, SOCK_DGRAM, 0);
	v = socket(AF_INET6, SOCK_DGRAM, 0);
	loopback(&a, AF_INET6);
	loopback(&c, AF_INET6);
	ASSERT_EQ(0, bind(u, &a.u.sa, a.len));
	ASSERT_EQ(0, getsockname(u, &a.u.sa, &a.len));
	ASSERT_EQ(0, bind(v, &c.u.sa, c.len));

	memset(&ov, 0, sizeof(ov));
	ov.hEvent = ev;
	ASSERT_EQ(SOCKET_ERROR, WSARecvFrom(u, &b, 1, NULL, &flags,
					    (struct sockaddr *)&from, &fromlen,
					    &ov, NULL));
	ASSERT_EQ(WSA_IO_PENDING, WSAGetLastError());
	ASSERT_EQ(2, sendto(v, "v6", 2, 0, &a.u.sa, a.len));
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      WAIT_MS, FALSE));
	ASSERT_TRUE(WSAGetOverlappedResult(u, &ov, &n, FALSE, &flags));
	EXPECT_EQ(AF_INET6, from.sin6_family);
	EXPECT_EQ((int)sizeof(from), fromlen);

	/* Again, but the OVERLAPPED starts something else first. */
	memset(&ov, 0, sizeof(ov));
	ov.hEvent = ev;
	ASSERT_EQ(SOCKET_ERROR, WSARecvFrom(u, &b, 1, NULL, &flags,
					    (struct sockaddr *)&other, &otherlen,
					    &ov, NULL));
	ASSERT_EQ(2, sendto(v, "v6", 2, 0, &a.u.sa, a.len));
	ASSERT_EQ(WSA_WAIT_EVENT_0, WSAWaitForMultipleEvents(1, &ev, FALSE,
							      WAIT_MS, FALSE));
	other.sin6_family = 10;		/* as the kernel left it */
	memset(&ov, 0, sizeof(ov));
	ASSERT_EQ(SOCKET_ERROR, WSARecv(u, &b, 1, NULL, &flags, &ov, NULL));
	ASSERT_TRUE(closesocket(u) == 0);
	ASSERT_FALSE(WSAGetOverlappedResult(v, &ov, &n, FALSE, &flags));
	EXPECT_EQ(10, other.sin6_family);
}

TEST_HARNESS_MAIN
