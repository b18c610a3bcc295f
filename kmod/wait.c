// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent: WAIT_ANY and WAIT_ALL.
 *
 * A wait first tries to be satisfied at once, under the context lock,
 * without allocating.  Otherwise it queues one entry per object on that
 * object's waiter list and sleeps.  Whoever signals an object walks its
 * waiters (wsaevent_wake_waiters_locked()), consumes the events that
 * satisfy a wait on the waiter's behalf and wakes it.  The waiter takes
 * its result under the lock when it dequeues, so a wake that races with
 * a timeout or a signal is never lost: an event consumed for a waiter is
 * always reported to it.
 */

#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

static void wsaevent_consume_locked(struct wsaevent_event *ev)
{
	lockdep_assert_held(&ev->ctx->lock);

	if (!ev->manual)
		ev->signaled = false;
}

static bool wsaevent_all_signaled_locked(struct wsaevent_event **evs, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++)
		if (!evs[i]->signaled)
			return false;
	return true;
}

/*
 * Try to satisfy a wait on @evs[0..@count) (and the alert @evs[@count]
 * when @alert).  On success consume what satisfied it and return its
 * index; otherwise return -1 and change nothing.
 */
static int wsaevent_try_wait_locked(struct wsaevent_ctx *ctx,
				    struct wsaevent_event **evs, u32 count,
				    bool all, bool alert)
{
	u32 i;

	lockdep_assert_held(&ctx->lock);

	if (all) {
		if (wsaevent_all_signaled_locked(evs, count)) {
			for (i = 0; i < count; i++)
				wsaevent_consume_locked(evs[i]);
			return 0;
		}
	} else {
		for (i = 0; i < count; i++) {
			if (evs[i]->signaled) {
				wsaevent_consume_locked(evs[i]);
				return i;
			}
		}
	}

	/* The alert loses to the real objects. */
	if (alert && evs[count]->signaled) {
		wsaevent_consume_locked(evs[count]);
		return count;
	}
	return -1;
}

static bool wsaevent_q_all_signaled_locked(struct wsaevent_q *q)
{
	u32 i;

	for (i = 0; i < q->count; i++)
		if (!q->entries[i].event->signaled)
			return false;
	return true;
}

static void wsaevent_q_satisfy_locked(struct wsaevent_q *q, u32 index)
{
	/* Pairs with the lockless READ_ONCE() in wsaevent_wait_sleep(). */
	WRITE_ONCE(q->satisfied, index);
	wake_up_process(q->task);
}

/*
 * wsaevent_wake_waiters_locked() - satisfy the waits @ev now allows
 * @ev: an event that was just signaled
 *
 * Walks @ev's waiters oldest first.  A WAIT_ANY (or an alert) is
 * satisfied by @ev alone; a WAIT_ALL only when all its objects are
 * signaled.  Stops as soon as @ev is consumed.  Atomic context.
 */
void wsaevent_wake_waiters_locked(struct wsaevent_event *ev)
{
	struct wsaevent_q_entry *entry;

	lockdep_assert_held(&ev->ctx->lock);

	list_for_each_entry(entry, &ev->waiters, node) {
		struct wsaevent_q *q = entry->q;
		u32 i;

		if (!ev->signaled)
			break;
		if (q->satisfied != -1)
			continue;

		if (q->all && entry->index < q->count) {
			if (!wsaevent_q_all_signaled_locked(q))
				continue;
			for (i = 0; i < q->count; i++)
				wsaevent_consume_locked(q->entries[i].event);
			wsaevent_q_satisfy_locked(q, 0);
		} else {
			wsaevent_consume_locked(ev);
			wsaevent_q_satisfy_locked(q, entry->index);
		}
	}
}

/*
 * Has the absolute deadline @to (NULL: none) passed?  0 always has: a
 * poll, the usual timeout-0 wait, is decided without reading the clock.
 */
static bool wsaevent_deadline_passed(const ktime_t *to)
{
	return to && (!*to || ktime_compare(*to, ktime_get()) <= 0);
}

/*
 * Sleep until the wait is satisfied, the absolute CLOCK_MONOTONIC
 * deadline @to passes (NULL: never), a signal arrives or overlapped I/O
 * work is handed to it.  Returns 0, -ETIMEDOUT, -ERESTARTSYS or 1 (work
 * to run: see wsaevent_io_kick()); the caller reads the result under the
 * lock.
 */
static int wsaevent_wait_sleep(struct wsaevent_q *q, ktime_t *to)
{
	int ret = 0;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (READ_ONCE(q->satisfied) != -1)
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		/*
		 * Work handed over, unless the deadline has passed: a stream
		 * of wake-ups must not keep a wait past its timeout.  (What
		 * is handed over then runs as the wait ends.)
		 */
		if (READ_ONCE(q->kicked)) {
			if (wsaevent_deadline_passed(to)) {
				ret = -ETIMEDOUT;
				break;
			}
			ret = 1;
			break;
		}
		if (!schedule_hrtimeout_range_clock(to, 0, HRTIMER_MODE_ABS,
						    CLOCK_MONOTONIC)) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/* Waits on up to this many objects (alert included) queue from the stack. */
#define WSAEVENT_Q_STACK	4

static int wsaevent_wait_blocking(struct wsaevent_ctx *ctx,
				  struct wsaevent_event **evs, u32 count,
				  bool all, bool alert, ktime_t *to, u32 *index)
{
	/* Each field and entry used is written first: not zeroed. */
	union {
		struct wsaevent_q q;
		char buf[sizeof(struct wsaevent_q) +
			 WSAEVENT_Q_STACK * sizeof(struct wsaevent_q_entry)];
	} stack __uninitialized;
	u32 nr = count + alert, i;
	struct wsaevent_q *q = &stack.q;
	int ret, idx;

	if (nr > WSAEVENT_Q_STACK) {
		q = kmalloc(struct_size(q, entries, nr), GFP_KERNEL_ACCOUNT);
		if (!q)
			return -ENOMEM;
	}
	q->task = current;
	q->satisfied = -1;
	q->kicked = false;
	q->all = all;
	q->count = count;
	q->nr_entries = nr;
	for (i = 0; i < nr; i++) {
		q->entries[i].q = q;
		q->entries[i].event = evs[i];
		q->entries[i].index = i;
	}

	/* The state may have changed since the first try. */
	spin_lock_irq(&ctx->lock);
	idx = wsaevent_try_wait_locked(ctx, evs, count, all, alert);
	if (idx < 0) {
		for (i = 0; i < nr; i++)
			list_add_tail(&q->entries[i].node, &evs[i]->waiters);
		list_add_tail(&q->io_node, &ctx->io_waiters);
	}
	spin_unlock_irq(&ctx->lock);

	if (idx < 0) {
		bool kicked;

		/* Run the overlapped I/O work handed over meanwhile. */
		while ((ret = wsaevent_wait_sleep(q, to)) == 1)
			wsaevent_io_run_kicked(ctx, q);

		spin_lock_irq(&ctx->lock);
		for (i = 0; i < nr; i++)
			list_del(&q->entries[i].node);
		list_del(&q->io_node);
		/* Final under the lock: a consumed event is always reported. */
		idx = q->satisfied;
		kicked = READ_ONCE(q->kicked);
		spin_unlock_irq(&ctx->lock);
		/* No longer a waiter: what was handed to this one, it runs. */
		if (kicked)
			wsaevent_io_run_kicked(ctx, q);
		if (idx < 0) {
			if (q != &stack.q)
				kfree(q);
			return ret;
		}
	}

	if (q != &stack.q)
		kfree(q);
	*index = idx;
	return 0;
}

/* WAIT_ALL cannot name an object twice: it would need it twice. */
static bool wsaevent_wait_has_duplicates(struct wsaevent_event **evs, u32 count)
{
	u32 i, j;

	for (i = 0; i < count; i++)
		for (j = i + 1; j < count; j++)
			if (evs[i] == evs[j])
				return true;
	return false;
}

static int wsaevent_try_wait(struct wsaevent_ctx *ctx,
			     struct wsaevent_event **evs, u32 count, bool all,
			     bool alert)
{
	int idx;

	spin_lock_irq(&ctx->lock);
	idx = wsaevent_try_wait_locked(ctx, evs, count, all, alert);
	spin_unlock_irq(&ctx->lock);
	return idx;
}

/*
 * A wait decided at once, the common case, takes no file references: the
 * objects are looked up under RCU into @evs and tried under the lock
 * inside the same read-side section (wsaevent_events_lookup_rcu()).
 * Returns the index that satisfied the wait, -ETIMEDOUT when nothing is
 * signaled and the wait must not block (@block false), or -EAGAIN when
 * the slow path must run: to block, or to report an invalid argument.
 */
static int wsaevent_wait_at_once(struct wsaevent_ctx *ctx,
				 struct wsaevent_event **evs, const u32 *fds,
				 u32 count, bool all, bool alert, u32 alert_fd,
				 bool block)
{
	int idx = -EAGAIN;

	rcu_read_lock();
	if (!wsaevent_events_lookup_rcu(ctx, fds, count, evs) ||
	    (alert && !wsaevent_events_lookup_rcu(ctx, &alert_fd, 1,
						  &evs[count])))
		goto out;
	if (all && wsaevent_wait_has_duplicates(evs, count))
		goto out;

	idx = wsaevent_try_wait(ctx, evs, count, all, alert);
	if (idx < 0)
		idx = block ? -EAGAIN : -ETIMEDOUT;
out:
	rcu_read_unlock();
	return idx;
}

static void wsaevent_put_events(struct wsaevent_event **evs, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++)
		fput(evs[i]->file);
}

/**
 * wsaevent_wait() - WSAEVENT_IOC_WAIT_ANY and WSAEVENT_IOC_WAIT_ALL
 * @ctx: the context
 * @argp: struct wsaevent_wait_args
 * @all: WAIT_ALL
 *
 * Return: 0 with args.index written back, -ETIMEDOUT, -ERESTARTSYS, or
 * an error for invalid arguments (nothing is consumed then).
 */
int wsaevent_wait(struct wsaevent_ctx *ctx, void __user *argp, bool all)
{
	/*
	 * Only the first args.count (+ alert) entries are written and read:
	 * not zeroed on every call (with CONFIG_INIT_STACK_ALL_ZERO the
	 * compiler would clear these ~800 bytes).
	 */
	struct wsaevent_event *evs[WSAEVENT_MAX_WAIT_COUNT + 1] __uninitialized;
	u32 fds[WSAEVENT_MAX_WAIT_COUNT] __uninitialized;
	struct wsaevent_wait_args args __uninitialized;
	struct wsaevent_wait_args __user *uargs = argp;
	ktime_t timeout, *to = NULL;
	u32 i, nr = 0, index;
	bool alert;
	int ret, idx;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	/* The index must be storable before an event is consumed for it. */
	if (put_user(0, &uargs->index))
		return -EFAULT;
	if (args.flags & ~WSAEVENT_WAIT_FLAGS)
		return -EINVAL;
	alert = args.flags & WSAEVENT_WAIT_ALERT;
	if (!alert && args.alert)
		return -EINVAL;
	if (args.count > WSAEVENT_MAX_WAIT_COUNT || (all && !args.count))
		return -EINVAL;
	if (copy_from_user(fds, u64_to_user_ptr(args.objs),
			   array_size(args.count, sizeof(fds[0]))))
		return -EFAULT;

	if (args.timeout != WSAEVENT_TIMEOUT_INFINITE) {
		timeout = args.timeout > KTIME_MAX ? KTIME_MAX : args.timeout;
		to = &timeout;
	}

	idx = wsaevent_wait_at_once(ctx, evs, fds, args.count, all, alert,
				    args.alert,
				    !wsaevent_deadline_passed(to));
	if (idx == -ETIMEDOUT)
		return idx;
	if (idx >= 0)
		return put_user(idx, &uargs->index) ? -EFAULT : 0;

	for (i = 0; i < args.count + alert; i++, nr++) {
		evs[i] = wsaevent_event_fget(ctx, i < args.count ?
					     fds[i] : args.alert, &ret);
		if (!evs[i])
			goto out;
	}

	ret = -EINVAL;
	if (all && wsaevent_wait_has_duplicates(evs, args.count))
		goto out;

	idx = wsaevent_try_wait(ctx, evs, args.count, all, alert);

	if (idx >= 0) {
		index = idx;
		ret = 0;
	} else if (wsaevent_deadline_passed(to)) {
		ret = -ETIMEDOUT;
	} else {
		ret = wsaevent_wait_blocking(ctx, evs, args.count, all, alert,
					     to, &index);
	}

	if (!ret && put_user(index, &uargs->index))
		ret = -EFAULT;
out:
	wsaevent_put_events(evs, nr);
	return ret;
}
