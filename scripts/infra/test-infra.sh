#!/usr/bin/env bash
# make test-infra: infra/ applied to an AWS API emulator (moto, installed by make deps), offline.
#
#   scripts/infra/test-infra.sh [test|replan]...   (default: both, in that order)
#     test    `terraform test` (infra/tests/*.tftest.hcl): apply, assert what users rely on, destroy
#     replan  plain CLI on a copy with a local backend: apply, `plan -detailed-exitcode` must show no changes,
#             destroy, and the state must be empty afterwards
#
# moto listens on the first free port of TEST_INFRA_PORTS (default 15610-15639; 127.0.0.1 only) and is stopped on
# exit, also on failure. Two runs at once (make test-infra runs the planted-defect run beside the pristine one) take
# ranges of their own, so neither can pick the port the other's moto is still binding.
# Providers come from the filesystem mirror (scripts/infra/terraform-env.sh). Exit 0 only when every phase passed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/infra/terraform-env.sh
. "$ROOT/scripts/infra/terraform-env.sh"
VENVS=${PLATFORM_VENVS:-$ROOT/.local/venvs}
MOTO=$VENVS/moto/bin/moto_server
OUT=$ROOT/.local/test-infra
phases=("$@")
[ ${#phases[@]} -gt 0 ] || phases=(test replan)

[ -x "$MOTO" ] || { echo "test-infra: $MOTO missing: run make deps" >&2; exit 2; }
tf_check_version
command -v curl >/dev/null || { echo "test-infra: curl missing" >&2; exit 2; }
echo "test-infra: $TF_MIRROR_NOTE"
mkdir -p "$OUT"
work=$(mktemp -d "$OUT/run.XXXXXX")
moto_pid=""
cleanup() {
    # The logs of the last run stay in .local/test-infra/last/ for a look after a failure.
    rm -rf "$OUT/last"
    mkdir -p "$OUT/last"
    cp "$work"/*.log "$OUT/last/" 2>/dev/null || true
    [ -z "$moto_pid" ] || kill "$moto_pid" 2>/dev/null || true
    [ -z "$moto_pid" ] || wait "$moto_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ports=${TEST_INFRA_PORTS:-15610-15639}
[[ "$ports" =~ ^[0-9]+-[0-9]+$ ]] || { echo "test-infra: TEST_INFRA_PORTS must be FIRST-LAST, got '$ports'" >&2; exit 2; }
port=""
for candidate in $(seq "${ports%-*}" "${ports#*-}"); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || { echo "test-infra: no free port in $ports" >&2; exit 1; }
endpoint=http://127.0.0.1:$port
# Managed policies loaded: attachments of AWS managed policies (AmazonEKSClusterPolicy, ...) must resolve.
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$MOTO" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
deadline=$((SECONDS + 60))
until curl -fsS "$endpoint/moto-api/" >/dev/null 2>&1; do
    kill -0 "$moto_pid" 2>/dev/null || { echo "test-infra: moto exited:" >&2; tail -5 "$work/moto.log" >&2; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "test-infra: moto not answering on $endpoint after 60 s" >&2; exit 1; }
    sleep 0.5
done
echo "test-infra: moto on $endpoint"
export AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
reset_moto() { curl -fsS -X POST "$endpoint/moto-api/reset" >/dev/null; }

phase_test() {
    terraform -chdir="$ROOT/infra" init -backend=false -input=false >"$work/init.log" 2>&1 ||
        { cat "$work/init.log"; return 1; }
    terraform -chdir="$ROOT/infra" test -no-color -var-file=tests/emulator.tfvars
}

# A copy of infra/ for the plain CLI, with a local backend and the emulator's provider settings.
write_emulator_copy() {
    local copy=$1
    mkdir -p "$copy"
    (cd "$ROOT/infra" && find . -name '*.tf' -not -path './bootstrap/*' -not -path './.terraform/*' -print0 |
        xargs -0 cp --parents -t "$copy")
    cat >"$copy/emulator_override.tf" <<'TF'
terraform {
  backend "local" {}
}

provider "aws" {
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  max_retries                 = 3
}
TF
    cp "$ROOT/infra/tests/emulator.tfvars" "$copy/emulator.tfvars"
}

phase_replan() {
    local copy=$work/replan rc=0
    write_emulator_copy "$copy"
    terraform -chdir="$copy" init -input=false >"$work/replan-init.log" 2>&1 || { cat "$work/replan-init.log"; return 1; }
    echo "replan: apply"
    terraform -chdir="$copy" apply -no-color -auto-approve -var-file=emulator.tfvars >"$work/apply.log" 2>&1 ||
        { tail -40 "$work/apply.log"; return 1; }
    grep -E '^Apply complete' "$work/apply.log"
    echo "replan: plan (must show no changes)"
    terraform -chdir="$copy" plan -no-color -detailed-exitcode -var-file=emulator.tfvars >"$work/plan.log" 2>&1 || rc=$?
    if [ "$rc" = 0 ]; then
        grep -E '^No changes' "$work/plan.log"
    else
        grep -E '^\s+[~+-]|^\s+# |^Plan:|Error' "$work/plan.log" | head -40
        echo "replan: FAILED: the plan right after apply is not empty (exit $rc): a resource does not converge"
    fi
    echo "replan: destroy"
    terraform -chdir="$copy" destroy -no-color -auto-approve -var-file=emulator.tfvars >"$work/destroy.log" 2>&1 ||
        { tail -40 "$work/destroy.log"; return 1; }
    grep -E '^Destroy complete' "$work/destroy.log"
    left=$(terraform -chdir="$copy" state list | wc -l)
    [ "$left" = 0 ] || { echo "replan: FAILED: $left resources left in the state after destroy"; return 1; }
    return "$rc"
}

failed=()
for phase in "${phases[@]}"; do
    started=$SECONDS
    reset_moto
    case $phase in
        test) phase_test || failed+=(test) ;;
        replan) phase_replan || failed+=(replan) ;;
        *) echo "test-infra: unknown phase $phase (test, replan)" >&2; exit 2 ;;
    esac
    echo "test-infra: phase $phase took $((SECONDS - started)) s"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "test-infra: FAILED (${failed[*]})"
    exit 1
fi
echo "test-infra: passed (${phases[*]})"
