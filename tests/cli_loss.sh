#!/bin/sh
# CLI test of `clnscl loss`: values vs the PyTorch fixtures (gen_nn.py), gradient files,
# and exit status 2 with one stderr line and no output for bad input.
# usage: sh cli_loss.sh <clnscl> <fixtures-dir> <scratch-dir>
. "$(dirname "$0")/lib.sh"
F=$FIX/nn
S=$SCRATCH
COMMON="--z1 $F/loss_z1.npy --z2 $F/loss_z2.npy --labels $F/loss_labels.npy"

# 1. every loss/form/tau: JSON value equals the torch value to 1e-12 relative
while read kind form tau want; do
    out=$("$BIN" loss --loss "$kind" --form "$form" --tau "$tau" $COMMON --json) || { bad "$kind $form $tau exit"; continue; }
    got=$(printf '%s\n' "$out" | sed -n 's/.*"loss":\([^,}]*\).*/\1/p')
    if awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; m = (b < 0 ? -b : b); exit !(a != "" && d <= 1e-12 * m + 1e-15) }'; then ok; else bad "$kind $form $tau: got '$got' want $want"; fi
    case "$out" in *"\"kind\":\"$kind\""*) ok ;; *) bad "json kind: $out" ;; esac
done < "$F/loss_expect.txt"

# plain output is the bare number
plain=$("$BIN" loss --loss cl --tau 0.5 --z1 $F/loss_z1.npy --z2 $F/loss_z2.npy)
awk -v a="$plain" 'BEGIN { d = a - 1.3668044885494539; exit !(d < 1e-12 && d > -1e-12) }' && ok || bad "plain output '$plain'"

# 2. gradient files: written, float64 B x d, equal to the torch gradients
"$BIN" loss --loss scl --tau 0.1 $COMMON --grad-out "$S/g" >/dev/null || bad "grad-out exit"
[ -f "$S/g_z1.npy" ] && [ -f "$S/g_z2.npy" ] && ok || bad "gradient files missing"
if /usr/bin/python3 -c "import numpy" 2>/dev/null; then
    /usr/bin/python3 - "$S" "$F" <<'PY' && ok || bad "gradient values differ from torch"
import sys, numpy as np
s, f = sys.argv[1], sys.argv[2]
g1, g2 = np.load(s + "/g_z1.npy"), np.load(s + "/g_z2.npy")
e = np.load(f + "/loss_scl_code_t0.1.npy")
B, d = np.load(f + "/loss_z1.npy").shape
assert g1.dtype == np.float64 and g1.shape == (B, d) and g2.shape == (B, d)
assert np.allclose(g1.ravel(), e[1:1 + B * d], rtol=0, atol=1e-12)
assert np.allclose(g2.ravel(), e[1 + B * d:], rtol=0, atol=1e-12)
PY
else
    echo "note: /usr/bin/python3 with numpy not found, gradient values not compared" >&2
fi

# 3. bad input: exit 2, exactly one stderr line starting "clnscl: ", nothing on stdout, no files
expect_bad() {
    what=$1; shift
    rm -f "$S/b_z2.npy"
    reject "$what" "" "$S/b_z1.npy" loss "$@" --grad-out "$S/b"
    [ ! -e "$S/b_z2.npy" ] && ok || bad "$what: left $S/b_z2.npy behind"
}
printf '1,2\n3,4\n' > "$S/z_2x2.csv"
printf '1,2,3\n3,4,5\n' > "$S/z_2x3.csv"
printf '1,nan\n3,4\n' > "$S/z_nan.csv"
printf '0\n0\n' > "$S/y_same.csv"
printf '0\n1\n2\n' > "$S/y_3.csv"
printf 'not an npy file' > "$S/junk.npy"
expect_bad "shape mismatch" --loss cl --tau 0.5 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x3.csv"
expect_bad "NaN input" --loss cl --tau 0.5 --z1 "$S/z_nan.csv" --z2 "$S/z_2x2.csv"
expect_bad "tau = 0" --loss cl --tau 0 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv"
expect_bad "tau < 0" --loss cl --tau -1 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv"
expect_bad "tau not a number" --loss cl --tau abc --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv"
expect_bad "no negatives, paper form" --loss nscl --form paper --tau 0.5 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv" --labels "$S/y_same.csv"
expect_bad "label count" --loss nscl --tau 0.5 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv" --labels "$S/y_3.csv"
expect_bad "missing labels" --loss scl --tau 0.5 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv"
expect_bad "unknown loss" --loss foo --tau 0.5 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv"
expect_bad "unknown form" --loss cl --form both --tau 0.5 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv"
expect_bad "scl paper form" --loss scl --form paper --tau 0.5 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv" --labels "$S/y_same.csv"
expect_bad "malformed npy" --loss cl --tau 0.5 --z1 "$S/junk.npy" --z2 "$S/z_2x2.csv"
expect_bad "missing file" --loss cl --tau 0.5 --z1 "$S/nope.npy" --z2 "$S/z_2x2.csv"
expect_bad "flag given twice" --loss cl --tau 0.5 --tau 0.6 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv"
expect_bad "unknown option" --loss cl --tau 0.5 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv" --bogus 1
# the code form of the same no-negatives input is exactly 0 (L3)
zero=$("$BIN" loss --loss nscl --tau 0.5 --z1 "$S/z_2x2.csv" --z2 "$S/z_2x2.csv" --labels "$S/y_same.csv")
[ "$zero" = "0" ] && ok || bad "nscl code with no negatives: '$zero'"
"$BIN" loss --help | grep -q -- '--grad-out' && ok || bad "--help"

finish
