# min-loss.awk - the learning rate at the smallest loss of a range test.
#
# usage: LC_ALL=C awk [-v col=NAME] -f min-loss.awk run.tsv
#
# (LC_ALL=C: mawk honours LC_NUMERIC, and under a decimal-comma locale
# it would read 2.310 as 2: examples/README.md.)
#
# Reads one lrf record stream (lrf(7)).  Columns are found by the names in
# its header line ("# step lr loss smooth"); a stream without a header is
# positional: lr, loss, smooth.  The curve is the column col (a name, or a
# number in a positional stream) when given, else smooth when the stream
# has it, else loss.  Comments are skipped, and so are values that are not
# finite numbers (nan, inf).  The first of equal minima wins.  Prints a
# header and one record, the rate and the value, as they were written:
#
#	# lr	smooth
#	0.0426	1.71
#
# fastai's "minimum" suggestion is this rate divided by 10: at the minimum
# itself the loss is already about to blow up.

BEGIN { OFS = "\t" }

NR == 1 && /^#[ \t]/ {
	for (i = 2; i <= NF; i++)
		name[$i] = i - 1
	header = 1
	next
}

/^#/ { next }

!ready {
	lrc = column("lr", 1)
	if (col == "")
		col = header ? ("smooth" in name ? "smooth" : "loss") : \
		    (NF >= 3 ? 3 : 2)
	c = column(col, col)
	what = header ? col : c == 2 ? "loss" : c == 3 ? "smooth" : "col" c
	ready = 1
}

finite($c) && (n == 0 || $c + 0 < best) {
	best = $c + 0
	bestlr = $lrc
	bestval = $c
	n++
}

END {
	if (failed)
		exit 1
	if (n == 0)
		fatal("no finite value in the curve")
	print "# lr", what
	print bestlr, bestval
}

# The field number of column s: by name after a header, else s itself
# when it is a number, else dflt.
function column(s, dflt) {
	if (header) {
		if (!(s in name))
			fatal("no column '" s "'")
		return name[s]
	}
	if (s ~ /^[1-9][0-9]*$/)
		return s + 0
	if (dflt ~ /^[1-9][0-9]*$/)
		return dflt + 0
	fatal("no column '" s "' in a stream without a header")
}

function finite(v) {
	return v ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/
}

function fatal(msg) {
	print "min-loss.awk: " msg > "/dev/stderr"
	failed = 1
	exit 1
}
