# SPDX-License-Identifier: GPL-2.0-only
#
# The chart of make bench: gnuplot -e "dat='chart.dat'; png='chart.png';
# subtitle='...'" bench/chart.gp
#
# One bar per table row, as a relative cost where lower is better: the
# ratio ours/baseline for times, its inverse for throughputs, bytes over
# the budget for memory.  The black mark is the target, the same way.
# Green: target met; red: missed; grey: no target (for information).

if (!exists("subtitle")) subtitle = ""
set terminal pngcairo size 1200,640 font "DejaVu Sans,10"
set output png
set title "wsaevent against the Linux baselines (lower is better)\n" . subtitle
set ylabel "relative cost (1 = baseline; throughputs: baseline / ours)"
set logscale y 2
set yrange [0.125:*]
set grid ytics
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by -35 left nomirror noenhanced
set xrange [-0.6:*]
set key top right
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#555555"
set bmargin 11
set rmargin 16
plot dat using 1:3:($5 == 1 ? 0x2e8b57 : ($5 == 2 ? 0xcc3333 : 0x999999)):xtic(2) \
	with boxes lc rgb variable notitle, \
     dat using 1:4 with points pt 5 ps 1.6 lc rgb "black" title "target", \
     dat using 1:3:(sprintf("%.2f", $3)) with labels offset 0,0.8 notitle
