#!/bin/sh
# tests/cli_sim.sh — `clnscl sim`: bad parameters (exit 2, exactly one "clnscl: " line on stderr,
# nothing on stdout, no output files), --help, --json, determinism (same seed => identical files).
# usage: sh cli_sim.sh <clnscl> <fixtures-dir> <scratch-dir>
BIN=$1
SCRATCH=$3
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
fail=0
pass=0

bad() { # bad <description> args...
    desc=$1
    shift
    out="$SCRATCH/bad"
    rm -rf "$out"
    "$BIN" sim "$@" >"$SCRATCH/stdout" 2>"$SCRATCH/stderr"
    rc=$?
    lines=$(wc -l <"$SCRATCH/stderr")
    if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q '^clnscl: ' "$SCRATCH/stderr" || [ -s "$SCRATCH/stdout" ] ||
        [ -e "$out/trajectory.csv" ] || [ -e "$out/summary.json" ] || [ -e "$out/sweep.csv" ]; then
        echo "FAIL ($desc): rc=$rc stderr:"
        cat "$SCRATCH/stderr"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}

O="--out $SCRATCH/bad"
bad "tau 0" $O --tau 0
bad "negative tau" $O --tau -1
bad "tau not a number" $O --tau abc
bad "batch 1" $O --batch 1
bad "batch > N" $O --classes 2 --per-class 3 --batch 7
bad "one class" $O --classes 1
bad "zero steps" $O --steps 0
bad "delta out of range" $O --delta 1.5
bad "unknown form" $O --form twice
bad "unknown anchors" $O --anchors all
bad "unknown option" $O --bogus 3
bad "missing value" $O --tau
bad "missing --out"
bad "repeat 0" $O --repeat 0
bad "init file without files" $O --init file
bad "embeddings without init file" $O --init-embeddings x.npy
bad "missing embeddings file" $O --init file --init-embeddings "$SCRATCH/none.npy" --init-labels "$SCRATCH/none2.npy"
bad "sweep without =" $O --sweep tau
bad "sweep bad value" $O --sweep tau=0.5,0
bad "sweep unknown key" $O --sweep nosuch=1,2
bad "memory limit" $O --max-memory 0.0001
bad "too large for memory" $O --classes 1000000 --per-class 100
bad "stratified impossible" $O --sampling stratified --classes 10 --per-class 2 --batch 25
bad "unknown schedule" $O --schedule linear
bad "nan eta" $O --eta nan
bad "stray argument" $O extra
printf 'not an npy file' >"$SCRATCH/junk.npy"
bad "malformed embeddings" $O --init file --init-embeddings "$SCRATCH/junk.npy" --init-labels "$SCRATCH/junk.npy"

# --help
if "$BIN" sim --help | grep -q -- '--per-class' && "$BIN" sim --help | grep -q -- '--sweep'; then
    pass=$((pass + 1))
else
    echo "FAIL: --help"
    fail=$((fail + 1))
fi

# determinism and --json
run() { "$BIN" sim --classes 4 --per-class 6 --batch 6 --steps 30 --log-every 5 --seed 7 --repeat 2 "$@"; }
if run --out "$SCRATCH/a" --json >"$SCRATCH/a.json" && run --out "$SCRATCH/b" >/dev/null &&
    cmp -s "$SCRATCH/a/trajectory.csv" "$SCRATCH/b/trajectory.csv" &&
    cmp -s "$SCRATCH/a/summary.json" "$SCRATCH/b/summary.json" &&
    grep -q '"violations":	0' "$SCRATCH/a.json" &&
    head -1 "$SCRATCH/a/trajectory.csv" | grep -q '^repeat,step,eta,eta_sum,.*gap_fro,bound_recurrence,.*bound_theorem1,.*cka,cka_lower,.*rsa,rsa_lower' &&
    [ "$(wc -l <"$SCRATCH/a/trajectory.csv")" -eq 15 ] && ! grep -qi 'inf\|nan' "$SCRATCH/a/trajectory.csv"; then
    pass=$((pass + 1))
else
    echo "FAIL: determinism / --json / trajectory layout"
    fail=$((fail + 1))
fi
# a different seed gives a different trajectory
if run --out "$SCRATCH/c" --seed 8 >/dev/null && ! cmp -s "$SCRATCH/a/trajectory.csv" "$SCRATCH/c/trajectory.csv"; then
    pass=$((pass + 1))
else
    echo "FAIL: seed has no effect"
    fail=$((fail + 1))
fi
# --sweep writes one row per grid point
if "$BIN" sim --classes 4 --per-class 6 --batch 6 --steps 20 --out "$SCRATCH/s" --sweep tau=0.5,1 --sweep form=paper,code >/dev/null &&
    [ "$(wc -l <"$SCRATCH/s/sweep.csv")" -eq 5 ] && head -1 "$SCRATCH/s/sweep.csv" | grep -q '^tau,form,eta,eta_sum,.*,violations,gap_fro_mean,theorem1_pi_held_fraction,batch_event_held_fraction,violations_all_repeats$'; then
    pass=$((pass + 1))
else
    echo "FAIL: sweep"
    fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
