#!/bin/bash
# A range test stops early: an endless lrf-schedule -n 0 feeds a synthetic
# trainer whose loss falls and then explodes; lrf-smooth cuts the stream
# where it diverges, and the whole pipeline ends with status 0 under
# pipefail.  timeout is only a guard against a hang.
set -o pipefail
. "$(dirname "$0")/../lib.sh"

# The trainer: loss = (ln lr + 10)^2 + 1, smallest at lr = e^-10.  Like
# lrf-train it copies comments, writes a header, flushes every record and
# ends quietly when its reader has gone away (awk dies of SIGPIPE: 141).
cat >"$T/trainer" <<'EOF'
#!/bin/sh
env --default-signal=PIPE awk -v f="$1" '
BEGIN { print "# step\tlr\tloss"; fflush() }
NR == 1 && /^# / { next }
/^#/ { print; fflush(); next }
{
	loss = (log($2) + 10)^2 + 1
	if (f == "nan" && $2 > 1e-3)
		loss = "nan"
	printf "%s\t%s\t%s\n", $1, $2, loss
	fflush()
}'
s=$?
[ "$s" -eq 141 ] && exit 0
exit "$s"
EOF
chmod +x "$T/trainer"

# rangetest [trainer argument] [lrf-smooth options]: the pipeline, guarded
rangetest() {
	_f=$1
	shift
	timeout 20 bash -c 'set -o pipefail
	    f=$1; shift
	    lrf-schedule -n 0 | "$T/trainer" "$f" | lrf-smooth "$@"' \
	    rangetest "$_f" "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/status"
}

export T

rangetest ""
check_status 0 "lrf-schedule -n 0 | trainer | lrf-smooth"
check_err "" "the pipeline says nothing"
is "$(tail -n 1 "$T/out" | cut -d ' ' -f 1-4)" \
    "#@ stop reason=diverged step=94" "the stream ends with the stop line"
is "$(head -n 1 "$T/out")" "$(printf '# step\tlr\tloss\tsmooth')" \
    "the stream starts with the header"
ok "the schedule's metadata passed through" \
    grep -q '^#@ schedule ' "$T/out"
is "$(grep -vc '^#' "$T/out")" 95 "95 records, steps 0 to 94"
# the stop line agrees with the record before it: smooth > 4 * best
is "$(tail -n 2 "$T/out" | awk '
	NR == 1 { step = $1; smooth = $4 }
	NR == 2 { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		  print (v["smooth"] == smooth && v["smooth"] > 4 * v["best"] &&
		      v["step"] == step) ? "consistent" : "inconsistent" }')" \
    consistent "the last record is the one that diverged"

# a run that turns nan ends at the first nan
rangetest nan
check_status 0 "a run that turns nan"
check_err "" "a run that turns nan says nothing"
ok "reason=nonfinite" sh -c \
    "tail -n 1 '$T/out' | grep -q '^#@ stop reason=nonfinite step=[0-9]* lr=[0-9.e-]* smooth=nan '"
is "$(tail -n 2 "$T/out" | head -n 1 | cut -f 3)" nan \
    "the nan record is written before the stop line"

# and lrf-suggest reads the cut stream
timeout 20 bash -c 'set -o pipefail; lrf-schedule -n 0 | "$T/trainer" "" |
    lrf-smooth | lrf-suggest -q' >"$T/out" 2>"$T/err"
echo $? >"$T/status"
check_status 0 "... | lrf-suggest -q"
check_err "" "... | lrf-suggest -q"
ok "the suggestion is a learning rate below the divergence" \
    awk '{ exit !($1 > 1e-7 && $1 < 0.443062146) }' "$T/out"

finish
