# fig3_heatmap.gp — written by clnscl; Fig. 3: CKA(CL, NSCL) against the number of classes N (Fashion-MNIST, MLP)
# Data files are beside this script. Render (in this directory): gnuplot fig3_heatmap.gp
# -> fig3_heatmap.png (pngcairo) and fig3_heatmap.svg
if (!exists("outbase")) outbase = "fig3_heatmap"
do for [fmt_i = 1:2] {
reset
if (fmt_i == 1) {
    set terminal pngcairo size 900,385 noenhanced font "Sans,10"
    set output outbase.".png"
} else {
    set terminal svg size 900,385 noenhanced font "Sans,10" background rgb "white"
    set output outbase.".svg"
}
set grid lc rgb "#dddddd"
set datafile missing "?"
set key box opaque samplen 2
set style fill transparent solid 0.18 noborder
set title "Fig. 3: CKA(CL, NSCL) against the number of classes N (Fashion-MNIST, MLP)"
set xlabel "epoch"
set ylabel "classes N"
set cbrange [*:1.0]
set cblabel "CKA(CL, NSCL)"
set palette defined (0 "#fff7bc", 0.5 "#a1d99b", 1 "#31a354")
set xrange [-0.5:8.5]
set yrange [-0.5:4.5]
set xtics 1
set ytics ("N = 2" 0, "N = 4" 1, "N = 6" 2, "N = 8" 3, "N = 10" 4)
unset grid
set key off
plot 'fig3_heatmap.dat' using 1:2:3 with image, '' using 1:2:(sprintf("%.2f", $3)) with labels font ",8"
unset multiplot
set output
}
