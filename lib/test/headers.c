// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Compile-only test of the public headers, built by "make -C lib
 * check-headers" as C11, GNU99 and C++ with -Wall -Wextra -Werror, with
 * the C library headers included before (LIBC_FIRST) or after them.
 * It is written the way Windows code uses Winsock.
 */
#ifdef LIBC_FIRST
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#endif

#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <wsaevent.h>

#ifndef LIBC_FIRST
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#endif

#define CHECK(name, cond) typedef char check_##name[(cond) ? 1 : -1]

CHECK(dword, sizeof(DWORD) == 4);
CHECK(u_long, sizeof(u_long) == 4);
CHECK(long_field, sizeof(((WSANETWORKEVENTS *)0)->lNetworkEvents) == 4);
CHECK(netevents, sizeof(WSANETWORKEVENTS) == 44);
CHECK(linger, sizeof(struct linger) == 4);
CHECK(sockaddr_in, sizeof(struct sockaddr_in) == 16);
CHECK(sockaddr_in6, sizeof(struct sockaddr_in6) == 28);
CHECK(storage, sizeof(SOCKADDR_STORAGE) == 128);
CHECK(fionbio, FIONBIO == 0x8004667EU);
CHECK(makeword, MAKEWORD(2, 2) == 0x0202);
CHECK(invalid_socket, INVALID_SOCKET == -1);
CHECK(wait_failed, WSA_WAIT_FAILED == 0xFFFFFFFFU);
CHECK(wait_timeout, WSA_WAIT_TIMEOUT == 258);
CHECK(io_completion, WSA_WAIT_IO_COMPLETION == 0xC0);
CHECK(sol_socket, SOL_SOCKET == 0xFFFF);
CHECK(af_inet6, AF_INET6 == 23);
CHECK(fd_setsize, FD_SETSIZE == 64);
CHECK(fd_set, sizeof(fd_set) == sizeof(u_int) + 64 * sizeof(SOCKET));
CHECK(timeval, sizeof(struct timeval) == 8 && sizeof(TIMEVAL) == 8);
CHECK(pollfd, sizeof(WSAPOLLFD) == 8);
CHECK(pollin, POLLIN == 0x300 && POLLOUT == 0x10 && POLLERR == 1);
CHECK(somaxconn, SOMAXCONN == 0x7FFFFFFF);
CHECK(socklen, sizeof(socklen_t) == 4 && (socklen_t)-1 < 0);
CHECK(sockaddr_un, sizeof(SOCKADDR_UN) == 110);
CHECK(v6only, IPV6_V6ONLY == 27);
CHECK(wsabuf_len_first, offsetof(WSABUF, len) == 0);
CHECK(overlapped_hevent, offsetof(WSAOVERLAPPED, hEvent) ==
	(sizeof(void *) == 8 ? 24 : 16));
CHECK(status_pending, STATUS_PENDING == 0x103);
CHECK(io_pending, WSA_IO_PENDING == 997 && WSA_IO_INCOMPLETE == 996 &&
	WSA_OPERATION_ABORTED == 995);

/* A select()/WSAPoll() server loop and the option calls, as Windows
 * code writes them. */
int socket_demo(SOCKET listener);

int socket_demo(SOCKET listener)
{
	fd_set readfds, writefds;
	FD_SET exceptfds;
	struct timeval tv = { 0, 500000 };
	WSAPOLLFD pfd[2];
	struct sockaddr_storage ss;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct linger lg = { 1, 5 };
	char text[INET6_ADDRSTRLEN], buf[64];
	int len = sizeof(ss), optlen = sizeof(lg), n;
	DWORD timeo = 100;
	u_long avail = 0;
	SOCKET s;

	FD_ZERO(&readfds);
	FD_ZERO(&writefds);
	FD_ZERO(&exceptfds);
	FD_SET(listener, &readfds);
	FD_SET(listener, &exceptfds);
	if (select(0, &readfds, &writefds, &exceptfds, &tv) == SOCKET_ERROR)
		return WSAGetLastError();
	if (!FD_ISSET(listener, &readfds))
		return 0;
	FD_CLR(listener, &exceptfds);
	s = accept(listener, (struct sockaddr *)&ss, &len);
	if (s == INVALID_SOCKET)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeo, sizeof(timeo));
	setsockopt(s, SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof(lg));
	getsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&lg, &optlen);
	ioctlsocket(s, FIONREAD, &avail);
	pfd[0].fd = s;
	pfd[0].events = POLLRDNORM | POLLWRNORM;
	pfd[1].fd = listener;
	pfd[1].events = POLLIN;
	if (WSAPoll(pfd, 2, 100) > 0 && (pfd[0].revents & POLLRDNORM)) {
		n = recv(s, buf, (int)sizeof(buf), 0);
		if (n > 0)
			send(s, buf, n, 0);
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	if (inet_pton(AF_INET6, "::1", &sin6.sin6_addr) != 1 ||
	    !inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof(text)))
		return 1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	printf("%s %s %lu\n", text, inet_ntoa(((struct sockaddr_in *)&ss)->sin_addr),
	       (unsigned long)inet_addr("127.0.0.1"));
	shutdown(s, SD_BOTH);
	return closesocket(s);
}

static void CALLBACK completion(DWORD dwError, DWORD cbTransferred,
				LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
	(void)dwError;
	(void)cbTransferred;
	(void)lpOverlapped;
	(void)dwFlags;
}

int header_demo(void);

int header_demo(void)
{
	WSADATA wsaData;
	WSAEVENT hEvents[WSA_MAXIMUM_WAIT_EVENTS];
	WSANETWORKEVENTS netEvents;
	WSAOVERLAPPED ov;
	LPWSAOVERLAPPED_COMPLETION_ROUTINE routine = completion;
	WSABUF buf;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct linger lg = { 1, 0 };
	char data[16];
	u_long mode = 1;
	SOCKET s = INVALID_SOCKET;
	DWORD dwRet, dwFlags = 0, dwBytes = 0;
	int fd, fromlen = sizeof(sin6);

	if (WSAStartup(MAKEWORD(2, 2), &wsaData) != 0)
		return 1;
	if (LOBYTE(wsaData.wVersion) != 2 || HIBYTE(wsaData.wVersion) != 2) {
		WSACleanup();
		return 1;
	}
	printf("%s %s\n", wsaData.szDescription, wsaData.szSystemStatus);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(5000);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_addr.S_un.S_un_b.s_b1 = 127;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr.s6_addr[15] = 1;

	memset(&ov, 0, sizeof(ov));
	ov.Offset = 0;
	ov.OffsetHigh = 0;
	ov.Pointer = NULL;
	hEvents[0] = WSACreateEvent();
	if (hEvents[0] == WSA_INVALID_EVENT) {
		printf("WSACreateEvent failed: %d\n", WSAGetLastError());
		return 1;
	}
	hEvents[1] = WSACreateEventEx(FALSE, TRUE);
	ov.hEvent = hEvents[0];
	buf.len = sizeof(data);
	buf.buf = data;

	memset(&netEvents, 0, sizeof(netEvents));
	if (netEvents.lNetworkEvents & (FD_READ | FD_CLOSE))
		return netEvents.iErrorCode[FD_READ_BIT];

	WSASetEvent(hEvents[0]);
	WSAResetEvent(hEvents[0]);
	WSAPulseEvent(hEvents[1]);
	dwRet = WSAWaitForMultipleEvents(2, hEvents, FALSE, WSA_INFINITE, TRUE);
	switch (dwRet) {
	case WSA_WAIT_EVENT_0:
	case WSA_WAIT_EVENT_0 + 1:
	case WSA_WAIT_IO_COMPLETION:
	case WSA_WAIT_TIMEOUT:
		break;
	case WSA_WAIT_FAILED:
		if (WSAGetLastError() == WSA_INVALID_HANDLE)
			return 1;
		break;
	default:
		break;
	}
	/* Overlapped I/O, as Windows code writes it. */
	if (WSARecv(s, &buf, 1, NULL, &dwFlags, &ov, NULL) == SOCKET_ERROR &&
	    WSAGetLastError() == WSA_IO_PENDING) {
		while (!HasOverlappedIoCompleted(&ov))
			WSASleepEx(10, TRUE);
		if (!WSAGetOverlappedResult(s, &ov, &dwBytes, TRUE, &dwFlags))
			return WSAGetLastError();
	}
	if (WSARecvFrom(s, &buf, 1, &dwBytes, &dwFlags, (struct sockaddr *)&sin6,
			&fromlen, &ov, routine) == SOCKET_ERROR &&
	    WSAGetLastError() != WSA_IO_PENDING)
		return 1;
	if (WSASend(s, &buf, 1, &dwBytes, 0, &ov, completion) == SOCKET_ERROR ||
	    WSASendTo(s, &buf, 1, &dwBytes, 0, (const struct sockaddr *)&sin,
		      sizeof(sin), NULL, NULL) == SOCKET_ERROR)
		return 1;
	if (WSASleepEx(INFINITE, TRUE) != WAIT_IO_COMPLETION)
		return 1;
	fd = WSAEventGetFd(hEvents[0]);
	if (fd >= 0 && WSAEventFromFd(fd) != hEvents[0])
		return 1;
	WSACloseEvent(hEvents[0]);
	WSACloseEvent(hEvents[1]);
	WSASetLastError(WSAEWOULDBLOCK);
	if (WSAGetLastError() == WSA_IO_PENDING || s != INVALID_SOCKET)
		return 1;
	(void)routine;
	(void)buf;
	(void)sin;
	(void)ov;
	(void)lg;
	(void)mode;
	return WSACleanup() == SOCKET_ERROR;
}
