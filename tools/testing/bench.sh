#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: boot the VM of make check (same kernel, module, QEMU TCG,
# 2 vCPUs) once, run every benchmark program of bench/ in it, bring the
# @@BENCH@@ lines back from the serial log and write the results:
#   $BENCH_RESULTS/results.csv   the table (each ratio, target, verdict)
#   $BENCH_RESULTS/raw.csv       every figure with its runs
#   $BENCH_RESULTS/memory.csv    the slab caches behind the memory rows
#   $BENCH_RESULTS/results.json  all of it, with the machine
#   $BENCH_RESULTS/table.md      the table in Markdown
#   $BENCH_RESULTS/chart.png     the chart (gnuplot)
# then print the table.  A full run also puts the table and the chart in
# README.md (between the bench-table markers).
#
# These are benchmarks, not tests: the exit status says whether the
# programs ran (module loaded, no crash, every program exited 0), never
# whether a target was met.
#
# Environment (all optional):
#   BENCH_QUICK=1     smoke mode: short runs, 1,000 objects for memory,
#                     results under $BUILD/bench/results-quick, README
#                     untouched.  Under a minute.
#   BENCH_RUNS=N      measured runs per figure (default 7, quick 5)
#   BENCH_RUN_MS=N    length of one run in ms (default 300, quick 15)
#   BENCH_PIN=same|split|none
#                     where the threads run (default same: every thread
#                     of a benchmark on vCPU 0, see bench/README.md)
#   BENCH_SCHED=F,... scheduler features to set in the guest first (for
#                     the analysis, e.g. NO_WAKEUP_PREEMPTION); the
#                     README is then left alone
#   BENCH_SHAPED_EXTRA=N  extra calls per message of the Winsock-shaped
#                     epoll server (default 1; README left alone if set)
#   BENCH_RESULTS     results directory (default bench/results)
#   BENCH_BIN         the benchmark programs (default $BUILD/bench/bin)
#   BENCH_README=0    do not update README.md after a full run
#   VM_*              as for make check (tools/testing/vm/lib.sh); the
#                     default VM_OUT is $BUILD/bench/vm

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
BENCH_QUICK=${BENCH_QUICK:-0}
[ "$BENCH_QUICK" = 0 ] || BENCH_QUICK=1
BENCH_PIN=${BENCH_PIN:-same}
BENCH_BIN=${BENCH_BIN:-$BUILD/bench/bin}
if [ "$BENCH_QUICK" = 1 ]; then
	BENCH_RESULTS=${BENCH_RESULTS:-$BUILD/bench/results-quick}
else
	BENCH_RESULTS=${BENCH_RESULTS:-$ROOT/bench/results}
fi
BENCH_README=${BENCH_README:-1}
# Analysis runs never replace the README's table.
[ -z "${BENCH_SCHED:-}${BENCH_SHAPED_EXTRA:-}" ] || BENCH_README=0

export BUILD
export VM_OUT=${VM_OUT:-$BUILD/bench/vm}
export VM_EXAMPLES_DIR=$BENCH_BIN
export VM_TESTS_DIR=$VM_OUT/no-tests
export VM_TEST_TIMEOUT=${VM_TEST_TIMEOUT:-900}
export VM_TIMEOUT=${VM_TIMEOUT:-3600}
# slab_nomerge: every slab cache keeps its own name in /proc/slabinfo,
# which the memory benchmark reads.
append="slab_nomerge wsaevent_bench.quick=$BENCH_QUICK"
append+=" wsaevent_bench.pin=$BENCH_PIN"
[ -n "${BENCH_RUNS:-}" ] && append+=" wsaevent_bench.runs=$BENCH_RUNS"
[ -n "${BENCH_RUN_MS:-}" ] && append+=" wsaevent_bench.run_ms=$BENCH_RUN_MS"
[ -n "${BENCH_SCHED:-}" ] && append+=" wsaevent_bench.sched=$BENCH_SCHED"
[ -n "${BENCH_SHAPED_EXTRA:-}" ] &&
	append+=" wsaevent_bench.shaped_extra=$BENCH_SHAPED_EXTRA"
export VM_APPEND="$append${VM_APPEND:+ $VM_APPEND}"

# shellcheck source-path=SCRIPTDIR source=vm/lib.sh
. "$ROOT/tools/testing/vm/lib.sh"

mapfile -t progs < <(vm_list_progs "$BENCH_BIN")
[ ${#progs[@]} -gt 0 ] ||
	vm_die "no benchmark programs in $BENCH_BIN (make -C bench)"
mkdir -p "$VM_TESTS_DIR" "$BENCH_RESULTS"

host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
host_cpus=$(nproc)
qemu_version=$(qemu-system-x86_64 --version | head -n 1)
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)

vm_pick_kernel
vm_pack run
echo "bench: booting $VM_KERNEL with ${#progs[@]} benchmark program(s)" \
	"($( [ "$BENCH_QUICK" = 1 ] && echo quick || echo full) mode);" \
	"serial log: $VM_LOG"
vm_boot run
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)
echo "bench: guest ran ${VM_ELAPSED} s (QEMU exit status $VM_QEMU_RC)"

# The verdict of the run itself: module loaded, programs exited 0, no
# kernel warning.  The programs' output is already in the serial log.
status=0
vm_report run >"$VM_OUT/report.txt" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
	grep -v '^@@BENCH@@' "$VM_OUT/report.txt" | tail -n 40 >&2
	echo "bench: the VM run failed (status $status); see $VM_LOG" >&2
fi

guest_kernel=$(sed -n 's/.*@@WSAEVENT-VM@@ START .*kernel=\([^ ]*\).*/\1/p' \
	"$VM_LOG" | head -n 1)
machine="QEMU TCG ($VM_ACCEL), $VM_SMP vCPUs, $VM_MEM, guest kernel"
machine+=" ${guest_kernel:-?}; host: $host_cpu, $host_cpus CPUs,"
machine+=" load average $load_before before, $load_after after"
[ -z "${BENCH_SCHED:-}" ] || machine+="; scheduler features set: $BENCH_SCHED"
[ -z "${BENCH_SHAPED_EXTRA:-}" ] ||
	machine+="; Winsock-shaped epoll: $BENCH_SHAPED_EXTRA extra calls"
meta="\"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"qemu\": \"$qemu_version\""
meta+=", \"pin\": \"$BENCH_PIN\", \"load_before\": \"$load_before\""
meta+=", \"load_after\": \"$load_after\""
meta+=", \"sched\": \"${BENCH_SCHED:-}\", \"shaped_extra\": \"${BENCH_SHAPED_EXTRA:-1}\""

rm -f "$BENCH_RESULTS"/{results.csv,raw.csv,memory.csv,results.json}
rm -f "$BENCH_RESULTS"/{table.md,chart.dat,chart.png}
awk -f "$ROOT/bench/report.awk" -v out="$BENCH_RESULTS" \
	-v machine="$machine" -v quick="$BENCH_QUICK" -v meta_json="$meta" \
	"$VM_LOG" || { echo "bench: no results" >&2; exit 1; }

if command -v gnuplot >/dev/null; then
	gnuplot -e "dat='$BENCH_RESULTS/chart.dat'" \
		-e "png='$BENCH_RESULTS/chart.png'" \
		-e "subtitle='QEMU TCG, $VM_SMP vCPUs, $(date -u +%Y-%m-%d)'" \
		"$ROOT/bench/chart.gp" ||
		echo "bench: gnuplot failed; no chart" >&2
else
	echo "bench: gnuplot not found (apt-get install gnuplot-nox); no chart" >&2
fi

# The README shows the latest full run.
readme=$ROOT/README.md
if [ "$BENCH_QUICK" = 0 ] && [ "$BENCH_README" = 1 ] && [ "$status" -eq 0 ] &&
	grep -q '^<!-- bench-table-start -->$' "$readme" &&
	grep -q '^<!-- bench-table-end -->$' "$readme"; then
	rel=${BENCH_RESULTS#"$ROOT"/}
	{
		echo "Measured $(date -u +%Y-%m-%d) on $machine."
		echo
		cat "$BENCH_RESULTS/table.md"
		echo
		[ -f "$BENCH_RESULTS/chart.png" ] &&
			echo "![make bench chart]($rel/chart.png)"
	} >"$VM_OUT/readme-table.md"
	awk -v tbl="$VM_OUT/readme-table.md" '
		$0 == "<!-- bench-table-start -->" {
			print
			while ((getline l < tbl) > 0)
				print l
			skip = 1
			next
		}
		$0 == "<!-- bench-table-end -->" { skip = 0 }
		!skip { print }
	' "$readme" >"$VM_OUT/README.md.new"
	cat "$VM_OUT/README.md.new" >"$readme"
	echo "bench: README.md updated"
fi

echo "bench: results in $BENCH_RESULTS"
exit "$status"
