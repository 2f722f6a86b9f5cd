#!/bin/sh
# examples/torch/train.py: a PyTorch trainer between lrf-schedule and
# lrf-smooth speaks the record protocol, gives a suggestion, and stops
# within a step when lrf-smooth cuts the stream.  Skipped without torch.
. "$(dirname "$0")/../lib.sh"

py=/usr/bin/python3
train=$top/examples/torch/train.py
# Looked up, not imported: importing torch takes seconds.
if ! $py -c 'import importlib.util as u, sys
sys.exit(u.find_spec("torch") is None)' 2>/dev/null; then
	echo "1..1"
	echo "ok 1 # SKIP torch not installed"
	exit 0
fi

# out LINE...: the lines joined by newlines, with \t for TAB.
out() { printf '%b\n' "$@"; }

# The whole range test on an unbounded schedule, which only lrf-smooth's
# cut can end: every stage must stop and exit 0 (sh has no pipefail: each
# stage writes its status).  A train.py that read its input to the end
# before training would never stop (timeout: 124).
{ lrf-schedule -n 0 -s 1e-5; echo $? >"$T/s1"; } |
    { timeout 120 $py "$train" --synthetic 2>"$T/err1"; echo $? >"$T/s2"; } |
    tee "$T/train.tsv" | { lrf-smooth; echo $? >"$T/s3"; } |
    run lrf-suggest -a
check_status 0 "lrf-schedule -n 0 | train.py | lrf-smooth | lrf-suggest -a"
is "$(cat "$T/s1") $(cat "$T/s2") $(cat "$T/s3")" "0 0 0" \
    "lrf-smooth's cut stops train.py and lrf-schedule: exit 0, not killed"
is "$(cat "$T/err1")" "" "train.py stops without a traceback"
ok "lrf-smooth cut the stream where the loss diverged" \
    grep -Eq '^#@ stop reason=(diverged|nonfinite) ' "$T/out"
ok "a suggestion comes out" \
    grep -Eq '^#@ suggest method=floor lr=[0-9.e-]+ loss=[0-9.]+ confidence=(high|low( reasons=[a-z,-]+)?)$' "$T/out"
n=$(grep -c '^[0-9]' "$T/train.tsv")
is "$(sed -n 1,2p "$T/train.tsv")" \
    "$(out '# step\tlr\tloss' '#@ schedule mode=exp start=1e-05 end=1 num=0 ratio=1.12332403')" \
    "train.py: the header, then the schedule line passed through"
is "$(awk 'NR > 2 { printf "%s ", $1 }' "$T/train.tsv" | cut -d ' ' -f 1-5)" \
    "0 1 2 3 4" "train.py: steps from 0"
is "$(awk 'NR > 2 { print $2 }' "$T/train.tsv")" \
    "$(lrf-schedule -n 0 -s 1e-5 | awk -v n="$n" 'NR > 2 { print $2 }
	NR == n + 2 { exit }')" "train.py: the rates it read"
is "$(awk 'NR > 2 && !($3 ~ /^[0-9.]+(e-?[0-9]+)?$|^nan$|^inf$/)' \
    "$T/train.tsv")" "" "train.py: a loss per step"

# Without a header the rate is the last field; a reader that stops reading
# (head) ends train.py quietly.  The rates go on without end (yes), so
# that train.py certainly writes after head has gone: with three rates
# only, whether it met EPIPE or the end of its input first depended on
# the scheduling (and a slow machine once made the test flaky).  On
# Fashion-MNIST when it is installed.
fm=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
if [ -r $fm ]; then what="Fashion-MNIST"; flag=; else
	what="synthetic data"; flag=--synthetic; fi
{ printf '0.001\n7 0.002\n8 0.003\n'; yes 0.004; } 2>/dev/null |
    { $py "$train" $flag 2>"$T/err1"; echo $? >"$T/s2"; } | run head -n 3
is "$(cut -f 1-2 "$T/out")" "$(out '# step\tlr' '0\t0.001' '1\t0.002')" \
    "positional input: the last field is the rate"
is "$(cat "$T/s2")" 0 "train.py exits 0 when its reader goes away"
is "$(cat "$T/err1")" "" "... without a word"
if [ -r $fm ]; then
	is "$(awk 'NR > 1 && $3 > 2 && $3 < 2.6 { n++ } END { print n }' \
	    "$T/out")" 2 "Fashion-MNIST from the IDX files: losses near ln 10"
else
	skip "no Fashion-MNIST"
fi

finish
