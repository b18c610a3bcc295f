// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent: socket associations (WSAEventSelect), their lifetime, and
 * the ioctls that change them: SELECT, RELEASE and FIONBIO.
 *
 * An association joins the socket's wait queue the way epoll does, with
 * vfs_poll() and a poll_table of our own; sock_record.c then records
 * network events from the wake-ups.  How an association survives the
 * socket's close is described in internal.h.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/sock.h>

#include "internal.h"

/* Dead associations examined for reclaim per association created. */
#define WSAEVENT_SOCK_REAP_BATCH	2

struct wsaevent_sock_pt {
	poll_table pt;
	struct wsaevent_sock *ws;
	int err;
};

/**
 * wsaevent_fdget_sock() - look up a socket by fd
 * @fd: the fd
 * @f: set, and held, on success: the caller fdput()s it
 *
 * Return: the socket, or ERR_PTR(-EBADF) or ERR_PTR(-ENOTSOCK) with
 * nothing held.
 */
struct socket *wsaevent_fdget_sock(unsigned int fd, struct fd *f)
{
	struct socket *sock;

	*f = fdget(fd);
	if (!f->file)
		return ERR_PTR(-EBADF);
	sock = sock_from_file(f->file);
	if (!sock) {
		fdput(*f);
		return ERR_PTR(-ENOTSOCK);
	}
	return sock;
}

/*
 * The search itself, under sock_mutex or under RCU.  The tree changes
 * only under sock_mutex, and lib/rbtree.c writes its links with
 * WRITE_ONCE() and never makes a loop, so a search under RCU sees only
 * nodes that are or were in the tree, and ends; it may miss one that a
 * rotation is moving.  An association is freed after a grace period,
 * and its key never changes.
 */
static struct wsaevent_sock *wsaevent_sock_search(struct wsaevent_ctx *ctx,
						  void *key)
{
	struct rb_node *n = READ_ONCE(ctx->socks.rb_node);

	while (n) {
		struct wsaevent_sock *ws = rb_entry(n, struct wsaevent_sock, node);

		if (key < ws->key)
			n = READ_ONCE(n->rb_left);
		else if (key > ws->key)
			n = READ_ONCE(n->rb_right);
		else
			return ws;
	}
	return NULL;
}

static struct wsaevent_sock *wsaevent_sock_lookup(struct wsaevent_ctx *ctx,
						  void *key)
{
	lockdep_assert_held(&ctx->sock_mutex);

	return wsaevent_sock_search(ctx, key);
}

/*
 * The lockless lookup, with a reference.  A miss, or an association
 * being removed, is settled under sock_mutex by the caller.
 */
static struct wsaevent_sock *wsaevent_sock_get_rcu(struct wsaevent_ctx *ctx,
						   void *key)
{
	struct wsaevent_sock *ws;

	rcu_read_lock();
	ws = wsaevent_sock_search(ctx, key);
	if (ws && (READ_ONCE(ws->dead) || !kref_get_unless_zero(&ws->ref)))
		ws = NULL;
	rcu_read_unlock();
	return ws;
}

static void wsaevent_sock_insert(struct wsaevent_ctx *ctx,
				 struct wsaevent_sock *ws)
{
	struct rb_node **p = &ctx->socks.rb_node, *parent = NULL, *slot;

	lockdep_assert_held(&ctx->sock_mutex);

	while (*p) {
		struct wsaevent_sock *cur = rb_entry(*p, struct wsaevent_sock, node);

		parent = *p;
		p = ws->key < cur->key ? &(*p)->rb_left : &(*p)->rb_right;
	}
	rb_link_node(&ws->node, parent, &slot);
	/*
	 * Publish the node complete to lockless searches (see
	 * wsaevent_sock_get_rcu()), as rb_link_node_rcu() does; its
	 * rcu_assign_pointer() into a plain rb_node pointer fails sparse.
	 */
	smp_store_release(p, slot);
	rb_insert_color(&ws->node, &ctx->socks);
	list_add_tail(&ws->lru, &ctx->sock_lru);
}

/**
 * wsaevent_sock_get() - find the association of a socket
 * @ctx: the context
 * @key: the struct socket, or the struct file of a non-socket
 *
 * Return: the association with a reference, or NULL.
 */
struct wsaevent_sock *wsaevent_sock_get(struct wsaevent_ctx *ctx, void *key)
{
	struct wsaevent_sock *ws = wsaevent_sock_get_rcu(ctx, key);

	if (ws)
		return ws;
	mutex_lock(&ctx->sock_mutex);
	ws = wsaevent_sock_lookup(ctx, key);
	if (ws)
		kref_get(&ws->ref);
	mutex_unlock(&ctx->sock_mutex);
	return ws;
}

/* The last reference: nothing can reach the association any more. */
static void wsaevent_sock_free(struct kref *ref)
{
	struct wsaevent_sock *ws = container_of(ref, struct wsaevent_sock, ref);

	/* io_kicked holds a reference. */
	WARN_ON_ONCE(!list_empty(&ws->kick_node));
	mutex_destroy(&ws->io_mutex);
	if (ws->sock)
		iput(SOCK_INODE(ws->sock));
	else
		fput(ws->file);
	/* A lockless search may still be reading it. */
	kfree_rcu(ws, rcu);
}

void wsaevent_sock_put(struct wsaevent_sock *ws)
{
	kref_put(&ws->ref, wsaevent_sock_free);
}

static void wsaevent_sock_set_event_locked(struct wsaevent_sock *ws,
					   struct wsaevent_event *ev)
{
	lockdep_assert_held(&ws->ctx->lock);

	if (ws->event)
		list_del_init(&ws->event_node);
	ws->event = ev;
	if (ev)
		list_add_tail(&ws->event_node, &ev->socks);
}

/**
 * wsaevent_event_detach_socks() - an event is going away
 * @ev: the event
 *
 * The associations that signal @ev keep their mask and record, and stop
 * signaling anything, as on Windows when the last handle to the event
 * is closed.
 */
void wsaevent_event_detach_socks(struct wsaevent_event *ev)
{
	struct wsaevent_ctx *ctx = ev->ctx;
	struct wsaevent_sock *ws, *tmp;

	spin_lock_irq(&ctx->lock);
	list_for_each_entry_safe(ws, tmp, &ev->socks, event_node)
		wsaevent_sock_set_event_locked(ws, NULL);
	spin_unlock_irq(&ctx->lock);
}

/*
 * Leave the wait queues; after this no wake-up callback runs for @ws.  A
 * queue that announced POLLFREE has already been left (as in epoll).
 */
static void wsaevent_sock_unhook(struct wsaevent_sock *ws)
{
	wait_queue_head_t *whead;
	int i;

	rcu_read_lock();
	for (i = 0; i < WSAEVENT_SOCK_MAX_WAITS; i++) {
		/* Pairs with the release in wsaevent_sock_wake()'s POLLFREE. */
		whead = smp_load_acquire(&ws->waits[i].whead);
		if (whead)
			remove_wait_queue(whead, &ws->waits[i].wait);
	}
	rcu_read_unlock();
	/* No callback can queue it again now. */
	cancel_work_sync(&ws->level_work);
}

/**
 * wsaevent_event_detach_ops() - an event is going away
 * @ev: the event
 *
 * Overlapped operations that would signal it still complete; they only
 * signal nothing.
 */
void wsaevent_event_detach_ops(struct wsaevent_event *ev)
{
	struct wsaevent_ctx *ctx = ev->ctx;
	struct wsaevent_op *op, *tmp;

	spin_lock_irq(&ctx->lock);
	list_for_each_entry_safe(op, tmp, &ev->ops, event_node) {
		list_del_init(&op->event_node);
		op->event = NULL;
	}
	spin_unlock_irq(&ctx->lock);
}

/* Leave the wait queues and the tree; the last put frees. */
static void wsaevent_sock_remove(struct wsaevent_sock *ws)
{
	struct wsaevent_ctx *ctx = ws->ctx;

	lockdep_assert_held(&ctx->sock_mutex);

	rb_erase(&ws->node, &ctx->socks);
	list_del(&ws->lru);
	wsaevent_sock_unhook(ws);

	/* closesocket cancels every pending operation, whoever posted it. */
	mutex_lock(&ws->io_mutex);
	/* Read locklessly by wsaevent_sock_get_rcu(). */
	WRITE_ONCE(ws->dead, true);
	wsaevent_io_cancel_locked(ws, 0);
	mutex_unlock(&ws->io_mutex);
	cancel_work_sync(&ws->io_work);

	spin_lock_irq(&ctx->lock);
	wsaevent_sock_set_event_locked(ws, NULL);
	WRITE_ONCE(ws->mask, 0);
	spin_unlock_irq(&ctx->lock);

	wsaevent_sock_put(ws);
}

/* Has the program closed every fd of the socket? */
static bool wsaevent_sock_is_dead(struct wsaevent_sock *ws)
{
	if (ws->sock)
		return !READ_ONCE(ws->sock->file);
	return file_count(ws->file) == 1;
}

/*
 * Reclaim associations whose socket is gone, a few per new association,
 * oldest first, so that a program that close()s selected sockets without
 * closesocket() holds at most about as many dead associations as live
 * ones.
 */
static void wsaevent_sock_reap(struct wsaevent_ctx *ctx)
{
	struct wsaevent_sock *ws;
	int i;

	lockdep_assert_held(&ctx->sock_mutex);

	for (i = 0; i < WSAEVENT_SOCK_REAP_BATCH; i++) {
		ws = list_first_entry_or_null(&ctx->sock_lru,
					      struct wsaevent_sock, lru);
		if (!ws)
			return;
		if (wsaevent_sock_is_dead(ws))
			wsaevent_sock_remove(ws);
		else
			list_move_tail(&ws->lru, &ctx->sock_lru);
	}
}

static void wsaevent_sock_queue_proc(struct file *file,
				     wait_queue_head_t *whead, poll_table *pt)
{
	struct wsaevent_sock_pt *spt = container_of(pt, struct wsaevent_sock_pt, pt);
	struct wsaevent_sock *ws = spt->ws;
	int i;

	for (i = 0; i < WSAEVENT_SOCK_MAX_WAITS; i++) {
		struct wsaevent_sock_wait *w = &ws->waits[i];

		if (w->whead)
			continue;
		w->ws = ws;
		w->whead = whead;
		init_waitqueue_func_entry(&w->wait, wsaevent_sock_wake);
		add_wait_queue(whead, &w->wait);
		return;
	}
	spt->err = -EINVAL;
}

static enum wsaevent_sock_kind wsaevent_sock_kind_of(struct socket *sock)
{
	struct sock *sk = sock ? sock->sk : NULL;

	if (!sk)
		return WSAEVENT_SOCK_GENERIC;

	switch (sk->sk_family) {
	case AF_INET:
	case AF_INET6:
		if (sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP)
			return WSAEVENT_SOCK_TCP;
		if (sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_UDP)
			return WSAEVENT_SOCK_DGRAM;
		break;
	case AF_UNIX:
		if (sk->sk_type == SOCK_STREAM || sk->sk_type == SOCK_SEQPACKET)
			return WSAEVENT_SOCK_UNIX_STREAM;
		if (sk->sk_type == SOCK_DGRAM)
			return WSAEVENT_SOCK_DGRAM;
		break;
	}
	return WSAEVENT_SOCK_GENERIC;
}

/*
 * Create the association of @file (@sock when it is a socket), join its
 * wait queues and add it to the tree, which holds the returned reference.
 */
static struct wsaevent_sock *wsaevent_sock_create(struct wsaevent_ctx *ctx,
						  struct file *file,
						  struct socket *sock)
{
	struct wsaevent_sock_pt spt = { .err = 0 };
	struct wsaevent_sock *ws;

	lockdep_assert_held(&ctx->sock_mutex);

	wsaevent_sock_reap(ctx);

	ws = kzalloc(sizeof(*ws), GFP_KERNEL_ACCOUNT);
	if (!ws)
		return ERR_PTR(-ENOMEM);

	kref_init(&ws->ref);
	INIT_LIST_HEAD(&ws->event_node);
	INIT_WORK(&ws->level_work, wsaevent_sock_level_work);
	mutex_init(&ws->io_mutex);
	INIT_LIST_HEAD(&ws->recv_q);
	INIT_LIST_HEAD(&ws->send_q);
	INIT_WORK(&ws->io_work, wsaevent_io_work);
	INIT_LIST_HEAD(&ws->kick_node);
	ws->ctx = ctx;
	ws->sock = sock;
	ws->kind = wsaevent_sock_kind_of(sock);
	if (sock) {
		ws->key = sock;
		ihold(SOCK_INODE(sock));
	} else {
		ws->key = file;
		ws->file = get_file(file);
	}

	spt.ws = ws;
	init_poll_funcptr(&spt.pt, wsaevent_sock_queue_proc);
	vfs_poll(file, &spt.pt);
	if (spt.err || !ws->waits[0].whead) {
		wsaevent_sock_unhook(ws);
		wsaevent_sock_put(ws);
		return ERR_PTR(-EINVAL);
	}

	wsaevent_sock_insert(ctx, ws);
	return ws;
}

/**
 * wsaevent_sock_get_or_create() - the association of a socket, made if needed
 * @ctx: the context
 * @file: the socket's file
 * @sock: the socket
 *
 * For overlapped operations, which need the per-socket state whether or
 * not an event is selected.  A new association has an empty mask.
 *
 * Return: the association with a reference, or an ERR_PTR().
 */
struct wsaevent_sock *wsaevent_sock_get_or_create(struct wsaevent_ctx *ctx,
						  struct file *file,
						  struct socket *sock)
{
	struct wsaevent_sock *ws = wsaevent_sock_get_rcu(ctx, sock);

	if (ws)
		return ws;
	mutex_lock(&ctx->sock_mutex);
	ws = wsaevent_sock_lookup(ctx, sock);
	if (!ws)
		ws = wsaevent_sock_create(ctx, file, sock);
	if (!IS_ERR(ws))
		kref_get(&ws->ref);
	mutex_unlock(&ctx->sock_mutex);
	return ws;
}

/*
 * Files an association may not watch: our own (a wake-up would recurse),
 * and io_uring instances, which can hold our context among their
 * registered files; an association holds a non-socket's file, so that
 * would be a reference cycle that nothing breaks.  io_uring's fops are
 * not exported: recognise its anonymous inode by name.
 */
static bool wsaevent_select_refuses(struct wsaevent_ctx *ctx, struct file *file)
{
	return file->f_op == &wsaevent_event_fops ||
	       file->f_op == ctx->file->f_op ||
	       !strcmp(file_dentry(file)->d_name.name, "[io_uring]");
}

/*
 * The poll mask of a non-socket fd, for the record rules.  Sockets of the
 * known kinds are read directly by sock_record.c.
 */
__poll_t wsaevent_sock_poll_level(struct wsaevent_sock *ws, struct file *file)
{
	if (ws->kind != WSAEVENT_SOCK_GENERIC)
		return 0;
	return vfs_poll(file, NULL);
}

/**
 * wsaevent_sock_select() - WSAEVENT_IOC_SELECT
 * @ctx: the context
 * @argp: struct wsaevent_select_args
 *
 * Return: 0 or a negative errno.
 */
int wsaevent_sock_select(struct wsaevent_ctx *ctx, void __user *argp)
{
	struct wsaevent_select_args args;
	struct wsaevent_event *ev = NULL;
	struct wsaevent_sock *ws;
	struct socket *sock;
	__poll_t level;
	struct fd f;
	int ret = 0;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.mask & ~WSAEVENT_FD_ALL_EVENTS ||
	    args.flags & ~WSAEVENT_SELECT_FLAGS || (!args.mask && args.event))
		return -EINVAL;

	f = fdget(args.sock);
	if (!f.file)
		return -EBADF;
	if (wsaevent_select_refuses(ctx, f.file) || !file_can_poll(f.file)) {
		ret = -ENOTSOCK;
		goto out;
	}
	if (args.mask) {
		ev = wsaevent_event_fget(ctx, args.event, &ret);
		if (!ev)
			goto out;
	}
	sock = sock_from_file(f.file);

	mutex_lock(&ctx->sock_mutex);
	ws = wsaevent_sock_lookup(ctx, sock ? (void *)sock : (void *)f.file);
	if (!ws && args.mask) {
		ws = wsaevent_sock_create(ctx, f.file, sock);
		if (IS_ERR(ws)) {
			ret = PTR_ERR(ws);
			mutex_unlock(&ctx->sock_mutex);
			goto out;
		}
	}
	if (ws) {
		level = wsaevent_sock_poll_level(ws, f.file);
		spin_lock_irq(&ctx->lock);
		wsaevent_sock_set_event_locked(ws, ev);
		WRITE_ONCE(ws->mask, args.mask);
		if (args.flags & WSAEVENT_SELECT_ACCEPTED)
			ws->accepted = true;
		wsaevent_sock_update_locked(ws, level, 0);
		/* Recorded and not yet enumerated: signal at once. */
		if (ws->event && ws->pending & ws->mask)
			wsaevent_event_signal_from_sock(ws->event);
		spin_unlock_irq(&ctx->lock);
	}
	mutex_unlock(&ctx->sock_mutex);

	/* WSAEventSelect makes the socket non-blocking for good. */
	spin_lock(&f.file->f_lock);
	f.file->f_flags |= O_NONBLOCK;
	spin_unlock(&f.file->f_lock);
out:
	if (ev)
		fput(ev->file);
	fdput(f);
	return ret;
}

/**
 * wsaevent_sock_inherit() - give an accepted socket its listener's selection
 * @listener: the listening socket's association
 * @file: the new socket's file, not yet installed
 * @sock: the new socket
 *
 * Return: 0 or a negative errno.
 */
int wsaevent_sock_inherit(struct wsaevent_sock *listener, struct file *file,
			  struct socket *sock)
{
	struct wsaevent_ctx *ctx = listener->ctx;
	struct wsaevent_sock *ws;
	int ret = 0;

	if (!READ_ONCE(listener->mask))
		return 0;

	mutex_lock(&ctx->sock_mutex);
	ws = wsaevent_sock_create(ctx, file, sock);
	if (IS_ERR(ws)) {
		ret = PTR_ERR(ws);
	} else {
		spin_lock_irq(&ctx->lock);
		wsaevent_sock_set_event_locked(ws, listener->event);
		WRITE_ONCE(ws->mask, listener->mask);
		ws->accepted = true;
		wsaevent_sock_update_locked(ws, 0, 0);
		spin_unlock_irq(&ctx->lock);
	}
	mutex_unlock(&ctx->sock_mutex);
	return ret;
}

/**
 * wsaevent_sock_release_ioctl() - WSAEVENT_IOC_RELEASE (closesocket)
 * @ctx: the context
 * @fd: the socket fd
 *
 * Return: 0, or -EBADF.
 */
int wsaevent_sock_release_ioctl(struct wsaevent_ctx *ctx, unsigned long fd)
{
	struct wsaevent_sock *ws;
	struct socket *sock;
	struct fd f;

	if (fd > INT_MAX)
		return -EBADF;
	f = fdget(fd);
	if (!f.file)
		return -EBADF;
	sock = sock_from_file(f.file);

	mutex_lock(&ctx->sock_mutex);
	ws = wsaevent_sock_lookup(ctx, sock ? (void *)sock : (void *)f.file);
	if (ws)
		wsaevent_sock_remove(ws);
	mutex_unlock(&ctx->sock_mutex);

	fdput(f);
	return 0;
}

/**
 * wsaevent_sock_refresh() - WSAEVENT_IOC_REFRESH
 * @ctx: the context
 * @fd: the socket fd
 *
 * Return: 0, or -EBADF.
 */
int wsaevent_sock_refresh(struct wsaevent_ctx *ctx, unsigned long fd)
{
	struct wsaevent_sock *ws;
	struct socket *sock;
	struct fd f;

	if (fd > INT_MAX)
		return -EBADF;
	f = fdget(fd);
	if (!f.file)
		return -EBADF;
	sock = sock_from_file(f.file);
	ws = wsaevent_sock_get(ctx, sock ? (void *)sock : (void *)f.file);
	if (ws) {
		wsaevent_sock_reenable(ws, f.file, 0);
		wsaevent_sock_put(ws);
	}
	fdput(f);
	return 0;
}

/**
 * wsaevent_sock_fionbio() - WSAEVENT_IOC_FIONBIO
 * @ctx: the context
 * @argp: struct wsaevent_fionbio_args
 *
 * Return: 0, or -EINVAL when clearing non-blocking mode while a mask is
 * selected.
 */
int wsaevent_sock_fionbio(struct wsaevent_ctx *ctx, void __user *argp)
{
	struct wsaevent_fionbio_args args;
	struct wsaevent_sock *ws;
	struct socket *sock;
	struct fd f;
	int ret = 0;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	sock = wsaevent_fdget_sock(args.sock, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);

	/* Under sock_mutex, so that no select slips in between. */
	mutex_lock(&ctx->sock_mutex);
	ws = wsaevent_sock_lookup(ctx, sock);
	if (!args.nonblocking && ws && READ_ONCE(ws->mask)) {
		ret = -EINVAL;
	} else {
		spin_lock(&f.file->f_lock);
		if (args.nonblocking)
			f.file->f_flags |= O_NONBLOCK;
		else
			f.file->f_flags &= ~O_NONBLOCK;
		spin_unlock(&f.file->f_lock);
	}
	mutex_unlock(&ctx->sock_mutex);
	fdput(f);
	return ret;
}

/* The context is going away: its events are all gone already. */
/**
 * wsaevent_ctx_show_fdinfo() - the context's state in /proc/PID/fdinfo
 * @m: the seq_file
 * @file: the context's file
 *
 * The outstanding operations and pinned pages, then one line per
 * association: its socket's inode, kind, selected mask, recorded and
 * reported events, its overlapped operations (queued, counted, whether
 * its queues are handed to a wait or to io_work, how many times they
 * were kicked and run) and, for a socket, its state as the recording
 * rules read it.  For diagnosis: the stress test prints it when it
 * stalls.
 */
void wsaevent_ctx_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct wsaevent_ctx *ctx = file->private_data;
	struct wsaevent_sock *ws;
	struct rb_node *n;

	seq_printf(m, "wsaevent-ops:\t%d\n", atomic_read(&ctx->nr_ops));
	seq_printf(m, "wsaevent-pinned-pages:\t%ld\n",
		   atomic_long_read(&ctx->nr_pinned));
	mutex_lock(&ctx->sock_mutex);
	for (n = rb_first(&ctx->socks); n; n = rb_next(n)) {
		unsigned int nrecv = 0, nsend = 0;
		struct wsaevent_op *op;
		u32 mask, pending, reported;
		bool kicked;

		ws = rb_entry(n, struct wsaevent_sock, node);
		mutex_lock(&ws->io_mutex);
		list_for_each_entry(op, &ws->recv_q, node)
			nrecv++;
		list_for_each_entry(op, &ws->send_q, node)
			nsend++;
		spin_lock_irq(&ctx->lock);
		mask = ws->mask;
		pending = ws->pending;
		reported = ws->reported;
		kicked = !list_empty(&ws->kick_node);
		spin_unlock_irq(&ctx->lock);
		seq_printf(m, "wsaevent-sock:\tino %lu kind %d mask %#x pending %#x reported %#x recv_q %u send_q %u nr_ops %u nr_recv %u dead %d reset %d kicked %d io_work %d",
			   ws->sock ? SOCK_INODE(ws->sock)->i_ino :
				      file_inode(ws->file)->i_ino,
			   ws->kind, mask, pending, reported, nrecv, nsend,
			   ws->nr_ops, ws->nr_recv, ws->dead,
			   READ_ONCE(ws->reset), kicked,
			   work_pending(&ws->io_work));
		seq_printf(m, " kicks %lu runs %lu", READ_ONCE(ws->nr_kicks),
			   ws->nr_runs);
		if (ws->sock && ws->sock->sk)
			seq_printf(m, " state %d shutdown %#x err %d done %d readable %d",
				   READ_ONCE(ws->sock->sk->sk_state),
				   READ_ONCE(ws->sock->sk->sk_shutdown),
				   READ_ONCE(ws->sock->sk->sk_err),
				   sock_flag(ws->sock->sk, SOCK_DONE),
				   ws->kind == WSAEVENT_SOCK_TCP ||
				   ws->kind == WSAEVENT_SOCK_UNIX_STREAM ?
				   wsaevent_sock_readable(ws) : -1);
		seq_putc(m, '\n');
		mutex_unlock(&ws->io_mutex);
	}
	mutex_unlock(&ctx->sock_mutex);
}

void wsaevent_ctx_release_socks(struct wsaevent_ctx *ctx)
{
	struct rb_node *n;

	mutex_lock(&ctx->sock_mutex);
	while ((n = rb_first(&ctx->socks)))
		wsaevent_sock_remove(rb_entry(n, struct wsaevent_sock, node));
	mutex_unlock(&ctx->sock_mutex);
}
