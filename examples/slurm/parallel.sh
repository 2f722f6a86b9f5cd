#!/bin/sh
# examples/slurm/parallel.sh - the same grid with GNU parallel: on this
# machine, or over ssh hosts sharing a file system (--sshloginfile hosts);
# --joblog keeps what ran, --resume skips what already succeeded when run
# again after an interruption.
#
#	DATA=blobs NUM=30 JOBS=2 sh examples/slurm/parallel.sh [parallel options]
set -e
EX=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DATA:-fashion-mnist}
OUT=${OUT:-$EX/out/$DATA}
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
NUM=${NUM:-}
vars="DATA=$DATA OUT=$OUT NUM=$NUM"
make -s -C "$EX" $vars configs
make -s -C "$EX" $vars list |
    parallel --joblog "$OUT/joblog" --resume -j "${JOBS:-2}" "$@" \
	make -s -C "$EX" $vars "$OUT/{}/records.tsv"
make -s -C "$EX" $vars summary overlay
