#!/usr/bin/env bash
# Removes what install_platform.sh installed, in reverse order. Refuses while application resources exist
# (the operators must delete their Kafka and Postgres first, or volumes and load balancers are orphaned).
# Keeps, on purpose: the S3 backup buckets and their contents (Terraform owns them) and the EBS volumes of
# retained PersistentVolumes (StorageClass gp3 has reclaimPolicy Retain; list them with
# `aws ec2 describe-volumes --filters Name=tag-key,Values=kubernetes.io/created-for/pvc/name`).
#
#   platform/uninstall_platform.sh --yes [--outputs FILE] [--skip-kubeconfig]
set -euo pipefail
# shellcheck source=platform/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=platform/versions.env
. "$PLATFORM_ROOT/platform/versions.env"

confirmed=0
outputs_file=""
skip_kubeconfig=0
while [ $# -gt 0 ]; do
    case $1 in
        --yes) confirmed=1; shift ;;
        --outputs) outputs_file=${2:?--outputs needs a file}; shift 2 ;;
        --skip-kubeconfig) skip_kubeconfig=1; shift ;;
        -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[ "$confirmed" = 1 ] || die "this removes every add-on from the cluster; re-run with --yes"

require_tools aws kubectl helm terraform jq
load_outputs "$outputs_file"
[ "$skip_kubeconfig" = 1 ] || use_cluster

for kind in kafkas.kafka.strimzi.io postgresclusters.postgres-operator.crunchydata.com ingresses.networking.k8s.io; do
    # A kind whose CRD is already gone has no objects left either.
    left=$( (kubectl get "$kind" -A -o name 2>/dev/null || true) | wc -l)
    [ "$left" -eq 0 ] || die "$left $kind still exist: run 'apps/deploy_apps.sh --delete' first"
done

uninstall() {
    local release=$1 namespace=$2
    if helm status "$release" --namespace "$namespace" >/dev/null 2>&1; then
        log "helm uninstall $release ($namespace)"
        helm uninstall "$release" --namespace "$namespace" --wait --timeout 10m
    else
        log "$release not installed in $namespace"
    fi
}

for manifest in alloy loki tempo; do
    log "delete $manifest ($OBSERVABILITY_NAMESPACE)"
    kubectl delete -f "$PLATFORM_ROOT/platform/manifests/$manifest.yaml" --ignore-not-found
done
uninstall pgo "$PGO_NAMESPACE"
uninstall strimzi "$STRIMZI_NAMESPACE"
uninstall velero "$VELERO_NAMESPACE"
uninstall cluster-autoscaler "$CLUSTER_AUTOSCALER_NAMESPACE"
uninstall keda "$KEDA_NAMESPACE"
uninstall kube-prometheus-stack "$KUBE_PROMETHEUS_STACK_NAMESPACE"
uninstall aws-load-balancer-controller "$ALB_CONTROLLER_NAMESPACE"
uninstall metrics-server "$METRICS_SERVER_NAMESPACE"
kubectl delete -f "$PLATFORM_ROOT/platform/manifests/storageclass-gp3.yaml" --ignore-not-found

log "add-ons removed. CRDs installed by the charts are left in place (helm never deletes CRDs);"
log "remove them with 'kubectl get crd -o name | grep -E \"strimzi|crunchydata|keda|monitoring.coreos|velero\"'."
