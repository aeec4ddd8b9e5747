#!/bin/sh
# tests/cli_data.sh — malformed and missing data files through `clnscl train` (EDGE_CASES.md
# D1/D2): exit 2, exactly one "clnscl: " line naming the problem, nothing on stdout, no
# output directory. Fixtures are written here with printf/head (no committed files).
# usage: sh cli_data.sh <clnscl> <fixtures-dir> <scratch-dir>
. "$(dirname "$0")/lib.sh"
export CLNSCL_QUIET=1 OPENBLAS_NUM_THREADS=1

# reject_data WHAT MESSAGE-FRAGMENT ARGS...: `clnscl train ARGS` refused, no run directory
reject_data() {
    what=$1 pat=$2
    shift 2
    reject "$what" "$pat" "$SCRATCH/run" train "$@" --epochs 1 --out "$SCRATCH/run"
}

# a MNIST-format directory: 20 images of 28×28 (pixels from /dev/zero), labels 0..9 twice
mk_mnist() {  # mk_mnist DIR IMAGE_MAGIC_BYTES
    d=$1; mkdir -p "$d"
    for s in train t10k; do
        { printf "$2"; printf '\000\000\000\024\000\000\000\034\000\000\000\034'; head -c 15680 /dev/zero; } >"$d/$s-images-idx3-ubyte"
        { printf '\000\000\010\001\000\000\000\024'; printf '\000\001\002\003\004\005\006\007\010\011\000\001\002\003\004\005\006\007\010\011'; } >"$d/$s-labels-idx1-ubyte"
    done
}

mk_mnist "$SCRATCH/swapped" '\003\010\000\000'
reject_data "byte-swapped IDX magic" "byte-swapped" --data "mnist:$SCRATCH/swapped"
mk_mnist "$SCRATCH/float" '\000\000\015\003'
reject_data "IDX type byte float" "type byte" --data "mnist:$SCRATCH/float"
mk_mnist "$SCRATCH/trunc" '\000\000\010\003'
head -c 15000 "$SCRATCH/trunc/train-images-idx3-ubyte" >"$SCRATCH/t" && mv "$SCRATCH/t" "$SCRATCH/trunc/train-images-idx3-ubyte"
reject_data "truncated IDX images" "truncated" --data "mnist:$SCRATCH/trunc"
mk_mnist "$SCRATCH/labels" '\000\000\010\003'
{ printf '\000\000\010\001\000\000\000\024'; head -c 19 /dev/zero; printf '\014'; } >"$SCRATCH/labels/train-labels-idx1-ubyte"
reject_data "IDX label out of range" "out of range" --data "mnist:$SCRATCH/labels"
mk_mnist "$SCRATCH/count" '\000\000\010\003'
{ printf '\000\000\010\001\000\000\000\023'; head -c 19 /dev/zero; } >"$SCRATCH/count/train-labels-idx1-ubyte"
reject_data "IDX label/image count mismatch" "labels but" --data "mnist:$SCRATCH/count"
mkdir -p "$SCRATCH/empty"
reject_data "missing MNIST files" "train-images-idx3-ubyte" --data "mnist:$SCRATCH/empty"
reject_data "missing Fashion-MNIST names the package" "dataset-fashion-mnist" --data "fashion-mnist:$SCRATCH/empty"

# CIFAR-10: batches of 3 records; one batch one byte short
mkdir -p "$SCRATCH/cifar"
for b in 1 2 3 4 5; do head -c 9219 /dev/zero >"$SCRATCH/cifar/data_batch_$b.bin"; done
head -c 9219 /dev/zero >"$SCRATCH/cifar/test_batch.bin"
head -c 9218 /dev/zero >"$SCRATCH/cifar/data_batch_3.bin"
reject_data "truncated CIFAR-10 batch" "record" --data "cifar10:$SCRATCH/cifar"
rm "$SCRATCH/cifar/data_batch_5.bin"
reject_data "missing CIFAR-10 batch" "data_batch_5.bin" --data "cifar10:$SCRATCH/cifar"
reject_data "missing CIFAR-100 files" "train.bin" --data "cifar100:$SCRATCH/cifar"
reject_data "unknown data spec" "cifar100:DIR" --data "svhn:$SCRATCH/cifar"

finish
