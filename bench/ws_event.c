// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent benchmarks: the event operations through libwsaevent, written
 * as Windows code would be.
 */
#include <stdlib.h>

#include <winsock2.h>
#include <wsaevent.h>

#include "bench.h"
#include "ws_bench.h"

static WSAEVENT create(BOOL manual, BOOL initial)
{
	WSAEVENT ev = WSACreateEventEx(manual, initial);

	if (ev == WSA_INVALID_EVENT)
		bench_die("WSACreateEventEx: error %d", WSAGetLastError());
	return ev;
}

static void wait_one(WSAEVENT ev)
{
	if (WSAWaitForMultipleEvents(1, &ev, FALSE, WSA_INFINITE, FALSE) !=
	    WSA_WAIT_EVENT_0)
		bench_die("WSAWaitForMultipleEvents: error %d",
			  WSAGetLastError());
}

/* ---- Ping-pong between two threads: auto-reset events ---- */

struct pingpong {
	WSAEVENT ping, pong;
	volatile int stop;
	bench_thread *partner;
};

static void *pingpong_partner(void *arg)
{
	struct pingpong *p = arg;

	for (;;) {
		wait_one(p->ping);
		if (p->stop)
			break;
		WSASetEvent(p->pong);
	}
	return NULL;
}

static void *pingpong_setup(void *arg)
{
	struct pingpong *p = calloc(1, sizeof(*p));

	(void)arg;
	p->ping = create(FALSE, FALSE);
	p->pong = create(FALSE, FALSE);
	p->partner = bench_thread_start(pingpong_partner, p);
	return p;
}

/* One iteration is a round trip: two sets, two waits, two wake-ups. */
static void pingpong_run(void *st, long iters)
{
	struct pingpong *p = st;
	long i;

	for (i = 0; i < iters; i++) {
		WSASetEvent(p->ping);
		wait_one(p->pong);
	}
}

static void pingpong_teardown(void *st)
{
	struct pingpong *p = st;

	p->stop = 1;
	WSASetEvent(p->ping);
	bench_thread_join(p->partner);
	WSACloseEvent(p->ping);
	WSACloseEvent(p->pong);
	free(p);
}

const struct bench_impl ws_impl_pingpong = {
	"wsaevent", pingpong_setup, pingpong_run, pingpong_teardown, NULL
};

/* ---- Uncontended set + reset ---- */

static void *one_event_setup(void *arg)
{
	WSAEVENT *ev = malloc(sizeof(*ev));

	(void)arg;
	*ev = create(TRUE, FALSE);
	return ev;
}

static void one_event_teardown(void *st)
{
	WSACloseEvent(*(WSAEVENT *)st);
	free(st);
}

static void setreset_run(void *st, long iters)
{
	WSAEVENT ev = *(WSAEVENT *)st;
	long i;

	for (i = 0; i < iters; i++) {
		WSASetEvent(ev);
		WSAResetEvent(ev);
	}
}

/*
 * The floor of any ioctl-based call: two ioctls on the event fd with a
 * command the driver does not know (ENOTTY), so only the system call and
 * the VFS ioctl dispatch are paid.
 */
extern int ioctl(int fd, unsigned long request, ...);

static void ioctl_floor_run(void *st, long iters)
{
	int fd = WSAEventGetFd(*(WSAEVENT *)st);
	long i;

	for (i = 0; i < iters; i++) {
		ioctl(fd, 0x57ff, NULL);
		ioctl(fd, 0x57ff, NULL);
	}
}

const struct bench_impl ws_impl_ioctl_floor = {
	"2x ioctl(ENOTTY) on the event fd", one_event_setup, ioctl_floor_run,
	one_event_teardown, NULL
};

const struct bench_impl ws_impl_setreset = {
	"WSASetEvent+WSAResetEvent", one_event_setup, setreset_run,
	one_event_teardown, NULL
};

/* ---- Waits that succeed at once ---- */

struct waitset {
	WSAEVENT ev[WSA_MAXIMUM_WAIT_EVENTS];
	DWORD count;
	BOOL all;
	DWORD timeout;
	DWORD want;
};

/*
 * @arg: count, negative for wait-all; every event manual-reset.  0: a
 * poll, a timeout-0 wait on 1 event that is not signaled.
 */
static void *waitset_setup(void *arg)
{
	long spec = (long)arg;
	struct waitset *w = calloc(1, sizeof(*w));
	DWORD i;

	if (!w)
		bench_die("out of memory");
	if (!spec) {
		w->count = 1;
		w->ev[0] = create(TRUE, FALSE);
		w->want = WSA_WAIT_TIMEOUT;
		return w;
	}
	w->all = spec < 0;
	w->count = spec < 0 ? -spec : spec;
	w->timeout = WSA_INFINITE;
	w->want = w->all ? WSA_WAIT_EVENT_0 : WSA_WAIT_EVENT_0 + w->count - 1;
	for (i = 0; i < w->count; i++)
		/* Wait-any: only the last is signaled; wait-all: every one. */
		w->ev[i] = create(TRUE, w->all || i == w->count - 1);
	return w;
}

static void waitset_run(void *st, long iters)
{
	struct waitset *w = st;
	long i;

	for (i = 0; i < iters; i++)
		if (WSAWaitForMultipleEvents(w->count, w->ev, w->all,
					     w->timeout, FALSE) != w->want)
			bench_die("wait: unexpected result, error %d",
				  WSAGetLastError());
}

static void waitset_teardown(void *st)
{
	struct waitset *w = st;
	DWORD i;

	for (i = 0; i < w->count; i++)
		WSACloseEvent(w->ev[i]);
	free(w);
}

const struct bench_impl ws_impl_wait64 = {
	"wait-any on 64, last signaled", waitset_setup, waitset_run,
	waitset_teardown, (void *)64L
};

const struct bench_impl ws_impl_wait1 = {
	"wait-any on 1, signaled", waitset_setup, waitset_run,
	waitset_teardown, (void *)1L
};

const struct bench_impl ws_impl_waitall8 = {
	"wait-all on 8, all signaled", waitset_setup, waitset_run,
	waitset_teardown, (void *)-8L
};

const struct bench_impl ws_impl_poll1 = {
	"wait-any on 1, not signaled, timeout 0", waitset_setup, waitset_run,
	waitset_teardown, (void *)0L
};
