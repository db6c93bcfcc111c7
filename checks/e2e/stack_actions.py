"""What the scale-and-kill scenario (checks/e2e/scale_and_kill.py) does to the stack's processes and waits for
from them: scale the workers, SIGTERM one, SIGKILL one with a batch transaction provably in flight, take a broker
down; read the workers' partition assignment and lag, wait for the drain and for a settlement run after it. A
mixin of Scenario: it uses the Scenario's stack, mode, args, timeline and fault counters."""

from __future__ import annotations

import signal
import subprocess
import time

from checks.e2e.traffic import Produced
from scripts.stack.localstack import StackError, wait_until


class StackActions:
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

    def assigned_total(self) -> int:
        total = 0
        for index in self.running():
            total += self.assigned(index)
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
