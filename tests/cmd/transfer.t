#!/bin/sh
# examples/transfer: the three experiment files build the models they
# describe (frozen body, new head, discriminative rates), and, with
# Fashion-MNIST installed, the workflow runs end to end from its Makefile,
# shrunk to seconds: the frozen convolutions come out of stage 2 byte for
# byte, --load-partial loads the body and leaves the new head as a fresh
# model has it, fine-tuning changes the body, every range test suggests a
# rate, and the evaluation step changes no weight.
. "$(dirname "$0")/../lib.sh"

ex=$top/examples/transfer
fm=/usr/share/datasets/fashion-mnist
unset MAKEFLAGS MFLAGS MAKELEVEL	# not the jobs of a make check around us

# tensors FILE: one line per tensor of the weights file FILE, parsed as
# lrf-train(1) and lib/wfile.h document it: "layer type tensor dims
# offset bytes", then "end OK" when the crc is the last word, else "end
# bad" (a file that is not LRFW version 1 gives "bad header").
tensors() {
	od -An -v -tu4 "$1" | awk '
	{ for (i = 1; i <= NF; i++) w[n++] = $i }
	END {
		if (w[0] != 1464226380 || w[1] != 1) {	# "LRFW", 1
			print "bad header"
			exit
		}
		p = 3
		for (l = 0; l < w[2] && p < n; l++) {
			type = w[p++]
			nt = w[p++]
			for (t = 0; t < nt && p < n; t++) {
				nd = w[p++]
				dims = ""
				cnt = 1
				for (k = 0; k < nd; k++) {
					dims = dims (k ? "x" : "") w[p]
					cnt *= w[p++]
				}
				print l, type, t, dims, 4 * p, 4 * cnt
				p += cnt
			}
		}
		print "end", (p == n - 1 ? "OK" : "bad")
	}'
}

# tensor FILE K: the bytes of the K-th tensor (0-based) of FILE (whose
# tensors are listed once, in $T/idx/).
tensor() {
	tn_idx=$T/idx/$(printf '%s' "$1" | tr / _)
	[ -f "$tn_idx" ] || { mkdir -p "$T/idx" && tensors "$1" >"$tn_idx"; }
	# shellcheck disable=SC2046 # split into the fields
	set -- "$1" $(sed -n "$(($2 + 1))p" "$tn_idx")
	tail -c +$(($6 + 1)) "$1" | head -c "$7"
}

# same A B K...: tensors K... of the weights files A and B are the same
# bytes; differ A B K...: each of them differs.
same() {
	sm_a=$1 sm_b=$2
	shift 2
	for k; do
		tensor "$sm_a" "$k" >"$T/ta" && tensor "$sm_b" "$k" >"$T/tb" &&
		    [ -s "$T/ta" ] && cmp -s "$T/ta" "$T/tb" || return 1
	done
}
differ() {
	df_a=$1 df_b=$2
	shift 2
	for k; do
		tensor "$df_a" "$k" >"$T/ta" && tensor "$df_b" "$k" >"$T/tb" &&
		    [ -s "$T/ta" ] && ! cmp -s "$T/ta" "$T/tb" || return 1
	done
}

# ------------------------------------------------------------- the models
# Without the dataset, each file with its data replaced by a CSV of
# 1x28x28 samples of every label: the models are the same.
if [ -r $fm/train-images-idx3-ubyte.gz ] &&
    [ -r $fm/train-labels-idx1-ubyte.gz ]; then
	have_fm=1
	cfg() { echo "$ex/$1.yaml"; }
else
	have_fm=
	awk 'BEGIN {
		printf "label"
		for (j = 0; j < 784; j++)
			printf ",p%d", j
		printf "\n"
		for (i = 0; i < 50; i++) {
			printf "%d", i % 10
			for (j = 0; j < 784; j++)
				printf ",%d", (i * 7 + j * 13) % 256
			printf "\n"
		}
	}' >"$T/fm.csv"
	for s in base head tune; do
		sed -e 's/^  format: idx/  format: csv/' -e '/^  images:/d' \
		    -e "s|^  labels: .*|  path: $T/fm.csv\\
  shape: [1, 28, 28]|" "$ex/$s.yaml" >"$T/$s.yaml"
	done
	cfg() { echo "$T/$1.yaml"; }
fi

# model NAME: the #@ layer and #@ model lines of lrf-train -c NAME.yaml,
# shortened to what the files set.
model() {
	run lrf-train -c "$(cfg "$1")" --summary </dev/null
	sed -n -e 's/^#@ layer name=\([^ ]*\) .* params=\([0-9]*\)/\1 \2/p' \
	    -e 's/^#@ model .*\( params=[0-9]* trainable=[0-9]*\).*/model\1/p' \
	    "$T/out"
}

out() { printf '%s\n' "$@"; }
is "$(model base)" "$(out 'conv1 160' 'maxpool1 0' 'conv2 4640' \
    'maxpool2 0' 'flatten1 0' 'dense1 100416' 'dense2 325' \
    'model params=105541 trainable=105541')" \
    "base.yaml: the CNN of classes 0-4, everything trained"
check_status 0 "base.yaml"
is "$(tail -n 1 "$T/err")" "params 105541, trainable 105541" \
    "base.yaml: --summary on stderr"
is "$(model head)" "$(out 'conv1 160 freeze=1' 'maxpool1 0' \
    'conv2 4640 freeze=1' 'maxpool2 0' 'flatten1 0' 'dense1 200832' \
    'dense2 645' 'model params=206277 trainable=201477')" \
    "head.yaml: the convolutions frozen, a wider head"
check_status 0 "head.yaml"
is "$(tail -n 1 "$T/err")" "params 206277, trainable 201477" \
    "head.yaml: --summary counts the frozen parameters out"
is "$(model tune)" "$(out 'conv1 160 lr_mult=0.1' 'maxpool1 0' \
    'conv2 4640 lr_mult=0.1' 'maxpool2 0' 'flatten1 0' 'dense1 200832' \
    'dense2 645' 'model params=206277 trainable=206277')" \
    "tune.yaml: nothing frozen, the convolutions at a tenth of the rate"
check_status 0 "tune.yaml"
ok "the classes kept: 0-4, then 5-9" sh -c "
    grep -q '^  classes: \[0, 1, 2, 3, 4\]' '$ex/base.yaml' &&
    grep -q '^  classes: \[5, 6, 7, 8, 9\]' '$ex/head.yaml' &&
    grep -q '^  classes: \[5, 6, 7, 8, 9\]' '$ex/tune.yaml'"

# The weights files of the three models, as their layout says.
for s in base head; do
	lrf-train -c "$(cfg $s)" --save "$T/fresh-$s.lrfw" </dev/null >/dev/null
done
is "$(tensors "$T/fresh-base.lrfw" | cut -d' ' -f1-4)" "$(out \
    '0 2 0 16x1x3x3' '0 2 1 16' '1 2 0 32x16x3x3' '1 2 1 32' \
    '2 1 0 64x1568' '2 1 1 64' '3 1 0 5x64' '3 1 1 5' 'end OK')" \
    "base.lrfw: two conv2d layers (type 2), two dense (type 1)"
is "$(tensors "$T/fresh-head.lrfw" |
    awk '{ printf "%s ", $1 == "end" ? $2 : $4 }')" \
    "16x1x3x3 16 32x16x3x3 32 128x1568 128 5x128 5 OK " \
    "head.lrfw: the same body, a wider head"
head -c 1000 "$T/fresh-base.lrfw" >"$T/short.lrfw"
is "$(tensors "$ex/base.yaml"):$(tensors "$T/short.lrfw" | tail -n 1)" \
    "bad header:end bad" "the parser of this test sees a bad file"

# ------------------------------------- lrf-train(1): the new-head example
# Its EXAMPLES displays, one file each; the first writes blobs.yaml, the
# fifth trains it and runs the range test of a new head on its frozen
# first layer (tests/cmd/train.t runs the first four).
awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh/ { on = 0 }
    on && /^\.Bd -literal/ { n++; f = sprintf("%s/ex%d.sh", dir, n); next }
    on && /^\.Ed/ { f = ""; next }
    f != "" { gsub(/\\e/, "\\"); print >f }' \
    dir="$T" "$top/man/lrf-train.1"
mkdir "$T/ex"
ok "lrf-train(1) EXAMPLES 5: a new head with --load-partial" \
    grep -q 'lrf-train -c head.yaml --load blobs.lrfw --load-partial' \
    "$T/ex5.sh"
(cd "$T/ex" && sh "$T/ex1.sh" >/dev/null && sh "$T/ex5.sh") >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "EXAMPLES 5: exit 0, quiet"
is "$(awk -F'\t' '$1 == "floor" && $2 > 1e-4 && $2 < 1 { n++ } END { print n }' \
    "$T/out")" 1 "EXAMPLES 5: a suggestion where the head's loss falls"
run lrf-train -c "$T/ex/head.yaml" --load "$T/ex/blobs.lrfw" --load-partial \
    </dev/null
is "$(grep '^#@ model' "$T/out" | grep -o 'params=[0-9]* trainable=[0-9]*')" \
    "params=259 trainable=163" "EXAMPLES 5: the first layer (96) frozen"

# ------------------------------------------------------- the workflow
if [ -z "$have_fm" ]; then
	skip "the workflow: no $fm (make deps installs it)"
	finish
	exit
fi

o=$T/wf
# Threads 1: the figures do not depend on the machine's core count.
shrink="OUT=$o NUM=30 STEPS=20 BATCH=16 THREADS=1 VAL_SIZE=200"
goal=all
command -v gnuplot >/dev/null || goal=summary
# shellcheck disable=SC2086
run make -C "$ex" $shrink $goal
check_status 0 "make -C examples/transfer (shrunk)"
[ "$(cat "$T/status")" = 0 ] || { sed 's/^/# /' "$T/err"; finish; exit; }

# The summary: a row per stage, with the method of its file, a rate and
# an accuracy.
ok "summary.txt: a header and three rows" sh -c "
    [ \"\$(head -n 1 '$o/summary.txt')\" = \"\$(printf \
    '# stage\tclasses\ttrainable\tmethod\tlr\tsteps\tval_loss\tval_acc')\" ] &&
    [ \$(grep -vc '^#' '$o/summary.txt') = 3 ]"
is "$(grep -v '^#' "$o/summary.txt" | cut -f1-4,6 | tr '\t' ' ')" \
    "$(out 'base 0,1,2,3,4 105541 steep 20' 'head 5,6,7,8,9 201477 steep 20' \
    'tune 5,6,7,8,9 206277 valley 20')" \
    "summary.txt: classes, trainable parameters, method, steps"
is "$(grep -v '^#' "$o/summary.txt" | awk -F'\t' '
    $5 > 1e-6 && $5 < 10 && $8 >= 0 && $8 <= 1 { n++ } END { print n }')" 3 \
    "summary.txt: each stage's rate within the range tried, accuracy in [0, 1]"
for s in base head tune; do
	is "$(grep -c '^#@ suggest method=[a-z]* lr=' "$o/$s/records.tsv")" 1 \
	    "$s: the range test suggests a rate"
done
is "$(grep -c '^#@ run .* load=.*base.lrfw$' "$o/head/records.tsv")" 1 \
    "head: the range test starts from base.lrfw"
is "$(grep -c '^#@ run .* load=.*head.lrfw$' "$o/tune/records.tsv")" 1 \
    "tune: the range test starts from head.lrfw"

# Stage 2 leaves the frozen convolutions as base.lrfw has them and
# trains the head.
ok "head.lrfw: the frozen convolutions are base.lrfw's, byte for byte" \
    same "$o/base.lrfw" "$o/head.lrfw" 0 1 2 3
lrf-train -c "$(cfg head)" --load "$o/base.lrfw" --load-partial \
    --save "$T/init.lrfw" </dev/null >/dev/null
ok "--load-partial: the convolutions come from base.lrfw" \
    same "$o/base.lrfw" "$T/init.lrfw" 0 1 2 3
ok "--load-partial: the new head is initialised as in a fresh model" \
    same "$T/fresh-head.lrfw" "$T/init.lrfw" 4 5 6 7
ok "a fresh model's convolutions are not base.lrfw's" \
    differ "$T/fresh-head.lrfw" "$o/base.lrfw" 0 2
ok "head.lrfw: the head has been trained" \
    differ "$T/init.lrfw" "$o/head.lrfw" 4 5 6 7
# Stage 3 trains everything.
ok "tune.lrfw: fine-tuning changes the convolutions and the head" \
    differ "$o/head.lrfw" "$o/tune.lrfw" 0 1 2 3 4 5 6 7
# The evaluation step at 1e-30 changes no weight.
echo 1e-30 | lrf-train -c "$(cfg tune)" --load "$o/tune.lrfw" --threads 1 \
    --save "$T/again.lrfw" >/dev/null
ok "the evaluation step leaves the weights as they were" \
    cmp -s "$o/tune.lrfw" "$T/again.lrfw"

# make: nothing to do a second time; a stage's file changed redoes it.
# shellcheck disable=SC2086
run make -q -C "$ex" $shrink $goal
check_status 0 "make -q again: nothing to do"
touch "$o/head.lrfw"
# shellcheck disable=SC2086
run make -n -C "$ex" $shrink $goal
is "$(grep -o 'lrf-train -c [a-z]*\.yaml' "$T/out" | sort | uniq -c |
    awk '{ printf "%s:%s ", $4, $1 }')" "head.yaml:1 tune.yaml:3 " \
    "make after head.lrfw changed: the head's evaluation, the tune stage"
finish
