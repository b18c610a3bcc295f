// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent: event objects.
 *
 * An event is an anon-inode file.  Its ioctls set, reset, pulse and read
 * it; it is pollable (EPOLLIN while signaled, without consuming it) and
 * shows its state in fdinfo.
 */

#include <linux/anon_inodes.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

/**
 * wsaevent_event_signal_locked() - signal an event and satisfy its waiters
 * @ev: the event
 *
 * Wakes, oldest first, every waiter the event can satisfy; an auto-reset
 * event stops at the first one, which consumes it.  Returns with the event
 * still signaled unless a waiter consumed it.  Callable from atomic
 * context; the caller wakes @ev->poll_wq after dropping the lock.
 */
void wsaevent_event_signal_locked(struct wsaevent_event *ev)
{
	lockdep_assert_held(&ev->ctx->lock);

	ev->signaled = true;
	wsaevent_wake_waiters_locked(ev);
}

static void wsaevent_event_wake_poll(struct wsaevent_event *ev)
{
	wake_up_poll(&ev->poll_wq, EPOLLIN | EPOLLRDNORM);
}

static void wsaevent_event_poll_work(struct irq_work *work)
{
	wsaevent_event_wake_poll(container_of(work, struct wsaevent_event,
					      poll_work));
}

/**
 * wsaevent_event_signal_from_sock() - signal an event for a socket
 * @ev: the event
 *
 * As wsaevent_event_signal_locked(), from a socket wake-up callback or a
 * socket ioctl: poll waiters are woken from irq_work, outside every lock
 * the caller may hold.
 */
void wsaevent_event_signal_from_sock(struct wsaevent_event *ev)
{
	lockdep_assert_held(&ev->ctx->lock);

	wsaevent_event_signal_locked(ev);
	/*
	 * Only when somebody polls the event: an irq_work is a self-IPI.
	 * Pairs with the smp_mb() in wsaevent_event_poll().
	 */
	if (ev->signaled && wq_has_sleeper(&ev->poll_wq))
		irq_work_queue(&ev->poll_work);
}

enum wsaevent_event_op { EVENT_SET, EVENT_RESET, EVENT_PULSE };

static int wsaevent_event_change(struct wsaevent_event *ev,
				 enum wsaevent_event_op op, u32 __user *argp)
{
	struct wsaevent_ctx *ctx = ev->ctx;
	bool wake_poll = false;
	u32 prev;

	spin_lock_irq(&ctx->lock);
	prev = ev->signaled;
	switch (op) {
	case EVENT_SET:
		wsaevent_event_signal_locked(ev);
		wake_poll = ev->signaled && !prev;
		break;
	case EVENT_RESET:
		ev->signaled = false;
		break;
	case EVENT_PULSE:
		/* Wake whom it can, then leave it reset: one atomic step. */
		wsaevent_event_signal_locked(ev);
		ev->signaled = false;
		break;
	}
	spin_unlock_irq(&ctx->lock);

	/* Pairs with the smp_mb() in wsaevent_event_poll(). */
	if (wake_poll && wq_has_sleeper(&ev->poll_wq))
		wsaevent_event_wake_poll(ev);

	/* The state changed whatever happens here; EFAULT says so. */
	if (put_user(prev, argp))
		return -EFAULT;
	return 0;
}

static int wsaevent_event_read(struct wsaevent_event *ev,
			       struct wsaevent_event_args __user *argp)
{
	struct wsaevent_event_args args = { 0 };

	spin_lock_irq(&ev->ctx->lock);
	if (ev->manual)
		args.flags |= WSAEVENT_EVENT_MANUAL;
	if (ev->signaled)
		args.flags |= WSAEVENT_EVENT_SIGNALED;
	spin_unlock_irq(&ev->ctx->lock);

	if (copy_to_user(argp, &args, sizeof(args)))
		return -EFAULT;
	return 0;
}

static long wsaevent_event_ioctl(struct file *file, unsigned int cmd,
				 unsigned long parm)
{
	struct wsaevent_event *ev = file->private_data;
	void __user *argp = (void __user *)parm;

	switch (cmd) {
	case WSAEVENT_IOC_EVENT_SET:
		return wsaevent_event_change(ev, EVENT_SET, argp);
	case WSAEVENT_IOC_EVENT_RESET:
		return wsaevent_event_change(ev, EVENT_RESET, argp);
	case WSAEVENT_IOC_EVENT_PULSE:
		return wsaevent_event_change(ev, EVENT_PULSE, argp);
	case WSAEVENT_IOC_EVENT_READ:
		return wsaevent_event_read(ev, argp);
	default:
		return -ENOTTY;
	}
}

static __poll_t wsaevent_event_poll(struct file *file, poll_table *wait)
{
	struct wsaevent_event *ev = file->private_data;

	poll_wait(file, &ev->poll_wq, wait);
	/* Queued before the state is read: pairs with wq_has_sleeper(). */
	smp_mb();

	/* Pairs with the wake-up after the state change; never consumes. */
	return READ_ONCE(ev->signaled) ? EPOLLIN | EPOLLRDNORM : 0;
}

static void wsaevent_event_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct wsaevent_event *ev = file->private_data;
	bool manual, signaled;

	spin_lock_irq(&ev->ctx->lock);
	manual = ev->manual;
	signaled = ev->signaled;
	spin_unlock_irq(&ev->ctx->lock);

	seq_puts(m, "wsaevent-type:\tevent\n");
	seq_printf(m, "wsaevent-manual:\t%d\n", manual);
	seq_printf(m, "wsaevent-signaled:\t%d\n", signaled);
}

/*
 * The last reference is gone: no wait can be queued on the event.  Socket
 * associations do not hold it; detach them so they stop signaling it.
 */
static int wsaevent_event_release(struct inode *inode, struct file *file)
{
	struct wsaevent_event *ev = file->private_data;

	WARN_ON_ONCE(!list_empty(&ev->waiters));
	wsaevent_event_detach_socks(ev);
	wsaevent_event_detach_ops(ev);
	irq_work_sync(&ev->poll_work);
	fput(ev->ctx->file);
	/* A wait may still be reading it under RCU: see wsaevent_events_lookup_rcu(). */
	kfree_rcu(ev, rcu);
	return 0;
}

const struct file_operations wsaevent_event_fops = {
	.owner		= THIS_MODULE,
	.release	= wsaevent_event_release,
	.unlocked_ioctl	= wsaevent_event_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.poll		= wsaevent_event_poll,
	.show_fdinfo	= wsaevent_event_show_fdinfo,
};

/**
 * wsaevent_create_event() - WSAEVENT_IOC_CREATE_EVENT
 * @ctx: the context
 * @argp: struct wsaevent_event_args
 *
 * Return: the new event's fd, or a negative errno.
 */
int wsaevent_create_event(struct wsaevent_ctx *ctx, void __user *argp)
{
	struct wsaevent_event_args args;
	struct wsaevent_event *ev;
	struct file *file;
	int fd;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~WSAEVENT_EVENT_CREATE_FLAGS || args.pad)
		return -EINVAL;

	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev)
		return -ENOMEM;
	ev->ctx = ctx;
	ev->manual = args.flags & WSAEVENT_EVENT_MANUAL;
	ev->signaled = args.flags & WSAEVENT_EVENT_SIGNALED;
	INIT_LIST_HEAD(&ev->waiters);
	init_waitqueue_head(&ev->poll_wq);
	init_irq_work(&ev->poll_work, wsaevent_event_poll_work);
	INIT_LIST_HEAD(&ev->socks);
	INIT_LIST_HEAD(&ev->ops);

	fd = get_unused_fd_flags(args.flags & WSAEVENT_EVENT_INHERIT ?
				 0 : O_CLOEXEC);
	if (fd < 0) {
		kfree(ev);
		return fd;
	}

	file = anon_inode_getfile("wsaevent", &wsaevent_event_fops, ev, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		kfree(ev);
		return PTR_ERR(file);
	}
	ev->file = file;
	get_file(ctx->file);
	fd_install(fd, file);
	return fd;
}

/**
 * wsaevent_event_fget() - look up an event of @ctx by fd
 * @ctx: the context the event must belong to
 * @fd: the fd
 * @err: set to -EBADF for an fd that is not open, -EINVAL for one that is
 *	not an event of @ctx
 *
 * Return: the event, with a reference on its file, or NULL.
 */
struct wsaevent_event *wsaevent_event_fget(struct wsaevent_ctx *ctx, u32 fd,
					   int *err)
{
	struct wsaevent_event *ev;
	struct file *file;

	file = fget(fd);
	if (!file) {
		*err = -EBADF;
		return NULL;
	}
	ev = file->private_data;
	if (file->f_op != &wsaevent_event_fops || ev->ctx != ctx) {
		fput(file);
		*err = -EINVAL;
		return NULL;
	}
	return ev;
}

/**
 * wsaevent_events_lookup_rcu() - look up events of @ctx by fd, without references
 * @ctx: the context the events must belong to
 * @fds: the fds
 * @nr: how many
 * @evs: filled with the events
 *
 * For waits that can be decided at once: they read and consume the
 * events' state under @ctx->lock, inside the same RCU read-side section,
 * and never queue on them.  An event stays valid until that section
 * ends: its file is removed from the fd table before it is released, and
 * the release frees it with kfree_rcu().  The fd table is read once for
 * all of @fds (one snapshot, as a lookup per fd could see, racing with a
 * close or a dup2() the same way).  On kernels whose files are
 * SLAB_TYPESAFE_BY_RCU (a struct file may be reused for another file
 * inside the section), this always fails and the caller falls back to
 * wsaevent_event_fget(); see Kbuild.
 *
 * Return: true when every fd is an event of @ctx; false otherwise (the
 * caller then takes the slow path, which reports the error).
 */
bool wsaevent_events_lookup_rcu(struct wsaevent_ctx *ctx, const u32 *fds,
				u32 nr, struct wsaevent_event **evs)
{
#ifdef WSAEVENT_HAVE_RCU_FREED_FILES
	struct fdtable *fdt;
	struct file *file;
	u32 i, fd;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "needs rcu_read_lock()");
	fdt = files_fdtable(current->files);
	for (i = 0; i < nr; i++) {
		fd = fds[i];
		if (fd >= fdt->max_fds)
			return false;
		file = rcu_dereference_raw(fdt->fd[array_index_nospec(fd,
								      fdt->max_fds)]);
		if (!file || READ_ONCE(file->f_op) != &wsaevent_event_fops)
			return false;
		evs[i] = file->private_data;
		if (evs[i]->ctx != ctx)
			return false;
	}
	return true;
#else
	return false;
#endif
}
