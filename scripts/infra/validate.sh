#!/usr/bin/env bash
# `terraform fmt -check`, `init` and `validate` for infra/ and infra/bootstrap/ (part of make lint).
# Offline against the provider mirror when there is one (scripts/infra/terraform-env.sh), the registry otherwise.
# `validate` checks every resource argument against the provider's schema, module inputs against the modules.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/infra/terraform-env.sh
. "$ROOT/scripts/infra/terraform-env.sh"
tf_check_version
echo "tfvalidate: terraform $(terraform version -json | jq -r .terraform_version), $TF_MIRROR_NOTE"
failed=0
if terraform fmt -check -recursive -diff "$ROOT/infra"; then
    echo "tfvalidate: fmt ok"
else
    echo "tfvalidate: FAILED terraform fmt -check (run terraform fmt -recursive infra)"
    failed=1
fi
for stack in infra infra/bootstrap; do
    log=$(mktemp)
    if ! terraform -chdir="$ROOT/$stack" init -backend=false -input=false -no-color >"$log" 2>&1; then
        grep -E 'Error|error' "$log" | head -20
        echo "tfvalidate: FAILED init $stack"
        failed=1
    elif terraform -chdir="$ROOT/$stack" validate -no-color >"$log" 2>&1; then
        echo "tfvalidate: $stack valid"
    else
        grep -vE '^\s*$' "$log" | head -40
        echo "tfvalidate: FAILED validate $stack"
        failed=1
    fi
    rm -f "$log"
done
exit $failed
