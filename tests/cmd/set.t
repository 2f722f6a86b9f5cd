#!/bin/sh
# --set section.key=value on every program that takes -c, through the
# file's own checks; lrf-find --dir, the run directory by its exact name.
. "$(dirname "$0")/../lib.sh"

cfg=$data/find-blobs.yaml
usage1() { sed -n 1p "$T/err"; }

# lrf-schedule: keys of the finder section, over the defaults and a file
run lrf-schedule --set finder.num_iter=3 --set finder.mode=linear \
    --set finder.end_lr=1e-3
check_status 0 "lrf-schedule --set"
check_out "$(printf '# step\tlr\n#@ schedule mode=linear start=1e-07 end=0.001 num=3\n0\t1e-07\n1\t0.00050005\n2\t0.001')" \
    "lrf-schedule: three keys set"
run lrf-schedule -c "$cfg" --set finder.num_iter=2
is "$(grep -c '^[0-9]' "$T/out")" 2 "lrf-schedule: --set over the file"
run lrf-schedule --set finder.num_iter=4 -n 2
is "$(grep -c '^[0-9]' "$T/out")" 2 "lrf-schedule: -n wins over --set"
run lrf-schedule --set finder.num_iter=4 --set finder.num_iter=5
is "$(grep -c '^[0-9]' "$T/out")" 5 "the last --set of a key wins"

# errors name the --set argument, in the file's words
run lrf-schedule --set foo
check_status 2 "--set without '=' (exit status)"
is "$(usage1)" "lrf-schedule: --set: 'foo' is not section.key=value" \
    "--set without '=': said"
run lrf-schedule --set =1
is "$(usage1)" "lrf-schedule: --set: '=1' is not section.key=value" \
    "--set without a key: said"
run lrf-schedule --set finder.nope=1
check_status 2 "an unknown key (exit status)"
is "$(usage1)" \
    "lrf-schedule: --set finder.nope=1: finder.nope: no such key (lrf-config(5))" \
    "an unknown key: named with its --set"
run lrf-train --set train.batch_size=0 </dev/null
check_status 2 "lrf-train: a value out of range (exit status)"
is "$(usage1)" \
    "lrf-train: --set train.batch_size=0: train.batch_size: 0 is out of range [1, 1048576]" \
    "lrf-train: a value out of range, in cfg's words"
run lrf-smooth --set model.layers=1 </dev/null
is "$(usage1)" "lrf-smooth: --set model.layers=1: model.layers: a list, not one value" \
    "a list key is refused"

# lrf-smooth, lrf-suggest: the keys they read
printf '0.001 2\n0.01 1\n' | run lrf-smooth --set finder.beta=0
check_out "$(printf '# lr\tloss\tsmooth\n0.001\t2\t2\n0.01\t1\t1')" \
    "lrf-smooth --set finder.beta=0: smooth is the loss"
printf '0.001 2\n0.01 1\n' | run lrf-smooth --set finder.beta=0 -b 0.5
is "$(sed -n 3p "$T/out" | cut -f 3)" 1.33333333 "lrf-smooth: -b wins over --set"
lrf-schedule -n 60 -s 1e-5 -e 10 | awk '!/^#/ { x = log($2) / log(10);
    print $2, 2.3 - 1.5 / (1 + exp(-3 * (x + 4))) + exp(3 * x) }' >"$T/curve"
run lrf-suggest --set finder.suggest=steep "$T/curve"
is "$(sed -n 2p "$T/out" | cut -f 1)" steep "lrf-suggest --set finder.suggest=steep"
lrf-suggest -m steep "$T/curve" >"$T/want"
check_outfile "$T/want" "... the same answer as -m steep"

# lrf-train: the run line says what --set set
run lrf-train -c "$cfg" --set train.seed=9 --set train.batch_size=16 \
    --no-progress <<EOF2
0.001
EOF2
check_status 0 "lrf-train --set"
ok "lrf-train: seed and batch from --set" \
    grep -Eq '^#@ run batch_size=16 .*seed=9 ' "$T/out"

# lrf-find: --set reaches the run's config.yaml; --dir names the run
cd "$T" || exit 1
run lrf-find -c "$cfg" --set finder.num_iter=50 --set train.seed=5 \
    --dir sweep/a -q
check_status 0 "lrf-find --set --dir"
ok "the run directory is exactly --dir" test -s sweep/a/records.tsv
is "$(ls -a sweep | tr '\n' ' ')" ". .. a " "nothing else made beside it"
ok "num_iter from --set" \
    grep -q '^#@ schedule .* num=50$' sweep/a/records.tsv
ok "config.yaml has the --set values" grep -q '^  seed: 5$' sweep/a/config.yaml
ok "... and threads: 0 resolved to a number" \
    grep -Eq '^  threads: [1-9][0-9]*$' sweep/a/config.yaml
run lrf-find -c "$cfg" --set finder.num_iter=50 --dir sweep/a -q
check_fails 1 "lrf-find: sweep/a: exists (--dir names a new directory)" \
    "--dir: an existing directory is refused"
is "$(ls -a sweep | tr '\n' ' ')" ". .. a " "... and nothing is left of the refused run"
mkdir sweep/empty
run lrf-find -c "$cfg" --set finder.num_iter=50 --dir sweep/empty -q
check_status 1 "--dir: an existing empty directory too"
run lrf-find -c "$cfg" --dir sweep/b -o runs
check_status 2 "--dir with -o (exit status)"
is "$(usage1)" "lrf-find: --dir names the run directory: not with -o or --name" \
    "--dir with -o: said"
run lrf-find -c "$cfg" --dir sweep/..
is "$(usage1)" "lrf-find: --dir: 'sweep/..' is not a directory name" \
    "--dir ..: refused"
run lrf-find -c "$cfg" --set finder.beta=1 --dir sweep/c
check_status 2 "lrf-find: a bad --set (exit status)"
is "$(usage1)" "lrf-find: --set finder.beta=1: finder.beta: 1 is out of range [0, 1)" \
    "lrf-find: a bad --set, in cfg's words"
ok "... and no run directory" test ! -e sweep/c

# without gnuplot, no log line names a PNG (none was drawn)
(PATH=$top/cmd && run lrf-find -c "$cfg" --set finder.num_iter=50 --dir nognu)
check_status 0 "lrf-find without gnuplot on PATH"
ok "... says so" grep -q 'warning: gnuplot not found; lr_finder.png not drawn' "$T/err"
ok "... no PNG" test ! -e nognu/lr_finder.png
is "$(grep -c 'Plot:' "$T/err")" 0 "... no Plot: line"

# command.sh: under dash, the same records; the data's size and SHA-256
# checked before it reruns (a CSV experiment, the file copied here)
mkdir -p examples/csv
cp "$top/examples/csv/rings.csv" examples/csv/
run lrf-find -c "$top/examples/csv/rings.yaml" --set finder.num_iter=40 \
    --dir csv -q
check_status 0 "lrf-find on a CSV file"
sum=$(sha256sum <examples/csv/rings.csv | cut -d ' ' -f 1)
size=$(wc -c <examples/csv/rings.csv | tr -d ' ')
ok "command.sh has the data's size and SHA-256" grep -qx \
    "data '$T/examples/csv/rings.csv' $size $sum" csv/command.sh
mkdir csv2
dash csv/command.sh "$T/csv2" 2>"$T/err"
is "$?" 0 "dash command.sh"
ok "... the same records, byte for byte" cmp -s csv/records.tsv csv2/records.tsv
sed -i '2s/-0.3357/-0.3358/' examples/csv/rings.csv
dash csv/command.sh "$T/csv2" 2>"$T/err"
is "$?" 1 "command.sh refuses data that changed (one digit: the same size)"
is "$(cat "$T/err")" \
    "command.sh: $T/examples/csv/rings.csv: not the data of this run ($size bytes, SHA-256 $sum)" \
    "... and says which file"
finish
