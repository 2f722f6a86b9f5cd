# smooth-examples.awk - pull the examples out of a man page's EXAMPLES
# section, so that a test can run them: in every ".Bd -literal" display a
# line "$ command" is a command and the lines after it, up to the next
# command or ".Ed", are its standard output.  Writes dir/N.sh and dir/N.out
# for N = 1, 2, ... and prints the number of examples.
#
#	awk -v dir=DIR -f smooth-examples.awk man/lrf-smooth.1

function unescape(s) {
	gsub(/\\e/, "\\", s)
	gsub(/\\&/, "", s)
	return s
}

/^\.Sh / { inex = ($2 == "EXAMPLES"); next }
inex && /^\.Bd -literal/ { inlit = 1; next }
inex && /^\.Ed/ { inlit = 0; next }
inex && inlit && /^\$ / {
	n++
	cmd = dir "/" n ".sh"
	out = dir "/" n ".out"
	print unescape(substr($0, 3)) > cmd
	close(cmd)
	printf "" > out
	next
}
inex && inlit && n > 0 {
	print unescape($0) >> out
	close(out)
}
END { print n + 0 }
