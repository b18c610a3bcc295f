// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * WSAWaitForMultipleEvents: one WSAEVENT_IOC_WAIT_ANY/WAIT_ALL ioctl on
 * the context with an absolute CLOCK_MONOTONIC deadline.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/kcmp.h>

#include "internal.h"

/*
 * ---- Alertable waits: the plug-in point for completion routines ----
 *
 * Completion routines (APCs) are queued per issuing thread and run only
 * inside that thread's alertable waits.  The completion-routine issue
 * gives each thread an "alert" event, signaled while its queue is not
 * empty: an alertable wait passes it as WSAEVENT_WAIT_ALERT, and when the
 * kernel reports index == count the wait runs every queued routine and
 * returns WSA_WAIT_IO_COMPLETION.
 *
 * Until that issue no thread has a queue, so these report "no alert
 * event" and "nothing to run": an alertable wait then behaves exactly
 * like a plain one, which is also what Windows does when nothing is
 * queued.
 */

/* The calling thread's alert event fd, or -1 when it has none. */
static int apc_alert_fd(void)
{
	return -1;
}

/* Run all completion routines queued for the calling thread. */
static void apc_run_queued(void)
{
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

/* Absolute CLOCK_MONOTONIC deadline in ns for a timeout in ms. */
static __u64 deadline(DWORD ms)
{
	struct timespec now;

	if (ms == WSA_INFINITE)
		return WSAEVENT_TIMEOUT_INFINITE;
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

	args.timeout = deadline(dwTimeout);
	args.objs = (__u64)(uintptr_t)fds;
	args.count = cEvents;
	args.index = 0;
	args.flags = 0;
	args.alert = 0;
	if (fAlertable)
		alert_fd = apc_alert_fd();
	if (alert_fd >= 0) {
		args.flags = WSAEVENT_WAIT_ALERT;
		args.alert = (__u32)alert_fd;
	}
	cmd = fWaitAll ? WSAEVENT_IOC_WAIT_ALL : WSAEVENT_IOC_WAIT_ANY;

	/* A signal handler ran: same absolute deadline, so just retry. */
	do {
		ret = ioctl(devfd, cmd, &args);
	} while (ret < 0 && errno == EINTR);

	if (ret == 0) {
		if (args.index < cEvents)
			return WSA_WAIT_EVENT_0 + args.index;
		if (alert_fd >= 0) {
			apc_run_queued();
			return WSA_WAIT_IO_COMPLETION;
		}
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
