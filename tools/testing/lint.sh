#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make lint: checkpatch.pl --strict and sparse on kmod/ and uapi/.
# checkpatch.pl comes from Debian's linux-source tarball, extracted under
# build/ at run time (never copied into the repository).
#
# Usage: tools/testing/lint.sh [KDIR]
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=${1:-${KDIR:-}}
build=${BUILD:-$top/build}
tarball=${LINUX_SOURCE_TARBALL:-$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' | sort -V | tail -n 1)}
fail=0

if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
	echo "lint: no /usr/src/linux-source-*.tar.xz (apt install linux-source-6.1)" >&2
	exit 1
fi

cpdir=$build/checkpatch
if [ ! -x "$cpdir/scripts/checkpatch.pl" ] || [ "$tarball" -nt "$cpdir/scripts/checkpatch.pl" ]; then
	rm -rf "$cpdir"
	mkdir -p "$cpdir"
	tar -xJf "$tarball" -C "$cpdir" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	touch "$cpdir/scripts/checkpatch.pl"
fi

cd "$top"
mapfile -t files < <(find kmod uapi -name '*.[ch]' | sort)
echo "lint: checkpatch --strict on ${#files[@]} files"
if ! "$cpdir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES -f "${files[@]}"; then
	fail=1
fi

echo "lint: userspace (shellcheck, man pages, clang-format)"
if ! "$top/tools/testing/lint-userspace.sh"; then
	fail=1
fi

if [ -z "$kdir" ] || [ ! -d "$kdir" ]; then
	echo "lint: no kernel build tree for sparse (set KDIR=)" >&2
	exit 1
fi
command -v sparse >/dev/null || { echo "lint: sparse missing (apt install sparse)" >&2; exit 1; }
echo "lint: sparse (make C=2) against $kdir"
log=$(make -s -C "$kdir" M="$top" C=2 W=1 modules 2>&1) || { echo "$log"; fail=1; }
if grep -E 'warning:|error:' <<<"$log"; then
	fail=1
fi

if [ "$fail" -ne 0 ]; then
	echo "lint: FAILED"
	exit 1
fi
echo "lint: clean"
