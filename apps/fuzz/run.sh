#!/usr/bin/env bash
# Runs the fuzzing fleet on the EKS cluster and prints the merged report.
#
#   apps/fuzz/run.sh [--outputs FILE] [--skip-kubeconfig] [--image-tag TAG]
#   apps/fuzz/run.sh --delete [--outputs FILE] [--skip-kubeconfig]
#
# 1. renders apps/fuzz with the account's values from the Terraform outputs (role sim_fuzz_role_arn, bucket
#    db_backup_bucket, region, the pods' only egress fuzz_egress_cidrs and the STS endpoint sts_endpoint_url)
#    and the parameters in apps/fuzz/params.env (seeds, shards, parallelism, RUN_ID);
# 2. applies it: the Indexed Job sim-fuzz starts, the merge Job sim-fuzz-merge is created suspended;
# 3. waits until sim-fuzz is Complete (no seed failed) or Failed (failed indexes: seeds that broke an
#    invariant, whose results are uploaded; or an index that kept failing for infrastructure reasons);
# 4. resumes sim-fuzz-merge, waits for it and prints its log: the whole range's report and every failing seed
#    with its reproducer. Exit status 0 when the merge Job completed (no seed failed), 1 otherwise (failing
#    seeds, or a shard missing: the log says which).
# A second run needs a new RUN_ID (the results prefix) and the old Jobs gone (--delete; Jobs are immutable).
# Environment: TIMEOUT_SECONDS (default 21600, the sweep Job's activeDeadlineSeconds) bounds each wait;
# IMAGE_REGISTRY (default: Terraform output image_registry) holds the sim image, built from docker/sim.Dockerfile
# by .github/workflows/images.yml; IMAGE_TAG (or --image-tag) picks it. The image must exist before anything is
# applied.
set -euo pipefail
# shellcheck source=platform/lib.sh
. "$(dirname "$0")/../../platform/lib.sh"
NAMESPACE=replicasafe-fuzz
TIMEOUT_SECONDS=${TIMEOUT_SECONDS:-21600}

mode=run
outputs_file=""
skip_kubeconfig=0
image_tag=${IMAGE_TAG:-}
while [ $# -gt 0 ]; do
    case $1 in
        --delete) mode=delete; shift ;;
        --outputs) outputs_file=${2:?--outputs needs a file}; shift 2 ;;
        --skip-kubeconfig) skip_kubeconfig=1; shift ;;
        --image-tag) image_tag=${2:?--image-tag needs a tag}; shift 2 ;;
        -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

open_cluster_session "$outputs_file" "$skip_kubeconfig"
write_render_env "$work/env" "${IMAGE_REGISTRY:-}" "$image_tag"
role_arn=$(tf_output sim_fuzz_role_arn)
[[ $role_arn != *":000000000000:"* ]] || die "sim_fuzz_role_arn is the placeholder account; apply infra/ first"
egress_cidrs=$(tf_output fuzz_egress_cidrs | jq -er 'join(",")') || die "Terraform output fuzz_egress_cidrs is not a list of CIDRs"
sts_endpoint=$(tf_output sts_endpoint_url)
cat >>"$work/env" <<ENV
FUZZ_ROLE_ARN=$role_arn
FUZZ_EGRESS_CIDRS=$egress_cidrs
STS_ENDPOINT_URL=$sts_endpoint
ENV
bucket=$(sed -n 's/^DB_BACKUP_BUCKET=//p' "$work/env")
"$PLATFORM_ROOT/apps/render.sh" fuzz "$work/env" >"$work/fuzz.yaml"

if [ "$mode" = delete ]; then
    kubectl delete -f "$work/fuzz.yaml" --ignore-not-found --wait
    exit 0
fi

if kubectl get job sim-fuzz -n "$NAMESPACE" >/dev/null 2>&1; then
    die "Job $NAMESPACE/sim-fuzz exists: set a new RUN_ID in apps/fuzz/params.env and run apps/fuzz/run.sh --delete first"
fi
run_id=$(sed -n 's/^RUN_ID=//p' "$PLATFORM_ROOT/apps/fuzz/params.env")
if aws s3 ls "s3://$bucket/fuzz/$run_id/" >/dev/null 2>&1; then
    die "s3://$bucket/fuzz/$run_id/ already holds results: choose a new RUN_ID in apps/fuzz/params.env"
fi
require_images "$work/env" sim
kubectl apply -f "$work/fuzz.yaml"

# finished JOB: waits (bounded) until the Job has a true Complete or Failed condition; prints which.
finished() {
    local deadline=$((SECONDS + TIMEOUT_SECONDS)) state
    while [ "$SECONDS" -lt "$deadline" ]; do
        state=$(kubectl get job "$1" -n "$NAMESPACE" \
            -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
        case " $state " in
            *" Complete "*) echo Complete; return 0 ;;
            *" Failed "*) echo Failed; return 0 ;;
        esac
        sleep 15
    done
    die "Job $1 did not finish within $TIMEOUT_SECONDS s"
}

log "sweep: waiting for Job sim-fuzz ($(sed -n 's/^SHARDS=//p' "$PLATFORM_ROOT/apps/fuzz/params.env") shards)"
sweep=$(finished sim-fuzz)
failed_indexes=$(kubectl get job sim-fuzz -n "$NAMESPACE" -o jsonpath='{.status.failedIndexes}')
log "sweep: $sweep${failed_indexes:+ (failed indexes: $failed_indexes)}"
kubectl patch job sim-fuzz-merge -n "$NAMESPACE" --type merge -p '{"spec":{"suspend":false}}'
merge=$(finished sim-fuzz-merge)
kubectl logs job/sim-fuzz-merge -n "$NAMESPACE" -c merge
log "merge: $merge"
[ "$merge" = Complete ]
