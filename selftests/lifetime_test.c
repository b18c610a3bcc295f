// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent ABI selftests: fd and module lifetime.  Closing fds during
 * waits, fork/exec/inheritance, killed waiters, and rmmod being refused
 * while anything is open.
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include "wsaevent_test.h"
#include "kselftest_harness.h"

#define MANUAL		((__u32)WSAEVENT_EVENT_MANUAL)
#define SIGNALED	((__u32)WSAEVENT_EVENT_SIGNALED)
#define INHERIT		((__u32)WSAEVENT_EVENT_INHERIT)
#define ALERT		((__u32)WSAEVENT_WAIT_ALERT)
#define INFINITE	((__u64)WSAEVENT_TIMEOUT_INFINITE)

#define MODULE_NAME	"wsaevent"

/*
 * exec() probe: when this binary is executed with EXEC_ENV set to a list
 * of fds, it reports which of them are open wsaevent events (bit i) and
 * sets those, then exits before the harness starts.
 */
#define EXEC_ENV	"WSAEVENT_SELFTEST_EXEC_FDS"

static void __attribute__((constructor)) exec_probe(void)
{
	const char *s = getenv(EXEC_ENV);
	int code = 0, i = 0;
	char *end;

	if (!s)
		return;
	while (*s && i < 6) {
		long fd = strtol(s, &end, 10);

		if (end == s)
			_exit(126);
		if (fcntl((int)fd, F_GETFD) >= 0 && wsa_read((int)fd) >= 0 &&
		    wsa_set((int)fd) >= 0)
			code |= 1 << i;
		i++;
		s = *end == ',' ? end + 1 : end;
	}
	_exit(code);
}

static int sys_delete_module(const char *name, unsigned int flags)
{
	return (int)syscall(SYS_delete_module, name, flags);
}

/*
 * Try to unload the module; it must be refused because something is open.
 * Unloading needs CAP_SYS_MODULE (the VM runs the tests as root); the
 * tests about rmmod alone skip without it, the others leave it out.
 */
#define EXPECT_RMMOD_REFUSED() do { \
	if (geteuid() == 0) { \
		errno = 0; \
		EXPECT_EQ(-1, sys_delete_module(MODULE_NAME, O_NONBLOCK)); \
		EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) \
			TH_LOG("delete_module: %s", strerror(errno)); \
	} \
} while (0)

#define SKIP_UNLESS_ROOT() do { \
	if (geteuid() != 0) \
		SKIP(return, "delete_module() needs root"); \
} while (0)

/* waitpid() with a bound; false if the child did not exit in time. */
static bool waitpid_ms(pid_t pid, int *status, unsigned int ms)
{
	__u64 end = deadline_ms(ms);

	do {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0)
			return false;
		sleep_ms(1);
	} while (now_ns() < end);
	return false;
}

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

/* ---------------------------------------------------------------------- */
/* rmmod                                                                   */
/* ---------------------------------------------------------------------- */

TEST(rmmod_refused_context_open)
{
	int ctx = wsa_open();

	SKIP_UNLESS_ROOT();
	ASSERT_LE(0, ctx);
	EXPECT_RMMOD_REFUSED();
	/* The module still works. */
	EXPECT_LE(0, wsa_create(ctx, 0));
	close(ctx);
}

TEST(rmmod_refused_event_open)
{
	int ctx = wsa_open(), fd;

	SKIP_UNLESS_ROOT();
	ASSERT_LE(0, ctx);
	fd = wsa_create(ctx, MANUAL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(ctx));
	EXPECT_RMMOD_REFUSED();
	EXPECT_EQ(0, wsa_set(fd));
	EXPECT_EQ(1, wsa_signaled(fd));
	close(fd);
}

/*
 * A wait holds references: with every fd closed while a thread waits,
 * the module still cannot go, and the waiter ends normally.
 */
TEST(rmmod_refused_during_wait)
{
	struct waiter w;
	__u32 fds[1];
	__u64 deadline;
	int ctx = wsa_open(), fd;

	SKIP_UNLESS_ROOT();
	ASSERT_LE(0, ctx);
	fd = wsa_create(ctx, 0);
	ASSERT_LE(0, fd);
	fds[0] = (__u32)fd;
	deadline = deadline_ms(600);
	waiter_init(&w, ctx, false, fds, 1, deadline);
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, close(ctx));
	EXPECT_RMMOD_REFUSED();
	ASSERT_GT(deadline, now_ns()) TH_LOG("too slow: the wait may have ended already");
	EXPECT_FALSE(waiter_done(&w));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(-1, w.ret);
	EXPECT_EQ(ETIMEDOUT, w.err);
	EXPECT_LE(deadline, w.end_ns);
}

/* ---------------------------------------------------------------------- */
/* Closing fds during a wait                                               */
/* ---------------------------------------------------------------------- */

/*
 * Closing the event fd a thread waits on neither wakes nor breaks it, and
 * a new event that reuses the fd number is not the one waited on.
 */
TEST_F(ctx, close_event_during_wait)
{
	struct waiter w;
	__u32 fds[1];
	__u64 deadline;
	int e2;
	NEW_EVENT(e, 0);

	fds[0] = (__u32)e;
	deadline = deadline_ms(700);
	waiter_init(&w, self->ctx, false, fds, 1, deadline);
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	ASSERT_EQ(0, close(e));
	e2 = wsa_create(self->ctx, MANUAL);
	ASSERT_LE(0, e2);
	EXPECT_EQ(e, e2) TH_LOG("fd number not reused; the check below is weaker");
	ASSERT_EQ(0, wsa_set(e2));
	sleep_ms(50);
	ASSERT_GT(deadline, now_ns()) TH_LOG("too slow: the wait may have ended already");
	EXPECT_FALSE(waiter_done(&w)) TH_LOG("woken by close or by another event");
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(-1, w.ret);
	EXPECT_EQ(ETIMEDOUT, w.err);
	EXPECT_LE(deadline, w.end_ns);
	close(e2);
}

/* ... and setting the event through another fd still wakes the waiter. */
TEST_F(ctx, close_event_during_wait_set_via_dup)
{
	struct waiter w;
	__u32 fds[2];
	int d;
	NEW_EVENT(other, 0);
	NEW_EVENT(e, 0);

	d = dup(e);
	ASSERT_LE(0, d);
	fds[0] = (__u32)other;
	fds[1] = (__u32)e;
	waiter_init(&w, self->ctx, true, fds, 2, deadline_ms(JOIN_MS));
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	ASSERT_EQ(0, close(e));
	ASSERT_EQ(0, wsa_set(d));
	sleep_ms(30);
	ASSERT_FALSE(waiter_done(&w));
	ASSERT_EQ(1, wsa_signaled(d));
	ASSERT_EQ(0, wsa_set(other));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(0U, w.index);
	/* WAIT_ALL consumed both, including the one whose fd was closed. */
	EXPECT_EQ(0, wsa_signaled(d));
	EXPECT_EQ(0, wsa_signaled(other));
	close(d);
}

/* Closing the alert's fd during a wait: the alert still works via a dup. */
TEST_F(ctx, close_alert_during_wait)
{
	struct waiter w;
	__u32 fds[1];
	int d;
	NEW_EVENT(e, 0);
	NEW_EVENT(alert, 0);

	d = dup(alert);
	ASSERT_LE(0, d);
	fds[0] = (__u32)e;
	waiter_init(&w, self->ctx, false, fds, 1, deadline_ms(JOIN_MS));
	w.flags = ALERT;
	w.alert = (__u32)alert;
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	ASSERT_EQ(0, close(alert));
	sleep_ms(30);
	ASSERT_FALSE(waiter_done(&w));
	ASSERT_EQ(0, wsa_set(d));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(1U, w.index);
	EXPECT_EQ(0, wsa_signaled(d));
	close(d);
}

/* Closing the context fd during a wait: the wait goes on and is woken. */
TEST_F(ctx, close_context_during_wait)
{
	struct waiter w;
	__u32 fds[1];
	NEW_EVENT(e, 0);

	fds[0] = (__u32)e;
	waiter_init(&w, self->ctx, false, fds, 1, deadline_ms(JOIN_MS));
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	ASSERT_EQ(0, close(self->ctx));
	self->ctx = -1;
	sleep_ms(30);
	ASSERT_FALSE(waiter_done(&w));
	ASSERT_EQ(0, wsa_set(e));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(0U, w.index);
	EXPECT_EQ(0, wsa_signaled(e));
}

/* ... or times out at its deadline. */
TEST_F(ctx, close_context_during_wait_times_out)
{
	struct waiter w;
	__u32 fds[2];
	__u64 deadline;
	NEW_EVENT(e, 0);
	NEW_EVENT(m, MANUAL | SIGNALED);

	fds[0] = (__u32)e;
	fds[1] = (__u32)m;
	deadline = deadline_ms(500);
	waiter_init(&w, self->ctx, true, fds, 2, deadline);
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	ASSERT_EQ(0, close(self->ctx));
	self->ctx = -1;
	ASSERT_EQ(0, close(e));
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(-1, w.ret);
	EXPECT_EQ(ETIMEDOUT, w.err);
	EXPECT_LE(deadline, w.end_ns);
	EXPECT_EQ(1, wsa_signaled(m));
}

/* An event of a closed context cannot be waited on from another one. */
TEST(event_of_closed_context)
{
	int c1 = wsa_open(), c2, e;
	__u32 fds[1];

	ASSERT_LE(0, c1);
	e = wsa_create(c1, MANUAL | SIGNALED);
	ASSERT_LE(0, e);
	ASSERT_EQ(0, close(c1));
	c2 = wsa_open();
	ASSERT_LE(0, c2);
	fds[0] = (__u32)e;
	errno = 0;
	EXPECT_EQ(-1, wsa_poll_any(c2, fds, 1, NULL));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, wsa_wait(c2, false, fds, 0, 0, ALERT, (__u32)e, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ((int)(MANUAL | SIGNALED), wsa_read(e));
	close(e);
	close(c2);
}

/* Creating and closing many contexts and events. */
TEST(many_contexts)
{
	int i, j;

	for (i = 0; i < 50; i++) {
		int ctx = wsa_open(), fds[8];
		__u32 wfds[8];

		ASSERT_LE(0, ctx) TH_LOG("round %d: %s", i, strerror(errno));
		for (j = 0; j < 8; j++) {
			fds[j] = wsa_create(ctx, (j & 1) ? SIGNALED : 0);
			ASSERT_LE(0, fds[j]);
			wfds[j] = (__u32)fds[j];
		}
		/* Close the context first half of the time. */
		if (i & 1)
			close(ctx);
		for (j = 0; j < 8; j++) {
			EXPECT_EQ(j & 1, wsa_signaled(fds[j]));
		}
		if (!(i & 1)) {
			__u32 idx = 99;

			EXPECT_EQ(0, wsa_poll_any(ctx, wfds, 8, &idx));
			EXPECT_EQ(1U, idx);
			close(ctx);
		}
		for (j = 0; j < 8; j++)
			close(fds[j]);
	}
}

/* ---------------------------------------------------------------------- */
/* Processes                                                               */
/* ---------------------------------------------------------------------- */

/* After fork() the child shares the events and the context. */
TEST_F(ctx, fork_child_sets)
{
	struct waiter w;
	__u32 fds[1];
	int status;
	pid_t pid;
	NEW_EVENT(e, 0);

	fds[0] = (__u32)e;
	waiter_init(&w, self->ctx, false, fds, 1, deadline_ms(JOIN_MS));
	ASSERT_EQ(0, waiter_start(&w));
	ASSERT_TRUE(waiter_blocked(&w));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(wsa_set(e) == 0 ? 0 : 1);
	ASSERT_TRUE(waitpid_ms(pid, &status, JOIN_MS));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_TRUE(waiter_join(&w, JOIN_MS));
	EXPECT_EQ(0, w.ret) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(0U, w.index);
	EXPECT_EQ(0, wsa_signaled(e));
}

/* A child waits on the inherited context; the parent wakes it. */
TEST_F(ctx, fork_child_waits)
{
	__u32 fds[2];
	int status;
	pid_t pid;
	NEW_EVENT(a, 0);
	NEW_EVENT(b, 0);

	fds[0] = (__u32)a;
	fds[1] = (__u32)b;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 idx = 99;
		int ret = wsa_wait(self->ctx, false, fds, 2, deadline_ms(JOIN_MS), 0, 0, &idx);

		_exit(ret == 0 ? (int)idx : 100 + errno % 100);
	}
	ASSERT_TRUE(process_blocked(pid, SYS_ioctl));
	ASSERT_EQ(0, wsa_set(b));
	ASSERT_TRUE(waitpid_ms(pid, &status, JOIN_MS));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(1, WEXITSTATUS(status));
	EXPECT_EQ(0, wsa_signaled(b));
}

/* SIGKILL ends an infinite wait; the events are fine afterwards. */
TEST_F(ctx, sigkill_during_wait)
{
	__u32 fds[1], idx = 99;
	int status;
	pid_t pid;
	NEW_EVENT(e, 0);

	fds[0] = (__u32)e;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		wsa_wait(self->ctx, true, fds, 1, INFINITE, 0, 0, NULL);
		_exit(3);
	}
	ASSERT_TRUE(process_blocked(pid, SYS_ioctl));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_TRUE(waitpid_ms(pid, &status, JOIN_MS));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* The killed wait consumed nothing and left no stale waiter. */
	ASSERT_EQ(0, wsa_set(e));
	EXPECT_EQ(0, wsa_poll_any(self->ctx, fds, 1, &idx));
	EXPECT_EQ(0U, idx);
	EXPECT_EQ(0, wsa_signaled(e));
	EXPECT_RMMOD_REFUSED();
}

/* Across exec(): INHERIT events survive, the others are closed. */
TEST_F(ctx, exec_inherit)
{
	char env[64];
	int status;
	pid_t pid;
	NEW_EVENT(inh, INHERIT | MANUAL);
	NEW_EVENT(cx, MANUAL);

	snprintf(env, sizeof(env), "%d,%d", inh, cx);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *argv[] = { "lifetime_test", NULL };

		setenv(EXEC_ENV, env, 1);
		execv("/proc/self/exe", argv);
		_exit(125);
	}
	ASSERT_TRUE(waitpid_ms(pid, &status, JOIN_MS));
	ASSERT_TRUE(WIFEXITED(status));
	/* bit 0: inherited event open and set; bit 1: the O_CLOEXEC one open. */
	EXPECT_EQ(1, WEXITSTATUS(status));
	EXPECT_EQ(1, wsa_signaled(inh));
	EXPECT_EQ(0, wsa_signaled(cx));
}

TEST_HARNESS_MAIN
