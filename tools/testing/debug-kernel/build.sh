#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (or reuse) the wsaevent debug kernel: Debian's linux-source tarball,
# "make ARCH=x86_64 tinyconfig", plus debug.config from this directory.
#
#   tools/testing/debug-kernel/build.sh        prints the build tree's path
#
# The tree lives outside the clone, in
#   ${WSAEVENT_CACHE:-~/.cache/wsaevent}/debug-kernel/<key>
# where <key> hashes the fragment, this script and the tarball's identity
# (name, size, mtime, Debian package version).  A finished tree is reused
# as is: a second run does no make at all.  An interrupted build resumes.
# Everything make prints goes to <tree>/wsaevent-build.log.
#
# Environment: LINUX_SOURCE_TARBALL (default: newest
# /usr/src/linux-source-*.tar.xz), WSAEVENT_CACHE, JOBS (default nproc).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/debug.config
self=$here/build.sh

tarball=${LINUX_SOURCE_TARBALL:-$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' | sort -V | tail -n 1)}
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
	echo "debug-kernel: no kernel source tarball (apt-get install linux-source-6.1, or set LINUX_SOURCE_TARBALL)" >&2
	exit 1
fi

pkgver=$(dpkg-query -W -f='${Package} ${Version}' "$(basename "$tarball" .tar.xz)" 2>/dev/null || true)
tarid="$(basename "$tarball") $(stat -c '%s %Y' "$tarball") $pkgver"
key=$( { cat "$fragment" "$self"; echo "$tarid"; } | sha256sum | cut -c1-16)

cache=${WSAEVENT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wsaevent}/debug-kernel
tree=$cache/$key
jobs=${JOBS:-$(nproc)}

# Fast path: nothing to do.
if [ -f "$tree/.wsaevent-built" ]; then
	touch "$tree/.wsaevent-used"
	echo "$tree"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$tree/.wsaevent-built" ]; then
	echo "$tree"
	exit 0
fi

log=$tree/wsaevent-build.log
start=$(date +%s)

if [ ! -f "$tree/.wsaevent-extracted" ]; then
	echo "debug-kernel: extracting $tarball into $tree" >&2
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xf "$tarball" -C "$tree.tmp" --strip-components=1
	mv "$tree.tmp" "$tree"
	touch "$tree/.wsaevent-extracted"
fi

cd "$tree"
kmake() { make ARCH=x86_64 -j"$jobs" "$@" >>"$log" 2>&1; }

# Configure from scratch every time we get here: cheap, and deterministic.
echo "debug-kernel: configuring (tinyconfig + $(basename "$fragment"))" >&2
: >"$log"
kmake tinyconfig
KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m .config "$fragment" >>"$log" 2>&1
kmake olddefconfig

# Every line of the fragment must have survived the dependency resolution.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		if ! grep -qxF -- "$line" .config; then
			sym=${line%%=*}
			echo "debug-kernel: asked for '$line', got '$(grep -E "^(# )?${sym}[= ]" .config || echo "$sym absent")'" >&2
			bad=1
		fi
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		if grep -q "^$sym=" .config; then
			echo "debug-kernel: asked for '$line', got '$(grep "^$sym=" .config)'" >&2
			bad=1
		fi
		;;
	esac
done <"$fragment"
if [ "$bad" != 0 ]; then
	echo "debug-kernel: $fragment does not apply to $tarball (see $tree/.config)" >&2
	exit 1
fi

echo "debug-kernel: building bzImage and modules_prepare with -j$jobs (log: $log)" >&2
if ! kmake bzImage modules modules_prepare; then
	echo "debug-kernel: kernel build failed; last lines of $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
test -f arch/x86/boot/bzImage -a -f Module.symvers

touch .wsaevent-built .wsaevent-used
echo "debug-kernel: built in $(( $(date +%s) - start ))s" >&2

# Keep the three most recently used trees (about 2 GB each).
find "$cache" -mindepth 1 -maxdepth 1 -type d -name '*.tmp' -exec rm -rf {} +
find "$cache" -mindepth 2 -maxdepth 2 -name .wsaevent-used -printf '%T@ %h\n' |
	sort -rn | tail -n +4 | cut -d' ' -f2- | while IFS= read -r old; do
	rm -rf "$old"
done
echo "$tree"
