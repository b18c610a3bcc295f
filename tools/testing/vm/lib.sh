# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared host side of the wsaevent test VM: sourced by check.sh, run.sh
# and shell.sh.  Packs an initramfs (busybox-static, the module, test or
# example programs, init.sh as /init, vm-exit) and boots it under QEMU.
#
# Environment (all optional):
#   VM_MODULE        module to load            (default ./wsaevent.ko)
#   VM_KERNEL        kernel image              (default /boot/vmlinuz-<the
#                    module's vermagic version>)
#   VM_TESTS_DIR     test programs directory   (default $BUILD/selftests)
#   VM_EXTRA_TESTS   more test programs, space-separated paths
#   VM_EXAMPLES_DIR  example programs          (default $BUILD/examples)
#   VM_APPEND        extra kernel command line
#   VM_QEMU_OPTS     extra QEMU options (word-split)
#   VM_ACCEL         QEMU accelerator          (default tcg,thread=multi)
#   VM_SMP, VM_MEM   guest CPUs and memory     (default 2, 1G)
#   VM_TIMEOUT       whole-guest time limit, s (default 900)
#   VM_TEST_TIMEOUT  per-program time limit, s (default 120)
#   VM_OUT           work directory            (default $BUILD/vm)
#   VM_DMESG_IGNORE  ERE of kernel log lines not to count as problems
#   VM_VERBOSE=1     also stream the serial console to stdout
#   BUILD            build directory           (default ./build)

set -euo pipefail

VM_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$VM_SRC/../../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
VM_OUT=${VM_OUT:-$BUILD/vm}
VM_MODULE=${VM_MODULE:-$ROOT/wsaevent.ko}
VM_TESTS_DIR=${VM_TESTS_DIR:-$BUILD/selftests}
VM_EXTRA_TESTS=${VM_EXTRA_TESTS:-}
VM_EXAMPLES_DIR=${VM_EXAMPLES_DIR:-$BUILD/examples}
VM_APPEND=${VM_APPEND:-}
VM_QEMU_OPTS=${VM_QEMU_OPTS:-}
VM_ACCEL=${VM_ACCEL:-tcg,thread=multi}
VM_SMP=${VM_SMP:-2}
VM_MEM=${VM_MEM:-1G}
VM_TIMEOUT=${VM_TIMEOUT:-900}
VM_TEST_TIMEOUT=${VM_TEST_TIMEOUT:-120}
VM_DMESG_IGNORE=${VM_DMESG_IGNORE:-}
VM_VERBOSE=${VM_VERBOSE:-0}

VM_ROOTFS=$VM_OUT/rootfs
VM_INITRD=$VM_OUT/initramfs.cpio.gz
VM_LOG=$VM_OUT/serial.log
VM_PROGRAMS=$VM_OUT/programs.list

vm_die() {
	echo "vm: $*" >&2
	exit 1
}

# The kernel release a module was built for (first word of vermagic).
vm_module_release() {
	local vermagic
	vermagic=$(modinfo -F vermagic "$1") ||
		vm_die "cannot read vermagic of $1"
	echo "${vermagic%% *}"
}

# Pick the kernel image that matches the module.
vm_pick_kernel() {
	[ -f "$VM_MODULE" ] || vm_die "no module at $VM_MODULE (make module?)"
	if [ -z "${VM_KERNEL:-}" ]; then
		VM_KERNEL=/boot/vmlinuz-$(vm_module_release "$VM_MODULE")
	fi
	[ -r "$VM_KERNEL" ] || vm_die "cannot read kernel image $VM_KERNEL" \
		"(install the linux-image package matching the module's" \
		"vermagic, or set VM_KERNEL)"
}

# Copy an executable into the rootfs; for a dynamically linked one also
# its shared libraries (to /lib, which the guest's LD_LIBRARY_PATH names)
# and its program interpreter (to the same path).
vm_install_prog() {
	local src=$1 dst=$2 line lib
	install -m 0755 "$src" "$VM_ROOTFS/$dst"
	ldd "$src" >/dev/null 2>&1 || return 0	# static: nothing more
	while read -r line; do
		case $line in
		*"=> not found"*)
			vm_die "$src: shared library ${line%% *} not found"
			;;
		*"=> /"*)
			lib=${line#*=> }
			lib=${lib%% (*}
			cp -L "$lib" "$VM_ROOTFS/lib/"
			;;
		/*)
			lib=${line%% (*}
			mkdir -p "$VM_ROOTFS/$(dirname "$lib")"
			cp -L "$lib" "$VM_ROOTFS/$lib"
			;;
		esac
	done < <(LD_LIBRARY_PATH="$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
			ldd "$src")
}

# Regular executable files directly in a directory, sorted.
vm_list_progs() {
	[ -d "$1" ] || return 0
	find "$1" -mindepth 1 -maxdepth 1 -type f -perm -u+x -print |
		LC_ALL=C sort
}

vm_build_exit_helper() {
	local src=$VM_SRC/vm-exit.c bin=$VM_OUT/vm-exit
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		gcc -static -O2 -Wall -Wextra -o "$bin" "$src"
	fi
}

# vm_pack MODE: build $VM_INITRD; writes the names of the programs the
# mode runs (tests or examples) to $VM_PROGRAMS.
vm_pack() {
	local mode=$1 busybox prog name dir applet
	local -a tests=() examples=()

	mkdir -p "$VM_OUT"
	vm_build_exit_helper
	rm -rf "$VM_ROOTFS"
	for dir in bin dev proc sys tmp lib usr tests examples; do
		mkdir -p "$VM_ROOTFS/$dir"
	done
	ln -s bin "$VM_ROOTFS/sbin"
	ln -s ../bin "$VM_ROOTFS/usr/bin"
	ln -s ../bin "$VM_ROOTFS/usr/sbin"

	busybox=$(command -v busybox) ||
		vm_die "busybox not found (install busybox-static)"
	vm_install_prog "$busybox" bin/busybox
	for applet in $("$busybox" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$VM_ROOTFS/bin/$applet"
	done
	vm_install_prog "$VM_OUT/vm-exit" bin/vm-exit
	install -m 0755 "$VM_SRC/init.sh" "$VM_ROOTFS/init"
	install -m 0644 "$VM_MODULE" "$VM_ROOTFS/wsaevent.ko"

	mapfile -t tests < <(vm_list_progs "$VM_TESTS_DIR")
	# shellcheck disable=SC2206 # a space-separated list of paths
	tests+=($VM_EXTRA_TESTS)
	mapfile -t examples < <(vm_list_progs "$VM_EXAMPLES_DIR")

	: >"$VM_PROGRAMS"
	for prog in ${tests[@]+"${tests[@]}"}; do
		name=$(basename "$prog")
		[ -e "$VM_ROOTFS/tests/$name" ] &&
			vm_die "two test programs named $name"
		vm_install_prog "$prog" "tests/$name"
		[ "$mode" = test ] && echo "$name" >>"$VM_PROGRAMS"
	done
	for prog in ${examples[@]+"${examples[@]}"}; do
		name=$(basename "$prog")
		vm_install_prog "$prog" "examples/$name"
		[ "$mode" = run ] && echo "$name" >>"$VM_PROGRAMS"
	done

	(cd "$VM_ROOTFS" && find . -print | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$VM_INITRD"
}

# vm_boot MODE: boot the packed initramfs; the serial console goes to
# $VM_LOG.  Sets VM_QEMU_RC (124: VM_TIMEOUT hit) and VM_ELAPSED.
vm_boot() {
	local mode=$1 start append
	local -a qemu
	append="console=ttyS0 panic=-1 oops=panic loglevel=3"
	# On a panic, replay the whole kernel log on the console; a task
	# stuck in D state for 120 s panics instead of waiting for VM_TIMEOUT.
	append+=" panic_print=0x20 hung_task_panic=1"
	append+=" rdinit=/init wsaevent_vm.mode=$mode"
	append+=" wsaevent_vm.timeout=$VM_TEST_TIMEOUT"
	[ -n "$VM_APPEND" ] && append+=" $VM_APPEND"
	qemu=(qemu-system-x86_64 -accel "$VM_ACCEL" -smp "$VM_SMP"
	      -m "$VM_MEM" -nographic -no-reboot -vga none -nic none
	      -kernel "$VM_KERNEL" -initrd "$VM_INITRD" -append "$append"
	      -device "isa-debug-exit,iobase=0xf4,iosize=0x04")
	# shellcheck disable=SC2206 # extra options are meant to be split
	qemu+=($VM_QEMU_OPTS)

	start=$(date +%s.%N)
	set +e
	if [ "$mode" = shell ]; then
		"${qemu[@]}" 2>&1 | tee "$VM_LOG"
		VM_QEMU_RC=${PIPESTATUS[0]}
	elif [ "$VM_VERBOSE" = 1 ]; then
		timeout -k 10 "$VM_TIMEOUT" "${qemu[@]}" </dev/null 2>&1 |
			tee "$VM_LOG"
		VM_QEMU_RC=${PIPESTATUS[0]}
	else
		timeout -k 10 "$VM_TIMEOUT" "${qemu[@]}" </dev/null \
			>"$VM_LOG" 2>&1
		VM_QEMU_RC=$?
	fi
	set -e
	VM_ELAPSED=$(echo "$start $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
	export VM_QEMU_RC VM_ELAPSED
}

# vm_report MODE: parse $VM_LOG; prints the report, returns the verdict.
vm_report() {
	awk -f "$VM_SRC/parse.awk" -v mode="$1" -v qrc="$VM_QEMU_RC" \
		-v vmtimeout="$VM_TIMEOUT" -v ignore="$VM_DMESG_IGNORE" \
		"$VM_PROGRAMS" "$VM_LOG"
}
