#!/bin/sh
# lrf-train on 1, 2 and 3 threads: the same curve, up to where the curves
# themselves say they stop being comparable (tests/curve.h, the rule make
# crosscheck uses); the same threads twice: the same bytes.
#
# Tolerance: each loss is a mean over 16 samples of cross-entropies of
# logits made of sums of at most 3*3*3 + 1 (first conv), 4*3*3 + 1, 6*4*4
# + 1 (dense) terms; other thread counts give sgemm other shapes and so
# other orders.  The statistical rounding of such a path is sqrt(k) u ~
# 1e-6 per step (u = 2^-24), adding up like a random walk while training
# is stable; 1e-4 relative leaves 10 times the 100 steps' worth (1e-5).
. "$(dirname "$0")/../lib.sh"

plan 5
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
    - {type: dense, units: 4}
optimizer: {name: sgd, momentum: 0.9}
train: {batch_size: 16, seed: 3}
EOF2
lrf-schedule --start 1e-4 --end 1 --num 100 >"$T/lrs"
for n in 1 2 3; do
	lrf-train -c "$T/cnn.yaml" --threads $n <"$T/lrs" >"$T/t$n" 2>"$T/e$n"
	echo $? >"$T/s$n"
done
is "$(cat "$T/s1" "$T/s2" "$T/s3" | tr -d '\n')" 000 "1, 2, 3 threads: exit 0"
for n in 2 3; do
	if "$top/tests/curvecmp" -r 1e-4 -m 20 "$T/t1" "$T/t$n" >"$T/cmp"
	then pass "$n threads: the curve of one ($(cat "$T/cmp"))"
	else fail "$n threads: the curve of one"; diag "$(cat "$T/cmp")"; fi
done
lrf-train -c "$T/cnn.yaml" --threads 2 <"$T/lrs" >"$T/again" 2>/dev/null
grep -v '^#@ train ' "$T/t2" >"$T/a"
grep -v '^#@ train ' "$T/again" >"$T/b"
ok "2 threads twice: the same bytes" cmp -s "$T/a" "$T/b"
ok "the records differ from one thread's (the test can see a difference)" \
    sh -c "! cmp -s '$T/t1' '$T/t2'"
finish
