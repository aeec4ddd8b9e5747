# fig6_weight_gap.gp — written by clnscl; Fig. 6: weight gap over training beside the representation gap (Fashion-MNIST, MLP)
# Data files are beside this script. Render (in this directory): gnuplot fig6_weight_gap.gp
# -> fig6_weight_gap.png (pngcairo) and fig6_weight_gap.svg
if (!exists("outbase")) outbase = "fig6_weight_gap"
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
set multiplot layout 3,1 title "Fig. 6: weight gap over training beside the representation gap (Fashion-MNIST, MLP)"
unset logscale
unset label
unset arrow
unset object
set autoscale
set offsets
set logscale x
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xtics (0.1, 0.2, 0.5, 1, 2, 5, 10)
set logscale y
set format y "%.0e"
set yrange [*:*]
set xlabel ""
set ylabel "weight gap (mean layer-wise rel. Frobenius, log)"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
plot 'fig6_weight_gap.dat' index 0 using 1:4:5 with filledcurves fc rgb "#1f5fbf" notitle, \
     'fig6_weight_gap.dat' index 0 using 1:2 with linespoints lc rgb "#1f5fbf" dt 1 pt 7 ps 0.5 lw 2 title "CL vs NSCL (3 seeds)", \
     'fig6_weight_gap.dat' index 1 using 1:4:5 with filledcurves fc rgb "#d62728" notitle, \
     'fig6_weight_gap.dat' index 1 using 1:2 with linespoints lc rgb "#d62728" dt 1 pt 7 ps 0.5 lw 2 title "CL vs SCL (3 seeds)", \
     'fig6_weight_gap.dat' index 2 using 1:4:5 with filledcurves fc rgb "#2ca02c" notitle, \
     'fig6_weight_gap.dat' index 2 using 1:2 with linespoints lc rgb "#2ca02c" dt 1 pt 7 ps 0.5 lw 2 title "CL vs CE (3 seeds)", \
     'fig6_weight_gap.dat' index 3 using 1:4:5 with filledcurves fc rgb "#7f7f7f" notitle, \
     'fig6_weight_gap.dat' index 3 using 1:2 with linespoints lc rgb "#7f7f7f" dt 2 pt 7 ps 0.5 lw 2 title "null: CL vs CL (no shared randomness) (3 seeds)"
unset logscale
unset label
unset arrow
unset object
set autoscale
set offsets
set logscale x
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xtics (0.1, 0.2, 0.5, 1, 2, 5, 10)
set logscale y
set format y "%.0e"
set yrange [*:*]
set xlabel ""
set ylabel "representation gap 1 - CKA (log)"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
plot 'fig6_weight_gap.dat' index 0 using 1:9:10 with filledcurves fc rgb "#1f5fbf" notitle, \
     'fig6_weight_gap.dat' index 0 using 1:7 with linespoints lc rgb "#1f5fbf" dt 1 pt 7 ps 0.5 lw 2 title "CL vs NSCL (3 seeds)", \
     'fig6_weight_gap.dat' index 1 using 1:9:10 with filledcurves fc rgb "#d62728" notitle, \
     'fig6_weight_gap.dat' index 1 using 1:7 with linespoints lc rgb "#d62728" dt 1 pt 7 ps 0.5 lw 2 title "CL vs SCL (3 seeds)", \
     'fig6_weight_gap.dat' index 2 using 1:9:10 with filledcurves fc rgb "#2ca02c" notitle, \
     'fig6_weight_gap.dat' index 2 using 1:7 with linespoints lc rgb "#2ca02c" dt 1 pt 7 ps 0.5 lw 2 title "CL vs CE (3 seeds)", \
     'fig6_weight_gap.dat' index 3 using 1:9:10 with filledcurves fc rgb "#7f7f7f" notitle, \
     'fig6_weight_gap.dat' index 3 using 1:7 with linespoints lc rgb "#7f7f7f" dt 2 pt 7 ps 0.5 lw 2 title "null: CL vs CL (no shared randomness) (3 seeds)"
unset logscale
unset label
unset arrow
unset object
set autoscale
set offsets
set logscale x
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xtics (0.1, 0.2, 0.5, 1, 2, 5, 10)
set logscale y
set format y "%.0e"
set yrange [*:*]
set xlabel "epoch (log scale)"
set ylabel "representation gap 1 - RSA (log)"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
plot 'fig6_weight_gap.dat' index 0 using 1:14:15 with filledcurves fc rgb "#1f5fbf" notitle, \
     'fig6_weight_gap.dat' index 0 using 1:12 with linespoints lc rgb "#1f5fbf" dt 1 pt 7 ps 0.5 lw 2 title "CL vs NSCL (3 seeds)", \
     'fig6_weight_gap.dat' index 1 using 1:14:15 with filledcurves fc rgb "#d62728" notitle, \
     'fig6_weight_gap.dat' index 1 using 1:12 with linespoints lc rgb "#d62728" dt 1 pt 7 ps 0.5 lw 2 title "CL vs SCL (3 seeds)", \
     'fig6_weight_gap.dat' index 2 using 1:14:15 with filledcurves fc rgb "#2ca02c" notitle, \
     'fig6_weight_gap.dat' index 2 using 1:12 with linespoints lc rgb "#2ca02c" dt 1 pt 7 ps 0.5 lw 2 title "CL vs CE (3 seeds)", \
     'fig6_weight_gap.dat' index 3 using 1:14:15 with filledcurves fc rgb "#7f7f7f" notitle, \
     'fig6_weight_gap.dat' index 3 using 1:12 with linespoints lc rgb "#7f7f7f" dt 2 pt 7 ps 0.5 lw 2 title "null: CL vs CL (no shared randomness) (3 seeds)"
unset multiplot
set output
}
