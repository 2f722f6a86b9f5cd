#!/bin/sh
# Long streams in constant memory: lrf-smooth and lrf-train over ten
# million records each, each one's peak RSS against that of a 1000-record
# stream (/usr/bin/time -f %M).
#
# Anything kept per record costs at least the 16 bytes of glibc's
# smallest allocation (32 under ASan), 160 MB over 10^7 records against
# the 1 MB allowed, so a leak of one allocation per record, or of one
# record's text, fails by a factor of 160; a buffer that grows with the
# stream fails sooner.  Ten million records take some 13 s on two cores
# now that the filters flush only when they are about to wait for input
# (lrf(7)); while they flushed every record they took 140 s.  Under the
# sanitizers (ASAN_OPTIONS set) both are ten times slower and run a
# million and 200,000: 32 MB and 6.4 MB of 32-byte allocations, still 6
# times the limit and more.
. "$(dirname "$0")/../lib.sh"

if [ ! -x /usr/bin/time ]; then
	skip "no /usr/bin/time (Debian package time)"
	finish
	exit
fi
nsmooth=10000000
ntrain=10000000
if [ -n "${ASAN_OPTIONS:-}" ]; then
	nsmooth=1000000
	ntrain=200000
fi

cat > "$T/tiny.yaml" <<'EOF'
data: {format: synthetic, kind: blobs, samples: 64, features: 2, classes: 2, folds: 2}
model:
  layers:
    - {type: dense, units: 2}
optimizer: {name: sgd, momentum: 0}
train: {batch_size: 1, threads: 1}
EOF

# records N COLS: N records, "lr loss" (COLS 2) or "lr" (COLS 1), the loss
# periodic over 1000 records (yes repeats them: awk would take longer to
# write ten million than the filters take to read them)
records() {
	if [ "$2" = 2 ]; then
		yes "$(seq -f '1e-7 2.%03g' 0 999)"
	else
		yes 1e-7
	fi | head -n "$1"
}
# stream N COLS CMD...: N records into CMD; its peak RSS (KB) in $T/rss,
# exit status in $T/status, stderr in $T/err, the records it wrote (lines
# not starting with #) in $T/count
stream() {
	records "$1" "$2" | { shift 2; /usr/bin/time -f %M -o "$T/rss" "$@" \
	    2>"$T/err"; echo $? >"$T/status"; } | grep -vc '^#' >"$T/count"
}
# constant N COLS CMD...: CMD over N records and over 1000, the same memory
constant() {
	n=$1 cols=$2; shift 2
	stream 1000 "$cols" "$@"
	small=$(cat "$T/rss")
	stream "$n" "$cols" "$@"
	big=$(cat "$T/rss")
	check_status 0 "$1 over $n records"
	check_err "" "$1 over $n records"
	is "$(cat "$T/count")" "$n" "$1 over $n records: every record out"
	diag "$1: peak RSS $small KB for 1000 records, $big KB for $n"
	ok "$1: peak RSS over $n records within 1 MB of that over 1000" \
	    test "$big" -le $((small + 1024))
}

constant "$nsmooth" 2 lrf-smooth -k
constant "$ntrain" 1 lrf-train -c "$T/tiny.yaml"
finish
