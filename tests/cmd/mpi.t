#!/bin/sh
# Data-parallel lrf-train on Open MPI (lib/dist.h): mpirun -np P gives the
# records of one process with the same global batch, for P = 2 and 3
# (oversubscribed: this machine may have 2 cores), the MLP with SGD, and
# a CNN with batchnorm (SyncBN), dropout (masks keyed by the global
# sample index) and Adam, with --val; a rank that fails ends the job; a
# reader gone ends every rank.
#
# Tolerance, as threads.t: not bit-identical, because the processes sum
# other partial sums than one process does (each rank's dense weight
# gradient is one sgemm over its share, the shares added in rank order;
# one process's is one sgemm over the batch; the losses, batchnorm's
# statistics and the validation sums likewise in shares), so the curves
# start a few ulps apart: each loss is a mean over at most 32 samples of
# cross-entropies of logits of sums of at most 109 terms, sqrt(k) u ~ 1e-6
# per step adding up like a random walk while training is stable (tests/
# curve.h cuts the comparison where it is not); 1e-4 relative leaves 10
# times 100 steps' worth.  A wrong reduction (a share's gradient alone,
# batchnorm on a share's statistics) is off by percents from step 1: the
# last test shows one such curve failing the comparison.
. "$(dirname "$0")/../lib.sh"

ntests=41
plan $ntests
# Open MPI refuses root without these (CI runs as root); no network
# interfaces but loopback are needed.
OMPI_ALLOW_RUN_AS_ROOT=1
OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
OMPI_MCA_btl=self,vader
OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM OMPI_MCA_btl \
    OMPI_MCA_rmaps_base_oversubscribe
# make check SANITIZE=1: Open MPI keeps memory past MPI_Finalize; its
# plugins stay loaded (no dlclose) and the slow unwinder walks through its
# libraries, so that tests/lsan-mpi.supp can name them (lrf's own leaks
# are still reported).  Read by sanitized builds only.
OMPI_MCA_mca_base_component_disable_dlclose=1
PMIX_MCA_mca_base_component_disable_dlclose=1
LSAN_OPTIONS=suppressions=$top/tests/lsan-mpi.supp:print_suppressions=0:fast_unwind_on_malloc=0
export OMPI_MCA_mca_base_component_disable_dlclose \
    PMIX_MCA_mca_base_component_disable_dlclose LSAN_OPTIONS
if ! command -v mpirun >/dev/null 2>&1 || [ ! -x "$top/cmd/lrf-train-mpi" ]
then
	i=0
	while [ $i -lt $ntests ]; do
		skip "no mpirun or no lrf-train-mpi (install openmpi-bin and libopenmpi-dev, make)"
		i=$((i + 1))
	done
	finish; exit
fi
mpi() { timeout 120 mpirun -np "$@"; }

# ratio: the largest relative difference of column c of two record files
# over their first n records (0 if all equal); 1 if a line is missing.
maxrel() {
	awk -v c="$1" -v n="$2" -F '\t' '
	    FNR == NR { if ($0 !~ /^#/) a[++na] = $c; next }
	    $0 !~ /^#/ { b[++nb] = $c }
	    END { m = 0; if (na < n || nb < n) { print 1; exit }
		for (i = 1; i <= n; i++) { x = a[i]; y = b[i]
		    d = x - y; d = d < 0 ? -d : d
		    s = (x < 0 ? -x : x) > (y < 0 ? -y : y) ? \
			(x < 0 ? -x : x) : (y < 0 ? -y : y)
		    if (s > 0 && d / s > m) m = d / s }
		printf "%.3g\n", m }' "$3" "$4"
}

lrf-schedule --start 1e-3 --end 3 --num 60 >"$T/lrs"
cp "$data/train-blobs.yaml" "$T/mlp.yaml"
lrf-train -c "$T/mlp.yaml" --threads 1 <"$T/lrs" >"$T/mlp1" 2>"$T/e"
for p in 2 3; do
	mpi $p lrf-train -c "$T/mlp.yaml" --threads 1 <"$T/lrs" \
	    >"$T/mlp$p" 2>"$T/e$p"
	is "$?" 0 "MLP, SGD, mpirun -np $p: exit 0"
	if "$top/tests/curvecmp" -r 1e-4 -m 20 "$T/mlp1" "$T/mlp$p" >"$T/cmp"
	then pass "MLP, SGD, $p processes: the curve of one ($(cat "$T/cmp"))"
	else fail "MLP, SGD, $p processes: the curve of one"
		diag "$(cat "$T/cmp" "$T/e$p")"; fi
done
is "$(grep '^#@ run' "$T/mlp2")" "#@ run batch_size=32 accumulation_steps=1 seed=7 fold=0 threads=1 device=cpu processes=2" \
    "the header gives the global batch and the processes"
is "$(grep -v '^#@ run' "$T/mlp2" | grep '^#' | cksum)" \
    "$(grep -v '^#@ run' "$T/mlp1" | grep '^#' | cksum)" \
    "the other header lines are one process's"

cat >"$T/cnn.yaml" <<'EOF2'
data: {format: synthetic, kind: blobs, samples: 256, features: 108, classes: 4, scale: 0.05, folds: 4, shape: [3, 6, 6]}
model:
  layers:
    - {type: conv2d, filters: 4, kernel: 3, padding: 1, activation: relu}
    - {type: batchnorm}
    - {type: maxpool2d, kernel: 2}
    - {type: dropout, rate: 0.2}
    - {type: flatten}
    - {type: dense, units: 16, activation: tanh}
    - {type: batchnorm}
    - {type: dense, units: 4}
optimizer: {name: adam}
train: {batch_size: 16, seed: 3}
EOF2
lrf-schedule --start 1e-4 --end 1 --num 100 >"$T/lrs2"
lrf-train -c "$T/cnn.yaml" --threads 1 --val <"$T/lrs2" >"$T/cnn1" 2>"$T/e"
for p in 2 3; do
	mpi $p lrf-train -c "$T/cnn.yaml" --threads 1 --val <"$T/lrs2" \
	    >"$T/cnn$p" 2>"$T/e$p"
	is "$?" 0 "CNN, batchnorm, dropout, Adam, --val, -np $p: exit 0"
	if "$top/tests/curvecmp" -r 1e-4 -m 20 "$T/cnn1" "$T/cnn$p" >"$T/cmp"
	then pass "CNN, $p processes: the curve of one ($(cat "$T/cmp"))"
	else fail "CNN, $p processes: the curve of one"
		diag "$(cat "$T/cmp" "$T/e$p")"; fi
	# val_loss and val_acc up to the step the loss comparison reached
	n=$(sed -n 's/^compared \([0-9]*\) of.*/\1/p' "$T/cmp")
	v=$(maxrel 4 "${n:-0}" "$T/cnn1" "$T/cnn$p")
	ok "CNN, $p processes: val_loss of one to 1e-4 over $n steps ($v)" \
	    awk -v v="$v" -v n="${n:-0}" 'BEGIN { exit !(n >= 20 && v <= 1e-4) }'
done
is "$(maxrel 5 40 "$T/cnn1" "$T/cnn2")" 0 \
    "CNN, 2 processes: val_acc of one over 40 steps (counts: exact)"

# a rank that cannot start (a bad file on one node) ends the job
printf 'data: {format: synthetic, kind: nosuch}\n' >"$T/bad.yaml"
mpi 2 sh -c 'if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then c=$1; else c=$2; fi
    exec lrf-train -c "$c" --threads 1' sh "$T/bad.yaml" "$T/mlp.yaml" \
    <"$T/lrs" >"$T/out" 2>"$T/err"
st=$?
ok "a failing rank: the job ends non-zero (status $st)" \
    test "$st" -ne 0 -a "$st" -ne 124
ok "a failing rank: its message names it and the file" \
    grep -q "^lrf-train: rank 1: .*bad.yaml" "$T/err" || diag "$(cat "$T/err")"

# a bad record on rank 0's input, mid-run
{ head -n 12 "$T/lrs"; printf 'abc\n'; } >"$T/badlrs"
mpi 2 lrf-train -c "$T/mlp.yaml" --threads 1 <"$T/badlrs" >"$T/out" \
    2>"$T/err"
st=$?
ok "a bad rate mid-run: the job ends non-zero (status $st)" \
    test "$st" -ne 0 -a "$st" -ne 124
ok "a bad rate mid-run: rank 0 says where" \
    grep -q "^lrf-train: rank 0: stdin:13: 1 fields" "$T/err"

# fewer samples a batch than processes
mpi 3 lrf-train -c "$T/mlp.yaml" --batch-size 2 <"$T/lrs" >"$T/out" \
    2>"$T/err"
ok "a batch smaller than the processes: an error" \
    grep -q "train.batch_size 2 is smaller than the 3 processes" "$T/err" ||
    diag "$(cat "$T/err")"

# the single-process build launched as one of 2, without its -mpi twin
cp "$top/cmd/lrf-train" "$T/lrf-train"
OMPI_COMM_WORLD_SIZE=2 "$T/lrf-train" -c "$T/mlp.yaml" <"$T/lrs" \
    >"$T/out" 2>"$T/err"
is "$?:$(sed 's/:.*built/ built/; s/(install.*//' "$T/err")" \
    "1:lrf-train built without MPI: $T/lrf-train-mpi: No such file or directory " \
    "no MPI build: a clear message, exit 1"
"$T/lrf-train" --np 2 -c "$T/mlp.yaml" <"$T/lrs" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "1:lrf-train: --np, --launcher: $T/lrf-train-mpi: No such file or directory (built without MPI: install libopenmpi-dev and rebuild)" \
    "--np without the MPI build: a clear message, exit 1"

# the same processes twice: the same bytes (the sums' order is fixed)
mpi 2 lrf-train -c "$T/mlp.yaml" --threads 1 <"$T/lrs" >"$T/again" 2>/dev/null
ok "2 processes twice: the same bytes" cmp -s "$T/mlp2" "$T/again"

# lrf-train --np: its own mpirun, the records relayed from a FIFO
lrf-train --np 2 -c "$T/mlp.yaml" --threads 1 <"$T/lrs" >"$T/np2" 2>"$T/e"
is "$?" 0 "--np 2: exit 0"
ok "--np 2: the bytes of mpirun -np 2" cmp -s "$T/mlp2" "$T/np2"
# a machine of one slot (Open MPI counts cores, not hardware threads: a
# 2-vCPU machine may be one core with two): --np's own mpirun still runs
# the processes asked for; a launcher of the user's is left as it is
(unset OMPI_MCA_rmaps_base_oversubscribe
 export OMPI_MCA_orte_set_default_slots=1
 lrf-train --np 2 -c "$T/mlp.yaml" --threads 1 <"$T/lrs" >"$T/slot1" 2>"$T/e"
 echo $? >"$T/st1"
 lrf-train --launcher 'mpirun -n 2' -c "$T/mlp.yaml" --threads 1 <"$T/lrs" \
    >/dev/null 2>"$T/e2"; echo $? >"$T/st2")
is "$(cat "$T/st1")" 0 "--np 2 on one slot: exit 0"
ok "--np 2 on one slot: the bytes of mpirun -np 2" cmp -s "$T/mlp2" "$T/slot1"
ok "--launcher 'mpirun -n 2' on one slot: Open MPI's refusal, exit 1" \
    sh -c "test \"\$(cat '$T/st2')\" = 1 && grep -q 'not enough slots' '$T/e2'"
lrf-train --launcher 'mpirun -n 2' -c "$T/mlp.yaml" --threads 1 <"$T/lrs" \
    >"$T/l2" 2>"$T/e"
ok "--launcher 'mpirun -n 2': the same bytes" cmp -s "$T/mlp2" "$T/l2"
{ cat "$T/mlp.yaml"; printf '  processes: 2\n'; } >"$T/mlp-p2.yaml"
lrf-train -c "$T/mlp-p2.yaml" --threads 1 <"$T/lrs" >"$T/k2" 2>"$T/e"
ok "train.processes: 2 in the file: the same bytes" cmp -s "$T/mlp2" "$T/k2"
{ cat "$T/mlp.yaml"; printf '  launcher: mpirun -n 2\n'; } >"$T/mlp-l2.yaml"
lrf-train -c "$T/mlp-l2.yaml" --threads 1 <"$T/lrs" >"$T/kl2" 2>"$T/e"
ok "train.launcher: mpirun -n 2 in the file: the same bytes" \
    cmp -s "$T/mlp2" "$T/kl2"
lrf-train -c "$T/mlp.yaml" --set 'train.launcher=mpirun -n 2' --threads 1 \
    <"$T/lrs" >"$T/sl2" 2>"$T/e"
ok "--set train.launcher=...: the same bytes" cmp -s "$T/mlp2" "$T/sl2"
# a reader gone: every rank stops, exit 0, long before the input's end
lrf-schedule --start 1e-4 --end 1e-2 --num 200000 >"$T/long"
{ timeout 60 lrf-train --np 2 -c "$T/mlp.yaml" --threads 1 <"$T/long" \
    2>"$T/e"; echo $? >"$T/st"; } | head -n 12 >/dev/null
is "$(cat "$T/st")" 0 "--np 2, the reader gone (EPIPE): every rank ends, exit 0"
lrf-train -c "$T/mlp.yaml" --threads 1 --output "$T/o" <"$T/lrs" >"$T/out"
ok "--output: the records in the file, none on stdout" \
    sh -c "cmp -s '$T/o' '$T/mlp1' && ! test -s '$T/out'"

# lrf-find --np 2, end to end
lrf-find -c "$data/find-blobs.yaml" -o "$T/runs" --name one -q >"$T/f1" \
    2>"$T/e"
lrf-find -c "$data/find-blobs.yaml" -o "$T/runs" --name two -q --np 2 \
    >"$T/f2" 2>"$T/e"
st=$?
if [ $st = 0 ] && grep -q 'processes=2' "$T"/runs/*two/records.tsv &&
    "$top/tests/curvecmp" -r 1e-4 -m 20 "$T"/runs/*one/records.tsv \
    "$T"/runs/*two/records.tsv >"$T/cmp"
then pass "lrf-find --np 2: the range test of one process ($(cat "$T/cmp"))"
else fail "lrf-find --np 2: the range test of one process"
	diag "status $st" "$(cat "$T/cmp" "$T/e")"; fi

# lrf-find --launcher: train.launcher in the run's config.yaml, and
# command.sh reruns under it (issue 15)
lrf-find -c "$data/find-blobs.yaml" --dir "$T/three" -q \
    --launcher 'mpirun -n 2' >"$T/f3" 2>"$T/e"
is "$?" 0 "lrf-find --launcher 'mpirun -n 2': exit 0"
ok "... config.yaml: train.launcher" \
    grep -qx '  launcher: "\{0,1\}mpirun -n 2"\{0,1\}' "$T/three/config.yaml"
ok "... the records of lrf-find --np 2" \
    cmp -s "$T/three/records.tsv" "$(ls -d "$T"/runs/*two)/records.tsv"
is "$(jq -r .settings.launcher "$T/three/suggestion.json")" "mpirun -n 2" \
    "... suggestion.json: settings.launcher"
mkdir "$T/again3"
(cd / && sh "$T/three/command.sh" "$T/again3") >/dev/null 2>"$T/e"
is "$?" 0 "... command.sh reruns it"
ok "... under the launcher: the same bytes, processes=2" sh -c \
    "cmp -s '$T/three/records.tsv' '$T/again3/records.tsv' &&
    grep -q processes=2 '$T/again3/records.tsv'"
lrf-find -c "$data/find-blobs.yaml" --launcher ' ' -q >/dev/null 2>"$T/e"
is "$?:$(head -n 1 "$T/e")" "2:lrf-find: --launcher: empty command" \
    "--launcher ' ': a usage error"

# the comparison can fail: 2 processes against one process with the
# batch of one share (16 of 32) are different trainings
lrf-train -c "$T/mlp.yaml" --threads 1 --batch-size 16 <"$T/lrs" \
    >"$T/half" 2>/dev/null
ok "the curve of the share's batch is not that of 2 processes" \
    sh -c "! '$top/tests/curvecmp' -r 1e-4 -m 20 '$T/half' '$T/mlp2' >/dev/null"
finish
