#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: boot the module's kernel under QEMU and run every selftest
# program in it (see lib.sh for the environment overrides, init.sh for
# the guest side).  Prints each program's TAP output, the VM checks,
# kselftest-style totals and, as the last line, "N passed, M failed".
# Exits 0 only when every test case and every VM check passed.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

vm_pick_kernel
vm_pack test
echo "vm: booting $VM_KERNEL with $(wc -l <"$VM_PROGRAMS") test program(s);" \
	"serial log: $VM_LOG"
vm_boot test
echo "vm: guest ran ${VM_ELAPSED} s (QEMU exit status $VM_QEMU_RC)"
vm_report test
