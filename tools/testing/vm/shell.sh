#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Interactive shell in the test VM, with the module loaded and the tests
# and examples in /tests and /examples (not used by make; for debugging).
# Quit with "exit" (the guest then powers off) or Ctrl-A x.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

vm_pick_kernel
vm_pack shell
vm_boot shell
