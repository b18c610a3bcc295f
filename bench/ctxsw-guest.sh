#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of tools/testing/bench-ctxsw.sh: runs one implementation of
# a benchmark at a time (BENCH_ONLY, a fixed BENCH_ITERS, one run) and
# prints the context switches the whole guest made meanwhile, from
# /proc/stat, per iteration (per message or round trip).

measure() {
	prog=$1
	only=$2
	iters=$3
	c0=$(awk '/^ctxt/ { print $2 }' /proc/stat)
	BENCH_ONLY=$only BENCH_ITERS=$iters BENCH_RUNS=1 "/tests/$prog" \
		>/tmp/ctxsw.out 2>&1 || {
		cat /tmp/ctxsw.out
		exit 1
	}
	c1=$(awk '/^ctxt/ { print $2 }' /proc/stat)
	echo "@@CTXSW@@|$only|$iters|$((c1 - c0))"
}

n=${CTXSW_ITERS:-20000}
l=${CTXSW_LATENCY_ITERS:-3000}
measure bench-event pingpong/wsaevent "$l"
measure bench-event pingpong/futex "$l"
measure bench-event pingpong/eventfd "$l"
measure bench-select select-latency/WSAEventSelect "$l"
measure bench-select select-latency/epoll "$l"
measure bench-select select-tput/WSAEventSelect "$n"
measure bench-select select-tput/epoll "$n"
measure bench-select select-tput/Winsock-shaped "$n"
measure bench-overlapped overlapped-latency/WSARecv "$l"
measure bench-overlapped "overlapped-latency/overlapped, raw" "$l"
measure bench-overlapped overlapped-latency/epoll "$l"
measure bench-overlapped overlapped-latency/io_uring "$l"
measure bench-overlapped overlapped-tput/WSARecv "$n"
measure bench-overlapped "overlapped-tput/overlapped, raw" "$n"
measure bench-overlapped overlapped-tput/epoll "$n"
measure bench-overlapped overlapped-tput/io_uring "$n"
measure bench-overlapped overlapped-tput/Winsock-shaped "$n"
