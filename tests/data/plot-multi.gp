# Written by lrf-plot; render with gnuplot.  The data are inlined below.
reset errors
set terminal svg size 1000,600 enhanced font 'sans,11' background rgb 'white'
set datafile missing NaN
set title 'Learning-rate range test' noenhanced
set xlabel 'learning rate' noenhanced
set ylabel 'loss' noenhanced
set logscale x 10
set format x '10^{%L}'
set xrange [1e-06:1]
set yrange [0.42475:2.66275]
set border 3
set tics nomirror
set grid xtics ytics lt 1 lw 1 lc rgb '#e0e0e0'
set key outside right top vertical Left reverse noopaque noenhanced
set style textbox opaque noborder margins 1,1
set arrow 1 from 0.003162,graph 0 to 0.003162,graph 1 nohead dt 2 lw 1.5 lc rgb '#1f77b4' back
set label 1 '' at 0.003162,2.04894 point pt 7 ps 1.2 lc rgb '#1f77b4' front
set arrow 2 from 0.0001778,graph 0 to 0.0001778,graph 1 nohead dt 2 lw 1.5 lc rgb '#ff7f0e' back
set label 2 '' at 0.0001778,1.82738 point pt 7 ps 1.2 lc rgb '#ff7f0e' front
set arrow 3 from 0.001778,graph 0 to 0.001778,graph 1 nohead dt 2 lw 1.5 lc rgb '#ff7f0e' back
set label 3 '' at 0.001778,1.31955 point pt 7 ps 1.2 lc rgb '#ff7f0e' front
set label 4 '' at 0.3162,2.55085 right offset -1,0 point pt 9 ps 1.5 lc rgb '#ff7f0e' textcolor rgb '#ff7f0e' noenhanced front
$run1 << EOD
1e-06	2.383	2.383
1.778e-06	2.36	2.37089
3.162e-06	2.326	2.35433
5.623e-06	2.286	2.33446
1e-05	2.249	2.31359
1.778e-05	2.218	2.29319
3.162e-05	2.198	2.27494
5.623e-05	2.191	2.2602
0.0001	2.19	2.24874
0.0001778	2.188	2.23942
0.0003162	2.167	2.22886
0.0005623	2.104	2.21146
0.001	1.976	2.17989
0.001778	1.771	2.12687
0.003162	1.508	2.04894
0.005623	1.235	1.94903
0.01	1.002	1.83538
0.01778	0.8335	1.71749
0.03162	0.7233	1.60255
0.05623	0.6559	1.49478
0.1	0.617	1.39622
0.1778	0.5964	1.3075
0.3162	0.5882	1.22857
0.5623	2.256	1.34022
1	6.882	1.93726
EOD
$run2 << EOD
1e-06	2.365	2.365
1.778e-06	2.368	2.36658
3.162e-06	2.346	2.35899
5.623e-06	2.292	2.33951
1e-05	2.201	2.30568
1.778e-05	2.063	2.25389
3.162e-05	1.87	2.18031
5.623e-05	1.623	2.08245
0.0001	1.347	1.96239
0.0001778	1.083	1.82738
0.0003162	0.8696	1.6878
0.0005623	0.722	1.55321
0.001	0.6314	1.42961
0.001778	0.5808	1.31955
0.003162	0.5544	1.2232
0.005623	0.5407	1.13942
0.01	0.5325	1.06658
0.01778	0.5255	1.00292
0.03162	0.518	0.946854
0.05623	2.253	1.09555
0.1	6.878	1.74484
0.1778	19.23	3.68435
0.3162	52.42	9.03186
EOD
lrf_out = 'compare.svg'
lrf_dev = system("[ -e '" . lrf_out . "' ] && [ ! -f '" . lrf_out . "' ] && echo 1 || echo 0") + 0
lrf_tmp = lrf_dev ? system('mktemp "${TMPDIR:-/tmp}/lrf-plot.XXXXXX"') : system("mktemp -- '" . lrf_out . ".tmpXXXXXX'")
if (lrf_tmp eq '') { print 'lrf-plot: cannot write ' . lrf_out; exit status 1 }
set output lrf_tmp
if (GPVAL_OUTPUT ne lrf_tmp) { print 'lrf-plot: cannot write ' . lrf_tmp; exit status 1 }
plot $run1 using 1:2 with lines lw 1 lc rgb '#9ac2dd' notitle, \
     $run2 using 1:2 with lines lw 1 lc rgb '#ffc593' notitle, \
     $run1 using 1:3 with lines lw 2 dt 1 lc rgb '#1f77b4' title 'SGD: steep 3.162e-03' noenhanced, \
     $run2 using 1:3 with lines lw 2 dt 1 lc rgb '#ff7f0e' title 'Adam: steep 1.778e-04' noenhanced
unset output
if (GPVAL_ERRNO != 0) { system "rm -f -- '" . lrf_tmp . "'"; exit status 1 }
lrf_sh = 'tail -c 32 "$t" | grep -q ''</svg>'' || { echo "lrf-plot: $t is incomplete; is the disk full?" >&2; rm -f -- "$t"; exit 1; }; if [ -e "$o" ] && [ ! -f "$o" ]; then cat -- "$t" 2>/dev/null > "$o"; s=$?; rm -f -- "$t"; [ $s -eq 0 ] || { echo "lrf-plot: $o: write error" >&2; exit 1; }; else chmod "$(printf %o $((0666 & ~0$(umask))))" -- "$t" && sync -- "$t" && mv -f -- "$t" "$o" || { rm -f -- "$t"; exit 1; }; fi'
system "t='" . lrf_tmp . "'; o='" . lrf_out . "'; " . lrf_sh
if (GPVAL_SYSTEM_ERRNO != 0) { exit status 1 }
