#!/usr/bin/env bash
# The fuzzing fleet's manifests (apps/fuzz) without a cluster: render them as apps/fuzz/run.sh does, then run
# the pods' own scripts with the real sim and a stand-in aws (checks/fuzz/fleet_dry_run.py), and check that the
# check itself fails on a planted defect (a Job whose completions disagree with SHARDS).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIM=${SIM:-.build/release/sim}
PY=${PLATFORM_VENVS:-.local/venvs}/lint/bin/python
[ -x "$PY" ] || { echo "check-fleet: $PY missing: run make deps" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$SECONDS

apps/render.sh fuzz apps/environments/example.env >"$work/fuzz.yaml"
"$PY" -m checks.fuzz.fleet_dry_run --sim "$SIM" --rendered "$work/fuzz.yaml" --params apps/fuzz/params.env --work "$work/run"

sed 's/^  completions: \([0-9]*\)/  completions: 3/' "$work/fuzz.yaml" >"$work/broken.yaml"
if "$PY" -m checks.fuzz.fleet_dry_run --sim "$SIM" --rendered "$work/broken.yaml" --params apps/fuzz/params.env \
    --work "$work/broken" >"$work/broken.out" 2>&1; then
    echo "check-fleet: FAIL: a Job with completions 3 for SHARDS $(sed -n 's/^SHARDS=//p' apps/fuzz/params.env) passed" >&2
    exit 1
fi
grep -q "completions 3" "$work/broken.out" || { cat "$work/broken.out" >&2; exit 1; }
echo "check-fleet: a Job whose completions disagree with SHARDS is caught"
echo "check-fleet: OK ($((SECONDS - started)) s)"
