#!/bin/sh
# Every shell block of README.md runs as written, in order, in a clean
# shell (HOME and PATH=/usr/bin:/bin only) with only the README's own
# set-up, in a scratch copy of the checkout.  A block after
# "<!-- readme.t: skip: WHY -->" is skipped and says why; one after
# "<!-- readme.t: needs torch -->" runs where /usr/bin/python3 has torch.
. "$(dirname "$0")/../lib.sh"

# blocks: the README's indented code blocks, $T/block.N, and the mark
# before each, $T/mark.N
awk -v dir="$T" '
/^<!-- readme\.t: .* -->$/ { mark = $0; sub(/^<!-- readme\.t: /, "", mark)
	sub(/ -->$/, "", mark); next }
/^    / { if (!inb) { n++; print mark > (dir "/mark." n); mark = "" }
	inb = 1; sub(/^    /, ""); print > (dir "/block." n); next }
{ inb = 0; mark = "" }
END { print n > (dir "/nblocks") }' "$top/README.md"
nb=$(cat "$T/nblocks")
block() { grep -l -- "$1" "$T"/block.* | head -n 1; }

is "$(block 'make deps && make check')" "$T/block.2" "the test command is the second block"
ok "the main job is the first block" grep -qx 'make deps && make && ./cmd/lrf-find -c examples/fashion-mnist.yaml' "$T/block.1"
ok "a block puts the programs on PATH" grep -qx 'export PATH=$PWD/cmd:$PATH' "$(block 'export PATH')"

# The scratch checkout: the sources and the build linked, examples/ and
# README.md copied (blocks write into them).
w=$T/top
mkdir "$w" "$T/home"
for f in Makefile cmd lib man tests bench .build-flags; do
	[ -e "$top/$f" ] && ln -s "$top/$f" "$w/$f"
done
cp -R "$top/examples" "$top/README.md" "$w/"
# a clean shell; make keeps the flags of the make around us (SANITIZE=1)
# Open MPI refuses root without its two variables (lrf-train(1)): CI runs
# as root, a user does not, so they pass through as the test's, not the
# README's, set-up; so do the sanitizers' settings of make check
# SANITIZE=1, with mpi.t's suppressions of Open MPI's own leaks (the MPI
# block runs a sanitized lrf-train-mpi)
clean() { env -i HOME="$T/home" PATH=/usr/bin:/bin ${MAKEFLAGS:+MAKEFLAGS="$MAKEFLAGS"} \
    ${OMPI_ALLOW_RUN_AS_ROOT:+OMPI_ALLOW_RUN_AS_ROOT="$OMPI_ALLOW_RUN_AS_ROOT"} \
    ${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:+OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="$OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"} \
    ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
    ${LSAN_OPTIONS:+LSAN_OPTIONS="$LSAN_OPTIONS"} \
    ${OMPI_MCA_mca_base_component_disable_dlclose:+OMPI_MCA_mca_base_component_disable_dlclose=1} \
    ${PMIX_MCA_mca_base_component_disable_dlclose:+PMIX_MCA_mca_base_component_disable_dlclose=1} \
    "$@"; }
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
if [ -n "${ASAN_OPTIONS:-}" ]; then
	OMPI_MCA_mca_base_component_disable_dlclose=1
	PMIX_MCA_mca_base_component_disable_dlclose=1
	LSAN_OPTIONS=suppressions=$top/tests/lsan-mpi.supp:print_suppressions=0:fast_unwind_on_malloc=0
	export OMPI_MCA_mca_base_component_disable_dlclose \
	    PMIX_MCA_mca_base_component_disable_dlclose LSAN_OPTIONS
fi
built=1
(cd "$w" && clean make -q all) >/dev/null 2>&1 || built=0
missing=$(cd "$w" && clean make -s --no-print-directory deps-missing 2>&1 | tr '\n' ' ')
fm=1
[ -r /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || fm=0
torch=1
/usr/bin/python3 -c 'import importlib.util as u, sys
sys.exit(u.find_spec("torch") is None)' 2>/dev/null || torch=0

# The script: each block in turn, its output in out.N and err.N
s=$T/readme.sh
echo 'set -e' >"$s"
i=1
while [ $i -le "$nb" ]; do
	m=$(cat "$T/mark.$i")
	why=
	case $m in
	skip:*) why=${m#skip: } ;;
	"needs torch") [ $torch = 1 ] || why="no torch in /usr/bin/python3" ;;
	?*) why="unknown mark '$m'" ;;
	esac
	if [ -z "$why" ] && [ $built = 0 ] && grep -Eq '(^|[;&|] *)make( |$)' "$T/block.$i"; then
		why="the build here is not this make's (make -q all: out of date)"
	fi
	if [ -z "$why" ] && [ -n "$missing" ] && grep -q 'make deps' "$T/block.$i"; then
		why="make deps would install $missing"
	fi
	if [ -z "$why" ] && [ $fm = 0 ] && grep -q 'fashion-mnist' "$T/block.$i"; then
		why="no Fashion-MNIST (make deps installs dataset-fashion-mnist)"
	fi
	if [ -n "$why" ]; then
		echo "$i $why" >>"$T/skipped"
	else
		{ echo "echo $i > '$T/at'"
		  echo "exec >'$T/out.$i' 2>'$T/err.$i'"
		  cat "$T/block.$i"; } >>"$s"
	fi
	i=$((i + 1))
done
echo "echo done > '$T/at'" >>"$s"
(cd "$w" && clean sh "$s") >/dev/null 2>&1
rc=$?
at=$(cat "$T/at")
if [ "$at" = done ]; then
	pass "every block ran as written ($nb blocks, $(wc -l <"$T/skipped" 2>/dev/null || echo 0) skipped)"
else
	fail "block $at failed (exit status $rc)"
	diag "$(cat "$T/block.$at")" "$(sed 's/^/err: /' "$T/err.$at" | tail -40)"
fi
is "$rc" 0 "the script's exit status"
[ -s "$T/skipped" ] && while read -r n why; do
	skip "block $n: $why"
done <"$T/skipped"
# every block is either run or skipped with a reason
is "$(grep -c '^echo [0-9]* >' "$s") $(wc -l <"$T/skipped" 2>/dev/null || echo 0)" \
    "$((nb - $(wc -l <"$T/skipped"))) $(wc -l <"$T/skipped")" \
    "each block run or skipped"

# what the blocks made
ran() { grep -qx "echo $1 > '$T/at'" "$s"; }
# rate FILE: whether the last line of FILE (a block's output, make's
# before it) is one positive number, a rate
rate() { tail -n 1 "$1" | awk '{ exit !(NF == 1 && $1 ~ /^[0-9.e+-]+$/ &&
    $1 + 0 > 0 && $1 + 0 < 10) }'; }
if ran 1; then
	ok "the main job prints a rate" rate "$T/out.1"
	r=$(ls -d "$w"/runs/lr_finder_* | head -n 1)
	ok "... and writes a run directory with the plot" \
	    test -s "$r/lr_finder.png" -a -s "$r/suggestion.json"
	is "$(jq -r .lr "$r/suggestion.json" 2>&1)" "$(tail -n 1 "$T/out.1")" \
	    "... whose suggestion.json holds that rate"
fi
b=$(block 'examples/images/shapes.yaml' | sed 's/.*block\.//')
ran "$b" && ok "the image folder's range test prints a rate" rate "$T/out.$b"
b=$(block 'examples/finetune' | sed 's/.*block\.//')
ran "$b" && ok "the fine-tuning workflow: a rate for the head and one for the whole" \
    awk -F'\t' '$1 == "head" || $1 == "tune" { if ($2 > 0 && $2 < 10) n++ }
	END { exit n != 2 }' "$w/examples/finetune/out/summary.txt"
b=$(block "awk '!/^#/" | sed 's/.*block\.//')
if ran "$b"; then
	is "$(sed -n 2p "$T/out.$b" | cut -f1)" floor "the awk pipeline suggests with floor"
	# the curve falls fastest at 1e-4 and is lowest near 1.2e-2
	ok "its suggestion lies between the steepest fall and the floor" \
	    awk -F'\t' 'NR == 2 { exit !($2 > 1e-3 && $2 < 1.2e-2) }' "$T/out.$b"
	# lrf(7)'s awk example is the same curve, and gives the same answer
	awk '/^\.Bd -literal/ { lit = 1; n++; next } /^\.Ed/ { lit = 0 }
	    lit { print > (dir "/lrf7." n) }' dir="$T" "$top/man/lrf.7"
	l7=$(grep -l 'lrf-schedule -e 10 | LC_ALL=C awk' "$T"/lrf7.* | head -n 1)
	ok "lrf(7) has the awk example" test -n "$l7"
	(PATH=$top/cmd:$PATH && cd "$T" && sh -e "$l7" >lrf7.out 2>&1)
	is "$?" 0 "lrf(7)'s awk example"
	ok "lrf(7)'s awk example agrees with the README's" cmp -s "$T/lrf7.out" "$T/out.$b"
fi
b=$(block 'line.py' | sed 's/.*block\.//')
ran "$b" && ok "the pure-Python trainer made a run directory" \
    test -s "$(ls -d "$w"/runs/lr_finder_* | tail -n 1)/suggestion.json"
b=$(block 'for opt in' | sed 's/.*block\.//')
if ran "$b"; then
	is "$(ls "$w/sweep" | tr '\n' ' ')" "adam adamw sgd " "the sweep: a run directory per optimizer, by --dir"
	ok "... each with its optimizer" grep -q '^#@ model .*optimizer=adamw ' "$w/sweep/adamw/records.tsv"
	is "$(head -c 8 "$w/sweep.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "... and their overlay"
fi
b=$(block 'lrf-plot -o lr.png | gnuplot' | sed 's/.*block\.//')
ran "$b" && is "$(head -c 8 "$w/lr.png" | od -An -tx1 | tr -d ' \n')" \
    89504e470d0a1a0a "the Fashion-MNIST pipeline draws lr.png"
b=$(block 'onecycle' | sed 's/.*block\.//')
if ran "$b"; then
	ok "the trained model's validation accuracy is above 0.8" awk -F'\t' '
	    $1 == "#" { for (i = 1; i <= NF; i++) if ($i == "val_acc") c = i }
	    /^[0-9]/ { a = $c } END { exit !(a > 0.8) }' "$w/train.tsv"
	ok "train.png drawn" test -s "$w/train.png"
fi
finish
