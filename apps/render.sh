#!/usr/bin/env bash
# Renders what gets applied to the cluster, to stdout:
#   apps/render.sh before|after ENV_FILE   the overlay plus the environment's values (bucket, role, region, images)
#   apps/render.sh load ENV_FILE           the k6 Jobs plus ConfigMap k6-scripts built from checks/load/*.js
#   apps/render.sh fuzz ENV_FILE           the fuzzing fleet (apps/fuzz) with its role, bucket, region and tag
#
# Kustomize refuses to read files outside a kustomization's root, and the environment's values must not be
# committed into the overlays. So this writes a throw-away kustomization under .local/ that uses the overlay
# (or apps/load) as a base, adds the ConfigMap from copies of checks/load/*.js, and patches in the environment.
# make lint renders with apps/environments/example.env; apps/deploy_apps.sh with the Terraform outputs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() { echo "usage: apps/render.sh before|after|load|fuzz ENV_FILE" >&2; exit 2; }
[ $# -eq 2 ] || usage
target=$1
env_file=$2
[ -f "$env_file" ] || { echo "render: environment file $env_file not found" >&2; exit 2; }

# Values come from the env file; nothing from the caller's environment leaks in.
AWS_REGION='' DB_BACKUP_BUCKET='' DB_BACKUP_ROLE_ARN='' VELERO_BUCKET='' IMAGE_REGISTRY='' IMAGE_TAG='' ACM_CERTIFICATE_ARN='' FUZZ_ROLE_ARN=''
FUZZ_EGRESS_CIDRS='' STS_ENDPOINT_URL=''
INGRESS_ALLOWED_CIDRS='' WAF_WEB_ACL_ARN='' ALLOW_PLAIN_HTTP=0
# shellcheck source=/dev/null
. "$env_file"
for key in AWS_REGION DB_BACKUP_BUCKET DB_BACKUP_ROLE_ARN VELERO_BUCKET IMAGE_REGISTRY IMAGE_TAG; do
    [ -n "${!key}" ] || { echo "render: $key is empty in $env_file" >&2; exit 2; }
done
[[ $AWS_REGION =~ ^[a-z]{2}(-[a-z]+)+-[0-9]$ ]] || { echo "render: AWS_REGION '$AWS_REGION' is not a region" >&2; exit 2; }
[[ $DB_BACKUP_ROLE_ARN =~ ^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$ ]] || { echo "render: DB_BACKUP_ROLE_ARN '$DB_BACKUP_ROLE_ARN' is not a role ARN" >&2; exit 2; }
[[ $IMAGE_REGISTRY =~ ^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$ ]] || { echo "render: IMAGE_REGISTRY '$IMAGE_REGISTRY' is not a registry path (host[/path])" >&2; exit 2; }
[[ $IMAGE_TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "render: IMAGE_TAG '$IMAGE_TAG' is not an image tag" >&2; exit 2; }
for key in DB_BACKUP_BUCKET VELERO_BUCKET; do
    [[ ${!key} =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || { echo "render: $key '${!key}' is not a bucket name" >&2; exit 2; }
done

# The api's Ingress: HTTPS unless plain HTTP is allowed explicitly; the admitted CIDRs always (comma-separated).
if [ "$target" = before ] || [ "$target" = after ]; then
    [[ $INGRESS_ALLOWED_CIDRS =~ ^[0-9./]+(,[0-9./]+)*$ ]] ||
        { echo "render: INGRESS_ALLOWED_CIDRS '$INGRESS_ALLOWED_CIDRS' is not a comma-separated CIDR list" >&2; exit 2; }
    if [ -z "$ACM_CERTIFICATE_ARN" ] && [ "$ALLOW_PLAIN_HTTP" != 1 ]; then
        echo "render: no ACM_CERTIFICATE_ARN: the api would be plain HTTP; set ALLOW_PLAIN_HTTP=1 to mean it" >&2
        exit 2
    fi
    [ -z "$ACM_CERTIFICATE_ARN" ] || [[ $ACM_CERTIFICATE_ARN =~ ^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$ ]] ||
        { echo "render: ACM_CERTIFICATE_ARN '$ACM_CERTIFICATE_ARN' is not an ACM certificate ARN" >&2; exit 2; }
    [ -z "$WAF_WEB_ACL_ARN" ] || [[ $WAF_WEB_ACL_ARN =~ ^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/.+$ ]] ||
        { echo "render: WAF_WEB_ACL_ARN '$WAF_WEB_ACL_ARN' is not a regional WAFv2 web ACL ARN" >&2; exit 2; }
fi

case $target in
    before | after) base="apps/overlays/$target" ;;
    load) base="apps/load" ;;
    fuzz)
        base="apps/fuzz"
        [[ $FUZZ_ROLE_ARN =~ ^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$ ]] || { echo "render: FUZZ_ROLE_ARN '$FUZZ_ROLE_ARN' is not a role ARN" >&2; exit 2; }
        [[ $STS_ENDPOINT_URL =~ ^https://vpce-[a-z0-9-]+\.[a-z0-9.-]+$ ]] ||
            { echo "render: STS_ENDPOINT_URL '$STS_ENDPOINT_URL' is not a VPC endpoint URL (Terraform output sts_endpoint_url)" >&2; exit 2; }
        # The fleet's only egress besides DNS: addresses, never a catch-all (a prefix shorter than /8).
        [[ $FUZZ_EGRESS_CIDRS =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+(,[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+)*$ ]] ||
            { echo "render: FUZZ_EGRESS_CIDRS '$FUZZ_EGRESS_CIDRS' is not a comma-separated CIDR list (Terraform output fuzz_egress_cidrs)" >&2; exit 2; }
        egress_blocks=""
        for cidr in ${FUZZ_EGRESS_CIDRS//,/ }; do
            [ "${cidr#*/}" -ge 8 ] || { echo "render: FUZZ_EGRESS_CIDRS holds $cidr: the fuzzing pods may reach S3 and STS only, not a range that wide" >&2; exit 2; }
            egress_blocks+="{\"ipBlock\": {\"cidr\": \"$cidr\"}}, "
        done ;;
    *) usage ;;
esac

# The versioned kubectl beside the dispatcher renders without trying to reach a cluster (tooling note);
# plain kubectl, or the PyPI wheel's kubectl installed by `make deps` (scripts/deps/install.py), otherwise.
kustomize_cmd() {
    local real
    real=$(readlink -f "$(command -v kubectl 2>/dev/null || true)" 2>/dev/null || true)
    if [ -n "$real" ] && [ -x "$(dirname "$real")/kubectl.1.32" ]; then
        "$(dirname "$real")/kubectl.1.32" kustomize "$@"
    elif command -v kubectl >/dev/null 2>&1; then
        kubectl kustomize "$@"
    elif [ -x "${PLATFORM_VENVS:-$ROOT/.local/venvs}/kubectl/bin/kubectl" ]; then
        "${PLATFORM_VENVS:-$ROOT/.local/venvs}/kubectl/bin/kubectl" kustomize "$@"
    else
        echo "render: no kubectl found (run make deps)" >&2
        exit 3
    fi
}

mkdir -p "$ROOT/.local"
work=$(mktemp -d "$ROOT/.local/render.XXXXXX")
trap 'rm -rf "$work"' EXIT

{
    echo "apiVersion: kustomize.config.k8s.io/v1beta1"
    echo "kind: Kustomization"
    echo "resources:"
    echo "  - $(realpath --relative-to="$work" "$ROOT/$base")"
} > "$work/kustomization.yaml"

if [ "$target" = load ]; then
    mkdir "$work/scripts"
    for script in api-load lag-burst; do
        src="$ROOT/checks/load/$script.js"
        [ -f "$src" ] || { echo "render: $src is missing (the k6 Job k6-$script mounts it)" >&2; exit 4; }
        cp "$src" "$work/scripts/"
    done
    cat >> "$work/kustomization.yaml" <<YAML
configMapGenerator:
  - name: k6-scripts
    namespace: apps
    files:
      - scripts/api-load.js
      - scripts/lag-burst.js
YAML
elif [ "$target" = fuzz ]; then
    cat >> "$work/kustomization.yaml" <<YAML
images:
  - name: replicasafe/sim
    newName: "$IMAGE_REGISTRY/sim"
    newTag: "$IMAGE_TAG"
patches:
  - target:
      kind: ServiceAccount
      name: sim-fuzz
    patch: |-
      - op: replace
        path: /metadata/annotations/eks.amazonaws.com~1role-arn
        value: "$FUZZ_ROLE_ARN"
  - target:
      kind: ConfigMap
      name: sim-fuzz-target
    patch: |-
      - op: replace
        path: /data
        value:
          RESULTS_BUCKET: "$DB_BACKUP_BUCKET"
          AWS_REGION: "$AWS_REGION"
          AWS_DEFAULT_REGION: "$AWS_REGION"
          AWS_ENDPOINT_URL_STS: "$STS_ENDPOINT_URL"
          AWS_STS_REGIONAL_ENDPOINTS: regional
  - target:
      kind: NetworkPolicy
      name: sim-fuzz-aws
    patch: |-
      - op: test
        path: /spec/egress/0/ports
        value: [{"protocol": "TCP", "port": 443}]
      - op: replace
        path: /spec/egress/0/to
        value: [${egress_blocks%, }]
YAML
else
    # The schema and the grants the ledger-schema Job applies (apps/base/postgres/schema-job.yaml).
    mkdir "$work/db"
    for sql in schema grants; do
        [ -f "$ROOT/db/$sql.sql" ] || { echo "render: db/$sql.sql is missing (the ledger-schema Job applies it)" >&2; exit 4; }
        cp "$ROOT/db/$sql.sql" "$work/db/"
    done
    cat >> "$work/kustomization.yaml" <<YAML
configMapGenerator:
  - name: ledger-schema-sql
    namespace: postgres
    files:
      - db/schema.sql
      - db/grants.sql
    options:
      disableNameSuffixHash: true
images:
  - name: replicasafe/api
    newName: "$IMAGE_REGISTRY/api"
    newTag: "$IMAGE_TAG"
  - name: replicasafe/worker
    newName: "$IMAGE_REGISTRY/worker"
    newTag: "$IMAGE_TAG"
patches:
  - target:
      group: postgres-operator.crunchydata.com
      kind: PostgresCluster
      name: ledger
    patch: |-
      - op: replace
        path: /spec/metadata/annotations/eks.amazonaws.com~1role-arn
        value: "$DB_BACKUP_ROLE_ARN"
      - op: test
        path: /spec/backups/pgbackrest/repos/0/name
        value: repo1
      - op: replace
        path: /spec/backups/pgbackrest/repos/0/s3
        value:
          bucket: "$DB_BACKUP_BUCKET"
          endpoint: "s3.$AWS_REGION.amazonaws.com"
          region: "$AWS_REGION"
  # Velero's location for the application backups (apps/base/observability, operations area); a patch whose
  # target is absent changes nothing.
  - target:
      group: velero.io
      kind: BackupStorageLocation
      name: replicasafe
    patch: |-
      - op: replace
        path: /spec/objectStorage/bucket
        value: "$VELERO_BUCKET"
      - op: replace
        path: /spec/config/region
        value: "$AWS_REGION"
YAML
    cat >> "$work/kustomization.yaml" <<YAML
  - target:
      group: networking.k8s.io
      kind: Ingress
      name: api
    patch: |-
      - op: replace
        path: /metadata/annotations/alb.ingress.kubernetes.io~1inbound-cidrs
        value: "$INGRESS_ALLOWED_CIDRS"
YAML
    if [ -n "$ACM_CERTIFICATE_ARN" ]; then
        cat >> "$work/kustomization.yaml" <<YAML
      - op: replace
        path: /metadata/annotations/alb.ingress.kubernetes.io~1certificate-arn
        value: "$ACM_CERTIFICATE_ARN"
YAML
    else
        cat >> "$work/kustomization.yaml" <<YAML
      - op: replace
        path: /metadata/annotations/alb.ingress.kubernetes.io~1listen-ports
        value: '[{"HTTP": 80}]'
      - op: remove
        path: /metadata/annotations/alb.ingress.kubernetes.io~1certificate-arn
      - op: remove
        path: /metadata/annotations/alb.ingress.kubernetes.io~1ssl-redirect
      - op: remove
        path: /metadata/annotations/alb.ingress.kubernetes.io~1ssl-policy
      - op: add
        path: /metadata/annotations/replicasafe.io~1plain-http
        value: "allowed by ALLOW_PLAIN_HTTP=1"
YAML
    fi
    if [ -n "$WAF_WEB_ACL_ARN" ]; then
        cat >> "$work/kustomization.yaml" <<YAML
      - op: add
        path: /metadata/annotations/alb.ingress.kubernetes.io~1wafv2-acl-arn
        value: "$WAF_WEB_ACL_ARN"
YAML
    fi
fi

kustomize_cmd "$work"
