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

from checks.e2e import scenario_export
from checks.e2e.ledger_audit import LedgerAudit
from checks.e2e.stack_actions import StackActions
from checks.e2e.traffic import Produced, Timeline, Traffic
from scripts.stack.localstack import Ports, Stack, StackError, log, wait_until

REPO = Path(__file__).resolve().parents[2]

E2E_PORTS = Ports(brokers=(19392, 19393, 19394), control=19399, api=18380, first_worker=9201)


class Scenario(StackActions, LedgerAudit):
    """One run: the stack, the traffic and the timeline of actions; what it does to the processes is
    StackActions', the audit after the drain LedgerAudit's."""

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
        self.stop_processes()
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

    def stop_processes(self) -> None:
        """SIGKILL for the workers (a run leaves nothing for them to finish), SIGTERM for the api and kafka-dev."""
        for index in self.running():
            self.stack.stop(self.stack.worker_name(index), signal.SIGKILL, timeout=5)
        self.stack.stop("api")
        self.stack.stop("kafka-dev")

    def stop(self) -> None:
        if self.args.keep:
            log(f"--keep: stack left running (logs in {self.stack.root})")
            return
        self.stop_processes()
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
