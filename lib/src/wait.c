// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * WSAWaitForMultipleEvents: one WSAEVENT_IOC_WAIT_ANY/WAIT_ALL ioctl on
 * the context with an absolute CLOCK_MONOTONIC deadline; WSASleepEx.
 */
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/kcmp.h>

#include "internal.h"

/*
 * ---- Alertable waits ----
 *
 * Completion routines (APCs) are queued per issuing thread and run only
 * inside that thread's alertable waits (apc.c).  Each thread that posted
 * an operation with a routine has an auto-reset "alert" event that the
 * kernel signals when such an operation completes: an alertable wait
 * passes it as WSAEVENT_WAIT_ALERT, which loses to the real objects (as
 * on Windows, where a signaled object satisfies the wait before queued
 * APCs are looked at).  When the kernel reports the alert (index ==
 * count) the wait runs every routine whose operation has completed and
 * returns WSA_WAIT_IO_COMPLETION; when none had (a spurious alert), it
 * waits again until the same absolute deadline.  A thread without an
 * alert event has nothing queued: its alertable waits are plain ones.
 */

/*
 * One wait ioctl, restarted after a signal (the deadline is absolute),
 * and, for an alertable one, again after a spurious alert.  Returns 0 with
 * args->index set (args->count: routines ran), or -1 with errno.
 */
static int wait_ioctl(int devfd, unsigned long cmd,
		      struct wsaevent_wait_args *args)
{
	int ret;

	for (;;) {
		ret = ioctl(devfd, cmd, args);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret == 0 && args->index == args->count &&
		    (args->flags & WSAEVENT_WAIT_ALERT) && !libwsaevent_apc_run())
			continue;
		return ret;
	}
}

/* ---- Errors ---- */

/* Nonzero when fds @a and @b are the same open event (same fd or a dup). */
static int same_event(pid_t pid, int a, int b)
{
	if (a == b)
		return 1;
	/* Without kcmp (kernel config, seccomp) only equal fds are found. */
	return syscall(SYS_kcmp, pid, pid, KCMP_FILE, a, b) == 0;
}

/*
 * The kernel answers EINVAL both for an fd that is not one of this
 * context's events and, in WAIT_ALL, for an event given twice.  Windows
 * checks the handles first (WSA_INVALID_HANDLE), then the duplicates
 * (WSA_INVALID_PARAMETER).  Only this failure path pays for the checks.
 */
static int einval_error(const __u32 *fds, DWORD count, BOOL wait_all)
{
	pid_t pid;
	DWORD i, j;

	if (!wait_all)
		return WSA_INVALID_HANDLE;
	for (i = 0; i < count; i++)
		if (!libwsaevent_fd_is_event((int)fds[i]))
			return WSA_INVALID_HANDLE;
	pid = getpid();
	for (i = 0; i < count; i++)
		for (j = i + 1; j < count; j++)
			if (same_event(pid, (int)fds[i], (int)fds[j]))
				return WSA_INVALID_PARAMETER;
	/* Events, all distinct: one belongs to another context. */
	return WSA_INVALID_HANDLE;
}

static DWORD wait_failed(int wsa_error)
{
	libwsaevent_set_error(wsa_error);
	return WSA_WAIT_FAILED;
}

/* ---- The wait ---- */

__u64 libwsaevent_deadline(DWORD ms)
{
	struct timespec now;

	if (ms == WSA_INFINITE)
		return WSAEVENT_TIMEOUT_INFINITE;
	/* Always past: a poll, which the driver decides without a clock. */
	if (!ms)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (__u64)now.tv_sec * 1000000000u + (__u64)now.tv_nsec +
	       (__u64)ms * 1000000u;
}

/*
 * Choices where Windows documents nothing: a NULL lphEvents fails with
 * WSA_INVALID_PARAMETER (Windows faults); the parameters are checked
 * before the handles, the handles (NULL or not an fd) before the
 * context (WSANOTINITIALISED when no WSAStartup ever succeeded).
 */
WSA_EXPORT DWORD WSAAPI WSAWaitForMultipleEvents(DWORD cEvents,
						 const WSAEVENT *lphEvents,
						 BOOL fWaitAll, DWORD dwTimeout,
						 BOOL fAlertable)
{
	__u32 fds[WSA_MAXIMUM_WAIT_EVENTS];
	struct wsaevent_wait_args args;
	int devfd, alert_fd = -1;
	unsigned long cmd;
	DWORD i;
	int ret;

	if (cEvents == 0 || cEvents > WSA_MAXIMUM_WAIT_EVENTS || !lphEvents)
		return wait_failed(WSA_INVALID_PARAMETER);
	for (i = 0; i < cEvents; i++) {
		int fd = libwsaevent_handle_to_fd(lphEvents[i]);

		if (fd < 0)
			return wait_failed(WSA_INVALID_HANDLE);
		fds[i] = (__u32)fd;
	}
	devfd = libwsaevent_device_fd();
	if (devfd < 0)
		return wait_failed(WSANOTINITIALISED);

	args.timeout = libwsaevent_deadline(dwTimeout);
	args.objs = (__u64)(uintptr_t)fds;
	args.count = cEvents;
	args.index = 0;
	args.flags = 0;
	args.alert = 0;
	if (fAlertable)
		alert_fd = libwsaevent_apc_alert_fd();
	if (alert_fd >= 0) {
		args.flags = WSAEVENT_WAIT_ALERT;
		args.alert = (__u32)alert_fd;
	}
	cmd = fWaitAll ? WSAEVENT_IOC_WAIT_ALL : WSAEVENT_IOC_WAIT_ANY;

	ret = wait_ioctl(devfd, cmd, &args);
	if (ret == 0) {
		if (args.index < cEvents)
			return WSA_WAIT_EVENT_0 + args.index;
		if (alert_fd >= 0)
			return WSA_WAIT_IO_COMPLETION;	/* routines ran */
		return wait_failed(WSASYSCALLFAILURE);
	}
	switch (errno) {
	case ETIMEDOUT:
		return WSA_WAIT_TIMEOUT;
	case EBADF:
		return wait_failed(WSA_INVALID_HANDLE);
	case EINVAL:
		return wait_failed(einval_error(fds, cEvents, fWaitAll));
	case ENOMEM:
		return wait_failed(WSA_NOT_ENOUGH_MEMORY);
	default:
		return wait_failed(libwsaevent_errno_to_wsa(errno));
	}
}

/* ---- WSASleepEx ---- */

/* Sleep until @deadline_ns (CLOCK_MONOTONIC; infinite: forever). */
static void plain_sleep(__u64 deadline_ns)
{
	struct timespec ts;

	if (deadline_ns == WSAEVENT_TIMEOUT_INFINITE) {
		for (;;)
			pause();
	}
	ts.tv_sec = (time_t)(deadline_ns / 1000000000u);
	ts.tv_nsec = (long)(deadline_ns % 1000000000u);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * SleepEx for Winsock programs on Linux (kernel32's SleepEx is not
 * there): an alertable sleep is a WAIT_ANY on no object with the thread's
 * alert event; a thread without one (no routine ever posted), or a sleep
 * that is not alertable, sleeps with clock_nanosleep.  Needs no
 * WSAStartup.
 */
WSA_EXPORT DWORD WSAAPI WSASleepEx(DWORD dwMilliseconds, BOOL bAlertable)
{
	struct wsaevent_wait_args args = { 0 };
	int alert_fd = bAlertable ? libwsaevent_apc_alert_fd() : -1;
	int devfd = libwsaevent_device_fd();

	args.timeout = libwsaevent_deadline(dwMilliseconds);
	if (alert_fd >= 0 && devfd >= 0) {
		args.flags = WSAEVENT_WAIT_ALERT;
		args.alert = (__u32)alert_fd;
		if (wait_ioctl(devfd, WSAEVENT_IOC_WAIT_ANY, &args) == 0)
			return WAIT_IO_COMPLETION;	/* routines ran */
		if (errno == ETIMEDOUT)
			return 0;
		/* The alert event is gone (closed by mistake): just sleep. */
	}
	if (!dwMilliseconds) {
		sched_yield();
		return 0;
	}
	plain_sleep(args.timeout);
	return 0;
}
