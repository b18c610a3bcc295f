// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel-ABI tests of the socket hooks: WSAEVENT_IOC_SELECT, _ENUM,
 * _RECV, _SEND, _ACCEPT, _RELEASE and _FIONBIO, with the recording rules
 * of winsock-spec.md §6 over loopback TCP, UDP, UNIX sockets and pipes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "wsaevent_test.h"
#include "kselftest_harness.h"

#define ALL_NET (WSAEVENT_FD_READ | WSAEVENT_FD_WRITE | WSAEVENT_FD_OOB | \
		 WSAEVENT_FD_ACCEPT | WSAEVENT_FD_CONNECT | WSAEVENT_FD_CLOSE)
#define BIT_OF(fd) (__builtin_ctz(fd))

static int ctx_open(void)
{
	return open(WSAEVENT_DEVICE, O_RDWR | O_CLOEXEC);
}

static int ev_create(int ctx, __u32 flags)
{
	struct wsaevent_event_args a = { .flags = flags };

	return ioctl(ctx, WSAEVENT_IOC_CREATE_EVENT, &a);
}

static int ev_signaled(int ev)
{
	struct wsaevent_event_args a = { 0 };

	if (ioctl(ev, WSAEVENT_IOC_EVENT_READ, &a))
		return -1;
	return !!(a.flags & WSAEVENT_EVENT_SIGNALED);
}

static int ev_reset(int ev)
{
	__u32 prev;

	return ioctl(ev, WSAEVENT_IOC_EVENT_RESET, &prev);
}

/* Wait up to @ms for @ev; 0 when signaled, -1/ETIMEDOUT otherwise. */
static int ev_wait(int ctx, int ev, unsigned int ms)
{
	__u32 fd = ev;
	struct wsaevent_wait_args w = {
		.timeout = deadline_ms(ms), .objs = (uintptr_t)&fd, .count = 1,
	};

	return ioctl(ctx, WSAEVENT_IOC_WAIT_ANY, &w);
}

static int sel(int ctx, int s, int ev, __u32 mask, __u32 flags)
{
	struct wsaevent_select_args a = {
		.sock = s, .event = mask ? ev : 0, .mask = mask, .flags = flags,
	};

	return ioctl(ctx, WSAEVENT_IOC_SELECT, &a);
}

/* Enumerate, resetting @ev when >= 0; returns the bits, or -1. */
static int enum_ev(int ctx, int s, int ev, int errors[WSAEVENT_FD_MAX_EVENTS])
{
	struct wsaevent_enum_args a = { .sock = s };

	if (ev >= 0) {
		a.flags = WSAEVENT_ENUM_RESET;
		a.event = ev;
	}
	if (ioctl(ctx, WSAEVENT_IOC_ENUM, &a))
		return -1;
	if (errors)
		memcpy(errors, a.errors, sizeof(a.errors));
	return a.events;
}

static ssize_t dev_recv(int ctx, int s, void *buf, size_t len, __u32 flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct wsaevent_msg_args a = {
		.sock = s, .flags = flags, .iov = (uintptr_t)&iov, .iovcnt = 1,
	};

	return ioctl(ctx, WSAEVENT_IOC_RECV, &a);
}

static ssize_t dev_send(int ctx, int s, const void *buf, size_t len, __u32 flags)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct wsaevent_msg_args a = {
		.sock = s, .flags = flags, .iov = (uintptr_t)&iov, .iovcnt = 1,
	};

	return ioctl(ctx, WSAEVENT_IOC_SEND, &a);
}

static int dev_accept(int ctx, int s)
{
	struct wsaevent_accept_args a = { .sock = s, .flags = SOCK_CLOEXEC };

	return ioctl(ctx, WSAEVENT_IOC_ACCEPT, &a);
}

static int tcp_listener(int family, struct sockaddr_storage *addr, socklen_t *len)
{
	int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(addr, 0, sizeof(*addr));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a6 = (void *)addr;

		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_loopback;
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (void *)addr;

		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*a4);
	}
	if (s < 0 || bind(s, (void *)addr, *len) || listen(s, 16) ||
	    getsockname(s, (void *)addr, len))
		return -1;
	return s;
}

static int tcp_connect(struct sockaddr_storage *addr, socklen_t len)
{
	int s = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0 || connect(s, (void *)addr, len))
		return -1;
	return s;
}

/* Poll @fd for @events, up to @ms. */
static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, ms);
}

FIXTURE(tcp) {
	int ctx, ev, lsn, cli, srv;
	struct sockaddr_storage addr;
	socklen_t len;
};

FIXTURE_VARIANT(tcp) {
	int family;
};

FIXTURE_VARIANT_ADD(tcp, ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(tcp, ipv6) { .family = AF_INET6 };

FIXTURE_SETUP(tcp)
{
	self->ctx = ctx_open();
	ASSERT_LE(0, self->ctx);
	self->ev = ev_create(self->ctx, WSAEVENT_EVENT_MANUAL);
	ASSERT_LE(0, self->ev);
	self->lsn = tcp_listener(variant->family, &self->addr, &self->len);
	ASSERT_LE(0, self->lsn);
	self->cli = self->srv = -1;
}

FIXTURE_TEARDOWN(tcp)
{
	if (self->cli >= 0)
		close(self->cli);
	if (self->srv >= 0)
		close(self->srv);
	close(self->lsn);
	close(self->ev);
	close(self->ctx);
}

/* Connect a client and accept it through the device; the pair is connected. */
static int tcp_pair(struct __test_metadata *_metadata,
		    FIXTURE_DATA(tcp) *self)
{
	self->cli = tcp_connect(&self->addr, self->len);
	if (self->cli < 0)
		return -1;
	if (wait_fd(self->lsn, POLLIN, 5000) != 1)
		return -1;
	self->srv = dev_accept(self->ctx, self->lsn);
	return self->srv < 0 ? -1 : 0;
}

TEST_F(tcp, accept_recorded_once_then_reenabled_by_accept)
{
	int c2;

	ASSERT_EQ(0, sel(self->ctx, self->lsn, self->ev, ALL_NET, 0));
	/* Nothing before a client. */
	EXPECT_EQ(0, ev_signaled(self->ev));
	EXPECT_EQ(0, enum_ev(self->ctx, self->lsn, -1, NULL));

	self->cli = tcp_connect(&self->addr, self->len);
	ASSERT_LE(0, self->cli);
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_ACCEPT, enum_ev(self->ctx, self->lsn, self->ev, NULL));
	EXPECT_EQ(0, ev_signaled(self->ev));

	/* Re-selecting does not report it again. */
	ASSERT_EQ(0, sel(self->ctx, self->lsn, self->ev, ALL_NET, 0));
	EXPECT_EQ(0, ev_signaled(self->ev));
	EXPECT_EQ(0, enum_ev(self->ctx, self->lsn, -1, NULL));

	/* A second client while FD_ACCEPT is not re-enabled: recorded again. */
	c2 = tcp_connect(&self->addr, self->len);
	ASSERT_LE(0, c2);
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_ACCEPT, enum_ev(self->ctx, self->lsn, self->ev, NULL));

	/*
	 * accept with another pending re-records; the last one does not.
	 * (The accepted sockets inherit the same event, and their FD_WRITE
	 * signals it: look at the listener's record.)
	 */
	self->srv = dev_accept(self->ctx, self->lsn);
	ASSERT_LE(0, self->srv);
	EXPECT_EQ(WSAEVENT_FD_ACCEPT, enum_ev(self->ctx, self->lsn, self->ev, NULL));
	close(dev_accept(self->ctx, self->lsn));
	EXPECT_EQ(0, enum_ev(self->ctx, self->lsn, -1, NULL));
	close(c2);
}

TEST_F(tcp, accepted_socket_inherits_event_mask_and_nonblocking)
{
	char b;

	ASSERT_EQ(0, sel(self->ctx, self->lsn, self->ev, ALL_NET, 0));
	ASSERT_EQ(0, tcp_pair(_metadata, self));
	EXPECT_NE(0, fcntl(self->srv, F_GETFL) & O_NONBLOCK);
	EXPECT_NE(0, fcntl(self->srv, F_GETFD) & FD_CLOEXEC);
	/* FD_WRITE only: never FD_CONNECT on an accepted socket. */
	EXPECT_EQ(WSAEVENT_FD_WRITE, enum_ev(self->ctx, self->srv, self->ev, NULL));
	EXPECT_EQ(0, enum_ev(self->ctx, self->srv, -1, NULL));
	/* Inherited non-blocking mode. */
	EXPECT_EQ(-1, dev_recv(self->ctx, self->srv, &b, 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	/* And the inherited event gets its FD_READ. */
	ASSERT_EQ(1, write(self->cli, "x", 1));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(self->ctx, self->srv, self->ev, NULL));
}

TEST_F(tcp, connect_then_write_with_error_zero)
{
	int errs[WSAEVENT_FD_MAX_EVENTS];
	int s = socket(variant->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, s);
	ASSERT_EQ(0, sel(self->ctx, s, self->ev, ALL_NET, 0));
	EXPECT_EQ(0, enum_ev(self->ctx, s, -1, NULL));
	EXPECT_NE(0, fcntl(s, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(-1, connect(s, (void *)&self->addr, self->len));
	EXPECT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	memset(errs, 0xab, sizeof(errs));
	EXPECT_EQ(WSAEVENT_FD_CONNECT | WSAEVENT_FD_WRITE,
		  enum_ev(self->ctx, s, self->ev, errs));
	EXPECT_EQ(0, errs[BIT_OF(WSAEVENT_FD_CONNECT)]);
	EXPECT_EQ(0, errs[BIT_OF(WSAEVENT_FD_WRITE)]);
	/* Unreported bits are 0 in the kernel's answer. */
	EXPECT_EQ(0, errs[BIT_OF(WSAEVENT_FD_READ)]);
	ASSERT_EQ(0, sel(self->ctx, s, self->ev, ALL_NET, 0));
	EXPECT_EQ(0, enum_ev(self->ctx, s, -1, NULL));
	close(s);
}

TEST_F(tcp, connect_before_select_still_reported)
{
	self->cli = tcp_connect(&self->addr, self->len);
	ASSERT_LE(0, self->cli);
	ASSERT_EQ(0, sel(self->ctx, self->cli, self->ev, ALL_NET, 0));
	EXPECT_EQ(1, ev_signaled(self->ev));
	EXPECT_EQ(WSAEVENT_FD_CONNECT | WSAEVENT_FD_WRITE,
		  enum_ev(self->ctx, self->cli, self->ev, NULL));
}

TEST_F(tcp, connect_refused_carries_its_error)
{
	int errs[WSAEVENT_FD_MAX_EVENTS];
	int s = socket(variant->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	/* Nobody listens once the listener is closed. */
	close(self->lsn);
	self->lsn = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, sel(self->ctx, s, self->ev, ALL_NET, 0));
	connect(s, (void *)&self->addr, self->len);
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_CONNECT, enum_ev(self->ctx, s, self->ev, errs));
	EXPECT_EQ(ECONNREFUSED, errs[BIT_OF(WSAEVENT_FD_CONNECT)]);
	close(s);
}

TEST_F(tcp, read_partial_recv_rerecords_full_recv_does_not)
{
	char buf[16];

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_READ, 0));
	EXPECT_EQ(0, ev_signaled(self->ev));
	ASSERT_EQ(10, write(self->cli, "0123456789", 10));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(self->ctx, self->srv, self->ev, NULL));

	/* Partial recv: recorded again at once. */
	EXPECT_EQ(4, dev_recv(self->ctx, self->srv, buf, 4, 0));
	EXPECT_EQ(1, ev_signaled(self->ev));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(self->ctx, self->srv, self->ev, NULL));
	/* The rest: nothing. */
	EXPECT_EQ(6, dev_recv(self->ctx, self->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "456789", 6));
	EXPECT_EQ(0, ev_signaled(self->ev));
	EXPECT_EQ(0, enum_ev(self->ctx, self->srv, -1, NULL));
	/* A failed recv (nothing there) re-enables without recording. */
	EXPECT_EQ(-1, dev_recv(self->ctx, self->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, ev_signaled(self->ev));
}

TEST_F(tcp, more_data_before_recv_is_recorded_again)
{
	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_READ, 0));
	ASSERT_EQ(1, write(self->cli, "a", 1));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(self->ctx, self->srv, self->ev, NULL));
	/* Re-select: nothing. */
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_READ, 0));
	EXPECT_EQ(0, ev_signaled(self->ev));
	/* New data: Windows records it again in event mode. */
	ASSERT_EQ(1, write(self->cli, "b", 1));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(self->ctx, self->srv, self->ev, NULL));
}

TEST_F(tcp, data_sent_while_deselected_reported_on_reselect)
{
	char buf[4];

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_CLOSE, 0));
	ASSERT_EQ(1, write(self->cli, "a", 1));
	ASSERT_EQ(1, wait_fd(self->srv, POLLIN, 5000));
	EXPECT_EQ(0, ev_signaled(self->ev));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_READ, 0));
	EXPECT_EQ(1, ev_signaled(self->ev));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(self->ctx, self->srv, self->ev, NULL));
	/* Sent and consumed while deselected: nothing on re-select. */
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_CLOSE, 0));
	EXPECT_EQ(1, dev_recv(self->ctx, self->srv, buf, 4, 0));
	ASSERT_EQ(1, write(self->cli, "b", 1));
	ASSERT_EQ(1, wait_fd(self->srv, POLLIN, 5000));
	EXPECT_EQ(1, dev_recv(self->ctx, self->srv, buf, 4, 0));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_READ, 0));
	EXPECT_EQ(0, ev_signaled(self->ev));
	EXPECT_EQ(0, enum_ev(self->ctx, self->srv, -1, NULL));
}

TEST_F(tcp, write_recorded_again_only_after_wouldblock)
{
	static char buf[65536];
	ssize_t n;
	int sz = 4096;

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	setsockopt(self->srv, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(self->cli, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_WRITE, 0));
	EXPECT_EQ(WSAEVENT_FD_WRITE, enum_ev(self->ctx, self->srv, self->ev, NULL));
	/* A successful send neither records nor clears FD_WRITE. */
	EXPECT_EQ(1, dev_send(self->ctx, self->srv, "x", 1, 0));
	EXPECT_EQ(0, ev_signaled(self->ev));
	do {
		n = dev_send(self->ctx, self->srv, buf, sizeof(buf), 0);
	} while (n > 0);
	ASSERT_EQ(-1, n);
	ASSERT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, ev_signaled(self->ev));
	/* Drain the peer: FD_WRITE comes back. */
	while (ev_wait(self->ctx, self->ev, 20) &&
	       wait_fd(self->cli, POLLIN, 5000) == 1)
		ASSERT_LT(0, read(self->cli, buf, sizeof(buf)));
	ASSERT_EQ(1, ev_signaled(self->ev));
	EXPECT_EQ(WSAEVENT_FD_WRITE, enum_ev(self->ctx, self->srv, self->ev, NULL));
}

TEST_F(tcp, graceful_close_is_fd_close_zero_never_fd_read)
{
	int errs[WSAEVENT_FD_MAX_EVENTS];
	char b;

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev,
			 WSAEVENT_FD_READ | WSAEVENT_FD_CLOSE, 0));
	close(self->cli);
	self->cli = -1;
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_CLOSE, enum_ev(self->ctx, self->srv, self->ev, errs));
	EXPECT_EQ(0, errs[BIT_OF(WSAEVENT_FD_CLOSE)]);
	EXPECT_EQ(0, dev_recv(self->ctx, self->srv, &b, 1, 0));
	EXPECT_EQ(0, ev_signaled(self->ev));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev,
			 WSAEVENT_FD_READ | WSAEVENT_FD_CLOSE, 0));
	EXPECT_EQ(0, enum_ev(self->ctx, self->srv, -1, NULL));
}

TEST_F(tcp, data_then_close_reports_both_at_once)
{
	char buf[8];

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev,
			 WSAEVENT_FD_READ | WSAEVENT_FD_CLOSE, 0));
	ASSERT_EQ(2, write(self->cli, "ab", 2));
	close(self->cli);
	self->cli = -1;
	ASSERT_EQ(1, wait_fd(self->srv, POLLRDHUP, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ | WSAEVENT_FD_CLOSE,
		  enum_ev(self->ctx, self->srv, self->ev, NULL));
	EXPECT_EQ(1, dev_recv(self->ctx, self->srv, buf, 1, 0));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(self->ctx, self->srv, self->ev, NULL));
	EXPECT_EQ(1, dev_recv(self->ctx, self->srv, buf, 8, 0));
	EXPECT_EQ(0, enum_ev(self->ctx, self->srv, -1, NULL));
}

TEST_F(tcp, peer_shutdown_send_is_fd_close_local_shutdown_is_not)
{
	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, ALL_NET,
			 WSAEVENT_SELECT_ACCEPTED));
	EXPECT_EQ(WSAEVENT_FD_WRITE, enum_ev(self->ctx, self->srv, self->ev, NULL));
	ASSERT_EQ(0, shutdown(self->srv, SHUT_RDWR));
	sleep_ms(50);
	EXPECT_EQ(0, enum_ev(self->ctx, self->srv, -1, NULL));
	ASSERT_EQ(0, shutdown(self->cli, SHUT_WR));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_CLOSE, enum_ev(self->ctx, self->srv, self->ev, NULL));
}

TEST_F(tcp, reset_is_fd_close_econnaborted)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	int errs[WSAEVENT_FD_MAX_EVENTS];

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev,
			 WSAEVENT_FD_READ | WSAEVENT_FD_CLOSE, 0));
	ASSERT_EQ(0, setsockopt(self->cli, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	close(self->cli);
	self->cli = -1;
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_CLOSE, enum_ev(self->ctx, self->srv, self->ev, errs));
	EXPECT_EQ(ECONNABORTED, errs[BIT_OF(WSAEVENT_FD_CLOSE)]);
}

TEST_F(tcp, oob_is_fd_oob)
{
	char b;

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev,
			 WSAEVENT_FD_READ | WSAEVENT_FD_OOB, 0));
	ASSERT_EQ(1, send(self->cli, "u", 1, MSG_OOB));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_OOB, enum_ev(self->ctx, self->srv, self->ev, NULL));
	/* Re-select: nothing; reading it re-enables and nothing is left. */
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev,
			 WSAEVENT_FD_READ | WSAEVENT_FD_OOB, 0));
	EXPECT_EQ(0, ev_signaled(self->ev));
	EXPECT_EQ(1, dev_recv(self->ctx, self->srv, &b, 1, MSG_OOB));
	EXPECT_EQ('u', b);
	EXPECT_EQ(0, enum_ev(self->ctx, self->srv, -1, NULL));
}

TEST_F(tcp, oob_with_oobinline_is_fd_read_never_fd_oob)
{
	int on = 1;
	char b;

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, setsockopt(self->srv, SOL_SOCKET, SO_OOBINLINE, &on, sizeof(on)));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev,
			 WSAEVENT_FD_READ | WSAEVENT_FD_OOB, 0));
	ASSERT_EQ(1, send(self->cli, "v", 1, MSG_OOB));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(self->ctx, self->srv, self->ev, NULL));
	EXPECT_EQ(1, dev_recv(self->ctx, self->srv, &b, 1, 0));
	EXPECT_EQ('v', b);
}

TEST_F(tcp, select_never_resets_and_signals_pending_at_once)
{
	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_READ, 0));
	ASSERT_EQ(1, write(self->cli, "a", 1));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	/* Deselect FD_READ: the event stays set. */
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_CLOSE, 0));
	EXPECT_EQ(1, ev_signaled(self->ev));
	ASSERT_EQ(0, ev_reset(self->ev));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_CLOSE, 0));
	EXPECT_EQ(0, ev_signaled(self->ev));
	/* FD_READ is still pending: selecting it signals at once. */
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_READ, 0));
	EXPECT_EQ(1, ev_signaled(self->ev));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(self->ctx, self->srv, self->ev, NULL));
}

TEST_F(tcp, enum_resets_only_the_given_event_and_keeps_unselected_bits)
{
	int other = ev_create(self->ctx, WSAEVENT_EVENT_MANUAL | WSAEVENT_EVENT_SIGNALED);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev,
			 WSAEVENT_FD_READ | WSAEVENT_FD_WRITE, 0));
	ASSERT_EQ(1, write(self->cli, "a", 1));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	sleep_ms(20);
	/* Enumerate with the mask narrowed to FD_WRITE: FD_READ stays. */
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_WRITE, 0));
	EXPECT_EQ(WSAEVENT_FD_WRITE, enum_ev(self->ctx, self->srv, other, NULL));
	EXPECT_EQ(0, ev_signaled(other));
	EXPECT_EQ(1, ev_signaled(self->ev));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev,
			 WSAEVENT_FD_READ | WSAEVENT_FD_WRITE, 0));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(self->ctx, self->srv, -1, NULL));
	/* No event given: the associated one stays signaled. */
	EXPECT_EQ(1, ev_signaled(self->ev));
	close(other);
}

TEST_F(tcp, fionbio_zero_refused_while_selected)
{
	struct wsaevent_fionbio_args nb = { .nonblocking = 0 };

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	nb.sock = self->cli;
	ASSERT_EQ(0, ioctl(self->ctx, WSAEVENT_IOC_FIONBIO, &nb));
	EXPECT_EQ(0, fcntl(self->cli, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(0, sel(self->ctx, self->cli, self->ev, WSAEVENT_FD_READ, 0));
	EXPECT_NE(0, fcntl(self->cli, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_FIONBIO, &nb));
	EXPECT_EQ(EINVAL, errno);
	nb.nonblocking = 1;
	EXPECT_EQ(0, ioctl(self->ctx, WSAEVENT_IOC_FIONBIO, &nb));
	/* Deselected: blocking mode is allowed again, never restored by itself. */
	ASSERT_EQ(0, sel(self->ctx, self->cli, -1, 0, 0));
	EXPECT_NE(0, fcntl(self->cli, F_GETFL) & O_NONBLOCK);
	nb.nonblocking = 0;
	EXPECT_EQ(0, ioctl(self->ctx, WSAEVENT_IOC_FIONBIO, &nb));
	EXPECT_EQ(0, fcntl(self->cli, F_GETFL) & O_NONBLOCK);
}

TEST_F(tcp, plain_close_really_closes_the_socket)
{
	char b;

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, ALL_NET, 0));
	close(self->srv);
	self->srv = -1;
	/* The peer sees EOF at once: the association did not pin the socket. */
	ASSERT_EQ(1, wait_fd(self->cli, POLLIN, 5000));
	EXPECT_EQ(0, read(self->cli, &b, 1));
}

TEST_F(tcp, event_closed_first_then_socket_activity)
{
	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, ALL_NET,
			 WSAEVENT_SELECT_ACCEPTED));
	close(self->ev);
	ASSERT_EQ(1, write(self->cli, "a", 1));
	ASSERT_EQ(1, wait_fd(self->srv, POLLIN, 5000));
	/* Recorded all the same; no event to signal. */
	EXPECT_EQ(WSAEVENT_FD_READ | WSAEVENT_FD_WRITE,
		  enum_ev(self->ctx, self->srv, -1, NULL));
	self->ev = ev_create(self->ctx, WSAEVENT_EVENT_MANUAL);
	ASSERT_LE(0, self->ev);
}

TEST_F(tcp, device_closed_first_keeps_associations_working)
{
	int ctx2 = ctx_open(), ev2, s;

	ASSERT_LE(0, ctx2);
	ev2 = ev_create(ctx2, WSAEVENT_EVENT_MANUAL);
	ASSERT_LE(0, ev2);
	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(ctx2, self->srv, ev2, WSAEVENT_FD_READ, 0));
	close(ctx2);
	ASSERT_EQ(1, write(self->cli, "a", 1));
	ASSERT_EQ(1, wait_fd(ev2, POLLIN, 5000));
	/* Then the event (the last reference to the context) and the socket. */
	s = self->srv;
	self->srv = -1;
	close(ev2);
	close(s);
}

TEST_F(tcp, release_cancels_the_association)
{
	ASSERT_EQ(0, tcp_pair(_metadata, self));
	ASSERT_EQ(0, sel(self->ctx, self->srv, self->ev, WSAEVENT_FD_READ, 0));
	ASSERT_EQ(0, ioctl(self->ctx, WSAEVENT_IOC_RELEASE, self->srv));
	ASSERT_EQ(1, write(self->cli, "a", 1));
	ASSERT_EQ(1, wait_fd(self->srv, POLLIN, 5000));
	sleep_ms(20);
	EXPECT_EQ(0, ev_signaled(self->ev));
	EXPECT_EQ(0, enum_ev(self->ctx, self->srv, -1, NULL));
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_RELEASE, -1));
	EXPECT_EQ(EBADF, errno);
}

TEST_F(tcp, recv_and_send_through_the_device_with_addresses)
{
	struct sockaddr_storage from;
	struct iovec iov[2];
	char a[3], b[8];
	struct wsaevent_msg_args m = { 0 };

	ASSERT_EQ(0, tcp_pair(_metadata, self));
	iov[0] = (struct iovec){ .iov_base = "dead", .iov_len = 4 };
	iov[1] = (struct iovec){ .iov_base = "beefs", .iov_len = 5 };
	m.sock = self->cli;
	m.iov = (uintptr_t)iov;
	m.iovcnt = 2;
	ASSERT_EQ(9, ioctl(self->ctx, WSAEVENT_IOC_SEND, &m));
	ASSERT_EQ(1, wait_fd(self->srv, POLLIN, 5000));
	sleep_ms(20);
	iov[0] = (struct iovec){ .iov_base = a, .iov_len = 3 };
	iov[1] = (struct iovec){ .iov_base = b, .iov_len = 8 };
	memset(&m, 0, sizeof(m));
	m.sock = self->srv;
	m.iov = (uintptr_t)iov;
	m.iovcnt = 2;
	m.addr = (uintptr_t)&from;
	m.addrlen = sizeof(from);
	ASSERT_EQ(9, ioctl(self->ctx, WSAEVENT_IOC_RECV, &m));
	EXPECT_EQ(0, memcmp(a, "dea", 3));
	EXPECT_EQ(0, memcmp(b, "dbeefs", 6));
}

TEST(select_and_enum_errors)
{
	int ctx = ctx_open(), ctx2 = ctx_open();
	int ev = ev_create(ctx, WSAEVENT_EVENT_MANUAL);
	int ev2 = ev_create(ctx2, WSAEVENT_EVENT_MANUAL);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int reg = open("/proc/self/status", O_RDONLY);
	struct wsaevent_select_args a = { .sock = s, .event = ev, .mask = WSAEVENT_FD_READ };
	struct wsaevent_enum_args e = { .sock = s };
	struct wsaevent_msg_args m = { .sock = s };
	struct wsaevent_accept_args ac = { .sock = s };
	struct wsaevent_fionbio_args nb = { .sock = s };

	ASSERT_LE(0, ctx);
	ASSERT_LE(0, ev2);
	ASSERT_LE(0, reg);
	a.mask = 0x400;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.mask = WSAEVENT_FD_READ;
	a.flags = 2;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.flags = 0;
	a.mask = 0;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.mask = WSAEVENT_FD_READ;
	a.event = ev2;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.event = s;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.event = 9999;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(EBADF, errno);
	a.event = ev;
	a.sock = 9999;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(EBADF, errno);
	a.sock = reg;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(ENOTSOCK, errno);
	a.sock = ev;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(ENOTSOCK, errno);
	a.sock = ctx;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(ENOTSOCK, errno);
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SELECT, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* Socket ioctls on an event fd. */
	EXPECT_EQ(-1, ioctl(ev, WSAEVENT_IOC_SELECT, &a));
	EXPECT_EQ(ENOTTY, errno);

	e.flags = 2;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_ENUM, &e));
	EXPECT_EQ(EINVAL, errno);
	e.flags = 0;
	e.event = ev;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_ENUM, &e));
	EXPECT_EQ(EINVAL, errno);
	e.flags = WSAEVENT_ENUM_RESET;
	e.event = ev2;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_ENUM, &e));
	EXPECT_EQ(EINVAL, errno);
	e.event = ev;
	e.sock = reg;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_ENUM, &e));
	EXPECT_EQ(ENOTSOCK, errno);
	e.sock = s;
	EXPECT_EQ(0, ioctl(ctx, WSAEVENT_IOC_ENUM, &e));
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_ENUM, (void *)1));
	EXPECT_EQ(EFAULT, errno);

	m.pad = 1;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_RECV, &m));
	EXPECT_EQ(EINVAL, errno);
	m.pad = 0;
	m.flags = MSG_CMSG_CLOEXEC;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_RECV, &m));
	EXPECT_EQ(EINVAL, errno);
	m.flags = MSG_PEEK;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SEND, &m));
	EXPECT_EQ(EINVAL, errno);
	m.flags = 0;
	m.sock = reg;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_RECV, &m));
	EXPECT_EQ(ENOTSOCK, errno);
	m.sock = s;
	m.iovcnt = 1;
	m.iov = 1;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_RECV, &m));
	EXPECT_EQ(EFAULT, errno);
	m.iovcnt = 100000;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_RECV, &m));
	EXPECT_EQ(EINVAL, errno);

	ac.pad = 1;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_ACCEPT, &ac));
	EXPECT_EQ(EINVAL, errno);
	ac.pad = 0;
	ac.flags = 1;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_ACCEPT, &ac));
	EXPECT_EQ(EINVAL, errno);
	ac.flags = 0;
	/* Not listening. */
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_ACCEPT, &ac));
	EXPECT_EQ(EINVAL, errno);
	ac.sock = reg;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_ACCEPT, &ac));
	EXPECT_EQ(ENOTSOCK, errno);

	nb.sock = reg;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_FIONBIO, &nb));
	EXPECT_EQ(ENOTSOCK, errno);
	nb.sock = 9999;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_FIONBIO, &nb));
	EXPECT_EQ(EBADF, errno);

	close(reg);
	close(s);
	close(ev2);
	close(ev);
	close(ctx2);
	close(ctx);
}

TEST(udp_write_once_when_bound_read_per_datagram_connect_when_connected)
{
	int ctx = ctx_open(), ev = ev_create(ctx, WSAEVENT_EVENT_MANUAL);
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	char buf[8];

	ASSERT_LE(0, ev);
	/* Unbound: nothing. */
	ASSERT_EQ(0, sel(ctx, a, ev, ALL_NET, 0));
	EXPECT_EQ(0, enum_ev(ctx, a, ev, NULL));
	ASSERT_EQ(0, bind(a, (void *)&sa, sizeof(sa)));
	ASSERT_EQ(0, getsockname(a, (void *)&sa, &len));
	ASSERT_EQ(0, sel(ctx, a, ev, ALL_NET, 0));
	EXPECT_EQ(WSAEVENT_FD_WRITE, enum_ev(ctx, a, ev, NULL));
	ASSERT_EQ(0, sel(ctx, a, ev, ALL_NET, 0));
	EXPECT_EQ(0, enum_ev(ctx, a, ev, NULL));

	ASSERT_EQ(3, sendto(b, "one", 3, 0, (void *)&sa, sizeof(sa)));
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(ctx, a, ev, NULL));
	ASSERT_EQ(3, sendto(b, "two", 3, 0, (void *)&sa, sizeof(sa)));
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(ctx, a, ev, NULL));
	EXPECT_EQ(3, dev_recv(ctx, a, buf, sizeof(buf), 0));
	/* One datagram left: recorded again. */
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(ctx, a, ev, NULL));
	EXPECT_EQ(3, dev_recv(ctx, a, buf, sizeof(buf), 0));
	EXPECT_EQ(0, enum_ev(ctx, a, ev, NULL));

	/*
	 * A connected UDP socket reports FD_CONNECT.  connect() wakes
	 * nobody here, so it is seen at the next evaluation: REFRESH.
	 */
	ASSERT_EQ(0, sel(ctx, b, ev, ALL_NET, 0));
	EXPECT_EQ(WSAEVENT_FD_WRITE, enum_ev(ctx, b, ev, NULL));
	ASSERT_EQ(0, connect(b, (void *)&sa, sizeof(sa)));
	EXPECT_EQ(0, ev_signaled(ev));
	ASSERT_EQ(0, ioctl(ctx, WSAEVENT_IOC_REFRESH, b));
	EXPECT_EQ(1, ev_signaled(ev));
	EXPECT_EQ(WSAEVENT_FD_CONNECT, enum_ev(ctx, b, ev, NULL));
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_REFRESH, -1));
	EXPECT_EQ(EBADF, errno);
	close(a);
	close(b);
	close(ev);
	close(ctx);
}

TEST(unix_stream_full_rule_set)
{
	int ctx = ctx_open(), ev = ev_create(ctx, WSAEVENT_EVENT_MANUAL);
	int sv[2];
	char b[4];

	ASSERT_LE(0, ev);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, sel(ctx, sv[0], ev, ALL_NET, WSAEVENT_SELECT_ACCEPTED));
	EXPECT_EQ(WSAEVENT_FD_WRITE, enum_ev(ctx, sv[0], ev, NULL));
	ASSERT_EQ(2, write(sv[1], "ab", 2));
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(ctx, sv[0], ev, NULL));
	EXPECT_EQ(1, dev_recv(ctx, sv[0], b, 1, 0));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(ctx, sv[0], ev, NULL));
	EXPECT_EQ(1, dev_recv(ctx, sv[0], b, 4, 0));
	EXPECT_EQ(0, enum_ev(ctx, sv[0], ev, NULL));
	/* Local shutdown: nothing; peer close: FD_CLOSE, never FD_READ. */
	ASSERT_EQ(0, shutdown(sv[0], SHUT_RD));
	sleep_ms(20);
	EXPECT_EQ(0, enum_ev(ctx, sv[0], ev, NULL));
	close(sv[1]);
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_CLOSE, enum_ev(ctx, sv[0], ev, NULL));
	close(sv[0]);
	close(ev);
	close(ctx);
}

TEST(unix_listener_accept_through_device)
{
	int ctx = ctx_open(), ev = ev_create(ctx, WSAEVENT_EVENT_MANUAL);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c, a;

	ASSERT_LE(0, ev);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/wsaevent-%d", getpid());
	unlink(sun.sun_path);
	ASSERT_EQ(0, bind(l, (void *)&sun, sizeof(sun)));
	ASSERT_EQ(0, listen(l, 4));
	ASSERT_EQ(0, sel(ctx, l, ev, ALL_NET, 0));
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(c, (void *)&sun, sizeof(sun)));
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_ACCEPT, enum_ev(ctx, l, ev, NULL));
	a = dev_accept(ctx, l);
	ASSERT_LE(0, a);
	EXPECT_EQ(0, enum_ev(ctx, l, ev, NULL));
	EXPECT_EQ(WSAEVENT_FD_WRITE, enum_ev(ctx, a, ev, NULL));
	close(c);
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_CLOSE, enum_ev(ctx, a, ev, NULL));
	unlink(sun.sun_path);
	close(a);
	close(l);
	close(ev);
	close(ctx);
}

TEST(pipe_readable_writable_hangup)
{
	int ctx = ctx_open(), ev = ev_create(ctx, WSAEVENT_EVENT_MANUAL);
	int p[2];
	char b[4];

	ASSERT_LE(0, ev);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, sel(ctx, p[0], ev, ALL_NET, 0));
	EXPECT_EQ(0, enum_ev(ctx, p[0], ev, NULL));
	ASSERT_EQ(1, write(p[1], "x", 1));
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(ctx, p[0], ev, NULL));
	ASSERT_EQ(1, read(p[0], b, 4));
	ASSERT_EQ(1, write(p[1], "y", 1));
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(ctx, p[0], ev, NULL));
	ASSERT_EQ(1, read(p[0], b, 4));
	close(p[1]);
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_CLOSE, enum_ev(ctx, p[0], ev, NULL) & WSAEVENT_FD_CLOSE);
	close(p[0]);
	close(ev);
	close(ctx);
}

TEST(eventfd_readable_and_writable)
{
	int ctx = ctx_open(), ev = ev_create(ctx, WSAEVENT_EVENT_MANUAL);
	int efd = eventfd(0, EFD_NONBLOCK);
	uint64_t v = 1;

	ASSERT_LE(0, ev);
	ASSERT_LE(0, efd);
	/* Writable at once; not readable until written. */
	ASSERT_EQ(0, sel(ctx, efd, ev, WSAEVENT_FD_READ | WSAEVENT_FD_WRITE, 0));
	EXPECT_EQ(WSAEVENT_FD_WRITE, enum_ev(ctx, efd, ev, NULL));
	EXPECT_EQ(0, ev_signaled(ev));
	ASSERT_EQ(8, write(efd, &v, sizeof(v)));
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(WSAEVENT_FD_READ, enum_ev(ctx, efd, ev, NULL) & WSAEVENT_FD_READ);
	ASSERT_EQ(8, read(efd, &v, sizeof(v)));
	close(efd);
	close(ev);
	close(ctx);
}

TEST(ten_thousand_sockets_selected_and_closed)
{
	int ctx = ctx_open(), ev = ev_create(ctx, WSAEVENT_EVENT_MANUAL);
	int i, s;

	ASSERT_LE(0, ev);
	for (i = 0; i < 10000; i++) {
		s = socket(AF_INET, SOCK_DGRAM, 0);
		ASSERT_LE(0, s);
		ASSERT_EQ(0, sel(ctx, s, ev, ALL_NET, 0));
		/* Half with closesocket's release, half with a plain close. */
		if (i & 1) {
			ASSERT_EQ(0, ioctl(ctx, WSAEVENT_IOC_RELEASE, s));
		}
		close(s);
	}
	close(ev);
	close(ctx);
}

TEST(process_exit_with_live_associations)
{
	int sv[2], status;
	pid_t pid;
	char b;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ctx = ctx_open(), ev = ev_create(ctx, WSAEVENT_EVENT_MANUAL);

		close(sv[1]);
		if (ev < 0 || sel(ctx, sv[0], ev, ALL_NET, 0))
			_exit(1);
		_exit(0);
	}
	close(sv[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	/* The child's socket went with it. */
	ASSERT_EQ(1, wait_fd(sv[1], POLLIN, 5000));
	EXPECT_EQ(0, read(sv[1], &b, 1));
	close(sv[1]);
}

TEST_HARNESS_MAIN
