/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The boundary between the two halves of the socket calls.
 *
 * <winsock2.h> and the Linux socket headers cannot meet in one source
 * file (their constants clash), so the socket calls are split:
 *
 *  - socket.c, io.c, overlapped.c, apc.c, poll.c, netevents.c, wait.c
 *    and sockfd.c include <winsock2.h> (through internal.h).  They are the
 *    exported Winsock functions: argument checks, WSAStartup, the
 *    per-socket and per-thread state, the Winsock error codes.
 *  - sys_socket.c includes the Linux headers and nothing of Winsock but
 *    the WS_ values of wsdefs.h.  It translates Windows constants,
 *    addresses and option formats to Linux ones and back, and makes the
 *    system calls.
 *
 * The functions declared here speak plain C types.  Unless a comment says
 * otherwise they return a non-negative value on success and a negative
 * Linux errno on failure; the caller turns that into a Winsock error.
 * Arguments named ws_* carry Windows values.
 */
#ifndef LIBWSAEVENT_SYS_H
#define LIBWSAEVENT_SYS_H

#include <stddef.h>
#include <stdint.h>

/*
 * What the library knows of a socket's kind; the low bits of its per-fd
 * state (sockfd.c).  0 in a field: not known.
 */
#define SOCKINFO_TYPE_MASK	0x3u
#define SOCKINFO_STREAM		0x1u	/* SOCK_STREAM, SOCK_SEQPACKET */
#define SOCKINFO_DGRAM		0x2u	/* SOCK_DGRAM */
#define SOCKINFO_OTHER		0x3u	/* SOCK_RAW, ... */
#define SOCKINFO_FAMILY_MASK	0xcu
#define SOCKINFO_INET		0x4u
#define SOCKINFO_INET6		0x8u
#define SOCKINFO_UNIX		0xcu
#define SOCKINFO_MASK		(SOCKINFO_TYPE_MASK | SOCKINFO_FAMILY_MASK)

/* Linux poll(2) values; sys_socket.c checks them against <poll.h>. */
#define LNX_POLLIN		0x0001
#define LNX_POLLPRI		0x0002
#define LNX_POLLOUT		0x0004
#define LNX_POLLERR		0x0008
#define LNX_POLLHUP		0x0010
#define LNX_POLLNVAL		0x0020
#define LNX_POLLRDNORM		0x0040
#define LNX_POLLRDBAND		0x0080
#define LNX_POLLWRNORM		0x0100
#define LNX_POLLWRBAND		0x0200

/*
 * socket(): a new socket (O_CLOEXEC, blocking) for Windows @ws_af, @type,
 * @protocol; *info gets its SOCKINFO_* bits.  IPv6 sockets are made
 * IPv6-only, Windows' default.
 */
int libwsaevent_sys_socket(int ws_af, int type, int protocol,
			   unsigned int *info);

/* The SOCKINFO_* bits of @fd, asked of the kernel; 0 when unknown. */
unsigned int libwsaevent_sys_sockinfo(int fd);

/*
 * bind() and connect() with a Winsock address.  -EFAULT for a NULL
 * address or a length too short for its family; -EAFNOSUPPORT for a
 * family that Winsock does not have here.
 */
int libwsaevent_sys_bind(int fd, const void *ws_addr, int ws_len);
int libwsaevent_sys_connect(int fd, const void *ws_addr, int ws_len);

/* 1 when @fd has a local address (bound, or autobound), else 0. */
int libwsaevent_sys_is_bound(int fd);
/* 1 when @fd has a peer (getpeername works), 0 when not (ENOTCONN). */
int libwsaevent_sys_has_peer(int fd);
/* 1 when @fd is listening (SO_ACCEPTCONN). */
int libwsaevent_sys_is_listening(int fd);
/* 1 when SO_OOBINLINE is set on @fd. */
int libwsaevent_sys_oobinline(int fd);
/* 1 when @fd is in non-blocking mode (O_NONBLOCK). */
int libwsaevent_sys_nonblocking(int fd);
/* 1 when @fd is an open socket, 0 for another open fd. */
int libwsaevent_sys_is_socket(int fd);

int libwsaevent_sys_listen(int fd, int backlog);

/*
 * accept() through the device @dev (WSAEVENT_IOC_ACCEPT, one system call:
 * it re-enables FD_ACCEPT).  @ws_addr/@ws_len as accept()'s; -EFAULT when
 * *@ws_len is smaller than the listener's address family needs (decided
 * from @info, which is asked of the kernel only when it lacks the family).
 * Returns the new fd (O_CLOEXEC).
 */
int libwsaevent_sys_accept(int dev, int fd, void *ws_addr, int *ws_len,
			   unsigned int info);

/*
 * getsockname() (@peer 0) or getpeername() (@peer 1) into a Winsock
 * address.  -EFAULT when *@ws_len is too small; getsockname of an unbound
 * socket is -EINVAL, as on Windows.
 */
int libwsaevent_sys_getname(int fd, int peer, void *ws_addr, int *ws_len);

/* shutdown() with Windows' SD_* @ws_how. */
int libwsaevent_sys_shutdown(int fd, int ws_how);

/*
 * A data buffer with the layout of struct iovec (checked in
 * sys_socket.c), so that the Winsock side can fill one from a WSABUF
 * without the Linux headers.
 */
struct libwsaevent_iov {
	void *base;
	size_t len;
};

/*
 * The Windows MSG_* flags a receive reports (WSARecv's *lpFlags,
 * WSAGetOverlappedResult's *lpdwFlags) for the Linux msg_flags of the
 * receive: MSG_OOB for urgent data, else 0.
 */
unsigned int libwsaevent_sys_msg_flags_out(unsigned int msg_flags);

/*
 * The recv and send below with @n buffers (WSARecv, WSASend...).  recvv
 * returns the byte count even for a datagram that did not fit, with
 * *@truncated set (1) and *@ws_flags_out the Windows flags; the others
 * as for libwsaevent_sys_recv/send.
 */
long libwsaevent_sys_recvv(int dev, int fd, const struct libwsaevent_iov *iov,
			   unsigned int n, int ws_flags, void *from,
			   int *fromlen, unsigned int info, int *truncated,
			   unsigned int *ws_flags_out);
long libwsaevent_sys_sendv(int dev, int fd, const struct libwsaevent_iov *iov,
			   unsigned int n, int ws_flags, const void *to,
			   int tolen, unsigned int info);

/*
 * An overlapped operation (WSAEVENT_IOC_SUBMIT, one system call).
 * @event_fd: the event to signal at completion, or -1; @reset_event: reset
 * it first (hEvent; not the alert event of a completion routine).
 * @overlapped: the caller's WSAOVERLAPPED, whose Internal the caller has
 * set to STATUS_PENDING.  Send: @addr/@addrlen, a Winsock destination or
 * NULL (ignored for stream sockets).  Receive: @addr/@addrlen_ptr, the
 * Winsock lpFrom/lpFromlen or NULL (ignored for stream sockets; -EFAULT
 * when *@addrlen_ptr is too small for the family), written at completion.
 */
struct libwsaevent_submit {
	int fd;
	int recv;
	int ws_flags;
	int event_fd;
	int reset_event;
	const struct libwsaevent_iov *iov;
	unsigned int n;
	void *overlapped;
	void *addr;
	int addrlen;
	int *addrlen_ptr;
	unsigned int info;
};

/*
 * Returns 0 (completed: results written, event signaled), -EINPROGRESS
 * (pending), -EMSGSIZE (completed with a truncated datagram) or another
 * -errno (not started: nothing will be written or signaled).
 */
int libwsaevent_sys_submit(int dev, const struct libwsaevent_submit *sub);

/* Cancel every operation the calling thread posted (thread exit). */
int libwsaevent_sys_cancel_thread(int dev);

/*
 * recv/recvfrom through the device (WSAEVENT_IOC_RECV, one system call
 * that also re-enables FD_READ and FD_OOB).  @ws_flags: Windows MSG_*
 * (-EOPNOTSUPP for others).  @from/@fromlen: a Winsock address buffer or
 * NULL; ignored for stream sockets, as on Windows.  A datagram that did
 * not fit is -EMSGSIZE (its start is in @buf).  @info as for accept.
 */
long libwsaevent_sys_recv(int dev, int fd, void *buf, int len, int ws_flags,
			  void *from, int *fromlen, unsigned int info);

/*
 * send/sendto through the device (WSAEVENT_IOC_SEND, one system call; a
 * send that fails with EAGAIN re-enables FD_WRITE).  @to is ignored for
 * stream sockets.  Never raises SIGPIPE.
 */
long libwsaevent_sys_send(int dev, int fd, const void *buf, int len,
			  int ws_flags, const void *to, int tolen,
			  unsigned int info);

/*
 * setsockopt/getsockopt with Windows levels, names and formats.
 * -EINVAL for an unknown level, -ENOPROTOOPT for an unknown or read-only
 * name, -EFAULT for a NULL value or a length too short.  SO_ERROR is
 * returned as the raw Linux errno (the caller maps it).
 */
int libwsaevent_sys_setsockopt(int fd, int ws_level, int ws_name,
			       const void *val, int len);
int libwsaevent_sys_getsockopt(int fd, int ws_level, int ws_name,
			       void *val, int *len);

/*
 * Copy @n bytes from or to memory of the caller's that may be invalid:
 * -EFAULT instead of a crash (Windows answers WSAEFAULT for a bad
 * ioctlsocket argp).  One process_vm_readv/writev on this process.
 */
int libwsaevent_sys_peek(void *dst, const void *user, size_t n);
int libwsaevent_sys_poke(void *user, const void *src, size_t n);

/*
 * Make the kernel look at @fd's state again (see connect() in socket.c):
 * WSAEVENT_IOC_REFRESH, for state changes that wake nobody.
 */
void libwsaevent_sys_reevaluate(int dev, int fd);

/*
 * closesocket() of a listening socket: shut it down (SHUT_RDWR) so that a
 * thread blocked in accept() or select() on it wakes up (Linux's close()
 * wakes neither; accept() then fails with EINVAL).  Returns 0 or -errno.
 */
int libwsaevent_sys_shutdown_listener(int fd);

/* FIONREAD: the bytes one recv would return, stored in @count (a user
 * pointer: -EFAULT when it is not writable). */
int libwsaevent_sys_fionread(int fd, uint32_t *count);
/* 1 while urgent (OOB) data is pending, inline or not; for SIOCATMARK. */
int libwsaevent_sys_oob_pending(int fd);

/* The Linux poll(2) bits for Windows POLL* request bits, and back. */
short libwsaevent_sys_poll_events(int ws_events);
int libwsaevent_sys_poll_revents(int revents);

/* inet_pton/inet_ntop for Windows AF_INET/AF_INET6. */
int libwsaevent_sys_inet_pton(int ws_af, const char *src, void *dst);
int libwsaevent_sys_inet_ntop(int ws_af, const void *src, char *dst,
			      size_t size);
/* inet_addr: INADDR_NONE (all ones) for what is not an address. */
uint32_t libwsaevent_sys_inet_addr(const char *cp);
/* inet_ntoa into @buf (at least 16 bytes). */
void libwsaevent_sys_inet_ntoa(uint32_t addr, char *buf);

#endif /* LIBWSAEVENT_SYS_H */
