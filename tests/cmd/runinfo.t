#!/bin/sh
# suggestion.json records the trainer (finder.trainer) and the data's
# fingerprint, the size and SHA-256 of each input file, as command.sh
# checks them (issue 17).
. "$(dirname "$0")/../lib.sh"
plan 12

cd "$T" || exit 1
unset PYTHONPATH LRF_SEED LRF_CONFIG
# 3 classes apart, 2 features, 60 samples
awk 'BEGIN { print "a,b,label"; for (i = 0; i < 60; i++)
	printf "%.1f,%.1f,%d\n", (i % 3) * 3 + (i % 5) / 10,
	    (i % 7) / 10 - (i % 3) * 2, i % 3 }' >d.csv
cat >csv.yaml <<'YAML'
finder:
  start_lr: 1.0e-4
  end_lr: 1000
  num_iter: 60
data:
  format: csv
  path: d.csv
  label_column: label
train:
  batch_size: 8
  seed: 7
  threads: 1
YAML
size=$(wc -c <d.csv | tr -d ' ')
sum=$(sha256sum d.csv | cut -d ' ' -f 1)

# lrf-train: no trainer; the CSV file's fingerprint
run lrf-find -c csv.yaml --dir own -q
check_status 0 "a CSV range test"
j=own/suggestion.json
is "$(jq -r '.settings | has("trainer") and .trainer == null' "$j")" true \
    "settings.trainer: null without one"
is "$(jq -r '.settings.data_files | length' "$j")" 1 "settings.data_files: one file"
is "$(jq -r '.settings.data_files[0].path' "$j")" "$T/d.csv" "... its path, absolute"
is "$(jq -r '.settings.data_files[0].size' "$j")" "$size" "... its size"
is "$(jq -r '.settings.data_files[0].sha256' "$j")" "$sum" "... its SHA-256"
ok "... as command.sh checks it" grep -q "$sum" own/command.sh

# a trainer of the user's (an awk one): its command
cat >tr.awk <<'EOF2'
BEGIN { print "# step\tlr\tloss"; fflush() }
/^#@/ { print; fflush(); next }
/^#/ { next }
{	x = log($2) / log(10)
	printf "%d\t%s\t%.6f\n", n++, $2,
	    2.3 - 1.5 / (1 + exp(-3 * (x + 4))) + exp(3 * x)
	fflush() }
EOF2
run lrf-find -c csv.yaml --trainer 'awk -f tr.awk' --dir theirs -q
check_status 0 "the same with --trainer"
j=theirs/suggestion.json
is "$(jq -r .settings.trainer "$j")" "awk -f tr.awk" "settings.trainer: the command"
is "$(jq -c '.settings.data_files' "$j")" \
    "$(jq -c '.settings.data_files' own/suggestion.json)" "settings.data_files: the same"

# a synthetic experiment reads no file
run lrf-find -c "$data/find-blobs.yaml" --dir syn -q --num_iter 20
check_status 0 "a synthetic range test"
is "$(jq -c .settings.data_files syn/suggestion.json)" "[]" "settings.data_files: none"
finish
