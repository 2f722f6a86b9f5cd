# steepest-decade.awk - the decade of learning rates over which the
# smoothed loss of a range test falls the most.
#
# usage: LC_ALL=C awk [-v col=NAME] -f steepest-decade.awk run.tsv
#
# (LC_ALL=C: mawk honours LC_NUMERIC, and under a decimal-comma locale
# it would read 2.310 as 2: examples/README.md.)
#
# Reads one lrf record stream (lrf(7)), learning rates not decreasing.
# Columns are found by the names in its header line; a stream without a
# header is positional: lr, loss, smooth.  The curve is the column col when
# given, else smooth when the stream has it, else loss.  Comments and
# values that are not finite numbers (nan, inf) are skipped.
#
# For each point, the decade that starts there ends at the first point
# whose rate is at least ten times as large; the fall is the value at the
# start less the value at the end, divided by the decades between them
# (1 when the rates are exactly ten apart).  Prints a header and the
# decade with the largest fall, the first of equals:
#
#	# from	to	fall
#	0.001	0.01	0.52
#
# A range of rates that is less than a decade, or a curve that rises over
# every decade, has no answer: a message and exit status 1.  Training at
# the start of that decade is a bold choice, at a tenth of its end a safe
# one; lrf-suggest -m steep looks at single steps instead.

BEGIN { OFS = "\t"; n = 0 }

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
	ready = 1
}

finite($lrc) && finite($c) {
	lr[n] = $lrc + 0
	slr[n] = $lrc			# as written, for the answer
	v[n] = $c + 0
	n++
}

END {
	if (failed)
		exit 1
	found = 0
	j = 1
	for (i = 0; i < n; i++) {
		if (j <= i)
			j = i + 1
		while (j < n && lr[j] < 10 * lr[i] * (1 - 1e-9))
			j++
		if (j >= n)
			break
		fall = (v[i] - v[j]) / (log(lr[j] / lr[i]) / log(10))
		if (fall > 0 && (!found || fall > best)) {
			best = fall
			from = i
			to = j
			found = 1
		}
	}
	if (!found)
		fatal(j >= n && i == 0 ? "the rates span less than a decade" : \
		    "the curve falls over no decade")
	print "# from", "to", "fall"
	print slr[from], slr[to], sprintf("%.9g", best)
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

function finite(x) {
	return x ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/
}

function fatal(msg) {
	print "steepest-decade.awk: " msg > "/dev/stderr"
	failed = 1
	exit 1
}
