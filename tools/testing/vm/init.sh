#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the wsaevent test VM (busybox ash).  lib.sh copies it into the
# initramfs next to /wsaevent.ko, /tests/*, /examples/* and /bin/vm-exit.
#
# Kernel command-line parameters (set by lib.sh):
#   wsaevent_vm.mode=test|run|shell   default test
#   wsaevent_vm.timeout=SECONDS       per-program time limit, default 120
#
# Everything the host needs is printed on the console as lines starting
# with "@@WSAEVENT-VM@@ ":
#   START mode=M kernel=K timeout=T
#   CHECK insmod ok|fail [rc=N]
#   CHECK devnode ok|fail
#   BEGIN test|example NAME
#   END test|example NAME rc=N time=S [timedout]
#   CHECK rmmod ok|fail [rc=N]
#   NOTE TEXT                       (insmod/rmmod messages, stray processes)
#   BEGIN kmemleak / END kmemleak   (only on kernels with kmemleak)
#   BEGIN dmesg / END dmesg
#   DONE status=N
# DONE is always the last line; without it the guest crashed or hung.

M='@@WSAEVENT-VM@@'
MODULE=wsaevent
DEVNODE=/dev/wsaevent
KMEMLEAK=/sys/kernel/debug/kmemleak

PATH=/bin
HOME=/tmp
LD_LIBRARY_PATH=/lib:/lib/x86_64-linux-gnu
export PATH HOME LD_LIBRARY_PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null || :
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || :
ip link set lo up
# Only KERN_EMERG reaches the console, so kernel messages do not cut
# into the TAP output; the full log is dumped at the end (and a panic
# replays it through panic_print).
dmesg -n 1

say() {
	echo "$M $*"
}

mode='test'
tlimit=120
# shellcheck disable=SC2013 # /proc/cmdline is one line of words
for arg in $(cat /proc/cmdline); do
	case $arg in
	wsaevent_vm.mode=*) mode=${arg#*=} ;;
	wsaevent_vm.timeout=*) tlimit=${arg#*=} ;;
	esac
done

is_prog() {
	[ -f "$1" ] && [ -x "$1" ]
}

status=0
fail() {
	status=1
}

# checked CMD ARGS...: run CMD as the check named CMD; its output goes to
# NOTE lines.
checked() {
	out=$("$@" 2>&1)
	rc=$?
	echo "$out" | while IFS= read -r line; do
		[ -n "$line" ] && say "NOTE $1: $line"
	done
	if [ "$rc" -eq 0 ]; then
		say "CHECK $1 ok"
	else
		say "CHECK $1 fail rc=$rc"
		fail
	fi
	return "$rc"
}

# kill_strays WHO: kill the processes WHO left behind (they would keep
# fds open and the module busy) and wait until they let go of their files.
# Only shell builtins in the scan: a fork per process is slow under TCG.
kill_strays() {
	pids=
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" -eq 1 ] && continue
		alive "$pid" || continue
		comm=
		read -r comm <"$d/comm" 2>/dev/null
		# The watchdog half of busybox timeout outlives its program
		# by up to a second; not worth a note.
		[ "$comm" = timeout ] ||
			say "NOTE killing stray process $pid ($comm) left by $1"
		kill -9 "$pid" 2>/dev/null
		pids="$pids $pid"
	done
	i=0
	for pid in $pids; do
		while alive "$pid" && [ "$i" -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	done
}

# alive PID: a user process that has not exited yet (kernel threads and
# zombies have an empty cmdline).
alive() {
	cmdline=
	read -r cmdline <"/proc/$1/cmdline" 2>/dev/null
	[ -n "$cmdline" ]
}

# run_prog KIND PATH: run one program with the time limit, between markers.
# Sets $rc to its exit status.
run_prog() {
	name=${2##*/}
	say "BEGIN $1 $name"
	start=$(date +%s)
	(cd /tmp && exec timeout -s KILL "$tlimit" "$2") </dev/null
	rc=$?
	elapsed=$(($(date +%s) - start))
	extra=
	[ "$rc" -eq 137 ] && [ "$elapsed" -ge "$tlimit" ] && extra=' timedout'
	say "END $1 $name rc=$rc time=$elapsed$extra"
}

say "START mode=$mode kernel=$(uname -r) timeout=$tlimit"

# Leaks found later must be the module's, not boot's.
[ -w "$KMEMLEAK" ] && echo clear >"$KMEMLEAK"

loaded=0
if checked insmod "/$MODULE.ko"; then
	loaded=1
	i=0
	while [ ! -c "$DEVNODE" ] && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -c "$DEVNODE" ]; then
		say "CHECK devnode ok"
	else
		say "CHECK devnode fail"
		fail
	fi
fi

case $mode in
test)
	if [ "$loaded" -eq 1 ]; then
		for t in /tests/*; do
			is_prog "$t" || continue
			run_prog test "$t"
			kill_strays "$name"
			# 4 is KSFT_SKIP: everything in it skipped.
			[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || fail
		done
	fi
	;;
run)
	if [ "$loaded" -eq 1 ]; then
		for e in /examples/*; do
			is_prog "$e" || continue
			run_prog example "$e"
			kill_strays "$name"
			[ "$rc" -eq 0 ] || fail
		done
	fi
	;;
shell)
	echo "wsaevent VM shell: tests in /tests, examples in /examples;" \
		"exit the shell to power off."
	setsid cttyhack sh -l
	;;
*)
	echo "init: unknown wsaevent_vm.mode=$mode"
	fail
	;;
esac

if [ "$loaded" -eq 1 ]; then
	kill_strays "the $mode run"
	checked rmmod "$MODULE"
fi

if [ -w "$KMEMLEAK" ]; then
	# kmemleak ignores objects younger than 5 s; scan twice as its
	# documentation advises.
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	say "BEGIN kmemleak"
	cat "$KMEMLEAK"
	say "END kmemleak"
fi

say "BEGIN dmesg"
dmesg
say "END dmesg"

say "DONE status=$status"
sync
vm-exit "$status"
# No isa-debug-exit (or a kernel without ioperm): a reboot ends QEMU too
# (-no-reboot) and needs no ACPI, unlike poweroff.
reboot -f
poweroff -f
