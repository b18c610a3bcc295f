/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wsaevent benchmarks: what the libwsaevent side (ws_*.c, compiled with
 * <winsock2.h>) gives the programs (compiled with the Linux headers).
 */
#ifndef WSAEVENT_WS_BENCH_H
#define WSAEVENT_WS_BENCH_H

#include "bench.h"

/* WSAStartup, or die. */
void ws_startup(void);

/* accept() through the library (for lx_tcp_pairs_accept()). */
int ws_accept(int listener);

/* ws_event.c */
extern const struct bench_impl ws_impl_pingpong;
extern const struct bench_impl ws_impl_setreset;
extern const struct bench_impl ws_impl_ioctl_floor;
extern const struct bench_impl ws_impl_wait64;
extern const struct bench_impl ws_impl_wait1;
extern const struct bench_impl ws_impl_waitall8;
extern const struct bench_impl ws_impl_poll1;

/* ws_select.c: WSAEventSelect echo servers (arg: number of connections). */
extern const struct bench_impl ws_impl_select_latency;
extern const struct bench_impl ws_impl_select_tput;
/* send + recv of one message on a connected pair, nobody sleeps */
extern const struct bench_impl ws_impl_sendrecv;

/* ws_overlapped.c: WSARecv/WSASend echo servers with event objects. */
extern const struct bench_impl ws_impl_overlapped_latency;
extern const struct bench_impl ws_impl_overlapped_tput;

#endif /* WSAEVENT_WS_BENCH_H */
