#!/usr/bin/env bash
# The simulator's CI gate:
#   1. an `after` sweep of the default scenario must hold every invariant on every seed;
#   2. a `before` sweep must find violations (the canary: if it stops failing, the simulator lost its teeth);
#   3. `before` at one replica without faults must be clean (the simulator must not invent the bug);
#   4. the same seed gives the same trace hash in two separate processes (Swift seeds hashing per process);
#   5. the CLI keeps its exit-code contract (0 clean, 1 violated, 2 bad arguments).
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=${SIM:-.build/release/sim}
AFTER_SEEDS=${AFTER_SEEDS:-1-2000}
BEFORE_SEEDS=${BEFORE_SEEDS:-1-200}
fail() { echo "sim-canary: FAIL: $*" >&2; exit 1; }
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])$1)"; }

echo "== after-mode sweep, seeds $AFTER_SEEDS (must hold every invariant)"
set +e; after=$("$SIM" sweep --seeds "$AFTER_SEEDS" --mode after --json); status=$?; set -e
echo "$after"
[ "$status" -eq 0 ] || fail "after-mode sweep exited $status; failing seeds: $(echo "$after" | field "['failed_seeds'][:20]")"
[ "$(echo "$after" | field "['failed_seeds']")" = "[]" ] || fail "after-mode sweep found violations"

echo "== before-mode sweep, seeds $BEFORE_SEEDS (must find violations)"
set +e; before=$("$SIM" sweep --seeds "$BEFORE_SEEDS" --mode before --json); status=$?; set -e
echo "$before"
[ "$status" -eq 1 ] || fail "before-mode sweep exited $status, expected 1"
seeds=$(echo "$before" | field "['seeds']")
with_duplicates=$(echo "$before" | field "['runs_with_duplicates']")
[ $((with_duplicates * 2)) -ge "$seeds" ] || fail "before mode duplicated in only $with_duplicates of $seeds seeds"

echo "== before mode, 1 replica, no faults (must be clean)"
"$SIM" sweep --seeds 1-100 --mode before --replicas 1 --faults none --json | tail -1 \
    || fail "before mode at one replica without faults reported violations"

echo "== determinism across processes"
for seed in 7 42 1234; do
    for mode in before after; do
        first=$("$SIM" --seed "$seed" --mode "$mode" --json | field "['trace_hash']" || true)
        second=$("$SIM" --seed "$seed" --mode "$mode" --json | field "['trace_hash']" || true)
        [ -n "$first" ] && [ "$first" = "$second" ] || fail "seed $seed mode $mode: trace hash $first then $second"
        echo "seed $seed $mode: $first twice"
    done
done
"$SIM" --seed 42 --mode both --check-determinism >/dev/null || fail "--check-determinism reported a difference"

echo "== exit codes"
set +e
"$SIM" --seed 3 --mode after >/dev/null; [ $? -eq 0 ] || fail "clean after run must exit 0"
"$SIM" --seed 3 --mode before >/dev/null; [ $? -eq 1 ] || fail "violating before run must exit 1"
"$SIM" --seed 3 --mode both >/dev/null; [ $? -eq 1 ] || fail "--mode both with a violation in either mode must exit 1"
message=$("$SIM" --faults bogus 2>&1 >/dev/null); [ $? -eq 2 ] || fail "bad --faults must exit 2"
echo "$message" | grep -q "faults" || fail "bad --faults must name the option: $message"
"$SIM" --replicas 0 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--replicas 0 must exit 2"
"$SIM" sweep --seeds 9-3 >/dev/null 2>&1; [ $? -eq 2 ] || fail "reversed seed range must exit 2"
set -e
echo "sim-canary: OK"
