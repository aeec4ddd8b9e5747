#!/bin/sh
# tests/cli_sim.sh — `clnscl sim`: bad parameters (exit 2, exactly one "clnscl: " line on stderr,
# nothing on stdout, no output files), --help, --json, determinism (same seed => identical files).
# usage: sh cli_sim.sh <clnscl> <fixtures-dir> <scratch-dir>
. "$(dirname "$0")/lib.sh"

# reject_sim DESCRIPTION ARGS...: `clnscl sim ARGS` refused, no output directory $SCRATCH/bad
reject_sim() {
    desc=$1
    shift
    reject "$desc" "" "$SCRATCH/bad" sim "$@"
}

O="--out $SCRATCH/bad"
reject_sim "tau 0" $O --tau 0
reject_sim "negative tau" $O --tau -1
reject_sim "tau not a number" $O --tau abc
reject_sim "batch 1" $O --batch 1
reject_sim "batch > N" $O --classes 2 --per-class 3 --batch 7
reject_sim "one class" $O --classes 1
reject_sim "zero steps" $O --steps 0
reject_sim "delta out of range" $O --delta 1.5
reject_sim "unknown form" $O --form twice
reject_sim "unknown anchors" $O --anchors all
reject_sim "unknown option" $O --bogus 3
reject_sim "missing value" $O --tau
reject_sim "missing --out"
reject_sim "repeat 0" $O --repeat 0
reject_sim "init file without files" $O --init file
reject_sim "embeddings without init file" $O --init-embeddings x.npy
reject_sim "missing embeddings file" $O --init file --init-embeddings "$SCRATCH/none.npy" --init-labels "$SCRATCH/none2.npy"
reject_sim "sweep without =" $O --sweep tau
reject_sim "sweep bad value" $O --sweep tau=0.5,0
reject_sim "sweep unknown key" $O --sweep nosuch=1,2
reject_sim "memory limit" $O --max-memory 0.0001
reject_sim "too large for memory" $O --classes 1000000 --per-class 100
reject_sim "stratified impossible" $O --sampling stratified --classes 10 --per-class 2 --batch 25
reject_sim "unknown schedule" $O --schedule linear
reject_sim "nan eta" $O --eta nan
reject_sim "stray argument" $O extra
reject "flag given twice" "--tau given twice" "$SCRATCH/bad" sim $O --tau 1 --tau=2
reject_sim "negative mixture noise" $O --mix-sample -1
reject_sim "ref-batch 0" $O --ref-batch 0
reject_sim "negative warm-up" $O --warmup-epochs -1
reject "swept twice (message names it)" "'tau' is swept twice" "$SCRATCH/bad" sim $O --sweep tau=0.1 --sweep tau=0.2
reject "unsweepable key (message names it)" "'repeat' cannot be swept" "$SCRATCH/bad" sim $O --sweep repeat=1,2
# failures found while running: one message, no NaN in it, and no output directory left
reject "diverging --no-clip run" "left the double range" "$SCRATCH/bad" sim $O --classes 3 --per-class 4 \
    --batch 4 --steps 20 --eta 1e160 --no-clip
reject "empty NSCL denominator at run time" "empty denominator" "$SCRATCH/bad" sim $O --classes 2 --per-class 4 \
    --batch 2 --steps 200
if grep -qi nan "$ERR"; then bad "NaN in a message: $(cat "$ERR")"; else ok; fi
# run-time errors name the step (counted from 1, as the trajectory's rows), the repeat, the sweep point
reject "run-time error names the step" "clnscl: step 2: NSCL loss" "$SCRATCH/bad" sim $O --batch 2 --steps 2
reject "run-time error names the repeat" "clnscl: repeat 1 (seed 2): step 2: NSCL" "$SCRATCH/bad" sim $O --batch 3 \
    --repeat 3 --steps 60
reject "run-time error names the sweep point" "clnscl: sweep point batch=2: step 2: NSCL" "$SCRATCH/bad" sim $O \
    --sweep batch=8,2 --steps 200
# Corollaries 1-2 hold only for rho, r < 1 (THEORY.md §7 item 6): an unclipped run far outside the box
# reaches rho > 1 for the CL-SCL pair (lower bound (1-rho)/(1+rho) < 0) and must not count those
# (invalid) lower bounds as violated
if "$BIN" sim --no-clip --eta 1000 --steps 50 --log-every 1 --out "$SCRATCH/nc" >/dev/null &&
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
             NR > 1 && $c["cka_lower_scl"] < 0 { n++ } END { exit !(n > 0) }' "$SCRATCH/nc/trajectory.csv"; then
    ok
else
    bad "--no-clip run with rho > 1: counted violations or never left rho < 1"
fi
# an output that cannot be written at the end (summary.json is a directory): the trajectory written
# before it does not stay either (nor, for a sweep, sweep.csv)
rm -rf "$SCRATCH/sj" && mkdir -p "$SCRATCH/sj/summary.json"
reject "summary.json not writable" "summary.json exists" "$SCRATCH/sj/trajectory.csv" sim --classes 4 --per-class 6 \
    --batch 8 --steps 5 --out "$SCRATCH/sj"
mkdir -p "$SCRATCH/sj/summary.json"
reject "summary.json not writable (sweep)" "summary.json exists" "$SCRATCH/sj/sweep.csv" sim --classes 4 --per-class 6 \
    --batch 8 --steps 5 --sweep tau=0.5,1 --out "$SCRATCH/sj"
printf 'not an npy file' >"$SCRATCH/junk.npy"
reject_sim "malformed embeddings" $O --init file --init-embeddings "$SCRATCH/junk.npy" --init-labels "$SCRATCH/junk.npy"

# --help
if "$BIN" sim --help | grep -q -- '--per-class' && "$BIN" sim --help | grep -q -- '--sweep'; then
    ok
else
    bad "--help"
fi

# determinism and --json
run() { "$BIN" sim --classes 4 --per-class 6 --batch 6 --steps 30 --log-every 5 --repeat 2 "$@"; }
if run --seed 7 --out "$SCRATCH/a" --json >"$SCRATCH/a.json" && run --seed 7 --out "$SCRATCH/b" >/dev/null &&
    cmp -s "$SCRATCH/a/trajectory.csv" "$SCRATCH/b/trajectory.csv" &&
    cmp -s "$SCRATCH/a/summary.json" "$SCRATCH/b/summary.json" &&
    grep -q '"violations":	0' "$SCRATCH/a.json" &&
    head -1 "$SCRATCH/a/trajectory.csv" | grep -q '^repeat,step,eta,eta_sum,.*gap_fro,bound_recurrence,.*bound_theorem1,.*cka,cka_lower,.*rsa,rsa_lower' &&
    [ "$(wc -l <"$SCRATCH/a/trajectory.csv")" -eq 15 ] && ! grep -qi 'inf\|nan' "$SCRATCH/a/trajectory.csv"; then
    ok
else
    bad "determinism / --json / trajectory layout"
fi
# the thread count changes nothing: byte-identical outputs (B = 20: five tiles of 8 anchors)
thr() { "$BIN" sim --classes 4 --per-class 10 --batch 20 --steps 40 --log-every 5 --seed 3 "$@" >/dev/null; }
if thr --threads 1 --out "$SCRATCH/t1" && thr --threads 2 --out "$SCRATCH/t2" && thr --threads 3 --out "$SCRATCH/t3" &&
    cmp -s "$SCRATCH/t1/trajectory.csv" "$SCRATCH/t2/trajectory.csv" &&
    cmp -s "$SCRATCH/t1/trajectory.csv" "$SCRATCH/t3/trajectory.csv" &&
    cmp -s "$SCRATCH/t1/summary.json" "$SCRATCH/t2/summary.json"; then
    ok
else
    bad "--threads changes the outputs"
fi
reject_sim "negative thread count" $O --threads -1
reject "threads cannot be swept" "'threads' cannot be swept" "$SCRATCH/bad" sim $O --sweep threads=1,2
# a different seed gives a different trajectory
if run --out "$SCRATCH/c" --seed 8 >/dev/null && ! cmp -s "$SCRATCH/a/trajectory.csv" "$SCRATCH/c/trajectory.csv"; then
    ok
else
    bad "seed has no effect"
fi
# --sweep writes one row per grid point
if "$BIN" sim --classes 4 --per-class 6 --batch 6 --steps 20 --out "$SCRATCH/s" --sweep tau=0.5,1 --sweep form=paper,code >/dev/null &&
    [ "$(wc -l <"$SCRATCH/s/sweep.csv")" -eq 5 ] && head -1 "$SCRATCH/s/sweep.csv" | grep -q '^tau,form,eta,eta_sum,.*,violations,gap_fro_mean,theorem1_pi_held_fraction,batch_event_held_fraction,violations_all_repeats$'; then
    ok
else
    bad "sweep"
fi
# without --json: a short summary on stdout whose numbers are summary.json's (to the 6 digits shown)
if "$BIN" sim --classes 4 --per-class 6 --batch 6 --steps 30 --seed 7 --out "$SCRATCH/h" >"$OUT" 2>"$ERR" &&
    [ ! -s "$ERR" ] && grep -q '^sim: step 30, .* 0 inequality violations$' "$OUT" &&
    g=$(sed -n 's/^  gap_fro (CL vs NSCL) *//p' "$OUT") &&
    j=$(sed -n 's/^\t"gap_fro":\t\(.*\),$/\1/p' "$SCRATCH/h/summary.json") &&
    awk -v a="$g" -v b="$j" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b > 0 && d <= 1e-5 * b) }' &&
    grep -q "written: $SCRATCH/h/trajectory.csv" "$OUT"; then
    ok
else
    bad "human-readable summary: $(cat "$OUT" "$ERR")"
fi
# the sweep grid in summary.json: numbers for numeric values, strings otherwise
if tr -d ' \t\n' <"$SCRATCH/s/summary.json" | grep -q '"sweep":{"tau":\[0.5,1\],"form":\["paper","code"\]}'; then ok
else bad "sweep grid in summary.json"; fi
finish
