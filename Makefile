# SPDX-License-Identifier: GPL-2.0-only
#
# wsaevent top-level Makefile.
#
#   make            build the module, the library, the selftests, the examples
#   make check      install missing Debian packages (as root), build, boot
#                   Debian's kernel under QEMU, run every selftest there
#   make run        run the example (on this host if it can load modules,
#                   otherwise inside the VM)
#   make lint       checkpatch --strict and sparse on kmod/ and uapi/, and
#                   shellcheck, man pages and clang-format for userspace
#   make check-debug  the hardening tier on a debug kernel
#   make bench      benchmarks against Linux baselines, one VM boot
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

.PHONY: all module lib selftests examples check check-debug check-deps run lint clean

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

# The hardening tier: the same tests, plus fuzzing, fault injection and
# stress, on a debug kernel (KASAN, lockdep, kmemleak, UBSAN...) built from
# Debian's linux-source and cached in ~/.cache/wsaevent.
check-debug: check-deps
	$(MAKE) lib selftests examples
	tools/testing/check-debug.sh

run:
	tools/testing/install-deps.sh
	$(MAKE) all
	tools/testing/vm/run.sh

lint:
	tools/testing/lint.sh "$(KDIR)"

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)

# ---------------------------------------------------------------------------
# Installation (Documentation/wsaevent/install.rst).
#
#   make install          install-module + install-lib + install-udev
#   make install-module   wsaevent.ko via the kernel's modules_install into
#                         $(DESTDIR)/lib/modules/<release>/$(INSTALL_MOD_DIR),
#                         then depmod (skipped with DESTDIR, or when not root)
#   make install-lib      libwsaevent.so.1 (soname + symlinks), .a, headers in
#                         $(INCLUDEDIR), wsaevent.pc, man pages; then ldconfig
#                         (skipped with DESTDIR, or when not root)
#   make install-udev     udev/60-wsaevent.rules (mode 0666 for /dev/wsaevent)
#   make install-dkms-src the DKMS source tree $(DKMSSRCDIR)/wsaevent-<version>
#   make uninstall        removes what install put in place (uninstall-* too)
#   make check-packaging  DKMS, Debian packages, lintian, install test (root)
#   make deb              dpkg-buildpackage -us -uc -b (.debs land in ..)
#
# DESTDIR and PREFIX (default /usr/local) are honoured; LIBDIR, INCLUDEDIR,
# PKGCONFIGDIR, MANDIR, UDEVRULESDIR and DKMSSRCDIR can be set one by one.
# The module's location ignores PREFIX, as the kernel's does.

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include/wsaevent
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR ?= $(PREFIX)/share/man
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
DKMSSRCDIR ?= /usr/src
INSTALL_MOD_DIR ?= extra
INSTALL ?= install

DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)
DKMS_TREE = $(DESTDIR)$(DKMSSRCDIR)/wsaevent-$(DKMS_VERSION)
INSTALLED_HEADERS = $(notdir $(wildcard $(CURDIR)/lib/include/*.h))
MAN3_PAGES = $(notdir $(wildcard $(CURDIR)/man/man3/*.3*))
# Shell: true when the step that changes the running system may run.
ON_LIVE_SYSTEM = [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]

.PHONY: install install-module install-lib install-udev install-dkms-src \
	uninstall uninstall-module uninstall-lib uninstall-udev \
	uninstall-dkms-src check-packaging deb

install: install-module install-lib install-udev

# The release comes from the module's vermagic: Debian's headers report the
# upstream version (6.1.x) as "kernelrelease", not 6.1.0-N-amd64.  The
# module is not signed here (the headers carry no key); DKMS signs with its
# MOK key where Secure Boot needs it.
MODULE_RELEASE = $(firstword $(shell modinfo -F vermagic $(CURDIR)/wsaevent.ko))

install-module: module
	@test -n "$(MODULE_RELEASE)" || { echo "install-module: no wsaevent.ko" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) KERNELRELEASE=$(MODULE_RELEASE) \
		CONFIG_MODULE_SIG_ALL=
	@if $(ON_LIVE_SYSTEM); then \
		echo "depmod -a $(MODULE_RELEASE)"; depmod -a $(MODULE_RELEASE); \
	else \
		echo "install-module: skipped depmod (DESTDIR set or not root);" \
			"run 'depmod -a $(MODULE_RELEASE)' on the target"; \
	fi

# Names taken from the built symlinks: libwsaevent.so -> libwsaevent.so.1
# (the soname) -> libwsaevent.so.1.0.0 (the file).
LIB_DEV_LINK = $(shell readlink $(BUILD)/lib/libwsaevent.so)
LIB_REAL = $(shell readlink $(BUILD)/lib/$(LIB_DEV_LINK))

install-lib: lib
	@test -n "$(LIB_DEV_LINK)" -a -n "$(LIB_REAL)" -a -f "$(BUILD)/lib/$(LIB_REAL)" || \
		{ echo "install-lib: no $(BUILD)/lib/libwsaevent.so.*" >&2; exit 1; }
	rm -f $(BUILD)/install/lib/wsaevent.pc
	$(MAKE) -s -C lib BUILD=$(BUILD)/install PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) \
		INCLUDEDIR=$(INCLUDEDIR) $(BUILD)/install/lib/wsaevent.pc
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/linux \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man3
	$(INSTALL) -m 0644 $(BUILD)/lib/$(LIB_REAL) $(DESTDIR)$(LIBDIR)/$(LIB_REAL)
	ln -sfn $(LIB_REAL) $(DESTDIR)$(LIBDIR)/$(LIB_DEV_LINK)
	ln -sfn $(LIB_DEV_LINK) $(DESTDIR)$(LIBDIR)/libwsaevent.so
	$(INSTALL) -m 0644 $(BUILD)/lib/libwsaevent.a $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 0644 $(addprefix lib/include/,$(INSTALLED_HEADERS)) \
		$(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 0644 uapi/linux/wsaevent.h $(DESTDIR)$(INCLUDEDIR)/linux/
	$(INSTALL) -m 0644 $(BUILD)/install/lib/wsaevent.pc $(DESTDIR)$(PKGCONFIGDIR)/
	$(INSTALL) -m 0644 $(addprefix man/man3/,$(MAN3_PAGES)) $(DESTDIR)$(MANDIR)/man3/
	@if $(ON_LIVE_SYSTEM); then echo "ldconfig"; ldconfig; fi

install-udev:
	$(INSTALL) -D -m 0644 udev/60-wsaevent.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-wsaevent.rules
	@if $(ON_LIVE_SYSTEM) && udevadm control --reload-rules 2>/dev/null; then \
		echo "udev rules reloaded"; \
	fi

install-dkms-src:
	@test -n "$(DKMS_VERSION)" || { echo "no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	$(INSTALL) -d $(DKMS_TREE)/kmod $(DKMS_TREE)/uapi/linux
	$(INSTALL) -m 0644 Kbuild dkms.conf $(DKMS_TREE)/
	$(INSTALL) -m 0644 $(wildcard kmod/*.c kmod/*.h) $(DKMS_TREE)/kmod/
	$(INSTALL) -m 0644 $(wildcard uapi/linux/*.h) $(DKMS_TREE)/uapi/linux/

uninstall: uninstall-module uninstall-lib uninstall-udev

# Every kernel release this module was installed for.
uninstall-module:
	@set -e; \
	for ko in $(DESTDIR)/lib/modules/*/$(INSTALL_MOD_DIR)/wsaevent.ko*; do \
		[ -e "$$ko" ] || continue; \
		rel=$${ko#$(DESTDIR)/lib/modules/}; rel=$${rel%%/*}; \
		echo "rm -f $$ko"; rm -f "$$ko"; \
		rmdir "$(DESTDIR)/lib/modules/$$rel/$(INSTALL_MOD_DIR)" 2>/dev/null || :; \
		if $(ON_LIVE_SYSTEM); then echo "depmod -a $$rel"; depmod -a "$$rel"; fi; \
	done

uninstall-lib:
	rm -f $(DESTDIR)$(LIBDIR)/libwsaevent.so $(DESTDIR)$(LIBDIR)/libwsaevent.so.* \
		$(DESTDIR)$(LIBDIR)/libwsaevent.a $(DESTDIR)$(PKGCONFIGDIR)/wsaevent.pc \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(INSTALLED_HEADERS)) \
		$(DESTDIR)$(INCLUDEDIR)/linux/wsaevent.h \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(MAN3_PAGES))
	@rmdir $(DESTDIR)$(INCLUDEDIR)/linux $(DESTDIR)$(INCLUDEDIR) 2>/dev/null || :
	@if $(ON_LIVE_SYSTEM); then echo "ldconfig"; ldconfig; fi

uninstall-udev:
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-wsaevent.rules

uninstall-dkms-src:
	rm -rf $(DKMS_TREE)

check-packaging:
	tools/testing/check-packaging.sh

deb:
	dpkg-buildpackage -us -uc -b

.PHONY: bench bench-ctxsw
# make bench: every benchmark pair in one VM boot (bench/README.md);
# BENCH_QUICK=1: smoke pass, under a minute, README untouched.
bench: all
	WSAEVENT_EXTRA_DEPS=liburing-dev tools/testing/install-deps.sh || \
		echo "bench: liburing-dev missing: io_uring is not measured"
	$(MAKE) -C bench
	tools/testing/bench.sh

# Context switches per message of the wake-up-bound benchmarks, one
# implementation at a time (bench/README.md, "Analysis").
bench-ctxsw: all
	$(MAKE) -C bench
	tools/testing/bench-ctxsw.sh
