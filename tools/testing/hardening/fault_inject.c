// SPDX-License-Identifier: GPL-2.0-only
/*
 * fault_inject: make every allocation of the wsaevent paths fail, one at
 * a time, and check that each failure is clean.
 *
 * Uses failslab and fail-nth: writing N to /proc/self/task/<tid>/fail-nth
 * makes the N-th slab allocation of this thread fail.  For each operation
 * and N = 1, 2, ... the operation runs with the N-th allocation failing,
 * until a run completes with no fault injected.  Every run must either
 * fail with the operation's proper error (ENOMEM) and change nothing (no
 * fd installed, no event consumed, the state as before), or succeed (the
 * failed allocation was one the kernel tolerates, such as kmemleak's own
 * metadata).
 *
 * failslab prints the stack of every failure it injects (verbose=2);
 * this program reads them back from /dev/kmsg to name the allocation
 * site of each N, and checks that every allocation site of the module
 * failed at least once:
 *   - the context (kzalloc in wsaevent_ctx_open),
 *   - the event (kzalloc in wsaevent_create_event),
 *   - the event's file (anon_inode_getfile),
 *   - the fd (get_unused_fd_flags growing the fd table),
 *   - the blocking wait's queue entries (kmalloc in the WAIT path).
 * Leaks are left to kmemleak (the check-debug log scan); the module's
 * reference count must come back to where it started.
 *
 * Needs root, CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS (skips
 * otherwise).  Restores the failslab settings it changes.
 */
#include "hardening.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define FAILSLAB "/sys/kernel/debug/failslab"
#define PAGE_SIZE_ 4096UL
#define MAX_N 300

static int nth_fd = -1; /* this thread's fail-nth */
static int kmsg_fd = -1;

/* ---- failslab settings ---------------------------------------------------- */

struct knob {
	const char *name;
	const char *value; /* what we set */
	char saved[64];
	bool ok;
};

static struct knob knobs[] = {
	{ .name = "probability", .value = "0" }, /* only fail-nth injects */
	{ .name = "interval", .value = "1" },
	{ .name = "times", .value = "-1" },
	{ .name = "space", .value = "0" },
	{ .name = "verbose", .value = "2" }, /* message and stack trace */
	{ .name = "verbose_ratelimit_burst", .value = "1000000" },
	{ .name = "ignore-gfp-wait",
	  .value = "N" }, /* GFP_KERNEL allocations too */
	{ .name = "cache-filter", .value = "N" },
	{ .name = "task-filter",
	  .value = "Y" }, /* and only tasks with make-it-fail */
};

static int write_file(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, v, strlen(v));
	close(fd);
	return n < 0 ? -errno : 0;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static bool knobs_set(void)
{
	char path[256];
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), FAILSLAB "/%s", knobs[i].name);
		if (read_file(path, knobs[i].saved, sizeof(knobs[i].saved)))
			continue; /* absent knob (older kernel): fine */
		knobs[i].ok = true;
		if (write_file(path, knobs[i].value)) {
			diag("cannot set %s to %s", path, knobs[i].value);
			ok = false;
		}
	}
	return ok;
}

static bool knobs_restore(void)
{
	char path[256], now[64];
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (!knobs[i].ok)
			continue;
		snprintf(path, sizeof(path), FAILSLAB "/%s", knobs[i].name);
		write_file(path, knobs[i].saved);
		if (read_file(path, now, sizeof(now)) ||
		    strcmp(now, knobs[i].saved)) {
			diag("%s: restored %s, reads %s", path, knobs[i].saved,
			     now);
			ok = false;
		}
	}
	return ok;
}

/* ---- fail-nth --------------------------------------------------------------- */

static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, (size_t)len, 0) != len) {
		perror("fail-nth write");
		exit(1);
	}
}

/* Disarms; returns true when the fault was injected. */
static bool disarm(void)
{
	char buf[16] = "";
	ssize_t n = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0) {
		perror("fail-nth read");
		exit(1);
	}
	if (pwrite(nth_fd, "0", 1, 0) != 1) {
		perror("fail-nth write");
		exit(1);
	}
	return strtoul(buf, NULL, 10) == 0;
}

/* ---- reading the injected faults' stack traces back --------------------------- */

#define MAX_FRAMES 48

struct trace {
	int nframes;
	char frame[MAX_FRAMES][96]; /* function names, reliable frames only */
	bool module[MAX_FRAMES]; /* [wsaevent] */
};

static bool is_allocator(const char *f)
{
	static const char *const prefixes[] = {
		"dump_stack",
		"should_fail",
		"__should_fail",
		"should_failslab",
		"__should_failslab",
		"slab_pre_alloc_hook",
		"slab_alloc",
		"__slab_alloc",
		"___slab_alloc",
		"kmem_cache_alloc",
		"__kmem_cache_alloc",
		"kmalloc",
		"__kmalloc",
		"kzalloc",
		"kvmalloc",
		"__kvmalloc",
		"kmem_cache_zalloc",
		"kmalloc_trace",
		"kmalloc_node",
		"kvzalloc",
		"kcalloc",
		"kmalloc_array",
		"kvmalloc_array",
		"memdup_user",
		"kmemdup",
	};

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(f, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/*
 * Reads /dev/kmsg up to its end; returns the number of injected-fault
 * traces seen and the last one in @t.
 */
static int read_traces(struct trace *t)
{
	char rec[8192];
	int traces = 0;
	bool in_trace = false;

	memset(t, 0, sizeof(*t));
	if (kmsg_fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(kmsg_fd, rec, sizeof(rec) - 1);
		char *msg, *line, *save = NULL;

		if (n < 0) {
			if (errno == EPIPE) /* overwritten records: go on */
				continue;
			break; /* EAGAIN: the end */
		}
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		/* Continuation lines ("\n KEY=VALUE") are metadata. */
		msg[strcspn(msg, "\n")] = 0;
		/* /dev/kmsg escapes embedded newlines as \x0a. */
		for (line = strtok_r(msg, "\\", &save); line;
		     line = strtok_r(NULL, "\\", &save)) {
			char fn[96], *plus;
			const char *p = line;

			if (!strncmp(p, "x0a", 3))
				p += 3;
			if (strstr(p, "FAULT_INJECTION: forcing a failure")) {
				memset(t, 0, sizeof(*t));
				in_trace = true;
				traces++;
				continue;
			}
			if (!in_trace)
				continue;
			if (strstr(p, "</TASK>")) {
				in_trace = false;
				continue;
			}
			while (*p == ' ')
				p++;
			if (*p == '?') /* unreliable frame */
				continue;
			plus = strstr(p, "+0x");
			if (!plus || plus - p >= (long)sizeof(fn) ||
			    t->nframes >= MAX_FRAMES)
				continue;
			memcpy(fn, p, (size_t)(plus - p));
			fn[plus - p] = 0;
			if (strchr(fn, ' ') || strchr(fn, ':'))
				continue; /* "RIP: ..." and the like */
			snprintf(t->frame[t->nframes], sizeof(t->frame[0]),
				 "%s", fn);
			t->module[t->nframes] = strstr(plus, "[wsaevent]") !=
						NULL;
			t->nframes++;
		}
	}
	return traces;
}

/* Has the trace a frame named @fn? */
static bool has_frame(const struct trace *t, const char *fn)
{
	for (int i = 0; i < t->nframes; i++)
		if (!strcmp(t->frame[i], fn))
			return true;
	return false;
}

/* The function that called the allocator. */
static const char *alloc_caller(const struct trace *t)
{
	for (int i = 0; i < t->nframes; i++)
		if (!is_allocator(t->frame[i]))
			return t->frame[i];
	return "?";
}

static const char *module_frame(const struct trace *t)
{
	for (int i = 0; i < t->nframes; i++)
		if (t->module[i])
			return t->frame[i];
	return NULL;
}

/* ---- the module's allocation sites --------------------------------------------- */

enum site {
	SITE_CTX,
	SITE_EVENT,
	SITE_FILE,
	SITE_FD,
	SITE_WAIT,
	SITE_SOCK,
	SITE_OP,
	SITE_PIN,
	SITE_ACCEPT,
	NR_SITES,
};

static const char *const site_names[NR_SITES] = {
	[SITE_CTX] = "context kzalloc in wsaevent_ctx_open",
	[SITE_EVENT] = "event kzalloc in wsaevent_create_event",
	[SITE_FILE] = "event file in anon_inode_getfile",
	[SITE_FD] = "fd in get_unused_fd_flags (fd table growth)",
	[SITE_WAIT] = "wait queue kmalloc in the blocking WAIT path",
	[SITE_SOCK] = "socket association kzalloc in wsaevent_sock_create",
	[SITE_OP] = "overlapped operation kzalloc in wsaevent_io_submit",
	[SITE_PIN] = "pinned page arrays kvmalloc_array in wsaevent_pin_iovec",
	[SITE_ACCEPT] =
		"accepted socket and file in ACCEPT (sock_alloc, sock_alloc_file)",
};

static unsigned int site_hits[NR_SITES];

static int classify(const struct trace *t)
{
	const char *caller = alloc_caller(t), *mod = module_frame(t);

	if (!strcmp(caller, "wsaevent_ctx_open"))
		return SITE_CTX;
	if (!strcmp(caller, "wsaevent_create_event"))
		return SITE_EVENT;
	if (!strncmp(caller, "wsaevent_wait", 13))
		return SITE_WAIT;
	/* wsaevent_sock_create() may be inlined into any of its callers. */
	if (!strcmp(caller, "wsaevent_sock_create") ||
	    !strcmp(caller, "wsaevent_sock_get_or_create") ||
	    !strcmp(caller, "wsaevent_sock_inherit") ||
	    !strcmp(caller, "wsaevent_sock_select"))
		return SITE_SOCK;
	if (!strcmp(caller, "wsaevent_io_submit"))
		return SITE_OP;
	if (!strncmp(caller, "wsaevent_pin_", 13) ||
	    !strcmp(caller, "wsaevent_op_prepare"))
		return SITE_PIN;
	if (mod &&
	    (!strcmp(mod, "wsaevent_sock_accept") ||
	     !strcmp(mod, "wsaevent_do_accept")) &&
	    strncmp(caller, "wsaevent_", 9))
		return SITE_ACCEPT;
	if (mod && !strcmp(mod, "wsaevent_create_event")) {
		if (has_frame(t, "anon_inode_getfile") ||
		    has_frame(t, "alloc_file_pseudo") ||
		    has_frame(t, "alloc_empty_file") ||
		    has_frame(t, "d_alloc_pseudo"))
			return SITE_FILE;
		if (has_frame(t, "get_unused_fd_flags") ||
		    has_frame(t, "alloc_fd") || has_frame(t, "expand_files") ||
		    has_frame(t, "alloc_fdtable"))
			return SITE_FD;
	}
	return -1;
}

/* ---- one operation under fail-nth ------------------------------------------------ */

struct op_result {
	long ret;
	int err;
};

struct op {
	const char *name;
	void (*setup)(void);
	struct op_result (*run)(void);
	/* Checks the result of one run; returns a complaint or NULL. */
	const char *(*check)(struct op_result r, bool injected);
	void (*teardown)(void);
	/* The site this operation is there to reach (others may appear). */
	int want_site;
	/* Each run (setup, run, check) in a fresh child process. */
	bool in_child;
	/* Before / after each run, outside fault injection (may be NULL). */
	void (*prep)(void);
	void (*cleanup)(void);
};

/* State shared by the operations. */
static int ctx = -1;
static int fds_before;
static int ev_s = -1, ev_a = -1, ev_alert = -1;
static int fdsize_before;

static int fdsize(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "FDSize: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* open(/dev/wsaevent) */
static void open_setup(void)
{
	fds_before = count_fds();
}

static struct op_result open_run(void)
{
	struct op_result r;

	r.ret = open(WSAEVENT_DEVICE, O_RDWR | O_CLOEXEC);
	r.err = r.ret < 0 ? errno : 0;
	return r;
}

static const char *open_check(struct op_result r, bool injected)
{
	static char why[128];

	(void)injected;
	if (r.ret >= 0) {
		int ev = wsa_create((int)r.ret, 0);

		close((int)r.ret);
		if (ev < 0)
			return "the context opened under fault injection cannot create events";
		close(ev);
		return NULL;
	}
	if (r.err != ENOMEM) {
		snprintf(why, sizeof(why), "open failed with %s, not ENOMEM",
			 strerror(r.err));
		return why;
	}
	if (count_fds() != fds_before)
		return "a failed open left an fd behind";
	return NULL;
}

/* CREATE_EVENT */
static void create_setup(void)
{
	fds_before = count_fds();
}

static struct op_result create_run(void)
{
	struct wsaevent_event_args a = {
		.flags = WSAEVENT_EVENT_MANUAL | WSAEVENT_EVENT_SIGNALED,
	};
	struct op_result r;

	r.ret = ioctl(ctx, WSAEVENT_IOC_CREATE_EVENT, &a);
	r.err = r.ret < 0 ? errno : 0;
	return r;
}

static const char *create_check(struct op_result r, bool injected)
{
	static char why[128];

	(void)injected;
	if (r.ret >= 0) {
		int flags = wsa_read((int)r.ret);

		close((int)r.ret);
		if (flags !=
		    (WSAEVENT_EVENT_MANUAL | WSAEVENT_EVENT_SIGNALED)) {
			snprintf(why, sizeof(why), "new event reads %d", flags);
			return why;
		}
		if (count_fds() != fds_before)
			return "fd count changed";
		return NULL;
	}
	if (r.err != ENOMEM) {
		snprintf(why, sizeof(why),
			 "CREATE_EVENT failed with %s, not ENOMEM",
			 strerror(r.err));
		return why;
	}
	if (count_fds() != fds_before)
		return "a failed CREATE_EVENT left an fd behind";
	return NULL;
}

/*
 * CREATE_EVENT when every slot of the fd table is taken, so that
 * get_unused_fd_flags() has to grow it (expand_files()).  Runs in a fresh
 * child for every N: a run that succeeds grows the table for good, and
 * counting fds (opening /proc/self/fd) would grow it too.
 */
static void grow_setup(void)
{
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	fdsize_before = fdsize();
	for (int fd = 0; fd < fdsize_before; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			dup2(devnull, fd);
}

static const char *grow_check(struct op_result r, bool injected)
{
	static char why[128];

	(void)injected;
	if (r.ret >= 0) {
		if (r.ret != fdsize_before) {
			snprintf(why, sizeof(why),
				 "new event got fd %ld, not %d", r.ret,
				 fdsize_before);
			return why;
		}
		if (wsa_read((int)r.ret) !=
		    (WSAEVENT_EVENT_MANUAL | WSAEVENT_EVENT_SIGNALED))
			return "the new event is not what was asked for";
		close((int)r.ret);
		if (fdsize() <= fdsize_before)
			return "the fd table did not grow";
		return NULL;
	}
	if (r.err != ENOMEM) {
		snprintf(why, sizeof(why),
			 "CREATE_EVENT failed with %s, not ENOMEM",
			 strerror(r.err));
		return why;
	}
	if (fcntl(fdsize_before, F_GETFD) >= 0 || errno != EBADF)
		return "a failed CREATE_EVENT left an fd behind";
	return NULL;
}

/*
 * A blocking WAIT_ALL that times out: five events signaled (auto-reset),
 * one not.  Whatever fails, the signaled ones must stay signaled.  Six
 * objects: waits on up to WSAEVENT_Q_STACK (4) entries queue from the
 * stack and allocate nothing.
 */
#define NWAIT 6

static int ev_sig[NWAIT - 1];

static void wait_setup(void)
{
	for (int i = 0; i < NWAIT - 1; i++)
		ev_sig[i] = wsa_create(ctx, WSAEVENT_EVENT_SIGNALED);
	ev_s = ev_sig[0];
	ev_a = wsa_create(ctx, 0);
	ev_alert = wsa_create(ctx, 0);
}

static struct op_result wait_all_run(void)
{
	__u32 objs[NWAIT];
	struct op_result r;

	for (int i = 0; i < NWAIT - 1; i++)
		objs[i] = (__u32)ev_sig[i];
	objs[NWAIT - 1] = (__u32)ev_a;
	r.ret = wsa_wait(ctx, true, objs, NWAIT, now_ns() + 200 * NSEC_PER_MSEC,
			 -1);
	r.err = r.ret < 0 ? (int)-r.ret : 0;
	return r;
}

static struct op_result wait_any_alert_run(void)
{
	__u32 objs[NWAIT - 1];
	struct op_result r;

	for (int i = 0; i < NWAIT - 1; i++)
		objs[i] = (__u32)ev_a; /* WAIT_ANY may name one event twice */
	r.ret = wsa_wait(ctx, false, objs, NWAIT - 1,
			 now_ns() + 200 * NSEC_PER_MSEC, ev_alert);
	r.err = r.ret < 0 ? (int)-r.ret : 0;
	return r;
}

static const char *wait_check(struct op_result r, bool injected)
{
	static char why[128];

	(void)injected;
	if (r.ret >= 0)
		return "the wait succeeded, nothing could satisfy it";
	if (r.err != ENOMEM && r.err != ETIMEDOUT) {
		snprintf(why, sizeof(why),
			 "wait failed with %s, not ENOMEM/ETIMEDOUT",
			 strerror(r.err));
		return why;
	}
	for (int i = 0; i < NWAIT - 1; i++)
		if (wsa_read(ev_sig[i]) != WSAEVENT_EVENT_SIGNALED)
			return "a failed wait consumed a signaled event";
	if (wsa_read(ev_a) != 0 || wsa_read(ev_alert) != 0)
		return "a failed wait changed an unsignaled event";
	return NULL;
}

static void wait_teardown(void)
{
	for (int i = 1; i < NWAIT - 1; i++)
		close(ev_sig[i]);
	close(ev_s);
	close(ev_a);
	close(ev_alert);
}

/*
 * A blocking WAIT_ANY that another thread satisfies: on success the
 * event is consumed and reported; on failure it stays signaled.
 */
static pthread_t helper;

static void *helper_main(void *p)
{
	(void)p;
	sleep_ms(100);
	wsa_set(ev_a);
	return NULL;
}

static void woken_setup(void)
{
	ev_a = wsa_create(ctx, 0);
	pthread_create(&helper, NULL, helper_main, NULL);
}

static struct op_result woken_run(void)
{
	__u32 objs[1] = { (__u32)ev_a };
	struct op_result r;

	r.ret = wsa_wait(ctx, false, objs, 1, now_ns() + 10 * NSEC_PER_SEC, -1);
	r.err = r.ret < 0 ? (int)-r.ret : 0;
	return r;
}

static const char *woken_check(struct op_result r, bool injected)
{
	static char why[128];
	int state;

	(void)injected;
	pthread_join(helper, NULL);
	state = wsa_read(ev_a);
	if (r.ret == 0) {
		if (state != 0)
			return "the wait reported the event but did not consume it";
	} else if (r.err == ENOMEM) {
		if (state != WSAEVENT_EVENT_SIGNALED)
			return "a failed wait consumed the event";
	} else {
		snprintf(why, sizeof(why), "wait returned %ld (%s)", r.ret,
			 strerror(r.err));
		return why;
	}
	/* Ready for the next run. */
	wsa_reset(ev_a);
	pthread_create(&helper, NULL, helper_main, NULL);
	return NULL;
}

static void woken_teardown(void)
{
	pthread_join(helper, NULL);
	close(ev_a);
}

/* ---- sockets ---------------------------------------------------------------- */

static int sp[2] = { -1, -1 }; /* a fresh AF_UNIX stream pair per run */
static int ev_sock = -1;

static void fresh_pair(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) {
		perror("socketpair");
		exit(1);
	}
}

static void close_pair(void)
{
	close(sp[0]);
	close(sp[1]);
	sp[0] = sp[1] = -1;
}

/* SELECT on a socket without an association creates one. */
static void select_setup(void)
{
	ev_sock = wsa_create(ctx, 0);
}

static void select_prep(void)
{
	fresh_pair();
	wsa_reset(ev_sock);
}

static struct op_result select_run(void)
{
	struct wsaevent_select_args a = {
		.sock = (__u32)sp[0],
		.event = (__u32)ev_sock,
		.mask = WSAEVENT_FD_READ | WSAEVENT_FD_CLOSE,
	};
	struct op_result r;

	r.ret = ioctl(ctx, WSAEVENT_IOC_SELECT, &a);
	r.err = r.ret < 0 ? errno : 0;
	return r;
}

static const char *select_check(struct op_result r, bool injected)
{
	static char why[128];
	int nonblock = fcntl(sp[0], F_GETFL) & O_NONBLOCK;

	(void)injected;
	/* Data arriving is recorded (FD_READ) only with an association. */
	if (write(sp[1], "x", 1) != 1)
		return "write to the peer failed";
	if (r.ret == 0) {
		if (!nonblock)
			return "SELECT did not make the socket non-blocking";
		if (wsa_read(ev_sock) != WSAEVENT_EVENT_SIGNALED)
			return "the association made under fault injection records nothing";
		return NULL;
	}
	if (r.err != ENOMEM) {
		snprintf(why, sizeof(why), "SELECT failed with %s, not ENOMEM",
			 strerror(r.err));
		return why;
	}
	if (nonblock)
		return "a failed SELECT made the socket non-blocking";
	if (wsa_read(ev_sock) != 0)
		return "a failed SELECT left an association that signals";
	return NULL;
}

static void select_cleanup(void)
{
	ioctl(ctx, WSAEVENT_IOC_RELEASE, (unsigned long)sp[0]);
	close_pair();
}

static void select_teardown(void)
{
	close(ev_sock);
}

/*
 * SUBMIT of an overlapped receive that has to wait for data, on a socket
 * without an association, with 9 buffers (more than UIO_FASTIOV) on two
 * pages: the iovec copy, the operation, the pinned-page arrays and the
 * association are all allocated.
 */
#define NIOV 9
#define STATUS_PENDING 0x103

static unsigned char *io_area; /* 3 pages: buffers, overlapped */
static volatile uint64_t *overlapped; /* Internal, InternalHigh, Offset */
static struct iovec io_iov[NIOV];

static void submit_setup(void)
{
	io_area = mmap(NULL, 3 * PAGE_SIZE_, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < NIOV; i++) {
		/* Straddling the first page boundary. */
		io_iov[i].iov_base = io_area + PAGE_SIZE_ - 4 * 16 + i * 16;
		io_iov[i].iov_len = 16;
	}
	overlapped = (volatile uint64_t *)(io_area + 2 * PAGE_SIZE_);
	ev_sock = wsa_create(ctx, 0);
}

static void submit_prep(void)
{
	fresh_pair();
	overlapped[0] = STATUS_PENDING;
	overlapped[1] = overlapped[2] = 0;
	wsa_set(ev_sock); /* RESET_EVENT must reset it, on success only */
}

static struct op_result submit_run(void)
{
	struct wsaevent_io_args a = {
		.sock = (__u32)sp[0],
		.op = WSAEVENT_OP_RECV,
		.event = (__u32)ev_sock,
		.iov = (uintptr_t)io_iov,
		.iovcnt = NIOV,
		.io_flags = WSAEVENT_IO_EVENT | WSAEVENT_IO_RESET_EVENT,
		.overlapped = (uintptr_t)overlapped,
	};
	struct op_result r;

	r.ret = ioctl(ctx, WSAEVENT_IOC_SUBMIT, &a);
	r.err = r.ret < 0 ? errno : 0;
	return r;
}

static const char *submit_check(struct op_result r, bool injected)
{
	static char why[160];
	struct wsaevent_cancel_args c = { .sock = (__u32)sp[0],
					  .flags = WSAEVENT_CANCEL_SOCKET };
	int n;

	(void)injected;
	if (r.ret < 0 && r.err == EINPROGRESS) {
		/* Queued: pending, event reset; cancelling completes it. */
		if (overlapped[0] != STATUS_PENDING)
			return "a queued receive already wrote its result";
		if (wsa_read(ev_sock) != 0)
			return "RESET_EVENT did not reset the event";
		n = ioctl(ctx, WSAEVENT_IOC_CANCEL, &c);
		for (int i = 0; i < 1000 && overlapped[0] == STATUS_PENDING;
		     i++)
			sleep_ms(1);
		if (n != 1 || (int64_t)overlapped[0] != -ECANCELED ||
		    wsa_read(ev_sock) != WSAEVENT_EVENT_SIGNALED) {
			snprintf(
				why, sizeof(why),
				"cancel: %d cancelled, Internal %lld, event %d",
				n, (long long)overlapped[0], wsa_read(ev_sock));
			return why;
		}
		return NULL;
	}
	if (r.ret >= 0) {
		snprintf(why, sizeof(why),
			 "SUBMIT returned %ld with no data to receive", r.ret);
		return why;
	}
	if (r.err != ENOMEM) {
		snprintf(why, sizeof(why), "SUBMIT failed with %s, not ENOMEM",
			 strerror(r.err));
		return why;
	}
	/* Not started: nothing written, nothing signaled or reset, nothing queued. */
	if (overlapped[0] != STATUS_PENDING)
		return "a failed SUBMIT wrote a result";
	if (wsa_read(ev_sock) != WSAEVENT_EVENT_SIGNALED)
		return "a failed SUBMIT reset the event";
	n = ioctl(ctx, WSAEVENT_IOC_CANCEL, &c);
	if (n != 0) {
		snprintf(why, sizeof(why),
			 "a failed SUBMIT left %d operations queued", n);
		return why;
	}
	return NULL;
}

static void submit_teardown(void)
{
	close(ev_sock);
	munmap(io_area, 3 * PAGE_SIZE_);
}

/*
 * ACCEPT on a listener selected for FD_ACCEPT: the new socket, its file
 * and its inherited association are allocated.
 */
static int listener = -1, client = -1;
static struct sockaddr_un listen_addr;
static socklen_t listen_len;
static unsigned int accept_kept, accept_dropped;

static void accept_setup(void)
{
	struct wsaevent_select_args a = { .mask = WSAEVENT_FD_ACCEPT |
						  WSAEVENT_FD_READ };

	ev_sock = wsa_create(ctx, WSAEVENT_EVENT_MANUAL);
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&listen_addr, 0, sizeof(listen_addr));
	listen_addr.sun_family = AF_UNIX;
	/* Abstract address. */
	listen_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				 snprintf(listen_addr.sun_path + 1,
					  sizeof(listen_addr.sun_path) - 1,
					  "wsaevent-fault-%d", getpid()));
	if (bind(listener, (struct sockaddr *)&listen_addr, listen_len) ||
	    listen(listener, 16)) {
		perror("listener");
		exit(1);
	}
	a.sock = (__u32)listener;
	a.event = (__u32)ev_sock;
	if (ioctl(ctx, WSAEVENT_IOC_SELECT, &a))
		perror("SELECT listener");
	accept_kept = accept_dropped = 0;
}

static void accept_prep(void)
{
	client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(client, (struct sockaddr *)&listen_addr, listen_len))
		perror("connect");
	fds_before = count_fds();
}

static struct op_result accept_run(void)
{
	struct wsaevent_accept_args a = { .sock = (__u32)listener,
					  .flags = SOCK_CLOEXEC };
	struct op_result r;

	r.ret = ioctl(ctx, WSAEVENT_IOC_ACCEPT, &a);
	r.err = r.ret < 0 ? errno : 0;
	return r;
}

static const char *accept_check(struct op_result r, bool injected)
{
	static char why[128];
	char c = 0;

	(void)injected;
	if (r.ret >= 0) {
		bool ok = write(client, "y", 1) == 1 &&
			  read((int)r.ret, &c, 1) == 1 && c == 'y';

		close((int)r.ret);
		return ok ? NULL :
			    "the accepted socket is not connected to the client";
	}
	if (r.err != ENOMEM && r.err != ENFILE) {
		snprintf(why, sizeof(why),
			 "ACCEPT failed with %s, not ENOMEM/ENFILE",
			 strerror(r.err));
		return why;
	}
	if (count_fds() != fds_before)
		return "a failed ACCEPT left an fd behind";
	/* Was the connection kept for the next accept?  (Reported only.) */
	r = accept_run();
	if (r.ret >= 0) {
		accept_kept++;
		close((int)r.ret);
	} else {
		accept_dropped++;
	}
	return NULL;
}

static void accept_cleanup(void)
{
	close(client);
	client = -1;
}

static void accept_teardown(void)
{
	diag("  failed ACCEPTs: connection kept for the next accept %u times, dropped %u times",
	     accept_kept, accept_dropped);
	close(listener);
	close(ev_sock);
}

static const struct op ops[] = {
	{ .name = "open(/dev/wsaevent)",
	  .setup = open_setup,
	  .run = open_run,
	  .check = open_check,
	  .want_site = SITE_CTX },
	{ .name = "CREATE_EVENT",
	  .setup = create_setup,
	  .run = create_run,
	  .check = create_check,
	  .want_site = SITE_EVENT },
	{ .name = "CREATE_EVENT growing the fd table",
	  .setup = grow_setup,
	  .run = create_run,
	  .check = grow_check,
	  .want_site = SITE_FD,
	  .in_child = true },
	{ .name = "WAIT_ALL blocking until the timeout",
	  .setup = wait_setup,
	  .run = wait_all_run,
	  .check = wait_check,
	  .teardown = wait_teardown,
	  .want_site = SITE_WAIT },
	{ .name = "WAIT_ANY with alert blocking until the timeout",
	  .setup = wait_setup,
	  .run = wait_any_alert_run,
	  .check = wait_check,
	  .teardown = wait_teardown,
	  .want_site = SITE_WAIT },
	/*
	 * One object: queued from the stack, nothing to fail; and the helper
	 * may win the race.  No site required.
	 */
	{ .name = "WAIT_ANY woken by another thread",
	  .setup = woken_setup,
	  .run = woken_run,
	  .check = woken_check,
	  .teardown = woken_teardown,
	  .want_site = -1 },
	{ .name = "SELECT creating an association",
	  .setup = select_setup,
	  .prep = select_prep,
	  .run = select_run,
	  .check = select_check,
	  .cleanup = select_cleanup,
	  .teardown = select_teardown,
	  .want_site = SITE_SOCK },
	{ .name = "SUBMIT queueing an overlapped receive",
	  .setup = submit_setup,
	  .prep = submit_prep,
	  .run = submit_run,
	  .check = submit_check,
	  .cleanup = close_pair,
	  .teardown = submit_teardown,
	  .want_site = SITE_OP },
	{ .name = "ACCEPT on a selected listener",
	  .setup = accept_setup,
	  .prep = accept_prep,
	  .run = accept_run,
	  .check = accept_check,
	  .cleanup = accept_cleanup,
	  .teardown = accept_teardown,
	  .want_site = SITE_ACCEPT },
};

struct child_report {
	struct op_result r;
	bool injected;
	char why[128];
};

/* One run of @op with the @n-th allocation failing, in a child process. */
static struct child_report run_in_child(const struct op *op, unsigned int n)
{
	struct child_report rep = { .r = { -1, 0 }, .injected = false };
	int p[2], status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) || (pid = fork()) < 0) {
		perror("pipe/fork");
		exit(1);
	}
	if (pid == 0) {
		char path[128];
		const char *why;

		close(p[0]);
		snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth",
			 gettid_());
		nth_fd = open(path, O_RDWR | O_CLOEXEC);
		if (nth_fd < 0)
			_exit(2);
		op->setup();
		arm(n);
		rep.r = op->run();
		rep.injected = disarm();
		why = op->check(rep.r, rep.injected);
		if (why)
			snprintf(rep.why, sizeof(rep.why), "%s", why);
		_exit(write(p[1], &rep, sizeof(rep)) == sizeof(rep) ? 0 : 3);
	}
	close(p[1]);
	if (read(p[0], &rep, sizeof(rep)) != sizeof(rep)) {
		rep.injected = false;
		snprintf(rep.why, sizeof(rep.why),
			 "the child died without a report");
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		snprintf(rep.why, sizeof(rep.why),
			 "the child failed (status %#x)", status);
	return rep;
}

/* Runs @op for N = 1, 2, ... until a run has no fault injected. */
static void run_op(const struct op *op)
{
	unsigned int n, faults = 0, enomem = 0, tolerated = 0;
	const char *bad = NULL;
	static char badbuf[128];
	bool clean_run = false;
	struct trace t;

	diag("%s:", op->name);
	if (op->setup && !op->in_child)
		op->setup();
	read_traces(&t); /* skip what is already in the log */

	for (n = 1; n <= MAX_N; n++) {
		struct op_result r;
		bool injected;
		const char *why;
		int traces, site;
		char where[256] = "no trace (a __GFP_NOWARN allocation)";

		if (op->in_child) {
			struct child_report rep = run_in_child(op, n);

			r = rep.r;
			injected = rep.injected;
			why = NULL;
			if (rep.why[0]) {
				snprintf(badbuf, sizeof(badbuf), "%s", rep.why);
				why = badbuf;
			}
		} else {
			if (op->prep)
				op->prep();
			arm(n);
			r = op->run();
			injected = disarm();
			why = op->check(r, injected);
			if (op->cleanup)
				op->cleanup();
		}
		traces = read_traces(&t);

		if (traces > 0) {
			const char *mod = module_frame(&t);

			site = classify(&t);
			if (site >= 0) {
				site_hits[site]++;
				snprintf(where, sizeof(where),
					 "SITE %s (%s <- %s)", site_names[site],
					 alloc_caller(&t), mod ? mod : "?");
			} else {
				snprintf(where, sizeof(where), "%s%s%s",
					 alloc_caller(&t), mod ? " <- " : "",
					 mod ? mod : "");
			}
		}

		if (!injected) {
			diag("  N=%u: no fault injected: %s", n,
			     r.ret >= 0 ? "success" : strerror(r.err));
			clean_run = true;
			if (why)
				bad = why;
			break;
		}
		faults++;
		/* ENFILE: sock_alloc() failing, as in accept4(). */
		if (r.ret < 0 && (r.err == ENOMEM || r.err == ENFILE))
			enomem++;
		else
			tolerated++;
		diag("  N=%u: %s -> %s", n, where,
		     r.ret >= 0 ? "succeeded anyway (tolerated)" :
				  strerror(r.err));
		if (why && !bad) {
			bad = why;
			diag("  N=%u: %s", n, why);
		}
	}
	if (op->teardown)
		op->teardown();

	tap_result(
		!bad && clean_run && (enomem > 0 || op->want_site < 0),
		"%s: %u injected faults (%u ENOMEM/ENFILE, %u tolerated), each failed cleanly%s%s",
		op->name, faults, enomem, tolerated, bad ? ": " : "",
		bad ? bad : "");
}

/* CREATE_EVENT at RLIMIT_NOFILE: EMFILE, no fd, no event. */
static void emfile_test(void)
{
	struct rlimit old, rl;
	int before, fd, probe;

	getrlimit(RLIMIT_NOFILE, &old);
	probe = dup(0); /* the lowest free fd */
	close(probe);
	rl = old;
	rl.rlim_cur = (rlim_t)probe;
	before = count_fds();
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		tap_result(false,
			   "CREATE_EVENT at RLIMIT_NOFILE: setrlimit: %s",
			   strerror(errno));
		return;
	}
	fd = wsa_create(ctx, WSAEVENT_EVENT_SIGNALED);
	setrlimit(RLIMIT_NOFILE, &old);
	if (fd >= 0)
		close(fd);
	tap_result(
		fd == -EMFILE && count_fds() == before,
		"CREATE_EVENT at RLIMIT_NOFILE (%d) fails with EMFILE and leaves no fd (%s)",
		probe, fd >= 0 ? "succeeded" : strerror(-fd));
}

int main(int argc, char **argv)
{
	char path[128];
	int refs_before, refs_after;
	bool restored;

	params_init(argc, argv);

	if (geteuid() != 0)
		tap_skip_all("needs root");
	if (access(WSAEVENT_DEVICE, R_OK | W_OK))
		tap_skip_all(WSAEVENT_DEVICE " not available");
	if (access(FAILSLAB, F_OK))
		tap_skip_all(
			"no " FAILSLAB
			" (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS, debugfs)");
	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid_());
	nth_fd = open(path, O_RDWR | O_CLOEXEC);
	if (nth_fd < 0)
		tap_skip_all("no /proc/<pid>/task/<tid>/fail-nth");

	tap_plan((int)ARRAY_SIZE(ops) + 1 + NR_SITES + 2);

	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd < 0)
		diag("cannot read /dev/kmsg (%s): sites cannot be named",
		     strerror(errno));
	else
		lseek(kmsg_fd, 0, SEEK_END);

	refs_before = module_refcount();
	if (!knobs_set())
		diag("some failslab settings could not be changed");
	snprintf(path, sizeof(path), "/proc/self/task/%d/make-it-fail",
		 gettid_());
	write_file(path, "1");

	ctx = wsa_open();
	if (ctx < 0) {
		diag("cannot open " WSAEVENT_DEVICE ": %s", strerror(-ctx));
		return 1;
	}

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		run_op(&ops[i]);
	emfile_test();

	close(ctx);
	write_file(path, "0");
	restored = knobs_restore();

	for (int s = 0; s < NR_SITES; s++)
		tap_result(
			site_hits[s] > 0,
			"allocation site failed at least once: %s (%u times)",
			site_names[s], site_hits[s]);

	refs_after = module_refcount();
	tap_result(
		refs_after == refs_before,
		"module reference count back to %d after closing everything (now %d)",
		refs_before, refs_after);
	tap_result(restored, "failslab settings restored");
	return tap_exit();
}
