#!/bin/sh
# lrf-train: the stream, the numbers, determinism, weights, errors, man page.
. "$(dirname "$0")/../lib.sh"

blobs=$data/train-blobs.yaml
tab=$(printf '\t')

# records: the data lines of $T/out (no comments).
records() { grep -v '^#' "$T/out"; }

# same WANT GOT NAME: the files are equal, byte for byte.
same() {
	if cmp -s "$1" "$2"; then pass "$3"; else
		fail "$3"; diag "$(diff -u "$1" "$2" | head -20)"; fi
}

# notiming FILE: FILE without its "#@ train" timing line.
notiming() { grep -v '^#@ train ' "$1"; }

# nlr N LR: N lines holding LR.
nlr() { awk -v n="$1" -v lr="$2" 'BEGIN { for (i = 0; i < n; i++) print lr }'; }

# ------------------------------------------------------------------ help
run lrf-train -h
check_status 0 "-h"
ok "-h prints the usage with defaults on stdout" \
    grep -q '^  --batch-size n   samples per micro-batch \[64\]$' "$T/out"
check_err "" "-h"

# ------------------------------------------------------------ the stream
printf '1e-3\n1e-2\n0.1\n' | run lrf-train -c "$blobs" --timing
check_status 0 "three learning rates"
check_err "" "three learning rates: nothing on stderr without a terminal"
grep -v '^#@ train ' "$T/out" | grep '^#' >"$T/meta"
cat >"$T/want" <<EOF
# step	lr	loss
#@ data format=synthetic n=512 d=8 shape=8x1x1 task=classification classes=4 train=384 val=128 held=128 scale=0.0500000007 standardize=0
#@ layer name=dense1 type=dense in=8 out=32 activation=relu params=288
#@ layer name=dense2 type=dense in=32 out=4 activation=identity params=132
#@ model layers=2 params=420 trainable=420 loss=cross_entropy init=he optimizer=sgd momentum=0.9 dampening=0 nesterov=0 weight_decay=0
#@ run batch_size=32 accumulation_steps=1 seed=7 fold=0 threads=1 device=cpu
EOF
same "$T/want" "$T/meta" "header and metadata lines, exactly"
is "$(records | cut -f1,2 | tr '\t\n' ' ;')" "0 0.001;1 0.01;2 0.1;" \
    "steps count from 0, lr as read"
is "$(records | awk -F'\t' 'NF != 3' | wc -l)" 0 "three TAB-separated fields"
is "$(tail -n 1 "$T/out" | sed 's/[0-9.e+-]*$//; s/seconds=[0-9.]* /seconds= /')" \
    "#@ train steps=3 seconds= ms_per_step=" "#@ train line last"
printf '1e-3\n1e-2\n' | lrf-train -c "$blobs" > "$T/plain"
is "$(grep -c '^#@ train' "$T/plain")" 0 "no timing line without --timing"
is "$(records | awk -F'\t' 'NR == 1 { d = $3 - log(4); print (d < 0 ? -d : d) < 0.15 }')" \
    1 "a fresh classifier's first loss is near ln(4)"

# A header names the column; extra columns are ignored; comments pass.
printf '# step lr\n#@ schedule mode=exp num=3\n0 1e-3\n# between\n1 1e-2\n2 0.1\n' |
    run lrf-train -c "$blobs"
check_status 0 "lrf-schedule's stream"
is "$(grep -v '^#@ \(data\|layer\|model\|run\|train\) ' "$T/out" | cut -f1,2 | tr '\t\n' ' ;')" \
    "# step lr;#@ schedule mode=exp num=3;0 0.001;# between;1 0.01;2 0.1;" \
    "comments pass through in place"
printf '# a rate\n1 1e-3\n2 1e-2\n' | run lrf-train -c "$blobs" --lr-col rate
is "$(records | cut -f2 | tr '\n' ' ')" "0.001 0.01 " "--lr-col by name"
printf '7 1e-3 x\n8 1e-2 y\n' | run lrf-train -c "$blobs" --lr_col 2
is "$(records | cut -f2 | tr '\n' ' ')" "0.001 0.01 " "--lr_col by number"

# ---------------------------------------------------------------- learning
nlr 100 0.05 | run lrf-train -c "$blobs"
check_status 0 "100 steps"
is "$(records | wc -l)" 100 "100 records"
is "$(records | awk -F'\t' 'NR <= 10 { a += $3 } NR > 90 { b += $3 }
    END { print b < a / 10 }')" 1 "the loss falls tenfold in 100 steps at lr 0.05"
notiming "$T/out" >"$T/run1"
nlr 100 0.05 | run lrf-train -c "$blobs"
notiming "$T/out" >"$T/run2"
same "$T/run1" "$T/run2" "same config and seed: same bytes (timing aside)"
nlr 100 0.05 | run lrf-train -c "$blobs" --seed 8
notiming "$T/out" | sed 's/seed=8/seed=7/' >"$T/run3"
ok "another seed: other losses" sh -c "! cmp -s '$T/run1' '$T/run3'"

# Accumulation: 2 micro-batches of 16 are one batch of 32 (same samples).
nlr 20 0.05 | run lrf-train -c "$blobs" --accum 2 --batch-size 16
records | cut -f3 >"$T/acc"
nlr 20 0.05 | run lrf-train -c "$blobs" --batch_size 32
records | cut -f3 >"$T/one"
is "$(paste "$T/acc" "$T/one" | awk '{ d = ($1 - $2) / $2; if (d < 0) d = -d;
    if (d > m) m = d } END { print NR, m < 1e-5 }')" "20 1" \
    "--accum 2 --batch-size 16 trains as --batch_size 32"
nlr 1 0.05 | run lrf-train -c "$blobs" --accum 2 --batch-size 16
is "$(grep '^#@ run' "$T/out")" \
    "#@ run batch_size=16 accumulation_steps=2 seed=7 fold=0 threads=1 device=cpu" \
    "flags override the config"

# A diverging run prints nan and goes on.
nlr 6 1e20 | run lrf-train -c "$blobs"
check_status 0 "divergence is not an error"
is "$(records | cut -f3 | tr '\n' ' ' | sed 's/^[0-9.]* //')" \
    "nan nan nan nan nan " "a diverged loss is printed as nan"

# ------------------------------------------------ the optimizers' defaults
# Without a momentum key each optimizer has torch.optim's default: rmsprop
# trains as momentum 0 (not 0.9), sgd as lrf-config(5)'s 0.9.
sed '/momentum:/d; s/name: sgd/name: rmsprop/' "$blobs" >"$T/rms.yaml"
sed 's/momentum: 0.9/momentum: 0/; s/name: sgd/name: rmsprop/' "$blobs" >"$T/rms0.yaml"
sed 's/name: sgd/name: rmsprop/' "$blobs" >"$T/rms9.yaml"
sed '/momentum:/d' "$blobs" >"$T/sgd.yaml"
nlr 20 0.001 | run lrf-train -c "$T/rms.yaml"
check_status 0 "rmsprop without momentum"
records >"$T/rms-unset"
is "$(grep '^#@ model' "$T/out" | grep -o 'optimizer=.*')" \
    "optimizer=rmsprop alpha=0.99 eps=1e-08 momentum=0 weight_decay=0" \
    "#@ model: rmsprop's momentum resolved to 0"
nlr 20 0.001 | run lrf-train -c "$T/rms0.yaml"
records >"$T/rms-0"
nlr 20 0.001 | run lrf-train -c "$T/rms9.yaml"
records >"$T/rms-9"
is "$(wc -l <"$T/rms-unset" | tr -d ' ')" 20 "rmsprop without momentum: 20 records"
same "$T/rms-0" "$T/rms-unset" "rmsprop without momentum trains as momentum 0"
ok "rmsprop without momentum is not momentum 0.9" \
    sh -c "! cmp -s '$T/rms-9' '$T/rms-unset'"
nlr 20 0.05 | run lrf-train -c "$T/sgd.yaml"
records >"$T/sgd-unset"
is "$(grep '^#@ model' "$T/out" | grep -o ' momentum=[^ ]*')" " momentum=0.9" \
    "#@ model: sgd's momentum resolved to 0.9"
nlr 20 0.05 | run lrf-train -c "$blobs"
records >"$T/sgd-9"
same "$T/sgd-9" "$T/sgd-unset" "sgd without momentum trains as momentum 0.9"

# --------------------------------------------------------------- --val
nlr 60 0.05 | run lrf-train -c "$blobs" --val
check_status 0 "--val"
is "$(head -n 1 "$T/out")" "# step${tab}lr${tab}loss${tab}val_loss${tab}val_acc" \
    "--val header"
is "$(records | awk -F'\t' 'NF != 5 || $5 < 0 || $5 > 1 || $4 + 0 != $4' | wc -l)" \
    0 "val_loss a number, val_acc in [0, 1]"
is "$(records | awk -F'\t' 'END { print ($5 >= 0.9) }')" 1 \
    "val_acc reaches 0.9 on the blobs"
is "$(records | awk -F'\t' 'NR == 1 { print ($5 * 128 == int($5 * 128)) }')" 1 \
    "val_acc counts the 128 held-out samples"
nlr 60 0.05 | run lrf-train -c "$blobs" --val --val-size 50
is "$(grep '^#@ data' "$T/out" | grep -o 'val=[0-9]*')" "val=50" "--val-size"

cat >"$T/reg.yaml" <<EOF
data: {format: synthetic, kind: linear, task: regression, samples: 300,
       features: 4, folds: 3}
model:
  layers:
    - {type: dense, units: 16, activation: tanh}
    - {type: dense, units: 1}
  loss: mse
train: {batch_size: 20, threads: 1}
EOF
nlr 50 0.02 | run lrf-train -c "$T/reg.yaml" --val
check_status 0 "regression"
is "$(head -n 1 "$T/out")" "# step${tab}lr${tab}loss${tab}val_loss" \
    "a regression task has no val_acc"
is "$(records | awk -F'\t' 'NR == 1 { a = $4 } END { print NF, $4 < a / 2 }')" \
    "4 1" "the regression's val_loss halves"

# CSV: labels are mapped to classes, and the map is said.
cat >"$T/csv.yaml" <<EOF
data: {format: csv, path: "$data/train-tiny.csv", label_column: label,
       folds: 3}
model:
  layers:
    - {type: dense, units: 8, activation: relu}
    - {type: dense, units: 3}
train: {batch_size: 5, threads: 1}
EOF
nlr 5 0.1 | run lrf-train -c "$T/csv.yaml"
check_status 0 "tiny CSV"
is "$(grep '^#@ data' "$T/out")" \
    "#@ data format=csv n=30 d=2 shape=2x1x1 task=classification classes=3 train=20 val=10 held=10 scale=1 standardize=0 map=0:2.5,1:7,2:9" \
    "#@ data of a CSV, with its class map"
is "$(records | wc -l)" 5 "tiny CSV: 5 steps"

# -------------------------------------------------------- --save, --load
: | run lrf-train -c "$blobs" --save "$T/w0.safetensors"
check_status 0 "--save with no input"
# safetensors: the header's length N (8 bytes, little-endian), N bytes
# of JSON from '{', the tensors' float32 data
hlen() { od -An -tu8 -N8 "$1" | tr -d ' '; }
is "$(od -An -c -j8 -N1 "$T/w0.safetensors" | tr -d ' ')" "{" \
    "the weights file is safetensors: its JSON header at byte 8"
is "$(wc -c <"$T/w0.safetensors" | tr -d ' ')" \
    "$((8 + $(hlen "$T/w0.safetensors") + 4 * 420))" \
    "the file's size: the length, the header, 420 floats"
ok "the header names the tensors as PyTorch's state_dict" grep -q \
    '"dense2.bias":{"dtype":"F32","shape":\[4\]' "$T/w0.safetensors"
nlr 5 0.05 | run lrf-train -c "$blobs" --load "$T/w0.safetensors"
grep -v '^#@ \(train\|run\) ' "$T/out" >"$T/a"
nlr 5 0.05 | run lrf-train -c "$blobs"
grep -v '^#@ \(train\|run\) ' "$T/out" >"$T/b"
same "$T/b" "$T/a" "the initial weights saved and loaded train the same"

# Full batch: the loss after k steps does not depend on the order.
nlr 21 0.05 | run lrf-train -c "$blobs" --batch-size 384
want=$(records | awk -F'\t' 'NR == 21 { print $3 }')
nlr 20 0.05 | run lrf-train -c "$blobs" --batch-size 384 --save "$T/w20.safetensors"
nlr 1 0.05 | run lrf-train -c "$blobs" --batch-size 384 --load "$T/w20.safetensors"
check_status 0 "--load"
is "$(records | awk -F'\t' -v w="$want" '{ d = ($3 - w) / w; print (d < 0 ? -d : d) < 1e-5 }')" \
    1 "resumed from saved weights: step 0 has the saved model's loss"
is "$(grep '^#@ run' "$T/out" | grep -o 'load=.*')" "load=$T/w20.safetensors" \
    "#@ run names the weights loaded"

: | run lrf-train -c "$blobs" --save "$T/nodir/w.lrfw"
check_fails 1 "lrf-train: $T/nodir/w.lrfw: No such file or directory" \
    "--save into a missing directory fails before training"
check_out "" "--save into a missing directory"

printf 'LRFW' >"$T/trunc.lrfw"
: | run lrf-train -c "$blobs" --load "$T/trunc.lrfw"
check_status 1 "truncated weights file"
ok "truncated weights file: message names the file" \
    grep -q "^lrf-train: $T/trunc.lrfw: " "$T/err"
cat >"$T/wide.yaml" <<EOF
data: {format: synthetic, kind: blobs, samples: 512, features: 8,
       classes: 4, scale: 0.05, folds: 4}
model:
  layers:
    - {type: dense, units: 16, activation: relu}
    - {type: dense, units: 4}
train: {batch_size: 32, seed: 7, threads: 1}
EOF
: | run lrf-train -c "$T/wide.yaml" --load "$T/w0.safetensors"
check_fails 1 "lrf-train: $T/w0.safetensors: tensor 'dense1.weight' is 32x8, the model wants 16x8 (and 2 more)" \
    "weights of another shape"
: | run lrf-train -c "$T/wide.yaml" --load "$T/w0.safetensors" --load-partial
check_fails 1 "lrf-train: $T/w0.safetensors: no layer of the file fits the model" \
    "--load-partial, and nothing fits"
sed 's/units: 4}/units: 16, activation: relu}\
    - {type: dense, units: 4}/' "$blobs" >"$T/deep.yaml"
: | run lrf-train -c "$T/deep.yaml" --load "$T/w0.safetensors"
check_status 1 "a deeper model: the file's second layer does not fit"
: | run lrf-train -c "$T/deep.yaml" --load "$T/w20.safetensors" --load-partial \
    --save "$T/deep.safetensors"
check_status 0 "--load-partial loads the layers that fit"
# The first layer's 288 floats start the data of both files.
d20=$((8 + $(hlen "$T/w20.safetensors")))
is "$(od -An -tx1 -j$((8 + $(hlen "$T/deep.safetensors"))) -N1152 \
    "$T/deep.safetensors" | cksum)" \
    "$(od -An -tx1 -j$d20 -N1152 "$T/w20.safetensors" | cksum)" \
    "--load-partial: the first layer's weights come from the file"
ok "--load-partial: ... and are not the fresh ones" sh -c \
    "! cmp -s -i $d20 -n 1152 '$T/w0.safetensors' '$T/w20.safetensors'"
# Old weights files (LRFW, what --save wrote before safetensors) still
# load: tests/data/w-syn.lrfw, hostile.t's model at seed 42, trained
# from at seed 7 as itself and as the safetensors --save makes of it.
cat >"$T/syn.yaml" <<EOF
data: {format: synthetic, kind: blobs, samples: 64, features: 5, classes: 3, folds: 2}
model:
  layers:
    - {type: dense, units: 4, activation: relu}
    - {type: dense, units: 3}
train: {batch_size: 4, threads: 1, seed: 7}
EOF
: | run lrf-train -c "$T/syn.yaml" --load "$data/w-syn.lrfw" \
    --save "$T/syn.safetensors"
check_status 0 "an old LRFW file loads, saved again as safetensors"
nlr 3 0.1 | run lrf-train -c "$T/syn.yaml" --load "$data/w-syn.lrfw"
records >"$T/a"
nlr 3 0.1 | run lrf-train -c "$T/syn.yaml" --load "$T/syn.safetensors"
records >"$T/b"
same "$T/a" "$T/b" "the LRFW file and its safetensors copy train the same"
nlr 3 0.1 | run lrf-train -c "$T/syn.yaml"
records >"$T/c"
ok "... and not as the seed's own weights" sh -c "! cmp -s '$T/a' '$T/c'"
run lrf-train -c "$blobs" --load-partial </dev/null
check_status 2 "--load-partial without --load"

# ------------------------------------------------------ progress, summary
nlr 3 0.01 | run lrf-train -c "$blobs" --progress
check_status 0 "--progress"
ok "--progress draws step/num, lr, loss, steps/s on stderr" \
    grep -q 'step 3  lr 1.000e-02  loss [0-9.]*  [0-9.]* steps/s' "$T/err"
printf '#@ schedule num=4\n0.01\n0.01\n' | run lrf-train -c "$blobs" --progress
ok "--progress knows the planned steps" grep -q 'step 2/4 ' "$T/err"
# The default: a bar only when stderr is a terminal (script(1) gives one).
if command -v script >/dev/null 2>&1; then
	nlr 2 0.01 >"$T/in2"
	script -qec "lrf-train -c '$blobs' <'$T/in2' >'$T/o2'" "$T/tty1" >/dev/null 2>&1
	script -qec "lrf-train -c '$blobs' --no-progress <'$T/in2' >'$T/o2'" \
	    "$T/tty2" >/dev/null 2>&1
	is "$(grep -c 'step 2  lr' "$T/tty1") $(grep -c 'step [0-9]' "$T/tty2")" \
	    "1 0" "a bar on a terminal by default, none with --no-progress"
else
	skip "no script(1) to give stderr a terminal"
fi
: | run lrf-train -c "$blobs" --summary --no-progress
is "$(cat "$T/err")" "$(printf '%s\n' \
    'layer        type       output             params' \
    'dense1       dense      32                    288' \
    'dense2       dense      4                     132' \
    'params 420, trainable 420')" "--summary on stderr"

# -------------------------------------------------------------- EPIPE
# An unbounded schedule, cut by head: every stage ends, and quietly.
{ timeout 60 lrf-schedule -n 0 2>"$T/e1"; echo $? >"$T/s1"; } |
    { timeout 60 lrf-train -c "$blobs" 2>"$T/e2"; echo $? >"$T/s2"; } |
    head -n 10 >"$T/out"
is "$(cat "$T/s1") $(cat "$T/s2")" "0 0" "a reader gone: lrf-schedule and lrf-train exit 0"
is "$(cat "$T/e1" "$T/e2")" "" "a reader gone: nothing on stderr"
is "$(sed -n '7p; 10p' "$T/out" | cut -f1 | cut -c1-12 | tr '\n' ';')" \
    "#@ schedule ;2;" "head got the header, the schedule line and 3 records"
nlr 1000 0.01 | { lrf-train -c "$blobs" --val --save "$T/gone.st" 2>"$T/e2";
    echo $? >"$T/s2"; } | head -n 7 >/dev/null
is "$(cat "$T/s2") $(cat "$T/e2")" "0 " "EPIPE with --val --save: exit 0, no message"
is "$(od -An -c -j8 -N1 "$T/gone.st" | tr -d ' ')" "{" \
    "EPIPE with --save: the weights are saved"

# -------------------------------------------------------------- errors
printf '1e-3\n-1\n1e-3\n' | run lrf-train -c "$blobs"
check_fails 1 "lrf-train: stdin:2: learning rate '-1' is not positive and finite" \
    "a negative learning rate"
is "$(records | wc -l)" 1 "the records before a bad one are written"
printf 'abc\n' | run lrf-train -c "$blobs"
check_fails 1 "lrf-train: stdin:1: field 1 'abc' is not a number" "lr not a number"
printf '0\n' | run lrf-train -c "$blobs"
check_fails 1 "lrf-train: stdin:1: learning rate '0' is not positive and finite" "lr 0"
printf '# a b\n1 2\n' | run lrf-train -c "$blobs"
check_fails 1 "lrf-train: stdin:1: no column 'lr' (columns: a b)" "no lr column"
run lrf-train -c "$T/missing.yaml" </dev/null
check_fails 1 "lrf-train: $T/missing.yaml: cannot open: No such file or directory" \
    "missing config file"
run lrf-train -c "$blobs" --device cuda </dev/null
check_status 2 "--device cuda"
is "$(head -n 1 "$T/err")" "lrf-train: --device: 'cuda' is not available (only cpu)" \
    "--device cuda (stderr)"
printf 'train: {device: cuda}\n' >"$T/cuda.yaml"
run lrf-train -c "$T/cuda.yaml" </dev/null
check_fails 1 "lrf-train: $T/cuda.yaml:1:17: train.device: 'cuda' is not available (only cpu is)" \
    "train.device: cuda"
run lrf-train -c "$blobs" --device cpu </dev/null
check_status 0 "--device cpu"
run lrf-train -c "$blobs" --batch-size 0 </dev/null
check_status 2 "--batch-size 0"
is "$(head -n 1 "$T/err")" "lrf-train: --batch-size: '0' is out of range [1, 16777216]" \
    "--batch-size 0 (stderr)"
run lrf-train -c "$blobs" --fold 4 </dev/null
check_status 2 "--fold past data.folds"
is "$(head -n 1 "$T/err")" "lrf-train: --fold: '4' is out of range [0, 3] (data.folds is 4)" \
    "--fold past data.folds (stderr)"
run lrf-train -c "$blobs" run.tsv </dev/null
check_status 2 "an operand"

sed 's/units: 4}/units: 5}/' "$blobs" >"$T/five.yaml"
run lrf-train -c "$T/five.yaml" </dev/null
check_fails 1 "lrf-train: $T/five.yaml:13:7: last layer has 5 units, the data has 4 classes" \
    "a model whose output does not fit the data"
sed 's/batch_size: 32/batch_size: 0/' "$blobs" >"$T/b0.yaml"
run lrf-train -c "$T/b0.yaml" </dev/null
check_status 1 "train.batch_size: 0"
ok "train.batch_size: 0 (stderr names the file, line and column)" \
    grep -q "^lrf-train: $T/b0.yaml:20:15: " "$T/err"
sed 's/folds: 4/folds: 1/' "$blobs" >"$T/f1.yaml"
run lrf-train -c "$T/f1.yaml" --val </dev/null
check_fails 1 "lrf-train: --val: no held-out samples (data.folds is 1)" \
    "--val without a held-out fold"
printf 'x1,x2,label\n1,2,0\n3,4\n' >"$T/ragged.csv"
sed "s|$data/train-tiny.csv|$T/ragged.csv|" "$T/csv.yaml" >"$T/ragged.yaml"
run lrf-train -c "$T/ragged.yaml" </dev/null
check_status 1 "a ragged CSV"
ok "a ragged CSV: the message names the file and line" \
    grep -q "^lrf-train: $T/ragged.csv:3: " "$T/err"

# ------------------------------------------------------------ man page
ok "mandoc -Tlint finds nothing" sh -c \
    "[ -z \"\$(mandoc -Tlint -Wwarning '$top/man/lrf-train.1' 2>&1)\" ]"
# Each literal display of EXAMPLES, run in order in one directory.
awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh/ { on = 0 }
    on && /^\.Bd -literal/ { n++; f = sprintf("%s/ex%d.sh", dir, n); next }
    on && /^\.Ed/ { f = ""; next }
    f != "" { gsub(/\\e/, "\\"); print >f }' \
    dir="$T" "$top/man/lrf-train.1"
mkdir "$T/ex" && cp "$blobs" "$T/ex/cfg.yaml" && ln -s "$top/examples" "$T/ex/examples"
(cd "$T/ex" && sh "$T/ex1.sh") >"$T/out" 2>"$T/err"
is "$?:$(records | wc -l):$(cat "$T/err")" "0:7:" "EXAMPLES 1: seven steps of the blobs"
if [ -r /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
	(cd "$T/ex" && sh "$T/ex2.sh") >"$T/out" 2>"$T/err"
	is "$?:$(grep -c '^floor' "$T/out")" "0:1" "EXAMPLES 2: the Fashion-MNIST range test"
else
	skip "EXAMPLES 2: no /usr/share/datasets/fashion-mnist"
fi
(cd "$T/ex" && sh "$T/ex3.sh") >"$T/out" 2>"$T/err"
is "$?:$(grep -cv '^#' "$T/ex/train.tsv"):$(cat "$T/err")" "0:2000:" \
    "EXAMPLES 3: onecycle training with --val and --save"
is "$(grep -v '^#' "$T/ex/train.tsv" | awk -F'\t' 'END { print ($5 >= 0.95) }')" 1 \
    "EXAMPLES 3: the trained model's val_acc"
# the blobs are learnt: from the saved weights the loss stays near 7e-4 at
# every rate, and lrf-suggest has nothing to suggest (exit 1)
(cd "$T/ex" && sh "$T/ex4.sh") >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" \
    "1:lrf-suggest: stdin: the smoothed loss never falls below its start" \
    "EXAMPLES 4: the range test from saved weights: a flat curve"

# ----------------------------------------------- the README's range test
fm=examples/fashion-mnist.yaml
if [ -r /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
	(cd "$top" && lrf-schedule -c $fm | lrf-train -c $fm |
	    tee "$T/fm.tsv" | lrf-smooth | lrf-suggest) >"$T/out" 2>"$T/err"
	is "$?:$(cat "$T/err")" "0:" "Fashion-MNIST pipeline: exit 0, quiet"
	first=$(grep -v '^#' "$T/fm.tsv" | head -n 1 | cut -f3)
	is "$(awk -v l="$first" 'BEGIN { d = l - 2.30; print (d < 0 ? -d : d) < 0.3 }')" \
	    1 "Fashion-MNIST: the first loss ($first) is near 2.30"
	is "$(grep -v '^#' "$T/out" | awk 'NF >= 2 && $2 > 0 && $2 < 1 { n++ }
	    END { print n }')" 1 "Fashion-MNIST: a suggestion in (0, 1)"
else
	skip "Fashion-MNIST pipeline: no /usr/share/datasets/fashion-mnist"
	skip "Fashion-MNIST: first loss"
	skip "Fashion-MNIST: suggestion"
fi

# ------------------------------------------------- globalavgpool (issue 14)
cat >"$T/gap.yaml" <<EOF
data: {format: synthetic, kind: blobs, samples: 64, features: 16,
       classes: 3, folds: 2, shape: [1, 4, 4]}
model:
  layers:
    - {type: conv2d, filters: 4, kernel: 3, padding: 1, activation: relu}
    - {type: globalavgpool}
    - {type: dense, units: 3}
train: {batch_size: 8, threads: 2}
EOF
nlr 3 0.1 | run lrf-train -c "$T/gap.yaml"
check_status 0 "globalavgpool: a conv, its planes' means, a dense head"
is "$(grep '^#@ layer name=globalavgpool1' "$T/out")" \
    "#@ layer name=globalavgpool1 type=globalavgpool in=4x4x4 out=4 params=0" \
    "globalavgpool: 4x4x4 to 4 features, no parameters"
is "$(records | wc -l | tr -d ' ')" 3 "globalavgpool: 3 steps"
run lrf-train -c "$T/gap.yaml" --summary </dev/null
is "$(cat "$T/err")" "$(printf '%s\n' \
    'layer          type          output             params' \
    'conv1          conv2d        4x4x4                  40' \
    'globalavgpool1 globalavgpool 4                       0' \
    'dense1         dense         3                      15' \
    'params 55, trainable 55')" \
    "--summary: the columns as wide as the longest name and type"
sed 's/{type: globalavgpool}/{type: globalavgpool, kernel: 2}/' \
    "$T/gap.yaml" >"$T/gapk.yaml"
run lrf-train -c "$T/gapk.yaml" </dev/null
check_fails 1 "lrf-train: $T/gapk.yaml:6:29: model.layers[1]: the globalavgpool layer has no key 'kernel'" \
    "globalavgpool takes no key"

finish
