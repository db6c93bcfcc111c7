#!/usr/bin/env bash
# Starts one k6 load Job in the cluster and prints its summary.
#
#   apps/run_load.sh api-load|lag-burst [--skip-kubeconfig] [--outputs FILE]
#
# The script comes from checks/load/SCRIPT.js (ConfigMap k6-scripts, apps/render.sh). A previous Job of the same
# name is deleted first: a Job's pod template cannot change, and each run should start from zero.
set -euo pipefail
# shellcheck source=platform/lib.sh
. "$(dirname "$0")/../platform/lib.sh"

script=""
outputs_file=""
skip_kubeconfig=0
while [ $# -gt 0 ]; do
    case $1 in
        api-load | lag-burst) script=$1; shift ;;
        --outputs) outputs_file=${2:?--outputs needs a file}; shift 2 ;;
        --skip-kubeconfig) skip_kubeconfig=1; shift ;;
        -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[ -n "$script" ] || die "usage: apps/run_load.sh api-load|lag-burst"

tools=(kubectl jq)
if [ "$skip_kubeconfig" = 0 ]; then
    tools+=(aws)
    [ -n "$outputs_file" ] || tools+=(terraform)
fi
require_tools "${tools[@]}"
if [ "$skip_kubeconfig" = 0 ]; then
    load_outputs "$outputs_file"
    use_cluster
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PLATFORM_ROOT/apps/render.sh" load "$PLATFORM_ROOT/apps/environments/example.env" >"$work/load.yaml"
grep -q '^kind: Job' "$work/load.yaml" || die "apps/render.sh load produced no Job"

# The load client's API key: every account, a rate above the Jobs' peak (4000/s over >= 2 replicas). Created once,
# straight from apps/api_keys.sh into the Secret (never printed); revoke it with apps/api_keys.sh revoke ID.
if ! kubectl -n apps get secret api-load-key >/dev/null 2>&1; then
    log "creating the load client's API key (Secret apps/api-load-key)"
    key_args=()
    [ "$skip_kubeconfig" = 0 ] || key_args+=(--skip-kubeconfig)
    [ -z "$outputs_file" ] || key_args+=(--outputs "$outputs_file")
    "$PLATFORM_ROOT/apps/api_keys.sh" "${key_args[@]}" create --name k6-load --account '*' --rate-per-second 5000 \
        --burst 10000 | tail -1 >"$work/api-key"
    grep -q '^rsk_' "$work/api-key" || die "apps/api_keys.sh did not print a key"
    kubectl -n apps create secret generic api-load-key --from-file=key="$work/api-key" >/dev/null
fi

job="k6-$script"
kubectl -n apps delete job "$job" --ignore-not-found --wait
kubectl apply -f "$work/load.yaml" -l '!replicasafe.io/load-script'
kubectl apply -f "$work/load.yaml" -l "replicasafe.io/load-script=$script"

log "waiting for $job (at most 30 minutes, its activeDeadlineSeconds)"
if ! kubectl -n apps wait "job/$job" --for=condition=Complete --timeout=31m; then
    kubectl -n apps logs "job/$job" --tail=200 || true
    die "$job did not complete (a k6 threshold failing exits 99): kubectl -n apps describe job $job"
fi
kubectl -n apps logs "job/$job" --tail=200
