#!/usr/bin/env bash
# `make test-ablation`: `sim ablate` must catch every after-mode mechanism switched off alone, each with the
# violation kind that names its failure, and each reproducer must replay that violation. Then the gate itself:
# with one seed per mechanism some mechanism goes uncaught, and `sim ablate` must say so and exit 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIM=${SIM:-.build/release/sim}
fail() { echo "check-ablation: FAIL: $*" >&2; exit 1; }

echo "== sim ablate (every mechanism, at most 5,000 seeds each)"
set +e; report=$("$SIM" ablate --json); status=$?; set -e
summary=$(echo "$report" | tail -1)
python3 - "$summary" <<'PY' || fail "a mechanism went uncaught or a field is missing"
import json, sys
report = json.loads(sys.argv[1])
mechanisms = report["mechanisms"]
for m in mechanisms:
    for key in ("mechanism", "caught", "violation_kind", "first_seed", "seeds_tried", "reproduce"):
        assert key in m, f"{m.get('mechanism')}: no {key}"
    print(f"  {m['mechanism']:30} {m['violation_kind']:27} first seed {m['first_seed']}, {m['seeds_tried']} tried")
assert len(mechanisms) == 11, f"{len(mechanisms)} mechanisms, expected 11"
uncaught = [m["mechanism"] for m in mechanisms if not m["caught"]]
assert not uncaught, f"uncaught: {uncaught}"
print(f"  {report['seconds']:.1f} s")
PY
[ "$status" -eq 0 ] || fail "sim ablate exited $status with every mechanism caught"

echo "== each reproducer replays its violation"
python3 -c "import json,sys; [print(m['mechanism'], m['violation_kind'], m['reproduce']) for m in json.loads(sys.argv[1])['mechanisms']]" "$summary" |
while read -r mechanism kind reproduce; do
    read -r -a words <<<"${reproduce#swift run sim }"
    set +e; replayed=$("$SIM" "${words[@]}" --json | tail -1); set -e
    echo "$replayed" | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); sys.exit(0 if '$kind' in d['violations_by_kind'] and d['without'] == ['$mechanism'] else 1)" \
        || fail "$reproduce does not replay $kind"
    echo "  $mechanism: $kind"
done

echo "== the gate can fail: one seed per mechanism"
set +e; "$SIM" ablate --max-seeds 1 >/tmp/check-ablation.out; status=$?; set -e
[ "$status" -eq 1 ] || fail "sim ablate --max-seeds 1 exited $status, expected 1 (some mechanism needs more than one seed)"
grep -q "UNCAUGHT" /tmp/check-ablation.out || fail "the report does not name the uncaught mechanisms"
grep "UNCAUGHT" /tmp/check-ablation.out
echo "check-ablation: OK"
