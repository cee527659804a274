# gnuplot script of ./stack bench: gnuplot -c bench/plot.gp PLOT.DAT OUT.PNG NSERIES
# PLOT.DAT holds one block per series (titled by its first line): concurrency, burst/s,
# sustained/s, p50 ms, p99 ms.
dat = ARG1
n = int(ARG3)
set terminal pngcairo size 1200,520 font ",10"
set output ARG2
set multiplot layout 1,2 title "./stack bench: timestamp service vs database ceiling vs seed peer (same machine, same run)"
set logscale x 2
set xlabel "concurrency (client connections / threads)"
set grid
set key top left box opaque
set ylabel "rows/s"
set yrange [0:*]
set title "throughput: sustained (solid, durable on all members) and burst (dashed)"
plot for [i=0:n-1] dat index i using 1:3 with linespoints lw 2 lc i+1 pt 7 title columnheader(1), \
     for [i=0:n-1] dat index i using 1:2 with linespoints lw 1 dt 2 lc i+1 pt 6 notitle
set title "latency: p99 (solid) and p50 (dashed)"
set ylabel "ms"
set logscale y 10
set yrange [*:*]
plot for [i=0:n-1] dat index i using 1:5 with linespoints lw 2 lc i+1 pt 7 title columnheader(1), \
     for [i=0:n-1] dat index i using 1:4 with linespoints lw 1 dt 2 lc i+1 pt 6 notitle
unset multiplot
