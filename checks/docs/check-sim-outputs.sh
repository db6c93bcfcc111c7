#!/usr/bin/env bash
# The simulator output quoted in the docs is what the simulator prints now, and the checker catches a stale
# quote (a copy of a demo with one number changed must fail).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIM=${SIM:-.build/release/sim}
CHECK=scripts.docs.sim_outputs

python3 -m "$CHECK" --sim "$SIM" --check

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp docs/demos/02-after-replica-safe.md "$work/demo.md"
sed -i '0,/2000 events produced/s//2001 events produced/' "$work/demo.md"
if python3 -m "$CHECK" --sim "$SIM" --check "$work/demo.md" >"$work/out" 2>&1; then
    echo "check-sim-outputs: FAIL: a quote with a changed number passed the check" >&2
    exit 1
fi
grep -q "1 stale" "$work/out" || { echo "check-sim-outputs: FAIL: unexpected checker output:" >&2; cat "$work/out" >&2; exit 1; }
python3 -m "$CHECK" --sim "$SIM" --update "$work/demo.md" 2>/dev/null >/dev/null
python3 -m "$CHECK" --sim "$SIM" --check "$work/demo.md" >/dev/null
echo "check-sim-outputs: a changed quote fails the check and --update restores it"

# An excerpt (README) is checked line by line: a changed number in it must fail too.
cp README.md "$work/readme.md"
grep -q "sim-output-excerpt" "$work/readme.md" || { echo "check-sim-outputs: FAIL: README has no checked excerpt" >&2; exit 1; }
python3 -m "$CHECK" --sim "$SIM" --check "$work/readme.md" >/dev/null
sed -i '/^  outcome: .*\.\.\.$/s/ duplicates,/0 duplicates,/' "$work/readme.md"
if python3 -m "$CHECK" --sim "$SIM" --check "$work/readme.md" >"$work/out" 2>&1; then
    echo "check-sim-outputs: FAIL: an excerpt with a changed number passed the check" >&2
    exit 1
fi
grep -q "1 stale" "$work/out" || { echo "check-sim-outputs: FAIL: unexpected checker output:" >&2; cat "$work/out" >&2; exit 1; }
echo "check-sim-outputs: a changed excerpt fails the check"
