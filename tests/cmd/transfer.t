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
# lrf-train(1) documents it (safetensors: the header's length N in 8
# bytes, little-endian, N bytes of JSON, the data), in the header's
# order: "name dims offset bytes" (offset from the start of the file),
# then "end OK" when the tensors fill the data to the end of the file,
# else "end bad" (a file whose header does not fit gives "bad header").
tensors() {
	tn_h=$(od -An -tu8 -N8 "$1" | tr -d ' ')
	tail -c +9 "$1" | head -c "${tn_h:-0}" 2>/dev/null |
	    sed 's/},"/}\n"/g' | awk -v h="$tn_h" -v size="$(wc -c <"$1")" '
	NR == 1 && (h == "" || h + 8 > size || substr($0, 1, 1) != "{") {
		print "bad header"
		bad = 1
		exit
	}
	match($0, /"[^"]*":\{"dtype":"F32"/) {
		name = substr($0, RSTART + 1, RLENGTH - 1)
		sub(/".*/, "", name)
		match($0, /"shape":\[[0-9,]*\]/)
		dims = substr($0, RSTART + 9, RLENGTH - 10)
		gsub(/,/, "x", dims)
		match($0, /"data_offsets":\[[0-9]*,[0-9]*\]/)
		split(substr($0, RSTART + 16, RLENGTH - 17), o, ",")
		print name, dims, 8 + h + o[1], o[2] - o[1]
		end = 8 + h + o[2]
	}
	END { if (!bad) print "end", (end == size ? "OK" : "bad") }'
}

# tensor FILE K: the bytes of the K-th tensor (0-based) of FILE (whose
# tensors are listed once, in $T/idx/).
tensor() {
	tn_idx=$T/idx/$(printf '%s' "$1" | tr / _)
	[ -f "$tn_idx" ] || { mkdir -p "$T/idx" && tensors "$1" >"$tn_idx"; }
	# shellcheck disable=SC2046 # split into the fields
	set -- "$1" $(sed -n "$(($2 + 1))p" "$tn_idx")
	tail -c +$(($4 + 1)) "$1" | head -c "$5"
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
	lrf-train -c "$(cfg $s)" --save "$T/fresh-$s.safetensors" </dev/null >/dev/null
done
is "$(tensors "$T/fresh-base.safetensors" | cut -d' ' -f1-2)" "$(out \
    'conv1.weight 16x1x3x3' 'conv1.bias 16' 'conv2.weight 32x16x3x3' \
    'conv2.bias 32' 'dense1.weight 64x1568' 'dense1.bias 64' \
    'dense2.weight 5x64' 'dense2.bias 5' 'end OK')" \
    "base.safetensors: two conv2d layers, two dense, by PyTorch's names"
is "$(tensors "$T/fresh-head.safetensors" | awk '{ printf "%s ", $2 }')" \
    "16x1x3x3 16 32x16x3x3 32 128x1568 128 5x128 5 OK " \
    "head.safetensors: the same body, a wider head"
head -c 1000 "$T/fresh-base.safetensors" >"$T/short.safetensors"
is "$(tensors "$ex/base.yaml"):$(tensors "$T/short.safetensors" | tail -n 1)" \
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
    grep -q 'lrf-train -c head.yaml --load blobs.safetensors --load-partial' \
    "$T/ex5.sh"
(cd "$T/ex" && sh "$T/ex1.sh" >/dev/null && sh "$T/ex5.sh") >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "EXAMPLES 5: exit 0, quiet"
is "$(awk -F'\t' '$1 == "floor" && $2 > 1e-4 && $2 < 1 { n++ } END { print n }' \
    "$T/out")" 1 "EXAMPLES 5: a suggestion where the head's loss falls"
run lrf-train -c "$T/ex/head.yaml" --load "$T/ex/blobs.safetensors" --load-partial \
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
[ "$(cat "$T/status")" = 0 ] || { diag "$(cat "$T/err")"; finish; exit; }

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
is "$(grep -c '^#@ run .* load=.*base.safetensors$' "$o/head/records.tsv")" 1 \
    "head: the range test starts from base.safetensors"
is "$(grep -c '^#@ run .* load=.*head.safetensors$' "$o/tune/records.tsv")" 1 \
    "tune: the range test starts from head.safetensors"

# Stage 2 leaves the frozen convolutions as base.safetensors has them and
# trains the head.
ok "head.safetensors: the frozen convolutions are base.safetensors's, byte for byte" \
    same "$o/base.safetensors" "$o/head.safetensors" 0 1 2 3
lrf-train -c "$(cfg head)" --load "$o/base.safetensors" --load-partial \
    --save "$T/init.safetensors" </dev/null >/dev/null
ok "--load-partial: the convolutions come from base.safetensors" \
    same "$o/base.safetensors" "$T/init.safetensors" 0 1 2 3
ok "--load-partial: the new head is initialised as in a fresh model" \
    same "$T/fresh-head.safetensors" "$T/init.safetensors" 4 5 6 7
ok "a fresh model's convolutions are not base.safetensors's" \
    differ "$T/fresh-head.safetensors" "$o/base.safetensors" 0 2
ok "head.safetensors: the head has been trained" \
    differ "$T/init.safetensors" "$o/head.safetensors" 4 5 6 7
# Stage 3 trains everything.
ok "tune.safetensors: fine-tuning changes the convolutions and the head" \
    differ "$o/head.safetensors" "$o/tune.safetensors" 0 1 2 3 4 5 6 7
# The evaluation step at 1e-30 changes no weight.
echo 1e-30 | lrf-train -c "$(cfg tune)" --load "$o/tune.safetensors" --threads 1 \
    --save "$T/again.safetensors" >/dev/null
ok "the evaluation step leaves the weights as they were" \
    cmp -s "$o/tune.safetensors" "$T/again.safetensors"

# make: nothing to do a second time; a stage's file changed redoes it.
# shellcheck disable=SC2086
run make -q -C "$ex" $shrink $goal
check_status 0 "make -q again: nothing to do"
touch "$o/head.safetensors"
# shellcheck disable=SC2086
run make -n -C "$ex" $shrink $goal
is "$(grep -o 'lrf-train -c [a-z]*\.yaml' "$T/out" | sort | uniq -c |
    awk '{ printf "%s:%s ", $4, $1 }')" "head.yaml:1 tune.yaml:3 " \
    "make after head.safetensors changed: the head's evaluation, the tune stage"
finish
