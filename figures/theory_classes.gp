# theory_classes.gp — written by clnscl; Surrogate: final CL-NSCL gap and bounds against C
# Data files are beside this script. Render (in this directory): gnuplot theory_classes.gp
# -> theory_classes.png (pngcairo) and theory_classes.svg
if (!exists("outbase")) outbase = "theory_classes"
do for [fmt_i = 1:2] {
reset
if (fmt_i == 1) {
    set terminal pngcairo size 1200,370 noenhanced font "Sans,10"
    set output outbase.".png"
} else {
    set terminal svg size 1200,370 noenhanced font "Sans,10" background rgb "white"
    set output outbase.".svg"
}
set grid lc rgb "#dddddd"
set datafile missing "?"
set key box opaque samplen 2
set style fill transparent solid 0.18 noborder
set multiplot layout 1,1 title "Surrogate: final CL-NSCL gap and bounds against C"
unset logscale
unset label
unset arrow
unset object
set autoscale
set offsets
set logscale x
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xtics (2, 5, 10, 25, 50)
set format y "%g"
set yrange [*:*]
set xlabel "number of classes C (N fixed)"
set ylabel "log10 ||Sigma_CL - Sigma_NSCL||_F at step T"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
set object 1 rect from graph 0, first 2.90255 to graph 1, graph 1 fc rgb "#f4dcdc" fs solid 0.6 noborder behind
set arrow 1 from graph 0, first 2.90255 to graph 1, first 2.90255 nohead dt 2 lc rgb "#a00000"
set label 1 "shaded: vacuous, above the largest\npossible gap 2 sqrt(n(n-1)) = 799\n(n points of the reference set)" at graph 1.03, graph 0.08 left tc rgb "#a00000" font ",8"
plot 'theory_classes.dat' index 0 using 1:2:4:5 with yerrorlines lc rgb "#9467bd" dt 1 pt 7 ps 0.7 lw 1.5 title "surrogate final gap (mean +- sd over seeds)", \
     'theory_classes.dat' index 1 using 1:4:5 with filledcurves fc rgb "#ff7f0e" notitle, \
     'theory_classes.dat' index 1 using 1:2 with linespoints lc rgb "#ff7f0e" dt 2 pt 7 ps 0.5 lw 2 title "recurrence bound (Delta_emp, largest over seeds)", \
     'theory_classes.dat' index 2 using 1:4:5 with filledcurves fc rgb "#8c564b" notitle, \
     'theory_classes.dat' index 2 using 1:2 with linespoints lc rgb "#8c564b" dt 3 pt 7 ps 0.5 lw 2 title "Theorem 1 bound (Delta_emp, largest over seeds)", \
     'theory_classes.dat' index 3 using 1:4:5 with filledcurves fc rgb "#a00000" notitle, \
     'theory_classes.dat' index 3 using 1:2 with linespoints lc rgb "#a00000" dt 4 pt 7 ps 0.5 lw 2 title "largest possible gap (bounds above: vacuous)"
unset multiplot
set output
}
