#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-ctxsw: context switches per message (or round trip) of each
# implementation of the wake-up-bound benchmarks, for the analysis in
# bench/README.md.  Boots the VM of make bench once; in it
# bench/ctxsw-guest.sh runs one implementation at a time for a fixed
# number of iterations and reads /proc/stat around it.  The threads are
# pinned as in make bench (BENCH_PIN, default same).  Counts, not
# timings: no verdict.
#
# Environment: BENCH_PIN, CTXSW_ITERS (throughput, default 20000),
# BENCH_SCHED and BENCH_SHAPED_EXTRA (as for make bench),
# CTXSW_LATENCY_ITERS (round trips, default 3000), and the VM_* of
# tools/testing/vm/lib.sh (default VM_OUT: $BUILD/bench/ctxsw-vm).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
BENCH_BIN=${BENCH_BIN:-$BUILD/bench/bin}
BENCH_PIN=${BENCH_PIN:-same}
export BUILD
export VM_OUT=${VM_OUT:-$BUILD/bench/ctxsw-vm}
guest=$VM_OUT/guest
rm -rf "$guest"
mkdir -p "$guest/tests" "$guest/examples"
install -m 0755 "$ROOT/bench/ctxsw-guest.sh" "$guest/examples/ctxsw"
export VM_TESTS_DIR=$guest/tests
export VM_EXAMPLES_DIR=$guest/examples
# Packed into /tests (not run in "run" mode); the guest script runs them.
export VM_EXTRA_TESTS="$BENCH_BIN/bench-event $BENCH_BIN/bench-select $BENCH_BIN/bench-overlapped"
append="wsaevent_bench.pin=$BENCH_PIN"
append+=" CTXSW_ITERS=${CTXSW_ITERS:-20000}"
append+=" CTXSW_LATENCY_ITERS=${CTXSW_LATENCY_ITERS:-3000}"
[ -n "${BENCH_SCHED:-}" ] && append+=" wsaevent_bench.sched=$BENCH_SCHED"
[ -n "${BENCH_SHAPED_EXTRA:-}" ] &&
	append+=" wsaevent_bench.shaped_extra=$BENCH_SHAPED_EXTRA"
export VM_APPEND="$append${VM_APPEND:+ $VM_APPEND}"

for p in $VM_EXTRA_TESTS; do
	[ -x "$p" ] || { echo "bench-ctxsw: no $p (make -C bench)" >&2; exit 1; }
done

set +e
"$ROOT/tools/testing/vm/run.sh" >"$VM_OUT/report.txt" 2>&1
rc=$?
set -e
log=$VM_OUT/serial.log
echo "| Benchmark / implementation | iterations | context switches | per iteration |"
echo "|---|---|---|---|"
tr -d '\r' <"$log" | awk -F'|' '$1 == "@@CTXSW@@" {
	printf "| %s | %d | %d | %.2f |\n", $2, $3, $4, $4 / $3
}'
[ "$rc" -eq 0 ] || { tail -n 30 "$VM_OUT/report.txt" >&2; exit "$rc"; }
