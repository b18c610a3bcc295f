// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The per-thread side of overlapped I/O: completion routines (APCs) and
 * the cancellation of a thread's operations when it exits.
 *
 * Completion routines.  On Windows a routine is an APC queued to the
 * thread that posted the operation, run only in that thread's alertable
 * waits.  Here the kernel completes operations by itself, so the library
 * keeps, per thread, the list of (WSAOVERLAPPED, routine) pairs that
 * thread posted, and one auto-reset "alert" event of the device: an
 * operation posted with a routine names the alert event instead of
 * hEvent (which is then neither reset nor signaled), so the kernel
 * signals it when the operation completes, or at once for an operation
 * that completed inside the call.  An alertable wait
 * (WSAWaitForMultipleEvents with fAlertable, WSASleepEx) passes the alert
 * event as the kernel wait's WSAEVENT_WAIT_ALERT; when the wait reports
 * it, libwsaevent_apc_run() takes every listed operation whose Internal
 * is no longer STATUS_PENDING off the list and calls its routine, and the
 * wait returns WSA_WAIT_IO_COMPLETION.  An alert with nothing to run (its
 * operation was already handled by an earlier scan) is spurious and the
 * wait goes on.
 *
 * The kernel writes Internal last, with release semantics, then signals
 * the alert; a scan that misses an operation therefore ran before its
 * Internal changed, so after the alert was consumed, and the alert is
 * signaled again for the next wait.  Nothing is lost and no lock is
 * needed: the list belongs to its thread, which alone reads and changes
 * it (posting, waiting, exiting).
 *
 * Thread exit.  The first operation a thread posts (with a routine or
 * not) registers a pthread key destructor for it, which cancels every
 * operation the thread still has pending (WSAEVENT_CANCEL_THREAD: they
 * complete with WSA_OPERATION_ABORTED and their hEvent is signaled; the
 * routines of a thread that is gone never run, as on Windows) and closes
 * the alert event.  The main thread leaving through exit() needs none of
 * this: the process's exit cancels everything.
 *
 * fork(): the child has a copy of the forking thread's list, about
 * operations of the parent's that never complete in the child; it is
 * emptied there, and the alert event (shared with the parent) closed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

struct apc {
	LPWSAOVERLAPPED ov;
	LPWSAOVERLAPPED_COMPLETION_ROUTINE routine;
	SOCKET s;
};

struct io_thread {
	struct apc *apcs;	/* posted with a routine, not run yet */
	size_t n, cap;
	int alert_fd;		/* -1 until the first routine */
	int registered;		/* exit_key is set for this thread */
};

static __thread struct io_thread io_thread = { .alert_fd = -1 };

static pthread_key_t exit_key;
static int exit_key_ok;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/* The pthread key destructor: the thread is exiting. */
static void thread_exit(void *arg)
{
	struct io_thread *t = arg;
	int dev = libwsaevent_device_fd();

	if (dev >= 0)
		libwsaevent_sys_cancel_thread(dev);
	if (t->alert_fd >= 0)
		close(t->alert_fd);
	t->alert_fd = -1;
	free(t->apcs);
	t->apcs = NULL;
	t->n = t->cap = 0;
	t->registered = 0;
}

/* In the child of a fork(): forget the parent's operations. */
static void atfork_child(void)
{
	struct io_thread *t = &io_thread;

	if (t->alert_fd >= 0)
		close(t->alert_fd);
	t->alert_fd = -1;
	t->n = 0;
}

static void init_once(void)
{
	exit_key_ok = pthread_key_create(&exit_key, thread_exit) == 0;
	pthread_atfork(NULL, NULL, atfork_child);
}

void libwsaevent_io_thread_register(void)
{
	struct io_thread *t = &io_thread;

	if (t->registered)
		return;
	pthread_once(&exit_once, init_once);
	if (exit_key_ok && pthread_setspecific(exit_key, t) == 0)
		t->registered = 1;
}

int libwsaevent_apc_alert_fd(void)
{
	return io_thread.alert_fd;
}

int libwsaevent_apc_prepare(int dev, int *alert_fd)
{
	struct io_thread *t = &io_thread;
	struct wsaevent_event_args args = { .flags = 0, .pad = 0 };
	struct apc *v;
	size_t cap;
	int fd;

	if (t->alert_fd < 0) {
		/* Auto-reset, non-signaled, O_CLOEXEC. */
		fd = ioctl(dev, WSAEVENT_IOC_CREATE_EVENT, &args);
		if (fd < 0)
			return errno == EMFILE || errno == ENFILE ? WSAEMFILE :
								    WSAENOBUFS;
		t->alert_fd = fd;
	}
	if (t->n == t->cap) {
		cap = t->cap ? 2 * t->cap : 16;
		v = realloc(t->apcs, cap * sizeof(*v));
		if (!v)
			return WSAENOBUFS;
		t->apcs = v;
		t->cap = cap;
	}
	*alert_fd = t->alert_fd;
	return 0;
}

void libwsaevent_apc_add(LPWSAOVERLAPPED ov,
			 LPWSAOVERLAPPED_COMPLETION_ROUTINE routine, SOCKET s)
{
	struct io_thread *t = &io_thread;
	struct apc *a = &t->apcs[t->n++];

	a->ov = ov;
	a->routine = routine;
	a->s = s;
}

int libwsaevent_apc_owns(const WSAOVERLAPPED *ov)
{
	struct io_thread *t = &io_thread;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->apcs[i].ov == ov)
			return 1;
	return 0;
}

static void call(const struct apc *a)
{
	LPWSAOVERLAPPED ov = a->ov;
	intptr_t status = libwsaevent_ovl_status(ov);
	DWORD bytes = (DWORD)ov->InternalHigh;
	DWORD flags = libwsaevent_sys_msg_flags_out(ov->Offset);

	/* The socket may be closed (and its number reused) by now. */
	a->routine((DWORD)libwsaevent_ovl_error(a->s, status, 0), bytes, ov,
		   flags);
}

/* Routines taken off the list per pass (a stack array). */
#define APC_BATCH	64

int libwsaevent_apc_run(void)
{
	struct io_thread *t = &io_thread;
	struct apc batch[APC_BATCH];
	size_t i, kept, nb;
	int ran = 0;

	do {
		/* Take the completed ones off, keeping the others in order. */
		nb = 0;
		kept = 0;
		for (i = 0; i < t->n; i++) {
			if (nb < APC_BATCH && libwsaevent_ovl_done(t->apcs[i].ov))
				batch[nb++] = t->apcs[i];
			else
				t->apcs[kept++] = t->apcs[i];
		}
		t->n = kept;
		/*
		 * No pointer into the list is held while a routine runs: it
		 * may post (the list grows) or wait alertably (it shrinks).
		 */
		for (i = 0; i < nb; i++)
			call(&batch[i]);
		ran += (int)nb;
	} while (nb);
	return ran;
}
