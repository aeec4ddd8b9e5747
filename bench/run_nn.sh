#!/bin/sh
# bench/run_nn.sh — four MLP twins (CL, NSCL, SCL, CE) at B = 256: clnscl (bench_nn) against
# the same architecture, losses and optimizer in PyTorch (bench_nn_ref.py), same machine,
# same thread count, one run. usage: sh bench/run_nn.sh BUILD_DIR [THREADS] [STEPS]
# Prints both sets of numbers and the ratio reference_step_time / clnscl_step_time.
set -eu
build=${1:?usage: run_nn.sh BUILD_DIR [THREADS] [STEPS]}
threads=${2:-2}
steps=${3:-30}
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads OMP_WAIT_POLICY=PASSIVE
echo "# clnscl (bench_nn, $threads threads)"
"$build/bench_nn" "$steps" > "$scratch/c.txt"
cat "$scratch/c.txt"
echo "# reference (bench_nn_ref.py: torch $( /usr/bin/python3 -c 'import torch; print(torch.__version__)'), $threads threads)"
/usr/bin/python3 "$here/bench_nn_ref.py" "$threads" "$steps" > "$scratch/py.txt"
cat "$scratch/py.txt"
c=$(awk '$1=="step_s"{print $2}' "$scratch/c.txt")
p=$(awk '$1=="step_s"{print $2}' "$scratch/py.txt")
awk -v c="$c" -v p="$p" 'BEGIN{printf "speedup_vs_torch %.2fx\n", p / c}'
