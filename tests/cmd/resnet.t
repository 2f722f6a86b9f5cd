#!/bin/sh
# A resnet18 (model.arch) end to end on a folder of 32x32 images: its
# summary, its weights saved, a range test from them (lrf-find --load),
# and the fine-tuning start: two classes of the three, the head new
# (--load-partial) and the backbone frozen (model.freeze_to: layer4).
. "$(dirname "$0")/../lib.sh"

"$top/tests/mkimages" -s 8 32 "$T/shapes" >/dev/null
cat >"$T/r18.yaml" <<EOF
finder: {start_lr: 1.0e-3, end_lr: 10.0, num_iter: 12}
data: {format: images, root: $T/shapes, size: 32, channels: 3, folds: 4}
model: {arch: resnet18}
optimizer: {name: sgd, momentum: 0.9}
train: {batch_size: 6, seed: 1, threads: 2}
EOF

# resnet18 without fc has 11,176,512 parameters; fc 512 x 3 + 3
run lrf-train -c "$T/r18.yaml" --summary --save "$T/r18.safetensors" \
    </dev/null
check_status 0 "lrf-train resnet18: saved"
ok "summary: 11,178,051 parameters" grep -q \
    '^params 11178051, trainable 11178051$' "$T/err"
ok "summary: layer4.1, a basicblock" grep -q \
    '^layer4.1  *basicblock  *512  *4720640$' "$T/err"

run lrf-find -q -c "$T/r18.yaml" --load "$T/r18.safetensors" -o "$T/runs" \
    --no-plot
check_status 0 "lrf-find resnet18 --load"
ok "lrf-find resnet18: a learning rate on stdout" \
    grep -Eq '^[0-9.]+(e[-+][0-9]+)?$' "$T/out"

# two classes: the saved fc (3 outputs) does not fit
mkdir "$T/two"
cp -R "$T/shapes/circle" "$T/shapes/square" "$T/two/"
sed -e "s|root: $T/shapes|root: $T/two|" \
    -e 's|model: {arch: resnet18}|model: {arch: resnet18, freeze_to: layer4}|' \
    -e 's|start_lr: 1.0e-3, end_lr: 10.0|start_lr: 1.0e-6, end_lr: 1.0|' \
    "$T/r18.yaml" >"$T/two.yaml"
run lrf-find -q -c "$T/two.yaml" --load "$T/r18.safetensors" \
    -o "$T/runs" --no-plot
check_status 1 "a 3-class head into 2 classes"
ok "the error names fc.weight" grep -q 'fc\.weight' "$T/err"
# (12 training images in batches of 6 and a new head: whether the
# curve gives a suggestion is the landscape's business; the range test
# and what trains are pinned here)
run lrf-find -q -c "$T/two.yaml" --load "$T/r18.safetensors" \
    --load-partial -o "$T/part" --no-plot
rec=$(ls -d "$T"/part/*/records.tsv)
ok "--load-partial: the range test ran its 12 steps" \
    test "$(grep -c '^[0-9]' "$rec")" -ge 10
ok "--load-partial, freeze_to layer4: fc and the batchnorms train" grep -q \
    '^#@ model layers=13 params=11177538 trainable=10626 ' "$rec"
ok "the blocks say freeze=conv2d" grep -q \
    '^#@ layer name=layer4.1 type=basicblock .* freeze=conv2d ' "$rec"
finish
