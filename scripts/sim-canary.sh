#!/usr/bin/env bash
# The simulator's CI gate:
#   1. an `after` sweep of the default scenario must hold every invariant on every seed;
#   2. a `before` sweep must find violations (the canary: if it stops failing, the simulator lost its teeth);
#   3. `before` at one replica without faults must be clean (the simulator must not invent the bug);
#   4. the same seed gives the same trace hash in two separate processes (Swift seeds hashing per process);
#   5. the CLI keeps its exit-code contract (0 clean, 1 violated, 2 bad arguments), `--without` included.
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
        if [ -z "$first" ] || [ "$first" != "$second" ]; then
            fail "seed $seed mode $mode: trace hash $first then $second"
        fi
        echo "seed $seed $mode: $first twice"
    done
done
"$SIM" --seed 42 --mode both --check-determinism >/dev/null || fail "--check-determinism reported a difference"

echo "== exit codes"
expect_status() { # expected-status description command...
    local expected=$1 description=$2 status=0
    shift 2
    "$@" >/dev/null 2>/tmp/sim-canary.stderr || status=$?
    [ "$status" -eq "$expected" ] || fail "$description: exit $status, expected $expected"
}
expect_status 0 "clean after run" "$SIM" --seed 3 --mode after
expect_status 1 "violating before run" "$SIM" --seed 3 --mode before
expect_status 1 "--mode both with a violation in either mode" "$SIM" --seed 3 --mode both
expect_status 2 "bad --faults" "$SIM" --faults bogus
grep -q "faults" /tmp/sim-canary.stderr || fail "bad --faults must name the option: $(cat /tmp/sim-canary.stderr)"
expect_status 2 "--replicas 0" "$SIM" --replicas 0
expect_status 2 "reversed seed range" "$SIM" sweep --seeds 9-3
expect_status 2 "--without with --mode before" "$SIM" --mode before --without drain-on-sigterm
grep -q "mode after or both" /tmp/sim-canary.stderr || fail "--without in before mode must say why: $(cat /tmp/sim-canary.stderr)"
expect_status 2 "unknown mechanism" "$SIM" --mode after --without no-such-mechanism
echo "== after without drain-on-sigterm fails (exit 1) on some seed, and says what it switched off"
ablated=""
for seed in $(seq 1 10); do
    status=0; "$SIM" --seed "$seed" --mode after --without drain-on-sigterm >/dev/null || status=$?
    if [ "$status" -eq 1 ]; then ablated=$seed; break; fi
done
[ -n "$ablated" ] || fail "after without drain-on-sigterm held every invariant on seeds 1-10"
quiet=$("$SIM" --seed "$ablated" --mode after --without drain-on-sigterm --json | tail -1 || true)
[ "$(echo "$quiet" | field "['without']")" = "['drain-on-sigterm']" ] || fail "JSON without: $(echo "$quiet" | field "['without']")"
echo "$quiet" | field "['reproduce']" | grep -q -- "--without drain-on-sigterm" || fail "the reproducer must carry --without"
[ "$("$SIM" --seed 1 --mode after --json | field "['quiet_at_ms'] is not None")" = "True" ] || fail "seed 1 after never became quiet"
echo "== shrinking: the shrunk reproducer fails the same way"
shrunk=$("$SIM" shrink --seed 1 --mode before --json | tail -1)
echo "$shrunk"
kind=$(echo "$shrunk" | field "['violation_kind']")
read -r -a replay <<<"$(echo "$shrunk" | field "['reproduce'].replace('swift run sim ', '')")"
replayed=$("$SIM" "${replay[@]}" --json | tail -1 || true)
echo "$replayed" | field "['violations_by_kind']" | grep -q "'$kind'" || fail "shrunk reproducer does not fail with $kind"
echo "sim-canary: OK"
