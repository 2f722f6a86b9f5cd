#!/bin/sh
# lrf-find: an error that lrf-train finds in the run's config.yaml (a copy,
# removed when the run fails) names the user's file and line of the key, or
# says that lrf-find set it (issue 17).
. "$(dirname "$0")/../lib.sh"
plan 14

cd "$T" || exit 1
# find_ ARGS: lrf-find's run, its stderr kept in all.err too
find_() { run lrf-find "$@"; cat "$T/err" >>all.err; }
# 3 classes, 2 features, 30 samples
awk 'BEGIN { print "a,b,label"; for (i = 0; i < 30; i++)
	printf "%d.5,%d.25,%d\n", i % 7, i % 5, i % 3 }' >d.csv
cat >exp.yaml <<'YAML'
# a model that does not fit the data: the last layer is on line 9
data:
  format: csv
  path: d.csv
  label_column: label
model:
  layers:
    - {type: dense, units: 16, activation: relu}
    - {type: dense, units: 10}
train:
  batch_size: 8
YAML

find_ -c exp.yaml -o runs --num_iter 20 -q
check_status 1 "a model that does not fit the data"
check_err "lrf-train: exp.yaml:9:7: last layer has 10 units, the data has 3 classes
lrf-find: lrf-train failed (exit status 1)" \
    "the user's file and the layer's line, not config.yaml's"
is "$(ls -A runs)" "" "no run directory left"

# the same file under another name and directory: that path
mkdir sub && cp exp.yaml sub/other.yaml
find_ -c sub/other.yaml -o runs --num_iter 20 -q
check_status 1 "the file in a subdirectory"
ok "its path as given" grep -q '^lrf-train: sub/other.yaml:9:7: last layer' "$T/err"

# a key checked only when the data is loaded: the key's line
cat >shape.yaml <<'YAML'
data:
  format: csv
  path: d.csv
  label_column: label
  shape: [1, 3, 3]
YAML
find_ -c shape.yaml -o runs --num_iter 20 -q
check_status 1 "data.shape that does not fit the data"
ok "data.shape's line in the user's file" grep -qx \
    'lrf-train: shape.yaml:5:10: data.shape: \[1, 3, 3\] does not fit samples of 2 features' "$T/err"

# a key the user did not write: lrf-find's flag or --set, or its default
find_ -c exp.yaml -o runs --num_iter 20 -q --set data.folds=100
check_status 1 "data.folds set by --set"
ok "said to be set on lrf-find's command line" grep -qx \
    "lrf-train: data.folds (set on lrf-find's command line): 100 is more than the 30 samples" "$T/err"
head -4 d.csv >d3.csv
sed 's/d\.csv/d3.csv/' exp.yaml >three.yaml
find_ -c three.yaml -o runs --num_iter 20 -q
check_status 1 "data.folds' default over 3 samples"
ok "said to be lrf-find's default" grep -qx \
    "lrf-train: data.folds (lrf-find's default): 5 is more than the 3 samples" "$T/err"
# a message on the whole file, no line: the user's file
find_ -c exp.yaml -o runs --num_iter 20 -q --set data.task=regression
ok "the file without a line: the user's" grep -qx \
    "lrf-train: exp.yaml: loss cross_entropy needs classification data, the data is for regression" "$T/err"
ok "no message names config.yaml" sh -c '! grep config.yaml all.err' 
is "$(ls -A runs)" "" "no run directory left by any of them"
finish
