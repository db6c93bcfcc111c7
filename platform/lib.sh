#!/usr/bin/env bash
# Shared helpers for install_platform.sh, uninstall_platform.sh and apps/deploy_apps.sh. Sourced, not run.
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
