// SPDX-License-Identifier: GPL-2.0-only
/*
 * security_limits: the claims of Documentation/wsaevent/security.rst.
 *
 *  - /dev/wsaevent is mode 0666 and an unprivileged process (uid 65534,
 *    no capabilities) can use it;
 *  - an event is reachable only through an fd: reopening it through
 *    /proc/<pid>/fd fails (anonymous inode) and an unprivileged process
 *    cannot take a root process's event (ptrace-checked pidfd_getfd and
 *    /proc/<pid>/fd);
 *  - a wait only names events of its own context;
 *  - RLIMIT_NOFILE bounds the number of events a process can create;
 *  - event memory is charged to the creator's memory cgroup
 *    (GFP_KERNEL_ACCOUNT; the file and dentry caches are accounted too);
 *  - a wait names at most 64 objects;
 *  - an association cannot keep its own context alive: SELECT on a
 *    pollable fd that holds a reference to the context (an io_uring with
 *    the context registered as a fixed file) must fail, or everything
 *    must still be freed once every fd is closed.
 *
 * Needs root (it drops privileges in children).
 */
#include "hardening.h"

#include <grp.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/io_uring.h>

#define NOBODY 65534
#define CGROOT "/tmp/wsaevent-cgroup2"
#define CGTEST CGROOT "/wsaevent-test"
#define NEVENTS_MEMCG 2000

/* Runs @fn in a child; returns its exit status (or 128 + signal). */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 255;
	if (pid == 0) {
		fflush(stdout);
		_exit(fn(arg));
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int drop_privileges(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return -errno;
	return 0;
}

/* 1. An unprivileged process can open and use the device. */
static int unprivileged_use(void *arg)
{
	int ctx, ev;
	__u32 fds[1];

	(void)arg;
	if (drop_privileges())
		return 10;
	ctx = wsa_open();
	if (ctx < 0)
		return 11;
	ev = wsa_create(ctx, 0);
	if (ev < 0 || wsa_set(ev) != 0)
		return 12;
	fds[0] = (__u32)ev;
	if (wsa_wait(ctx, false, fds, 1, 0, -1) != 0 || wsa_read(ev) != 0)
		return 13;
	return 0;
}

/* 2. An unprivileged process cannot take a root process's event. */
struct steal {
	pid_t owner;
	int fd;
};

static int unprivileged_steal(void *arg)
{
	struct steal *s = arg;
	char path[64];
	int pidfd, fd;

	if (drop_privileges())
		return 10;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", s->owner, s->fd);
	fd = open(path, O_RDWR);
	if (fd >= 0)
		return 20; /* reopened it */
	pidfd = (int)syscall(SYS_pidfd_open, s->owner, 0);
	if (pidfd >= 0) {
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, s->fd, 0);
		if (fd >= 0)
			return 21; /* copied it */
		if (errno != EPERM)
			return 22;
	}
	return 0;
}

/* 5. RLIMIT_NOFILE bounds the events a process can hold. */
static int rlimit_bound(void *arg)
{
	struct rlimit rl = { .rlim_cur = 48, .rlim_max = 48 };
	int ctx = wsa_open(), n = 0, fd, open_before;

	(void)arg;
	open_before = count_fds(); /* unreadable once privileges are gone */
	if (ctx < 0 || open_before < 0 || drop_privileges())
		return 10;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return 11;
	while ((fd = wsa_create(ctx, 0)) >= 0)
		n++;
	if (fd != -EMFILE)
		return 12;
	/* Every slot below the limit is used, no more. */
	return n == 48 - open_before ? 0 : 13;
}

/* 6. Event memory is charged to the memory cgroup. */
static long read_long(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

struct memcg_result {
	long before, after, closed;
};

static struct memcg_result *memcg_res;

static int memcg_charge(void *arg)
{
	struct rlimit rl = { .rlim_cur = 4 * NEVENTS_MEMCG,
			     .rlim_max = 4 * NEVENTS_MEMCG };
	char pid[32];
	int ctx, *fds, i;

	(void)arg;
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_file_str(CGTEST "/cgroup.procs", pid))
		return 10;
	setrlimit(RLIMIT_NOFILE, &rl);
	fds = calloc(NEVENTS_MEMCG, sizeof(int));
	ctx = wsa_open();
	if (!fds || ctx < 0)
		return 11;
	memcg_res->before = read_long(CGTEST "/memory.current");
	for (i = 0; i < NEVENTS_MEMCG; i++) {
		fds[i] = wsa_create(ctx, 0);
		if (fds[i] < 0)
			return 12;
	}
	memcg_res->after = read_long(CGTEST "/memory.current");
	for (i = 0; i < NEVENTS_MEMCG; i++)
		close(fds[i]);
	memcg_res->closed = read_long(CGTEST "/memory.current");
	return 0;
}

static void memcg_test(void)
{
	bool mounted_here = false;
	int st;

	mkdir(CGROOT, 0755);
	if (access(CGROOT "/cgroup.controllers", F_OK)) {
		if (mount("none", CGROOT, "cgroup2", 0, NULL)) {
			tap_result(
				true,
				"memcg charges events # SKIP no cgroup2 (%s)",
				strerror(errno));
			return;
		}
		mounted_here = true;
	}
	write_file_str(CGROOT "/cgroup.subtree_control", "+memory");
	mkdir(CGTEST, 0755);
	if (access(CGTEST "/memory.current", F_OK)) {
		tap_result(true,
			   "memcg charges events # SKIP no memory controller");
	} else {
		memcg_res = mmap(NULL, sizeof(*memcg_res),
				 PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		st = in_child(memcg_charge, NULL);
		if (st == 0) {
			long per = (memcg_res->after - memcg_res->before) /
				   NEVENTS_MEMCG;

			diag("memcg: %ld -> %ld bytes for %d events (%ld bytes each), "
			     "%ld after closing them",
			     memcg_res->before, memcg_res->after, NEVENTS_MEMCG,
			     per, memcg_res->closed);
			/* An event is at least its file, dentry and struct. */
			tap_result(
				per >= 256,
				"memcg charges each event to its creator (%ld bytes)",
				per);
		} else {
			tap_result(false,
				   "memcg charges events: child failed (%d)",
				   st);
		}
		munmap(memcg_res, sizeof(*memcg_res));
	}
	rmdir(CGTEST);
	if (mounted_here)
		umount(CGROOT);
	rmdir(CGROOT);
}

/* 8. No reference cycle through an io_uring holding the context. */
static int uring_cycle(void *arg)
{
	struct io_uring_params p = { 0 };
	struct wsaevent_select_args sa = { .mask = WSAEVENT_FD_READ };
	int ctx = wsa_open(), ev, ring, ret;

	(void)arg;
	ev = wsa_create(ctx, 0);
	ring = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (ctx < 0 || ev < 0)
		return 10;
	if (ring < 0)
		return 4; /* no io_uring: nothing to check */
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_FILES, &ctx,
		    1))
		return 4;
	sa.sock = (__u32)ring;
	sa.event = (__u32)ev;
	ret = ioctl(ctx, WSAEVENT_IOC_SELECT, &sa);
	printf("# SELECT on an io_uring holding the context: %s\n",
	       ret ? strerror(errno) : "accepted");
	close(ev);
	close(ctx);
	close(ring);
	return 0;
}

static void uring_cycle_test(void)
{
	int before = module_refcount(), after = -1, st;

	st = in_child(uring_cycle, NULL);
	if (st == 4) {
		tap_result(
			true,
			"no reference cycle through io_uring # SKIP no io_uring");
		return;
	}
	/* io_uring drops its files from a workqueue: give it a moment. */
	for (int i = 0; i < 100; i++) {
		after = module_refcount();
		if (after == before)
			break;
		sleep_ms(50);
	}
	tap_result(
		st == 0 && after == before,
		"an association cannot keep its own context alive (io_uring holding "
		"the context): module refcount %d after closing everything, %d before",
		after, before);
}

int main(int argc, char **argv)
{
	struct stat stt;
	struct steal s;
	char path[64];
	int ctx, ctx2, ev, ev2, fd, st, ret;
	__u32 fds[WSAEVENT_MAX_WAIT_COUNT + 1];

	params_init(argc, argv);
	if (geteuid() != 0)
		tap_skip_all("needs root");
	if (access(WSAEVENT_DEVICE, R_OK | W_OK))
		tap_skip_all(WSAEVENT_DEVICE " not available");
	tap_plan(9);

	if (stat(WSAEVENT_DEVICE, &stt))
		memset(&stt, 0, sizeof(stt));
	tap_result(S_ISCHR(stt.st_mode) && (stt.st_mode & 07777) == 0666,
		   WSAEVENT_DEVICE " is a character device of mode 0666 (%04o)",
		   stt.st_mode & 07777);

	st = in_child(unprivileged_use, NULL);
	tap_result(
		st == 0,
		"uid %d without capabilities can open it and use events (%d)",
		NOBODY, st);

	ctx = wsa_open();
	ev = wsa_create(ctx, WSAEVENT_EVENT_SIGNALED);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ev);
	fd = open(path, O_RDWR | O_CLOEXEC);
	tap_result(
		fd < 0 && errno == ENXIO,
		"an event cannot be reopened through /proc/<pid>/fd, even by root (%s)",
		fd < 0 ? strerror(errno) : "reopened");
	if (fd >= 0)
		close(fd);

	s.owner = getpid();
	s.fd = ev;
	st = in_child(unprivileged_steal, &s);
	tap_result(st == 0,
		   "an unprivileged process cannot take a root process's event "
		   "(/proc/<pid>/fd, pidfd_getfd) (%d)",
		   st);

	ctx2 = wsa_open();
	ev2 = wsa_create(ctx2, WSAEVENT_EVENT_SIGNALED);
	fds[0] = (__u32)ev2;
	ret = wsa_wait(ctx, false, fds, 1, 0, -1);
	tap_result(ret == -EINVAL && wsa_read(ev2) == WSAEVENT_EVENT_SIGNALED,
		   "a wait cannot name another context's event (%s)",
		   ret < 0 ? strerror(-ret) : "it waited");

	for (int i = 0; i <= WSAEVENT_MAX_WAIT_COUNT; i++)
		fds[i] = (__u32)ev;
	ret = wsa_wait(ctx, false, fds, WSAEVENT_MAX_WAIT_COUNT + 1, 0, -1);
	tap_result(ret == -EINVAL,
		   "a wait names at most %d objects (%s for %d)",
		   WSAEVENT_MAX_WAIT_COUNT,
		   ret < 0 ? strerror(-ret) : "it waited",
		   WSAEVENT_MAX_WAIT_COUNT + 1);
	close(ev);
	close(ev2);
	close(ctx);
	close(ctx2);

	st = in_child(rlimit_bound, NULL);
	tap_result(st == 0,
		   "RLIMIT_NOFILE bounds the events of an unprivileged process "
		   "(EMFILE at the limit) (%d)",
		   st);

	memcg_test();
	uring_cycle_test();
	return tap_exit();
}
