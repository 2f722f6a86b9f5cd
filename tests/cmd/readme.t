#!/bin/sh
# The README's examples run as written (from the top of the checkout).
. "$(dirname "$0")/../lib.sh"

# blocks: the README's indented code blocks, one file each, $T/block.N
awk '/^    / { if (!inb) n++; inb = 1; sub(/^    /, ""); print > (dir "/block." n); next }
    { inb = 0 }' dir="$T" "$top/README.md"
block() { grep -l -- "$1" "$T"/block.* | head -n 1; }

is "$(block 'make deps && make check')" "$T/block.2" "the test command is the second block"
ok "the main job is the first block" grep -qx 'make deps && make && ./cmd/lrf-find -c examples/fashion-mnist.yaml' "$T/block.1"

cd "$top" || exit 1
b=$(block "awk '!/^#/")
run sh -e "$b"
check_status 0 "the awk pipeline"
is "$(sed -n 2p "$T/out" | cut -f1)" floor "the awk pipeline suggests with floor"
# the curve falls fastest at 1e-4 and is lowest near 1.2e-2; without
# noise floor suggests half a decade above where 90% of the fall is done
ok "its suggestion lies between the steepest fall and the floor" awk -F'\t' 'NR == 2 { exit !($2 > 1e-3 && $2 < 1.2e-2) }' "$T/out"

# lrf(7)'s awk example is the same curve, and gives the same answer
cp "$T/out" "$T/readme.out"
awk '/^\.Bd -literal/ { lit = 1; n++; next } /^\.Ed/ { lit = 0 } lit && n == 5' \
    "$top/man/lrf.7" > "$T/lrf7.sh"
ok "lrf(7) has the awk example" grep -q 'lrf-schedule -e 10 | LC_ALL=C awk' "$T/lrf7.sh"
run sh -e "$T/lrf7.sh"
check_status 0 "lrf(7)'s awk example"
ok "lrf(7)'s awk example agrees with the README's" cmp -s "$T/out" "$T/readme.out"

if [ -r /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
	b=$(block 'lrf-plot -o lr.png | gnuplot')
	(cd "$T" && PATH=$top/cmd:$PATH && sed "s|examples/|$top/examples/|g" "$b" > pipe.sh && sh -e pipe.sh >out 2>err)
	is "$?" 0 "the Fashion-MNIST pipeline"
	is "$(head -c 8 "$T/lr.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "it draws lr.png"
	b=$(block 'onecycle')
	(cd "$T" && sed "s|examples/|$top/examples/|g; s|\./cmd/|$top/cmd/|g" "$b" > train.sh && bash -e train.sh >out 2>err)
	is "$?" 0 "training with the rate found"
	ok "the trained model's validation accuracy is above 0.8" awk -F'\t' '
	    $1 == "#" { for (i = 1; i <= NF; i++) if ($i == "val_acc") c = i }
	    /^[0-9]/ { a = $c } END { exit !(a > 0.8) }' "$T/train.tsv"
	ok "train.png drawn" test -s "$T/train.png"
else
	skip "Fashion-MNIST not installed"
	skip "Fashion-MNIST not installed"
	skip "Fashion-MNIST not installed"
	skip "Fashion-MNIST not installed"
	skip "Fashion-MNIST not installed"
fi
finish
