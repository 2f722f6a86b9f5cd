#!/bin/sh
# The awk examples force LC_ALL=C: mawk honours LC_NUMERIC, and under a
# locale with decimal commas it reads 1.417 and 1.9 both as 1 and writes
# 2,3 for 2.3.  Every awk command of the README, the man pages and
# examples/ says LC_ALL=C; run under a decimal-comma locale (made with
# localedef into $T when the locale sources are there), they still give
# the C locale's answers.
. "$(dirname "$0")/../lib.sh"

# every awk invocation of the docs and examples/ sets LC_ALL=C (the
# comment lines of the recipes aside, and an awk that compares no numbers:
# lrf-plot(1)'s "NR % 10" thinning, which says so)
bare=$(cd "$top" && grep -n '\bawk \(-[fv]\|'"'"'\)' README.md man/*.[157] \
    examples/Makefile examples/README.md examples/awk/*.awk \
    examples/csv/*.awk | grep -v 'LC_ALL=C awk' | grep -v "NR % 10")
is "$bare" "" "every awk command of the docs and examples/ sets LC_ALL=C"

loc=$T/loc
mkdir -p "$loc"
if ! localedef -i de_DE -f UTF-8 "$loc/de_DE.UTF-8" >/dev/null 2>&1; then
	for i in 1 2 3 4; do  # the four below
		skip "no decimal-comma locale: localedef -i de_DE failed (package locales absent)"
	done
	finish; exit
fi
de() { LOCPATH=$loc LC_ALL=de_DE.UTF-8 "$@"; }

printf '# lr\tloss\n1e-3\t2.310\n1e-2\t1.9\n2e-2\t1.417\n1e-1\t2.5\n' > "$T/h.tsv"
# as examples/README.md runs it
de sh -c "LC_ALL=C awk -f '$top/examples/awk/min-loss.awk' '$T/h.tsv'" > "$T/out"
is "$(sed -n 2p "$T/out")" "$(printf '2e-2\t1.417')" \
    "min-loss.awk with LC_ALL=C under de_DE: the lowest loss, 1.417 at 2e-2"
# the locale does what the docs warn of, with this awk
if [ "$(de awk 'BEGIN { printf "%.1f", 1.5 }')" = "1,5" ]; then
	de awk -f "$top/examples/awk/min-loss.awk" "$T/h.tsv" > "$T/bad"
	is "$(sed -n 2p "$T/bad")" "$(printf '1e-2\t1.9')" \
	    "without LC_ALL=C this awk reads 1.9 and 1.417 as 1: the wrong rate"
else
	skip "this awk ignores LC_NUMERIC (not mawk): nothing to show"
fi

# the README's awk pipeline: the same suggestion under de_DE as under C
b=$(awk '/^    / { if (!inb) n++; inb = 1; sub(/^    /, ""); if (/awk .!\/\^#\//) want = n; blk[n] = blk[n] $0 "\n"; next }
    { inb = 0 } END { printf "%s", blk[want] }' "$top/README.md")
(cd "$top" && LC_ALL=C sh -ec "$b") > "$T/c.out" 2>&1
(cd "$top" && de sh -ec "$b") > "$T/de.out" 2>&1
is "$(cat "$T/de.out")" "$(cat "$T/c.out")" \
    "the README's awk pipeline under de_DE: the C locale's suggestion"
ok "and that is a suggestion" grep -q '^floor	' "$T/c.out"
finish
