# Written by lrf-plot; render with gnuplot.  The data are inlined below.
reset errors
set terminal pngcairo size 1000,600 enhanced font 'sans,11'
set datafile missing NaN
set title 'Learning-rate range test' noenhanced
set xlabel 'learning rate' noenhanced
set ylabel 'loss' noenhanced
set logscale x 10
set format x '10^{%L}'
set xrange [1e-06:0.621]
set yrange [0.294255:2.84118138]
set border 3
set tics nomirror
set grid xtics ytics lt 1 lw 1 lc rgb '#e0e0e0'
set key bottom left opaque noenhanced
set style textbox opaque noborder margins 1,1
set arrow 1 from 0.0003039,graph 0 to 0.0003039,graph 1 nohead dt 2 lw 1.5 lc rgb '#d62728' back
set label 1 'suggested 3.039e-04' at 0.0003039,graph 0.95 left offset 1,0 textcolor rgb '#d62728' boxed noenhanced front
set label 2 '' at 0.0003039,1.96411 point pt 7 ps 1.2 lc rgb '#d62728' front
set label 3 'stopped: diverged' at 0.621,2.56101948 right offset -1,0 point pt 9 ps 1.5 lc rgb '#404040' textcolor rgb '#404040' boxed noenhanced front
$run1 << EOD
1e-06	2.296	2.296
1.61e-06	2.332	2.31495
2.593e-06	2.358	2.33083
4.175e-06	2.37	2.34222
6.723e-06	2.362	2.34705
1.083e-05	2.329	2.3432
1.743e-05	2.272	2.32955
2.807e-05	2.188	2.3047
4.52e-05	2.075	2.2672
7.279e-05	1.93	2.21543
0.0001172	1.753	2.14804
0.0001887	1.545	2.064
0.0003039	1.319	1.96411
0.0004894	1.097	1.85168
0.000788	0.9015	1.73202
0.001269	0.7462	1.61102
0.002043	0.6331	1.49365
0.00329	0.5556	1.38328
0.005298	0.504	1.28162
0.008532	0.4694	1.18916
0.01374	0.4452	1.10562
0.02212	0.4272	1.03037
0.03562	0.413	0.962628
0.05736	0.4017	0.901673
0.09237	0.3931	0.846882
0.1487	1.344	0.900028
0.2395	3.803	1.20825
0.3857	9.476	2.08068
0.621	22.66	4.24034
EOD
lrf_out = 'lr.png'
lrf_dev = system("[ -e '" . lrf_out . "' ] && [ ! -f '" . lrf_out . "' ] && echo 1 || echo 0") + 0
lrf_tmp = lrf_dev ? system('mktemp "${TMPDIR:-/tmp}/lrf-plot.XXXXXX"') : system("mktemp -- '" . lrf_out . ".tmpXXXXXX'")
if (lrf_tmp eq '') { print 'lrf-plot: cannot write ' . lrf_out; exit status 1 }
set output lrf_tmp
if (GPVAL_OUTPUT ne lrf_tmp) { print 'lrf-plot: cannot write ' . lrf_tmp; exit status 1 }
plot $run1 using 1:2 with lines lw 1 lc rgb '#9ac2dd' title 'raw loss' noenhanced, \
     $run1 using 1:3 with lines lw 2 dt 1 lc rgb '#1f77b4' title 'smoothed loss' noenhanced
unset output
if (GPVAL_ERRNO != 0) { system "rm -f -- '" . lrf_tmp . "'"; exit status 1 }
lrf_sh = '[ "$(tail -c 8 "$t" | od -An -tx1 | tr -d '' \n'')" = 49454e44ae426082 ] || { echo "lrf-plot: $t is incomplete; is the disk full?" >&2; rm -f -- "$t"; exit 1; }; if [ -e "$o" ] && [ ! -f "$o" ]; then cat -- "$t" 2>/dev/null > "$o"; s=$?; rm -f -- "$t"; [ $s -eq 0 ] || { echo "lrf-plot: $o: write error" >&2; exit 1; }; else chmod "$(printf %o $((0666 & ~0$(umask))))" -- "$t" && sync -- "$t" && mv -f -- "$t" "$o" || { rm -f -- "$t"; exit 1; }; fi'
system "t='" . lrf_tmp . "'; o='" . lrf_out . "'; " . lrf_sh
if (GPVAL_SYSTEM_ERRNO != 0) { exit status 1 }
