#!/usr/bin/env bash
# Shared helpers for install_platform.sh, uninstall_platform.sh, apps/deploy_apps.sh and apps/fuzz/run.sh. Sourced,
# not run.
# shellcheck disable=SC2034 # variables are used by the scripts that source this file

PLATFORM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
    echo "error: $*" >&2
    exit 1
}

log() {
    echo "==> $*" >&2
}

# version_of TOOL: prints the bare version (1.2.3) of an installed tool.
version_of() {
    case $1 in
        terraform) terraform version -json | jq -r .terraform_version ;;
        helm) helm version --template '{{.Version}}' | sed 's/^v//' ;;
        kubectl) kubectl version --client -o json | jq -r .clientVersion.gitVersion | sed 's/^v//' ;;
        aws) aws --version 2>&1 | sed -n 's|^aws-cli/\([0-9.]*\).*|\1|p' ;;
        jq) jq --version | sed 's/^jq-//' ;;
        velero) velero version --client-only 2>/dev/null | sed -n 's/^[[:space:]]*Version: v\{0,1\}\([0-9.]*\).*/\1/p' | head -n1 ;;
        *) die "no version probe for $1" ;;
    esac
}

# require_tools TOOL...: each must be on PATH at a version tools/versions.md pins (exactly; a comma-separated
# list pins several). REPLICASAFE_ALLOW_TOOL_VERSIONS=1 makes a different version a warning instead.
require_tools() {
    local tool pinned actual
    command -v jq >/dev/null 2>&1 || die "jq is not installed (see tools/versions.md)"
    for tool in "$@"; do
        pinned=$(awk -v t="$tool" '/^```tools/{f=1;next} /^```/{f=0} f && $1==t {print $2}' \
            "$PLATFORM_ROOT/tools/versions.md")
        [ -n "$pinned" ] || die "tools/versions.md has no pin for $tool"
        command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (pinned: $pinned, see tools/versions.md)"
        actual=$(version_of "$tool") || die "cannot read the version of $tool"
        [ -n "$actual" ] || die "cannot read the version of $tool"
        if [[ ",$pinned," != *",$actual,"* ]]; then
            if [ "${REPLICASAFE_ALLOW_TOOL_VERSIONS:-0}" = 1 ]; then
                log "warning: $tool $actual is not the pinned $pinned (REPLICASAFE_ALLOW_TOOL_VERSIONS=1)"
            else
                die "$tool $actual is not the pinned version $pinned (tools/versions.md; install it, e.g. mise install, or set REPLICASAFE_ALLOW_TOOL_VERSIONS=1 to try anyway)"
            fi
        fi
        log "$tool $actual (pinned $pinned)"
    done
}

# load_outputs [FILE]: reads `terraform output -json` (from FILE, or by running terraform in infra/) into
# TF_OUTPUTS, a JSON document.
load_outputs() {
    if [ -n "${1:-}" ]; then
        [ -f "$1" ] || die "Terraform outputs file $1 not found"
        TF_OUTPUTS=$(cat "$1")
    else
        TF_OUTPUTS=$(terraform -chdir="$PLATFORM_ROOT/infra" output -json) ||
            die "terraform output failed: run 'terraform -chdir=infra apply' first, or pass --outputs FILE"
    fi
    jq -e 'type == "object"' >/dev/null 2>&1 <<<"$TF_OUTPUTS" || die "Terraform outputs are not a JSON object"
}

# tf_output NAME: one output value (string), or a clear error when it is missing.
tf_output() {
    local value
    value=$(jq -er --arg k "$1" '.[$k].value // empty | tostring' <<<"$TF_OUTPUTS") ||
        die "Terraform output '$1' is missing (is infra/ applied and up to date?)"
    printf '%s' "$value"
}

# use_cluster: writes the kubeconfig entry with the exact command Terraform printed and checks the context.
use_cluster() {
    local command cluster
    command=$(tf_output kubeconfig_command)
    cluster=$(tf_output cluster_name)
    [[ $command == "aws eks update-kubeconfig "* ]] || die "unexpected kubeconfig_command: $command"
    log "$command"
    read -r -a argv <<<"$command"
    "${argv[@]}" >/dev/null || die "aws eks update-kubeconfig failed (credentials for the account?)"
    kubectl config current-context | grep -q "$cluster" ||
        die "kubectl context $(kubectl config current-context) is not cluster $cluster"
    kubectl version -o json >/dev/null 2>&1 || die "cannot reach the API of $cluster"
}

# open_cluster_session OUTPUTS_FILE SKIP_KUBECONFIG: the opening of the scripts that act on the cluster
# (apps/deploy_apps.sh, apps/fuzz/run.sh): aws, kubectl and jq at their pins (terraform too when the outputs
# come from infra/ rather than OUTPUTS_FILE), the Terraform outputs, the kubeconfig entry unless SKIP_KUBECONFIG
# is 1. Sets work, a temporary directory removed when the script exits.
open_cluster_session() {
    local tools=(aws kubectl jq)
    [ -n "$1" ] || tools+=(terraform)
    require_tools "${tools[@]}"
    load_outputs "$1"
    [ "$2" = 1 ] || use_cluster
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
}

# write_render_env FILE REGISTRY TAG: the keys of apps/environments/example.env that every apps/render.sh
# target needs, from the Terraform outputs; REGISTRY and TAG default to the output image_registry and the
# example's IMAGE_TAG. Refuses the placeholder account. The caller appends its target's own keys.
write_render_env() {
    local file=$1 registry=$2 tag=$3 region db_bucket velero_bucket role_arn
    # Values are read into variables first: a failing $(...) inside the heredoc would not stop the script.
    region=$(tf_output region)
    db_bucket=$(tf_output db_backup_bucket)
    velero_bucket=$(tf_output velero_bucket)
    role_arn=$(tf_output db_backup_role_arn)
    [[ $role_arn != *":000000000000:"* ]] || die "db_backup_role_arn is the placeholder account; apply infra/ first"
    [ -n "$registry" ] || registry=$(tf_output image_registry)
    [ -n "$tag" ] || tag=$(sed -n 's/^IMAGE_TAG=//p' "$PLATFORM_ROOT/apps/environments/example.env")
    [[ $registry != *"000000000000"* ]] || die "image registry $registry is the placeholder account"
    cat >"$file" <<ENV
AWS_REGION=$region
DB_BACKUP_BUCKET=$db_bucket
DB_BACKUP_ROLE_ARN=$role_arn
VELERO_BUCKET=$velero_bucket
IMAGE_REGISTRY=$registry
IMAGE_TAG=$tag
ENV
}

# image_exists REPOSITORY TAG: whether REPOSITORY:TAG can be pulled (aws ecr describe-images for ECR; the OCI
# distribution API with an anonymous pull token otherwise: public GHCR, Docker Hub, ...).
image_exists() {
    local repository=$1 tag=$2 host path token=""
    host=${repository%%/*}
    path=${repository#*/}
    if [[ $host =~ ^[0-9]{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$ ]]; then
        aws ecr describe-images --region "${BASH_REMATCH[1]}" --repository-name "$path" \
            --image-ids "imageTag=$tag" >/dev/null 2>&1
    else
        token=$(curl -fsS "https://$host/token?scope=repository:$path:pull" 2>/dev/null | jq -r '.token // empty') || true
        curl -fsS -o /dev/null ${token:+-H "Authorization: Bearer $token"} \
            -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
            "https://$host/v2/$path/manifests/$tag"
    fi
}

# require_images ENV_FILE NAME...: each image IMAGE_REGISTRY/NAME:IMAGE_TAG of the environment file exists, before
# anything is applied: a missing image fails here, not as a 15-minute ImagePullBackOff.
require_images() {
    local env_file=$1 registry tag name
    shift
    registry=$(sed -n 's/^IMAGE_REGISTRY=//p' "$env_file")
    tag=$(sed -n 's/^IMAGE_TAG=//p' "$env_file")
    for name in "$@"; do
        image_exists "$registry/$name" "$tag" ||
            die "image $registry/$name:$tag not found (or not readable with these credentials): build and push it (.github/workflows/images.yml), or pass --registry/--tag of an existing one"
        log "image $registry/$name:$tag exists"
    done
}
