# fig4_temperature.gp — written by clnscl; Fig. 4: CKA and RSA of CL vs NSCL for tau = 0.1, 0.5, 1.0 (Fashion-MNIST, MLP)
# Data files are beside this script. Render (in this directory): gnuplot fig4_temperature.gp
# -> fig4_temperature.png (pngcairo) and fig4_temperature.svg
if (!exists("outbase")) outbase = "fig4_temperature"
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
set multiplot layout 2,1 title "Fig. 4: CKA and RSA of CL vs NSCL for tau = 0.1, 0.5, 1.0 (Fashion-MNIST, MLP)"
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
set ylabel "CKA"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
plot 'fig4_temperature.dat' index 0 using 1:4:5 with filledcurves fc rgb "#1f5fbf" notitle, \
     'fig4_temperature.dat' index 0 using 1:2 with linespoints lc rgb "#1f5fbf" dt 1 pt 7 ps 0.5 lw 2 title "tau = 0.1: CL vs NSCL", \
     'fig4_temperature.dat' index 1 using 1:4:5 with filledcurves fc rgb "#1f5fbf" notitle, \
     'fig4_temperature.dat' index 1 using 1:2 with linespoints lc rgb "#1f5fbf" dt 2 pt 7 ps 0.5 lw 2 title "tau = 0.1: null CL vs CL2", \
     'fig4_temperature.dat' index 2 using 1:4:5 with filledcurves fc rgb "#ff7f0e" notitle, \
     'fig4_temperature.dat' index 2 using 1:2 with linespoints lc rgb "#ff7f0e" dt 1 pt 7 ps 0.5 lw 2 title "tau = 0.5: CL vs NSCL", \
     'fig4_temperature.dat' index 3 using 1:4:5 with filledcurves fc rgb "#ff7f0e" notitle, \
     'fig4_temperature.dat' index 3 using 1:2 with linespoints lc rgb "#ff7f0e" dt 2 pt 7 ps 0.5 lw 2 title "tau = 0.5: null CL vs CL2", \
     'fig4_temperature.dat' index 4 using 1:4:5 with filledcurves fc rgb "#9467bd" notitle, \
     'fig4_temperature.dat' index 4 using 1:2 with linespoints lc rgb "#9467bd" dt 1 pt 7 ps 0.5 lw 2 title "tau = 1: CL vs NSCL", \
     'fig4_temperature.dat' index 5 using 1:4:5 with filledcurves fc rgb "#9467bd" notitle, \
     'fig4_temperature.dat' index 5 using 1:2 with linespoints lc rgb "#9467bd" dt 2 pt 7 ps 0.5 lw 2 title "tau = 1: null CL vs CL2"
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
set xlabel "epoch"
set ylabel "RSA"
set lmargin at screen 0.07
set rmargin at screen 0.68
set key outside right top Left reverse font ",8"
plot 'fig4_temperature.dat' index 0 using 1:9:10 with filledcurves fc rgb "#1f5fbf" notitle, \
     'fig4_temperature.dat' index 0 using 1:7 with linespoints lc rgb "#1f5fbf" dt 1 pt 7 ps 0.5 lw 2 title "tau = 0.1: CL vs NSCL", \
     'fig4_temperature.dat' index 1 using 1:9:10 with filledcurves fc rgb "#1f5fbf" notitle, \
     'fig4_temperature.dat' index 1 using 1:7 with linespoints lc rgb "#1f5fbf" dt 2 pt 7 ps 0.5 lw 2 title "tau = 0.1: null CL vs CL2", \
     'fig4_temperature.dat' index 2 using 1:9:10 with filledcurves fc rgb "#ff7f0e" notitle, \
     'fig4_temperature.dat' index 2 using 1:7 with linespoints lc rgb "#ff7f0e" dt 1 pt 7 ps 0.5 lw 2 title "tau = 0.5: CL vs NSCL", \
     'fig4_temperature.dat' index 3 using 1:9:10 with filledcurves fc rgb "#ff7f0e" notitle, \
     'fig4_temperature.dat' index 3 using 1:7 with linespoints lc rgb "#ff7f0e" dt 2 pt 7 ps 0.5 lw 2 title "tau = 0.5: null CL vs CL2", \
     'fig4_temperature.dat' index 4 using 1:9:10 with filledcurves fc rgb "#9467bd" notitle, \
     'fig4_temperature.dat' index 4 using 1:7 with linespoints lc rgb "#9467bd" dt 1 pt 7 ps 0.5 lw 2 title "tau = 1: CL vs NSCL", \
     'fig4_temperature.dat' index 5 using 1:9:10 with filledcurves fc rgb "#9467bd" notitle, \
     'fig4_temperature.dat' index 5 using 1:7 with linespoints lc rgb "#9467bd" dt 2 pt 7 ps 0.5 lw 2 title "tau = 1: null CL vs CL2"
unset multiplot
set output
}
