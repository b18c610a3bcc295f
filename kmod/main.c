// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent: Windows Sockets 2 event objects for Linux.
 *
 * The misc device /dev/wsaevent.  Each open() is a context; its ioctls
 * create events and wait on them.  See Documentation/userspace-api/
 * wsaevent.rst for the ABI and kmod/internal.h for the lock design.
 */

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "internal.h"

static int wsaevent_ctx_open(struct inode *inode, struct file *file)
{
	struct wsaevent_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;

	spin_lock_init(&ctx->lock);
	ctx->file = file;
	mutex_init(&ctx->sock_mutex);
	ctx->socks = RB_ROOT;
	INIT_LIST_HEAD(&ctx->sock_lru);
	atomic_set(&ctx->nr_ops, 0);
	atomic_long_set(&ctx->nr_pinned, 0);
	INIT_LIST_HEAD(&ctx->io_waiters);
	INIT_LIST_HEAD(&ctx->io_kicked);
	file->private_data = ctx;
	return nonseekable_open(inode, file);
}

/* Called once the last fd and the last event of the context are gone. */
static int wsaevent_ctx_release(struct inode *inode, struct file *file)
{
	struct wsaevent_ctx *ctx = file->private_data;

	wsaevent_ctx_release_socks(ctx);
	mutex_destroy(&ctx->sock_mutex);
	kfree(ctx);
	return 0;
}

static long wsaevent_ctx_ioctl(struct file *file, unsigned int cmd,
			       unsigned long parm)
{
	struct wsaevent_ctx *ctx = file->private_data;
	void __user *argp = (void __user *)parm;

	switch (cmd) {
	case WSAEVENT_IOC_CREATE_EVENT:
		return wsaevent_create_event(ctx, argp);
	case WSAEVENT_IOC_WAIT_ANY:
		return wsaevent_wait(ctx, argp, false);
	case WSAEVENT_IOC_WAIT_ALL:
		return wsaevent_wait(ctx, argp, true);
	case WSAEVENT_IOC_SELECT:
		return wsaevent_sock_select(ctx, argp);
	case WSAEVENT_IOC_ENUM:
		return wsaevent_sock_enum(ctx, argp);
	case WSAEVENT_IOC_RECV:
		return wsaevent_sock_recv(ctx, argp);
	case WSAEVENT_IOC_SEND:
		return wsaevent_sock_send(ctx, argp);
	case WSAEVENT_IOC_ACCEPT:
		return wsaevent_sock_accept(ctx, argp);
	case WSAEVENT_IOC_RELEASE:
		return wsaevent_sock_release_ioctl(ctx, parm);
	case WSAEVENT_IOC_FIONBIO:
		return wsaevent_sock_fionbio(ctx, argp);
	case WSAEVENT_IOC_REFRESH:
		return wsaevent_sock_refresh(ctx, parm);
	case WSAEVENT_IOC_SUBMIT:
		return wsaevent_io_submit(ctx, argp);
	case WSAEVENT_IOC_CANCEL:
		return wsaevent_io_cancel_ioctl(ctx, argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations wsaevent_ctx_fops = {
	.owner		= THIS_MODULE,
	.open		= wsaevent_ctx_open,
	.release	= wsaevent_ctx_release,
	.unlocked_ioctl	= wsaevent_ctx_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= wsaevent_ctx_show_fdinfo,
};

/*
 * World read/write: a context only gives its opener event objects and,
 * later, notifications on sockets the opener already holds.  Everything
 * it allocates is charged to the caller's memcg and bounded by
 * RLIMIT_NOFILE.  See Documentation/wsaevent/security.rst.
 */
static struct miscdevice wsaevent_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "wsaevent",
	.fops		= &wsaevent_ctx_fops,
	.mode		= 0666,
};

/*
 * Per-context limits on overlapped I/O (a library opens one context per
 * process).  Going past one fails the submission with ENOBUFS.
 */
unsigned int wsaevent_max_ops = 4096;
module_param_named(max_ops, wsaevent_max_ops, uint, 0644);
MODULE_PARM_DESC(max_ops, "Outstanding overlapped operations per context");

unsigned int wsaevent_max_pinned_kb = 65536;
module_param_named(max_pinned_kb, wsaevent_max_pinned_kb, uint, 0644);
MODULE_PARM_DESC(max_pinned_kb,
		 "User memory pinned by overlapped operations per context, in KiB");

static int __init wsaevent_init(void)
{
	int ret;

	if (!wsaevent_io_init())
		return -ENOMEM;
	ret = misc_register(&wsaevent_misc);
	if (ret)
		wsaevent_io_exit();
	return ret;
}

static void __exit wsaevent_exit(void)
{
	misc_deregister(&wsaevent_misc);
	wsaevent_io_exit();
}

module_init(wsaevent_init);
module_exit(wsaevent_exit);

MODULE_AUTHOR("wsaevent developers");
MODULE_DESCRIPTION("Windows Sockets 2 event objects and socket notifications");
MODULE_LICENSE("GPL");
