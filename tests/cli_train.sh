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

# numbers out of range, lists with empty or repeated items, forgotten values
reject_train "epochs not an integer" --epochs 1e3 $R
reject_train "epochs beyond long" --epochs 9223372036854775808 $R
reject_train "epochs huge" --epochs 9223372036854775807 $R
reject_train "proj-dim wrapping around int" --proj-dim 4294967360 $R
reject_train "proj-hidden huge" --proj-hidden 100000 $R
reject_train "noise above 1" --noise 2 $R
reject_train "noise 1e308" --noise 1e308 $R
reject_train "width huge" --widths 100000 $R
reject_train "nine layers" --widths 1,2,3,4,5,6,7,8,9 $R
reject_train "negative seed" --seed -1 $R
reject_train "seed beyond long" --seed 99999999999999999999 $R
reject_train "schedule with a suffix" --schedule cosine:x $R
reject_train "class listed twice" --classes 0,1,0 $R
reject_train "class id 1000" --classes 0,1000 $R
reject_train "empty loss item" --losses cl,,nscl $R
reject_train "trailing comma in losses" --losses cl, $R
reject_train "leading comma in losses" --losses ,cl $R
reject_train "empty class item" --classes 0,,1 $R
reject_train "empty eval step" --eval-steps 10,,50 $R
reject_train "empty width" --widths 16,,16 $R
reject "value forgotten" "--out needs a value" "$SCRATCH/run" train --out --quiet
reject_train "memory beyond the machine" --widths 65536,65536,65536,65536 $R
# a flag given twice (in any spelling); a key given twice in a config file
reject "tau twice" "--tau given twice" "$SCRATCH/run" train --tau 0.5 --tau 0.6 $R
reject "seed twice" "--seed given twice" "$SCRATCH/run" train --seed 1 $R --seed=2
reject "out twice" "--out given twice" "$SCRATCH/run" train --out "$SCRATCH/run" --out "$SCRATCH/run2"
reject "train-limit and train_limit" "--train-limit given twice" "$SCRATCH/run" train --train-limit 5 --train_limit 6 $R
reject "quiet twice" "--quiet given twice" "$SCRATCH/run" train --quiet --quiet 1 $R
reject "config twice" "--config given twice" "$SCRATCH/run" train --config "$SCRATCH/none.ini" --config=x $R
printf 'epochs = 1\n[train]\nepochs = 2\n' >"$SCRATCH/dup.ini"
reject "config key twice" "line 3: key 'epochs' given twice" "$SCRATCH/run" train --config "$SCRATCH/dup.ini" $R
printf 'train-limit = 1\ntrain_limit = 2\n' >"$SCRATCH/dup2.ini"
reject "config key twice, two spellings" "line 2: key 'train-limit' given twice" "$SCRATCH/run" train --config "$SCRATCH/dup2.ini" $R
# config paths that are not a readable regular text file
reject "config is a directory" "is not a regular file" "$SCRATCH/run" train --config "$SCRATCH" $R
printf 'epochs = 1\n' >"$SCRATCH/locked.ini" && chmod 000 "$SCRATCH/locked.ini"
if [ "$(id -u)" -ne 0 ]; then reject "unreadable config" "Permission denied" "$SCRATCH/run" train --config "$SCRATCH/locked.ini" $R; fi
printf 'epochs = 1\n\001\002\033[31m\000\377\r\n' >"$SCRATCH/ctl.ini"
reject "control bytes in config" "line 2: not a text file (byte 0x01)" "$SCRATCH/run" train --config "$SCRATCH/ctl.ini" $R
head -c 3000 /dev/urandom >"$SCRATCH/random.ini"
reject "binary config" "not a text file" "$SCRATCH/run" train --config "$SCRATCH/random.ini" $R
printf '\377\376\375 = 1\n' >"$SCRATCH/high.ini"
reject "non-ASCII key" "line 1: unknown option" "$SCRATCH/run" train --config "$SCRATCH/high.ini" $R
{ printf 'out = '; head -c 300 /dev/zero | tr '\000' x; printf '\n'; } >"$SCRATCH/long.ini"
reject "config line too long" "line 1: longer than 199 characters" "$SCRATCH/run" train --config "$SCRATCH/long.ini" $R

# every option --help lists is one the parser knows (given twice: "given twice", not "unknown")
for f in $("$BIN" train --help | sed -n 's/^  \(--[a-z-]*\) .*/\1/p'); do
    reject "help lists $f" "$f given twice" "$SCRATCH/run" train "$f=1" "$f=1"
done
if [ "$("$BIN" train --help | grep -c -- '^  --[a-z-]* ')" -ge 38 ]; then ok; else bad "help lists too few options"; fi
if "$BIN" train --help | grep -q -- '--resume \[0|1\]' && "$BIN" train --help | grep -q -- '--null-twin \[0|1\]'; then ok; else bad "help: switches"; fi

# a run that fails (diverges) leaves nothing: the files it wrote and the directories it created go
T="--train-limit 200 --eval-limit 100 --epochs 1 --quiet --batch 32 --probe-limit 200 --ref-size 20 --seed 1"
reject "diverging lr" "twin cl diverged at epoch 1, step 2" "$SCRATCH/run" train $T --lr 1e300 --out "$SCRATCH/run/deeper"
reject "diverging weight decay" "diverged" "$SCRATCH/run" train $T --weight-decay 1e300 --out "$SCRATCH/run"
reject "diverging lars" "diverged" "$SCRATCH/run" train $T --optimizer lars --lr 1e300 --out "$SCRATCH/run"
reject "paper form without negatives" "has no negatives" "$SCRATCH/run" train --train-limit 200 --eval-limit 100 --epochs 1 \
    --probe-limit 200 --ref-size 20 --seed 1 --form paper --classes 0,1 --batch 2 --out "$SCRATCH/run"
# the switches take an optional 0|1 (the help's [0|1]), and a run given them all goes through
rm -rf "$SCRATCH/sw"
if "$BIN" train $T --resume 0 --augment 0 --null-twin 1 --eval-steps 6 --out "$SCRATCH/sw" >"$OUT" 2>"$ERR" && [ ! -s "$OUT" ] && [ ! -s "$ERR" ] \
   && grep -q '"augment":[[:space:]]*false' "$SCRATCH/sw/config.json" && grep -q '"null_twin":[[:space:]]*true' "$SCRATCH/sw/config.json" \
   && [ "$(grep -c ',cl2,' "$SCRATCH/sw/alignment.csv")" -eq 2 ]; then ok; else bad "switches with values: $(cat "$ERR")"; fi
if "$BIN" train $T --resume 1 --augment=no --null-twin --eval-steps 6 --out "$SCRATCH/sw" >"$OUT" 2>"$ERR" && [ ! -s "$ERR" ]; then ok; else bad "--resume 1: $(cat "$ERR")"; fi
reject_train "eval step beyond the run" $T --eval-steps 7 $R

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
# rerun afresh into that directory, diverging: the earlier run's files are put back as they were
sums() { (cd "$1" && find . -print | LC_ALL=C sort && find . -type f -exec cat {} + | cksum); }
before=$(sums "$SCRATCH/ok")
reject "diverging rerun over a finished run" "diverged" "" train --config "$SCRATCH/ok.ini" --tau 0.3 --lr 1e300 --out "$SCRATCH/ok"
if [ "$(sums "$SCRATCH/ok")" = "$before" ]; then ok; else bad "a failed rerun changed the earlier outputs"; fi
# resume with a changed configuration is refused
reject_train "changed config on resume" --config "$SCRATCH/ok.ini" --tau 0.4 --resume --out "$SCRATCH/ok"
# (reject_train removed nothing: the run directory is not $SCRATCH/run)
if [ -f "$SCRATCH/ok/checkpoint.bin" ]; then ok; else bad "checkpoint missing"; fi
# a truncated checkpoint is refused
head -c 100 "$SCRATCH/ok/checkpoint.bin" >"$SCRATCH/ck" && mv "$SCRATCH/ck" "$SCRATCH/ok/checkpoint.bin"
"$BIN" train --config "$SCRATCH/ok.ini" --tau 0.3 --resume --out "$SCRATCH/ok" >"$OUT" 2>"$ERR"
if [ $? -eq 2 ] && grep -q "truncated" "$ERR"; then ok; else bad "truncated checkpoint: $(cat "$ERR")"; fi

finish
