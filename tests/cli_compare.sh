#!/bin/sh
# tests/cli_compare.sh BIN FIXTURES SCRATCH — `clnscl compare` on the synthetic run directories of
# tests/fixtures/compare (generator: tests/fixtures/gen_compare.py, which also computes the
# expected verdicts and network Sigma gaps independently with numpy).
set -u
BIN=$1 FIX=$2/compare OUT=$3
rm -rf "$OUT" && mkdir -p "$OUT"
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
svg() { [ -s "$1" ] && head -c 200 "$1" | grep -q '<?xml\|<svg' && grep -q '<svg' "$1" && tail -c 20 "$1" | grep -q '</svg>'; }

# a sim run directory made by the real `clnscl sim`
"$BIN" sim --classes 4 --per-class 8 --batch 8 --tau 0.5 --eta 1 --steps 40 --seed 3 --out "$OUT/sim" >/dev/null 2>&1
check "sim run for the fixture" '[ -s "$OUT/sim/trajectory.csv" ]'

# 1. every figure, PNG + SVG + script + data, and REPORT.md
"$BIN" compare "$FIX/run1" "$FIX/run2" "$OUT/sim" --out "$OUT/c" >"$OUT/stdout" 2>"$OUT/stderr"
check "compare exits 0" '[ $? -eq 0 ]'
for f in alignment weight_gap theory_vs_network sim; do
    check "$f.png is a PNG" 'png "$OUT/c/$f.png"'
    check "$f.svg is an SVG" 'svg "$OUT/c/$f.svg"'
    check "$f.gp and $f.dat kept beside it" '[ -s "$OUT/c/$f.gp" ] && [ -s "$OUT/c/$f.dat" ]'
    check "$f.png listed on stdout" 'grep -q "/$f.png$" "$OUT/stdout"'
done
check "no temporary files left" '[ -z "$(ls -A "$OUT/c" | grep -i tmp)" ]'
R="$OUT/c/REPORT.md"
check "REPORT.md written" '[ -s "$R" ]'
# verdicts and numbers computed independently by the generator
tab=$(printf '\t')
while IFS="$tab" read -r claim verdict measured; do
    check "REPORT row '$claim' is $verdict with '$measured'" \
        'grep -F -- "$claim" "$R" | grep -F -- "$measured" | grep -q -F "**$verdict**"'
done < "$FIX/expected_report.txt"
for c in "4. Lemma 7" "5. Theorem 1" "6. Corollary 1" "7. Corollary 2"; do
    check "surrogate claim row '$c' present with a verdict" 'grep -F -- "$c" "$R" | grep -q "\*\*\(PASS\|FAIL\)\*\*"'
done
check "the sim run's claims 4-7 hold" '[ "$(grep -F "compare/sim" "$R" | grep -c "\*\*PASS\*\*")" -eq 4 ]'
# network Sigma gap of the theory figure (block 0 of its data: x = step, column 2 = mean log10 gap)
while read -r step want; do
    check "network log10 Sigma gap at step $step = $want (numpy)" \
        "awk -v s=$step -v w=$want 'BEGIN{b=0; ok=0} /^# index/{b=\$3+0} !/^#/ && NF>2 && b==0 && \$1==s { d=\$2-w; if (d<0) d=-d; if (d<1e-9) ok=1 } END{exit !ok}' '$OUT/c/theory_vs_network.dat'"
done < "$FIX/expected_gap.txt"
# the surrogate really ran from the run's reference Sigma_0 with its batch, tau and lr
check "surrogate run from reference/cl_epoch0000.npy" \
    'grep -q "cl_epoch0000.npy" "$OUT"/c/runs/surrogate-*/summary.json && grep -q "\"tau\":[[:space:]]*0.5" "$OUT"/c/runs/surrogate-*/summary.json'

# 2. gnuplot missing: scripts and data written, how to render printed, exit 0, no PNG
PATH=/nonexistent "$BIN" compare "$FIX/run1" --no-surrogate --out "$OUT/nogp" >"$OUT/stdout2" 2>"$OUT/stderr2"
check "without gnuplot: exit 0" '[ $? -eq 0 ]'
check "without gnuplot: .gp and .dat written" '[ -s "$OUT/nogp/alignment.gp" ] && [ -s "$OUT/nogp/alignment.dat" ] && [ -s "$OUT/nogp/weight_gap.gp" ]'
check "without gnuplot: no PNG/SVG" '! ls "$OUT"/nogp/*.png "$OUT"/nogp/*.svg >/dev/null 2>&1'
check "without gnuplot: says how to render" 'grep -q "gnuplot" "$OUT/stderr2" && grep -q "apt-get install gnuplot-nox" "$OUT/stderr2"'
check "without gnuplot: REPORT.md still written" '[ -s "$OUT/nogp/REPORT.md" ]'
# the kept script renders once gnuplot is there
if command -v gnuplot >/dev/null 2>&1; then
    (cd "$OUT/nogp" && gnuplot alignment.gp 2>/dev/null)
    check "kept script renders with gnuplot" 'png "$OUT/nogp/alignment.png" && svg "$OUT/nogp/alignment.svg"'
fi

# 3. bad input: one line on stderr, exit 2, nothing on stdout, no output files
bad() { # name, then the run dir to use
    "$BIN" compare "$2" --no-surrogate --out "$OUT/bad_$1" >"$OUT/bo" 2>"$OUT/be"; rc=$?
    check "bad input ($1): exit 2" '[ $rc -eq 2 ]'
    check "bad input ($1): one 'clnscl:' line" '[ "$(wc -l < "$OUT/be")" -eq 1 ] && grep -q "^clnscl: " "$OUT/be"'
    check "bad input ($1): stdout empty" '[ ! -s "$OUT/bo" ]'
    check "bad input ($1): no REPORT.md" '[ ! -e "$OUT/bad_$1/REPORT.md" ]'
}
mk() { rm -rf "$OUT/$1"; mkdir -p "$OUT/$1"; cp "$FIX/run1/config.json" "$OUT/$1/"; }
mk ragged; head -3 "$FIX/run1/alignment.csv" > "$OUT/ragged/alignment.csv"; echo "1,4,nscl,0.9" >> "$OUT/ragged/alignment.csv"
bad ragged "$OUT/ragged"
mk nonum; head -2 "$FIX/run1/alignment.csv" > "$OUT/nonum/alignment.csv"; echo "1,4,nscl,abc,0.9,0.9,0.1,0.1" >> "$OUT/nonum/alignment.csv"
bad nonum "$OUT/nonum"
mk nan; head -2 "$FIX/run1/alignment.csv" > "$OUT/nan/alignment.csv"; echo "1,4,nscl,nan,0.9,0.9,0.1,0.1" >> "$OUT/nan/alignment.csv"
bad nan "$OUT/nan"
mk nocol; echo "epoch,step,other,cka" > "$OUT/nocol/alignment.csv"; echo "0,0,nscl,1" >> "$OUT/nocol/alignment.csv"
bad missing_column "$OUT/nocol"
mk empty; : > "$OUT/empty/alignment.csv"
bad empty "$OUT/empty"
mk json; cp "$FIX/run1/alignment.csv" "$OUT/json/"; echo '{"batch": 4,' > "$OUT/json/config.json"
bad truncated_json "$OUT/json"
mkdir -p "$OUT/neither"
bad not_a_run "$OUT/neither"
bad missing_dir "$OUT/does_not_exist"
"$BIN" compare >"$OUT/bo" 2>"$OUT/be"
check "no run directory: exit 2" '[ $? -eq 2 ] && grep -q "^clnscl: " "$OUT/be"'
"$BIN" compare --help >"$OUT/bo" 2>&1
check "--help exits 0 and names the figures" '[ $? -eq 0 ] && grep -q "theory_vs_network" "$OUT/bo"'
exit $fail
