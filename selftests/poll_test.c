// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent ABI selftests: event fds with poll(), epoll and select(), and
 * their /proc/<pid>/fdinfo lines.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include "wsaevent_test.h"
#include "kselftest_harness.h"

#define MANUAL		((__u32)WSAEVENT_EVENT_MANUAL)
#define SIGNALED	((__u32)WSAEVENT_EVENT_SIGNALED)
#define READABLE	((short)(POLLIN | POLLRDNORM))
#define ASKED		((short)(POLLIN | POLLRDNORM | POLLOUT | POLLPRI | POLLRDBAND))

FIXTURE(ctx) {
	int ctx;
};

FIXTURE_SETUP(ctx)
{
	self->ctx = wsa_open();
	ASSERT_LE(0, self->ctx) TH_LOG("open %s: %s", WSAEVENT_DEVICE, strerror(errno));
}

FIXTURE_TEARDOWN(ctx)
{
	if (self->ctx >= 0)
		close(self->ctx);
}

#define NEW_EVENT(var, flags) \
	int var = wsa_create(self->ctx, (flags)); \
	ASSERT_LE(0, var) TH_LOG("create: %s", strerror(errno))

/* revents of one fd polled without sleeping; -1 on error. */
static int poll_now(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int ret = poll(&pfd, 1, 0);

	if (ret < 0)
		return -1;
	if (ret == 0)
		return 0;
	return pfd.revents;
}

/* POLLIN|POLLRDNORM while signaled, nothing while reset. */
TEST_F(ctx, poll_reflects_state)
{
	__u32 flags;

	for (flags = 0; flags <= (MANUAL | SIGNALED); flags++) {
		int fd = wsa_create(self->ctx, flags);

		ASSERT_LE(0, fd);
		EXPECT_EQ((flags & SIGNALED) ? READABLE : 0, poll_now(fd, ASKED))
			TH_LOG("flags %u", flags);
		EXPECT_EQ(!!(flags & SIGNALED), wsa_reset(fd));
		EXPECT_EQ(0, poll_now(fd, ASKED));
		EXPECT_EQ(0, wsa_set(fd));
		EXPECT_EQ(READABLE, poll_now(fd, ASKED));
		EXPECT_EQ(POLLIN, poll_now(fd, POLLIN));
		EXPECT_EQ(1, wsa_pulse(fd));
		EXPECT_EQ(0, poll_now(fd, ASKED));
		close(fd);
	}
}

/* Polling never consumes an auto-reset event; a wait does. */
TEST_F(ctx, poll_does_not_consume)
{
	__u32 fds[1], idx = 99;
	int i;
	NEW_EVENT(a, SIGNALED);

	for (i = 0; i < 5; i++) {
		EXPECT_EQ(READABLE, poll_now(a, ASKED));
	}
	EXPECT_EQ((int)SIGNALED, wsa_read(a));
	fds[0] = (__u32)a;
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, 1, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, poll_now(a, ASKED));
}

/* Several fds in one poll(): only the signaled ones are reported. */
TEST_F(ctx, poll_several)
{
	struct pollfd pfd[4];
	int i;
	NEW_EVENT(a, 0);
	NEW_EVENT(b, SIGNALED);
	NEW_EVENT(m, MANUAL | SIGNALED);
	NEW_EVENT(r, MANUAL);

	pfd[0].fd = a;
	pfd[1].fd = b;
	pfd[2].fd = m;
	pfd[3].fd = r;
	for (i = 0; i < 4; i++) {
		pfd[i].events = POLLIN;
		pfd[i].revents = -1;
	}
	EXPECT_EQ(2, poll(pfd, 4, 0));
	EXPECT_EQ(0, pfd[0].revents);
	EXPECT_EQ(POLLIN, pfd[1].revents);
	EXPECT_EQ(POLLIN, pfd[2].revents);
	EXPECT_EQ(0, pfd[3].revents);
}

/* A reset event is not readable: poll() with a timeout times out. */
TEST_F(ctx, poll_times_out_when_reset)
{
	struct pollfd pfd;
	__u64 start;
	NEW_EVENT(a, 0);

	pfd.fd = a;
	pfd.events = POLLIN;
	pfd.revents = 0;
	start = now_ns();
	EXPECT_EQ(0, poll(&pfd, 1, 30));
	EXPECT_LE(start + 30 * NSEC_PER_MSEC, now_ns());
	EXPECT_EQ(0, pfd.revents);
}

static int do_poll(struct waiter *w)
{
	struct pollfd *pfd = w->arg;

	return poll(pfd, 1, HANDSHAKE_MS);
}

/* A thread blocked in poll() is woken by SET, and nothing is consumed. */
TEST_F(ctx, poll_woken_by_set)
{
	struct pollfd pfd;
	struct waiter w;
	NEW_EVENT(a, 0);

	pfd.fd = a;
	pfd.events = POLLIN;
	pfd.revents = 0;
	waiter_init(&w, self->ctx, false, NULL, 0, 0);
	w.fn = do_poll;
	w.arg = &pfd;
	w.syscall_nr = -1;
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	sleep_ms(30);
	ASSERT_FALSE(waiter_done(&w));
	ASSERT_EQ(0, wsa_set(a));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(1, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(POLLIN, pfd.revents);
	EXPECT_GT(w.start_ns + HANDSHAKE_MS * NSEC_PER_MSEC, w.end_ns);
	EXPECT_EQ(1, wsa_signaled(a));
}

/* epoll, level-triggered: reported for as long as the event is signaled. */
TEST_F(ctx, epoll_level_triggered)
{
	struct epoll_event ee, out[4];
	int ep, i;
	NEW_EVENT(a, 0);
	NEW_EVENT(m, MANUAL);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ee.events = EPOLLIN;
	ee.data.u64 = 0x1111;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, a, &ee));
	ee.data.u64 = 0x2222;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, m, &ee));

	EXPECT_EQ(0, epoll_wait(ep, out, 4, 0));
	ASSERT_EQ(0, wsa_set(a));
	for (i = 0; i < 3; i++) {
		memset(out, 0, sizeof(out));
		ASSERT_EQ(1, epoll_wait(ep, out, 4, 0)) TH_LOG("round %d", i);
		EXPECT_EQ(0x1111ULL, (unsigned long long)out[0].data.u64);
		EXPECT_EQ((__u32)EPOLLIN, out[0].events);
	}
	/* epoll did not consume it. */
	EXPECT_EQ(1, wsa_signaled(a));
	ASSERT_EQ(0, wsa_set(m));
	EXPECT_EQ(2, epoll_wait(ep, out, 4, 0));
	ASSERT_EQ(1, wsa_reset(a));
	memset(out, 0, sizeof(out));
	ASSERT_EQ(1, epoll_wait(ep, out, 4, 0));
	EXPECT_EQ(0x2222ULL, (unsigned long long)out[0].data.u64);
	ASSERT_EQ(1, wsa_pulse(m));
	EXPECT_EQ(0, epoll_wait(ep, out, 4, 0));
	close(ep);
}

/* epoll, edge-triggered: one report per transition to signaled. */
TEST_F(ctx, epoll_edge_triggered)
{
	struct epoll_event ee, out[2];
	int ep;
	NEW_EVENT(m, MANUAL);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ee.events = EPOLLIN | EPOLLET;
	ee.data.u64 = 7;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, m, &ee));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	ASSERT_EQ(0, wsa_set(m));
	EXPECT_EQ(1, epoll_wait(ep, out, 2, 0));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	ASSERT_EQ(1, wsa_reset(m));
	ASSERT_EQ(0, wsa_set(m));
	EXPECT_EQ(1, epoll_wait(ep, out, 2, 0));
	close(ep);
}

static int do_epoll_wait(struct waiter *w)
{
	struct epoll_event *out = w->arg;

	return epoll_wait(w->ctx, out, 1, HANDSHAKE_MS);
}

/* A thread blocked in epoll_wait() is woken by SET. */
TEST_F(ctx, epoll_woken_by_set)
{
	struct epoll_event ee, out;
	struct waiter w;
	int ep;
	NEW_EVENT(a, 0);
	NEW_EVENT(b, 0);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ee.events = EPOLLIN;
	ee.data.u64 = 1;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, a, &ee));
	ee.data.u64 = 2;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, b, &ee));
	memset(&out, 0, sizeof(out));
	waiter_init(&w, ep, false, NULL, 0, 0);
	w.fn = do_epoll_wait;
	w.arg = &out;
	w.syscall_nr = -1;
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	sleep_ms(30);
	ASSERT_FALSE(waiter_done(&w));
	ASSERT_EQ(0, wsa_set(b));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(1, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(2ULL, (unsigned long long)out.data.u64);
	EXPECT_EQ((__u32)EPOLLIN, out.events);
	EXPECT_GT(w.start_ns + HANDSHAKE_MS * NSEC_PER_MSEC, w.end_ns);
	close(ep);
}

/* select(): readable while signaled. */
TEST_F(ctx, select_reflects_state)
{
	struct timeval tv;
	fd_set rfds, efds;
	NEW_EVENT(a, 0);
	NEW_EVENT(b, MANUAL | SIGNALED);

	ASSERT_GT(FD_SETSIZE, a);
	ASSERT_GT(FD_SETSIZE, b);
	FD_ZERO(&rfds);
	FD_ZERO(&efds);
	FD_SET(a, &rfds);
	FD_SET(b, &rfds);
	FD_SET(a, &efds);
	FD_SET(b, &efds);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	EXPECT_EQ(1, select((a > b ? a : b) + 1, &rfds, NULL, &efds, &tv));
	EXPECT_FALSE(FD_ISSET(a, &rfds));
	EXPECT_TRUE(FD_ISSET(b, &rfds));
	EXPECT_FALSE(FD_ISSET(a, &efds));
	EXPECT_FALSE(FD_ISSET(b, &efds));

	ASSERT_EQ(0, wsa_set(a));
	ASSERT_EQ(1, wsa_reset(b));
	FD_ZERO(&rfds);
	FD_SET(a, &rfds);
	FD_SET(b, &rfds);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	EXPECT_EQ(1, select((a > b ? a : b) + 1, &rfds, NULL, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(a, &rfds));
	EXPECT_FALSE(FD_ISSET(b, &rfds));
	/* select() did not consume the auto-reset event. */
	EXPECT_EQ(1, wsa_signaled(a));
}

static int do_select(struct waiter *w)
{
	fd_set *rfds = w->arg;
	struct timeval tv = { .tv_sec = HANDSHAKE_MS / 1000 };

	return select((int)w->fds[0] + 1, rfds, NULL, NULL, &tv);
}

/* A thread blocked in select() is woken by SET. */
TEST_F(ctx, select_woken_by_set)
{
	struct waiter w;
	fd_set rfds;
	NEW_EVENT(a, 0);

	ASSERT_GT(FD_SETSIZE, a);
	FD_ZERO(&rfds);
	FD_SET(a, &rfds);
	waiter_init(&w, self->ctx, false, NULL, 0, 0);
	w.fds[0] = (__u32)a;
	w.fn = do_select;
	w.arg = &rfds;
	w.syscall_nr = -1;
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	sleep_ms(30);
	ASSERT_FALSE(waiter_done(&w));
	ASSERT_EQ(0, wsa_set(a));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(1, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_TRUE(FD_ISSET(a, &rfds));
	EXPECT_GT(w.start_ns + HANDSHAKE_MS * NSEC_PER_MSEC, w.end_ns);
}

/* A WAIT_ANY in one thread and poll() in another both see one SET. */
TEST_F(ctx, poll_and_wait_together)
{
	struct pollfd pfd;
	struct waiter wp, ww;
	__u32 fds[1];
	NEW_EVENT(m, MANUAL);

	pfd.fd = m;
	pfd.events = POLLIN;
	pfd.revents = 0;
	fds[0] = (__u32)m;
	waiter_init(&wp, self->ctx, false, NULL, 0, 0);
	wp.fn = do_poll;
	wp.arg = &pfd;
	wp.syscall_nr = -1;
	waiter_init(&ww, self->ctx, false, fds, 1, deadline_ms(JOIN_MS));
	ASSERT_EQ(0, waiter_start(&wp));
	ASSERT_EQ(0, waiter_start(&ww));
	ASSERT_TRUE(waiter_blocked(&wp));
	ASSERT_TRUE(waiter_blocked(&ww));
	ASSERT_EQ(0, wsa_set(m));
	ASSERT_TRUE(waiter_join(&wp, JOIN_MS));
	ASSERT_TRUE(waiter_join(&ww, JOIN_MS));
	EXPECT_EQ(1, wp.ret);
	EXPECT_EQ(POLLIN, pfd.revents);
	EXPECT_EQ(0, ww.ret) TH_LOG("%s", strerror(ww.err));
	EXPECT_EQ(0U, ww.index);
}

/* /proc/self/fdinfo/<fd> shows the manual flag and the current state. */
TEST_F(ctx, fdinfo)
{
	__u32 flags, fds[1];
	int d;

	for (flags = 0; flags <= (MANUAL | SIGNALED); flags++) {
		int fd = wsa_create(self->ctx, flags);

		ASSERT_LE(0, fd);
		EXPECT_EQ(!!(flags & MANUAL), fdinfo_value(fd, "wsaevent-manual"))
			TH_LOG("flags %u", flags);
		EXPECT_EQ(!!(flags & SIGNALED), fdinfo_value(fd, "wsaevent-signaled"))
			TH_LOG("flags %u", flags);
		ASSERT_EQ(!!(flags & SIGNALED), wsa_set(fd));
		EXPECT_EQ(1, fdinfo_value(fd, "wsaevent-signaled"));
		ASSERT_EQ(1, wsa_reset(fd));
		EXPECT_EQ(0, fdinfo_value(fd, "wsaevent-signaled"));
		EXPECT_EQ(!!(flags & MANUAL), fdinfo_value(fd, "wsaevent-manual"));

		/* A consuming wait shows up too; dup()ed fds show the same. */
		ASSERT_EQ(0, wsa_set(fd));
		d = dup(fd);
		ASSERT_LE(0, d);
		EXPECT_EQ(1, fdinfo_value(d, "wsaevent-signaled"));
		fds[0] = (__u32)fd;
		ASSERT_EQ(0, wsa_poll_any(self->ctx, fds, 1, NULL));
		EXPECT_EQ(!!(flags & MANUAL), fdinfo_value(d, "wsaevent-signaled"));
		EXPECT_EQ(!!(flags & MANUAL), fdinfo_value(fd, "wsaevent-signaled"));
		close(d);
		close(fd);
	}
}

/* The exact line format: "wsaevent-signaled:\t1". */
TEST_F(ctx, fdinfo_format)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;
	NEW_EVENT(m, MANUAL | SIGNALED);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", m);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_NE(NULL, strstr(buf, "\nwsaevent-manual:\t1\n")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "\nwsaevent-signaled:\t1\n")) TH_LOG("%s", buf);
}

TEST_HARNESS_MAIN
