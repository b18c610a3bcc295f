// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent benchmarks: libwsaevent start-up.
 */
#include <winsock2.h>

#include "bench.h"
#include "ws_bench.h"

void ws_startup(void)
{
	WSADATA wsa;

	if (WSAStartup(MAKEWORD(2, 2), &wsa))
		bench_die("WSAStartup failed (is the module loaded?)");
}

/* The library's accept(): the new socket is the library's own. */
int ws_accept(int listener)
{
	SOCKET s = accept(listener, NULL, NULL);

	if (s == INVALID_SOCKET)
		bench_die("accept: error %d", WSAGetLastError());
	return s;
}
