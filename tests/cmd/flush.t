#!/bin/bash
# The flush policy (lrf(7)): a filter flushes its output when it is about
# to wait for input and at the end, never per record while more input is
# at hand.  A slow producer's record comes out at once; a fast stream
# goes out in full buffers (counted with strace: write calls per byte).
. "$(dirname "$0")/../lib.sh"

# slowfeed: one record, then (3 s later) a second.  The reader must see
# the first record's line within 2 s, before the second one exists.
slowfeed() { printf '%s\n' "$1"; sleep 3; printf '%s\n' "$2"; }
# first CMD...: the first line of CMD's output that is not a comment, if
# it comes within 2 s; the rest drained
first() {
	"$@" 2>/dev/null | { l=
		while IFS= read -r -t 2 l && [ "${l#\#}" != "$l" ]; do l=; done
		printf '%s\n' "$l"; cat >/dev/null; }
}

got=$(slowfeed '0.001 2' '0.002 2' | first lrf-smooth -k)
is "$got" "$(printf '0.001\t2\t2')" "lrf-smooth: a slow producer's record out at once"

got=$(slowfeed '0.001 2' '0.002 2' | first lrf-suggest -a)
is "$got" "0.001 2" "lrf-suggest -a: a slow producer's record out at once"

cat > "$T/tiny.yaml" <<'YAML'
data: {format: synthetic, kind: blobs, samples: 64, features: 2, classes: 2, folds: 2}
model:
  layers:
    - {type: dense, units: 2}
optimizer: {name: sgd, momentum: 0}
train: {batch_size: 1, threads: 1}
YAML
got=$(slowfeed 0.001 0.002 | first lrf-train -c "$T/tiny.yaml" | cut -f1,2)
is "$got" "$(printf '0\t0.001')" "lrf-train: a slow producer's record out at once"

# A slow lrf-train (steps of ~10 ms and more) feeds lrf-smooth: the first
# record is through both before the schedule's second arrives.
got=$(slowfeed 0.001 0.002 | lrf-train -c "$T/tiny.yaml" 2>/dev/null |
    first lrf-smooth -k | cut -f1,2)
is "$got" "$(printf '0\t0.001')" "lrf-train | lrf-smooth: a record through both at once"

if ! command -v strace >/dev/null; then
	skip "no strace (Debian package strace)"
	skip "no strace (Debian package strace)"
	finish
	exit
fi
# writes N CMD...: CMD over N fast records into a pipe; its write calls
# to stdout in $T/writes, its output's bytes in $T/bytes
writes() {
	n=$1; shift
	awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) print 1e-7 * (1 + i),
	    2 + (i % 7) / 10 }' > "$T/in"
	strace -f -qq -e trace=write -e signal=none -o "$T/trace" "$@" \
	    < "$T/in" | wc -c > "$T/bytes"
	grep -c '^[0-9]* *write(1,' "$T/trace" > "$T/writes"
}
# Full 64 KiB buffers: at most bytes/65536 + 2 writes (the last, partial
# buffer and one at the end of input), against one per record before.
writes 100000 lrf-smooth -k
b=$(cat "$T/bytes") w=$(cat "$T/writes")
diag "lrf-smooth: $w writes for $b bytes"
ok "lrf-smooth: fast input, output in full buffers" test "$w" -le $((b / 65536 + 2))
strace -qq -e trace=write -e signal=none -o "$T/trace" lrf-schedule -n 100000 |
    wc -c > "$T/bytes"
b=$(cat "$T/bytes") w=$(grep -c '^write(1,' "$T/trace")
diag "lrf-schedule: $w writes for $b bytes"
ok "lrf-schedule: output in full buffers" test "$w" -le $((b / 65536 + 1))
finish
