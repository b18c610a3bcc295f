/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * afunix.h - AF_UNIX addresses for Winsock (libwsaevent).
 *
 * As on Windows 10 1803 and later: struct sockaddr_un with a 108-byte
 * path, the Linux layout.  AF_UNIX stream sockets follow the same Winsock
 * rules as TCP sockets here (errors, network events).  Linux extras work
 * too: abstract addresses (sun_path[0] == 0) and AF_UNIX datagram sockets.
 */
#ifndef _AFUNIX_
#define _AFUNIX_

#include <winsock2.h>

#define UNIX_PATH_MAX	108

typedef struct sockaddr_un {
	ADDRESS_FAMILY	sun_family;	/* AF_UNIX */
	char		sun_path[UNIX_PATH_MAX];
} SOCKADDR_UN, *PSOCKADDR_UN;

#endif /* _AFUNIX_ */
