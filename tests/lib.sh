# tests/lib.sh - TAP helpers for the command tests, sourced by tests/cmd/*.t
#
#	. "$(dirname "$0")/../lib.sh"
#	plan 3
#	printf '1e-3 2.3\n' | run lrf-smooth -b 0
#	check_status 0 "plain input"
#	check_out "$(printf '# lr\tloss\tsmooth\n0.001\t2.3\t2.3')" "appends smooth"
#	check_err "" "nothing on stderr"
#	finish
#
# run saves stdout, stderr and the exit status in $T/out, $T/err, $T/status,
# so it works at the end of a pipeline (where it runs in a subshell).

top=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$top/cmd:$PATH
export PATH LC_ALL=C
T=$(mktemp -d "${TMPDIR:-/tmp}/lrf-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
# the raw copies of gzip'd data (rawcache.h) go here, not into $HOME
LRF_CACHE=$T/cache
export LRF_CACHE
data=$top/tests/data
tap_n=0
tap_failed=0

tap_planned=
plan() { tap_planned=1; echo "1..$1"; }
# diag LINE...: comment lines; right after a failed test they go to
# stderr, which prove shows without -v (a CI log is all one sees of a
# failure there), otherwise into the TAP stream.
tap_last=ok
diag() {
	if [ "$tap_last" = ok ]; then _fd=1; else _fd=2; fi
	printf '%s\n' "$@" | sed 's/^/# /' >&"$_fd"
}
pass() { tap_n=$((tap_n + 1)); tap_last=ok; echo "ok $tap_n - $1"; }
fail() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); tap_last=fail
	echo "not ok $tap_n - $1"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $1"; }

# ok NAME CMD...: passes when CMD succeeds.
ok() { _n=$1; shift; if "$@"; then pass "$_n"; else fail "$_n"; fi; }

# quiet CMD...: CMD with its stdout discarded (for ok NAME quiet CMD...).
quiet() { "$@" >/dev/null; }

# is GOT WANT NAME
is() {
	if [ "$1" = "$2" ]; then pass "$3"; else
		fail "$3"; diag "got:  '$1'" "want: '$2'"; fi
}

run() { "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/status"; }

check_status() { is "$(cat "$T/status")" "$1" "$2 (exit status)"; }

# check_err TEXT NAME: stderr is exactly TEXT ("" for nothing).
check_err() { is "$(cat "$T/err")" "$1" "$2 (stderr)"; }

# check_out TEXT NAME: stdout is exactly TEXT (trailing newlines aside).
check_out() { is "$(cat "$T/out")" "$1" "$2 (stdout)"; }

# check_outfile FILE NAME: stdout equals FILE byte for byte.
check_outfile() {
	if cmp -s "$T/out" "$1"; then pass "$2"; else
		fail "$2"; diag "$(diff -u "$1" "$T/out" | head -40)"; fi
}

# check_fails STATUS MESSAGE NAME: the usual shape of an error test.
check_fails() {
	check_status "$1" "$3"
	check_err "$2" "$3"
}

# finish: the plan (unless plan N came first), and the exit status.
finish() {
	[ -n "$tap_planned" ] || echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
