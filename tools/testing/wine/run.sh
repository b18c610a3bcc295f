#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Cross-check the Winsock selftests against Wine: build
# selftests/wsa_events_*_test.c for Windows with MinGW-w64 (against the
# stand-in kselftest_harness.h and wsaevent.h here) and run every test in
# a process of its own under wine.  Informational only: nothing depends on
# it, and the spec (winsock-spec.md) says where Wine differs from Windows
# ([W≠Wine]), so some failures are expected.  The lifetime tests need
# fork() and are not built.
#
#   tools/testing/wine/run.sh [TEST-NAME-SUBSTRING]
#
# Needs: apt-get install gcc-mingw-w64-x86-64 wine64
# Environment: WINE_OUT (default build/wine), WINEPREFIX (default
# $WINE_OUT/prefix), WINE_TEST_TIMEOUT seconds per test (default 60).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
WINE_OUT=${WINE_OUT:-$ROOT/build/wine}
export WINEPREFIX=${WINEPREFIX:-$WINE_OUT/prefix}
export WINEDEBUG=${WINEDEBUG:--all}
WINE_TEST_TIMEOUT=${WINE_TEST_TIMEOUT:-60}
CC=${MINGW_CC:-x86_64-w64-mingw32-gcc}
WINE=${WINE:-$(command -v wine64 || command -v wine || true)}
FILTER=${1:-}

command -v "$CC" >/dev/null || { echo "wine: $CC missing (gcc-mingw-w64-x86-64)" >&2; exit 1; }
[ -n "$WINE" ] || { echo "wine: wine missing (wine64)" >&2; exit 1; }

mkdir -p "$WINE_OUT"
pass=0 fail=0 skip=0
for src in "$ROOT"/selftests/wsa_events_*_test.c; do
	name=$(basename "$src" .c)
	[ "$name" = wsa_events_lifetime_test ] && continue
	exe=$WINE_OUT/$name.exe
	"$CC" -O1 -g -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
		-I "$HERE" -o "$exe" "$src" -lws2_32
	# Run from $WINE_OUT: AF_UNIX tests bind relative paths there.
	mapfile -t tests < <(cd "$WINE_OUT" && "$WINE" "$exe" -l | tr -d '\r')
	for t in "${tests[@]}"; do
		[ -n "$FILTER" ] && [[ $t != *"$FILTER"* ]] && continue
		log=$WINE_OUT/$t.log
		(cd "$WINE_OUT" && timeout "$WINE_TEST_TIMEOUT" "$WINE" "$exe" -t "$t") \
			>"$log" 2>&1 || true
		if grep -q '^ok 1 .*# SKIP' "$log"; then
			skip=$((skip + 1)); echo "skip  $t"
		elif grep -q '^ok 1 ' "$log"; then
			pass=$((pass + 1)); echo "ok    $t"
		else
			fail=$((fail + 1))
			if grep -q '^not ok 1 ' "$log"; then
				echo "FAIL  $t"
			elif grep -q 'Unhandled' "$log"; then
				echo "FAIL  $t (crashed under wine)"
			else
				echo "FAIL  $t (no result: wine error or timeout)"
			fi
			{ grep -E '^# .*(line [0-9]+:|Expected)' "$log" || true; } |
				head -4 | sed 's/^/      /'
		fi
	done
done
echo "wine: $pass passed, $fail failed, $skip skipped (logs in $WINE_OUT)"
[ "$fail" -eq 0 ]
