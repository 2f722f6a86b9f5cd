#!/bin/sh
# LRF_CONV (lrf-train(1) ENVIRONMENT): a CNN whose second 3x3 conv2d (16
# channels and filters) goes by Winograd's F(2x2,3x3) by default, every
# 3x3 one with LRF_CONV=winograd, none with im2col: the same curve to
# 1e-4 relative up to where the curves stop being comparable
# (tests/curve.h, as threads.t), other bytes (Winograd really ran), and
# a bad value is an error.
#
# Tolerance: the losses are means over 16 samples of logits made of sums
# of at most 16*3*3 + 1 terms per conv2d; Winograd's transforms add and
# subtract up to 4*4 products and 3*3 outputs per output, so its
# rounding is a few times the direct sums' sqrt(k) u ~ 1e-6 per step
# (tests/unit/wino.c bounds it); adding up like a random walk over 100
# steps, 1e-4 leaves ample room while a wrong convolution moves the first
# loss by far more.
. "$(dirname "$0")/../lib.sh"

plan 8
cat >"$T/cnn.yaml" <<'EOF2'
data: {format: synthetic, kind: blobs, samples: 256, features: 192, classes: 4, scale: 0.05, folds: 4, shape: [3, 8, 8]}
model:
  layers:
    - {type: conv2d, filters: 16, kernel: 3, padding: 1, activation: relu}
    - {type: conv2d, filters: 16, kernel: 3, padding: same, activation: relu}
    - {type: batchnorm}
    - {type: avgpool2d, kernel: 2}
    - {type: flatten}
    - {type: dense, units: 4}
optimizer: {name: sgd, momentum: 0.9}
train: {batch_size: 16, seed: 3}
EOF2
lrf-schedule --start 1e-4 --end 1 --num 100 >"$T/lrs"
for m in im2col auto winograd; do
	LRF_CONV=$m lrf-train -c "$T/cnn.yaml" --threads 2 <"$T/lrs" \
	    >"$T/t_$m" 2>"$T/e_$m"
	echo $? >"$T/s_$m"
done
is "$(cat "$T/s_im2col" "$T/s_auto" "$T/s_winograd" | tr -d '\n')" 000 \
    "LRF_CONV im2col, auto, winograd: exit 0"
for m in auto winograd; do
	if "$top/tests/curvecmp" -r 1e-4 -m 20 "$T/t_im2col" "$T/t_$m" \
	    >"$T/cmp"
	then pass "LRF_CONV=$m: the curve of im2col ($(cat "$T/cmp"))"
	else fail "LRF_CONV=$m: the curve of im2col"; diag "$(cat "$T/cmp")"; fi
	ok "LRF_CONV=$m: other bytes than im2col's (Winograd ran)" \
	    sh -c "! cmp -s '$T/t_im2col' '$T/t_$m'"
done
LRF_CONV= lrf-train -c "$T/cnn.yaml" --threads 2 <"$T/lrs" >"$T/t_empty" \
    2>/dev/null
ok "LRF_CONV empty: auto, the same bytes" cmp -s "$T/t_auto" "$T/t_empty"
LRF_CONV=fast run lrf-train -c "$T/cnn.yaml" <"$T/lrs"
check_status 1 "LRF_CONV=fast"
check_err "lrf-train: $T/cnn.yaml:4:7: layer 1 (conv2d): LRF_CONV 'fast' \
is not auto, im2col or winograd" "LRF_CONV=fast: an error naming it"
finish
