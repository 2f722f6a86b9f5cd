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
gone() { [ -n "$1" ] && [ ! -e "$1" ]; }
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

# SIGKILL (as SIGQUIT, which a shell's background job ignores, or a
# crash) leaves the hidden directory; the next lrf-find with the same -o
# removes it once it is stale (no lrf-find holds its lock, untouched for
# a minute), never a live run's or a new one's
stop_find KILL
is "$(cat "$T/status")" 137 "SIGKILL: lrf-find dies of the signal"
stale=$(ls -d "$T"/int/.lr_finder_* 2>/dev/null)
ok "SIGKILL: its hidden directory is left" test -d "$stale"
i=0
while [ "$(alive $kids)" -gt 0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
is "$(alive $kids)" 0 "SIGKILL: every stage ends (EPIPE)"
lrf-find -c "$T/slow.yaml" -o "$T/int" -q --num_iter 0 --start_lr 1e-9 \
    --end_lr 1e-8 --batch_size 256 >/dev/null 2>&1 &
p=$!
i=0
until [ "$(ls -d "$T"/int/.lr_finder_* | wc -l)" -eq 2 ] || [ $i -ge 300 ]; do
	sleep 0.1; i=$((i + 1))
done
live=$(ls -d "$T"/int/.lr_finder_* | grep -vxF "$stale")
mkdir "$T/int/.lr_finder_new.abcdef"
touch -d '2 hours ago' "$stale" "$live"
lrf-find -c "$find" -o "$T/int" --no-plot >/dev/null 2>"$T/err"
is "$?" 0 "after SIGKILL: the next run succeeds"
ok "after SIGKILL: the stale directory is removed" gone "$stale"
ok "after SIGKILL: the log says so" grep -qF \
    "] Removed $stale (an unfinished run whose lrf-find is gone)" "$T/err"
ok "a live run's directory is kept, however old" test -d "$live"
ok "a new unlocked directory is kept" test -d "$T/int/.lr_finder_new.abcdef"
kill -TERM $p
wait $p 2>/dev/null
ok "the live run, interrupted, removes its own" gone "$live"

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


# --- a read error after part of a file: errno as read(2) set it ------------
# strace makes the second read of the CSV fail (EIO), after the first
# brought the whole file: its rows are parsed (strtod, errno = 0 before
# it) before the reader sees the error; the message must still say EIO,
# not "read error: Success".
awk 'BEGIN { print "a,b,y"; for (i = 0; i < 20; i++)
    printf "%d.12345678901234567890123,%d,%d\n", i % 7, i % 5, i % 2 }' > "$T/e.csv"
printf 'data: {format: csv, path: %s, label_column: y, folds: 2}\nmodel:\n  layers:\n    - {type: dense, units: 2}\ntrain: {batch_size: 2, threads: 1}\n' \
    "$T/e.csv" > "$T/e.yaml"
if [ -n "$strace" ] && strace -o /dev/null -P /dev/null \
    -e trace=read -e inject=read:error=EIO:when=2 true 2>/dev/null; then
	# LeakSanitizer cannot stop a traced process's threads (SANITIZE=1
	# says "False leaks are possible"): no leak check under strace
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -o /dev/null -P "$T/e.csv" -e trace=read \
	    -e inject=read:error=EIO:when=2 lrf-train -c "$T/e.yaml" \
	    </dev/null >/dev/null 2>"$T/err"
	is "$?" 1 "CSV read error after a partial read: exit 1"
	check_err "lrf-train: $T/e.csv: read error: Input/output error" \
	    "CSV read error after a partial read: read's errno, not Success"
else
	skip "CSV read error: no strace fault injection"
	skip "CSV read error: no strace fault injection"
fi


# --- a model larger than the machine: refused with the figure, at once ----
# 2.1e9 parameters with adam's two moments (34 GB) and the activations
# of 2048 samples of 2^20 units (26 GB): 59.4 GB, checked before any of
# it is allocated (a block is written as it is allocated: without the
# check, the OOM killer).  Only where the machine has less than 50 GB.
cat > "$T/huge.yaml" <<'EOF'
data: {format: synthetic, kind: blobs, samples: 64, features: 2000, classes: 3, folds: 2}
model:
  layers:
    - {type: dense, units: 1048576, activation: relu}
    - {type: dense, units: 3}
optimizer: {name: adam}
train: {batch_size: 2048, threads: 1}
EOF
memkb=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo 2>/dev/null)
if [ -n "$memkb" ] && [ "$memkb" -lt 50000000 ]; then
	/usr/bin/time -f '%M' -o "$T/rss" timeout 60 lrf-train -c "$T/huge.yaml" \
	    </dev/null >/dev/null 2>"$T/err"
	is "$?" 1 "a 59.4 GB model: exit 1"
	check_err "lrf-train: $T/huge.yaml: the model needs 59.4 GB, this machine has $(awk -v k="$memkb" 'BEGIN { printf "%.1f", k * 1024 / 1e9 }') GB" \
	    "a 59.4 GB model: refused with the figures"
	# a plain build's peak is about 7 MB; ASan's and valgrind's more
	rss=$(tail -n 1 "$T/rss")	# after time's "Command exited" line
	ok "a 59.4 GB model: refused before allocating (peak $rss KB)" \
	    test "$rss" -lt 500000
else
	skip "a 59.4 GB model: this machine has 50 GB or more"
	skip "a 59.4 GB model: this machine has 50 GB or more"
	skip "a 59.4 GB model: this machine has 50 GB or more"
fi
# the address space limit (ulimit -v) counts too: 1.7 GB under 1 GB
sed 's/units: 1048576/units: 100000/; s/features: 2000/features: 1000/; s/batch_size: 2048/batch_size: 64/' \
    "$T/huge.yaml" > "$T/mid.yaml"
if [ -z "${ASAN_OPTIONS:-}" ]; then	# ASan needs its address space
	(ulimit -v 1000000 && exec lrf-train -c "$T/mid.yaml") </dev/null \
	    >/dev/null 2>"$T/err"
	is "$?" 1 "a 1.7 GB model under ulimit -v 1000000: exit 1"
	check_err "lrf-train: $T/mid.yaml: the model needs 1.7 GB, this process may use 1.0 GB (ulimit -v)" \
	    "a 1.7 GB model under ulimit -v 1000000: refused with the figures"
else
	skip "ulimit -v: not under ASan"
	skip "ulimit -v: not under ASan"
fi


# A range test that fails while its data are still being hashed (the
# fingerprint, in a thread beside it): the thread is stopped and joined
# before lrf-find exits.  exit's handlers include libcrypto's clean-up,
# which freed what a running hash used: lrf-find died of SIGSEGV about 1
# run in 150 in origin.t.  Here a 1 GB sparse CSV takes 0.3 s or more to
# hash and the trainer fails at once, so the thread is mid-file: it must
# close the file (after its last read) before the process's exit_group,
# and it stops early (a whole read would take far longer).
if [ -n "$strace" ]; then
	truncate -s 1G "$T/big.csv"
	printf 'data: {format: csv, path: %s, label_column: label}\n' \
	    "$T/big.csv" >"$T/big.yaml"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -y -qq -e trace=openat,read,close,exit_group \
	    -o "$T/hash.tr" lrf-find -c "$T/big.yaml" --trainer false \
	    -o "$T/hruns" -q >/dev/null 2>"$T/err"
	is "$?:$(cat "$T/err")" "1:lrf-find: the trainer 'false' failed (exit status 1)" \
	    "a run that fails while its data are hashed: exit 1, its message"
	# -y names each fd's file: big.csv's close (by the thread) comes
	# before the exit_group of the process that opened it
	ok "... the hashing thread closes the file before the process exits" \
	    awk '/openat\(.*big\.csv/ { p = $1 } /close\([0-9]+<[^>]*big\.csv>/ { c = 1 }
		p != "" && $1 == p && /exit_group\(/ { e = 1; exit }
		END { exit !(e && c) }' "$T/hash.tr"
	# reads of 64 KiB: the whole file is 16384 of them
	ok "... and stops early, before the end of the file" \
	    awk '/read\([0-9]+<[^>]*big\.csv>/ { n++ } END { exit !(n > 0 && n < 16384) }' \
	    "$T/hash.tr"
	is "$(ls -A "$T/hruns" 2>/dev/null)" "" "... and leaves no run directory"
else
	for i in 1 2 3 4; do skip "the fingerprint's thread on failure: no strace"; done
fi
finish
