#!/usr/bin/env bash
# `sim tune` as an advisor, on the release binary:
#   1. the search over the shipped `after` overlay reports every candidate, a Pareto front, a recommendation
#      that meets the objective on its search and validation seeds, a kustomize Component and an SVG;
#   2. the Component applied to a copy of the overlay meets the objective under `sim scale` on HOLDOUT seeds
#      that neither the search nor the validation used, with every twin property holding;
#   3. that holdout check fails on a planted bad setting (maxReplicaCount 3: the lag cannot drain in time);
#   4. a malformed objective is a bad argument (exit 2).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIM=${SIM:-.build/release/sim}
OBJECTIVE=${OBJECTIVE:-lag-drain<=120s}
HOLDOUT=${HOLDOUT:-5001-5024}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-tune: FAIL: $*" >&2; exit 1; }
started=$SECONDS

echo "== sim tune --objective '$OBJECTIVE'"
"$SIM" tune --from-manifests apps/overlays/after --objective "$OBJECTIVE" --component "$work/tuned" --svg "$work/front.svg" \
    --json >"$work/tune.out" || fail "sim tune exited $?: $(tail -c 600 "$work/tune.out")"
tail -1 "$work/tune.out" >"$work/tune.json"
python3 - "$work" "$HOLDOUT" <<'PY'
import json, sys, xml.dom.minidom
work, holdout = sys.argv[1], sys.argv[2]
report = json.load(open(f"{work}/tune.json"))
worker, api = report["worker"], report["api"]
candidates = worker["candidates"]
assert worker["evaluated"] == len(candidates) > 1 and candidates[0]["id"] == worker["shipped"] == 0
keys = {"settings", "worst_lag_drain_seconds", "worst_seconds_over_lag_slo", "mean_pod_minutes", "worst_direction_changes",
        "findings", "meets_objective", "pareto"}
assert all(keys <= set(c) for c in candidates), "every candidate carries its settings and measures"
front = [c for c in candidates if c["pareto"]]
assert front and worker["front"] == [c["id"] for c in front]
recommended = candidates[worker["recommended"]]
assert recommended["meets_objective"] and not recommended["findings"]
validation = [v for v in worker["validation"] if v["id"] == recommended["id"]]
assert validation and validation[0]["meets_objective"], "the recommendation passed its validation seeds"
low, high = (int(x) for x in holdout.split("-"))
used = set(report["seeds"]) | set(report["validation_seeds"])
assert not used & set(range(low, high + 1)), "holdout seeds must be seeds the search did not use"
assert api["evaluated"] == len(api["candidates"]) and api["recommended"] is not None
svg = open(f"{work}/front.svg").read()
xml.dom.minidom.parseString(svg)  # well-formed
assert 'class="shipped"' in svg or 'class="recommended"' in svg and "shipped = recommended" in svg
assert 'class="recommended"' in svg and "<script" not in svg and "href" not in svg
assert svg.count("http") == 1, "no reference but the SVG namespace"
shipped = candidates[0]
print(f"tune: {len(candidates)} worker candidates ({len(front)} on the front), {api['evaluated']} api candidates; "
      f"recommended #{recommended['id']}: worst lag-drain {recommended['worst_lag_drain_seconds']} s, "
      f"{recommended['mean_pod_minutes']} pod-minutes (shipped: {shipped['worst_lag_drain_seconds']} s, {shipped['mean_pod_minutes']})")
PY
sed -n '/^# /p' "$work/tuned/kustomization.yaml"

# A copy of apps/ whose `after` overlay lists the component, as an operator would apply it.
overlay_with() { # name component-dir
    mkdir -p "$work/copy-$1"
    cp -r apps "$work/copy-$1/apps"
    cp -r "$2" "$work/copy-$1/apps/tuned"
    printf 'components:\n  - ../../tuned\n' >>"$work/copy-$1/apps/overlays/after/kustomization.yaml"
}
limit=$(python3 -c "import re,sys; m=re.search(r'lag-drain<=(\d+)(s|m)?', sys.argv[1]); print(int(m.group(1)) * (60 if m.group(2) == 'm' else 1))" "$OBJECTIVE")
holdout_check() { # name: exit status 0 when the copy meets the objective and every property on the holdout seeds
    local status=0
    "$SIM" scale --from-manifests "$work/copy-$1/apps/overlays/after" --seeds "$HOLDOUT" --json >"$work/$1.out" || status=$?
    tail -1 "$work/$1.out" >"$work/$1.json"
    python3 - "$work/$1.json" "$status" "$limit" <<'PY'
import json, sys
report, status, limit = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
print(f"  holdout {report['seeds']} seeds: exit {status}, worst lag-drain {report['worst_lag_drain_seconds']} s (objective {limit} s), "
      f"failing seeds {report['failed_seeds']}, {report['mean_pod_minutes']} pod-minutes, max {report['max_replicas']} replicas")
sys.exit(0 if status == 0 and report["worst_lag_drain_seconds"] <= limit else 1)
PY
}

echo "== the recommended Component on a copy of the overlay, holdout seeds $HOLDOUT"
overlay_with tuned "$work/tuned"
holdout_check tuned || fail "the recommendation does not meet $OBJECTIVE on the holdout seeds"

echo "== the same check on a planted bad setting (maxReplicaCount 3) must fail"
mkdir -p "$work/bad"
sed 's/^        maxReplicaCount: [0-9]*/        maxReplicaCount: 3/' "$work/tuned/kustomization.yaml" >"$work/bad/kustomization.yaml"
grep -q "maxReplicaCount: 3" "$work/bad/kustomization.yaml" || fail "could not plant maxReplicaCount 3"
overlay_with planted "$work/bad"
if holdout_check planted; then fail "maxReplicaCount 3 passed the holdout check"; fi

echo "== a malformed objective is a bad argument"
status=0
"$SIM" tune --objective 'lag-drain<120s' >/dev/null 2>"$work/err" || status=$?
if [ "$status" -ne 2 ] || ! grep -q "is not MEASURE<=VALUE" "$work/err"; then
    fail "malformed objective: exit $status, $(cat "$work/err")"
fi
echo "check-tune: OK ($((SECONDS - started)) s)"
