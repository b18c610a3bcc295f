#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian packages wsaevent needs to build, lint and test.
#
# Only packages that dpkg reports as not installed are installed, so this
# is a fast no-op when everything is present.  Installing needs root; run
# as another user with something missing, it prints what is missing and
# exits non-zero.
#
# Extra packages can be asked for with WSAEVENT_EXTRA_DEPS="pkg ...".

set -euo pipefail

packages=(
	build-essential gcc make pkg-config
	linux-headers-amd64 linux-image-amd64 linux-source-6.1
	qemu-system-x86 busybox-static kmod cpio xz-utils
	flex bison bc libelf-dev libssl-dev
	sparse perl python3 shellcheck gnuplot-nox clang-format groff-base
)
# shellcheck disable=SC2206 # word splitting of the package list is meant
packages+=(${WSAEVENT_EXTRA_DEPS:-})

# One dpkg-query for all packages; unknown packages print nothing on stdout.
declare -A installed=()
while read -r name status; do
	[ "$status" = "ii" ] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
		"${packages[@]}" 2>/dev/null || true)

missing=()
for p in "${packages[@]}"; do
	[ -n "${installed[$p]:-}" ] || missing+=("$p")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages: ${missing[*]}" >&2
	echo "install-deps: run as root, or: apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o Dpkg::Use-Pty=0 --no-install-recommends)
# A fresh container has no package lists; a stale one may lack a package.
if ! apt-get install "${apt_opts[@]}" "${missing[@]}"; then
	apt-get update -q
	apt-get install "${apt_opts[@]}" "${missing[@]}"
fi
