#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Lint for everything that is not kernel C (tools/testing/lint.sh does
# kmod/ and uapi/ with checkpatch and sparse):
#
#  1. shellcheck on every shell script of the repository (tracked and
#     untracked, not ignored files: *.sh, and files whose #! names sh,
#     bash or dash).  Any finding fails.
#  2. the manual pages: tools/testing/check-manpages.sh (a page for every
#     exported function, groff/man clean).
#  3. clang-format: .clang-format must parse, and the C lines changed
#     since $FORMAT_BASE (default HEAD: the uncommitted changes) in lib/,
#     examples/, selftests/ and tools/testing/ are compared with it
#     (git clang-format --diff).  The existing code predates .clang-format
#     and the kselftest idiom "EXPECT_EQ(a, b) TH_LOG(...)" defeats it, so
#     differences are reported but only fail with FORMAT_STRICT=1.
#
# Usage: tools/testing/lint-userspace.sh
#        FORMAT_BASE=HEAD~1 FORMAT_STRICT=1 tools/testing/lint-userspace.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
FORMAT_BASE=${FORMAT_BASE:-HEAD}
FORMAT_STRICT=${FORMAT_STRICT:-0}
fail=0

# ---- shellcheck ----
command -v shellcheck >/dev/null || { echo "lint: shellcheck missing (apt install shellcheck)" >&2; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t candidates < <(git ls-files -co --exclude-standard | LC_ALL=C sort)
else
	mapfile -t candidates < <(find . -path ./build -prune -o -path ./.git -prune -o \
		-path ./debian/build -prune -o -type f -print | sed 's@^\./@@' | LC_ALL=C sort)
fi
scripts=()
for f in "${candidates[@]}"; do
	[ -f "$f" ] || continue
	case $f in
	*.sh) scripts+=("$f") ;;
	*)
		if head -n 1 "$f" 2>/dev/null | grep -Eq '^#!.*[/ ](ba|da)?sh([[:space:]]|$)'; then
			scripts+=("$f")
		fi
		;;
	esac
done
echo "lint: shellcheck on ${#scripts[@]} scripts"
if ! shellcheck -x "${scripts[@]}"; then
	fail=1
fi

# ---- man pages ----
if ! tools/testing/check-manpages.sh; then
	fail=1
fi

# ---- clang-format ----
if command -v clang-format >/dev/null && command -v git-clang-format >/dev/null; then
	if ! clang-format --style=file --dump-config </dev/null >/dev/null; then
		echo "lint: .clang-format does not parse" >&2
		fail=1
	elif git rev-parse --verify -q "$FORMAT_BASE^{commit}" >/dev/null; then
		out=$(git clang-format --style=file --extensions c,h --diff "$FORMAT_BASE" -- \
			lib examples selftests tools/testing 2>&1) || true
		case $out in
		"" | *"no modified files to format"* | *"did not modify any files"*)
			echo "lint: clang-format: lines changed since $FORMAT_BASE match .clang-format"
			;;
		*)
			echo "$out"
			if [ "$FORMAT_STRICT" = 1 ]; then
				echo "lint: clang-format: lines changed since $FORMAT_BASE differ (above)" >&2
				fail=1
			else
				echo "lint: clang-format: lines changed since $FORMAT_BASE differ (above; advisory, FORMAT_STRICT=1 fails)"
			fi
			;;
		esac
	else
		echo "lint: clang-format: no commit $FORMAT_BASE, changed-lines check skipped"
	fi
else
	echo "lint: clang-format missing (apt install clang-format), check skipped" >&2
fi

if [ "$fail" -ne 0 ]; then
	echo "lint-userspace: FAILED"
	exit 1
fi
echo "lint-userspace: clean"
