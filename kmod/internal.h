/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wsaevent: internal structures and the lock design.
 *
 * Lock design
 * -----------
 * Every object of a context (its events and the waiters queued on them)
 * is protected by one spinlock, wsaevent_ctx.lock.  One lock per context
 * rather than one per object because:
 *
 *  - WAIT_ALL must test and consume up to 64 events atomically.  With a
 *    single lock that is one critical section; with per-object locks it
 *    needs either 64 nested locks (beyond lockdep's depth) or ntsync's
 *    "all" mutex, and a mutex cannot be taken where events are signaled
 *    from (below).
 *  - Events are signaled from socket wake-up callbacks, which run in
 *    atomic context (softirq, or any context holding the socket wait
 *    queue's lock with interrupts off).  The lock is therefore a
 *    spinlock, always taken with interrupts disabled (spin_lock_irq()
 *    in process context, spin_lock_irqsave() from callbacks), and
 *    nothing done under it may sleep or allocate.
 *  - Every operation under the lock is O(objects of one wait) or
 *    O(waiters of one event); nothing walks the whole context.
 *
 * Lock order: wsaevent_ctx.sock_mutex -> wsaevent_sock.io_mutex ->
 * socket wait-queue lock -> wsaevent_ctx.lock.  Poll wait queues of
 * events (wsaevent_event.poll_wq) never nest inside ctx->lock: process
 * context wakes them after releasing it, and a socket wake-up callback
 * defers the wake to the event's irq_work, because a poll waiter may
 * itself be an epoll whose own wait queue is hooked by this driver (a
 * cycle that would deadlock if woken inline).
 *
 * Overlapped I/O (io.c): a socket wake-up with operations pending hands
 * the association to a thread of the context blocked in a wait
 * (ctx->io_waiters, ctx->io_kicked, under ctx->lock), which runs its
 * queues under the association's io_mutex and goes back to waiting; with
 * no such thread, the association's io_work does.
 *
 * Lifetime: an event holds a reference on its context's file, so a
 * context outlives all its events.  A wait that blocks holds a file
 * reference on every event it names, so closing an fd during a wait
 * frees nothing; a wait decided at once reads its events under RCU
 * instead, and events are freed with kfree_rcu() (wait.c, event.c).
 * Both fops have .owner = THIS_MODULE, so the module cannot be unloaded
 * while any context or event file exists.
 *
 * Socket associations (struct wsaevent_sock) hang off the context.  They
 * do not pin the socket's file: like epoll, the program's close() really
 * closes the socket (the peer sees FIN at once).  To keep the wait queue
 * they joined valid, an association holds a reference on the socket's
 * inode, which holds struct socket and its socket_wq; once the socket is
 * released no wake-up reaches that queue again, and the association is
 * freed at closesocket (WSAEVENT_IOC_RELEASE), reclaimed by the next
 * association made in the context, or freed with the context.  For other
 * pollable fds, whose wait queues die with the file, the association
 * holds the file.  An association does not pin its event either: an event
 * that goes away detaches itself (wsaevent_event_release()), so there is
 * no reference cycle context -> association -> event -> context.
 */
#ifndef _WSAEVENT_INTERNAL_H
#define _WSAEVENT_INTERNAL_H

#include <linux/bvec.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/socket.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/wsaevent.h>

/**
 * struct wsaevent_ctx - one open of /dev/wsaevent
 * @lock: protects the state and the waiter lists of every event created
 *	from this context, and the recorded state of its socket
 *	associations.  Taken with interrupts disabled.
 * @file: the context's own file; immutable.  Events take a reference.
 * @sock_mutex: protects @socks and @sock_lru.  Process context only.
 * @socks: associations by key (struct socket or struct file pointer).
 *	Changed under @sock_mutex; also searched without it, under RCU
 *	(see wsaevent_sock_get_rcu() in sock.c).
 * @sock_lru: the same associations, oldest first, for reclaiming dead
 *	ones.
 * @nr_ops: overlapped operations outstanding, against max_ops.
 * @nr_pinned: pages they pin, against max_pinned_kb.
 * @io_waiters: &struct wsaevent_q.io_node of the blocked waits, oldest
 *	first: threads that can complete overlapped operations on the
 *	driver's behalf (io.c).  Under @lock.
 * @io_kicked: &struct wsaevent_sock.kick_node of the associations whose
 *	operations may progress, handed to a blocked wait rather than to
 *	the workqueue.  Each holds a reference.  Under @lock.
 */
struct wsaevent_ctx {
	spinlock_t lock;	/* guards all event state, see above */
	struct file *file;
	struct mutex sock_mutex;	/* guards socks and sock_lru */
	struct rb_root socks;
	struct list_head sock_lru;
	atomic_t nr_ops;
	atomic_long_t nr_pinned;
	struct list_head io_waiters;
	struct list_head io_kicked;
};

/**
 * struct wsaevent_event - a Windows event object
 * @ctx: owning context; immutable.
 * @file: the event's anon-inode file; immutable.
 * @manual: manual-reset (true) or auto-reset (false); immutable.
 * @signaled: the state.  Written under @ctx->lock; poll() and fdinfo
 *	read it with READ_ONCE() as a hint.
 * @waiters: &struct wsaevent_q_entry of the waits blocked on this event,
 *	oldest first.  Under @ctx->lock.
 * @poll_wq: poll/epoll/select waiters.  Has its own lock; woken outside
 *	@ctx->lock.
 * @poll_work: wakes @poll_wq for a signal that came from a socket
 *	wake-up callback.
 * @socks: &struct wsaevent_sock.event_node of the associations that
 *	signal this event.  Under @ctx->lock.
 * @rcu: frees the event a grace period after its file is released, for
 *	the waits that look events up under RCU (wait.c).  Shares its
 *	memory with @socks, which is empty and unused by then.
 * @ops: &struct wsaevent_op.event_node of the overlapped operations
 *	that signal this event at completion.  Under @ctx->lock.
 */
struct wsaevent_event {
	struct wsaevent_ctx *ctx;
	struct file *file;
	bool manual;
	bool signaled;
	struct list_head waiters;
	wait_queue_head_t poll_wq;
	struct irq_work poll_work;
	union {
		struct list_head socks;
		struct rcu_head rcu;
	};
	struct list_head ops;
};

/**
 * struct wsaevent_q_entry - one object of a blocked wait
 * @node: link in @event->waiters, under the context lock.
 * @q: the wait this entry belongs to.
 * @event: the object waited on.
 * @index: its index in the wait; q->count for the alert.
 */
struct wsaevent_q_entry {
	struct list_head node;
	struct wsaevent_q *q;
	struct wsaevent_event *event;
	u32 index;
};

/**
 * struct wsaevent_q - a blocked WAIT_ANY or WAIT_ALL
 * @task: the waiting task.
 * @satisfied: -1 while waiting, else the index that satisfied the wait.
 *	Set once, under the context lock, by whoever satisfies the wait
 *	(and consumes the events for it); read locklessly by @task as a
 *	hint, and under the lock for the result.
 * @all: WAIT_ALL.
 * @count: number of real objects; entries[@count] is the alert, if any.
 * @nr_entries: @count, plus one with an alert.
 * @io_node: in the context's io_waiters while blocked.  Under the
 *	context lock.
 * @kicked: the context has associations in io_kicked for this wait to
 *	run.  Set under the context lock; read locklessly by @task.
 * @entries: the objects.
 */
struct wsaevent_q {
	struct task_struct *task;
	int satisfied;
	bool all;
	bool kicked;
	struct list_head io_node;
	u32 count;
	u32 nr_entries;
	struct wsaevent_q_entry entries[];
};

/**
 * struct wsaevent_sock_wait - one wait queue an association joined
 * @wait: the entry; its callback is wsaevent_sock_wake().
 * @whead: the queue, or NULL when unused.
 * @ws: the association.
 */
struct wsaevent_sock_wait {
	wait_queue_entry_t wait;
	wait_queue_head_t *whead;
	struct wsaevent_sock *ws;
};

#define WSAEVENT_SOCK_MAX_WAITS	2

enum wsaevent_sock_kind {
	WSAEVENT_SOCK_TCP,		/* TCP over IPv4 or IPv6 */
	WSAEVENT_SOCK_UNIX_STREAM,	/* AF_UNIX stream and seqpacket */
	WSAEVENT_SOCK_DGRAM,		/* UDP, AF_UNIX datagram */
	WSAEVENT_SOCK_GENERIC,		/* anything else that polls */
};

/**
 * struct wsaevent_sock - a WSAEventSelect association (one per socket)
 * @node: in @ctx->socks, under @ctx->sock_mutex; searched locklessly
 *	under RCU too (wsaevent_sock_get()).
 * @lru: in @ctx->sock_lru, under @ctx->sock_mutex.
 * @rcu: frees the association after a grace period, once off every list.
 * @event_node: in @event->socks, under @ctx->lock.
 * @ref: the tree holds one; ioctls hold one while they use it.
 * @ctx: the context; immutable.
 * @key: the struct socket, or the struct file of a non-socket; immutable.
 * @sock: the socket, or NULL; immutable.  Its inode is held.
 * @file: the non-socket file, held; NULL for sockets.  Immutable.
 * @kind: which rules record events; immutable.
 * @waits: the wait queues joined, at most two (a pipe has two).
 * @level_work: re-polls a non-socket fd after a wake-up without poll
 *	bits; cancelled before the association is freed.
 * @io_mutex: serializes the overlapped operations of the socket: their
 *	queues, their submission and their completion.  Never held with
 *	@ctx->lock held; may be taken with @ctx->sock_mutex held.
 * @recv_q, @send_q: pending &struct wsaevent_op, oldest first.  Under
 *	@io_mutex.
 * @io_work: completes pending operations after a wake-up; cancelled
 *	before the association is freed.
 * @kick_node: in @ctx->io_kicked, or empty.  Under @ctx->lock.
 * @nr_kicks, @nr_runs: wake-ups that kicked the queues (under @ctx->lock)
 *	and runs of them (under @io_mutex); shown in the context's fdinfo.
 * @nr_ops, @nr_recv: operations queued, and receives among them.
 *	Written under @io_mutex, read locklessly by the wake-up callback
 *	and the record rules (a pending receive takes the data, so it
 *	raises no FD_READ).
 * @dead: removed; no operation may be queued.  Written under @io_mutex;
 *	read locklessly by the lockless search as a hint.
 *
 * The rest is the recorded state, under @ctx->lock (@mask and @reported
 * are also read locklessly, as a hint, by wsaevent_io_reenable_read()):
 * @event: the event to signal, or NULL (none selected, or closed).
 * @mask: the selected FD_* bits.
 * @pending: recorded and not yet enumerated.
 * @reported: recorded once and not re-enabled since.
 * @errors: the error of each recorded bit (positive errno).
 * @rx_seen, @urg_seen, @backlog_seen: what the last evaluation saw (TCP:
 *	the receive sequence; AF_UNIX and UDP: queued skbs), to tell a new
 *	arrival from a condition that merely still holds.
 * @accepted: came from accept(); no FD_CONNECT.
 * @connected: has been connected.
 * @connect_err: a failed connect's error, latched.
 * @reset: the connection was reset, latched: later receives and sends
 *	fail with ECONNRESET, as on Windows.  Also set from @io_work (under
 *	@io_mutex), hence WRITE_ONCE/READ_ONCE.
 */
struct wsaevent_sock {
	struct rb_node node;
	union {
		struct list_head lru;
		struct rcu_head rcu;
	};
	struct list_head event_node;
	struct kref ref;
	struct wsaevent_ctx *ctx;
	void *key;
	struct socket *sock;
	struct file *file;
	enum wsaevent_sock_kind kind;
	struct wsaevent_sock_wait waits[WSAEVENT_SOCK_MAX_WAITS];
	struct work_struct level_work;
	struct mutex io_mutex;		/* see above */
	struct list_head recv_q;
	struct list_head send_q;
	struct work_struct io_work;
	struct list_head kick_node;
	unsigned long nr_kicks;
	unsigned long nr_runs;
	unsigned int nr_ops;
	unsigned int nr_recv;
	bool dead;

	struct wsaevent_event *event;
	u32 mask;
	u32 pending;
	u32 reported;
	int errors[WSAEVENT_FD_MAX_EVENTS];
	u32 rx_seen;
	u32 urg_seen;
	u32 backlog_seen;
	bool accepted;
	bool connected;
	int connect_err;
	bool reset;
};

/**
 * struct wsaevent_pin - user memory pinned for an overlapped operation
 * @pages: the pinned pages, in a &struct wsaevent_pin_store or in one
 *	allocation that also holds @bvec.
 * @bvec: one entry per page, covering the bytes of the user range(s).
 * @nr_pages: number of @pages (and @bvec entries).
 * @allocated: @pages (and @bvec) were allocated.
 * @len: bytes covered.
 *
 * Owned by its operation: no locking of its own.
 */
struct wsaevent_pin {
	struct page **pages;
	struct bio_vec *bvec;
	unsigned int nr_pages;
	bool allocated;
	size_t len;
};

/**
 * struct wsaevent_pin_store - room for a small pin without an allocation
 * @pages: the pages: a WSAOVERLAPPED may straddle a page boundary.
 * @bvec: their bio_vecs.
 */
struct wsaevent_pin_store {
	struct page *pages[2];
	struct bio_vec bvec[2];
};

/**
 * struct wsaevent_op - one overlapped send or receive
 * @node: in @ws->recv_q or @ws->send_q, under @ws->io_mutex.
 * @event_node: in @event->ops, under the context lock.
 * @ws: the socket's association; outlives the operation.
 * @file: the socket's file, held until completion.
 * @cred: the submitter's credentials, used to complete it.
 * @event: the event to signal at completion, or NULL (none, or closed).
 *	Under the context lock.
 * @owner: the submitting thread, for WSAEVENT_CANCEL_THREAD.
 * @op: WSAEVENT_OP_SEND or WSAEVENT_OP_RECV.
 * @flags: MSG_* flags.
 * @compat: write the overlapped fields 32 bits wide.
 * @winsock_af: write an AF_INET6 source address with Winsock's value.
 * @inplace: the first try, inside WSAEVENT_IOC_SUBMIT: the operation is
 *	on the submitter's stack, @iter covers the user's buffers directly,
 *	@uargs says where the results go, and nothing is pinned or held.
 *	An operation that must wait is moved to the heap and pinned.  In
 *	place, @data to @fromlen (and @addr when @addrlen is 0) are left
 *	uninitialized, everything before @data is zeroed; the heap copy
 *	zeroes its pins before it pins.
 * @uargs: with @inplace, the submission's arguments.
 * @done: bytes transferred so far (a send, a MSG_WAITALL receive).
 * @iter: what remains to transfer, over @data (or the user's buffers).
 * @addrlen: the length of @addr, or 0.
 * @data: the pinned buffers.
 * @result: the pinned WSAOVERLAPPED.
 * @result_store: @result's pages: no allocation for it.
 * @from: the pinned source-address buffer of a receive, or empty.
 * @fromlen: the pinned source-address length of a receive, or empty.
 * @addr: the destination of a send, @addrlen bytes of it.
 */
struct wsaevent_op {
	struct list_head node;
	struct list_head event_node;
	struct wsaevent_sock *ws;
	struct file *file;
	const struct cred *cred;
	struct wsaevent_event *event;
	pid_t owner;
	u32 op;
	u32 flags;
	bool compat;
	bool winsock_af;
	bool inplace;
	const struct wsaevent_io_args *uargs;
	size_t done;
	struct iov_iter iter;
	int addrlen;
	/* @data to @fromlen: the pins, kept together (see @inplace). */
	struct wsaevent_pin data;
	struct wsaevent_pin result;
	struct wsaevent_pin_store result_store;
	struct wsaevent_pin from;
	struct wsaevent_pin fromlen;
	struct sockaddr_storage addr;
};

/* module parameters (main.c) */
extern unsigned int wsaevent_max_ops;
extern unsigned int wsaevent_max_pinned_kb;

/* event.c */
extern const struct file_operations wsaevent_event_fops;
int wsaevent_create_event(struct wsaevent_ctx *ctx, void __user *argp);
struct wsaevent_event *wsaevent_event_fget(struct wsaevent_ctx *ctx, u32 fd,
					   int *err);
bool wsaevent_events_lookup_rcu(struct wsaevent_ctx *ctx, const u32 *fds,
				u32 nr, struct wsaevent_event **evs);
void wsaevent_event_signal_locked(struct wsaevent_event *ev);

void wsaevent_event_signal_from_sock(struct wsaevent_event *ev);

/* wait.c */
int wsaevent_wait(struct wsaevent_ctx *ctx, void __user *argp, bool all);
void wsaevent_wake_waiters_locked(struct wsaevent_event *ev);

/* sock.c */
struct socket *wsaevent_fdget_sock(unsigned int fd, struct fd *f);
__poll_t wsaevent_sock_poll_level(struct wsaevent_sock *ws, struct file *file);
int wsaevent_sock_select(struct wsaevent_ctx *ctx, void __user *argp);
int wsaevent_sock_release_ioctl(struct wsaevent_ctx *ctx, unsigned long fd);
void wsaevent_ctx_show_fdinfo(struct seq_file *m, struct file *file);
int wsaevent_sock_fionbio(struct wsaevent_ctx *ctx, void __user *argp);
int wsaevent_sock_refresh(struct wsaevent_ctx *ctx, unsigned long fd);
struct wsaevent_sock *wsaevent_sock_get(struct wsaevent_ctx *ctx, void *key);
void wsaevent_sock_put(struct wsaevent_sock *ws);
int wsaevent_sock_inherit(struct wsaevent_sock *listener, struct file *file,
			  struct socket *sock);
void wsaevent_ctx_release_socks(struct wsaevent_ctx *ctx);
void wsaevent_event_detach_socks(struct wsaevent_event *ev);

/* sock_record.c */
int wsaevent_sock_wake(wait_queue_entry_t *wait, unsigned int mode, int sync,
		       void *key);
void wsaevent_sock_update_locked(struct wsaevent_sock *ws, __poll_t level,
				 __poll_t woken);
void wsaevent_sock_reenable(struct wsaevent_sock *ws, struct file *file,
			    u32 bits);
void wsaevent_sock_level_work(struct work_struct *work);
bool wsaevent_sock_peer_closed(struct wsaevent_sock *ws);
bool wsaevent_sock_readable(struct wsaevent_sock *ws);

struct wsaevent_sock *wsaevent_sock_get_or_create(struct wsaevent_ctx *ctx,
						  struct file *file,
						  struct socket *sock);
void wsaevent_event_detach_ops(struct wsaevent_event *ev);

/* io_pin.c */
int wsaevent_pin_iovec(struct wsaevent_pin *pin, const struct iovec *iov,
		       unsigned long nr, bool write,
		       struct wsaevent_pin_store *store);
int wsaevent_pin_range(struct wsaevent_pin *pin, unsigned long uaddr,
		       size_t len, struct wsaevent_pin_store *store);
int wsaevent_probe_iovec(const struct iovec *iov, unsigned long nr, bool write);
int wsaevent_probe_range(unsigned long uaddr, size_t len, bool write);
void wsaevent_pin_write(struct wsaevent_pin *pin, size_t off, const void *src,
			size_t len);
void wsaevent_pin_store_release(struct wsaevent_pin *pin, u64 val, bool compat);
void wsaevent_unpin(struct wsaevent_pin *pin, size_t dirty);

/* io.c */
int wsaevent_io_submit(struct wsaevent_ctx *ctx, void __user *argp);
int wsaevent_io_cancel_ioctl(struct wsaevent_ctx *ctx, void __user *argp);
int wsaevent_io_cancel_locked(struct wsaevent_sock *ws, pid_t owner);
void wsaevent_io_work(struct work_struct *work);
bool wsaevent_io_init(void);
void wsaevent_io_exit(void);
void wsaevent_io_kick(struct wsaevent_sock *ws);
void wsaevent_io_run_kicked(struct wsaevent_ctx *ctx, struct wsaevent_q *q);

/* sock_io.c */
int wsaevent_sock_enum(struct wsaevent_ctx *ctx, void __user *argp);
int wsaevent_sock_recv(struct wsaevent_ctx *ctx, void __user *argp);
int wsaevent_sock_send(struct wsaevent_ctx *ctx, void __user *argp);
int wsaevent_sock_accept(struct wsaevent_ctx *ctx, void __user *argp);

#endif /* _WSAEVENT_INTERNAL_H */
