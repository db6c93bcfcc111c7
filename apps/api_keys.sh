#!/usr/bin/env bash
# API keys of the events API on the EKS cluster: the `api keys` command of the deployed image, run once as the
# database's owner in a short-lived pod in namespace postgres (where the owner's Secret lives; it carries the
# ledger-schema label, so the NetworkPolicies let it reach the primary and nothing else).
#
#   apps/api_keys.sh create --name NAME --account ACCOUNT [--account ...] [--rate-per-second N] [--burst N]
#   apps/api_keys.sh list
#   apps/api_keys.sh revoke KEY_ID
#   options before the command: [--registry R] [--tag T] [--outputs FILE] [--skip-kubeconfig]
#
# `create` prints the new key on stdout, once; it is stored only as a SHA-256 and never logged. Give it to the
# client (or `kubectl create secret`) straight from the pipe. A revoked key stops working on every api replica
# within --api-key-cache-seconds (5 s). Failure modes: no owner Secret (deploy first: apps/deploy_apps.sh), the image
# tag missing (pass --tag), the database unreachable (the pod's logs say so); nothing is changed by a failed run.
set -euo pipefail
# shellcheck source=platform/lib.sh
. "$(dirname "$0")/../platform/lib.sh"

outputs_file=""
skip_kubeconfig=0
registry=${IMAGE_REGISTRY:-}
tag=${IMAGE_TAG:-}
while [ $# -gt 0 ]; do
    case $1 in
        --outputs) outputs_file=${2:?--outputs needs a file}; shift 2 ;;
        --skip-kubeconfig) skip_kubeconfig=1; shift ;;
        --registry) registry=${2:?--registry needs a registry}; shift 2 ;;
        --tag) tag=${2:?--tag needs a tag}; shift 2 ;;
        -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
        create | list | revoke) break ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[ $# -gt 0 ] || die "usage: apps/api_keys.sh [options] create|list|revoke ... (see --help)"

tools=(kubectl jq)
[ -n "$outputs_file" ] || tools+=(terraform)
require_tools "${tools[@]}"
load_outputs "$outputs_file"
[ "$skip_kubeconfig" = 1 ] || use_cluster
[ -n "$registry" ] || registry=$(tf_output image_registry)
[ -n "$tag" ] || tag=$(sed -n 's/^IMAGE_TAG=//p' "$PLATFORM_ROOT/apps/environments/example.env")
kubectl -n postgres get secret ledger-pguser-replicasafe >/dev/null 2>&1 ||
    die "Secret postgres/ledger-pguser-replicasafe not found: deploy first (apps/deploy_apps.sh)"

# The owner's connection from PGO's Secret through libpq's PG* variables: no password on a command line.
args=$(printf '%s\n' keys "$@" --database-url "dbname=replicasafe sslmode=require" | jq -R . | jq -cs .)
env_from_secret() { jq -n --arg n "$1" --arg k "$2" '{name: $n, valueFrom: {secretKeyRef: {name: "ledger-pguser-replicasafe", key: $k}}}'; }
env=$(jq -cs . <(env_from_secret PGHOST host) <(env_from_secret PGPORT port) <(env_from_secret PGUSER user) \
    <(env_from_secret PGPASSWORD password))
overrides=$(jq -cn --arg image "$registry/api:$tag" --argjson args "$args" --argjson env "$env" '{
  apiVersion: "v1",
  metadata: {labels: {"app.kubernetes.io/name": "ledger-schema"}},
  spec: {
    serviceAccountName: "ledger-schema", automountServiceAccountToken: false, restartPolicy: "Never",
    securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: {type: "RuntimeDefault"}},
    containers: [{
      name: "api-keys", image: $image, args: $args, env: $env, stdin: true,
      resources: {requests: {cpu: "50m", memory: "64Mi"}, limits: {cpu: "500m", memory: "128Mi"}},
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: ["ALL"]}}
    }]
  }
}')
exec kubectl -n postgres run "api-keys-$$" --image="$registry/api:$tag" --restart=Never --rm -i --quiet \
    --overrides="$overrides"
