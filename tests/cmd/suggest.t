#!/bin/sh
# lrf-suggest: each method through the command, skipping, the cut, the
# output forms, the confidence, several runs, and every error.
. "$(dirname "$0")/../lib.sh"

# a usage error is one line that says what is wrong, then this one
usage="try 'lrf-suggest -h'"

# out LINE...: the lines joined by newlines, with \t for TAB.
out() { printf '%b\n' "$@"; }

# jqok NAME FILTER: jq FILTER is true of the last run's stdout (--json).
jqok() { ok "$1" sh -c 'jq -e "$1" "$2" >/dev/null' sh "$2" "$T/out"; }

# Five points one decade apart (the unit test works them out), judged as
# they are (-b 0: fastai's methods smooth nothing; floor's window, half a
# decade, holds one point):
# g = (-0.5, -1.5, -0.5, 1.5) / ln 10: steep at 1e-3; minimum 2.5 at 1e-1,
# so 1e-2, where the curve is 3;
# lds = 1 2 3 4 3: max_end 3, max_start -1, d 4/3: valley at index 0;
# slide, a window of round(15 / 12.375) = 1 point a decade: index 2;
# balanced sqrt(1e-3 * 1e-1) = 1e-2, loss 3;
# floor: 90% of the fall from 5 to 2.5 done at 1e-1, no noise: 1e-1 *
# 10^0.5 = 0.316, where the curve is 3.25.
hand='# lr\tloss\n1e-4 5\n1e-3 4.5\n1e-2 3\n1e-1 2.5\n1 4\n'

# -h
run lrf-suggest -h
check_status 0 "-h"
check_err "" "-h"
check_out "$(cat <<'EOF'
usage: lrf-suggest [-ahq] [--json] [-b beta] [-c file] [-m method] [-w decades]
                   [--skip-start n] [--skip-end n] [--floor-shift d]
                   [--floor-gain g] [--lr-col col] [--loss-col col] [file ...]
  -a, --annotate       pass the input through, append #@ suggest lines
  -b, --beta beta      EMA factor of fastai's methods' curve, 0 for none [0.98]
  -c, --config file    take finder.suggest and finder.beta from file
  -m, --method method  steep, minimum, valley, slide, balanced, floor or all
                       [floor]
  -q, --quiet          print only the learning rate
  -w, --window decades floor's smoother, half-width, 0 for none [0.5]
      --json           print one JSON object
      --skip-start n   points left out at the start [floor 0; others num/10,
                       at least the EMA's warm-up]
      --skip-end n     points left out at the end [floor 0; others 5, or the
                       tail of a curve that never diverged]
      --floor-shift d  floor: decades above lr90 for a clean curve [0.5]
      --floor-gain g   floor: decades down per unit of noise ratio [8.5]
      --lr-col col     learning-rate column, name or number [lr]
      --loss-col col   loss column, name or number [loss]
      --set sec.key=v  set a key of the file, lrf-config(5) (repeatable)
  -h, --help           print this help and exit
      --version        print the version and exit
EOF
)" "-h prints the usage with defaults"

# each method on the hand-worked curve
for m in "steep|0.001\t4.5" "minimum|0.01\t3" "valley|0.0001\t5" \
    "slide|0.01\t3" "balanced|0.01\t3" "floor|0.316227766\t3.25"; do
	printf "$hand" | run lrf-suggest -b 0 --skip-end 0 -m "${m%%|*}"
	check_status 0 "${m%%|*}"
	check_err "" "${m%%|*}"
	check_out "$(out '# method\tlr\tloss' "${m%%|*}\t${m#*|}")" \
	    "${m%%|*} on five points"
done
printf "$hand" | run lrf-suggest
check_out "$(out '# method\tlr\tloss' 'floor\t0.316227766\t3.25')" \
    "floor is the default, and skips nothing"
# without -b 0, fastai's methods judge the EMA (0.98) of a raw loss:
# 5, 4.74747475 (= 5 + 0.02/0.0396 * (4.5 - 5)), ...
printf "$hand" | run lrf-suggest -m steep --skip-end 0
check_out "$(out '# method\tlr\tloss' 'steep\t0.001\t4.74747475')" \
    "steep judges the EMA of a raw loss"

# slide's window is 1.21 decades; -m all leaves it out and says so when
# the curve is shorter; the default method comes first
printf '1e-3 5\n2e-3 4\n4e-3 2.5\n8e-3 2\n' | run lrf-suggest -b 0 --skip-end 0 -m slide
check_fails 1 "lrf-suggest: stdin: the curve spans 0.903 decades, slide needs 1.21" \
    "slide on 0.9 decades"
check_out "" "slide on 0.9 decades: no output"
# (-w 0: floor judges the points as they are, lr90 0.008 is the last)
printf '1e-3 5\n2e-3 4\n4e-3 2.5\n8e-3 2\n' | run lrf-suggest -b 0 -w 0 --skip-end 0 -m all
check_status 0 "-m all"
check_err "lrf-suggest: stdin: slide: the curve spans 0.903 decades, slide needs 1.21; left out" \
    "-m all: slide left out"
check_out "$(out '# method\tlr\tloss' 'floor\t0.008\t2' 'steep\t0.002\t4' \
    'minimum\t0.0008\t5' 'valley\t0.001\t5' 'balanced\t0.004\t2.5')" \
    "-m all on 0.9 decades"
printf "$hand" | run lrf-suggest -b 0 --skip-end 0 -m all
check_out "$(out '# method\tlr\tloss' 'floor\t0.316227766\t3.25' \
    'steep\t0.001\t4.5' 'minimum\t0.01\t3' 'valley\t0.0001\t5' \
    'slide\t0.01\t3' 'balanced\t0.01\t3')" "-m all on five points"

# slide on 40 points, 8 a decade: slope -1 up to index 29, +3 after; the
# unit test works out index 19, lr 1e-6 * 10^(19/8)
awk 'BEGIN { print "# lr\tloss"; for (i = 0; i < 40; i++)
    printf "%.9g\t%d\n", 1e-6 * 10^(i/8), i < 30 ? 40 - i : 14 + 3 * (i - 30) }' \
    >"$T/slide.tsv"
run lrf-suggest -b 0 -m slide --skip-start 0 --skip-end 0 "$T/slide.tsv"
check_status 0 "slide"
check_out "$(out '# method\tlr\tloss' 'slide\t0.000237137371\t21')" \
    "slide on 40 points"
# skipping shifts the window (2 and 5 skipped): G at its ends is one-sided,
# but the bounds still stop at records 28 and 18: record 19 again
run lrf-suggest -b 0 -m slide --skip-start 2 --skip-end 5 "$T/slide.tsv"
check_out "$(out '# method\tlr\tloss' 'slide\t0.000237137371\t21')" \
    "slide after skipping: the same point"
run lrf-suggest -b 0 --json -m minimum --skip-start 2 --skip-end 5 "$T/slide.tsv"
jqok "index counts records, not points used" '.index == 29' 

# fastai's methods' default skips: num/10 from #@ schedule, else
# records/10, but at least the EMA's warm-up; then 5
{ printf '# lr\tloss\n#@ schedule mode=exp start=1e-07 end=1 num=100\n'
  awk 'BEGIN { for (i = 0; i < 16; i++) printf "%g\t%d\n", 10^(i-16), 20 - i }'; } |
    run lrf-suggest -m steep -b 0
check_fails 1 "lrf-suggest: stdin: 1 point after skipping 10 and 5, need at least 2 (16 records)" \
    "num=100 skips 10"
# 20 records falling ever more slowly, 100/(i+1): the steepest pair is the
# first one used, the minimum the last
awk 'BEGIN { for (i = 0; i < 20; i++) printf "%g\t%.9g\n", 10^(i-20), 100/(i+1) }' \
    >"$T/twenty.tsv"
run lrf-suggest -m steep -b 0 --json "$T/twenty.tsv"
jqok "20 records, no schedule: skip 2" '.skip_start == 2'
jqok "20 records: skip_end 5" '.skip_end == 5'
jqok "20 records: 13 points" '.points == 13' 
{ printf '#@ schedule mode=exp start=1e-07 end=1 num=0\n'; cat "$T/twenty.tsv"; } |
    run lrf-suggest -m steep -b 0 --json
jqok "num=0: records/10" '.skip_start == 2' 
run lrf-suggest -m steep -b 0 -q --skip-start 0 --skip-end 0 "$T/twenty.tsv"
check_out "1e-20" "no skipping: steep at the first point"
run lrf-suggest -m steep -b 0 -q --skip-start 3 --skip-end 0 "$T/twenty.tsv"
check_out "1e-17" "--skip-start 3"
run lrf-suggest -b 0 -m minimum --skip-start 0 --skip-end 4 "$T/twenty.tsv"
check_out "$(out '# method\tlr\tloss' 'minimum\t1e-06\t6.66666667')" \
    "--skip-end 4: the minimum is 100/16 at 1e-05, the curve 100/15 at 1e-06"

# smooth wins over loss; --loss-col overrides
printf '# lr\tloss\tsmooth\n1e-3 1 3\n1e-2 2 2\n1e-1 3 1\n' |
    run lrf-suggest --skip-end 0 -m minimum
check_out "$(out '# method\tlr\tloss' 'minimum\t0.01\t2')" "smooth is the curve"
printf '# lr\tloss\tsmooth\n1e-3 3 1\n1e-2 2 2\n1e-1 1 3\n' |
    run lrf-suggest -b 0 --skip-end 0 -m minimum --loss-col loss
check_out "$(out '# method\tlr\tloss' 'minimum\t0.01\t2')" "--loss-col loss"
printf '# a\tb\tc\n3 1e-3 0\n2 1e-2 0\n1 1e-1 0\n' |
    run lrf-suggest -b 0 --skip-end 0 -m minimum --lr-col=2 --loss-col=1
check_out "$(out '# method\tlr\tloss' 'minimum\t0.01\t2')" "columns by number"

# the curve is cut at its first non-finite value
printf '1e-4 5\n1e-3 4\n1e-2 3\n1e-1 nan\n1 0.1\n' |
    run lrf-suggest -b 0 --skip-end 0 -m minimum
check_out "$(out '# method\tlr\tloss' 'minimum\t0.001\t4')" \
    "nothing after the nan counts"
printf '1e-4 5\n1e-3 4\n1e-2 inf\n1e-1 0.1\n1 0.1\n' | run lrf-suggest --json -m steep
check_fails 1 "lrf-suggest: stdin: 0 points after skipping 0 and 5, need at least 2 (2 records before line 3, where loss is inf)" \
    "cut leaves too few"
jqok "--json says where the cut is" \
    '.cut == {"line": 3, "index": 2, "value": "inf"}'
jqok "--json on failure has the error" \
    '.error == "stdin: 0 points after skipping 0 and 5, need at least 2 (2 records before line 3, where loss is inf)"'
jqok "--json on failure: the answer null, the method asked for" \
    '.lr == null and .loss == null and .index == null and .confidence == null and .reasons == [] and .method == "steep"'
jqok "--json on failure: every method still judged, each with its own answer or error" \
    '(.methods | keys | length) == 6 and .methods.steep.error != null and .methods.steep.lr == null' 

# curves without an answer
printf '1e-4 1\n1e-3 2\n1e-2 3\n' | run lrf-suggest --skip-end 0
check_fails 1 "lrf-suggest: stdin: loss never decreases over the 3 points used" \
    "increasing curve"
check_out "" "increasing curve: no output"
printf '1e-4 2\n1e-3 2\n1e-2 2\n' | run lrf-suggest -m all --skip-end 0
check_fails 1 "lrf-suggest: stdin: loss never decreases over the 3 points used" \
    "flat curve"
printf '# lr\tloss\tsmooth\n1e-4 9 1\n1e-3 1 2\n' | run lrf-suggest -m steep -q --skip-end 0
check_fails 1 "lrf-suggest: stdin: smooth never decreases over the 2 points used" \
    "names the column"
check_out "" "-q prints nothing without an answer"
printf '1e-3 2.3\n' | run lrf-suggest -m steep
check_fails 1 "lrf-suggest: stdin: 0 points after skipping 0 and 5, need at least 2 (1 record)" \
    "positional single record"
printf '1e-3 2.3\n' | run lrf-suggest --skip-end 0
check_fails 1 "lrf-suggest: stdin: 1 point after skipping 0 and 0, need at least 2 (1 record)" \
    "one point"
printf '' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin: no records" "empty input"
printf '# lr\tloss\n#@ schedule num=100\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin: no records" "header without data"
printf '# lr\tloss\n' | run lrf-suggest --json
check_status 1 "--json, no records"
check_out "$(cat <<'EOF'
{
  "lr": null,
  "method": "floor",
  "loss": null,
  "index": null,
  "confidence": null,
  "reasons": [],
  "error": "stdin: no records",
  "methods": {},
  "column": "loss",
  "records": 0,
  "finite": 0,
  "points": 0,
  "skip_start": 0,
  "skip_end": 0,
  "cut": null,
  "stop": null,
  "diverged": false,
  "shape": null
}
EOF
)" "--json, no records"

# the output forms on the smoothed curve of the man page: floor judges
# the raw loss, fastai's methods the smooth column, skipping the EMA's
# warm-up (34 points, no more than a third of 55: 18) and 5 at the end
cp "$data/suggest-run.tsv" "$T/run.tsv"
run lrf-suggest -q "$T/run.tsv"
check_status 0 "-q"
check_out "0.016217385" "-q"
run lrf-suggest -q -m all "$T/run.tsv"
check_out "0.016217385" "-q -m all: the first method's, floor"
run lrf-suggest -a "$T/run.tsv"
check_status 0 "-a"
{ cat "$T/run.tsv"
  echo "#@ suggest method=floor lr=0.016217385 loss=0.685874822 confidence=high"; } \
    >"$T/want"
check_outfile "$T/want" "-a: the input, then the suggestion"
run lrf-suggest --annotate -m all "$T/run.tsv"
{ cat "$T/run.tsv"; cat <<'EOF'
#@ suggest method=floor lr=0.016217385 loss=0.685874822 confidence=high
#@ suggest method=steep lr=0.009249 loss=2.06268481 confidence=high
#@ suggest method=minimum lr=0.004406 loss=2.25623173 confidence=high
#@ suggest method=valley lr=0.002868 loss=2.34372457 confidence=high
#@ suggest method=slide lr=0.00236 loss=2.37979805 confidence=high
#@ suggest method=balanced lr=0.0201869002 loss=1.85526846 confidence=high
EOF
} >"$T/want"
check_outfile "$T/want" "-a -m all: one line per method"
run lrf-suggest --json -m all "$T/run.tsv"
check_status 0 "--json -m all"
# the same numbers as -a -m all above, every method keyed by name
is "$(jq -r '.methods | to_entries[] | [.key, .value.lr, .value.loss,
    .value.index, .value.confidence, (.value.reasons | length),
    .value.error, .value.curve, .value.skip_start, .value.skip_end] |
    map(tostring) | join(" ")' "$T/out")" "$(cat <<'EOF'
floor 0.016217385 0.685874822 38 high 0 null centred 0 0
steep 0.009249 2.06268481 35 high 0 null smooth 18 5
minimum 0.004406 2.25623173 43 high 0 null smooth 18 5
valley 0.002868 2.34372457 29 high 0 null smooth 18 5
slide 0.00236 2.37979805 28 high 0 null smooth 18 5
balanced 0.0201869002 1.85526846 39 high 0 null smooth 18 5
EOF
)" "--json -m all: every method by name, as -a gives them"
is "$(jq -c 'del(.methods)' "$T/out")" '{"lr":0.016217385,"method":"floor","loss":0.685874822,"index":38,"confidence":"high","reasons":[],"error":null,"column":"loss","records":55,"finite":55,"points":55,"skip_start":0,"skip_end":0,"cut":null,"stop":{"reason":"diverged","step":54,"lr":0.3769,"smooth":9.0969275,"best":1.74917825},"diverged":true,"shape":{"start":2.61163902,"low":0.678047642,"lr_low":0.01366,"lr90":0.009249,"noise":0.0582611445,"noise_ratio":0.0301310531,"end":44,"climbed":true,"rose":false}}' \
    "--json -m all: the answer, floor's, and the curve, in the documented order"
run lrf-suggest --json -m valley "$T/run.tsv"
jqok "--json -m valley: valley's answer on top, every method still there" \
    '.method == "valley" and .lr == 0.002868 and .index == 29 and .lr == .methods.valley.lr and (.methods | keys | length) == 6'
if command -v jq >/dev/null; then
	ok "--json is JSON (jq)" sh -c "jq -e '.methods | length == 6' '$T/out' >/dev/null"
	run lrf-suggest --json "$T/run.tsv"
	jqok "--json without -m: every method too, floor's answer" \
	    '.method == "floor" and (.methods | keys) == ["balanced", "floor", "minimum", "slide", "steep", "valley"]' 
	printf '1e-4 5\n1e-3 4\n1e-2 nan\n' | run lrf-suggest --json --skip-end 0
	ok "--json with a cut and a nan stop is JSON" sh -c \
	    "jq -e '.cut.line == 3' '$T/out' >/dev/null"
	printf '1e-4 5\n1e-3 4\n#@ stop reason=nonfinite step=x"y lr=1e-3 smooth=nan best=4\n' |
	    run lrf-suggest --json --skip-end 0
	printf '%s\n' '.stop.step == "x\"y" and .stop.smooth == null' >"$T/filter"
	ok "--json: odd stop values are escaped or null" sh -c \
	    "jq -e -f '$T/filter' '$T/out' >/dev/null"
else
	skip "no jq"; skip "no jq"; skip "no jq"
fi

# CRLF, a reader gone, a write error
printf '1e-4 5\r\n1e-3 4.5\r\n1e-2 3\r\n' | run lrf-suggest -m steep -b 0 --skip-end 0
check_out "$(out '# method\tlr\tloss' 'steep\t0.001\t4.5')" "CRLF input"
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "%d %.9g\n", 1 + i, 1 / (1 + i) }' \
    >"$T/long.tsv"
{ lrf-suggest -a "$T/long.tsv" 2>"$T/err"; echo $? >"$T/status"; } |
    head -n 1 >/dev/null
check_fails 0 "" "reader gone (EPIPE)"
run sh -c "lrf-suggest -a '$T/run.tsv' >/dev/full"
check_fails 1 "lrf-suggest: stdout: write error: No space left on device" \
    "full disk"

# bad data
printf '1e-3 2\n1e-2 abc\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin:2: field 2 'abc' is not a number" \
    "non-numeric loss"
printf '1e-3 2\n1e-2 1e999\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin:2: field 2 '1e999' is out of range" \
    "overflowing loss"
printf '1e-3 2\n1e999 1\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin:2: field 1 '1e999' is out of range" \
    "overflowing lr"
printf '1e-3 2\ninf 1\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin:2: learning rate 'inf' is not positive and finite" \
    "infinite lr"
printf '1e-3 2\n1e-4 1\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin:2: lr 1e-4 is below the lr before it; a range test's lr must not decrease" \
    "decreasing lr"
printf '# step loss\n0 1\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin:1: no column 'lr' (columns: step loss)" \
    "no lr column"
printf '# lr val_loss\n1 1\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin:1: no column 'loss' (columns: lr val_loss)" \
    "no loss column"
printf '1e-3 1\n' | run lrf-suggest --loss-col val_loss
check_fails 1 "lrf-suggest: stdin:1: no column 'val_loss' (columns: lr loss)" \
    "no such column"
printf '# lr loss loss\n1 2 3\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin:1: duplicate column name 'loss'" \
    "duplicate column names"
printf '1e-3 1\n1e-2\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin:2: 1 fields, expected 2 (as in the first record)" \
    "short record"
printf '1e-3 1\n\0\n' | run lrf-suggest
check_fails 1 "lrf-suggest: stdin:2: NUL byte in line" "NUL byte"
awk 'BEGIN { printf "1e-3 1\n# "; for (i = 0; i < 1048576; i++) printf "c"; print "" }' |
    run lrf-suggest -a
check_fails 1 "lrf-suggest: stdin:2: line longer than 1048576 bytes" \
    "comment of 1 MB"
run lrf-suggest "$T/nonexistent.tsv"
check_fails 1 "lrf-suggest: $T/nonexistent.tsv: No such file or directory" \
    "missing file"

# bad options
for args in "-m foo|-m: unknown method 'foo' (steep, minimum, valley, slide, balanced, floor, all)" \
    "-m Steep|-m: unknown method 'Steep' (steep, minimum, valley, slide, balanced, floor, all)" \
    "--skip-start -1|--skip-start: '-1' is out of range [0, 9223372036854775807]" \
    "--skip-start x|--skip-start: 'x' is not an integer" \
    "--skip-end 1.5|--skip-end: '1.5' is not an integer" \
    "-a -q|-a, -q and --json exclude one another" \
    "-q --json|-a, -q and --json exclude one another" \
    "-b 1|-b: '1' is not in [0, 1)" \
    "-b x|-b: 'x' is not a finite number" \
    "-w -0.5|-w: '-0.5' is negative" \
    "--floor-gain inf|--floor-gain: 'inf' is not a finite number"; do
	set -f
	set -- ${args%%|*}
	set +f
	printf "$hand" | run lrf-suggest "$@"
	check_fails 2 "lrf-suggest: ${args#*|}
$usage" "lrf-suggest ${args%%|*}"
	check_out "" "lrf-suggest ${args%%|*}: nothing on stdout"
done
run lrf-suggest --bogus
check_fails 2 "lrf-suggest: unrecognized option '--bogus'
$usage" "unknown option"
printf '1e-3 2\n1e-2 1\n' >"$T/a"
# shellcheck disable=SC2046
(cd "$T" && run lrf-suggest $(awk 'BEGIN { for (i = 0; i < 1025; i++) printf "a " }'))
check_fails 2 "lrf-suggest: more than 1024 files
$usage" "1025 files"

# -c: finder.suggest; -m wins
printf 'finder:\n  suggest: minimum\n  beta: 0\n' >"$T/cfg.yaml"
printf "$hand" | run lrf-suggest -c "$T/cfg.yaml" --skip-end 0
check_status 0 "-c"
check_out "$(out '# method\tlr\tloss' 'minimum\t0.01\t3')" \
    "-c: finder.suggest minimum"
printf "$hand" | run lrf-suggest --config="$T/cfg.yaml" -m valley --skip-end 0
check_out "$(out '# method\tlr\tloss' 'valley\t0.0001\t5')" \
    "-m wins over the file"
printf 'finder:\n  suggest: all\n' >"$T/all.yaml"
printf "$hand" | run lrf-suggest -c "$T/all.yaml" -q --skip-end 0
check_out "0.316227766" "-c: finder.suggest all, -q: floor's, the default"
# a file without finder.suggest and finder.beta leaves the defaults
printf 'train:\n  batch_size: 32\n' >"$T/none.yaml"
printf "$hand" | run lrf-suggest -c "$T/none.yaml" -m all -q --skip-end 0
check_out "0.316227766" "-c: no finder.suggest, floor"
printf "$hand" | run lrf-suggest -c "$T/none.yaml" -m steep --skip-end 0
check_out "$(out '# method\tlr\tloss' 'steep\t0.001\t4.74747475')" \
    "-c: no finder.beta, 0.98"
for bad in "nonexistent.yaml|" "bogus.yaml|finder:\n  suggest: bogus\n" \
    "list.yaml|- a\n- b\n"; do
	f=${bad%%|*}
	[ -n "${bad#*|}" ] && printf '%b' "${bad#*|}" >"$T/$f"
	printf "$hand" | run lrf-suggest -c "$T/$f"
	check_status 1 "-c $f"
	ok "-c $f: one message naming the file" sh -c \
	    "[ \$(wc -l <'$T/err') -eq 1 ] && grep -q '^lrf-suggest: $T/$f' '$T/err'"
	check_out "" "-c $f: no output"
done

# floor reads the raw loss: the smooth column changes nothing
# curve SEED FALL: 100 points from 1e-7 to 1, a fall centred at 10^FALL
# and a blow-up from 0.1, with a deterministic wobble of 0.05
curve() {
	awk -v seed="$1" -v c="$2" 'BEGIN { print "# step\tlr\tloss"
	    print "#@ schedule mode=exp start=1e-07 end=1 num=100"
	    for (i = 0; i < 100; i++) { x = -7 + 7 * i / 99
		w = sin(i * 12.9898 + seed * 78.233) * 43758.5453
		w = w - int(w); if (w < 0) w += 1
		printf "%d\t%.9g\t%.6f\n", i, 10^x,
		    2.3 - 1.5 / (1 + exp(-4 * (x - c))) + exp(4 * x + 2) + 0.1 * (w - 0.5) } }'
}
curve 1 -3 >"$T/r1.tsv"
curve 2 -3 >"$T/r2.tsv"
curve 3 -1.5 >"$T/far.tsv"
run lrf-suggest -q "$T/r1.tsv"
want=$(cat "$T/out")
lrf-smooth -k "$T/r1.tsv" | run lrf-suggest -q
check_out "$want" "floor: the same with a smooth column"
run lrf-suggest --json "$T/r1.tsv"
ok "floor: the curve is the centred smoothing" grep -q '"curve": "centred"' "$T/out"
jqok "floor: high confidence on a curve that falls and blows up" \
    '.confidence == "high"'
jqok "floor: diverged" '.diverged == true' 
run lrf-suggest --json -m steep "$T/r1.tsv"
# (33: a third of the EMA's warm-up of 34; 7: the tail after the curve
# climbs back above its start, the stream never having diverged)
jqok "steep without a smooth column: the EMA, computed" \
    '.methods.steep | .curve == "ema" and .skip_start == 33 and .skip_end == 7' 
# the noise moves floor: with gain 0 and shift 0 it is lr90 itself
run lrf-suggest --floor-shift 0 --floor-gain 0 --json "$T/r1.tsv"
ok "floor: shift 0, gain 0: lr90" sh -c \
    "jq -e '.lr == .shape.lr90' '$T/out' >/dev/null"
printf "$hand" | run lrf-suggest -q --floor-shift 0 --floor-gain 0
check_out "0.1" "floor on five points, shift 0, gain 0: lr90 0.1"
printf "$hand" | run lrf-suggest -q --floor-shift 0
check_out "0.1" "floor: --floor-shift 0, no noise: lr90"

# the confidence: five points never diverge; a flat, noisy curve never
# falls beyond its noise
printf "$hand" | run lrf-suggest -a
check_status 0 "not sure, still a suggestion"
ok "-a: confidence low, no divergence" grep -qx \
    '#@ suggest method=floor lr=0.316227766 loss=3.25 confidence=low reasons=no-divergence' \
    "$T/out"
printf "$hand" | run lrf-suggest --json
jqok "--json: the reasons" '.reasons == ["no-divergence"]'
jqok "--json: not diverged" '.diverged == false' 
awk 'BEGIN { print "# lr\tloss"; for (i = 0; i < 100; i++) {
    w = sin(i * 12.9898) * 43758.5453; w -= int(w); if (w < 0) w += 1
    printf "%.9g\t%.6f\n", 1e-7 * 10^(7 * i / 99), 2 - i / 10000 + 0.4 * w } }' |
    run lrf-suggest -a
ok "a flat, noisy curve: flat and no divergence" grep -q \
    '^#@ suggest method=floor .* confidence=low reasons=flat,no-divergence$' \
    "$T/out"

# several runs: the mean curve, each run's suggestion and the spread
run lrf-suggest --json "$T/r1.tsv" "$T/r2.tsv"
check_status 0 "two runs"
check_err "" "two runs"
a=$(lrf-suggest -q "$T/r1.tsv")
b=$(lrf-suggest -q "$T/r2.tsv")
printf '%s\n' ".runs[0].lr == $a and .runs[1].lr == $b and
    .spread.lo == ([$a, $b] | min) and .spread.hi == ([$a, $b] | max) and
    .runs[0].file == \"$T/r1.tsv\" and .records == 200" >"$T/filter"
ok "two runs: each run's rate, the spread" sh -c \
    "jq -e -f '$T/filter' '$T/out' >/dev/null"
# the mean curve is the runs' mean: with gain 0 the same as floor on a
# file of their mean
paste "$T/r1.tsv" "$T/r2.tsv" | awk -F '\t' '/^#@/ { print $1; next }
    /^#/ { print "# step\tlr\tloss"; next }
    { printf "%s\t%s\t%.9g\n", $1, $2, ($3 + $6) / 2 }' >"$T/mean.tsv"
run lrf-suggest -q --floor-gain 0 "$T/r1.tsv" "$T/r2.tsv"
want=$(lrf-suggest -q --floor-gain 0 "$T/mean.tsv")
check_out "$want" "two runs: floor on their mean curve"
run lrf-suggest -a "$T/r1.tsv" "$T/r2.tsv"
is "$(head -n 3 "$T/out")" "$(printf '# lr\tloss\tsd\tlo\thi\n#@ mean runs=2 points=100\n#@ schedule mode=exp start=1e-07 end=1 num=100')" \
    "-a, two runs: the mean curve with its band"
is "$(sed -n 4p "$T/out" | cut -f 1,4,5)" "$(printf '1e-07\t%s' \
    "$(awk -F '\t' 'NR == 3 { a = $3 } FNR == 3 && NR > 3 { b = $3 }
    END { printf "%.9g\t%.9g", a < b ? a : b, a < b ? b : a }' "$T/r1.tsv" "$T/r2.tsv")")" \
    "-a, two runs: lo and hi are the runs' losses"
ok "-a, two runs: the spread on the suggest line" grep -q \
    "^#@ suggest method=floor lr=[0-9.e-]* loss=[0-9.e-]* confidence=high runs=2 lo=$(printf '%s\n%s\n' "$a" "$b" | sort -g | head -n 1) hi=" \
    "$T/out"
run lrf-suggest -a "$T/r1.tsv" "$T/far.tsv"
ok "runs falling two decades apart disagree" grep -q \
    '^#@ suggest method=floor .* confidence=low reasons=disagree runs=2 ' "$T/out"
lrf-smooth "$T/r1.tsv" >"$T/s1.tsv"
lrf-smooth "$T/r2.tsv" >"$T/s2.tsv"
run lrf-suggest -m steep --json "$T/s1.tsv" "$T/s2.tsv"
jqok "two smoothed runs: steep judges the mean smooth column" \
    '.methods.steep.curve == "smooth" and (.methods.steep.spread.runs | length) == 2' 
printf '# lr\tloss\n' >"$T/empty.tsv"
run lrf-suggest "$T/r1.tsv" "$T/empty.tsv"
check_fails 1 "lrf-suggest: $T/empty.tsv: no records" "a run without records"
printf '2 2\n3 1\n' >"$T/hi.tsv"
run lrf-suggest "$T/r1.tsv" "$T/hi.tsv"
check_fails 1 "lrf-suggest: the 2 runs share no learning rate" "runs apart"
run lrf-suggest "$T/r1.tsv" "$T/nonexistent.tsv"
check_fails 1 "lrf-suggest: $T/nonexistent.tsv: No such file or directory" \
    "a missing run"

# the EXAMPLES of the man page, run and compared
mkdir "$T/ex" "$T/work"
cp "$data/suggest-run.tsv" "$T/work/run.tsv"
cp "$data/suggest-run2.tsv" "$T/work/run2.tsv"
cp "$data/smooth-run.tsv" "$T/work/raw.tsv"
n=$(awk -v dir="$T/ex" -f "$data/smooth-examples.awk" "$top/man/lrf-suggest.1")
is "$n" 9 "the man page has 9 examples"
i=1
while [ "$i" -le "$n" ]; do
	if grep -q gnuplot "$T/ex/$i.sh" && ! command -v gnuplot >/dev/null; then
		skip "example $i: no gnuplot"
		skip "example $i: no gnuplot"
	else
		(cd "$T/work" && run sh "$T/ex/$i.sh")
		check_status 0 "example $i"
		check_outfile "$T/ex/$i.out" "example $i (stdout)"
	fi
	i=$((i + 1))
done
if [ -e "$T/work/lr.png" ]; then
	ok "the pipeline example drew a PNG" sh -c \
	    "head -c 8 '$T/work/lr.png' | od -An -c | grep -q 'P   N   G'"
else
	skip "no gnuplot: the pipeline example drew nothing"
fi

ok "man page lints clean" sh -c \
    "! mandoc -Tlint -Wwarning '$top/man/lrf-suggest.1' 2>&1 | grep -q ."

# -a with no suggestion: the stream, then a line that tells the answer
# from a failure (lrf-find reads it; issue 18, 1)
printf '# lr\tloss\n1e-3\t2\n1e-2\t2\n1e-1\t2\n' | run lrf-suggest -a
check_status 1 "-a, no suggestion"
is "$(tail -n 1 "$T/out")" "#@ nosuggest method=floor" "-a, no suggestion: the last line says so"
is "$(grep -c '^1e' "$T/out")" 3 "-a, no suggestion: the records before it"
# --json is UTF-8 whatever bytes a #@ line carries (issue 18, 6)
{ printf '# lr\tloss\n#@ stop reason=\377\376 step=3\n'
  awk 'BEGIN { for (i = 0; i < 60; i++) printf "%g\t%g\n", 1e-5 * 1.2^i, 2 - i / 100 + (i > 50 ? (i - 50) / 2 : 0) }'
} | run lrf-suggest --json
check_status 0 "--json, a #@ line with bytes that are not UTF-8"
ok "--json, bytes that are not UTF-8: the JSON is UTF-8" quiet iconv -f UTF-8 -t UTF-8 "$T/out"
is "$(jq -r .stop.reason "$T/out")" "$(printf '\357\277\275\357\277\275')" "--json: each such byte is U+FFFD"
{ printf '# lr\tloss\n#@ stop reason=\303\251\342\202\254 step=3\n'
  awk 'BEGIN { for (i = 0; i < 60; i++) printf "%g\t%g\n", 1e-5 * 1.2^i, 2 - i / 100 + (i > 50 ? (i - 50) / 2 : 0) }'
} | run lrf-suggest --json
is "$(jq -r .stop.reason "$T/out")" "$(printf '\303\251\342\202\254')" "--json: UTF-8 passes as it is"
finish
