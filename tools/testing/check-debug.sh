#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-debug: the hardening tier.
#
#  1. builds (or reuses, from ~/.cache/wsaevent) the debug kernel: Debian's
#     linux-source, tinyconfig + tools/testing/debug-kernel/debug.config
#     (KASAN, lockdep, kmemleak, UBSAN, DEBUG_LIST, DEBUG_OBJECTS, failslab);
#  2. builds the module against it in $BUILD/debug-module (the ./wsaevent.ko
#     of "make module", built for Debian's kernel, is left alone);
#  3. builds the hardening programs (tools/testing/hardening: ioctl fuzzer,
#     fault injection, stress with invariants, module lifecycle);
#  4. boots the debug kernel through the VM harness of "make check"
#     (tools/testing/vm) with every selftest of $BUILD/selftests plus the
#     hardening programs, in the debug tier (wsaevent_test.tier=debug);
#     the guest unloads the module, scans kmemleak and dumps the log;
#  5. fails on any BUG, WARNING, Oops, KASAN, UBSAN, lockdep report,
#     "sleeping function called from invalid context", hung task, RCU
#     stall, ODEBUG report, kmemleak report, or any other stack trace in
#     the kernel log than those of the faults injected on purpose.
#
# Prints the harness's report; the last line is "N passed, M failed".
# Exits 0 only when everything passed.
#
# Environment: BUILD (default ./build), WSAEVENT_CACHE (kernel cache),
# JOBS, and the VM_* variables of tools/testing/vm/lib.sh (VM_APPEND is
# appended to, VM_TEST_TIMEOUT, VM_TIMEOUT, VM_MEM have debug defaults).

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
export BUILD
cd "$ROOT"

t0=$(date +%s)
say() {
	echo "check-debug: $*"
}

# 1. The kernel.
tree=$(tools/testing/debug-kernel/build.sh)
t1=$(date +%s)
say "debug kernel: $tree ($((t1 - t0)) s)"

# 2. The module, in a copy of the sources so that nothing of the regular
# build is touched.  cp -p keeps mtimes: unchanged files are not rebuilt.
# DEBUG_MODULE=path uses a module built elsewhere (e.g. a deliberately
# broken one, to see that this run catches it).
moddir=$BUILD/debug-module
if [ -n "${DEBUG_MODULE:-}" ]; then
	module=$DEBUG_MODULE
else
	module=$moddir/wsaevent.ko
	mkdir -p "$moddir"
	srcs=(Kbuild)
	while IFS= read -r f; do
		srcs+=("$f")
	done < <(find kmod uapi -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
	for f in "${srcs[@]}"; do
		if ! cmp -s "$f" "$moddir/$f"; then
			mkdir -p "$moddir/$(dirname "$f")"
			cp -p "$f" "$moddir/$f"
		fi
	done
	# Sources deleted upstream must not linger.
	while IFS= read -r f; do
		[ -e "$f" ] || rm -f "$moddir/$f"
	done < <(cd "$moddir" && find kmod uapi -type f \( -name '*.c' -o -name '*.h' \))
	if ! make -C "$tree" M="$moddir" -j"${JOBS:-$(nproc)}" modules \
		>"$moddir/build.log" 2>&1; then
		cat "$moddir/build.log" >&2
		say "module build against the debug kernel failed" >&2
		exit 1
	fi
	# objtool's checks (a call inside a user-access section, say) only
	# warn: here they fail the run.
	if grep -E 'warning|error' "$moddir/build.log" >&2; then
		say "the module must build without warnings against the debug kernel" >&2
		exit 1
	fi
fi
krel=$(make -s -C "$tree" kernelrelease)
[ "$(modinfo -F vermagic "$module" | cut -d' ' -f1)" = "$krel" ] || {
	say "$module was not built for $krel" >&2
	exit 1
}

# 3. The hardening programs.
make -s -C tools/testing/hardening BUILD="$BUILD"
extra=$(find "$BUILD/hardening" -mindepth 1 -maxdepth 1 -type f -perm -u+x |
	LC_ALL=C sort | tr '\n' ' ')
if ! ls "$BUILD"/selftests/* >/dev/null 2>&1; then
	say "no selftests in $BUILD/selftests (make selftests first)" >&2
	exit 1
fi
t2=$(date +%s)

# 4. The VM.
export VM_KERNEL=$tree/arch/x86/boot/bzImage
export VM_MODULE=$module
export VM_OUT=${VM_OUT:-$BUILD/vm-debug}
export VM_EXTRA_TESTS="${VM_EXTRA_TESTS:-} $extra"
# log_buf_len: the whole run's log must survive until the final dump.
export VM_APPEND="wsaevent_test.tier=debug log_buf_len=16M ${VM_APPEND:-}"
export VM_TEST_TIMEOUT=${VM_TEST_TIMEOUT:-600}
export VM_TIMEOUT=${VM_TIMEOUT:-3000}
export VM_MEM=${VM_MEM:-2G}
mkdir -p "$VM_OUT"
report=$VM_OUT/report.txt
say "booting the debug kernel (serial log: $VM_OUT/serial.log)"
set +e
tools/testing/vm/check.sh >"$report" 2>&1
rc=$?
set -e
t3=$(date +%s)

# 5. What the harness does not look for.  Every stack trace must belong
# to a fault injected on purpose (failslab prints "FAULT_INJECTION:
# forcing a failure." and then the trace).
extra_bad=$VM_OUT/extra-problems.txt
awk '
	{ gsub(/\r/, "") }
	/FAULT_INJECTION: forcing a failure/ { injected = NR }
	/Call Trace:/ {
		if (injected && NR - injected <= 8)
			next
		print "stack trace not from fault injection (serial.log line " NR "):"
		for (i = NR - 6 > 1 ? NR - 6 : 1; i < NR; i++)
			if (i in keep) print "  " keep[i]
		print "  " $0
		bad++
		next
	}
	/detected stalls|rcu_preempt self-detected|lockdep is turned off|ODEBUG:|DEBUG_LOCKS_WARN_ON|list_add corruption|list_del corruption|page allocation failure|Out of memory/ {
		print "serial.log line " NR ": " $0
		bad++
	}
	{ keep[NR] = $0; delete keep[NR - 8] }
	END { exit bad ? 1 : 0 }
' "$VM_OUT/serial.log" >"$extra_bad" 2>&1 && extra_ok=1 || extra_ok=0

# The report, with one more check folded into its totals.
last=$(tail -n 1 "$report")
sed '$d' "$report"
echo "# ---- check-debug"
if [ "$extra_ok" = 1 ]; then
	echo "ok 1 debug kernel log: no stall, ODEBUG report or stray stack trace"
else
	sed 's/^/# /' "$extra_bad" | head -n 200
	echo "not ok 1 debug kernel log: no stall, ODEBUG report or stray stack trace"
	rc=1
fi
echo "# timings: kernel $((t1 - t0)) s, module+programs $((t2 - t1)) s," \
	"VM $((t3 - t2)) s, total $((t3 - t0)) s"
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	passed=${BASH_REMATCH[1]}
	failed=${BASH_REMATCH[2]}
	if [ "$extra_ok" = 1 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	echo "$passed passed, $failed failed"
else
	echo "$last"
	echo "0 passed, 1 failed"
	rc=1
fi
exit "$rc"
