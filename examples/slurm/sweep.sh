#!/bin/sh
# examples/slurm/sweep.sh - examples/Makefile's grid of range tests as a
# Slurm job array, one range test a task, merged afterwards into the same
# summary.tsv and overlay.png as 'make -j' gives.
#
#	DATA=blobs NUM=30 sh examples/slurm/sweep.sh [sbatch options]
#
# DATA, NUM, OUT (out/$DATA under examples/) as examples/Makefile takes
# them; the directories must be on a file system every node sees.  The
# experiment files are made first, so that the tasks only read them;
# sbatch --wait returns when the whole array has ended (non-zero if a
# task failed: its log is in $OUT/slurm/).
set -e
EX=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DATA:-fashion-mnist}
OUT=${OUT:-$EX/out/$DATA}
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
NUM=${NUM:-}
export EX DATA OUT NUM
set -- -s -C "$EX" DATA="$DATA" OUT="$OUT" NUM="$NUM" "$@"
make "$@" configs
n=$(make "$@" list | wc -l)
mkdir -p "$OUT/slurm"
sbatch --wait --array=0-$((n - 1)) --output="$OUT/slurm/%A_%a.out" \
    "$EX/slurm/sweep.sbatch" >/dev/null
make "$@" summary overlay
