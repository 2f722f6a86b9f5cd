#!/bin/sh
# Faults: write errors and atomic outputs (--save, lrf-plot -o, lrf-find's
# run directory), signals to lrf-find and a stage that crashes, readers
# that go away, and a model whose loss becomes NaN or inf.
. "$(dirname "$0")/../lib.sh"

# a regression whose MSE overflows to inf, then NaN, at large rates
cat > "$T/r.yaml" <<'EOF'
data: {format: synthetic, kind: linear, samples: 64, features: 5, task: regression, folds: 2}
model:
  layers:
    - {type: dense, units: 4, activation: relu}
    - {type: dense, units: 1}
  loss: mse
train: {batch_size: 4, threads: 1}
EOF
cat > "$T/s.yaml" <<'EOF'
data: {format: synthetic, kind: blobs, samples: 64, features: 5, classes: 3, folds: 2}
model:
  layers:
    - {type: dense, units: 4, activation: relu}
    - {type: dense, units: 3}
train: {batch_size: 4, threads: 1}
EOF
s=$T/s.yaml
find=$data/find-blobs.yaml
# the slow experiment of find.t: a run that lasts until it is stopped
sed 's/features: 8/features: 512/; s/units: 32/units: 1024/; s/samples: 512/samples: 2048/' \
    "$find" > "$T/slow.yaml"
awk 'BEGIN { print "# lr\tloss"; for (i = 0; i < 200000; i++)
    printf "%.6g\t%.6g\n", 1e-7 * 1.0001^i, 2 + sin(i / 1000) }' > "$T/big.tsv"

# A small tmpfs, to fill: root only, and not everywhere.
mnt=$T/mnt
mkdir "$mnt"
if mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
	trap 'umount "$mnt" 2>/dev/null; rm -rf "$T"' EXIT
	tmpfs=1
else
	tmpfs=
fi
fill() { head -c 1000000 /dev/zero > "$mnt/fill" 2>/dev/null; }
# strace, to see fsync before rename
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
	strace=1
else
	strace=
fi
# trace OUT CMD...: CMD under strace, its fsyncs and renames in OUT
# (LeakSanitizer cannot run under ptrace: off for these)
trace() {
	_o=$1; shift
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -y -qq -e trace=fsync,fdatasync,rename,renameat,renameat2 \
	    -o "$_o" "$@"
}
# synced_before_rename TRACE FILE: FILE was fsync'ed, then renamed
synced_before_rename() {
	awk -v f="$2" 'index($0, "fsync(") && index($0, f) { s = 1 }
	    /rename/ && s { r = 1 } END { exit !(s && r) }' "$1"
}

# --- write errors on stdout: exit 1 and a message, every program ---------
full_out() { "$@" >/dev/full 2>"$T/err"; echo $? >"$T/status"; }
enospc="stdout: write error: No space left on device"
full_out lrf-schedule
check_fails 1 "lrf-schedule: $enospc" "lrf-schedule > /dev/full"
full_out lrf-smooth "$data/smooth-run.tsv"
check_fails 1 "lrf-smooth: $enospc" "lrf-smooth > /dev/full"
full_out lrf-suggest "$data/suggest-run.tsv"
check_fails 1 "lrf-suggest: $enospc" "lrf-suggest > /dev/full"
full_out lrf-suggest -a "$data/suggest-run.tsv"
check_fails 1 "lrf-suggest: $enospc" "lrf-suggest -a > /dev/full"
full_out lrf-plot "$data/plot-run.tsv"
check_fails 1 "lrf-plot: $enospc" "lrf-plot > /dev/full"
echo 0.1 | full_out lrf-train -c "$s"
check_fails 1 "lrf-train: $enospc" "lrf-train > /dev/full"
full_out lrf-find -c "$find" -o "$T/fullout" -q
check_fails 1 "lrf-find: $enospc" "lrf-find > /dev/full"
full_out lrf-find -h
check_fails 1 "lrf-find: $enospc" "lrf-find -h > /dev/full (issue 18, 8)"

# --- lrf-train --save ----------------------------------------------------
echo 0.1 | run lrf-train -c "$s" --save /dev/full
check_fails 1 "lrf-train: /dev/full: No space left on device" "--save /dev/full"
echo 0.1 | run lrf-train -c "$s" --save "$T/nodir/w.lrfw"
check_fails 1 "lrf-train: $T/nodir/w.lrfw: No such file or directory" \
    "--save into a missing directory fails before training"
check_out "" "--save into a missing directory: no record written"
if [ -n "$tmpfs" ]; then
	echo 0.1 | lrf-train -c "$s" --save "$mnt/w.lrfw" >/dev/null
	cp "$mnt/w.lrfw" "$T/w.before"
	fill
	printf '0.1\n0.2\n' | run lrf-train -c "$s" --save "$mnt/w.lrfw"
	check_fails 1 "lrf-train: $mnt/w.lrfw: No space left on device" \
	    "--save on a full disk"
	ok "--save on a full disk: the previous file intact" \
	    cmp -s "$mnt/w.lrfw" "$T/w.before"
	is "$(ls -A "$mnt" | tr '\n' ' ')" "fill w.lrfw " \
	    "--save on a full disk: no temporary file left"
	rm -f "$mnt"/*
else
	for i in 1 2 3 4; do skip "--save on a full tmpfs: cannot mount one"; done
fi
if [ -n "$strace" ]; then
	trace "$T/st" lrf-train -c "$s" --save "$T/w.lrfw" </dev/null >/dev/null
	ok "--save: the file is fsync'ed, then renamed" \
	    synced_before_rename "$T/st" "$T/w.lrfw."
else
	skip "--save fsync: no strace"
fi

# --- lrf-plot -o ---------------------------------------------------------
lrf-plot -o "$T/p.png" "$data/plot-run.tsv" | gnuplot
ok "-o p.png: a PNG" test "$(head -c 4 "$T/p.png" | od -An -c | tr -d ' ')" = '211PNG'
if [ -n "$tmpfs" ]; then
	lrf-plot -o "$mnt/p.png" "$data/plot-run.tsv" | gnuplot
	cp "$mnt/p.png" "$T/p.before"
	fill
	lrf-plot -o "$mnt/p.png" "$data/plot-sgd.tsv" "$data/plot-run.tsv" \
	    2>/dev/null | gnuplot 2>"$T/err"
	is "$?" 1 "-o on a full disk: gnuplot exits 1"
	is "$(sed 's/\.tmp[A-Za-z0-9]*/.tmpPID/' "$T/err")" \
	    "lrf-plot: $mnt/p.png.tmpPID is incomplete; is the disk full?" \
	    "-o on a full disk: the message"
	ok "-o on a full disk: the previous picture intact" \
	    cmp -s "$mnt/p.png" "$T/p.before"
	is "$(ls -A "$mnt" | tr '\n' ' ')" "fill p.png " \
	    "-o on a full disk: no temporary file left"
	rm -f "$mnt"/*
else
	for i in 1 2 3 4; do skip "-o on a full tmpfs: cannot mount one"; done
fi
mkfifo "$T/fifo"
(timeout 30 cat "$T/fifo" > "$T/fifo.png") &
lrf-plot -o "$T/fifo" "$data/plot-run.tsv" | timeout 30 gnuplot
is "$?" 0 "-o FIFO: gnuplot exits 0"
wait
ok "-o FIFO: it is still a FIFO" test -p "$T/fifo"
ok "-o FIFO: the reader got a PNG" \
    test "$(head -c 4 "$T/fifo.png" | od -An -c | tr -d ' ')" = '211PNG'
is "$(ls -A "$T" | grep -c '^fifo\.tmp')" 0 "-o FIFO: no temporary file beside it"
lrf-plot -o /dev/full "$data/plot-run.tsv" | gnuplot 2>"$T/err"
is "$?" 1 "-o /dev/full: gnuplot exits 1"
is "$(cat "$T/err")" "lrf-plot: /dev/full: write error" "-o /dev/full: the message"
ok "-o /dev/full: still the device" test -c /dev/full
if [ -n "$strace" ]; then
	lrf-plot -o "$T/s.png" "$data/plot-run.tsv" > "$T/s.gp"
	trace "$T/st" gnuplot "$T/s.gp"
	ok "-o: the picture is fsync'ed, then renamed" \
	    synced_before_rename "$T/st" "$T/s.png.tmp"
else
	skip "-o fsync: no strace"
fi

# --- lrf-find's run directory --------------------------------------------
if [ -n "$tmpfs" ]; then
	umount "$mnt"
	mount -t tmpfs -o size=12k tmpfs "$mnt"
	run lrf-find -c "$find" -o "$mnt/runs" -q
	check_status 1 "lrf-find on a full disk"
	ok "lrf-find on a full disk: a message" grep -q 'No space left on device\|write error' "$T/err"
	is "$(ls -A "$mnt/runs" | wc -l)" 0 "lrf-find on a full disk: no run directory, finished or not"
	umount "$mnt"
	# full while lrf-suggest writes records.tsv: a failure, not "no
	# suggestion" (issue 18, 1)
	mount -t tmpfs -o size=24k tmpfs "$mnt"
	run lrf-find -c "$find" -o "$mnt/runs" -q --no-plot --num_iter 300
	check_status 1 "lrf-suggest on a full disk"
	is "$(tail -n 1 "$T/err")" "lrf-find: lrf-suggest failed (exit status 1)" \
	    "lrf-suggest on a full disk: the stage failed, not 'no suggestion'"
	is "$(ls -A "$mnt/runs" | wc -l)" 0 "lrf-suggest on a full disk: no run directory"
	umount "$mnt"
	mount -t tmpfs -o size=64k tmpfs "$mnt"
else
	for i in 1 2 3 4 5 6; do skip "lrf-find on a full tmpfs: cannot mount one"; done
fi
# a stage killed after it wrote: lrf-find is copied beside the real
# stages and a lrf-suggest that dies of SIGKILL once the real one is done
mkdir "$T/bin"
cp "$top/cmd/lrf-find" "$T/bin/"
for p in schedule train smooth plot; do ln -s "$top/cmd/lrf-$p" "$T/bin/"; done
printf '#!/bin/sh\n"%s" "$@"\nkill -KILL $$\n' "$top/cmd/lrf-suggest" > "$T/bin/lrf-suggest"
chmod +x "$T/bin/lrf-suggest"
run "$T/bin/lrf-find" -c "$find" -o "$T/killed" -q
check_fails 1 "lrf-find: lrf-suggest failed (killed by signal 9)" "lrf-suggest killed"
is "$(ls -A "$T/killed" | wc -l)" 0 "lrf-suggest killed: no run directory"
if [ -n "$strace" ]; then
	trace "$T/st" lrf-find -c "$find" -o "$T/sync" -q >/dev/null
	dir=$(ls -d "$T"/sync/lr_finder_*)
	n=0
	for f in "$dir"/*; do
		f=${f##*/}
		if awk -v f="/$f>" 'index($0, "fsync(") && index($0, "/.lr_finder_") &&
		    index($0, f) { s = 1 } /rename/ && index($0, "/.lr_finder_") && s { r = 1 }
		    END { exit !(s && r) }' "$T/st"; then n=$((n + 1)); else diag "$f not synced"; fi
	done
	is "$n" "$(ls "$dir" | wc -l)" "lrf-find: every file fsync'ed before the directory is renamed"
	ok "lrf-find: the run directory fsync'ed" grep -q 'fsync(.*/\.lr_finder_[^/]*>)' "$T/st"
else
	skip "lrf-find fsync: no strace"
	skip "lrf-find fsync: no strace"
fi

# stop_find SIG: start the slow run test, send SIG to lrf-find once
# lrf-smooth has written some records; its exit status in $T/status,
# the pids of the stages and of lrf-find's message filter in $kids, the
# number of stages in $nstages
stop_find() {
	rm -rf "$T/int"
	lrf-find -c "$T/slow.yaml" -o "$T/int" -q --num_iter 0 --start_lr 1e-9 \
	    --end_lr 1e-8 --batch_size 256 >/dev/null 2>"$T/err" &
	_p=$!
	_i=0
	until grep -q '^1[0-9]	' "$T"/int/.lr_finder_*/smooth.tsv 2>/dev/null ||
	    [ $_i -ge 300 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	kids=$(pgrep -P $_p)
	# the stages, not lrf-find's filter of their messages (named lrf-find)
	nstages=$(for _k in $kids; do cat /proc/$_k/comm; done | grep -cvx lrf-find)
	kill -"$1" $_p
	wait $_p 2>/dev/null
	echo $? > "$T/status"
}
alive() { _a=0; for _k; do kill -0 "$_k" 2>/dev/null && _a=$((_a + 1)); done; echo $_a; }
for sig in TERM:15 HUP:1; do
	num=${sig#*:}
	sig=${sig%:*}
	stop_find $sig
	is "$nstages" 3 "SIG$sig: three stages were running"
	is "$(cat "$T/status")" $((128 + num)) "SIG$sig: lrf-find dies of the signal"
	is "$(ls -A "$T/int" | wc -l)" 0 "SIG$sig: no run directory, finished or not"
	sleep 0.2
	is "$(alive $kids)" 0 "SIG$sig: every stage stopped"
done

# a stage that crashes: lrf-train killed mid-run
rm -rf "$T/crash"
lrf-find -c "$T/slow.yaml" -o "$T/crash" -q --num_iter 0 --start_lr 1e-9 \
    --end_lr 1e-8 --batch_size 256 >/dev/null 2>"$T/err" &
p=$!
i=0
until grep -q '^1[0-9]	' "$T"/crash/.lr_finder_*/smooth.tsv 2>/dev/null || [ $i -ge 300 ]; do
	sleep 0.1; i=$((i + 1))
done
kids=$(pgrep -P $p)
train=$(pgrep -P $p -x lrf-train)
kill -KILL $train
# lrf-find must end by itself; this is only a guard against a hang
(sleep 30; kill -KILL $p $kids 2>/dev/null) &
guard=$!
wait $p
is "$?" 1 "lrf-train killed: lrf-find exits 1"
kill $guard 2>/dev/null
sleep 0.2
is "$(cat "$T/err")" "lrf-find: lrf-train failed (killed by signal 9)" \
    "lrf-train killed: the message"
is "$(ls -A "$T/crash" | wc -l)" 0 "lrf-train killed: no run directory, finished or not"
is "$(alive $kids)" 0 "lrf-train killed: every stage stopped"

# --- readers that go away: exit 0, nothing on stderr ---------------------
# into_head NAME CMD...: CMD's stdout into head -n 1
into_head() {
	_n=$1; shift
	{ "$@" 2>"$T/err"; echo $? >"$T/status"; } | head -n 1 >"$T/out"
	check_status 0 "$_n | head -n 1"
	check_err "" "$_n | head -n 1"
	is "$(wc -l < "$T/out")" 1 "$_n | head -n 1 (one line out)"
}
into_head "lrf-schedule -n 0" lrf-schedule -n 0
into_head "lrf-schedule -n 1000000" lrf-schedule -n 1000000
into_head "lrf-smooth -k" lrf-smooth -k "$T/big.tsv"
into_head "lrf-suggest -a" lrf-suggest -a "$T/big.tsv"
into_head "lrf-plot" lrf-plot "$T/big.tsv"
lrf-schedule -n 100000 > "$T/lrs"
into_head "lrf-train" lrf-train -c "$s" --val < "$T/lrs"
into_head "lrf-find -v (its log)" sh -c "lrf-find -c '$find' -o '$T/logpipe' -v 2>&1 >/dev/null"
ok "lrf-find -v into head: the run still completes" test -d "$(ls -d "$T"/logpipe/lr_finder_*)"
# a whole pipeline, unbounded, cut by head: every stage ends with 0
{ lrf-schedule -n 0 2>"$T/e1"; echo $? >"$T/s1"; } |
    { lrf-train -c "$s" 2>"$T/e2"; echo $? >"$T/s2"; } |
    { lrf-smooth -k 2>"$T/e3"; echo $? >"$T/s3"; } |
    { lrf-suggest -a 2>"$T/e4"; echo $? >"$T/s4"; } | head -n 20 >/dev/null
is "$(cat "$T/s1" "$T/s2" "$T/s3" "$T/s4" | tr '\n' ' ')" "0 0 0 0 " \
    "a pipeline cut by head: every stage exits 0"
is "$(cat "$T/e1" "$T/e2" "$T/e3" "$T/e4")" "" "a pipeline cut by head: nothing on stderr"

# --- a model that diverges to NaN and inf (an lr of 1e6) -------------------
{ lrf-schedule -s 1e-3 -e 1e6 -n 300 2>"$T/e1"; echo $? >"$T/s1"; } |
    { lrf-train -c "$T/r.yaml" 2>"$T/e2"; echo $? >"$T/s2"; } | tee "$T/train.tsv" |
    { lrf-smooth -k 2>"$T/e3"; echo $? >"$T/s3"; } |
    { lrf-suggest -a 2>"$T/e4"; echo $? >"$T/s4"; } |
    { lrf-plot 2>"$T/e5"; echo $? >"$T/s5"; } |
    { timeout 60 gnuplot >"$T/pic" 2>"$T/e6"; echo $? >"$T/s6"; }
ok "lr 1e6: the loss is NaN or inf" awk '$1 !~ /^#/ && ($3 == "nan" || $3 ~ /inf/) { f = 1 } END { exit !f }' "$T/train.tsv"
is "$(grep -c '^[0-9]' "$T/train.tsv")" 300 "lr 1e6: lrf-train trains on"
is "$(cat "$T/s1" "$T/s2" "$T/s3" "$T/s4" "$T/s5" "$T/s6" | tr '\n' ' ')" "0 0 0 0 0 0 " \
    "lr 1e6: every stage exits 0"
is "$(cat "$T/e1" "$T/e2" "$T/e3" "$T/e4" "$T/e5" "$T/e6")" "" "lr 1e6: nothing on stderr"
ok "lr 1e6: gnuplot drew the curve" test "$(wc -l < "$T/pic")" -ge 20
lrf-smooth -k "$T/train.tsv" | lrf-suggest -m all --json > "$T/j" 2>"$T/err"
ok "lr 1e6: lrf-suggest --json is JSON" quiet jq -e . "$T/j"
lrf-smooth "$T/train.tsv" | lrf-plot -o "$T/nan.png" | gnuplot 2>"$T/err"
is "$?" 0 "lr 1e6, cut by lrf-smooth: the PNG is drawn"
ok "lr 1e6: a PNG" test "$(head -c 4 "$T/nan.png" | od -An -c | tr -d ' ')" = '211PNG'

finish
