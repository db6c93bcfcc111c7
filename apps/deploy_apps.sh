#!/usr/bin/env bash
# Deploys ReplicaSafe to the EKS cluster in one worker mode and waits until it serves.
#
#   apps/deploy_apps.sh before|after [--registry R] [--tag T] [--outputs FILE] [--skip-kubeconfig] [--allow-plain-http]
#   apps/deploy_apps.sh --delete [--outputs FILE] [--skip-kubeconfig]
#
#   --registry R   images are R/api:T and R/worker:T (default: $IMAGE_REGISTRY, else Terraform output
#                  image_registry, the ECR repositories of infra/). GHCR: ghcr.io/OWNER/replicasafe
#   --tag T        the image tag (default: $IMAGE_TAG, else IMAGE_TAG of apps/environments/example.env); the
#                  image workflow (.github/workflows/images.yml) tags every build with the commit SHA and releases
#                  with their tag (v1.2.3)
#   --allow-plain-http  expose the api over HTTP only when no ACM_CERTIFICATE_ARN is set (refused otherwise)
#
# The api's Ingress routes /v1/ only, over HTTPS (ACM_CERTIFICATE_ARN) with HTTP redirected, admits the CIDRs of
# Terraform's ingress_allowed_cidrs, and is attached to the WAF web ACL when infra/ has enable_waf = true.
#
# Steps, each checked before the next:
#  1. tools at their pinned versions, the Terraform outputs, the cluster context, the platform's CRDs;
#  2. both images exist in the registry at that tag (aws ecr describe-images for ECR, the registry's HTTP API
#     otherwise): a missing image fails here, not as a 15-minute ImagePullBackOff;
#  3. renders the overlay (apps/render.sh) and applies everything except the ledger-schema Job;
#  4. waits for Kafka, its topics and the KafkaUsers; copies each user's password and the cluster CA into
#     namespace apps (kafka-api, kafka-worker, kafka-keda, kafka-cluster-ca);
#  5. waits for the Postgres primary and PGO's user Secrets; runs the ledger-schema Job (schema + grants as the
#     owner) to completion; writes apps/ledger-db-api and apps/ledger-db-worker (each role's own URL with a
#     server-side statement_timeout that bounds the worker's longest batch);
#  6. waits for the api and worker rollouts and the ScaledObject, checks WORKER_MODE, prints the ALB address.
# Failure modes and rollback: docs/quickstart-eks.md ("When a step fails"). Re-running is safe: every step is an
# apply or a wait. Switching modes is `deploy_apps.sh before` then `deploy_apps.sh after`: only the worker rolls.
# Environment: ACM_CERTIFICATE_ARN (the api's TLS certificate; without it only --allow-plain-http deploys);
# TIMEOUT (default 15m) bounds each wait.
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
allow_plain_http=0
registry=${IMAGE_REGISTRY:-}
tag=${IMAGE_TAG:-}
while [ $# -gt 0 ]; do
    case $1 in
        before | after) mode=$1; shift ;;
        --delete) mode=delete; shift ;;
        --outputs) outputs_file=${2:?--outputs needs a file}; shift 2 ;;
        --skip-kubeconfig) skip_kubeconfig=1; shift ;;
        --allow-plain-http) allow_plain_http=1; shift ;;
        --registry) registry=${2:?--registry needs a registry}; shift 2 ;;
        --tag | --image-tag) tag=${2:?--tag needs a tag}; shift 2 ;;
        -h | --help) sed -n '2,32p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[ -n "$mode" ] || die "usage: apps/deploy_apps.sh before|after|--delete [--registry R] [--tag T] [--outputs FILE] (see --help)"

open_cluster_session "$outputs_file" "$skip_kubeconfig"

# The environment file apps/render.sh reads (same keys as apps/environments/example.env).
write_render_env "$work/env" "$registry" "$tag"
ingress_cidrs=$(tf_output ingress_allowed_cidrs | jq -er 'join(",")') || die "Terraform output ingress_allowed_cidrs is not a list of CIDRs"
waf_acl=$(tf_output waf_web_acl_arn)
if [ -z "${ACM_CERTIFICATE_ARN:-}" ] && [ "$allow_plain_http" != 1 ] && [ "$mode" != delete ]; then
    die "ACM_CERTIFICATE_ARN is not set: the api would take money-moving requests over plain HTTP; set it, or pass --allow-plain-http to mean it"
fi
cat >>"$work/env" <<ENV
ACM_CERTIFICATE_ARN=${ACM_CERTIFICATE_ARN:-}
INGRESS_ALLOWED_CIDRS=$ingress_cidrs
WAF_WEB_ACL_ARN=$waf_acl
ALLOW_PLAIN_HTTP=$allow_plain_http
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

# 1. Prerequisites from platform/install_platform.sh.
for crd in kafkas.kafka.strimzi.io kafkausers.kafka.strimzi.io postgresclusters.postgres-operator.crunchydata.com \
    scaledobjects.keda.sh triggerauthentications.keda.sh servicemonitors.monitoring.coreos.com; do
    kubectl get crd "$crd" >/dev/null 2>&1 || die "CRD $crd is missing: run platform/install_platform.sh first"
done
kubectl get ingressclass alb >/dev/null 2>&1 || die "IngressClass alb is missing: run platform/install_platform.sh"

# 2. The images, before anything is applied.
require_images "$work/env" api worker

# 3. Everything but the schema Job, which needs the database first.
log "applying overlay '$mode' ($objects objects)"
kubectl -n postgres delete job ledger-schema --ignore-not-found >/dev/null
kubectl apply -f "$work/rendered.yaml" -l 'app.kubernetes.io/name!=ledger-schema'

# 4. Kafka, then its users' credentials for the pods in namespace apps.
log "waiting for Kafka, its topics and users"
kubectl -n kafka wait kafka/events --for=condition=Ready --timeout="$TIMEOUT"
kubectl -n kafka wait kafkatopic --all --for=condition=Ready --timeout="$TIMEOUT"
kubectl -n kafka wait kafkauser --all --for=condition=Ready --timeout="$TIMEOUT"
secret_field() { # NAMESPACE SECRET KEY: the decoded value, never printed by this script
    kubectl -n "$1" get secret "$2" -o json | jq -er --arg k "$3" '.data[$k] // empty | @base64d'
}
secret_field kafka events-cluster-ca-cert ca.crt >"$work/ca.crt" || die "Secret kafka/events-cluster-ca-cert has no ca.crt"
apply_secret() { # NAME KEY=FILE...: Secret NAME in namespace apps from files (values never on a command line)
    local name=$1 args=() pair
    shift
    for pair in "$@"; do args+=(--from-file="$pair"); done
    kubectl -n apps create secret generic "$name" "${args[@]}" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}
for user in api worker keda; do
    secret_field kafka "$user" password >"$work/kafka-$user" || die "Secret kafka/$user (KafkaUser $user) has no password"
done
apply_secret kafka-cluster-ca "ca.crt=$work/ca.crt"
apply_secret kafka-api "password=$work/kafka-api"
apply_secret kafka-worker "password=$work/kafka-worker"
printf 'scram_sha512' >"$work/sasl"
printf 'enable' >"$work/tls"
printf 'keda' >"$work/keda-user"
apply_secret kafka-keda "sasl=$work/sasl" "tls=$work/tls" "username=$work/keda-user" "password=$work/kafka-keda" \
    "ca=$work/ca.crt"

# 5. Postgres: primary, schema and grants as the owner, then each workload's own URL.
log "waiting for the Postgres primary and PGO's user Secrets"
deadline=$((SECONDS + 900))
until kubectl -n postgres get secret ledger-pguser-replicasafe ledger-pguser-api ledger-pguser-worker >/dev/null 2>&1 &&
    [ -n "$(kubectl -n postgres get pod -o name \
        -l postgres-operator.crunchydata.com/cluster=ledger,postgres-operator.crunchydata.com/role=master)" ]; do
    [ $SECONDS -lt $deadline ] || die "no Postgres primary after 15 minutes: kubectl -n postgres describe postgrescluster ledger"
    sleep 10
done
kubectl -n postgres wait pod --for=condition=Ready --timeout="$TIMEOUT" \
    -l postgres-operator.crunchydata.com/cluster=ledger,postgres-operator.crunchydata.com/role=master
log "schema and grants (Job postgres/ledger-schema)"
kubectl apply -f "$work/rendered.yaml" -l 'app.kubernetes.io/name=ledger-schema'
kubectl -n postgres wait job/ledger-schema --for=condition=Complete --timeout="$TIMEOUT" ||
    die "the schema Job did not complete: kubectl -n postgres logs job/ledger-schema"

changed=0
for role in api worker; do
    user=$(secret_field postgres "ledger-pguser-$role" user) || die "Secret postgres/ledger-pguser-$role has no user"
    password=$(secret_field postgres "ledger-pguser-$role" password) || die "Secret postgres/ledger-pguser-$role has no password"
    host=$(secret_field postgres "ledger-pguser-$role" host) || die "Secret postgres/ledger-pguser-$role has no host"
    port=$(secret_field postgres "ledger-pguser-$role" port) || die "Secret postgres/ledger-pguser-$role has no port"
    encoded=$(jq -rn --arg p "$password" '$p | @uri')
    printf 'postgresql://%s:%s@%s:%s/replicasafe?sslmode=require&options=-c%%20statement_timeout%%3D%s' \
        "$user" "$encoded" "$host" "$port" "$STATEMENT_TIMEOUT_MS" >"$work/DATABASE_URL"
    before=$(kubectl -n apps get secret "ledger-db-$role" -o jsonpath='{.data.DATABASE_URL}' 2>/dev/null || true)
    apply_secret "ledger-db-$role" "DATABASE_URL=$work/DATABASE_URL"
    after=$(kubectl -n apps get secret "ledger-db-$role" -o jsonpath='{.data.DATABASE_URL}')
    if [ -n "$before" ] && [ "$before" != "$after" ]; then changed=1; fi
done
if [ "$changed" = 1 ]; then
    log "database credentials changed: restarting api and worker"
    kubectl -n apps rollout restart deployment/api deployment/worker
fi

# 6. The workloads.
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
scheme=https
[ -n "${ACM_CERTIFICATE_ARN:-}" ] || scheme=http
log "ReplicaSafe ($mode) is up at $scheme://$address/v1/events (an API key is needed: apps/api_keys.sh create)"
echo "$address"
