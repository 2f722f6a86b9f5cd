#!/bin/sh
# lrf-smooth: the EMA, the divergence cut, the stream format, every error.
. "$(dirname "$0")/../lib.sh"

tab=$(printf '\t')
# a usage error is one line that says what is wrong, then this one
usage="try 'lrf-smooth -h'"

# out LINE...: the lines joined by newlines, with \t for TAB.
out() { printf '%b\n' "$@"; }

# -h
run lrf-smooth -h
check_status 0 "-h"
check_err "" "-h"
check_out "$(cat <<'EOF'
usage: lrf-smooth [-hk] [-b beta] [-c file] [-d ratio] [--lr-col col]
                  [--loss-col col] [file]
  -b, --beta beta      EMA factor in [0, 1), 0 for none [0.98]
  -c, --config file    take finder.beta and finder.diverge_threshold from file
  -d, --diverge ratio  stop when smooth > ratio * best, ratio > 1 [4]
  -k, --keep           mark the divergence but do not stop
      --lr-col col     learning-rate column, name or number [lr]
      --loss-col col   loss column, name or number [loss]
      --set sec.key=v  set a key of the file, lrf-config(5) (repeatable)
  -h, --help           print this help and exit
      --version        print the version and exit
EOF
)" "-h prints the usage with defaults"

# positional input: one record
printf '1e-3 2.3\n' | run lrf-smooth
check_status 0 "positional"
check_err "" "positional"
check_out "$(out '# lr\tloss\tsmooth' '1e-3\t2.3\t2.3')" "positional record"

# beta 0.5 by hand: 4, (0.5*2 + 0.5*2)/0.75 = 2.66666667,
# (0.5*2 + 0.5*6)/0.875 = 4.57142857, (0.5*4 + 0.5*40)/0.9375 = 23.4666667
# > 4 * 2.66666667: stop after step 13, written with the step column's value
printf '# step lr loss\n#@ schedule mode=exp num=5\n10 1e-4 4\n# note\n11 1e-3 2\n12 1e-2 6\n13 1e-1 40\n14 1 50\n' |
    run lrf-smooth -b 0.5
check_status 0 "diverging run"
check_err "" "diverging run"
check_out "$(out '# step\tlr\tloss\tsmooth' \
    '#@ schedule mode=exp num=5' \
    '10\t1e-4\t4\t4' \
    '# note' \
    '11\t1e-3\t2\t2.66666667' \
    '12\t1e-2\t6\t4.57142857' \
    '13\t1e-1\t40\t23.4666667' \
    '#@ stop reason=diverged step=13 lr=0.1 smooth=23.4666667 best=2.66666667')" \
    "cut after the record that diverged, comments in place"

# with -d 10 the same run goes to its end
printf '# step lr loss\n10 1e-4 4\n11 1e-3 2\n12 1e-2 6\n13 1e-1 40\n' |
    run lrf-smooth --beta=0.5 --diverge=10
check_out "$(out '# step\tlr\tloss\tsmooth' '10\t1e-4\t4\t4' \
    '11\t1e-3\t2\t2.66666667' '12\t1e-2\t6\t4.57142857' \
    '13\t1e-1\t40\t23.4666667')" "-d 10: 23.47 < 26.67 goes on"

# the cut is at the exact record: 4 = 4 * 1 goes on, 4.5 > 4 stops; without
# a step column, step is the 0-based record number
printf '1e-5 2\n1e-4 1\n1e-3 4\n1e-2 4.5\n1e-1 1\n' | run lrf-smooth -b 0
check_status 0 "exact record"
check_out "$(out '# lr\tloss\tsmooth' '1e-5\t2\t2' '1e-4\t1\t1' \
    '1e-3\t4\t4' '1e-2\t4.5\t4.5' \
    '#@ stop reason=diverged step=3 lr=0.01 smooth=4.5 best=1')" \
    "stops at 4.5 > 4 * 1, not at 4 = 4 * 1"

# -k marks once and goes on
printf '1e-5 2\n1e-4 1\n1e-3 5\n1e-2 6\n1e-1 1\n' | run lrf-smooth -b 0 -k
check_status 0 "-k"
check_out "$(out '# lr\tloss\tsmooth' '1e-5\t2\t2' '1e-4\t1\t1' \
    '1e-3\t5\t5' \
    '#@ stop reason=diverged step=2 lr=0.001 smooth=5 best=1' \
    '1e-2\t6\t6' '1e-1\t1\t1')" "-k: one mark, every record"

# non-finite losses stop the stream
printf '1e-5 2\n1e-4 nan\n1e-3 1\n' | run lrf-smooth
check_status 0 "nan"
check_err "" "nan"
check_out "$(out '# lr\tloss\tsmooth' '1e-5\t2\t2' '1e-4\tnan\tnan' \
    '#@ stop reason=nonfinite step=1 lr=0.0001 smooth=nan best=2')" \
    "nan stops with reason=nonfinite"
printf '1e-5 inf\n1e-4 1\n' | run lrf-smooth
check_out "$(out '# lr\tloss\tsmooth' '1e-5\tinf\tinf' \
    '#@ stop reason=nonfinite step=0 lr=1e-05 smooth=inf best=inf')" \
    "inf first: no best yet"
printf '1e-5 1\n1e-4 -inf\n1e-3 1\n' | run lrf-smooth -b 0 -k
check_out "$(out '# lr\tloss\tsmooth' '1e-5\t1\t1' '1e-4\t-inf\t-inf' \
    '#@ stop reason=nonfinite step=1 lr=0.0001 smooth=-inf best=1' \
    '1e-3\t1\t1')" "-inf, kept with -k"
printf '1e-5 1\n1e-4 NaN\n1e-3 1\n' | run lrf-smooth -k
check_out "$(out '# lr\tloss\tsmooth' '1e-5\t1\t1' '1e-4\tNaN\tnan' \
    '#@ stop reason=nonfinite step=1 lr=0.0001 smooth=nan best=1' \
    '1e-3\t1\tnan')" "after a nan the average stays nan"

# losses that are not positive: no ratio test
printf '1e-5 -1\n1e-4 -2\n1e-3 50\n1e-2 100\n' | run lrf-smooth -b 0
check_status 0 "negative losses"
check_out "$(out '# lr\tloss\tsmooth' '1e-5\t-1\t-1' '1e-4\t-2\t-2' \
    '1e-3\t50\t50' '1e-2\t100\t100')" "best <= 0: no cut"
printf '1e-5 0\n1e-4 9\n' | run lrf-smooth -b 0
check_out "$(out '# lr\tloss\tsmooth' '1e-5\t0\t0' '1e-4\t9\t9')" \
    "best 0: no cut"

# an existing smooth column is replaced, not doubled; extra columns stay
printf '# lr\tloss\tsmooth\tgrad_norm\n1e-4\t4\t0\t7\n1e-3\t2\t0\t8\n' |
    run lrf-smooth -b 0.5
check_out "$(out '# lr\tloss\tsmooth\tgrad_norm' '1e-4\t4\t4\t7' \
    '1e-3\t2\t2.66666667\t8')" "smooth replaced in place"
printf '1e-4 4 x\n1e-3 2 y\n' | run lrf-smooth -b 0.5
check_out "$(out '# lr\tloss\tsmooth' '1e-4\t4\t4' '1e-3\t2\t2.66666667')" \
    "positional third column is smooth"
printf '1e-4 4 0 a\n' | run lrf-smooth
check_out "$(out '# lr\tloss\tsmooth\tcol4' '1e-4\t4\t4\ta')" \
    "positional fourth column is col4"

# comments before the first positional record follow the header
printf '#@ schedule mode=exp num=2\n# by hand\n1e-4 4\n# mid\n1e-3 4\n' |
    run lrf-smooth
check_out "$(out '# lr\tloss\tsmooth' '#@ schedule mode=exp num=2' \
    '# by hand' '1e-4\t4\t4' '# mid' '1e-3\t4\t4')" "leading comments"

# CRLF line ends, blanks of any kind, blank lines
printf '# lr loss\r\n1e-4 \t 4\r\n\r\n1e-3\t2\r\n' | run lrf-smooth -b 0.5
check_status 0 "CRLF"
check_out "$(out '# lr\tloss\tsmooth' '1e-4\t4\t4' '1e-3\t2\t2.66666667')" \
    "CRLF input"

# columns by name and by number
printf '# it\ttrain_loss\trate\n0 4 1e-4\n1 2 1e-3\n' |
    run lrf-smooth -b 0.5 --lr-col rate --loss-col train_loss
check_out "$(out '# it\ttrain_loss\trate\tsmooth' '0\t4\t1e-4\t4' \
    '1\t2\t1e-3\t2.66666667')" "columns by name"
printf '# it\ttrain_loss\trate\n0 4 1e-4\n1 2 1e-3\n' |
    run lrf-smooth -b 0.5 --lr-col=3 --loss-col=2
check_out "$(out '# it\ttrain_loss\trate\tsmooth' '0\t4\t1e-4\t4' \
    '1\t2\t1e-3\t2.66666667')" "columns by number"

# a file operand, and - for stdin
printf '1e-3 1\n' >"$T/one.tsv"
run lrf-smooth "$T/one.tsv"
check_out "$(out '# lr\tloss\tsmooth' '1e-3\t1\t1')" "file operand"
printf '1e-3 1\n' | run lrf-smooth -b 0 -
check_out "$(out '# lr\tloss\tsmooth' '1e-3\t1\t1')" "- is stdin"

# it stops reading: an endless diverging stream ends (timeout is a guard)
awk 'BEGIN { for (i = 1; ; i++) { print 1e-3, i; fflush() } }' 2>/dev/null |
    run timeout 20 lrf-smooth -b 0
check_status 0 "endless input"
check_out "$(out '# lr\tloss\tsmooth' '0.001\t1\t1' '0.001\t2\t2' \
    '0.001\t3\t3' '0.001\t4\t4' '0.001\t5\t5' \
    '#@ stop reason=diverged step=4 lr=0.001 smooth=5 best=1')" \
    "endless input is cut at 5 > 4"

# a reader that goes away: exit 0, not a word
awk 'BEGIN { for (i = 0; i < 200000; i++) print 1e-3, 1 }' >"$T/long.tsv"
{ lrf-smooth "$T/long.tsv" 2>"$T/err"; echo $? >"$T/status"; } | head -n 1 \
    >/dev/null
check_fails 0 "" "reader gone (EPIPE)"

# a write error is a failure
run sh -c 'printf "1e-3 1\n" | lrf-smooth >/dev/full'
check_fails 1 "lrf-smooth: stdout: write error: No space left on device" \
    "full disk"

# bad data: exit 1, file:line and what
printf '1e-3 2\n1e-2 abc\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:2: field 2 'abc' is not a number" \
    "non-numeric loss"
check_out "$(out '# lr\tloss\tsmooth' '1e-3\t2\t2')" \
    "records before the error are out"
printf '1e-3 1e999\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:1: field 2 '1e999' is out of range" \
    "overflowing loss"
printf 'x 1\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:1: field 1 'x' is not a number" \
    "non-numeric lr"
printf '0 1\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:1: learning rate '0' is not positive and finite" \
    "zero lr"
printf '1e-3 1\n-1e-3 1\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:2: learning rate '-1e-3' is not positive and finite" \
    "negative lr"
printf 'nan 1\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:1: learning rate 'nan' is not positive and finite" \
    "nan lr"
printf '# step loss\n0 1\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:1: no column 'lr' (columns: step loss)" \
    "no lr column"
printf '# step\tlr\n0 1\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:1: no column 'loss' (columns: step lr)" \
    "no loss column"
printf '1e-3\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:1: no column 'loss' (columns: lr)" \
    "positional, one column"
printf '1e-3 1\n' | run lrf-smooth --loss-col 5
check_fails 1 "lrf-smooth: stdin:1: no column '5' (columns: lr loss)" \
    "column number out of range"
printf '' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin: no records" "empty input"
check_out "" "empty input: no output"
printf '# lr\tloss\n# only a comment\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin: no records" "header without data"
printf '# lr loss lr\n1 2 3\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:1: duplicate column name 'lr'" \
    "duplicate column names"
printf '1e-3 1\n1e-3 1 1 1\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:2: 4 fields, expected 2 (as in the first record)" \
    "ragged record"
printf '1e-3 1\n1e-3 1\0\n' | run lrf-smooth
check_fails 1 "lrf-smooth: stdin:2: NUL byte in line" "NUL byte"
awk 'BEGIN { printf "1e-3 1\n1e-3 "; for (i = 0; i < 1048576; i++) printf "1"; print "" }' |
    run lrf-smooth
check_fails 1 "lrf-smooth: stdin:2: line longer than 1048576 bytes" \
    "line of 1 MB"
awk 'BEGIN { printf "# "; for (i = 0; i < 1100000; i++) printf "x"; print "" }' |
    run lrf-smooth
check_fails 1 "lrf-smooth: stdin:1: line longer than 1048576 bytes" \
    "header of 1 MB"
run lrf-smooth "$T/nonexistent.tsv"
check_fails 1 "lrf-smooth: $T/nonexistent.tsv: No such file or directory" \
    "missing file"

# bad options: exit 2, message and usage on stderr
for args in "-b 2|-b: '2' is not in [0, 1)" \
    "-b 1|-b: '1' is not in [0, 1)" \
    "-b -0.1|-b: '-0.1' is not in [0, 1)" \
    "-b abc|-b: 'abc' is not a finite number" \
    "-b nan|-b: 'nan' is not a finite number" \
    "-d 1|-d: '1' is not greater than 1" \
    "-d 0.5|-d: '0.5' is not greater than 1" \
    "-d inf|-d: 'inf' is not a finite number" \
    "-d 1e999|-d: '1e999' is not a finite number" \
    "a b|too many operands"; do
	set -f
	set -- ${args%%|*}
	set +f
	printf '1e-3 1\n' | run lrf-smooth "$@"
	check_fails 2 "lrf-smooth: ${args#*|}
$usage" "lrf-smooth ${args%%|*}"
	check_out "" "lrf-smooth ${args%%|*}: nothing on stdout"
done
run lrf-smooth --bogus
check_fails 2 "lrf-smooth: unrecognized option '--bogus'
$usage" "unknown option"
run lrf-smooth -b
check_fails 2 "lrf-smooth: option requires an argument -- 'b'
$usage" "missing option value"

# -c: the finder section of an experiment file; flags win
printf 'finder:\n  beta: 0.5\n  diverge_threshold: 10\n' >"$T/cfg.yaml"
printf '1e-4 4\n1e-3 2\n1e-2 6\n1e-1 40\n' | run lrf-smooth -c "$T/cfg.yaml"
check_status 0 "-c"
check_out "$(out '# lr\tloss\tsmooth' '1e-4\t4\t4' \
    '1e-3\t2\t2.66666667' '1e-2\t6\t4.57142857' \
    '1e-1\t40\t23.4666667')" "-c: beta 0.5, threshold 10"
printf '1e-4 4\n1e-3 2\n1e-2 6\n1e-1 40\n' | run lrf-smooth -c "$T/cfg.yaml" -d 4
check_out "$(out '# lr\tloss\tsmooth' '1e-4\t4\t4' \
    '1e-3\t2\t2.66666667' '1e-2\t6\t4.57142857' \
    '1e-1\t40\t23.4666667' \
    '#@ stop reason=diverged step=3 lr=0.1 smooth=23.4666667 best=2.66666667')" \
    "-d on the command line wins over the file"
printf '1e-4 4\n1e-3 2\n' | run lrf-smooth -b 0 --config="$T/cfg.yaml"
check_out "$(out '# lr\tloss\tsmooth' '1e-4\t4\t4' '1e-3\t2\t2')" \
    "-b on the command line wins over the file"
# the loader's own messages are its business; here: status, where, no output
for bad in "nonexistent.yaml|" "beta2.yaml|finder:\n  beta: 2\n" \
    "thresh1.yaml|finder:\n  diverge_threshold: 1\n" \
    "typo.yaml|finder:\n  diverge_treshold: 3\n"; do
	f=${bad%%|*}
	[ -n "${bad#*|}" ] && printf '%b' "${bad#*|}" >"$T/$f"
	printf '1e-3 1\n' | run lrf-smooth -c "$T/$f"
	check_status 1 "-c $f"
	ok "-c $f: one message naming the file" sh -c \
	    "[ \$(wc -l <'$T/err') -eq 1 ] && grep -q '^lrf-smooth: $T/$f' '$T/err'"
	check_out "" "-c $f: no output"
done

# the EXAMPLES of the man page, run and compared
mkdir "$T/ex" "$T/work"
cp "$data/smooth-run.tsv" "$T/work/run.tsv"
n=$(awk -v dir="$T/ex" -f "$data/smooth-examples.awk" "$top/man/lrf-smooth.1")
is "$n" 4 "the man page has 4 examples"
i=1
while [ "$i" -le "$n" ]; do
	(cd "$T/work" && run sh "$T/ex/$i.sh")
	check_status 0 "example $i"
	check_outfile "$T/ex/$i.out" "example $i (stdout)"
	i=$((i + 1))
done

ok "man page lints clean" sh -c \
    "! mandoc -Tlint -Wwarning '$top/man/lrf-smooth.1' 2>&1 | grep -q ."

finish
