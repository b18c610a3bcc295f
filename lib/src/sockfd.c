// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The per-fd socket state (internal.h, SOCKFD_*): a two-level table
 * indexed by fd, read without locks.  Besides the state bits, each entry
 * keeps the SO_RCVTIMEO and SO_SNDTIMEO values the program set, which
 * getsockopt returns exactly (the kernel keeps them in jiffies, and the
 * library asks it for a little more, see sys_socket.c).
 *
 * Chunks of SOCKFD_CHUNK states are allocated on first write and never
 * freed, so a reader never sees a chunk go away; every state is read and
 * changed with atomic operations, so threads may latch bits on the same
 * socket at once.  Descriptors beyond the table (fd >= 2^20, above any
 * default RLIMIT_NOFILE) have no state: they work, without the latches.
 *
 * The table follows the fd, not the socket: an fd closed with close()
 * rather than closesocket() keeps its state until socket() or accept()
 * returns that number again.  Calls on sockets that the library did not
 * make (fds from Linux code) start from an empty state.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

#define SOCKFD_CHUNK_SHIFT	10
#define SOCKFD_CHUNK		(1u << SOCKFD_CHUNK_SHIFT)
#define SOCKFD_CHUNKS		1024u
#define SOCKFD_MAX		(SOCKFD_CHUNK * SOCKFD_CHUNKS)

struct sockfd {
	uint32_t state;
	uint32_t timeo[2];	/* SOCKFD_RCVTIMEO, SOCKFD_SNDTIMEO */
};

static struct sockfd *chunks[SOCKFD_CHUNKS];

static struct sockfd *chunk_of(int fd, int create)
{
	struct sockfd **slot, *chunk, *expected = NULL;

	if (fd < 0 || (unsigned int)fd >= SOCKFD_MAX)
		return NULL;
	slot = &chunks[(unsigned int)fd >> SOCKFD_CHUNK_SHIFT];
	chunk = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (chunk || !create)
		return chunk;
	chunk = calloc(SOCKFD_CHUNK, sizeof(*chunk));
	if (!chunk)
		return NULL;
	if (!__atomic_compare_exchange_n(slot, &expected, chunk, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		free(chunk);
		chunk = expected;
	}
	return chunk;
}

static struct sockfd *entry_of(int fd, int create)
{
	struct sockfd *chunk = chunk_of(fd, create);

	return chunk ? &chunk[(unsigned int)fd & (SOCKFD_CHUNK - 1)] : NULL;
}

uint32_t libwsaevent_sockfd_get(int fd)
{
	struct sockfd *e = entry_of(fd, 0);

	return e ? __atomic_load_n(&e->state, __ATOMIC_ACQUIRE) : 0;
}

void libwsaevent_sockfd_set(int fd, uint32_t state)
{
	struct sockfd *e = entry_of(fd, state != 0);

	if (e)
		__atomic_store_n(&e->state, state, __ATOMIC_RELEASE);
}

void libwsaevent_sockfd_or(int fd, uint32_t bits)
{
	struct sockfd *e = entry_of(fd, 1);

	if (e)
		__atomic_fetch_or(&e->state, bits, __ATOMIC_ACQ_REL);
}

void libwsaevent_sockfd_clear(int fd, uint32_t bits)
{
	struct sockfd *e = entry_of(fd, 0);

	if (e)
		__atomic_fetch_and(&e->state, ~bits, __ATOMIC_ACQ_REL);
}

void libwsaevent_sockfd_set_timeo(int fd, int which, uint32_t ms)
{
	struct sockfd *e = entry_of(fd, 1);

	if (!e)
		return;
	__atomic_store_n(&e->timeo[which], ms, __ATOMIC_RELAXED);
	__atomic_fetch_or(&e->state, SOCKFD_TIMEO_SET(which), __ATOMIC_RELEASE);
}

int libwsaevent_sockfd_get_timeo(int fd, int which, uint32_t *ms)
{
	struct sockfd *e = entry_of(fd, 0);

	if (!e || !(__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) &
		    SOCKFD_TIMEO_SET(which)))
		return 0;
	*ms = __atomic_load_n(&e->timeo[which], __ATOMIC_RELAXED);
	return 1;
}

void libwsaevent_sockfd_inherit_timeo(int fd, int listener)
{
	uint32_t ms;
	int which;

	/* Linux copies the listener's timeouts to the accepted socket. */
	for (which = 0; which < 2; which++)
		if (libwsaevent_sockfd_get_timeo(listener, which, &ms))
			libwsaevent_sockfd_set_timeo(fd, which, ms);
}

uint32_t libwsaevent_sockfd_info(int fd, uint32_t state)
{
	uint32_t info = state & SOCKINFO_MASK;

	if ((info & SOCKINFO_TYPE_MASK) && (info & SOCKINFO_FAMILY_MASK))
		return info;
	info = libwsaevent_sys_sockinfo(fd);
	if (info && (state & SOCKFD_TRACKED))
		libwsaevent_sockfd_or(fd, info);
	return info;
}

/*
 * closesocket():
 *  - WSAEVENT_IOC_RELEASE cancels the association (WSAEventSelect) and
 *    every overlapped operation pending on the socket, whichever thread
 *    posted it: they complete with WSA_OPERATION_ABORTED, their events
 *    are set, their routines queued (a plain close() would not cancel
 *    them: a pending operation holds the socket's file);
 *  - a listening socket is then shut down (SHUT_RDWR): Windows wakes a
 *    thread blocked in accept() (which fails with WSAEINTR, see accept())
 *    or select() on a socket that is closed, Linux's close() does not,
 *    but its shutdown() of a listener does.  Only listeners: on a
 *    connected socket shutdown() would send a FIN where closesocket()
 *    may have to reset (SO_LINGER {1, 0}) or linger.  The listener is
 *    shut down for every process sharing it (after fork());
 *  - then close().
 */
int libwsaevent_close_socket(int dev, int fd)
{
	uint32_t st = libwsaevent_sockfd_get(fd);
	int ret = libwsaevent_sys_is_socket(fd);

	if (ret <= 0)
		return -ENOTSOCK;
	/* Forget the state before the number can be reused. */
	libwsaevent_sockfd_set(fd, 0);
	if (dev >= 0)
		ioctl(dev, WSAEVENT_IOC_RELEASE, (unsigned long)fd);
	if ((st & SOCKFD_LISTENING) ||
	    (!(st & SOCKFD_TRACKED) && libwsaevent_sys_is_listening(fd) == 1))
		libwsaevent_sys_shutdown_listener(fd);
	/* EINTR: Linux has released the fd anyway. */
	close(fd);
	return 0;
}

void libwsaevent_sockfd_close_all(int dev)
{
	unsigned int c, i;
	struct sockfd *chunk;
	uint32_t st;

	for (c = 0; c < SOCKFD_CHUNKS; c++) {
		chunk = __atomic_load_n(&chunks[c], __ATOMIC_ACQUIRE);
		if (!chunk)
			continue;
		for (i = 0; i < SOCKFD_CHUNK; i++) {
			st = __atomic_load_n(&chunk[i].state, __ATOMIC_ACQUIRE);
			if (!(st & SOCKFD_TRACKED))
				continue;
			/* No longer a socket: the number was reused. */
			if (libwsaevent_close_socket(dev, (int)(c << SOCKFD_CHUNK_SHIFT | i)))
				__atomic_store_n(&chunk[i].state, 0, __ATOMIC_RELEASE);
		}
	}
}
