# Written by lrf-plot; render with gnuplot.  The data are inlined below.
reset errors
set terminal dumb size 80,24
set datafile missing NaN
set title 'Training' noenhanced
set xlabel 'step' noenhanced
set ylabel 'loss' noenhanced
set xrange [0:2900]
set yrange [0.097625:2.614625]
set y2label 'val_acc' noenhanced
set y2tics
set border 11
set tics nomirror
set key center right opaque noenhanced
set style textbox opaque noborder margins 1,1
set arrow 1 from 900,graph 0 to 900,graph 1 nohead dt 2 lw 1.5 lc rgb '#d62728' back
set label 1 'step = 900' at 900,graph 0.95 left offset 2,0 textcolor rgb '#d62728' boxed noenhanced front
$run1 << EOD
0	2.3	2.3	NaN	NaN
100	1.793	2.03329	NaN	NaN
200	1.415	1.80497	NaN	NaN
300	1.158	1.61692	NaN	NaN
400	1.002	1.46674	NaN	NaN
500	0.9077	1.34743	0.898	0.7083
600	0.8332	1.24885	NaN	NaN
700	0.7459	1.16054	NaN	NaN
800	0.6343	1.07464	NaN	NaN
900	0.5099	0.98794	NaN	NaN
1000	0.3991	0.902133	0.4942	0.8541
1100	0.3292	0.822289	NaN	NaN
1200	0.3136	0.754078	NaN	NaN
1300	0.3445	0.700977	NaN	NaN
1400	0.3959	0.662558	NaN	NaN
1500	0.4344	0.634548	0.382	0.889
1600	0.4348	0.610578	NaN	NaN
1700	0.3915	0.584804	NaN	NaN
1800	0.3205	0.554241	NaN	NaN
1900	0.2516	0.519789	NaN	NaN
2000	0.2147	0.485529	0.3535	0.8974
2100	0.2249	0.456623	NaN	NaN
2200	0.276	0.436805	NaN	NaN
2300	0.3427	0.426576	NaN	NaN
2400	0.3927	0.422928	NaN	NaN
2500	0.4019	0.420678	0.3489	0.8994
2600	0.3653	0.4148	NaN	NaN
2700	0.2997	0.402654	NaN	NaN
2800	0.2355	0.385109	NaN	NaN
2900	0.2025	0.366038	NaN	NaN
EOD
plot $run1 using 1:2 with lines lw 1 lc rgb '#9ac2dd' title 'raw loss' noenhanced, \
     $run1 using 1:3 with lines lw 2 dt 1 lc rgb '#1f77b4' title 'smoothed loss' noenhanced, \
     $run1 using 1:4 with lines lw 2 dt 2 lc rgb '#ff7f0e' title 'val_loss' noenhanced, \
     $run1 using 1:5 axes x1y2 with lines lw 2 dt 1 lc rgb '#2ca02c' title 'val_acc' noenhanced
