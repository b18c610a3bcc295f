// SPDX-License-Identifier: GPL-2.0-only
/*
 * Data-integrity stress of overlapped I/O (issue 5 §6, winsock-spec.md §7),
 * with raw ioctls on /dev/wsaevent.
 *
 * Many loopback stream connections (TCP over IPv4 and over IPv6, AF_UNIX
 * stream), several connected pairs of each.  Every end keeps several
 * overlapped receives and sends pending at once (WSAEVENT_IOC_SUBMIT),
 * of random sizes from 0 to 64 KiB, often scattered over several iovecs
 * with random splits, a quarter of the receives with MSG_WAITALL, now
 * and then a plain send or receive in between; both directions run at
 * once.  Worker threads own
 * the ends and learn of completions through WSAEVENT_IOC_WAIT_ANY over
 * their 64 events: each operation has an event of its own (reset by
 * SUBMIT, as WSARecv does) or shares one of 8 (manual- and auto-reset).
 *
 * The byte stream
 *   Each direction carries a position-derived pattern: byte p is a hash
 *   of (direction key, p).  Receives complete in posting order, so the
 *   receiver walks its completed receives in posting order and checks
 *   every byte of each against the pattern at the running offset: a lost,
 *   duplicated, reordered or foreign byte shows as a mismatch at an exact
 *   stream offset (the failure says which connection, op and offset, and
 *   where the bytes found really belong).  Receive buffers are laid out
 *   as pieces with gaps and filled with a canary, so a write past the
 *   byte count reported, into a gap, or by a cancelled receive is caught
 *   too.  The WSAOVERLAPPED lies between guard bytes, sometimes across a
 *   page boundary, sometimes in the 32-bit layout (WSAEVENT_IO_COMPAT),
 *   so the width and place of the kernel's result writes are checked.
 *
 * Cancels and closes, and why the checker survives them
 *   A cancelled receive takes nothing (-ECANCELED, 0 bytes, its buffer
 *   untouched), or, when it has taken bytes already (MSG_WAITALL), it
 *   completes with them; so receives may be cancelled at any moment and
 *   the stream must go on exactly where the completed receives left off
 *   (the next receive, overlapped or a plain recv(), must hold the next
 *   byte).  To cancel with data surely queued for them, a doomed
 *   connection's end also sends and its peer's receives are cancelled
 *   at once, racing the kernel's completion.  A cancelled send, however,
 *   may have put part of its bytes on the wire and still reports 0 bytes,
 *   which would leave a hole the receiver could not place.  Hence:
 *   - Strict connections carry the configured volume; their two ends
 *     belong to two different workers.  Their sends are never cancelled:
 *     before a CANCEL_SOCKET on a strict socket, or a CANCEL_THREAD in a
 *     worker that owns strict sockets, the worker stops posting sends
 *     there and waits until its pending sends have all completed, so only
 *     receives are cancelled, while the peer keeps sending.  Every byte
 *     must arrive and an end of file before the whole volume is a
 *     failure.  Each end is closed (plain close, RELEASE + close, or
 *     CANCEL_SOCKET + RELEASE + close, with surplus receives possibly
 *     still pending) once its own work is done.
 *   - Doomed connections (two slots per worker, both ends in the worker,
 *     re-created over and over with a random transport and volume) are
 *     where sends get cancelled and sockets closed in mid-flight: at a
 *     random point one end gets CANCEL_SOCKET, RELEASE + close, a plain
 *     close() with its operations still pending, or a graceful
 *     shutdown(SHUT_WR); a CANCEL_THREAD may also cancel their sends at
 *     any time.  Once a direction has lost a send its sender posts
 *     nothing more on it, so what its receiver gets is still an exact
 *     prefix of the pattern, checked byte for byte, and never longer than
 *     what was posted; after an end of file it must hold every byte of
 *     every send that completed (exactly all that was sent, after a
 *     shutdown).  Resets, EPIPE and end of file are accepted only there,
 *     and only after the doom.
 *   A cancel or RELEASE completes the operations it cancels before it
 *   returns, so right after it every operation of the socket (or of the
 *   thread) must have its final status, and WSAEVENT_IOC_CANCEL must
 *   return the number of those reporting -ECANCELED, plus the partly
 *   filled MSG_WAITALL ones it completed.  A MSG_WAITALL receive may
 *   complete partly filled only at a cancel or the end of its stream.
 *   At most one
 *   end of a connection is plain-closed with operations pending (they
 *   keep its socket open); the other end is then really closed, which
 *   lets them complete.
 *
 * Also checked: a send completes with all its bytes; the operations of a
 *   socket complete in posting order; one that completes inside SUBMIT
 *   has its status written and its event signaled when the call returns;
 *   a failed SUBMIT writes nothing; a completed operation's event is
 *   signaled (a lost wake-up fails); nothing stays pending: the run
 *   fails when the operation at the head of a queue stays pending while
 *   its socket is readable (writable, for a send) for the stuck time,
 *   or when no operation completes anywhere for the stall time (and
 *   dumps what is pending).  Afterwards the fds, the sockets in use
 *   (/proc/net/sockstat) and the context's max_ops / max_pinned_kb
 *   accounting must be back where they started.  Timings are reported,
 *   never judged.
 *
 * Parameters, from the environment (WSAEVENT_<NAME> or
 * WSAEVENT_TEST_<NAME>) or the kernel command line (wsaevent_test.<name>=,
 * wsaevent_<name>= or WSAEVENT_<NAME>=, for the VM harness's VM_APPEND):
 *   STRESS_MB       MiB through the strict connections (32; 256 in the
 *                   debug tier, wsaevent_test.tier=debug)
 *   STRESS_THREADS  worker threads (4)
 *   STRESS_PAIRS    connected pairs per transport (2)
 *   STRESS_SEED     seed of every random choice (from the clock)
 *   STRESS_STALL_S  seconds without any completion that fail the run
 *                   (30; 120 in the debug tier)
 *   STRESS_STUCK_S  seconds an operation may stay pending at the head of
 *                   its queue while its socket lets it progress (10; 60)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/sockios.h>

#include "wsaevent_test.h"
#include "kselftest_harness.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the pattern checker assumes a little-endian machine"
#endif

#define STATUS_PENDING	0x103

#define NEV		WSAEVENT_MAX_WAIT_COUNT	/* events per worker */
#define NSHARED		8	/* 0-3 manual, 4-7 auto-reset; the rest own */
#define MAX_IOV		16
#define MAX_LEN		65536
#define MAX_DEPTH	8	/* receives, and sends, pending per end */
#define SLOTS_PER_WORKER 2	/* doomed connections per worker */
#define SLOT_BYTES	8192	/* two pages per WSAOVERLAPPED slot */
#define BUF_CAP		(MAX_LEN + 1024)
#define WAIT_MS		1000

#define RX_CANARY	0xc3
#define TX_GAP		0x3c
#define OVL_CANARY	0xee

enum { T_TCP4, T_TCP6, T_UNIX, NTRANS };
static const char *const trans_name[NTRANS] = { "tcp4", "tcp6", "unix" };

enum { TERM_NONE, TERM_EOF, TERM_RESET };
static const char *const term_name[] = { "open", "end of file", "reset" };

enum { DOOM_CANCEL, DOOM_RELEASE, DOOM_PLAIN, DOOM_SHUTDOWN, DOOM_THREAD, NDOOM };
static const char *const doom_name[NDOOM] = {
	"CANCEL_SOCKET", "RELEASE+close", "plain close", "shutdown(SHUT_WR)",
	"CANCEL_THREAD",
};

enum { PH_RUN, PH_POST, PH_CLOSING };

struct end;

struct op {
	struct op *next;		/* in its end's FIFO, or the free list */
	struct end *e;
	unsigned int idx;		/* in the worker's pool: its ovl slot */
	int kind;			/* WSAEVENT_OP_SEND or _RECV */
	bool compat, dedicated, final, waitall;
	bool pre_final;			/* final before the latest cancel call */
	bool covered;			/* pending when a cancel or RELEASE ran */
	int ev;				/* index in the worker's events */
	uint64_t seq;			/* posting number on its end */
	uint64_t off;			/* send: stream offset of its first byte */
	size_t len;
	unsigned int niov;
	struct iovec iov[MAX_IOV];
	unsigned char *mem;		/* BUF_CAP bytes: pieces, gaps, guards */
	size_t used;			/* bytes of @mem laid out */
	unsigned char *ovl;		/* the WSAOVERLAPPED */
	int64_t status;
	uint64_t bytes;
	uint32_t flags;
	uint64_t t_submit;
};

/* One direction of a connection: end i sends dir[i] to end !i. */
struct dir {
	uint64_t key, quota;
	/* the sender's worker */
	uint64_t tx_off;	/* bytes posted: offset of the next send */
	uint64_t tx_full;	/* bytes of sends completed in full, in order */
	bool tx_failed;		/* a send was cancelled or failed */
	bool graceful;		/* shutdown(SHUT_WR) after all sent in full */
	/* the receiver's worker */
	uint64_t rx_pos;	/* bytes received and checked */
	int rx_term;
};

struct conn;

struct end {
	struct conn *c;
	int idx, fd;
	unsigned long ino;	/* the socket's inode, for the context's fdinfo */
	struct dir *tx, *rx;
	struct op *rxh, *rxt, *txh, *txt;
	unsigned int nrx, ntx, rx_depth, tx_depth;
	uint64_t rx_cap;	/* bytes the pending receives can take */
	uint64_t rx_seq, tx_seq;
	bool tx_stop, rx_stop, cancel_want, plain_rx;
	/* the head operation seen able to progress, and since when */
	uint64_t rx_stuck_seq, rx_stuck_since, tx_stuck_seq, tx_stuck_since;
};

struct conn {
	int id, trans;
	bool strict, doomed;
	struct dir dir[2];
	struct end end[2];
	atomic_int plain_token;	/* an end plain-closed with ops pending */
};

struct slot {
	struct conn *c;
	int phase, action;
	uint64_t doom_at;
	uint64_t deadline;	/* ns: end of the phase, or the second close */
	struct end *K;
	bool shut_pending;
	struct end *race;	/* to cancel right after the peer sends */
	uint64_t next_race;
};

struct stats {
	uint64_t rx_ops, rx_bytes, rx_zero, rx_eof, rx_cancelled, rx_reset;
	uint64_t tx_ops, tx_bytes, tx_cancelled, tx_failed;
	uint64_t immediate, pended, compat, multi_iov, shared_ev;
	uint64_t waitall, waitall_partial;
	uint64_t submit_refused;
	uint64_t cancel_socket, cancel_thread, cancelled, releases, races;
	uint64_t close_plain, close_plain_pending, close_release,
		 close_cancel_release;
	uint64_t plain_rx, plain_rx_bytes, plain_tx, plain_tx_bytes;
	uint64_t doomed_conns[NTRANS], doom[NDOOM], doomed_bytes;
	uint64_t wait_timeouts, wakes;
};

struct worker {
	int id;
	pthread_t th;
	uint64_t rng;
	int evfd[NEV];
	__u32 evobjs[NEV];
	bool manual[NEV];
	int ded[NEV], nded;
	struct op *ops, *free_ops;
	unsigned int nops;
	unsigned char *arena;
	unsigned char *scratch;
	struct end **strict;
	unsigned int nstrict;
	struct slot slots[SLOTS_PER_WORKER];
	uint64_t harvested, next_sc, next_tc, next_stuck_check;
	bool tc_pending;
	atomic_bool done;
	struct stats st;
};

static int g_ctx = -1;
static atomic_bool g_abort;
static atomic_ulong g_progress;
static atomic_ulong g_bytes;		/* received and checked, all connections */
static atomic_int g_errors;
static atomic_int g_strict_left;
static atomic_int g_conn_ids;
static unsigned int g_depth = MAX_DEPTH;
static uint64_t g_stuck_ns;
static uint64_t g_seed;
static pthread_mutex_t g_print_lock = PTHREAD_MUTEX_INITIALIZER;

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&g_print_lock);
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	pthread_mutex_unlock(&g_print_lock);
}

/* A failure: say what, and stop the run (the first few are printed). */
#define FAIL(...) do {							\
		if (atomic_fetch_add(&g_errors, 1) < 20)		\
			diag("FAIL: " __VA_ARGS__);			\
		atomic_store(&g_abort, true);				\
	} while (0)

static bool aborted(void)
{
	return atomic_load_explicit(&g_abort, memory_order_relaxed);
}

#define CONN_FMT "conn %d (%s, %s)"
#define CONN_ARG(c) (c)->id, trans_name[(c)->trans], \
	(c)->strict ? "strict" : "doomed"
#define END_FMT CONN_FMT " end %d"
#define END_ARG(e) CONN_ARG((e)->c), (e)->idx
#define OP_FMT END_FMT " %s #%" PRIu64 " (%zu bytes in %u iovec%s%s%s%s)"
#define OP_ARG(o) END_ARG((o)->e), op_kind(o), (o)->seq, (o)->len, \
	(o)->niov, (o)->niov == 1 ? "" : "s", \
	(o)->waitall ? ", MSG_WAITALL" : "", \
	(o)->compat ? ", 32-bit overlapped" : "", \
	(o)->dedicated ? "" : ", shared event"

static const char *op_kind(const struct op *o)
{
	return o->kind == WSAEVENT_OP_RECV ? "recv" : "send";
}

/* ---- parameters ------------------------------------------------------- */

static const char *param_str(const char *name, char *buf, size_t len)
{
	char key[64], lower[64], want[3][96], line[4096], *tok, *save = NULL;
	const char *v;
	size_t i, n;
	FILE *f;

	snprintf(key, sizeof(key), "WSAEVENT_%s", name);
	v = getenv(key);
	if (v && *v)
		return v;
	snprintf(key, sizeof(key), "WSAEVENT_TEST_%s", name);
	v = getenv(key);
	if (v && *v)
		return v;

	for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	snprintf(want[0], sizeof(want[0]), "wsaevent_test.%s=", lower);
	snprintf(want[1], sizeof(want[1]), "wsaevent_%s=", lower);
	snprintf(want[2], sizeof(want[2]), "WSAEVENT_%s=", name);
	f = fopen("/proc/cmdline", "re");
	if (!f)
		return NULL;
	if (fgets(line, sizeof(line), f)) {
		for (tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			for (i = 0; i < 3; i++) {
				n = strlen(want[i]);
				if (strncmp(tok, want[i], n))
					continue;
				snprintf(buf, len, "%s", tok + n);
				fclose(f);
				return buf;
			}
		}
	}
	fclose(f);
	return NULL;
}

static bool tier_debug(void)
{
	char buf[64];
	const char *v = param_str("TIER", buf, sizeof(buf));

	return v && !strcmp(v, "debug");
}

static uint64_t param_u64(const char *name, uint64_t normal, uint64_t debug)
{
	char buf[64];
	const char *v = param_str(name, buf, sizeof(buf));

	if (v && *v)
		return strtoull(v, NULL, 0);
	return tier_debug() ? debug : normal;
}

/* ---- randomness and the pattern --------------------------------------- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t seed_for(uint64_t salt)
{
	return mix64(g_seed + salt * 0x9E3779B97F4A7C15ULL) | 1;
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform enough in [0, n). */
static uint64_t rnd(uint64_t *s, uint64_t n)
{
	return n ? (rng_next(s) >> 11) % n : 0;
}

static inline uint64_t pat_word(uint64_t key, uint64_t widx)
{
	return mix64(key + widx * 0x9E3779B97F4A7C15ULL);
}

static inline unsigned char pat_byte(uint64_t key, uint64_t pos)
{
	return (unsigned char)(pat_word(key, pos >> 3) >> ((pos & 7) * 8));
}

static void pat_fill(uint64_t key, uint64_t pos, unsigned char *p, size_t len)
{
	uint64_t wd;

	for (; len && (pos & 7); len--, pos++)
		*p++ = pat_byte(key, pos);
	for (; len >= 8; len -= 8, pos += 8, p += 8) {
		wd = pat_word(key, pos >> 3);
		memcpy(p, &wd, 8);
	}
	for (; len; len--, pos++)
		*p++ = pat_byte(key, pos);
}

/* Index of the first byte that is not the pattern's, or -1. */
static ssize_t pat_check(uint64_t key, uint64_t pos, const unsigned char *p,
			 size_t len)
{
	uint64_t wd, v;
	size_t i = 0;

	for (; i < len && ((pos + i) & 7); i++)
		if (p[i] != pat_byte(key, pos + i))
			return (ssize_t)i;
	for (; i + 8 <= len; i += 8) {
		wd = pat_word(key, (pos + i) >> 3);
		memcpy(&v, p + i, 8);
		if (v != wd)
			break;
	}
	for (; i < len; i++)
		if (p[i] != pat_byte(key, pos + i))
			return (ssize_t)i;
	return -1;
}

/* Index of the first byte other than @c, or -1. */
static ssize_t first_not(const unsigned char *p, size_t len, unsigned char c)
{
	uint64_t wd = 0x0101010101010101ULL * c, v;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&v, p + i, 8);
		if (v != wd)
			break;
	}
	for (; i < len; i++)
		if (p[i] != c)
			return (ssize_t)i;
	return -1;
}

/* ---- operations ------------------------------------------------------- */

static struct op *op_get(struct worker *w)
{
	struct op *o = w->free_ops;

	if (!o)
		return NULL;
	if (!o->mem) {
		o->mem = malloc(BUF_CAP);
		if (!o->mem)
			return NULL;
	}
	w->free_ops = o->next;
	o->next = NULL;
	return o;
}

static void op_put(struct worker *w, struct op *o)
{
	if (o->dedicated)
		w->ded[w->nded++] = o->ev;
	o->dedicated = false;
	o->e = NULL;
	o->next = w->free_ops;
	w->free_ops = o;
}

static int64_t ovl_status_raw(const struct op *o)
{
	if (o->compat)
		return (int32_t)__atomic_load_n((const uint32_t *)o->ovl,
						__ATOMIC_ACQUIRE);
	return __atomic_load_n((const int64_t *)o->ovl, __ATOMIC_ACQUIRE);
}

/* Has the kernel published the result?  Reads it once it has. */
static bool op_final(struct op *o)
{
	int64_t st;

	if (o->final)
		return true;
	st = ovl_status_raw(o);
	if (st == STATUS_PENDING)
		return false;
	if (o->compat) {
		uint32_t b;

		memcpy(&b, o->ovl + 4, 4);
		memcpy(&o->flags, o->ovl + 8, 4);
		o->bytes = b;
	} else {
		memcpy(&o->bytes, o->ovl + 8, 8);
		memcpy(&o->flags, o->ovl + 16, 4);
	}
	o->status = st;
	o->final = true;
	return true;
}

/* The kernel writes Internal, InternalHigh and Offset: 20 (12) bytes. */
static size_t ovl_written(const struct op *o)
{
	return o->compat ? 12 : 20;
}

static bool ovl_guards_ok(const struct op *o)
{
	return first_not(o->ovl - 8, 8, OVL_CANARY) < 0 &&
	       first_not(o->ovl + ovl_written(o), 12, OVL_CANARY) < 0;
}

/* Place the WSAOVERLAPPED in the op's slot, sometimes across two pages. */
static void ovl_prepare(struct worker *w, struct op *o)
{
	unsigned char *slot = w->arena + (size_t)o->idx * SLOT_BYTES;
	uint64_t r = rnd(&w->rng, 10);
	size_t off;

	if (o->compat) {
		if (r < 6)
			off = 8 + 4 * rnd(&w->rng, 1000);
		else if (r < 8)
			off = 4096 - 4 * (1 + rnd(&w->rng, 5));
		else
			off = 4096 + 8 + 4 * rnd(&w->rng, 900);
	} else {
		if (r < 6)
			off = 8 + 8 * rnd(&w->rng, 500);
		else if (r < 8)
			off = 4096 - 8 * (1 + rnd(&w->rng, 3));
		else
			off = 4096 + 8 + 8 * rnd(&w->rng, 450);
	}
	o->ovl = slot + off;
	memset(o->ovl - 8, OVL_CANARY, 8 + 32 + 8);
	if (o->compat) {
		uint32_t p = STATUS_PENDING;

		memcpy(o->ovl, &p, 4);
	} else {
		int64_t p = STATUS_PENDING;

		memcpy(o->ovl, &p, 8);
	}
	o->final = false;
}

static size_t pick_len(struct worker *w)
{
	uint64_t r = rnd(&w->rng, 100);

	if (r < 4)
		return 0;
	if (r < 25)
		return 1 + rnd(&w->rng, 512);
	if (r < 45)
		return 1 + rnd(&w->rng, 8192);
	return 1 + rnd(&w->rng, MAX_LEN);
}

/*
 * Split @len bytes into iovecs at random points (some empty), and lay the
 * pieces out in @o->mem in a random order with random gaps between them.
 */
static void layout(struct worker *w, struct op *o, size_t len)
{
	size_t cut[MAX_IOV + 1], cur, t;
	unsigned int perm[MAX_IOV], n, i, j, k;
	uint64_t r = rnd(&w->rng, 100);

	n = r < 40 ? 1 : r < 80 ? 2 + (unsigned int)rnd(&w->rng, 3) :
		2 + (unsigned int)rnd(&w->rng, MAX_IOV - 1);
	cut[0] = 0;
	cut[n] = len;
	for (i = 1; i < n; i++) {
		t = (size_t)rnd(&w->rng, len + 1);
		for (j = i; j > 1 && cut[j - 1] > t; j--)
			cut[j] = cut[j - 1];
		cut[j] = t;
	}
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n; i > 1; i--) {
		j = (unsigned int)rnd(&w->rng, i);
		k = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = k;
	}
	cur = 16 + rnd(&w->rng, 16);
	for (k = 0; k < n; k++) {
		i = perm[k];
		if (rnd(&w->rng, 2))
			cur += rnd(&w->rng, 33);
		o->iov[i].iov_base = o->mem + cur;
		o->iov[i].iov_len = cut[i + 1] - cut[i];
		cur += o->iov[i].iov_len;
	}
	o->used = cur + 16;
	o->niov = n;
	o->len = len;
}

static void fifo_push(struct op **h, struct op **t, struct op *o)
{
	o->next = NULL;
	if (*t)
		(*t)->next = o;
	else
		*h = o;
	*t = o;
}

/* ---- checks on completed operations ------------------------------------ */

/* Describe byte @k of @o->mem for a failure message. */
static void where(const struct op *o, size_t k, char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < o->niov; i++) {
		size_t start = (unsigned char *)o->iov[i].iov_base - o->mem;

		if (k >= start && k < start + o->iov[i].iov_len) {
			snprintf(buf, len, "byte %zu of iovec %u", k - start, i);
			return;
		}
	}
	snprintf(buf, len, "outside every iovec");
}

/* The received bytes at @p are not the stream's at @pos: say what they are. */
static void report_mismatch(struct op *o, struct dir *d, uint64_t pos,
			    const unsigned char *p, size_t avail,
			    uint64_t op_byte, const char *how)
{
	size_t n = avail < 16 ? avail : 16, i;
	uint64_t lo = pos > (4u << 20) ? pos - (4u << 20) : 0, q;
	char found[96] = "they are no nearby offset's bytes";

	if (first_not(p, n, RX_CANARY) < 0) {
		snprintf(found, sizeof(found),
			 "they are the canary: bytes reported but never written");
	} else {
		for (q = lo; q < pos + (4u << 20); q++) {
			for (i = 0; i < n && p[i] == pat_byte(d->key, q + i); i++)
				;
			if (i == n && q != pos) {
				snprintf(found, sizeof(found),
					 "they are the bytes of offset %" PRIu64
					 " (%+" PRId64 ")", q, (int64_t)(q - pos));
				break;
			}
		}
	}
	FAIL(OP_FMT ", %s: wrong data at stream offset %" PRIu64
	     " (byte %" PRIu64 " of %" PRIu64 " received): 0x%02x, expected 0x%02x; %s",
	     OP_ARG(o), how, pos, op_byte, o->bytes, p[0], pat_byte(d->key, pos),
	     found);
}

/* Every received byte, then every other byte of the buffer (canary). */
static bool verify_recv(struct op *o)
{
	struct dir *d = o->e->rx;
	uint64_t pos = d->rx_pos, left = o->bytes, done = 0;
	char at[64];
	ssize_t bad;
	unsigned int i;

	for (i = 0; i < o->niov && left; i++) {
		unsigned char *p = o->iov[i].iov_base;
		size_t n = o->iov[i].iov_len < left ? o->iov[i].iov_len : left;

		bad = pat_check(d->key, pos, p, n);
		if (bad >= 0) {
			report_mismatch(o, d, pos + (uint64_t)bad, p + bad,
					n - (size_t)bad, done + (uint64_t)bad,
					"overlapped receive");
			return false;
		}
		memset(p, RX_CANARY, n);
		pos += n;
		left -= n;
		done += n;
	}
	bad = first_not(o->mem, o->used, RX_CANARY);
	if (bad >= 0) {
		where(o, (size_t)bad, at, sizeof(at));
		FAIL(OP_FMT " at stream offset %" PRIu64 ": it reported %" PRIu64
		     " bytes but its buffer was written elsewhere (%s: 0x%02x)",
		     OP_ARG(o), d->rx_pos, o->bytes, at, o->mem[bad]);
		return false;
	}
	return true;
}

static void rx_advance(struct worker *w, struct end *e, uint64_t n)
{
	struct dir *d = e->rx;

	d->rx_pos += n;
	w->st.rx_bytes += n;
	atomic_fetch_add_explicit(&g_bytes, n, memory_order_relaxed);
	if (e->c->strict) {
		if (d->rx_pos > d->quota) {
			FAIL(END_FMT ": received %" PRIu64 " bytes, more than the %"
			     PRIu64 " sent", END_ARG(e), d->rx_pos, d->quota);
		} else if (d->rx_pos == d->quota) {
			e->rx_stop = true;
			atomic_fetch_sub(&g_strict_left, 1);
		}
	} else if (d->rx_pos > d->tx_off) {
		/* Doomed: both ends are this worker's. */
		FAIL(END_FMT ": received %" PRIu64 " bytes, more than the %"
		     PRIu64 " posted", END_ARG(e), d->rx_pos, d->tx_off);
	}
}

/* The incoming stream ended (end of file or reset). */
static void stream_ended(struct end *e, int term, const char *what)
{
	struct dir *d = e->rx;

	if (e->c->strict && (term != TERM_EOF || d->rx_pos != d->quota))
		FAIL(END_FMT ": %s: %s at stream offset %" PRIu64 " of %" PRIu64
		     ": bytes lost", END_ARG(e), what, term_name[term],
		     d->rx_pos, d->quota);
	if (!d->rx_term)
		d->rx_term = term;
	e->rx_stop = true;
}

static void process_recv(struct worker *w, struct end *e, struct op *o)
{
	struct dir *d = e->rx;
	ssize_t bad;

	if (o->status == 0) {
		if (o->bytes > o->len) {
			FAIL(OP_FMT ": reports %" PRIu64 " bytes", OP_ARG(o), o->bytes);
			return;
		}
		if (o->flags) {
			FAIL(OP_FMT ": reports msg_flags 0x%x", OP_ARG(o), o->flags);
			return;
		}
		if (o->bytes && d->rx_term) {
			FAIL(OP_FMT ": %" PRIu64 " bytes at stream offset %" PRIu64
			     " after the stream's %s", OP_ARG(o), o->bytes,
			     d->rx_pos, term_name[d->rx_term]);
			return;
		}
		if (o->waitall && o->bytes && o->bytes < o->len) {
			/* Only a cancel or the stream's end completes it early. */
			if (!o->covered && !e->c->doomed &&
			    d->rx_pos + o->bytes != d->quota)
				FAIL(OP_FMT " at stream offset %" PRIu64 ": completed"
				     " with %" PRIu64 " bytes", OP_ARG(o), d->rx_pos,
				     o->bytes);
			w->st.waitall_partial++;
		}
		if (!verify_recv(o))
			return;
		if (o->bytes) {
			w->st.rx_ops++;
			rx_advance(w, e, o->bytes);
		} else if (o->len) {
			w->st.rx_eof++;
			stream_ended(e, TERM_EOF, "overlapped receive");
		} else {
			w->st.rx_zero++;
		}
		return;
	}
	if (o->bytes) {
		FAIL(OP_FMT ": status %" PRId64 " with %" PRIu64 " bytes",
		     OP_ARG(o), o->status, o->bytes);
		return;
	}
	bad = first_not(o->mem, o->used, RX_CANARY);
	if (bad >= 0) {
		FAIL(OP_FMT ": failed with status %" PRId64 " (%s) but wrote byte"
		     " %zd of its buffer: bytes taken and lost", OP_ARG(o),
		     o->status, strerror((int)-o->status), bad);
		return;
	}
	if (o->status == -ECANCELED) {
		if (!o->covered)
			FAIL(OP_FMT ": -ECANCELED, but no cancel covered it",
			     OP_ARG(o));
		w->st.rx_cancelled++;
		return;
	}
	if (o->status == -ECONNRESET && e->c->doomed) {
		w->st.rx_reset++;
		stream_ended(e, TERM_RESET, "overlapped receive");
		return;
	}
	FAIL(OP_FMT " at stream offset %" PRIu64 ": unexpected status %" PRId64
	     " (%s)", OP_ARG(o), d->rx_pos, o->status,
	     strerror((int)-o->status));
}

static void process_send(struct worker *w, struct end *e, struct op *o)
{
	struct dir *d = e->tx;

	if (o->status == 0) {
		if (o->bytes != o->len || o->flags)
			FAIL(OP_FMT " at stream offset %" PRIu64 ": completed with %"
			     PRIu64 " bytes, msg_flags 0x%x", OP_ARG(o), o->off,
			     o->bytes, o->flags);
		if (!d->tx_failed)
			d->tx_full += o->len;
		w->st.tx_ops++;
		w->st.tx_bytes += o->len;
		return;
	}
	if (o->bytes)
		FAIL(OP_FMT ": status %" PRId64 " with %" PRIu64 " bytes",
		     OP_ARG(o), o->status, o->bytes);
	if (o->status == -ECANCELED) {
		if (!o->covered)
			FAIL(OP_FMT ": -ECANCELED, but no cancel covered it",
			     OP_ARG(o));
		w->st.tx_cancelled++;
	} else if (e->c->doomed && (o->status == -EPIPE ||
				     o->status == -ECONNRESET)) {
		w->st.tx_failed++;
	} else {
		FAIL(OP_FMT " at stream offset %" PRIu64 ": unexpected status %"
		     PRId64 " (%s)", OP_ARG(o), o->off, o->status,
		     strerror((int)-o->status));
	}
	d->tx_failed = true;
	e->tx_stop = true;
}

/* Complete what has completed, in posting order. */
static void harvest_fifo(struct worker *w, struct end *e, bool rx)
{
	struct op **h = rx ? &e->rxh : &e->txh, **t = rx ? &e->rxt : &e->txt;
	struct op *o;

	while ((o = *h) && !aborted()) {
		if (!op_final(o)) {
			/* A later one may not complete first. */
			if (o->next && op_final(o->next) && !op_final(o))
				FAIL(OP_FMT " is still pending but #%" PRIu64
				     " posted after it has completed", OP_ARG(o),
				     o->next->seq);
			return;
		}
		*h = o->next;
		if (!*h)
			*t = NULL;
		if (rx) {
			e->nrx--;
			e->rx_cap -= o->len;
		} else {
			e->ntx--;
		}
		if (!ovl_guards_ok(o))
			FAIL(OP_FMT ": the kernel wrote outside the WSAOVERLAPPED"
			     " result fields", OP_ARG(o));
		if (rx)
			process_recv(w, e, o);
		else
			process_send(w, e, o);
		op_put(w, o);
		w->harvested++;
		atomic_fetch_add_explicit(&g_progress, 1, memory_order_relaxed);
	}
}

static void harvest_end(struct worker *w, struct end *e)
{
	harvest_fifo(w, e, true);
	harvest_fifo(w, e, false);
}

/* Runs the statement on every end of the worker, the closed ones included. */
#define FOR_EACH_END(w, e, ...) do {					\
		unsigned int _i, _j;					\
		for (_i = 0; _i < (w)->nstrict; _i++) {			\
			struct end *e = (w)->strict[_i];		\
			__VA_ARGS__;					\
		}							\
		for (_i = 0; _i < SLOTS_PER_WORKER; _i++) {		\
			if (!(w)->slots[_i].c)				\
				continue;				\
			for (_j = 0; _j < 2; _j++) {			\
				struct end *e = &(w)->slots[_i].c->end[_j]; \
				__VA_ARGS__;				\
			}						\
		}							\
	} while (0)

static void harvest_all(struct worker *w)
{
	FOR_EACH_END(w, e, harvest_end(w, e));
}

/* Before a cancel or RELEASE: note what has completed already. */
static void snap_end(struct end *e)
{
	struct op *o;

	for (o = e->rxh; o; o = o->next)
		o->pre_final = op_final(o);
	for (o = e->txh; o; o = o->next)
		o->pre_final = op_final(o);
}

/*
 * After a cancel or RELEASE: everything of @o's FIFO must be final.  The
 * call completed those it found pending: with -ECANCELED and no bytes,
 * or a receive that had taken bytes (MSG_WAITALL) with them.  Counts
 * into @lo the ones certainly completed by the call (-ECANCELED) and
 * into @hi those that may have been (also the partly filled receives,
 * which an end of file or a reset may have completed instead).
 */
static void mark_fifo(struct op *o, const char *what, int *lo, int *hi)
{
	for (; o; o = o->next) {
		if (!op_final(o)) {
			FAIL(OP_FMT ": still pending after %s returned",
			     OP_ARG(o), what);
			continue;
		}
		if (o->pre_final)
			continue;
		o->covered = true;
		o->pre_final = true;
		if (o->status == 0 && o->waitall && o->bytes < o->len) {
			(*hi)++;
			continue;
		}
		if (o->status != -ECANCELED)
			continue;
		(*lo)++;
		(*hi)++;
		if (o->kind == WSAEVENT_OP_SEND) {
			if (o->e->c->strict)
				FAIL(OP_FMT ": %s cancelled a send of a strict"
				     " connection (the test waits for them)",
				     OP_ARG(o), what);
			/* A hole may follow: this direction sends no more. */
			o->e->tx_stop = true;
			o->e->c->doomed = true;
		}
	}
}

static void mark_end(struct end *e, const char *what, int *lo, int *hi)
{
	mark_fifo(e->rxh, what, lo, hi);
	mark_fifo(e->txh, what, lo, hi);
}

static void cancel_socket(struct worker *w, struct end *e)
{
	struct wsaevent_cancel_args a = {
		.sock = (__u32)e->fd, .flags = WSAEVENT_CANCEL_SOCKET,
	};
	int n, lo = 0, hi = 0;

	snap_end(e);
	n = ioctl(g_ctx, WSAEVENT_IOC_CANCEL, &a);
	if (n < 0) {
		FAIL(END_FMT ": CANCEL_SOCKET: %s", END_ARG(e), strerror(errno));
		return;
	}
	mark_end(e, "CANCEL_SOCKET", &lo, &hi);
	if (n < lo || n > hi)
		FAIL(END_FMT ": CANCEL_SOCKET returned %d, but %d operations"
		     " report -ECANCELED and %d more were partly filled",
		     END_ARG(e), n, lo, hi - lo);
	w->st.cancel_socket++;
	w->st.cancelled += (uint64_t)n;
	/* Read the continuation with a plain receive, sometimes. */
	if (rnd(&w->rng, 2))
		e->plain_rx = true;
}

static void cancel_thread(struct worker *w)
{
	struct wsaevent_cancel_args a = { .flags = WSAEVENT_CANCEL_THREAD };
	int n, lo = 0, hi = 0;

	FOR_EACH_END(w, e, snap_end(e));
	n = ioctl(g_ctx, WSAEVENT_IOC_CANCEL, &a);
	if (n < 0) {
		FAIL("worker %d: CANCEL_THREAD: %s", w->id, strerror(errno));
		return;
	}
	FOR_EACH_END(w, e, mark_end(e, "CANCEL_THREAD", &lo, &hi));
	if (n < lo || n > hi)
		FAIL("worker %d: CANCEL_THREAD returned %d, but %d of its"
		     " operations report -ECANCELED and %d more were partly"
		     " filled", w->id, n, lo, hi - lo);
	w->st.cancel_thread++;
	w->st.cancelled += (uint64_t)n;
}

static void release_close(struct worker *w, struct end *e, bool cancel_first)
{
	int lo = 0, hi = 0;

	if (cancel_first)
		cancel_socket(w, e);
	snap_end(e);
	if (ioctl(g_ctx, WSAEVENT_IOC_RELEASE, (unsigned long)e->fd))
		FAIL(END_FMT ": RELEASE: %s", END_ARG(e), strerror(errno));
	mark_end(e, "RELEASE", &lo, &hi);
	w->st.releases++;
	if (close(e->fd))
		FAIL(END_FMT ": close: %s", END_ARG(e), strerror(errno));
	e->fd = -1;
	if (cancel_first)
		w->st.close_cancel_release++;
	else
		w->st.close_release++;
}

static void close_plain(struct worker *w, struct end *e)
{
	if (e->nrx + e->ntx)
		w->st.close_plain_pending++;
	else
		w->st.close_plain++;
	if (close(e->fd))
		FAIL(END_FMT ": close: %s", END_ARG(e), strerror(errno));
	e->fd = -1;
}

/*
 * Close an end by a random method.  Only one end of a connection may be
 * plain-closed with operations pending: they hold its socket open until
 * the other end is really closed.
 */
static void close_end(struct worker *w, struct end *e)
{
	uint64_t m = rnd(&w->rng, 3);
	int zero = 0;

	if (!m && e->nrx + e->ntx &&
	    !atomic_compare_exchange_strong(&e->c->plain_token, &zero, 1))
		m = 1;
	if (!m)
		close_plain(w, e);
	else
		release_close(w, e, m == 2);
}

/* ---- posting ------------------------------------------------------------ */

static void submit_refused(struct worker *w, struct end *e, int kind, int err)
{
	if (e->c->doomed && (err == ECONNRESET ||
			     (kind == WSAEVENT_OP_SEND && err == EPIPE))) {
		w->st.submit_refused++;
		if (kind == WSAEVENT_OP_RECV) {
			/*
			 * Receives posted before it may still hold data:
			 * the stream ends after them (the reset shows in
			 * theirs, or not at all).
			 */
			e->rx_stop = true;
		} else {
			e->tx->tx_failed = true;
			e->tx_stop = true;
		}
		return;
	}
	FAIL(END_FMT ": SUBMIT of a %s failed: %s", END_ARG(e),
	     kind == WSAEVENT_OP_RECV ? "recv" : "send", strerror(err));
	e->rx_stop = true;
	e->tx_stop = true;
}

static bool post_op(struct worker *w, struct end *e, int kind)
{
	struct dir *d = kind == WSAEVENT_OP_SEND ? e->tx : e->rx;
	struct wsaevent_io_args a;
	struct op *o = op_get(w);
	uint64_t off;
	unsigned int i;
	size_t len;
	int ret, err;

	if (!o)
		return false;
	len = pick_len(w);
	if (kind == WSAEVENT_OP_SEND && len > d->quota - d->tx_off)
		len = (size_t)(d->quota - d->tx_off);
	o->e = e;
	o->kind = kind;
	o->covered = false;
	/*
	 * MSG_WAITALL completes only when full (or at a cancel, an end of
	 * file or a reset).  On a strict connection, only where it is sure
	 * to fill up before the end of the stream: the two ends close only
	 * once they have received everything.
	 */
	o->waitall = kind == WSAEVENT_OP_RECV && len && rnd(&w->rng, 4) == 0 &&
		(!e->c->strict || d->rx_pos + e->rx_cap + len <= d->quota);
	layout(w, o, len);
	if (kind == WSAEVENT_OP_RECV) {
		memset(o->mem, RX_CANARY, o->used);
		o->seq = e->rx_seq;
	} else {
		memset(o->mem, TX_GAP, o->used);
		off = d->tx_off;
		for (i = 0; i < o->niov; i++) {
			pat_fill(d->key, off, o->iov[i].iov_base,
				 o->iov[i].iov_len);
			off += o->iov[i].iov_len;
		}
		o->seq = e->tx_seq;
		o->off = d->tx_off;
	}
	o->compat = rnd(&w->rng, 100) < 15;
	ovl_prepare(w, o);
	if (w->nded && rnd(&w->rng, 100) < 60) {
		o->ev = w->ded[--w->nded];
		o->dedicated = true;
	} else {
		o->ev = (int)rnd(&w->rng, NSHARED);
		o->dedicated = false;
		w->st.shared_ev++;
	}

	memset(&a, 0, sizeof(a));
	a.sock = (__u32)e->fd;
	a.op = (__u32)kind;
	a.flags = o->waitall ? MSG_WAITALL : 0;
	a.event = (__u32)w->evfd[o->ev];
	a.iov = (uintptr_t)o->iov;
	a.iovcnt = o->niov;
	a.io_flags = WSAEVENT_IO_EVENT;
	if (o->dedicated)
		a.io_flags |= WSAEVENT_IO_RESET_EVENT;
	if (o->compat)
		a.io_flags |= WSAEVENT_IO_COMPAT;
	a.overlapped = (uintptr_t)o->ovl;
	o->t_submit = now_ns();
	ret = ioctl(g_ctx, WSAEVENT_IOC_SUBMIT, &a);
	err = errno;
	if (ret == 0) {
		if (!op_final(o))
			FAIL(OP_FMT ": SUBMIT returned 0, but the status is still"
			     " pending", OP_ARG(o));
		else if (o->dedicated && wsa_signaled(w->evfd[o->ev]) != 1)
			FAIL(OP_FMT ": completed inside SUBMIT, but its event was"
			     " not signaled when the call returned", OP_ARG(o));
		w->st.immediate++;
	} else if (err == EINPROGRESS) {
		w->st.pended++;
	} else {
		/* Not started: nothing may have been written. */
		if (ovl_status_raw(o) != STATUS_PENDING)
			FAIL(OP_FMT ": SUBMIT failed (%s), but wrote a status",
			     OP_ARG(o), strerror(err));
		op_put(w, o);
		submit_refused(w, e, kind, err);
		return false;
	}
	if (o->compat)
		w->st.compat++;
	if (o->niov > 1)
		w->st.multi_iov++;
	if (o->waitall)
		w->st.waitall++;
	if (kind == WSAEVENT_OP_RECV) {
		fifo_push(&e->rxh, &e->rxt, o);
		e->nrx++;
		e->rx_seq++;
		e->rx_cap += len;
	} else {
		fifo_push(&e->txh, &e->txt, o);
		e->ntx++;
		e->tx_seq++;
		d->tx_off += len;
	}
	return true;
}

/* A non-overlapped recv() or WSAEVENT_IOC_RECV, only with none pending. */
static void plain_recv(struct worker *w, struct end *e)
{
	struct dir *d = e->rx;
	size_t len = 1 + (size_t)rnd(&w->rng, MAX_LEN);
	bool dev = rnd(&w->rng, 2);
	struct iovec iov = { .iov_base = w->scratch, .iov_len = len };
	struct wsaevent_msg_args m = {
		.sock = (__u32)e->fd, .flags = MSG_DONTWAIT,
		.iov = (uintptr_t)&iov, .iovcnt = 1,
	};
	ssize_t n, bad;

	if (dev)
		n = ioctl(g_ctx, WSAEVENT_IOC_RECV, &m);
	else
		n = recv(e->fd, w->scratch, len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN)
			return;
		if (errno == ECONNRESET && e->c->doomed) {
			stream_ended(e, TERM_RESET, "plain receive");
			return;
		}
		FAIL(END_FMT ": %s at stream offset %" PRIu64 ": %s", END_ARG(e),
		     dev ? "WSAEVENT_IOC_RECV" : "recv()", d->rx_pos,
		     strerror(errno));
		return;
	}
	if (!n) {
		stream_ended(e, TERM_EOF, "plain receive");
		return;
	}
	if (d->rx_term) {
		FAIL(END_FMT ": plain receive: %zd bytes at offset %" PRIu64
		     " after the stream's %s", END_ARG(e), n, d->rx_pos,
		     term_name[d->rx_term]);
		return;
	}
	bad = pat_check(d->key, d->rx_pos, w->scratch, (size_t)n);
	if (bad >= 0) {
		FAIL(END_FMT ": %s after a cancel: wrong data at stream offset %"
		     PRIu64 " (byte %zd of %zd): 0x%02x, expected 0x%02x",
		     END_ARG(e), dev ? "WSAEVENT_IOC_RECV" : "recv()",
		     d->rx_pos + (uint64_t)bad, bad, n, w->scratch[bad],
		     pat_byte(d->key, d->rx_pos + (uint64_t)bad));
		return;
	}
	w->st.plain_rx++;
	w->st.plain_rx_bytes += (uint64_t)n;
	rx_advance(w, e, (uint64_t)n);
}

/* A non-overlapped send, only with no overlapped send pending. */
static void plain_send(struct worker *w, struct end *e)
{
	struct dir *d = e->tx;
	size_t len = 1 + (size_t)rnd(&w->rng, MAX_LEN);
	bool dev = rnd(&w->rng, 2);
	struct iovec iov = { .iov_base = w->scratch };
	struct wsaevent_msg_args m = {
		.sock = (__u32)e->fd, .flags = MSG_DONTWAIT,
		.iov = (uintptr_t)&iov, .iovcnt = 1,
	};
	ssize_t n;

	if (len > d->quota - d->tx_off)
		len = (size_t)(d->quota - d->tx_off);
	iov.iov_len = len;
	pat_fill(d->key, d->tx_off, w->scratch, len);
	if (dev)
		n = ioctl(g_ctx, WSAEVENT_IOC_SEND, &m);
	else
		n = send(e->fd, w->scratch, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN)
			return;
		if (e->c->doomed && (errno == EPIPE || errno == ECONNRESET)) {
			d->tx_failed = true;
			e->tx_stop = true;
			return;
		}
		FAIL(END_FMT ": %s at stream offset %" PRIu64 ": %s", END_ARG(e),
		     dev ? "WSAEVENT_IOC_SEND" : "send()", d->tx_off,
		     strerror(errno));
		return;
	}
	d->tx_off += (uint64_t)n;
	if (!d->tx_failed)
		d->tx_full += (uint64_t)n;
	w->st.plain_tx++;
	w->st.plain_tx_bytes += (uint64_t)n;
}

static void post_end(struct worker *w, struct end *e)
{
	bool tx_ok;

	if (e->fd < 0)
		return;
	if (e->plain_rx && !e->nrx && !e->rx_stop)
		plain_recv(w, e);
	e->plain_rx = false;
	while (!e->rx_stop && e->nrx < e->rx_depth && !aborted())
		if (!post_op(w, e, WSAEVENT_OP_RECV))
			break;

	tx_ok = !e->tx_stop && !e->cancel_want &&
		!(e->c->strict && w->tc_pending);
	if (tx_ok && !e->ntx && e->tx->tx_off < e->tx->quota &&
	    rnd(&w->rng, 100) < 3)
		plain_send(w, e);
	while (tx_ok && !e->tx_stop && e->ntx < e->tx_depth &&
	       e->tx->tx_off < e->tx->quota && !aborted())
		if (!post_op(w, e, WSAEVENT_OP_SEND))
			break;
}

/* ---- connections ---------------------------------------------------------- */

static int make_pair(int trans, int sv[2])
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam, l = -1, c = -1, a = -1, err;

	if (trans == T_UNIX)
		return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);

	memset(&ss, 0, sizeof(ss));
	if (trans == T_TCP4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		fam = AF_INET;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		fam = AF_INET6;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	l = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&ss, len) || listen(l, 4) ||
	    getsockname(l, (struct sockaddr *)&ss, &len))
		goto fail;
	c = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&ss, len))
		goto fail;
	a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (a < 0)
		goto fail;
	close(l);
	sv[0] = c;
	sv[1] = a;
	return 0;
fail:
	err = errno;
	if (l >= 0)
		close(l);
	if (c >= 0)
		close(c);
	errno = err;
	return -1;
}

/* Small send buffers make sends pend and split; Nagle changes segments. */
static void tune_pair(uint64_t *rng, int trans, const int sv[2])
{
	int i, v;

	for (i = 0; i < 2; i++) {
		if (!rnd(rng, 3)) {
			v = 4096 << rnd(rng, 4);
			setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
		}
		/*
		 * Not on TCP: a receive window below the loopback MSS
		 * leaves the sender to zero-window probes backing off to
		 * seconds, which only slows the run.
		 */
		if (trans == T_UNIX && !rnd(rng, 3)) {
			v = 4096 << rnd(rng, 4);
			setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
		}
		if (trans != T_UNIX && rnd(rng, 4)) {
			v = 1;
			setsockopt(sv[i], IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v));
		}
	}
}

static void conn_init(struct conn *c, uint64_t *rng, int trans, bool strict,
		      const int sv[2], uint64_t q0, uint64_t q1)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->id = atomic_fetch_add(&g_conn_ids, 1);
	c->trans = trans;
	c->strict = strict;
	atomic_init(&c->plain_token, 0);
	for (i = 0; i < 2; i++) {
		struct end *e = &c->end[i];

		c->dir[i].key = seed_for(0x100000 + (uint64_t)c->id * 2 + (uint64_t)i);
		c->dir[i].quota = i ? q1 : q0;
		e->c = c;
		e->idx = i;
		e->fd = sv[i];
		{
			struct stat sb;

			e->ino = fstat(sv[i], &sb) ? 0 : (unsigned long)sb.st_ino;
		}
		e->tx = &c->dir[i];
		e->rx = &c->dir[!i];
		e->rx_depth = 1 + (unsigned int)rnd(rng, g_depth);
		e->tx_depth = 1 + (unsigned int)rnd(rng, g_depth);
		e->rx_stuck_seq = ~0ULL;
		e->tx_stuck_seq = ~0ULL;
	}
}

/* ---- doomed connections ------------------------------------------------- */

static void slot_new(struct worker *w, struct slot *s)
{
	struct conn *c = calloc(1, sizeof(*c));
	int trans = (int)rnd(&w->rng, NTRANS), sv[2];
	uint64_t q0 = 1 + rnd(&w->rng, 1 << 20), q1 = 1 + rnd(&w->rng, 1 << 20);

	if (!c || make_pair(trans, sv)) {
		FAIL("worker %d: cannot make a %s connection: %s", w->id,
		     trans_name[trans], strerror(errno));
		free(c);
		return;
	}
	tune_pair(&w->rng, trans, sv);
	conn_init(c, &w->rng, trans, false, sv, q0, q1);
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->phase = PH_RUN;
	s->next_race = w->harvested + rnd(&w->rng, 50);
	s->doom_at = rnd(&w->rng, 4) ? rnd(&w->rng, q0 + q1) : 0;
	w->st.doomed_conns[trans]++;
}

static void doom(struct worker *w, struct slot *s)
{
	struct conn *c = s->c;
	struct end *K = &c->end[rnd(&w->rng, 2)];
	int zero = 0;

	c->end[0].cancel_want = false;
	c->end[1].cancel_want = false;
	s->race = NULL;
	/* A CANCEL_THREAD that took sends already doomed it. */
	s->action = c->doomed ? DOOM_THREAD : (int)rnd(&w->rng, 4);
	c->doomed = true;
	s->K = K;
	switch (s->action) {
	case DOOM_CANCEL:
		cancel_socket(w, K);
		break;
	case DOOM_RELEASE:
		release_close(w, K, rnd(&w->rng, 2));
		break;
	case DOOM_PLAIN:
		if (atomic_compare_exchange_strong(&c->plain_token, &zero, 1))
			close_plain(w, K);
		else
			release_close(w, K, false);
		break;
	case DOOM_SHUTDOWN:
		/* Once its sends are all complete. */
		K->tx_stop = true;
		s->shut_pending = true;
		break;
	}
	w->st.doom[s->action]++;
	s->phase = PH_POST;
	s->deadline = now_ns() + rnd(&w->rng, 300) * NSEC_PER_MSEC;
}

static void slot_finish(struct worker *w, struct slot *s)
{
	struct conn *c = s->c;
	int i;

	for (i = 0; i < 2; i++) {
		struct dir *d = &c->dir[i];

		if (d->rx_term == TERM_EOF && d->graceful &&
		    d->rx_pos != d->tx_off)
			FAIL(CONN_FMT ": end of file after %" PRIu64 " bytes from"
			     " end %d, which shut down after sending %" PRIu64,
			     CONN_ARG(c), d->rx_pos, i, d->tx_off);
		else if (d->rx_term == TERM_EOF && d->rx_pos < d->tx_full)
			FAIL(CONN_FMT ": end of file after %" PRIu64 " bytes from"
			     " end %d, whose completed sends hold %" PRIu64
			     " (%s): bytes lost", CONN_ARG(c), d->rx_pos, i,
			     d->tx_full, doom_name[s->action]);
		w->st.doomed_bytes += d->rx_pos;
	}
	free(c);
	s->c = NULL;
}

/*
 * Cancel receives while data for them is surely queued: one end sends
 * (a plain send, complete when it returns: on loopback the data is then
 * in the peer's receive queue and its io_work merely queued) and the
 * peer's receives are cancelled at once, racing the completion.  Both
 * ends first let their overlapped sends drain, so only receives are
 * cancelled and the stream must go on where the completed ones left off.
 */
static void race_cancel(struct worker *w, struct slot *s)
{
	struct conn *c = s->c;
	struct end *P = s->race, *K;

	if (c->doomed)
		return;
	if (!P) {
		if (w->harvested < s->next_race)
			return;
		P = &c->end[rnd(&w->rng, 2)];
		s->race = P;
		c->end[0].cancel_want = true;
		c->end[1].cancel_want = true;
	}
	K = &c->end[!P->idx];
	if (P->ntx || K->ntx)
		return;
	if (K->tx->tx_off < K->tx->quota)
		plain_send(w, K);
	cancel_socket(w, P);
	c->end[0].cancel_want = false;
	c->end[1].cancel_want = false;
	s->race = NULL;
	s->next_race = w->harvested + 10 + rnd(&w->rng, 60);
	w->st.races++;
}

static bool slot_idle(const struct conn *c)
{
	return !(c->end[0].nrx + c->end[0].ntx + c->end[1].nrx + c->end[1].ntx);
}

static void slot_step(struct worker *w, struct slot *s)
{
	bool stopping = atomic_load(&g_strict_left) == 0;
	struct conn *c = s->c;
	struct end *e;
	int first;

	if (!c) {
		if (!stopping)
			slot_new(w, s);
		return;
	}
	switch (s->phase) {
	case PH_RUN:
		race_cancel(w, s);
		if (stopping || c->doomed ||
		    c->dir[0].tx_off + c->dir[1].tx_off >= s->doom_at ||
		    (c->dir[0].rx_pos == c->dir[0].quota &&
		     c->dir[1].rx_pos == c->dir[1].quota))
			doom(w, s);
		break;
	case PH_POST:
		if (s->shut_pending && !s->K->ntx) {
			if (shutdown(s->K->fd, SHUT_WR))
				FAIL(END_FMT ": shutdown: %s", END_ARG(s->K),
				     strerror(errno));
			s->K->tx->graceful = !s->K->tx->tx_failed;
			s->shut_pending = false;
		}
		if (!s->shut_pending && (now_ns() >= s->deadline || stopping)) {
			s->phase = PH_CLOSING;
			s->deadline = now_ns() + rnd(&w->rng, 50) * NSEC_PER_MSEC;
			first = (int)rnd(&w->rng, 2);
			if (c->end[first].fd >= 0)
				close_end(w, &c->end[first]);
		}
		break;
	case PH_CLOSING:
		e = c->end[0].fd >= 0 ? &c->end[0] : &c->end[1];
		if (e->fd >= 0 && now_ns() >= s->deadline)
			close_end(w, e);
		if (c->end[0].fd < 0 && c->end[1].fd < 0 && slot_idle(c))
			slot_finish(w, s);
		break;
	}
}

/* ---- the worker ------------------------------------------------------------ */

/*
 * An operation at the head of its queue whose socket lets it progress
 * (data or an end of file to read; room to send, or an error) must not
 * stay pending: fail when one does for the stuck time.
 */
static void stuck_check_one(struct end *e, struct op *h, bool able,
			    uint64_t *seq, uint64_t *since, uint64_t now)
{
	if (!h || !able || op_final(h)) {
		*seq = ~0ULL;
		return;
	}
	if (*seq != h->seq) {
		*seq = h->seq;
		*since = now;
	} else if (now - *since > g_stuck_ns) {
		int inq = -1, outq = -1;

		ioctl(e->fd, SIOCINQ, &inq);
		ioctl(e->fd, SIOCOUTQ, &outq);
		FAIL(OP_FMT ": still pending %.1f s after its socket became %s"
		     " (%d bytes to read, %d unsent)", OP_ARG(h),
		     (double)(now - *since) / NSEC_PER_SEC,
		     h->kind == WSAEVENT_OP_RECV ? "readable" : "writable",
		     inq, outq);
	}
}

static void stuck_check(struct worker *w)
{
	uint64_t now = now_ns();

	if (now < w->next_stuck_check)
		return;
	w->next_stuck_check = now + NSEC_PER_SEC;
	FOR_EACH_END(w, e, {
		struct pollfd pfd = { .fd = e->fd, .events = POLLIN | POLLOUT };
		bool rx_able;
		int inq = 0;

		if (e->fd < 0 || poll(&pfd, 1, 0) < 0)
			continue;
		rx_able = pfd.revents & (POLLIN | POLLERR | POLLHUP);
		/* A MSG_WAITALL one needs all it can take, or the end. */
		if (rx_able && e->rxh && e->rxh->waitall &&
		    !(pfd.revents & (POLLERR | POLLHUP)) &&
		    (ioctl(e->fd, SIOCINQ, &inq) || (size_t)inq < e->rxh->len))
			rx_able = false;
		stuck_check_one(e, e->rxh, rx_able,
				&e->rx_stuck_seq, &e->rx_stuck_since, now);
		stuck_check_one(e, e->txh, pfd.revents & (POLLOUT | POLLERR | POLLHUP),
				&e->tx_stuck_seq, &e->tx_stuck_since, now);
	});
}

static bool strict_sends_idle(struct worker *w)
{
	unsigned int i;

	for (i = 0; i < w->nstrict; i++)
		if (w->strict[i]->ntx)
			return false;
	return true;
}

static void actions(struct worker *w)
{
	unsigned int i;
	struct end *e;

	/* A receive cancel on a strict socket, once its sends are done. */
	if (w->nstrict && w->harvested >= w->next_sc) {
		w->next_sc = w->harvested + 20 + rnd(&w->rng, 200);
		e = w->strict[rnd(&w->rng, w->nstrict)];
		if (e->fd >= 0 && !e->rx_stop)
			e->cancel_want = true;
	}
	for (i = 0; i < w->nstrict; i++) {
		e = w->strict[i];
		if (!e->cancel_want)
			continue;
		if (e->fd < 0) {
			e->cancel_want = false;
		} else if (!e->ntx) {
			cancel_socket(w, e);
			e->cancel_want = false;
		}
	}

	/* A thread cancel, once the strict sends are done. */
	if (!w->tc_pending && w->harvested >= w->next_tc) {
		w->next_tc = w->harvested + 100 + rnd(&w->rng, 600);
		w->tc_pending = true;
	}
	if (w->tc_pending && strict_sends_idle(w)) {
		cancel_thread(w);
		w->tc_pending = false;
	}

	/* Close the strict ends that are done. */
	for (i = 0; i < w->nstrict; i++) {
		e = w->strict[i];
		if (e->fd >= 0 && !e->cancel_want && !e->ntx &&
		    e->tx->tx_off == e->tx->quota && e->rx_stop &&
		    e->rx->rx_pos == e->rx->quota)
			close_end(w, e);
	}

	for (i = 0; i < SLOTS_PER_WORKER; i++)
		slot_step(w, &w->slots[i]);

	stuck_check(w);

	/* Now and then, other depths. */
	if (!rnd(&w->rng, 64)) {
		FOR_EACH_END(w, e2, {
			e2->rx_depth = 1 + (unsigned int)rnd(&w->rng, g_depth);
			e2->tx_depth = 1 + (unsigned int)rnd(&w->rng, g_depth);
		});
	}
}

static void post_all(struct worker *w)
{
	unsigned int i;

	for (i = 0; i < w->nstrict; i++)
		post_end(w, w->strict[i]);
	for (i = 0; i < SLOTS_PER_WORKER; i++) {
		struct slot *s = &w->slots[i];

		if (!s->c || s->phase == PH_CLOSING)
			continue;
		post_end(w, &s->c->end[0]);
		post_end(w, &s->c->end[1]);
	}
}

static bool worker_finished(struct worker *w)
{
	unsigned int i;

	if (atomic_load(&g_strict_left))
		return false;
	for (i = 0; i < w->nstrict; i++) {
		struct end *e = w->strict[i];

		if (e->fd >= 0 || e->nrx || e->ntx)
			return false;
	}
	for (i = 0; i < SLOTS_PER_WORKER; i++)
		if (w->slots[i].c)
			return false;
	return true;
}

static void woke(struct worker *w, __u32 idx)
{
	if (idx >= NEV) {
		FAIL("worker %d: WAIT_ANY returned index %u", w->id, idx);
		return;
	}
	w->st.wakes++;
	if (w->manual[idx] && wsa_reset(w->evfd[idx]) < 0)
		FAIL("worker %d: reset of event %u: %s", w->id, idx,
		     strerror(errno));
}

/* A completed operation's event must be signaled (else a wake-up is lost). */
static void lost_signal_check(struct worker *w)
{
	FOR_EACH_END(w, e, {
		struct op *o;
		int pass;

		for (pass = 0; pass < 2; pass++) {
			for (o = pass ? e->txh : e->rxh; o; o = o->next) {
				if (!op_final(o) || wsa_signaled(w->evfd[o->ev]) == 1)
					continue;
				/* The status is written just before the signal. */
				sleep_ms(200);
				if (wsa_signaled(w->evfd[o->ev]) != 1)
					FAIL(OP_FMT ": completed (status %" PRId64
					     ") but its event %d is not signaled",
					     OP_ARG(o), o->status, o->ev);
			}
		}
	});
}

static void wait_events(struct worker *w)
{
	struct wsaevent_wait_args a;
	int i;

	memset(&a, 0, sizeof(a));
	a.timeout = deadline_ms(WAIT_MS);
	for (i = 0; i < SLOTS_PER_WORKER; i++) {
		struct slot *s = &w->slots[i];

		if (s->c && ((s->phase == PH_POST && !s->shut_pending) ||
			     s->phase == PH_CLOSING) && s->deadline < a.timeout)
			a.timeout = s->deadline;
	}
	a.objs = (uintptr_t)w->evobjs;
	a.count = NEV;
	if (ioctl(g_ctx, WSAEVENT_IOC_WAIT_ANY, &a)) {
		if (errno == ETIMEDOUT) {
			w->st.wait_timeouts++;
			/* Nothing was signaled: nothing may have completed. */
			lost_signal_check(w);
		} else if (errno != EINTR) {
			FAIL("worker %d: WAIT_ANY: %s", w->id, strerror(errno));
		}
		return;
	}
	woke(w, a.index);
	/* Take the others that are signaled too, without blocking. */
	for (i = 0; i < NEV && !aborted(); i++) {
		a.timeout = 0;
		if (ioctl(g_ctx, WSAEVENT_IOC_WAIT_ANY, &a)) {
			if (errno != ETIMEDOUT && errno != EINTR)
				FAIL("worker %d: WAIT_ANY poll: %s", w->id,
				     strerror(errno));
			return;
		}
		woke(w, a.index);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!aborted()) {
		harvest_all(w);
		actions(w);
		harvest_all(w);
		if (worker_finished(w))
			break;
		post_all(w);
		wait_events(w);
	}
	atomic_store(&w->done, true);
	return NULL;
}

/* ---- setup, report, leaks ------------------------------------------------- */

static int count_fds(void)
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
	return n - 1;	/* the directory's own */
}

static int sockets_used(void)
{
	char line[256];
	FILE *f = fopen("/proc/net/sockstat", "re");
	int n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "sockets: used %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

static bool read_ulong(const char *path, unsigned long *v)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%lu", v) == 1;
	fclose(f);
	return ok;
}

/* Say what is still pending, and in what state its socket is. */
static void dump_end(struct end *e, uint64_t now)
{
	int inq = -1, outq = -1;
	struct op *o;
	int pass, shown = 0;

	if (!e->nrx && !e->ntx)
		return;
	if (e->fd >= 0) {
		ioctl(e->fd, SIOCINQ, &inq);
		ioctl(e->fd, SIOCOUTQ, &outq);
	}
	diag("  " END_FMT ": fd %d (ino %lu), %u recv and %u send pending, rx offset %"
	     PRIu64 "/%" PRIu64 " (%s), tx offset %" PRIu64 "/%" PRIu64
	     ", unread %d, unsent %d", END_ARG(e), e->fd, e->ino, e->nrx, e->ntx,
	     e->rx->rx_pos, e->rx->quota, term_name[e->rx->rx_term],
	     e->tx->tx_off, e->tx->quota, inq, outq);
	for (pass = 0; pass < 2; pass++) {
		for (o = pass ? e->txh : e->rxh; o && shown < 6; o = o->next) {
			shown++;
			diag("    %s #%" PRIu64 ": %zu bytes, %s, pending for %"
			     PRIu64 " ms", op_kind(o), o->seq, o->len,
			     op_final(o) ? "completed" : "not completed",
			     (uint64_t)((now - o->t_submit) / NSEC_PER_MSEC));
		}
	}
}

static void dump_pending(struct worker *ws, unsigned int nw)
{
	uint64_t now = now_ns();
	unsigned int i;

	{
		char path[64], line[512];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", g_ctx);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "wsaevent", 8))
				diag("ctx %s", strtok(line, "\n"));
		if (f)
			fclose(f);
	}
	diag("still pending:");
	for (i = 0; i < nw; i++) {
		struct worker *w = &ws[i];
		int j;

		FOR_EACH_END(w, e, dump_end(e, now));
		for (j = 0; j < SLOTS_PER_WORKER; j++) {
			struct slot *s = &w->slots[j];

			if (!s->c || slot_idle(s->c))
				continue;
			diag("  worker %d slot %d: conn %d, phase %d,"
			     " action %d, shut_pending %d, K end %d, fds %d/%d",
			     w->id, j, s->c->id, s->phase, s->action,
			     s->shut_pending, s->K ? s->K->idx : -1,
			     s->c->end[0].fd, s->c->end[1].fd);
		}
	}
}

/*
 * The context's accounting must be back to zero: exactly max_ops
 * operations fit, then one more fails with ENOBUFS; and exactly
 * max_pinned_kb of pinned pages fit.  A charge left behind by the stress
 * would make these fail early.
 */
static bool accounting_ok(void)
{
	unsigned long max_ops, max_kb, pages, i, psz = (unsigned long)getpagesize();
	struct wsaevent_cancel_args ca = { .flags = WSAEVENT_CANCEL_SOCKET };
	struct wsaevent_io_args a;
	struct iovec iov;
	int64_t *ovl;
	unsigned char *big, *pg;
	bool ok = true;
	int sv[2], n;

	if (!read_ulong("/sys/module/wsaevent/parameters/max_ops", &max_ops) ||
	    !read_ulong("/sys/module/wsaevent/parameters/max_pinned_kb", &max_kb)) {
		diag("accounting check skipped: no module parameters");
		return true;
	}
	pages = max_kb * 1024 / psz;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return false;
	ca.sock = (__u32)sv[0];

	if (max_ops <= 16384 && max_ops < pages) {
		/* Zero-byte receives: each pins only its overlapped's page. */
		ovl = calloc(max_ops + 1, 32);
		if (!ovl)
			goto out;
		for (i = 0; i <= max_ops && ok; i++) {
			iov.iov_base = ovl;
			iov.iov_len = 0;
			ovl[i * 4] = STATUS_PENDING;
			memset(&a, 0, sizeof(a));
			a.sock = (__u32)sv[0];
			a.op = WSAEVENT_OP_RECV;
			a.iov = (uintptr_t)&iov;
			a.iovcnt = 1;
			a.overlapped = (uintptr_t)&ovl[i * 4];
			n = ioctl(g_ctx, WSAEVENT_IOC_SUBMIT, &a);
			if (i < max_ops && (n != -1 || errno != EINPROGRESS)) {
				diag("FAIL: after the stress, operation %lu of max_ops"
				     " %lu: %s: operations left charged to the context",
				     i + 1, max_ops, n ? strerror(errno) : "completed");
				ok = false;
			} else if (i == max_ops && (n != -1 || errno != ENOBUFS)) {
				diag("FAIL: operation %lu was accepted past max_ops",
				     i + 1);
				ok = false;
			}
		}
		n = ioctl(g_ctx, WSAEVENT_IOC_CANCEL, &ca);
		if (ok && n != (int)max_ops) {
			diag("FAIL: CANCEL_SOCKET cancelled %d of %lu", n, max_ops);
			ok = false;
		}
		for (i = 0; ok && i < max_ops; i++) {
			if (ovl[i * 4] != -ECANCELED) {
				diag("FAIL: operation %lu: status %" PRId64, i,
				     ovl[i * 4]);
				ok = false;
			}
		}
		free(ovl);
	}

	if (ok && pages >= 2 && pages <= 65536) {
		/* pages - 1 of buffer + 1 of WSAOVERLAPPED: exactly the limit. */
		big = mmap(NULL, (pages - 1) * psz, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		pg = mmap(NULL, psz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (big == MAP_FAILED || pg == MAP_FAILED)
			goto out;
		ovl = (int64_t *)pg;
		ovl[0] = STATUS_PENDING;
		ovl[4] = STATUS_PENDING;
		iov.iov_base = big;
		iov.iov_len = (pages - 1) * psz;
		memset(&a, 0, sizeof(a));
		a.sock = (__u32)sv[0];
		a.op = WSAEVENT_OP_RECV;
		a.iov = (uintptr_t)&iov;
		a.iovcnt = 1;
		a.overlapped = (uintptr_t)&ovl[0];
		n = ioctl(g_ctx, WSAEVENT_IOC_SUBMIT, &a);
		if (n != -1 || errno != EINPROGRESS) {
			diag("FAIL: after the stress, a receive pinning max_pinned_kb"
			     " (%lu KiB) exactly: %s: pages left charged to the"
			     " context", max_kb, n ? strerror(errno) : "completed");
			ok = false;
		}
		iov.iov_base = pg + 1024;
		iov.iov_len = 1;
		a.overlapped = (uintptr_t)&ovl[4];
		n = ioctl(g_ctx, WSAEVENT_IOC_SUBMIT, &a);
		if (ok && (n != -1 || errno != ENOBUFS)) {
			diag("FAIL: a receive past max_pinned_kb: %s",
			     n ? strerror(errno) : "accepted");
			ok = false;
		}
		ioctl(g_ctx, WSAEVENT_IOC_CANCEL, &ca);
		munmap(big, (pages - 1) * psz);
		munmap(pg, psz);
	}
out:
	close(sv[0]);
	close(sv[1]);
	return ok;
}

static void add_stats(struct stats *t, const struct stats *s)
{
	const uint64_t *a = (const uint64_t *)s;
	uint64_t *b = (uint64_t *)t;
	size_t i;

	for (i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		b[i] += a[i];
}

static void report(struct conn *conns, unsigned int nconn, struct worker *ws,
		   unsigned int nw, double secs)
{
	struct stats t;
	uint64_t strict = 0;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < nw; i++)
		add_stats(&t, &ws[i].st);
	for (i = 0; i < nconn; i++) {
		struct conn *c = &conns[i];

		diag(CONN_FMT ": %" PRIu64 " bytes 0->1, %" PRIu64 " bytes 1->0",
		     CONN_ARG(c), c->dir[0].rx_pos, c->dir[1].rx_pos);
		strict += c->dir[0].rx_pos + c->dir[1].rx_pos;
	}
	diag("doomed connections: %" PRIu64 " tcp4, %" PRIu64 " tcp6, %" PRIu64
	     " unix, %" PRIu64 " bytes; ended by %" PRIu64 " %s, %" PRIu64 " %s, %"
	     PRIu64 " %s, %" PRIu64 " %s, %" PRIu64 " %s",
	     t.doomed_conns[T_TCP4], t.doomed_conns[T_TCP6],
	     t.doomed_conns[T_UNIX], t.doomed_bytes,
	     t.doom[0], doom_name[0], t.doom[1], doom_name[1], t.doom[2],
	     doom_name[2], t.doom[3], doom_name[3], t.doom[4], doom_name[4]);
	diag("receives: %" PRIu64 " with data (%" PRIu64 " bytes), %" PRIu64
	     " zero-byte, %" PRIu64 " end of file, %" PRIu64 " cancelled, %"
	     PRIu64 " reset; %" PRIu64 " MSG_WAITALL, %" PRIu64 " of them"
	     " completed partly filled", t.rx_ops, t.rx_bytes - t.plain_rx_bytes,
	     t.rx_zero, t.rx_eof, t.rx_cancelled, t.rx_reset, t.waitall,
	     t.waitall_partial);
	diag("sends: %" PRIu64 " completed (%" PRIu64 " bytes), %" PRIu64
	     " cancelled, %" PRIu64 " failed by the peer's close; %" PRIu64
	     " submissions refused after a reset", t.tx_ops, t.tx_bytes,
	     t.tx_cancelled, t.tx_failed, t.submit_refused);
	diag("submitted: %" PRIu64 " completed at once, %" PRIu64 " pended; %"
	     PRIu64 " scattered, %" PRIu64 " 32-bit overlapped, %" PRIu64
	     " on a shared event; %" PRIu64 " wake-ups, %" PRIu64 " idle waits",
	     t.immediate, t.pended, t.multi_iov, t.compat, t.shared_ev, t.wakes,
	     t.wait_timeouts);
	diag("cancels: %" PRIu64 " CANCEL_SOCKET (%" PRIu64 " right after the"
	     " peer sent), %" PRIu64 " CANCEL_THREAD, %" PRIu64 " RELEASE; %"
	     PRIu64 " operations cancelled", t.cancel_socket, t.races,
	     t.cancel_thread, t.releases, t.cancelled);
	diag("closes: %" PRIu64 " plain, %" PRIu64 " plain with operations pending, %"
	     PRIu64 " RELEASE+close, %" PRIu64 " CANCEL_SOCKET+RELEASE+close",
	     t.close_plain, t.close_plain_pending, t.close_release,
	     t.close_cancel_release);
	diag("plain transfers between overlapped ones: %" PRIu64 " receives (%"
	     PRIu64 " bytes), %" PRIu64 " sends (%" PRIu64 " bytes)", t.plain_rx,
	     t.plain_rx_bytes, t.plain_tx, t.plain_tx_bytes);
	diag("moved %.1f MiB (strict %" PRIu64 " bytes, doomed %" PRIu64
	     " bytes), every byte checked, in %.1f s",
	     (double)(strict + t.doomed_bytes) / (1 << 20), strict,
	     t.doomed_bytes, secs);
}

static void close_conn_fds(struct conn *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->end[i].fd < 0)
			continue;
		ioctl(g_ctx, WSAEVENT_IOC_RELEASE, (unsigned long)c->end[i].fd);
		close(c->end[i].fd);
		c->end[i].fd = -1;
	}
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, integrity, 3600)
{
	uint64_t mb, nw, pairs, stall_s, total, rng, ops_total, last_p, t0, t_last;
	uint64_t t_report;
	unsigned long max_ops = 4096, max_kb = 65536;
	unsigned int i, j, k, nconn, ndirs, nends;
	struct worker *ws;
	struct conn *conns;
	int fd0, sock0, sv[2], n;
	bool stalled = false;
	char buf[64];
	const char *v;

	mb = param_u64("STRESS_MB", 32, 256);
	nw = param_u64("STRESS_THREADS", 4, 4);
	pairs = param_u64("STRESS_PAIRS", 2, 2);
	stall_s = param_u64("STRESS_STALL_S", 30, 120);
	g_stuck_ns = param_u64("STRESS_STUCK_S", 10, 60) * NSEC_PER_SEC;
	v = param_str("STRESS_SEED", buf, sizeof(buf));
	g_seed = v ? strtoull(v, NULL, 0) :
		(now_ns() ^ ((uint64_t)getpid() << 32)) | 1;
	ASSERT_LT(0ULL, mb);
	ASSERT_LT(0ULL, nw);
	ASSERT_GE(64ULL, nw);
	ASSERT_LT(0ULL, pairs);
	ASSERT_GE(16ULL, pairs);
	nconn = NTRANS * (unsigned int)pairs;
	ndirs = 2 * nconn;
	total = mb << 20;
	signal(SIGPIPE, SIG_IGN);

	/* Keep the worst case within the module's limits. */
	read_ulong("/sys/module/wsaevent/parameters/max_ops", &max_ops);
	read_ulong("/sys/module/wsaevent/parameters/max_pinned_kb", &max_kb);
	nends = 2 * nconn + 2 * SLOTS_PER_WORKER * (unsigned int)nw;
	for (;;) {
		ops_total = (uint64_t)nends * 2 * g_depth;
		/* data pages of a scattered 64 KiB, and two for the ovl */
		if ((ops_total <= max_ops &&
		     ops_total * (MAX_LEN / 4096 + MAX_IOV + 3) <= max_kb / 4) ||
		    g_depth == 1)
			break;
		g_depth--;
	}

	diag("stress: %" PRIu64 " MiB through %u strict connections (tcp4, tcp6,"
	     " unix x %" PRIu64 "), %" PRIu64 " workers with %d doomed slot(s)"
	     " each, up to %u receives and %u sends pending per end, seed %#"
	     PRIx64 " (WSAEVENT_STRESS_SEED), stall limit %" PRIu64 " s",
	     mb, nconn, pairs, nw, SLOTS_PER_WORKER, g_depth, g_depth, g_seed,
	     stall_s);

	fd0 = count_fds();
	sock0 = sockets_used();
	g_ctx = open(WSAEVENT_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, g_ctx);
	rng = seed_for(1);

	ws = calloc(nw, sizeof(*ws));
	conns = calloc(nconn, sizeof(*conns));
	ASSERT_NE(NULL, ws);
	ASSERT_NE(NULL, conns);
	for (i = 0; i < nw; i++) {
		struct worker *w = &ws[i];

		w->id = (int)i;
		w->rng = seed_for(1000 + i);
		w->next_sc = rnd(&w->rng, 100);
		w->next_tc = 50 + rnd(&w->rng, 300);
		for (k = 0; k < NEV; k++) {
			w->manual[k] = k < 4 || k >= NSHARED;
			n = wsa_create(g_ctx, w->manual[k] ? WSAEVENT_EVENT_MANUAL : 0);
			ASSERT_LE(0, n);
			w->evfd[k] = n;
			w->evobjs[k] = (__u32)n;
			if (k >= NSHARED)
				w->ded[w->nded++] = (int)k;
		}
		w->strict = calloc(2 * nconn, sizeof(*w->strict));
		w->scratch = malloc(MAX_LEN + 64);
		ASSERT_NE(NULL, w->strict);
		ASSERT_NE(NULL, w->scratch);
	}

	/* Strict connections: their ends in two different workers. */
	for (i = 0; i < nconn; i++) {
		int trans = (int)(i % NTRANS);
		uint64_t q0 = total / ndirs, q1 = total / ndirs;

		if (!i)
			q0 += total % ndirs;
		ASSERT_EQ(0, make_pair(trans, sv)) {
			TH_LOG("%s connection: %s", trans_name[trans],
			       strerror(errno));
		}
		tune_pair(&rng, trans, sv);
		conn_init(&conns[i], &rng, trans, true, sv, q0, q1);
		for (j = 0; j < 2; j++) {
			struct worker *w = &ws[(i + j) % nw];

			w->strict[w->nstrict++] = &conns[i].end[j];
		}
	}
	atomic_store(&g_strict_left, (int)ndirs);

	for (i = 0; i < nw; i++) {
		struct worker *w = &ws[i];

		w->nops = (w->nstrict + 2 * SLOTS_PER_WORKER) * 2 * g_depth + 4;
		w->ops = calloc(w->nops, sizeof(*w->ops));
		w->arena = mmap(NULL, (size_t)w->nops * SLOT_BYTES,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(NULL, w->ops);
		ASSERT_NE(MAP_FAILED, w->arena);
		for (k = w->nops; k-- > 0;) {
			w->ops[k].idx = k;
			w->ops[k].next = w->free_ops;
			w->free_ops = &w->ops[k];
		}
	}

	t0 = now_ns();
	/* Braces: ASSERT_*() is two statements. */
	for (i = 0; i < nw; i++) {
		ASSERT_EQ(0, pthread_create(&ws[i].th, NULL, worker_main, &ws[i]));
	}

	/* Watch for a stall: no operation completing anywhere. */
	last_p = atomic_load(&g_progress);
	t_last = now_ns();
	t_report = t_last;
	for (;;) {
		uint64_t p;
		unsigned int done = 0;

		sleep_ms(100);
		for (i = 0; i < nw; i++)
			done += atomic_load(&ws[i].done);
		if (done == nw)
			break;
		p = atomic_load(&g_progress);
		if (now_ns() - t_report > 15 * NSEC_PER_SEC) {
			t_report = now_ns();
			diag("%.0f s: %.1f MiB checked, %" PRIu64 " operations"
			     " completed, %d strict directions unfinished",
			     (double)(t_report - t0) / NSEC_PER_SEC,
			     (double)atomic_load(&g_bytes) / (1 << 20), p,
			     atomic_load(&g_strict_left));
		}
		if (p != last_p) {
			last_p = p;
			t_last = now_ns();
		} else if (!aborted() &&
			   now_ns() - t_last > stall_s * NSEC_PER_SEC) {
			FAIL("no operation completed for %" PRIu64 " s (%d strict"
			     " directions unfinished)", stall_s,
			     atomic_load(&g_strict_left));
			stalled = true;
		}
	}
	for (i = 0; i < nw; i++)
		pthread_join(ws[i].th, NULL);

	if (atomic_load(&g_errors)) {
		if (stalled)
			dump_pending(ws, nw);
		/*
		 * Close everything, context last, which completes whatever
		 * is still pending; buffers are not freed, the kernel may
		 * still have been writing them.
		 */
		for (i = 0; i < nconn; i++)
			close_conn_fds(&conns[i]);
		for (i = 0; i < nw; i++) {
			for (k = 0; k < SLOTS_PER_WORKER; k++)
				if (ws[i].slots[k].c)
					close_conn_fds(ws[i].slots[k].c);
			for (k = 0; k < NEV; k++)
				close(ws[i].evfd[k]);
		}
		close(g_ctx);
		ASSERT_EQ(0, atomic_load(&g_errors));
	}

	report(conns, nconn, ws, nw, (double)(now_ns() - t0) / NSEC_PER_SEC);
	for (i = 0; i < nconn; i++) {
		EXPECT_EQ(conns[i].dir[0].quota, conns[i].dir[0].rx_pos);
		EXPECT_EQ(conns[i].dir[1].quota, conns[i].dir[1].rx_pos);
	}

	/* Let the last completions finish releasing what they held. */
	sleep_ms(200);
	EXPECT_TRUE(accounting_ok());

	for (i = 0; i < nw; i++) {
		for (k = 0; k < NEV; k++)
			close(ws[i].evfd[k]);
		for (k = 0; k < ws[i].nops; k++)
			free(ws[i].ops[k].mem);
		munmap(ws[i].arena, (size_t)ws[i].nops * SLOT_BYTES);
		free(ws[i].ops);
		free(ws[i].strict);
		free(ws[i].scratch);
	}
	close(g_ctx);
	free(ws);
	free(conns);

	EXPECT_EQ(fd0, count_fds());
	if (sock0 >= 0) {
		/* Closed sockets go away once their peers have closed too. */
		for (i = 0; i < 100 && sockets_used() > sock0; i++)
			sleep_ms(100);
		EXPECT_GE(sock0, sockets_used()) {
			TH_LOG("sockets in use: %d before, %d after",
			       sock0, sockets_used());
		}
	}
	EXPECT_EQ(0, atomic_load(&g_errors));
}

TEST_HARNESS_MAIN
