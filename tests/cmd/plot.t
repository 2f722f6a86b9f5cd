#!/bin/sh
# lrf-plot: the script it writes, its errors, and what gnuplot makes of it.
. "$(dirname "$0")/../lib.sh"

# a usage error is one line that says what is wrong, then this one
usage="try 'lrf-plot -h'"
gp=$(command -v gnuplot)

# usage_fails MESSAGE NAME ARGS...: exit 2, the message, then "try -h".
usage_fails() {
	_m=$1 _n=$2
	shift 2
	run lrf-plot "$@" </dev/null
	check_fails 2 "lrf-plot: $_m
$usage" "$_n"
}

# data_fails MESSAGE NAME ARGS...: exit 1 and exactly the message.
data_fails() {
	_m=$1 _n=$2
	shift 2
	run lrf-plot "$@"
	check_fails 1 "lrf-plot: $_m" "$_n"
	is "$(wc -c <"$T/out" | tr -d ' ')" 0 "$_n (no script)"
}

# png FILE W H NAME: FILE is a PNG of W x H pixels and more than 5 KB.
png() {
	is "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a \
	    "$4: PNG signature"
	is "$(head -c 24 "$1" | tail -c 8 | od -An -tu1 | awk \
	    '{ printf "%dx%d", (($1 * 256 + $2) * 256 + $3) * 256 + $4,
	    (($5 * 256 + $6) * 256 + $7) * 256 + $8 }')" "$2x$3" \
	    "$4: IHDR size"
	ok "$4: more than 5 KB" test "$(wc -c <"$1")" -gt 5000
}

# --- help
run lrf-plot -h
check_status 0 "-h"
check_err "" "-h"
is "$(head -n 1 "$T/out")" "usage: lrf-plot [-T term] [-o file] [-s WxH] \
[-t title] [-x col] [-y col[,col]]" "-h prints the usage"
ok "-h shows defaults" grep -q '\[1000x600;' "$T/out"

# --- whole scripts, pinned (run in tests/data so the names are short)
cd "$data" || exit 1
run lrf-plot -o lr.png plot-run.tsv
check_status 0 "range test to PNG"
check_err "" "range test to PNG"
check_outfile "$data/plot-run.gp" "range test to PNG: the script"
run lrf-plot -o compare.svg -l SGD -l Adam plot-sgd.tsv plot-adam.tsv
check_status 0 "two runs to SVG"
check_outfile "$data/plot-multi.gp" "two runs to SVG: the script"
run lrf-plot -x step -m 900 -T dumb -s 80x24 plot-train.tsv
check_status 0 "training run"
check_outfile "$data/plot-train.gp" "training run: the script"
lrf-plot -o lr.png < plot-run.tsv | run cat
check_outfile "$data/plot-run.gp" "stdin gives the same script"
lrf-plot -o lr.png - < plot-run.tsv | run cat
check_outfile "$data/plot-run.gp" "- is stdin"
cd "$T" || exit 1

# --- details of the script
printf '1e-3 2.3\n1e-2 1.9\n1e-1 nan\n1 -inf\n' | run lrf-plot
check_status 0 "headerless input"
is "$(sed -n '/^\$run1 << EOD$/,/^EOD$/p' "$T/out")" "\$run1 << EOD
0.001	2.3
0.01	1.9
0.1	NaN
1	NaN
EOD" "positional lr loss; nan and inf as NaN"
ok "no -o: dumb" grep -q '^set terminal dumb size 100,30$' "$T/out"
ok "no -o: no output file" sh -c "! grep -q 'output' '$T/out'"
ok "dumb: 1e-07 style tics" grep -qF "set format x '%.0e'" "$T/out"
ok "one curve without smooth is solid" grep -qF \
    "using 1:2 with lines lw 2 dt 1 lc rgb '#1f77b4' title 'loss'" "$T/out"
ok "y range: from below the minimum to above the start" grep -qx \
    'set yrange \[1.88:2.36\]' "$T/out"
run lrf-plot -T png -s 640x400 -t "it's a test" -m 0.003 -m 0.3 \
    "$data/plot-run.tsv"
check_status 0 "png without -o, title, marks"
ok "png: pngcairo 640x400" grep -q \
    "^set terminal pngcairo size 640,400 enhanced font 'sans,11'$" "$T/out"
ok "title quoted for gnuplot" grep -qF "set title 'it''s a test' noenhanced" \
    "$T/out"
ok "the suggestion first, in red" grep -qF "set label 1 'suggested \
3.039e-04' at 0.0003039,graph 0.95 left offset 1,0 textcolor rgb '#d62728' " \
    "$T/out"
ok "its point on the curve" grep -qF "set label 2 '' at 0.0003039,1.96411 \
point pt 7" "$T/out"
ok "--mark label in the next row" grep -qF "set label 3 'lr = 3.0e-03' at \
0.003,graph 0.89 left " "$T/out"
ok "a mark near the end is labelled to the left" grep -qF \
    "'lr = 3.0e-01' at 0.3,graph 0.83 right offset -1,0" "$T/out"
ok "the stop above the range: a triangle in the fourth row" grep -qF \
    "'stopped: diverged' at 0.621,2.59400126 right offset -1,0 point pt 9" \
    "$T/out"
run lrf-plot -t '' --ylim 0:3 --xlim 1e-4: "$data/plot-run.tsv"
ok "empty title: none" sh -c "! grep -q 'set title' '$T/out'"
ok "--ylim" grep -qx 'set yrange \[0:3\]' "$T/out"
ok "--xlim lo:" grep -qx 'set xrange \[0.0001:0.621\]' "$T/out"
run lrf-plot --xlim 1e-3:1e-2 "$data/plot-run.tsv"
ok "marks outside --xlim are left out" sh -c "! grep -q 'set arrow' '$T/out'"
run lrf-plot -x step -y loss,smooth -y val_loss "$data/plot-train.tsv"
is "$(grep -c 'run1 using' "$T/out")" 3 "-y lists and repeats"
ok "-x step: no y2 without val_acc" sh -c "! grep -q y2 '$T/out'"
run lrf-plot -x step -y 3 "$data/plot-train.tsv"
ok "-y by number" grep -qF "title 'loss'" "$T/out"
printf '# rate\tbatch_loss\n1e-3\t2\n1e-2\t1\n' >cols.tsv
run lrf-plot --lr-col rate --loss-col 2 cols.tsv
check_status 0 "--lr-col, --loss-col"
ok "--lr-col, --loss-col: the curve" grep -qF \
    "using 1:2 with lines lw 2 dt 1 lc rgb '#1f77b4' title 'batch_loss'" \
    "$T/out"
ok "--loss-col: still a loss" grep -qx "set ylabel 'loss' noenhanced" \
    "$T/out"
mkdir -p a b
cp "$data/plot-run.tsv" a/records.tsv
cp "$data/plot-sgd.tsv" b/records.tsv
run lrf-plot a/records.tsv b/records.tsv
ok "same file names: their directories (and the run's suggestion)" grep -qF \
    "title 'b/records: suggested 3.162e-03' noenhanced" "$T/out"
ok "stop of one of several runs: its point, no label over the curves" grep -q \
    "^set label [0-9]* '' at [0-9.e-]*,[0-9.e-]* right offset -2,0 point pt 9 ps 1.5 lc rgb '#1f77b4' textcolor rgb '#1f77b4' noenhanced front$" \
    "$T/out"
run lrf-plot -T svg "$data/plot-run.tsv"
ok "-T svg" grep -q \
    "^set terminal svg size 1000,600 enhanced font 'sans,11' background" \
    "$T/out"
run lrf-plot -T pdf "$data/plot-run.tsv"
ok "-T pdf: pdfcairo in inches" grep -q \
    "^set terminal pdfcairo size 8in,5in enhanced" "$T/out"
run lrf-plot -T pdf -s 6.5x4 "$data/plot-run.tsv"
ok "-T pdf -s 6.5x4" grep -q "^set terminal pdfcairo size 6.5in,4in " \
    "$T/out"
run lrf-plot -o plot.sixel "$data/plot-run.tsv"
ok ".sixel: sixelgd" grep -q "^set terminal sixelgd truecolor size 800,480 " \
    "$T/out"
run lrf-plot -o plot.txt "$data/plot-run.tsv"
ok ".txt: dumb" grep -q "^set terminal dumb size 100,30$" "$T/out"
run lrf-plot -o plot "$data/plot-run.tsv"
ok "no suffix: png" grep -q "^set terminal pngcairo " "$T/out"

# --- usage errors
usage_fails "-T: 'jpeg' is not png, svg, pdf, dumb or sixel" "-T jpeg" \
    -T jpeg
usage_fails "-s: '640' is not WxH" "-s 640" -s 640
usage_fails "-s: '0x5': sizes must be whole numbers in [10, 10000]" \
    "-s 0x5" -s 0x5
usage_fails "-s: '640.5x400': sizes must be whole numbers in [10, 10000]" \
    "-s 640.5x400" -s 640.5x400
usage_fails "-s: 'axb' is not WxH" "-s axb" -s axb
usage_fails "-s: 'infx3' is not WxH" "-s infx3" -s infx3
usage_fails "-s: '1000x600': inches must lie in [0.5, 200]" "pdf in pixels" \
    -T pdf -s 1000x600
usage_fails "--ylim: '3:1': lo is not below hi" "--ylim 3:1" --ylim 3:1
usage_fails "--ylim: 'abc' is not lo:hi" "--ylim abc" --ylim abc
usage_fails "--ylim: 'x' is not a finite number" "--ylim x:1" --ylim x:1
usage_fails "--xlim: a log-scale learning rate range must be positive" \
    "--xlim 0:1" --xlim 0:1
usage_fails "-m: '0' is not a positive learning rate" "-m 0" -m 0
usage_fails "-m: 'abc' is not a finite number" "-m abc" -m abc
usage_fails "-y: ',' names no column" "-y ," -y ,
usage_fails "-l: 2 names for 1 file" "too many names" -l a -l b
usage_fails "-o: '$T' is a directory" "-o a directory" -o "$T"
run lrf-plot -o "it's.png" </dev/null
check_fails 2 "lrf-plot: output file 'it's.png': a single quote cannot be \
quoted for gnuplot and the shell
$usage" "-o with a single quote"
run lrf-plot -o "$(printf 'a\tb.png')" </dev/null
check_fails 2 "lrf-plot: output file name with a control character (byte 9) \
cannot be quoted for gnuplot and the shell
$usage" "-o with a tab"
run lrf-plot -o out/ </dev/null
check_fails 2 "lrf-plot: output file 'out/' is a directory name
$usage" "-o ending in /"
run lrf-plot --bogus </dev/null
check_fails 2 "lrf-plot: unrecognized option '--bogus'
$usage" "unknown option"

# --- bad data
data_fails "nosuch.tsv: No such file or directory" "missing file" nosuch.tsv
printf '# step\tlr\n0\t1\n' >nolos.tsv
data_fails "nolos.tsv:2: no column 'loss' (columns: step lr)" \
    "no loss column" nolos.tsv
printf '1 2\n' >pos.tsv
data_fails "pos.tsv:1: no column 'step' (columns: lr loss)" \
    "-x step without a step column" -x step pos.tsv
data_fails "pos.tsv:1: no column 'grad_norm' (columns: lr loss)" \
    "-y of a missing column" -y grad_norm pos.tsv
: >empty.tsv
data_fails "empty.tsv: no data records" "empty file" empty.tsv
printf '# lr\tloss\n' >head.tsv
data_fails "head.tsv: no data records" "header only" head.tsv
data_fails "stdin: no data records" "empty stdin" </dev/null
printf '1e-3 2\n0 1\n' >zero.tsv
data_fails "zero.tsv:2: learning rate '0' is not positive and finite" \
    "lr 0" zero.tsv
printf '1e-3 abc\n' >abc.tsv
data_fails "abc.tsv:1: field 2 'abc' is not a number" "garbage loss" abc.tsv
printf '1e-3 1e999\n' >big.tsv
data_fails "big.tsv:1: field 2 '1e999' is out of range" "overflow" big.tsv
printf '# lr\tloss\tsmooth\n1e-3\tnan\tinf\n' >nan.tsv
data_fails "nan.tsv: no finite value to plot (columns loss smooth)" \
    "nothing finite" nan.tsv
printf '1e-3 2\n#@ suggest method=steep lr=abc loss=2\n' >sug.tsv
data_fails "sug.tsv:2: lr=abc is not a positive learning rate" \
    "bad suggestion" sug.tsv
printf '# step\tloss\n0\t1\n#@ stop reason=diverged step=-x\n' >stop.tsv
data_fails "stop.tsv:3: step=-x is not a finite number" "bad stop" \
    -x step stop.tsv
printf '# step\tloss\n0\t1\ninf\t2\n' >step.tsv
data_fails "step.tsv:3: step 'inf' is not finite" "step inf" -x step step.tsv
printf '1e-3 2\n1e-2 2 3\n' >ragged.tsv
data_fails "ragged.tsv:2: 3 fields, expected 2 (as in the first record)" \
    "ragged" ragged.tsv
printf '1e-3 2\n1e-2 \0003\n' >nul.tsv
data_fails "nul.tsv:2: NUL byte in line" "NUL byte" nul.tsv
data_fails "nolos.tsv:2: no column 'loss' (columns: step lr)" \
    "a bad file after a good one" "$data/plot-run.tsv" nolos.tsv
awk 'BEGIN { for (i = 1; i <= 1000001; i++) print 1, 2 }' >many.tsv
data_fails "many.tsv:1000001: more than 1000000 records to plot" \
    "too many records" many.tsv

# --- writing the script
lrf-plot "$data/plot-run.tsv" >/dev/full 2>"$T/err"
echo $? >"$T/status"
check_fails 1 "lrf-plot: stdout: write error: No space left on device" \
    "a full disk"
awk 'BEGIN { for (i = 1; i <= 50000; i++) print i, 2 }' >long.tsv
(lrf-plot long.tsv 2>"$T/err"; echo $? >"$T/status") | head -n 1 >/dev/null
check_fails 0 "" "a reader that goes away"

# --- gnuplot
if [ -z "$gp" ]; then
	skip "gnuplot is not installed"
	finish
	exit
fi

lrf-plot "$data/plot-run.tsv" | gnuplot >dumb.txt 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "dumb: gnuplot renders it"
ok "dumb: the title" grep -q 'Learning-rate range test' dumb.txt
ok "dumb: the suggestion" grep -q '|suggested 3.039e-04' dumb.txt
ok "dumb: the stop" grep -q 'stopped: diverged' dumb.txt
ok "dumb: x tics" grep -q '1e-06 .* 1e-01' dumb.txt
ok "dumb: the axis label" grep -q 'learning rate' dumb.txt
ok "dumb: the curve" grep -q '#####' dumb.txt
is "$(tr -d '\f' <dumb.txt | awk 'length > 100' | wc -l | tr -d ' ')" 0 \
    "dumb: no line wider than 100"
ok "dumb: about 30 lines" test "$(wc -l <dumb.txt)" -ge 29

mkdir pics
lrf-plot -s 640x400 -o pics/lr.png "$data/plot-run.tsv" >lr.gp
gnuplot lr.gp 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "png: gnuplot renders it"
png pics/lr.png 640 400 "png"
is "$(ls pics)" "lr.png" "png: no temporary file left"

# an interrupted render: the final name is untouched until the rename
echo old >pics/lr.png
sed '/^lrf_sh = /,$d' lr.gp | gnuplot 2>"$T/err"
is "$?:$(cat pics/lr.png)" "0:old" "until the rename, the old file stays"
tmp=$(ls pics | grep '^lr\.png\.tmp[A-Za-z0-9]\{6\}$')
ok "the picture was drawn under a temporary name" test -n "$tmp"
png "pics/$tmp" 640 400 "the temporary file"
rm -f pics/lr.png.tmp*
gnuplot lr.gp 2>"$T/err"
is "$?:$(ls pics)" "0:lr.png" "the rename puts it in place"
png pics/lr.png 640 400 "renamed"

# a picture cut short (a full disk, which gnuplot does not notice) is
# not put in place
sed "/^unset output\$/a\\
system \"head -c 4000 '\" . lrf_tmp . \"' >cut; mv cut '\" . lrf_tmp . \"'\"" \
    lr.gp >cut.gp
ok "cut.gp cuts the picture" grep -q '^system "head -c 4000' cut.gp
gnuplot cut.gp 2>"$T/err"
is "$?" 1 "a picture cut short: gnuplot fails"
ok "a picture cut short: said so" grep -qx \
    "lrf-plot: pics/lr.png.tmp[A-Za-z0-9]* is incomplete; is the disk full?" "$T/err"
png pics/lr.png 640 400 "a picture cut short: the old file stays"
is "$(ls pics)" "lr.png" "a picture cut short: no temporary file left"

# a file name that needs quoting for gnuplot and the shell
name='a b$c`x`"q\z@d.png'
lrf-plot -o "pics/$name" "$data/plot-run.tsv" | gnuplot 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "odd file name: gnuplot renders it"
ok "odd file name: written under that name" test -s "pics/$name"
is "$(ls pics | wc -l | tr -d ' ')" 2 "odd file name: nothing else"

# gnuplot cannot write there: it stops, and nothing is left behind
lrf-plot -o nodir/lr.png "$data/plot-run.tsv" | gnuplot >gp.out 2>"$T/err"
ok "no such directory: gnuplot fails" test $? -ne 0
ok "no such directory: nothing written" test ! -e nodir
ok "no such directory: no picture on stdout" test ! -s gp.out
ok "no such directory: said so" grep -qx "lrf-plot: cannot write nodir/lr.png" \
    "$T/err"

# an error in the plot: the picture is not put in place
lrf-plot -o pics/bad.png "$data/plot-run.tsv" | sed 's/^plot \$run1/plot $nosuch/' |
    gnuplot 2>"$T/err"
ok "a failed plot: gnuplot fails" test $? -ne 0
is "$(ls pics | grep -c bad)" 0 "a failed plot: no file, no temporary"

for t in svg:'<svg' pdf:'%PDF' ; do
	lrf-plot -o "pics/p.${t%%:*}" "$data/plot-run.tsv" | gnuplot 2>"$T/err"
	ok "${t%%:*}: rendered" grep -q "${t#*:}" "pics/p.${t%%:*}"
done
lrf-plot -T sixel "$data/plot-run.tsv" | gnuplot 2>"$T/err" >six
is "$(head -c 3 six | od -An -c | tr -d ' ')" '033Pq' "sixel: on stdout"
lrf-plot -x step -o pics/train.png "$data/plot-train.tsv" | gnuplot \
    2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "training run: rendered"
png pics/train.png 1000 600 "training run"

# --- the manual: lint, and its EXAMPLES run
if command -v mandoc >/dev/null; then
	is "$(mandoc -Tlint -Wwarning "$top/man/lrf-plot.1" 2>&1)" "" \
	    "mandoc -Tlint"
else
	skip "mandoc is not installed"
fi
mkdir ex
cp "$data/plot-run.tsv" ex/run.tsv
cp "$data/plot-sgd.tsv" ex/sgd.tsv
cp "$data/plot-adam.tsv" ex/adam.tsv
cp "$data/plot-train.tsv" ex/train.tsv
awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh/ { on = 0 }
    on && /^\.Bd -literal/ { n++; lit = 1; next } /^\.Ed/ { lit = 0 }
    on && lit { print > (dir "/example" n ".sh") }' dir=ex \
    "$top/man/lrf-plot.1"
n=$(ls ex/example*.sh | wc -l)
is "$n" 6 "six examples"
i=1
while [ "$i" -le "$n" ]; do
	if grep -q 'lrf-schedule' "ex/example$i.sh" &&
	    ! { command -v lrf-schedule && command -v lrf-smooth &&
	    command -v lrf-suggest; } >/dev/null; then
		skip "example $i: lrf-schedule, lrf-smooth, lrf-suggest not built"
		i=$((i + 1))
		continue
	fi
	rm -f ex/lr.png.ok
	[ -e ex/lr.png ] && mv ex/lr.png ex/lr.png.ok
	(cd ex && sh -e "example$i.sh" >"example$i.out" 2>"$T/err")
	is "$?:$(cat "$T/err")" "0:" "example $i: $(head -n 1 ex/example$i.sh)"
	if grep -q 'lr\.png' "ex/example$i.sh"; then
		ok "example $i: lr.png made" test -e ex/lr.png
	fi
	[ -e ex/lr.png ] || mv ex/lr.png.ok ex/lr.png 2>/dev/null
	i=$((i + 1))
done
ok "example 1: a text plot" grep -q 'suggested 3.039e-04' ex/example1.out
png ex/lr.png 1000 600 "examples: lr.png"
ok "examples: compare.svg" grep -q '<svg' ex/compare.svg
png ex/train.png 1000 600 "examples: train.png"
ok "examples: lr.pdf" grep -q '%PDF' ex/lr.pdf
ok "examples: lr.gp kept" grep -q "^lrf_out = 'lr.pdf'$" ex/lr.gp

# -o that gnuplot would open as a pipe is refused (issue 18, 3)
(cd "$T" && run lrf-plot -o '|touch piped; cat >/dev/null #.png' "$data/plot-run.tsv")
check_status 2 "-o '|cmd': refused"
is "$(head -n 1 "$T/err")" "lrf-plot: output file '|touch piped; cat >/dev/null #.png': gnuplot would run it as a command (a leading '|'); write './|touch piped; cat >/dev/null #.png'" \
    "-o '|cmd': the message"
ok "-o '|cmd': nothing run" test ! -e "$T/piped"
# the temporary file is made by mktemp (no name to plant a link at), and
# the picture gets the umask's mode
lrf-plot -o "$T/m.png" "$data/plot-run.tsv" > "$T/m.gp"
ok "-o: the temporary file from mktemp" grep -q "system(\"mktemp -- '\" . lrf_out . \".tmpXXXXXX'\")" "$T/m.gp"
ok "-o: no temporary name from the pid" sh -c "! grep -q 'echo \\\$\\\$' '$T/m.gp'"
(umask 077; gnuplot "$T/m.gp")
is "$(stat -c %a "$T/m.png")" 600 "-o under umask 077: mode 600"
rm -f "$T/m.png"
(umask 022; gnuplot "$T/m.gp")
is "$(stat -c %a "$T/m.png")" 644 "-o under umask 022: mode 644"
is "$(ls "$T" | grep -c '^m\.png\.tmp')" 0 "-o: no temporary file left"

# the mean of several runs (lrf-suggest -a on two): lo and hi are a band
# under the curves, not curves; the y axis stays the loss
lrf-suggest -a "$data/suggest-run.tsv" "$data/suggest-run2.tsv" >"$T/mean.tsv"
lrf-plot -o "$T/mean.png" "$T/mean.tsv" >"$T/mean.gp"
ok "mean of runs: lo..hi shaded first" grep -q \
    "^plot \$run1 using 1:4:5 with filledcurves lc rgb '#[0-9a-f]*' title 'spread of the runs (lo..hi)'" \
    "$T/mean.gp"
is "$(grep -c 'using 1:[45] with lines' "$T/mean.gp")" 0 \
    "mean of runs: lo and hi drawn as no line"
ok "mean of runs: the y axis is the loss" grep -qx "set ylabel 'loss' noenhanced" "$T/mean.gp"
ok "mean of runs: gnuplot draws it" sh -c "gnuplot '$T/mean.gp' && test -s '$T/mean.png'"

finish
