// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The Linux half of the socket calls (see sys.h): Windows constants,
 * addresses and option formats in, Linux system calls out.
 *
 * This file must not include <winsock2.h>: it works with the Linux socket
 * headers and the WS_ values of wsdefs.h.  It keeps no state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/wsaevent.h>

#include "sys.h"
#include "wsdefs.h"

_Static_assert(LNX_POLLIN == POLLIN && LNX_POLLPRI == POLLPRI &&
	       LNX_POLLOUT == POLLOUT && LNX_POLLERR == POLLERR &&
	       LNX_POLLHUP == POLLHUP && LNX_POLLNVAL == POLLNVAL &&
	       LNX_POLLRDNORM == POLLRDNORM && LNX_POLLRDBAND == POLLRDBAND &&
	       LNX_POLLWRNORM == POLLWRNORM && LNX_POLLWRBAND == POLLWRBAND,
	       "Linux poll values");
_Static_assert(WS_SOCKADDR_IN_LEN == sizeof(struct sockaddr_in), "sin");
_Static_assert(WS_SOCKADDR_IN6_LEN == sizeof(struct sockaddr_in6), "sin6");
_Static_assert(WS_SOCKADDR_UN_LEN == sizeof(struct sockaddr_un), "sun");
_Static_assert(sizeof(struct libwsaevent_iov) == sizeof(struct iovec) &&
	       offsetof(struct libwsaevent_iov, base) ==
	       offsetof(struct iovec, iov_base) &&
	       offsetof(struct libwsaevent_iov, len) ==
	       offsetof(struct iovec, iov_len), "libwsaevent_iov is an iovec");

/* ------------------------------------------------------------------ */
/* Kinds of sockets.                                                   */

static unsigned int family_info(int family)
{
	switch (family) {
	case AF_INET:	return SOCKINFO_INET;
	case AF_INET6:	return SOCKINFO_INET6;
	case AF_UNIX:	return SOCKINFO_UNIX;
	default:	return 0;
	}
}

static unsigned int type_info(int type)
{
	switch (type) {
	case SOCK_STREAM:
	case SOCK_SEQPACKET:	return SOCKINFO_STREAM;
	case SOCK_DGRAM:	return SOCKINFO_DGRAM;
	default:		return SOCKINFO_OTHER;
	}
}

unsigned int libwsaevent_sys_sockinfo(int fd)
{
	int type, family;
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return 0;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len))
		return type_info(type);
	return type_info(type) | family_info(family);
}

/* @info with its family filled in from the kernel when it lacks one. */
static unsigned int complete_info(int fd, unsigned int info)
{
	if (!(info & SOCKINFO_FAMILY_MASK) || !(info & SOCKINFO_TYPE_MASK))
		info = libwsaevent_sys_sockinfo(fd);
	return info;
}

/* The smallest Winsock address buffer a socket of this family fills. */
static int family_addr_len(unsigned int info)
{
	switch (info & SOCKINFO_FAMILY_MASK) {
	case SOCKINFO_INET:	return WS_SOCKADDR_IN_LEN;
	case SOCKINFO_INET6:	return WS_SOCKADDR_IN6_LEN;
	case SOCKINFO_UNIX:	return WS_SOCKADDR_UN_LEN;
	default:		return (int)sizeof(sa_family_t);
	}
}

int libwsaevent_sys_socket(int ws_af, int type, int protocol,
			   unsigned int *info)
{
	int af, fd, one = 1;

	switch (ws_af) {
	case WS_AF_INET:	af = AF_INET; break;
	case WS_AF_INET6:	af = AF_INET6; break;
	case WS_AF_UNIX:	af = AF_UNIX; break;
	default:		return -EAFNOSUPPORT;
	}
	/* Windows' types are 1..5, as Linux's; no Linux flag bits. */
	if (type < WS_SOCK_STREAM || type > WS_SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	fd = socket(af, type | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return errno == EINVAL ? -ESOCKTNOSUPPORT : -errno;
	/* Windows IPv6 sockets are IPv6-only unless told otherwise. */
	if (af == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	*info = type_info(type) | family_info(af);
	return fd;
}

/* ------------------------------------------------------------------ */
/* Addresses.                                                          */

/*
 * A Winsock address to a Linux one.  The layouts are Linux's; only the
 * family value differs (AF_INET6: 23 on Windows, 10 on Linux).
 */
static int addr_in(const void *ws, int ws_len, struct sockaddr_storage *out,
		   socklen_t *out_len)
{
	unsigned short family;
	int need, max = (int)sizeof(*out);

	if (!ws || ws_len < (int)sizeof(family))
		return -EFAULT;
	memcpy(&family, ws, sizeof(family));
	switch (family) {
	case WS_AF_INET:
		out->ss_family = AF_INET;
		need = WS_SOCKADDR_IN_LEN;
		break;
	case WS_AF_INET6:
		out->ss_family = AF_INET6;
		/* The 24-byte RFC 2133 form (no scope id) is accepted too. */
		need = WS_SOCKADDR_IN6_LEN - (int)sizeof(uint32_t);
		break;
	case WS_AF_UNIX:
		out->ss_family = AF_UNIX;
		need = (int)sizeof(sa_family_t);
		max = WS_SOCKADDR_UN_LEN;
		break;
	case WS_AF_UNSPEC:
		out->ss_family = AF_UNSPEC;
		need = (int)sizeof(sa_family_t);
		break;
	default:
		return -EAFNOSUPPORT;
	}
	if (ws_len < need)
		return -EFAULT;
	if (ws_len > max)
		ws_len = max;
	memcpy((char *)out + sizeof(family), (const char *)ws + sizeof(family),
	       (size_t)ws_len - sizeof(family));
	*out_len = (socklen_t)ws_len;
	return 0;
}

/*
 * A Linux address of @len bytes to the Winsock buffer @ws of *@ws_len
 * bytes, which becomes @len.  When it does not fit: -EFAULT, or with
 * @truncate its first *@ws_len bytes (what accept and recvfrom do for
 * families whose size they could not check in advance).
 */
static int addr_out(const struct sockaddr_storage *in, socklen_t len,
		    void *ws, int *ws_len, int truncate)
{
	struct sockaddr_storage tmp;
	unsigned short family;

	if (!ws || !ws_len || *ws_len < 0)
		return -EFAULT;
	if (len > sizeof(tmp))
		len = sizeof(tmp);
	memcpy(&tmp, in, len);
	if (len >= sizeof(family)) {
		family = in->ss_family == AF_INET6 ? WS_AF_INET6 : in->ss_family;
		memcpy(&tmp, &family, sizeof(family));
	}
	if ((socklen_t)*ws_len < len) {
		if (!truncate)
			return -EFAULT;
		memcpy(ws, &tmp, (size_t)*ws_len);
	} else {
		memcpy(ws, &tmp, len);
	}
	*ws_len = (int)len;
	return 0;
}

int libwsaevent_sys_bind(int fd, const void *ws_addr, int ws_len)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int ret = addr_in(ws_addr, ws_len, &ss, &len);

	if (ret)
		return ret;
	return bind(fd, (struct sockaddr *)&ss, len) ? -errno : 0;
}

int libwsaevent_sys_connect(int fd, const void *ws_addr, int ws_len)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int ret = addr_in(ws_addr, ws_len, &ss, &len);

	if (ret)
		return ret;
	return connect(fd, (struct sockaddr *)&ss, len) ? -errno : 0;
}

int libwsaevent_sys_is_bound(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	switch (ss.ss_family) {
	case AF_INET:
		return ((struct sockaddr_in *)&ss)->sin_port != 0;
	case AF_INET6:
		return ((struct sockaddr_in6 *)&ss)->sin6_port != 0;
	case AF_UNIX:
		/* Unbound: the family alone (abstract autobind has a name). */
		return len > sizeof(sa_family_t);
	default:
		return 1;
	}
}

int libwsaevent_sys_has_peer(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (!getpeername(fd, (struct sockaddr *)&ss, &len))
		return 1;
	return errno == ENOTCONN ? 0 : -errno;
}

static int get_int_option(int fd, int level, int name)
{
	int val = 0;
	socklen_t len = sizeof(val);

	if (getsockopt(fd, level, name, &val, &len))
		return -errno;
	return val;
}

int libwsaevent_sys_is_listening(int fd)
{
	int ret = get_int_option(fd, SOL_SOCKET, SO_ACCEPTCONN);

	return ret < 0 ? ret : ret != 0;
}

int libwsaevent_sys_oobinline(int fd)
{
	int ret = get_int_option(fd, SOL_SOCKET, SO_OOBINLINE);

	return ret < 0 ? ret : ret != 0;
}

int libwsaevent_sys_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags < 0 ? -errno : (flags & O_NONBLOCK) != 0;
}

int libwsaevent_sys_is_socket(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	return S_ISSOCK(st.st_mode);
}

int libwsaevent_sys_listen(int fd, int backlog)
{
	return listen(fd, backlog) ? -errno : 0;
}

int libwsaevent_sys_accept(int dev, int fd, void *ws_addr, int *ws_len,
			   unsigned int info)
{
	struct sockaddr_storage ss;
	struct wsaevent_accept_args args = {
		.sock = (__u32)fd,
		.flags = SOCK_CLOEXEC,
	};
	int newfd;

	if (ws_addr) {
		if (!ws_len || *ws_len < family_addr_len(complete_info(fd, info)))
			return -EFAULT;
		args.addr = (uintptr_t)&ss;
		args.addrlen = sizeof(ss);
	}
	newfd = ioctl(dev, WSAEVENT_IOC_ACCEPT, &args);
	if (newfd < 0)
		return -errno;
	if (ws_addr)
		addr_out(&ss, args.addrlen, ws_addr, ws_len, 1);
	return newfd;
}

int libwsaevent_sys_getname(int fd, int peer, void *ws_addr, int *ws_len)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int ret;

	if (!ws_addr || !ws_len)
		return -EFAULT;
	ret = peer ? getpeername(fd, (struct sockaddr *)&ss, &len) :
		     getsockname(fd, (struct sockaddr *)&ss, &len);
	if (ret)
		return -errno;
	if (!peer) {
		/* Windows: an unbound socket has no name. */
		if ((ss.ss_family == AF_INET &&
		     !((struct sockaddr_in *)&ss)->sin_port) ||
		    (ss.ss_family == AF_INET6 &&
		     !((struct sockaddr_in6 *)&ss)->sin6_port) ||
		    (ss.ss_family == AF_UNIX && len <= sizeof(sa_family_t)))
			return -EINVAL;
	}
	return addr_out(&ss, len, ws_addr, ws_len, 0);
}

int libwsaevent_sys_shutdown(int fd, int ws_how)
{
	int how;

	switch (ws_how) {
	case WS_SD_RECEIVE:	how = SHUT_RD; break;
	case WS_SD_SEND:	how = SHUT_WR; break;
	case WS_SD_BOTH:	how = SHUT_RDWR; break;
	default:		return -EINVAL;
	}
	return shutdown(fd, how) ? -errno : 0;
}

/* ------------------------------------------------------------------ */
/* Data.                                                               */

/*
 * Windows MSG_* to Linux.  MSG_PUSH_IMMEDIATE is a hint Linux has no use
 * for; MSG_PARTIAL and the rest are not supported on these sockets.
 */
static int msg_flags_in(int ws_flags, int recv, int *flags)
{
	int allowed = WS_MSG_OOB | WS_MSG_DONTROUTE;

	if (recv)
		allowed = WS_MSG_OOB | WS_MSG_PEEK | WS_MSG_WAITALL |
			  WS_MSG_PUSH_IMMEDIATE;
	if (ws_flags & ~allowed)
		return -EOPNOTSUPP;
	*flags = (ws_flags & WS_MSG_OOB ? MSG_OOB : 0) |
		 (ws_flags & WS_MSG_PEEK ? MSG_PEEK : 0) |
		 (ws_flags & WS_MSG_DONTROUTE ? MSG_DONTROUTE : 0) |
		 (ws_flags & WS_MSG_WAITALL ? MSG_WAITALL : 0);
	return 0;
}

unsigned int libwsaevent_sys_msg_flags_out(unsigned int msg_flags)
{
	/* Truncation is reported as WSAEMSGSIZE, not as a flag. */
	return msg_flags & MSG_OOB ? WS_MSG_OOB : 0;
}

long libwsaevent_sys_recvv(int dev, int fd, const struct libwsaevent_iov *iov,
			   unsigned int n, int ws_flags, void *from,
			   int *fromlen, unsigned int info, int *truncated,
			   unsigned int *ws_flags_out)
{
	struct sockaddr_storage ss;
	struct wsaevent_msg_args args = {
		.sock = (__u32)fd,
		.iov = (uintptr_t)iov,
		.iovcnt = n,
	};
	int flags, ret;

	ret = msg_flags_in(ws_flags, 1, &flags);
	if (ret)
		return ret;
	args.flags = (__u32)flags;
	if (from) {
		info = complete_info(fd, info);
		/* Connection-oriented sockets ignore @from, as on Windows. */
		if ((info & SOCKINFO_TYPE_MASK) == SOCKINFO_STREAM) {
			from = NULL;
		} else {
			if (!fromlen || *fromlen < family_addr_len(info))
				return -EFAULT;
			args.addr = (uintptr_t)&ss;
			args.addrlen = sizeof(ss);
		}
	}
	ret = ioctl(dev, WSAEVENT_IOC_RECV, &args);
	if (ret < 0)
		return -errno;
	if (from && args.addrlen)
		addr_out(&ss, args.addrlen, from, fromlen, 1);
	/* Windows fails a datagram that did not fit in the buffer. */
	*truncated = (args.msg_flags & MSG_TRUNC) != 0;
	*ws_flags_out = libwsaevent_sys_msg_flags_out(args.msg_flags);
	return ret;
}

long libwsaevent_sys_recv(int dev, int fd, void *buf, int len, int ws_flags,
			  void *from, int *fromlen, unsigned int info)
{
	struct libwsaevent_iov iov = { .base = buf, .len = (size_t)len };
	unsigned int out;
	int truncated;
	long ret;

	ret = libwsaevent_sys_recvv(dev, fd, &iov, 1, ws_flags, from, fromlen,
				    info, &truncated, &out);
	if (ret >= 0 && truncated)
		return -EMSGSIZE;
	return ret;
}

/* A Winsock destination for a send on @fd, or none for stream sockets. */
static int dest_in(int fd, unsigned int info, const void *to, int tolen,
		   struct sockaddr_storage *ss, socklen_t *sslen)
{
	*sslen = 0;
	if (!to)
		return 0;
	info = complete_info(fd, info);
	/* Connection-oriented sockets ignore @to, as on Windows. */
	if ((info & SOCKINFO_TYPE_MASK) == SOCKINFO_STREAM)
		return 0;
	return addr_in(to, tolen, ss, sslen);
}

long libwsaevent_sys_sendv(int dev, int fd, const struct libwsaevent_iov *iov,
			   unsigned int n, int ws_flags, const void *to,
			   int tolen, unsigned int info)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct wsaevent_msg_args args = {
		.sock = (__u32)fd,
		.iov = (uintptr_t)iov,
		.iovcnt = n,
	};
	int flags, ret;

	ret = msg_flags_in(ws_flags, 0, &flags);
	if (ret)
		return ret;
	args.flags = (__u32)flags;
	ret = dest_in(fd, info, to, tolen, &ss, &sslen);
	if (ret)
		return ret;
	if (sslen) {
		args.addr = (uintptr_t)&ss;
		args.addrlen = sslen;
	}
	ret = ioctl(dev, WSAEVENT_IOC_SEND, &args);
	return ret < 0 ? -errno : ret;
}

long libwsaevent_sys_send(int dev, int fd, const void *buf, int len,
			  int ws_flags, const void *to, int tolen,
			  unsigned int info)
{
	struct libwsaevent_iov iov = { .base = (void *)buf, .len = (size_t)len };

	return libwsaevent_sys_sendv(dev, fd, &iov, 1, ws_flags, to, tolen,
				     info);
}

/*
 * The WSAOVERLAPPED fields are written by the kernel 32 bits wide for a
 * 32-bit program (ULONG_PTR is then 4 bytes).
 */
#define IO_COMPAT	(sizeof(void *) == 4 ? WSAEVENT_IO_COMPAT : 0)

int libwsaevent_sys_submit(int dev, const struct libwsaevent_submit *sub)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct wsaevent_io_args args = {
		.sock = (__u32)sub->fd,
		.op = sub->recv ? WSAEVENT_OP_RECV : WSAEVENT_OP_SEND,
		.iov = (uintptr_t)sub->iov,
		.iovcnt = sub->n,
		.io_flags = IO_COMPAT | WSAEVENT_IO_WINSOCK_AF,
		.overlapped = (uintptr_t)sub->overlapped,
	};
	unsigned int info = sub->info;
	int flags, ret;

	ret = msg_flags_in(sub->ws_flags, sub->recv, &flags);
	if (ret)
		return ret;
	args.flags = (__u32)flags;
	if (sub->event_fd >= 0) {
		args.event = (__u32)sub->event_fd;
		args.io_flags |= WSAEVENT_IO_EVENT;
		if (sub->reset_event)
			args.io_flags |= WSAEVENT_IO_RESET_EVENT;
	}
	if (sub->recv) {
		/*
		 * The kernel writes the source address and its length at
		 * completion, straight into the caller's lpFrom/lpFromlen,
		 * with Winsock's AF_INET6 value (WSAEVENT_IO_WINSOCK_AF).
		 */
		if (sub->addr) {
			info = complete_info(sub->fd, info);
			if ((info & SOCKINFO_TYPE_MASK) != SOCKINFO_STREAM) {
				if (!sub->addrlen_ptr ||
				    *sub->addrlen_ptr < family_addr_len(info))
					return -EFAULT;
				args.addr = (uintptr_t)sub->addr;
				args.addrlen = (__u32)*sub->addrlen_ptr;
				args.addrlen_ptr = (uintptr_t)sub->addrlen_ptr;
			}
		}
	} else {
		/* The kernel copies the destination at submission. */
		ret = dest_in(sub->fd, info, sub->addr, sub->addrlen, &ss, &sslen);
		if (ret)
			return ret;
		if (sslen) {
			args.addr = (uintptr_t)&ss;
			args.addrlen = sslen;
		}
	}
	ret = ioctl(dev, WSAEVENT_IOC_SUBMIT, &args);
	return ret < 0 ? -errno : 0;
}

int libwsaevent_sys_cancel_thread(int dev)
{
	struct wsaevent_cancel_args args = { .flags = WSAEVENT_CANCEL_THREAD };
	int ret = ioctl(dev, WSAEVENT_IOC_CANCEL, &args);

	return ret < 0 ? -errno : ret;
}


/* ------------------------------------------------------------------ */
/* Options.                                                            */

enum opt_format {
	OPT_BOOL,	/* Windows BOOL <-> Linux int 0/1 */
	OPT_INT,	/* int <-> int */
	OPT_BUF,	/* SO_SNDBUF/SO_RCVBUF: Linux reports twice the size */
	OPT_TIMEO,	/* DWORD milliseconds <-> struct timeval */
	OPT_LINGER,	/* two u_short <-> two int */
	OPT_DONTLINGER,	/* BOOL: the inverse of l_onoff */
	OPT_ERROR,	/* read-only: the pending error, a Linux errno */
	OPT_RDONLY,	/* read-only int */
	OPT_NOOP,	/* accepted and ignored; reads FALSE */
};

struct opt_map {
	int ws_level, ws_name;
	int level, name;
	enum opt_format format;
};

static const struct opt_map options[] = {
	{ WS_SOL_SOCKET, WS_SO_ACCEPTCONN, SOL_SOCKET, SO_ACCEPTCONN, OPT_RDONLY },
	{ WS_SOL_SOCKET, WS_SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR, OPT_BOOL },
	{ WS_SOL_SOCKET, WS_SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE, OPT_BOOL },
	{ WS_SOL_SOCKET, WS_SO_DONTROUTE, SOL_SOCKET, SO_DONTROUTE, OPT_BOOL },
	{ WS_SOL_SOCKET, WS_SO_BROADCAST, SOL_SOCKET, SO_BROADCAST, OPT_BOOL },
	{ WS_SOL_SOCKET, WS_SO_LINGER, SOL_SOCKET, SO_LINGER, OPT_LINGER },
	{ WS_SOL_SOCKET, WS_SO_DONTLINGER, SOL_SOCKET, SO_LINGER, OPT_DONTLINGER },
	{ WS_SOL_SOCKET, WS_SO_OOBINLINE, SOL_SOCKET, SO_OOBINLINE, OPT_BOOL },
	{ WS_SOL_SOCKET, WS_SO_SNDBUF, SOL_SOCKET, SO_SNDBUF, OPT_BUF },
	{ WS_SOL_SOCKET, WS_SO_RCVBUF, SOL_SOCKET, SO_RCVBUF, OPT_BUF },
	{ WS_SOL_SOCKET, WS_SO_SNDTIMEO, SOL_SOCKET, SO_SNDTIMEO, OPT_TIMEO },
	{ WS_SOL_SOCKET, WS_SO_RCVTIMEO, SOL_SOCKET, SO_RCVTIMEO, OPT_TIMEO },
	{ WS_SOL_SOCKET, WS_SO_ERROR, SOL_SOCKET, SO_ERROR, OPT_ERROR },
	{ WS_SOL_SOCKET, WS_SO_TYPE, SOL_SOCKET, SO_TYPE, OPT_RDONLY },
	/* SO_EXCLUSIVEADDRUSE: a listening Linux socket's port is exclusive. */
	{ WS_SOL_SOCKET, (int)~WS_SO_REUSEADDR, SOL_SOCKET, 0, OPT_NOOP },
	{ WS_IPPROTO_TCP, WS_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY, OPT_BOOL },
	{ WS_IPPROTO_TCP, WS_TCP_KEEPALIVE, IPPROTO_TCP, TCP_KEEPIDLE, OPT_INT },
	{ WS_IPPROTO_TCP, WS_TCP_KEEPCNT, IPPROTO_TCP, TCP_KEEPCNT, OPT_INT },
	{ WS_IPPROTO_TCP, WS_TCP_KEEPINTVL, IPPROTO_TCP, TCP_KEEPINTVL, OPT_INT },
	{ WS_IPPROTO_IP, WS_IP_TOS, IPPROTO_IP, IP_TOS, OPT_INT },
	{ WS_IPPROTO_IP, WS_IP_TTL, IPPROTO_IP, IP_TTL, OPT_INT },
	{ WS_IPPROTO_IPV6, WS_IPV6_UNICAST_HOPS, IPPROTO_IPV6, IPV6_UNICAST_HOPS, OPT_INT },
	{ WS_IPPROTO_IPV6, WS_IPV6_V6ONLY, IPPROTO_IPV6, IPV6_V6ONLY, OPT_BOOL },
};

static const struct opt_map *find_option(int ws_level, int ws_name)
{
	size_t i;
	int known_level = 0;

	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (options[i].ws_level != ws_level)
			continue;
		known_level = 1;
		if (options[i].ws_name == ws_name)
			return &options[i];
	}
	errno = known_level || ws_level == WS_IPPROTO_UDP ? ENOPROTOOPT : EINVAL;
	return NULL;
}

/*
 * A Winsock timeout (DWORD ms, 0: none) as the Linux one.  The kernel
 * counts in jiffies and may wake up to one jiffy early; one jiffy more
 * (the resolution of the coarse clocks) makes the wait last at least as
 * long as asked, as on Windows.  getsockopt returns the value as set
 * (socket.c keeps it).
 */
static void timeo_to_timeval(uint32_t ms, struct timeval *tv)
{
	static long tick_ns;
	struct timespec res;
	uint64_t us;
	long tick = __atomic_load_n(&tick_ns, __ATOMIC_RELAXED);

	if (!tick) {
		tick = clock_getres(CLOCK_MONOTONIC_COARSE, &res) || res.tv_sec ?
		       10000000L : res.tv_nsec;
		__atomic_store_n(&tick_ns, tick, __ATOMIC_RELAXED);
	}
	us = (uint64_t)ms * 1000;
	if (ms)
		us += (uint64_t)(tick + 999) / 1000;
	tv->tv_sec = (time_t)(us / 1000000);
	tv->tv_usec = (suseconds_t)(us % 1000000);
}

int libwsaevent_sys_setsockopt(int fd, int ws_level, int ws_name,
			       const void *val, int len)
{
	const struct opt_map *o = find_option(ws_level, ws_name);
	struct linger lg;
	struct timeval tv;
	socklen_t lglen = sizeof(lg);
	uint16_t wl[2];
	uint32_t ms;
	int v;

	if (!o)
		return -errno;
	if (o->format == OPT_ERROR || o->format == OPT_RDONLY)
		return -ENOPROTOOPT;
	if (!val || len < (int)sizeof(int))
		return -EFAULT;
	switch (o->format) {
	case OPT_BOOL:
		memcpy(&v, val, sizeof(v));
		v = v != 0;
		break;
	case OPT_INT:
	case OPT_BUF:
		memcpy(&v, val, sizeof(v));
		break;
	case OPT_TIMEO:
		memcpy(&ms, val, sizeof(ms));
		timeo_to_timeval(ms, &tv);
		return setsockopt(fd, o->level, o->name, &tv, sizeof(tv)) ?
		       -errno : 0;
	case OPT_LINGER:
		memcpy(wl, val, sizeof(wl));
		lg.l_onoff = wl[0] != 0;
		lg.l_linger = wl[1];
		return setsockopt(fd, o->level, o->name, &lg, sizeof(lg)) ?
		       -errno : 0;
	case OPT_DONTLINGER:
		memcpy(&v, val, sizeof(v));
		if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &lglen))
			return -errno;
		lg.l_onoff = !v;
		return setsockopt(fd, o->level, o->name, &lg, sizeof(lg)) ?
		       -errno : 0;
	case OPT_NOOP:
		/* Still a socket call: a bad descriptor fails. */
		return libwsaevent_sys_is_socket(fd) < 0 ? -EBADF : 0;
	default:
		return -ENOPROTOOPT;
	}
	return setsockopt(fd, o->level, o->name, &v, sizeof(v)) ? -errno : 0;
}

int libwsaevent_sys_getsockopt(int fd, int ws_level, int ws_name,
			       void *val, int *len)
{
	const struct opt_map *o = find_option(ws_level, ws_name);
	struct linger lg;
	struct timeval tv;
	socklen_t l;
	uint16_t wl[2];
	uint32_t ms;
	int v, ret;

	if (!o)
		return -errno;
	if (!val || !len || *len < (int)sizeof(int))
		return -EFAULT;
	switch (o->format) {
	case OPT_TIMEO:
		l = sizeof(tv);
		if (getsockopt(fd, o->level, o->name, &tv, &l))
			return -errno;
		ms = (uint32_t)tv.tv_sec * 1000 + (uint32_t)(tv.tv_usec / 1000);
		memcpy(val, &ms, sizeof(ms));
		*len = sizeof(ms);
		return 0;
	case OPT_LINGER:
	case OPT_DONTLINGER:
		l = sizeof(lg);
		if (getsockopt(fd, o->level, o->name, &lg, &l))
			return -errno;
		if (o->format == OPT_DONTLINGER) {
			v = !lg.l_onoff;
			break;
		}
		wl[0] = (uint16_t)(lg.l_onoff != 0);
		wl[1] = (uint16_t)(lg.l_linger > 0xffff ? 0xffff : lg.l_linger);
		memcpy(val, wl, sizeof(wl));
		*len = sizeof(wl);
		return 0;
	case OPT_NOOP:
		ret = libwsaevent_sys_is_socket(fd);
		if (ret < 0)
			return ret;
		v = 0;
		break;
	default:
		l = sizeof(v);
		if (getsockopt(fd, o->level, o->name, &v, &l))
			return -errno;
		if (o->format == OPT_BOOL)
			v = v != 0;
		else if (o->format == OPT_BUF)
			v /= 2;		/* what was asked for, as Windows says */
		break;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

/* ------------------------------------------------------------------ */
/* ioctlsocket and polling.                                            */

int libwsaevent_sys_fionread(int fd, uint32_t *count)
{
	/* Linux writes an int: the kernel checks the pointer. */
	_Static_assert(sizeof(int) == sizeof(*count), "FIONREAD");
	if (ioctl(fd, FIONREAD, count))
		return errno == ENOTTY ? -ENOTSOCK : -errno;
	return 0;
}

/*
 * A copy of @n bytes through a pipe: write() from @src into it, then
 * read() from it into @dst.  The kernel copies from and to user memory
 * and reports a bad pointer on either side with EFAULT.  For kernels
 * without process_vm_readv/writev (CONFIG_CROSS_MEMORY_ATTACH=n: ENOSYS)
 * or where a seccomp policy refuses them.  Returns 0, -EFAULT, or another
 * -errno when no pipe could be made.
 */
static int copy_through_pipe(void *dst, const void *src, size_t n)
{
	int p[2], ret = 0;
	ssize_t w, r;

	if (n > 4096)		/* PIPE_BUF: one write, one read */
		return -EINVAL;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	w = write(p[1], src, n);
	if (w != (ssize_t)n) {
		ret = w < 0 && errno != EFAULT ? -errno : -EFAULT;
	} else {
		r = read(p[0], dst, n);
		if (r != (ssize_t)n)
			ret = r < 0 && errno != EFAULT ? -errno : -EFAULT;
	}
	close(p[0]);
	close(p[1]);
	return ret;
}

/*
 * process_vm_readv/writev on this process copy with the kernel's checks,
 * in one system call.  Without them (ENOSYS, EPERM...), through a pipe;
 * only when that cannot be made either is the copy made directly, and a
 * bad pointer then crashes, as it would have without any check.
 */
static int safe_copy(void *dst, const void *src, size_t n, int to_user)
{
	struct iovec local = {
		.iov_base = to_user ? (void *)src : dst, .iov_len = n,
	};
	struct iovec remote = {
		.iov_base = to_user ? dst : (void *)src, .iov_len = n,
	};
	ssize_t ret = to_user ?
		process_vm_writev(getpid(), &local, 1, &remote, 1, 0) :
		process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (ret == (ssize_t)n)
		return 0;
	if (ret >= 0 || errno == EFAULT)
		return -EFAULT;
	ret = copy_through_pipe(dst, src, n);
	if (ret == 0 || ret == -EFAULT)
		return (int)ret;
	memcpy(dst, src, n);
	return 0;
}

int libwsaevent_sys_peek(void *dst, const void *user, size_t n)
{
	return safe_copy(dst, user, n, 0);
}

int libwsaevent_sys_poke(void *user, const void *src, size_t n)
{
	return safe_copy(user, src, n, 1);
}

void libwsaevent_sys_reevaluate(int dev, int fd)
{
	ioctl(dev, WSAEVENT_IOC_REFRESH, (unsigned long)fd);
}

int libwsaevent_sys_shutdown_listener(int fd)
{
	return shutdown(fd, SHUT_RDWR) ? -errno : 0;
}

/*
 * Urgent data is pending while Linux raises POLLPRI: until recv(MSG_OOB)
 * takes the byte, or, with SO_OOBINLINE, until a recv passes it.
 */
int libwsaevent_sys_oob_pending(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLPRI };

	if (poll(&p, 1, 0) < 0)
		return -errno;
	if (p.revents & POLLNVAL)
		return -EBADF;
	return (p.revents & POLLPRI) != 0;
}

short libwsaevent_sys_poll_events(int ws)
{
	short ev = 0;

	if (ws & WS_POLLRDNORM)
		ev |= POLLIN | POLLRDNORM;
	if (ws & WS_POLLRDBAND)
		ev |= POLLPRI | POLLRDBAND;
	if (ws & WS_POLLPRI)
		ev |= POLLPRI;
	if (ws & WS_POLLWRNORM)
		ev |= POLLOUT | POLLWRNORM;
	if (ws & WS_POLLWRBAND)
		ev |= POLLWRBAND;
	return ev;
}

/* Linux revents to Windows; urgent data is POLLRDBAND on Windows. */
int libwsaevent_sys_poll_revents(int rev)
{
	int ws = 0;

	if (rev & (POLLIN | POLLRDNORM))
		ws |= WS_POLLRDNORM;
	if (rev & (POLLPRI | POLLRDBAND))
		ws |= WS_POLLRDBAND;
	if (rev & (POLLOUT | POLLWRNORM))
		ws |= WS_POLLWRNORM;
	if (rev & POLLWRBAND)
		ws |= WS_POLLWRBAND;
	if (rev & POLLERR)
		ws |= WS_POLLERR;
	if (rev & POLLHUP)
		ws |= WS_POLLHUP;
	if (rev & POLLNVAL)
		ws |= WS_POLLNVAL;
	return ws;
}

/* ------------------------------------------------------------------ */
/* Address text.                                                       */

static int ws_family(int ws_af)
{
	switch (ws_af) {
	case WS_AF_INET:	return AF_INET;
	case WS_AF_INET6:	return AF_INET6;
	default:		return -1;
	}
}

int libwsaevent_sys_inet_pton(int ws_af, const char *src, void *dst)
{
	int af = ws_family(ws_af);

	if (af < 0)
		return -EAFNOSUPPORT;
	if (!src || !dst)
		return -EFAULT;
	return inet_pton(af, src, dst);
}

int libwsaevent_sys_inet_ntop(int ws_af, const void *src, char *dst,
			      size_t size)
{
	int af = ws_family(ws_af);

	if (af < 0)
		return -EAFNOSUPPORT;
	if (!src || !dst || size > INT_MAX)
		return -EINVAL;
	return inet_ntop(af, src, dst, (socklen_t)size) ? 0 : -EINVAL;
}

uint32_t libwsaevent_sys_inet_addr(const char *cp)
{
	struct in_addr a;

	if (!cp || !inet_aton(cp, &a))
		return INADDR_NONE;
	return a.s_addr;
}

void libwsaevent_sys_inet_ntoa(uint32_t addr, char *buf)
{
	const unsigned char *b = (const unsigned char *)&addr;

	snprintf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}
