#!/usr/bin/env bash
# The twin's CI gate: the autoscaling the `after` overlay deploys keeps every property over many seeds, and
# each class of bad manifest is caught:
#   1. the shipped manifests, SEEDS seeds: no violation (exactly-once, replicas <= partitions, no thrash, lag
#      drains after the burst, zone outage survived in bounded time);
#   2. maxReplicaCount above the partition count: replicas-exceed-partitions;
#   3. no scale-down stabilization: scale-thrash.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIM=${SIM:-.build/release/sim}
SEEDS=${SEEDS:-1-1000}
BAD_SEEDS=${BAD_SEEDS:-1-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-twin: FAIL: $*" >&2; exit 1; }
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])$1)"; }

echo "== shipped manifests (apps/overlays/after), seeds $SEEDS"
shipped=$("$SIM" scale --from-manifests apps/overlays/after --seeds "$SEEDS" --json) || fail "the shipped manifests break a property: $shipped"
echo "$shipped"

echo "== one report, for the record"
"$SIM" scale --from-manifests apps/overlays/after --seed 1 | sed -n '1,12p'

# A rendered copy of the overlay with one field changed, as a user's edit would.
render_variant() { # name python-edit
    apps/render.sh after apps/environments/example.env > "$work/after.yaml"
    python3 - "$work/after.yaml" "$work/$1.yaml" "$2" <<'PY'
import sys, yaml
source, target, edit = sys.argv[1:4]
documents = [d for d in yaml.safe_load_all(open(source)) if d]
for d in documents:
    if d.get("kind") == "ScaledObject":
        exec(edit, {"spec": d["spec"]})
yaml.safe_dump_all(documents, open(target, "w"))
PY
}

expect_violation() { # name kind
    local status=0 report
    report=$("$SIM" scale --from-manifests "$work/$1.yaml" --seeds "$BAD_SEEDS" --json) || status=$?
    [ "$status" -eq 1 ] || fail "$1: expected exit 1, got $status: $report"
    echo "$report" | field "['violations_by_kind']" | grep -q "'$2'" || fail "$1: expected $2 in $report"
    echo "$1: caught ($2): $(echo "$report" | field "['violations_by_kind']")"
}

echo "== bad manifests are caught"
render_variant max-above-partitions 'spec["maxReplicaCount"] = 20'
expect_violation max-above-partitions replicas-exceed-partitions
render_variant no-scale-down-stabilization 'spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"] = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}'
expect_violation no-scale-down-stabilization scale-thrash
echo "== an unreadable manifest path is a usage error (exit 2, with the reason)"
status=0
report=$("$SIM" scale --from-manifests "$work/does-not-exist" --seeds 1 --json 2>&1) || status=$?
[ "$status" -eq 2 ] || fail "missing manifests: expected exit 2, got $status: $report"
echo "$report" | grep -q "manifests not found: $work/does-not-exist" || fail "missing manifests: no reason in: $report"
echo "missing path: exit 2 ($(echo "$report" | grep -o 'manifests not found[^"]*' | head -1))"
echo "check-twin: OK"
