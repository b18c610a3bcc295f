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
