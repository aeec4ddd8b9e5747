#!/bin/sh
# tests/cli_align.sh — `clnscl align` end to end: JSON keys and values (against the numpy/
# scipy references in fixtures/align/refs.txt), human output, bootstrap/permutation
# determinism, and every bad input of the issue: exit status 2, exactly one line
# "clnscl: …" on stderr naming the problem, nothing on stdout.
# usage: sh cli_align.sh <clnscl binary> <fixtures dir> <scratch dir>
. "$(dirname "$0")/lib.sh"
FIX=$FIX/align
TMP=$SCRATCH
PY=/usr/bin/python3

# expect_fail "what" "message fragment" args...
expect_fail() {
    what=$1 frag=$2
    shift 2
    reject "$what" "$frag" "" align "$@"
}

# value of a JSON key (cJSON prints "key":<tab>value)
jget() { sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\([^,]*\),\{0,1\}\$/\1/p" "$2"; }
ref() { sed -n "s/^$1 //p" "$FIX/refs.txt"; }
# close A B REL: |A − B| ≤ REL·max(|A|,|B|)
close() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a);
    mb = (b < 0 ? -b : b); if (mb > m) m = mb; exit !(a != "" && b != "" && d <= r * m) }'; }

# ---- help, JSON output --------------------------------------------------------
"$BIN" align --help >"$TMP/help" 2>&1 && grep -q 'usage: clnscl align X Y' "$TMP/help" && ok || bad "--help"
"$BIN" align "$FIX/A_X.npy" "$FIX/A_Y.npy" --json --metrics cka,cka-cosine,cka-debiased,cka-rbf,rsa,rsa-spearman \
    >"$TMP/a.json" 2>"$TMP/err" && ok || bad "json run failed: $(cat "$TMP/err")"
[ -s "$TMP/err" ] && bad "stderr not empty on success" || ok
$PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/a.json" 2>/dev/null && ok || bad "output is not valid JSON"
[ "$(jget n "$TMP/a.json")" = 60 ] && [ "$(jget dx "$TMP/a.json")" = 5 ] && [ "$(jget dy "$TMP/a.json")" = 7 ] && ok ||
    bad "n/dx/dy"
for k in cka cka_cosine cka_debiased cka_rbf rsa rsa_spearman; do
    close "$(jget $k "$TMP/a.json")" "$(ref A.$k)" 1e-10 && ok || bad "$k: $(jget $k "$TMP/a.json") vs $(ref A.$k)"
done
# CSV (header) / TSV input gives the same numbers; --rbf-sigma
"$BIN" align "$FIX/A_X.csv" "$FIX/A_Y.tsv" --json --metrics=cka-rbf,rsa --rbf-sigma 0.5 >"$TMP/c.json" && ok || bad "csv run"
close "$(jget cka_rbf "$TMP/c.json")" "$(ref A.cka_rbf_s0.5)" 1e-10 && ok || bad "--rbf-sigma 0.5"
close "$(jget rsa "$TMP/c.json")" "$(ref A.rsa)" 1e-10 && ok || bad "csv rsa"
[ -z "$(jget cka "$TMP/c.json")" ] && ok || bad "--metrics selects only the listed metrics"
# default metric set at n = 60: all six; human-readable output lists them
"$BIN" align "$FIX/A_X.npy" "$FIX/A_Y.npy" >"$TMP/h.txt" && ok || bad "human run"
for m in cka cka-cosine cka-debiased cka-rbf rsa rsa-spearman; do
    grep -q "^$m " "$TMP/h.txt" && ok || bad "human output lacks $m"
done

# ---- bootstrap / permutations: keys, ordering, determinism --------------------
"$BIN" align "$FIX/B_X.npy" "$FIX/B_Y.npy" --json --metrics cka,rsa --bootstrap 50 --permutations 40 --seed 3 \
    >"$TMP/b1.json" && ok || bad "bootstrap run"
"$BIN" align "$FIX/B_X.npy" "$FIX/B_Y.npy" --json --metrics cka,rsa --bootstrap 50 --permutations 40 --seed 3 \
    >"$TMP/b2.json"
cmp -s "$TMP/b1.json" "$TMP/b2.json" && ok || bad "same seed must give identical output"
"$BIN" align "$FIX/B_X.npy" "$FIX/B_Y.npy" --json --metrics cka,rsa --bootstrap 50 --permutations 40 --seed 4 \
    >"$TMP/b3.json"
cmp -s "$TMP/b1.json" "$TMP/b3.json" && bad "different seeds gave identical resamples" || ok
for k in cka rsa; do
    lo=$(jget ${k}_ci_low "$TMP/b1.json") hi=$(jget ${k}_ci_high "$TMP/b1.json") p=$(jget ${k}_p "$TMP/b1.json")
    awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo != "" && hi != "" && lo + 0 <= hi + 0) }' && ok || bad "$k CI [$lo, $hi]"
    # p = (1 + #{perm >= observed}) / (1 + P) is a multiple of 1/41 in (0, 1]
    awk -v p="$p" 'BEGIN { q = p * 41; d = q - int(q + 0.5); if (d < 0) d = -d; exit !(p > 0 && p <= 1 && d < 1e-9) }' &&
        ok || bad "$k p = $p"
done
# a strongly aligned pair has a small permutation p-value
"$BIN" align "$FIX/A_X.npy" "$FIX/A_Y.npy" --json --metrics cka --permutations 99 >"$TMP/p.json"
awk -v p="$(jget cka_p "$TMP/p.json")" 'BEGIN { exit !(p == 0.01) }' && ok || bad "A: cka_p should be 1/100"

# ---- bad input ----------------------------------------------------------------
printf '1,2\n3,4\n5,6\n' >"$TMP/n3.csv"
printf '1,2\n3,4\n5,6\n7,9\n' >"$TMP/n4.csv"
printf '1,2\n3,4\n' >"$TMP/n2.csv"
printf '1,2\n' >"$TMP/n1.csv"
printf '1,2\n3,nan\n5,6\n7,8\n' >"$TMP/nan.csv"
printf '1,2\n3,4\n5,inf\n7,8\n' >"$TMP/inf.csv"
printf '0.1,5\n0.1,5\n0.1,5\n0.1,5\n' >"$TMP/const.csv"
printf '0,0\n0,0\n0,0\n0,0\n' >"$TMP/zero.csv"
printf '1,2\n0,0\n5,6\n7,1\n' >"$TMP/zerorow.csv"
printf '1,2\n3,4,5\n' >"$TMP/ragged.csv"
printf '1,2\n3,x\n' >"$TMP/field.csv"
: >"$TMP/empty.csv"
expect_fail "row counts differ" "has 3 rows but" "$TMP/n3.csv" "$TMP/n4.csv"
expect_fail "cka n < 2" "cka needs n >= 2" "$TMP/n1.csv" "$TMP/n1.csv" --metrics cka
expect_fail "default set n < 2" "needs n >= 2" "$TMP/n1.csv" "$TMP/n1.csv"
expect_fail "debiased n < 4" "cka-debiased needs n >= 4" "$TMP/n3.csv" "$TMP/n3.csv" --metrics cka-debiased
expect_fail "rsa n < 3" "rsa needs n >= 3" "$TMP/n2.csv" "$TMP/n2.csv" --metrics rsa
expect_fail "rsa-spearman n < 3" "rsa-spearman needs n >= 3" "$TMP/n2.csv" "$TMP/n2.csv" --metrics rsa-spearman
expect_fail "NaN" "has NaN/Inf at row 1, column 1" "$TMP/nan.csv" "$TMP/n4.csv"
expect_fail "Inf" "has NaN/Inf at row 2, column 1" "$TMP/n4.csv" "$TMP/inf.csv"
expect_fail "constant features" "every feature of X is constant" "$TMP/const.csv" "$TMP/n4.csv" --metrics cka
expect_fail "all-zero features" "every feature of Y is constant" "$TMP/n4.csv" "$TMP/zero.csv" --metrics cka
expect_fail "zero row (cka-cosine)" "X row 1 is all zeros (cosine undefined)" "$TMP/zerorow.csv" "$TMP/n4.csv" \
    --metrics cka-cosine
expect_fail "zero row (rsa)" "Y row 1 is all zeros" "$TMP/n4.csv" "$TMP/zerorow.csv" --metrics rsa
expect_fail "unsupported dtype" "unsupported NPY dtype '<c16'" "$FIX/npy/bad_c16.npy" "$FIX/A_Y.npy"
expect_fail "half floats" "unsupported NPY dtype '<f2'" "$FIX/A_X.npy" "$FIX/npy/bad_f2.npy"
expect_fail "truncated npy" "truncated NPY data" "$FIX/npy/bad_trunc_data.npy" "$FIX/A_Y.npy"
expect_fail "truncated header" "bad_trunc_header.npy" "$FIX/npy/bad_trunc_header.npy" "$FIX/A_Y.npy"
expect_fail "bad magic" "not an NPY file" "$FIX/npy/bad_magic.npy" "$FIX/A_Y.npy"
expect_fail "3-D npy" "more than 2 dimensions" "$FIX/npy/bad_3d.npy" "$FIX/A_Y.npy"
expect_fail "ragged csv" "line 2 has 3 fields, expected 2" "$TMP/ragged.csv" "$TMP/n2.csv"
expect_fail "unparsable csv" "'x' is not a number" "$TMP/field.csv" "$TMP/n2.csv"
expect_fail "empty csv" "empty file" "$TMP/empty.csv" "$TMP/n2.csv"
expect_fail "missing file" "cannot open" "$TMP/nope.npy" "$TMP/n2.csv"
expect_fail "unknown metric" "unknown metric 'cca'" "$TMP/n4.csv" "$TMP/n4.csv" --metrics cka,cca
expect_fail "bad --bootstrap" "--bootstrap" "$TMP/n4.csv" "$TMP/n4.csv" --bootstrap -5
expect_fail "non-numeric --permutations" "is not an integer" "$TMP/n4.csv" "$TMP/n4.csv" --permutations ten
expect_fail "bad --rbf-sigma" "--rbf-sigma must be > 0" "$TMP/n4.csv" "$TMP/n4.csv" --rbf-sigma 0
expect_fail "tiny rbf bandwidth (no NaN)" "2 sigma^2 is outside the double range" "$FIX/A_X.npy" "$FIX/A_Y.npy" \
    --metrics cka-rbf --rbf-sigma 1e-300
mkdir -p "$TMP/dir.npy"
# an NPY header claiming 200000 x 50000 doubles over 800 bytes: refused before allocating 80 GB
h="{'descr': '<f8', 'fortran_order': False, 'shape': (200000, 50000), }"
{ printf '\223NUMPY\001\000\166\000%-117s\n' "$h"; head -c 800 /dev/zero; } >"$TMP/huge.npy"
expect_fail "shape larger than the file" "truncated NPY data (800 of 80000000000 bytes" "$TMP/huge.npy" "$FIX/A_Y.npy"
printf '\223NUMPY\001\000\166\000%-117s\n' "{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }" \
    >"$TMP/dupkey.npy" && head -c 16 /dev/zero >>"$TMP/dupkey.npy"
expect_fail "NPY header key twice" "'descr' appears twice" "$TMP/dupkey.npy" "$FIX/A_Y.npy"
expect_fail "directory as input" "is a directory" "$TMP/dir.npy" "$FIX/A_Y.npy"
expect_fail "empty metric item" "empty item in 'cka,'" "$FIX/A_X.npy" "$FIX/A_Y.npy" --metrics cka,
expect_fail "metric listed twice" "'cka' listed twice" "$FIX/A_X.npy" "$FIX/A_Y.npy" --metrics cka,rsa,cka
expect_fail "flag given twice" "--seed given twice" "$FIX/A_X.npy" "$FIX/A_Y.npy" --seed 1 --seed=2
expect_fail "unknown option" "unknown option '--frobnicate'" "$TMP/n4.csv" "$TMP/n4.csv" --frobnicate
expect_fail "one file" "expected two feature files" "$TMP/n4.csv"
expect_fail "missing option value" "--seed needs an integer" "$TMP/n4.csv" "$TMP/n4.csv" --seed

finish
