# merge-folds.awk - merge the range tests of several folds into one curve:
# the mean loss at each step, with its standard deviation across the folds.
#
# usage: LC_ALL=C awk [-v col=NAME] [-v partial=1] -f merge-folds.awk f0.tsv f1.tsv ...
#
# (LC_ALL=C: mawk honours LC_NUMERIC, and under a decimal-comma locale
# it would read 2.310 as 2: examples/README.md.)
#
# Each file is an lrf record stream (lrf(7)), such as the records.tsv of
# lrf-find; columns are found by the names in its header line, and a
# stream without one is positional: lr, loss, smooth.  Records are matched
# by their step column, or by their order when there is none, and must
# have the same learning rate in every file.  The value averaged is the
# column col, by default loss (the raw loss: smooth the mean again).
#
# Prints "# step lr loss sd n", one record per step, where n is the number
# of files with a finite value at that step (nan and inf are left out)
# and sd their sample standard deviation (nan for one file).  Folds stop
# at different steps when the loss diverges; only the steps where every
# file has a value are printed, unless partial=1.  The first file's
# "#@ schedule" line is kept, so that
#
#	LC_ALL=C awk -f merge-folds.awk out/fashion-mnist/sgd-b64-f*/records.tsv |
#	    lrf-smooth | lrf-suggest
#
# suggests a rate from the mean curve of the folds.

BEGIN { OFS = "\t"; nsteps = 0 }

FNR == 1 {
	nfiles++
	header = 0
	split("", name)
	row = 0
	if (/^#[ \t]/) {
		for (i = 2; i <= NF; i++)
			name[$i] = i - 1
		header = 1
		next
	}
}

/^#@ schedule/ && nfiles == 1 { schedule = $0 }

/^#/ { next }

!ready[nfiles] {
	lrc = column("lr", 1)
	stepc = header && ("step" in name) ? name["step"] : 0
	if (col == "")
		col = "loss"
	c = column(col, 2)
	if (nfiles == 1)
		what = header ? col : \
		    c == 2 ? "loss" : c == 3 ? "smooth" : "col" c
	ready[nfiles] = 1
}

{
	key = stepc ? $stepc : row
	row++
	if (!(key in n)) {
		order[nsteps++] = key
		n[key] = mean[key] = m2[key] = 0
		lr[key] = $lrc
	} else if ($lrc != lr[key] && !same($lrc, lr[key]))
		fatal(FILENAME ":" FNR ": lr " $lrc " differs from " lr[key] \
		    " at step " key " of an earlier file")
	if (finite($c)) {		# Welford's running mean and variance
		d = $c - mean[key]
		mean[key] += d / ++n[key]
		m2[key] += d * ($c - mean[key])
	}
}

END {
	if (failed)
		exit 1
	print "# step", "lr", what, "sd", "n"
	if (schedule != "")
		print schedule
	for (i = 0; i < nsteps; i++) {
		k = order[i]
		if (n[k] == 0 || (n[k] < nfiles && !partial))
			continue
		sd = "nan"
		if (n[k] > 1)
			sd = sprintf("%.9g", sqrt(m2[k] / (n[k] - 1)))
		print k, lr[k], sprintf("%.9g", mean[k]), sd, n[k]
	}
}

# The field number of column s: by name after a header, else s itself
# when it is a number, else dflt.
function column(s, dflt) {
	if (header) {
		if (!(s in name))
			fatal(FILENAME ":" FNR ": no column '" s "'")
		return name[s]
	}
	if (s ~ /^[1-9][0-9]*$/)
		return s + 0
	if (dflt ~ /^[1-9][0-9]*$/)
		return dflt + 0
	fatal(FILENAME ": no column '" s "' in a stream without a header")
}

function same(a, b) {
	return a + 0 == b + 0 || (a - b) ^ 2 <= 1e-18 * b * b
}

function finite(x) {
	return x ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/
}

function fatal(msg) {
	print "merge-folds.awk: " msg > "/dev/stderr"
	failed = 1
	exit 1
}
