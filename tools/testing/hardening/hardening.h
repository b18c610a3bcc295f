/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the wsaevent hardening programs (fuzzer, fault
 * injection, stress, module lifecycle).  They talk to /dev/wsaevent with
 * raw ioctl()s, print TAP, and are linked statically so that the test VM
 * needs nothing but the binary.
 *
 * Parameters come, in increasing priority, from built-in defaults for the
 * tier, the kernel command line (wsaevent_test.KEY=VALUE, so that the VM
 * harness can set them with VM_APPEND), the environment
 * (WSAEVENT_TEST_KEY=VALUE) and the command line (KEY=VALUE arguments).
 * wsaevent_test.tier=debug (or WSAEVENT_TEST_TIER=debug) selects the
 * longer debug-tier defaults.
 */
#ifndef WSAEVENT_HARDENING_H
#define WSAEVENT_HARDENING_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/wsaevent.h>

#define WSAEVENT_DEVICE "/dev/wsaevent"
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static inline void sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* xorshift64*: small, fast, good enough, reproducible from the seed. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)((rng_next(s) >> 32) % n) : 0;
}

static inline bool rng_chance(uint64_t *s, unsigned int percent)
{
	return rng_below(s, 100) < percent;
}

static inline uint64_t rng_seed_mix(uint64_t seed, uint64_t salt)
{
	uint64_t s = seed ^ (salt * 0x9E3779B97F4A7C15ULL) ^
		     0xD1B54A32D192ED03ULL;

	if (!s)
		s = 1;
	for (int i = 0; i < 4; i++)
		rng_next(&s);
	return s;
}

/* ---- parameters --------------------------------------------------------- */

static int param_argc;
static char **param_argv;

static inline void params_init(int argc, char **argv)
{
	param_argc = argc;
	param_argv = argv;
}

/* Look @key up in argv, the environment and /proc/cmdline; NULL if unset. */
static inline const char *param_lookup(const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	char env[128], *p;
	const char *v;
	FILE *f;
	int i;

	for (i = param_argc - 1; i >= 1; i--) {
		if (!strncmp(param_argv[i], key, klen) &&
		    param_argv[i][klen] == '=')
			return param_argv[i] + klen + 1;
	}

	snprintf(env, sizeof(env), "WSAEVENT_TEST_%s", key);
	for (p = env; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	v = getenv(env);
	if (v && *v)
		return v;

	f = fopen("/proc/cmdline", "re");
	if (f) {
		char line[4096], *tok, *save = NULL;
		char want[128];

		snprintf(want, sizeof(want), "wsaevent_test.%s=", key);
		if (fgets(line, sizeof(line), f)) {
			for (tok = strtok_r(line, " \n", &save); tok;
			     tok = strtok_r(NULL, " \n", &save)) {
				if (!strncmp(tok, want, strlen(want))) {
					snprintf(buf, len, "%s",
						 tok + strlen(want));
					fclose(f);
					return buf;
				}
			}
		}
		fclose(f);
	}
	return NULL;
}

static inline bool tier_debug(void)
{
	char buf[64];
	const char *v = param_lookup("tier", buf, sizeof(buf));

	return v && !strcmp(v, "debug");
}

/* Unsigned parameter; @normal / @debug are the tier defaults. */
static inline uint64_t param_u64(const char *key, uint64_t normal,
				 uint64_t debug)
{
	char buf[64];
	const char *v = param_lookup(key, buf, sizeof(buf));

	if (v && *v)
		return strtoull(v, NULL, 0);
	return tier_debug() ? debug : normal;
}

/* The seed: given, or from the clock and pid (and printed either way). */
static inline uint64_t param_seed(void)
{
	char buf[64];
	const char *v = param_lookup("seed", buf, sizeof(buf));

	if (v && *v)
		return strtoull(v, NULL, 0);
	return (now_ns() ^ ((uint64_t)getpid() << 32)) | 1;
}

/* ---- TAP ---------------------------------------------------------------- */

static int tap_n;
static int tap_failed;

static inline void tap_plan(int n)
{
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

static inline void tap_skip_all(const char *why)
{
	printf("TAP version 13\n1..0 # SKIP %s\n", why);
	fflush(stdout);
	exit(4); /* KSFT_SKIP */
}

static inline void __attribute__((format(printf, 2, 3)))
tap_result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

static inline void __attribute__((format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int tap_exit(void)
{
	return tap_failed ? 1 : 0;
}

/* ---- wsaevent wrappers (return -errno on failure) ------------------------ */

static inline int wsa_open(void)
{
	int fd = open(WSAEVENT_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static inline int wsa_create(int ctx, uint32_t flags)
{
	struct wsaevent_event_args a = { .flags = flags };
	int fd = ioctl(ctx, WSAEVENT_IOC_CREATE_EVENT, &a);

	return fd < 0 ? -errno : fd;
}

/* SET/RESET/PULSE: returns the previous state (0/1) or -errno. */
static inline int wsa_change(int ev, unsigned long cmd)
{
	__u32 prev = 0xdead;

	if (ioctl(ev, cmd, &prev) < 0)
		return -errno;
	return (int)prev;
}

static inline int wsa_set(int ev)
{
	return wsa_change(ev, WSAEVENT_IOC_EVENT_SET);
}
static inline int wsa_reset(int ev)
{
	return wsa_change(ev, WSAEVENT_IOC_EVENT_RESET);
}
static inline int wsa_pulse(int ev)
{
	return wsa_change(ev, WSAEVENT_IOC_EVENT_PULSE);
}

/* READ: returns the flags (MANUAL|SIGNALED) or -errno. */
static inline int wsa_read(int ev)
{
	struct wsaevent_event_args a = { .flags = ~0u, .pad = ~0u };

	if (ioctl(ev, WSAEVENT_IOC_EVENT_READ, &a) < 0)
		return -errno;
	if (a.pad != 0)
		return -EPROTO;
	return (int)a.flags;
}

/* WAIT_ANY/ALL: returns the index, or -errno. */
static inline int wsa_wait(int ctx, bool all, const __u32 *fds, uint32_t count,
			   uint64_t timeout, int alert)
{
	struct wsaevent_wait_args w = {
		.timeout = timeout,
		.objs = (uintptr_t)fds,
		.count = count,
		.index = 0xdeadbeef,
		.flags = alert >= 0 ? WSAEVENT_WAIT_ALERT : 0,
		.alert = alert >= 0 ? (__u32)alert : 0,
	};

	if (ioctl(ctx, all ? WSAEVENT_IOC_WAIT_ALL : WSAEVENT_IOC_WAIT_ANY,
		  &w) < 0)
		return -errno;
	return (int)w.index;
}

/* Writes the string @v to the file @path; 0 or -errno. */
static inline int write_file_str(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, v, strlen(v));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* ---- process state ------------------------------------------------------ */

/* The wsaevent module's reference count from /proc/modules, or -1. */
static inline int module_refcount(void)
{
	char line[512], name[64];
	int refs = -1, r;
	FILE *f = fopen("/proc/modules", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %*u %d", name, &r) == 2 &&
		    !strcmp(name, "wsaevent")) {
			refs = r;
			break;
		}
	}
	fclose(f);
	return refs;
}

/* Number of open fds of this process (not counting the one used to count). */
static inline int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

#endif /* WSAEVENT_HARDENING_H */
