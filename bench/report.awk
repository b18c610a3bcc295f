# SPDX-License-Identifier: GPL-2.0-only
#
# Turn the @@BENCH@@ lines of the VM's serial log into the result files
# (see bench/bench.h for the line format).  POSIX awk (mawk is enough).
#
# awk -f report.awk -v out=DIR -v machine="TEXT" -v quick=0|1 \
#     -v meta_json='"k": "v", ...' SERIAL_LOG
#
# Writes DIR/results.csv (the table), DIR/raw.csv (every figure with its
# runs), DIR/memory.csv (the caches behind the memory rows),
# DIR/results.json (all of it), DIR/table.md (the README table) and
# DIR/chart.dat (gnuplot input).  Prints the table on stdout.  Exits 1
# when the log holds no table row at all.

BEGIN {
	FS = "|"
	nrow = nres = nmem = ninfo = 0
}

{
	gsub(/\r/, "")
	p = index($0, "@@BENCH@@ ")
	if (p == 0)
		next
	line = substr($0, p + 10)
	n = split(line, f, "|")
	if (f[1] == "ROW" && n >= 13) {
		nrow++
		for (i = 2; i <= 13; i++)
			row[nrow, i - 1] = f[i]
	} else if (f[1] == "RES" && n >= 9) {
		nres++
		for (i = 2; i <= 9; i++)
			res[nres, i - 1] = f[i]
	} else if (f[1] == "MEM" && n >= 6) {
		nmem++
		for (i = 2; i <= 6; i++)
			mem[nmem, i - 1] = f[i]
	} else if (f[1] == "INFO") {
		info[++ninfo] = substr(line, 6)
	}
}

function csv(s) {
	if (s ~ /[",]/) {
		gsub(/"/, "\"\"", s)
		return "\"" s "\""
	}
	return s
}

function js(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	return "\"" s "\""
}

function jnum(s) {
	return s == "" ? "null" : s + 0
}

# A figure for the table: 3 significant digits, no exponent.
function fig(v, unit) {
	if (v == "")
		return "-"
	v += 0
	if (v >= 100)
		return sprintf("%.0f", v)
	if (v >= 10)
		return sprintf("%.1f", v)
	return sprintf("%.2f", v)
}

function unit_text(u) {
	if (u == "us")
		return "µs"
	return u
}

# row fields: 1 label, 2 measure, 3 ours, 4 value, 5 baseline, 6 value,
# 7 unit, 8 ratio, 9 cmp, 10 target, 11 verdict, 12 note
function target_text(r) {
	if (row[r, 10] == "")
		return "-"
	if (row[r, 8] == "")
		return (row[r, 9] == "ge" ? "≥ " : "≤ ") row[r, 10] " " row[r, 7]
	return (row[r, 9] == "ge" ? "≥ " : "≤ ") sprintf("%.2g", row[r, 10]) "×"
}

function verdict_text(v) {
	if (v == "met")
		return "**met**"
	if (v == "missed")
		return "**missed**"
	if (v == "not-run")
		return "not run"
	return "info"
}

END {
	if (nrow == 0) {
		print "bench: no results in the serial log" > "/dev/stderr"
		exit 1
	}

	fn = out "/results.csv"
	print "measure,ours,ours_value,baseline,baseline_value,unit,ratio,cmp,target,verdict,note" > fn
	for (r = 1; r <= nrow; r++)
		print csv(row[r, 2]) "," csv(row[r, 3]) "," row[r, 4] "," \
		      csv(row[r, 5]) "," row[r, 6] "," row[r, 7] "," \
		      row[r, 8] "," row[r, 9] "," row[r, 10] "," row[r, 11] \
		      "," csv(row[r, 12]) > fn
	close(fn)

	fn = out "/raw.csv"
	print "id,impl,unit,median,min,max,iterations_per_run,runs" > fn
	for (r = 1; r <= nres; r++) {
		runs = res[r, 8]
		gsub(/,/, " ", runs)
		print csv(res[r, 1]) "," csv(res[r, 2]) "," res[r, 3] "," \
		      res[r, 4] "," res[r, 5] "," res[r, 6] "," res[r, 7] \
		      "," runs > fn
	}
	close(fn)

	fn = out "/memory.csv"
	print "object,cache,object_size,objects_delta,bytes_per_object" > fn
	for (r = 1; r <= nmem; r++)
		print csv(mem[r, 1]) "," mem[r, 2] "," mem[r, 3] "," \
		      mem[r, 4] "," mem[r, 5] > fn
	close(fn)

	fn = out "/results.json"
	print "{" > fn
	print "  \"machine\": " js(machine) "," > fn
	if (meta_json != "")
		print "  " meta_json "," > fn
	print "  \"quick\": " (quick ? "true" : "false") "," > fn
	print "  \"rows\": [" > fn
	for (r = 1; r <= nrow; r++)
		printf "    {\"label\": %s, \"measure\": %s, \"ours\": %s, " \
		       "\"ours_value\": %s, \"baseline\": %s, " \
		       "\"baseline_value\": %s, \"unit\": %s, \"ratio\": %s, " \
		       "\"cmp\": %s, \"target\": %s, \"verdict\": %s, " \
		       "\"note\": %s}%s\n", js(row[r, 1]), js(row[r, 2]),
		       js(row[r, 3]), jnum(row[r, 4]), js(row[r, 5]),
		       jnum(row[r, 6]), js(row[r, 7]), jnum(row[r, 8]),
		       js(row[r, 9]), jnum(row[r, 10]), js(row[r, 11]),
		       js(row[r, 12]), r < nrow ? "," : "" > fn
	print "  ]," > fn
	print "  \"figures\": [" > fn
	for (r = 1; r <= nres; r++) {
		runs = res[r, 8]
		printf "    {\"id\": %s, \"impl\": %s, \"unit\": %s, " \
		       "\"median\": %s, \"min\": %s, \"max\": %s, " \
		       "\"iterations_per_run\": %s, \"runs\": [%s]}%s\n",
		       js(res[r, 1]), js(res[r, 2]), js(res[r, 3]),
		       jnum(res[r, 4]), jnum(res[r, 5]), jnum(res[r, 6]),
		       jnum(res[r, 7]), runs, r < nres ? "," : "" > fn
	}
	print "  ]," > fn
	print "  \"memory\": [" > fn
	for (r = 1; r <= nmem; r++)
		printf "    {\"object\": %s, \"cache\": %s, " \
		       "\"object_size\": %s, \"objects_delta\": %s, " \
		       "\"bytes_per_object\": %s}%s\n", js(mem[r, 1]),
		       js(mem[r, 2]), jnum(mem[r, 3]), jnum(mem[r, 4]),
		       jnum(mem[r, 5]), r < nmem ? "," : "" > fn
	print "  ]," > fn
	print "  \"info\": [" > fn
	for (r = 1; r <= ninfo; r++)
		print "    " js(info[r]) (r < ninfo ? "," : "") > fn
	print "  ]" > fn
	print "}" > fn
	close(fn)

	# The table, as Markdown: for the README and for the terminal.
	fn = out "/table.md"
	print "| Measure | Ours | Baseline | Ratio | Target | Verdict | Note |" > fn
	print "|---|---|---|---|---|---|---|" > fn
	for (r = 1; r <= nrow; r++) {
		u = unit_text(row[r, 7])
		base = row[r, 5] == "-" ? "-" : \
		       row[r, 5] " " fig(row[r, 6]) " " u
		ratio = row[r, 8] == "" ? "-" : sprintf("%.2f×", row[r, 8])
		print "| " row[r, 2] " | " row[r, 3] " " fig(row[r, 4]) " " u \
		      " | " base " | " ratio " | " target_text(r) " | " \
		      verdict_text(row[r, 11]) " | " row[r, 12] " |" > fn
	}
	close(fn)

	# Chart: one bar per row, as a cost (lower is better): the ratio for
	# "le" rows, its inverse for "ge" rows (throughput), bytes / target
	# for the memory row; the target the same way.
	fn = out "/chart.dat"
	print "# index label cost target verdict" > fn
	k = 0
	for (r = 1; r <= nrow; r++) {
		cost = ""
		tgt = ""
		if (row[r, 8] != "") {
			cost = row[r, 9] == "ge" ? 1 / row[r, 8] : row[r, 8]
			if (row[r, 10] != "")
				tgt = row[r, 9] == "ge" ? 1 / row[r, 10] : \
				      row[r, 10]
		} else if (row[r, 10] != "") {
			cost = row[r, 4] / row[r, 10]
			tgt = 1
		}
		if (cost == "")
			continue
		printf "%d \"%s\" %.4f %s %s\n", k++, row[r, 1], cost,
		       tgt == "" ? "NaN" : sprintf("%.4f", tgt),
		       row[r, 11] == "met" ? 1 : (row[r, 11] == "missed" ? 2 : 0) > fn
	}
	close(fn)

	print "Machine: " machine
	for (r = 1; r <= ninfo; r++)
		print "  " info[r]
	print ""
	while ((getline l < (out "/table.md")) > 0)
		print l
}
