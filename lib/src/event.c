// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Event objects: create, close, set, reset, pulse, and the fd bridge.
 *
 * An event is a file descriptor created from the process's /dev/wsaevent
 * context; its handle is (HANDLE)(fd + 1).  Set, reset and pulse are one
 * ioctl each on the event fd and, like kernel32's SetEvent, need no
 * WSAStartup.  Creating needs the context, hence a WSAStartup.
 */
#include <errno.h>
#include <unistd.h>

#include "internal.h"

int libwsaevent_fd_is_event(int fd)
{
	struct wsaevent_event_args args = { 0, 0 };

	return fd >= 0 && ioctl(fd, WSAEVENT_IOC_EVENT_READ, &args) == 0;
}

static int create_error(int err)
{
	switch (err) {
	case ENOMEM:
		return WSA_NOT_ENOUGH_MEMORY;
	case EMFILE:
	case ENFILE:
		return WSAEMFILE;
	default:
		return libwsaevent_errno_to_wsa(err);
	}
}

/* @flags: WSAEVENT_EVENT_* (uapi). */
static WSAEVENT create_event(__u32 flags)
{
	struct wsaevent_event_args args = { .flags = flags, .pad = 0 };
	int fd;

	if (!libwsaevent_started()) {
		libwsaevent_set_error(WSANOTINITIALISED);
		return WSA_INVALID_EVENT;
	}
	fd = ioctl(libwsaevent_device_fd(), WSAEVENT_IOC_CREATE_EVENT, &args);
	if (fd < 0) {
		libwsaevent_set_error(create_error(errno));
		return WSA_INVALID_EVENT;
	}
	return libwsaevent_fd_to_handle(fd);
}

/* Manual-reset, non-signaled, not inherited across exec (O_CLOEXEC). */
WSA_EXPORT WSAEVENT WSAAPI WSACreateEvent(void)
{
	return create_event(WSAEVENT_EVENT_MANUAL);
}

WSA_EXPORT WSAEVENT WSAAPI WSACreateEventEx(BOOL bManualReset,
					    BOOL bInitialState)
{
	return create_event((bManualReset ? WSAEVENT_EVENT_MANUAL : 0) |
			    (bInitialState ? WSAEVENT_EVENT_SIGNALED : 0));
}

WSA_EXPORT WSAEVENT WSAAPI WSACreateEventFlags(DWORD dwFlags)
{
	const DWORD known = WSA_CREATE_EVENT_MANUAL_RESET |
			    WSA_CREATE_EVENT_INITIAL_SET |
			    WSA_CREATE_EVENT_INHERIT;
	__u32 flags = 0;

	if (dwFlags & ~known) {
		libwsaevent_set_error(WSA_INVALID_PARAMETER);
		return WSA_INVALID_EVENT;
	}
	if (dwFlags & WSA_CREATE_EVENT_MANUAL_RESET)
		flags |= WSAEVENT_EVENT_MANUAL;
	if (dwFlags & WSA_CREATE_EVENT_INITIAL_SET)
		flags |= WSAEVENT_EVENT_SIGNALED;
	if (dwFlags & WSA_CREATE_EVENT_INHERIT)
		flags |= WSAEVENT_EVENT_INHERIT;
	return create_event(flags);
}

/*
 * Closing checks first that the fd really is an event: after a double
 * close the fd number may have been reused (by a socket, a file), and
 * that descriptor must survive.  Windows handles have the same reuse
 * hazard; this closes it for everything but a new event.
 */
WSA_EXPORT BOOL WSAAPI WSACloseEvent(WSAEVENT hEvent)
{
	int fd = libwsaevent_handle_to_fd(hEvent);

	if (!libwsaevent_fd_is_event(fd)) {
		libwsaevent_set_error(WSA_INVALID_HANDLE);
		return FALSE;
	}
	/* EINTR: Linux has released the fd anyway. */
	if (close(fd) < 0 && errno == EBADF) {
		libwsaevent_set_error(WSA_INVALID_HANDLE);
		return FALSE;
	}
	return TRUE;
}

/*
 * One ioctl on the event fd.  It only fails when the fd is not an open
 * event (EBADF, ENOTTY, EINVAL from whatever else the fd is), which is an
 * invalid handle.
 */
static BOOL event_op(WSAEVENT hEvent, unsigned long cmd)
{
	int fd = libwsaevent_handle_to_fd(hEvent);
	__u32 previous;

	if (fd < 0 || ioctl(fd, cmd, &previous) < 0) {
		libwsaevent_set_error(WSA_INVALID_HANDLE);
		return FALSE;
	}
	return TRUE;
}

/* TRUE also when already signaled. */
WSA_EXPORT BOOL WSAAPI WSASetEvent(WSAEVENT hEvent)
{
	return event_op(hEvent, WSAEVENT_IOC_EVENT_SET);
}

/* TRUE also when already non-signaled. */
WSA_EXPORT BOOL WSAAPI WSAResetEvent(WSAEVENT hEvent)
{
	return event_op(hEvent, WSAEVENT_IOC_EVENT_RESET);
}

WSA_EXPORT BOOL WSAAPI WSAPulseEvent(WSAEVENT hEvent)
{
	return event_op(hEvent, WSAEVENT_IOC_EVENT_PULSE);
}

WSA_EXPORT int WSAAPI WSAEventGetFd(WSAEVENT hEvent)
{
	int fd = libwsaevent_handle_to_fd(hEvent);

	if (!libwsaevent_fd_is_event(fd)) {
		libwsaevent_set_error(WSA_INVALID_HANDLE);
		return -1;
	}
	return fd;
}

WSA_EXPORT WSAEVENT WSAAPI WSAEventFromFd(int fd)
{
	/* fd + 1 must stay a valid handle (see libwsaevent_handle_to_fd). */
	if (fd >= INT_MAX || !libwsaevent_fd_is_event(fd)) {
		libwsaevent_set_error(WSA_INVALID_HANDLE);
		return WSA_INVALID_EVENT;
	}
	return libwsaevent_fd_to_handle(fd);
}
