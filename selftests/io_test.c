// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel-ABI tests of overlapped I/O: WSAEVENT_IOC_SUBMIT and _CANCEL
 * (winsock-spec.md §7), with raw ioctls over loopback TCP and UDP.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "wsaevent_test.h"
#include "kselftest_harness.h"

#define STATUS_PENDING 0x103

/* The 64-bit WSAOVERLAPPED layout. */
struct ovl {
	int64_t internal;
	int64_t internal_high;
	uint32_t offset;
	uint32_t offset_high;
	uint64_t hevent;
};

static int ev_create(int ctx)
{
	struct wsaevent_event_args a = { .flags = WSAEVENT_EVENT_MANUAL };

	return ioctl(ctx, WSAEVENT_IOC_CREATE_EVENT, &a);
}

static int ev_signaled(int ev)
{
	struct wsaevent_event_args a = { 0 };

	if (ioctl(ev, WSAEVENT_IOC_EVENT_READ, &a))
		return -1;
	return !!(a.flags & WSAEVENT_EVENT_SIGNALED);
}

static int ev_wait(int ctx, int ev, unsigned int ms)
{
	__u32 fd = ev;
	struct wsaevent_wait_args w = {
		.timeout = deadline_ms(ms), .objs = (uintptr_t)&fd, .count = 1,
	};

	return ioctl(ctx, WSAEVENT_IOC_WAIT_ANY, &w);
}

static int64_t status_of(struct ovl *o)
{
	return __atomic_load_n(&o->internal, __ATOMIC_ACQUIRE);
}

/* Submit one buffer; returns the ioctl's result (0, or -1 with errno). */
static int submit(int ctx, int s, __u32 op, void *buf, size_t len, int ev,
		  struct ovl *o, __u32 flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct wsaevent_io_args a = {
		.sock = s, .op = op, .flags = flags, .iov = (uintptr_t)&iov,
		.iovcnt = 1, .overlapped = (uintptr_t)o,
	};

	if (ev >= 0) {
		a.event = ev;
		a.io_flags = WSAEVENT_IO_EVENT | WSAEVENT_IO_RESET_EVENT;
	}
	memset(o, 0, sizeof(*o));
	o->internal = STATUS_PENDING;
	return ioctl(ctx, WSAEVENT_IOC_SUBMIT, &a);
}

/* WSAEventSelect: @mask on @s, signaling @ev (0 with no mask). */
static int select_mask(int ctx, int s, __u32 mask, int ev)
{
	struct wsaevent_select_args sel = { .sock = s, .mask = mask, .event = ev };

	return ioctl(ctx, WSAEVENT_IOC_SELECT, &sel);
}

FIXTURE(io) {
	int ctx, ev, a, b;
};

FIXTURE_SETUP(io)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int l;

	self->ctx = open(WSAEVENT_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->ctx);
	self->ev = ev_create(self->ctx);
	ASSERT_LE(0, self->ev);
	l = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(l, (void *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(l, 1));
	ASSERT_EQ(0, getsockname(l, (void *)&sa, &len));
	self->a = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(self->a, (void *)&sa, sizeof(sa)));
	self->b = accept(l, NULL, NULL);
	ASSERT_LE(0, self->b);
	close(l);
}

FIXTURE_TEARDOWN(io)
{
	close(self->a);
	close(self->b);
	close(self->ev);
	close(self->ctx);
}

TEST_F(io, recv_completes_at_once_when_data_is_there)
{
	struct ovl o;
	char buf[8];

	ASSERT_EQ(3, write(self->a, "abc", 3));
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = self->b, .events = POLLIN }, 1, 5000));
	ASSERT_EQ(0, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, sizeof(buf),
			    self->ev, &o, 0));
	/* Completed and signaled before the call returned. */
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ(3, o.internal_high);
	EXPECT_EQ(1, ev_signaled(self->ev));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
}

TEST_F(io, recv_pends_then_completes_from_the_wakeup)
{
	struct ovl o;
	char buf[8];

	ASSERT_EQ(0, ioctl(self->ev, WSAEVENT_IOC_EVENT_SET, &(__u32){ 0 }));
	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, sizeof(buf),
			     self->ev, &o, 0));
	ASSERT_EQ(EINPROGRESS, errno);
	/* Starting it reset the event. */
	EXPECT_EQ(0, ev_signaled(self->ev));
	EXPECT_EQ(STATUS_PENDING, status_of(&o));
	ASSERT_EQ(5, write(self->a, "hello", 5));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ(5, o.internal_high);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
}

TEST_F(io, receives_are_filled_in_posting_order)
{
	struct ovl o1, o2;
	char b1[16], b2[16];
	int ev2 = ev_create(self->ctx);

	ASSERT_LE(0, ev2);
	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, b1, 16, self->ev, &o1, MSG_WAITALL));
	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, b2, 16, ev2, &o2, MSG_WAITALL));
	ASSERT_EQ(32, write(self->a, "0123456789abcdefghijklmnopqrstuv", 32));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	ASSERT_EQ(0, ev_wait(self->ctx, ev2, 5000));
	EXPECT_EQ(16, o1.internal_high);
	EXPECT_EQ(16, o2.internal_high);
	EXPECT_EQ(0, memcmp(b1, "0123456789abcdef", 16));
	EXPECT_EQ(0, memcmp(b2, "ghijklmnopqrstuv", 16));
	close(ev2);
}

TEST_F(io, zero_byte_recv_waits_for_data_and_consumes_none)
{
	struct ovl o;
	char buf[4];

	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, 0, self->ev, &o, 0));
	ASSERT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(1, write(self->a, "z", 1));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ(0, o.internal_high);
	/* Data already there: completes at once, still consuming nothing. */
	ASSERT_EQ(0, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, 0, self->ev, &o, 0));
	EXPECT_EQ(0, o.internal_high);
	EXPECT_EQ(1, recv(self->b, buf, 4, MSG_DONTWAIT));
	EXPECT_EQ('z', buf[0]);
}

TEST_F(io, pending_recv_takes_data_without_fd_read)
{
	struct wsaevent_enum_args en = { .sock = self->b };
	int sev = ev_create(self->ctx);
	struct ovl o;
	char buf[8];

	ASSERT_LE(0, sev);
	ASSERT_EQ(0, select_mask(self->ctx, self->b, WSAEVENT_FD_READ, sev));
	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, 8, self->ev, &o, 0));
	ASSERT_EQ(2, write(self->a, "hi", 2));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	ASSERT_EQ(0, ioctl(self->ctx, WSAEVENT_IOC_ENUM, &en));
	EXPECT_EQ(0U, en.events);
	EXPECT_EQ(0, ev_signaled(sev));
	/* The next arrival is FD_READ. */
	ASSERT_EQ(1, write(self->a, "x", 1));
	ASSERT_EQ(0, ev_wait(self->ctx, sev, 5000));
	ASSERT_EQ(0, ioctl(self->ctx, WSAEVENT_IOC_ENUM, &en));
	EXPECT_EQ((__u32)WSAEVENT_FD_READ, en.events);
	close(sev);
}

/*
 * Rule 3 holds while nothing is selected: a receive that completes then
 * re-enables the FD_READ recorded before the mask was cleared, so that
 * selecting FD_READ again records the data that came since.
 */
TEST_F(io, recv_reenables_fd_read_while_nothing_is_selected)
{
	struct wsaevent_enum_args en = { .sock = self->b };
	int sev = ev_create(self->ctx);
	struct ovl o;
	char buf[8];

	ASSERT_LE(0, sev);
	ASSERT_EQ(0, select_mask(self->ctx, self->b, WSAEVENT_FD_READ, sev));
	ASSERT_EQ(1, write(self->a, "a", 1));
	ASSERT_EQ(0, ev_wait(self->ctx, sev, 5000));
	ASSERT_EQ(0, ioctl(self->ctx, WSAEVENT_IOC_ENUM, &en));
	ASSERT_EQ((__u32)WSAEVENT_FD_READ, en.events);
	ASSERT_EQ(0, select_mask(self->ctx, self->b, 0, 0));
	ASSERT_EQ(0, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, 8, -1, &o, 0));
	EXPECT_EQ(1, o.internal_high);
	/* Arrives while nothing is selected: seen, not recorded. */
	ASSERT_EQ(1, write(self->a, "b", 1));
	usleep(10000);
	ASSERT_EQ(0, select_mask(self->ctx, self->b, WSAEVENT_FD_READ, sev));
	EXPECT_EQ(1, ev_signaled(sev));
	ASSERT_EQ(0, ioctl(self->ctx, WSAEVENT_IOC_ENUM, &en));
	EXPECT_EQ((__u32)WSAEVENT_FD_READ, en.events);
	close(sev);
}

TEST_F(io, cancel_and_release_abort_with_zero_bytes)
{
	struct wsaevent_cancel_args c = { .sock = self->b, .flags = WSAEVENT_CANCEL_SOCKET };
	struct ovl o1, o2;
	char b1[4], b2[4];

	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, b1, 4, self->ev, &o1, 0));
	EXPECT_EQ(1, ioctl(self->ctx, WSAEVENT_IOC_CANCEL, &c));
	EXPECT_EQ(1, ev_signaled(self->ev));
	EXPECT_EQ(-ECANCELED, status_of(&o1));
	EXPECT_EQ(0, o1.internal_high);
	/* closesocket's release cancels too, whoever posted. */
	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, b2, 4, self->ev, &o2, 0));
	EXPECT_EQ(0, ev_signaled(self->ev));
	ASSERT_EQ(0, ioctl(self->ctx, WSAEVENT_IOC_RELEASE, self->b));
	EXPECT_EQ(-ECANCELED, status_of(&o2));
	EXPECT_EQ(1, ev_signaled(self->ev));
	/* The data that comes later stays in the socket. */
	ASSERT_EQ(2, write(self->a, "ok", 2));
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = self->b, .events = POLLIN }, 1, 5000));
	EXPECT_EQ(2, recv(self->b, b1, 4, 0));
}

static void *post_and_cancel_thread(void *arg)
{
	struct wsaevent_cancel_args c = { .flags = WSAEVENT_CANCEL_THREAD };
	int *fds = arg;
	static struct ovl o;
	static char buf[4];
	long n;

	if (submit(fds[0], fds[1], WSAEVENT_OP_RECV, buf, 4, fds[2], &o, 0) != -1)
		return (void *)-1L;
	n = ioctl(fds[0], WSAEVENT_IOC_CANCEL, &c);
	return (void *)(n == 1 && status_of(&o) == -ECANCELED ? 0L : -2L);
}

TEST_F(io, thread_cancel_cancels_only_its_own)
{
	struct wsaevent_cancel_args c = { .flags = WSAEVENT_CANCEL_THREAD };
	int fds[3] = { self->ctx, self->b, self->ev };
	struct ovl mine;
	char buf[4];
	pthread_t t;
	void *r;

	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, 4, -1, &mine, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, post_and_cancel_thread, fds));
	ASSERT_EQ(0, pthread_join(t, &r));
	EXPECT_EQ(NULL, r);
	EXPECT_EQ(STATUS_PENDING, status_of(&mine));
	EXPECT_EQ(1, ioctl(self->ctx, WSAEVENT_IOC_CANCEL, &c));
	EXPECT_EQ(-ECANCELED, status_of(&mine));
}

TEST_F(io, reset_fails_pending_receives_and_is_sticky)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	struct ovl o1, o2, o3;
	char b1[4], b2[4], b3[4];
	int ev2 = ev_create(self->ctx);

	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, b1, 4, self->ev, &o1, 0));
	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, b2, 4, ev2, &o2, 0));
	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	close(self->a);
	self->a = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	ASSERT_EQ(0, ev_wait(self->ctx, ev2, 5000));
	EXPECT_EQ(-ECONNRESET, status_of(&o1));
	EXPECT_EQ(-ECONNRESET, status_of(&o2));
	EXPECT_EQ(0, o1.internal_high);
	/* Later ones fail at once, with nothing queued. */
	EXPECT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, b3, 4, self->ev, &o3, 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(STATUS_PENDING, status_of(&o3));
	EXPECT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_SEND, b3, 4, self->ev, &o3, 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(ev2);
}

/*
 * A reset on a socket with no operation pending and nothing selected is
 * still latched when it arrives: a plain recv() that then takes the
 * socket's error does not turn later overlapped receives into an end of
 * file.
 */
TEST_F(io, reset_is_latched_with_nothing_pending_or_selected)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	struct ovl o;
	char buf[4];

	/* The association, made by a receive that completes at once. */
	ASSERT_EQ(1, write(self->a, "x", 1));
	usleep(10000);
	ASSERT_EQ(0, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, 4, -1, &o, 0));
	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	close(self->a);
	self->a = socket(AF_INET, SOCK_STREAM, 0);
	usleep(10000);
	EXPECT_EQ(-1, recv(self->b, buf, 4, MSG_DONTWAIT));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, 4, -1, &o, 0));
	EXPECT_EQ(ECONNRESET, errno);
}

TEST_F(io, pending_recv_survives_shutdown_receive)
{
	struct ovl o;
	char buf[4];

	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, 4, self->ev, &o, 0));
	ASSERT_EQ(0, shutdown(self->b, SHUT_RD));
	ASSERT_EQ(2, write(self->a, "sd", 2));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ(2, o.internal_high);
}

TEST_F(io, pending_recv_completes_with_zero_on_peer_close)
{
	struct ovl o;
	char buf[4];

	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf, 4, self->ev, &o, 0));
	ASSERT_EQ(0, shutdown(self->a, SHUT_WR));
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ(0, o.internal_high);
}

TEST_F(io, send_pends_until_the_peer_drains)
{
	static char big[1 << 20], sink[65536];
	int sz = 0;
	struct ovl o;
	size_t got = 0;
	ssize_t n;

	ASSERT_EQ(0, setsockopt(self->b, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)));
	memset(big, 'q', sizeof(big));
	ASSERT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_SEND, big, sizeof(big), self->ev, &o, 0));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(STATUS_PENDING, status_of(&o));
	while (got < sizeof(big)) {
		n = read(self->a, sink, sizeof(sink));
		ASSERT_LT(0, n);
		got += n;
	}
	ASSERT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ((int64_t)sizeof(big), o.internal_high);
}

TEST_F(io, bad_arguments_start_nothing)
{
	struct wsaevent_io_args a = { .sock = self->b, .op = WSAEVENT_OP_RECV, .iovcnt = 1 };
	struct iovec iov = { .iov_base = (void *)8, .iov_len = 16 };
	struct ovl o = { .internal = STATUS_PENDING };
	char buf[4];
	struct iovec two[2] = { { buf, 4 }, { (void *)8, 16 } };

	a.overlapped = (uintptr_t)&o;
	a.iov = (uintptr_t)&iov;
	/* 0 buffers */
	a.iovcnt = 0;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.iovcnt = 1;
	/* a bad buffer */
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EFAULT, errno);
	/* one buffer, read directly: its array unreadable */
	a.iov = 8;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EFAULT, errno);
	a.iov = (uintptr_t)&iov;
	/* a negative length, as readv() */
	iov.iov_base = buf;
	iov.iov_len = (size_t)-1;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EINVAL, errno);
	/* past the user address space */
	iov.iov_base = (void *)(uintptr_t)-4096;
	iov.iov_len = 16;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EFAULT, errno);
	/* two buffers, imported as readv() does: the same answers */
	a.iov = (uintptr_t)two;
	a.iovcnt = 2;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EFAULT, errno);
	two[1].iov_len = (size_t)-1;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.iov = (uintptr_t)&iov;
	a.iovcnt = 1;
	iov.iov_base = buf;
	iov.iov_len = 4;
	/* a bad or misaligned WSAOVERLAPPED */
	a.overlapped = 16;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EFAULT, errno);
	a.overlapped = (uintptr_t)&o + 1;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.overlapped = (uintptr_t)&o;
	a.op = 3;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.op = WSAEVENT_OP_RECV;
	a.flags = MSG_DONTROUTE;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.flags = 0;
	a.event = self->ev;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.io_flags = WSAEVENT_IO_EVENT;
	a.event = self->b;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.io_flags = 0;
	a.event = 0;
	a.pad = 1;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(EINVAL, errno);
	a.pad = 0;
	a.sock = self->ev;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_SUBMIT, &a));
	EXPECT_EQ(ENOTSOCK, errno);
	EXPECT_EQ(STATUS_PENDING, status_of(&o));
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_CANCEL,
			    &(struct wsaevent_cancel_args){ .flags = 3 }));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(io, limit_on_outstanding_operations_is_enobufs)
{
	FILE *f = fopen("/sys/module/wsaevent/parameters/max_ops", "r+");
	static struct ovl o[3];
	char buf[3][4];
	unsigned int old;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%u", &old));
	rewind(f);
	fprintf(f, "2\n");
	fclose(f);
	EXPECT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf[0], 4, -1, &o[0], 0));
	EXPECT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf[1], 4, -1, &o[1], 0));
	EXPECT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, buf[2], 4, -1, &o[2], 0));
	EXPECT_EQ(ENOBUFS, errno);
	f = fopen("/sys/module/wsaevent/parameters/max_ops", "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "%u\n", old);
	fclose(f);
}

/* Set a module parameter; returns the old value. */
static unsigned int set_param(const char *name, unsigned int val)
{
	char path[128];
	unsigned int old = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/wsaevent/parameters/%s", name);
	f = fopen(path, "r+");
	if (!f)
		return 0;
	if (fscanf(f, "%u", &old) != 1)
		old = 0;
	rewind(f);
	fprintf(f, "%u\n", val);
	fclose(f);
	return old;
}

/*
 * An operation that completes inside the call pins nothing, so the
 * pinned-memory limit does not apply to it; one that must wait does.
 */
TEST_F(io, only_operations_that_wait_count_against_max_pinned_kb)
{
	static char big[64 * 1024], in[64 * 1024];
	unsigned int old = set_param("max_pinned_kb", 4);
	struct ovl o;

	ASSERT_NE(0u, old);
	memset(big, 'x', sizeof(big));
	ASSERT_EQ(4, send(self->a, "abcd", 4, 0));
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = self->b, .events = POLLIN }, 1, 5000));
	/* 64 KiB of buffer, 4 bytes there: completes at once, unpinned. */
	EXPECT_EQ(0, submit(self->ctx, self->b, WSAEVENT_OP_RECV, in,
			    sizeof(in), self->ev, &o, 0));
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ(4, o.internal_high);
	EXPECT_EQ(1, ev_signaled(self->ev));
	/*
	 * The same with nothing there must be pinned: past the limit.  Not
	 * started, it leaves the event as it was (signaled, by the first).
	 */
	EXPECT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, in,
			     sizeof(in), self->ev, &o, 0));
	EXPECT_EQ(ENOBUFS, errno);
	EXPECT_EQ(1, ev_signaled(self->ev));
	set_param("max_pinned_kb", old);
}

/*
 * A send that goes out in part and cannot pin the rest completes with
 * the error and the bytes it sent, which the peer receives: nothing sent
 * is unaccounted for.
 */
TEST_F(io, partial_send_that_cannot_pin_the_rest_reports_what_was_sent)
{
	static char big[4 << 20], got[4 << 20];
	unsigned int old = set_param("max_pinned_kb", 64);
	int sndbuf = 4096;
	size_t total = 0, i;
	struct ovl o;
	ssize_t n;

	ASSERT_NE(0u, old);
	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	EXPECT_EQ(-1, submit(self->ctx, self->a, WSAEVENT_OP_SEND, big,
			     sizeof(big), self->ev, &o, 0));
	EXPECT_EQ(EINPROGRESS, errno);
	/* Completed already, with ENOBUFS and the bytes that went out. */
	EXPECT_EQ(-ENOBUFS, status_of(&o));
	EXPECT_LT(0, o.internal_high);
	EXPECT_GT((int64_t)sizeof(big), o.internal_high);
	EXPECT_EQ(1, ev_signaled(self->ev));
	set_param("max_pinned_kb", old);

	/* The peer gets exactly those bytes. */
	shutdown(self->a, SHUT_WR);
	while ((n = recv(self->b, got + total, sizeof(got) - total, 0)) > 0)
		total += n;
	EXPECT_EQ((size_t)o.internal_high, total);
	EXPECT_EQ(0, memcmp(big, got, total));
}

/*
 * A MSG_WAITALL receive that takes part of what it wants in the call and
 * cannot pin its buffer to wait for the rest completes with what it took.
 */
TEST_F(io, partial_waitall_receive_that_cannot_pin_completes_with_its_bytes)
{
	static char in[64 * 1024];
	unsigned int old = set_param("max_pinned_kb", 4);
	struct ovl o;

	ASSERT_NE(0u, old);
	ASSERT_EQ(6, send(self->a, "abcdef", 6, 0));
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = self->b, .events = POLLIN }, 1, 5000));
	EXPECT_EQ(0, submit(self->ctx, self->b, WSAEVENT_OP_RECV, in,
			    sizeof(in), self->ev, &o, MSG_WAITALL));
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ(6, o.internal_high);
	EXPECT_EQ(0, memcmp(in, "abcdef", 6));
	EXPECT_EQ(1, ev_signaled(self->ev));
	set_param("max_pinned_kb", old);
}

/*
 * A MSG_WAITALL receive that finds part of what it wants and the end of
 * file already queued completes at once with that part: no wake-up is
 * left to come for the end of file.
 */
TEST_F(io, waitall_receive_with_the_end_of_file_queued_completes_at_once)
{
	char in[10];
	struct ovl o;

	ASSERT_EQ(4, send(self->a, "wxyz", 4, 0));
	ASSERT_EQ(0, shutdown(self->a, SHUT_WR));
	/* Both the data and the FIN are in b's queue. */
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = self->b, .events = POLLRDHUP }, 1, 5000));
	EXPECT_EQ(0, submit(self->ctx, self->b, WSAEVENT_OP_RECV, in,
			    sizeof(in), self->ev, &o, MSG_WAITALL));
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ(4, o.internal_high);
	EXPECT_EQ(0, memcmp(in, "wxyz", 4));
	/* And the next one reads the end of file. */
	EXPECT_EQ(0, submit(self->ctx, self->b, WSAEVENT_OP_RECV, in,
			    sizeof(in), self->ev, &o, MSG_WAITALL));
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ(0, o.internal_high);
}

/* A MSG_WAITALL receive that waits keeps the bytes it took in the call. */
TEST_F(io, waitall_receive_continues_after_the_bytes_taken_in_the_call)
{
	char in[10];
	struct ovl o;

	ASSERT_EQ(4, send(self->a, "0123", 4, 0));
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = self->b, .events = POLLIN }, 1, 5000));
	EXPECT_EQ(-1, submit(self->ctx, self->b, WSAEVENT_OP_RECV, in,
			     sizeof(in), self->ev, &o, MSG_WAITALL));
	EXPECT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(STATUS_PENDING, status_of(&o));
	ASSERT_EQ(6, send(self->a, "456789", 6, 0));
	EXPECT_EQ(0, ev_wait(self->ctx, self->ev, 5000));
	EXPECT_EQ(0, status_of(&o));
	EXPECT_EQ(10, o.internal_high);
	EXPECT_EQ(0, memcmp(in, "0123456789", 10));
}

TEST(udp_truncation_and_source_address)
{
	int ctx = open(WSAEVENT_DEVICE, O_RDWR), ev = ev_create(ctx);
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, from, mine;
	socklen_t len = sizeof(sa);
	struct iovec iov;
	struct ovl o = { .internal = STATUS_PENDING };
	struct wsaevent_io_args args = { .sock = a, .op = WSAEVENT_OP_RECV, .iovcnt = 1,
					 .io_flags = WSAEVENT_IO_EVENT };
	int fromlen = -1;
	char buf[4];

	ASSERT_LE(0, ev);
	ASSERT_EQ(0, bind(a, (void *)&sa, sizeof(sa)));
	ASSERT_EQ(0, getsockname(a, (void *)&sa, &len));
	ASSERT_EQ(0, bind(b, (void *)&(struct sockaddr_in){ .sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sizeof(sa)));
	len = sizeof(mine);
	ASSERT_EQ(0, getsockname(b, (void *)&mine, &len));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	args.iov = (uintptr_t)&iov;
	args.event = ev;
	args.overlapped = (uintptr_t)&o;
	args.addr = (uintptr_t)&from;
	args.addrlen = sizeof(from);
	args.addrlen_ptr = (uintptr_t)&fromlen;
	ASSERT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SUBMIT, &args));
	ASSERT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(10, sendto(b, "0123456789", 10, 0, (void *)&sa, sizeof(sa)));
	ASSERT_EQ(0, ev_wait(ctx, ev, 5000));
	EXPECT_EQ(-EMSGSIZE, status_of(&o));
	EXPECT_EQ(4, o.internal_high);
	EXPECT_EQ(0, memcmp(buf, "0123", 4));
	EXPECT_EQ((int)sizeof(from), fromlen);
	EXPECT_EQ(mine.sin_port, from.sin_port);

	/* The same, completed inside the call: the datagram is there. */
	ASSERT_EQ(6, sendto(b, "abcdef", 6, 0, (void *)&sa, sizeof(sa)));
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = a, .events = POLLIN }, 1, 5000));
	memset(&from, 0, sizeof(from));
	fromlen = -1;
	o.internal = STATUS_PENDING;
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SUBMIT, &args));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-EMSGSIZE, status_of(&o));
	EXPECT_EQ(4, o.internal_high);
	EXPECT_EQ(0, memcmp(buf, "abcd", 4));
	EXPECT_EQ((int)sizeof(from), fromlen);
	EXPECT_EQ(mine.sin_port, from.sin_port);
	EXPECT_EQ(1, ev_signaled(ev));
	close(a);
	close(b);
	close(ev);
	close(ctx);
}

/*
 * A receive buffer the kernel cannot write fails the submission with
 * EFAULT before anything is taken: the datagram stays in the socket
 * (Linux's recv() would drop it).  Also for a buffer whose second page
 * is bad.
 */
TEST(bad_receive_buffer_takes_no_datagram)
{
	int ctx = open(WSAEVENT_DEVICE, O_RDWR);
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long pagesz = sysconf(_SC_PAGESIZE);
	struct wsaevent_io_args args = { 0 };
	socklen_t len = sizeof(sa);
	char *two, buf[8];
	struct iovec iov;
	struct ovl o;

	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, bind(a, (void *)&sa, sizeof(sa)));
	ASSERT_EQ(0, getsockname(a, (void *)&sa, &len));
	ASSERT_EQ(5, sendto(b, "hello", 5, 0, (void *)&sa, sizeof(sa)));
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = a, .events = POLLIN }, 1, 5000));

	EXPECT_EQ(-1, submit(ctx, a, WSAEVENT_OP_RECV, readonly_page(), 8, -1,
			     &o, 0));
	EXPECT_EQ(EFAULT, errno);
	two = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, mprotect(two + pagesz, pagesz, PROT_READ));
	EXPECT_EQ(-1, submit(ctx, a, WSAEVENT_OP_RECV, two + pagesz - 2, 8, -1,
			     &o, 0));
	EXPECT_EQ(EFAULT, errno);
	/* A WSAOVERLAPPED the kernel cannot write: the same. */
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	args.sock = a;
	args.op = WSAEVENT_OP_RECV;
	args.iov = (uintptr_t)&iov;
	args.iovcnt = 1;
	args.overlapped = (uintptr_t)readonly_page();
	EXPECT_EQ(-1, ioctl(ctx, WSAEVENT_IOC_SUBMIT, &args));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(5, recv(a, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	munmap(two, 2 * pagesz);
	close(a);
	close(b);
	close(ctx);
}

TEST(process_exit_with_pending_operations)
{
	int sv[2], status;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ctx = open(WSAEVENT_DEVICE, O_RDWR), ev = ev_create(ctx);
		static struct ovl o[8];
		static char buf[8][64];
		int i;

		for (i = 0; i < 8; i++)
			if (submit(ctx, sv[0], i & 1 ? WSAEVENT_OP_SEND : WSAEVENT_OP_RECV,
				   buf[i], 64, ev, &o[i], 0) && errno != EINPROGRESS)
				_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
