#!/bin/sh
# CSV users: a config that names only its data trains (the default model
# fits the data), string class labels, column selection, a pandas index
# column, and CSV loss logs read by the filters.
. "$(dirname "$0")/../lib.sh"

tab=$(printf '\t')
nlr() { awk -v n="$1" -v lr="$2" 'BEGIN { for (i = 0; i < n; i++) print lr }'; }
records() { grep -v '^#' "$T/out"; }

# ------------------------------------------------------ the default model
# train-tiny.csv has 3 classes: the old fixed default (10 units) failed
# with "last layer has 10 units, the data has 3 classes".
cat >"$T/tiny.yaml" <<EOF2
data: {format: csv, path: "$data/train-tiny.csv", label_column: label,
       folds: 3}
train: {batch_size: 5, threads: 1}
EOF2
nlr 3 0.1 | run lrf-train -c "$T/tiny.yaml" --summary
check_status 0 "no model.layers: the default model trains"
is "$(grep '^#@ layer' "$T/out")" \
"#@ layer name=dense1 type=dense in=2 out=256 activation=relu params=768
#@ layer name=dense2 type=dense in=256 out=3 activation=identity params=771" \
    "the default: dense 256 relu, then one unit per class"
is "$(tail -n 1 "$T/err")" \
    "(the default model for this data: the config names no model.layers)" \
    "--summary says the model is the default"
is "$(records | wc -l)" 3 "three steps"
cat >"$T/reg.yaml" <<EOF2
data: {format: csv, path: "$data/train-tiny.csv", label_column: label,
       task: regression, folds: 3}
model: {loss: mse}
train: {batch_size: 5, threads: 1}
EOF2
nlr 2 0.01 | run lrf-train -c "$T/reg.yaml"
check_status 0 "regression, no model.layers"
is "$(grep '^#@ layer name=dense2' "$T/out")" \
    "#@ layer name=dense2 type=dense in=256 out=1 activation=identity params=257" \
    "regression: one output"

# ------------------------------------------------------ string labels
cat >"$T/iris.csv" <<EOF2
sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.3,3.3,6.0,2.5,virginica
4.9,3.0,1.4,0.2,setosa
6.4,3.2,4.5,1.5,versicolor
5.8,2.7,5.1,1.9,virginica
EOF2
cat >"$T/iris.yaml" <<EOF2
data: {format: csv, path: "$T/iris.csv", label_column: species, folds: 2}
train: {batch_size: 2, threads: 1}
EOF2
nlr 2 0.01 | run lrf-train -c "$T/iris.yaml"
check_status 0 "string class labels train"
is "$(sed -n '2,3p' "$T/out")" \
"#@ data format=csv n=6 d=4 shape=4x1x1 task=classification classes=3 train=3 val=3 held=3 scale=1 standardize=0
#@ classes 0=setosa 1=versicolor 2=virginica" \
    "the classes are the sorted names, mapped back by #@ classes"
is "$(grep '^#@ layer name=dense2' "$T/out")" \
    "#@ layer name=dense2 type=dense in=256 out=3 activation=identity params=771" \
    "the default model has one output per name"

# ------------------------------------------- a pandas export, columns
# df.to_csv("iris.csv") writes the index as an unnamed column 0
awk -F, 'NR == 1 { print "," $0; next } { print NR - 2 "," $0 }' \
    "$T/iris.csv" >"$T/pandas.csv"
sed "s|$T/iris.csv|$T/pandas.csv|" "$T/iris.yaml" >"$T/pandas.yaml"
nlr 1 0.01 | run lrf-train -c "$T/pandas.yaml"
check_status 0 "a pandas export"
is "$(grep -c '^#@ data .* d=4 ' "$T/out")" 1 \
    "the index column is not a feature: 4 features"
check_err "lrf-train: note: $T/pandas.csv:1: column 0 is named '', a pandas index: left out (say data.ignore: [0], or list data.features)" \
    "a note says so"
sed 's|folds: 2}|folds: 2, ignore: [0]}|' "$T/pandas.yaml" >"$T/p0.yaml"
nlr 1 0.01 | run lrf-train -c "$T/p0.yaml"
check_err "" "data.ignore: [0]: no note"
is "$(grep -c '^#@ data .* d=4 ' "$T/out")" 1 "still 4 features"
sed 's|folds: 2}|folds: 2, features: [petal_width, 3]}|' "$T/pandas.yaml" \
    >"$T/pf.yaml"
nlr 1 0.01 | run lrf-train -c "$T/pf.yaml"
check_status 0 "data.features"
is "$(grep '^#@ layer name=dense1' "$T/out")" \
    "#@ layer name=dense1 type=dense in=2 out=256 activation=relu params=768" \
    "data.features [petal_width, 3]: two inputs"
check_err "" "no note when the features are listed"
sed 's|folds: 2}|folds: 2, ignore: [sepal_length, sepal_width]}|' \
    "$T/pandas.yaml" >"$T/pi.yaml"
nlr 1 0.01 | run lrf-train -c "$T/pi.yaml"
is "$(grep -c '^#@ data .* d=2 ' "$T/out")" 1 \
    "data.ignore two columns and the index: 2 features"

# ------------------------------------ loss logs of other tools, by name
# a bowl over 6 decades, its bottom at lr 1e-3: Keras' CSVLogger
awk 'BEGIN { print "epoch,loss,lr"
    for (i = 0; i < 61; i++) { x = -6 + i / 10
	printf "%d,%.6f,%.6g\n", i, (x + 3) ^ 2 / 4 + 0.5, 10 ^ x } }' \
    >"$T/keras.csv"
# Lightning's metrics.csv: the LearningRateMonitor's rate on a row of its
# own before the step's train_loss, a validation row, cells left empty
awk 'BEGIN { print "epoch,lr-SGD,step,train_loss,val_loss"
    for (i = 0; i < 61; i++) { x = -6 + i / 10
	printf "0,%.6g,%d,,\n", 10 ^ x, i
	printf "0,,%d,%.6f,\n", i, (x + 3) ^ 2 / 4 + 0.5 }
    print "0,,60,,0.7" }' >"$T/lightning.csv"
awk -F, 'NR > 1 { printf "%s\t%s\n", $3, $2 }' "$T/keras.csv" >"$T/want"
run lrf-smooth -k -b 0 "$T/keras.csv"
check_status 0 "lrf-smooth reads a Keras CSVLogger log"
is "$(head -n 1 "$T/out")" "# epoch${tab}loss${tab}lr${tab}smooth" \
    "the header: the log's columns, and smooth"
is "$(grep -v '^#' "$T/out" | awk -F'\t' '$4 == $2 { n++ } END { print NR, n }')" \
    "61 61" "every record, beta 0: smooth is the loss"
run lrf-smooth -k -b 0 "$T/lightning.csv"
check_status 0 "lrf-smooth reads Lightning's metrics.csv"
is "$(head -n 1 "$T/out")" \
    "# epoch${tab}lr${tab}step${tab}loss${tab}val_loss${tab}smooth" \
    "lr-SGD and train_loss read as lr and loss"
is "$(grep -v '^#' "$T/out" | awk -F'\t' '{ printf "%s\t%s\n", $2, $4 }')" \
    "$(cat "$T/want")" "each loss with the rate of its step, the rows without a loss skipped"
is "$(grep -v '^#' "$T/out" | cut -f 5 | sort -u)" "nan" \
    "an empty val_loss cell reads nan"
run lrf-suggest -m valley "$T/keras.csv"
check_status 0 "lrf-suggest reads the Keras log"
keras=$(cat "$T/out")
run lrf-suggest -m valley "$T/lightning.csv"
is "$(cat "$T/out")" "$keras" \
    "the same suggestion from the Lightning log of the same curve"
tr ',' '\t' <"$T/keras.csv" >"$T/keras.tsv"
run lrf-suggest -m valley "$T/keras.tsv"
is "$(cat "$T/out")" "$keras" "and from a tab-separated log"
run lrf-suggest -m valley --loss-col train_loss --lr-col lr-SGD \
    "$T/lightning.csv"
is "$(cat "$T/out")" "$keras" "columns named by their own names"
run lrf-plot -T dumb "$T/lightning.csv"
check_status 0 "lrf-plot draws the Lightning log"
ok "its plot has the curve" grep -q 'loss' "$T/out"
printf 'epoch,loss\n0,2\n' | run lrf-smooth
# (names without a rate's are no header: one positional field, as ever)
check_fails 1 "lrf-smooth: stdin:1: no column 'loss' (columns: lr)" \
    "a CSV log without a rate column is not a header"

# ------------------------- the whole job: lrf-find on a pandas export
# string labels, an index column, no model: the run directory records
# the classes and the default model
run lrf-find -q -c "$T/pandas.yaml" -o "$T/runs" --no-plot --num_iter 20
check_status 0 "lrf-find on a pandas export with string labels"
is "$(grep -h '^#@ classes' "$T"/runs/*/records.tsv)" \
    "#@ classes 0=setosa 1=versicolor 2=virginica" \
    "its records map the classes back to the names"
ok "its config.yaml keeps the default model" \
    grep -q '^  layers: ~ ' "$T"/runs/*/config.yaml

# ------------------------------- the default model of data.format images
mkdir -p "$T/img/a" "$T/img/b"
cp "$data/img/src/rgb.png" "$data/img/src/gray.png" "$T/img/a/"
cp "$data/img/src/rgb420.jpg" "$data/img/src/rgb444.jpg" "$T/img/b/"
printf 'data: {format: images, root: %s, size: 8, channels: 3, folds: 2}\ntrain: {batch_size: 2, threads: 1}\n' \
    "$T/img" >"$T/img.yaml"
nlr 2 0.01 | run lrf-train -c "$T/img.yaml"
check_status 0 "images, no model.layers"
is "$(grep '^#@ layer' "$T/out" | cut -d' ' -f3-5)" \
"name=conv1 type=conv2d in=3x8x8
name=maxpool1 type=maxpool2d in=16x8x8
name=conv2 type=conv2d in=16x4x4
name=maxpool2 type=maxpool2d in=32x4x4
name=globalavgpool1 type=globalavgpool in=32x2x2
name=dense1 type=dense in=32" \
    "the default CNN, whatever the image size"
is "$(grep '^#@ layer name=dense1' "$T/out" | cut -d' ' -f6)" "out=2" \
    "one output per class folder"
finish
