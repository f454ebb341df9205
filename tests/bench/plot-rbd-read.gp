# The rbd-read table as bars: MiB/s per engine, the ratio to raw on each bar.
#   gnuplot -e "data='rbd-read.dat'; out='rbd-read.png'; title_note='...'" plot-rbd-read.gp
# data: lines of "label" MiB/s ratio, as `rbd-read --data` writes them.
if (!exists("title_note")) title_note = ''
set terminal pngcairo size 800,480 font 'sans,10'
set output out
set title "RBD sequential read through QEMU, 1 MiB requests\n".title_note
set ylabel 'MiB/s'
set yrange [0:*]
# Room above the highest point for its label.
set offsets 0, 0, graph 0.1, 0
set style fill solid 0.8 border -1
set boxwidth 0.6
set grid ytics
set key off
plot data using 0:2:xtic(1) with boxes lc rgb '#4477aa', \
     '' using 0:2:(sprintf('%.0f MiB/s (%.2fx)', $2, $3)) with labels offset 0,0.8
