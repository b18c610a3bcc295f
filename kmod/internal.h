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
 * Lock order: socket wait-queue lock -> wsaevent_ctx.lock.  Poll wait
 * queues of events (wsaevent_event.poll_wq) are woken after ctx->lock is
 * released, so their locks never nest inside it.
 *
 * Lifetime: an event holds a reference on its context's file, so a
 * context outlives all its events.  A wait holds a file reference on
 * every event it names, so closing an fd during a wait frees nothing.
 * Both fops have .owner = THIS_MODULE, so the module cannot be unloaded
 * while any context or event file exists.
 */
#ifndef _WSAEVENT_INTERNAL_H
#define _WSAEVENT_INTERNAL_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/wsaevent.h>

/**
 * struct wsaevent_ctx - one open of /dev/wsaevent
 * @lock: protects the state and the waiter lists of every event created
 *	from this context.  Taken with interrupts disabled.
 * @file: the context's own file; immutable.  Events take a reference.
 */
struct wsaevent_ctx {
	spinlock_t lock;	/* guards all event state, see above */
	struct file *file;
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
 */
struct wsaevent_event {
	struct wsaevent_ctx *ctx;
	struct file *file;
	bool manual;
	bool signaled;
	struct list_head waiters;
	wait_queue_head_t poll_wq;
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
 * @entries: the objects.
 */
struct wsaevent_q {
	struct task_struct *task;
	int satisfied;
	bool all;
	u32 count;
	u32 nr_entries;
	struct wsaevent_q_entry entries[];
};

/* event.c */
extern const struct file_operations wsaevent_event_fops;
int wsaevent_create_event(struct wsaevent_ctx *ctx, void __user *argp);
struct wsaevent_event *wsaevent_event_fget(struct wsaevent_ctx *ctx, u32 fd,
					   int *err);
void wsaevent_event_signal_locked(struct wsaevent_event *ev);

/* wait.c */
int wsaevent_wait(struct wsaevent_ctx *ctx, void __user *argp, bool all);
void wsaevent_wake_waiters_locked(struct wsaevent_event *ev);

#endif /* _WSAEVENT_INTERNAL_H */
