# theory_vs_network.gp — written by clnscl; Empirical vs theoretical: network Sigma gap, surrogate, bounds (theory)
# Data files are beside this script. Render (in this directory): gnuplot theory_vs_network.gp
# -> theory_vs_network.png (pngcairo) and theory_vs_network.svg
if (!exists("outbase")) outbase = "theory_vs_network"
do for [fmt_i = 1:2] {
reset
if (fmt_i == 1) {
    set terminal pngcairo size 1200,1030 noenhanced font "Sans,10"
    set output outbase.".png"
} else {
    set terminal svg size 1200,1030 noenhanced font "Sans,10" background rgb "white"
    set output outbase.".svg"
}
set grid lc rgb "#dddddd"
set datafile missing "?"
set key box opaque samplen 2
set style fill transparent solid 0.18 noborder
set multiplot layout 3,1 title "Empirical vs theoretical: network Sigma gap, surrogate, bounds (theory)"
unset logscale
unset label
unset arrow
unset object
set autoscale
set offsets
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xtics autofreq
set format y "%g"
set yrange [*:*]
set xlabel ""
set ylabel "log10 ||Sigma_CL - Sigma_NSCL||_F"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
set object 1 rect from graph 0, first 2.70842 to graph 1, graph 1 fc rgb "#f4dcdc" fs solid 0.6 noborder behind
set arrow 1 from graph 0, first 2.70842 to graph 1, first 2.70842 nohead dt 2 lc rgb "#a00000"
set label 1 "shaded: vacuous, above the largest\npossible gap 2 sqrt(n(n-1)) = 511\n(n points of the reference set)" at graph 1.03, graph 0.08 left tc rgb "#a00000" font ",8"
plot 'theory_vs_network.dat' index 0 using 1:2:4:5 with yerrorlines lc rgb "#1f5fbf" dt 1 pt 7 ps 0.7 lw 1.5 title "network (3 runs)", \
     'theory_vs_network.dat' index 1 using 1:4:5 with filledcurves fc rgb "#9467bd" notitle, \
     'theory_vs_network.dat' index 1 using 1:2 with linespoints lc rgb "#9467bd" dt 1 pt 7 ps 0.5 lw 2 title "surrogate from the network's Sigma_0 (3 runs)", \
     'theory_vs_network.dat' index 2 using 1:4:5 with filledcurves fc rgb "#ff7f0e" notitle, \
     'theory_vs_network.dat' index 2 using 1:2 with linespoints lc rgb "#ff7f0e" dt 2 pt 7 ps 0.5 lw 2 title "recurrence bound (Delta_emp)", \
     'theory_vs_network.dat' index 3 using 1:4:5 with filledcurves fc rgb "#8c564b" notitle, \
     'theory_vs_network.dat' index 3 using 1:2 with linespoints lc rgb "#8c564b" dt 3 pt 7 ps 0.5 lw 2 title "Theorem 1 bound (Delta_emp)", \
     'theory_vs_network.dat' index 4 using 1:4:5 with filledcurves fc rgb "#a00000" notitle, \
     'theory_vs_network.dat' index 4 using 1:2 with linespoints lc rgb "#a00000" dt 4 pt 7 ps 0.5 lw 2 title "largest possible gap (bounds above: vacuous)"
unset logscale
unset label
unset arrow
unset object
set autoscale
set offsets
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xtics autofreq
set format y "%g"
set yrange [-0.05:1.05]
set xlabel ""
set ylabel "CKA of Sigma_CL, Sigma_NSCL"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
set label 2 "lower bounds <= 0 say nothing\n(vacuous) and fall below the axis" at graph 1.03, graph 0.08 left font ",8"
plot 'theory_vs_network.dat' index 0 using 1:7:9:10 with yerrorlines lc rgb "#1f5fbf" dt 1 pt 7 ps 0.7 lw 1.5 title "network (3 runs)", \
     'theory_vs_network.dat' index 1 using 1:9:10 with filledcurves fc rgb "#9467bd" notitle, \
     'theory_vs_network.dat' index 1 using 1:7 with linespoints lc rgb "#9467bd" dt 1 pt 7 ps 0.5 lw 2 title "surrogate from the network's Sigma_0 (3 runs)", \
     'theory_vs_network.dat' index 5 using 1:9:10 with filledcurves fc rgb "#ff7f0e" notitle, \
     'theory_vs_network.dat' index 5 using 1:7 with linespoints lc rgb "#ff7f0e" dt 2 pt 7 ps 0.5 lw 2 title "Cor. 1/2 lower bound, measured rho / r", \
     'theory_vs_network.dat' index 6 using 1:9:10 with filledcurves fc rgb "#8c564b" notitle, \
     'theory_vs_network.dat' index 6 using 1:7 with linespoints lc rgb "#8c564b" dt 3 pt 7 ps 0.5 lw 2 title "Cor. 1/2 lower bound via Theorem 1"
unset logscale
unset label
unset arrow
unset object
set autoscale
set offsets
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xtics autofreq
set format y "%g"
set yrange [-0.05:1.05]
set xlabel "step"
set ylabel "RSA of Sigma_CL, Sigma_NSCL"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
set label 2 "lower bounds <= 0 say nothing\n(vacuous) and fall below the axis" at graph 1.03, graph 0.08 left font ",8"
plot 'theory_vs_network.dat' index 0 using 1:12:14:15 with yerrorlines lc rgb "#1f5fbf" dt 1 pt 7 ps 0.7 lw 1.5 title "network (3 runs)", \
     'theory_vs_network.dat' index 1 using 1:14:15 with filledcurves fc rgb "#9467bd" notitle, \
     'theory_vs_network.dat' index 1 using 1:12 with linespoints lc rgb "#9467bd" dt 1 pt 7 ps 0.5 lw 2 title "surrogate from the network's Sigma_0 (3 runs)", \
     'theory_vs_network.dat' index 5 using 1:14:15 with filledcurves fc rgb "#ff7f0e" notitle, \
     'theory_vs_network.dat' index 5 using 1:12 with linespoints lc rgb "#ff7f0e" dt 2 pt 7 ps 0.5 lw 2 title "Cor. 1/2 lower bound, measured rho / r", \
     'theory_vs_network.dat' index 6 using 1:14:15 with filledcurves fc rgb "#8c564b" notitle, \
     'theory_vs_network.dat' index 6 using 1:12 with linespoints lc rgb "#8c564b" dt 3 pt 7 ps 0.5 lw 2 title "Cor. 1/2 lower bound via Theorem 1"
unset multiplot
set output
}
