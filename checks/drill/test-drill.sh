#!/usr/bin/env bash
# Proves the backup drill both ways: a correct restore verifies (exit 0, verified=true, every
# expected row back, every produced event applied exactly once after the replay), and a wrong
# restore fails loudly (exit 1, verified=false) — restored to a target 1.5 s too early, or
# corrupted by one cent after the restore. Also: bad arguments are refused with exit 2.
#
# Usage: checks/drill/test-drill.sh [--quick]   (--quick skips the S3 run and uses posix only)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DRILL="$ROOT/scripts/drill/pgbackrest-drill.sh"
PYTHON="$ROOT/.local/venvs/ops/bin/python"; [ -x "$PYTHON" ] || PYTHON=python3
OUT="$ROOT/out/drill"
mkdir -p "$OUT"
export DRILL_KEEP_ON_FAILURE=0
passed=0; failed=0
repo_normal=s3
[ "${1:-}" = --quick ] && repo_normal=posix

check() { # name, condition-result (0 ok), message
    if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   - $1"
    else failed=$((failed + 1)); echo "FAIL - $1: $3"; fi
}

json_field() { "$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2" 2>/dev/null; }

run_drill() { # name, args...; sets RC and LAST
    local name=$1; shift
    bash "$DRILL" "$@" >"$OUT/test-$name.out" 2>"$OUT/test-$name.err"
    RC=$?
    LAST=$(tail -1 "$OUT/test-$name.out")
}

# 1. A correct restore verifies.
run_drill correct --repo "$repo_normal"
cat "$OUT/test-correct.out"
check "correct restore exits 0" "$([ "$RC" = 0 ]; echo $?)" "exit $RC, see $OUT/test-correct.err"
check "correct restore reports verified=true" "$([ "$(json_field "$LAST" verified)" = True ]; echo $?)" "last line: $LAST"
"$PYTHON" - "$LAST" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
assert r["rows_expected"] > 20000, r
assert r["rows_restored"] == r["rows_expected"], r
assert r["rows_after_replay"] == r["rows_produced"], r
assert r["rpo_seconds"] >= 0 and r["rto_seconds"] > 0, r
assert set(["rpo_seconds", "rto_seconds", "rows_expected", "rows_restored", "verified"]) <= set(r), r
EOF
check "correct restore: every expected row restored, every produced event applied once after replay" "$?" "last line: $LAST"

# 2. Restoring to the wrong point in time must fail.
run_drill wrong-target --repo posix --events 5000 --fault wrong-target
check "wrong restore target exits 1" "$([ "$RC" = 1 ]; echo $?)" "exit $RC"
check "wrong restore target reports verified=false" "$([ "$(json_field "$LAST" verified)" = False ]; echo $?)" "last line: $LAST"
check "wrong restore target names the missing rows" "$(grep -q 'expected events missing from the ledger' "$OUT/test-wrong-target.err"; echo $?)" "no VERIFY FAILED line"

# 3. A database changed after the restore must fail.
run_drill corrupt --repo posix --events 5000 --fault corrupt-after-restore
check "corrupted restore exits 1" "$([ "$RC" = 1 ]; echo $?)" "exit $RC"
check "corrupted restore reports verified=false" "$([ "$(json_field "$LAST" verified)" = False ]; echo $?)" "last line: $LAST"
check "corrupted restore names the wrong balance" "$(grep -q 'account balances wrong' "$OUT/test-corrupt.err"; echo $?)" "no VERIFY FAILED line"

# 4. Losing the whole volume: the restore replays the archive to its end; what the archive did not hold
#    yet is lost from the database (the RPO), and the replay from the restored offsets brings it back.
run_drill volume-loss --repo posix --events 5000 --scenario volume-loss
check "volume loss: restore is an exact committed prefix and the replay completes it" "$([ "$RC" = 0 ] && [ "$(json_field "$LAST" verified)" = True ]; echo $?)" "exit $RC, last line: $LAST"

# 5. Bad input gets a clear error.
bash "$DRILL" --fault nonsense >/dev/null 2>"$OUT/test-badarg.err"; RC=$?
check "unknown fault is refused with exit 2" "$([ "$RC" = 2 ] && grep -q "unknown --fault" "$OUT/test-badarg.err"; echo $?)" "exit $RC"

echo "drill: $passed passed, $failed failed"
[ "$failed" = 0 ]
