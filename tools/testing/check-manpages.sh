#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Every function libwsaevent exports has a section 3 man page, and every
# page is clean.  Fails when:
#  - a global symbol of lib/libwsaevent.map (any version node) has no
#    man/man3/<symbol>.3 (the page is named after the exported symbol:
#    wsaevent_socket.3 for socket(), so that it never shadows socket(2));
#  - a man/man3 page names no exported symbol (a stale page);
#  - a page lacks one of the sections NAME, SYNOPSIS, DESCRIPTION,
#    RETURN VALUE, ERRORS, NOTES, or its .TH title is not its name;
#  - groff -man -ww reports a warning, or man(1) does (what lintian runs).
#
# Usage: tools/testing/check-manpages.sh [MAPFILE [MANDIR]]
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
map=${1:-$top/lib/libwsaevent.map}
mandir=${2:-$top/man/man3}
sections=(NAME SYNOPSIS DESCRIPTION "RETURN VALUE" ERRORS NOTES)
fail=0

command -v groff >/dev/null ||
	{ echo "check-manpages: groff missing (apt install groff-base)" >&2; exit 1; }

# Names listed under "global:" in any node, up to "local:" or the node's end.
mapfile -t symbols < <(
	sed -e 's@/\*.*\*/@@g' -e 's/#.*//' "$map" |
	awk '/global:/ { on = 1; sub(/.*global:/, "") }
	     /local:/ || /}/ { on = 0 }
	     on { gsub(/[;[:space:]]+/, " "); n = split($0, w, " ");
		  for (i = 1; i <= n; i++) if (w[i] != "") print w[i] }' |
	sort -u)
[ ${#symbols[@]} -gt 0 ] || { echo "check-manpages: no global symbols in $map" >&2; exit 1; }

declare -A exported=()
for sym in "${symbols[@]}"; do
	exported[$sym]=1
	if [ ! -f "$mandir/$sym.3" ]; then
		echo "check-manpages: $sym is exported ($map) but has no man page $mandir/$sym.3" >&2
		fail=1
	fi
done

shopt -s nullglob
pages=("$mandir"/*.3)
for page in "${pages[@]}"; do
	name=$(basename "$page" .3)
	if [ -z "${exported[$name]:-}" ]; then
		echo "check-manpages: $page documents $name, which $map does not export" >&2
		fail=1
	fi
	if ! grep -q "^\.TH \"\{0,1\}$name\"\{0,1\} 3 " "$page"; then
		echo "check-manpages: $page: .TH title is not '$name 3'" >&2
		fail=1
	fi
	for sec in "${sections[@]}"; do
		if ! grep -q "^\.SH \"\{0,1\}$sec\"\{0,1\}\$" "$page"; then
			echo "check-manpages: $page: no $sec section" >&2
			fail=1
		fi
	done
	out=$(groff -man -ww -z "$page" 2>&1) || true
	if [ -n "$out" ]; then
		echo "check-manpages: groff -man -ww $page:" >&2
		echo "$out" >&2
		fail=1
	fi
	if command -v man >/dev/null; then
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null) || true
		if [ -n "$out" ]; then
			echo "check-manpages: man --warnings $page:" >&2
			echo "$out" >&2
			fail=1
		fi
	fi
done

if [ "$fail" -ne 0 ]; then
	echo "check-manpages: FAILED"
	exit 1
fi
echo "check-manpages: ${#symbols[@]} exported functions, ${#pages[@]} pages, all clean"
