// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * event_threads - Winsock event objects coordinating threads.
 *
 * Written as a Windows programmer writes Winsock code: <winsock2.h>,
 * WSAStartup(MAKEWORD(2,2)), WSACreateEvent, WSASetEvent, WSAResetEvent,
 * WSAWaitForMultipleEvents, WSACloseEvent, WSACleanup.  Threads are
 * pthreads because Linux has no CreateThread.
 *
 *  1. Three workers block on a manual-reset "start" event; the main
 *     thread checks that nobody is done (wait-all with timeout 0), then
 *     releases them all with one WSASetEvent.
 *  2. The main thread waits for any worker (wait-any), then for all of
 *     them (wait-all).
 *  3. A ping-pong with a fourth thread, manual-reset events reset by the
 *     waiter: five round trips.
 *  4. A wait nobody satisfies times out after 200 ms (not earlier).
 *  5. A stop event ends the workers; the events are closed; a second
 *     close fails with WSA_INVALID_HANDLE; WSACleanup.
 *
 * Exit status 0 when everything behaved as Winsock specifies, 1
 * otherwise.  The pass/fail outcome does not depend on scheduling; only
 * which worker finishes first (printed in step 2) may vary.
 */
#include <winsock2.h>

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define NUM_WORKERS	3
#define ROUNDS		5
#define TIMEOUT_MS	200
/* Bound for waits that must succeed: generous for slow emulators. */
#define SAFETY_MS	20000

static WSAEVENT hStart, hStop;
static WSAEVENT hDone[NUM_WORKERS];
static WSAEVENT hPing, hPong;
static unsigned long results[NUM_WORKERS];
static int worker_failed[NUM_WORKERS];
static int pingpong_failed;

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		printf("FAIL line %d: ", __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
		failures++; \
	} \
} while (0)

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	unsigned long sum = 0;
	unsigned long i;
	DWORD dwRet;

	/* Block until the main thread says go. */
	dwRet = WSAWaitForMultipleEvents(1, &hStart, FALSE, SAFETY_MS, FALSE);
	if (dwRet != WSA_WAIT_EVENT_0) {
		worker_failed[id] = 1;
		return NULL;
	}

	/* "Work": the sum of 1..(id + 1) * 100000. */
	for (i = 1; i <= (unsigned long)(id + 1) * 100000; i++)
		sum += i;
	results[id] = sum;
	if (!WSASetEvent(hDone[id])) {
		worker_failed[id] = 1;
		return NULL;
	}

	/* Stay around until told to stop. */
	dwRet = WSAWaitForMultipleEvents(1, &hStop, FALSE, SAFETY_MS, FALSE);
	if (dwRet != WSA_WAIT_EVENT_0)
		worker_failed[id] = 1;
	return NULL;
}

static void *ponger(void *arg)
{
	int round;

	(void)arg;
	for (round = 0; round < ROUNDS; round++) {
		if (WSAWaitForMultipleEvents(1, &hPing, FALSE, SAFETY_MS,
					     FALSE) != WSA_WAIT_EVENT_0 ||
		    !WSAResetEvent(hPing) || !WSASetEvent(hPong)) {
			pingpong_failed = 1;
			return NULL;
		}
	}
	return NULL;
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1000.0 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static unsigned long expected_sum(int id)
{
	unsigned long n = (unsigned long)(id + 1) * 100000;

	return n * (n + 1) / 2;
}

int main(void)
{
	WSADATA wsaData;
	pthread_t threads[NUM_WORKERS], pong_thread;
	int started = 0, pong_started = 0;
	struct timespec t0;
	DWORD dwRet;
	double ms;
	int i, err;

	setvbuf(stdout, NULL, _IOLBF, 0);

	err = WSAStartup(MAKEWORD(2, 2), &wsaData);
	if (err != 0) {
		printf("WSAStartup failed with error %d%s\n", err,
		       err == WSASYSNOTREADY ?
		       " (WSASYSNOTREADY: is the wsaevent module loaded?)" : "");
		return 1;
	}
	printf("WSAStartup: version %d.%d (highest %d.%d), \"%s\", \"%s\"\n",
	       LOBYTE(wsaData.wVersion), HIBYTE(wsaData.wVersion),
	       LOBYTE(wsaData.wHighVersion), HIBYTE(wsaData.wHighVersion),
	       wsaData.szDescription, wsaData.szSystemStatus);
	CHECK(wsaData.wVersion == MAKEWORD(2, 2), "wVersion 0x%04x",
	      wsaData.wVersion);

	hStart = WSACreateEvent();
	hStop = WSACreateEvent();
	hPing = WSACreateEvent();
	hPong = WSACreateEvent();
	for (i = 0; i < NUM_WORKERS; i++)
		hDone[i] = WSACreateEvent();
	if (hStart == WSA_INVALID_EVENT || hStop == WSA_INVALID_EVENT ||
	    hPing == WSA_INVALID_EVENT || hPong == WSA_INVALID_EVENT ||
	    hDone[0] == WSA_INVALID_EVENT || hDone[1] == WSA_INVALID_EVENT ||
	    hDone[2] == WSA_INVALID_EVENT) {
		printf("WSACreateEvent failed with error %d\n",
		       WSAGetLastError());
		WSACleanup();
		return 1;
	}
	printf("created %d manual-reset events\n", 4 + NUM_WORKERS);

	/* 1. Start the workers; they block on hStart. */
	for (i = 0; i < NUM_WORKERS; i++) {
		if (pthread_create(&threads[i], NULL, worker,
				   (void *)(intptr_t)i) != 0) {
			CHECK(0, "pthread_create worker %d", i);
			break;
		}
		started++;
	}
	dwRet = WSAWaitForMultipleEvents(NUM_WORKERS, hDone, TRUE, 0, FALSE);
	printf("before start: wait-all with timeout 0 -> %s\n",
	       dwRet == WSA_WAIT_TIMEOUT ? "WSA_WAIT_TIMEOUT" : "?");
	CHECK(dwRet == WSA_WAIT_TIMEOUT, "wait-all before start: 0x%x",
	      (unsigned int)dwRet);

	printf("WSASetEvent(hStart): releasing %d workers\n", started);
	CHECK(WSASetEvent(hStart), "WSASetEvent(hStart): %d",
	      WSAGetLastError());

	/* 2. Any worker, then all workers. */
	dwRet = WSAWaitForMultipleEvents(NUM_WORKERS, hDone, FALSE, SAFETY_MS,
					 FALSE);
	if (dwRet < WSA_WAIT_EVENT_0 + NUM_WORKERS)
		printf("wait-any: worker %u finished first\n",
		       (unsigned int)(dwRet - WSA_WAIT_EVENT_0));
	CHECK(dwRet < WSA_WAIT_EVENT_0 + NUM_WORKERS, "wait-any: 0x%x (%d)",
	      (unsigned int)dwRet, WSAGetLastError());

	dwRet = WSAWaitForMultipleEvents(NUM_WORKERS, hDone, TRUE, SAFETY_MS,
					 FALSE);
	printf("wait-all: %s\n", dwRet == WSA_WAIT_EVENT_0 ?
	       "all workers finished" : "FAILED");
	CHECK(dwRet == WSA_WAIT_EVENT_0, "wait-all: 0x%x (%d)",
	      (unsigned int)dwRet, WSAGetLastError());
	for (i = 0; i < NUM_WORKERS; i++) {
		printf("  worker %d: sum = %lu\n", i, results[i]);
		CHECK(results[i] == expected_sum(i), "worker %d sum %lu", i,
		      results[i]);
	}

	/* Manual-reset events stay signaled until reset. */
	dwRet = WSAWaitForMultipleEvents(NUM_WORKERS, hDone, TRUE, 0, FALSE);
	CHECK(dwRet == WSA_WAIT_EVENT_0, "done events still set: 0x%x",
	      (unsigned int)dwRet);
	for (i = 0; i < NUM_WORKERS; i++)
		CHECK(WSAResetEvent(hDone[i]), "WSAResetEvent(hDone[%d])", i);
	dwRet = WSAWaitForMultipleEvents(NUM_WORKERS, hDone, FALSE, 0, FALSE);
	printf("after WSAResetEvent: wait-any with timeout 0 -> %s\n",
	       dwRet == WSA_WAIT_TIMEOUT ? "WSA_WAIT_TIMEOUT" : "?");
	CHECK(dwRet == WSA_WAIT_TIMEOUT, "after reset: 0x%x",
	      (unsigned int)dwRet);

	/* 3. Ping-pong. */
	if (pthread_create(&pong_thread, NULL, ponger, NULL) == 0)
		pong_started = 1;
	CHECK(pong_started, "pthread_create ponger");
	for (i = 0; pong_started && i < ROUNDS; i++) {
		CHECK(WSASetEvent(hPing), "WSASetEvent(hPing)");
		dwRet = WSAWaitForMultipleEvents(1, &hPong, FALSE, SAFETY_MS,
						 FALSE);
		if (dwRet != WSA_WAIT_EVENT_0) {
			CHECK(0, "pong %d: 0x%x", i, (unsigned int)dwRet);
			break;
		}
		CHECK(WSAResetEvent(hPong), "WSAResetEvent(hPong)");
	}
	printf("ping-pong: %d round trips\n", i);

	/* 4. A timeout. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dwRet = WSAWaitForMultipleEvents(NUM_WORKERS, hDone, FALSE, TIMEOUT_MS,
					 FALSE);
	ms = elapsed_ms(&t0);
	printf("wait-any with timeout %d ms -> %s after %.0f ms\n", TIMEOUT_MS,
	       dwRet == WSA_WAIT_TIMEOUT ? "WSA_WAIT_TIMEOUT" : "?", ms);
	CHECK(dwRet == WSA_WAIT_TIMEOUT, "timeout wait: 0x%x",
	      (unsigned int)dwRet);
	CHECK(ms >= TIMEOUT_MS, "timed out early, after %.3f ms", ms);

	/* 5. Stop and clean up. */
	CHECK(WSASetEvent(hStop), "WSASetEvent(hStop)");
	for (i = 0; i < started; i++) {
		pthread_join(threads[i], NULL);
		CHECK(!worker_failed[i], "worker %d failed", i);
	}
	if (pong_started) {
		pthread_join(pong_thread, NULL);
		CHECK(!pingpong_failed, "ponger failed");
	}
	printf("workers joined\n");

	CHECK(WSACloseEvent(hStart), "WSACloseEvent(hStart)");
	CHECK(WSACloseEvent(hStop), "WSACloseEvent(hStop)");
	CHECK(WSACloseEvent(hPing), "WSACloseEvent(hPing)");
	CHECK(WSACloseEvent(hPong), "WSACloseEvent(hPong)");
	for (i = 0; i < NUM_WORKERS; i++)
		CHECK(WSACloseEvent(hDone[i]), "WSACloseEvent(hDone[%d])", i);
	if (!WSACloseEvent(hStart))
		printf("second WSACloseEvent(hStart) -> FALSE, error %d%s\n",
		       WSAGetLastError(), WSAGetLastError() ==
		       WSA_INVALID_HANDLE ? " (WSA_INVALID_HANDLE)" : "");
	else
		CHECK(0, "second WSACloseEvent succeeded");
	CHECK(WSAGetLastError() == WSA_INVALID_HANDLE, "error %d",
	      WSAGetLastError());

	CHECK(WSACleanup() == 0, "WSACleanup: %d", WSAGetLastError());
	printf("WSACleanup done\n");

	printf("%s\n", failures ? "event_threads: FAILED" :
	       "event_threads: OK");
	return failures ? 1 : 0;
}
