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
from dataclasses import dataclass, field
from pathlib import Path

from scripts.ops.alert_fault_actions import Faults
from scripts.ops.alert_traffic import Traffic
from scripts.ops.alert_watcher import AlertWatcher, Observation, Target, http_json, query
from scripts.stack.localstack import Stack, log

REPO = Path(__file__).resolve().parents[2]


def now() -> float:
    return time.monotonic()


# ----- phases ---------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    fault: str  # what is done, in words (for the report)
    targets: list[Target]
    apply: callable
    undo: callable
    fire_within: float  # seconds: every target must fire within this after the fault
    resolve_within: float  # seconds: and resolve within this after the undo
    hold_after_fired: float = 0.0  # keep the fault a little longer (evidence that it stays firing)
    observations: dict[str, Observation] = field(default_factory=dict)
    started: float = 0.0
    undone: float = 0.0
    ended: float = 0.0
    traffic_before: dict[str, int] = field(default_factory=dict)
    traffic_after: dict[str, int] = field(default_factory=dict)
    also_active: set = field(default_factory=set)
    evidence: dict[str, object] = field(default_factory=dict)
    active_before: list[str] = field(default_factory=list)


# ----- the run -------------------------------------------------------------------------------------------


def run_phase(phase: Phase, watcher: AlertWatcher, traffic: Traffic, prometheus: str, evidence_queries: dict) -> None:
    log(f"== phase {phase.name}: {phase.fault}")
    for target in phase.targets:
        phase.observations[target.key] = Observation()
    # Each target must be inactive when its fault starts (an earlier phase's fault may have set it off too).
    phase.active_before = sorted({t.key for t in watcher.wait_inactive(phase.targets, 120)})
    if phase.active_before:
        log(f"   still active before the fault: {phase.active_before}")
    phase.traffic_before = traffic.counts()
    phase.started = now()
    phase.apply()

    def observe() -> None:
        t = now()
        for target in phase.targets:
            obs = phase.observations[target.key]
            alerts = watcher.matching(target)
            states = {a["state"] for a in alerts}
            if "pending" in states and obs.pending_at is None and obs.firing_at is None:
                obs.pending_at = t
            if "firing" in states and obs.firing_at is None:
                obs.firing_at = t
                firing = next(a for a in alerts if a["state"] == "firing")
                obs.active_at, obs.value = firing.get("activeAt"), firing.get("value")
                log(f"   {target.key} firing after {t - phase.started:.1f} s (value {obs.value})")
            if obs.firing_at is not None and phase.undone and not alerts and obs.resolved_at is None:
                obs.resolved_at = t
                log(f"   {target.key} resolved {t - phase.undone:.1f} s after the fault was removed")
        for alert in watcher.snapshot():
            if not any(target.matches(alert["labels"]) for target in phase.targets):
                labels = alert["labels"]
                phase.also_active.add(
                    f"{labels['alertname']}{{{','.join(f'{k}={v}' for k, v in sorted(labels.items()) if k not in ('alertname',))}}}"
                    f" {alert['state']}"
                )

    deadline = phase.started + phase.fire_within
    fired_all_at = None
    while now() < deadline:
        observe()
        if all(o.firing_at is not None for o in phase.observations.values()):
            fired_all_at = fired_all_at or now()
            if now() - fired_all_at >= phase.hold_after_fired:
                break
        time.sleep(0.5)
    for name, promql in evidence_queries.get(phase.name, {}).items():
        phase.evidence[name] = [(r["metric"], r["value"][1]) for r in query(prometheus, promql)]
    phase.undone = now()
    phase.undo()
    log(f"   fault removed after {phase.undone - phase.started:.1f} s")
    deadline = phase.undone + phase.resolve_within
    while now() < deadline:
        observe()
        if all(o.resolved_at is not None or o.firing_at is None for o in phase.observations.values()):
            break
        time.sleep(0.5)
    phase.ended = now()
    phase.traffic_after = traffic.counts()


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
    x = str(args.time_scale)
    scaled = {"time_scale": x}
    real = {"time_scale": None}

    stack = Stack(root=REPO / ".local" / "stack")
    workers = stack.running_workers()
    if not workers:
        log("no worker is running (make up first)")
        return 2
    traffic = Traffic(stack.ports.api, stack.api_key(), args.rate)
    faults = Faults(stack, traffic, args.prometheus, REPO / "scripts" / "local-postgres.sh")
    watcher = AlertWatcher(args.prometheus)

    def target(key: str, alertname: str, labels: dict, rule: str) -> Target:
        return Target(key, alertname, labels, rule)

    f = args.time_scale
    phases = [
        Phase(
            "brokers-down",
            "all three kafka-dev brokers down (POST /brokers/all/down): the api's produce "
            "requests time out (message.timeout.ms 30 s) and it answers 503",
            [
                target(
                    "High5xx",
                    "High5xx",
                    {**scaled, "window": "1h"},
                    f"x{f} copy, fast burn (1h and 5m windows -> {3600 // f}s and {300 // f}s, for 2m -> {120 // f}s)",
                )
            ],
            faults.brokers_down,
            faults.brokers_up,
            fire_within=150,
            resolve_within=120,
        ),
        Phase(
            "database-down",
            "PostgreSQL stopped (scripts/local-postgres.sh stop): no batch, offset commit "
            "or settlement can happen while un-keyed events keep arriving; the workers pause and probe",
            [
                target(
                    "SettlementMissed",
                    "SettlementMissed",
                    {**real, "signal": "overdue"},
                    f"REAL rule (for: 1m, 2 periods of slack) with SETTLEMENT_PERIOD_SECONDS={args.settlement_period}",
                ),
                target(
                    "WorkerNotConsuming/no-worker-commits",
                    "WorkerNotConsuming",
                    {**scaled, "signal": "no-worker-commits"},
                    f"x{f} copy, lag and no successful worker commit (5m -> {300 // f}s, for 5m -> {300 // f}s)",
                ),
            ],
            faults.database_stop,
            faults.database_start,
            fire_within=180,
            resolve_within=150,
        ),
        Phase(
            "consumers-paused",
            "every worker process SIGSTOPped (consumption paused, metrics endpoints hang) while events keep arriving",
            [
                target(
                    "WorkerNotConsuming",
                    "WorkerNotConsuming",
                    {**scaled, "signal": "group-offsets-frozen"},
                    f"x{f} copy, committed offsets frozen with lag (Kafka Exporter view; 10m -> {600 // f}s, for 5m -> {300 // f}s)",
                ),
                target(
                    "KafkaLag",
                    "KafkaLag",
                    {**scaled, "severity": "warning"},
                    f"x{f} copy, lag > 1000 and growing (10m -> {600 // f}s, for 10m -> {600 // f}s)",
                ),
                target(
                    "SettlementMissed/absent",
                    "SettlementMissed",
                    {**scaled, "signal": "absent"},
                    f"x{f} copy, no worker reports a settled period (for 10m -> {600 // f}s)",
                ),
            ],
            faults.workers_pause,
            faults.workers_resume,
            fire_within=180,
            resolve_within=150,
        ),
        Phase(
            "slow-brokers",
            "1500 ms added to every broker response (POST /brokers/all/rtt?ms=1500): each "
            "acknowledged produce, hence each 202, takes longer",
            [
                target(
                    "HighLatencyP95",
                    "HighLatencyP95",
                    {**scaled, "severity": "warning"},
                    f"x{f} copy, p95 > 250 ms on 5m and 30m windows (-> {300 // f}s, {1800 // f}s), for 5m -> {300 // f}s",
                ),
                target(
                    "HighLatencyP95/critical",
                    "HighLatencyP95",
                    {**scaled, "severity": "critical"},
                    f"x{f} copy, p95 > 1 s (5m -> {300 // f}s), for 5m -> {300 // f}s",
                ),
            ],
            faults.slow_brokers(1500),
            faults.fast_brokers,
            fire_within=150,
            resolve_within=150,
        ),
        Phase(
            "duplicate-deliveries",
            "half of the requests re-send an earlier event unchanged without an "
            "Idempotency-Key (a client retrying wrongly): the after-mode workers skip the second copies",
            [
                target(
                    "DuplicateSkipsSpike",
                    "DuplicateSkipsSpike",
                    {**scaled},
                    f"x{f} copy, > 5 % of deliveries skipped as duplicates (10m -> {600 // f}s, for 10m -> {600 // f}s)",
                )
            ],
            faults.duplicates_on,
            faults.duplicates_off,
            fire_within=150,
            resolve_within=150,
        ),
        Phase(
            "poison-events",
            "each second, 1 undecodable value and 1 event the ledger's CHECK rejects, written "
            "straight to `events` with kcat (a foreign producer): failed batches, then dead letters to events.dlq",
            [
                target(
                    "DeadLetterRate",
                    "DeadLetterRate",
                    {**scaled, "severity": "critical"},
                    f"x{f} copy, > 1.44 % dead-lettered on 1h and 5m windows (-> {3600 // f}s, {300 // f}s), for 2m -> {120 // f}s",
                ),
                target(
                    "ProcessingErrors",
                    "ProcessingErrors",
                    {**scaled, "severity": "warning"},
                    f"x{f} copy, > 5 % of attempts fail and > 0.1/s (5m -> {300 // f}s), for 10m -> {600 // f}s",
                ),
            ],
            faults.poison_on(1),
            faults.poison_off,
            fire_within=150,
            resolve_within=120,
        ),
    ]
    if args.only:
        wanted = set(args.only.split(","))
        phases = [p for p in phases if p.name in wanted]
    evidence_queries = {
        "brokers-down": {
            "5xx ratio (x20 1h window)": f"x{x}:replicasafe:api_errors:ratio_rate1h",
            "5xx ratio (x20 5m window)": f"x{x}:replicasafe:api_errors:ratio_rate5m",
        },
        "database-down": {
            "settlement periods behind": "time() / max(replicasafe_worker_settlement_period_seconds)"
            " - max(replicasafe_worker_last_settled_period > 0) - 1",
            "lag (Kafka Exporter view)": "sum(kafka_consumergroup_lag)",
            "worker commits/s": 'sum(rate(replicasafe_worker_offset_commits_total{result="ok"}[15s]))',
            "database_up": "replicasafe_worker_database_up",
            "consumption_paused": "replicasafe_worker_consumption_paused",
        },
        "consumers-paused": {
            "lag (Kafka Exporter view)": "sum(kafka_consumergroup_lag)",
            "worker targets up": 'sum(up{job="worker"})',
        },
        "slow-brokers": {"p95 (x20 5m window)": f"x{x}:replicasafe:api_request_duration_seconds:p95_rate5m"},
        "duplicate-deliveries": {"duplicates skipped/s": f"x{x}:replicasafe:worker_duplicates_skipped:rate10m"},
        "poison-events": {
            "dead-letter ratio (x20 5m)": f"x{x}:replicasafe:worker_dead_letter:ratio_rate5m",
            "failed attempts/s by class": "sum by (class) (rate(replicasafe_worker_events_failed_total[15s]))",
            "dead letters by reason": "sum by (reason) (replicasafe_worker_events_dead_lettered_total)",
        },
    }

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
                    labels = ",".join(f"{k}={v}" for k, v in sorted(alert["labels"].items()) if k != "alertname")
                    violation = f"{alert['labels']['alertname']}{{{labels}}} {alert['state']}"
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
