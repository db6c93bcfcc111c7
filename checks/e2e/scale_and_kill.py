#!/usr/bin/env python3
"""The scale-and-kill scenario on real processes.

    python3 -m checks.e2e.scale_and_kill --mode after            # >= 20,000 events, 1 -> 2 -> 5 -> 1 workers
    python3 -m checks.e2e.scale_and_kill --mode after --small    # the CI-sized run (make e2e-small)

It starts its own stack (kafka-dev, api, workers; PostgreSQL through scripts/local-postgres.sh) on ports of its
own and a fresh database, so it neither needs nor disturbs `make up`. Events go through the api (POST /v1/events
with an Idempotency-Key, retried until 202) while a timeline scales the workers 1 -> 2 -> 5 and back, SIGKILLs
workers while a batch transaction is provably in flight (held on a ledger lock), SIGTERMs others, and takes a
broker down through kafka-dev's control interface. After the traffic it waits for the backlog to drain, then compares the database with the set of events
the api acknowledged and audits the settlements (`settlement_mismatches`). The last line of stdout is one JSON
object. Exit status: 0 when the result is what the mode should show (both: at least one SIGKILL with a
transaction in flight; after: no duplicates, losses, double settlements, balance or settlement mismatches;
before: duplicates), 1 otherwise, 2 when the run itself failed. Everything goes to 127.0.0.1 and ends within
--timeout seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from checks.e2e import history_check, mock_only, scenario_export
from checks.e2e.traffic import Produced, Timeline, Traffic
from scripts.stack.localstack import Ports, Stack, StackError, log, wait_until

REPO = Path(__file__).resolve().parents[2]

E2E_PORTS = Ports(brokers=(19392, 19393, 19394), control=19399, api=18380, first_worker=9201)


class Scenario:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.mode = args.mode
        self.stack = Stack(
            root=REPO / ".local" / f"e2e-{args.mode}", database=f"replicasafe_e2e_{args.mode}", ports=E2E_PORTS
        )
        self.stack.worker_env = {
            "SETTLEMENT_PERIOD_SECONDS": str(args.settlement_period),
            "SHUTDOWN_GRACE_SECONDS": "20",
            "BATCH_MAX_EVENTS": "500",
            "LOG_LEVEL": "info",
        }
        self.stack.history_dir = REPO / "out" / "e2e" / args.mode / "history"
        self.timeline = Timeline()
        self.kills = 0
        self.killed: list[int] = []
        self.kills_in_flight = 0
        self.terms = 0
        self.max_replicas = 0
        self.broker_faults = 0
        self.started_pg = False
        # The actions as applied (seconds since the traffic started), for the scenario file.
        self.schedule: list[dict] = []

    # ----- workers --------------------------------------------------------------------------------------

    def running(self) -> list[int]:
        return self.stack.running_workers()

    def scale_to(self, count: int) -> None:
        current = self.running()
        for index in range(1, count + 1):
            if index not in current:
                self.stack.start_worker(index, self.mode, wait=False)
                self.timeline.note("worker started", worker=f"w{index}")
        for index in current:
            if index > count:
                self.terminate(index)
        self.max_replicas = max(self.max_replicas, len(self.running()))

    def terminate(self, index: int) -> None:
        self.timeline.note("SIGTERM", worker=f"w{index}")
        started = time.monotonic()
        self.stack.stop(self.stack.worker_name(index), signal.SIGTERM, timeout=40)
        self.terms += 1
        self.timeline.note("worker exited", worker=f"w{index}", after_s=round(time.monotonic() - started, 2))

    def kill_mid_batch(self, preferred: int) -> None:
        """SIGKILL a worker with a batch transaction in flight, provably: a session of ours takes a SHARE lock on
        the ledger (what a slow or stalled database looks like to the workers), so every batch that reaches its
        ledger insert waits inside its transaction; once a worker's backend is seen waiting in pg_stat_activity
        (`preferred` if it is among them, otherwise any), that worker gets SIGKILL while its transaction can neither
        finish nor commit, and only then is the lock released. If no worker reaches the ledger within 30 s (none
        owns partitions with traffic), `preferred` (or the newest worker) is killed anyway, recorded as not in
        flight."""
        running = self.running()
        if not running:
            return
        holder = subprocess.Popen(
            ["psql", self.stack.database_url, "-qAt", "-v", "ON_ERROR_STOP=1"],
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        caught: dict | None = None
        try:
            holder.stdin.write("BEGIN;\nLOCK TABLE ledger IN SHARE MODE;\nSELECT 'locked';\n")
            holder.stdin.flush()
            if holder.stdout.readline().strip() != "locked":
                raise StackError("could not lock the ledger")
            deadline = time.monotonic() + 30
            while caught is None and time.monotonic() < deadline:
                waiting = self.waiting_batches()
                caught = waiting.get(preferred) or next(iter(waiting.values()), None)
                if caught is None:
                    time.sleep(0.05)  # polling, bounded by the deadline
            target = caught["worker"] if caught else (preferred if preferred in running else max(running))
            self.stack.stop(self.stack.worker_name(target), signal.SIGKILL, timeout=5)
        finally:
            holder.stdin.write("ROLLBACK;\n")
            holder.stdin.close()
            holder.wait(timeout=30)
        self.killed.append(target)
        self.kills += 1
        self.kills_in_flight += caught is not None
        self.timeline.note("SIGKILL", worker=f"w{target}", transaction_in_flight=caught is not None, backend=caught)

    def waiting_batches(self) -> dict[int, dict]:
        """Workers whose backend waits for the ledger lock inside a transaction, by worker index."""
        rows = self.stack.psql("""
            SELECT substr(application_name, 9), pid, extract(epoch FROM now() - xact_start)::numeric(10, 3),
                   regexp_replace(left(query, 60), '\\s+', ' ', 'g')
            FROM pg_stat_activity
            WHERE application_name LIKE 'worker-w%' AND datname = current_database() AND xact_start IS NOT NULL
              AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
            """)
        found = {}
        for line in filter(None, rows.splitlines()):
            index, pid, age, query = line.split("\t", 3)
            found[int(index)] = {
                "worker": int(index),
                "pid": int(pid),
                "transaction_age_s": float(age),
                "query": " ".join(query.split()),
            }
        return found

    def assigned(self, index: int) -> int:
        return int(self.stack.metrics(index).get(f'replicasafe_worker_assigned_partitions{{mode="{self.mode}"}}', 0))

    def broker_fault(self, broker: int, seconds: float) -> None:
        self.stack.kafka_control("POST", f"/brokers/{broker}/down")
        self.broker_faults += 1
        self.timeline.note("broker down", broker=broker, seconds=seconds)
        time.sleep(seconds)
        self.stack.kafka_control("POST", f"/brokers/{broker}/up")
        self.timeline.note("broker up", broker=broker)

    # ----- the run --------------------------------------------------------------------------------------

    def plan(self) -> list[Produced]:
        rng = random.Random(self.args.seed)
        accounts = [f"acct-{n:04d}" for n in range(self.args.accounts)]
        return [
            Produced(
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                rng.choice(accounts),
                rng.randrange(-100_000, 100_001) or 1,
            )
            for _ in range(self.args.events)
        ]

    def prepare(self) -> None:
        for index in self.running():
            self.stack.stop(self.stack.worker_name(index), signal.SIGKILL, timeout=5)
        self.stack.stop("api")
        self.stack.stop("kafka-dev")
        for stale in self.stack.root.glob("*.log"):
            stale.unlink()
        self.stack.history_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.stack.history_dir.glob("*.jsonl"):
            stale.unlink()
        self.started_pg = self.stack.start_postgres()
        self.stack.ensure_database(fresh=True)
        self.stack.start_kafka()
        self.stack.start_api()

    def actions(self) -> list[tuple[float, str, object]]:
        """(fraction of the traffic time, action, argument). Workers are w1..w5. `kill` SIGKILLs a worker caught
        with a transaction in flight (the argument is only a preference), `replace` starts a new one in the killed
        one's place, `term` SIGTERMs the newest (scale down by one), `term_to N` scales down to N."""
        if self.args.small:
            return [
                (0.10, "scale", 2),
                (0.20, "scale", 3),
                (0.35, "kill", 2),
                (0.45, "broker", 2),
                (0.55, "replace", None),
                (0.65, "kill", 3),
                (0.80, "term", None),
            ]
        return [
            (0.07, "scale", 2),
            (0.16, "scale", 5),
            (0.27, "kill", 2),
            (0.35, "broker", 2),
            (0.45, "replace", None),
            (0.55, "kill", 4),
            (0.65, "term", None),
            (0.75, "kill", 3),
            (0.87, "term", None),
            (0.95, "term_to", 1),
        ]

    def run(self) -> dict:
        self.stack.build()
        subprocess.run(self.stack.swift("--product", "sim"), cwd=REPO, check=True, stdout=sys.stderr)
        began = time.monotonic()  # `seconds` is the scenario's time, not the compiler's
        self.prepare()
        events = self.plan()
        duration = len(events) / self.args.rate
        self.stack.start_worker(1, self.mode, wait=True)
        self.timeline.note("worker started", worker="w1")
        self.max_replicas = 1
        # The first assignment takes the group's initial rebalance delay; start traffic once w1 owns partitions.
        wait_until(lambda: self.assigned_total() == 12, 60, "w1 owning all partitions", interval=0.25)
        traffic = Traffic(
            self.stack.ports.api, self.stack.api_key(), events, self.args.rate, self.args.connections, self.timeline
        )
        self.timeline.start = time.monotonic()  # t = 0 when the traffic starts
        self.timeline.note("traffic started", events=len(events), rate=self.args.rate, seconds=round(duration, 1))
        traffic.start()
        for fraction, action, argument in self.actions():
            delay = self.timeline.start + fraction * duration - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.act(action, argument)
        traffic.wait()
        self.timeline.note(
            "traffic done", accepted=len(traffic.accepted), failed=len(traffic.failed), retries=traffic.retries
        )
        self.scale_to(1)
        drained = self.drain(traffic.accepted)
        settled_after_drain = self.await_settlement()
        result = self.check(traffic, drained)
        result["settled_after_drain"] = settled_after_drain
        result["seconds"] = round(time.monotonic() - began, 1)
        return result

    def act(self, action: str, argument) -> None:
        step = {"t": round(time.monotonic() - self.timeline.start, 3), "action": action, "argument": argument}
        self.schedule.append(step)
        if action == "term" and len(self.running()) > 1:
            step["worker"] = max(self.running())
        if action == "scale":
            self.scale_to(argument)
        elif action == "kill":
            self.kill_mid_batch(argument)
            step["worker"] = self.killed[-1] if self.killed else argument
            step["t"] = round(time.monotonic() - self.timeline.start, 3)  # the kill waits for a batch in flight
        elif action == "replace":
            # A new pod for the killed one, as a Deployment does.
            if self.killed and self.killed[-1] not in self.running():
                index = self.killed[-1]
                self.stack.start_worker(index, self.mode, wait=False)
                self.timeline.note("worker started", worker=f"w{index}", replaces="killed")
                self.max_replicas = max(self.max_replicas, len(self.running()))
        elif action == "term":
            # Scale down by one: the newest worker gets SIGTERM (never the last one).
            running = self.running()
            if len(running) > 1:
                self.terminate(max(running))
        elif action == "term_to":
            while len(self.running()) > argument:
                self.terminate(max(self.running()))
        elif action == "broker":
            self.broker_fault(argument, self.args.broker_down_seconds)

    def assigned_total(self) -> int:
        total = 0
        for index in self.running():
            total += int(
                self.stack.metrics(index).get(f'replicasafe_worker_assigned_partitions{{mode="{self.mode}"}}', 0)
            )
        return total

    def lag_total(self) -> float | None:
        total = 0.0
        for index in self.running():
            metrics = self.stack.metrics(index)
            if not metrics:
                return None
            total += sum(v for k, v in metrics.items() if k.startswith("replicasafe_worker_consumer_lag{"))
        return total

    def drain(self, accepted: list[Produced]) -> bool:
        """Waits until the group is quiet: every partition owned, zero lag and no new ledger row, all of it for
        15 s without a break (three lag refreshes, so a partition assigned a moment ago cannot pass with a lag it
        has not measured yet). In `after` mode every acknowledged event applied is the goal; in `before` mode the
        ledger may never get there (lost events), so quiet is the end."""
        deadline = time.monotonic() + self.args.drain_timeout
        quiet_since = None
        distinct = last = None
        while time.monotonic() < deadline:
            distinct = int(self.stack.psql("SELECT count(DISTINCT event_id) FROM ledger") or 0)
            quiet = self.assigned_total() == 12 and self.lag_total() == 0 and distinct == last
            last = distinct
            if not quiet:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= 15:
                self.timeline.note("drained", applied_distinct=distinct)
                return True
            time.sleep(0.5)
        self.timeline.note("drain timeout", applied_distinct=distinct)
        return False

    def await_settlement(self) -> bool:
        """Waits (bounded: two periods and a margin) for a settlement run that began after the drain: its snapshot
        holds every batch, so any row of a settled period it leaves uncounted stays uncounted."""
        since = time.time()
        bound = 2 * self.args.settlement_period + 15
        try:
            wait_until(
                lambda: (
                    int(
                        self.stack.psql(f"SELECT count(*) FROM settlements WHERE settled_at > to_timestamp({since})")
                        or 0
                    )
                    > 0
                ),
                bound,
                "a settlement run after the drain",
                interval=0.5,
            )
        except StackError as error:
            self.timeline.note("no settlement after the drain", error=str(error))
            return False
        self.timeline.note("settled after the drain")
        return True

    def settlement_audit(self) -> dict[str, int]:
        """The settlement invariant (SETTLEMENT.md) in SQL. `after`: each settled period's rows total the ledger
        rows of the batches marked with that period, and no row of a period up to the last settled one is left
        unmarked. `before` marks nothing: each settlement row against its period's applied_at window, and rows
        of periods up to the last settled one that no settlement row covers."""
        length = int(self.args.settlement_period)
        period = f"floor(extract(epoch FROM l.applied_at) / {length})::bigint"
        if self.mode == "after":
            sql = f"""
                WITH counted AS (
                  SELECT b.settled_period AS period, sum(l.amount_cents) AS total
                  FROM ledger l JOIN ledger_batches b ON b.id = l.batch_id WHERE b.settled_period IS NOT NULL GROUP BY 1
                ), settled AS (SELECT period, sum(total_cents) AS total FROM settlements GROUP BY 1
                ), wrong AS (
                  SELECT count(*) AS n, coalesce(sum(abs(coalesce(s.total, 0) - coalesce(c.total, 0))), 0) AS cents
                  FROM settled s FULL JOIN counted c USING (period) WHERE coalesce(s.total, 0) <> coalesce(c.total, 0)
                ), uncounted AS (
                  SELECT count(*) AS n, coalesce(sum(abs(l.amount_cents)), 0) AS cents
                  FROM ledger l LEFT JOIN ledger_batches b ON b.id = l.batch_id
                  WHERE b.settled_period IS NULL AND {period} <= (SELECT max(period) FROM settlements)
                )
                SELECT wrong.n, uncounted.n, wrong.cents + uncounted.cents FROM wrong, uncounted"""
        else:
            sql = f"""
                WITH windows AS (SELECT {period} AS period, sum(l.amount_cents) AS total FROM ledger l GROUP BY 1
                ), wrong AS (
                  SELECT count(*) AS n, coalesce(sum(abs(s.total_cents - coalesce(w.total, 0))), 0) AS cents
                  FROM settlements s LEFT JOIN windows w USING (period) WHERE s.total_cents <> coalesce(w.total, 0)
                ), uncounted AS (
                  SELECT count(*) AS n, coalesce(sum(abs(l.amount_cents)), 0) AS cents FROM ledger l
                  WHERE {period} <= (SELECT max(period) FROM settlements)
                    AND NOT EXISTS (SELECT 1 FROM settlements s WHERE s.period = {period})
                )
                SELECT wrong.n, uncounted.n, wrong.cents + uncounted.cents FROM wrong, uncounted"""
        wrong, uncounted, cents = (int(x) for x in self.stack.psql(sql).split("\t"))
        return {
            "settlement_mismatches": wrong + uncounted,
            "settlement_wrong_totals": wrong,
            "settlement_uncounted_rows": uncounted,
            "settlement_error_cents": cents,
        }

    def check(self, traffic: Traffic, drained: bool) -> dict:
        rows = "\n".join(f"{e.event_id}\t{e.account}\t{e.amount}" for e in traffic.accepted)
        self.stack.psql(
            "CREATE TABLE IF NOT EXISTS e2e_produced (event_id uuid PRIMARY KEY, account_id text, amount bigint)"
        )
        self.stack.psql("TRUNCATE e2e_produced")
        self.stack.psql("COPY e2e_produced FROM STDIN", stdin=rows + "\n")
        numbers = self.stack.psql("""
            SELECT
              (SELECT count(*) FROM e2e_produced),
              (SELECT count(DISTINCT l.event_id) FROM ledger l JOIN e2e_produced p USING (event_id)),
              (SELECT count(*) FROM ledger),
              (SELECT count(*) FROM ledger) - (SELECT count(DISTINCT event_id) FROM ledger),
              (SELECT count(*) FROM e2e_produced p WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.event_id = p.event_id)),
              (SELECT count(*) FROM ledger l WHERE NOT EXISTS (SELECT 1 FROM e2e_produced p WHERE p.event_id = l.event_id)),
              (SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n FROM settlements GROUP BY job, period) s),
              (SELECT count(*) FROM (SELECT account_id, sum(amount) expected FROM e2e_produced GROUP BY account_id) e
                 FULL JOIN accounts a USING (account_id)
                 WHERE coalesce(a.balance_cents, 0) <> coalesce(e.expected, 0)),
              (SELECT coalesce(sum(abs(coalesce(a.balance_cents, 0) - coalesce(e.expected, 0))), 0)
                 FROM (SELECT account_id, sum(amount) expected FROM e2e_produced GROUP BY account_id) e
                 FULL JOIN accounts a USING (account_id)),
              (SELECT count(*) FROM processed_events WHERE outcome = 'dead_lettered'),
              (SELECT count(DISTINCT period) FROM settlements),
              (SELECT count(*) FROM (SELECT event_id FROM ledger GROUP BY event_id HAVING count(*) > 1) d),
              (SELECT coalesce(sum(abs(amount_cents)), 0) FROM
                 (SELECT amount_cents, row_number() OVER (PARTITION BY event_id ORDER BY id) AS n FROM ledger) x WHERE n > 1)
            """).split("\t")
        (
            produced,
            applied,
            effects,
            duplicates,
            lost,
            unexpected,
            doubles,
            mismatches,
            mismatch_cents,
            dead_lettered,
            periods,
            duplicated_events,
            duplicated_cents,
        ) = (int(x) for x in numbers)
        result = {
            "mode": self.mode,
            "produced": produced,
            "applied_distinct": applied,
            "effects": effects,
            "duplicates": duplicates,
            "duplicated_events": duplicated_events,
            "duplicated_cents": duplicated_cents,
            "lost": lost,
            "double_settlements": doubles,
            "settled_periods": periods,
            "balance_mismatches": mismatches,
            "balance_error_cents": mismatch_cents,
            "unexpected_events": unexpected,
            "dead_lettered": dead_lettered,
            "not_accepted": len(traffic.failed),
            "api_retries": traffic.retries,
            "kills": self.kills,
            "kills_with_transaction_in_flight": self.kills_in_flight,
            "sigterms": self.terms,
            "broker_faults": self.broker_faults,
            "max_replicas": self.max_replicas,
            "drained": drained,
        }
        result.update(self.settlement_audit())
        result["duplicate_causes"] = self.duplicate_causes()
        result.update(self.check_history(traffic, result))
        self.write_report(result)
        return result

    def check_history(self, traffic: Traffic, result: dict) -> dict:
        """The workers' histories through the simulator's checkers (checks/e2e/history_check.py)."""
        directory = self.stack.history_dir
        produced = directory / "produced.jsonl"
        history_check.write_produced(produced, traffic.accepted)
        histories = sorted(p for p in directory.glob("w*.jsonl"))
        report = history_check.run(self.stack.binary("sim"), produced, histories)
        (directory / "check-history.json").write_text(json.dumps(report, indent=2) + "\n")
        return {
            "history_disagreements": history_check.disagreements(result, report),
            "history_violations_by_kind": report["violations_by_kind"],
            "history_violations_by_cause": report["violations_by_cause"],
            "history_duplicates": report["duplicates"],
            "history_lost": report["lost"],
            "history_double_settlements": report["double_settlements"],
            "history_settlement_mismatches": report.get("settlement_mismatches"),
            "history_lines": report["history_lines"],
            "history_partial_batches": report["partial_batches"],
            **mock_only.report(histories),
        }

    def duplicate_causes(self) -> dict[str, int]:
        """Why each duplicated event was applied twice, from its first two applications and the timeline (the
        same classes the simulator's explanations use)."""
        rows = self.stack.psql("""
            SELECT event_id, string_agg(applied_by || ' ' || extract(epoch FROM applied_at) || ' ' || kafka_partition
                                        || ' ' || kafka_offset, ',' ORDER BY applied_at, id)
            FROM ledger GROUP BY event_id HAVING count(*) > 1
            """)
        causes: dict[str, int] = {}
        for line in filter(None, rows.splitlines()):
            applications = [a.split() for a in line.split("\t")[1].split(",")]
            (w1, t1, p1, o1), (w2, t2, p2, o2) = applications[0], applications[1]
            t1, t2 = float(t1), float(t2)
            if (p1, o1) != (p2, o2):
                cause = "producer retry (the event is twice in Kafka)"
            else:
                events = [
                    e
                    for e in self.timeline.entries
                    if e.get("worker") == w1 and t1 <= e["wall"] <= t2 and e["what"] in ("SIGKILL", "SIGTERM")
                ]
                if any(e["what"] == "SIGKILL" for e in events):
                    cause = "SIGKILL before commit"
                elif events:
                    cause = "SIGTERM exit without drain"
                elif w1 == w2:
                    cause = "re-read by the same worker after a rebalance"
                else:
                    cause = "rebalance before commit"
            causes[cause] = causes.get(cause, 0) + 1
        return dict(sorted(causes.items(), key=lambda item: -item[1]))

    def write_report(self, result: dict) -> None:
        """Everything a postmortem needs: the timeline and every duplicated event with its applications."""
        out = REPO / "out" / "e2e" / self.mode
        out.mkdir(parents=True, exist_ok=True)
        detail = self.stack.psql("""
            SELECT event_id, string_agg(applied_by || '@' || to_char(applied_at, 'HH24:MI:SS.MS') || ' p' || kafka_partition
                                        || ':' || kafka_offset, ' ' ORDER BY applied_at)
            FROM ledger WHERE event_id IN (SELECT event_id FROM ledger GROUP BY event_id HAVING count(*) > 1)
            GROUP BY event_id ORDER BY min(applied_at)
            """)
        settlements = self.stack.psql("""
            SELECT period, count(*), string_agg(settled_by, ',' ORDER BY settled_at) FROM settlements
            GROUP BY period HAVING count(*) > 1 ORDER BY period
            """)
        lost = self.stack.psql("""
            SELECT p.event_id, p.account_id FROM e2e_produced p
            WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.event_id = p.event_id) ORDER BY 1 LIMIT 200
            """)
        (out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "scenario.json").write_text(json.dumps(self.scenario_file(), indent=2) + "\n")
        (out / "timeline.json").write_text(json.dumps(self.timeline.entries, indent=2) + "\n")
        (out / "duplicates.tsv").write_text(detail + "\n")
        (out / "double-settlements.tsv").write_text(settlements + "\n")
        (out / "lost.tsv").write_text(lost + "\n")
        log(f"report in {out}")

    def scenario_file(self) -> dict:
        """The schedule this run applied, for `sim --scenario FILE --mode before|after`."""
        return scenario_export.export(
            self.schedule,
            seed=self.args.seed,
            events=self.args.events,
            traffic_seconds=self.args.events / self.args.rate,
            accounts=self.args.accounts,
            settlement_period=self.args.settlement_period,
            broker_down_seconds=self.args.broker_down_seconds,
        )

    def stop(self) -> None:
        if self.args.keep:
            log(f"--keep: stack left running (logs in {self.stack.root})")
            return
        for index in self.running():
            self.stack.stop(self.stack.worker_name(index), signal.SIGKILL, timeout=5)
        self.stack.stop("api")
        self.stack.stop("kafka-dev")
        if self.started_pg:
            subprocess.run([str(REPO / "scripts/local-postgres.sh"), "stop"], check=False)


def verdict(result: dict) -> list[str]:
    """What keeps the run from showing what its mode should (empty: it does). Both modes must have SIGKILLed a
    worker with a transaction in flight; `after` must be exact; `before` must show duplicates."""
    problems = list(result["history_disagreements"])
    if result["kills_with_transaction_in_flight"] < 1:
        problems.append("no SIGKILL hit a worker with a transaction in flight")
    if result["mode"] == "after":
        for key in (
            "duplicates",
            "lost",
            "double_settlements",
            "balance_mismatches",
            "settlement_mismatches",
            "unexpected_events",
            "not_accepted",
        ):
            if result[key]:
                problems.append(f"{key} = {result[key]}")
        for key in ("drained", "settled_after_drain"):
            if not result[key]:
                problems.append(f"not {key}")
    elif result["duplicates"] == 0:
        problems.append("no duplicates: the before mode did not show its failure")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["before", "after"], required=True)
    parser.add_argument("--small", action="store_true", help="CI size: 3,000 events, up to 3 workers")
    parser.add_argument("--events", type=int)
    parser.add_argument("--rate", type=float, help="events per second through the api")
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--settlement-period", type=int, default=10)
    parser.add_argument("--broker-down-seconds", type=float, default=6)
    parser.add_argument("--drain-timeout", type=float, default=180)
    parser.add_argument("--timeout", type=float, default=900, help="hard limit for the whole run")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--keep", action="store_true", help="leave the stack running afterwards")
    args = parser.parse_args()
    args.events = args.events or (3_000 if args.small else 20_000)
    # Slow enough that the mock's rebalance rounds (session.timeout.ms - 1 s each) fit between the steps.
    args.rate = args.rate or (60.0 if args.small else 150.0)

    scenario = Scenario(args)

    # A hard bound on the run: a hung step must not hang CI.
    def out_of_time(*_):
        raise StackError(f"run exceeded {args.timeout:.0f} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(int(args.timeout))
    try:
        result = scenario.run()
    except Exception as error:  # the stack must come down whatever broke; exit status 2 says the run failed
        log(f"error: {type(error).__name__}: {error}")
        scenario.stop()
        print(json.dumps({"mode": args.mode, "error": str(error)}))
        return 2
    finally:
        signal.alarm(0)
    scenario.stop()
    problems = verdict(result)
    if problems:
        log(f"FAIL: {args.mode} mode: " + "; ".join(problems))
    else:
        log(
            f"PASS: {args.mode} mode "
            + (
                "shows no duplicates, losses, double settlements, balance or settlement mismatches, and a kill in flight"
                if args.mode == "after"
                else "shows duplicates, and a kill in flight"
            )
        )
    print(json.dumps(result))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
