#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-abi.sh LIB.so MAPFILE [OBJECT...]
#
# Fails when the dynamic symbols LIB.so defines (nm -D --defined-only,
# without the version-node symbol) differ from the global symbols of the
# version script MAPFILE: every exported function must be in the map and
# every function in the map must be exported.  With OBJECTs, also fails
# when one of them defines a global symbol of default visibility (a
# WSA_EXPORT function) that the map does not list, which the version
# script would otherwise hide silently.
set -eu

so=$1
map=$2
shift 2
NM=${NM:-nm}
READELF=${READELF:-readelf}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "ADDR T NAME@@VERSION" -> NAME; absolute (A) symbols are version nodes.
"$NM" -D --defined-only "$so" |
	awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp/so"

# Names between "global:" and "local:".
sed -n '/global:/,/local:/p' "$map" |
	sed -e 's/global://' -e 's/local://' -e 's/[;[:space:]]//g' |
	grep -v '^$' | sort -u >"$tmp/map"

if ! cmp -s "$tmp/so" "$tmp/map"; then
	echo "check-abi: $so exports differ from $map (- only in .so, + only in .map):" >&2
	diff -u "$tmp/so" "$tmp/map" | sed -n '/^[-+][^-+]/p' >&2
	exit 1
fi
if [ $# -gt 0 ]; then
	"$READELF" -sW "$@" |
		awk '$5 == "GLOBAL" && $6 == "DEFAULT" && $7 != "UND" { print $8 }' |
		sort -u >"$tmp/obj"
	missing=$(comm -23 "$tmp/obj" "$tmp/map")
	if [ -n "$missing" ]; then
		echo "check-abi: exported in the objects but missing from $map:" >&2
		echo "$missing" >&2
		exit 1
	fi
fi
echo "check-abi: $(wc -l <"$tmp/so") symbols match $map"
