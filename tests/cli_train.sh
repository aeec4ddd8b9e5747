#!/bin/sh
# tests/cli_train.sh — `clnscl train` input validation: every bad input exits 2 with one
# "clnscl: " line on stderr, nothing on stdout and no output directory; --help; a config
# file is read and flags override it (checked through config.json of a tiny run).
# usage: sh cli_train.sh <clnscl> <fixtures-dir> <scratch-dir>
. "$(dirname "$0")/lib.sh"
export CLNSCL_QUIET=1 OPENBLAS_NUM_THREADS=1

if "$BIN" train --help >"$OUT" 2>"$ERR" && grep -q "usage: clnscl train" "$OUT" && grep -q -- "--null-twin" "$OUT" \
   && grep -q -- "--eval-steps" "$OUT"; then ok; else bad "--help"; fi

# bad input: exit 2, exactly one "clnscl: " line, empty stdout, no output directory
reject_train() { # WHAT ARGS...: `clnscl train ARGS` refused, no run directory $SCRATCH/run
    what=$1
    shift
    reject "$what" "" "$SCRATCH/run" train "$@"
}
R="--out $SCRATCH/run"
reject_train "batch 0" --batch 0 $R
reject_train "batch 1" --batch 1 $R
reject_train "batch text" --batch many $R
reject_train "negative epochs" --epochs -1 $R
reject_train "zero epochs" --epochs 0 $R
reject_train "tau 0" --tau 0 $R
reject_train "tau nan" --tau nan $R
reject_train "lr inf" --lr inf $R
reject_train "unknown flag" --bogus 3 $R
reject_train "positional" extra $R
reject_train "unknown loss" --losses cl,mse $R
reject_train "repeated loss" --losses cl,nscl,nscl $R
reject_train "bad form" --form both $R
reject_train "bad model" --model resnet $R
reject_train "bad optimizer" --optimizer adam $R
reject_train "bad schedule" --schedule step $R
reject_train "bad lr-scale" --lr-scale cube $R
reject_train "eval steps order" --eval-steps 50,10 $R
reject_train "one class" --classes 3 $R
reject_train "bad widths" --widths 64,0 $R
reject_train "missing out" --epochs 1
reject_train "missing value" $R --tau
reject_train "missing data dir" --data mnist:$SCRATCH/nowhere $R
reject_train "unknown data" --data imagenet $R
reject_train "missing config" --config $SCRATCH/none.ini $R
printf 'epochs = 2\ntau = cold\n' >"$SCRATCH/bad.ini"
reject_train "bad config value" --config "$SCRATCH/bad.ini" $R
printf 'epochs 2\n' >"$SCRATCH/bad2.ini"
reject_train "malformed config" --config "$SCRATCH/bad2.ini" $R
reject_train "resume without checkpoint" --resume $R
reject_train "class out of range" --classes 0,10 --train-limit 100 $R
reject_train "batch larger than data" --train-limit 50 --batch 64 $R

# config file + flag override, read back from config.json of a tiny run
cat >"$SCRATCH/ok.ini" <<'INI'
; a config file uses the long flag names
[train]
epochs = 1
batch = 50
tau = 0.2
train-limit = 100
eval_limit = 40
probe-limit = 40
ref-size = 8
widths = 16
proj-hidden = 8
proj-dim = 4
eval-steps =
losses = cl,nscl
INI
if "$BIN" train --config "$SCRATCH/ok.ini" --tau 0.3 --out "$SCRATCH/ok" >"$OUT" 2>"$ERR"; then ok; else bad "config run: $(cat "$ERR")"; fi
J=$SCRATCH/ok/config.json
if grep -q '"tau":[[:space:]]*0.3,' "$J" && grep -q '"batch":[[:space:]]*50,' "$J" && grep -q '"losses":[[:space:]]*"cl,nscl"' "$J" \
   && grep -q '"steps_per_epoch":[[:space:]]*2,*$' "$J"; then ok; else bad "config.json: $(cat "$J")"; fi
# the same experiment re-run from its own config.json values gives the same CSVs
if [ "$(sed -n 1p "$SCRATCH/ok/alignment.csv")" = "epoch,step,other,cka,cka_cosine,rsa,weight_gap,weight_gap_all" ]; then ok; else bad "alignment header"; fi
if [ "$(grep -c . "$SCRATCH/ok/alignment.csv")" -eq 3 ]; then ok; else bad "alignment rows: $(cat "$SCRATCH/ok/alignment.csv")"; fi
# resume with a changed configuration is refused
reject_train "changed config on resume" --config "$SCRATCH/ok.ini" --tau 0.4 --resume --out "$SCRATCH/ok"
# (reject_train removed nothing: the run directory is not $SCRATCH/run)
if [ -f "$SCRATCH/ok/checkpoint.bin" ]; then ok; else bad "checkpoint missing"; fi
# a truncated checkpoint is refused
head -c 100 "$SCRATCH/ok/checkpoint.bin" >"$SCRATCH/ck" && mv "$SCRATCH/ck" "$SCRATCH/ok/checkpoint.bin"
"$BIN" train --config "$SCRATCH/ok.ini" --tau 0.3 --resume --out "$SCRATCH/ok" >"$OUT" 2>"$ERR"
if [ $? -eq 2 ] && grep -q "truncated" "$ERR"; then ok; else bad "truncated checkpoint: $(cat "$ERR")"; fi

finish
