#!/bin/sh
# The bash completion: made by make from every program's -h, so that
# every option -h shows is in it (both spellings of a long option with a
# '-'), and the enumerated values of -T, -m, --method complete; make
# install puts it where bash-completion looks, once per program.
. "$(dirname "$0")/../lib.sh"

c=$top/lib/completion/lrf.bash
ok "make made lib/completion/lrf.bash" test -s "$c"
ok "it is bash" bash -n "$c"
run sh "$top/lib/completion/mkcomplete" "$top"/cmd/lrf-find "$top"/cmd/lrf-plot \
    "$top"/cmd/lrf-schedule "$top"/cmd/lrf-smooth "$top"/cmd/lrf-suggest \
    "$top"/cmd/lrf-train
check_outfile "$c" "it is what mkcomplete makes of the programs now"

# comp PROG WORD...: what completes the last WORD after PROG WORD...
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    _lrf_complete; printf "%s\n" "${COMPREPLY[*]}"' sh "$c" "$@"
}

for p in "$top"/cmd/lrf-*.c; do
	p=$(basename "$p" .c)
	# every option of -h: those of the synopsis ([-ahq] is three) and
	# the first column of the table
	lrf_opts=$("$p" -h | LC_ALL=C awk '
	    /^usage:/ { s = 1 } s && !/^(usage:| +\[)/ { s = 0 }
	    s { n = split($0, w, /[][ |]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^--[A-Za-z]/) print w[i]
			else if (w[i] ~ /^-[A-Za-z0-9]+$/)
				for (j = 2; j <= length(w[i]); j++)
					print "-" substr(w[i], j, 1)
		next }
	    /^ +-/ { n = split($0, w, /[ ,]+/)
		for (i = 2; i <= n && w[i] ~ /^-/; i++) print w[i] }' | sort -u)
	all=$(comp "$p" -)
	missing=$(for o in $lrf_opts; do
		case " $all " in *" $o "*) ;; *) echo "$o" ;; esac
	done)
	is "$missing" "" "$p: every option of -h completes"
	ok "$p: and --version" sh -c 'case " $1 " in *" --version "*) ;; *) exit 1 ;; esac' sh "$all"
	n=$(printf '%s\n' "$lrf_opts" | wc -l)
	ok "$p: that is many options ($n)" test "$n" -ge 8
done
is "$(comp lrf-plot -T '')" "png svg pdf dumb sixel" "lrf-plot -T: the terminals"
is "$(comp lrf-suggest -m '')" "steep minimum valley slide balanced floor all" \
    "lrf-suggest -m: the methods"
is "$(comp lrf-find --method v)" "valley" "lrf-find --method v: valley"
is "$(comp lrf-find --plot '')" "png dumb none" "lrf-find --plot: png dumb none"
is "$(comp lrf-schedule --mode tri)" "triangular triangular2" "lrf-schedule --mode tri"
is "$(comp lrf-find --start-)" "--start-lr" "lrf-find --start-: --start-lr"
is "$(comp lrf-find --start_)" "--start_lr" "lrf-find --start_: --start_lr"
is "$(comp lrf-suggest --js)" "--json" "lrf-suggest --js: --json"
is "$(cd "$top" && comp lrf-find -c examples/fashion-mnist.y)" \
    "examples/fashion-mnist.yaml" "lrf-find -c: a file name"

# make install: one copy per program where bash-completion looks (make
# -n: the recipe, without building anything here)
run make -s -n -C "$top" install DESTDIR=/D PREFIX=/P
ok "make install copies the completion" grep -q \
    'cp lib/completion/lrf.bash /D/P/share/bash-completion/completions/' "$T/out"
finish
