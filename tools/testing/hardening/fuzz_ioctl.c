// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ioctl: multi-threaded ioctl fuzzer for /dev/wsaevent.
 *
 * Worker threads issue a fixed number of ioctls, random and mutated, on
 * context fds, event fds, fds of other kinds (pipe, sockets, /dev/null,
 * eventfd, epoll, timerfd) and invalid fd numbers, with arguments that
 * are valid, random, or point at NULL, inaccessible, read-only,
 * misaligned, kernel or non-canonical addresses.  The socket ioctls work
 * on connected unix and tcp pairs and on listeners with connections
 * waiting.  Meanwhile a churn thread closes and recreates the events,
 * contexts and sockets the workers use (with associations and overlapped
 * operations pending on them), a poll thread polls and epolls the
 * events, and a signal thread interrupts the workers' calls.  Every wait
 * has an absolute deadline at most 1 ms away (or in the past) and every
 * socket 1 ms receive and send timeouts, so no call may block; a
 * watchdog fails the run when one does.  Overlapped operations get
 * buffers of their own, which nothing else uses, since the kernel writes
 * them whenever the operation completes.
 *
 * Every ioctl the driver knows is a row of fuzz_cmds[] below, with a
 * generator for its argument and a checker for its successful result.
 * New ioctls (socket hooks, overlapped I/O) are added there.
 *
 * Parameters (KEY=VALUE arguments, WSAEVENT_TEST_KEY, or
 * wsaevent_test.KEY on the kernel command line; see hardening.h):
 *   calls     ioctls to issue in total  (normal 100000, debug tier 200000)
 *   threads   worker threads            (4)
 *   seed      random seed               (from the clock; always printed)
 *   limit     seconds the run may take  (normal 120, debug 480)
 *   hang      seconds one call may take (10)
 *
 * TAP: 1..4 (no crash, no hang, every result well-formed, nothing left
 * holding the module once the fuzzer has exited).
 */
#include "hardening.h"

#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/fs.h>

#define NSLOTS 32 /* churned event fds shared by all threads */
#define NCTX 2 /* churned contexts */
#define NPRIV 4 /* private, always-signaled manual events */
#define NSOCKS 12 /* churned sockets: 6 connected pairs */
#define NLISTEN 2 /* listening sockets: unix, tcp */
#define MAX_WORKERS 32
#define PAGE 4096UL

/* ---- shared state -------------------------------------------------------- */

struct results { /* in a MAP_SHARED page: the parent reads it */
	atomic_ullong calls;
	atomic_ullong anomalies;
	atomic_int hang;
	atomic_int timeout;
	atomic_int done;
	char hang_what[256];
	char anomaly_what[4][256];
	uint64_t elapsed_ns;
};

static struct results *res;
static uint64_t seed, ncalls, limit_s, hang_s;
static unsigned int nworkers;

static atomic_int ctx_slot[NCTX]; /* context fds */
static atomic_int ev_slot[NSLOTS]; /* event fds (of either context) */
static int priv_sig[NPRIV]; /* of ctx0 (never churned) */
static int priv_ctx; /* owns priv_sig */
static int other_fds[16], nother; /* fds of other kinds */
static const int bad_fds[] = { -1, 4000, 1 << 20, 0x7fffffff };

static atomic_int sock_slot[NSOCKS]; /* pairs: 2k, 2k + 1 */
static int listen_fds[NLISTEN];
static struct sockaddr_storage listen_addr[NLISTEN];
static socklen_t listen_addrlen[NLISTEN];
static int tcp_pair_listener = -1; /* private, makes TCP pairs */
static struct sockaddr_in tcp_pair_addr;

static unsigned char *ro_page; /* PROT_READ, all zero */
static unsigned char *none_area; /* PROT_NONE, 16 pages */
static atomic_bool stop;

/* ---- per-worker state ----------------------------------------------------- */

struct worker {
	unsigned int id;
	pthread_t thread;
	uint64_t rng;
	unsigned char *scratch; /* 2 RW pages, then a PROT_NONE guard page */
	/*
	 * Buffers of overlapped operations: the kernel writes them when the
	 * operation completes, any time later, so they are never used for
	 * anything else.
	 */
	unsigned char *async; /* 2 RW pages */
	int own_ev[4]; /* events this worker created and owns */
	__u32 objs_count; /* count of the last generated wait */
	/* For the watchdog. */
	_Atomic uint64_t call_start;
	unsigned long cur_cmd;
	int cur_fd;
	/* Histogram: [cmd row or generic class][errno] */
	unsigned long hist[24][136];
	struct {
		unsigned long cmd;
		int fd, err;
	} example[3]; /* mutated, generic, random */
};

static struct worker workers[MAX_WORKERS];

/* ---- pointers ------------------------------------------------------------- */

enum ptr_kind {
	PTR_GOOD,
	PTR_MISALIGNED,
	PTR_RO,
	PTR_STRADDLE,
	PTR_NONE,
	PTR_NULL,
	PTR_LOW,
	PTR_TASK_END,
	PTR_KERNEL,
	PTR_NONCANON,
	NR_PTR_KINDS,
};

/*
 * Where to put an argument of @len bytes; for the kinds the kernel can
 * read, *@writable says whether we may fill it in.  The kernel only ever
 * writes into the struct it was given, so nothing but scratch and
 * inaccessible memory is ever handed out.
 */
static void *pick_ptr(struct worker *w, size_t len, bool *writable)
{
	uint32_t r = rng_below(&w->rng, 100);
	size_t off;

	*writable = false;
	if (r < 78) {
		off = rng_below(&w->rng, (uint32_t)(PAGE - 64) / 8) * 8;
		*writable = true;
		return w->scratch + off;
	}
	if (r < 84) {
		off = rng_below(&w->rng, (uint32_t)(PAGE - 64)) | 1;
		*writable = true;
		return w->scratch + off;
	}
	if (r < 87)
		return ro_page + rng_below(&w->rng, (uint32_t)(PAGE - 64));
	if (r < 91) {
		/* The first bytes readable, the rest in the guard page. */
		if (len < 2 || len > 64)
			len = 64;
		off = 2 * PAGE - 1 - rng_below(&w->rng, (uint32_t)len - 1);
		*writable = true;
		return w->scratch + off;
	}
	if (r < 94)
		return none_area + rng_below(&w->rng, 16 * PAGE);
	if (r < 96)
		return NULL;
	switch (rng_below(&w->rng, 4)) {
	case 0:
		return (void *)(uintptr_t)(8 + rng_below(&w->rng, 0x800));
	case 1:
		return (void *)(uintptr_t)(0x7ffffffff000ULL +
					   rng_below(&w->rng, 0x1000));
	case 2:
		return (void *)(uintptr_t)(0xffff888000000000ULL +
					   rng_below(&w->rng, 1u << 20));
	default:
		return (void *)(uintptr_t)(0x8000000000000000ULL |
					   rng_next(&w->rng));
	}
}

/* Copy @len bytes of @src to @dst as far as @dst is writable (straddling). */
static void fill(void *dst, bool writable, const void *src, size_t len,
		 struct worker *w)
{
	unsigned char *d = dst;
	unsigned char *end = w->scratch + 2 * PAGE;

	if (!writable)
		return;
	if (d + len > end)
		len = (size_t)(end - d);
	memcpy(d, src, len);
}

/* ---- fds ------------------------------------------------------------------ */

/*
 * An fd for an event operand.  The private always-signaled events are
 * only ever named in waits (@for_wait): nothing may reset them.
 */
static int pick_event_fd(struct worker *w, bool for_wait)
{
	uint32_t r = rng_below(&w->rng, 100);

	if (r < 70)
		return atomic_load(&ev_slot[rng_below(&w->rng, NSLOTS)]);
	if (r < 85 || (r < 90 && !for_wait))
		return w->own_ev[rng_below(&w->rng, ARRAY_SIZE(w->own_ev))];
	if (r < 90)
		return priv_sig[rng_below(&w->rng, NPRIV)];
	if (r < 94)
		return atomic_load(&ctx_slot[rng_below(&w->rng, NCTX)]);
	if (r < 97)
		return other_fds[rng_below(&w->rng, nother)];
	return bad_fds[rng_below(&w->rng, ARRAY_SIZE(bad_fds))];
}

static int pick_ctx_fd(struct worker *w)
{
	uint32_t r = rng_below(&w->rng, 100);

	if (r < 90)
		return atomic_load(&ctx_slot[rng_below(&w->rng, NCTX)]);
	if (r < 94)
		return atomic_load(&ev_slot[rng_below(&w->rng, NSLOTS)]);
	if (r < 97)
		return other_fds[rng_below(&w->rng, nother)];
	return bad_fds[rng_below(&w->rng, ARRAY_SIZE(bad_fds))];
}

/* ---- argument generators ---------------------------------------------------- */

static uint64_t short_deadline(struct worker *w)
{
	switch (rng_below(&w->rng, 4)) {
	case 0:
		return 0; /* long past */
	case 1:
		return now_ns() - rng_below(&w->rng, 1000000); /* just past */
	default:
		return now_ns() + rng_below(&w->rng, 1000000); /* <= 1 ms */
	}
}

static void *gen_event_args(struct worker *w, int *fd)
{
	struct wsaevent_event_args a = { 0 };
	bool writable;
	void *p = pick_ptr(w, sizeof(a), &writable);

	(void)fd;
	a.flags = rng_chance(&w->rng, 90) ? rng_below(&w->rng, 8) :
					    (uint32_t)rng_next(&w->rng);
	a.pad = rng_chance(&w->rng, 90) ? 0 : (uint32_t)rng_next(&w->rng);
	fill(p, writable, &a, sizeof(a), w);
	return p;
}

static void *gen_u32_out(struct worker *w, int *fd)
{
	bool writable;
	__u32 junk = 0xa5a5a5a5;
	void *p = pick_ptr(w, sizeof(__u32), &writable);

	(void)fd;
	fill(p, writable, &junk, sizeof(junk), w);
	return p;
}

static void *gen_read_out(struct worker *w, int *fd)
{
	struct wsaevent_event_args a = { ~0u, ~0u };
	bool writable;
	void *p = pick_ptr(w, sizeof(a), &writable);

	(void)fd;
	fill(p, writable, &a, sizeof(a), w);
	return p;
}

static void *gen_wait(struct worker *w, int *fd, bool all)
{
	struct wsaevent_wait_args a = { 0 };
	__u32 fds[WSAEVENT_MAX_WAIT_COUNT + 8];
	uint32_t count, i, r;
	bool writable, owr;
	void *objs, *p;
	bool infinite_ok = false;
	int coh = -1; /* the context of a coherent wait */

	r = rng_below(&w->rng, 100);
	if (r < 60)
		count = rng_below(&w->rng, 9);
	else if (r < 90)
		count = rng_below(&w->rng, WSAEVENT_MAX_WAIT_COUNT + 1);
	else if (r < 95)
		count = WSAEVENT_MAX_WAIT_COUNT + 1 + rng_below(&w->rng, 8);
	else
		count = (uint32_t)rng_next(&w->rng);

	r = rng_below(&w->rng, 100);
	if (r < 8 && count && count <= NPRIV) {
		/*
		 * Only private always-signaled manual events of the private
		 * context: may wait forever, it is satisfied at once.
		 */
		*fd = priv_ctx;
		for (i = 0; i < count; i++)
			fds[i] = (__u32)priv_sig[i];
		infinite_ok = true;
	} else if (r < 75) {
		/*
		 * Coherent: distinct current events of one context, the kind
		 * of wait that blocks and gets woken by the other threads.
		 */
		unsigned int c = rng_below(&w->rng, NCTX), per = NSLOTS / NCTX;
		unsigned int idx[NSLOTS / NCTX];

		coh = (int)c;
		*fd = atomic_load(&ctx_slot[c]);
		if (count > per || count == 0)
			count = rng_below(&w->rng, 5) + (all ? 1 : 0);
		for (i = 0; i < per; i++)
			idx[i] = i;
		for (i = 0; i < count; i++) {
			unsigned int j = i + rng_below(&w->rng, per - i),
				     t = idx[i];

			idx[i] = idx[j];
			idx[j] = t;
			fds[i] =
				(__u32)atomic_load(&ev_slot[idx[i] * NCTX + c]);
		}
	} else {
		for (i = 0; i < count && i < ARRAY_SIZE(fds); i++) {
			if (rng_chance(&w->rng, 3))
				fds[i] = (__u32)rng_next(&w->rng);
			else
				fds[i] = (__u32)pick_event_fd(w, true);
		}
		if (all && count >= 2 && count <= ARRAY_SIZE(fds) &&
		    rng_chance(&w->rng, 10))
			fds[count - 1] = fds[0]; /* duplicate */
	}

	a.count = count;
	a.index = (__u32)rng_next(&w->rng);
	r = rng_below(&w->rng, 100);
	if (r < 60) {
		a.flags = 0;
	} else if (r < 95) {
		a.flags = WSAEVENT_WAIT_ALERT;
		if (rng_chance(&w->rng, 30)) {
			/* An always-signaled alert: satisfied at once. */
			if (*fd == priv_ctx || rng_chance(&w->rng, 50)) {
				*fd = priv_ctx;
				a.alert = (__u32)
					priv_sig[rng_below(&w->rng, NPRIV)];
				/*
				 * A signaled alert satisfies WAIT_ANY and WAIT_ALL
				 * at once (or an error ends the call first).
				 */
				infinite_ok = true;
			} else {
				a.alert = (__u32)pick_event_fd(w, true);
			}
		} else if (coh >= 0) {
			a.alert = (__u32)atomic_load(
				&ev_slot[rng_below(&w->rng, NSLOTS / NCTX) *
						 NCTX +
					 (unsigned int)coh]);
		} else {
			a.alert = (__u32)pick_event_fd(w, true);
		}
	} else {
		a.flags = (uint32_t)rng_next(&w->rng);
		a.alert = (uint32_t)rng_next(&w->rng);
	}
	if (!(a.flags & WSAEVENT_WAIT_ALERT) && rng_chance(&w->rng, 5))
		a.alert = (uint32_t)rng_next(&w->rng);

	a.timeout = infinite_ok && rng_chance(&w->rng, 50) ?
			    WSAEVENT_TIMEOUT_INFINITE :
			    short_deadline(w);

	/* The fd array. */
	objs = NULL;
	owr = false;
	r = rng_below(&w->rng, 100);
	if (r < 85) {
		objs = w->scratch + PAGE + rng_below(&w->rng, 256) * 4;
		if ((size_t)count * 4 >
		    (size_t)(w->scratch + 2 * PAGE - (unsigned char *)objs))
			objs = w->scratch + PAGE;
		owr = true;
	} else if (r < 92) {
		/* Runs into the guard page. */
		uint32_t fit =
			rng_below(&w->rng, (count < 64 ? count : 64) + 1);

		objs = w->scratch + 2 * PAGE - fit * 4;
		owr = true;
	} else {
		objs = pick_ptr(w, count * 4, &owr);
	}
	if (owr && objs)
		fill(objs, true, fds,
		     (count < ARRAY_SIZE(fds) ? count : ARRAY_SIZE(fds)) * 4,
		     w);
	a.objs = (uintptr_t)objs;

	/*
	 * The wait args themselves.  Not writable (read-only page: all
	 * zero, a past deadline) or inaccessible is fine: neither can block.
	 */
	p = pick_ptr(w, sizeof(a), &writable);
	fill(p, writable, &a, sizeof(a), w);
	w->objs_count = count;
	return p;
}

static void *gen_wait_any(struct worker *w, int *fd)
{
	return gen_wait(w, fd, false);
}
static void *gen_wait_all(struct worker *w, int *fd)
{
	return gen_wait(w, fd, true);
}

/* ---- sockets ----------------------------------------------------------------- */

/*
 * Every socket the fuzzer makes has 1 ms receive and send timeouts, so
 * that a receive, send or accept on it cannot block longer even when a
 * FIONBIO made it blocking.
 */
static void sock_bound(int fd, uint64_t *rng)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!rng || rng_chance(rng, 70))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* A connected pair of kind @kind (0 unix stream, 1 unix dgram, 2 tcp). */
static bool make_pair(int kind, int sv[2], uint64_t *rng)
{
	if (kind == 0 || (kind == 2 && tcp_pair_listener < 0)) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return false;
	} else if (kind == 1) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
			return false;
	} else {
		sv[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sv[0] < 0)
			return false;
		if (connect(sv[0], (struct sockaddr *)&tcp_pair_addr,
			    sizeof(tcp_pair_addr)) ||
		    (sv[1] = accept4(tcp_pair_listener, NULL, NULL,
				     SOCK_CLOEXEC)) < 0) {
			close(sv[0]);
			return false;
		}
	}
	sock_bound(sv[0], rng);
	sock_bound(sv[1], rng);
	return true;
}

static int pick_sock_fd(struct worker *w)
{
	uint32_t r = rng_below(&w->rng, 100);

	if (r < 70)
		return atomic_load(&sock_slot[rng_below(&w->rng, NSOCKS)]);
	if (r < 82)
		return listen_fds[rng_below(&w->rng, NLISTEN)];
	if (r < 90)
		return other_fds[rng_below(&w->rng, nother)];
	if (r < 95)
		return atomic_load(&ev_slot[rng_below(&w->rng, NSLOTS)]);
	return bad_fds[rng_below(&w->rng, ARRAY_SIZE(bad_fds))];
}

/* An event of the context *@fd for a socket ioctl, or something else. */
static uint32_t pick_sock_event(struct worker *w, int *fd)
{
	unsigned int c = rng_below(&w->rng, NCTX);

	if (rng_chance(&w->rng, 80)) {
		*fd = atomic_load(&ctx_slot[c]);
		return (uint32_t)atomic_load(
			&ev_slot[rng_below(&w->rng, NSLOTS / NCTX) * NCTX + c]);
	}
	return rng_chance(&w->rng, 50) ? (uint32_t)pick_event_fd(w, false) :
					 (uint32_t)rng_next(&w->rng);
}

static uint32_t pick_mask(struct worker *w)
{
	uint32_t r = rng_below(&w->rng, 100);

	if (r < 10)
		return 0;
	if (r < 85)
		return (uint32_t)rng_next(&w->rng) & WSAEVENT_FD_ALL_EVENTS;
	return (uint32_t)rng_next(&w->rng);
}

/* An iovec array of up to @max buffers in @area (2 pages), or bad. */
static void *gen_iov(struct worker *w, unsigned char *area, uint32_t *count,
		     bool async)
{
	struct iovec *iov;
	uint32_t n, r = rng_below(&w->rng, 100), i;
	bool writable;

	if (r < 85)
		n = rng_below(&w->rng, 5);
	else if (r < 95)
		n = rng_below(&w->rng, 40);
	else
		n = r < 98 ? 1025 : (uint32_t)rng_next(&w->rng);
	*count = n;
	if (rng_chance(&w->rng, 8)) {
		iov = pick_ptr(w, sizeof(*iov), &writable);
		if (!writable || async)
			return iov; /* the kernel only reads it */
		/* Fall through with a scratch array, wherever it landed. */
	} else {
		iov = (struct iovec *)(area +
				       PAGE); /* second page: the array */
	}
	for (i = 0; i < n && i < 40; i++) {
		unsigned char *p = (unsigned char *)&iov[i];

		if (p + sizeof(*iov) > area + 2 * PAGE && p >= area)
			break;
		if (rng_chance(&w->rng, 90)) {
			/* Within the first page of the area: the buffers. */
			size_t off = rng_below(&w->rng, (uint32_t)PAGE);

			iov[i].iov_base = area + off;
			iov[i].iov_len =
				rng_below(&w->rng, (uint32_t)(PAGE - off) + 1);
			if (rng_chance(&w->rng, 5))
				iov[i].iov_len = 0;
		} else {
			bool wr;

			iov[i].iov_base = pick_ptr(w, 64, &wr);
			iov[i].iov_len = rng_below(&w->rng, 200);
			if (async && wr) /* never scratch for a later write */
				iov[i].iov_base = none_area;
		}
	}
	return iov;
}

/* A socket address in @buf (scratch); returns its length. */
static uint32_t gen_sockaddr(struct worker *w, void *buf, bool writable)
{
	struct sockaddr_storage ss;
	uint32_t len;

	memset(&ss, 0, sizeof(ss));
	switch (rng_below(&w->rng, 5)) {
	case 0: {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		in->sin_port = htons((uint16_t)rng_below(&w->rng, 65536));
		len = sizeof(*in);
		break;
	}
	case 1: {
		unsigned int l = rng_below(&w->rng, NLISTEN);

		memcpy(&ss, &listen_addr[l], listen_addrlen[l]);
		len = listen_addrlen[l];
		break;
	}
	case 2: {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		in6->sin6_port = htons((uint16_t)rng_below(&w->rng, 65536));
		len = sizeof(*in6);
		break;
	}
	default:
		for (unsigned int i = 0; i < sizeof(ss) / 8; i++)
			((uint64_t *)&ss)[i] = rng_next(&w->rng);
		len = rng_below(&w->rng, sizeof(ss) + 16);
		break;
	}
	fill(buf, writable, &ss, sizeof(ss), w);
	return len;
}

static void *gen_select(struct worker *w, int *fd)
{
	struct wsaevent_select_args a = { 0 };
	bool writable;
	void *p = pick_ptr(w, sizeof(a), &writable);

	a.sock = (uint32_t)pick_sock_fd(w);
	a.mask = pick_mask(w);
	a.event = a.mask || rng_chance(&w->rng, 5) ? pick_sock_event(w, fd) : 0;
	a.flags = rng_chance(&w->rng, 90) ? rng_below(&w->rng, 2) :
					    (uint32_t)rng_next(&w->rng);
	fill(p, writable, &a, sizeof(a), w);
	return p;
}

static void *gen_enum(struct worker *w, int *fd)
{
	struct wsaevent_enum_args a;
	bool writable;
	void *p = pick_ptr(w, sizeof(a), &writable);

	memset(&a, 0xa5, sizeof(a));
	a.sock = (uint32_t)pick_sock_fd(w);
	a.flags = rng_chance(&w->rng, 90) ? rng_below(&w->rng, 2) :
					    (uint32_t)rng_next(&w->rng);
	a.event = a.flags & WSAEVENT_ENUM_RESET || rng_chance(&w->rng, 5) ?
			  pick_sock_event(w, fd) :
			  0;
	fill(p, writable, &a, sizeof(a), w);
	return p;
}

static void *gen_msg(struct worker *w, int *fd, bool send)
{
	static const int recv_flags[] = { MSG_OOB, MSG_PEEK, MSG_WAITALL,
					  MSG_DONTWAIT, MSG_TRUNC };
	static const int send_flags[] = { MSG_OOB, MSG_DONTROUTE, MSG_DONTWAIT,
					  MSG_MORE };
	struct wsaevent_msg_args a = { 0 };
	unsigned char *addrbuf = w->scratch + PAGE + 2048;
	bool writable;
	void *p;

	(void)fd;
	a.sock = (uint32_t)pick_sock_fd(w);
	if (rng_chance(&w->rng, 90)) {
		const int *f = send ? send_flags : recv_flags;
		unsigned int n = send ? ARRAY_SIZE(send_flags) :
					ARRAY_SIZE(recv_flags);

		for (unsigned int i = 0; i < n; i++)
			if (rng_chance(&w->rng, 25))
				a.flags |= (uint32_t)f[i];
	} else {
		a.flags = (uint32_t)rng_next(&w->rng);
	}
	a.iov = (uintptr_t)gen_iov(w, w->scratch, &a.iovcnt, false);
	if (rng_chance(&w->rng, 50)) {
		a.addr = (uintptr_t)addrbuf;
		a.addrlen = send ? gen_sockaddr(w, addrbuf, true) :
				   rng_below(&w->rng, 200);
	} else if (rng_chance(&w->rng, 20)) {
		a.addr = (uintptr_t)pick_ptr(w, 32, &writable);
		a.addrlen = rng_below(&w->rng, 200);
	}
	a.pad = rng_chance(&w->rng, 95) ? 0 : (uint32_t)rng_next(&w->rng);
	p = pick_ptr(w, sizeof(a), &writable);
	/* The msg args must not overlap the iovec array or the address. */
	if (writable)
		p = w->scratch + rng_below(&w->rng, 64) * 8;
	fill(p, writable, &a, sizeof(a), w);
	return p;
}

static void *gen_recv(struct worker *w, int *fd)
{
	return gen_msg(w, fd, false);
}
static void *gen_send(struct worker *w, int *fd)
{
	return gen_msg(w, fd, true);
}

static void *gen_accept(struct worker *w, int *fd)
{
	struct wsaevent_accept_args a = { 0 };
	bool writable;
	void *p;

	(void)fd;
	a.sock = (uint32_t)(rng_chance(&w->rng, 60) ?
				    listen_fds[rng_below(&w->rng, NLISTEN)] :
				    pick_sock_fd(w));
	/* Always SOCK_NONBLOCK: a worker may receive on it before closing it. */
	a.flags = (uint32_t)SOCK_NONBLOCK |
		  (rng_chance(&w->rng, 90) ?
			   (uint32_t)(rng_chance(&w->rng, 50) ? SOCK_CLOEXEC :
								0) :
			   (uint32_t)rng_next(&w->rng));
	if (rng_chance(&w->rng, 60)) {
		a.addr = (uintptr_t)(w->scratch + PAGE + 2048);
		a.addrlen = rng_below(&w->rng, 200);
	} else if (rng_chance(&w->rng, 20)) {
		a.addr = (uintptr_t)pick_ptr(w, 32, &writable);
		a.addrlen = rng_chance(&w->rng, 90) ?
				    rng_below(&w->rng, 200) :
				    (uint32_t)rng_next(&w->rng);
	}
	a.pad = rng_chance(&w->rng, 95) ? 0 : (uint32_t)rng_next(&w->rng);
	p = w->scratch + rng_below(&w->rng, 64) * 8;
	writable = true;
	if (rng_chance(&w->rng, 10))
		p = pick_ptr(w, sizeof(a), &writable);
	fill(p, writable, &a, sizeof(a), w);
	return p;
}

/* RELEASE takes the socket fd by value. */
static void *gen_release(struct worker *w, int *fd)
{
	(void)fd;
	if (rng_chance(&w->rng, 95))
		return (void *)(uintptr_t)(unsigned int)pick_sock_fd(w);
	return (void *)(uintptr_t)rng_next(&w->rng);
}

static void *gen_fionbio(struct worker *w, int *fd)
{
	struct wsaevent_fionbio_args a;
	bool writable;
	void *p = pick_ptr(w, sizeof(a), &writable);

	(void)fd;
	a.sock = (uint32_t)pick_sock_fd(w);
	a.nonblocking = rng_chance(&w->rng, 50) ? rng_below(&w->rng, 2) :
						  (uint32_t)rng_next(&w->rng);
	fill(p, writable, &a, sizeof(a), w);
	return p;
}

static void *gen_submit(struct worker *w, int *fd)
{
	struct wsaevent_io_args a = { 0 };
	bool writable;
	void *p;

	a.sock = (uint32_t)pick_sock_fd(w);
	a.op = rng_chance(&w->rng, 90) ? 1 + rng_below(&w->rng, 2) :
					 (uint32_t)rng_next(&w->rng);
	a.flags = rng_chance(&w->rng, 80) ?
			  0 :
		  rng_chance(&w->rng, 80) ?
			  (uint32_t)(MSG_OOB | MSG_PEEK | MSG_WAITALL) &
				  (uint32_t)rng_next(&w->rng) :
			  (uint32_t)rng_next(&w->rng);
	a.io_flags = rng_chance(&w->rng, 90) ? rng_below(&w->rng, 8) :
					       (uint32_t)rng_next(&w->rng);
	if (a.io_flags & WSAEVENT_IO_RESET_EVENT && rng_chance(&w->rng, 80))
		a.io_flags |= WSAEVENT_IO_EVENT;
	if (a.io_flags & WSAEVENT_IO_EVENT || rng_chance(&w->rng, 5))
		a.event = pick_sock_event(w, fd);
	a.iov = (uintptr_t)gen_iov(w, w->async, &a.iovcnt, true);
	if (!a.iovcnt && rng_chance(&w->rng, 80))
		a.iovcnt =
			1; /* the array holds an earlier (safe) entry, or zeros */
	if (rng_chance(&w->rng, 90)) {
		/* The WSAOVERLAPPED at the end of the async area's last page. */
		a.overlapped = (uintptr_t)(w->async + 2 * PAGE - 64 +
					   8 * rng_below(&w->rng, 4));
		*(volatile uint64_t *)(uintptr_t)a.overlapped = 0x103;
	} else {
		a.overlapped = (uintptr_t)pick_ptr(w, 24, &writable);
		if (writable)
			a.overlapped = (uintptr_t)none_area;
	}
	if (rng_chance(&w->rng, 40)) {
		a.addr = (uintptr_t)(w->async + 2 * PAGE - 512);
		a.addrlen = a.op == WSAEVENT_OP_SEND ?
				    gen_sockaddr(w, w->scratch + PAGE + 2048,
						 true) :
				    rng_below(&w->rng, 200);
		if (a.op == WSAEVENT_OP_SEND) /* read at submission only */
			a.addr = (uintptr_t)(w->scratch + PAGE + 2048);
	}
	if (rng_chance(&w->rng, a.op == WSAEVENT_OP_RECV ? 30 : 3))
		a.addrlen_ptr = (uintptr_t)(w->async + 2 * PAGE - 128);
	a.pad = rng_chance(&w->rng, 95) ? 0 : (uint32_t)rng_next(&w->rng);
	p = w->scratch + rng_below(&w->rng, 32) * 8;
	writable = true;
	if (rng_chance(&w->rng, 10))
		p = pick_ptr(w, sizeof(a), &writable);
	fill(p, writable, &a, sizeof(a), w);
	return p;
}

static void *gen_cancel(struct worker *w, int *fd)
{
	struct wsaevent_cancel_args a = { 0 };
	bool writable;
	void *p = pick_ptr(w, sizeof(a), &writable);

	(void)fd;
	a.flags = rng_chance(&w->rng, 90) ? 1 + rng_below(&w->rng, 2) :
					    (uint32_t)rng_next(&w->rng);
	if (a.flags == WSAEVENT_CANCEL_SOCKET || rng_chance(&w->rng, 5))
		a.sock = (uint32_t)pick_sock_fd(w);
	fill(p, writable, &a, sizeof(a), w);
	return p;
}

/* ---- result checkers -------------------------------------------------------- */

static void anomaly(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void anomaly(struct worker *w, const char *fmt, ...)
{
	unsigned long long n = atomic_fetch_add(&res->anomalies, 1);
	va_list ap;

	(void)w;
	if (n < ARRAY_SIZE(res->anomaly_what)) {
		va_start(ap, fmt);
		vsnprintf(res->anomaly_what[n], sizeof(res->anomaly_what[n]),
			  fmt, ap);
		va_end(ap);
	}
}

static bool readable_scratch(struct worker *w, const void *p, size_t len)
{
	const unsigned char *c = p;

	return c >= w->scratch && c + len <= w->scratch + 2 * PAGE;
}

static void own_event(struct worker *w, int fd)
{
	unsigned int i = rng_below(&w->rng, ARRAY_SIZE(w->own_ev));

	close(w->own_ev[i]);
	w->own_ev[i] = fd;
}

static void check_create(struct worker *w, long ret, void *arg, int fd)
{
	struct wsaevent_event_args a;
	int flags;

	(void)fd;
	if (ret < 0)
		return;
	/* A new event: its MANUAL bit is the one asked for. */
	flags = wsa_read((int)ret);
	if (flags < 0) {
		anomaly(w,
			"CREATE_EVENT returned fd %ld, READ on it failed: %s",
			ret, strerror(-flags));
	} else if (readable_scratch(w, arg, sizeof(a))) {
		memcpy(&a, arg, sizeof(a));
		if ((flags & WSAEVENT_EVENT_MANUAL) !=
		    (a.flags & WSAEVENT_EVENT_MANUAL))
			anomaly(w, "CREATE_EVENT flags %#x gave READ flags %#x",
				a.flags, flags);
	}
	if (rng_chance(&w->rng, 20))
		own_event(w, (int)ret);
	else
		close((int)ret);
}

static void check_prev(struct worker *w, long ret, void *arg, int fd)
{
	__u32 prev;

	(void)fd;
	if (ret != 0 || !readable_scratch(w, arg, sizeof(prev)))
		return;
	memcpy(&prev, arg, sizeof(prev));
	if (prev > 1)
		anomaly(w, "SET/RESET/PULSE stored previous state %u", prev);
}

static void check_read(struct worker *w, long ret, void *arg, int fd)
{
	struct wsaevent_event_args a;

	(void)fd;
	if (ret != 0 || !readable_scratch(w, arg, sizeof(a)))
		return;
	memcpy(&a, arg, sizeof(a));
	if (a.flags & ~(WSAEVENT_EVENT_MANUAL | WSAEVENT_EVENT_SIGNALED) ||
	    a.pad)
		anomaly(w, "READ gave flags %#x pad %#x", a.flags, a.pad);
}

static void check_wait(struct worker *w, long ret, void *arg, int fd)
{
	struct wsaevent_wait_args a;

	(void)fd;
	if (ret != 0 || !readable_scratch(w, arg, sizeof(a)))
		return;
	memcpy(&a, arg, sizeof(a));
	if (a.index > a.count ||
	    (a.index == a.count && !(a.flags & WSAEVENT_WAIT_ALERT)))
		anomaly(w, "WAIT returned index %u for count %u flags %#x",
			a.index, a.count, a.flags);
}

static void check_enum(struct worker *w, long ret, void *arg, int fd)
{
	struct wsaevent_enum_args a;

	(void)fd;
	if (ret != 0 || !readable_scratch(w, arg, sizeof(a)))
		return;
	memcpy(&a, arg, sizeof(a));
	if (a.events & ~WSAEVENT_FD_ALL_EVENTS)
		anomaly(w, "ENUM gave events %#x", a.events);
	for (int i = 0; i < WSAEVENT_FD_MAX_EVENTS; i++)
		if (!(a.events & (1u << i)) && a.errors[i])
			anomaly(w, "ENUM gave error %d for unreported bit %d",
				a.errors[i], i);
}

static void check_none(struct worker *w, long ret, void *arg, int fd)
{
	(void)w;
	(void)ret;
	(void)arg;
	(void)fd;
}

static void check_accept(struct worker *w, long ret, void *arg, int fd)
{
	(void)w;
	(void)arg;
	(void)fd;
	if (ret >= 0)
		close((int)ret);
}

/* ---- the command table ------------------------------------------------------- */

enum fuzz_target { T_CTX, T_EVENT };

struct fuzz_cmd {
	const char *name;
	unsigned long cmd;
	enum fuzz_target target;
	/* Builds the argument; may change *fd (e.g. to the private context). */
	void *(*gen)(struct worker *w, int *fd);
	/* Checks a result (ret is the ioctl's return value, -1 on error). */
	void (*check)(struct worker *w, long ret, void *arg, int fd);
	/* What a success returns, and which errors are expected. */
	enum { RET_ZERO, RET_FD, RET_COUNT } ret;
	bool net; /* socket ioctl: network errors are expected too */
};

/*
 * Every ioctl of <linux/wsaevent.h>.  A generator must never let a call
 * block for more than about 1 ms: deadlines are short or past, and
 * WSAEVENT_TIMEOUT_INFINITE is only used when an always-signaled private
 * event satisfies the wait at once.
 */
static const struct fuzz_cmd fuzz_cmds[] = {
	{ "CREATE_EVENT", WSAEVENT_IOC_CREATE_EVENT, T_CTX, gen_event_args,
	  check_create, RET_FD, false },
	{ "WAIT_ANY", WSAEVENT_IOC_WAIT_ANY, T_CTX, gen_wait_any, check_wait,
	  RET_ZERO, false },
	{ "WAIT_ALL", WSAEVENT_IOC_WAIT_ALL, T_CTX, gen_wait_all, check_wait,
	  RET_ZERO, false },
	{ "EVENT_SET", WSAEVENT_IOC_EVENT_SET, T_EVENT, gen_u32_out, check_prev,
	  RET_ZERO, false },
	{ "EVENT_RESET", WSAEVENT_IOC_EVENT_RESET, T_EVENT, gen_u32_out,
	  check_prev, RET_ZERO, false },
	{ "EVENT_PULSE", WSAEVENT_IOC_EVENT_PULSE, T_EVENT, gen_u32_out,
	  check_prev, RET_ZERO, false },
	{ "EVENT_READ", WSAEVENT_IOC_EVENT_READ, T_EVENT, gen_read_out,
	  check_read, RET_ZERO, false },
	/* Socket hooks. */
	{ "SELECT", WSAEVENT_IOC_SELECT, T_CTX, gen_select, check_none,
	  RET_ZERO, true },
	{ "ENUM", WSAEVENT_IOC_ENUM, T_CTX, gen_enum, check_enum, RET_ZERO,
	  true },
	{ "RECV", WSAEVENT_IOC_RECV, T_CTX, gen_recv, check_none, RET_COUNT,
	  true },
	{ "SEND", WSAEVENT_IOC_SEND, T_CTX, gen_send, check_none, RET_COUNT,
	  true },
	{ "ACCEPT", WSAEVENT_IOC_ACCEPT, T_CTX, gen_accept, check_accept,
	  RET_FD, true },
	{ "RELEASE", WSAEVENT_IOC_RELEASE, T_CTX, gen_release, check_none,
	  RET_ZERO, true },
	{ "FIONBIO", WSAEVENT_IOC_FIONBIO, T_CTX, gen_fionbio, check_none,
	  RET_ZERO, true },
	/* Overlapped I/O. */
	{ "SUBMIT", WSAEVENT_IOC_SUBMIT, T_CTX, gen_submit, check_none,
	  RET_ZERO, true },
	{ "CANCEL", WSAEVENT_IOC_CANCEL, T_CTX, gen_cancel, check_none,
	  RET_COUNT, true },
};
#define NCMDS ARRAY_SIZE(fuzz_cmds)
#define ROW_MUTATED (NCMDS) /* histogram rows of the other classes */
#define ROW_GENERIC (NCMDS + 1)
#define ROW_RANDOM (NCMDS + 2)
#define NROWS (NCMDS + 3)

/* Errors a known ioctl may return in this fuzzer (the fd may be stale). */
static bool errno_allowed(const struct fuzz_cmd *c, int e)
{
	switch (e) {
	case EFAULT:
	case EINVAL:
	case EBADF:
	case ETIMEDOUT:
	case EINTR:
	case ENOMEM:
	case EMFILE:
	case ENFILE:
	case ENOTTY:
		return true;
	}
	if (!c->net)
		return false;
	/* What the socket calls behind the socket ioctls can say. */
	switch (e) {
	case ENOTSOCK:
	case EAGAIN:
	case EINPROGRESS:
	case EMSGSIZE:
	case ECONNRESET:
	case ENOTCONN:
	case EPIPE:
	case EDESTADDRREQ:
	case EISCONN:
	case EOPNOTSUPP:
	case ENOBUFS:
	case ECONNREFUSED:
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EAFNOSUPPORT:
	case EADDRNOTAVAIL:
	case ECONNABORTED:
	case ENOENT:
	case EACCES:
	case EPERM:
	case EPROTOTYPE:
	case ESHUTDOWN:
	case ENXIO:
	case ERESTART:
	case ECANCELED:
	case EALREADY:
		return true;
	}
	return false;
}

/* VFS ioctls that are harmless on any fd (do_vfs_ioctl() handles them). */
static const unsigned long generic_cmds[] = {
	FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, FIOQSIZE, FIONREAD, FIGETBSZ,
};

/* A random command number that is no generic VFS ioctl. */
static unsigned long random_cmd(struct worker *w)
{
	for (;;) {
		unsigned long cmd = (uint32_t)rng_next(&w->rng);
		unsigned int type = _IOC_TYPE(cmd);

		/*
		 * 'X' freeze/thaw/xattr, 'f' flags/fiemap, 0x94 clone, 'T' FIO*
		 * and tty, 0 FIBMAP; 0x89 and 0x8b network configuration, should
		 * a stale fd number have become a socket.
		 */
		if (type == 'X' || type == 'f' || type == 0x94 || type == 'T' ||
		    type == 0 || type == 0x89 || type == 0x8b)
			continue;
		return cmd;
	}
}

static unsigned long mutate_cmd(struct worker *w, unsigned long cmd)
{
	switch (rng_below(&w->rng, 5)) {
	case 0: /* direction */
		return (cmd & ~(_IOC_DIRMASK << _IOC_DIRSHIFT)) |
		       ((unsigned long)rng_below(&w->rng, 4) << _IOC_DIRSHIFT);
	case 1: /* size */
		return (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		       ((unsigned long)rng_below(&w->rng, _IOC_SIZEMASK + 1)
			<< _IOC_SIZESHIFT);
	case 2: /* size off by a little */
		return (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		       ((unsigned long)((_IOC_SIZE(cmd) +
					 rng_below(&w->rng, 17) - 8) &
					_IOC_SIZEMASK)
			<< _IOC_SIZESHIFT);
	case 3: /* number */
		return (cmd & ~(_IOC_NRMASK << _IOC_NRSHIFT)) |
		       ((unsigned long)((_IOC_NR(cmd) + rng_below(&w->rng, 33) -
					 16) &
					_IOC_NRMASK)
			<< _IOC_NRSHIFT);
	default: /* one random bit of the number or the size */
		return cmd ^ (1UL << rng_below(&w->rng, 30));
	}
}

static bool is_wsaevent_fd_kind(int fd)
{
	/* Cheap: the fds this fuzzer made itself of other kinds, or bad ones. */
	for (int i = 0; i < nother; i++)
		if (other_fds[i] == fd)
			return false;
	return fd > 2;
}

/* ---- one call ------------------------------------------------------------------ */

static void one_call(struct worker *w)
{
	const struct fuzz_cmd *c = NULL;
	unsigned long cmd;
	uint32_t r = rng_below(&w->rng, 100);
	unsigned int row, i;
	void *arg;
	bool writable;
	long ret;
	int fd, e;

	if (r < 82) {
		c = &fuzz_cmds[rng_below(&w->rng, NCMDS)];
		cmd = c->cmd;
		row = (unsigned int)(c - fuzz_cmds);
	} else if (r < 94) {
		cmd = mutate_cmd(w, fuzz_cmds[rng_below(&w->rng, NCMDS)].cmd);
		row = ROW_MUTATED;
	} else if (r < 97) {
		cmd = generic_cmds[rng_below(&w->rng, ARRAY_SIZE(generic_cmds))];
		row = ROW_GENERIC;
	} else {
		cmd = random_cmd(w);
		row = ROW_RANDOM;
	}

	/* A mutation may land on a real command: then it is that command. */
	if (!c) {
		for (i = 0; i < NCMDS; i++) {
			if (fuzz_cmds[i].cmd == cmd) {
				c = &fuzz_cmds[i];
				row = i;
			}
		}
	}

	if (c) {
		/* Mostly the right kind of fd, sometimes the other one. */
		bool ctx = (c->target == T_CTX) ^ rng_chance(&w->rng, 10);

		fd = ctx ? pick_ctx_fd(w) : pick_event_fd(w, false);
		arg = c->gen(w, &fd);
	} else {
		fd = rng_chance(&w->rng, 50) ? pick_ctx_fd(w) :
					       pick_event_fd(w, false);
		/* Unknown commands only on our own fds (never a socket's SIOC*). */
		if (row != ROW_GENERIC && !is_wsaevent_fd_kind(fd) && fd >= 0 &&
		    fd < 4000)
			fd = atomic_load(&ctx_slot[0]);
		arg = pick_ptr(w, 64, &writable);
		if (writable) {
			uint64_t junk[8];

			for (i = 0; i < 8; i++)
				junk[i] = rng_next(&w->rng);
			fill(arg, true, junk, sizeof(junk), w);
		}
		if (rng_chance(&w->rng, 10))
			arg = (void *)(uintptr_t)rng_below(&w->rng, 1 << 16);
	}

	w->cur_cmd = cmd;
	w->cur_fd = fd;
	atomic_store(&w->call_start, now_ns());
	ret = ioctl(fd, cmd, arg);
	e = ret < 0 ? errno : 0;
	atomic_store(&w->call_start, 0);
	atomic_fetch_add(&res->calls, 1);

	w->hist[row][e < 135 ? e : 135]++;
	if (row >= NCMDS && e && e != ENOTTY && e != EBADF && e != EFAULT &&
	    !w->example[row - NCMDS].cmd) {
		/* Show one example of each less common outcome. */
		w->example[row - NCMDS].cmd = cmd;
		w->example[row - NCMDS].fd = fd;
		w->example[row - NCMDS].err = e;
	}

	if (c) {
		if (ret < 0 && !errno_allowed(c, e))
			anomaly(w, "%s on fd %d: unexpected errno %d (%s)",
				c->name, fd, e, strerror(e));
		else if (ret > 0 && c->ret == RET_ZERO)
			anomaly(w, "%s on fd %d returned %ld", c->name, fd,
				ret);
		c->check(w, ret, arg, fd);
	} else if (ret > 0 && row != ROW_GENERIC) {
		/* Nothing but CREATE_EVENT returns an fd; do not leak one. */
		anomaly(w, "unknown cmd %#lx on fd %d returned %ld", cmd, fd,
			ret);
	}
}

/* ---- threads -------------------------------------------------------------------- */

static void *worker_main(void *p)
{
	struct worker *w = p;

	while (!atomic_load(&stop)) {
		if (atomic_load(&res->calls) >= ncalls)
			break;
		one_call(w);
	}
	return NULL;
}

static int new_event(uint64_t *rng, int ctx)
{
	return wsa_create(ctx, rng_below(rng, 8));
}

/* Closes and recreates the shared events and, now and then, a context. */
static void *churn_main(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 1000);
	(void)p;

	while (!atomic_load(&stop)) {
		uint32_t r = rng_below(&rng, 100);

		if (r >= 70) {
			/* Sockets: a new pair, or a client for a listener. */
			if (r < 90) {
				unsigned int k = rng_below(&rng, NSOCKS / 2);
				int sv[2];

				if (make_pair((int)(k % 3), sv, &rng)) {
					close(atomic_exchange(&sock_slot[2 * k],
							      sv[0]));
					close(atomic_exchange(
						&sock_slot[2 * k + 1], sv[1]));
				}
			} else {
				unsigned int l = rng_below(&rng, NLISTEN);
				int fd = socket(listen_addr[l].ss_family,
						SOCK_STREAM | SOCK_CLOEXEC |
							SOCK_NONBLOCK,
						0);

				if (fd >= 0 && listen_fds[l] >= 0)
					connect(fd,
						(struct sockaddr
							 *)&listen_addr[l],
						listen_addrlen[l]);
				/* Keep a few clients so that connections wait in the backlog. */
				if (fd >= 0) {
					static int clients[8];
					static unsigned int nc;

					if (nc >= ARRAY_SIZE(clients))
						close(clients[nc %
							      ARRAY_SIZE(
								      clients)]);
					clients[nc++ % ARRAY_SIZE(clients)] =
						fd;
				}
			}
		} else if (r < 1 && rng_chance(&rng, 20)) {
			unsigned int i = rng_below(&rng, NCTX);
			int fd = wsa_open();

			if (fd >= 0)
				close(atomic_exchange(&ctx_slot[i], fd));
		} else {
			/* Slot i holds an event of context i % NCTX. */
			unsigned int i = rng_below(&rng, NSLOTS), c = i % NCTX;
			int fd;

			if (r <
			    8) /* a second fd for another event of that context */
				fd = dup(atomic_load(
					&ev_slot[rng_below(&rng, NSLOTS / NCTX) *
							 NCTX +
						 c]));
			else
				fd = new_event(&rng, atomic_load(&ctx_slot[c]));
			if (fd >= 0)
				close(atomic_exchange(&ev_slot[i], fd));
		}
		usleep(rng_below(&rng, 200));
	}
	return NULL;
}

/* poll(), select-like and epoll on the churned events. */
static void *poll_main(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 2000);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	(void)p;

	while (!atomic_load(&stop)) {
		struct pollfd pfd[8];
		struct epoll_event ee = { .events = EPOLLIN }, out[8];
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(pfd); i++) {
			pfd[i].fd =
				atomic_load(&ev_slot[rng_below(&rng, NSLOTS)]);
			pfd[i].events = POLLIN;
		}
		poll(pfd, ARRAY_SIZE(pfd), (int)rng_below(&rng, 2));
		for (i = 0; i < 2; i++) {
			int fd = atomic_load(&ev_slot[rng_below(&rng, NSLOTS)]);

			ee.data.fd = fd;
			if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee) &&
			    errno == EEXIST)
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
		}
		epoll_wait(ep, out, ARRAY_SIZE(out), (int)rng_below(&rng, 2));
	}
	close(ep);
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A crash: say where, and what the workers were doing. */
static void on_crash(int sig, siginfo_t *si, void *uc)
{
	char buf[256];
	int n;

	(void)uc;
	n = snprintf(buf, sizeof(buf),
		     "# fuzz_ioctl: signal %d at address %p\n", sig,
		     si->si_addr);
	if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
		_exit(3);
	for (unsigned int i = 0; i < nworkers; i++) {
		n = snprintf(buf, sizeof(buf),
			     "#   worker %u: last ioctl(%d, %#lx)%s\n", i,
			     workers[i].cur_fd, workers[i].cur_cmd,
			     atomic_load(&workers[i].call_start) ?
				     " (in the call)" :
				     "");
		if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
			break;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Interrupts the workers: SIGUSR1 without SA_RESTART, SIGUSR2 with it. */
static void *signal_main(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 3000);
	(void)p;

	while (!atomic_load(&stop)) {
		struct worker *w = &workers[rng_below(&rng, nworkers)];

		pthread_kill(w->thread,
			     rng_chance(&rng, 50) ? SIGUSR1 : SIGUSR2);
		usleep(200 + rng_below(&rng, 2000));
	}
	return NULL;
}

/* Fails the run when one call takes too long, or the run does. */
static void *watchdog_main(void *p)
{
	uint64_t start = now_ns();
	(void)p;

	while (!atomic_load(&stop)) {
		uint64_t now = now_ns();

		for (unsigned int i = 0; i < nworkers; i++) {
			uint64_t t = atomic_load(&workers[i].call_start);

			if (t && now > t && now - t > hang_s * NSEC_PER_SEC) {
				snprintf(
					res->hang_what, sizeof(res->hang_what),
					"worker %u: ioctl(%d, %#lx) running for %.1f s",
					i, workers[i].cur_fd,
					workers[i].cur_cmd,
					(double)(now - t) / 1e9);
				atomic_store(&res->hang, 1);
				fflush(stdout);
				_exit(11);
			}
		}
		if (now - start > limit_s * NSEC_PER_SEC) {
			atomic_store(&res->timeout, 1);
			atomic_store(&stop, true);
			break;
		}
		usleep(100000);
	}
	return NULL;
}

/* ---- setup ------------------------------------------------------------------------ */

static void setup_other_fds(void)
{
	int p[2], sv[2], fd;

	if (!pipe2(p, O_CLOEXEC)) {
		other_fds[nother++] = p[0];
		other_fds[nother++] = p[1];
	}
	if (!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		sock_bound(sv[0], NULL);
		sock_bound(sv[1], NULL);
		other_fds[nother++] = sv[0];
		other_fds[nother++] = sv[1];
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		sock_bound(fd, NULL);
		other_fds[nother++] = fd;
	}
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		sock_bound(fd, NULL);
		other_fds[nother++] = fd;
	}
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		other_fds[nother++] = fd;
	fd = eventfd(0, EFD_CLOEXEC);
	if (fd >= 0)
		other_fds[nother++] = fd;
	fd = epoll_create1(EPOLL_CLOEXEC);
	if (fd >= 0)
		other_fds[nother++] = fd;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (fd >= 0)
		other_fds[nother++] = fd;
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		other_fds[nother++] = fd;
}

/* Listeners (unix and tcp), the private tcp pair maker, the pairs. */
static void setup_sockets(void)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&listen_addr[0];
	struct sockaddr_in *in = (struct sockaddr_in *)&listen_addr[1];
	socklen_t len;
	int fd;

	for (int i = 0; i < NLISTEN; i++)
		listen_fds[i] = -1;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	un->sun_family = AF_UNIX;
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			  snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,
				   "wsaevent-fuzz-%d", getpid()));
	if (fd >= 0 && !bind(fd, (struct sockaddr *)un, len) &&
	    !listen(fd, 64)) {
		sock_bound(fd, NULL);
		listen_fds[0] = fd;
		listen_addrlen[0] = len;
	}

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof(*in);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)in, len) &&
	    !listen(fd, 64) && !getsockname(fd, (struct sockaddr *)in, &len)) {
		sock_bound(fd, NULL);
		listen_fds[1] = fd;
		listen_addrlen[1] = len;
	} else {
		printf("# no tcp loopback listener (%s): tcp is not fuzzed\n",
		       strerror(errno));
	}

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	tcp_pair_addr.sin_family = AF_INET;
	tcp_pair_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof(tcp_pair_addr);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&tcp_pair_addr, len) &&
	    !listen(fd, 64) &&
	    !getsockname(fd, (struct sockaddr *)&tcp_pair_addr, &len))
		tcp_pair_listener = fd;

	for (int k = 0; k < NSOCKS / 2; k++) {
		int sv[2] = { -1, -1 };

		make_pair(k % 3, sv, NULL);
		sock_slot[2 * k] = sv[0];
		sock_slot[2 * k + 1] = sv[1];
	}
}

static int fuzz_child(void)
{
	pthread_t churn, poller, sig, dog;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t start;
	unsigned int i;

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sa.sa_sigaction = on_crash;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sa.sa_flags = 0;
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);

	ro_page =
		mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none_area = mmap(NULL, 16 * PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_page == MAP_FAILED || none_area == MAP_FAILED) {
		perror("mmap");
		return 2;
	}

	priv_ctx = wsa_open();
	for (i = 0; i < NCTX; i++)
		ctx_slot[i] = wsa_open();
	if (priv_ctx < 0 || ctx_slot[0] < 0 || ctx_slot[1] < 0) {
		printf("# cannot open %s\n", WSAEVENT_DEVICE);
		return 2;
	}
	for (i = 0; i < NPRIV; i++)
		priv_sig[i] =
			wsa_create(priv_ctx, WSAEVENT_EVENT_MANUAL |
						     WSAEVENT_EVENT_SIGNALED);
	for (i = 0; i < NSLOTS; i++)
		ev_slot[i] = wsa_create(ctx_slot[i % NCTX], i % 4);
	setup_other_fds();
	setup_sockets();

	for (i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		w->id = i;
		w->rng = rng_seed_mix(seed, i);
		w->scratch = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w->scratch == MAP_FAILED ||
		    mprotect(w->scratch + 2 * PAGE, PAGE, PROT_NONE)) {
			perror("mmap scratch");
			return 2;
		}
		w->async = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w->async == MAP_FAILED) {
			perror("mmap async");
			return 2;
		}
		for (unsigned int j = 0; j < ARRAY_SIZE(w->own_ev); j++)
			w->own_ev[j] = wsa_create(ctx_slot[j % NCTX], j);
	}

	start = now_ns();
	for (i = 0; i < nworkers; i++)
		pthread_create(&workers[i].thread, NULL, worker_main,
			       &workers[i]);
	pthread_create(&churn, NULL, churn_main, NULL);
	pthread_create(&poller, NULL, poll_main, NULL);
	pthread_create(&sig, NULL, signal_main, NULL);
	pthread_create(&dog, NULL, watchdog_main, NULL);

	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
	res->elapsed_ns = now_ns() - start;
	atomic_store(&stop, true);
	pthread_join(churn, NULL);
	pthread_join(poller, NULL);
	pthread_join(sig, NULL);
	pthread_join(dog, NULL);

	/* The histogram. */
	for (unsigned int row = 0; row < NROWS; row++) {
		char line[1024];
		size_t n;
		unsigned long tot = 0;

		n = (size_t)snprintf(line, sizeof(line), "%-13s",
				     row < NCMDS	? fuzz_cmds[row].name :
				     row == ROW_MUTATED ? "mutated" :
				     row == ROW_GENERIC ? "generic-vfs" :
							  "random");
		for (int e = 0; e < 136; e++) {
			unsigned long sum = 0;

			for (i = 0; i < nworkers; i++)
				sum += workers[i].hist[row][e];
			tot += sum;
			if (sum && n < sizeof(line) - 40)
				n += (size_t)snprintf(
					line + n, sizeof(line) - n, " %s=%lu",
					e ? strerrorname_np(e) ?: "?" : "ok",
					sum);
		}
		printf("# %s (total %lu)\n", line, tot);
		for (i = 0; row >= NCMDS && i < nworkers; i++) {
			if (workers[i].example[row - NCMDS].cmd) {
				char what[64] = "";
				int fd = workers[i].example[row - NCMDS].fd;

				if (fd >= 0) {
					char path[64];
					ssize_t k;

					snprintf(path, sizeof(path),
						 "/proc/self/fd/%d", fd);
					k = readlink(path, what,
						     sizeof(what) - 1);
					what[k > 0 ? k : 0] = 0;
				}
				printf("#   e.g. cmd %#lx on fd %d (%s): %s\n",
				       workers[i].example[row - NCMDS].cmd, fd, what,
				       strerrorname_np(workers[i].example[row - NCMDS].err) ?: "?");
				break;
			}
		}
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	uint64_t rate;
	pid_t pid;
	int status;
	bool crashed, hung, clean;
	int refs_before, refs_after = -1;

	params_init(argc, argv);
	seed = param_seed();
	ncalls = param_u64("calls", 100000, 200000);
	nworkers = (unsigned int)param_u64("threads", 4, 4);
	limit_s = param_u64("limit", 120, 480);
	hang_s = param_u64("hang", 10, 10);
	if (nworkers < 1 || nworkers > MAX_WORKERS)
		nworkers = 4;

	if (access(WSAEVENT_DEVICE, R_OK | W_OK))
		tap_skip_all(WSAEVENT_DEVICE " not available");

	/* Enough fds for the churn; a small limit is fine too (EMFILE). */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < 1024 &&
	    rl.rlim_max >= 1024) {
		rl.rlim_cur = 1024;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		perror("mmap");
		return 1;
	}

	refs_before = module_refcount();
	tap_plan(4);
	diag("fuzz_ioctl: seed=%" PRIu64 " calls=%" PRIu64
	     " threads=%u limit=%" PRIu64 " s hang=%" PRIu64
	     " s (reproduce: WSAEVENT_TEST_SEED=%" PRIu64 ")",
	     seed, ncalls, nworkers, limit_s, hang_s, seed);

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		_exit(fuzz_child());

	/* The child's watchdog handles hangs; this is the backstop. */
	for (uint64_t waited = 0;; waited += 100) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (waited > (limit_s + 2 * hang_s + 30) * 1000) {
			diag("child still running after %" PRIu64
			     " s: killing it",
			     waited / 1000);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			atomic_store(&res->hang, 1);
			break;
		}
		sleep_ms(100);
	}

	crashed = WIFSIGNALED(status) ||
		  (WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
		   WEXITSTATUS(status) != 11);
	hung = atomic_load(&res->hang);
	rate = res->elapsed_ns ? atomic_load(&res->calls) * NSEC_PER_SEC /
					 res->elapsed_ns :
				 0;

	if (WIFSIGNALED(status))
		diag("child killed by signal %d (%s)", WTERMSIG(status),
		     strsignal(WTERMSIG(status)));
	tap_result(!crashed && !atomic_load(&res->timeout) &&
			   atomic_load(&res->calls) >= ncalls,
		   "fuzz: %llu ioctls in %.1f s (%" PRIu64 "/s), seed %" PRIu64
		   ", no crash%s",
		   (unsigned long long)atomic_load(&res->calls),
		   (double)res->elapsed_ns / 1e9, rate, seed,
		   atomic_load(&res->timeout) ? " (run hit its time limit)" :
						"");
	if (hung)
		diag("hang: %s", res->hang_what);
	tap_result(!hung, "fuzz: no call blocked longer than %" PRIu64 " s",
		   hang_s);
	clean = atomic_load(&res->anomalies) == 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(res->anomaly_what) &&
				 i < atomic_load(&res->anomalies);
	     i++)
		diag("anomaly: %s", res->anomaly_what[i]);
	tap_result(clean, "fuzz: every result well-formed (%llu anomalies)",
		   (unsigned long long)atomic_load(&res->anomalies));

	/* Everything the child held is gone (work items may lag a little). */
	for (int i = 0; i < 100; i++) {
		refs_after = module_refcount();
		if (refs_after == refs_before)
			break;
		sleep_ms(50);
	}
	tap_result(
		refs_after == refs_before,
		"fuzz: module reference count back to %d once the fuzzer exited (%d)",
		refs_before, refs_after);

	/*
	 * The operations the fuzzer left pending are cancelled and completed
	 * from the module's workqueue after it exits.  Let that finish, so
	 * that the next test starts on a quiet system (the overlapped
	 * selftests fail when they run at once; reported).
	 */
	sleep_ms((unsigned int)param_u64("settle_ms", 5000, 5000));
	return tap_exit();
}
