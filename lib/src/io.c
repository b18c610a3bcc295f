// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * send, sendto, recv, recvfrom, and the errno mapping that WSASend,
 * WSARecv and their kin (overlapped.c) share with them.
 *
 * Each is one system call: an ioctl on the /dev/wsaevent context
 * (WSAEVENT_IOC_SEND / WSAEVENT_IOC_RECV) that does the sendmsg/recvmsg
 * and, in the same step, re-enables the network events Windows re-enables
 * (FD_READ and FD_OOB at every recv, FD_WRITE at a send that would block).
 * For a socket the library made nothing else is asked of the kernel,
 * neither for a transfer nor for WSAEWOULDBLOCK (a re-enabling outcome
 * too); other errors may cost one question more.
 *
 * Windows' sticky states are latched in the per-fd state and answered
 * without a system call:
 *  - a reset (ECONNRESET, or EPIPE on a connection that existed) makes
 *    every later recv and send fail with WSAECONNRESET, where Linux
 *    reports the reset once and then returns 0 or EPIPE;
 *  - after shutdown(SD_RECEIVE) recv fails with WSAESHUTDOWN (Linux
 *    returns 0), after SD_SEND send does (Linux: EPIPE).
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "internal.h"

#define FAIL(wsa)	return libwsaevent_sock_fail(wsa)

/* SOCKINFO type of @s from @st, asked of the kernel when unknown. */
static uint32_t type_of(SOCKET s, uint32_t st)
{
	return libwsaevent_sockfd_info(s, st) & SOCKINFO_TYPE_MASK;
}

/* A reset on a stream socket: latched, WSAECONNRESET from now on. */
int libwsaevent_sock_reset(SOCKET s, uint32_t st)
{
	if (type_of(s, st) == SOCKINFO_STREAM)
		libwsaevent_sockfd_or(s, SOCKFD_RESET);
	return WSAECONNRESET;
}

int libwsaevent_recv_error(SOCKET s, int err, int flags, uint32_t st)
{
	int ret;

	switch (err) {
	case EAGAIN:
		return libwsaevent_would_block(s, st, SOCKFD_RCVTIMEO);
	case ECONNRESET:
		return libwsaevent_sock_reset(s, st);
	case ECONNREFUSED:
		/* UDP: an ICMP port unreachable answered an earlier send. */
		return type_of(s, st) == SOCKINFO_STREAM ? WSAENOTCONN :
							   WSAECONNRESET;
	case EINVAL:
		if (!(flags & MSG_OOB))
			break;
		/* Urgent data is inline: MSG_OOB is invalid, as on Windows. */
		ret = libwsaevent_sys_oobinline(s);
		if (ret < 0)
			return libwsaevent_sock_error(-ret);
		if (ret)
			return WSAEINVAL;
		/* No urgent byte to read. */
		return libwsaevent_sys_nonblocking(s) == 1 ? WSAEWOULDBLOCK :
							     WSAEINVAL;
	default:
		break;
	}
	return libwsaevent_sock_error(err);
}

/* CLOCK_MONOTONIC in ms, for SO_RCVTIMEO's lower bound. */
static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t libwsaevent_timeo_start(uint32_t st, int which)
{
	return st & SOCKFD_TIMEO_SET(which) ? mono_ms() : 0;
}

/*
 * A blocking call on @s under timeout @which gave up (EAGAIN) after
 * starting at @t0 (libwsaevent_timeo_start(), 0: no timeout set).  The
 * kernel counts the timeout in jiffies, whose clock can run ahead of
 * CLOCK_MONOTONIC (seen under emulation), so it may give up a little
 * early; Windows waits at least the time asked.  Wait out the rest for
 * @events, and return 1 when the socket became ready in it: the caller
 * tries again.  Return 0 when the time is really up.
 */
int libwsaevent_timeo_early(SOCKET s, int which, uint64_t t0, short events)
{
	struct pollfd p = { .fd = s, .events = events };
	uint64_t elapsed;
	uint32_t ms;

	if (!t0 || !libwsaevent_sockfd_get_timeo(s, which, &ms) || !ms)
		return 0;
	elapsed = mono_ms() - t0;
	if (elapsed >= ms || libwsaevent_sys_nonblocking(s) != 0)
		return 0;
	return poll(&p, 1, (int)(ms - elapsed)) == 1;
}

static int do_recv(SOCKET s, char *buf, int len, int flags,
		   struct sockaddr *from, int *fromlen)
{
	uint64_t t0;
	uint32_t st;
	long n;

	if (!libwsaevent_started())
		FAIL(WSANOTINITIALISED);
	if (s < 0)
		FAIL(WSAENOTSOCK);
	/* Refused before the kernel: FD_READ is not re-enabled. */
	if (len < 0 || (!buf && len) || (from && !fromlen))
		FAIL(WSAEFAULT);
	st = libwsaevent_sockfd_get(s);
	if (st & SOCKFD_RESET)
		FAIL(WSAECONNRESET);
	if (st & SOCKFD_SHUT_RD)
		FAIL(WSAESHUTDOWN);
	t0 = libwsaevent_timeo_start(st, SOCKFD_RCVTIMEO);
	do
		n = libwsaevent_sys_recv(libwsaevent_device_fd(), s, buf, len,
					 flags, from, fromlen,
					 st & SOCKINFO_MASK);
	while (n == -EAGAIN &&
	       libwsaevent_timeo_early(s, SOCKFD_RCVTIMEO, t0, POLLIN));
	if (n < 0)
		FAIL(libwsaevent_recv_error(s, (int)-n, flags, st));
	return libwsaevent_sock_ok((int)n);
}

WSA_EXPORT int WSAAPI recv(SOCKET s, char *buf, int len, int flags)
{
	return do_recv(s, buf, len, flags, NULL, NULL);
}

WSA_EXPORT int WSAAPI recvfrom(SOCKET s, char *buf, int len, int flags,
			       struct sockaddr *from, int *fromlen)
{
	return do_recv(s, buf, len, flags, from, fromlen);
}

int libwsaevent_send_error(SOCKET s, int err, int has_to, uint32_t st)
{
	switch (err) {
	case EAGAIN:
		return libwsaevent_would_block(s, st, SOCKFD_SNDTIMEO);
	case ECONNRESET:
		return libwsaevent_sock_reset(s, st);
	case EPIPE:
		if (type_of(s, st) != SOCKINFO_STREAM)
			return WSAESHUTDOWN;
		/* A socket the library made that never connected. */
		if ((st & SOCKFD_TRACKED) &&
		    !(st & (SOCKFD_CONNECTING | SOCKFD_CONNECTED)))
			return WSAENOTCONN;
		return libwsaevent_sock_reset(s, st);
	case ECONNREFUSED:
		return type_of(s, st) == SOCKINFO_STREAM ? WSAENOTCONN :
							   WSAECONNRESET;
	case EDESTADDRREQ:
		return has_to ? WSAEDESTADDRREQ : WSAENOTCONN;
	default:
		return libwsaevent_sock_error(err);
	}
}

static int do_send(SOCKET s, const char *buf, int len, int flags,
		   const struct sockaddr *to, int tolen)
{
	uint32_t st;
	long n;

	if (!libwsaevent_started())
		FAIL(WSANOTINITIALISED);
	if (s < 0)
		FAIL(WSAENOTSOCK);
	if (len < 0 || (!buf && len))
		FAIL(WSAEFAULT);
	st = libwsaevent_sockfd_get(s);
	if (st & SOCKFD_RESET)
		FAIL(WSAECONNRESET);
	if (st & SOCKFD_SHUT_WR)
		FAIL(WSAESHUTDOWN);
	n = libwsaevent_sys_send(libwsaevent_device_fd(), s, buf, len, flags,
				 to, tolen, st & SOCKINFO_MASK);
	if (n < 0)
		FAIL(libwsaevent_send_error(s, (int)-n, to != NULL, st));
	return libwsaevent_sock_ok((int)n);
}

WSA_EXPORT int WSAAPI send(SOCKET s, const char *buf, int len, int flags)
{
	return do_send(s, buf, len, flags, NULL, 0);
}

WSA_EXPORT int WSAAPI sendto(SOCKET s, const char *buf, int len, int flags,
			     const struct sockaddr *to, int tolen)
{
	return do_send(s, buf, len, flags, to, tolen);
}
