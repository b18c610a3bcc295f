/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wsaevent.h - libwsaevent extensions to <winsock2.h>.
 *
 * On Windows a WSAEVENT is a kernel32 event: programs also use
 * CreateEvent (auto-reset events, an initial state), PulseEvent and
 * inheritable handles with the WSA* functions.  Linux has no kernel32, so
 * libwsaevent provides those abilities under WSA-style names declared
 * here, plus the bridge to Linux I/O multiplexing: every event is a file
 * descriptor that poll(), select(), epoll and WSAPoll report readable
 * while the event is signaled (WSAEVENT_POLLIN below names the Linux
 * value next to <winsock2.h>).  Polling never resets an event.
 *
 * Handles and fds: an event handle is (WSAEVENT)(intptr_t)(fd + 1), so
 * that WSA_INVALID_EVENT (NULL) never names fd 0.  Use WSAEventGetFd()
 * and WSAEventFromFd() rather than relying on the encoding.
 *
 * fork() and exec():
 *  - After fork() the child's handles refer to the same event objects as
 *    the parent's (like handles duplicated into the child): setting an
 *    event in one process wakes waiters in the other.  The child also
 *    shares the library state as it was at fork() time (WSAStartup
 *    count, the /dev/wsaevent context), so it may wait on those events.
 *  - exec() closes every event (they are O_CLOEXEC, like a
 *    non-inheritable Windows handle) unless it was created with
 *    WSA_CREATE_EVENT_INHERIT.  The new program starts with fresh library
 *    state and must call WSAStartup.  An inherited event can be set,
 *    reset, pulsed, closed and polled there (WSAEventFromFd), but it
 *    belongs to the parent's /dev/wsaevent context, so
 *    WSAWaitForMultipleEvents in the new program rejects it with
 *    WSA_INVALID_HANDLE; wait for it with poll() instead.
 */
#ifndef LIBWSAEVENT_WSAEVENT_H
#define LIBWSAEVENT_WSAEVENT_H

#include <winsock2.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBWSAEVENT_VERSION_MAJOR	1
#define LIBWSAEVENT_VERSION_MINOR	0
#define LIBWSAEVENT_VERSION_PATCH	0

/*
 * WSACreateEventEx - create an event with a chosen reset mode and state.
 * @bManualReset: TRUE: manual-reset (stays signaled until reset, like
 *	WSACreateEvent's); FALSE: auto-reset (a wait that it satisfies
 *	resets it, so one signal releases one waiter).
 * @bInitialState: TRUE: created signaled.
 *
 * Like CreateEvent(NULL, bManualReset, bInitialState, NULL).  Requires
 * WSAStartup.  Returns the event, or WSA_INVALID_EVENT with the last error
 * set: WSANOTINITIALISED, WSA_NOT_ENOUGH_MEMORY, WSAEMFILE (out of file
 * descriptors).  The event is not inherited across exec().
 */
WSAEVENT WSAAPI WSACreateEventEx(BOOL bManualReset, BOOL bInitialState);

/* Flags for WSACreateEventFlags (the first two as CreateEventEx's). */
#define WSA_CREATE_EVENT_MANUAL_RESET	0x00000001
#define WSA_CREATE_EVENT_INITIAL_SET	0x00000002
#define WSA_CREATE_EVENT_INHERIT	0x00000004	/* survives exec() */

/*
 * WSACreateEventFlags - create an event from WSA_CREATE_EVENT_* flags.
 *
 * WSA_CREATE_EVENT_INHERIT creates the fd without O_CLOEXEC, the
 * equivalent of an inheritable handle (see the fork/exec notes above).
 * Errors as WSACreateEventEx, plus WSA_INVALID_PARAMETER for unknown
 * flags.
 */
WSAEVENT WSAAPI WSACreateEventFlags(DWORD dwFlags);

/*
 * WSAPulseEvent - release the current waiters and leave the event reset.
 *
 * Like PulseEvent: atomically wakes every waiter the signal can satisfy
 * (all of them for a manual-reset event, one for an auto-reset event),
 * then the event is non-signaled.  With nobody waiting it just resets the
 * event.  Does not need WSAStartup.  Returns TRUE, or FALSE with
 * WSA_INVALID_HANDLE.
 */
BOOL WSAAPI WSAPulseEvent(WSAEVENT hEvent);

/*
 * WSAEventGetFd - the file descriptor behind an event handle.
 *
 * The fd is readable (Linux POLLIN | POLLRDNORM, named WSAEVENT_POLLIN
 * and WSAEVENT_POLLRDNORM below) exactly while the event is signaled;
 * poll/select/epoll never change the event's state.  The fd
 * stays owned by the handle: do not close() it, use WSACloseEvent.
 * Returns the fd, or -1 with WSA_INVALID_HANDLE when the handle is not
 * an open event.
 */
int WSAAPI WSAEventGetFd(WSAEVENT hEvent);

/*
 * WSAEventFromFd - the handle for an event file descriptor.
 *
 * For an event fd received from elsewhere (inherited across exec(),
 * passed over a Unix socket).  The handle refers to @fd itself; no
 * descriptor is duplicated, and WSACloseEvent on it closes @fd.  Returns
 * WSA_INVALID_EVENT with WSA_INVALID_HANDLE when @fd is not an event.
 */
WSAEVENT WSAAPI WSAEventFromFd(int fd);

/*
 * WSASleepEx - SleepEx() for Winsock programs: sleep, and with
 * @bAlertable run the calling thread's queued completion routines.
 * @dwMilliseconds: the time to sleep; INFINITE sleeps until a routine
 *	runs (alertable) or forever; 0 only yields (not alertable), or runs
 *	the routines already queued (alertable).
 *
 * Windows programs call kernel32's SleepEx(), which Linux lacks;
 * libwsaevent exports this one under its own name so that it can never
 * clash with a SleepEx of the program's or of another compatibility
 * layer.  Code shared with Windows can "#define SleepEx WSASleepEx".
 * Returns 0 when the time ran out, or WAIT_IO_COMPLETION (0xC0) after
 * running one or more completion routines (all of those that completed,
 * as in an alertable WSAWaitForMultipleEvents).  Does not need
 * WSAStartup; never fails.
 */
DWORD WSAAPI WSASleepEx(DWORD dwMilliseconds, BOOL bAlertable);

/*
 * The Linux poll(2) bits an event fd reports while signaled, for poll(),
 * ppoll() and epoll in code that includes <winsock2.h>: there POLLIN and
 * the other POLL* names have their Winsock values (for WSAPoll, which also
 * takes event fds: POLLRDNORM reports a signaled event).
 */
#define WSAEVENT_POLLIN		0x0001	/* Linux POLLIN */
#define WSAEVENT_POLLRDNORM	0x0040	/* Linux POLLRDNORM */

#ifdef __cplusplus
}
#endif

#endif /* LIBWSAEVENT_WSAEVENT_H */
