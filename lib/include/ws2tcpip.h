/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ws2tcpip.h - Winsock 2 TCP/IP additions for Linux (libwsaevent).
 *
 * What Windows programs take from <ws2tcpip.h> (and the <ws2ipdef.h> it
 * includes) for IPv4 and IPv6 sockets: inet_pton and inet_ntop, socklen_t,
 * the IPPROTO_IP / IPPROTO_IPV6 / IPPROTO_TCP option names with their
 * Windows values, and the IPv6 address constants.  getaddrinfo and the
 * name-resolution functions are not provided.  The rules of <winsock2.h>
 * apply here too (no Linux socket headers in the same file).
 */
#ifndef _WS2TCPIP_H_
#define _WS2TCPIP_H_

#include <winsock2.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * socklen_t is an int on Windows (glibc: unsigned int).  When <unistd.h>
 * already defined the C library's, the name is mapped onto Winsock's.
 */
#ifndef __socklen_t_defined
typedef int socklen_t;
#define __socklen_t_defined
#else
typedef int wsaevent_socklen_t;
#define socklen_t	wsaevent_socklen_t
#endif

/* IPPROTO_IP options (Windows values). */
#define IP_TOS			3
#define IP_TTL			4

/* IPPROTO_IPV6 options (Windows values). */
#define IPV6_UNICAST_HOPS	4
/* TRUE by default on Windows (and for sockets made by socket() here). */
#define IPV6_V6ONLY		27

/* IPPROTO_TCP options besides TCP_NODELAY (Windows values). */
#define TCP_KEEPALIVE		3	/* idle seconds before probes */
#define TCP_KEEPCNT		16
#define TCP_KEEPINTVL		17	/* seconds between probes */

/* IPv6 addresses: the C library's in6addr_any and in6addr_loopback. */
#define IN6ADDR_ANY_INIT	{ { { 0 } } }
#define IN6ADDR_LOOPBACK_INIT \
	{ { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } }
extern const struct in6_addr in6addr_any;
extern const struct in6_addr in6addr_loopback;

/*
 * inet_pton - text to a binary address of family AF_INET or AF_INET6.
 * Returns 1, 0 when @pszAddrString is not an address of that family, or
 * SOCKET_ERROR with WSAEAFNOSUPPORT (another family) or WSAEFAULT (a NULL
 * pointer).  Needs no WSAStartup.
 */
INT WSAAPI inet_pton(INT Family, PCSTR pszAddrString, PVOID pAddrBuf)
	WSAEVENT_SYMBOL(inet_pton);

/*
 * inet_ntop - an AF_INET or AF_INET6 address as text in @pStringBuf.
 * Returns @pStringBuf, or NULL with WSAEAFNOSUPPORT (another family) or
 * ERROR_INVALID_PARAMETER (a NULL pointer, or @StringBufSize too small;
 * INET_ADDRSTRLEN and INET6_ADDRSTRLEN are always enough).  Needs no
 * WSAStartup.
 */
PCSTR WSAAPI inet_ntop(INT Family, const VOID *pAddr, PSTR pStringBuf,
		       size_t StringBufSize) WSAEVENT_SYMBOL(inet_ntop);

#ifdef __cplusplus
}
#endif

#endif /* _WS2TCPIP_H_ */
