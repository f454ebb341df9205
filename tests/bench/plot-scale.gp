# The scale curve: time of one attach+detach pair against the volumes on the domain,
# volcrypt beside the bare libvirt calls.
#   gnuplot -e "data='scale.dat'; out='scale.png'; title_note='...'" plot-scale.gp
# data: lines of volumes, bare ms, volcrypt ms, volcrypt/bare, from volcrypt_bench_scale.
if (!exists("title_note")) title_note = ''
set terminal pngcairo size 800,480 font 'sans,10'
set output out
set title "One attach+detach pair on a domain holding N encrypted volumes\n".title_note
set xlabel 'volumes on the domain'
set ylabel 'ms per pair (median of 5 blocks of 10)'
set logscale x 2
set xrange [0.8:320]
set yrange [0:*]
# Room above the highest point for its label.
set offsets 0, 0, graph 0.1, 0
set grid
set key bottom right
plot data using 1:2 with linespoints pt 7 lw 2 title 'bare libvirt calls', \
     data using 1:3 with linespoints pt 5 lw 2 title 'volcrypt (one Engine)', \
     data using 1:3:(sprintf('%.2fx', $4)) with labels offset 0,1 notitle
