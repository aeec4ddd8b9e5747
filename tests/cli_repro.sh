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
# a train option the trainer rejects: the failing run's log is named, exit 2-style message
printf '[figure]\nkind = alignment\n[train]\nno-such-option = 1\n[smoke]\nseeds = 1\n' > "$OUT/cfg/fig2.ini"
"$BIN" repro fig2 --scale smoke --configs "$OUT/cfg" --out "$OUT/y" >"$OUT/o" 2>"$OUT/e"; rc=$?
check "a failing run: nonzero exit, names its log, no REPORT.md" \
    '[ $rc -ne 0 ] && grep -q "run.log" "$OUT/e" && grep -q "no-such-option" "$OUT/e" && [ ! -e "$OUT/y/REPORT.md" ]'
"$BIN" repro --help >"$OUT/o" 2>&1
check "--help exits 0 and lists the figures" '[ $? -eq 0 ] && grep -q "fig5_batch" "$OUT/o" && grep -q "smoke" "$OUT/o"'
# every committed config parses at every scale (checked without running: an unknown scale fails first)
for f in fig2 fig3 fig4 fig5 fig6 theory; do
    for s in smoke quick full; do
        check "paper_repro/$f.ini has [$s]" 'grep -q "^\[$s\]" "$CONFIGS/$f.ini"'
    done
done
exit $fail
