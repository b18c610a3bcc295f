// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsaevent: the socket calls that read or re-enable the record:
 * ENUM (WSAEnumNetworkEvents), RECV and SEND (recv/recvfrom/send/sendto,
 * which re-enable FD_READ/FD_OOB and FD_WRITE in the same step) and
 * ACCEPT (accept, which re-enables FD_ACCEPT and passes the listener's
 * selection on to the new socket).
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "internal.h"

#define WSAEVENT_RECV_FLAGS	(MSG_OOB | MSG_PEEK | MSG_WAITALL | \
				 MSG_DONTWAIT | MSG_TRUNC)
#define WSAEVENT_SEND_FLAGS	(MSG_OOB | MSG_DONTROUTE | MSG_DONTWAIT | \
				 MSG_MORE)

static void *wsaevent_sock_key(struct file *file, struct socket *sock)
{
	return sock ? (void *)sock : (void *)file;
}

/**
 * wsaevent_sock_enum() - WSAEVENT_IOC_ENUM
 * @ctx: the context
 * @argp: struct wsaevent_enum_args
 *
 * Returns and clears the recorded events and resets the given event in
 * one step.  On failure nothing is cleared or reset.
 *
 * Return: 0 or a negative errno.
 */
int wsaevent_sock_enum(struct wsaevent_ctx *ctx, void __user *argp)
{
	struct wsaevent_enum_args __user *uargs = argp;
	/* Filled by copy_from_user() before any use: not zeroed first. */
	struct wsaevent_enum_args args __uninitialized;
	struct wsaevent_event *ev = NULL;
	struct wsaevent_sock *ws;
	struct fd f;
	u32 events = 0;
	int i, ret = 0;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~WSAEVENT_ENUM_FLAGS ||
	    (!(args.flags & WSAEVENT_ENUM_RESET) && args.event))
		return -EINVAL;
	/* The result must be storable before anything is consumed. */
	if (clear_user(&uargs->events,
		       sizeof(args) - offsetof(typeof(args), events)))
		return -EFAULT;

	f = fdget(args.sock);
	if (!f.file)
		return -EBADF;
	if (!file_can_poll(f.file) || f.file->f_op == &wsaevent_event_fops ||
	    f.file->f_op == ctx->file->f_op) {
		ret = -ENOTSOCK;
		goto out;
	}
	if (args.flags & WSAEVENT_ENUM_RESET) {
		ev = wsaevent_event_fget(ctx, args.event, &ret);
		if (!ev)
			goto out;
	}

	memset(args.errors, 0, sizeof(args.errors));
	ws = wsaevent_sock_get(ctx, wsaevent_sock_key(f.file,
						      sock_from_file(f.file)));

	spin_lock_irq(&ctx->lock);
	if (ws) {
		events = ws->pending & ws->mask;
		ws->pending &= ~events;
		for (i = 0; i < WSAEVENT_FD_MAX_EVENTS; i++)
			if (events & BIT(i))
				args.errors[i] = ws->errors[i];
	}
	if (ev)
		ev->signaled = false;
	spin_unlock_irq(&ctx->lock);

	args.events = events;
	if (copy_to_user(&uargs->events, &args.events,
			 sizeof(args) - offsetof(typeof(args), events)))
		ret = -EFAULT;

	if (ws)
		wsaevent_sock_put(ws);
	if (ev)
		fput(ev->file);
out:
	fdput(f);
	return ret;
}

/* Re-enable @bits on the socket's association, if it has one. */
static void wsaevent_sock_reenable_fd(struct wsaevent_ctx *ctx,
				      struct file *file, struct socket *sock,
				      u32 bits)
{
	struct wsaevent_sock *ws = wsaevent_sock_get(ctx, sock);

	if (ws) {
		wsaevent_sock_reenable(ws, file, bits);
		wsaevent_sock_put(ws);
	}
}

/*
 * Send or receive through the device.  @ws is the socket's association,
 * or NULL: after a reset it latched, the call fails as on Windows.
 */
static int wsaevent_sock_do_msg(struct wsaevent_sock *ws, struct socket *sock,
				struct msghdr *msg, unsigned int flags, bool send)
{
	if (ws && READ_ONCE(ws->reset))
		return -ECONNRESET;
	if (send) {
		msg->msg_flags = flags;
		return sock_sendmsg(sock, msg);
	}
	return sock_recvmsg(sock, msg, flags);
}

static int wsaevent_sock_msg(struct wsaevent_ctx *ctx, void __user *argp,
			     bool send)
{
	/* Written before they are read: not zeroed on every call. */
	struct iovec iovstack[UIO_FASTIOV] __uninitialized;
	struct wsaevent_msg_args args __uninitialized;
	struct sockaddr_storage addr __uninitialized;
	struct wsaevent_msg_args __user *uargs = argp;
	struct iovec *iov = iovstack;
	struct msghdr msg = { 0 };
	void __user *uaddr;
	struct wsaevent_sock *ws;
	unsigned int flags;
	struct socket *sock;
	struct fd f;
	int ret;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.pad || args.msg_flags ||
	    args.flags & ~(send ? WSAEVENT_SEND_FLAGS : WSAEVENT_RECV_FLAGS))
		return -EINVAL;
	if (args.addrlen > INT_MAX || (send && args.addrlen > sizeof(addr)))
		return -EINVAL;
	uaddr = u64_to_user_ptr(args.addr);
	/* Check the out-parameters first: no byte is taken then lost. */
	if (!send && uaddr && clear_user(uaddr, args.addrlen))
		return -EFAULT;
	if (!send && put_user(0, &uargs->msg_flags))
		return -EFAULT;

	sock = wsaevent_fdget_sock(args.sock, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);

	ret = import_iovec(send ? ITER_SOURCE : ITER_DEST,
			   u64_to_user_ptr(args.iov), args.iovcnt,
			   UIO_FASTIOV, &iov, &msg.msg_iter);
	if (ret < 0)
		goto out;

	flags = args.flags;
	if (f.file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	ws = wsaevent_sock_get(ctx, sock);

	if (send) {
		if (uaddr) {
			ret = -EFAULT;
			if (copy_from_user(&addr, uaddr, args.addrlen))
				goto out_ws;
			msg.msg_name = &addr;
			msg.msg_namelen = args.addrlen;
		}
		/* Winsock sends never raise SIGPIPE. */
		ret = wsaevent_sock_do_msg(ws, sock, &msg, flags | MSG_NOSIGNAL,
					   true);
		/* A send that would block re-enables FD_WRITE. */
		if (ret == -EAGAIN && ws)
			wsaevent_sock_reenable(ws, f.file, WSAEVENT_FD_WRITE);
		goto out_ws;
	}

	if (uaddr)
		msg.msg_name = &addr;
	ret = wsaevent_sock_do_msg(ws, sock, &msg, flags, false);
	if (ret == -ECONNRESET && ws)
		WRITE_ONCE(ws->reset, true);
	/* Every recv re-enables, except one refused for a bad argument. */
	if (ret != -EFAULT && ret != -EINVAL && ws)
		wsaevent_sock_reenable(ws, f.file,
				       WSAEVENT_FD_READ | WSAEVENT_FD_OOB);
	if (ret < 0)
		goto out_ws;

	if (uaddr && msg.msg_namelen &&
	    copy_to_user(uaddr, &addr, min_t(u32, msg.msg_namelen, args.addrlen)))
		ret = -EFAULT;
	if (put_user(uaddr ? msg.msg_namelen : 0, &uargs->addrlen) ||
	    put_user(msg.msg_flags, &uargs->msg_flags))
		ret = -EFAULT;
out_ws:
	if (ws)
		wsaevent_sock_put(ws);
	kfree(iov);
out:
	fdput(f);
	return ret;
}

int wsaevent_sock_recv(struct wsaevent_ctx *ctx, void __user *argp)
{
	return wsaevent_sock_msg(ctx, argp, false);
}

int wsaevent_sock_send(struct wsaevent_ctx *ctx, void __user *argp)
{
	return wsaevent_sock_msg(ctx, argp, true);
}

/*
 * accept4() for a module: do_accept() is not exported.  Like it, minus
 * the LSM accept hook (security_socket_accept() is not exported either).
 */
static struct file *wsaevent_do_accept(struct socket *sock, struct file *file,
				       int file_flags,
				       struct socket **newsockp)
{
	struct socket *newsock;
	struct file *newfile;
	int err;

	newsock = sock_alloc();
	if (!newsock)
		return ERR_PTR(-ENFILE);
	newsock->type = sock->type;
	newsock->ops = sock->ops;
	/* The listening socket holds the protocol module. */
	__module_get(newsock->ops->owner);

	newfile = sock_alloc_file(newsock, file_flags,
				  sock->sk->sk_prot_creator->name);
	if (IS_ERR(newfile))
		return newfile;

#ifdef WSAEVENT_HAVE_PROTO_ACCEPT_ARG	/* Linux 6.10 and later */
	{
		struct proto_accept_arg arg = {
			.flags = file->f_flags | file_flags,
			.kern = false,
		};

		err = sock->ops->accept(sock, newsock, &arg);
	}
#else
	err = sock->ops->accept(sock, newsock, file->f_flags | file_flags,
				false);
#endif
	if (err < 0) {
		fput(newfile);
		return ERR_PTR(err);
	}
	*newsockp = newsock;
	return newfile;
}

/**
 * wsaevent_sock_accept() - WSAEVENT_IOC_ACCEPT
 * @ctx: the context
 * @argp: struct wsaevent_accept_args
 *
 * Return: the new socket's fd, or a negative errno.
 */
int wsaevent_sock_accept(struct wsaevent_ctx *ctx, void __user *argp)
{
	struct wsaevent_accept_args __user *uargs = argp;
	struct wsaevent_accept_args args;
	struct wsaevent_sock *listener;
	struct sockaddr_storage addr;
	struct socket *sock, *newsock;
	struct file *newfile;
	void __user *uaddr;
	int fd, len, ret, file_flags = 0;
	struct fd f;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC) || args.pad ||
	    args.addrlen > INT_MAX)
		return -EINVAL;
	uaddr = u64_to_user_ptr(args.addr);
	if (uaddr && clear_user(uaddr, args.addrlen))
		return -EFAULT;

	sock = wsaevent_fdget_sock(args.sock, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);

	fd = get_unused_fd_flags(args.flags & SOCK_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0) {
		ret = fd;
		goto out;
	}

	/* As on Windows, a non-blocking listener accepts non-blocking sockets. */
	if (args.flags & SOCK_NONBLOCK || f.file->f_flags & O_NONBLOCK)
		file_flags = O_NONBLOCK;
	newfile = wsaevent_do_accept(sock, f.file, file_flags, &newsock);
	if (IS_ERR(newfile)) {
		put_unused_fd(fd);
		ret = PTR_ERR(newfile);
		goto reenable;
	}

	if (uaddr) {
		len = newsock->ops->getname(newsock, (struct sockaddr *)&addr, 2);
		if (len < 0)
			ret = -ECONNABORTED;
		else if (copy_to_user(uaddr, &addr, min_t(u32, len, args.addrlen)) ||
			 put_user(len, &uargs->addrlen))
			ret = -EFAULT;
		else
			ret = 0;
		if (ret) {
			fput(newfile);
			put_unused_fd(fd);
			goto reenable;
		}
	}

	listener = wsaevent_sock_get(ctx, sock);
	if (listener) {
		ret = wsaevent_sock_inherit(listener, newfile, newsock);
		if (ret) {
			wsaevent_sock_put(listener);
			fput(newfile);
			put_unused_fd(fd);
			goto reenable;
		}
		wsaevent_sock_put(listener);
	}

	fd_install(fd, newfile);
	ret = fd;
reenable:
	/* accept() re-enables FD_ACCEPT, whatever its outcome. */
	wsaevent_sock_reenable_fd(ctx, f.file, sock, WSAEVENT_FD_ACCEPT);
out:
	fdput(f);
	return ret;
}
