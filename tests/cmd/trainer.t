#!/bin/sh
# lrf-find --trainer (finder.trainer): a program of the user's that speaks
# the record protocol in lrf-train's place, with the same run directory;
# lib/python/lrf.py, the module that makes a Python loop one.
. "$(dirname "$0")/../lib.sh"

cfg=$data/find-blobs.yaml
cd "$T" || exit 1
unset PYTHONPATH LRF_SEED LRF_CONFIG

# A trainer in awk: the README's curve (falls fastest at 1e-4, diverges
# past 1), each record flushed; "#@" lines passed on; its seed from the
# environment lrf-find gives it, a little in the loss and in a "#@" line.
cat >tr.awk <<'EOF2'
BEGIN { print "# step\tlr\tloss"; fflush(); s = ENVIRON["LRF_SEED"] }
/^#@/ { print; fflush(); next }
/^#/ { next }
{	x = log($2) / log(10)
	printf "%d\t%s\t%.6f\n", n++, $2,
	    2.3 - 1.5 / (1 + exp(-3 * (x + 4))) + exp(3 * x) + s / 1e4
	if (n == 1) printf "#@ trainer seed=%s\n", s
	fflush() }
EOF2

run lrf-find -c "$cfg" --set finder.start_lr=1e-6 --trainer 'awk -f tr.awk' \
    --dir one -q
check_status 0 "lrf-find --trainer 'awk -f tr.awk' (a path relative to where lrf-find runs)"
check_err "" "... quiet"
lr=$(cat "$T/out")
for f in records.tsv suggestion.json config.yaml command.sh lr_finder.gp; do
	ok "$f written" test -s "one/$f"
done
is "$(jq -r .lr one/suggestion.json)" "$lr" "suggestion.json: the rate on stdout"
ok "the run stopped where the loss diverged" \
    grep -q '^#@ stop reason=diverged ' one/records.tsv
ok "config.yaml says which trainer" grep -qx '  trainer: "awk -f tr.awk"' one/config.yaml
ok "the trainer had the seed (LRF_SEED: train.seed)" grep -qx '#@ trainer seed=7' one/records.tsv
# the same records as the pipeline by hand, with the run's config
lrf-schedule -c one/config.yaml | LRF_SEED=7 awk -f tr.awk |
    lrf-smooth -c one/config.yaml | lrf-suggest -c one/config.yaml -a >want.tsv
ok "records.tsv: the pipeline by hand, byte for byte" cmp -s want.tsv one/records.tsv
ok "the suggestion lies between the steepest fall and the divergence" \
    awk -v x="$lr" 'BEGIN { exit !(x > 1e-4 && x < 1) }'

# command.sh: any POSIX sh (dash here) reruns it, from anywhere
mkdir again
(cd / && dash "$T/one/command.sh" "$T/again") 2>"$T/err"
is "$?" 0 "dash command.sh DIR"
check_err "" "... without a word"
ok "... records.tsv byte for byte" cmp -s one/records.tsv again/records.tsv
ok "command.sh has no bash in it" sh -c '! grep -Eq "pipefail|bash|\[\[|\(\(" one/command.sh'

# the config key does the same as the flag
run lrf-find -c "$cfg" --set finder.start_lr=1e-6 \
    --set 'finder.trainer=awk -f tr.awk' --dir key -q
check_status 0 "--set finder.trainer=..."
ok "... the same records" cmp -s one/records.tsv key/records.tsv

# --repeat: each run its seed in LRF_SEED; command.sh reruns them all
run lrf-find -c "$cfg" --set finder.start_lr=1e-6 --trainer 'awk -f tr.awk' \
    --repeat 2 --dir rep -q
check_status 0 "--trainer --repeat 2"
is "$(grep -h '^#@ trainer' rep/smooth-1.tsv rep/smooth-2.tsv | tr '\n' ' ')" \
    "#@ trainer seed=7 #@ trainer seed=8 " "each run its seed"
mkdir rep2
dash rep/command.sh "$T/rep2" 2>"$T/err"
is "$?" 0 "dash command.sh of --repeat 2"
ok "... records.tsv byte for byte" cmp -s rep/records.tsv rep2/records.tsv
ok "... smooth-2.tsv byte for byte" cmp -s rep/smooth-2.tsv rep2/smooth-2.tsv

# A trainer that fails: lrf-find says which, in its words; nothing left
run lrf-find -c "$cfg" --trainer 'echo oops >&2; exit 3' --dir bad -q
check_status 1 "a trainer that fails (exit status)"
ok "its message comes through" grep -qx oops "$T/err"
ok "lrf-find names the trainer and its status" grep -qx \
    "lrf-find: the trainer 'echo oops >&2; exit 3' failed (exit status 3)" "$T/err"
is "$(ls -a | grep -c bad)" 0 "no run directory left"
# one killed by SIGPIPE when lrf-smooth has stopped the stream is not a
# failure (a shell loop: its awk dies at the first write after the stop,
# with thousands of rates of the unbounded schedule still to go, and sh
# says so as status 128 + 13)
cat >tr.sh <<'EOF2'
printf '# lr\tloss\n'
while read -r s lr; do
	case $s in '#'*) continue ;; esac
	awk -v lr="$lr" 'BEGIN { x = log(lr) / log(10)
	    printf "%s\t%.6f\n", lr, 2.3 - 1.5 / (1 + exp(-3 * (x + 4))) + exp(3 * x) }'
done
EOF2
run lrf-find -c "$cfg" --set finder.num_iter=0 --set finder.start_lr=1e-3 \
    --trainer 'sh tr.sh' --dir cut
check_status 0 "a trainer killed by SIGPIPE after the stop"
ok "... logged, not failed" grep -q \
    "the trainer 'sh tr.sh' exited with status 141 after the stream was stopped (ignored)" "$T/err"
ok "... with a suggestion" test -s cut/suggestion.json

# what a trainer of the user's has not got
run lrf-find -c "$cfg" --trainer 'awk -f tr.awk' --val --dir x
check_status 2 "--val with a trainer (exit status)"
is "$(sed -n 1p "$T/err")" \
    "lrf-find: --val: not with a trainer of your own (finder.trainer): it has no such option" \
    "--val with a trainer: said"

# ---- lib/python/lrf.py, standard library only --------------------------
py=/usr/bin/python3
line=$top/examples/python/line.py
if ! [ -x $py ]; then
	skip "no $py"
	finish
	exit
fi
# lrf-find puts the module on PYTHONPATH itself
run lrf-find --set finder.num_iter=0 --set finder.start_lr=1e-4 \
    --trainer "$py $line" --dir py -q
check_status 0 "lrf-find --trainer 'python3 examples/python/line.py'"
check_err "" "... no traceback, no word"
ok "the loss fell, then diverged" grep -q '^#@ stop reason=diverged' py/records.tsv
ok "a suggestion below the divergence" \
    awk -v x="$(cat "$T/out")" 'BEGIN { exit !(x > 1e-2 && x < 1) }'
is "$(sed -n 1,2p py/records.tsv | cut -c 1-30)" \
    "$(printf '# step\tlr\tloss\tsmooth\n#@ schedule mode=exp start=0.0')" \
    "the header written, the #@ schedule line passed on"
mkdir py2
dash py/command.sh "$T/py2" 2>"$T/err"
is "$?" 0 "dash command.sh with the Python trainer"
ok "... records.tsv byte for byte" cmp -s py/records.tsv py2/records.tsv

# the module: quiet when the reader goes away (the unbounded schedule
# leaves it thousands of rates to go when head has gone: certain)
export PYTHONPATH=$top/lib/python
lrf-schedule -n 0 -s 1e-4 | { $py "$line" 2>err1; echo $? >s1; } | run head -n 4
is "$(cat s1)" 0 "a trainer exits 0 when its reader goes away"
is "$(cat err1)" "" "... without a traceback"
is "$(cut -f 1-2 "$T/out" | sed -n '1p;3,4p' | tr '\t\n' ' |')" \
    "# step lr|0 0.0001|1 0.000109749877|" "the records: step and the rate read"
# positional input: the last field; bad input named by line
printf '0.001\n7 0.002\n' | $py "$line" >out1
is "$(cut -f 1-2 out1 | tr '\t\n' ' |')" "# step lr|0 0.001|1 0.002|" \
    "no header: the last field is the rate"
printf '0.001\nfoo\n' | $py "$line" >/dev/null 2>err1
is "$?" 1 "a rate that is not a number: exit 1"
is "$(cat err1)" "line.py: stdin:2: 'foo' is not a number" "... named by its line"
# restoring(): the state put back at the end of the input and when the
# reader goes away; rates() passes "#@" lines on
cat >rest.py <<'EOF2'
import sys
import lrf

class M:
    w = 0.0
    def state_dict(self):
        return {"w": self.w}
    def load_state_dict(self, s):
        print("restored", self.w, "to", s["w"], file=sys.stderr)
        self.w = s["w"]

m = M()
with lrf.restoring(m):
    for lr in lrf.rates():
        m.w += 1
        lrf.report(m.w)
print("after", m.w, file=sys.stderr)
EOF2
printf '# step\tlr\n#@ x a=1\n0\t0.5\n1\t0.25\n' | $py rest.py >out1 2>err1
is "$(cat err1 | tr '\n' '|')" "restored 2.0 to 0.0|after 0.0|" \
    "restoring: the state back at the end of the input"
is "$(cat out1 | tr '\t\n' ' |')" "# step lr loss|#@ x a=1|0 0.5 1|1 0.25 2|" \
    "rates and report: header, #@ passed on, one record a rate"
lrf-schedule -n 0 | { $py rest.py 2>err1; echo $? >s1; } | head -n 3 >/dev/null
is "$(cat s1) $(grep -c '^restored .* to 0.0$' err1) $(grep -c after err1)" "0 1 0" \
    "restoring: the state back when the reader goes away, exit 0"
unset PYTHONPATH

# ---- PyTorch: the example and lrf(7)'s loop, as printed --------------
if ! $py -c 'import importlib.util as u, sys
sys.exit(u.find_spec("torch") is None)' 2>/dev/null; then
	skip "torch not installed"
	skip "torch not installed"
	finish
	exit
fi
run lrf-find --set finder.num_iter=0 --set finder.start_lr=1e-5 \
    --trainer "$py $top/examples/torch/train.py --synthetic" --dir torch -q
check_status 0 "lrf-find --trainer examples/torch/train.py"
check_err "" "... without a word"
awk '/^\.Bd -literal/ { lit = 1; n++; next } /^\.Ed/ { lit = 0 }
    lit && /^import/ { py = 1 } lit && py { print } !lit { py = 0 }' \
    "$top/man/lrf.7" >lrf7.py
ok "lrf(7) prints a PyTorch loop with lrf.py" grep -q 'lrf.rates()' lrf7.py
run lrf-find --set finder.num_iter=0 --set finder.start_lr=1e-5 \
    --trainer "$py lrf7.py" --dir lrf7 -q
check_status 0 "lrf(7)'s loop, verbatim, through lrf-find"
check_err "" "... without a word"
ok "... its loss diverged at the end" grep -q '^#@ stop reason=' lrf7/records.tsv
finish
