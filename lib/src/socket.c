// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The Winsock socket calls that set sockets up and take them down:
 * socket, bind, listen, accept, connect, shutdown, closesocket,
 * ioctlsocket, setsockopt, getsockopt, getsockname, getpeername, and the
 * address helpers.
 *
 * Each checks its arguments the Windows way, calls its Linux half in
 * sys_socket.c (normally one system call), and turns a Linux errno into
 * the Winsock error that Windows gives in the same situation.  Where
 * Linux and Windows disagree about the situation itself (Linux autobinds
 * on listen, reports a finished non-blocking connect with 0, lets an
 * AF_UNIX socket shut down unconnected...), the failure path asks the
 * kernel one more question; the success path never does.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "wsdefs.h"

/* sys_socket.c translates with wsdefs.h: its values must be Winsock's. */
_Static_assert(WS_AF_INET6 == AF_INET6 && WS_AF_INET == AF_INET &&
	       WS_AF_UNIX == AF_UNIX && WS_AF_UNSPEC == AF_UNSPEC, "AF_*");
_Static_assert(WS_SOCK_STREAM == SOCK_STREAM && WS_SOCK_DGRAM == SOCK_DGRAM &&
	       WS_SOCK_RAW == SOCK_RAW && WS_SOCK_SEQPACKET == SOCK_SEQPACKET,
	       "SOCK_*");
_Static_assert(WS_IPPROTO_TCP == IPPROTO_TCP && WS_IPPROTO_UDP == IPPROTO_UDP &&
	       WS_IPPROTO_IP == IPPROTO_IP && WS_IPPROTO_IPV6 == IPPROTO_IPV6,
	       "IPPROTO_*");
_Static_assert(WS_SOL_SOCKET == SOL_SOCKET && WS_SO_REUSEADDR == SO_REUSEADDR &&
	       WS_SO_KEEPALIVE == SO_KEEPALIVE && WS_SO_BROADCAST == SO_BROADCAST &&
	       WS_SO_LINGER == SO_LINGER && WS_SO_OOBINLINE == SO_OOBINLINE &&
	       WS_SO_DONTLINGER == SO_DONTLINGER &&
	       WS_SO_ACCEPTCONN == SO_ACCEPTCONN && WS_SO_DONTROUTE == SO_DONTROUTE &&
	       WS_SO_SNDBUF == SO_SNDBUF && WS_SO_RCVBUF == SO_RCVBUF &&
	       WS_SO_SNDTIMEO == SO_SNDTIMEO && WS_SO_RCVTIMEO == SO_RCVTIMEO &&
	       WS_SO_ERROR == SO_ERROR && WS_SO_TYPE == SO_TYPE &&
	       (int)~WS_SO_REUSEADDR == SO_EXCLUSIVEADDRUSE, "SO_*");
_Static_assert(WS_TCP_NODELAY == TCP_NODELAY && WS_TCP_KEEPALIVE == TCP_KEEPALIVE &&
	       WS_TCP_KEEPCNT == TCP_KEEPCNT && WS_TCP_KEEPINTVL == TCP_KEEPINTVL &&
	       WS_IP_TOS == IP_TOS && WS_IP_TTL == IP_TTL &&
	       WS_IPV6_UNICAST_HOPS == IPV6_UNICAST_HOPS &&
	       WS_IPV6_V6ONLY == IPV6_V6ONLY, "options");
_Static_assert(WS_MSG_OOB == MSG_OOB && WS_MSG_PEEK == MSG_PEEK &&
	       WS_MSG_DONTROUTE == MSG_DONTROUTE && WS_MSG_WAITALL == MSG_WAITALL &&
	       WS_MSG_PUSH_IMMEDIATE == MSG_PUSH_IMMEDIATE &&
	       WS_MSG_PARTIAL == MSG_PARTIAL, "MSG_*");
_Static_assert(WS_SD_RECEIVE == SD_RECEIVE && WS_SD_SEND == SD_SEND &&
	       WS_SD_BOTH == SD_BOTH, "SD_*");
_Static_assert(WS_POLLRDNORM == POLLRDNORM && WS_POLLRDBAND == POLLRDBAND &&
	       WS_POLLPRI == POLLPRI && WS_POLLWRNORM == POLLWRNORM &&
	       WS_POLLWRBAND == POLLWRBAND && WS_POLLERR == POLLERR &&
	       WS_POLLHUP == POLLHUP && WS_POLLNVAL == POLLNVAL, "POLL*");
_Static_assert(WS_SOCKADDR_IN_LEN == sizeof(struct sockaddr_in) &&
	       WS_SOCKADDR_IN6_LEN == sizeof(struct sockaddr_in6) &&
	       WS_SOCKADDR_UN_LEN == sizeof(struct sockaddr_un), "sockaddr");
_Static_assert(sizeof(WSAPOLLFD) == 8 && sizeof(struct timeval) == 8 &&
	       sizeof(fd_set) == sizeof(u_int) + FD_SETSIZE * sizeof(SOCKET),
	       "Windows layouts");

/* Windows' own limit for a listen backlog (SOMAXCONN asks for the most). */
#define WS_BACKLOG_MAX		0xffff
/* SOMAXCONN_HINT(n) is -n: a backlog of n, between these. */
#define WS_BACKLOG_HINT_MIN	200

#define FAIL(wsa)	return libwsaevent_sock_fail(wsa)

/* Every socket call starts with these two checks. */
#define SOCKET_CALL(s) do {						\
	if (!libwsaevent_started())					\
		FAIL(WSANOTINITIALISED);				\
	if ((s) < 0)							\
		FAIL(WSAENOTSOCK);					\
} while (0)

/* SOCKINFO type of @s: from its state, or asked of the kernel. */
static uint32_t sock_type(SOCKET s)
{
	return libwsaevent_sockfd_info(s, libwsaevent_sockfd_get(s)) &
	       SOCKINFO_TYPE_MASK;
}

/* ------------------------------------------------------------------ */

WSA_EXPORT SOCKET WSAAPI socket(int af, int type, int protocol)
{
	unsigned int info = 0;
	int fd;

	if (!libwsaevent_started())
		FAIL(WSANOTINITIALISED);
	fd = libwsaevent_sys_socket(af, type, protocol, &info);
	if (fd < 0) {
		libwsaevent_sock_fail(libwsaevent_sock_error(-fd));
		return INVALID_SOCKET;
	}
	libwsaevent_sockfd_set(fd, SOCKFD_TRACKED | info);
	return libwsaevent_sock_ok(fd);
}

WSA_EXPORT int WSAAPI bind(SOCKET s, const struct sockaddr *name, int namelen)
{
	int ret;

	SOCKET_CALL(s);
	ret = libwsaevent_sys_bind(s, name, namelen);
	if (ret)
		FAIL(libwsaevent_sock_error(-ret));	/* EINVAL: bound */
	return libwsaevent_sock_ok(0);
}

WSA_EXPORT int WSAAPI listen(SOCKET s, int backlog)
{
	uint32_t type;
	int ret;

	SOCKET_CALL(s);
	type = sock_type(s);
	if (!type)
		FAIL(WSAENOTSOCK);	/* closed, or not a socket */
	if (type != SOCKINFO_STREAM)
		FAIL(WSAEOPNOTSUPP);
	/* Linux would bind to a random port; Windows wants bind() first. */
	ret = libwsaevent_sys_is_bound(s);
	if (ret < 0)
		FAIL(libwsaevent_sock_error(-ret));
	if (!ret)
		FAIL(WSAEINVAL);

	if (backlog < 0) {
		backlog = backlog == INT_MIN ? INT_MAX : -backlog;
		if (backlog < WS_BACKLOG_HINT_MIN)
			backlog = WS_BACKLOG_HINT_MIN;
	}
	if (backlog > WS_BACKLOG_MAX)
		backlog = WS_BACKLOG_MAX;	/* Linux clamps to somaxconn */

	ret = libwsaevent_sys_listen(s, backlog);
	if (ret == -EINVAL && libwsaevent_sys_has_peer(s) == 1)
		FAIL(WSAEISCONN);
	if (ret)
		FAIL(libwsaevent_sock_error(-ret));
	libwsaevent_sockfd_or(s, SOCKFD_LISTENING);
	return libwsaevent_sock_ok(0);
}

int libwsaevent_would_block(int s, uint32_t st, int which)
{
	uint32_t ms;

	if ((st & SOCKFD_TRACKED) &&
	    !(libwsaevent_sockfd_get_timeo(s, which, &ms) && ms))
		return WSAEWOULDBLOCK;
	return libwsaevent_sys_nonblocking(s) == 0 ? WSAETIMEDOUT :
						     WSAEWOULDBLOCK;
}

WSA_EXPORT SOCKET WSAAPI accept(SOCKET s, struct sockaddr *addr, int *addrlen)
{
	uint32_t st;
	int fd, err;

	SOCKET_CALL(s);
	if (addr && !addrlen)
		FAIL(WSAEFAULT);
	st = libwsaevent_sockfd_get(s);
	fd = libwsaevent_sys_accept(libwsaevent_device_fd(), s, addr, addrlen,
				    st & SOCKINFO_MASK);
	if (fd < 0) {
		switch (-fd) {
		case EAGAIN:
			err = libwsaevent_would_block(s, st, SOCKFD_RCVTIMEO);
			break;
		case ECONNABORTED:
			/* Reset by the peer before it was accepted. */
			err = WSAECONNRESET;
			break;
		case EINVAL:
			/*
			 * It was listening when the call began: closesocket()
			 * in another thread shut it down to wake this one up
			 * (sockfd.c).  Windows fails such an accept with
			 * WSAEINTR.
			 */
			if (st & SOCKFD_LISTENING) {
				err = WSAEINTR;
				break;
			}
			err = WSAEINVAL;	/* not listening */
			break;
		default:
			err = libwsaevent_sock_error(-fd);
			break;
		}
		libwsaevent_sock_fail(err);
		return INVALID_SOCKET;
	}
	/* The kernel gave it the listener's selection, if any. */
	libwsaevent_sockfd_set(fd, SOCKFD_TRACKED | SOCKFD_ACCEPTED |
			       SOCKFD_CONNECTED |
			       (st & (SOCKINFO_MASK | SOCKFD_SELECTED)));
	if (st & (SOCKFD_TIMEO_SET(0) | SOCKFD_TIMEO_SET(1)))
		libwsaevent_sockfd_inherit_timeo(fd, s);
	return libwsaevent_sock_ok(fd);
}

WSA_EXPORT int WSAAPI connect(SOCKET s, const struct sockaddr *name,
			      int namelen)
{
	uint32_t st;
	int ret;

	SOCKET_CALL(s);
	st = libwsaevent_sockfd_get(s);
	ret = libwsaevent_sys_connect(s, name, namelen);
	if (!ret) {
		/*
		 * Linux's way of saying a non-blocking connect finished (once,
		 * to the first connect after it); a stream socket is then
		 * already connected, as Windows says.  UDP may connect again.
		 */
		if ((st & (SOCKFD_CONNECTING | SOCKFD_CONNECTED)) &&
		    sock_type(s) == SOCKINFO_STREAM) {
			libwsaevent_sockfd_clear(s, SOCKFD_CONNECTING);
			libwsaevent_sockfd_or(s, SOCKFD_CONNECTED);
			FAIL(WSAEISCONN);
		}
		libwsaevent_sockfd_or(s, SOCKFD_CONNECTED);
		/*
		 * An AF_UNIX stream or a UDP socket connects at once, without
		 * a wake-up of its own, so the kernel has not yet seen the
		 * FD_CONNECT and FD_WRITE of a selected socket: make it look.
		 */
		if (st & SOCKFD_SELECTED)
			libwsaevent_sys_reevaluate(libwsaevent_device_fd(), s);
		return libwsaevent_sock_ok(0);
	}
	switch (-ret) {
	case EINPROGRESS:
		if (libwsaevent_sys_nonblocking(s) == 0)
			FAIL(WSAETIMEDOUT);	/* SO_SNDTIMEO ran out */
		libwsaevent_sockfd_or(s, SOCKFD_CONNECTING);
		FAIL(WSAEWOULDBLOCK);
	case EALREADY:
		FAIL(WSAEALREADY);
	case EISCONN:
	case EINVAL:
		if (libwsaevent_sys_is_listening(s) == 1)
			FAIL(WSAEINVAL);
		if (ret == -EISCONN)
			libwsaevent_sockfd_or(s, SOCKFD_CONNECTED);
		FAIL(libwsaevent_sock_error(-ret));
	case EAGAIN:		/* AF_UNIX: the listener's backlog is full */
	case ENOENT:		/* AF_UNIX: nothing at that path */
		FAIL(WSAECONNREFUSED);
	default:
		libwsaevent_sockfd_clear(s, SOCKFD_CONNECTING);
		FAIL(libwsaevent_sock_error(-ret));
	}
}

WSA_EXPORT int WSAAPI shutdown(SOCKET s, int how)
{
	uint32_t type, latch;
	int ret;

	SOCKET_CALL(s);
	if (how < SD_RECEIVE || how > SD_BOTH)
		FAIL(libwsaevent_sys_is_socket(s) == 1 ? WSAEINVAL : WSAENOTSOCK);
	type = sock_type(s);
	if (!type)
		FAIL(WSAENOTSOCK);
	/*
	 * A stream socket needs a connection (a listener has none).  Linux
	 * would shut a listener down (closing it for SD_RECEIVE), let an
	 * AF_UNIX socket shut down unconnected, and mark an unconnected TCP
	 * socket shut down while failing with ENOTCONN.
	 */
	if (type == SOCKINFO_STREAM) {
		ret = libwsaevent_sys_has_peer(s);
		if (ret < 0)
			FAIL(libwsaevent_sock_error(-ret));
		if (!ret)
			FAIL(WSAENOTCONN);
	}
	ret = libwsaevent_sys_shutdown(s, how);
	/* Datagram sockets shut down connected or not, as on Windows. */
	if (ret == -ENOTCONN && type != SOCKINFO_STREAM)
		ret = 0;
	if (ret)
		FAIL(libwsaevent_sock_error(-ret));
	latch = (how != SD_SEND ? SOCKFD_SHUT_RD : 0) |
		(how != SD_RECEIVE ? SOCKFD_SHUT_WR : 0);
	libwsaevent_sockfd_or(s, latch);
	return libwsaevent_sock_ok(0);
}

WSA_EXPORT int WSAAPI closesocket(SOCKET s)
{
	SOCKET_CALL(s);
	if (libwsaevent_close_socket(libwsaevent_device_fd(), s))
		FAIL(WSAENOTSOCK);
	return libwsaevent_sock_ok(0);
}

WSA_EXPORT int WSAAPI ioctlsocket(SOCKET s, LONG cmd, u_long *argp)
{
	struct wsaevent_fionbio_args fionbio;
	u_long mode;
	int ret;

	SOCKET_CALL(s);
	switch ((u_long)cmd) {
	case FIONBIO:
		/* argp is read safely: a bad pointer is WSAEFAULT. */
		if (!argp || libwsaevent_sys_peek(&mode, argp, sizeof(mode)))
			FAIL(WSAEFAULT);
		fionbio.sock = (__u32)s;
		fionbio.nonblocking = mode != 0;
		/* Clearing fails with EINVAL while a mask is selected. */
		if (ioctl(libwsaevent_device_fd(), WSAEVENT_IOC_FIONBIO, &fionbio))
			FAIL(libwsaevent_sock_error(errno));
		return libwsaevent_sock_ok(0);
	case FIONREAD:
		if (!argp)
			FAIL(WSAEFAULT);
		ret = libwsaevent_sys_fionread(s, argp);
		if (ret)
			FAIL(libwsaevent_sock_error(-ret));
		return libwsaevent_sock_ok(0);
	case SIOCATMARK:
		if (!argp)
			FAIL(WSAEFAULT);
		if (!(libwsaevent_sockfd_get(s) & SOCKFD_TRACKED) &&
		    libwsaevent_sys_is_socket(s) != 1)
			FAIL(WSAENOTSOCK);
		ret = libwsaevent_sys_oob_pending(s);
		if (ret < 0)
			FAIL(libwsaevent_sock_error(-ret));
		/* TRUE: no urgent data waits to be read. */
		mode = !ret;
		if (libwsaevent_sys_poke(argp, &mode, sizeof(mode)))
			FAIL(WSAEFAULT);
		return libwsaevent_sock_ok(0);
	default:
		FAIL(libwsaevent_sys_is_socket(s) == 1 ? WSAEINVAL : WSAENOTSOCK);
	}
}

WSA_EXPORT int WSAAPI setsockopt(SOCKET s, int level, int optname,
				 const char *optval, int optlen)
{
	uint32_t timeo;
	int ret;

	SOCKET_CALL(s);
	ret = libwsaevent_sys_setsockopt(s, level, optname, optval, optlen);
	if (ret)
		FAIL(libwsaevent_sock_error(-ret));
	if (level == SOL_SOCKET &&
	    (optname == SO_RCVTIMEO || optname == SO_SNDTIMEO)) {
		memcpy(&timeo, optval, sizeof(timeo));
		libwsaevent_sockfd_set_timeo(s, optname == SO_RCVTIMEO ?
					     SOCKFD_RCVTIMEO : SOCKFD_SNDTIMEO,
					     timeo);
	}
	return libwsaevent_sock_ok(0);
}

WSA_EXPORT int WSAAPI getsockopt(SOCKET s, int level, int optname,
				 char *optval, int *optlen)
{
	uint32_t timeo, st;
	int ret, err;

	SOCKET_CALL(s);
	st = libwsaevent_sockfd_get(s);
	ret = libwsaevent_sys_getsockopt(s, level, optname, optval, optlen);
	if (ret)
		FAIL(libwsaevent_sock_error(-ret));
	/* The timeouts as they were set (the kernel rounds them). */
	if (level == SOL_SOCKET &&
	    (optname == SO_RCVTIMEO || optname == SO_SNDTIMEO) &&
	    libwsaevent_sockfd_get_timeo(s, optname == SO_RCVTIMEO ?
					 SOCKFD_RCVTIMEO : SOCKFD_SNDTIMEO,
					 &timeo))
		memcpy(optval, &timeo, sizeof(timeo));
	if (level == SOL_SOCKET && optname == SO_ERROR) {
		/*
		 * Linux forgets a reset here; Windows remembers it.  One
		 * that a call already reported (it is latched: a failed
		 * recv, WSAGetOverlappedResult of a receive the reset
		 * failed) is not reported again: Linux may still hold it
		 * when the kernel failed overlapped receives without reading
		 * it, and Windows then says 0 (test_tcp_reset).
		 */
		memcpy(&err, optval, sizeof(err));
		if ((err == ECONNRESET || err == EPIPE) &&
		    sock_type(s) == SOCKINFO_STREAM) {
			if (st & SOCKFD_RESET)
				err = 0;
			libwsaevent_sockfd_or(s, SOCKFD_RESET);
		}
		err = err ? libwsaevent_sock_error(err) : 0;
		memcpy(optval, &err, sizeof(err));
	}
	return libwsaevent_sock_ok(0);
}

static int getname(SOCKET s, int peer, struct sockaddr *name, int *namelen)
{
	int ret;

	SOCKET_CALL(s);
	ret = libwsaevent_sys_getname(s, peer, name, namelen);
	if (ret)
		FAIL(libwsaevent_sock_error(-ret));
	return libwsaevent_sock_ok(0);
}

WSA_EXPORT int WSAAPI getsockname(SOCKET s, struct sockaddr *name,
				  int *namelen)
{
	return getname(s, 0, name, namelen);
}

WSA_EXPORT int WSAAPI getpeername(SOCKET s, struct sockaddr *name,
				  int *namelen)
{
	return getname(s, 1, name, namelen);
}

/* ------------------------------------------------------------------ */
/* Address helpers: no WSAStartup needed.                              */

WSA_EXPORT u_long WSAAPI inet_addr(const char *cp)
{
	return libwsaevent_sys_inet_addr(cp);
}

WSA_EXPORT char *WSAAPI inet_ntoa(struct in_addr in)
{
	/* One buffer per thread, as Windows has. */
	static __thread char buf[16];

	libwsaevent_sys_inet_ntoa(in.s_addr, buf);
	return buf;
}

WSA_EXPORT INT WSAAPI inet_pton(INT Family, PCSTR pszAddrString,
				PVOID pAddrBuf)
{
	int ret = libwsaevent_sys_inet_pton(Family, pszAddrString, pAddrBuf);

	if (ret < 0)
		return libwsaevent_sock_fail(libwsaevent_sock_error(-ret));
	return ret;
}

WSA_EXPORT PCSTR WSAAPI inet_ntop(INT Family, const VOID *pAddr,
				  PSTR pStringBuf, size_t StringBufSize)
{
	int ret = libwsaevent_sys_inet_ntop(Family, pAddr, pStringBuf,
					    StringBufSize);

	if (ret) {
		libwsaevent_set_error(ret == -EAFNOSUPPORT ? WSAEAFNOSUPPORT :
							    ERROR_INVALID_PARAMETER);
		return NULL;
	}
	return pStringBuf;
}
