// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-select: a WSAEventSelect echo server against an epoll one, over
 * loopback TCP, with the same client (ws_select.c, lx_epoll.c, lx_net.c):
 *  - round-trip latency on 1 connection (the client sends a message and
 *    waits for its echo);
 *  - throughput on 64 connections (one message outstanding on each; the
 *    client is one thread with epoll).
 * Server and client are one thread each.  A control for the throughput:
 * the epoll server shaped as the textbook Winsock server (one ready
 * socket per wait, four system calls per message; lx_epoll.c).  For the
 * analysis, also the calls alone: send + recv of one message on a
 * selected socket against Linux's on a socket in an epoll set, without
 * any wake-up.
 */
#include "bench.h"
#include "ws_bench.h"

int main(void)
{
	struct bench_impl lat[] = {
		ws_impl_select_latency, lx_impl_epoll_latency,
	};
	struct bench_impl tput[] = {
		ws_impl_select_tput, lx_impl_epoll_tput,
		lx_impl_epoll_shaped_tput,
	};
	struct bench_impl calls[] = { ws_impl_sendrecv, lx_impl_sendrecv };
	struct bench_result r[3];

	bench_init("bench-select");
	ws_startup();

	bench_measure("select-latency", lat, 2, BENCH_US_PER_OP, r);
	bench_row("select latency vs epoll",
		  "Event-select echo latency, 1 connection", &r[0], &r[1],
		  "le", 1.2, "wait + enum + recv + send per message");
	bench_measure("select-tput", tput, 3, BENCH_OPS_PER_S, r);
	bench_row("select 64-conn tput vs epoll",
		  "Event-select echo throughput, 64 connections", &r[0],
		  &r[1], "ge", 0.9, "one message in flight per connection");
	bench_row("select 64-conn tput vs Winsock-shaped epoll",
		  "Event-select echo throughput, 64 connections", &r[0],
		  &r[2], "ge", 0,
		  "the driver's own cost: against epoll making the same calls");
	bench_row("Winsock-shaped epoll vs epoll (select group)",
		  "Echo throughput, 64 connections: the textbook call pattern on Linux's calls",
		  &r[2], &r[1], "ge", 0,
		  "1 socket per wait, 4 calls per message: the ceiling of the pattern");
	bench_measure("select-calls", calls, 2, BENCH_NS_PER_OP, r);
	bench_row("send+recv vs Linux",
		  "send + recv of one message, nobody sleeps", &r[0], &r[1],
		  "le", 0, "receiver selected / in an epoll set");
	return 0;
}
