#!/usr/bin/env bash
# Deploys ReplicaSafe to the EKS cluster in one worker mode and waits until it serves.
#
#   apps/deploy_apps.sh before|after [--outputs FILE] [--skip-kubeconfig] [--image-tag TAG]
#   apps/deploy_apps.sh --delete [--outputs FILE] [--skip-kubeconfig]
#
# 1. renders the overlay with the account's values from the Terraform outputs (apps/render.sh),
# 2. applies it (Kafka, Postgres, api, worker, policies, monitors),
# 3. waits for Kafka, its topics and the Postgres primary,
# 4. copies the database URL from Crunchy's user Secret (namespace postgres) into apps/ledger-db-app, adding a
#    server-side statement_timeout that bounds the worker's longest batch (apps/base/worker/deployment.yaml),
# 5. waits for the api and worker rollouts and prints the ALB address.
# Switching modes is `deploy_apps.sh before` then `deploy_apps.sh after`: only the worker rolls.
# Environment: ACM_CERTIFICATE_ARN (optional) adds an HTTPS listener; TIMEOUT (default 15m) bounds each wait.
set -euo pipefail
# shellcheck source=platform/lib.sh
. "$(dirname "$0")/../platform/lib.sh"

# Server-side bound on one statement, in ms. The worker's terminationGracePeriodSeconds budget counts one batch
# as this long; scripts/lint/check_invariants.py reads this line.
STATEMENT_TIMEOUT_MS=15000
TIMEOUT=${TIMEOUT:-15m}

mode=""
outputs_file=""
skip_kubeconfig=0
image_tag=""
while [ $# -gt 0 ]; do
    case $1 in
        before | after) mode=$1; shift ;;
        --delete) mode=delete; shift ;;
        --outputs) outputs_file=${2:?--outputs needs a file}; shift 2 ;;
        --skip-kubeconfig) skip_kubeconfig=1; shift ;;
        --image-tag) image_tag=${2:?--image-tag needs a tag}; shift 2 ;;
        -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[ -n "$mode" ] || die "usage: apps/deploy_apps.sh before|after|--delete [--outputs FILE] (see --help)"

tools=(aws kubectl jq)
[ -n "$outputs_file" ] || tools+=(terraform)
require_tools "${tools[@]}"
load_outputs "$outputs_file"
[ "$skip_kubeconfig" = 1 ] || use_cluster

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The environment file apps/render.sh reads (same keys as apps/environments/example.env). Values are read
# into variables first: a failing $(...) inside the heredoc would not stop the script.
region=$(tf_output region)
db_bucket=$(tf_output db_backup_bucket)
velero_bucket=$(tf_output velero_bucket)
role_arn=$(tf_output db_backup_role_arn)
[[ $role_arn != *":000000000000:"* ]] || die "db_backup_role_arn is the placeholder account; apply infra/ first"
default_tag=$(sed -n 's/^IMAGE_TAG=//p' "$PLATFORM_ROOT/apps/environments/example.env")
cat >"$work/env" <<ENV
AWS_REGION=$region
DB_BACKUP_BUCKET=$db_bucket
DB_BACKUP_ROLE_ARN=$role_arn
VELERO_BUCKET=$velero_bucket
IMAGE_TAG=${image_tag:-$default_tag}
ACM_CERTIFICATE_ARN=${ACM_CERTIFICATE_ARN:-}
ENV

render_mode=$mode
[ "$mode" != delete ] || render_mode=after
"$PLATFORM_ROOT/apps/render.sh" "$render_mode" "$work/env" >"$work/rendered.yaml"
objects=$(grep -c '^kind:' "$work/rendered.yaml" || true)
[ "$objects" -gt 0 ] || die "apps/render.sh $render_mode produced no objects"

if [ "$mode" = delete ]; then
    log "deleting the apps, then Kafka and Postgres (volumes are retained: StorageClass gp3 reclaimPolicy Retain)"
    kubectl delete -n apps deployment,horizontalpodautoscaler,scaledobject,ingress --all --ignore-not-found --wait
    kubectl delete -f "$work/rendered.yaml" --ignore-not-found --wait --timeout="$TIMEOUT"
    exit 0
fi

# Prerequisites from platform/install_platform.sh.
for crd in kafkas.kafka.strimzi.io postgresclusters.postgres-operator.crunchydata.com scaledobjects.keda.sh \
    servicemonitors.monitoring.coreos.com; do
    kubectl get crd "$crd" >/dev/null 2>&1 || die "CRD $crd is missing: run platform/install_platform.sh first"
done
kubectl get ingressclass alb >/dev/null 2>&1 || die "IngressClass alb is missing: run platform/install_platform.sh"

log "applying overlay '$mode' ($objects objects)"
kubectl apply -f "$work/rendered.yaml"

log "waiting for Kafka and its topics"
kubectl -n kafka wait kafka/events --for=condition=Ready --timeout="$TIMEOUT"
kubectl -n kafka wait kafkatopic --all --for=condition=Ready --timeout="$TIMEOUT"

log "waiting for the Postgres primary and the user Secret"
deadline=$((SECONDS + 900))
until kubectl -n postgres get secret ledger-pguser-replicasafe >/dev/null 2>&1 &&
    [ -n "$(kubectl -n postgres get pod -o name \
        -l postgres-operator.crunchydata.com/cluster=ledger,postgres-operator.crunchydata.com/role=master)" ]; do
    [ $SECONDS -lt $deadline ] || die "no Postgres primary after 15 minutes: kubectl -n postgres describe postgrescluster ledger"
    sleep 10
done
kubectl -n postgres wait pod --for=condition=Ready --timeout="$TIMEOUT" \
    -l postgres-operator.crunchydata.com/cluster=ledger,postgres-operator.crunchydata.com/role=master

# The Secret value never reaches the terminal or a file outside $work.
uri=$(kubectl -n postgres get secret ledger-pguser-replicasafe -o jsonpath='{.data.uri}' | base64 -d)
[[ $uri == postgresql://* ]] || die "Secret postgres/ledger-pguser-replicasafe has no postgresql:// uri"
separator='?'
[[ $uri != *\?* ]] || separator='&'
database_url="${uri}${separator}options=-c%20statement_timeout%3D${STATEMENT_TIMEOUT_MS}"
before=$(kubectl -n apps get secret ledger-db-app -o jsonpath='{.data.DATABASE_URL}' 2>/dev/null || true)
printf '%s' "$database_url" >"$work/DATABASE_URL"
kubectl -n apps create secret generic ledger-db-app --from-file=DATABASE_URL="$work/DATABASE_URL" \
    --dry-run=client -o yaml | kubectl apply -f -
after=$(kubectl -n apps get secret ledger-db-app -o jsonpath='{.data.DATABASE_URL}')
if [ -n "$before" ] && [ "$before" != "$after" ]; then
    log "database credentials changed: restarting api and worker"
    kubectl -n apps rollout restart deployment/api deployment/worker
fi

log "waiting for api and worker"
kubectl -n apps rollout status deployment/api --timeout="$TIMEOUT"
kubectl -n apps rollout status deployment/worker --timeout="$TIMEOUT"
kubectl -n apps wait scaledobject/worker --for=condition=Ready --timeout="$TIMEOUT"
mode_now=$(kubectl -n apps get deployment worker \
    -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name=="WORKER_MODE")].value}')
[ "$mode_now" = "$mode" ] || die "worker runs WORKER_MODE=$mode_now, expected $mode"

log "waiting for the ALB address"
deadline=$((SECONDS + 600))
address=""
until [ -n "$address" ]; do
    address=$(kubectl -n apps get ingress api -o jsonpath='{.status.loadBalancer.ingress[0].hostname}')
    [ -n "$address" ] || [ $SECONDS -lt $deadline ] || die "no ALB after 10 minutes: kubectl -n apps describe ingress api"
    [ -n "$address" ] || sleep 10
done
log "ReplicaSafe ($mode) is up: curl -s http://$address/readyz"
echo "$address"
