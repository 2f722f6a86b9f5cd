#!/bin/sh
# lrf-schedule: the sequences, the metadata line, the stream, the errors.
. "$(dirname "$0")/../lib.sh"
plan 256

tab=$(printf '\t')
# a usage error is one line that says what is wrong, then this one
usage="try 'lrf-schedule -h'"

# lines FIRST LAST: lines FIRST to LAST of the last run's stdout.
lines() { sed -n "$1,$2p" "$T/out"; }

# out TEXT...: the lines TEXT, one per argument, with '|' for TAB.
out() { printf '%s\n' "$@" | tr '|' '\t'; }

# usage_error MESSAGE NAME ARGS...: lrf-schedule ARGS exits 2 and writes
# "lrf-schedule: MESSAGE" and "try 'lrf-schedule -h'" on stderr, nothing on stdout.
usage_error() {
	_m=$1 _n=$2
	shift 2
	run lrf-schedule "$@"
	check_fails 2 "lrf-schedule: $_m
$usage" "$_n"
	check_out "" "$_n"
}

# --- the default range test
run lrf-schedule
check_status 0 "default"
check_err "" "default"
is "$(lines 1 3)" "$(out '# step|lr' \
    '#@ schedule mode=exp start=1e-07 end=1 num=100' '0|1e-07')" \
    "default: header, metadata, step 0 is 1e-07"
is "$(tail -n 1 "$T/out")" "99${tab}1" "default: step 99 is 1 exactly"
is "$(($(wc -l <"$T/out")))" 102 "default: 100 records"
# step 33 is 1e-7 * 1e7^(33/99) = 1e-7 * 10^(7/3) = 2.15443469e-05
is "$(lines 36 36)" "33${tab}2.15443469e-05" "default: step 33"
is "$(awk '!/^#/ && NR > 3 && !($2 > p) { print NR } { p = $2 }' \
    "$T/out")" "" "default: the lr grows at every step"

# -n 5: (1e-07)*(1e7)^(i/4): 1e-07, 10^-5.25, 10^-3.5, 10^-1.75, 1
run lrf-schedule -n 5
check_status 0 "-n 5"
check_out "$(out '# step|lr' '#@ schedule mode=exp start=1e-07 end=1 num=5' \
    '0|1e-07' '1|5.62341325e-06' '2|0.000316227766' '3|0.0177827941' \
    '4|1')" "-n 5 exact"

# --start_lr, --end_lr, --num_iter as the seeds spell them
run lrf-schedule --start_lr 1e-5 --end_lr 10 --num_iter 5
check_out "$(out '# step|lr' '#@ schedule mode=exp start=1e-05 end=10 num=5' \
    '0|1e-05' '1|0.000316227766' '2|0.01' '3|0.316227766' '4|10')" \
    "--start_lr --end_lr --num_iter"
run lrf-schedule --start-lr 1e-5 --end-lr 10 --num-iter 5
is "$(lines 2 2)" "#@ schedule mode=exp start=1e-05 end=10 num=5" \
    "--start-lr --end-lr --num-iter"
# 1e-5*(3/1e-5)^(49/49) is 3.0000000000000004 in doubles: end is exact
run lrf-schedule -s 1e-5 -e 3 -n 50
is "$(tail -n 1 "$T/out")" "49${tab}3" "end is exact (3, not 3.00000000)"

# --- linear: 0.1 + i*(0.5-0.1)/4
run lrf-schedule -m linear -s 0.1 -e 0.5 -n 5
check_status 0 "linear"
check_out "$(out '# step|lr' '#@ schedule mode=linear start=0.1 end=0.5 num=5' \
    '0|0.1' '1|0.2' '2|0.3' '3|0.4' '4|0.5')" "linear"
run lrf-schedule --mode linear
is "$(lines 4 4)" "1${tab}0.0101011091" \
    "linear default: step 1 is 1e-7 + 0.9999999/99"

# --- training schedules
run lrf-schedule -m constant --lr 0.05 -n 3
check_out "$(out '# step|lr' '#@ schedule mode=constant lr=0.05 num=3' \
    '0|0.05' '1|0.05' '2|0.05')" "constant"

# step: 0.1 * 0.5^floor(i/2)
run lrf-schedule -m step --lr 0.1 --step-size 2 --gamma 0.5 -n 5
check_out "$(out '# step|lr' \
    '#@ schedule mode=step lr=0.1 num=5 step_size=2 gamma=0.5' \
    '0|0.1' '1|0.1' '2|0.05' '3|0.05' '4|0.025')" "step"

# cosine: warm-up 0.1*(i+1)/4 for i < 3, then
# 0.001 + 0.099*(1+cos(pi*(i-3)/7))/2: i=4 0.001+0.099*0.950484434
run lrf-schedule -m cosine --lr 0.1 --min-lr 0.001 --warmup 3 -n 10
check_out "$(out '# step|lr' \
    '#@ schedule mode=cosine lr=0.1 num=10 warmup=3 min_lr=0.001' \
    '0|0.025' '1|0.05' '2|0.075' '3|0.1' '4|0.095097959' '5|0.0813627452' \
    '6|0.0615147862' '7|0.0394852138' '8|0.0196372548' '9|0.00590204104')" \
    "cosine with warm-up"
# defaults: 1000 steps from 0.01 toward 0; step 500 is 0.01*(1+cos(pi/2))/2
run lrf-schedule -m cosine
is "$(lines 2 3)" "$(out \
    '#@ schedule mode=cosine lr=0.01 num=1000 warmup=0 min_lr=0' '0|0.01')" \
    "cosine defaults"
is "$(lines 503 503)" "500${tab}0.005" "cosine step 500 is half of lr"

# onecycle, PyTorch OneCycleLR(max_lr=1, total_steps=11, pct_start=0.5,
# div_factor=4, final_div_factor=2): 0.25 up to 1 (at step 4.5), down to
# 0.125; step 1: 1 - 0.375*(1+cos(pi/4.5)) = 0.337733334
run lrf-schedule -m onecycle --max-lr 1 -n 11 --pct-start 0.5 \
    --div-factor 4 --final-div-factor 2
check_out "$(out '# step|lr' '#@ schedule mode=onecycle max_lr=1 num=11 pct_start=0.5 div_factor=4 final_div_factor=2' \
    '0|0.25' '1|0.337733334' '2|0.559881933' '3|0.8125' '4|0.977384733' \
    '5|0.982278176' '6|0.849001571' '7|0.624762742' '8|0.380755932' \
    '9|0.194451579' '10|0.125')" "onecycle against PyTorch"

# the training run of lrf-find(1): 0.002/25 = 8e-05 at step 0, 0.002 at
# step 0.3*3000-1 = 899, 8e-05/1e4 = 8e-09 at step 2999
run lrf-schedule --mode onecycle --max-lr 0.002 --num 3000
check_status 0 "onecycle 3000"
is "$(lines 2 3)" "$(out '#@ schedule mode=onecycle max_lr=0.002 num=3000 pct_start=0.3 div_factor=25 final_div_factor=10000' \
    '0|8e-05')" "onecycle 3000: metadata, 8e-05 at step 0"
is "$(lines 901 903)" "$(out '898|0.00199999414' '899|0.002' \
    '900|0.00199999888')" "onecycle 3000: the peak 0.002 at step 899"
is "$(tail -n 1 "$T/out")" "2999${tab}8e-09" "onecycle 3000: 8e-09 at the end"
is "$(($(wc -l <"$T/out")))" 3002 "onecycle 3000: 3000 records"
run lrf-schedule -m onecycle --max_lr 0.002 --total_steps 3000 \
    --pct_start 0.25 --div_factor 10 --final_div_factor 100
is "$(lines 2 3)" "$(out '#@ schedule mode=onecycle max_lr=0.002 num=3000 pct_start=0.25 div_factor=10 final_div_factor=100' \
    '0|0.0002')" "onecycle with underscore options"

# triangular: 0.001 + 0.005*max(0, 1-|i/4 - 2*cycle + 1|)
run lrf-schedule -m triangular --base-lr 0.001 --max-lr 0.006 \
    --step-size 4 -n 9
check_out "$(out '# step|lr' '#@ schedule mode=triangular base_lr=0.001 max_lr=0.006 num=9 step_size=4' \
    '0|0.001' '1|0.00225' '2|0.0035' '3|0.00475' '4|0.006' '5|0.00475' \
    '6|0.0035' '7|0.00225' '8|0.001')" "triangular"
# triangular2: the peaks 0.006, 0.001+0.005/2, 0.001+0.005/4
run lrf-schedule -m triangular2 --base_lr 0.001 --max_lr 0.006 \
    --step_size 4 -n 24
is "$(awk '$1 == 4 || $1 == 12 || $1 == 20 { print $2 }' "$T/out" |
    tr '\n' ' ')" "0.006 0.0035 0.00225 " "triangular2 halves each cycle"
# exp_range: the triangle times 0.9^i; step 4: 0.001 + 0.005*0.6561
run lrf-schedule -m exp_range --base-lr 0.001 --max-lr 0.006 \
    --step-size 4 --gamma 0.9 -n 5
check_out "$(out '# step|lr' '#@ schedule mode=exp_range base_lr=0.001 max_lr=0.006 num=5 step_size=4 gamma=0.9' \
    '0|0.001' '1|0.002125' '2|0.003025' '3|0.00373375' '4|0.0042805')" \
    "exp_range"
run lrf-schedule -m exp_range
is "$(lines 2 2)" "#@ schedule mode=exp_range base_lr=0.001 max_lr=0.01 num=1000 step_size=100 gamma=1" \
    "exp_range: gamma defaults to 1"

# --- the unbounded stream: (1/1e-7)^(1/99) = 1.17681195 per step
cat >"$T/head.sh" <<'EOF'
set -o pipefail
lrf-schedule -n 0 | head -n 5
EOF
run timeout 10 bash "$T/head.sh"
check_status 0 "-n 0 | head -n 5 under pipefail"
check_err "" "-n 0 | head -n 5"
check_out "$(out '# step|lr' \
    '#@ schedule mode=exp start=1e-07 end=1 num=0 ratio=1.17681195' \
    '0|1e-07' '1|1.17681195e-07' '2|1.38488637e-07')" "-n 0 | head -n 5"
# the same 100 rates as the default, then on past 1
run sh -c 'lrf-schedule -n 0 | head -n 201'
is "$(lrf-schedule | sed 1,2d)" "$(sed '1,2d;103,$d' "$T/out")" \
    "-n 0 begins with the default 100 rates"
is "$(tail -n 1 "$T/out")" "198${tab}10000000" \
    "-n 0 step 198 is 1e-7*(1e7)^(198/99) = 1e7"
run lrf-schedule -n 0 --ratio=2 -s 1e-3 -e 1e-4
is "$(lines 2 4)" "$(out '#@ schedule mode=exp start=0.001 num=0 ratio=2' \
    '0|0.001' '1|0.002')" "--ratio=2: -e is not used"
run sh -c 'lrf-schedule -n 0 --ratio 10 -s 1 | head -n 6'
check_out "$(out '# step|lr' '#@ schedule mode=exp start=1 num=0 ratio=10' \
    '0|1' '1|10' '2|100' '3|1000')" "-n 0 --ratio 10"
# a bounded stream stops as promptly
cat >"$T/long.sh" <<'EOF'
set -o pipefail
lrf-schedule -n 1000000000 | head -n 3 | wc -l
EOF
run timeout 10 bash "$T/long.sh"
check_status 0 "-n 1e9 | head -n 3 stops at once"
# the stream ends, exit 0 and silently, where the lr would overflow:
# 10^308 is the last power of 10 below DBL_MAX
run sh -c 'lrf-schedule -n 0 -s 1 --ratio 10 | tail -n 2'
check_status 0 "-n 0 up to overflow"
check_err "" "-n 0 up to overflow"
check_out "$(out '307|1e+307' '308|1e+308')" "-n 0 up to overflow"
run sh -c 'lrf-schedule -n 0 | tail -n 2'
check_err "" "-n 0 with the defaults up to overflow"
check_out "$(out '4457|1.38488637e+308' '4458|1.62975083e+308')" \
    "-n 0 with the defaults ends at step 4458"

# a write error is exit 1
if [ -w /dev/full ]; then
	run lrf-schedule
	run sh -c 'lrf-schedule >/dev/full'
	check_fails 1 \
	    "lrf-schedule: stdout: write error: No space left on device" \
	    "write error"
else
	skip "no /dev/full"
	skip "no /dev/full"
fi

# --- -h
for h in -h --help; do
	run lrf-schedule $h
	check_status 0 "$h"
	check_err "" "$h"
	is "$(head -n 1 "$T/out")" \
	    "usage: lrf-schedule [-ht] [-c file] [-m mode] [-n num] [-s start] [-e end]" \
	    "$h: usage on stdout"
done
ok "-h shows the defaults" grep -q 'the first lr \[1e-07\]' "$T/out"

# --- usage errors: exit 2, the message, the usage
usage_error "exp: start must be > 0 (got 0)" "-s 0" -s 0
usage_error "exp: start must be > 0 (got -1)" "-s -1" -s -1
usage_error "exp: end must be > start (got start=1e-07 end=1e-08)" \
    "-e below start" -e 1e-8
usage_error "exp: end must be > start (got start=1e-07 end=1e-07)" \
    "-e equal to start" -e 1e-7
usage_error "linear: end must be > start (got start=0.5 end=0.1)" \
    "linear end below start" -m linear -s 0.5 -e 0.1
usage_error "linear: start must be > 0 (got 0)" "linear -s 0" -m linear -s 0
usage_error "exp: num must be 0 (unbounded) or at least 2 (got 1)" "-n 1" -n 1
usage_error "exp: num must be 0 (unbounded) or at least 2 (got -3)" \
    "-n -3" -n -3
usage_error "onecycle: num must be at least 2 (got 1)" "onecycle -n 1" \
    -m onecycle -n 1
usage_error "linear: num 0 (an unbounded stream) is for mode exp only" \
    "linear -n 0" -m linear -n 0
usage_error "cosine: num 0 (an unbounded stream) is for mode exp only" \
    "cosine -n 0" -m cosine -n 0
usage_error "exp: ratio is for an unbounded exp stream (num 0) only" \
    "--ratio without -n 0" --ratio 2
usage_error "exp: ratio must be > 1 (got 1)" "--ratio 1" -n 0 --ratio 1
usage_error "exp: end/start overflows (start=1e-300 end=1e+300)" \
    "end/start overflows" -s 1e-300 -e 1e300
usage_error "-s: 'nan' is not a finite number" "-s nan" -s nan
usage_error "-e: 'inf' is not a finite number" "-e inf" -e inf
usage_error "-e: '1e999' is not a finite number" "-e 1e999" -e 1e999
usage_error "--start_lr: 'abc' is not a finite number" "--start_lr abc" \
    --start_lr abc
usage_error "--max-lr: '' is not a finite number" "--max-lr ''" \
    -m onecycle --max-lr ''
usage_error "-n: '1.5' is not an integer" "-n 1.5" -n 1.5
usage_error "--warmup: 'x' is not an integer" "--warmup x" \
    -m cosine --warmup x
usage_error "unknown mode 'cos' (modes: exp linear constant step cosine onecycle triangular triangular2 exp_range)" \
    "unknown mode" -m cos
usage_error "constant: lr must be > 0 (got 0)" "constant --lr 0" \
    -m constant --lr 0
usage_error "step: gamma must be > 0 (got 0)" "step --gamma 0" \
    -m step --gamma 0
usage_error "step: gamma must be > 0 (got -0.5)" "step --gamma -0.5" \
    -m step --gamma -0.5
usage_error "step: step_size must be at least 1 (got 0)" \
    "step --step-size 0" -m step --step-size 0
usage_error "step: the lr at step 99999 is 0, not a positive finite number" \
    "step decays to 0" -m step --step-size 1 -n 100000
usage_error "cosine: warmup must lie in [0, num) (got warmup=1000 num=1000)" \
    "cosine --warmup num" -m cosine --warmup 1000
usage_error "cosine: warmup must lie in [0, num) (got warmup=-1 num=1000)" \
    "cosine --warmup -1" -m cosine --warmup -1
usage_error "cosine: min_lr must lie in [0, lr] (got min_lr=1 lr=0.01)" \
    "cosine --min-lr above lr" -m cosine --min-lr 1
usage_error "onecycle: max_lr must be > 0 (got 0)" "onecycle --max-lr 0" \
    -m onecycle --max-lr 0
usage_error "onecycle: pct_start must lie in (0, 1) (got 1)" \
    "onecycle --pct-start 1" -m onecycle --pct-start 1
usage_error "onecycle: pct_start must lie in (0, 1) (got 0)" \
    "onecycle --pct-start 0" -m onecycle --pct-start 0
usage_error "onecycle: the rising phase pct_start*num-1 = -0.1 must be > 0 steps (pct_start=0.3 num=3)" \
    "onecycle rising phase too short" -m onecycle -n 3
usage_error "onecycle: div_factor must be >= 1 (got 0.5)" \
    "onecycle --div-factor 0.5" -m onecycle --div-factor 0.5
usage_error "onecycle: final_div_factor must be >= 1 (got 0)" \
    "onecycle --final-div-factor 0" -m onecycle --final-div-factor 0
usage_error "triangular: max_lr must be >= base_lr (got base_lr=0.1 max_lr=0.01)" \
    "triangular max_lr below base_lr" -m triangular --base-lr 0.1
usage_error "triangular2: base_lr must be > 0 (got -0.001)" \
    "triangular2 --base-lr -0.001" -m triangular2 --base-lr -0.001
usage_error "triangular: step_size must be at least 1 (got 0)" \
    "triangular --step-size 0" -m triangular --step-size 0
usage_error "exp_range: gamma must lie in (0, 1] (got 1.5)" \
    "exp_range --gamma 1.5" -m exp_range --gamma 1.5
usage_error "exp_range: gamma must lie in (0, 1] (got 0)" \
    "exp_range --gamma 0" -m exp_range --gamma 0
usage_error "--lr does not apply to mode onecycle" "onecycle --lr" \
    -m onecycle --lr 0.1
usage_error "-s/--start does not apply to mode cosine" "cosine -s" \
    -m cosine -s 1e-3
usage_error "--max-lr does not apply to mode exp" "exp --max-lr" \
    --max-lr 0.1
usage_error "--gamma does not apply to mode triangular" "triangular --gamma" \
    -m triangular --gamma 0.5
usage_error "unknown option '-x'" "-x" -x
usage_error "unknown option '--bogus'" "--bogus" --bogus
usage_error "option '-n' needs a value" "-n without a value" -n
usage_error "option '--max-lr' needs a value" "--max-lr without a value" \
    --max-lr
usage_error "unexpected operand 'run.tsv'" "an operand" run.tsv
usage_error "-t needs a config file (-c)" "-t without -c" -t

# --- -c FILE: the finder section, or the scheduler section (-t, -m)
run lrf-schedule -c "$data/sched-finder.yaml"
check_status 0 "-c: finder section"
check_err "" "-c: finder section"
check_out "$(out '# step|lr' '#@ schedule mode=exp start=1e-05 end=10 num=5' \
    '0|1e-05' '1|0.000316227766' '2|0.01' '3|0.316227766' '4|10')" \
    "-c: start_lr 1e-5, end_lr 10, num_iter 5"
run lrf-schedule -c "$data/sched-finder.yaml" -n 3 -e 1
check_out "$(out '# step|lr' '#@ schedule mode=exp start=1e-05 end=1 num=3' \
    '0|1e-05' '1|0.00316227766' '2|1')" "-c: flags override the file"
# -t: scheduler.name onecycle, max_lr 0.002, total_steps 2000; the peak
# at 0.3*2000-1 = 599
run lrf-schedule -c "$data/sched-finder.yaml" -t
check_status 0 "-c -t"
is "$(sed -n '2,3p;602p;$p' "$T/out")" "$(out '#@ schedule mode=onecycle max_lr=0.002 num=2000 pct_start=0.3 div_factor=25 final_div_factor=10000' \
    '0|8e-05' '599|0.002' '1999|8e-09')" "-c -t: the file's onecycle"
run lrf-schedule --config "$data/sched-finder.yaml" --train --max-lr 0.01 \
    -n 100
is "$(lines 2 3)" "$(out '#@ schedule mode=onecycle max_lr=0.01 num=100 pct_start=0.3 div_factor=25 final_div_factor=10000' \
    '0|0.0004')" "-c -t: flags override the scheduler section"
run lrf-schedule -c "$data/sched-finder.yaml" -m cosine
is "$(lines 2 2)" "#@ schedule mode=cosine lr=0.01 num=2000 warmup=0 min_lr=0" \
    "-c -m cosine: total_steps from the scheduler section"
run lrf-schedule -c "$data/sched-linear.yaml"
check_out "$(out '# step|lr' '#@ schedule mode=linear start=0.1 end=0.5 num=5' \
    '0|0.1' '1|0.2' '2|0.3' '3|0.4' '4|0.5')" "-c: finder.mode linear"
run lrf-schedule -c "$data/sched-linear.yaml" -m cosine
check_out "$(out '# step|lr' \
    '#@ schedule mode=cosine lr=0.1 num=10 warmup=3 min_lr=0.001' \
    '0|0.025' '1|0.05' '2|0.075' '3|0.1' '4|0.095097959' '5|0.0813627452' \
    '6|0.0615147862' '7|0.0394852138' '8|0.0196372548' '9|0.00590204104')" \
    "-c -m cosine: lr, min_lr, warmup, total_steps from the file"
run lrf-schedule -c "$data/sched-linear.yaml" -m triangular
is "$(lines 2 2)" "#@ schedule mode=triangular base_lr=0.001 max_lr=0.006 num=10 step_size=4" \
    "-c -m triangular: base_lr, max_lr, step_size from the file"
run lrf-schedule -c "$data/sched-exprange.yaml" -t
check_out "$(out '# step|lr' '#@ schedule mode=exp_range base_lr=0.001 max_lr=0.006 num=9 step_size=4 gamma=1' \
    '0|0.001' '1|0.00225' '2|0.0035' '3|0.00475' '4|0.006' '5|0.00475' \
    '6|0.0035' '7|0.00225' '8|0.001')" "-c -t: exp_range without gamma is gamma 1"
usage_error "-t: $data/sched-linear.yaml has no scheduler.name" \
    "-t: no scheduler.name" -c "$data/sched-linear.yaml" -t
usage_error "-t: exp is not a training schedule" "-t -m exp" \
    -c "$data/sched-finder.yaml" -t -m exp
run lrf-schedule -c "$data/sched-warmup.yaml" -t
check_fails 1 "lrf-schedule: $data/sched-warmup.yaml: cosine: warmup must lie in [0, num) (got warmup=50 num=10)" \
    "-c: nonsense in the file alone is bad data"
check_out "" "-c: nonsense in the file alone is bad data"
usage_error "cosine: warmup must lie in [0, num) (got warmup=50 num=10)" \
    "-c: nonsense with a flag is a usage error" \
    -c "$data/sched-warmup.yaml" -t --lr 0.1
run lrf-schedule -c "$data/sched-warmup.yaml" -t -n 100
is "$(lines 2 3)" "$(out \
    '#@ schedule mode=cosine lr=0.01 num=100 warmup=50 min_lr=0' \
    '0|0.000196078431')" "-c: a flag that mends it: 0.01*1/51"
run lrf-schedule -c "$data/sched-none.yaml"
check_fails 1 \
    "lrf-schedule: $data/sched-none.yaml: cannot open: No such file or directory" \
    "-c: a missing file"
check_out "" "-c: a missing file"
run lrf-schedule -c "$data/sched-bad.yaml" -t
check_fails 1 \
    "lrf-schedule: $data/sched-bad.yaml:5:3: unknown key 'pct_strat' in scheduler (did you mean 'pct_start'?)" \
    "-c: a misspelt key"
check_out "" "-c: a misspelt key"

# --- the man page's examples run, and say what they show
man=$top/man/lrf-schedule.1
sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$man" |
    awk '/^\.Bd -literal/ { n++; f = 1; next } /^\.Ed/ { f = 0; next }
	f { print > (dir "/ex" n ".sh") }' dir="$T"
sed -i 's/\\e$/\\/' "$T"/ex*.sh
printf 'finder:\n  num_iter: 10\nscheduler:\n  name: cosine\n  total_steps: 20\n' \
    >"$T/cfg.yaml"
is "$(ls "$T"/ex*.sh | wc -l)" 6 "man: six examples"
for f in "$T"/ex*.sh; do
	run sh -c "cd '$T' && sh -e '$f'"
	check_status 0 "man example $(basename "$f"): $(head -n 1 "$f")"
	check_err "" "man example $(basename "$f")"
done
run sh -c "cd '$T' && sh ex2.sh"
check_out "$(out '# step|lr' '#@ schedule mode=exp start=1e-05 end=10 num=5' \
    '0|1e-05' '1|0.000316227766' '2|0.01' '3|0.316227766' '4|10')" \
    "man: five rates, each 10^1.5 times the one before"
run sh -c "cd '$T' && sh ex4.sh"
check_out "$(out '#@ schedule mode=onecycle max_lr=0.002 num=3000 pct_start=0.3 div_factor=25 final_div_factor=10000' \
    '899|0.002')" "man: the one-cycle peak at step 899"
run sh -c "cd '$T' && sh ex5.sh"
is "$(($(wc -l <"$T/out")))" 26 "man: triangular2 example, 24 records"
ok "man page lints clean" test -z "$(mandoc -Tlint -Wwarning "$man" 2>&1)"

# a number beyond a long: the valid range, not a long's (issue 18, 8)
run lrf-schedule -n 99999999999999999999
check_status 2 "-n beyond a long"
is "$(head -n 1 "$T/err")" "lrf-schedule: -n: '99999999999999999999' is out of range (0, or 2 to 9223372036854775807)" \
    "-n beyond a long: the valid range"
finish
