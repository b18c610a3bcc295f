// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * WSASend, WSASendTo, WSARecv, WSARecvFrom and WSAGetOverlappedResult.
 *
 * Without a WSAOVERLAPPED these are send/sendto/recv/recvfrom with a
 * list of buffers: one WSAEVENT_IOC_SEND or _RECV ioctl, with io.c's
 * semantics (blocking mode, SO_RCVTIMEO -> WSAETIMEDOUT, the reset and
 * shutdown latches, the re-enabling of FD_READ/FD_WRITE).
 *
 * With one they are a single WSAEVENT_IOC_SUBMIT ioctl: the kernel tries
 * the operation at once without blocking, on the buffers themselves, and
 * pins them and queues it on the socket when it cannot complete yet; it
 * then completes it by itself, writes the results into the WSAOVERLAPPED and signals an event:
 * hEvent (which the submission resets first), or, with a completion
 * routine, the issuing thread's alert event (apc.c; hEvent is left
 * alone).  Overlapped calls never block, whatever the blocking mode and
 * SO_RCVTIMEO say.
 *
 * The WSAOVERLAPPED fields (opaque to programs; HasOverlappedIoCompleted
 * works): Internal is LIBWSAEVENT_STATUS_PENDING (STATUS_PENDING) while
 * the operation is pending, then 0 or a negative Linux errno (not an
 * NTSTATUS); InternalHigh the byte count; Offset the receive's Linux
 * msg_flags, reported as Windows flags.  A submission that fails before
 * the operation starts leaves no completion (no event, no routine); the
 * library then stores the failure in Internal, so that
 * HasOverlappedIoCompleted is true and WSAGetOverlappedResult answers
 * with the same error instead of waiting forever.
 *
 * Buffers: the WSABUF list (length first) becomes an iovec list on the
 * stack, on the heap only beyond STACK_BUFS buffers.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"

#define FAIL(wsa)	return libwsaevent_sock_fail(wsa)

/* WSABUFs converted on the stack; more are allocated. */
#define STACK_BUFS	64

_Static_assert(WSAEVENT_IO_MAX_IOV == 1024, "the kernel's limit");

struct bufs {
	struct libwsaevent_iov stack[STACK_BUFS];
	struct libwsaevent_iov *iov;
};

static int bufs_in(struct bufs *b, const WSABUF *lpBuffers, DWORD count)
{
	DWORD i;

	b->iov = b->stack;
	if (count > STACK_BUFS) {
		b->iov = malloc(count * sizeof(*b->iov));
		if (!b->iov)
			return WSAENOBUFS;
	}
	for (i = 0; i < count; i++) {
		b->iov[i].base = lpBuffers[i].buf;
		b->iov[i].len = lpBuffers[i].len;
	}
	return 0;
}

static void bufs_free(struct bufs *b)
{
	if (b->iov != b->stack)
		free(b->iov);
}


/* ------------------------------------------------------------------ */
/* Errors.                                                             */

int libwsaevent_ovl_error(SOCKET s, intptr_t status, int latch)
{
	uint32_t st, type;
	int err;

	if (status == 0)
		return 0;
	/* Not one of the kernel's: a value the program stored. */
	if (status > 0 || status < -4095)
		return WSAEINVAL;
	err = (int)-status;
	switch (err) {
	case ECANCELED:
		return WSA_OPERATION_ABORTED;
	case EMSGSIZE:
		return WSAEMSGSIZE;
	case ECONNRESET:
		if (latch)
			libwsaevent_sock_reset(s, libwsaevent_sockfd_get(s));
		return WSAECONNRESET;
	case EPIPE:
	case ECONNREFUSED:
		st = libwsaevent_sockfd_get(s);
		type = libwsaevent_sockfd_info(s, st) & SOCKINFO_TYPE_MASK;
		if (err == ECONNREFUSED)
			/* UDP: an ICMP port unreachable. */
			return type == SOCKINFO_STREAM ? WSAENOTCONN : WSAECONNRESET;
		if (type != SOCKINFO_STREAM || (st & SOCKFD_SHUT_WR))
			return WSAESHUTDOWN;
		if (latch)
			libwsaevent_sock_reset(s, st);
		return WSAECONNRESET;
	default:
		return libwsaevent_sock_error(err);
	}
}

/* ------------------------------------------------------------------ */
/* The four calls.                                                     */

struct call {
	SOCKET s;
	int recv;
	LPWSABUF buffers;
	DWORD count;
	LPDWORD bytes;		/* lpNumberOfBytesSent/Recvd */
	DWORD flags;		/* dwFlags, or *lpFlags on the way in */
	LPDWORD lpFlags;	/* receives */
	void *addr;		/* lpTo, lpFrom */
	int addrlen;		/* iTolen */
	LPINT addrlen_ptr;	/* lpFromlen */
	LPWSAOVERLAPPED ov;
	LPWSAOVERLAPPED_COMPLETION_ROUTINE routine;
};

/* Without a WSAOVERLAPPED: one WSAEVENT_IOC_RECV or _SEND. */
static int call_sync(struct call *c, const struct bufs *b, uint32_t st)
{
	int dev = libwsaevent_device_fd(), truncated;
	unsigned int out;
	uint64_t t0;
	long n;

	if (c->recv) {
		t0 = libwsaevent_timeo_start(st, SOCKFD_RCVTIMEO);
		do
			n = libwsaevent_sys_recvv(dev, c->s, b->iov, c->count,
						  (int)c->flags, c->addr,
						  c->addrlen_ptr,
						  st & SOCKINFO_MASK,
						  &truncated, &out);
		while (n == -EAGAIN &&
		       libwsaevent_timeo_early(c->s, SOCKFD_RCVTIMEO, t0,
					       POLLIN));
		if (n < 0)
			FAIL(libwsaevent_recv_error(c->s, (int)-n, (int)c->flags, st));
		*c->bytes = (DWORD)n;
		*c->lpFlags = out;
		if (truncated)
			FAIL(WSAEMSGSIZE);	/* the head is in the buffers */
		return libwsaevent_sock_ok(0);
	}
	n = libwsaevent_sys_sendv(dev, c->s, b->iov, c->count, (int)c->flags,
				  c->addr, c->addrlen, st & SOCKINFO_MASK);
	if (n < 0)
		FAIL(libwsaevent_send_error(c->s, (int)-n, c->addr != NULL, st));
	*c->bytes = (DWORD)n;
	return libwsaevent_sock_ok(0);
}

/* The Winsock error of a submission that did not start. */
static int submit_error(const struct call *c, int err, int event_fd,
			uint32_t st)
{
	switch (err) {
	case EBADF:
		/* The socket is looked up first: an open one means the event. */
		return libwsaevent_sys_is_socket(c->s) == 1 ? WSA_INVALID_HANDLE :
							       WSAENOTSOCK;
	case EINVAL:
		if (event_fd >= 0 && !libwsaevent_fd_is_event(event_fd))
			return WSA_INVALID_HANDLE;
		return WSAEINVAL;
	default:
		return c->recv ?
			libwsaevent_recv_error(c->s, err, (int)c->flags, st) :
			libwsaevent_send_error(c->s, err, c->addr != NULL, st);
	}
}

/* With a WSAOVERLAPPED: one WSAEVENT_IOC_SUBMIT. */
static int call_overlapped(struct call *c, const struct bufs *b, uint32_t st)
{
	struct libwsaevent_submit sub = {
		.fd = c->s,
		.recv = c->recv,
		.ws_flags = (int)c->flags,
		.event_fd = -1,
		.iov = b->iov,
		.n = c->count,
		.overlapped = c->ov,
		.addr = c->addr,
		.addrlen = c->addrlen,
		.addrlen_ptr = c->addrlen_ptr,
		.info = st & SOCKINFO_MASK,
	};
	LPWSAOVERLAPPED ov = c->ov;
	int dev = libwsaevent_device_fd(), ret, err;

	if (c->routine) {
		/* hEvent is the program's: neither reset nor signaled. */
		err = libwsaevent_apc_prepare(dev, &sub.event_fd);
		if (err)
			FAIL(err);
	} else if (ov->hEvent) {
		sub.event_fd = libwsaevent_handle_to_fd(ov->hEvent);
		if (sub.event_fd < 0)
			FAIL(WSA_INVALID_HANDLE);
		sub.reset_event = 1;
	}
	if (c->recv && c->addr)
		sub.info = libwsaevent_sockfd_info(c->s, st);
	libwsaevent_io_thread_register();

	ov->InternalHigh = 0;
	__atomic_store_n(&ov->Internal, (ULONG_PTR)LIBWSAEVENT_STATUS_PENDING,
			 __ATOMIC_RELAXED);
	ret = libwsaevent_sys_submit(dev, &sub);
	if (ret && ret != -EINPROGRESS && ret != -EMSGSIZE) {
		/* Not started: nothing will complete. */
		err = submit_error(c, -ret, sub.event_fd, st);
		__atomic_store_n(&ov->Internal, (ULONG_PTR)(intptr_t)ret,
				 __ATOMIC_RELEASE);
		FAIL(err);
	}
	if (c->routine)
		libwsaevent_apc_add(ov, c->routine, c->s);
	if (ret == -EINPROGRESS)
		FAIL(WSA_IO_PENDING);

	/* Completed in the call: the results are written, the event set. */
	if (c->bytes)
		*c->bytes = (DWORD)ov->InternalHigh;
	if (c->recv)
		*c->lpFlags = libwsaevent_sys_msg_flags_out(ov->Offset);
	if (ret == -EMSGSIZE)
		FAIL(WSAEMSGSIZE);	/* completed, with the datagram's head */
	return libwsaevent_sock_ok(0);
}

static int do_call(struct call *c)
{
	struct bufs b;
	uint32_t st;
	int ret;

	if (!libwsaevent_started())
		FAIL(WSANOTINITIALISED);
	if (c->s < 0)
		FAIL(WSAENOTSOCK);
	if (c->recv) {
		if (!c->lpFlags)
			FAIL(WSAEFAULT);
		c->flags = *c->lpFlags;
	}
	/* 0 buffers: WSAEINVAL, also with a NULL array (test_empty_recv). */
	if (!c->count)
		FAIL(WSAEINVAL);
	if (!c->buffers || (!c->ov && !c->bytes) ||
	    (c->recv && c->addr && !c->addrlen_ptr))
		FAIL(WSAEFAULT);
	if (c->count > WSAEVENT_IO_MAX_IOV)
		FAIL(WSAENOBUFS);
	st = libwsaevent_sockfd_get(c->s);
	if (st & SOCKFD_RESET)
		FAIL(WSAECONNRESET);
	if (st & (c->recv ? SOCKFD_SHUT_RD : SOCKFD_SHUT_WR))
		FAIL(WSAESHUTDOWN);
	ret = bufs_in(&b, c->buffers, c->count);
	if (ret)
		FAIL(ret);
	ret = c->ov ? call_overlapped(c, &b, st) : call_sync(c, &b, st);
	bufs_free(&b);
	return ret;
}

WSA_EXPORT int WSAAPI WSASend(SOCKET s, LPWSABUF lpBuffers,
			      DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
			      DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
			      LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
	struct call c = {
		.s = s, .buffers = lpBuffers, .count = dwBufferCount,
		.bytes = lpNumberOfBytesSent, .flags = dwFlags,
		.ov = lpOverlapped,
		.routine = lpOverlapped ? lpCompletionRoutine : NULL,
	};

	return do_call(&c);
}

WSA_EXPORT int WSAAPI WSASendTo(SOCKET s, LPWSABUF lpBuffers,
				DWORD dwBufferCount,
				LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
				const struct sockaddr *lpTo, int iTolen,
				LPWSAOVERLAPPED lpOverlapped,
				LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
	struct call c = {
		.s = s, .buffers = lpBuffers, .count = dwBufferCount,
		.bytes = lpNumberOfBytesSent, .flags = dwFlags,
		.addr = (void *)lpTo, .addrlen = iTolen, .ov = lpOverlapped,
		.routine = lpOverlapped ? lpCompletionRoutine : NULL,
	};

	return do_call(&c);
}

WSA_EXPORT int WSAAPI WSARecv(SOCKET s, LPWSABUF lpBuffers,
			      DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
			      LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
			      LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
	struct call c = {
		.s = s, .recv = 1, .buffers = lpBuffers, .count = dwBufferCount,
		.bytes = lpNumberOfBytesRecvd, .lpFlags = lpFlags,
		.ov = lpOverlapped,
		.routine = lpOverlapped ? lpCompletionRoutine : NULL,
	};

	return do_call(&c);
}

WSA_EXPORT int WSAAPI WSARecvFrom(SOCKET s, LPWSABUF lpBuffers,
				  DWORD dwBufferCount,
				  LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
				  struct sockaddr *lpFrom, LPINT lpFromlen,
				  LPWSAOVERLAPPED lpOverlapped,
				  LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
	struct call c = {
		.s = s, .recv = 1, .buffers = lpBuffers, .count = dwBufferCount,
		.bytes = lpNumberOfBytesRecvd, .lpFlags = lpFlags,
		.addr = lpFrom, .addrlen_ptr = lpFromlen, .ov = lpOverlapped,
		.routine = lpOverlapped ? lpCompletionRoutine : NULL,
	};

	return do_call(&c);
}

/* ------------------------------------------------------------------ */
/* WSAGetOverlappedResult.                                             */

/* Bounds of the wait for an operation whose event cannot be used. */
#define POLL_MIN_US	50
#define POLL_MAX_US	10000
#define EVENT_SLICE_MS	100

/*
 * Wait (not alertably) until @ov has completed.  An operation posted
 * with an hEvent signals it at completion: wait for it, in slices so
 * that an hEvent signaled for something else, or never (an event shared
 * with other operations, an auto-reset event another thread consumed),
 * cannot hang the call.  Without a usable event (NULL hEvent, or a
 * completion routine's operation), poll Internal with a growing sleep.
 */
static void wait_completion(LPWSAOVERLAPPED ov)
{
	struct wsaevent_wait_args args;
	int dev = libwsaevent_device_fd(), fd = -1, ret;
	unsigned int us = POLL_MIN_US;
	struct timespec ts;
	__u32 obj;

	if (dev >= 0 && !libwsaevent_apc_owns(ov))
		fd = libwsaevent_handle_to_fd(ov->hEvent);
	while (!libwsaevent_ovl_done(ov)) {
		if (fd >= 0) {
			obj = (__u32)fd;
			args.timeout = libwsaevent_deadline(EVENT_SLICE_MS);
			args.objs = (__u64)(uintptr_t)&obj;
			args.count = 1;
			args.index = 0;
			args.flags = 0;
			args.alert = 0;
			ret = ioctl(dev, WSAEVENT_IOC_WAIT_ANY, &args);
			if (ret < 0 && (errno == ETIMEDOUT || errno == EINTR))
				continue;
			if (ret < 0) {
				fd = -1;	/* not an event of ours */
				continue;
			}
			if (libwsaevent_ovl_done(ov))
				break;
			/* Signaled, but not for this operation. */
		}
		ts.tv_sec = 0;
		ts.tv_nsec = (long)us * 1000;
		nanosleep(&ts, NULL);
		if (us < POLL_MAX_US)
			us *= 2;
	}
}

/*
 * Choices where Windows documents nothing or crashes: NULL lpOverlapped,
 * lpcbTransfer or lpdwFlags fail with WSAEFAULT (what Windows Server 2003
 * did; Vista and later fault).  The socket is checked first, as on
 * Windows: a closed socket is WSAENOTSOCK even when its operations have
 * completed.
 */
WSA_EXPORT BOOL WSAAPI WSAGetOverlappedResult(SOCKET s,
					      LPWSAOVERLAPPED lpOverlapped,
					      LPDWORD lpcbTransfer, BOOL fWait,
					      LPDWORD lpdwFlags)
{
	intptr_t status;
	uint32_t st;
	int err;

	if (!libwsaevent_started()) {
		libwsaevent_set_error(WSANOTINITIALISED);
		return FALSE;
	}
	st = s < 0 ? 0 : libwsaevent_sockfd_get(s);
	if (s < 0 || (!(st & SOCKFD_TRACKED) && libwsaevent_sys_is_socket(s) != 1)) {
		libwsaevent_set_error(WSAENOTSOCK);
		return FALSE;
	}
	if (!lpOverlapped || !lpcbTransfer || !lpdwFlags) {
		libwsaevent_set_error(WSAEFAULT);
		return FALSE;
	}
	status = libwsaevent_ovl_status(lpOverlapped);
	if (status == LIBWSAEVENT_STATUS_PENDING) {
		if (!fWait) {
			libwsaevent_set_error(WSA_IO_INCOMPLETE);
			return FALSE;
		}
		wait_completion(lpOverlapped);
		status = libwsaevent_ovl_status(lpOverlapped);
	}
	*lpcbTransfer = (DWORD)lpOverlapped->InternalHigh;
	*lpdwFlags = libwsaevent_sys_msg_flags_out(lpOverlapped->Offset);
	err = libwsaevent_ovl_error(s, status, 1);
	libwsaevent_set_error(err);
	return err == 0;
}
