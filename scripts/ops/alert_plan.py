"""The phases `make alerts-e2e` runs (scripts/ops/alert_faults.py), each a fault on the real processes and the
alerts it must set off (copies of the rules at --time-scale, or the real rule), and what Prometheus is asked at
the end of each fault for the report."""

from __future__ import annotations

import argparse

from scripts.ops.alert_fault_actions import Faults
from scripts.ops.alert_phase import Phase
from scripts.ops.alert_watcher import Target


def planned_phases(args: argparse.Namespace, faults: Faults) -> list[Phase]:
    x = str(args.time_scale)
    scaled = {"time_scale": x}
    real = {"time_scale": None}

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
    return phases


def phase_evidence_queries(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    x = str(args.time_scale)
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
    return evidence_queries
