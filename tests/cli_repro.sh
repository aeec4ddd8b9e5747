#!/bin/sh
# tests/cli_repro.sh BIN FIXTURES SCRATCH — `clnscl repro` argument and config errors (fast: no runs).
set -u
BIN=$1 CONFIGS=$2/../../paper_repro OUT=$3
rm -rf "$OUT" && mkdir -p "$OUT"
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
bad() { # name, args...
    n=$1; shift
    "$BIN" repro "$@" >"$OUT/o" 2>"$OUT/e"; rc=$?
    check "$n: exit 2, one clnscl: line, empty stdout" \
        '[ $rc -eq 2 ] && [ "$(wc -l < "$OUT/e")" -eq 1 ] && grep -q "^clnscl: " "$OUT/e" && [ ! -s "$OUT/o" ]'
}
bad "no name"
bad "unknown figure" fig9 --configs "$CONFIGS" --out "$OUT/x"
bad "unknown scale" fig2 --scale huge --configs "$CONFIGS" --out "$OUT/x"
bad "missing --out value" fig2 --out
bad "bad --jobs" fig2 --jobs 0 --configs "$CONFIGS"
bad "missing configs dir" fig2 --configs "$OUT/none"
mkdir -p "$OUT/cfg"
printf '[figure]\nkind = alignment\n[train]\nepochs = 1\n' > "$OUT/cfg/fig2.ini"
bad "no [smoke] section" fig2 --scale smoke --configs "$OUT/cfg" --out "$OUT/x"
printf '[figure]\nkind = alignment\nthis line is broken\n[smoke]\nseeds = 1\n' > "$OUT/cfg/fig2.ini"
bad "malformed INI line" fig2 --scale smoke --configs "$OUT/cfg" --out "$OUT/x"
printf '[figure]\nkind = spiral\n[smoke]\nseeds = 1\n' > "$OUT/cfg/fig2.ini"
bad "unknown kind" fig2 --scale smoke --configs "$OUT/cfg" --out "$OUT/x"
printf '[figure]\nkind = temperature\n[train]\n[smoke]\nseeds = 1\ntaus = 0.1,abc\n' > "$OUT/cfg/fig4.ini"
bad "non-numeric sweep list" fig4 --scale smoke --configs "$OUT/cfg" --out "$OUT/x"
printf '[figure]\nkind = alignment\n[smoke]\nseeds = 0\n' > "$OUT/cfg/fig2.ini"
bad "seeds = 0" fig2 --scale smoke --configs "$OUT/cfg" --out "$OUT/x"
check "no runs started by the failed calls" '[ ! -d "$OUT/x/runs" ] || [ -z "$(ls -A "$OUT/x/runs")" ]'
# a run that fails at run time (data not there): exit 1, the failing run's log is named, no REPORT.md
# and no figure; the run directory (with its log) stays for the rerun
printf '[figure]\nkind = alignment\n[train]\ndata = mnist:/nonexistent\n[smoke]\nseeds = 1\n' > "$OUT/cfg/fig2.ini"
"$BIN" repro fig2 --scale smoke --configs "$OUT/cfg" --out "$OUT/y" >"$OUT/o" 2>"$OUT/e"; rc=$?
check "a failing run: exit 1, names its log, no REPORT.md, no figure" \
    '[ $rc -eq 1 ] && grep -q "run.log" "$OUT/e" && grep -q "nonexistent" "$OUT/e" && [ ! -e "$OUT/y/REPORT.md" ] && [ "$(ls -A "$OUT/y")" = runs ]'
check "a failing run: '1 run', not '1 runs'" 'grep -q "fig2 at scale smoke: 1 run (" "$OUT/e"'

# every run's options are checked, with the train/sim subcommands' own option parsers, before any
# run is launched: exit 2, one line naming the INI file, the section and the key, and no OUT at all
rej() { # name, message fragment, INI name, INI text (printf format)
    r_n=$1 r_p=$2 r_f=$3
    rm -rf "$OUT/z" "$OUT/rc" && mkdir -p "$OUT/rc"
    printf "$4" > "$OUT/rc/$r_f.ini"
    "$BIN" repro "$r_f" --scale smoke --configs "$OUT/rc" --out "$OUT/z" >"$OUT/o" 2>"$OUT/e"; r_rc=$?
    check "reject ($r_n): exit 2, one line with '$r_p', no stdout, nothing left" \
        '[ $r_rc -eq 2 ] && [ "$(wc -l < "$OUT/e")" -eq 1 ] && grep -q "^clnscl: " "$OUT/e" && grep -qF -- "$r_p" "$OUT/e" && [ ! -s "$OUT/o" ] && [ ! -e "$OUT/z" ]'
    [ $r_rc -eq 2 ] || cat "$OUT/e"
}
A='[figure]\nkind = alignment\n[train]\nepochs = 1\n[smoke]\nseeds = 1\n'
rej "tau = -1" "rc/fig2.ini: [smoke] tau = -1: --tau must be > 0" fig2 "${A}tau = -1\n"
rej "tau = nan" "rc/fig2.ini: [smoke] tau = nan: --tau: 'nan' is not a finite number" fig2 "${A}tau = nan\n"
rej "epochs = 0" "rc/fig2.ini: [smoke] epochs = 0: --epochs must be >= 1" fig2 "${A}epochs = 0\n"
rej "bogus = 3 under [smoke]" "rc/fig2.ini: [smoke] bogus = 3: unknown option 'bogus'" fig2 "${A}bogus = 3\n"
rej "bad key under [train]" "rc/fig2.ini: [train] no-such-option = 1: unknown option" fig2 \
    '[figure]\nkind = alignment\n[train]\nno-such-option = 1\n[smoke]\nseeds = 1\n'
rej "bad key in another scale" "rc/fig2.ini: [full] tau = x: --tau" fig2 "${A}[full]\ntau = x\n"
rej "key given twice" "rc/fig2.ini: [smoke] batch given twice" fig2 "${A}batch = 8\nbatch = 16\n"
rej "section given twice" "rc/fig2.ini: line 7: section [smoke] given twice" fig2 "${A}[smoke]\nbatch = 8\n"
rej "empty section given twice" "section [train] given twice" fig2 "${A}[train]\n"
rej "NUL byte" "rc/fig2.ini: line 7: not a text file (byte 0x00)" fig2 "${A}tau = 0.5\0000\n"
rej "seed set by repro" "rc/fig2.ini: [train] seed: set by repro itself" fig2 '[figure]\nkind = alignment\n[train]\nseed = 4\n[smoke]\nseeds = 1\n'
rej "a key the kind does not use" "rc/fig2.ini: [smoke] taus: not used by kind = alignment" fig2 "${A}taus = 0.1\n"
rej "sweep value" "rc/fig4.ini: [smoke] taus (tau) = -1: --tau must be > 0" fig4 \
    '[figure]\nkind = temperature\n[train]\nepochs = 1\n[smoke]\nseeds = 1\ntaus = 0.5,-1\n'
rej "sim option" "rc/theory.ini: [smoke] sim.tau = -1: --tau must be > 0" theory \
    '[figure]\nkind = theory\n[sim]\nclasses = 10\n[train]\nepochs = 1\n[smoke]\nsamples = 200\nsweep-classes = 2\nsweep-taus = 0.5\nsweep-batches = 8\nsim.tau = -1\n'
rej "sim sweep beyond the samples" "rc/theory.ini: [smoke] sweep-batches (batch) = 800: --batch 800 exceeds" theory \
    '[figure]\nkind = theory\n[sim]\nclasses = 10\n[train]\nepochs = 1\n[smoke]\nsamples = 200\nsweep-classes = 2\nsweep-taus = 0.5\nsweep-batches = 800\n'
rej "kind = bogus leaves no OUT" "rc/fig2.ini: unknown kind 'bogus'" fig2 '[figure]\nkind = bogus\n[smoke]\nseeds = 1\n'
rej "seeds = 0 leaves no OUT" "rc/fig2.ini: seeds = '0'" fig2 '[figure]\nkind = alignment\n[smoke]\nseeds = 0\n'
rm -rf "$OUT/z"
"$BIN" repro fig2 --configs "$CONFIGS" --configs "$CONFIGS" --out "$OUT/z" >"$OUT/o" 2>"$OUT/e"; rc=$?
check "--configs twice: exit 2, one line" '[ $rc -eq 2 ] && [ "$(cat "$OUT/e")" = "clnscl: repro: --configs given twice" ] && [ ! -e "$OUT/z" ]'
"$BIN" repro fig2 --configs "$CONFIGS" --out "$OUT/z" --out "$OUT/z2" >"$OUT/o" 2>"$OUT/e"; rc=$?
check "--out twice: exit 2, one line" '[ $rc -eq 2 ] && [ "$(cat "$OUT/e")" = "clnscl: repro: --out given twice" ] && [ ! -e "$OUT/z" ]'
# every committed config, at every scale, passes all of these checks (planned without running: an
# --out that is a file is refused only after the plan)
: > "$OUT/afile"
for f in fig2 fig3 fig4 fig5 fig6 theory; do
    for s in smoke quick full; do
        "$BIN" repro $f --scale $s --configs "$CONFIGS" --out "$OUT/afile" >"$OUT/o" 2>"$OUT/e"
        check "paper_repro/$f.ini [$s]: every run's options valid" 'grep -q "^clnscl: --out: .*afile exists and is not a directory$" "$OUT/e"'
    done
done
"$BIN" repro --help >"$OUT/o" 2>&1
check "--help exits 0 and lists the figures" '[ $? -eq 0 ] && grep -q "fig5_batch" "$OUT/o" && grep -q "smoke" "$OUT/o"'
# every committed config parses at every scale (checked without running: an unknown scale fails first)
for f in fig2 fig3 fig4 fig5 fig6 theory; do
    for s in smoke quick full; do
        check "paper_repro/$f.ini has [$s]" 'grep -q "^\[$s\]" "$CONFIGS/$f.ini"'
    done
done
exit $fail
