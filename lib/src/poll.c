// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * select() with Winsock's fd_set, and WSAPoll(): both one ppoll() call.
 *
 * Neither goes through /dev/wsaevent, so neither can disturb the network
 * events that WSAEventSelect records (spec §6): polling a socket is a
 * plain Linux poll of it.  What differs from Linux is the answer:
 *
 *  - a socket whose non-blocking connect failed is only "exceptional"
 *    (select's exceptfds; WSAPoll: POLLERR | POLLHUP), where Linux also
 *    reports it readable and writable;
 *  - a connection that was reset is readable and writable for select,
 *    POLLERR | POLLHUP (| POLLWRNORM when asked) for WSAPoll, also after
 *    Linux forgot the error (the per-fd reset latch);
 *  - urgent data is exceptional (select) and POLLRDBAND (WSAPoll) unless
 *    SO_OOBINLINE makes it normal data;
 *  - a stream socket the library made that was never connected nor
 *    listening is neither readable nor writable for select (Linux says
 *    POLLHUP | POLLOUT).
 *
 * Any pollable fd may be given (pipes, eventfds, events): those get the
 * plain readable / writable / exceptional answers of Linux.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"

#define FAIL(wsa)	return libwsaevent_sock_fail(wsa)

/* Entries kept on the stack; more are allocated. */
#define POLL_STACK	(3 * 64)

/* How to read a socket's poll result. */
enum sock_class {
	CLASS_GENERIC,		/* not a socket the library knows */
	CLASS_STREAM,		/* connected (or closing) stream socket */
	CLASS_DGRAM,
	CLASS_CONNECT_FAILED,	/* non-blocking connect refused, timed out */
	CLASS_IDLE,		/* stream socket, never connected */
};

static enum sock_class classify(SOCKET fd, int rev, uint32_t *st)
{
	uint32_t type = *st & SOCKINFO_TYPE_MASK;

	if (type == SOCKINFO_DGRAM)
		return CLASS_DGRAM;
	if (type != SOCKINFO_STREAM)
		return CLASS_GENERIC;
	if ((*st & (SOCKFD_CONNECTING | SOCKFD_CONNECTED)) == SOCKFD_CONNECTING) {
		if (rev & LNX_POLLERR)
			return CLASS_CONNECT_FAILED;
		if (rev & LNX_POLLOUT) {
			/* Connected now: remember it (no event is touched). */
			libwsaevent_sockfd_or(fd, SOCKFD_CONNECTED);
			*st |= SOCKFD_CONNECTED;
		}
		return CLASS_STREAM;
	}
	if ((*st & SOCKFD_TRACKED) && !(*st & SOCKFD_CONNECTED) &&
	    !(*st & SOCKFD_CONNECTING))
		return CLASS_IDLE;
	return CLASS_STREAM;
}

/* Urgent data counts as OOB unless SO_OOBINLINE makes it normal data. */
static int urgent_is_oob(SOCKET fd, int rev)
{
	return (rev & LNX_POLLPRI) && libwsaevent_sys_oobinline(fd) != 1;
}

static int timeout_from_timeval(const struct timeval *tv, struct timespec *ts)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0)
		return -1;
	ts->tv_sec = tv->tv_sec + tv->tv_usec / 1000000;
	ts->tv_nsec = (long)(tv->tv_usec % 1000000) * 1000;
	return 0;
}

enum { SET_READ, SET_WRITE, SET_EXCEPT };

/* Is @fd, with poll result @rev, ready for set @which? */
static int select_ready(SOCKET fd, int which, int rev)
{
	uint32_t st = libwsaevent_sockfd_get(fd);
	enum sock_class c;

	st |= libwsaevent_sockfd_info(fd, st) & SOCKINFO_MASK;
	c = classify(fd, rev, &st);
	if ((st & SOCKFD_RESET) && c == CLASS_STREAM)
		rev |= LNX_POLLERR;

	switch (which) {
	case SET_READ:
		if (c == CLASS_CONNECT_FAILED)
			return 0;
		if (c == CLASS_IDLE)
			return !!(rev & LNX_POLLIN);	/* a listener's backlog */
		/* Data, a connection to accept, EOF, a reset. */
		return !!(rev & (LNX_POLLIN | LNX_POLLHUP | LNX_POLLERR));
	case SET_WRITE:
		if (c == CLASS_CONNECT_FAILED || c == CLASS_IDLE)
			return 0;
		return !!(rev & (LNX_POLLOUT | LNX_POLLERR));
	default:
		if (c == CLASS_CONNECT_FAILED)
			return 1;
		return urgent_is_oob(fd, rev);
	}
}

WSA_EXPORT int WSAAPI select(int nfds, fd_set *readfds, fd_set *writefds,
			     fd_set *exceptfds, const struct timeval *timeout)
{
	fd_set *sets[3] = { readfds, writefds, exceptfds };
	static const short events[3] = {
		LNX_POLLIN, LNX_POLLOUT, LNX_POLLPRI,
	};
	struct pollfd stack[POLL_STACK], *p = stack;
	struct timespec ts;
	size_t total = 0, n = 0;
	u_int i, kept;
	int set, ret, ready = 0;

	(void)nfds;	/* ignored, as on Windows */
	if (!libwsaevent_started())
		FAIL(WSANOTINITIALISED);
	for (set = 0; set < 3; set++)
		if (sets[set])
			total += sets[set]->fd_count;
	if (!total)
		FAIL(WSAEINVAL);
	if (timeout && timeout_from_timeval(timeout, &ts))
		FAIL(WSAEINVAL);
	if (total > POLL_STACK) {
		p = calloc(total, sizeof(*p));
		if (!p)
			FAIL(WSAENOBUFS);
	}

	for (set = 0; set < 3; set++) {
		if (!sets[set])
			continue;
		for (i = 0; i < sets[set]->fd_count; i++) {
			if (sets[set]->fd_array[i] < 0) {
				ret = WSAENOTSOCK;
				goto fail;
			}
			p[n].fd = sets[set]->fd_array[i];
			p[n].events = events[set];
			p[n].revents = 0;
			n++;
		}
	}

	if (ppoll(p, n, timeout ? &ts : NULL, NULL) < 0) {
		ret = errno == ENOMEM ? WSAENOBUFS :
		      errno == EINTR ? WSAEINTR : WSAEINVAL;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (p[i].revents & LNX_POLLNVAL) {
			ret = WSAENOTSOCK;
			goto fail;
		}
	}

	/* Keep the ready sockets of each set, in their order. */
	n = 0;
	for (set = 0; set < 3; set++) {
		if (!sets[set])
			continue;
		kept = 0;
		for (i = 0; i < sets[set]->fd_count; i++, n++) {
			if (!p[n].revents ||
			    !select_ready(p[n].fd, set, p[n].revents))
				continue;
			sets[set]->fd_array[kept++] = p[n].fd;
		}
		sets[set]->fd_count = kept;
		ready += (int)kept;
	}
	if (p != stack)
		free(p);
	return libwsaevent_sock_ok(ready);
fail:
	if (p != stack)
		free(p);
	FAIL(ret);
}

WSA_EXPORT int WSAAPI __WSAFDIsSet(SOCKET fd, fd_set *set)
{
	u_int i;

	for (i = 0; set && i < set->fd_count; i++)
		if (set->fd_array[i] == fd)
			return 1;
	return 0;
}

/* The Windows revents for @fd, asked @events (Windows), Linux @rev. */
static short wsapoll_revents(SOCKET fd, short events, int rev)
{
	uint32_t st = libwsaevent_sockfd_get(fd);
	enum sock_class c;
	int ws;

	st |= libwsaevent_sockfd_info(fd, st) & SOCKINFO_MASK;
	c = classify(fd, rev, &st);
	ws = libwsaevent_sys_poll_revents(rev & ~(LNX_POLLPRI | LNX_POLLRDBAND));
	if (rev & (LNX_POLLPRI | LNX_POLLRDBAND))
		ws |= urgent_is_oob(fd, rev) ? POLLRDBAND : POLLRDNORM;

	if (c == CLASS_CONNECT_FAILED)
		ws = POLLERR | POLLHUP;
	else if (c == CLASS_STREAM &&
		 ((st & SOCKFD_RESET) || (rev & LNX_POLLERR)))
		ws = POLLERR | POLLHUP | POLLWRNORM;
	return (short)(ws & (events | POLLERR | POLLHUP | POLLNVAL));
}

#define WSAPOLL_EVENTS	(POLLRDNORM | POLLRDBAND | POLLPRI | POLLWRNORM | \
			 POLLWRBAND)

WSA_EXPORT int WSAAPI WSAPoll(LPWSAPOLLFD fdArray, ULONG fds, INT timeout)
{
	struct pollfd stack[POLL_STACK], *p = stack;
	struct timespec ts, *tsp = NULL;
	ULONG i;
	int ret, ready = 0;

	if (!libwsaevent_started())
		FAIL(WSANOTINITIALISED);
	if (!fdArray || !fds)
		FAIL(WSAEINVAL);
	for (i = 0; i < fds; i++)
		if (fdArray[i].events & ~WSAPOLL_EVENTS)
			FAIL(WSAEINVAL);
	if (fds > POLL_STACK) {
		p = calloc(fds, sizeof(*p));
		if (!p)
			FAIL(WSAENOBUFS);
	}
	for (i = 0; i < fds; i++) {
		p[i].fd = fdArray[i].fd;
		p[i].events = libwsaevent_sys_poll_events(fdArray[i].events);
		p[i].revents = 0;
	}
	if (timeout >= 0) {
		ts.tv_sec = timeout / 1000;
		ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
		tsp = &ts;
	}
	ret = ppoll(p, fds, tsp, NULL);
	if (ret < 0) {
		ret = errno == ENOMEM ? WSAENOBUFS :
		      errno == EINTR ? WSAEINTR : WSAEINVAL;
		if (p != stack)
			free(p);
		FAIL(ret);
	}
	for (i = 0; i < fds; i++) {
		fdArray[i].revents = p[i].revents ?
			wsapoll_revents(p[i].fd, fdArray[i].events, p[i].revents) : 0;
		ready += fdArray[i].revents != 0;
	}
	if (p != stack)
		free(p);
	return libwsaevent_sock_ok(ready);
}
