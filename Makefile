# SPDX-License-Identifier: GPL-2.0-only
#
# wsaevent top-level Makefile.
#
#   make            build the module, the library, the selftests, the examples
#   make check      install missing Debian packages (as root), build, boot
#                   Debian's kernel under QEMU, run every selftest there
#   make run        run the example (on this host if it can load modules,
#                   otherwise inside the VM)
#   make lint       checkpatch --strict and sparse on kmod/ and uapi/
#
# KDIR picks the kernel build tree.  Default: the running kernel's, or the
# newest /usr/src/linux-headers-*-amd64 when that is missing.

KVER ?= $(shell uname -r)
KDIR ?= $(shell if [ -d /lib/modules/$(KVER)/build ]; then \
		  echo /lib/modules/$(KVER)/build; \
		else \
		  ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; \
		fi)

BUILD := $(CURDIR)/build
export BUILD

# Kernel source tarball providing kselftest_harness.h and checkpatch.pl.
LINUX_SOURCE_TARBALL ?= $(lastword $(sort $(wildcard /usr/src/linux-source-*.tar.xz)))
export LINUX_SOURCE_TARBALL

.PHONY: all module lib selftests examples check check-deps run lint clean

all: module lib selftests examples

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "No kernel build tree: install linux-headers or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(MAKE) -C lib

selftests: lib
	$(MAKE) -C selftests

examples: lib
	$(MAKE) -C examples

check-deps:
	tools/testing/install-deps.sh

check: check-deps
	$(MAKE) all
	tools/testing/vm/check.sh

run:
	tools/testing/install-deps.sh
	$(MAKE) all
	tools/testing/vm/run.sh

lint:
	tools/testing/lint.sh "$(KDIR)"

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
