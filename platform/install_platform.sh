#!/usr/bin/env bash
# Installs the cluster add-ons on the EKS cluster created by infra/: pinned Helm charts (platform/versions.env)
# with one values file each (platform/values/), settings that depend on the AWS account taken from the Terraform
# outputs. Idempotent: every step is `helm upgrade --install` or `kubectl apply`, so re-running converges.
#
#   platform/install_platform.sh [--outputs FILE] [--skip-kubeconfig]
#
#   --outputs FILE     `terraform output -json` saved earlier (default: run terraform in infra/)
#   --skip-kubeconfig  use the current kubectl context as is (it must point at the cluster)
#
# Order matters: the StorageClass and the network-policy engine check come first; kube-prometheus-stack brings
# the ServiceMonitor/PodMonitor CRDs the apps use; the operators (Strimzi, Crunchy PGO) come last.
# Environment: ALERT_PAGERDUTY_ROUTING_KEY + ALERT_SLACK_WEBHOOK_URL (or ALERT_RECEIVERS=none), HELM_TIMEOUT.
# Verification: the last step checks every CRD and the alb IngressClass; `helm list -A` shows 8 releases, and
# `kubectl -n monitoring get deploy tempo loki alloy` 3 ready Deployments.
# Failure modes and rollback (docs/quickstart-eks.md, step 3): a --wait timeout names the release; re-running
# converges; `helm -n NS rollback RELEASE` undoes one release, platform/uninstall_platform.sh --yes all of them.
set -euo pipefail
# shellcheck source=platform/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=platform/versions.env
. "$PLATFORM_ROOT/platform/versions.env"

outputs_file=""
skip_kubeconfig=0
while [ $# -gt 0 ]; do
    case $1 in
        --outputs) outputs_file=${2:?--outputs needs a file}; shift 2 ;;
        --skip-kubeconfig) skip_kubeconfig=1; shift ;;
        -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

require_tools aws kubectl helm terraform jq
load_outputs "$outputs_file"
# Every value up front: a failing $(...) inside a command's arguments would not stop the script.
CLUSTER=$(tf_output cluster_name)
REGION=$(tf_output region)
VPC_ID=$(tf_output vpc_id)
ALB_ROLE=$(tf_output aws_load_balancer_controller_role_arn)
AUTOSCALER_ROLE=$(tf_output cluster_autoscaler_role_arn)
VELERO_ROLE=$(tf_output velero_role_arn)
VELERO_BUCKET=$(tf_output velero_bucket)
BACKUP_KEY=$(tf_output backup_kms_key_arn)
[ "$skip_kubeconfig" = 1 ] || use_cluster

VALUES="$PLATFORM_ROOT/platform/values"
HELM_TIMEOUT=${HELM_TIMEOUT:-10m}

# helm_install RELEASE NAMESPACE CHART VERSION [REPO] [extra helm args...]: one pinned release.
helm_install() {
    local release=$1 namespace=$2 chart=$3 version=$4 repo=$5
    shift 5
    local source=(--version "$version")
    [ -n "$repo" ] && source+=(--repo "$repo")
    log "helm $release $version -> $namespace"
    helm upgrade --install "$release" "$chart" "${source[@]}" \
        --namespace "$namespace" --create-namespace \
        --values "$VALUES/$release.yaml" \
        --wait --timeout "$HELM_TIMEOUT" "$@"
}

# 1. NetworkPolicy engine: the VPC CNI's policy agent, switched on by Terraform (infra/addons.tf). Without it every
#    NetworkPolicy in apps/ is silently ignored, so refuse to go on.
log "checking that the VPC CNI enforces NetworkPolicies"
kubectl -n kube-system get daemonset aws-node -o json |
    jq -e '[.spec.template.spec.containers[].name] | index("aws-network-policy-agent")' >/dev/null ||
    die "aws-node has no aws-network-policy-agent container: apply infra/ (vpc-cni enableNetworkPolicy)"
kubectl -n kube-system get daemonset aws-node -o json |
    jq -e '[.spec.template.spec.containers[].args[]?] | index("--enable-network-policy=true")' >/dev/null ||
    die "the VPC CNI policy agent runs with network policy disabled: apply infra/ (vpc-cni enableNetworkPolicy)"

# 2. Storage: encrypted gp3 becomes the default class.
log "StorageClass gp3 (default)"
kubectl apply -f "$PLATFORM_ROOT/platform/manifests/storageclass-gp3.yaml"
if kubectl get storageclass gp2 >/dev/null 2>&1; then
    kubectl annotate --overwrite storageclass gp2 storageclass.kubernetes.io/is-default-class=false
fi

# 3. Charts.
helm_install metrics-server "$METRICS_SERVER_NAMESPACE" "$METRICS_SERVER_CHART" "$METRICS_SERVER_VERSION" \
    "$METRICS_SERVER_REPO"

helm_install aws-load-balancer-controller "$ALB_CONTROLLER_NAMESPACE" "$ALB_CONTROLLER_CHART" \
    "$ALB_CONTROLLER_VERSION" "$ALB_CONTROLLER_REPO" \
    --set-string clusterName="$CLUSTER" \
    --set-string region="$REGION" \
    --set-string vpcId="$VPC_ID" \
    --set-string "serviceAccount.annotations.eks\.amazonaws\.com/role-arn=$ALB_ROLE"

# Alertmanager's receivers (platform/values/kube-prometheus-stack.yaml): the PagerDuty routing key and the Slack
# webhook live only in Secret monitoring/alertmanager-receivers, never in values or in Helm's release history.
# ALERT_PAGERDUTY_ROUTING_KEY + ALERT_SLACK_WEBHOOK_URL create or replace it; an existing Secret is kept as is;
# ALERT_RECEIVERS=none installs without anyone being paged (placeholder values: Alertmanager then reports
# failed notifications, alertmanager_notifications_failed_total). Without any of these the install stops here.
kubectl create namespace "$KUBE_PROMETHEUS_STACK_NAMESPACE" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
receivers=$(mktemp -d)
trap 'rm -rf "$receivers"' EXIT
if [ -n "${ALERT_PAGERDUTY_ROUTING_KEY:-}" ] && [ -n "${ALERT_SLACK_WEBHOOK_URL:-}" ]; then
    printf '%s' "$ALERT_PAGERDUTY_ROUTING_KEY" >"$receivers/pagerduty-routing-key"
    printf '%s' "$ALERT_SLACK_WEBHOOK_URL" >"$receivers/slack-webhook-url"
elif kubectl -n "$KUBE_PROMETHEUS_STACK_NAMESPACE" get secret alertmanager-receivers >/dev/null 2>&1; then
    log "Secret $KUBE_PROMETHEUS_STACK_NAMESPACE/alertmanager-receivers exists: kept"
elif [ "${ALERT_RECEIVERS:-}" = none ]; then
    log "warning: ALERT_RECEIVERS=none: alerts are routed but reach nobody until the Secret holds real values"
    printf 'unset' >"$receivers/pagerduty-routing-key"
    printf 'https://hooks.slack.invalid/unset' >"$receivers/slack-webhook-url"
else
    die "set ALERT_PAGERDUTY_ROUTING_KEY and ALERT_SLACK_WEBHOOK_URL (or ALERT_RECEIVERS=none to page nobody): critical alerts page through PagerDuty, warnings go to Slack (docs/quickstart-eks.md)"
fi
if [ -f "$receivers/pagerduty-routing-key" ]; then
    kubectl -n "$KUBE_PROMETHEUS_STACK_NAMESPACE" create secret generic alertmanager-receivers \
        --from-file=pagerduty-routing-key="$receivers/pagerduty-routing-key" \
        --from-file=slack-webhook-url="$receivers/slack-webhook-url" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    log "Secret $KUBE_PROMETHEUS_STACK_NAMESPACE/alertmanager-receivers written"
fi

helm_install kube-prometheus-stack "$KUBE_PROMETHEUS_STACK_NAMESPACE" "$KUBE_PROMETHEUS_STACK_CHART" \
    "$KUBE_PROMETHEUS_STACK_VERSION" "$KUBE_PROMETHEUS_STACK_REPO"

helm_install keda "$KEDA_NAMESPACE" "$KEDA_CHART" "$KEDA_VERSION" "$KEDA_REPO"

helm_install cluster-autoscaler "$CLUSTER_AUTOSCALER_NAMESPACE" "$CLUSTER_AUTOSCALER_CHART" \
    "$CLUSTER_AUTOSCALER_VERSION" "$CLUSTER_AUTOSCALER_REPO" \
    --set-string autoDiscovery.clusterName="$CLUSTER" \
    --set-string awsRegion="$REGION" \
    --set-string "rbac.serviceAccount.annotations.eks\.amazonaws\.com/role-arn=$AUTOSCALER_ROLE"

helm_install velero "$VELERO_NAMESPACE" "$VELERO_CHART" "$VELERO_VERSION" "$VELERO_REPO" \
    --set-string "initContainers[0].image=$VELERO_AWS_PLUGIN_IMAGE" \
    --set-string "configuration.backupStorageLocation[0].bucket=$VELERO_BUCKET" \
    --set-string "configuration.backupStorageLocation[0].config.region=$REGION" \
    --set-string "configuration.backupStorageLocation[0].config.kmsKeyId=$BACKUP_KEY" \
    --set-string "configuration.volumeSnapshotLocation[0].config.region=$REGION" \
    --set-string "serviceAccount.server.annotations.eks\.amazonaws\.com/role-arn=$VELERO_ROLE"

# Strimzi watches only namespace kafka and creates its RoleBindings there at install time, so the application
# namespaces (with their Pod Security labels, owned by apps/) must exist first. Applying them is idempotent;
# apps/deploy_apps.sh applies the same objects again.
kubectl apply -f "$PLATFORM_ROOT/apps/base/namespaces.yaml"
helm_install strimzi "$STRIMZI_NAMESPACE" "$STRIMZI_CHART" "$STRIMZI_VERSION" ""

helm_install pgo "$PGO_NAMESPACE" "$PGO_CHART" "$PGO_VERSION" ""

# Traces and logs (platform/manifests; images pinned in versions.env): Tempo receives the apps' spans, Loki their
# logs (shipped by Alloy, which needs namespace apps for its Role), Grafana links a log line's trace_id to Tempo.
for manifest in tempo loki alloy; do
    log "$manifest -> $OBSERVABILITY_NAMESPACE"
    kubectl apply -f "$PLATFORM_ROOT/platform/manifests/$manifest.yaml"
done
for manifest in tempo loki alloy; do
    kubectl -n "$OBSERVABILITY_NAMESPACE" rollout status "deployment/$manifest" --timeout "$HELM_TIMEOUT"
done

# 4. What the apps rely on, checked once more now that everything is installed.
for crd in kafkas.kafka.strimzi.io kafkanodepools.kafka.strimzi.io kafkatopics.kafka.strimzi.io \
    postgresclusters.postgres-operator.crunchydata.com scaledobjects.keda.sh \
    servicemonitors.monitoring.coreos.com podmonitors.monitoring.coreos.com; do
    kubectl get crd "$crd" >/dev/null || die "CRD $crd is missing after the install"
done
kubectl get ingressclass alb >/dev/null || die "IngressClass alb is missing (AWS Load Balancer Controller)"

log "platform installed on $CLUSTER ($REGION). Next: apps/deploy_apps.sh after"
