#!/bin/sh
# bench/run_data.sh — data layer speed against NumPy/SciPy/PyTorch references, same machine,
# same thread count, one run. usage: sh bench/run_data.sh BUILD_DIR [THREADS]
# Prints both sets of numbers and the ratios reference_time / clnscl_time (> 1: clnscl faster).
set -eu
build=${1:?usage: run_data.sh BUILD_DIR [THREADS]}
threads=${2:-2}
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads OMP_WAIT_POLICY=PASSIVE
echo "# clnscl (bench_data)"
"$build/bench_data" "$scratch" > "$scratch/c.txt"
cat "$scratch/c.txt"
# give the reference the OpenBLAS kernels clnscl selected (numpy links OpenBLAS too)
core=$(awk '$1=="openblas_core"{print $2}' "$scratch/c.txt")
[ -n "${OPENBLAS_CORETYPE:-}" ] || [ -z "$core" ] || export OPENBLAS_CORETYPE="$core"
echo "# reference (bench_data_ref.py: numpy/scipy/torch, $threads threads)"
/usr/bin/python3 "$here/bench_data_ref.py" "$scratch" "$threads" > "$scratch/py.txt"
cat "$scratch/py.txt"
echo "# ratios reference/clnscl"
for k in load_fashion_train augment_views_s probe_linear_s; do
  c=$(awk -v k=$k '$1==k{print $2}' "$scratch/c.txt")
  p=$(awk -v k=$k '$1==k{print $2}' "$scratch/py.txt")
  awk -v k=$k -v c="$c" -v p="$p" 'BEGIN{printf "%s %.2fx\n", k, p / c}'
done
