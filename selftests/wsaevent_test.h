/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the wsaevent kernel-ABI selftests.
 *
 * Everything here talks to /dev/wsaevent with raw ioctl()s; the tests
 * are about the kernel ABI in <linux/wsaevent.h>, not about the library.
 *
 * Threads started by a test must never use the ASSERT and EXPECT macros
 * (the harness longjmp()s out of the test function); they store their results in a
 * struct waiter that the test thread checks after joining.
 */
#ifndef WSAEVENT_TEST_H
#define WSAEVENT_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/wsaevent.h>

#define WSAEVENT_DEVICE		"/dev/wsaevent"

#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_SEC		1000000000ULL

/* Bounds for thread handshakes; generous because the VM is emulated. */
#define HANDSHAKE_MS		10000
#define JOIN_MS			10000

static inline __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + (__u64)ts.tv_nsec;
}

/* Absolute CLOCK_MONOTONIC deadline @ms milliseconds from now. */
static inline __u64 deadline_ms(unsigned int ms)
{
	return now_ns() + (__u64)ms * NSEC_PER_MSEC;
}

static inline void sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Sleep until the absolute CLOCK_MONOTONIC time @t. */
static inline void sleep_until_ns(__u64 t)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t / NSEC_PER_SEC),
		.tv_nsec = (long)(t % NSEC_PER_SEC),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static inline int wsa_open(void)
{
	return open(WSAEVENT_DEVICE, O_RDWR | O_CLOEXEC);
}

/* Returns the new event fd, or -1 with errno set. */
static inline int wsa_create(int ctx, __u32 flags)
{
	struct wsaevent_event_args args = { .flags = flags, .pad = 0 };

	return ioctl(ctx, WSAEVENT_IOC_CREATE_EVENT, &args);
}

/*
 * SET/RESET/PULSE: returns the previous state (0 or 1) or -1 with errno
 * set.  An ioctl that succeeds with a return value other than 0 or a
 * stored value other than 0/1 is reported as -2 (a test failure).
 */
static inline int wsa_state_op(int fd, unsigned long cmd)
{
	__u32 prev = 0xdeadbeef;
	int ret;

	ret = ioctl(fd, cmd, &prev);
	if (ret < 0)
		return -1;
	if (ret != 0 || prev > 1)
		return -2;
	return (int)prev;
}

static inline int wsa_set(int fd)
{
	return wsa_state_op(fd, WSAEVENT_IOC_EVENT_SET);
}

static inline int wsa_reset(int fd)
{
	return wsa_state_op(fd, WSAEVENT_IOC_EVENT_RESET);
}

static inline int wsa_pulse(int fd)
{
	return wsa_state_op(fd, WSAEVENT_IOC_EVENT_PULSE);
}

/*
 * READ: returns the flags (MANUAL|SIGNALED) or -1 with errno set; -2 if
 * the kernel left pad nonzero or reported bits other than MANUAL and
 * SIGNALED.
 */
static inline int wsa_read(int fd)
{
	struct wsaevent_event_args args = { .flags = 0xffffffff, .pad = 0xffffffff };
	int ret;

	ret = ioctl(fd, WSAEVENT_IOC_EVENT_READ, &args);
	if (ret < 0)
		return -1;
	if (ret != 0 || args.pad != 0 ||
	    (args.flags & ~(WSAEVENT_EVENT_MANUAL | WSAEVENT_EVENT_SIGNALED)))
		return -2;
	return (int)args.flags;
}

/* 1 if signaled, 0 if not, negative on error. */
static inline int wsa_signaled(int fd)
{
	int flags = wsa_read(fd);

	if (flags < 0)
		return flags;
	return !!(flags & WSAEVENT_EVENT_SIGNALED);
}

static inline void wsa_wait_args_init(struct wsaevent_wait_args *args,
				      const __u32 *fds, __u32 count,
				      __u64 timeout, __u32 flags, __u32 alert)
{
	memset(args, 0, sizeof(*args));
	args->timeout = timeout;
	args->objs = (__u64)(uintptr_t)fds;
	args->count = count;
	args->index = 0xdeadbeef;
	args->flags = flags;
	args->alert = alert;
}

/*
 * One wait.  Returns the ioctl's result (0 or -1 with errno); *index gets
 * the index on success (untouched otherwise; may be NULL).
 */
static inline int wsa_wait(int ctx, bool all, const __u32 *fds, __u32 count,
			   __u64 timeout, __u32 flags, __u32 alert, __u32 *index)
{
	struct wsaevent_wait_args args;
	int ret;

	wsa_wait_args_init(&args, fds, count, timeout, flags, alert);
	ret = ioctl(ctx, all ? WSAEVENT_IOC_WAIT_ALL : WSAEVENT_IOC_WAIT_ANY, &args);
	if (ret == 0 && index)
		*index = args.index;
	return ret;
}

/* Wait-any that only polls (timeout already past). */
static inline int wsa_poll_any(int ctx, const __u32 *fds, __u32 count, __u32 *index)
{
	return wsa_wait(ctx, false, fds, count, 0, 0, 0, index);
}

/* The address of a page that was mapped and is now unmapped. */
static inline void *unmapped_page(void)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, (size_t)pagesz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	munmap(p, (size_t)pagesz);
	return p;
}

/* A page mapped read-only (for arguments the kernel must write). */
static inline void *readonly_page(void)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, (size_t)pagesz, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* An fd number that is certainly closed right now. */
static inline int closed_fd(void)
{
	int fd = open("/", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

static inline pid_t sys_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/*
 * Is the task whose /proc directory is @dir blocked inside system call @nr
 * (any system call if @nr < 0)?  Reads <dir>/syscall, which says
 * "running" unless the task sleeps in the kernel; falls back to the state
 * letter in <dir>/stat when that file is not available.
 */
static inline bool task_blocked_in(const char *dir, long nr)
{
	char path[96], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/syscall", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		long seen;

		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return false;
		buf[n] = '\0';
		if (sscanf(buf, "%ld", &seen) != 1)
			return false;	/* "running" */
		return nr < 0 || seen == nr;
	}

	snprintf(path, sizeof(path), "%s/stat", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	{
		char *p = strrchr(buf, ')');

		return p && p[1] == ' ' && (p[2] == 'S' || p[2] == 'D');
	}
}

/* Thread @tid of this process. */
static inline bool thread_blocked_in(pid_t tid, long nr)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/self/task/%d", (int)tid);
	return task_blocked_in(dir, nr);
}

/* Wait (bounded) until single-threaded process @pid sleeps in syscall @nr. */
static inline bool process_blocked(pid_t pid, long nr)
{
	__u64 end = deadline_ms(HANDSHAKE_MS);
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	while (now_ns() < end) {
		if (task_blocked_in(dir, nr))
			return true;
		sleep_ms(1);
	}
	return false;
}

/*
 * A thread doing one blocking call (a wait by default), and what came of
 * it.  Set the fields, call waiter_start(), then waiter_blocked() to know
 * it sleeps in the kernel, and waiter_join() to collect the outcome.
 */
struct waiter {
	pthread_t thread;
	int ctx;
	bool all;
	__u32 fds[WSAEVENT_MAX_WAIT_COUNT + 1];
	__u32 count;
	__u64 timeout;
	__u32 flags;
	__u32 alert;
	/* Optional replacement body; its return value and errno are kept. */
	int (*fn)(struct waiter *w);
	void *arg;
	long syscall_nr;	/* what waiter_blocked() looks for; -1: any */
	/* results */
	int ret;
	int err;
	__u32 index;
	__u64 start_ns;
	__u64 end_ns;
	atomic_int tid;
	atomic_int started;
	atomic_int done;
	bool joined;
};

static inline void *waiter_thread(void *p)
{
	struct waiter *w = p;
	struct wsaevent_wait_args args;
	int ret;

	atomic_store(&w->tid, (int)sys_gettid());
	w->start_ns = now_ns();
	atomic_store(&w->started, 1);
	if (w->fn) {
		errno = 0;
		ret = w->fn(w);
	} else {
		wsa_wait_args_init(&args, w->fds, w->count, w->timeout,
				   w->flags, w->alert);
		ret = ioctl(w->ctx, w->all ? WSAEVENT_IOC_WAIT_ALL :
					     WSAEVENT_IOC_WAIT_ANY, &args);
		if (ret == 0)
			w->index = args.index;
	}
	w->err = ret < 0 ? errno : 0;
	w->end_ns = now_ns();
	w->ret = ret;
	atomic_store(&w->done, 1);
	return NULL;
}

/* Prepare a wait thread; the caller may adjust fields before starting. */
static inline void waiter_init(struct waiter *w, int ctx, bool all,
			       const __u32 *fds, __u32 count, __u64 timeout)
{
	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	w->all = all;
	if (count && fds)
		memcpy(w->fds, fds, count * sizeof(*fds));
	w->count = count;
	w->timeout = timeout;
	w->syscall_nr = SYS_ioctl;
	w->ret = -1000;
	w->index = 0xdeadbeef;
}

static inline int waiter_start(struct waiter *w)
{
	return pthread_create(&w->thread, NULL, waiter_thread, w);
}

/*
 * Wait (bounded) until the thread sleeps inside its system call.  False
 * if it finished instead, or never got there.
 */
static inline bool waiter_blocked(struct waiter *w)
{
	__u64 end = deadline_ms(HANDSHAKE_MS);

	while (now_ns() < end) {
		if (atomic_load(&w->done))
			return false;
		if (atomic_load(&w->started) &&
		    thread_blocked_in(atomic_load(&w->tid), w->syscall_nr)) {
			/* Re-check: it might have returned in between. */
			return !atomic_load(&w->done);
		}
		sleep_ms(1);
	}
	return false;
}

static inline bool waiter_done(struct waiter *w)
{
	return atomic_load(&w->done) != 0;
}

/* Wait (bounded) for the thread to finish; false if it did not. */
static inline bool waiter_join(struct waiter *w, unsigned int ms)
{
	struct timespec ts;
	__u64 end;

	if (w->joined)
		return true;
	clock_gettime(CLOCK_REALTIME, &ts);
	end = (__u64)ts.tv_sec * NSEC_PER_SEC + (__u64)ts.tv_nsec +
	      (__u64)ms * NSEC_PER_MSEC;
	ts.tv_sec = (time_t)(end / NSEC_PER_SEC);
	ts.tv_nsec = (long)(end % NSEC_PER_SEC);
	if (pthread_timedjoin_np(w->thread, NULL, &ts))
		return false;
	w->joined = true;
	return true;
}

/* Wait (bounded) until at least @n of the @nr waiters are done; returns how many are. */
static inline int waiters_done_count(struct waiter *w, int nr)
{
	int i, n = 0;

	for (i = 0; i < nr; i++)
		n += waiter_done(&w[i]);
	return n;
}

static inline int waiters_wait_done(struct waiter *w, int nr, int n, unsigned int ms)
{
	__u64 end = deadline_ms(ms);
	int seen;

	while ((seen = waiters_done_count(w, nr)) < n && now_ns() < end)
		sleep_ms(1);
	return seen;
}

/*
 * Read /proc/self/fdinfo/<fd> and return the value of the line "@key:\t<n>",
 * or -1 when the line is missing.
 */
static inline long fdinfo_value(int fd, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			char *end;

			errno = 0;
			val = strtol(line + klen + 1, &end, 10);
			if (errno || end == line + klen + 1 ||
			    (*end != '\n' && *end != '\0'))
				val = -1;
			break;
		}
	}
	fclose(f);
	return val;
}

#endif /* WSAEVENT_TEST_H */
