// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent: recording network events, with Windows' rules.
 *
 * Each association keeps a mask, a set of events recorded and not yet
 * enumerated (pending) and a set recorded once and not re-enabled since
 * (reported):
 *
 *  1. A condition that holds, is in the mask and is not reported is
 *     recorded: added to pending and reported, and the event is set.
 *     A new arrival (more data, another connection, more urgent data)
 *     records FD_READ, FD_ACCEPT or FD_OOB again even while reported,
 *     as Windows does for event objects.
 *  2. Enumeration returns and clears pending & mask (sock_io.c).
 *  3. A re-enabling call removes its bit from reported and evaluates
 *     again, so a condition that still holds is recorded at once.
 *
 * The conditions are read from the socket without taking its lock, the
 * way tcp_poll() reads them, because wsaevent_sock_wake() runs inside the
 * socket's wake-up: atomic context, the wait-queue lock held, interrupts
 * off.  Nothing here sleeps or allocates.
 */

#include <linux/net.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <net/af_unix.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/udp.h>

#include "internal.h"

#define FD_BIT(fd)	(ilog2(fd))

/* What the socket's state says now; filled by the per-kind readers. */
struct wsaevent_cond {
	u32 bits;
	u32 arrivals;
	int connect_err;
	int close_err;
};

/* The poll bits of a wake-up that only says data or room arrived. */
#define WSAEVENT_WAKE_DATA	(EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND | \
				 EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)

/* In-band bytes readable now, as tcp_inq(): neither the FIN nor an OOB byte. */
static u32 wsaevent_tcp_inband(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 copied = READ_ONCE(tp->copied_seq);
	u32 avail = READ_ONCE(tp->rcv_nxt) - copied;

	if (avail && sock_flag(sk, SOCK_DONE))
		avail--;
	if (avail && READ_ONCE(tp->urg_data) && !sock_flag(sk, SOCK_URGINLINE) &&
	    READ_ONCE(tp->urg_seq) == copied)
		avail--;
	return avail;
}

static struct sock *wsaevent_unix_peer(struct sock *sk)
{
	/* The peer holds a reference for as long as we are connected. */
	return READ_ONCE(unix_sk(sk)->peer);
}

/**
 * wsaevent_sock_peer_closed() - has a stream's peer closed or reset it?
 * @ws: the association of a TCP or AF_UNIX stream socket
 *
 * Tells a peer's end of file from a 0 that our own shutdown(SD_RECEIVE)
 * causes.  Lockless; the socket must not be released.
 */
bool wsaevent_sock_peer_closed(struct wsaevent_sock *ws)
{
	struct sock *sk = ws->sock->sk, *peer;

	if (READ_ONCE(ws->reset) || READ_ONCE(sk->sk_err))
		return true;
	if (ws->kind == WSAEVENT_SOCK_TCP)
		return sock_flag(sk, SOCK_DONE);
	peer = wsaevent_unix_peer(sk);
	return !peer || READ_ONCE(peer->sk_shutdown) & SEND_SHUTDOWN ||
	       sock_flag(peer, SOCK_DEAD);
}

/**
 * wsaevent_sock_readable() - would a stream receive complete now?
 * @ws: the association of a TCP or AF_UNIX stream socket
 *
 * For zero-byte overlapped receives, which wait for data without
 * consuming it.
 */
bool wsaevent_sock_readable(struct wsaevent_sock *ws)
{
	struct sock *sk = ws->sock->sk;

	if (wsaevent_sock_peer_closed(ws))
		return true;
	if (ws->kind == WSAEVENT_SOCK_TCP)
		return wsaevent_tcp_inband(sk);
	return !skb_queue_empty_lockless(&sk->sk_receive_queue);
}

static void wsaevent_cond_listen(struct wsaevent_sock *ws, struct sock *sk,
				 struct wsaevent_cond *c)
{
	u32 backlog;

	/* AF_UNIX queues embryo connections without sk_ack_backlog. */
	if (sk->sk_family == AF_UNIX)
		backlog = skb_queue_len_lockless(&sk->sk_receive_queue);
	else
		backlog = READ_ONCE(sk->sk_ack_backlog);

	if (backlog)
		c->bits |= WSAEVENT_FD_ACCEPT;
	if (backlog > ws->backlog_seen)
		c->arrivals |= WSAEVENT_FD_ACCEPT;
	ws->backlog_seen = backlog;
}

/*
 * FD_READ from the number of queued skbs (AF_UNIX, UDP): a new arrival is
 * a longer queue than the last evaluation saw, not any wake-up that says
 * EPOLLIN, so that a spurious wake-up records nothing.
 */
static void wsaevent_cond_queue(struct wsaevent_sock *ws, u32 qlen,
				struct wsaevent_cond *c)
{
	if (qlen)
		c->bits |= WSAEVENT_FD_READ;
	if (qlen > ws->rx_seen)
		c->arrivals |= WSAEVENT_FD_READ;
	ws->rx_seen = qlen;
}

static void wsaevent_cond_connect(struct wsaevent_sock *ws,
				  struct wsaevent_cond *c)
{
	if (ws->connect_err) {
		c->bits |= WSAEVENT_FD_CONNECT;
		c->connect_err = ws->connect_err;
	} else if (ws->connected && !ws->accepted) {
		c->bits |= WSAEVENT_FD_CONNECT;
	}
}

static void wsaevent_cond_tcp(struct wsaevent_sock *ws, struct sock *sk,
			      struct wsaevent_cond *c)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int state = inet_sk_state_load(sk);
	int err = READ_ONCE(sk->sk_err);
	bool fin = sock_flag(sk, SOCK_DONE);
	u32 rcv_nxt;
	u16 urg;

	if (state == TCP_LISTEN) {
		wsaevent_cond_listen(ws, sk, c);
		return;
	}
	if ((1 << state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		return;

	if (state != TCP_CLOSE) {
		ws->connected = true;
	} else if (!ws->connected) {
		/* Closed without ever being seen connected. */
		if (err == ECONNRESET || err == EPIPE)
			ws->connected = true;
		else if (err && !ws->connect_err)
			ws->connect_err = err;
	}
	if (ws->connected && state == TCP_CLOSE && !fin)
		WRITE_ONCE(ws->reset, true);

	wsaevent_cond_connect(ws, c);
	if (!ws->connected)
		return;

	rcv_nxt = READ_ONCE(tp->rcv_nxt);
	urg = READ_ONCE(tp->urg_data);
	if (wsaevent_tcp_inband(sk))
		c->bits |= WSAEVENT_FD_READ;
	if (rcv_nxt - fin != ws->rx_seen)
		c->arrivals |= WSAEVENT_FD_READ;
	ws->rx_seen = rcv_nxt - fin;

	if ((urg & TCP_URG_VALID) && !sock_flag(sk, SOCK_URGINLINE)) {
		u32 urg_seq = READ_ONCE(tp->urg_seq);

		c->bits |= WSAEVENT_FD_OOB;
		if (urg_seq != ws->urg_seen)
			c->arrivals |= WSAEVENT_FD_OOB;
		ws->urg_seen = urg_seq;
	}

	if ((1 << state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT) &&
	    !(READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) &&
	    sk_stream_is_writeable(sk))
		c->bits |= WSAEVENT_FD_WRITE;

	/* A FIN is a graceful close; a reset is abortive (WSAECONNABORTED). */
	if (fin) {
		c->bits |= WSAEVENT_FD_CLOSE;
	} else if (READ_ONCE(ws->reset)) {
		c->bits |= WSAEVENT_FD_CLOSE;
		c->close_err = ECONNABORTED;
	}
}

static void wsaevent_cond_unix_stream(struct wsaevent_sock *ws,
				      struct sock *sk, struct wsaevent_cond *c)
{
	int state = READ_ONCE(sk->sk_state);
	struct sock *peer;

	if (state == TCP_LISTEN) {
		wsaevent_cond_listen(ws, sk, c);
		return;
	}
	if (state == TCP_ESTABLISHED)
		ws->connected = true;
	wsaevent_cond_connect(ws, c);
	if (!ws->connected)
		return;

	wsaevent_cond_queue(ws, skb_queue_len_lockless(&sk->sk_receive_queue), c);

	if (READ_ONCE(sk->sk_err) == ECONNRESET)
		WRITE_ONCE(ws->reset, true);
	peer = wsaevent_unix_peer(sk);
	if (READ_ONCE(ws->reset)) {
		c->bits |= WSAEVENT_FD_CLOSE;
		c->close_err = ECONNABORTED;
	} else if (peer && (READ_ONCE(peer->sk_shutdown) & SEND_SHUTDOWN ||
			    sock_flag(peer, SOCK_DEAD))) {
		c->bits |= WSAEVENT_FD_CLOSE;
	}

	if (state == TCP_ESTABLISHED &&
	    !(READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) &&
	    refcount_read(&sk->sk_wmem_alloc) << 2 <= READ_ONCE(sk->sk_sndbuf))
		c->bits |= WSAEVENT_FD_WRITE;
}

static void wsaevent_cond_dgram(struct wsaevent_sock *ws, struct sock *sk,
				struct wsaevent_cond *c)
{
	u32 qlen = skb_queue_len_lockless(&sk->sk_receive_queue);
	bool bound, connected;

	if (sk->sk_family == AF_UNIX) {
		connected = wsaevent_unix_peer(sk);
		bound = connected || READ_ONCE(unix_sk(sk)->addr);
	} else {
		/* udp_recvmsg() moves datagrams to reader_queue: count both. */
		qlen += skb_queue_len_lockless(&udp_sk(sk)->reader_queue);
		connected = READ_ONCE(sk->sk_state) == TCP_ESTABLISHED;
		bound = READ_ONCE(inet_sk(sk)->inet_num);
	}

	wsaevent_cond_queue(ws, qlen, c);
	if (bound && sock_writeable(sk))
		c->bits |= WSAEVENT_FD_WRITE;
	if (connected)
		c->bits |= WSAEVENT_FD_CONNECT;
}

/*
 * Any other pollable fd: readable, writable and hang-up, from the poll
 * mask (@level, in process context) or the wake-up key (@woken).  Every
 * wake-up that says readable or writable is a new arrival.
 */
static void wsaevent_cond_generic(__poll_t level, __poll_t woken,
				  struct wsaevent_cond *c)
{
	__poll_t mask = woken ? woken : level;

	if (mask & (EPOLLIN | EPOLLRDNORM))
		c->bits |= WSAEVENT_FD_READ;
	if (mask & (EPOLLOUT | EPOLLWRNORM))
		c->bits |= WSAEVENT_FD_WRITE;
	if (mask & (EPOLLHUP | EPOLLRDHUP))
		c->bits |= WSAEVENT_FD_CLOSE;
	if (woken)
		c->arrivals = c->bits & (WSAEVENT_FD_READ | WSAEVENT_FD_WRITE);
}

/**
 * wsaevent_sock_update_locked() - apply rule 1 to the socket's state now
 * @ws: the association
 * @level: for a non-socket fd in process context, its poll mask
 * @woken: in a wake-up callback, the wake-up key; 0 otherwise
 */
void wsaevent_sock_update_locked(struct wsaevent_sock *ws, __poll_t level,
				 __poll_t woken)
{
	struct wsaevent_cond c = { 0 };
	struct sock *sk = NULL;
	u32 new;

	lockdep_assert_held(&ws->ctx->lock);

	if (ws->sock) {
		/* NULL once the socket is released: nothing more happens. */
		sk = READ_ONCE(ws->sock->sk);
		if (!sk)
			return;
	}

	switch (ws->kind) {
	case WSAEVENT_SOCK_TCP:
		wsaevent_cond_tcp(ws, sk, &c);
		break;
	case WSAEVENT_SOCK_UNIX_STREAM:
		wsaevent_cond_unix_stream(ws, sk, &c);
		break;
	case WSAEVENT_SOCK_DGRAM:
		wsaevent_cond_dgram(ws, sk, &c);
		break;
	case WSAEVENT_SOCK_GENERIC:
		wsaevent_cond_generic(level, woken, &c);
		break;
	}

	/* Data that pending overlapped receives will take is not FD_READ. */
	if (READ_ONCE(ws->nr_recv))
		c.bits &= ~WSAEVENT_FD_READ;

	new = c.bits & ws->mask & (~ws->reported | c.arrivals);
	if (!new)
		return;

	ws->pending |= new;
	WRITE_ONCE(ws->reported, ws->reported | new);
	if (new & WSAEVENT_FD_CONNECT)
		ws->errors[FD_BIT(WSAEVENT_FD_CONNECT)] = c.connect_err;
	if (new & WSAEVENT_FD_CLOSE)
		ws->errors[FD_BIT(WSAEVENT_FD_CLOSE)] = c.close_err;
	if (ws->event)
		wsaevent_event_signal_from_sock(ws->event);
}

/**
 * wsaevent_sock_reenable() - rule 3: a re-enabling call happened
 * @ws: the association
 * @file: the socket's file
 * @bits: the FD_* bits it re-enables
 */
void wsaevent_sock_reenable(struct wsaevent_sock *ws, struct file *file,
			    u32 bits)
{
	__poll_t level = wsaevent_sock_poll_level(ws, file);

	spin_lock_irq(&ws->ctx->lock);
	WRITE_ONCE(ws->reported, ws->reported & ~bits);
	wsaevent_sock_update_locked(ws, level, 0);
	spin_unlock_irq(&ws->ctx->lock);
}

/**
 * wsaevent_sock_wake() - the wait-queue callback on a selected socket
 * @wait: our entry
 * @mode: unused
 * @sync: unused
 * @key: the poll bits of the wake-up, or 0
 *
 * Atomic context, the wait queue's lock held.
 */
int wsaevent_sock_wake(wait_queue_entry_t *wait, unsigned int mode, int sync,
		       void *key)
{
	struct wsaevent_sock_wait *w = container_of(wait, struct wsaevent_sock_wait,
						    wait);
	struct wsaevent_sock *ws = w->ws;
	__poll_t woken = key_to_poll(key);
	unsigned long flags;

	if (woken & POLLFREE) {
		/* The queue is going away (signalfd, ...): leave it now. */
		list_del_init(&wait->entry);
		/* Pairs with the acquire in wsaevent_sock_unhook(). */
		smp_store_release(&w->whead, NULL);
		return 0;
	}

	/* Pending overlapped operations may be able to progress. */
	if (READ_ONCE(ws->nr_ops))
		wsaevent_io_kick(ws);

	/*
	 * Data, or room to send, on a socket that has nothing selected (an
	 * overlapped-only socket) records nothing; a select evaluates the
	 * socket itself.  Errors and wake-ups without poll bits (state
	 * changes) still go through, to latch a reset.
	 */
	if (!READ_ONCE(ws->mask) && woken && !(woken & ~WSAEVENT_WAKE_DATA))
		return 0;

	/*
	 * A wake-up without poll bits says nothing about what changed (a
	 * pipe's last writer going away, say).  Sockets of the known kinds
	 * are read directly; other fds are polled from a workqueue, since
	 * their ->poll() may not be callable here.
	 */
	if (!woken && ws->kind == WSAEVENT_SOCK_GENERIC) {
		if (ws->file)
			queue_work(system_wq, &ws->level_work);
		return 0;
	}

	spin_lock_irqsave(&ws->ctx->lock, flags);
	wsaevent_sock_update_locked(ws, 0, woken);
	spin_unlock_irqrestore(&ws->ctx->lock, flags);
	return 0;
}

/**
 * wsaevent_sock_level_work() - evaluate a non-socket fd in process context
 * @work: &wsaevent_sock.level_work
 *
 * Queued by wsaevent_sock_wake() for a wake-up without poll bits;
 * cancelled before the association is freed.
 */
void wsaevent_sock_level_work(struct work_struct *work)
{
	struct wsaevent_sock *ws = container_of(work, struct wsaevent_sock,
						level_work);
	__poll_t level = vfs_poll(ws->file, NULL);

	spin_lock_irq(&ws->ctx->lock);
	wsaevent_sock_update_locked(ws, level, 0);
	spin_unlock_irq(&ws->ctx->lock);
}
