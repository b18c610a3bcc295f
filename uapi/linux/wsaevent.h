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
 *	waits forever; a time already past only polls.
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
 * On an event fd.  SET, RESET and PULSE store the previous state
 * (0 or 1) in the __u32 the argument points to.
 */
#define WSAEVENT_IOC_EVENT_SET		_IOR(WSAEVENT_IOC_MAGIC, 0xb0, __u32)
#define WSAEVENT_IOC_EVENT_RESET	_IOR(WSAEVENT_IOC_MAGIC, 0xb1, __u32)
#define WSAEVENT_IOC_EVENT_PULSE	_IOR(WSAEVENT_IOC_MAGIC, 0xb2, __u32)
#define WSAEVENT_IOC_EVENT_READ		_IOR(WSAEVENT_IOC_MAGIC, 0xb3, struct wsaevent_event_args)

#endif /* _UAPI_LINUX_WSAEVENT_H */
