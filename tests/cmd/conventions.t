#!/bin/sh
# What every program shares: a man page that lints clean, -h on stdout with
# exit 0, --version, a bad option with one line and "try -h" on stderr and
# exit 2, EPIPE as success.
. "$(dirname "$0")/../lib.sh"

run mandoc -Tlint -Wwarning "$top"/man/*.[157]
check_status 0 "mandoc -Tlint -Wwarning man/*: clean"
check_out "" "mandoc -Tlint -Wwarning man/*: no output"
version=$(sed -n 's/^VERSION[ 	]*=[ 	]*//p' "$top/Makefile")
ok "the Makefile has a VERSION" test -n "$version"
ok "a LICENSE file (ISC)" grep -q "^ISC License" "$top/LICENSE"
ok "the README states the licence" grep -q "^ISC .*LICENSE\|^## Licence" "$top/README.md"
for p in "$top"/cmd/lrf-*.c; do
	p=$(basename "$p" .c)
	ok "$p has a man page" test -f "$top/man/$p.1"
	ok "the README lists $p" grep -q "\`$p\`" "$top/README.md"
	ok "lrf(7) refers to $p" grep -q "^\.Xr $p 1" "$top/man/lrf.7"
	run "$p" -h
	check_status 0 "$p -h"
	ok "$p -h prints usage on stdout" grep -q "^usage: $p" "$T/out"
	check_err "" "$p -h"
	run "$p" --version
	check_status 0 "$p --version"
	check_out "$p $version" "$p --version: the Makefile's VERSION"
	check_err "" "$p --version: nothing on stderr"
	run "$p" --no-such-option
	check_status 2 "$p --no-such-option"
	ok "$p names itself and the option in the message" \
	    grep -q "^$p: .*option '--no-such-option'" "$T/err"
	is "$(sed 1d "$T/err")" "try '$p -h'" \
	    "$p: a bad option is one line, then try -h (not the usage)"
	check_out "" "$p --no-such-option prints nothing on stdout"
	# every SYNOPSIS option of the page appears in the usage
	run "$p" -h
	missing=$(mandoc -Tutf8 "$top/man/$p.1" 2>/dev/null | col -b |
	    awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' |
	    grep -o -- '-\{1,2\}[a-zA-Z][-a-zA-Z_]*' | sort -u |
	    while read -r o; do grep -q -- "$o" "$T/out" || echo "$o"; done)
	is "$missing" "" "$p: every option of the SYNOPSIS is in the usage"
	# one rule (lrf(7)): every long option with a '-' takes '_' too
	run "$p" -h
	unknown=$(grep -o -- '--[a-z]*-[-a-z]*' "$T/out" | sort -u |
	    while read -r o; do
		u=--$(printf '%s' "${o#--}" | tr - _)
		"$p" "$u" x y z </dev/null 2>&1 >/dev/null |
		    grep -q "nrecognized option\|unknown option" && echo "$u"
	    done)
	is "$unknown" "" "$p: every --a-b option is also --a_b"
done
finish
