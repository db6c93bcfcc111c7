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
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from scripts.stack.localstack import Stack, log

REPO = Path(__file__).resolve().parents[2]


def now() -> float:
    return time.monotonic()


# ----- traffic --------------------------------------------------------------------------------------------


class Traffic:
    """Valid POST /v1/events at `rate` per second from `threads` keep-alive connections, without an
    Idempotency-Key (an un-keyed client never touches the api's database, so a database fault does not turn
    into 5xx here). With `duplicate_share` > 0 that share of requests re-sends an earlier event unchanged, the
    way a client retrying without a key would: same event_id, a second Kafka message."""

    def __init__(self, port: int, api_key: str, rate: float, threads: int = 48, timeout: float = 40.0):
        self.port, self.rate, self.threads_n, self.timeout = port, rate, threads, timeout
        self.headers = {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"}
        self.duplicate_share = 0.0
        self.lock = threading.Lock()
        self.next_slot = now()
        self.stop_event = threading.Event()
        self.status: dict[str, int] = {}
        self.latency_sum = 0.0
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for index in range(self.threads_n):
            thread = threading.Thread(target=self.run, args=(index,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=self.timeout + 5)

    def counts(self) -> dict[str, int]:
        with self.lock:
            return dict(self.status)

    def take_slot(self) -> float:
        with self.lock:
            t = now()
            # A stalled api must not turn into a burst afterwards: at most one second of backlog.
            self.next_slot = max(self.next_slot, t - 1.0)
            slot = self.next_slot
            self.next_slot += 1.0 / self.rate
        return slot

    def run(self, index: int) -> None:
        rng = random.Random(index)
        connection = None
        previous: bytes | None = None
        while not self.stop_event.is_set():
            slot = self.take_slot()
            delay = slot - now()
            if delay > 0 and self.stop_event.wait(delay):
                break
            if previous is not None and rng.random() < self.duplicate_share:
                body = previous
            else:
                body = json.dumps(
                    {
                        "event_id": str(uuid.uuid4()),
                        "account_id": f"acct-{rng.randrange(500)}",
                        "amount_cents": rng.randrange(-5000, 5000) or 1,
                    }
                ).encode()
                previous = body
            started = now()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                connection.request("POST", "/v1/events", body=body, headers=self.headers)
                response = connection.getresponse()
                response.read()
                key = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as error:
                key = f"client:{type(error).__name__}"
                if connection is not None:
                    connection.close()
                connection = None
                self.stop_event.wait(0.2)
            with self.lock:
                self.status[key] = self.status.get(key, 0) + 1
                self.latency_sum += now() - started
        if connection is not None:
            connection.close()


# ----- Prometheus ---------------------------------------------------------------------------------------


def http_json(url: str, timeout: float = 5.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def http_post(url: str, timeout: float = 10.0) -> str:
    request = urllib.request.Request(url, method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode().strip()


@dataclass
class Target:
    """An alert rule to see pending -> firing -> resolved: its alertname and labels (None = label absent)."""

    key: str
    alertname: str
    labels: dict[str, str | None]
    rule: str  # human description: which copy, severity, for:

    def matches(self, alert_labels: dict[str, str]) -> bool:
        if alert_labels.get("alertname") != self.alertname:
            return False
        for name, value in self.labels.items():
            if value is None and name in alert_labels:
                return False
            if value is not None and alert_labels.get(name) != value:
                return False
        return True


@dataclass
class Observation:
    pending_at: float | None = None  # first poll that saw it pending (monotonic)
    firing_at: float | None = None  # first poll that saw it firing
    active_at: str | None = None  # Prometheus' activeAt of the firing alert (RFC 3339)
    resolved_at: float | None = None  # first poll without it after the fault was removed
    value: str | None = None


class AlertWatcher:
    """Polls /api/v1/alerts every `interval` seconds and keeps, per set of labels, when it was seen in which
    state. Alerts only appear there while pending or firing: 'resolved' is their disappearance."""

    def __init__(self, base: str, interval: float = 1.0):
        self.base, self.interval = base, interval
        self.lock = threading.Lock()
        self.active: dict[tuple, dict] = {}
        self.history: list[dict] = []
        self.stop_event = threading.Event()
        self.errors = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.t0 = now()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=10)

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                alerts = http_json(f"{self.base}/api/v1/alerts")["data"]["alerts"]
            except (OSError, ValueError, KeyError):
                self.errors += 1
                alerts = None
            if alerts is not None:
                t = now()
                current = {}
                for alert in alerts:
                    key = tuple(sorted(alert["labels"].items()))
                    current[key] = alert
                with self.lock:
                    for key, alert in current.items():
                        before = self.active.get(key)
                        if before is None or before["state"] != alert["state"]:
                            self.history.append(
                                {
                                    "t": round(t - self.t0, 1),
                                    "labels": alert["labels"],
                                    "state": alert["state"],
                                    "value": alert.get("value"),
                                }
                            )
                    for key, alert in self.active.items():
                        if key not in current:
                            self.history.append(
                                {"t": round(t - self.t0, 1), "labels": alert["labels"], "state": "inactive"}
                            )
                    self.active = current
            self.stop_event.wait(self.interval)

    def snapshot(self) -> list[dict]:
        with self.lock:
            return list(self.active.values())

    def matching(self, target: Target) -> list[dict]:
        return [a for a in self.snapshot() if target.matches(a["labels"])]

    def wait_inactive(self, targets: list[Target], seconds: float) -> list[Target]:
        """Waits up to `seconds` until no alert of `targets` is pending or firing; returns those still active."""
        deadline = now() + seconds
        while any(self.matching(t) for t in targets) and now() < deadline:
            time.sleep(1)
        return [t for t in targets if self.matching(t)]


def query(base: str, promql: str) -> list:
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    try:
        return http_json(url)["data"]["result"]
    except (OSError, ValueError, KeyError):
        return []


# ----- faults ---------------------------------------------------------------------------------------------


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


class Faults:
    def __init__(self, stack: Stack, traffic: Traffic, prometheus: str, pg_script: Path):
        self.stack, self.traffic, self.prometheus, self.pg_script = stack, traffic, prometheus, pg_script
        self.stopped_workers: list[int] = []
        self.poison_stop = threading.Event()
        self.poison_thread: threading.Thread | None = None
        self.poison_sent = 0
        self.active: set[str] = set()

    def control(self, path: str) -> None:
        result = http_post(self.stack.control_url(path))
        log(f"kafka-dev {path}: {result}")

    # brokers
    def brokers_down(self) -> None:
        self.active.add("brokers")
        self.control("/brokers/all/down")

    def brokers_up(self) -> None:
        self.control("/brokers/all/up")
        self.active.discard("brokers")

    def slow_brokers(self, ms: int):
        def apply() -> None:
            self.active.add("rtt")
            self.control(f"/brokers/all/rtt?ms={ms}")

        return apply

    def fast_brokers(self) -> None:
        self.control("/brokers/all/rtt?ms=0")
        self.active.discard("rtt")

    # database
    def database_stop(self) -> None:
        self.active.add("database")
        subprocess.run([str(self.pg_script), "stop"], check=True, stdout=sys.stderr)

    def database_start(self) -> None:
        subprocess.run([str(self.pg_script), "start"], check=True, stdout=sys.stderr)
        self.active.discard("database")

    # workers
    def workers_pause(self) -> None:
        self.active.add("workers")
        self.stopped_workers = []
        for index in self.stack.running_workers():
            pid = self.stack.pid(self.stack.worker_name(index))
            if pid is not None:
                os.kill(pid, signal.SIGSTOP)
                self.stopped_workers.append(pid)
        log(f"SIGSTOP workers {self.stopped_workers}")
        if not self.stopped_workers:
            raise RuntimeError("no running worker to pause")

    def workers_resume(self) -> None:
        for pid in self.stopped_workers:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        log(f"SIGCONT workers {self.stopped_workers}")
        self.stopped_workers = []
        self.active.discard("workers")

    # traffic shape
    def duplicates_on(self) -> None:
        self.active.add("duplicates")
        self.traffic.duplicate_share = 0.5

    def duplicates_off(self) -> None:
        self.traffic.duplicate_share = 0.0
        self.active.discard("duplicates")

    # poison messages straight into the topic, as a foreign producer would write them
    def poison_on(self, per_second: int):
        def apply() -> None:
            self.active.add("poison")
            self.poison_stop.clear()
            self.poison_thread = threading.Thread(target=self.poison_loop, args=(per_second,), daemon=True)
            self.poison_thread.start()

        return apply

    def poison_loop(self, per_second: int) -> None:
        """Each second: `per_second` undecodable values (truncated JSON) and as many events that decode but
        that the ledger's CHECK rejects (amount 2e12 cents, beyond the api's validation, which a foreign
        producer does not go through): rejected input, which fails its batch (class `rejected`) and is
        dead-lettered after that one attempt (reason `rejected_input`)."""
        while not self.poison_stop.is_set():
            occurred = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            lines = "".join(
                f'poison-{uuid.uuid4().hex[:8]}|{{"event_id": "not-a-uuid", truncated\n'
                f'poison-{uuid.uuid4().hex[:8]}|{{"event_id":"{uuid.uuid4()}","account_id":"acct-rejected",'
                f'"amount_cents":2000000000000,"occurred_at":"{occurred}"}}\n'
                for _ in range(per_second)
            )
            done = subprocess.run(
                [
                    "kcat",
                    "-P",
                    "-b",
                    self.stack.ports.bootstrap,
                    "-t",
                    "events",
                    "-K",
                    "|",
                    "-X",
                    "message.timeout.ms=5000",
                ],
                input=lines,
                text=True,
                capture_output=True,
                timeout=15,
            )
            if done.returncode == 0:
                self.poison_sent += 2 * per_second
            else:
                log(f"kcat failed: {done.stderr.strip()}")
            self.poison_stop.wait(1.0)

    def poison_off(self) -> None:
        self.poison_stop.set()
        if self.poison_thread is not None:
            self.poison_thread.join(timeout=20)
        self.active.discard("poison")

    def undo_everything(self) -> None:
        """Best effort, for the cleanup path: leave nothing broken behind."""
        for name, undo in (
            ("workers", self.workers_resume),
            ("poison", self.poison_off),
            ("duplicates", self.duplicates_off),
            ("rtt", self.fast_brokers),
            ("brokers", self.brokers_up),
            ("database", self.database_start),
        ):
            if name in self.active:
                try:
                    undo()
                except Exception as error:  # noqa: BLE001 - cleanup must go on
                    log(f"cleanup: undoing {name} failed: {error}")


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
