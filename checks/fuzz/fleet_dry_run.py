#!/usr/bin/env python3
"""Runs the fuzzing fleet's rendered Jobs (apps/fuzz) without a cluster: the very scripts of the pods, with the
real `sim`, a stand-in `aws` that stores objects in a directory, and Kubernetes' part played here: one pod per
completion index with JOB_COMPLETION_INDEX set, the ConfigMaps as environment, the podFailurePolicy rules
applied to the containers' exit codes as the Job controller applies them (first matching rule).

Checks:
  - the Job is an Indexed Job whose completions and parallelism are the SHARDS and PARALLELISM of params.env,
    with backoffLimitPerIndex, restartPolicy Never and the four failure rules in their order;
  - every index runs `sim sweep --shard INDEX/SHARDS`; an index that finds violations exits 1, its results are
    uploaded first, and the policy says FailIndex (not retried); a clean index succeeds;
  - a clean shard succeeds; an infrastructure failure (sim killed: 137) uploads nothing and is counted (retried); bad parameters
    (exit 2) fail the Job; a failed upload is counted even when sim found violations;
  - the merge Job downloads every shard and `sim merge` reports the same failing seeds as one sweep.

usage: fleet_dry_run.py --sim SIM --rendered FUZZ.yaml --params apps/fuzz/params.env --work DIR
"""

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys

import yaml

FAKE_AWS = """#!/bin/sh
# Stand-in for the AWS CLI: s3 cp [--only-show-errors] [--recursive] SRC DST with s3://BUCKET/KEY mapped to
# $FAKE_S3/BUCKET/KEY. FAKE_AWS_FAIL=1 makes every call fail, as a denied or unreachable S3 would.
echo "aws $*" >> "$FAKE_S3/calls.log"
[ "${FAKE_AWS_FAIL:-0}" = 1 ] && { echo "upload failed: AccessDenied" >&2; exit 1; }
[ "$1 $2" = "s3 cp" ] || { echo "fake aws: unsupported $*" >&2; exit 2; }
shift 2
recursive=0
while [ $# -gt 2 ]; do
    case $1 in --only-show-errors) ;; --recursive) recursive=1 ;; *) echo "fake aws: option $1" >&2; exit 2 ;; esac
    shift
done
src=$(printf '%s' "$1" | sed "s|^s3://|$FAKE_S3/|"); dst=$(printf '%s' "$2" | sed "s|^s3://|$FAKE_S3/|")
if [ "$recursive" = 1 ]; then mkdir -p "$dst" && cp -R "$src/." "$dst/"; else mkdir -p "$(dirname "$dst")" && cp "$src" "$dst"; fi
"""


def fail(message):
    print(f"fleet-dry-run: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def load(rendered):
    objects = [o for o in yaml.safe_load_all(open(rendered)) if o]
    by = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    return by


def policy_action(rules, exits, conditions=()):
    """The Job controller's choice for a failed pod: the first rule that matches, else Count."""
    for rule in rules:
        if "onPodConditions" in rule:
            if any(c["type"] in conditions for c in rule["onPodConditions"]):
                return rule["action"]
            continue
        codes = rule["onExitCodes"]
        code = exits.get(codes["containerName"])
        if code is None:
            continue
        if (code in codes["values"]) == (codes["operator"] == "In"):
            return rule["action"]
    return "Count"


def check_structure(job, params):
    spec = job["spec"]
    pod = spec["template"]["spec"]
    if spec.get("completionMode") != "Indexed":
        fail("the sweep Job is not an Indexed Job")
    if spec["completions"] != int(params["SHARDS"]) or spec["parallelism"] != int(params["PARALLELISM"]):
        fail(
            f"completions {spec['completions']} / parallelism {spec['parallelism']} are not SHARDS "
            f"{params['SHARDS']} / PARALLELISM {params['PARALLELISM']} of params.env"
        )
    if not spec.get("backoffLimitPerIndex") or pod.get("restartPolicy") != "Never":
        fail("backoffLimitPerIndex and restartPolicy Never are required for per-index retries")
    actions = [r["action"] for r in spec["podFailurePolicy"]["rules"]]
    if actions != ["Ignore", "FailJob", "Count", "FailIndex"]:
        fail(f"podFailurePolicy rules in order {actions}")
    script = next(c for c in pod["containers"] if c["name"] == "sim")["command"][-1]
    if '--shard "$JOB_COMPLETION_INDEX/$SHARDS"' not in script:
        fail("the sim container does not map JOB_COMPLETION_INDEX to --shard")


def environment(by, work, index, bin_dir):
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(work),
        "FAKE_S3": f"{work}/s3",
        "JOB_COMPLETION_INDEX": str(index),
    }
    for name in ("sim-fuzz-params", "sim-fuzz-target"):
        env.update(by[("ConfigMap", name)]["data"])
    return env


def run_pod(job, env, results, extra_env=None):
    """Runs the pod's two containers (sim, then upload, which waits for sim's exit status); their exit codes."""
    os.makedirs(results, exist_ok=True)
    containers = {
        c["name"]: c["command"][-1].replace("/results", results) for c in job["spec"]["template"]["spec"]["containers"]
    }
    env = dict(env, **(extra_env or {}))
    sim = subprocess.run(["sh", "-c", containers["sim"]], env=env, capture_output=True, text=True)
    upload = subprocess.run(["sh", "-c", containers["upload"]], env=env, capture_output=True, text=True, timeout=60)
    return {"sim": sim.returncode, "upload": upload.returncode}, sim.stdout + sim.stderr + upload.stdout + upload.stderr


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sim", required=True)
    parser.add_argument("--rendered", required=True)
    parser.add_argument("--params", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--seeds", default="1-120")
    parser.add_argument("--shards", default="4")
    args = parser.parse_args()
    params = dict(line.strip().split("=", 1) for line in open(args.params) if "=" in line)
    by = load(args.rendered)
    job, merge_job = by[("Job", "sim-fuzz")], by[("Job", "sim-fuzz-merge")]
    check_structure(job, params)
    rules = job["spec"]["podFailurePolicy"]["rules"]

    work = os.path.abspath(args.work)
    bin_dir = f"{work}/bin"
    os.makedirs(bin_dir)
    os.makedirs(f"{work}/s3")
    os.symlink(os.path.abspath(args.sim), f"{bin_dir}/sim")
    with open(f"{bin_dir}/aws", "w") as handle:
        handle.write(FAKE_AWS)
    os.chmod(f"{bin_dir}/aws", stat.S_IRWXU)

    # A small fleet: the seed range and shard count of this run, the rest as params.env has it, but in a
    # scenario where seeds fail (before mode, one replica, SIGKILLs), so every index has findings to upload.
    overrides = {"SEEDS": args.seeds, "SHARDS": args.shards, "MODE": "before", "REPLICAS": "1", "FAULTS": "kill"}
    shards = int(args.shards)
    outcomes = []
    for index in range(shards):
        env = environment(by, work, index, bin_dir)
        env.update(overrides)
        exits, log = run_pod(job, env, f"{work}/pod-{index}")
        action = "Succeeded" if exits == {"sim": 0, "upload": 0} else policy_action(rules, exits)
        outcomes.append(action)
        print(f"index {index}: sim exit {exits['sim']}, upload exit {exits['upload']} -> {action}")
        if exits["sim"] not in (0, 1) or exits["upload"] != 0:
            fail(f"index {index} did not run cleanly:\n{log}")
    bucket, run_id = by[("ConfigMap", "sim-fuzz-target")]["data"]["RESULTS_BUCKET"], params["RUN_ID"]
    uploaded = sorted(os.listdir(f"{work}/s3/{bucket}/fuzz/{run_id}"))
    if uploaded != sorted(f"shard-{i}-of-{shards}.jsonl" for i in range(shards)):
        fail(f"uploaded {uploaded}")
    if "FailIndex" not in outcomes:
        fail("no index found a violation: the scenario should fail in most seeds")

    # Infrastructure failures and bad parameters, through the same scripts.
    env = environment(by, work, 0, bin_dir)
    env.update(overrides)
    cases = [
        ("a clean shard", {"MODE": "after", "FAULTS": "none", "RUN_ID": "clean-run"}, "Succeeded"),
        ("sim killed (OOM, 137)", {"SIM_KILL": "1"}, "Count"),
        ("bad parameters (exit 2)", {"SEEDS": "9-1"}, "FailJob"),
        ("upload denied after a finding", {"FAKE_AWS_FAIL": "1"}, "Count"),
    ]
    killer = f"{work}/bin-kill"
    os.makedirs(killer)
    with open(f"{killer}/sim", "w") as handle:
        handle.write("#!/bin/sh\nkill -KILL $$\n")
    os.chmod(f"{killer}/sim", stat.S_IRWXU)
    for number, (name, extra, expected) in enumerate(cases):
        case_env = dict(env, **{k: v for k, v in extra.items() if k != "SIM_KILL"})
        if "SIM_KILL" in extra:
            case_env["PATH"] = f"{killer}:{case_env['PATH']}"
        before = set(os.listdir(f"{work}/s3/{bucket}/fuzz/{run_id}"))
        exits, log = run_pod(job, case_env, f"{work}/case-{number}")
        action = "Succeeded" if exits == {"sim": 0, "upload": 0} else policy_action(rules, exits)
        print(f"{name}: sim exit {exits['sim']}, upload exit {exits['upload']} -> {action}")
        if action != expected:
            fail(f"{name}: expected {expected}, got {action}\n{log}")
        if "SIM_KILL" in extra and set(os.listdir(f"{work}/s3/{bucket}/fuzz/{run_id}")) != before:
            fail(f"{name}: something was uploaded")

    # The merge Job: download every shard of RUN_ID, then its container's arguments.
    pod = merge_job["spec"]["template"]["spec"]
    merge_results = f"{work}/merge"
    download = pod["initContainers"][0]["command"][-1].replace("/results", merge_results)
    env = environment(by, work, 0, bin_dir)
    subprocess.run(["sh", "-c", download], env=env, check=True)
    merge_args = [a.replace("/results", merge_results) for a in pod["containers"][0]["args"]]
    merged = subprocess.run([args.sim] + merge_args + ["--json"], capture_output=True, text=True)
    if merged.returncode != 1:
        fail(f"merge exited {merged.returncode}: {merged.stderr}")
    report = json.loads(merged.stdout.strip().splitlines()[-1])
    single = subprocess.run(
        [args.sim, "sweep", "--seeds", args.seeds, "--mode", "before", "--replicas", "1", "--faults", "kill", "--json"],
        capture_output=True,
        text=True,
    )
    whole = json.loads(single.stdout.strip().splitlines()[-1])
    if report["failed_seeds"] != whole["failed_seeds"] or report["violations_by_kind"] != whole["violations_by_kind"]:
        fail("the merge Job's report differs from one sweep over the range")
    if merge_job["spec"].get("suspend") is not True:
        fail("the merge Job must be created suspended (it runs after the sweep)")
    print(
        f"merge Job: {report['shards']} shards, {len(report['failed_seeds'])} failing seeds of {report['seeds']}, "
        f"equal to one sweep; the Job fails on them (podFailurePolicy FailJob on exit 1)"
    )
    shutil.rmtree(f"{work}/s3")


if __name__ == "__main__":
    main()
