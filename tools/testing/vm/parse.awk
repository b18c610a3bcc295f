# SPDX-License-Identifier: GPL-2.0-only
#
# Turn the serial log of the wsaevent test VM into a report and a verdict.
# POSIX awk (mawk is enough).  See init.sh for the marker protocol.
#
# awk -f parse.awk -v mode=test|run -v qrc=QEMU_EXIT -v vmtimeout=SECONDS \
#     [-v module=NAME] [-v ignore=ERE] PROGRAMS_LIST SERIAL_LOG
#
# PROGRAMS_LIST names (one per line) the programs packed into the guest,
# so that programs that never ran are counted too.
#
# mode=test prints each test program's TAP output, the VM checks as one
# more TAP block, kselftest-style totals and, last, "N passed, M failed"
# (N/M count test cases; a program that crashed, timed out, gave no plan
# or never ran counts as failed).  Exits 0 only when nothing failed.
#
# mode=run prints each example's output and exits with the first non-zero
# example status, else 1 when a VM check failed, else 0.

BEGIN {
	MK = "@@WSAEVENT-VM@@"
	if (module == "")
		module = "wsaevent"
	BAD = "BUG:|WARNING:|Oops|KASAN|UBSAN|general protection|" \
	      "possible circular locking|possible recursive locking|" \
	      "inconsistent lock state|suspicious RCU usage|" \
	      "sleeping function called from invalid context|" \
	      "INFO: task .* blocked|" \
	      "kmemleak: [0-9]+ new suspected memory leak|" \
	      "unreferenced object|Kernel panic"
	block = ""
	ncons = 0
	nbad = 0
	ndmesg = 0
	tot_pass = tot_fail = tot_xfail = tot_xpass = tot_skip = tot_err = 0
	run_rc = 0
}

# First file: the programs that were packed.
FNR == NR {
	if ($0 != "") {
		expected[++nexp] = $0
	}
	next
}

{
	gsub(/\r/, "")
	gsub(/\033\[[0-9;?]*[A-Za-z]/, "")	# SeaBIOS's terminal resets
	gsub(/\033c/, "")
	p = index($0, MK " ")
	if (p == 0) {
		text($0)
		next
	}
	if (p > 1)
		text(substr($0, 1, p - 1))
	marker(substr($0, p + length(MK) + 1))
}

function bad_line(l) {
	return l ~ BAD && (ignore == "" || l !~ ignore)
}

function text(l) {
	# Kernel messages on the console (only oopses and panics get there
	# once init has run) belong to no program's output.
	if ((block == "test" || block == "example") &&
	    (l ~ /^\[ *[0-9]+\.[0-9]+\] / || l ~ /^qemu-system-/))
		console(l)
	else if (block == "test") {
		print l
		tap(l)
	} else if (block == "example") {
		print l
	} else if (block == "dmesg") {
		dmesg[++ndmesg] = l
	} else if (block == "kmemleak") {
		kmemleak[++nkmemleak] = l
		if (l ~ /unreferenced object/)
			leaks++
	} else {
		console(l)
	}
}

# Console output outside the programs: boot, crashes, panics.
function console(l) {
	cons[++ncons] = l
	if (bad_line(l) && !first_bad)
		first_bad = ncons
	if (l ~ /Kernel panic/ && !panicked)
		panicked = ncons
}

function tap(l) {
	if (l ~ /^1\.\.[0-9]+/ && plan == "") {
		plan = substr(l, 4) + 0
		if (plan == 0 && l ~ /# *[Ss][Kk][Ii][Pp]/)
			p_skip++
	} else if (l ~ /^(not )?ok( |$)/) {
		if (l ~ /# *[Ss][Kk][Ii][Pp]/)
			p_skip++
		else if (l ~ /# *XFAIL/)
			p_xfail++
		else if (l ~ /# *XPASS/)
			p_xpass++
		else if (l ~ /^ok/)
			p_pass++
		else if (l ~ /# *error/)
			p_err++
		else
			p_fail++
	} else if (l ~ /^Bail out!/) {
		p_bail = 1
	}
}

function field(s, key,    n, i, a) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++)
		if (index(a[i], key "=") == 1)
			return substr(a[i], length(key) + 2)
	return ""
}

function begin_prog(kind, name) {
	block = kind
	cur = name
	plan = ""
	p_pass = p_fail = p_xfail = p_xpass = p_skip = p_err = p_bail = 0
	if (mode == "test" || kind == "example")
		print "# ---- " kind ": " name
}

# rc is "" when the guest died while the program ran.
function end_prog(rc, how,    results, problem, extra) {
	block = ""
	ran[cur] = 1
	if (cur_kind == "example") {
		if (rc == "")
			rc = 255
		if (rc != 0 && run_rc == 0)
			run_rc = rc
		print "# ---- example " cur ": exit status " rc how
		return
	}
	results = p_pass + p_fail + p_xfail + p_xpass + p_skip + p_err
	problem = ""
	extra = 0
	if (plan == "") {
		problem = "no TAP plan"
		extra = 1
	} else if (plan > results) {
		extra = plan - results
		problem = extra " of " plan " planned test cases never reported"
	}
	if (rc == "") {
		problem = problem (problem == "" ? "" : "; ") \
			  "the guest stopped while it ran"
		if (extra == 0)
			extra = 1
	} else if (rc != 0 && rc != 4 && !(rc == 1 && p_fail + p_err > 0)) {
		# (1 is the harness's usual status when a case failed.)
		problem = problem (problem == "" ? "" : "; ") \
			  "exited with status " rc how
		if (extra == 0 && p_fail + p_err == 0)
			extra = 1
	}
	if (p_bail)
		problem = problem (problem == "" ? "" : "; ") "bailed out"
	if (problem != "")
		print "# wsaevent-vm: " cur ": " problem
	if (rc != "")
		print "# ---- test " cur ": exit status " rc ", " secs " s"
	tot_pass += p_pass
	tot_fail += p_fail
	tot_xfail += p_xfail
	tot_xpass += p_xpass
	tot_skip += p_skip
	tot_err += p_err + extra
}

function marker(m,    w, rc, how) {
	split(m, w, " ")
	if (block == "test" || block == "example") {
		if (w[1] == "END" && w[2] == cur_kind) {
			rc = field(m, "rc") + 0
			secs = field(m, "time")
			how = ""
			if (m ~ / timedout/)
				how = " (killed at the " secs " s time limit)"
			else if (rc > 128)
				how = " (killed by signal " (rc - 128) ")"
			end_prog(rc, how)
			return
		}
		# Another marker inside a program's output: should not happen.
		end_prog("", "")
	}
	if (w[1] == "START") {
		started = 1
		kernel = field(m, "kernel")
	} else if (w[1] == "CHECK") {
		check[w[2]] = w[3]
	} else if (w[1] == "BEGIN" && (w[2] == "test" || w[2] == "example")) {
		cur_kind = w[2]
		begin_prog(w[2], w[3])
	} else if (w[1] == "BEGIN" && w[2] == "dmesg") {
		block = "dmesg"
	} else if (w[1] == "END" && w[2] == "dmesg") {
		block = ""
		dmesg_done = 1
	} else if (w[1] == "BEGIN" && w[2] == "kmemleak") {
		block = "kmemleak"
	} else if (w[1] == "END" && w[2] == "kmemleak") {
		block = ""
	} else if (w[1] == "NOTE") {
		print "# wsaevent-vm: " substr(m, 6)
	} else if (w[1] == "DONE") {
		done = 1
		block = ""
	}
}

# TAP line for one VM check; counts it into the totals.
function vmcheck(ok, desc) {
	vmn++
	if (ok) {
		vmout = vmout "ok " vmn " " desc "\n"
		tot_pass++
	} else {
		vmout = vmout "not ok " vmn " " desc "\n"
		tot_fail++
	}
}

function print_dmesg_problems(    i, j, shown) {
	shown = 0
	for (i = 1; i <= ndmesg; i++) {
		if (!bad_line(dmesg[i]))
			continue
		nbad++
		if (shown > 200)
			continue
		# The offending line and the trace after it.
		for (j = i; j <= ndmesg && j < i + 25; j++) {
			if (j > i && bad_line(dmesg[j]))
				break
			print "# dmesg: " dmesg[j]
			shown++
		}
	}
}

# What the console shows about the crash: from the first kernel problem
# to the panic (the panic replays the whole log after that, see
# panic_print), else the last lines.
function print_console(    i, from, to) {
	if (first_bad) {
		from = first_bad
		to = panicked ? panicked + 1 : ncons
		if (to > from + 150)
			to = from + 150
	} else {
		to = ncons
		from = to > 40 ? to - 40 : 1
	}
	print "# ---- console:"
	for (i = from; i <= to && i <= ncons; i++)
		print "# console: " cons[i]
}

END {
	if (block == "test" || block == "example")
		end_prog("", "")

	if (mode == "test") {
		for (i = 1; i <= nexp; i++) {
			if (!(expected[i] in ran)) {
				print "# ---- test: " expected[i]
				print "# wsaevent-vm: " expected[i] ": never ran"
				tot_err++
			}
		}
		if (nexp == 0) {
			print "# wsaevent-vm: no test programs were packed"
			tot_err++
		}
	} else if (nexp == 0) {
		print "# wsaevent-vm: no example programs were packed"
		run_rc = run_rc ? run_rc : 1
	}

	if (dmesg_done)
		print_dmesg_problems()
	for (i = 1; i <= nkmemleak && leaks; i++)
		print "# kmemleak: " kmemleak[i]

	finished = done && qrc != 124
	if (!finished) {
		if (qrc == 124)
			why = "timed out after " vmtimeout " s (VM_TIMEOUT)"
		else if (panicked)
			why = "kernel panic"
		else if (!started)
			why = "never reached /init (QEMU exit status " qrc ")"
		else
			why = "stopped without finishing (QEMU exit status " \
			      qrc ")"
		print "# wsaevent-vm: guest " why
		print_console()
	}

	vmcheck(check["insmod"] == "ok", "insmod " module ".ko")
	vmcheck(check["devnode"] == "ok", "/dev/" module " appears")
	vmcheck(check["rmmod"] == "ok", "rmmod " module " once all fds are closed")
	vmcheck(dmesg_done && nbad == 0 && leaks == 0 && !first_bad,
		"kernel log clean")
	vmcheck(finished, "guest ran to the end")

	if (mode == "run") {
		if (run_rc == 0 && vmfail_count())
			run_rc = 1
		if (vmfail_count()) {
			print "# ---- vm checks (kernel " kernel ")"
			printf "%s", vmout
		}
		exit run_rc > 255 ? 1 : run_rc
	}

	print "# ---- vm checks (kernel " kernel ")"
	print "TAP version 13"
	print "1.." vmn
	printf "%s", vmout
	printf "# Totals: pass:%d fail:%d xfail:%d xpass:%d skip:%d error:%d\n",
	       tot_pass, tot_fail, tot_xfail, tot_xpass, tot_skip, tot_err
	failed = tot_fail + tot_err + tot_xpass
	printf "%d passed, %d failed\n", tot_pass, failed
	exit failed ? 1 : 0
}

function vmfail_count(    s, n, i, a) {
	n = split(vmout, a, "\n")
	s = 0
	for (i = 1; i <= n; i++)
		if (a[i] ~ /^not ok/)
			s++
	return s
}
