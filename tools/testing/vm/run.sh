#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make run: run the example programs (build/examples/*) with the module
# loaded.  On a host that can load the module (CONFIG_MODULES, headers for
# the running kernel, the module built for it, root) this loads it here;
# otherwise it boots the VM of check.sh in "run" mode.  Exits with the
# first non-zero example status, or 1 when the module could not be loaded
# or unloaded (or, in the VM, the kernel logged a problem).

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -f "$VM_MODULE" ] || vm_die "no module at $VM_MODULE (make module?)"
mapfile -t examples < <(vm_list_progs "$VM_EXAMPLES_DIR")
[ ${#examples[@]} -gt 0 ] || vm_die "no example programs in $VM_EXAMPLES_DIR"

host_can_load() {
	[ -e /proc/modules ] &&
		[ -d "/lib/modules/$(uname -r)/build" ] &&
		[ "$(vm_module_release "$VM_MODULE")" = "$(uname -r)" ] &&
		[ "$(id -u)" -eq 0 ]
}

run_on_host() {
	local loaded_here=0 status=0 rc prog i
	if ! grep -q '^wsaevent ' /proc/modules; then
		insmod "$VM_MODULE" || vm_die "insmod $VM_MODULE failed"
		loaded_here=1
	else
		echo "run: wsaevent is already loaded; using that one"
	fi
	for ((i = 0; i < 50; i++)); do
		[ -c /dev/wsaevent ] && break
		sleep 0.1
	done
	for prog in "${examples[@]}"; do
		echo "# ---- example: $(basename "$prog")"
		set +e
		"$prog"
		rc=$?
		set -e
		echo "# ---- example $(basename "$prog") exited with status $rc"
		[ "$status" -ne 0 ] || status=$rc
	done
	if [ "$loaded_here" -eq 1 ] && ! rmmod wsaevent; then
		echo "run: rmmod wsaevent failed" >&2
		[ "$status" -ne 0 ] || status=1
	fi
	return "$status"
}

if host_can_load; then
	run_on_host
else
	echo "run: this host cannot load $VM_MODULE; running the examples in the VM"
	vm_pick_kernel
	vm_pack run
	vm_boot run
	vm_report run
fi
