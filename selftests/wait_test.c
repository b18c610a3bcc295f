// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent ABI selftests: WAIT_ANY / WAIT_ALL, the alert, timeouts,
 * signals, and their error paths, with real threads.
 */
#define _GNU_SOURCE
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "wsaevent_test.h"
#include "kselftest_harness.h"

#define MANUAL		((__u32)WSAEVENT_EVENT_MANUAL)
#define SIGNALED	((__u32)WSAEVENT_EVENT_SIGNALED)
#define ALERT		((__u32)WSAEVENT_WAIT_ALERT)
#define INFINITE	((__u64)WSAEVENT_TIMEOUT_INFINITE)
#define MAXW		WSAEVENT_MAX_WAIT_COUNT

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

/* Create an event; -1 on failure (checked by the caller). */
static int ev(int ctx, __u32 flags)
{
	return wsa_create(ctx, flags);
}

#define NEW_EVENT(var, flags) \
	int var = ev(self->ctx, (flags)); \
	ASSERT_LE(0, var) TH_LOG("create: %s", strerror(errno))

/* Expect a wait to fail with @e. */
#define EXPECT_WAIT_ERR(e, ctx, all, fds, count, timeout, flags, alert) do { \
	errno = 0; \
	EXPECT_EQ(-1, wsa_wait((ctx), (all), (fds), (count), (timeout), \
			       (flags), (alert), NULL)) TH_LOG("all=%d", (int)(all)); \
	EXPECT_EQ((e), errno) TH_LOG("all=%d: %s", (int)(all), strerror(errno)); \
} while (0)

/* ---------------------------------------------------------------------- */
/* Argument validation                                                     */
/* ---------------------------------------------------------------------- */

TEST_F(ctx, count_over_max)
{
	__u32 fds[MAXW + 2];
	const __u32 counts[] = { MAXW + 1, MAXW + 2, 1000, 0x80000000U, ~0U };
	unsigned int i;
	int all;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		int fd = ev(self->ctx, MANUAL | SIGNALED);

		ASSERT_LE(0, fd);
		fds[i] = (__u32)fd;
	}
	for (all = 0; all < 2; all++)
		for (i = 0; i < ARRAY_SIZE(counts); i++) {
			EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, counts[i], 0, 0, 0);
		}
}

TEST_F(ctx, wait_all_count_zero)
{
	__u32 fds[1];
	NEW_EVENT(alert, MANUAL | SIGNALED);

	fds[0] = (__u32)alert;
	EXPECT_WAIT_ERR(EINVAL, self->ctx, true, fds, 0, 0, 0, 0);
	EXPECT_WAIT_ERR(EINVAL, self->ctx, true, fds, 0, INFINITE, 0, 0);
	EXPECT_WAIT_ERR(EINVAL, self->ctx, true, fds, 0, 0, ALERT, (__u32)alert);
}

/* WAIT_ANY with no objects is a plain sleep until the timeout. */
TEST_F(ctx, wait_any_count_zero_sleeps)
{
	__u32 fds[1] = { 0 };
	__u64 deadline = deadline_ms(30);

	errno = 0;
	EXPECT_EQ(-1, wsa_wait(self->ctx, false, fds, 0, deadline, 0, 0, NULL));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LE(deadline, now_ns());
}

TEST_F(ctx, unknown_wait_flags)
{
	__u32 fds[1];
	int bit, all;
	NEW_EVENT(a, SIGNALED);

	fds[0] = (__u32)a;
	for (all = 0; all < 2; all++) {
		for (bit = 0; bit < 32; bit++) {
			__u32 f = 1U << bit;

			if (f & WSAEVENT_WAIT_FLAGS)
				continue;
			EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 1, 0, f, 0);
			EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 1, 0, f | ALERT, (__u32)a);
		}
	}
	/* Nothing was consumed by the refused waits. */
	EXPECT_EQ(1, wsa_signaled(a));
}

TEST_F(ctx, alert_without_flag)
{
	__u32 fds[1];
	int all;
	NEW_EVENT(a, SIGNALED);
	NEW_EVENT(alert, MANUAL | SIGNALED);

	fds[0] = (__u32)a;
	for (all = 0; all < 2; all++) {
		EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 1, 0, 0, (__u32)alert);
		EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 1, 0, 0, 1);
		EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 1, 0, 0, ~0U);
	}
	EXPECT_WAIT_ERR(EINVAL, self->ctx, false, fds, 0, 0, 0, (__u32)alert);
	EXPECT_EQ(1, wsa_signaled(a));
}

TEST_F(ctx, alert_fd_invalid)
{
	__u32 fds[1];
	int p[2], other, other_ev, all;
	NEW_EVENT(a, SIGNALED);

	fds[0] = (__u32)a;
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	other = wsa_open();
	ASSERT_LE(0, other);
	other_ev = ev(other, MANUAL | SIGNALED);
	ASSERT_LE(0, other_ev);

	for (all = 0; all < 2; all++) {
		EXPECT_WAIT_ERR(EBADF, self->ctx, all, fds, 1, 0, ALERT, ~0U);
		EXPECT_WAIT_ERR(EBADF, self->ctx, all, fds, 1, 0, ALERT, (__u32)closed_fd());
		EXPECT_WAIT_ERR(EBADF, self->ctx, all, fds, 1, 0, ALERT, 1U << 30);
		EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 1, 0, ALERT, (__u32)p[0]);
		EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 1, 0, ALERT, (__u32)self->ctx);
		EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 1, 0, ALERT, (__u32)other);
		EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 1, 0, ALERT, (__u32)other_ev);
	}
	EXPECT_WAIT_ERR(EBADF, self->ctx, false, fds, 0, 0, ALERT, ~0U);
	EXPECT_WAIT_ERR(EINVAL, self->ctx, false, fds, 0, 0, ALERT, (__u32)other_ev);
	/* The signaled auto-reset object was not consumed by any of them. */
	EXPECT_EQ(1, wsa_signaled(a));
	close(p[0]);
	close(p[1]);
	close(other_ev);
	close(other);
}

/* fds that are not open: EBADF, and nothing before them is consumed. */
TEST_F(ctx, bad_fds)
{
	__u32 fds[2], bad[4];
	unsigned int i;
	int all;
	NEW_EVENT(a, SIGNALED);

	/* After creating a, so that the closed fd number is not a's. */
	bad[0] = ~0U;
	bad[1] = (__u32)closed_fd();
	bad[2] = 1U << 30;
	bad[3] = 0x7fffffffU;

	for (all = 0; all < 2; all++) {
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			fds[0] = bad[i];
			EXPECT_WAIT_ERR(EBADF, self->ctx, all, fds, 1, 0, 0, 0);
			fds[0] = (__u32)a;
			fds[1] = bad[i];
			EXPECT_WAIT_ERR(EBADF, self->ctx, all, fds, 2, 0, 0, 0);
		}
	}
	EXPECT_EQ(1, wsa_signaled(a));
}

/* fds of other kinds, including the context itself: EINVAL. */
TEST_F(ctx, foreign_fds)
{
	int p[2], s, dn, efd;
	int others[6];
	__u32 fds[2];
	unsigned int i;
	int all;
	NEW_EVENT(a, SIGNALED);

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	dn = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dn);
	efd = eventfd(1, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	others[0] = p[0];
	others[1] = p[1];
	others[2] = s;
	others[3] = dn;
	others[4] = efd;
	others[5] = self->ctx;

	for (all = 0; all < 2; all++) {
		for (i = 0; i < ARRAY_SIZE(others); i++) {
			fds[0] = (__u32)others[i];
			EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 1, 0, 0, 0);
			fds[0] = (__u32)a;
			fds[1] = (__u32)others[i];
			EXPECT_WAIT_ERR(EINVAL, self->ctx, all, fds, 2, 0, 0, 0);
		}
	}
	EXPECT_EQ(1, wsa_signaled(a));
	close(p[0]);
	close(p[1]);
	close(s);
	close(dn);
	close(efd);
}

/* An event belongs to the context that created it. */
TEST(other_context_events)
{
	int c1 = wsa_open(), c2 = wsa_open();
	__u32 fds[2], idx = 99;
	int e1, e2, all;

	ASSERT_LE(0, c1);
	ASSERT_LE(0, c2);
	e1 = wsa_create(c1, SIGNALED);
	e2 = wsa_create(c2, MANUAL | SIGNALED);
	ASSERT_LE(0, e1);
	ASSERT_LE(0, e2);

	for (all = 0; all < 2; all++) {
		fds[0] = (__u32)e2;
		EXPECT_WAIT_ERR(EINVAL, c1, all, fds, 1, 0, 0, 0);
		fds[0] = (__u32)e1;
		fds[1] = (__u32)e2;
		EXPECT_WAIT_ERR(EINVAL, c1, all, fds, 2, 0, 0, 0);
		EXPECT_WAIT_ERR(EINVAL, c2, all, fds, 2, 0, 0, 0);
	}
	EXPECT_EQ(1, wsa_signaled(e1));
	/* Each context can wait on its own event. */
	fds[0] = (__u32)e2;
	EXPECT_EQ(0, wsa_poll_any(c2, fds, 1, &idx));
	EXPECT_EQ(0U, idx);
	fds[0] = (__u32)e1;
	EXPECT_EQ(0, wsa_poll_any(c1, fds, 1, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, wsa_signaled(e1));
	close(e1);
	close(e2);
	close(c1);
	close(c2);
}

/* WAIT_ALL refuses the same event twice, by the same fd or a dup. */
TEST_F(ctx, wait_all_duplicates)
{
	__u32 fds[3];
	int d;
	NEW_EVENT(a, SIGNALED);
	NEW_EVENT(b, SIGNALED);

	d = dup(a);
	ASSERT_LE(0, d);
	fds[0] = (__u32)a;
	fds[1] = (__u32)a;
	EXPECT_WAIT_ERR(EINVAL, self->ctx, true, fds, 2, 0, 0, 0);
	fds[1] = (__u32)d;
	EXPECT_WAIT_ERR(EINVAL, self->ctx, true, fds, 2, 0, 0, 0);
	fds[0] = (__u32)b;
	fds[1] = (__u32)a;
	fds[2] = (__u32)d;
	EXPECT_WAIT_ERR(EINVAL, self->ctx, true, fds, 3, 0, 0, 0);
	fds[2] = (__u32)b;
	EXPECT_WAIT_ERR(EINVAL, self->ctx, true, fds, 3, INFINITE, 0, 0);
	EXPECT_EQ(1, wsa_signaled(a));
	EXPECT_EQ(1, wsa_signaled(b));
	/* Without the duplicate it works and consumes both. */
	EXPECT_EQ(0, wsa_wait(self->ctx, true, fds, 2, 0, 0, 0, NULL));
	EXPECT_EQ(0, wsa_signaled(a));
	EXPECT_EQ(0, wsa_signaled(b));
	close(d);
}

/* WAIT_ANY accepts duplicates; an auto-reset event is consumed once. */
TEST_F(ctx, wait_any_duplicates)
{
	__u32 fds[3], idx = 99;
	int d;
	NEW_EVENT(a, 0);
	NEW_EVENT(r, 0);

	d = dup(a);
	ASSERT_LE(0, d);
	fds[0] = (__u32)a;
	fds[1] = (__u32)a;
	errno = 0;
	EXPECT_EQ(-1, wsa_poll_any(self->ctx, fds, 2, &idx));
	EXPECT_EQ(ETIMEDOUT, errno);
	ASSERT_EQ(0, wsa_set(a));
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, 2, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, wsa_signaled(a));

	fds[0] = (__u32)r;
	fds[1] = (__u32)d;
	fds[2] = (__u32)a;
	ASSERT_EQ(0, wsa_set(a));
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, 3, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0, wsa_signaled(a));
	errno = 0;
	EXPECT_EQ(-1, wsa_poll_any(self->ctx, fds, 3, &idx));
	EXPECT_EQ(ETIMEDOUT, errno);
	close(d);
}

TEST_F(ctx, bad_objs_pointer)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	void *bad[] = { NULL, (void *)1, unmapped_page() };
	unsigned int i;
	char *two;
	__u32 *edge;
	int all;
	NEW_EVENT(a, SIGNALED);

	ASSERT_NE(NULL, bad[2]);
	/* A page whose last __u32 is valid, followed by an unmapped page. */
	two = mmap(NULL, 2 * (size_t)pagesz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, munmap(two + pagesz, (size_t)pagesz));
	edge = (__u32 *)(two + pagesz) - 1;
	*edge = (__u32)a;

	for (all = 0; all < 2; all++) {
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			EXPECT_WAIT_ERR(EFAULT, self->ctx, all, bad[i], 1, 0, 0, 0);
		}
		EXPECT_WAIT_ERR(EFAULT, self->ctx, all, edge, 2, 0, 0, 0);
		EXPECT_WAIT_ERR(EFAULT, self->ctx, all, bad[0], 3, INFINITE, 0, 0);
	}
	EXPECT_EQ(1, wsa_signaled(a));
	/* The valid part alone is fine. */
	EXPECT_EQ(0, wsa_wait(self->ctx, false, edge, 1, 0, 0, 0, NULL));
	EXPECT_EQ(0, wsa_signaled(a));
	munmap(two, (size_t)pagesz);
}

TEST_F(ctx, bad_args_pointer)
{
	void *bad[] = { NULL, (void *)1, unmapped_page() };
	unsigned int i;
	NEW_EVENT(a, SIGNALED);

	ASSERT_NE(NULL, bad[2]);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_WAIT_ANY, bad[i]));
		EXPECT_EQ(EFAULT, errno) TH_LOG("%p", bad[i]);
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_WAIT_ALL, bad[i]));
		EXPECT_EQ(EFAULT, errno) TH_LOG("%p", bad[i]);
	}
	EXPECT_EQ(1, wsa_signaled(a));
}

/* ---------------------------------------------------------------------- */
/* Polls (timeout already past)                                            */
/* ---------------------------------------------------------------------- */

TEST_F(ctx, poll_past_timeout)
{
	const __u64 timeouts[] = { 0, 1, now_ns() - NSEC_PER_MSEC };
	__u32 fds[1], idx;
	unsigned int i;
	int all;
	NEW_EVENT(a, 0);

	fds[0] = (__u32)a;
	for (all = 0; all < 2; all++) {
		for (i = 0; i < ARRAY_SIZE(timeouts); i++) {
			__u64 t0 = now_ns();

			errno = 0;
			EXPECT_EQ(-1, wsa_wait(self->ctx, all, fds, 1, timeouts[i], 0, 0, NULL));
			EXPECT_EQ(ETIMEDOUT, errno);
			/* A poll does not sleep. */
			EXPECT_GT(t0 + NSEC_PER_SEC, now_ns());
		}
	}
	ASSERT_EQ(0, wsa_set(a));
	idx = 99;
	EXPECT_EQ(0, wsa_wait(self->ctx, false, fds, 1, 0, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, wsa_signaled(a));
}

/* WAIT_ANY returns the lowest signaled index and consumes only it. */
TEST_F(ctx, wait_any_lowest_index)
{
	__u32 fds[4], idx;
	NEW_EVENT(r0, 0);
	NEW_EVENT(a1, SIGNALED);
	NEW_EVENT(a2, SIGNALED);
	NEW_EVENT(m3, MANUAL | SIGNALED);

	fds[0] = (__u32)r0;
	fds[1] = (__u32)a1;
	fds[2] = (__u32)a2;
	fds[3] = (__u32)m3;
	idx = 99;
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, 4, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0, wsa_signaled(a1));
	EXPECT_EQ(1, wsa_signaled(a2));
	EXPECT_EQ(1, wsa_signaled(m3));
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, 4, &idx));
	EXPECT_EQ(2U, idx);
	EXPECT_EQ(0, wsa_signaled(a2));
	EXPECT_EQ(1, wsa_signaled(m3));
	/* A manual-reset event keeps satisfying waits. */
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, 4, &idx));
	EXPECT_EQ(3U, idx);
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, 4, &idx));
	EXPECT_EQ(3U, idx);
	EXPECT_EQ(1, wsa_signaled(m3));
	EXPECT_EQ(0, wsa_signaled(r0));
}

/* WAIT_ALL that is not satisfied modifies nothing. */
TEST_F(ctx, wait_all_unsatisfied_consumes_nothing)
{
	__u32 fds[3];
	NEW_EVENT(a, SIGNALED);
	NEW_EVENT(m, MANUAL | SIGNALED);
	NEW_EVENT(r, 0);

	fds[0] = (__u32)a;
	fds[1] = (__u32)m;
	fds[2] = (__u32)r;
	errno = 0;
	EXPECT_EQ(-1, wsa_wait(self->ctx, true, fds, 3, 0, 0, 0, NULL));
	EXPECT_EQ(ETIMEDOUT, errno);
	errno = 0;
	EXPECT_EQ(-1, wsa_wait(self->ctx, true, fds, 3, deadline_ms(20), 0, 0, NULL));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(1, wsa_signaled(a));
	EXPECT_EQ(1, wsa_signaled(m));
	EXPECT_EQ(0, wsa_signaled(r));
}

/* WAIT_ALL satisfied: index 0, every auto-reset event consumed. */
TEST_F(ctx, wait_all_consumes_auto)
{
	__u32 fds[3], idx = 99;
	NEW_EVENT(a, SIGNALED);
	NEW_EVENT(m, MANUAL | SIGNALED);
	NEW_EVENT(b, SIGNALED);

	fds[0] = (__u32)a;
	fds[1] = (__u32)m;
	fds[2] = (__u32)b;
	EXPECT_EQ(0, wsa_wait(self->ctx, true, fds, 3, 0, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, wsa_signaled(a));
	EXPECT_EQ(1, wsa_signaled(m));
	EXPECT_EQ(0, wsa_signaled(b));
	errno = 0;
	EXPECT_EQ(-1, wsa_wait(self->ctx, true, fds, 3, 0, 0, 0, NULL));
	EXPECT_EQ(ETIMEDOUT, errno);
	/* A single manual event satisfies WAIT_ALL repeatedly. */
	EXPECT_EQ(0, wsa_wait(self->ctx, true, &fds[1], 1, 0, 0, 0, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(1, wsa_signaled(m));
}

/* ---------------------------------------------------------------------- */
/* The alert                                                               */
/* ---------------------------------------------------------------------- */

TEST_F(ctx, alert_index_is_count)
{
	__u32 fds[2], idx;
	NEW_EVENT(a, 0);
	NEW_EVENT(b, 0);
	NEW_EVENT(alert, MANUAL | SIGNALED);

	fds[0] = (__u32)a;
	fds[1] = (__u32)b;
	idx = 99;
	EXPECT_EQ(0, wsa_wait(self->ctx, false, fds, 2, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(2U, idx);
	idx = 99;
	EXPECT_EQ(0, wsa_wait(self->ctx, false, fds, 1, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(1U, idx);
	idx = 99;
	EXPECT_EQ(0, wsa_wait(self->ctx, true, fds, 2, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(2U, idx);
	/* A manual-reset alert stays signaled. */
	EXPECT_EQ(1, wsa_signaled(alert));
	/* Not signaled: no alert. */
	ASSERT_EQ(1, wsa_reset(alert));
	errno = 0;
	EXPECT_EQ(-1, wsa_wait(self->ctx, false, fds, 2, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(ETIMEDOUT, errno);
}

TEST_F(ctx, alert_loses_to_objects)
{
	__u32 fds[2], idx;
	NEW_EVENT(a, 0);
	NEW_EVENT(b, SIGNALED);
	NEW_EVENT(alert, SIGNALED);

	fds[0] = (__u32)a;
	fds[1] = (__u32)b;
	idx = 99;
	EXPECT_EQ(0, wsa_wait(self->ctx, false, fds, 2, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0, wsa_signaled(b));
	EXPECT_EQ(1, wsa_signaled(alert));	/* not consumed */

	ASSERT_EQ(0, wsa_set(a));
	ASSERT_EQ(0, wsa_set(b));
	idx = 99;
	EXPECT_EQ(0, wsa_wait(self->ctx, true, fds, 2, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, wsa_signaled(a));
	EXPECT_EQ(0, wsa_signaled(b));
	EXPECT_EQ(1, wsa_signaled(alert));
}

/* An auto-reset alert is consumed when it ends the wait. */
TEST_F(ctx, alert_auto_consumed)
{
	__u32 fds[2], idx;
	NEW_EVENT(a, SIGNALED);
	NEW_EVENT(b, 0);
	NEW_EVENT(alert, SIGNALED);

	fds[0] = (__u32)a;
	fds[1] = (__u32)b;
	/* WAIT_ALL not satisfied: the alert ends it, a is left alone. */
	idx = 99;
	EXPECT_EQ(0, wsa_wait(self->ctx, true, fds, 2, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(2U, idx);
	EXPECT_EQ(0, wsa_signaled(alert));
	EXPECT_EQ(1, wsa_signaled(a));
	errno = 0;
	EXPECT_EQ(-1, wsa_wait(self->ctx, true, fds, 2, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(1, wsa_signaled(a));
	/* WAIT_ANY. */
	ASSERT_EQ(0, wsa_set(alert));
	idx = 99;
	EXPECT_EQ(0, wsa_wait(self->ctx, false, &fds[1], 1, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(1U, idx);
	EXPECT_EQ(0, wsa_signaled(alert));
}

/* WAIT_ANY with no objects and an alert. */
TEST_F(ctx, alert_count_zero)
{
	__u32 fds[1] = { 0 }, idx;
	struct waiter w;
	NEW_EVENT(alert, SIGNALED);

	idx = 99;
	EXPECT_EQ(0, wsa_wait(self->ctx, false, fds, 0, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, wsa_signaled(alert));
	errno = 0;
	EXPECT_EQ(-1, wsa_wait(self->ctx, false, fds, 0, deadline_ms(10), ALERT,
			       (__u32)alert, &idx));
	EXPECT_EQ(ETIMEDOUT, errno);

	/* Blocked, and woken by the alert. */
	waiter_init(&w, self->ctx, false, NULL, 0, deadline_ms(JOIN_MS));
	w.flags = ALERT;
	w.alert = (__u32)alert;
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	sleep_ms(30);
	ASSERT_FALSE(waiter_done(&w));
	ASSERT_EQ(0, wsa_set(alert));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(0U, w.index);
	EXPECT_EQ(0, wsa_signaled(alert));
}

/* A blocked wait is ended by its alert: index == count. */
TEST_F(ctx, alert_wakes_blocked_wait)
{
	__u32 fds[2];
	struct waiter w;
	int all;
	NEW_EVENT(a, SIGNALED);
	NEW_EVENT(b, 0);
	NEW_EVENT(alert, 0);

	fds[0] = (__u32)a;
	fds[1] = (__u32)b;
	for (all = 0; all < 2; all++) {
		/* For WAIT_ANY, wait on b only (a is signaled). */
		waiter_init(&w, self->ctx, all, all ? fds : &fds[1], all ? 2 : 1,
			    deadline_ms(JOIN_MS));
		w.flags = ALERT;
		w.alert = (__u32)alert;
		ASSERT_EQ(0, waiter_start(&w));
		ASSERT_TRUE(waiter_blocked(&w));
		ASSERT_EQ(0, wsa_set(alert));
		ASSERT_TRUE(waiter_join(&w, JOIN_MS));
		EXPECT_EQ(0, w.ret) TH_LOG("all=%d: %s", all, strerror(w.err));
		EXPECT_EQ(all ? 2U : 1U, w.index);
		EXPECT_EQ(0, wsa_signaled(alert));
		EXPECT_EQ(1, wsa_signaled(a));
	}
}

/* ---------------------------------------------------------------------- */
/* Timeouts                                                                */
/* ---------------------------------------------------------------------- */

/* A timeout never fires before the requested absolute time. */
TEST_F(ctx, timeout_not_early)
{
	const unsigned int ms[] = { 1, 5, 10, 25, 40 };
	__u32 fds[2];
	unsigned int i;
	NEW_EVENT(a, 0);
	NEW_EVENT(b, SIGNALED);

	fds[0] = (__u32)a;
	fds[1] = (__u32)b;
	for (i = 0; i < ARRAY_SIZE(ms); i++) {
		__u64 start = now_ns(), deadline = start + ms[i] * NSEC_PER_MSEC, end;

		errno = 0;
		EXPECT_EQ(-1, wsa_wait(self->ctx, false, fds, 1, deadline, 0, 0, NULL));
		EXPECT_EQ(ETIMEDOUT, errno);
		end = now_ns();
		EXPECT_LE(deadline, end) TH_LOG("any %u ms: returned %llu ns early", ms[i],
						(unsigned long long)(deadline - end));
		EXPECT_LE(ms[i] * NSEC_PER_MSEC, end - start);

		deadline = now_ns() + ms[i] * NSEC_PER_MSEC;
		errno = 0;
		EXPECT_EQ(-1, wsa_wait(self->ctx, true, fds, 2, deadline, 0, 0, NULL));
		EXPECT_EQ(ETIMEDOUT, errno);
		EXPECT_LE(deadline, now_ns()) TH_LOG("all %u ms", ms[i]);
	}
	EXPECT_EQ(1, wsa_signaled(b));
}

/* Huge timeouts wait (effectively) forever: woken by a set instead. */
TEST_F(ctx, huge_timeouts)
{
	const __u64 timeouts[] = { INFINITE, INFINITE - 1, 1ULL << 63, (1ULL << 62) + 12345 };
	struct waiter w[ARRAY_SIZE(timeouts)];
	__u32 fds[1];
	unsigned int i;
	NEW_EVENT(m, MANUAL);

	fds[0] = (__u32)m;
	for (i = 0; i < ARRAY_SIZE(timeouts); i++) {
		waiter_init(&w[i], self->ctx, i & 1, fds, 1, timeouts[i]);
		ASSERT_EQ(0, waiter_start(&w[i]));
	}
	for (i = 0; i < ARRAY_SIZE(timeouts); i++) {
		ASSERT_TRUE(waiter_blocked(&w[i])) TH_LOG("waiter %u", i);
	}
	sleep_ms(50);
	for (i = 0; i < ARRAY_SIZE(timeouts); i++) {
		ASSERT_FALSE(waiter_done(&w[i])) TH_LOG("timeout %#llx returned early",
							(unsigned long long)timeouts[i]);
	}
	ASSERT_EQ(0, wsa_set(m));
	for (i = 0; i < ARRAY_SIZE(timeouts); i++) {
		ASSERT_TRUE(waiter_join(&w[i], JOIN_MS));
		EXPECT_EQ(0, w[i].ret) TH_LOG("waiter %u: %s", i, strerror(w[i].err));
		EXPECT_EQ(0U, w[i].index);
	}
}

/* ---------------------------------------------------------------------- */
/* SET and PULSE with blocked waiters                                      */
/* ---------------------------------------------------------------------- */

/* SET wakes a blocked WAIT_ANY; auto-reset is consumed, manual is not. */
TEST_F(ctx, set_wakes_waiter)
{
	__u32 fds[2];
	struct waiter w;
	int manual;
	NEW_EVENT(other, 0);

	for (manual = 0; manual < 2; manual++) {
		NEW_EVENT(e, manual ? MANUAL : 0);

		fds[0] = (__u32)other;
		fds[1] = (__u32)e;
		waiter_init(&w, self->ctx, false, fds, 2, deadline_ms(JOIN_MS));
		ASSERT_EQ(0, waiter_start(&w));
		ASSERT_TRUE(waiter_blocked(&w));
		sleep_ms(20);
		ASSERT_FALSE(waiter_done(&w));
		ASSERT_EQ(0, wsa_set(e));
		ASSERT_TRUE(waiter_join(&w, JOIN_MS));
		EXPECT_EQ(0, w.ret) TH_LOG("manual=%d: %s", manual, strerror(w.err));
		EXPECT_EQ(1U, w.index);
		EXPECT_EQ(manual, wsa_signaled(e));
		EXPECT_EQ(0, wsa_signaled(other));
		close(e);
	}
}

/* PULSE wakes a blocked waiter and leaves the event reset. */
TEST_F(ctx, pulse_wakes_waiter)
{
	__u32 fds[1];
	struct waiter w;
	int manual, all;

	for (all = 0; all < 2; all++) {
		for (manual = 0; manual < 2; manual++) {
			NEW_EVENT(e, manual ? MANUAL : 0);

			fds[0] = (__u32)e;
			waiter_init(&w, self->ctx, all, fds, 1, deadline_ms(JOIN_MS));
			ASSERT_EQ(0, waiter_start(&w));
			ASSERT_TRUE(waiter_blocked(&w));
			EXPECT_EQ(0, wsa_pulse(e));
			ASSERT_TRUE(waiter_join(&w, JOIN_MS));
			EXPECT_EQ(0, w.ret) TH_LOG("all=%d manual=%d: %s", all, manual,
						   strerror(w.err));
			EXPECT_EQ(0U, w.index);
			EXPECT_EQ(0, wsa_signaled(e));
			close(e);
		}
	}
}

/* PULSE on a manual-reset event wakes every current waiter. */
TEST_F(ctx, pulse_manual_wakes_all)
{
	enum { N = 4 };
	struct waiter w[N];
	__u32 fds[2];
	int i;
	NEW_EVENT(m, MANUAL);
	NEW_EVENT(other, 0);

	fds[0] = (__u32)other;
	fds[1] = (__u32)m;
	for (i = 0; i < N; i++) {
		/* Two wait on [other, m] with WAIT_ANY, two on [m] with WAIT_ALL. */
		if (i & 1)
			waiter_init(&w[i], self->ctx, true, &fds[1], 1, deadline_ms(JOIN_MS));
		else
			waiter_init(&w[i], self->ctx, false, fds, 2, deadline_ms(JOIN_MS));
		ASSERT_EQ(0, waiter_start(&w[i]));
	}
	for (i = 0; i < N; i++) {
		ASSERT_TRUE(waiter_blocked(&w[i]));
	}
	EXPECT_EQ(0, wsa_pulse(m));
	EXPECT_EQ(0, wsa_signaled(m));
	for (i = 0; i < N; i++) {
		ASSERT_TRUE(waiter_join(&w[i], JOIN_MS)) TH_LOG("waiter %d not woken", i);
		EXPECT_EQ(0, w[i].ret) TH_LOG("waiter %d: %s", i, strerror(w[i].err));
		EXPECT_EQ((i & 1) ? 0U : 1U, w[i].index);
	}
	EXPECT_EQ(0, wsa_signaled(m));
}

/*
 * PULSE on an auto-reset event wakes exactly one of several waiters.  The
 * others are ended by a manual alert afterwards, so nothing depends on
 * timeouts.
 */
TEST_F(ctx, pulse_auto_wakes_one)
{
	enum { N = 3 };
	struct waiter w[N];
	__u32 fds[1];
	int i, woken = 0, alerted = 0;
	NEW_EVENT(a, 0);
	NEW_EVENT(stop, MANUAL);

	fds[0] = (__u32)a;
	for (i = 0; i < N; i++) {
		waiter_init(&w[i], self->ctx, false, fds, 1, deadline_ms(JOIN_MS));
		w[i].flags = ALERT;
		w[i].alert = (__u32)stop;
		ASSERT_EQ(0, waiter_start(&w[i]));
	}
	for (i = 0; i < N; i++) {
		ASSERT_TRUE(waiter_blocked(&w[i]));
	}
	EXPECT_EQ(0, wsa_pulse(a));
	EXPECT_EQ(0, wsa_signaled(a));
	EXPECT_EQ(1, waiters_wait_done(w, N, 1, JOIN_MS));
	sleep_ms(50);
	EXPECT_EQ(1, waiters_done_count(w, N)) TH_LOG("PULSE woke more than one waiter");
	EXPECT_EQ(0, wsa_signaled(a));
	ASSERT_EQ(0, wsa_set(stop));
	for (i = 0; i < N; i++) {
		ASSERT_TRUE(waiter_join(&w[i], JOIN_MS));
		EXPECT_EQ(0, w[i].ret) TH_LOG("waiter %d: %s", i, strerror(w[i].err));
		woken += w[i].ret == 0 && w[i].index == 0;
		alerted += w[i].ret == 0 && w[i].index == 1;
	}
	EXPECT_EQ(1, woken);
	EXPECT_EQ(N - 1, alerted);
}

/* PULSE with nobody waiting: reset, and nobody later sees it. */
TEST_F(ctx, pulse_no_waiters)
{
	__u32 fds[1];
	struct waiter w;
	int manual;

	for (manual = 0; manual < 2; manual++) {
		NEW_EVENT(e, manual ? MANUAL : 0);

		EXPECT_EQ(0, wsa_pulse(e));
		EXPECT_EQ(0, wsa_signaled(e));
		ASSERT_EQ(0, wsa_set(e));
		EXPECT_EQ(1, wsa_pulse(e));
		EXPECT_EQ(0, wsa_signaled(e));
		fds[0] = (__u32)e;
		errno = 0;
		EXPECT_EQ(-1, wsa_poll_any(self->ctx, fds, 1, NULL));
		EXPECT_EQ(ETIMEDOUT, errno);
		/* A waiter arriving later is not woken by the earlier pulse. */
		waiter_init(&w, self->ctx, false, fds, 1, deadline_ms(60));
		ASSERT_EQ(0, waiter_start(&w));
		ASSERT_TRUE(waiter_join(&w, JOIN_MS));
		EXPECT_EQ(-1, w.ret);
		EXPECT_EQ(ETIMEDOUT, w.err);
		EXPECT_EQ(0, wsa_signaled(e));
		close(e);
	}
}

/* PULSE does not satisfy a WAIT_ALL whose other objects are not signaled. */
TEST_F(ctx, pulse_wait_all)
{
	__u32 fds[2];
	struct waiter w;
	NEW_EVENT(a, 0);
	NEW_EVENT(m, MANUAL);

	fds[0] = (__u32)a;
	fds[1] = (__u32)m;
	waiter_init(&w, self->ctx, true, fds, 2, deadline_ms(JOIN_MS));
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	EXPECT_EQ(0, wsa_pulse(a));
	sleep_ms(50);
	EXPECT_FALSE(waiter_done(&w)) TH_LOG("WAIT_ALL satisfied with m reset");
	EXPECT_EQ(0, wsa_signaled(a));
	/* m signaled alone does not satisfy it either (a was pulsed, not set). */
	ASSERT_EQ(0, wsa_set(m));
	sleep_ms(50);
	EXPECT_FALSE(waiter_done(&w));
	/* Now a pulse of a can satisfy it. */
	EXPECT_EQ(0, wsa_pulse(a));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(0U, w.index);
	EXPECT_EQ(0, wsa_signaled(a));
	EXPECT_EQ(1, wsa_signaled(m));
}

/* SET of an auto-reset event with N waiters wakes exactly one. */
TEST_F(ctx, auto_set_wakes_one)
{
	enum { N = 3 };
	struct waiter w[N];
	__u32 fds[1];
	__u64 deadline = deadline_ms(800);
	int i, woken = 0, timed_out = 0;
	NEW_EVENT(a, 0);

	fds[0] = (__u32)a;
	for (i = 0; i < N; i++) {
		waiter_init(&w[i], self->ctx, i == 1, fds, 1, deadline);
		ASSERT_EQ(0, waiter_start(&w[i]));
	}
	for (i = 0; i < N; i++) {
		ASSERT_TRUE(waiter_blocked(&w[i]));
	}
	ASSERT_GT(deadline, now_ns() + 200 * NSEC_PER_MSEC) TH_LOG("threads too slow to start");
	EXPECT_EQ(0, wsa_set(a));
	for (i = 0; i < N; i++) {
		ASSERT_TRUE(waiter_join(&w[i], JOIN_MS));
		if (w[i].ret == 0) {
			woken++;
			EXPECT_EQ(0U, w[i].index);
			EXPECT_GT(deadline, w[i].end_ns);
		} else {
			EXPECT_EQ(ETIMEDOUT, w[i].err);
			EXPECT_LE(deadline, w[i].end_ns);
			timed_out++;
		}
	}
	EXPECT_EQ(1, woken);
	EXPECT_EQ(N - 1, timed_out);
	EXPECT_EQ(0, wsa_signaled(a));
}

/* SET of a manual-reset event wakes every waiter and stays signaled. */
TEST_F(ctx, manual_set_wakes_all)
{
	enum { N = 3 };
	struct waiter w[N];
	__u32 fds[1];
	int i;
	NEW_EVENT(m, MANUAL);

	fds[0] = (__u32)m;
	for (i = 0; i < N; i++) {
		waiter_init(&w[i], self->ctx, i == 2, fds, 1, deadline_ms(JOIN_MS));
		ASSERT_EQ(0, waiter_start(&w[i]));
	}
	for (i = 0; i < N; i++) {
		ASSERT_TRUE(waiter_blocked(&w[i]));
	}
	EXPECT_EQ(0, wsa_set(m));
	for (i = 0; i < N; i++) {
		ASSERT_TRUE(waiter_join(&w[i], JOIN_MS));
		EXPECT_EQ(0, w[i].ret) TH_LOG("waiter %d: %s", i, strerror(w[i].err));
		EXPECT_EQ(0U, w[i].index);
	}
	EXPECT_EQ(1, wsa_signaled(m));
}

/* ---------------------------------------------------------------------- */
/* WAIT_ALL with threads                                                   */
/* ---------------------------------------------------------------------- */

/*
 * A blocked WAIT_ALL takes nothing until all are signaled: an auto-reset
 * event signaled meanwhile reads as signaled and another wait can take it.
 * Then it consumes all auto-reset events together.
 */
TEST_F(ctx, wait_all_blocked_consumes_nothing)
{
	__u32 fds[3], one[1], idx;
	struct waiter w;
	NEW_EVENT(a, 0);
	NEW_EVENT(b, 0);
	NEW_EVENT(m, MANUAL);

	fds[0] = (__u32)a;
	fds[1] = (__u32)m;
	fds[2] = (__u32)b;
	waiter_init(&w, self->ctx, true, fds, 3, deadline_ms(JOIN_MS));
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));

	ASSERT_EQ(0, wsa_set(a));
	ASSERT_EQ(0, wsa_set(m));
	sleep_ms(50);
	ASSERT_FALSE(waiter_done(&w));
	EXPECT_EQ(1, wsa_signaled(a));
	EXPECT_EQ(1, wsa_signaled(m));

	/* Another wait takes a from under the blocked WAIT_ALL. */
	one[0] = (__u32)a;
	idx = 99;
	EXPECT_EQ(0, wsa_poll_any(self->ctx, one, 1, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, wsa_signaled(a));

	/* b alone is not enough any more. */
	ASSERT_EQ(0, wsa_set(b));
	sleep_ms(50);
	ASSERT_FALSE(waiter_done(&w)) TH_LOG("WAIT_ALL returned with a reset");
	EXPECT_EQ(1, wsa_signaled(b));

	ASSERT_EQ(0, wsa_set(a));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(0U, w.index);
	EXPECT_EQ(0, wsa_signaled(a));
	EXPECT_EQ(0, wsa_signaled(b));
	EXPECT_EQ(1, wsa_signaled(m));
}

static void wait_either_done(struct waiter *x, struct waiter *y)
{
	__u64 end = deadline_ms(JOIN_MS);

	while (!waiter_done(x) && !waiter_done(y) && now_ns() < end)
		sleep_ms(1);
}

/*
 * WAIT_ALL on [a, b] and WAIT_ANY on [b] compete for b: whichever wins,
 * the WAIT_ALL either took both or nothing.
 */
TEST_F(ctx, wait_all_atomic_vs_wait_any)
{
	__u32 both[2], justb[1];
	struct waiter wall, wany;
	NEW_EVENT(a, 0);
	NEW_EVENT(b, 0);
	NEW_EVENT(stop, MANUAL);

	both[0] = (__u32)a;
	both[1] = (__u32)b;
	justb[0] = (__u32)b;
	waiter_init(&wall, self->ctx, true, both, 2, deadline_ms(JOIN_MS));
	wall.flags = ALERT;
	wall.alert = (__u32)stop;
	waiter_init(&wany, self->ctx, false, justb, 1, deadline_ms(JOIN_MS));
	wany.flags = ALERT;
	wany.alert = (__u32)stop;
	ASSERT_EQ(0, waiter_start(&wall));
	ASSERT_EQ(0, waiter_start(&wany));
	ASSERT_TRUE(waiter_blocked(&wall));
	ASSERT_TRUE(waiter_blocked(&wany));

	ASSERT_EQ(0, wsa_set(a));
	sleep_ms(30);
	EXPECT_FALSE(waiter_done(&wall));
	EXPECT_EQ(1, wsa_signaled(a));
	ASSERT_EQ(0, wsa_set(b));
	wait_either_done(&wall, &wany);
	sleep_ms(50);
	EXPECT_EQ(1, waiter_done(&wall) + waiter_done(&wany)) TH_LOG("b woke %s",
		waiter_done(&wall) ? "both" : "nobody");
	if (waiter_done(&wall)) {
		EXPECT_FALSE(waiter_done(&wany));
		EXPECT_EQ(0, wsa_signaled(a));
		EXPECT_EQ(0, wsa_signaled(b));
	} else {
		EXPECT_TRUE(waiter_done(&wany));
		EXPECT_EQ(1, wsa_signaled(a)) TH_LOG("a consumed by an unsatisfied WAIT_ALL");
		EXPECT_EQ(0, wsa_signaled(b));
	}
	ASSERT_EQ(0, wsa_set(stop));
	ASSERT_TRUE(waiter_join(&wall, JOIN_MS));
	ASSERT_TRUE(waiter_join(&wany, JOIN_MS));
	EXPECT_EQ(0, wall.ret);
	EXPECT_EQ(0, wany.ret);
	/* Exactly one took b; the other was ended by the alert. */
	EXPECT_EQ(1, (wall.index == 0) + (wany.index == 0));
	EXPECT_EQ(wall.index == 0 ? 1U : 2U, wall.index == 0 ? wany.index : wall.index);
}

/* ---------------------------------------------------------------------- */
/* 64 objects                                                              */
/* ---------------------------------------------------------------------- */

static int make_events(int ctx, __u32 *fds, int n, __u32 flags)
{
	int i;

	for (i = 0; i < n; i++) {
		int fd = wsa_create(ctx, flags);

		if (fd < 0)
			return -1;
		fds[i] = (__u32)fd;
	}
	return 0;
}

TEST_F(ctx, wait_any_64)
{
	__u32 fds[MAXW], idx;
	struct waiter w;

	ASSERT_EQ(0, make_events(self->ctx, fds, MAXW, 0));
	errno = 0;
	EXPECT_EQ(-1, wsa_poll_any(self->ctx, fds, MAXW, &idx));
	EXPECT_EQ(ETIMEDOUT, errno);
	ASSERT_EQ(0, wsa_set((int)fds[63]));
	idx = 99;
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, MAXW, &idx));
	EXPECT_EQ(63U, idx);
	ASSERT_EQ(0, wsa_set((int)fds[40]));
	ASSERT_EQ(0, wsa_set((int)fds[10]));
	ASSERT_EQ(0, wsa_set((int)fds[63]));
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, MAXW, &idx));
	EXPECT_EQ(10U, idx);
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, MAXW, &idx));
	EXPECT_EQ(40U, idx);
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, MAXW, &idx));
	EXPECT_EQ(63U, idx);

	/* A blocked wait on 64, woken by the last one. */
	waiter_init(&w, self->ctx, false, fds, MAXW, deadline_ms(JOIN_MS));
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	ASSERT_EQ(0, wsa_set((int)fds[63]));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(63U, w.index);
	EXPECT_EQ(0, wsa_signaled((int)fds[63]));
}

TEST_F(ctx, wait_all_64)
{
	__u32 fds[MAXW], idx;
	struct waiter w;
	int i, alert;

	ASSERT_EQ(0, make_events(self->ctx, fds, MAXW, 0));
	for (i = 0; i < MAXW - 1; i++) {
		ASSERT_EQ(0, wsa_set((int)fds[i]));
	}
	errno = 0;
	EXPECT_EQ(-1, wsa_wait(self->ctx, true, fds, MAXW, 0, 0, 0, NULL));
	EXPECT_EQ(ETIMEDOUT, errno);
	for (i = 0; i < MAXW - 1; i++) {
		EXPECT_EQ(1, wsa_signaled((int)fds[i])) TH_LOG("event %d consumed", i);
	}

	waiter_init(&w, self->ctx, true, fds, MAXW, deadline_ms(JOIN_MS));
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	ASSERT_EQ(0, wsa_set((int)fds[MAXW - 1]));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(0U, w.index);
	for (i = 0; i < MAXW; i++) {
		EXPECT_EQ(0, wsa_signaled((int)fds[i])) TH_LOG("event %d not consumed", i);
	}

	/* 64 objects plus an alert: index 64. */
	idx = 99;
	alert = ev(self->ctx, SIGNALED);
	ASSERT_LE(0, alert);
	EXPECT_EQ(0, wsa_wait(self->ctx, true, fds, MAXW, 0, ALERT, (__u32)alert, &idx));
	EXPECT_EQ(64U, idx);
	EXPECT_EQ(0, wsa_signaled(alert));
}

/* ---------------------------------------------------------------------- */
/* Signals                                                                 */
/* ---------------------------------------------------------------------- */

static volatile sig_atomic_t sigusr1_count;

static void on_sigusr1(int sig)
{
	sigusr1_count++;
}

static int install_sigusr1(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigusr1_count = 0;
	return sigaction(SIGUSR1, &sa, NULL);
}

static bool wait_sig_count(int n)
{
	__u64 end = deadline_ms(HANDSHAKE_MS);

	while (sigusr1_count < n && now_ns() < end)
		sleep_ms(1);
	return sigusr1_count >= n;
}

/* Without SA_RESTART a signal ends the wait with EINTR, consuming nothing. */
TEST_F(ctx, signal_eintr)
{
	__u32 fds[2];
	struct waiter w;
	int all;
	NEW_EVENT(a, SIGNALED);
	NEW_EVENT(b, 0);

	ASSERT_EQ(0, install_sigusr1(0));
	fds[0] = (__u32)a;
	fds[1] = (__u32)b;
	for (all = 0; all < 2; all++) {
		__u64 deadline = deadline_ms(5000);

		waiter_init(&w, self->ctx, all, all ? fds : &fds[1], all ? 2 : 1, deadline);
		ASSERT_EQ(0, waiter_start(&w));
		ASSERT_TRUE(waiter_blocked(&w));
		ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
		ASSERT_TRUE(waiter_join(&w, JOIN_MS));
		EXPECT_EQ(-1, w.ret);
		EXPECT_EQ(EINTR, w.err) TH_LOG("all=%d: %s", all, strerror(w.err));
		EXPECT_GT(deadline, w.end_ns);
		EXPECT_EQ(all + 1, sigusr1_count);
		EXPECT_EQ(1, wsa_signaled(a));
		EXPECT_EQ(0, wsa_signaled(b));
	}
}

/* With SA_RESTART the wait goes on and is still woken by a later SET. */
TEST_F(ctx, signal_restart_then_set)
{
	__u32 fds[1];
	struct waiter w;
	NEW_EVENT(a, 0);

	ASSERT_EQ(0, install_sigusr1(SA_RESTART));
	fds[0] = (__u32)a;
	waiter_init(&w, self->ctx, false, fds, 1, INFINITE);
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ASSERT_TRUE(wait_sig_count(1));
	ASSERT_TRUE(waiter_blocked(&w)) TH_LOG("wait not restarted: ret %d %s", w.ret,
					       strerror(w.err));
	sleep_ms(30);
	ASSERT_FALSE(waiter_done(&w));
	ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ASSERT_TRUE(wait_sig_count(2));
	ASSERT_TRUE(waiter_blocked(&w));
	ASSERT_EQ(0, wsa_set(a));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(0U, w.index);
	EXPECT_EQ(0, wsa_signaled(a));
}

/* With SA_RESTART the restarted wait keeps its absolute deadline. */
TEST_F(ctx, signal_restart_keeps_deadline)
{
	__u32 fds[1];
	struct waiter w;
	__u64 start, deadline;
	NEW_EVENT(a, 0);

	ASSERT_EQ(0, install_sigusr1(SA_RESTART));
	fds[0] = (__u32)a;
	start = now_ns();
	deadline = start + 500 * NSEC_PER_MSEC;
	waiter_init(&w, self->ctx, true, fds, 1, deadline);
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	sleep_until_ns(start + 300 * NSEC_PER_MSEC);
	ASSERT_FALSE(waiter_done(&w));
	ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(1, sigusr1_count);
	EXPECT_EQ(-1, w.ret);
	EXPECT_EQ(ETIMEDOUT, w.err) TH_LOG("%s", strerror(w.err));
	EXPECT_LE(deadline, w.end_ns);
	/* A restart with the full timeout again would end at ~800 ms. */
	EXPECT_GT(deadline + 200 * NSEC_PER_MSEC, w.end_ns)
		TH_LOG("ended %llu ms after the deadline",
		       (unsigned long long)((w.end_ns - deadline) / NSEC_PER_MSEC));
}

TEST_HARNESS_MAIN
