# fig3_final.gp — written by clnscl; Final alignment against the number of training classes N (mean +- sd over seeds)
# Data files are beside this script. Render (in this directory): gnuplot fig3_final.gp
# -> fig3_final.png (pngcairo) and fig3_final.svg
if (!exists("outbase")) outbase = "fig3_final"
do for [fmt_i = 1:2] {
reset
if (fmt_i == 1) {
    set terminal pngcairo size 1200,700 noenhanced font "Sans,10"
    set output outbase.".png"
} else {
    set terminal svg size 1200,700 noenhanced font "Sans,10" background rgb "white"
    set output outbase.".svg"
}
set grid lc rgb "#dddddd"
set datafile missing "?"
set key box opaque samplen 2
set style fill transparent solid 0.18 noborder
set multiplot layout 2,1 title "Final alignment against the number of training classes N (mean +- sd over seeds)"
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
set ylabel "final CKA"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
plot 'fig3_final.dat' index 0 using 1:2:4:5 with yerrorlines lc rgb "#1f5fbf" dt 1 pt 7 ps 0.7 lw 1.5 title "CL vs NSCL", \
     'fig3_final.dat' index 1 using 1:2:4:5 with yerrorlines lc rgb "#7f7f7f" dt 2 pt 7 ps 0.7 lw 1.5 title "null: CL vs CL (no shared randomness)"
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
set xlabel "number of classes N"
set ylabel "final RSA"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
plot 'fig3_final.dat' index 0 using 1:7:9:10 with yerrorlines lc rgb "#1f5fbf" dt 1 pt 7 ps 0.7 lw 1.5 title "CL vs NSCL", \
     'fig3_final.dat' index 1 using 1:7:9:10 with yerrorlines lc rgb "#7f7f7f" dt 2 pt 7 ps 0.7 lw 1.5 title "null: CL vs CL (no shared randomness)"
unset multiplot
set output
}
