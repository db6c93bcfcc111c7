#!/usr/bin/env bash
# Sourced by the Terraform scripts: where the hashicorp/aws provider comes from, and the CLI pin.
#
#   TF_PROVIDER_MIRROR  a filesystem mirror holding registry.terraform.io/hashicorp/aws/<version>/<os_arch>
#                       (default: the first of /opt/tf-plugins, ~/.terraform.d/plugins, /usr/share/terraform/plugins
#                       that holds the aws provider). Empty or absent: providers come from the registry.
#
# Writes a CLI configuration under .local/terraform/ that installs hashicorp/* from the mirror only (nothing from
# the network) and exports TF_CLI_CONFIG_FILE, so plain `terraform init` works offline. A repository-local
# .terraformrc is never read by Terraform, hence the file and the variable.
# shellcheck disable=SC2034 # TF_MIRROR_NOTE is read by the scripts that source this file

tf_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

tf_discover_mirror() {
    local candidate
    for candidate in /opt/tf-plugins "$HOME/.terraform.d/plugins" /usr/share/terraform/plugins; do
        if compgen -G "$candidate/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*" >/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 0
}

TF_PROVIDER_MIRROR=${TF_PROVIDER_MIRROR-$(tf_discover_mirror)}
if [ -n "$TF_PROVIDER_MIRROR" ]; then
    [ -d "$TF_PROVIDER_MIRROR/registry.terraform.io/hashicorp/aws" ] || {
        echo "terraform: TF_PROVIDER_MIRROR=$TF_PROVIDER_MIRROR has no registry.terraform.io/hashicorp/aws" >&2
        exit 2
    }
    mkdir -p "$tf_root/.local/terraform"
    export TF_CLI_CONFIG_FILE="$tf_root/.local/terraform/mirror.tfrc"
    cat >"$TF_CLI_CONFIG_FILE" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$TF_PROVIDER_MIRROR"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
TFRC
    TF_MIRROR_NOTE="providers from the mirror $TF_PROVIDER_MIRROR (TF_PROVIDER_MIRROR)"
else
    TF_MIRROR_NOTE="providers from the registry (no mirror found; set TF_PROVIDER_MIRROR to use one)"
fi
export TF_IN_AUTOMATION=1 TF_INPUT=0

# tf_check_version: the CLI must be the version tools/versions.md pins, exactly.
tf_check_version() {
    local pinned actual
    command -v terraform >/dev/null 2>&1 || { echo "terraform: not installed (tools/versions.md pins it)" >&2; return 2; }
    pinned=$(awk '/^```tools/{f=1;next} /^```/{f=0} f && $1=="terraform" {print $2}' "$tf_root/tools/versions.md")
    actual=$(terraform version -json | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')
    if [[ ",$pinned," != *",$actual,"* ]]; then
        echo "terraform: version $actual is not the pinned $pinned (tools/versions.md; REPLICASAFE_ALLOW_TOOL_VERSIONS=1 to try anyway)" >&2
        [ "${REPLICASAFE_ALLOW_TOOL_VERSIONS:-0}" = 1 ] || return 2
    fi
}
