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

# image geometry (EDGE_CASES.md D1): both splits one size, and a size the model and the augmentations
# take. mk_idx DIR SPLIT ROWS COLS: 20 images (pixels from /dev/zero), labels 0..9 twice
be32() { printf "\\$(printf %03o $(($1 >> 24 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 & 255)))"; }
mk_idx() {
    mkdir -p "$1"
    { printf '\000\000\010\003'; be32 20; be32 "$3"; be32 "$4"; head -c $((20 * $3 * $4)) /dev/zero; } >"$1/$2-images-idx3-ubyte"
    { printf '\000\000\010\001'; be32 20; printf '\000\001\002\003\004\005\006\007\010\011\000\001\002\003\004\005\006\007\010\011'; } >"$1/$2-labels-idx1-ubyte"
}
geometry() {  # geometry NAME TRAIN_ROWS TRAIN_COLS TEST_ROWS TEST_COLS
    mk_idx "$SCRATCH/$1" train "$2" "$3"
    mk_idx "$SCRATCH/$1" t10k "$4" "$5"
}
# the tester's crashes (heap overflow in the augmentation's resampling, SEGV in sgemm) and the
# runs that went through on mismatched sizes
for g in "1 1 28 28" "28 28 56 56" "4 4 28 28" "56 56 28 28" "14 56 28 28" "28 28 28 14"; do
    set -- $g
    geometry "geo$1x$2-$3x$4" "$@"
    reject_data "train $1x$2, test $3x$4" "training images are 1×$1×$2 (channels×rows×columns) but test images are 1×$3×$4" \
        --data "mnist:$SCRATCH/geo$1x$2-$3x$4" --batch 10
    reject_data "train $1x$2, test $3x$4, cnn" "same image size" --data "mnist:$SCRATCH/geo$1x$2-$3x$4" --batch 10 --model cnn
done
geometry small 4 4 4 4
reject_data "4x4 images, cnn of 3 stages" "too small for --model cnn with 3 stages (its 2×2 poolings need at least 8×8)" \
    --data "mnist:$SCRATCH/small" --batch 10 --model cnn
reject_data "4x4 images, cnn of 4 stages" "need at least 16×16" --data "mnist:$SCRATCH/small" --batch 10 --model cnn --widths 4,4,4,4
geometry wide 129 129 129 129
reject_data "129x129 images" "129×129 pixels are not supported (each side 1..128)" --data "mnist:$SCRATCH/wide" --batch 10
# equal sizes the model takes: these run (4x4 mlp, 8x8 cnn, 1x1 mlp)
for g in "4 4 mlp" "8 8 cnn" "1 1 mlp"; do
    set -- $g
    geometry "ok$1" "$1" "$2" "$1" "$2"
    rm -rf "$SCRATCH/run"
    if "$BIN" train --data "mnist:$SCRATCH/ok$1" --model "$3" --batch 10 --epochs 1 --ref-size 4 --out "$SCRATCH/run" >"$OUT" 2>"$ERR" \
       && [ "$(grep -c '^1,2,' "$SCRATCH/run/models.csv")" -eq 4 ]; then ok; else bad "$1x$2 $3 run: $(cat "$ERR")"; fi
done
# a plain IDX file much shorter than its header declares: refused before allocating
mkdir -p "$SCRATCH/huge"
{ printf '\000\000\010\003'; be32 50000000; be32 28; be32 28; head -c 1000 /dev/zero; } >"$SCRATCH/huge/train-images-idx3-ubyte"
{ printf '\000\000\010\001'; be32 50000000; head -c 1000 /dev/zero; } >"$SCRATCH/huge/train-labels-idx1-ubyte"
cp "$SCRATCH/ok4/t10k-images-idx3-ubyte" "$SCRATCH/ok4/t10k-labels-idx1-ubyte" "$SCRATCH/huge/"
reject_data "header declares 50 million images" "declares 50000000 images of 28×28 (39200000016 bytes) but the file has 1016 bytes" \
    --data "mnist:$SCRATCH/huge"

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
