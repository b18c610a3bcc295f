/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * wsaevent: Windows Sockets 2 event objects and socket notifications.
 *
 * This is the only header shared by the kernel module and userspace.
 * Every structure has the same layout on 32-bit and 64-bit userspace:
 * fields are naturally aligned fixed-width integers, pointers travel as
 * __u64, and explicit padding must be zero.
 *
 * Opening /dev/wsaevent gives a context.  Events are created from a
 * context and live as their own file descriptors (anonymous inodes); a
 * wait is issued on the context and may name only that context's events.
 */
#ifndef _UAPI_LINUX_WSAEVENT_H
#define _UAPI_LINUX_WSAEVENT_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Maximum number of objects in one wait (WSA_MAXIMUM_WAIT_EVENTS). */
#define WSAEVENT_MAX_WAIT_COUNT		64

/* Absolute timeout meaning "wait forever". */
#define WSAEVENT_TIMEOUT_INFINITE	(~(__u64)0)

/*
 * struct wsaevent_event_args - event state
 *
 * WSAEVENT_IOC_CREATE_EVENT takes the flags below and returns a new
 * event fd.  WSAEVENT_IOC_EVENT_READ fills @flags with the event's
 * current MANUAL and SIGNALED bits.
 */
struct wsaevent_event_args {
	__u32 flags;
	__u32 pad;		/* must be zero */
};

#define WSAEVENT_EVENT_MANUAL		0x1		/* manual-reset */
#define WSAEVENT_EVENT_SIGNALED		0x2		/* initially signaled */
#define WSAEVENT_EVENT_INHERIT		0x4		/* create without O_CLOEXEC */
#define WSAEVENT_EVENT_CREATE_FLAGS	(WSAEVENT_EVENT_MANUAL | \
					 WSAEVENT_EVENT_SIGNALED | \
					 WSAEVENT_EVENT_INHERIT)

/*
 * struct wsaevent_wait_args - WSAEVENT_IOC_WAIT_ANY / WSAEVENT_IOC_WAIT_ALL
 *
 * @timeout: absolute CLOCK_MONOTONIC time in ns; WSAEVENT_TIMEOUT_INFINITE
 *	waits forever; a time already past only polls (0 is always past,
 *	and is decided without reading the clock).
 * @objs:    user pointer to an array of @count __u32 event fds.
 * @count:   number of fds, 0..WSAEVENT_MAX_WAIT_COUNT (at least 1 for
 *	WAIT_ALL).  WAIT_ANY with 0 objects sleeps until the timeout or
 *	the alert.
 * @index:   out: the index of the object that satisfied the wait: the
 *	lowest signaled index for WAIT_ANY, 0 for WAIT_ALL, and @count when
 *	the alert satisfied it.
 * @flags:   WSAEVENT_WAIT_ALERT, or 0.
 * @alert:   with WSAEVENT_WAIT_ALERT, an event fd that ends the wait when
 *	signaled; it loses to the real objects.  Must be 0 otherwise.
 *
 * Returns 0 with @index set, -1/ETIMEDOUT on timeout, -1/EINTR when a
 * signal arrives (the call restarts transparently under SA_RESTART).
 */
struct wsaevent_wait_args {
	__u64 timeout;
	__u64 objs;
	__u32 count;
	__u32 index;
	__u32 flags;
	__u32 alert;
};

#define WSAEVENT_WAIT_ALERT		0x1
#define WSAEVENT_WAIT_FLAGS		(WSAEVENT_WAIT_ALERT)

#define WSAEVENT_IOC_MAGIC		'W'

/* On the context (the /dev/wsaevent fd). */
#define WSAEVENT_IOC_CREATE_EVENT	_IOW(WSAEVENT_IOC_MAGIC, 0xa0, struct wsaevent_event_args)
#define WSAEVENT_IOC_WAIT_ANY		_IOWR(WSAEVENT_IOC_MAGIC, 0xa1, struct wsaevent_wait_args)
#define WSAEVENT_IOC_WAIT_ALL		_IOWR(WSAEVENT_IOC_MAGIC, 0xa2, struct wsaevent_wait_args)

/*
 * Socket hooks: WSAEventSelect and WSAEnumNetworkEvents.
 *
 * Network event bits have Windows' FD_* values.  FD_QOS and above are
 * accepted in a mask and never recorded.
 */
#define WSAEVENT_FD_READ		0x001
#define WSAEVENT_FD_WRITE		0x002
#define WSAEVENT_FD_OOB			0x004
#define WSAEVENT_FD_ACCEPT		0x008
#define WSAEVENT_FD_CONNECT		0x010
#define WSAEVENT_FD_CLOSE		0x020
#define WSAEVENT_FD_MAX_EVENTS		10
#define WSAEVENT_FD_ALL_EVENTS		0x3ff

/*
 * struct wsaevent_select_args - WSAEVENT_IOC_SELECT
 * @sock:  the socket, or any pollable fd.
 * @event: an event fd of this context; ignored (must be 0) when @mask
 *	is 0.
 * @mask:  FD_* bits to record; 0 cancels the association.
 * @flags: WSAEVENT_SELECT_ACCEPTED: the socket came from accept(), so
 *	FD_CONNECT is never recorded for it.
 *
 * Replaces the socket's event and mask, makes the socket non-blocking
 * for good, never resets the event, and sets it at once when events
 * recorded and not yet enumerated are in the new mask.
 */
struct wsaevent_select_args {
	__u32 sock;
	__u32 event;
	__u32 mask;
	__u32 flags;
};

#define WSAEVENT_SELECT_ACCEPTED	0x1
#define WSAEVENT_SELECT_FLAGS		(WSAEVENT_SELECT_ACCEPTED)

/*
 * struct wsaevent_enum_args - WSAEVENT_IOC_ENUM
 * @sock:   the socket.
 * @event:  with WSAEVENT_ENUM_RESET, an event fd to reset in the same
 *	atomic step; must be 0 otherwise.
 * @flags:  WSAEVENT_ENUM_RESET, or 0.
 * @events: out: the recorded FD_* bits, restricted to the mask; they
 *	are cleared.
 * @errors: out: for each bit of @events, 0 or a positive Linux errno
 *	(ECONNREFUSED for a refused FD_CONNECT, ECONNABORTED for an
 *	abortive FD_CLOSE, ...); entries for other bits are 0.
 */
struct wsaevent_enum_args {
	__u32 sock;
	__u32 event;
	__u32 flags;
	__u32 events;
	__s32 errors[WSAEVENT_FD_MAX_EVENTS];
};

#define WSAEVENT_ENUM_RESET		0x1
#define WSAEVENT_ENUM_FLAGS		(WSAEVENT_ENUM_RESET)

/*
 * struct wsaevent_msg_args - WSAEVENT_IOC_RECV / WSAEVENT_IOC_SEND
 *
 * recvmsg()/sendmsg() on @sock through the device, so that the call and
 * the re-enabling of FD_READ/FD_OOB (recv) or FD_WRITE (a send that
 * fails with EAGAIN) are one step.  Works on any socket, associated or
 * not.  The socket's O_NONBLOCK applies; sends never raise SIGPIPE.
 *
 * @sock:     the socket fd.
 * @flags:    MSG_OOB, MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, MSG_TRUNC
 *	(recv); MSG_OOB, MSG_DONTROUTE, MSG_DONTWAIT, MSG_MORE (send).
 *	Linux values.
 * @iov:      user pointer to @iovcnt struct iovec.
 * @iovcnt:   0..UIO_MAXIOV.
 * @addrlen:  recv: in, the size of the @addr buffer; out, the address
 *	length.  send: the length of the address at @addr.
 * @addr:     recv: where to store the source address, or 0.
 *	send: the destination address, or 0.
 * @msg_flags: out (recv): MSG_TRUNC, MSG_OOB, MSG_EOR ...
 * @pad:      must be zero.
 *
 * Returns the byte count.
 */
struct wsaevent_msg_args {
	__u32 sock;
	__u32 flags;
	__u64 iov;
	__u32 iovcnt;
	__u32 addrlen;
	__u64 addr;
	__u32 msg_flags;
	__u32 pad;
};

/*
 * struct wsaevent_accept_args - WSAEVENT_IOC_ACCEPT
 *
 * accept4() through the device: re-enables FD_ACCEPT on the listener in
 * the same step, and the new socket inherits the listener's event, mask
 * and non-blocking mode.  Returns the new fd.
 *
 * @sock:    the listening socket.
 * @flags:   SOCK_NONBLOCK, SOCK_CLOEXEC (Linux values).
 * @addr:    where to store the peer address, or 0.
 * @addrlen: in, the size of @addr; out, the address length.
 * @pad:     must be zero.
 */
struct wsaevent_accept_args {
	__u32 sock;
	__u32 flags;
	__u64 addr;
	__u32 addrlen;
	__u32 pad;
};

/* On the context. */
#define WSAEVENT_IOC_SELECT		_IOW(WSAEVENT_IOC_MAGIC, 0xa3, struct wsaevent_select_args)
#define WSAEVENT_IOC_ENUM		_IOWR(WSAEVENT_IOC_MAGIC, 0xa4, struct wsaevent_enum_args)
#define WSAEVENT_IOC_RECV		_IOWR(WSAEVENT_IOC_MAGIC, 0xa5, struct wsaevent_msg_args)
#define WSAEVENT_IOC_SEND		_IOWR(WSAEVENT_IOC_MAGIC, 0xa6, struct wsaevent_msg_args)
#define WSAEVENT_IOC_ACCEPT		_IOWR(WSAEVENT_IOC_MAGIC, 0xa7, struct wsaevent_accept_args)
/*
 * Cancel a socket's association and forget its record (closesocket).
 * The argument is the socket fd, by value.  Returns 0 even when the
 * socket had no association.
 */
#define WSAEVENT_IOC_RELEASE		_IO(WSAEVENT_IOC_MAGIC, 0xa8)
/*
 * Set (1) or clear (0) O_NONBLOCK on a socket (FIONBIO); clearing fails
 * with EINVAL while a nonzero mask is selected.  The argument is a
 * struct wsaevent_fionbio_args.
 */
struct wsaevent_fionbio_args {
	__u32 sock;
	__u32 nonblocking;
};

#define WSAEVENT_IOC_FIONBIO		_IOW(WSAEVENT_IOC_MAGIC, 0xa9, struct wsaevent_fionbio_args)

/*
 * Overlapped I/O: WSASend, WSASendTo, WSARecv, WSARecvFrom.
 *
 * struct wsaevent_io_args - WSAEVENT_IOC_SUBMIT
 * @sock:     the socket.
 * @op:       WSAEVENT_OP_SEND or WSAEVENT_OP_RECV.
 * @flags:    MSG_* (Linux values) as for WSAEVENT_IOC_SEND/RECV; never
 *	MSG_DONTWAIT, which is implied.
 * @event:    an event fd of this context, signaled at completion (the
 *	caller's hEvent, or the issuing thread's alert event when a
 *	completion routine is used), with WSAEVENT_IO_EVENT; else 0.
 * @iov:      user pointer to @iovcnt struct iovec: the buffers, at least
 *	one (a zero-length one is allowed).  An operation tried at once
 *	uses them directly; one that must wait has them pinned until it
 *	completes.
 * @iovcnt:   1..WSAEVENT_IO_MAX_IOV.
 * @io_flags: WSAEVENT_IO_EVENT, WSAEVENT_IO_RESET_EVENT (reset @event
 *	before starting, as WSARecv/WSASend do with hEvent),
 *	WSAEVENT_IO_COMPAT (write the overlapped fields 32 bits wide) and
 *	WSAEVENT_IO_WINSOCK_AF (write AF_INET6 source addresses with the
 *	Windows family value, for Winsock's lpFrom).
 * @overlapped: user pointer to the caller's WSAOVERLAPPED.  At
 *	completion the kernel writes, in this order: InternalHigh (the
 *	byte count) at offset 8 (4), Offset (the receive's msg_flags, 32
 *	bits) at offset 16 (8), then Internal (0, or a negative Linux
 *	errno) at offset 0.  The caller sets Internal to STATUS_PENDING
 *	(0x103) before submitting.  Widths in parentheses: with
 *	WSAEVENT_IO_COMPAT.
 * @addr:     send: the destination address, or 0; recv: where to store
 *	the source address at completion, or 0.
 * @addrlen:  send: the length of @addr; recv: the size of the @addr
 *	buffer.
 * @addrlen_ptr: recv: a user __s32 receiving the address length at
 *	completion, or 0.
 *
 * Returns 0 when the operation completed at once (its results are
 * written and @event signaled before the call returns), or -1/EINPROGRESS
 * when it is queued and will complete later (or, rarely, has completed
 * already: a send that went out in part and could not pin the rest
 * completes with that error and the bytes sent).  Any other error means
 * it was not started and nothing will be written, signaled or reset:
 * ENOBUFS past a limit (see the module parameters), EFAULT for a bad
 * buffer, EINVAL for 0 buffers, ECONNRESET after a reset (sticky),
 * ENOTSOCK...
 */
struct wsaevent_io_args {
	__u32 sock;
	__u32 op;
	__u32 flags;
	__u32 event;
	__u64 iov;
	__u32 iovcnt;
	__u32 io_flags;
	__u64 overlapped;
	__u64 addr;
	__u32 addrlen;
	__u32 pad;
	__u64 addrlen_ptr;
};

#define WSAEVENT_OP_SEND		1
#define WSAEVENT_OP_RECV		2

#define WSAEVENT_IO_EVENT		0x1
#define WSAEVENT_IO_RESET_EVENT		0x2
#define WSAEVENT_IO_COMPAT		0x4
/* Write a receive's AF_INET6 source address with Windows' value, 23. */
#define WSAEVENT_IO_WINSOCK_AF		0x8
#define WSAEVENT_IO_FLAGS		(WSAEVENT_IO_EVENT | \
					 WSAEVENT_IO_RESET_EVENT | \
					 WSAEVENT_IO_COMPAT | \
					 WSAEVENT_IO_WINSOCK_AF)

#define WSAEVENT_IO_MAX_IOV		1024

/*
 * struct wsaevent_cancel_args - WSAEVENT_IOC_CANCEL
 * @sock:  with WSAEVENT_CANCEL_SOCKET, cancel every operation pending on
 *	this socket, whoever posted it; else 0.
 * @flags: WSAEVENT_CANCEL_SOCKET or WSAEVENT_CANCEL_THREAD (every
 *	operation the calling thread posted, on any socket).
 *
 * Cancelled operations complete with -ECANCELED (WSA_OPERATION_ABORTED)
 * and 0 bytes.  An operation that has already taken data completes with
 * it instead: no byte is lost.  Returns the number cancelled.
 */
struct wsaevent_cancel_args {
	__u32 sock;
	__u32 flags;
};

#define WSAEVENT_CANCEL_SOCKET		0x1
#define WSAEVENT_CANCEL_THREAD		0x2

/*
 * Re-evaluate a socket's record now (the socket fd, by value).  For
 * state changes that wake nobody, such as a connect() that completes at
 * once on a UDP or AF_UNIX socket.  Returns 0, with or without an
 * association.
 */
#define WSAEVENT_IOC_REFRESH		_IO(WSAEVENT_IOC_MAGIC, 0xac)

#define WSAEVENT_IOC_SUBMIT		_IOW(WSAEVENT_IOC_MAGIC, 0xaa, struct wsaevent_io_args)
#define WSAEVENT_IOC_CANCEL		_IOW(WSAEVENT_IOC_MAGIC, 0xab, struct wsaevent_cancel_args)

/*
 * On an event fd.  SET, RESET and PULSE store the previous state
 * (0 or 1) in the __u32 the argument points to.
 */
#define WSAEVENT_IOC_EVENT_SET		_IOR(WSAEVENT_IOC_MAGIC, 0xb0, __u32)
#define WSAEVENT_IOC_EVENT_RESET	_IOR(WSAEVENT_IOC_MAGIC, 0xb1, __u32)
#define WSAEVENT_IOC_EVENT_PULSE	_IOR(WSAEVENT_IOC_MAGIC, 0xb2, __u32)
#define WSAEVENT_IOC_EVENT_READ		_IOR(WSAEVENT_IOC_MAGIC, 0xb3, struct wsaevent_event_args)

#endif /* _UAPI_LINUX_WSAEVENT_H */
