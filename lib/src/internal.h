/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwsaevent internals, shared by the sources in lib/src only.
 *
 * Every function here has hidden visibility (the library is built with
 * -fvisibility=hidden) and a libwsaevent_ prefix, so the static library
 * cannot clash with a program's own symbols.  Exported functions are
 * marked WSA_EXPORT at their definition and listed in libwsaevent.map.
 */
#ifndef LIBWSAEVENT_INTERNAL_H
#define LIBWSAEVENT_INTERNAL_H

#include <limits.h>
#include <stdint.h>

#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <wsaevent.h>
#include <linux/wsaevent.h>

#include "sys.h"

#define WSA_EXPORT	__attribute__((visibility("default")))

/*
 * <sys/ioctl.h> cannot be included next to <winsock2.h> (its FIONBIO and
 * FIONREAD are Linux's); this is glibc's own declaration.
 */
extern int ioctl(int fd, unsigned long request, ...);

/* ------------------------------------------------------------------ */
/* Handles.                                                            */

/*
 * An event handle is (HANDLE)(fd + 1): NULL (WSA_INVALID_EVENT) is never
 * a valid handle, fd 0 included.  Returns -1 for handles that cannot name
 * an fd (NULL, negative values such as INVALID_HANDLE_VALUE, too large).
 */
static inline int libwsaevent_handle_to_fd(WSAEVENT h)
{
	intptr_t v = (intptr_t)h;

	if (v <= 0 || v > (intptr_t)INT_MAX)
		return -1;
	return (int)(v - 1);
}

static inline WSAEVENT libwsaevent_fd_to_handle(int fd)
{
	return (WSAEVENT)(intptr_t)((intptr_t)fd + 1);
}

/* ------------------------------------------------------------------ */
/* startup.c: library lifetime.                                        */

/*
 * The process's /dev/wsaevent context, or -1 when no WSAStartup ever
 * succeeded.  Opened once by the first successful WSAStartup and kept
 * until exit (events outlive WSACleanup, as kernel32 events do).
 */
int libwsaevent_device_fd(void);

/* Nonzero while at least one WSAStartup is outstanding. */
int libwsaevent_started(void);

/* ------------------------------------------------------------------ */
/* error.c: per-thread last error.                                     */

void libwsaevent_set_error(int wsa_error);

/*
 * Map an errno value to the Winsock error with the same meaning
 * (EINTR -> WSAEINTR, EWOULDBLOCK -> WSAEWOULDBLOCK, ENOMEM ->
 * WSAENOBUFS, ...); WSASYSCALLFAILURE when there is none.  Callers with
 * a more specific meaning (event calls: EBADF -> WSA_INVALID_HANDLE,
 * ENOMEM -> WSA_NOT_ENOUGH_MEMORY) map those first.
 */
int libwsaevent_errno_to_wsa(int err);

/*
 * Socket calls: the last error for a failure, and SOCKET_ERROR to return.
 * libwsaevent_sock_error() is the errno mapping of the socket calls:
 * libwsaevent_errno_to_wsa() plus EBADF/ENOTSOCK/ENOTTY -> WSAENOTSOCK
 * (a closed or non-socket descriptor).
 */
int libwsaevent_sock_fail(int wsa_error);
int libwsaevent_sock_error(int err);

/*
 * The Winsock error for EAGAIN from a call on @s (state @st) that waits
 * under timeout @which (SOCKFD_RCVTIMEO or SOCKFD_SNDTIMEO):
 * WSAEWOULDBLOCK, or WSAETIMEDOUT for a blocking socket whose timeout ran
 * out.  Without a system call for a socket of the library's with no such
 * timeout: a blocking one would have waited forever.
 */
int libwsaevent_would_block(int s, uint32_t st, int which);

/*
 * io.c: SO_RCVTIMEO/SO_SNDTIMEO last at least as long as asked.  Take
 * libwsaevent_timeo_start() before a blocking call (0 when @st has no
 * such timeout); when the call fails with EAGAIN, a true
 * libwsaevent_timeo_early() says the kernel gave up early and the socket
 * has since become ready for @events: try again.
 */
uint64_t libwsaevent_timeo_start(uint32_t st, int which);
int libwsaevent_timeo_early(SOCKET s, int which, uint64_t t0, short events);

/*
 * io.c: the Winsock error of a failed recv or send on @s (state @st),
 * @err a Linux errno: EAGAIN per blocking mode and timeout, a reset
 * latched and WSAECONNRESET, EPIPE as WSAESHUTDOWN, WSAECONNRESET or
 * WSAENOTCONN... @flags: the Windows MSG_* of the receive; @has_to: the
 * send named a destination.  libwsaevent_sock_reset() latches a reset on
 * a stream socket and returns WSAECONNRESET.
 */
int libwsaevent_recv_error(SOCKET s, int err, int flags, uint32_t st);
int libwsaevent_send_error(SOCKET s, int err, int has_to, uint32_t st);
int libwsaevent_sock_reset(SOCKET s, uint32_t st);

/* The last error 0 and @ret: a socket call succeeded, as Windows does. */
static inline int libwsaevent_sock_ok(int ret)
{
	libwsaevent_set_error(0);
	return ret;
}

/* ------------------------------------------------------------------ */
/* sockfd.c: what the library remembers of each socket, by fd.         */

/*
 * A 32-bit state per fd: the SOCKINFO_* bits of sys.h (type and family,
 * when known) and these.  Sockets that the library did not create start
 * at 0 and only get latched bits.  closesocket() forgets an fd; socket()
 * and accept() overwrite the state of the fd they return.
 */
#define SOCKFD_TRACKED		0x0010u	/* made by socket()/accept() */
#define SOCKFD_ACCEPTED		0x0020u	/* came from accept() */
#define SOCKFD_CONNECTING	0x0040u	/* a non-blocking connect started */
#define SOCKFD_CONNECTED	0x0080u	/* was connected at some point */
#define SOCKFD_RESET		0x0100u	/* latched: the peer reset it */
#define SOCKFD_SHUT_RD		0x0200u	/* latched: shutdown(SD_RECEIVE) */
#define SOCKFD_SHUT_WR		0x0400u	/* latched: shutdown(SD_SEND) */
#define SOCKFD_SELECTED		0x0800u	/* WSAEventSelect with a mask */
/* SO_RCVTIMEO (which 0) / SO_SNDTIMEO (which 1) was set: see below. */
#define SOCKFD_TIMEO_SET(which)	(0x1000u << (which))
#define SOCKFD_RCVTIMEO		0
#define SOCKFD_SNDTIMEO		1
/*
 * listen() succeeded on it: closesocket() shuts it down to wake a thread
 * blocked in accept(), which then fails with WSAEINTR (see accept()).
 */
#define SOCKFD_LISTENING	0x4000u

uint32_t libwsaevent_sockfd_get(int fd);
void libwsaevent_sockfd_set(int fd, uint32_t state);
void libwsaevent_sockfd_or(int fd, uint32_t bits);
void libwsaevent_sockfd_clear(int fd, uint32_t bits);

/*
 * The millisecond timeouts setsockopt set, for getsockopt to return as
 * they were given.  get: 1 and *@ms when one was set, else 0.  accept()
 * copies the listener's, as the kernel copies its own.
 */
void libwsaevent_sockfd_set_timeo(int fd, int which, uint32_t ms);
int libwsaevent_sockfd_get_timeo(int fd, int which, uint32_t *ms);
void libwsaevent_sockfd_inherit_timeo(int fd, int listener);

/*
 * The final WSACleanup: closesocket() every socket still tracked (after
 * checking that the fd still is a socket).  Called under the startup lock.
 */
void libwsaevent_sockfd_close_all(int dev);

/* closesocket() without the WSAStartup check. */
int libwsaevent_close_socket(int dev, int fd);

/*
 * The type and family of @fd: from its state, or asked of the kernel
 * (and remembered when the library tracks the socket).
 */
uint32_t libwsaevent_sockfd_info(int fd, uint32_t state);

/* ------------------------------------------------------------------ */
/* event.c                                                             */

/* Nonzero when @fd is a wsaevent event (WSAEVENT_IOC_EVENT_READ works). */
int libwsaevent_fd_is_event(int fd);

/* ------------------------------------------------------------------ */
/* wait.c                                                              */

/* Absolute CLOCK_MONOTONIC deadline in ns for a timeout in ms. */
__u64 libwsaevent_deadline(DWORD ms);

/* ------------------------------------------------------------------ */
/* Overlapped I/O: overlapped.c and apc.c.                             */

/* The value of WSAOVERLAPPED.Internal while the operation is pending. */
#define LIBWSAEVENT_STATUS_PENDING	0x103

/* Internal, read with acquire semantics (the kernel writes it last). */
static inline intptr_t libwsaevent_ovl_status(const WSAOVERLAPPED *ov)
{
	return (intptr_t)__atomic_load_n(&ov->Internal, __ATOMIC_ACQUIRE);
}

static inline int libwsaevent_ovl_done(const WSAOVERLAPPED *ov)
{
	return libwsaevent_ovl_status(ov) != LIBWSAEVENT_STATUS_PENDING;
}

/*
 * The Winsock error of a completed operation on @s from its Internal
 * @status (0 or a negative Linux errno): 0, WSA_OPERATION_ABORTED,
 * WSAECONNRESET, WSAEMSGSIZE...  @latch: @s is known to be the
 * operation's socket, so a reset may be latched on it.
 */
int libwsaevent_ovl_error(SOCKET s, intptr_t status, int latch);

/*
 * A source address written by the kernel at the completion of an
 * overlapped WSARecvFrom on an IPv6 datagram socket has the Linux family
 * value; these fix it (overlapped.c).
 */

/*
 * apc.c: the calling thread's overlapped state.
 *
 * libwsaevent_io_thread_register() arranges for the thread's operations
 * to be cancelled when it exits; called before every submission.
 */
void libwsaevent_io_thread_register(void);

/* The calling thread's alert event fd, or -1 when it has none. */
int libwsaevent_apc_alert_fd(void);

/*
 * Before submitting an operation with a completion routine: creates the
 * thread's alert event when it has none and makes room for one routine.
 * Returns 0 with *@alert_fd set, or a Winsock error.
 */
int libwsaevent_apc_prepare(int dev, int *alert_fd);

/*
 * After a submission that started (completed or pending): queue
 * @routine for @ov, to run in an alertable wait of this thread once @ov
 * completes.  Never fails after libwsaevent_apc_prepare().
 */
void libwsaevent_apc_add(LPWSAOVERLAPPED ov,
			 LPWSAOVERLAPPED_COMPLETION_ROUTINE routine, SOCKET s);

/* 1 when @ov is waiting for its completion routine in this thread. */
int libwsaevent_apc_owns(const WSAOVERLAPPED *ov);

/*
 * Run the routines of this thread's completed operations, all of them
 * (also those that complete meanwhile), in posting order.  Returns how
 * many ran.  Called by the alertable waits only.
 */
int libwsaevent_apc_run(void);

/* ------------------------------------------------------------------ */
/* Compile-time checks of the Windows layouts in <winsock2.h>.         */

_Static_assert(sizeof(BOOL) == 4, "BOOL");
_Static_assert(sizeof(WORD) == 2, "WORD");
_Static_assert(sizeof(DWORD) == 4, "DWORD");
_Static_assert(sizeof(LONG) == 4, "Windows long is 32-bit");
_Static_assert(sizeof(u_long) == 4, "u_long is 32-bit");
_Static_assert(sizeof(u_short) == 2, "u_short");
_Static_assert(sizeof(HANDLE) == sizeof(void *), "HANDLE");
_Static_assert(sizeof(WSANETWORKEVENTS) == 44, "WSANETWORKEVENTS");
_Static_assert(sizeof(struct linger) == 4, "linger: two u_short");
_Static_assert(sizeof(struct sockaddr) == 16, "sockaddr");
_Static_assert(sizeof(struct sockaddr_in) == 16, "sockaddr_in");
_Static_assert(__builtin_offsetof(struct sockaddr_in, sin_port) == 2, "sin_port");
_Static_assert(__builtin_offsetof(struct sockaddr_in, sin_addr) == 4, "sin_addr");
_Static_assert(sizeof(struct sockaddr_in6) == 28, "sockaddr_in6");
_Static_assert(__builtin_offsetof(struct sockaddr_in6, sin6_addr) == 8, "sin6_addr");
_Static_assert(__builtin_offsetof(struct sockaddr_in6, sin6_scope_id) == 24, "scope");
_Static_assert(sizeof(struct sockaddr_storage) == 128, "sockaddr_storage");
_Static_assert(FIONBIO == 0x8004667EU, "FIONBIO");
_Static_assert(FIONREAD == 0x4004667FU, "FIONREAD");
_Static_assert(WSA_MAXIMUM_WAIT_EVENTS == WSAEVENT_MAX_WAIT_COUNT, "64");
#if UINTPTR_MAX > 0xffffffffu
_Static_assert(__builtin_offsetof(WSADATA, iMaxSockets) == 4, "Win64 WSADATA");
_Static_assert(__builtin_offsetof(WSADATA, lpVendorInfo) == 8, "Win64 WSADATA");
_Static_assert(__builtin_offsetof(WSADATA, szDescription) == 16, "Win64 WSADATA");
_Static_assert(sizeof(WSADATA) == 408, "Win64 WSADATA");
_Static_assert(sizeof(WSABUF) == 16, "WSABUF");
_Static_assert(sizeof(WSAOVERLAPPED) == 32, "WSAOVERLAPPED");
_Static_assert(__builtin_offsetof(WSAOVERLAPPED, hEvent) == 24, "hEvent");
#else
_Static_assert(sizeof(WSABUF) == 8, "WSABUF");
_Static_assert(sizeof(WSAOVERLAPPED) == 20, "WSAOVERLAPPED");
_Static_assert(__builtin_offsetof(WSAOVERLAPPED, hEvent) == 16, "hEvent");
#endif
/* Where WSAEVENT_IOC_SUBMIT writes (64-bit, or 32-bit with IO_COMPAT). */
_Static_assert(__builtin_offsetof(WSAOVERLAPPED, Internal) == 0, "Internal");
_Static_assert(__builtin_offsetof(WSAOVERLAPPED, InternalHigh) ==
	       sizeof(void *), "InternalHigh");
_Static_assert(__builtin_offsetof(WSAOVERLAPPED, Offset) ==
	       2 * sizeof(void *), "Offset");
_Static_assert(sizeof(ULONG_PTR) == sizeof(void *), "ULONG_PTR");
_Static_assert(__builtin_offsetof(WSABUF, len) == 0, "WSABUF.len first");

#endif /* LIBWSAEVENT_INTERNAL_H */
