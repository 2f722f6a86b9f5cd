#!/bin/sh
# examples/: every experiment file runs through lrf-find to a curve that
# starts flat, falls and diverges; the Makefile experiment builds its
# summary and figure and remakes only what changed; the awk recipes give
# their hand-worked answers; rings.csv is remade byte for byte.
. "$(dirname "$0")/../lib.sh"

ex=$top/examples
cd "$top" || exit 1	# the CSV example's path is relative to the top
unset MAKEFLAGS MFLAGS MAKELEVEL	# not the jobs of a make check around us

# out LINE...: the lines joined by newlines, with \t for TAB.
out() { printf '%b\n' "$@"; }

# shape FILE: the traits of the range test in FILE (a records.tsv with a
# smooth column): "flat" when the smoothed loss of its first tenth stays
# within 20% of the first value, "falls" when its minimum is below 80% of
# the first, "diverges" with a #@ stop line, and "suggested" when the
# #@ suggest rate lies between ten times the first rate and the stop, where
# the smoothed loss is below 95% of the first.
shape() {
	awk '
	function val(key,    i) {
		for (i = 3; i <= NF; i++)
			if (index($i, key "=") == 1)
				return substr($i, length(key) + 2) + 0
	}
	BEGIN { n = 0 }
	NR == 1 { for (i = 2; i <= NF; i++) col[$i] = i - 1; next }
	/^#@ schedule/ { num = val("num") }
	/^#@ stop/ { stop = val("lr") }
	/^#@ suggest/ { sug = val("lr") }
	/^#/ { next }
	{
		lr[n] = $col["lr"]; s[n] = $col["smooth"]
		if (n == 0 || s[n] < min) min = s[n]
		n++
	}
	END {
		flat = 1
		for (i = 0; i < num / 10 && i < n; i++)
			if (s[i] > 1.2 * s[0] || s[i] < 0.8 * s[0])
				flat = 0
		for (i = 0; i < n && lr[i] < sug; i++)
			;
		at = i < n ? s[i] : s[0]
		good = sug > 10 * lr[0] && (!stop || sug < stop) && \
		    at < 0.95 * s[0]
		printf "%s%s%s%s\n", flat ? "flat " : "", \
		    min < 0.8 * s[0] ? "falls " : "", \
		    stop ? "diverges " : "", good ? "suggested" : ""
	}' "$1"
}

# findrun NAME CFG [FLAGS]: lrf-find on CFG, its run directory named NAME;
# checks the status, the quiet stdout and the shape of the curve.
findrun() {
	fr_name=$1 fr_cfg=$2
	shift 2
	run lrf-find -c "$fr_cfg" -o "$T/runs" --name "$fr_name" --no-plot -q "$@"
	check_status 0 "lrf-find -c $fr_cfg"
	check_err "" "lrf-find -c $fr_cfg"
	ok "lrf-find -c $fr_cfg: the rate alone on stdout" \
	    grep -Eqx '[0-9.]+(e-?[0-9]+)?' "$T/out"
	set -- "$T"/runs/lr_finder_*_"$fr_name"/records.tsv
	if [ -f "$1" ]; then
		is "$(shape "$1")" "flat falls diverges suggested" \
		    "$fr_cfg: a range test's curve"
	else
		fail "$fr_cfg: no run directory"
	fi
}

# Experiment files that need no dataset.
findrun blobs examples/blobs.yaml
findrun regression examples/regression.yaml
ok "regression: task regression, loss mse" grep -q \
    '^#@ model .* loss=mse' "$T"/runs/lr_finder_*_regression/records.tsv
findrun rings examples/csv/rings.yaml
ok "rings: the classes of the ring column" grep -qs \
    '^#@ data format=csv n=600 d=4 .*classes=3' \
    "$T"/runs/lr_finder_*_rings/records.tsv

# The CSV example also runs as a pipeline, from the top of the tree.
cfg=examples/csv/rings.yaml
lrf-schedule -c $cfg | lrf-train -c $cfg | lrf-smooth -c $cfg |
    run lrf-suggest -c $cfg
check_status 0 "rings.yaml as a pipeline"
ok "rings.yaml as a pipeline: a valley suggestion" \
    grep -Eq '^valley	[0-9.e-]+	[0-9.]+$' "$T/out"

run sh -c "awk -f '$ex/csv/rings.awk' | cmp - '$ex/csv/rings.csv'"
check_status 0 "rings.awk remakes rings.csv byte for byte"

# The Fashion-MNIST experiment files, when the dataset is installed.
if [ -r /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
	for o in sgd adam adamw; do
		findrun "fm-$o" "examples/fashion-mnist-mlp-$o.yaml" --threads 1
	done
	run lrf-find -c examples/fashion-mnist.yaml --num_iter 30 \
	    --threads 1 -o "$T/runs" --no-plot -q
	check_status 0 "fashion-mnist.yaml, 30 steps"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
		skip "no /usr/share/datasets/fashion-mnist"
	done
fi

# The image-folder example: its Makefile draws the folder, lrf-find runs
# on it; the same experiment then on the folder given with --root.
run make -C "$ex/images" --no-print-directory OUT="$T/img"
check_status 0 "make -C examples/images"
ok "examples/images: 60 PNGs per class" \
    test "$(ls "$T"/img/shapes/triangle/*.png | wc -l)" -eq 60
ok "examples/images: a suggested rate" \
    grep -Eqx '[0-9.]+(e-?[0-9]+)?' "$T/img/suggested.txt"
set -- "$T"/img/runs/lr_finder_*_shapes/records.tsv
ok "examples/images: the class map" \
    grep -qx '#@ classes 0=circle 1=square 2=triangle' "$1"
ok "examples/images: 3 x 32 x 32, mean and std computed" \
    grep -q '^#@ data format=images n=180 d=3072 shape=3x32x32 .* mean=[0-9.]*,[0-9.]*,[0-9.]* std=' "$1"
is "$(shape "$1")" "flat falls diverges suggested" \
    "examples/images: a range test's curve"
findrun shapes examples/images/shapes.yaml --root "$T/img/shapes" \
    --threads 1

# The Makefile experiment, on synthetic data: a copy of blobs.yaml, run
# with each optimizer by --set.
cp "$ex/blobs.yaml" "$T/blobs.yaml"
mk() { run make -C "$ex" --no-print-directory DATA="$T/blobs" OUT="$T/mk" "$@"; }
runs() { grep ': suggested lr ' "$T/out" | cut -d: -f1 | sort | tr '\n' ' '; }
grid='sgd\t64\t0 sgd\t64\t1 sgd\t256\t0 sgd\t256\t1 adam\t64\t0 adam\t64\t1
adam\t256\t0 adam\t256\t1 adamw\t64\t0 adamw\t64\t1 adamw\t256\t0
adamw\t256\t1'

mk -j2
check_status 0 "make DATA=blobs"
is "$(runs)" "adam-b256-f0 adam-b256-f1 adam-b64-f0 adam-b64-f1 adamw-b256-f0 adamw-b256-f1 adamw-b64-f0 adamw-b64-f1 sgd-b256-f0 sgd-b256-f1 sgd-b64-f0 sgd-b64-f1 " \
    "make: one run per optimizer, batch and fold"
is "$(cut -f1-3 "$T/mk/summary.tsv")" \
    "$(out '# optimizer\tbatch\tfold' $grid)" \
    "summary.tsv: a row per run, in order"
is "$(awk -F '\t' 'NR > 1 && !($4 > 0 && $5 > 0) || NF != 5' \
    "$T/mk/summary.tsv")" "" "summary.tsv: five columns, lr and loss > 0"
for r in sgd-b64-f0 adam-b256-f1 adamw-b64-f1; do
	want=$(jq -r .lr "$T/mk/$r/suggestion.json")
	got=$(awk -v r="$r" 'r == $1 "-b" $2 "-f" $3 { print $4 }' \
	    "$T/mk/summary.tsv")
	ok "summary.tsv: $r has the rate of its suggestion.json" \
	    awk -v a="$got" -v b="$want" 'BEGIN { exit !(a == b && a > 0) }'
done
ok "each run keeps its run directory" test -x "$T/mk/adam-b64-f1/command.sh"
ok "each run keeps its config, flags applied" grep -q '^  batch_size: 256$' \
    "$T/mk/adamw-b256-f0/config.yaml"
ok "the runs differ by optimizer" grep -q '^#@ model .*optimizer=adamw ' \
    "$T/mk/adamw-b64-f0/records.tsv"
ok "... set by --set, the file's other optimizer keys kept" \
    grep -q '^#@ model .*optimizer=sgd momentum=0.9 ' \
    "$T/mk/sgd-b64-f0/records.tsv"
ok "each run in the directory --dir named: no lr_finder_* left" \
    test -z "$(ls -d "$T"/mk/*/lr_finder_* 2>/dev/null)"
if command -v gnuplot >/dev/null; then
	is "$(head -c 8 "$T/mk/overlay.png" | od -An -tx1 | tr -d ' ')" \
	    89504e470d0a1a0a "overlay.png is a PNG"
	is "$(grep -c '^\$run[0-9]* << EOD' "$T/mk/overlay.gp")" 12 \
	    "overlay.gp draws the twelve curves"
else
	skip "no gnuplot"
	skip "no gnuplot"
fi

mk -j2 summary
check_status 0 "make summary again"
ok "make summary again: nothing to be done" \
    grep -q "Nothing to be done for 'summary'" "$T/out"
mk -j2
ok "make again: nothing to be done" grep -q "Nothing to be done for 'all'" \
    "$T/out"

touch "$T/blobs.yaml"
mk -j2
check_status 0 "make after touching the experiment file"
is "$(runs | wc -w)" 12 "touching the experiment file makes every run again"
ok "and the summary" grep -q 'summary.awk' "$T/out"

mk -j2 summary NUM=30
check_status 0 "make NUM=30"
is "$(runs | wc -w)" 12 "NUM=30 makes every run again"
ok "with 30 steps" grep -q '^#@ schedule mode=exp .* num=30$' \
    "$T/mk/sgd-b64-f1/records.tsv"
mk summary NUM=30
ok "make NUM=30 again: nothing to be done" \
    grep -q "Nothing to be done for 'summary'" "$T/out"

# The full grid on Fashion-MNIST, as make -n plans it.
run make -C "$ex" -n OUT="$T/fm"
check_status 0 "make -n"
for o in sgd adam adamw; do
	is "$(grep -c "lrf-find -q -c fashion-mnist-mlp-$o.yaml " "$T/out")" 4 \
	    "make -n: four Fashion-MNIST runs of $o"
done

# awk/min-loss.awk
aw=$ex/awk
printf '# step\tlr\tloss\tsmooth\n0\t1e-4\t3\t3\n1\t1e-3\t2\t2.5\n2\t1e-2\t1\tnan\n3\t1e-1\t4\t2.5\n4\t1\t9\t5\n' \
    > "$T/hand.tsv"
run awk -f "$aw/min-loss.awk" "$T/hand.tsv"
check_status 0 "min-loss"
check_out "$(out '# lr\tsmooth' '1e-3\t2.5')" \
    "min-loss: smooth, nan skipped, the first of equals"
run awk -v col=loss -f "$aw/min-loss.awk" "$T/hand.tsv"
check_out "$(out '# lr\tloss' '1e-2\t1')" "min-loss -v col=loss"
printf '1e-3 4\n1e-2 3\n1e-1 inf\n1 3.5\n' | run awk -f "$aw/min-loss.awk"
check_out "$(out '# lr\tloss' '1e-2\t3')" "min-loss: positional lr loss"
printf '# lr\tloss\n1e-3 4\n' | run awk -v col=smooth -f "$aw/min-loss.awk"
check_fails 1 "min-loss.awk: no column 'smooth'" "min-loss: no such column"
check_out "" "min-loss: no such column"
printf '# lr\tloss\n1e-3 nan\n' | run awk -f "$aw/min-loss.awk"
check_fails 1 "min-loss.awk: no finite value in the curve" "min-loss: all nan"

# awk/steepest-decade.awk: the decades start at 1e-3, 5e-3, 1e-2 and
# 5e-2 and fall by 0.5, 1.6, 1.3 and -2.7.
printf '# lr\tloss\n1e-3 3\n5e-3 2.9\n1e-2 2.5\n5e-2 1.3\n1e-1 1.2\n1 4\n' |
    run awk -f "$aw/steepest-decade.awk"
check_status 0 "steepest-decade"
check_out "$(out '# from\tto\tfall' '5e-3\t5e-2\t1.6')" \
    "steepest-decade: the largest fall over a decade"
# 1e-4 to 2e-3 is 1.30 decades: a fall of 1.3 is 0.999 per decade, which
# 2e-3 to 1e-1 (1.70 decades, a fall of 2.6: 1.53 per decade) beats.
printf '1e-4 5 5\n2e-3 9 3.7\n1e-1 9 1.1\n' |
    run awk -f "$aw/steepest-decade.awk"
check_out "$(out '# from\tto\tfall' '2e-3\t1e-1\t1.53033897')" \
    "steepest-decade: positional smooth, per decade"
printf '1e-3 2\n1e-2 3\n1e-1 4\n' | run awk -f "$aw/steepest-decade.awk"
check_fails 1 "steepest-decade.awk: the curve falls over no decade" \
    "steepest-decade: a rising curve"
printf '1e-3 2\n5e-3 1\n' | run awk -f "$aw/steepest-decade.awk"
check_fails 1 "steepest-decade.awk: the rates span less than a decade" \
    "steepest-decade: less than a decade"

# awk/merge-folds.awk
printf '# step\tlr\tloss\tsmooth\n#@ schedule mode=exp start=0.001 end=1 num=4\n0\t1e-3\t2\t2\n1\t1e-2\t1\t1.5\n2\t1e-1\t3\t2\n#@ stop reason=diverged\n' \
    > "$T/f0.tsv"
printf '# step\tlr\tloss\tsmooth\n0\t1e-3\t4\t4\n1\t1e-2\t2\t3\n2\t1e-1\tnan\tnan\n3\t1\t5\t5\n' \
    > "$T/f1.tsv"
run awk -f "$aw/merge-folds.awk" "$T/f0.tsv" "$T/f1.tsv"
check_status 0 "merge-folds"
check_out "$(out '# step\tlr\tloss\tsd\tn' \
    '#@ schedule mode=exp start=0.001 end=1 num=4' \
    '0\t1e-3\t3\t1.41421356\t2' '1\t1e-2\t1.5\t0.707106781\t2')" \
    "merge-folds: the steps every fold reached"
run awk -v partial=1 -v col=smooth -f "$aw/merge-folds.awk" \
    "$T/f0.tsv" "$T/f1.tsv"
check_out "$(out '# step\tlr\tsmooth\tsd\tn' \
    '#@ schedule mode=exp start=0.001 end=1 num=4' \
    '0\t1e-3\t3\t1.41421356\t2' '1\t1e-2\t2.25\t1.06066017\t2' \
    '2\t1e-1\t2\tnan\t1' '3\t1\t5\tnan\t1')" \
    "merge-folds -v partial=1 -v col=smooth"
printf '1e-3 2\n2e-2 1\n' > "$T/p.tsv"
run awk -f "$aw/merge-folds.awk" "$T/f0.tsv" "$T/p.tsv"
check_fails 1 \
    "merge-folds.awk: $T/p.tsv:2: lr 2e-2 differs from 1e-2 at step 1 of an earlier file" \
    "merge-folds: the folds' rates must agree"
# (steep: the steepest fall of the two merged points, 3 to 1.5)
awk -f "$aw/merge-folds.awk" "$T/f0.tsv" "$T/f1.tsv" | lrf-smooth -b 0 |
    run lrf-suggest -m steep -b 0 --skip-start 0 --skip-end 0 -q
check_out "0.001" "merge-folds | lrf-smooth | lrf-suggest"

# awk/summary.awk
printf '# step\tlr\tloss\n#@ model layers=2 optimizer=adam beta1=0.9\n#@ run batch_size=256 seed=1 fold=3\n0\t1e-3\t2\n#@ suggest method=valley lr=0.002 loss=1.5\n#@ suggest method=steep lr=0.004 loss=1.2\n' \
    > "$T/s1.tsv"
printf '# step\tlr\tloss\n#@ model optimizer=sgd momentum=0.9\n0\t1e-3\t2\n' \
    > "$T/s2.tsv"
run awk -f "$aw/summary.awk" "$T/s1.tsv" "$T/s2.tsv"
check_status 0 "summary.awk"
check_out "$(out '# optimizer\tbatch\tfold\tlr\tloss' \
    'adam\t256\t3\t0.002\t1.5' 'sgd\t-\t-\t-\t-')" \
    "summary.awk: the first suggestion; - for what a run lacks"

finish
