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

# 4. every input is checked before anything is drawn or launched: exit 2, one line naming the
# file and what is wrong, nothing on stdout, and no output directory at all (not even runs/)
rej() { # name, message fragment, compare arguments (the output goes to $OUT/r)
    r_n=$1 r_p=$2
    shift 2
    rm -rf "$OUT/r"
    "$BIN" compare "$@" --out "$OUT/r" >"$OUT/bo" 2>"$OUT/be"; r_rc=$?
    check "reject ($r_n): exit 2, one line with '$r_p', no stdout, no $OUT/r" \
        '[ $r_rc -eq 2 ] && [ "$(wc -l < "$OUT/be")" -eq 1 ] && grep -q "^clnscl: " "$OUT/be" && grep -qF -- "$r_p" "$OUT/be" && [ ! -s "$OUT/bo" ] && [ ! -e "$OUT/r" ]'
    [ $r_rc -eq 2 ] || cat "$OUT/be"
}
PY=/usr/bin/python3
# npy helpers (float64 / int32, C order; the library's stdlib only)
cat > "$OUT/npy.py" <<'PYEOF'
import ast, struct, sys
def read(p):
    b = open(p, 'rb').read()
    hl = struct.unpack('<H', b[8:10])[0]
    h = ast.literal_eval(b[10:10 + hl].decode())
    f = {'<f8': 'd', '<i4': 'i'}[h['descr']]
    n = 1
    for s in h['shape']: n *= s
    return h['descr'], list(h['shape']), list(struct.unpack('<%d%s' % (n, f), b[10 + hl:10 + hl + n * struct.calcsize(f)]))
def write(p, d, shape, v):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (d, ', '.join(map(str, shape)) + (',' if len(shape) == 1 else ''))
    h += ' ' * ((64 - (11 + len(h)) % 64) % 64) + '\n'
    open(p, 'wb').write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode() + struct.pack('<%d%s' % (len(v), {'<f8': 'd', '<i4': 'i'}[d]), *v))
op, p = sys.argv[1], sys.argv[2]
d, s, v = read(p)
if op == 'zero_row':      # row 3 all zeros
    v[3 * s[1]:4 * s[1]] = [0.0] * s[1]
elif op == 'drop_cols':   # 3 fewer columns
    c = s[1]; v = [x for i, x in enumerate(v) if i % c < c - 3]; s[1] = c - 3
elif op == 'const':       # every row the first one
    v = v[:s[1]] * s[0]
elif op == 'same_label':
    v = [0] * len(v)
elif op == 'short':       # 3 labels fewer
    v = v[:-3]; s[0] -= 3
write(p, d, s, v)
PYEOF
R1=$FIX/run1
mkrun() { rm -rf "$OUT/$1"; cp -r "$R1" "$OUT/$1"; }
# set a config.json value with python (json module): mkcfg NAME 'd["tau"] = 0'
mkcfg() { mkrun "$1"; $PY -c "import json,sys; d=json.load(open(sys.argv[1])); exec(sys.argv[2]); open(sys.argv[1],'w').write(json.dumps(d))" "$OUT/$1/config.json" "$2"; }

# (issue 1) a zero row in a reference embedding: a clear error, no crash (double free before)
mkrun zero; $PY "$OUT/npy.py" zero_row "$OUT/zero/reference/cl_epoch0000.npy"
rej "zero row" "zero/reference/cl_epoch0000.npy: row 3 is zero" "$OUT/zero"
mkrun zero2; $PY "$OUT/npy.py" zero_row "$OUT/zero2/reference/nscl_epoch0002.npy"
rej "zero row, later epoch" "nscl_epoch0002.npy: row 3 is zero" "$OUT/zero2"
# (issue 2) config.json values are checked by the trainer's own rules before any surrogate runs
mkcfg tau0 'd["tau"] = 0';             rej "tau 0" "tau0/config.json: --tau must be > 0" "$OUT/tau0"
mkcfg taum 'd["tau"] = -1';            rej "tau -1" "taum/config.json: --tau must be > 0" "$OUT/taum"
mkcfg taut 'd["tau"] = 1e-300';        rej "tau 1e-300" "taut/config.json: --tau 1e-300 is too small" "$OUT/taut"
mkcfg b0 'd["batch"] = 0';             rej "batch 0" "b0/config.json: --batch must be >= 2" "$OUT/b0"
mkcfg bm 'd["batch"] = -1';            rej "batch -1" 'bm/config.json: "batch" must be a non-negative integer (got -1)' "$OUT/bm"
mkcfg bf 'd["batch"] = 1.5';           rej "batch 1.5" '"batch" must be a non-negative integer (got 1.5)' "$OUT/bf"
mkcfg bh 'd["batch"] = 1e20';          rej "batch 1e20" '"batch" must be a non-negative integer (got 1e+20)' "$OUT/bh"
mkcfg lr 'd["lr"] = -1';               rej "lr -1" "lr/config.json: --lr must be >= 0" "$OUT/lr"
mkcfg sd 'd["seed"] = -1';             rej "seed -1" '"seed" must be a non-negative integer' "$OUT/sd"
mkcfg wu 'd["warmup"] = -1';           rej "warmup -1" '"warmup" must be a non-negative integer' "$OUT/wu"
mkrun dup; sed 's/"tau": 0.5,/"tau": 0.5, "tau": 0.5,/' "$R1/config.json" > "$OUT/dup/config.json"
rej "duplicate key" 'dup/config.json: key "tau" given twice' "$OUT/dup"
mkrun lab1; $PY "$OUT/npy.py" same_label "$OUT/lab1/reference/labels.npy"
rej "labels all equal" "lab1/reference/labels.npy: every label is 0 (need >= 2 classes)" "$OUT/lab1"
mkrun lab2; $PY "$OUT/npy.py" short "$OUT/lab2/reference/labels.npy"
rej "labels 3 short" "lab2/reference/cl_epoch0000.npy: 24 rows, expected 2N = 18" "$OUT/lab2"
mkrun const; for f in "$OUT"/const/reference/*_epoch*.npy; do $PY "$OUT/npy.py" const "$f"; done
rej "constant embeddings" "constant after centering" "$OUT/const"
# (issue 3) a required file missing or malformed, values out of their domain
mkrun nocfg; rm "$OUT/nocfg/config.json";                    rej "config.json missing" "nocfg/config.json: missing" "$OUT/nocfg"
mkrun dircfg; rm "$OUT/dircfg/config.json"; mkdir "$OUT/dircfg/config.json"
rej "config.json a directory" "dircfg/config.json: not a regular file" "$OUT/dircfg"
mkcfg ts 'd["tau"] = "abc"';           rej "tau a string" '"tau" must be a finite number (got "abc")' "$OUT/ts"
mkcfg tn 'd["tau"] = None';            rej "tau null" '"tau" must be a finite number (got null)' "$OUT/tn"
mkcfg bs 'd["batch"] = "x"';           rej "batch a string" '"batch" must be a non-negative integer (got "x")' "$OUT/bs"
mkcfg ep 'd["epochs"] = -1';           rej "epochs -1" '"epochs" must be a non-negative integer (got -1)' "$OUT/ep"
mkcfg spe 'd["steps_per_epoch"] = -1'; rej "steps_per_epoch -1" '"steps_per_epoch" must be a non-negative integer' "$OUT/spe"
mkcfg los 'd["losses"] = "bogus"';     rej "losses bogus" "--losses: unknown loss 'bogus'" "$OUT/los"
mkcfg notau 'del d["tau"]';            rej "tau missing" '"tau" missing' "$OUT/notau"
mkcfg unk 'd["bogus"] = 1';            rej "unknown key" 'unknown key "bogus"' "$OUT/unk"
mkrun nomod; rm "$OUT/nomod/models.csv";                     rej "models.csv missing" "nomod/models.csv: missing" "$OUT/nomod"
mkrun hdr; head -1 "$R1/models.csv" > "$OUT/hdr/models.csv"; rej "models.csv header only" "hdr/models.csv: no data rows" "$OUT/hdr"
mkrun acc; sed '2s/,0.5500$/,7/' "$R1/models.csv" > "$OUT/acc/models.csv"
rej "probe_acc 7" "acc/models.csv: data row 1, column 'probe_acc': 7 is outside [0, 1]" "$OUT/acc"
mkrun mname; sed '2s/,cl,/,bogus,/' "$R1/models.csv" > "$OUT/mname/models.csv"
rej "unknown model" "mname/models.csv: data row 1: unknown twin 'bogus'" "$OUT/mname"
mkrun oth; sed '2s/,nscl,/,xyz,/' "$R1/alignment.csv" > "$OUT/oth/alignment.csv"
rej "unknown other" "oth/alignment.csv: data row 1: unknown twin 'xyz'" "$OUT/oth"
mkrun wg; sed '6s/^0,2,nscl,0.995,0.995,0.996,0.01,/0,2,nscl,0.995,0.995,0.996,1e308,/' "$R1/alignment.csv" > "$OUT/wg/alignment.csv"
rej "weight gap 1e308" "wg/alignment.csv: data row 5, column 'weight_gap': 1e+308 is outside [0, 2]" "$OUT/wg"
mkrun cka; sed '6s/^0,2,nscl,0.995,/0,2,nscl,1.5,/' "$R1/alignment.csv" > "$OUT/cka/alignment.csv"
rej "CKA 1.5" "column 'cka': 1.5 is outside [-1, 1]" "$OUT/cka"
mkrun drow; awk 'NR == 7 { print } { print }' "$R1/alignment.csv" > "$OUT/drow/alignment.csv"
rej "duplicated row" "drow/alignment.csv: data row 7: a second row for step 2 and twin scl" "$OUT/drow"
mkrun dend; sed -n 6p "$R1/alignment.csv" >> "$OUT/dend/alignment.csv"
rej "row out of order" "dend/alignment.csv: data row 21: step 2 after step 12" "$OUT/dend"
mkrun nonscl; grep -v ',nscl,' "$R1/alignment.csv" > "$OUT/nonscl/alignment.csv"
rej "no nscl rows" "nonscl/alignment.csv: no rows for the nscl twin" "$OUT/nonscl"
mkrun far; sed '$s/^3,12,/4,16,/' "$R1/alignment.csv" > "$OUT/far/alignment.csv"
rej "step beyond the run" "far/alignment.csv: data row 20: step 16 is beyond the run's last step 12" "$OUT/far"
mkrun noref; rm -r "$OUT/noref/reference"
rej "reference/ missing" "noref/reference/labels.npy: missing (the theory_vs_network overlay needs" "$OUT/noref"
rm -rf "$OUT/r"; "$BIN" compare "$OUT/noref" --no-surrogate --out "$OUT/r" >"$OUT/bo" 2>"$OUT/be"
check "reference/ missing with --no-surrogate: exit 0, no theory figure" '[ $? -eq 0 ] && [ -s "$OUT/r/REPORT.md" ] && [ ! -e "$OUT/r/theory_vs_network.gp" ] && [ ! -s "$OUT/be" ]'
mkrun nolab; rm "$OUT/nolab/reference/labels.npy";           rej "labels.npy missing" "nolab/reference/labels.npy: missing" "$OUT/nolab"
mkrun noe0; rm "$OUT/noe0/reference/cl_epoch0000.npy";       rej "cl_epoch0000.npy missing" "noe0/reference/cl_epoch0000.npy: missing" "$OUT/noe0"
mkrun cols; $PY "$OUT/npy.py" drop_cols "$OUT/cols/reference/nscl_epoch0002.npy"
rej "3 fewer columns" "cols/reference/nscl_epoch0002.npy: 24 x 5, expected 24 x 8" "$OUT/cols"
mkrun npyd; rm "$OUT/npyd/reference/cl_epoch0001.npy"; mkdir "$OUT/npyd/reference/cl_epoch0001.npy"
rej "npy a directory" "npyd/reference/cl_epoch0001.npy: not a regular file" "$OUT/npyd"
mkrun loop; rm "$OUT/loop/reference/cl_epoch0001.npy"; ln -s cl_epoch0001.npy "$OUT/loop/reference/cl_epoch0001.npy"
rej "npy a self-symlink" "loop/reference/cl_epoch0001.npy: " "$OUT/loop"
# sim run directories
mksim() { rm -rf "$OUT/$1"; cp -r "$OUT/sim" "$OUT/$1"; }
mksum() { mksim "$1"; $PY -c "import json,sys; d=json.load(open(sys.argv[1])); exec(sys.argv[2]); open(sys.argv[1],'w').write(json.dumps(d))" "$OUT/$1/summary.json" "$2"; }
mksim s1; rm "$OUT/s1/summary.json";               rej "summary.json missing" "s1/summary.json: missing" "$OUT/s1"
mksim s2; : > "$OUT/s2/summary.json";              rej "summary.json empty" "s2/summary.json: empty" "$OUT/s2"
mksim s3; printf '{\000}' > "$OUT/s3/summary.json"; rej "summary.json binary" "s3/summary.json: not a text file" "$OUT/s3"
mksim s4; head -c 200 "$OUT/sim/summary.json" > "$OUT/s4/summary.json"; rej "summary.json truncated" "s4/summary.json: malformed JSON" "$OUT/s4"
mksim s5; echo '[]' > "$OUT/s5/summary.json";      rej "summary.json []" "s5/summary.json: an array, not a JSON object" "$OUT/s5"
mksim s6; echo 'null' > "$OUT/s6/summary.json";    rej "summary.json null" "s6/summary.json: null, not a JSON object" "$OUT/s6"
mksim s7; $PY -c "print('{\"a\":' * 50000 + '1' + '}' * 50000)" > "$OUT/s7/summary.json"
rej "summary.json 50k deep" "s7/summary.json: malformed JSON" "$OUT/s7"
mksum s8 'd["config"]["tau"] = -1';    rej "sim tau -1" "s8/summary.json: config: --tau must be > 0" "$OUT/s8"
mksum s9 'd["config"]["classes"] = 0'; rej "sim classes 0" "s9/summary.json: config: --classes must be >= 2" "$OUT/s9"
mksum s10 'd["config"]["batch"] = 0';  rej "sim batch 0" "s10/summary.json: config: --batch must be >= 2" "$OUT/s10"
mksum s11 'd["config"]["steps"] = -1'; rej "sim steps -1" "s11/summary.json: config: --steps must be >= 1" "$OUT/s11"
mksum s12 'del d["violations"]';       rej "sim violations missing" 's12/summary.json: "violations" missing' "$OUT/s12"
mksim s13; awk -F, -v OFS=, 'NR == 3 { for (i = 1; i <= NF; i++) if (h[i] == "gap_fro") $i = -3 } NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i } { print }' \
    "$OUT/sim/trajectory.csv" > "$OUT/s13/trajectory.csv"
rej "sim gap -3" "s13/trajectory.csv: data row 2: gap_fro -3 is outside" "$OUT/s13"
mksim s14; sed '3s/^0,[0-9]*,/0,-1,/' "$OUT/sim/trajectory.csv" > "$OUT/s14/trajectory.csv"
rej "sim negative step" "s14/trajectory.csv: data row 2: step -1 is not in 0..40" "$OUT/s14"
mksim s15; (head -1 "$OUT/sim/trajectory.csv"; tail -n +2 "$OUT/sim/trajectory.csv" | sort -t, -k2,2 -n -r) > "$OUT/s15/trajectory.csv"
rej "sim reversed rows" "s15/trajectory.csv: data row 2: step" "$OUT/s15"
# (issue 4) options given twice; one run directory given twice is not two seeds
rej "--out twice" "compare: --out given twice" "$R1" --out "$OUT/x"
rej "--jobs twice" "compare: --jobs given twice" "$R1" --jobs 1 --jobs 2
rej "--no-surrogate twice" "compare: --no-surrogate given twice" "$R1" --no-surrogate --no-surrogate
rej "run dir twice" "are the same run directory" "$R1" "$R1"
rej "run dir twice, other spelling" "are the same run directory" "$R1" "$R1/"
# a failure while drawing (here: a gnuplot that fails) leaves no half-written set behind
mkdir -p "$OUT/badgp"; printf '#!/bin/sh\nexit 1\n' > "$OUT/badgp/gnuplot"; chmod +x "$OUT/badgp/gnuplot"
rm -rf "$OUT/r"; PATH="$OUT/badgp:$PATH" "$BIN" compare "$R1" --no-surrogate --out "$OUT/r" >"$OUT/bo" 2>"$OUT/be"; rc=$?
check "gnuplot failing: exit 1, one line, output directory removed" \
    '[ $rc -eq 1 ] && [ "$(wc -l < "$OUT/be")" -eq 1 ] && grep -q "gnuplot failed" "$OUT/be" && [ ! -e "$OUT/r" ]'
mkdir -p "$OUT/keep"; echo old > "$OUT/keep/alignment.gp"
PATH="$OUT/badgp:$PATH" "$BIN" compare "$R1" --no-surrogate --out "$OUT/keep" >"$OUT/bo" 2>"$OUT/be"
check "gnuplot failing in an existing directory: its files untouched, nothing added" \
    '[ "$(cat "$OUT/keep/alignment.gp")" = old ] && [ "$(ls -A "$OUT/keep")" = alignment.gp ]'

# (issue 5) runs without the null twin: the control claim is "not tested", not FAIL
for k in 1 2; do
    rm -rf "$OUT/nn$k"; cp -r "$FIX/run$k" "$OUT/nn$k"
    grep -v ',cl2,' "$FIX/run$k/alignment.csv" > "$OUT/nn$k/alignment.csv"
    grep -v ',cl2,' "$FIX/run$k/models.csv" > "$OUT/nn$k/models.csv"
    sed 's/"null_twin": true/"null_twin": false/' "$FIX/run$k/config.json" > "$OUT/nn$k/config.json"
done
rm -rf "$OUT/r"; "$BIN" compare "$OUT/nn1" "$OUT/nn2" --no-surrogate --out "$OUT/r" >"$OUT/bo" 2>"$OUT/be"
check "no null twin: exit 0" '[ $? -eq 0 ]'
check "no null twin: control row says not tested, with the NSCL numbers" \
    'grep "| control: " "$OUT/r/REPORT.md" | grep -F "not tested: no null twin" | grep -F "CKA NSCL 0.935 ± 0.007 (n=2)" | grep -q "| not tested |"'
check "no null twin: no FAIL verdict on the control row" '! grep "| control: " "$OUT/r/REPORT.md" | grep -q FAIL'
check "no null twin: the count line says 1 not tested" 'grep -q "claim rows: .* 1 not tested\." "$OUT/r/REPORT.md"'
check "no null twin: claims 13 and 18 still tested" '[ "$(grep -c "^| compare | 1[38]\. .*\*\*\(PASS\|FAIL\)\*\*" "$OUT/r/REPORT.md")" -eq 4 ]'
"$BIN" compare --help >"$OUT/bo" 2>&1
check "--help exits 0 and names the figures" '[ $? -eq 0 ] && grep -q "theory_vs_network" "$OUT/bo"'
exit $fail
