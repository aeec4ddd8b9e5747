# fig5_batch.gp — written by clnscl; Fig. 5: final CKA/RSA of CL vs NSCL against batch size under lr scaling rules (Fashion-MNIST, MLP)
# Data files are beside this script. Render (in this directory): gnuplot fig5_batch.gp
# -> fig5_batch.png (pngcairo) and fig5_batch.svg
if (!exists("outbase")) outbase = "fig5_batch"
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
set multiplot layout 2,1 title "Fig. 5: final CKA/RSA of CL vs NSCL against batch size under lr scaling rules (Fashion-MNIST, MLP)"
unset logscale
unset label
unset arrow
unset object
set autoscale
set offsets
set logscale x
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xtics (64, 128, 256)
set format y "%g"
set yrange [*:*]
set xlabel ""
set ylabel "final CKA"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
plot 'fig5_batch.dat' index 0 using 1:2:4:5 with yerrorlines lc rgb "#1f5fbf" dt 1 pt 7 ps 0.7 lw 1.5 title "lr ~ linear: CL vs NSCL", \
     'fig5_batch.dat' index 1 using 1:2:4:5 with yerrorlines lc rgb "#1f5fbf" dt 2 pt 7 ps 0.7 lw 1.5 title "lr ~ linear: null CL vs CL2", \
     'fig5_batch.dat' index 2 using 1:2:4:5 with yerrorlines lc rgb "#ff7f0e" dt 1 pt 7 ps 0.7 lw 1.5 title "lr ~ sqrt: CL vs NSCL", \
     'fig5_batch.dat' index 3 using 1:2:4:5 with yerrorlines lc rgb "#ff7f0e" dt 2 pt 7 ps 0.7 lw 1.5 title "lr ~ sqrt: null CL vs CL2", \
     'fig5_batch.dat' index 4 using 1:2:4:5 with yerrorlines lc rgb "#9467bd" dt 1 pt 7 ps 0.7 lw 1.5 title "lr ~ fourth: CL vs NSCL", \
     'fig5_batch.dat' index 5 using 1:2:4:5 with yerrorlines lc rgb "#9467bd" dt 2 pt 7 ps 0.7 lw 1.5 title "lr ~ fourth: null CL vs CL2"
unset logscale
unset label
unset arrow
unset object
set autoscale
set offsets
set logscale x
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xtics (64, 128, 256)
set format y "%g"
set yrange [*:*]
set xlabel "batch size B (log scale); same number of epochs for every B"
set ylabel "final RSA"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
plot 'fig5_batch.dat' index 0 using 1:7:9:10 with yerrorlines lc rgb "#1f5fbf" dt 1 pt 7 ps 0.7 lw 1.5 title "lr ~ linear: CL vs NSCL", \
     'fig5_batch.dat' index 1 using 1:7:9:10 with yerrorlines lc rgb "#1f5fbf" dt 2 pt 7 ps 0.7 lw 1.5 title "lr ~ linear: null CL vs CL2", \
     'fig5_batch.dat' index 2 using 1:7:9:10 with yerrorlines lc rgb "#ff7f0e" dt 1 pt 7 ps 0.7 lw 1.5 title "lr ~ sqrt: CL vs NSCL", \
     'fig5_batch.dat' index 3 using 1:7:9:10 with yerrorlines lc rgb "#ff7f0e" dt 2 pt 7 ps 0.7 lw 1.5 title "lr ~ sqrt: null CL vs CL2", \
     'fig5_batch.dat' index 4 using 1:7:9:10 with yerrorlines lc rgb "#9467bd" dt 1 pt 7 ps 0.7 lw 1.5 title "lr ~ fourth: CL vs NSCL", \
     'fig5_batch.dat' index 5 using 1:7:9:10 with yerrorlines lc rgb "#9467bd" dt 2 pt 7 ps 0.7 lw 1.5 title "lr ~ fourth: null CL vs CL2"
unset multiplot
set output
}
