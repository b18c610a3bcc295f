#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-packaging: from this tree to a running example through the
# Debian packages, on Debian 12, as root.
#
#  1. DKMS from source: "make install-dkms-src", then dkms add, build and
#     install against the installed Debian headers (the newest
#     /usr/src/linux-headers-*-amd64; the running kernel may have none);
#     the module must land in /lib/modules/<kver> with the right vermagic.
#     Then dkms remove.
#  2. dpkg-buildpackage -us -uc -b in a copy of the tree (the checkout
#     stays clean), then lintian, which must report no error.
#  3. apt-get install of the three .debs: the wsaevent-dkms postinst builds
#     and installs the module through DKMS; the udev rule, the headers, the
#     pkg-config file and the man pages must be in place.
#  4. examples/event_threads.c, copied alone out of the tree, must build
#     with nothing but "cc $(pkg-config --cflags --libs wsaevent)" and link
#     to /usr/lib/<triplet>/libwsaevent.so.1; and, statically, with
#     "pkg-config --static".
#  5. That program, dynamically linked to the installed library, runs in
#     the test VM with the DKMS-built module (skipped when there is no
#     QEMU or no kernel image; PKG_VM=0 skips it, PKG_VM=1 requires it).
#  6. Clean-up: the packages are purged, DKMS forgets the module, and
#     nothing of wsaevent is left in /usr/src, /var/lib/dkms or
#     /lib/modules.  The tools it installed (dkms, debhelper, lintian...)
#     stay, as tools/testing/install-deps.sh leaves its packages, and so
#     does the module-signing key that DKMS makes on first use
#     (/var/lib/dkms/mok.key, mok.pub).
#
# Takes about a minute once the packages are installed.
#
# It refuses to run when wsaevent packages or a wsaevent DKMS module are
# already installed (it would remove them): PKG_FORCE=1 overrides.
# The work directory (PKG_WORK, default a mktemp dir under /tmp) is kept
# when the check fails (PKG_KEEP=failure, the default), always (PKG_KEEP=1)
# or never (PKG_KEEP=0).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
PKG_VM=${PKG_VM:-auto}
PKG_KEEP=${PKG_KEEP:-failure}
PKG_FORCE=${PKG_FORCE:-0}
packages=(wsaevent-dkms libwsaevent1 libwsaevent-dev)
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o Dpkg::Use-Pty=0 --no-install-recommends)

die() {
	echo "check-packaging: $*" >&2
	exit 1
}

t_start=$SECONDS
t_step=$SECONDS
step_name=
timings=()
step() {
	if [ -n "$step_name" ]; then
		timings+=("$(printf '%4ds  %s' $((SECONDS - t_step)) "$step_name")")
	fi
	step_name=$1
	t_step=$SECONDS
	echo
	echo "==== check-packaging: $1"
}

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and runs dkms)"
[ -r /etc/debian_version ] || die "needs Debian (12)"

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
[ -n "$version" ] || die "no PACKAGE_VERSION in dkms.conf"
changelog_version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version 2>/dev/null ||
	sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$top/debian/changelog")
[ "$version" = "$changelog_version" ] ||
	die "dkms.conf PACKAGE_VERSION $version != debian/changelog $changelog_version"

step "dependencies"
WSAEVENT_EXTRA_DEPS="git dkms dh-dkms debhelper lintian fakeroot groff-base man-db ${WSAEVENT_EXTRA_DEPS:-}" \
	"$top/tools/testing/install-deps.sh"

headers=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' | sort -V | tail -n 1)
[ -n "$headers" ] || die "no /usr/src/linux-headers-*-amd64 (apt install linux-headers-amd64)"
kver=${PKG_KVER:-${headers#/usr/src/linux-headers-}}
[ -e "/lib/modules/$kver/build" ] || die "no /lib/modules/$kver/build for DKMS"
echo "kernel: $kver (headers $headers; running $(uname -r))"

# Someone else's wsaevent on this machine: leave it alone.
if [ "$PKG_FORCE" != 1 ]; then
	present=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null |
		awk '$2 != "un" && $2 != "" { print $1 }' || true)
	[ -z "$present" ] || die "already installed: $present (PKG_FORCE=1 removes them)"
	[ -z "$(dkms status wsaevent 2>/dev/null)" ] ||
		die "DKMS already has wsaevent: $(dkms status wsaevent) (PKG_FORCE=1 removes it)"
	[ ! -e "/usr/src/wsaevent-$version" ] ||
		die "/usr/src/wsaevent-$version exists (PKG_FORCE=1 removes it)"
fi

work=${PKG_WORK:-$(mktemp -d /tmp/wsaevent-packaging.XXXXXX)}
mkdir -p "$work"
src=$work/wsaevent-$version
installed_debs=0
dkms_src_added=0

purge_all() {
	local p
	if [ "$installed_debs" = 1 ] || [ "$PKG_FORCE" = 1 ]; then
		present=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null |
			awk '$2 != "un" && $2 != "" { print $1 }' || true)
		# shellcheck disable=SC2086 # a list of package names
		[ -z "$present" ] || apt-get purge "${apt_opts[@]}" $present
		installed_debs=0
	fi
	for p in $(dkms status wsaevent 2>/dev/null | sed -n 's@^wsaevent[/,] *\([^,:]*\).*@\1@p' | sort -u); do
		dkms remove "wsaevent/$p" --all || true
	done
	if [ "$dkms_src_added" = 1 ] || [ "$PKG_FORCE" = 1 ]; then
		rm -rf "/usr/src/wsaevent-$version"
		dkms_src_added=0
	fi
}

cleanup() {
	local rc=$?
	set +e
	if [ $rc -ne 0 ]; then
		echo "check-packaging: FAILED in step: ${step_name:-?}; cleaning up" >&2
	fi
	purge_all >/dev/null 2>&1
	if [ "$PKG_KEEP" = 1 ] || { [ "$PKG_KEEP" = failure ] && [ $rc -ne 0 ]; }; then
		echo "check-packaging: work directory kept: $work"
	else
		rm -rf "$work"
	fi
	exit $rc
}
trap cleanup EXIT

step "copy of the tree (tracked and untracked, not ignored, files)"
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -d '' files < <(git -C "$top" ls-files -z -co --exclude-standard)
	keep=()
	for f in "${files[@]}"; do
		[ -e "$top/$f" ] && keep+=("$f")
	done
	(cd "$top" && cp -a --parents -t "$src" "${keep[@]}")
else
	(cd "$top" && tar --exclude=./build --exclude='*.o' --exclude='*.ko' \
		--exclude='.*.cmd' --exclude=./debian/build -cf - .) | tar -xf - -C "$src"
fi
echo "$(find "$src" -type f | wc -l) files in $src"

# ---- 1. DKMS from source ----------------------------------------------
step "dkms add/build/install wsaevent/$version for $kver"
[ "$PKG_FORCE" = 1 ] && purge_all
make -s -C "$src" install-dkms-src DESTDIR=
dkms_src_added=1
dkms add "wsaevent/$version"
dkms build "wsaevent/$version" -k "$kver" ||
	{ cat "/var/lib/dkms/wsaevent/$version/build/make.log" >&2 || true; die "dkms build failed"; }
dkms install "wsaevent/$version" -k "$kver"
dkms status wsaevent
dkms status -m wsaevent -v "$version" -k "$kver" | grep -q ': installed' ||
	die "dkms status does not say installed"
ko=$(modinfo -k "$kver" -n wsaevent) || die "modinfo -k $kver wsaevent: not found by depmod"
vermagic=$(modinfo -F vermagic "$ko")
echo "$ko: vermagic $vermagic"
[ "${vermagic%% *}" = "$kver" ] || die "$ko was built for ${vermagic%% *}, not $kver"
dkms remove "wsaevent/$version" --all
rm -rf "/usr/src/wsaevent-$version"
dkms_src_added=0
[ ! -e "$ko" ] || die "dkms remove left $ko"
[ -z "$(dkms status wsaevent)" ] || die "dkms remove left: $(dkms status wsaevent)"

# ---- 2. Debian packages -----------------------------------------------
step "dpkg-buildpackage -us -uc -b"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/dpkg-buildpackage.log" 2>&1 ||
	{ tail -n 60 "$work/dpkg-buildpackage.log" >&2; die "dpkg-buildpackage failed (log: $work/dpkg-buildpackage.log)"; }
changes=$(find "$work" -maxdepth 1 -name "wsaevent_${version}_*.changes" | head -n 1)
[ -n "$changes" ] || die "no .changes file"
debs=()
for p in "${packages[@]}"; do
	deb=$(find "$work" -maxdepth 1 -name "${p}_${version}_*.deb" | head -n 1)
	[ -n "$deb" ] || die "no $p .deb"
	debs+=("$deb")
	echo "$(basename "$deb"): $(dpkg-deb -c "$deb" | wc -l) entries"
done

step "lintian"
# lintian warns about running as root; the work tree is root's anyway.
set +e
lintian --pedantic --display-experimental --fail-on error "$changes" 2>&1 |
	grep -v '^running with root privileges' | tee "$work/lintian.log"
lintian_rc=${PIPESTATUS[0]}
set -e
[ "$lintian_rc" -eq 0 ] || die "lintian reports errors"
echo "lintian: no errors ($(grep -c '^W:' "$work/lintian.log" || true) warnings," \
	"$(grep -c '^[IPX]:' "$work/lintian.log" || true) info/pedantic/experimental tags)"

# ---- 3. Install the packages ------------------------------------------
step "apt-get install the three .debs (postinst: DKMS build for $kver)"
installed_debs=1
apt-get install "${apt_opts[@]}" "${debs[@]}"
dkms status wsaevent
dkms status -m wsaevent -v "$version" -k "$kver" | grep -q ': installed' ||
	die "the wsaevent-dkms postinst did not install the module for $kver"
ko=$(modinfo -k "$kver" -n wsaevent) || die "modinfo -k $kver wsaevent: not found"
[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ] || die "$ko: wrong vermagic"
echo "module: $ko"
for f in /lib/udev/rules.d/60-wsaevent.rules /usr/lib/modules-load.d/wsaevent.conf \
	 /usr/include/wsaevent/winsock2.h /usr/include/wsaevent/wsaevent.h \
	 /usr/include/wsaevent/linux/wsaevent.h; do
	[ -f "$f" ] || die "missing $f"
done
grep -q 'MODE="0666"' /lib/udev/rules.d/60-wsaevent.rules || die "udev rule: no MODE 0666"
man -w WSAStartup >/dev/null || die "man WSAStartup: no page"
echo "pkg-config --cflags --libs wsaevent: $(pkg-config --cflags --libs wsaevent)"

# ---- 4. A Windows-style program built with pkg-config only ------------
step "build examples/event_threads.c against the installed packages"
app=$work/app
mkdir -p "$app/bin"
cp "$top/examples/event_threads.c" "$app/"
# A clean environment: no CPATH, LIBRARY_PATH or PKG_CONFIG_PATH from the
# caller, and a directory with nothing of the source tree in it.
(
	cd "$app"
	# shellcheck disable=SC2016 # expanded by the inner shell
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -ec '
		set -x
		cc -Wall -Wextra -Werror -O2 -o bin/event_threads event_threads.c \
			$(pkg-config --cflags --libs wsaevent)
		cc -Wall -Wextra -Werror -O2 -static -o event_threads.static \
			event_threads.c $(pkg-config --static --cflags --libs wsaevent)
	'
)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
ldd "$app/bin/event_threads" | tee "$work/ldd.txt"
grep -Eq "libwsaevent.so.1 => (/usr)?/lib/$multiarch/libwsaevent.so.1 " "$work/ldd.txt" ||
	die "event_threads does not use /usr/lib/$multiarch/libwsaevent.so.1"

# ---- 5. Run it with the DKMS-built module -----------------------------
step "run event_threads (installed library) with the DKMS-built module"
if [ "$PKG_VM" = auto ]; then
	if command -v qemu-system-x86_64 >/dev/null && [ -r "/boot/vmlinuz-$kver" ]; then
		PKG_VM=1
	else
		PKG_VM=0
	fi
fi
if [ "$PKG_VM" = 1 ]; then
	# BUILD points nowhere so that the VM packer's ldd finds the installed
	# libwsaevent.so.1, not a build/lib of the checkout.
	(
		export VM_MODULE=$ko VM_EXAMPLES_DIR=$app/bin VM_TESTS_DIR=$work/no-tests
		export VM_OUT=$work/vm BUILD=$work/no-build
		# shellcheck source-path=SCRIPTDIR source=vm/lib.sh
		. "$src/tools/testing/vm/lib.sh"
		vm_pick_kernel
		vm_pack run
		vm_boot run
		vm_report run
	) || die "event_threads failed in the VM (log: $work/vm/serial.log)"
else
	echo "skipped: no qemu-system-x86_64 or no /boot/vmlinuz-$kver (PKG_VM=0)"
fi

# ---- 6. Clean up and check that nothing is left -----------------------
step "purge the packages; nothing may be left"
purge_all
left=$(dkms status wsaevent 2>/dev/null || true)
[ -z "$left" ] || die "DKMS still has: $left"
for d in /usr/src/wsaevent-* /var/lib/dkms/wsaevent /lib/modules/*/updates/dkms/wsaevent.ko* \
	 /usr/include/wsaevent /lib/udev/rules.d/60-wsaevent.rules; do
	[ ! -e "$d" ] || die "left behind: $d"
done
modinfo -k "$kver" wsaevent >/dev/null 2>&1 && die "depmod still knows wsaevent for $kver"

step "done"
echo
echo "check-packaging: timings"
printf '%s\n' "${timings[@]}"
printf '%4ds  total\n' $((SECONDS - t_start))
echo "check-packaging: OK"
