// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent ABI selftests: the context, event creation, SET / RESET /
 * PULSE / READ, and their error paths.
 */
#define _GNU_SOURCE
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "wsaevent_test.h"
#include "kselftest_harness.h"

#define STATE_FLAGS	(WSAEVENT_EVENT_MANUAL | WSAEVENT_EVENT_SIGNALED)

static const unsigned long state_cmds[] = {
	WSAEVENT_IOC_EVENT_SET,
	WSAEVENT_IOC_EVENT_RESET,
	WSAEVENT_IOC_EVENT_PULSE,
};

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

/* The device is a world-usable character device. */
TEST(device_node)
{
	struct stat st;

	ASSERT_EQ(0, stat(WSAEVENT_DEVICE, &st)) TH_LOG("%s", strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666U, st.st_mode & 07777);
}

/* Each open is its own context; opening twice works. */
TEST(open_twice)
{
	int a = wsa_open(), b = wsa_open();

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_NE(a, b);
	EXPECT_LE(0, wsa_create(a, 0));
	EXPECT_LE(0, wsa_create(b, 0));
	close(a);
	close(b);
}

/* Every MANUAL/SIGNALED combination reads back as created. */
TEST_F(ctx, create_read_back)
{
	__u32 flags;

	for (flags = 0; flags <= STATE_FLAGS; flags++) {
		int fd = wsa_create(self->ctx, flags);

		ASSERT_LE(0, fd) TH_LOG("flags %u: %s", flags, strerror(errno));
		ASSERT_NE(self->ctx, fd);
		EXPECT_EQ((int)flags, wsa_read(fd)) TH_LOG("flags %u", flags);
		close(fd);
	}
}

/* The event fd is O_CLOEXEC by default; INHERIT clears it. */
TEST_F(ctx, create_cloexec_and_inherit)
{
	int fd, fdi;

	fd = wsa_create(self->ctx, WSAEVENT_EVENT_MANUAL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);

	fdi = wsa_create(self->ctx, WSAEVENT_EVENT_INHERIT | WSAEVENT_EVENT_SIGNALED);
	ASSERT_LE(0, fdi);
	EXPECT_EQ(0, fcntl(fdi, F_GETFD) & FD_CLOEXEC);
	/* INHERIT is not state: READ reports only MANUAL and SIGNALED. */
	EXPECT_EQ((int)WSAEVENT_EVENT_SIGNALED, wsa_read(fdi));
	close(fd);
	close(fdi);
}

/* Every bit outside CREATE_FLAGS is refused, alone and with valid ones. */
TEST_F(ctx, create_unknown_flags)
{
	struct wsaevent_event_args args;
	int bit;

	for (bit = 0; bit < 32; bit++) {
		__u32 f = 1U << bit;

		if (f & WSAEVENT_EVENT_CREATE_FLAGS)
			continue;
		args.flags = f;
		args.pad = 0;
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_CREATE_EVENT, &args))
			TH_LOG("bit %d", bit);
		EXPECT_EQ(EINVAL, errno) TH_LOG("bit %d", bit);
		args.flags = f | WSAEVENT_EVENT_MANUAL;
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_CREATE_EVENT, &args))
			TH_LOG("bit %d|MANUAL", bit);
		EXPECT_EQ(EINVAL, errno);
	}
	args.flags = ~0U;
	args.pad = 0;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_CREATE_EVENT, &args));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ctx, create_nonzero_pad)
{
	struct wsaevent_event_args args = { .flags = 0 };
	const __u32 pads[] = { 1, 0x80000000U, ~0U };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pads); i++) {
		args.flags = WSAEVENT_EVENT_MANUAL;
		args.pad = pads[i];
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_CREATE_EVENT, &args))
			TH_LOG("pad %#x", pads[i]);
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST_F(ctx, create_bad_pointer)
{
	void *bad[] = { NULL, (void *)1, unmapped_page() };
	struct wsaevent_event_args *ro;
	unsigned int i;
	int fd;

	ASSERT_NE(NULL, bad[2]);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->ctx, WSAEVENT_IOC_CREATE_EVENT, bad[i]))
			TH_LOG("pointer %p", bad[i]);
		EXPECT_EQ(EFAULT, errno) TH_LOG("pointer %p", bad[i]);
	}
	/* CREATE only reads its argument: a read-only page is fine. */
	ro = readonly_page();
	ASSERT_NE(NULL, ro);
	fd = ioctl(self->ctx, WSAEVENT_IOC_CREATE_EVENT, ro);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, wsa_read(fd));
	close(fd);
}

/* SET, RESET and PULSE store the previous state and change it. */
TEST_F(ctx, set_reset_previous_state)
{
	int m = wsa_create(self->ctx, WSAEVENT_EVENT_MANUAL);
	int a = wsa_create(self->ctx, 0);
	int fds[2] = { m, a }, i;

	ASSERT_LE(0, m);
	ASSERT_LE(0, a);
	for (i = 0; i < 2; i++) {
		int base = i == 0 ? WSAEVENT_EVENT_MANUAL : 0;

		EXPECT_EQ(0, wsa_set(fds[i]));
		EXPECT_EQ(base | (int)WSAEVENT_EVENT_SIGNALED, wsa_read(fds[i]));
		EXPECT_EQ(1, wsa_set(fds[i]));	/* idempotent */
		EXPECT_EQ(base | (int)WSAEVENT_EVENT_SIGNALED, wsa_read(fds[i]));
		EXPECT_EQ(1, wsa_reset(fds[i]));
		EXPECT_EQ(base, wsa_read(fds[i]));
		EXPECT_EQ(0, wsa_reset(fds[i]));	/* idempotent */
		EXPECT_EQ(base, wsa_read(fds[i]));
	}
}

/* PULSE on a signaled event resets it, and reports it was signaled. */
TEST_F(ctx, pulse_previous_state)
{
	__u32 flags;

	for (flags = 0; flags <= STATE_FLAGS; flags++) {
		int fd = wsa_create(self->ctx, flags);
		int was = !!(flags & WSAEVENT_EVENT_SIGNALED);

		ASSERT_LE(0, fd);
		EXPECT_EQ(was, wsa_pulse(fd)) TH_LOG("flags %u", flags);
		EXPECT_EQ((int)(flags & WSAEVENT_EVENT_MANUAL), wsa_read(fd))
			TH_LOG("flags %u", flags);
		EXPECT_EQ(0, wsa_pulse(fd));
		EXPECT_EQ((int)(flags & WSAEVENT_EVENT_MANUAL), wsa_read(fd));
		close(fd);
	}
}

/* A bad output pointer gives EFAULT, but the state change happens. */
TEST_F(ctx, state_ops_bad_pointer)
{
	void *bad[] = { NULL, (void *)1, unmapped_page(), readonly_page() };
	unsigned int i;
	int fd;

	ASSERT_NE(NULL, bad[2]);
	ASSERT_NE(NULL, bad[3]);
	fd = wsa_create(self->ctx, WSAEVENT_EVENT_MANUAL);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, WSAEVENT_IOC_EVENT_SET, bad[i])) TH_LOG("%p", bad[i]);
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(1, wsa_signaled(fd)) TH_LOG("SET(%p) did not set", bad[i]);

		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, WSAEVENT_IOC_EVENT_RESET, bad[i])) TH_LOG("%p", bad[i]);
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(0, wsa_signaled(fd)) TH_LOG("RESET(%p) did not reset", bad[i]);

		ASSERT_EQ(0, wsa_set(fd));
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, WSAEVENT_IOC_EVENT_PULSE, bad[i])) TH_LOG("%p", bad[i]);
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(0, wsa_signaled(fd)) TH_LOG("PULSE(%p) did not reset", bad[i]);
	}
	close(fd);
}

TEST_F(ctx, read_bad_pointer)
{
	void *bad[] = { NULL, (void *)1, unmapped_page(), readonly_page() };
	unsigned int i;
	int fd;

	ASSERT_NE(NULL, bad[2]);
	ASSERT_NE(NULL, bad[3]);
	fd = wsa_create(self->ctx, WSAEVENT_EVENT_SIGNALED);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, WSAEVENT_IOC_EVENT_READ, bad[i])) TH_LOG("%p", bad[i]);
		EXPECT_EQ(EFAULT, errno) TH_LOG("%p", bad[i]);
	}
	/* READ consumed nothing. */
	EXPECT_EQ((int)WSAEVENT_EVENT_SIGNALED, wsa_read(fd));
	close(fd);
}

/* READ overwrites every field: flags and pad. */
TEST_F(ctx, read_clears_pad)
{
	struct wsaevent_event_args args = { .flags = ~0U, .pad = ~0U };
	int fd = wsa_create(self->ctx, WSAEVENT_EVENT_MANUAL);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, WSAEVENT_IOC_EVENT_READ, &args));
	EXPECT_EQ((__u32)WSAEVENT_EVENT_MANUAL, args.flags);
	EXPECT_EQ(0U, args.pad);
	close(fd);
}

/* Event ioctls on the context fd are unknown there. */
TEST_F(ctx, event_ioctls_on_context)
{
	const unsigned long cmds[] = {
		WSAEVENT_IOC_EVENT_SET, WSAEVENT_IOC_EVENT_RESET,
		WSAEVENT_IOC_EVENT_PULSE, WSAEVENT_IOC_EVENT_READ,
	};
	struct wsaevent_event_args args = { 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->ctx, cmds[i], &args)) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

/* Context ioctls on an event fd are unknown there. */
TEST_F(ctx, context_ioctls_on_event)
{
	struct wsaevent_event_args cargs = { .flags = 0 };
	struct wsaevent_wait_args wargs;
	__u32 fds[1];
	int fd = wsa_create(self->ctx, WSAEVENT_EVENT_SIGNALED);

	ASSERT_LE(0, fd);
	fds[0] = (__u32)fd;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, WSAEVENT_IOC_CREATE_EVENT, &cargs));
	EXPECT_EQ(ENOTTY, errno);

	wsa_wait_args_init(&wargs, fds, 1, 0, 0, 0);
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, WSAEVENT_IOC_WAIT_ANY, &wargs));
	EXPECT_EQ(ENOTTY, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, WSAEVENT_IOC_WAIT_ALL, &wargs));
	EXPECT_EQ(ENOTTY, errno);
	/* The failed waits did not consume the auto-reset event. */
	EXPECT_EQ((int)WSAEVENT_EVENT_SIGNALED, wsa_read(fd));
	close(fd);
}

/* The socket ioctls of the context are unknown on an event fd too. */
TEST_F(ctx, socket_ioctls_on_event)
{
	const unsigned long cmds[] = {
#ifdef WSAEVENT_IOC_SELECT
		WSAEVENT_IOC_SELECT,
#endif
#ifdef WSAEVENT_IOC_ENUM
		WSAEVENT_IOC_ENUM,
#endif
#ifdef WSAEVENT_IOC_RECV
		WSAEVENT_IOC_RECV,
#endif
#ifdef WSAEVENT_IOC_SEND
		WSAEVENT_IOC_SEND,
#endif
#ifdef WSAEVENT_IOC_ACCEPT
		WSAEVENT_IOC_ACCEPT,
#endif
#ifdef WSAEVENT_IOC_RELEASE
		WSAEVENT_IOC_RELEASE,
#endif
#ifdef WSAEVENT_IOC_FIONBIO
		WSAEVENT_IOC_FIONBIO,
#endif
		WSAEVENT_IOC_CREATE_EVENT,
	};
	char buf[256] = { 0 };
	unsigned int i;
	int fd = wsa_create(self->ctx, WSAEVENT_EVENT_SIGNALED);

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, cmds[i], buf)) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
	EXPECT_EQ((int)WSAEVENT_EVENT_SIGNALED, wsa_read(fd));
	close(fd);
}

/* Unknown numbers, and known numbers with another size/direction. */
TEST_F(ctx, unknown_ioctls)
{
	const unsigned long cmds[] = {
		/* numbers nobody uses */
		_IO(WSAEVENT_IOC_MAGIC, 0),
		_IOWR(WSAEVENT_IOC_MAGIC, 0xff, struct wsaevent_wait_args),
		_IOR(WSAEVENT_IOC_MAGIC, 0x7f, __u32),
		0x12345678,
		/* known numbers with another size or direction */
		_IO(WSAEVENT_IOC_MAGIC, 0xa0),
		_IOR(WSAEVENT_IOC_MAGIC, 0xa0, struct wsaevent_event_args),
		_IOW(WSAEVENT_IOC_MAGIC, 0xa1, __u64),
		_IOR(WSAEVENT_IOC_MAGIC, 0xa2, struct wsaevent_wait_args),
		_IO(WSAEVENT_IOC_MAGIC, 0xb0),
		_IOW(WSAEVENT_IOC_MAGIC, 0xb0, __u32),
		_IOR(WSAEVENT_IOC_MAGIC, 0xb0, __u64),
		_IOWR(WSAEVENT_IOC_MAGIC, 0xb3, struct wsaevent_event_args),
		/* known numbers with another magic */
		_IOR('X', 0xb0, __u32),
		_IOWR('w', 0xa1, struct wsaevent_wait_args),
	};
	char buf[256] = { 0 };
	unsigned int i;
	int fd = wsa_create(self->ctx, 0);

	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->ctx, cmds[i], buf)) TH_LOG("ctx cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("ctx cmd %#lx", cmds[i]);
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, cmds[i], buf)) TH_LOG("event cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("event cmd %#lx", cmds[i]);
	}
	EXPECT_EQ(0, wsa_read(fd));
	close(fd);
}

/* SET/RESET/PULSE/READ on fds that are not events. */
TEST_F(ctx, state_ops_on_other_fds)
{
	int p[2], s, dn, efd;
	int others[5];
	unsigned int i, j;
	__u32 prev;
	struct wsaevent_event_args args;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	dn = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dn);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	others[0] = p[0];
	others[1] = p[1];
	others[2] = s;
	others[3] = dn;
	others[4] = efd;
	for (i = 0; i < ARRAY_SIZE(others); i++) {
		for (j = 0; j < ARRAY_SIZE(state_cmds); j++) {
			errno = 0;
			EXPECT_EQ(-1, ioctl(others[i], state_cmds[j], &prev));
			EXPECT_NE(0, errno);
		}
		errno = 0;
		EXPECT_EQ(-1, ioctl(others[i], WSAEVENT_IOC_EVENT_READ, &args));
		EXPECT_NE(0, errno);
	}
	/* Closed and invalid fds. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(-1, WSAEVENT_IOC_EVENT_SET, &prev));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(closed_fd(), WSAEVENT_IOC_EVENT_SET, &prev));
	EXPECT_EQ(EBADF, errno);
	close(p[0]);
	close(p[1]);
	close(s);
	close(dn);
	close(efd);
}

/* A closed event fd is gone; another fd of the same event still works. */
TEST_F(ctx, closed_event_fd)
{
	int fd = wsa_create(self->ctx, WSAEVENT_EVENT_MANUAL);
	int d;
	__u32 prev;

	ASSERT_LE(0, fd);
	d = dup(fd);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, close(fd));
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, WSAEVENT_IOC_EVENT_SET, &prev));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, wsa_set(d));
	EXPECT_EQ((int)(WSAEVENT_EVENT_MANUAL | WSAEVENT_EVENT_SIGNALED), wsa_read(d));
	close(d);
}

/* dup()ed fds name the same event; separate events are independent. */
TEST_F(ctx, dup_shares_state)
{
	int a = wsa_create(self->ctx, WSAEVENT_EVENT_MANUAL);
	int b = wsa_create(self->ctx, WSAEVENT_EVENT_MANUAL);
	int d;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	d = dup(a);
	ASSERT_LE(0, d);
	EXPECT_EQ(0, wsa_set(d));
	EXPECT_EQ(1, wsa_signaled(a));
	EXPECT_EQ(0, wsa_signaled(b));
	EXPECT_EQ(1, wsa_reset(a));
	EXPECT_EQ(0, wsa_signaled(d));
	close(a);
	close(b);
	close(d);
}

/* Many events from one context, each with its own state. */
TEST_F(ctx, many_events)
{
	enum { N = 200 };
	int fds[N], i;

	for (i = 0; i < N; i++) {
		fds[i] = wsa_create(self->ctx, (i % 3 == 0) ? WSAEVENT_EVENT_SIGNALED : 0);
		ASSERT_LE(0, fds[i]) TH_LOG("event %d: %s", i, strerror(errno));
	}
	for (i = 0; i < N; i++) {
		EXPECT_EQ(i % 3 == 0, wsa_signaled(fds[i])) TH_LOG("event %d", i);
	}
	for (i = 0; i < N; i++)
		close(fds[i]);
}

/* The event still works after its context is closed. */
TEST(event_outlives_context)
{
	int ctx = wsa_open(), fd;

	ASSERT_LE(0, ctx);
	fd = wsa_create(ctx, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(ctx));
	EXPECT_EQ(0, wsa_set(fd));
	EXPECT_EQ((int)WSAEVENT_EVENT_SIGNALED, wsa_read(fd));
	EXPECT_EQ(1, wsa_pulse(fd));
	EXPECT_EQ(0, wsa_read(fd));
	close(fd);
}

TEST_HARNESS_MAIN
