#!/bin/sh
# bench/run_nn.sh — four MLP twins (CL, NSCL, SCL, CE) at B = 256: clnscl (bench_nn) against
# the same architecture, losses and optimizer in PyTorch (bench_nn_ref.py), same machine,
# one run. usage: sh bench/run_nn.sh BUILD_DIR [THREADS] [STEPS]
# PyTorch runs at its best setting: THREADS intra-op threads with OMP_WAIT_POLICY=PASSIVE, and
# one thread (which avoids oversubscription on 2 cores); the faster of the two is the reference.
# Prints all numbers and the ratio reference_step_time / clnscl_step_time.
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
tv=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')
echo "# reference (bench_nn_ref.py: torch $tv, $threads threads)"
/usr/bin/python3 "$here/bench_nn_ref.py" "$threads" "$steps" > "$scratch/py.txt"
cat "$scratch/py.txt"
echo "# reference (bench_nn_ref.py: torch $tv, 1 thread)"
OMP_NUM_THREADS=1 /usr/bin/python3 "$here/bench_nn_ref.py" 1 "$steps" > "$scratch/py1.txt"
cat "$scratch/py1.txt"
c=$(awk '$1=="step_s"{print $2}' "$scratch/c.txt")
p=$(awk '$1=="step_s"{print $2}' "$scratch/py.txt")
p1=$(awk '$1=="step_s"{print $2}' "$scratch/py1.txt")
awk -v c="$c" -v p="$p" -v p1="$p1" 'BEGIN{b = p1 < p ? p1 : p;
  printf "speedup_vs_torch_%sthreads %.2fx\n", ENVIRON["OPENBLAS_NUM_THREADS"], p / c;
  printf "speedup_vs_torch_1thread %.2fx\n", p1 / c;
  printf "speedup_vs_torch_best %.2fx\n", b / c}'
