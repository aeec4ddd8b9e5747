#!/bin/sh
# bench/run_bounds.sh — bounds calculator speed and agreement against a NumPy reference, one run.
# usage: sh bench/run_bounds.sh BUILD_DIR
# Prints both sets of numbers, the ratios reference_time / clnscl_time (> 1: clnscl faster) and the
# difference of the recurrence's log10 between the two implementations.
set -eu
build=${1:?usage: run_bounds.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
echo "# clnscl (bench_bounds)"
"$build/bench_bounds" > "$scratch/c.txt"
cat "$scratch/c.txt"
echo "# reference (bench_bounds_ref.py: numpy, vectorised)"
/usr/bin/python3 "$here/bench_bounds_ref.py" > "$scratch/py.txt"
cat "$scratch/py.txt"
echo "# ratios reference/clnscl"
for k in recurrence_seq_s eval_grid_s; do
  c=$(awk -v k=$k '$1==k{print $2}' "$scratch/c.txt")
  p=$(awk -v k=$k '$1==k{print $2}' "$scratch/py.txt")
  awk -v k=$k -v c="$c" -v p="$p" 'BEGIN{printf "%s %.2fx\n", k, p / c}'
done
c=$(awk '$1=="recurrence_log10"{print $2}' "$scratch/c.txt")
p=$(awk '$1=="recurrence_log10"{print $2}' "$scratch/py.txt")
awk -v c="$c" -v p="$p" 'BEGIN{d = c - p; if (d < 0) d = -d; printf "recurrence_log10 |clnscl - numpy| = %.3g\n", d}'
