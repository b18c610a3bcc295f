// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-event: event objects against what Linux programs use instead.
 *
 *  - ping-pong between two threads: WSASetEvent + WSAWaitForMultipleEvents
 *    on auto-reset events, against a futex event and an eventfd with poll
 *    (the esync way: write to set, poll then read to wait and consume);
 *  - uncontended WSASetEvent + WSAResetEvent, against two getppid();
 *  - WSAWaitForMultipleEvents that succeed at once: on 64 events with
 *    the last one signaled against a wait on 1, and wait-all on 8;
 *    and a poll (a timeout-0 wait on an event not signaled).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "ws_bench.h"

/* ---- futex: an auto-reset event (0 unset, 1 set, 2 unset + waiters) ---- */

static long futex(uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op | FUTEX_PRIVATE_FLAG, val, NULL,
		       NULL, 0);
}

static void fx_set(uint32_t *w)
{
	if (__atomic_exchange_n(w, 1, __ATOMIC_RELEASE) == 2)
		futex(w, FUTEX_WAKE, INT_MAX);
}

static void fx_wait(uint32_t *w)
{
	uint32_t v;

	for (;;) {
		v = 1;
		if (__atomic_compare_exchange_n(w, &v, 0, 0, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		/* v is 0 or 2 now: announce a waiter, then sleep on 2. */
		if (v == 0 &&
		    !__atomic_compare_exchange_n(w, &v, 2, 0, __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED))
			continue;
		futex(w, FUTEX_WAIT, 2);
	}
}

struct fx_pp {
	uint32_t ping, pong;
	volatile int stop;
	bench_thread *partner;
};

static void *fx_partner(void *arg)
{
	struct fx_pp *p = arg;

	for (;;) {
		fx_wait(&p->ping);
		if (p->stop)
			break;
		fx_set(&p->pong);
	}
	return NULL;
}

static void *fx_setup(void *arg)
{
	struct fx_pp *p = calloc(1, sizeof(*p));

	(void)arg;
	p->partner = bench_thread_start(fx_partner, p);
	return p;
}

static void fx_run(void *st, long iters)
{
	struct fx_pp *p = st;
	long i;

	for (i = 0; i < iters; i++) {
		fx_set(&p->ping);
		fx_wait(&p->pong);
	}
}

static void fx_teardown(void *st)
{
	struct fx_pp *p = st;

	p->stop = 1;
	fx_set(&p->ping);
	bench_thread_join(p->partner);
	free(p);
}

/* ---- eventfd + poll, as esync does ---- */

struct efd_pp {
	int ping, pong;
	volatile int stop;
	bench_thread *partner;
};

static void efd_set(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		bench_die("eventfd write: %s", strerror(errno));
}

/* poll until readable, then read to consume; another reader may win. */
static void efd_wait(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t v;

	for (;;) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			bench_die("poll: %s", strerror(errno));
		if (read(fd, &v, sizeof(v)) == sizeof(v))
			return;
		if (errno != EAGAIN)
			bench_die("eventfd read: %s", strerror(errno));
	}
}

static void *efd_partner(void *arg)
{
	struct efd_pp *p = arg;

	for (;;) {
		efd_wait(p->ping);
		if (p->stop)
			break;
		efd_set(p->pong);
	}
	return NULL;
}

static void *efd_setup(void *arg)
{
	struct efd_pp *p = calloc(1, sizeof(*p));

	(void)arg;
	p->ping = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->pong = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->ping < 0 || p->pong < 0)
		bench_die("eventfd: %s", strerror(errno));
	p->partner = bench_thread_start(efd_partner, p);
	return p;
}

static void efd_run(void *st, long iters)
{
	struct efd_pp *p = st;
	long i;

	for (i = 0; i < iters; i++) {
		efd_set(p->ping);
		efd_wait(p->pong);
	}
}

static void efd_teardown(void *st)
{
	struct efd_pp *p = st;

	p->stop = 1;
	efd_set(p->ping);
	bench_thread_join(p->partner);
	close(p->ping);
	close(p->pong);
	free(p);
}

/* ---- two bare system calls ---- */

static void *nothing_setup(void *arg)
{
	(void)arg;
	return (void *)1;
}

static void nothing_teardown(void *st)
{
	(void)st;
}

static void getppid_run(void *st, long iters)
{
	long i;

	(void)st;
	for (i = 0; i < iters; i++) {
		syscall(SYS_getppid);
		syscall(SYS_getppid);
	}
}

int main(void)
{
	struct bench_impl pp[] = {
		ws_impl_pingpong,
		{ "futex", fx_setup, fx_run, fx_teardown, NULL },
		{ "eventfd+poll", efd_setup, efd_run, efd_teardown, NULL },
	};
	struct bench_impl sr[] = {
		ws_impl_setreset,
		{ "2x getppid()", nothing_setup, getppid_run, nothing_teardown,
		  NULL },
		ws_impl_ioctl_floor,
	};
	struct bench_impl wt[] = {
		ws_impl_wait64, ws_impl_wait1, ws_impl_waitall8, ws_impl_poll1,
	};
	struct bench_result r[4];

	bench_init("bench-event");
	ws_startup();

	bench_measure("pingpong", pp, 3, BENCH_NS_PER_OP, r);
	bench_row("ping-pong vs futex",
		  "Event ping-pong, 2 threads (round trip)", &r[0], &r[1],
		  "le", 1.1, "auto-reset events; futex event with waiter flag");
	bench_row("ping-pong vs eventfd+poll",
		  "Event ping-pong, 2 threads (round trip)", &r[0], &r[2],
		  "le", 1.0, "esync style: write / poll+read");

	bench_measure("setreset", sr, 3, BENCH_NS_PER_OP, r);
	bench_row("set+reset vs 2 getppid", "Uncontended set + reset", &r[0],
		  &r[1], "le", 1.5, "two ioctls: see the ioctl floor below");
	bench_row("ioctl floor vs 2 getppid",
		  "Two ioctls the driver rejects (the ioctl floor)", &r[2],
		  &r[1], "le", 0, "system call + VFS ioctl dispatch only");

	bench_measure("wait", wt, 4, BENCH_NS_PER_OP, r);
	bench_row("wait 64 vs wait 1",
		  "Wait on 64, last signaled, vs wait on 1", &r[0], &r[1],
		  "le", 3.0, "both succeed at once");
	bench_row("wait-all 8 vs wait 1",
		  "Wait-all on 8 signaled, vs wait on 1", &r[2], &r[1],
		  "le", 0, "manual-reset events");
	bench_row("poll vs wait 1",
		  "A poll (timeout 0, nothing signaled), vs wait on 1", &r[3],
		  &r[1], "le", 0, "WSA_WAIT_TIMEOUT at once; reads no clock");
	return 0;
}
