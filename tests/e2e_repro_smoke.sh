#!/bin/sh
# tests/e2e_repro_smoke.sh BIN FIXTURES SCRATCH — `clnscl repro all --scale smoke` end to end
# (real Fashion-MNIST training and surrogate runs): every figure as a non-empty PNG and a valid
# SVG, and REPORT.md with a PASS/FAIL row for every THEORY.md §7 claim the figures touch.
set -u
BIN=$1 CONFIGS=$2/../../paper_repro OUT=$3
rm -rf "$OUT" && mkdir -p "$OUT"
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
svg() { [ -s "$1" ] && grep -q '<svg' "$1" && tail -c 20 "$1" | grep -q '</svg>'; }

start=$(date +%s)
"$BIN" repro all --scale smoke --configs "$CONFIGS" --out "$OUT/fig" >"$OUT/stdout" 2>"$OUT/stderr"
rc=$?
echo "repro all --scale smoke: exit $rc in $(( $(date +%s) - start )) s"
[ $rc -eq 0 ] || cat "$OUT/stderr"
check "repro exits 0" '[ $rc -eq 0 ]'
for f in fig2_alignment fig3_heatmap fig3_final fig4_temperature fig5_batch fig6_weight_gap \
         theory_classes theory_tau theory_batch theory_vs_network; do
    check "$f.png is a non-empty PNG" 'png "$OUT/fig/$f.png"'
    check "$f.svg is a valid SVG" 'svg "$OUT/fig/$f.svg"'
    check "$f.gp kept" '[ -s "$OUT/fig/$f.gp" ]'
done
R="$OUT/fig/REPORT.md"
check "REPORT.md written" '[ -s "$R" ]'
for c in 4 5 6 7 9 10 11 12 13 14 15 16 17 18; do
    check "REPORT has a verdict row for claim $c" 'grep -E "^\| [a-z0-9]+ \| $c\. " "$R" | grep -q "\*\*\(PASS\|FAIL\)\*\*"'
done
check "REPORT has the null-level control row" 'grep -q "| control: " "$R"'
check "every row links an existing figure" \
    'for f in $(grep -o "(\([a-z0-9_]*\.png\))" "$R" | tr -d "()" | sort -u); do [ -s "$OUT/fig/$f" ] || exit 1; done'
# the exact claims (surrogate / bounds) must hold on every run
for c in 4 6 7 12; do
    check "exact claim $c passes" '! grep -E "^\| [a-z0-9]+ \| $c\. " "$R" | grep -q "\*\*FAIL\*\*"'
done
# a second call reuses every finished run (resumable) and redraws the same report rows
cp "$R" "$OUT/report1.md"
"$BIN" repro fig2 --scale smoke --configs "$CONFIGS" --out "$OUT/fig" >/dev/null 2>"$OUT/stderr2"
check "second call reuses the runs" '[ $? -eq 0 ] && grep -q "(1 reused" "$OUT/fig/REPORT.md"'
check "second call says '1 run', not '1 runs'" 'grep -q "fig2 at scale smoke: 1 run (" "$OUT/stderr2"'
# REPORT.md still covers every figure in the directory: the rows of the figures not redrawn are
# carried over unchanged, the redrawn figure's rows replaced (not duplicated)
rows() { grep -E "^\| $2 \| " "$1"; }
check "fig2 call: rows of the other figures carried over unchanged" \
    'for f in fig3 fig4 fig5 fig6 theory; do [ -n "$(rows "$R" $f)" ] && [ "$(rows "$R" $f)" = "$(rows "$OUT/report1.md" $f)" ] || exit 1; done'
check "fig2 call: fig2 rows once each" '[ "$(rows "$R" fig2 | wc -l)" -eq "$(rows "$OUT/report1.md" fig2 | wc -l)" ]'
check "fig2 call: the carried rows are said to be carried over" 'grep -q "carried over unchanged" "$R"'
for c in 4 5 6 7 9 10 11 12 13 14 15 16 17 18; do
    check "fig2 call: REPORT still has a verdict row for claim $c" 'grep -E "^\| [a-z0-9]+ \| $c\. " "$R" | grep -q "\*\*\(PASS\|FAIL\)\*\*"'
done
cp "$R" "$OUT/report2.md"
"$BIN" repro theory --scale smoke --configs "$CONFIGS" --out "$OUT/fig" >/dev/null 2>"$OUT/stderr3"
check "theory call after fig2: exit 0, fig2 rows kept" \
    '[ $? -eq 0 ] && [ -n "$(rows "$R" fig2)" ] && [ "$(rows "$R" fig2)" = "$(rows "$OUT/report2.md" fig2)" ]'
check "theory call: theory rows replaced, not duplicated" '[ "$(rows "$R" theory | wc -l)" -eq "$(rows "$OUT/report1.md" theory | wc -l)" ]'
check "theory call: the total row count is unchanged" '[ "$(grep -c "^| [a-z0-9]* | " "$R")" -eq "$(grep -c "^| [a-z0-9]* | " "$OUT/report1.md")" ]'
exit $fail
