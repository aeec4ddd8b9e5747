#!/bin/sh
# tests/e2e_train.sh — `clnscl train` smoke run on a real Fashion-MNIST subset (1,000 train /
# 500 eval images, 3 epochs, four twins + the null twin): CSV columns, epoch-0 rows (T1: CKA,
# RSA exactly 1 and weight gaps exactly 0 for every shared twin; not so for the null twin),
# reference .npy files; then SIGTERM mid-run + --resume gives byte-identical outputs (after a
# resume that fails and leaves the saved state as it was).
# usage: sh e2e_train.sh <clnscl> <fixtures-dir> <scratch-dir>
. "$(dirname "$0")/lib.sh"
export OPENBLAS_NUM_THREADS=1

ARGS="--data fashion-mnist --model mlp --widths 128 --proj-hidden 128 --proj-dim 32 --train-limit 1000
      --eval-limit 500 --probe-limit 500 --epochs 3 --batch 100 --eval-steps 5 --null-twin --seed 42"
A=$SCRATCH/a
if CLNSCL_QUIET=1 "$BIN" train $ARGS --out "$A" >"$SCRATCH/out" 2>"$SCRATCH/err"; then ok; else bad "run: $(cat "$SCRATCH/err")"; fi
if [ ! -s "$SCRATCH/out" ]; then ok; else bad "stdout not empty"; fi

AL=$A/alignment.csv
MO=$A/models.csv
if [ "$(sed -n 1p "$AL")" = "epoch,step,other,cka,cka_cosine,rsa,weight_gap,weight_gap_all" ]; then ok; else bad "alignment header"; fi
if [ "$(sed -n 1p "$MO")" = "epoch,step,model,loss,ncc_acc,probe_acc" ]; then ok; else bad "models header"; fi
# evaluations: epoch 0, step 5, epochs 1..3 (10 steps each) = 5; 4 other twins; 5 models
if [ "$(tail -n +2 "$AL" | wc -l)" -eq 20 ]; then ok; else bad "alignment rows $(tail -n +2 "$AL" | wc -l)"; fi
if [ "$(tail -n +2 "$MO" | wc -l)" -eq 25 ]; then ok; else bad "models rows $(tail -n +2 "$MO" | wc -l)"; fi
if [ "$(cut -d, -f1,2 "$AL" | tail -n +2 | uniq | tr '\n' ' ')" = "0,0 0,5 1,10 2,20 3,30 " ]; then ok; else bad "evaluation points: $(cut -d, -f1,2 "$AL" | uniq | tr '\n' ' ')"; fi
# T1 at epoch 0: exact values
for o in nscl scl ce; do
    if grep -qx "0,0,$o,1,1,1,0,0" "$AL"; then ok; else bad "epoch-0 row for $o: $(grep "^0,0,$o," "$AL")"; fi
done
# the null twin starts elsewhere: CKA < 1, gap > 0
if awk -F, '$1==0 && $2==0 && $3=="cl2" { exit !($4 < 1 && $7 > 0.1) } ' "$AL" && grep -q "^0,0,cl2," "$AL"; then ok; else bad "null twin epoch 0: $(grep "^0,0,cl2," "$AL")"; fi
# every later value present, finite and in range; the shared twins drift apart
if awk -F, 'NR > 1 && !($1==0 && $2==0) { if (NF != 8) exit 1; for (i = 4; i <= 8; i++) if ($i == "" || $i ~ /nan|inf/) exit 1;
            if ($4 <= 0 || $4 > 1 || $6 > 1 || $7 <= 0) exit 1 }' "$AL"; then ok; else bad "alignment values"; fi
if awk -F, 'NR > 1 { if (NF != 6) exit 1; for (i = 4; i <= 6; i++) if ($i == "" || $i ~ /nan|inf/) exit 1;
            if ($4 <= 0 || $5 < 0 || $5 > 1 || $6 < 0 || $6 > 1) exit 1 }' "$MO"; then ok; else bad "models values"; fi
# better than chance (10 classes) after 3 epochs: probe accuracy of every twin > 0.5
if awk -F, '$1 == 3 { if ($6 <= 0.5) exit 1; n++ } END { exit !(n == 5) }' "$MO"; then ok; else bad "probe accuracy: $(grep '^3,' "$MO")"; fi
# reference embeddings: labels (N = 256 int32) and 2N x d float64 per model and epoch
if [ -f "$A/reference/labels.npy" ]; then ok; else bad "labels.npy"; fi
for m in cl nscl scl ce cl2; do
    for e in 0000 0001 0002 0003; do
        f=$A/reference/${m}_epoch$e.npy
        sz=$(wc -c <"$f" 2>/dev/null || echo 0)
        # 512 rows x 32 columns x 8 bytes + the NPY header (< 256 bytes)
        if [ "$sz" -gt 131072 ] && [ "$sz" -lt 131328 ]; then ok; else bad "$f: size $sz"; fi
    done
done
if cmp -s "$A/reference/cl_epoch0000.npy" "$A/reference/nscl_epoch0000.npy"; then ok; else bad "epoch-0 embeddings differ"; fi
if ! cmp -s "$A/reference/cl_epoch0000.npy" "$A/reference/cl2_epoch0000.npy"; then ok; else bad "null twin shares the init"; fi
for f in config.json checkpoint.bin; do
    if [ -s "$A/$f" ]; then ok; else bad "$f missing"; fi
done
if [ -z "$(find "$A" -name '*.tmp*')" ]; then ok; else bad "temporary files left"; fi

# ---- SIGTERM, then --resume: outputs equal the uninterrupted run's ----
B=$SCRATCH/b
CLNSCL_QUIET=1 "$BIN" train $ARGS --out "$B" >/dev/null 2>"$SCRATCH/errb" &
pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q "^1,10," "$B/alignment.csv" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
kill -TERM $pid
wait $pid
rc=$?
if [ $rc -eq 130 ] && grep -q "resume" "$SCRATCH/errb"; then ok; else bad "SIGTERM: exit $rc: $(cat "$SCRATCH/errb")"; fi
# a resumed run that fails (here: epoch 3's embeddings blocked by a directory) leaves the saved
# state and the earlier outputs exactly as they were
sums() { (cd "$1" && find . -print | LC_ALL=C sort && find . -type f -exec cat {} + | cksum); }
mkdir "$B/reference/ce_epoch0003.npy"
before=$(sums "$B")
CLNSCL_QUIET=1 "$BIN" train $ARGS --out "$B" --resume >"$SCRATCH/out" 2>"$SCRATCH/errb"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$SCRATCH/errb")" -eq 1 ] && grep -q "^clnscl: .*ce_epoch0003.npy" "$SCRATCH/errb" && [ ! -s "$SCRATCH/out" ]; then ok
else bad "blocked resume: exit $rc: $(cat "$SCRATCH/errb")"; fi
if [ "$(sums "$B")" = "$before" ]; then ok; else bad "a failed resume changed the saved state"; fi
rmdir "$B/reference/ce_epoch0003.npy"
if CLNSCL_QUIET=1 "$BIN" train $ARGS --out "$B" --resume >/dev/null 2>"$SCRATCH/errb"; then ok; else bad "resume: $(cat "$SCRATCH/errb")"; fi
for f in alignment.csv models.csv checkpoint.bin reference/labels.npy reference/cl_epoch0003.npy reference/ce_epoch0002.npy \
         reference/cl2_epoch0003.npy; do
    if cmp -s "$A/$f" "$B/$f"; then ok; else bad "resumed $f differs"; fi
done
if [ "$(grep -v '"out"' "$A/config.json")" = "$(grep -v '"out"' "$B/config.json")" ]; then ok; else bad "config.json differs"; fi

finish
