/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Windows values of the Winsock constants that sys_socket.c translates,
 * under WS_ names, for the sources that cannot include <winsock2.h>
 * because they include the Linux socket headers.  socket.c checks at
 * compile time that each equals its <winsock2.h> / <ws2tcpip.h> name.
 */
#ifndef LIBWSAEVENT_WSDEFS_H
#define LIBWSAEVENT_WSDEFS_H

#define WS_AF_UNSPEC		0
#define WS_AF_UNIX		1
#define WS_AF_INET		2
#define WS_AF_INET6		23

#define WS_SOCK_STREAM		1
#define WS_SOCK_DGRAM		2
#define WS_SOCK_RAW		3
#define WS_SOCK_RDM		4
#define WS_SOCK_SEQPACKET	5

#define WS_IPPROTO_IP		0
#define WS_IPPROTO_TCP		6
#define WS_IPPROTO_UDP		17
#define WS_IPPROTO_IPV6		41

#define WS_SOL_SOCKET		0xffff
#define WS_SO_DEBUG		0x0001
#define WS_SO_ACCEPTCONN	0x0002
#define WS_SO_REUSEADDR		0x0004
#define WS_SO_KEEPALIVE		0x0008
#define WS_SO_DONTROUTE		0x0010
#define WS_SO_BROADCAST		0x0020
#define WS_SO_LINGER		0x0080
#define WS_SO_OOBINLINE		0x0100
#define WS_SO_DONTLINGER	((int)(~WS_SO_LINGER))
#define WS_SO_SNDBUF		0x1001
#define WS_SO_RCVBUF		0x1002
#define WS_SO_SNDLOWAT		0x1003
#define WS_SO_RCVLOWAT		0x1004
#define WS_SO_SNDTIMEO		0x1005
#define WS_SO_RCVTIMEO		0x1006
#define WS_SO_ERROR		0x1007
#define WS_SO_TYPE		0x1008

#define WS_TCP_NODELAY		0x0001
#define WS_TCP_KEEPALIVE	3
#define WS_TCP_KEEPCNT		16
#define WS_TCP_KEEPINTVL	17

#define WS_IP_TOS		3
#define WS_IP_TTL		4
#define WS_IPV6_UNICAST_HOPS	4
#define WS_IPV6_V6ONLY		27

#define WS_MSG_OOB		0x0001
#define WS_MSG_PEEK		0x0002
#define WS_MSG_DONTROUTE	0x0004
#define WS_MSG_WAITALL		0x0008
#define WS_MSG_PUSH_IMMEDIATE	0x0020
#define WS_MSG_PARTIAL		0x8000

#define WS_SD_RECEIVE		0
#define WS_SD_SEND		1
#define WS_SD_BOTH		2

#define WS_POLLRDNORM		0x0100
#define WS_POLLRDBAND		0x0200
#define WS_POLLPRI		0x0400
#define WS_POLLWRNORM		0x0010
#define WS_POLLWRBAND		0x0020
#define WS_POLLERR		0x0001
#define WS_POLLHUP		0x0002
#define WS_POLLNVAL		0x0004

/* The Winsock sockaddr sizes (equal to Linux's). */
#define WS_SOCKADDR_IN_LEN	16
#define WS_SOCKADDR_IN6_LEN	28
#define WS_SOCKADDR_UN_LEN	110

#endif /* LIBWSAEVENT_WSDEFS_H */
