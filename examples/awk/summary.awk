# summary.awk - one row per range test: the optimizer, the batch size and
# the fold, read from the "#@ model" and "#@ run" lines lrf-train writes,
# and the learning rate and loss of the first "#@ suggest" line (lrf-find
# writes one, lrf-suggest -a one per method).  A file without a suggestion
# is a row of "-" where the rate would be, so a failed run shows.
#
# usage: LC_ALL=C awk -f summary.awk out/*/records.tsv > summary.tsv
#
# (LC_ALL=C: mawk honours LC_NUMERIC, and under a decimal-comma locale
# it would read 2.310 as 2: examples/README.md.)

BEGIN {
	OFS = "\t"
	print "# optimizer", "batch", "fold", "lr", "loss"
}

FNR == 1 {
	if (NR > 1)
		row()
	opt = batch = fold = "-"
	lr = loss = ""
}

/^#@ model / { opt = meta("optimizer") }
/^#@ run / { batch = meta("batch_size"); fold = meta("fold") }
/^#@ suggest / && lr == "" { lr = meta("lr"); loss = meta("loss") }

END {
	if (NR > 0)
		row()
}

function row() {
	if (lr == "")
		lr = loss = "-"
	print opt, batch, fold, lr, loss
}

# The value of key=value on this "#@" line, or "-".
function meta(key,    i) {
	for (i = 3; i <= NF; i++)
		if (index($i, key "=") == 1)
			return substr($i, length(key) + 2)
	return "-"
}
