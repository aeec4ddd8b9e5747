#!/bin/sh
# tests/cli_bounds.sh — `clnscl bounds` end to end: reference value, JSON keys, table, sweep CSV,
# --out atomicity, and every impossible input (exit 2, one "clnscl: " line, nothing on stdout).
# usage: sh cli_bounds.sh <clnscl> <fixtures-dir> <scratch-dir>
. "$(dirname "$0")/lib.sh"

BASE="--classes 100 --tau 1 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05"

# JSON field (cJSON's formatted output: one "key":<tab>value per line)
field() { sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\\([^,]*\\),*\$/\\1/p" "$OUT" | head -n 1; }
# |a - b| <= tol
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'; }

# ---- help ----
if "$BIN" bounds --help >"$OUT" 2>"$ERR" && grep -q "usage: clnscl bounds" "$OUT" && grep -q -- "--sweep" "$OUT"; then ok; else bad "--help"; fi

# ---- reference value (THEORY.md §4.5) and JSON keys ----
if "$BIN" bounds $BASE --json --k-norm 10 --rsa-sigma 0.1 --rsa-pairs 499500 --beta 1 --grad-bound 1 >"$OUT" 2>"$ERR"; then ok; else bad "json run"; fi
for k in epsilon Delta valid eta_sum theorem1 theorem1_log10 recurrence recurrence_log10 cka_lower rsa_lower \
         theorem2 theorem2_log10 theorem1_vacuous cka_lower_vacuous rsa_lower_vacuous theorem2_vacuous loss_gap vacuous; do
    if grep -q "\"$k\":" "$OUT"; then ok; else bad "JSON key $k missing"; fi
done
if close "$(field theorem1)" 0.5195 0.00005; then ok; else bad "theorem1 = $(field theorem1), expected 0.5195"; fi
if close "$(field eta_sum)" 10 1e-12; then ok; else bad "eta_sum = $(field eta_sum)"; fi
if [ "$(field valid)" = "true" ]; then ok; else bad "valid = $(field valid)"; fi
# recurrence <= Theorem 1; CKA bound = (1 - rho)/(1 + rho) with rho = theorem1/10
t1=$(field theorem1); rc=$(field recurrence); ck=$(field cka_lower)
if awk -v a="$rc" -v b="$t1" 'BEGIN { exit !(a <= b) }'; then ok; else bad "recurrence $rc > theorem1 $t1"; fi
if close "$ck" "$(awk -v t="$t1" 'BEGIN { r = t / 10; printf "%.15g", (1 - r) / (1 + r) }')" 1e-12; then ok; else bad "cka_lower $ck"; fi
# --rsa-pairs M ⇒ n(n-1) = 2M ⇒ gap judged: not vacuous here
if [ "$(field theorem1_vacuous)" = "false" ]; then ok; else bad "theorem1_vacuous $(field theorem1_vacuous)"; fi

# ---- --gap: Lemma 7 at the gap, Corollaries from it ----
"$BIN" bounds $BASE --json --gap 0.3 --k-norm 10 --rsa-sigma 0.1 --rsa-pairs 1000 >"$OUT" 2>"$ERR"
for k in gap lemma7 lemma7_log10 rho_gap cka_lower_gap cka_lower_gap_vacuous r_gap rsa_lower_gap; do
    if grep -q "\"$k\":" "$OUT"; then ok; else bad "JSON key $k missing"; fi
done
if close "$(field cka_lower_gap)" "$(awk 'BEGIN { printf "%.15g", 0.97 / 1.03 }')" 1e-12 \
    && close "$(field lemma7)" "$(awk -v d="$(field lemma7_reweighting)" 'BEGIN { printf "%.15g", d + 0.3 / 2048 }')" 1e-12
then ok; else bad "--gap values: $(field cka_lower_gap) $(field lemma7)"; fi

# ---- beyond double: log10 given, plain value null, never nan/inf ----
if "$BIN" bounds --classes 100 --tau 0.05 --batch 1024 --steps 57600 --eta 1.2 --delta 0.05 --json --k-norm 100 \
    --points 2000 >"$OUT" 2>"$ERR"; then ok; else bad "tau=0.05 run"; fi
if [ "$(field theorem1)" = "null" ]; then ok; else bad "theorem1 should be null, got $(field theorem1)"; fi
if close "$(field theorem1_log10)" 5884.38 0.01; then ok; else bad "theorem1_log10 $(field theorem1_log10)"; fi
if [ "$(field theorem1_vacuous)" = "true" ] && [ "$(field cka_lower_vacuous)" = "true" ]; then ok; else bad "vacuous flags at tau=0.05"; fi
if grep -qi -e "nan" -e "inf" "$OUT"; then bad "nan/inf printed"; else ok; fi
# without --points the gap bound's vacuity is not judged (null)
"$BIN" bounds --classes 100 --tau 1 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05 --json >"$OUT" 2>"$ERR"
if [ "$(field theorem1_vacuous)" = "null" ]; then ok; else bad "unjudged vacuous flag: $(field theorem1_vacuous)"; fi

# ---- table (default) ----
if "$BIN" bounds $BASE >"$OUT" 2>"$ERR" && grep -q "Theorem 1" "$OUT" && grep -q "0.519455" "$OUT"; then ok; else bad "table"; fi

# ---- Delta_emp and class counts ----
"$BIN" bounds --class-counts 500,300,200 --tau 1 --batch 64 --steps 10 --eta 0.1 --delta 0.1 --f-max 0.25 --json >"$OUT" 2>"$ERR"
if close "$(field pi_max)" 0.5 1e-15 && close "$(field Delta_emp)" "$(awk 'BEGIN { printf "%.15g", 2 * exp(2) / 3 }')" 1e-12; then ok
else bad "class counts / Delta_emp: $(field pi_max) $(field Delta_emp)"; fi

# ---- schedules: cosine with fixed-epochs accounting ----
"$BIN" bounds --classes 10 --tau 0.5 --batch 256 --delta 0.05 --accounting epochs --epochs 20 --dataset-size 2560 \
    --schedule cosine:eta=0.3,warmup=10 --lr-scale linear --json >"$OUT" 2>"$ERR"
# T = 20·10 steps; η_e = 0.3·min(1,(e+1)/10)·½(1+cos(πe/20)), 10 steps per epoch
want=$(awk 'BEGIN { pi = atan2(0, -1); s = 0; for (e = 0; e < 20; e++) { w = (e + 1) / 10; if (w > 1) w = 1;
                    s += 10 * 0.3 * w * 0.5 * (1 + cos(pi * e / 20)) }; printf "%.15g", s }')
if [ "$(field steps)" = "200" ] && close "$(field eta_sum)" "$want" 1e-9; then ok; else bad "cosine/epochs: steps $(field steps) eta_sum $(field eta_sum) want $want"; fi

# ---- --eta-file: an explicit sequence equal to a constant schedule gives the same bounds ----
awk 'BEGIN { for (i = 0; i < 1000; i++) print 0.01 }' >"$SCRATCH/eta.txt"
"$BIN" bounds $BASE --json >"$OUT" 2>"$ERR"
t1c=$(field theorem1); rcc=$(field recurrence)
"$BIN" bounds --classes 100 --tau 1 --batch 1024 --eta-file "$SCRATCH/eta.txt" --delta 0.05 --json >"$OUT" 2>"$ERR"
if [ "$(field steps)" = "1000" ] && close "$(field theorem1)" "$t1c" 1e-12 && close "$(field recurrence)" "$rcc" 1e-12; then ok
else bad "--eta-file vs --eta: $(field theorem1) $(field recurrence) vs $t1c $rcc"; fi
printf '0.1\n-0.2\n0.1\n' >"$SCRATCH/eta_neg.txt"
printf '0.1\nnan\n' >"$SCRATCH/eta_nan.txt"
printf '0.1,0.2\n0.3,0.4\n' >"$SCRATCH/eta_2d.csv"

# ---- sweep CSV ----
if "$BIN" bounds --classes 2 --steps 100 --eta 0.1 --delta 0.05 --sweep batch=16,512 --sweep tau=0.5,1 \
    >"$OUT" 2>"$ERR"; then ok; else bad "sweep run"; fi
if [ "$(wc -l <"$OUT")" -eq 5 ]; then ok; else bad "sweep rows: $(wc -l <"$OUT")"; fi
hdr=$(head -n 1 "$OUT")
for c in classes pi_max tau batch steps eta_sum epsilon valid Delta theorem1 theorem1_log10 recurrence recurrence_log10; do
    if echo ",$hdr," | grep -q ",$c,"; then ok; else bad "CSV column $c"; fi
done
# B = 16 with C = 2: π_max + ε ≥ 1 ⇒ valid = 0 rows with empty bounds; B = 512 valid
vcol=$(echo "$hdr" | tr ',' '\n' | grep -n '^valid$' | cut -d: -f1)
if [ "$(sed -n 2p "$OUT" | cut -d, -f"$vcol")" = "0" ] && [ "$(sed -n 5p "$OUT" | cut -d, -f"$vcol")" = "1" ]; then ok
else bad "sweep valid column"; fi
# order: first sweep slowest (batch), second fastest (tau)
if [ "$(sed -n 2p "$OUT" | cut -d, -f3,4)" = "0.5,16" ] && [ "$(sed -n 3p "$OUT" | cut -d, -f3,4)" = "1,16" ]; then ok
else bad "sweep order"; fi
if grep -qi -e nan -e inf "$OUT"; then bad "nan/inf in CSV"; else ok; fi

# ---- --out: atomic file, no temp left, no file on error ----
if "$BIN" bounds --classes 100 --tau 1 --batch 1024 --steps 1000 --eta 0.01 --sweep delta=0.01,0.1 --out "$SCRATCH/s.csv" >"$OUT" 2>"$ERR" && [ ! -s "$OUT" ] \
    && [ "$(wc -l <"$SCRATCH/s.csv")" -eq 3 ]; then ok; else bad "--out"; fi
if ls "$SCRATCH" | grep -q tmp; then bad "temp file left"; else ok; fi
"$BIN" bounds --classes 100 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05 --sweep tau=1,0 --out "$SCRATCH/t.csv" \
    >"$OUT" 2>"$ERR"
if [ $? -eq 2 ] && [ ! -e "$SCRATCH/t.csv" ]; then ok; else bad "failed sweep left a file"; fi

# ---- impossible inputs: exit 2, exactly one "clnscl: " line, nothing on stdout ----
expect_fail() { reject "bounds $*" "" "" bounds "$@"; }
R="--tau 1 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05"
expect_fail --classes 1 $R                                                        # C < 2
expect_fail --classes 0 $R
expect_fail --classes 2.5 $R                                                      # C not an integer
expect_fail --pi-max 1 $R                                                         # single class
expect_fail --pi-max 0 $R
expect_fail --class-counts 7 $R                                                   # one class
expect_fail --class-counts 5,0 $R
expect_fail --class-counts 3,-1,4 $R
expect_fail --class-counts 3,x $R
expect_fail --classes 10 --tau 0 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05  # τ ≤ 0
expect_fail --classes 10 --tau -1 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05
expect_fail --classes 10 --tau 1e-320 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05
expect_fail --classes 10 --tau 1 --batch 1024 --steps 1000 --eta 0.01 --delta 0       # δ outside (0,1)
expect_fail --classes 10 --tau 1 --batch 1024 --steps 1000 --eta 0.01 --delta 1
expect_fail --classes 10 --tau 1 --batch 1024 --steps 1000 --eta 0.01 --delta 1.5
expect_fail --classes 10 --tau 1 --batch 1 --steps 1000 --eta 0.01 --delta 0.05       # B < 2
expect_fail --classes 10 --tau 1 --batch 0 --steps 1000 --eta 0.01 --delta 0.05
expect_fail --classes 2 --tau 1 --batch 16 --steps 1000 --eta 0.01 --delta 0.05       # π_max + ε ≥ 1
expect_fail --pi-max 0.97 --tau 1 --batch 4096 --steps 10 --eta 0.01 --delta 0.5
expect_fail --classes 10 --tau 1 --batch 1024 --steps 1000 --eta -0.01 --delta 0.05   # negative step size
expect_fail --classes 10 --tau 1 --batch 1024 --steps 1000 --schedule cosine:eta=-1,spe=10 --delta 0.05
expect_fail --classes 10 --tau 1 --batch 1024 --steps 0 --eta 0.01 --delta 0.05       # T < 1
expect_fail --classes 10 --tau nan --batch 1024 --steps 1000 --eta 0.01 --delta 0.05  # not a number
expect_fail --classes 10 --tau inf --batch 1024 --steps 1000 --eta 0.01 --delta 0.05
expect_fail --classes 10 --tau 1 --batch 1024 --steps 1000 --eta 0.01                 # missing --delta
expect_fail --classes 10 --tau 1 --batch 1024 --steps 1000 --delta 0.05               # missing step size
expect_fail --tau 1 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05                 # missing class prior
expect_fail --classes 10 --pi-max 0.1 $R                                          # two priors
expect_fail --classes 10 $R --tau 2                                               # given twice
expect_fail --classes 10 $R --bogus 1                                             # unknown option
expect_fail --classes 10 $R --json=1
expect_fail --classes 10 $R --k-norm 0
expect_fail --classes 10 $R --rsa-sigma 0.1                                       # needs --rsa-pairs
expect_fail --classes 10 $R --rsa-sigma 0.1 --rsa-pairs 0
expect_fail --classes 10 $R --beta 1                                              # needs --grad-bound
expect_fail --classes 10 $R --beta 0 --grad-bound 1
expect_fail --classes 10 $R --f-max 1
expect_fail --classes 10 $R --points 1
expect_fail --classes 10 $R --gap -0.5
expect_fail --classes 10 $R --schedule cosine                                     # no steps per epoch
expect_fail --classes 10 $R --schedule step
expect_fail --classes 10 --tau 1 --batch 2 --steps 1000000000000 --schedule cosine:eta=1,spe=1 --delta 0.05
expect_fail --classes 10 $R --lr-scale cubic
expect_fail --classes 10 $R --accounting epochs --epochs 3 --dataset-size 5000    # --steps and epochs
expect_fail --classes 10 --tau 1 --batch 1024 --eta 0.01 --delta 0.05 --accounting epochs --epochs 3 --dataset-size 100
expect_fail --classes 10 --tau 1 --batch 256 --delta 0.05 --accounting epochs --epochs 3 --dataset-size 5000 --schedule cosine:eta=1,spe=5
expect_fail --classes 10 $R --sweep tau=1,0                                       # tau flag and sweep
expect_fail --classes 10 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05 --sweep tau=1,-2
expect_fail --classes 10 $R --sweep nonsense=1,2
expect_fail --classes 10 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05 --sweep tau=
expect_fail --classes 10 --batch 1024 --steps 1000 --eta 0.01 --delta 0.05 --sweep tau=1 --json
expect_fail --classes 10 $R --out "$SCRATCH/no/such/dir/x.json"
expect_fail --classes 10 $R --out "$SCRATCH"                                      # a directory as --out
mkfifo "$SCRATCH/fifo" && expect_fail --classes 10 $R --out "$SCRATCH/fifo"       # never renamed over a non-file
if [ -p "$SCRATCH/fifo" ]; then ok; else bad "--out replaced a FIFO"; fi
expect_fail --classes 10 --tau 1e-6 --batch 64 --steps 100 --eta 1e300 --delta 0.05  # log of the bound beyond double
expect_fail --classes 10 --tau 0.5 --batch 64 --steps 100 --eta 1e308 --delta 0.05   # S_eta overflows
if grep -qi nan "$ERR"; then bad "NaN in a message: $(cat "$ERR")"; else ok; fi
E="--classes 10 --tau 1 --batch 1024 --delta 0.05"
expect_fail $E --eta-file "$SCRATCH/eta_neg.txt"                                  # negative step size in a file
expect_fail $E --eta-file "$SCRATCH/eta_nan.txt"
expect_fail $E --eta-file "$SCRATCH/eta_2d.csv"
expect_fail $E --eta-file "$SCRATCH/missing.txt"
expect_fail $E --eta-file "$SCRATCH/eta.txt" --eta 0.1
expect_fail $E --eta-file "$SCRATCH/eta.txt" --steps 10

finish
