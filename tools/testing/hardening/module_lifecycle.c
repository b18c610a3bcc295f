// SPDX-License-Identifier: GPL-2.0-only
/*
 * module_lifecycle: the module cannot be unloaded while anything holds
 * one of its files, can be once nothing does, and survives being loaded
 * and unloaded many times.  Runs in the test VM as root, with the module
 * loaded; leaves it loaded.
 *
 * rmmod (delete_module(O_NONBLOCK)) must fail with EWOULDBLOCK while
 *   - a context fd is open,
 *   - only an event fd is open (its context fd closed),
 *   - only a forked child holds an fd,
 *   - an event fd is open and in an epoll set,
 *   - an event file is in flight in a unix socket (SCM_RIGHTS) and
 *     nothing else holds it,
 *   - a socket has an association and a pending overlapped receive,
 * and succeed as soon as the last one is gone (closing the context
 * cancels the overlapped receive, although the socket stays open).  Then "loads" times
 * (default 50): load, open, create, set, wait, close, unload.  Finally,
 * with kmemleak available, a scan must find nothing new.
 *
 * Parameters: module=PATH (default: /wsaevent.ko, the VM harness's
 * copy), loads=N.
 */
#include "hardening.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MODNAME "wsaevent"
#define KMEMLEAK "/sys/kernel/debug/kmemleak"

static const char *module_path;
static int module_fd = -1;

static int load(void)
{
	if (syscall(SYS_finit_module, module_fd, "", 0))
		return -errno;
	/* devtmpfs creates the node; wait for it like udev users would. */
	for (int i = 0; i < 500; i++) {
		if (!access(WSAEVENT_DEVICE, R_OK | W_OK))
			return 0;
		sleep_ms(10);
	}
	return -ENODEV;
}

static int unload(void)
{
	if (syscall(SYS_delete_module, MODNAME, O_NONBLOCK))
		return -errno;
	return 0;
}

/* Files can be released asynchronously (delayed fput): retry a while. */
static int unload_retry(void)
{
	int ret = -EBUSY;

	for (int i = 0; i < 200; i++) {
		ret = unload();
		if (ret != -EWOULDBLOCK && ret != -EAGAIN && ret != -EBUSY)
			return ret;
		sleep_ms(10);
	}
	return ret;
}

static bool loaded(void)
{
	return module_refcount() >= 0;
}

/* rmmod must be refused now; the module must still work. */
static void expect_refused(const char *what)
{
	int ret = unload();
	int refs = module_refcount();

	tap_result(ret == -EWOULDBLOCK && loaded(),
		   "rmmod refused while %s (%s, refcount %d)", what,
		   ret ? strerror(-ret) : "it unloaded", refs);
	if (!ret)
		load();
}

static void expect_unloads(const char *what)
{
	int ret = unload_retry();

	tap_result(ret == 0 && !loaded(), "rmmod succeeds once %s (%s)", what,
		   ret ? strerror(-ret) : "ok");
	if (loaded())
		return;
	ret = load();
	if (ret)
		diag("reload failed: %s", strerror(-ret));
}

static void case_context(void)
{
	int ctx = wsa_open();

	expect_refused("a context fd is open");
	close(ctx);
	expect_unloads("the context fd is closed");
}

static void case_event_only(void)
{
	int ctx = wsa_open(), ev = wsa_create(ctx, WSAEVENT_EVENT_SIGNALED);

	close(ctx);
	expect_refused("only an event fd is open (its context fd closed)");
	tap_result(wsa_read(ev) == WSAEVENT_EVENT_SIGNALED,
		   "the event still works with its context fd closed");
	close(ev);
	expect_unloads("the event fd is closed");
}

static void case_child(void)
{
	int ctx = wsa_open(), ev = wsa_create(ctx, WSAEVENT_EVENT_INHERIT);
	int go[2], ready[2], status;
	char c = 0;
	pid_t pid;

	if (pipe(go) || pipe(ready))
		return;
	pid = fork();
	if (pid == 0) {
		close(ctx);
		close(go[1]);
		close(ready[0]);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		if (read(go[0], &c, 1) != 1) /* the parent says when */
			_exit(2);
		_exit(wsa_set(ev) == 0 ? 0 : 1);
	}
	close(go[0]);
	close(ready[1]);
	close(ev);
	close(ctx);
	if (read(ready[0], &c, 1) != 1)
		diag("child did not start");
	expect_refused("only a forked child holds an event fd");
	if (write(go[1], "g", 1) != 1)
		diag("cannot wake the child");
	waitpid(pid, &status, 0);
	close(go[1]);
	close(ready[0]);
	tap_result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "the child could still use the event");
	expect_unloads("the child has exited");
}

static void case_epoll(void)
{
	int ctx = wsa_open(), ev = wsa_create(ctx, WSAEVENT_EVENT_SIGNALED);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ee = { .events = EPOLLIN }, out;

	ee.data.fd = ev;
	epoll_ctl(ep, EPOLL_CTL_ADD, ev, &ee);
	close(ctx);
	expect_refused("an event fd in an epoll set is open");
	tap_result(epoll_wait(ep, &out, 1, 0) == 1,
		   "epoll reports the signaled event");
	/* epoll does not pin the file: closing the fd removes it from the set. */
	close(ev);
	tap_result(epoll_wait(ep, &out, 1, 0) == 0,
		   "closing the event fd removed it from the epoll set");
	expect_unloads("the event fd is closed (the epoll fd still open)");
	close(ep);
}

static void case_in_flight(void)
{
	int ctx = wsa_open(), ev = wsa_create(ctx, 0);
	int sv[2];
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		return;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &ev, sizeof(int));
	if (sendmsg(sv[0], &msg, 0) != 1)
		diag("sendmsg: %s", strerror(errno));
	close(ev);
	close(ctx);
	expect_refused("an event file is in flight in a unix socket");
	close(sv[0]);
	close(sv[1]);
	expect_unloads("the sockets holding it are closed");
}

/*
 * An association and a pending overlapped receive: closing the context
 * and event fds cancels the operation and frees everything, although the
 * socket stays open.
 */
static void case_socket(void)
{
	static uint64_t overlapped[4] __attribute__((aligned(8)));
	static char buf[64];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	int ctx = wsa_open(), ev = wsa_create(ctx, 0), sv[2], ret;
	struct wsaevent_select_args sel = { .mask = WSAEVENT_FD_READ |
						    WSAEVENT_FD_CLOSE };
	struct wsaevent_io_args io = {
		.op = WSAEVENT_OP_RECV,
		.iov = (uintptr_t)&iov,
		.iovcnt = 1,
		.io_flags = WSAEVENT_IO_EVENT,
		.overlapped = (uintptr_t)overlapped,
	};

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return;
	sel.sock = io.sock = (__u32)sv[0];
	sel.event = io.event = (__u32)ev;
	overlapped[0] = 0x103; /* STATUS_PENDING */
	ioctl(ctx, WSAEVENT_IOC_SELECT, &sel);
	ret = ioctl(ctx, WSAEVENT_IOC_SUBMIT, &io);
	if (ret != -1 || errno != EINPROGRESS)
		diag("SUBMIT: %d (%s)", ret, strerror(errno));
	expect_refused(
		"a socket has an association and a pending overlapped receive");
	close(ev);
	close(ctx);
	for (int i = 0; i < 200 && overlapped[0] == 0x103; i++)
		sleep_ms(10);
	tap_result(
		(int64_t)overlapped[0] == -ECANCELED,
		"closing the context cancelled the pending receive (Internal %lld)",
		(long long)overlapped[0]);
	expect_unloads(
		"the context and event fds are closed (the sockets still open)");
	if (write(sv[1], "z", 1) != 1)
		diag("the socket pair broke");
	close(sv[0]);
	close(sv[1]);
}

static void case_loop(unsigned int loads)
{
	unsigned int i, done = 0;
	char why[200] = "";

	for (i = 0; i < loads; i++) {
		int ret, ctx, ev;
		__u32 fds[1];

		if (loaded() && (ret = unload_retry())) {
			snprintf(why, sizeof(why), "round %u: rmmod: %s", i,
				 strerror(-ret));
			break;
		}
		ret = load();
		if (ret) {
			snprintf(why, sizeof(why), "round %u: insmod: %s", i,
				 strerror(-ret));
			break;
		}
		ctx = wsa_open();
		ev = ctx >= 0 ? wsa_create(ctx, 0) : -1;
		fds[0] = (__u32)ev;
		if (ctx < 0 || ev < 0 || wsa_set(ev) != 0 ||
		    wsa_wait(ctx, false, fds, 1, 0, -1) != 0 ||
		    wsa_read(ev) != 0) {
			snprintf(why, sizeof(why),
				 "round %u: the module did not work", i);
			close(ev);
			close(ctx);
			break;
		}
		close(ev);
		close(ctx);
		ret = unload_retry();
		if (ret) {
			snprintf(why, sizeof(why), "round %u: rmmod: %s", i,
				 strerror(-ret));
			break;
		}
		done++;
	}
	tap_result(done == loads, "%u of %u load/use/unload rounds%s%s", done,
		   loads, why[0] ? ": " : "", why);
}

/* A kmemleak scan; returns the number of suspected leaks, or -1. */
static int kmemleak_scan(void)
{
	char buf[4096];
	int fd, n = 0, shown = 0;
	ssize_t r;

	if (write_file_str(KMEMLEAK, "scan"))
		return -1;
	sleep_ms(6000); /* objects younger than 5 s are not reported */
	if (write_file_str(KMEMLEAK, "scan"))
		return -1;
	fd = open(KMEMLEAK, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, sizeof(buf) - 1)) > 0) {
		char *line, *save = NULL;

		buf[r] = 0;
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (strstr(line, "unreferenced object"))
				n++;
			if (shown++ <
			    40) /* the first reports; all are in the log */
				printf("# kmemleak: %s\n", line);
		}
	}
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	char buf[256];
	const char *v;
	unsigned int loads;
	int ret, leaks;

	params_init(argc, argv);
	v = param_lookup("module", buf, sizeof(buf));
	module_path = v ? v : "/wsaevent.ko";
	loads = (unsigned int)param_u64("loads", 50, 50);

	if (geteuid() != 0)
		tap_skip_all("needs root");
	module_fd = open(module_path, O_RDONLY | O_CLOEXEC);
	if (module_fd < 0)
		tap_skip_all("no module file (set module=PATH)");
	if (!loaded())
		tap_skip_all(MODNAME " is not loaded");
	if (module_refcount() != 0)
		tap_skip_all(MODNAME " is in use by another process");

	tap_plan(21);
	diag("module %s", module_path);

	ret = (int)syscall(SYS_finit_module, module_fd, "", 0) ? -errno : 0;
	tap_result(ret == -EEXIST, "loading it twice fails with EEXIST (%s)",
		   ret ? strerror(-ret) : "loaded");

	case_context();
	case_event_only();
	case_child();
	case_epoll();
	case_in_flight();
	case_socket();
	case_loop(loads);

	if (!loaded()) {
		ret = load();
		if (ret)
			diag("final insmod failed: %s", strerror(-ret));
	}
	tap_result(loaded() && !access(WSAEVENT_DEVICE, R_OK | W_OK),
		   "the module is loaded again at the end");

	leaks = kmemleak_scan();
	if (leaks < 0)
		tap_result(true, "kmemleak # SKIP not available");
	else
		tap_result(leaks == 0, "kmemleak: %d suspected leaks", leaks);
	return tap_exit();
}
