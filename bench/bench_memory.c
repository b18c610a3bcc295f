// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-memory: kernel memory per event object, per selected socket and
 * per pending overlapped operation.
 *
 * Reads /proc/slabinfo before and after creating N of each (10,000; 1,000
 * in quick mode) and divides the growth of every cache by N.  What is
 * counted: slab objects (active objects x object size), so a kmalloc-128
 * object counts 128 bytes whatever the struct's exact size.  The guest is
 * booted with slab_nomerge by make bench, so every cache keeps its name.
 * Not counted: the pages that overlapped operations pin (user memory) and
 * the fd table, which is grown before the first reading.
 *
 * For events the table reports our own allocations (kmalloc caches)
 * against the 512-byte target, and separately the anonymous-inode file
 * (filp) and its dentry, which every fd-backed object pays.
 *
 * Uses the raw ABI (the same kernel objects the library creates).  Needs
 * root (slabinfo, the module parameters): it runs in the VM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/wsaevent.h>

#include "bench.h"

#define MAX_CACHES	512
#define STATUS_PENDING	0x103

struct cache {
	char name[64];
	long active, objsize;
};

struct snapshot {
	int n;
	struct cache c[MAX_CACHES];
};

static void snap(struct snapshot *s)
{
	char line[512];
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		bench_die("/proc/slabinfo: %s (not root?)", strerror(errno));
	s->n = 0;
	while (fgets(line, sizeof(line), f) && s->n < MAX_CACHES) {
		struct cache *c = &s->c[s->n];
		long num;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %ld %ld %ld", c->name, &c->active, &num,
			   &c->objsize) == 4)
			s->n++;
	}
	fclose(f);
}

static const struct cache *find(const struct snapshot *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			return &s->c[i];
	return NULL;
}

enum kind { OURS, FILE_PART, OTHER };

static enum kind kind_of(const char *name)
{
	if (!strncmp(name, "kmalloc", 7))
		return OURS;
	/* The file, its dentry and its LSM blob: what any fd costs. */
	if (!strcmp(name, "filp") || !strcmp(name, "dentry") ||
	    !strcmp(name, "lsm_file_cache"))
		return FILE_PART;
	return OTHER;
}

/*
 * Print the caches that grew by at least a tenth of an object per object;
 * returns bytes per object in @per[kind].
 */
static void report(const char *object, const struct snapshot *a,
		   const struct snapshot *b, int count, double per[3])
{
	int i;

	per[OURS] = per[FILE_PART] = per[OTHER] = 0;
	for (i = 0; i < b->n; i++) {
		const struct cache *cb = &b->c[i], *ca = find(a, cb->name);
		long d = cb->active - (ca ? ca->active : 0);
		double bytes = (double)d * cb->objsize / count;

		if (d * 10 < count)
			continue;
		printf("@@BENCH@@ MEM|%s|%s|%ld|%ld|%.1f\n", object, cb->name,
		       cb->objsize, d, bytes);
		per[kind_of(cb->name)] += bytes;
	}
}

static int ctx_open(void)
{
	int ctx = open("/dev/wsaevent", O_RDWR | O_CLOEXEC);

	if (ctx < 0)
		bench_die("/dev/wsaevent: %s", strerror(errno));
	return ctx;
}

static int event_create(int ctx)
{
	struct wsaevent_event_args a = { .flags = WSAEVENT_EVENT_MANUAL };
	int ev = ioctl(ctx, WSAEVENT_IOC_CREATE_EVENT, &a);

	if (ev < 0)
		bench_die("create event: %s", strerror(errno));
	return ev;
}

static void events(int count)
{
	struct snapshot *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	int *fds = calloc(count, sizeof(int)), ctx = ctx_open(), i;
	double per[3];
	char note[160];

	snap(a);
	for (i = 0; i < count; i++)
		fds[i] = event_create(ctx);
	snap(b);
	report("event", a, b, count, per);
	for (i = 0; i < count; i++)
		close(fds[i]);
	close(ctx);
	snprintf(note, sizeof(note),
		 "kmalloc caches; the anon-inode file, dentry and LSM blob add %.0f",
		 per[FILE_PART]);
	bench_row_abs("bytes/event vs 512",
		      "Kernel memory per event object (excl. struct file)",
		      "event", per[OURS] + per[OTHER], "bytes", 512, note);
	free(a);
	free(b);
	free(fds);
}

static void selected_sockets(int count)
{
	struct snapshot *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	int *fds = calloc(count, sizeof(int)), ctx = ctx_open(), ev, i;
	struct wsaevent_select_args sel = { .mask = WSAEVENT_FD_READ };
	double per[3];

	ev = event_create(ctx);
	for (i = 0; i < count; i++) {
		fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0)
			bench_die("socket: %s", strerror(errno));
	}
	sel.event = ev;
	snap(a);
	for (i = 0; i < count; i++) {
		sel.sock = fds[i];
		if (ioctl(ctx, WSAEVENT_IOC_SELECT, &sel))
			bench_die("select: %s", strerror(errno));
	}
	snap(b);
	report("selected socket", a, b, count, per);
	for (i = 0; i < count; i++) {
		ioctl(ctx, WSAEVENT_IOC_RELEASE, fds[i]);
		close(fds[i]);
	}
	close(ev);
	close(ctx);
	bench_row_abs("bytes/selected socket",
		      "Kernel memory per selected socket", "association",
		      per[OURS] + per[OTHER], "bytes", 0,
		      "UDP sockets, FD_READ; the socket itself not counted");
	free(a);
	free(b);
	free(fds);
}

struct ovl {
	int64_t internal, internal_high;
	uint32_t offset, offset_high;
	uint64_t hevent;
};

static long param_read(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/wsaevent/parameters/%s",
		 name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void param_write(const char *name, long v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/wsaevent/parameters/%s",
		 name);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%ld\n", v) < 0 || fclose(f))
		bench_die("%s: cannot write", path);
}

static void recv_submit(int ctx, int s, char *buf, struct ovl *o, int ev)
{
	struct iovec iov = { .iov_base = buf, .iov_len = 64 };
	struct wsaevent_io_args a = {
		.sock = s, .op = WSAEVENT_OP_RECV, .iov = (uintptr_t)&iov,
		.iovcnt = 1, .overlapped = (uintptr_t)o, .event = ev,
		.io_flags = WSAEVENT_IO_EVENT | WSAEVENT_IO_RESET_EVENT,
	};

	o->internal = STATUS_PENDING;
	if (!ioctl(ctx, WSAEVENT_IOC_SUBMIT, &a) || errno != EINPROGRESS)
		bench_die("overlapped recv did not stay pending: %s",
			  strerror(errno));
}

static void pending_ops(int count)
{
	struct snapshot *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct wsaevent_cancel_args cancel = { .flags = WSAEVENT_CANCEL_SOCKET };
	long max_ops = param_read("max_ops");
	long max_kb = param_read("max_pinned_kb");
	/* Page-aligned, so that no buffer or WSAOVERLAPPED straddles pages. */
	struct ovl *ovl = aligned_alloc(4096, (count + 64) * sizeof(*ovl));
	char *bufs = aligned_alloc(4096, (count + 64) * 64);
	int ctx = ctx_open(), ev = event_create(ctx), s, i;
	double per[3];

	/* Two pages per operation (buffer, WSAOVERLAPPED), with room. */
	if (!ovl || !bufs)
		bench_die("out of memory");
	param_write("max_ops", count + 16);
	param_write("max_pinned_kb", (long)(count + 16) * 4 * 4);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (void *)&sa, sizeof(sa)))
		bench_die("udp socket: %s", strerror(errno));
	/* The first one creates the socket's association: not counted. */
	recv_submit(ctx, s, bufs, &ovl[0], ev);
	snap(a);
	for (i = 1; i <= count; i++)
		recv_submit(ctx, s, bufs + 64 * i, &ovl[i], ev);
	snap(b);
	report("pending overlapped op", a, b, count, per);
	cancel.sock = s;
	if (ioctl(ctx, WSAEVENT_IOC_CANCEL, &cancel) != count + 1)
		bench_die("cancel: %s", strerror(errno));
	ioctl(ctx, WSAEVENT_IOC_RELEASE, s);
	close(s);
	close(ev);
	close(ctx);
	if (max_ops > 0)
		param_write("max_ops", max_ops);
	if (max_kb > 0)
		param_write("max_pinned_kb", max_kb);
	bench_row_abs("bytes/pending op",
		      "Kernel memory per pending overlapped op", "operation",
		      per[OURS] + per[OTHER], "bytes", 0,
		      "64-byte WSARecv with an event; pinned user pages not counted");
	free(a);
	free(b);
	free(ovl);
	free(bufs);
}

int main(void)
{
	struct rlimit rl;
	int count, fd;

	bench_init("bench-memory");
	count = bench_cfg.mem_count;
	rl.rlim_cur = rl.rlim_max = count + 1024;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		bench_die("RLIMIT_NOFILE %d: %s", count + 1024, strerror(errno));
	/* Grow the fd table now, so that it is not counted. */
	fd = dup2(0, count + 512);
	if (fd < 0)
		bench_die("dup2: %s", strerror(errno));
	close(fd);

	bench_info("bench-memory: %d objects of each kind", count);
	events(count);
	selected_sockets(count);
	pending_ops(count);
	return 0;
}
