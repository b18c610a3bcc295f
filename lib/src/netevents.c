// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * WSAEventSelect and WSAEnumNetworkEvents: one ioctl each on the context
 * (WSAEVENT_IOC_SELECT, WSAEVENT_IOC_ENUM).  The kernel records the
 * network events with Windows' rules (kmod/sock_record.c); the library
 * only translates arguments and errors.
 *
 * Beyond Windows, any pollable fd may be selected (pipes, eventfds, UNIX
 * sockets, TTYs): the library passes every fd to the kernel, which
 * refuses only what cannot be polled (WSAENOTSOCK).
 */
#include <errno.h>
#include <fcntl.h>

#include "internal.h"

#define FAIL(wsa)	return libwsaevent_sock_fail(wsa)

/* EBADF is about the socket or the event: say which, as Windows does. */
static int ebadf_error(SOCKET s)
{
	return fcntl(s, F_GETFD) < 0 ? WSAENOTSOCK : WSAEINVAL;
}

WSA_EXPORT int WSAAPI WSAEventSelect(SOCKET s, WSAEVENT hEventObject,
				     LONG lNetworkEvents)
{
	struct wsaevent_select_args args = { 0 };
	int ev;

	if (!libwsaevent_started())
		FAIL(WSANOTINITIALISED);
	if (s < 0)
		FAIL(WSAENOTSOCK);
	if (lNetworkEvents & ~FD_ALL_EVENTS)
		FAIL(WSAEINVAL);
	args.sock = (__u32)s;
	args.mask = (__u32)lNetworkEvents;
	if (lNetworkEvents) {
		/* A mask needs an event; with 0 the event is ignored. */
		ev = libwsaevent_handle_to_fd(hEventObject);
		if (ev < 0)
			FAIL(WSAEINVAL);
		args.event = (__u32)ev;
	}
	/* FD_CONNECT is never recorded for a socket that came from accept. */
	if (libwsaevent_sockfd_get(s) & SOCKFD_ACCEPTED)
		args.flags = WSAEVENT_SELECT_ACCEPTED;

	if (ioctl(libwsaevent_device_fd(), WSAEVENT_IOC_SELECT, &args)) {
		switch (errno) {
		case EBADF:
			FAIL(ebadf_error(s));
		case EINVAL:		/* not an event of this process */
			FAIL(WSAEINVAL);
		default:
			FAIL(libwsaevent_sock_error(errno));
		}
	}
	if (lNetworkEvents)
		libwsaevent_sockfd_or(s, SOCKFD_SELECTED);
	else
		libwsaevent_sockfd_clear(s, SOCKFD_SELECTED);
	return libwsaevent_sock_ok(0);
}

WSA_EXPORT int WSAAPI WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject,
					   LPWSANETWORKEVENTS lpNetworkEvents)
{
	struct wsaevent_enum_args args = { 0 };
	int ev, i;

	if (!libwsaevent_started())
		FAIL(WSANOTINITIALISED);
	if (s < 0)
		FAIL(WSAENOTSOCK);
	if (!lpNetworkEvents)
		FAIL(WSAEFAULT);
	args.sock = (__u32)s;
	if (hEventObject) {
		/* Reset in the same atomic step as the enumeration. */
		ev = libwsaevent_handle_to_fd(hEventObject);
		if (ev < 0)
			FAIL(WSAEINVAL);
		args.event = (__u32)ev;
		args.flags = WSAEVENT_ENUM_RESET;
	}

	if (ioctl(libwsaevent_device_fd(), WSAEVENT_IOC_ENUM, &args)) {
		switch (errno) {
		case EBADF:
			FAIL(ebadf_error(s));
		case EINVAL:
			FAIL(WSAEINVAL);
		default:
			FAIL(libwsaevent_sock_error(errno));
		}
	}

	lpNetworkEvents->lNetworkEvents = (LONG)args.events;
	/* Only the reported entries are written, as on Windows. */
	for (i = 0; i < FD_MAX_EVENTS; i++)
		if (args.events & (1u << i))
			lpNetworkEvents->iErrorCode[i] = args.errors[i] ?
				libwsaevent_sock_error(args.errors[i]) : 0;

	/* What the kernel saw is what later calls must say (§11). */
	if (args.events & FD_CLOSE && args.errors[FD_CLOSE_BIT] == ECONNABORTED)
		libwsaevent_sockfd_or(s, SOCKFD_RESET);
	if (args.events & FD_CONNECT) {
		libwsaevent_sockfd_clear(s, SOCKFD_CONNECTING);
		if (!args.errors[FD_CONNECT_BIT])
			libwsaevent_sockfd_or(s, SOCKFD_CONNECTED);
	}
	return libwsaevent_sock_ok(0);
}
