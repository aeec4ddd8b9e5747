# tests/lib.sh — sourced by the CLI test scripts, with the script's own arguments
# (<clnscl> <fixtures-dir> <scratch-dir>): a fresh scratch directory, the pass/fail counters,
# the bad-input contract every command keeps, and the closing "N passed, N failed" line.
#   . "$(dirname "$0")/lib.sh"
BIN=$1
FIX=$2
SCRATCH=$3
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" || exit 1
OUT=$SCRATCH/stdout
ERR=$SCRATCH/stderr
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# reject WHAT PATTERN LEFT ARGS...: `clnscl ARGS` keeps the bad-input contract (DEVELOPERS.md):
# exit status 2, nothing on stdout, exactly one stderr line that starts with "clnscl: " and
# contains PATTERN (a fixed string; empty: any message), and the path LEFT (empty: none) is not
# there afterwards (it is removed first).
reject() {
    r_what=$1 r_pat=$2 r_left=$3
    shift 3
    [ -n "$r_left" ] && rm -rf "$r_left"
    "$BIN" "$@" >"$OUT" 2>"$ERR"
    r_rc=$?
    r_why=""
    [ $r_rc -eq 2 ] || r_why="$r_why exit $r_rc;"
    [ -s "$OUT" ] && r_why="$r_why stdout not empty;"
    [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q '^clnscl: ' "$ERR" || r_why="$r_why not one 'clnscl: ' line;"
    [ -z "$r_pat" ] || grep -qF -- "$r_pat" "$ERR" || r_why="$r_why message lacks '$r_pat';"
    [ -n "$r_left" ] && [ -e "$r_left" ] && r_why="$r_why left $r_left behind;"
    if [ -z "$r_why" ]; then ok; else bad "$r_what:$r_why stderr: $(cat "$ERR")"; fi
}

finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
