// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent: overlapped I/O completed by the kernel.
 *
 * WSAEVENT_IOC_SUBMIT queues an operation on its socket's association
 * (one queue per direction, in posting order) and, when nothing is
 * queued ahead of it, tries it at once without blocking, straight on the
 * caller's buffers: an operation that completes then costs no
 * allocation and no pinning, and its results are written into the
 * caller's WSAOVERLAPPED with copy_to_user().  Only an operation that
 * must wait is moved to the heap, its buffers and result fields pinned,
 * and completed later when the socket's wake-up callback kicks its
 * association (wsaevent_io_kick()): a thread of the context blocked in a
 * wait, or else the association's io_work, runs each queue in order
 * with MSG_DONTWAIT, under the submitter's credentials, into the pinned
 * pages, then writes the results (status last, with release semantics)
 * and signals the operation's event.  No thread of the program is asked
 * to do anything.
 *
 * Everything that touches an association's operations holds its
 * io_mutex, so a completion and a cancellation never overlap: a receive
 * that has taken bytes completes with them.
 */

#include <linux/compat.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/poison.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include "internal.h"

#define WSAEVENT_IO_RECV_FLAGS	(MSG_OOB | MSG_PEEK | MSG_WAITALL | MSG_TRUNC)
#define WSAEVENT_IO_SEND_FLAGS	(MSG_OOB | MSG_DONTROUTE | MSG_MORE)

/* AF_INET6 in Winsock (ws2def.h). */
#define WSAEVENT_WINSOCK_AF_INET6	23

static struct workqueue_struct *wsaevent_io_wq;

bool wsaevent_io_init(void)
{
	wsaevent_io_wq = alloc_workqueue("wsaevent_io", WQ_UNBOUND, 0);
	return wsaevent_io_wq;
}

void wsaevent_io_exit(void)
{
	destroy_workqueue(wsaevent_io_wq);
}

/**
 * wsaevent_io_kick() - let the operations of a socket progress
 * @ws: the association
 *
 * Called from the socket's wake-up callback (atomic context) and after a
 * reset.  When a thread of the context is blocked in a wait, the work is
 * handed to it: it runs the queues itself and then goes back to its wait
 * (wsaevent_io_run_kicked()), which saves a switch to a kworker and back
 * for each completion; the thread that waits for the completion is often
 * that very thread.  Otherwise io_work runs on the workqueue.
 */
void wsaevent_io_kick(struct wsaevent_sock *ws)
{
	struct wsaevent_ctx *ctx = ws->ctx;
	struct wsaevent_q *q;
	unsigned long flags;

	spin_lock_irqsave(&ctx->lock, flags);
	ws->nr_kicks++;
	q = list_first_entry_or_null(&ctx->io_waiters, struct wsaevent_q,
				     io_node);
	if (q) {
		if (list_empty(&ws->kick_node)) {
			kref_get(&ws->ref);
			list_add_tail(&ws->kick_node, &ctx->io_kicked);
		}
		/* Pairs with the lockless READ_ONCE() in the wait loop. */
		WRITE_ONCE(q->kicked, true);
		wake_up_process(q->task);
	}
	spin_unlock_irqrestore(&ctx->lock, flags);
	if (!q)
		queue_work(wsaevent_io_wq, &ws->io_work);
}

static unsigned long wsaevent_op_pages(struct wsaevent_op *op)
{
	return op->data.nr_pages + op->result.nr_pages + op->from.nr_pages +
	       op->fromlen.nr_pages;
}

/* Release everything an operation holds; it is on no list. */
static void wsaevent_op_free(struct wsaevent_ctx *ctx, struct wsaevent_op *op)
{
	atomic_long_sub(wsaevent_op_pages(op), &ctx->nr_pinned);
	atomic_dec(&ctx->nr_ops);
	wsaevent_unpin(&op->data, op->op == WSAEVENT_OP_RECV ? op->done : 0);
	wsaevent_unpin(&op->result, SIZE_MAX);
	wsaevent_unpin(&op->from, SIZE_MAX);
	wsaevent_unpin(&op->fromlen, SIZE_MAX);
	if (op->file)
		fput(op->file);
	if (op->cred)
		put_cred(op->cred);
	kfree(op);
}

static void wsaevent_op_dequeue(struct wsaevent_op *op)
{
	struct wsaevent_sock *ws = op->ws;

	lockdep_assert_held(&ws->io_mutex);

	list_del(&op->node);
	WRITE_ONCE(ws->nr_ops, ws->nr_ops - 1);
	if (op->op == WSAEVENT_OP_RECV)
		WRITE_ONCE(ws->nr_recv, ws->nr_recv - 1);
}

static void wsaevent_op_detach_event(struct wsaevent_ctx *ctx,
				     struct wsaevent_op *op, bool signal)
{
	spin_lock_irq(&ctx->lock);
	if (op->event) {
		if (signal)
			wsaevent_event_signal_from_sock(op->event);
		/* An in-place operation is on no list: the call holds the event. */
		list_del_init(&op->event_node);
		op->event = NULL;
	}
	spin_unlock_irq(&ctx->lock);
}

/* The result fields of a WSAOVERLAPPED: Internal, InternalHigh, Offset. */
static size_t wsaevent_io_result_len(bool compat)
{
	return compat ? 12 : 20;
}

/* The bytes of a receive's source-address buffer the kernel may write. */
static u32 wsaevent_io_from_len(const struct wsaevent_io_args *args)
{
	return args->addr ? min_t(u32, args->addrlen,
				  sizeof(struct sockaddr_storage)) : 0;
}

/* Winsock's AF_INET6 is 23; the layouts are the same. */
static const struct sockaddr_storage *
wsaevent_op_from(const struct wsaevent_op *op,
		 const struct sockaddr_storage *from, int fromlen,
		 struct sockaddr_storage *win)
{
	if (!op->winsock_af || from->ss_family != AF_INET6)
		return from;
	memcpy(win, from, min_t(size_t, fromlen, sizeof(*win)));
	win->ss_family = WSAEVENT_WINSOCK_AF_INET6;
	return win;
}

/* The results of an operation that waited, through its pinned pages. */
static void wsaevent_op_write_pinned(struct wsaevent_op *op, int err,
				     size_t bytes, u32 msg_flags,
				     const struct sockaddr_storage *from,
				     int fromlen)
{
	size_t w = op->compat ? 4 : 8;
	u64 b64 = bytes;
	u32 b32 = bytes;

	wsaevent_pin_write(&op->result, w, op->compat ? (void *)&b32 : &b64, w);
	wsaevent_pin_write(&op->result, 2 * w, &msg_flags, sizeof(msg_flags));
	if (from) {
		s32 len = fromlen;

		if (op->from.len)
			wsaevent_pin_write(&op->from, 0, from,
					   min_t(size_t, op->from.len, fromlen));
		if (op->fromlen.len)
			wsaevent_pin_write(&op->fromlen, 0, &len, sizeof(len));
	}
	/* Last: whoever sees the status sees everything above. */
	wsaevent_pin_store_release(&op->result, (u64)(s64)err, op->compat);
}

/*
 * The results of an operation completed inside the submitting call,
 * straight into the caller's memory (probed at submission).  A range the
 * caller unmaps meanwhile misses its result, as it would miss the data.
 */
static void wsaevent_op_write_user(struct wsaevent_op *op, int err,
				   size_t bytes, u32 msg_flags,
				   const struct sockaddr_storage *from,
				   int fromlen)
{
	const struct wsaevent_io_args *a = op->uargs;
	u8 __user *ov = u64_to_user_ptr(a->overlapped);
	unsigned long bad = 0;

	if (from) {
		s32 len = fromlen;

		if (wsaevent_io_from_len(a))
			bad |= copy_to_user(u64_to_user_ptr(a->addr), from,
					    min_t(size_t, fromlen,
						  wsaevent_io_from_len(a)));
		if (a->addrlen_ptr)
			bad |= put_user(len, (s32 __user *)
					u64_to_user_ptr(a->addrlen_ptr));
	}
	/*
	 * InternalHigh, Offset, then Internal, in one user-access section
	 * per layout (nothing in a section may call out, a sanitizer's
	 * check of a bool load included); word stores (the fields are
	 * aligned): Internal is never torn.
	 */
	if (op->compat) {
		if (!user_access_begin(ov, wsaevent_io_result_len(true)))
			goto fault;
		unsafe_put_user((u32)bytes, (u32 __user *)(ov + 4), fault_end);
		unsafe_put_user(msg_flags, (u32 __user *)(ov + 8), fault_end);
		/* Internal last, as wsaevent_pin_store_release() writes it. */
		smp_wmb();
		unsafe_put_user((u32)err, (u32 __user *)ov, fault_end);
	} else {
		if (!user_access_begin(ov, wsaevent_io_result_len(false)))
			goto fault;
		unsafe_put_user((u64)bytes, (u64 __user *)(ov + 8), fault_end);
		unsafe_put_user(msg_flags, (u32 __user *)(ov + 16), fault_end);
		/* Internal last, as wsaevent_pin_store_release() writes it. */
		smp_wmb();
		unsafe_put_user((u64)(s64)err, (u64 __user *)ov, fault_end);
	}
	user_access_end();
	if (!bad)
		return;
	goto fault;
fault_end:
	user_access_end();
fault:
	pr_debug_ratelimited("wsaevent: an operation's WSAOVERLAPPED went away before its results\n");
}

/*
 * Write the results of a dequeued operation into the caller's memory,
 * publish its status, signal its event and release the operation.
 */
static void wsaevent_op_complete(struct wsaevent_op *op, int err, size_t bytes,
				 u32 msg_flags, const struct sockaddr_storage *from,
				 int fromlen)
{
	struct wsaevent_ctx *ctx = op->ws->ctx;
	/* Written before it is read (see wsaevent_io_submit()). */
	struct sockaddr_storage win __uninitialized;

	if (from && fromlen > 0)
		from = wsaevent_op_from(op, from, fromlen, &win);
	else
		from = NULL;
	if (op->inplace)
		wsaevent_op_write_user(op, err, bytes, msg_flags, from, fromlen);
	else
		wsaevent_op_write_pinned(op, err, bytes, msg_flags, from,
					 fromlen);

	wsaevent_op_detach_event(ctx, op, true);
	if (op->inplace)
		atomic_dec(&ctx->nr_ops);
	else
		wsaevent_op_free(ctx, op);
}

/* Does a receive store its source address? */
static bool wsaevent_op_wants_from(const struct wsaevent_op *op)
{
	if (op->inplace)
		return wsaevent_io_from_len(op->uargs) ||
		       op->uargs->addrlen_ptr;
	return op->from.len || op->fromlen.len;
}

static bool wsaevent_op_is_stream(struct wsaevent_sock *ws)
{
	return ws->kind == WSAEVENT_SOCK_TCP ||
	       ws->kind == WSAEVENT_SOCK_UNIX_STREAM;
}

/*
 * Try a receive at the head of its queue.  Returns 1 when it completed
 * (and is freed), 0 when it must wait for data, or, with @sync (the
 * first try, inside the submitting call), a negative errno for a failure
 * that Windows reports synchronously: the operation is then dequeued and
 * left to the caller, nothing written.
 */
static int wsaevent_op_try_recv(struct wsaevent_op *op, bool sync)
{
	struct wsaevent_sock *ws = op->ws;
	/* Zeroed at each try below; @from is written before it is read. */
	struct sockaddr_storage from __uninitialized;
	struct msghdr msg __uninitialized;
	bool stream = wsaevent_op_is_stream(ws);
	int ret, err = 0;

	if (READ_ONCE(ws->reset)) {
		/* Reported through the operations: SO_ERROR reads 0 after. */
		sock_error(ws->sock->sk);
		ret = -ECONNRESET;
		goto failed;
	}

	/* A zero-byte stream receive waits for data and consumes none. */
	if (stream && !iov_iter_count(&op->iter)) {
		if (!wsaevent_sock_readable(ws))
			return 0;
		wsaevent_op_dequeue(op);
		wsaevent_op_complete(op, 0, 0, 0, NULL, 0);
		return 1;
	}

again:
	memset(&msg, 0, sizeof(msg));
	msg.msg_iter = op->iter;
	if (wsaevent_op_wants_from(op))
		msg.msg_name = &from;
	ret = sock_recvmsg(ws->sock, &msg, op->flags | MSG_DONTWAIT);
	if (ret == -EAGAIN)
		return 0;
	/* 0 after our own shutdown(SD_RECEIVE): a pending receive survives. */
	if (!ret && stream && iov_iter_count(&op->iter) &&
	    !wsaevent_sock_peer_closed(ws))
		return 0;
	if (ret == -ECONNRESET) {
		WRITE_ONCE(ws->reset, true);
		/* A reset fails every pending receive, not only the first. */
		if (!sync)
			wsaevent_io_kick(ws);
	}
	if (ret < 0)
		goto failed;

	op->done += ret;
	/*
	 * MSG_WAITALL on a stream: complete when full, or at end of file.
	 * Try again at once: the end of file (or more data) may be queued
	 * already, and no wake-up would come for it.
	 */
	if (stream && op->flags & MSG_WAITALL && ret) {
		iov_iter_advance(&op->iter, ret);
		if (iov_iter_count(&op->iter))
			goto again;
	}
	/* A truncated datagram keeps its head: WSAEMSGSIZE. */
	if (!stream && msg.msg_flags & MSG_TRUNC)
		err = -EMSGSIZE;
	wsaevent_op_dequeue(op);
	wsaevent_op_complete(op, err, op->done, msg.msg_flags,
			     msg.msg_name ? &from : NULL, msg.msg_namelen);
	return err && sync ? err : 1;

failed:
	wsaevent_op_dequeue(op);
	/* Bytes already taken are never lost: complete with them. */
	if (op->done) {
		wsaevent_op_complete(op, 0, op->done, 0, NULL, 0);
		return 1;
	}
	if (sync)
		return ret;
	wsaevent_op_complete(op, ret, 0, 0, NULL, 0);
	return 1;
}

/* As wsaevent_op_try_recv(), for a send: complete once all is sent. */
static int wsaevent_op_try_send(struct wsaevent_op *op, bool sync)
{
	struct wsaevent_sock *ws = op->ws;
	struct msghdr msg = { 0 };
	int ret;

	if (READ_ONCE(ws->reset)) {
		ret = -ECONNRESET;
		goto failed;
	}

	msg.msg_iter = op->iter;
	msg.msg_flags = op->flags | MSG_DONTWAIT | MSG_NOSIGNAL;
	if (op->addrlen) {
		msg.msg_name = &op->addr;
		msg.msg_namelen = op->addrlen;
	}
	ret = sock_sendmsg(ws->sock, &msg);
	if (ret == -EAGAIN)
		return 0;
	if (ret == -ECONNRESET)
		WRITE_ONCE(ws->reset, true);
	if (ret < 0)
		goto failed;

	/*
	 * Advance by what was sent, not by msg_iter: a protocol may have
	 * copied more than it sent (AF_UNIX frees the last skb when the peer
	 * goes away and returns the bytes sent before it).
	 */
	op->done += ret;
	iov_iter_advance(&op->iter, ret);
	if (iov_iter_count(&op->iter))
		return 0;
	wsaevent_op_dequeue(op);
	wsaevent_op_complete(op, 0, op->done, 0, NULL, 0);
	return 1;

failed:
	wsaevent_op_dequeue(op);
	if (sync)
		return ret;
	wsaevent_op_complete(op, ret, 0, 0, NULL, 0);
	return 1;
}

static int wsaevent_op_try(struct wsaevent_op *op, bool sync)
{
	const struct cred *old = NULL;
	int ret;

	/* In place, the submitter is the current task. */
	if (!op->inplace)
		old = override_creds(op->cred);
	if (op->op == WSAEVENT_OP_RECV)
		ret = wsaevent_op_try_recv(op, sync);
	else
		ret = wsaevent_op_try_send(op, sync);
	if (old)
		revert_creds(old);
	return ret;
}

/* Rule 3 for overlapped receives: they re-enable FD_READ and FD_OOB. */
static void wsaevent_io_reenable_read(struct wsaevent_sock *ws)
{
	/*
	 * Nothing to do on a socket that records nothing now and has
	 * neither bit to re-enable (no WSAEventSelect: the usual overlapped
	 * socket).  Both change only under the lock, and a select that
	 * comes meanwhile evaluates the socket itself.
	 */
	if (!READ_ONCE(ws->mask) &&
	    !(READ_ONCE(ws->reported) & (WSAEVENT_FD_READ | WSAEVENT_FD_OOB)))
		return;
	spin_lock_irq(&ws->ctx->lock);
	WRITE_ONCE(ws->reported,
		   ws->reported & ~(WSAEVENT_FD_READ | WSAEVENT_FD_OOB));
	wsaevent_sock_update_locked(ws, 0, 0);
	spin_unlock_irq(&ws->ctx->lock);
}

/* Complete what the socket now allows; from io_work or a blocked wait. */
static void wsaevent_io_run(struct wsaevent_sock *ws)
{
	struct wsaevent_op *op;
	bool received = false;

	mutex_lock(&ws->io_mutex);
	ws->nr_runs++;
	if (ws->dead)
		goto out;
	while ((op = list_first_entry_or_null(&ws->recv_q,
					      struct wsaevent_op, node))) {
		if (!wsaevent_op_try(op, false))
			break;
		received = true;
	}
	while ((op = list_first_entry_or_null(&ws->send_q,
					      struct wsaevent_op, node)))
		if (!wsaevent_op_try(op, false))
			break;
	if (received)
		wsaevent_io_reenable_read(ws);
out:
	mutex_unlock(&ws->io_mutex);
}

/**
 * wsaevent_io_work() - complete what the socket now allows
 * @work: &wsaevent_sock.io_work
 */
void wsaevent_io_work(struct work_struct *work)
{
	wsaevent_io_run(container_of(work, struct wsaevent_sock, io_work));
}

/**
 * wsaevent_io_run_kicked() - a blocked wait runs the work handed to it
 * @ctx: the context
 * @q: the wait, woken with @q->kicked, or leaving io_waiters (then it
 *	runs whatever is left, so that no work handed to it is lost)
 *
 * Each association is taken off io_kicked, under the lock, before its
 * queues run: a wake-up that comes while they run hands it over again.
 * Runs the associations listed when it starts, not those added while it
 * runs (they were handed to a wait that will run them, or to this one
 * again, which then comes back), so that a stream of wake-ups cannot
 * keep it here.  Process context, no lock held.
 */
void wsaevent_io_run_kicked(struct wsaevent_ctx *ctx, struct wsaevent_q *q)
{
	struct wsaevent_sock *ws, *last;

	spin_lock_irq(&ctx->lock);
	WRITE_ONCE(q->kicked, false);
	last = list_last_entry(&ctx->io_kicked, struct wsaevent_sock,
			       kick_node);
	spin_unlock_irq(&ctx->lock);
	if (list_entry_is_head(last, &ctx->io_kicked, kick_node))
		return;

	do {
		spin_lock_irq(&ctx->lock);
		ws = list_first_entry_or_null(&ctx->io_kicked,
					      struct wsaevent_sock, kick_node);
		if (ws)
			list_del_init(&ws->kick_node);
		spin_unlock_irq(&ctx->lock);
		if (!ws)
			return;
		wsaevent_io_run(ws);
		wsaevent_sock_put(ws);
	} while (ws != last);
}

/**
 * wsaevent_io_cancel_locked() - cancel operations of a socket
 * @ws: the association
 * @owner: cancel only those this thread posted; 0 for all
 *
 * They complete with -ECANCELED and 0 bytes.
 *
 * Return: the number cancelled.
 */
int wsaevent_io_cancel_locked(struct wsaevent_sock *ws, pid_t owner)
{
	struct list_head *queues[] = { &ws->recv_q, &ws->send_q };
	struct wsaevent_op *op, *tmp;
	int i, n = 0;

	lockdep_assert_held(&ws->io_mutex);

	for (i = 0; i < ARRAY_SIZE(queues); i++) {
		list_for_each_entry_safe(op, tmp, queues[i], node) {
			if (owner && op->owner != owner)
				continue;
			wsaevent_op_dequeue(op);
			/* A receive that has taken bytes completes with them. */
			if (op->op == WSAEVENT_OP_RECV && op->done)
				wsaevent_op_complete(op, 0, op->done, 0, NULL, 0);
			else
				wsaevent_op_complete(op, -ECANCELED, 0, 0, NULL, 0);
			n++;
		}
	}
	/* Data the cancelled receives would have taken may raise FD_READ. */
	if (n)
		wsaevent_io_reenable_read(ws);
	/*
	 * Operations of other threads left at the head of a queue may
	 * progress now, on data (or an end of file) that came while they
	 * waited behind: no wake-up would come for it.
	 */
	if (n && (!list_empty(&ws->recv_q) || !list_empty(&ws->send_q)))
		wsaevent_io_kick(ws);
	return n;
}

/* Check and charge the context's limits; fails with -ENOBUFS. */
static int wsaevent_io_charge(struct wsaevent_ctx *ctx, unsigned long pages)
{
	unsigned long max_pages = READ_ONCE(wsaevent_max_pinned_kb) /
				  (PAGE_SIZE / 1024);

	if (atomic_long_add_return(pages, &ctx->nr_pinned) > max_pages) {
		atomic_long_sub(pages, &ctx->nr_pinned);
		return -ENOBUFS;
	}
	return 0;
}

static int wsaevent_io_check_args(const struct wsaevent_io_args *args)
{
	bool recv = args->op == WSAEVENT_OP_RECV;
	bool compat = args->io_flags & WSAEVENT_IO_COMPAT;

	if (args->op != WSAEVENT_OP_RECV && args->op != WSAEVENT_OP_SEND)
		return -EINVAL;
	if (args->io_flags & ~WSAEVENT_IO_FLAGS || args->pad)
		return -EINVAL;
	if (args->flags & ~(recv ? WSAEVENT_IO_RECV_FLAGS : WSAEVENT_IO_SEND_FLAGS))
		return -EINVAL;
	if (!(args->io_flags & WSAEVENT_IO_EVENT) &&
	    (args->event || args->io_flags & WSAEVENT_IO_RESET_EVENT))
		return -EINVAL;
	if (!args->iovcnt || args->iovcnt > WSAEVENT_IO_MAX_IOV)
		return -EINVAL;
	if (!args->overlapped)
		return -EFAULT;
	if (args->overlapped & (compat ? 3 : 7))
		return -EINVAL;
	if (recv) {
		if (args->addrlen > INT_MAX || args->addrlen_ptr & 3)
			return -EINVAL;
	} else if (args->addrlen > sizeof(struct sockaddr_storage) ||
		   args->addrlen_ptr) {
		return -EINVAL;
	}
	return 0;
}

/* Probe what an in-place try reads or writes: see wsaevent_probe_range(). */
static int wsaevent_io_probe(const struct wsaevent_io_args *args,
			     const struct iovec *iov)
{
	bool recv = args->op == WSAEVENT_OP_RECV;
	bool compat = args->io_flags & WSAEVENT_IO_COMPAT;
	int ret;

	ret = wsaevent_probe_iovec(iov, args->iovcnt, recv);
	if (!ret)
		ret = wsaevent_probe_range(args->overlapped,
					   wsaevent_io_result_len(compat), true);
	if (!ret && recv)
		ret = wsaevent_probe_range(args->addr,
					   wsaevent_io_from_len(args), true);
	if (!ret && recv && args->addrlen_ptr)
		ret = wsaevent_probe_range(args->addrlen_ptr, sizeof(s32), true);
	return ret;
}

/* Drop the first @skip bytes of the buffers (already transferred). */
static unsigned long wsaevent_iov_skip(struct iovec **iovp, unsigned long nr,
				       size_t skip)
{
	struct iovec *iov = *iovp;

	while (nr && skip >= iov->iov_len) {
		skip -= iov->iov_len;
		iov++;
		nr--;
	}
	if (nr) {
		iov->iov_base += skip;
		iov->iov_len -= skip;
	}
	*iovp = iov;
	return nr;
}

/* Pin what the rest of the operation reads or writes, and charge it. */
static int wsaevent_op_pin(struct wsaevent_ctx *ctx, struct wsaevent_op *op,
			   const struct wsaevent_io_args *args,
			   struct iovec *iov)
{
	bool recv = op->op == WSAEVENT_OP_RECV;
	unsigned long nr;
	int ret;

	nr = wsaevent_iov_skip(&iov, args->iovcnt, op->done);
	ret = wsaevent_pin_iovec(&op->data, iov, nr, recv, NULL);
	if (!ret)
		ret = wsaevent_pin_range(&op->result, args->overlapped,
					 wsaevent_io_result_len(op->compat),
					 &op->result_store);
	if (!ret && recv && wsaevent_io_from_len(args))
		ret = wsaevent_pin_range(&op->from, args->addr,
					 wsaevent_io_from_len(args), NULL);
	if (!ret && recv && args->addrlen_ptr)
		ret = wsaevent_pin_range(&op->fromlen, args->addrlen_ptr,
					 sizeof(s32), NULL);
	if (!ret)
		ret = wsaevent_io_charge(ctx, wsaevent_op_pages(op));
	if (ret) {
		/* Nothing charged. */
		wsaevent_unpin(&op->data, 0);
		wsaevent_unpin(&op->result, 0);
		wsaevent_unpin(&op->from, 0);
		wsaevent_unpin(&op->fromlen, 0);
		return ret;
	}
	iov_iter_bvec(&op->iter, recv ? ITER_DEST : ITER_SOURCE, op->data.bvec,
		      op->data.nr_pages, op->data.len);
	return 0;
}

/* Fill the pins of @op, @data to @fromlen, with the byte @c. */
static void wsaevent_op_fill_pins(struct wsaevent_op *op, int c)
{
	memset((u8 *)op + offsetof(struct wsaevent_op, data), c,
	       offsetofend(struct wsaevent_op, fromlen) -
	       offsetof(struct wsaevent_op, data));
}

/*
 * Zero an in-place @op up to its pins: see struct wsaevent_op.  On a
 * KASAN kernel (the debug tier) the pins are poisoned instead of left
 * as they are, so that one used before the heap copy zeroes them faults.
 */
static void wsaevent_op_init_inplace(struct wsaevent_op *op)
{
	memset(op, 0, offsetof(struct wsaevent_op, data));
	op->inplace = true;
	if (IS_ENABLED(CONFIG_KASAN))
		wsaevent_op_fill_pins(op, POISON_INUSE);
}

/*
 * The in-place operation @op, queued, must wait: replace it in its queue
 * with a copy on the heap whose remaining buffers and result fields are
 * pinned, and which holds the socket's file, the submitter's credentials
 * and a place on its event's list.  Returns 0, or an error with @op left
 * queued and untouched.
 */
static int wsaevent_op_to_heap(struct wsaevent_op *op, struct iovec *iov)
{
	struct wsaevent_ctx *ctx = op->ws->ctx;
	struct wsaevent_op *heap;
	int ret;

	lockdep_assert_held(&op->ws->io_mutex);

	heap = kmemdup(op, sizeof(*op), GFP_KERNEL_ACCOUNT);
	if (!heap)
		return -ENOMEM;
	/* Empty pins: it pins from here. */
	wsaevent_op_fill_pins(heap, 0);
	ret = wsaevent_op_pin(ctx, heap, op->uargs, iov);
	if (ret) {
		kfree(heap);
		return ret;
	}
	heap->inplace = false;
	heap->uargs = NULL;
	get_file(heap->file);
	heap->cred = get_current_cred();
	list_replace(&op->node, &heap->node);
	INIT_LIST_HEAD(&heap->event_node);

	spin_lock_irq(&ctx->lock);
	if (heap->event) {
		/*
		 * WSARecv and WSASend reset hEvent before starting.  Only an
		 * operation that waits needs it done: one completed in place
		 * signals it anyway, and one that did not start must leave it
		 * alone.
		 */
		if (op->uargs->io_flags & WSAEVENT_IO_RESET_EVENT)
			heap->event->signaled = false;
		list_add_tail(&heap->event_node, &heap->event->ops);
	}
	spin_unlock_irq(&ctx->lock);
	return 0;
}

/*
 * Queue the in-place @op and try it when it is first in line; see
 * wsaevent_op_try().  Returns 0 (completed), -EMSGSIZE (completed with a
 * truncated datagram), -EINPROGRESS (queued, on the heap) or an error
 * (not started: nothing written or signaled).
 */
static int wsaevent_io_start(struct wsaevent_sock *ws, struct wsaevent_op *op,
			     struct iovec *iov)
{
	bool recv = op->op == WSAEVENT_OP_RECV;
	struct list_head *q = recv ? &ws->recv_q : &ws->send_q;
	bool first;
	int ret;

	mutex_lock(&ws->io_mutex);
	if (ws->dead) {
		ret = -ENOTSOCK;
		goto out;
	}
	/* After a reset, new operations fail at once: it is sticky. */
	if (READ_ONCE(ws->reset)) {
		ret = -ECONNRESET;
		goto out;
	}
	first = list_empty(q);
	list_add_tail(&op->node, q);
	/* Counted before the try: data arriving meanwhile raises no FD_READ. */
	WRITE_ONCE(ws->nr_ops, ws->nr_ops + 1);
	if (recv)
		WRITE_ONCE(ws->nr_recv, ws->nr_recv + 1);
	if (first) {
		/*
		 * 1: completed; -EMSGSIZE: completed with a truncated
		 * datagram; another error: dequeued, not started.
		 */
		ret = wsaevent_op_try(op, true);
		if (ret)
			goto out;
	}

	/*
	 * It must wait.  A wake-up from now on kicks the association
	 * (nr_ops counts the operation), and its queues run on the heap
	 * copy once the mutex is dropped.
	 */
	ret = wsaevent_op_to_heap(op, iov);
	if (!ret) {
		ret = -EINPROGRESS;
		goto out;
	}
	wsaevent_op_dequeue(op);
	if (op->done) {
		/*
		 * Part of it is done: a receive completes with the bytes it
		 * took, a send with the error (and the bytes it sent).
		 */
		wsaevent_op_complete(op, recv ? 0 : ret, op->done, 0, NULL, 0);
		ret = recv ? 1 : -EINPROGRESS;
	}
out:
	mutex_unlock(&ws->io_mutex);
	if (ret == 1)
		ret = 0;
	if (recv && (ret == 0 || ret == -EMSGSIZE))
		wsaevent_io_reenable_read(ws);
	return ret;
}

/*
 * The caller's buffers, as import_iovec() takes them, into @iovstack or
 * an allocation left in *@iovp (kfree() it when it is not @iovstack).
 * One buffer, the usual WSARecv and WSASend, is read directly.
 */
static int wsaevent_io_import(const struct wsaevent_io_args *args,
			      struct iovec *iovstack, struct iovec **iovp,
			      struct iov_iter *iter)
{
	unsigned int dir = args->op == WSAEVENT_OP_RECV ? ITER_DEST : ITER_SOURCE;
	void __user *uiov = u64_to_user_ptr(args->iov);
	int ret;

	*iovp = iovstack;
	if (args->iovcnt == 1 && !in_compat_syscall()) {
		if (copy_from_user(iovstack, uiov, sizeof(*iovstack)))
			return -EFAULT;
		/* As import_iovec(): a negative length is invalid. */
		if ((ssize_t)iovstack->iov_len < 0)
			return -EINVAL;
		if (!access_ok(iovstack->iov_base, iovstack->iov_len))
			return -EFAULT;
		iovstack->iov_len = min_t(size_t, iovstack->iov_len, MAX_RW_COUNT);
		iov_iter_init(iter, dir, iovstack, 1, iovstack->iov_len);
		return 0;
	}
	ret = import_iovec(dir, uiov, args->iovcnt, UIO_FASTIOV, iovp, iter);
	/* import_iovec() leaves *@iovp NULL when the buffers fit iovstack. */
	if (!*iovp)
		*iovp = iovstack;
	return ret < 0 ? ret : 0;
}

/**
 * wsaevent_io_submit() - WSAEVENT_IOC_SUBMIT
 * @ctx: the context
 * @argp: struct wsaevent_io_args
 *
 * Return: 0 (completed), -EINPROGRESS (queued), -EMSGSIZE (completed with
 * a truncated datagram) or a negative errno (not started).
 */
int wsaevent_io_submit(struct wsaevent_ctx *ctx, void __user *argp)
{
	/*
	 * Written before they are read: not zeroed on every call (with
	 * CONFIG_INIT_STACK_ALL_ZERO the compiler would clear these ~640
	 * bytes, a rep stos that TCG runs a store at a time).  The operation
	 * is zeroed up to its pins, which only an operation that waits uses:
	 * see wsaevent_op_init_inplace().
	 */
	struct iovec iovstack[UIO_FASTIOV] __uninitialized;
	struct wsaevent_io_args args __uninitialized;
	struct wsaevent_op op __uninitialized;
	struct iovec *iov = iovstack;
	struct wsaevent_event *ev = NULL;
	struct wsaevent_sock *ws;
	struct iov_iter uiter;
	struct socket *sock;
	struct fd f;
	int ret;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	ret = wsaevent_io_check_args(&args);
	if (ret)
		return ret;

	sock = wsaevent_fdget_sock(args.sock, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	if (args.io_flags & WSAEVENT_IO_EVENT) {
		ev = wsaevent_event_fget(ctx, args.event, &ret);
		if (!ev)
			goto out_fd;
	}
	ret = wsaevent_io_import(&args, iovstack, &iov, &uiter);
	if (ret < 0)
		goto out_ev;
	ret = wsaevent_io_probe(&args, iov);
	if (ret)
		goto out_iov;

	wsaevent_op_init_inplace(&op);
	INIT_LIST_HEAD(&op.event_node);
	op.file = f.file;
	op.event = ev;
	op.owner = task_pid_nr(current);
	op.op = args.op;
	op.flags = args.flags;
	op.compat = args.io_flags & WSAEVENT_IO_COMPAT;
	op.winsock_af = args.io_flags & WSAEVENT_IO_WINSOCK_AF;
	op.uargs = &args;
	op.iter = uiter;
	if (args.op == WSAEVENT_OP_SEND && args.addr && args.addrlen) {
		if (copy_from_user(&op.addr, u64_to_user_ptr(args.addr),
				   args.addrlen)) {
			ret = -EFAULT;
			goto out_iov;
		}
		op.addrlen = args.addrlen;
	}

	ret = -ENOBUFS;
	if (atomic_inc_return(&ctx->nr_ops) > READ_ONCE(wsaevent_max_ops))
		goto out_nr;
	ws = wsaevent_sock_get_or_create(ctx, f.file, sock);
	if (IS_ERR(ws)) {
		ret = PTR_ERR(ws);
		goto out_nr;
	}
	op.ws = ws;

	ret = wsaevent_io_start(ws, &op, iov);
	wsaevent_sock_put(ws);
	/* Completed, or queued on the heap: the count is no longer ours. */
	if (ret == 0 || ret == -EINPROGRESS || ret == -EMSGSIZE)
		goto out_iov;
out_nr:
	atomic_dec(&ctx->nr_ops);
out_iov:
	if (iov != iovstack)
		kfree(iov);
out_ev:
	if (ev)
		fput(ev->file);
out_fd:
	fdput(f);
	return ret;
}

/**
 * wsaevent_io_cancel_ioctl() - WSAEVENT_IOC_CANCEL
 * @ctx: the context
 * @argp: struct wsaevent_cancel_args
 *
 * Return: the number of operations cancelled, or a negative errno.
 */
int wsaevent_io_cancel_ioctl(struct wsaevent_ctx *ctx, void __user *argp)
{
	struct wsaevent_cancel_args args;
	struct wsaevent_sock *ws;
	struct rb_node *n;
	int ret = 0;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;

	if (args.flags == WSAEVENT_CANCEL_SOCKET) {
		struct socket *sock;
		struct fd f;

		sock = wsaevent_fdget_sock(args.sock, &f);
		if (IS_ERR(sock))
			return PTR_ERR(sock);
		ws = wsaevent_sock_get(ctx, sock);
		if (ws) {
			mutex_lock(&ws->io_mutex);
			ret = wsaevent_io_cancel_locked(ws, 0);
			mutex_unlock(&ws->io_mutex);
			wsaevent_sock_put(ws);
		}
		fdput(f);
		return ret;
	}
	if (args.flags != WSAEVENT_CANCEL_THREAD || args.sock)
		return -EINVAL;

	mutex_lock(&ctx->sock_mutex);
	for (n = rb_first(&ctx->socks); n; n = rb_next(n)) {
		ws = rb_entry(n, struct wsaevent_sock, node);
		mutex_lock(&ws->io_mutex);
		ret += wsaevent_io_cancel_locked(ws, task_pid_nr(current));
		mutex_unlock(&ws->io_mutex);
	}
	mutex_unlock(&ctx->sock_mutex);
	return ret;
}
