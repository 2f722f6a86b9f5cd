#!/bin/sh
# cache.t - the raw copies of gzip'd IDX files (lib/rawcache.c): written
# on the first read, used on the next, and never trusted blindly: a
# damaged, cut or stale entry is a miss, the file inflated again, the
# entry rewritten, and the run's numbers the same as without a cache.
. "$(dirname "$0")/../lib.sh"

# 1600 images of 28x28 (1.25 MB inflated: over RAWCACHE_MIN, 1 MiB) in
# 4 classes, the class drawn into the pixels so the loss falls
perl -e '
	print pack("N4", 0x803, 1600, 28, 28);
	for $i (0 .. 1599) {
		$c = $i % 4;
		print pack("C*", map { ($_ % 4 == $c) * 200 + ($_ * 7 + $i) % 50 }
		    0 .. 783);
	}' > "$T/images"
perl -e 'print pack("N2", 0x801, 1600), pack("C*", map { $_ % 4 } 0 .. 1599)' \
    > "$T/labels"
gzip -n -c "$T/images" > "$T/images.gz"
gzip -n -c "$T/labels" > "$T/labels.gz"
isize=$(wc -c < "$T/images" | tr -d ' ')
cat > "$T/c.yaml" <<EOF2
data: {format: idx, images: $T/images.gz, labels: $T/labels.gz, folds: 4}
model: {layers: [{type: dense, units: 16, activation: relu}, {type: dense, units: 4}]}
train: {batch_size: 32, seed: 7, threads: 1}
EOF2
printf '# lr\n0.01\n0.03\n0.1\n0.3\n1\n' > "$T/lrs"
C=$T/cache

train() { lrf-train -c "${cfg:-$T/c.yaml}" --no-progress "$@" < "$T/lrs"; }

LRF_CACHE=off run train
check_status 0 "LRF_CACHE=off: trains"
cp "$T/out" "$T/want"
ok "  no cache directory made" test ! -e "$C"

run train
check_status 0 "first run: trains"
check_outfile "$T/want" "  the same records as without a cache"
entry=$(ls "$C"/idx-*.raw 2>/dev/null)
is "$(printf '%s\n' "$entry" | grep -c .)" 1 "  one entry: the images (the labels are small)"
is "$(wc -c < "$entry" | tr -d ' ')" $((isize + 56)) \
    "  the inflated bytes and a 56-byte trailer"
ok "  the entry holds the file's bytes" \
    cmp -n "$isize" "$entry" "$T/images"
ok "  no temporary file left" test -z "$(ls -A "$C" | grep -v '^idx-')"
cp "$entry" "$T/good"

if command -v strace >/dev/null 2>&1; then
	strace -f -o "$T/tr" -e trace=openat,mmap lrf-train -c "$T/c.yaml" \
	    --no-progress < "$T/lrs" > "$T/out" 2> /dev/null
	ok "second run: the entry is read" grep -q "idx-.*\.raw" "$T/tr"
	ok "  and mapped whole, not inflated into a buffer" \
	    grep -q "mmap(NULL, $((isize + 56)), PROT_READ, MAP_PRIVATE" "$T/tr"
else
	run train
	skip "second run: no strace"
	skip "  (no strace)"
fi
check_outfile "$T/want" "  the same records"

# 600 KB of the data zeroed: the CRC-32 of the gzip trailer catches it;
# the temporary file of a run killed an hour ago goes, a recent one stays
dd if=/dev/zero of="$entry" bs=1024 seek=4 count=600 conv=notrunc 2>/dev/null
echo x > "$C/.tmp-idx.old"
touch -d '2 hours ago' "$C/.tmp-idx.old"
echo x > "$C/.tmp-idx.new"
run train
check_status 0 "a damaged entry: trains"
check_outfile "$T/want" "  the same records (the file inflated again)"
ok "  the entry rewritten" cmp -s "$entry" "$T/good"
ok "  a killed writer's hour-old temporary file removed" \
    test ! -e "$C/.tmp-idx.old"
ok "  a recent one (a live writer's) kept" test -e "$C/.tmp-idx.new"
rm -f "$C/.tmp-idx.new"

head -c 1000 "$T/good" > "$entry"
run train
check_outfile "$T/want" "a cut entry: the same records"
ok "  the entry rewritten" cmp -s "$entry" "$T/good"

# the file changed (its mtime): the entry's trailer no longer matches
touch -d '2001-02-03 04:05:06' "$T/images.gz"
run train
check_outfile "$T/want" "a changed file: the same records"
ok "  the entry rewritten for the file as it is now" \
    sh -c '! cmp -s "$1" "$2" && cmp -s -n "$3" "$1" "$4"' - \
    "$entry" "$T/good" "$isize" "$T/images"

# the entry replaced by a symlink to good bytes: not followed
cp "$entry" "$T/good"
rm "$entry"
ln -s "$T/good" "$entry"
strace -f -o "$T/tr" -e trace=mmap lrf-train -c "$T/c.yaml" \
    --no-progress < "$T/lrs" > "$T/out" 2> /dev/null ||
    train > "$T/out" 2> /dev/null
check_outfile "$T/want" "a symlinked entry: the same records"
ok "  not followed: the file inflated" sh -c '! command -v strace >/dev/null ||
    ! grep -q "mmap(NULL, $1, PROT_READ, MAP_PRIVATE" "$2"' - \
    $((isize + 56)) "$T/tr"
rm -f "$entry"

# data.classes moves the samples in place: the mapped copy is made
# writable for it (the cache entry itself is not changed)
train > /dev/null 2>&1
cp "$entry" "$T/good"
sed -e 's/folds: 4}/folds: 4, classes: [1, 3]}/' -e 's/units: 4}/units: 2}/' "$T/c.yaml" > "$T/c2.yaml"
cfg=$T/c2.yaml LRF_CACHE=off run train
cp "$T/out" "$T/want2"
cfg=$T/c2.yaml run train
check_status 0 "data.classes on a cached file: trains"
check_outfile "$T/want2" "  the same records as without a cache"
ok "  the entry unchanged" cmp -s "$entry" "$T/good"

# a cache that cannot be made or written: the run goes on, silently
: > "$T/notadir"
LRF_CACHE=$T/notadir/sub run train
check_status 0 "a cache directory that cannot be made: trains"
check_outfile "$T/want" "  the same records"
check_err "" "  nothing said"
# (/proc: no file can be made there, not even by root)
LRF_CACHE=/proc run train
check_status 0 "a cache directory that cannot be written: trains"
check_outfile "$T/want" "  the same records"
check_err "" "  nothing said"

# the default place: $XDG_CACHE_HOME/lrf, else $HOME/.cache/lrf
(unset LRF_CACHE; XDG_CACHE_HOME=$T/xdg train > /dev/null 2>&1)
ok "no LRF_CACHE: \$XDG_CACHE_HOME/lrf" test -s "$(ls "$T"/xdg/lrf/idx-*.raw)"
(unset LRF_CACHE XDG_CACHE_HOME; HOME=$T/home train > /dev/null 2>&1)
ok "no XDG_CACHE_HOME: \$HOME/.cache/lrf" \
    test -s "$(ls "$T"/home/.cache/lrf/idx-*.raw)"
finish
