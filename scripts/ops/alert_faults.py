#!/usr/bin/env python3
"""The fault driver of `make alerts-e2e` (scripts/ops/alerts-e2e.sh starts the stack and Prometheus, then runs
this). It sends steady traffic to the api, applies one fault after another to the real
processes, and watches Prometheus' /api/v1/alerts once a second until each targeted alert has gone pending,
then firing, and has resolved after the fault was removed. The last stdout line is one JSON object:

  {"alerts": {"<alertname>": {"fired": true, "seconds_to_fire": N, "resolved": true, ...}, ...}, ...}

Exit status 0 when every target fired and resolved within its phase's bounds, 1 otherwise, 2 when the run
itself could not proceed. Standard library only; every request goes to 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from scripts.ops.alert_fault_actions import Faults
from scripts.ops.alert_phase import alert_line, now, run_phase
from scripts.ops.alert_plan import phase_evidence_queries, planned_phases
from scripts.ops.alert_traffic import Traffic
from scripts.ops.alert_watcher import AlertWatcher, Observation, http_json, query
from scripts.stack.localstack import Stack, log

REPO = Path(__file__).resolve().parents[2]


def wait_for_targets(prometheus: str, jobs: dict[str, int], seconds: float) -> None:
    deadline = now() + seconds
    while now() < deadline:
        try:
            targets = http_json(f"{prometheus}/api/v1/targets")["data"]["activeTargets"]
        except (OSError, ValueError, KeyError):
            targets = []
        up: dict[str, int] = {}
        for target in targets:
            if target.get("health") == "up":
                up[target["labels"]["job"]] = up.get(target["labels"]["job"], 0) + 1
        if all(up.get(job, 0) >= n for job, n in jobs.items()):
            log(f"prometheus targets up: {up}")
            return
        time.sleep(1)
    raise RuntimeError(f"prometheus targets not up within {seconds:.0f} s: want {jobs}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prometheus", default="http://127.0.0.1:19090")
    parser.add_argument("--time-scale", type=int, default=20)
    parser.add_argument("--rate", type=float, default=25.0, help="background requests per second")
    parser.add_argument(
        "--settlement-period", type=int, required=True, help="the workers' SETTLEMENT_PERIOD_SECONDS (for the report)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "out" / "alerts-e2e")
    parser.add_argument("--only", default="", help="comma-separated phase names (debugging)")
    args = parser.parse_args()

    stack = Stack(root=REPO / ".local" / "stack")
    workers = stack.running_workers()
    if not workers:
        log("no worker is running (make up first)")
        return 2
    traffic = Traffic(stack.ports.api, stack.api_key(), args.rate)
    faults = Faults(stack, traffic, args.prometheus, REPO / "scripts" / "local-postgres.sh")
    watcher = AlertWatcher(args.prometheus)

    phases = planned_phases(args, faults)
    if args.only:
        wanted = set(args.only.split(","))
        phases = [p for p in phases if p.name in wanted]
    evidence_queries = phase_evidence_queries(args)

    started = now()
    results: dict[str, dict] = {}
    status = 0
    quiet_violations: list[str] = []
    try:
        wait_for_targets(args.prometheus, {"api": 1, "worker": len(workers), "kafka-exporter": 1}, 60)
        watcher.start()
        traffic.start()
        # A cold start has settled nothing yet, so SettlementMissed's `absent` rule is rightly pending until the
        # first period closes: the baseline starts once Prometheus has seen a settled period.
        settled_by = now() + 4 * args.settlement_period + 30
        while not query(args.prometheus, "max(replicasafe_worker_last_settled_period) > 0") and now() < settled_by:
            time.sleep(1)
        all_targets = [t for p in phases for t in p.targets]
        # ... and after the next rule evaluation has cleared that cold-start pending state (bounded: an alert that
        # stays active is then reported by the baseline below).
        watcher.wait_inactive(all_targets, 60)
        # A quiet baseline: normal traffic, no fault, no targeted alert may be pending or firing.
        log("== baseline: 30 s of normal traffic, nothing may be pending or firing")
        baseline_end = now() + 30
        while now() < baseline_end:
            for alert in watcher.snapshot():
                if any(t.matches(alert["labels"]) for t in all_targets):
                    violation = alert_line(alert)
                    if violation not in quiet_violations:
                        quiet_violations.append(violation)
            time.sleep(1)
        for phase in phases:
            run_phase(phase, watcher, traffic, args.prometheus, evidence_queries)
    except Exception as error:  # noqa: BLE001 - report, clean up, exit 2
        log(f"run failed: {type(error).__name__}: {error}")
        status = 2
    finally:
        faults.undo_everything()
        traffic.stop()
        watcher.stop()

    for phase in phases:
        for t in phase.targets:
            obs = phase.observations.get(t.key, Observation())
            fired = obs.firing_at is not None
            entry = {
                "fired": fired,
                "seconds_to_fire": round(obs.firing_at - phase.started, 1) if fired else None,
                "went_pending": obs.pending_at is not None,
                "seconds_to_pending": round(obs.pending_at - phase.started, 1) if obs.pending_at else None,
                "resolved": obs.resolved_at is not None,
                "seconds_to_resolve": round(obs.resolved_at - phase.undone, 1) if obs.resolved_at else None,
                "time_scale": 1 if t.labels.get("time_scale", "x") is None else args.time_scale,
                "rule": t.rule,
                "phase": phase.name,
                "fault_seconds": round(phase.undone - phase.started, 1) if phase.undone else None,
            }
            if t.key in phase.active_before:
                entry["active_before_fault"] = True
            results[t.key] = entry
            if not (fired and entry["resolved"]) or t.key in phase.active_before:
                status = status or 1
    if quiet_violations:
        status = status or 1
    report = {
        "phases": [
            {
                "name": p.name,
                "fault": p.fault,
                "active_before_fault": p.active_before,
                "seconds": round(p.ended - p.started, 1) if p.ended else None,
                "requests": {k: p.traffic_after.get(k, 0) - p.traffic_before.get(k, 0) for k in p.traffic_after},
                "also_active": sorted(p.also_active),
                "evidence": p.evidence,
            }
            for p in phases
        ],
        "poison_messages_sent": faults.poison_sent,
        "alert_history": watcher.history,
        "watch_errors": watcher.errors,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps({"alerts": results, **report}, indent=2) + "\n")
    for phase in report["phases"]:
        log(
            f"phase {phase['name']}: {phase['seconds']} s, requests {phase['requests']}; also active: "
            f"{', '.join(phase['also_active']) or 'nothing'}"
        )
    summary = {
        "alerts": results,
        "time_scale": args.time_scale,
        "settlement_period_seconds": args.settlement_period,
        "quiet_baseline": not quiet_violations,
        "quiet_violations": sorted(set(quiet_violations)),
        "run_seconds": round(now() - started, 1),
        "load_average": os.getloadavg() and " ".join(f"{v:.2f}" for v in os.getloadavg()),
        "passed": status == 0,
        "report": str(args.out / "report.json"),
    }
    print(json.dumps(summary), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
