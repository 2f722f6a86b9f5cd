#!/bin/sh
# lrf-find's plots (issue 17): --plot dumb (finder.plot) prints the text
# plot into the log for a CI log or an ssh session, and keeps it as
# lr_finder.txt; val_loss is drawn when lrf-train --val records it; with
# --method all each method is marked and in the key; the title names the
# model, optimizer, batch and data; an overlay of 21 runs stays legible.
. "$(dirname "$0")/../lib.sh"

cfg=$data/find-blobs.yaml

if ! command -v gnuplot >/dev/null; then
	skip "no gnuplot: no text plot to check"
	finish; exit
fi

run lrf-find -c "$cfg" -o "$T/dumb" --plot dumb --val
check_status 0 "--plot dumb --val"
d=$(echo "$T"/dumb/lr_finder_*)
ok "--plot dumb: lr_finder.txt" test -s "$d/lr_finder.txt"
ok "--plot dumb: the PNG too" test -s "$d/lr_finder.png"
ok "--plot dumb: no script of it left" test ! -e "$d/lr_finder_txt.gp"
ok "--plot dumb: the log names it" grep -q '\] Text plot: .*/lr_finder.txt$' "$T/err"
is "$(sed -n '/\] Text plot: /,/\] Results: /p' "$T/err" | sed '1d;$d')" \
    "$(cat "$d/lr_finder.txt")" "--plot dumb: the log holds lr_finder.txt as it is"
ok "--plot dumb: a plot, with its x axis" grep -q '^ *learning rate *$' "$d/lr_finder.txt"
lr=$(cat "$T/out")
ok "--plot dumb: the suggestion marked with its rate" grep -q \
    "suggested $(jq -r .lr "$d/suggestion.json" | awk '{ printf "%.1e", $1 }')" \
    "$d/lr_finder.txt"
ok "--val: val_loss drawn (in the key)" grep -q 'val_loss' "$d/lr_finder.txt"
ok "--val: val_loss in the PNG's script, dashed" grep -q \
    "using 1:4 with lines lw 2 dt 2 .* title 'val_loss'" "$d/lr_finder.gp"
ok "config.yaml: plot: dumb" grep -q '^  plot: dumb$' "$d/config.yaml"
mkdir "$T/again"
run bash "$d/command.sh" "$T/again"
check_status 0 "command.sh, plot dumb"
ok "command.sh redraws lr_finder.txt byte for byte" cmp "$d/lr_finder.txt" "$T/again/lr_finder.txt"

# the key in the file; -q keeps the log empty, the file is still drawn
sed "s/^finder:$/finder:\n  plot: dumb/" "$cfg" >"$T/dumb.yaml"
run lrf-find -c "$T/dumb.yaml" -o "$T/q" -q
check_status 0 "finder.plot: dumb, -q"
check_err "" "-q: no text plot in the log"
ok "finder.plot: dumb: lr_finder.txt" test -s "$T"/q/lr_finder_*/lr_finder.txt
run lrf-find -c "$cfg" -o "$T/png" -q
ok "the default, png: no lr_finder.txt" test ! -e "$T"/png/lr_finder_*/lr_finder.txt
run lrf-find -c "$T/dumb.yaml" -o "$T/none" -q --plot none
ok "--plot none over the file: no plot at all" sh -c \
    "test ! -e '$T'/none/lr_finder_*/lr_finder.txt && test ! -e '$T'/none/lr_finder_*/lr_finder.png"
run lrf-find -c "$cfg" --plot ascii
check_fails 2 "lrf-find: --plot: 'ascii' is not png, dumb or none
try 'lrf-find -h'" "--plot ascii: a usage error"

# finder.suggest all (--method all): not rewritten to one method; each
# method marked, and listed in the key with its rate (fastai marks each)
run lrf-find -c "$cfg" -o "$T/all" --method all
check_status 0 "--method all"
a=$(echo "$T"/all/lr_finder_*)
ok "--method all: config.yaml keeps suggest: all" grep -q '^  suggest: all$' "$a/config.yaml"
is "$(grep -c '^#@ suggest method=' "$a/records.tsv")" 6 "--method all: a #@ suggest line per method"
is "$(jq -r .method "$a/suggestion.json")" floor "--method all: the rate is floor's"
is "$(cat "$T/out")" "$(jq -r .methods.floor.lr "$a/suggestion.json")" "--method all: stdout is floor's rate"
for m in floor steep minimum valley slide balanced; do
	v=$(grep "^#@ suggest method=$m " "$a/records.tsv" | sed 's/.* lr=\([^ ]*\) .*/\1/')
	l=$(awk -v v="$v" 'BEGIN { printf "%.1e", v }')
	ok "--method all: $m in the key with its rate ($l)" grep -q \
	    "keyentry with lines dt 2 .* title '$m $l'" "$a/lr_finder.gp"
	ok "--method all: $m marked with its rate" grep -q \
	    "^set label [0-9]* '$m $l' at $v," "$a/lr_finder.gp"
	ok "--method all: the log lists $m" grep -q "\]   $m: " "$T/err"
done

# the title names the model, optimizer, batch and data, from the #@ lines
# lrf-train writes (find-blobs.yaml: dense 32 relu, dense 4; 8*32+32 +
# 32*4+4 = 420 parameters; sgd; batch 32; 512 blobs of 8 features)
ok "the title: model, optimizer, batch and data" grep -qF \
    "set title 'Learning-rate range test' . \"\\n\" . 'dense 32 relu, dense 4 (420 params) | sgd | batch 32 | synthetic 512x8' noenhanced" \
    "$a/lr_finder.gp"

# an overlay of 21 runs: the key outside the plot, every run's colour and
# dash type different, its suggestion in the key, no label over the curves
i=0
while [ "$i" -lt 21 ]; do
	awk -v k="$i" 'BEGIN { print "# lr\tloss"
	    for (j = 0; j < 30; j++) { x = 1e-5 * 10^(j / 6)
		printf "%.6g\t%.6g\n", x, 2 + k / 10 - j / 20 + (j > 24 ? (j - 24) : 0) }
	    printf "#@ suggest method=floor lr=%.6g loss=1\n", 1e-3 * (1 + k / 10) }' \
	    >"$T/run$i.tsv"
	i=$((i + 1))
done
run lrf-plot -o "$T/sweep.png" "$T"/run[0-9].tsv "$T"/run[0-9][0-9].tsv
check_status 0 "21 runs overlaid"
ok "21 runs: the key outside the plot" grep -q '^set key outside right top' "$T/out"
is "$(grep -o "dt [0-9]* lc rgb '#[0-9a-f]*' title" "$T/out" | sort -u | wc -l)" 21 \
    "21 runs: 21 different colour and dash pairs"
is "$(grep -o "lc rgb '#[0-9a-f]*' title" "$T/out" | sort -u | wc -l)" 20 \
    "21 runs: 20 colours before one repeats, with another dash type"
ok "21 runs: each run's suggestion in the key" grep -q \
    "title 'run20: suggested 3.0e-03'" "$T/out"
is "$(grep -c "^set label [0-9]* '[^']" "$T/out")" 0 "21 runs: no text label over the curves"
cp "$T/out" "$T/sweep.gp"
ok "21 runs: gnuplot draws it" gnuplot "$T/sweep.gp"
ok "21 runs: drawn" test -s "$T/sweep.png"
finish
