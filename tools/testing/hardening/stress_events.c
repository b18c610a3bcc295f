// SPDX-License-Identifier: GPL-2.0-only
/*
 * stress_events: many threads hammer shared events for a fixed time, then
 * invariants that only hold if every operation was atomic are checked.
 *
 * Group A, "an auto-reset signal is consumed by exactly one waiter":
 *   auto-reset events that are only ever SET (never reset or pulsed).
 *   Setters count the SETs that found the event reset (previous state 0);
 *   consumers count what their WAIT_ANY (index, or the alert) and WAIT_ALL
 *   (every object) successes consumed.  Consumers use the events' own
 *   fds or private dups that a closer thread closes under them, and a
 *   signal thread interrupts them (EINTR, and SA_RESTART restarts).
 *   Since the state only goes 0->1 by a counted SET and 1->0 by a
 *   reported consumption, at the end, for every event:
 *       SETs that found it reset == consumptions + final state.
 *
 * Group G, "WAIT_ALL is atomic; nobody ever sees a partial set":
 *   auto-reset events set only all together, by one setter holding a
 *   mutex and only when it saw them all reset; consumed only by WAIT_ALL
 *   on all of them.  So outside the mutex they are all signaled or all
 *   reset.  An observer holding the mutex (no setter can run) polls a
 *   WAIT_ALL and reads them in order: a reading like "reset, signaled"
 *   (a later one still signaled when an earlier one was consumed) or
 *   anything signaled after a failed poll is a partial set.  Counts
 *   balance as in group A.
 *
 * Group P, pulses: an auto-reset and a manual-reset event that are only
 *   ever PULSEd: nobody may ever read them signaled, every PULSE finds
 *   them reset, and the auto-reset one wakes at most one waiter per
 *   PULSE.  A manual event set once and never reset satisfies every wait
 *   that names it.
 *
 * Group C, churn: threads create events, set, reset, pulse, read and wait
 *   on each other's events and close them, with only the errors a closed
 *   fd explains.
 *
 * At the end every fd is closed and the module's reference count must be
 * back where it started.
 *
 * Parameters (see hardening.h): secs (normal 2, debug 10), seed.
 */
#include "hardening.h"

#include <pthread.h>
#include <sys/resource.h>

#define NA 4
#define NG 3
#define NA_CONSUMERS 3
#define NSLOTS 16
#define RESERVED_FD 900 /* private dups of group A consumers */

static uint64_t seed;
static atomic_bool stop;
static atomic_ullong violations;
static char violation_what[8][200];

static void violation(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void violation(const char *fmt, ...)
{
	unsigned long long n = atomic_fetch_add(&violations, 1);
	va_list ap;

	if (n < ARRAY_SIZE(violation_what)) {
		va_start(ap, fmt);
		vsnprintf(violation_what[n], sizeof(violation_what[n]), fmt,
			  ap);
		va_end(ap);
	}
}

static uint64_t deadline_short(uint64_t *rng)
{
	return now_ns() + rng_below(rng, 2 * NSEC_PER_MSEC);
}

/* ---- group A ------------------------------------------------------------------ */

static int ctx_a, ev_a[NA];
static atomic_ullong a_sets_effective[NA], a_sets_redundant[NA];
static atomic_ullong a_consumed[NA];
static atomic_ullong a_waits, a_wait_ok, a_timeouts, a_eintr, a_ebadf;

static void *a_setter(void *p)
{
	uint64_t rng = rng_seed_mix(seed, (uintptr_t)p);

	while (!atomic_load(&stop)) {
		unsigned int i = rng_below(&rng, NA);
		int prev = wsa_set(ev_a[i]);

		if (prev == 0)
			atomic_fetch_add(&a_sets_effective[i], 1);
		else if (prev == 1)
			atomic_fetch_add(&a_sets_redundant[i], 1);
		else
			violation("A: SET failed: %s", strerror(-prev));
		if (rng_chance(&rng, 30))
			usleep(rng_below(&rng, 300));
	}
	return NULL;
}

static void *a_consumer(void *p)
{
	unsigned int id = (unsigned int)(uintptr_t)p;
	uint64_t rng = rng_seed_mix(seed, 100 + id);
	int reserved = RESERVED_FD + (int)id;

	while (!atomic_load(&stop)) {
		unsigned int perm[NA], n, i, which[NA + 1];
		__u32 fds[NA];
		bool all = rng_chance(&rng, 30), dup_used = false;
		int alert = -1, ret;
		int alert_idx = -1;

		for (i = 0; i < NA; i++)
			perm[i] = i;
		for (i = 0; i < NA; i++) {
			unsigned int j = i + rng_below(&rng, NA - i),
				     t = perm[i];

			perm[i] = perm[j];
			perm[j] = t;
		}
		n = rng_below(&rng, NA) + 1;
		if (!all && rng_chance(&rng, 5))
			n = 0; /* only the alert */
		for (i = 0; i < n; i++) {
			which[i] = perm[i];
			fds[i] = (__u32)ev_a[perm[i]];
		}
		/* One object through a private dup the closer may close. */
		if (n && rng_chance(&rng, 30)) {
			i = rng_below(&rng, n);
			if (dup2(ev_a[which[i]], reserved) == reserved) {
				fds[i] = (__u32)reserved;
				dup_used = true;
			}
		}
		if ((n < NA && rng_chance(&rng, 30)) || n == 0) {
			alert_idx = (int)perm[n < NA ? n : 0];
			alert = ev_a[alert_idx];
			if (n == NA)
				alert = -1, alert_idx = -1;
		}

		atomic_fetch_add(&a_waits, 1);
		ret = wsa_wait(ctx_a, all, fds, n, deadline_short(&rng), alert);
		if (ret >= 0) {
			atomic_fetch_add(&a_wait_ok, 1);
			if ((unsigned int)ret == n) {
				if (alert_idx < 0)
					violation(
						"A: index %d == count without an alert",
						ret);
				else
					atomic_fetch_add(&a_consumed[alert_idx],
							 1);
			} else if (all) {
				if (ret != 0)
					violation(
						"A: WAIT_ALL returned index %d",
						ret);
				for (i = 0; i < n; i++)
					atomic_fetch_add(&a_consumed[which[i]],
							 1);
			} else if ((unsigned int)ret < n) {
				atomic_fetch_add(&a_consumed[which[ret]], 1);
			} else {
				violation(
					"A: WAIT_ANY returned index %d for %u objects",
					ret, n);
			}
		} else if (ret == -ETIMEDOUT) {
			atomic_fetch_add(&a_timeouts, 1);
		} else if (ret == -EINTR) {
			atomic_fetch_add(&a_eintr, 1);
		} else if (ret == -EBADF && dup_used) {
			atomic_fetch_add(&a_ebadf,
					 1); /* the closer was first */
		} else {
			violation("A: wait failed: %s", strerror(-ret));
		}
	}
	return NULL;
}

/* Closes the consumers' private dups, with luck while they wait on them. */
static void *a_closer(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 200);
	(void)p;

	while (!atomic_load(&stop)) {
		close(RESERVED_FD + (int)rng_below(&rng, NA_CONSUMERS));
		usleep(rng_below(&rng, 500));
	}
	return NULL;
}

/* ---- group G ------------------------------------------------------------------ */

static int ctx_g, ev_g[NG];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ullong g_sets_effective[NG], g_all_consumed, g_rounds, g_observed;
static atomic_ullong g_partial;

static void *g_setter(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 300);
	(void)p;

	while (!atomic_load(&stop)) {
		bool all_reset = true;
		int i;

		pthread_mutex_lock(&g_lock);
		for (i = 0; i < NG; i++)
			if (wsa_read(ev_g[i]) & WSAEVENT_EVENT_SIGNALED)
				all_reset = false;
		if (all_reset) {
			/* Nobody can consume before the last one is set. */
			for (i = 0; i < NG; i++) {
				int prev = wsa_set(ev_g[i]);

				if (prev == 0)
					atomic_fetch_add(&g_sets_effective[i],
							 1);
				else
					violation(
						"G: SET of event %d found %d after all read reset",
						i, prev);
			}
			atomic_fetch_add(&g_rounds, 1);
		}
		pthread_mutex_unlock(&g_lock);
		usleep(rng_below(&rng, 200));
	}
	return NULL;
}

static void *g_consumer(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 400 + (uintptr_t)p);

	while (!atomic_load(&stop)) {
		__u32 fds[NG];
		unsigned int off = rng_below(&rng, NG);
		int ret;

		for (int i = 0; i < NG; i++) /* some rotation of the set */
			fds[i] = (__u32)ev_g[(i + off) % NG];
		ret = wsa_wait(ctx_g, true, fds, NG, deadline_short(&rng), -1);
		if (ret == 0)
			atomic_fetch_add(&g_all_consumed, 1);
		else if (ret != -ETIMEDOUT && ret != -EINTR)
			violation("G: WAIT_ALL returned %d", ret);
	}
	return NULL;
}

static void *g_observer(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 500);
	(void)p;

	while (!atomic_load(&stop)) {
		__u32 fds[NG];
		int ret, s[NG], i;

		for (i = 0; i < NG; i++)
			fds[i] = (__u32)ev_g[i];
		pthread_mutex_lock(&g_lock);
		/* In order: a consumer may turn all-set into all-reset between
		 * two reads, never the other way round. */
		for (i = 0; i < NG; i++)
			s[i] = wsa_read(ev_g[i]) & WSAEVENT_EVENT_SIGNALED;
		for (i = 1; i < NG; i++)
			if (!s[i - 1] && s[i]) {
				atomic_fetch_add(&g_partial, 1);
				violation(
					"G: partial set: event %d reset, event %d signaled",
					i - 1, i);
			}
		/* A poll consumes all or nothing; then all must read reset. */
		ret = wsa_wait(ctx_g, true, fds, NG, 0, -1);
		if (ret == 0)
			atomic_fetch_add(&g_all_consumed, 1);
		else if (ret != -ETIMEDOUT)
			violation("G: WAIT_ALL poll returned %d", ret);
		for (i = 0; i < NG; i++)
			if (wsa_read(ev_g[i]) & WSAEVENT_EVENT_SIGNALED) {
				atomic_fetch_add(&g_partial, 1);
				violation(
					"G: event %d signaled after a %s WAIT_ALL poll",
					i, ret == 0 ? "successful" : "failed");
			}
		atomic_fetch_add(&g_observed, 1);
		pthread_mutex_unlock(&g_lock);
		usleep(rng_below(&rng, 300));
	}
	return NULL;
}

/* ---- group P ------------------------------------------------------------------ */

static int ctx_p, ev_pa, ev_pm, ev_ms;
static atomic_ullong p_pulses_a, p_pulses_m, p_woken_a, p_woken_m, p_ms_ok,
	p_reads;

static void check_never_signaled(void)
{
	atomic_fetch_add(&p_reads, 1);
	if (wsa_read(ev_pa) & WSAEVENT_EVENT_SIGNALED)
		violation("P: the pulsed auto-reset event reads signaled");
	if (wsa_read(ev_pm) & WSAEVENT_EVENT_SIGNALED)
		violation("P: the pulsed manual-reset event reads signaled");
}

static void *p_pulser(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 600);
	(void)p;

	while (!atomic_load(&stop)) {
		bool a = rng_chance(&rng, 50);
		int prev = wsa_pulse(a ? ev_pa : ev_pm);

		if (prev != 0)
			violation("P: PULSE found %d", prev);
		atomic_fetch_add(a ? &p_pulses_a : &p_pulses_m, 1);
		check_never_signaled();
		usleep(rng_below(&rng, 300));
	}
	return NULL;
}

static void *p_waiter(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 700 + (uintptr_t)p);

	while (!atomic_load(&stop)) {
		__u32 fds[3] = { (__u32)ev_pa, (__u32)ev_pm, (__u32)ev_ms };
		bool with_ms = rng_chance(&rng, 10);
		unsigned int n = with_ms ? 3 : 2;
		int ret;

		if (rng_chance(&rng,
			       30)) { /* WAIT_ALL on the signaled manual one */
			ret = wsa_wait(ctx_p, true, &fds[2], 1, 0, -1);
			if (ret != 0)
				violation(
					"P: WAIT_ALL on a signaled manual event returned %d",
					ret);
			else
				atomic_fetch_add(&p_ms_ok, 1);
			continue;
		}
		ret = wsa_wait(ctx_p, false, fds, n, deadline_short(&rng), -1);
		if (ret == 0)
			atomic_fetch_add(&p_woken_a, 1);
		else if (ret == 1)
			atomic_fetch_add(&p_woken_m, 1);
		else if (ret == 2)
			atomic_fetch_add(&p_ms_ok, 1);
		else if (with_ms)
			violation(
				"P: a wait naming a signaled manual event returned %d",
				ret);
		else if (ret != -ETIMEDOUT && ret != -EINTR)
			violation("P: WAIT_ANY returned %d", ret);
		if (rng_chance(&rng, 10))
			check_never_signaled();
	}
	return NULL;
}

/* ---- group C ------------------------------------------------------------------ */

static int ctx_c;
static atomic_int c_slot[NSLOTS];
static atomic_ullong c_created, c_closed, c_ops, c_stale;

static bool stale_ok(int err)
{
	/* A slot's fd may have been closed, or reused for another object. */
	return err == EBADF || err == EINVAL || err == ENOTTY;
}

static void *c_churner(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 800 + (uintptr_t)p);

	while (!atomic_load(&stop)) {
		unsigned int r = rng_below(&rng, 100),
			     i = rng_below(&rng, NSLOTS);
		int fd = atomic_load(&c_slot[i]), ret = 0;

		atomic_fetch_add(&c_ops, 1);
		if (r < 15) {
			int nfd = wsa_create(ctx_c, rng_below(&rng, 4));

			if (nfd < 0) {
				violation("C: CREATE_EVENT failed: %s",
					  strerror(-nfd));
				continue;
			}
			atomic_fetch_add(&c_created, 1);
			fd = atomic_exchange(&c_slot[i], nfd);
			if (fd >= 0) {
				close(fd);
				atomic_fetch_add(&c_closed, 1);
			}
			continue;
		} else if (r < 30) {
			ret = wsa_set(fd);
		} else if (r < 40) {
			ret = wsa_reset(fd);
		} else if (r < 50) {
			ret = wsa_pulse(fd);
		} else if (r < 60) {
			ret = wsa_read(fd);
		} else {
			__u32 fds[4];
			unsigned int n = rng_below(&rng, 4) + 1;

			for (unsigned int k = 0; k < n; k++)
				fds[k] = (__u32)atomic_load(
					&c_slot[rng_below(&rng, NSLOTS)]);
			ret = wsa_wait(ctx_c, rng_chance(&rng, 30), fds, n,
				       deadline_short(&rng), -1);
			if (ret == -ETIMEDOUT || ret == -EINTR)
				ret = 0;
			/* WAIT_ALL naming one event twice (two slots, same fd). */
			if (ret == -EINVAL)
				ret = 0;
		}
		if (ret < 0) {
			if (stale_ok(-ret))
				atomic_fetch_add(&c_stale, 1);
			else
				violation("C: operation %u failed: %s", r,
					  strerror(-ret));
		}
	}
	return NULL;
}

/* ---- signals ------------------------------------------------------------------ */

static pthread_t sig_targets[16];
static unsigned int nsig_targets;

static void on_signal(int sig)
{
	(void)sig;
}

static void *signaller(void *p)
{
	uint64_t rng = rng_seed_mix(seed, 900);
	(void)p;

	while (!atomic_load(&stop)) {
		pthread_kill(sig_targets[rng_below(&rng, nsig_targets)],
			     rng_chance(&rng, 50) ? SIGUSR1 : SIGUSR2);
		usleep(500 + rng_below(&rng, 2000));
	}
	return NULL;
}

/* ---- main ---------------------------------------------------------------------- */

struct thread {
	pthread_t t;
	void *(*fn)(void *);
	uintptr_t arg;
	bool signalled;
};

int main(int argc, char **argv)
{
	struct thread th[32];
	unsigned int nth = 0, i;
	uint64_t secs, start;
	struct sigaction sa = { .sa_handler = on_signal };
	bool ok_a = true, ok_g = true, ok_p = true;
	int refs_before, refs_after;
	pthread_t sigt;

	params_init(argc, argv);
	seed = param_seed();
	secs = param_u64("secs", 2, 10);

	if (access(WSAEVENT_DEVICE, R_OK | W_OK))
		tap_skip_all(WSAEVENT_DEVICE " not available");

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);

	tap_plan(6);
	diag("stress_events: seed=%" PRIu64 " secs=%" PRIu64
	     " (reproduce: WSAEVENT_TEST_SEED=%" PRIu64 ")",
	     seed, secs, seed);
	refs_before = module_refcount();

	ctx_a = wsa_open();
	ctx_g = wsa_open();
	ctx_p = wsa_open();
	ctx_c = wsa_open();
	if (ctx_a < 0 || ctx_g < 0 || ctx_p < 0 || ctx_c < 0) {
		diag("cannot open " WSAEVENT_DEVICE);
		return 1;
	}
	for (i = 0; i < NA; i++)
		ev_a[i] = wsa_create(ctx_a, 0);
	for (i = 0; i < NG; i++)
		ev_g[i] = wsa_create(ctx_g, 0);
	ev_pa = wsa_create(ctx_p, 0);
	ev_pm = wsa_create(ctx_p, WSAEVENT_EVENT_MANUAL);
	ev_ms = wsa_create(ctx_p,
			   WSAEVENT_EVENT_MANUAL | WSAEVENT_EVENT_SIGNALED);
	for (i = 0; i < NSLOTS; i++) {
		c_slot[i] = wsa_create(ctx_c, i % 4);
		atomic_fetch_add(&c_created, 1);
	}

#define ADD(f, a, s) \
	(th[nth++] = (struct thread){ .fn = (f), .arg = (a), .signalled = (s) })
	ADD(a_setter, 1, false);
	ADD(a_setter, 2, false);
	for (i = 0; i < NA_CONSUMERS; i++)
		ADD(a_consumer, i, true);
	ADD(a_closer, 0, false);
	ADD(g_setter, 0, false);
	ADD(g_consumer, 0, true);
	ADD(g_consumer, 1, true);
	ADD(g_observer, 0, false);
	ADD(p_pulser, 0, false);
	ADD(p_waiter, 0, true);
	ADD(p_waiter, 1, true);
	ADD(c_churner, 0, true);
	ADD(c_churner, 1, false);
	ADD(c_churner, 2, false);
#undef ADD

	start = now_ns();
	for (i = 0; i < nth; i++) {
		pthread_create(&th[i].t, NULL, th[i].fn, (void *)th[i].arg);
		if (th[i].signalled)
			sig_targets[nsig_targets++] = th[i].t;
	}
	pthread_create(&sigt, NULL, signaller, NULL);

	sleep_ms((unsigned int)(secs * 1000));
	atomic_store(&stop, true);

	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 60;
		for (i = 0; i < nth; i++) {
			if (pthread_timedjoin_np(th[i].t, NULL, &ts)) {
				tap_result(
					false,
					"stress: thread %u did not stop within 60 s",
					i);
				fflush(stdout);
				_exit(1);
			}
		}
		pthread_join(sigt, NULL);
	}
	diag("ran %.1f s", (double)(now_ns() - start) / 1e9);

	/* A: SETs that found it reset == consumptions + final state. */
	for (i = 0; i < NA; i++) {
		unsigned long long sets = atomic_load(&a_sets_effective[i]);
		unsigned long long cons = atomic_load(&a_consumed[i]);
		int fin = (wsa_read(ev_a[i]) & WSAEVENT_EVENT_SIGNALED) ? 1 : 0;

		diag("A event %u: %llu SETs found it reset (%llu found it set), "
		     "%llu consumptions, final state %d",
		     i, sets,
		     (unsigned long long)atomic_load(&a_sets_redundant[i]),
		     cons, fin);
		if (sets != cons + (unsigned long long)fin)
			ok_a = false;
	}
	diag("A: %llu waits: %llu satisfied, %llu timed out, %llu EINTR, "
	     "%llu EBADF (dup closed first)",
	     (unsigned long long)atomic_load(&a_waits),
	     (unsigned long long)atomic_load(&a_wait_ok),
	     (unsigned long long)atomic_load(&a_timeouts),
	     (unsigned long long)atomic_load(&a_eintr),
	     (unsigned long long)atomic_load(&a_ebadf));
	tap_result(ok_a && atomic_load(&a_wait_ok) > 0,
		   "auto-reset: every signal consumed by exactly one waiter "
		   "(SETs from reset == consumptions + final state)");

	/* G */
	{
		unsigned long long all = atomic_load(&g_all_consumed);
		int fin0 = (wsa_read(ev_g[0]) & WSAEVENT_EVENT_SIGNALED) ? 1 :
									   0;

		for (i = 0; i < NG; i++) {
			int fin =
				(wsa_read(ev_g[i]) & WSAEVENT_EVENT_SIGNALED) ?
					1 :
					0;
			unsigned long long sets =
				atomic_load(&g_sets_effective[i]);

			if (sets != all + (unsigned long long)fin ||
			    fin != fin0)
				ok_g = false;
			diag("G event %u: %llu SETs, final state %d", i, sets,
			     fin);
		}
		diag("G: %llu rounds set, %llu WAIT_ALL consumed all, %llu observations, "
		     "%llu partial sets seen",
		     (unsigned long long)atomic_load(&g_rounds), all,
		     (unsigned long long)atomic_load(&g_observed),
		     (unsigned long long)atomic_load(&g_partial));
		tap_result(
			ok_g && atomic_load(&g_partial) == 0 && all > 0,
			"wait-all: atomic, no partial set ever seen, counts balance");
	}

	/* P */
	{
		unsigned long long pa = atomic_load(&p_pulses_a),
				   wa = atomic_load(&p_woken_a);

		check_never_signaled();
		diag("P: %llu auto pulses woke %llu, %llu manual pulses woke %llu; "
		     "%llu waits on the set manual event; %llu state checks",
		     pa, wa, (unsigned long long)atomic_load(&p_pulses_m),
		     (unsigned long long)atomic_load(&p_woken_m),
		     (unsigned long long)atomic_load(&p_ms_ok),
		     (unsigned long long)atomic_load(&p_reads));
		if (wa > pa)
			ok_p = false;
		tap_result(ok_p,
			   "pulse: never leaves an event signaled; "
			   "an auto-reset pulse wakes at most one waiter");
	}

	diag("C: %llu operations, %llu events created, %llu stale-fd errors",
	     (unsigned long long)atomic_load(&c_ops),
	     (unsigned long long)atomic_load(&c_created),
	     (unsigned long long)atomic_load(&c_stale));

	for (i = 0;
	     i < ARRAY_SIZE(violation_what) && i < atomic_load(&violations);
	     i++)
		diag("violation: %s", violation_what[i]);
	tap_result(atomic_load(&violations) == 0,
		   "no operation returned an unexplained result (%llu)",
		   (unsigned long long)atomic_load(&violations));

	/* Close everything. */
	for (i = 0; i < NSLOTS; i++) {
		close(c_slot[i]);
		atomic_fetch_add(&c_closed, 1);
	}
	tap_result(atomic_load(&c_created) == atomic_load(&c_closed),
		   "churn: every event created was closed (%llu)",
		   (unsigned long long)atomic_load(&c_created));
	for (i = 0; i < NA; i++)
		close(ev_a[i]);
	for (i = 0; i < NG; i++)
		close(ev_g[i]);
	for (i = 0; i < NA_CONSUMERS; i++)
		close(RESERVED_FD + (int)i);
	close(ev_pa);
	close(ev_pm);
	close(ev_ms);
	close(ctx_a);
	close(ctx_g);
	close(ctx_p);
	close(ctx_c);
	refs_after = module_refcount();
	tap_result(
		refs_after == refs_before,
		"module reference count back to %d once every fd is closed (now %d)",
		refs_before, refs_after);
	return tap_exit();
}
