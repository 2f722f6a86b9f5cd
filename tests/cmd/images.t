#!/bin/sh
# lrf-train and lrf-find on class-per-folder images (data.format: images):
# a Fashion-MNIST subset written as PNG folders gives the IDX files' curve
# bit for bit; as JPEG (quality 95) within the inputs' error; split files
# written and read back; auto mean/std; augmentation; decoding threads.
. "$(dirname "$0")/../lib.sh"

fm=/usr/share/datasets/fashion-mnist
if [ ! -r "$fm/train-images-idx3-ubyte.gz" ]; then
	echo "1..0 # SKIP no Fashion-MNIST ($fm, Debian dataset-fashion-mnist)"
	exit 0
fi
mk=$top/tests/mkimages

# records FILE: the data lines, without the lines that name the format
records() { grep -v '^#@ data \|^#@ classes \|^#@ train ' "$1"; }

# 2000 samples, class by class, as PNG folders and as IDX files in the
# same order (an image folder lists its files class by class).
"$mk" -n 2000 "$fm/train-images-idx3-ubyte.gz" \
    "$fm/train-labels-idx1-ubyte.gz" "$T/png" "$T/fm"
ok "mkimages: 10 class folders" test "$(ls "$T/png" | wc -l)" -eq 10
ok "mkimages: 2000 PNG files" \
    test "$(find "$T/png" -name '*.png' | wc -l)" -eq 2000

cat >"$T/base.yaml" <<'EOF'
model:
  layers:
    - {type: conv2d, filters: 4, kernel: 3, activation: relu}
    - {type: maxpool2d, kernel: 2}
    - {type: flatten}
    - {type: dense, units: 10}
train: {batch_size: 32, seed: 7, val_size: 200, threads: 2}
EOF
cfg() {	# cfg NAME DATA...: $T/NAME.yaml, base.yaml with data: {DATA}
	_n=$1; shift	# (and fold 1 of 5 unless DATA gives the folds)
	case "$*" in *folds:*) _f= ;; *) _f="folds: 5, fold: 1, " ;; esac
	{ echo "data: {$_f$*}"; cat "$T/base.yaml"; } >"$T/$_n.yaml"
}
cfg idx "format: idx, images: $T/fm-images.idx, labels: $T/fm-labels.idx"
cfg png "format: images, root: $T/png, channels: 1, size: 28"
lrf-schedule --start 1e-7 --end 1 --num 40 >"$T/lrs"

lrf-train -c "$T/idx.yaml" --val <"$T/lrs" >"$T/idx.out"
run lrf-train -c "$T/png.yaml" --val <"$T/lrs"
check_status 0 "PNG folder: runs"
check_err "" "PNG folder: nothing on stderr"
cp "$T/out" "$T/png.out"
ok "PNG folder: the #@ data line names the format and the split" \
    grep -q '^#@ data format=images n=2000 d=784 shape=1x28x28 task=classification classes=10 train=1600 val=200 held=400 scale=0.00392156886 standardize=0$' "$T/png.out"
ok "PNG folder: the class map" \
    grep -q '^#@ classes 0=0 1=1 2=2 3=3 4=4 5=5 6=6 7=7 8=8 9=9$' "$T/png.out"
records "$T/idx.out" >"$T/a"
records "$T/png.out" >"$T/b"
ok "PNG folder: 40 records with val_loss and val_acc" \
    test "$(grep -vc '^#' "$T/b")" -eq 40
ok "PNG folder = IDX files, bit for bit (loss, val_loss, val_acc)" \
    cmp -s "$T/a" "$T/b"

# decoding threads change nothing: every image decoded on its own
cfg w0 "format: images, root: $T/png, channels: 1, size: 28, workers: 0"
lrf-train -c "$T/w0.yaml" --val <"$T/lrs" >"$T/w0.out"
ok "workers: 0 (decoded on the training thread) = 4 workers" \
    cmp -s "$T/w0.out" "$T/png.out"

# the split: written by lrf-train, read back through data.split
run lrf-train -c "$T/png.yaml" --write-split "$T/sp" <"$T/lrs"
check_status 0 "--write-split"
ok "--write-split: 1600 + 400 lines" test \
    "$(cat "$T/sp/fold_1_train.txt" | wc -l)/$(cat "$T/sp/fold_1_val.txt" | wc -l)" = 1600/400
ok "--write-split: every file once" test "$(cat "$T/sp"/fold_1_*.txt |
    sort -u | wc -l)" -eq 2000
ok "--write-split: paths relative to the root" \
    grep -qx '0/00000.png' "$T/sp/fold_1_train.txt" "$T/sp/fold_1_val.txt"
cfg sp "format: images, root: $T/png, channels: 1, size: 28, split: $T/sp"
lrf-train -c "$T/sp.yaml" --val <"$T/lrs" >"$T/sp.out"
ok "data.split: the split read back gives the same records" \
    cmp -s "$T/sp.out" "$T/png.out"
# a split of a user's own: every fourth file validates, the rest train
mkdir "$T/own"
(cd "$T/png" && find . -name '*.png' | sed 's|^\./||' | sort) >"$T/all"
awk 'NR % 4' "$T/all" >"$T/own/fold_0_train.txt"
awk 'NR % 4 == 0' "$T/all" >"$T/own/fold_0_val.txt"
cfg own "format: images, root: $T/png, channels: 1, size: 28, split: $T/own, folds: 5, fold: 0"
run lrf-train -c "$T/own.yaml" --val <"$T/lrs"
check_status 0 "data.split: a user's split"
ok "data.split: its sizes on the #@ data line" \
    grep -q ' train=1500 val=200 held=500 ' "$T/out"

# data.skip_bad: broken files replaced by the next ones drawn, the same
# with any number of decoding threads; without it the first is an error.
# The broken files: the first validation file of the split written above
# and two training files.
v1=$(sed -n 1p "$T/sp/fold_1_val.txt")
t1=$(sed -n 1p "$T/sp/fold_1_train.txt")
t2=$(sed -n 100p "$T/sp/fold_1_train.txt")
cp -R "$T/png" "$T/bad"
: > "$T/bad/$v1"
echo text > "$T/bad/$t1"
head -c 100 "$T/png/$t2" > "$T/bad/$t2"
cfg bad "format: images, root: $T/bad, channels: 1, size: 28"
run lrf-train -c "$T/bad.yaml" --val <"$T/lrs"
check_status 1 "a broken file without skip_bad"
ok "a broken file without skip_bad: its name and why" \
    grep -Eq "^lrf-train: $T/bad/[0-9]/[0-9]{5}.png: " "$T/err"
# (60 steps of 32 draw every one of the 1600 training files; all 400
# held-out ones are validated: every broken file is met)
lrf-schedule --start 1e-7 --end 1 --num 60 >"$T/lrs60"
for w in 0 3; do
	cfg bad$w "format: images, root: $T/bad, channels: 1, size: 28, skip_bad: true, workers: $w"
	lrf-train -c "$T/bad$w.yaml" --val --val-size 400 <"$T/lrs60" \
	    >"$T/bad$w.out" 2>"$T/bad$w.err"
done
first=$(printf '%s\n' "$v1" "$t1" "$t2" | sort | head -n 1)
case $first in
"$v1") why="empty file" ;;
"$t1") why="not a JPEG or PNG image" ;;
*) why="truncated PNG" ;;
esac
ok "skip_bad: one warning, counting the three, naming the first" \
    grep -q "^lrf-train: warning: data.skip_bad: 3 images could not be decoded and were left out (first: $T/bad/$first: $why" "$T/bad0.err"
is "$(wc -l < "$T/bad0.err")" 1 "skip_bad: nothing else on stderr"
ok "skip_bad: 60 records" test "$(grep -vc '^#' "$T/bad0.out")" -eq 60
ok "skip_bad: the broken validation file left out" \
    grep -q " val=399 held=400 " "$T/bad0.out"
ok "skip_bad: the same records and warning with 3 decoding threads" \
    sh -c "cmp -s '$T/bad0.out' '$T/bad3.out' && cmp -s '$T/bad0.err' '$T/bad3.err'"

# JPEG, quality 95: the inputs differ from the PNG's by a relative RMS
# error eps (mkimages decodes each file back and prints it).  Before the
# weights move (the first steps, lr <= 1e-6) the net is the same
# function of slightly different inputs: conv, relu, maxpool and dense
# are 1-Lipschitz up to their weights' norms, so to first order the
# logits, and the loss with them, move by about eps relative.  Past that
# the curves part as any two trainings on different data do: curvecmp
# stops comparing where the difference is amplified (tests/curve.h).
eps=$("$mk" -q 95 -n 2000 "$fm/train-images-idx3-ubyte.gz" \
    "$fm/train-labels-idx1-ubyte.gz" "$T/jpg" "$T/fmj")
ok "mkimages -q 95: 2000 JPEG files" \
    test "$(find "$T/jpg" -name '*.jpg' | wc -l)" -eq 2000
ok "JPEG q95: the relative RMS error of the inputs is small ($eps)" \
    awk -v e="$eps" 'BEGIN { exit !(e > 0 && e < 0.05) }'
cfg jpg "format: images, root: $T/jpg, channels: 1, size: 28"
lrf-train -c "$T/jpg.yaml" <"$T/lrs" >"$T/jpg.out"
if "$top/tests/curvecmp" -r "$eps" -m 3 "$T/idx.out" "$T/jpg.out" \
    >"$T/cmp"; then
	pass "JPEG q95: the IDX curve within eps ($(cat "$T/cmp"))"
else
	fail "JPEG q95: the IDX curve within eps"; diag "$(cat "$T/cmp")"
fi
ok "JPEG q95: not the same bytes (the test can see a difference)" \
    sh -c "! cmp -s '$T/idx.out' '$T/jpg.out'"

# data.mean/std: auto, on the training part; with folds: 1 that is every
# image, whose mean and std the IDX bytes give independently
cfg auto "format: images, root: $T/png, channels: 1, size: 28, folds: 1, fold: 0, mean: auto, std: auto"
lrf-train -c "$T/auto.yaml" </dev/null >"$T/auto.out"
got=$(sed -n 's/^#@ data .* mean=\([^ ]*\) std=\([^ ]*\)$/\1 \2/p' \
    "$T/auto.out")
want=$(tail -c +17 "$T/fm-images.idx" | od -An -v -tu1 |
    awk '{ for (i = 1; i <= NF; i++) { s += $i; q += $i * $i; n++ } }
	END { m = s / n; printf "%.9g %.9g", m / 255,
	    sqrt(q / n - m * m) / 255 }')
# float32 values printed to 9 digits: equal to 2^-23 relative
ok "mean: auto, std: auto: $got (od and awk: $want)" awk -v g="$got" \
    -v w="$want" 'BEGIN { split(g, a, " "); split(w, b, " ")
	exit !(a[1] > 0 && a[2] > 0 &&
	    (a[1] - b[1])^2 <= (b[1] * 2^-22)^2 &&
	    (a[2] - b[2])^2 <= (b[2] * 2^-22)^2) }'
cfg inet "format: images, root: $T/png, channels: 1, size: 28, mean: imagenet"
run lrf-train -c "$T/inet.yaml" </dev/null
check_fails 1 "lrf-train: data.mean: imagenet is for 3 channels, data.channels is 1" \
    "mean: imagenet with one channel"

# augmentation: seeded, so twice the same; and not the plain curve
cfg aug "format: images, root: $T/png, channels: 1, size: 28, flip: true, pad: 2"
lrf-train -c "$T/aug.yaml" <"$T/lrs" >"$T/aug1"
lrf-train -c "$T/aug.yaml" <"$T/lrs" >"$T/aug2"
ok "flip and pad: the same records twice" cmp -s "$T/aug1" "$T/aug2"
lrf-train -c "$T/png.yaml" <"$T/lrs" >"$T/noaug"
ok "flip and pad: not the records without them" \
    sh -c "! cmp -s '$T/aug1' '$T/noaug'"

# ImageNet's 1000 classes (one image each here): the map on one line
mkdir "$T/many"
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "n%08d\n", 1440764 + i }' |
    while read -r c; do mkdir "$T/many/$c" && ln -s "$T/png/0/00000.png" \
	"$T/many/$c/a.png"; done
printf '%s\n' "data: {format: images, root: $T/many, channels: 1, size: 28, folds: 1}" \
    'model: {layers: [{type: flatten}, {type: dense, units: 1000}]}' \
    >"$T/many.yaml"
run lrf-train -c "$T/many.yaml" </dev/null
check_status 0 "1000 classes"
ok "1000 classes: on the #@ data line" grep -q ' classes=1000 ' "$T/out"
ok "1000 classes: the map, sorted, on one #@ classes line" awk '
    /^#@ classes / { n = NF - 2; ok = $3 == "0=n01440764" &&
	$NF == "999=n01441763" } END { exit !(n == 1000 && ok) }' "$T/out"

# lrf-find end to end, the root given as a flag (made absolute)
cfg find "format: images, channels: 1, size: 28"
(cd "$T" && lrf-find -c find.yaml --root png --num-iter 30 -o runs -q \
    --no-plot >find.lr 2>find.err)
is "$?" 0 "lrf-find --root: exit status"
ok "lrf-find --root: a learning rate on stdout" \
    grep -Eq '^[0-9.e+-]+$' "$T/find.lr"
ok "lrf-find --root: the absolute root in the run's config" \
    grep -q "root: \"*$T/png" "$T"/runs/*/config.yaml
finish
