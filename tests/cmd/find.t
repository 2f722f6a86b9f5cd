#!/bin/sh
# lrf-find: the one-command range test and its run directory.
. "$(dirname "$0")/../lib.sh"

cfg=$data/find-blobs.yaml
runs=$T/runs

# one run, quiet: stdout is only the learning rate
run lrf-find -c "$cfg" -o "$runs" -q
check_status 0 "a synthetic range test"
check_err "" "-q writes nothing on stderr"
lr=$(cat "$T/out")
ok "stdout is one number ($lr)" awk -v x="$lr" 'BEGIN { exit !(x + 0 > 0 && x ~ /^[0-9.e+-]+$/) }'
dir=$(ls -d "$runs"/lr_finder_* 2>/dev/null)
is "$(echo "$dir" | wc -l)" 1 "one run directory"
case $(basename "$dir") in
lr_finder_[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]) pass "named lr_finder_YYYYmmdd-HHMMSS" ;;
*) fail "named lr_finder_YYYYmmdd-HHMMSS ($(basename "$dir"))" ;;
esac
for f in records.tsv suggestion.json config.yaml command.sh lr_finder.gp lr_finder.png; do
	ok "$f written" test -s "$dir/$f"
done
is "$(ls -a "$runs" | grep -c '^\.lr_finder')" 0 "no temporary directory left"

# suggestion.json parses and agrees with stdout and records.tsv
j=$dir/suggestion.json
ok "suggestion.json is JSON" quiet jq -e . "$j"
is "$(jq -r .status "$j")" ok "status ok"
is "$(jq -r .method "$j")" floor "method floor (the default)"
is "$(jq -r .lr "$j")" "$lr" "lr equals stdout"
is "$(sed -n 's/^#@ suggest method=floor lr=\([^ ]*\) .*/\1/p' "$dir/records.tsv")" "$lr" \
    "records.tsv has the #@ suggest line"
# every method keyed by name, the chosen one first; one flat object
# (issue 17): no text pasted into it
is "$(jq -r '.methods | keys_unsorted | join(",")' "$j")" \
    "floor,steep,minimum,valley,slide,balanced" "every method's result, keyed by name"
is "$(jq -r .methods.floor.lr "$j")" "$lr" "methods.floor.lr is the rate"
ok "each method has its rate or its error" quiet jq -e \
    '[.methods[] | (.lr != null) != (.error != null)] | all' "$j"
is "$(jq -r '[.lr, .method, .loss, .index, .confidence, .status, .diagnosis] | map(type) | join(",")' "$j")" \
    "number,string,number,number,string,string,null" "the answer at the top, flat"
is "$(jq -r '.methods.valley.lr' "$j")" \
    "$(lrf-suggest -m valley -q "$dir/records.tsv")" "methods.valley.lr is lrf-suggest -m valley's"
ok "the same members as lrf-suggest --json, and the run's" quiet jq -e \
    --argjson s "$(lrf-suggest --json "$dir/records.tsv")" \
    '($s | keys - ["error"]) - keys == [] and .methods == $s.methods' "$j"
is "$(jq -r .stop.reason "$j")" diverged "where and why the run stopped"
is "$(jq -r .stop.step "$j")" "$(grep -c '^[0-9]' "$dir/records.tsv" | awk '{ print $1 - 1 }')" \
    "stop step is the last record"
is "$(jq -r .settings.seed "$j")" 7 "seed recorded"
ok "wall time recorded" quiet jq -e '.wall_time_s > 0' "$j"
is "$(jq -r .settings.num_iter "$j")" 100 "settings recorded"
is "$(jq -r .versions.lrf "$j")" "$(lrf-find --version | cut -d ' ' -f 2)" "versions: lrf's"
ok "versions: jansson's and OpenBLAS's" quiet jq -e \
    '(.versions.jansson | test("^[0-9]+\\.")) and (.versions.openblas | test("OpenBLAS"))' "$j"
ok "records.tsv has the stream's metadata" grep -q '^#@ schedule mode=exp start=0.0001 end=1000 num=100' "$dir/records.tsv"
ok "records.tsv has the stop line" grep -q '^#@ stop reason=diverged' "$dir/records.tsv"

# the PNG is a PNG
is "$(head -c 8 "$dir/lr_finder.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "lr_finder.png is a PNG"
ok "lr_finder.png has a sane size" test "$(wc -c < "$dir/lr_finder.png")" -gt 5000

# config.yaml is the effective config: it loads and has the flags applied
run lrf-find -c "$cfg" -o "$runs" --name flags -q --batch_size 16 --seed 3 --no-plot
check_status 0 "flags override the file"
fdir=$(ls -d "$runs"/lr_finder_*_flags)
ok "batch_size applied" grep -q '^  batch_size: 16$' "$fdir/config.yaml"
ok "seed applied" grep -q '^  seed: 3$' "$fdir/config.yaml"
ok "--no-plot writes no picture" test ! -e "$fdir/lr_finder.png" -a ! -e "$fdir/lr_finder.gp"
ok "--name is the suffix" test -d "$fdir"

# command.sh reproduces records.tsv byte for byte
mkdir "$T/again"
ok "command.sh runs" bash "$dir/command.sh" "$T/again"
ok "command.sh reproduces records.tsv byte for byte" cmp "$dir/records.tsv" "$T/again/records.tsv"
ok "command.sh draws the plot" test -s "$T/again/lr_finder.png"

# data paths relative to the current directory work: the stages run in the
# run directory, so config.yaml gets them absolute
(cd "$top" && lrf-find -c examples/csv/rings.yaml -o "$T/rel" -q --no-plot >/dev/null 2>&1)
is "$?" 0 "a relative data.path"
ok "config.yaml has it absolute" grep -q "^  path: \"$top/examples/csv/rings.csv\"$" "$T"/rel/lr_finder_*/config.yaml

# the log, with timestamps, on stderr
run lrf-find -c "$cfg" -o "$T/log" --no-plot
check_status 0 "logging run"
ok "log: the range" grep -q '^\[[0-9-]* [0-9:]*\] Testing learning rates from 0.0001 to 1000$' "$T/err"
ok "log: the iterations" grep -q '\] Using 100 iterations with exponential growth$' "$T/err"
ok "log: LR and loss lines" grep -q '\] LR: 1.00e-04 | Loss: [0-9]\.[0-9][0-9][0-9][0-9]$' "$T/err"
is "$(grep -c '\] LR: ' "$T/err")" "$(( ($(jq -r .steps "$T"/log/lr_finder_*/suggestion.json) + 9) / 10 ))" \
    "one LR line every 10 steps"
ok "log: stopping early" grep -q '\] Loss increasing - stopping early$' "$T/err"
ok "log: the suggestion" grep -q "\] Suggested learning rate: [0-9.]*e[-+][0-9]* (floor)$" "$T/err"
run lrf-find -c "$cfg" -o "$T/logv" --no-plot -v
is "$(grep -c '\] LR: ' "$T/err")" "$(grep -c '^[0-9]' "$T"/logv/lr_finder_*/records.tsv)" \
    "-v logs every step"

# --val adds validation columns
run lrf-find -c "$cfg" -o "$runs" --name val --val -q --no-plot
check_status 0 "--val"
ok "records have val_loss and val_acc" grep -q "^# step	lr	loss	val_loss	val_acc	smooth$" \
    "$runs"/lr_finder_*_val/records.tsv

# the three failure kinds: exit 1, a diagnosis, and the run kept
run lrf-find -c "$cfg" -o "$T/flat" -q --start_lr 1e-10 --end_lr 1e-8 --batch_size 384
check_status 1 "a flat curve"
ok "flat: diagnosis" grep -q '^lrf-find: no suggestion: the loss never decreased (a flat curve): check the data' "$T/err"
is "$(jq -r .status "$T"/flat/lr_finder_*/suggestion.json)" failed "flat: status failed in suggestion.json"
is "$(jq -c '[.lr, .confidence, .methods, (.diagnosis | type), (.settings | type)]' "$T"/flat/lr_finder_*/suggestion.json)" \
    '[null,null,null,"string","object"]' "flat: the same shape, nulls and the diagnosis"
check_out "" "flat: nothing on stdout"
run lrf-find -c "$cfg" -o "$T/boom" -q --start_lr 1e3 --end_lr 1e6
check_status 1 "an immediate explosion"
ok "explosion: diagnosis" grep -q 'no suggestion: the loss exploded at once: lower start_lr, or check that the inputs are normalised' "$T/err"
run lrf-find -c "$cfg" -o "$T/short" -q --num_iter 5 --end_lr 1e-2
check_status 1 "a run too short"
ok "short: diagnosis" grep -q 'no suggestion: the run is too short for a suggestion: raise num_iter' "$T/err"

# --load: the range test starts from trained weights, kept in the run
lrf-schedule -m constant --lr 0.05 -n 200 |
    lrf-train -c "$cfg" --save "$T/trained.safetensors" --no-progress > /dev/null
run lrf-find -c "$cfg" -o "$T/load" --name fresh -q --no-plot
check_status 0 "--load: the fresh run"
run lrf-find -c "$cfg" -o "$T/load" --name loaded -q --no-plot \
    --load "$T/trained.safetensors"
check_status 0 "--load: a range test from trained weights"
ldir=$(ls -d "$T/load"/lr_finder_*_loaded)
first() { awk '!/^#/ { print $3; exit }' "$1"; }
ok "--load: the first loss is the trained model's, far below a fresh one's" \
    awk -v a="$(first "$ldir/records.tsv")" \
    -v b="$(first "$(ls -d "$T/load"/lr_finder_*_fresh)/records.tsv")" \
    'BEGIN { exit !(a > 0 && a < b / 5) }'
ok "--load: the weights are in the run directory, by their name" \
    cmp "$T/trained.safetensors" "$ldir/trained.safetensors"
ok "--load: command.sh loads them" grep -q -- "--load 'trained.safetensors') |" \
    "$ldir/command.sh"
ok "--load: command.sh reproduces records.tsv" sh -c "bash '$ldir/command.sh' \
    '$T' && cmp '$T/records.tsv' '$ldir/records.tsv'"
# a new head: only the layers that fit are loaded
sed 's/units: 32, activation: relu}/&\
    - {type: dense, units: 8, activation: relu}/' "$cfg" > "$T/head.yaml"
run lrf-find -c "$T/head.yaml" -o "$T/load" --name head -q --no-plot \
    --load "$T/trained.safetensors"
check_status 1 "--load: a model the file does not fit fails"
is "$(head -n 1 "$T/err")" \
    "lrf-train: trained.safetensors: tensor 'dense3.weight' is missing (and 1 more)" \
    "--load: lrf-train's message names the file"
run lrf-find -c "$T/head.yaml" -o "$T/load" --name head -q --no-plot \
    --load "$T/trained.safetensors" --load-partial
check_status 0 "--load-partial: the new head trains"
ok "--load-partial: command.sh says so" grep -q -- '--load-partial) |' \
    "$(ls -d "$T/load"/lr_finder_*_head)/command.sh"
cp "$T/trained.safetensors" "$T/my weights"
run lrf-find -c "$cfg" -o "$T/load" --name odd -q --no-plot \
    --load "$T/my weights"
ok "--load: a name that needs quoting is copied as init.lrfw" cmp \
    "$T/trained.safetensors" "$(ls -d "$T/load"/lr_finder_*_odd)/init.lrfw"
run lrf-find -c "$cfg" -o "$T/load" -q --load "$T/nosuch.lrfw"
check_fails 1 "lrf-find: $T/nosuch.lrfw: No such file or directory" \
    "--load: a missing file"
is "$(ls "$T/load" | grep -c 'lr_finder_.*[0-9]$')" 0 \
    "--load: a missing file leaves no run directory"
run lrf-find --load-partial
check_status 2 "--load-partial alone"
is "$(head -n 1 "$T/err")" "lrf-find: --load-partial needs --load" \
    "--load-partial alone: message"

# usage errors
run lrf-find --beta 2
check_fails 2 "lrf-find: --beta: 2 is out of range [0, 1)
try 'lrf-find -h'" "--beta out of range: one line, then try -h"
run lrf-find --device cuda
check_status 2 "--device cuda"
is "$(head -n 1 "$T/err")" "lrf-find: --device: 'cuda' is not available (only cpu)" "--device cuda message"
run lrf-find --method best
is "$(head -n 1 "$T/err")" "lrf-find: --method: 'best' is not one of steep, minimum, valley, slide, balanced, floor, all" "--method message"
run lrf-find --start-lr 1 --end-lr 0.1
is "$(head -n 1 "$T/err")" "lrf-find: end_lr 0.1 must be greater than start_lr 1" "--start-lr spelling and range check"
run lrf-find -c "$T/nofile.yaml"
check_fails 1 "lrf-find: $T/nofile.yaml: cannot open: No such file or directory" "missing config"
run lrf-find -h
check_status 0 "-h"
ok "-h shows defaults" grep -q 'first learning rate \[1e-07\]' "$T/out"

# an interrupted run leaves no finished-looking directory and stops every
# stage: a slow model on an unbounded schedule, interrupted mid-run
sed 's/features: 8/features: 512/; s/units: 32/units: 1024/; s/samples: 512/samples: 2048/' \
    "$cfg" > "$T/slow.yaml"
lrf-find -c "$T/slow.yaml" -o "$T/int" -q --num_iter 0 --start_lr 1e-9 \
    --end_lr 1e-8 --batch_size 256 >/dev/null 2>&1 &
pid=$!
i=0
until grep -q '^1[0-9]	' "$T"/int/.lr_finder_*/smooth.tsv 2>/dev/null || [ $i -ge 200 ]; do
	sleep 0.1; i=$((i + 1))
done
kids=$(pgrep -P $pid)
# and lrf-find's filter of their messages (a child named lrf-find)
is "$(for k in $kids; do cat /proc/$k/comm; done | grep -cvx lrf-find)" 3 \
    "three stages running"
is "$(echo $kids | wc -w)" 4 "and the filter of their messages"
kill -INT $pid
wait $pid
is "$?" 130 "SIGINT: lrf-find dies of the signal"
is "$(ls -A "$T/int" | wc -l)" 0 "SIGINT: no run directory, finished or not"
sleep 0.2
alive=0
for k in $kids; do kill -0 "$k" 2>/dev/null && alive=$((alive + 1)); done
is "$alive" 0 "SIGINT: every stage stopped, and the filter"

# the man page's EXAMPLES, on the test experiment
awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh/ { on = 0 }
    on && /^\.Bd -literal/ { lit = 1; next } on && /^\.Ed/ { lit = 0; next }
    on && lit { print } on && /^\.Dl / { sub(/^\.Dl /, ""); print }' \
    "$top/man/lrf-find.1" | sed "s|cfg\.yaml|$cfg|g" > "$T/examples.sh"
is "$(grep -c lrf-find "$T/examples.sh")" 4 "four lrf-find examples extracted"
mkdir "$T/ex"
ok "EXAMPLES run" sh -c "cd '$T/ex' && sh -e '$T/examples.sh' >'$T/ex.out' 2>'$T/ex.err'"
ok "EXAMPLES: trained with val_acc" awk '$1 == "#" { for (i = 2; i <= NF; i++) if ($i == "val_acc") c = i - 1 }
    /^[0-9]/ { a = $c } END { exit !(c && a > 0.9) }' "$T/ex/train.tsv"
ok "EXAMPLES: model saved" test -s "$T/ex/model.safetensors"
ok "EXAMPLES: training plot" test -s "$T/ex/train.png"
ok "EXAMPLES: overlay plot" test -s "$T/ex/both.png"

# command.sh runs nothing it was not asked to (issue 18, 2): lrf-find
# installed in a directory whose name has a space, a quote, $(...),
# backticks and ';', and started by a path beginning with '-'
bin="$T/b i'n;\$(touch pwned1)\`touch pwned2\`"
mkdir "$bin"
cp "$top/cmd/lrf-find" "$bin/"
for p in schedule train smooth suggest plot; do ln -s "$top/cmd/lrf-$p" "$bin/"; done
mkdir "$T/hostile"
(cd "$T/hostile" && "$bin/lrf-find" -c "$cfg" -o -runs -q --no-plot >/dev/null)
is "$?" 0 "a hostile install directory: lrf-find runs"
hd=$(cd "$T/hostile" && ls -d -- -runs/lr_finder_*)
cp "$cfg" "$T/hostile/config.yaml"	# a decoy: command.sh must not read it
rm "$T/hostile/$hd/records.tsv"
(cd "$T/hostile" && PATH=/usr/bin:/bin bash -- "$hd/command.sh" >/dev/null 2>&1)
is "$?" 0 "command.sh from an install path with a space, quotes and \$(...)"
(cd "$T/hostile" && ls pwned1 pwned2 2>/dev/null; ls "$T" | grep pwned)
ok "command.sh executes nothing from the install path" test ! -e "$T/hostile/pwned1" -a \
    ! -e "$T/hostile/pwned2" -a ! -e "$T/hostile/$hd/pwned1"
ok "command.sh started as '-runs/...': no ./records.tsv" test ! -e "$T/hostile/records.tsv"
ok "command.sh started as '-runs/...': its own records.tsv" \
    grep -q '^#@ suggest method=floor' "$T/hostile/$hd/records.tsv"
run lrf-find -c "$cfg" -o "$T/nl" -q --name "$(printf 'x\nb')"
check_status 2 "--name with a newline"
is "$(head -n 1 "$T/err")" "lrf-find: --name: 'x\x0ab' is not a file name" "--name with a newline: refused, quoted"
run lrf-find -c "$cfg" -o "$T/nl" -q --name "$(printf 'x\033]2;t\a')"
check_status 2 "--name with an escape"
ok "--name refused: no run directory" test ! -e "$T/nl"

# an honest "not sure" (issue 19): confidence and reasons in
# suggestion.json, and what to try in the log
is "$(jq -c '[.confidence, .reasons]' "$j")" '["high",[]]' "a sure suggestion: confidence high, no reasons"
run lrf-find -c "$cfg" -o "$T/unsure" --end_lr 1e-2 --no-plot
check_status 0 "a range that ends before divergence"
is "$(jq -c '[.confidence, .reasons]' "$T"/unsure/lr_finder_*/suggestion.json)" \
    '["low",["no-divergence"]]' "a range that ends before divergence: confidence low, and why"
ok "a range that ends before divergence: the log says so" grep -q '\] Not sure of it (confidence low):$' "$T/err"
ok "a range that ends before divergence: and what to try" grep -q '\]   the loss never diverged, .*widen the range with a larger end_lr' "$T/err"

# --repeat (issue 19): three range tests with the seeds 7, 8, 9, the
# suggestion from their mean, each seed's and the spread
run lrf-find -c "$cfg" -o "$T/rep" --repeat 3 --no-plot
check_status 0 "--repeat 3"
rd=$(ls -d "$T"/rep/lr_finder_*)
rj=$rd/suggestion.json
ok "--repeat 3: each run's stream kept" test -s "$rd/smooth-1.tsv" -a -s "$rd/smooth-2.tsv" -a -s "$rd/smooth-3.tsv"
is "$(jq -r '[.repeat, (.runs | length), .spread.runs[2] == .runs[2].lr] | join(",")' "$rj")" "3,3,true" \
    "--repeat 3: suggestion.json has the runs and the spread"
ok "--repeat 3: the suggestion within the spread" jq -e '.spread.lo <= .lr and .lr <= .spread.hi' "$rj"
ok "--repeat 3: records.tsv is the mean curve" grep -q '^#@ mean runs=3 ' "$rd/records.tsv"
ok "--repeat 3: its suggestion line says so" grep -q '^#@ suggest method=floor .* runs=3 lo=' "$rd/records.tsv"
is "$(grep -c '\]   seed [789]: ' "$T/err")" 3 "--repeat 3: the log gives each seed's suggestion"
ok "--repeat 3: and the spread" grep -q "\] Spread of the seeds' suggestions: " "$T/err"
# each seed's is what a single run with that seed suggests
for s in 7 8; do
	run lrf-find -c "$cfg" -o "$T/rep1" --seed $s --no-plot -q
	is "$(cat "$T/out")" "$(jq -r ".runs[$((s - 7))].lr" "$rj")" "--repeat 3: seed $s's suggestion is its single run's"
done
mkdir "$T/rep-again"
ok "--repeat 3: command.sh runs" bash "$rd/command.sh" "$T/rep-again"
ok "--repeat 3: command.sh reproduces records.tsv byte for byte" cmp "$rd/records.tsv" "$T/rep-again/records.tsv"
sed 's/^finder:$/&\n  repeat: 2/' "$cfg" > "$T/rep.yaml"
run lrf-find -c "$T/rep.yaml" -o "$T/rep2" -q --no-plot
is "$(jq -r .repeat "$T"/rep2/lr_finder_*/suggestion.json)" 2 "finder.repeat: 2 in the file"
run lrf-find -c "$cfg" -o "$T/rep0" -q --repeat 0
check_status 2 "--repeat 0: a usage error"

# the run directory and command.sh follow the umask (issue 18, 8)
(umask 077; lrf-find -c "$cfg" -o "$T/um077" -q --no-plot >/dev/null)
is "$(stat -c %a "$T"/um077/lr_finder_* "$T"/um077/lr_finder_*/command.sh | tr '\n' ' ')" "700 700 " \
    "umask 077: the run directory and command.sh 700"
(umask 022; lrf-find -c "$cfg" -o "$T/um022" -q --no-plot >/dev/null)
is "$(stat -c %a "$T"/um022/lr_finder_* "$T"/um022/lr_finder_*/command.sh | tr '\n' ' ')" "755 755 " \
    "umask 022: the run directory and command.sh 755"

finish
