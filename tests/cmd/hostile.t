#!/bin/sh
# Hostile and broken input: every case of tests/data/hostile.tsv.
#
# A case is one line of five TAB-separated fields:
#
#	name	status	setup	command	stderr
#
# setup is shell run in an empty directory; it may create files there
# (configs, datasets, weights) and its stdout becomes the file "in",
# which is the command's stdin.  command is shell run in that directory
# with the helpers below.  The case passes when the command exits with
# status and its stderr is exactly stderr ("\n" stands for a newline, ""
# for nothing), within 120 seconds (1200 under valgrind).  Large and
# binary inputs are made by setup, not kept in the tree.
#
# LRF_WRAPDIR, when set, is put first in PATH (make memcheck puts
# valgrind wrappers of the programs there).
. "$(dirname "$0")/../lib.sh"

[ -n "${LRF_WRAPDIR:-}" ] && PATH=$LRF_WRAPDIR:$PATH && export PATH
# a case's time limit: 120 s, ten times that under valgrind (which runs
# a program 50 to 100 times slower: the curve of 300000 points)
limit=120
[ -n "${LRF_WRAPDIR:-}" ] && limit=1200

cat > "$T/helpers.sh" <<'EOF'
# be32 N: N as 4 bytes, big-endian
be32() {
	printf "\\$(printf %03o $((($1 >> 24) & 255)))\\$(printf %03o \
$((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 8) & 255)))\\$(printf %03o \
$(($1 & 255)))"
}
# idx TYPE DIM...: an IDX header (magic 0 0 TYPE NDIM, the dimensions)
idx() {
	_t=$1; shift
	printf "\\000\\000\\$(printf %03o "$_t")\\$(printf %03o $#)"
	for _d; do be32 "$_d"; done
}
# bytes N [OCTAL]: N bytes of value OCTAL (default 0)
bytes() { head -c "$1" /dev/zero | tr '\0' "\\${2:-000}"; }
# rep N STRING: STRING N times
rep() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }
# garbage N: N bytes of seeded binary noise, NUL and newlines included
garbage() {
	printf "$(awk -v n="$1" 'BEGIN { x = 12345
		for (i = 0; i < n; i++) {
			x = (69069 * x + 1) % 4294967296	# exact in a double
			printf "\\%03o", int(x / 16777216) } }')"
}
# patch FILE OFFSET BYTES: overwrite bytes (printf escapes) at OFFSET
patch() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
# memlimit KB: cap the address space, so that a limit reached is seen
# to be an error and not an allocation (not under ASan or valgrind)
memlimit() {
	[ -n "${ASAN_OPTIONS:-}${LRF_WRAPDIR:-}" ] || ulimit -v "$1"
}
# syn: s.yaml, a tiny synthetic experiment (5 features, 3 classes)
syn() {
	cat > s.yaml <<'E'
data: {format: synthetic, kind: blobs, samples: 64, features: 5, classes: 3, folds: 2}
model:
  layers:
    - {type: dense, units: 4, activation: relu}
    - {type: dense, units: 3}
train: {batch_size: 4, threads: 1}
E
}
# idxcfg: c.yaml, an experiment on the IDX files img and lab (10 classes)
idxcfg() {
	cat > c.yaml <<'E'
data: {format: idx, images: img, labels: lab, folds: 2}
model:
  layers:
    - {type: dense, units: 4, activation: relu}
    - {type: dense, units: 10}
train: {batch_size: 2, threads: 1}
E
}
# csvcfg [LABEL]: c.yaml, an experiment on d.csv (a header line, the
# label in column LABEL, default y; 2 classes)
csvcfg() {
	cat > c.yaml <<E
data: {format: csv, path: d.csv, label_column: ${1:-y}, folds: 2}
model:
  layers:
    - {type: dense, units: 2}
train: {batch_size: 2, threads: 1}
E
}
# weights: w.lrfw, the weights of syn's model in lrf's old format, which
# lrf-train --save wrote before safetensors (tests/data/w-syn.lrfw, 228
# bytes, wfile.h: the header to byte 12, the first layer's weight
# dimensions at 24 and 28)
weights() { syn; cp "$data/w-syn.lrfw" w.lrfw; }
# le64 N: N as 8 bytes, little-endian (-1: all ones, 2^64-1)
le64() {
	_n=$1
	for _i in 1 2 3 4 5 6 7 8; do
		printf "\\$(printf %03o $((_n & 255)))"
		_n=$((_n >> 8))
	done
}
# stf HEADER N: a safetensors file, HEADER (ASCII JSON) and N zero bytes
stf() { le64 ${#1}; printf '%s' "$1"; bytes "$2"; }
# sth: syn's model's tensors, as lrf-train --save names them (156 bytes
# of data), without the closing brace
sth='{"dense1.weight":{"dtype":"F32","shape":[4,5],"data_offsets":[0,80]},\
"dense1.bias":{"dtype":"F32","shape":[4],"data_offsets":[80,96]},\
"dense2.weight":{"dtype":"F32","shape":[3,4],"data_offsets":[96,144]},\
"dense2.bias":{"dtype":"F32","shape":[3],"data_offsets":[144,156]}'
sth=$(printf '%s' "$sth" | tr -d '\\\n')
# imgs: r/, a class-folder root of good images (2 classes, 4 files
# each, from tests/data/img/src), and c.yaml, an experiment on it (8 x 8
# RGB, 2 classes); 8 learning rates on stdout (32 samples: every image
# of the root is decoded at least once)
imgs() {
	mkdir -p r/a r/b
	for f in rgb.png rgba.png palette.png gray.png; do
		cp "$data/img/src/$f" r/a/; done
	for f in rgb420.jpg rgb444.jpg cmyk.jpg progressive.jpg; do
		cp "$data/img/src/$f" r/b/; done
	printf 'data: {format: images, root: r, size: 8, channels: 3, folds: 2%s}\n' "${1:-}" > c.yaml
	printf 'model:\n  layers:\n    - {type: dense, units: 2}\ntrain: {batch_size: 4, threads: 1}\n' >> c.yaml
	printf '1e-3\n1e-3\n1e-3\n1e-3\n1e-3\n1e-3\n1e-3\n1e-3\n'
}
EOF

n=0
tab=$(printf '\t')
while IFS="$tab" read -r name status setup cmd want; do
	case $name in ''|'#'*) continue ;; esac
	n=$((n + 1))
	d=$T/case$n
	mkdir "$d"
	if ! (cd "$d" && . "$T/helpers.sh" && eval "$setup") >"$d/in" \
	    2>"$d/setup.err"; then
		fail "$name: setup failed"
		diag "$(cat "$d/setup.err")"
		continue
	fi
	(cd "$d" && exec timeout $limit sh -c ". '$T/helpers.sh'; $cmd" \
	    <in >out 2>err)
	got=$?
	want=$(printf '%s\n' "$want" | sed 's/\\n/\
/g')
	if [ "$got" = "$status" ] && [ "$(cat "$d/err")" = "$want" ]; then
		pass "$name"
	else
		fail "$name"
		diag "command: $cmd" "status: got $got, want $status" \
		    "stderr got:  $(cat "$d/err")" "stderr want: $want"
	fi
	rm -rf "$d"
done < "$data/hostile.tsv"
ok "the table has 60 cases or more ($n)" test "$n" -ge 60
finish
